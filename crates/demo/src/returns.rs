//! Synthetic provider returns for the demo register: each registered service's
//! monthly figures for the 24 months up to last month (from its first full month
//! for a newer service). Staff come and go around a fixed number of posts, and
//! incidents, restrictive practice and complaints follow the service's size.
//!
//! The services whose feedback deteriorates in the [`VoicePlan`] drift over the
//! same months into the pattern of a closed culture: more agency staff and
//! leavers, more restraint, less supervision, the registered manager leaving and
//! complaints drying up. The services whose feedback falls silent stop sending
//! returns too.
//!
//! Every service draws from its own seeded generator, month after month, so the
//! returns are the same for the same register, seed and day.

use std::collections::HashMap;

use candour_domain::returns::{Month, MonthlyReturn};
use candour_domain::{Location, LocationId, ServiceKind};
use candour_store::{ImportPlan, ReturnBatch, ReturnSource};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use fastrand::Rng;

use crate::pick::chance_per_mille;
use crate::voice::{self, Trend, VoicePlan};

/// How many months of returns the demo holds.
pub const RETURN_MONTHS: i32 = 24;
/// Keeps the returns' draws apart from the register's and the feedback's, made with the same seed.
const STREAM: u64 = 0x7265_7475_726e;
/// Hours a member of staff works in a month, on average (many work part time).
const HOURS_PER_STAFF: f64 = 130.0;

/// The returns of a whole register, drawn month by month.
#[derive(Debug, Clone)]
pub struct ReturnsPlan {
    services: Vec<ServiceReturns>,
    first: Month,
    last: Month,
    today: NaiveDate,
}

impl ReturnsPlan {
    /// Plans the returns of the registered services of `register` for the 24 months
    /// before the month of `today`, drifting and falling silent as `voice` says.
    pub fn new(register: &ImportPlan, voice: &VoicePlan, seed: u64, today: NaiveDate) -> Self {
        let last = shift(Month::of(today), -1);
        let first = shift(last, 1 - RETURN_MONTHS);
        let trends: HashMap<&LocationId, Trend> = voice.services().iter().map(|s| (&s.location_id, s.trend)).collect();
        let mut rng = Rng::with_seed(seed ^ STREAM);
        let services = register
            .locations
            .iter()
            .filter(|l| l.is_registered())
            .map(|l| {
                let trend = trends.get(&l.id).copied().unwrap_or(Trend::Steady);
                ServiceReturns::new(l, trend, (first, last), rng.u64(..))
            })
            .collect();
        Self { services, first, last, today }
    }

    /// The months the plan covers, oldest first.
    pub fn months(&self) -> (Month, Month) {
        (self.first, self.last)
    }

    /// How many returns the plan draws.
    pub fn total(&self) -> u64 {
        self.services.iter().map(|s| months_between(s.first, s.last).max(0) as u64).sum()
    }

    /// One batch per month, oldest first, holding every return for that month, as
    /// if the services sent them at the start of the next: memory stays bounded by
    /// the number of services however many months there are.
    pub fn into_batches(mut self) -> impl Iterator<Item = ReturnBatch> + Send {
        let mut month = self.first;
        std::iter::from_fn(move || {
            if month > self.last {
                return None;
            }
            let returns = self
                .services
                .iter_mut()
                .filter(|s| (s.first..=s.last).contains(&month))
                .map(|s| (s.location_id.clone(), s.draw(month, self.last)))
                .collect();
            let batch =
                ReturnBatch { returns, sent_by: None, sent_at: sent_at(month, self.today), source: ReturnSource::Csv };
            month = shift(month, 1);
            Some(batch)
        })
    }
}

