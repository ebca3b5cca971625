//! Loading responses recorded in the past (demo data) in bulk: one transaction
//! per batch, multi-row statements, and ids assigned here (the writer is single,
//! so nothing else can take them) so that outcomes, progress and replies can
//! refer to their response without reading anything back.

use sqlx::sqlite::{Sqlite, SqliteConnection, SqlitePool};
use sqlx::{AssertSqlSafe, Connection, QueryBuilder};

use candour_store::{HistoricFeedback, StoreError, StoreResult};

use super::{FeedbackRow, INSERT_FEEDBACK, insert_alert, push_feedback};
use crate::codec::stamp;
use crate::other;

/// Responses per statement: 36 values each, within SQLite's 32,766 bound values.
const CHUNK: usize = 800;
/// Outcomes, progress ratings and replies have fewer columns.
const SMALL_CHUNK: usize = 4000;

/// A constraint failure in a batch is the caller's mistake: say which kind.
fn load_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict("a response in the batch repeats a stored key or reference".into())
        }
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
        _ => other(e),
    }
}

/// Replies are written against the response they come with: their own
/// `feedback_id` is ignored (it cannot be known before the response is stored).
pub(crate) async fn load(pool: &SqlitePool, batch: &[HistoricFeedback]) -> StoreResult<()> {
    let mut conn = pool.acquire().await.map_err(other)?;
    // Successive batches rewrite the same index pages: checkpointing the WAL less
    // often copies each page once for many batches (SQLite's default is 1000 pages).
    sqlx::query("PRAGMA wal_autocheckpoint = 32768").execute(&mut *conn).await.map_err(other)?;
    let loaded = write_batch(&mut conn, batch).await;
    let restored = sqlx::query("PRAGMA wal_autocheckpoint = 1000").execute(&mut *conn).await.map_err(other);
    loaded.and(restored.map(drop))
}

async fn write_batch(conn: &mut SqliteConnection, batch: &[HistoricFeedback]) -> StoreResult<()> {
    let mut tx = conn.begin().await.map_err(other)?;
    let first_feedback = next_id(&mut tx, "SELECT COALESCE(MAX(id), 0) + 1 FROM feedback").await?;
    let feedback_ids: Vec<i64> = (first_feedback..).take(batch.len()).collect();
    for (chunk, ids) in batch.chunks(CHUNK).zip(feedback_ids.chunks(CHUNK)) {
        insert_responses(&mut tx, chunk, ids).await?;
    }
    insert_outcomes(&mut tx, batch, &feedback_ids).await?;
    insert_replies(&mut tx, batch, &feedback_ids).await?;
    for (historic, id) in batch.iter().zip(&feedback_ids) {
        if let Some(alert) = &historic.new.alert {
            insert_alert(&mut tx, *id, alert, historic.new.received_at).await?;
        }
    }
    recount(&mut tx, first_feedback, first_feedback + batch.len() as i64 - 1).await?;
    let locations = batch.iter().map(|h| h.new.location_id.as_str());
    crate::journal::append_each(&mut tx, locations, candour_store::ChangeKind::FeedbackHistory, chrono::Utc::now())
        .await?;
    tx.commit().await.map_err(other)
}

/// The months (and published responses) of every service with a response among ids
/// `first..=last`, counted again from scratch: counting each response as it is
/// written (counts.rs) costs more than writing it when millions arrive at once.
async fn recount(conn: &mut SqliteConnection, first: i64, last: i64) -> StoreResult<()> {
    const SERVICES: &str = "location_id IN (SELECT DISTINCT location_id FROM feedback WHERE id BETWEEN ?1 AND ?2)";
    sqlx::query(AssertSqlSafe(format!("DELETE FROM voice_months WHERE {SERVICES}")))
        .bind(first)
        .bind(last)
        .execute(&mut *conn)
        .await
        .map_err(other)?;
    // As migration 0015 counts the responses and progress ratings already stored.
    let count = format!(
        "INSERT INTO voice_months {} WHERE {SERVICES} GROUP BY location_id, month",
        super::counts::recount_select()
    );
    sqlx::query(AssertSqlSafe(count)).bind(first).bind(last).execute(&mut *conn).await.map_err(other)?;
    sqlx::query(AssertSqlSafe(format!("DELETE FROM voice_counted WHERE {SERVICES}")))
        .bind(first)
        .bind(last)
        .execute(&mut *conn)
        .await
        .map_err(other)?;
    // As migration 0011 numbers and counts them.
    let number = format!(
        "UPDATE feedback SET counted_no = t.n FROM (SELECT id, ROW_NUMBER() OVER \
         (PARTITION BY location_id ORDER BY COALESCE(moderated_at, received_at), id) AS n \
         FROM feedback WHERE status = 'published' AND {SERVICES}) AS t WHERE feedback.id = t.id"
    );
    sqlx::query(AssertSqlSafe(number)).bind(first).bind(last).execute(&mut *conn).await.map_err(other)?;
    let counted = format!(
        "INSERT INTO voice_counted SELECT location_id, COUNT(*) FROM feedback \
         WHERE status = 'published' AND {SERVICES} GROUP BY location_id"
    );
    sqlx::query(AssertSqlSafe(counted)).bind(first).bind(last).execute(&mut *conn).await.map_err(other)?;
    Ok(())
}

