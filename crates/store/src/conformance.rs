//! The behaviour every [`Store`](crate::Store) backend must show. A backend runs the
//! whole suite with one line in its tests:
//!
//! ```ignore
//! candour_store::conformance_tests!(fresh_store);
//! ```
//!
//! where `async fn fresh_store() -> (impl Store, Guard)` returns an empty store and
//! anything that must live as long as it (a temporary directory, say).

use chrono::NaiveDate;

use candour_domain::{
    Address, KeyQuestionRatings, Location, LocationId, Postcode, Provider, ProviderId, Rating, RatingRecord,
    RatingSource, Region, RegistrationStatus, Relationship, RelationshipKind,
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
