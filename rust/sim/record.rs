//! What a replicate records: the metric catalogue, the columns each period writes into, and
//! one entry per decision.
//!
//! Every metric is declared once, in `catalogue!` below: its name, whether it is one value
//! for the market, one per brand or one per brand and hourglass stage, whether it is a flow
//! (summed over a run) or a stock (averaged, or read at the end), its unit and a one-line
//! doc. The bindings, the Python results, summaries and tidy tables are all built from this
//! list. A run records into one buffer per metric laid out `[replicate, period, width]`
//! (width 1, brands, or brands x stages), written in place by each replicate's own slice and
//! handed to numpy without copying. A run may record only some metrics; the measures behind
//! the others are then not computed.

use crate::measures::hourglass::STAGES;

/// How many values a metric has per period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// One value for the whole market.
    Market,
    /// One value per brand.
    Brand,
    /// One value per brand and hourglass stage.
    Stage,
}

impl Scope {
    /// The name Python reads.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Market => "market",
            Scope::Brand => "brand",
            Scope::Stage => "stage",
        }
    }

    /// The shape of a metric's values over `replicates`, `periods` and `brands`.
    pub fn shape(self, replicates: usize, periods: usize, brands: usize) -> Vec<usize> {
        match self {
            Scope::Market => vec![replicates, periods],
            Scope::Brand => vec![replicates, periods, brands],
            Scope::Stage => vec![replicates, periods, brands, STAGES.len()],
        }
    }
}

/// How a metric adds up over a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Counted per period: a run's value is the sum over its periods.
    Flow,
    /// A state at the end of each period: a run's value is its mean (or its last value).
    Stock,
}

impl Kind {
    /// The name Python reads.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Flow => "flow",
            Kind::Stock => "stock",
        }
    }
}

/// One entry of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metric {
    pub name: &'static str,
    pub scope: Scope,
    pub kind: Kind,
    pub unit: &'static str,
    pub doc: &'static str,
}

impl Metric {
    /// Values per period, for `brands` brands.
    pub fn width(&self, brands: usize) -> usize {
        match self.scope {
            Scope::Market => 1,
            Scope::Brand => brands,
            Scope::Stage => brands * STAGES.len(),
        }
    }
}

macro_rules! catalogue {
    ($($id:ident $name:literal $scope:ident $kind:ident $unit:literal $doc:literal;)*) => {
        /// A metric of the catalogue, by name; `M::X as usize` is its place in [`METRICS`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum M { $($id),* }

        /// Every metric a replicate records, in a fixed order.
        pub const METRICS: &[Metric] = &[$(Metric {
            name: $name,
            scope: Scope::$scope,
            kind: Kind::$kind,
            unit: $unit,
            doc: $doc,
        }),*];
    };
}

catalogue! {
    InMarketShare "in_market_share" Market Stock "share of companies"
        "Share of companies with an open need at the end of the period.";
    CareerChangedShare "career_changed_share" Market Stock "share of people"
        "Share of people whose company, function or seniority has changed since the start.";
    Movers "movers" Market Flow "people"
        "People who moved to another company.";
    FunctionChangers "function_changers" Market Flow "people"
        "People who moved to another company and changed function with the move.";
    TenureMedian "tenure_median_weeks" Market Stock "weeks"
        "Median weeks people have worked for their current employer.";
    NeedsOpened "needs_opened" Market Flow "needs"
        "Needs that arose.";
    Decisions "decisions" Market Flow "needs"
        "Needs whose committee came to a decision (a win or no decision).";
    NoDecisions "no_decisions" Market Flow "needs"
        "Decisions that ended with no vendor chosen.";
    Abandoned "abandoned" Market Flow "needs"
        "Needs abandoned or postponed before a decision.";
    CommitteesOpen "committees_open" Market Stock "committees"
        "Open buying committees (one per open need) at the end of the period.";
    CommitteeSizeMean "committee_size_mean" Market Stock "people"
        "Mean size of the open committees at the end of the period.";
    Signals "signals" Market Flow "signals"
        "Intent signals drawn from open needs.";
    FalseSignals "false_signals" Market Flow "signals"
        "Intent signals drawn from companies with no need (false positives).";
    Deciders "deciders" Market Flow "people"
        "Members of the committees that came to a decision.";
    Wins "wins" Brand Flow "deals"
        "Deals the brand won.";
    Revenue "revenue" Brand Flow "currency"
        "Revenue from new and repeat sales.";
    Customers "customers" Brand Stock "companies"
        "Companies that are the brand's customers at the end of the period.";
    MemoryMean "memory_mean" Brand Stock "memory (0-1)"
        "Mean brand memory among people on open committees.";
    Impressions "impressions" Brand Flow "impressions"
        "Paid impressions delivered.";
    Spend "spend" Brand Flow "currency"
        "Money spent: media, intent data and creative.";
    MediaSpend "media_spend" Brand Flow "currency"
        "Money spent on impressions (impressions x the audience's CPM / 1,000).";
    DataSpend "data_spend" Brand Flow "currency"
        "Money spent on intent data (a subscription while a triggered campaign runs).";
    CreativeSpend "creative_spend" Brand Flow "currency"
        "Money spent producing creative (per creative, or per variant when tailored).";
    Unspent "unspent" Brand Flow "currency"
        "Budget that could not be delivered (frequency cap, no audience, no intent signal).";
    PaidReach "paid_reach" Brand Flow "people"
        "Unique people reached by paid impressions.";
    Reach "reach" Brand Flow "people"
        "Unique people reached, paid or earned.";
    EarnedReach "earned_reach" Brand Flow "people"
        "People reached through shared creative (earned reach).";
    Shares "shares" Brand Flow "people"
        "People who shared the brand's creative.";
    ReachedEver "reached_ever" Brand Stock "people"
        "People the brand's advertising has ever reached.";
    Endorsers "endorsers" Brand Flow "people"
        "Customers' people who endorsed the brand.";
    Endorsed "endorsed" Brand Flow "people"
        "People their endorsements reached.";
    ReachedBeforeJoining "reached_before_joining" Brand Flow "people"
        "Deciders the brand had reached before they joined the committee.";
    ReachedElsewhere "reached_elsewhere" Brand Flow "people"
        "Deciders the brand had reached while they worked at another company.";
    Hourglass "hourglass" Stage Stock "people"
        "People at each stage of the marketing hourglass (know, like, trust, try, buy, repeat, refer).";
}

