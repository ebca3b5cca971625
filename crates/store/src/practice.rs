//! Accounts of good practice, the storage side. Each account is about one location;
//! it is a draft until published, and can be unpublished. Only published accounts are
//! ever found by [`PracticeStore::search_practice`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use candour_domain::practice::{PracticeDraft, PracticeStatus, QualityStatement, Theme};
use candour_domain::{LocationId, ProviderId, UserId};

use crate::{Page, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPractice {
    pub location: LocationId,
    pub draft: PracticeDraft,
    pub by: Option<UserId>,
    pub at: DateTime<Utc>,
}

/// An account in full, with the service it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PracticeRecord {
    pub id: i64,
    pub location_id: LocationId,
    pub location_name: String,
    pub provider_id: ProviderId,
    pub provider_name: String,
    pub local_authority: Option<String>,
    #[serde(flatten)]
    pub draft: PracticeDraft,
    pub status: PracticeStatus,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When it was last published; kept after it is unpublished.
    pub published_at: Option<DateTime<Utc>>,
}

/// An account as listed: in search results and on its service's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PracticeSummary {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub theme: Theme,
    pub statements: Vec<QualityStatement>,
    pub status: PracticeStatus,
    pub location_id: LocationId,
    pub location_name: String,
    pub provider_id: ProviderId,
    pub provider_name: String,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// A search of published accounts. `text` is found, ignoring case, as it is typed
/// (`%` and `_` are plain characters) in the title, summary or account, or the
/// service's or provider's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeQuery {
    pub text: Option<String>,
    pub theme: Option<Theme>,
    pub statement: Option<QualityStatement>,
    pub page: u32,
    pub per_page: u32,
}

impl PracticeQuery {
    pub const MAX_PER_PAGE: u32 = 100;
}

impl Default for PracticeQuery {
    fn default() -> Self {
        PracticeQuery { text: None, theme: None, statement: None, page: 1, per_page: 20 }
    }
}

#[async_trait]
pub trait PracticeStore: Send + Sync {
    /// Keeps a new draft and returns its ID. `NotFound` for a location not in the register.
    async fn create_practice(&self, new: &NewPractice) -> StoreResult<i64>;

    /// Replaces an account's content, whatever its status. `NotFound` for an unknown one.
    async fn update_practice(&self, id: i64, draft: &PracticeDraft, at: DateTime<Utc>) -> StoreResult<()>;

    /// Publishes (`true`) or unpublishes an account. Publishing a published account, or
    /// unpublishing one that is not, is `Conflict`. `NotFound` for an unknown one.
    async fn set_practice_published(&self, id: i64, published: bool, at: DateTime<Utc>) -> StoreResult<()>;

    /// An account, whatever its status. `NotFound` for an unknown one.
    async fn practice(&self, id: i64) -> StoreResult<PracticeRecord>;

    /// A location's accounts, whatever their status, last changed first.
    async fn practices_of(&self, location: &LocationId) -> StoreResult<Vec<PracticeSummary>>;

    /// Published accounts matching the query, last published first. `Invalid` for
    /// paging out of range (page 0, or per page 0 or above the maximum).
    async fn search_practice(&self, query: &PracticeQuery) -> StoreResult<Page<PracticeSummary>>;
}
