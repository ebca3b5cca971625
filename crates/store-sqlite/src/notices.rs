//! Notices: mail choices, unsubscribe links, once-only notices, digests and the
//! people a notice about a service goes to.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use sqlx::sqlite::Sqlite;

use candour_domain::{Email, LocationId, Role};
use candour_store::*;

use crate::accounts::{outbox_columns, outbox_row, queue};
use crate::codec::{corrupt, stamp};
use crate::{SqliteStore, other};

fn email(text: &str) -> StoreResult<Email> {
    Email::parse(text).map_err(|e| corrupt("email", e))
}

/// The columns of `follows` read by [`follow_row`], in its order.
macro_rules! follow_columns {
    () => {
        "id, location_id, email, created_at, confirmed_at"
    };
}

fn follow_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<Follow> {
    use sqlx::Row;
    let location: String = row.try_get(1).map_err(other)?;
    Ok(Follow {
        id: row.try_get(0).map_err(other)?,
        location_id: LocationId::parse(&location).map_err(|e| corrupt("location ID", e))?,
        email: email(&row.try_get::<String, _>(2).map_err(other)?)?,
        created_at: crate::codec::get(row, 3)?,
        confirmed_at: crate::codec::get(row, 4)?,
    })
}

fn choice(code: &str) -> StoreResult<MailChoice> {
    MailChoice::parse(code).ok_or_else(|| corrupt("mail choice", code))
}

