//! What monitoring reads. Voice comes from `voice_months`, the counts per location
//! and month kept with every write (voice/counts.rs). Each read returns plain rows
//! ordered by location; a location any of whose rows cannot be read is left out
//! and named in `unreadable`, and the others are read on.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, Row};

use candour_domain::complaints::OverdueComplaints;
use candour_domain::returns::{MAX_FIGURE, Month, MonthlyReturn};
use candour_domain::voice_month::VoiceMonth;
use candour_domain::{LocationId, ProviderId, Rating, Region, ServiceKind};
use candour_store::*;

use crate::codec::get;
use crate::voice::counts;
use crate::{PostgresStore, corrupt, other};

/// Returns, in the order of [`MonthlyReturn`].
const RETURNS: [&str; 20] = [
    "month",
    "headcount",
    "leavers",
    "agency_hours",
    "hours_worked",
    "vacancies",
    "supervision_pct",
    "training_pct",
    "registered_manager",
    "manager_changed",
    "people_supported",
    "incidents",
    "restraint",
    "seclusion",
    "segregation",
    "notifications",
    "safeguarding_referrals",
    "complaints_received",
    "complaints_upheld",
    "complaints_on_time",
];

/// Registered locations, as [`service_facts`] reads them.
const LOCATIONS: &str = "SELECT l.id, l.name, l.provider_id, p.name, l.local_authority, l.region, l.service_kinds, \
     l.beds, l.specialisms, l.last_inspection, l.current_overall, l.current_rated_on \
     FROM locations l LEFT JOIN providers p ON p.id = l.provider_id WHERE l.registration_status = 'registered'";

/// The latest alert at level $1 or above, raised by feedback or by a complaint.
const ALERTS: &str = "SELECT location_id, MAX(raised_at) FROM (\
         SELECT f.location_id, a.raised_at FROM alerts a JOIN feedback f ON f.id = a.feedback_id WHERE a.level >= $1 \
         UNION ALL SELECT location_id, created_at FROM complaints WHERE alert_level >= $1) AS raised \
     WHERE raised_at IS NOT NULL";

/// The first month each location logged a complaint received by $1.
const COMPLAINTS_SINCE: &str =
    "SELECT location_id, to_char(MIN(received_on), 'YYYY-MM') FROM complaints WHERE received_on <= $1";

/// Complaints per month received from $1 on.
const COMPLAINT_MONTHS: &str = "SELECT location_id, to_char(received_on, 'YYYY-MM') AS month, COUNT(*), \
     COUNT(*) FILTER (WHERE outcome IN ('upheld', 'partly_upheld')), \
     COUNT(*) FILTER (WHERE response_sent_on <= respond_by) \
     FROM complaints WHERE received_on >= $1";

/// Complaints not closed, unanswered and past their response deadline on $1.
const COMPLAINTS_OVERDUE: &str = "SELECT location_id, COUNT(*), MIN(respond_by) FROM complaints \
     WHERE status <> 'closed' AND response_sent_on IS NULL AND respond_by < $1";

/// Runs `select` (which binds `bind` as $1 and ends in a WHERE clause) for every
/// location or those listed, grouped by `group` if given, ordered by location
/// and then by `then`.
async fn rows(
    store: &PostgresStore,
    select: &str,
    which: Locations<'_>,
    bind: impl for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + 'static,
    group: Option<&str>,
    then: &str,
) -> StoreResult<Vec<PgRow>> {
    let listed = listed(which);
    let group = group.map(|g| format!(" GROUP BY {g}")).unwrap_or_default();
    // Only our own constants go into the text; values are bound.
    fetch_apart(store, format!("{select}{listed}{group} ORDER BY location_id{then}"), bind, which).await
}

