"""The ``buyernet`` command: compare strategies, run scenario files, write reports.

Exit codes: 0 success; 1 the run failed; 2 bad input (usage, scenario file, existing
output); 130 interrupted (Ctrl-C). Nothing is written on failure: output goes to a
temporary directory that is renamed into place only when complete.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from buyernet.comparison import Comparison
from buyernet.curves import CurveArms, ResponseCurve, compare_with_curves, curve_arms
from buyernet.exceptions import BuyernetError, ParameterError
from buyernet.export import describe, read_summary, write_comparison, write_sweep
from buyernet.report import describe_comparison, winners_text
from buyernet.runner import local_executor
from buyernet.scenario import BUDGET, Scenario, ScenarioError, SweepFile, example_toml
from buyernet.simulation import estimate_bytes
from buyernet.storage import check_output, write_atomically
from buyernet.strategy import Plan
from buyernet.sweeps import sweep

__all__ = ["main"]

OK, FAILED, BAD_INPUT, INTERRUPTED = 0, 1, 2, 130


class _RefusedError(Exception):
    """Bad input found by the command itself (exit code 2)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="buyernet",
        description=(
            "Simulate B2B buying in a professional network and compare marketing "
            "strategies on the same market draws."
        ),
        epilog=(
            "Start with `buyernet compare` (the built-in scenario), then `buyernet init "
            "my.toml`, edit it, and `buyernet run my.toml`. Exit codes: 0 ok, 1 run failed, "
            "2 bad input, 130 interrupted."
        ),
    )
    from buyernet import __version__

    parser.add_argument("--version", action="version", version=f"buyernet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def outputs(p: argparse.ArgumentParser, default: str) -> None:
        shown = default or "the input file's name with -results"
        p.add_argument(
            "-o", "--output", default=default, help=f"results directory (default: {shown})"
        )
        p.add_argument(
            "--force",
            action="store_true",
            help="replace an existing results directory that buyernet wrote (never anything else)",
        )
        p.add_argument("--quiet", action="store_true", help="no progress bar or table")
        p.add_argument("--json", action="store_true", help="print the summary as JSON")
        p.add_argument("--threads", type=int, default=None, help="worker threads (default: all)")

    def curves(p: argparse.ArgumentParser) -> None:
        which = p.add_mutually_exclusive_group()
        which.add_argument(
            "--curves",
            default=None,
            metavar="BUDGETS",
            help="the response curves' budgets a week, comma-separated (e.g. "
            "150,250,500,1000), the same for every money-budgeted alternative (default: "
            "half, once and twice each alternative's own budget); one more run per budget "
            "an alternative does not already run at",
        )
        which.add_argument(
            "--no-curves",
            action="store_true",
            help="no response curves (the comparison alone, faster)",
        )

    c = sub.add_parser(
        "compare",
        help="the built-in scenario: quantum vs planetary for our brand, paired",
        description=(
            "Run the built-in scenario: the calibrated default market (100k people, 5k "
            "companies), our brand with Strategy.quantum vs Strategy.planetary at equal money "
            f"({BUDGET:,.0f} a week each), against a "
            "quantum and a planetary rival; 208 weeks, 8 paired "
            "replicates, and the same market with our brand dark for incremental returns; "
            "on the same draws, a response curve of each (at half and twice its budget). "
            "Prints spend, incremental revenue and ROI first, then the response curves and "
            "the paired differences, and writes a report."
        ),
    )
    outputs(c, "buyernet-compare")
    curves(c)
    c.add_argument("--periods", type=int, help="weeks per run (default 208)")
    c.add_argument("--replicates", type=int, help="replicates per strategy (default 8)")
    c.add_argument("--seed", type=int, help="seed (default 2026)")
    c.add_argument(
        "--budget",
        type=float,
        help=f"money a week for every strategy, ours and the rivals' (default {BUDGET:,.0f})",
    )
    c.add_argument(
        "--people", type=int, help="people in the market (default 100000; companies scale with it)"
    )

    r = sub.add_parser(
        "run",
        help="run a scenario file and write its report",
        description=(
            "Run a scenario file (see `buyernet init`): every alternative for our brand on the "
            "same market draws, with a response curve of each alternative budgeted in "
            "money. Prints the money, the curves and the paired differences and writes a "
            "report."
        ),
    )
    r.add_argument("scenario", type=Path, help="a scenario TOML file (see `buyernet init`)")
    outputs(r, "")
    curves(r)

    i = sub.add_parser(
        "init",
        help="write a commented example scenario file",
        description="Write a scenario file with every section and field, commented.",
    )
    i.add_argument("scenario", type=Path, help="where to write it")
    i.add_argument(
        "--force", action="store_true", help="replace an existing file (default: refuse)"
    )

    t = sub.add_parser(
        "tour",
        help="a tour of the network and cascade engine",
        description="A tour of the network and cascade engine (`buyernet tour --help`).",
        add_help=False,
    )
    t.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)

    w = sub.add_parser(
        "sweep",
        help="run a scenario over a grid of parameters (locally or on Dask)",
        description=(
            "Run a sweep file: a scenario plus a [grid] table of dotted parameter paths and "
            'value lists (e.g. "needs.observability" = [0.05, 0.5]) and an optional [sweep] '
            "table (block, sample, method, metric). Writes the tidy table, the paired "
            "comparisons per grid point and a report with the winner across the grid."
        ),
    )
    w.add_argument("sweep", type=Path, help="a sweep TOML file")
    where = w.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler", help="a Dask scheduler address (tcp://host:port; default: run here)"
    )
    where.add_argument(
        "--workers", type=int, help="run on N local worker processes (default: in this process)"
    )
    w.add_argument(
        "--checkpoint",
        type=Path,
        help="keep finished tasks here; rerun to resume (default: no checkpoint)",
    )
    outputs(w, "")

    s = sub.add_parser(
        "show",
        help="print the summary of a saved run",
        description="Print the summary of a results directory written by run or compare.",
    )
    s.add_argument("results", type=Path, help="a results directory")
    s.add_argument("--json", action="store_true", help="print the summary as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["tour"]:
        # The tour has its own options and help.
        from buyernet.tour import main as tour

        try:
            tour(argv[1:])
        except KeyboardInterrupt:
            print("buyernet: interrupted", file=sys.stderr)
            return INTERRUPTED
        return OK
    args = _parser().parse_args(argv)
    try:
        if args.command == "init":
            return _init(args)
        if args.command == "show":
            return _show(args)
        if args.command == "compare":
            try:
                scenario = Scenario.default(*(() if args.budget is None else (args.budget,)))
            except ParameterError as err:
                raise _RefusedError(f"--budget: {err}") from None
            changes: dict[str, Any] = {
                k: getattr(args, k)
                for k in ("periods", "replicates", "seed")
                if getattr(args, k) is not None
            }
            if args.people is not None:
                # At least a market's worth of people; at most what a person id (32 bits) holds.
                if not 1_000 <= args.people <= 2**32 - 1:
                    raise _RefusedError(
                        f"--people must be in [1000, 4294967295]; got {args.people}"
                    )
                population = {"people": args.people, "companies": max(args.people // 20, 1)}
                changes["market"] = scenario.market.replace(population=population)
            scenario = scenario.replace(**changes)
            return _execute(scenario, args, Path(args.output), inputs=())
        if args.command == "sweep":
            return _sweep(args)
        scenario = Scenario.from_toml(args.scenario)
        return _execute(scenario, args, _output(args, args.scenario), inputs=(args.scenario,))
    except (ScenarioError, _RefusedError) as err:
        print(f"buyernet: error: {err}", file=sys.stderr)
        return BAD_INPUT
    except (BuyernetError, ValueError, TypeError) as err:
        print(f"buyernet: error: {err}", file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:
        print("buyernet: interrupted; nothing was written", file=sys.stderr)
        return INTERRUPTED
    except OSError as err:
        print(f"buyernet: error: {err}", file=sys.stderr)
        return FAILED


def _output(args: argparse.Namespace, source: Path) -> Path:
    """``--output``, or ``<source>-results`` beside the input file."""
    if args.output:
        return Path(args.output)
    return source.with_name(source.with_suffix("").name + "-results")


def _init(args: argparse.Namespace) -> int:
    path: Path = args.scenario
    if path.is_dir():
        raise _RefusedError(f"{path} is a directory; name the scenario file to write")
    if path.exists() and not args.force:
        raise _RefusedError(f"{path} exists; use --force to replace it")
    write_atomically(path, example_toml())
    print(f"wrote {path}; run it with: buyernet run {path}")
    return OK


def _execute(
    scenario: Scenario, args: argparse.Namespace, output: Path, inputs: Sequence[Path]
) -> int:
    check_output(output, force=args.force, inputs=inputs)
    if args.threads is not None:
        scenario = scenario.replace(threads=args.threads)
    quiet = args.quiet or args.json
    arms = None
    if not args.no_curves:
        budgets = _budgets(args.curves)
        arms = curve_arms(scenario.market, scenario.alternatives, budgets=budgets)
        if not quiet:
            for name, refused in arms.left_out.items():
                for budget, why in refused:
                    print(
                        f"buyernet: the response curve of {name} leaves out {budget:,.6g} a "
                        f"week: {why}",
                        file=sys.stderr,
                    )
    _announce(scenario, arms, quiet=quiet)
    started = time.time()
    comparison, curves = _run(scenario, arms, quiet=quiet)
    elapsed = time.time() - started
    report = write_comparison(
        comparison, scenario, output, seconds=elapsed, inputs=inputs, curves=curves
    )
    if args.json:
        print(json.dumps(read_summary(output), indent=2))
    elif not args.quiet:
        print(describe_comparison(comparison, curves))
        print(f"\nreport: {report}  ({elapsed:.0f} s)")
    return OK


def _budgets(text: str | None) -> list[float] | None:
    """The budgets of ``--curves``: positive numbers, comma-separated (None: the default)."""
    if text is None:
        return None
    try:
        budgets = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise _RefusedError(f"--curves must be budgets separated by commas; got {text!r}") from None
    if not budgets or any(not (b >= 0 and b < float("inf")) for b in budgets):
        raise _RefusedError(f"--curves must be budgets >= 0 separated by commas; got {text!r}")
    return budgets


# A slow machine's pace with every mechanism on (the README's full-model figure is ~23M
# person-periods per second per core), for an upper estimate of the time a run takes.
_PERSON_PERIODS_PER_CORE_S = 20e6


def _available_bytes() -> int | None:
    """Memory the system can give a new process now (Linux MemAvailable), if known."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


def _announce(scenario: Scenario, arms: CurveArms | None, quiet: bool) -> None:
    """Before a run: its memory and time, estimated (the response curves' ``arms``
    included); a refusal, before anything is allocated, when the memory would not suffice.
    """
    threads = scenario.threads or os.cpu_count() or 1
    need = estimate_bytes(
        scenario.market,
        {**scenario.alternatives, **(arms.plans() if arms is not None else {})},
        dict(scenario.rivals),
        scenario.brand,
        scenario.periods,
        scenario.replicates,
        threads,
    )
    available = _available_bytes()
    if available is not None and need > available:
        raise _RefusedError(
            f"this run needs about {need / 2**30:.1f} GiB of memory and {available / 2**30:.1f} "
            "GiB is available: use fewer people (market.population.people, --people), fewer "
            "threads running replicates at once (--threads), or a bigger machine"
        )
    if quiet:
        return
    people = scenario.market.population.people
    work = people * scenario.periods * scenario.replicates * _arms(scenario, arms)
    seconds = work / (_PERSON_PERIODS_PER_CORE_S * min(threads, scenario.replicates))
    curves = (
        f" ({arms.runs} of the {_arms(scenario, arms)} runs for the response curves; "
        "--no-curves skips them)"
        if arms is not None and arms.runs
        else ""
    )
    print(
        f"buyernet: about {need / 2**20:,.0f} MiB of memory; at most about "
        f"{_duration(seconds)} on {threads} thread(s){curves}",
        file=sys.stderr,
    )


def _arms(scenario: Scenario, arms: CurveArms | None) -> int:
    """The runs of one replicate: the alternatives, the curves' extra budgets, the dark arm."""
    return len(scenario.alternatives) + (arms.runs if arms is not None else 0) + 1


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class _Progress:
    """Progress on stderr: a bar on a terminal; elsewhere (a log, CI) a plain line at each
    tenth of the work. Until the first period is done the engine is building the markets
    (people, companies and the network of each replicate): the bar then counts the share
    built, and the log says it at each quarter.
    """

    def __init__(self, total: int, quiet: bool) -> None:
        self.total = total
        self.quiet = quiet
        self.started = time.time()
        self.logged = -1
        self.built_logged = 0
        self.simulating = False
        self.bar: Any = None
        if quiet:
            return
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(
                total=100,
                unit="%",
                desc="building the market",
                file=sys.stderr,
                dynamic_ncols=True,
            )
        else:
            self._say(f"building the market, then simulating {total:,} periods")

    def building(self, share: float) -> None:
        """The share of the replicates' markets built so far (0 to 1)."""
        if self.quiet or self.simulating:
            return
        if self.bar is not None:
            self.bar.n = round(100 * share)
            self.bar.refresh()
            return
        quarter = int(4 * share)
        if 0 < quarter < 4 and quarter > self.built_logged:
            self.built_logged = quarter
            self._say(f"building the market {quarter * 25}%")

    def _say(self, text: str) -> None:
        print(f"buyernet: {text}", file=sys.stderr, flush=True)

    def __call__(self, done: int) -> None:
        if self.quiet:
            return
        if done:
            self.simulating = True
        if self.bar is not None:
            if done and self.bar.unit == "%":
                self.bar.reset(total=self.total)
                self.bar.unit = "period"
                self.bar.unit_scale = True
                self.bar.set_description("simulating")
            self.bar.n = done
            self.bar.refresh()
            return
        tenth = 10 * done // max(self.total, 1)
        if done and tenth > self.logged:
            self.logged = tenth
            elapsed = time.time() - self.started
            self._say(
                f"simulating {done / self.total:.0%} ({done:,}/{self.total:,} periods, "
                f"{elapsed:.0f} s)"
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _run(
    scenario: Scenario, arms: CurveArms | None, quiet: bool
) -> tuple[Comparison, dict[str, ResponseCurve]]:
    """The comparison and, with ``arms``, the response curves, in one engine call."""
    total = scenario.periods * scenario.replicates * _arms(scenario, arms)
    progress = _Progress(total, quiet)
    rivals: dict[str | int, Plan] = dict(scenario.rivals.items())
    try:
        comparison, curves = compare_with_curves(
            scenario.market,
            dict(scenario.alternatives),
            arms=arms if arms is not None else CurveArms.none(),
            brand=scenario.brand,
            rivals=rivals,
            baseline=scenario.baseline,
            periods=scenario.periods,
            replicates=scenario.replicates,
            seed=scenario.seed,
            threads=scenario.threads,
            progress=progress,
        )
        progress(total)
    finally:
        progress.close()
    return comparison, curves


def _sweep(args: argparse.Namespace) -> int:
    spec = SweepFile.from_toml(args.sweep)
    scenario = spec.scenario
    output = _output(args, args.sweep)
    check_output(output, force=args.force, inputs=(args.sweep,))
    if args.workers is not None and args.workers < 1:
        raise _RefusedError(f"--workers must be at least 1; got {args.workers}")
    if args.checkpoint is not None and Path(args.checkpoint).resolve().is_relative_to(
        Path(output).resolve()
    ):
        # The results replace the output directory, so a checkpoint there could not be kept.
        raise _RefusedError(
            f"--checkpoint {args.checkpoint} lies inside the output {output}, which the "
            "results replace; keep it elsewhere"
        )
    bar = None
    if not (args.quiet or args.json):
        from tqdm import tqdm

        bar = tqdm(unit="task", desc="sweeping", file=sys.stderr, dynamic_ncols=True)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.n = done
            bar.refresh()

    started = time.time()
    with local_executor(scheduler=args.scheduler, workers=args.workers) as executor:
        try:
            result = sweep(
                scenario.market,
                dict(scenario.alternatives),
                grid=spec.grid,
                periods=scenario.periods,
                replicates=scenario.replicates,
                seed=scenario.seed,
                brand=scenario.brand,
                rivals=dict(scenario.rivals),
                baseline=scenario.baseline,
                executor=executor,
                checkpoint=args.checkpoint,
                progress=progress,
                **spec.options,
            )
        except ParameterError as err:
            # The grid is the file's: say which file.
            raise _RefusedError(f"{args.sweep}: {err}") from None
        finally:
            if bar is not None:
                bar.close()
    elapsed = time.time() - started
    text = args.sweep.read_text(encoding="utf-8")
    report = write_sweep(
        result, text, output, metric=spec.metric, seconds=elapsed, inputs=(args.sweep,)
    )
    if args.json:
        print(json.dumps(read_summary(output), indent=2))
    elif not args.quiet:
        print(winners_text(result, spec.metric))
        print(
            f"\nreport: {report}  ({elapsed:.0f} s, {result.tasks} tasks, "
            f"{result.skipped} from the checkpoint)"
        )
    return OK


def _show(args: argparse.Namespace) -> int:
    if args.json:
        print(json.dumps(read_summary(args.results), indent=2))
    else:
        print(describe(args.results))
    return OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
