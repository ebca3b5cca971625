//! Notices: mail choices, unsubscribe links, once-only notices, digests and the
//! people a notice about a service goes to. What decides whether someone is
//! emailed is read from the primary, never a replica that may lag a change of mind.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use candour_domain::{Email, LocationId, Role};
use candour_store::*;

use crate::accounts::{outbox_columns, outbox_row, queue};
use crate::{PostgresStore, corrupt, other};

fn email(text: &str) -> StoreResult<Email> {
    Email::parse(text).map_err(|e| corrupt("email", e))
}

/// The columns of `follows` read by [`follow_row`], in its order.
macro_rules! follow_columns {
    () => {
        "id, location_id, email, created_at, confirmed_at"
    };
}

fn follow_row(row: &sqlx::postgres::PgRow) -> StoreResult<Follow> {
    use sqlx::Row;
    let location: String = row.try_get(1).map_err(other)?;
    Ok(Follow {
        id: row.try_get(0).map_err(other)?,
        location_id: LocationId::parse(&location).map_err(|e| corrupt("location ID", e))?,
        email: email(&row.try_get::<String, _>(2).map_err(other)?)?,
        created_at: row.try_get(3).map_err(other)?,
        confirmed_at: row.try_get(4).map_err(other)?,
    })
}

fn choice(code: &str) -> StoreResult<MailChoice> {
    MailChoice::parse(code).ok_or_else(|| corrupt("mail choice", code))
}

#[async_trait]
impl NoticeStore for PostgresStore {
    async fn mail_choices(&self, kind: &str, people: &[Email]) -> StoreResult<Vec<(Email, MailChoice)>> {
        let asked: Vec<&str> = people.iter().map(Email::as_str).collect();
        let chosen: Vec<(String, String)> =
            sqlx::query_as("SELECT email, choice FROM mail_choices WHERE kind = $1 AND email = ANY($2)")
                .bind(kind)
                .bind(&asked)
                .fetch_all(self.write())
                .await
                .map_err(other)?;
        people
            .iter()
            .map(|person| {
                let made = chosen.iter().find(|(e, _)| e == person.as_str());
                Ok((person.clone(), made.map(|(_, c)| choice(c)).transpose()?.unwrap_or_default()))
            })
            .collect()
    }

