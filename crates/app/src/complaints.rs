//! Concerns and complaints: raising one (anyone, without an account), following
//! it through its private link, logging one received another way (staff), taking
//! the steps of handling it, and each location's and provider's complaints for
//! those who run or oversee the service.
//!
//! Every call parses its raw input, loads, asks the access policy once
//! ([`Gate::require`]), writes the audit entry and then the change.

mod notices;
mod summary;

use std::sync::Arc;

use candour_domain::complaints::{
    Answer, ComplaintError, ComplaintPolicy, ComplaintStatus, ComplaintStep, Intake, NewComplaintDetails, RawAnswer,
    RawComplaint, RawStep, deadlines,
};
use candour_domain::working_days::latest_local_hour;
use candour_domain::{Action, LocationId, ProviderId, Resource, authorize};
use candour_store::{
    ComplaintReceipt, ComplaintRecord, ComplaintStore, LocationDetail, NewComplaint, Recipient, RegisterStore,
    StoreError, VoiceStore,
};
use chrono::{DateTime, NaiveDate, Utc};

use crate::notices::{DIGEST_HOUR, Notices};
use crate::{Actor, AreaError, Denied, Failure, Gate};

pub use summary::{Summary, overdue};

/// The path of a complaint's private follow link.
pub fn follow_path(secret: &str) -> String {
    format!("/complaints/follow/{secret}")
}

/// The path of a location's complaints, for those who handle them.
pub fn location_path(id: &LocationId) -> String {
    format!("/manage/locations/{id}/complaints")
}

/// A location's complaints, as the access policy knows them.
pub fn location_resource(detail: &LocationDetail) -> Resource<'_> {
    let l = &detail.location;
    Resource::Complaints { location: &l.id, provider: &l.provider_id, local_authority: l.local_authority.as_deref() }
}

/// The complaints of the complaint's location.
pub fn record_resource(r: &ComplaintRecord) -> Resource<'_> {
    Resource::Complaints {
        location: &r.location_id,
        provider: &r.provider_id,
        local_authority: r.local_authority.as_deref(),
    }
}

/// Logging complaints at a location.
pub fn intake_resource(detail: &LocationDetail) -> Resource<'_> {
    Resource::ComplaintIntake { location: &detail.location.id, provider: &detail.location.provider_id }
}

/// Where a private read came from, as its audit entry says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Page,
    Api,
}

impl Via {
    fn detail(self) -> Option<&'static str> {
        match self {
            Via::Page => None,
            Via::Api => Some("api"),
        }
    }
}

/// The settings complaints need: the clocks, and the site's address for the links in emails.
#[derive(Debug, Clone)]
pub struct ComplaintSettings {
    pub policy: ComplaintPolicy,
    pub public_url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ComplaintsError {
    #[error(transparent)]
    Denied(#[from] Denied),
    /// The complaint or the step has problems, each against its field.
    #[error("{} problem(s) to put right", .0.len())]
    Invalid(Vec<ComplaintError>),
    /// Refused as asked (a location ID that cannot be one, a status not in the list).
    #[error("{0}")]
    Refused(String),
    /// The form's key is not one of ours: the form was not ours or is broken.
    #[error("the form could not be read")]
    Unreadable,
    /// The step cannot be taken now (the complaint has moved on).
    #[error("{0}")]
    Conflict(String),
    /// Too many complaints from this address or for this service just now.
    #[error("too many complaints just now")]
    Limited,
    #[error(transparent)]
    Store(StoreError),
    #[error("{0}")]
    Internal(&'static str),
}

impl From<StoreError> for ComplaintsError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ComplaintsError::Denied(Denied::NotFound),
            other => ComplaintsError::Store(other),
        }
    }
}

impl AreaError for ComplaintsError {
    fn failure(&self) -> Failure<'_> {
        match self {
            ComplaintsError::Denied(d) => d.failure(),
            ComplaintsError::Invalid(_) => Failure::Invalid,
            ComplaintsError::Refused(message) => Failure::Refused(message),
            ComplaintsError::Unreadable => Failure::Refused("This form could not be read."),
            ComplaintsError::Conflict(message) => Failure::Conflict(message),
            ComplaintsError::Limited => Failure::Refused("Too many requests"),
            ComplaintsError::Store(e) => e.failure(),
            ComplaintsError::Internal(_) => Failure::Internal,
        }
    }
}