/// The condition that keeps to the listed locations, bound as $2 by [`fetch_apart`].
fn listed(which: Locations<'_>) -> &'static str {
    match which {
        Locations::All => "",
        Locations::These(_) => " AND location_id = ANY($2)",
    }
}

type Bound = sqlx::query::Query<'static, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// `sql` with `bind` bound as $1 and, when locations are listed, their IDs as $2
/// (the condition [`listed`] gives).
fn bound(
    sql: String,
    bind: impl for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + 'static,
    which: Locations<'_>,
) -> Bound {
    let query = sqlx::query(AssertSqlSafe(sql)).bind(bind);
    match which {
        Locations::All => query,
        Locations::These(ids) => query.bind(ids.iter().map(|id| id.as_str().to_string()).collect::<Vec<_>>()),
    }
}

/// Runs `sql`, binding `bind` as $1 and the listed locations as $2, in a task of its
/// own: its rows keep arriving while the caller decodes another query's.
async fn fetch_apart(
    store: &PostgresStore,
    sql: String,
    bind: impl for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + 'static,
    which: Locations<'_>,
) -> StoreResult<Vec<PgRow>> {
    let (query, pool) = (bound(sql, bind, which), store.read().clone());
    let fetched = tokio::spawn(async move { query.fetch_all(&pool).await });
    fetched.await.map_err(other)?.map_err(other)
}

/// How many packed rows are read together: few enough that the memory one batch
/// was read into serves the next, rather than fresh pages for every row.
const PACKED_BATCH: usize = 1_000;

/// Each location's months of `table` from month $1 on as one row (its ID, then an
/// array per column), each read with `read` as it arrives, a batch at a time off
/// the threads that serve requests. The driver's cost is per value, and this way it
/// is paid for some 30,000 rows of arrays rather than for some twenty-five million
/// values. A location whose row cannot be read is left out, in `unreadable`.
async fn packed<T: Send + 'static>(
    store: &PostgresStore,
    table: &str,
    columns: &[&str],
    which: Locations<'_>,
    from: Month,
    read: fn(&PgRow) -> StoreResult<Vec<T>>,
) -> StoreResult<Readings<T>> {
    let arrays: Vec<String> = columns.iter().map(|c| format!("array_agg({c})")).collect();
    // Only our own constants go into the text; values are bound. The ordered
    // subquery lets the months be gathered per location without sorting again.
    let sql = format!(
        "SELECT location_id, {} FROM (SELECT location_id, {} FROM {table} WHERE month >= $1{} \
         ORDER BY location_id, month) AS m GROUP BY location_id ORDER BY location_id",
        arrays.join(", "),
        columns.join(", "),
        listed(which),
    );
    let (query, pool) = (bound(sql, from.to_string(), which), store.read().clone());
    // In a task of its own, so that its rows keep arriving while the caller reads another query's.
    let fetched = tokio::spawn(async move {
        let mut rows = query.fetch(&pool);
        let mut readings = Readings::default();
        let mut batch = Vec::with_capacity(PACKED_BATCH);
        loop {
            let row = rows.try_next().await.map_err(other)?;
            let last = row.is_none();
            batch.extend(row);
            if batch.len() == PACKED_BATCH || last {
                let read = decode_apart(std::mem::take(&mut batch), read).await?;
                readings.rows.extend(read.rows);
                readings.unreadable.extend(read.unreadable);
            }
            if last {
                return Ok(readings);
            }
        }
    });
    fetched.await.map_err(other)?
}

/// Reads each packed row with `read`: a location whose row cannot be read is left
/// out, in `unreadable`.
fn each_packed<T>(rows: &[PgRow], mut read: impl FnMut(&PgRow) -> StoreResult<Vec<T>>) -> Readings<T> {
    let mut readings = Readings::default();
    for row in rows {
        match read(row) {
            Ok(found) => readings.rows.extend(found),
            Err(e) => readings.unreadable.push(Unreadable { location: stored_id(row), reason: reason(e) }),
        }
    }
    readings
}

/// Reads packed rows as [`each_packed`] does, off the threads that serve requests:
/// at national scale that is most of a second's work.
async fn decode_apart<T: Send + 'static>(
    rows: Vec<PgRow>,
    read: fn(&PgRow) -> StoreResult<Vec<T>>,
) -> StoreResult<Readings<T>> {
    candour_store::background::in_background(move || each_packed(&rows, read))
        .await
        .ok_or_else(|| StoreError::Other("decoding the monitoring data stopped unexpectedly".into()))
}

/// The arrays of a packed row, each checked to hold one value per month.
struct Packed<'r> {
    row: &'r PgRow,
    months: Vec<Month>,
}

impl<'r> Packed<'r> {
    fn new(row: &'r PgRow) -> StoreResult<Self> {
        let months: Vec<String> = get(row, 1)?;
        Ok(Packed { row, months: months.iter().map(|m| month(m)).collect::<StoreResult<_>>()? })
    }

    fn column<T>(&self, i: usize) -> StoreResult<Vec<T>>
    where
        Vec<T>: for<'a> sqlx::Decode<'a, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
    {
        let values: Vec<T> = get(self.row, i)?;
        if values.len() == self.months.len() {
            Ok(values)
        } else {
            Err(corrupt(
                "packed months",
                format!("column {i} has {} values for {} months", values.len(), self.months.len()),
            ))
        }
    }

