//! The storage boundary. Callers (CLI, web, importers) speak only to [`Store`]; each
//! database backend implements it and proves itself with the conformance suite
//! (`conformance`, behind the cargo feature of that name: out of the production library).

mod accounts;
mod assessments;
pub mod background;
mod complaints;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod consistency;
mod directory;
mod error;
mod improvement;
mod journal;
mod models;
mod monitoring;
mod notices;
mod policies;
mod practice;
mod returns;
mod shared;
mod visits;
mod voice;

use async_trait::async_trait;
use candour_domain::{LocationId, ProviderId};

pub use accounts::*;
pub use assessments::*;
pub use complaints::*;
pub use directory::{DirectoryIndex, DirectoryRow};
pub use error::{StoreError, StoreResult};
pub use improvement::*;
pub use journal::{Change, ChangeKind, JournalStore};
pub use models::*;
pub use monitoring::*;
pub use notices::*;
pub use policies::*;
pub use practice::*;
pub use returns::*;
pub use shared::{Allowance, AllowanceStore, Bucket, JobLock, JobLockStore, Refused};
pub use visits::*;
pub use voice::*;

/// Everything Candour keeps: the bundle of every area's trait, built at start-up.
/// Each part of the program depends only on the traits it uses. Account methods are in [`AccountStore`], assessment
/// methods in [`AssessmentStore`], people's voice in [`VoiceStore`], provider
/// returns in [`ReturnsStore`], what monitoring reads in [`MonitoringStore`],
/// complaints in [`ComplaintStore`], improvement plans in [`ImprovementStore`], the
/// policy cascade in [`PolicyStore`], good practice in [`PracticeStore`], experts' visits in [`VisitStore`], the
/// register in [`RegisterStore`], the change journal in [`JournalStore`], and
/// what instances share (allowances, job locks) in [`AllowanceStore`] and [`JobLockStore`].
pub trait Store:
    AccountStore
    + OutboxStore
    + AssessmentStore
    + VoiceStore
    + ReturnsStore
    + MonitoringStore
    + ComplaintStore
    + ImprovementStore
    + NoticeStore
    + PolicyStore
    + PracticeStore
    + VisitStore
    + RegisterStore
    + JournalStore
    + AllowanceStore
    + JobLockStore
    + MonitorStore
    + Send
    + Sync
    + 'static
{
}

impl<T> Store for T where
    T: AccountStore
        + OutboxStore
        + AssessmentStore
        + VoiceStore
        + ReturnsStore
        + MonitoringStore
        + ComplaintStore
        + ImprovementStore
        + NoticeStore
        + PolicyStore
        + PracticeStore
        + VisitStore
        + RegisterStore
        + JournalStore
        + AllowanceStore
        + JobLockStore
        + Send
        + Sync
        + 'static
{
}

/// What the live monitor reads: monitoring's figures, policy read rates, the
/// register and the change journal it follows. (A supertrait of [`Store`], so that
/// `Arc<dyn Store>` turns into `Arc<dyn MonitorStore>`.)
pub trait MonitorStore:
    MonitoringStore + PolicyStore + RegisterStore + JournalStore + JobLockStore + Send + Sync + 'static
{
}

impl<T> MonitorStore for T where
    T: MonitoringStore + PolicyStore + RegisterStore + JournalStore + JobLockStore + Send + Sync + 'static
{
}

/// The register: locations and providers as the regulator lists them, the
/// directory over them, and the imports that change them.
#[async_trait]
pub trait RegisterStore: Send + Sync {
    // ---- the register, read side ----

    /// One location with its provider, current ratings, history and related locations.
    async fn location(&self, id: &LocationId) -> StoreResult<LocationDetail>;

    /// One provider with a summary of each of its locations.
    async fn provider(&self, id: &ProviderId) -> StoreResult<ProviderDetail>;

    /// The directory: filtered, sorted and paged location summaries.
    async fn search_locations(&self, query: &LocationQuery) -> StoreResult<Page<LocationSummary>>;

    /// Local authorities with their region and count of registered locations, by name.
    async fn local_authorities(&self) -> StoreResult<Vec<AreaCount>>;

    /// Specialisms / service user bands in use, with counts of registered locations.
    async fn specialisms(&self) -> StoreResult<Vec<NameCount>>;
    /// Where a postcode, the start of one or a town is, from the register's
    /// coordinates of the services there; `None` when it has none.
    async fn place(&self, text: &str) -> StoreResult<Option<Place>>;

    async fn register_stats(&self) -> StoreResult<RegisterStats>;

    /// Every overall rating ever given to the registered locations of a market:
    /// (location, published, rating), oldest first.
    async fn overall_ratings_in(
        &self,
        market: &MarketScope,
    ) -> StoreResult<Vec<(LocationId, chrono::NaiveDate, candour_domain::Rating)>>;

    // ---- the register, write side ----

    /// Everything an importer needs to work out what a file changes.
    async fn register_snapshot(&self) -> StoreResult<RegisterSnapshot>;

    /// Applies a planned import in one transaction: all of it or none of it.
    async fn apply_import(&self, plan: &ImportPlan) -> StoreResult<()>;

    /// Past imports, newest first.
    async fn import_runs(&self, limit: u32) -> StoreResult<Vec<ImportRun>>;

    // ---- small durable state (e.g. the API sync cursor) ----

    async fn get_state(&self, key: &str) -> StoreResult<Option<String>>;
    async fn set_state(&self, key: &str, value: &str) -> StoreResult<()>;

    /// Cheap check that the database answers, for `/healthz`.
    async fn ping(&self) -> StoreResult<()>;
}

/// Every location matching `query` (its paging ignored), fetched a page at a time.
pub async fn search_all(store: &dyn RegisterStore, query: &LocationQuery) -> StoreResult<Vec<LocationSummary>> {
    let mut query = LocationQuery { page: 1, per_page: LocationQuery::MAX_PER_PAGE, ..query.clone() };
    let mut all = Vec::new();
    loop {
        let page = store.search_locations(&query).await?;
        let last = page.page >= page.pages();
        all.extend(page.items);
        if last {
            return Ok(all);
        }
        query.page += 1;
    }
}
