//! Monitoring kept current. A [`Monitor`] holds every registered service's last
//! 24 months in memory and the latest [`Snapshot`] of indicators, flags and
//! watchlist computed from them. New data for a service is read back from the store
//! and its peer group computed again (comparisons run within a peer group), so pages
//! see it within a fraction of a second; a full reload from the store runs at start,
//! on request, every 15 minutes and on a new day.

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
use tokio::sync::{Notify, watch};

use candour_domain::LocationId;
use candour_engine::monitoring::MonitoringPolicy;
use candour_store::{Store, StoreError};

/// How often everything is read again from the store when nothing asked sooner.
const RELOAD_EVERY: Duration = Duration::from_secs(15 * 60);

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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthState {
    /// No round has finished yet, and none has failed.
    Starting,
    Ok,
    /// No good round for [`STALE_AFTER`].
    Stale,
    /// The latest round failed; the last snapshot stays.
    Failing,
}

impl HealthState {
    pub fn is_healthy(self) -> bool {
        matches!(self, HealthState::Starting | HealthState::Ok)
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
        }
    }
}

/// Loads everything from the store and computes the snapshot, as `candour recompute` does.
pub async fn recompute(
    store: &dyn Store,
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
    store: Arc<dyn Store>,
    policy: MonitoringPolicy,
    latest: RwLock<Option<Arc<Snapshot>>>,
    /// Locations with new data not yet read back, and whether to reload everything.
    pending: Mutex<Pending>,
    wake: Notify,
    /// The number of requests made, and (watched) the number reflected in `latest`.
    requested: Mutex<u64>,
    reflected: watch::Sender<u64>,
    record: Mutex<Record>,
}

#[derive(Default)]
struct Pending {
    locations: HashSet<LocationId>,
    everything: bool,
}

impl Monitor {
    /// A monitor that computes its first snapshot in the background at once.
    pub fn start(store: Arc<dyn Store>, policy: MonitoringPolicy) -> Monitor {
        let shared = Arc::new(Shared {
            store,
            policy,
            latest: RwLock::new(None),
            pending: Mutex::new(Pending { everything: true, ..Pending::default() }),
            wake: Notify::new(),
            requested: Mutex::new(1),
            reflected: watch::channel(0).0,
            record: Mutex::new(Record { started: Utc::now(), last_good: None, failing: None }),
        });
        tokio::spawn(run(shared.clone()));
        Monitor { shared }
    }

    /// The latest snapshot; `None` until the first one is computed.
    pub fn current(&self) -> Option<Arc<Snapshot>> {
        self.shared.latest.read().expect("monitor lock").clone()
    }

    pub fn policy(&self) -> &MonitoringPolicy {
        &self.shared.policy
    }

    /// Whether rounds are succeeding and recent: cheap, from memory.
    pub fn health(&self) -> Health {
        let not_computed = self.current().map_or(0, |s| s.not_computed.len());
        self.shared.record.lock().expect("monitor lock").health(Utc::now(), not_computed)
    }

    /// New data for a location: it is read back and everything recomputed shortly.
    pub fn touch(&self, location: &LocationId) {
        self.request(|pending| {
            pending.locations.insert(location.clone());
        });
    }

    /// Reload every service from the store (after an import, say).
    pub fn reload(&self) {
        self.request(|pending| pending.everything = true);
    }

    /// Waits until every request made before the call is reflected, and returns that snapshot.
    pub async fn settled(&self) -> Arc<Snapshot> {
        let wanted = *self.shared.requested.lock().expect("monitor lock");
        let mut reflected = self.shared.reflected.subscribe();
        // The sender lives in `shared`, which outlives this borrow; a closed channel cannot happen.
        let _ = reflected.wait_for(|&done| done >= wanted).await;
        self.current().expect("a reflected request leaves a snapshot")
    }

    fn request(&self, change: impl FnOnce(&mut Pending)) {
        change(&mut self.shared.pending.lock().expect("monitor lock"));
        *self.shared.requested.lock().expect("monitor lock") += 1;
        self.shared.wake.notify_one();
    }
}

