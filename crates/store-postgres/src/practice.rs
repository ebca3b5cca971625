//! Accounts of good practice, the storage side. The text search uses `strpos`,
//! which reads its needle literally, so `%` and `_` typed by a person are plain
//! characters (as `instr` does on SQLite).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::postgres::PgRow;

use candour_domain::practice::{PracticeDraft, PracticeStatus, QualityStatement, Theme};
use candour_domain::{LocationId, ProviderId, UserId};
use candour_store::*;

use crate::codec::get;
use crate::{PostgresStore, corrupt, journal, other};

/// The columns of a [`PracticeSummary`], as [`summary`] reads them.
macro_rules! summary_columns {
    () => {
        "gp.id, gp.title, gp.summary, gp.theme, \
         ARRAY(SELECT s.statement FROM good_practice_statements s WHERE s.practice_id = gp.id ORDER BY s.position), \
         gp.status, gp.location_id, l.name, l.provider_id, p.name, gp.updated_at, gp.published_at"
    };
}

macro_rules! from_practice {
    () => {
        " FROM good_practice gp JOIN locations l ON l.id = gp.location_id JOIN providers p ON p.id = l.provider_id"
    };
}

/// The published accounts matching `$1` (lower-case text), `$2` (theme code) and
/// `$3` (statement code), each ignored when NULL.
macro_rules! search_filter {
    () => {
        " WHERE gp.status = 'published' \
             AND ($1::text IS NULL OR strpos(lower(gp.title), $1) > 0 OR strpos(lower(gp.summary), $1) > 0 \
                  OR strpos(lower(gp.what_we_did), $1) > 0 OR strpos(lower(gp.why), $1) > 0 \
                  OR strpos(lower(gp.difference), $1) > 0 OR strpos(lower(gp.advice), $1) > 0 \
                  OR strpos(lower(l.name), $1) > 0 OR strpos(lower(p.name), $1) > 0) \
             AND ($2::text IS NULL OR gp.theme = $2) \
             AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM good_practice_statements s \
                  WHERE s.practice_id = gp.id AND s.statement = $3))"
    };
}

fn theme(text: &str) -> StoreResult<Theme> {
    Theme::parse(text).map_err(|e| corrupt("theme", e))
}

fn status(text: &str) -> StoreResult<PracticeStatus> {
    PracticeStatus::parse(text).map_err(|e| corrupt("good practice status", e))
}

fn statements(codes: Vec<String>) -> StoreResult<Vec<QualityStatement>> {
    codes.iter().map(|s| QualityStatement::parse(s).map_err(|e| corrupt("quality statement", e))).collect()
}

fn location_id(text: &str) -> StoreResult<LocationId> {
    LocationId::parse(text).map_err(|e| corrupt("location ID", e))
}

fn provider_id(text: &str) -> StoreResult<ProviderId> {
    ProviderId::parse(text).map_err(|e| corrupt("provider ID", e))
}

/// Reads [`summary_columns!`].
fn summary(row: &PgRow) -> StoreResult<PracticeSummary> {
    Ok(PracticeSummary {
        id: get(row, 0)?,
        title: get(row, 1)?,
        summary: get(row, 2)?,
        theme: theme(&get::<String>(row, 3)?)?,
        statements: statements(get(row, 4)?)?,
        status: status(&get::<String>(row, 5)?)?,
        location_id: location_id(&get::<String>(row, 6)?)?,
        location_name: get(row, 7)?,
        provider_id: provider_id(&get::<String>(row, 8)?)?,
        provider_name: get(row, 9)?,
        updated_at: get(row, 10)?,
        published_at: get(row, 11)?,
    })
}

/// Replaces the account's statements with the draft's, keeping their order.
async fn write_statements(conn: &mut PgConnection, id: i64, draft: &PracticeDraft) -> StoreResult<()> {
    sqlx::query("DELETE FROM good_practice_statements WHERE practice_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(other)?;
    let codes: Vec<&str> = draft.statements.iter().map(|s| s.code()).collect();
    sqlx::query(
        "INSERT INTO good_practice_statements (practice_id, statement, position) \
         SELECT $1, statement, n - 1 FROM UNNEST($2::text[]) WITH ORDINALITY AS s(statement, n)",
    )
    .bind(id)
    .bind(&codes)
    .execute(conn)
    .await
    .map(drop)
    .map_err(other)
}

fn missing_location(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
        _ => other(e),
    }
}

