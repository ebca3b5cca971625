//! Monitoring kept current. A [`Monitor`] holds every registered service's last
//! 24 months in memory and the latest [`Snapshot`] of indicators, flags and
//! watchlist computed from them. It follows the store's change journal: every
//! write that feeds monitoring (by this process or any other on the same database)
//! appends an entry, and each round takes every entry after the last one reflected,
//! reads back only the services they name and computes only their peer groups again
//! (comparisons run within a peer group), so pages see new data within a second. A
//! register change, an entry without a location, a new day, a start and every 15
//! minutes mean a full reload.

mod export;
mod inputs;
mod snapshot;

pub use candour_store::ServiceFacts;
pub use export::write_watchlist_csv;
pub use inputs::{Inputs, NotComputed, history_start, peer_group};
pub use snapshot::{Snapshot, Timings, Watched};

use std::collections::HashSet;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tokio::sync::watch;

use candour_domain::LocationId;
use candour_domain::returns::Month;
use candour_engine::monitoring::MonitoringPolicy;
use candour_store::consistency::{WritePosition, reading_after};
use candour_store::{Change, ChangeKind, StoreError};

pub use candour_store::MonitorStore;

/// How often everything is read again from the store, whatever the journal says.
const RELOAD_EVERY: Duration = Duration::from_secs(15 * 60);

/// How often the journal is asked for new entries when idle: writes by another
/// process are seen this soon.
const POLL_EVERY: Duration = Duration::from_millis(250);

/// The least time from the end of one round to the start of the next: under
/// sustained writes the monitor takes what arrived in batches rather than
/// computing back to back and taking the writers' time.
const ROUND_GAP: Duration = Duration::from_millis(500);

/// While writes keep coming, the gap is this many times as long as the round took:
/// the rounds then take about a sixth of one core, so the writers keep their pace.
/// Up to [`MAX_GAP`], which bounds how stale monitoring may fall under a flood.
const GAP_PER_ROUND_TIME: u32 = 5;
const MAX_GAP: Duration = Duration::from_secs(30);

/// So few new entries in a poll that writes have stopped or slowed to a trickle:
/// what waits is then taken after [`ROUND_GAP`] rather than after a long round's
/// full gap, so that the first response after a burst is reflected within a second.
const FEW_CHANGES: i64 = 16;

/// Journal entries read per request.
const BATCH: u32 = 10_000;

/// Entries reflected and older than this are pruned from the journal, now and then.
const KEEP_CHANGES: chrono::TimeDelta = chrono::TimeDelta::days(1);
const PRUNE_EVERY: Duration = Duration::from_secs(10 * 60);

/// With no good round for this long (three reloads missed), the monitor is stale.
pub const STALE_AFTER: Duration = Duration::from_secs(45 * 60);

/// Why monitoring could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    #[error("could not read the monitoring data: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Monitoring(#[from] candour_engine::monitoring::MonitoringError),
    #[error("the computation stopped unexpectedly")]
    Panicked,
}

impl MonitorError {
    /// Why, in words safe to show anyone: a store error can name files and data.
    pub fn public_reason(&self) -> String {
        match self {
            MonitorError::Store(_) => "the monitoring data could not be read from the database".into(),
            other => other.to_string(),
        }
    }
}

/// How the monitor stands, as `/healthz` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Health {
    pub state: HealthState,
    /// When the last round that computed a snapshot finished.
    pub last_good_round: Option<DateTime<Utc>>,
    /// When the rounds began to fail, and why the latest failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Registered services left out of the last snapshot as their data could not be read.
    pub services_not_computed: usize,
    /// The last change-journal entry the snapshot reflects (-1 before the first):
    /// instances on one database that show the same number show the same data.
    pub reflected_change: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthState {
    /// No round has finished yet, and none has failed.
    Starting,
    Ok,
    /// No good round for [`STALE_AFTER`].
    Stale,
    /// The latest round failed; the last snapshot stays.
    Failing,
    /// Monitoring is switched off (`candour serve --no-monitor`).
    Off,
}

