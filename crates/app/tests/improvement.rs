//! The improvement plans service against a real SQLite store in a temporary
//! directory: who may read and build plans, the audit entries, and invalid input
//! refused with each field's problem and nothing written.

mod common;

use common::{actor, import, location_id, open_store, provider_id};

use std::sync::Arc;

use candour_app::improvement::{Improvement, ImprovementError, RawEvidence, RawPlan, RawPublishing, Via};
use candour_app::{Actor, Denied, Gate};
use candour_domain::improvement::RawAction;
use candour_domain::{Location, LocationId, Provider, Role, Scope};
use candour_store::{AccountStore, AuditQuery, ImprovementStore, Store};
use candour_store_sqlite::SqliteStore;
use tempfile::TempDir;

struct Harness {
    plans: Improvement,
    store: Arc<SqliteStore>,
    location: LocationId,
    manager: Actor,
    staff: Actor,
    inspector: Actor,
    _dir: TempDir,
}

async fn harness() -> Harness {
    let (store, dir) = open_store().await;
    let provider = provider_id("1-101");
    let location = location_id("1-201");
    let providers = vec![Provider::new(provider.clone(), "Brightwater Care Ltd")];
    import(&store, providers, vec![Location::new(location.clone(), provider, "Willowbrook House")]).await;
    let manager = actor(&store, "manager@example.org", Role::Manager, Scope::Location(location.clone())).await;
    let staff = actor(&store, "staff@example.org", Role::Staff, Scope::Location(location.clone())).await;
    let inspector = actor(&store, "inspector@example.org", Role::Inspector, Scope::All).await;
    let bundle: Arc<dyn Store> = store.clone();
    let notices = candour_app::notices::Notices::new(bundle.clone(), "https://candour.example.org");
    let plans = Improvement::new(bundle.clone(), Gate::new(bundle), notices);
    Harness { plans, store, location, manager, staff, inspector, _dir: dir }
}

fn new_plan() -> RawPlan {
    RawPlan {
        title: "After the March inspection".into(),
        started_on: "2026-03-01".into(),
        other_text: "Medicines audits were late".into(),
        ..RawPlan::default()
    }
}

fn no_watchlist(_: &LocationId) -> Vec<(String, String)> {
    Vec::new()
}

impl Harness {
    async fn audited(&self, action: &str) -> Vec<candour_store::AuditEntry> {
        let query = AuditQuery { action: Some(action.into()), per_page: 50, ..AuditQuery::default() };
        self.store.audit_log(&query).await.expect("audit log").items
    }
}

#[tokio::test]
async fn those_who_run_the_service_build_plans_and_those_who_oversee_it_read_them() {
    let h = harness().await;
    let refused = h.plans.create(&h.inspector, "1-201", &new_plan(), no_watchlist).await;
    assert!(matches!(refused, Err(ImprovementError::Denied(Denied::NotFound))));
    let plan = h.plans.create(&h.manager, "1-201", &new_plan(), no_watchlist).await.expect("created");
    let created = h.audited("plan_create").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].detail.as_deref(), Some("location 1-201: 1 finding(s)"));

    let id = plan.id.to_string();
    for (who, reads) in [(&h.staff, false), (&h.inspector, true), (&h.manager, true)] {
        assert_eq!(h.plans.plan(who, &id, Via::Page).await.is_ok(), reads, "{:?}", who.principal.email);
    }
    assert!(matches!(
        h.plans.plan(&h.manager, "999999", Via::Page).await,
        Err(ImprovementError::Denied(Denied::NotFound))
    ));
    let view = h.plans.plans_of(&h.inspector, "1-201", Via::Api).await.expect("read");
    assert!(!view.writable);
    let reads = h.audited("read").await;
    assert!(
        reads.iter().any(|r| r.resource == "improvement_plans:location:1-201" && r.detail.as_deref() == Some("api"))
    );
}

#[tokio::test]
async fn an_invalid_plan_names_each_field_and_keeps_nothing() {
    let h = harness().await;
    let raw = RawPlan { title: String::new(), started_on: "yesterday".into(), ..RawPlan::default() };
    let Err(ImprovementError::Invalid(problems)) = h.plans.create(&h.manager, "1-201", &raw, no_watchlist).await else {
        panic!("refused");
    };
    let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
    assert_eq!(fields, ["title", "started_on"]);
    assert!(h.store.plans_of(&h.location).await.expect("plans").is_empty());
    assert!(h.audited("plan_create").await.is_empty());
}