    async fn mail_choices_of(&self, person: &Email) -> StoreResult<Vec<(String, MailChoice)>> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT kind, choice FROM mail_choices WHERE email = $1 ORDER BY kind")
                .bind(person.as_str())
                .fetch_all(self.write())
                .await
                .map_err(other)?;
        rows.into_iter().map(|(kind, code)| Ok((kind, choice(&code)?))).collect()
    }

    async fn set_mail_choice(
        &self,
        person: &Email,
        kind: &str,
        choice: MailChoice,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO mail_choices (email, kind, choice, changed_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (email, kind) DO UPDATE SET choice = excluded.choice, changed_at = excluded.changed_at",
        )
        .bind(person.as_str())
        .bind(kind)
        .bind(choice.code())
        .bind(at)
        .execute(self.write())
        .await
        .map_err(other)?;
        Ok(())
    }

    async fn unsubscribe_link(&self, token_hash: &str) -> StoreResult<(Email, String)> {
        let (to, kind): (String, String) =
            sqlx::query_as("SELECT email, kind FROM unsubscribe_links WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(self.write())
                .await
                .map_err(other)?
                .ok_or(StoreError::NotFound)?;
        Ok((email(&to)?, kind))
    }

    async fn sent_notices(&self, keys: &[String]) -> StoreResult<Vec<String>> {
        sqlx::query_scalar("SELECT key FROM notices_sent WHERE key = ANY($1)")
            .bind(keys)
            .fetch_all(self.write())
            .await
            .map_err(other)
    }

    async fn queue_once(&self, key: &str, emails: &[OutgoingEmail], at: DateTime<Utc>) -> StoreResult<bool> {
        let mut tx = self.write().begin().await.map_err(other)?;
        let first = sqlx::query("INSERT INTO notices_sent (key, sent_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(key)
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(other)?
            .rows_affected()
            == 1;
        if first {
            for email in emails {
                queue(&mut tx, email, None).await?;
            }
        }
        tx.commit().await.map_err(other)?;
        Ok(first)
    }

    async fn queue_digests(
        &self,
        before: DateTime<Utc>,
        at: DateTime<Utc>,
        compose: &(dyn for<'a> Fn(Digest<'a>) -> OutgoingEmail + Send + Sync),
    ) -> StoreResult<u32> {
        let mut tx = self.write().begin().await.map_err(other)?;
        // Locked, so that two instances gathering at once put each email in one digest.
        let held = sqlx::query(concat!(
            "SELECT ",
            outbox_columns!(),
            " FROM outbox WHERE for_digest AND sent_at IS NULL AND created_at < $1 ORDER BY \"to\", id FOR UPDATE"
        ))
        .bind(before)
        .fetch_all(&mut *tx)
        .await
        .map_err(other)?
        .iter()
        .map(outbox_row)
        .collect::<StoreResult<Vec<_>>>()?;
        let mut queued = 0;
        for items in held.chunk_by(|a, b| a.to == b.to) {
            let digest = queue(&mut tx, &compose(Digest { to: &items[0].to, items }), None).await?;
            let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
            sqlx::query("UPDATE outbox SET sent_at = $1, digest_id = $2 WHERE id = ANY($3)")
                .bind(at)
                .bind(digest)
                .bind(&ids)
                .execute(&mut *tx)
                .await
                .map_err(other)?;
            queued += 1;
        }
        tx.commit().await.map_err(other)?;
        Ok(queued)
    }

    async fn add_follow(
        &self,
        location: &LocationId,
        email: &Email,
        token_hash: &str,
        confirmation: &OutgoingEmail,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.write().begin().await.map_err(other)?;
        sqlx::query("INSERT INTO follows (location_id, email, token_hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(location.as_str())
            .bind(email.as_str())
            .bind(token_hash)
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(|e| crate::accounts::write_error("this link is kept already", e))?;
        queue(&mut tx, confirmation, None).await?;
        tx.commit().await.map_err(other)
    }

    async fn confirm_follow(&self, token_hash: &str, at: DateTime<Utc>) -> StoreResult<Follow> {
        let mut tx = self.write().begin().await.map_err(other)?;
        let asked = sqlx::query(concat!("SELECT ", follow_columns!(), " FROM follows WHERE token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await
            .map_err(other)?
            .ok_or(StoreError::NotFound)?;
        let asked = follow_row(&asked)?;
        if asked.confirmed_at.is_some() {
            return Ok(asked);
        }
        let already = sqlx::query(concat!(
            "SELECT ",
            follow_columns!(),
            " FROM follows WHERE location_id = $1 AND email = $2 AND confirmed_at IS NOT NULL"
        ))
        .bind(asked.location_id.as_str())
        .bind(asked.email.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(other)?;
        if let Some(row) = already {
            return follow_row(&row);
        }
        sqlx::query("UPDATE follows SET confirmed_at = $1 WHERE id = $2")
            .bind(at)
            .bind(asked.id)
            .execute(&mut *tx)
            .await
            .map_err(other)?;
        tx.commit().await.map_err(other)?;
        Ok(Follow { confirmed_at: Some(at), ..asked })
    }

    async fn follow_by_token(&self, token_hash: &str) -> StoreResult<Follow> {
        let row = sqlx::query(concat!("SELECT ", follow_columns!(), " FROM follows WHERE token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(self.write())
            .await
            .map_err(other)?
            .ok_or(StoreError::NotFound)?;
        follow_row(&row)
    }

    async fn follows(&self) -> StoreResult<Vec<Follow>> {
        sqlx::query(concat!("SELECT ", follow_columns!(), " FROM follows WHERE confirmed_at IS NOT NULL ORDER BY id"))
            .fetch_all(self.read())
            .await
            .map_err(other)?
            .iter()
            .map(follow_row)
            .collect()
    }

    async fn recipients_for(&self, location: &LocationId, roles: &[Role]) -> StoreResult<Vec<Recipient>> {
        let roles: Vec<&str> = roles.iter().map(|r| r.code()).collect();
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT DISTINCT u.email, u.name FROM users u JOIN user_grants g ON g.user_id = u.id \
             JOIN locations l ON l.id = $1 \
             WHERE NOT u.disabled AND u.password_hash IS NOT NULL AND g.role = ANY($2) \
               AND ((g.scope_kind = 'location' AND g.scope_value = l.id) \
                 OR (g.scope_kind = 'provider' AND g.scope_value = l.provider_id)) ORDER BY u.email",
        )
        .bind(location.as_str())
        .bind(&roles)
        .fetch_all(self.read())
        .await
        .map_err(other)?;
        rows.into_iter().map(|(to, name)| Ok(Recipient { email: email(&to)?, name })).collect()
    }
}
