//! Conformance cases for the complaints store.

use candour_domain::complaints::{
    ComplaintContact, ComplaintPolicy, ComplaintStatus, ComplaintStep, EscalatedTo, NewComplaintDetails, Outcome,
    ReceivedBy, Relationship, deadlines,
};

use candour_domain::working_days::add_working_days;

use super::*;

pub(super) fn complaint(location: u32, secret: &str, received_on: NaiveDate) -> NewComplaint {
    let policy = ComplaintPolicy::default();
    NewComplaint {
        location_id: lid(location),
        details: NewComplaintDetails {
            what_happened: format!("Visits were missed ({secret})"),
            desired_outcome: "Visits on time".into(),
            relationship: Relationship::Family,
            contact: ComplaintContact {
                name: "Ann Example".into(),
                email: Some(email("ann@example.org")),
                phone: Some("0113 496 0000".into()),
            },
            channel: ReceivedBy::Phone,
            received_on,
        },
        reference: format!("REF-{secret}"),
        follow_hash: format!("hash-{secret}"),
        policy,
        deadlines: deadlines(received_on, None, policy).expect("within the calendar"),
        logged_by: None,
        created_at: at(1),
        alert: None,
        emails: vec![],
    }
}

async fn step(store: &dyn Store, id: i64, step: ComplaintStep) -> ComplaintRecord {
    store.take_complaint_step(id, &step, None, at(2), &[]).await.expect("step taken")
}

pub async fn complaints_round_trip_with_their_emails(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let staff = add_user(store, "staff@example.org", vec![]).await;
    let mut new = complaint(100, "a", date(2026, 3, 2));
    new.logged_by = Some(staff.id);
    new.alert = Some(ComplaintAlert { level: Criticality::new(4).expect("a level"), reason: "Pre-screen".into() });
    let letter =
        OutgoingEmail::plain(email("ann@example.org"), "Your complaint".into(), "Follow it at …".into(), at(1));
    new.emails = vec![letter.clone()];
    let receipt = store.add_complaint(&new).await.expect("kept");
    assert_eq!((receipt.reference.as_str(), receipt.duplicate), ("REF-a", false));
    let alerted = store.latest_alerts(Locations::one(&lid(100)), 4).await.expect("alerts").rows;
    assert_eq!(alerted, [(lid(100), at(1))], "a complaint's alert counts for monitoring like feedback's");
    assert!(store.latest_alerts(Locations::All, 5).await.expect("alerts").rows.is_empty(), "below level 5");

    let kept = store.complaint(receipt.id).await.expect("read");
    assert_eq!(kept.details(), new.details, "every field of the complaint round trips");
    assert_eq!((kept.location_name.as_str(), &kept.provider_id), ("Willowbrook House", &pid(1)));
    assert_eq!(kept.local_authority.as_deref(), Some("Leeds"));
    assert_eq!((kept.status, kept.policy, kept.deadlines), (ComplaintStatus::Received, new.policy, new.deadlines));
    assert_eq!((kept.logged_by, kept.created_at, kept.alert.clone()), (Some(staff.id), at(1), new.alert.clone()));
    assert_eq!(kept.timeline.len(), 1);
    assert_eq!((kept.timeline[0].step.as_str(), kept.timeline[0].on), ("received", date(2026, 3, 2)));
    let queued = store.outbox(10).await.expect("outbox");
    assert_eq!(queued.len(), 1);
    assert_eq!((&queued[0].to, &queued[0].subject), (&letter.to, &letter.subject));

    // The same follow secret again (a double click) keeps one complaint and one email.
    let again = store.add_complaint(&new).await.expect("repeat");
    assert_eq!((again.id, again.duplicate), (receipt.id, true));
    assert_eq!(store.outbox(10).await.expect("outbox").len(), 1);

    let mut unknown = complaint(999, "b", date(2026, 3, 2));
    unknown.emails = vec![letter];
    assert!(matches!(store.add_complaint(&unknown).await, Err(StoreError::NotFound)));
    assert_eq!(store.outbox(10).await.expect("outbox").len(), 1, "nothing of a refused complaint is kept");
    assert!(matches!(store.complaint(receipt.id + 100).await, Err(StoreError::NotFound)));
}

