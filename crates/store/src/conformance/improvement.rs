//! Conformance cases for the improvement store.

use candour_domain::improvement::{ActionDetails, ActionStatus, FileKind, Finding, FindingKind, Reflection};

use super::*;

pub(super) async fn plan_setup(store: &dyn Store) -> (User, Plan) {
    store.apply_import(&small_register()).await.expect("import");
    let admin = add_user(store, "plans@example.org", vec![grant(Role::ProviderAdmin, Scope::Provider(pid(1)))]).await;
    let new = NewPlan {
        location_id: lid(100),
        title: "After the 2025 inspection".into(),
        started_on: date(2025, 1, 2),
        findings: vec![
            Finding { kind: FindingKind::Statement, reference: "S4".into(), text: "Safe medicines scored 2".into() },
            Finding { kind: FindingKind::Complaint, reference: "C-12".into(), text: "Missed visits".into() },
        ],
        created_by: admin.id,
        created_at: at(1),
    };
    let plan = store.create_plan(&new).await.expect("create plan");
    (admin, plan)
}

fn details(finding: i64, description: &str) -> ActionDetails {
    ActionDetails {
        finding_id: finding,
        statement: "S4".into(),
        description: description.into(),
        owner: "Deputy manager".into(),
        due_on: date(2025, 3, 31),
    }
}

fn note(by: &User, text: &str, hours: i64) -> NewEvidence {
    NewEvidence { note: text.into(), file: None, added_by: by.id, added_at: at(hours) }
}

