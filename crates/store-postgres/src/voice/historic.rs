//! Loading responses recorded in the past (demo data) in bulk: one transaction
//! per batch, each table written by one `COPY`. IDs are drawn from the tables'
//! own sequences first (other writers draw from them too), so that outcomes,
//! progress and replies can refer to their response without reading anything back.
//! The batch is counted with atomic increments like any other write (counts.rs),
//! so that live submissions to the same services stay counted exactly; its
//! published responses are numbered before they are written, rather than
//! updated after.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::postgres::{PgConnection, PgPool};

use candour_store::{ChangeKind, CountedRating, FeedbackStatus, HistoricFeedback, NewReply, StoreError, StoreResult};

use super::{answer_values, counts, insert_alert, level, stored_key, to_json};
use crate::{journal, other};

/// Data is sent to the server in pieces of about this size.
const PIECE: usize = 1 << 20;

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
pub(crate) async fn load(pool: &PgPool, batch: &[HistoricFeedback]) -> StoreResult<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let progress = batch.iter().map(HistoricFeedback::counted_progress).collect::<StoreResult<Vec<_>>>()?;
    let mut tx = pool.begin().await.map_err(other)?;
    let feedback_ids = reserve(&mut tx, "feedback", batch.len()).await?;
    let outcome_count = batch.iter().map(|h| h.new.feedback.personal_outcomes.len()).sum();
    let outcome_ids = reserve(&mut tx, "personal_outcomes", outcome_count).await?;
    let numbers = number_published(&mut tx, batch).await?;
    let rows = batch.iter().zip(&feedback_ids).zip(numbers);
    copy(&mut tx, FEEDBACK, rows, |line, ((h, id), counted_no)| feedback_line(line, h, *id, counted_no)).await?;
    copy_outcomes(&mut tx, batch, &progress, &feedback_ids, &outcome_ids).await?;
    let replies: Vec<(i64, &NewReply)> =
        batch.iter().zip(&feedback_ids).flat_map(|(h, id)| h.replies.iter().map(move |r| (*id, r))).collect();
    copy(&mut tx, REPLIES, replies, |line, (feedback_id, r)| {
        field(line, feedback_id);
        field(line, r.author.0);
        text(line, &r.text);
        text(line, r.change.code());
        text(line, &r.change_what);
        time(line, r.at);
        text(line, r.status.code());
    })
    .await?;
    for (h, id) in batch.iter().zip(&feedback_ids) {
        if let Some(alert) = &h.new.alert {
            insert_alert(&mut tx, *id, alert, h.new.received_at).await.map_err(load_error)?;
        }
    }
    analyze_if_never(&mut tx).await?;
    counts::add(&mut tx, &feedback_ids).await.map_err(other)?;
    counts::add_progress_of(&mut tx, &feedback_ids).await.map_err(other)?;
    let locations = batch.iter().map(|h| h.new.location_id.as_str());
    journal::append_each(&mut tx, locations, ChangeKind::FeedbackHistory, Utc::now()).await?;
    tx.commit().await.map_err(other)
}

/// Takes statistics of the tables a batch is counted from, if PostgreSQL has never
/// taken any (autovacuum off, or not yet round to them). Planned as if empty, the
/// counting joins every row to every other: a small demo's counts once ran for
/// over ten minutes. Taken once the first batch is in, they hold as tables grow,
/// since the planner scales them by the tables' current size.
async fn analyze_if_never(conn: &mut PgConnection) -> StoreResult<()> {
    let never: bool = sqlx::query_scalar(
        "SELECT bool_or(reltuples < 0) FROM pg_class \
         WHERE oid IN ('feedback'::regclass, 'personal_outcomes'::regclass, 'outcome_progress'::regclass)",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(other)?;
    if never {
        sqlx::query("ANALYZE feedback, personal_outcomes, outcome_progress").execute(conn).await.map_err(other)?;
    }
    Ok(())
}

/// `n` new IDs from `table`'s identity sequence.
async fn reserve(conn: &mut PgConnection, table: &str, n: usize) -> StoreResult<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)")
        .bind(table)
        .bind(n as i64)
        .fetch_all(conn)
        .await
        .map_err(other)
}

