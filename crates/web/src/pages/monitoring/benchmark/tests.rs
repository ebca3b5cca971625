//! The benchmark page over a synthetic national register: it agrees with the
//! watchlist when it compares England-wide, narrows with the scope, and stays
//! light enough to send with a national-size peer group.

use std::sync::Arc;
use std::time::{Duration, Instant};

use askama::Template;
use candour_domain::returns::{Month, MonthlyReturn};
use candour_domain::{LocationId, ProviderId, Region, ServiceKind};
use candour_engine::monitoring::{CATALOGUE, MonitoringPolicy, Service, ServiceMonth, VoiceMonth};
use candour_engine::stats::PeerScope;
use candour_monitor::{Inputs, ServiceFacts, Snapshot, history_start, peer_group};
use chrono::NaiveDate;

use super::indicators::{StatusTag, signed};
use super::*;

/// A deterministic stream of numbers (a linear congruential generator).
struct Numbers(u64);

impl Numbers {
    fn below(&mut self, bound: u32) -> u32 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % u64::from(bound.max(1))) as u32
    }
}

const PLACES: [(&str, Region); 3] =
    [("Leeds", Region::YorkshireAndTheHumber), ("Camden", Region::London), ("Bristol", Region::SouthWest)];

fn facts(i: usize, kind: ServiceKind, beds: Option<u32>) -> ServiceFacts {
    let (la, region) = PLACES[i % PLACES.len()];
    ServiceFacts {
        id: LocationId::parse(&format!("1-{:09}", i + 1)).unwrap(),
        name: format!("Service {i}"),
        provider_id: ProviderId::parse(&format!("1-{:09}", 500_000 + i)).unwrap(),
        provider_name: format!("Provider {i}"),
        local_authority: Some(la.to_string()),
        region: Some(region),
        kind,
        beds,
        specialisms: Vec::new(),
        last_inspection: None,
        rating: None,
    }
}

fn month_after(start: Month, k: i32) -> Month {
    let index = start.year() * 12 + start.month() as i32 - 1 + k;
    Month::new(index.div_euclid(12), index.rem_euclid(12) as u32 + 1).unwrap()
}

/// Two years of voice and returns, varying from service to service and month to month.
fn months(numbers: &mut Numbers, from: Month, count: i32) -> Vec<ServiceMonth> {
    (0..count)
        .map(|k| {
            let responses = numbers.below(9);
            let outcome_n = responses;
            let scores: Vec<f64> = (0..outcome_n).map(|_| f64::from(numbers.below(4))).collect();
            let speak_up: Vec<f64> = (0..numbers.below(4)).map(|_| f64::from(1 + numbers.below(3))).collect();
            let voice = VoiceMonth {
                responses,
                positive: numbers.below(responses + 1).max(responses / 2),
                rated: responses,
                outcome_n,
                outcome_sum: scores.iter().sum(),
                outcome_sum_sq: scores.iter().map(|s| s * s).sum(),
                stories: responses / 2,
                critical_stories: numbers.below(responses / 2 + 1) / 2,
                speak_up_n: speak_up.len() as u32,
                speak_up_sum: speak_up.iter().sum(),
                speak_up_sum_sq: speak_up.iter().map(|s| s * s).sum(),
                enough_staff_n: speak_up.len() as u32,
                enough_staff_sum: speak_up.iter().sum(),
                enough_staff_sum_sq: speak_up.iter().map(|s| s * s).sum(),
                partner_responses: numbers.below(3),
                partner_concerns: 0,
                ..VoiceMonth::default()
            };
            let month = month_after(from, k);
            let incidents = numbers.below(10);
            let complaints = numbers.below(4);
            let returned = MonthlyReturn {
                month,
                headcount: 20 + numbers.below(40),
                leavers: numbers.below(3),
                agency_hours: numbers.below(600),
                hours_worked: 3000 + numbers.below(5000),
                vacancies: numbers.below(5),
                supervision_pct: 60 + numbers.below(41) as u8,
                training_pct: 60 + numbers.below(41) as u8,
                registered_manager: true,
                manager_changed: false,
                people_supported: 10 + numbers.below(50),
                incidents,
                restraint: numbers.below(3),
                seclusion: 0,
                segregation: 0,
                notifications: numbers.below(incidents + 1),
                safeguarding_referrals: numbers.below(2),
                complaints_received: complaints,
                complaints_upheld: numbers.below(complaints + 1),
                complaints_on_time: complaints,
            };
            ServiceMonth { month, voice, return_: Some(returned) }
        })
        .collect()
}

/// `homecare` homecare agencies and a few dozen care homes, every one with two years of data.
fn snapshot(homecare: usize) -> Snapshot {
    let policy = MonitoringPolicy::default();
    let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let month = Month::of(today);
    let from = history_start(month, &policy);
    let count = (month.year() * 12 + month.month() as i32) - (from.year() * 12 + from.month() as i32) + 1;
    let mut numbers = Numbers(7);
    let all: Vec<ServiceFacts> = (0..homecare + 40)
        .map(|i| {
            if i < homecare { facts(i, ServiceKind::Homecare, None) } else { facts(i, ServiceKind::CareHome, Some(30)) }
        })
        .collect();
    let services = all
        .iter()
        .map(|f| {
            Arc::new(Service {
                id: f.id.as_str().to_string(),
                peer_group: peer_group(f, PeerScope::England).key(),
                dependent: false,
                last_severe_alert: None,
                overdue_complaints: None,
                complaint_log_since: None,
                policy_reads: None,
                burst_reviews: Vec::new(),
                months: months(&mut numbers, from, count),
            })
        })
        .collect();
    let inputs = Inputs::new(month, from, all, services, Vec::new());
    Snapshot::compute(&inputs, &policy, today, Duration::ZERO).expect("monitoring computes")
}