pub async fn complaints_are_found_by_follow_hash_only(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let a = store.add_complaint(&complaint(100, "a", date(2026, 3, 2))).await.expect("a");
    let b = store.add_complaint(&complaint(102, "b", date(2026, 3, 3))).await.expect("b");
    assert_eq!(store.complaint_by_follow("hash-a").await.expect("a").id, a.id);
    assert_eq!(store.complaint_by_follow("hash-b").await.expect("b").id, b.id);
    for wrong in ["a", "REF-a", "hash-", "HASH-A", ""] {
        assert!(matches!(store.complaint_by_follow(wrong).await, Err(StoreError::NotFound)), "{wrong:?}");
    }
    let both = store.complaints(&[lid(100), lid(102)], None).await.expect("list");
    assert_eq!(both.iter().map(|c| c.id).collect::<Vec<_>>(), [b.id, a.id], "latest received first");
    assert_eq!(store.complaints(&[lid(102)], None).await.expect("one").len(), 1);
    assert!(store.complaints(&[], None).await.expect("none").is_empty());
    let open = store.complaints(&[lid(100), lid(102)], Some(ComplaintStatus::Received)).await.expect("open");
    assert_eq!(open.len(), 2);
    assert!(store.complaints(&[lid(100)], Some(ComplaintStatus::Closed)).await.expect("closed").is_empty());
}

pub async fn complaint_steps_are_kept_and_refused_ones_change_nothing(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let manager = add_user(store, "manager@example.org", vec![]).await;
    let id = store.add_complaint(&complaint(100, "a", date(2026, 3, 2))).await.expect("kept").id;
    let before = store.complaint(id).await.expect("read");

    let early = ComplaintStep::SendResponse { on: date(2026, 3, 9), response: "Sorry".into() };
    let refused = store.take_complaint_step(id, &early, Some(manager.id), at(2), &[]).await;
    assert!(matches!(&refused, Err(StoreError::Conflict(m)) if m == "Acknowledge the complaint first."), "{refused:?}");
    assert_eq!(store.complaint(id).await.expect("read"), before, "a refused step changes nothing");

    let ack = ComplaintStep::Acknowledge { on: date(2026, 3, 3) };
    let after = store.take_complaint_step(id, &ack, Some(manager.id), at(3), &[]).await.expect("acknowledged");
    assert_eq!((after.status, after.acknowledged_on), (ComplaintStatus::Acknowledged, Some(date(2026, 3, 3))));
    let agreed = step(store, id, ComplaintStep::AgreeResponseDate { by: date(2026, 5, 1) }).await;
    assert_eq!((agreed.agreed_response_by, agreed.deadlines.respond_by), (Some(date(2026, 5, 1)), date(2026, 5, 1)));
    assert_eq!(agreed.deadlines.acknowledge_by, before.deadlines.acknowledge_by);
    let investigating = step(store, id, ComplaintStep::Investigate { on: date(2026, 3, 4) }).await;
    assert_eq!(investigating.investigating_on, Some(date(2026, 3, 4)));
    let sent =
        step(store, id, ComplaintStep::SendResponse { on: date(2026, 3, 20), response: "We are sorry".into() }).await;
    assert_eq!((sent.status, sent.response.as_deref()), (ComplaintStatus::ResponseSent, Some("We are sorry")));
    assert_eq!(sent.answered_on_time(), Some(true));
    let closed = step(
        store,
        id,
        ComplaintStep::Close { on: date(2026, 3, 25), outcome: Outcome::PartlyUpheld, learned: "Rota fixed".into() },
    )
    .await;
    assert_eq!(
        (closed.status, closed.outcome, closed.learned.as_deref()),
        (ComplaintStatus::Closed, Some(Outcome::PartlyUpheld), Some("Rota fixed"))
    );
    assert_eq!(closed.closed_on, Some(date(2026, 3, 25)));

    let escalate =
        ComplaintStep::Escalate { to: EscalatedTo::Ombudsman, on: date(2026, 4, 1), reference: "LG-1".into() };
    let escalated = step(store, id, escalate).await;
    assert_eq!(escalated.status, ComplaintStatus::Closed, "an escalation may follow closing");
    let e = escalated.escalations[0].clone();
    assert_eq!(
        (e.to, e.on, e.reference.as_str(), e.result.clone()),
        (EscalatedTo::Ombudsman, date(2026, 4, 1), "LG-1", None)
    );
    let result =
        ComplaintStep::EscalationResult { escalation: e.id, on: date(2026, 6, 1), result: "Not upheld".into() };
    let resolved = step(store, id, result.clone()).await;
    assert_eq!(resolved.escalations[0].result.as_deref(), Some("Not upheld"));
    assert_eq!(resolved.escalations[0].result_on, Some(date(2026, 6, 1)));
    let twice = store.take_complaint_step(id, &result, None, at(4), &[]).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "a result is recorded once");

    let steps: Vec<&str> = resolved.timeline.iter().map(|e| e.step.as_str()).collect();
    assert_eq!(
        steps,
        [
            "received",
            "acknowledge",
            "agree_response_date",
            "investigate",
            "send_response",
            "close",
            "escalate",
            "escalation_result"
        ]
    );
    assert_eq!((resolved.timeline[1].by, resolved.timeline[1].at), (Some(manager.id), at(3)));
    assert_eq!(resolved.timeline[5].detail, "Partly upheld");
    let missing = store.take_complaint_step(id + 100, &ack, None, at(5), &[]).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

