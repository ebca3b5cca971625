//! An assessment as the engine reads it: per service group, the facts, the scores
//! per key question (or a standing rating carried from an earlier assessment) and
//! the assessor's judgements. The serde form is the JSON shape `candour rate` reads,
//! so an assessment stored as JSON round-trips exactly.

use std::collections::BTreeMap;
use std::fmt;

use candour_domain::{KeyQuestion, PlausibleDate, Rating, ServiceKind};
use chrono::NaiveDate;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::framework::{EvidenceCategory, StatementId};
use crate::policy::Policy;
use crate::score::{Score, ScoreVisitor};

/// Bad input, with the JSON path of the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{path}: {message}")]
pub struct AssessmentError {
    /// Like `service_groups[0].key_questions.safe.S9`.
    pub path: String,
    pub message: String,
}

impl AssessmentError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into() }
    }
}

fn yes() -> bool {
    true
}

/// A whole assessment: the policy to rate under and one or more service groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    #[serde(default)]
    pub policy: Policy,
    pub service_groups: Vec<ServiceGroupAssessment>,
}

impl Assessment {
    /// Reads an assessment from JSON. The error names the JSON path of the field at
    /// fault (or the line and column when the text is not JSON at all).
    pub fn from_json(text: &str) -> Result<Assessment, AssessmentError> {
        refuse_lists_for_objects(text)?;
        let mut reader = serde_json::Deserializer::from_str(text);
        let assessment: Assessment = serde_path_to_error::deserialize(&mut reader).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                return AssessmentError::new("(JSON)", format!("not valid JSON: {inner}"));
            }
            AssessmentError::new(if path == "." { "(top level)".to_string() } else { path }, inner.to_string())
        })?;
        reader.end().map_err(|e| AssessmentError::new("(after the assessment)", e.to_string()))?;
        Ok(assessment)
    }
}

/// The only places the assessment holds lists; everywhere else an object is expected.
const LIST_PATHS: [&str; 2] = ["service_groups", "policy.overall_order"];

/// serde reads a struct from a list by position, which would let `["Care home", true]`
/// stand for a service group. The format is objects with named fields only, so a
/// first pass refuses any list outside the places that hold one.
fn refuse_lists_for_objects(text: &str) -> Result<(), AssessmentError> {
    let misplaced = std::cell::RefCell::new(None);
    let mut reader = serde_json::Deserializer::from_str(text);
    let scan = de::DeserializeSeed::deserialize(ListScan { path: String::new(), misplaced: &misplaced }, &mut reader);
    match (scan, misplaced.into_inner()) {
        (_, Some(path)) => Err(AssessmentError::new(path, "expected an object with named fields, not a list")),
        (Err(e), None) => Err(AssessmentError::new("(JSON)", format!("not valid JSON: {e}"))),
        (Ok(()), None) => Ok(()),
    }
}

struct ListScan<'a> {
    path: String,
    misplaced: &'a std::cell::RefCell<Option<String>>,
}

impl ListScan<'_> {
    fn child(&self, segment: &str) -> Self {
        let path = match (self.path.is_empty(), segment.starts_with('[')) {
            (true, _) | (false, true) => format!("{}{segment}", self.path),
            (false, false) => format!("{}.{segment}", self.path),
        };
        ListScan { path, misplaced: self.misplaced }
    }
}

impl<'de> de::DeserializeSeed<'de> for ListScan<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ListScan<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            map.next_value_seed(self.child(&key))?;
        }
        Ok(())
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if !LIST_PATHS.contains(&self.path.as_str()) {
            let path = if self.path.is_empty() { "(top level)".to_string() } else { self.path.clone() };
            *self.misplaced.borrow_mut() = Some(path);
            return Err(de::Error::custom("a list where an object is expected"));
        }
        let mut index = 0;
        while seq.next_element_seed(self.child(&format!("[{index}]")))?.is_some() {
            index += 1;
        }
        Ok(())
    }
}

