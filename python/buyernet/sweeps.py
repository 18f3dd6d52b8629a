"""Sweeps: strategies compared over a grid of market and strategy parameters, on Dask or
any executor, with checkpoints that survive crashes.

A sweep runs every grid point (or a random or Latin-hypercube sample of them). Its unit of
work, a *task*, is one grid point and one block of replicates; every alternative strategy of
the point runs inside the task on the same seed, so comparisons are paired. The seed comes
from the sweep's seed, the point's *market* coordinates and the block, never from where or
when the task runs: the table is the same with no executor, one worker or many, in any order
of completion. Strategy coordinates do not enter the seed, so strategies that differ only
in their parameters are paired too.

Tasks carry the configuration (a few kB), not a market or a network: each worker rebuilds
the market from it.

Example:
    >>> import buyernet
    >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
    >>> s = buyernet.sweep(
    ...     m, {"q": buyernet.Strategy.quantum(200), "p": buyernet.Strategy.planetary(200)},
    ...     grid={"needs.observability": [0.05, 0.5]}, periods=8, replicates=2, seed=1)
    >>> sorted(set(s.table["needs.observability"]))
    [0.05, 0.5]
    >>> len(s.table)  # 2 points x 2 alternatives x 2 replicates
    8
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import itertools
import json
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from buyernet import checks
from buyernet.exceptions import ParameterError
from buyernet.market import _SECTIONS, Market
from buyernet.metrics import SWEPT
from buyernet.stats import paired_difference
from buyernet.storage import write_atomically
from buyernet.strategy import Strategy

__all__ = ["Sweep", "sweep"]

#: The per-run metrics a sweep records (see :data:`buyernet.metrics.SWEPT`).
METRICS = SWEPT


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(
            "sweeps return a pandas table: pip install 'buyernet[dask]' (or pandas)"
        ) from None
    return pd


def _set(d: dict[str, Any], path: Sequence[str], value: Any, where: str) -> None:
    for key in path[:-1]:
        if not isinstance(d.get(key), dict):
            raise ParameterError(f"grid key {where!r}: {key!r} is not a section")
        d = d[key]
    if path[-1] not in d:
        raise ParameterError(f"grid key {where!r}: unknown field {path[-1]!r}")
    d[path[-1]] = list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class _Point:
    """One grid point: the market and strategies there, and its market coordinates."""

    values: dict[str, Any]
    market: dict[str, Any]
    alternatives: dict[str, dict[str, Any]]
    rivals: dict[str, dict[str, Any]]
    market_key: str


def _points(
    market: Market,
    alternatives: Mapping[str, Strategy],
    rivals: Mapping[str, Strategy],
    grid: Mapping[str, Sequence[Any]],
    sample: int | None,
    method: str,
    seed: int,
) -> list[_Point]:
    keys = list(grid)
    for key in keys:
        values = grid[key]
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise ParameterError(f"grid[{key!r}] must be a non-empty list of values")
        head = key.split(".")[0]
        if head not in _SECTIONS and head not in ("strategies", "rivals"):
            raise ParameterError(
                f"grid key {key!r} must start with a market section "
                f"({', '.join(_SECTIONS)}), 'strategies.<name>' or 'rivals.<brand>'"
            )
    combos = list(itertools.product(*(grid[k] for k in keys))) if keys else [()]
    if sample is not None:
        combos = _sample(grid, keys, combos, sample, method, seed)
    points = []
    for combo in combos:
        m = market.to_dict()
        alts = {k: v.to_dict() for k, v in alternatives.items()}
        rivs = {k: v.to_dict() for k, v in rivals.items()}
        market_coords = []
        for key, value in zip(keys, combo):
            parts = key.split(".")
            if parts[0] in ("strategies", "rivals"):
                table = alts if parts[0] == "strategies" else rivs
                if len(parts) < 3 or parts[1] not in table:
                    raise ParameterError(
                        f"grid key {key!r}: {parts[0]}.<name>.<field> with a name in "
                        f"{', '.join(table) or '(none)'}"
                    )
                _set(table[parts[1]], parts[2:], value, key)
            else:
                _set(m, parts, value, key)
                market_coords.append((key, value))
        # Validate here, not on a worker: a bad grid fails before anything runs.
        Market.from_dict(m)
        for d in (*alts.values(), *rivs.values()):
            Strategy.from_dict(d)
        points.append(
            _Point(
                values=dict(zip(keys, combo)),
                market=m,
                alternatives=alts,
                rivals=rivs,
                market_key=json.dumps(market_coords, sort_keys=True, default=str),
            )
        )
    return points


def _sample(
    grid: Mapping[str, Sequence[Any]],
    keys: list[str],
    combos: list[tuple[Any, ...]],
    n: int,
    method: str,
    seed: int,
) -> list[tuple[Any, ...]]:
    checks.integer(n, "sample", 1, 10**7)
    rng = random.Random(seed)
    if method == "random":
        return rng.sample(combos, min(n, len(combos)))
    if method == "latin":
        # Latin hypercube over each parameter's list of values: every value of every
        # parameter is used about equally often, however few points are drawn.
        columns = []
        for key in keys:
            values = list(grid[key])
            strata = [values[math.floor(i * len(values) / n)] for i in range(n)]
            rng.shuffle(strata)
            columns.append(strata)
        return list(zip(*columns))
    raise ParameterError(f"method must be 'random' or 'latin'; got {method!r}")


def _task_seed(seed: int, market_key: str, block: int) -> int:
    digest = hashlib.sha256(f"{seed}|{market_key}|{block}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def _run_task(task: dict[str, Any]) -> list[dict[str, Any]]:
    """One grid point and block of replicates: every alternative on the same seed. Runs on
    workers, so it takes and returns plain data.
    """
    from buyernet.simulation import simulate

    market = Market.from_dict(task["market"])
    rivals = {k: Strategy.from_dict(v) for k, v in task["rivals"].items()}
    b = market.brand_index(task["brand"])
    rows = []
    for name, spec in task["alternatives"].items():
        results = simulate(
            market,
            periods=task["periods"],
            replicates=task["replicates"],
            seed=task["seed"],
            strategies={**rivals, task["brand"]: Strategy.from_dict(spec)},
            threads=task["threads"],
        )
        metrics = results.run_metrics()
        for r in range(task["replicates"]):
            row = {"alternative": name, "replicate": task["first_replicate"] + r}
            row.update({k: float(metrics[k][r, b]) for k in METRICS})
            rows.append(row)
    return rows


class Sweep:
    """A finished sweep.

    Attributes:
        table: one row per grid point, alternative and replicate: the grid parameters as
            columns, then ``point``, ``alternative``, ``replicate`` and the metrics.
        grid: the grid parameters, in order; baseline: the alternative compared against.
        tasks: tasks in the sweep; skipped: tasks found finished in the checkpoint.
    """

    def __init__(self, table: Any, grid: list[str], baseline: str, tasks: int, skipped: int):
        self.table = table
        self.grid = grid
        self.baseline = baseline
        self.tasks = tasks
        self.skipped = skipped

    def comparisons(self, metrics: Sequence[str] = METRICS) -> Any:
        """Paired differences (alternative - baseline) per grid point and metric, with 95%
        Student-t intervals over replicates, as a pandas table.
        """
        pd = _pandas()
        rows = []
        for point, group in self.table.groupby("point", sort=True):
            base = group[group["alternative"] == self.baseline].set_index("replicate")
            params = {k: group[k].iloc[0] for k in self.grid}
            for alt, other in group.groupby("alternative", sort=False):
                if alt == self.baseline:
                    continue
                other = other.set_index("replicate")
                for metric in metrics:
                    # Pair by replicate number, as the table's rows may come in any order.
                    a, b = other[metric].align(base[metric])
                    d = paired_difference(a.to_numpy(dtype=float), b.to_numpy(dtype=float))
                    rows.append(
                        {
                            **params,
                            "point": point,
                            "alternative": alt,
                            "metric": metric,
                            "difference": d.mean,
                            "low": d.low,
                            "high": d.high,
                            "replicates": d.n,
                        }
                    )
        return pd.DataFrame(rows)

    def winners(self, metric: str = "wins") -> Any:
        """Per grid point, the alternative with the highest mean ``metric``."""
        means = self.table.groupby(["point", "alternative"], sort=True)[metric].mean()
        best = means.groupby(level="point").idxmax().map(lambda ix: ix[1])
        params = self.table.groupby("point", sort=True)[self.grid].first() if self.grid else None
        out = best.rename("winner").to_frame()
        return out if params is None else params.join(out)

    def __repr__(self) -> str:
        points = self.table["point"].nunique() if len(self.table) else 0
        return f"Sweep(points={points}, rows={len(self.table)}, tasks={self.tasks})"


def _executor(executor: Any) -> concurrent.futures.Executor | None:
    if isinstance(executor, concurrent.futures.ProcessPoolExecutor):
        context = getattr(executor, "_mp_context", None)
        if context is not None and context.get_start_method() == "fork":
            # A forked child inherits the engine's thread pool without its threads, and
            # can hang on first use.
            raise ParameterError(
                "a ProcessPoolExecutor for a sweep must start its workers with 'spawn' or "
                "'forkserver': ProcessPoolExecutor(mp_context=multiprocessing.get_context("
                "'spawn'))"
            )
    if executor is None or isinstance(executor, concurrent.futures.Executor):
        return executor
    try:
        from distributed import Client
    except ImportError:
        raise ImportError(
            "a sweep on Dask needs Dask: pip install 'buyernet[dask]'; or pass executor=None "
            f"or a concurrent.futures.Executor (got {type(executor).__name__})"
        ) from None
    if isinstance(executor, str):
        executor = Client(executor)  # type: ignore[no-untyped-call]
    if isinstance(executor, Client):
        pool: concurrent.futures.Executor = executor.get_executor()  # type: ignore[no-untyped-call]
        return pool
    raise TypeError(
        "executor must be None, a dask.distributed.Client, a scheduler address or a "
        f"concurrent.futures.Executor; got {type(executor).__name__}"
    )


def sweep(
    market: Market | None,
    strategies: Mapping[str, Strategy],
    *,
    grid: Mapping[str, Sequence[Any]],
    periods: int,
    replicates: int,
    seed: int,
    brand: str | int = 0,
    rivals: Mapping[str, Strategy] | None = None,
    baseline: str | None = None,
    block: int = 4,
    sample: int | None = None,
    method: str = "latin",
    executor: Any = None,
    checkpoint: str | Path | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> Sweep:
    """Run ``strategies`` (alternatives for ``brand``) at every point of ``grid``.

    Args:
        market: the base market (default ``Market()``).
        strategies: named alternative strategies for ``brand``, compared at every point.
        grid: dotted parameter paths mapped to lists of values: a market field
            (``"needs.observability"``), an alternative's field
            (``"strategies.quantum.brand_share"``, ``"strategies.q.creative.shareability"``)
            or a rival's (``"rivals.rival_1.budget"``). Empty: the base point only.
        periods: weeks per run.
        replicates: replicates per point and alternative.
        seed: the sweep's seed; every task's seed derives from it and the task's place.
        brand: the brand whose strategy varies.
        rivals: the other brands' strategies (varied with ``rivals.*`` grid keys).
        baseline: the alternative compared against (default: the first).
        block: replicates per task (part of the sweep's definition: it fixes the seeds).
        sample: run only this many points, drawn by ``method``: ``"latin"`` (Latin
            hypercube over each parameter's values) or ``"random"`` (grid points).
        method: see ``sample``.
        executor: None (this process, all cores), a ``dask.distributed.Client`` (a
            LocalCluster's or a real cluster's), a scheduler address, or any
            ``concurrent.futures.Executor``.
        checkpoint: a directory: each finished task is written there atomically, and a
            rerun skips them. A directory holding another sweep is refused.
        progress: called with (tasks done, tasks) as tasks finish.

    Returns:
        a :class:`Sweep`, whose table does not depend on the executor or on the order in
        which tasks finish.
    """
    pd = _pandas()
    market = Market() if market is None else market
    if not isinstance(strategies, Mapping) or not strategies:
        raise ParameterError("strategies must map at least one name to a buyernet.Strategy")
    periods = checks.integer(periods, "periods", 1, 2**32 - 1)
    replicates = checks.integer(replicates, "replicates", 1, 2**32 - 1)
    block = checks.integer(block, "block", 1, 2**32 - 1)
    seed = checks.seed(seed)
    name = market.brand_names[market.brand_index(brand)]
    rivals = dict(rivals or {})
    baseline = baseline if baseline is not None else next(iter(strategies))
    if baseline not in strategies:
        raise ParameterError(f"baseline {baseline!r} is not one of the strategies")
    points = _points(market, strategies, rivals, grid, sample, method, seed)
    blocks = [(b, min(block, replicates - b)) for b in range(0, replicates, block)]
    definition = {
        "market": market.to_dict(),
        "strategies": {k: v.to_dict() for k, v in strategies.items()},
        "rivals": {k: v.to_dict() for k, v in rivals.items()},
        "brand": name,
        "grid": {k: list(v) for k, v in grid.items()},
        "periods": periods,
        "replicates": replicates,
        "seed": seed,
        "block": block,
        "sample": sample,
        "method": method,
    }
    fingerprint = hashlib.sha256(
        json.dumps(definition, sort_keys=True, default=_plain).encode()
    ).hexdigest()
    pool = _executor(executor)
    tasks = {}
    for i, point in enumerate(points):
        for first, size in blocks:
            tasks[(i, first)] = {
                "market": point.market,
                "alternatives": point.alternatives,
                "rivals": point.rivals,
                "brand": name,
                "periods": periods,
                "replicates": size,
                "first_replicate": first,
                "seed": _task_seed(seed, point.market_key, first // block),
                "threads": None if pool is None else 1,
            }
    done: dict[tuple[int, int], list[dict[str, Any]]] = {}
    folder = None if checkpoint is None else Path(checkpoint)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        marker = folder / "sweep.json"
        if marker.exists():
            stored = json.loads(marker.read_text(encoding="utf-8"))
            if stored.get("fingerprint") != fingerprint:
                raise ParameterError(
                    f"checkpoint {folder} holds a different sweep (another grid, market, "
                    "strategies, seed or size); use a new directory or delete it"
                )
        else:
            write_atomically(
                marker,
                json.dumps({"fingerprint": fingerprint, "definition": definition}, default=_plain),
            )
        for key in tasks:
            path = folder / f"task-{key[0]}-{key[1]}.json"
            if path.exists():
                done[key] = json.loads(path.read_text(encoding="utf-8"))
    skipped = len(done)

    def finished(key: tuple[int, int], rows: list[dict[str, Any]]) -> None:
        done[key] = rows
        if folder is not None:
            write_atomically(folder / f"task-{key[0]}-{key[1]}.json", json.dumps(rows))
        if progress is not None:
            progress(len(done), len(tasks))

    todo = [k for k in tasks if k not in done]
    if pool is None:
        for key in todo:
            finished(key, _run_task(tasks[key]))
    else:
        futures = {pool.submit(_run_task, tasks[key]): key for key in todo}
        try:
            for future in concurrent.futures.as_completed(futures):
                finished(futures[future], future.result())
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    rows = []
    for (i, _first), task_rows in sorted(done.items()):
        for row in task_rows:
            rows.append({**points[i].values, "point": i, **row})
    table = pd.DataFrame(rows)
    if len(table):
        table = table.sort_values(["point", "alternative", "replicate"], kind="stable")
        table = table.reset_index(drop=True)
    return Sweep(table, list(grid), baseline, len(tasks), skipped)


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot record {type(value).__name__} in a sweep definition")
