//! The policy cascade: a provider publishes versioned policies to its staff, who
//! confirm they have read them. Everyone who works for the provider reads its
//! policies; its administrators run the library (publish, withdraw, see who has
//! read what).

use std::collections::HashMap;
use std::sync::Arc;

use candour_domain::policies::{FieldError, PolicyDraft, RawPolicy, ReadCount, Version};
use candour_domain::{Action, LocationId, ProviderId, Resource, Role, Scope, authorize};
use candour_store::{
    AccountStore, LocationReadRate, NewPolicyVersion, PolicyRecord, PolicyStore, PolicySummary, PolicyToConfirm,
    PolicyVersion, Reader, Recipient, RegisterStore, StoreError, VersionLine,
};
use chrono::{DateTime, Duration, Utc};

use crate::notices::{Link, Notice, NoticeKind, Notices};
use crate::{Actor, AreaError, Denied, Failure, Gate};

/// A provider and its locations: what decides who works for it.
#[derive(Debug, Clone)]
pub struct Tenancy {
    pub id: ProviderId,
    pub name: String,
    pub locations: Vec<LocationId>,
    pub location_names: HashMap<LocationId, String>,
}

impl Tenancy {
    /// Reading its policies: anyone who works for it.
    pub fn reading(&self) -> Resource<'_> {
        Resource::PolicyReading { provider: &self.id, locations: &self.locations }
    }

    /// Its policy library: its administrators.
    pub fn library(&self) -> Resource<'_> {
        Resource::PolicyLibrary { provider: &self.id }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PoliciesError {
    #[error(transparent)]
    Denied(#[from] Denied),
    /// The input has problems, each against its field.
    #[error("{}", .0.first().map_or("", |p| p.message.as_str()))]
    Invalid(Vec<FieldError>),
    /// A confirmation of a document that asks for none.
    #[error("This document is for information: there is nothing to confirm")]
    NothingToConfirm,
    /// A confirmation of a version that is no longer the one to read (a newer one,
    /// or the policy withdrawn), with the store's reason.
    #[error("{message}")]
    Stale { message: String, withdrawn: bool, current: Version },
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for PoliciesError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => PoliciesError::Denied(Denied::NotFound),
            other => PoliciesError::Store(other),
        }
    }
}

impl AreaError for PoliciesError {
    fn failure(&self) -> Failure<'_> {
        match self {
            PoliciesError::Denied(d) => d.failure(),
            PoliciesError::Invalid(_) => Failure::Invalid,
            PoliciesError::NothingToConfirm => {
                Failure::Conflict("This document is for information: there is nothing to confirm")
            }
            PoliciesError::Stale { message, .. } => Failure::Conflict(message),
            PoliciesError::Store(e) => e.failure(),
        }
    }
}

type Result<T, E = PoliciesError> = std::result::Result<T, E>;

/// A provider's policies as one person sees them.
#[derive(Debug, Clone)]
pub struct Library {
    pub tenancy: Tenancy,
    /// Every policy, withdrawn ones too.
    pub policies: Vec<PolicySummary>,
    /// When the actor confirmed each policy's current version, by policy.
    pub confirmed: HashMap<i64, DateTime<Utc>>,
    /// For the provider's administrators: the read rate of each location.
    pub rates: Option<Vec<LocationReadRate>>,
}

impl Library {
    /// Whether the actor runs the library (sees reading rates, publishes, withdraws).
    pub fn runs(&self) -> bool {
        self.rates.is_some()
    }
}

/// One version of a policy as one person sees it.
#[derive(Debug, Clone)]
pub struct PolicyView {
    pub record: PolicyRecord,
    pub tenancy: Tenancy,
    /// The version asked for (the current one unless another was named).
    pub shown: PolicyVersion,
    /// When the actor confirmed the current version.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The name of whoever published the version shown, when known.
    pub published_by: Option<String>,
    /// For the provider's administrators: everyone asked to read it.
    pub readers: Option<Vec<Reader>>,
}

