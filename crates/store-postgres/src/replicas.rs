//! Read replicas. Each replica's replay position, and the primary's position,
//! are sampled every [`SAMPLE_EVERY`]; a read goes to a replica only if it is
//! answering and has replayed what the caller must see: the writer's own last
//! write ([`candour_store::consistency`]), or else everything the primary had
//! [`MAX_LAG`] ago. Otherwise it goes to the primary. Sampling in the background
//! keeps every choice free of an extra round trip.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::postgres::PgPool;

use candour_store::StoreResult;
use candour_store::consistency::WritePosition;

use crate::other;

const SAMPLE_EVERY: Duration = Duration::from_millis(100);
/// How far behind the primary a replica may be for reads with no position to keep.
const MAX_LAG: Duration = Duration::from_secs(1);

struct Replica {
    pool: PgPool,
    /// Replayed position at the last sample; 0 when it did not answer.
    replayed: AtomicU64,
}

pub(crate) struct Replicas {
    replicas: Vec<Replica>,
    /// The primary's position as it was [`MAX_LAG`] ago (0 before that long has passed).
    fresh_enough: AtomicU64,
    next: AtomicUsize,
}

impl Replicas {
    /// Starts sampling `pools` against `primary`, for as long as the returned value lives.
    pub(crate) fn start(primary: PgPool, pools: Vec<PgPool>) -> Arc<Self> {
        let replicas = pools.into_iter().map(|pool| Replica { pool, replayed: AtomicU64::new(0) }).collect();
        let replicas =
            Arc::new(Replicas { replicas, fresh_enough: AtomicU64::new(u64::MAX), next: AtomicUsize::new(0) });
        if !replicas.replicas.is_empty() {
            tokio::spawn(sample(Arc::downgrade(&replicas), primary));
        }
        replicas
    }

    pub(crate) fn any(&self) -> bool {
        !self.replicas.is_empty()
    }

    /// A replica that has replayed `after` (or, with none, is within [`MAX_LAG`]), taken in turn.
    pub(crate) fn choose(&self, after: Option<WritePosition>) -> Option<&PgPool> {
        let wanted = after.map_or_else(|| self.fresh_enough.load(Ordering::Relaxed), |p| p.0).max(1);
        let n = self.replicas.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|i| &self.replicas[(start + i) % n])
            .find(|r| r.replayed.load(Ordering::Relaxed) >= wanted)
            .map(|r| &r.pool)
    }
}

async fn sample(replicas: std::sync::Weak<Replicas>, primary: PgPool) {
    let mut history: VecDeque<(Instant, u64)> = VecDeque::new();
    loop {
        let Some(replicas) = replicas.upgrade().filter(|_| !primary.is_closed()) else { return };
        match position(&primary, "SELECT pg_current_wal_lsn()::text").await {
            Ok(now) => history.push_back((Instant::now(), now)),
            Err(error) => tracing::warn!(%error, "cannot read the primary's position"),
        }
        while history.len() > 1 && history[1].0.elapsed() >= MAX_LAG {
            history.pop_front();
        }
        let old_enough = history.front().filter(|(at, _)| at.elapsed() >= MAX_LAG).map_or(u64::MAX, |(_, p)| *p);
        replicas.fresh_enough.store(old_enough, Ordering::Relaxed);
        for replica in &replicas.replicas {
            let replayed = position(&replica.pool, "SELECT pg_last_wal_replay_lsn()::text").await;
            if let Err(error) = &replayed {
                tracing::warn!(%error, "a read replica does not answer; reading elsewhere");
            }
            replica.replayed.store(replayed.unwrap_or(0), Ordering::Relaxed);
        }
        drop(replicas);
        tokio::time::sleep(SAMPLE_EVERY).await;
    }
}

/// A WAL position (`16/B374D848`) as one number.
pub(crate) async fn position(pool: &PgPool, sql: &'static str) -> StoreResult<u64> {
    let text: Option<String> = sqlx::query_scalar(sql).fetch_one(pool).await.map_err(other)?;
    Ok(text.as_deref().and_then(parse_lsn).unwrap_or(0))
}

fn parse_lsn(text: &str) -> Option<u64> {
    let (high, low) = text.split_once('/')?;
    Some((u64::from_str_radix(high, 16).ok()? << 32) | u64::from_str_radix(low, 16).ok()?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn wal_positions_are_read_as_numbers() {
        assert_eq!(super::parse_lsn("16/B374D848"), Some(0x16_B374_D848));
        assert_eq!(super::parse_lsn("0/0"), Some(0));
        assert_eq!(super::parse_lsn("nonsense"), None);
    }
}
