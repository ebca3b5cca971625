//! The people's own verdict: per service, what the people who use it, their families
//! and advocates said over the last twelve complete months (staff and partners apart),
//! as five measures each set against similar services, and a verdict from the outcome
//! score. The statistics are those of the fair-comparison notes: a 95 % interval of the
//! service's own figure, shrinkage towards the peers (beta-binomial for proportions,
//! normal for means) and the over-dispersion-adjusted z against the peers.
//!
//! Only complete months count, so the figures move once a month and never with one
//! person's answer; under the policy's minimum of answers nothing but the verdict
//! "not enough responses" is given.

use std::borrow::Borrow;

use serde::Serialize;

use candour_domain::people::PeopleStanding;
pub use candour_domain::people::Verdict;
use candour_domain::returns::Month;
use candour_domain::voice::MIN_RESPONSES_SHOWN;

use crate::monitoring::{
    Comparison, Measure, Service, ServiceMonth, Statistic, compare_group, first_change, month_index, peer_groups,
};
use crate::stats::{DispersionOptions, StatsError, Z_95, beta_prior, median, wilson};

/// The choices behind the people's rating; stated with every rating.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PeoplePolicy {
    /// Complete months of answers, ending with the month before the current one.
    pub window_months: u32,
    /// Below this many answers to the outcome questions there is no rating, only
    /// "not enough responses"; likewise a measure below it has no figures.
    pub min_answers: u32,
    /// |z_adj| of the outcome score beyond this is better or worse than similar services.
    pub verdict_z: f64,
    /// The τ² rules of the comparisons (their `min_n` is `min_answers`).
    pub dispersion: DispersionOptions,
    /// A month with at least `burst_floor` responses and `burst_factor` times the
    /// service's usual monthly number is a burst: held out of the rating until a
    /// moderator decides it counts. The usual number is the median of its other months
    /// with responses, over the window and the twelve months before it.
    pub burst_factor: f64,
    pub burst_floor: u32,
}

/// The smallest minimum of answers a policy may set: no rating from fewer than five.
pub const MIN_ANSWERS_FLOOR: u32 = MIN_RESPONSES_SHOWN;

impl Default for PeoplePolicy {
    fn default() -> Self {
        PeoplePolicy {
            window_months: 12,
            min_answers: MIN_ANSWERS_FLOOR,
            verdict_z: Z_95,
            dispersion: DispersionOptions { min_n: MIN_ANSWERS_FLOOR, ..DispersionOptions::default() },
            burst_factor: 4.0,
            burst_floor: 20,
        }
    }
}

impl PeoplePolicy {
    pub fn validate(&self) -> Result<(), StatsError> {
        self.dispersion.validate()?;
        let value = |v: u32| f64::from(v);
        if self.min_answers < MIN_ANSWERS_FLOOR {
            let expected = "at least 5: fewer could point to a person";
            return Err(StatsError { name: "the minimum of answers", expected, value: value(self.min_answers) });
        }
        if self.window_months == 0 {
            return Err(StatsError { name: "the window", expected: "at least 1 month", value: 0.0 });
        }
        if !(self.verdict_z > 0.0 && self.verdict_z.is_finite()) {
            return Err(StatsError { name: "the verdict's z", expected: "a number above 0", value: self.verdict_z });
        }
        if !(self.burst_factor >= 1.0 && self.burst_factor.is_finite()) {
            let expected = "a number of at least 1";
            return Err(StatsError { name: "the burst factor", expected, value: self.burst_factor });
        }
        if self.burst_floor == 0 {
            return Err(StatsError { name: "the smallest burst", expected: "at least 1 response", value: 0.0 });
        }
        Ok(())
    }

    /// The comparisons' options, with the rating's own minimum.
    fn comparison(&self) -> DispersionOptions {
        DispersionOptions { min_n: self.min_answers, ..self.dispersion }
    }
}

/// The five measures of the people's rating; written out as its code and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeopleMeasureKind {
    OutcomeScore,
    PositiveOverall,
    Dignity,
    Safe,
    OutcomesBetter,
}

