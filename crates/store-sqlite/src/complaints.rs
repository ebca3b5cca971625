//! Concerns and complaints: a complaint and its emails are written in one
//! transaction; a step is read, checked by the domain's rules and written in
//! one transaction on the single writer, so two steps cannot race past a check.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use candour_domain::complaints::{
    ComplaintContact, ComplaintPolicy, ComplaintStatus, ComplaintStep, Deadlines, EscalatedTo, Outcome, ReceivedBy,
    Relationship,
};
use candour_domain::voice::Criticality;
use candour_domain::{Email, LocationId, ProviderId, UserId};
use candour_store::*;

use crate::codec::{corrupt, get, stamp};
use crate::{SqliteStore, other};

/// The columns [`record`] reads, in its order.
const COLUMNS: &str = "c.id, c.location_id, l.name, l.provider_id, l.local_authority, c.reference, c.status, \
     c.channel, c.relationship, c.received_on, c.what_happened, c.desired_outcome, c.contact_name, c.contact_email, \
     c.contact_phone, c.acknowledge_within, c.respond_within, c.acknowledge_by, c.respond_by, c.agreed_response_by, \
     c.acknowledged_on, c.investigating_on, c.response_sent_on, c.response, c.closed_on, c.outcome, c.learned, \
     c.alert_level, c.alert_reason, c.logged_by, c.created_at";

const FROM: &str = " FROM complaints c JOIN locations l ON l.id = c.location_id";

fn coded<T>(
    row: &SqliteRow,
    i: usize,
    what: &str,
    parse: impl Fn(&str) -> Result<T, candour_domain::ParseError>,
) -> StoreResult<T> {
    let text: String = get(row, i)?;
    parse(&text).map_err(|e| corrupt(what, e))
}

fn optional_coded<T>(
    row: &SqliteRow,
    i: usize,
    what: &str,
    parse: impl Fn(&str) -> Result<T, candour_domain::ParseError>,
) -> StoreResult<Option<T>> {
    let text: Option<String> = get(row, i)?;
    text.map(|t| parse(&t).map_err(|e| corrupt(what, e))).transpose()
}

/// A complaint's own columns; its escalations and timeline are added by [`complete`].
fn record(row: &SqliteRow) -> StoreResult<ComplaintRecord> {
    let alert = match get::<Option<i64>>(row, 27)? {
        Some(level) => {
            let level = u8::try_from(level).map_err(|e| corrupt("alert level", e))?;
            Some(ComplaintAlert {
                level: Criticality::new(level).map_err(|e| corrupt("alert level", e))?,
                reason: get::<Option<String>>(row, 28)?.unwrap_or_default(),
            })
        }
        None => None,
    };
    Ok(ComplaintRecord {
        id: get(row, 0)?,
        location_id: coded(row, 1, "location ID", LocationId::parse)?,
        location_name: get(row, 2)?,
        provider_id: coded(row, 3, "provider ID", ProviderId::parse)?,
        local_authority: get(row, 4)?,
        reference: get(row, 5)?,
        status: coded(row, 6, "complaint status", ComplaintStatus::parse)?,
        channel: coded(row, 7, "channel", ReceivedBy::parse)?,
        relationship: coded(row, 8, "relationship", Relationship::parse)?,
        received_on: get(row, 9)?,
        what_happened: get(row, 10)?,
        desired_outcome: get(row, 11)?,
        contact: ComplaintContact {
            name: get(row, 12)?,
            email: optional_coded(row, 13, "email", Email::parse)?,
            phone: get(row, 14)?,
        },
        policy: ComplaintPolicy { acknowledge_within: get(row, 15)?, respond_within: get(row, 16)? },
        deadlines: Deadlines { acknowledge_by: get(row, 17)?, respond_by: get(row, 18)? },
        agreed_response_by: get(row, 19)?,
        acknowledged_on: get(row, 20)?,
        investigating_on: get(row, 21)?,
        response_sent_on: get(row, 22)?,
        response: get(row, 23)?,
        closed_on: get(row, 24)?,
        outcome: optional_coded(row, 25, "outcome", Outcome::parse)?,
        learned: get(row, 26)?,
        escalations: Vec::new(),
        alert,
        logged_by: get::<Option<i64>>(row, 29)?.map(UserId),
        created_at: get(row, 30)?,
        timeline: Vec::new(),
    })
}

