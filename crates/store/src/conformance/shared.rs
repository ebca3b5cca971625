//! Allowances and job locks: what instances on one database share.

use std::time::Duration;

use super::at;
use crate::{Allowance, Refused, Store};

pub async fn allowances_are_kept_per_key(store: &dyn Store) {
    let allowance = Allowance { per_minute: 60, burst: 2 };
    let take = |key: &'static str, seconds: i64| async move {
        let now = at(1) + chrono::Duration::seconds(seconds);
        store.take_allowances(&[(key, allowance)], now).await.expect("allowance").map_err(|r| r.wait)
    };
    assert_eq!(take("sign-in:192.0.2.1", 0).await, Ok(()));
    assert_eq!(take("sign-in:192.0.2.1", 0).await, Ok(()));
    assert_eq!(take("sign-in:192.0.2.1", 0).await, Err(Duration::from_secs(1)), "the burst is used up");
    assert_eq!(take("sign-in:192.0.2.2", 0).await, Ok(()), "another key has its own");
    assert_eq!(take("sign-in:192.0.2.1", 1).await, Ok(()), "one more each second");
    assert!(take("sign-in:192.0.2.1", 1).await.is_err());
}

/// Several keys taken in turn stop at the first refused: those before it stay
/// spent, those after it are untouched.
pub async fn allowances_are_taken_in_turn(store: &dyn Store) {
    let one = Allowance { per_minute: 60, burst: 1 };
    let take = |keys: &'static [&'static str]| async move {
        let keys: Vec<(&str, Allowance)> = keys.iter().map(|k| (*k, one)).collect();
        store.take_allowances(&keys, at(1)).await.expect("allowance")
    };
    let refused = |link| Err(Refused { link, wait: Duration::from_secs(1) });
    assert_eq!(take(&["address:a", "service:s"]).await, Ok(()));
    assert_eq!(take(&["address:a", "service:t"]).await, refused(0), "the address is used up");
    assert_eq!(take(&["service:t"]).await, Ok(()), "so the service was not spent");
    assert_eq!(take(&["address:b", "service:s"]).await, refused(1), "the service is used up");
    assert_eq!(take(&["address:b"]).await, refused(0), "after the address was spent");
    assert_eq!(take(&[]).await, Ok(()), "nothing asked, nothing refused");
}

pub async fn a_job_lock_is_held_by_one_at_a_time(store: &dyn Store) {
    let held = store.try_job_lock("sync").await.expect("lock").expect("free at first");
    assert!(store.try_job_lock("sync").await.expect("lock").is_none(), "held");
    let other = store.try_job_lock("prune").await.expect("lock");
    assert!(other.is_some(), "another job has its own lock");
    drop(held);
    // A backend may let go in the background: give it a moment.
    let mut again = None;
    for _ in 0..50 {
        again = store.try_job_lock("sync").await.expect("lock");
        if again.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(again.is_some(), "free once dropped");
}
