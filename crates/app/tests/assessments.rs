//! The assessment service against a real SQLite store in a temporary directory:
//! who may do what, what is audited, what is refused before anything is written,
//! and publishing turning the engine's result into the rating.

mod common;

use common::{actor, import, location_id, now, open_store, provider_id};

use std::sync::Arc;

use candour_app::assessments::{Assessments, AssessmentsError};
use candour_app::{Actor, Denied, Gate};
use candour_domain::{Location, LocationId, Provider, RatingSource, Role, Scope};
use candour_store::{AccountStore, AssessmentStatus, AssessmentStore, AuditQuery, RegisterStore};
use candour_store_sqlite::SqliteStore;
use tempfile::TempDir;

const GROUP: &str = "Care home service with nursing";

struct Harness {
    service: Assessments,
    store: Arc<SqliteStore>,
    location: LocationId,
    inspector: Actor,
    provider_admin: Actor,
    other_admin: Actor,
    _dir: TempDir,
}

async fn harness() -> Harness {
    let (store, dir) = open_store().await;
    let provider = provider_id("1-101");
    let other = provider_id("1-102");
    let location = location_id("1-201");
    let mut home = Location::new(location.clone(), provider.clone(), "Rose Court");
    home.service_types = vec![GROUP.to_string()];
    let providers = vec![Provider::new(provider.clone(), "Sunrise Care"), Provider::new(other.clone(), "Elsewhere")];
    import(&store, providers, vec![home]).await;
    let inspector = actor(&store, "inspector@example.org", Role::Inspector, Scope::All).await;
    let provider_admin = actor(&store, "pa@sunrise.example", Role::ProviderAdmin, Scope::Provider(provider)).await;
    let other_admin = actor(&store, "pa@elsewhere.example", Role::ProviderAdmin, Scope::Provider(other)).await;
    let gate = Gate::new(store.clone());
    let notices = candour_app::notices::Notices::new(store.clone(), "https://candour.example.org");
    let service = Assessments::new(store.clone(), gate, notices);
    Harness { service, store, location, inspector, provider_admin, other_admin, _dir: dir }
}

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

impl Harness {
    async fn audited(&self, action: &str, resource: &str) -> Vec<Option<String>> {
        let query = AuditQuery {
            action: Some(action.into()),
            resource: Some(resource.into()),
            page: 1,
            per_page: 50,
            ..AuditQuery::default()
        };
        let log = self.store.audit_log(&query).await.expect("the audit log");
        log.items.into_iter().filter(|e| e.resource == resource).map(|e| e.detail).collect()
    }

    async fn open(&self) -> i64 {
        self.service.open(&self.inspector, self.location.as_str(), GROUP, now()).await.expect("opened")
    }

    /// Every key question given a standing rating of Good, so the draft can be rated.
    async fn rate_everything_good(&self, id: &str) {
        for kq in ["safe", "effective", "caring", "responsive", "well_led"] {
            let fields = form(&[(&format!("{kq}-standing"), "good"), (&format!("{kq}-standing-on"), "2023-06-01")]);
            self.service.save_key_question(&self.inspector, id, kq, &fields, now()).await.expect("scored");
        }
    }
}

#[tokio::test]
async fn only_inspectors_open_assessments_and_a_draft_is_theirs_alone() {
    let h = harness().await;
    let refused = h.service.open(&h.provider_admin, h.location.as_str(), GROUP, now()).await;
    assert!(matches!(refused, Err(AssessmentsError::Denied(Denied::NotFound))), "{refused:?}");
    let wrong = h.service.open(&h.inspector, h.location.as_str(), "Homecare agencies", now()).await;
    assert!(matches!(&wrong, Err(AssessmentsError::Refused { message, .. }) if message.contains("service types")));

    let id = h.open().await;
    let resource = format!("assessment:{id}");
    assert_eq!(h.audited("create", &resource).await, vec![Some(format!("location:{}", h.location))]);

    // The provider cannot see a draft: the same answer as an assessment that does not exist.
    let hidden = h.service.assessment(&h.provider_admin, &id.to_string(), None).await;
    assert!(matches!(hidden, Err(AssessmentsError::Denied(Denied::NotFound))));
    let missing = h.service.assessment(&h.inspector, "999", None).await;
    assert!(matches!(missing, Err(AssessmentsError::Denied(Denied::NotFound))));
    assert_eq!(h.audited("access_denied", &format!("assessment:location:{}", h.location)).await.len(), 2);

    // The inspector's read is audited, with the API's note when it came that way.
    let opened = h.service.assessment(&h.inspector, &id.to_string(), Some("api")).await.expect("readable");
    assert!(opened.may_score && !opened.may_challenge);
    assert_eq!(h.audited("read", &resource).await, vec![Some("api".to_string())]);
    // Shown again after a refused step: no second read recorded.
    h.service.again(&h.inspector, &id.to_string()).await.expect("readable");
    assert_eq!(h.audited("read", &resource).await.len(), 1);
}

