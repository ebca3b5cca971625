//! Reading the inspector's forms: one key question's scores, the facts, a
//! judgement. Every problem is named against its field.

use candour_domain::assessment::Part;
use candour_domain::{KeyQuestion, PlausibleDate, Rating};
use candour_engine::{Framework, StatementId};
use candour_store::{
    AssessmentChange, AssessmentFacts, AssessmentRecord, JudgementEntry, StandingEntry, StatementEntry,
};
use chrono::NaiveDate;

use super::Problem;
use super::rating::{compute, computed_rating, key_question_code};

/// Why a form cannot be used, each problem naming its field.
pub type Problems = Vec<Problem>;

fn problem(field: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem { field: field.into(), message: message.into() }
}

/// The first value of `key` in a form, trimmed; empty when absent.
pub(crate) fn value<'a>(form: &'a [(String, String)], key: &str) -> &'a str {
    form.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.trim())
}

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