#[async_trait]
impl PracticeStore for PostgresStore {
    async fn create_practice(&self, new: &NewPractice) -> StoreResult<i64> {
        let d = &new.draft;
        let mut tx = self.write().begin().await.map_err(other)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO good_practice (location_id, title, summary, what_we_did, why, difference, advice, theme, \
             status, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $10, $10) RETURNING id",
        )
        .bind(new.location.as_str())
        .bind(&d.title)
        .bind(&d.summary)
        .bind(&d.what_we_did)
        .bind(&d.why)
        .bind(&d.difference)
        .bind(&d.advice)
        .bind(d.theme.code())
        .bind(new.by.map(|u| u.0))
        .bind(new.at)
        .fetch_one(&mut *tx)
        .await
        .map_err(missing_location)?;
        write_statements(&mut tx, id, d).await?;
        tx.commit().await.map_err(other)?;
        Ok(id)
    }

    async fn update_practice(&self, id: i64, d: &PracticeDraft, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.write().begin().await.map_err(other)?;
        // The update locks the row, so two edits at once write their statements in turn.
        let done = sqlx::query(
            "UPDATE good_practice SET title = $1, summary = $2, what_we_did = $3, why = $4, difference = $5, \
             advice = $6, theme = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(&d.title)
        .bind(&d.summary)
        .bind(&d.what_we_did)
        .bind(&d.why)
        .bind(&d.difference)
        .bind(&d.advice)
        .bind(d.theme.code())
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(other)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        write_statements(&mut tx, id, d).await?;
        tx.commit().await.map_err(other)
    }

    async fn set_practice_published(&self, id: i64, published: bool, at: DateTime<Utc>) -> StoreResult<()> {
        let mut tx = self.write().begin().await.map_err(other)?;
        // Locked, so that of two publications at once the second sees the first.
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT status, location_id FROM good_practice WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(other)?;
        let (now, location) = row.ok_or(StoreError::NotFound)?;
        match (status(&now)?, published) {
            (PracticeStatus::Published, true) => return Err(StoreError::Conflict("it is published already".into())),
            (PracticeStatus::Draft | PracticeStatus::Unpublished, false) => {
                return Err(StoreError::Conflict("it is not published".into()));
            }
            _ => {}
        }
        // Unpublishing keeps when it was last published.
        let query = if published {
            sqlx::query(
                "UPDATE good_practice SET status = 'published', published_at = $1, updated_at = $1 WHERE id = $2",
            )
        } else {
            sqlx::query("UPDATE good_practice SET status = 'unpublished', updated_at = $1 WHERE id = $2")
        };
        query.bind(at).bind(id).execute(&mut *tx).await.map_err(other)?;
        journal::append(&mut tx, Some(&location), ChangeKind::Practice, at).await?;
        tx.commit().await.map_err(other)
    }

    async fn practice(&self, id: i64) -> StoreResult<PracticeRecord> {
        let row = sqlx::query(concat!(
            "SELECT ",
            summary_columns!(),
            ", gp.what_we_did, gp.why, gp.difference, gp.advice, gp.created_by, gp.created_at, l.local_authority",
            from_practice!(),
            " WHERE gp.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.read())
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
        let s = summary(&row)?;
        Ok(PracticeRecord {
            id: s.id,
            location_id: s.location_id,
            location_name: s.location_name,
            provider_id: s.provider_id,
            provider_name: s.provider_name,
            local_authority: get(&row, 18)?,
            draft: PracticeDraft {
                title: s.title,
                summary: s.summary,
                what_we_did: get(&row, 12)?,
                why: get(&row, 13)?,
                difference: get(&row, 14)?,
                advice: get(&row, 15)?,
                theme: s.theme,
                statements: s.statements,
            },
            status: s.status,
            created_by: get::<Option<i64>>(&row, 16)?.map(UserId),
            created_at: get(&row, 17)?,
            updated_at: s.updated_at,
            published_at: s.published_at,
        })
    }

    async fn practices_of(&self, location: &LocationId) -> StoreResult<Vec<PracticeSummary>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            summary_columns!(),
            from_practice!(),
            " WHERE gp.location_id = $1 ORDER BY gp.updated_at DESC, gp.id DESC"
        ))
        .bind(location.as_str())
        .fetch_all(self.read())
        .await
        .map_err(other)?;
        rows.iter().map(summary).collect()
    }

    async fn search_practice(&self, query: &PracticeQuery) -> StoreResult<Page<PracticeSummary>> {
        if query.page == 0 || query.per_page == 0 || query.per_page > PracticeQuery::MAX_PER_PAGE {
            return Err(StoreError::Invalid(format!(
                "ask for page 1 or later, with 1 to {} accounts a page",
                PracticeQuery::MAX_PER_PAGE
            )));
        }
        let text = query.text.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_lowercase);
        let theme = query.theme.map(|t| t.code());
        let statement = query.statement.map(|s| s.code());
        let mut conn = self.read().acquire().await.map_err(other)?;
        let total: i64 = sqlx::query_scalar(concat!("SELECT COUNT(*)", from_practice!(), search_filter!()))
            .bind(&text)
            .bind(theme)
            .bind(statement)
            .fetch_one(&mut *conn)
            .await
            .map_err(other)?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            summary_columns!(),
            from_practice!(),
            search_filter!(),
            " ORDER BY gp.published_at DESC, gp.id DESC LIMIT $4 OFFSET $5"
        ))
        .bind(&text)
        .bind(theme)
        .bind(statement)
        .bind(i64::from(query.per_page))
        .bind(i64::from(query.page - 1) * i64::from(query.per_page))
        .fetch_all(&mut *conn)
        .await
        .map_err(other)?;
        Ok(Page {
            items: rows.iter().map(summary).collect::<StoreResult<_>>()?,
            total: total as u64,
            page: query.page,
            per_page: query.per_page,
        })
    }
}

#[cfg(all(test, candour_postgres_tests))]
mod concurrent {
    use crate::policies::concurrent::{at, store_with_one_location};

    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn one_of_many_publications_at_once_is_accepted() {
        let store = store_with_one_location().await;
        let draft = PracticeDraft {
            title: "Music at mealtimes".into(),
            summary: "Music".into(),
            what_we_did: "Played".into(),
            why: "Asked".into(),
            difference: "Calm".into(),
            advice: "Try".into(),
            theme: Theme::Nutrition,
            statements: vec![QualityStatement::parse("E4").expect("statement")],
        };
        let location = LocationId::parse("1-100").expect("id");
        let new = NewPractice { location, draft, by: None, at: at(1) };
        let id = store.create_practice(&new).await.expect("create");
        let last = store.last_change().await.expect("last");
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.set_practice_published(id, true, at(2)).await.is_ok() })
            })
            .collect();
        let mut accepted = 0;
        for task in tasks {
            accepted += usize::from(task.await.expect("task"));
        }
        assert_eq!(accepted, 1);
        assert_eq!(store.changes_after(last, 100).await.expect("journal").len(), 1, "one entry for one publication");
    }
}
