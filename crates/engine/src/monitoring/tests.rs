//! Indicator, flag and band rules on small hand-made histories: ten identical peers
//! and one service that differs in one way at a time.

use chrono::NaiveDate;

use candour_domain::returns::{Month, MonthlyReturn};

use super::*;

const PEERS: usize = 10;

fn month() -> Month {
    Month::new(2026, 3).unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 10).unwrap()
}

/// The month `back` months before March 2026.
fn months_back(back: i32) -> Month {
    let i = index(month()) - back;
    Month::new(i.div_euclid(12), i.rem_euclid(12) as u32 + 1).unwrap()
}

/// A steady month: 20 beds, 20 staff, 6 responses (5 positive), 5 staff and 2 partners
/// answering, 3 complaints.
fn steady(back: i32) -> ServiceMonth {
    let month = months_back(back);
    let voice = VoiceMonth {
        responses: 6,
        positive: 5,
        rated: 6,
        outcome_n: 6,
        outcome_sum: 12.0,
        outcome_sum_sq: 26.0,
        stories: 2,
        critical_stories: 0,
        speak_up_n: 5,
        speak_up_sum: 10.0,
        speak_up_sum_sq: 22.0,
        enough_staff_n: 5,
        enough_staff_sum: 10.0,
        enough_staff_sum_sq: 22.0,
        partner_responses: 2,
        partner_concerns: 0,
        ..VoiceMonth::default()
    };
    let return_ = MonthlyReturn {
        month,
        headcount: 20,
        leavers: 1,
        agency_hours: 150,
        hours_worked: 3000,
        vacancies: 1,
        supervision_pct: 90,
        training_pct: 90,
        registered_manager: true,
        manager_changed: false,
        people_supported: 20,
        incidents: 4,
        restraint: 1,
        seclusion: 0,
        segregation: 0,
        notifications: 2,
        safeguarding_referrals: 0,
        complaints_received: 3,
        complaints_upheld: 1,
        complaints_on_time: 3,
    };
    ServiceMonth { month, voice, return_: Some(return_) }
}

/// 24 steady months, each changed by `tweak(months back, month)`.
fn service(id: &str, tweak: impl Fn(i32, &mut ServiceMonth)) -> Service {
    let months = (0..24)
        .rev()
        .map(|back| {
            let mut m = steady(back);
            tweak(back, &mut m);
            m
        })
        .collect();
    Service {
        id: id.into(),
        peer_group: "care_home/medium/england".into(),
        dependent: false,
        last_severe_alert: None,
        overdue_complaints: None,
        complaint_log_since: None,
        policy_reads: Some(PolicyReads { month: month(), confirmed: 18, expected: 20 }),
        burst_reviews: Vec::new(),
        months,
    }
}

fn with_peers(subject: Service) -> Vec<Service> {
    let mut services: Vec<Service> = (0..PEERS).map(|i| service(&format!("peer-{i}"), |_, _| {})).collect();
    services.push(subject);
    services
}

/// The subject's indicators and flags, computed among its ten peers.
fn run(subject: Service) -> ServiceIndicators {
    compute(&with_peers(subject), month(), today(), &MonitoringPolicy::default()).unwrap().pop().unwrap()
}

fn ret(m: &mut ServiceMonth) -> &mut MonthlyReturn {
    m.return_.as_mut().unwrap()
}

fn kinds(found: &ServiceIndicators) -> Vec<FlagKind> {
    found.flags.iter().map(|f| f.kind).collect()
}

#[test]
fn a_service_like_its_peers_has_no_evidence_of_risk_and_is_in_band_6() {
    let found = run(service("subject", |_, _| {}));
    assert_eq!(found.indicators.len(), CATALOGUE.len());
    assert!(found.indicators.iter().all(|r| r.status == Status::NoEvidenceOfRisk), "{:?}", found.indicators);
    assert!(found.flags.is_empty());
    let positive = found.indicator(Indicator::PositiveOverall).unwrap();
    assert_eq!((positive.n, positive.window_months), (18, 3));
    assert!((positive.value.unwrap() - 5.0 / 6.0).abs() < 1e-12);
    let turnover = found.indicator(Indicator::StaffTurnover).unwrap();
    // Twelve leavers over an average headcount of 20.
    assert_eq!((turnover.value, turnover.window_months), (Some(0.6), 12));
    let entry = &watchlist(&[found], &BandPolicy::default()).unwrap()[0];
    assert_eq!((entry.score, entry.band, entry.with_data), (Some(0.0), 6, CATALOGUE.len() as u32));
    assert!(entry.reasons.is_empty());
}

