//! Concerns and complaints: a complaint and its emails are written in one
//! transaction; a step locks its complaint, reads it, checks it by the domain's
//! rules and writes it in one transaction, so that two steps taken at once on
//! different instances follow each other instead of racing past a check.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use sqlx::postgres::PgRow;

use candour_domain::complaints::{
    ComplaintContact, ComplaintPolicy, ComplaintStatus, ComplaintStep, Deadlines, EscalatedTo, Outcome, ReceivedBy,
    Relationship,
};
use candour_domain::voice::Criticality;
use candour_domain::{Email, LocationId, ProviderId, UserId};
use candour_store::*;

use crate::codec::get;
use crate::{PostgresStore, corrupt, other};

/// The columns [`record`] reads, in its order.
const COLUMNS: &str = "c.id, c.location_id, l.name, l.provider_id, l.local_authority, c.reference, c.status, \
     c.channel, c.relationship, c.received_on, c.what_happened, c.desired_outcome, c.contact_name, c.contact_email, \
     c.contact_phone, c.acknowledge_within, c.respond_within, c.acknowledge_by, c.respond_by, c.agreed_response_by, \
     c.acknowledged_on, c.investigating_on, c.response_sent_on, c.response, c.closed_on, c.outcome, c.learned, \
     c.alert_level, c.alert_reason, c.logged_by, c.created_at";

const FROM: &str = " FROM complaints c JOIN locations l ON l.id = c.location_id";

fn days(row: &PgRow, i: usize) -> StoreResult<u32> {
    u32::try_from(get::<i64>(row, i)?).map_err(|e| corrupt("working days", e))
}

fn coded<T>(
    row: &PgRow,
    i: usize,
    what: &str,
    parse: impl Fn(&str) -> Result<T, candour_domain::ParseError>,
) -> StoreResult<T> {
    let text: String = get(row, i)?;
    parse(&text).map_err(|e| corrupt(what, e))
}

fn optional_coded<T>(
    row: &PgRow,
    i: usize,
    what: &str,
    parse: impl Fn(&str) -> Result<T, candour_domain::ParseError>,
) -> StoreResult<Option<T>> {
    let text: Option<String> = get(row, i)?;
    text.map(|t| parse(&t).map_err(|e| corrupt(what, e))).transpose()
}

