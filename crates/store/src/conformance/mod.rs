//! The behaviour every [`Store`](crate::Store) backend must show. A backend runs the
//! whole suite with one line in its tests:
//!
//! ```ignore
//! candour_store::conformance_tests!(fresh_store);
//! ```
//!
//! where `async fn fresh_store() -> (impl Store, Guard)` returns an empty store and
//! anything that must live as long as it (a temporary directory, say). The
//! backend's tokio must have the multi-threaded runtime: some cases share the
//! store between tasks.
//!
//! The suite sits behind the `conformance` cargo feature of `candour-store`: a
//! backend's dev-dependency turns it on, the production library leaves it out.
//!
//! # Guarantees every backend keeps
//!
//! Rules belong to the callers (the application's services); a backend keeps only
//! these guarantees, whatever the caller does (SQLite keeps the first two with
//! triggers, so that not even a hand-written statement breaks them):
//! - **The audit log is append-only**: an entry, once written, is never changed or
//!   deleted (the trait offers neither; `audit_log_is_searched_newest_first`).
//! - **A published assessment is immutable**: no edit, challenge, decision or second
//!   publication changes it (`assessment_transitions_are_refused_out_of_order`,
//!   `assessments_go_from_draft_to_published`).
//! - **Every write is all or nothing**: a refused or failed write leaves no trace,
//!   not even a journal entry (`a_failing_import_writes_nothing`,
//!   `returns_are_kept_all_or_nothing`, the `journal_*` cases).
//! - **The change journal** records each write that feeds monitoring, the directory
//!   or a public page in the write's own transaction; entries become visible in
//!   sequence order and numbers are never reused (the `journal_*` cases).

use chrono::{DateTime, NaiveDate, Utc};

use candour_domain::{
    Address, Email, Grant, KeyQuestion, KeyQuestionRatings, Location, LocationId, Postcode, Provider, ProviderId,
    Rating, RatingRecord, RatingSource, Region, RegistrationStatus, Relationship, RelationshipKind, Role, Scope,
    ServiceKind, UserId,
};

use candour_domain::returns::{Month, MonthlyReturn};
use candour_domain::voice::{
    ChangeClaim, Channel, Contact, Criticality, Feedback, Helper, Overall, Progress, RawFeedback, Respondent,
};

use crate::*;

mod complaints;
mod improvement;
mod journal;
mod notices;
mod policies;
mod practice;
mod shared;
mod visits;

pub use complaints::*;
pub use improvement::*;
pub use journal::*;
pub use notices::*;
pub use policies::*;
pub use practice::*;
pub use shared::*;
pub use visits::*;

#[macro_export]
macro_rules! conformance_tests {
    ($fresh:path) => {
        $crate::conformance_tests!(@cases $fresh;
            empty_store_answers_not_found_and_zero,
            import_round_trips_every_field,
            reimport_is_idempotent,
            an_areas_overall_ratings_are_listed_oldest_first,
            a_failing_import_writes_nothing,
            current_rating_is_the_latest_and_prefers_overall,
            directory_filters_narrow_results,
            directory_sorts_and_pages,
            directory_rejects_bad_paging,
            name_search_treats_wildcards_literally,
            areas_and_specialisms_are_counted,
            related_locations_are_resolved,
            state_and_import_runs_are_kept,
            accounts_emails_are_unique_ignoring_case,
            accounts_round_trip_with_their_grants,
            accounts_update_changes_only_what_is_given,
            accounts_keep_sign_in_state,
            sessions_expire_and_can_be_extended,
            sessions_end_on_sign_out_and_when_disabled,
            links_are_single_use_expiring_and_for_one_purpose,
            using_a_link_or_setting_a_password_ends_the_other_credentials,
            api_tokens_are_created_used_and_revoked,
            audit_log_is_searched_newest_first,
            outbox_keeps_queued_email,
            assessments_go_from_draft_to_published,
            assessment_transitions_are_refused_out_of_order,
            assessment_challenges_keep_to_their_window,
            sent_assessments_are_locked_but_for_accepted_challenges,
            assessments_await_the_providers_review,
            voice_submission_round_trips_every_field,
            voice_a_repeated_key_is_one_response,
            voice_an_unknown_location_is_not_found,
            voice_feedback_without_text_is_published_at_once,
            voice_moderation_publishes_or_rejects_once,
            voice_alerts_are_kept_with_their_emails,
            voice_safeguarding_contacts_are_set_replaced_and_removed,
            voice_replies_are_checked_and_shown_by_view,
            voice_progress_is_rated_only_through_its_own_key,
            voice_outcomes_are_added_and_retired_through_their_own_key,
            voice_reminders_are_queued_once_when_due_and_stopped_by_key_or_token,
            voice_facts_are_those_of_the_snapshot_and_keep_to_since,
            voice_snapshots_move_in_batches,
            outbox_sends_due_email_and_retries_failures,
            returns_are_added_replaced_and_kept_unchanged,
            returns_are_kept_all_or_nothing,
            monitoring_counts_follow_feedback_and_moderation,
            monitoring_progress_counts_once_per_outcome_in_ninety_days,
        );
        $crate::conformance_tests!(@shared $fresh;
            voice_concurrent_submissions_are_all_committed,
            outbox_claims_each_email_once_among_many_senders,
        );
        // What instances share (shared.rs).
        $crate::conformance_tests!(@cases $fresh;
            allowances_are_kept_per_key,
            allowances_are_taken_in_turn,
            a_job_lock_is_held_by_one_at_a_time,
        );
        // Complaints (complaints.rs).
        $crate::conformance_tests!(@cases $fresh;
            complaints_round_trip_with_their_emails,
            complaints_are_found_by_follow_hash_only,
            complaint_steps_are_kept_and_refused_ones_change_nothing,
            complaint_logs_count_received_upheld_on_time_and_overdue,
        );
        // Improvement plans (improvement.rs).
        $crate::conformance_tests!(@cases $fresh;
            improvement_plans_keep_findings_actions_and_history,
            improvement_evidence_files_round_trip_within_their_plan,
            improvement_plans_publish_only_what_is_chosen,
        );
        // The policy cascade (policies.rs).
        $crate::conformance_tests!(@cases $fresh;
            policies_keep_every_version,
            policy_confirmations_are_per_version,
            policy_read_rates_count_people_per_location,
        );
        // Good practice (practice.rs).
        $crate::conformance_tests!(@cases $fresh;
            practice_goes_from_draft_to_published_and_back,
            practice_search_finds_only_published_accounts,
        );
        // Notices (notices.rs).
        $crate::conformance_tests!(@cases $fresh;
            mail_choices_default_to_each_and_keep_the_last,
            emails_keep_their_html_link_and_unsubscribe_link,
            a_once_only_notice_is_queued_once,
            held_emails_wait_for_one_digest_per_person,
            notices_go_to_the_signed_up_managers_of_the_service_or_its_provider,
            complaint_links_open_their_complaint_and_steps_queue_their_emails,
            a_follow_counts_once_it_is_confirmed_and_only_once,
        );
        // Experts' visits (visits.rs).
        $crate::conformance_tests!(@cases $fresh;
            visits_go_from_draft_to_published,
            sent_visits_are_locked_but_for_accepted_challenges,
        );
        // The change journal (journal.rs).
        $crate::conformance_tests!(@cases $fresh;
            journal_register_import_names_each_location_it_changes,
            journal_feedback_submission_names_its_location,
            journal_moderation_decision_names_its_location,
            journal_burst_review_is_kept_and_names_its_location,
            journal_reply_names_its_location,
            journal_return_names_each_location,
            journal_complaint_step_names_its_location,
            journal_policy_confirmation_names_the_readers_locations,
            journal_published_assessment_names_its_location,
            journal_published_plan_and_practice_name_their_location,
            journal_is_pruned_and_its_numbers_never_reused,
        );
    };
    // Cases that share the store between spawned tasks.
    (@shared $fresh:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let (store, _guard) = $fresh().await;
                $crate::conformance::$case(std::sync::Arc::new(store)).await;
            }
        )*
    };
    (@cases $fresh:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let (store, _guard) = $fresh().await;
                $crate::conformance::$case(&store).await;
            }
        )*
    };
}

fn lid(n: u32) -> LocationId {
    LocationId::parse(&format!("1-{n}")).expect("valid test id")
}

