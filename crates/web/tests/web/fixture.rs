//! A small register built by hand, so tests can assert exact names and counts:
//! two providers, five locations in two regions, ratings with history, and a
//! deregistered location succeeded by a new registration.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use candour_app::accounts::PasswordCost;
use candour_db::TestDatabase;
use candour_domain::{
    Address, KeyQuestionRatings, Location, LocationId, Postcode, Provider, ProviderId, Rating, RatingRecord,
    RatingSource, Region, Registration, RegistrationStatus, Relationship, RelationshipKind,
};
use candour_store::{ImportPlan, Store};
use candour_web::{Monitor, RateLimit, WebConfig};
use chrono::NaiveDate;
use tower::ServiceExt;

pub const ROSE_COURT: &str = "1-000000001";
pub const OAK_LODGE: &str = "1-000000002";
pub const HARBOUR_HOME_CARE: &str = "1-000000003";
pub const HARBOUR_LIVING: &str = "1-000000004";
pub const OLD_ROSE_COURT: &str = "1-000000005";
pub const NOT_IN_REGISTER: &str = "1-000000099";
pub const SUNRISE: &str = "1-100000001";
pub const HARBOUR: &str = "1-100000002";
pub const CLIFTON_HOUSE: &str = "1-000000006";

pub struct TestApp {
    pub router: Router,
    /// The store behind the router, for tests that change the register mid-way.
    pub store: Arc<dyn Store>,
    pub monitor: Monitor,
    /// A SQLite file, or a PostgreSQL schema when CANDOUR_TEST_POSTGRES is set.
    database: TestDatabase,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts the body contains each text, showing the body when it does not.
    pub fn assert_contains(&self, texts: &[&str]) {
        for text in texts {
            assert!(self.body.contains(text), "expected {text:?} in:\n{}", self.body);
        }
    }

    pub fn assert_lacks(&self, texts: &[&str]) {
        for text in texts {
            assert!(!self.body.contains(text), "did not expect {text:?} in:\n{}", self.body);
        }
    }
}

/// The configuration tests run with: cheap password hashing, and sign-in and
/// feedback limits high enough that only the rate limits' own tests meet them.
pub fn test_config() -> WebConfig {
    test_config_at("http://candour.test")
}

