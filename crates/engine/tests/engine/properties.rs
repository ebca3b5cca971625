//! Properties over random assessments: raising any score never lowers a rating,
//! and the order statements are listed in never matters.

use std::collections::BTreeMap;

use candour_domain::{KeyQuestion, Rating, ServiceKind};
use candour_engine::{
    Assessment, AssessmentResult, Evidence, Framework, KeyQuestionAssessment, OneInadequate, Policy, Rounding, Score,
    ServiceGroupAssessment, StandingRating, StatementAssessment, rate,
};
use proptest::prelude::*;
use proptest::sample::{Index, subsequence};

fn framework() -> &'static Framework {
    Framework::current().expect("the framework loads")
}

fn score() -> impl Strategy<Value = Score> {
    (1i64..=4).prop_map(|s| Score::new(s).expect("1 to 4"))
}

fn rating() -> impl Strategy<Value = Rating> {
    prop::sample::select(Rating::ALL.to_vec())
}

/// A statement scored directly or from some of its applicable categories.
fn statement(id: candour_engine::StatementId, kind: ServiceKind) -> impl Strategy<Value = StatementAssessment> {
    let categories = framework().categories_for(id, kind);
    let count = categories.len();
    let by_category = subsequence(categories, 1..=count)
        .prop_flat_map(|chosen| {
            let n = chosen.len();
            (Just(chosen), prop::collection::vec(score(), n))
        })
        .prop_map(|(chosen, scores)| Evidence::Categories(chosen.into_iter().zip(scores).collect::<BTreeMap<_, _>>()));
    let evidence = prop_oneof![score().prop_map(Evidence::Score), by_category];
    (evidence, any::<bool>()).prop_map(move |(evidence, carried)| StatementAssessment {
        id,
        evidence,
        carried_from: carried.then(|| chrono::NaiveDate::from_ymd_opt(2024, 3, 1).expect("a date")),
    })
}

/// A key question: some of its statements scored, or a standing rating.
fn key_question(kq: KeyQuestion, kind: ServiceKind) -> impl Strategy<Value = KeyQuestionAssessment> {
    let ids: Vec<_> = framework().statements_of(kq).map(|s| s.id).collect();
    let count = ids.len();
    let scored = subsequence(ids, 1..=count)
        .prop_flat_map(move |chosen| chosen.into_iter().map(|id| statement(id, kind)).collect::<Vec<_>>())
        .prop_map(KeyQuestionAssessment::Scored);
    let standing = (rating(), Just(None))
        .prop_map(|(rating, rated_on)| KeyQuestionAssessment::Standing(StandingRating { rating, rated_on }));
    prop_oneof![4 => scored, 1 => standing]
}

fn group() -> impl Strategy<Value = ServiceGroupAssessment> {
    let kind =
        prop::sample::select(vec![ServiceKind::CareHomeNursing, ServiceKind::Homecare, ServiceKind::SharedLives]);
    kind.prop_flat_map(|kind| {
        let kqs: Vec<_> = KeyQuestion::ALL.iter().map(|kq| key_question(*kq, kind)).collect();
        (Just(kind), kqs, any::<[bool; 4]>())
    })
    .prop_map(|(kind, kqs, [breach, manager, recruiting, notified])| {
        let mut group = ServiceGroupAssessment::new(kind.name());
        group.service_type = Some(kind);
        group.breach = breach;
        group.registered_manager = manager;
        group.manager_recruitment_under_way = recruiting;
        group.notifications_ok = notified;
        for (kq, assessment) in KeyQuestion::ALL.into_iter().zip(kqs) {
            group.key_questions.set(kq, assessment);
        }
        group
    })
}

/// Any policy whose rule order is the default (most severe first).
fn policy() -> impl Strategy<Value = Policy> {
    let rounding = prop::sample::select(vec![Rounding::HalfUp, Rounding::HalfEven, Rounding::Floor, Rounding::None]);
    let one = prop::sample::select(vec![OneInadequate::RequiresImprovement, OneInadequate::Inadequate]);
    (rounding, any::<bool>(), one, any::<bool>()).prop_map(|(rounding, limiters, one_inadequate, well_led_caps)| {
        Policy { rounding, limiters, one_inadequate, well_led_caps, ..Policy::default() }
    })
}

fn assessment() -> impl Strategy<Value = Assessment> {
    (policy(), group()).prop_map(|(policy, group)| Assessment { policy, service_groups: vec![group] })
}

/// Every score in the assessment, as (key question, statement index, category).
fn score_slots(a: &Assessment) -> Vec<(KeyQuestion, usize, Option<candour_engine::EvidenceCategory>)> {
    let mut slots = Vec::new();
    for kq in KeyQuestion::ALL {
        if let Some(KeyQuestionAssessment::Scored(statements)) = a.service_groups[0].key_questions.get(kq) {
            for (i, s) in statements.iter().enumerate() {
                match &s.evidence {
                    Evidence::Score(_) => slots.push((kq, i, None)),
                    Evidence::Categories(c) => slots.extend(c.keys().map(|c| (kq, i, Some(*c)))),
                }
            }
        }
    }
    slots
}

/// The same assessment with one score raised by one step, if it can be.
fn raised(a: &Assessment, pick: Index) -> Option<Assessment> {
    let slots = score_slots(a);
    let (kq, i, category) = *pick.get(&slots);
    let mut better = a.clone();
    let Some(KeyQuestionAssessment::Scored(statements)) = better.service_groups[0].key_questions.get_mut(kq) else {
        return None;
    };
    let evidence = &mut statements[i].evidence;
    let slot = match (evidence, category) {
        (Evidence::Score(s), None) => s,
        (Evidence::Categories(c), Some(category)) => c.get_mut(&category)?,
        _ => return None,
    };
    *slot = slot.raised()?;
    Some(better)
}

fn ratings(result: &AssessmentResult) -> Vec<Option<Rating>> {
    let group = &result.service_groups[0];
    let mut all: Vec<_> = KeyQuestion::ALL.iter().map(|kq| group.key_questions.get(*kq).rating).collect();
    all.push(group.overall.as_ref().map(|o| o.rating));
    all
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn raising_any_score_never_lowers_a_rating(a in assessment(), pick in any::<Index>()) {
        prop_assume!(!score_slots(&a).is_empty());
        let Some(better) = raised(&a, pick) else { return Ok(()) };
        let before = ratings(&rate(framework(), &a).expect("valid"));
        let after = ratings(&rate(framework(), &better).expect("valid"));
        for (was, now) in before.iter().zip(&after) {
            // Ratings order best first, so "not lower" is "not greater".
            prop_assert!(now <= was, "{before:?} became {after:?}");
        }
    }

    #[test]
    fn the_order_of_statements_never_matters(a in assessment(), seed in any::<u64>()) {
        let mut shuffled = a.clone();
        for kq in KeyQuestion::ALL {
            if let Some(KeyQuestionAssessment::Scored(statements)) = shuffled.service_groups[0].key_questions.get_mut(kq) {
                // A deterministic shuffle from the seed: sort by a hash of the ID.
                statements.sort_by_key(|s| (seed ^ u64::from(s.id.number()).wrapping_mul(0x9E37_79B9_7F4A_7C15)).rotate_left(17));
            }
        }
        let original = rate(framework(), &a).expect("valid");
        let reordered = rate(framework(), &shuffled).expect("valid");
        prop_assert_eq!(original, reordered);
    }

    #[test]
    fn assessments_round_trip_through_json(a in assessment()) {
        let text = serde_json::to_string(&a).expect("serialises");
        prop_assert_eq!(Assessment::from_json(&text).expect("reads back"), a);
    }
}
