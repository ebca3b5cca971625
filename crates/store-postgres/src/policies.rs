//! The policy cascade, the storage side: versioned policies and staff read
//! confirmations. Writers run at once here, so a publication locks the policy's
//! row (two publications at once get versions n and n+1, never two n), and a
//! confirmation holds a share lock on it (no new version or withdrawal slips in
//! between checking the current version and recording the read).

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::postgres::PgRow;

use candour_domain::policies::{PolicyDraft, PolicyKind, ReadCount, Version};
use candour_domain::{Email, Grant, LocationId, ProviderId, Role, Scope, UserId};
use candour_store::*;

use crate::codec::get;
use crate::{PostgresStore, corrupt, journal, other};

/// The accounts (not disabled) that work for provider `$1`, with each grant that
/// makes them so: `user_id, name, email, has_password, role, scope_kind, scope_value`.
const PEOPLE_OF_PROVIDER: &str = "SELECT u.id, u.name, u.email, u.password_hash IS NOT NULL, g.role, g.scope_kind, \
     g.scope_value FROM users u JOIN user_grants g ON g.user_id = u.id \
     WHERE NOT u.disabled AND ((g.role = 'provider_admin' AND g.scope_kind = 'provider' AND g.scope_value = $1) \
     OR (g.role IN ('manager', 'staff') AND g.scope_kind = 'location' \
         AND g.scope_value IN (SELECT id FROM locations WHERE provider_id = $1))) \
     ORDER BY lower(u.name), u.id, g.role, g.scope_value";

macro_rules! version_columns {
    () => {
        "v.policy_id, v.version, v.title, v.kind, v.body, v.changes, v.requires_confirmation, v.published_by, \
         v.published_at"
    };
}

fn provider_id(text: &str) -> StoreResult<ProviderId> {
    ProviderId::parse(text).map_err(|e| corrupt("provider ID", e))
}

fn kind(text: &str) -> StoreResult<PolicyKind> {
    PolicyKind::parse(text).map_err(|e| corrupt("policy kind", e))
}

fn version(n: i64) -> StoreResult<Version> {
    u32::try_from(n).ok().filter(|n| *n >= 1).map(Version).ok_or_else(|| corrupt("policy version", n))
}

fn foreign_key(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
        _ => other(e),
    }
}

/// Reads [`version_columns!`] from column 0.
fn policy_version(row: &PgRow) -> StoreResult<PolicyVersion> {
    Ok(PolicyVersion {
        policy_id: get(row, 0)?,
        version: version(get(row, 1)?)?,
        draft: PolicyDraft {
            title: get(row, 2)?,
            kind: kind(&get::<String>(row, 3)?)?,
            body: get(row, 4)?,
            changes: get(row, 5)?,
            requires_confirmation: get(row, 6)?,
        },
        published_by: get::<Option<i64>>(row, 7)?.map(UserId),
        published_at: get(row, 8)?,
    })
}

/// Inserts the version and reads it back as kept.
async fn insert_version(
    conn: &mut PgConnection,
    policy: i64,
    at: Version,
    new: &NewPolicyVersion,
) -> StoreResult<PolicyVersion> {
    let d = &new.draft;
    let row = sqlx::query(concat!(
        "INSERT INTO policy_versions AS v (policy_id, version, title, kind, body, changes, requires_confirmation, \
         published_by, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ",
        version_columns!()
    ))
    .bind(policy)
    .bind(i64::from(at.0))
    .bind(&d.title)
    .bind(d.kind.code())
    .bind(&d.body)
    .bind(&d.changes)
    .bind(d.requires_confirmation)
    .bind(new.published_by.map(|u| u.0))
    .bind(new.published_at)
    .fetch_one(conn)
    .await
    .map_err(foreign_key)?;
    policy_version(&row)
}