#[tokio::test]
async fn an_action_is_done_only_with_evidence_and_every_change_is_audited() {
    let h = harness().await;
    let plan = h.plans.create(&h.manager, "1-201", &new_plan(), no_watchlist).await.expect("created");
    let id = plan.id.to_string();
    let raw = RawAction {
        finding: plan.findings[0].id.to_string(),
        statement: "Z9".into(),
        description: "Audit every medicines chart weekly".into(),
        owner: "Deputy manager".into(),
        due_on: "2026-06-30".into(),
    };
    let Err(ImprovementError::Invalid(problems)) = h.plans.add_action(&h.manager, &id, &raw, Via::Page).await else {
        panic!("refused");
    };
    assert_eq!(problems[0].0, "statement");
    let raw = RawAction { statement: "S4".into(), ..raw };
    let (_, action) = h.plans.add_action(&h.manager, &id, &raw, Via::Api).await.expect("added");
    assert_eq!(h.audited("plan_action_add").await[0].detail, Some(format!("api: action {}: S4", action.id)));
    let action_id = action.id.to_string();

    let done = h.plans.set_status(&h.manager, &id, &action_id, "done", "", Via::Page).await;
    let Err(ImprovementError::Invalid(problems)) = done else { panic!("refused without evidence") };
    assert_eq!(problems[0].0, "status");
    let unknown = h.plans.set_status(&h.manager, &id, &action_id, "finished", "", Via::Page).await;
    assert!(matches!(unknown, Err(ImprovementError::UnknownStatus(_))));
    let missing = h.plans.set_status(&h.manager, &id, "999", "done", "", Via::Page).await;
    assert!(matches!(missing, Err(ImprovementError::NoSuchAction)));

    let empty = h.plans.add_evidence(&h.manager, &id, &action_id, &RawEvidence::default()).await;
    assert!(matches!(empty, Err(ImprovementError::Invalid(ref p)) if p[0].0 == "note"));
    let note = RawEvidence { note: "Checked 12 charts: none missed".into(), ..RawEvidence::default() };
    h.plans.add_evidence(&h.manager, &id, &action_id, &note).await.expect("evidence");
    let (_, done) = h.plans.set_status(&h.manager, &id, &action_id, "done", "", Via::Page).await.expect("done");
    assert_eq!(done.status.code(), "done");
    let changes = h.audited("plan_action_status").await;
    assert_eq!(changes[0].detail, Some(format!("action {}: not_started → done", action.id)));

    // Inspectors read the action but change nothing.
    assert!(h.plans.action(&h.inspector, &id, &action_id).await.is_ok());
    let inspector = h.plans.set_status(&h.inspector, &id, &action_id, "in_progress", "", Via::Page).await;
    assert!(matches!(inspector, Err(ImprovementError::Denied(Denied::NotFound))));
}

#[tokio::test]
async fn a_published_summary_needs_words_and_shows_on_the_public_side() {
    let h = harness().await;
    let plan = h.plans.create(&h.manager, "1-201", &new_plan(), no_watchlist).await.expect("created");
    let id = plan.id.to_string();
    let empty = h.plans.publish(&h.manager, &id, &RawPublishing::default()).await;
    assert!(matches!(empty, Err(ImprovementError::Invalid(ref p)) if p[0].0 == "summary"));
    assert!(h.plans.published(&h.location).await.expect("published").is_empty());
    let raw = RawPublishing { summary: "We now audit medicines weekly.".into(), ..RawPublishing::default() };
    h.plans.publish(&h.manager, &id, &raw).await.expect("published");
    assert_eq!(h.plans.published(&h.location).await.expect("published").len(), 1);
    assert_eq!(h.audited("plan_publish").await[0].detail.as_deref(), Some("0 action(s), 0 note(s)"));
    h.plans.unpublish(&h.manager, &id).await.expect("unpublished");
    assert!(h.plans.published(&h.location).await.expect("published").is_empty());
}

#[tokio::test]
async fn managers_hear_of_an_action_the_working_day_before_it_is_due_and_when_missed_each_once() {
    let h = harness().await;
    h.store
        .set_password_hash(h.manager.principal.user_id, "$argon2id$test", chrono::Utc::now())
        .await
        .expect("signed up");
    let plan = h.plans.create(&h.manager, "1-201", &new_plan(), no_watchlist).await.expect("created");
    let raw = RawAction {
        finding: plan.findings[0].id.to_string(),
        statement: "S4".into(),
        description: "Audit every medicines chart weekly".into(),
        owner: "Deputy manager".into(),
        due_on: "2026-06-30".into(),
    };
    h.plans.add_action(&h.manager, &plan.id.to_string(), &raw, Via::Page).await.expect("added");
    let at = |day: &str| chrono::DateTime::parse_from_rfc3339(&format!("{day}T08:00:00Z")).unwrap().to_utc();
    assert_eq!(h.plans.queue_action_notices(at("2026-06-26")).await.expect("pass"), 0, "Friday: not yet");
    assert_eq!(h.plans.queue_action_notices(at("2026-06-29")).await.expect("pass"), 1, "Monday: due tomorrow");
    assert_eq!(h.plans.queue_action_notices(at("2026-06-29")).await.expect("pass"), 0, "once");
    assert_eq!(h.plans.queue_action_notices(at("2026-07-01")).await.expect("pass"), 1, "missed");
    assert_eq!(h.plans.queue_action_notices(at("2026-07-02")).await.expect("pass"), 0, "once");
    assert_eq!(h.plans.queue_action_notices(at("2026-07-20")).await.expect("pass"), 0, "old news is not told");
    let outbox = h.store.outbox(10).await.expect("outbox");
    let subjects: Vec<&str> = outbox.iter().rev().map(|e| e.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "Improvement action at Willowbrook House due 30 June 2026",
            "Improvement action at Willowbrook House past its date"
        ]
    );
    assert!(outbox.iter().all(|e| e.to.as_str() == "manager@example.org"), "not staff, not the inspector");
    assert!(outbox[0].link.as_deref().is_some_and(|l| l.ends_with(&format!("/manage/plans/{}", plan.id))));
}
