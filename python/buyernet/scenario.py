"""Scenarios: a market, the strategies to compare, and how long and how often to run them,
read from and written to a TOML file people can edit.

A scenario varies one brand's strategy over named alternatives (two or more make a paired
comparison), with the other brands' strategies fixed. Every field has a default, so a file
only needs what it changes; :func:`example_toml` writes one with every section, commented.

Example:
    >>> s = Scenario.default()
    >>> s.brand, list(s.alternatives), s.periods
    ('us', ['quantum', 'planetary'], 208)
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from buyernet import _core, checks
from buyernet.exceptions import ParameterError
from buyernet.market import _SECTIONS, SCENARIO_TABLES, Market, _toml_value, toml_string
from buyernet.metrics import SWEPT
from buyernet.storage import file_name, read_toml, write_atomically
from buyernet.strategy import FUNCTIONS, MediaPlan, Plan, Strategy

__all__ = ["Scenario", "ScenarioError", "SweepFile", "example_toml", "load_toml"]

_RUN_KEYS = ("periods", "replicates", "seed", "brand", "baseline", "threads")
_TOP_KEYS = SCENARIO_TABLES


class ScenarioError(ParameterError):
    """A scenario file that cannot be used; the message names the file and the key."""


#: The built-in scenario's money a week for every strategy in it, ours and the rivals' (on
#: the default market's 100k people): where the market's response to budget has the
#: published shape (``benches/fidelity.py``).
BUDGET = 1_000.0


@dataclass(frozen=True)
class Scenario:
    """What to run: a market, the alternatives for one brand, its rivals, and the run.

    Attributes:
        market: the market.
        alternatives: named strategies (or media plans) for ``brand``; the first is the
            baseline unless ``baseline`` names another.
        rivals: the other brands' strategies or plans, the same in every alternative.
        brand: the brand whose strategy varies.
        baseline: the alternative the others are compared with.
        periods: weeks per run.
        replicates: Monte Carlo replicates per alternative.
        seed: the seed every alternative runs on.
        threads: worker threads (None: all cores); results do not depend on it.
    """

    market: Market = field(default_factory=Market)
    alternatives: Mapping[str, Plan] = field(default_factory=dict)
    rivals: Mapping[str, Plan] = field(default_factory=dict)
    brand: str = "us"
    baseline: str | None = None
    periods: int = 208
    replicates: int = 8
    seed: int = 2026
    threads: int | None = None

    def __post_init__(self) -> None:
        if not self.alternatives:
            raise ParameterError("a scenario needs at least one alternative")
        for name in self.alternatives:
            # Each alternative's results are saved as results/<name>.npz.
            file_name(name, "an alternative's name")
        checks.horizon(self.periods, self.replicates, at="run.")
        checks.seed(self.seed)
        checks.threads(self.threads, "run.threads")
        self.market.brand_index(self.brand)
        for name in self.rivals:
            if self.market.brand_index(name) == self.market.brand_index(self.brand):
                raise ParameterError(f"rivals must not include the compared brand {self.brand!r}")
        if self.baseline is not None and self.baseline not in self.alternatives:
            raise ParameterError(
                f"run.baseline {self.baseline!r} is not an alternative; "
                f"alternatives: {', '.join(self.alternatives)}"
            )

    @classmethod
    def default(cls, budget: float = BUDGET) -> Scenario:
        """The built-in scenario of ``buyernet compare``: the calibrated default market
        (100k people), our brand with :meth:`Strategy.quantum` vs :meth:`Strategy.planetary`
        at equal money, 1,000 a week each (about 33,000 broad impressions at the default
        CPM), against a quantum and a planetary rival at the same budget; 208 weeks, 8
        paired replicates. ``budget`` sets every strategy's money a week.
        """
        return cls(
            alternatives={
                "quantum": Strategy.quantum(budget),
                "planetary": Strategy.planetary(budget),
            },
            rivals={"rival_1": Strategy.quantum(budget), "rival_2": Strategy.planetary(budget)},
        )

    def replace(self, **changes: Any) -> Scenario:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    # -- files ------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The scenario as nested dicts, as in its TOML file (the market in full)."""
        run: dict[str, Any] = {
            "periods": self.periods,
            "replicates": self.replicates,
            "seed": self.seed,
            "brand": self.brand,
        }
        if self.baseline is not None:
            run["baseline"] = self.baseline
        if self.threads is not None:
            run["threads"] = self.threads
        return {
            "run": run,
            "market": self.market.to_dict(),
            "alternatives": {k: _strategy_dict(v) for k, v in self.alternatives.items()},
            "rivals": {k: _strategy_dict(v) for k, v in self.rivals.items()},
        }

    def to_toml(self, path: str | Path) -> None:
        """Write the scenario; :meth:`from_toml` reads it back equal."""
        write_atomically(path, _toml(self.to_dict()))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "scenario") -> Scenario:
        """A scenario from nested dicts; errors name ``source`` and the key."""

        def fail(key: str, err: Exception | str) -> ScenarioError:
            # An engine error knows where the parameter sits: the TOML key continues it.
            if getattr(err, "path", None):
                return ScenarioError(f"{source}: {key}.{err}")
            return ScenarioError(f"{source}: {key}: {err}")

        if not isinstance(data, Mapping):
            raise fail("(top level)", "must be a table")
        unknown = sorted(set(data) - set(_TOP_KEYS))
        if unknown:
            raise fail(unknown[0], f"unknown section; sections: {', '.join(_TOP_KEYS)}")
        run = data.get("run", {})
        if not isinstance(run, Mapping):
            raise fail("run", "must be a table")
        unknown = sorted(set(run) - set(_RUN_KEYS))
        if unknown:
            raise fail(f"run.{unknown[0]}", f"unknown key; run has: {', '.join(_RUN_KEYS)}")
        try:
            market = Market.from_dict(dict(data.get("market", {})))
        except (ParameterError, TypeError, ValueError) as err:
            raise fail("market", err) from None
        strategies: dict[str, dict[str, Plan]] = {}
        for part in ("alternatives", "rivals"):
            table = data.get(part, {})
            if not isinstance(table, Mapping):
                raise fail(part, "must be a table of named strategies")
            strategies[part] = {}
            for name, spec in table.items():
                try:
                    strategies[part][str(name)] = _strategy(spec)
                except (ParameterError, TypeError, ValueError) as err:
                    raise fail(f"{part}.{name}", err) from None
        if "alternatives" not in data:
            strategies["alternatives"] = dict(cls.default().alternatives)
            if "rivals" not in data:
                strategies["rivals"] = dict(cls.default().rivals)
        brand = run.get("brand", "us")
        compared = None
        with contextlib.suppress(ParameterError, TypeError):  # a bad run.brand: said below
            compared = market.brand_index(brand)
        for name in strategies["rivals"]:
            try:
                rival = market.brand_index(name)
            except (ParameterError, TypeError) as err:
                raise fail(f"rivals.{name}", err) from None
            if rival == compared:
                raise fail(
                    f"rivals.{name}",
                    f"is the compared brand (run.brand = {brand!r}), whose strategy the "
                    "alternatives set",
                )
        # Accounts, functions and weights must fit this market: said now, with the file's
        # key, not after the run has started.
        market_dict = market.to_dict()
        for part, table in strategies.items():
            for name, plan in table.items():
                campaigns = (
                    [(f"{part}.{name}.campaigns.{c}", st) for c, st in plan.campaigns]
                    if isinstance(plan, MediaPlan)
                    else [(f"{part}.{name}", plan)]
                )
                for key, strategy in campaigns:
                    try:
                        _core.check("strategy", strategy.to_dict(), market_dict)
                    except (ParameterError, TypeError) as err:
                        raise fail(key, err) from None
        try:
            return cls(
                market=market,
                alternatives=strategies["alternatives"],
                rivals=strategies["rivals"],
                **{k: run[k] for k in _RUN_KEYS if k in run},
            )
        except (ParameterError, TypeError, ValueError) as err:
            if str(err).startswith("run."):
                raise ScenarioError(f"{source}: {err}") from None
            raise fail("run", err) from None

    @classmethod
    def from_toml(cls, path: str | Path) -> Scenario:
        """Read a scenario file; every error names the file and the key."""
        return cls.from_dict(load_toml(path), source=str(path))


