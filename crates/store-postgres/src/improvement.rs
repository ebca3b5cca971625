//! Improvement plans in PostgreSQL: a plan's rows are read in a few queries on
//! one connection; every write runs in one transaction that first locks the
//! plan's row, so that writes to one plan (a status change, new evidence,
//! publishing) take turns, while different plans are written at once. An action
//! or evidence item is always looked up through its plan, so an ID from another
//! plan answers `NotFound`.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::postgres::PgRow;

use candour_domain::improvement::{
    ActionDetails, ActionStatus, FileKind, Finding, FindingKind, Reflection, check_status_change,
};
use candour_domain::{LocationId, UserId};
use candour_store::*;

use crate::codec::get;
use crate::{PostgresStore, corrupt, journal, other};

fn status(text: &str) -> StoreResult<ActionStatus> {
    ActionStatus::parse(text).map_err(|e| corrupt("action status", e))
}

fn foreign_key(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
        _ => other(e),
    }
}

/// Plans by their IDs, in that order.
async fn load_plans(conn: &mut PgConnection, ids: Vec<i64>) -> StoreResult<Vec<Plan>> {
    let mut plans = Vec::with_capacity(ids.len());
    for id in ids {
        plans.push(load_plan(conn, id).await?);
    }
    Ok(plans)
}

async fn load_plan(conn: &mut PgConnection, id: i64) -> StoreResult<Plan> {
    let row = sqlx::query(
        "SELECT id, location_id, title, started_on, reflection, published_summary, published_by, published_at, \
         created_by, created_at, updated_at FROM improvement_plans WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(other)?
    .ok_or(StoreError::NotFound)?;
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
    let findings = load_findings(conn, id).await?;
    let actions = load_actions(conn, id).await?;
    let location: String = get(&row, 1)?;
    Ok(Plan {
        id,
        location_id: LocationId::parse(&location).map_err(|e| corrupt("location ID", e))?,
        title: get(&row, 2)?,
        started_on: get(&row, 3)?,
        findings,
        actions,
        reflection: serde_json::from_str(&reflection).map_err(|e| corrupt("reflection", e))?,
        publication,
        created_by: UserId(get(&row, 8)?),
        created_at: get(&row, 9)?,
        updated_at: get(&row, 10)?,
    })
}

async fn load_findings(conn: &mut PgConnection, plan: i64) -> StoreResult<Vec<PlanFinding>> {
    sqlx::query("SELECT id, kind, reference, text FROM plan_findings WHERE plan_id = $1 ORDER BY id")
        .bind(plan)
        .fetch_all(conn)
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
        .collect()
}

async fn load_actions(conn: &mut PgConnection, plan: i64) -> StoreResult<Vec<PlanAction>> {
    let mut history = load_history(conn, plan).await?;
    let mut evidence: HashMap<i64, Vec<Evidence>> = HashMap::new();
    let items = sqlx::query(
        "SELECT e.id, e.action_id, e.note, e.file_name, e.file_kind, e.file_size, e.file_sha256, e.public, \
         e.added_by, e.added_at FROM plan_evidence e JOIN plan_actions a ON a.id = e.action_id \
         WHERE a.plan_id = $1 ORDER BY e.id",
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
         FROM plan_actions WHERE plan_id = $1 ORDER BY id",
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
                    due_on: get(r, 5)?,
                },
                status: status(&get::<String>(r, 6)?)?,
                public: get(r, 7)?,
                history: history.remove(&id).unwrap_or_default(),
                evidence: evidence.remove(&id).unwrap_or_default(),
                created_at: get(r, 8)?,
            })
        })
        .collect()
}

/// Every status change of the plan's actions, oldest first, by action ID.
async fn load_history(conn: &mut PgConnection, plan: i64) -> StoreResult<HashMap<i64, Vec<StatusChange>>> {
    let rows = sqlx::query(
        "SELECT c.action_id, c.status, c.reason, c.by_user, c.at FROM plan_action_changes c \
         JOIN plan_actions a ON a.id = c.action_id WHERE a.plan_id = $1 ORDER BY c.id",
    )
    .bind(plan)
    .fetch_all(conn)
    .await
    .map_err(other)?;
    let mut history: HashMap<i64, Vec<StatusChange>> = HashMap::new();
    for r in &rows {
        history.entry(get(r, 0)?).or_default().push(StatusChange {
            status: status(&get::<String>(r, 1)?)?,
            reason: get(r, 2)?,
            by: UserId(get(r, 3)?),
            at: get(r, 4)?,
        });
    }
    Ok(history)
}

