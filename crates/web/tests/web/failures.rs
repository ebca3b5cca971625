//! Headers, assets, and what the public sees when the database fails.

use std::sync::Arc;

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use candour_domain::returns::{Month, MonthlyReturn};
use candour_domain::voice::{Progress, VoiceFacts};
use candour_domain::voice_month::VoiceMonth;
use candour_domain::{Email, LocationId, ProviderId, UserId};
use candour_store::*;
use chrono::{DateTime, Utc};

use crate::fixture::*;

#[tokio::test]
async fn security_headers_are_on_every_response() {
    let app = TestApp::new().await;
    for uri in ["/", "/locations?region=atlantis", "/nowhere", "/api/v1/locations", "/healthz"] {
        let reply = app.get(uri).await;
        let csp = reply.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{uri}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{uri}: {csp}");
        assert_eq!(reply.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{uri}");
        assert_eq!(reply.headers[header::REFERRER_POLICY], "strict-origin-when-cross-origin", "{uri}");
    }
}

#[tokio::test]
async fn strict_transport_security_is_sent_only_when_the_site_is_https() {
    let secure = TestApp::with_config(test_config_at("https://candour.test")).await;
    for uri in ["/", "/nowhere", "/api/v1/locations", "/healthz"] {
        let reply = secure.get(uri).await;
        assert_eq!(reply.headers[header::STRICT_TRANSPORT_SECURITY], "max-age=31536000", "{uri}");
    }
    let plain = TestApp::with_config(test_config_at("http://candour.test")).await;
    let reply = plain.get("/").await;
    assert!(reply.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "not over http");
}

#[tokio::test]
async fn pages_are_gzipped_when_asked() {
    let app = TestApp::new().await;
    let request = Request::get("/locations").header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap();
    let reply = app.request(request).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers[header::CONTENT_ENCODING], "gzip");
}