#[tokio::test]
async fn bad_input_is_refused_against_its_field_and_nothing_is_written() {
    let h = harness().await;
    let id = h.open().await.to_string();
    let both = form(&[("S1-score", "4"), ("safe-standing", "good")]);
    let Err(AssessmentsError::Invalid(problems)) =
        h.service.save_key_question(&h.inspector, &id, "safe", &both, now()).await
    else {
        panic!("scores and a standing rating together are refused");
    };
    assert_eq!(problems[0].field, "safe-standing");
    let Err(AssessmentsError::Invalid(problems)) = h.service.send(&h.inspector, &id, "0", now()).await else {
        panic!("a window of no days is refused");
    };
    assert_eq!(problems[0].field, "window_days");
    let record = h.store.assessment(id.parse().unwrap()).await.expect("stored");
    assert_eq!(record.status, AssessmentStatus::Draft);
    assert!(record.standing.is_empty() && record.statements.is_empty());
    assert!(h.audited("update", &format!("assessment:{id}")).await.is_empty());
    assert!(h.audited("send", &format!("assessment:{id}")).await.is_empty());
}

#[tokio::test]
async fn once_sent_the_lifecycle_rule_locks_the_scores_and_publishing_makes_the_rating() {
    let h = harness().await;
    let id = h.open().await.to_string();
    h.rate_everything_good(&id).await;
    h.service.send(&h.inspector, &id, "14", now()).await.expect("sent");

    // Locked: refused with the rule's words, and nothing recorded.
    let locked = h.service.save_facts(&h.inspector, &id, &form(&[("breach", "yes")]), now()).await;
    let Err(AssessmentsError::Conflict { field, message }) = locked else { panic!("{locked:?}") };
    assert_eq!(field, "facts");
    assert!(message.starts_with("The draft was sent to the provider"), "{message}");
    assert!(message.contains("its findings are locked"), "{message}");
    assert_eq!(h.audited("update", &format!("assessment:{id}")).await.len(), 5, "the five key questions only");

    // Publishing waits for the window or the provider; another provider cannot say so.
    let early = h.service.publish(&h.inspector, &id, now()).await;
    assert!(matches!(early, Err(AssessmentsError::Conflict { ref field, .. }) if field == "publish"), "{early:?}");
    let outsider = h.service.finish_challenges(&h.other_admin, &id, now()).await;
    assert!(matches!(outsider, Err(AssessmentsError::Denied(Denied::NotFound))), "{outsider:?}");
    h.service.finish_challenges(&h.provider_admin, &id, now()).await.expect("the provider has finished");
    let saved = h.service.publish(&h.inspector, &id, now()).await.expect("published");
    assert_eq!(saved.anchor, "workflow");
    assert_eq!(h.audited("publish", &format!("assessment:{id}")).await.len(), 1);

    let record = h.store.assessment(saved.id).await.expect("stored");
    assert_eq!(record.status, AssessmentStatus::Published);
    let detail = h.store.location(&h.location).await.expect("the location");
    let candour = detail.current_ratings.iter().find(|r| r.source == RatingSource::Candour).expect("a Candour rating");
    assert_eq!(candour.overall, Some(candour_domain::Rating::Good));
    let again = h.service.publish(&h.inspector, &id, now()).await;
    assert!(matches!(again, Err(AssessmentsError::Conflict { .. })), "published once only: {again:?}");
}

#[tokio::test]
async fn the_provider_hears_a_draft_is_sent_and_each_challenge_decided() {
    let h = harness().await;
    for admin in [&h.provider_admin, &h.other_admin] {
        h.store.set_password_hash(admin.principal.user_id, "$argon2id$test", now()).await.expect("signed up");
    }
    let id = h.open().await.to_string();
    h.rate_everything_good(&id).await;
    h.service.send(&h.inspector, &id, "14", now()).await.expect("sent");
    let outbox = h.store.outbox(10).await.expect("outbox");
    assert_eq!(outbox.len(), 1, "the provider's administrator only: {outbox:?}");
    assert_eq!(outbox[0].to.as_str(), "pa@sunrise.example");
    let ends = (now().date_naive() + chrono::Days::new(14)).format("%-d %B %Y").to_string();
    assert_eq!(outbox[0].subject, format!("Draft report on Rose Court: check its facts by {ends}"));
    assert!(outbox[0].link.as_deref().is_some_and(|l| l.ends_with(&format!("/manage/assessments/{id}"))));

    let record = h.store.assessment(id.parse().unwrap()).await.expect("stored");
    let (finding, _) = candour_app::assessments::findings(&record).remove(0);
    h.service.raise_challenge(&h.provider_admin, &id, &finding, "The audit was in May.", now()).await.expect("raised");
    let challenge = h.store.assessment(id.parse().unwrap()).await.expect("stored").challenges[0].id.to_string();
    h.service
        .decide_challenge(&h.inspector, &id, &challenge, "accept", "Audits were in May", now())
        .await
        .expect("decided");
    let outbox = h.store.outbox(10).await.expect("outbox");
    assert_eq!(outbox.len(), 2);
    assert_eq!(outbox[0].subject, "Your challenge to the draft report on Rose Court was decided");
    assert!(outbox[0].body.contains("accepted: the report will be corrected"), "{}", outbox[0].body);
    assert!(!outbox[0].body.contains("Audits were in May"), "the reason is read in the report");
}