pub fn test_config_at(public_url: &str) -> WebConfig {
    let mut config = WebConfig::new(public_url).expect("a valid public URL");
    // Far too cheap for real passwords; tests hash many.
    config.accounts.password_cost = PasswordCost { memory_kib: 64, iterations: 1, parallelism: 1 };
    config.sign_in_limit = RateLimit { per_minute: 10_000, burst: 10_000 };
    config.feedback_per_address = RateLimit { per_minute: 10_000, burst: 10_000 };
    config.feedback_per_service = RateLimit { per_minute: 10_000, burst: 10_000 };
    config
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_config(test_config()).await
    }

    pub async fn with_config(config: WebConfig) -> Self {
        Self::on(TestDatabase::fresh().await, config).await
    }

    /// On SQLite whatever the environment says, for tests of what only SQLite can store.
    pub async fn on_sqlite() -> Self {
        Self::on(TestDatabase::sqlite(), test_config()).await
    }

    async fn on(database: TestDatabase, config: WebConfig) -> Self {
        let store = database.open().await.store();
        store.apply_import(&plan()).await.expect("the fixture imports");
        let monitor = Monitor::start(store.clone(), config.monitoring);
        TestApp {
            router: candour_web::app_with_monitor(store.clone(), config, monitor.clone()),
            store,
            monitor,
            database,
        }
    }

    /// Waits until monitoring reflects everything sent so far, and returns its snapshot.
    pub async fn settled(&self) -> Arc<candour_monitor::Snapshot> {
        self.monitor.settled().await
    }

    /// Writes straight into the database, bypassing every check, as old data or
    /// another writer could.
    pub async fn write_directly(&self, sql: &str) {
        self.database.execute(sql).await;
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.request(Request::get(uri).body(Body::empty()).expect("a valid request")).await
    }

    pub async fn request(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.expect("the router always answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), 10 * 1024 * 1024).await.expect("a readable body");
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn lid(id: &str) -> LocationId {
    LocationId::parse(id).expect("a valid location ID")
}

fn pid(id: &str) -> ProviderId {
    ProviderId::parse(id).expect("a valid provider ID")
}

fn address(line1: &str, town: &str, postcode: &str) -> Address {
    Address {
        line1: Some(line1.to_string()),
        town: Some(town.to_string()),
        postcode: Some(Postcode::parse(postcode).expect("a valid postcode")),
        ..Address::default()
    }
}

struct Place {
    line1: &'static str,
    town: &'static str,
    postcode: &'static str,
    local_authority: &'static str,
    region: Region,
}

fn location(id: &str, provider: &str, name: &str, service: &str, place: Place) -> Location {
    let mut l = Location::new(lid(id), pid(provider), name);
    l.service_types = vec![service.to_string()];
    l.care_home = service.starts_with("Care home");
    l.address = address(place.line1, place.town, place.postcode);
    l.local_authority = Some(place.local_authority.to_string());
    l.region = Some(place.region);
    l.registration = Registration {
        status: RegistrationStatus::Registered,
        registered_on: Some(date(2015, 4, 1)),
        deregistered_on: None,
    };
    l
}

fn leeds(line1: &'static str, postcode: &'static str) -> Place {
    Place { line1, town: "Leeds", postcode, local_authority: "Leeds", region: Region::YorkshireAndTheHumber }
}

fn london(line1: &'static str, postcode: &'static str, local_authority: &'static str) -> Place {
    Place { line1, town: "London", postcode, local_authority, region: Region::London }
}

pub fn rating(id: &str, published: NaiveDate, overall: Rating, safe: Rating) -> RatingRecord {
    RatingRecord {
        location_id: lid(id),
        service_group: RatingRecord::LOCATION_GROUP.to_string(),
        published,
        source: RatingSource::Cqc,
        overall: Some(overall),
        key_questions: KeyQuestionRatings {
            safe: Some(safe),
            effective: Some(overall),
            caring: Some(Rating::Good),
            responsive: Some(overall),
            well_led: Some(overall),
        },
        report_type: Some("Location".to_string()),
        inherited: false,
    }
}

fn providers() -> Vec<Provider> {
    let mut sunrise = Provider::new(pid(SUNRISE), "Sunrise Care Ltd");
    sunrise.sector = Some("Social Care Org".to_string());
    sunrise.ownership_type = Some("Organisation".to_string());
    sunrise.address = address("1 Park Row", "Leeds", "LS1 5AB");
    let harbour = Provider::new(pid(HARBOUR), "Harbour Homes");
    vec![sunrise, harbour]
}

fn locations() -> Vec<Location> {
    let mut rose =
        location(ROSE_COURT, SUNRISE, "Rose Court", "Care home service with nursing", leeds("2 Rose Lane", "LS1 4AP"));
    rose.beds = Some(40);
    rose.specialisms = vec!["Dementia".to_string(), "Older people".to_string()];
    rose.phone = Some("0113 496 0000".to_string());
    rose.website = Some("www.rosecourt.example".to_string());
    rose.registered_manager = Some(true);
    rose.also_known_as = Some("Rose Court Nursing Home".to_string());
    rose.relationships = vec![Relationship {
        kind: RelationshipKind::Predecessor,
        related_id: lid(OLD_ROSE_COURT),
        related_name: Some("Old Rose Court".to_string()),
        reason: Some("Change of provider".to_string()),
    }];

    let mut oak =
        location(OAK_LODGE, SUNRISE, "Oak Lodge", "Care home service without nursing", leeds("9 Oak Road", "LS6 2AB"));
    oak.beds = Some(12);
    oak.specialisms = vec!["Learning disabilities".to_string()];

    let mut harbour_care = location(
        HARBOUR_HOME_CARE,
        HARBOUR,
        "Harbour Home Care",
        "Homecare agencies",
        london("5 Dock Street", "E1 6AN", "Tower Hamlets"),
    );
    // A predecessor that is not in the register, so it cannot be linked.
    harbour_care.relationships = vec![Relationship {
        kind: RelationshipKind::Predecessor,
        related_id: lid(NOT_IN_REGISTER),
        related_name: Some("Dock House Care".to_string()),
        reason: None,
    }];
    let harbour_living = location(
        HARBOUR_LIVING,
        HARBOUR,
        "Harbour Supported Living",
        "Supported living service",
        london("7 Canal Walk", "NW1 2DB", "Camden"),
    );

    let mut old_rose = location(
        OLD_ROSE_COURT,
        SUNRISE,
        "Old Rose Court",
        "Care home service with nursing",
        leeds("2 Rose Lane", "LS1 4AP"),
    );
    old_rose.beds = Some(38);
    old_rose.registration = Registration {
        status: RegistrationStatus::Deregistered,
        registered_on: Some(date(2011, 1, 1)),
        deregistered_on: Some(date(2020, 12, 31)),
    };
    old_rose.relationships = vec![Relationship {
        kind: RelationshipKind::Successor,
        related_id: lid(ROSE_COURT),
        related_name: Some("Rose Court".to_string()),
        reason: None,
    }];
    vec![rose, oak, harbour_care, harbour_living, old_rose]
}

fn ratings() -> Vec<RatingRecord> {
    vec![
        rating(ROSE_COURT, date(2024, 3, 1), Rating::Good, Rating::RequiresImprovement),
        rating(ROSE_COURT, date(2021, 5, 10), Rating::RequiresImprovement, Rating::Inadequate),
        rating(OAK_LODGE, date(2023, 6, 1), Rating::Outstanding, Rating::Good),
        rating(HARBOUR_HOME_CARE, date(2024, 1, 15), Rating::Inadequate, Rating::Inadequate),
        rating(OLD_ROSE_COURT, date(2019, 2, 2), Rating::RequiresImprovement, Rating::RequiresImprovement),
    ]
}

pub fn plan() -> ImportPlan {
    ImportPlan {
        kind: "test-fixture".to_string(),
        origin: "tests".to_string(),
        providers: providers(),
        locations: locations(),
        ratings: ratings(),
        ..ImportPlan::default()
    }
}

/// A later import: a rated care home for Sunrise in Bristol, a local authority
/// and region the fixture has no locations in.
pub fn later_plan() -> ImportPlan {
    let bristol = Place {
        line1: "3 Clifton Down",
        town: "Bristol",
        postcode: "BS8 3HT",
        local_authority: "Bristol",
        region: Region::SouthWest,
    };
    let clifton = location(CLIFTON_HOUSE, SUNRISE, "Clifton House", "Care home service without nursing", bristol);
    ImportPlan {
        kind: "test-fixture".to_string(),
        origin: "tests, later".to_string(),
        locations: vec![clifton],
        ratings: vec![rating(CLIFTON_HOUSE, date(2024, 9, 1), Rating::Good, Rating::Good)],
        ..ImportPlan::default()
    }
}
