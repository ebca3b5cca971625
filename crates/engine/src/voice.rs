//! The aggregates of people's voice for one service: % positive with its Wilson
//! interval, the mean of each question, personal-outcome progress, and how the
//! provider answered stories. Nothing is shown for fewer than
//! [`MIN_RESPONSES_SHOWN`] responses: a suppressed figure is `None`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use candour_domain::voice::{MIN_RESPONSES_SHOWN, VoiceFacts};

/// % positive: (very good + good) over every answer but "don't know".
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Proportion {
    pub positive: u32,
    /// The answers other than "don't know": the denominator, stated on every chart.
    pub denominator: u32,
    pub percent: f64,
    /// The 95 % Wilson score interval, in percent.
    pub wilson_lo: f64,
    pub wilson_hi: f64,
}

/// A mean on the 0–3 scale over `n` answers ("doesn't apply" left out).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionMean {
    pub code: &'static str,
    pub text: &'static str,
    pub statements: &'static [&'static str],
    pub n: u32,
    /// `None` below the suppression threshold.
    pub mean: Option<f64>,
}

/// The figures of one voice: people (and those who speak for them), staff, or partners.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoiceGroup {
    /// The evidence category it feeds: `people_experience`, `staff_feedback`, `partner_feedback`.
    pub category: &'static str,
    pub responses: u32,
    pub overall: Option<Proportion>,
    pub questions: Vec<QuestionMean>,
    /// The mean per-response outcome score (mean of the answered items), with its n.
    pub outcome_score: Option<f64>,
    pub outcome_score_n: u32,
}

/// Latest progress on personal outcomes, when at least 5 have been rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProgressCounts {
    pub better: u32,
    pub same: u32,
    pub worse: u32,
}

/// How the provider answered the stories people told.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryStats {
    pub published: u32,
    pub with_reply: u32,
    /// Share of published stories with a published reply, in percent; `None` below 5 stories.
    pub reply_rate: Option<f64>,
    /// Median hours from the story's arrival to its first published reply; `None` below 5 replies.
    pub median_reply_hours: Option<f64>,
    pub changes_planned: u32,
    pub changes_made: u32,
    /// Published stories with criticality 3 or more and no reply yet, oldest first (their arrival).
    pub unanswered_critical: Vec<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoiceSummary {
    /// Responses received from `since` to `until` are counted.
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub responses: u32,
    pub people: VoiceGroup,
    pub staff: VoiceGroup,
    pub partners: VoiceGroup,
    pub personal_outcomes: Option<ProgressCounts>,
    pub personal_outcomes_rated: u32,
    pub stories: StoryStats,
    /// The threshold below which figures are withheld.
    pub suppressed_below: u32,
}

/// Computes a service's aggregates from its facts.
pub fn summarise(facts: &VoiceFacts, since: DateTime<Utc>, until: DateTime<Utc>) -> VoiceSummary {
    let _ = (facts, since, until, MIN_RESPONSES_SHOWN);
    todo!()
}
