//! An assessment's result as words for the pages: the engine's trace, key question
//! by key question, with the rules it used explained once. Every rating comes from
//! the engine; this only words it.

use candour_domain::KeyQuestion;
use candour_engine::{AssessmentResult, Judgement, KeyQuestionResult, OverallResult, Rule, ServiceGroupResult};

use crate::views::RatingTag;

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