impl M {
    /// This metric's catalogue entry.
    pub fn metric(self) -> &'static Metric {
        &METRICS[self as usize]
    }
}

/// The catalogue entry named `name`.
pub fn find(name: &str) -> Option<usize> {
    METRICS.iter().position(|m| m.name == name)
}

/// Which catalogue entries `names` asks for (a run's `metrics`), by catalogue index.
pub fn select<S: AsRef<str>>(names: &[S]) -> crate::Result<Vec<bool>> {
    let mut wanted = vec![false; METRICS.len()];
    for name in names {
        let i = find(name.as_ref()).ok_or_else(|| {
            let known: Vec<_> = METRICS.iter().map(|m| m.name).collect();
            crate::Error::out_of_range(
                "metrics",
                crate::errors::quoted(name.as_ref()),
                format!("names from the catalogue: {}", known.join(", ")),
            )
        })?;
        wanted[i] = true;
    }
    Ok(wanted)
}

/// One decision of a buying committee.
#[derive(Clone, Debug, PartialEq)]
pub struct Deal {
    pub period: u32,
    pub company: u32,
    pub committee_size: u32,
    /// The company's headcount when it decided.
    pub employees: u32,
    /// The brand that won, or `None` for no decision.
    pub brand: Option<u16>,
    /// Value of the sale (0 for no decision).
    pub value: f64,
}

/// One campaign's period: what it bought and paid (a row of the per-campaign log; the
/// catalogue's spend metrics are its sums per brand).
#[derive(Clone, Debug, PartialEq)]
pub struct CampaignPeriod {
    pub period: u32,
    pub brand: u16,
    /// The campaign's place in its brand's plan.
    pub campaign: u16,
    pub impressions: u32,
    pub spend: crate::marketing::media::Spend,
}

/// One replicate's columns: for each metric of the catalogue, its `[period, width]` slice
/// of the run's buffer, or `None` if the run does not record it.
pub struct Recorder<'a> {
    columns: Vec<Option<&'a mut [f64]>>,
    brands: usize,
    /// Row written now, and the next one.
    row: usize,
    next: usize,
}

impl<'a> Recorder<'a> {
    /// Writes into `columns` (one per metric, in catalogue order) for `brands` brands.
    pub fn new(columns: Vec<Option<&'a mut [f64]>>, brands: usize) -> Self {
        debug_assert_eq!(columns.len(), METRICS.len());
        Self {
            columns,
            brands,
            row: 0,
            next: 0,
        }
    }

    /// Whether metric `m` is recorded (so whether its measure needs computing).
    #[inline]
    pub fn wants(&self, m: M) -> bool {
        self.columns[m as usize].is_some()
    }

    /// Moves to the next row: each period recorded takes one, in order.
    pub fn next_row(&mut self) {
        self.row = self.next;
        self.next += 1;
    }