impl HealthState {
    pub fn is_healthy(self) -> bool {
        matches!(self, HealthState::Starting | HealthState::Ok | HealthState::Off)
    }
}

/// What the worker's rounds have come to.
struct Record {
    started: DateTime<Utc>,
    last_good: Option<DateTime<Utc>>,
    failing: Option<(DateTime<Utc>, String)>,
}

impl Record {
    fn succeeded(&mut self) {
        (self.last_good, self.failing) = (Some(Utc::now()), None);
    }

    /// Failing since the first of the failures in a row, for the latest's reason.
    fn failed(&mut self, error: &MonitorError) {
        let since = self.failing.as_ref().map_or_else(Utc::now, |(since, _)| *since);
        self.failing = Some((since, error.public_reason()));
    }

    fn health(&self, now: DateTime<Utc>, services_not_computed: usize) -> Health {
        let stale = |since: DateTime<Utc>| (now - since).to_std().is_ok_and(|age| age > STALE_AFTER);
        let state = match (&self.failing, self.last_good) {
            (Some(_), _) => HealthState::Failing,
            (None, Some(good)) if stale(good) => HealthState::Stale,
            (None, Some(_)) => HealthState::Ok,
            (None, None) if stale(self.started) => HealthState::Stale,
            (None, None) => HealthState::Starting,
        };
        Health {
            state,
            last_good_round: self.last_good,
            failing_since: self.failing.as_ref().map(|(since, _)| *since),
            reason: self.failing.as_ref().map(|(_, reason)| reason.clone()),
            services_not_computed,
            reflected_change: -1,
        }
    }
}

/// Loads everything from the store and computes the snapshot, as `candour recompute` does.
pub async fn recompute(
    store: &dyn MonitorStore,
    policy: &MonitoringPolicy,
    today: NaiveDate,
) -> Result<(Inputs, Snapshot), MonitorError> {
    let started = Instant::now();
    let inputs = Inputs::load(store, policy, today).await?;
    let load = started.elapsed();
    let snapshot = Snapshot::compute(&inputs, policy, today, load)?;
    Ok((inputs, snapshot))
}

/// The live monitor the web server keeps.
#[derive(Clone)]
pub struct Monitor {
    shared: Arc<Shared>,
}

struct Shared {
    store: Arc<dyn MonitorStore>,
    policy: MonitoringPolicy,
    latest: RwLock<Option<Arc<Snapshot>>>,
    /// (Watched) the last journal entry reflected in `latest`; -1 before the first snapshot.
    reflected: watch::Sender<i64>,
    record: Mutex<Record>,
    /// Whether a worker computes snapshots (`false`: monitoring is off).
    running: bool,
}

/// What one round reads back.
#[derive(Debug, Default)]
struct Services {
    /// Services whose figures changed.
    locations: HashSet<LocationId>,
    /// Of those, the ones whose policy read rate changed too.
    policy_reads: HashSet<LocationId>,
    /// The first month whose figures changed, when only new responses and progress
    /// ratings did (each entry dated by what it counts): only their voice figures
    /// from then on, and their alerts, are read back.
    since: Option<Month>,
}

impl Services {
    /// What the entries ask for; `None` when only a full reload will do: a register
    /// change or a published assessment (what the register says about the service
    /// changes), or an entry that names no location.
    fn of(changes: &[Change]) -> Option<Services> {
        let mut services = Services::default();
        for change in changes {
            let location = change.location.as_ref()?;
            match change.kind {
                ChangeKind::Register | ChangeKind::Assessment => return None,
                ChangeKind::PolicyRead => {
                    services.policy_reads.insert(location.clone());
                    services.locations.insert(location.clone());
                }
                ChangeKind::Feedback
                | ChangeKind::FeedbackHistory
                | ChangeKind::Moderation
                | ChangeKind::Reply
                | ChangeKind::Return
                | ChangeKind::Complaint => {
                    services.locations.insert(location.clone());
                }
                // Published plans and good practice are not monitoring's figures.
                ChangeKind::Improvement | ChangeKind::Practice => {}
            }
        }
        if changes.iter().all(|c| c.kind == ChangeKind::Feedback) {
            services.since = changes.iter().map(|c| Month::of(c.at.date_naive())).min();
        }
        Some(services)
    }
}