/// One service group at a location (a location that provides several kinds of
/// service is rated per service group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceGroupAssessment {
    /// The service group's name, like "Care home service with nursing".
    pub name: String,
    /// Our service type code; when absent it is worked out from the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type: Option<ServiceKind>,
    /// A breach of regulations was found.
    #[serde(default)]
    pub breach: bool,
    /// The service has a registered manager.
    #[serde(default = "yes")]
    pub registered_manager: bool,
    /// Without a registered manager, satisfactory recruitment is under way.
    #[serde(default)]
    pub manager_recruitment_under_way: bool,
    /// Statutory notifications were sent (or there was good reason not to).
    #[serde(default = "yes")]
    pub notifications_ok: bool,
    #[serde(default)]
    pub key_questions: KeyQuestionAssessments,
    #[serde(default, skip_serializing_if = "Judgements::is_empty")]
    pub judgements: Judgements,
}

impl ServiceGroupAssessment {
    /// A service group with the default facts and nothing assessed yet.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            service_type: None,
            breach: false,
            registered_manager: true,
            manager_recruitment_under_way: false,
            notifications_ok: true,
            key_questions: KeyQuestionAssessments::default(),
            judgements: Judgements::default(),
        }
    }

    pub fn service_kind(&self) -> ServiceKind {
        self.service_type.unwrap_or_else(|| ServiceKind::classify(&self.name))
    }
}

/// What was assessed under each key question; `None` when nothing was.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyQuestionAssessments {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe: Option<KeyQuestionAssessment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<KeyQuestionAssessment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caring: Option<KeyQuestionAssessment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsive: Option<KeyQuestionAssessment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub well_led: Option<KeyQuestionAssessment>,
}

impl KeyQuestionAssessments {
    pub fn get(&self, kq: KeyQuestion) -> Option<&KeyQuestionAssessment> {
        self.slot(kq).as_ref()
    }

    pub fn get_mut(&mut self, kq: KeyQuestion) -> &mut Option<KeyQuestionAssessment> {
        match kq {
            KeyQuestion::Safe => &mut self.safe,
            KeyQuestion::Effective => &mut self.effective,
            KeyQuestion::Caring => &mut self.caring,
            KeyQuestion::Responsive => &mut self.responsive,
            KeyQuestion::WellLed => &mut self.well_led,
        }
    }

    pub fn set(&mut self, kq: KeyQuestion, assessment: KeyQuestionAssessment) {
        *self.get_mut(kq) = Some(assessment);
    }

    fn slot(&self, kq: KeyQuestion) -> &Option<KeyQuestionAssessment> {
        match kq {
            KeyQuestion::Safe => &self.safe,
            KeyQuestion::Effective => &self.effective,
            KeyQuestion::Caring => &self.caring,
            KeyQuestion::Responsive => &self.responsive,
            KeyQuestion::WellLed => &self.well_led,
        }
    }
}

/// A key question is either scored statement by statement in this assessment, or
/// keeps its standing rating from an earlier one (a focused assessment).
#[derive(Debug, Clone, PartialEq)]
pub enum KeyQuestionAssessment {
    Scored(Vec<StatementAssessment>),
    Standing(StandingRating),
}

/// A key question rating from an earlier assessment, not reassessed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StandingRating {
    pub rating: Rating,
    /// When it was given, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rated_on: Option<NaiveDate>,
}

/// One quality statement's score in this assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementAssessment {
    pub id: StatementId,
    pub evidence: Evidence,
    /// Set when the statement was not reassessed: the date of the score carried over.
    pub carried_from: Option<NaiveDate>,
}

impl StatementAssessment {
    pub fn scored(id: StatementId, score: Score) -> Self {
        Self { id, evidence: Evidence::Score(score), carried_from: None }
    }
}

/// A statement is scored directly, or from the scores of its evidence categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    Score(Score),
    Categories(BTreeMap<EvidenceCategory, Score>),
}

/// The assessor's departures from computed ratings, each with its reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Judgements {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe: Option<Judgement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<Judgement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caring: Option<Judgement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsive: Option<Judgement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub well_led: Option<Judgement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overall: Option<Judgement>,
}

impl Judgements {
    pub fn is_empty(&self) -> bool {
        *self == Judgements::default()
    }

    pub fn key_question(&self, kq: KeyQuestion) -> Option<&Judgement> {
        match kq {
            KeyQuestion::Safe => self.safe.as_ref(),
            KeyQuestion::Effective => self.effective.as_ref(),
            KeyQuestion::Caring => self.caring.as_ref(),
            KeyQuestion::Responsive => self.responsive.as_ref(),
            KeyQuestion::WellLed => self.well_led.as_ref(),
        }
    }
}

