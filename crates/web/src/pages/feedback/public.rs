//! People's voice as the public sees it: a service's aggregates and its published
//! stories with their replies, on the location page and in the API. Never
//! contact details, never a moderator's criticality, and no figure from fewer
//! than 5 responses (the engine withholds those; this only says so).

use candour_app::voice::VoiceSummary;
use candour_domain::LocationId;
use candour_domain::percent::percent;
use candour_domain::voice::{ChangeClaim, Level, Overall, Respondent, SNAPSHOT_MIN_HOURS, SNAPSHOT_MIN_NEW};
use candour_engine::voice::{Proportion, QuestionMean, StoryStats, VoiceGroup};
use candour_store::{Page, PublishedStory, Reply, ReplyStatus};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::form_href;
use crate::error::WebError;
use crate::views::{count_of, long_date};

/// Stories shown on one page of the location page.
pub const STORIES_PER_PAGE: u32 = 5;
/// The highest page of stories anyone may ask for.
pub const MAX_PAGE: u32 = 100_000;

/// An optional whole number from 1 to `max` from a query string; blank means `default`.
pub fn whole_number(name: &str, raw: Option<&str>, default: u32, max: u32) -> Result<u32, WebError> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v.parse().ok().filter(|n| (1..=max).contains(n)).ok_or_else(|| {
            WebError::bad_request(format!("{name} {v:?} is not valid: enter a whole number from 1 to {max}"))
        }),
    }
}

/// "3 March 2025".
pub fn day(at: DateTime<Utc>) -> String {
    long_date(at.date_naive())
}

// ---------------------------------------------------------------- for the API

/// A published story as the public reads it. Times are given to the day only:
/// a time of day would help tell who wrote it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicStory {
    pub received_at: NaiveDate,
    pub respondent: Respondent,
    pub overall: Overall,
    pub text: String,
    pub published_at: NaiveDate,
    pub replies: Vec<PublicReply>,
}

/// A published reply: the provider answers, not the member of staff who wrote it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicReply {
    pub provider_name: String,
    pub text: String,
    pub change: ChangeClaim,
    pub change_what: String,
    pub created_at: NaiveDate,
}

impl PublicStory {
    pub fn of(story: &PublishedStory) -> Self {
        PublicStory {
            received_at: story.received_at.date_naive(),
            respondent: story.respondent,
            overall: story.overall,
            text: story.text.clone(),
            published_at: story.published_at.date_naive(),
            replies: story.replies.iter().filter(|r| is_public(r)).map(PublicReply::of).collect(),
        }
    }
}

impl PublicReply {
    fn of(reply: &Reply) -> Self {
        PublicReply {
            provider_name: reply.provider_name.clone(),
            text: reply.text.clone(),
            change: reply.change,
            change_what: reply.change_what.clone(),
            created_at: reply.created_at.date_naive(),
        }
    }
}

/// Only replies a moderator let through (or that needed no check) are public.
fn is_public(reply: &Reply) -> bool {
    reply.status == ReplyStatus::Published
}

/// The summary as the public may read it. Which unanswered stories are serious
/// comes from the moderators' private criticality, so those dates are left out;
/// the period and the last update are given to the day.
pub fn public_summary(summary: &VoiceSummary) -> Result<serde_json::Value, WebError> {
    let mut value = serde_json::to_value(summary).map_err(|err| {
        tracing::error!(error = %err, "a voice summary could not be written as JSON");
        WebError::Internal
    })?;
    if let Some(stories) = value.get_mut("stories").and_then(serde_json::Value::as_object_mut) {
        stories.remove("unanswered_critical");
    }
    if let Some(fields) = value.as_object_mut() {
        let to_day = |at: DateTime<Utc>| serde_json::Value::String(at.date_naive().to_string());
        fields.insert("since".into(), to_day(summary.since));
        fields.insert("until".into(), to_day(summary.until));
        fields.insert("updated_at".into(), summary.updated_at.map_or(serde_json::Value::Null, to_day));
    }
    Ok(value)
}

// ---------------------------------------------------------------- for pages

/// A published reply on a page.
pub struct ReplyView {
    pub provider_name: String,
    pub date: String,
    pub text: String,
    /// "Change made: …" when the reply claims one; a planned change stays "not yet
    /// confirmed" until a later reply to the story says it was made.
    pub change: Option<String>,
}

impl ReplyView {
    /// The public replies of a story, oldest first as they come.
    pub fn all_of(replies: &[Reply]) -> Vec<Self> {
        replies
            .iter()
            .enumerate()
            .filter(|(_, r)| is_public(r))
            .map(|(i, reply)| {
                let confirmed =
                    replies[i + 1..].iter().any(|later| is_public(later) && later.change == ChangeClaim::Made);
                ReplyView {
                    provider_name: reply.provider_name.clone(),
                    date: day(reply.created_at),
                    text: reply.text.clone(),
                    change: match reply.change {
                        ChangeClaim::None => None,
                        ChangeClaim::Planned if !confirmed => {
                            Some(format!("{}, not yet confirmed: {}", reply.change.label(), reply.change_what))
                        }
                        claim => Some(format!("{}: {}", claim.label(), reply.change_what)),
                    },
                }
            })
            .collect()
    }
}

