//! Customers: a win starts a relationship that brings repeat purchases until the customer
//! churns or switches brand.
//!
//! A sale is worth `deal_value * (employees / reference_employees)^deal_elasticity` at the
//! time of the win. Each period a customer buys again with probability `repeat_weekly` and
//! churns with a probability around `churn_weekly` that depends on the brand: a customer
//! whose people remember and like their supplier better than its rivals churns less, one
//! that prefers a rival more, up to twice as often (loyalty follows mental availability:
//! Ehrenberg's double jeopardy, bigger brands keep customers longer; Romaniuk & Sharp, *How
//! Brands Grow 2*, 2016). Winning a company that buys from another brand ends that
//! relationship (a switch); whether a rival wins a decision at a customer depends the same
//! way on memory and attitude (see [`crate::market::decisions`]). Most companies already
//! buy from someone when a run starts: [`Customers::incumbents`]. Every relationship is
//! logged, so lifetime value can be read off the simulation: revenue per customer = mean
//! sale x sales per customer.

use crate::check::{self, Range, UNIT};
use crate::errors::Result;
use crate::rng::KeyedDraws;
use serde::{Deserialize, Serialize};

/// The category's economics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CustomersConfig {
    /// Value of a sale to a company of `reference_employees`.
    pub deal_value: f64,
    /// Company size at which a sale is worth `deal_value`.
    pub reference_employees: f64,
    /// How deal value grows with company size.
    pub deal_elasticity: f64,
    /// Weekly probability that a customer buys again.
    pub repeat_weekly: f64,
    /// Weekly probability that a customer is lost, when its people think no better and no
    /// worse of their supplier than of its best rival.
    pub churn_weekly: f64,
    /// How strongly churn depends on the supplier's standing against its best rival (the
    /// difference of their members' utilities): churn is `churn_weekly x 2 / (1 +
    /// exp(loyalty_sensitivity x advantage))`, from twice `churn_weekly` down to none. Zero:
    /// churn is `churn_weekly` whatever the brand.
    pub loyalty_sensitivity: f64,
}

impl Default for CustomersConfig {
    fn default() -> Self {
        Self {
            deal_value: 50_000.0,
            reference_employees: 100.0,
            deal_elasticity: 0.6,
            // One sale a year: B2B purchases run on annual contracts, renewed or not.
            repeat_weekly: 1.0 / 52.0,
            // Leaving the category outright is rare (about once in 35 years); providers
            // change at decisions, when a company comes back to market (about every 5
            // years: see `needs`). With it, about 53% of companies buy from one of the
            // brands (most B2B buyers have an incumbent: the 95-5 rule).
            churn_weekly: 1.0 / 1820.0,
            loyalty_sensitivity: 1.0,
        }
    }
}

impl CustomersConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        check::real("deal_value", self.deal_value, Range::Positive)?;
        check::real(
            "reference_employees",
            self.reference_employees,
            Range::Positive,
        )?;
        check::real(
            "deal_elasticity",
            self.deal_elasticity,
            Range::Closed(0.0, 2.0),
        )?;
        check::real("repeat_weekly", self.repeat_weekly, UNIT)?;
        check::real("churn_weekly", self.churn_weekly, UNIT)?;
        check::real(
            "loyalty_sensitivity",
            self.loyalty_sensitivity,
            Range::Closed(0.0, 50.0),
        )
    }

    /// How much more (up to 2x) or less often than `churn_weekly` a customer churns whose
    /// supplier leads its best rival by `advantage` in utility.
    pub fn churn_factor(&self, advantage: f64) -> f64 {
        2.0 / (1.0 + (self.loyalty_sensitivity * advantage).exp())
    }

    /// The value of one sale to a company of `employees`.
    pub fn sale_value(&self, employees: usize) -> f64 {
        self.deal_value
            * (employees.max(1) as f64 / self.reference_employees).powf(self.deal_elasticity)
    }
}

/// One customer relationship.
#[derive(Clone, Debug, PartialEq)]
pub struct Relationship {
    pub company: u32,
    pub brand: u16,
    /// Period of the win (0: before the run started).
    pub start: u32,
    /// Period it ended (churn or switch), if it has.
    pub end: Option<u32>,
    /// Value of each sale.
    pub sale_value: f64,
    /// Sales so far in the run, the first included (a relationship from before the run
    /// starts with none).
    pub sales: u32,
}

