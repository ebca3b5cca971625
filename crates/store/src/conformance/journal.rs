//! Conformance cases for the change journal: each write that feeds monitoring, the
//! directory or a public page appends its entry (location and kind) with the write,
//! a refused write appends nothing, and old entries are pruned without their
//! numbers being used again.

use candour_domain::complaints::ComplaintStep;
use candour_domain::policies::Version;
use candour_domain::practice::Theme;

use super::*;

/// The entries after `after`, as (location, kind).
async fn entries_after(store: &dyn Store, after: i64) -> Vec<(Option<String>, ChangeKind)> {
    let changes = store.changes_after(after, 1000).await.expect("journal");
    assert!(changes.windows(2).all(|w| w[0].sequence < w[1].sequence), "entries come in sequence order");
    changes.into_iter().map(|c| (c.location.map(|l| l.as_str().to_string()), c.kind)).collect()
}

fn entry(location: u32, kind: ChangeKind) -> (Option<String>, ChangeKind) {
    (Some(lid(location).as_str().to_string()), kind)
}

pub async fn journal_register_import_names_each_location_it_changes(store: &dyn Store) {
    assert_eq!(store.last_change().await.expect("last"), 0, "an empty store has an empty journal");
    store.apply_import(&small_register()).await.expect("import");
    let all: Vec<_> = [100, 102, 103, 104, 105].into_iter().map(|n| entry(n, ChangeKind::Register)).collect();
    assert_eq!(entries_after(store, 0).await, all, "one entry per location added, the deregistered one too");

    let last = store.last_change().await.expect("last");
    let mut renamed = small_register().locations.remove(2);
    renamed.name = "Kindly Hands Care".into();
    store.apply_import(&plan(vec![], vec![renamed], vec![])).await.expect("import");
    assert_eq!(entries_after(store, last).await, [entry(103, ChangeKind::Register)], "only what changed");

    let last = store.last_change().await.expect("last");
    store.apply_import(&plan(vec![provider(2, "Meadowview Care Ltd")], vec![], vec![])).await.expect("import");
    let of_provider: Vec<_> = [103, 104, 105].into_iter().map(|n| entry(n, ChangeKind::Register)).collect();
    assert_eq!(entries_after(store, last).await, of_provider, "a provider's new name shows at each of its locations");

    let last = store.last_change().await.expect("last");
    store
        .apply_import(&plan(vec![], vec![], vec![rating(102, "Overall", date(2025, 1, 1), Rating::Good)]))
        .await
        .expect("import");
    assert_eq!(entries_after(store, last).await, [entry(102, ChangeKind::Register)], "a new rating");

    let last = store.last_change().await.expect("last");
    let orphan = simple_location(110, 99, "Nowhere", "LS1 1AA", "Leeds", Region::London, "Homecare agencies", None);
    assert!(store.apply_import(&plan(vec![], vec![orphan], vec![])).await.is_err(), "an unknown provider");
    assert_eq!(store.last_change().await.expect("last"), last, "a failed import appends nothing");
}

pub async fn journal_feedback_submission_names_its_location(store: &dyn Store) {
    voice_setup(store).await;
    let last = store.last_change().await.expect("last");
    let new = submission(100, "a", 1, &staff_raw());
    submit(store, &new).await;
    assert_eq!(entries_after(store, last).await, [entry(100, ChangeKind::Feedback)]);
    let last = store.last_change().await.expect("last");
    assert!(submit(store, &new).await.duplicate);
    assert!(store.submit_feedback(&submission(999, "b", 1, &staff_raw())).await.is_err(), "an unknown location");
    assert_eq!(store.last_change().await.expect("last"), last, "a repeat or a refusal appends nothing");
}

pub async fn journal_moderation_decision_names_its_location(store: &dyn Store) {
    let (moderator, _) = voice_setup(store).await;
    let receipt = submit(store, &submission(102, "a", 1, &person_raw("Kind staff.", &[]))).await;
    let last = store.last_change().await.expect("last");
    store.moderate(receipt.feedback_id, &publish(&moderator, "Kind staff.", 1, 2)).await.expect("moderate");
    assert_eq!(entries_after(store, last).await, [entry(102, ChangeKind::Moderation)]);
    let last = store.last_change().await.expect("last");
    assert!(store.moderate(receipt.feedback_id, &reject(&moderator, "No", 3)).await.is_err(), "moderated already");
    assert_eq!(store.last_change().await.expect("last"), last, "a refused decision appends nothing");
}

