use candour_domain::{KeyQuestion, KeyQuestionRatings, Rating};
use candour_engine::{Judgement, OneInadequate, Policy, Rounding, Rule, overall_rating};
use serde_json::{Value, json};

use crate::{kq, rate_group, rate_json};

use Rating::{Good, Inadequate, Outstanding, RequiresImprovement};

/// A care home group where every key question but Safe is scored 3 (Good), with
/// Safe scored as given.
fn with_safe(safe: Value) -> Value {
    json!({"name": "Care home service", "key_questions": {
        "safe": safe, "effective": {"E1": 3}, "caring": {"C1": 3}, "responsive": {"R1": 3}, "well_led": {"W1": 3}}})
}

fn safe_result(safe: Value, policy: Value) -> candour_engine::KeyQuestionResult {
    kq(&rate_group(with_safe(safe), policy).expect("rates"), "safe").clone()
}

/// Eight Safe statements with the given scores.
fn safe_scores(scores: [u8; 8]) -> Value {
    let map: serde_json::Map<String, Value> =
        scores.iter().enumerate().map(|(i, s)| (format!("S{}", i + 1), json!(s))).collect();
    Value::Object(map)
}

#[test]
fn the_issue_example_gives_the_issue_output() {
    let input: Value = serde_json::from_str(include_str!("../../../../examples/assessment.json")).unwrap();
    let result = rate_json(input).unwrap();
    let safe = kq(&result, "safe");
    assert_eq!((safe.percent, safe.percent_rounded, safe.rating), (Some(66.67), Some(67), Some(Good)));
    assert_eq!((safe.limited_by, safe.statements_used, safe.carried), (None, 3, false));
    assert_eq!(kq(&result, "caring").rating, Some(Good));
    assert!(kq(&result, "caring").carried);
    assert_eq!(kq(&result, "responsive").rating, Some(Outstanding));
    let overall = result.service_groups[0].overall.as_ref().unwrap();
    assert_eq!((overall.rating, overall.rule), (Good, Rule::OtherwiseGood));
    assert_eq!(result.location_overall.as_ref().map(|o| o.rating), Some(Good));
    assert!(result.policy_is_default);
}

#[test]
fn seven_statements_all_3_is_75_percent() {
    let r = rate_group(
        json!({"name": "Homecare agencies", "key_questions": {
            "safe": {"S1": 3}, "effective": {"E1": 3}, "caring": {"C1": 3},
            "responsive": {"R1": 3, "R2": 3, "R3": 3, "R4": 3, "R5": 3, "R6": 3, "R7": 3}, "well_led": {"W1": 3}}}),
        json!({}),
    )
    .unwrap();
    let responsive = kq(&r, "responsive");
    assert_eq!((responsive.sum, responsive.max, responsive.percent), (Some(21), Some(28), Some(75.0)));
    assert_eq!(responsive.rating, Some(Good));
}

#[test]
fn sixty_two_and_a_half_percent_depends_on_rounding() {
    let scores = safe_scores([3, 3, 3, 3, 2, 2, 2, 2]); // 20 of 32
    let half_up = safe_result(scores.clone(), json!({}));
    assert_eq!((half_up.percent, half_up.percent_rounded, half_up.rating), (Some(62.5), Some(63), Some(Good)));
    assert!(half_up.steps[0].text.contains("62.5 %, rounded half up to 63 %"), "{}", half_up.steps[0].text);
    for (rounding, rounded) in [("half_even", Some(62)), ("floor", Some(62)), ("none", None)] {
        let r = safe_result(scores.clone(), json!({"rounding": rounding}));
        assert_eq!(
            (r.percent, r.percent_rounded, r.rating),
            (Some(62.5), rounded, Some(RequiresImprovement)),
            "{rounding}"
        );
    }
}

#[test]
fn eighty_seven_and_a_half_percent_depends_on_rounding() {
    let scores = safe_scores([4, 4, 4, 4, 3, 3, 3, 3]); // 28 of 32
    for (rounding, rating) in [("half_up", Outstanding), ("half_even", Outstanding), ("floor", Good), ("none", Good)] {
        let r = safe_result(scores.clone(), json!({"rounding": rounding}));
        assert_eq!((r.percent, r.rating), (Some(87.5), Some(rating)), "{rounding}");
    }
}