async fn fetch_version(conn: &mut PgConnection, policy: i64, at: Version) -> StoreResult<PolicyVersion> {
    let row = sqlx::query(concat!(
        "SELECT ",
        version_columns!(),
        " FROM policy_versions v WHERE v.policy_id = $1 AND v.version = $2"
    ))
    .bind(policy)
    .bind(i64::from(at.0))
    .fetch_optional(conn)
    .await
    .map_err(other)?
    .ok_or(StoreError::NotFound)?;
    policy_version(&row)
}

/// The next version of the provider's policy, its row locked until the commit.
async fn next_version(conn: &mut PgConnection, policy: i64, provider: &ProviderId) -> StoreResult<Version> {
    let row: Option<(String, i64, Option<DateTime<Utc>>)> =
        sqlx::query_as("SELECT provider_id, current_version, withdrawn_at FROM policies WHERE id = $1 FOR UPDATE")
            .bind(policy)
            .fetch_optional(&mut *conn)
            .await
            .map_err(other)?;
    let Some((owner, current, withdrawn)) = row else { return Err(StoreError::NotFound) };
    if owner != provider.as_str() {
        return Err(StoreError::NotFound);
    }
    if withdrawn.is_some() {
        return Err(StoreError::Conflict("the policy was withdrawn: publish it as a new policy".into()));
    }
    let next = version(current)?.next();
    sqlx::query("UPDATE policies SET current_version = $1 WHERE id = $2")
        .bind(i64::from(next.0))
        .bind(policy)
        .execute(conn)
        .await
        .map_err(other)?;
    Ok(next)
}

/// A person's grant at the provider, read from `role, scope_kind, scope_value` at `i`.
fn grant(row: &PgRow, i: usize) -> StoreResult<Grant> {
    let role = Role::parse(&get::<String>(row, i)?).map_err(|e| corrupt("role", e))?;
    let kind: String = get(row, i + 1)?;
    let value: String = get(row, i + 2)?;
    let scope = match kind.as_str() {
        "provider" => Scope::Provider(provider_id(&value)?),
        "location" => Scope::Location(LocationId::parse(&value).map_err(|e| corrupt("location scope", e))?),
        other => return Err(corrupt("scope kind", other)),
    };
    Ok(Grant { role, scope })
}

/// The people who work for a provider, each once with their grants there, by name.
async fn people_of(conn: &mut PgConnection, provider: &ProviderId) -> StoreResult<Vec<Reader>> {
    let rows = sqlx::query(PEOPLE_OF_PROVIDER).bind(provider.as_str()).fetch_all(conn).await.map_err(other)?;
    let mut people: Vec<Reader> = Vec::new();
    for row in &rows {
        let id = UserId(get(row, 0)?);
        let g = grant(row, 4)?;
        match people.last_mut() {
            Some(last) if last.user_id == id => last.grants.push(g),
            _ => {
                let email: String = get(row, 2)?;
                people.push(Reader {
                    user_id: id,
                    name: get(row, 1)?,
                    email: Email::parse(&email).map_err(|e| corrupt("email", e))?,
                    grants: vec![g],
                    has_password: get(row, 3)?,
                    confirmed_at: None,
                });
            }
        }
    }
    Ok(people)
}

/// Confirmations of each current version of a provider's policies, by policy ID.
async fn current_confirmations(
    conn: &mut PgConnection,
    provider: &ProviderId,
) -> StoreResult<HashMap<i64, Vec<(UserId, DateTime<Utc>)>>> {
    let rows: Vec<(i64, i64, DateTime<Utc>)> = sqlx::query_as(
        "SELECT r.policy_id, r.user_id, r.confirmed_at FROM policy_reads r \
         JOIN policies p ON p.id = r.policy_id AND p.current_version = r.version WHERE p.provider_id = $1",
    )
    .bind(provider.as_str())
    .fetch_all(conn)
    .await
    .map_err(other)?;
    let mut by_policy: HashMap<i64, Vec<(UserId, DateTime<Utc>)>> = HashMap::new();
    for (policy, user, at) in rows {
        by_policy.entry(policy).or_default().push((UserId(user), at));
    }
    Ok(by_policy)
}