impl PeopleMeasureKind {
    pub const ALL: [PeopleMeasureKind; 5] = [
        PeopleMeasureKind::OutcomeScore,
        PeopleMeasureKind::PositiveOverall,
        PeopleMeasureKind::Dignity,
        PeopleMeasureKind::Safe,
        PeopleMeasureKind::OutcomesBetter,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PeopleMeasureKind::OutcomeScore => "outcome_score",
            PeopleMeasureKind::PositiveOverall => "positive_overall",
            PeopleMeasureKind::Dignity => "dignity",
            PeopleMeasureKind::Safe => "safe",
            PeopleMeasureKind::OutcomesBetter => "outcomes_better",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PeopleMeasureKind::OutcomeScore => "Outcome score (0–3, the eight outcome questions)",
            PeopleMeasureKind::PositiveOverall => "Positive about the service overall",
            PeopleMeasureKind::Dignity => "Treated with dignity and respect",
            PeopleMeasureKind::Safe => "Feeling safe",
            PeopleMeasureKind::OutcomesBetter => "Personal outcomes rated better",
        }
    }

    /// The outcome score is a mean; the others are shares of answers.
    pub fn is_mean(self) -> bool {
        self == PeopleMeasureKind::OutcomeScore
    }

    fn measure(self, months: &[&ServiceMonth]) -> Measure {
        let sum = |f: fn(&ServiceMonth) -> u32| months.iter().map(|&m| f(m)).sum::<u32>();
        let share = |x, n| Measure::Proportion { x, n };
        match self {
            PeopleMeasureKind::OutcomeScore => Measure::Mean {
                n: sum(|m| m.voice.outcome_n),
                sum: months.iter().map(|m| m.voice.outcome_sum).sum(),
                sum_sq: months.iter().map(|m| m.voice.outcome_sum_sq).sum(),
            },
            PeopleMeasureKind::PositiveOverall => share(sum(|m| m.voice.positive), sum(|m| m.voice.rated)),
            PeopleMeasureKind::Dignity => share(sum(|m| m.voice.dignity_positive), sum(|m| m.voice.dignity_n)),
            PeopleMeasureKind::Safe => share(sum(|m| m.voice.safe_positive), sum(|m| m.voice.safe_n)),
            PeopleMeasureKind::OutcomesBetter => share(sum(|m| m.voice.progress_better), sum(|m| m.voice.progress_n)),
        }
    }
}

/// Sent as `{"code": "outcome_score", "name": "Outcome score"}`.
impl utoipa::PartialSchema for PeopleMeasureKind {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::ObjectBuilder;
        use utoipa::openapi::schema::Type;
        let codes: Vec<&str> = PeopleMeasureKind::ALL.iter().map(|k| k.code()).collect();
        ObjectBuilder::new()
            .property("code", ObjectBuilder::new().schema_type(Type::String).enum_values(Some(codes)))
            .property("name", ObjectBuilder::new().schema_type(Type::String))
            .required("code")
            .required("name")
            .into()
    }
}

impl utoipa::ToSchema for PeopleMeasureKind {}

impl Serialize for PeopleMeasureKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("PeopleMeasureKind", 2)?;
        out.serialize_field("code", self.code())?;
        out.serialize_field("name", self.name())?;
        out.end()
    }
}

/// One measure of a service: the figure, its 95 % interval, the shrunk estimate, the
/// peers' figure and the adjusted z. Figures are `None` under the minimum of answers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PeopleMeasure {
    #[serde(flatten)]
    pub kind: PeopleMeasureKind,
    pub n: u32,
    /// A fraction (0–1) for shares, a score (0–3) for the outcome score.
    pub value: Option<f64>,
    pub lo95: Option<f64>,
    pub hi95: Option<f64>,
    /// Pulled towards the peers by how little the service's own answers tell.
    pub shrunk: Option<f64>,
    pub peer_mean: Option<f64>,
    pub z_adj: Option<f64>,
    /// The between-service variance allowed for, for the explanation.
    pub tau2: Option<f64>,
}

/// A service's people's rating.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PeopleRating {
    /// The first and last complete months of answers.
    pub from: Month,
    pub to: Month,
    /// Answers to the outcome questions, the verdict's base; `None` when not enough.
    pub n: Option<u32>,
    pub verdict: Verdict,
    /// Empty when there are not enough responses.
    pub measures: Vec<PeopleMeasure>,
    /// Responses counted, and those typed in by staff (paper or assisted); `None` when not enough.
    pub responses: Option<u32>,
    #[serde(rename = "typed_in_by_staff")]
    pub entered: Option<u32>,
    /// Months of the window with far more responses than usual: held out of the figures
    /// unless a moderator decided they count.
    pub bursts: Vec<Burst>,
}