pub async fn improvement_plans_keep_findings_actions_and_history(store: &dyn Store) {
    let (admin, plan) = plan_setup(store).await;
    assert_eq!(plan.findings.len(), 2);
    assert_eq!(
        (plan.title.as_str(), plan.started_on, plan.created_by),
        ("After the 2025 inspection", date(2025, 1, 2), admin.id)
    );
    assert_eq!(plan.findings[1].finding.reference, "C-12");
    assert!(plan.publication.is_none() && plan.actions.is_empty());

    let finding = plan.findings[0].id;
    assert!(store.plans_with_open_actions().await.expect("none yet").is_empty());
    let action = store.add_action(plan.id, &details(finding, "Weekly audit"), admin.id, at(2)).await.expect("add");
    let open: Vec<i64> = store.plans_with_open_actions().await.expect("open").iter().map(|p| p.id).collect();
    assert_eq!(open, [plan.id]);
    assert_eq!(action.status, ActionStatus::NotStarted);
    assert_eq!(action.history.len(), 1, "creation is the first status");

    // A finding of another plan is refused; an action of another plan is not found.
    let other = store
        .create_plan(&NewPlan { title: "Other".into(), created_at: at(3), ..new_plan_like(&plan, admin.id) })
        .await
        .expect("second plan");
    let err = store.add_action(other.id, &details(finding, "x"), admin.id, at(3)).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    let err = store.set_action_status(other.id, action.id, &change(&admin, ActionStatus::InProgress, 4)).await;
    assert!(matches!(err, Err(StoreError::NotFound)), "{err:?}");

    store.set_action_status(plan.id, action.id, &change(&admin, ActionStatus::InProgress, 4)).await.expect("start");
    // Done needs evidence.
    let err = store.set_action_status(plan.id, action.id, &change(&admin, ActionStatus::Done, 5)).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    store.add_evidence(plan.id, action.id, &note(&admin, "Audit log for March attached", 5)).await.expect("note");
    store.set_action_status(plan.id, action.id, &change(&admin, ActionStatus::Done, 6)).await.expect("done");
    assert!(store.plans_with_open_actions().await.expect("all done").is_empty());

    let mut edited = details(plan.findings[1].id, "Weekly audit, signed off");
    edited.due_on = date(2025, 4, 30);
    store.update_action(plan.id, action.id, &edited, at(7)).await.expect("edit");

    let kept = store.plan(plan.id).await.expect("plan");
    let a = &kept.actions[0];
    assert_eq!(a.details, edited);
    assert_eq!(a.status, ActionStatus::Done);
    let statuses: Vec<ActionStatus> = a.history.iter().map(|h| h.status).collect();
    assert_eq!(statuses, [ActionStatus::NotStarted, ActionStatus::InProgress, ActionStatus::Done]);
    assert_eq!(a.history[2].at, at(6));
    assert_eq!(a.evidence[0].note, "Audit log for March attached");
    assert_eq!(kept.updated_at, at(7));

    // Dropping needs a reason, which is kept.
    let second = store.add_action(plan.id, &details(finding, "Second"), admin.id, at(8)).await.expect("add");
    let mut dropped = change(&admin, ActionStatus::Dropped, 9);
    assert!(store.set_action_status(plan.id, second.id, &dropped).await.is_err());
    dropped.reason = Some("Covered by the weekly audit".into());
    store.set_action_status(plan.id, second.id, &dropped).await.expect("drop");
    let kept = store.plan(plan.id).await.expect("plan");
    assert_eq!(kept.actions[1].history[1].reason.as_deref(), Some("Covered by the weekly audit"));

    let plans = store.plans_of(&lid(100)).await.expect("plans");
    assert_eq!(plans.iter().map(|p| p.id).collect::<Vec<_>>(), [other.id, plan.id], "newest first");
    assert!(matches!(store.plans_of(&lid(999)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.plan(i64::MAX).await, Err(StoreError::NotFound)));
    // An area's plans: those of the locations asked for, newest first, whole.
    let area = store.plans_in(&[lid(999), lid(100)]).await.expect("an area's plans");
    assert_eq!(area.iter().map(|p| p.id).collect::<Vec<_>>(), [other.id, plan.id]);
    assert_eq!(area[1].actions.len(), 2);
    assert!(store.plans_in(&[lid(999)]).await.expect("none").is_empty());
    assert!(store.plans_in(&[]).await.expect("none asked").is_empty());
}

fn new_plan_like(plan: &Plan, by: UserId) -> NewPlan {
    NewPlan {
        location_id: plan.location_id.clone(),
        title: plan.title.clone(),
        started_on: plan.started_on,
        findings: vec![Finding { kind: FindingKind::Other, reference: String::new(), text: "Other".into() }],
        created_by: by,
        created_at: plan.created_at,
    }
}

fn change(by: &User, status: ActionStatus, hours: i64) -> StatusChange {
    StatusChange { status, reason: None, by: by.id, at: at(hours) }
}

pub async fn improvement_evidence_files_round_trip_within_their_plan(store: &dyn Store) {
    let (admin, plan) = plan_setup(store).await;
    let action = store.add_action(plan.id, &details(plan.findings[0].id, "Audit"), admin.id, at(2)).await.expect("add");
    let content = b"%PDF-1.4 test".to_vec();
    let meta =
        FileMeta { name: "audit.pdf".into(), kind: FileKind::Pdf, size: content.len() as u64, sha256: "ab".repeat(32) };
    let file = NewEvidence {
        note: String::new(),
        file: Some((meta.clone(), content.clone())),
        added_by: admin.id,
        added_at: at(3),
    };
    let item = store.add_evidence(plan.id, action.id, &file).await.expect("file");
    assert_eq!(item.file.as_ref(), Some(&meta));
    assert!(!item.public, "nothing is public until chosen");
    assert_eq!(store.evidence_file(plan.id, item.id).await.expect("file"), (meta, content));

    let empty = note(&admin, "  ", 4);
    assert!(matches!(store.add_evidence(plan.id, action.id, &empty).await, Err(StoreError::Invalid(_))));
    let noted = store.add_evidence(plan.id, action.id, &note(&admin, "Seen by the deputy", 4)).await.expect("note");
    assert!(matches!(store.evidence_file(plan.id, noted.id).await, Err(StoreError::NotFound)), "a note is no file");

    let other = store.create_plan(&new_plan_like(&plan, admin.id)).await.expect("other plan");
    assert!(matches!(store.evidence_file(other.id, item.id).await, Err(StoreError::NotFound)));
    assert!(matches!(store.add_evidence(other.id, action.id, &note(&admin, "x", 5)).await, Err(StoreError::NotFound)));
}

pub async fn improvement_plans_publish_only_what_is_chosen(store: &dyn Store) {
    let (admin, plan) = plan_setup(store).await;
    let finding = plan.findings[0].id;
    let shown = store.add_action(plan.id, &details(finding, "Shown"), admin.id, at(2)).await.expect("add");
    let hidden = store.add_action(plan.id, &details(finding, "Hidden"), admin.id, at(2)).await.expect("add");
    let public_note = store.add_evidence(plan.id, shown.id, &note(&admin, "Public note", 3)).await.expect("note");
    store.add_evidence(plan.id, shown.id, &note(&admin, "Private note", 3)).await.expect("note");

    let mut reflection = Reflection::default();
    reflection.0.insert("lessons".into(), "Ask families early".into());
    store.save_reflection(plan.id, &reflection, at(4)).await.expect("reflection");

    let publishing = Publishing {
        summary: "What we are doing".into(),
        actions: vec![shown.id],
        evidence: vec![public_note.id],
        by: admin.id,
        at: at(5),
    };
    let foreign = Publishing { actions: vec![i64::MAX], ..publishing.clone() };
    assert!(matches!(store.publish_plan(plan.id, &foreign).await, Err(StoreError::Invalid(_))));
    let blank = Publishing { summary: " ".into(), ..publishing.clone() };
    assert!(matches!(store.publish_plan(plan.id, &blank).await, Err(StoreError::Invalid(_))));
    store.publish_plan(plan.id, &publishing).await.expect("publish");

    let kept = store.plan(plan.id).await.expect("plan");
    assert_eq!(kept.reflection, reflection);
    let publication = kept.publication.as_ref().expect("published");
    assert_eq!((publication.summary.as_str(), publication.published_at), ("What we are doing", at(5)));
    assert!(kept.action(shown.id).unwrap().public && !kept.action(hidden.id).unwrap().public);
    let public: Vec<&str> =
        kept.actions.iter().flat_map(|a| &a.evidence).filter(|e| e.public).map(|e| e.note.as_str()).collect();
    assert_eq!(public, ["Public note"]);

    store.unpublish_plan(plan.id, at(6)).await.expect("unpublish");
    assert!(store.plan(plan.id).await.expect("plan").publication.is_none());
    assert!(matches!(store.unpublish_plan(i64::MAX, at(6)).await, Err(StoreError::NotFound)));
}
