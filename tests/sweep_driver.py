"""A sweep run as its own process, for the tests that kill the driver: writes the sweep's
table to argv[2] as JSON when it finishes."""

import sys

import buyernet


def main() -> None:
    checkpoint, out = sys.argv[1], sys.argv[2]
    s = run(checkpoint)
    s.table.to_json(out, orient="records")


def run(checkpoint: str | None) -> buyernet.Sweep:
    m = buyernet.Market().replace(population={"people": 20_000, "companies": 1_000})
    alts = {"q": buyernet.Strategy.quantum(2_000), "p": buyernet.Strategy.planetary(2_000)}
    grid = {"needs.observability": [0.05, 0.2, 0.5], "strategies.q.brand_share": [0.4, 0.8]}
    return buyernet.sweep(
        m, alts, grid=grid, periods=52, replicates=4, seed=8, block=2, checkpoint=checkpoint
    )


if __name__ == "__main__":
    main()
