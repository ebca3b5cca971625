//! What the engine returns: ratings with everything needed to show how they were
//! worked out. Every rating names the rule that decided it, as a stable code and a
//! sentence; the results serialise to the JSON `candour rate` prints and read back.

use std::collections::BTreeMap;

use candour_domain::{KeyQuestion, KeyQuestionRatings, Rating, ServiceKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::assessment::Judgement;
use crate::framework::{EvidenceCategory, FrameworkVersion, StatementId};
use crate::policy::{OverallRule, Policy};
use crate::score::Score;

/// The stable code of every rule the engine applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Rule {
    /// A percentage banded into a rating.
    #[serde(rename = "band")]
    Band,
    /// Evidence-category scores turned into a statement score.
    #[serde(rename = "category_band")]
    CategoryBand,
    /// Good with a statement scored 1, limited to Requires improvement.
    #[serde(rename = "limiter_scored_1")]
    LimiterScored1,
    /// Outstanding with a statement scored 1 or 2, limited to Good.
    #[serde(rename = "limiter_scored_1_or_2")]
    LimiterScored1Or2,
    /// Well-led capped: no registered manager and no recruitment under way.
    #[serde(rename = "well_led_cap_no_registered_manager")]
    WellLedCapNoRegisteredManager,
    /// Well-led capped: statutory notifications not sent.
    #[serde(rename = "well_led_cap_notifications")]
    WellLedCapNotifications,
    /// A key question not reassessed keeps its standing rating.
    #[serde(rename = "standing_rating")]
    StandingRating,
    /// The assessor's judgement, with its reason.
    #[serde(rename = "judgement")]
    Judgement,
    #[serde(rename = "two_inadequate")]
    TwoInadequate,
    #[serde(rename = "two_requires_improvement")]
    TwoRequiresImprovement,
    #[serde(rename = "one_inadequate")]
    OneInadequate,
    #[serde(rename = "outstanding")]
    Outstanding,
    /// No other overall rule applied.
    #[serde(rename = "otherwise_good")]
    OtherwiseGood,
    /// A breach of regulations caps the overall rating at Requires improvement.
    #[serde(rename = "breach_cap")]
    BreachCap,
}

impl Rule {
    /// A short name for a table cell.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Band => "Percentage band",
            Rule::CategoryBand => "Evidence category band",
            Rule::LimiterScored1 => "Limited: a statement scored 1",
            Rule::LimiterScored1Or2 => "Limited: a statement scored 1 or 2",
            Rule::WellLedCapNoRegisteredManager => "Capped: no registered manager",
            Rule::WellLedCapNotifications => "Capped: notifications not sent",
            Rule::StandingRating => "Standing rating",
            Rule::Judgement => "Inspector's judgement",
            Rule::TwoInadequate => "Two or more Inadequate",
            Rule::TwoRequiresImprovement => "Two or more Requires improvement",
            Rule::OneInadequate => "One Inadequate",
            Rule::Outstanding => "Two or more Outstanding",
            Rule::OtherwiseGood => "Otherwise Good",
            Rule::BreachCap => "Breach of regulations",
        }
    }

    /// The rule in plain words, from the framework's published principles.
    pub fn explanation(self) -> &'static str {
        match self {
            Rule::Band => {
                "A key question's score is the sum of its statement scores out of 4 each, as a percentage: \
                 88–100% is Outstanding, 63–87% Good, 39–62% Requires improvement and 25–38% Inadequate."
            }
            Rule::CategoryBand => {
                "A statement scored by evidence category takes its score from the categories' total as a \
                 percentage, mapped back to 1–4 with the same kind of bands."
            }
            Rule::LimiterScored1 => {
                "A key question in the Good band with any statement scored 1 is limited to Requires improvement."
            }
            Rule::LimiterScored1Or2 => {
                "A key question in the Outstanding band with any statement scored 1 or 2 is limited to Good."
            }
            Rule::WellLedCapNoRegisteredManager => {
                "Well-led is capped at Requires improvement when the service has no registered manager and no \
                 satisfactory recruitment is under way."
            }
            Rule::WellLedCapNotifications => {
                "Well-led is capped at Requires improvement when statutory notifications were not sent without \
                 good reason."
            }
            Rule::StandingRating => {
                "A key question not reassessed keeps its standing rating from an earlier assessment."
            }
            Rule::Judgement => {
                "The inspector departed from the computed rating, with a recorded reason; the computed rating \
                 is shown beside it."
            }
            Rule::TwoInadequate => "Two or more key questions rated Inadequate make the overall rating Inadequate.",
            Rule::TwoRequiresImprovement => {
                "Two or more key questions rated Requires improvement make the overall rating Requires improvement."
            }
            Rule::OneInadequate => {
                "Exactly one key question rated Inadequate gives the overall rating the policy sets for it \
                 (Requires improvement by default)."
            }
            Rule::Outstanding => {
                "At least two key questions rated Outstanding and the rest Good make the overall rating Outstanding."
            }
            Rule::OtherwiseGood => {
                "No key question is rated Inadequate, at most one Requires improvement, and too few are \
                 Outstanding for Outstanding, so the overall rating is Good."
            }
            Rule::BreachCap => "A breach of regulations caps the overall rating at Requires improvement.",
        }
    }
}

