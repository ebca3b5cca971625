//! Group commit for feedback. Every submission goes through a channel to one
//! writer task per instance, which takes all that are waiting (up to
//! [`MAX_GROUP`]), writes them with a few set-based statements in one
//! transaction, appends to the journal last, commits once, and only then answers
//! each. The journal's lock is then taken once per group rather than once per
//! response, and nobody is told their feedback is safe before it is.
//!
//! Other instances' writers run at the same time: a key submitted to two of them
//! at once is stored once by the unique index (the second insert waits for the
//! first to commit, then skips the row and reads the first response back).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::postgres::{PgConnection, PgPool};
use tokio::sync::{mpsc, oneshot};

use candour_store::{ChangeKind, FeedbackStatus, NewFeedback, Receipt, StoreError, StoreResult};

use super::{answer_values, counts, insert_alert, insert_outcomes, level, stored_key, to_json, write_error};
use crate::{journal, other};

/// The most submissions committed together: enough to absorb a burst, few enough
/// that the first in a group does not wait long for the last.
const MAX_GROUP: usize = 256;
/// Submissions waiting beyond this make their senders wait (back-pressure).
const QUEUE: usize = 4096;
/// A group that takes this long is logged, with where its time went.
const SLOW_GROUP: Duration = Duration::from_millis(500);

const REFERENCE_TAKEN: &str = "a response with this reference already exists";

struct Submission {
    new: NewFeedback,
    answer: oneshot::Sender<StoreResult<Receipt>>,
}

/// The sending side of this instance's feedback writer. The task ends when this is dropped.
pub(crate) struct VoiceState {
    queue: mpsc::Sender<Submission>,
}

impl VoiceState {
    /// Starts the writer task on the current runtime; it writes through `pool` (the primary).
    pub(crate) fn start(pool: PgPool) -> Self {
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

async fn write_groups(pool: PgPool, mut waiting: mpsc::Receiver<Submission>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while waiting.recv_many(&mut group, MAX_GROUP).await > 0 {
        let news: Vec<&NewFeedback> = group.iter().map(|s: &Submission| &s.new).collect();
        let results = write_group(&pool, &news).await;
        for (submission, result) in group.drain(..).zip(results) {
            // A sender that gave up waiting still has its feedback kept: a repeat
            // with the same key will find it.
            let _ = submission.answer.send(result);
        }
    }
}

/// One result per submission, in order.
async fn write_group(pool: &PgPool, news: &[&NewFeedback]) -> Vec<StoreResult<Receipt>> {
    match commit_together(pool, news).await {
        Ok(results) => results,
        // The database refused a statement for a reason the checks below do not
        // foresee (an unknown account, say): write each alone, so that the
        // refusal stays with the submission that caused it.
        Err(e) if news.len() > 1 && is_refusal(&e) => {
            tracing::debug!(error = %e, "a group of feedback was refused; writing it one at a time");
            let mut results = Vec::with_capacity(news.len());
            for new in news {
                results.push(commit_alone(pool, new).await);
            }
            results
        }
        // Nothing of the group can be trusted to be kept.
        Err(e) => {
            let message = format!("the feedback could not be saved: {e}");
            news.iter().map(|_| Err(StoreError::Other(message.clone().into()))).collect()
        }
    }
}

fn is_refusal(e: &StoreError) -> bool {
    match e {
        StoreError::Other(inner) => matches!(inner.downcast_ref::<sqlx::Error>(), Some(sqlx::Error::Database(_))),
        _ => false,
    }
}

async fn commit_together(pool: &PgPool, news: &[&NewFeedback]) -> StoreResult<Vec<StoreResult<Receipt>>> {
    let started = Instant::now();
    let mut tx = pool.begin().await.map_err(other)?;
    let begun = started.elapsed();
    let stored = store(&mut tx, news).await.map_err(other)?;
    stored.append_to_journal(&mut tx).await?;
    let written = started.elapsed();
    tx.commit().await.map_err(other)?;
    // Every submission in the group waited this long: say where the time went.
    if started.elapsed() >= SLOW_GROUP {
        let (connection, commit) = (begun, started.elapsed() - written);
        tracing::warn!(group = news.len(), ?connection, writing = ?(written - begun), ?commit, "slow feedback group");
    }
    Ok(stored.results)
}

async fn commit_alone(pool: &PgPool, new: &NewFeedback) -> StoreResult<Receipt> {
    let mut tx = pool.begin().await.map_err(other)?;
    let mut stored = store(&mut tx, &[new]).await.map_err(|e| write_error(REFERENCE_TAKEN, e))?;
    stored.append_to_journal(&mut tx).await?;
    tx.commit().await.map_err(other)?;
    stored.results.pop().expect("one result per submission")
}

/// What a group wrote: a result per submission, and the services it changed.
struct Stored<'a> {
    results: Vec<StoreResult<Receipt>>,
    changed: Vec<&'a str>,
    /// When the earliest response was received: the journal entries' date.
    earliest: Option<DateTime<Utc>>,
}

impl Stored<'_> {
    /// Last in the transaction: one entry per service changed.
    async fn append_to_journal(&self, conn: &mut PgConnection) -> StoreResult<()> {
        match self.earliest {
            Some(at) => journal::append_each(conn, self.changed.iter().copied(), ChangeKind::Feedback, at).await,
            None => Ok(()),
        }
    }
}

