//! `candour rate` run as a person would: on the example file, on standard input,
//! and on bad inputs, each of which must be refused naming the field at fault.

mod common;

use std::process::Output;

use serde_json::Value;

use common::{candour, candour_with_input, example, result_of, text};

fn rate_stdin(input: &str) -> Output {
    candour_with_input(&["rate", "-"], input)
}

#[test]
fn rates_the_example_file() {
    let result = result_of(&candour(&["rate", example("assessment.json").to_str().expect("a UTF-8 path")]));
    let group = &result["service_groups"][0];
    let safe = &group["key_questions"]["safe"];
    assert_eq!(safe["percent"], 66.67);
    assert_eq!(safe["percent_rounded"], 67);
    assert_eq!(safe["rating"], "good");
    assert_eq!(safe["limited_by"], Value::Null);
    assert_eq!(safe["statements_used"], 3);
    assert_eq!(safe["carried"], false);
    assert_eq!(group["key_questions"]["effective"]["statements"][0]["from_categories"]["percent_rounded"], 67);
    assert_eq!(group["key_questions"]["caring"]["carried"], true);
    assert_eq!(group["key_questions"]["responsive"]["rating"], "outstanding");
    assert_eq!(group["key_questions"]["well_led"]["statements_carried"], 1);
    assert_eq!(group["overall"]["rating"], "good");
    assert_eq!(group["overall"]["rule"], "otherwise_good");
    assert_eq!(result["location_overall"]["rating"], "good");
    assert_eq!(result["policy"]["rounding"], "half_up");
    assert_eq!(result["framework"]["id"], "saf");
}

#[test]
fn reads_standard_input_and_reports_missing_ratings() {
    let input = r#"{"service_groups": [
        {"name": "Care home service", "key_questions": {"safe": {"S1": 3}}},
        {"name": "Homecare agencies", "key_questions": {"safe": {"S1": 2}}}]}"#;
    let result = result_of(&rate_stdin(input));
    assert_eq!(result["service_groups"][0]["overall"], Value::Null);
    assert!(result["service_groups"][0]["reason"].as_str().expect("a reason").contains("Effective"));
    assert_eq!(result["location_overall"], Value::Null);
    assert!(result["location_reason"].as_str().expect("a reason").contains("2 service groups"));
}

/// Each bad input, and what the error must name.
const BAD_INPUTS: &[(&str, &str, &str)] = &[
    (
        "unknown statement",
        r#"{"service_groups": [{"name": "x", "key_questions": {"safe": {"S9": 3}}}]}"#,
        "service_groups[0].key_questions.safe.S9",
    ),
    (
        "statement under the wrong key question",
        r#"{"service_groups": [{"name": "x", "key_questions": {"safe": {"E1": 3}}}]}"#,
        "service_groups[0].key_questions.safe.E1",
    ),
    (
        "score above 4",
        r#"{"service_groups": [{"name": "x", "key_questions": {"caring": {"C2": 5}}}]}"#,
        "service_groups[0].key_questions.caring.C2",
    ),
    (
        "score below 1",
        r#"{"service_groups": [{"name": "x", "key_questions": {"caring": {"C2": {"people_experience": 0}}}}]}"#,
        "service_groups[0].key_questions.caring.C2.people_experience",
    ),
    ("unknown key at the top", r#"{"polcy": {}, "service_groups": [{"name": "x"}]}"#, "polcy"),
    ("unknown key in a service group", r#"{"service_groups": [{"name": "x", "colour": "red"}]}"#, "colour"),
    ("unknown policy option", r#"{"policy": {"limiter": false}, "service_groups": [{"name": "x"}]}"#, "limiter"),
    ("unknown key question", r#"{"service_groups": [{"name": "x", "key_questions": {"kind": {"S1": 3}}}]}"#, "kind"),
    (
        "category that does not apply",
        r#"{"service_groups": [{"name": "Homecare agencies", "key_questions": {"safe": {"S3": {"observation": 3}}}}]}"#,
        "service_groups[0].key_questions.safe.S3.observation",
    ),
    (
        "judgement without a reason",
        r#"{"service_groups": [{"name": "x", "key_questions": {"safe": {"S1": 3}},
            "judgements": {"safe": {"rating": "good", "reason": ""}}}]}"#,
        "service_groups[0].judgements.safe",
    ),
    ("not JSON", r#"{"service_groups": [ {"name": "x",} ]}"#, "line 1"),
    ("no service groups", r#"{"service_groups": []}"#, "service_groups"),
];

#[test]
fn bad_inputs_are_refused_naming_the_field() {
    for (what, input, field) in BAD_INPUTS {
        let out = rate_stdin(input);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{what}: accepted");
        assert!(stderr.contains(field), "{what}: {stderr}");
        assert!(stderr.starts_with("error:"), "{what}: {stderr}");
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        assert!(out.stdout.is_empty(), "{what}: printed a result");
    }
}

#[test]
fn a_missing_file_is_refused() {
    let out = candour(&["rate", "/nonexistent/assessment.json"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("cannot open /nonexistent/assessment.json"), "{}", text(&out.stderr));
}

#[test]
fn rate_has_help() {
    let out = candour(&["rate", "--help"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("FILE|-"));
}
