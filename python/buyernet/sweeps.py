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

import itertools
import json
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buyernet import checks
from buyernet.comparison import compare, estimate, paired
from buyernet.exceptions import ParameterError
from buyernet.market import Market
from buyernet.metrics import OUTCOME, RATIOS, SWEPT
from buyernet.runner import (
    Checkpoint,
    Setup,
    as_executor,
    canonical_key,
    check_key,
    run_tasks,
    task_seed,
)
from buyernet.stats import NO_CLEAR_WINNER
from buyernet.strategy import Plan, plan_from_dict

__all__ = ["Sweep", "sweep"]


def _parts(metric: str, available: Any) -> list[str]:
    """The columns ``metric`` is compared on: itself, and a rate's parts where recorded."""
    parts = RATIOS.get(metric)
    extra = [p for p in parts[:2] if p in available] if parts else []
    return list(dict.fromkeys([metric, *(extra if len(extra) == 2 else [])]))


def _arrays(frame: Any) -> dict[str, Any]:
    """A frame's columns as float arrays, by name."""
    return {str(k): frame[k].to_numpy(dtype=float) for k in frame.columns}


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
    alternatives: Mapping[str, Plan],
    rivals: Mapping[str, Plan],
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
        check_key(key)
    spelled = {canonical_key(k): k for k in keys}
    if len(spelled) < len(keys):
        twice = [k for k in keys if spelled[canonical_key(k)] != k]
        raise ParameterError(
            f"grid keys {spelled[canonical_key(twice[0])]!r} and {twice[0]!r} name the same "
            "field; give it once"
        )
    combos = list(itertools.product(*(grid[k] for k in keys))) if keys else [()]
    if sample is not None:
        combos = _sample(grid, keys, combos, sample, method, seed)
    points = []
    for combo in combos:
        setup = Setup.of(market, alternatives, rivals)
        try:
            # The seed follows the canonical spelling: either spelling draws the same market.
            market_coords = [(canonical_key(k), v) for k, v in zip(keys, combo) if setup.set(k, v)]
            # Validate here, not on a worker: a bad grid fails before anything runs.
            setup.check()
        except ParameterError as err:
            at = ", ".join(f"{k} = {v!r}" for k, v in zip(keys, combo))
            raise ParameterError(f"grid point {at}: {err}") from None
        points.append(
            _Point(
                values=dict(zip(keys, combo)),
                market=setup.market,
                alternatives=setup.strategies,
                rivals=setup.rivals,
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


def _run_task(task: dict[str, Any]) -> list[dict[str, Any]]:
    """One grid point and block of replicates: every alternative compared on the same
    seed. Runs on workers, so it takes and returns plain data.
    """
    comparison = compare(
        Market.from_dict(task["market"]),
        {k: plan_from_dict(v) for k, v in task["alternatives"].items()},
        brand=task["brand"],
        rivals={k: plan_from_dict(v) for k, v in task["rivals"].items()},
        periods=task["periods"],
        replicates=task["replicates"],
        seed=task["seed"],
        threads=task["threads"],
        # The swept outcomes need no dark arm: it would cost one more run per point.
        dark=False,
    )
    rows = []
    for name in comparison.results:
        values = {k: comparison.values(k, name) for k in METRICS}
        for r in range(task["replicates"]):
            row: dict[str, Any] = {"alternative": name, "replicate": task["first_replicate"] + r}
            row.update({k: float(v[r]) for k, v in values.items()})
            rows.append(row)
    return rows


class Sweep:
    """A finished sweep.

    Attributes:
        table: one row per grid point, alternative and replicate: the grid parameters as
            columns, then ``point``, ``alternative``, ``replicate`` and the metrics.
        grid: the grid parameters, in order; baseline: the alternative compared against.
        tasks: tasks in the sweep; skipped: tasks found finished in the checkpoint.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> s = buyernet.sweep(m, {"q": buyernet.Strategy.quantum(150)},
        ...                    grid={"needs.observability": [0.05, 0.5]}, periods=3,
        ...                    replicates=2, seed=1)
        >>> s.grid, s.tasks, len(s.table)
        (['needs.observability'], 2, 4)
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
                    columns = _parts(metric, group.columns)
                    a, b = other[columns].align(base[columns])
                    d = paired(metric, _arrays(a), _arrays(b))
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
        """Per grid point, the alternative with the best mean ``metric`` (the ``leader``):
        the lowest where lower is better (``cac``, ``unspent``: see
        :data:`buyernet.metrics.OUTCOMES`), else the highest. Means are taken over the
        replicates where every alternative has a value (a rate can be undefined in a
        run), the same ones the paired differences use. ``winner`` is the leader only
        where its paired 95% interval against every other alternative excludes zero in
        its favour, else :data:`buyernet.stats.NO_CLEAR_WINNER`. ``margin``, ``low`` and
        ``high`` are the leader's paired advantage over the runner-up (positive: better)
        and its interval (NaN with one alternative, which then wins unopposed).

        Example:
            >>> import buyernet
            >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
            >>> s = buyernet.sweep(m, {"q": buyernet.Strategy.quantum(200),
            ...                        "p": buyernet.Strategy.quantum(200)},
            ...                    grid={"needs.observability": [0.05]}, periods=4,
            ...                    replicates=3, seed=1)
            >>> s.winners()["winner"].tolist()
            ['no clear winner']
        """
        pd = _pandas()
        # Which way is better ("higher", "lower", or "" for neither: ranked highest).
        lower = metric in OUTCOME and OUTCOME[metric].better == "lower"
        # The leader's advantage over another: the paired difference, signed so that
        # positive is better.
        sign = -1.0 if lower else 1.0
        rows = []
        for point, group in self.table.groupby("point", sort=True):
            columns = _parts(metric, group.columns)
            runs = group.pivot_table(
                index="replicate", columns="alternative", values=columns, dropna=False
            )
            # The replicates every alternative has values for: a rate's parts, where it has
            # them (a run whose rate is undefined still counts towards its totals).
            needed = columns[1:] or columns
            runs = runs.dropna(subset=[c for c in runs.columns if c[0] in needed])
            arms = {
                str(alt): _arrays(runs.xs(alt, axis=1, level="alternative"))
                for alt in runs.columns.get_level_values("alternative").unique()
            }
            means = pd.Series({alt: estimate(metric, v).mean for alt, v in arms.items()})
            ranked = means.sort_values(ascending=lower, kind="stable")
            leader = str(ranked.index[0])
            row: dict[str, Any] = {k: group[k].iloc[0] for k in self.grid}
            row.update(point=point, leader=leader, margin=math.nan, low=math.nan, high=math.nan)
            clear = len(runs) > 0
            for i, other in enumerate(ranked.index[1:]):
                d = paired(metric, arms[leader], arms[str(other)])
                low, high = (d.low, d.high) if sign > 0 else (-d.high, -d.low)
                clear = clear and low > 0
                if i == 0:
                    row.update(margin=sign * d.mean + 0.0, low=low, high=high)  # never -0
            row["winner"] = leader if clear else NO_CLEAR_WINNER
            rows.append(row)
        columns = [*self.grid, "winner", "leader", "margin", "low", "high"]
        return pd.DataFrame(rows).set_index("point")[columns]

    def __repr__(self) -> str:
        points = self.table["point"].nunique() if len(self.table) else 0
        return f"Sweep(points={points}, rows={len(self.table)}, tasks={self.tasks})"


def sweep(
    market: Market | None,
    strategies: Mapping[str, Plan],
    *,
    grid: Mapping[str, Sequence[Any]],
    periods: int,
    replicates: int,
    seed: int,
    brand: str | int = 0,
    rivals: Mapping[str, Plan] | None = None,
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

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> s = buyernet.sweep(m, {"q": buyernet.Strategy.quantum(150),
        ...                        "p": buyernet.Strategy.planetary(150)},
        ...                    grid={"strategies.q.brand_share": [0.2, 0.8]}, periods=3,
        ...                    replicates=2, seed=1)
        >>> sorted(s.comparisons()["metric"].unique())[:2]
        ['cac', 'customers']
    """
    pd = _pandas()
    market = Market() if market is None else market
    if not isinstance(strategies, Mapping) or not strategies:
        raise ParameterError("strategies must map at least one name to a buyernet.Strategy")
    periods, replicates = checks.horizon(periods, replicates)
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
        # What a task's rows hold: a checkpoint written before an outcome changed (CAC was
        # spend per win; new_customers was not recorded) is another sweep.
        "outcomes": [*METRICS, "cac = spend / new_customers"],
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
    pool = as_executor(executor)
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
                "seed": task_seed(seed, point.market_key, first // block),
                "threads": None if pool is None else 1,
            }
    store = None if checkpoint is None else Checkpoint(checkpoint, definition)
    done: dict[tuple[int, int], list[dict[str, Any]]] = {} if store is None else store.load(tasks)
    skipped = len(done)

    def finished(key: tuple[int, int], rows: list[dict[str, Any]]) -> None:
        if store is not None:
            store.save(key, rows)
        if progress is not None:
            progress(len(done), len(tasks))

    run_tasks(_run_task, tasks, executor=pool, done=done, finished=finished)
    rows = []
    for (i, _first), task_rows in sorted(done.items()):
        for row in task_rows:
            rows.append({**points[i].values, "point": i, **row})
    table = pd.DataFrame(rows)
    if len(table):
        table = table.sort_values(["point", "alternative", "replicate"], kind="stable")
        table = table.reset_index(drop=True)
    return Sweep(table, list(grid), baseline, len(tasks), skipped)