/// Writes a group of submissions. A repeated key returns the first receipt; a
/// key repeated within the group is written after its first, as if the two came
/// one after the other.
async fn store<'a>(conn: &mut PgConnection, news: &[&'a NewFeedback]) -> sqlx::Result<Stored<'a>> {
    let keys: Vec<Vec<u8>> = news.iter().map(|n| stored_key(&n.key_hash)).collect();
    let mut results: Vec<Option<StoreResult<Receipt>>> = news.iter().map(|_| None).collect();
    let known = known_locations(conn, news).await?;
    let mut waiting: Vec<usize> = Vec::new();
    for (i, new) in news.iter().enumerate() {
        if known.contains(new.location_id.as_str()) {
            waiting.push(i);
        } else {
            results[i] = Some(Err(StoreError::NotFound));
        }
    }
    let mut stored = Stored { results: Vec::new(), changed: Vec::new(), earliest: None };
    while !waiting.is_empty() {
        let mut seen = HashSet::new();
        let (round, later): (Vec<usize>, Vec<usize>) = waiting.iter().partition(|&&i| seen.insert(&keys[i]));
        let round: Vec<(usize, &NewFeedback, &[u8])> = round.into_iter().map(|i| (i, news[i], &keys[i][..])).collect();
        for (i, result) in write_round(conn, &round, &mut stored).await? {
            results[i] = Some(result);
        }
        waiting = later;
    }
    stored.results = results.into_iter().map(|r| r.expect("every submission has its result")).collect();
    Ok(stored)
}

async fn known_locations(conn: &mut PgConnection, news: &[&NewFeedback]) -> sqlx::Result<HashSet<String>> {
    let ids: Vec<&str> = news.iter().map(|n| n.location_id.as_str()).collect();
    let known: Vec<String> =
        sqlx::query_scalar("SELECT id FROM locations WHERE id = ANY($1)").bind(ids).fetch_all(conn).await?;
    Ok(known.into_iter().collect())
}