#[test]
fn thirty_eight_is_inadequate_and_thirty_nine_requires_improvement() {
    // 12 of 32 = 37.5 %, rounded half up to 38 %.
    let r = safe_result(safe_scores([2, 2, 2, 2, 1, 1, 1, 1]), json!({}));
    assert_eq!((r.percent_rounded, r.rating), (Some(38), Some(Inadequate)));
    // 11 of 28 = 39.29 %, rounded to 39 %.
    let group = json!({"name": "Care home service", "key_questions": {
        "safe": {"S1": 3}, "effective": {"E1": 3}, "caring": {"C1": 3},
        "responsive": {"R1": 2, "R2": 2, "R3": 2, "R4": 2, "R5": 1, "R6": 1, "R7": 1}, "well_led": {"W1": 3}}});
    let r = rate_group(group, json!({})).unwrap();
    let responsive = kq(&r, "responsive");
    assert_eq!(
        (responsive.percent, responsive.percent_rounded, responsive.rating),
        (Some(39.29), Some(39), Some(RequiresImprovement))
    );
}

#[test]
fn every_statement_scored_1_is_25_percent_inadequate() {
    let r = safe_result(safe_scores([1; 8]), json!({}));
    assert_eq!((r.percent, r.rating, r.rule), (Some(25.0), Some(Inadequate), Some(Rule::Band)));
}

#[test]
fn one_statement_only_is_rated_on_that_statement() {
    let r = safe_result(json!({"S3": 4}), json!({}));
    assert_eq!((r.statements_used, r.percent, r.rating), (1, Some(100.0), Some(Outstanding)));
    let r = safe_result(json!({"S6": 2}), json!({}));
    assert_eq!((r.statements_used, r.percent, r.rating), (1, Some(50.0), Some(RequiresImprovement)));
}

#[test]
fn carried_over_scores_count_and_are_marked_with_their_date() {
    let r = safe_result(json!({"S1": 2, "S2": {"score": 4, "carried_from": "2023-05-02"}}), json!({}));
    assert_eq!((r.statements_used, r.statements_carried, r.percent), (2, 1, Some(75.0)));
    let carried = r.statements.iter().find(|s| s.id.to_string() == "S2").unwrap();
    assert_eq!(carried.carried_from.map(|d| d.to_string()).as_deref(), Some("2023-05-02"));
    assert!(
        r.steps[0].text.contains("Safe systems, pathways and transitions 4 (carried from 2023-05-02)"),
        "{}",
        r.steps[0].text
    );
    assert!(!r.carried, "the key question itself was reassessed");
}

#[test]
fn a_focused_assessment_combines_new_and_standing_ratings() {
    let group = json!({"name": "Care home service", "key_questions": {
        "safe": {"S1": 1, "S2": 2, "S3": 1},
        "effective": {"rating": "Good", "rated_on": "2022-11-01"},
        "caring": {"rating": "outstanding"},
        "responsive": {"rating": "Requires Improvement"},
        "well_led": {"rating": "good"}}});
    let r = rate_group(group, json!({})).unwrap();
    let effective = kq(&r, "effective");
    assert!(effective.carried);
    assert_eq!(
        (effective.rating, effective.rule, effective.statements_used),
        (Some(Good), Some(Rule::StandingRating), 0)
    );
    assert_eq!(effective.rated_on.map(|d| d.to_string()).as_deref(), Some("2022-11-01"));
    assert_eq!(kq(&r, "safe").rating, Some(Inadequate));
    let overall = r.service_groups[0].overall.as_ref().unwrap();
    // One Inadequate (Safe, new) and one Requires improvement (Responsive, standing).
    assert_eq!((overall.rating, overall.rule), (RequiresImprovement, Rule::OneInadequate));
}

