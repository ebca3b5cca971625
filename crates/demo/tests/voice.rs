//! The demo's feedback: the mixes people give, moderation and replies that follow
//! the rules, services that deteriorate or fall silent, the same for the same seed.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use candour_demo::{SILENT_DAYS, Scale, Trend, VoiceAuthors, VoicePlan, generate};
use candour_domain::voice::{Channel, Feedback, NOT_APPLICABLE, RawFeedback, Respondent};
use candour_domain::{LocationId, ProviderId, UserId};
use candour_store::{FeedbackStatus, HistoricFeedback, ImportPlan, ReplyStatus};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

const TODAY: NaiveDate = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
const HISTORY: UserId = UserId(1);
const DEMO_AUTHOR: UserId = UserId(2);

fn register() -> &'static ImportPlan {
    static PLAN: OnceLock<ImportPlan> = OnceLock::new();
    PLAN.get_or_init(|| generate(Scale::Small, 42))
}

/// The provider with the most registered services, as the demo accounts choose it.
fn demo_provider() -> ProviderId {
    let mut counts: HashMap<&ProviderId, usize> = HashMap::new();
    for l in register().locations.iter().filter(|l| l.is_registered()) {
        *counts.entry(&l.provider_id).or_default() += 1;
    }
    counts.into_iter().max_by_key(|(id, n)| (*n, std::cmp::Reverse(*id))).map(|(id, _)| id.clone()).unwrap()
}

fn plan(seed: u64) -> VoicePlan {
    let authors = VoiceAuthors { history: HISTORY, demo_provider: Some((demo_provider(), DEMO_AUTHOR)) };
    VoicePlan::new(register(), seed, TODAY, authors)
}

fn responses() -> &'static Vec<HistoricFeedback> {
    static ALL: OnceLock<Vec<HistoricFeedback>> = OnceLock::new();
    ALL.get_or_init(|| plan(42).into_batches(5_000).flatten().collect())
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap().and_utc()
}

fn percent(part: usize, whole: usize) -> f64 {
    part as f64 * 100.0 / whole as f64
}

fn assert_between(what: &str, value: f64, low: f64, high: f64) {
    assert!((low..=high).contains(&value), "{what}: {value:.2} not in {low}..={high}");
}

#[test]
fn about_a_hundred_responses_per_service_over_two_years() {
    let all = responses();
    let registered = register().locations.iter().filter(|l| l.is_registered()).count();
    assert_eq!(all.len() as u64, plan(42).total());
    assert_between("responses per service", all.len() as f64 / registered as f64, 90.0, 105.0);
    let from = midnight(TODAY) - TimeDelta::days(730);
    assert!(all.iter().all(|h| h.new.received_at >= from && h.new.received_at < midnight(TODAY)));
    let references: HashSet<&str> = all.iter().map(|h| h.new.reference.as_str()).collect();
    let keys: HashSet<&str> = all.iter().map(|h| h.new.key_hash.as_str()).collect();
    assert_eq!((references.len(), keys.len()), (all.len(), all.len()), "references and keys are unique");
}

#[test]
fn respondents_and_channels_come_in_realistic_mixes() {
    let all = responses();
    let share = |r: Respondent| percent(all.iter().filter(|h| h.new.feedback.respondent == r).count(), all.len());
    assert_between("people", share(Respondent::Person), 52.0, 58.0);
    assert_between("family", share(Respondent::Family), 22.0, 28.0);
    assert_between("advocates", share(Respondent::Advocate), 3.5, 6.5);
    assert_between("staff", share(Respondent::Staff), 8.0, 12.0);
    assert_between("partners", share(Respondent::Partner), 3.5, 6.5);
    let channel = |c: Channel| percent(all.iter().filter(|h| h.new.feedback.channel == c).count(), all.len());
    assert!(channel(Channel::Online) > 70.0);
    assert_between("assisted", channel(Channel::Assisted), 5.0, 15.0);
    assert_between("paper", channel(Channel::Paper), 3.0, 12.0);
    assert!(all.iter().any(|h| h.new.feedback.respondent == Respondent::Advocate && h.new.feedback.helper.is_some()));
    let not_applicable = all.iter().flat_map(|h| &h.new.feedback.answers).filter(|a| a.level.is_none()).count();
    let answers = all.iter().map(|h| h.new.feedback.answers.len()).sum();
    assert_between("doesn't apply", percent(not_applicable, answers), 4.0, 8.0);
}