    fn counts(&self, i: usize, what: &str) -> StoreResult<Vec<u32>> {
        self.column::<i64>(i)?.into_iter().map(|n| count_of(n, what)).collect()
    }

    fn sums(&self, i: usize) -> StoreResult<Vec<f64>> {
        self.column::<f64>(i)?.into_iter().map(sum_of).collect()
    }

    fn percentages(&self, i: usize) -> StoreResult<Vec<u8>> {
        self.column::<i64>(i)?.into_iter().map(percentage_of).collect()
    }
}

fn location(row: &PgRow) -> StoreResult<LocationId> {
    LocationId::parse(&get::<String>(row, 0)?).map_err(|e| corrupt("location ID", e))
}

/// The location ID of a row as stored, undecoded: to tell one location's rows from the next.
fn raw_id(row: &PgRow) -> Option<&[u8]> {
    row.try_get_raw(0).ok().and_then(|v| v.as_bytes().ok())
}

/// The location ID of a row as stored, for saying which location could not be read.
fn stored_id(row: &PgRow) -> String {
    row.try_get::<String, _>(0).unwrap_or_default()
}

/// Why, for a person: "stored month is not valid: …" rather than "database error: stored month …".
fn reason(e: StoreError) -> String {
    match e {
        StoreError::Other(inner) => inner.to_string(),
        other => other.to_string(),
    }
}

/// Reads each location's rows (consecutive, by their first column) with `read`:
/// a location any of whose rows cannot be read is left out, in `unreadable`.
fn each_location<T>(rows: &[PgRow], mut read: impl FnMut(&PgRow) -> StoreResult<T>) -> Readings<T> {
    let mut readings = Readings::default();
    for location in rows.chunk_by(|a, b| raw_id(a) == raw_id(b)) {
        match location.iter().map(&mut read).collect::<StoreResult<Vec<T>>>() {
            Ok(found) => readings.rows.extend(found),
            Err(e) => readings.unreadable.push(Unreadable { location: stored_id(&location[0]), reason: reason(e) }),
        }
    }
    readings
}

fn month(text: &str) -> StoreResult<Month> {
    Month::parse(text).map_err(|e| corrupt("month", e))
}

/// A stored count no return or tally could hold.
fn count(row: &PgRow, i: usize, what: &str) -> StoreResult<u32> {
    count_of(get(row, i)?, what)
}

fn count_of(n: i64, what: &str) -> StoreResult<u32> {
    match u32::try_from(n) {
        Ok(n) if n <= MAX_FIGURE => Ok(n),
        _ => Err(corrupt(what, format!("{n} is not between 0 and {MAX_FIGURE}"))),
    }
}

fn percentage_of(n: i64) -> StoreResult<u8> {
    u8::try_from(n).ok().filter(|n| *n <= 100).ok_or_else(|| corrupt("percentage", format!("{n} is not 0 to 100")))
}

fn sum_of(x: f64) -> StoreResult<f64> {
    if x.is_finite() { Ok(x) } else { Err(corrupt("voice sums", "a sum is not a finite number")) }
}