fn pid(n: u32) -> ProviderId {
    ProviderId::parse(&format!("1-{n}")).expect("valid test id")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

fn provider(n: u32, name: &str) -> Provider {
    let mut p = Provider::new(pid(n), name);
    p.sector = Some("Independent Healthcare Org".into());
    p.ownership_type = Some("Organisation".into());
    p
}

/// A care home with every field filled, so that a round trip checks them all.
fn full_location() -> Location {
    let mut l = Location::new(lid(100), pid(1), "Willowbrook House");
    l.also_known_as = Some("The Willows".into());
    l.brand_id = Some("BD001".into());
    l.brand_name = Some("Brightwater Group".into());
    l.care_home = true;
    l.beds = Some(42);
    l.service_types = vec!["Care home service with nursing".into()];
    l.specialisms = vec!["Dementia".into(), "Older people".into()];
    l.regulated_activities = vec!["Accommodation for persons who require nursing or personal care".into()];
    l.address = Address {
        line1: Some("1 Mill Lane".into()),
        line2: Some("Headingley".into()),
        town: Some("Leeds".into()),
        county: Some("West Yorkshire".into()),
        postcode: Some(Postcode::parse("LS6 3AA").expect("valid postcode")),
    };
    l.region = Some(Region::YorkshireAndTheHumber);
    l.local_authority = Some("Leeds".into());
    l.constituency = Some("Leeds North West".into());
    l.latitude = Some(53.8208);
    l.longitude = Some(-1.5762);
    l.phone = Some("0113 000 0000".into());
    l.website = Some("https://example.org".into());
    l.registration.registered_on = Some(date(2015, 4, 1));
    l.dormant = Some(false);
    l.registered_manager = Some(true);
    l.inspection_directorate = Some("Adult social care".into());
    l.primary_inspection_category = Some("Residential social care".into());
    l.last_inspection = Some(date(2024, 2, 1));
    l.last_report = Some(date(2024, 3, 1));
    l.relationships = vec![Relationship {
        kind: RelationshipKind::Predecessor,
        related_id: lid(99),
        related_name: Some("Willowbrook House (old)".into()),
        reason: Some("Change of provider".into()),
    }];
    l
}

#[allow(clippy::too_many_arguments)]
fn simple_location(
    n: u32,
    provider: u32,
    name: &str,
    postcode: &str,
    la: &str,
    region: Region,
    service: &str,
    beds: Option<u32>,
) -> Location {
    let mut l = Location::new(lid(n), pid(provider), name);
    l.service_types = vec![service.into()];
    l.care_home = service.starts_with("Care home");
    l.beds = beds;
    l.address.postcode = Some(Postcode::parse(postcode).expect("valid postcode"));
    l.local_authority = Some(la.into());
    l.region = Some(region);
    l
}

fn rating(location: u32, group: &str, published: NaiveDate, overall: Rating) -> RatingRecord {
    RatingRecord {
        location_id: lid(location),
        service_group: group.into(),
        published,
        source: RatingSource::Cqc,
        overall: Some(overall),
        key_questions: KeyQuestionRatings { safe: Some(overall), well_led: Some(overall), ..Default::default() },
        report_type: Some("Location".into()),
        inherited: false,
    }
}

fn plan(providers: Vec<Provider>, locations: Vec<Location>, ratings: Vec<RatingRecord>) -> ImportPlan {
    ImportPlan {
        kind: "test".into(),
        origin: "conformance".into(),
        counts: ImportCounts { added: locations.len() as u64, ..Default::default() },
        providers,
        locations,
        ratings,
    }
}

/// Five locations over two providers, two regions and three service kinds.
fn small_register() -> ImportPlan {
    let mut dereg = simple_location(
        105,
        2,
        "Old Mill Care",
        "LS6 9ZZ",
        "Leeds",
        Region::YorkshireAndTheHumber,
        "Care home service without nursing",
        Some(12),
    );
    dereg.registration.status = RegistrationStatus::Deregistered;
    dereg.registration.deregistered_on = Some(date(2023, 1, 1));
    let mut rose = simple_location(
        102,
        1,
        "Rose Court",
        "LS12 1AB",
        "Leeds",
        Region::YorkshireAndTheHumber,
        "Care home service without nursing",
        Some(20),
    );
    rose.specialisms = vec!["Dementia".into()];
    plan(
        vec![provider(1, "Brightwater Care Ltd"), provider(2, "Meadowview Homes Ltd")],
        vec![
            full_location(),
            rose,
            simple_location(
                103,
                2,
                "Kindly Hands Homecare",
                "M1 2AB",
                "Manchester",
                Region::NorthWest,
                "Homecare agencies",
                None,
            ),
            simple_location(
                104,
                2,
                "Amber Lodge",
                "M20 4XY",
                "manchester",
                Region::NorthWest,
                "Care home service with nursing",
                Some(60),
            ),
            dereg,
        ],
        vec![
            rating(100, "Overall", date(2019, 5, 1), Rating::RequiresImprovement),
            rating(100, "Overall", date(2024, 3, 1), Rating::Good),
            rating(102, "Overall", date(2023, 6, 1), Rating::Outstanding),
            rating(104, "Overall", date(2022, 1, 10), Rating::Inadequate),
        ],
    )
}

pub async fn an_areas_overall_ratings_are_listed_oldest_first(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let leeds = store.overall_ratings_in(&MarketScope::LocalAuthority("LEEDS".into())).await.expect("ratings");
    let seen: Vec<(u32, NaiveDate, Rating)> = leeds
        .iter()
        .map(|(id, on, r)| (id.as_str().trim_start_matches("1-").parse().expect("a number"), *on, *r))
        .collect();
    assert_eq!(
        seen,
        [
            (100, date(2019, 5, 1), Rating::RequiresImprovement),
            (102, date(2023, 6, 1), Rating::Outstanding),
            (100, date(2024, 3, 1), Rating::Good),
        ],
        "registered locations only, any capitalisation"
    );
    let atlantis = MarketScope::LocalAuthority("Atlantis".into());
    assert!(store.overall_ratings_in(&atlantis).await.expect("ratings").is_empty());
    // A region's, and England's.
    let north_west = store.overall_ratings_in(&MarketScope::Region(Region::NorthWest)).await.expect("ratings");
    assert_eq!(north_west.iter().map(|(id, ..)| id.as_str()).collect::<Vec<_>>(), ["1-104"]);
    let england = store.overall_ratings_in(&MarketScope::England).await.expect("ratings");
    assert_eq!(england.len(), 4, "{england:?}");
    assert!(england.windows(2).all(|w| w[0].1 <= w[1].1), "oldest first");
}

async fn search(store: &dyn Store, q: LocationQuery) -> Vec<String> {
    store.search_locations(&q).await.expect("search").items.into_iter().map(|s| s.name).collect()
}

pub async fn empty_store_answers_not_found_and_zero(store: &dyn Store) {
    store.ping().await.expect("ping");
    assert!(matches!(store.location(&lid(1)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.provider(&pid(1)).await, Err(StoreError::NotFound)));
    let page = store.search_locations(&LocationQuery::default()).await.expect("search");
    assert_eq!((page.total, page.items.len(), page.pages()), (0, 0, 1));
    assert_eq!(store.register_stats().await.expect("stats").registered_locations, 0);
    assert!(store.register_snapshot().await.expect("snapshot").locations.is_empty());
}

pub async fn import_round_trips_every_field(store: &dyn Store) {
    let register = small_register();
    store.apply_import(&register).await.expect("import");
    let detail = store.location(&lid(100)).await.expect("location");
    assert_eq!(detail.location, full_location());
    assert_eq!(detail.provider, provider(1, "Brightwater Care Ltd"));
    assert_eq!(detail.rating_history.len(), 2);
    assert_eq!(detail.rating_history[0], register.ratings[1], "newest first, every field kept");
    assert_eq!(detail.provider_location_count, 1);

    let snapshot = store.register_snapshot().await.expect("snapshot");
    assert_eq!(snapshot.locations.len(), 5);
    assert_eq!(snapshot.providers.len(), 2);
    assert_eq!(snapshot.ratings.len(), 4);
    assert_eq!(snapshot.locations[&lid(100)], full_location());

    let p = store.provider(&pid(2)).await.expect("provider");
    let names: Vec<_> = p.locations.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["Amber Lodge", "Kindly Hands Homecare", "Old Mill Care"], "registered first, then by name");
    assert!(!p.locations[2].registered);

    let stats = store.register_stats().await.expect("stats");
    assert_eq!((stats.registered_locations, stats.deregistered_locations, stats.providers), (4, 1, 2));
    assert_eq!(stats.care_homes, 3);
    assert_eq!(stats.rating_records, 4);
    assert!(stats.by_rating.contains(&(Rating::Good, 1)) && stats.by_rating.contains(&(Rating::Inadequate, 1)));
}

pub async fn reimport_is_idempotent(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("first import");
    store.apply_import(&small_register()).await.expect("second import");
    let snapshot = store.register_snapshot().await.expect("snapshot");
    assert_eq!((snapshot.locations.len(), snapshot.ratings.len()), (5, 4));

    // A changed record replaces the stored one, lists included.
    let mut changed = full_location();
    changed.name = "Willowbrook House Nursing Home".into();
    changed.specialisms = vec!["Physical disability".into()];
    store.apply_import(&plan(vec![], vec![changed.clone()], vec![])).await.expect("update");
    assert_eq!(store.location(&lid(100)).await.expect("location").location, changed);
    let by_old = LocationQuery { specialism: Some("Older people".into()), ..Default::default() };
    assert!(search(store, by_old).await.is_empty(), "old specialisms are gone from the filter");
}

pub async fn a_failing_import_writes_nothing(store: &dyn Store) {
    let mut bad = small_register();
    bad.locations.push(simple_location(
        200,
        999,
        "Orphan House",
        "B1 1AA",
        "Birmingham",
        Region::WestMidlands,
        "Homecare agencies",
        None,
    ));
    let err = store.apply_import(&bad).await.expect_err("unknown provider must fail");
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(store.register_snapshot().await.expect("snapshot").providers.is_empty(), "nothing written");
    assert!(store.import_runs(10).await.expect("runs").is_empty());
}

pub async fn current_rating_is_the_latest_and_prefers_overall(store: &dyn Store) {
    let mut register = small_register();
    // A later service-group rating must not displace the location-wide one in the directory.
    register.ratings.push(rating(100, "Care home service with nursing", date(2025, 1, 1), Rating::Inadequate));
    store.apply_import(&register).await.expect("import");
    let detail = store.location(&lid(100)).await.expect("location");
    assert_eq!(detail.current_ratings.len(), 2);
    assert_eq!(detail.current_ratings[0].service_group, "Overall");
    assert_eq!(detail.current_ratings[0].overall, Some(Rating::Good));
    assert_eq!(detail.headline_rating.as_ref(), Some(&detail.current_ratings[0]));
    let q = LocationQuery { name: Some("willowbrook".into()), ..Default::default() };
    let hit = &store.search_locations(&q).await.expect("search").items[0];
    assert_eq!((hit.overall, hit.rated_on), (Some(Rating::Good), Some(date(2024, 3, 1))));

    // A newer overall rating becomes current.
    store
        .apply_import(&plan(vec![], vec![], vec![rating(100, "Overall", date(2026, 1, 1), Rating::Outstanding)]))
        .await
        .expect("new rating");
    let hit = &store.search_locations(&q).await.expect("search").items[0];
    assert_eq!(hit.overall, Some(Rating::Outstanding));

    // A later Candour rating of one service does displace it: it is the headline.
    let mut candour = rating(100, "Care home service with nursing", date(2026, 2, 1), Rating::RequiresImprovement);
    candour.source = RatingSource::Candour;
    store.apply_import(&plan(vec![], vec![], vec![candour.clone()])).await.expect("Candour rating");
    let hit = &store.search_locations(&q).await.expect("search").items[0];
    assert_eq!((hit.overall, hit.rated_on), (Some(Rating::RequiresImprovement), Some(date(2026, 2, 1))));
    let detail = store.location(&lid(100)).await.expect("location");
    assert_eq!(detail.headline_rating, Some(candour));
}

pub async fn directory_filters_narrow_results(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let all = search(store, LocationQuery::default()).await;
    assert_eq!(all, ["Amber Lodge", "Kindly Hands Homecare", "Rose Court", "Willowbrook House"]);
    let q = |f: fn(&mut LocationQuery)| {
        let mut q = LocationQuery::default();
        f(&mut q);
        q
    };
    assert_eq!(
        search(store, q(|q| q.name = Some("WILLOWS".into()))).await,
        ["Willowbrook House"],
        "also-known-as, any case"
    );
    assert_eq!(search(store, q(|q| q.postcode = Some("LS".into()))).await, ["Rose Court", "Willowbrook House"]);
    assert_eq!(search(store, q(|q| q.postcode = Some("M1 2AB".into()))).await, ["Kindly Hands Homecare"]);
    assert_eq!(
        search(store, q(|q| q.local_authority = Some("MANCHESTER".into()))).await,
        ["Amber Lodge", "Kindly Hands Homecare"]
    );
    assert_eq!(
        search(store, q(|q| q.region = Some(Region::YorkshireAndTheHumber))).await,
        ["Rose Court", "Willowbrook House"]
    );
    assert_eq!(
        search(store, q(|q| q.service = Some(candour_domain::ServiceKind::CareHomeNursing))).await,
        ["Amber Lodge", "Willowbrook House"]
    );
    assert_eq!(search(store, q(|q| q.rating = Some(RatingFilter::Rated(Rating::Outstanding)))).await, ["Rose Court"]);
    assert_eq!(search(store, q(|q| q.rating = Some(RatingFilter::NotRated))).await, ["Kindly Hands Homecare"]);
    assert_eq!(search(store, q(|q| q.specialism = Some("dementia".into()))).await, ["Rose Court", "Willowbrook House"]);
    assert_eq!(search(store, q(|q| q.provider = Some(pid(1)))).await, ["Rose Court", "Willowbrook House"]);
    assert_eq!(search(store, q(|q| q.include_deregistered = true)).await.len(), 5);
    let combined = q(|q| {
        q.region = Some(Region::NorthWest);
        q.service = Some(candour_domain::ServiceKind::Homecare);
    });
    assert_eq!(search(store, combined).await, ["Kindly Hands Homecare"]);
}

pub async fn directory_sorts_and_pages(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let sorted = |sort| LocationQuery { sort, ..Default::default() };
    assert_eq!(
        search(store, sorted(LocationSort::RatingBest)).await,
        ["Rose Court", "Willowbrook House", "Amber Lodge", "Kindly Hands Homecare"]
    );
    assert_eq!(
        search(store, sorted(LocationSort::RatingWorst)).await,
        ["Amber Lodge", "Willowbrook House", "Rose Court", "Kindly Hands Homecare"]
    );
    assert_eq!(
        search(store, sorted(LocationSort::Beds)).await,
        ["Amber Lodge", "Willowbrook House", "Rose Court", "Kindly Hands Homecare"]
    );
    assert_eq!(
        search(store, sorted(LocationSort::RecentlyRated)).await,
        ["Willowbrook House", "Rose Court", "Amber Lodge", "Kindly Hands Homecare"]
    );
    let page2 =
        store.search_locations(&LocationQuery { page: 2, per_page: 3, ..Default::default() }).await.expect("page 2");
    assert_eq!((page2.total, page2.pages(), page2.items.len()), (4, 2, 1));
    assert_eq!(page2.items[0].name, "Willowbrook House");
    let beyond = store
        .search_locations(&LocationQuery { page: 9, per_page: 3, ..Default::default() })
        .await
        .expect("past the end");
    assert!(beyond.items.is_empty());
    assert_eq!(beyond.total, 4);
}

pub async fn directory_rejects_bad_paging(store: &dyn Store) {
    for (page, per_page) in [(0, 20), (1, 0), (1, LocationQuery::MAX_PER_PAGE + 1)] {
        let err = store.search_locations(&LocationQuery { page, per_page, ..Default::default() }).await;
        assert!(matches!(err, Err(StoreError::Invalid(_))), "page {page}, per_page {per_page}");
    }
}

pub async fn name_search_treats_wildcards_literally(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    for wildcard in ["%", "_", "\\"] {
        let q = LocationQuery { name: Some(wildcard.into()), ..Default::default() };
        assert!(search(store, q).await.is_empty(), "{wildcard:?} matched everything");
    }
}

pub async fn areas_and_specialisms_are_counted(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let areas = store.local_authorities().await.expect("areas");
    let leeds = areas.iter().find(|a| a.local_authority == "Leeds").expect("Leeds listed");
    assert_eq!((leeds.locations, leeds.region), (2, Some(Region::YorkshireAndTheHumber)), "deregistered not counted");
    assert_eq!(areas.len(), 2, "names differing only in case are one authority: {areas:?}");
    let specialisms = store.specialisms().await.expect("specialisms");
    assert_eq!(specialisms[0], NameCount { name: "Dementia".into(), locations: 2 });
}

pub async fn related_locations_are_resolved(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let related = store.location(&lid(100)).await.expect("location").related;
    assert_eq!(related.len(), 1);
    assert!(!related[0].known, "the predecessor is not in the register");
    assert_eq!(related[0].name.as_deref(), Some("Willowbrook House (old)"));

    let old = simple_location(
        99,
        1,
        "Willowbrook",
        "LS6 3AA",
        "Leeds",
        Region::YorkshireAndTheHumber,
        "Care home service with nursing",
        Some(40),
    );
    store.apply_import(&plan(vec![], vec![old], vec![])).await.expect("add predecessor");
    let related = store.location(&lid(100)).await.expect("location").related;
    assert!(related[0].known);
    assert_eq!(related[0].name.as_deref(), Some("Willowbrook"), "the register's current name wins");
}

pub async fn state_and_import_runs_are_kept(store: &dyn Store) {
    assert_eq!(store.get_state("cursor").await.expect("get"), None);
    store.set_state("cursor", "a").await.expect("set");
    store.set_state("cursor", "b").await.expect("overwrite");
    assert_eq!(store.get_state("cursor").await.expect("get").as_deref(), Some("b"));

    store.apply_import(&small_register()).await.expect("import");
    let runs = store.import_runs(10).await.expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].kind.as_str(), runs[0].counts.added), ("test", 5));
}

// ---- accounts ----

/// A fixed moment, `hours` after the start of 2025, so that expiry is tested without waiting.
fn at(hours: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_735_689_600 + hours * 3600, 0).expect("valid test time")
}

fn email(address: &str) -> Email {
    Email::parse(address).expect("valid test email")
}

async fn add_user(store: &dyn Store, address: &str, grants: Vec<Grant>) -> User {
    let new = NewUser { email: email(address), name: format!("User {address}"), grants };
    store.create_user(&new).await.expect("create user")
}

fn grant(role: Role, scope: Scope) -> Grant {
    Grant { role, scope }
}

fn session_for(user: &User, token_hash: &str, expires_at: DateTime<Utc>) -> NewSession {
    NewSession { token_hash: token_hash.into(), user_id: user.id, created_at: at(0), expires_at }
}

fn link_for(user: &User, purpose: LinkPurpose, token_hash: &str, expires_at: DateTime<Utc>) -> NewLink {
    NewLink { purpose, token_hash: token_hash.into(), user_id: user.id, expires_at }
}

fn token_for(user: &User, name: &str, token_hash: &str) -> NewApiToken {
    NewApiToken {
        user_id: user.id,
        name: name.into(),
        token_hash: token_hash.into(),
        prefix: format!("cand_{}", &token_hash[..4]),
        created_at: at(0),
    }
}

fn disable() -> UserUpdate {
    UserUpdate { disabled: Some(true), ..Default::default() }
}

pub async fn accounts_emails_are_unique_ignoring_case(store: &dyn Store) {
    let jo = add_user(store, "jo@example.org", vec![]).await;
    assert_eq!(jo.email.as_str(), "jo@example.org");
    let again = NewUser { email: email("JO@Example.ORG"), name: "Jo again".into(), grants: vec![] };
    let err = store.create_user(&again).await.expect_err("same address in other case");
    assert!(matches!(&err, StoreError::Conflict(m) if m.contains("email")), "{err:?}");
    assert_eq!(store.users().await.expect("users").len(), 1, "nothing written by the refused create");
}

pub async fn accounts_round_trip_with_their_grants(store: &dyn Store) {
    assert!(store.users().await.expect("users").is_empty());
    let grants = vec![
        grant(Role::Moderator, Scope::All),
        grant(Role::Commissioner, Scope::LocalAuthority("Leeds".into())),
        grant(Role::Commissioner, Scope::LocalAuthority("Kent".into())),
        grant(Role::ProviderAdmin, Scope::Provider(pid(1))),
        grant(Role::Manager, Scope::Location(lid(100))),
        grant(Role::Staff, Scope::Location(lid(101))),
    ];
    let created = add_user(store, "sam@example.org", grants.clone()).await;
    let mut sorted = grants;
    sorted.sort();
    assert_eq!(created.grants, sorted, "grants are a set, read back in a stable order");
    assert_eq!(created.name, "User sam@example.org");
    assert!(!created.disabled && !created.has_password && created.last_sign_in_at.is_none());
    assert_eq!(store.user(created.id).await.expect("user"), created);

    let admin = add_user(store, "ada@example.org", vec![grant(Role::Admin, Scope::All)]).await;
    assert_eq!(store.users().await.expect("users"), vec![admin, created.clone()], "by email");
    assert!(matches!(store.user(UserId(created.id.0 + 100)).await, Err(StoreError::NotFound)));
}

pub async fn accounts_update_changes_only_what_is_given(store: &dyn Store) {
    let user = add_user(store, "kim@example.org", vec![grant(Role::Staff, Scope::Location(lid(100)))]).await;
    let renamed = UserUpdate { name: Some("Kim Lee".into()), ..Default::default() };
    let after = store.update_user(user.id, &renamed).await.expect("rename");
    assert_eq!((after.name.as_str(), &after.grants, after.disabled), ("Kim Lee", &user.grants, false));

    let regranted =
        vec![grant(Role::Manager, Scope::Location(lid(100))), grant(Role::Manager, Scope::Location(lid(101)))];
    let update = UserUpdate { grants: Some(regranted.clone()), ..Default::default() };
    let after = store.update_user(user.id, &update).await.expect("change grants");
    assert_eq!((after.name.as_str(), after.grants), ("Kim Lee", regranted), "grants replaced, name kept");

    let after = store.update_user(user.id, &disable()).await.expect("disable");
    assert!(after.disabled);
    assert_eq!(store.user(user.id).await.expect("user"), after);
    let missing = store.update_user(UserId(user.id.0 + 100), &renamed).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}