#[test]
fn status_boundaries_follow_the_bad_side() {
    use crate::stats::{Z_95, Z_998};
    assert_eq!(Status::of(-1.959, Bad::Low, false), Status::NoEvidenceOfRisk);
    assert_eq!(Status::of(-Z_95, Bad::Low, false), Status::Risk);
    assert_eq!(Status::of(5.0, Bad::Low, false), Status::NoEvidenceOfRisk);
    assert_eq!(Status::of(-3.09, Bad::Low, false), Status::Risk);
    assert_eq!(Status::of(-Z_998, Bad::Low, false), Status::Elevated);
    assert_eq!(Status::of(Z_998, Bad::High, false), Status::Elevated);
    assert_eq!(Status::of(-Z_998, Bad::High, false), Status::NoEvidenceOfRisk);
    assert_eq!(Status::of(-Z_95, Bad::Both, false), Status::Risk);
    assert_eq!(Status::of(Z_95, Bad::Both, false), Status::Risk);
    assert_eq!(Status::of(0.3, Bad::High, true), Status::Risk, "a CUSUM signal alone is a risk");
}

#[test]
fn unusually_few_complaints_is_a_warning_although_it_looks_good() {
    let found = run(service("subject", |_, m| ret(m).complaints_received = 0));
    let complaints = found.indicator(Indicator::Complaints).unwrap();
    assert!(complaints.comparison.unwrap().z < -1.96, "{complaints:?}");
    assert_eq!(complaints.status, Status::Risk);
    assert_eq!(kinds(&found), [FlagKind::FewComplaints]);
    let flag = &found.flags[0];
    assert!(
        flag.reason.starts_with("Unusually few complaints for the service's size: 0.00 per bed-month"),
        "{}",
        flag.reason
    );
    // The watchlist gives the reason once, from the flag, and the flag keeps it in band 3 or above.
    let entry = &watchlist(&[found], &BandPolicy::default()).unwrap()[0];
    assert_eq!(entry.reasons.iter().map(|r| r.code).collect::<Vec<_>>(), ["few_complaints"]);
    assert_eq!((entry.score_band, entry.band), (5, 3));
}

#[test]
fn slightly_fewer_or_many_complaints_raise_no_few_complaints_flag() {
    let fewer = run(service("subject", |_, m| ret(m).complaints_received = 2));
    assert_eq!(fewer.status(Indicator::Complaints), Status::NoEvidenceOfRisk);
    assert!(fewer.flags.is_empty());
    let many = run(service("subject", |_, m| ret(m).complaints_received = 9));
    assert!(many.status(Indicator::Complaints) >= Status::Risk);
    assert!(many.flags.is_empty());
}

#[test]
fn not_enough_data_never_gives_a_status_or_a_flag() {
    // One bed: 3 bed-months in the window, below the minimum of 5; no complaints at all.
    let found = run(service("subject", |_, m| {
        let r = ret(m);
        (r.people_supported, r.complaints_received) = (1, 0);
        m.voice = VoiceMonth { responses: 1, positive: 0, rated: 1, ..VoiceMonth::default() };
    }));
    for indicator in [Indicator::Complaints, Indicator::PositiveOverall, Indicator::RestrictivePractice] {
        let result = found.indicator(indicator).unwrap();
        assert_eq!(
            (result.status, result.value, result.comparison),
            (Status::NotEnoughData, None, None),
            "{indicator:?}"
        );
    }
    assert_eq!(found.indicator(Indicator::Complaints).unwrap().n, 3);
    assert!(found.flags.is_empty(), "{:?}", found.flags);
}

