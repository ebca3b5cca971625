//! The voice aggregates as words, for the provider's page and the inspector's
//! evidence. Every figure states its n; a suppressed one says why it is missing.

use candour_domain::percent::percent;
use candour_domain::voice::{MIN_RESPONSES_SHOWN, SNAPSHOT_MIN_HOURS, SNAPSHOT_MIN_NEW};
use candour_engine::voice::{ProgressCounts, Proportion, QuestionMean, VoiceGroup, VoiceSummary};

use super::age;
use crate::views::{Row, count_of, long_date};

fn withheld(what: &str) -> String {
    format!("Fewer than {MIN_RESPONSES_SHOWN} {what}: not shown")
}

/// "78% positive (31 of 40 answers other than "don't know"; 95% interval 63% to 88%)".
pub fn proportion_text(p: Option<&Proportion>) -> String {
    match p {
        Some(p) => format!(
            "{} positive ({} of {} answers other than \"don't know\"; 95% interval {} to {})",
            percent(p.percent),
            p.positive,
            p.denominator,
            percent(p.wilson_lo),
            percent(p.wilson_hi)
        ),
        None => withheld("answers"),
    }
}

/// "2.4 out of 3 (n = 23)".
pub fn mean_text(q: &QuestionMean) -> String {
    match q.mean {
        Some(mean) => format!("{mean:.1} out of 3 (n = {})", q.n),
        None => withheld("answers"),
    }
}

pub fn progress_text(p: Option<&ProgressCounts>) -> String {
    match p {
        Some(p) => format!(
            "Latest rating: {} better, {} about the same, {} worse (n = {})",
            p.better,
            p.same,
            p.worse,
            p.better + p.same + p.worse
        ),
        None => withheld("ratings of progress"),
    }
}

fn group_text(g: &VoiceGroup) -> String {
    format!("{}: {}", count_of(u64::from(g.responses), "response", "responses"), proportion_text(g.overall.as_ref()))
}

/// The headline figures of a service's voice, as a summary list.
pub fn summary_rows(s: &VoiceSummary) -> Vec<Row> {
    let stories = &s.stories;
    let now = s.until;
    vec![
        Row::text(
            "Responses counted",
            format!(
                "{} received from {} to {}",
                count_of(u64::from(s.responses), "response", "responses"),
                long_date(s.since.date_naive()),
                long_date(s.until.date_naive())
            ),
        ),
        Row::text(
            "Last updated",
            match s.updated_at {
                Some(at) => format!(
                    "{}: the figures move in batches, at most once every {SNAPSHOT_MIN_HOURS} hours and only when \
                     at least {SNAPSHOT_MIN_NEW} more responses have been published",
                    long_date(at.date_naive())
                ),
                None => format!("Not yet: the figures are first published once {SNAPSHOT_MIN_NEW} responses count"),
            },
        ),
        Row::text("People who use the service, families and advocates", group_text(&s.people)),
        Row::text("Staff", group_text(&s.staff)),
        Row::text("Partners", group_text(&s.partners)),
        Row::text("Progress on personal outcomes", progress_text(s.personal_outcomes.as_ref())),
        Row::text("Stories published", format!("{}, {} with a reply", stories.published, stories.with_reply)),
        Row::text("Reply rate", stories.reply_rate.map_or_else(|| withheld("published stories"), percent)),
        Row::text(
            "Median time to the first reply",
            stories.median_reply_hours.map_or_else(|| withheld("replies"), hours_text),
        ),
        Row::text("Changes reported", format!("{} made, {} planned", stories.changes_made, stories.changes_planned)),
        Row::text(
            "Critical stories without a reply",
            match stories.unanswered_critical.first() {
                None => "None".to_string(),
                Some(oldest) => {
                    format!("{}, the oldest waiting {}", stories.unanswered_critical.len(), age(*oldest, now))
                }
            },
        ),
    ]
}

/// "5 hours", "3.5 days".
fn hours_text(hours: f64) -> String {
    if hours < 48.0 { format!("{hours:.0} hours") } else { format!("{:.1} days", hours / 24.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_state_their_n_or_why_they_are_missing() {
        let p = Proportion { positive: 31, denominator: 40, percent: 77.5, wilson_lo: 62.5, wilson_hi: 87.7 };
        assert_eq!(
            proportion_text(Some(&p)),
            "78% positive (31 of 40 answers other than \"don't know\"; 95% interval 63% to 88%)"
        );
        assert_eq!(proportion_text(None), "Fewer than 5 answers: not shown");
        let q = QuestionMean { code: "safe", text: "I feel safe", statements: &["S3"], n: 4, mean: None };
        assert_eq!(mean_text(&q), "Fewer than 5 answers: not shown");
        let q = QuestionMean { mean: Some(2.375), n: 8, ..q };
        assert_eq!(mean_text(&q), "2.4 out of 3 (n = 8)");
        assert_eq!(hours_text(5.2), "5 hours");
        assert_eq!(hours_text(84.0), "3.5 days");
    }
}