#[tokio::test]
async fn assets_are_embedded_and_cached() {
    let app = TestApp::new().await;
    let home = app.get("/").await;
    let href = home.body.split(r#"<link rel="stylesheet" href=""#).nth(1).and_then(|s| s.split('"').next()).unwrap();
    let css = app.get(href).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
    assert_eq!(css.headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert!(css.body.contains(".skip-link"));

    let unversioned = app.get("/assets/candour.css").await;
    assert_eq!(unversioned.headers[header::CACHE_CONTROL], "public, max-age=300");

    let etag = css.headers[header::ETAG].clone();
    let request = Request::get(href).header(header::IF_NONE_MATCH, etag).body(Body::empty()).unwrap();
    assert_eq!(app.request(request).await.status, StatusCode::NOT_MODIFIED);

    let logo = app.get("/assets/logo.svg").await;
    assert_eq!(logo.headers[header::CONTENT_TYPE], "image/svg+xml");
    assert_eq!(app.get("/assets/missing.js").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn request_bodies_are_limited() {
    let app = TestApp::new().await;
    let big = vec![b'x'; 1024 * 1024];
    let request =
        Request::post("/locations").header(header::CONTENT_LENGTH, big.len()).body(Body::from(big.clone())).unwrap();
    let reply = app.request(request).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    reply.assert_contains(&["What was sent is too large", "larger than 64 KB", "Nothing was saved"]);
    // The API answers in its JSON.
    let request = Request::post(format!("/api/v1/locations/{ROSE_COURT}/feedback"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, big.len())
        .body(Body::from(big))
        .unwrap();
    let reply = app.request(request).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.json()["error"]["status"], 413, "{}", reply.body);
}

/// A store whose database has gone away.
/// A store whose every read fails; `ping` answers when `answers_ping`, as a
/// database that is up but whose monitoring reads fail would.
struct BrokenStore {
    answers_ping: bool,
}

fn broken<T>() -> StoreResult<T> {
    Err(StoreError::Other("disk I/O error at /var/lib/candour/secret.db".into()))
}

#[async_trait]
impl AccountStore for BrokenStore {
    async fn create_user(&self, _: &NewUser) -> StoreResult<User> {
        broken()
    }
    async fn user(&self, _: UserId) -> StoreResult<User> {
        broken()
    }
    async fn users(&self) -> StoreResult<Vec<User>> {
        broken()
    }
    async fn update_user(&self, _: UserId, _: &UserUpdate) -> StoreResult<User> {
        broken()
    }
    async fn sign_in_record(&self, _: &Email) -> StoreResult<Option<SignInRecord>> {
        broken()
    }
    async fn set_sign_in_state(&self, _: UserId, _: &SignInState) -> StoreResult<()> {
        broken()
    }
    async fn set_password_hash(&self, _: UserId, _: &str, _: DateTime<Utc>) -> StoreResult<()> {
        broken()
    }
    async fn create_session(&self, _: &NewSession) -> StoreResult<()> {
        broken()
    }
    async fn session(&self, _: &str, _: DateTime<Utc>) -> StoreResult<Option<SessionRecord>> {
        broken()
    }
    async fn extend_session(&self, _: &str, _: DateTime<Utc>) -> StoreResult<()> {
        broken()
    }
    async fn delete_session(&self, _: &str) -> StoreResult<()> {
        broken()
    }
    async fn delete_sessions_of(&self, _: UserId) -> StoreResult<()> {
        broken()
    }
    async fn create_link(&self, _: &NewLink) -> StoreResult<()> {
        broken()
    }
    async fn consume_link(&self, _: LinkPurpose, _: &str, _: DateTime<Utc>) -> StoreResult<UserId> {
        broken()
    }
    async fn create_api_token(&self, _: &NewApiToken) -> StoreResult<ApiToken> {
        broken()
    }
    async fn api_tokens(&self, _: UserId) -> StoreResult<Vec<ApiToken>> {
        broken()
    }
    async fn use_api_token(&self, _: &str, _: DateTime<Utc>) -> StoreResult<Option<(ApiToken, User)>> {
        broken()
    }
    async fn revoke_api_token(&self, _: UserId, _: i64, _: DateTime<Utc>) -> StoreResult<()> {
        broken()
    }
    async fn append_audit(&self, _: &NewAuditEntry) -> StoreResult<()> {
        broken()
    }
    async fn audit_log(&self, _: &AuditQuery) -> StoreResult<Page<AuditEntry>> {
        broken()
    }
    async fn queue_email(&self, _: &OutgoingEmail) -> StoreResult<i64> {
        broken()
    }
    async fn outbox(&self, _: u32) -> StoreResult<Vec<OutboxEntry>> {
        broken()
    }
    async fn outbox_health(&self) -> StoreResult<OutboxHealth> {
        broken()
    }
}

#[async_trait]
impl OutboxStore for BrokenStore {
    async fn claim_due_emails(&self, _: DateTime<Utc>, _: DateTime<Utc>, _: u32) -> StoreResult<Vec<OutboxEntry>> {
        broken()
    }
    async fn mark_email_sent(&self, _: i64, _: DateTime<Utc>) -> StoreResult<()> {
        broken()
    }
    async fn mark_email_failed(&self, _: i64, _: &str, _: DateTime<Utc>) -> StoreResult<()> {
        broken()
    }
}

#[async_trait]
impl NoticeStore for BrokenStore {
    async fn mail_choices(&self, _: &str, _: &[Email]) -> StoreResult<Vec<(Email, MailChoice)>> {
        broken()
    }
    async fn mail_choices_of(&self, _: &Email) -> StoreResult<Vec<(String, MailChoice)>> {
        broken()
    }
    async fn set_mail_choice(&self, _: &Email, _: &str, _: MailChoice, _: DateTime<Utc>) -> StoreResult<()> {
        broken()
    }
    async fn unsubscribe_link(&self, _: &str) -> StoreResult<(Email, String)> {
        broken()
    }
    async fn sent_notices(&self, _: &[String]) -> StoreResult<Vec<String>> {
        broken()
    }
    async fn queue_once(&self, _: &str, _: &[OutgoingEmail], _: DateTime<Utc>) -> StoreResult<bool> {
        broken()
    }
    async fn queue_digests(
        &self,
        _: DateTime<Utc>,
        _: DateTime<Utc>,
        _: &(dyn for<'a> Fn(Digest<'a>) -> OutgoingEmail + Send + Sync),
    ) -> StoreResult<u32> {
        broken()
    }
    async fn add_follow(
        &self,
        _: &LocationId,
        _: &Email,
        _: &str,
        _: &OutgoingEmail,
        _: DateTime<Utc>,
    ) -> StoreResult<()> {
        broken()
    }
    async fn confirm_follow(&self, _: &str, _: DateTime<Utc>) -> StoreResult<Follow> {
        broken()
    }
    async fn follow_by_token(&self, _: &str) -> StoreResult<Follow> {
        broken()
    }
    async fn follows(&self) -> StoreResult<Vec<Follow>> {
        broken()
    }
    async fn recipients_for(&self, _: &LocationId, _: &[candour_domain::Role]) -> StoreResult<Vec<Recipient>> {
        broken()
    }
}

#[async_trait]
impl VoiceStore for BrokenStore {
    async fn published_replies(&self, _: DateTime<Utc>) -> StoreResult<Vec<PublishedReply>> {
        broken()
    }
    async fn submit_feedback(&self, _new: &NewFeedback) -> StoreResult<Receipt> {
        broken()
    }
    async fn own_feedback(&self, _key_hash: &str) -> StoreResult<OwnFeedback> {
        broken()
    }
    async fn rate_progress(
        &self,
        _key_hash: &str,
        _outcome_id: i64,
        _progress: Progress,
        _at: DateTime<Utc>,
    ) -> StoreResult<()> {
        broken()
    }
    async fn moderation_queue(&self, _query: &ModerationQuery) -> StoreResult<Page<FeedbackRecord>> {
        broken()
    }
    async fn feedback_record(&self, _id: i64) -> StoreResult<FeedbackRecord> {
        broken()
    }
    async fn feedback_by_reference(&self, _reference: &str) -> StoreResult<FeedbackRecord> {
        broken()
    }
    async fn moderate(&self, _id: i64, _moderation: &Moderation) -> StoreResult<()> {
        broken()
    }
    async fn review_burst(&self, _: &candour_store::BurstReview) -> StoreResult<()> {
        broken()
    }
    async fn add_outcome(&self, _: &str, _: &str) -> StoreResult<i64> {
        broken()
    }
    async fn set_reminder(&self, _: &str, _: &candour_store::NewReminder) -> StoreResult<()> {
        broken()
    }
    async fn stop_reminder(&self, _: candour_store::StopReminder<'_>) -> StoreResult<bool> {
        broken()
    }
    async fn queue_due_reminders(
        &self,
        _: DateTime<Utc>,
        _: u32,
        _: &(dyn for<'r> Fn(&'r candour_store::DueReminder) -> OutgoingEmail + Sync),
    ) -> StoreResult<u32> {
        broken()
    }
    async fn retire_outcome(&self, _: &str, _: i64, _: DateTime<Utc>) -> StoreResult<()> {
        broken()
    }
    async fn set_safeguarding_contact(
        &self,
        _scope: &ContactScope,
        _contact: Option<(&str, &Email)>,
        _by: Option<UserId>,
        _at: DateTime<Utc>,
    ) -> StoreResult<()> {
        broken()
    }
    async fn safeguarding_contact(&self, _scope: &ContactScope) -> StoreResult<Option<SafeguardingContact>> {
        broken()
    }
    async fn safeguarding_contacts_for(&self, _location: &LocationId) -> StoreResult<Vec<SafeguardingContact>> {
        broken()
    }
    async fn alerts(&self, _scope: &AlertScope, _open_only: bool, _limit: u32) -> StoreResult<Vec<Alert>> {
        broken()
    }
    async fn alert(&self, _id: i64) -> StoreResult<Alert> {
        broken()
    }
    async fn acknowledge_alert(&self, _id: i64, _by: UserId, _note: &str, _at: DateTime<Utc>) -> StoreResult<()> {
        broken()
    }
    async fn escalate_alert(
        &self,
        _: i64,
        _: u32,
        _: &str,
        _: &[OutgoingEmail],
        _: DateTime<Utc>,
    ) -> StoreResult<bool> {
        broken()
    }
    async fn add_reply(&self, _reply: &NewReply) -> StoreResult<candour_store::Reply> {
        broken()
    }
    async fn published_reply_count(&self, _author: UserId) -> StoreResult<u32> {
        broken()
    }
    async fn replies_to_check(&self, _limit: u32) -> StoreResult<Vec<ReplyToCheck>> {
        broken()
    }
    async fn check_reply(
        &self,
        _id: i64,
        _reject_reason: Option<&str>,
        _by: UserId,
        _at: DateTime<Utc>,
    ) -> StoreResult<()> {
        broken()
    }
    async fn replies_of(&self, _location: &LocationId) -> StoreResult<Vec<candour_store::Reply>> {
        broken()
    }
    async fn published_stories(
        &self,
        _location: &LocationId,
        _page: u32,
        _per_page: u32,
    ) -> StoreResult<Page<PublishedStory>> {
        broken()
    }
    async fn published_stories_in(&self, _: &[LocationId], _: u32) -> StoreResult<Vec<(LocationId, PublishedStory)>> {
        broken()
    }
    async fn stories_to_answer(
        &self,
        _location: &LocationId,
        _page: u32,
        _per_page: u32,
    ) -> StoreResult<Page<PublishedStory>> {
        broken()
    }
    async fn voice_facts(&self, _location: &LocationId, _since: DateTime<Utc>) -> StoreResult<VoiceFacts> {
        broken()
    }
    async fn voice_snapshot(&self, _location: &LocationId) -> StoreResult<Option<DateTime<Utc>>> {
        broken()
    }
    async fn refresh_voice_snapshots(&self, _: u32, _: DateTime<Utc>, _: DateTime<Utc>) -> StoreResult<u64> {
        broken()
    }
    async fn load_historic_feedback(&self, _batch: &[HistoricFeedback]) -> StoreResult<()> {
        broken()
    }
}

#[async_trait]
impl ReturnsStore for BrokenStore {
    async fn save_returns(&self, _: &ReturnBatch) -> StoreResult<ReturnCounts> {
        broken()
    }
    async fn returns_of(&self, _: &LocationId, _: Month, _: Month) -> StoreResult<Vec<ReturnRecord>> {
        broken()
    }
    async fn latest_return_months(&self) -> StoreResult<Vec<(LocationId, Month)>> {
        broken()
    }
}

#[async_trait]
impl MonitoringStore for BrokenStore {
    async fn monitored_locations(&self) -> StoreResult<Readings<ServiceFacts>> {
        broken()
    }
    async fn voice_months(&self, _: Locations<'_>, _: Month) -> StoreResult<Readings<(LocationId, Month, VoiceMonth)>> {
        broken()
    }
    async fn monitored_returns(
        &self,
        _: Locations<'_>,
        _: Month,
    ) -> StoreResult<Readings<(LocationId, MonthlyReturn)>> {
        broken()
    }
    async fn latest_alerts(&self, _: Locations<'_>, _: u8) -> StoreResult<Readings<(LocationId, DateTime<Utc>)>> {
        broken()
    }
    async fn burst_reviews(&self, _: Locations<'_>, _: Month) -> StoreResult<Readings<(LocationId, Month, bool)>> {
        broken()
    }
    async fn complaint_logs(
        &self,
        _: Locations<'_>,
        _: Month,
        _: chrono::NaiveDate,
    ) -> StoreResult<Readings<ComplaintLog>> {
        broken()
    }
}

#[async_trait]
impl ComplaintStore for BrokenStore {
    async fn add_complaint(&self, _: &NewComplaint) -> StoreResult<ComplaintReceipt> {
        broken()
    }
    async fn complaint(&self, _: i64) -> StoreResult<ComplaintRecord> {
        broken()
    }
    async fn complaint_by_follow(&self, _: &str) -> StoreResult<ComplaintRecord> {
        broken()
    }
    async fn complaints(
        &self,
        _: &[LocationId],
        _: Option<candour_domain::complaints::ComplaintStatus>,
    ) -> StoreResult<Vec<ComplaintRecord>> {
        broken()
    }
    async fn open_complaints(&self) -> StoreResult<Vec<ComplaintRecord>> {
        broken()
    }
    async fn add_complaint_event(
        &self,
        _: i64,
        _: &str,
        _: &str,
        _: DateTime<Utc>,
        _: &[OutgoingEmail],
    ) -> StoreResult<ComplaintRecord> {
        broken()
    }
    async fn add_complaint_link(&self, _: i64, _: &str, _: DateTime<Utc>) -> StoreResult<()> {
        broken()
    }
    async fn take_complaint_step(
        &self,
        _: i64,
        _: &candour_domain::complaints::ComplaintStep,
        _: Option<UserId>,
        _: DateTime<Utc>,
        _: &[OutgoingEmail],
    ) -> StoreResult<ComplaintRecord> {
        broken()
    }
}

#[async_trait]
impl ImprovementStore for BrokenStore {
    async fn plans_with_open_actions(&self) -> StoreResult<Vec<Plan>> {
        broken()
    }
    async fn create_plan(&self, _: &NewPlan) -> StoreResult<Plan> {
        broken()
    }
    async fn plan(&self, _: i64) -> StoreResult<Plan> {
        broken()
    }
    async fn plans_in(&self, _: &[LocationId]) -> StoreResult<Vec<Plan>> {
        broken()
    }
    async fn plans_of(&self, _: &LocationId) -> StoreResult<Vec<Plan>> {
        broken()
    }
    async fn add_action(
        &self,
        _: i64,
        _: &candour_domain::improvement::ActionDetails,
        _: UserId,
        _: DateTime<Utc>,
    ) -> StoreResult<PlanAction> {
        broken()
    }
    async fn update_action(
        &self,
        _: i64,
        _: i64,
        _: &candour_domain::improvement::ActionDetails,
        _: DateTime<Utc>,
    ) -> StoreResult<()> {
        broken()
    }
    async fn set_action_status(&self, _: i64, _: i64, _: &StatusChange) -> StoreResult<()> {
        broken()
    }
    async fn add_evidence(&self, _: i64, _: i64, _: &NewEvidence) -> StoreResult<candour_store::Evidence> {
        broken()
    }
    async fn evidence_file(&self, _: i64, _: i64) -> StoreResult<(FileMeta, Vec<u8>)> {
        broken()
    }
    async fn save_reflection(
        &self,
        _: i64,
        _: &candour_domain::improvement::Reflection,
        _: DateTime<Utc>,
    ) -> StoreResult<()> {
        broken()
    }
    async fn publish_plan(&self, _: i64, _: &Publishing) -> StoreResult<()> {
        broken()
    }
    async fn unpublish_plan(&self, _: i64, _: DateTime<Utc>) -> StoreResult<()> {
        broken()
    }
}

#[async_trait]
impl PolicyStore for BrokenStore {
    async fn policies_to_confirm(&self, _: DateTime<Utc>) -> StoreResult<Vec<PolicyToConfirm>> {
        broken()
    }
    async fn publish_policy(&self, _: &NewPolicyVersion) -> StoreResult<PolicyVersion> {
        broken()
    }
    async fn withdraw_policy(&self, _: i64, _: DateTime<Utc>) -> StoreResult<()> {
        broken()
    }
    async fn policy(&self, _: i64) -> StoreResult<PolicyRecord> {
        broken()
    }
    async fn policy_version(&self, _: i64, _: candour_domain::policies::Version) -> StoreResult<PolicyVersion> {
        broken()
    }
    async fn policies_of(&self, _: &ProviderId) -> StoreResult<Vec<PolicySummary>> {
        broken()
    }
    async fn confirm_policy_read(
        &self,
        _: i64,
        _: candour_domain::policies::Version,
        _: UserId,
        _: DateTime<Utc>,
    ) -> StoreResult<DateTime<Utc>> {
        broken()
    }
    async fn confirmed_by(
        &self,
        _: &ProviderId,
        _: UserId,
    ) -> StoreResult<Vec<(i64, candour_domain::policies::Version, DateTime<Utc>)>> {
        broken()
    }
    async fn policy_readers(&self, _: i64) -> StoreResult<Vec<Reader>> {
        broken()
    }
    async fn policy_read_rates(&self, _: Option<&ProviderId>) -> StoreResult<Vec<LocationReadRate>> {
        broken()
    }
}

#[async_trait]
impl PracticeStore for BrokenStore {
    async fn create_practice(&self, _: &NewPractice) -> StoreResult<i64> {
        broken()
    }
    async fn update_practice(
        &self,
        _: i64,
        _: &candour_domain::practice::PracticeDraft,
        _: DateTime<Utc>,
    ) -> StoreResult<()> {
        broken()
    }
    async fn set_practice_published(&self, _: i64, _: bool, _: DateTime<Utc>) -> StoreResult<()> {
        broken()
    }
    async fn practice(&self, _: i64) -> StoreResult<PracticeRecord> {
        broken()
    }
    async fn practices_of(&self, _: &LocationId) -> StoreResult<Vec<PracticeSummary>> {
        broken()
    }
    async fn search_practice(&self, _: &PracticeQuery) -> StoreResult<Page<PracticeSummary>> {
        broken()
    }
}

#[async_trait]
impl VisitStore for BrokenStore {
    async fn create_visit(&self, _: &NewVisit) -> StoreResult<VisitRecord> {
        broken()
    }
    async fn visit(&self, _: i64) -> StoreResult<VisitRecord> {
        broken()
    }
    async fn visits(&self, _: &VisitsOf) -> StoreResult<Vec<VisitRecord>> {
        broken()
    }
    async fn update_visit(
        &self,
        _: i64,
        _: &candour_domain::visit::VisitChange,
        _: UserId,
        _: DateTime<Utc>,
    ) -> StoreResult<()> {
        broken()
    }
    async fn send_visit(&self, _: i64, _: chrono::NaiveDate, _: DateTime<Utc>) -> StoreResult<()> {
        broken()
    }
    async fn raise_visit_challenge(&self, _: i64, _: &NewChallenge) -> StoreResult<Challenge> {
        broken()
    }
    async fn decide_visit_challenge(&self, _: i64, _: i64, _: &ChallengeDecision) -> StoreResult<()> {
        broken()
    }
    async fn finish_visit_challenges(&self, _: i64, _: UserId, _: DateTime<Utc>) -> StoreResult<()> {
        broken()
    }
    async fn publish_visit(&self, _: i64, _: UserId, _: DateTime<Utc>) -> StoreResult<()> {
        broken()
    }
}

#[async_trait]
impl JournalStore for BrokenStore {
    async fn changes_after(&self, _: i64, _: u32) -> StoreResult<Vec<Change>> {
        broken()
    }
    async fn wait_for_changes(&self, _: i64, timeout: std::time::Duration) {
        tokio::time::sleep(timeout).await;
    }
    async fn write_position(&self) -> StoreResult<Option<candour_store::consistency::WritePosition>> {
        broken()
    }
    async fn last_change(&self) -> StoreResult<i64> {
        broken()
    }
    async fn prune_changes(&self, _: i64, _: DateTime<Utc>) -> StoreResult<u64> {
        broken()
    }
}

#[async_trait]
impl AllowanceStore for BrokenStore {
    async fn take_allowances(&self, _: &[(&str, Allowance)], _: DateTime<Utc>) -> StoreResult<Result<(), Refused>> {
        broken()
    }
}

#[async_trait]
impl JobLockStore for BrokenStore {
    async fn try_job_lock(&self, _: &str) -> StoreResult<Option<JobLock>> {
        broken()
    }
}

#[async_trait]
impl RegisterStore for BrokenStore {
    async fn location(&self, _: &LocationId) -> StoreResult<LocationDetail> {
        broken()
    }
    async fn provider(&self, _: &ProviderId) -> StoreResult<ProviderDetail> {
        broken()
    }
    async fn search_locations(&self, _: &LocationQuery) -> StoreResult<Page<LocationSummary>> {
        broken()
    }
    async fn local_authorities(&self) -> StoreResult<Vec<AreaCount>> {
        broken()
    }
    async fn specialisms(&self) -> StoreResult<Vec<NameCount>> {
        broken()
    }
    async fn place(&self, _: &str) -> StoreResult<Option<candour_store::Place>> {
        broken()
    }
    async fn register_stats(&self) -> StoreResult<RegisterStats> {
        broken()
    }
    async fn overall_ratings_in(
        &self,
        _: &MarketScope,
    ) -> StoreResult<Vec<(LocationId, chrono::NaiveDate, candour_domain::Rating)>> {
        broken()
    }
    async fn register_snapshot(&self) -> StoreResult<RegisterSnapshot> {
        broken()
    }
    async fn apply_import(&self, _: &ImportPlan) -> StoreResult<()> {
        broken()
    }
    async fn import_runs(&self, _: u32) -> StoreResult<Vec<ImportRun>> {
        broken()
    }
    async fn get_state(&self, _: &str) -> StoreResult<Option<String>> {
        broken()
    }
    async fn set_state(&self, _: &str, _: &str) -> StoreResult<()> {
        broken()
    }
    async fn ping(&self) -> StoreResult<()> {
        if self.answers_ping { Ok(()) } else { broken() }
    }
}

#[tokio::test]
async fn database_failures_are_500s_without_details_and_health_is_503() {
    let router = candour_web::app(Arc::new(BrokenStore { answers_ping: false }), test_config());
    let get = |uri: &str| {
        let router = router.clone();
        let request = Request::get(uri).body(Body::empty()).unwrap();
        async move {
            use tower::ServiceExt;
            let response = router.oneshot(request).await.unwrap();
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    for uri in ["/", "/locations", &format!("/locations/{ROSE_COURT}"), &format!("/providers/{SUNRISE}")] {
        let (status, body) = get(uri).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{uri}");
        assert!(body.contains("Sorry, something went wrong on our side"), "{uri}: {body}");
        assert!(!body.contains("secret.db"), "{uri} leaked the error: {body}");
    }
    let (status, body) = get("/api/v1/locations").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains(r#""status":500"#) && !body.contains("secret.db"), "{body}");

    let (status, body) = get("/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, r#"{"status":"unavailable"}"#);
}

/// The database answers but monitoring's rounds fail: `/healthz` says so with a 503,
/// when the failures began and that no round has yet succeeded, without the details.
#[tokio::test]
async fn health_is_503_while_monitoring_fails() {
    let store: Arc<dyn Store> = Arc::new(BrokenStore { answers_ping: true });
    let monitor = candour_web::Monitor::start(store.clone(), test_config().monitoring);
    let router = candour_web::app_with_monitor(store, test_config(), monitor.clone());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while monitor.health().state != candour_monitor::HealthState::Failing {
        assert!(std::time::Instant::now() < deadline, "the first round fails at once");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    use tower::ServiceExt;
    let response = router.oneshot(Request::get("/healthz").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["status"], "monitoring_not_current");
    assert_eq!(body["monitoring"]["state"], "failing");
    assert_eq!(body["monitoring"]["last_good_round"], serde_json::Value::Null);
    assert!(body["monitoring"]["failing_since"].is_string(), "{body}");
    assert_eq!(body["monitoring"]["reason"], "the monitoring data could not be read from the database");
    assert!(!body.to_string().contains("secret.db"), "{body}");
}

#[async_trait]
impl AssessmentStore for BrokenStore {
    async fn create_assessment(&self, _: &NewAssessment) -> StoreResult<AssessmentRecord> {
        broken()
    }
    async fn assessment(&self, _: i64) -> StoreResult<AssessmentRecord> {
        broken()
    }
    async fn assessments_of(&self, _: &LocationId) -> StoreResult<Vec<AssessmentRecord>> {
        broken()
    }
    async fn assessments_awaiting_review(&self, _: &candour_domain::ProviderId) -> StoreResult<Vec<AssessmentRecord>> {
        broken()
    }
    async fn update_assessment(
        &self,
        _: i64,
        _: &AssessmentChange,
        _: candour_domain::UserId,
        _: DateTime<Utc>,
    ) -> StoreResult<()> {
        broken()
    }
    async fn finish_challenges(&self, _: i64, _: candour_domain::UserId, _: DateTime<Utc>) -> StoreResult<()> {
        broken()
    }
    async fn send_assessment(
        &self,
        _: i64,
        _: chrono::NaiveDate,
        _: DateTime<Utc>,
        _: &[OutgoingEmail],
    ) -> StoreResult<()> {
        broken()
    }
    async fn raise_challenge(&self, _: i64, _: &NewChallenge) -> StoreResult<Challenge> {
        broken()
    }
    async fn decide_challenge(&self, _: i64, _: i64, _: &ChallengeDecision, _: &[OutgoingEmail]) -> StoreResult<()> {
        broken()
    }
    async fn publish_assessment(&self, _: i64, _: &Publication) -> StoreResult<()> {
        broken()
    }
}