pub struct StoryView {
    pub date: String,
    pub who: &'static str,
    pub overall: &'static str,
    pub text: String,
    pub replies: Vec<ReplyView>,
}

impl StoryView {
    fn of(story: &PublishedStory) -> Self {
        StoryView {
            date: day(story.received_at),
            who: story.respondent.described(),
            overall: story.overall.label(),
            text: story.text.clone(),
            replies: ReplyView::all_of(&story.replies),
        }
    }
}

/// "What people say" on the location page.
pub struct VoiceSection {
    pub feedback_href: String,
    pub period: String,
    /// When the figures were last updated, in a sentence.
    pub updated: String,
    /// How they move in batches, in a sentence.
    pub batches: String,
    pub responses: String,
    pub groups: Vec<GroupView>,
    pub outcomes: String,
    pub story_facts: Vec<String>,
    pub stories: Vec<StoryView>,
    pub stories_heading: String,
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// The figures of one voice: people, staff or partners.
pub struct GroupView {
    pub id: &'static str,
    pub heading: &'static str,
    /// Why there are no figures, when there are none.
    pub withheld: Option<String>,
    pub responses: String,
    pub positive: Option<PositiveView>,
    pub positive_withheld: Option<String>,
    pub questions: Vec<QuestionView>,
    pub outcome_score: Option<String>,
}

pub struct PositiveView {
    pub percent: String,
    pub sentence: String,
    pub interval: String,
}

pub struct QuestionView {
    pub text: &'static str,
    /// "On average: Good enough (2.4 out of 3)", or why it is not shown.
    pub answer: String,
    pub n: String,
    /// The mean for the bar, when shown.
    pub meter: Option<String>,
}

const NOT_SHOWN: &str = "Fewer than 5 answers: not shown";

pub fn voice_section(id: &LocationId, summary: &VoiceSummary, stories: &Page<PublishedStory>) -> VoiceSection {
    let page_href = |page: u32| format!("?stories={page}#stories");
    VoiceSection {
        feedback_href: form_href(id),
        period: format!("From {} to {}", day(summary.since), day(summary.until)),
        updated: match summary.updated_at {
            Some(at) => format!("These figures were last updated on {}.", day(at)),
            None => format!(
                "No figures have been published yet: they are first published once {} responses count.",
                SNAPSHOT_MIN_NEW
            ),
        },
        batches: format!(
            "They are updated in batches, at most once every {SNAPSHOT_MIN_HOURS} hours and only when at least \
             {SNAPSHOT_MIN_NEW} more responses count, so that comparing them before and after cannot tell what one \
             person said. Stories appear with the figures."
        ),
        responses: count_of(u64::from(summary.responses), "response", "responses"),
        groups: vec![
            group_view("voice-people", "People who use the service, their families and advocates", &summary.people),
            group_view("voice-staff", "Staff", &summary.staff),
            group_view("voice-partners", "Professionals who work with the service", &summary.partners),
        ],
        outcomes: outcomes_text(summary),
        story_facts: story_facts(&summary.stories),
        stories: stories.items.iter().map(StoryView::of).collect(),
        stories_heading: match stories.total {
            0 => "No stories have been published yet.".to_string(),
            total => format!(
                "{} since feedback began, newest first: page {} of {}",
                count_of(total, "published story", "published stories"),
                stories.page,
                stories.pages()
            ),
        },
        previous: (stories.page > 1).then(|| page_href(stories.page - 1)),
        next: (stories.page < stories.pages()).then(|| page_href(stories.page + 1)),
    }
}

fn group_view(id: &'static str, heading: &'static str, group: &VoiceGroup) -> GroupView {
    let withheld = match group.responses {
        0 => Some("No feedback yet.".to_string()),
        n if n < candour_domain::voice::MIN_RESPONSES_SHOWN => Some("Fewer than 5 responses: not shown.".to_string()),
        _ => None,
    };
    let shown = withheld.is_none();
    GroupView {
        id,
        heading,
        responses: count_of(u64::from(group.responses), "response", "responses"),
        positive: group.overall.as_ref().filter(|_| shown).map(positive_view),
        positive_withheld: (shown && group.overall.is_none())
            .then(|| "Fewer than 5 people gave an overall answer other than \"don't know\": not shown.".to_string()),
        questions: if shown { group.questions.iter().map(question_view).collect() } else { Vec::new() },
        outcome_score: group.outcome_score.filter(|_| shown).map(|score| {
            format!(
                "Average score across these questions: {score:.1} out of 3, from {}.",
                count_of(u64::from(group.outcome_score_n), "response", "responses")
            )
        }),
        withheld,
    }
}

fn positive_view(p: &Proportion) -> PositiveView {
    PositiveView {
        percent: percent(p.percent),
        sentence: format!(
            "{} of {} said their experience was very good or good. Answers of \"don't know\" are left out.",
            p.positive, p.denominator
        ),
        interval: format!(
            "We are 95% confident the true figure is between {} and {} (Wilson interval).",
            percent(p.wilson_lo),
            percent(p.wilson_hi)
        ),
    }
}

fn question_view(q: &QuestionMean) -> QuestionView {
    QuestionView {
        text: q.text,
        answer: q.mean.map_or_else(
            || NOT_SHOWN.to_string(),
            |mean| format!("On average: {} ({mean:.1} out of 3)", level_words(mean)),
        ),
        n: count_of(u64::from(q.n), "answer", "answers"),
        meter: q.mean.map(|mean| format!("{mean:.2}")),
    }
}

/// The answer a mean is nearest to, in the question's own words.
fn level_words(mean: f64) -> &'static str {
    let level = match mean {
        m if m >= 2.5 => Level::JustAsIWant,
        m if m >= 1.5 => Level::GoodEnough,
        m if m >= 0.5 => Level::SomeNotEnough,
        _ => Level::NotAtAll,
    };
    level.label()
}