#[test]
fn the_minimum_n_is_the_boundary_of_a_verdict() {
    let rated = |n: u32| {
        run(service("subject", move |_, m| {
            m.voice.positive = 0;
            // n answers over the three months of the window: all negative.
            m.voice.rated = if m.month == month() { n } else { 0 };
        }))
    };
    assert_eq!(rated(4).status(Indicator::PositiveOverall), Status::NotEnoughData);
    assert_eq!(rated(5).status(Indicator::PositiveOverall), Status::Elevated);
}

#[test]
fn three_months_without_feedback_is_data_silence_and_two_is_not() {
    let silent = |months: i32| {
        run(service("subject", move |back, m| {
            if back < months {
                m.voice = VoiceMonth::default();
            }
        }))
    };
    let found = silent(3);
    assert_eq!(kinds(&found), [FlagKind::DataSilence]);
    assert_eq!(found.flags[0].reason, "No feedback from people who use the service for 3 months.");
    assert_eq!(found.flags[0].data[1].value, "2025-12");
    assert!(!kinds(&silent(2)).contains(&FlagKind::DataSilence));
    let never = silent(24);
    assert_eq!(
        never.flags[0].data,
        [
            Fact { label: "months without feedback", value: "24".into() },
            Fact { label: "last feedback", value: "never".into() }
        ]
    );
}

#[test]
fn a_missing_registered_manager_is_a_serious_flag() {
    let found = run(service("subject", |back, m| ret(m).registered_manager = back > 0));
    assert_eq!(kinds(&found), [FlagKind::NoRegisteredManager]);
    assert_eq!(found.flags[0].seriousness, Seriousness::Serious);
    let entry = &watchlist(&[found], &BandPolicy::default()).unwrap()[0];
    assert_eq!(entry.band, 2);
    let back_in_post = run(service("subject", |back, m| ret(m).registered_manager = back != 1));
    assert!(back_in_post.flags.is_empty());
}

#[test]
fn two_manager_changes_within_24_months_raise_a_flag() {
    let changes =
        |at: &'static [i32]| run(service("subject", move |back, m| ret(m).manager_changed = at.contains(&back)));
    let found = changes(&[1, 23]);
    assert_eq!(kinds(&found), [FlagKind::ManagerChanges]);
    assert_eq!(found.flags[0].reason, "The manager changed 2 times in 24 months.");
    assert!(changes(&[5]).flags.is_empty());
    // A change 24 months back is outside the period.
    let mut outside = service("subject", |back, m| ret(m).manager_changed = back == 1);
    let mut old = steady(24);
    ret(&mut old).manager_changed = true;
    outside.months.insert(0, old);
    assert!(run(outside).flags.is_empty());
}

#[test]
fn a_severe_alert_within_30_days_overrides_to_band_1() {
    let alerted = |days: i64| {
        let mut subject = service("subject", |_, _| {});
        subject.last_severe_alert = Some(today() - chrono::Duration::days(days));
        run(subject)
    };
    let found = alerted(30);
    assert_eq!(kinds(&found), [FlagKind::SevereSafeguardingAlert]);
    let entry = &watchlist(&[found], &BandPolicy::default()).unwrap()[0];
    assert_eq!((entry.score_band, entry.band), (6, 1), "good indicators do not offset the alert");
    assert!(alerted(31).flags.is_empty());
    assert!(alerted(-1).flags.is_empty(), "a date after today is not a recent alert");
    let said = |days| alerted(days).flags[0].reason.clone();
    assert_eq!(said(0), "A severe safeguarding alert was raised today.");
    assert_eq!(said(1), "A severe safeguarding alert was raised yesterday.");
    assert_eq!(said(12), "A severe safeguarding alert was raised 12 days ago.");
}

#[test]
fn a_complaint_unanswered_past_the_policy_days_keeps_the_service_in_the_concern_band() {
    let overdue = |count: u32, days: i64| {
        let mut subject = service("subject", |_, _| {});
        let oldest_due = today() - chrono::Duration::days(days);
        subject.overdue_complaints = Some(OverdueComplaints { count, oldest_due });
        run(subject)
    };
    assert!(overdue(1, 10).flags.is_empty(), "10 days late is within the policy's 10");
    let found = overdue(1, 11);
    assert_eq!(kinds(&found), [FlagKind::OverdueComplaints]);
    assert_eq!(
        found.flags[0].reason,
        "A complaint has not been answered by the deadline; the oldest was due 11 days ago."
    );
    assert_eq!(found.flags[0].data[1].value, "2026-03-30");
    let entry = &watchlist(&[found], &BandPolicy::default()).unwrap()[0];
    assert_eq!(entry.band, BandPolicy::default().concern_band);
    assert!(overdue(3, 40).flags[0].reason.starts_with("3 complaints have not been answered"));
}