#[test]
fn a_key_question_without_scores_or_standing_rating_leaves_no_overall() {
    let group = json!({"name": "Care home service", "key_questions": {
        "safe": {"S1": 3}, "effective": {}, "caring": {"C1": 3}, "responsive": {"R1": 3}}});
    let r = rate_group(group, json!({})).unwrap();
    assert_eq!(kq(&r, "effective").rating, None);
    assert_eq!(kq(&r, "well_led").rating, None);
    assert!(kq(&r, "well_led").reason.as_deref().unwrap().contains("not assessed"));
    let group = &r.service_groups[0];
    assert!(group.overall.is_none());
    let reason = group.reason.as_deref().unwrap();
    assert!(reason.contains("Effective and Well-led"), "{reason}");
    assert!(r.location_overall.is_none());
    assert_eq!(r.location_reason.as_deref(), Some(reason));
}

fn ratings(values: [Rating; 5]) -> KeyQuestionRatings {
    let mut r = KeyQuestionRatings::default();
    for (kq, rating) in KeyQuestion::ALL.into_iter().zip(values) {
        r.set(kq, Some(rating));
    }
    r
}

fn overall(values: [Rating; 5], breach: bool, policy: &Policy) -> (Rating, Rule) {
    let o = overall_rating(&ratings(values), breach, None, policy).expect("all rated");
    (o.rating, o.rule)
}

#[test]
fn the_overall_principles_in_order() {
    let p = Policy::default();
    assert_eq!(
        overall([Inadequate, Inadequate, Good, Good, Outstanding], false, &p),
        (Inadequate, Rule::TwoInadequate)
    );
    assert_eq!(
        overall([RequiresImprovement, Good, RequiresImprovement, Good, Good], false, &p),
        (RequiresImprovement, Rule::TwoRequiresImprovement)
    );
    assert_eq!(overall([Good, Good, Good, Good, RequiresImprovement], false, &p), (Good, Rule::OtherwiseGood));
    assert_eq!(overall([Outstanding, Outstanding, Good, Good, Good], false, &p), (Outstanding, Rule::Outstanding));
    assert_eq!(overall([Outstanding; 5], false, &p), (Outstanding, Rule::Outstanding));
    assert_eq!(overall([Outstanding, Good, Good, Good, Good], false, &p), (Good, Rule::OtherwiseGood));
    // Two Outstanding but one Requires improvement: the rest are not all Good.
    assert_eq!(
        overall([Outstanding, Outstanding, RequiresImprovement, Good, Good], false, &p),
        (Good, Rule::OtherwiseGood)
    );
}

#[test]
fn exactly_one_inadequate_follows_the_policy() {
    let default = Policy::default();
    let harsh = Policy { one_inadequate: OneInadequate::Inadequate, ..Policy::default() };
    let one = [Good, Inadequate, Good, Outstanding, Good];
    assert_eq!(overall(one, false, &default), (RequiresImprovement, Rule::OneInadequate));
    assert_eq!(overall(one, false, &harsh), (Inadequate, Rule::OneInadequate));
    // With two Requires improvement as well: most severe first.
    let mixed = [RequiresImprovement, Inadequate, RequiresImprovement, Good, Good];
    assert_eq!(overall(mixed, false, &default), (RequiresImprovement, Rule::TwoRequiresImprovement));
    assert_eq!(overall(mixed, false, &harsh), (Inadequate, Rule::OneInadequate));
    // An explicit order is followed as given.
    let ordered: Policy = serde_json::from_value(json!({"one_inadequate": "inadequate",
        "overall_order": ["two_inadequate", "two_requires_improvement", "one_inadequate", "outstanding"]}))
    .unwrap();
    assert_eq!(overall(mixed, false, &ordered), (RequiresImprovement, Rule::TwoRequiresImprovement));
}

#[test]
fn a_breach_caps_an_otherwise_outstanding_service() {
    let p = Policy::default();
    let outstanding = [Outstanding, Outstanding, Good, Good, Good];
    assert_eq!(overall(outstanding, true, &p), (RequiresImprovement, Rule::BreachCap));
    let o = overall_rating(&ratings(outstanding), true, None, &p).unwrap();
    assert!(o.explanation.contains("alone give Outstanding"), "{}", o.explanation);
    // The cap never raises a rating.
    assert_eq!(overall([Inadequate, Inadequate, Good, Good, Good], true, &p), (Inadequate, Rule::TwoInadequate));
    // Through the whole engine too.
    let group = json!({"name": "Care home service", "breach": true, "key_questions": {
        "safe": {"S1": 4}, "effective": {"E1": 4}, "caring": {"C1": 3}, "responsive": {"R1": 3}, "well_led": {"W1": 3}}});
    let r = rate_group(group, json!({})).unwrap();
    let o = r.service_groups[0].overall.as_ref().unwrap();
    assert_eq!((o.rating, o.rule, o.computed_rating), (RequiresImprovement, Rule::BreachCap, RequiresImprovement));
}