fn chrome() -> Chrome {
    Chrome {
        email: "inspector@example.org".to_string(),
        csrf_token: "token".to_string(),
        breadcrumbs: vec![Crumb::new("Manage", "/manage")],
        here: "How it compares".to_string(),
    }
}

fn choices(scope: &str, indicator: &str) -> Choices {
    Choices { scope: Some(scope.to_string()), indicator: Some(indicator.to_string()) }
}

fn page(snapshot: &Snapshot, target: usize, choices: &Choices) -> BenchmarkPage {
    benchmark_page(chrome(), snapshot, (target, true), choices, FormErrors::default(), "Yes".into())
        .expect("the page is built")
}

#[test]
fn a_national_group_stays_under_a_megabyte() {
    let snapshot = snapshot(3000);
    for indicator in ["agency_share", "positive_overall"] {
        let started = Instant::now();
        let built = page(&snapshot, 0, &choices("england", indicator));
        let html = built.render().expect("the page renders");
        eprintln!("homecare in England, funnel of {indicator}: {} bytes in {:?}", html.len(), started.elapsed());
        assert!(built.errors.is_empty());
        let compared = built.compared.as_ref().expect("a comparison");
        assert_eq!(compared.group_count, "3,000 services, this one included");
        assert!(html.len() < 1_000_000, "the page is {} bytes", html.len());
        for info in &CATALOGUE {
            assert!(html.contains(&format!("<h2 class=\"heading-l\" id=\"{}\">", info.code)), "{}", info.code);
            assert!(html.contains(&format!("id=\"trend-{}-title\"", info.code)), "{}", info.code);
        }
        // One funnel only, with every peer that has enough data as a dot.
        assert_eq!(html.matches("class=\"chart__peers\"").count(), 1);
        let funnel = compared.indicators.iter().find_map(|i| i.funnel.as_ref()).expect("the funnel chosen");
        assert_eq!(funnel.id, format!("funnel-{indicator}"));
        let dots = funnel.svg.split("class=\"chart__peers\">").nth(1).unwrap().split("</g>").next().unwrap();
        let peers_with_data = funnel.positions.last().unwrap().1.replace(',', "").parse::<usize>().unwrap();
        assert_eq!(dots.matches("<circle").count(), peers_with_data);
        assert!(peers_with_data > 2000, "most of the 2,999 peers have enough data: {peers_with_data}");
    }
}

#[test]
fn compared_england_wide_it_agrees_with_the_watchlist() {
    let snapshot = snapshot(150);
    let mut seen = std::collections::BTreeSet::new();
    for target in [0, 1, 77, 149, 150, 189] {
        let built = page(&snapshot, target, &choices("", ""));
        let compared = built.compared.expect("a comparison");
        let results = &snapshot.results[target];
        for (view, result) in compared.indicators.iter().zip(&results.indicators) {
            assert_eq!(view.status.label, StatusTag::of(result.status).label, "{target} {}", view.code);
            seen.insert(view.status.label);
            assert_eq!(view.code, result.indicator.info().code);
            let z = result.comparison.map_or("Not compared".to_string(), |c| signed(c.z));
            assert_eq!(view.z, z, "{target} {}", view.code);
        }
    }
    assert!(seen.len() >= 3, "the synthetic data give varied verdicts: {seen:?}");
}

#[test]
fn the_scope_narrows_the_group_and_is_refused_when_unknown() {
    let mut snapshot = snapshot(90);
    let region = page(&snapshot, 1, &choices("region", "incidents")).compared.expect("a comparison");
    assert_eq!(region.group_label, "Homecare, beds not known, in London");
    assert_eq!(region.group_count, "30 services, this one included");
    let authority = page(&snapshot, 2, &choices("local_authority", "")).compared.expect("a comparison");
    assert_eq!(authority.group_label, "Homecare, beds not known, in Bristol");
    let care_homes = page(&snapshot, 95, &choices("england", "")).compared.expect("a comparison");
    assert_eq!(care_homes.group_count, "40 services, this one included");

    for (scope, indicator, field) in [("wales", "", "scope"), ("england", "happiness", "indicator")] {
        let built = page(&snapshot, 0, &choices(scope, indicator));
        assert!(built.compared.is_none());
        assert_eq!(built.errors.len(), 1);
        assert_eq!(built.errors[0].href, format!("#{field}"));
    }
    // A service whose region is not known is offered England and its authority only.
    Arc::make_mut(&mut snapshot.facts)[3].region = None;
    let built = page(&snapshot, 3, &choices("region", ""));
    assert_eq!(built.errors[0].message, "This service's region is not known: choose England or its local authority");
    assert!(built.scope.choices.iter().all(|c| c.value != "region"));
}