pub async fn accounts_keep_sign_in_state(store: &dyn Store) {
    assert!(store.sign_in_record(&email("nobody@example.org")).await.expect("lookup").is_none());
    let user = add_user(store, "lee@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let record = store.sign_in_record(&user.email).await.expect("lookup").expect("record");
    assert_eq!((record.password_hash, record.failed_attempts, record.locked_until), (None, 0, None));
    assert_eq!(record.user, user);

    store.set_password_hash(user.id, "$argon2id$v=19$test", at(0)).await.expect("set password");
    let failing = SignInState { failed_attempts: 5, locked_until: Some(at(1)), signed_in_at: None };
    store.set_sign_in_state(user.id, &failing).await.expect("record failures");
    let record = store.sign_in_record(&user.email).await.expect("lookup").expect("record");
    assert_eq!(record.password_hash.as_deref(), Some("$argon2id$v=19$test"));
    assert!(record.user.has_password);
    assert_eq!((record.failed_attempts, record.locked_until), (5, Some(at(1))));
    assert_eq!(record.user.last_sign_in_at, None);

    let success = SignInState { failed_attempts: 0, locked_until: None, signed_in_at: Some(at(2)) };
    store.set_sign_in_state(user.id, &success).await.expect("record success");
    let record = store.sign_in_record(&user.email).await.expect("lookup").expect("record");
    assert_eq!((record.failed_attempts, record.locked_until, record.user.last_sign_in_at), (0, None, Some(at(2))));

    // A later failure keeps the last successful sign-in; a new password clears the lockout.
    store.set_sign_in_state(user.id, &failing).await.expect("record failures");
    store.set_password_hash(user.id, "$argon2id$v=19$other", at(3)).await.expect("set password");
    let record = store.sign_in_record(&user.email).await.expect("lookup").expect("record");
    assert_eq!((record.failed_attempts, record.locked_until, record.user.last_sign_in_at), (0, None, Some(at(2))));
    let missing = store.set_password_hash(UserId(user.id.0 + 100), "x", at(3)).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}

pub async fn sessions_expire_and_can_be_extended(store: &dyn Store) {
    let user = add_user(store, "mo@example.org", vec![grant(Role::Moderator, Scope::All)]).await;
    store.create_session(&session_for(&user, "hash-a", at(2))).await.expect("create session");
    let live = store.session("hash-a", at(1)).await.expect("lookup").expect("live session");
    assert_eq!((live.user, live.created_at, live.expires_at), (user.clone(), at(0), at(2)));
    assert!(store.session("hash-a", at(2)).await.expect("lookup").is_none(), "expired at its expiry");
    assert!(store.session("hash-b", at(1)).await.expect("lookup").is_none(), "unknown hash");

    store.extend_session("hash-a", at(5)).await.expect("extend");
    assert_eq!(store.session("hash-a", at(4)).await.expect("lookup").expect("extended").expires_at, at(5));
    assert!(matches!(store.extend_session("hash-b", at(5)).await, Err(StoreError::NotFound)));

    let duplicate = store.create_session(&session_for(&user, "hash-a", at(9))).await;
    assert!(matches!(duplicate, Err(StoreError::Conflict(_))), "{duplicate:?}");
    let nobody = User { id: UserId(user.id.0 + 100), ..user };
    assert!(store.create_session(&session_for(&nobody, "hash-c", at(9))).await.is_err(), "unknown user");
}

pub async fn sessions_end_on_sign_out_and_when_disabled(store: &dyn Store) {
    let jo = add_user(store, "jo@example.org", vec![]).await;
    let al = add_user(store, "al@example.org", vec![]).await;
    for (user, hash) in [(&jo, "jo-1"), (&jo, "jo-2"), (&jo, "jo-3"), (&al, "al-1")] {
        store.create_session(&session_for(user, hash, at(10))).await.expect("create session");
    }
    let live = |hash: &'static str| async move { store.session(hash, at(1)).await.expect("lookup").is_some() };

    store.delete_session("jo-1").await.expect("sign out");
    assert!(!live("jo-1").await && live("jo-2").await);
    store.delete_session("jo-1").await.expect("signing out twice is harmless");

    store.delete_sessions_of(jo.id).await.expect("end all");
    assert!(!live("jo-2").await && !live("jo-3").await);
    assert!(live("al-1").await, "another user's session is untouched");

    store.update_user(al.id, &disable()).await.expect("disable");
    assert!(!live("al-1").await, "a disabled user's session stops working");
    let enable = UserUpdate { disabled: Some(false), ..Default::default() };
    store.update_user(al.id, &enable).await.expect("enable");
    assert!(live("al-1").await);
}

pub async fn links_are_single_use_expiring_and_for_one_purpose(store: &dyn Store) {
    let user = add_user(store, "new@example.org", vec![]).await;
    // Each link has its own user here: using one link ends its user's others.
    let (other, third) =
        (add_user(store, "other@example.org", vec![]).await, add_user(store, "third@example.org", vec![]).await);
    let invitation = LinkPurpose::Invitation;
    let reset = LinkPurpose::PasswordReset;
    store.create_link(&link_for(&user, invitation, "invite", at(24))).await.expect("create link");
    store.create_link(&link_for(&other, reset, "reset", at(1))).await.expect("create link");
    store.create_link(&link_for(&third, reset, "old-reset", at(1))).await.expect("create link");

    let wrong_purpose = store.consume_link(reset, "invite", at(1)).await;
    assert!(matches!(wrong_purpose, Err(StoreError::NotFound)), "{wrong_purpose:?}");
    assert_eq!(store.consume_link(invitation, "invite", at(1)).await.expect("first use"), user.id);
    let second = store.consume_link(invitation, "invite", at(1)).await;
    assert!(matches!(second, Err(StoreError::NotFound)), "a link works once: {second:?}");

    let expired = store.consume_link(reset, "old-reset", at(1)).await;
    assert!(matches!(expired, Err(StoreError::NotFound)), "expired at its expiry: {expired:?}");
    assert!(matches!(store.consume_link(reset, "unknown", at(0)).await, Err(StoreError::NotFound)));
    assert_eq!(store.consume_link(reset, "reset", at(0)).await.expect("before expiry"), other.id);

    let duplicate = store.create_link(&link_for(&user, reset, "reset", at(9))).await;
    assert!(matches!(duplicate, Err(StoreError::Conflict(_))), "{duplicate:?}");
}

pub async fn using_a_link_or_setting_a_password_ends_the_other_credentials(store: &dyn Store) {
    let reset = LinkPurpose::PasswordReset;
    let user = add_user(store, "kit@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let bystander = add_user(store, "bo@example.org", vec![]).await;
    store.create_link(&link_for(&user, reset, "older", at(24))).await.expect("create link");
    store.create_link(&link_for(&user, reset, "newer", at(24))).await.expect("create link");
    store.create_link(&link_for(&bystander, reset, "theirs", at(24))).await.expect("create link");
    assert_eq!(store.consume_link(reset, "newer", at(1)).await.expect("the newer link"), user.id);
    let older = store.consume_link(reset, "older", at(1)).await;
    assert!(matches!(older, Err(StoreError::NotFound)), "using one link ends the others: {older:?}");

    store.create_link(&link_for(&user, LinkPurpose::Invitation, "invite", at(24))).await.expect("create link");
    store.create_session(&session_for(&user, "kit-session", at(24))).await.expect("create session");
    store.create_api_token(&token_for(&user, "Sync", "kit-token")).await.expect("create token");
    store.set_password_hash(user.id, "$argon2id$v=19$new", at(2)).await.expect("set password");
    let invite = store.consume_link(LinkPurpose::Invitation, "invite", at(3)).await;
    assert!(matches!(invite, Err(StoreError::NotFound)), "a new password ends unused links: {invite:?}");
    assert!(store.session("kit-session", at(3)).await.expect("lookup").is_none(), "and sessions");
    assert!(store.use_api_token("kit-token", at(3)).await.expect("use").is_none(), "and API tokens");
    assert_eq!(store.api_tokens(user.id).await.expect("list")[0].revoked_at, Some(at(2)));
    assert_eq!(store.consume_link(reset, "theirs", at(3)).await.expect("another user's link"), bystander.id);
}

pub async fn api_tokens_are_created_used_and_revoked(store: &dyn Store) {
    let jo = add_user(store, "jo@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let al = add_user(store, "al@example.org", vec![]).await;
    let first = store.create_api_token(&token_for(&jo, "Reports", "hash-one")).await.expect("create token");
    assert_eq!((first.user_id, first.name.as_str(), first.prefix.as_str()), (jo.id, "Reports", "cand_hash"));
    assert_eq!((first.created_at, first.last_used_at, first.revoked_at), (at(0), None, None));
    let second = store.create_api_token(&token_for(&jo, "Sync", "hash-two")).await.expect("create token");
    let duplicate = store.create_api_token(&token_for(&al, "Copy", "hash-one")).await;
    assert!(matches!(duplicate, Err(StoreError::Conflict(_))), "{duplicate:?}");
    assert_eq!(store.api_tokens(jo.id).await.expect("list"), vec![second.clone(), first.clone()], "newest first");
    assert!(store.api_tokens(al.id).await.expect("list").is_empty());

    let (used, user) = store.use_api_token("hash-one", at(3)).await.expect("use").expect("live token");
    assert_eq!((used.id, used.last_used_at, user), (first.id, Some(at(3)), jo.clone()));
    assert_eq!(store.api_tokens(jo.id).await.expect("list")[1].last_used_at, Some(at(3)), "use is recorded");
    assert!(store.use_api_token("hash-unknown", at(3)).await.expect("use").is_none());

    let theirs = store.revoke_api_token(al.id, first.id, at(4)).await;
    assert!(matches!(theirs, Err(StoreError::NotFound)), "another user's token: {theirs:?}");
    assert!(store.use_api_token("hash-one", at(5)).await.expect("use").is_some(), "still live");
    store.revoke_api_token(jo.id, first.id, at(4)).await.expect("revoke");
    store.revoke_api_token(jo.id, first.id, at(6)).await.expect("revoking twice is harmless");
    assert!(store.use_api_token("hash-one", at(5)).await.expect("use").is_none(), "revoked");
    let listed = store.api_tokens(jo.id).await.expect("list");
    assert_eq!((listed.len(), listed[1].revoked_at), (2, Some(at(4))), "kept, with the first revocation time");

    store.update_user(jo.id, &disable()).await.expect("disable");
    assert!(store.use_api_token("hash-two", at(5)).await.expect("use").is_none(), "disabled user");
}

fn audit(hours: i64, actor: Option<UserId>, action: &str, resource: &str) -> NewAuditEntry {
    NewAuditEntry {
        at: at(hours),
        actor,
        action: action.into(),
        resource: resource.into(),
        detail: Some(format!("{action} {resource}")),
        ip: Some("192.0.2.1".into()),
    }
}

async fn audit_resources(store: &dyn Store, query: AuditQuery) -> Vec<String> {
    store.audit_log(&query).await.expect("audit search").items.into_iter().map(|e| e.resource).collect()
}

pub async fn audit_log_is_searched_newest_first(store: &dyn Store) {
    let jo = add_user(store, "jo@example.org", vec![]).await;
    let al = add_user(store, "al@example.org", vec![]).await;
    let entries = [
        audit(1, Some(jo.id), "read", "location:1-100"),
        audit(3, Some(al.id), "update", "user:7"),
        audit(2, Some(jo.id), "read", "location:1-200"),
        audit(4, None, "sign_in_failed", "user:ghost@example.org"),
        audit(5, Some(jo.id), "read_all", "provider:1-1"),
    ];
    for entry in &entries {
        store.append_audit(entry).await.expect("append");
    }
    let page = store.audit_log(&AuditQuery::default()).await.expect("audit log");
    assert_eq!(page.total, 5);
    let first = &page.items[0];
    assert_eq!((first.at, first.actor, first.action.as_str()), (at(5), Some(jo.id), "read_all"));
    assert_eq!((first.actor_email.as_deref(), first.ip.as_deref()), (Some("jo@example.org"), Some("192.0.2.1")));
    assert_eq!(first.detail.as_deref(), Some("read_all provider:1-1"));
    assert_eq!(page.items[1].actor_email, None, "no actor");

    let q = |f: fn(&mut AuditQuery)| {
        let mut q = AuditQuery::default();
        f(&mut q);
        q
    };
    let all = audit_resources(store, AuditQuery::default()).await;
    assert_eq!(all, ["provider:1-1", "user:ghost@example.org", "user:7", "location:1-200", "location:1-100"]);
    assert_eq!(
        audit_resources(store, q(|q| q.actor_email = Some("JO@".into()))).await,
        ["provider:1-1", "location:1-200", "location:1-100"],
        "actor by the start of the email, any case"
    );
    assert_eq!(audit_resources(store, q(|q| q.action = Some("read".into()))).await.len(), 3, "read and read_all");
    assert_eq!(audit_resources(store, q(|q| q.resource = Some("location:".into()))).await.len(), 2);
    assert!(audit_resources(store, q(|q| q.resource = Some("%".into()))).await.is_empty(), "% is literal");
    let window = q(|q| {
        q.since = Some(at(2));
        q.until = Some(at(4));
    });
    assert_eq!(audit_resources(store, window).await, ["user:7", "location:1-200"], "since inclusive, until exclusive");

    let paged = store.audit_log(&AuditQuery { page: 2, per_page: 2, ..Default::default() }).await.expect("page 2");
    assert_eq!((paged.total, paged.pages()), (5, 3));
    let resources: Vec<_> = paged.items.iter().map(|e| e.resource.as_str()).collect();
    assert_eq!(resources, ["user:7", "location:1-200"]);
    for (page, per_page) in [(0, 10), (1, 0), (1, AuditQuery::MAX_PER_PAGE + 1)] {
        let bad = store.audit_log(&AuditQuery { page, per_page, ..Default::default() }).await;
        assert!(matches!(bad, Err(StoreError::Invalid(_))), "page {page}, per_page {per_page}");
    }
}

pub async fn outbox_keeps_queued_email(store: &dyn Store) {
    assert!(store.outbox(10).await.expect("outbox").is_empty());
    let mail = |to: &str, subject: &str, hours| {
        OutgoingEmail::plain(email(to), subject.into(), format!("Hello,\n\n{subject}.\n"), at(hours))
    };
    let first = store.queue_email(&mail("jo@example.org", "You are invited", 1)).await.expect("queue");
    let second = store.queue_email(&mail("al@example.org", "Reset your password", 2)).await.expect("queue");
    assert_ne!(first, second);
    let outbox = store.outbox(10).await.expect("outbox");
    assert_eq!(outbox.len(), 2);
    let newest = &outbox[0];
    assert_eq!(
        (newest.id, newest.to.as_str(), newest.subject.as_str()),
        (second, "al@example.org", "Reset your password")
    );
    assert_eq!((newest.body.as_str(), newest.created_at), ("Hello,\n\nReset your password.\n", at(2)));
    assert_eq!((newest.sent_at, newest.attempts, newest.last_error.as_deref()), (None, 0, None));
    assert_eq!(store.outbox(1).await.expect("outbox").len(), 1, "limit");
}

// ---------------------------------------------------------------- assessments

/// The register with location 100 rated Good by the regulator in 2024, and an inspector.
async fn assessment_setup(store: &dyn Store) -> (User, User) {
    store.apply_import(&small_register()).await.expect("import");
    let inspector = add_user(store, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let admin = add_user(store, "admin@example.org", vec![grant(Role::ProviderAdmin, Scope::Provider(pid(1)))]).await;
    (inspector, admin)
}

fn new_assessment(by: &User, hours: i64) -> NewAssessment {
    NewAssessment {
        location_id: lid(100),
        service_group: "Care home service with nursing".into(),
        service_kind: ServiceKind::CareHomeNursing,
        policy: "{}".into(),
        created_by: by.id,
        created_at: at(hours),
    }
}

fn scored(statement: &str, score: u8) -> AssessmentChange {
    AssessmentChange::Statement(StatementEntry {
        statement: statement.into(),
        score: Some(score),
        ..Default::default()
    })
}

fn challenge_by(user: &User, finding: &str, hours: i64) -> NewChallenge {
    NewChallenge {
        finding: finding.into(),
        text: "The audit was done in May.".into(),
        raised_by: user.id,
        raised_at: at(hours),
    }
}

fn decision(by: &User, status: ChallengeStatus, reason: &str, hours: i64) -> ChallengeDecision {
    ChallengeDecision { status, reason: reason.into(), decided_by: by.id, decided_at: at(hours) }
}

fn publication(by: &User, overall: Rating, hours: i64) -> Publication {
    let published_on = at(hours).date_naive();
    Publication {
        published_on,
        published_at: at(hours),
        published_by: by.id,
        ratings: vec![RatingRecord {
            location_id: lid(100),
            service_group: "Care home service with nursing".into(),
            published: published_on,
            source: RatingSource::Candour,
            overall: Some(overall),
            key_questions: KeyQuestionRatings { safe: Some(Rating::Good), ..Default::default() },
            report_type: Some("Candour assessment".into()),
            inherited: false,
        }],
        result: r#"{"service_groups": []}"#.into(),
    }
}

pub async fn assessments_go_from_draft_to_published(store: &dyn Store) {
    let (inspector, admin) = assessment_setup(store).await;
    let created = store.create_assessment(&new_assessment(&inspector, 1)).await.expect("create");
    assert_eq!(
        (created.status, created.created_by, created.created_at),
        (AssessmentStatus::Draft, inspector.id, at(1))
    );
    assert_eq!(created.facts, AssessmentFacts::default());
    let id = created.id;

    let mut categories = std::collections::BTreeMap::new();
    categories.insert("people_experience".to_string(), 3);
    categories.insert("processes".to_string(), 2);
    let mut notes = std::collections::BTreeMap::new();
    notes.insert("processes".to_string(), "Two audits were late.".to_string());
    let by_category = StatementEntry { statement: "E1".into(), score: None, categories, notes, carried_from: None };
    let carried = StatementEntry {
        statement: "S2".into(),
        score: Some(2),
        carried_from: Some(date(2024, 1, 31)),
        ..Default::default()
    };
    for change in [
        scored("W1", 3),
        scored("S10", 1),
        scored("S1", 4),
        AssessmentChange::Statement(by_category.clone()),
        AssessmentChange::Statement(carried.clone()),
        scored("S1", 3),
        AssessmentChange::RemoveStatement("S10".into()),
        AssessmentChange::Facts(AssessmentFacts { breach: true, ..AssessmentFacts::default() }),
        AssessmentChange::Standing(
            KeyQuestion::Caring,
            Some(StandingEntry {
                key_question: KeyQuestion::Caring,
                rating: Rating::Good,
                rated_on: Some(date(2023, 6, 1)),
            }),
        ),
        AssessmentChange::Judgement(
            Some(KeyQuestion::Safe),
            Some(JudgementEntry {
                key_question: Some(KeyQuestion::Safe),
                rating: Rating::RequiresImprovement,
                reason: "  Staffing fell short at night. ".into(),
                computed: Some(Rating::Good),
            }),
        ),
        AssessmentChange::Judgement(
            None,
            Some(JudgementEntry {
                key_question: None,
                rating: Rating::Good,
                reason: "Seen in the round".into(),
                computed: Some(Rating::RequiresImprovement),
            }),
        ),
        AssessmentChange::Judgement(None, None),
    ] {
        store.update_assessment(id, &change, inspector.id, at(2)).await.expect("edit a draft");
    }
    let draft = store.assessment(id).await.expect("read");
    let ids: Vec<_> = draft.statements.iter().map(|s| s.statement.as_str()).collect();
    assert_eq!(ids, ["S1", "S2", "E1", "W1"], "framework order, S1 replaced, S10 removed");
    assert_eq!(draft.statements[0].score, Some(3));
    assert_eq!(draft.statements[1], carried);
    assert_eq!(draft.statements[2], by_category);
    assert!(draft.facts.breach);
    assert_eq!(draft.standing.len(), 1);
    assert_eq!(draft.standing[0].rated_on, Some(date(2023, 6, 1)));
    assert_eq!(draft.judgements.len(), 1, "the overall judgement was cleared");
    let j = &draft.judgements[0];
    assert_eq!(
        (j.key_question, j.rating, j.reason.as_str(), j.computed),
        (Some(KeyQuestion::Safe), Rating::RequiresImprovement, "Staffing fell short at night.", Some(Rating::Good))
    );

    let ends = at(2).date_naive() + chrono::Days::new(14);
    store.send_assessment(id, ends, at(3), &[]).await.expect("send");
    let raised = store.raise_challenge(id, &challenge_by(&admin, "S1", 4)).await.expect("challenge");
    assert_eq!((raised.status, raised.raised_by, raised.finding.as_str()), (ChallengeStatus::Open, admin.id, "S1"));
    assert!(
        matches!(
            store.update_assessment(id, &scored("S1", 2), inspector.id, at(5)).await,
            Err(StoreError::Conflict(_))
        ),
        "locked while the challenge is open"
    );
    store
        .decide_challenge(id, raised.id, &decision(&inspector, ChallengeStatus::Accepted, "Score corrected", 5), &[])
        .await
        .expect("decide");
    store.update_assessment(id, &scored("S1", 2), inspector.id, at(5)).await.expect("the accepted finding reopens");
    assert!(
        matches!(
            store.publish_assessment(id, &publication(&inspector, Rating::Good, 6)).await,
            Err(StoreError::Conflict(_))
        ),
        "the window is still open"
    );
    store.finish_challenges(id, admin.id, at(6)).await.expect("no more challenges");
    store.publish_assessment(id, &publication(&inspector, Rating::Good, 6)).await.expect("publish");

    let published = store.assessment(id).await.expect("read");
    assert_eq!(
        (published.status, published.sent_at, published.window_ends),
        (AssessmentStatus::Published, Some(at(3)), Some(ends))
    );
    assert_eq!((published.published_at, published.published_by), (Some(at(6)), Some(inspector.id)));
    assert_eq!(published.result.as_deref(), Some(r#"{"service_groups": []}"#));
    let c = &published.challenges[0];
    assert_eq!(
        (c.status, c.decision_reason.as_deref(), c.decided_by),
        (ChallengeStatus::Accepted, Some("Score corrected"), Some(inspector.id))
    );
    assert_eq!((published.challenges_finished_by, published.challenges_finished_at), (Some(admin.id), Some(at(6))));
    assert_eq!(
        published.corrections,
        [Correction {
            challenge_id: raised.id,
            finding: "S1".into(),
            before: "score 3".into(),
            after: "score 2".into(),
            corrected_by: inspector.id,
            corrected_at: at(5),
        }]
    );

    let detail = store.location(&lid(100)).await.expect("location");
    let candour: Vec<_> = detail.rating_history.iter().filter(|r| r.source == RatingSource::Candour).collect();
    assert_eq!(candour.len(), 1, "publishing adds to the history");
    assert!(detail.rating_history.iter().any(|r| r.source == RatingSource::Cqc), "imported history is kept");
    assert!(
        detail.current_ratings.iter().any(|r| r.source == RatingSource::Candour && r.overall == Some(Rating::Good))
    );
    assert_eq!(store.assessments_of(&lid(100)).await.expect("list").len(), 1);
    assert!(store.assessments_of(&lid(102)).await.expect("list").is_empty());
}

pub async fn assessment_transitions_are_refused_out_of_order(store: &dyn Store) {
    let (inspector, admin) = assessment_setup(store).await;
    let mut unknown = new_assessment(&inspector, 1);
    unknown.location_id = lid(999);
    assert!(matches!(store.create_assessment(&unknown).await, Err(StoreError::NotFound)));
    assert!(matches!(store.assessment(12345).await, Err(StoreError::NotFound)));
    let id = store.create_assessment(&new_assessment(&inspector, 1)).await.expect("create").id;
    let conflict = |r: StoreResult<()>| matches!(r, Err(StoreError::Conflict(_)));
    let invalid = |r: StoreResult<()>| matches!(r, Err(StoreError::Invalid(_)));

    let edit = |change: AssessmentChange, hours: i64| async move {
        store.update_assessment(id, &change, inspector.id, at(hours)).await
    };
    assert!(invalid(edit(scored("S1", 5), 2).await), "score out of range");
    let both = StatementEntry {
        statement: "S1".into(),
        score: Some(3),
        categories: [("processes".to_string(), 3)].into(),
        ..Default::default()
    };
    assert!(invalid(edit(AssessmentChange::Statement(both), 2).await), "score and categories");
    let no_reason = JudgementEntry {
        key_question: Some(KeyQuestion::Safe),
        rating: Rating::Good,
        reason: " ".into(),
        computed: None,
    };
    assert!(invalid(edit(AssessmentChange::Judgement(Some(KeyQuestion::Safe), Some(no_reason)), 2).await));
    assert!(
        conflict(store.publish_assessment(id, &publication(&inspector, Rating::Good, 2)).await),
        "a draft is not published"
    );
    assert!(
        matches!(store.raise_challenge(id, &challenge_by(&admin, "S1", 2)).await, Err(StoreError::Conflict(_))),
        "no challenges to a draft"
    );

    edit(scored("S1", 3), 2).await.expect("edit");
    store.send_assessment(id, at(2).date_naive(), at(2), &[]).await.expect("send");
    assert!(conflict(store.send_assessment(id, at(2).date_naive(), at(2), &[]).await), "sent twice");
    let c = store.raise_challenge(id, &challenge_by(&admin, "safe", 3)).await.expect("challenge");
    assert!(
        conflict(store.publish_assessment(id, &publication(&inspector, Rating::Good, 3)).await),
        "a challenge is open"
    );
    assert!(
        invalid(store.decide_challenge(id, c.id, &decision(&inspector, ChallengeStatus::Rejected, "", 4), &[]).await),
        "no reason"
    );
    assert!(matches!(
        store.decide_challenge(id, 999, &decision(&inspector, ChallengeStatus::Rejected, "x", 4), &[]).await,
        Err(StoreError::NotFound)
    ));
    store
        .decide_challenge(id, c.id, &decision(&inspector, ChallengeStatus::Rejected, "The evidence stands", 4), &[])
        .await
        .expect("decide");
    assert!(conflict(edit(scored("S1", 4), 4).await), "a rejected challenge leaves the finding locked");
    assert!(
        conflict(store.publish_assessment(id, &publication(&inspector, Rating::Good, 4)).await),
        "the window's last day has not ended"
    );
    assert!(
        conflict(store.decide_challenge(id, c.id, &decision(&inspector, ChallengeStatus::Accepted, "x", 4), &[]).await),
        "decided twice"
    );

    let mut foreign = publication(&inspector, Rating::Good, 26);
    foreign.ratings[0].location_id = lid(102);
    assert!(invalid(store.publish_assessment(id, &foreign).await), "another location's rating");
    store.publish_assessment(id, &publication(&inspector, Rating::Good, 26)).await.expect("publish the next day");
    assert!(
        conflict(store.publish_assessment(id, &publication(&inspector, Rating::Good, 26)).await),
        "published twice"
    );
    assert!(conflict(edit(scored("S1", 4), 26).await), "a published assessment is immutable");
    let before = store.assessment(id).await.expect("read");
    assert_eq!(before.statements[0].score, Some(3));

    // A second assessment the same day cannot replace the published record.
    let second = store.create_assessment(&new_assessment(&inspector, 26)).await.expect("create").id;
    store.send_assessment(second, at(26).date_naive(), at(26), &[]).await.expect("send");
    store.finish_challenges(second, admin.id, at(26)).await.expect("no more challenges");
    assert!(conflict(store.publish_assessment(second, &publication(&inspector, Rating::Inadequate, 27)).await));
    let history = store.location(&lid(100)).await.expect("location").rating_history;
    assert!(history.iter().any(|r| r.source == RatingSource::Candour && r.overall == Some(Rating::Good)));
}

pub async fn assessment_challenges_keep_to_their_window(store: &dyn Store) {
    let (inspector, admin) = assessment_setup(store).await;
    let id = store.create_assessment(&new_assessment(&inspector, 1)).await.expect("create").id;
    assert!(
        matches!(store.send_assessment(id, date(2020, 1, 1), at(1), &[]).await, Err(StoreError::Invalid(_))),
        "window in the past"
    );
    let ends = at(1).date_naive() + chrono::Days::new(14);
    store.send_assessment(id, ends, at(1), &[]).await.expect("send");
    let last_day = 14 * 24;
    store.raise_challenge(id, &challenge_by(&admin, "S1", last_day)).await.expect("the last day is in the window");
    let late = store.raise_challenge(id, &challenge_by(&admin, "S1", last_day + 24)).await;
    assert!(matches!(late, Err(StoreError::Conflict(_))), "after the window");
    let edit = store.update_assessment(id, &scored("S1", 4), inspector.id, at(last_day + 24)).await;
    assert!(matches!(edit, Err(StoreError::Conflict(_))), "sent and closed");
    assert!(
        matches!(store.finish_challenges(id, admin.id, at(last_day + 24)).await, Err(StoreError::Conflict(_))),
        "nothing to finish after the window"
    );
    let blank = NewChallenge { text: "  ".into(), ..challenge_by(&admin, "S1", 2) };
    assert!(matches!(store.raise_challenge(id, &blank).await, Err(StoreError::Invalid(_))));
    assert_eq!(store.assessment(id).await.expect("read").open_challenges(), 1);
}

pub async fn sent_assessments_are_locked_but_for_accepted_challenges(store: &dyn Store) {
    let (inspector, admin) = assessment_setup(store).await;
    let id = store.create_assessment(&new_assessment(&inspector, 1)).await.expect("create").id;
    let edit = |change: AssessmentChange, hours: i64| async move {
        store.update_assessment(id, &change, inspector.id, at(hours)).await
    };
    let locked = |r: StoreResult<()>| matches!(r, Err(StoreError::Conflict(m)) if m.contains("locked"));
    let well_led_ri = JudgementEntry {
        key_question: Some(KeyQuestion::WellLed),
        rating: Rating::RequiresImprovement,
        reason: "No registered manager for a year".into(),
        computed: Some(Rating::Good),
    };
    for change in [scored("S3", 2), scored("W1", 3), scored("W2", 3)] {
        edit(change, 1).await.expect("draft");
    }
    edit(AssessmentChange::Judgement(Some(KeyQuestion::WellLed), Some(well_led_ri.clone())), 1).await.expect("draft");
    store.send_assessment(id, at(1).date_naive() + chrono::Days::new(14), at(1), &[]).await.expect("send");

    // Once sent, nothing changes: not a score, a judgement, a standing rating or the facts.
    assert!(locked(edit(scored("W1", 4), 2).await), "a score");
    assert!(locked(edit(AssessmentChange::Judgement(Some(KeyQuestion::WellLed), None), 2).await), "a judgement");
    assert!(locked(edit(AssessmentChange::RemoveStatement("S3".into()), 2).await));
    assert!(locked(edit(AssessmentChange::Facts(AssessmentFacts { breach: true, ..Default::default() }), 2).await));

    let s3 = store.raise_challenge(id, &challenge_by(&admin, "S3", 2)).await.expect("challenge S3");
    let well_led = store.raise_challenge(id, &challenge_by(&admin, "well_led", 2)).await.expect("challenge Well-led");
    store
        .decide_challenge(id, s3.id, &decision(&inspector, ChallengeStatus::Accepted, "Audits were in May", 3), &[])
        .await
        .expect("accept");
    store
        .decide_challenge(id, well_led.id, &decision(&inspector, ChallengeStatus::Rejected, "The gap stands", 3), &[])
        .await
        .expect("reject");
    edit(scored("S3", 3), 4).await.expect("the accepted finding reopens");
    edit(scored("S3", 3), 5).await.expect("saving the same score again");
    assert!(locked(edit(scored("S2", 3), 4).await), "only that finding");
    assert!(locked(edit(scored("W1", 4), 4).await), "a rejected challenge reopens nothing");
    assert!(locked(edit(AssessmentChange::Judgement(Some(KeyQuestion::WellLed), None), 4).await));

    let record = store.assessment(id).await.expect("read");
    assert_eq!(record.statements.iter().find(|s| s.statement == "S3").and_then(|s| s.score), Some(3));
    assert_eq!(record.judgements, [well_led_ri], "the judgement is as sent");
    assert_eq!(record.corrections.len(), 1, "a change that changes nothing is not recorded");
    let c = &record.corrections[0];
    assert_eq!(
        (c.challenge_id, c.finding.as_str(), c.before.as_str(), c.after.as_str(), c.corrected_by, c.corrected_at),
        (s3.id, "S3", "score 2", "score 3", inspector.id, at(4))
    );
}

pub async fn assessments_await_the_providers_review(store: &dyn Store) {
    let (inspector, admin) = assessment_setup(store).await;
    let draft = store.create_assessment(&new_assessment(&inspector, 1)).await.expect("create").id;
    let sent = store.create_assessment(&new_assessment(&inspector, 1)).await.expect("create").id;
    let ends = at(1).date_naive() + chrono::Days::new(14);
    store.send_assessment(sent, ends, at(1), &[]).await.expect("send");
    let waiting = store.assessments_awaiting_review(&pid(1)).await.expect("list");
    assert_eq!(waiting.iter().map(|a| a.id).collect::<Vec<_>>(), [sent], "not the draft {draft}");
    assert_eq!(waiting[0].window_ends, Some(ends));
    assert!(store.assessments_awaiting_review(&pid(2)).await.expect("list").is_empty(), "another provider's");

    store.finish_challenges(sent, admin.id, at(2)).await.expect("no more challenges");
    let conflict = |r: StoreResult<()>| matches!(r, Err(StoreError::Conflict(_)));
    assert!(conflict(store.finish_challenges(sent, admin.id, at(3)).await), "said once");
    assert!(conflict(store.finish_challenges(draft, admin.id, at(3)).await), "a draft has nothing to finish");
    let late = store.raise_challenge(sent, &challenge_by(&admin, "S1", 3)).await;
    assert!(matches!(late, Err(StoreError::Conflict(m)) if m.contains("no more challenges")));
    let record = store.assessment(sent).await.expect("read");
    assert_eq!((record.challenges_finished_by, record.challenges_finished_at), (Some(admin.id), Some(at(2))));
    assert!(!record.window_open(at(3).date_naive()));
    store
        .publish_assessment(sent, &publication(&inspector, Rating::Good, 3))
        .await
        .expect("publish before the window ends");
    assert!(store.assessments_awaiting_review(&pid(1)).await.expect("list").is_empty(), "published");
}

// ---------------------------------------------------------------- people's voice

/// A person's answers: every outcome question "good enough" but feeling safe, which doesn't apply.
fn person_raw(story: &str, outcomes: &[&str]) -> RawFeedback {
    let mut answers: std::collections::BTreeMap<String, String> = candour_domain::voice::OUTCOME_QUESTIONS
        .iter()
        .map(|q| (q.code.to_string(), "good_enough".to_string()))
        .collect();
    answers.insert("safe".into(), "not_applicable".into());
    answers.insert("dignity".into(), "just_as_i_want".into());
    RawFeedback {
        respondent: "person".into(),
        overall: "good".into(),
        answers,
        personal_outcomes: outcomes.iter().map(|o| o.to_string()).collect(),
        story: story.into(),
        ..RawFeedback::default()
    }
}

fn staff_raw() -> RawFeedback {
    let answers = candour_domain::voice::STAFF_QUESTIONS
        .iter()
        .map(|q| (q.code.to_string(), "some_not_enough".to_string()))
        .collect();
    RawFeedback { respondent: "staff".into(), overall: "poor".into(), answers, ..RawFeedback::default() }
}

/// Like the SHA-256 hex the voice service makes: 64 lower-case hex digits.
fn key_hash(key: &str) -> String {
    let hex: String = key.bytes().map(|b| format!("{b:02x}")).collect();
    format!("{hex:0>64}")
}

fn submission(location: u32, key: &str, hours: i64, raw: &RawFeedback) -> NewFeedback {
    let feedback = Feedback::parse(raw, Channel::Online).expect("valid test feedback");
    NewFeedback {
        location_id: lid(location),
        status: FeedbackStatus::on_arrival(&feedback),
        feedback,
        key_hash: key_hash(key),
        reference: format!("REF-{key}"),
        received_at: at(hours),
        entered_by: None,
        prescreen: Prescreen::default(),
        alert: None,
    }
}

async fn submit(store: &dyn Store, new: &NewFeedback) -> Receipt {
    store.submit_feedback(new).await.expect("submit feedback")
}

/// The register, a moderator and a member of the provider's staff who replies.
async fn voice_setup(store: &dyn Store) -> (User, User) {
    store.apply_import(&small_register()).await.expect("import");
    let moderator = add_user(store, "moderator@example.org", vec![grant(Role::Moderator, Scope::All)]).await;
    let responder =
        add_user(store, "manager@example.org", vec![grant(Role::ProviderAdmin, Scope::Provider(pid(1)))]).await;
    (moderator, responder)
}

fn publish(by: &User, text: &str, level: u8, hours: i64) -> Moderation {
    Moderation {
        decision: ModerationDecision::Publish { text: text.into() },
        criticality: Criticality::new(level).expect("valid level"),
        by: by.id,
        at: at(hours),
        alert: None,
        emails: Vec::new(),
    }
}

fn reject(by: &User, reason: &str, hours: i64) -> Moderation {
    Moderation { decision: ModerationDecision::Reject { reason: reason.into() }, ..publish(by, "", 1, hours) }
}

fn alert_of(level: u8, reason: &str, to: &[&str], hours: i64) -> NewAlert {
    NewAlert {
        level: Criticality::new(level).expect("valid level"),
        reason: reason.into(),
        emails: to
            .iter()
            .map(|address| {
                OutgoingEmail::plain(
                    email(address),
                    "Safeguarding alert".into(),
                    format!("An alert for {address}"),
                    at(hours),
                )
            })
            .collect(),
    }
}

fn reply_by(by: &User, feedback_id: i64, text: &str, change: ChangeClaim, status: ReplyStatus, hours: i64) -> NewReply {
    let change_what = if change == ChangeClaim::None { String::new() } else { "New rota".to_string() };
    NewReply { feedback_id, author: by.id, text: text.into(), change, change_what, at: at(hours), status }
}

fn moderation_page(status: FeedbackStatus) -> ModerationQuery {
    ModerationQuery { status, page: 1, per_page: 50 }
}

async fn queue_references(store: &dyn Store, status: FeedbackStatus) -> Vec<String> {
    let page = store.moderation_queue(&moderation_page(status)).await.expect("queue");
    page.items.into_iter().map(|r| r.reference).collect()
}

pub async fn voice_submission_round_trips_every_field(store: &dyn Store) {
    let (_moderator, staff) = voice_setup(store).await;
    let mut raw = person_raw("The night staff were kind. Jo helped me.", &["Walk to the shop", "Go to church"]);
    raw.helper = "advocate".into();
    raw.anonymous = "no".into();
    raw.contact_name = "Sam Smith".into();
    raw.contact_email = "sam@example.org".into();
    raw.contact_phone = "0113 496 0000".into();
    let mut new = submission(100, "a", 1, &raw);
    new.entered_by = Some(staff.id);
    new.prescreen = Prescreen { suggested: Some(Criticality::new(3).expect("level")), words: vec!["hurt".into()] };
    let receipt = submit(store, &new).await;
    assert_eq!((receipt.reference.as_str(), receipt.duplicate, receipt.alert_id), ("REF-a", false, None));

    let record = store.feedback_record(receipt.feedback_id).await.expect("record");
    assert_eq!((record.id, record.reference.as_str()), (receipt.feedback_id, "REF-a"));
    assert_eq!((record.location_id.clone(), record.location_name.as_str()), (lid(100), "Willowbrook House"));
    assert_eq!((record.provider_id.clone(), record.received_at), (pid(1), at(1)));
    assert_eq!(
        (record.respondent, record.channel, record.helper),
        (Respondent::Person, Channel::Assisted, Some(Helper::Advocate))
    );
    assert_eq!((record.entered_by, record.overall), (Some(staff.id), Overall::Good));
    let answers: Vec<(&str, Option<u8>)> = record.answers.iter().map(|(c, s)| (c.as_str(), *s)).collect();
    assert_eq!(
        answers,
        [
            ("choice", Some(2)),
            ("safe", None),
            ("dignity", Some(3)),
            ("listened", Some(2)),
            ("matters", Some(2)),
            ("in_touch", Some(2)),
            ("reliable", Some(2)),
            ("information", Some(2))
        ],
        "in question order, \"doesn't apply\" kept as none"
    );
    assert_eq!(record.story, "The night staff were kind. Jo helped me.");
    let outcomes: Vec<&str> = record.personal_outcomes.iter().map(|o| o.text.as_str()).collect();
    assert_eq!(outcomes, ["Walk to the shop", "Go to church"]);
    assert!(record.personal_outcomes.iter().all(|o| o.progress.is_empty()));
    assert!(!record.anonymous);
    assert_eq!(
        record.contact,
        Contact { name: "Sam Smith".into(), email: "sam@example.org".into(), phone: "0113 496 0000".into() }
    );
    assert_eq!(record.prescreen, new.prescreen);
    assert_eq!(
        (record.status, record.published_text.as_deref(), record.criticality),
        (FeedbackStatus::Pending, None, None)
    );
    assert_eq!(
        (record.moderated_by, record.moderated_at, record.reject_reason.as_deref(), record.alert_id),
        (None, None, None, None)
    );

    let own = store.own_feedback(&key_hash("a")).await.expect("own view");
    assert_eq!((own.feedback_id, own.reference.as_str(), own.location_id.clone()), (record.id, "REF-a", lid(100)));
    assert_eq!(
        (own.location_name.as_str(), own.received_at, own.status),
        ("Willowbrook House", at(1), FeedbackStatus::Pending)
    );
    assert_eq!((own.story.as_str(), own.published_text.as_deref()), (record.story.as_str(), None));
    assert_eq!(own.personal_outcomes, record.personal_outcomes);
    assert!(own.replies.is_empty());

    // Staff voice keeps its own questions.
    let mut staff = submission(102, "s", 2, &staff_raw());
    staff.key_hash = "a-hash-in-another-form".into();
    let staff_receipt = submit(store, &staff).await;
    assert_eq!(store.own_feedback("a-hash-in-another-form").await.expect("own view").reference, "REF-s");
    assert!(matches!(store.own_feedback("A-HASH-IN-ANOTHER-FORM").await, Err(StoreError::NotFound)));
    let staff_record = store.feedback_record(staff_receipt.feedback_id).await.expect("record");
    let codes: Vec<&str> = staff_record.answers.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(codes, ["speak_up", "enough_staff", "supervision", "managers_know"]);
    assert!(staff_record.answers.iter().all(|(_, s)| *s == Some(1)));
    assert_eq!(
        (staff_record.respondent, staff_record.overall, staff_record.anonymous),
        (Respondent::Staff, Overall::Poor, true)
    );
    assert!(staff_record.contact.email.is_empty());

    assert!(matches!(store.feedback_record(receipt.feedback_id + 100).await, Err(StoreError::NotFound)));
    assert!(matches!(store.own_feedback(&key_hash("unknown")).await, Err(StoreError::NotFound)));
    assert_eq!(store.feedback_by_reference("REF-a").await.expect("found by reference"), record);
    assert!(matches!(store.feedback_by_reference("REF-unknown").await, Err(StoreError::NotFound)));
}

pub async fn voice_a_repeated_key_is_one_response(store: &dyn Store) {
    voice_setup(store).await;
    let raw = person_raw("Lovely garden.", &[]);
    let first = submit(store, &submission(100, "a", 1, &raw)).await;
    let mut again = submission(100, "a", 2, &person_raw("Different words", &[]));
    again.reference = "REF-other".into();
    let second = submit(store, &again).await;
    assert_eq!(second, Receipt { duplicate: true, ..first.clone() }, "the first reference, marked as a repeat");
    assert_eq!(queue_references(store, FeedbackStatus::Pending).await, ["REF-a"]);
    assert_eq!(store.feedback_record(first.feedback_id).await.expect("record").story, "Lovely garden.");

    // A reference already given to another response is refused, not overwritten.
    let mut clash = submission(100, "b", 3, &raw);
    clash.reference = "REF-a".into();
    assert!(matches!(store.submit_feedback(&clash).await, Err(StoreError::Conflict(_))));
}

pub async fn voice_an_unknown_location_is_not_found(store: &dyn Store) {
    voice_setup(store).await;
    let raw = person_raw("", &[]);
    assert!(matches!(store.submit_feedback(&submission(999, "x", 1, &raw)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.own_feedback(&key_hash("x")).await, Err(StoreError::NotFound)), "nothing kept");
    // The same key can then be used where it belongs.
    assert!(!submit(store, &submission(100, "x", 1, &raw)).await.duplicate);
}

pub async fn voice_feedback_without_text_is_published_at_once(store: &dyn Store) {
    voice_setup(store).await;
    let quiet = submit(store, &submission(100, "q", 1, &person_raw("", &[]))).await;
    let outcomes_only = submit(store, &submission(100, "o", 2, &person_raw("", &["See my son"]))).await;
    let record = store.feedback_record(quiet.feedback_id).await.expect("record");
    assert_eq!((record.status, record.moderated_by), (FeedbackStatus::Published, None));
    let outcomes = store.feedback_record(outcomes_only.feedback_id).await.expect("record");
    assert_eq!(outcomes.status, FeedbackStatus::Pending, "personal outcomes are read first");
    assert_eq!(queue_references(store, FeedbackStatus::Pending).await, ["REF-o"]);
    assert_eq!(queue_references(store, FeedbackStatus::Published).await, ["REF-q"]);
    let stories = store.published_stories(&lid(100), 1, 10).await.expect("stories");
    assert_eq!(stories.total, 0, "nothing written, nothing to show as a story");
}

pub async fn voice_moderation_publishes_or_rejects_once(store: &dyn Store) {
    let (moderator, _) = voice_setup(store).await;
    let level = |n| Prescreen { suggested: Some(Criticality::new(n).expect("level")), words: vec![] };
    let mut keys = Vec::new();
    for (key, hours, prescreen) in
        [("calm", 1, Prescreen::default()), ("mild", 2, level(2)), ("late", 4, level(4)), ("early", 3, level(4))]
    {
        let mut new = submission(100, key, hours, &person_raw(&format!("Story {key} by Jo Bloggs"), &[]));
        new.prescreen = prescreen;
        keys.push(submit(store, &new).await.feedback_id);
    }
    assert_eq!(
        queue_references(store, FeedbackStatus::Pending).await,
        ["REF-early", "REF-late", "REF-mild", "REF-calm"],
        "strongest pre-screen first, then oldest"
    );
    let paged = store
        .moderation_queue(&ModerationQuery { status: FeedbackStatus::Pending, page: 2, per_page: 3 })
        .await
        .expect("page 2");
    assert_eq!((paged.total, paged.items.len(), paged.items[0].reference.as_str()), (4, 1, "REF-calm"));

    let (calm, mild) = (keys[0], keys[1]);
    store.moderate(calm, &publish(&moderator, "Story calm by a resident", 2, 10)).await.expect("publish");
    let published = store.feedback_record(calm).await.expect("record");
    assert_eq!(published.status, FeedbackStatus::Published);
    assert_eq!(published.published_text.as_deref(), Some("Story calm by a resident"));
    assert_eq!(published.story, "Story calm by Jo Bloggs", "the original is kept privately");
    assert_eq!(
        (published.criticality, published.moderated_by, published.moderated_at),
        (Some(Criticality::new(2).expect("level")), Some(moderator.id), Some(at(10)))
    );

    store.moderate(mild, &reject(&moderator, "Advertising", 11)).await.expect("reject");
    let rejected = store.feedback_record(mild).await.expect("record");
    assert_eq!(
        (rejected.status, rejected.reject_reason.as_deref(), rejected.published_text.as_deref()),
        (FeedbackStatus::Rejected, Some("Advertising"), None)
    );

    for id in [calm, mild] {
        let again = store.moderate(id, &publish(&moderator, "again", 0, 12)).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "moderated twice");
    }
    assert!(matches!(store.moderate(calm + 1000, &reject(&moderator, "x", 12)).await, Err(StoreError::NotFound)));
    assert_eq!(
        store.feedback_record(calm).await.expect("record").published_text.as_deref(),
        Some("Story calm by a resident")
    );
    assert_eq!(queue_references(store, FeedbackStatus::Pending).await, ["REF-early", "REF-late"]);
    assert_eq!(queue_references(store, FeedbackStatus::Rejected).await, ["REF-mild"]);
    assert_eq!(store.published_stories(&lid(100), 1, 10).await.expect("stories").total, 0, "until a snapshot");
    assert!(store.published_stories_in(&[lid(100)], 10).await.expect("an area's").is_empty(), "until a snapshot");
    store.refresh_voice_snapshots(1, at(0), at(100)).await.expect("snapshots");
    let stories = store.published_stories(&lid(100), 1, 10).await.expect("stories");
    let texts: Vec<&str> = stories.items.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts, ["Story calm by a resident"]);
    assert_eq!((stories.items[0].published_at, stories.items[0].received_at), (at(10), at(1)));
    // An area's: the same stories, each with its location.
    let area = store.published_stories_in(&[lid(999), lid(100)], 10).await.expect("an area's");
    assert_eq!(area.len(), 1);
    assert_eq!((area[0].0.as_str(), area[0].1.text.as_str()), ("1-100", "Story calm by a resident"));
    assert!(store.published_stories_in(&[lid(100)], 0).await.expect("none asked").is_empty());
    assert!(store.published_stories_in(&[], 10).await.expect("no locations").is_empty());
}

pub async fn voice_alerts_are_kept_with_their_emails(store: &dyn Store) {
    let (moderator, responder) = voice_setup(store).await;
    let mut new = submission(100, "harm", 1, &person_raw("They hit me", &[]));
    new.alert =
        Some(alert_of(5, "Pre-screen: words suggesting harm (hit)", &["lead@example.org", "la@example.org"], 1));
    let receipt = submit(store, &new).await;
    let first = receipt.alert_id.expect("an alert is raised with the feedback");
    assert_eq!(store.feedback_record(receipt.feedback_id).await.expect("record").alert_id, Some(first));
    let repeat = submit(store, &new).await;
    assert_eq!((repeat.duplicate, repeat.alert_id), (true, Some(first)), "a repeat raises nothing new");

    let alert = store.alert(first).await.expect("alert");
    assert_eq!(
        (alert.feedback_id, alert.reference.as_str(), alert.location_id.clone()),
        (receipt.feedback_id, "REF-harm", lid(100))
    );
    assert_eq!(
        (alert.location_name.as_str(), alert.provider_id.clone(), alert.local_authority.as_deref()),
        ("Willowbrook House", pid(1), Some("Leeds"))
    );
    assert_eq!(
        (alert.level, alert.reason.as_str(), alert.raised_at, alert.story.as_str()),
        (Criticality::SEVERE, "Pre-screen: words suggesting harm (hit)", at(1), "They hit me")
    );
    assert_eq!((alert.acknowledged_by, alert.acknowledged_at, alert.acknowledgement.as_deref()), (None, None, None));
    let to: Vec<&str> = alert.deliveries.iter().map(|d| d.to.as_str()).collect();
    assert_eq!(to, ["lead@example.org", "la@example.org"]);
    assert!(alert.deliveries.iter().all(|d| d.alert_id == Some(first) && d.sent_at.is_none()));
    let due = store.claim_due_emails(at(1), at(2), 10).await.expect("due");
    assert_eq!(due.len(), 2, "the emails wait in the outbox");

    // A moderator's level raises the second, with the decision.
    let other = submit(store, &submission(104, "neglect", 2, &person_raw("Left alone all night", &[]))).await;
    let mut decision = publish(&moderator, "Left alone all night", 4, 3);
    decision.alert = Some(alert_of(4, "Moderator: level 4", &["amber@example.org"], 3));
    store.moderate(other.feedback_id, &decision).await.expect("moderate");
    let second = store.feedback_record(other.feedback_id).await.expect("record").alert_id.expect("alert");

    let ids = |alerts: Vec<Alert>| alerts.into_iter().map(|a| a.id).collect::<Vec<_>>();
    let listed =
        |scope: AlertScope, open_only| async move { ids(store.alerts(&scope, open_only, 10).await.expect("alerts")) };
    assert_eq!(listed(AlertScope::All, true).await, [first, second], "open, oldest first");
    assert_eq!(listed(AlertScope::Provider(pid(1)), false).await, [first]);
    assert_eq!(listed(AlertScope::Provider(pid(2)), false).await, [second]);
    assert_eq!(listed(AlertScope::Locations(vec![lid(104), lid(103)]), false).await, [second]);
    assert_eq!(listed(AlertScope::Locations(vec![]), false).await, Vec::<i64>::new());
    assert_eq!(listed(AlertScope::LocalAuthorities(vec!["LEEDS".into()]), false).await, [first], "ignoring case");
    assert_eq!(listed(AlertScope::LocalAuthorities(vec!["Manchester".into()]), false).await, [second]);
    assert_eq!(ids(store.alerts(&AlertScope::All, false, 1).await.expect("alerts")), [first], "limit");

    // Unacknowledged, it is escalated step by step, each step once, with its emails.
    let escalation = |to: &str| {
        OutgoingEmail::plain(email(to), "Escalated".into(), "An alert has not been acknowledged".into(), at(4))
    };
    let emails = [escalation("inspector@example.org"), escalation("admin@example.org")];
    let reason = "Not acknowledged within 4 working hours";
    assert!(store.escalate_alert(first, 1, reason, &emails, at(4)).await.expect("escalate"));
    assert!(!store.escalate_alert(first, 1, reason, &emails, at(4)).await.expect("again"), "a step is taken once");
    assert!(!store.escalate_alert(first, 3, reason, &emails, at(4)).await.expect("skip"), "steps go in order");
    let escalated = store.alert(first).await.expect("alert");
    assert_eq!(escalated.escalations.len(), 1);
    let step = &escalated.escalations[0];
    let sent_to: Vec<&str> = step.sent_to.iter().map(|e| e.as_str()).collect();
    assert_eq!((step.step, step.at, step.reason.as_str()), (1, at(4), reason));
    assert_eq!(sent_to, ["inspector@example.org", "admin@example.org"]);
    assert_eq!(escalated.deliveries.len(), 4, "the escalation's emails are the alert's too");
    assert!(matches!(store.escalate_alert(second + 100, 1, reason, &emails, at(4)).await, Err(StoreError::NotFound)));

    store
        .acknowledge_alert(first, responder.id, "Spoke to the family; raised with the LA", at(5))
        .await
        .expect("acknowledge");
    let done = store.alert(first).await.expect("alert");
    assert_eq!(
        (done.acknowledged_by, done.acknowledged_at, done.acknowledgement.as_deref()),
        (Some(responder.id), Some(at(5)), Some("Spoke to the family; raised with the LA"))
    );
    let again = store.acknowledge_alert(first, moderator.id, "again", at(6)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))));
    assert!(matches!(store.acknowledge_alert(second + 100, moderator.id, "x", at(6)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.alert(second + 100).await, Err(StoreError::NotFound)));
    assert_eq!(listed(AlertScope::All, true).await, [second]);
    assert_eq!(listed(AlertScope::All, false).await, [second, first], "open ones first");
    let after = store.escalate_alert(first, 2, reason, &emails, at(9)).await.expect("escalate");
    assert!(!after, "an acknowledged alert is not escalated");
    assert_eq!(store.alert(first).await.expect("alert").escalations.len(), 1);
}

pub async fn voice_safeguarding_contacts_are_set_replaced_and_removed(store: &dyn Store) {
    let (moderator, responder) = voice_setup(store).await;
    let provider = ContactScope::Provider(pid(1));
    let leeds = ContactScope::LocalAuthority("leeds".into());
    assert_eq!(store.safeguarding_contact(&provider).await.expect("contact"), None);
    assert!(store.safeguarding_contacts_for(&lid(100)).await.expect("contacts").is_empty());
    let (lead, team) = (email("lead@example.org"), email("safeguarding@leeds.example.org"));
    store.set_safeguarding_contact(&provider, Some(("Pat Lead", &lead)), Some(responder.id), at(1)).await.expect("set");
    store
        .set_safeguarding_contact(&leeds, Some(("Adult safeguarding", &team)), Some(moderator.id), at(2))
        .await
        .expect("set");
    let set = store.safeguarding_contact(&provider).await.expect("contact").expect("set");
    assert_eq!(
        set,
        SafeguardingContact {
            scope: provider.clone(),
            name: "Pat Lead".into(),
            email: lead.clone(),
            updated_by: Some(responder.id),
            updated_at: at(1)
        }
    );
    let names = |contacts: Vec<SafeguardingContact>| contacts.into_iter().map(|c| c.name).collect::<Vec<_>>();
    assert_eq!(
        names(store.safeguarding_contacts_for(&lid(100)).await.expect("contacts")),
        ["Pat Lead", "Adult safeguarding"],
        "the provider's lead, then the authority's team, matched ignoring case"
    );
    assert!(
        store.safeguarding_contacts_for(&lid(103)).await.expect("contacts").is_empty(),
        "another provider and authority"
    );

    let deputy = email("deputy@example.org");
    store.set_safeguarding_contact(&provider, Some(("Chris Deputy", &deputy)), None, at(3)).await.expect("replace");
    let replaced = store.safeguarding_contact(&provider).await.expect("contact").expect("set");
    assert_eq!(
        (replaced.name.as_str(), replaced.email.as_str(), replaced.updated_by, replaced.updated_at),
        ("Chris Deputy", "deputy@example.org", None, at(3))
    );
    store.set_safeguarding_contact(&provider, None, Some(responder.id), at(4)).await.expect("remove");
    assert_eq!(store.safeguarding_contact(&provider).await.expect("contact"), None);
    assert_eq!(names(store.safeguarding_contacts_for(&lid(100)).await.expect("contacts")), ["Adult safeguarding"]);
    assert!(matches!(store.safeguarding_contacts_for(&lid(999)).await, Err(StoreError::NotFound)));
}

pub async fn voice_replies_are_checked_and_shown_by_view(store: &dyn Store) {
    let (moderator, responder) = voice_setup(store).await;
    let story = submit(store, &submission(100, "r", 1, &person_raw("Food was cold", &[]))).await.feedback_id;
    let thanks = reply_by(&responder, story, "Thank you", ChangeClaim::None, ReplyStatus::Published, 3);
    assert!(matches!(store.add_reply(&thanks).await, Err(StoreError::Conflict(_))), "a pending story is not answered");
    assert!(matches!(
        store.add_reply(&NewReply { feedback_id: story + 100, ..thanks.clone() }).await,
        Err(StoreError::NotFound)
    ));
    store.moderate(story, &publish(&moderator, "Food was cold", 1, 2)).await.expect("publish");

    let first = store.add_reply(&thanks).await.expect("reply");
    assert_eq!(
        (first.feedback_id, first.author, first.provider_name.as_str()),
        (story, responder.id, "Brightwater Care Ltd")
    );
    assert_eq!(
        (first.text.as_str(), first.change, first.change_what.as_str(), first.created_at, first.status),
        ("Thank you", ChangeClaim::None, "", at(3), ReplyStatus::Published)
    );
    let claim = store
        .add_reply(&reply_by(&responder, story, "We changed the kitchen", ChangeClaim::Made, ReplyStatus::Pending, 4))
        .await
        .expect("reply");
    let spam = store
        .add_reply(&reply_by(&responder, story, "Buy now", ChangeClaim::None, ReplyStatus::Pending, 5))
        .await
        .expect("reply");
    assert_eq!(claim.change_what, "New rota");

    let public = |replies: &[Reply]| replies.iter().map(|r| r.id).collect::<Vec<_>>();
    store.refresh_voice_snapshots(1, at(0), at(100)).await.expect("snapshots");
    let shown = store.published_stories(&lid(100), 1, 10).await.expect("stories");
    assert_eq!(public(&shown.items[0].replies), [first.id], "only published replies in public");
    let provider_view = store.stories_to_answer(&lid(100), 1, 10).await.expect("stories");
    assert_eq!(public(&provider_view.items[0].replies), [first.id, claim.id, spam.id], "every reply, oldest first");
    let to_check = store.replies_to_check(10).await.expect("to check");
    let checking: Vec<_> = to_check
        .iter()
        .map(|c| {
            (
                c.reply.id,
                c.reference.as_str(),
                c.location_id.clone(),
                c.location_name.as_str(),
                c.published_text.as_str(),
            )
        })
        .collect();
    assert_eq!(
        checking,
        [
            (claim.id, "REF-r", lid(100), "Willowbrook House", "Food was cold"),
            (spam.id, "REF-r", lid(100), "Willowbrook House", "Food was cold")
        ]
    );
    assert_eq!(store.replies_to_check(1).await.expect("to check").len(), 1, "limit");

    store.check_reply(claim.id, None, moderator.id, at(6)).await.expect("publish reply");
    store.check_reply(spam.id, Some("Advertising"), moderator.id, at(7)).await.expect("reject reply");
    assert!(matches!(store.check_reply(claim.id, None, moderator.id, at(8)).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.check_reply(spam.id + 100, None, moderator.id, at(8)).await, Err(StoreError::NotFound)));
    assert!(store.replies_to_check(10).await.expect("to check").is_empty());
    assert_eq!(store.published_reply_count(responder.id).await.expect("count"), 2);
    assert_eq!(store.published_reply_count(moderator.id).await.expect("count"), 0);

    let all = store.replies_of(&lid(100)).await.expect("replies");
    assert_eq!(public(&all), [spam.id, claim.id, first.id], "newest first");
    let rejected = &all[0];
    assert_eq!(
        (rejected.status, rejected.reject_reason.as_deref(), rejected.checked_by, rejected.checked_at),
        (ReplyStatus::Rejected, Some("Advertising"), Some(moderator.id), Some(at(7)))
    );
    assert_eq!((all[1].status, all[1].checked_by), (ReplyStatus::Published, Some(moderator.id)));
    assert!(store.replies_of(&lid(102)).await.expect("replies").is_empty());
    let shown = store.published_stories(&lid(100), 1, 10).await.expect("stories");
    assert_eq!(public(&shown.items[0].replies), [first.id, claim.id]);
    let own = store.own_feedback(&key_hash("r")).await.expect("own view");
    assert_eq!(public(&own.replies), [first.id, claim.id], "the person sees published replies only");
    assert!(matches!(store.published_stories(&lid(100), 0, 10).await, Err(StoreError::Invalid(_))));

    // For notices: published ones, by when they were published (written, or passed their check).
    let published = store.published_replies(at(0)).await.expect("published");
    let listed: Vec<_> = published.iter().map(|p| (p.reply.id, p.reference.as_str(), p.location_id.clone())).collect();
    assert_eq!(listed, [(first.id, "REF-r", lid(100)), (claim.id, "REF-r", lid(100))]);
    assert_eq!(published[0].location_name, "Willowbrook House");
    assert!(published[0].made_later && !published[1].made_later, "the later reply says a change was made");
    let since_check: Vec<i64> =
        store.published_replies(at(5)).await.expect("since").iter().map(|p| p.reply.id).collect();
    assert_eq!(since_check, [claim.id], "published at its check");
}

/// A person adds outcomes later, up to three tracked at once, and stops tracking one:
/// its ratings stay, it cannot be rated again, and another can take its place.
pub async fn voice_outcomes_are_added_and_retired_through_their_own_key(store: &dyn Store) {
    voice_setup(store).await;
    submit(store, &submission(100, "mine", 1, &person_raw("", &["Walk to the shop", "Bake"]))).await;
    submit(store, &submission(100, "theirs", 1, &person_raw("", &["Garden"]))).await;
    let mine = key_hash("mine");
    let garden = store.add_outcome(&mine, "Go to the garden centre").await.expect("a third");
    assert!(matches!(store.add_outcome(&mine, "A fourth").await, Err(StoreError::Conflict(_))), "three at once");
    assert!(matches!(store.add_outcome(&key_hash("nobody"), "Swim").await, Err(StoreError::NotFound)));
    let walk = store.own_feedback(&mine).await.expect("own").personal_outcomes[0].id;
    store.rate_progress(&mine, walk, Progress::Better, at(5)).await.expect("rate");
    let theirs = store.own_feedback(&key_hash("theirs")).await.expect("own").personal_outcomes[0].id;
    assert!(matches!(store.retire_outcome(&mine, theirs, at(6)).await, Err(StoreError::NotFound)), "not mine");
    store.retire_outcome(&mine, walk, at(6)).await.expect("retire");
    assert!(matches!(store.retire_outcome(&mine, walk, at(7)).await, Err(StoreError::Conflict(_))), "retired already");
    let refused = store.rate_progress(&mine, walk, Progress::Worse, at(7)).await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))), "a retired outcome is not rated");
    let swim = store.add_outcome(&mine, "Swim on Fridays").await.expect("a place is free again");
    let own = store.own_feedback(&mine).await.expect("own").personal_outcomes;
    let listed: Vec<(i64, &str, bool, usize)> =
        own.iter().map(|o| (o.id, o.text.as_str(), o.retired_at.is_some(), o.progress.len())).collect();
    let bake = own[1].id;
    assert_eq!(
        listed,
        [
            (walk, "Walk to the shop", true, 1),
            (bake, "Bake", false, 0),
            (garden, "Go to the garden centre", false, 0),
            (swim, "Swim on Fridays", false, 0)
        ]
    );
    assert_eq!(own[0].retired_at, Some(at(6)));
}

