//! People's voice on PostgreSQL. Submissions are committed in groups by one
//! writer task per instance ([`submissions`]); every other change is one
//! transaction that locks or conditionally updates what it depends on, since
//! other instances write at the same time. Reads go through the read pool.

pub(crate) mod counts;
mod historic;
mod submissions;

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use sqlx::postgres::{PgConnection, PgRow, Postgres};

use candour_domain::voice::{
    ChangeClaim, Channel, Contact, Criticality, Helper, MAX_PERSONAL_OUTCOMES, Overall, Progress, Respondent,
    ResponseFacts, StoryFacts, VoiceFacts, progress_counts,
};
use candour_domain::{Email, LocationId, ProviderId, UserId};
use candour_store::*;

pub(crate) use submissions::VoiceState;

use crate::accounts::{outbox_columns, outbox_row, queue, write_error};
use crate::codec::get;
use crate::{PostgresStore, corrupt, journal, other};

/// Every question code, in the order of the `q_` columns in [`question_columns!`].
const QUESTION_CODES: [&str; 14] = [
    "choice",
    "safe",
    "dignity",
    "listened",
    "matters",
    "in_touch",
    "reliable",
    "information",
    "speak_up",
    "enough_staff",
    "supervision",
    "managers_know",
    "joint_working",
    "transitions",
];

/// One column per question: 0–3, NULL for "doesn't apply" or not asked.
macro_rules! question_columns {
    () => {
        "q_choice, q_safe, q_dignity, q_listened, q_matters, q_in_touch, q_reliable, q_information, \
         q_speak_up, q_enough_staff, q_supervision, q_managers_know, q_joint_working, q_transitions"
    };
}
pub(crate) use question_columns;

/// The columns of `feedback f JOIN locations l` read by [`record_row`], in its order.
macro_rules! record_columns {
    () => {
        concat!(
            "f.id, f.reference, f.location_id, l.name, l.provider_id, f.received_at, f.respondent, f.channel, \
             f.helper, f.entered_by, f.overall, f.story, f.anonymous, f.contact_name, f.contact_email, \
             f.contact_phone, f.prescreen_level, f.prescreen_words, f.status, f.published_text, f.criticality, \
             f.moderated_by, f.moderated_at, f.reject_reason, \
             (SELECT MIN(a.id) FROM alerts a WHERE a.feedback_id = f.id), ",
            question_columns!()
        )
    };
}
const RECORD_QUESTIONS_AT: usize = 25;

/// The columns of a reply with its provider's name, and the joins they need.
macro_rules! reply_columns {
    () => {
        "r.id, r.feedback_id, r.author, p.name, r.text, r.change, r.change_what, r.created_at, r.status, \
         r.checked_by, r.checked_at, r.reject_reason"
    };
}
macro_rules! reply_from {
    () => {
        " FROM replies r JOIN feedback f ON f.id = r.feedback_id JOIN locations l ON l.id = f.location_id \
         JOIN providers p ON p.id = l.provider_id"
    };
}
const REPLY_COLUMN_COUNT: usize = 12;

macro_rules! alert_columns {
    () => {
        "a.id, a.feedback_id, f.reference, f.location_id, l.name, l.provider_id, l.local_authority, a.level, \
         a.reason, a.raised_at, f.story, a.acknowledged_by, a.acknowledged_at, a.acknowledgement \
         FROM alerts a JOIN feedback f ON f.id = a.feedback_id JOIN locations l ON l.id = f.location_id"
    };
}

/// Whether response `f` counts in its location's published figures: counted by
/// the location's latest snapshot (none before its first).
macro_rules! counted_by_snapshot {
    () => {
        "f.counted_no <= (SELECT s.counted FROM voice_snapshots s WHERE s.location_id = f.location_id)"
    };
}

/// The same for a reply `r` or progress rating `p` recorded at `$at`.
macro_rules! recorded_by_snapshot {
    ($at:literal) => {
        concat!($at, " <= (SELECT s.taken_at FROM voice_snapshots s WHERE s.location_id = f.location_id)")
    };
}

/// The most rows a listing returns at once.
const MAX_PER_PAGE: u32 = 500;

// ---------------------------------------------------------------- stored forms

/// A key hash as kept: its 32 bytes when it is a SHA-256 in lower-case hex (as the
/// voice service makes them), which halves the table's largest column and its
/// unique index; anything else as its UTF-8 bytes (never 32 bytes long in
/// practice, so no other form can be taken for a SHA-256).
fn stored_key(key_hash: &str) -> Vec<u8> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let bytes: Option<Vec<u8>> = (key_hash.len() == 64)
        .then(|| key_hash.as_bytes().chunks(2).map(|p| Some(digit(p[0])? << 4 | digit(p[1])?)).collect())
        .flatten();
    bytes.unwrap_or_else(|| key_hash.as_bytes().to_vec())
}

fn question_index(code: &str) -> usize {
    QUESTION_CODES.iter().position(|c| *c == code).expect("every question has a column (checked by a test)")
}

/// A response's answers as stored: one value per column of [`question_columns!`].
fn answer_values(feedback: &candour_domain::voice::Feedback) -> [Option<i32>; 14] {
    let mut values = [None; 14];
    for answer in &feedback.answers {
        values[question_index(answer.question)] = answer.level.map(|l| i32::from(l.score()));
    }
    values
}

/// The respondent's questions with their answers, from the question columns starting at `at`.
fn answers(row: &PgRow, at: usize, respondent: Respondent) -> StoreResult<Vec<(&'static str, Option<u8>)>> {
    respondent
        .questions()
        .iter()
        .map(|q| {
            let score: Option<i32> = get(row, at + question_index(q.code))?;
            let score = score.map(|s| u8::try_from(s).map_err(|e| corrupt("answer", e))).transpose()?;
            Ok((q.code, score))
        })
        .collect()
}

