//! Improvement plans in SQLite: a plan's rows are read in a few queries on one
//! reader connection; every write runs in one transaction on the writer, and an
//! action or evidence item is always looked up through its plan, so an ID from
//! another plan answers `NotFound`.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use candour_domain::improvement::{
    ActionDetails, ActionStatus, FileKind, Finding, FindingKind, Reflection, check_status_change,
};
use candour_domain::{LocationId, UserId};
use candour_store::*;

use crate::codec::{corrupt, get, stamp};
use crate::{SqliteStore, other};

fn day(text: &str) -> StoreResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| corrupt("date", e))
}

fn status(text: &str) -> StoreResult<ActionStatus> {
    ActionStatus::parse(text).map_err(|e| corrupt("action status", e))
}

fn time(row: &SqliteRow, i: usize) -> StoreResult<DateTime<Utc>> {
    get(row, i)
}

async fn plan_row(conn: &mut SqliteConnection, id: i64) -> StoreResult<SqliteRow> {
    sqlx::query(
        "SELECT id, location_id, title, started_on, reflection, published_summary, published_by, published_at, \
         created_by, created_at, updated_at FROM improvement_plans WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
    .map_err(other)?
    .ok_or(StoreError::NotFound)
}

/// Plans by their IDs, in that order.
async fn load_plans(conn: &mut SqliteConnection, ids: Vec<i64>) -> StoreResult<Vec<Plan>> {
    let mut plans = Vec::with_capacity(ids.len());
    for id in ids {
        plans.push(load_plan(conn, id).await?);
    }
    Ok(plans)
}

async fn load_plan(conn: &mut SqliteConnection, id: i64) -> StoreResult<Plan> {
    let row = plan_row(conn, id).await?;
    let reflection: String = get(&row, 4)?;
    let summary: Option<String> = get(&row, 5)?;
    let publication = match summary {
        Some(summary) => Some(PlanPublication {
            summary,
            published_by: UserId(get::<Option<i64>>(&row, 6)?.unwrap_or_default()),
            published_at: get::<Option<DateTime<Utc>>>(&row, 7)?.ok_or_else(|| corrupt("publication", "no time"))?,
        }),
        None => None,
    };
    let findings = sqlx::query("SELECT id, kind, reference, text FROM plan_findings WHERE plan_id = ? ORDER BY id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(other)?
        .iter()
        .map(|r| {
            let kind: String = get(r, 1)?;
            Ok(PlanFinding {
                id: get(r, 0)?,
                finding: Finding {
                    kind: FindingKind::parse(&kind).map_err(|e| corrupt("finding kind", e))?,
                    reference: get(r, 2)?,
                    text: get(r, 3)?,
                },
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let actions = load_actions(conn, id).await?;
    let location: String = get(&row, 1)?;
    Ok(Plan {
        id,
        location_id: LocationId::parse(&location).map_err(|e| corrupt("location ID", e))?,
        title: get(&row, 2)?,
        started_on: day(&get::<String>(&row, 3)?)?,
        findings,
        actions,
        reflection: serde_json::from_str(&reflection).map_err(|e| corrupt("reflection", e))?,
        publication,
        created_by: UserId(get(&row, 8)?),
        created_at: time(&row, 9)?,
        updated_at: time(&row, 10)?,
    })
}

async fn load_actions(conn: &mut SqliteConnection, plan: i64) -> StoreResult<Vec<PlanAction>> {
    let mut history: HashMap<i64, Vec<StatusChange>> = HashMap::new();
    let changes = sqlx::query(
        "SELECT c.action_id, c.status, c.reason, c.by_user, c.at FROM plan_action_changes c \
         JOIN plan_actions a ON a.id = c.action_id WHERE a.plan_id = ? ORDER BY c.id",
    )
    .bind(plan)
    .fetch_all(&mut *conn)
    .await
    .map_err(other)?;
    for r in &changes {
        history.entry(get(r, 0)?).or_default().push(StatusChange {
            status: status(&get::<String>(r, 1)?)?,
            reason: get(r, 2)?,
            by: UserId(get(r, 3)?),
            at: time(r, 4)?,
        });
    }
    let mut evidence: HashMap<i64, Vec<Evidence>> = HashMap::new();
    let items = sqlx::query(
        "SELECT e.id, e.action_id, e.note, e.file_name, e.file_kind, e.file_size, e.file_sha256, e.public, \
         e.added_by, e.added_at FROM plan_evidence e JOIN plan_actions a ON a.id = e.action_id \
         WHERE a.plan_id = ? ORDER BY e.id",
    )
    .bind(plan)
    .fetch_all(&mut *conn)
    .await
    .map_err(other)?;
    for r in &items {
        let item = evidence_of(r)?;
        evidence.entry(item.action_id).or_default().push(item);
    }
    let rows = sqlx::query(
        "SELECT id, finding_id, statement, description, owner, due_on, status, public, created_at \
         FROM plan_actions WHERE plan_id = ? ORDER BY id",
    )
    .bind(plan)
    .fetch_all(&mut *conn)
    .await
    .map_err(other)?;
    rows.iter()
        .map(|r| {
            let id: i64 = get(r, 0)?;
            Ok(PlanAction {
                id,
                details: ActionDetails {
                    finding_id: get(r, 1)?,
                    statement: get(r, 2)?,
                    description: get(r, 3)?,
                    owner: get(r, 4)?,
                    due_on: day(&get::<String>(r, 5)?)?,
                },
                status: status(&get::<String>(r, 6)?)?,
                public: get(r, 7)?,
                history: history.remove(&id).unwrap_or_default(),
                evidence: evidence.remove(&id).unwrap_or_default(),
                created_at: time(r, 8)?,
            })
        })
        .collect()
}

fn evidence_of(r: &SqliteRow) -> StoreResult<Evidence> {
    let name: Option<String> = get(r, 3)?;
    let file = match name {
        Some(name) => {
            let kind: String = get::<Option<String>>(r, 4)?.unwrap_or_default();
            Some(FileMeta {
                name,
                kind: FileKind::parse(&kind).ok_or_else(|| corrupt("file kind", &kind))?,
                size: get::<Option<i64>>(r, 5)?.unwrap_or_default() as u64,
                sha256: get::<Option<String>>(r, 6)?.unwrap_or_default(),
            })
        }
        None => None,
    };
    Ok(Evidence {
        id: get(r, 0)?,
        action_id: get(r, 1)?,
        note: get(r, 2)?,
        file,
        public: get(r, 7)?,
        added_by: UserId(get(r, 8)?),
        added_at: time(r, 9)?,
    })
}

/// The action's status and its count of evidence items, when it is the plan's.
async fn action_state(conn: &mut SqliteConnection, plan: i64, action: i64) -> StoreResult<(ActionStatus, i64)> {
    let row = sqlx::query(
        "SELECT status, (SELECT COUNT(*) FROM plan_evidence WHERE action_id = a.id) FROM plan_actions a \
         WHERE a.id = ? AND a.plan_id = ?",
    )
    .bind(action)
    .bind(plan)
    .fetch_optional(conn)
    .await
    .map_err(other)?
    .ok_or(StoreError::NotFound)?;
    Ok((status(&row.try_get::<String, _>(0).map_err(other)?)?, row.try_get(1).map_err(other)?))
}

async fn finding_is_the_plans(conn: &mut SqliteConnection, plan: i64, finding: i64) -> StoreResult<()> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM plan_findings WHERE id = ? AND plan_id = ?")
        .bind(finding)
        .bind(plan)
        .fetch_optional(conn)
        .await
        .map_err(other)?;
    found.map(drop).ok_or_else(|| StoreError::Invalid("the action's finding is not one of this plan's".into()))
}

async fn touch(conn: &mut SqliteConnection, plan: i64, at: DateTime<Utc>) -> StoreResult<()> {
    let done = sqlx::query("UPDATE improvement_plans SET updated_at = ? WHERE id = ?")
        .bind(stamp(at))
        .bind(plan)
        .execute(conn)
        .await
        .map_err(other)?;
    if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

fn foreign_key(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
        _ => other(e),
    }
}

#[async_trait]
impl ImprovementStore for SqliteStore {
    async fn create_plan(&self, new: &NewPlan) -> StoreResult<Plan> {
        if new.findings.is_empty() {
            return Err(StoreError::Invalid("a plan answers at least one finding".into()));
        }
        let mut tx = self.writer.begin().await.map_err(other)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO improvement_plans (location_id, title, started_on, created_by, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(new.location_id.as_str())
        .bind(&new.title)
        .bind(new.started_on.to_string())
        .bind(new.created_by.0)
        .bind(stamp(new.created_at))
        .bind(stamp(new.created_at))
        .fetch_one(&mut *tx)
        .await
        .map_err(foreign_key)?;
        for f in &new.findings {
            sqlx::query("INSERT INTO plan_findings (plan_id, kind, reference, text) VALUES (?, ?, ?, ?)")
                .bind(id)
                .bind(f.kind.code())
                .bind(&f.reference)
                .bind(&f.text)
                .execute(&mut *tx)
                .await
                .map_err(other)?;
        }
        let plan = load_plan(&mut tx, id).await?;
        tx.commit().await.map_err(other)?;
        Ok(plan)
    }

    async fn plan(&self, id: i64) -> StoreResult<Plan> {
        let mut conn = self.reader.acquire().await.map_err(other)?;
        load_plan(&mut conn, id).await
    }

    async fn plans_of(&self, location: &LocationId) -> StoreResult<Vec<Plan>> {
        let mut conn = self.reader.acquire().await.map_err(other)?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM locations WHERE id = ?")
            .bind(location.as_str())
            .fetch_optional(&mut *conn)
            .await
            .map_err(other)?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM improvement_plans WHERE location_id = ? ORDER BY created_at DESC, id DESC",
        )
        .bind(location.as_str())
        .fetch_all(&mut *conn)
        .await
        .map_err(other)?;
        load_plans(&mut conn, ids).await
    }

    async fn plans_in(&self, locations: &[LocationId]) -> StoreResult<Vec<Plan>> {
        if locations.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.reader.acquire().await.map_err(other)?;
        let mut q = QueryBuilder::<Sqlite>::new("SELECT id FROM improvement_plans WHERE location_id IN (");
        let mut list = q.separated(", ");
        for l in locations {
            list.push_bind(l.as_str().to_string());
        }
        q.push(") ORDER BY created_at DESC, id DESC");
        let ids: Vec<i64> = q.build_query_scalar().fetch_all(&mut *conn).await.map_err(other)?;
        load_plans(&mut conn, ids).await
    }

    async fn plans_with_open_actions(&self) -> StoreResult<Vec<Plan>> {
        let mut conn = self.reader.acquire().await.map_err(other)?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT plan_id FROM plan_actions WHERE status IN ('not_started', 'in_progress') ORDER BY plan_id",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(other)?;
        load_plans(&mut conn, ids).await
    }

    async fn add_action(
        &self,
        plan: i64,
        details: &ActionDetails,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<PlanAction> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        touch(&mut tx, plan, at).await?;
        finding_is_the_plans(&mut tx, plan, details.finding_id).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO plan_actions (plan_id, finding_id, statement, description, owner, due_on, status, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, 'not_started', ?) RETURNING id",
        )
        .bind(plan)
        .bind(details.finding_id)
        .bind(&details.statement)
        .bind(&details.description)
        .bind(&details.owner)
        .bind(details.due_on.to_string())
        .bind(stamp(at))
        .fetch_one(&mut *tx)
        .await
        .map_err(foreign_key)?;
        sqlx::query("INSERT INTO plan_action_changes (action_id, status, by_user, at) VALUES (?, 'not_started', ?, ?)")
            .bind(id)
            .bind(by.0)
            .bind(stamp(at))
            .execute(&mut *tx)
            .await
            .map_err(foreign_key)?;
        let action = load_actions(&mut tx, plan).await?.into_iter().find(|a| a.id == id).ok_or(StoreError::NotFound)?;
        tx.commit().await.map_err(other)?;
        Ok(action)
    }

    async fn update_action(
        &self,
        plan: i64,
        action: i64,
        details: &ActionDetails,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        action_state(&mut tx, plan, action).await?;
        finding_is_the_plans(&mut tx, plan, details.finding_id).await?;
        sqlx::query(
            "UPDATE plan_actions SET finding_id = ?, statement = ?, description = ?, owner = ?, due_on = ? \
             WHERE id = ? AND plan_id = ?",
        )
        .bind(details.finding_id)
        .bind(&details.statement)
        .bind(&details.description)
        .bind(&details.owner)
        .bind(details.due_on.to_string())
        .bind(action)
        .bind(plan)
        .execute(&mut *tx)
        .await
        .map_err(other)?;
        touch(&mut tx, plan, at).await?;
        tx.commit().await.map_err(other)
    }

    async fn set_action_status(&self, plan: i64, action: i64, change: &StatusChange) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        let (from, evidence) = action_state(&mut tx, plan, action).await?;
        let reason = change.reason.as_deref().unwrap_or("");
        check_status_change(from, change.status, evidence as usize, reason)
            .map_err(|p| StoreError::Conflict(p.message))?;
        sqlx::query("UPDATE plan_actions SET status = ? WHERE id = ?")
            .bind(change.status.code())
            .bind(action)
            .execute(&mut *tx)
            .await
            .map_err(other)?;
        sqlx::query("INSERT INTO plan_action_changes (action_id, status, reason, by_user, at) VALUES (?, ?, ?, ?, ?)")
            .bind(action)
            .bind(change.status.code())
            .bind(change.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()))
            .bind(change.by.0)
            .bind(stamp(change.at))
            .execute(&mut *tx)
            .await
            .map_err(foreign_key)?;
        touch(&mut tx, plan, change.at).await?;
        tx.commit().await.map_err(other)
    }

    async fn add_evidence(&self, plan: i64, action: i64, evidence: &NewEvidence) -> StoreResult<Evidence> {
        if evidence.note.trim().is_empty() && evidence.file.is_none() {
            return Err(StoreError::Invalid("evidence needs a note or a file".into()));
        }
        let mut tx = self.writer.begin().await.map_err(other)?;
        action_state(&mut tx, plan, action).await?;
        let (meta, content) = match &evidence.file {
            Some((meta, content)) => (Some(meta), Some(content.as_slice())),
            None => (None, None),
        };
        let row = sqlx::query(
            "INSERT INTO plan_evidence (action_id, note, file_name, file_kind, file_size, file_sha256, content, \
             added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id, action_id, note, file_name, \
             file_kind, file_size, file_sha256, public, added_by, added_at",
        )
        .bind(action)
        .bind(evidence.note.trim())
        .bind(meta.map(|m| m.name.clone()))
        .bind(meta.map(|m| m.kind.code()))
        .bind(meta.map(|m| m.size as i64))
        .bind(meta.map(|m| m.sha256.clone()))
        .bind(content)
        .bind(evidence.added_by.0)
        .bind(stamp(evidence.added_at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_check_violation() => StoreError::Invalid(format!("evidence refused: {d}")),
            _ => foreign_key(e),
        })?;
        let item = evidence_of(&row)?;
        touch(&mut tx, plan, evidence.added_at).await?;
        tx.commit().await.map_err(other)?;
        Ok(item)
    }

    async fn evidence_file(&self, plan: i64, evidence: i64) -> StoreResult<(FileMeta, Vec<u8>)> {
        let row = sqlx::query(
            "SELECT e.file_name, e.file_kind, e.file_size, e.file_sha256, e.content FROM plan_evidence e \
             JOIN plan_actions a ON a.id = e.action_id WHERE e.id = ? AND a.plan_id = ? AND e.content IS NOT NULL",
        )
        .bind(evidence)
        .bind(plan)
        .fetch_optional(&self.reader)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
        let kind: String = get(&row, 1)?;
        let meta = FileMeta {
            name: get(&row, 0)?,
            kind: FileKind::parse(&kind).ok_or_else(|| corrupt("file kind", &kind))?,
            size: get::<i64>(&row, 2)? as u64,
            sha256: get(&row, 3)?,
        };
        Ok((meta, get(&row, 4)?))
    }

    async fn save_reflection(&self, plan: i64, reflection: &Reflection, at: DateTime<Utc>) -> StoreResult<()> {
        let text = serde_json::to_string(reflection).map_err(other)?;
        let done = sqlx::query("UPDATE improvement_plans SET reflection = ?, updated_at = ? WHERE id = ?")
            .bind(text)
            .bind(stamp(at))
            .bind(plan)
            .execute(&self.writer)
            .await
            .map_err(other)?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn publish_plan(&self, plan: i64, publishing: &Publishing) -> StoreResult<()> {
        let summary = publishing.summary.trim();
        if summary.is_empty() {
            return Err(StoreError::Invalid("a published plan needs its summary".into()));
        }
        let mut tx = self.writer.begin().await.map_err(other)?;
        let current = load_plan(&mut tx, plan).await?;
        if let Some(id) = publishing.actions.iter().find(|id| current.action(**id).is_none()) {
            return Err(StoreError::Invalid(format!("action {id} is not one of this plan's")));
        }
        if let Some(id) = publishing.evidence.iter().find(|id| current.evidence(**id).is_none()) {
            return Err(StoreError::Invalid(format!("evidence {id} is not one of this plan's")));
        }
        for action in &current.actions {
            sqlx::query("UPDATE plan_actions SET public = ? WHERE id = ?")
                .bind(publishing.actions.contains(&action.id))
                .bind(action.id)
                .execute(&mut *tx)
                .await
                .map_err(other)?;
            for item in &action.evidence {
                sqlx::query("UPDATE plan_evidence SET public = ? WHERE id = ?")
                    .bind(publishing.evidence.contains(&item.id))
                    .bind(item.id)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
            }
        }
        sqlx::query(
            "UPDATE improvement_plans SET published_summary = ?, published_by = ?, published_at = ?, updated_at = ? \
             WHERE id = ?",
        )
        .bind(summary)
        .bind(publishing.by.0)
        .bind(stamp(publishing.at))
        .bind(stamp(publishing.at))
        .bind(plan)
        .execute(&mut *tx)
        .await
        .map_err(foreign_key)?;
        let location = Some(current.location_id.as_str());
        crate::journal::append(&mut tx, location, ChangeKind::Improvement, publishing.at).await?;
        tx.commit().await.map_err(other)
    }

    async fn unpublish_plan(&self, plan: i64, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        let location: Option<String> = sqlx::query_scalar(
            "UPDATE improvement_plans SET published_summary = NULL, published_by = NULL, published_at = NULL, \
             updated_at = ? WHERE id = ? RETURNING location_id",
        )
        .bind(stamp(at))
        .bind(plan)
        .fetch_optional(&mut *tx)
        .await
        .map_err(other)?;
        let location = location.ok_or(StoreError::NotFound)?;
        crate::journal::append(&mut tx, Some(&location), ChangeKind::Improvement, at).await?;
        tx.commit().await.map_err(other)
    }
}