/// A reminder is set through the return link, queued as one email when due (then
/// due again a period later), and stopped by its link or its email's token.
pub async fn voice_reminders_are_queued_once_when_due_and_stopped_by_key_or_token(store: &dyn Store) {
    voice_setup(store).await;
    submit(store, &submission(100, "mine", 1, &person_raw("", &["Walk to the shop"]))).await;
    let reminder = |weeks: u32, token: &str| NewReminder {
        reminder: Reminder {
            email: email("pat@example.org"),
            every_weeks: weeks,
            next_due_at: at(24 * 7 * weeks as i64),
        },
        link: "http://candour.test/feedback/mine".into(),
        stop_token: token.into(),
        at: at(2),
    };
    assert!(matches!(store.set_reminder(&key_hash("nobody"), &reminder(4, "t0")).await, Err(StoreError::NotFound)));
    store.set_reminder(&key_hash("mine"), &reminder(4, "t1")).await.expect("set");
    store.set_reminder(&key_hash("mine"), &reminder(8, "t2")).await.expect("replaced");
    let own = store.own_feedback(&key_hash("mine")).await.expect("own");
    assert_eq!(own.reminder.as_ref().map(|r| (r.every_weeks, r.next_due_at)), Some((8, at(24 * 7 * 8))));
    let compose = |due: &DueReminder| {
        OutgoingEmail::plain(
            due.email.clone(),
            format!("How are things going at {}?", due.location_name),
            format!("{} every {} weeks; stop: {}", due.link, due.every_weeks, due.stop_token),
            at(0),
        )
    };
    let before = store.outbox(100).await.expect("outbox").len();
    assert_eq!(store.queue_due_reminders(at(24 * 7 * 8 - 1), 10, &compose).await.expect("queue"), 0, "not yet due");
    let due_at = at(24 * 7 * 8);
    assert_eq!(store.queue_due_reminders(due_at, 10, &compose).await.expect("queue"), 1);
    assert_eq!(store.queue_due_reminders(due_at, 10, &compose).await.expect("queue"), 0, "queued once");
    let outbox = store.outbox(100).await.expect("outbox");
    assert_eq!(outbox.len(), before + 1);
    let queued = outbox.iter().find(|e| e.subject.starts_with("How are things going")).expect("the reminder");
    assert_eq!(queued.body, "http://candour.test/feedback/mine every 8 weeks; stop: t2");
    let next = store.own_feedback(&key_hash("mine")).await.expect("own").reminder.expect("still set").next_due_at;
    assert_eq!(next, due_at + chrono::Duration::weeks(8));
    assert!(!store.stop_reminder(StopReminder::Token("t1")).await.expect("stop"), "the replaced token is gone");
    assert!(store.stop_reminder(StopReminder::Token("t2")).await.expect("stop"));
    assert!(store.own_feedback(&key_hash("mine")).await.expect("own").reminder.is_none());
    store.set_reminder(&key_hash("mine"), &reminder(4, "t3")).await.expect("set again");
    assert!(store.stop_reminder(StopReminder::Key(&key_hash("mine"))).await.expect("stop"));
    assert!(!store.stop_reminder(StopReminder::Key(&key_hash("mine"))).await.expect("stop"), "nothing left");
}