async fn next_id(conn: &mut SqliteConnection, sql: &'static str) -> StoreResult<i64> {
    sqlx::query_scalar(sql).fetch_one(conn).await.map_err(other)
}

async fn insert_responses(conn: &mut SqliteConnection, chunk: &[HistoricFeedback], ids: &[i64]) -> StoreResult<()> {
    let mut qb = QueryBuilder::<Sqlite>::new(INSERT_FEEDBACK);
    qb.push_values(chunk.iter().zip(ids), |b, (h, id)| {
        push_feedback(
            b,
            FeedbackRow {
                id: Some(*id),
                new: &h.new,
                status: h.status,
                published_text: h.published_text.as_deref(),
                criticality: h.criticality,
                moderated_by: h.moderated_by,
                moderated_at: h.moderated_at,
            },
        )
    });
    qb.build().execute(conn).await.map(drop).map_err(load_error)
}

/// Personal outcomes, then their progress ratings, which point at them by position.
async fn insert_outcomes(conn: &mut SqliteConnection, batch: &[HistoricFeedback], ids: &[i64]) -> StoreResult<()> {
    let mut next = next_id(conn, "SELECT COALESCE(MAX(id), 0) + 1 FROM personal_outcomes").await?;
    let mut outcomes = Vec::new();
    let mut progress = Vec::new();
    for (h, feedback_id) in batch.iter().zip(ids) {
        let first = next;
        for (position, text) in h.new.feedback.personal_outcomes.iter().enumerate() {
            outcomes.push((next, *feedback_id, position as i64, text.as_str()));
            next += 1;
        }
        for r in h.counted_progress()? {
            progress.push((first + r.outcome as i64, stamp(r.at), r.progress.code(), r.counted));
        }
    }
    for chunk in outcomes.chunks(SMALL_CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO personal_outcomes (id, feedback_id, position, text) ");
        qb.push_values(chunk, |mut b, (id, feedback_id, position, text)| {
            b.push_bind(*id).push_bind(*feedback_id).push_bind(*position).push_bind(text.to_string());
        });
        qb.build().execute(&mut *conn).await.map_err(load_error)?;
    }
    for chunk in progress.chunks(SMALL_CHUNK) {
        let mut qb =
            QueryBuilder::<Sqlite>::new("INSERT INTO outcome_progress (outcome_id, rated_at, progress, counted) ");
        qb.push_values(chunk, |mut b, (outcome_id, at, rating, counted)| {
            b.push_bind(*outcome_id).push_bind(at.clone()).push_bind(*rating).push_bind(*counted);
        });
        qb.build().execute(&mut *conn).await.map_err(load_error)?;
    }
    Ok(())
}

async fn insert_replies(conn: &mut SqliteConnection, batch: &[HistoricFeedback], ids: &[i64]) -> StoreResult<()> {
    let replies: Vec<_> =
        batch.iter().zip(ids).flat_map(|(h, feedback_id)| h.replies.iter().map(move |r| (*feedback_id, r))).collect();
    for chunk in replies.chunks(SMALL_CHUNK / 2) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO replies (feedback_id, author, text, change, change_what, created_at, status) ",
        );
        qb.push_values(chunk, |mut b, (feedback_id, r)| {
            b.push_bind(*feedback_id)
                .push_bind(r.author.0)
                .push_bind(r.text.clone())
                .push_bind(r.change.code())
                .push_bind(r.change_what.clone())
                .push_bind(stamp(r.at))
                .push_bind(r.status.code());
        });
        qb.build().execute(&mut *conn).await.map_err(load_error)?;
    }
    Ok(())
}