/// Adds each complaint's escalations and timeline, two queries for them all.
async fn complete(conn: &mut SqliteConnection, records: &mut [ComplaintRecord]) -> StoreResult<()> {
    if records.is_empty() {
        return Ok(());
    }
    let owners: Vec<i64> = records.iter().map(|r| r.id).collect();
    let ids = |sql: &'static str| {
        let mut q = QueryBuilder::<Sqlite>::new(sql);
        q.push(" WHERE complaint_id IN (");
        let mut list = q.separated(", ");
        for id in &owners {
            list.push_bind(*id);
        }
        q.push(") ORDER BY id");
        q
    };
    let rows = ids("SELECT complaint_id, id, escalated_to, escalated_on, reference, result, result_on \
         FROM complaint_escalations")
    .build()
    .fetch_all(&mut *conn)
    .await
    .map_err(other)?;
    for row in &rows {
        let owner: i64 = get(row, 0)?;
        let escalation = Escalation {
            id: get(row, 1)?,
            to: coded(row, 2, "escalation", EscalatedTo::parse)?,
            on: get(row, 3)?,
            reference: get(row, 4)?,
            result: get(row, 5)?,
            result_on: get(row, 6)?,
        };
        if let Some(r) = records.iter_mut().find(|r| r.id == owner) {
            r.escalations.push(escalation);
        }
    }
    let rows = ids("SELECT complaint_id, step, on_date, by_user, at, detail FROM complaint_events")
        .build()
        .fetch_all(&mut *conn)
        .await
        .map_err(other)?;
    for row in &rows {
        let owner: i64 = get(row, 0)?;
        let event = ComplaintEvent {
            step: get(row, 1)?,
            on: get(row, 2)?,
            by: get::<Option<i64>>(row, 3)?.map(UserId),
            at: get(row, 4)?,
            detail: get(row, 5)?,
        };
        if let Some(r) = records.iter_mut().find(|r| r.id == owner) {
            r.timeline.push(event);
        }
    }
    Ok(())
}

/// The complaint `filter` (a column compared with `?`, ours alone) finds, in full.
async fn one(conn: &mut SqliteConnection, filter: &'static str, value: Key<'_>) -> StoreResult<ComplaintRecord> {
    let sql = format!("SELECT {COLUMNS}{FROM} WHERE {filter} = ?");
    let query = sqlx::query(sqlx::AssertSqlSafe(sql));
    let query = match value {
        Key::Id(id) => query.bind(id),
        Key::Text(text) => query.bind(text.to_string()),
    };
    let row = query.fetch_optional(&mut *conn).await.map_err(other)?;
    let mut records = vec![record(&row.ok_or(StoreError::NotFound)?)?];
    complete(conn, &mut records).await?;
    Ok(records.remove(0))
}

enum Key<'a> {
    Id(i64),
    Text(&'a str),
}

async fn by_id(conn: &mut SqliteConnection, id: i64) -> StoreResult<ComplaintRecord> {
    one(conn, "c.id", Key::Id(id)).await
}

async fn event(
    conn: &mut SqliteConnection,
    id: i64,
    step: &str,
    on: NaiveDate,
    by: Option<UserId>,
    at: DateTime<Utc>,
    detail: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO complaint_events (complaint_id, step, on_date, by_user, at, detail) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(step)
    .bind(on)
    .bind(by.map(|u| u.0))
    .bind(stamp(at))
    .bind(detail)
    .execute(conn)
    .await
    .map(drop)
    .map_err(other)
}

/// What a step records in the timeline, in words.
fn detail(step: &ComplaintStep) -> String {
    match step {
        ComplaintStep::AgreeResponseDate { by } => format!("Response due by {}", by.format("%-d %B %Y")),
        ComplaintStep::Close { outcome, .. } => outcome.label().to_string(),
        ComplaintStep::Escalate { to, reference, .. } if reference.is_empty() => to.label().to_string(),
        ComplaintStep::Escalate { to, reference, .. } => format!("{} (reference {reference})", to.label()),
        ComplaintStep::EscalationResult { result, .. } => result.clone(),
        _ => String::new(),
    }
}

/// The day a step records.
fn day(step: &ComplaintStep, at: DateTime<Utc>) -> NaiveDate {
    match step {
        ComplaintStep::Acknowledge { on }
        | ComplaintStep::Investigate { on }
        | ComplaintStep::SendResponse { on, .. }
        | ComplaintStep::Close { on, .. }
        | ComplaintStep::Escalate { on, .. }
        | ComplaintStep::EscalationResult { on, .. } => *on,
        ComplaintStep::AgreeResponseDate { .. } => at.date_naive(),
    }
}

