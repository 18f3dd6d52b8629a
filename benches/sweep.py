#!/usr/bin/env python3
"""Benchmark sweeps: tasks per second against Dask worker count, and Dask's overhead on
small tasks against running them in this process.

    pip install '.[dask]'
    python benches/sweep.py            # about a minute on 2 cores

Each task is one grid point and one block of replicates with two alternatives. Workers are
processes with one thread each; the local run uses one thread too, so the ratios compare
like with like. Machines are noisy: read the ratios.
"""

from __future__ import annotations

import os
import pickle
import statistics
import sys
import time

import buyernet
from buyernet import sweeps


def setup(people: int) -> dict:
    market = buyernet.Market().replace(population={"people": people, "companies": people // 20})
    return {
        "market": market,
        "strategies": {
            "q": buyernet.Strategy.quantum(people * 0.05, unit="impressions"),
            "p": buyernet.Strategy.planetary(people * 0.05, unit="impressions"),
        },
        "grid": {
            "needs.observability": [0.02, 0.05, 0.1, 0.2, 0.5, 1.0],
            "strategies.q.brand_share": [0.3, 0.5, 0.7, 0.9],
        },
        "periods": 52,
        "replicates": 4,
        "seed": 1,
        "block": 2,
    }


def timed(args: dict, executor=None) -> tuple[float, int]:
    start = time.perf_counter()
    result = buyernet.sweep(
        args["market"],
        args["strategies"],
        executor=executor,
        **{k: args[k] for k in ("grid", "periods", "replicates", "seed", "block")},
    )
    return time.perf_counter() - start, result.tasks


def local_one_thread(args: dict) -> tuple[float, int]:
    # The in-process path with one engine thread, like one worker.
    import concurrent.futures

    class Inline(concurrent.futures.Executor):
        def submit(self, fn, /, *a, **kw):  # type: ignore[override]
            f: concurrent.futures.Future = concurrent.futures.Future()
            f.set_result(fn(*a, **kw))
            return f

    return timed(args, Inline())


def main() -> int:
    from distributed import Client, LocalCluster

    cores = os.cpu_count() or 1
    print(f"{cores} cores; tasks = grid point x block of 2 replicates, 2 alternatives, 52 weeks")
    for people, label in (
        (20_000, "20k people (about 0.3 s a task)"),
        (2_000, "2k people (small tasks, a few ms)"),
    ):
        args = setup(people)
        points = sweeps._points(
            args["market"], args["strategies"], {}, args["grid"], None, "latin", 1
        )
        task = {"market": points[0].market, "alternatives": points[0].alternatives}
        size = len(pickle.dumps(task))
        local = statistics.median(local_one_thread(args)[0] for _ in range(2))
        tasks = timed(args)[1]
        print(
            f"\n{label}: {tasks} tasks; a task pickles to {size / 1024:.1f} kB (config, "
            "not the market: workers rebuild it)"
        )
        print(f"  {'run':<32} {'seconds':>8} {'tasks/s':>8} {'vs local':>9}")
        print(f"  {'local, 1 thread':<32} {local:>8.2f} {tasks / local:>8.1f} {1.0:>8.2f}x")
        for workers in sorted({1, 2, cores} | ({4, 8, 16} & set(range(1, cores + 1)))):
            with (
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    host="127.0.0.1",
                    dashboard_address=None,
                ) as cluster,
                Client(cluster) as client,
            ):
                timed(args, client)  # warm-up: workers import buyernet
                t = statistics.median(timed(args, client)[0] for _ in range(2))
            print(
                f"  {f'dask, {workers} worker(s)':<32} {t:>8.2f} {tasks / t:>8.1f} "
                f"{local / t:>8.2f}x"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
