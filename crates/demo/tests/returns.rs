//! The demo's provider returns: every one valid, a month for each month a service
//! was registered, realistic figures, the deteriorating services drifting into a
//! closed culture and the silent ones stopping, the same for the same seed.

use std::collections::HashMap;
use std::sync::OnceLock;

use candour_demo::{RETURN_MONTHS, ReturnsPlan, Scale, Trend, VoiceAuthors, VoicePlan, generate};
use candour_domain::returns::{Month, MonthlyReturn};
use candour_domain::{LocationId, UserId};
use candour_store::{ImportPlan, ReturnBatch};
use chrono::NaiveDate;

const TODAY: NaiveDate = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();

fn register() -> &'static ImportPlan {
    static PLAN: OnceLock<ImportPlan> = OnceLock::new();
    PLAN.get_or_init(|| generate(Scale::Small, 42))
}

fn voice() -> &'static VoicePlan {
    static PLAN: OnceLock<VoicePlan> = OnceLock::new();
    PLAN.get_or_init(|| VoicePlan::new(register(), 42, TODAY, VoiceAuthors { history: UserId(1), demo_provider: None }))
}

fn plan(seed: u64) -> ReturnsPlan {
    ReturnsPlan::new(register(), voice(), seed, TODAY)
}

fn batches() -> &'static Vec<ReturnBatch> {
    static ALL: OnceLock<Vec<ReturnBatch>> = OnceLock::new();
    ALL.get_or_init(|| plan(42).into_batches().collect())
}

/// Each location's returns, oldest first.
fn by_location() -> HashMap<&'static LocationId, Vec<&'static MonthlyReturn>> {
    let mut all: HashMap<&LocationId, Vec<&MonthlyReturn>> = HashMap::new();
    for (id, r) in batches().iter().flat_map(|b| &b.returns) {
        all.entry(id).or_default().push(r);
    }
    all
}

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let values: Vec<f64> = values.collect();
    values.iter().sum::<f64>() / values.len() as f64
}

#[test]
fn every_return_is_one_the_checks_accept_for_a_month_that_has_ended() {
    let all: Vec<&MonthlyReturn> = batches().iter().flat_map(|b| &b.returns).map(|(_, r)| r).collect();
    assert_eq!(all.len() as u64, plan(42).total());
    for r in &all {
        assert_eq!(MonthlyReturn::parse(&r.to_raw(), TODAY).as_ref(), Ok(*r));
        assert!(r.month <= month("2026-10"), "{}", r.month);
    }
    assert_eq!(plan(42).months(), (month("2024-11"), month("2026-10")));
    for batch in batches() {
        let sent = batch.sent_at.date_naive();
        assert!(batch.returns.iter().all(|(_, r)| sent > r.month.first_day() && sent <= TODAY));
    }
}

#[test]
fn each_registered_service_sends_a_return_for_every_full_month_until_it_falls_silent() {
    let returns = by_location();
    let trends: HashMap<&LocationId, Trend> = voice().services().iter().map(|s| (&s.location_id, s.trend)).collect();
    let mut full = 0;
    for location in register().locations.iter() {
        let months: Vec<Month> = returns.get(&location.id).map_or(Vec::new(), |r| r.iter().map(|r| r.month).collect());
        if !location.is_registered() {
            assert!(months.is_empty(), "{} is not registered", location.id);
            continue;
        }
        assert!(months.windows(2).all(|w| w[0] < w[1]), "{}: one return a month, in order", location.id);
        let registered = location.registration.registered_on.expect("a registered location has a date");
        // The first full month after registration, within the 24 months.
        let expected_first = month_after(registered).max(month("2024-11"));
        let expected_last = match trends[&location.id] {
            Trend::Silent { since } => month_before(since),
            _ => month("2026-10"),
        };
        if expected_first > expected_last {
            assert!(months.is_empty(), "{}", location.id);
            continue;
        }
        assert_eq!((months[0], *months.last().unwrap()), (expected_first, expected_last), "{}", location.id);
        assert_eq!(months.len(), months_from(expected_first, expected_last), "{}: no gaps", location.id);
        full += usize::from(months.len() == RETURN_MONTHS as usize);
    }
    let registered = register().locations.iter().filter(|l| l.is_registered()).count();
    assert!(full * 10 > registered * 8, "most services sent all 24: {full} of {registered}");
}

fn month_after(day: NaiveDate) -> Month {
    let m = Month::of(day);
    if m.month() == 12 { Month::new(m.year() + 1, 1) } else { Month::new(m.year(), m.month() + 1) }.unwrap()
}

fn month_before(day: NaiveDate) -> Month {
    let m = Month::of(day);
    if m.month() == 1 { Month::new(m.year() - 1, 12) } else { Month::new(m.year(), m.month() - 1) }.unwrap()
}

fn months_from(first: Month, last: Month) -> usize {
    ((last.year() - first.year()) * 12 + last.month() as i32 - first.month() as i32 + 1) as usize
}

