"""Marketing strategies: budget, targeting, creative, timing and the brand/demand split.

Both views of B2B marketing are settings of the same :class:`Strategy`:
:meth:`Strategy.planetary` (precision: narrow, personalized, intent-triggered, demand-heavy)
and :meth:`Strategy.quantum` (probabilistic: broad, universal and shareable, always on,
brand and demand together). Neither is favoured by the engine; the market decides.

Example:
    >>> import buyernet
    >>> s = buyernet.Strategy.quantum(budget=2_000)
    >>> s.targeting.kind, s.timing.kind, s.brand_share
    ('broad', 'always_on', 0.6)
    >>> s.replace(brand_share=0.3).brand_share
    0.3
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from buyernet import checks
from buyernet.exceptions import ParameterError

__all__ = ["FUNCTIONS", "Creative", "Strategy", "Targeting", "Timing"]

#: Names of the default market's functions, in the order of ``Population.function_shares``.
FUNCTIONS: tuple[str, ...] = (
    "sales",
    "marketing",
    "it",
    "finance",
    "operations",
    "hr",
    "product",
    "executive",
)


def _function(f: object) -> int:
    if isinstance(f, str):
        if f not in FUNCTIONS:
            raise ParameterError(f"unknown function {f!r}; functions: {', '.join(FUNCTIONS)}")
        return FUNCTIONS.index(f)
    return checks.integer(f, "functions", 0, 255)


@dataclass(frozen=True, eq=False)
class Targeting:
    """Who may be shown a brand's ads. Build one with the constructors below.

    Attributes:
        kind: ``"broad"``, ``"narrow"``, ``"scored"`` or ``"weights"``.
        min_influence: broad: the least influence (function relevance x seniority weight,
            as committees draw members) of anyone targeted; 0 targets everyone who could
            ever sit on a committee.
        functions: narrow: function indices targeted (empty: all).
        min_level: narrow: lowest seniority level targeted (0 = junior .. 4 = top).
        accounts: narrow: company ids of an account-based list (empty: any company).
        top_share: scored: share of accounts (or people) targeted, best first.
        people: scored: score people (influence x account value), not accounts.
        weights: weights: one non-negative weight per person.

    Example:
        >>> Targeting.narrow(functions=("it", "executive"), min_level=3).functions
        (2, 7)
    """

    kind: str = "broad"
    min_influence: float = 0.0
    functions: tuple[int, ...] = ()
    min_level: int = 0
    accounts: tuple[int, ...] = ()
    top_share: float = 0.1
    people: bool = False
    weights: npt.NDArray[np.float64] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in ("broad", "narrow", "scored", "weights"):
            raise ParameterError(
                f"targeting kind must be broad, narrow, scored or weights; got {self.kind!r}"
            )
        x = checks.real(self.min_influence, "min_influence")
        if not (math.isfinite(x) and x >= 0):
            raise ParameterError(f"min_influence must be >= 0 and finite; got {x}")
        object.__setattr__(self, "functions", tuple(_function(f) for f in self.functions))
        checks.integer(self.min_level, "min_level", 0, 4)
        object.__setattr__(
            self,
            "accounts",
            tuple(checks.integer(a, "accounts", 0, 2**32 - 1) for a in self.accounts),
        )
        share = checks.real(self.top_share, "top_share")
        if not 0.0 < share <= 1.0:
            raise ParameterError(f"top_share must be in (0, 1]; got {share}")
        if self.kind == "weights":
            if self.weights is None:
                raise ParameterError("weights targeting needs weights, one per person")
            w = np.array(self.weights, dtype=np.float64)
            if w.ndim != 1:
                raise ParameterError(f"weights must be one-dimensional; got shape {w.shape}")
            if not np.all(np.isfinite(w)) or np.any(w < 0):
                raise ParameterError("weights must be finite and >= 0")
            w.setflags(write=False)
            object.__setattr__(self, "weights", w)

    @classmethod
    def broad(cls, min_influence: float = 0.0) -> Targeting:
        """Everyone with a chance of ever sitting on a buying committee in the category.

        Example:
            >>> Targeting.broad().kind
            'broad'
        """
        return cls(kind="broad", min_influence=min_influence)

    @classmethod
    def narrow(
        cls,
        functions: tuple[str | int, ...] | list[str | int] = (),
        min_level: int = 0,
        accounts: tuple[int, ...] | list[int] | npt.ArrayLike = (),
    ) -> Targeting:
        """People in some functions (names from :data:`FUNCTIONS`, or indices), at or above
        a seniority level, and/or at a list of target accounts. Re-evaluated as people
        change jobs: the list follows roles, not names.

        Example:
            >>> Targeting.narrow(accounts=[3, 5]).accounts
            (3, 5)
        """
        ids = tuple(int(a) for a in np.asarray(accounts).reshape(-1))
        codes = tuple(_function(f) for f in functions)
        return cls(kind="narrow", functions=codes, min_level=min_level, accounts=ids)

    @classmethod
    def scored(cls, top_share: float, by: str = "accounts") -> Targeting:
        """The top share of accounts by value (sale value at their size), or with
        ``by="people"`` the top share of people by influence x their account's value.

        Example:
            >>> Targeting.scored(0.05, by="people").people
            True
        """
        if by not in ("accounts", "people"):
            raise ParameterError(f"by must be 'accounts' or 'people'; got {by!r}")
        return cls(kind="scored", top_share=top_share, people=by == "people")

    @classmethod
    def from_weights(cls, weights: npt.ArrayLike) -> Targeting:
        """Impressions in proportion to a weight per person (index = person).

        Example:
            >>> Targeting.from_weights([0.0, 1.0, 3.0]).kind
            'weights'
        """
        return cls(kind="weights", weights=np.asarray(weights, dtype=np.float64))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Targeting):
            return NotImplemented
        same_weights = (self.weights is None and other.weights is None) or (
            self.weights is not None
            and other.weights is not None
            and np.array_equal(self.weights, other.weights)
        )
        return same_weights and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "weights")

    def to_dict(self) -> dict[str, Any]:
        """The fields the engine reads (weights as a float64 array)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["functions"], out["accounts"] = list(self.functions), list(self.accounts)
        if self.weights is None:
            del out["weights"]
        return out