fn outstanding_well_led(facts: Value, policy: Value) -> candour_engine::KeyQuestionResult {
    let mut group = json!({"name": "Care home service", "key_questions": {
        "safe": {"S1": 4}, "effective": {"E1": 4}, "caring": {"C1": 4}, "responsive": {"R1": 4},
        "well_led": {"W1": 4, "W2": 4, "W3": 4}}});
    for (key, value) in facts.as_object().unwrap() {
        group[key] = value.clone();
    }
    kq(&rate_group(group, policy).unwrap(), "well_led").clone()
}

#[test]
fn well_led_is_capped_without_a_registered_manager_or_notifications() {
    let r = outstanding_well_led(json!({}), json!({}));
    assert_eq!((r.rating, r.limited_by), (Some(Outstanding), None));

    let r = outstanding_well_led(json!({"registered_manager": false}), json!({}));
    assert_eq!((r.band, r.rating), (Some(Outstanding), Some(RequiresImprovement)));
    assert_eq!(r.limited_by, Some(Rule::WellLedCapNoRegisteredManager));

    let r =
        outstanding_well_led(json!({"registered_manager": false, "manager_recruitment_under_way": true}), json!({}));
    assert_eq!(r.rating, Some(Outstanding));

    let r = outstanding_well_led(json!({"notifications_ok": false}), json!({}));
    assert_eq!((r.rating, r.limited_by), (Some(RequiresImprovement), Some(Rule::WellLedCapNotifications)));

    let r = outstanding_well_led(json!({"notifications_ok": false}), json!({"well_led_caps": false}));
    assert_eq!((r.rating, r.limited_by), (Some(Outstanding), None));
    assert!(r.steps.iter().any(|s| s.text.contains("caps are off")));

    // Only Well-led is capped, and a standing Well-led rating is not reassessed.
    let group = json!({"name": "Care home service", "registered_manager": false, "key_questions": {
        "safe": {"S1": 4}, "effective": {"E1": 4}, "caring": {"C1": 4}, "responsive": {"R1": 4},
        "well_led": {"rating": "outstanding"}}});
    let r = rate_group(group, json!({})).unwrap();
    assert_eq!(kq(&r, "safe").rating, Some(Outstanding));
    assert_eq!(kq(&r, "well_led").rating, Some(Outstanding));
}

#[test]
fn limiters_cap_a_band_with_low_statements_when_on() {
    // 3+3+3+3+3+3+3+1 = 22 of 32 = 68.75 %: Good with a 1.
    let good_with_1 = safe_scores([3, 3, 3, 3, 3, 3, 3, 1]);
    let on = safe_result(good_with_1.clone(), json!({}));
    assert_eq!(
        (on.band, on.rating, on.limited_by),
        (Some(Good), Some(RequiresImprovement), Some(Rule::LimiterScored1))
    );
    assert!(on.steps[1].text.contains("Medicines optimisation scored 1"), "{}", on.steps[1].text);
    let off = safe_result(good_with_1, json!({"limiters": false}));
    assert_eq!((off.rating, off.limited_by), (Some(Good), None));

    // 4×7 + 2 = 30 of 32 = 93.75 %: Outstanding with a 2.
    let outstanding_with_2 = safe_scores([4, 4, 4, 4, 4, 4, 4, 2]);
    let on = safe_result(outstanding_with_2.clone(), json!({}));
    assert_eq!((on.rating, on.limited_by), (Some(Good), Some(Rule::LimiterScored1Or2)));
    let off = safe_result(outstanding_with_2, json!({"limiters": false}));
    assert_eq!(off.rating, Some(Outstanding));

    // 4×7 + 1 = 29 of 32 = 90.63 %: Outstanding with a 1 is limited to Good.
    let on = safe_result(safe_scores([4, 4, 4, 4, 4, 4, 4, 1]), json!({}));
    assert_eq!((on.band, on.rating, on.limited_by), (Some(Outstanding), Some(Good), Some(Rule::LimiterScored1Or2)));

    // Requires improvement with a 1 is not limited further.
    let r = safe_result(safe_scores([3, 3, 2, 2, 2, 2, 2, 1]), json!({}));
    assert_eq!((r.rating, r.limited_by), (Some(RequiresImprovement), None));
}