fn evidence_of(r: &PgRow) -> StoreResult<Evidence> {
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
        added_at: get(r, 9)?,
    })
}

/// Locks the plan's row for the rest of the transaction: writes to one plan take
/// turns, always plan first, so they cannot deadlock on its actions.
async fn lock_plan(conn: &mut PgConnection, plan: i64) -> StoreResult<()> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM improvement_plans WHERE id = $1 FOR UPDATE")
        .bind(plan)
        .fetch_optional(conn)
        .await
        .map_err(other)?;
    found.map(drop).ok_or(StoreError::NotFound)
}

/// The action's status and its count of evidence items, when it is the plan's.
/// Read under [`lock_plan`], so that neither changes before the commit.
async fn action_state(conn: &mut PgConnection, plan: i64, action: i64) -> StoreResult<(ActionStatus, i64)> {
    let row = sqlx::query(
        "SELECT status, (SELECT COUNT(*) FROM plan_evidence WHERE action_id = a.id) FROM plan_actions a \
         WHERE a.id = $1 AND a.plan_id = $2",
    )
    .bind(action)
    .bind(plan)
    .fetch_optional(conn)
    .await
    .map_err(other)?
    .ok_or(StoreError::NotFound)?;
    Ok((status(&get::<String>(&row, 0)?)?, get(&row, 1)?))
}

async fn finding_is_the_plans(conn: &mut PgConnection, plan: i64, finding: i64) -> StoreResult<()> {
    let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM plan_findings WHERE id = $1 AND plan_id = $2")
        .bind(finding)
        .bind(plan)
        .fetch_optional(conn)
        .await
        .map_err(other)?;
    found.map(drop).ok_or_else(|| StoreError::Invalid("the action's finding is not one of this plan's".into()))
}

async fn touch(conn: &mut PgConnection, plan: i64, at: DateTime<Utc>) -> StoreResult<()> {
    sqlx::query("UPDATE improvement_plans SET updated_at = $1 WHERE id = $2")
        .bind(at)
        .bind(plan)
        .execute(conn)
        .await
        .map(drop)
        .map_err(other)
}

async fn insert_findings(conn: &mut PgConnection, plan: i64, findings: &[Finding]) -> StoreResult<()> {
    let kinds: Vec<&str> = findings.iter().map(|f| f.kind.code()).collect();
    let references: Vec<&str> = findings.iter().map(|f| f.reference.as_str()).collect();
    let texts: Vec<&str> = findings.iter().map(|f| f.text.as_str()).collect();
    // In the given order, so that their IDs keep it.
    sqlx::query(
        "INSERT INTO plan_findings (plan_id, kind, reference, text) \
         SELECT $1, kind, reference, text FROM UNNEST($2::text[], $3::text[], $4::text[]) \
         WITH ORDINALITY AS f(kind, reference, text, n) ORDER BY n",
    )
    .bind(plan)
    .bind(&kinds)
    .bind(&references)
    .bind(&texts)
    .execute(conn)
    .await
    .map(drop)
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_check_violation() => StoreError::Invalid(format!("finding refused: {d}")),
        _ => other(e),
    })
}

