//! The register (providers, locations, ratings, imports) and the directory,
//! which is searched in memory and follows the change journal.

mod read;
pub(crate) mod write;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tokio::sync::Mutex;

use candour_domain::{LocationId, ProviderId};
use candour_store::*;

use crate::{PostgresStore, journal, other};

/// The in-memory directory and the last journal entry it reflects. Only register
/// changes (an import or sync by any instance, a published assessment) touch the
/// index, and only the rows of the locations they name.
pub(crate) struct Directory {
    followed: Mutex<Followed>,
    /// The index as last brought up to date, when, and how many register
    /// notifications had been heard by then: while no new one is heard, requests
    /// use it as it is, for up to [`DIRECTORY_CHECK_AT_LEAST_EVERY`].
    checked: std::sync::RwLock<Option<Checked>>,
    /// Set when this instance commits a register change, so that its next
    /// directory read sees it at once.
    written: AtomicBool,
}

struct Followed {
    /// `None` until first built.
    sequence: Option<i64>,
    index: Arc<DirectoryIndex>,
}

struct Checked {
    at: Instant,
    heard: u64,
    index: Arc<DirectoryIndex>,
}

/// How long the directory trusts that it has heard of every register change
/// before it reads the journal anyway: a notification can be lost (say, while
/// the listening connection reconnects).
const DIRECTORY_CHECK_AT_LEAST_EVERY: Duration = Duration::from_secs(5);

impl Directory {
    pub(crate) fn new() -> Self {
        Directory {
            followed: Mutex::new(Followed { sequence: None, index: Arc::new(DirectoryIndex::new(Vec::new())) }),
            checked: std::sync::RwLock::new(None),
            written: AtomicBool::new(false),
        }
    }

    /// The index, if it was checked against the journal recently, with no register
    /// change heard of or written here since.
    fn recently_checked(&self, heard: u64) -> Option<Arc<DirectoryIndex>> {
        if self.written.load(Ordering::SeqCst) {
            return None;
        }
        let checked = self.checked.read().expect("directory lock");
        checked
            .as_ref()
            .filter(|c| c.heard == heard && c.at.elapsed() < DIRECTORY_CHECK_AT_LEAST_EVERY)
            .map(|c| c.index.clone())
    }
}

impl PostgresStore {
    /// The directory index, brought up to date first with the register changes
    /// journaled since it was last, when there may be any.
    pub(crate) async fn directory(&self) -> StoreResult<Arc<DirectoryIndex>> {
        let directory = &self.directory;
        if let Some(index) = directory.recently_checked(self.heard_of_register()) {
            return Ok(index);
        }
        let mut followed = directory.followed.lock().await;
        // Another request may have brought it up to date while this one waited.
        // Read what was heard before the journal: a commit announced later is read next time.
        let heard = self.heard_of_register();
        if let Some(index) = directory.recently_checked(heard) {
            return Ok(index);
        }
        directory.written.store(false, Ordering::SeqCst);
        self.follow_journal(&mut followed).await?;
        let index = Arc::clone(&followed.index);
        *directory.checked.write().expect("directory lock") =
            Some(Checked { at: Instant::now(), heard, index: index.clone() });
        Ok(index)
    }

    /// Brings the index up to date with the journal, from the primary, so that a
    /// replica's lag cannot leave a stale row in it.
    async fn follow_journal(&self, followed: &mut Followed) -> StoreResult<()> {
        let (first, last) = self.journal_bounds().await?;
        match followed.sequence {
            Some(seen) if last <= seen => Ok(()),
            // Entries after `seen` were pruned before they were read: build afresh.
            Some(seen) if first.is_none_or(|first| first > seen + 1) => self.build_directory(followed).await,
            Some(seen) => {
                let (upto, changed) = journal::register_changes(self.write(), seen).await?;
                if !changed.is_empty() {
                    let rows = read::directory_rows(self.write(), &changed).await?;
                    Arc::make_mut(&mut followed.index).replace(&changed, rows);
                }
                followed.sequence = Some(upto);
                Ok(())
            }
            None => self.build_directory(followed).await,
        }
    }

    /// The whole index loaded again, reflecting the journal up to the entry read
    /// before loading (entries after it are applied again on the next use).
    async fn build_directory(&self, followed: &mut Followed) -> StoreResult<()> {
        let (_, last) = self.journal_bounds().await?;
        followed.index = Arc::new(read::directory_index(self.write()).await?);
        followed.sequence = Some(last);
        Ok(())
    }

    /// The first and last entries of the journal. When it is empty, the last number
    /// handed out instead: otherwise entries pruned before this instance read them
    /// would go unnoticed until the next one.
    async fn journal_bounds(&self) -> StoreResult<(Option<i64>, i64)> {
        match journal::bounds(self.write()).await? {
            (None, _) => Ok((None, self.last_change().await?)),
            bounds => Ok(bounds),
        }
    }

