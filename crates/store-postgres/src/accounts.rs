//! Accounts, sessions, single-use links, API tokens, the audit log and the outbox.
//! Several instances write at once: whatever may happen only once (using a link,
//! claiming an email) is a conditional update whose affected rows decide.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgRow, Postgres};
use sqlx::{PgConnection, QueryBuilder};

use candour_domain::{Email, Grant, LocationId, ProviderId, Role, Scope, UserId};
use candour_store::*;

use crate::codec::get;
use crate::{PostgresStore, corrupt, other};

/// The columns of `users u` read by [`user_row`], in its order.
macro_rules! user_columns {
    () => {
        "u.id, u.email, u.name, u.disabled, u.password_hash IS NOT NULL, u.created_at, u.last_sign_in_at"
    };
}

const USER_COLUMN_COUNT: usize = 7;

macro_rules! api_token_columns {
    () => {
        "id, user_id, name, prefix, created_at, last_used_at, revoked_at"
    };
}

/// Maps the constraint failures a caller can cause to errors they can act on.
pub(crate) fn write_error(conflict: &str, e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(conflict.to_string()),
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
        _ => other(e),
    }
}

fn found(rows_affected: u64) -> StoreResult<()> {
    if rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

fn count(row: &PgRow, i: usize, what: &str) -> StoreResult<u32> {
    let n: i64 = get(row, i)?;
    u32::try_from(n).map_err(|e| corrupt(what, e))
}

/// Reads [`user_columns!`] starting at column `i`; grants are loaded separately.
fn user_row(row: &PgRow, i: usize) -> StoreResult<User> {
    let email: String = get(row, i + 1)?;
    Ok(User {
        id: UserId(get(row, i)?),
        email: Email::parse(&email).map_err(|e| corrupt("email", e))?,
        name: get(row, i + 2)?,
        grants: Vec::new(),
        disabled: get(row, i + 3)?,
        has_password: get(row, i + 4)?,
        created_at: get(row, i + 5)?,
        last_sign_in_at: get(row, i + 6)?,
    })
}

/// Reads [`api_token_columns!`].
fn api_token_row(row: &PgRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: get(row, 0)?,
        user_id: UserId(get(row, 1)?),
        name: get(row, 2)?,
        prefix: get(row, 3)?,
        created_at: get(row, 4)?,
        last_used_at: get(row, 5)?,
        revoked_at: get(row, 6)?,
    })
}

/// A grant's stored form: the scope's kind and its value ('' for `All`).
fn scope_parts(scope: &Scope) -> (&'static str, &str) {
    match scope {
        Scope::All => ("all", ""),
        Scope::LocalAuthority(name) => ("local_authority", name),
        Scope::Provider(id) => ("provider", id.as_str()),
        Scope::Location(id) => ("location", id.as_str()),
    }
}

/// Reads `role, scope_kind, scope_value` starting at column `i`.
fn grant_row(row: &PgRow, i: usize) -> StoreResult<Grant> {
    let role = Role::parse(&get::<String>(row, i)?).map_err(|e| corrupt("role", e))?;
    let kind: String = get(row, i + 1)?;
    let value: String = get(row, i + 2)?;
    let scope = match kind.as_str() {
        "all" => Scope::All,
        "local_authority" => Scope::LocalAuthority(value),
        "provider" => Scope::Provider(ProviderId::parse(&value).map_err(|e| corrupt("provider scope", e))?),
        "location" => Scope::Location(LocationId::parse(&value).map_err(|e| corrupt("location scope", e))?),
        unknown => return Err(corrupt("scope kind", unknown)),
    };
    Ok(Grant { role, scope })
}

/// A user's grants in a stable order: grants are a set, and read back sorted.
async fn grants_of(conn: &mut PgConnection, user: UserId) -> StoreResult<Vec<Grant>> {
    let rows = sqlx::query("SELECT role, scope_kind, scope_value FROM user_grants WHERE user_id = $1")
        .bind(user.0)
        .fetch_all(conn)
        .await
        .map_err(other)?;
    let mut grants = rows.iter().map(|row| grant_row(row, 0)).collect::<StoreResult<Vec<_>>>()?;
    grants.sort();
    Ok(grants)
}