/// A moderator's decision on a burst of answers is kept, replaced by a later one, read
/// back by location and month, and journaled for its location; an unknown location is
/// not found and appends nothing.
pub async fn journal_burst_review_is_kept_and_names_its_location(store: &dyn Store) {
    let (moderator, _) = voice_setup(store).await;
    let review = |location: u32, month_text: &str, counted: bool| BurstReview {
        location_id: lid(location),
        month: month(month_text),
        counted,
        by: moderator.id,
        at: at(5),
    };
    let last = store.last_change().await.expect("last");
    store.review_burst(&review(102, "2025-10", false)).await.expect("kept out");
    store.review_burst(&review(100, "2025-09", true)).await.expect("counted");
    store.review_burst(&review(102, "2025-11", true)).await.expect("counted");
    store.review_burst(&review(102, "2025-10", true)).await.expect("decided again");
    assert_eq!(entries_after(store, last).await, [102, 100, 102, 102].map(|l| entry(l, ChangeKind::Moderation)),);
    let all = store.burst_reviews(Locations::All, month("2025-01")).await.expect("read").rows;
    let expected =
        [(lid(100), month("2025-09"), true), (lid(102), month("2025-10"), true), (lid(102), month("2025-11"), true)];
    assert_eq!(all, expected);
    let listed = store.burst_reviews(Locations::one(&lid(102)), month("2025-11")).await.expect("read").rows;
    assert_eq!(listed, [(lid(102), month("2025-11"), true)], "one location, from a month");
    let last = store.last_change().await.expect("last");
    assert!(matches!(store.review_burst(&review(999, "2025-10", true)).await, Err(StoreError::NotFound)));
    assert_eq!(store.last_change().await.expect("last"), last);
}

pub async fn journal_reply_names_its_location(store: &dyn Store) {
    let (moderator, responder) = voice_setup(store).await;
    let receipt = submit(store, &submission(100, "a", 1, &person_raw("Kind staff.", &[]))).await;
    store.moderate(receipt.feedback_id, &publish(&moderator, "Kind staff.", 1, 2)).await.expect("moderate");
    let last = store.last_change().await.expect("last");
    let reply = reply_by(&responder, receipt.feedback_id, "Thank you", ChangeClaim::None, ReplyStatus::Pending, 3);
    let added = store.add_reply(&reply).await.expect("reply");
    store.check_reply(added.id, None, moderator.id, at(4)).await.expect("check");
    let reply = [entry(100, ChangeKind::Reply), entry(100, ChangeKind::Reply)];
    assert_eq!(entries_after(store, last).await, reply, "added, then checked");
    let last = store.last_change().await.expect("last");
    assert!(store.check_reply(added.id, None, moderator.id, at(5)).await.is_err(), "checked already");
    assert_eq!(store.last_change().await.expect("last"), last, "a refused check appends nothing");
}

pub async fn journal_return_names_each_location(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let last = store.last_change().await.expect("last");
    let returns = vec![(102, figures("2026-01", 1)), (100, figures("2026-01", 4)), (100, figures("2026-02", 5))];
    store.save_returns(&batch(returns, None, 1, ReturnSource::Csv)).await.expect("save");
    let each = [entry(100, ChangeKind::Return), entry(102, ChangeKind::Return)];
    assert_eq!(entries_after(store, last).await, each, "one entry per location, however many months");
    let last = store.last_change().await.expect("last");
    let twice = vec![(100, figures("2026-03", 1)), (100, figures("2026-03", 2))];
    assert!(store.save_returns(&batch(twice, None, 2, ReturnSource::Csv)).await.is_err(), "a month twice");
    let unknown = vec![(100, figures("2026-04", 1)), (999, figures("2026-04", 2))];
    assert!(store.save_returns(&batch(unknown, None, 2, ReturnSource::Csv)).await.is_err(), "an unknown location");
    assert_eq!(store.last_change().await.expect("last"), last, "a refused batch appends nothing");
}

pub async fn journal_complaint_step_names_its_location(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let last = store.last_change().await.expect("last");
    let receipt =
        store.add_complaint(&complaints::complaint(102, "a", date(2026, 3, 2))).await.expect("complaint logged");
    let ack = ComplaintStep::Acknowledge { on: date(2026, 3, 3) };
    store.take_complaint_step(receipt.id, &ack, None, at(2), &[]).await.expect("step");
    let both = [entry(102, ChangeKind::Complaint), entry(102, ChangeKind::Complaint)];
    assert_eq!(entries_after(store, last).await, both, "logged, then acknowledged");
    let last = store.last_change().await.expect("last");
    assert!(store.take_complaint_step(receipt.id, &ack, None, at(3), &[]).await.is_err(), "acknowledged already");
    assert_eq!(store.last_change().await.expect("last"), last, "a refused step appends nothing");
}