impl Monitor {
    /// A monitor that computes its first snapshot in the background at once, then
    /// follows the store's change journal.
    pub fn start(store: Arc<dyn MonitorStore>, policy: MonitoringPolicy) -> Monitor {
        let monitor = Monitor::new(store, policy, true);
        tokio::spawn(run(monitor.shared.clone()));
        monitor
    }

    /// Monitoring switched off (benchmarks, public-only instances): no snapshot is
    /// ever computed, so monitoring pages answer that it is not ready.
    pub fn off(store: Arc<dyn MonitorStore>, policy: MonitoringPolicy) -> Monitor {
        Monitor::new(store, policy, false)
    }

    fn new(store: Arc<dyn MonitorStore>, policy: MonitoringPolicy, running: bool) -> Monitor {
        let shared = Arc::new(Shared {
            store,
            policy,
            latest: RwLock::new(None),
            reflected: watch::channel(-1).0,
            record: Mutex::new(Record { started: Utc::now(), last_good: None, failing: None }),
            running,
        });
        Monitor { shared }
    }

    /// The latest snapshot; `None` until the first one is computed.
    pub fn current(&self) -> Option<Arc<Snapshot>> {
        self.shared.latest.read().expect("monitor lock").clone()
    }

    pub fn policy(&self) -> &MonitoringPolicy {
        &self.shared.policy
    }

    /// Whether monitoring runs at all.
    pub fn is_on(&self) -> bool {
        self.shared.running
    }

    /// Whether rounds are succeeding and recent: cheap, from memory.
    pub fn health(&self) -> Health {
        let not_computed = self.current().map_or(0, |s| s.not_computed.len());
        let mut health = self.shared.record.lock().expect("monitor lock").health(Utc::now(), not_computed);
        health.reflected_change = self.reflected();
        if !self.shared.running {
            health.state = HealthState::Off;
        }
        health
    }

    /// The last journal entry the current snapshot reflects (-1 before the first).
    pub fn reflected(&self) -> i64 {
        *self.shared.reflected.borrow()
    }

    /// Waits until every change journaled before the call is reflected, and returns
    /// that snapshot. (Never returns when monitoring is off.)
    pub async fn settled(&self) -> Arc<Snapshot> {
        let wanted = match self.shared.store.last_change().await {
            Ok(last) => last,
            Err(error) => {
                tracing::warn!(%error, "the change journal could not be read: waiting for any snapshot");
                0
            }
        };
        let mut reflected = self.shared.reflected.subscribe();
        // The sender lives in `shared`, which outlives this borrow; a closed channel cannot happen.
        let _ = reflected.wait_for(|&done| done >= 0 && done >= wanted).await;
        self.current().expect("a reflected entry leaves a snapshot")
    }
}