/// An assessor's rating in place of the computed one. A reason is mandatory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "JudgementFields")]
#[schema(as = AssessorJudgement)]
pub struct Judgement {
    rating: Rating,
    reason: String,
}

/// A judgement without a reason.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("a judgement needs a reason: say why the rating departs from the computed one")]
pub struct MissingReason;

impl Judgement {
    pub fn new(rating: Rating, reason: &str) -> Result<Judgement, MissingReason> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(MissingReason);
        }
        Ok(Judgement { rating, reason: reason.to_string() })
    }

    pub fn rating(&self) -> Rating {
        self.rating
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JudgementFields {
    #[serde(deserialize_with = "lenient_rating")]
    rating: Rating,
    reason: String,
}

impl TryFrom<JudgementFields> for Judgement {
    type Error = MissingReason;
    fn try_from(fields: JudgementFields) -> Result<Self, MissingReason> {
        Judgement::new(fields.rating, &fields.reason)
    }
}

/// Reads a rating in any capitalisation ("Requires improvement", "good").
fn lenient_rating<'de, D: Deserializer<'de>>(d: D) -> Result<Rating, D::Error> {
    let text = String::deserialize(d)?;
    Rating::parse(&text).map_err(de::Error::custom)
}

// The key question form: `{"rating": …, "rated_on": …}` or `{"S1": 3, "S2": {…}}`.

/// Described as it is sent: a standing rating, or scores by statement code.
impl utoipa::PartialSchema for KeyQuestionAssessment {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::ToSchema;
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Ref, Type};
        let score = || Ref::from_schema_name(Score::name());
        let by_category = ObjectBuilder::new()
            .description(Some("Scores by evidence category, or `score`; `carried_from` when not reassessed"))
            .property("score", score())
            .property(
                "carried_from",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Date))),
            )
            .additional_properties(Some(AdditionalProperties::RefOr(score().into())));
        let statement = OneOfBuilder::new().item(score()).item(by_category);
        let scored = ObjectBuilder::new()
            .description(Some("Scores by quality statement code, like `{\"S1\": 3}`"))
            .additional_properties(Some(AdditionalProperties::RefOr(statement.into())));
        OneOfBuilder::new().item(Ref::from_schema_name(StandingRating::name())).item(scored).into()
    }
}

impl utoipa::ToSchema for KeyQuestionAssessment {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        <StandingRating as utoipa::ToSchema>::schemas(schemas);
        schemas.push((StandingRating::name().into(), <StandingRating as utoipa::PartialSchema>::schema()));
        schemas.push((Score::name().into(), <Score as utoipa::PartialSchema>::schema()));
    }
}

impl Serialize for KeyQuestionAssessment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            KeyQuestionAssessment::Standing(standing) => standing.serialize(s),
            KeyQuestionAssessment::Scored(statements) => {
                let mut map = s.serialize_map(Some(statements.len()))?;
                for statement in statements {
                    map.serialize_entry(&statement.id, &StatementValue(statement))?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for KeyQuestionAssessment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(KeyQuestionVisitor)
    }
}

struct KeyQuestionVisitor;

impl<'de> Visitor<'de> for KeyQuestionVisitor {
    type Value = KeyQuestionAssessment;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(r#"an object of statement scores like {"S1": 3}, or a standing rating like {"rating": "good"}"#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut rating = None;
        let mut rated_on = None;
        let mut statements: Vec<StatementAssessment> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "rating" => rating = Some(map.next_value::<RatingValue>()?.0),
                "rated_on" => rated_on = Some(map.next_value::<DateValue>()?.0),
                _ => {
                    let id = StatementId::parse(&key).map_err(|e| {
                        de::Error::custom(format!("unknown key: {e}, or \"rating\" for a standing rating"))
                    })?;
                    if statements.iter().any(|s| s.id == id) {
                        map.next_value::<IgnoredAny>()?;
                        return Err(de::Error::custom(format!("statement {id} is given twice")));
                    }
                    let value: StatementInput = map.next_value()?;
                    statements.push(StatementAssessment {
                        id,
                        evidence: value.evidence,
                        carried_from: value.carried_from,
                    });
                }
            }
        }
        match (rating, statements.is_empty()) {
            (Some(rating), true) => Ok(KeyQuestionAssessment::Standing(StandingRating { rating, rated_on })),
            (Some(_), false) => Err(de::Error::custom(
                "a key question holds either statement scores or a standing \"rating\", not both",
            )),
            (None, _) if rated_on.is_some() => {
                Err(de::Error::custom("\"rated_on\" belongs with a standing \"rating\""))
            }
            (None, _) => Ok(KeyQuestionAssessment::Scored(statements)),
        }
    }
}