impl Relationship {
    /// Revenue so far.
    pub fn revenue(&self) -> f64 {
        self.sale_value * f64::from(self.sales)
    }
}

const NONE: u32 = u32::MAX;

/// Every company's current relationship and the log of all of them.
#[derive(Clone, Debug)]
pub struct Customers {
    config: CustomersConfig,
    /// Index into `log` of each company's current relationship, or `NONE`.
    current: Vec<u32>,
    /// Companies that are customers, and each one's position in this list.
    active: Vec<u32>,
    position: Vec<u32>,
    /// All relationships, in order of the win.
    pub log: Vec<Relationship>,
}

/// Revenue and events of one period, per brand.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CustomerEvents {
    pub revenue: Vec<f64>,
    pub churned: Vec<u32>,
}

impl Customers {
    /// No customers yet among `companies` companies.
    pub fn new(config: &CustomersConfig, companies: usize) -> Self {
        Self {
            config: config.clone(),
            current: vec![NONE; companies],
            active: Vec::new(),
            position: vec![NONE; companies],
            log: Vec::new(),
        }
    }

    /// The brand company `c` buys from, if any.
    pub fn brand_of(&self, c: u32) -> Option<usize> {
        match self.current[c as usize] {
            NONE => None,
            i => Some(usize::from(self.log[i as usize].brand)),
        }
    }

    /// Companies that are customers now, in no particular order.
    pub fn active(&self) -> &[u32] {
        &self.active
    }

    /// Company `c`'s current relationship, if it is a customer.
    pub fn relationship(&self, c: u32) -> Option<&Relationship> {
        match self.current[c as usize] {
            NONE => None,
            i => Some(&self.log[i as usize]),
        }
    }

    /// Number of current customers of each of `brands` brands.
    pub fn counts(&self, brands: usize) -> Vec<u32> {
        let mut counts = vec![0u32; brands];
        for &c in &self.active {
            counts[usize::from(self.log[self.current[c as usize] as usize].brand)] += 1;
        }
        counts
    }

    fn end(&mut self, c: u32, period: u32) {
        let i = self.current[c as usize];
        self.log[i as usize].end = Some(period);
        self.current[c as usize] = NONE;
        let pos = self.position[c as usize] as usize;
        self.active.swap_remove(pos);
        if let Some(&moved) = self.active.get(pos) {
            self.position[moved as usize] = pos as u32;
        }
        self.position[c as usize] = NONE;
    }

    /// Relationships that exist when the run starts: each company buys from a brand with
    /// probability `share`, the brand drawn in proportion to `sizes` (each brand's size).
    /// They started before the run (period 0) and have made no sale in it yet. `employees`
    /// gives each company's size; draws are keyed by company.
    pub fn incumbents(
        &mut self,
        share: f64,
        sizes: &[f64],
        employees: impl Fn(u32) -> usize,
        draws: &KeyedDraws,
    ) {
        let total: f64 = sizes.iter().sum();
        if share <= 0.0 || total <= 0.0 {
            return;
        }
        for c in 0..self.current.len() as u32 {
            if self.current[c as usize] != NONE || draws.unit(u64::from(c), 0) > share {
                continue;
            }
            let mut x = draws.unit(u64::from(c), 1) * total;
            let brand = sizes
                .iter()
                .position(|&s| {
                    x -= s;
                    x <= 0.0
                })
                .unwrap_or(sizes.len() - 1);
            self.start_relationship(c, brand, employees(c), 0, 0);
        }
    }

    /// The run starts now: the log keeps only the relationships that are running, as
    /// relationships from before the run (period 0, no sales yet). Used after a warm-up.
    pub fn restart(&mut self) {
        let mut log = Vec::with_capacity(self.active.len());
        for &c in &self.active {
            let mut r = self.log[self.current[c as usize] as usize].clone();
            r.start = 0;
            r.sales = 0;
            self.current[c as usize] = log.len() as u32;
            log.push(r);
        }
        self.log = log;
    }

    fn start_relationship(
        &mut self,
        c: u32,
        brand: usize,
        employees: usize,
        period: u32,
        sales: u32,
    ) -> f64 {
        let value = self.config.sale_value(employees);
        self.current[c as usize] = self.log.len() as u32;
        self.position[c as usize] = self.active.len() as u32;
        self.active.push(c);
        self.log.push(Relationship {
            company: c,
            brand: brand as u16,
            start: period,
            end: None,
            sale_value: value,
            sales,
        });
        value
    }