async fn replace_grants(conn: &mut PgConnection, user: UserId, grants: &[Grant]) -> StoreResult<()> {
    sqlx::query("DELETE FROM user_grants WHERE user_id = $1").bind(user.0).execute(&mut *conn).await.map_err(other)?;
    let (mut roles, mut kinds, mut values) = (Vec::new(), Vec::new(), Vec::new());
    for grant in grants {
        let (kind, value) = scope_parts(&grant.scope);
        roles.push(grant.role.code());
        kinds.push(kind);
        values.push(value);
    }
    // A grant listed twice is still one grant.
    sqlx::query(
        "INSERT INTO user_grants (user_id, role, scope_kind, scope_value) \
         SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING",
    )
    .bind(user.0)
    .bind(&roles)
    .bind(&kinds)
    .bind(&values)
    .execute(conn)
    .await
    .map(drop)
    .map_err(other)
}

async fn load_user(conn: &mut PgConnection, id: UserId) -> StoreResult<User> {
    let row = sqlx::query(concat!("SELECT ", user_columns!(), " FROM users u WHERE u.id = $1"))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
    let mut user = user_row(&row, 0)?;
    user.grants = grants_of(conn, id).await?;
    Ok(user)
}

/// Text filters match the start of a field. A range rather than LIKE, so that the
/// index serves it and `%` or `_` in the filter mean themselves; the columns are
/// in the "C" collation, so the range compares bytes.
fn push_prefix(qb: &mut QueryBuilder<Postgres>, column: &'static str, prefix: &str) {
    qb.push(" AND ").push(column).push(" >= ").push_bind(prefix.to_string());
    qb.push(" AND ").push(column).push(" < ").push_bind(format!("{prefix}\u{10FFFF}"));
}

fn push_audit_filters(qb: &mut QueryBuilder<Postgres>, query: &AuditQuery) {
    qb.push(" WHERE TRUE");
    if let Some(email) = &query.actor_email {
        push_prefix(qb, "lower(u.email)", &email.trim().to_lowercase());
    }
    if let Some(action) = &query.action {
        push_prefix(qb, "a.action", action.trim());
    }
    if let Some(resource) = &query.resource {
        push_prefix(qb, "a.resource", resource.trim());
    }
    if let Some(since) = query.since {
        qb.push(" AND a.at >= ").push_bind(since);
    }
    if let Some(until) = query.until {
        qb.push(" AND a.at < ").push_bind(until);
    }
}

fn check_paging(query: &AuditQuery) -> StoreResult<()> {
    if query.page == 0 {
        return Err(StoreError::Invalid("page numbers start at 1".into()));
    }
    if query.per_page == 0 || query.per_page > AuditQuery::MAX_PER_PAGE {
        return Err(StoreError::Invalid(format!(
            "entries per page must be between 1 and {}",
            AuditQuery::MAX_PER_PAGE
        )));
    }
    Ok(())
}

fn audit_row(row: &PgRow) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
        id: get(row, 0)?,
        at: get(row, 1)?,
        actor: get::<Option<i64>>(row, 2)?.map(UserId),
        actor_email: get(row, 3)?,
        action: get(row, 4)?,
        resource: get(row, 5)?,
        detail: get(row, 6)?,
        ip: get(row, 7)?,
    })
}

/// The columns of `outbox` read by [`outbox_row`], in its order.
macro_rules! outbox_columns {
    () => {
        "id, \"to\", subject, body, created_at, sent_at, attempts, last_error, alert_id, \
         html_body, link, unsubscribe_url, for_digest"
    };
}
pub(crate) use outbox_columns;

