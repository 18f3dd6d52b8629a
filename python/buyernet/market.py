"""The market: people, companies, careers, needs, committees, brands and customers.

A :class:`Market` is a frozen, validated description of a B2B market. ``Market()`` is the
calibrated default (100k people, 5k companies, 4 brands): about 40% of people change
company, function or seniority within 4 years, and 5% of companies are in market at any
time. Users state calibration targets in the units they think in; the engine derives the
hazards. Every field is documented on its section's class below.

Example:
    >>> import buyernet
    >>> m = buyernet.Market()
    >>> m.needs.in_market_share
    0.05
    >>> small = m.replace(population={"people": 20_000, "companies": 1_000})
    >>> small.population.people
    20000
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from buyernet import _core, checks
from buyernet.exceptions import ParameterError
from buyernet.storage import read_toml, write_atomically

__all__ = [
    "Advertising",
    "Brands",
    "Careers",
    "Committees",
    "Customers",
    "Decisions",
    "Market",
    "Media",
    "Needs",
    "Network",
    "Population",
    "Referrals",
    "Start",
]


#: The engine's default market: every section's defaults are declared once, in the engine,
#: and the dataclasses below take theirs from it.
_ENGINE_DEFAULTS: dict[str, dict[str, Any]] = _core.defaults()["market"]


def _default(section: str, name: str) -> Any:
    """The engine's default of ``section.name``, sequences as tuples (the dataclasses are
    frozen and hashable).
    """
    value = _ENGINE_DEFAULTS[section][name]
    return tuple(value) if isinstance(value, list) else value


@dataclass(frozen=True)
class Population:
    """People and the companies they work for.

    Attributes:
        people: number of people.
        companies: number of companies (at most ``people``; each employs someone at first).
        industries: number of industries (at most ``companies``).
        function_shares: share of people in each function, summing to 1. Default order:
            sales, marketing, IT, finance, operations, HR, product/engineering, executive.
        level_shares: share of people at each of the 5 seniority levels, junior first (a
            pyramid; a modelling choice, not calibrated to a source).
        size_tail: Pareto tail index of company sizes (>= 0.2; smaller is more unequal).
            Firm sizes are Pareto-like with a tail index near 1 (Axtell, "Zipf Distribution
            of U.S. Firm Sizes", Science 2001); 1.2 with 20 people per company on average.

    Example:
        >>> Population().people  # the default; change it with Market().replace
        100000
        >>> Market().replace(population={"people": 100000}).population == Population()
        True
    """

    people: int = _default("population", "people")
    companies: int = _default("population", "companies")
    industries: int = _default("population", "industries")
    function_shares: tuple[float, ...] = _default("population", "function_shares")
    level_shares: tuple[float, ...] = _default("population", "level_shares")
    size_tail: float = _default("population", "size_tail")


@dataclass(frozen=True)
class Network:
    """The professional network: who knows whom, drawn once per replicate.

    Ties form with homophily and persist when people change jobs (that is how reach survives
    career moves). Pass your own :class:`~buyernet.Graph` to :func:`~buyernet.simulate`
    instead to use a real network.

    Attributes:
        mean_degree: mean number of ties per person (the realized mean is a little lower:
            duplicate ties are dropped).
        mix: share of ties of each kind: colleague, same industry, same function, random
            long-range; sums to 1.
        weights: tie strength of each kind in [0, 1], stored as the graph's edge weights.

    Example:
        >>> Network().mean_degree  # the default; change it with Market().replace
        20.0
        >>> Market().replace(network={"mean_degree": 20.0}).network == Network()
        True
    """

    mean_degree: float = _default("network", "mean_degree")
    mix: tuple[float, ...] = _default("network", "mix")
    weights: tuple[float, ...] = _default("network", "weights")


@dataclass(frozen=True)
class Careers:
    """Job moves, promotions and changes of function.

    Attributes:
        change_within_4_years: share of people whose company, function or seniority
            changes at least once within 208 weeks (LinkedIn member data: about 0.40). The
            engine derives the weekly hazards from it.
        level_hazard: career-event hazard of each seniority level relative to the others,
            junior first (juniors move more; a modelling choice, not calibrated).
        internal_promotion_share: share of career events that are promotions in place (a
            modelling choice, not calibrated).
        same_industry: probability that a move to another company stays in the industry
            (a modelling choice, not calibrated).
        promotion_on_move: probability that a move comes with a promotion (a modelling
            choice, not calibrated).
        function_change: probability that a move changes the person's function (LinkedIn,
            "Why & How People Change Jobs", 2015: about 1 in 3 company changers).
        mobility_shape: people differ in how often they move: each person's hazard is
            scaled by their own mobility, drawn once from a Gamma(shape, 1/shape)
            distribution (mean 1). Smaller: a few people move often and most rarely. 0.6
            puts the share whose persona changes within a year at 0.16 (Salesforce Research
            with LinkedIn data, 2017: 15-17%) with 0.40 within 4 years; with everyone alike
            (a very large shape) it would be 0.12. Tenure with the current employer starts
            from its stationary distribution and is recorded (``tenure_median_weeks``).

    Example:
        >>> Careers().change_within_4_years  # the default; change it with Market().replace
        0.4
        >>> Market().replace(careers={"change_within_4_years": 0.4}).careers == Careers()
        True
    """

    change_within_4_years: float = _default("careers", "change_within_4_years")
    level_hazard: tuple[float, ...] = _default("careers", "level_hazard")
    internal_promotion_share: float = _default("careers", "internal_promotion_share")
    same_industry: float = _default("careers", "same_industry")
    promotion_on_move: float = _default("careers", "promotion_on_move")
    function_change: float = _default("careers", "function_change")
    mobility_shape: float = _default("careers", "mobility_shape")


@dataclass(frozen=True)
class Needs:
    """Needs that arise at random and end by a decision or by being abandoned.

    Attributes:
        in_market_share: mean share of companies with an open need at any moment (the
            95-5 rule of Ehrenberg-Bass / the B2B Institute, Dawes 2021: 5% in market;
            more, about 10% with the default need length, enter or are in market within a
            quarter).
        mean_need_weeks: mean length of an open need in weeks. With 5% in market, 13 weeks
            puts each company in market about every 5 years (Dawes: companies change
            provider about every 5 years).
        abandon_share: share of needs abandoned or postponed before a decision (a modelling
            choice: what is measured is the no-decision share of needs that reach a
            decision, 0.40-0.60, Dixon & McKenna 2022, which the decisions set).
        observability: weekly probability that an intent signal observes an open need
            (most buying is dark: 0.05).
        false_signal_weekly: weekly probability that a dormant company gives a false signal.
        signal_lag_weeks: weeks before a signal can be acted on. Strategies act on the
            signals of earlier periods: with no lag, on last week's.
        headcount_elasticity: a dormant company's chance of a need grows as
            (headcount / mean headcount) ** headcount_elasticity (0: every company alike,
            1: in proportion to headcount), so deals come from the companies that buy in
            the category, not from the many small ones. 1 puts the mean buying group at a
            decision in the published range (6-10, Gartner; 5.4-6.8, CEB).
        need_stages: phases an open need goes through (the buying jobs: problem,
            exploration, requirements, selection), each of mean ``mean_need_weeks /
            need_stages`` weeks, so need length is Erlang-shaped: few needs end in their
            first weeks. 1: memoryless (geometric) need length. A phase lasts at least a
            week, so needs shorter than ``need_stages`` weeks use fewer phases.

    Example:
        >>> Needs().in_market_share  # the default; change it with Market().replace
        0.05
        >>> Market().replace(needs={"in_market_share": 0.05}).needs == Needs()
        True
    """

    in_market_share: float = _default("needs", "in_market_share")
    mean_need_weeks: float = _default("needs", "mean_need_weeks")
    abandon_share: float = _default("needs", "abandon_share")
    observability: float = _default("needs", "observability")
    false_signal_weekly: float = _default("needs", "false_signal_weekly")
    signal_lag_weeks: int = _default("needs", "signal_lag_weeks")
    headcount_elasticity: float = _default("needs", "headcount_elasticity")
    need_stages: int = _default("needs", "need_stages")


@dataclass(frozen=True)
class Committees:
    """Buying committees, formed when a need arises.

    Attributes:
        mean_size: mean committee size at a company of ``reference_employees``
            (buying-group surveys: 6-10 people, Gartner; 5.4-6.8, CEB).
        reference_employees: company size at which the mean size is ``mean_size``.
        size_elasticity: mean size grows as (employees / reference) ** size_elasticity.
        fixed_size: if set, every committee has exactly this many members.
        function_relevance: weight of each function when drawing members (one per function).
        level_weight: weight of each seniority level when drawing members, junior first.
        dropout_weekly: weekly probability that a member drops out; members join at the rate
            that keeps the committee's expected size (members come and go during a
            decision, Gartner; the rate is a modelling choice, not calibrated).
        most_influential: if true, members are the most influential employees (relevance
            x seniority) rather than a weighted draw: the obvious decision makers.

    Example:
        >>> Committees().mean_size  # the default; change it with Market().replace
        8.0
        >>> Market().replace(committees={"mean_size": 8.0}).committees == Committees()
        True
    """

    mean_size: float = _default("committees", "mean_size")
    reference_employees: float = _default("committees", "reference_employees")
    size_elasticity: float = _default("committees", "size_elasticity")
    fixed_size: int | None = _default("committees", "fixed_size")
    function_relevance: tuple[float, ...] = _default("committees", "function_relevance")
    level_weight: tuple[float, ...] = _default("committees", "level_weight")
    dropout_weekly: float = _default("committees", "dropout_weekly")
    most_influential: bool = _default("committees", "most_influential")


@dataclass(frozen=True)
class Brands:
    """The competing brands and what people remember of them (one entry per brand).

    Memory works at two speeds (Binet & Field, *The Long and the Short of It*, 2013): a fast
    ad-stock that fades in weeks on top of a slow long-term memory that fades over years.
    Without advertising, memory sits at its stationary level from the first week, so each
    brand's awareness persists for years.

    Attributes:
        awareness: share of people who know each brand from the category's ordinary life
            (its long-run awareness without advertising); also each brand's size, in
            proportion to which it holds customers at the start.
        baseline_memory: long-term memory of each brand in the people who know it: the level
            its market presence sustains (at or above ``know_memory``, they go on knowing it).
        memory_half_life_weeks: weeks for the ad-stock (what recent advertising added to
            memory) to halve (published advertising half-lives: 2-12 weeks). With the
            long-term memory, what a burst added halves in about 12 weeks at 7
            (``benches/fidelity.py``).
        long_term_half_life_weeks: weeks for what advertising added to long-term memory to
            halve (years).
        long_term_share: share of each lift of memory by advertising that goes to long-term
            memory (0.1 with half-lives of 7 and 156 weeks makes the long-term effect about
            twice the short-term one, as Binet & Field report).
        attitude_spread: spread of people's dispositions towards each brand around neutral,
            in [0, 1].
        attitude_half_life_weeks: weeks for what advertising and endorsements added to
            attitude to halve (attitude fades back to each person's disposition).
        activation_half_life_weeks: weeks for the demand activation of an open need (what
            demand advertising did to the buying company's opportunity) to halve; it lasts
            the buying cycle and ends with the need.
        know_memory: memory at or above which a person knows a brand (hourglass "know");
            people consider only brands they know, so demand advertising moves only them.
        like_attitude: attitude at or above which a person who knows a brand likes it
            ("like").
        trust_attitude: attitude at or above which a person who likes a brand trusts it even
            without a customer's endorsement ("trust").
        names: each brand's name, used to attach strategies and label results; empty
            (the default) names them ``us``, ``rival_1``, ``rival_2``, ...

    Example:
        >>> Brands().awareness  # the default; change it with Market().replace
        (0.45, 0.35, 0.25, 0.15)
        >>> Market().replace(brands={"awareness": (0.45, 0.35, 0.25, 0.15)}).brands == Brands()
        True
    """

    awareness: tuple[float, ...] = _default("brands", "awareness")
    baseline_memory: tuple[float, ...] = _default("brands", "baseline_memory")
    memory_half_life_weeks: float = _default("brands", "memory_half_life_weeks")
    long_term_half_life_weeks: float = _default("brands", "long_term_half_life_weeks")
    long_term_share: float = _default("brands", "long_term_share")
    attitude_spread: float = _default("brands", "attitude_spread")
    attitude_half_life_weeks: float = _default("brands", "attitude_half_life_weeks")
    activation_half_life_weeks: float = _default("brands", "activation_half_life_weeks")
    know_memory: float = _default("brands", "know_memory")
    like_attitude: float = _default("brands", "like_attitude")
    trust_attitude: float = _default("brands", "trust_attitude")
    names: tuple[str, ...] = _default("brands", "names")


@dataclass(frozen=True)
class Decisions:
    """How committee members weigh brands against "no decision".

    Attributes:
        memory_weight: weight of brand memory in a member's utility (mental availability
            drives choice, Romaniuk & Sharp; the weight is a modelling choice).
        memory_curvature: curvature of memory in a member's utility, in [0, 1]: the
            utility's memory term is ``((m + 0.01) ** c - 0.01 ** c) / c``, linear at 1 and
            ``ln(1 + m / 0.01)`` at 0, where a brand's odds of being chosen grow as
            ``(1 + m / 0.01) ** memory_weight`` (the attraction model of market-share
            analysis): the first exposures count most, so advertising has diminishing
            returns (Sethuraman, Tellis & Briesch 2011: a sales elasticity of advertising
            of ~0.1 in the short run, ~0.24 in the long run).
        attitude_weight: weight of attitude in a member's utility.
        activation_weight: weight of the demand activation of the member's company's need
            (what demand advertising did to the opportunity), for brands they know.
        incumbent_advantage: utility bonus of the brand the company already buys from.
        no_decision_utility: utility of no decision: a member's chance of voting to buy
            is one minus the logit share of no decision. Set with ``coordination_cost``
            so that 0.40-0.60 of the needs that reach a decision end with no vendor
            chosen (Dixon & McKenna, The JOLT Effect, HBR 2022: 40-60%).
        category_weight: weight of the brands' combined appeal (the log-sum of their
            utilities) in a member's choice between buying and no decision, in (0, 1]: the
            nesting parameter of a nested logit. At 1 a plain logit, where a brand's appeal
            adds to the category's; below 1, advertising mostly moves which brand is bought
            and less whether anything is (in mature categories marketing rarely has lasting
            effects on category demand: Dekimpe & Hanssens 1995). With 0.35, a market where
            nobody advertises buys about 10 points less often than the built-in scenario's.
        coordination_cost: a purchase needs a strict majority voting to buy (a tie
            stalls); each member beyond the first also derails it with this chance. With
            the defaults the purchase chance of buying groups of 1, 2, 3 and 6 is near
            CEB/Challenger's 0.81, 0.55, 0.60 and 0.31 (the third member breaks ties) in
            the built-in scenario's market, where every brand advertises (0.83, 0.59,
            0.60 and 0.35 at 50k people; ``benches/fidelity.py``).

    Example:
        >>> Decisions().memory_weight  # the default; change it with Market().replace
        0.5
        >>> Market().replace(decisions={"memory_weight": 0.5}).decisions == Decisions()
        True
    """

    memory_weight: float = _default("decisions", "memory_weight")
    memory_curvature: float = _default("decisions", "memory_curvature")
    attitude_weight: float = _default("decisions", "attitude_weight")
    activation_weight: float = _default("decisions", "activation_weight")
    incumbent_advantage: float = _default("decisions", "incumbent_advantage")
    no_decision_utility: float = _default("decisions", "no_decision_utility")
    category_weight: float = _default("decisions", "category_weight")
    coordination_cost: float = _default("decisions", "coordination_cost")


@dataclass(frozen=True)
class Customers:
    """The category's economics once a brand wins.

    Attributes:
        deal_value: value of a sale to a company of ``reference_employees``.
        reference_employees: company size at which a sale is worth ``deal_value``.
        deal_elasticity: sale value grows as (employees / reference) ** deal_elasticity.
        repeat_weekly: weekly probability that a customer buys again (once a year: B2B
            purchases run on annual contracts, renewed or not).
        churn_weekly: weekly probability that a customer leaves the category outright when
            its people think no better and no worse of their supplier than of its best
            rival: once in 1,820 weeks (35 years). Providers change at decisions instead,
            when a company comes back to market, about every 5 years (``needs``; the 95-5
            rule); with these defaults about 53% of companies buy from one of the brands
            (most B2B buyers have an incumbent; Dawes, Ehrenberg-Bass) and about 6% of
            relationships end in a year.
        loyalty_sensitivity: how strongly churn depends on the supplier's standing against
            its best rival (the difference in their people's utility): churn is
            ``churn_weekly * 2 / (1 + exp(loyalty_sensitivity * advantage))``, from twice
            ``churn_weekly`` down to none; 0 makes churn the same for every brand. Loyalty
            follows mental availability (Ehrenberg's double jeopardy; Romaniuk & Sharp,
            *How Brands Grow 2*, 2016).

    Example:
        >>> Customers().deal_value  # the default; change it with Market().replace
        50000.0
        >>> Market().replace(customers={"deal_value": 50000.0}).customers == Customers()
        True
    """

    deal_value: float = _default("customers", "deal_value")
    reference_employees: float = _default("customers", "reference_employees")
    deal_elasticity: float = _default("customers", "deal_elasticity")
    repeat_weekly: float = _default("customers", "repeat_weekly")
    churn_weekly: float = _default("customers", "churn_weekly")
    loyalty_sensitivity: float = _default("customers", "loyalty_sensitivity")


@dataclass(frozen=True)
class Advertising:
    """How people respond to advertising and how readily they share it.

    Attributes:
        brand_lift: share of the gap to full memory that one perfectly landing brand
            impression closes (it also closes ``attitude_lift`` of the gap to full liking).
        attitude_lift: see ``brand_lift``.
        demand_lift: share of the gap to full activation of a company's open need that one
            perfectly landing demand impression on a member of its buying committee closes.
            Demand works on the opportunity (Binet & Field: activation is the short-term
            response of people in market): the whole committee, present and future members,
            carries it for the buying cycle, and weighs it for brands they know.
        demand_off_committee: how much of that a demand impression on a colleague at a
            company in market who is not on its committee does. Elsewhere a demand
            impression has nothing to activate.
        share_rate: probability that someone reached by perfectly landing creative of
            shareability 1 shares it.
        pass_rate: probability that a tie of weight 1 passes shared creative of
            shareability 1 on.
        taste_width: taste distance at which taste-dependent creative stops landing.

    Example:
        >>> Advertising().brand_lift  # the default; change it with Market().replace
        0.2
        >>> Market().replace(advertising={"brand_lift": 0.2}).advertising == Advertising()
        True
    """

    brand_lift: float = _default("advertising", "brand_lift")
    attitude_lift: float = _default("advertising", "attitude_lift")
    demand_lift: float = _default("advertising", "demand_lift")
    demand_off_committee: float = _default("advertising", "demand_off_committee")
    share_rate: float = _default("advertising", "share_rate")
    pass_rate: float = _default("advertising", "pass_rate")
    taste_width: float = _default("advertising", "taste_width")


@dataclass(frozen=True)
class Referrals:
    """Customers endorsing the brands they buy; endorsements spread to ties and raise trust.

    Attributes:
        refer_weekly: weekly probability that someone at a customer endorses its brand.
        pass_rate: probability that a tie of weight 1 passes an endorsement on.
        trust_lift: share of the gap to full liking that being endorsed to closes.

    Example:
        >>> Referrals().refer_weekly  # the default; change it with Market().replace
        0.005
        >>> Market().replace(referrals={"refer_weekly": 0.005}).referrals == Referrals()
        True
    """

    refer_weekly: float = _default("referrals", "refer_weekly")
    pass_rate: float = _default("referrals", "pass_rate")
    trust_lift: float = _default("referrals", "trust_lift")


@dataclass(frozen=True)
class Start:
    """How the market stands when a run starts: in its steady state, not empty.

    Most B2B buyers already have a supplier (the 95-5 rule: companies come back to market
    about every 5 years and may change provider then; Dawes, Ehrenberg-Bass Institute),
    and memory starts at its stationary level (see :class:`Brands`). A warm-up then lets
    committees, customers and relationships settle before anything is recorded, so a
    market with no advertising shows the same metrics in year 1 as in year 4.

    Attributes:
        incumbent_share: share of companies that buy from one of the brands at the start,
            each brand's share of them in proportion to ``brands.awareness``. The default is
            near the share the default market settles at.
        warmup_weeks: weeks the market runs before the first recorded week, with nobody
            advertising (the same for every alternative compared): simulated, not recorded.
            Intent signals are drawn in it, so a triggered campaign has its last weeks'
            signals to act on in week 1.

    Example:
        >>> Start().incumbent_share  # the default; change it with Market().replace
        0.53
        >>> Market().replace(start={"incumbent_share": 0.53}).start == Start()
        True
    """

    incumbent_share: float = _default("start", "incumbent_share")
    warmup_weeks: int = _default("start", "warmup_weeks")


@dataclass(frozen=True)
class Media:
    """What advertising costs, how much of it a platform delivers, and the margin on sales.

    A campaign's money buys impressions at the CPM (price of 1,000 impressions) of the
    audience it draws from at that time; the price rises as the audience narrows, because
    an auction bids up scarce audiences: ``cpm = base_cpm * share ** -narrowness``, capped at
    ``max_cpm``, where ``share`` is the audience's share of the market's people. Published
    LinkedIn figures: about $25-45 CPM for typical B2B campaigns, a median of about $78 for
    account-based (ABM) campaigns, $100-300 for the most contested audiences. With the
    defaults a broad audience costs about $30-33 and an account-based list of senior roles
    (about 2% of people) about $80: 2-3 times broad. Meta-analyses put the short-run sales
    elasticity of advertising at about 0.1 (Sethuraman, Tellis & Briesch 2011): response
    curves (:func:`buyernet.response_curve`) show where this market's returns diminish.

    All prices are in the unit of ``customers.deal_value``. Zero prices are allowed; then
    spend is zero and returns on spend are undefined (NaN).

    Attributes:
        base_cpm: price of 1,000 impressions on the broadest audience (everyone).
        narrowness: how fast the CPM rises as the audience narrows, in [0, 2]
            (0: every audience costs ``base_cpm``).
        max_cpm: the highest CPM any audience costs (the most contested ones), at least
            ``base_cpm``.
        intent_data: intent data subscription per period, paid while a brand runs any
            intent-triggered campaign (once per brand, by its first triggered campaign).
            The default, about 2,600 a year, is an entry-level subscription scaled to the
            default market of 100k people (an assumption, not a published price).
        creative: production cost of one creative per period it is in use (default about
            520 a year per creative; an assumption scaled like ``intent_data``).
        tailored_variants: variants a tailored (personalized) creative needs, one per
            segment it personalizes for; each costs ``creative`` per period of use.
        frequency_cap: most impressions of one campaign a person may see in a period
            (0: no cap); budget a small audience cannot absorb is reported as unspent.
            Default 3 a week, the few a week platforms allow; without a cap the planetary
            preset landed about 18 impressions a week on each person it reached.
        gross_margin: gross margin on revenue, in [0, 1], for gross profit and returns.

    Example:
        >>> m = Media()
        >>> round(m.cpm(0.7), 1), round(m.cpm(0.02), 1), m.cpm(1e-9)
        (32.8, 79.8, 300.0)
    """

    base_cpm: float = _default("media", "base_cpm")
    narrowness: float = _default("media", "narrowness")
    max_cpm: float = _default("media", "max_cpm")
    intent_data: float = _default("media", "intent_data")
    creative: float = _default("media", "creative")
    tailored_variants: int = _default("media", "tailored_variants")
    frequency_cap: int = _default("media", "frequency_cap")
    gross_margin: float = _default("media", "gross_margin")

    def cpm(self, share: float) -> float:
        """The CPM of an audience holding ``share`` of the market's people (the engine's
        formula).

        Example:
            >>> Media(narrowness=0.0).cpm(0.01)
            30.0
        """
        # The default market with this media section: the engine reads the sections it is given.
        return _core.cpm({"media": dataclasses.asdict(self)}, checks.real(share, "share"))


_SECTIONS: dict[str, type] = {
    "population": Population,
    "network": Network,
    "careers": Careers,
    "needs": Needs,
    "committees": Committees,
    "brands": Brands,
    "decisions": Decisions,
    "customers": Customers,
    "advertising": Advertising,
    "referrals": Referrals,
    "start": Start,
    "media": Media,
}

#: The top-level tables of a scenario file (:class:`~buyernet.scenario.Scenario`): a market
#: file may be one, with its sections under ``[market.<section>]``.
SCENARIO_TABLES = ("run", "market", "alternatives", "rivals")

SectionUpdate = Union[dict[str, Any], Any]

# The engine reads these whole numbers in fewer than 32 bits.
_WIDTHS = {"industries": 2**16 - 1}


def _plain_section(name: str, section: Any) -> Any:
    """``section`` with every field a plain value of its declared type (see
    :func:`buyernet.checks.plain_fields`).
    """
    plain = checks.plain_fields(section, f"{name}.")
    return section if plain is None else dataclasses.replace(section, **plain)


def _section_from_dict(name: str, values: Any) -> Any:
    cls = _SECTIONS[name]
    if not isinstance(values, dict):
        raise TypeError(f"{name} must be a table of fields; got {type(values).__name__}")
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ParameterError(
            f"unknown field {name}.{unknown[0]}; {name} has: {', '.join(sorted(known))}"
        )
    coerced = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    return cls(**coerced)


@dataclass(frozen=True)
class Market:
    """A B2B market: the sections below, validated together by the engine.

    Build variations with :meth:`replace`, read and write scenario files with
    :meth:`from_toml` and :meth:`to_toml`. Bad values raise :class:`ParameterError` naming
    ``section.field`` and the allowed range.

    Example:
        >>> Market(needs=Needs(in_market_share=2.0))
        Traceback (most recent call last):
        ...
        buyernet.exceptions.ParameterError: needs.in_market_share must be in [0, 1); got 2
    """

    population: Population = field(default_factory=Population)
    network: Network = field(default_factory=Network)
    careers: Careers = field(default_factory=Careers)
    needs: Needs = field(default_factory=Needs)
    committees: Committees = field(default_factory=Committees)
    brands: Brands = field(default_factory=Brands)
    decisions: Decisions = field(default_factory=Decisions)
    customers: Customers = field(default_factory=Customers)
    advertising: Advertising = field(default_factory=Advertising)
    referrals: Referrals = field(default_factory=Referrals)
    start: Start = field(default_factory=Start)
    media: Media = field(default_factory=Media)

    def __post_init__(self) -> None:
        for name, cls in _SECTIONS.items():
            if not isinstance(getattr(self, name), cls):
                raise TypeError(f"{name} must be a buyernet.{cls.__name__}")
            # Types here, ranges in the engine: a frozen dataclass, so set through object.
            object.__setattr__(self, name, _plain_section(name, getattr(self, name)))
        changed: dict[tuple[str, ...], tuple[int, int]] = {}
        for name in _SECTIONS:
            section = getattr(self, name)
            values = {f.name: getattr(section, f.name) for f in dataclasses.fields(section)}
            if any(
                isinstance(v, int) and not 0 <= v <= _WIDTHS.get(k, 2**32 - 1)
                for k, v in values.items()
            ):
                section = dataclasses.replace(section)  # a copy to change, not the caller's
                object.__setattr__(self, name, section)
                changed.update(checks.into_width(section, (name,), widths=_WIDTHS))
        checks.as_given(lambda: _core.check("market", self.to_dict()), changed)

    @property
    def brand_names(self) -> tuple[str, ...]:
        """Each brand's name: ``brands.names``, or ``us``, ``rival_1``, ... by default.

        Example:
            >>> Market().brand_names
            ('us', 'rival_1', 'rival_2', 'rival_3')
        """
        if self.brands.names:
            return self.brands.names
        return ("us", *(f"rival_{i}" for i in range(1, self.n_brands)))

    @classmethod
    def planetary_world(cls) -> Market:
        """The world the precision ("planetary") view assumes: intent fully observable with
        no false signals, nobody changes jobs, every committee is the one most influential
        person, and nobody shares ads or endorses brands. Everything else is the default.

        Example:
            >>> w = Market.planetary_world()
            >>> w.needs.observability, w.committees.fixed_size, w.careers.change_within_4_years
            (1.0, 1, 0.0)
        """
        return cls().replace(
            needs={"observability": 1.0, "false_signal_weekly": 0.0},
            careers={"change_within_4_years": 0.0},
            committees={"fixed_size": 1, "most_influential": True, "dropout_weekly": 0.0},
            advertising={"share_rate": 0.0},
            referrals={"refer_weekly": 0.0},
        )

    def brand_index(self, brand: str | int) -> int:
        """The index of a brand given by name or index.

        Example:
            >>> Market().brand_index("rival_1")
            1
        """
        names = self.brand_names
        brand = checks.plain(brand, "int | str", "brand") if not isinstance(brand, str) else brand
        if isinstance(brand, bool) or not isinstance(brand, (str, int)):
            raise TypeError(f"a brand is a name or an index; got {type(brand).__name__}")
        if isinstance(brand, int):
            if not 0 <= brand < len(names):
                raise ParameterError(f"brand index must be in [0, {len(names)}); got {brand}")
            return brand
        if brand not in names:
            raise ParameterError(f"unknown brand {brand!r}; brands: {', '.join(names)}")
        return names.index(brand)

    @property
    def n_brands(self) -> int:
        """Number of brands."""
        return len(self.brands.awareness)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """The market as plain nested dicts (lists for sequences)."""
        out: dict[str, dict[str, Any]] = {}
        for name in _SECTIONS:
            section = dataclasses.asdict(getattr(self, name))
            out[name] = {k: list(v) if isinstance(v, tuple) else v for k, v in section.items()}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Market:
        """A market from nested dicts; missing sections and fields take their defaults."""
        unknown = sorted(set(data) - set(_SECTIONS))
        if unknown:
            raise ParameterError(
                f"unknown section {unknown[0]!r}; sections: {', '.join(_SECTIONS)}"
            )
        return cls(**{k: _section_from_dict(k, v) for k, v in data.items()})

    def replace(self, **sections: SectionUpdate) -> Market:
        """A copy with some fields changed: ``m.replace(needs={"in_market_share": 0.1})``."""
        changes: dict[str, Any] = {}
        for name, update in sections.items():
            if name not in _SECTIONS:
                raise ParameterError(f"unknown section {name!r}; sections: {', '.join(_SECTIONS)}")
            if isinstance(update, dict):
                current = dataclasses.asdict(getattr(self, name))
                unknown = sorted(set(update) - set(current))
                if unknown:
                    raise ParameterError(f"unknown field {name}.{unknown[0]}")
                update = _section_from_dict(name, {**current, **update})
            changes[name] = update
        return dataclasses.replace(self, **changes)

    def to_toml(self, path: str | Path) -> None:
        """Write the market as a scenario file (its ``[market.<section>]`` tables, written
        atomically): ``buyernet run`` runs it with the default alternatives, and
        :meth:`from_toml` reads it back equal.
        """
        lines: list[str] = []
        for name, section in self.to_dict().items():
            lines.append(f"[market.{name}]")
            for key, value in section.items():
                if value is not None:
                    lines.append(f"{key} = {_toml_value(value)}")
            lines.append("")
        write_atomically(path, "\n".join(lines))

    @classmethod
    def from_toml(cls, path: str | Path) -> Market:
        """Read the market of a scenario file (its ``[market.<section>]`` tables; the other
        tables of a scenario are left to :class:`~buyernet.scenario.Scenario`), or of a file
        with the sections at the top level. Unknown keys are errors that name them.
        """
        data = read_toml(path)
        if "market" in data or (data and set(data) <= set(SCENARIO_TABLES)):
            data = data.get("market", {})
        try:
            return cls.from_dict(data)
        except (ParameterError, TypeError) as err:
            raise type(err)(f"{path}: {err}") from None


def toml_string(text: str) -> str:
    r"""``text`` as a TOML basic string: JSON's escapes (control characters as \uXXXX),
    other characters as they are (JSON's \u escapes of characters beyond U+FFFF are
    surrogate pairs, which TOML refuses), and DEL escaped, as TOML requires.

    Example:
        >>> print(toml_string("rocket 🚀 'a'"))
        "rocket 🚀 'a'"
    """
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(value: Any) -> str:
    """A TOML literal that reads back as exactly the same Python value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # shortest repr round-trips exactly
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")