/// The worker: a full load, then rounds that follow the journal; repeats.
async fn run(shared: Arc<Shared>) {
    let store = shared.store.clone();
    let mut inputs: Option<Inputs> = None;
    // The last journal entry reflected.
    let mut cursor: i64 = 0;
    let mut full_due = true;
    let mut last_full = Instant::now();
    let mut last_prune = Instant::now();
    // When the next round may start.
    let mut next_round: Option<Gap> = None;
    loop {
        let today = Utc::now().date_naive();
        let new_day = shared.latest.read().expect("monitor lock").as_ref().is_some_and(|s| s.today != today);
        if full_due || inputs.is_none() || new_day || last_full.elapsed() >= RELOAD_EVERY {
            // The cursor is read before loading: what is written while loading is
            // read back again in the next round rather than missed.
            let from = match store.last_change().await {
                Ok(last) => last,
                Err(error) => {
                    failed(&shared, &error.into()).await;
                    continue;
                }
            };
            match reading_after(caught_up(store.as_ref()).await, refresh(&shared, inputs.take(), None)).await {
                Ok(fresh) => {
                    inputs = Some(publish(&shared, fresh));
                    (cursor, full_due, last_full) = (from, false, Instant::now());
                    shared.reflected.send_replace(cursor);
                    next_round = Some(Gap::after(Duration::ZERO));
                }
                Err((kept, error)) => {
                    inputs = kept;
                    failed(&shared, &error).await;
                }
            }
            continue;
        }
        // At least a gap between rounds, so that what arrives meanwhile is one batch.
        if let Some(gap) = next_round.take() {
            gap.wait(store.as_ref()).await;
        }
        if last_prune.elapsed() >= PRUNE_EVERY {
            prune(store.as_ref(), cursor).await;
            last_prune = Instant::now();
        }
        let changes = match changes_after(store.as_ref(), cursor).await {
            Ok(changes) => changes,
            Err(error) => {
                failed(&shared, &error.into()).await;
                continue;
            }
        };
        let Some(last) = changes.last().map(|c| c.sequence) else {
            // Woken at once where the store can tell of commits (PostgreSQL).
            store.wait_for_changes(cursor, POLL_EVERY).await;
            continue;
        };
        let Some(services) = Services::of(&changes) else {
            full_due = true;
            continue;
        };
        let started = Instant::now();
        match reading_after(caught_up(store.as_ref()).await, refresh(&shared, inputs.take(), Some(services))).await {
            Ok(fresh) => {
                inputs = Some(publish(&shared, fresh));
                cursor = last;
                shared.reflected.send_replace(cursor);
                next_round = Some(Gap::after(started.elapsed()));
            }
            Err((kept, error)) => {
                inputs = kept;
                full_due = true;
                failed(&shared, &error).await;
            }
        }
    }
}

/// The pause between two rounds.
struct Gap {
    earliest: Instant,
    latest: Instant,
}

impl Gap {
    /// After a round that took `round`.
    fn after(round: Duration) -> Gap {
        let now = Instant::now();
        Gap { earliest: now + ROUND_GAP, latest: now + (round * GAP_PER_ROUND_TIME).clamp(ROUND_GAP, MAX_GAP) }
    }

    /// Until the gap's end, or only its least length once writes have stopped or
    /// slowed to a trickle: fewer than [`FEW_CHANGES`] new entries in a poll.
    async fn wait(self, store: &dyn MonitorStore) {
        tokio::time::sleep_until(self.earliest.into()).await;
        let Ok(mut seen) = store.last_change().await else { return };
        while Instant::now() < self.latest {
            tokio::time::sleep(POLL_EVERY.min(self.latest.saturating_duration_since(Instant::now()))).await;
            match store.last_change().await {
                Ok(last) if last - seen > FEW_CHANGES => seen = last,
                _ => return,
            }
        }
    }
}

/// Where the data must have reached for a load that follows the journal just
/// read: a replica the monitor reads from must have replayed at least this far,
/// so that it never reflects an entry whose data it has not seen.
async fn caught_up(store: &dyn MonitorStore) -> Option<WritePosition> {
    store.write_position().await.unwrap_or_else(|error| {
        tracing::warn!(%error, "cannot read the primary's position: reading from it");
        Some(WritePosition(u64::MAX))
    })
}

/// Every entry after `cursor`, however many arrived.
async fn changes_after(store: &dyn MonitorStore, cursor: i64) -> Result<Vec<Change>, StoreError> {
    let mut changes = store.changes_after(cursor, BATCH).await?;
    while changes.len() % BATCH as usize == 0 && !changes.is_empty() {
        let after = changes.last().map_or(cursor, |c| c.sequence);
        let more = store.changes_after(after, BATCH).await?;
        if more.is_empty() {
            break;
        }
        changes.extend(more);
    }
    Ok(changes)
}