/// One service's returns: what stays fixed over its months, and its staff, which
/// carry over from one month to the next.
#[derive(Debug, Clone)]
struct ServiceReturns {
    location_id: LocationId,
    /// The first and last months with a return.
    first: Month,
    last: Month,
    /// Beds, or people supported for a service without beds.
    places: f64,
    occupancy: f64,
    posts: u32,
    headcount: u32,
    /// Chances in a month that a member of staff leaves, and that a vacant post is filled.
    leaving: f64,
    filling: f64,
    agency_share: f64,
    supervision: f64,
    training: f64,
    /// Chances per person supported in a month.
    incidents: f64,
    restraint: f64,
    complaints: f64,
    /// The month the registered manager left, if one did before or during the returns.
    manager_left: Option<Month>,
    /// The month the service starts to drift into a closed culture.
    drift_from: Option<Month>,
    rng: Rng,
}

impl ServiceReturns {
    fn new(location: &Location, trend: Trend, (first, last): (Month, Month), seed: u64) -> Self {
        let mut rng = Rng::with_seed(seed);
        let kinds = location.service_kinds();
        let kind = kinds.first().copied().unwrap_or(ServiceKind::Other);
        let places = voice::size(location.beds, &kinds);
        let posts = ((places * staff_per_place(kind) * between(&mut rng, 0.85, 1.15)).round() as u32).max(3);
        let headcount = ((f64::from(posts) * between(&mut rng, 0.9, 0.97)).round() as u32).max(1);
        // The first full month after registration; earlier returns would be part months.
        let registered = location.registration.registered_on.map_or(first, |on| shift(Month::of(on), 1));
        let (drift_from, last) = match trend {
            Trend::Steady => (None, last),
            Trend::Deteriorating { since } => (Some(Month::of(since)), last),
            Trend::Silent { since } => (None, shift(Month::of(since), -1).min(last)),
        };
        let mut service = Self {
            location_id: location.id.clone(),
            first: registered.max(first),
            last,
            places,
            occupancy: between(&mut rng, 0.82, 0.97),
            posts,
            headcount,
            // 25–35 % of staff leave in a year.
            leaving: between(&mut rng, 0.25, 0.35) / 12.0,
            filling: between(&mut rng, 0.25, 0.4),
            agency_share: between(&mut rng, 0.05, 0.15),
            supervision: between(&mut rng, 0.8, 0.98),
            training: between(&mut rng, 0.8, 0.98),
            incidents: between(&mut rng, 0.08, 0.2),
            restraint: restraint_rate(kind) * between(&mut rng, 0.5, 1.5),
            // 0.5–2 complaints per 10 places in a year.
            complaints: between(&mut rng, 0.05, 0.2) / 12.0,
            manager_left: manager_left(location, first),
            drift_from,
            rng,
        };
        if let Some(from) = drift_from {
            // The manager leaves halfway through the drift, unless already gone.
            let leaves = shift(from, months_between(from, service.last) / 2);
            service.manager_left = Some(service.manager_left.map_or(leaves, |left| left.min(leaves)));
        }
        service
    }

    /// How far the service has drifted by `month`: 0 before the drift, rising to 1 at `end`.
    fn drift(&self, month: Month, end: Month) -> f64 {
        match self.drift_from {
            Some(from) if month >= from => {
                f64::from(months_between(from, month)) / f64::from(months_between(from, end))
            }
            _ => 0.0,
        }
    }