pub async fn voice_progress_is_rated_only_through_its_own_key(store: &dyn Store) {
    voice_setup(store).await;
    let mine = submit(store, &submission(100, "mine", 1, &person_raw("", &["Walk to the shop", "Bake"]))).await;
    submit(store, &submission(100, "theirs", 1, &person_raw("", &["Garden"]))).await;
    let mine_outcomes = store.own_feedback(&key_hash("mine")).await.expect("own").personal_outcomes;
    let theirs = store.own_feedback(&key_hash("theirs")).await.expect("own").personal_outcomes[0].id;
    let walk = mine_outcomes[0].id;
    let refused = store.rate_progress(&key_hash("mine"), theirs, Progress::Better, at(5)).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "another key's outcome");
    assert!(matches!(
        store.rate_progress(&key_hash("nobody"), walk, Progress::Better, at(5)).await,
        Err(StoreError::NotFound)
    ));
    let other_case = key_hash("mine").to_uppercase();
    assert!(matches!(store.own_feedback(&other_case).await, Err(StoreError::NotFound)), "keys match exactly");
    store.rate_progress(&key_hash("mine"), walk, Progress::Better, at(5)).await.expect("rate");
    store.rate_progress(&key_hash("mine"), walk, Progress::Worse, at(9)).await.expect("rate again");
    let own = store.own_feedback(&key_hash("mine")).await.expect("own");
    assert_eq!(own.personal_outcomes[0].progress, [(at(5), Progress::Better), (at(9), Progress::Worse)]);
    assert!(own.personal_outcomes[1].progress.is_empty());
    let record = store.feedback_record(mine.feedback_id).await.expect("record");
    assert_eq!(record.personal_outcomes, own.personal_outcomes);
    assert!(store.own_feedback(&key_hash("theirs")).await.expect("own").personal_outcomes[0].progress.is_empty());
}