/// Entries reflected and a day old go: by one instance at a time (another that
/// holds the lock is doing it).
async fn prune(store: &dyn MonitorStore, cursor: i64) {
    let _lock = match store.try_job_lock("journal-prune").await {
        Ok(Some(lock)) => lock,
        Ok(None) => return,
        Err(error) => return tracing::warn!(%error, "old journal entries could not be pruned"),
    };
    match store.prune_changes(cursor + 1, Utc::now() - KEEP_CHANGES).await {
        Ok(0) => {}
        Ok(n) => tracing::debug!(pruned = n, "old journal entries pruned"),
        Err(error) => tracing::warn!(%error, "old journal entries could not be pruned"),
    }
}

fn publish(shared: &Shared, (inputs, snapshot): (Inputs, Snapshot)) -> Inputs {
    let Timings { load, compute, .. } = snapshot.timings;
    tracing::debug!(?load, ?compute, "monitoring computed");
    *shared.latest.write().expect("monitor lock") = Some(Arc::new(snapshot));
    shared.record.lock().expect("monitor lock").succeeded();
    inputs
}

/// The round failed: the last snapshot stays, and the next round is a full reload
/// after a pause rather than spinning on a failing store.
async fn failed(shared: &Shared, error: &MonitorError) {
    tracing::error!(%error, "monitoring was not recomputed; the last snapshot stays");
    shared.record.lock().expect("monitor lock").failed(error);
    tokio::time::sleep(Duration::from_secs(5)).await;
}

type Refreshed = Result<(Inputs, Snapshot), (Option<Inputs>, MonitorError)>;

/// Reads back the services named and computes their peer groups again; everything
/// when `services` is `None`, on a new day, or when a named service's data cannot be read.
async fn refresh(shared: &Shared, inputs: Option<Inputs>, services: Option<Services>) -> Refreshed {
    let today = Utc::now().date_naive();
    let started = Instant::now();
    let store = shared.store.as_ref();
    let previous = shared.latest.read().expect("monitor lock").clone().filter(|p| p.today == today);
    let (inputs, changed) = match (inputs, services) {
        (Some(mut inputs), Some(services)) if inputs.covers(today) && previous.is_some() => {
            let locations: Vec<LocationId> = services.locations.iter().cloned().collect();
            match inputs.reload(store, &locations, today, &services.policy_reads, services.since).await {
                Ok(true) => {
                    let changed: Vec<usize> = services.locations.iter().filter_map(|id| inputs.position(id)).collect();
                    (inputs, Some(changed))
                }
                // A named service's data cannot be read: a full reload leaves it out.
                Ok(false) => match Inputs::load(store, &shared.policy, today).await {
                    Ok(fresh) => (fresh, None),
                    Err(error) => return Err((Some(inputs), error.into())),
                },
                Err(error) => return Err((Some(inputs), error.into())),
            }
        }
        (kept, _) => match Inputs::load(store, &shared.policy, today).await {
            Ok(inputs) => (inputs, None),
            Err(error) => return Err((kept, error.into())),
        },
    };
    // Up to half a second of arithmetic at national scale: off the threads that
    // serve requests, and below them in priority.
    let (policy, load) = (shared.policy, started.elapsed());
    let computed = candour_store::background::in_background(move || {
        let snapshot = match (&previous, changed) {
            (Some(previous), Some(changed)) => Snapshot::update(previous, &inputs, &changed, load),
            _ => Snapshot::compute(&inputs, &policy, today, load),
        };
        (inputs, snapshot)
    })
    .await;
    match computed {
        Some((inputs, Ok(snapshot))) => Ok((inputs, snapshot)),
        Some((inputs, Err(error))) => Err((Some(inputs), error.into())),
        None => Err((None, MonitorError::Panicked)),
    }
}