@dataclass(frozen=True)
class Creative:
    """What the ads say and how well they land on each person.

    An impression lands with quality resonance x (1 - taste_dependence x mismatch), where
    mismatch grows with the distance between the person's latent taste and the taste the
    creative was made for (``market.advertising.taste_width``). Tailored creative aims at a
    guess of each person's taste, right with probability ``accuracy``; a shared copy was
    tailored to someone else. Shareability drives both sharing and passing on.

    Attributes:
        resonance: how strongly it works on someone it fits perfectly, in [0, 1].
        taste_dependence: how much landing depends on fitting the taste, in [0, 1].
        shareability: how readily people share it and ties pass it on, in [0, 1].
        tailored: personalized to each person's guessed taste.
        accuracy: probability that personalization guesses a taste right, in [0, 1].
        aim: the taste an untailored creative is made for, in [0, 1].

    Example:
        >>> Creative.personalized().tailored, Creative.universal().shareability
        (True, 0.6)
    """

    resonance: float = 0.6
    taste_dependence: float = 0.1
    shareability: float = 0.6
    tailored: bool = False
    accuracy: float = 0.0
    aim: float = 0.5

    def __post_init__(self) -> None:
        for name in ("resonance", "taste_dependence", "shareability", "accuracy", "aim"):
            checks.unit(getattr(self, name), name)
        if not isinstance(self.tailored, bool):
            raise TypeError(f"tailored must be a bool; got {type(self.tailored).__name__}")

    @classmethod
    def personalized(cls, accuracy: float = 0.6) -> Creative:
        """Tailored to each person's guessed taste: strong when the guess is right, poor
        otherwise and on anyone it is shared with; barely shareable.

        Example:
            >>> Creative.personalized(accuracy=0.9).accuracy
            0.9
        """
        return cls(
            resonance=0.8, taste_dependence=0.9, shareability=0.05, tailored=True, accuracy=accuracy
        )

    @classmethod
    def universal(cls) -> Creative:
        """Made to work for everyone and to be shared.

        Example:
            >>> Creative.universal().taste_dependence
            0.1
        """
        return cls()

    def to_dict(self) -> dict[str, Any]:
        """The fields the engine reads."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Timing:
    """When the budget is spent. Build one with the constructors below.

    Attributes:
        kind: ``"always_on"``, ``"flighted"`` or ``"triggered"``.
        on: flighted: periods of each burst (the dark periods' budget is spent in it).
        off: flighted: dark periods between bursts.
        window: triggered: periods an intent signal stays actionable.

    Example:
        >>> Timing.flighted(on=4, off=8).kind
        'flighted'
    """

    kind: str = "always_on"
    on: int = 4
    off: int = 4
    window: int = 4

    def __post_init__(self) -> None:
        if self.kind not in ("always_on", "flighted", "triggered"):
            raise ParameterError(
                f"timing kind must be always_on, flighted or triggered; got {self.kind!r}"
            )
        checks.integer(self.on, "on", 1, 520)
        checks.integer(self.off, "off", 0, 520)
        checks.integer(self.window, "window", 1, 520)

    @classmethod
    def always_on(cls) -> Timing:
        """Every period.

        Example:
            >>> Timing.always_on().kind
            'always_on'
        """
        return cls(kind="always_on")

    @classmethod
    def flighted(cls, on: int, off: int) -> Timing:
        """Bursts of ``on`` periods, then ``off`` dark ones; same total budget as always on.

        Example:
            >>> Timing.flighted(2, 6).off
            6
        """
        return cls(kind="flighted", on=on, off=off)

    @classmethod
    def triggered(cls, window: int = 4) -> Timing:
        """Only at accounts with an intent signal in the last ``window`` periods; periods
        without signals leave the budget unspent. Sees signals only, never true needs.

        Example:
            >>> Timing.triggered(window=2).window
            2
        """
        return cls(kind="triggered", window=window)

    def to_dict(self) -> dict[str, Any]:
        """The fields the engine reads."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Strategy:
    """A brand's marketing strategy.

    Attributes:
        budget: impressions per period (on average over a flight); need not be an integer.
        targeting: who may be shown the ads.
        creative: how the ads land and spread.
        timing: when the budget is spent.
        brand_share: share of impressions that are brand advertising (builds memory that
            fades slowly); the rest is demand (moves people on open committees, more so
            the better they remember the brand).

    Example:
        >>> Strategy(1_000, timing=Timing.flighted(4, 4)).timing.on
        4
    """

    budget: float
    targeting: Targeting = field(default_factory=Targeting.broad)
    creative: Creative = field(default_factory=Creative.universal)
    timing: Timing = field(default_factory=Timing.always_on)
    brand_share: float = 0.5

    def __post_init__(self) -> None:
        budget = checks.real(self.budget, "budget")
        if not 0 <= budget <= 1e8:
            raise ParameterError(f"budget must be in [0, 1e8] impressions per period; got {budget}")
        checks.unit(self.brand_share, "brand_share")
        for name, cls in (("targeting", Targeting), ("creative", Creative), ("timing", Timing)):
            if not isinstance(getattr(self, name), cls):
                raise TypeError(f"{name} must be a buyernet.{cls.__name__}")

    @classmethod
    def planetary(cls, budget: float) -> Strategy:
        """Precision marketing: senior people in the functions that decide (IT, finance,
        product, executive; manager level and up), personalized creative, spend only on
        accounts showing intent, mostly demand (80%).

        Example:
            >>> Strategy.planetary(500).timing.kind
            'triggered'
        """
        return cls(
            budget=budget,
            targeting=Targeting.narrow(
                functions=("it", "finance", "product", "executive"), min_level=2
            ),
            creative=Creative.personalized(),
            timing=Timing.triggered(window=4),
            brand_share=0.2,
        )

    @classmethod
    def quantum(cls, budget: float) -> Strategy:
        """Probabilistic marketing: everyone who could ever buy, universal shareable
        creative, always on, brand and demand together (60/40, the split Binet and Field
        report for B2B).

        Example:
            >>> Strategy.quantum(500).creative.shareability
            0.6
        """
        return cls(
            budget=budget,
            targeting=Targeting.broad(),
            creative=Creative.universal(),
            timing=Timing.always_on(),
            brand_share=0.6,
        )

    def replace(self, **changes: Any) -> Strategy:
        """A copy with some fields changed.

        Example:
            >>> Strategy.quantum(100).replace(budget=200).budget
            200
        """
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Strategy:
        """A strategy from the nested dicts of :meth:`to_dict` (unknown keys are errors).

        Example:
            >>> s = Strategy.planetary(300)
            >>> Strategy.from_dict(s.to_dict()) == s
            True
        """
        data = dict(data)
        parts: dict[str, Any] = {}
        for name, part in (("targeting", Targeting), ("creative", Creative), ("timing", Timing)):
            if name in data:
                values = dict(data.pop(name))
                known = {f.name for f in dataclasses.fields(part)}
                unknown = sorted(set(values) - known)
                if unknown:
                    raise ParameterError(
                        f"unknown field {name}.{unknown[0]}; {name} has: {', '.join(sorted(known))}"
                    )
                for key in ("functions", "accounts"):
                    if key in values:
                        values[key] = tuple(values[key])
                parts[name] = part(**values)
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ParameterError(
                f"unknown strategy field {unknown[0]!r}; fields: {', '.join(sorted(known))}"
            )
        return cls(**data, **parts)

    def to_dict(self) -> dict[str, Any]:
        """The strategy as nested dicts, as the engine and scenario files read it."""
        return {
            "budget": float(self.budget),
            "brand_share": float(self.brand_share),
            "targeting": self.targeting.to_dict(),
            "creative": self.creative.to_dict(),
            "timing": self.timing.to_dict(),
        }