/// Reads [`outbox_columns!`].
pub(crate) fn outbox_row(row: &PgRow) -> StoreResult<OutboxEntry> {
    let to: String = get(row, 1)?;
    Ok(OutboxEntry {
        id: get(row, 0)?,
        to: Email::parse(&to).map_err(|e| corrupt("email", e))?,
        subject: get(row, 2)?,
        body: get(row, 3)?,
        created_at: get(row, 4)?,
        sent_at: get(row, 5)?,
        attempts: count(row, 6, "attempt count")?,
        last_error: get(row, 7)?,
        alert_id: get(row, 8)?,
        html: get(row, 9)?,
        link: get(row, 10)?,
        unsubscribe_url: get(row, 11)?,
        for_digest: get(row, 12)?,
    })
}

/// Queues an email, linked to the safeguarding alert it delivers if any, with its
/// unsubscribe link.
pub(crate) async fn queue(conn: &mut PgConnection, email: &OutgoingEmail, alert: Option<i64>) -> StoreResult<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO outbox (\"to\", subject, body, created_at, alert_id, html_body, link, unsubscribe_url, for_digest) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(email.to.as_str())
    .bind(&email.subject)
    .bind(&email.body)
    .bind(email.created_at)
    .bind(alert)
    .bind(&email.html)
    .bind(&email.link)
    .bind(email.unsubscribe.as_ref().map(|u| &u.url))
    .bind(email.for_digest)
    .fetch_one(&mut *conn)
    .await
    .map_err(other)?;
    if let Some(link) = &email.unsubscribe {
        sqlx::query("INSERT INTO unsubscribe_links (token_hash, email, kind, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&link.token_hash)
            .bind(email.to.as_str())
            .bind(&link.kind)
            .bind(email.created_at)
            .execute(&mut *conn)
            .await
            .map_err(other)?;
    }
    Ok(id)
}

#[async_trait]
impl AccountStore for PostgresStore {
    async fn create_user(&self, new: &NewUser) -> StoreResult<User> {
        let mut tx = self.write().begin().await.map_err(other)?;
        let id: i64 =
            sqlx::query_scalar("INSERT INTO users (email, name, created_at) VALUES ($1, $2, $3) RETURNING id")
                .bind(new.email.as_str())
                .bind(&new.name)
                .bind(Utc::now())
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| write_error("an account with this email already exists", e))?;
        replace_grants(&mut tx, UserId(id), &new.grants).await?;
        let user = load_user(&mut tx, UserId(id)).await?;
        tx.commit().await.map_err(other)?;
        Ok(user)
    }

    async fn user(&self, id: UserId) -> StoreResult<User> {
        let mut conn = self.read().acquire().await.map_err(other)?;
        load_user(&mut conn, id).await
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        // One snapshot for both reads, so that users and grants agree.
        let mut tx = self.read().begin().await.map_err(other)?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(other)?;
        let rows = sqlx::query(concat!("SELECT ", user_columns!(), " FROM users u ORDER BY u.email, u.id"))
            .fetch_all(&mut *tx)
            .await
            .map_err(other)?;
        let mut users = rows.iter().map(|row| user_row(row, 0)).collect::<StoreResult<Vec<_>>>()?;
        let grant_rows = sqlx::query("SELECT user_id, role, scope_kind, scope_value FROM user_grants")
            .fetch_all(&mut *tx)
            .await
            .map_err(other)?;
        tx.commit().await.map_err(other)?;
        let mut grants: HashMap<i64, Vec<Grant>> = HashMap::new();
        for row in &grant_rows {
            grants.entry(get(row, 0)?).or_default().push(grant_row(row, 1)?);
        }
        for user in &mut users {
            user.grants = grants.remove(&user.id.0).unwrap_or_default();
            user.grants.sort();
        }
        Ok(users)
    }

    async fn update_user(&self, id: UserId, update: &UserUpdate) -> StoreResult<User> {
        let mut tx = self.write().begin().await.map_err(other)?;
        // The update locks the row: two changes to one user's grants follow each other.
        let changed =
            sqlx::query("UPDATE users SET name = COALESCE($1, name), disabled = COALESCE($2, disabled) WHERE id = $3")
                .bind(&update.name)
                .bind(update.disabled)
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(other)?;
        found(changed.rows_affected())?;
        if let Some(grants) = &update.grants {
            replace_grants(&mut tx, id, grants).await?;
        }
        let user = load_user(&mut tx, id).await?;
        tx.commit().await.map_err(other)?;
        Ok(user)
    }

    /// From the primary: a lockout or a new password must hold at once, not once a
    /// replica catches up.
    async fn sign_in_record(&self, email: &Email) -> StoreResult<Option<SignInRecord>> {
        let mut conn = self.write().acquire().await.map_err(other)?;
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            ", u.password_hash, u.failed_attempts, u.locked_until FROM users u WHERE lower(u.email) = lower($1)"
        ))
        .bind(email.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(other)?;
        let Some(row) = row else { return Ok(None) };
        let mut user = user_row(&row, 0)?;
        user.grants = grants_of(&mut conn, user.id).await?;
        Ok(Some(SignInRecord {
            user,
            password_hash: get(&row, USER_COLUMN_COUNT)?,
            failed_attempts: count(&row, USER_COLUMN_COUNT + 1, "failed attempts")?,
            locked_until: get(&row, USER_COLUMN_COUNT + 2)?,
        }))
    }

    async fn set_sign_in_state(&self, id: UserId, state: &SignInState) -> StoreResult<()> {
        let changed = sqlx::query(
            "UPDATE users SET failed_attempts = $1, locked_until = $2, \
             last_sign_in_at = COALESCE($3, last_sign_in_at) WHERE id = $4",
        )
        .bind(i64::from(state.failed_attempts))
        .bind(state.locked_until)
        .bind(state.signed_in_at)
        .bind(id.0)
        .execute(self.write())
        .await
        .map_err(other)?;
        found(changed.rows_affected())
    }

    /// One transaction, so that no credential of the old password outlives it.
    async fn set_password_hash(&self, id: UserId, hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.write().begin().await.map_err(other)?;
        let changed =
            sqlx::query("UPDATE users SET password_hash = $1, failed_attempts = 0, locked_until = NULL WHERE id = $2")
                .bind(hash)
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(other)?;
        found(changed.rows_affected())?;
        for ending in
            ["DELETE FROM sessions WHERE user_id = $1", "DELETE FROM links WHERE user_id = $1 AND used_at IS NULL"]
        {
            sqlx::query(ending).bind(id.0).execute(&mut *tx).await.map_err(other)?;
        }
        sqlx::query("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE user_id = $2")
            .bind(now)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(other)?;
        tx.commit().await.map_err(other)
    }

    async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&session.token_hash)
            .bind(session.user_id.0)
            .bind(session.created_at)
            .bind(session.expires_at)
            .execute(self.write())
            .await
            .map(drop)
            .map_err(|e| write_error("a session with this token already exists", e))
    }

    /// From the primary: a session just created must work on the next request, and
    /// one ended (signing out, a disabled account) must stop working at once.
    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<SessionRecord>> {
        let mut conn = self.write().acquire().await.map_err(other)?;
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            ", s.created_at, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await
        .map_err(other)?;
        let Some(row) = row else { return Ok(None) };
        let mut user = user_row(&row, 0)?;
        user.grants = grants_of(&mut conn, user.id).await?;
        Ok(Some(SessionRecord {
            user,
            created_at: get(&row, USER_COLUMN_COUNT)?,
            expires_at: get(&row, USER_COLUMN_COUNT + 1)?,
        }))
    }

    async fn extend_session(&self, token_hash: &str, expires_at: DateTime<Utc>) -> StoreResult<()> {
        let changed = sqlx::query("UPDATE sessions SET expires_at = $1 WHERE token_hash = $2")
            .bind(expires_at)
            .bind(token_hash)
            .execute(self.write())
            .await
            .map_err(other)?;
        found(changed.rows_affected())
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.write())
            .await
            .map(drop)
            .map_err(other)
    }

    async fn delete_sessions_of(&self, user: UserId) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(self.write())
            .await
            .map(drop)
            .map_err(other)
    }

    async fn create_link(&self, link: &NewLink) -> StoreResult<()> {
        sqlx::query("INSERT INTO links (token_hash, purpose, user_id, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&link.token_hash)
            .bind(link.purpose.code())
            .bind(link.user_id.0)
            .bind(link.expires_at)
            .execute(self.write())
            .await
            .map(drop)
            .map_err(|e| write_error("a link with this token already exists", e))
    }

    /// One transaction marks the link used, returns its user and ends the user's
    /// other unused links. The update is conditional on `used_at IS NULL`: when two
    /// instances use the same link at once, the second waits for the first's row
    /// lock, then finds the link used and updates nothing.
    async fn consume_link(&self, purpose: LinkPurpose, token_hash: &str, now: DateTime<Utc>) -> StoreResult<UserId> {
        let mut tx = self.write().begin().await.map_err(other)?;
        let user: i64 = sqlx::query_scalar(
            "UPDATE links SET used_at = $1 \
             WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
        )
        .bind(now)
        .bind(token_hash)
        .bind(purpose.code())
        .fetch_optional(&mut *tx)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
        sqlx::query("DELETE FROM links WHERE user_id = $1 AND used_at IS NULL")
            .bind(user)
            .execute(&mut *tx)
            .await
            .map_err(other)?;
        tx.commit().await.map_err(other)?;
        Ok(UserId(user))
    }

    async fn create_api_token(&self, token: &NewApiToken) -> StoreResult<ApiToken> {
        let row = sqlx::query(concat!(
            "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING ",
            api_token_columns!()
        ))
        .bind(token.user_id.0)
        .bind(&token.name)
        .bind(&token.token_hash)
        .bind(&token.prefix)
        .bind(token.created_at)
        .fetch_one(self.write())
        .await
        .map_err(|e| write_error("an API token with this secret already exists", e))?;
        api_token_row(&row)
    }

    async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>> {
        sqlx::query(concat!("SELECT ", api_token_columns!(), " FROM api_tokens WHERE user_id = $1 ORDER BY id DESC"))
            .bind(user.0)
            .fetch_all(self.read())
            .await
            .map_err(other)?
            .iter()
            .map(api_token_row)
            .collect()
    }

    async fn use_api_token(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<(ApiToken, User)>> {
        let mut tx = self.write().begin().await.map_err(other)?;
        let row = sqlx::query(concat!(
            "UPDATE api_tokens SET last_used_at = $1 \
             WHERE token_hash = $2 AND revoked_at IS NULL \
               AND user_id IN (SELECT id FROM users WHERE NOT disabled) \
             RETURNING ",
            api_token_columns!()
        ))
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(other)?;
        let Some(row) = row else { return Ok(None) };
        let token = api_token_row(&row)?;
        let user = load_user(&mut tx, token.user_id).await?;
        tx.commit().await.map_err(other)?;
        Ok(Some((token, user)))
    }

    async fn revoke_api_token(&self, user: UserId, token_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        // Revoking twice keeps the first time.
        let changed =
            sqlx::query("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND user_id = $3")
                .bind(now)
                .bind(token_id)
                .bind(user.0)
                .execute(self.write())
                .await
                .map_err(other)?;
        found(changed.rows_affected())
    }

    async fn append_audit(&self, entry: &NewAuditEntry) -> StoreResult<()> {
        sqlx::query("INSERT INTO audit_log (at, actor, action, resource, detail, ip) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(entry.at)
            .bind(entry.actor.map(|u| u.0))
            .bind(&entry.action)
            .bind(&entry.resource)
            .bind(&entry.detail)
            .bind(&entry.ip)
            .execute(self.write())
            .await
            .map(drop)
            .map_err(other)
    }

    async fn audit_log(&self, query: &AuditQuery) -> StoreResult<Page<AuditEntry>> {
        check_paging(query)?;
        const FROM: &str = " FROM audit_log a LEFT JOIN users u ON u.id = a.actor";
        let mut counting = QueryBuilder::<Postgres>::new("SELECT COUNT(*)");
        counting.push(FROM);
        push_audit_filters(&mut counting, query);
        let total: i64 = counting.build_query_scalar().fetch_one(self.read()).await.map_err(other)?;
        let mut listing =
            QueryBuilder::<Postgres>::new("SELECT a.id, a.at, a.actor, u.email, a.action, a.resource, a.detail, a.ip");
        listing.push(FROM);
        push_audit_filters(&mut listing, query);
        listing.push(" ORDER BY a.at DESC, a.id DESC LIMIT ").push_bind(i64::from(query.per_page));
        listing.push(" OFFSET ").push_bind(i64::from(query.page - 1) * i64::from(query.per_page));
        let items = listing
            .build()
            .fetch_all(self.read())
            .await
            .map_err(other)?
            .iter()
            .map(audit_row)
            .collect::<StoreResult<_>>()?;
        Ok(Page { items, total: total as u64, page: query.page, per_page: query.per_page })
    }

    async fn queue_email(&self, email: &OutgoingEmail) -> StoreResult<i64> {
        let mut tx = self.write().begin().await.map_err(other)?;
        let id = queue(&mut tx, email, None).await?;
        tx.commit().await.map_err(other)?;
        Ok(id)
    }

    async fn outbox(&self, limit: u32) -> StoreResult<Vec<OutboxEntry>> {
        sqlx::query(concat!("SELECT ", outbox_columns!(), " FROM outbox ORDER BY id DESC LIMIT $1"))
            .bind(i64::from(limit))
            .fetch_all(self.read())
            .await
            .map_err(other)?
            .iter()
            .map(outbox_row)
            .collect()
    }

    async fn outbox_health(&self) -> StoreResult<OutboxHealth> {
        let row = sqlx::query(
            "SELECT COUNT(*) FILTER (WHERE sent_at IS NULL AND NOT for_digest), COUNT(*) FILTER (WHERE sent_at IS NOT NULL), \
             COUNT(*) FILTER (WHERE sent_at IS NULL AND last_error IS NOT NULL), \
             MIN(created_at) FILTER (WHERE sent_at IS NULL AND NOT for_digest), \
             MIN(created_at) FILTER (WHERE sent_at IS NULL AND last_error IS NOT NULL) FROM outbox",
        )
        .fetch_one(self.read())
        .await
        .map_err(other)?;
        let counted = |i: usize| get::<i64>(&row, i).map(|n| n.max(0) as u64);
        Ok(OutboxHealth {
            waiting: counted(0)?,
            sent: counted(1)?,
            failing: counted(2)?,
            oldest_waiting: get(&row, 3)?,
            failing_since: get(&row, 4)?,
        })
    }
}

#[async_trait]
impl OutboxStore for PostgresStore {
    /// Senders on every instance claim at once: rows another claim has locked are
    /// skipped rather than waited for, so no email goes to two senders and none
    /// waits behind a busy one.
    async fn claim_due_emails(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>> {
        let mut claimed = sqlx::query(concat!(
            "UPDATE outbox SET next_attempt_at = $1 WHERE id IN (SELECT id FROM outbox \
             WHERE sent_at IS NULL AND NOT for_digest AND (next_attempt_at IS NULL OR next_attempt_at <= $2) \
             ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING ",
            outbox_columns!()
        ))
        .bind(lease_until)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(self.write())
        .await
        .map_err(other)?
        .iter()
        .map(outbox_row)
        .collect::<StoreResult<Vec<_>>>()?;
        claimed.sort_by_key(|e| (e.created_at, e.id));
        Ok(claimed)
    }

    /// Marking an email sent twice keeps the first time.
    async fn mark_email_sent(&self, id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        let changed = sqlx::query("UPDATE outbox SET sent_at = COALESCE(sent_at, $1) WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(self.write())
            .await
            .map_err(other)?;
        found(changed.rows_affected())
    }

    async fn mark_email_failed(&self, id: i64, error: &str, retry_at: DateTime<Utc>) -> StoreResult<()> {
        let changed = sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3",
        )
        .bind(error)
        .bind(retry_at)
        .bind(id)
        .execute(self.write())
        .await
        .map_err(other)?;
        found(changed.rows_affected())
    }
}

#[cfg(all(test, candour_postgres_tests))]
mod tests {
    use std::sync::Arc;

    use candour_domain::{Email, UserId};
    use candour_store::{AccountStore, AuditQuery, LinkPurpose, NewAuditEntry, NewLink, NewUser, StoreError};
    use chrono::Utc;

    use crate::conformance::fresh;

    #[tokio::test]
    async fn the_database_refuses_to_change_or_delete_audit_entries() {
        let (store, _) = fresh().await;
        let entry = NewAuditEntry {
            at: Utc::now(),
            actor: None,
            action: "read".into(),
            resource: "location:1-100".into(),
            detail: None,
            ip: None,
        };
        store.append_audit(&entry).await.expect("append");
        for statement in ["UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
            let err = sqlx::query(statement).execute(store.write()).await.expect_err(statement);
            assert!(err.to_string().contains("append-only"), "{statement}: {err}");
        }
        let kept = store.audit_log(&AuditQuery::default()).await.expect("audit log");
        assert_eq!((kept.total, kept.items[0].action.as_str()), (1, "read"));
    }

    /// Addresses are lower-cased before they reach the store; the database holds to
    /// one account per address even if a row arrives another way.
    #[tokio::test]
    async fn the_database_compares_emails_ignoring_case() {
        let (store, _) = fresh().await;
        let new = NewUser { email: Email::parse("jo@example.org").expect("email"), name: "Jo".into(), grants: vec![] };
        store.create_user(&new).await.expect("create");
        let err = sqlx::query("INSERT INTO users (email, name, created_at) VALUES ('JO@EXAMPLE.ORG', 'Jo', now())")
            .execute(store.write())
            .await
            .expect_err("same address in capitals");
        assert!(err.as_database_error().is_some_and(|e| e.is_unique_violation()), "{err}");
    }

    /// Many requests using one link at the same moment, on separate connections
    /// as on separate instances: exactly one of them gets the account.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_link_used_at_once_by_many_works_once() {
        let (store, _) = fresh().await;
        let store = Arc::new(store);
        let new =
            NewUser { email: Email::parse("kit@example.org").expect("email"), name: "Kit".into(), grants: vec![] };
        let user = store.create_user(&new).await.expect("create");
        for round in 0..10 {
            let hash = format!("reset-{round}");
            let expires_at = Utc::now() + chrono::Duration::hours(1);
            let link =
                NewLink { purpose: LinkPurpose::PasswordReset, token_hash: hash.clone(), user_id: user.id, expires_at };
            store.create_link(&link).await.expect("create link");
            let mut uses = tokio::task::JoinSet::new();
            for _ in 0..4 {
                let (store, hash) = (Arc::clone(&store), hash.clone());
                uses.spawn(async move { store.consume_link(LinkPurpose::PasswordReset, &hash, Utc::now()).await });
            }
            let results = uses.join_all().await;
            let worked: Vec<UserId> = results.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
            assert_eq!(worked, [user.id], "round {round}: {results:?}");
            assert!(results.iter().all(|r| matches!(r, Ok(_) | Err(StoreError::NotFound))), "{results:?}");
        }
    }
}
