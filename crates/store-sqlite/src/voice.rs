//! People's voice on SQLite. Submissions are committed in groups by one writer
//! task ([`submissions`]); every other change is one transaction on the single
//! writer, checking state first; reads go through the reader pool.

mod counts;
mod historic;
pub(crate) mod submissions;

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use sqlx::sqlite::{Sqlite, SqliteConnection, SqliteRow};

use candour_domain::voice::{
    ChangeClaim, Channel, Contact, Criticality, Helper, MAX_PERSONAL_OUTCOMES, Overall, Progress, Respondent,
    ResponseFacts, StoryFacts, VoiceFacts, progress_counts,
};
use candour_domain::{Email, LocationId, ProviderId, UserId};
use candour_store::*;

use crate::accounts::{outbox_columns, outbox_row, queue, write_error};
use crate::codec::{corrupt, get, stamp, to_json};
use crate::{SqliteStore, journal, other};

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

/// Writes responses: the columns in the order [`push_feedback`] binds them.
const INSERT_FEEDBACK: &str = concat!(
    "INSERT INTO feedback (id, location_id, key_hash, reference, received_at, respondent, channel, helper, \
     entered_by, overall, story, anonymous, contact_name, contact_email, contact_phone, prescreen_level, \
     prescreen_words, status, published_text, criticality, moderated_by, moderated_at, ",
    question_columns!(),
    ") "
);

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
/// unique index, written to at a random place by every submission. Anything else
/// is kept as text, which SQLite never takes for equal to bytes.
enum StoredKey {
    Sha256(Vec<u8>),
    Text(String),
}

impl StoredKey {
    fn of(key_hash: &str) -> Self {
        let digit = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        let bytes: Option<Vec<u8>> = (key_hash.len() == 64)
            .then(|| key_hash.as_bytes().chunks(2).map(|p| Some(digit(p[0])? << 4 | digit(p[1])?)).collect())
            .flatten();
        bytes.map_or_else(|| StoredKey::Text(key_hash.to_string()), StoredKey::Sha256)
    }
}

impl sqlx::Type<Sqlite> for StoredKey {
    fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
        <Vec<u8> as sqlx::Type<Sqlite>>::type_info()
    }
}

impl sqlx::Encode<'_, Sqlite> for StoredKey {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::sqlite::SqliteArgumentsBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        match self {
            StoredKey::Sha256(bytes) => <Vec<u8> as sqlx::Encode<Sqlite>>::encode_by_ref(bytes, buf),
            StoredKey::Text(text) => <String as sqlx::Encode<Sqlite>>::encode_by_ref(text, buf),
        }
    }
}

fn question_index(code: &str) -> usize {
    QUESTION_CODES.iter().position(|c| *c == code).expect("every question has a column (checked by a test)")
}

/// A response's answers as stored: one value per column of [`question_columns!`].
fn answer_values(feedback: &candour_domain::voice::Feedback) -> [Option<i64>; 14] {
    let mut values = [None; 14];
    for answer in &feedback.answers {
        values[question_index(answer.question)] = answer.level.map(|l| i64::from(l.score()));
    }
    values
}

/// The respondent's questions with their answers, from the question columns starting at `at`.
fn answers(row: &SqliteRow, at: usize, respondent: Respondent) -> StoreResult<Vec<(&'static str, Option<u8>)>> {
    respondent
        .questions()
        .iter()
        .map(|q| {
            let score: Option<i64> = get(row, at + question_index(q.code))?;
            let score = score.map(|s| u8::try_from(s).map_err(|e| corrupt("answer", e))).transpose()?;
            Ok((q.code, score))
        })
        .collect()
}