/// A packed row of voice counts: the month, then [`counts::COLUMNS`].
fn voice_months(row: &PgRow) -> StoreResult<Vec<(LocationId, Month, VoiceMonth)>> {
    let id = location(row)?;
    let p = Packed::new(row)?;
    let (responses, positive, rated) =
        (p.counts(2, "responses")?, p.counts(3, "positive answers")?, p.counts(4, "rated answers")?);
    let (outcome_n, outcome_sum, outcome_sum_sq) = (p.counts(5, "outcome answers")?, p.sums(6)?, p.sums(7)?);
    let (stories, critical_stories) = (p.counts(8, "stories")?, p.counts(9, "critical stories")?);
    let (speak_up_n, speak_up_sum, speak_up_sum_sq) = (p.counts(10, "speak-up answers")?, p.sums(11)?, p.sums(12)?);
    let enough_staff = (p.counts(13, "enough-staff answers")?, p.sums(14)?, p.sums(15)?);
    let partners = (p.counts(16, "partner responses")?, p.counts(17, "partner concerns")?);
    let dignity = (p.counts(18, "dignity answers")?, p.counts(19, "positive dignity answers")?);
    let safe = (p.counts(20, "safety answers")?, p.counts(21, "positive safety answers")?);
    let entered = p.counts(22, "responses typed in by staff")?;
    let progress = (p.counts(23, "progress ratings")?, p.counts(24, "progress rated better")?);
    let month = |m: usize| VoiceMonth {
        responses: responses[m],
        positive: positive[m],
        rated: rated[m],
        outcome_n: outcome_n[m],
        outcome_sum: outcome_sum[m],
        outcome_sum_sq: outcome_sum_sq[m],
        stories: stories[m],
        critical_stories: critical_stories[m],
        speak_up_n: speak_up_n[m],
        speak_up_sum: speak_up_sum[m],
        speak_up_sum_sq: speak_up_sum_sq[m],
        enough_staff_n: enough_staff.0[m],
        enough_staff_sum: enough_staff.1[m],
        enough_staff_sum_sq: enough_staff.2[m],
        partner_responses: partners.0[m],
        partner_concerns: partners.1[m],
        dignity_n: dignity.0[m],
        dignity_positive: dignity.1[m],
        safe_n: safe.0[m],
        safe_positive: safe.1[m],
        entered: entered[m],
        progress_n: progress.0[m],
        progress_better: progress.1[m],
    };
    Ok(p.months.iter().enumerate().map(|(m, &at)| (id.clone(), at, month(m))).collect())
}

/// A packed row of [`RETURNS`].
fn monthly_returns(row: &PgRow) -> StoreResult<Vec<(LocationId, MonthlyReturn)>> {
    let id = location(row)?;
    let p = Packed::new(row)?;
    let staff = (p.counts(2, "headcount")?, p.counts(3, "leavers")?, p.counts(4, "agency hours")?);
    let (hours_worked, vacancies) = (p.counts(5, "hours worked")?, p.counts(6, "vacancies")?);
    let (supervision, training) = (p.percentages(7)?, p.percentages(8)?);
    let (manager, manager_changed) = (p.column::<bool>(9)?, p.column::<bool>(10)?);
    let (people, incidents, restraint) =
        (p.counts(11, "people supported")?, p.counts(12, "incidents")?, p.counts(13, "restraint")?);
    let (seclusion, segregation) = (p.counts(14, "seclusion")?, p.counts(15, "segregation")?);
    let (notifications, referrals) = (p.counts(16, "notifications")?, p.counts(17, "safeguarding referrals")?);
    let complaints =
        (p.counts(18, "complaints received")?, p.counts(19, "complaints upheld")?, p.counts(20, "complaints on time")?);
    let figures = |m: usize, month: Month| MonthlyReturn {
        month,
        headcount: staff.0[m],
        leavers: staff.1[m],
        agency_hours: staff.2[m],
        hours_worked: hours_worked[m],
        vacancies: vacancies[m],
        supervision_pct: supervision[m],
        training_pct: training[m],
        registered_manager: manager[m],
        manager_changed: manager_changed[m],
        people_supported: people[m],
        incidents: incidents[m],
        restraint: restraint[m],
        seclusion: seclusion[m],
        segregation: segregation[m],
        notifications: notifications[m],
        safeguarding_referrals: referrals[m],
        complaints_received: complaints.0[m],
        complaints_upheld: complaints.1[m],
        complaints_on_time: complaints.2[m],
    };
    Ok(p.months.iter().enumerate().map(|(m, &at)| (id.clone(), figures(m, at))).collect())
}

fn parse<T>(what: &str, parsed: Result<T, candour_domain::ParseError>) -> StoreResult<T> {
    parsed.map_err(|e| corrupt(what, e))
}

/// A row of [`LOCATIONS`].
fn service_facts(row: &PgRow) -> StoreResult<ServiceFacts> {
    let kinds: String = get(row, 6)?;
    let first_kind = kinds.split(',').find(|k| !k.is_empty());
    let beds: Option<i64> = get(row, 7)?;
    let specialisms: String = get(row, 8)?;
    let overall: Option<String> = get(row, 10)?;
    let rated: Option<NaiveDate> = get(row, 11)?;
    let rating = match (overall, rated) {
        (Some(overall), Some(rated)) => Some((parse("rating", Rating::parse(&overall))?, rated)),
        _ => None,
    };
    let region: Option<String> = get(row, 5)?;
    Ok(ServiceFacts {
        id: location(row)?,
        name: get(row, 1)?,
        provider_id: parse("provider ID", ProviderId::parse(&get::<String>(row, 2)?))?,
        provider_name: get::<Option<String>>(row, 3)?.unwrap_or_default(),
        local_authority: get(row, 4)?,
        region: region.map(|r| parse("region", Region::parse(&r))).transpose()?,
        kind: first_kind.map_or(Ok(ServiceKind::Other), |k| parse("service type", ServiceKind::parse(k)))?,
        beds: beds.map(|b| u32::try_from(b).map_err(|e| corrupt("beds", e))).transpose()?,
        specialisms: serde_json::from_str(&specialisms).map_err(|e| corrupt("specialisms", e))?,
        last_inspection: get(row, 9)?,
        rating,
    })
}