/// The provider's locations where `user` works as a manager or member of staff.
async fn readers_locations(conn: &mut PgConnection, policy: i64, user: UserId) -> StoreResult<Vec<String>> {
    sqlx::query_scalar(
        "SELECT DISTINCT g.scope_value FROM user_grants g \
         JOIN locations l ON l.id = g.scope_value JOIN policies p ON p.provider_id = l.provider_id \
         WHERE p.id = $1 AND g.user_id = $2 AND g.scope_kind = 'location' AND g.role IN ('manager', 'staff')",
    )
    .bind(policy)
    .bind(user.0)
    .fetch_all(conn)
    .await
    .map_err(other)
}

#[async_trait]
impl PolicyStore for PostgresStore {
    async fn publish_policy(&self, new: &NewPolicyVersion) -> StoreResult<PolicyVersion> {
        let mut tx = self.write().begin().await.map_err(other)?;
        let (policy, at) = match new.policy {
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO policies (provider_id, current_version, created_at) VALUES ($1, 1, $2) RETURNING id",
                )
                .bind(new.provider.as_str())
                .bind(new.published_at)
                .fetch_one(&mut *tx)
                .await
                .map_err(foreign_key)?;
                (id, Version::FIRST)
            }
            Some(id) => (id, next_version(&mut tx, id, &new.provider).await?),
        };
        let kept = insert_version(&mut tx, policy, at, new).await?;
        // What the provider's people are asked to read changed, at every location.
        journal::append_for_provider(&mut tx, new.provider.as_str(), ChangeKind::PolicyRead, new.published_at).await?;
        tx.commit().await.map_err(other)?;
        Ok(kept)
    }

    async fn withdraw_policy(&self, policy: i64, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.write().begin().await.map_err(other)?;
        let provider: Option<String> = sqlx::query_scalar(
            "UPDATE policies SET withdrawn_at = $1 WHERE id = $2 AND withdrawn_at IS NULL RETURNING provider_id",
        )
        .bind(at)
        .bind(policy)
        .fetch_optional(&mut *tx)
        .await
        .map_err(other)?;
        match provider {
            Some(provider) => journal::append_for_provider(&mut tx, &provider, ChangeKind::PolicyRead, at).await?,
            // Withdrawn already (nothing changes), or no such policy.
            None => {
                let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM policies WHERE id = $1")
                    .bind(policy)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(other)?;
                exists.ok_or(StoreError::NotFound)?;
            }
        }
        tx.commit().await.map_err(other)
    }

    async fn policy(&self, policy: i64) -> StoreResult<PolicyRecord> {
        let mut conn = self.read().acquire().await.map_err(other)?;
        let row: Option<(String, i64, Option<DateTime<Utc>>)> =
            sqlx::query_as("SELECT provider_id, current_version, withdrawn_at FROM policies WHERE id = $1")
                .bind(policy)
                .fetch_optional(&mut *conn)
                .await
                .map_err(other)?;
        let (provider, current, withdrawn_at) = row.ok_or(StoreError::NotFound)?;
        let current = fetch_version(&mut conn, policy, version(current)?).await?;
        let rows = sqlx::query(
            "SELECT v.version, v.title, v.changes, v.requires_confirmation, v.published_at, \
             (SELECT COUNT(*) FROM policy_reads r WHERE r.policy_id = v.policy_id AND r.version = v.version) \
             FROM policy_versions v WHERE v.policy_id = $1 ORDER BY v.version DESC",
        )
        .bind(policy)
        .fetch_all(&mut *conn)
        .await
        .map_err(other)?;
        let versions = rows
            .iter()
            .map(|row| {
                Ok(VersionLine {
                    version: version(get(row, 0)?)?,
                    title: get(row, 1)?,
                    changes: get(row, 2)?,
                    requires_confirmation: get(row, 3)?,
                    published_at: get(row, 4)?,
                    confirmations: get::<i64>(row, 5)? as u64,
                })
            })
            .collect::<StoreResult<_>>()?;
        Ok(PolicyRecord { id: policy, provider_id: provider_id(&provider)?, current, versions, withdrawn_at })
    }

    async fn policy_version(&self, policy: i64, at: Version) -> StoreResult<PolicyVersion> {
        let mut conn = self.read().acquire().await.map_err(other)?;
        fetch_version(&mut conn, policy, at).await
    }

    async fn policies_of(&self, provider: &ProviderId) -> StoreResult<Vec<PolicySummary>> {
        let mut conn = self.read().acquire().await.map_err(other)?;
        let rows = sqlx::query(
            "SELECT p.id, v.title, v.kind, v.version, v.requires_confirmation, v.published_at, p.withdrawn_at \
             FROM policies p JOIN policy_versions v ON v.policy_id = p.id AND v.version = p.current_version \
             WHERE p.provider_id = $1 ORDER BY p.withdrawn_at IS NOT NULL, lower(v.title), p.id",
        )
        .bind(provider.as_str())
        .fetch_all(&mut *conn)
        .await
        .map_err(other)?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let people = people_of(&mut conn, provider).await?;
        let confirmations = current_confirmations(&mut conn, provider).await?;
        rows.iter()
            .map(|row| {
                let id: i64 = get(row, 0)?;
                let requires_confirmation: bool = get(row, 4)?;
                let withdrawn_at: Option<DateTime<Utc>> = get(row, 6)?;
                let reads = if requires_confirmation && withdrawn_at.is_none() {
                    let confirmed = confirmations
                        .get(&id)
                        .map_or(0, |c| people.iter().filter(|p| c.iter().any(|(u, _)| *u == p.user_id)).count());
                    ReadCount { expected: people.len() as u64, confirmed: confirmed as u64 }
                } else {
                    ReadCount::default()
                };
                Ok(PolicySummary {
                    id,
                    provider_id: provider.clone(),
                    title: get(row, 1)?,
                    kind: kind(&get::<String>(row, 2)?)?,
                    version: version(get(row, 3)?)?,
                    requires_confirmation,
                    published_at: get(row, 5)?,
                    withdrawn_at,
                    reads,
                })
            })
            .collect()
    }

    async fn confirm_policy_read(
        &self,
        policy: i64,
        at_version: Version,
        user: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<DateTime<Utc>> {
        let mut tx = self.write().begin().await.map_err(other)?;
        // Shared: confirmations of one version go ahead together, a new version waits.
        let row: Option<(i64, Option<DateTime<Utc>>)> =
            sqlx::query_as("SELECT current_version, withdrawn_at FROM policies WHERE id = $1 FOR SHARE")
                .bind(policy)
                .fetch_optional(&mut *tx)
                .await
                .map_err(other)?;
        let (current, withdrawn) = row.ok_or(StoreError::NotFound)?;
        if withdrawn.is_some() {
            return Err(StoreError::Conflict("the policy was withdrawn".into()));
        }
        if current != i64::from(at_version.0) {
            return Err(StoreError::Conflict(format!(
                "version {at_version} is not the current one: version {current} has been published"
            )));
        }
        // The first confirmation is kept; a second (even at once) adds nothing.
        let kept: Option<DateTime<Utc>> = sqlx::query_scalar(
            "INSERT INTO policy_reads (policy_id, version, user_id, confirmed_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (policy_id, version, user_id) DO NOTHING RETURNING confirmed_at",
        )
        .bind(policy)
        .bind(i64::from(at_version.0))
        .bind(user.0)
        .bind(at)
        .fetch_optional(&mut *tx)
        .await
        .map_err(foreign_key)?;
        let kept = match kept {
            Some(kept) => {
                // The read rate changes at each of the provider's locations where the reader works.
                let locations = readers_locations(&mut tx, policy, user).await?;
                journal::append_each(&mut tx, locations.iter().map(String::as_str), ChangeKind::PolicyRead, at).await?;
                kept
            }
            None => sqlx::query_scalar(
                "SELECT confirmed_at FROM policy_reads WHERE policy_id = $1 AND version = $2 AND user_id = $3",
            )
            .bind(policy)
            .bind(i64::from(at_version.0))
            .bind(user.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(other)?,
        };
        tx.commit().await.map_err(other)?;
        Ok(kept)
    }

    async fn confirmed_by(
        &self,
        provider: &ProviderId,
        user: UserId,
    ) -> StoreResult<Vec<(i64, Version, DateTime<Utc>)>> {
        let rows: Vec<(i64, i64, DateTime<Utc>)> = sqlx::query_as(
            "SELECT r.policy_id, r.version, r.confirmed_at FROM policy_reads r \
             JOIN policies p ON p.id = r.policy_id AND p.current_version = r.version \
             WHERE p.provider_id = $1 AND r.user_id = $2 ORDER BY r.policy_id",
        )
        .bind(provider.as_str())
        .bind(user.0)
        .fetch_all(self.read())
        .await
        .map_err(other)?;
        rows.into_iter().map(|(p, v, at)| Ok((p, version(v)?, at))).collect()
    }

    async fn policies_to_confirm(&self, since: DateTime<Utc>) -> StoreResult<Vec<PolicyToConfirm>> {
        let rows = sqlx::query(
            "SELECT p.id, p.provider_id, v.version, v.title, v.published_at \
             FROM policies p JOIN policy_versions v ON v.policy_id = p.id AND v.version = p.current_version \
             WHERE p.withdrawn_at IS NULL AND v.requires_confirmation AND v.published_at >= $1 \
             ORDER BY v.published_at, p.id",
        )
        .bind(since)
        .fetch_all(self.read())
        .await
        .map_err(other)?;
        rows.iter()
            .map(|row| {
                Ok(PolicyToConfirm {
                    policy_id: get(row, 0)?,
                    provider_id: ProviderId::parse(&get::<String>(row, 1)?).map_err(|e| corrupt("provider ID", e))?,
                    version: version(get(row, 2)?)?,
                    title: get(row, 3)?,
                    published_at: get(row, 4)?,
                })
            })
            .collect()
    }

    async fn policy_readers(&self, policy: i64) -> StoreResult<Vec<Reader>> {
        let mut conn = self.read().acquire().await.map_err(other)?;
        let provider: Option<String> = sqlx::query_scalar("SELECT provider_id FROM policies WHERE id = $1")
            .bind(policy)
            .fetch_optional(&mut *conn)
            .await
            .map_err(other)?;
        let provider = provider_id(&provider.ok_or(StoreError::NotFound)?)?;
        let mut people = people_of(&mut conn, &provider).await?;
        let confirmations = current_confirmations(&mut conn, &provider).await?;
        if let Some(confirmed) = confirmations.get(&policy) {
            for person in &mut people {
                person.confirmed_at = confirmed.iter().find(|(u, _)| *u == person.user_id).map(|(_, at)| *at);
            }
        }
        Ok(people)
    }

    async fn policy_read_rates(&self, provider: Option<&ProviderId>) -> StoreResult<Vec<LocationReadRate>> {
        // Per location: its people (managers and staff, each once however many roles
        // they hold there), the provider's policies in force that ask for a
        // confirmation, and the confirmations of those people of those versions.
        // Each part is counted once, grouped, and joined: no per-location subquery, so
        // the cost grows with the rows, not locations times people.
        let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
            "WITH staff AS ( \
                 SELECT DISTINCT g.scope_value AS location_id, g.user_id FROM user_grants g \
                 JOIN users u ON u.id = g.user_id \
                 WHERE NOT u.disabled AND g.role IN ('manager', 'staff') AND g.scope_kind = 'location'), \
             asked AS ( \
                 SELECT p.id, p.provider_id, p.current_version FROM policies p \
                 JOIN policy_versions v ON v.policy_id = p.id AND v.version = p.current_version \
                 WHERE p.withdrawn_at IS NULL AND v.requires_confirmation), \
             people AS ( \
                 SELECT s.location_id, l.provider_id, COUNT(*) AS people FROM staff s \
                 JOIN locations l ON l.id = s.location_id \
                 WHERE $1::text IS NULL OR l.provider_id = $1 GROUP BY s.location_id, l.provider_id), \
             per_provider AS (SELECT provider_id, COUNT(*) AS policies FROM asked GROUP BY provider_id), \
             confirmed AS ( \
                 SELECT s.location_id, COUNT(*) AS confirmed FROM staff s \
                 JOIN locations l ON l.id = s.location_id \
                 JOIN asked a ON a.provider_id = l.provider_id \
                 JOIN policy_reads r ON r.policy_id = a.id AND r.version = a.current_version \
                     AND r.user_id = s.user_id \
                 GROUP BY s.location_id) \
             SELECT p.location_id, p.provider_id, p.people, COALESCE(pp.policies, 0), COALESCE(c.confirmed, 0) \
             FROM people p LEFT JOIN per_provider pp ON pp.provider_id = p.provider_id \
             LEFT JOIN confirmed c ON c.location_id = p.location_id ORDER BY p.location_id",
        )
        .bind(provider.map(ProviderId::as_str))
        .fetch_all(self.read())
        .await
        .map_err(other)?;
        rows.into_iter()
            .map(|(location, provider, people, policies, confirmed)| {
                Ok(LocationReadRate {
                    location_id: LocationId::parse(&location).map_err(|e| corrupt("location ID", e))?,
                    provider_id: provider_id(&provider)?,
                    people: people as u64,
                    reads: ReadCount { expected: (people * policies) as u64, confirmed: confirmed as u64 },
                })
            })
            .collect()
    }
}

