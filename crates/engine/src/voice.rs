//! The aggregates of people's voice for one service: % positive with its Wilson
//! interval, the mean of each question, personal-outcome progress, and how the
//! provider answered stories. Nothing is shown for fewer than
//! [`MIN_RESPONSES_SHOWN`] responses: a suppressed figure is `None`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use candour_domain::voice::{
    ChangeClaim, Criticality, MIN_RESPONSES_SHOWN, Progress, Respondent, ResponseFacts, StoryFacts, VoiceFacts,
};

use crate::stats;

/// % positive: (very good + good) over every answer but "don't know".
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QuestionMean {
    pub code: &'static str,
    pub text: &'static str,
    pub statements: &'static [&'static str],
    pub n: u32,
    /// `None` below the suppression threshold.
    pub mean: Option<f64>,
}

/// The figures of one voice: people (and those who speak for them), staff, or partners.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProgressCounts {
    pub better: u32,
    pub same: u32,
    pub worse: u32,
}

/// How the provider answered the stories people told.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
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
    /// When the published figures were last updated (the service's latest voice
    /// snapshot, which `until` then is); `None` while there has been none.
    pub updated_at: Option<DateTime<Utc>>,
}

/// Computes a service's aggregates from its facts, counting only what was
/// received from `since` to `until` (personal-outcome progress has no date of
/// its own and is counted as given).
pub fn summarise(facts: &VoiceFacts, since: DateTime<Utc>, until: DateTime<Utc>) -> VoiceSummary {
    let within = |at: DateTime<Utc>| since <= at && at <= until;
    let responses: Vec<&ResponseFacts> = facts.responses.iter().filter(|r| within(r.received_at)).collect();
    let stories: Vec<&StoryFacts> = facts.stories.iter().filter(|s| within(s.received_at)).collect();
    let rated = count(facts.outcome_progress.len());
    let progress = |p: Progress| count(facts.outcome_progress.iter().filter(|&&x| x == p).count());
    VoiceSummary {
        since,
        until,
        responses: count(responses.len()),
        people: group(Respondent::Person, &responses),
        staff: group(Respondent::Staff, &responses),
        partners: group(Respondent::Partner, &responses),
        personal_outcomes: shown(rated).then(|| ProgressCounts {
            better: progress(Progress::Better),
            same: progress(Progress::Same),
            worse: progress(Progress::Worse),
        }),
        personal_outcomes_rated: rated,
        stories: story_stats(&stories),
        suppressed_below: MIN_RESPONSES_SHOWN,
        updated_at: None,
    }
}