# The [sweep] table's keys: options of buyernet.sweep, and the metric that picks winners.
_SWEEP_KEYS = ("block", "sample", "method", "metric")


@dataclass(frozen=True)
class SweepFile:
    """A sweep file: a scenario, a ``[grid]`` of dotted parameter paths mapped to lists of
    values, and an optional ``[sweep]`` table (``block``, ``sample``, ``method`` and the
    ``metric`` that picks the winner at each point).

    Attributes:
        scenario: the scenario run at every grid point.
        grid: dotted paths (``"needs.observability"``) and their values.
        options: keyword arguments for :func:`buyernet.sweep` (block, sample, method).
        metric: the metric whose mean picks the winner at each point.

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.toml"
        >>> _ = path.write_text('''
        ... [grid]
        ... "needs.observability" = [0.05, 0.5]
        ... [sweep]
        ... block = 2
        ... ''')
        >>> spec = SweepFile.from_toml(path)
        >>> spec.grid, spec.options, spec.metric
        ({'needs.observability': [0.05, 0.5]}, {'block': 2}, 'wins')
    """

    scenario: Scenario
    grid: dict[str, list[Any]]
    options: dict[str, Any] = field(default_factory=dict)
    metric: str = "wins"

    @classmethod
    def from_toml(cls, path: str | Path) -> SweepFile:
        """Read a sweep file; every error names the file and the key."""
        data = load_toml(path)
        grid = data.pop("grid", None)
        options = data.pop("sweep", {})
        if not isinstance(grid, dict) or not grid:
            raise ScenarioError(
                f'{path}: grid: a [grid] table of "dotted.path" = [values] is needed'
            )
        for key, values in grid.items():
            if isinstance(values, dict):
                raise ScenarioError(
                    f'{path}: grid.{key}: quote dotted paths: "{key}.<field>" = [values]'
                )
            if not isinstance(values, list) or not values:
                raise ScenarioError(f"{path}: grid.{key}: must be a non-empty list of values")
        if not isinstance(options, dict) or set(options) - set(_SWEEP_KEYS):
            bad = sorted(set(options) - set(_SWEEP_KEYS)) if isinstance(options, dict) else []
            raise ScenarioError(
                f"{path}: sweep.{(bad or ['(not a table)'])[0]}: unknown key; sweep has: "
                f"{', '.join(_SWEEP_KEYS)}"
            )
        options = dict(options)
        metric = options.pop("metric", "wins")
        if metric not in SWEPT:
            # Checked now, not after every point has run.
            raise ScenarioError(
                f"{path}: sweep.metric: {metric!r} is not a swept outcome; one of: "
                f"{', '.join(SWEPT)}"
            )
        scenario = Scenario.from_dict(data, source=str(path))
        return cls(scenario=scenario, grid=grid, options=options, metric=metric)


