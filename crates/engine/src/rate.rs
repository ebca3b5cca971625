//! Rating an assessment: statement scores → key question percentages → bands →
//! limiters and caps → judgements → the overall rating per service group. Pure:
//! the same assessment always gives the same result, whatever order it lists things in.

use std::collections::{BTreeMap, BTreeSet};

use candour_domain::assessment::key_question_code;
use candour_domain::{KeyQuestion, Rating, ServiceKind};

use crate::assessment::{
    Assessment, AssessmentError, Evidence, Judgement, KeyQuestionAssessment, ServiceGroupAssessment, StandingRating,
    StatementAssessment,
};
use crate::framework::{EvidenceCategory, Framework, StatementId};
use crate::overall::{join_names, judgement_step, overall_rating};
use crate::policy::Policy;
use crate::result::{
    AssessmentResult, CategoryWorking, Facts, KeyQuestionResult, KeyQuestionResults, OverallResult, Rule,
    ServiceGroupResult, StatementResult, Step,
};
use crate::score::{Bands, Score, ScoreTotal};

/// Rates every service group of an assessment under its policy.
pub fn rate(framework: &Framework, assessment: &Assessment) -> Result<AssessmentResult, AssessmentError> {
    let policy = &assessment.policy;
    policy.check().map_err(|(option, message)| AssessmentError::new(format!("policy.{option}"), message))?;
    check_group_names(&assessment.service_groups)?;
    let mut groups = Vec::with_capacity(assessment.service_groups.len());
    for (i, group) in assessment.service_groups.iter().enumerate() {
        let result = rate_service_group(framework, policy, group)
            .map_err(|e| AssessmentError { path: format!("service_groups[{i}].{}", e.path), message: e.message })?;
        groups.push(result);
    }
    let (location_overall, location_reason) = location_rating(&groups);
    Ok(AssessmentResult {
        service_groups: groups,
        location_overall,
        location_reason,
        framework: framework.version().clone(),
        policy: policy.clone(),
        policy_is_default: policy.is_default(),
    })
}

/// Rates one service group. Error paths are relative to the group.
pub fn rate_service_group(
    framework: &Framework,
    policy: &Policy,
    group: &ServiceGroupAssessment,
) -> Result<ServiceGroupResult, AssessmentError> {
    let kind = group.service_kind();
    let key_questions = KeyQuestionResults::try_from_fn(|kq| rate_key_question(framework, policy, group, kind, kq))?;
    let facts = Facts {
        breach: group.breach,
        registered_manager: group.registered_manager,
        manager_recruitment_under_way: group.manager_recruitment_under_way,
        notifications_ok: group.notifications_ok,
    };
    let mut result = ServiceGroupResult {
        name: group.name.trim().to_string(),
        service_type: kind,
        facts,
        key_questions,
        overall: None,
        reason: None,
    };
    match overall_rating(&result.ratings(), group.breach, group.judgements.overall.as_ref(), policy) {
        Ok(overall) => result.overall = Some(overall),
        Err(_) if group.judgements.overall.is_some() => {
            return Err(AssessmentError::new(
                "judgements.overall",
                "there is no computed overall rating to depart from until every key question is rated",
            ));
        }
        Err(reason) => result.reason = Some(reason),
    }
    Ok(result)
}

fn check_group_names(groups: &[ServiceGroupAssessment]) -> Result<(), AssessmentError> {
    if groups.is_empty() {
        return Err(AssessmentError::new("service_groups", "at least one service group is needed"));
    }
    let mut seen = BTreeSet::new();
    for (i, group) in groups.iter().enumerate() {
        let name = group.name.trim().to_lowercase();
        if name.is_empty() {
            return Err(AssessmentError::new(format!("service_groups[{i}].name"), "a service group needs a name"));
        }
        if !seen.insert(name) {
            return Err(AssessmentError::new(
                format!("service_groups[{i}].name"),
                format!("the service group {:?} is listed twice", group.name.trim()),
            ));
        }
    }
    Ok(())
}

/// A location with one service group takes that group's rating; a location with
/// several has no overall rating.
fn location_rating(groups: &[ServiceGroupResult]) -> (Option<OverallResult>, Option<String>) {
    match groups {
        [only] => (only.overall.clone(), only.reason.clone()),
        _ => (
            None,
            Some(format!(
                "This location has {} service groups: each is rated on its own and there is no overall location rating.",
                groups.len()
            )),
        ),
    }
}

fn rate_key_question(
    framework: &Framework,
    policy: &Policy,
    group: &ServiceGroupAssessment,
    kind: ServiceKind,
    kq: KeyQuestion,
) -> Result<KeyQuestionResult, AssessmentError> {
    let judgement = group.judgements.key_question(kq);
    let refuse_judgement = |why: String| {
        Err(AssessmentError::new(
            format!("judgements.{}", key_question_code(kq)),
            format!("{kq} {why}, so there is nothing to depart from"),
        ))
    };
    match group.key_questions.get(kq) {
        Some(KeyQuestionAssessment::Scored(statements)) if !statements.is_empty() => {
            let scores = statement_results(framework, policy, kind, kq, statements)?;
            Ok(scored(policy, group, kq, scores, judgement))
        }
        Some(KeyQuestionAssessment::Standing(standing)) => match judgement {
            Some(_) => refuse_judgement("keeps its standing rating from an earlier assessment".into()),
            None => Ok(standing_result(kq, standing)),
        },
        assessed => {
            let why = if assessed.is_some() { "has no statement scores" } else { "was not assessed" };
            match judgement {
                Some(_) => refuse_judgement(why.into()),
                None => Ok(unrated(format!("{kq} {why} and has no standing rating."))),
            }
        }
    }
}

