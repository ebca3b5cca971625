//! The assessment view-model: turns a stored assessment into the engine's input,
//! asks the engine for the result, and turns the result (with its trace) into
//! ready-made text for the pages. Every rating comes from the engine; this module
//! only translates. Form reading for the inspector's steps lives here too.

use candour_domain::assessment::Part;
use candour_domain::{KeyQuestion, PlausibleDate, Rating, RatingRecord, RatingSource};
use candour_engine::{
    Assessment, AssessmentResult, Evidence, EvidenceCategory, Framework, Judgement, KeyQuestionAssessment,
    KeyQuestionResult, OverallResult, Policy, Rule, Score, ServiceGroupAssessment, ServiceGroupResult, StandingRating,
    StatementAssessment, StatementId, rate,
};
use candour_store::{
    AssessmentChange, AssessmentFacts, AssessmentRecord, JudgementEntry, StandingEntry, StatementEntry,
};
use chrono::NaiveDate;

pub use candour_domain::assessment::key_question_code;

use crate::forms::{ErrorLink, value};
use crate::views::RatingTag;

/// Why an assessment cannot be rated or a form cannot be used, naming the field.
pub type Problems = Vec<ErrorLink>;

fn problem(field: impl Into<String>, message: impl Into<String>) -> ErrorLink {
    ErrorLink { href: format!("#{}", field.into()), message: message.into() }
}

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

// ---------------------------------------------------------------- the trace as text

pub struct StatementLine {
    pub title: String,
    pub score: String,
    pub working: String,
}

pub struct KeyQuestionTrace {
    pub name: &'static str,
    pub statements: Vec<StatementLine>,
    pub sum: String,
    pub percent: String,
    pub rounded: String,
    pub band: RatingTag,
    pub limited_by: String,
    pub computed: RatingTag,
    pub rating: RatingTag,
    pub rule: String,
    pub judgement: Option<String>,
    pub steps: Vec<String>,
    pub reason: Option<String>,
}

/// A rule the trace used, explained once.
pub struct RuleLine {
    pub name: &'static str,
    pub explanation: &'static str,
}

pub struct OverallTrace {
    pub rating: RatingTag,
    pub computed: RatingTag,
    pub rule: String,
    pub explanation: String,
    pub judgement: Option<String>,
    pub steps: Vec<String>,
}

pub struct Trace {
    /// The prefix of the trace's element IDs, unique on its page (a page may show several).
    pub anchor: String,
    pub service_group: String,
    pub key_questions: Vec<KeyQuestionTrace>,
    pub overall: Option<OverallTrace>,
    pub no_overall: Option<String>,
    /// Every rule that decided or shaped a rating above, each once, in words.
    pub rules: Vec<RuleLine>,
    pub policy: String,
    pub framework: String,
}

fn judgement_text(j: Option<&Judgement>) -> Option<String> {
    j.map(|j| format!("{}, because: {}", j.rating().name(), j.reason()))
}

fn key_question_trace(kq: KeyQuestion, r: &KeyQuestionResult) -> KeyQuestionTrace {
    let statements = r
        .statements
        .iter()
        .map(|s| StatementLine {
            title: s.title.clone(),
            score: s.score.to_string(),
            working: match (&s.from_categories, s.carried_from) {
                (Some(w), _) => w.text.clone(),
                (None, Some(date)) => format!("Carried over from {}", crate::views::long_date(date)),
                (None, None) => "Scored directly".to_string(),
            },
        })
        .collect();
    let dash = || "–".to_string();
    KeyQuestionTrace {
        name: kq.name(),
        statements,
        sum: r.sum.zip(r.max).map(|(s, m)| format!("{s} of {m}")).unwrap_or_else(dash),
        percent: r.percent.map(|p| format!("{p:.2}%")).unwrap_or_else(dash),
        rounded: r.percent_rounded.map(|p| format!("{p}%")).unwrap_or_else(dash),
        band: RatingTag::of_key_question(r.band),
        limited_by: r.limited_by.map_or("None", Rule::name).to_string(),
        computed: RatingTag::of_key_question(r.computed_rating),
        rating: RatingTag::of_key_question(r.rating),
        rule: r.rule.map_or_else(dash, |rule| rule.name().to_string()),
        judgement: judgement_text(r.judgement.as_ref()),
        steps: r.steps.iter().map(|s| s.text.clone()).collect(),
        reason: r.reason.clone(),
    }
}

