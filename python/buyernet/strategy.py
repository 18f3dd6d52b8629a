"""Marketing strategies and media plans: budget, targeting, creative, timing and the
brand/demand split; a :class:`MediaPlan` runs several named campaigns for one brand.

A budget is money per period (in the unit of ``customers.deal_value``): each period the
campaign pays its creative (and intent data, when triggered by intent), and the rest buys
impressions at the price of its audience then (:class:`buyernet.Media`). A budget in
impressions is spelled ``unit="impressions"``.

Both views of B2B marketing are settings of the same :class:`Strategy`:
:meth:`Strategy.planetary` (precision: narrow, personalized, intent-triggered, demand-heavy)
and :meth:`Strategy.quantum` (probabilistic: broad, universal and shareable, always on,
brand and demand together). Neither is favoured by the engine; the market decides.

Example:
    >>> import buyernet
    >>> s = buyernet.Strategy.quantum(budget=2_000)
    >>> s.targeting.kind, s.timing.kind, s.brand_share, s.unit
    ('broad', 'always_on', 0.6, 'money')
    >>> s.replace(brand_share=0.3).brand_share
    0.3
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Union, cast

import numpy as np
import numpy.typing as npt

from buyernet import _core, checks
from buyernet.exceptions import ParameterError

__all__ = [
    "FUNCTIONS",
    "AlwaysOn",
    "Broad",
    "Creative",
    "Flighted",
    "MediaPlan",
    "Narrow",
    "Scored",
    "Seeding",
    "Strategy",
    "Targeting",
    "Timing",
    "Triggered",
    "Weights",
]

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


#: The engine's creative presets (universal, the default, and personalized): their values are
#: declared once, in the engine.
_PRESETS: dict[str, dict[str, Any]] = _core.defaults()


def _function(f: object) -> int:
    if isinstance(f, str):
        if f not in FUNCTIONS:
            raise ParameterError(f"unknown function {f!r}; functions: {', '.join(FUNCTIONS)}")
        return FUNCTIONS.index(f)
    return checks.integer(f, "functions", 0, 255)


def _plain_scalars(obj: Any) -> None:
    """Sets ``obj``'s number and bool fields to plain Python values (numpy scalars are
    welcome; a bool is not a number, and only a bool is a bool): the engine reads plain ones.
    """
    for f in dataclasses.fields(obj):
        if str(f.type) in ("float", "int", "bool"):
            value = checks.plain(getattr(obj, f.name), str(f.type), f.name)
            object.__setattr__(obj, f.name, value)


def _engine_check(obj: Any, part: str) -> None:
    """The engine's check of ``obj`` (a kind or a creative) as schema part ``part``; a
    negative whole number is named with the engine's allowed range (see
    :func:`buyernet.checks.into_width`).
    """
    changed = checks.into_width(obj, widths=_WIDTHS)
    checks.as_given(lambda: _core.check(part, obj.to_dict()), changed)


# The engine reads these whole numbers in fewer than 32 bits.
_WIDTHS = {"min_level": 255}


class _Kinds:
    """A family of tagged kinds (:class:`Targeting`, :class:`Timing`): each kind is a frozen
    dataclass with only its own fields, written as ``{"kind": ..., its own fields}`` (the
    engine's tagged schema). Reading also accepts the flat form older scenario files have,
    with every kind's fields: the other kinds' are checked and left out.
    """

    #: The kind's tag, as in ``to_dict()["kind"]``.
    kind: ClassVar[str]
    _family: ClassVar[str]
    _kinds: ClassVar[dict[str, type[Any]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in vars(cls):
            cls._kinds[cls.kind] = cls

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Only reached for the family itself: every kind is a dataclass with its own.
        family = type(self).__name__
        kinds = ", ".join(f"{family}.{name}()" for name in _CONSTRUCTORS[family])
        raise TypeError(f"{family} is a family of kinds; build one with {kinds}")

    @classmethod
    def _layout(cls) -> dict[str, Any]:
        """Every kind's fields in the flat form's order, with their defaults."""
        out: dict[str, Any] = {}
        for kind in cls._kinds.values():
            for f in dataclasses.fields(kind):
                out.setdefault(f.name, f.default)
        return out

    def to_dict(self) -> dict[str, Any]:
        """``kind`` and this kind's own fields, as the engine and scenario files read them
        (lists for sequences and arrays).
        """
        out: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(cast(Any, self)):
            value = getattr(self, f.name)
            if isinstance(value, _Kinds):
                value = value.to_dict()
            if isinstance(value, np.ndarray):
                value = value.tolist()
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def _from_flat(cls, data: Mapping[str, Any]) -> Any:
        values = dict(data)
        layout = cls._layout()
        _refuse_unknown(cls._family, values, {"kind", *layout})
        kind = values.pop("kind", next(iter(cls._kinds)))
        if not isinstance(kind, str) or kind not in cls._kinds:
            *first, last = cls._kinds
            raise ParameterError(
                f"{cls._family} kind must be {', '.join(first)} or {last}; got {kind!r}"
            )
        chosen = None
        for name, kind_class in cls._kinds.items():
            given = {
                f.name: values[f.name] for f in dataclasses.fields(kind_class) if f.name in values
            }
            if name == kind:
                chosen = kind_class(**given)
            elif given:
                # Another kind's fields are checked as always, then left out: the engine
                # reads only the fields of the kind it runs.
                kind_class(**given)
        return chosen


def _refuse_unknown(section: str, values: Mapping[str, Any], known: set[str]) -> None:
    unknown = sorted(set(values) - known)
    if unknown:
        raise ParameterError(
            f"unknown field {section}.{unknown[0]}; {section} has: {', '.join(sorted(known))}"
        )


class Targeting(_Kinds):
    """Who may be shown a brand's ads: one of the kinds :class:`Broad`, :class:`Narrow`,
    :class:`Scored`, :class:`Weights` or :class:`Seeding`, built with the constructors below.

    Every kind has ``kind`` (``"broad"``, ``"narrow"``, ``"scored"``, ``"weights"`` or
    ``"seeding"``) and
    only its own fields; :meth:`to_dict` writes the kind and those fields, and
    :meth:`from_dict` reads that or the older flat form of scenario files.

    Example:
        >>> Targeting.narrow(functions=("it", "executive"), min_level=3).functions
        (2, 7)
        >>> isinstance(Targeting.broad(), Targeting), Targeting.broad().kind
        (True, 'broad')
    """

    _family = "targeting"
    _kinds: ClassVar[dict[str, type[Any]]] = {}

    @classmethod
    def broad(cls, min_influence: float = 0.0) -> Broad:
        """Everyone with a chance of ever sitting on a buying committee in the category.

        Example:
            >>> Targeting.broad().kind
            'broad'
        """
        return Broad(min_influence=min_influence)

    @classmethod
    def narrow(
        cls,
        functions: tuple[str | int, ...] | list[str | int] = (),
        min_level: int = 0,
        accounts: tuple[int, ...] | list[int] | npt.ArrayLike = (),
    ) -> Narrow:
        """People in some functions (names from :data:`FUNCTIONS`, or indices), at or above
        a seniority level, and/or at a list of target accounts. Re-evaluated as people
        change jobs: the list follows roles, not names.

        Example:
            >>> Targeting.narrow(accounts=[3, 5]).accounts
            (3, 5)
        """
        # Whole numbers only (3.0 from a float column is 3): 1.5 or True is not an account
        # id, and int() would have truncated them.
        ids = tuple(
            int(a) if isinstance(a, float) and a.is_integer() else a
            for a in np.asarray(accounts).reshape(-1).tolist()
        )
        codes = tuple(_function(f) for f in functions)
        return Narrow(functions=codes, min_level=min_level, accounts=ids)

    @classmethod
    def scored(cls, top_share: float, by: str = "accounts") -> Scored:
        """The top share of accounts by value (sale value at their size), or with
        ``by="people"`` the top share of people by influence x their account's value.

        Example:
            >>> Targeting.scored(0.05, by="people").people
            True
        """
        if by not in ("accounts", "people"):
            raise ParameterError(f"by must be 'accounts' or 'people'; got {by!r}")
        return Scored(top_share=top_share, people=by == "people")

    @classmethod
    def from_weights(cls, weights: npt.ArrayLike) -> Weights:
        """Impressions in proportion to a weight per person (index = person).

        Example:
            >>> Targeting.from_weights([0.0, 1.0, 3.0]).kind
            'weights'
        """
        return Weights(weights=np.asarray(checks.numbers(weights, "weights"), dtype=np.float64))

    @classmethod
    def seeding(
        cls, size: int = 1_000, within: Targeting | None = None, every: int = 13
    ) -> Seeding:
        """Influencer seeding: the ``size`` people within the audience of ``within``
        (default broad) whose shares would spread the creative furthest through the
        professional network, re-chosen every ``every`` weeks as people change jobs.

        Example:
            >>> Targeting.seeding(500, within=Targeting.narrow(min_level=2)).within.kind
            'narrow'
        """
        return Seeding(size=size, within=Broad() if within is None else within, every=every)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Targeting:
        """A targeting from :meth:`to_dict`'s form or the older flat one (``kind`` defaults to
        broad).

        Fields of other kinds than ``kind`` are checked and left out: the engine never
        read them.

        Example:
            >>> Targeting.from_dict({"kind": "scored", "top_share": 0.2})
            Scored(top_share=0.2, people=False)
        """
        targeting: Targeting = cls._from_flat(data)
        return targeting


@dataclass(frozen=True)
class Broad(Targeting):
    """Broad targeting: everyone whose influence (function relevance x seniority weight,
    as committees draw members) is above ``min_influence``; 0 targets everyone who could
    ever sit on a committee.

    Example:
        >>> Broad(min_influence=0.5).to_dict()["min_influence"]
        0.5
    """

    kind: ClassVar[str] = "broad"
    min_influence: float = 0.0

    def __post_init__(self) -> None:
        _plain_scalars(self)
        checks.real(self.min_influence, "min_influence")
        _engine_check(self, "targeting")


@dataclass(frozen=True)
class Narrow(Targeting):
    """Narrow targeting by role and account list.

    Attributes:
        functions: function indices targeted (empty: all); names are accepted and stored
            as indices.
        min_level: lowest seniority level targeted (0 = junior .. 4 = top).
        accounts: company ids of an account-based list (empty: any company).

    Example:
        >>> Narrow(functions=("it",), min_level=2).functions
        (2,)
    """

    kind: ClassVar[str] = "narrow"
    functions: tuple[int, ...] = ()
    min_level: int = 0
    accounts: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        _plain_scalars(self)
        object.__setattr__(self, "functions", tuple(_function(f) for f in self.functions))
        # Types and the engine's integer widths here; the engine checks the ranges.
        object.__setattr__(
            self,
            "accounts",
            tuple(checks.integer(a, "accounts", 0, 2**32 - 1) for a in self.accounts),
        )
        _engine_check(self, "targeting")


@dataclass(frozen=True)
class Scored(Targeting):
    """The top ``top_share`` of accounts by value, everyone there; or with ``people`` the
    top share of people by influence x their account's value.

    Example:
        >>> Scored(top_share=0.3).people
        False
    """

    kind: ClassVar[str] = "scored"
    top_share: float = 0.1
    people: bool = False

    def __post_init__(self) -> None:
        _plain_scalars(self)
        checks.real(self.top_share, "top_share")
        _engine_check(self, "targeting")


@dataclass(frozen=True, eq=False)
class Weights(Targeting):
    """Impressions in proportion to one non-negative weight per person (a read-only copy).

    Example:
        >>> Weights(weights=[1.0, 2.0]) == Targeting.from_weights([1.0, 2.0])
        True
    """

    kind: ClassVar[str] = "weights"
    weights: npt.NDArray[np.float64] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.weights is None:
            raise ParameterError("weights targeting needs weights, one per person")
        w = np.array(checks.numbers(self.weights, "weights"), dtype=np.float64)
        if w.ndim != 1:
            raise ParameterError(f"weights must be one-dimensional; got shape {w.shape}")
        # Checked in bulk here, as the engine checks them again before a run: one weight per
        # person is too many to send across for a check at every construction.
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ParameterError("weights must be finite and >= 0")
        w.setflags(write=False)
        object.__setattr__(self, "weights", w)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Weights):
            return NotImplemented
        if self.weights is None or other.weights is None:  # only while being built
            return self.weights is other.weights
        return bool(np.array_equal(self.weights, other.weights))

    def __hash__(self) -> int:
        # Equal arrays have equal lengths; hashing the values would cost O(people).
        return hash((self.kind, 0 if self.weights is None else len(self.weights)))


@dataclass(frozen=True)
class Seeding(Targeting):
    """Influencer seeding: aim the campaign at the people whose shares would spread its
    creative furthest through the professional network.

    The engine chooses ``size`` people within the audience of ``within`` by influence
    maximization on the network (OPIM-C, as :func:`~buyernet.select_seeds` with
    ``method="opim-c"`` and ``epsilon=0.1``), with each tie passing the creative on with
    probability ``market.advertising.pass_rate`` x the creative's shareability x the tie's
    weight: the same law shared creative spreads by. They are chosen in the campaign's first
    week and again every ``every`` weeks; ties persist as people change jobs, but a seed who
    leaves ``within`` is dropped at once and new people join only at the next choice. The
    audience is small, so its CPM is high and the frequency cap limits what it can absorb.

    Attributes:
        within: the audience the seeds are chosen from (broad, narrow or scored).
        size: the number of seeds, 1 to 1,000,000 (fewer if ``within`` holds fewer people).
        every: weeks between choices, 1 to 520.

    Example:
        >>> Seeding(size=200).to_dict()["within"]
        {'kind': 'broad', 'min_influence': 0.0}
    """

    kind: ClassVar[str] = "seeding"
    within: Targeting = field(default_factory=lambda: Broad())
    size: int = 1_000
    every: int = 13

    def __post_init__(self) -> None:
        _plain_scalars(self)
        base: object = self.within
        if isinstance(base, Mapping):
            try:
                base = Targeting.from_dict(base)
            except ParameterError as err:
                raise within(err, "within") from None
        if not isinstance(base, Targeting):
            raise ParameterError(
                f"within must be a Targeting (broad, narrow or scored); got {type(base).__name__}"
            )
        object.__setattr__(self, "within", base)
        _engine_check(self, "targeting")


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

    resonance: float = _PRESETS["universal"]["resonance"]
    taste_dependence: float = _PRESETS["universal"]["taste_dependence"]
    shareability: float = _PRESETS["universal"]["shareability"]
    tailored: bool = _PRESETS["universal"]["tailored"]
    accuracy: float = _PRESETS["universal"]["accuracy"]
    aim: float = _PRESETS["universal"]["aim"]

    def __post_init__(self) -> None:
        _plain_scalars(self)
        for name in ("resonance", "taste_dependence", "shareability", "accuracy", "aim"):
            checks.real(getattr(self, name), name)
        if not isinstance(self.tailored, bool):
            raise TypeError(f"tailored must be a bool; got {type(self.tailored).__name__}")
        _engine_check(self, "creative")

    @classmethod
    def personalized(cls, accuracy: float = 0.6) -> Creative:
        """Tailored to each person's guessed taste: strong when the guess is right, poor
        otherwise and on anyone it is shared with; barely shareable.

        Example:
            >>> Creative.personalized(accuracy=0.9).accuracy
            0.9
        """
        return cls(**{**_PRESETS["personalized"], "accuracy": accuracy})

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


class Timing(_Kinds):
    """When the budget is spent: one of the kinds :class:`AlwaysOn`, :class:`Flighted` or
    :class:`Triggered`, built with the constructors below.

    Every kind has ``kind`` (``"always_on"``, ``"flighted"`` or ``"triggered"``) and only
    its own fields; :meth:`to_dict` writes the kind and its own fields, and
    :meth:`from_dict` reads that or the older flat form with every kind's fields.

    Example:
        >>> Timing.flighted(on=4, off=8).kind
        'flighted'
    """

    _family = "timing"
    _kinds: ClassVar[dict[str, type[Any]]] = {}

    @classmethod
    def always_on(cls) -> AlwaysOn:
        """Every period.

        Example:
            >>> Timing.always_on().kind
            'always_on'
        """
        return AlwaysOn()

    @classmethod
    def flighted(cls, on: int, off: int) -> Flighted:
        """Bursts of ``on`` periods, then ``off`` dark ones; same total budget as always on.

        Example:
            >>> Timing.flighted(2, 6).off
            6
        """
        return Flighted(on=on, off=off)

    @classmethod
    def triggered(cls, window: int = 4) -> Triggered:
        """Only at accounts with an intent signal in the last ``window`` periods; periods
        without signals leave the budget unspent. Sees signals only, never true needs.

        Example:
            >>> Timing.triggered(window=2).window
            2
        """
        return Triggered(window=window)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Timing:
        """A timing from :meth:`to_dict`'s form or the older flat one (``kind`` defaults to
        always on).

        Fields of other kinds than ``kind`` are checked and left out: the engine never
        read them.

        Example:
            >>> Timing.from_dict({"kind": "flighted", "on": 2, "off": 6, "window": 4})
            Flighted(on=2, off=6)
        """
        timing: Timing = cls._from_flat(data)
        return timing


@dataclass(frozen=True)
class AlwaysOn(Timing):
    """The same budget every period.

    Example:
        >>> AlwaysOn().to_dict()
        {'kind': 'always_on'}
    """

    kind: ClassVar[str] = "always_on"


@dataclass(frozen=True)
class Flighted(Timing):
    """Bursts of ``on`` periods (the dark periods' budget is spent in them), then ``off``
    dark periods.

    Example:
        >>> Flighted(on=3, off=1).on
        3
    """

    kind: ClassVar[str] = "flighted"
    on: int = 4
    off: int = 4

    def __post_init__(self) -> None:
        _plain_scalars(self)
        _engine_check(self, "timing")


@dataclass(frozen=True)
class Triggered(Timing):
    """Spend at accounts with an intent signal in the last ``window`` periods.

    Example:
        >>> Triggered().window
        4
    """

    kind: ClassVar[str] = "triggered"
    window: int = 4

    def __post_init__(self) -> None:
        _plain_scalars(self)
        _engine_check(self, "timing")


def within(err: ParameterError, name: str) -> ParameterError:
    """The same error for a parameter inside ``name``: its message and ``path`` say so.

    Example:
        >>> err = ParameterError("top_share must be in (0, 1]; got 3")
        >>> err.path = ("top_share",)
        >>> e = within(err, "targeting")
        >>> str(e), e.path
        ('targeting.top_share must be in (0, 1]; got 3', ('targeting', 'top_share'))
    """
    path = getattr(err, "path", None)
    out = ParameterError(f"{name}.{err}" if path else str(err))
    out.path = (name, *path) if path else ()  # type: ignore[attr-defined]
    return out


# The constructors named when someone calls a family itself.
_CONSTRUCTORS = {
    "Targeting": ("broad", "narrow", "scored", "from_weights", "seeding"),
    "Timing": ("always_on", "flighted", "triggered"),
}


@dataclass(frozen=True)
class Strategy:
    """A brand's marketing strategy (one campaign; see :class:`MediaPlan` for several).

    Attributes:
        budget: money per period (on average over a flight), in the unit of
            ``customers.deal_value``: creative (and intent data for triggered timing) is paid
            first, the rest buys impressions at the CPM of the audience at the time
            (:class:`buyernet.Media`); with ``unit="impressions"``, impressions per period
            (creative and data are then paid on top). Need not be an integer: what buys
            less than one impression carries over.
        targeting: who may be shown the ads.
        creative: how the ads land and spread.
        timing: when the budget is spent.
        brand_share: share of impressions that are brand advertising (builds memory that
            fades slowly); the rest is demand (activates the open need at the company of
            the person reached, for members who know the brand).
        unit: ``"money"`` (default) or ``"impressions"``: what ``budget`` counts.

    Example:
        >>> Strategy(1_000, timing=Timing.flighted(4, 4)).timing.on
        4
        >>> Strategy(5_000, unit="impressions").unit
        'impressions'
    """

    budget: float
    targeting: Targeting = field(default_factory=Targeting.broad)
    creative: Creative = field(default_factory=Creative.universal)
    timing: Timing = field(default_factory=Timing.always_on)
    brand_share: float = 0.5
    unit: str = "money"

    def __post_init__(self) -> None:
        checks.real(self.budget, "budget")
        checks.real(self.brand_share, "brand_share")
        for name, cls in (("targeting", Targeting), ("creative", Creative), ("timing", Timing)):
            if not isinstance(getattr(self, name), cls):
                raise TypeError(f"{name} must be a buyernet.{cls.__name__}")
        # The parts checked themselves. Weights (checked in bulk by Weights, their length is
        # the market's) stand in empty rather than be copied into a list of every person's.
        weights = isinstance(self.targeting, Weights)
        _core.check("strategy", self._dict({"kind": "weights", "weights": []} if weights else None))

    @classmethod
    def planetary(cls, budget: float, unit: str = "money") -> Strategy:
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
            unit=unit,
        )

    @classmethod
    def quantum(cls, budget: float, unit: str = "money") -> Strategy:
        """Probabilistic marketing: everyone who could ever buy, universal shareable
        creative, always on, brand and demand together, 60:40. That is Binet and Field's
        split for consumer brands (The Long and the Short of It, IPA 2013); for B2B they
        report 46:54 (The 5 Principles of Growth in B2B Marketing, B2B Institute 2019):
        ``Strategy.quantum(b).replace(brand_share=0.46)`` is the B2B figure.

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
            unit=unit,
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

        def creative(values: dict[str, Any]) -> Creative:
            _refuse_unknown("creative", values, {f.name for f in dataclasses.fields(Creative)})
            return Creative(**values)

        readers = {
            "targeting": Targeting.from_dict,
            "creative": creative,
            "timing": Timing.from_dict,
        }
        for name, read in readers.items():
            if name in data:
                value = data.pop(name)
                if not isinstance(value, Mapping):
                    example = '{kind = "broad"}' if name != "creative" else "{resonance = 0.6}"
                    raise TypeError(
                        f"{name} must be a table of its fields, e.g. {example}; "
                        f"got {type(value).__name__} {value!r}"
                    )
                try:
                    parts[name] = read(dict(value))
                except ParameterError as err:
                    raise within(err, name) from None
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ParameterError(
                f"unknown strategy field {unknown[0]!r}; fields: {', '.join(sorted(known))}"
            )
        return cls(**data, **parts)

    def to_dict(self) -> dict[str, Any]:
        """The strategy as nested dicts, as the engine and scenario files read it."""
        return self._dict()

    def _dict(self, targeting: dict[str, Any] | None = None) -> dict[str, Any]:
        return {
            "budget": float(self.budget),
            "brand_share": float(self.brand_share),
            "targeting": self.targeting.to_dict() if targeting is None else targeting,
            "creative": self.creative.to_dict(),
            "timing": self.timing.to_dict(),
            "unit": self.unit,
        }


@dataclass(frozen=True)
class MediaPlan:
    """A brand's media plan: several named campaigns (channels) running at once, each a
    :class:`Strategy` with its own budget, targeting, creative, timing and brand/demand
    split. A single :class:`Strategy` is a one-campaign plan wherever a plan is accepted.

    Attributes:
        campaigns: ``(name, strategy)`` pairs in order (built from a mapping or pairs);
            names are unique.

    Example:
        >>> plan = MediaPlan.brand_and_demand(1_000)
        >>> plan.names, plan.budget
        (('brand', 'abm'), 1000.0)
        >>> MediaPlan([("a", Strategy(100)), ("a", Strategy(200))])
        Traceback (most recent call last):
        ...
        buyernet.exceptions.ParameterError: campaigns['a']: a second campaign of that name
    """

    campaigns: Any

    def __post_init__(self) -> None:
        given = self.campaigns
        pairs = list(given.items()) if isinstance(given, Mapping) else list(given)
        seen: set[str] = set()
        out = []
        for pair in pairs:
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise TypeError("campaigns must map names to buyernet.Strategy (or be pairs)")
            name, strategy = pair
            if not isinstance(name, str) or not name:
                raise ParameterError(f"campaign names must be non-empty strings; got {name!r}")
            if name in seen:
                raise ParameterError(f"campaigns[{name!r}]: a second campaign of that name")
            if not isinstance(strategy, Strategy):
                raise TypeError(f"campaigns[{name!r}] must be a buyernet.Strategy")
            seen.add(name)
            out.append((name, strategy))
        if not out:
            raise ParameterError("a media plan needs at least one campaign")
        object.__setattr__(self, "campaigns", tuple(out))

    @property
    def names(self) -> tuple[str, ...]:
        """The campaigns' names, in order."""
        return tuple(name for name, _ in self.campaigns)

    @property
    def budget(self) -> float:
        """The plan's money per period: the sum of its campaigns' money budgets
        (campaigns budgeted in impressions are left out).
        """
        return float(sum(s.budget for _, s in self.campaigns if s.unit == "money"))

    def scaled(self, budget: float) -> MediaPlan:
        """The same plan at a total money ``budget`` per period, each campaign keeping its
        share of the money (impression budgets stay as they are).

        Example:
            >>> MediaPlan.brand_and_demand(1_000).scaled(500).budget
            500.0
        """
        total = self.budget
        if total <= 0:
            raise ParameterError("a plan with no money budget cannot be scaled to a budget")
        factor = checks.real(budget, "budget") / total
        return MediaPlan(
            [
                (n, s.replace(budget=s.budget * factor) if s.unit == "money" else s)
                for n, s in self.campaigns
            ]
        )

    @classmethod
    def of(cls, strategy: Strategy | MediaPlan, name: str = "main") -> MediaPlan:
        """A plan from a strategy (one campaign called ``name``) or a plan.

        Example:
            >>> MediaPlan.of(Strategy.quantum(300)).names
            ('main',)
        """
        if isinstance(strategy, MediaPlan):
            return strategy
        if not isinstance(strategy, Strategy):
            raise TypeError(
                f"a plan is a buyernet.Strategy or MediaPlan; got {type(strategy).__name__}"
            )
        return cls([(name, strategy)])

    @classmethod
    def brand_and_demand(cls, budget: float, brand_share: float = 0.6) -> MediaPlan:
        """Brand and demand together, as marketers run them: an always-on broad brand
        campaign with universal shareable creative (``brand``, ``brand_share`` of the money)
        and an intent-triggered account-based demand campaign with personalized creative
        (``abm``, the rest).

        Example:
            >>> MediaPlan.brand_and_demand(2_000).campaigns[1][1].timing.kind
            'triggered'
        """
        if checks.real(budget, "budget") < 0:
            raise ParameterError(f"budget must be at least 0; got {budget}")
        checks.unit(brand_share, "brand_share")
        brand = Strategy.quantum(budget * brand_share).replace(brand_share=1.0)
        abm = Strategy.planetary(budget * (1 - brand_share)).replace(
            targeting=Targeting.scored(0.05, by="people"), brand_share=0.0
        )
        return cls([("brand", brand), ("abm", abm)])

    def to_list(self) -> list[dict[str, Any]]:
        """Each campaign's strategy dict with its ``name``, as the engine reads a plan."""
        return [{"name": name, **s.to_dict()} for name, s in self.campaigns]

    def to_dict(self) -> dict[str, Any]:
        """``{"campaigns": {name: strategy dict}}``, as scenario files write a plan."""
        return {"campaigns": {name: s.to_dict() for name, s in self.campaigns}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MediaPlan:
        """A plan from :meth:`to_dict`'s form; errors name the campaign.

        Example:
            >>> p = MediaPlan.brand_and_demand(900)
            >>> MediaPlan.from_dict(p.to_dict()) == p
            True
        """
        _refuse_unknown("plan", data, {"campaigns"})
        campaigns = data.get("campaigns")
        if not isinstance(campaigns, Mapping) or not campaigns:
            raise ParameterError("plan.campaigns must be a table of named campaigns")
        pairs = []
        for name, spec in campaigns.items():
            if not isinstance(spec, Mapping):
                raise ParameterError(f"campaigns.{name} must be a table of strategy fields")
            try:
                pairs.append((name, Strategy.from_dict(spec)))
            except ParameterError as err:
                raise within(err, f"campaigns.{name}") from None
        return cls(pairs)


#: What a brand runs: one strategy (a one-campaign plan) or a media plan.
Plan = Union[Strategy, MediaPlan]


def plan_from_dict(data: Mapping[str, Any]) -> Plan:
    """A strategy, or a media plan (a dict with ``campaigns``), from its ``to_dict()``.

    Example:
        >>> plan_from_dict(Strategy.quantum(100).to_dict()).budget
        100.0
    """
    if "campaigns" in data:
        return MediaPlan.from_dict(data)
    return Strategy.from_dict(data)


def plan_list(plan: Plan) -> list[dict[str, Any]]:
    """A brand's campaigns as the engine reads them; a lone strategy is one unnamed
    campaign (its errors then name the brand's strategy, not a campaign).

    Example:
        >>> [c["name"] for c in plan_list(MediaPlan.brand_and_demand(1_000))]
        ['brand', 'abm']
    """
    if isinstance(plan, Strategy):
        return [plan.to_dict()]
    return plan.to_list()
