//! Provider returns: a batch is kept in one transaction on the single writer,
//! each month compared with the one kept, so that sending the same figures again
//! leaves the row (and who sent it, and when) as it was.

use std::collections::HashSet;

use async_trait::async_trait;
use sqlx::sqlite::Sqlite;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, SqliteConnection};

use candour_domain::returns::{Month, MonthlyReturn};
use candour_domain::{LocationId, UserId};
use candour_store::*;

use crate::codec::{corrupt, get, stamp};
use crate::{SqliteStore, other};

/// The figures' columns, in [`MonthlyReturn`]'s order, as [`figures`] reads them.
macro_rules! figure_columns {
    () => {
        "month, headcount, leavers, agency_hours, hours_worked, vacancies, supervision_pct, training_pct, \
         registered_manager, manager_changed, people_supported, incidents, restraint, seclusion, segregation, \
         notifications, safeguarding_referrals, complaints_received, complaints_upheld, complaints_on_time"
    };
}

fn month(text: &str) -> StoreResult<Month> {
    Month::parse(text).map_err(|e| corrupt("month", e))
}

/// Reads [`figure_columns!`] from column `at` on.
fn figures(row: &SqliteRow, at: usize) -> StoreResult<MonthlyReturn> {
    let n = |i: usize| get::<u32>(row, at + i);
    Ok(MonthlyReturn {
        month: month(&get::<String>(row, at)?)?,
        headcount: n(1)?,
        leavers: n(2)?,
        agency_hours: n(3)?,
        hours_worked: n(4)?,
        vacancies: n(5)?,
        supervision_pct: get(row, at + 6)?,
        training_pct: get(row, at + 7)?,
        registered_manager: get(row, at + 8)?,
        manager_changed: get(row, at + 9)?,
        people_supported: n(10)?,
        incidents: n(11)?,
        restraint: n(12)?,
        seclusion: n(13)?,
        segregation: n(14)?,
        notifications: n(15)?,
        safeguarding_referrals: n(16)?,
        complaints_received: n(17)?,
        complaints_upheld: n(18)?,
        complaints_on_time: n(19)?,
    })
}

fn record(row: &SqliteRow) -> StoreResult<ReturnRecord> {
    let location: String = get(row, 0)?;
    let source: String = get(row, 23)?;
    Ok(ReturnRecord {
        location_id: LocationId::parse(&location).map_err(|e| corrupt("location ID", e))?,
        figures: figures(row, 1)?,
        sent_by: get::<Option<i64>>(row, 21)?.map(UserId),
        sent_at: get(row, 22)?,
        source: ReturnSource::parse(&source).ok_or_else(|| corrupt("return source", &source))?,
    })
}

async fn location_exists(conn: &mut SqliteConnection, id: &LocationId) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM locations WHERE id = ?")
        .bind(id.as_str())
        .fetch_optional(conn)
        .await
        .map_err(other)?;
    Ok(found.is_some())
}

async fn kept(conn: &mut SqliteConnection, id: &LocationId, at: Month) -> StoreResult<Option<MonthlyReturn>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        figure_columns!(),
        " FROM provider_returns WHERE location_id = ? AND month = ?"
    ))
    .bind(id.as_str())
    .bind(at.to_string())
    .fetch_optional(conn)
    .await
    .map_err(other)?;
    row.map(|r| figures(&r, 0)).transpose()
}

/// Rows written by one statement: 24 values each, well under SQLite's limit of
/// 32,766 bound values.
const ROWS_PER_STATEMENT: usize = 1000;

const INSERT_RETURNS: &str =
    concat!("INSERT INTO provider_returns (location_id, ", figure_columns!(), ", sent_by, sent_at, source) ");
const KEEP_KEPT: &str = " ON CONFLICT (location_id, month) DO NOTHING";
const REPLACE_KEPT: &str = " ON CONFLICT (location_id, month) DO UPDATE SET headcount = excluded.headcount, leavers = excluded.leavers, \
         agency_hours = excluded.agency_hours, hours_worked = excluded.hours_worked, vacancies = excluded.vacancies, \
         supervision_pct = excluded.supervision_pct, training_pct = excluded.training_pct, \
         registered_manager = excluded.registered_manager, manager_changed = excluded.manager_changed, \
         people_supported = excluded.people_supported, incidents = excluded.incidents, \
         restraint = excluded.restraint, seclusion = excluded.seclusion, segregation = excluded.segregation, \
         notifications = excluded.notifications, safeguarding_referrals = excluded.safeguarding_referrals, \
         complaints_received = excluded.complaints_received, complaints_upheld = excluded.complaints_upheld, \
         complaints_on_time = excluded.complaints_on_time, sent_by = excluded.sent_by, sent_at = excluded.sent_at, \
         source = excluded.source";