#[test]
fn steady_services_report_realistic_figures() {
    let steady: Vec<&LocationId> =
        voice().services().iter().filter(|s| s.trend == Trend::Steady).map(|s| &s.location_id).collect();
    let returns = by_location();
    let all: Vec<&MonthlyReturn> =
        steady.iter().flat_map(|id| returns.get(id).into_iter().flatten()).copied().collect();
    let sum = |f: fn(&MonthlyReturn) -> u32| all.iter().map(|r| f64::from(f(r))).sum::<f64>();
    let turnover = 12.0 * sum(|r| r.leavers) / sum(|r| r.headcount);
    assert!((0.25..=0.35).contains(&turnover), "annual turnover {turnover:.2}");
    let agency = sum(|r| r.agency_hours) / sum(|r| r.hours_worked);
    assert!((0.07..=0.13).contains(&agency), "agency share {agency:.2}");
    let supervision = mean(all.iter().map(|r| f64::from(r.supervision_pct)));
    assert!((85.0..=93.0).contains(&supervision), "supervision {supervision:.1}%");
    assert!(all.iter().all(|r| (75..=100).contains(&r.training_pct)));
    let vacancies = sum(|r| r.vacancies) / (sum(|r| r.vacancies) + sum(|r| r.headcount));
    assert!((0.03..=0.15).contains(&vacancies), "vacancy rate {vacancies:.2}");
    let complaints = 120.0 * sum(|r| r.complaints_received) / sum(|r| r.people_supported);
    assert!((0.5..=2.0).contains(&complaints), "{complaints:.2} complaints per 10 people a year");
    assert!(sum(|r| r.complaints_upheld) < sum(|r| r.complaints_received) / 2.0);
    assert!(sum(|r| r.notifications) < sum(|r| r.incidents) / 2.0 && sum(|r| r.notifications) > 0.0);
    assert!(sum(|r| r.restraint) < sum(|r| r.incidents) / 5.0);
    assert!(sum(|r| r.safeguarding_referrals) < sum(|r| r.incidents) / 5.0);
    let without_manager = all.iter().filter(|r| !r.registered_manager).count();
    assert!(without_manager > 0 && without_manager < all.len() / 4, "{without_manager} months without a manager");
}

#[test]
fn the_register_says_who_has_a_registered_manager() {
    let returns = by_location();
    let drifting: Vec<&LocationId> = voice()
        .services()
        .iter()
        .filter(|s| matches!(s.trend, Trend::Deteriorating { .. }))
        .map(|s| &s.location_id)
        .collect();
    let mut checked = 0;
    for location in register().locations.iter().filter(|l| !drifting.contains(&&l.id)) {
        let Some(last) = returns.get(&location.id).and_then(|r| r.last()) else { continue };
        assert_eq!(last.registered_manager, location.registered_manager != Some(false), "{}", location.id);
        checked += 1;
    }
    assert!(checked > 200, "{checked}");
}

/// Figures over some months: a total of one field divided by a total of another.
fn rate(returns: &[&MonthlyReturn], part: fn(&MonthlyReturn) -> u32, whole: fn(&MonthlyReturn) -> u32) -> f64 {
    let total = |f: fn(&MonthlyReturn) -> u32| returns.iter().map(|r| f64::from(f(r))).sum::<f64>();
    total(part) / total(whole).max(1.0)
}

#[test]
fn deteriorating_services_drift_into_a_closed_culture() {
    let returns = by_location();
    let (mut all_before, mut all_lately) = (Vec::new(), Vec::new());
    for service in voice().services() {
        let Trend::Deteriorating { since } = service.trend else { continue };
        let (id, r) = (&service.location_id, &returns[&service.location_id]);
        let before: Vec<&MonthlyReturn> = r.iter().filter(|r| r.month <= month("2025-10")).copied().collect();
        let lately: Vec<&MonthlyReturn> = r.iter().filter(|r| r.month >= month("2026-05")).copied().collect();
        assert!(before.iter().all(|r| r.month < Month::of(since)), "{id}: the drift starts in the last nine months");

        let agency = (
            rate(&before, |r| r.agency_hours, |r| r.hours_worked),
            rate(&lately, |r| r.agency_hours, |r| r.hours_worked),
        );
        assert!(agency.1 > agency.0 + 0.08, "{id}: agency share {agency:?}");
        let restraint = (
            rate(&before, |r| r.restraint, |r| r.people_supported),
            rate(&lately, |r| r.restraint, |r| r.people_supported),
        );
        assert!(restraint.1 > restraint.0 + 0.04, "{id}: restraint per person a month {restraint:?}");
        let supervision = |rs: &[&MonthlyReturn]| mean(rs.iter().map(|r| f64::from(r.supervision_pct)));
        assert!(supervision(&lately) < supervision(&before) - 10.0, "{id}: supervision falls");
        // The registered manager leaves during the drift and none is in post at the end.
        assert!(!r.last().unwrap().registered_manager, "{id}");
        assert!(r.iter().any(|r| r.manager_changed && !r.registered_manager && r.month >= Month::of(since)), "{id}");
        all_before.extend(before);
        all_lately.extend(lately);
    }
    assert!(!all_before.is_empty(), "some services deteriorate");
    // Over all of them, since each alone has few leavers. (Complaints are too few to
    // show here: the unit tests draw many services to see them dry up.)
    let turnover =
        (rate(&all_before, |r| r.leavers, |r| r.headcount), rate(&all_lately, |r| r.leavers, |r| r.headcount));
    assert!(turnover.1 > turnover.0 * 1.5, "leavers a month per member of staff {turnover:?}");
}

#[test]
fn the_same_seed_gives_the_same_returns() {
    let again: Vec<ReturnBatch> = plan(42).into_batches().collect();
    assert!(again == *batches(), "the same returns");
    let other: Vec<ReturnBatch> = plan(43).into_batches().take(1).collect();
    assert_eq!(other[0].returns.len(), batches()[0].returns.len(), "the same services");
    assert_ne!(other[0].returns, batches()[0].returns, "other figures");
}