pub async fn voice_facts_are_those_of_the_snapshot_and_keep_to_since(store: &dyn Store) {
    let (moderator, responder) = voice_setup(store).await;
    submit(store, &submission(100, "old", -100, &person_raw("", &[]))).await;
    submit(store, &submission(100, "quiet", 1, &person_raw("", &[]))).await;
    submit(store, &submission(100, "waiting", 2, &person_raw("Not read yet", &["Bake"]))).await;
    let rejected = submit(store, &submission(100, "rejected", 3, &person_raw("Spam", &["Spam"]))).await.feedback_id;
    let answered =
        submit(store, &submission(100, "answered", 4, &person_raw("Lovely staff", &["Walk"]))).await.feedback_id;
    submit(store, &submission(100, "staff", 5, &staff_raw())).await;
    submit(store, &submission(102, "elsewhere", 5, &person_raw("", &[]))).await;
    store.moderate(rejected, &reject(&moderator, "Spam", 6)).await.expect("reject");
    store.moderate(answered, &publish(&moderator, "Lovely staff", 0, 6)).await.expect("publish");
    let planned = reply_by(&responder, answered, "We will", ChangeClaim::Planned, ReplyStatus::Published, 8);
    store.add_reply(&planned).await.expect("reply");
    let made = reply_by(&responder, answered, "Done", ChangeClaim::Made, ReplyStatus::Published, 9);
    store.add_reply(&made).await.expect("reply");
    let unchecked = reply_by(&responder, answered, "Early", ChangeClaim::None, ReplyStatus::Pending, 7);
    store.add_reply(&unchecked).await.expect("reply");
    let walk = store.own_feedback(&key_hash("answered")).await.expect("own").personal_outcomes[0].id;
    store.rate_progress(&key_hash("answered"), walk, Progress::Same, at(10)).await.expect("rate");
    store.rate_progress(&key_hash("answered"), walk, Progress::Better, at(11)).await.expect("rate");
    let bake = store.own_feedback(&key_hash("waiting")).await.expect("own").personal_outcomes[0].id;
    store.rate_progress(&key_hash("waiting"), bake, Progress::Worse, at(11)).await.expect("rate");
    let spam = store.own_feedback(&key_hash("rejected")).await.expect("own").personal_outcomes[0].id;
    store.rate_progress(&key_hash("rejected"), spam, Progress::Worse, at(11)).await.expect("rate");

    let none = candour_domain::voice::VoiceFacts::default();
    assert_eq!(store.voice_facts(&lid(100), at(0)).await.expect("facts"), none, "nothing before the first snapshot");
    assert_eq!(store.published_stories(&lid(100), 1, 10).await.expect("stories").total, 0);
    assert_eq!(store.refresh_voice_snapshots(1, at(0), at(12)).await.expect("refresh"), 2, "locations 100 and 102");
    // After the snapshot: a response, a reply and a rating that must wait for the next one.
    submit(store, &submission(100, "late", 13, &person_raw("", &[]))).await;
    store
        .add_reply(&reply_by(&responder, answered, "Later", ChangeClaim::None, ReplyStatus::Published, 13))
        .await
        .expect("reply");
    store.rate_progress(&key_hash("answered"), walk, Progress::Worse, at(13)).await.expect("rate");

    assert_eq!(store.voice_snapshot(&lid(100)).await.expect("snapshot"), Some(at(12)));
    assert_eq!(store.voice_snapshot(&lid(103)).await.expect("snapshot"), None);
    let facts = store.voice_facts(&lid(100), at(0)).await.expect("facts");
    let times: Vec<_> = facts.responses.iter().map(|r| r.received_at).collect();
    assert_eq!(times, [at(1), at(4), at(5)], "pending, rejected, older, later and other services' responses left out");
    let person = &facts.responses[0];
    assert_eq!(
        (person.respondent, person.channel, person.overall),
        (Respondent::Person, Channel::Online, Overall::Good)
    );
    assert_eq!((person.answers.len(), person.answers[1], person.answers[2]), (8, ("safe", None), ("dignity", Some(3))));
    assert_eq!(facts.responses[2].respondent, Respondent::Staff);
    assert_eq!(facts.responses[2].answers[0], ("speak_up", Some(1)));
    assert_eq!(facts.stories.len(), 1, "only published responses with a story");
    let published = &facts.stories[0];
    assert_eq!(
        (published.received_at, published.published, published.criticality),
        (at(4), true, Some(Criticality::NONE))
    );
    assert_eq!(
        (published.first_reply_at, published.change),
        (Some(at(8)), Some(ChangeClaim::Made)),
        "first published reply; strongest claim"
    );
    assert_eq!(facts.outcome_progress, [Progress::Better], "the latest rating by the snapshot, published only");
    let recent = store.voice_facts(&lid(100), at(3)).await.expect("facts");
    assert_eq!(recent.responses.len(), 2);
    assert_eq!(recent.outcome_progress, [Progress::Better]);
    assert_eq!(store.voice_facts(&lid(103), at(0)).await.expect("facts"), none);
    assert_eq!(store.published_stories(&lid(100), 1, 10).await.expect("stories").total, 1);
}

