//! Experts' visits: reads through the reader pool; every change in one transaction
//! on the single writer, which first reads the visit's state, so that no change can
//! slip past a send or a publication made at the same moment.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::SqliteConnection;
use sqlx::sqlite::{SqlitePool, SqliteRow};

use candour_domain::assessment::{ChallengeState, Lifecycle, Refusal};
use candour_domain::visit::{VisitChange, VisitReport};
use candour_domain::{LocationId, UserId};
use candour_store::*;

use crate::assessments::challenge_row;
use crate::codec::{corrupt, get, stamp, to_json};
use crate::{SqliteStore, other};

const VISIT_COLUMNS: &str = "id, location_id, status, report, created_by, created_at, sent_at, window_ends, \
     challenges_finished_by, challenges_finished_at, published_at, published_by, published_on";

fn report(text: &str) -> StoreResult<VisitReport> {
    serde_json::from_str(text).map_err(|e| corrupt("visit report", e))
}

fn status(text: &str) -> StoreResult<AssessmentStatus> {
    AssessmentStatus::parse(text).ok_or_else(|| corrupt("visit status", text))
}

fn visit_row(row: &SqliteRow) -> StoreResult<VisitRecord> {
    let location: String = get(row, 1)?;
    Ok(VisitRecord {
        id: get(row, 0)?,
        location_id: LocationId::parse(&location).map_err(|e| corrupt("location ID", e))?,
        status: status(&get::<String>(row, 2)?)?,
        report: report(&get::<String>(row, 3)?)?,
        challenges: Vec::new(),
        corrections: Vec::new(),
        created_by: UserId(get(row, 4)?),
        created_at: get(row, 5)?,
        sent_at: get(row, 6)?,
        window_ends: get(row, 7)?,
        challenges_finished_by: get::<Option<i64>>(row, 8)?.map(UserId),
        challenges_finished_at: get(row, 9)?,
        published_at: get(row, 10)?,
        published_by: get::<Option<i64>>(row, 11)?.map(UserId),
        published_on: get(row, 12)?,
    })
}

const CHALLENGE_COLUMNS: &str = "id, part, text, raised_by, raised_at, status, decision_reason, decided_by, decided_at";