#[test]
fn a_judgement_needs_a_reason_and_keeps_the_computed_rating() {
    assert!(Judgement::new(Good, "  ").is_err());
    let mut group = with_safe(json!({"S1": 3, "S2": 3}));
    group["judgements"] = json!({"safe": {"rating": "requires_improvement"}});
    let e = rate_group(group.clone(), json!({})).unwrap_err();
    assert_eq!(e.path, "service_groups[0].judgements.safe");
    assert!(e.message.contains("reason"), "{e}");

    group["judgements"] = json!({"safe": {"rating": "requires_improvement", "reason": ""}});
    let e = rate_group(group.clone(), json!({})).unwrap_err();
    assert!(e.message.contains("needs a reason"), "{e}");

    group["judgements"] =
        json!({"safe": {"rating": "Requires improvement", "reason": "Two unreported falls found on the visit."}});
    let r = rate_group(group.clone(), json!({})).unwrap();
    let safe = kq(&r, "safe");
    assert_eq!(
        (safe.computed_rating, safe.rating, safe.rule),
        (Some(Good), Some(RequiresImprovement), Some(Rule::Judgement))
    );
    assert_eq!(safe.judgement.as_ref().map(|j| j.reason()), Some("Two unreported falls found on the visit."));

    group["judgements"] = json!({"overall": {"rating": "requires_improvement", "reason": "Leadership instability."}});
    let r = rate_group(group, json!({})).unwrap();
    let o = r.service_groups[0].overall.as_ref().unwrap();
    assert_eq!((o.computed_rating, o.rating, o.rule), (Good, RequiresImprovement, Rule::Judgement));
    assert!(o.explanation.contains("Leadership instability."));
}

#[test]
fn a_judgement_needs_something_to_depart_from() {
    let mut group = json!({"name": "Care home service", "key_questions": {"safe": {"rating": "good"}},
        "judgements": {"safe": {"rating": "inadequate", "reason": "New concerns."}}});
    let e = rate_group(group.clone(), json!({})).unwrap_err();
    assert_eq!(e.path, "service_groups[0].judgements.safe");
    group["judgements"] = json!({"caring": {"rating": "good", "reason": "Seen on the visit."}});
    let e = rate_group(group.clone(), json!({})).unwrap_err();
    assert_eq!(e.path, "service_groups[0].judgements.caring");
    group["judgements"] = json!({"overall": {"rating": "good", "reason": "Seen on the visit."}});
    let e = rate_group(group, json!({})).unwrap_err();
    assert_eq!(e.path, "service_groups[0].judgements.overall");
}

#[test]
fn evidence_category_scores_make_a_statement_score() {
    let r = rate_group(
        json!({"name": "Care home service with nursing", "key_questions": {
            "effective": {"E1": {"people_experience": 3, "staff_feedback": 2, "partner_feedback": 3, "processes": 3}}}}),
        json!({}),
    )
    .unwrap();
    let statement = &kq(&r, "effective").statements[0];
    let working = statement.from_categories.as_ref().unwrap();
    assert_eq!((working.sum, working.max, working.percent, working.percent_rounded), (11, 16, 68.75, Some(69)));
    assert_eq!((working.band, statement.score.get()), (Good, 3));
    assert!(working.text.contains("= 11 of 16 = 68.75 %, rounded half up to 69 %"), "{}", working.text);

    // The back-mapping bands are policy.
    let r = rate_group(
        json!({"name": "Care home service with nursing", "key_questions": {
            "effective": {"E1": {"people_experience": 3, "staff_feedback": 2, "partner_feedback": 3, "processes": 3}}}}),
        json!({"category_bands": {"outstanding": 90, "good": 70, "requires_improvement": 40}}),
    )
    .unwrap();
    assert_eq!(kq(&r, "effective").statements[0].score.get(), 2);
    assert!(!r.policy_is_default);
}