/// Writes the rows in one statement, ending with what to do with a month kept
/// already; returns how many rows it wrote. An unknown location breaks the
/// foreign key: `NotFound`.
async fn write_rows(
    conn: &mut SqliteConnection,
    rows: &[(LocationId, MonthlyReturn)],
    batch: &ReturnBatch,
    on_kept: &'static str,
) -> StoreResult<u64> {
    let mut query = QueryBuilder::<Sqlite>::new(INSERT_RETURNS);
    query.push_values(rows, |mut row, (id, r)| {
        row.push_bind(id.as_str().to_string())
            .push_bind(r.month.to_string())
            .push_bind(r.headcount)
            .push_bind(r.leavers)
            .push_bind(r.agency_hours)
            .push_bind(r.hours_worked)
            .push_bind(r.vacancies)
            .push_bind(r.supervision_pct)
            .push_bind(r.training_pct)
            .push_bind(r.registered_manager)
            .push_bind(r.manager_changed)
            .push_bind(r.people_supported)
            .push_bind(r.incidents)
            .push_bind(r.restraint)
            .push_bind(r.seclusion)
            .push_bind(r.segregation)
            .push_bind(r.notifications)
            .push_bind(r.safeguarding_referrals)
            .push_bind(r.complaints_received)
            .push_bind(r.complaints_upheld)
            .push_bind(r.complaints_on_time)
            .push_bind(batch.sent_by.map(|u| u.0))
            .push_bind(stamp(batch.sent_at))
            .push_bind(batch.source.code());
    });
    query.push(on_kept);
    let done = query.build().execute(conn).await.map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
        _ => other(e),
    })?;
    Ok(done.rows_affected())
}

/// One month at a time: added, unchanged, or replaced with its new sender.
async fn save_one(
    conn: &mut SqliteConnection,
    row: &(LocationId, MonthlyReturn),
    batch: &ReturnBatch,
    counts: &mut ReturnCounts,
) -> StoreResult<()> {
    let (id, r) = row;
    if write_rows(conn, std::slice::from_ref(row), batch, KEEP_KEPT).await? == 1 {
        counts.added += 1;
    } else if kept(conn, id, r.month).await?.as_ref() == Some(r) {
        counts.unchanged += 1;
    } else {
        write_rows(conn, std::slice::from_ref(row), batch, REPLACE_KEPT).await?;
        counts.replaced += 1;
    }
    Ok(())
}

async fn execute(conn: &mut SqliteConnection, sql: &'static str) -> StoreResult<()> {
    sqlx::query(sql).execute(conn).await.map(drop).map_err(other)
}

/// Refuses a batch that names a location and month twice: which one to keep
/// would be a guess.
fn check_distinct(batch: &ReturnBatch) -> StoreResult<()> {
    let mut seen = HashSet::new();
    for (id, r) in &batch.returns {
        if !seen.insert((id, r.month)) {
            return Err(StoreError::Invalid(format!("the returns give {} for location {id} twice", r.month)));
        }
    }
    Ok(())
}

#[async_trait]
impl ReturnsStore for SqliteStore {
    async fn save_returns(&self, batch: &ReturnBatch) -> StoreResult<ReturnCounts> {
        check_distinct(batch)?;
        let mut tx = self.writer.begin().await.map_err(other)?;
        let mut counts = ReturnCounts::default();
        for chunk in batch.returns.chunks(ROWS_PER_STATEMENT) {
            // Most uploads are new months: write the chunk at once, and only if some
            // month was kept already undo that and go month by month.
            execute(&mut tx, "SAVEPOINT new_months").await?;
            let written = write_rows(&mut tx, chunk, batch, KEEP_KEPT).await?;
            if written == chunk.len() as u64 {
                execute(&mut tx, "RELEASE new_months").await?;
                counts.added += written;
                continue;
            }
            execute(&mut tx, "ROLLBACK TO new_months").await?;
            execute(&mut tx, "RELEASE new_months").await?;
            for row in chunk {
                save_one(&mut tx, row, batch, &mut counts).await?;
            }
        }
        let locations = batch.returns.iter().map(|(id, _)| id.as_str());
        crate::journal::append_each(&mut tx, locations, candour_store::ChangeKind::Return, batch.sent_at).await?;
        tx.commit().await.map_err(other)?;
        Ok(counts)
    }

    async fn returns_of(&self, location: &LocationId, from: Month, to: Month) -> StoreResult<Vec<ReturnRecord>> {
        let mut conn = self.reader.acquire().await.map_err(other)?;
        if !location_exists(&mut conn, location).await? {
            return Err(StoreError::NotFound);
        }
        let rows = sqlx::query(concat!(
            "SELECT location_id, ",
            figure_columns!(),
            ", sent_by, sent_at, source FROM provider_returns WHERE location_id = ? AND month BETWEEN ? AND ? \
             ORDER BY month"
        ))
        .bind(location.as_str())
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(other)?;
        rows.iter().map(record).collect()
    }

    async fn latest_return_months(&self) -> StoreResult<Vec<(LocationId, Month)>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT location_id, MAX(month) FROM provider_returns GROUP BY location_id ORDER BY location_id",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(other)?;
        rows.iter()
            .map(|(id, m)| Ok((LocationId::parse(id).map_err(|e| corrupt("location ID", e))?, month(m)?)))
            .collect()
    }
}
