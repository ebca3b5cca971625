//! Provider returns: a batch is kept in one transaction, each chunk of it in one
//! statement that adds new months, replaces changed ones and leaves months sent
//! again with the same figures (and who sent them, and when) as they were. The
//! statement locks each month it meets, so two instances saving the same month
//! at once follow each other.

use std::collections::HashSet;

use async_trait::async_trait;
use sqlx::PgConnection;
use sqlx::postgres::PgRow;

use candour_domain::returns::{Month, MonthlyReturn};
use candour_domain::{LocationId, UserId};
use candour_store::*;

use crate::codec::get;
use crate::{PostgresStore, corrupt, other};

/// The figures' columns, in [`MonthlyReturn`]'s order, as [`figures`] reads them.
macro_rules! figure_columns {
    () => {
        "month, headcount, leavers, agency_hours, hours_worked, vacancies, supervision_pct, training_pct, \
         registered_manager, manager_changed, people_supported, incidents, restraint, seclusion, segregation, \
         notifications, safeguarding_referrals, complaints_received, complaints_upheld, complaints_on_time"
    };
}

/// The figures but the month, as `t.` and `excluded.` compare them.
macro_rules! compared {
    ($table:literal) => {
        concat!(
            "(",
            $table,
            ".headcount, ",
            $table,
            ".leavers, ",
            $table,
            ".agency_hours, ",
            $table,
            ".hours_worked, ",
            $table,
            ".vacancies, ",
            $table,
            ".supervision_pct, ",
            $table,
            ".training_pct, ",
            $table,
            ".registered_manager, ",
            $table,
            ".manager_changed, ",
            $table,
            ".people_supported, ",
            $table,
            ".incidents, ",
            $table,
            ".restraint, ",
            $table,
            ".seclusion, ",
            $table,
            ".segregation, ",
            $table,
            ".notifications, ",
            $table,
            ".safeguarding_referrals, ",
            $table,
            ".complaints_received, ",
            $table,
            ".complaints_upheld, ",
            $table,
            ".complaints_on_time)"
        )
    };
}

/// Adds or replaces a chunk of months, one array per column. A month kept with
/// the same figures is left alone; each row returned says whether it was added
/// (a row just inserted has no `xmax`) or replaced.
const SAVE_RETURNS: &str = concat!(
    "INSERT INTO provider_returns AS t (location_id, ",
    figure_columns!(),
    ", sent_by, sent_at, source) \
     SELECT r.*, $22::bigint, $23::timestamptz, $24::text FROM UNNEST($1::text[], $2::text[], \
     $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], \
     $10::boolean[], $11::boolean[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[], \
     $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[]) AS r \
     ON CONFLICT (location_id, month) DO UPDATE SET (",
    "headcount, leavers, agency_hours, hours_worked, vacancies, supervision_pct, training_pct, \
     registered_manager, manager_changed, people_supported, incidents, restraint, seclusion, segregation, \
     notifications, safeguarding_referrals, complaints_received, complaints_upheld, complaints_on_time, \
     sent_by, sent_at, source) = (",
    "excluded.headcount, excluded.leavers, excluded.agency_hours, excluded.hours_worked, excluded.vacancies, \
     excluded.supervision_pct, excluded.training_pct, excluded.registered_manager, excluded.manager_changed, \
     excluded.people_supported, excluded.incidents, excluded.restraint, excluded.seclusion, excluded.segregation, \
     excluded.notifications, excluded.safeguarding_referrals, excluded.complaints_received, \
     excluded.complaints_upheld, excluded.complaints_on_time, excluded.sent_by, excluded.sent_at, excluded.source) \
     WHERE ",
    compared!("t"),
    " IS DISTINCT FROM ",
    compared!("excluded"),
    " RETURNING t.xmax = 0"
);

/// Months written by one statement: bounds the memory of one round trip.
const ROWS_PER_STATEMENT: usize = 5000;

fn month(text: &str) -> StoreResult<Month> {
    Month::parse(text).map_err(|e| corrupt("month", e))
}