    /// How many register notifications this instance has heard of.
    fn heard_of_register(&self) -> u64 {
        *self.heard.register.borrow()
    }

    /// Called after this instance commits a register change: no request reads the
    /// index as it was, not even one that starts while another brings it up to date.
    pub(crate) fn register_changed(&self) {
        self.directory.written.store(true, Ordering::SeqCst);
        *self.directory.checked.write().expect("directory lock") = None;
    }
}

#[async_trait]
impl RegisterStore for PostgresStore {
    async fn location(&self, id: &LocationId) -> StoreResult<LocationDetail> {
        read::location(self.read(), id).await
    }

    async fn provider(&self, id: &ProviderId) -> StoreResult<ProviderDetail> {
        read::provider(self.read(), id).await
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
        (stats.providers, stats.rating_records) = read::provider_and_rating_counts(self.read()).await?;
        Ok(stats)
    }

    async fn overall_ratings_in(
        &self,
        market: &MarketScope,
    ) -> StoreResult<Vec<(LocationId, chrono::NaiveDate, candour_domain::Rating)>> {
        read::overall_ratings_in(self.read(), market).await
    }

    async fn register_snapshot(&self) -> StoreResult<RegisterSnapshot> {
        // An importer diffs its file against this: it must not miss the last import.
        read::register_snapshot(self.write()).await
    }

    async fn apply_import(&self, plan: &ImportPlan) -> StoreResult<()> {
        let applied = write::apply_import(self.write(), plan).await;
        self.register_changed();
        applied
    }

    async fn import_runs(&self, limit: u32) -> StoreResult<Vec<ImportRun>> {
        read::import_runs(self.read(), limit).await
    }

    async fn get_state(&self, key: &str) -> StoreResult<Option<String>> {
        // State is a cursor read before it is moved on: it must be the latest.
        sqlx::query_scalar("SELECT value FROM state WHERE key = $1")
            .bind(key)
            .fetch_optional(self.write())
            .await
            .map_err(other)
    }

    async fn set_state(&self, key: &str, value: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        )
        .bind(key)
        .bind(value)
        .execute(self.write())
        .await
        .map(drop)
        .map_err(other)
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(self.read()).await.map(drop).map_err(other)
    }
}

/// Two stores on one schema stand for two instances on one database.
#[cfg(all(test, candour_postgres_tests))]
mod directory_freshness {
    use std::future::Future;
    use std::time::Duration;

    use candour_domain::{Location, LocationId, Provider, ProviderId};
    use candour_store::{ChangeKind, ImportPlan, JournalStore, LocationQuery, RegisterStore};

    use crate::{PoolSize, PostgresStore};

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

    async fn two_instances() -> (PostgresStore, PostgresStore) {
        let url = crate::conformance::fresh_url().await;
        let server = PostgresStore::open(&url, PoolSize(4)).await.expect("open");
        let importer = PostgresStore::open(&url, PoolSize(4)).await.expect("open again");
        (server, importer)
    }

    async fn total(store: &PostgresStore) -> u64 {
        store.search_locations(&LocationQuery::default()).await.expect("search").total
    }

    /// Does `act`, then waits for `store` to hear of a register change: well
    /// before the directory's fallback check, so the notification did it.
    async fn heard_by<T>(store: &PostgresStore, act: impl Future<Output = T>) -> T {
        let mut heard = store.heard.register.clone();
        heard.borrow_and_update();
        let done = act.await;
        tokio::time::timeout(Duration::from_secs(2), heard.changed())
            .await
            .expect("notified within 2 s")
            .expect("still listening");
        done
    }