#[async_trait]
impl NoticeStore for SqliteStore {
    async fn mail_choices(&self, kind: &str, people: &[Email]) -> StoreResult<Vec<(Email, MailChoice)>> {
        if people.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT email, choice FROM mail_choices WHERE kind = ");
        qb.push_bind(kind).push(" AND email IN (");
        let mut list = qb.separated(", ");
        for person in people {
            list.push_bind(person.as_str());
        }
        qb.push(")");
        let chosen: Vec<(String, String)> = qb.build_query_as().fetch_all(&self.reader).await.map_err(other)?;
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
            sqlx::query_as("SELECT kind, choice FROM mail_choices WHERE email = ? ORDER BY kind")
                .bind(person.as_str())
                .fetch_all(&self.reader)
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
            "INSERT INTO mail_choices (email, kind, choice, changed_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (email, kind) DO UPDATE SET choice = excluded.choice, changed_at = excluded.changed_at",
        )
        .bind(person.as_str())
        .bind(kind)
        .bind(choice.code())
        .bind(stamp(at))
        .execute(&self.writer)
        .await
        .map_err(other)?;
        Ok(())
    }

    async fn unsubscribe_link(&self, token_hash: &str) -> StoreResult<(Email, String)> {
        let (to, kind): (String, String) =
            sqlx::query_as("SELECT email, kind FROM unsubscribe_links WHERE token_hash = ?")
                .bind(token_hash)
                .fetch_optional(&self.reader)
                .await
                .map_err(other)?
                .ok_or(StoreError::NotFound)?;
        Ok((email(&to)?, kind))
    }

    async fn sent_notices(&self, keys: &[String]) -> StoreResult<Vec<String>> {
        let mut sent = Vec::new();
        // In slices, well under SQLite's limit on bound values.
        for slice in keys.chunks(500) {
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT key FROM notices_sent WHERE key IN (");
            let mut list = qb.separated(", ");
            for key in slice {
                list.push_bind(key.as_str());
            }
            qb.push(")");
            sent.extend(qb.build_query_scalar::<String>().fetch_all(&self.reader).await.map_err(other)?);
        }
        Ok(sent)
    }

    async fn queue_once(&self, key: &str, emails: &[OutgoingEmail], at: DateTime<Utc>) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        let first = sqlx::query("INSERT INTO notices_sent (key, sent_at) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .bind(key)
            .bind(stamp(at))
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
        let mut tx = self.writer.begin().await.map_err(other)?;
        let held = sqlx::query(concat!(
            "SELECT ",
            outbox_columns!(),
            " FROM outbox WHERE for_digest = 1 AND sent_at IS NULL AND created_at < ? ORDER BY \"to\", id"
        ))
        .bind(stamp(before))
        .fetch_all(&mut *tx)
        .await
        .map_err(other)?
        .iter()
        .map(outbox_row)
        .collect::<StoreResult<Vec<_>>>()?;
        let mut queued = 0;
        for items in held.chunk_by(|a, b| a.to == b.to) {
            let digest = queue(&mut tx, &compose(Digest { to: &items[0].to, items }), None).await?;
            let mut qb = QueryBuilder::<Sqlite>::new("UPDATE outbox SET sent_at = ");
            qb.push_bind(stamp(at)).push(", digest_id = ").push_bind(digest).push(" WHERE id IN (");
            let mut list = qb.separated(", ");
            for item in items {
                list.push_bind(item.id);
            }
            qb.push(")");
            qb.build().execute(&mut *tx).await.map_err(other)?;
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
        let mut tx = self.writer.begin().await.map_err(other)?;
        sqlx::query("INSERT INTO follows (location_id, email, token_hash, created_at) VALUES (?, ?, ?, ?)")
            .bind(location.as_str())
            .bind(email.as_str())
            .bind(token_hash)
            .bind(stamp(at))
            .execute(&mut *tx)
            .await
            .map_err(|e| crate::accounts::write_error("this link is kept already", e))?;
        queue(&mut tx, confirmation, None).await?;
        tx.commit().await.map_err(other)
    }

    async fn confirm_follow(&self, token_hash: &str, at: DateTime<Utc>) -> StoreResult<Follow> {
        let mut tx = self.writer.begin().await.map_err(other)?;
        let asked = sqlx::query(concat!("SELECT ", follow_columns!(), " FROM follows WHERE token_hash = ?"))
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
            " FROM follows WHERE location_id = ? AND email = ? AND confirmed_at IS NOT NULL"
        ))
        .bind(asked.location_id.as_str())
        .bind(asked.email.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(other)?;
        if let Some(row) = already {
            return follow_row(&row);
        }
        sqlx::query("UPDATE follows SET confirmed_at = ? WHERE id = ?")
            .bind(stamp(at))
            .bind(asked.id)
            .execute(&mut *tx)
            .await
            .map_err(other)?;
        tx.commit().await.map_err(other)?;
        Ok(Follow { confirmed_at: Some(at), ..asked })
    }

    async fn follow_by_token(&self, token_hash: &str) -> StoreResult<Follow> {
        let row = sqlx::query(concat!("SELECT ", follow_columns!(), " FROM follows WHERE token_hash = ?"))
            .bind(token_hash)
            .fetch_optional(&self.reader)
            .await
            .map_err(other)?
            .ok_or(StoreError::NotFound)?;
        follow_row(&row)
    }

    async fn follows(&self) -> StoreResult<Vec<Follow>> {
        sqlx::query(concat!("SELECT ", follow_columns!(), " FROM follows WHERE confirmed_at IS NOT NULL ORDER BY id"))
            .fetch_all(&self.reader)
            .await
            .map_err(other)?
            .iter()
            .map(follow_row)
            .collect()
    }

    async fn recipients_for(&self, location: &LocationId, roles: &[Role]) -> StoreResult<Vec<Recipient>> {
        if roles.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT DISTINCT u.email, u.name FROM users u JOIN user_grants g ON g.user_id = u.id \
             JOIN locations l ON l.id = ",
        );
        qb.push_bind(location.as_str()).push(
            " WHERE u.disabled = 0 AND u.password_hash IS NOT NULL \
             AND ((g.scope_kind = 'location' AND g.scope_value = l.id) \
               OR (g.scope_kind = 'provider' AND g.scope_value = l.provider_id)) AND g.role IN (",
        );
        let mut list = qb.separated(", ");
        for role in roles {
            list.push_bind(role.code());
        }
        qb.push(") ORDER BY u.email");
        let rows: Vec<(String, String)> = qb.build_query_as().fetch_all(&self.reader).await.map_err(other)?;
        rows.into_iter().map(|(to, name)| Ok(Recipient { email: email(&to)?, name })).collect()
    }
}
