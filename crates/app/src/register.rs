//! The register: the regulator's published files imported into it, its API
//! synced into it, and the directory exported from it. Every change goes
//! through the guard rules of [`candour_cqc::plan`]: a file cut short or holding
//! no rows is refused as it is read, any invalid row refuses the whole file
//! unless invalid rows are to be skipped, and an import may deregister only a
//! small share of the register unless told how many it may.
//!
//! The register is changed by the server's operator (the command line), not by
//! an account, so these calls take no actor; each import is kept with the
//! register as an import run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use candour_cqc::client::{CqcClient, SYNC_STATE_KEY, SyncError, SyncReport, SyncSink, SyncState, sync};
use candour_cqc::{ImportError, ImportOptions, Parsed, PlanRefused, Planned, Progress, RowProblem, SourceKind};
use candour_demo::ExportError;
use candour_domain::{LocationId, ProviderId};
use candour_store::{ImportCounts, RegisterSnapshot, RegisterStore, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};

use crate::{AreaError, Failure};

/// The register's imports, sync and export. Cheap to clone.
#[derive(Clone)]
pub struct Register {
    store: Arc<dyn Store>,
}

/// The job lock a sync holds, whichever instance or command runs it.
pub const SYNC_JOB: &str = "cqc-sync";

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// The file cannot be read as a whole: missing, of no known format, cut
    /// short, or holding no rows.
    #[error(transparent)]
    Read(#[from] ImportError),
    /// Invalid rows, or more deregistrations than allowed: nothing was changed.
    #[error(transparent)]
    Refused(#[from] PlanRefused),
    /// The saved position of an interrupted sync cannot be read.
    #[error("the saved sync state is not readable")]
    SyncState(#[source] serde_json::Error),
    #[error(transparent)]
    Sync(#[from] SyncError<SyncFailure>),
    /// The file could not be read because its reader stopped.
    #[error("the file could not be read: {0}")]
    Interrupted(String),
    /// Another sync holds the lock (in this or another instance).
    #[error("another sync of the register is running; try again when it has finished")]
    SyncRunning,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AreaError for RegisterError {
    fn failure(&self) -> Failure<'_> {
        match self {
            RegisterError::Read(_) | RegisterError::Refused(_) => Failure::Invalid,
            RegisterError::SyncRunning => Failure::Conflict("another sync of the register is running"),
            RegisterError::Store(error) => error.failure(),
            _ => Failure::Internal,
        }
    }
}

/// Why one batch of a sync could not be imported, or its position not kept.
#[derive(Debug, thiserror::Error)]
pub enum SyncFailure {
    #[error("{0}")]
    Refused(PlanRefused),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A file read and compared with the register: what importing it would change.
#[derive(Debug, Clone)]
pub struct ImportReview {
    /// What the import adds and changes, and the rows it skips.
    pub planned: Planned,
    /// Each location it would deregister, with its name in the register.
    pub deregistering: Vec<(LocationId, String)>,
}

/// What a sync did: the pages it fetched, and what they changed.
#[derive(Debug, Clone)]
pub struct SyncOutcome {
    pub report: SyncReport,
    pub counts: ImportCounts,
}

/// The register as it stands, ready to be written as a directory file.
pub struct DirectoryExport {
    snapshot: RegisterSnapshot,
}

impl DirectoryExport {
    /// Writes the registered locations as a "care directory with filters"
    /// produced on `today`; answers how many locations were written.
    pub fn write(&self, out: impl Write, today: NaiveDate) -> Result<u64, ExportError> {
        candour_demo::export_directory(&self.snapshot, out, today)
    }
}

impl Register {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Reads a file of `kind` and works out what importing it would change,
    /// under the guard rules; nothing is written. `progress` watches the reading.
    pub async fn review_import(
        &self,
        kind: SourceKind,
        file: &Path,
        options: &ImportOptions,
        progress: impl Progress + Send + 'static,
    ) -> Result<ImportReview, RegisterError> {
        let path: PathBuf = file.to_path_buf();
        let parsed: Parsed = tokio::task::spawn_blocking(move || kind.read(&path, &progress))
            .await
            .map_err(|stopped| RegisterError::Interrupted(stopped.to_string()))??;
        let snapshot = self.store.register_snapshot().await?;
        let planned = candour_cqc::plan(parsed, &snapshot, options)?;
        let deregistering = planned
            .deregistered
            .iter()
            .map(|id| (id.clone(), snapshot.locations.get(id).map_or_else(String::new, |l| l.name.clone())))
            .collect();
        Ok(ImportReview { planned, deregistering })
    }

    /// Applies a reviewed import in one transaction: all of it or none of it.
    pub async fn apply_import(&self, review: &ImportReview) -> Result<(), StoreError> {
        self.store.apply_import(&review.planned.plan).await
    }

    /// Where a sync starts: after the last one, or where an interrupted one
    /// stopped; from `since` instead, when given, which replaces the saved
    /// position and any unfinished run.
    pub async fn sync_state(&self, since: Option<DateTime<Utc>>) -> Result<SyncState, RegisterError> {
        let saved = match self.store.get_state(SYNC_STATE_KEY).await? {
            Some(text) => SyncState::from_json(&text).map_err(RegisterError::SyncState)?,
            None => SyncState::default(),
        };
        Ok(match since {
            Some(since) => SyncState { synced_until: Some(since), run: None },
            None => saved,
        })
    }

    /// Brings the register up to date from the regulator's API, one listing page
    /// at a time, each imported in its own transaction and the position saved
    /// after it, so that an interrupted sync continues where it stopped. A record
    /// the API serves but cannot be read is handed to `skipped` and left out: one
    /// bad record must not hold back the rest of the register.
    pub async fn sync(
        &self,
        client: &CqcClient,
        state: SyncState,
        full: bool,
        progress: &dyn Progress,
        skipped: &mut (dyn FnMut(&RowProblem) + Send),
    ) -> Result<SyncOutcome, RegisterError> {
        let _lock = self.store.try_job_lock(SYNC_JOB).await?.ok_or(RegisterError::SyncRunning)?;
        let snapshot = self.store.register_snapshot().await?;
        let mut sink = Sink { store: self.store.as_ref(), snapshot, counts: ImportCounts::default(), skipped };
        let report = sync(client, state, full, &mut sink, progress).await?;
        Ok(SyncOutcome { report, counts: sink.counts })
    }

    /// The register as it stands, to write as a directory file.
    pub async fn export_directory(&self) -> Result<DirectoryExport, StoreError> {
        Ok(DirectoryExport { snapshot: self.store.register_snapshot().await? })
    }
}

/// Plans each batch against an in-memory register kept current between batches,
/// applies it, and keeps the position in the database.
struct Sink<'a> {
    store: &'a dyn RegisterStore,
    snapshot: RegisterSnapshot,
    counts: ImportCounts,
    skipped: &'a mut (dyn FnMut(&RowProblem) + Send),
}

impl SyncSink for Sink<'_> {
    type Error = SyncFailure;

    /// A provider known only by its ID is fetched again until its record arrives.
    fn has_provider(&self, id: &ProviderId) -> bool {
        self.snapshot.providers.get(id).is_some_and(|p| !p.is_awaiting_details())
    }

    async fn apply(&mut self, batch: Parsed) -> Result<(), SyncFailure> {
        let options = ImportOptions { skip_invalid: true, ..ImportOptions::default() };
        let planned = candour_cqc::plan(batch, &self.snapshot, &options).map_err(SyncFailure::Refused)?;
        for problem in &planned.problems {
            (self.skipped)(problem);
        }
        self.store.apply_import(&planned.plan).await?;
        candour_cqc::update_snapshot(&mut self.snapshot, &planned.plan);
        add_counts(&mut self.counts, &planned.plan.counts);
        Ok(())
    }

    async fn save(&mut self, state: &SyncState) -> Result<(), SyncFailure> {
        Ok(self.store.set_state(SYNC_STATE_KEY, &state.to_json()).await?)
    }
}

fn add_counts(total: &mut ImportCounts, batch: &ImportCounts) {
    total.added += batch.added;
    total.changed += batch.changed;
    total.unchanged += batch.unchanged;
    total.deregistered += batch.deregistered;
    total.providers_added += batch.providers_added;
    total.providers_changed += batch.providers_changed;
    total.ratings_added += batch.ratings_added;
    total.ratings_changed += batch.ratings_changed;
    total.ratings_unchanged += batch.ratings_unchanged;
    total.skipped_rows += batch.skipped_rows;
}