def load_toml(path: str | Path) -> dict[str, Any]:
    """A TOML file's tables; unreadable or invalid files raise :class:`ScenarioError`
    naming the file.

    Example:
        >>> load_toml("no/such/file.toml")
        Traceback (most recent call last):
        ...
        buyernet.scenario.ScenarioError: no/such/file.toml: cannot read: No such file or directory
    """
    return read_toml(path, ScenarioError)


def _strategy(spec: Any) -> Plan:
    """A strategy from its table: an optional ``preset`` (quantum or planetary, with the
    table's budget), then any field of :class:`Strategy` overriding it; or a media plan: a
    ``campaigns`` table of named campaigns, each such a table.
    """
    if isinstance(spec, Mapping) and "campaigns" in spec:
        unknown = sorted(set(spec) - {"campaigns"})
        if unknown:
            raise ParameterError(f"{unknown[0]}: unknown key; a media plan has only campaigns")
        table = spec["campaigns"]
        if not isinstance(table, Mapping) or not table:
            raise ParameterError("campaigns must be a table of named campaigns")
        pairs = []
        for name, campaign in table.items():
            try:
                one = _strategy(campaign)
                if isinstance(one, MediaPlan):
                    raise ParameterError("a campaign cannot hold campaigns")
                pairs.append((str(name), one))
            except (ParameterError, TypeError) as err:
                raise type(err)(f"campaigns.{name}: {err}") from None
        return MediaPlan(pairs)
    if not isinstance(spec, Mapping):
        raise TypeError("must be a table with a budget (and optionally a preset)")
    spec = dict(spec)
    preset = spec.pop("preset", None)
    if preset is None:
        return Strategy.from_dict(spec)
    presets = {"quantum": Strategy.quantum, "planetary": Strategy.planetary}
    if preset not in presets:
        raise ParameterError(f"preset must be one of {', '.join(presets)}; got {preset!r}")
    if "budget" not in spec:
        raise ParameterError("a preset needs a budget (money per period)")
    base = presets[preset](spec["budget"]).to_dict()
    for key, value in spec.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    if "targeting" in spec and "kind" in spec["targeting"]:
        # A new kind of targeting starts from that kind's defaults, not the preset's fields.
        base["targeting"] = dict(spec["targeting"])
    return Strategy.from_dict(base)


def _strategy_dict(s: Plan) -> dict[str, Any]:
    return s.to_dict()


def _toml(data: Mapping[str, Any], prefix: str = "") -> str:
    """Nested dicts as TOML: scalars and lists first, then sub-tables."""
    lines: list[str] = []
    scalars = {k: v for k, v in data.items() if not isinstance(v, Mapping)}
    tables = {k: v for k, v in data.items() if isinstance(v, Mapping)}
    if prefix and (scalars or not tables):
        lines.append(f"[{prefix}]")
    for key, value in scalars.items():
        if value is not None:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    if scalars or (prefix and not tables):
        lines.append("")
    for key, value in tables.items():
        lines.append(_toml(value, f"{prefix}.{_toml_key(key)}" if prefix else _toml_key(key)))
    return "\n".join(lines)