pub async fn journal_policy_confirmation_names_the_readers_locations(store: &dyn Store) {
    let [admin, _manager, both, _rose, _gone, _other] = policies::policy_people(store).await;
    let last = store.last_change().await.expect("last");
    let draft = policies::draft("Fire safety", "First.", true);
    let id = store.publish_policy(&policies::publish(1, None, draft, 1)).await.expect("v1").policy_id;
    let provider_1 = [entry(100, ChangeKind::PolicyRead), entry(102, ChangeKind::PolicyRead)];
    assert_eq!(entries_after(store, last).await, provider_1, "what each location's people must read changed");

    let last = store.last_change().await.expect("last");
    store.confirm_policy_read(id, Version(1), both.id, at(2)).await.expect("confirm");
    assert_eq!(entries_after(store, last).await, provider_1, "the reader works at both");
    let last = store.last_change().await.expect("last");
    store.confirm_policy_read(id, Version(1), both.id, at(3)).await.expect("again");
    store.confirm_policy_read(id, Version(1), admin.id, at(3)).await.expect("confirm");
    assert_eq!(store.last_change().await.expect("last"), last, "no location's read rate changed");
    assert!(store.confirm_policy_read(id, Version(2), both.id, at(3)).await.is_err(), "no such version");
    assert_eq!(store.last_change().await.expect("last"), last, "a refused confirmation appends nothing");

    store.withdraw_policy(id, at(4)).await.expect("withdraw");
    assert_eq!(entries_after(store, last).await, provider_1, "withdrawn: asked of nobody");
}

pub async fn journal_published_assessment_names_its_location(store: &dyn Store) {
    let (inspector, admin) = assessment_setup(store).await;
    let id = store.create_assessment(&new_assessment(&inspector, 1)).await.expect("create").id;
    store.send_assessment(id, at(2).date_naive() + chrono::Days::new(14), at(3), &[]).await.expect("send");
    let last = store.last_change().await.expect("last");
    assert!(store.publish_assessment(id, &publication(&inspector, Rating::Good, 4)).await.is_err(), "window open");
    assert_eq!(store.last_change().await.expect("last"), last, "a refused publication appends nothing");
    store.finish_challenges(id, admin.id, at(5)).await.expect("no challenges");
    store.publish_assessment(id, &publication(&inspector, Rating::Good, 6)).await.expect("publish");
    assert_eq!(entries_after(store, last).await, [entry(100, ChangeKind::Assessment)]);
}

pub async fn journal_published_plan_and_practice_name_their_location(store: &dyn Store) {
    let (admin, plan) = improvement::plan_setup(store).await;
    let last = store.last_change().await.expect("last");
    let publishing =
        Publishing { summary: "What we do".into(), actions: vec![], evidence: vec![], by: admin.id, at: at(2) };
    store.publish_plan(plan.id, &publishing).await.expect("publish");
    store.unpublish_plan(plan.id, at(3)).await.expect("unpublish");
    let draft = practice::account("Music at mealtimes", Theme::Nutrition, &["E4"]);
    let new = NewPractice { location: lid(100), draft, by: Some(admin.id), at: at(4) };
    let practice = store.create_practice(&new).await.expect("create");
    store.set_practice_published(practice, true, at(5)).await.expect("publish");
    let expected =
        [entry(100, ChangeKind::Improvement), entry(100, ChangeKind::Improvement), entry(100, ChangeKind::Practice)];
    assert_eq!(entries_after(store, last).await, expected, "a draft is no one else's business");
    let last = store.last_change().await.expect("last");
    assert!(store.set_practice_published(practice, true, at(6)).await.is_err(), "published already");
    assert_eq!(store.last_change().await.expect("last"), last, "a refusal appends nothing");
}

pub async fn journal_is_pruned_and_its_numbers_never_reused(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let entries = store.changes_after(0, 1000).await.expect("journal");
    assert_eq!(entries.len(), 5);
    assert_eq!(store.changes_after(0, 2).await.expect("journal").len(), 2, "at most the limit");
    let last = store.last_change().await.expect("last");
    assert_eq!(last, entries[4].sequence);
    let after = Utc::now() + chrono::Duration::hours(1);
    assert_eq!(store.prune_changes(entries[2].sequence, after).await.expect("prune"), 2, "below the sequence");
    assert_eq!(store.prune_changes(last + 1, at(0)).await.expect("prune"), 0, "none recorded that long ago");
    assert_eq!(store.changes_after(0, 1000).await.expect("journal"), entries[2..]);
    assert_eq!(store.prune_changes(last + 1, after).await.expect("prune"), 3);
    assert_eq!(store.last_change().await.expect("last"), last, "the last number stays once its entry is pruned");
    store.apply_import(&small_register()).await.expect("import again");
    let fresh = store.changes_after(0, 1000).await.expect("journal");
    assert!(fresh.iter().all(|c| c.sequence > last), "a number is never used twice");
}