#[test]
fn few_policies_read_is_a_risk_and_the_read_rate_has_no_history() {
    let reads = |confirmed: u32, at: Month| {
        let mut subject = service("subject", |_, _| {});
        subject.policy_reads = Some(PolicyReads { month: at, confirmed, expected: 20 });
        run(subject)
    };
    let low = reads(6, month());
    let rate = low.indicator(Indicator::PolicyReadRate).unwrap();
    assert_eq!((rate.value, rate.n, rate.status), (Some(0.3), 20, Status::Elevated), "{rate:?}");
    assert_eq!(reads(18, month()).indicator(Indicator::PolicyReadRate).unwrap().status, Status::NoEvidenceOfRisk);
    let stale = reads(6, months_back(1));
    assert_eq!(stale.indicator(Indicator::PolicyReadRate).unwrap().status, Status::NotEnoughData);
}

/// A dependent service gone quiet, with heavy agency use and restraint rising from
/// one to five a month in the latest window.
fn drifting(dependent: bool, rising: bool) -> Service {
    let mut subject = service("subject", move |back, m| {
        if back < 3 {
            m.voice = VoiceMonth::default();
            ret(m).restraint = if rising { 5 } else { 1 };
        }
        ret(m).agency_hours = 1500;
    });
    subject.dependent = dependent;
    subject
}

#[test]
fn the_closed_culture_pattern_needs_every_sign() {
    let found = run(drifting(true, true));
    assert_eq!(kinds(&found), [FlagKind::ClosedCulture, FlagKind::DataSilence]);
    let flag = &found.flags[0];
    assert_eq!(flag.seriousness, Seriousness::Override);
    let workforce = flag.data.iter().find(|f| f.label == "workforce signs").unwrap();
    assert_eq!(workforce.value, "Agency share of hours");
    assert_eq!(flag.data[3].value, "0.05");
    assert_eq!(flag.data[4].value, "0.25");
    assert_eq!(watchlist(&[found], &BandPolicy::default()).unwrap()[0].band, 1);
    assert!(!kinds(&run(drifting(false, true))).contains(&FlagKind::ClosedCulture));
    assert!(!kinds(&run(drifting(true, false))).contains(&FlagKind::ClosedCulture), "restraint flat");
}

fn indicators_with(statuses: &[Status]) -> ServiceIndicators {
    let indicators = CATALOGUE
        .iter()
        .zip(statuses.iter().chain(std::iter::repeat(&Status::NoEvidenceOfRisk)))
        .map(|(info, &status)| IndicatorResult {
            indicator: info.indicator,
            window_months: 3,
            n: 50,
            value: Some(0.5),
            comparison: Some(Comparison {
                theta0: 0.4,
                tau2: 0.0,
                s: 0.07,
                z: 2.5,
                lo95: 0.3,
                hi95: 0.5,
                lo998: 0.2,
                hi998: 0.6,
            }),
            cusum_signal: false,
            status,
            chart_before: ZCusum::new(0.5, 4.0).unwrap(),
        })
        .collect();
    ServiceIndicators { service_id: "s".into(), peer_group: "g".into(), month: month(), indicators, flags: vec![] }
}

#[test]
fn the_score_and_its_band() {
    use Status::{Elevated, NotEnoughData, Risk};
    // (2 risk + 2 × 1 elevated) / (2 × 19 with data) = 2/19.
    let mut service = indicators_with(&[Risk, Risk, Elevated, NotEnoughData]);
    let entry = &watchlist(std::slice::from_ref(&service), &BandPolicy::default()).unwrap()[0];
    assert_eq!((entry.risk, entry.elevated, entry.with_data), (2, 1, 19));
    assert!((entry.score.unwrap() - 2.0 / 19.0).abs() < 1e-12);
    assert_eq!(entry.band, 4);
    assert_eq!(entry.reasons[0].code, "feedback_volume", "elevated before risk");
    assert_eq!(entry.reasons.len(), 3);
    service.indicators.iter_mut().for_each(|r| r.status = NotEnoughData);
    let empty = &watchlist(&[service], &BandPolicy::default()).unwrap()[0];
    assert_eq!((empty.score, empty.band), (None, 6));
    let bands = BandPolicy::default();
    let band = |score| bands.band(Some(score));
    assert_eq!(
        [band(1.0), band(0.5), band(0.4999), band(0.3), band(0.2), band(0.1), band(0.01), band(0.0099)],
        [1, 1, 2, 2, 3, 4, 5, 6]
    );
}