/// What the form or the API would have sent for this response.
fn raw(f: &Feedback) -> RawFeedback {
    RawFeedback {
        respondent: f.respondent.code().into(),
        helper: f.helper.map(|h| h.code().to_string()).unwrap_or_default(),
        overall: f.overall.code().into(),
        answers: f
            .answers
            .iter()
            .map(|a| (a.question.to_string(), a.level.map_or(NOT_APPLICABLE, |l| l.code()).to_string()))
            .collect(),
        personal_outcomes: f.personal_outcomes.clone(),
        story: f.story.clone(),
        anonymous: if f.anonymous { "yes" } else { "no" }.into(),
        contact_name: f.contact.name.clone(),
        contact_email: f.contact.email.clone(),
        contact_phone: f.contact.phone.clone(),
        relation: String::new(),
    }
}

#[test]
fn every_response_is_one_the_form_would_accept() {
    for h in responses().iter().step_by(7) {
        let f = &h.new.feedback;
        let entry = if f.channel == Channel::Paper { Channel::Paper } else { Channel::Online };
        assert_eq!(Feedback::parse(&raw(f), entry).as_ref(), Ok(f), "{}", h.new.reference);
    }
}

#[test]
fn stories_are_moderated_published_answered_and_a_few_wait() {
    let all = responses();
    let stories: Vec<&HistoricFeedback> = all.iter().filter(|h| !h.new.feedback.story.is_empty()).collect();
    assert_between("stories", percent(stories.len(), all.len()), 12.0, 18.0);
    let status = |s: FeedbackStatus| stories.iter().filter(|h| h.status == s).count();
    assert_between("rejected", percent(status(FeedbackStatus::Rejected), stories.len()), 0.3, 2.0);
    let pending: Vec<_> = stories.iter().filter(|h| h.status == FeedbackStatus::Pending).collect();
    assert!(!pending.is_empty() && pending.len() < stories.len() / 50, "{} pending", pending.len());
    assert!(pending.iter().all(|h| h.new.received_at > midnight(TODAY) - TimeDelta::days(6)), "only recent ones wait");

    let published: Vec<_> = stories.iter().filter(|h| h.status == FeedbackStatus::Published).collect();
    for h in &published {
        let text = h.published_text.as_deref().expect("a published story has its copy");
        let contact = &h.new.feedback.contact;
        assert!(!text.is_empty() && (contact.name.is_empty() || !text.contains(&contact.name)));
        assert!(h.criticality.is_some_and(|c| !c.is_safeguarding()), "no past story called for an alert");
        assert!(h.moderated_at.is_some_and(|m| m > h.new.received_at) && h.moderated_by == Some(HISTORY));
        for reply in &h.replies {
            assert!(reply.at > h.moderated_at.unwrap() && reply.at < midnight(TODAY));
            assert_eq!(reply.change_what.is_empty(), reply.change == candour_domain::voice::ChangeClaim::None);
        }
    }
    assert!(published.iter().any(|h| h.published_text.as_deref() != Some(h.new.feedback.story.as_str())));
    let answered = published.iter().filter(|h| !h.replies.is_empty()).count();
    assert_between("answered", percent(answered, published.len()), 50.0, 70.0);
    let replies: Vec<_> = published.iter().flat_map(|h| &h.replies).collect();
    assert!(replies.iter().any(|r| r.change != candour_domain::voice::ChangeClaim::None));
    assert!(replies.iter().any(|r| r.status == ReplyStatus::Pending), "a recent change claim waits for its check");
    let flagged = stories.iter().filter(|h| !h.new.prescreen.words.is_empty()).count();
    assert!(flagged > 0 && flagged < stories.len() / 2, "{flagged} flagged by the pre-screen");
    // Nothing in the past would have raised an alert on arrival: alerts come from live feedback only.
    assert!(all.iter().all(|h| h.new.alert.is_none()));
    assert!(all.iter().all(|h| h.new.prescreen.suggested.is_none_or(|c| !c.is_safeguarding())));
}