/// Reads a text column with the type's own parser.
fn coded<T, E: std::fmt::Display>(
    row: &SqliteRow,
    i: usize,
    what: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> StoreResult<T> {
    let text: String = get(row, i)?;
    parse(&text).map_err(|e| corrupt(what, e))
}

fn optional_coded<T, E: std::fmt::Display>(
    row: &SqliteRow,
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

fn criticality(row: &SqliteRow, i: usize) -> StoreResult<Option<Criticality>> {
    let level: Option<i64> = get(row, i)?;
    level
        .map(|l| {
            u8::try_from(l)
                .map_err(|e| corrupt("criticality", e))
                .and_then(|l| Criticality::new(l).map_err(|e| corrupt("criticality", e)))
        })
        .transpose()
}

fn level(c: Option<Criticality>) -> Option<i64> {
    c.map(|c| i64::from(c.level()))
}

fn user(row: &SqliteRow, i: usize) -> StoreResult<Option<UserId>> {
    Ok(get::<Option<i64>>(row, i)?.map(UserId))
}

fn location_id(row: &SqliteRow, i: usize) -> StoreResult<LocationId> {
    coded(row, i, "location ID", LocationId::parse)
}

fn provider_id(row: &SqliteRow, i: usize) -> StoreResult<ProviderId> {
    coded(row, i, "provider ID", ProviderId::parse)
}

/// Reads [`record_columns!`]; personal outcomes are loaded separately.
fn record_row(row: &SqliteRow) -> StoreResult<FeedbackRecord> {
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
fn reply_row(row: &SqliteRow) -> StoreResult<Reply> {
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
fn alert_row(row: &SqliteRow) -> StoreResult<Alert> {
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

fn contact_row(row: &SqliteRow) -> StoreResult<SafeguardingContact> {
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

fn push_ids(qb: &mut QueryBuilder<Sqlite>, ids: &[i64]) {
    qb.push("(");
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    qb.push(")");
}

// ---------------------------------------------------------------- shared writes

/// One response's row as [`INSERT_FEEDBACK`] writes it.
pub(crate) struct FeedbackRow<'a> {
    pub id: Option<i64>,
    pub new: &'a NewFeedback,
    pub status: FeedbackStatus,
    pub published_text: Option<&'a str>,
    pub criticality: Option<Criticality>,
    pub moderated_by: Option<UserId>,
    pub moderated_at: Option<DateTime<Utc>>,
}

fn push_feedback(mut b: sqlx::query_builder::Separated<'_, Sqlite, &'static str>, row: FeedbackRow) {
    let new = row.new;
    let f = &new.feedback;
    b.push_bind(row.id)
        .push_bind(new.location_id.as_str().to_string())
        .push_bind(StoredKey::of(&new.key_hash))
        .push_bind(new.reference.clone())
        .push_bind(stamp(new.received_at))
        .push_bind(f.respondent.code())
        .push_bind(f.channel.code())
        .push_bind(f.helper.map(|h| h.code()))
        .push_bind(new.entered_by.map(|u| u.0))
        .push_bind(f.overall.code())
        .push_bind(f.story.clone())
        .push_bind(f.anonymous)
        .push_bind(f.contact.name.clone())
        .push_bind(f.contact.email.clone())
        .push_bind(f.contact.phone.clone())
        .push_bind(level(new.prescreen.suggested))
        .push_bind(to_json(&new.prescreen.words))
        .push_bind(row.status.code())
        .push_bind(row.published_text.map(str::to_string))
        .push_bind(level(row.criticality))
        .push_bind(row.moderated_by.map(|u| u.0))
        .push_bind(row.moderated_at.map(stamp));
    for value in answer_values(f) {
        b.push_bind(value);
    }
}

/// Writes one submission with its personal outcomes, alert and the alert's
/// emails; on a repeated key, returns the first receipt instead.
pub(crate) async fn insert_feedback(conn: &mut SqliteConnection, new: &NewFeedback) -> StoreResult<Receipt> {
    let row = FeedbackRow {
        id: None,
        new,
        status: new.status,
        published_text: None,
        criticality: None,
        moderated_by: None,
        moderated_at: None,
    };
    let mut qb = QueryBuilder::<Sqlite>::new(INSERT_FEEDBACK);
    qb.push_values([row], push_feedback);
    qb.push(" ON CONFLICT (key_hash) DO NOTHING RETURNING id");
    let inserted: Option<i64> = qb
        .build_query_scalar()
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| write_error("a response with this reference already exists", e))?;
    let Some(id) = inserted else { return first_receipt(conn, &new.key_hash).await };
    counts::add(conn, id).await?;
    if new.status == FeedbackStatus::Published {
        counts::count_published(conn, id).await?;
    }
    for (position, text) in new.feedback.personal_outcomes.iter().enumerate() {
        sqlx::query("INSERT INTO personal_outcomes (feedback_id, position, text) VALUES (?, ?, ?)")
            .bind(id)
            .bind(position as i64)
            .bind(text)
            .execute(&mut *conn)
            .await
            .map_err(other)?;
    }
    let alert_id = match &new.alert {
        Some(alert) => Some(insert_alert(conn, id, alert, new.received_at).await?),
        None => None,
    };
    journal::append(conn, Some(new.location_id.as_str()), ChangeKind::Feedback, new.received_at).await?;
    Ok(Receipt { feedback_id: id, reference: new.reference.clone(), duplicate: false, alert_id })
}

/// Appends an entry for the location that `location_of` (a query of one ID) finds.
async fn journal_of(
    conn: &mut SqliteConnection,
    location_of: &'static str,
    id: i64,
    kind: ChangeKind,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let location: Option<String> =
        sqlx::query_scalar(location_of).bind(id).fetch_optional(&mut *conn).await.map_err(other)?;
    journal::append(conn, location.as_deref(), kind, at).await
}

async fn first_receipt(conn: &mut SqliteConnection, key_hash: &str) -> StoreResult<Receipt> {
    let row = sqlx::query(
        "SELECT f.id, f.reference, (SELECT MIN(a.id) FROM alerts a WHERE a.feedback_id = f.id) \
         FROM feedback f WHERE f.key_hash = ?",
    )
    .bind(StoredKey::of(key_hash))
    .fetch_one(conn)
    .await
    .map_err(other)?;
    Ok(Receipt { feedback_id: get(&row, 0)?, reference: get(&row, 1)?, duplicate: true, alert_id: get(&row, 2)? })
}

/// Stores an alert and queues its emails, linked to it.
pub(crate) async fn insert_alert(
    conn: &mut SqliteConnection,
    feedback_id: i64,
    alert: &NewAlert,
    at: DateTime<Utc>,
) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO alerts (feedback_id, level, reason, raised_at) VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(feedback_id)
    .bind(i64::from(alert.level.level()))
    .bind(&alert.reason)
    .bind(stamp(at))
    .fetch_one(&mut *conn)
    .await
    .map_err(other)?;
    for email in &alert.emails {
        queue(conn, email, Some(id)).await?;
    }
    Ok(id)
}

// ---------------------------------------------------------------- shared reads

fn reminder(row: &SqliteRow) -> StoreResult<Reminder> {
    Ok(Reminder {
        email: coded(row, 0, "reminder email", Email::parse)?,
        every_weeks: get(row, 1)?,
        next_due_at: get(row, 2)?,
    })
}

fn due_reminder(row: &SqliteRow) -> StoreResult<DueReminder> {
    Ok(DueReminder {
        email: coded(row, 1, "reminder email", Email::parse)?,
        location_name: get(row, 2)?,
        link: get(row, 3)?,
        stop_token: get(row, 4)?,
        every_weeks: get(row, 5)?,
    })
}

/// The personal outcomes of each response, in the order given, with their progress oldest first.
async fn outcomes_of(conn: &mut SqliteConnection, ids: &[i64]) -> StoreResult<HashMap<i64, Vec<PersonalOutcome>>> {
    let mut outcomes: HashMap<i64, Vec<PersonalOutcome>> = HashMap::new();
    if ids.is_empty() {
        return Ok(outcomes);
    }
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT o.feedback_id, o.id, o.text, p.rated_at, p.progress, o.retired_at FROM personal_outcomes o \
         LEFT JOIN outcome_progress p ON p.outcome_id = o.id WHERE o.feedback_id IN ",
    );
    push_ids(&mut qb, ids);
    qb.push(" ORDER BY o.feedback_id, o.position, p.rated_at, p.rowid");
    for row in qb.build().fetch_all(conn).await.map_err(other)? {
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
    conn: &mut SqliteConnection,
    ids: &[i64],
    published_only: bool,
) -> StoreResult<HashMap<i64, Vec<Reply>>> {
    let mut replies: HashMap<i64, Vec<Reply>> = HashMap::new();
    if ids.is_empty() {
        return Ok(replies);
    }
    let mut qb =
        QueryBuilder::<Sqlite>::new(concat!("SELECT ", reply_columns!(), reply_from!(), " WHERE r.feedback_id IN "));
    push_ids(&mut qb, ids);
    if published_only {
        qb.push(" AND r.status = 'published'");
    }
    qb.push(" ORDER BY r.created_at, r.id");
    for row in qb.build().fetch_all(conn).await.map_err(other)? {
        let reply = reply_row(&row)?;
        replies.entry(reply.feedback_id).or_default().push(reply);
    }
    Ok(replies)
}

async fn records(conn: &mut SqliteConnection, rows: &[SqliteRow]) -> StoreResult<Vec<FeedbackRecord>> {
    let mut records = rows.iter().map(record_row).collect::<StoreResult<Vec<_>>>()?;
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let mut outcomes = outcomes_of(conn, &ids).await?;
    for record in &mut records {
        record.personal_outcomes = outcomes.remove(&record.id).unwrap_or_default();
    }
    Ok(records)
}

async fn load_reply(conn: &mut SqliteConnection, id: i64) -> StoreResult<Reply> {
    let row = sqlx::query(concat!("SELECT ", reply_columns!(), reply_from!(), " WHERE r.id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
    reply_row(&row)
}

async fn with_deliveries(conn: &mut SqliteConnection, mut alerts: Vec<Alert>) -> StoreResult<Vec<Alert>> {
    if alerts.is_empty() {
        return Ok(alerts);
    }
    let ids: Vec<i64> = alerts.iter().map(|a| a.id).collect();
    let mut qb = QueryBuilder::<Sqlite>::new(concat!("SELECT ", outbox_columns!(), " FROM outbox WHERE alert_id IN "));
    push_ids(&mut qb, &ids);
    qb.push(" ORDER BY id");
    let mut deliveries: HashMap<i64, Vec<OutboxEntry>> = HashMap::new();
    for row in qb.build().fetch_all(&mut *conn).await.map_err(other)? {
        let entry = outbox_row(&row)?;
        deliveries.entry(entry.alert_id.unwrap_or_default()).or_default().push(entry);
    }
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT alert_id, step, escalated_at, reason, sent_to FROM alert_escalations WHERE alert_id IN ",
    );
    push_ids(&mut qb, &ids);
    qb.push(" ORDER BY alert_id, step");
    let mut escalations: HashMap<i64, Vec<AlertEscalation>> = HashMap::new();
    for row in qb.build().fetch_all(&mut *conn).await.map_err(other)? {
        let sent_to: String = get(&row, 4)?;
        let step: i64 = get(&row, 1)?;
        escalations.entry(get(&row, 0)?).or_default().push(AlertEscalation {
            step: step as u32,
            at: get(&row, 2)?,
            reason: get(&row, 3)?,
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
    kept.split(", ").filter(|e| !e.is_empty()).map(|e| Email::parse(e).map_err(|err| corrupt("email", err))).collect()
}

/// A location's published stories, newest first, each with its replies.
async fn stories(
    store: &SqliteStore,
    location: &LocationId,
    page: u32,
    per_page: u32,
    public: bool,
) -> StoreResult<Page<PublishedStory>> {
    let offset = check_page(page, per_page)?;
    let mut conn = store.reader.acquire().await.map_err(other)?;
    // `+f.status` keeps SQLite off the index of statuses (millions of published
    // rows) and on the location's own responses. The public sees the stories of
    // the latest snapshot; the provider, every published one, to answer it.
    let shown = if public {
        concat!(
            " FROM feedback f WHERE f.location_id = ? AND +f.status = 'published' AND f.published_text <> ''",
            " AND ",
            counted_by_snapshot!()
        )
    } else {
        " FROM feedback f WHERE f.location_id = ? AND +f.status = 'published' AND f.published_text <> ''"
    };
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*){shown}")))
        .bind(location.as_str())
        .fetch_one(&mut *conn)
        .await
        .map_err(other)?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT f.id, f.received_at, f.respondent, f.overall, f.published_text, \
         COALESCE(f.moderated_at, f.received_at){shown} ORDER BY f.received_at DESC, f.id DESC LIMIT ? OFFSET ?"
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
fn story(row: &SqliteRow, replies: &mut HashMap<i64, Vec<Reply>>) -> StoreResult<PublishedStory> {
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
    store: &SqliteStore,
    locations: &[LocationId],
    limit: u32,
) -> StoreResult<Vec<(LocationId, PublishedStory)>> {
    if locations.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = store.reader.acquire().await.map_err(other)?;
    let mut q = QueryBuilder::<Sqlite>::new(
        "SELECT f.id, f.received_at, f.respondent, f.overall, f.published_text, \
         COALESCE(f.moderated_at, f.received_at), f.location_id FROM feedback f WHERE f.location_id IN (",
    );
    let mut list = q.separated(", ");
    for l in locations {
        list.push_bind(l.as_str().to_string());
    }
    q.push(concat!(") AND +f.status = 'published' AND f.published_text <> '' AND ", counted_by_snapshot!()));
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
async fn not_pending(conn: &mut SqliteConnection, table_sql: &'static str, id: i64, conflict: &str) -> StoreError {
    match sqlx::query_scalar::<_, i64>(table_sql).bind(id).fetch_optional(conn).await {
        Ok(Some(_)) => StoreError::Conflict(conflict.to_string()),
        Ok(None) => StoreError::NotFound,
        Err(e) => other(e),
    }
}

// ---------------------------------------------------------------- the trait

#[async_trait]
impl VoiceStore for SqliteStore {
    async fn submit_feedback(&self, new: &NewFeedback) -> StoreResult<Receipt> {
        self.submissions.submit(new).await
    }

    async fn own_feedback(&self, key_hash: &str) -> StoreResult<OwnFeedback> {
        let mut conn = self.reader.acquire().await.map_err(other)?;
        let row = sqlx::query(
            "SELECT f.id, f.reference, f.location_id, l.name, f.received_at, f.status, f.story, f.published_text \
             FROM feedback f JOIN locations l ON l.id = f.location_id WHERE f.key_hash = ?",
        )
        .bind(StoredKey::of(key_hash))
        .fetch_optional(&mut *conn)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
        let id: i64 = get(&row, 0)?;
        let personal_outcomes = outcomes_of(&mut conn, &[id]).await?.remove(&id).unwrap_or_default();
        let replies = replies_to(&mut conn, &[id], true).await?.remove(&id).unwrap_or_default();
        let reminder =
            sqlx::query("SELECT email, every_weeks, next_due_at FROM outcome_reminders WHERE feedback_id = ?")
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
             SELECT id, ?, ?, ?, ?, ?, ? FROM feedback WHERE key_hash = ? \
             ON CONFLICT (feedback_id) DO UPDATE SET email = excluded.email, every_weeks = excluded.every_weeks, \
                 next_due_at = excluded.next_due_at, link = excluded.link, stop_token = excluded.stop_token",
        )
        .bind(r.email.as_str())
        .bind(r.every_weeks)
        .bind(stamp(r.next_due_at))
        .bind(&new.link)
        .bind(&new.stop_token)
        .bind(stamp(new.at))
        .bind(StoredKey::of(key_hash))
        .execute(&self.writer)
        .await
        .map_err(other)?;
        if set.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn stop_reminder(&self, which: StopReminder<'_>) -> StoreResult<bool> {
        let stopped = match which {
            StopReminder::Key(key_hash) => sqlx::query(
                "DELETE FROM outcome_reminders WHERE feedback_id = (SELECT id FROM feedback WHERE key_hash = ?)",
            )
            .bind(StoredKey::of(key_hash)),
            StopReminder::Token(token) => {
                sqlx::query("DELETE FROM outcome_reminders WHERE stop_token = ?").bind(token.to_string())
            }
        };
        Ok(stopped.execute(&self.writer).await.map_err(other)?.rows_affected() > 0)
    }

    async fn queue_due_reminders(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        compose: &(dyn for<'r> Fn(&'r DueReminder) -> OutgoingEmail + Sync),
    ) -> StoreResult<u32> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        let due = sqlx::query(
            "SELECT r.feedback_id, r.email, l.name, r.link, r.stop_token, r.every_weeks FROM outcome_reminders r \
             JOIN feedback f ON f.id = r.feedback_id JOIN locations l ON l.id = f.location_id \
             WHERE r.next_due_at <= ? ORDER BY r.next_due_at LIMIT ?",
        )
        .bind(stamp(now))
        .bind(limit)
        .fetch_all(&mut *tx)
        .await
        .map_err(other)?;
        for row in &due {
            let reminder = due_reminder(row)?;
            queue(&mut tx, &compose(&reminder), None).await?;
            let next = now + chrono::Duration::weeks(i64::from(reminder.every_weeks));
            sqlx::query("UPDATE outcome_reminders SET next_due_at = ? WHERE feedback_id = ?")
                .bind(stamp(next))
                .bind(get::<i64>(row, 0)?)
                .execute(&mut *tx)
                .await
                .map_err(other)?;
        }
        tx.commit().await.map_err(other)?;
        Ok(due.len() as u32)
    }

    async fn add_outcome(&self, key_hash: &str, text: &str) -> StoreResult<i64> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        let found = sqlx::query(
            "SELECT f.id, (SELECT COUNT(*) FROM personal_outcomes o \
                 WHERE o.feedback_id = f.id AND o.retired_at IS NULL), \
                 (SELECT COALESCE(MAX(o.position), -1) + 1 FROM personal_outcomes o WHERE o.feedback_id = f.id) \
             FROM feedback f WHERE f.key_hash = ?",
        )
        .bind(StoredKey::of(key_hash))
        .fetch_optional(&mut *tx)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
        let (feedback_id, tracked, position): (i64, i64, i64) = (get(&found, 0)?, get(&found, 1)?, get(&found, 2)?);
        if tracked >= MAX_PERSONAL_OUTCOMES as i64 {
            return Err(StoreError::Conflict(format!("no more than {MAX_PERSONAL_OUTCOMES} outcomes at once")));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO personal_outcomes (feedback_id, position, text) VALUES (?, ?, ?) RETURNING id",
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
        let mut tx = self.writer.begin().await.map_err(other)?;
        let retired = sqlx::query(
            "UPDATE personal_outcomes SET retired_at = ? WHERE id = ? AND retired_at IS NULL \
             AND feedback_id = (SELECT id FROM feedback WHERE key_hash = ?)",
        )
        .bind(stamp(at))
        .bind(outcome_id)
        .bind(StoredKey::of(key_hash))
        .execute(&mut *tx)
        .await
        .map_err(other)?;
        if retired.rows_affected() == 0 {
            let mine = "SELECT o.id FROM personal_outcomes o JOIN feedback f ON f.id = o.feedback_id \
                 WHERE o.id = ? AND f.key_hash = ?";
            let exists: Option<i64> = sqlx::query_scalar(mine)
                .bind(outcome_id)
                .bind(StoredKey::of(key_hash))
                .fetch_optional(&mut *tx)
                .await
                .map_err(other)?;
            return Err(match exists {
                Some(_) => StoreError::Conflict("this outcome is no longer tracked".into()),
                None => StoreError::NotFound,
            });
        }
        tx.commit().await.map_err(other)
    }

    async fn rate_progress(
        &self,
        key_hash: &str,
        outcome_id: i64,
        progress: Progress,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        let outcome = sqlx::query(
            "SELECT (SELECT MAX(p.rated_at) FROM outcome_progress p WHERE p.outcome_id = o.id AND p.counted), \
                 o.retired_at IS NOT NULL \
             FROM personal_outcomes o JOIN feedback f ON f.id = o.feedback_id WHERE o.id = ? AND f.key_hash = ?",
        )
        .bind(outcome_id)
        .bind(StoredKey::of(key_hash))
        .fetch_optional(&mut *tx)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
        if get::<bool>(&outcome, 1)? {
            return Err(StoreError::Conflict("this outcome is no longer tracked".into()));
        }
        let counted = progress_counts(get(&outcome, 0)?, at);
        let rowid: i64 = sqlx::query_scalar(
            "INSERT INTO outcome_progress (outcome_id, rated_at, progress, counted) VALUES (?, ?, ?, ?) RETURNING rowid",
        )
        .bind(outcome_id)
        .bind(stamp(at))
        .bind(progress.code())
        .bind(counted)
        .fetch_one(&mut *tx)
        .await
        .map_err(other)?;
        if counted {
            counts::add_progress(&mut tx, rowid).await?;
        }
        let of = "SELECT f.location_id FROM personal_outcomes o JOIN feedback f ON f.id = o.feedback_id WHERE o.id = ?";
        journal_of(&mut tx, of, outcome_id, ChangeKind::Feedback, at).await?;
        tx.commit().await.map_err(other)
    }

    async fn review_burst(&self, review: &BurstReview) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        let written = sqlx::query(
            "INSERT INTO people_burst_reviews (location_id, month, counted, reviewed_by, reviewed_at) \
             SELECT id, ?, ?, ?, ? FROM locations WHERE id = ? \
             ON CONFLICT (location_id, month) DO UPDATE SET counted = excluded.counted, \
                 reviewed_by = excluded.reviewed_by, reviewed_at = excluded.reviewed_at",
        )
        .bind(review.month.to_string())
        .bind(review.counted)
        .bind(review.by.0)
        .bind(stamp(review.at))
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
        // Pending responses are few, and sorted as read; the others are listed
        // latest recorded first, in the order of the index of statuses.
        let order = match query.status {
            FeedbackStatus::Pending => "f.prescreen_level DESC, f.received_at, f.id",
            FeedbackStatus::Published | FeedbackStatus::Rejected => "f.id DESC",
        };
        let mut conn = self.reader.acquire().await.map_err(other)?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM feedback WHERE status = ?")
            .bind(query.status.code())
            .fetch_one(&mut *conn)
            .await
            .map_err(other)?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            concat!(
                "SELECT ",
                record_columns!(),
                " FROM feedback f JOIN locations l ON l.id = f.location_id WHERE f.status = ? ORDER BY {} LIMIT ? OFFSET ?"
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
        let mut conn = self.reader.acquire().await.map_err(other)?;
        let row = sqlx::query(concat!(
            "SELECT ",
            record_columns!(),
            " FROM feedback f JOIN locations l ON l.id = f.location_id WHERE f.id = ?"
        ))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
        records(&mut conn, &[row]).await?.pop().ok_or(StoreError::NotFound)
    }

    async fn feedback_by_reference(&self, reference: &str) -> StoreResult<FeedbackRecord> {
        let id: i64 = sqlx::query_scalar("SELECT id FROM feedback WHERE reference = ?")
            .bind(reference)
            .fetch_optional(&self.reader)
            .await
            .map_err(other)?
            .ok_or(StoreError::NotFound)?;
        self.feedback_record(id).await
    }

    async fn moderate(&self, id: i64, moderation: &Moderation) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        let (status, text, reason) = match &moderation.decision {
            ModerationDecision::Publish { text } => (FeedbackStatus::Published, Some(text.as_str()), None),
            ModerationDecision::Reject { reason } => (FeedbackStatus::Rejected, None, Some(reason.as_str())),
        };
        // Its old contribution goes before the change and the new one comes after (a
        // refusal below takes this back with the transaction).
        counts::take_away(&mut tx, id).await?;
        let changed = sqlx::query(
            "UPDATE feedback SET status = ?, published_text = ?, reject_reason = ?, criticality = ?, \
             moderated_by = ?, moderated_at = ? WHERE id = ? AND status = 'pending'",
        )
        .bind(status.code())
        .bind(text)
        .bind(reason)
        .bind(i64::from(moderation.criticality.level()))
        .bind(moderation.by.0)
        .bind(stamp(moderation.at))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| write_error("this response cannot be moderated", e))?;
        if changed.rows_affected() == 0 {
            let exists = "SELECT id FROM feedback WHERE id = ?";
            return Err(not_pending(&mut tx, exists, id, "this response has already been moderated").await);
        }
        counts::add(&mut tx, id).await?;
        if status == FeedbackStatus::Published {
            counts::count_published(&mut tx, id).await?;
        }
        if let Some(alert) = &moderation.alert {
            insert_alert(&mut tx, id, alert, moderation.at).await?;
        }
        let of = "SELECT location_id FROM feedback WHERE id = ?";
        journal_of(&mut tx, of, id, ChangeKind::Moderation, moderation.at).await?;
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
                 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (scope_kind, scope_id) DO UPDATE SET \
                 name = excluded.name, email = excluded.email, updated_by = excluded.updated_by, \
                 updated_at = excluded.updated_at",
            )
            .bind(kind)
            .bind(id)
            .bind(name)
            .bind(email.as_str())
            .bind(by.map(|u| u.0))
            .bind(stamp(at)),
            None => sqlx::query("DELETE FROM safeguarding_contacts WHERE scope_kind = ? AND scope_id = ?")
                .bind(kind)
                .bind(id),
        };
        statement.execute(&self.writer).await.map(drop).map_err(|e| write_error("this contact cannot be saved", e))
    }

    async fn safeguarding_contact(&self, scope: &ContactScope) -> StoreResult<Option<SafeguardingContact>> {
        let (kind, id) = contact_scope_parts(scope);
        sqlx::query(
            "SELECT scope_kind, scope_id, name, email, updated_by, updated_at FROM safeguarding_contacts \
             WHERE scope_kind = ? AND scope_id = ?",
        )
        .bind(kind)
        .bind(id)
        .fetch_optional(&self.reader)
        .await
        .map_err(other)?
        .as_ref()
        .map(contact_row)
        .transpose()
    }

    async fn safeguarding_contacts_for(&self, location: &LocationId) -> StoreResult<Vec<SafeguardingContact>> {
        let mut conn = self.reader.acquire().await.map_err(other)?;
        let (provider, local_authority): (String, Option<String>) =
            sqlx::query_as("SELECT provider_id, local_authority FROM locations WHERE id = ?")
                .bind(location.as_str())
                .fetch_optional(&mut *conn)
                .await
                .map_err(other)?
                .ok_or(StoreError::NotFound)?;
        sqlx::query(
            "SELECT scope_kind, scope_id, name, email, updated_by, updated_at FROM safeguarding_contacts \
             WHERE (scope_kind = 'provider' AND scope_id = ?) OR (scope_kind = 'local_authority' AND scope_id = ?) \
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
        let mut qb = QueryBuilder::<Sqlite>::new(concat!("SELECT ", alert_columns!(), " WHERE 1 = 1"));
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
                qb.push(" AND f.location_id IN (");
                let mut list = qb.separated(", ");
                for id in ids {
                    list.push_bind(id.as_str().to_string());
                }
                qb.push(")");
            }
            AlertScope::LocalAuthorities(names) => {
                qb.push(" AND l.local_authority COLLATE NOCASE IN (");
                let mut list = qb.separated(", ");
                for name in names {
                    list.push_bind(name.clone());
                }
                qb.push(")");
            }
        }
        // Open ones first, oldest first: they are waiting for someone to act.
        qb.push(
            " ORDER BY a.acknowledged_at IS NOT NULL, \
             CASE WHEN a.acknowledged_at IS NULL THEN a.raised_at END, a.raised_at DESC, a.id LIMIT ",
        )
        .push_bind(i64::from(limit));
        let mut conn = self.reader.acquire().await.map_err(other)?;
        let alerts =
            qb.build().fetch_all(&mut *conn).await.map_err(other)?.iter().map(alert_row).collect::<StoreResult<_>>()?;
        with_deliveries(&mut conn, alerts).await
    }

    async fn alert(&self, id: i64) -> StoreResult<Alert> {
        let mut conn = self.reader.acquire().await.map_err(other)?;
        let row = sqlx::query(concat!("SELECT ", alert_columns!(), " WHERE a.id = ?"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(other)?
            .ok_or(StoreError::NotFound)?;
        with_deliveries(&mut conn, vec![alert_row(&row)?]).await?.pop().ok_or(StoreError::NotFound)
    }

    async fn acknowledge_alert(&self, id: i64, by: UserId, note: &str, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        let changed = sqlx::query(
            "UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ?, acknowledgement = ? \
             WHERE id = ? AND acknowledged_at IS NULL",
        )
        .bind(by.0)
        .bind(stamp(at))
        .bind(note)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| write_error("this alert cannot be acknowledged", e))?;
        if changed.rows_affected() == 0 {
            let exists = "SELECT id FROM alerts WHERE id = ?";
            return Err(not_pending(&mut tx, exists, id, "this alert has already been acknowledged").await);
        }
        tx.commit().await.map_err(other)
    }

    async fn escalate_alert(
        &self,
        alert: i64,
        step: u32,
        reason: &str,
        emails: &[OutgoingEmail],
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        let state: Option<(Option<String>, i64)> = sqlx::query_as(
            "SELECT a.acknowledged_at, (SELECT COUNT(*) FROM alert_escalations e WHERE e.alert_id = a.id) \
             FROM alerts a WHERE a.id = ?",
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
            "INSERT INTO alert_escalations (alert_id, step, escalated_at, reason, sent_to) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT DO NOTHING",
        )
        .bind(alert)
        .bind(i64::from(step))
        .bind(stamp(at))
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
        let mut tx = self.writer.begin().await.map_err(other)?;
        let status: String = sqlx::query_scalar("SELECT status FROM feedback WHERE id = ?")
            .bind(reply.feedback_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(other)?
            .ok_or(StoreError::NotFound)?;
        if status != FeedbackStatus::Published.code() {
            return Err(StoreError::Conflict("only published stories can be answered".into()));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO replies (feedback_id, author, text, change, change_what, created_at, status) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(reply.feedback_id)
        .bind(reply.author.0)
        .bind(&reply.text)
        .bind(reply.change.code())
        .bind(&reply.change_what)
        .bind(stamp(reply.at))
        .bind(reply.status.code())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| write_error("this reply cannot be added", e))?;
        let added = load_reply(&mut tx, id).await?;
        let of = "SELECT location_id FROM feedback WHERE id = ?";
        journal_of(&mut tx, of, reply.feedback_id, ChangeKind::Reply, reply.at).await?;
        tx.commit().await.map_err(other)?;
        Ok(added)
    }

    async fn published_reply_count(&self, author: UserId) -> StoreResult<u32> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM replies WHERE author = ? AND status = 'published'")
            .bind(author.0)
            .fetch_one(&self.reader)
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
            " WHERE r.status = 'pending' ORDER BY r.created_at, r.id LIMIT ?"
        ))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
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
            " WHERE r.status = 'published' AND COALESCE(r.checked_at, r.created_at) >= ? ORDER BY r.created_at, r.id"
        ))
        .bind(stamp(since))
        .fetch_all(&self.reader)
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
        let mut tx = self.writer.begin().await.map_err(other)?;
        let changed = sqlx::query(
            "UPDATE replies SET status = ?, reject_reason = ?, checked_by = ?, checked_at = ? \
             WHERE id = ? AND status = 'pending'",
        )
        .bind(status.code())
        .bind(reject_reason)
        .bind(by.0)
        .bind(stamp(at))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| write_error("this reply cannot be checked", e))?;
        if changed.rows_affected() == 0 {
            let exists = "SELECT id FROM replies WHERE id = ?";
            return Err(not_pending(&mut tx, exists, id, "this reply has already been checked").await);
        }
        let of = "SELECT f.location_id FROM replies r JOIN feedback f ON f.id = r.feedback_id WHERE r.id = ?";
        journal_of(&mut tx, of, id, ChangeKind::Reply, at).await?;
        tx.commit().await.map_err(other)
    }

    async fn replies_of(&self, location: &LocationId) -> StoreResult<Vec<Reply>> {
        sqlx::query(concat!(
            "SELECT ",
            reply_columns!(),
            reply_from!(),
            " WHERE f.location_id = ? ORDER BY r.created_at DESC, r.id DESC"
        ))
        .bind(location.as_str())
        .fetch_all(&self.reader)
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
        let mut conn = self.reader.acquire().await.map_err(other)?;
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
            " FROM feedback f WHERE f.location_id = ? AND f.received_at >= ? AND +f.status = 'published' AND ",
            counted_by_snapshot!(),
            " ORDER BY f.received_at, f.id"
        ))
        .bind(location.as_str())
        .bind(stamp(since))
        .fetch_all(&mut *conn)
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
                let change: Option<i64> = get(row, 8)?;
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
        // The latest rating of each outcome (ties to the one recorded last).
        let progress = sqlx::query(concat!(
            "SELECT p.progress FROM feedback f JOIN personal_outcomes o ON o.feedback_id = f.id \
             JOIN outcome_progress p ON p.rowid = (SELECT q.rowid FROM outcome_progress q \
                 WHERE q.outcome_id = o.id AND ",
            recorded_by_snapshot!("q.rated_at"),
            " ORDER BY q.rated_at DESC, q.rowid DESC LIMIT 1) \
             WHERE f.location_id = ? AND f.received_at >= ? AND +f.status = 'published' AND ",
            counted_by_snapshot!(),
            " ORDER BY o.id"
        ))
        .bind(location.as_str())
        .bind(stamp(since))
        .fetch_all(&mut *conn)
        .await
        .map_err(other)?;
        facts.outcome_progress =
            progress.iter().map(|row| coded(row, 0, "progress", Progress::parse)).collect::<StoreResult<_>>()?;
        Ok(facts)
    }

    async fn load_historic_feedback(&self, batch: &[HistoricFeedback]) -> StoreResult<()> {
        historic::load(&self.writer, batch).await
    }

    async fn voice_snapshot(&self, location: &LocationId) -> StoreResult<Option<DateTime<Utc>>> {
        let mut conn = self.reader.acquire().await.map_err(other)?;
        sqlx::query_scalar("SELECT taken_at FROM voice_snapshots WHERE location_id = ?")
            .bind(location.as_str())
            .fetch_optional(&mut *conn)
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
        let mut conn = self.writer.acquire().await.map_err(other)?;
        let done = sqlx::query(
            "INSERT INTO voice_snapshots (location_id, taken_at, counted) \
             SELECT c.location_id, ?1, c.counted FROM voice_counted c \
             LEFT JOIN voice_snapshots s ON s.location_id = c.location_id \
             WHERE c.counted - IFNULL(s.counted, 0) >= ?2 AND (s.taken_at IS NULL OR s.taken_at <= ?3) \
             ON CONFLICT (location_id) DO UPDATE SET taken_at = excluded.taken_at, counted = excluded.counted",
        )
        .bind(stamp(taken_at))
        .bind(i64::from(min_new))
        .bind(stamp(taken_before))
        .execute(&mut *conn)
        .await
        .map_err(other)?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use candour_domain::voice::{OUTCOME_QUESTIONS, PARTNER_QUESTIONS, STAFF_QUESTIONS};

    use super::{QUESTION_CODES, StoredKey};

    #[test]
    fn hex_key_hashes_are_kept_as_bytes_and_others_as_text() {
        let hex = "00ff".repeat(16);
        assert!(matches!(StoredKey::of(&hex), StoredKey::Sha256(b) if b == [0, 255].repeat(16)));
        for other in [hex.to_uppercase(), format!("{}g", &hex[1..]), hex[2..].to_string(), "hash-a".to_string()] {
            assert!(matches!(StoredKey::of(&other), StoredKey::Text(t) if t == other), "{other}");
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