async fn write_step(
    conn: &mut SqliteConnection,
    id: i64,
    step: &ComplaintStep,
    to: ComplaintStatus,
) -> StoreResult<()> {
    let query = match step {
        ComplaintStep::Acknowledge { on } => {
            sqlx::query("UPDATE complaints SET status = ?, acknowledged_on = ? WHERE id = ?").bind(to.code()).bind(*on)
        }
        ComplaintStep::Investigate { on } => {
            sqlx::query("UPDATE complaints SET status = ?, investigating_on = ? WHERE id = ?").bind(to.code()).bind(*on)
        }
        ComplaintStep::SendResponse { on, response } => {
            sqlx::query("UPDATE complaints SET status = ?, response_sent_on = ?, response = ? WHERE id = ?")
                .bind(to.code())
                .bind(*on)
                .bind(response.clone())
        }
        ComplaintStep::Close { on, outcome, learned } => {
            sqlx::query("UPDATE complaints SET status = ?, closed_on = ?, outcome = ?, learned = ? WHERE id = ?")
                .bind(to.code())
                .bind(*on)
                .bind(outcome.code())
                .bind(learned.clone())
        }
        // The agreed date replaces the policy's: the domain's deadlines with it.
        ComplaintStep::AgreeResponseDate { by } => {
            sqlx::query("UPDATE complaints SET agreed_response_by = ?, respond_by = ? WHERE id = ?").bind(*by).bind(*by)
        }
        ComplaintStep::Escalate { to, on, reference } => sqlx::query(
            "INSERT INTO complaint_escalations (escalated_to, escalated_on, reference, complaint_id) VALUES (?, ?, ?, ?)",
        )
        .bind(to.code())
        .bind(*on)
        .bind(reference.clone()),
        ComplaintStep::EscalationResult { escalation, on, result } => {
            sqlx::query("UPDATE complaint_escalations SET result = ?, result_on = ? WHERE id = ? AND complaint_id = ?")
                .bind(result.clone())
                .bind(*on)
                .bind(*escalation)
        }
    };
    query.bind(id).execute(conn).await.map(drop).map_err(other)
}