/// Each published response's place in its service's count (`counted_no`), after
/// those the service already counts, in the order counts.rs numbers them (when
/// they came to count, then by ID, which follows the batch's order). The
/// services' counts go up here, and stay locked until the batch commits.
async fn number_published(conn: &mut PgConnection, batch: &[HistoricFeedback]) -> StoreResult<Vec<Option<i64>>> {
    let mut published: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, h) in batch.iter().enumerate().filter(|(_, h)| h.status == FeedbackStatus::Published) {
        published.entry(h.new.location_id.as_str()).or_default().push(i);
    }
    let locations: Vec<&str> = published.keys().copied().collect();
    let added: Vec<i64> = published.values().map(|list| list.len() as i64).collect();
    let totals: Vec<(String, i64)> = sqlx::query_as(
        "INSERT INTO voice_counted (location_id, counted) SELECT * FROM UNNEST($1::text[], $2::bigint[]) \
         ORDER BY 1 ON CONFLICT (location_id) DO UPDATE SET counted = voice_counted.counted + excluded.counted \
         RETURNING location_id, counted",
    )
    .bind(&locations)
    .bind(&added)
    .fetch_all(conn)
    .await
    .map_err(other)?;
    let mut numbers = vec![None; batch.len()];
    for (location, total) in totals {
        let mut list = published.remove(location.as_str()).unwrap_or_default();
        list.sort_by_key(|&i| (batch[i].moderated_at.unwrap_or(batch[i].new.received_at), i));
        let first = total - list.len() as i64 + 1;
        for (n, i) in (first..).zip(list) {
            numbers[i] = Some(n);
        }
    }
    Ok(numbers)
}

/// Personal outcomes, then their progress ratings, which point at them by position.
async fn copy_outcomes(
    conn: &mut PgConnection,
    batch: &[HistoricFeedback],
    counted_progress: &[Vec<CountedRating>],
    feedback_ids: &[i64],
    outcome_ids: &[i64],
) -> StoreResult<()> {
    let mut outcome_ids = outcome_ids.iter().copied();
    let mut outcomes = Vec::new();
    let mut progress = Vec::new();
    for ((h, ratings), feedback_id) in batch.iter().zip(counted_progress).zip(feedback_ids) {
        let ids: Vec<i64> = outcome_ids.by_ref().take(h.new.feedback.personal_outcomes.len()).collect();
        for (position, (text, id)) in h.new.feedback.personal_outcomes.iter().zip(&ids).enumerate() {
            outcomes.push((*id, *feedback_id, position, text.as_str()));
        }
        progress.extend(ratings.iter().map(|r| (ids[r.outcome], r.at, r.progress.code(), r.counted)));
    }
    copy(conn, OUTCOMES, outcomes, |line, (id, feedback_id, position, t)| {
        field(line, id);
        field(line, feedback_id);
        field(line, position);
        text(line, t);
    })
    .await?;
    copy(conn, PROGRESS, progress, |line, (outcome_id, at, rating, counted)| {
        field(line, outcome_id);
        time(line, at);
        text(line, rating);
        field(line, if counted { 't' } else { 'f' });
    })
    .await
}

const FEEDBACK: &str = concat!(
    "COPY feedback (id, location_id, key_hash, reference, received_at, respondent, channel, helper, \
     entered_by, overall, story, anonymous, contact_name, contact_email, contact_phone, prescreen_level, \
     prescreen_words, status, published_text, criticality, moderated_by, moderated_at, counted_no, ",
    super::question_columns!(),
    ") FROM STDIN"
);
const OUTCOMES: &str = "COPY personal_outcomes (id, feedback_id, position, text) FROM STDIN";
const PROGRESS: &str = "COPY outcome_progress (outcome_id, rated_at, progress, counted) FROM STDIN";
const REPLIES: &str = "COPY replies (feedback_id, author, text, change, change_what, created_at, status) FROM STDIN";