/// Published figures move only in batches: a location's snapshot is taken again
/// only when at least `min_new` more responses count (published ones: pending
/// and rejected ones never do) and its last one was taken by `taken_before`.
pub async fn voice_snapshots_move_in_batches(store: &dyn Store) {
    let (moderator, _) = voice_setup(store).await;
    let counted = || async move { store.voice_facts(&lid(100), at(-1000)).await.expect("facts").responses.len() };
    let quiet = |key: String, hours| submission(100, &key, hours, &person_raw("", &[]));
    for n in 1..=4 {
        submit(store, &quiet(format!("q{n}"), n)).await;
    }
    let waiting = submit(store, &submission(100, "waiting", 4, &person_raw("To read", &[]))).await.feedback_id;
    let spam = submit(store, &submission(100, "spam", 4, &person_raw("Spam", &[]))).await.feedback_id;
    store.moderate(spam, &reject(&moderator, "Spam", 4)).await.expect("reject");
    assert_eq!(store.refresh_voice_snapshots(5, at(-24), at(5)).await.expect("refresh"), 0, "4 count");
    assert_eq!((store.voice_snapshot(&lid(100)).await.expect("snapshot"), counted().await), (None, 0));

    submit(store, &quiet("q5".into(), 5)).await;
    assert_eq!(store.refresh_voice_snapshots(5, at(-18), at(6)).await.expect("refresh"), 1, "5 count");
    assert_eq!((store.voice_snapshot(&lid(100)).await.expect("snapshot"), counted().await), (Some(at(6)), 5));

    for n in 6..=10 {
        submit(store, &quiet(format!("q{n}"), n)).await;
    }
    let refused = store.refresh_voice_snapshots(5, at(7 - 24), at(7)).await.expect("refresh");
    assert_eq!((refused, counted().await), (0, 5), "5 more, but the last snapshot is too recent");
    assert_eq!(store.refresh_voice_snapshots(5, at(6), at(30)).await.expect("refresh"), 1, "5 more, a day on");
    assert_eq!((store.voice_snapshot(&lid(100)).await.expect("snapshot"), counted().await), (Some(at(30)), 10));

    store.moderate(waiting, &publish(&moderator, "Read", 0, 31)).await.expect("publish");
    for n in 11..=13 {
        submit(store, &quiet(format!("q{n}"), 31)).await;
    }
    assert_eq!(store.refresh_voice_snapshots(5, at(40), at(64)).await.expect("refresh"), 0, "4 more, a day on");
    submit(store, &quiet("q14".into(), 32)).await;
    assert_eq!(store.refresh_voice_snapshots(5, at(40), at(64)).await.expect("refresh"), 1);
    assert_eq!(counted().await, 15, "the moderated story counts from its publication");
    assert_eq!(store.published_stories(&lid(100), 1, 10).await.expect("stories").total, 1);
}

pub async fn outbox_sends_due_email_and_retries_failures(store: &dyn Store) {
    let mail = |to: &str, hours| OutgoingEmail::plain(email(to), "Hello".into(), "Hi".into(), at(hours));
    let first = store.queue_email(&mail("jo@example.org", 1)).await.expect("queue");
    let second = store.queue_email(&mail("al@example.org", 2)).await.expect("queue");
    // Each claim holds its emails for one hour.
    let claim = |now, limit| async move {
        let claimed = store.claim_due_emails(at(now), at(now + 1), limit).await.expect("claim");
        claimed.into_iter().map(|e| e.id).collect::<Vec<_>>()
    };
    assert_eq!(claim(2, 1).await, [first], "oldest first, up to the limit");
    assert_eq!(claim(2, 10).await, [second], "a claimed email is not claimed again");
    assert!(claim(2, 10).await.is_empty());
    assert_eq!(claim(3, 10).await, [first, second], "a claim whose lease ended is due again");
    store.mark_email_failed(first, "connection refused", at(5)).await.expect("failed");
    assert_eq!(claim(4, 10).await, [second], "a failed email waits for its retry time");
    assert_eq!(claim(5, 10).await, [first, second], "retry time and lease both reached");
    store.mark_email_failed(first, "timed out", at(7)).await.expect("failed again");
    let health = store.outbox_health().await.expect("health");
    let expected =
        OutboxHealth { waiting: 2, sent: 0, failing: 1, oldest_waiting: Some(at(1)), failing_since: Some(at(1)) };
    assert_eq!(health, expected);
    let entry = store.claim_due_emails(at(7), at(8), 10).await.expect("claim");
    let entry = entry.into_iter().find(|e| e.id == first).expect("due");
    assert_eq!(
        (entry.attempts, entry.last_error.as_deref(), entry.sent_at, entry.alert_id),
        (2, Some("timed out"), None, None)
    );
    store.mark_email_sent(second, at(3)).await.expect("sent");
    store.mark_email_sent(first, at(8)).await.expect("sent");
    assert!(claim(100, 10).await.is_empty(), "sent email is never due again");
    assert_eq!(store.outbox_health().await.expect("health"), OutboxHealth { sent: 2, ..OutboxHealth::default() });
    let outbox = store.outbox(10).await.expect("outbox");
    assert_eq!((outbox[0].id, outbox[0].sent_at, outbox[1].sent_at), (second, Some(at(3)), Some(at(8))));
    assert!(matches!(store.mark_email_sent(second + 100, at(9)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.mark_email_failed(second + 100, "x", at(9)).await, Err(StoreError::NotFound)));
}

/// Senders claiming at once: every due email goes to exactly one of them.
pub async fn outbox_claims_each_email_once_among_many_senders(store: std::sync::Arc<dyn Store>) {
    for n in 0..60 {
        let to = email(&format!("person{n}@example.org"));
        let queued = OutgoingEmail::plain(to, "Hello".into(), "Hi".into(), at(1));
        store.queue_email(&queued).await.expect("queue");
    }
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let store = std::sync::Arc::clone(&store);
        senders.spawn(async move {
            let mut mine = Vec::new();
            loop {
                let claimed = store.claim_due_emails(at(2), at(3), 4).await.expect("claim");
                if claimed.is_empty() {
                    return mine;
                }
                mine.extend(claimed.into_iter().map(|e| e.id));
            }
        });
    }
    let mut all: Vec<i64> = senders.join_all().await.into_iter().flatten().collect();
    let claimed = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!((claimed, all.len()), (60, 60), "each email claimed once");
}

/// Many people at once, some repeating a submission and some naming a service
/// that does not exist: every real one is committed, each once, with its own reference.
pub async fn voice_concurrent_submissions_are_all_committed(store: std::sync::Arc<dyn Store>) {
    voice_setup(store.as_ref()).await;
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..240u32 {
        let store = std::sync::Arc::clone(&store);
        // 200 distinct keys; keys 0..20 twice more; 20 unknown locations.
        let (key, location) = match n {
            0..200 => (n, if n % 2 == 0 { 100 } else { 102 }),
            200..220 => (n - 200, if (n - 200) % 2 == 0 { 100 } else { 102 }),
            _ => (n, 999),
        };
        tasks.spawn(async move {
            let story = if key % 3 == 0 { "A story" } else { "" };
            let result =
                store.submit_feedback(&submission(location, &key.to_string(), 1, &person_raw(story, &[]))).await;
            (key, location, result)
        });
    }
    let mut receipts: std::collections::BTreeMap<u32, Vec<Receipt>> = std::collections::BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let (key, location, result) = joined.expect("task");
        match result {
            Ok(receipt) => receipts.entry(key).or_default().push(receipt),
            Err(StoreError::NotFound) if location == 999 => {}
            Err(e) => panic!("submission {key} at {location} failed: {e}"),
        }
    }
    assert_eq!(receipts.len(), 200);
    let mut references = std::collections::BTreeSet::new();
    for (key, list) in &receipts {
        assert_eq!(list.iter().filter(|r| !r.duplicate).count(), 1, "key {key} stored once");
        assert!(list.iter().all(|r| r.feedback_id == list[0].feedback_id && r.reference == format!("REF-{key}")));
        references.insert(list[0].reference.clone());
    }
    assert_eq!(references.len(), 200);
    let queued = |status| {
        let store = std::sync::Arc::clone(&store);
        async move { store.moderation_queue(&moderation_page(status)).await.expect("queue").total }
    };
    let with_story = (0..200).filter(|key| key % 3 == 0).count() as u64;
    assert_eq!(queued(FeedbackStatus::Pending).await, with_story);
    assert_eq!(queued(FeedbackStatus::Published).await, 200 - with_story);
    store.refresh_voice_snapshots(1, at(0), at(2)).await.expect("snapshots");
    let counted = store.voice_facts(&lid(100), at(0)).await.expect("facts").responses.len()
        + store.voice_facts(&lid(102), at(0)).await.expect("facts").responses.len();
    assert_eq!(counted as u64, 200 - with_story, "each published one counted once");
}