/// Reads a text column with the type's own parser.
fn coded<T, E: std::fmt::Display>(
    row: &PgRow,
    i: usize,
    what: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> StoreResult<T> {
    let text: String = get(row, i)?;
    parse(&text).map_err(|e| corrupt(what, e))
}

fn optional_coded<T, E: std::fmt::Display>(
    row: &PgRow,
    i: usize,
    what: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> StoreResult<Option<T>> {
    let text: Option<String> = get(row, i)?;
    text.map(|t| parse(&t).map_err(|e| corrupt(what, e))).transpose()
}

fn status(text: &str) -> Result<FeedbackStatus, String> {
    FeedbackStatus::parse(text).ok_or_else(|| text.to_string())
}

fn reply_status(text: &str) -> Result<ReplyStatus, String> {
    ReplyStatus::parse(text).ok_or_else(|| text.to_string())
}

fn criticality(row: &PgRow, i: usize) -> StoreResult<Option<Criticality>> {
    let level: Option<i32> = get(row, i)?;
    level
        .map(|l| {
            u8::try_from(l)
                .map_err(|e| corrupt("criticality", e))
                .and_then(|l| Criticality::new(l).map_err(|e| corrupt("criticality", e)))
        })
        .transpose()
}

fn level(c: Option<Criticality>) -> Option<i32> {
    c.map(|c| i32::from(c.level()))
}

fn user(row: &PgRow, i: usize) -> StoreResult<Option<UserId>> {
    Ok(get::<Option<i64>>(row, i)?.map(UserId))
}

fn location_id(row: &PgRow, i: usize) -> StoreResult<LocationId> {
    coded(row, i, "location ID", LocationId::parse)
}

fn provider_id(row: &PgRow, i: usize) -> StoreResult<ProviderId> {
    coded(row, i, "provider ID", ProviderId::parse)
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serialises")
}

/// Reads [`record_columns!`]; personal outcomes are loaded separately.
fn record_row(row: &PgRow) -> StoreResult<FeedbackRecord> {
    let respondent = coded(row, 6, "respondent", Respondent::parse)?;
    let words: String = get(row, 17)?;
    Ok(FeedbackRecord {
        id: get(row, 0)?,
        reference: get(row, 1)?,
        location_id: location_id(row, 2)?,
        location_name: get(row, 3)?,
        provider_id: provider_id(row, 4)?,
        received_at: get(row, 5)?,
        respondent,
        channel: coded(row, 7, "channel", Channel::parse)?,
        helper: optional_coded(row, 8, "helper", Helper::parse)?,
        entered_by: user(row, 9)?,
        overall: coded(row, 10, "overall answer", Overall::parse)?,
        answers: answers(row, RECORD_QUESTIONS_AT, respondent)?
            .into_iter()
            .map(|(code, score)| (code.to_string(), score))
            .collect(),
        story: get(row, 11)?,
        personal_outcomes: Vec::new(),
        anonymous: get(row, 12)?,
        contact: Contact { name: get(row, 13)?, email: get(row, 14)?, phone: get(row, 15)? },
        prescreen: Prescreen {
            suggested: criticality(row, 16)?,
            words: serde_json::from_str(&words).map_err(|e| corrupt("pre-screen words", e))?,
        },
        status: coded(row, 18, "feedback status", status)?,
        published_text: get(row, 19)?,
        criticality: criticality(row, 20)?,
        moderated_by: user(row, 21)?,
        moderated_at: get(row, 22)?,
        reject_reason: get(row, 23)?,
        alert_id: get(row, 24)?,
    })
}

/// Reads [`reply_columns!`] starting at column 0.
fn reply_row(row: &PgRow) -> StoreResult<Reply> {
    Ok(Reply {
        id: get(row, 0)?,
        feedback_id: get(row, 1)?,
        author: UserId(get(row, 2)?),
        provider_name: get(row, 3)?,
        text: get(row, 4)?,
        change: coded(row, 5, "change claim", ChangeClaim::parse)?,
        change_what: get(row, 6)?,
        created_at: get(row, 7)?,
        status: coded(row, 8, "reply status", reply_status)?,
        checked_by: user(row, 9)?,
        checked_at: get(row, 10)?,
        reject_reason: get(row, 11)?,
    })
}

/// Reads [`alert_columns!`]; deliveries are loaded separately.
fn alert_row(row: &PgRow) -> StoreResult<Alert> {
    Ok(Alert {
        id: get(row, 0)?,
        feedback_id: get(row, 1)?,
        reference: get(row, 2)?,
        location_id: location_id(row, 3)?,
        location_name: get(row, 4)?,
        provider_id: provider_id(row, 5)?,
        local_authority: get(row, 6)?,
        level: criticality(row, 7)?.ok_or_else(|| corrupt("alert level", "missing"))?,
        reason: get(row, 8)?,
        raised_at: get(row, 9)?,
        story: get(row, 10)?,
        acknowledged_by: user(row, 11)?,
        acknowledged_at: get(row, 12)?,
        acknowledgement: get(row, 13)?,
        deliveries: Vec::new(),
        escalations: Vec::new(),
    })
}

fn contact_scope_parts(scope: &ContactScope) -> (&'static str, &str) {
    match scope {
        ContactScope::Provider(id) => ("provider", id.as_str()),
        ContactScope::LocalAuthority(name) => ("local_authority", name),
    }
}

fn contact_row(row: &PgRow) -> StoreResult<SafeguardingContact> {
    let kind: String = get(row, 0)?;
    let id: String = get(row, 1)?;
    let scope = match kind.as_str() {
        "provider" => ContactScope::Provider(ProviderId::parse(&id).map_err(|e| corrupt("provider ID", e))?),
        "local_authority" => ContactScope::LocalAuthority(id),
        unknown => return Err(corrupt("contact scope", unknown)),
    };
    Ok(SafeguardingContact {
        scope,
        name: get(row, 2)?,
        email: coded(row, 3, "email", Email::parse)?,
        updated_by: user(row, 4)?,
        updated_at: get(row, 5)?,
    })
}

fn check_page(page: u32, per_page: u32) -> StoreResult<i64> {
    if page == 0 {
        return Err(StoreError::Invalid("page numbers start at 1".into()));
    }
    if per_page == 0 || per_page > MAX_PER_PAGE {
        return Err(StoreError::Invalid(format!("entries per page must be between 1 and {MAX_PER_PAGE}")));
    }
    Ok(i64::from(page - 1) * i64::from(per_page))
}

// ---------------------------------------------------------------- shared writes

/// Stores an alert and queues its emails, linked to it.
async fn insert_alert(
    conn: &mut PgConnection,
    feedback_id: i64,
    alert: &NewAlert,
    at: DateTime<Utc>,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO alerts (feedback_id, level, reason, raised_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(feedback_id)
    .bind(i32::from(alert.level.level()))
    .bind(&alert.reason)
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    if alert.emails.is_empty() {
        return Ok(id);
    }
    let to: Vec<&str> = alert.emails.iter().map(|e| e.to.as_str()).collect();
    let subjects: Vec<&str> = alert.emails.iter().map(|e| e.subject.as_str()).collect();
    let bodies: Vec<&str> = alert.emails.iter().map(|e| e.body.as_str()).collect();
    let created: Vec<DateTime<Utc>> = alert.emails.iter().map(|e| e.created_at).collect();
    sqlx::query(
        "INSERT INTO outbox (\"to\", subject, body, created_at, alert_id) \
         SELECT t, s, b, c, $5 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::timestamptz[]) \
         WITH ORDINALITY AS e(t, s, b, c, n) ORDER BY n",
    )
    .bind(to)
    .bind(subjects)
    .bind(bodies)
    .bind(created)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Stores personal outcomes: (response, position, text).
async fn insert_outcomes(conn: &mut PgConnection, outcomes: &[(i64, i32, &str)]) -> sqlx::Result<()> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let feedback: Vec<i64> = outcomes.iter().map(|o| o.0).collect();
    let positions: Vec<i32> = outcomes.iter().map(|o| o.1).collect();
    let texts: Vec<&str> = outcomes.iter().map(|o| o.2).collect();
    sqlx::query(
        "INSERT INTO personal_outcomes (feedback_id, position, text) \
         SELECT * FROM UNNEST($1::bigint[], $2::int[], $3::text[])",
    )
    .bind(feedback)
    .bind(positions)
    .bind(texts)
    .execute(conn)
    .await
    .map(drop)
}

/// Appends an entry for the location that `location_of` (a query of one ID) finds.
async fn journal_of(
    conn: &mut PgConnection,
    location_of: &'static str,
    id: i64,
    kind: ChangeKind,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let location: Option<String> =
        sqlx::query_scalar(location_of).bind(id).fetch_optional(&mut *conn).await.map_err(other)?;
    journal::append(conn, location.as_deref(), kind, at).await
}

// ---------------------------------------------------------------- shared reads

fn reminder(row: &PgRow) -> StoreResult<Reminder> {
    Ok(Reminder {
        email: coded(row, 0, "reminder email", Email::parse)?,
        every_weeks: u32::try_from(get::<i32>(row, 1)?).map_err(|e| corrupt("reminder interval", e))?,
        next_due_at: get(row, 2)?,
    })
}

fn due_reminder(row: &PgRow) -> StoreResult<DueReminder> {
    Ok(DueReminder {
        email: coded(row, 1, "reminder email", Email::parse)?,
        location_name: get(row, 2)?,
        link: get(row, 3)?,
        stop_token: get(row, 4)?,
        every_weeks: u32::try_from(get::<i32>(row, 5)?).map_err(|e| corrupt("reminder interval", e))?,
    })
}

/// The personal outcomes of each response, in the order given, with their progress oldest first.
async fn outcomes_of(conn: &mut PgConnection, ids: &[i64]) -> StoreResult<HashMap<i64, Vec<PersonalOutcome>>> {
    let mut outcomes: HashMap<i64, Vec<PersonalOutcome>> = HashMap::new();
    if ids.is_empty() {
        return Ok(outcomes);
    }
    let rows = sqlx::query(
        "SELECT o.feedback_id, o.id, o.text, p.rated_at, p.progress, o.retired_at FROM personal_outcomes o \
         LEFT JOIN outcome_progress p ON p.outcome_id = o.id WHERE o.feedback_id = ANY($1) \
         ORDER BY o.feedback_id, o.position, p.rated_at, p.ctid",
    )
    .bind(ids)
    .fetch_all(conn)
    .await
    .map_err(other)?;
    for row in rows {
        let list = outcomes.entry(get(&row, 0)?).or_default();
        let id: i64 = get(&row, 1)?;
        if list.last().is_none_or(|o| o.id != id) {
            list.push(PersonalOutcome { id, text: get(&row, 2)?, progress: Vec::new(), retired_at: get(&row, 5)? });
        }
        let rated_at: Option<DateTime<Utc>> = get(&row, 3)?;
        let progress = optional_coded(&row, 4, "progress", Progress::parse)?;
        if let (Some(at), Some(progress), Some(outcome)) = (rated_at, progress, list.last_mut()) {
            outcome.progress.push((at, progress));
        }
    }
    Ok(outcomes)
}

/// The replies to each response, oldest first; only published ones if asked.
async fn replies_to(
    conn: &mut PgConnection,
    ids: &[i64],
    published_only: bool,
) -> StoreResult<HashMap<i64, Vec<Reply>>> {
    let mut replies: HashMap<i64, Vec<Reply>> = HashMap::new();
    if ids.is_empty() {
        return Ok(replies);
    }
    let rows = sqlx::query(concat!(
        "SELECT ",
        reply_columns!(),
        reply_from!(),
        " WHERE r.feedback_id = ANY($1) AND (r.status = 'published' OR NOT $2) ORDER BY r.created_at, r.id"
    ))
    .bind(ids)
    .bind(published_only)
    .fetch_all(conn)
    .await
    .map_err(other)?;
    for row in rows {
        let reply = reply_row(&row)?;
        replies.entry(reply.feedback_id).or_default().push(reply);
    }
    Ok(replies)
}

async fn records(conn: &mut PgConnection, rows: &[PgRow]) -> StoreResult<Vec<FeedbackRecord>> {
    let mut records = rows.iter().map(record_row).collect::<StoreResult<Vec<_>>>()?;
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let mut outcomes = outcomes_of(conn, &ids).await?;
    for record in &mut records {
        record.personal_outcomes = outcomes.remove(&record.id).unwrap_or_default();
    }
    Ok(records)
}

async fn load_reply(conn: &mut PgConnection, id: i64) -> StoreResult<Reply> {
    let row = sqlx::query(concat!("SELECT ", reply_columns!(), reply_from!(), " WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
    reply_row(&row)
}

async fn with_deliveries(conn: &mut PgConnection, mut alerts: Vec<Alert>) -> StoreResult<Vec<Alert>> {
    if alerts.is_empty() {
        return Ok(alerts);
    }
    let ids: Vec<i64> = alerts.iter().map(|a| a.id).collect();
    let rows = sqlx::query(concat!("SELECT ", outbox_columns!(), " FROM outbox WHERE alert_id = ANY($1) ORDER BY id"))
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await
        .map_err(other)?;
    let mut deliveries: HashMap<i64, Vec<OutboxEntry>> = HashMap::new();
    for row in &rows {
        let entry = outbox_row(row)?;
        deliveries.entry(entry.alert_id.unwrap_or_default()).or_default().push(entry);
    }
    let rows = sqlx::query(
        "SELECT alert_id, step, escalated_at, reason, sent_to FROM alert_escalations WHERE alert_id = ANY($1) \
         ORDER BY alert_id, step",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await
    .map_err(other)?;
    let mut escalations: HashMap<i64, Vec<AlertEscalation>> = HashMap::new();
    for row in &rows {
        let sent_to: String = get(row, 4)?;
        let step: i32 = get(row, 1)?;
        escalations.entry(get(row, 0)?).or_default().push(AlertEscalation {
            step: step as u32,
            at: get(row, 2)?,
            reason: get(row, 3)?,
            sent_to: emails_of(&sent_to)?,
        });
    }
    for alert in &mut alerts {
        alert.deliveries = deliveries.remove(&alert.id).unwrap_or_default();
        alert.escalations = escalations.remove(&alert.id).unwrap_or_default();
    }
    Ok(alerts)
}

/// The addresses an escalation went to, as kept: comma-separated.
fn emails_of(kept: &str) -> StoreResult<Vec<Email>> {
    kept.split(", ")
        .filter(|e| !e.is_empty())
        .map(|e| Email::parse(e).map_err(|err| crate::codec::corrupt("email", err)))
        .collect()
}

/// A location's published stories, newest first, each with its replies.
async fn stories(
    store: &PostgresStore,
    location: &LocationId,
    page: u32,
    per_page: u32,
    public: bool,
) -> StoreResult<Page<PublishedStory>> {
    let offset = check_page(page, per_page)?;
    let mut conn = store.read().acquire().await.map_err(other)?;
    // The public sees the stories of the latest snapshot; the provider, every
    // published one, to answer it.
    let shown = if public {
        concat!(
            " FROM feedback f WHERE f.location_id = $1 AND f.status = 'published' AND f.published_text <> ''",
            " AND ",
            counted_by_snapshot!()
        )
    } else {
        " FROM feedback f WHERE f.location_id = $1 AND f.status = 'published' AND f.published_text <> ''"
    };
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*){shown}")))
        .bind(location.as_str())
        .fetch_one(&mut *conn)
        .await
        .map_err(other)?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT f.id, f.received_at, f.respondent, f.overall, f.published_text, \
         COALESCE(f.moderated_at, f.received_at){shown} ORDER BY f.received_at DESC, f.id DESC LIMIT $2 OFFSET $3"
    )))
    .bind(location.as_str())
    .bind(i64::from(per_page))
    .bind(offset)
    .fetch_all(&mut *conn)
    .await
    .map_err(other)?;
    let ids = rows.iter().map(|row| get(row, 0)).collect::<StoreResult<Vec<i64>>>()?;
    let mut replies = replies_to(&mut conn, &ids, public).await?;
    let items = rows.iter().map(|row| story(row, &mut replies)).collect::<StoreResult<_>>()?;
    Ok(Page { items, total: total as u64, page, per_page })
}

/// A story from its row (id, received, respondent, overall, text, published, …),
/// with its replies taken from those loaded.
fn story(row: &PgRow, replies: &mut HashMap<i64, Vec<Reply>>) -> StoreResult<PublishedStory> {
    let feedback_id: i64 = get(row, 0)?;
    Ok(PublishedStory {
        feedback_id,
        received_at: get(row, 1)?,
        respondent: coded(row, 2, "respondent", Respondent::parse)?,
        overall: coded(row, 3, "overall answer", Overall::parse)?,
        text: get(row, 4)?,
        published_at: get(row, 5)?,
        replies: replies.remove(&feedback_id).unwrap_or_default(),
    })
}

/// The newest stories the public may read of any of `locations`.
async fn stories_in(
    store: &PostgresStore,
    locations: &[LocationId],
    limit: u32,
) -> StoreResult<Vec<(LocationId, PublishedStory)>> {
    if locations.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = store.read().acquire().await.map_err(other)?;
    let mut q = QueryBuilder::<Postgres>::new(
        "SELECT f.id, f.received_at, f.respondent, f.overall, f.published_text, \
         COALESCE(f.moderated_at, f.received_at), f.location_id FROM feedback f WHERE f.location_id IN (",
    );
    let mut list = q.separated(", ");
    for l in locations {
        list.push_bind(l.as_str().to_string());
    }
    q.push(concat!(") AND f.status = 'published' AND f.published_text <> '' AND ", counted_by_snapshot!()));
    q.push(" ORDER BY f.received_at DESC, f.id DESC LIMIT ").push_bind(i64::from(limit));
    let rows = q.build().fetch_all(&mut *conn).await.map_err(other)?;
    let ids = rows.iter().map(|row| get(row, 0)).collect::<StoreResult<Vec<i64>>>()?;
    let mut replies = replies_to(&mut conn, &ids, true).await?;
    rows.iter()
        .map(|row| {
            let location: String = get(row, 6)?;
            let location = LocationId::parse(&location).map_err(|e| crate::codec::corrupt("location ID", e))?;
            Ok((location, story(row, &mut replies)?))
        })
        .collect()
}

/// Why a pending-only change was refused: the row is missing, or has moved on.
async fn not_pending(conn: &mut PgConnection, exists_sql: &'static str, id: i64, conflict: &str) -> StoreError {
    match sqlx::query_scalar::<_, i64>(exists_sql).bind(id).fetch_optional(conn).await {
        Ok(Some(_)) => StoreError::Conflict(conflict.to_string()),
        Ok(None) => StoreError::NotFound,
        Err(e) => other(e),
    }
}

/// The facts of a location's responses counted by its snapshot, received since `since`.
async fn response_facts(
    conn: &mut PgConnection,
    location: &LocationId,
    since: DateTime<Utc>,
) -> StoreResult<VoiceFacts> {
    // Story facts are worked out only for responses with a story (CASE is lazy).
    let rows = sqlx::query(concat!(
        "SELECT f.received_at, f.respondent, f.channel, f.overall, f.story <> '', f.status, f.criticality, \
         CASE WHEN f.story <> '' THEN (SELECT MIN(r.created_at) FROM replies r \
             WHERE r.feedback_id = f.id AND r.status = 'published' AND ",
        recorded_by_snapshot!("COALESCE(r.checked_at, r.created_at)"),
        ") END, \
         CASE WHEN f.story <> '' THEN (SELECT MAX(CASE r.change WHEN 'made' THEN 2 WHEN 'planned' THEN 1 ELSE 0 END) \
             FROM replies r WHERE r.feedback_id = f.id AND r.status = 'published' AND ",
        recorded_by_snapshot!("COALESCE(r.checked_at, r.created_at)"),
        ") END, ",
        question_columns!(),
        " FROM feedback f WHERE f.location_id = $1 AND f.received_at >= $2 AND f.status = 'published' AND ",
        counted_by_snapshot!(),
        " ORDER BY f.received_at, f.id"
    ))
    .bind(location.as_str())
    .bind(since)
    .fetch_all(conn)
    .await
    .map_err(other)?;
    let mut facts = VoiceFacts::default();
    for row in &rows {
        let received_at = get(row, 0)?;
        let respondent = coded(row, 1, "respondent", Respondent::parse)?;
        facts.responses.push(ResponseFacts {
            received_at,
            respondent,
            channel: coded(row, 2, "channel", Channel::parse)?,
            overall: coded(row, 3, "overall answer", Overall::parse)?,
            answers: answers(row, 9, respondent)?,
        });
        if get(row, 4)? {
            let change: Option<i32> = get(row, 8)?;
            facts.stories.push(StoryFacts {
                received_at,
                published: coded(row, 5, "feedback status", status)? == FeedbackStatus::Published,
                criticality: criticality(row, 6)?,
                first_reply_at: get(row, 7)?,
                change: change.map(|c| match c {
                    2 => ChangeClaim::Made,
                    1 => ChangeClaim::Planned,
                    _ => ChangeClaim::None,
                }),
            });
        }
    }
    Ok(facts)
}

/// The latest rating by the snapshot of each outcome of the counted responses
/// (ties to the one recorded last).
async fn latest_progress(
    conn: &mut PgConnection,
    location: &LocationId,
    since: DateTime<Utc>,
) -> StoreResult<Vec<Progress>> {
    let rows = sqlx::query(concat!(
        "SELECT p.progress FROM feedback f JOIN personal_outcomes o ON o.feedback_id = f.id \
         JOIN LATERAL (SELECT q.progress FROM outcome_progress q WHERE q.outcome_id = o.id AND ",
        recorded_by_snapshot!("q.rated_at"),
        " ORDER BY q.rated_at DESC, q.ctid DESC LIMIT 1) p ON true \
         WHERE f.location_id = $1 AND f.received_at >= $2 AND f.status = 'published' AND ",
        counted_by_snapshot!(),
        " ORDER BY o.id"
    ))
    .bind(location.as_str())
    .bind(since)
    .fetch_all(conn)
    .await
    .map_err(other)?;
    rows.iter().map(|row| coded(row, 0, "progress", Progress::parse)).collect()
}

// ---------------------------------------------------------------- the trait

#[async_trait]
impl VoiceStore for PostgresStore {
    async fn submit_feedback(&self, new: &NewFeedback) -> StoreResult<Receipt> {
        self.voice.submit(new).await
    }

    async fn own_feedback(&self, key_hash: &str) -> StoreResult<OwnFeedback> {
        let mut conn = self.read().acquire().await.map_err(other)?;
        let row = sqlx::query(
            "SELECT f.id, f.reference, f.location_id, l.name, f.received_at, f.status, f.story, f.published_text \
             FROM feedback f JOIN locations l ON l.id = f.location_id WHERE f.key_hash = $1",
        )
        .bind(stored_key(key_hash))
        .fetch_optional(&mut *conn)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
        let id: i64 = get(&row, 0)?;
        let personal_outcomes = outcomes_of(&mut conn, &[id]).await?.remove(&id).unwrap_or_default();
        let replies = replies_to(&mut conn, &[id], true).await?.remove(&id).unwrap_or_default();
        let reminder =
            sqlx::query("SELECT email, every_weeks, next_due_at FROM outcome_reminders WHERE feedback_id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await
                .map_err(other)?
                .map(|r| reminder(&r))
                .transpose()?;
        Ok(OwnFeedback {
            feedback_id: id,
            reference: get(&row, 1)?,
            location_id: location_id(&row, 2)?,
            location_name: get(&row, 3)?,
            received_at: get(&row, 4)?,
            status: coded(&row, 5, "feedback status", status)?,
            story: get(&row, 6)?,
            published_text: get(&row, 7)?,
            personal_outcomes,
            replies,
            reminder,
        })
    }

    async fn set_reminder(&self, key_hash: &str, new: &NewReminder) -> StoreResult<()> {
        let r = &new.reminder;
        let set = sqlx::query(
            "INSERT INTO outcome_reminders (feedback_id, email, every_weeks, next_due_at, link, stop_token, created_at) \
             SELECT id, $1, $2, $3, $4, $5, $6 FROM feedback WHERE key_hash = $7 \
             ON CONFLICT (feedback_id) DO UPDATE SET email = excluded.email, every_weeks = excluded.every_weeks, \
                 next_due_at = excluded.next_due_at, link = excluded.link, stop_token = excluded.stop_token",
        )
        .bind(r.email.as_str())
        .bind(r.every_weeks as i32)
        .bind(r.next_due_at)
        .bind(&new.link)
        .bind(&new.stop_token)
        .bind(new.at)
        .bind(stored_key(key_hash))
        .execute(self.write())
        .await
        .map_err(other)?;
        if set.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn stop_reminder(&self, which: StopReminder<'_>) -> StoreResult<bool> {
        let stopped = match which {
            StopReminder::Key(key_hash) => sqlx::query(
                "DELETE FROM outcome_reminders WHERE feedback_id = (SELECT id FROM feedback WHERE key_hash = $1)",
            )
            .bind(stored_key(key_hash)),
            StopReminder::Token(token) => {
                sqlx::query("DELETE FROM outcome_reminders WHERE stop_token = $1").bind(token.to_string())
            }
        };
        Ok(stopped.execute(self.write()).await.map_err(other)?.rows_affected() > 0)
    }

    async fn queue_due_reminders(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        compose: &(dyn for<'r> Fn(&'r DueReminder) -> OutgoingEmail + Sync),
    ) -> StoreResult<u32> {
        let mut tx = self.write().begin().await.map_err(other)?;
        // Reminders another instance is queuing are skipped, not waited for.
        let due = sqlx::query(
            "SELECT r.feedback_id, r.email, l.name, r.link, r.stop_token, r.every_weeks FROM outcome_reminders r \
             JOIN feedback f ON f.id = r.feedback_id JOIN locations l ON l.id = f.location_id \
             WHERE r.next_due_at <= $1 ORDER BY r.next_due_at LIMIT $2 FOR UPDATE OF r SKIP LOCKED",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(other)?;
        for row in &due {
            let reminder = due_reminder(row)?;
            crate::accounts::queue(&mut tx, &compose(&reminder), None).await?;
            let next = now + chrono::Duration::weeks(i64::from(reminder.every_weeks));
            sqlx::query("UPDATE outcome_reminders SET next_due_at = $1 WHERE feedback_id = $2")
                .bind(next)
                .bind(get::<i64>(row, 0)?)
                .execute(&mut *tx)
                .await
                .map_err(other)?;
        }
        tx.commit().await.map_err(other)?;
        Ok(due.len() as u32)
    }

    async fn add_outcome(&self, key_hash: &str, text: &str) -> StoreResult<i64> {
        let mut tx = self.write().begin().await.map_err(other)?;
        // The response's row is locked, so that two additions at once count each other.
        let found = sqlx::query(
            "SELECT f.id, (SELECT COUNT(*) FROM personal_outcomes o \
                 WHERE o.feedback_id = f.id AND o.retired_at IS NULL), \
                 (SELECT COALESCE(MAX(o.position), -1) + 1 FROM personal_outcomes o WHERE o.feedback_id = f.id) \
             FROM feedback f WHERE f.key_hash = $1 FOR UPDATE OF f",
        )
        .bind(stored_key(key_hash))
        .fetch_optional(&mut *tx)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
        let (feedback_id, tracked, position): (i64, i64, i32) = (get(&found, 0)?, get(&found, 1)?, get(&found, 2)?);
        if tracked >= MAX_PERSONAL_OUTCOMES as i64 {
            return Err(StoreError::Conflict(format!("no more than {MAX_PERSONAL_OUTCOMES} outcomes at once")));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO personal_outcomes (feedback_id, position, text) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(feedback_id)
        .bind(position)
        .bind(text)
        .fetch_one(&mut *tx)
        .await
        .map_err(other)?;
        tx.commit().await.map_err(other)?;
        Ok(id)
    }

    async fn retire_outcome(&self, key_hash: &str, outcome_id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.write().begin().await.map_err(other)?;
        let mine = sqlx::query(
            "SELECT o.retired_at IS NOT NULL FROM personal_outcomes o JOIN feedback f ON f.id = o.feedback_id \
             WHERE o.id = $1 AND f.key_hash = $2 FOR UPDATE OF o",
        )
        .bind(outcome_id)
        .bind(stored_key(key_hash))
        .fetch_optional(&mut *tx)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
        if get::<bool>(&mine, 0)? {
            return Err(StoreError::Conflict("this outcome is no longer tracked".into()));
        }
        sqlx::query("UPDATE personal_outcomes SET retired_at = $1 WHERE id = $2")
            .bind(at)
            .bind(outcome_id)
            .execute(&mut *tx)
            .await
            .map_err(other)?;
        tx.commit().await.map_err(other)
    }

    async fn rate_progress(
        &self,
        key_hash: &str,
        outcome_id: i64,
        progress: Progress,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.write().begin().await.map_err(other)?;
        // Only through the key of the response the outcome belongs to. The outcome's row
        // is locked, so that two ratings at once cannot both count.
        let outcome = sqlx::query(
            "SELECT f.location_id, (SELECT MAX(p.rated_at) FROM outcome_progress p \
                 WHERE p.outcome_id = o.id AND p.counted), o.retired_at IS NOT NULL \
             FROM personal_outcomes o JOIN feedback f ON f.id = o.feedback_id \
             WHERE o.id = $1 AND f.key_hash = $2 FOR UPDATE OF o",
        )
        .bind(outcome_id)
        .bind(stored_key(key_hash))
        .fetch_optional(&mut *tx)
        .await
        .map_err(other)?;
        let Some(outcome) = outcome else { return Err(StoreError::NotFound) };
        let location: String = get(&outcome, 0)?;
        if get::<bool>(&outcome, 2)? {
            return Err(StoreError::Conflict("this outcome is no longer tracked".into()));
        }
        let counted = progress_counts(get(&outcome, 1)?, at);
        sqlx::query(
            "WITH rated AS (INSERT INTO outcome_progress (outcome_id, rated_at, progress, counted) \
                 VALUES ($1, $2, $3, $4)) \
             INSERT INTO voice_months (location_id, month, progress_n, progress_better) \
             SELECT $5, to_char($2 AT TIME ZONE 'UTC', 'YYYY-MM'), 1, ($3 = 'better')::int WHERE $4 \
             ON CONFLICT (location_id, month) DO UPDATE SET progress_n = voice_months.progress_n + 1, \
                 progress_better = voice_months.progress_better + excluded.progress_better",
        )
        .bind(outcome_id)
        .bind(at)
        .bind(progress.code())
        .bind(counted)
        .bind(&location)
        .execute(&mut *tx)
        .await
        .map_err(other)?;
        journal::append(&mut tx, Some(&location), ChangeKind::Feedback, at).await?;
        tx.commit().await.map_err(other)
    }

    async fn review_burst(&self, review: &BurstReview) -> StoreResult<()> {
        let mut tx = self.write().begin().await.map_err(other)?;
        let written = sqlx::query(
            "INSERT INTO people_burst_reviews (location_id, month, counted, reviewed_by, reviewed_at) \
             SELECT id, $1, $2, $3, $4 FROM locations WHERE id = $5 \
             ON CONFLICT (location_id, month) DO UPDATE SET counted = excluded.counted, \
                 reviewed_by = excluded.reviewed_by, reviewed_at = excluded.reviewed_at",
        )
        .bind(review.month.to_string())
        .bind(review.counted)
        .bind(review.by.0)
        .bind(review.at)
        .bind(review.location_id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| write_error("this decision cannot be recorded", e))?;
        if written.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        journal::append(&mut tx, Some(review.location_id.as_str()), ChangeKind::Moderation, review.at).await?;
        tx.commit().await.map_err(other)
    }

    async fn moderation_queue(&self, query: &ModerationQuery) -> StoreResult<Page<FeedbackRecord>> {
        let offset = check_page(query.page, query.per_page)?;
        // Pending responses are few, and sorted as read (no suggested level last,
        // as in SQLite); the others are listed latest recorded first.
        let order = match query.status {
            FeedbackStatus::Pending => "f.prescreen_level DESC NULLS LAST, f.received_at, f.id",
            FeedbackStatus::Published | FeedbackStatus::Rejected => "f.id DESC",
        };
        let mut conn = self.read().acquire().await.map_err(other)?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feedback WHERE status = $1")
            .bind(query.status.code())
            .fetch_one(&mut *conn)
            .await
            .map_err(other)?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            concat!(
                "SELECT ",
                record_columns!(),
                " FROM feedback f JOIN locations l ON l.id = f.location_id WHERE f.status = $1 \
                 ORDER BY {} LIMIT $2 OFFSET $3"
            ),
            order
        )))
        .bind(query.status.code())
        .bind(i64::from(query.per_page))
        .bind(offset)
        .fetch_all(&mut *conn)
        .await
        .map_err(other)?;
        let items = records(&mut conn, &rows).await?;
        Ok(Page { items, total: total as u64, page: query.page, per_page: query.per_page })
    }

    async fn feedback_record(&self, id: i64) -> StoreResult<FeedbackRecord> {
        let mut conn = self.read().acquire().await.map_err(other)?;
        let row = sqlx::query(concat!(
            "SELECT ",
            record_columns!(),
            " FROM feedback f JOIN locations l ON l.id = f.location_id WHERE f.id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
        records(&mut conn, &[row]).await?.pop().ok_or(StoreError::NotFound)
    }

    async fn feedback_by_reference(&self, reference: &str) -> StoreResult<FeedbackRecord> {
        let id: i64 = sqlx::query_scalar("SELECT id FROM feedback WHERE reference = $1")
            .bind(reference)
            .fetch_optional(self.read())
            .await
            .map_err(other)?
            .ok_or(StoreError::NotFound)?;
        self.feedback_record(id).await
    }

    async fn moderate(&self, id: i64, moderation: &Moderation) -> StoreResult<()> {
        let (status, text, reason) = match &moderation.decision {
            ModerationDecision::Publish { text } => (FeedbackStatus::Published, Some(text.as_str()), None),
            ModerationDecision::Reject { reason } => (FeedbackStatus::Rejected, None, Some(reason.as_str())),
        };
        let mut tx = self.write().begin().await.map_err(other)?;
        // The row stays locked until the commit: another moderator's decision on
        // it waits, then finds it moderated.
        let found: Option<(String, String)> =
            sqlx::query_as("SELECT status, location_id FROM feedback WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(other)?;
        let Some((current, location)) = found else { return Err(StoreError::NotFound) };
        if current != FeedbackStatus::Pending.code() {
            return Err(StoreError::Conflict("this response has already been moderated".into()));
        }
        // Its old contribution goes before the change and the new one comes after.
        counts::take_away(&mut tx, &[id]).await.map_err(other)?;
        sqlx::query(
            "UPDATE feedback SET status = $1, published_text = $2, reject_reason = $3, criticality = $4, \
             moderated_by = $5, moderated_at = $6 WHERE id = $7",
        )
        .bind(status.code())
        .bind(text)
        .bind(reason)
        .bind(i32::from(moderation.criticality.level()))
        .bind(moderation.by.0)
        .bind(moderation.at)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| write_error("this response cannot be moderated", e))?;
        counts::add(&mut tx, &[id]).await.map_err(other)?;
        counts::add_progress_of(&mut tx, &[id]).await.map_err(other)?;
        if status == FeedbackStatus::Published {
            counts::count_published(&mut tx, &[id]).await.map_err(other)?;
        }
        if let Some(alert) = &moderation.alert {
            insert_alert(&mut tx, id, alert, moderation.at)
                .await
                .map_err(|e| write_error("this alert cannot be raised", e))?;
        }
        journal::append(&mut tx, Some(&location), ChangeKind::Moderation, moderation.at).await?;
        for email in &moderation.emails {
            crate::accounts::queue(&mut tx, email, None).await?;
        }
        tx.commit().await.map_err(other)
    }

    async fn set_safeguarding_contact(
        &self,
        scope: &ContactScope,
        contact: Option<(&str, &Email)>,
        by: Option<UserId>,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (kind, id) = contact_scope_parts(scope);
        let statement = match contact {
            Some((name, email)) => sqlx::query(
                "INSERT INTO safeguarding_contacts (scope_kind, scope_id, name, email, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope_kind, lower(scope_id)) DO UPDATE SET \
                 name = excluded.name, email = excluded.email, updated_by = excluded.updated_by, \
                 updated_at = excluded.updated_at",
            )
            .bind(kind)
            .bind(id)
            .bind(name)
            .bind(email.as_str())
            .bind(by.map(|u| u.0))
            .bind(at),
            None => {
                sqlx::query("DELETE FROM safeguarding_contacts WHERE scope_kind = $1 AND lower(scope_id) = lower($2)")
                    .bind(kind)
                    .bind(id)
            }
        };
        statement.execute(self.write()).await.map(drop).map_err(|e| write_error("this contact cannot be saved", e))
    }

    async fn safeguarding_contact(&self, scope: &ContactScope) -> StoreResult<Option<SafeguardingContact>> {
        let (kind, id) = contact_scope_parts(scope);
        sqlx::query(
            "SELECT scope_kind, scope_id, name, email, updated_by, updated_at FROM safeguarding_contacts \
             WHERE scope_kind = $1 AND lower(scope_id) = lower($2)",
        )
        .bind(kind)
        .bind(id)
        .fetch_optional(self.read())
        .await
        .map_err(other)?
        .as_ref()
        .map(contact_row)
        .transpose()
    }

    async fn safeguarding_contacts_for(&self, location: &LocationId) -> StoreResult<Vec<SafeguardingContact>> {
        let mut conn = self.read().acquire().await.map_err(other)?;
        let (provider, local_authority): (String, Option<String>) =
            sqlx::query_as("SELECT provider_id, local_authority FROM locations WHERE id = $1")
                .bind(location.as_str())
                .fetch_optional(&mut *conn)
                .await
                .map_err(other)?
                .ok_or(StoreError::NotFound)?;
        sqlx::query(
            "SELECT scope_kind, scope_id, name, email, updated_by, updated_at FROM safeguarding_contacts \
             WHERE (scope_kind = 'provider' AND lower(scope_id) = lower($1)) \
                OR (scope_kind = 'local_authority' AND lower(scope_id) = lower($2)) \
             ORDER BY scope_kind DESC",
        )
        .bind(provider)
        .bind(local_authority)
        .fetch_all(&mut *conn)
        .await
        .map_err(other)?
        .iter()
        .map(contact_row)
        .collect()
    }

    async fn alerts(&self, scope: &AlertScope, open_only: bool, limit: u32) -> StoreResult<Vec<Alert>> {
        let mut qb = QueryBuilder::<Postgres>::new(concat!("SELECT ", alert_columns!(), " WHERE true"));
        if open_only {
            qb.push(" AND a.acknowledged_at IS NULL");
        }
        match scope {
            AlertScope::All => {}
            AlertScope::Provider(id) => {
                qb.push(" AND l.provider_id = ").push_bind(id.as_str().to_string());
            }
            AlertScope::Locations(ids) if ids.is_empty() => return Ok(Vec::new()),
            AlertScope::LocalAuthorities(names) if names.is_empty() => return Ok(Vec::new()),
            AlertScope::Locations(ids) => {
                let ids: Vec<String> = ids.iter().map(|id| id.as_str().to_string()).collect();
                qb.push(" AND f.location_id = ANY(").push_bind(ids).push(")");
            }
            AlertScope::LocalAuthorities(names) => {
                let names: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
                qb.push(" AND lower(l.local_authority) = ANY(").push_bind(names).push(")");
            }
        }
        // Open ones first, oldest first: they are waiting for someone to act.
        qb.push(
            " ORDER BY a.acknowledged_at IS NOT NULL, \
             CASE WHEN a.acknowledged_at IS NULL THEN a.raised_at END, a.raised_at DESC, a.id LIMIT ",
        )
        .push_bind(i64::from(limit));
        let mut conn = self.read().acquire().await.map_err(other)?;
        let alerts =
            qb.build().fetch_all(&mut *conn).await.map_err(other)?.iter().map(alert_row).collect::<StoreResult<_>>()?;
        with_deliveries(&mut conn, alerts).await
    }

    async fn alert(&self, id: i64) -> StoreResult<Alert> {
        let mut conn = self.read().acquire().await.map_err(other)?;
        let row = sqlx::query(concat!("SELECT ", alert_columns!(), " WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(other)?
            .ok_or(StoreError::NotFound)?;
        with_deliveries(&mut conn, vec![alert_row(&row)?]).await?.pop().ok_or(StoreError::NotFound)
    }

    async fn acknowledge_alert(&self, id: i64, by: UserId, note: &str, at: DateTime<Utc>) -> StoreResult<()> {
        let mut conn = self.write().acquire().await.map_err(other)?;
        // Only the first acknowledgement changes the row, however many arrive at once.
        let changed = sqlx::query(
            "UPDATE alerts SET acknowledged_by = $1, acknowledged_at = $2, acknowledgement = $3 \
             WHERE id = $4 AND acknowledged_at IS NULL",
        )
        .bind(by.0)
        .bind(at)
        .bind(note)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(|e| write_error("this alert cannot be acknowledged", e))?;
        if changed.rows_affected() == 0 {
            let exists = "SELECT id FROM alerts WHERE id = $1";
            return Err(not_pending(&mut conn, exists, id, "this alert has already been acknowledged").await);
        }
        Ok(())
    }

    async fn escalate_alert(
        &self,
        alert: i64,
        step: u32,
        reason: &str,
        emails: &[OutgoingEmail],
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self.write().begin().await.map_err(other)?;
        // Locked, so that an acknowledgement and an escalation are taken one after the other.
        let state: Option<(Option<DateTime<Utc>>, i64)> = sqlx::query_as(
            "SELECT a.acknowledged_at, (SELECT COUNT(*) FROM alert_escalations e WHERE e.alert_id = a.id) \
             FROM alerts a WHERE a.id = $1 FOR UPDATE",
        )
        .bind(alert)
        .fetch_optional(&mut *tx)
        .await
        .map_err(other)?;
        let (acknowledged, taken) = state.ok_or(StoreError::NotFound)?;
        if acknowledged.is_some() || taken + 1 != i64::from(step) {
            return Ok(false);
        }
        let sent_to: Vec<&str> = emails.iter().map(|e| e.to.as_str()).collect();
        let added = sqlx::query(
            "INSERT INTO alert_escalations (alert_id, step, escalated_at, reason, sent_to) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT DO NOTHING",
        )
        .bind(alert)
        .bind(step as i32)
        .bind(at)
        .bind(reason)
        .bind(sent_to.join(", "))
        .execute(&mut *tx)
        .await
        .map_err(other)?;
        if added.rows_affected() == 0 {
            return Ok(false);
        }
        for email in emails {
            queue(&mut tx, email, Some(alert)).await?;
        }
        tx.commit().await.map_err(other)?;
        Ok(true)
    }

    async fn add_reply(&self, reply: &NewReply) -> StoreResult<Reply> {
        let mut tx = self.write().begin().await.map_err(other)?;
        // A published response stays published: no lock is needed to rely on it.
        let found: Option<(String, String)> = sqlx::query_as("SELECT status, location_id FROM feedback WHERE id = $1")
            .bind(reply.feedback_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(other)?;
        let Some((status, location)) = found else { return Err(StoreError::NotFound) };
        if status != FeedbackStatus::Published.code() {
            return Err(StoreError::Conflict("only published stories can be answered".into()));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO replies (feedback_id, author, text, change, change_what, created_at, status) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(reply.feedback_id)
        .bind(reply.author.0)
        .bind(&reply.text)
        .bind(reply.change.code())
        .bind(&reply.change_what)
        .bind(reply.at)
        .bind(reply.status.code())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| write_error("this reply cannot be added", e))?;
        let added = load_reply(&mut tx, id).await?;
        journal::append(&mut tx, Some(&location), ChangeKind::Reply, reply.at).await?;
        tx.commit().await.map_err(other)?;
        Ok(added)
    }

    async fn published_reply_count(&self, author: UserId) -> StoreResult<u32> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM replies WHERE author = $1 AND status = 'published'")
            .bind(author.0)
            .fetch_one(self.read())
            .await
            .map_err(other)?;
        u32::try_from(n).map_err(|e| corrupt("reply count", e))
    }

    async fn replies_to_check(&self, limit: u32) -> StoreResult<Vec<ReplyToCheck>> {
        sqlx::query(concat!(
            "SELECT ",
            reply_columns!(),
            ", f.reference, f.location_id, l.name, f.published_text",
            reply_from!(),
            " WHERE r.status = 'pending' ORDER BY r.created_at, r.id LIMIT $1"
        ))
        .bind(i64::from(limit))
        .fetch_all(self.read())
        .await
        .map_err(other)?
        .iter()
        .map(|row| {
            Ok(ReplyToCheck {
                reply: reply_row(row)?,
                reference: get(row, REPLY_COLUMN_COUNT)?,
                location_id: location_id(row, REPLY_COLUMN_COUNT + 1)?,
                location_name: get(row, REPLY_COLUMN_COUNT + 2)?,
                published_text: get::<Option<String>>(row, REPLY_COLUMN_COUNT + 3)?.unwrap_or_default(),
            })
        })
        .collect()
    }

    async fn published_replies(&self, since: DateTime<Utc>) -> StoreResult<Vec<PublishedReply>> {
        sqlx::query(concat!(
            "SELECT ",
            reply_columns!(),
            ", f.reference, f.location_id, l.name, f.contact_name, f.contact_email, \
             EXISTS (SELECT 1 FROM replies m WHERE m.feedback_id = r.feedback_id AND m.status = 'published' \
               AND m.change = 'made' AND m.created_at > r.created_at)",
            reply_from!(),
            " WHERE r.status = 'published' AND COALESCE(r.checked_at, r.created_at) >= $1 ORDER BY r.created_at, r.id"
        ))
        .bind(since)
        .fetch_all(self.read())
        .await
        .map_err(other)?
        .iter()
        .map(|row| {
            Ok(PublishedReply {
                reply: reply_row(row)?,
                reference: get(row, REPLY_COLUMN_COUNT)?,
                location_id: location_id(row, REPLY_COLUMN_COUNT + 1)?,
                location_name: get(row, REPLY_COLUMN_COUNT + 2)?,
                contact_name: get(row, REPLY_COLUMN_COUNT + 3)?,
                contact_email: get(row, REPLY_COLUMN_COUNT + 4)?,
                made_later: get(row, REPLY_COLUMN_COUNT + 5)?,
            })
        })
        .collect()
    }

    async fn check_reply(
        &self,
        id: i64,
        reject_reason: Option<&str>,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let status = if reject_reason.is_some() { ReplyStatus::Rejected } else { ReplyStatus::Published };
        let mut tx = self.write().begin().await.map_err(other)?;
        // Only one check of a reply changes it, however many arrive at once.
        let changed = sqlx::query(
            "UPDATE replies SET status = $1, reject_reason = $2, checked_by = $3, checked_at = $4 \
             WHERE id = $5 AND status = 'pending'",
        )
        .bind(status.code())
        .bind(reject_reason)
        .bind(by.0)
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| write_error("this reply cannot be checked", e))?;
        if changed.rows_affected() == 0 {
            let exists = "SELECT id FROM replies WHERE id = $1";
            return Err(not_pending(&mut tx, exists, id, "this reply has already been checked").await);
        }
        let of = "SELECT f.location_id FROM replies r JOIN feedback f ON f.id = r.feedback_id WHERE r.id = $1";
        journal_of(&mut tx, of, id, ChangeKind::Reply, at).await?;
        tx.commit().await.map_err(other)
    }

    async fn replies_of(&self, location: &LocationId) -> StoreResult<Vec<Reply>> {
        sqlx::query(concat!(
            "SELECT ",
            reply_columns!(),
            reply_from!(),
            " WHERE f.location_id = $1 ORDER BY r.created_at DESC, r.id DESC"
        ))
        .bind(location.as_str())
        .fetch_all(self.read())
        .await
        .map_err(other)?
        .iter()
        .map(reply_row)
        .collect()
    }

    async fn published_stories(
        &self,
        location: &LocationId,
        page: u32,
        per_page: u32,
    ) -> StoreResult<Page<PublishedStory>> {
        stories(self, location, page, per_page, true).await
    }

    async fn published_stories_in(
        &self,
        locations: &[LocationId],
        limit: u32,
    ) -> StoreResult<Vec<(LocationId, PublishedStory)>> {
        stories_in(self, locations, limit).await
    }

    async fn stories_to_answer(
        &self,
        location: &LocationId,
        page: u32,
        per_page: u32,
    ) -> StoreResult<Page<PublishedStory>> {
        stories(self, location, page, per_page, false).await
    }

    async fn voice_facts(&self, location: &LocationId, since: DateTime<Utc>) -> StoreResult<VoiceFacts> {
        // One transaction, so that both reads see the same snapshot of the figures.
        let mut tx = self.read().begin().await.map_err(other)?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(other)?;
        let mut facts = response_facts(&mut tx, location, since).await?;
        facts.outcome_progress = latest_progress(&mut tx, location, since).await?;
        tx.commit().await.map_err(other)?;
        Ok(facts)
    }

    async fn voice_snapshot(&self, location: &LocationId) -> StoreResult<Option<DateTime<Utc>>> {
        sqlx::query_scalar("SELECT taken_at FROM voice_snapshots WHERE location_id = $1")
            .bind(location.as_str())
            .fetch_optional(self.read())
            .await
            .map_err(other)
    }

    async fn refresh_voice_snapshots(
        &self,
        min_new: u32,
        taken_before: DateTime<Utc>,
        taken_at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        // One pass over the counts, one row per service: cheap at national scale.
        // The conditions are checked again on the row being replaced, so that two
        // instances refreshing at once take one snapshot between them.
        let done = sqlx::query(
            "INSERT INTO voice_snapshots (location_id, taken_at, counted) \
             SELECT c.location_id, $1, c.counted FROM voice_counted c \
             LEFT JOIN voice_snapshots s ON s.location_id = c.location_id \
             WHERE c.counted - COALESCE(s.counted, 0) >= $2 AND (s.taken_at IS NULL OR s.taken_at <= $3) \
             ORDER BY c.location_id \
             ON CONFLICT (location_id) DO UPDATE SET taken_at = excluded.taken_at, counted = excluded.counted \
             WHERE excluded.counted - voice_snapshots.counted >= $2 AND voice_snapshots.taken_at <= $3",
        )
        .bind(taken_at)
        .bind(i64::from(min_new))
        .bind(taken_before)
        .execute(self.write())
        .await
        .map_err(other)?;
        Ok(done.rows_affected())
    }

    async fn load_historic_feedback(&self, batch: &[HistoricFeedback]) -> StoreResult<()> {
        historic::load(self.write(), batch).await
    }
}

#[cfg(test)]
mod tests {
    use candour_domain::voice::{OUTCOME_QUESTIONS, PARTNER_QUESTIONS, STAFF_QUESTIONS};

    use super::{QUESTION_CODES, stored_key};

    #[test]
    fn hex_key_hashes_are_kept_as_bytes_and_others_as_text() {
        let hex = "00ff".repeat(16);
        assert_eq!(stored_key(&hex), [0, 255].repeat(16));
        for other in [hex.to_uppercase(), format!("{}g", &hex[1..]), hex[2..].to_string(), "hash-a".to_string()] {
            assert_eq!(stored_key(&other), other.as_bytes(), "{other}");
        }
    }

    #[test]
    fn every_question_has_its_column_in_order() {
        let codes: Vec<&str> =
            OUTCOME_QUESTIONS.iter().chain(&STAFF_QUESTIONS).chain(&PARTNER_QUESTIONS).map(|q| q.code).collect();
        assert_eq!(codes, QUESTION_CODES);
        let columns: Vec<String> = question_columns!().split(", ").map(|c| c.trim().to_string()).collect();
        let expected: Vec<String> = QUESTION_CODES.iter().map(|c| format!("q_{c}")).collect();
        assert_eq!(columns, expected);
    }
}