/// A complaint's own columns; its escalations and timeline are added by [`complete`].
fn record(row: &PgRow) -> StoreResult<ComplaintRecord> {
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
        policy: ComplaintPolicy { acknowledge_within: days(row, 15)?, respond_within: days(row, 16)? },
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
async fn complete(conn: &mut PgConnection, records: &mut [ComplaintRecord]) -> StoreResult<()> {
    if records.is_empty() {
        return Ok(());
    }
    let owners: Vec<i64> = records.iter().map(|r| r.id).collect();
    let rows = sqlx::query(
        "SELECT complaint_id, id, escalated_to, escalated_on, reference, result, result_on \
         FROM complaint_escalations WHERE complaint_id = ANY($1) ORDER BY id",
    )
    .bind(&owners)
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
    let rows = sqlx::query(
        "SELECT complaint_id, step, on_date, by_user, at, detail FROM complaint_events \
         WHERE complaint_id = ANY($1) ORDER BY id",
    )
    .bind(&owners)
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

/// The complaint `filter` (a column compared with `$1`, ours alone) finds, in full.
async fn one(conn: &mut PgConnection, filter: &'static str, value: Key<'_>) -> StoreResult<ComplaintRecord> {
    let sql = format!("SELECT {COLUMNS}{FROM} WHERE {filter} = $1");
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

async fn by_id(conn: &mut PgConnection, id: i64) -> StoreResult<ComplaintRecord> {
    one(conn, "c.id", Key::Id(id)).await
}

async fn event(
    conn: &mut PgConnection,
    id: i64,
    step: &str,
    on: NaiveDate,
    by: Option<UserId>,
    at: DateTime<Utc>,
    detail: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO complaint_events (complaint_id, step, on_date, by_user, at, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(step)
    .bind(on)
    .bind(by.map(|u| u.0))
    .bind(at)
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

async fn write_step(conn: &mut PgConnection, id: i64, step: &ComplaintStep, to: ComplaintStatus) -> StoreResult<()> {
    let query = match step {
        ComplaintStep::Acknowledge { on } => {
            sqlx::query("UPDATE complaints SET status = $1, acknowledged_on = $2 WHERE id = $3")
                .bind(to.code())
                .bind(*on)
        }
        ComplaintStep::Investigate { on } => {
            sqlx::query("UPDATE complaints SET status = $1, investigating_on = $2 WHERE id = $3")
                .bind(to.code())
                .bind(*on)
        }
        ComplaintStep::SendResponse { on, response } => {
            sqlx::query("UPDATE complaints SET status = $1, response_sent_on = $2, response = $3 WHERE id = $4")
                .bind(to.code())
                .bind(*on)
                .bind(response.clone())
        }
        ComplaintStep::Close { on, outcome, learned } => {
            sqlx::query("UPDATE complaints SET status = $1, closed_on = $2, outcome = $3, learned = $4 WHERE id = $5")
                .bind(to.code())
                .bind(*on)
                .bind(outcome.code())
                .bind(learned.clone())
        }
        // The agreed date replaces the policy's: the domain's deadlines with it.
        ComplaintStep::AgreeResponseDate { by } => {
            sqlx::query("UPDATE complaints SET agreed_response_by = $1, respond_by = $1 WHERE id = $2").bind(*by)
        }
        ComplaintStep::Escalate { to, on, reference } => sqlx::query(
            "INSERT INTO complaint_escalations (escalated_to, escalated_on, reference, complaint_id) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(to.code())
        .bind(*on)
        .bind(reference.clone()),
        ComplaintStep::EscalationResult { escalation, on, result } => sqlx::query(
            "UPDATE complaint_escalations SET result = $1, result_on = $2 WHERE id = $3 AND complaint_id = $4",
        )
        .bind(result.clone())
        .bind(*on)
        .bind(*escalation),
    };
    query.bind(id).execute(conn).await.map(drop).map_err(other)
}

/// The complaint kept under this follow hash, if any.
async fn kept_by_follow(conn: &mut PgConnection, follow_hash: &str) -> StoreResult<Option<ComplaintReceipt>> {
    let kept: Option<(i64, String)> = sqlx::query_as("SELECT id, reference FROM complaints WHERE follow_hash = $1")
        .bind(follow_hash)
        .fetch_optional(conn)
        .await
        .map_err(other)?;
    Ok(kept.map(|(id, reference)| ComplaintReceipt { id, reference, duplicate: true }))
}

/// Inserts the complaint itself; `None` when its follow hash is kept already
/// (a double click, perhaps on another instance at the same moment).
async fn insert_complaint(conn: &mut PgConnection, new: &NewComplaint) -> StoreResult<Option<i64>> {
    let d = &new.details;
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO complaints (location_id, reference, follow_hash, status, channel, relationship, received_on, \
         what_happened, desired_outcome, contact_name, contact_email, contact_phone, acknowledge_within, \
         respond_within, acknowledge_by, respond_by, alert_level, alert_reason, logged_by, created_at) \
         VALUES ($1, $2, $3, 'received', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
         ON CONFLICT (follow_hash) DO NOTHING RETURNING id",
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
    .bind(i64::from(new.policy.acknowledge_within))
    .bind(i64::from(new.policy.respond_within))
    .bind(new.deadlines.acknowledge_by)
    .bind(new.deadlines.respond_by)
    .bind(new.alert.as_ref().map(|a| i64::from(a.level.level())))
    .bind(new.alert.as_ref().map(|a| a.reason.clone()))
    .bind(new.logged_by.map(|u| u.0))
    .bind(new.created_at)
    .fetch_optional(conn)
    .await;
    match inserted {
        Ok(id) => Ok(id),
        Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => Err(StoreError::NotFound),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(StoreError::Conflict("the complaint reference is taken".into()))
        }
        Err(e) => Err(other(e)),
    }
}

#[async_trait]
impl ComplaintStore for PostgresStore {
    async fn add_complaint(&self, new: &NewComplaint) -> StoreResult<ComplaintReceipt> {
        let mut tx = self.write().begin().await.map_err(other)?;
        if let Some(kept) = kept_by_follow(&mut tx, &new.follow_hash).await? {
            return Ok(kept);
        }
        let Some(id) = insert_complaint(&mut tx, new).await? else {
            // Kept by another transaction since the look above: it has committed now.
            return kept_by_follow(&mut tx, &new.follow_hash).await?.ok_or(StoreError::NotFound);
        };
        let d = &new.details;
        event(&mut tx, id, "received", d.received_on, new.logged_by, new.created_at, d.channel.label()).await?;
        for email in &new.emails {
            crate::accounts::queue(&mut tx, email, None).await?;
        }
        let location = Some(new.location_id.as_str());
        crate::journal::append(&mut tx, location, ChangeKind::Complaint, new.created_at).await?;
        tx.commit().await.map_err(other)?;
        Ok(ComplaintReceipt { id, reference: new.reference.clone(), duplicate: false })
    }

    async fn complaint(&self, id: i64) -> StoreResult<ComplaintRecord> {
        let mut conn = self.read().acquire().await.map_err(other)?;
        by_id(&mut conn, id).await
    }

    async fn complaint_by_follow(&self, follow_hash: &str) -> StoreResult<ComplaintRecord> {
        let mut conn = self.read().acquire().await.map_err(other)?;
        match one(&mut conn, "c.follow_hash", Key::Text(follow_hash)).await {
            Err(StoreError::NotFound) => {
                let id: i64 = sqlx::query_scalar("SELECT complaint_id FROM complaint_links WHERE token_hash = $1")
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
        sqlx::query("INSERT INTO complaint_links (token_hash, complaint_id, created_at) VALUES ($1, $2, $3)")
            .bind(token_hash)
            .bind(id)
            .bind(at)
            .execute(self.write())
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
        let ids: Vec<&str> = locations.iter().map(LocationId::as_str).collect();
        let mut conn = self.read().acquire().await.map_err(other)?;
        let sql = format!(
            "SELECT {COLUMNS}{FROM} WHERE c.location_id = ANY($1) AND ($2::text IS NULL OR c.status = $2) \
             ORDER BY c.received_on DESC, c.id DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&ids)
            .bind(status.map(ComplaintStatus::code))
            .fetch_all(&mut *conn)
            .await
            .map_err(other)?;
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
        let mut tx = self.write().begin().await.map_err(other)?;
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
        let mut conn = self.read().acquire().await.map_err(other)?;
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
        let mut tx = self.write().begin().await.map_err(other)?;
        // Held until the commit: a step taken at once elsewhere waits, then reads this one.
        sqlx::query("SELECT 1 FROM complaints WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(other)?
            .ok_or(StoreError::NotFound)?;
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

#[cfg(all(test, candour_postgres_tests))]
mod tests {
    use std::sync::Arc;

    use candour_domain::complaints::{
        ComplaintContact, ComplaintPolicy, ComplaintStep, NewComplaintDetails, ReceivedBy, Relationship, deadlines,
    };
    use candour_domain::{Location, LocationId, Provider, ProviderId};
    use candour_store::{ComplaintStore, ImportCounts, ImportPlan, NewComplaint, RegisterStore, StoreError};
    use chrono::{NaiveDate, Utc};

    use crate::PostgresStore;
    use crate::conformance::fresh;

    async fn store_with_a_location() -> Arc<PostgresStore> {
        let (store, _) = fresh().await;
        let provider = ProviderId::parse("1-1").expect("an ID");
        let location = Location::new(LocationId::parse("1-100").expect("an ID"), provider.clone(), "Home");
        let plan = ImportPlan {
            kind: "test".into(),
            origin: "test".into(),
            providers: vec![Provider::new(provider, "Provider")],
            locations: vec![location],
            ratings: vec![],
            counts: ImportCounts { added: 1, ..Default::default() },
        };
        store.apply_import(&plan).await.expect("import");
        Arc::new(store)
    }

    fn complaint(reference: &str) -> NewComplaint {
        let received_on = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
        let policy = ComplaintPolicy::default();
        NewComplaint {
            location_id: LocationId::parse("1-100").expect("an ID"),
            details: NewComplaintDetails {
                what_happened: "Visits were missed".into(),
                desired_outcome: String::new(),
                relationship: Relationship::Family,
                contact: ComplaintContact { name: "Ann".into(), email: None, phone: None },
                channel: ReceivedBy::Online,
                received_on,
            },
            reference: reference.into(),
            follow_hash: "hash-of-one-secret".into(),
            policy,
            deadlines: deadlines(received_on, None, policy).expect("deadlines"),
            logged_by: None,
            created_at: Utc::now(),
            alert: None,
            emails: vec![],
        }
    }

    /// A double click reaching two instances at once keeps one complaint.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_follow_secret_sent_at_once_keeps_one_complaint() {
        let store = store_with_a_location().await;
        let mut sends = tokio::task::JoinSet::new();
        for n in 0..4 {
            let store = Arc::clone(&store);
            sends.spawn(async move { store.add_complaint(&complaint(&format!("REF-{n}"))).await.expect("kept") });
        }
        let receipts = sends.join_all().await;
        assert_eq!(receipts.iter().filter(|r| !r.duplicate).count(), 1, "{receipts:?}");
        assert!(receipts.iter().all(|r| r.id == receipts[0].id), "{receipts:?}");
    }

    /// The same step taken at once on two instances is taken once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_step_taken_at_once_by_many_is_taken_once() {
        let store = store_with_a_location().await;
        let id = store.add_complaint(&complaint("REF-1")).await.expect("kept").id;
        let mut steps = tokio::task::JoinSet::new();
        for _ in 0..4 {
            let store = Arc::clone(&store);
            let ack = ComplaintStep::Acknowledge { on: NaiveDate::from_ymd_opt(2026, 3, 3).expect("a date") };
            steps.spawn(async move { store.take_complaint_step(id, &ack, None, Utc::now(), &[]).await });
        }
        let results = steps.join_all().await;
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
        assert!(results.iter().all(|r| matches!(r, Ok(_) | Err(StoreError::Conflict(_)))), "{results:?}");
        assert_eq!(store.complaint(id).await.expect("read").timeline.len(), 2, "received, acknowledged once");
    }
}