fn unrated(reason: String) -> KeyQuestionResult {
    KeyQuestionResult {
        percent: None,
        percent_rounded: None,
        rating: None,
        limited_by: None,
        statements_used: 0,
        carried: false,
        statements_carried: 0,
        rule: None,
        band: None,
        computed_rating: None,
        judgement: None,
        rated_on: None,
        sum: None,
        max: None,
        statements: Vec::new(),
        steps: Vec::new(),
        reason: Some(reason),
    }
}

fn standing_result(kq: KeyQuestion, standing: &StandingRating) -> KeyQuestionResult {
    let when = standing.rated_on.map(|d| format!(" given on {d}")).unwrap_or_default();
    let text = format!("{kq} was not reassessed: its standing rating {}{when} is carried over.", standing.rating);
    KeyQuestionResult {
        rating: Some(standing.rating),
        carried: true,
        rule: Some(Rule::StandingRating),
        computed_rating: Some(standing.rating),
        rated_on: standing.rated_on,
        steps: vec![Step { rule: Rule::StandingRating, text }],
        reason: None,
        ..unrated(String::new())
    }
}

/// Checks each statement against the framework and works out its score, in ID order.
fn statement_results(
    framework: &Framework,
    policy: &Policy,
    kind: ServiceKind,
    kq: KeyQuestion,
    statements: &[StatementAssessment],
) -> Result<Vec<StatementResult>, AssessmentError> {
    let mut results = Vec::with_capacity(statements.len());
    for statement in statements {
        let path = format!("key_questions.{}.{}", key_question_code(kq), statement.id);
        let Some(known) = framework.statement(statement.id) else {
            return Err(AssessmentError::new(path, unknown_statement(framework, statement.id)));
        };
        if known.key_question != kq {
            return Err(AssessmentError::new(
                path,
                format!("{} belongs to {}, not {kq}", statement.id, known.key_question),
            ));
        }
        let (score, from_categories) = match &statement.evidence {
            Evidence::Score(score) => (*score, None),
            Evidence::Categories(scores) => {
                check_categories(framework, kind, statement.id, scores.keys(), &path)?;
                let Some(working) = category_working(policy, scores) else {
                    return Err(AssessmentError::new(
                        path,
                        "no score: give a score or at least one evidence-category score",
                    ));
                };
                (Score::of_rating(working.band), Some(working))
            }
        };
        results.push(StatementResult {
            id: statement.id,
            title: known.title.clone(),
            score,
            from_categories,
            carried_from: statement.carried_from,
        });
    }
    results.sort_by_key(|s| s.id);
    Ok(results)
}

fn unknown_statement(framework: &Framework, id: StatementId) -> String {
    let kq = id.key_question();
    let ids: Vec<String> = framework.statements_of(kq).map(|s| s.id.to_string()).collect();
    let range = match (ids.first(), ids.last()) {
        (Some(first), Some(last)) => format!("{first}–{last}"),
        _ => "none".to_string(),
    };
    format!("{id} is not a statement of the framework ({kq} has {range})")
}