#[test]
fn the_watchlist_puts_band_1_first_and_then_the_highest_score() {
    use Status::{Elevated, Risk};
    let mut low = indicators_with(&[Risk]);
    low.service_id = "low".into();
    let mut high = indicators_with(&[Elevated; 6]);
    high.service_id = "high".into();
    let mut alerted = indicators_with(&[]);
    alerted.service_id = "alerted".into();
    alerted.flags.push(Flag {
        kind: FlagKind::SevereSafeguardingAlert,
        seriousness: Seriousness::Override,
        reason: "A severe safeguarding alert was raised 2 days ago.".into(),
        data: vec![],
    });
    let list = watchlist(&[low, high, alerted], &BandPolicy::default()).unwrap();
    let order: Vec<(&str, u8)> = list.iter().map(|e| (e.service_id.as_str(), e.band)).collect();
    assert_eq!(order, [("alerted", 1), ("high", 2), ("low", 5)]);
}

#[test]
fn bad_policies_and_repeated_months_are_refused_with_a_reason() {
    let services = with_peers(service("subject", |_, _| {}));
    let policy = MonitoringPolicy { cusum_h: 0.0, ..MonitoringPolicy::default() };
    let error = compute(&services, month(), today(), &policy).unwrap_err();
    assert_eq!(error.to_string(), "the threshold h must be a number above 0 (it is 0)");
    let mut policy = MonitoringPolicy::default();
    policy.dispersion.min_n = 2;
    let error = compute(&services, month(), today(), &policy).unwrap_err();
    assert_eq!(error.to_string(), "the minimum n must be at least 3: fewer could point to a person (it is 2)");
    policy.dispersion.min_n = 3;
    assert!(compute(&services, month(), today(), &policy).is_ok());
    let bands = BandPolicy { cuts: [0.5, 0.6, 0.2, 0.1, 0.01], ..BandPolicy::default() };
    assert!(watchlist(&[], &bands).unwrap_err().to_string().starts_with("the band cut-points must fall"));
    let bands = BandPolicy { serious_band: 7, ..BandPolicy::default() };
    assert_eq!(watchlist(&[], &bands).unwrap_err().to_string(), "the serious band must be 1 to 6 (it is 7)");
    let mut twice = service("subject", |_, _| {});
    twice.months.push(steady(0));
    let error = compute(&[twice], month(), today(), &MonitoringPolicy::default()).unwrap_err();
    let expected = "service subject's months are out of order or repeated at 2026-03: give each month once, in order";
    assert_eq!(error.to_string(), expected);
    let mut unordered = service("subject", |_, _| {});
    unordered.months.swap(0, 1);
    assert!(compute(&[unordered], month(), today(), &MonitoringPolicy::default()).is_err());
}