/// Reads visit rows with their challenges and corrections.
async fn filled(pool: &SqlitePool, rows: &[SqliteRow]) -> StoreResult<Vec<VisitRecord>> {
    let mut list = Vec::with_capacity(rows.len());
    for row in rows {
        let mut visit = visit_row(row)?;
        let sql = format!("SELECT {CHALLENGE_COLUMNS} FROM visit_challenges WHERE visit_id = ? ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(visit.id).fetch_all(pool).await.map_err(other)?;
        visit.challenges = rows.iter().map(challenge_row).collect::<StoreResult<_>>()?;
        let rows = sqlx::query(
            "SELECT challenge_id, part, before, after, corrected_by, corrected_at FROM visit_corrections \
             WHERE visit_id = ? ORDER BY id",
        )
        .bind(visit.id)
        .fetch_all(pool)
        .await
        .map_err(other)?;
        visit.corrections = rows
            .iter()
            .map(|r| {
                Ok(Correction {
                    challenge_id: get(r, 0)?,
                    finding: get(r, 1)?,
                    before: get(r, 2)?,
                    after: get(r, 3)?,
                    corrected_by: UserId(get(r, 4)?),
                    corrected_at: get(r, 5)?,
                })
            })
            .collect::<StoreResult<_>>()?;
        list.push(visit);
    }
    Ok(list)
}

async fn load(pool: &SqlitePool, id: i64) -> StoreResult<VisitRecord> {
    let sql = format!("SELECT {VISIT_COLUMNS} FROM visits WHERE id = ?");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
    filled(pool, &[row]).await?.pop().ok_or(StoreError::NotFound)
}

/// The visit as the lifecycle rule reads it, with its report, inside the writer's transaction.
async fn state(conn: &mut SqliteConnection, id: i64) -> StoreResult<(Lifecycle, VisitReport)> {
    let row: Option<(String, String, Option<NaiveDate>, Option<String>)> =
        sqlx::query_as("SELECT status, report, window_ends, challenges_finished_at FROM visits WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(other)?;
    let (status_text, report_text, window_ends, finished) = row.ok_or(StoreError::NotFound)?;
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, part, status FROM visit_challenges WHERE visit_id = ? ORDER BY id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await
            .map_err(other)?;
    let challenges = rows
        .into_iter()
        .map(|(id, finding, status)| {
            let status = ChallengeStatus::parse(&status).ok_or_else(|| corrupt("challenge status", &status))?;
            Ok(ChallengeState { id, finding, status })
        })
        .collect::<StoreResult<_>>()?;
    let lifecycle =
        Lifecycle { status: status(&status_text)?, window_ends, provider_finished: finished.is_some(), challenges };
    Ok((lifecycle, report(&report_text)?))
}

fn refused(refusal: Refusal) -> StoreError {
    StoreError::Conflict(refusal.0)
}

#[async_trait]
impl VisitStore for SqliteStore {
    async fn create_visit(&self, new: &NewVisit) -> StoreResult<VisitRecord> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO visits (location_id, status, report, created_by, created_at) VALUES (?, 'draft', ?, ?, ?) \
             RETURNING id",
        )
        .bind(new.location_id.as_str())
        .bind(to_json(&VisitReport::default()))
        .bind(new.created_by.0)
        .bind(stamp(new.created_at))
        .fetch_one(&self.writer)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
            _ => other(e),
        })?;
        load(&self.writer, id).await
    }

    async fn visit(&self, id: i64) -> StoreResult<VisitRecord> {
        load(&self.reader, id).await
    }

    async fn visits(&self, of: &VisitsOf) -> StoreResult<Vec<VisitRecord>> {
        let (filter, limit) = match of {
            VisitsOf::Location(_) => ("location_id = ?", u32::MAX),
            VisitsOf::Provider(_) => ("location_id IN (SELECT id FROM locations WHERE provider_id = ?)", u32::MAX),
            VisitsOf::Anywhere(limit) => ("TRUE", *limit),
        };
        let sql = format!("SELECT {VISIT_COLUMNS} FROM visits WHERE {filter} ORDER BY id DESC LIMIT {limit}");
        let query = sqlx::query(sqlx::AssertSqlSafe(sql));
        let query = match of {
            VisitsOf::Location(id) => query.bind(id.to_string()),
            VisitsOf::Provider(id) => query.bind(id.to_string()),
            VisitsOf::Anywhere(_) => query,
        };
        let rows = query.fetch_all(&self.reader).await.map_err(other)?;
        filled(&self.reader, &rows).await
    }

    async fn update_visit(&self, id: i64, change: &VisitChange, by: UserId, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        let (lifecycle, mut report) = state(&mut tx, id).await?;
        let part = change.part();
        let reopened_by = lifecycle.may_change(&part).map_err(refused)?;
        let before = report.describe(&part);
        report.apply(change);
        sqlx::query("UPDATE visits SET report = ? WHERE id = ?")
            .bind(to_json(&report))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(other)?;
        let after = report.describe(&part);
        if let Some(challenge) = reopened_by.filter(|_| before != after) {
            sqlx::query(
                "INSERT INTO visit_corrections (visit_id, challenge_id, part, before, after, corrected_by, corrected_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(challenge)
            .bind(part.code())
            .bind(before)
            .bind(after)
            .bind(by.0)
            .bind(stamp(at))
            .execute(&mut *tx)
            .await
            .map_err(other)?;
        }
        tx.commit().await.map_err(other)
    }

    async fn send_visit(&self, id: i64, window_ends: NaiveDate, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        let (lifecycle, report) = state(&mut tx, id).await?;
        lifecycle.may_send().map_err(refused)?;
        if let Err(problems) = report.ready(at.date_naive()) {
            let words: Vec<String> = problems.into_iter().map(|p| p.message).collect();
            return Err(StoreError::Invalid(words.join("; ")));
        }
        if window_ends < at.date_naive() {
            return Err(StoreError::Invalid("the challenge window cannot end before it starts".into()));
        }
        sqlx::query("UPDATE visits SET status = 'sent', sent_at = ?, window_ends = ? WHERE id = ?")
            .bind(stamp(at))
            .bind(window_ends)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(other)?;
        tx.commit().await.map_err(other)
    }

    async fn raise_visit_challenge(&self, id: i64, challenge: &NewChallenge) -> StoreResult<Challenge> {
        if challenge.text.trim().is_empty() || challenge.finding.trim().is_empty() {
            return Err(StoreError::Invalid("a challenge names its part and says what is inaccurate".into()));
        }
        let mut tx = self.writer.begin().await.map_err(other)?;
        state(&mut tx, id).await?.0.may_challenge(challenge.raised_at.date_naive()).map_err(refused)?;
        let sql = format!(
            "INSERT INTO visit_challenges (visit_id, part, text, raised_by, raised_at, status) \
             VALUES (?, ?, ?, ?, ?, 'open') RETURNING {CHALLENGE_COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(challenge.finding.trim())
            .bind(challenge.text.trim())
            .bind(challenge.raised_by.0)
            .bind(stamp(challenge.raised_at))
            .fetch_one(&mut *tx)
            .await
            .map_err(other)?;
        let created = challenge_row(&row)?;
        tx.commit().await.map_err(other)?;
        Ok(created)
    }

    async fn decide_visit_challenge(&self, id: i64, challenge: i64, decision: &ChallengeDecision) -> StoreResult<()> {
        if decision.status == ChallengeStatus::Open || decision.reason.trim().is_empty() {
            return Err(StoreError::Invalid("a decision accepts or rejects the challenge, with a reason".into()));
        }
        let mut tx = self.writer.begin().await.map_err(other)?;
        state(&mut tx, id).await?.0.may_decide().map_err(refused)?;
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM visit_challenges WHERE id = ? AND visit_id = ?")
                .bind(challenge)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(other)?;
        match status.as_deref() {
            None => return Err(StoreError::NotFound),
            Some("open") => {}
            Some(decided) => return Err(StoreError::Conflict(format!("the challenge was already {decided}"))),
        }
        sqlx::query(
            "UPDATE visit_challenges SET status = ?, decision_reason = ?, decided_by = ?, decided_at = ? WHERE id = ?",
        )
        .bind(decision.status.code())
        .bind(decision.reason.trim())
        .bind(decision.decided_by.0)
        .bind(stamp(decision.decided_at))
        .bind(challenge)
        .execute(&mut *tx)
        .await
        .map_err(other)?;
        tx.commit().await.map_err(other)
    }

    async fn finish_visit_challenges(&self, id: i64, by: UserId, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        state(&mut tx, id).await?.0.may_finish_challenges(at.date_naive()).map_err(refused)?;
        sqlx::query("UPDATE visits SET challenges_finished_by = ?, challenges_finished_at = ? WHERE id = ?")
            .bind(by.0)
            .bind(stamp(at))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(other)?;
        tx.commit().await.map_err(other)
    }

    async fn publish_visit(&self, id: i64, by: UserId, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        state(&mut tx, id).await?.0.may_publish(at.date_naive()).map_err(refused)?;
        sqlx::query(
            "UPDATE visits SET status = 'published', published_at = ?, published_by = ?, published_on = ? WHERE id = ?",
        )
        .bind(stamp(at))
        .bind(by.0)
        .bind(at.date_naive())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(other)?;
        tx.commit().await.map_err(other)
    }
}