#[async_trait]
impl MonitoringStore for PostgresStore {
    async fn monitored_locations(&self) -> StoreResult<Readings<ServiceFacts>> {
        let sql = format!("{LOCATIONS} ORDER BY l.id");
        let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(self.read()).await.map_err(other)?;
        Ok(each_location(&rows, service_facts))
    }

    async fn voice_months(
        &self,
        which: Locations<'_>,
        from: Month,
    ) -> StoreResult<Readings<(LocationId, Month, VoiceMonth)>> {
        let columns: Vec<&str> = std::iter::once("month").chain(counts::COLUMNS).collect();
        packed(self, "voice_months", &columns, which, from, voice_months).await
    }

    async fn monitored_returns(
        &self,
        which: Locations<'_>,
        from: Month,
    ) -> StoreResult<Readings<(LocationId, MonthlyReturn)>> {
        packed(self, "provider_returns", &RETURNS, which, from, monthly_returns).await
    }

    async fn latest_alerts(
        &self,
        which: Locations<'_>,
        level: u8,
    ) -> StoreResult<Readings<(LocationId, DateTime<Utc>)>> {
        let rows = rows(self, ALERTS, which, i32::from(level), Some("location_id"), "").await?;
        Ok(each_location(&rows, |row| Ok((location(row)?, get(row, 1)?))))
    }

    async fn burst_reviews(
        &self,
        which: Locations<'_>,
        from: Month,
    ) -> StoreResult<Readings<(LocationId, Month, bool)>> {
        let select = "SELECT location_id, month, counted FROM people_burst_reviews WHERE month >= $1";
        let rows = rows(self, select, which, from.to_string(), None, ", month").await?;
        Ok(each_location(&rows, |row| Ok((location(row)?, month(&get::<String>(row, 1)?)?, get(row, 2)?))))
    }

    async fn complaint_logs(
        &self,
        which: Locations<'_>,
        from: Month,
        today: NaiveDate,
    ) -> StoreResult<Readings<ComplaintLog>> {
        let since = rows(self, COMPLAINTS_SINCE, which, today, Some("location_id"), "").await?;
        let since = each_location(&since, |row| Ok((location(row)?, month(&get::<String>(row, 1)?)?)));
        let mut logs: BTreeMap<LocationId, ComplaintLog> = (since.rows.into_iter())
            .map(|(id, since)| (id.clone(), ComplaintLog { location_id: id, since, months: Vec::new(), overdue: None }))
            .collect();
        let months = rows(self, COMPLAINT_MONTHS, which, from.first_day(), Some("location_id, month"), ", month");
        let months = each_location(&months.await?, |row| {
            let complaint_month = ComplaintMonth {
                month: month(&get::<String>(row, 1)?)?,
                received: count(row, 2, "complaints received")?,
                upheld: count(row, 3, "complaints upheld")?,
                answered_on_time: count(row, 4, "complaints answered on time")?,
            };
            Ok((location(row)?, complaint_month))
        });
        for (id, found) in months.rows {
            if let Some(log) = logs.get_mut(&id) {
                log.months.push(found);
            }
        }
        let overdue = rows(self, COMPLAINTS_OVERDUE, which, today, Some("location_id"), "").await?;
        let overdue = each_location(&overdue, |row| {
            let count = count(row, 1, "overdue complaints")?;
            Ok((location(row)?, OverdueComplaints { count, oldest_due: get(row, 2)? }))
        });
        for (id, found) in overdue.rows {
            if let Some(log) = logs.get_mut(&id) {
                log.overdue = Some(found);
            }
        }
        let unreadable: Vec<Unreadable> = [since.unreadable, months.unreadable, overdue.unreadable].concat();
        logs.retain(|id, _| unreadable.iter().all(|u| u.location != id.as_str()));
        Ok(Readings { rows: logs.into_values().collect(), unreadable })
    }
}
