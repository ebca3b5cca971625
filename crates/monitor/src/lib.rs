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
pub use inputs::{Inputs, history_start, peer_group};
pub use snapshot::{Snapshot, Timings, Watched};

use std::collections::HashSet;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use tokio::sync::{Notify, watch};

use candour_domain::LocationId;
use candour_engine::monitoring::MonitoringPolicy;
use candour_store::{Store, StoreError};

/// How often everything is read again from the store when nothing asked sooner.
const RELOAD_EVERY: Duration = Duration::from_secs(15 * 60);

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
                }
                Err((kept, error)) => {
                    inputs = kept;
                    tracing::error!(%error, "monitoring was not recomputed; the last snapshot stays");
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
            for location in &pending.locations {
                if let Err(error) = inputs.reload_one(store, location, today).await {
                    return Err((Some(inputs), error.into()));
                }
            }
            let changed: Vec<usize> = pending.locations.iter().filter_map(|id| inputs.position(id)).collect();
            (inputs, Some(changed))
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