impl From<OverallRule> for Rule {
    fn from(rule: OverallRule) -> Rule {
        match rule {
            OverallRule::TwoInadequate => Rule::TwoInadequate,
            OverallRule::TwoRequiresImprovement => Rule::TwoRequiresImprovement,
            OverallRule::OneInadequate => Rule::OneInadequate,
            OverallRule::Outstanding => Rule::Outstanding,
        }
    }
}

/// One step of a computation: the rule applied and what it did, in a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Step {
    pub rule: Rule,
    pub text: String,
}

/// The result of rating a whole assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssessmentResult {
    pub service_groups: Vec<ServiceGroupResult>,
    /// The location's overall rating: only when there is exactly one service group.
    pub location_overall: Option<OverallResult>,
    /// Why there is no location rating, when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_reason: Option<String>,
    pub framework: FrameworkVersion,
    /// The policy that produced these ratings, every option spelt out.
    pub policy: Policy,
    pub policy_is_default: bool,
}

/// The facts about a service group that bear on its ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Facts {
    pub breach: bool,
    pub registered_manager: bool,
    pub manager_recruitment_under_way: bool,
    pub notifications_ok: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ServiceGroupResult {
    pub name: String,
    pub service_type: ServiceKind,
    pub facts: Facts,
    pub key_questions: KeyQuestionResults,
    /// `None` when a key question has neither scores nor a standing rating.
    pub overall: Option<OverallResult>,
    /// Why there is no overall rating, when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl ServiceGroupResult {
    /// The final rating of each key question, as stored with a published rating.
    pub fn ratings(&self) -> KeyQuestionRatings {
        let mut ratings = KeyQuestionRatings::default();
        for kq in KeyQuestion::ALL {
            ratings.set(kq, self.key_questions.get(kq).rating);
        }
        ratings
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KeyQuestionResults {
    pub safe: KeyQuestionResult,
    pub effective: KeyQuestionResult,
    pub caring: KeyQuestionResult,
    pub responsive: KeyQuestionResult,
    pub well_led: KeyQuestionResult,
}

impl KeyQuestionResults {
    pub fn get(&self, kq: KeyQuestion) -> &KeyQuestionResult {
        match kq {
            KeyQuestion::Safe => &self.safe,
            KeyQuestion::Effective => &self.effective,
            KeyQuestion::Caring => &self.caring,
            KeyQuestion::Responsive => &self.responsive,
            KeyQuestion::WellLed => &self.well_led,
        }
    }

    pub(crate) fn try_from_fn<E>(
        mut result: impl FnMut(KeyQuestion) -> Result<KeyQuestionResult, E>,
    ) -> Result<Self, E> {
        Ok(KeyQuestionResults {
            safe: result(KeyQuestion::Safe)?,
            effective: result(KeyQuestion::Effective)?,
            caring: result(KeyQuestion::Caring)?,
            responsive: result(KeyQuestion::Responsive)?,
            well_led: result(KeyQuestion::WellLed)?,
        })
    }
}

/// One key question's rating and how it was reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KeyQuestionResult {
    /// sum / (statements × 4) as a percentage, to two decimal places, unrounded.
    pub percent: Option<f64>,
    /// The whole percentage that was banded (`None` under `rounding: none`).
    pub percent_rounded: Option<u32>,
    /// The final rating: after limiters, caps and any judgement.
    pub rating: Option<Rating>,
    /// The limiter or cap that lowered the rating below its band, if one did.
    pub limited_by: Option<Rule>,
    /// How many statements were scored (including carried-over ones).
    pub statements_used: u32,
    /// The rating is a standing rating from an earlier assessment.
    pub carried: bool,
    /// How many of the statements used carry a score from an earlier assessment.
    pub statements_carried: u32,
    /// The rule that decided the final rating.
    pub rule: Option<Rule>,
    /// The band the percentage falls in, before limiters and caps.
    pub band: Option<Rating>,
    /// The rating the rules give, before any judgement.
    pub computed_rating: Option<Rating>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judgement: Option<Judgement>,
    /// When a standing rating was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rated_on: Option<NaiveDate>,
    pub sum: Option<u32>,
    pub max: Option<u32>,
    pub statements: Vec<StatementResult>,
    pub steps: Vec<Step>,
    /// Why there is no rating, when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One statement's score as used, with its category working when it has one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatementResult {
    pub id: StatementId,
    pub title: String,
    pub score: Score,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_categories: Option<CategoryWorking>,
    /// The date of a score carried over from an earlier assessment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried_from: Option<NaiveDate>,
}

/// How evidence-category scores became a statement score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CategoryWorking {
    pub scores: BTreeMap<EvidenceCategory, Score>,
    pub sum: u32,
    pub max: u32,
    pub percent: f64,
    pub percent_rounded: Option<u32>,
    pub band: Rating,
    pub text: String,
}

