//! The embedded default [`Store`]: one SQLite file in WAL mode, with one writer
//! connection (SQLite allows one writer at a time; queuing writes in our own pool
//! avoids busy errors) and a pool of readers.

mod accounts;
mod assessments;
#[macro_use]
mod codec;
mod complaints;
mod improvement;
mod journal;
mod monitoring;
mod notices;
mod policies;
mod practice;
mod read;
mod returns;
mod shared;
mod visits;
mod voice;
mod write;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::Mutex;

use candour_domain::{LocationId, ProviderId};
use candour_store::*;

pub struct SqliteStore {
    path: PathBuf,
    reader: SqlitePool,
    writer: SqlitePool,
    directory: Mutex<Directory>,
    /// The index as last brought up to date, and when the journal was last read for
    /// it: requests within [`DIRECTORY_CHECK_EVERY`] of that read use it as it is.
    directory_checked: std::sync::RwLock<Option<(Instant, Arc<DirectoryIndex>)>>,
    /// Set when this process commits a register change, so that its next directory
    /// read sees it at once, without waiting for the next check.
    register_written: AtomicBool,
    /// Feedback goes through one task that commits it in groups.
    submissions: voice::submissions::Submissions,
    allowances: shared::Allowances,
}

/// The in-memory directory and the last journal entry it reflects. Before each
/// use the journal is asked for entries after that one: only register changes (an
/// import or sync by any process, a published assessment) touch the index, and only
/// the rows of the locations they name. Feedback and the rest leave it alone.
struct Directory {
    /// `None` until first built.
    sequence: Option<i64>,
    index: Arc<DirectoryIndex>,
}

/// How often the directory asks the journal for register changes made by any
/// process. Between checks every request reads the index as it is, so that reads
/// do not queue on the journal while people write; this process's own register
/// changes are seen at once.
const DIRECTORY_CHECK_EVERY: Duration = Duration::from_millis(250);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub async fn open(path: &Path) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .map_err(other)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL syncs the WAL at every commit, so a commit survives power loss and
            // not only a crash of the process: "saved" must mean saved. Feedback is
            // committed in groups, so this costs one sync per group.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-32000")
            .pragma("temp_store", "memory");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            // The writer keeps more pages: every submission writes to two unique
            // indexes at random places, which must not be read back from disk.
            .connect_with(options.clone().pragma("cache_size", "-262144"))
            .await
            .map_err(|e| StoreError::Invalid(format!("cannot open database {}: {e}", path.display())))?;
        MIGRATOR.run(&writer).await.map_err(other)?;
        let readers = std::thread::available_parallelism().map_or(4, |n| n.get() as u32 * 2).max(4);
        let reader = SqlitePoolOptions::new()
            .max_connections(readers)
            .connect_with(options.clone().read_only(true))
            .await
            .map_err(other)?;
        let directory = Mutex::new(Directory { sequence: None, index: Arc::new(DirectoryIndex::new(Vec::new())) });
        let submissions = voice::submissions::Submissions::start(writer.clone());
        Ok(Self {
            path: path.to_path_buf(),
            reader,
            writer,
            directory,
            directory_checked: std::sync::RwLock::new(None),
            register_written: AtomicBool::new(false),
            submissions,
            allowances: shared::Allowances::default(),
        })
    }

    /// The directory index, brought up to date first with the register changes
    /// journaled since it was last.
    async fn directory(&self) -> StoreResult<Arc<DirectoryIndex>> {
        if let Some(index) = self.recently_checked_directory() {
            return Ok(index);
        }
        let mut directory = self.directory.lock().await;
        // Another request may have brought it up to date while this one waited.
        if let Some(index) = self.recently_checked_directory() {
            return Ok(index);
        }
        self.register_written.store(false, Ordering::SeqCst);
        let (first, last) = journal::bounds(&self.reader).await?;
        match directory.sequence {
            Some(seen) if last <= seen => {}
            // Entries after `seen` were pruned before they were read: build afresh.
            Some(seen) if first.is_some_and(|first| first > seen + 1) => self.build_directory(&mut directory).await?,
            Some(seen) => {
                let (upto, changed) = journal::register_changes(&self.reader, seen).await?;
                if !changed.is_empty() {
                    let rows = read::directory_rows(&self.reader, &changed).await?;
                    Arc::make_mut(&mut directory.index).replace(&changed, rows);
                }
                directory.sequence = Some(upto);
            }
            None => self.build_directory(&mut directory).await?,
        }
        let index = Arc::clone(&directory.index);
        *self.directory_checked.write().expect("directory lock") = Some((Instant::now(), index.clone()));
        Ok(index)
    }

    /// The index, if the journal was read for it within [`DIRECTORY_CHECK_EVERY`]
    /// and this process has written no register change since.
    fn recently_checked_directory(&self) -> Option<Arc<DirectoryIndex>> {
        if self.register_written.load(Ordering::SeqCst) {
            return None;
        }
        let checked = self.directory_checked.read().expect("directory lock");
        checked.as_ref().filter(|(at, _)| at.elapsed() < DIRECTORY_CHECK_EVERY).map(|(_, index)| index.clone())
    }

    /// Called after this process commits a register change: no request reads the
    /// index as it was, not even one that starts while another brings it up to date.
    fn register_changed(&self) {
        self.register_written.store(true, Ordering::SeqCst);
        *self.directory_checked.write().expect("directory lock") = None;
    }

    /// The whole index loaded again, reflecting the journal up to the entry read
    /// before loading (entries after it are applied again on the next use).
    async fn build_directory(&self, directory: &mut Directory) -> StoreResult<()> {
        let (_, last) = journal::bounds(&self.reader).await?;
        directory.index = Arc::new(read::directory_index(&self.reader).await?);
        directory.sequence = Some(last);
        Ok(())
    }

    /// Whether the database holds no locations yet (used to seed the demo once).
    pub async fn is_empty(&self) -> StoreResult<bool> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM locations").fetch_one(&self.reader).await.map_err(other)?;
        Ok(n == 0)
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

