//! The rating engine against the quality framework document: the framework data,
//! every rule and its edges, and properties that must hold for any assessment.

mod framework;
mod properties;
mod rules;

use candour_engine::{Assessment, AssessmentError, AssessmentResult, Framework, KeyQuestionResult, rate};
use serde_json::Value;

/// Rates an assessment written as JSON, as `candour rate` would.
pub fn rate_json(input: Value) -> Result<AssessmentResult, AssessmentError> {
    let assessment = Assessment::from_json(&input.to_string())?;
    rate(Framework::current().expect("the framework loads"), &assessment)
}

/// Rates a single service group given its key questions (and other fields).
pub fn rate_group(group: Value, policy: Value) -> Result<AssessmentResult, AssessmentError> {
    rate_json(serde_json::json!({"policy": policy, "service_groups": [group]}))
}

/// The one key question result of a single-group assessment.
pub fn kq<'a>(result: &'a AssessmentResult, key: &str) -> &'a KeyQuestionResult {
    let kq = candour_domain::KeyQuestion::parse(key).expect("a key question");
    result.service_groups[0].key_questions.get(kq)
}