#[test]
fn categories_must_apply_to_the_statement_and_service_type() {
    let e = rate_group(
        json!({"name": "Homecare agencies", "key_questions": {"safe": {"S3": {"observation": 3, "processes": 3}}}}),
        json!({}),
    )
    .unwrap_err();
    assert_eq!(e.path, "service_groups[0].key_questions.safe.S3.observation");
    assert!(e.message.contains("homecare"), "{e}");
    // The same for a care home is fine.
    assert!(
        rate_group(
            json!({"name": "Care home service", "key_questions": {"safe": {"S3": {"observation": 3}}}}),
            json!({})
        )
        .is_ok()
    );
    // The service type can be given instead of worked out from the name.
    let e = rate_group(
        json!({"name": "Riverside", "service_type": "shared_lives",
               "key_questions": {"safe": {"S3": {"observation": 3}}}}),
        json!({}),
    )
    .unwrap_err();
    assert!(e.message.contains("shared_lives"), "{e}");
}

#[test]
fn statements_must_exist_under_their_own_key_question() {
    let e = rate_group(with_safe(json!({"S1": 3, "S9": 3})), json!({})).unwrap_err();
    assert_eq!(e.path, "service_groups[0].key_questions.safe.S9");
    assert!(e.message.contains("S1–S8"), "{e}");
    let e = rate_group(with_safe(json!({"E1": 3})), json!({})).unwrap_err();
    assert_eq!(e.path, "service_groups[0].key_questions.safe.E1");
    assert!(e.message.contains("belongs to Effective, not Safe"), "{e}");
}

#[test]
fn several_service_groups_have_no_location_rating() {
    let r = rate_json(json!({"service_groups": [
        with_safe(json!({"S1": 4, "S2": 4})),
        {"name": "Homecare agencies", "key_questions": {
            "safe": {"S1": 1}, "effective": {"E1": 1}, "caring": {"C1": 3}, "responsive": {"R1": 3}, "well_led": {"W1": 3}}}
    ]}))
    .unwrap();
    let ratings: Vec<_> = r.service_groups.iter().map(|g| g.overall.as_ref().map(|o| o.rating)).collect();
    assert_eq!(ratings, [Some(Good), Some(Inadequate)]);
    assert!(r.location_overall.is_none());
    assert!(r.location_reason.as_deref().unwrap().contains("2 service groups"));
    let rendered = serde_json::to_value(&r).unwrap();
    assert_eq!(rendered["location_overall"], Value::Null);
}

#[test]
fn bad_groups_and_policies_are_named() {
    let e = rate_json(json!({"service_groups": []})).unwrap_err();
    assert_eq!(e.path, "service_groups");
    let e = rate_json(json!({"service_groups": [{"name": "A"}, {"name": " a "}]})).unwrap_err();
    assert_eq!(e.path, "service_groups[1].name");
    let e = rate_json(json!({"service_groups": [{"name": "  "}]})).unwrap_err();
    assert_eq!(e.path, "service_groups[0].name");
    let e = rate_group(
        with_safe(json!({"S1": 3})),
        json!({"category_bands": {"outstanding": 50, "good": 63, "requires_improvement": 39}}),
    )
    .unwrap_err();
    assert_eq!(e.path, "policy.category_bands");
    let e = rate_group(with_safe(json!({"S1": 3})), json!({"rounding": "up"})).unwrap_err();
    assert_eq!(e.path, "policy.rounding");
}

#[test]
fn results_name_the_policy_that_produced_them() {
    let r = rate_group(with_safe(json!({"S1": 3})), json!({"rounding": "floor", "limiters": false})).unwrap();
    assert_eq!(r.policy.rounding, Rounding::Floor);
    assert!(!r.policy.limiters && !r.policy_is_default);
    let rendered = serde_json::to_value(&r).unwrap();
    assert_eq!(rendered["policy"]["rounding"], "floor");
    assert_eq!(rendered["policy"]["one_inadequate"], "requires_improvement");
    assert_eq!(rendered["framework"]["version"], "2024.12");
    // And the result reads back, so it can be stored and shown later.
    let back: candour_engine::AssessmentResult = serde_json::from_value(rendered).unwrap();
    assert_eq!(back, r);
}