    /// Brand `brand` wins company `c` (of `employees`): the first sale, and a switch if `c`
    /// bought from another brand. Returns the sale's value. Winning an existing customer
    /// back for the same brand is a repeat sale of the running relationship.
    pub fn win(
        &mut self,
        c: u32,
        brand: usize,
        employees: usize,
        period: u32,
        events: &mut CustomerEvents,
    ) -> f64 {
        if let Some(current) = self.brand_of(c) {
            let i = self.current[c as usize] as usize;
            if current == brand {
                self.log[i].sales += 1;
                events.revenue[brand] += self.log[i].sale_value;
                return self.log[i].sale_value;
            }
            self.end(c, period);
        }
        let value = self.start_relationship(c, brand, employees, period, 1);
        events.revenue[brand] += value;
        value
    }

    /// One period of repeat purchases, then churn, for customers won before this period.
    /// Touches every customer: they are few next to the people. Each customer's draws are
    /// keyed by its company, so they do not depend on who else is a customer.
    /// `advantage(c, brand)` is how far company `c`'s people prefer its supplier `brand` to
    /// its best rival; it is asked only of the few customers whose draw could churn.
    pub fn step(
        &mut self,
        period: u32,
        draws: &KeyedDraws,
        events: &mut CustomerEvents,
        mut advantage: impl FnMut(u32, usize) -> f64,
    ) {
        events.churned.clear();
        let mut i = 0;
        while i < self.active.len() {
            let c = self.active[i];
            let r = self.current[c as usize] as usize;
            let key = u64::from(c);
            if self.log[r].start < period && draws.unit(key, 0) <= self.config.repeat_weekly {
                self.log[r].sales += 1;
                events.revenue[usize::from(self.log[r].brand)] += self.log[r].sale_value;
            }
            let u = draws.unit(key, 1);
            // The factor is at most 2, so only draws below twice the base rate need it.
            let churns = self.log[r].start < period
                && u <= 2.0 * self.config.churn_weekly
                && u <= self.config.churn_weekly * {
                    let brand = usize::from(self.log[r].brand);
                    let sensitive = self.config.loyalty_sensitivity > 0.0;
                    self.config
                        .churn_factor(if sensitive { advantage(c, brand) } else { 0.0 })
                };
            if churns {
                self.end(c, period);
                events.churned.push(c);
            } else {
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Subsystem;

    #[test]
    fn revenue_per_customer_is_mean_sale_times_sales_per_customer() {
        let config = CustomersConfig::default();
        let mut customers = Customers::new(&config, 5_000);
        let mut events = CustomerEvents {
            revenue: vec![0.0; 2],
            churned: vec![],
        };
        let mut total = 0.0;
        for period in 0..1_000u32 {
            let draws = KeyedDraws::new(1, Subsystem::Customers, 0, u64::from(period));
            if period < 200 {
                for k in 0..10u32 {
                    let c = (period * 10 + k) % 5_000;
                    customers.win(
                        c,
                        (k % 2) as usize,
                        1 + (c as usize % 500),
                        period,
                        &mut events,
                    );
                }
            }
            customers.step(period, &draws, &mut events, |_, _| 0.0);
        }
        total += events.revenue.iter().sum::<f64>();
        let log = &customers.log;
        let revenue: f64 = log.iter().map(Relationship::revenue).sum();
        assert!(
            (revenue - total).abs() < 1e-6 * revenue,
            "every sale is in the log"
        );
        let n = log.len() as f64;
        let mean_sale = log.iter().map(|r| r.sale_value).sum::<f64>() / n;
        let mean_sales = log.iter().map(|r| f64::from(r.sales)).sum::<f64>() / n;
        let ltv = revenue / n;
        // Sale value depends on size only, sales count on time only: independent, so the
        // identity holds up to sampling covariance.
        assert!(
            (ltv / (mean_sale * mean_sales) - 1.0).abs() < 0.03,
            "{ltv} vs {}",
            mean_sale * mean_sales
        );
        // Retention: sales per customer ~ 1 + repeat * lifetime (lifetime ~ 1 / churn, censored).
        assert!(mean_sales > 2.0);
    }

    #[test]
    fn one_more_customer_does_not_change_anyone_elses_history() {
        let run = |extra: bool| {
            let mut customers = Customers::new(&CustomersConfig::default(), 100);
            let mut events = CustomerEvents {
                revenue: vec![0.0; 1],
                churned: vec![],
            };
            for c in 0..50 {
                customers.win(c * 2, 0, 100, 0, &mut events);
            }
            if extra {
                customers.win(1, 0, 100, 0, &mut events);
            }
            for period in 1..300u32 {
                let draws = KeyedDraws::new(9, Subsystem::Customers, 0, u64::from(period));
                customers.step(period, &draws, &mut events, |_, _| 0.0);
            }
            let mut log: Vec<Relationship> = customers
                .log
                .into_iter()
                .filter(|r| r.company != 1)
                .collect();
            log.sort_by_key(|r| r.company);
            log
        };
        assert_eq!(run(false), run(true));
    }

    #[test]
    fn customers_who_prefer_their_supplier_churn_less() {
        let config = CustomersConfig {
            churn_weekly: 1.0 / 260.0,
            ..CustomersConfig::default()
        };
        assert!((config.churn_factor(0.0) - 1.0).abs() < 1e-12);
        assert!(config.churn_factor(2.0) < 0.3 && config.churn_factor(-2.0) > 1.7);
        assert!(config.churn_factor(-1e9) <= 2.0);
        let survivors = |advantage: f64| {
            let mut customers = Customers::new(&config, 2_000);
            let mut events = CustomerEvents {
                revenue: vec![0.0; 1],
                churned: vec![],
            };
            customers.incumbents(
                1.0,
                &[1.0],
                |_| 100,
                &KeyedDraws::new(4, Subsystem::Customers, 0, 0),
            );
            assert_eq!(customers.active().len(), 2_000);
            for period in 1..=260u32 {
                let draws = KeyedDraws::new(4, Subsystem::Customers, 0, u64::from(period));
                customers.step(period, &draws, &mut events, |_, _| advantage);
            }
            customers.active().len() as f64 / 2_000.0
        };
        // Five years at a base rate of once in 260 weeks keep exp(-1) of them.
        let (loyal, neutral, disloyal) = (survivors(2.0), survivors(0.0), survivors(-2.0));
        assert!((neutral - (-1.0f64).exp()).abs() < 0.04, "{neutral}");
        assert!(
            loyal > neutral + 0.2 && disloyal < neutral - 0.15,
            "{loyal} {neutral} {disloyal}"
        );
    }

    #[test]
    fn incumbents_split_by_brand_size_and_restart_keeps_only_running_relationships() {
        let mut customers = Customers::new(&CustomersConfig::default(), 10_000);
        let draws = KeyedDraws::new(5, Subsystem::Customers, 0, 0);
        customers.incumbents(0.5, &[3.0, 1.0], |_| 100, &draws);
        let counts = customers.counts(2);
        let share = f64::from(counts[0] + counts[1]) / 10_000.0;
        assert!((share - 0.5).abs() < 0.02, "{share}");
        assert!((f64::from(counts[0]) / f64::from(counts[1]) - 3.0).abs() < 0.3);
        assert!(customers.log.iter().all(|r| r.start == 0 && r.sales == 0));
        let mut events = CustomerEvents {
            revenue: vec![0.0; 2],
            churned: vec![],
        };
        for period in 1..=100u32 {
            let draws = KeyedDraws::new(5, Subsystem::Customers, 0, u64::from(period));
            customers.step(period, &draws, &mut events, |_, _| 0.0);
        }
        let running = customers.active().len();
        assert!(customers.log.len() > running);
        customers.restart();
        assert_eq!(customers.log.len(), running);
        assert!(
            customers
                .log
                .iter()
                .all(|r| r.start == 0 && r.sales == 0 && r.end.is_none())
        );
        for &c in customers.active() {
            assert_eq!(customers.relationship(c).unwrap().company, c);
        }
    }

    #[test]
    fn switching_ends_the_old_relationship() {
        let mut customers = Customers::new(&CustomersConfig::default(), 3);
        let mut events = CustomerEvents {
            revenue: vec![0.0; 2],
            churned: vec![],
        };
        customers.win(1, 0, 100, 5, &mut events);
        assert_eq!(customers.brand_of(1), Some(0));
        customers.win(1, 0, 100, 6, &mut events);
        assert_eq!(customers.log.len(), 1);
        assert_eq!(customers.log[0].sales, 2);
        customers.win(1, 1, 100, 9, &mut events);
        assert_eq!(customers.brand_of(1), Some(1));
        assert_eq!(customers.log[0].end, Some(9));
        assert_eq!(customers.counts(2), vec![0, 1]);
        assert!((events.revenue[0] - 100_000.0).abs() < 1e-6);
    }
}