/// A location's complaints, with whether the caller may log one there.
#[derive(Debug, Clone)]
pub struct LocationComplaints {
    pub detail: LocationDetail,
    pub complaints: Vec<ComplaintRecord>,
    pub status: Option<ComplaintStatus>,
    pub can_log: bool,
}

/// The complaints of a provider's locations the caller may read.
#[derive(Debug, Clone)]
pub struct ProviderComplaints {
    pub id: ProviderId,
    pub name: String,
    pub complaints: Vec<ComplaintRecord>,
    pub status: Option<ComplaintStatus>,
}

/// A location where the caller may log complaints, and whether they may read them there.
#[derive(Debug, Clone)]
pub struct Loggable {
    pub detail: LocationDetail,
    pub can_read: bool,
}

/// A complaint kept: its receipt, with the private link to follow it.
#[derive(Debug, Clone)]
pub struct Kept {
    pub location_id: LocationId,
    pub receipt: ComplaintReceipt,
    pub follow_url: String,
}

/// A complaint as its handlers see it, with whether the caller may take steps.
#[derive(Debug, Clone)]
pub struct Handled {
    pub record: ComplaintRecord,
    pub can_write: bool,
}

#[derive(Clone)]
pub struct Complaints {
    complaints: Arc<dyn ComplaintStore>,
    register: Arc<dyn RegisterStore>,
    voice: Arc<dyn VoiceStore>,
    /// For the anonymous entry of a complaint raised by the public.
    audit: Arc<dyn candour_store::AccountStore>,
    gate: Gate,
    settings: ComplaintSettings,
    notices: Notices,
}

impl Complaints {
    pub fn new(
        store: Arc<dyn candour_store::Store>,
        gate: Gate,
        settings: ComplaintSettings,
        notices: Notices,
    ) -> Self {
        Complaints {
            complaints: store.clone(),
            register: store.clone(),
            voice: store.clone(),
            audit: store,
            gate,
            settings,
            notices,
        }
    }

    /// The clocks new complaints are kept under.
    pub fn policy(&self) -> ComplaintPolicy {
        self.settings.policy
    }

    /// The full address of a follow link.
    pub fn follow_url(&self, secret: &str) -> String {
        format!("{}{}", self.settings.public_url, follow_path(secret))
    }

    // ------------------------------------------------------------ the public

    /// The service a complaint may be raised about: any in the register.
    pub async fn raisable(&self, raw_location: &str) -> Result<LocationDetail, ComplaintsError> {
        let id = LocationId::parse(raw_location)
            .map_err(|e| ComplaintsError::Refused(format!("{} is not a valid location ID: {}", e.value, e.expected)))?;
        Ok(self.register.location(&id).await?)
    }

    /// Raises a complaint without an account. `key` is the form's fresh secret,
    /// which becomes the follow link's (sending the form twice keeps one
    /// complaint). `admit` is asked once the complaint is valid, before it is kept
    /// (the edge's rate limits); refused, nothing is kept.
    pub async fn raise(
        &self,
        raw_location: &str,
        key: &str,
        raw: &RawComplaint,
        ip: Option<&str>,
        admit: impl AsyncFnOnce(&LocationId) -> bool,
    ) -> Result<Kept, ComplaintsError> {
        let detail = self.raisable(raw_location).await?;
        let follow_hash = follow_hash(key)?;
        let details = NewComplaintDetails::parse(raw, Intake::Online, Utc::now().date_naive())
            .map_err(ComplaintsError::Invalid)?;
        if !admit(&detail.location.id).await {
            return Err(ComplaintsError::Limited);
        }
        let new = self.new_complaint(&detail, details, key, follow_hash, None).await?;
        let receipt = self.keep(new).await?;
        if !receipt.duplicate {
            let entry = candour_store::NewAuditEntry {
                at: Utc::now(),
                actor: None,
                action: "complaint_raised".into(),
                resource: format!("complaint:{}", receipt.id),
                detail: Some(format!("location:{}", detail.location.id)),
                ip: ip.map(str::to_string),
            };
            // The complaint is kept; a failed audit write is logged rather than lose the person's answer.
            if let Err(err) = self.audit.append_audit(&entry).await {
                tracing::error!(error = %err, "the audit log could not be written");
            }
        }
        Ok(Kept { location_id: detail.location.id, receipt, follow_url: self.follow_url(key) })
    }