#[test]
fn the_benchmark_agrees_with_the_watchlist_computation_and_shows_the_drift() {
    let services = with_peers(drifting(true, true));
    let policy = MonitoringPolicy::default();
    let computed = compute(&services, month(), today(), &policy).unwrap().pop().unwrap();
    for info in &CATALOGUE {
        let found = benchmark(&services, PEERS, info.indicator, month(), &policy).unwrap();
        let latest = found.latest().unwrap();
        let result = computed.indicator(info.indicator).unwrap();
        assert_eq!((latest.status, latest.value, latest.signal), (result.status, result.value, result.cusum_signal));
        assert_eq!(latest.comparison, result.comparison, "{}", info.code);
        assert_eq!(found.trend.len() as u32, policy.history_months / info.indicator.months(policy.window_months));
        assert_eq!(latest.end, month());
        assert!(found.peers.len() <= PEERS && found.peers.windows(2).all(|p| p[0].n <= p[1].n));
        assert!(found.trend.iter().all(|s| s.cusum >= 0.0));
    }
    // Restraint rose in the last window only: level before, high and out of the funnel at the end.
    let restraint = benchmark(&services, PEERS, Indicator::RestrictivePractice, month(), &policy).unwrap();
    assert_eq!(restraint.peers.len(), PEERS);
    let values: Vec<f64> = restraint.trend.iter().filter_map(|s| s.value).collect();
    assert_eq!(values.len(), 8);
    assert!(values[..7].iter().all(|&v| v == values[0]) && values[7] == 5.0 * values[0], "{values:?}");
    assert!(restraint.latest().unwrap().status >= Status::Risk);
    assert!(restraint.trend[..7].iter().all(|s| !s.signal && s.status == Status::NoEvidenceOfRisk));
}

#[test]
fn a_recompute_after_changes_equals_computing_afresh() {
    let policy = MonitoringPolicy::default();
    let before = with_peers(service("subject", |_, _| {}));
    let previous = compute(&before, month(), today(), &policy).unwrap();
    let previous: Vec<&ServiceIndicators> = previous.iter().collect();
    // The subject's latest month gains critical stories; a peer's return an incident.
    let mut after = before.clone();
    let latest = after[PEERS].months.len() - 1;
    after[PEERS].months[latest].voice.critical_stories = 2;
    after[PEERS].months[latest].voice.positive = 1;
    ret(&mut after[0].months[latest]).incidents = 9;
    let fresh = compute(&after, month(), today(), &policy).unwrap();
    let changed = [(PEERS, &before[PEERS]), (0, &before[0])];
    assert_eq!(recompute(&after, &previous, &changed, month(), today(), &policy).unwrap(), fresh);
    // Told of neither change, it keeps what was: the comparison above can fail.
    let stale = recompute(&after, &previous, &[], month(), today(), &policy).unwrap();
    assert_ne!(stale, fresh);
    assert_eq!(stale.iter().collect::<Vec<_>>(), previous, "every indicator kept");
}

#[test]
fn a_recompute_continues_the_charts_after_a_change_to_the_latest_window_alone() {
    let policy = MonitoringPolicy::default();
    // The subject runs a little below its peers month after month: its chart has climbed.
    let before = with_peers(service("subject", |_, m| m.voice.positive = 4));
    let previous = compute(&before, month(), today(), &policy).unwrap();
    let climbed = previous[PEERS].indicator(Indicator::PositiveOverall).unwrap().chart_before.values();
    assert!(climbed.1 > 0.0, "the low side's chart before the latest window: {climbed:?}");
    let previous: Vec<&ServiceIndicators> = previous.iter().collect();
    // A change in the latest window continues the charts; one in an earlier window runs them again.
    let latest = before[PEERS].months.len() - 1;
    for changed in [latest, latest - 4] {
        let mut after = before.clone();
        after[PEERS].months[changed].voice.positive = 2;
        let fresh = compute(&after, month(), today(), &policy).unwrap();
        let again = recompute(&after, &previous, &[(PEERS, &before[PEERS])], month(), today(), &policy).unwrap();
        assert_eq!(again, fresh, "a change {} months back", latest - changed);
    }
}

#[test]
fn a_recompute_sees_a_month_added_and_policy_reads_changed() {
    let policy = MonitoringPolicy::default();
    let mut before = with_peers(service("subject", |_, _| {}));
    before[PEERS].months.pop();
    let previous = compute(&before, month(), today(), &policy).unwrap();
    let previous: Vec<&ServiceIndicators> = previous.iter().collect();
    // The subject's first answers this month; a peer's staff fall behind on reading policies.
    let mut after = with_peers(service("subject", |_, _| {}));
    after[1].policy_reads = Some(PolicyReads { month: month(), confirmed: 2, expected: 20 });
    let fresh = compute(&after, month(), today(), &policy).unwrap();
    let changed = [(PEERS, &before[PEERS]), (1, &before[1])];
    assert_eq!(recompute(&after, &previous, &changed, month(), today(), &policy).unwrap(), fresh);
}
