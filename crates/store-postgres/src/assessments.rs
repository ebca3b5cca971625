//! Assessments. Every change is one transaction that first locks the assessment's
//! row and reads its state there, so that no change can slip past a send or a
//! publication another instance makes at the same moment.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use sqlx::postgres::{PgPool, PgRow};

use candour_domain::assessment::{ChallengeState, Lifecycle, Refusal};
use candour_domain::{KeyQuestion, LocationId, ProviderId, Rating, RatingSource, ServiceKind, UserId};
use candour_store::*;

use crate::codec::{corrupt, get, to_json};
use crate::register::write;
use crate::{PostgresStore, other};

/// The columns of `assessments` read by [`assessment_row`], in its order.
macro_rules! assessment_columns {
    () => {
        "id, location_id, service_group, service_kind, status, policy, breach, registered_manager, \
         manager_recruitment_under_way, notifications_ok, created_by, created_at, sent_at, window_ends, \
         published_at, published_by, published_on, result, challenges_finished_by, challenges_finished_at"
    };
}

fn finding_code(kq: Option<KeyQuestion>) -> &'static str {
    match kq {
        None => "overall",
        Some(KeyQuestion::Safe) => "safe",
        Some(KeyQuestion::Effective) => "effective",
        Some(KeyQuestion::Caring) => "caring",
        Some(KeyQuestion::Responsive) => "responsive",
        Some(KeyQuestion::WellLed) => "well_led",
    }
}

fn key_question(text: &str) -> StoreResult<KeyQuestion> {
    KeyQuestion::parse(text).map_err(|e| corrupt("key question", e))
}

fn rating(text: &str) -> StoreResult<Rating> {
    Rating::parse(text).map_err(|e| corrupt("rating", e))
}

/// Sorts statements like the framework: by key question, then number.
fn position(statement: &str) -> i64 {
    let letter = statement.chars().next().map(|c| c.to_ascii_uppercase());
    let order = ['S', 'E', 'C', 'R', 'W'].iter().position(|l| Some(*l) == letter).unwrap_or(5) as i64;
    let number: i64 = statement.get(1..).and_then(|n| n.parse().ok()).unwrap_or(0);
    order * 100 + number
}

fn assessment_row(row: &PgRow) -> StoreResult<AssessmentRecord> {
    let status: String = get(row, 4)?;
    let kind: String = get(row, 3)?;
    let location: String = get(row, 1)?;
    Ok(AssessmentRecord {
        id: get(row, 0)?,
        location_id: LocationId::parse(&location).map_err(|e| corrupt("location ID", e))?,
        service_group: get(row, 2)?,
        service_kind: ServiceKind::parse(&kind).map_err(|e| corrupt("service type", e))?,
        status: AssessmentStatus::parse(&status).ok_or_else(|| corrupt("assessment status", &status))?,
        policy: get(row, 5)?,
        facts: AssessmentFacts {
            breach: get(row, 6)?,
            registered_manager: get(row, 7)?,
            manager_recruitment_under_way: get(row, 8)?,
            notifications_ok: get(row, 9)?,
        },
        statements: Vec::new(),
        standing: Vec::new(),
        judgements: Vec::new(),
        challenges: Vec::new(),
        created_by: UserId(get(row, 10)?),
        created_at: get(row, 11)?,
        sent_at: get(row, 12)?,
        window_ends: get(row, 13)?,
        published_at: get(row, 14)?,
        published_by: get::<Option<i64>>(row, 15)?.map(UserId),
        published_on: get(row, 16)?,
        result: get(row, 17)?,
        challenges_finished_by: get::<Option<i64>>(row, 18)?.map(UserId),
        challenges_finished_at: get(row, 19)?,
        corrections: Vec::new(),
    })
}

fn json_map<T: serde::de::DeserializeOwned>(row: &PgRow, i: usize) -> StoreResult<BTreeMap<String, T>> {
    let text: String = get(row, i)?;
    serde_json::from_str(&text).map_err(|e| corrupt("statement evidence", e))
}

