//! Summaries of the whole register (choice lists for the directory, counts for
//! the home page), kept for a minute. Computing them means grouping every
//! location, which costs more than a search; they change only when an import
//! runs, and a minute's lag after an import is harmless for a count or a list.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use candour_store::{AreaCount, NameCount, StoreResult};
use tokio::sync::Mutex;

const FRESH_FOR: Duration = Duration::from_secs(60);

/// The directory's choice lists.
pub struct FilterLists {
    pub areas: Vec<AreaCount>,
    pub specialisms: Vec<NameCount>,
}

pub struct Cached<T> {
    /// Held while loading, so that concurrent requests wait for one load
    /// instead of each running the same queries.
    slot: Mutex<Option<(Instant, Arc<T>)>>,
}

impl<T> Default for Cached<T> {
    fn default() -> Self {
        Self {
            slot: Mutex::new(None),
        }
    }
}

impl<T> Cached<T> {
    /// The kept value while it is fresh; otherwise loads, keeps and returns a new one.
    /// A failed load keeps nothing, so the next request tries again.
    pub async fn get_or_load<F, Fut>(&self, load: F) -> StoreResult<Arc<T>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = StoreResult<T>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some((loaded, value)) = slot.as_ref()
            && loaded.elapsed() < FRESH_FOR
        {
            return Ok(Arc::clone(value));
        }
        let value = Arc::new(load().await?);
        *slot = Some((Instant::now(), Arc::clone(&value)));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use candour_store::StoreError;

    use super::*;

    #[tokio::test]
    async fn loads_once_while_fresh_and_retries_after_a_failure() {
        let cache: Cached<u32> = Cached::default();
        let loads = AtomicU32::new(0);
        let failing = cache
            .get_or_load(|| async { Err(StoreError::Invalid("down".into())) })
            .await;
        assert!(failing.is_err());
        for _ in 0..3 {
            let value = cache
                .get_or_load(|| async { Ok(loads.fetch_add(1, Ordering::SeqCst) + 7) })
                .await
                .unwrap();
            assert_eq!(*value, 7);
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }
}