fn check_categories<'a>(
    framework: &Framework,
    kind: ServiceKind,
    id: StatementId,
    given: impl Iterator<Item = &'a EvidenceCategory>,
    path: &str,
) -> Result<(), AssessmentError> {
    let applicable = framework.categories_for(id, kind);
    for category in given {
        if !applicable.contains(category) {
            let codes: Vec<&str> = applicable.iter().map(|c| c.code()).collect();
            return Err(AssessmentError::new(
                format!("{path}.{category}"),
                format!(
                    "{category} evidence does not apply to {id} for {} services; use {}",
                    kind.code(),
                    codes.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Category scores → percentage → band → statement score (4, 3, 2 or 1);
/// `None` when no category was scored.
fn category_working(policy: &Policy, scores: &BTreeMap<EvidenceCategory, Score>) -> Option<CategoryWorking> {
    let total = ScoreTotal::of(scores.values().copied());
    let percent = total.percent()?;
    let band = percent.band(policy.rounding, &policy.category_bands);
    let text = format!(
        "{} = {} of {} = {}: {band} ({}), so the statement scores {}.",
        scores.iter().map(|(category, score)| format!("{category} {score}")).collect::<Vec<_>>().join(" + "),
        total.sum,
        total.max(),
        percent.describe(policy.rounding),
        policy.category_bands.range(band),
        Score::of_rating(band)
    );
    Some(CategoryWorking {
        scores: scores.clone(),
        sum: total.sum,
        max: total.max(),
        percent: percent.two_decimals(),
        percent_rounded: percent.rounded(policy.rounding),
        band,
        text,
    })
}

/// "Learning culture 3", or "Safeguarding 3 (carried from 2024-01-31)": by title,
/// as people read them (the result keeps each statement's ID beside its title).
fn describe_score(statement: &StatementResult) -> String {
    match statement.carried_from {
        Some(date) => format!("{} {} (carried from {date})", statement.title, statement.score),
        None => format!("{} {}", statement.title, statement.score),
    }
}

/// A key question scored in this assessment.
fn scored(
    policy: &Policy,
    group: &ServiceGroupAssessment,
    kq: KeyQuestion,
    statements: Vec<StatementResult>,
    judgement: Option<&Judgement>,
) -> KeyQuestionResult {
    let total = ScoreTotal::of(statements.iter().map(|s| s.score));
    let Some(percent) = total.percent() else { return unrated(format!("{kq} has no statement scores.")) };
    let band = percent.band(policy.rounding, &Bands::KEY_QUESTION);
    let mut steps = vec![Step {
        rule: Rule::Band,
        text: format!(
            "{} {} scored {} = {} of {} = {}: {band} ({}).",
            total.count,
            if total.count == 1 { "statement" } else { "statements" },
            statements.iter().map(describe_score).collect::<Vec<_>>().join(" + "),
            total.sum,
            total.max(),
            percent.describe(policy.rounding),
            Bands::KEY_QUESTION.range(band)
        ),
    }];
    let mut rating = band;
    let mut limited_by = None;
    for (rule, limit) in limits(policy, group, kq, band, &statements, &mut steps) {
        if rating < limit {
            rating = limit;
            limited_by = Some(rule);
        }
    }
    let computed = rating;
    if let Some(judgement) = judgement {
        steps.push(judgement_step(computed, judgement));
        rating = judgement.rating();
    }
    let rule = match (judgement, limited_by) {
        (Some(j), _) if j.rating() != computed => Rule::Judgement,
        (_, Some(limit)) => limit,
        _ => Rule::Band,
    };
    KeyQuestionResult {
        percent: Some(percent.two_decimals()),
        percent_rounded: percent.rounded(policy.rounding),
        rating: Some(rating),
        limited_by,
        statements_used: total.count,
        carried: false,
        statements_carried: statements.iter().filter(|s| s.carried_from.is_some()).count() as u32,
        rule: Some(rule),
        band: Some(band),
        computed_rating: Some(computed),
        judgement: judgement.cloned(),
        rated_on: None,
        sum: Some(total.sum),
        max: Some(total.max()),
        statements,
        steps,
        reason: None,
    }
}

/// The limiters and Well-led caps that apply, each as the rule and the best rating
/// it allows, in the order they are applied. Writes a step for each, and for each
/// that the policy switches off.
fn limits(
    policy: &Policy,
    group: &ServiceGroupAssessment,
    kq: KeyQuestion,
    band: Rating,
    statements: &[StatementResult],
    steps: &mut Vec<Step>,
) -> Vec<(Rule, Rating)> {
    let mut limits = Vec::new();
    let scored_at_most = |max: u8| -> Vec<String> {
        statements.iter().filter(|s| s.score.get() <= max).map(|s| format!("{} scored {}", s.title, s.score)).collect()
    };
    let limiter = match band {
        Rating::Good => Some((Rule::LimiterScored1, Rating::RequiresImprovement, scored_at_most(1))),
        Rating::Outstanding => Some((Rule::LimiterScored1Or2, Rating::Good, scored_at_most(2))),
        _ => None,
    };
    if let Some((rule, limit, low)) = limiter.filter(|(_, _, low)| !low.is_empty()) {
        let low = low.iter().map(String::as_str).collect::<Vec<_>>();
        if policy.limiters {
            let text = format!("Limited to {limit}: the result is in the {band} band but {}.", join_names(&low));
            steps.push(Step { rule, text });
            limits.push((rule, limit));
        } else {
            let text =
                format!("Limiters are off in this policy, so {} does not limit the {band} result.", join_names(&low));
            steps.push(Step { rule, text });
        }
    }
    if kq == KeyQuestion::WellLed {
        for (rule, why) in well_led_cap_reasons(group) {
            let text = if policy.well_led_caps {
                limits.push((rule, Rating::RequiresImprovement));
                format!("Well-led is capped at Requires improvement: {why}.")
            } else {
                format!("Well-led caps are off in this policy, so the fact that {why} does not cap it.")
            };
            steps.push(Step { rule, text });
        }
    }
    limits
}

fn well_led_cap_reasons(group: &ServiceGroupAssessment) -> Vec<(Rule, &'static str)> {
    let mut reasons = Vec::new();
    if !group.registered_manager && !group.manager_recruitment_under_way {
        reasons.push((
            Rule::WellLedCapNoRegisteredManager,
            "the service has no registered manager and no recruitment under way",
        ));
    }
    if !group.notifications_ok {
        reasons.push((Rule::WellLedCapNotifications, "statutory notifications were not sent"));
    }
    reasons
}