pub(crate) fn other(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Other(Box::new(e))
}

#[async_trait]
impl RegisterStore for SqliteStore {
    async fn location(&self, id: &LocationId) -> StoreResult<LocationDetail> {
        read::location(&self.reader, id).await
    }

    async fn provider(&self, id: &ProviderId) -> StoreResult<ProviderDetail> {
        read::provider(&self.reader, id).await
    }

    async fn search_locations(&self, query: &LocationQuery) -> StoreResult<Page<LocationSummary>> {
        self.directory().await?.search(query)
    }

    async fn local_authorities(&self) -> StoreResult<Vec<AreaCount>> {
        Ok(self.directory().await?.local_authorities())
    }

    async fn specialisms(&self) -> StoreResult<Vec<NameCount>> {
        Ok(self.directory().await?.specialisms())
    }

    async fn place(&self, text: &str) -> StoreResult<Option<Place>> {
        Ok(self.directory().await?.place(text))
    }

    async fn register_stats(&self) -> StoreResult<RegisterStats> {
        let mut stats = self.directory().await?.stats();
        (stats.providers, stats.rating_records) = read::provider_and_rating_counts(&self.reader).await?;
        Ok(stats)
    }

    async fn overall_ratings_in(
        &self,
        market: &MarketScope,
    ) -> StoreResult<Vec<(LocationId, chrono::NaiveDate, candour_domain::Rating)>> {
        read::overall_ratings_in(&self.reader, market).await
    }

    async fn register_snapshot(&self) -> StoreResult<RegisterSnapshot> {
        read::register_snapshot(&self.reader).await
    }

    async fn apply_import(&self, plan: &ImportPlan) -> StoreResult<()> {
        let applied = write::apply_import(&self.writer, plan).await;
        self.register_changed();
        applied
    }

    async fn import_runs(&self, limit: u32) -> StoreResult<Vec<ImportRun>> {
        read::import_runs(&self.reader, limit).await
    }

    async fn get_state(&self, key: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT value FROM state WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.reader)
            .await
            .map_err(other)
    }

    async fn set_state(&self, key: &str, value: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.writer)
        .await
        .map(drop)
        .map_err(other)
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await.map(drop).map_err(other)
    }
}