    /// The next month's figures; months must come in order.
    fn draw(&mut self, month: Month, end: Month) -> MonthlyReturn {
        let d = self.drift(month, end);
        let rng = &mut self.rng;

        // Staff leave, more of them as the service drifts, and fewer posts are filled.
        let leavers = binomial(rng, self.headcount, self.leaving + 0.035 * d);
        let vacant = self.posts - (self.headcount - leavers);
        self.headcount = self.headcount - leavers + binomial(rng, vacant, self.filling * (1.0 - 0.6 * d));
        let agency_share = (self.agency_share + 0.25 * d + between(rng, -0.02, 0.02)).clamp(0.0, 0.6);
        let own_hours = f64::from(self.headcount) * HOURS_PER_STAFF * between(rng, 0.95, 1.05);
        let hours_worked = (own_hours / (1.0 - agency_share)).round() as u32;

        let people = (self.places * self.occupancy * between(rng, 0.97, 1.03)).round().min(self.places) as u32;
        let incidents = binomial(rng, people, self.incidents);
        let complaints_received = binomial(rng, people, self.complaints * (1.0 - 0.85 * d));
        let manager_in_post = self.manager_left.is_none_or(|left| month < left);
        MonthlyReturn {
            month,
            headcount: self.headcount,
            leavers,
            agency_hours: (f64::from(hours_worked) * agency_share).round() as u32,
            hours_worked,
            vacancies: self.posts - self.headcount,
            supervision_pct: percent(self.supervision - 0.35 * d + between(rng, -0.03, 0.03)),
            training_pct: percent(self.training - 0.12 * d + between(rng, -0.02, 0.02)),
            registered_manager: manager_in_post,
            // A registered manager now and then hands over to another.
            manager_changed: self.manager_left == Some(month) || (manager_in_post && chance_per_mille(rng, 8)),
            people_supported: people,
            incidents,
            restraint: binomial(rng, people, self.restraint + 0.15 * d),
            seclusion: binomial(rng, people, 0.0005 + 0.01 * d),
            segregation: binomial(rng, people, 0.0002 + 0.004 * d),
            // Fewer incidents are notified as the service closes in on itself.
            notifications: binomial(rng, incidents, 0.4 * (1.0 - 0.5 * d)),
            safeguarding_referrals: binomial(rng, people, 0.008),
            complaints_received,
            complaints_upheld: binomial(rng, complaints_received, 0.4),
            complaints_on_time: binomial(rng, complaints_received, 0.88 * (1.0 - 0.3 * d)),
        }
    }
}

/// Staff employed per bed or per person supported.
fn staff_per_place(kind: ServiceKind) -> f64 {
    match kind {
        ServiceKind::CareHomeNursing => 1.4,
        ServiceKind::CareHome => 1.1,
        ServiceKind::Homecare => 0.7,
        ServiceKind::SupportedLiving => 1.6,
        ServiceKind::ExtraCareHousing => 0.6,
        // Shared Lives carers are self-employed: the scheme employs only its office.
        ServiceKind::SharedLives => 0.2,
        ServiceKind::Other => 1.0,
    }
}

/// Restraint events per person supported in a month: rare in homes for older
/// people and in visiting services, less so where people's behaviour can challenge.
fn restraint_rate(kind: ServiceKind) -> f64 {
    match kind {
        ServiceKind::CareHomeNursing | ServiceKind::CareHome => 0.004,
        ServiceKind::SupportedLiving | ServiceKind::Other => 0.02,
        ServiceKind::Homecare | ServiceKind::ExtraCareHousing | ServiceKind::SharedLives => 0.001,
    }
}

/// The month the register says the registered manager left; a month before the
/// returns begin when the register says none is in post but not since when.
fn manager_left(location: &Location, first: Month) -> Option<Month> {
    match (location.registered_manager, location.registered_manager_absent_since) {
        (Some(false), Some(since)) => Some(Month::of(since)),
        (Some(false), None) => Some(shift(first, -1)),
        _ => None,
    }
}

/// When a month's returns were sent: on the 7th of the next month, or by the end
/// of yesterday for last month's returns when that day has not yet come.
fn sent_at(month: Month, today: NaiveDate) -> DateTime<Utc> {
    let seventh = shift(month, 1).first_day() + chrono::Days::new(6);
    let sent = seventh.and_time(NaiveTime::from_hms_opt(9, 30, 0).expect("a valid time")).and_utc();
    let midnight = today.and_time(NaiveTime::MIN).and_utc();
    sent.min(midnight)
}

/// The month `months` after `month` (before it, when negative).
fn shift(month: Month, months: i32) -> Month {
    let index = month.year() * 12 + month.month() as i32 - 1 + months;
    Month::new(index.div_euclid(12), index.rem_euclid(12) as u32 + 1).expect("demo months stay in the calendar")
}