/// A month with far more responses than the service usually gets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Burst {
    pub month: Month,
    pub responses: u32,
    /// The service's usual responses a month (0 when it has no other months).
    pub usual: f64,
    /// A moderator's decision: counted (`Some(true)`), kept out (`Some(false)`), or
    /// awaiting review (`None`, kept out meanwhile).
    pub review: Option<bool>,
}

impl Burst {
    pub fn counts(&self) -> bool {
        self.review == Some(true)
    }
}

impl PeopleRating {
    pub fn measure(&self, kind: PeopleMeasureKind) -> Option<&PeopleMeasure> {
        self.measures.iter().find(|m| m.kind == kind)
    }

    /// The rating in brief, ranked by the shrunk outcome score (never the raw mean).
    pub fn standing(&self) -> PeopleStanding {
        let score = self.measure(PeopleMeasureKind::OutcomeScore).and_then(|m| m.shrunk);
        PeopleStanding { verdict: self.verdict, n: self.n, score, from: self.from, to: self.to }
    }
}

/// The months of answers a rating in `month` is drawn from: the `window` complete
/// months before it (the same month at the start of the calendar).
pub fn window(month: Month, window: u32) -> (Month, Month) {
    let to = month.previous().unwrap_or(month);
    (to.minus(window.saturating_sub(1)).unwrap_or(to), to)
}

/// Every service's people's rating in `month`, in the order of `services`, each
/// compared with the services that share its peer group.
pub fn rate_people<S: Borrow<Service>>(
    services: &[S],
    month: Month,
    policy: &PeoplePolicy,
) -> Result<Vec<PeopleRating>, StatsError> {
    policy.validate()?;
    let (from, to) = window(month, policy.window_months);
    let end = month_index(to);
    let bursts: Vec<Vec<Burst>> = services.iter().map(|s| bursts(s.borrow(), end, policy)).collect();
    let windows: Vec<Vec<&ServiceMonth>> = services
        .iter()
        .zip(&bursts)
        .map(|(s, bursts)| {
            let held_out = |m: &ServiceMonth| bursts.iter().any(|b| b.month == m.month && !b.counts());
            s.borrow().window(end, policy.window_months).iter().filter(|m| !held_out(m)).collect()
        })
        .collect();
    let groups = peer_groups(services);
    let mut columns = Vec::with_capacity(PeopleMeasureKind::ALL.len());
    for kind in PeopleMeasureKind::ALL {
        let measures: Vec<Measure> = windows.iter().map(|months| kind.measure(months)).collect();
        columns.push(column(kind, &measures, &groups, policy)?);
    }
    let ratings = windows.iter().zip(bursts).enumerate().map(|(i, (months, bursts))| {
        let measures: Vec<PeopleMeasure> = columns.iter().map(|column| column[i]).collect();
        rating(from, to, months, measures, bursts, policy)
    });
    Ok(ratings.collect())
}

/// Whether a service's people's rating in `month` may differ between two versions of
/// it: the rating reads only complete months before `month` and the reviews of bursts,
/// so answers this month leave it as it was.
pub fn rating_may_change(before: &Service, after: &Service, month: Month, policy: &PeoplePolicy) -> bool {
    let (_, to) = window(month, policy.window_months);
    before.burst_reviews != after.burst_reviews
        || first_change(before, after, month_index(month)).is_some_and(|from| from <= month_index(to))
}

/// The months of the window ending `end` (a month index) with a burst of responses,
/// each with its review.
fn bursts(service: &Service, end: i32, policy: &PeoplePolicy) -> Vec<Burst> {
    let history = service.window(end, policy.window_months + 12);
    let window = service.window(end, policy.window_months);
    let bursts = window.iter().filter(|m| m.voice.responses >= policy.burst_floor).filter_map(|m| {
        let others: Vec<f64> = history
            .iter()
            .filter(|o| o.month != m.month && o.voice.responses > 0)
            .map(|o| f64::from(o.voice.responses))
            .collect();
        let usual = median(&others).unwrap_or(0.0);
        let far_beyond = f64::from(m.voice.responses) >= policy.burst_factor * usual.max(1.0);
        let review = service.burst_reviews.iter().find(|(month, _)| *month == m.month).map(|&(_, counted)| counted);
        far_beyond.then_some(Burst { month: m.month, responses: m.voice.responses, usual, review })
    });
    bursts.collect()
}

