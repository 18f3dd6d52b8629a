//! What a replicate records: one row of metrics per period, and one entry per decision.

/// One decision of a buying committee.
#[derive(Clone, Debug, PartialEq)]
pub struct Deal {
    pub period: u32,
    pub company: u32,
    pub committee_size: u32,
    /// The brand that won, or `None` for no decision.
    pub brand: Option<u16>,
    /// Value of the sale (0 for no decision).
    pub value: f64,
}

/// What one period recorded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PeriodRecord {
    /// Share of companies with an open need at the end of the period.
    pub in_market_share: f64,
    /// Share of people whose company, function or seniority has changed since period 0.
    pub career_changed_share: f64,
    /// People who moved to another company this period.
    pub movers: u32,
    /// Needs that opened, were decided, and were abandoned this period.
    pub needs_opened: u32,
    pub decisions: u32,
    pub abandoned: u32,
    /// Open committees (one per open need) and their mean size at the end of the period.
    pub committees_open: u32,
    pub committee_size_mean: f64,
    /// Needs that ended in no decision.
    pub no_decisions: u32,
    /// Per brand: deals won, revenue, customers at the end of the period, and mean memory
    /// among people on open committees.
    pub wins: Vec<u32>,
    pub revenue: Vec<f64>,
    pub customers: Vec<u32>,
    pub memory_mean: Vec<f64>,
    /// Intent signals drawn this period: of open needs, and false ones.
    pub signals: u32,
    pub false_signals: u32,
    /// Members of the committees that came to a decision this period.
    pub deciders: u32,
    /// Per brand: paid impressions; unique people reached by them (paid reach); unique
    /// people reached, paid or earned; people reached through sharing (earned reach);
    /// people who shared; people ever reached.
    pub impressions: Vec<u32>,
    pub paid_reach: Vec<u32>,
    pub reach: Vec<u32>,
    pub earned_reach: Vec<u32>,
    pub shares: Vec<u32>,
    pub reached_ever: Vec<u32>,
    /// Per brand: people who endorsed it, and people their endorsements reached.
    pub endorsers: Vec<u32>,
    pub endorsed: Vec<u32>,
    /// Per brand: deciders the brand had reached before they joined the committee, and
    /// deciders it had reached while they worked at another company.
    pub reached_before_joining: Vec<u32>,
    pub reached_elsewhere: Vec<u32>,
    /// Per brand: people at each hourglass stage (see [`crate::measures::hourglass::STAGES`]).
    pub hourglass: Vec<[u32; 7]>,
}
