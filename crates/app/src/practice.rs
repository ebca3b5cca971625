//! Good practice: accounts of what works well at a service. Anyone may search and
//! read what is published; those who run a service (its provider's administrators
//! and its registered manager) write, edit, publish and unpublish its accounts.

use std::sync::Arc;

use candour_domain::policies::FieldError;
use candour_domain::practice::{PracticeDraft, PracticeStatus, QualityStatement, RawPractice, Theme};
use candour_domain::{Action, LocationId, Resource};
use candour_store::{
    LocationDetail, NewPractice, Page, PracticeQuery, PracticeRecord, PracticeStore, PracticeSummary, RegisterStore,
    StoreError,
};
use chrono::{DateTime, Utc};

use crate::{Actor, AreaError, Denied, Failure, Gate};

/// The search as asked, every value still text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSearch {
    pub text: String,
    pub theme: String,
    pub statement: String,
    pub page: String,
}

impl RawSearch {
    /// The store's query, or every problem against its field (`q`, `theme`, `statement`, `page`).
    pub fn parse(&self, per_page: u32) -> Result<PracticeQuery, Vec<FieldError>> {
        let mut errors = Vec::new();
        let theme = match self.theme.as_str() {
            "" => None,
            code => Theme::parse(code).map_err(|_| errors.push(problem("theme", "Choose a theme from the list"))).ok(),
        };
        let statement = match self.statement.as_str() {
            "" => None,
            code => QualityStatement::parse(code)
                .map_err(|_| errors.push(problem("statement", "Choose a quality statement from the list")))
                .ok(),
        };
        let page = match self.page.as_str() {
            "" => Some(1),
            text => text.parse::<u32>().ok().filter(|p| (1..=10_000).contains(p)),
        };
        if page.is_none() {
            errors.push(problem("page", "The page must be a whole number from 1"));
        }
        if self.text.chars().count() > 200 {
            errors.push(problem("q", "Search for 200 characters or fewer"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let text = Some(self.text.clone()).filter(|t| !t.is_empty());
        Ok(PracticeQuery { text, theme, statement, page: page.unwrap_or(1), per_page })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PracticeError {
    #[error(transparent)]
    Denied(#[from] Denied),
    /// The input has problems, each against its field.
    #[error("{}", .0.first().map_or("", |p| p.message.as_str()))]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for PracticeError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => PracticeError::Denied(Denied::NotFound),
            other => PracticeError::Store(other),
        }
    }
}

impl AreaError for PracticeError {
    fn failure(&self) -> Failure<'_> {
        match self {
            PracticeError::Denied(d) => d.failure(),
            PracticeError::Invalid(_) => Failure::Invalid,
            PracticeError::Store(e) => e.failure(),
        }
    }
}

fn problem(field: &'static str, message: &str) -> FieldError {
    FieldError { field, message: message.to_string() }
}

type Result<T, E = PracticeError> = std::result::Result<T, E>;

/// The good-practice service. Cheap to clone.
#[derive(Clone)]
pub struct Practice {
    practice: Arc<dyn PracticeStore>,
    register: Arc<dyn RegisterStore>,
    gate: Gate,
}

fn resource(location: &LocationDetail) -> Resource<'_> {
    Resource::GoodPractice { location: &location.location.id, provider: &location.location.provider_id }
}

impl Practice {
    pub fn new(practice: Arc<dyn PracticeStore>, register: Arc<dyn RegisterStore>, gate: Gate) -> Self {
        Self { practice, register, gate }
    }

    // ---------------------------------------------------------------- public

    /// One page of published accounts matching the search.
    pub async fn search(&self, raw: &RawSearch, per_page: u32) -> Result<Page<PracticeSummary>> {
        let query = raw.parse(per_page).map_err(PracticeError::Invalid)?;
        self.practice.search_practice(&query).await.map_err(PracticeError::Store)
    }

    /// Every published account matching the search, page by page.
    pub async fn search_all(&self, raw: &RawSearch) -> Result<Vec<PracticeSummary>> {
        let mut query = raw.parse(PracticeQuery::MAX_PER_PAGE).map_err(PracticeError::Invalid)?;
        let mut all = Vec::new();
        loop {
            let page = self.practice.search_practice(&query).await.map_err(PracticeError::Store)?;
            all.extend(page.items.iter().cloned());
            if query.page >= page.pages() {
                return Ok(all);
            }
            query.page += 1;
        }
    }

    /// A published account; anything else (unknown, draft, unpublished) is not found.
    pub async fn published(&self, raw_id: &str) -> Result<PracticeRecord> {
        let id: i64 = raw_id.parse().map_err(|_| Denied::NotFound)?;
        match self.practice.practice(id).await? {
            r if r.status == PracticeStatus::Published => Ok(r),
            _ => Err(Denied::NotFound.into()),
        }
    }

    // ---------------------------------------------------------------- those who run the service

    /// The location when the actor runs it.
    async fn location_for(&self, actor: &Actor, raw_id: &str) -> Result<LocationDetail> {
        let id = LocationId::parse(raw_id).map_err(|_| Denied::NotFound)?;
        let detail = self.register.location(&id).await?;
        self.gate.require(actor, Action::Write, resource(&detail)).await?;
        Ok(detail)
    }

    /// An account, whatever its status, when the actor runs its service.
    async fn account_for(&self, actor: &Actor, raw_id: &str) -> Result<PracticeRecord> {
        let id: i64 = raw_id.parse().map_err(|_| Denied::NotFound)?;
        let record = self.practice.practice(id).await?;
        let resource = Resource::GoodPractice { location: &record.location_id, provider: &record.provider_id };
        self.gate.require(actor, Action::Write, resource).await?;
        Ok(record)
    }

    /// The service's accounts, every status, newest change first. An audited read.
    pub async fn of_location(&self, actor: &Actor, raw_id: &str) -> Result<(LocationDetail, Vec<PracticeSummary>)> {
        let detail = self.location_for(actor, raw_id).await?;
        let accounts = self.practice.practices_of(&detail.location.id).await?;
        let what = format!("good_practice:location:{}", detail.location.id);
        self.gate.record(actor, "read", &what, None).await.map_err(PracticeError::Store)?;
        Ok((detail, accounts))
    }

    /// The location, for a new account's form.
    pub async fn location(&self, actor: &Actor, raw_id: &str) -> Result<LocationDetail> {
        self.location_for(actor, raw_id).await
    }

    /// An account, whatever its status, for its preview or its form.
    pub async fn account(&self, actor: &Actor, raw_id: &str) -> Result<PracticeRecord> {
        self.account_for(actor, raw_id).await
    }

    /// Writes a new account as a draft; its ID.
    pub async fn create(
        &self,
        actor: &Actor,
        raw_location: &str,
        raw: &RawPractice,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let detail = self.location_for(actor, raw_location).await?;
        let draft = PracticeDraft::parse(raw).map_err(PracticeError::Invalid)?;
        let l = &detail.location;
        let new = NewPractice { location: l.id.clone(), draft, by: Some(actor.principal.user_id), at: now };
        let id = self.practice.create_practice(&new).await?;
        let at = format!("location:{}", l.id);
        self.gate
            .record(actor, "create", &format!("good_practice:{id}"), Some(&at))
            .await
            .map_err(PracticeError::Store)?;
        Ok(id)
    }

    /// Changes an account; a published one changes in public at once. Its ID.
    pub async fn update(&self, actor: &Actor, raw_id: &str, raw: &RawPractice, now: DateTime<Utc>) -> Result<i64> {
        let record = self.account_for(actor, raw_id).await?;
        let draft = PracticeDraft::parse(raw).map_err(PracticeError::Invalid)?;
        self.practice.update_practice(record.id, &draft, now).await?;
        self.gate
            .record(actor, "update", &format!("good_practice:{}", record.id), None)
            .await
            .map_err(PracticeError::Store)?;
        Ok(record.id)
    }

    /// Publishes or unpublishes an account; already as asked is no change. Its ID.
    pub async fn set_published(&self, actor: &Actor, raw_id: &str, published: bool, now: DateTime<Utc>) -> Result<i64> {
        let record = self.account_for(actor, raw_id).await?;
        match self.practice.set_practice_published(record.id, published, now).await {
            // Already as asked (a second click, say): nothing to do.
            Ok(()) | Err(StoreError::Conflict(_)) => {}
            Err(err) => return Err(err.into()),
        }
        let action = if published { "publish" } else { "unpublish" };
        self.gate
            .record(actor, action, &format!("good_practice:{}", record.id), None)
            .await
            .map_err(PracticeError::Store)?;
        Ok(record.id)
    }
}