pub async fn complaint_logs_count_received_upheld_on_time_and_overdue(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let add = |n: &'static str, location: u32, on: NaiveDate| async move {
        store.add_complaint(&complaint(location, n, on)).await.expect("kept").id
    };
    // March at Willowbrook: one upheld on time, one not upheld but answered late,
    // one open past both deadlines; one open within them in April; one at Rose Court.
    let upheld = add("a", 100, date(2026, 3, 2)).await;
    let late = add("b", 100, date(2026, 3, 3)).await;
    add("c", 100, date(2026, 3, 4)).await;
    add("d", 100, date(2026, 4, 20)).await;
    add("e", 102, date(2026, 3, 10)).await;
    add("f", 100, date(2026, 1, 5)).await;
    for (id, sent_on, outcome) in
        [(upheld, date(2026, 3, 20), Outcome::Upheld), (late, date(2026, 4, 28), Outcome::NotUpheld)]
    {
        step(store, id, ComplaintStep::Acknowledge { on: date(2026, 3, 4) }).await;
        step(store, id, ComplaintStep::SendResponse { on: sent_on, response: "Answer".into() }).await;
        step(store, id, ComplaintStep::Close { on: sent_on, outcome, learned: "Lesson".into() }).await;
    }
    let logs = store.complaint_logs(Locations::All, month("2026-02"), date(2026, 4, 21)).await.expect("logs").rows;
    let figures: Vec<(String, String, u32, u32, u32)> = logs
        .iter()
        .flat_map(|log| log.months.iter().map(|m| (log.location_id.to_string(), m.month.to_string(), m)))
        .map(|(id, month, m)| (id, month, m.received, m.upheld, m.answered_on_time))
        .collect();
    assert_eq!(
        figures,
        [
            (lid(100).to_string(), "2026-03".into(), 3, 1, 1),
            (lid(100).to_string(), "2026-04".into(), 1, 0, 0),
            (lid(102).to_string(), "2026-03".into(), 1, 0, 0),
        ],
        "January is before `from`"
    );
    let since: Vec<String> = logs.iter().map(|l| l.since.to_string()).collect();
    assert_eq!(since, ["2026-01", "2026-03"], "logging began with January's complaint");
    // Open past the response deadline on 21 April: March's third at Willowbrook and
    // Rose Court's; the one answered late is answered, April's is not yet due.
    let overdue: Vec<(u32, NaiveDate)> =
        logs.iter().map(|l| l.overdue.map(|o| (o.count, o.oldest_due)).unwrap()).collect();
    let due = |received| add_working_days(received, 20).unwrap();
    assert_eq!(overdue, [(2, due(date(2026, 1, 5))), (1, due(date(2026, 3, 10)))]);
    let one =
        store.complaint_logs(Locations::one(&lid(102)), month("2026-01"), date(2026, 3, 20)).await.expect("one").rows;
    assert_eq!((one.len(), one[0].months.len(), one[0].overdue), (1, 1, None), "Rose Court's is not due on 20 March");
    let before = store.complaint_logs(Locations::All, month("2026-01"), date(2026, 1, 4)).await.expect("before").rows;
    assert!(before.is_empty(), "nothing was logged by 4 January");
}