#[cfg(test)]
mod conformance {
    async fn fresh() -> (super::SqliteStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = super::SqliteStore::open(&dir.path().join("candour.db")).await.expect("open store");
        (store, dir)
    }

    candour_store::conformance_tests!(fresh);
}

#[cfg(test)]
mod directory_freshness {
    use candour_domain::{Location, LocationId, Provider, ProviderId};
    use candour_store::{ImportPlan, LocationQuery, RegisterStore};

    fn one_location(n: u32) -> ImportPlan {
        let provider = ProviderId::parse("1-1").expect("valid id");
        ImportPlan {
            providers: vec![Provider::new(provider.clone(), "Brightwater Care Ltd")],
            locations: vec![Location::new(
                LocationId::parse(&format!("1-{n}")).expect("valid id"),
                provider,
                format!("Home {n}"),
            )],
            ..Default::default()
        }
    }

    async fn total(store: &super::SqliteStore) -> u64 {
        store.search_locations(&LocationQuery::default()).await.expect("search").total
    }

    /// Waits until the directory next reads the journal.
    async fn next_check() {
        tokio::time::sleep(super::DIRECTORY_CHECK_EVERY + std::time::Duration::from_millis(50)).await;
    }

    /// Another process (here, another handle on the same file) importing shows in
    /// this handle's directory at its next look at the journal; this handle's own
    /// import shows at once.
    #[tokio::test]
    async fn the_directory_sees_commits_from_other_connections() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("candour.db");
        let server = super::SqliteStore::open(&path).await.expect("open");
        let importer = super::SqliteStore::open(&path).await.expect("open again");
        assert_eq!(total(&server).await, 0);
        importer.apply_import(&one_location(10)).await.expect("import");
        next_check().await;
        assert_eq!(total(&server).await, 1);
        importer.apply_import(&one_location(11)).await.expect("import");
        server.apply_import(&one_location(12)).await.expect("import");
        assert_eq!(total(&server).await, 3, "its own import at once, and the other's with it");
        assert_eq!(total(&importer).await, 3);
    }

    /// Only register changes touch the index, and only their rows: a return (or
    /// feedback) leaves the very same index in place.
    #[tokio::test]
    async fn only_register_changes_touch_the_directory_and_only_their_rows() {
        use candour_domain::returns::Month;
        use candour_store::{ReturnBatch, ReturnSource, ReturnsStore};
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("candour.db");
        let server = super::SqliteStore::open(&path).await.expect("open");
        let importer = super::SqliteStore::open(&path).await.expect("open again");
        importer.apply_import(&one_location(10)).await.expect("import");
        importer.apply_import(&one_location(11)).await.expect("import");
        next_check().await;
        let before = server.directory().await.expect("index");
        assert_eq!(before.len(), 2);
        let figures = candour_domain::returns::MonthlyReturn {
            month: Month::new(2026, 1).expect("a month"),
            headcount: 20,
            leavers: 1,
            agency_hours: 150,
            hours_worked: 3000,
            vacancies: 1,
            supervision_pct: 90,
            training_pct: 90,
            registered_manager: true,
            manager_changed: false,
            people_supported: 20,
            incidents: 4,
            restraint: 1,
            seclusion: 0,
            segregation: 0,
            notifications: 2,
            safeguarding_referrals: 0,
            complaints_received: 3,
            complaints_upheld: 1,
            complaints_on_time: 3,
        };
        let batch = ReturnBatch {
            returns: vec![(LocationId::parse("1-10").expect("valid id"), figures)],
            sent_by: None,
            sent_at: chrono::Utc::now(),
            source: ReturnSource::Csv,
        };
        importer.save_returns(&batch).await.expect("a return");
        next_check().await;
        let after = server.directory().await.expect("index");
        assert!(std::sync::Arc::ptr_eq(&before, &after), "a return leaves the index alone");

        let mut renamed = one_location(10);
        renamed.locations[0].name = "Harbour View".into();
        renamed.providers.clear();
        importer.apply_import(&renamed).await.expect("rename");
        next_check().await;
        let names: Vec<String> = server
            .search_locations(&LocationQuery::default())
            .await
            .expect("search")
            .items
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["Harbour View", "Home 11"], "the renamed row replaced, sorted again");
    }
}