/// One response in the columns of [`FEEDBACK`].
fn feedback_line(line: &mut String, h: &HistoricFeedback, id: i64, counted_no: Option<i64>) {
    let (new, f) = (&h.new, &h.new.feedback);
    field(line, id);
    text(line, new.location_id.as_str());
    bytes(line, &stored_key(&new.key_hash));
    text(line, &new.reference);
    time(line, new.received_at);
    text(line, f.respondent.code());
    text(line, f.channel.code());
    optional(line, f.helper.map(|h| h.code()), text);
    optional(line, new.entered_by.map(|u| u.0), field);
    text(line, f.overall.code());
    text(line, &f.story);
    field(line, if f.anonymous { 't' } else { 'f' });
    text(line, &f.contact.name);
    text(line, &f.contact.email);
    text(line, &f.contact.phone);
    optional(line, level(new.prescreen.suggested), field);
    text(line, &to_json(&new.prescreen.words));
    text(line, h.status.code());
    optional(line, h.published_text.as_deref(), text);
    optional(line, level(h.criticality), field);
    optional(line, h.moderated_by.map(|u| u.0), field);
    optional(line, h.moderated_at, time);
    optional(line, counted_no, field);
    for answer in answer_values(f) {
        optional(line, answer, field);
    }
}

/// Streams `rows` into the table of `statement` (COPY's text format), each
/// written by `write` as tab-separated fields.
async fn copy<T>(
    conn: &mut PgConnection,
    statement: &'static str,
    rows: impl IntoIterator<Item = T>,
    mut write: impl FnMut(&mut String, T),
) -> StoreResult<()> {
    let mut rows = rows.into_iter().peekable();
    if rows.peek().is_none() {
        return Ok(());
    }
    let mut copy_in = conn.copy_in_raw(statement).await.map_err(other)?;
    let mut data = String::with_capacity(PIECE + PIECE / 4);
    for row in rows {
        write(&mut data, row);
        // Every field wrote a tab after itself: the last one ends the line instead.
        data.pop();
        data.push('\n');
        if data.len() >= PIECE {
            copy_in.send(data.as_bytes()).await.map_err(load_error)?;
            data.clear();
        }
    }
    if !data.is_empty() {
        copy_in.send(data.as_bytes()).await.map_err(load_error)?;
    }
    copy_in.finish().await.map(drop).map_err(load_error)
}

/// A value whose text form needs no escaping (numbers, `t`/`f`).
fn field(line: &mut String, value: impl std::fmt::Display) {
    let _ = write!(line, "{value}\t");
}

/// Text, with COPY's escapes for the characters that delimit it.
fn text(line: &mut String, value: &str) {
    if !value.bytes().any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r')) {
        line.push_str(value);
        line.push('\t');
        return;
    }
    for c in value.chars() {
        match c {
            '\\' => line.push_str("\\\\"),
            '\t' => line.push_str("\\t"),
            '\n' => line.push_str("\\n"),
            '\r' => line.push_str("\\r"),
            c => line.push(c),
        }
    }
    line.push('\t');
}

/// A fixed-width UTC time, as PostgreSQL reads it back exactly.
fn time(line: &mut String, at: DateTime<Utc>) {
    line.push_str(&at.to_rfc3339_opts(SecondsFormat::Micros, true));
    line.push('\t');
}

/// Bytes in bytea's hex form (`\x…`), its backslash escaped for COPY.
fn bytes(line: &mut String, value: &[u8]) {
    line.push_str("\\\\x");
    for b in value {
        let _ = write!(line, "{b:02x}");
    }
    line.push('\t');
}

fn optional<T>(line: &mut String, value: Option<T>, write: impl FnOnce(&mut String, T)) {
    match value {
        Some(value) => write(line, value),
        None => line.push_str("\\N\t"),
    }
}

#[cfg(test)]
mod tests {
    use super::{bytes, optional, text};

    #[test]
    fn copy_fields_are_escaped() {
        let mut line = String::new();
        text(&mut line, "a\tb\\c\nd");
        bytes(&mut line, &[0, 255]);
        optional(&mut line, None::<&str>, text);
        assert_eq!(line, "a\\tb\\\\c\\nd\t\\\\x00ff\t\\N\t");
    }
}