#[test]
fn the_demo_provider_answers_with_its_own_account() {
    let locations: HashSet<&LocationId> =
        register().locations.iter().filter(|l| l.provider_id == demo_provider()).map(|l| &l.id).collect();
    let (own, others): (Vec<_>, Vec<_>) = responses()
        .iter()
        .flat_map(|h| {
            let own = locations.contains(&h.new.location_id);
            h.replies.iter().map(move |r| (own, r.author))
        })
        .partition(|(own, _)| *own);
    assert!(!own.is_empty() && own.iter().all(|(_, a)| *a == DEMO_AUTHOR));
    assert!(others.iter().all(|(_, a)| *a == HISTORY));
}

#[test]
fn personal_outcomes_are_rated_later_on() {
    let all = responses();
    let with_outcomes: Vec<_> = all.iter().filter(|h| !h.new.feedback.personal_outcomes.is_empty()).collect();
    assert!(with_outcomes.iter().all(|h| h.new.feedback.respondent.has_personal_outcomes()));
    let rated: Vec<_> = with_outcomes.iter().filter(|h| !h.progress.is_empty()).collect();
    assert_between("rated", percent(rated.len(), with_outcomes.len()), 30.0, 55.0);
    for h in rated {
        for (index, at, _) in &h.progress {
            assert!(*index < h.new.feedback.personal_outcomes.len());
            assert!(*at > h.new.received_at && *at < midnight(TODAY));
        }
    }
}

#[test]
fn some_services_fall_silent_and_some_deteriorate() {
    let plan = plan(42);
    let by_location: HashMap<&LocationId, Vec<&HistoricFeedback>> =
        responses().iter().fold(HashMap::new(), |mut map, h| {
            map.entry(&h.new.location_id).or_default().push(h);
            map
        });
    let mut silent = 0;
    let mut deteriorating = 0;
    for service in plan.services() {
        let feedback = &by_location[&service.location_id];
        match service.trend {
            Trend::Silent { since } => {
                silent += 1;
                assert!(since <= TODAY - TimeDelta::days(SILENT_DAYS as i64));
                assert!(feedback.iter().all(|h| h.new.received_at < midnight(since)), "{}", service.location_id);
            }
            Trend::Deteriorating { since } => {
                deteriorating += 1;
                let positive = |from: DateTime<Utc>, to: DateTime<Utc>| {
                    let answers: Vec<bool> = feedback
                        .iter()
                        .filter(|h| h.new.received_at >= from && h.new.received_at < to)
                        .filter_map(|h| h.new.feedback.overall.positive())
                        .collect();
                    percent(answers.iter().filter(|p| **p).count(), answers.len())
                };
                let before = positive(midnight(since) - TimeDelta::days(365), midnight(since));
                let lately = positive(midnight(TODAY) - TimeDelta::days(90), midnight(TODAY));
                assert!(lately < before - 20.0, "{}: {before:.0}% then {lately:.0}%", service.location_id);
            }
            Trend::Steady => {}
        }
    }
    assert!((2..=6).contains(&silent) && (2..=6).contains(&deteriorating), "{silent} silent, {deteriorating} falling");
    let demo = demo_provider();
    assert!(
        plan.services().iter().any(|s| s.provider_id == demo && matches!(s.trend, Trend::Deteriorating { .. })),
        "the demo provider has a service to worry about"
    );
}

#[test]
fn the_same_seed_gives_the_same_feedback_however_it_is_batched() {
    let again: Vec<HistoricFeedback> = plan(42).into_batches(777).flatten().collect();
    assert!(again == *responses(), "the same feedback");
    let other: Vec<HistoricFeedback> = plan(43).into_batches(10_000).take(1).flatten().collect();
    assert_ne!(other[..100], responses()[..100]);
}