/// How many months from `from` to `to`, both included.
fn months_between(from: Month, to: Month) -> i32 {
    (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32 + 1
}

/// Uniform in `[low, high)`.
fn between(rng: &mut Rng, low: f64, high: f64) -> f64 {
    low + (high - low) * rng.f64()
}

/// Of `n` trials each with chance `p`, how many came true. Plain arithmetic, so
/// that the same seed gives the same count on every platform.
fn binomial(rng: &mut Rng, n: u32, p: f64) -> u32 {
    (0..n).filter(|_| rng.f64() < p).count() as u32
}

/// A share as a whole percentage from 0 to 100.
fn percent(share: f64) -> u8 {
    (share * 100.0).round().clamp(0.0, 100.0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(text: &str) -> Month {
        Month::parse(text).unwrap()
    }

    #[test]
    fn months_shift_across_years_and_count_both_ends() {
        assert_eq!(shift(month("2026-01"), -1), month("2025-12"));
        assert_eq!(shift(month("2025-11"), 14), month("2027-01"));
        assert_eq!(months_between(month("2024-11"), month("2026-10")), 24);
        assert_eq!(months_between(month("2026-03"), month("2026-02")), 0);
    }

    #[test]
    fn binomial_counts_come_near_their_mean() {
        let mut rng = Rng::with_seed(5);
        let total: u32 = (0..1000).map(|_| binomial(&mut rng, 40, 0.1)).sum();
        assert!((3_700..=4_300).contains(&total), "{total}");
        assert_eq!(binomial(&mut rng, 50, 0.0), 0);
        assert_eq!(binomial(&mut rng, 50, 1.0), 50);
    }

    /// Draws 24 months of a 40-bed home that drifts from May 2026, once per seed.
    fn drifting_home(seeds: u64) -> Vec<MonthlyReturn> {
        let id = LocationId::parse("1-101").unwrap();
        let mut home = Location::new(id, candour_domain::ProviderId::parse("1-102").unwrap(), "Home");
        (home.care_home, home.beds) = (true, Some(40));
        let since = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
        let trend = Trend::Deteriorating { since };
        let (first, last) = (month("2024-11"), month("2026-10"));
        let mut all = Vec::new();
        for seed in 0..seeds {
            let mut service = ServiceReturns::new(&home, trend, (first, last), seed);
            all.extend((0..RETURN_MONTHS).map(|n| service.draw(shift(first, n), last)));
        }
        all
    }

    #[test]
    fn a_drifting_service_loses_staff_and_hears_fewer_complaints() {
        let all = drifting_home(300);
        let total = |from: &str, to: &str, f: fn(&MonthlyReturn) -> u32| {
            let months = month(from)..=month(to);
            all.iter().filter(|r| months.contains(&r.month)).map(|r| f64::from(f(r))).sum::<f64>()
        };
        let per = |from, to, part, whole| total(from, to, part) / total(from, to, whole);
        let complaints = |from, to| per(from, to, |r: &MonthlyReturn| r.complaints_received, |r| r.people_supported);
        let (before, lately) = (complaints("2024-11", "2025-10"), complaints("2026-05", "2026-10"));
        assert!((0.004..0.017).contains(&before) && lately < before * 0.6, "{before:.4} then {lately:.4}");
        let turnover = |from, to| 12.0 * per(from, to, |r: &MonthlyReturn| r.leavers, |r| r.headcount);
        let (before, lately) = (turnover("2024-11", "2025-10"), turnover("2026-05", "2026-10"));
        assert!((0.25..0.35).contains(&before) && lately > 0.45, "annual turnover {before:.2} then {lately:.2}");
        let notified = |from, to| per(from, to, |r: &MonthlyReturn| r.notifications, |r| r.incidents);
        assert!(notified("2026-05", "2026-10") < notified("2024-11", "2025-10") * 0.8, "fewer incidents notified");
        assert!(all.iter().all(|r| {
            MonthlyReturn::parse(&r.to_raw(), NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()).as_ref() == Ok(r)
        }));
    }

    #[test]
    fn returns_are_sent_after_their_month_and_never_after_today() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        assert_eq!(sent_at(month("2026-09"), today).to_string(), "2026-10-07 09:30:00 UTC");
        assert_eq!(sent_at(month("2026-10"), today).to_string(), "2026-11-03 00:00:00 UTC");
    }
}