def _toml_key(key: str) -> str:
    """A TOML key: bare where TOML allows it, else quoted (names with spaces or dots)."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_string(key)


def example_toml() -> str:
    """A scenario file with every section and a comment on each; it runs as written."""
    market = Market().to_dict()
    lines = [
        "# A buyernet scenario. Every key is optional: what is left out takes its default.",
        "# Run it with: buyernet run THIS_FILE.toml",
        "",
        "[run]",
        "periods = 208          # weeks per run",
        "replicates = 8         # Monte Carlo replicates per alternative (paired)",
        "seed = 2026            # every alternative runs on the same market draws",
        'brand = "us"           # the brand whose strategy varies',
        'baseline = "quantum"   # the alternative the others are compared with',
        "",
        "# The alternatives for our brand. `preset` (quantum or planetary) starts from that",
        "# strategy at `budget`, money a week (creative and intent data are paid from it, the",
        '# rest buys impressions at the audience\'s CPM; unit = "impressions" counts',
        "# impressions instead); any other key overrides it.",
        "[alternatives.quantum]",
        'preset = "quantum"',
        "budget = 1000",
        "",
        "[alternatives.planetary]",
        'preset = "planetary"',
        "budget = 1000",
        "",
        "# A media plan: several named campaigns (channels) at once, each a strategy.",
        "[alternatives.brand_and_abm.campaigns.brand]",
        'preset = "quantum"',
        "budget = 400",
        "brand_share = 1.0",
        "[alternatives.brand_and_abm.campaigns.abm]",
        'preset = "planetary"',
        "budget = 600",
        "brand_share = 0.0",
        "",
        "# Spelled out: every field of a strategy.",
        "[alternatives.custom]",
        "budget = 1000",
        'unit = "money"         # money | impressions: what budget counts',
        "brand_share = 0.5      # share of impressions that are brand; the rest is demand",
        "[alternatives.custom.targeting]",
        'kind = "narrow"        # broad | narrow | scored | weights | seeding',
        'functions = ["it", "executive"]  # narrow: names (or indices) from '
        + ", ".join(FUNCTIONS),
        "min_level = 2          # narrow: lowest seniority level, 0 (junior) to 4",
        "accounts = []          # narrow: company ids of an account list (empty: any)",
        "# seeding: size = 1000 and every = 13 (weeks), and a [...targeting.within] table",
        "# holding the broad, narrow or scored audience the seeds are chosen from",
        "[alternatives.custom.creative]",
        "resonance = 0.6        # how strongly it works when it fits",
        "taste_dependence = 0.1 # how much fit with the person's taste matters",
        "shareability = 0.6     # how readily it is shared and passed on",
        "tailored = false       # personalized to each person's guessed taste",
        "accuracy = 0.0         # how often personalization guesses a taste right",
        "aim = 0.5              # the taste an untailored creative is made for, in [0, 1]",
        "[alternatives.custom.timing]",
        'kind = "flighted"      # always_on | flighted | triggered',
        "on = 4                 # flighted: weeks on",
        "off = 4                # flighted: weeks off",
        "",
        "# The other brands' strategies, the same in every alternative. Brands without one",
        "# do not advertise.",
        "[rivals.rival_1]",
        'preset = "quantum"',
        "budget = 1000",
        "",
        "[rivals.rival_2]",
        'preset = "planetary"',
        "budget = 1000",
        "",
        "# The market: every section and field, at its default (see help(buyernet.Market)).",
    ]
    for section, fields in market.items():
        docs = _field_docs(_SECTIONS[section])
        summary = (_SECTIONS[section].__doc__ or "").strip().splitlines()[0]
        lines.append(f"# {summary}")
        lines.append(f"[market.{section}]")
        for key, value in fields.items():
            for line in textwrap.wrap(docs.get(key, ""), 88):
                lines.append(f"# {line}")
            if value is None:
                lines.append(f"# {key} = (unset)")
            elif section == "brands" and key == "names" and not value:
                lines.append('# names = ["us", "rival_1", "rival_2", "rival_3"]   # the default')
            else:
                lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def _field_docs(cls: type) -> dict[str, str]:
    """Each field's description from the ``Attributes:`` section of a class's docstring
    (the parameter reference), so the example file says what the reference says.

    Example:
        >>> _field_docs(_SECTIONS["needs"])["observability"][:42]
        'weekly probability that an intent signal o'
    """
    docs: dict[str, str] = {}
    text = inspect.getdoc(cls) or ""
    if "Attributes:" not in text:
        return docs
    name = None
    for line in text.split("Attributes:", 1)[1].splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            break  # the next section of the docstring
        stripped = line.strip()
        head, _, rest = stripped.partition(":")
        if line.startswith("    ") and not line.startswith("        ") and head.isidentifier():
            name = head
            docs[name] = rest.strip()
        elif name is not None:
            docs[name] += " " + stripped
    return docs