/// A [`PlausibleDate`], such as 2024-05-31.
struct DateValue(NaiveDate);

impl<'de> Deserialize<'de> for DateValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        PlausibleDate::deserialize(d).map(|d| DateValue(d.date()))
    }
}

struct RatingValue(Rating);

impl<'de> Deserialize<'de> for RatingValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient_rating(d).map(RatingValue)
    }
}

// The statement form: `3`, `{"score": 3, "carried_from": "2024-05-01"}` or
// `{"people_experience": 3, "processes": 2}`.

struct StatementValue<'a>(&'a StatementAssessment);

impl Serialize for StatementValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let statement = self.0;
        match (&statement.evidence, statement.carried_from) {
            (Evidence::Score(score), None) => score.serialize(s),
            (evidence, carried_from) => {
                let mut map = s.serialize_map(None)?;
                match evidence {
                    Evidence::Score(score) => map.serialize_entry("score", score)?,
                    Evidence::Categories(scores) => {
                        for (category, score) in scores {
                            map.serialize_entry(category, score)?;
                        }
                    }
                }
                if let Some(date) = carried_from {
                    map.serialize_entry("carried_from", &date)?;
                }
                map.end()
            }
        }
    }
}

struct StatementInput {
    evidence: Evidence,
    carried_from: Option<NaiveDate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatementObject {
    score: Option<Score>,
    people_experience: Option<Score>,
    staff_feedback: Option<Score>,
    partner_feedback: Option<Score>,
    observation: Option<Score>,
    processes: Option<Score>,
    outcomes: Option<Score>,
    carried_from: Option<DateValue>,
}

impl StatementObject {
    fn into_input<E: de::Error>(self) -> Result<StatementInput, E> {
        let categories: BTreeMap<EvidenceCategory, Score> = [
            (EvidenceCategory::PeopleExperience, self.people_experience),
            (EvidenceCategory::StaffFeedback, self.staff_feedback),
            (EvidenceCategory::PartnerFeedback, self.partner_feedback),
            (EvidenceCategory::Observation, self.observation),
            (EvidenceCategory::Processes, self.processes),
            (EvidenceCategory::Outcomes, self.outcomes),
        ]
        .into_iter()
        .filter_map(|(category, score)| score.map(|s| (category, s)))
        .collect();
        let evidence = match (self.score, categories.is_empty()) {
            (Some(score), true) => Evidence::Score(score),
            (None, false) => Evidence::Categories(categories),
            (Some(_), false) => {
                return Err(E::custom("give either a \"score\" or evidence-category scores, not both"));
            }
            (None, true) => {
                return Err(E::custom("no score: give a \"score\" or at least one evidence-category score"));
            }
        };
        Ok(StatementInput { evidence, carried_from: self.carried_from.map(|d| d.0) })
    }
}

impl<'de> Deserialize<'de> for StatementInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StatementVisitor)
    }
}

struct StatementVisitor;