#[async_trait]
impl ComplaintStore for SqliteStore {
    async fn add_complaint(&self, new: &NewComplaint) -> StoreResult<ComplaintReceipt> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        let kept: Option<(i64, String)> = sqlx::query_as("SELECT id, reference FROM complaints WHERE follow_hash = ?")
            .bind(&new.follow_hash)
            .fetch_optional(&mut *tx)
            .await
            .map_err(other)?;
        if let Some((id, reference)) = kept {
            return Ok(ComplaintReceipt { id, reference, duplicate: true });
        }
        let d = &new.details;
        let inserted = sqlx::query_scalar::<_, i64>(
            "INSERT INTO complaints (location_id, reference, follow_hash, status, channel, relationship, received_on, \
             what_happened, desired_outcome, contact_name, contact_email, contact_phone, acknowledge_within, \
             respond_within, acknowledge_by, respond_by, alert_level, alert_reason, logged_by, created_at) \
             VALUES (?, ?, ?, 'received', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(new.location_id.as_str())
        .bind(&new.reference)
        .bind(&new.follow_hash)
        .bind(d.channel.code())
        .bind(d.relationship.code())
        .bind(d.received_on)
        .bind(&d.what_happened)
        .bind(&d.desired_outcome)
        .bind(&d.contact.name)
        .bind(d.contact.email.as_ref().map(|e| e.as_str().to_string()))
        .bind(d.contact.phone.clone())
        .bind(new.policy.acknowledge_within)
        .bind(new.policy.respond_within)
        .bind(new.deadlines.acknowledge_by)
        .bind(new.deadlines.respond_by)
        .bind(new.alert.as_ref().map(|a| i64::from(a.level.level())))
        .bind(new.alert.as_ref().map(|a| a.reason.clone()))
        .bind(new.logged_by.map(|u| u.0))
        .bind(stamp(new.created_at))
        .fetch_one(&mut *tx)
        .await;
        let id = match inserted {
            Ok(id) => id,
            Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => return Err(StoreError::NotFound),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::Conflict("the complaint reference is taken".into()));
            }
            Err(e) => return Err(other(e)),
        };
        let how = d.channel.label();
        event(&mut tx, id, "received", d.received_on, new.logged_by, new.created_at, how).await?;
        for email in &new.emails {
            crate::accounts::queue(&mut tx, email, None).await?;
        }
        let location = Some(new.location_id.as_str());
        crate::journal::append(&mut tx, location, ChangeKind::Complaint, new.created_at).await?;
        tx.commit().await.map_err(other)?;
        Ok(ComplaintReceipt { id, reference: new.reference.clone(), duplicate: false })
    }

    async fn complaint(&self, id: i64) -> StoreResult<ComplaintRecord> {
        let mut conn = self.reader.acquire().await.map_err(other)?;
        by_id(&mut conn, id).await
    }

    async fn complaint_by_follow(&self, follow_hash: &str) -> StoreResult<ComplaintRecord> {
        let mut conn = self.reader.acquire().await.map_err(other)?;
        match one(&mut conn, "c.follow_hash", Key::Text(follow_hash)).await {
            Err(StoreError::NotFound) => {
                let id: i64 = sqlx::query_scalar("SELECT complaint_id FROM complaint_links WHERE token_hash = ?")
                    .bind(follow_hash)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(other)?
                    .ok_or(StoreError::NotFound)?;
                by_id(&mut conn, id).await
            }
            found => found,
        }
    }

    async fn add_complaint_link(&self, id: i64, token_hash: &str, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("INSERT INTO complaint_links (token_hash, complaint_id, created_at) VALUES (?, ?, ?)")
            .bind(token_hash)
            .bind(id)
            .bind(stamp(at))
            .execute(&self.writer)
            .await
            .map_err(|e| crate::accounts::write_error("this link is kept already", e))?;
        Ok(())
    }

    async fn complaints(
        &self,
        locations: &[LocationId],
        status: Option<ComplaintStatus>,
    ) -> StoreResult<Vec<ComplaintRecord>> {
        if locations.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.reader.acquire().await.map_err(other)?;
        let mut q = QueryBuilder::<Sqlite>::new(format!("SELECT {COLUMNS}{FROM} WHERE c.location_id IN ("));
        let mut list = q.separated(", ");
        for l in locations {
            list.push_bind(l.as_str().to_string());
        }
        q.push(")");
        if let Some(status) = status {
            q.push(" AND c.status = ").push_bind(status.code());
        }
        q.push(" ORDER BY c.received_on DESC, c.id DESC");
        let rows = q.build().fetch_all(&mut *conn).await.map_err(other)?;
        let mut records = rows.iter().map(record).collect::<StoreResult<Vec<_>>>()?;
        complete(&mut conn, &mut records).await?;
        Ok(records)
    }

    async fn add_complaint_event(
        &self,
        id: i64,
        step: &str,
        detail: &str,
        at: DateTime<Utc>,
        emails: &[OutgoingEmail],
    ) -> StoreResult<ComplaintRecord> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        let current = by_id(&mut tx, id).await?;
        event(&mut tx, id, step, at.date_naive(), None, at, detail).await?;
        for email in emails {
            crate::accounts::queue(&mut tx, email, None).await?;
        }
        crate::journal::append(&mut tx, Some(current.location_id.as_str()), ChangeKind::Complaint, at).await?;
        let updated = by_id(&mut tx, id).await?;
        tx.commit().await.map_err(other)?;
        Ok(updated)
    }

    async fn open_complaints(&self) -> StoreResult<Vec<ComplaintRecord>> {
        let mut conn = self.reader.acquire().await.map_err(other)?;
        let sql = format!("SELECT {COLUMNS}{FROM} WHERE c.status <> 'closed' ORDER BY c.id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *conn).await.map_err(other)?;
        let mut records = rows.iter().map(record).collect::<StoreResult<Vec<_>>>()?;
        complete(&mut conn, &mut records).await?;
        Ok(records)
    }

    async fn take_complaint_step(
        &self,
        id: i64,
        step: &ComplaintStep,
        by: Option<UserId>,
        at: DateTime<Utc>,
        emails: &[OutgoingEmail],
    ) -> StoreResult<ComplaintRecord> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        let current = by_id(&mut tx, id).await?;
        let to = step.check(&current.state()).map_err(|refused| StoreError::Conflict(refused.0))?;
        write_step(&mut tx, id, step, to).await?;
        event(&mut tx, id, step.code(), day(step, at), by, at, &detail(step)).await?;
        for email in emails {
            crate::accounts::queue(&mut tx, email, None).await?;
        }
        let updated = by_id(&mut tx, id).await?;
        crate::journal::append(&mut tx, Some(updated.location_id.as_str()), ChangeKind::Complaint, at).await?;
        tx.commit().await.map_err(other)?;
        Ok(updated)
    }
}