    /// The market-wide value of `m` this period.
    #[inline]
    pub fn market(&mut self, m: M, x: f64) {
        debug_assert_eq!(m.metric().scope, Scope::Market);
        if let Some(col) = &mut self.columns[m as usize] {
            col[self.row] = x;
        }
    }

    /// One value of `m` per brand this period.
    pub fn brands<T: Copy + Into<f64>>(&mut self, m: M, values: &[T]) {
        debug_assert_eq!(m.metric().scope, Scope::Brand);
        let w = self.brands;
        if let Some(col) = &mut self.columns[m as usize] {
            for (out, &v) in col[self.row * w..(self.row + 1) * w].iter_mut().zip(values) {
                *out = v.into();
            }
        }
    }

    /// One value of `m` per brand and stage this period.
    pub fn stages(&mut self, m: M, values: &[[u32; STAGES.len()]]) {
        debug_assert_eq!(m.metric().scope, Scope::Stage);
        let w = self.brands * STAGES.len();
        if let Some(col) = &mut self.columns[m as usize] {
            let row = &mut col[self.row * w..(self.row + 1) * w];
            for (out, &v) in row.iter_mut().zip(values.iter().flatten()) {
                *out = f64::from(v);
            }
        }
    }
}

/// Buffers for one replicate of `periods` periods that own their data: for tests and for
/// callers stepping a replicate by hand.
pub struct Recording {
    pub periods: usize,
    pub brands: usize,
    pub columns: Vec<Option<Vec<f64>>>,
}

impl Recording {
    /// Room for every metric (or those `wanted` marks) over `periods` periods.
    pub fn new(periods: usize, brands: usize, wanted: Option<&[bool]>) -> Self {
        let columns = METRICS
            .iter()
            .enumerate()
            .map(|(i, m)| {
                wanted
                    .is_none_or(|w| w[i])
                    .then(|| vec![0.0; periods * m.width(brands)])
            })
            .collect();
        Self {
            periods,
            brands,
            columns,
        }
    }

    /// A recorder writing into these buffers from period `period` (1-based) on.
    pub fn recorder(&mut self, period: u32) -> Recorder<'_> {
        let columns = self.columns.iter_mut().map(|c| c.as_deref_mut()).collect();
        let mut rec = Recorder::new(columns, self.brands);
        rec.next = period as usize - 1;
        rec
    }

    /// Metric `m` in period `period` (1-based), for brand `b` (ignored for market metrics).
    pub fn get(&self, m: M, period: u32, b: usize) -> f64 {
        let w = m.metric().width(self.brands);
        let col = self.columns[m as usize].as_ref().expect("recorded");
        let i = (period as usize - 1) * w;
        match m.metric().scope {
            Scope::Market => col[i],
            _ => col[i + b],
        }
    }

    /// The hourglass counts of brand `b` in period `period` (1-based).
    pub fn stages(&self, period: u32, b: usize) -> Vec<f64> {
        let s = STAGES.len();
        let w = self.brands * s;
        let col = self.columns[M::Hourglass as usize]
            .as_ref()
            .expect("recorded");
        let i = (period as usize - 1) * w + b * s;
        col[i..i + s].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_names_each_metric_once_and_in_the_order_of_m() {
        let mut names: Vec<&str> = METRICS.iter().map(|m| m.name).collect();
        assert_eq!(METRICS[M::Wins as usize].name, "wins");
        assert_eq!(METRICS[M::Hourglass as usize].name, "hourglass");
        assert_eq!(
            find("reached_elsewhere"),
            Some(M::ReachedElsewhere as usize)
        );
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), METRICS.len());
        assert!(
            METRICS
                .iter()
                .all(|m| !m.doc.is_empty() && !m.unit.is_empty())
        );
    }

    #[test]
    fn a_recorder_writes_rows_in_place_and_skips_what_is_not_wanted() {
        let mut wanted = vec![true; METRICS.len()];
        wanted[M::Movers as usize] = false;
        let mut rec = Recording::new(3, 2, Some(&wanted));
        {
            let mut r = rec.recorder(1);
            assert!(!r.wants(M::Movers) && r.wants(M::Wins));
            r.next_row();
            r.next_row();
            r.market(M::Movers, 5.0);
            r.market(M::Decisions, 4.0);
            r.brands(M::Wins, &[1u32, 2]);
            r.stages(M::Hourglass, &[[1; 7], [2; 7]]);
        }
        assert!(rec.columns[M::Movers as usize].is_none());
        assert_eq!(rec.get(M::Decisions, 2, 0), 4.0);
        assert_eq!(rec.get(M::Wins, 2, 1), 2.0);
        assert_eq!(rec.get(M::Wins, 1, 1), 0.0);
        assert_eq!(rec.stages(2, 1), vec![2.0; 7]);
    }
}