/// How many key questions have each rating.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RatingCounts {
    pub outstanding: u32,
    pub good: u32,
    pub requires_improvement: u32,
    pub inadequate: u32,
}

impl RatingCounts {
    pub fn of(ratings: impl IntoIterator<Item = Rating>) -> RatingCounts {
        let mut counts = RatingCounts::default();
        for rating in ratings {
            *counts.slot(rating) += 1;
        }
        counts
    }

    pub fn get(&self, rating: Rating) -> u32 {
        match rating {
            Rating::Outstanding => self.outstanding,
            Rating::Good => self.good,
            Rating::RequiresImprovement => self.requires_improvement,
            Rating::Inadequate => self.inadequate,
        }
    }

    fn slot(&mut self, rating: Rating) -> &mut u32 {
        match rating {
            Rating::Outstanding => &mut self.outstanding,
            Rating::Good => &mut self.good,
            Rating::RequiresImprovement => &mut self.requires_improvement,
            Rating::Inadequate => &mut self.inadequate,
        }
    }
}

/// An overall rating and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OverallResult {
    pub rating: Rating,
    /// The rule that decided the final rating.
    pub rule: Rule,
    /// That rule's sentence.
    pub explanation: String,
    /// The rating the rules give, before any judgement.
    pub computed_rating: Rating,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judgement: Option<Judgement>,
    pub counts: RatingCounts,
    /// The order the overall rules were tried in.
    pub rule_order: Vec<OverallRule>,
    pub steps: Vec<Step>,
}

#[cfg(test)]
mod tests {
    use super::Rule;

    const ALL: [Rule; 14] = [
        Rule::Band,
        Rule::CategoryBand,
        Rule::LimiterScored1,
        Rule::LimiterScored1Or2,
        Rule::WellLedCapNoRegisteredManager,
        Rule::WellLedCapNotifications,
        Rule::StandingRating,
        Rule::Judgement,
        Rule::TwoInadequate,
        Rule::TwoRequiresImprovement,
        Rule::OneInadequate,
        Rule::Outstanding,
        Rule::OtherwiseGood,
        Rule::BreachCap,
    ];

    #[test]
    fn every_rule_has_a_name_and_words_apart_from_its_code() {
        for rule in ALL {
            let code = serde_json::to_value(rule).unwrap();
            assert!(!rule.name().contains('_') && rule.explanation().ends_with('.'), "{rule:?}");
            assert!(!rule.explanation().contains(code.as_str().unwrap()), "{rule:?}");
        }
        assert!(Rule::OtherwiseGood.explanation().contains("so the overall rating is Good"));
    }
}