impl<'de> Visitor<'de> for StatementVisitor {
    type Value = StatementInput;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a score from 1 to 4, or an object of evidence-category scores")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<StatementInput, E> {
        ScoreVisitor.visit_i64(v).map(direct)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<StatementInput, E> {
        ScoreVisitor.visit_u64(v).map(direct)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<StatementInput, A::Error> {
        StatementObject::deserialize(de::value::MapAccessDeserializer::new(map))?.into_input()
    }
}

fn direct(score: Score) -> StatementInput {
    StatementInput { evidence: Evidence::Score(score), carried_from: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_example_reads_and_round_trips() {
        let text = r#"{"policy": {"rounding": "half_up", "limiters": true, "one_inadequate": "requires_improvement"},
         "service_groups": [
           {"name": "Care home service with nursing",
            "breach": false, "registered_manager": true, "notifications_ok": true,
            "key_questions": {
              "safe":      {"S1": 3, "S2": 2, "S3": 3},
              "effective": {"E1": {"people_experience": 3, "staff_feedback": 2, "processes": 3}},
              "caring":    {"rating": "good"},
              "responsive": {"R1": 4, "R4": 4},
              "well_led":  {"W1": 3, "W2": {"score": 3, "carried_from": "2024-01-31"}}}}]}"#;
        let a = Assessment::from_json(text).unwrap();
        let group = &a.service_groups[0];
        assert_eq!(group.service_kind(), ServiceKind::CareHomeNursing);
        let Some(KeyQuestionAssessment::Scored(safe)) = group.key_questions.get(KeyQuestion::Safe) else { panic!() };
        assert_eq!(safe.len(), 3);
        assert!(matches!(
            group.key_questions.get(KeyQuestion::Caring),
            Some(KeyQuestionAssessment::Standing(StandingRating { rating: Rating::Good, rated_on: None }))
        ));
        let again = Assessment::from_json(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(again, a);
    }

    fn error_of(text: &str) -> AssessmentError {
        Assessment::from_json(text).unwrap_err()
    }

    #[test]
    fn bad_fields_are_named_by_path() {
        let e = error_of(r#"{"service_groups": [{"name": "x", "key_questions": {"safe": {"S1": 5}}}]}"#);
        assert_eq!(e.path, "service_groups[0].key_questions.safe.S1");
        assert!(e.message.contains("5 is not a score"), "{e}");

        let e =
            error_of(r#"{"service_groups": [{"name": "x", "key_questions": {"safe": {"S1": {"observaton": 3}}}}]}"#);
        assert_eq!(e.path, "service_groups[0].key_questions.safe.S1.observaton");

        let e = error_of(r#"{"service_groups": [{"name": "x", "colour": "red"}]}"#);
        assert!(e.to_string().contains("colour"), "{e}");

        let e = error_of(r#"{"service_groups": [{"name": "x", "key_questions": {"safe": {"S1": 3, "S1": 2}}}]}"#);
        assert!(e.message.contains("S1 is given twice"), "{e}");

        let e = error_of(
            r#"{"service_groups": [{"name": "x", "judgements": {"safe": {"rating": "good", "reason": " "}}}]}"#,
        );
        assert_eq!(e.path, "service_groups[0].judgements.safe");
        assert!(e.message.contains("needs a reason"), "{e}");

        let e =
            error_of(r#"{"service_groups": [{"name": "x", "key_questions": {"safe": {"rating": "good", "S1": 3}}}]}"#);
        assert!(e.message.contains("not both"), "{e}");

        let e = error_of(r#"{"service_groups": [{"name": "x", "key_questions": {"safe": {"S1": 2.5}}}]}"#);
        assert_eq!(e.path, "service_groups[0].key_questions.safe.S1");

        let e = error_of(r#"{"service_groups": [ {"name": "x",} ]}"#);
        assert!(e.message.contains("not valid JSON") && e.message.contains("line 1"), "{e}");

        let e = error_of(r#"{"service_groups": [["x", false]]}"#);
        assert_eq!(e.path, "service_groups[0]");
        let e = error_of(r#"{"service_groups": [{"name": "x", "judgements": {"safe": ["good", "why"]}}]}"#);
        assert_eq!(e.path, "service_groups[0].judgements.safe");
        let e = error_of("[]");
        assert_eq!(e.path, "(top level)");
        assert!(Assessment::from_json(r#"{"policy": {"overall_order": ["outstanding", "one_inadequate", "two_inadequate", "two_requires_improvement"]}, "service_groups": [{"name": "x"}]}"#).is_ok());

        let e = error_of(
            r#"{"service_groups": [{"name": "x", "key_questions": {"safe": {"S1": {"score": 3, "carried_from": "May"}}}}]}"#,
        );
        assert_eq!(e.path, "service_groups[0].key_questions.safe.S1.carried_from");
        assert!(e.message.contains("Enter a real date, like 2026-03-27"), "{e}");
        let e = error_of(
            r#"{"service_groups": [{"name": "x", "key_questions": {"safe": {"S1": {"score": 3, "carried_from": "1900-05-01"}}}}]}"#,
        );
        assert_eq!(e.path, "service_groups[0].key_questions.safe.S1.carried_from");
        assert!(e.message.contains("Enter a date between 1 January 1990"), "{e}");
    }
}
