//! Demo visits by experts by experience to the demo provider's first service: one
//! published after a challenge that was accepted and corrected and one that was
//! rejected; one with the provider, its challenge window open; and one draft.

use candour_domain::visit::{Judgement, Quote, Speaker, SpokenWith, StatementFinding, VisitChange};
use candour_domain::{LocationId, UserId};
use candour_store::{ChallengeDecision, ChallengeStatus, NewChallenge, NewVisit, Store, StoreResult};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

fn finding(judgement: Judgement, quotes: &[(Speaker, &str)]) -> Option<StatementFinding> {
    let quotes = quotes.iter().map(|(from, text)| Quote { from: *from, text: text.to_string() }).collect();
    Some(StatementFinding { judgement, quotes })
}

/// The report of a visit on `day`.
fn report(day: NaiveDate, kinder: bool) -> Vec<VisitChange> {
    let statement = |code: &str, f: Option<StatementFinding>| VisitChange::Statement { code: code.into(), finding: f };
    let area = |code: &str, text: &str| VisitChange::Observation { area: code.into(), text: text.into() };
    vec![
        VisitChange::Visit {
            visited_on: Some(day),
            spoken_with: SpokenWith { person: 7, family: 3, staff: 4, manager: 1, professional: 0 },
        },
        area("dignity", "Staff knocked before going into rooms and spoke to people by the names they prefer. One person was helped to the toilet in view of the lounge."),
        area("choice", "Breakfast is served from seven until eleven and people told us they get up when they like. There is little choice at tea."),
        area("in_touch", "Visitors come at any time. The home helps two people video-call family abroad every week."),
        area("safe", "People told us they feel safe and know who to go to. Call bells were answered within a few minutes while we were there."),
        statement("welcomed", finding(Judgement::Good, &[(Speaker::Person, "They know how I like my tea")])),
        statement(
            "time",
            finding(
                if kinder { Judgement::Good } else { Judgement::SomeShortfalls },
                &[(Speaker::Person, "They are lovely but always in a hurry after lunch"), (Speaker::Staff, "We are short at weekends")],
            ),
        ),
        statement("safe", finding(Judgement::Good, &[(Speaker::Family, "I go home knowing she is safe")])),
        statement("choice", finding(Judgement::SomeShortfalls, &[(Speaker::Person, "Tea is whatever comes")])),
        statement("people", finding(Judgement::Exceptional, &[(Speaker::Family, "I am made to feel part of the place")])),
        statement("heard", finding(Judgement::Good, &[])),
        VisitChange::Summary(
            "A warm home where people feel safe and families are made welcome. Staff are kind but stretched after lunch and at weekends, and there is little choice at teatime.\n\nWe would like to see more staff in the afternoons and a choice of two hot meals at tea."
                .into(),
        ),
    ]
}

fn at(today: NaiveDate, days_ago: i64, hour: u32) -> DateTime<Utc> {
    (today - Duration::days(days_ago)).and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default()).and_utc()
}

async fn written(
    store: &dyn Store,
    home: &LocationId,
    expert: UserId,
    today: NaiveDate,
    days_ago: i64,
) -> StoreResult<i64> {
    let created_at = at(today, days_ago, 16);
    let id = store.create_visit(&NewVisit { location_id: home.clone(), created_by: expert, created_at }).await?.id;
    for change in report(today - Duration::days(days_ago), false) {
        store.update_visit(id, &change, expert, created_at).await?;
    }
    Ok(id)
}

/// Loads the demo visits; `expert` wrote them and `provider` (the provider's
/// administrator) challenged them.
pub async fn load_visits(
    store: &dyn Store,
    home: &LocationId,
    expert: UserId,
    provider: UserId,
    today: NaiveDate,
) -> StoreResult<()> {
    // Published: visited 60 days ago, sent two days later with a fortnight's window.
    let id = written(store, home, expert, today, 60).await?;
    store.send_visit(id, today - Duration::days(44), at(today, 58, 10)).await?;
    let challenge = |part: &str, text: &str| NewChallenge {
        finding: part.into(),
        text: text.into(),
        raised_by: provider,
        raised_at: at(today, 52, 9),
    };
    let accepted = store
        .raise_visit_challenge(
            id,
            &challenge(
                "statement:time",
                "Two extra staff have worked every afternoon since the spring; the rota shows it.",
            ),
        )
        .await?;
    let rejected = store
        .raise_visit_challenge(id, &challenge("area:choice", "There is always a choice at tea if people ask."))
        .await?;
    let decide = |status, reason: &str| ChallengeDecision {
        status,
        reason: reason.into(),
        decided_by: expert,
        decided_at: at(today, 50, 14),
    };
    store
        .decide_visit_challenge(
            id,
            accepted.id,
            &decide(ChallengeStatus::Accepted, "The rota bears it out; we saw one short afternoon."),
        )
        .await?;
    store
        .decide_visit_challenge(
            id,
            rejected.id,
            &decide(ChallengeStatus::Rejected, "Five people told us they were not offered a choice."),
        )
        .await?;
    let corrected = report(today - Duration::days(60), true).into_iter().find(|c| c.part().code() == "statement:time");
    if let Some(change) = corrected {
        store.update_visit(id, &change, expert, at(today, 50, 15)).await?;
    }
    store.publish_visit(id, expert, at(today, 43, 10)).await?;

    // With the provider: sent yesterday, its window open.
    let id = written(store, home, expert, today, 3).await?;
    store.send_visit(id, today + Duration::days(13), at(today, 1, 10)).await?;

    // A draft, started today.
    let draft = store
        .create_visit(&NewVisit { location_id: home.clone(), created_by: expert, created_at: at(today, 0, 0) })
        .await?;
    let day =
        VisitChange::Visit { visited_on: Some(today), spoken_with: SpokenWith { person: 2, ..SpokenWith::default() } };
    store.update_visit(draft.id, &day, expert, at(today, 0, 0)).await
}