/// The worker: takes what is pending, reads it back, recomputes, publishes; repeats.
/// Requests arriving while it works are gathered into the next round.
async fn run(shared: Arc<Shared>) {
    let mut inputs: Option<Inputs> = None;
    loop {
        let requested = *shared.requested.lock().expect("monitor lock");
        let pending = std::mem::take(&mut *shared.pending.lock().expect("monitor lock"));
        if pending.everything || !pending.locations.is_empty() || inputs.is_none() {
            match refresh(&shared, inputs.take(), pending).await {
                Ok((fresh, snapshot)) => {
                    inputs = Some(fresh);
                    *shared.latest.write().expect("monitor lock") = Some(Arc::new(snapshot));
                    shared.record.lock().expect("monitor lock").succeeded();
                }
                Err((kept, error)) => {
                    inputs = kept;
                    tracing::error!(%error, "monitoring was not recomputed; the last snapshot stays");
                    shared.record.lock().expect("monitor lock").failed(&error);
                    // Try again after a pause rather than spinning on a failing store.
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    shared.pending.lock().expect("monitor lock").everything = true;
                    continue;
                }
            }
        }
        shared.reflected.send_replace(requested);
        if *shared.requested.lock().expect("monitor lock") == requested {
            // Data written by another process (an import on the command line) and a
            // new month are picked up by a full reload now and then.
            if tokio::time::timeout(RELOAD_EVERY, shared.wake.notified()).await.is_err() {
                shared.pending.lock().expect("monitor lock").everything = true;
            }
        }
    }
}

type Refreshed = Result<(Inputs, Snapshot), (Option<Inputs>, MonitorError)>;

/// Reads back what is pending and computes: only the touched services' peer groups
/// when nothing else changed, everything after a reload or on a new day.
async fn refresh(shared: &Shared, inputs: Option<Inputs>, pending: Pending) -> Refreshed {
    let today = Utc::now().date_naive();
    let started = Instant::now();
    let store = shared.store.as_ref();
    let previous = shared.latest.read().expect("monitor lock").clone().filter(|p| p.today == today);
    let (inputs, changed) = match inputs {
        Some(mut inputs) if !pending.everything && inputs.covers(today) && previous.is_some() => {
            match reload_each(&mut inputs, store, &pending.locations, today).await {
                Ok(true) => {
                    let changed: Vec<usize> = pending.locations.iter().filter_map(|id| inputs.position(id)).collect();
                    (inputs, Some(changed))
                }
                // A touched service's data cannot be read: a full reload leaves it out.
                Ok(false) => match Inputs::load(store, &shared.policy, today).await {
                    Ok(fresh) => (fresh, None),
                    Err(error) => return Err((Some(inputs), error.into())),
                },
                Err(error) => return Err((Some(inputs), error.into())),
            }
        }
        kept => match Inputs::load(store, &shared.policy, today).await {
            Ok(inputs) => (inputs, None),
            Err(error) => return Err((kept, error.into())),
        },
    };
    // Up to half a second of arithmetic at national scale: off the threads that serve requests.
    let (policy, load) = (shared.policy, started.elapsed());
    let computed = tokio::task::spawn_blocking(move || {
        let snapshot = match (&previous, changed) {
            (Some(previous), Some(changed)) => Snapshot::update(previous, &inputs, &changed, load),
            _ => Snapshot::compute(&inputs, &policy, today, load),
        };
        (inputs, snapshot)
    })
    .await;
    match computed {
        Ok((inputs, Ok(snapshot))) => Ok((inputs, snapshot)),
        Ok((inputs, Err(error))) => Err((Some(inputs), error.into())),
        Err(_) => Err((None, MonitorError::Panicked)),
    }
}

/// Reads each touched service again; `false` as soon as one cannot be read.
async fn reload_each(
    inputs: &mut Inputs,
    store: &dyn Store,
    locations: &HashSet<LocationId>,
    today: NaiveDate,
) -> Result<bool, StoreError> {
    for location in locations {
        if !inputs.reload_one(store, location, today).await? {
            return Ok(false);
        }
    }
    Ok(true)
}