fn outcomes_text(summary: &VoiceSummary) -> String {
    match (summary.personal_outcomes, summary.personal_outcomes_rated) {
        (Some(p), rated) => format!(
            "Of {} rated by the people who named them: {} better, {} about the same, {} worse.",
            count_of(u64::from(rated), "personal outcome", "personal outcomes"),
            p.better,
            p.same,
            p.worse
        ),
        (None, 0) => "Nobody has rated progress on their personal outcomes yet.".to_string(),
        (None, _) => "Fewer than 5 personal outcomes rated: not shown.".to_string(),
    }
}

fn story_facts(s: &StoryStats) -> Vec<String> {
    if s.published == 0 {
        return vec!["No stories published yet.".to_string()];
    }
    vec![
        format!(
            "{} published in this period, {} with a reply from the service.",
            count_of(u64::from(s.published), "story", "stories"),
            s.with_reply
        ),
        s.reply_rate.map_or_else(
            || "Reply rate: fewer than 5 stories, not shown.".to_string(),
            |rate| format!("Reply rate: {rate:.0}% of published stories."),
        ),
        s.median_reply_hours.map_or_else(
            || "Time to reply: fewer than 5 replies, not shown.".to_string(),
            |hours| format!("Median time to the first reply: {}.", duration_words(hours)),
        ),
        format!("Changes made after feedback: {}. Changes planned: {}.", s.changes_made, s.changes_planned),
    ]
}

/// 5.2 → "5 hours"; 70 → "3 days".
fn duration_words(hours: f64) -> String {
    let (n, unit) = if hours < 48.0 { (hours.round(), "hour") } else { ((hours / 24.0).round(), "day") };
    let n = n.max(1.0) as u64;
    if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_read_as_the_nearest_answer() {
        assert_eq!(level_words(2.6), "Just as I want");
        assert_eq!(level_words(2.4), "Good enough");
        assert_eq!(level_words(0.7), "Some, but not enough");
        assert_eq!(level_words(0.2), "Not at all");
    }

    #[test]
    fn reply_times_read_in_hours_then_days() {
        assert_eq!(duration_words(0.2), "1 hour");
        assert_eq!(duration_words(5.4), "5 hours");
        assert_eq!(duration_words(70.0), "3 days");
    }

    #[test]
    fn a_planned_change_is_not_yet_confirmed_until_a_later_reply_says_it_was_made() {
        let reply = |id: i64, change: ChangeClaim, status: ReplyStatus| Reply {
            id,
            feedback_id: 1,
            author: candour_domain::UserId(1),
            provider_name: "Sunrise Care".into(),
            text: "Thank you.".into(),
            change,
            change_what: format!("change {id}"),
            created_at: DateTime::from_timestamp(1_750_000_000 + id * 3600, 0).expect("a time"),
            status,
            checked_by: None,
            checked_at: None,
            reject_reason: None,
        };
        let changes = |replies: &[Reply]| ReplyView::all_of(replies).into_iter().map(|r| r.change).collect::<Vec<_>>();
        let planned = reply(1, ChangeClaim::Planned, ReplyStatus::Published);
        assert_eq!(
            changes(std::slice::from_ref(&planned)),
            [Some("Change planned, not yet confirmed: change 1".to_string())]
        );
        // A made claim still waiting for its check confirms nothing.
        let pending = reply(2, ChangeClaim::Made, ReplyStatus::Pending);
        assert_eq!(
            changes(&[planned.clone(), pending]),
            [Some("Change planned, not yet confirmed: change 1".to_string())]
        );
        let made = reply(3, ChangeClaim::Made, ReplyStatus::Published);
        assert_eq!(
            changes(&[planned, made]),
            [Some("Change planned: change 1".to_string()), Some("Change made: change 3".to_string())]
        );
    }
}