#[async_trait]
impl ImprovementStore for PostgresStore {
    async fn create_plan(&self, new: &NewPlan) -> StoreResult<Plan> {
        if new.findings.is_empty() {
            return Err(StoreError::Invalid("a plan answers at least one finding".into()));
        }
        let mut tx = self.write().begin().await.map_err(other)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO improvement_plans (location_id, title, started_on, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(new.location_id.as_str())
        .bind(&new.title)
        .bind(new.started_on)
        .bind(new.created_by.0)
        .bind(new.created_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(foreign_key)?;
        insert_findings(&mut tx, id, &new.findings).await?;
        let plan = load_plan(&mut tx, id).await?;
        tx.commit().await.map_err(other)?;
        Ok(plan)
    }

    async fn plan(&self, id: i64) -> StoreResult<Plan> {
        let mut conn = self.read().acquire().await.map_err(other)?;
        load_plan(&mut conn, id).await
    }

    async fn plans_of(&self, location: &LocationId) -> StoreResult<Vec<Plan>> {
        let mut conn = self.read().acquire().await.map_err(other)?;
        let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM locations WHERE id = $1")
            .bind(location.as_str())
            .fetch_optional(&mut *conn)
            .await
            .map_err(other)?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM improvement_plans WHERE location_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(location.as_str())
        .fetch_all(&mut *conn)
        .await
        .map_err(other)?;
        load_plans(&mut conn, ids).await
    }

    async fn plans_in(&self, locations: &[LocationId]) -> StoreResult<Vec<Plan>> {
        let mut conn = self.read().acquire().await.map_err(other)?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM improvement_plans WHERE location_id = ANY($1) ORDER BY created_at DESC, id DESC",
        )
        .bind(locations.iter().map(|l| l.as_str()).collect::<Vec<_>>())
        .fetch_all(&mut *conn)
        .await
        .map_err(other)?;
        load_plans(&mut conn, ids).await
    }

    async fn plans_with_open_actions(&self) -> StoreResult<Vec<Plan>> {
        let mut conn = self.read().acquire().await.map_err(other)?;
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
        let mut tx = self.write().begin().await.map_err(other)?;
        lock_plan(&mut tx, plan).await?;
        finding_is_the_plans(&mut tx, plan, details.finding_id).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO plan_actions (plan_id, finding_id, statement, description, owner, due_on, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'not_started', $7) RETURNING id",
        )
        .bind(plan)
        .bind(details.finding_id)
        .bind(&details.statement)
        .bind(&details.description)
        .bind(&details.owner)
        .bind(details.due_on)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(foreign_key)?;
        sqlx::query(
            "INSERT INTO plan_action_changes (action_id, status, by_user, at) VALUES ($1, 'not_started', $2, $3)",
        )
        .bind(id)
        .bind(by.0)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(foreign_key)?;
        touch(&mut tx, plan, at).await?;
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
        let mut tx = self.write().begin().await.map_err(other)?;
        lock_plan(&mut tx, plan).await?;
        action_state(&mut tx, plan, action).await?;
        finding_is_the_plans(&mut tx, plan, details.finding_id).await?;
        sqlx::query(
            "UPDATE plan_actions SET finding_id = $1, statement = $2, description = $3, owner = $4, due_on = $5 \
             WHERE id = $6 AND plan_id = $7",
        )
        .bind(details.finding_id)
        .bind(&details.statement)
        .bind(&details.description)
        .bind(&details.owner)
        .bind(details.due_on)
        .bind(action)
        .bind(plan)
        .execute(&mut *tx)
        .await
        .map_err(other)?;
        touch(&mut tx, plan, at).await?;
        tx.commit().await.map_err(other)
    }

    async fn set_action_status(&self, plan: i64, action: i64, change: &StatusChange) -> StoreResult<()> {
        let mut tx = self.write().begin().await.map_err(other)?;
        lock_plan(&mut tx, plan).await?;
        let (from, evidence) = action_state(&mut tx, plan, action).await?;
        let reason = change.reason.as_deref().unwrap_or("");
        check_status_change(from, change.status, evidence as usize, reason)
            .map_err(|p| StoreError::Conflict(p.message))?;
        sqlx::query("UPDATE plan_actions SET status = $1 WHERE id = $2")
            .bind(change.status.code())
            .bind(action)
            .execute(&mut *tx)
            .await
            .map_err(other)?;
        sqlx::query(
            "INSERT INTO plan_action_changes (action_id, status, reason, by_user, at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(action)
        .bind(change.status.code())
        .bind(change.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()))
        .bind(change.by.0)
        .bind(change.at)
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
        let mut tx = self.write().begin().await.map_err(other)?;
        lock_plan(&mut tx, plan).await?;
        action_state(&mut tx, plan, action).await?;
        let (meta, content) = match &evidence.file {
            Some((meta, content)) => (Some(meta), Some(content.as_slice())),
            None => (None, None),
        };
        let row = sqlx::query(
            "INSERT INTO plan_evidence (action_id, note, file_name, file_kind, file_size, file_sha256, content, \
             added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, action_id, note, \
             file_name, file_kind, file_size, file_sha256, public, added_by, added_at",
        )
        .bind(action)
        .bind(evidence.note.trim())
        .bind(meta.map(|m| m.name.as_str()))
        .bind(meta.map(|m| m.kind.code()))
        .bind(meta.map(|m| m.size as i64))
        .bind(meta.map(|m| m.sha256.as_str()))
        .bind(content)
        .bind(evidence.added_by.0)
        .bind(evidence.added_at)
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
             JOIN plan_actions a ON a.id = e.action_id WHERE e.id = $1 AND a.plan_id = $2 AND e.content IS NOT NULL",
        )
        .bind(evidence)
        .bind(plan)
        .fetch_optional(self.read())
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
        let done = sqlx::query("UPDATE improvement_plans SET reflection = $1, updated_at = $2 WHERE id = $3")
            .bind(text)
            .bind(at)
            .bind(plan)
            .execute(self.write())
            .await
            .map_err(other)?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn publish_plan(&self, plan: i64, publishing: &Publishing) -> StoreResult<()> {
        let summary = publishing.summary.trim();
        if summary.is_empty() {
            return Err(StoreError::Invalid("a published plan needs its summary".into()));
        }
        let mut tx = self.write().begin().await.map_err(other)?;
        lock_plan(&mut tx, plan).await?;
        let current = load_plan(&mut tx, plan).await?;
        if let Some(id) = publishing.actions.iter().find(|id| current.action(**id).is_none()) {
            return Err(StoreError::Invalid(format!("action {id} is not one of this plan's")));
        }
        if let Some(id) = publishing.evidence.iter().find(|id| current.evidence(**id).is_none()) {
            return Err(StoreError::Invalid(format!("evidence {id} is not one of this plan's")));
        }
        sqlx::query("UPDATE plan_actions SET public = (id = ANY($2)) WHERE plan_id = $1")
            .bind(plan)
            .bind(&publishing.actions)
            .execute(&mut *tx)
            .await
            .map_err(other)?;
        sqlx::query(
            "UPDATE plan_evidence e SET public = (e.id = ANY($2)) FROM plan_actions a \
             WHERE a.id = e.action_id AND a.plan_id = $1",
        )
        .bind(plan)
        .bind(&publishing.evidence)
        .execute(&mut *tx)
        .await
        .map_err(other)?;
        sqlx::query(
            "UPDATE improvement_plans SET published_summary = $1, published_by = $2, published_at = $3, \
             updated_at = $3 WHERE id = $4",
        )
        .bind(summary)
        .bind(publishing.by.0)
        .bind(publishing.at)
        .bind(plan)
        .execute(&mut *tx)
        .await
        .map_err(foreign_key)?;
        let location = Some(current.location_id.as_str());
        journal::append(&mut tx, location, ChangeKind::Improvement, publishing.at).await?;
        tx.commit().await.map_err(other)
    }