/// Whether a figure over `n` may be shown.
fn shown(n: u32) -> bool {
    n >= MIN_RESPONSES_SHOWN
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The mean, or `None` when there are too few values to show it.
fn shown_mean(values: &[f64]) -> Option<f64> {
    shown(count(values.len())).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The figures of the voice `like` belongs to (people, staff or partners).
fn group(like: Respondent, responses: &[&ResponseFacts]) -> VoiceGroup {
    let category = like.evidence_category();
    let members: Vec<&ResponseFacts> =
        responses.iter().copied().filter(|r| r.respondent.evidence_category() == category).collect();
    let answered: Vec<bool> = members.iter().filter_map(|r| r.overall.positive()).collect();
    let positive = count(answered.iter().filter(|&&p| p).count());
    let questions = like
        .questions()
        .iter()
        .map(|q| {
            let scores: Vec<f64> = members
                .iter()
                .flat_map(|r| &r.answers)
                .filter(|(code, _)| *code == q.code)
                .filter_map(|(_, score)| score.map(f64::from))
                .collect();
            QuestionMean {
                code: q.code,
                text: q.text,
                statements: q.statements,
                n: count(scores.len()),
                mean: shown_mean(&scores),
            }
        })
        .collect();
    let outcome_scores: Vec<f64> = members.iter().filter_map(|r| outcome_score(r)).collect();
    VoiceGroup {
        category,
        responses: count(members.len()),
        overall: proportion(positive, count(answered.len())),
        questions,
        outcome_score: shown_mean(&outcome_scores),
        outcome_score_n: count(outcome_scores.len()),
    }
}

/// % positive with its 95 % Wilson interval, when the denominator is large enough to show.
fn proportion(positive: u32, denominator: u32) -> Option<Proportion> {
    shown(denominator).then(|| {
        let (lo, hi) = stats::wilson(positive, denominator, stats::Z_95);
        Proportion {
            positive,
            denominator,
            percent: 100.0 * f64::from(positive) / f64::from(denominator),
            wilson_lo: 100.0 * lo,
            wilson_hi: 100.0 * hi,
        }
    })
}

/// One response's outcome score: the mean of its answered items, never imputing "doesn't apply".
fn outcome_score(response: &ResponseFacts) -> Option<f64> {
    let scores: Vec<f64> = response.answers.iter().filter_map(|(_, s)| s.map(f64::from)).collect();
    (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64)
}

fn story_stats(stories: &[&StoryFacts]) -> StoryStats {
    let published: Vec<&StoryFacts> = stories.iter().copied().filter(|s| s.published).collect();
    let reply_hours: Vec<f64> = published
        .iter()
        .filter_map(|s| s.first_reply_at.map(|at| (at - s.received_at).num_seconds() as f64 / 3600.0))
        .collect();
    let with_reply = count(reply_hours.len());
    let changes = |claim: ChangeClaim| count(published.iter().filter(|s| s.change == Some(claim)).count());
    let moderate = Criticality::new(3).expect("3 is a level");
    let mut unanswered_critical: Vec<DateTime<Utc>> = published
        .iter()
        .filter(|s| s.first_reply_at.is_none() && s.criticality.is_some_and(|c| c >= moderate))
        .map(|s| s.received_at)
        .collect();
    unanswered_critical.sort();
    let total = count(published.len());
    StoryStats {
        published: total,
        with_reply,
        reply_rate: shown(total).then(|| 100.0 * f64::from(with_reply) / f64::from(total)),
        median_reply_hours: if shown(with_reply) { stats::median(&reply_hours) } else { None },
        changes_planned: changes(ChangeClaim::Planned),
        changes_made: changes(ChangeClaim::Made),
        unanswered_critical,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    use candour_domain::voice::{Channel, Overall};

    use super::*;

    fn day(n: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 1, 9, 0, 0).unwrap() + Duration::days(n)
    }

    fn response(respondent: Respondent, overall: Overall, answers: &[(&'static str, Option<u8>)]) -> ResponseFacts {
        ResponseFacts { received_at: day(1), respondent, channel: Channel::Online, overall, answers: answers.to_vec() }
    }

    fn person(overall: Overall) -> ResponseFacts {
        response(Respondent::Person, overall, &[])
    }

    fn summary(facts: &VoiceFacts) -> VoiceSummary {
        summarise(facts, day(0), day(365))
    }

    fn question<'a>(group: &'a VoiceGroup, code: &str) -> &'a QuestionMean {
        group.questions.iter().find(|q| q.code == code).unwrap()
    }

    fn story(reply_after_hours: Option<i64>) -> StoryFacts {
        StoryFacts {
            received_at: day(1),
            published: true,
            criticality: Some(Criticality::NONE),
            first_reply_at: reply_after_hours.map(|h| day(1) + Duration::hours(h)),
            change: reply_after_hours.map(|_| ChangeClaim::None),
        }
    }

    #[test]
    fn percent_positive_leaves_dont_know_out_of_the_denominator() {
        use Overall::*;
        let responses = [VeryGood, Good, Good, Poor, Neither, DontKnow, DontKnow].map(person).to_vec();
        let s = summary(&VoiceFacts { responses, ..VoiceFacts::default() });
        let p = s.people.overall.unwrap();
        assert_eq!((p.positive, p.denominator), (3, 5));
        assert!((p.percent - 60.0).abs() < 1e-9);
        // Wilson 95 % for 3/5, worked by hand: [23.07 %, 88.24 %].
        assert!((p.wilson_lo - 23.072).abs() < 1e-3 && (p.wilson_hi - 88.238).abs() < 1e-3, "{p:?}");
        assert_eq!((s.responses, s.people.responses), (7, 7));
    }

    #[test]
    fn four_responses_show_nothing_and_five_show_every_figure() {
        let one = || response(Respondent::Person, Overall::Good, &[("safe", Some(2)), ("dignity", Some(3))]);
        let mut facts = VoiceFacts { responses: vec![one(); 4], ..VoiceFacts::default() };
        let four = summary(&facts);
        assert_eq!(four.people.overall, None);
        assert_eq!((question(&four.people, "safe").n, question(&four.people, "safe").mean), (4, None));
        assert_eq!((four.people.outcome_score, four.people.outcome_score_n), (None, 4));

        facts.responses.push(one());
        let five = summary(&facts);
        assert_eq!(five.people.overall.map(|p| (p.positive, p.denominator)), Some((5, 5)));
        assert_eq!((question(&five.people, "safe").n, question(&five.people, "safe").mean), (5, Some(2.0)));
        assert_eq!(five.people.outcome_score, Some(2.5));
        assert_eq!(question(&five.people, "choice").n, 0);
    }

    #[test]
    fn four_answers_besides_dont_know_are_not_enough_for_percent_positive() {
        use Overall::*;
        let responses = [Good, Good, Good, Poor, DontKnow, DontKnow].map(person).to_vec();
        assert_eq!(summary(&VoiceFacts { responses, ..VoiceFacts::default() }).people.overall, None);
    }

    #[test]
    fn doesnt_apply_is_never_imputed() {
        let scores = [Some(3), Some(2), Some(2), Some(1), Some(0), None];
        let mut responses: Vec<ResponseFacts> =
            scores.iter().map(|&s| response(Respondent::Family, Overall::Good, &[("safe", s)])).collect();
        // Only "doesn't apply" answers: no outcome score at all, rather than a zero.
        responses.push(response(Respondent::Advocate, Overall::Good, &[("safe", None), ("choice", None)]));
        let s = summary(&VoiceFacts { responses, ..VoiceFacts::default() });
        let safe = question(&s.people, "safe");
        // (3 + 2 + 2 + 1 + 0) / 5: the two "doesn't apply" are out of n, not zeros.
        assert_eq!((safe.n, safe.mean), (5, Some(1.6)));
        assert_eq!(s.people.outcome_score_n, 5);
        assert_eq!(s.people.outcome_score, Some(1.6));
    }

    #[test]
    fn one_response_scores_the_mean_of_its_answered_items() {
        let answers = [("safe", Some(3)), ("dignity", Some(1)), ("choice", None)];
        let responses = vec![response(Respondent::Person, Overall::Good, &answers); 5];
        let s = summary(&VoiceFacts { responses, ..VoiceFacts::default() });
        assert_eq!(s.people.outcome_score, Some(2.0));
    }

    #[test]
    fn people_staff_and_partners_are_counted_apart() {
        let mut responses = vec![response(Respondent::Staff, Overall::Poor, &[("speak_up", Some(0))]); 5];
        responses.extend(vec![person(Overall::VeryGood); 5]);
        responses.push(response(Respondent::Partner, Overall::Good, &[("transitions", Some(3))]));
        let s = summary(&VoiceFacts { responses, ..VoiceFacts::default() });
        assert_eq!((s.responses, s.people.responses, s.staff.responses, s.partners.responses), (11, 5, 5, 1));
        assert_eq!(s.staff.overall.map(|p| p.positive), Some(0));
        assert_eq!(s.people.overall.map(|p| p.positive), Some(5));
        assert_eq!(s.partners.overall, None);
        assert_eq!(question(&s.staff, "speak_up").mean, Some(0.0));
        assert_eq!(s.staff.category, "staff_feedback");
        assert_eq!(s.people.questions.len(), 8);
        assert_eq!(s.partners.questions.len(), 2);
        assert_eq!(question(&s.partners, "transitions").statements, ["S2"]);
    }

    #[test]
    fn only_responses_within_the_period_count() {
        let mut early = person(Overall::Good);
        early.received_at = day(-1);
        let mut late = person(Overall::Good);
        late.received_at = day(366);
        let mut responses = vec![early, late];
        responses.extend(vec![person(Overall::Poor); 5]);
        let s = summary(&VoiceFacts { responses, ..VoiceFacts::default() });
        assert_eq!(s.responses, 5);
        assert_eq!(s.people.overall.map(|p| p.positive), Some(0));
    }

    #[test]
    fn reply_rate_and_median_reply_time_need_five() {
        let mut stories: Vec<StoryFacts> = [1, 2, 3, 10, 48].map(|h| story(Some(h))).to_vec();
        stories.push(story(None));
        // A story still waiting for moderation is not counted.
        stories.push(StoryFacts { published: false, ..story(Some(1)) });
        let s = summary(&VoiceFacts { stories: stories.clone(), ..VoiceFacts::default() }).stories;
        assert_eq!((s.published, s.with_reply), (6, 5));
        assert!((s.reply_rate.unwrap() - 500.0 / 6.0).abs() < 1e-9);
        assert_eq!(s.median_reply_hours, Some(3.0));

        stories.remove(0);
        let s = summary(&VoiceFacts { stories, ..VoiceFacts::default() }).stories;
        assert_eq!((s.published, s.with_reply, s.median_reply_hours), (5, 4, None));
        assert_eq!(s.reply_rate, Some(80.0));

        let s = summary(&VoiceFacts { stories: vec![story(Some(1)); 4], ..VoiceFacts::default() }).stories;
        assert_eq!((s.reply_rate, s.median_reply_hours), (None, None));
    }

    #[test]
    fn changes_and_unanswered_critical_stories_are_counted() {
        let critical = |level: u8, at: i64| StoryFacts {
            received_at: day(at),
            criticality: Some(Criticality::new(level).unwrap()),
            ..story(None)
        };
        let stories = vec![
            StoryFacts { change: Some(ChangeClaim::Made), ..story(Some(5)) },
            StoryFacts { change: Some(ChangeClaim::Planned), ..story(Some(5)) },
            StoryFacts { change: Some(ChangeClaim::Made), ..story(Some(5)) },
            critical(4, 20),
            critical(3, 10),
            critical(2, 5),
            StoryFacts { published: false, ..critical(5, 3) },
            StoryFacts { first_reply_at: Some(day(40)), ..critical(5, 30) },
        ];
        let s = summary(&VoiceFacts { stories, ..VoiceFacts::default() }).stories;
        assert_eq!((s.changes_made, s.changes_planned), (2, 1));
        assert_eq!(s.unanswered_critical, [day(10), day(20)]);
    }

    #[test]
    fn progress_is_shown_from_five_ratings() {
        use Progress::*;
        let four = VoiceFacts { outcome_progress: vec![Better, Better, Same, Worse], ..VoiceFacts::default() };
        assert_eq!((summary(&four).personal_outcomes, summary(&four).personal_outcomes_rated), (None, 4));
        let five = VoiceFacts { outcome_progress: vec![Better, Better, Same, Worse, Better], ..VoiceFacts::default() };
        assert_eq!(summary(&five).personal_outcomes, Some(ProgressCounts { better: 3, same: 1, worse: 1 }));
    }

    #[test]
    fn an_empty_service_shows_nothing_but_zero_counts() {
        let s = summary(&VoiceFacts::default());
        assert_eq!((s.responses, s.suppressed_below), (0, 5));
        assert!(s.people.overall.is_none() && s.people.questions.iter().all(|q| q.mean.is_none()));
        assert_eq!((s.stories.reply_rate, s.stories.median_reply_hours), (None, None));
    }

    proptest! {
        #[test]
        fn percent_positive_stays_inside_its_wilson_interval(counts in prop::array::uniform6(0usize..40)) {
            let responses: Vec<ResponseFacts> = Overall::ALL
                .iter()
                .zip(counts)
                .flat_map(|(&overall, n)| std::iter::repeat_n(person(overall), n))
                .collect();
            let s = summary(&VoiceFacts { responses, ..VoiceFacts::default() });
            let denominator = counts[..5].iter().sum::<usize>() as u32;
            match s.people.overall {
                None => prop_assert!(denominator < MIN_RESPONSES_SHOWN),
                Some(p) => {
                    prop_assert_eq!(p.denominator, denominator);
                    prop_assert!(0.0 <= p.wilson_lo && p.wilson_lo <= p.percent);
                    prop_assert!(p.percent <= p.wilson_hi && p.wilson_hi <= 100.0);
                }
            }
        }
    }
}