    /// The complaint behind a follow link, or `NotFound` for one that is not ours.
    pub async fn follow(&self, secret: &str) -> Result<ComplaintRecord, ComplaintsError> {
        let hash = crate::voice::key_hash(secret).map_err(|_| Denied::NotFound)?;
        Ok(self.complaints.complaint_by_follow(&hash).await?)
    }

    /// What the person who raised it says back through their follow link: kept on
    /// its timeline, told to the service's managers (who read it there), audited
    /// without an account. Being satisfied or not waits for the response.
    pub async fn answer(
        &self,
        secret: &str,
        raw: &RawAnswer,
        ip: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<ComplaintRecord, ComplaintsError> {
        let record = self.follow(secret).await?;
        let answer = Answer::parse(raw, record.response_sent_on.is_some()).map_err(ComplaintsError::Invalid)?;
        let managers = self.notices.managers_of(&record.location_id).await?;
        let notice = notices::answered(&self.settings.public_url, &record, &answer);
        let emails = self.notices.emails(&notice, &managers, now).await?;
        let updated =
            self.complaints.add_complaint_event(record.id, answer.code(), &answer.detail(), now, &emails).await?;
        let entry = candour_store::NewAuditEntry {
            at: now,
            actor: None,
            action: "complaint_answered".into(),
            resource: format!("complaint:{}", record.id),
            detail: Some(answer.code().into()),
            ip: ip.map(str::to_string),
        };
        // The answer is kept; a failed audit write is logged rather than lose it.
        if let Err(err) = self.audit.append_audit(&entry).await {
            tracing::error!(error = %err, "the audit log could not be written");
        }
        Ok(updated)
    }

    // ------------------------------------------------------------ logging one

    /// A location where the caller may log a complaint (for the form).
    pub async fn loggable(&self, actor: &Actor, raw_location: &str) -> Result<Loggable, ComplaintsError> {
        let detail = self.location_for(actor, raw_location, Action::Write).await?;
        let can_read = authorize(&actor.principal, Action::Read, location_resource(&detail)).is_allowed();
        Ok(Loggable { detail, can_read })
    }

    /// Keeps a complaint received by phone, letter, email or in person, audited.
    /// `key` is the follow link's secret (the form's, or a fresh one).
    pub async fn log(
        &self,
        actor: &Actor,
        raw_location: &str,
        key: &str,
        raw: &RawComplaint,
    ) -> Result<Kept, ComplaintsError> {
        let detail = self.location_for(actor, raw_location, Action::Write).await?;
        let follow_hash = follow_hash(key)?;
        let details = NewComplaintDetails::parse(raw, Intake::Logged, Utc::now().date_naive())
            .map_err(ComplaintsError::Invalid)?;
        let new = self.new_complaint(&detail, details, key, follow_hash, Some(actor.principal.user_id)).await?;
        let receipt = self.keep(new).await?;
        let about = format!("location:{}", detail.location.id);
        self.record(actor, "complaint_logged", &format!("complaint:{}", receipt.id), Some(&about)).await?;
        Ok(Kept { location_id: detail.location.id, receipt, follow_url: self.follow_url(key) })
    }

    // ------------------------------------------------------------ handling one

    /// One complaint in full, its read audited.
    pub async fn complaint(&self, actor: &Actor, raw_id: &str, via: Via) -> Result<Handled, ComplaintsError> {
        let record = self.complaint_for(actor, raw_id, Action::Read).await?;
        self.record(actor, "read", &format!("complaint:{}", record.id), via.detail()).await?;
        let can_write = authorize(&actor.principal, Action::Write, record_resource(&record)).is_allowed();
        Ok(Handled { record, can_write })
    }

    /// A complaint the caller may take steps on, without a read entry: the
    /// complaint a refused step's form is shown again with.
    pub async fn for_steps(&self, actor: &Actor, raw_id: &str) -> Result<Handled, ComplaintsError> {
        let record = self.complaint_for(actor, raw_id, Action::Write).await?;
        Ok(Handled { record, can_write: true })
    }

    /// Takes a step, audited: `Invalid` with each field's problem, or `Conflict`
    /// saying why it cannot be taken now.
    pub async fn take_step(
        &self,
        actor: &Actor,
        raw_id: &str,
        raw: &RawStep,
    ) -> Result<ComplaintRecord, ComplaintsError> {
        let record = self.complaint_for(actor, raw_id, Action::Write).await?;
        let step = ComplaintStep::parse(raw, Utc::now().date_naive()).map_err(ComplaintsError::Invalid)?;
        let now = Utc::now();
        let emails = match &record.contact.email {
            Some(to) => {
                let follow_url = self.fresh_follow_url(record.id, now).await?;
                let notice = notices::step_taken(&record, &step, &follow_url);
                let person = [Recipient { email: to.clone(), name: record.contact.name.clone() }];
                match notice {
                    Some(notice) => self.notices.emails(&notice, &person, now).await?,
                    None => Vec::new(),
                }
            }
            None => Vec::new(),
        };
        let taken =
            self.complaints.take_complaint_step(record.id, &step, Some(actor.principal.user_id), now, &emails).await;
        let updated = match taken {
            Ok(updated) => updated,
            Err(StoreError::Conflict(message)) => return Err(ComplaintsError::Conflict(message)),
            Err(e) => return Err(ComplaintsError::Store(e)),
        };
        self.record(actor, "complaint_step", &format!("complaint:{}", record.id), Some(step.code())).await?;
        Ok(updated)
    }

    // ------------------------------------------------------------ dashboards

    /// A location's complaints (those of one status, when asked), the read audited.
    pub async fn for_location(
        &self,
        actor: &Actor,
        raw_location: &str,
        raw_status: Option<&str>,
        via: Via,
    ) -> Result<LocationComplaints, ComplaintsError> {
        let detail = self.location_for(actor, raw_location, Action::Read).await?;
        let status = status_filter(raw_status)?;
        let id = detail.location.id.clone();
        self.record(actor, "read", &format!("complaints:location:{id}"), via.detail()).await?;
        let complaints = self.complaints.complaints(std::slice::from_ref(&id), None).await?;
        let can_log = authorize(&actor.principal, Action::Write, intake_resource(&detail)).is_allowed();
        Ok(LocationComplaints { detail, complaints, status, can_log })
    }

    /// The complaints of a provider's locations the caller may read, the read audited.
    pub async fn for_provider(
        &self,
        actor: &Actor,
        raw_provider: &str,
        raw_status: Option<&str>,
    ) -> Result<ProviderComplaints, ComplaintsError> {
        let (id, name, locations) = self.provider_locations(actor, raw_provider).await?;
        let status = status_filter(raw_status)?;
        self.record(actor, "read", &format!("complaints:provider:{id}"), None).await?;
        let complaints = self.complaints.complaints(&locations, None).await?;
        Ok(ProviderComplaints { id, name, complaints, status })
    }

    /// Every complaint of the provider the caller may read, for an export, audited as one.
    pub async fn export_for_provider(
        &self,
        actor: &Actor,
        raw_provider: &str,
    ) -> Result<ProviderComplaints, ComplaintsError> {
        let (id, name, locations) = self.provider_locations(actor, raw_provider).await?;
        let complaints = self.complaints.complaints(&locations, None).await?;
        let detail = format!("csv: {} rows", complaints.len());
        self.record(actor, "export", &format!("complaints:provider:{id}"), Some(&detail)).await?;
        Ok(ProviderComplaints { id, name, complaints, status: None })
    }

    // ------------------------------------------------------------ the loaders

    /// The location, when the caller may read its complaints (`Read`) or log one (`Write`).
    async fn location_for(
        &self,
        actor: &Actor,
        raw_location: &str,
        action: Action,
    ) -> Result<LocationDetail, ComplaintsError> {
        let id = LocationId::parse(raw_location).map_err(|_| Denied::NotFound)?;
        let detail = self.register.location(&id).await?;
        let resource = match action {
            Action::Read => location_resource(&detail),
            Action::Write => intake_resource(&detail),
        };
        self.gate.require(actor, action, resource).await?;
        Ok(detail)
    }

    /// The complaint, when the caller may `action` it.
    async fn complaint_for(
        &self,
        actor: &Actor,
        raw_id: &str,
        action: Action,
    ) -> Result<ComplaintRecord, ComplaintsError> {
        let id: i64 = raw_id.parse().map_err(|_| Denied::NotFound)?;
        let record = self.complaints.complaint(id).await?;
        self.gate.require(actor, action, record_resource(&record)).await?;
        Ok(record)
    }

    /// The provider's locations whose complaints the caller may read, or `NotFound`.
    async fn provider_locations(
        &self,
        actor: &Actor,
        raw_provider: &str,
    ) -> Result<(ProviderId, String, Vec<LocationId>), ComplaintsError> {
        let id = ProviderId::parse(raw_provider).map_err(|_| Denied::NotFound)?;
        let detail = self.register.provider(&id).await?;
        let readable: Vec<LocationId> = detail
            .locations
            .iter()
            .filter(|l| {
                let resource = Resource::Complaints {
                    location: &l.id,
                    provider: &id,
                    local_authority: l.local_authority.as_deref(),
                };
                authorize(&actor.principal, Action::Read, resource).is_allowed()
            })
            .map(|l| l.id.clone())
            .collect();
        if readable.is_empty() {
            let authorities: Vec<String> = detail.locations.iter().filter_map(|l| l.local_authority.clone()).collect();
            // Asked of the provider as a whole, so that the refusal is audited like any other.
            let resource = Resource::Provider { id: &id, local_authorities: &authorities };
            self.gate.require(actor, Action::Write, resource).await?;
            return Err(Denied::NotFound.into());
        }
        Ok((id, detail.provider.name, readable))
    }

    async fn record(
        &self,
        actor: &Actor,
        action: &str,
        resource: &str,
        detail: Option<&str>,
    ) -> Result<(), ComplaintsError> {
        self.gate.record(actor, action, resource, detail).await.map_err(|_| Denied::Unaudited.into())
    }

    // ------------------------------------------------------------ keeping one

    /// Everything a new complaint is kept with: its deadlines under the policy in
    /// force, a reference, any safeguarding alert and the emails to send.
    async fn new_complaint(
        &self,
        detail: &LocationDetail,
        details: NewComplaintDetails,
        secret: &str,
        follow_hash: String,
        logged_by: Option<candour_domain::UserId>,
    ) -> Result<NewComplaint, ComplaintsError> {
        let now: DateTime<Utc> = Utc::now();
        let policy = self.settings.policy;
        let due = deadlines(details.received_on, None, policy).map_err(|e| {
            tracing::error!(error = %e, "a complaint's deadlines are beyond the bank holiday calendar");
            ComplaintsError::Internal("deadlines beyond the calendar")
        })?;
        let reference = crate::voice::new_reference();
        let contacts =
            self.voice.safeguarding_contacts_for(&detail.location.id).await.map_err(ComplaintsError::Store)?;
        let (alert, mut emails) =
            notices::safeguarding(&self.settings.public_url, detail, &details, &contacts, &reference, now);
        emails.extend(notices::follow_email(&self.follow_url(secret), detail, &details, &reference, now));
        let mut new = NewComplaint {
            location_id: detail.location.id.clone(),
            details,
            reference,
            follow_hash,
            policy,
            deadlines: due,
            logged_by,
            created_at: now,
            alert,
            emails,
        };
        let managers = self.notices.managers_of(&detail.location.id).await?;
        let notice = notices::received(&self.settings.public_url, detail, &new);
        new.emails.extend(self.notices.emails(&notice, &managers, now).await?);
        Ok(new)
    }

    /// A new follow link to a complaint, for an email to carry: the first one's
    /// secret is never kept.
    async fn fresh_follow_url(&self, id: i64, now: DateTime<Utc>) -> Result<String, StoreError> {
        let secret = crate::voice::new_submission_key();
        let hash = crate::voice::key_hash(&secret).expect("a fresh key is well formed");
        self.complaints.add_complaint_link(id, &hash, now).await?;
        Ok(self.follow_url(&secret))
    }

    // ------------------------------------------------------------ deadlines

    /// Queues the deadline notices due at `now`, each once: to the managers the
    /// working day before an acknowledgement or a response is due, and to them and
    /// the complainant when it is missed. Counted from 07:00 in England, so that
    /// nobody is emailed about tomorrow in the middle of the night. A deadline missed
    /// more than a week ago is not announced: notices were not being watched then.
    pub async fn queue_deadline_notices(&self, now: DateTime<Utc>) -> Result<u32, StoreError> {
        let today = latest_local_hour(now, DIGEST_HOUR).date_naive();
        let open = self.complaints.open_complaints().await?;
        let due: Vec<_> = open
            .iter()
            .flat_map(|record| notices::deadlines_due(record, today).into_iter().map(move |due| (record, due)))
            .filter(|(_, (_, _, _, date))| today - *date <= chrono::Duration::days(7))
            .collect();
        let keys: Vec<String> = due.iter().map(|(_, (key, ..))| key.clone()).collect();
        let sent = self.notices.sent(&keys).await?;
        let mut queued = 0;
        for (record, (key, deadline, when, date)) in due.into_iter().filter(|(_, (key, ..))| !sent.contains(key)) {
            let managers = self.notices.managers_of(&record.location_id).await?;
            let to_managers = notices::deadline_to_managers(&self.settings.public_url, record, deadline, when, date);
            let mut emails = self.notices.emails(&to_managers, &managers, now).await?;
            if let (notices::When::Missed, Some(to)) = (when, &record.contact.email) {
                let follow_url = self.fresh_follow_url(record.id, now).await?;
                let notice = notices::deadline_missed(record, deadline, date, &follow_url);
                let person = [Recipient { email: to.clone(), name: record.contact.name.clone() }];
                emails.extend(self.notices.emails(&notice, &person, now).await?);
            }
            queued += u32::from(self.notices.queue_once(&key, &emails, now).await?);
        }
        Ok(queued)
    }

    /// Keeps a new complaint, drawing another reference in the unlikely case the one drawn is taken.
    async fn keep(&self, mut new: NewComplaint) -> Result<ComplaintReceipt, ComplaintsError> {
        for _ in 0..5 {
            match self.complaints.add_complaint(&new).await {
                Err(StoreError::Conflict(_)) => new.reference = crate::voice::new_reference(),
                Err(e) => return Err(ComplaintsError::Store(e)),
                Ok(receipt) => return Ok(receipt),
            }
        }
        tracing::error!("no free complaint reference after five tries");
        Err(ComplaintsError::Internal("no free complaint reference"))
    }
}

/// The hash of a form's key, or `Unreadable` for one that cannot be ours.
fn follow_hash(key: &str) -> Result<String, ComplaintsError> {
    crate::voice::key_hash(key).map_err(|_| ComplaintsError::Unreadable)
}

/// The status asked for, if any.
fn status_filter(raw: Option<&str>) -> Result<Option<ComplaintStatus>, ComplaintsError> {
    match raw.filter(|s| !s.trim().is_empty()) {
        None => Ok(None),
        Some(s) => ComplaintStatus::parse(s).map(Some).map_err(|_| {
            ComplaintsError::Refused(
                "Choose a status from the list: received, acknowledged, investigating, response sent or closed"
                    .to_string(),
            )
        }),
    }
}

/// Today, as the complaint clocks count it.
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}
