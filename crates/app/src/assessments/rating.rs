//! The rating: turns a stored assessment into the engine's input and asks the
//! engine for the result; and the rating records publishing writes. Every rating
//! comes from the engine; this module only translates.

use candour_domain::{KeyQuestion, Rating, RatingRecord, RatingSource};
use candour_engine::{
    Assessment, AssessmentResult, Evidence, EvidenceCategory, Framework, Judgement, KeyQuestionAssessment, Policy,
    Score, ServiceGroupAssessment, StandingRating, StatementAssessment, StatementId, rate,
};
use candour_store::{AssessmentRecord, StatementEntry};
use chrono::NaiveDate;

pub use candour_domain::assessment::key_question_code;

pub fn framework() -> Result<&'static Framework, String> {
    Framework::current().map_err(|e| e.to_string())
}

pub fn category_of(code: &str) -> Option<EvidenceCategory> {
    EvidenceCategory::ALL.into_iter().find(|c| c.code() == code)
}

/// A finding a judgement or challenge is about: a key question's code or `overall`.
pub fn parse_finding(code: &str) -> Option<Option<KeyQuestion>> {
    if code == "overall" {
        return Some(None);
    }
    KeyQuestion::ALL.into_iter().find(|kq| key_question_code(*kq) == code).map(Some)
}

// ---------------------------------------------------------------- to the engine

/// The stored assessment as the engine reads it.
pub fn engine_assessment(record: &AssessmentRecord) -> Result<Assessment, String> {
    let policy: Policy = serde_json::from_str(&record.policy).map_err(|e| format!("the stored policy: {e}"))?;
    let mut group = ServiceGroupAssessment::new(record.service_group.clone());
    group.service_type = Some(record.service_kind);
    let f = record.facts;
    (group.breach, group.registered_manager) = (f.breach, f.registered_manager);
    (group.manager_recruitment_under_way, group.notifications_ok) =
        (f.manager_recruitment_under_way, f.notifications_ok);
    for kq in KeyQuestion::ALL {
        if let Some(assessed) = key_question_input(record, kq)? {
            group.key_questions.set(kq, assessed);
        }
    }
    for j in &record.judgements {
        let judgement = Judgement::new(j.rating, &j.reason).map_err(|e| e.to_string())?;
        let slot = match j.key_question {
            None => &mut group.judgements.overall,
            Some(KeyQuestion::Safe) => &mut group.judgements.safe,
            Some(KeyQuestion::Effective) => &mut group.judgements.effective,
            Some(KeyQuestion::Caring) => &mut group.judgements.caring,
            Some(KeyQuestion::Responsive) => &mut group.judgements.responsive,
            Some(KeyQuestion::WellLed) => &mut group.judgements.well_led,
        };
        *slot = Some(judgement);
    }
    Ok(Assessment { policy, service_groups: vec![group] })
}

fn key_question_input(record: &AssessmentRecord, kq: KeyQuestion) -> Result<Option<KeyQuestionAssessment>, String> {
    if let Some(s) = record.standing.iter().find(|s| s.key_question == kq) {
        return Ok(Some(KeyQuestionAssessment::Standing(StandingRating { rating: s.rating, rated_on: s.rated_on })));
    }
    let mut statements = Vec::new();
    for entry in &record.statements {
        let id = StatementId::parse(&entry.statement).map_err(|e| e.to_string())?;
        if id.key_question() == kq {
            statements.push(statement_input(id, entry)?);
        }
    }
    Ok((!statements.is_empty()).then_some(KeyQuestionAssessment::Scored(statements)))
}

fn statement_input(id: StatementId, entry: &StatementEntry) -> Result<StatementAssessment, String> {
    let score = |s: u8| Score::new(i64::from(s)).map_err(|e| format!("{id}: {e}"));
    let evidence = match entry.score {
        Some(s) => Evidence::Score(score(s)?),
        None => Evidence::Categories(
            entry
                .categories
                .iter()
                .map(|(code, s)| Ok((category_of(code).ok_or(format!("{id}: unknown category {code}"))?, score(*s)?)))
                .collect::<Result<_, String>>()?,
        ),
    };
    Ok(StatementAssessment { id, evidence, carried_from: entry.carried_from })
}

/// The engine's result for the stored assessment.
pub fn compute(record: &AssessmentRecord) -> Result<AssessmentResult, String> {
    let framework = framework()?;
    let assessment = engine_assessment(record)?;
    rate(framework, &assessment).map_err(|e| e.to_string())
}

/// The rating the engine computed for a finding: a key question, or overall (`None`).
pub fn computed_rating(result: &AssessmentResult, finding: Option<KeyQuestion>) -> Option<Rating> {
    let group = result.service_groups.first()?;
    match finding {
        Some(kq) => group.key_questions.get(kq).computed_rating,
        None => group.overall.as_ref().map(|o| o.computed_rating),
    }
}

/// The rating records publishing writes: the service group's, and the location's
/// own when this is its only service (a multi-service location has no overall rating).
pub fn rating_records(
    record: &AssessmentRecord,
    result: &AssessmentResult,
    published_on: NaiveDate,
    only_service: bool,
) -> Result<Vec<RatingRecord>, String> {
    let group = result.service_groups.first().ok_or("the result has no service group")?;
    let overall = group
        .overall
        .as_ref()
        .ok_or_else(|| group.reason.clone().unwrap_or_else(|| "there is no overall rating yet".to_string()))?;
    let make = |service_group: &str| RatingRecord {
        location_id: record.location_id.clone(),
        service_group: service_group.to_string(),
        published: published_on,
        source: RatingSource::Candour,
        overall: Some(overall.rating),
        key_questions: group.ratings(),
        report_type: Some("Candour assessment".to_string()),
        inherited: false,
    };
    let mut records = vec![make(&record.service_group)];
    if only_service && record.service_group != RatingRecord::LOCATION_GROUP {
        records.push(make(RatingRecord::LOCATION_GROUP));
    }
    Ok(records)
}

/// The result to show for an assessment: the one published with it, or what the
/// engine computes now; `Err` says why it cannot be rated yet.
pub fn result_of(record: &AssessmentRecord) -> Result<AssessmentResult, String> {
    let published = record.result.as_deref().and_then(|text| serde_json::from_str(text).ok());
    match published {
        Some(result) => Ok(result),
        None => compute(record),
    }
}