fn overall_trace(o: &OverallResult) -> OverallTrace {
    OverallTrace {
        rating: RatingTag::of(Some(o.rating)),
        computed: RatingTag::of(Some(o.computed_rating)),
        rule: o.rule.name().to_string(),
        explanation: o.explanation.clone(),
        judgement: judgement_text(o.judgement.as_ref()),
        steps: o.steps.iter().map(|s| s.text.clone()).collect(),
    }
}

/// The rules behind the group's ratings and their steps, each once, in the order met.
fn rules_used(group: &ServiceGroupResult) -> Vec<RuleLine> {
    let key_questions = KeyQuestion::ALL.into_iter().map(|kq| group.key_questions.get(kq)).flat_map(|r| {
        let steps = r.steps.iter().map(|s| s.rule);
        r.rule.into_iter().chain(r.limited_by).chain(steps)
    });
    let overall = group.overall.iter().flat_map(|o| std::iter::once(o.rule).chain(o.steps.iter().map(|s| s.rule)));
    let mut seen = Vec::new();
    for rule in key_questions.chain(overall) {
        if !seen.contains(&rule) {
            seen.push(rule);
        }
    }
    seen.into_iter().map(|rule| RuleLine { name: rule.name(), explanation: rule.explanation() }).collect()
}

pub fn trace_of(result: &AssessmentResult) -> Option<Trace> {
    let group: &ServiceGroupResult = result.service_groups.first()?;
    Some(Trace {
        anchor: "trace".to_string(),
        service_group: group.name.clone(),
        key_questions: KeyQuestion::ALL
            .into_iter()
            .map(|kq| key_question_trace(kq, group.key_questions.get(kq)))
            .collect(),
        overall: group.overall.as_ref().map(overall_trace),
        no_overall: group.reason.clone(),
        rules: rules_used(group),
        policy: if result.policy_is_default {
            "Candour's default rating policy".to_string()
        } else {
            format!("A custom rating policy: {}", serde_json::to_string(&result.policy).unwrap_or_default())
        },
        framework: format!("{} version {}", result.framework.name, result.framework.version),
    })
}

/// The percentage of a key question in a published result, for the public page.
pub fn percent_text(result: &AssessmentResult, kq: KeyQuestion) -> Option<String> {
    let r = result.service_groups.first()?.key_questions.get(kq);
    r.percent.map(|p| match r.percent_rounded {
        Some(rounded) => format!("{rounded}%"),
        None => format!("{p:.2}%"),
    })
}

// ---------------------------------------------------------------- forms

/// Reads one key question's form: a standing rating, or statement scores (direct
/// or per evidence category) with notes and carried-over dates.
pub fn read_key_question(
    framework: &Framework,
    record: &AssessmentRecord,
    kq: KeyQuestion,
    form: &[(String, String)],
) -> Result<Vec<AssessmentChange>, Problems> {
    let mut problems = Vec::new();
    let mut changes = Vec::new();
    let mut scored = 0;
    // Once sent, only reopened findings are on the form; a locked one the form
    // leaves alone is not touched, and one it names goes to the store to be refused.
    let lifecycle = record.lifecycle();
    let left_alone = |part: Part, prefix: &str| {
        lifecycle.may_change(&part).is_err() && !form.iter().any(|(k, v)| k.starts_with(prefix) && !v.trim().is_empty())
    };
    for statement in framework.statements_of(kq) {
        let id = statement.id.to_string();
        if left_alone(Part::Statement(id.clone()), &format!("{id}-")) {
            continue;
        }
        match read_statement(framework, record, statement.id, form) {
            Ok(Some(entry)) => {
                scored += 1;
                changes.push(AssessmentChange::Statement(entry));
            }
            Ok(None) => changes.push(AssessmentChange::RemoveStatement(statement.id.to_string())),
            Err(mut p) => problems.append(&mut p),
        }
    }
    let code = key_question_code(kq);
    let standing = read_standing(kq, form, &mut problems);
    if standing.is_some() && scored > 0 {
        problems.push(problem(
            format!("{code}-standing"),
            format!("{}: give statement scores or a standing rating, not both", kq.name()),
        ));
    }
    if !left_alone(Part::KeyQuestion(kq), &format!("{code}-standing")) {
        changes.push(AssessmentChange::Standing(kq, standing));
    }
    if problems.is_empty() { Ok(changes) } else { Err(problems) }
}