// ---------------------------------------------------------------- provider returns

fn month(text: &str) -> Month {
    Month::parse(text).expect("valid test month")
}

/// A plausible month of figures; `incidents` tells returns apart.
fn figures(at: &str, incidents: u32) -> MonthlyReturn {
    MonthlyReturn {
        month: month(at),
        headcount: 40,
        leavers: 2,
        agency_hours: 300,
        hours_worked: 6000,
        vacancies: 3,
        supervision_pct: 85,
        training_pct: 92,
        registered_manager: true,
        manager_changed: false,
        people_supported: 38,
        incidents,
        restraint: 1,
        seclusion: 0,
        segregation: 0,
        notifications: 2,
        safeguarding_referrals: 1,
        complaints_received: 3,
        complaints_upheld: 1,
        complaints_on_time: 3,
    }
}

fn batch(returns: Vec<(u32, MonthlyReturn)>, by: Option<&User>, hours: i64, source: ReturnSource) -> ReturnBatch {
    ReturnBatch {
        returns: returns.into_iter().map(|(n, r)| (lid(n), r)).collect(),
        sent_by: by.map(|u| u.id),
        sent_at: at(hours),
        source,
    }
}

async fn months_kept(store: &dyn Store, location: u32) -> Vec<(String, u32)> {
    let kept = store
        .returns_of(&lid(location), month("2000-01"), Month::new(2099, 12).expect("a month"))
        .await
        .expect("returns");
    kept.into_iter().map(|r| (r.figures.month.to_string(), r.figures.incidents)).collect()
}

pub async fn returns_are_added_replaced_and_kept_unchanged(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    assert!(store.latest_return_months().await.expect("latest").is_empty());
    let manager = add_user(store, "manager@example.org", vec![]).await;
    let first = vec![(100, figures("2026-02", 5)), (100, figures("2026-01", 4)), (102, figures("2026-01", 0))];
    let counts = store.save_returns(&batch(first.clone(), None, 1, ReturnSource::Csv)).await.expect("save");
    assert_eq!(counts, ReturnCounts { added: 3, replaced: 0, unchanged: 0 });
    let kept = store.returns_of(&lid(100), month("2026-01"), month("2026-12")).await.expect("returns");
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[0].figures, figures("2026-01", 4), "every figure round trips, oldest month first");
    assert_eq!((kept[0].sent_by, kept[0].sent_at, kept[0].source), (None, at(1), ReturnSource::Csv));

    // The same figures again change nothing, not even who sent them.
    let counts = store.save_returns(&batch(first, Some(&manager), 2, ReturnSource::Api)).await.expect("resave");
    assert_eq!(counts, ReturnCounts { added: 0, replaced: 0, unchanged: 3 });
    let kept = store.returns_of(&lid(100), month("2026-01"), month("2026-01")).await.expect("returns");
    assert_eq!((kept[0].sent_by, kept[0].sent_at), (None, at(1)));

    // A corrected month replaces the one kept, and records its sender.
    let second = vec![(100, figures("2026-01", 6)), (100, figures("2026-03", 1))];
    let counts = store.save_returns(&batch(second, Some(&manager), 3, ReturnSource::Api)).await.expect("correct");
    assert_eq!(counts, ReturnCounts { added: 1, replaced: 1, unchanged: 0 });
    assert_eq!(months_kept(store, 100).await, [("2026-01".into(), 6), ("2026-02".into(), 5), ("2026-03".into(), 1)]);
    let kept = store.returns_of(&lid(100), month("2026-01"), month("2026-01")).await.expect("returns");
    assert_eq!((kept[0].sent_by, kept[0].sent_at, kept[0].source), (Some(manager.id), at(3), ReturnSource::Api));

    // The range includes both ends and nothing beyond them.
    let range = store.returns_of(&lid(100), month("2026-02"), month("2026-03")).await.expect("returns");
    assert_eq!(range.iter().map(|r| r.figures.month.to_string()).collect::<Vec<_>>(), ["2026-02", "2026-03"]);
    assert!(store.returns_of(&lid(103), month("2026-01"), month("2026-12")).await.expect("returns").is_empty());
    assert_eq!(
        store.latest_return_months().await.expect("latest"),
        [(lid(100), month("2026-03")), (lid(102), month("2026-01"))]
    );
}

pub async fn returns_are_kept_all_or_nothing(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let unknown = batch(vec![(100, figures("2026-01", 1)), (999, figures("2026-01", 1))], None, 1, ReturnSource::Csv);
    assert!(matches!(store.save_returns(&unknown).await, Err(StoreError::NotFound)));
    let twice = batch(vec![(100, figures("2026-01", 1)), (100, figures("2026-01", 2))], None, 1, ReturnSource::Csv);
    assert!(matches!(store.save_returns(&twice).await, Err(StoreError::Invalid(_))));
    assert!(months_kept(store, 100).await.is_empty(), "nothing of a refused batch is kept");
    assert!(store.latest_return_months().await.expect("latest").is_empty());
    let missing = store.returns_of(&lid(999), month("2026-01"), month("2026-12")).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

// ---------------------------------------------------------------- monitoring

/// Progress rated through a return link counts in the month it was rated, at most once
/// per outcome in any 90 days; a response typed in by staff is counted as such; the
/// progress of a response that moderation rejects leaves the counts with it.
pub async fn monitoring_progress_counts_once_per_outcome_in_ninety_days(store: &dyn Store) {
    let (moderator, staff) = voice_setup(store).await;
    submit(store, &submission(100, "mine", 1, &person_raw("", &["Walk to the shop", "Bake"]))).await;
    let mut paper = submission(100, "paper", 2, &person_raw("", &[]));
    paper.feedback.channel = Channel::Paper;
    paper.entered_by = Some(staff.id);
    submit(store, &paper).await;
    let waiting = submit(store, &submission(100, "waiting", 3, &person_raw("Not read yet", &["Garden"]))).await;
    let outcomes = store.own_feedback(&key_hash("mine")).await.expect("own").personal_outcomes;
    let (walk, bake) = (outcomes[0].id, outcomes[1].id);
    let garden = store.own_feedback(&key_hash("waiting")).await.expect("own").personal_outcomes[0].id;
    let day = |d: i64| at(24 * d + 5);
    for (outcome, progress, when) in [
        (walk, Progress::Better, day(0)),
        (bake, Progress::Same, day(1)),
        (walk, Progress::Better, day(30)),
        (walk, Progress::Better, day(89)),
        (walk, Progress::Worse, day(95)),
    ] {
        store.rate_progress(&key_hash("mine"), outcome, progress, when).await.expect("rate");
    }
    store.rate_progress(&key_hash("waiting"), garden, Progress::Better, day(2)).await.expect("rate");
    let counted = |rows: Vec<(LocationId, Month, candour_domain::voice_month::VoiceMonth)>| {
        rows.iter().map(|(_, m, v)| (m.to_string(), v.progress_n, v.progress_better, v.entered)).collect::<Vec<_>>()
    };
    let months = store.voice_months(Locations::one(&lid(100)), month("2025-01")).await.expect("counts").rows;
    assert_eq!(
        counted(months),
        [("2025-01".to_string(), 3, 2, 1), ("2025-04".to_string(), 1, 0, 0)],
        "walk on days 0 and 95, bake, garden; days 30 and 89 are within 90 days of day 0"
    );
    store.moderate(waiting.feedback_id, &reject(&moderator, "Advertising", 4)).await.expect("reject");
    let months = store.voice_months(Locations::one(&lid(100)), month("2025-01")).await.expect("counts").rows;
    assert_eq!(counted(months), [("2025-01".to_string(), 2, 1, 1), ("2025-04".to_string(), 1, 0, 0)]);
}

/// The stored counts agree with counting `voice_facts` response by response, and
/// follow moderation: a rejected response leaves them, a criticality joins them.
pub async fn monitoring_counts_follow_feedback_and_moderation(store: &dyn Store) {
    use candour_domain::voice_month::VoiceMonth;
    let (moderator, _) = voice_setup(store).await;
    submit(store, &submission(100, "quiet", 1, &person_raw("", &[]))).await;
    let waiting = submit(store, &submission(100, "waiting", 2, &person_raw("Not read yet", &[]))).await.feedback_id;
    let rejected = submit(store, &submission(100, "rejected", 3, &person_raw("Spam", &[]))).await.feedback_id;
    let critical = submit(store, &submission(100, "critical", 4, &person_raw("Left alone", &[]))).await.feedback_id;
    submit(store, &submission(100, "staff", 5, &staff_raw())).await;
    let partner_answers =
        candour_domain::voice::PARTNER_QUESTIONS.iter().map(|q| (q.code.to_string(), "not_at_all".to_string()));
    let partner = RawFeedback {
        respondent: "partner".into(),
        overall: "very_poor".into(),
        answers: partner_answers.collect(),
        ..RawFeedback::default()
    };
    submit(store, &submission(100, "partner", 5, &partner)).await;
    let mut harm = submission(102, "harm", 6, &person_raw("They hit me", &[]));
    harm.alert = Some(alert_of(5, "Pre-screen", &["lead@example.org"], 6));
    submit(store, &harm).await;
    let from = month("2025-01");
    let before = store.voice_months(Locations::one(&lid(100)), from).await.expect("counts").rows;
    assert_eq!(
        (before.len(), before[0].2.responses, before[0].2.stories),
        (1, 4, 3),
        "the rejected one counts until judged"
    );
    store.moderate(rejected, &reject(&moderator, "Spam", 7)).await.expect("reject");
    store.moderate(critical, &publish(&moderator, "Left alone", 3, 7)).await.expect("publish");
    let before_reading = store.voice_months(Locations::one(&lid(100)), from).await.expect("counts");
    store.moderate(waiting, &publish(&moderator, "Read", 0, 7)).await.expect("publish");
    assert_eq!(store.voice_months(Locations::one(&lid(100)), from).await.expect("counts"), before_reading);
    store.refresh_voice_snapshots(1, at(0), at(8)).await.expect("snapshots");

    let facts = store.voice_facts(&lid(100), at(0)).await.expect("facts");
    let mut expected = VoiceMonth::default();
    facts.responses.iter().for_each(|r| expected.add_response(r));
    facts.stories.iter().for_each(|s| expected.add_story(s));
    let counted = store.voice_months(Locations::one(&lid(100)), from).await.expect("counts").rows;
    assert_eq!(counted.len(), 1);
    let (id, at_month, voice) = &counted[0];
    assert_eq!((id, *at_month), (&lid(100), from));
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert_eq!(
        (voice.responses, voice.positive, voice.rated, voice.outcome_n, voice.stories, voice.critical_stories),
        (expected.responses, expected.positive, expected.rated, expected.outcome_n, expected.stories, 1)
    );
    assert_eq!((voice.speak_up_n, expected.critical_stories), (expected.speak_up_n, 1));
    assert_eq!(
        (voice.enough_staff_n, voice.partner_responses, voice.partner_concerns),
        (expected.enough_staff_n, expected.partner_responses, expected.partner_concerns)
    );
    assert!(expected.enough_staff_n > 0 && close(voice.enough_staff_sum, expected.enough_staff_sum));
    assert_eq!((expected.partner_responses, expected.partner_concerns), (1, 1));
    assert!(close(voice.outcome_sum, expected.outcome_sum) && close(voice.outcome_sum_sq, expected.outcome_sum_sq));
    assert!(close(voice.speak_up_sum, expected.speak_up_sum) && close(voice.speak_up_sum_sq, expected.speak_up_sum_sq));
    let people = |v: &VoiceMonth| (v.dignity_n, v.dignity_positive, v.safe_n, v.safe_positive, v.entered);
    assert_eq!(people(voice), people(&expected));
    assert_eq!(people(voice), (3, 3, 0, 0, 0), "\"doesn't apply\" is no answer; the rejected one is gone");
    let all = store.voice_months(Locations::All, from).await.expect("all counts").rows;
    let ids: Vec<&str> = all.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(ids, [lid(100).as_str(), lid(102).as_str()]);
    let listed = [lid(102), lid(101), lid(100)];
    assert_eq!(store.voice_months(Locations::These(&listed), from).await.expect("listed counts").rows, all);
    let one = store.voice_months(Locations::These(&listed[..2]), from).await.expect("listed counts").rows;
    assert_eq!(one.iter().map(|(id, _, _)| id.as_str()).collect::<Vec<_>>(), [lid(102).as_str()]);
    assert!(store.voice_months(Locations::These(&[]), from).await.expect("none listed").rows.is_empty());
    assert!(store.voice_months(Locations::All, month("2025-02")).await.expect("later").rows.is_empty());

    let sent = batch(vec![(100, figures("2024-12", 1)), (100, figures("2025-01", 2))], None, 1, ReturnSource::Csv);
    store.save_returns(&sent).await.expect("save");
    let returns = store.monitored_returns(Locations::one(&lid(100)), from).await.expect("returns").rows;
    assert_eq!(returns, [(lid(100), figures("2025-01", 2))], "months before `from` are left out");
    assert_eq!(store.monitored_returns(Locations::All, month("2024-01")).await.expect("all").rows.len(), 2);

    let alerts = store.latest_alerts(Locations::All, 5).await.expect("alerts").rows;
    assert_eq!(alerts, [(lid(102), at(6))]);
    assert!(store.latest_alerts(Locations::one(&lid(100)), 4).await.expect("none").rows.is_empty());

    // Responses loaded in bulk are counted too, and later ones still are.
    let historic = |key: &str, status: FeedbackStatus, level: u8| HistoricFeedback {
        new: submission(103, key, 8, &person_raw("Past", &[])),
        status,
        published_text: Some("Past".into()),
        criticality: Some(Criticality::new(level).expect("a level")),
        moderated_by: None,
        moderated_at: None,
        replies: vec![],
        progress: vec![],
    };
    let past = [historic("past-1", FeedbackStatus::Published, 4), historic("past-2", FeedbackStatus::Rejected, 1)];
    store.load_historic_feedback(&past).await.expect("bulk load");
    let stories = |months: Vec<(LocationId, Month, VoiceMonth)>| {
        months.iter().map(|(_, _, v)| (v.responses, v.stories, v.critical_stories)).collect::<Vec<_>>()
    };
    assert_eq!(stories(store.voice_months(Locations::one(&lid(103)), from).await.expect("counts").rows), [(1, 1, 1)]);
    submit(store, &submission(103, "after", 9, &person_raw("", &[]))).await;
    assert_eq!(stories(store.voice_months(Locations::one(&lid(103)), from).await.expect("counts").rows), [(2, 1, 1)]);
    // …and numbered for publication: the bulk-loaded published one first.
    store.refresh_voice_snapshots(2, at(0), at(10)).await.expect("snapshots");
    let published = store.voice_facts(&lid(103), at(0)).await.expect("facts").responses;
    assert_eq!(published.iter().map(|r| r.received_at).collect::<Vec<_>>(), [at(8), at(9)]);

    let watched = store.monitored_locations().await.expect("locations").rows;
    assert!(watched.iter().all(|l| l.id != lid(105)), "a deregistered location is not watched");
    let rose = watched.iter().find(|l| l.id == lid(102)).expect("Rose Court");
    assert_eq!(
        (rose.kind, rose.beds, rose.specialisms.as_slice()),
        (ServiceKind::CareHome, Some(20), &["Dementia".to_string()][..])
    );
    assert_eq!((rose.provider_name.as_str(), rose.local_authority.as_deref()), ("Brightwater Care Ltd", Some("Leeds")));
}
