//! The complaints service against a real SQLite store in a temporary directory:
//! who may do what (one answer for missing and not theirs), the audit entries,
//! and invalid input refused with each field's problem and nothing kept.

mod common;

use common::{actor, import, location_id, open_store, provider_id};

use std::sync::Arc;

use candour_app::complaints::{ComplaintSettings, Complaints, ComplaintsError, Via};
use candour_app::{Actor, Denied, Gate};
use candour_domain::complaints::{ComplaintPolicy, RawComplaint, RawStep};
use candour_domain::{Location, LocationId, Provider, Role, Scope};
use candour_store::{AccountStore, AuditQuery, ComplaintStore, Store};
use candour_store_sqlite::SqliteStore;
use tempfile::TempDir;

struct Harness {
    complaints: Complaints,
    store: Arc<SqliteStore>,
    location: LocationId,
    manager: Actor,
    staff: Actor,
    elsewhere: Actor,
    inspector: Actor,
    _dir: TempDir,
}

async fn harness() -> Harness {
    let (store, dir) = open_store().await;
    let provider = provider_id("1-101");
    let location = location_id("1-201");
    let other = location_id("1-202");
    let mut home = Location::new(location.clone(), provider.clone(), "Willowbrook House");
    home.local_authority = Some("Leeds".into());
    let providers = vec![Provider::new(provider.clone(), "Brightwater Care Ltd")];
    import(&store, providers, vec![home, Location::new(other.clone(), provider, "Elm Court")]).await;
    let manager = actor(&store, "manager@example.org", Role::Manager, Scope::Location(location.clone())).await;
    let staff = actor(&store, "staff@example.org", Role::Staff, Scope::Location(location.clone())).await;
    let elsewhere = actor(&store, "elm@example.org", Role::Manager, Scope::Location(other)).await;
    let inspector = actor(&store, "inspector@example.org", Role::Inspector, Scope::All).await;
    let bundle: Arc<dyn Store> = store.clone();
    let settings =
        ComplaintSettings { policy: ComplaintPolicy::default(), public_url: "https://candour.example.org".into() };
    let notices = candour_app::notices::Notices::new(bundle.clone(), "https://candour.example.org");
    let complaints = Complaints::new(bundle.clone(), Gate::new(bundle), settings, notices);
    Harness { complaints, store, location, manager, staff, elsewhere, inspector, _dir: dir }
}

fn complaint() -> RawComplaint {
    RawComplaint {
        what_happened: "My mother's tablets were given late three times last week.".into(),
        desired_outcome: "An explanation.".into(),
        relationship: "family".into(),
        name: "Ann Example".into(),
        email: "ann@example.org".into(),
        ..RawComplaint::default()
    }
}

fn logged() -> RawComplaint {
    RawComplaint { channel: "phone".into(), received_on: chrono::Utc::now().date_naive().to_string(), ..complaint() }
}

impl Harness {
    async fn kept(&self) -> usize {
        self.store.complaints(std::slice::from_ref(&self.location), None).await.expect("complaints").len()
    }

    async fn audited(&self, action: &str) -> Vec<candour_store::AuditEntry> {
        let query = AuditQuery { action: Some(action.into()), per_page: 50, ..AuditQuery::default() };
        self.store.audit_log(&query).await.expect("audit log").items
    }
}

#[tokio::test]
async fn a_raised_complaint_is_kept_once_audited_and_followed_by_its_link() {
    let h = harness().await;
    let key = candour_app::voice::new_submission_key();
    let kept = h.complaints.raise(h.location.as_str(), &key, &complaint(), Some("192.0.2.9"), async |_| true).await;
    let kept = kept.expect("raised");
    assert!(kept.follow_url.starts_with("https://candour.example.org/complaints/follow/"));
    // The same form sent again keeps one complaint, with one audit entry.
    let again =
        h.complaints.raise(h.location.as_str(), &key, &complaint(), None, async |_| true).await.expect("raised");
    assert!(again.receipt.duplicate);
    assert_eq!(h.kept().await, 1);
    let entries = h.audited("complaint_raised").await;
    assert_eq!(entries.len(), 1);
    assert_eq!((entries[0].actor, entries[0].ip.as_deref()), (None, Some("192.0.2.9")));
    assert_eq!(entries[0].detail.as_deref(), Some("location:1-201"));

    let followed = h.complaints.follow(&key).await.expect("followed");
    assert_eq!(followed.reference, kept.receipt.reference);
    let unknown = h.complaints.follow(&candour_app::voice::new_submission_key()).await;
    assert!(matches!(unknown, Err(ComplaintsError::Denied(Denied::NotFound))));
    assert!(matches!(h.complaints.follow("not-a-key").await, Err(ComplaintsError::Denied(Denied::NotFound))));
}