/// Writes at once, from many tasks, as several instances on one database would.
#[cfg(all(test, candour_postgres_tests))]
pub(crate) mod concurrent {
    use std::sync::Arc;

    use super::*;

    /// A fresh store with provider `1-1` and its location `1-100`, written directly.
    pub(crate) async fn store_with_one_location() -> Arc<PostgresStore> {
        let (store, ()) = crate::conformance::fresh().await;
        sqlx::raw_sql(
            "INSERT INTO providers (id, name, registration_status, updated_at) VALUES ('1-1', 'Provider', 'registered', now()); \
             INSERT INTO locations (id, provider_id, name, care_home, service_types, specialisms, regulated_activities, \
             relationships, service_kinds, registration_status, updated_at) \
             VALUES ('1-100', '1-1', 'Location', TRUE, '[]', '[]', '[]', '[]', '', 'registered', now())",
        )
        .execute(store.write())
        .await
        .expect("the register's rows");
        Arc::new(store)
    }

    pub(crate) fn at(hours: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_735_689_600 + hours * 3600, 0).expect("valid time")
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn publications_at_once_get_a_version_each() {
        let store = store_with_one_location().await;
        let provider = ProviderId::parse("1-1").expect("id");
        let draft = |title: &str| PolicyDraft {
            title: title.into(),
            kind: PolicyKind::Policy,
            body: "What to do.".into(),
            changes: "Changed.".into(),
            requires_confirmation: true,
        };
        let first = NewPolicyVersion {
            provider: provider.clone(),
            policy: None,
            draft: draft("Fire"),
            published_by: None,
            published_at: at(1),
        };
        let id = store.publish_policy(&first).await.expect("v1").policy_id;
        let tasks: Vec<_> = (0..8)
            .map(|n| {
                let store = store.clone();
                let next = NewPolicyVersion { policy: Some(id), draft: draft(&format!("Fire {n}")), ..first.clone() };
                tokio::spawn(async move { store.publish_policy(&next).await.expect("next version").version.0 })
            })
            .collect();
        let mut versions = Vec::new();
        for task in tasks {
            versions.push(task.await.expect("task"));
        }
        versions.sort_unstable();
        assert_eq!(versions, (2..=9).collect::<Vec<_>>());
        assert_eq!(store.policy(id).await.expect("policy").current.version, Version(9));
    }
}