/// What publishing adds to: a provider's library (a new policy) or a policy (its next version).
#[derive(Debug, Clone, Copy)]
pub enum Publishing<'a> {
    NewPolicy { raw_provider: &'a str },
    NextVersion { raw_policy: &'a str },
}

/// A recorded confirmation.
#[derive(Debug, Clone)]
pub struct Confirmed {
    pub policy_id: i64,
    pub version: Version,
    pub at: DateTime<Utc>,
}

/// One policy in force that asks for confirmation, with everyone asked to read it.
#[derive(Debug, Clone)]
pub struct ReadsRow {
    pub policy: PolicySummary,
    pub readers: Vec<Reader>,
}

/// A provider the actor works for, with how many policies they have still to confirm.
#[derive(Debug, Clone)]
pub struct ToRead {
    pub provider: ProviderId,
    pub name: String,
    pub unread: u64,
}

/// The policy cascade's service. Cheap to clone.
#[derive(Clone)]
pub struct Policies {
    policies: Arc<dyn PolicyStore>,
    register: Arc<dyn RegisterStore>,
    accounts: Arc<dyn AccountStore>,
    gate: Gate,
    notices: Notices,
}

/// Staff who have not confirmed a new version are reminded this long after it was published.
const REMIND_AFTER: Duration = Duration::days(7);

impl Policies {
    pub fn new(store: Arc<dyn candour_store::Store>, gate: Gate, notices: Notices) -> Self {
        Self { policies: store.clone(), register: store.clone(), accounts: store, gate, notices }
    }

    /// Queues the notices asking people to read a policy version that asks to be
    /// confirmed: to each who works for its provider and has not confirmed it, once
    /// when it is new, and once more after [`REMIND_AFTER`]. Looks back two such
    /// periods, so that a pass missed for a while still sends each once.
    pub async fn queue_read_notices(&self, now: DateTime<Utc>) -> Result<u32, StoreError> {
        let mut queued = 0;
        for policy in self.policies.policies_to_confirm(now - REMIND_AFTER * 2).await? {
            let stage = if now - policy.published_at >= REMIND_AFTER { "reminder" } else { "new" };
            let readers = self.policies.policy_readers(policy.policy_id).await?;
            let waiting: Vec<_> = readers.iter().filter(|r| r.has_password && r.confirmed_at.is_none()).collect();
            let key = |r: &Reader| format!("policy:{}:v{}:{stage}:{}", policy.policy_id, policy.version.0, r.user_id.0);
            let keys: Vec<String> = waiting.iter().map(|r| key(r)).collect();
            let sent = self.notices.sent(&keys).await?;
            let provider = self.tenancy(&policy.provider_id).await?.name;
            let notice = read_notice(self.notices.public_url(), &policy, &provider, stage == "reminder");
            for reader in waiting.into_iter().filter(|r| !sent.contains(&key(r))) {
                let person = [Recipient { email: reader.email.clone(), name: reader.name.clone() }];
                let emails = self.notices.emails(&notice, &person, now).await?;
                queued += u32::from(self.notices.queue_once(&key(reader), &emails, now).await?);
            }
        }
        Ok(queued)
    }

    async fn tenancy(&self, id: &ProviderId) -> Result<Tenancy, StoreError> {
        let detail = self.register.provider(id).await?;
        Ok(Tenancy {
            id: id.clone(),
            name: detail.provider.name,
            locations: detail.locations.iter().map(|l| l.id.clone()).collect(),
            location_names: detail.locations.into_iter().map(|l| (l.id, l.name)).collect(),
        })
    }

    /// The provider when the actor may take `action` on `resource_of` it (always
    /// reading its policies first), else not found.
    async fn tenancy_for(&self, actor: &Actor, raw_id: &str, library: Option<Action>) -> Result<Tenancy> {
        let id = ProviderId::parse(raw_id).map_err(|_| Denied::NotFound)?;
        let tenancy = self.tenancy(&id).await?;
        self.gate.require(actor, Action::Read, tenancy.reading()).await?;
        if let Some(action) = library {
            self.gate.require(actor, action, tenancy.library()).await?;
        }
        Ok(tenancy)
    }

    /// A policy and its provider when the actor may take `action` on its reading,
    /// and then (when asked) write to the library, else not found.
    async fn policy_for(&self, actor: &Actor, raw_id: &str, library: bool) -> Result<(PolicyRecord, Tenancy)> {
        let id: i64 = raw_id.parse().map_err(|_| Denied::NotFound)?;
        let record = self.policies.policy(id).await?;
        let tenancy = self.tenancy(&record.provider_id).await?;
        self.gate.require(actor, Action::Read, tenancy.reading()).await?;
        if library {
            self.gate.require(actor, Action::Write, tenancy.library()).await?;
        }
        Ok((record, tenancy))
    }

    async fn confirmations(&self, provider: &ProviderId, actor: &Actor) -> Result<HashMap<i64, DateTime<Utc>>> {
        let mine = self.policies.confirmed_by(provider, actor.principal.user_id).await.map_err(PoliciesError::Store)?;
        Ok(mine.into_iter().map(|(id, _, at)| (id, at)).collect())
    }

    async fn audit(&self, actor: &Actor, action: &str, resource: &str, detail: Option<&str>) -> Result<()> {
        self.gate.record(actor, action, resource, detail).await.map_err(PoliciesError::Store)
    }

    // ---------------------------------------------------------------- reading

    /// A provider's policies, for anyone who works for it. An audited read; `note`
    /// is the audit entry's detail (`api` from the API).
    pub async fn library(&self, actor: &Actor, raw_provider: &str, note: Option<&str>) -> Result<Library> {
        let tenancy = self.tenancy_for(actor, raw_provider, None).await?;
        let policies = self.policies.policies_of(&tenancy.id).await.map_err(PoliciesError::Store)?;
        let confirmed = self.confirmations(&tenancy.id, actor).await?;
        let rates = if authorize(&actor.principal, Action::Read, tenancy.library()).is_allowed() {
            Some(self.policies.policy_read_rates(Some(&tenancy.id)).await.map_err(PoliciesError::Store)?)
        } else {
            None
        };
        self.audit(actor, "read", &format!("policies:provider:{}", tenancy.id), note).await?;
        Ok(Library { tenancy, policies, confirmed, rates })
    }

    /// Every version of each policy in a library its reader runs; nothing otherwise.
    pub async fn versions(&self, library: &Library) -> Result<HashMap<i64, Vec<VersionLine>>> {
        let mut versions = HashMap::new();
        if library.runs() {
            for p in &library.policies {
                versions.insert(p.id, self.policies.policy(p.id).await.map_err(PoliciesError::Store)?.versions);
            }
        }
        Ok(versions)
    }

    /// A policy's current version (or the `version` named), for anyone who works for
    /// its provider. An audited read.
    pub async fn policy(&self, actor: &Actor, raw_id: &str, version: Option<&str>) -> Result<PolicyView> {
        let (record, tenancy) = self.policy_for(actor, raw_id, false).await?;
        let shown = match version {
            None => record.current.clone(),
            Some(raw) => {
                let at = Version::parse(raw).map_err(|_| Denied::NotFound)?;
                self.policies.policy_version(record.id, at).await?
            }
        };
        let detail = version.map(|_| format!("version {}", shown.version));
        self.audit(actor, "read", &format!("policy:{}", record.id), detail.as_deref()).await?;
        self.view(actor, record, tenancy, shown).await
    }

    /// The policy's current version shown again after a refused confirmation: the
    /// access is checked, no read is recorded.
    pub async fn policy_again(&self, actor: &Actor, raw_id: &str) -> Result<PolicyView> {
        let (record, tenancy) = self.policy_for(actor, raw_id, false).await?;
        let shown = record.current.clone();
        self.view(actor, record, tenancy, shown).await
    }

    async fn view(
        &self,
        actor: &Actor,
        record: PolicyRecord,
        tenancy: Tenancy,
        shown: PolicyVersion,
    ) -> Result<PolicyView> {
        let confirmed_at = self.confirmations(&tenancy.id, actor).await?.get(&record.id).copied();
        let readers = if authorize(&actor.principal, Action::Write, tenancy.library()).is_allowed() {
            Some(self.policies.policy_readers(record.id).await?)
        } else {
            None
        };
        let published_by = match shown.published_by {
            Some(id) => self.accounts.user(id).await.ok().map(|user| user.name),
            None => None,
        };
        Ok(PolicyView { record, tenancy, shown, confirmed_at, published_by, readers })
    }

    /// Who has read what: each policy in force that asks for confirmation, with its
    /// readers. For the provider's administrators; audited as an export.
    pub async fn reads(&self, actor: &Actor, raw_provider: &str, note: &str) -> Result<(Tenancy, Vec<ReadsRow>)> {
        let tenancy = self.tenancy_for(actor, raw_provider, Some(Action::Read)).await?;
        let policies = self.policies.policies_of(&tenancy.id).await.map_err(PoliciesError::Store)?;
        let mut rows = Vec::new();
        for policy in policies.into_iter().filter(|p| p.withdrawn_at.is_none() && p.requires_confirmation) {
            let readers = self.policies.policy_readers(policy.id).await.map_err(PoliciesError::Store)?;
            rows.push(ReadsRow { policy, readers });
        }
        self.audit(actor, "export", &format!("policies:provider:{}", tenancy.id), Some(note)).await?;
        Ok((tenancy, rows))
    }

    // ---------------------------------------------------------------- confirming

    /// "I have read and understood version N" as the actor: `version` is the one
    /// they read (`None`: the current one). `note` prefixes the audit detail (`api`).
    pub async fn confirm(
        &self,
        actor: &Actor,
        raw_id: &str,
        version: Option<&str>,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Confirmed> {
        let (record, tenancy) = self.policy_for(actor, raw_id, false).await?;
        self.gate.require(actor, Action::Write, tenancy.reading()).await?;
        if !record.current.draft.requires_confirmation {
            return Err(PoliciesError::NothingToConfirm);
        }
        let version = match version {
            None => record.current.version,
            Some(raw) => Version::parse(raw).map_err(|_| {
                PoliciesError::Invalid(vec![FieldError {
                    field: "version",
                    message: "Versions start at 1".to_string(),
                }])
            })?,
        };
        let at = match self.policies.confirm_policy_read(record.id, version, actor.principal.user_id, now).await {
            Ok(at) => at,
            Err(StoreError::Conflict(message)) => {
                return Err(PoliciesError::Stale {
                    message,
                    withdrawn: record.withdrawn_at.is_some(),
                    current: record.current.version,
                });
            }
            Err(e) => return Err(e.into()),
        };
        let detail = match note {
            Some(note) => format!("{note}: version {version}"),
            None => format!("version {version}"),
        };
        self.audit(actor, "confirm_read", &format!("policy:{}", record.id), Some(&detail)).await?;
        Ok(Confirmed { policy_id: record.id, version, at })
    }

    // ---------------------------------------------------------------- running the library

    /// Where a policy or its next version is to be published, for its form: the
    /// provider, and the policy (still in force) for a next version.
    pub async fn publishing(&self, actor: &Actor, to: Publishing<'_>) -> Result<(Tenancy, Option<PolicyRecord>)> {
        match to {
            Publishing::NewPolicy { raw_provider } => {
                Ok((self.tenancy_for(actor, raw_provider, Some(Action::Write)).await?, None))
            }
            Publishing::NextVersion { raw_policy } => {
                let (record, tenancy) = self.policy_for(actor, raw_policy, true).await?;
                if record.withdrawn_at.is_some() {
                    return Err(Denied::NotFound.into());
                }
                Ok((tenancy, Some(record)))
            }
        }
    }

    /// Publishes a new policy (version 1) or the next version of one.
    pub async fn publish(
        &self,
        actor: &Actor,
        to: Publishing<'_>,
        raw: &RawPolicy,
        now: DateTime<Utc>,
    ) -> Result<PolicyVersion> {
        let (tenancy, record) = self.publishing(actor, to).await?;
        let draft = PolicyDraft::parse(raw, record.is_none()).map_err(PoliciesError::Invalid)?;
        let new = NewPolicyVersion {
            provider: tenancy.id.clone(),
            policy: record.map(|r| r.id),
            draft,
            published_by: Some(actor.principal.user_id),
            published_at: now,
        };
        let kept = match self.policies.publish_policy(&new).await {
            Ok(kept) => kept,
            // Withdrawn between loading the form and sending it.
            Err(StoreError::Conflict(_)) => return Err(Denied::NotFound.into()),
            Err(err) => return Err(err.into()),
        };
        let detail = format!("version {}", kept.version);
        self.audit(actor, "publish", &format!("policy:{}", kept.policy_id), Some(&detail)).await?;
        Ok(kept)
    }

    /// Withdraws a policy: nobody is asked to read it any more. Its provider.
    pub async fn withdraw(&self, actor: &Actor, raw_id: &str, now: DateTime<Utc>) -> Result<ProviderId> {
        let (record, tenancy) = self.policy_for(actor, raw_id, true).await?;
        self.policies.withdraw_policy(record.id, now).await?;
        self.audit(actor, "withdraw", &format!("policy:{}", record.id), None).await?;
        Ok(tenancy.id)
    }

    // ---------------------------------------------------------------- elsewhere in the workspace

    /// The providers the actor works for, with how many current policies they have
    /// still to confirm.
    pub async fn to_read(&self, actor: &Actor) -> Result<Vec<ToRead>, StoreError> {
        let p = &actor.principal;
        let mut providers: Vec<ProviderId> = Vec::new();
        for grant in &p.grants {
            let provider = match (&grant.role, &grant.scope) {
                (Role::ProviderAdmin, Scope::Provider(id)) => Some(id.clone()),
                (Role::Manager | Role::Staff, Scope::Location(l)) => match self.register.location(l).await {
                    Ok(detail) => Some(detail.provider.id),
                    Err(StoreError::NotFound) => None,
                    Err(err) => return Err(err),
                },
                _ => None,
            };
            if let Some(id) = provider.filter(|id| !providers.contains(id)) {
                providers.push(id);
            }
        }
        let mut lines = Vec::new();
        for id in providers {
            let tenancy = match self.tenancy(&id).await {
                Ok(t) => t,
                Err(StoreError::NotFound) => continue,
                Err(err) => return Err(err),
            };
            if !authorize(p, Action::Read, tenancy.reading()).is_allowed() {
                continue;
            }
            let policies = self.policies.policies_of(&id).await?;
            let mine: Vec<i64> = self.policies.confirmed_by(&id, p.user_id).await?.into_iter().map(|c| c.0).collect();
            let unread = policies
                .iter()
                .filter(|x| x.withdrawn_at.is_none() && x.requires_confirmation && !mine.contains(&x.id))
                .count() as u64;
            lines.push(ToRead { provider: id, name: tenancy.name, unread });
        }
        Ok(lines)
    }

    /// The read rate of a location across its provider's policies in force, when the
    /// actor may see the provider's library.
    pub async fn location_read_rate(
        &self,
        actor: &Actor,
        location: &LocationId,
        provider: &ProviderId,
    ) -> Result<Option<ReadCount>, StoreError> {
        if !authorize(&actor.principal, Action::Read, Resource::PolicyLibrary { provider }).is_allowed() {
            return Ok(None);
        }
        let rates = self.policies.policy_read_rates(Some(provider)).await?;
        Ok(Some(rates.iter().find(|r| &r.location_id == location).map(|r| r.reads).unwrap_or_default()))
    }
}

/// The notice asking someone to read a new version, or reminding them.
fn read_notice(public_url: &str, policy: &PolicyToConfirm, provider: &str, reminder: bool) -> Notice {
    let (title, version) = (&policy.title, policy.version.0);
    let (subject, first) = if reminder {
        (
            format!("Reminder: please read “{title}” and confirm"),
            format!(
                "{provider} published version {version} of “{title}” a week ago, and you have not yet confirmed reading it."
            ),
        )
    } else {
        (
            format!("New policy to read: “{title}”"),
            format!(
                "{provider} has published version {version} of “{title}”, and asks everyone who works there to read it."
            ),
        )
    };
    Notice {
        kind: NoticeKind::PolicyToConfirm,
        subject,
        name: None,
        paragraphs: vec![first, "Read it, then confirm at the foot of the page that you have.".into()],
        link: Link {
            label: "Read the policy (you will need to sign in)".into(),
            url: format!("{public_url}/manage/policies/{}", policy.policy_id),
        },
    }
}