    async fn unpublish_plan(&self, plan: i64, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.write().begin().await.map_err(other)?;
        let location: Option<String> = sqlx::query_scalar(
            "UPDATE improvement_plans SET published_summary = NULL, published_by = NULL, published_at = NULL, \
             updated_at = $1 WHERE id = $2 RETURNING location_id",
        )
        .bind(at)
        .bind(plan)
        .fetch_optional(&mut *tx)
        .await
        .map_err(other)?;
        let location = location.ok_or(StoreError::NotFound)?;
        journal::append(&mut tx, Some(&location), ChangeKind::Improvement, at).await?;
        tx.commit().await.map_err(other)
    }
}

#[cfg(all(test, candour_postgres_tests))]
mod concurrent {
    use candour_domain::Email;

    use crate::policies::concurrent::{at, store_with_one_location};

    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn one_of_many_equal_status_changes_at_once_is_kept() {
        let store = store_with_one_location().await;
        let email = Email::parse("plans@example.org").expect("email");
        let user = store.create_user(&NewUser { email, name: "Plans".into(), grants: vec![] }).await.expect("user");
        let finding = Finding { kind: FindingKind::Other, reference: String::new(), text: "Missed visits".into() };
        let new = NewPlan {
            location_id: LocationId::parse("1-100").expect("id"),
            title: "Plan".into(),
            started_on: at(0).date_naive(),
            findings: vec![finding],
            created_by: user.id,
            created_at: at(1),
        };
        let plan = store.create_plan(&new).await.expect("plan");
        let details = ActionDetails {
            finding_id: plan.findings[0].id,
            statement: "S4".into(),
            description: "Audit".into(),
            owner: "Manager".into(),
            due_on: at(0).date_naive(),
        };
        let action = store.add_action(plan.id, &details, user.id, at(2)).await.expect("action");
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                let change = StatusChange { status: ActionStatus::InProgress, reason: None, by: user.id, at: at(3) };
                tokio::spawn(async move { store.set_action_status(plan.id, action.id, &change).await.is_ok() })
            })
            .collect();
        let mut accepted = 0;
        for task in tasks {
            accepted += usize::from(task.await.expect("task"));
        }
        assert_eq!(accepted, 1);
        let kept = store.plan(plan.id).await.expect("plan");
        assert_eq!(kept.actions[0].history.len(), 2, "created, then started once");
    }
}
