//! Group commit for feedback. Every submission goes through a channel to one
//! writer task, which takes all that are waiting (up to [`MAX_GROUP`]), writes
//! them in one transaction, commits once, and only then answers each. A thousand
//! people a second cost a few dozen commits instead of a thousand, and nobody is
//! told their feedback is safe before it is.

use sqlx::Connection;
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use candour_store::{NewFeedback, Receipt, StoreError, StoreResult};

use super::insert_feedback;
use crate::other;

/// The most submissions committed together: enough to absorb a burst, few enough
/// that the first in a group does not wait long for the last.
const MAX_GROUP: usize = 256;
/// Submissions waiting beyond this make their senders wait (back-pressure).
const QUEUE: usize = 4096;

struct Submission {
    new: NewFeedback,
    answer: oneshot::Sender<StoreResult<Receipt>>,
}

/// The sending side of the writer task. The task ends when this is dropped.
pub(crate) struct Submissions {
    queue: mpsc::Sender<Submission>,
}

impl Submissions {
    /// Starts the writer task on the current runtime; it writes through `pool`
    /// (the single writer connection), so it queues with every other write.
    pub(crate) fn start(pool: SqlitePool) -> Self {
        let (queue, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(write_groups(pool, waiting));
        Self { queue }
    }

    /// Returns once the feedback is committed (or was already).
    pub(crate) async fn submit(&self, new: &NewFeedback) -> StoreResult<Receipt> {
        let (answer, receipt) = oneshot::channel();
        self.queue.send(Submission { new: new.clone(), answer }).await.map_err(|_| stopped())?;
        receipt.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Other("the feedback writer has stopped: the store is closing".into())
}

async fn write_groups(pool: SqlitePool, mut waiting: mpsc::Receiver<Submission>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while waiting.recv_many(&mut group, MAX_GROUP).await > 0 {
        let results = write_group(&pool, &group).await;
        for (submission, result) in group.drain(..).zip(results) {
            // A sender that gave up waiting still has its feedback kept: a repeat
            // with the same key will find it.
            let _ = submission.answer.send(result);
        }
    }
}

/// One result per submission, in order. If the commit fails, every submission in
/// the group is told so: none of them can be trusted to be kept.
async fn write_group(pool: &SqlitePool, group: &[Submission]) -> Vec<StoreResult<Receipt>> {
    match try_write_group(pool, group).await {
        Ok(results) => results,
        Err(e) => {
            let message = format!("the feedback could not be saved: {e}");
            group.iter().map(|_| Err(StoreError::Other(message.clone().into()))).collect()
        }
    }
}

async fn try_write_group(pool: &SqlitePool, group: &[Submission]) -> Result<Vec<StoreResult<Receipt>>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let mut results = Vec::with_capacity(group.len());
    for submission in group {
        results.push(write_one(&mut tx, &submission.new).await);
    }
    tx.commit().await?;
    Ok(results)
}

/// Writes one submission inside a savepoint, so that a refusal (an unknown
/// location, say) undoes only its own rows and the rest of the group commits.
async fn write_one(conn: &mut SqliteConnection, new: &NewFeedback) -> StoreResult<Receipt> {
    let mut savepoint = conn.begin().await.map_err(other)?;
    match insert_feedback(&mut savepoint, new).await {
        Ok(receipt) => {
            savepoint.commit().await.map_err(other)?;
            Ok(receipt)
        }
        Err(e) => {
            savepoint.rollback().await.map_err(other)?;
            Err(e)
        }
    }
}