/// Writes submissions with distinct keys: those whose key is new are stored with
/// their outcomes, alerts and counts; the others are answered with the receipt
/// of the response already stored, or refused when only their reference clashes.
async fn write_round<'a>(
    conn: &mut PgConnection,
    round: &[(usize, &'a NewFeedback, &[u8])],
    stored: &mut Stored<'a>,
) -> sqlx::Result<Vec<(usize, StoreResult<Receipt>)>> {
    let inserted = insert_rows(conn, round).await?;
    let (fresh, repeats): (Vec<_>, Vec<_>) = round.iter().partition(|(_, _, key)| inserted.contains_key(*key));
    let mut results = answer_repeats(conn, &repeats).await?;

    let ids: Vec<i64> = fresh.iter().map(|(_, _, key)| inserted[*key]).collect();
    let outcomes: Vec<(i64, i32, &str)> = fresh
        .iter()
        .zip(&ids)
        .flat_map(|((_, new, _), id)| {
            new.feedback.personal_outcomes.iter().enumerate().map(move |(p, text)| (*id, p as i32, text.as_str()))
        })
        .collect();
    insert_outcomes(conn, &outcomes).await?;
    for ((i, new, _), id) in fresh.iter().zip(&ids) {
        let alert_id = match &new.alert {
            Some(alert) => Some(insert_alert(conn, *id, alert, new.received_at).await?),
            None => None,
        };
        results
            .push((*i, Ok(Receipt { feedback_id: *id, reference: new.reference.clone(), duplicate: false, alert_id })));
        stored.changed.push(new.location_id.as_str());
        stored.earliest = Some(stored.earliest.map_or(new.received_at, |at| at.min(new.received_at)));
    }
    counts::add(conn, &ids).await?;
    let published: Vec<i64> = fresh
        .iter()
        .zip(&ids)
        .filter(|((_, new, _), _)| new.status == FeedbackStatus::Published)
        .map(|(_, id)| *id)
        .collect();
    counts::count_published(conn, &published).await?;
    Ok(results)
}

/// The first receipt of each repeated key; a submission whose key is new but was
/// not stored must have clashed on its reference.
async fn answer_repeats(
    conn: &mut PgConnection,
    repeats: &[&(usize, &NewFeedback, &[u8])],
) -> sqlx::Result<Vec<(usize, StoreResult<Receipt>)>> {
    if repeats.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<&[u8]> = repeats.iter().map(|(_, _, key)| *key).collect();
    let rows = sqlx::query(
        "SELECT f.key_hash, f.id, f.reference, (SELECT MIN(a.id) FROM alerts a WHERE a.feedback_id = f.id) \
         FROM feedback f WHERE f.key_hash = ANY($1)",
    )
    .bind(keys)
    .fetch_all(conn)
    .await?;
    let mut first: HashMap<Vec<u8>, Receipt> = HashMap::new();
    for row in rows {
        let receipt = Receipt {
            feedback_id: row.try_get(1)?,
            reference: row.try_get(2)?,
            duplicate: true,
            alert_id: row.try_get(3)?,
        };
        first.insert(row.try_get(0)?, receipt);
    }
    Ok(repeats
        .iter()
        .map(|(i, _, key)| (*i, first.get(*key).cloned().ok_or_else(|| StoreError::Conflict(REFERENCE_TAKEN.into()))))
        .collect())
}

/// The columns a submission fills, in the order of [`INSERT`]'s arrays.
const COLUMNS: &str = concat!(
    "location_id, key_hash, reference, received_at, respondent, channel, helper, entered_by, overall, story, \
     anonymous, contact_name, contact_email, contact_phone, prescreen_level, prescreen_words, status, ",
    super::question_columns!()
);
const ARRAY_TYPES: [&str; 31] = [
    "text",
    "bytea",
    "text",
    "timestamptz",
    "text",
    "text",
    "text",
    "bigint",
    "text",
    "text",
    "bool",
    "text",
    "text",
    "text",
    "int",
    "text",
    "text",
    "int",
    "int",
    "int",
    "int",
    "int",
    "int",
    "int",
    "int",
    "int",
    "int",
    "int",
    "int",
    "int",
    "int",
];

/// Every row in one statement; rows whose key or reference is taken are skipped
/// (waiting for a concurrent writer of the same key to commit or roll back).
static INSERT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let arrays: Vec<String> = ARRAY_TYPES.iter().enumerate().map(|(i, t)| format!("${}::{t}[]", i + 1)).collect();
    format!(
        "INSERT INTO feedback ({COLUMNS}) SELECT {COLUMNS} FROM UNNEST({}) WITH ORDINALITY AS t({COLUMNS}, n) \
         ORDER BY n ON CONFLICT DO NOTHING RETURNING key_hash, id",
        arrays.join(", ")
    )
});

/// Inserts the round's rows; the IDs of those stored, by stored key.
async fn insert_rows(
    conn: &mut PgConnection,
    round: &[(usize, &NewFeedback, &[u8])],
) -> sqlx::Result<HashMap<Vec<u8>, i64>> {
    let news = || round.iter().map(|(_, new, _)| *new);
    let feedback = || news().map(|n| &n.feedback);
    let mut query = sqlx::query(INSERT.as_str())
        .bind(news().map(|n| n.location_id.as_str()).collect::<Vec<_>>())
        .bind(round.iter().map(|(_, _, key)| *key).collect::<Vec<_>>())
        .bind(news().map(|n| n.reference.as_str()).collect::<Vec<_>>())
        .bind(news().map(|n| n.received_at).collect::<Vec<_>>())
        .bind(feedback().map(|f| f.respondent.code()).collect::<Vec<_>>())
        .bind(feedback().map(|f| f.channel.code()).collect::<Vec<_>>())
        .bind(feedback().map(|f| f.helper.map(|h| h.code())).collect::<Vec<_>>())
        .bind(news().map(|n| n.entered_by.map(|u| u.0)).collect::<Vec<_>>())
        .bind(feedback().map(|f| f.overall.code()).collect::<Vec<_>>())
        .bind(feedback().map(|f| f.story.as_str()).collect::<Vec<_>>())
        .bind(feedback().map(|f| f.anonymous).collect::<Vec<_>>())
        .bind(feedback().map(|f| f.contact.name.as_str()).collect::<Vec<_>>())
        .bind(feedback().map(|f| f.contact.email.as_str()).collect::<Vec<_>>())
        .bind(feedback().map(|f| f.contact.phone.as_str()).collect::<Vec<_>>())
        .bind(news().map(|n| level(n.prescreen.suggested)).collect::<Vec<_>>())
        .bind(news().map(|n| to_json(&n.prescreen.words)).collect::<Vec<_>>())
        .bind(news().map(|n| n.status.code()).collect::<Vec<_>>());
    let answers: Vec<[Option<i32>; 14]> = feedback().map(answer_values).collect();
    for q in 0..14 {
        query = query.bind(answers.iter().map(|a| a[q]).collect::<Vec<_>>());
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter().map(|row| Ok((row.try_get(0)?, row.try_get(1)?))).collect()
}