    /// Another instance's import shows in this one's directory as soon as it is
    /// announced; this instance's own import shows at once.
    #[tokio::test]
    async fn the_directory_sees_commits_from_other_instances() {
        let (server, importer) = two_instances().await;
        assert_eq!(total(&server).await, 0);
        heard_by(&server, importer.apply_import(&one_location(10))).await.expect("import");
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
        let (server, importer) = two_instances().await;
        importer.apply_import(&one_location(10)).await.expect("import");
        heard_by(&server, importer.apply_import(&one_location(11))).await.expect("import");
        let before = server.directory().await.expect("index");
        assert_eq!(before.len(), 2);

        let mut tx = importer.write().begin().await.expect("begin");
        crate::journal::append(&mut tx, Some("1-10"), ChangeKind::Return, chrono::Utc::now()).await.expect("append");
        tx.commit().await.expect("commit");
        server.register_changed(); // so that it reads the journal now
        let after = server.directory().await.expect("index");
        assert!(std::sync::Arc::ptr_eq(&before, &after), "a return leaves the index alone");

        let mut renamed = one_location(10);
        renamed.locations[0].name = "Harbour View".into();
        renamed.providers.clear();
        heard_by(&server, importer.apply_import(&renamed)).await.expect("rename");
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

    /// Entries pruned before this instance read them: it loads the index afresh.
    #[tokio::test]
    async fn the_directory_is_built_again_when_the_journal_was_pruned_past_it() {
        let (server, importer) = two_instances().await;
        heard_by(&server, importer.apply_import(&one_location(10))).await.expect("import");
        assert_eq!(total(&server).await, 1);
        importer.apply_import(&one_location(11)).await.expect("import");
        heard_by(&server, importer.apply_import(&one_location(12))).await.expect("import");
        let last = importer.last_change().await.expect("last");
        let later = chrono::Utc::now() + chrono::Duration::hours(1);
        importer.prune_changes(last + 1, later).await.expect("prune");
        assert_eq!(total(&server).await, 3, "the journal is empty, but its numbers moved on");
        // Without its provider, so that the journal names this location alone.
        let mut alone = one_location(13);
        alone.providers.clear();
        heard_by(&server, importer.apply_import(&alone)).await.expect("import");
        assert_eq!(total(&server).await, 4, "the pruned imports are in the index too");
    }

    /// A lost notification costs at most the fallback check's wait.
    #[tokio::test]
    async fn the_directory_reads_the_journal_at_least_every_few_seconds() {
        let (server, importer) = two_instances().await;
        assert_eq!(total(&server).await, 0);
        // Committed without a notification, as if the listener had missed it.
        let mut tx = importer.write().begin().await.expect("begin");
        super::write::write_import(&mut tx, &one_location(10)).await.expect("import");
        sqlx::query("INSERT INTO changes (location_id, kind, at) VALUES ('1-10', 'register', now())")
            .execute(&mut *tx)
            .await
            .expect("append");
        tx.commit().await.expect("commit");
        assert_eq!(total(&server).await, 0, "not heard of yet");
        tokio::time::sleep(super::DIRECTORY_CHECK_AT_LEAST_EVERY + Duration::from_millis(100)).await;
        assert_eq!(total(&server).await, 1);
    }
}

/// How long a national register takes to import: run by hand with
/// `cargo test -p candour-store-postgres national_import -- --ignored --nocapture`.
#[cfg(all(test, candour_postgres_tests))]
mod national_import {
    use std::time::Instant;

    use candour_domain::{Location, LocationId, Provider, ProviderId, Rating, RatingRecord, RatingSource};
    use candour_store::{ImportPlan, LocationQuery, RegisterStore};

    const LOCATIONS: u32 = 30_000;

    fn national(name: &str) -> ImportPlan {
        let providers: Vec<Provider> = (0..LOCATIONS / 3)
            .map(|n| Provider::new(ProviderId::parse(&format!("1-{}", 1_000_000 + n)).expect("id"), format!("P {n}")))
            .collect();
        let locations: Vec<Location> = (0..LOCATIONS)
            .map(|n| {
                let mut l = Location::new(
                    LocationId::parse(&format!("1-{}", 2_000_000 + n)).expect("id"),
                    providers[(n / 3) as usize].id.clone(),
                    format!("{name} {n}"),
                );
                l.service_types = vec!["Care home service with nursing".into()];
                l.specialisms = vec!["Dementia".into(), "Older people".into()];
                l.local_authority = Some(format!("Area {}", n % 150));
                l
            })
            .collect();
        let ratings = locations
            .iter()
            .flat_map(|l| {
                let rating = |year| RatingRecord {
                    location_id: l.id.clone(),
                    service_group: "Overall".into(),
                    published: chrono::NaiveDate::from_ymd_opt(year, 3, 1).expect("date"),
                    source: RatingSource::Cqc,
                    overall: Some(Rating::Good),
                    key_questions: Default::default(),
                    report_type: Some("Location".into()),
                    inherited: false,
                };
                [rating(2019), rating(2023)]
            })
            .collect();
        ImportPlan { kind: "timing".into(), origin: "test".into(), providers, locations, ratings, ..Default::default() }
    }

    #[tokio::test]
    #[ignore = "a timing, run by hand"]
    async fn a_national_register_imports_in_seconds() {
        let (store, _) = crate::conformance::fresh().await;
        for (round, name) in [(1, "Home"), (2, "House")] {
            let plan = national(name);
            let started = Instant::now();
            store.apply_import(&plan).await.expect("import");
            println!("import {round}: {LOCATIONS} locations, {} ratings: {:?}", plan.ratings.len(), started.elapsed());
            let started = Instant::now();
            let total = store.search_locations(&LocationQuery::default()).await.expect("search").total;
            println!("directory after import {round}: {total} locations: {:?}", started.elapsed());
        }
    }
}