#[tokio::test]
async fn an_invalid_or_limited_complaint_keeps_nothing() {
    let h = harness().await;
    let key = candour_app::voice::new_submission_key();
    let raw = RawComplaint { what_happened: String::new(), relationship: "cousin".into(), ..complaint() };
    let Err(ComplaintsError::Invalid(problems)) = h.complaints.raise("1-201", &key, &raw, None, async |_| true).await
    else {
        panic!("refused");
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
    assert!(fields.contains(&"what_happened") && fields.contains(&"relationship"), "{fields:?}");
    let limited = h.complaints.raise("1-201", &key, &complaint(), None, async |_| false).await;
    assert!(matches!(limited, Err(ComplaintsError::Limited)));
    let unreadable = h.complaints.raise("1-201", "not-a-key", &complaint(), None, async |_| true).await;
    assert!(matches!(unreadable, Err(ComplaintsError::Unreadable)));
    let bad_id = h.complaints.raise("nonsense", &key, &complaint(), None, async |_| true).await;
    assert!(matches!(bad_id, Err(ComplaintsError::Refused(_))));
    assert_eq!(h.kept().await, 0);
}

#[tokio::test]
async fn staff_log_complaints_but_only_those_who_handle_them_read_and_take_steps() {
    let h = harness().await;
    let key = candour_app::voice::new_submission_key();
    let kept = h.complaints.log(&h.staff, "1-201", &key, &logged()).await.expect("logged");
    let entries = h.audited("complaint_logged").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].resource, format!("complaint:{}", kept.receipt.id));

    // Another location's manager: the same answer as for no such location, and the refusal audited.
    let refused = h.complaints.log(&h.elsewhere, "1-201", &key, &logged()).await;
    assert!(matches!(refused, Err(ComplaintsError::Denied(Denied::NotFound))));
    assert!(matches!(
        h.complaints.log(&h.manager, "1-999", &key, &logged()).await,
        Err(ComplaintsError::Denied(Denied::NotFound))
    ));
    assert!(!h.audited("access_denied").await.is_empty());

    // Staff log but do not read; inspectors read but take no steps; the manager does both.
    let id = kept.receipt.id.to_string();
    for (who, reads) in [(&h.staff, false), (&h.elsewhere, false), (&h.inspector, true), (&h.manager, true)] {
        let read = h.complaints.for_location(who, "1-201", None, Via::Page).await;
        assert_eq!(read.is_ok(), reads, "{:?}", who.principal.email);
    }
    let step =
        RawStep { step: "acknowledge".into(), on: chrono::Utc::now().date_naive().to_string(), ..RawStep::default() };
    let inspector = h.complaints.take_step(&h.inspector, &id, &step).await;
    assert!(matches!(inspector, Err(ComplaintsError::Denied(Denied::NotFound))));
    let taken = h.complaints.take_step(&h.manager, &id, &step).await.expect("acknowledged");
    assert!(taken.acknowledged_on.is_some());
    let steps = h.audited("complaint_step").await;
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].detail.as_deref(), Some("acknowledge"));
    // The same step again: the complaint has moved on.
    assert!(matches!(h.complaints.take_step(&h.manager, &id, &step).await, Err(ComplaintsError::Conflict(_))));
    // A step with a problem names its field and changes nothing.
    let bad = RawStep { step: "acknowledge".into(), on: "soon".into(), ..RawStep::default() };
    let Err(ComplaintsError::Invalid(problems)) = h.complaints.take_step(&h.manager, &id, &bad).await else {
        panic!("refused");
    };
    assert_eq!(problems[0].field, "on");
    assert_eq!(h.audited("complaint_step").await.len(), 1);
}

#[tokio::test]
async fn dashboard_reads_are_audited_and_a_status_outside_the_list_is_refused() {
    let h = harness().await;
    h.complaints.log(&h.manager, "1-201", &candour_app::voice::new_submission_key(), &logged()).await.expect("logged");
    let found = h.complaints.for_location(&h.manager, "1-201", Some("received"), Via::Api).await.expect("read");
    assert_eq!(found.complaints.len(), 1);
    assert!(found.can_log);
    let reads = h.audited("read").await;
    assert_eq!(reads[0].resource, "complaints:location:1-201");
    assert_eq!(reads[0].detail.as_deref(), Some("api"));
    let refused = h.complaints.for_location(&h.manager, "1-201", Some("lost"), Via::Page).await;
    assert!(matches!(refused, Err(ComplaintsError::Refused(_))));

    let provider = h.complaints.export_for_provider(&h.manager, "1-101").await.expect("export");
    assert_eq!(provider.complaints.len(), 1);
    assert_eq!(h.audited("export").await[0].detail.as_deref(), Some("csv: 1 rows"));
    let staff = h.complaints.for_provider(&h.staff, "1-101", None).await;
    assert!(matches!(staff, Err(ComplaintsError::Denied(_))));
}