fn rating(
    from: Month,
    to: Month,
    months: &[&ServiceMonth],
    measures: Vec<PeopleMeasure>,
    bursts: Vec<Burst>,
    policy: &PeoplePolicy,
) -> PeopleRating {
    let outcome = measures[0];
    let enough = outcome.n >= policy.min_answers;
    let verdict = match outcome.z_adj {
        _ if !enough => Verdict::NotEnoughResponses,
        Some(z) if z > policy.verdict_z => Verdict::Better,
        Some(z) if z < -policy.verdict_z => Verdict::Worse,
        _ => Verdict::AboutTheSame,
    };
    let sum = |f: fn(&ServiceMonth) -> u32| enough.then(|| months.iter().map(|&m| f(m)).sum());
    PeopleRating {
        from,
        to,
        n: enough.then_some(outcome.n),
        verdict,
        measures: if enough { measures } else { Vec::new() },
        responses: sum(|m| m.voice.responses),
        entered: sum(|m| m.voice.entered),
        bursts,
    }
}

/// One measure for every service, each against its peer group.
fn column(
    kind: PeopleMeasureKind,
    measures: &[Measure],
    groups: &[Vec<usize>],
    policy: &PeoplePolicy,
) -> Result<Vec<PeopleMeasure>, StatsError> {
    let options = policy.comparison();
    let mut out: Vec<PeopleMeasure> = measures.iter().map(|m| blank(kind, m.n())).collect();
    for group in groups {
        let members: Vec<Measure> = group.iter().map(|&i| measures[i]).collect();
        let statistic = if kind.is_mean() { Statistic::Mean } else { Statistic::Proportion };
        let compared = compare_group(statistic, &members, options)?;
        let shrink = Shrinkage::fit(&members, options.min_n);
        for ((&i, measure), comparison) in group.iter().zip(&members).zip(compared) {
            if let Some(c) = comparison.filter(|_| measure.n() >= policy.min_answers) {
                out[i] = figures(kind, measure, c, &shrink);
            }
        }
    }
    Ok(out)
}

fn blank(kind: PeopleMeasureKind, n: u32) -> PeopleMeasure {
    PeopleMeasure {
        kind,
        n,
        value: None,
        lo95: None,
        hi95: None,
        shrunk: None,
        peer_mean: None,
        z_adj: None,
        tau2: None,
    }
}

/// The beta prior of a group's shares; means shrink by their comparison's s and τ².
enum Shrinkage {
    Beta(crate::stats::BetaPrior),
    Normal,
}

impl Shrinkage {
    fn fit(group: &[Measure], min_n: u32) -> Shrinkage {
        let counts: Vec<(u32, u32)> = group
            .iter()
            .filter_map(|m| match *m {
                Measure::Proportion { x, n } => Some((x, n)),
                _ => None,
            })
            .collect();
        if counts.is_empty() { Shrinkage::Normal } else { Shrinkage::Beta(beta_prior(&counts, min_n)) }
    }
}

fn figures(kind: PeopleMeasureKind, measure: &Measure, c: Comparison, shrink: &Shrinkage) -> PeopleMeasure {
    let value = measure.value();
    let ((lo, hi), shrunk) = match (*measure, shrink) {
        (Measure::Proportion { x, n }, Shrinkage::Beta(prior)) => (wilson(x, n, Z_95), prior.shrunk(x, n)),
        (Measure::Mean { n, sum, sum_sq }, _) => {
            // The service's own spread for its interval; the pooled one (in s) for shrinkage.
            let own_sd = ((sum_sq - sum * sum / f64::from(n)) / f64::from(n.saturating_sub(1).max(1))).max(0.0).sqrt();
            let half = Z_95 * own_sd / f64::from(n).sqrt();
            let factor = if c.s * c.s + c.tau2 > 0.0 { c.s * c.s / (c.s * c.s + c.tau2) } else { 0.0 };
            (((value - half).max(0.0), (value + half).min(3.0)), factor * c.theta0 + (1.0 - factor) * value)
        }
        _ => ((value, value), value),
    };
    PeopleMeasure {
        kind,
        n: measure.n(),
        value: Some(value),
        lo95: Some(lo),
        hi95: Some(hi),
        shrunk: Some(shrunk),
        peer_mean: Some(c.theta0),
        z_adj: Some(c.z),
        tau2: Some(c.tau2),
    }
}

#[cfg(test)]
mod tests;
