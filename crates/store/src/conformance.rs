//! The behaviour every [`Store`](crate::Store) backend must show. A backend runs the
//! whole suite with one line in its tests:
//!
//! ```ignore
//! candour_store::conformance_tests!(fresh_store);
//! ```
//!
//! where `async fn fresh_store() -> (impl Store, Guard)` returns an empty store and
//! anything that must live as long as it (a temporary directory, say).

use chrono::{DateTime, NaiveDate, Utc};

use candour_domain::{
    Address, Email, Grant, KeyQuestion, KeyQuestionRatings, Location, LocationId, Postcode, Provider, ProviderId,
    Rating, RatingRecord, RatingSource, Region, RegistrationStatus, Relationship, RelationshipKind, Role, Scope,
    ServiceKind, UserId,
};

use crate::*;

#[macro_export]
macro_rules! conformance_tests {
    ($fresh:path) => {
        $crate::conformance_tests!(@cases $fresh;
            empty_store_answers_not_found_and_zero,
            import_round_trips_every_field,
            reimport_is_idempotent,
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
            api_tokens_are_created_used_and_revoked,
            audit_log_is_searched_newest_first,
            outbox_keeps_queued_email,
            assessments_go_from_draft_to_published,
            assessment_transitions_are_refused_out_of_order,
            assessment_challenges_keep_to_their_window,
        );
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

    store.set_password_hash(user.id, "$argon2id$v=19$test").await.expect("set password");
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
    store.set_password_hash(user.id, "$argon2id$v=19$other").await.expect("set password");
    let record = store.sign_in_record(&user.email).await.expect("lookup").expect("record");
    assert_eq!((record.failed_attempts, record.locked_until, record.user.last_sign_in_at), (0, None, Some(at(2))));
    let missing = store.set_password_hash(UserId(user.id.0 + 100), "x").await;
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
    let invitation = LinkPurpose::Invitation;
    let reset = LinkPurpose::PasswordReset;
    store.create_link(&link_for(&user, invitation, "invite", at(24))).await.expect("create link");
    store.create_link(&link_for(&user, reset, "reset", at(1))).await.expect("create link");
    store.create_link(&link_for(&user, reset, "old-reset", at(1))).await.expect("create link");

    let wrong_purpose = store.consume_link(reset, "invite", at(1)).await;
    assert!(matches!(wrong_purpose, Err(StoreError::NotFound)), "{wrong_purpose:?}");
    assert_eq!(store.consume_link(invitation, "invite", at(1)).await.expect("first use"), user.id);
    let second = store.consume_link(invitation, "invite", at(1)).await;
    assert!(matches!(second, Err(StoreError::NotFound)), "a link works once: {second:?}");

    let expired = store.consume_link(reset, "old-reset", at(1)).await;
    assert!(matches!(expired, Err(StoreError::NotFound)), "expired at its expiry: {expired:?}");
    assert!(matches!(store.consume_link(reset, "unknown", at(0)).await, Err(StoreError::NotFound)));
    assert_eq!(store.consume_link(reset, "reset", at(0)).await.expect("before expiry"), user.id);

    let duplicate = store.create_link(&link_for(&user, reset, "reset", at(9))).await;
    assert!(matches!(duplicate, Err(StoreError::Conflict(_))), "{duplicate:?}");
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
    let mail = |to: &str, subject: &str, hours| OutgoingEmail {
        to: email(to),
        subject: subject.into(),
        body: format!("Hello,\n\n{subject}.\n"),
        created_at: at(hours),
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
        store.update_assessment(id, &change, at(2)).await.expect("edit a draft");
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
    store.send_assessment(id, ends, at(3)).await.expect("send");
    let raised = store.raise_challenge(id, &challenge_by(&admin, "S1", 4)).await.expect("challenge");
    assert_eq!((raised.status, raised.raised_by, raised.finding.as_str()), (ChallengeStatus::Open, admin.id, "S1"));
    store.update_assessment(id, &scored("S1", 2), at(5)).await.expect("a correction while the window is open");
    store
        .decide_challenge(id, raised.id, &decision(&inspector, ChallengeStatus::Accepted, "Score corrected", 5))
        .await
        .expect("decide");
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

    assert!(invalid(store.update_assessment(id, &scored("S1", 5), at(2)).await), "score out of range");
    let both = StatementEntry {
        statement: "S1".into(),
        score: Some(3),
        categories: [("processes".to_string(), 3)].into(),
        ..Default::default()
    };
    assert!(
        invalid(store.update_assessment(id, &AssessmentChange::Statement(both), at(2)).await),
        "score and categories"
    );
    let no_reason = JudgementEntry {
        key_question: Some(KeyQuestion::Safe),
        rating: Rating::Good,
        reason: " ".into(),
        computed: None,
    };
    assert!(invalid(
        store
            .update_assessment(id, &AssessmentChange::Judgement(Some(KeyQuestion::Safe), Some(no_reason)), at(2))
            .await
    ));
    assert!(
        conflict(store.publish_assessment(id, &publication(&inspector, Rating::Good, 2)).await),
        "a draft is not published"
    );
    assert!(
        matches!(store.raise_challenge(id, &challenge_by(&admin, "S1", 2)).await, Err(StoreError::Conflict(_))),
        "no challenges to a draft"
    );

    store.update_assessment(id, &scored("S1", 3), at(2)).await.expect("edit");
    store.send_assessment(id, at(2).date_naive(), at(2)).await.expect("send");
    assert!(conflict(store.send_assessment(id, at(2).date_naive(), at(2)).await), "sent twice");
    let c = store.raise_challenge(id, &challenge_by(&admin, "safe", 3)).await.expect("challenge");
    assert!(
        conflict(store.publish_assessment(id, &publication(&inspector, Rating::Good, 3)).await),
        "a challenge is open"
    );
    assert!(
        invalid(store.decide_challenge(id, c.id, &decision(&inspector, ChallengeStatus::Rejected, "", 4)).await),
        "no reason"
    );
    assert!(matches!(
        store.decide_challenge(id, 999, &decision(&inspector, ChallengeStatus::Rejected, "x", 4)).await,
        Err(StoreError::NotFound)
    ));
    store
        .decide_challenge(id, c.id, &decision(&inspector, ChallengeStatus::Rejected, "The evidence stands", 4))
        .await
        .expect("decide");
    assert!(
        conflict(store.decide_challenge(id, c.id, &decision(&inspector, ChallengeStatus::Accepted, "x", 4)).await),
        "decided twice"
    );

    let mut foreign = publication(&inspector, Rating::Good, 5);
    foreign.ratings[0].location_id = lid(102);
    assert!(invalid(store.publish_assessment(id, &foreign).await), "another location's rating");
    store.publish_assessment(id, &publication(&inspector, Rating::Good, 5)).await.expect("publish");
    assert!(conflict(store.publish_assessment(id, &publication(&inspector, Rating::Good, 5)).await), "published twice");
    assert!(
        conflict(store.update_assessment(id, &scored("S1", 4), at(5)).await),
        "a published assessment is immutable"
    );
    let before = store.assessment(id).await.expect("read");
    assert_eq!(before.statements[0].score, Some(3));

    // A second assessment the same day cannot replace the published record.
    let second = store.create_assessment(&new_assessment(&inspector, 5)).await.expect("create").id;
    store.send_assessment(second, at(5).date_naive(), at(5)).await.expect("send");
    assert!(conflict(store.publish_assessment(second, &publication(&inspector, Rating::Inadequate, 6)).await));
    let history = store.location(&lid(100)).await.expect("location").rating_history;
    assert!(history.iter().any(|r| r.source == RatingSource::Candour && r.overall == Some(Rating::Good)));
}

pub async fn assessment_challenges_keep_to_their_window(store: &dyn Store) {
    let (inspector, admin) = assessment_setup(store).await;
    let id = store.create_assessment(&new_assessment(&inspector, 1)).await.expect("create").id;
    assert!(
        matches!(store.send_assessment(id, date(2020, 1, 1), at(1)).await, Err(StoreError::Invalid(_))),
        "window in the past"
    );
    let ends = at(1).date_naive() + chrono::Days::new(14);
    store.send_assessment(id, ends, at(1)).await.expect("send");
    let last_day = 14 * 24;
    store.raise_challenge(id, &challenge_by(&admin, "S1", last_day)).await.expect("the last day is in the window");
    let late = store.raise_challenge(id, &challenge_by(&admin, "S1", last_day + 24)).await;
    assert!(matches!(late, Err(StoreError::Conflict(_))), "after the window");
    let edit = store.update_assessment(id, &scored("S1", 4), at(last_day + 24)).await;
    assert!(matches!(edit, Err(StoreError::Conflict(_))), "sent and closed");
    let blank = NewChallenge { text: "  ".into(), ..challenge_by(&admin, "S1", 2) };
    assert!(matches!(store.raise_challenge(id, &blank).await, Err(StoreError::Invalid(_))));
    assert_eq!(store.assessment(id).await.expect("read").open_challenges(), 1);
}
