"""Export: the tidy tables of a run and the results directories the command line writes.

One builder makes the tidy per-period table (one row per replicate, period and brand; one
column per metric of :mod:`buyernet.metrics`, market-wide metrics repeated on each brand's
row, and one per hourglass stage) for :meth:`buyernet.Results.to_pandas` and for the
``series`` table of a results directory. A results directory is written whole or not at
all (see :mod:`buyernet.storage`):

* a comparison: ``scenario.toml``, ``run.json``, ``summary.json`` (the paired differences),
  ``results/<alternative>.npz``, ``series``, ``runs``, ``campaigns`` and
  ``campaign_series`` (each campaign's week) tables (Parquet with pyarrow, else CSV) and
  ``report.html``;
* a sweep: ``sweep.toml``, ``table``, ``comparisons``, ``winners.csv``, ``run.json``,
  ``summary.json`` and ``report.html``.

Example:
    >>> import buyernet
    >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
    >>> r = buyernet.simulate(m, periods=3, replicates=2, seed=1)
    >>> columns = series_columns(r)
    >>> list(columns)[:4], len(columns["period"])  # 2 replicates x 3 weeks x 4 brands
    (['replicate', 'period', 'brand', 'in_market_share'], 24)
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from buyernet._version import __version__
from buyernet.exceptions import ParameterError
from buyernet.metrics import INCREMENTAL, SERIES, STAGES
from buyernet.report import (
    html_report,
    money_rows,
    summary_rows,
    summary_text,
    sweep_report,
)
from buyernet.storage import file_name, results_directory

if TYPE_CHECKING:
    # Types only: simulation calls into this module (Results.to_pandas), so importing it
    # back at runtime would close a circle.
    from buyernet.comparison import Comparison
    from buyernet.curves import ResponseCurve
    from buyernet.scenario import Scenario
    from buyernet.simulation import Results
    from buyernet.sweeps import Sweep

__all__ = [
    "REPORT",
    "campaign_columns",
    "campaign_series_columns",
    "describe",
    "read_summary",
    "run_columns",
    "series_columns",
    "series_frame",
    "write_comparison",
    "write_sweep",
]

#: The report's file name in a results directory.
REPORT = "report.html"


def series_columns(results: Results) -> dict[str, npt.NDArray[Any]]:
    """The tidy per-period table as columns: ``replicate``, ``period`` (from 1), ``brand``
    (its name), every series recorded (market-wide ones repeated on each brand's row), and
    ``hourglass_<stage>`` for each stage if the hourglass was recorded.
    """
    r, t, b = results.replicates, results.periods, results.market.n_brands
    index = np.indices((r, t, b)).reshape(3, -1)
    columns: dict[str, npt.NDArray[Any]] = {
        "replicate": index[0],
        "period": index[1] + 1,
        "brand": np.asarray(results.market.brand_names, dtype=object)[index[2]],
    }
    for metric in SERIES:
        if metric.name in results.metrics:
            values = results.series(metric.name).reshape(-1)
            columns[metric.name] = values if metric.per_brand else np.repeat(values, b)
    if results.has_hourglass:
        for i, stage in enumerate(STAGES):
            columns[f"hourglass_{stage}"] = results.hourglass[..., i].reshape(-1)
    return columns


def run_columns(results: Results) -> dict[str, npt.NDArray[Any]]:
    """The per-run table as columns: ``replicate``, ``brand`` and every outcome of
    :meth:`buyernet.Results.run_metrics`, one row per replicate and brand.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> r = buyernet.simulate(m, periods=3, replicates=2, seed=1)
        >>> list(run_columns(r))[:3], len(run_columns(r)["wins"])
        (['replicate', 'brand', 'wins'], 8)
    """
    index = np.indices((results.replicates, results.market.n_brands)).reshape(2, -1)
    columns: dict[str, npt.NDArray[Any]] = {
        "replicate": index[0],
        "brand": np.asarray(results.market.brand_names, dtype=object)[index[1]],
    }
    columns.update({k: v.reshape(-1) for k, v in results.run_metrics().items()})
    return columns


def campaign_columns(results: Results) -> dict[str, npt.NDArray[Any]]:
    """The per-campaign table as columns: ``replicate``, ``brand``, ``campaign`` (a lone
    strategy's is ``main``) and each campaign's run totals from
    :meth:`buyernet.Results.campaign_outcomes`: impressions, spend and its parts, unspent
    budget and the CPM paid. One row per replicate and campaign of each advertising brand.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
        >>> plan = buyernet.MediaPlan.brand_and_demand(600)
        >>> r = buyernet.simulate(m, periods=4, replicates=2, seed=1, strategies={"us": plan})
        >>> t = campaign_columns(r)
        >>> sorted(set(t["campaign"])), len(t["spend"])
        (['abm', 'brand'], 4)
    """
    outcomes = results.campaign_outcomes()
    columns: dict[str, list[Any]] = {"replicate": [], "brand": [], "campaign": []}
    for (brand, campaign), totals in outcomes.items():
        columns["replicate"].extend(range(results.replicates))
        columns["brand"].extend([brand] * results.replicates)
        columns["campaign"].extend([campaign] * results.replicates)
        for k, v in totals.items():
            columns.setdefault(k, []).extend(v.tolist())
    return {
        k: np.asarray(v, dtype=object if k in ("brand", "campaign") else None)
        for k, v in columns.items()
    }


def campaign_series_columns(results: Results) -> dict[str, npt.NDArray[Any]]:
    """The weekly per-campaign table as columns: ``replicate``, ``period`` (from 1),
    ``brand``, ``campaign`` (a lone strategy's is ``main``) and what the campaign bought
    and paid that week, from :meth:`buyernet.Results.campaign_series`: impressions, spend
    and its parts, unspent budget and the CPM paid. One row per replicate, week and
    campaign of each advertising brand; summed over the weeks it is
    :func:`campaign_columns`.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
        >>> plan = buyernet.MediaPlan.brand_and_demand(600)
        >>> r = buyernet.simulate(m, periods=4, replicates=2, seed=1, strategies={"us": plan})
        >>> t = campaign_series_columns(r)
        >>> list(t)[:4], len(t["spend"])  # 2 replicates x 4 weeks x 2 campaigns
        (['replicate', 'period', 'brand', 'campaign'], 16)
    """
    r, t = results.replicates, results.periods
    index = np.indices((r, t)).reshape(2, -1)
    parts: dict[str, list[npt.NDArray[Any]]] = {
        "replicate": [],
        "period": [],
        "brand": [],
        "campaign": [],
    }
    for (brand, campaign), weeks in results.campaign_series().items():
        parts["replicate"].append(index[0])
        parts["period"].append(index[1] + 1)
        parts["brand"].append(np.full(r * t, brand, dtype=object))
        parts["campaign"].append(np.full(r * t, campaign, dtype=object))
        for k, v in weeks.items():
            parts.setdefault(k, []).append(v.reshape(-1))
    return {
        k: np.concatenate(v)
        if v
        else np.empty(0, dtype=object if k in ("brand", "campaign") else np.int64)
        for k, v in parts.items()
    }


def series_frame(results: Results) -> Any:
    """:func:`series_columns` as a pandas DataFrame (what ``Results.to_pandas`` returns).

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> series_frame(buyernet.simulate(m, periods=3, replicates=2, seed=1)).shape
        (24, 43)
    """
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("Results.to_pandas needs pandas: pip install pandas") from None
    return pd.DataFrame(series_columns(results))


def write_comparison(
    c: Comparison,
    scenario: Scenario,
    output: str | Path,
    *,
    seconds: float,
    inputs: Sequence[str | Path] = (),
    curves: Mapping[str, ResponseCurve] | None = None,
) -> Path:
    """Write a comparison's results directory (replacing ``output`` only if buyernet wrote
    it and nothing else was added; see :func:`buyernet.storage.results_directory`).

    Returns:
        the path of its ``report.html``.

    Example:
        >>> import tempfile, pathlib
        >>> from buyernet.scenario import Scenario
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> c = buyernet.compare(m, {"q": buyernet.Strategy.quantum(200),
        ...                          "p": buyernet.Strategy.planetary(200)},
        ...                      periods=4, replicates=2, seed=1)
        >>> s = Scenario.default().replace(periods=4, replicates=2, seed=1, market=m)
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "run"
        >>> write_comparison(c, s, out, seconds=1.0).name
        'report.html'
        >>> read_summary(out)["run"]["alternatives"], describe(out).splitlines()[2][:6]
        (['q', 'p'], 'altern')
    """
    for name in c.alternatives:
        file_name(name, "an alternative's name")  # saved as results/<name>.npz
    with results_directory(output, inputs=inputs) as tmp:
        scenario.to_toml(tmp / "scenario.toml")
        meta = {
            "seed": scenario.seed,
            "periods": scenario.periods,
            "replicates": scenario.replicates,
            "brand": c.brand,
            "baseline": c.baseline,
            "alternatives": list(c.alternatives),
            "version": __version__,
            "seconds": round(seconds, 2),
        }
        (tmp / "run.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        # summary.json is exactly what --json prints: the run and its paired differences.
        summary: dict[str, Any] = {
            "run": meta,
            "money": money_rows(c),
            "differences": summary_rows(c),
        }
        if curves:
            summary["curves"] = {name: _clean(curve.rows()) for name, curve in curves.items()}
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
        (tmp / "results").mkdir()
        for name, results in c.results.items():
            results.save(tmp / "results" / f"{name}.npz")
        if c.dark is not None:
            # The arm the incremental outcomes are read against, so they can be recomputed.
            c.dark.save(tmp / "dark.npz")
        _tidy(c, tmp)
        toml_text = (tmp / "scenario.toml").read_text(encoding="utf-8")
        (tmp / REPORT).write_text(html_report(c, toml_text, meta, curves), encoding="utf-8")
    return Path(output) / REPORT


def _clean(rows: list[dict[str, float]]) -> list[dict[str, float | None]]:
    """Rows for JSON: NaN as None."""
    return [{k: None if math.isnan(v) else v for k, v in row.items()} for row in rows]


def _incremental(
    c: Comparison, name: str, columns: dict[str, npt.NDArray[Any]]
) -> dict[str, npt.NDArray[Any]]:
    """``columns`` (alternative ``name``'s per-run table) with the compared brand's
    incremental outcomes against the dark arm, per replicate; NaN on other brands' rows.
    Unchanged without a dark arm.
    """
    if c.dark is None:
        return columns
    ours = columns["brand"] == c.brand
    for metric in INCREMENTAL:
        column = np.full(len(ours), np.nan)
        column[ours] = c.values(metric.name, name)[columns["replicate"][ours]]
        columns[metric.name] = column
    return columns


def _tidy(c: Comparison, out: Path) -> None:
    """Every alternative's per-week series and per-run outcomes, one table each, with the
    alternative as the first column.
    """
    tables: dict[str, dict[str, list[Any]]] = {
        "series": {},
        "runs": {},
        "campaigns": {},
        "campaign_series": {},
    }
    for name in c.alternatives:
        r = c.results[name]
        for stem, columns in (
            ("series", series_columns(r)),
            ("runs", _incremental(c, name, run_columns(r))),
            ("campaigns", campaign_columns(r)),
            ("campaign_series", campaign_series_columns(r)),
        ):
            table = tables[stem]
            rows = len(columns["replicate"])
            table.setdefault("alternative", []).extend([name] * rows)
            for k, v in columns.items():
                table.setdefault(k, []).extend(list(v))
    for stem, table in tables.items():
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.table(table), out / f"{stem}.parquet")
        except ImportError:
            _csv(out / f"{stem}.csv", table)


def _csv(path: Path, table: dict[str, list[Any]]) -> None:
    keys = list(table)
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(keys)
        writer.writerows(zip(*(table[k] for k in keys)))


def write_sweep(
    result: Sweep,
    sweep_toml: str,
    output: str | Path,
    *,
    metric: str,
    seconds: float,
    inputs: Sequence[str | Path] = (),
    curves: Mapping[str, ResponseCurve] | None = None,
) -> Path:
    """Write a sweep's results directory: its table, the paired comparisons per grid
    point, the winner at each point by mean ``metric``, and the report.

    Returns:
        the path of its ``report.html``.

    Example:
        >>> import tempfile, pathlib
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> s = buyernet.sweep(m, {"q": buyernet.Strategy.quantum(200),
        ...                        "p": buyernet.Strategy.planetary(200)},
        ...                    grid={"needs.observability": [0.05, 0.5]}, periods=4,
        ...                    replicates=2, seed=1)
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "sweep"
        >>> _ = write_sweep(s, "", out, metric="wins", seconds=1.0)
        >>> describe(out).splitlines()[0]
        'sweep over needs.observability: 2 tasks, winner by wins at each point:'
    """
    with results_directory(output, inputs=inputs) as tmp:
        (tmp / "sweep.toml").write_text(sweep_toml, encoding="utf-8")
        comparisons = result.comparisons()
        winners = result.winners(metric)
        for stem, frame in (("table", result.table), ("comparisons", comparisons)):
            try:
                frame.to_parquet(tmp / f"{stem}.parquet")
            except ImportError:
                frame.to_csv(tmp / f"{stem}.csv", index=False)
        winners.to_csv(tmp / "winners.csv")
        meta = {
            "grid": result.grid,
            "baseline": result.baseline,
            "tasks": result.tasks,
            "from_checkpoint": result.skipped,
            "metric": metric,
            "version": __version__,
            "seconds": round(seconds, 2),
        }
        (tmp / "run.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        rows = comparisons[comparisons["metric"] == metric].to_dict(orient="records")
        summary = {"run": meta, "differences": rows}
        (tmp / "summary.json").write_text(
            json.dumps(summary, indent=2, default=float), encoding="utf-8"
        )
        (tmp / REPORT).write_text(sweep_report(result, metric, sweep_toml, meta), encoding="utf-8")
    return Path(output) / REPORT


def read_summary(path: str | Path) -> dict[str, Any]:
    """A results directory's ``run.json`` and ``summary.json``: ``{"run": ...,
    "differences": ...}``.

    Raises:
        ParameterError: ``path`` is not a results directory buyernet wrote.

    Example:
        >>> read_summary(".")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        buyernet.exceptions.ParameterError: . is not a buyernet results directory ...
    """
    path = Path(path)
    if not (path / "summary.json").is_file() or not (path / "run.json").is_file():
        raise ParameterError(
            f"{path} is not a buyernet results directory (no summary.json/run.json)"
        )
    summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    if isinstance(summary, dict) and "differences" in summary:
        return dict(summary)
    # Written before summary.json held the run too: the rows alone.
    run = json.loads((path / "run.json").read_text(encoding="utf-8"))
    return {"run": run, "differences": summary}


def describe(path: str | Path) -> str:
    """A results directory in words (what ``buyernet show`` prints): what ran, its paired
    differences (or a sweep's winner at each grid point), and where the report is. See
    :func:`write_comparison` for an example.
    """
    path = Path(path)
    summary = read_summary(path)
    run = summary["run"]
    if "grid" in run:
        winners = (path / "winners.csv").read_text(encoding="utf-8")
        return (
            f"sweep over {', '.join(run['grid'])}: {run['tasks']} tasks, "
            f"winner by {run['metric']} at each point:\n"
            f"{winners.rstrip()}\n\nreport: {path / REPORT}"
        )
    text = summary_text(
        summary.get("money", []),
        summary.get("curves", {}),
        summary["differences"],
        run["baseline"],
    )
    return (
        f"{run['brand']}: {' vs '.join(run['alternatives'])}; {run['replicates']} paired "
        f"replicates of {run['periods']} weeks, seed {run['seed']}, buyernet {run['version']}\n"
        f"{text}\n\nreport: {path / REPORT}"
    )