fn read_standing(kq: KeyQuestion, form: &[(String, String)], problems: &mut Problems) -> Option<StandingEntry> {
    let code = key_question_code(kq);
    let rating = value(form, &format!("{code}-standing"));
    if rating.is_empty() {
        return None;
    }
    let Ok(rating) = Rating::parse(rating) else {
        problems.push(problem(
            format!("{code}-standing"),
            format!("{}: choose a standing rating from the list", kq.name()),
        ));
        return None;
    };
    let date_text = value(form, &format!("{code}-standing-on"));
    let rated_on = read_date(date_text, &format!("{code}-standing-on"), problems);
    Some(StandingEntry { key_question: kq, rating, rated_on })
}

fn read_date(text: &str, field: &str, problems: &mut Problems) -> Option<NaiveDate> {
    if text.is_empty() {
        return None;
    }
    PlausibleDate::parse(text)
        .map(PlausibleDate::date)
        .map_err(|e| problems.push(problem(field, format!("{} (not {text:?})", e.message_for("date")))))
        .ok()
}

fn read_score(text: &str, field: &str, problems: &mut Problems) -> Option<u8> {
    match text {
        "" => None,
        "1" | "2" | "3" | "4" => text.parse().ok(),
        _ => {
            problems.push(problem(field, "Choose a score from 1 to 4"));
            None
        }
    }
}

fn read_statement(
    framework: &Framework,
    record: &AssessmentRecord,
    id: StatementId,
    form: &[(String, String)],
) -> Result<Option<StatementEntry>, Problems> {
    let mut problems = Vec::new();
    let mut entry = StatementEntry { statement: id.to_string(), ..Default::default() };
    entry.score = read_score(value(form, &format!("{id}-score")), &format!("{id}-score"), &mut problems);
    for category in framework.categories_for(id, record.service_kind) {
        let field = format!("{id}-{}", category.code());
        if let Some(score) = read_score(value(form, &field), &field, &mut problems) {
            entry.categories.insert(category.code().to_string(), score);
        }
        let note = value(form, &format!("{id}-note-{}", category.code()));
        if !note.is_empty() {
            entry.notes.insert(category.code().to_string(), note.to_string());
        }
    }
    let carried_field = format!("{id}-carried");
    entry.carried_from = read_date(value(form, &carried_field), &carried_field, &mut problems);
    let has_score = entry.score.is_some() || !entry.categories.is_empty();
    if entry.score.is_some() && !entry.categories.is_empty() {
        problems.push(problem(
            format!("{id}-score"),
            format!("{id}: give a statement score or evidence-category scores, not both"),
        ));
    }
    if !has_score && (!entry.notes.is_empty() || entry.carried_from.is_some()) {
        problems.push(problem(format!("{id}-score"), format!("{id}: give a score for the notes or date you entered")));
    }
    match (problems.is_empty(), has_score) {
        (false, _) => Err(problems),
        (true, true) => Ok(Some(entry)),
        (true, false) => Ok(None),
    }
}

pub fn read_facts(form: &[(String, String)]) -> AssessmentFacts {
    let ticked = |name: &str| value(form, name) == "yes";
    AssessmentFacts {
        breach: ticked("breach"),
        registered_manager: ticked("registered_manager"),
        manager_recruitment_under_way: ticked("manager_recruitment_under_way"),
        notifications_ok: ticked("notifications_ok"),
    }
}

/// Reads a judgement form: a rating with its reason, or an empty rating to clear it.
/// The computed rating it departs from is taken from the engine's current result.
pub fn read_judgement(
    record: &AssessmentRecord,
    finding: Option<KeyQuestion>,
    form: &[(String, String)],
) -> Result<AssessmentChange, Problems> {
    let code = finding.map_or("overall", key_question_code);
    let rating_text = value(form, "rating");
    if rating_text.is_empty() {
        return Ok(AssessmentChange::Judgement(finding, None));
    }
    let rating = Rating::parse(rating_text)
        .map_err(|_| vec![problem(format!("{code}-rating"), "Choose a rating from the list")])?;
    let reason = value(form, "reason");
    if reason.is_empty() {
        return Err(vec![problem(
            format!("{code}-reason"),
            "Give the reason the rating departs from the computed one",
        )]);
    }
    let result = compute(record).map_err(|m| vec![problem(format!("{code}-rating"), m)])?;
    let computed = computed_rating(&result, finding);
    if finding.is_none() && computed.is_none() {
        return Err(vec![problem(
            "overall-rating",
            "There is no computed overall rating to depart from until every key question is rated",
        )]);
    }
    let entry = JudgementEntry { key_question: finding, rating, reason: reason.to_string(), computed };
    Ok(AssessmentChange::Judgement(finding, Some(entry)))
}
