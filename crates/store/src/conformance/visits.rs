//! Conformance cases for experts' visits: the report kept whole, and the lifecycle
//! (draft → sent → published) enforced inside the store, as for assessments.

use super::*;

use candour_domain::visit::{Judgement, Quote, Speaker, SpokenWith, StatementFinding, VisitChange};

/// The register, an expert asked to visit location 100, and its provider's administrator.
async fn visit_setup(store: &dyn Store) -> (User, User) {
    store.apply_import(&small_register()).await.expect("import");
    let expert = add_user(store, "expert@example.org", vec![grant(Role::Expert, Scope::Location(lid(100)))]).await;
    let admin = add_user(store, "admin@example.org", vec![grant(Role::ProviderAdmin, Scope::Provider(pid(1)))]).await;
    (expert, admin)
}

/// Changes that make a report ready to send (the visit on the first day of 2025).
fn a_full_report() -> Vec<VisitChange> {
    vec![
        VisitChange::Visit {
            visited_on: Some(at(0).date_naive()),
            spoken_with: SpokenWith { person: 6, family: 2, staff: 3, ..SpokenWith::default() },
        },
        VisitChange::Observation { area: "safe".into(), text: "People said night staff check on them.".into() },
        VisitChange::Statement {
            code: "home".into(),
            finding: Some(StatementFinding {
                judgement: Judgement::SomeShortfalls,
                quotes: vec![Quote { from: Speaker::Family, text: "The lounge is always cold".into() }],
            }),
        },
        VisitChange::Summary("A kind home with a cold lounge.".into()),
    ]
}

async fn sent_visit(store: &dyn Store, expert: &User) -> i64 {
    let id = store
        .create_visit(&NewVisit { location_id: lid(100), created_by: expert.id, created_at: at(1) })
        .await
        .expect("create")
        .id;
    for change in a_full_report() {
        store.update_visit(id, &change, expert.id, at(2)).await.expect("draft change");
    }
    store.send_visit(id, at(24 * 14).date_naive(), at(3)).await.expect("send");
    id
}

pub async fn visits_go_from_draft_to_published(store: &dyn Store) {
    let (expert, admin) = visit_setup(store).await;
    let unknown = NewVisit { location_id: lid(999), created_by: expert.id, created_at: at(1) };
    assert!(matches!(store.create_visit(&unknown).await, Err(StoreError::NotFound)));

    let draft = store
        .create_visit(&NewVisit { location_id: lid(100), created_by: expert.id, created_at: at(1) })
        .await
        .expect("create");
    assert_eq!((draft.status, draft.report.summary.as_str()), (AssessmentStatus::Draft, ""));
    let refused = store.send_visit(draft.id, at(24 * 14).date_naive(), at(2)).await;
    assert!(matches!(refused, Err(StoreError::Invalid(_))), "an empty report is not sent: {refused:?}");

    let id = sent_visit(store, &expert).await;
    let sent = store.visit(id).await.expect("read");
    assert_eq!(sent.status, AssessmentStatus::Sent);
    assert_eq!(sent.report.spoken_with.total(), 11);
    assert_eq!(sent.report.findings["home"].quotes[0].text, "The lounge is always cold");
    assert_eq!(sent.window_ends, Some(at(24 * 14).date_naive()));

    let early = store.publish_visit(id, expert.id, at(4)).await;
    assert!(matches!(early, Err(StoreError::Conflict(_))), "the window is open: {early:?}");
    store.finish_visit_challenges(id, admin.id, at(5)).await.expect("no more challenges");
    store.publish_visit(id, expert.id, at(6)).await.expect("publish");
    let published = store.visit(id).await.expect("read");
    assert_eq!((published.status, published.published_on), (AssessmentStatus::Published, Some(at(6).date_naive())));
    let change = VisitChange::Summary("Rewritten.".into());
    assert!(matches!(store.update_visit(id, &change, expert.id, at(7)).await, Err(StoreError::Conflict(_))));

    let of_location = store.visits(&VisitsOf::Location(lid(100))).await.expect("list");
    assert_eq!(of_location.iter().map(|v| v.id).collect::<Vec<_>>(), [id, draft.id], "newest first");
    assert_eq!(store.visits(&VisitsOf::Provider(pid(1))).await.expect("list").len(), 2);
    assert_eq!(store.visits(&VisitsOf::Provider(pid(2))).await.expect("list").len(), 0);
    assert_eq!(store.visits(&VisitsOf::Anywhere(1)).await.expect("list").len(), 1);
}

pub async fn sent_visits_are_locked_but_for_accepted_challenges(store: &dyn Store) {
    let (expert, admin) = visit_setup(store).await;
    let id = sent_visit(store, &expert).await;
    let summary = VisitChange::Summary("Changed after sending.".into());
    assert!(matches!(store.update_visit(id, &summary, expert.id, at(4)).await, Err(StoreError::Conflict(_))));

    let challenge = |part: &str, hours| NewChallenge {
        finding: part.into(),
        text: "The lounge was being repaired that week.".into(),
        raised_by: admin.id,
        raised_at: at(hours),
    };
    let accepted = store.raise_visit_challenge(id, &challenge("statement:home", 4)).await.expect("raise");
    let rejected = store.raise_visit_challenge(id, &challenge("summary", 4)).await.expect("raise");
    let late = store.raise_visit_challenge(id, &challenge("summary", 24 * 15)).await;
    assert!(matches!(late, Err(StoreError::Conflict(_))), "after the window: {late:?}");
    let publish = store.publish_visit(id, expert.id, at(24 * 15)).await;
    assert!(matches!(publish, Err(StoreError::Conflict(_))), "challenges are open: {publish:?}");

    let decide = |status, reason: &str| ChallengeDecision {
        status,
        reason: reason.into(),
        decided_by: expert.id,
        decided_at: at(5),
    };
    store.decide_visit_challenge(id, accepted.id, &decide(ChallengeStatus::Accepted, "Fair point")).await.expect("ok");
    store.decide_visit_challenge(id, rejected.id, &decide(ChallengeStatus::Rejected, "We saw it")).await.expect("ok");
    let twice = store.decide_visit_challenge(id, rejected.id, &decide(ChallengeStatus::Accepted, "Again")).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");

    let home = VisitChange::Statement {
        code: "home".into(),
        finding: Some(StatementFinding { judgement: Judgement::Good, quotes: vec![] }),
    };
    store.update_visit(id, &home, expert.id, at(6)).await.expect("the accepted challenge reopens the part");
    assert!(matches!(store.update_visit(id, &summary, expert.id, at(6)).await, Err(StoreError::Conflict(_))));
    let visit = store.visit(id).await.expect("read");
    assert_eq!(visit.report.findings["home"].judgement, Judgement::Good);
    assert_eq!(visit.challenges.len(), 2);
    assert_eq!(visit.corrections.len(), 1);
    let correction = &visit.corrections[0];
    assert_eq!((correction.challenge_id, correction.finding.as_str()), (accepted.id, "statement:home"));
    assert_eq!(correction.before, "Some shortfalls; “The lounge is always cold”");
    assert_eq!(correction.after, "Good; no quotes");
    store.publish_visit(id, expert.id, at(24 * 15)).await.expect("publish once the window has closed");
}