fn statement_row(row: &PgRow) -> StoreResult<StatementEntry> {
    Ok(StatementEntry {
        statement: get(row, 0)?,
        score: get::<Option<i64>>(row, 1)?.map(|s| s as u8),
        categories: json_map(row, 2)?,
        notes: json_map(row, 3)?,
        carried_from: get(row, 4)?,
    })
}

pub(crate) fn challenge_row(row: &PgRow) -> StoreResult<Challenge> {
    let status: String = get(row, 5)?;
    Ok(Challenge {
        id: get(row, 0)?,
        finding: get(row, 1)?,
        text: get(row, 2)?,
        raised_by: UserId(get(row, 3)?),
        raised_at: get(row, 4)?,
        status: ChallengeStatus::parse(&status).ok_or_else(|| corrupt("challenge status", &status))?,
        decision_reason: get(row, 6)?,
        decided_by: get::<Option<i64>>(row, 7)?.map(UserId),
        decided_at: get(row, 8)?,
    })
}

async fn load(pool: &PgPool, id: i64) -> StoreResult<AssessmentRecord> {
    let row = sqlx::query(concat!("SELECT ", assessment_columns!(), " FROM assessments WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
    let mut record = assessment_row(&row)?;
    fill(pool, &mut record).await?;
    Ok(record)
}

/// Loads the statements, standing ratings, judgements and challenges.
async fn fill(pool: &PgPool, record: &mut AssessmentRecord) -> StoreResult<()> {
    let id = record.id;
    let rows = sqlx::query(
        "SELECT statement, score, categories, notes, carried_from FROM assessment_statements \
         WHERE assessment_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(other)?;
    record.statements = rows.iter().map(statement_row).collect::<StoreResult<_>>()?;
    let rows = sqlx::query("SELECT key_question, rating, rated_on FROM assessment_standing WHERE assessment_id = $1")
        .bind(id)
        .fetch_all(pool)
        .await
        .map_err(other)?;
    record.standing = rows
        .iter()
        .map(|r| {
            Ok(StandingEntry {
                key_question: key_question(&get::<String>(r, 0)?)?,
                rating: rating(&get::<String>(r, 1)?)?,
                rated_on: get(r, 2)?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    record.standing.sort_by_key(|s| s.key_question);
    record.judgements = judgements(pool, id).await?;
    let rows = sqlx::query(
        "SELECT id, finding, text, raised_by, raised_at, status, decision_reason, decided_by, decided_at \
         FROM assessment_challenges WHERE assessment_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(other)?;
    record.challenges = rows.iter().map(challenge_row).collect::<StoreResult<_>>()?;
    let rows = sqlx::query(
        "SELECT challenge_id, finding, before, after, corrected_by, corrected_at FROM assessment_corrections \
         WHERE assessment_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(other)?;
    record.corrections = rows
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
    Ok(())
}

/// Reads assessment rows with everything recorded on them.
async fn filled(pool: &PgPool, rows: &[PgRow]) -> StoreResult<Vec<AssessmentRecord>> {
    let mut list = Vec::with_capacity(rows.len());
    for row in rows {
        let mut record = assessment_row(row)?;
        fill(pool, &mut record).await?;
        list.push(record);
    }
    Ok(list)
}

async fn judgements(pool: &PgPool, id: i64) -> StoreResult<Vec<JudgementEntry>> {
    let rows =
        sqlx::query("SELECT finding, rating, reason, computed FROM assessment_judgements WHERE assessment_id = $1")
            .bind(id)
            .fetch_all(pool)
            .await
            .map_err(other)?;
    let mut list = rows
        .iter()
        .map(|r| {
            let finding: String = get(r, 0)?;
            let kq = if finding == "overall" { None } else { Some(key_question(&finding)?) };
            let computed: Option<String> = get(r, 3)?;
            Ok(JudgementEntry {
                key_question: kq,
                rating: rating(&get::<String>(r, 1)?)?,
                reason: get(r, 2)?,
                computed: computed.as_deref().map(rating).transpose()?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    // Key questions in order, then the overall rating.
    list.sort_by_key(|j| (j.key_question.is_none(), j.key_question));
    Ok(list)
}

/// The assessment as the lifecycle rule reads it, its row locked until the
/// transaction ends: changes to one assessment take turns, whichever instance makes them.
async fn lifecycle(conn: &mut PgConnection, id: i64) -> StoreResult<Lifecycle> {
    let row: Option<(String, Option<NaiveDate>, Option<DateTime<Utc>>)> =
        sqlx::query_as("SELECT status, window_ends, challenges_finished_at FROM assessments WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(other)?;
    let (status, window_ends, finished) = row.ok_or(StoreError::NotFound)?;
    let status = AssessmentStatus::parse(&status).ok_or_else(|| corrupt("assessment status", &status))?;
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, finding, status FROM assessment_challenges WHERE assessment_id = $1 ORDER BY id")
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
    Ok(Lifecycle { status, window_ends, provider_finished: finished.is_some(), challenges })
}

fn refused(refusal: Refusal) -> StoreError {
    StoreError::Conflict(refusal.0)
}

/// What is recorded now for the part `change` touches, in the words of [`describe_change`].
async fn describe_recorded(conn: &mut PgConnection, id: i64, change: &AssessmentChange) -> StoreResult<String> {
    Ok(match change {
        AssessmentChange::Facts(_) => {
            let (breach, registered_manager, manager_recruitment_under_way, notifications_ok) = sqlx::query_as(
                "SELECT breach, registered_manager, manager_recruitment_under_way, notifications_ok \
                 FROM assessments WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&mut *conn)
            .await
            .map_err(other)?;
            describe_facts(&AssessmentFacts {
                breach,
                registered_manager,
                manager_recruitment_under_way,
                notifications_ok,
            })
        }
        AssessmentChange::Statement(StatementEntry { statement, .. })
        | AssessmentChange::RemoveStatement(statement) => {
            let row = sqlx::query(
                "SELECT statement, score, categories, notes, carried_from FROM assessment_statements \
                 WHERE assessment_id = $1 AND statement = $2",
            )
            .bind(id)
            .bind(statement)
            .fetch_optional(&mut *conn)
            .await
            .map_err(other)?;
            describe_statement(row.as_ref().map(statement_row).transpose()?.as_ref())
        }
        AssessmentChange::Standing(kq, _) => {
            let row: Option<(String, Option<NaiveDate>)> = sqlx::query_as(
                "SELECT rating, rated_on FROM assessment_standing WHERE assessment_id = $1 AND key_question = $2",
            )
            .bind(id)
            .bind(finding_code(Some(*kq)))
            .fetch_optional(&mut *conn)
            .await
            .map_err(other)?;
            let standing = row
                .map(|(r, rated_on)| {
                    Ok::<_, StoreError>(StandingEntry { key_question: *kq, rating: rating(&r)?, rated_on })
                })
                .transpose()?;
            describe_standing(standing.as_ref())
        }
        AssessmentChange::Judgement(kq, _) => {
            let row: Option<(String, String)> = sqlx::query_as(
                "SELECT rating, reason FROM assessment_judgements WHERE assessment_id = $1 AND finding = $2",
            )
            .bind(id)
            .bind(finding_code(*kq))
            .fetch_optional(&mut *conn)
            .await
            .map_err(other)?;
            let judgement = row
                .map(|(r, reason)| {
                    Ok::<_, StoreError>(JudgementEntry {
                        key_question: *kq,
                        rating: rating(&r)?,
                        reason,
                        computed: None,
                    })
                })
                .transpose()?;
            describe_judgement(judgement.as_ref())
        }
    })
}

async fn record_correction(
    conn: &mut PgConnection,
    id: i64,
    challenge: i64,
    change: &AssessmentChange,
    (before, after): (String, String),
    by: UserId,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO assessment_corrections (assessment_id, challenge_id, finding, before, after, corrected_by, \
         corrected_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(challenge)
    .bind(finding_of(&change.part()))
    .bind(before)
    .bind(after)
    .bind(by.0)
    .bind(at)
    .execute(&mut *conn)
    .await
    .map(drop)
    .map_err(other)
}

fn check_statement(entry: &StatementEntry) -> StoreResult<()> {
    let in_range = |s: &u8| (1..=4).contains(s);
    if entry.statement.trim().is_empty() {
        return Err(StoreError::Invalid("a statement needs its ID".into()));
    }
    let has_categories = !entry.categories.is_empty();
    if entry.score.is_some() == has_categories {
        return Err(StoreError::Invalid(format!(
            "statement {}: give either a score or evidence-category scores",
            entry.statement
        )));
    }
    if !entry.score.iter().chain(entry.categories.values()).all(in_range) {
        return Err(StoreError::Invalid(format!("statement {}: scores are from 1 to 4", entry.statement)));
    }
    Ok(())
}

async fn apply_change(conn: &mut PgConnection, id: i64, change: &AssessmentChange) -> StoreResult<()> {
    match change {
        AssessmentChange::Facts(f) => sqlx::query(
            "UPDATE assessments SET breach = $1, registered_manager = $2, manager_recruitment_under_way = $3, \
             notifications_ok = $4 WHERE id = $5",
        )
        .bind(f.breach)
        .bind(f.registered_manager)
        .bind(f.manager_recruitment_under_way)
        .bind(f.notifications_ok)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(drop),
        AssessmentChange::Statement(entry) => {
            check_statement(entry)?;
            sqlx::query(
                "INSERT INTO assessment_statements (assessment_id, statement, position, score, categories, notes, \
                 carried_from) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (assessment_id, statement) DO UPDATE SET \
                 score = excluded.score, categories = excluded.categories, notes = excluded.notes, \
                 carried_from = excluded.carried_from",
            )
            .bind(id)
            .bind(&entry.statement)
            .bind(position(&entry.statement))
            .bind(entry.score.map(i64::from))
            .bind(to_json(&entry.categories))
            .bind(to_json(&entry.notes))
            .bind(entry.carried_from)
            .execute(&mut *conn)
            .await
            .map(drop)
        }
        AssessmentChange::RemoveStatement(statement) => {
            sqlx::query("DELETE FROM assessment_statements WHERE assessment_id = $1 AND statement = $2")
                .bind(id)
                .bind(statement)
                .execute(&mut *conn)
                .await
                .map(drop)
        }
        AssessmentChange::Standing(kq, standing) => set_standing(conn, id, *kq, standing.as_ref()).await,
        AssessmentChange::Judgement(kq, judgement) => set_judgement(conn, id, *kq, judgement.as_ref()).await,
    }
    .map_err(|e| match e {
        sqlx::Error::Protocol(message) => StoreError::Invalid(message),
        e => other(e),
    })
}

async fn set_standing(
    conn: &mut PgConnection,
    id: i64,
    kq: KeyQuestion,
    standing: Option<&StandingEntry>,
) -> Result<(), sqlx::Error> {
    let code = finding_code(Some(kq));
    sqlx::query("DELETE FROM assessment_standing WHERE assessment_id = $1 AND key_question = $2")
        .bind(id)
        .bind(code)
        .execute(&mut *conn)
        .await?;
    if let Some(s) = standing {
        sqlx::query(
            "INSERT INTO assessment_standing (assessment_id, key_question, rating, rated_on) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(code)
        .bind(s.rating.code())
        .bind(s.rated_on)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn set_judgement(
    conn: &mut PgConnection,
    id: i64,
    kq: Option<KeyQuestion>,
    judgement: Option<&JudgementEntry>,
) -> Result<(), sqlx::Error> {
    let code = finding_code(kq);
    sqlx::query("DELETE FROM assessment_judgements WHERE assessment_id = $1 AND finding = $2")
        .bind(id)
        .bind(code)
        .execute(&mut *conn)
        .await?;
    if let Some(j) = judgement {
        if j.reason.trim().is_empty() {
            return Err(sqlx::Error::Protocol("a judgement needs a reason".into()));
        }
        sqlx::query(
            "INSERT INTO assessment_judgements (assessment_id, finding, rating, reason, computed) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(code)
        .bind(j.rating.code())
        .bind(j.reason.trim())
        .bind(j.computed.map(|r| r.code()))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn check_publication(conn: &mut PgConnection, location: &str, publication: &Publication) -> StoreResult<()> {
    for r in &publication.ratings {
        if r.location_id.as_str() != location || r.source != RatingSource::Candour {
            return Err(StoreError::Invalid("a publication writes Candour ratings of its own location only".into()));
        }
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM ratings WHERE location_id = $1 AND service_group = $2 AND published = $3 AND source = $4",
        )
        .bind(location)
        .bind(&r.service_group)
        .bind(r.published)
        .bind(r.source.code())
        .fetch_one(&mut *conn)
        .await
        .map_err(other)?;
        if taken > 0 {
            return Err(StoreError::Conflict(format!(
                "a Candour rating of {} was already published on {}: published ratings are never replaced",
                r.service_group, r.published
            )));
        }
    }
    Ok(())
}

#[async_trait]
impl AssessmentStore for PostgresStore {
    async fn create_assessment(&self, new: &NewAssessment) -> StoreResult<AssessmentRecord> {
        if new.service_group.trim().is_empty() {
            return Err(StoreError::Invalid("an assessment needs its service group".into()));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO assessments (location_id, service_group, service_kind, status, policy, created_by, created_at) \
             VALUES ($1, $2, $3, 'draft', $4, $5, $6) RETURNING id",
        )
        .bind(new.location_id.as_str())
        .bind(new.service_group.trim())
        .bind(new.service_kind.code())
        .bind(&new.policy)
        .bind(new.created_by.0)
        .bind(new.created_at)
        .fetch_one(self.write())
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
            _ => other(e),
        })?;
        load(self.write(), id).await
    }

    async fn assessment(&self, id: i64) -> StoreResult<AssessmentRecord> {
        load(self.read(), id).await
    }

    async fn assessments_of(&self, location: &LocationId) -> StoreResult<Vec<AssessmentRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            assessment_columns!(),
            " FROM assessments WHERE location_id = $1 ORDER BY id DESC"
        ))
        .bind(location.as_str())
        .fetch_all(self.read())
        .await
        .map_err(other)?;
        filled(self.read(), &rows).await
    }

    async fn assessments_awaiting_review(&self, provider: &ProviderId) -> StoreResult<Vec<AssessmentRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            assessment_columns!(),
            " FROM assessments WHERE status = 'sent' \
             AND location_id IN (SELECT id FROM locations WHERE provider_id = $1) ORDER BY window_ends, id"
        ))
        .bind(provider.as_str())
        .fetch_all(self.read())
        .await
        .map_err(other)?;
        filled(self.read(), &rows).await
    }

    async fn update_assessment(
        &self,
        id: i64,
        change: &AssessmentChange,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.write().begin().await.map_err(other)?;
        let reopened_by = lifecycle(&mut tx, id).await?.may_change(&change.part()).map_err(refused)?;
        let Some(challenge) = reopened_by else {
            apply_change(&mut tx, id, change).await?;
            return tx.commit().await.map_err(other);
        };
        // A correction after an accepted challenge: recorded unless it changes nothing.
        let before = describe_recorded(&mut tx, id, change).await?;
        apply_change(&mut tx, id, change).await?;
        let after = describe_change(change);
        if before != after {
            record_correction(&mut tx, id, challenge, change, (before, after), by, at).await?;
        }
        tx.commit().await.map_err(other)
    }

    async fn send_assessment(
        &self,
        id: i64,
        window_ends: NaiveDate,
        at: DateTime<Utc>,
        emails: &[OutgoingEmail],
    ) -> StoreResult<()> {
        let mut tx = self.write().begin().await.map_err(other)?;
        lifecycle(&mut tx, id).await?.may_send().map_err(refused)?;
        if window_ends < at.date_naive() {
            return Err(StoreError::Invalid("the challenge window cannot end before it starts".into()));
        }
        sqlx::query("UPDATE assessments SET status = 'sent', sent_at = $1, window_ends = $2 WHERE id = $3")
            .bind(at)
            .bind(window_ends)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(other)?;
        for email in emails {
            crate::accounts::queue(&mut tx, email, None).await?;
        }
        tx.commit().await.map_err(other)
    }

    async fn raise_challenge(&self, id: i64, challenge: &NewChallenge) -> StoreResult<Challenge> {
        if challenge.text.trim().is_empty() || challenge.finding.trim().is_empty() {
            return Err(StoreError::Invalid("a challenge names its finding and says what is inaccurate".into()));
        }
        let mut tx = self.write().begin().await.map_err(other)?;
        lifecycle(&mut tx, id).await?.may_challenge(challenge.raised_at.date_naive()).map_err(refused)?;
        let row = sqlx::query(
            "INSERT INTO assessment_challenges (assessment_id, finding, text, raised_by, raised_at, status) \
             VALUES ($1, $2, $3, $4, $5, 'open') RETURNING id, finding, text, raised_by, raised_at, status, \
             decision_reason, decided_by, decided_at",
        )
        .bind(id)
        .bind(challenge.finding.trim())
        .bind(challenge.text.trim())
        .bind(challenge.raised_by.0)
        .bind(challenge.raised_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(other)?;
        let created = challenge_row(&row)?;
        tx.commit().await.map_err(other)?;
        Ok(created)
    }

    async fn decide_challenge(
        &self,
        id: i64,
        challenge: i64,
        decision: &ChallengeDecision,
        emails: &[OutgoingEmail],
    ) -> StoreResult<()> {
        if decision.status == ChallengeStatus::Open {
            return Err(StoreError::Invalid("a decision accepts or rejects the challenge".into()));
        }
        if decision.reason.trim().is_empty() {
            return Err(StoreError::Invalid("a decision on a challenge needs a reason".into()));
        }
        let mut tx = self.write().begin().await.map_err(other)?;
        lifecycle(&mut tx, id).await?.may_decide().map_err(refused)?;
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM assessment_challenges WHERE id = $1 AND assessment_id = $2")
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
            "UPDATE assessment_challenges SET status = $1, decision_reason = $2, decided_by = $3, decided_at = $4 \
             WHERE id = $5",
        )
        .bind(decision.status.code())
        .bind(decision.reason.trim())
        .bind(decision.decided_by.0)
        .bind(decision.decided_at)
        .bind(challenge)
        .execute(&mut *tx)
        .await
        .map_err(other)?;
        for email in emails {
            crate::accounts::queue(&mut tx, email, None).await?;
        }
        tx.commit().await.map_err(other)
    }

    async fn finish_challenges(&self, id: i64, by: UserId, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.write().begin().await.map_err(other)?;
        lifecycle(&mut tx, id).await?.may_finish_challenges(at.date_naive()).map_err(refused)?;
        sqlx::query("UPDATE assessments SET challenges_finished_by = $1, challenges_finished_at = $2 WHERE id = $3")
            .bind(by.0)
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(other)?;
        tx.commit().await.map_err(other)
    }

    async fn publish_assessment(&self, id: i64, publication: &Publication) -> StoreResult<()> {
        let mut tx = self.write().begin().await.map_err(other)?;
        lifecycle(&mut tx, id).await?.may_publish(publication.published_on).map_err(refused)?;
        let location: String = sqlx::query_scalar("SELECT location_id FROM assessments WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(other)?;
        // Current ratings are recomputed from every rating: register writes take turns.
        write::lock_register(&mut tx).await?;
        check_publication(&mut tx, &location, publication).await?;
        write::write_ratings(&mut tx, &publication.ratings).await?;
        sqlx::query(
            "UPDATE assessments SET status = 'published', published_at = $1, published_by = $2, published_on = $3, \
             result = $4 WHERE id = $5",
        )
        .bind(publication.published_at)
        .bind(publication.published_by.0)
        .bind(publication.published_on)
        .bind(&publication.result)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(other)?;
        let kind = candour_store::ChangeKind::Assessment;
        crate::journal::append(&mut tx, Some(&location), kind, publication.published_at).await?;
        tx.commit().await.map_err(other)?;
        // The directory shows the current rating.
        self.register_changed();
        Ok(())
    }
}

/// Two instances acting on one assessment at once.
#[cfg(all(test, candour_postgres_tests))]
mod instances {
    use chrono::{Days, Utc};

    use candour_domain::{Email, Location, LocationId, Provider, ProviderId, Rating, RatingRecord, RatingSource};
    use candour_domain::{ServiceKind, UserId};
    use candour_store::*;

    use crate::{PoolSize, PostgresStore};

    async fn a_sent_assessment(store: &PostgresStore) -> (i64, UserId) {
        let provider = ProviderId::parse("1-1").expect("valid id");
        let location = LocationId::parse("1-100").expect("valid id");
        let plan = ImportPlan {
            providers: vec![Provider::new(provider.clone(), "Brightwater Care Ltd")],
            locations: vec![Location::new(location.clone(), provider, "Willowbrook House")],
            ..Default::default()
        };
        store.apply_import(&plan).await.expect("import");
        let email = Email::parse("inspector@example.org").expect("valid email");
        let inspector = store.create_user(&NewUser { email, name: "Inspector".into(), grants: vec![] }).await;
        let by = inspector.expect("user").id;
        let new = NewAssessment {
            location_id: location,
            service_group: "Care home service with nursing".into(),
            service_kind: ServiceKind::CareHomeNursing,
            policy: "{}".into(),
            created_by: by,
            created_at: Utc::now(),
        };
        let id = store.create_assessment(&new).await.expect("create").id;
        store.send_assessment(id, Utc::now().date_naive(), Utc::now(), &[]).await.expect("send");
        (id, by)
    }

    fn publication(by: UserId, rating: Rating) -> Publication {
        let at = Utc::now() + Days::new(2);
        Publication {
            published_on: at.date_naive(),
            published_at: at,
            published_by: by,
            ratings: vec![RatingRecord {
                location_id: LocationId::parse("1-100").expect("valid id"),
                service_group: "Care home service with nursing".into(),
                published: at.date_naive(),
                source: RatingSource::Candour,
                overall: Some(rating),
                key_questions: Default::default(),
                report_type: None,
                inherited: false,
            }],
            result: "{}".into(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_assessment_is_published_once_whichever_instance_publishes_it() {
        let url = crate::conformance::fresh_url().await;
        let one = PostgresStore::open(&url, PoolSize(4)).await.expect("open");
        let two = PostgresStore::open(&url, PoolSize(4)).await.expect("open again");
        let (id, by) = a_sent_assessment(&one).await;
        let last = one.last_change().await.expect("last");
        let good = publication(by, Rating::Good);
        let poor = publication(by, Rating::Inadequate);
        let (a, b) = tokio::join!(one.publish_assessment(id, &good), two.publish_assessment(id, &poor));
        assert!(a.is_ok() != b.is_ok(), "exactly one publication: {a:?} {b:?}");
        assert!(matches!(a.err().or(b.err()), Some(StoreError::Conflict(_))));
        assert_eq!(one.changes_after(last, 10).await.expect("journal").len(), 1, "journaled once");
        let published = two.assessment(id).await.expect("assessment");
        let rated = two.location(&LocationId::parse("1-100").expect("valid id")).await.expect("location");
        assert_eq!(rated.rating_history.len(), 1, "one rating written");
        assert_eq!(published.status, AssessmentStatus::Published);
    }
}