/// Reads [`figure_columns!`] from column `at` on.
fn figures(row: &PgRow, at: usize) -> StoreResult<MonthlyReturn> {
    let n = |i: usize| u32::try_from(get::<i64>(row, at + i)?).map_err(|e| corrupt("return figure", e));
    let pct = |i: usize| u8::try_from(get::<i64>(row, at + i)?).map_err(|e| corrupt("return percentage", e));
    Ok(MonthlyReturn {
        month: month(&get::<String>(row, at)?)?,
        headcount: n(1)?,
        leavers: n(2)?,
        agency_hours: n(3)?,
        hours_worked: n(4)?,
        vacancies: n(5)?,
        supervision_pct: pct(6)?,
        training_pct: pct(7)?,
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

fn record(row: &PgRow) -> StoreResult<ReturnRecord> {
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

/// Writes a chunk of months in one statement and counts what it did. An unknown
/// location (or sender) breaks a foreign key: `NotFound`.
async fn save_chunk(
    conn: &mut PgConnection,
    rows: &[&(LocationId, MonthlyReturn)],
    batch: &ReturnBatch,
    counts: &mut ReturnCounts,
) -> StoreResult<()> {
    let column = |f: fn(&MonthlyReturn) -> i64| rows.iter().map(|(_, r)| f(r)).collect::<Vec<i64>>();
    let flag = |f: fn(&MonthlyReturn) -> bool| rows.iter().map(|(_, r)| f(r)).collect::<Vec<bool>>();
    let written: Vec<bool> = sqlx::query_scalar(SAVE_RETURNS)
        .bind(rows.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|(_, r)| r.month.to_string()).collect::<Vec<_>>())
        .bind(column(|r| r.headcount.into()))
        .bind(column(|r| r.leavers.into()))
        .bind(column(|r| r.agency_hours.into()))
        .bind(column(|r| r.hours_worked.into()))
        .bind(column(|r| r.vacancies.into()))
        .bind(column(|r| r.supervision_pct.into()))
        .bind(column(|r| r.training_pct.into()))
        .bind(flag(|r| r.registered_manager))
        .bind(flag(|r| r.manager_changed))
        .bind(column(|r| r.people_supported.into()))
        .bind(column(|r| r.incidents.into()))
        .bind(column(|r| r.restraint.into()))
        .bind(column(|r| r.seclusion.into()))
        .bind(column(|r| r.segregation.into()))
        .bind(column(|r| r.notifications.into()))
        .bind(column(|r| r.safeguarding_referrals.into()))
        .bind(column(|r| r.complaints_received.into()))
        .bind(column(|r| r.complaints_upheld.into()))
        .bind(column(|r| r.complaints_on_time.into()))
        .bind(batch.sent_by.map(|u| u.0))
        .bind(batch.sent_at)
        .bind(batch.source.code())
        .fetch_all(conn)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
            _ => other(e),
        })?;
    let added = written.iter().filter(|&&added| added).count() as u64;
    counts.added += added;
    counts.replaced += written.len() as u64 - added;
    counts.unchanged += (rows.len() - written.len()) as u64;
    Ok(())
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
impl ReturnsStore for PostgresStore {
    async fn save_returns(&self, batch: &ReturnBatch) -> StoreResult<ReturnCounts> {
        check_distinct(batch)?;
        let mut tx = self.write().begin().await.map_err(other)?;
        // Months are locked in one order by every batch, so two batches that share
        // months wait for each other rather than deadlock.
        let mut rows: Vec<&(LocationId, MonthlyReturn)> = batch.returns.iter().collect();
        rows.sort_unstable_by(|(a, m), (b, n)| (a.as_str(), m.month).cmp(&(b.as_str(), n.month)));
        let mut counts = ReturnCounts::default();
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            save_chunk(&mut tx, chunk, batch, &mut counts).await?;
        }
        let locations = batch.returns.iter().map(|(id, _)| id.as_str());
        crate::journal::append_each(&mut tx, locations, ChangeKind::Return, batch.sent_at).await?;
        tx.commit().await.map_err(other)?;
        Ok(counts)
    }

    async fn returns_of(&self, location: &LocationId, from: Month, to: Month) -> StoreResult<Vec<ReturnRecord>> {
        let mut conn = self.read().acquire().await.map_err(other)?;
        let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM locations WHERE id = $1")
            .bind(location.as_str())
            .fetch_optional(&mut *conn)
            .await
            .map_err(other)?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        let rows = sqlx::query(concat!(
            "SELECT location_id, ",
            figure_columns!(),
            ", sent_by, sent_at, source FROM provider_returns WHERE location_id = $1 AND month BETWEEN $2 AND $3 \
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
            "SELECT location_id, MAX(month) FROM provider_returns GROUP BY location_id ORDER BY location_id COLLATE \"C\"",
        )
        .fetch_all(self.read())
        .await
        .map_err(other)?;
        rows.iter()
            .map(|(id, m)| Ok((LocationId::parse(id).map_err(|e| corrupt("location ID", e))?, month(m)?)))
            .collect()
    }
}

#[cfg(all(test, candour_postgres_tests))]
mod tests {
    use std::sync::Arc;

    use candour_domain::returns::{Month, MonthlyReturn};
    use candour_domain::{Location, LocationId, Provider, ProviderId};
    use candour_store::{ImportCounts, ImportPlan, RegisterStore, ReturnBatch, ReturnSource, ReturnsStore};
    use chrono::Utc;

    use crate::conformance::fresh;

    fn location(n: u32) -> LocationId {
        LocationId::parse(&format!("1-{n}")).expect("an ID")
    }

    fn figures(month: Month, incidents: u32) -> MonthlyReturn {
        MonthlyReturn {
            month,
            headcount: 40,
            leavers: 2,
            agency_hours: 300,
            hours_worked: 6000,
            vacancies: 3,
            supervision_pct: 85,
            training_pct: 92,
            registered_manager: true,
            manager_changed: false,
            people_supported: 38,
            incidents,
            restraint: 1,
            seclusion: 0,
            segregation: 0,
            notifications: 2,
            safeguarding_referrals: 1,
            complaints_received: 3,
            complaints_upheld: 1,
            complaints_on_time: 3,
        }
    }

    /// Batches sharing months, sent at once in opposite orders (as two instances
    /// might): each waits for the other instead of deadlocking, and every month is
    /// kept once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn batches_sharing_months_at_once_are_all_kept() {
        let (store, _) = fresh().await;
        let provider = ProviderId::parse("1-1").expect("an ID");
        let locations: Vec<Location> =
            (100..110).map(|n| Location::new(location(n), provider.clone(), format!("Home {n}"))).collect();
        let plan = ImportPlan {
            kind: "test".into(),
            origin: "test".into(),
            providers: vec![Provider::new(provider, "Provider")],
            counts: ImportCounts { added: locations.len() as u64, ..Default::default() },
            locations,
            ratings: vec![],
        };
        store.apply_import(&plan).await.expect("import");
        let store = Arc::new(store);
        let months: Vec<(LocationId, MonthlyReturn)> = (100..110)
            .flat_map(|n| (1..=12).map(move |m| (location(n), figures(Month::new(2026, m).expect("a month"), n))))
            .collect();
        let mut sends = tokio::task::JoinSet::new();
        for round in 0..6 {
            let mut returns = months.clone();
            if round % 2 == 1 {
                returns.reverse();
            }
            let batch = ReturnBatch { returns, sent_by: None, sent_at: Utc::now(), source: ReturnSource::Api };
            let store = Arc::clone(&store);
            sends.spawn(async move { store.save_returns(&batch).await });
        }
        let counts: Vec<_> = sends.join_all().await.into_iter().map(|c| c.expect("saved")).collect();
        assert_eq!(counts.iter().map(|c| c.added).sum::<u64>(), 120, "each month added once: {counts:?}");
        assert!(counts.iter().all(|c| c.replaced == 0 && c.added + c.unchanged == 120), "{counts:?}");
        assert_eq!(store.latest_return_months().await.expect("latest").len(), 10);
    }
}
