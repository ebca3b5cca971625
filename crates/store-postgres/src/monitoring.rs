//! What monitoring reads. Voice comes from `voice_months`, the counts per location
//! and month kept with every write (voice/counts.rs). Each read returns plain rows
//! ordered by location; a location any of whose rows cannot be read is left out
//! and named in `unreadable`, and the others are read on.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, Row};

use candour_domain::complaints::OverdueComplaints;
use candour_domain::returns::{MAX_FIGURE, Month, MonthlyReturn};
use candour_domain::voice_month::VoiceMonth;
use candour_domain::{LocationId, ProviderId, Rating, Region, ServiceKind};
use candour_store::*;

use crate::codec::get;
use crate::{PostgresStore, corrupt, other};

/// Voice counts per month from $1 on, in the order of [`VoiceMonth`].
const VOICE: &str = "SELECT location_id, month, responses, positive, rated, outcome_n, outcome_sum, outcome_sum_sq, \
     stories, critical_stories, speak_up_n, speak_up_sum, speak_up_sum_sq, enough_staff_n, enough_staff_sum, \
     enough_staff_sum_sq, partner_responses, partner_concerns FROM voice_months WHERE month >= $1";

/// Returns from month $1 on, in the order of [`MonthlyReturn`].
const RETURNS: &str = "SELECT location_id, month, headcount, leavers, agency_hours, hours_worked, vacancies, \
     supervision_pct, training_pct, registered_manager, manager_changed, people_supported, incidents, restraint, \
     seclusion, segregation, notifications, safeguarding_referrals, complaints_received, complaints_upheld, \
     complaints_on_time FROM provider_returns WHERE month >= $1";

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
    bind: impl for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send,
    group: Option<&str>,
    then: &str,
) -> StoreResult<Vec<PgRow>> {
    let listed = match which {
        Locations::All => "",
        Locations::These(_) => " AND location_id = ANY($2)",
    };
    let group = group.map(|g| format!(" GROUP BY {g}")).unwrap_or_default();
    // Only our own constants go into the text; values are bound.
    let sql = format!("{select}{listed}{group} ORDER BY location_id{then}");
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(bind);
    if let Locations::These(ids) = which {
        query = query.bind(ids.iter().map(LocationId::as_str).collect::<Vec<_>>());
    }
    query.fetch_all(store.read()).await.map_err(other)
}

fn location(row: &PgRow) -> StoreResult<LocationId> {
    LocationId::parse(&get::<String>(row, 0)?).map_err(|e| corrupt("location ID", e))
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
    let stored_id = |row: &PgRow| row.try_get::<String, _>(0).unwrap_or_default();
    for location in rows.chunk_by(|a, b| stored_id(a) == stored_id(b)) {
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
    let n: i64 = get(row, i)?;
    match u32::try_from(n) {
        Ok(n) if n <= MAX_FIGURE => Ok(n),
        _ => Err(corrupt(what, format!("{n} is not between 0 and {MAX_FIGURE}"))),
    }
}

fn percentage(row: &PgRow, i: usize) -> StoreResult<u8> {
    let n: i64 = get(row, i)?;
    u8::try_from(n).ok().filter(|n| *n <= 100).ok_or_else(|| corrupt("percentage", format!("{n} is not 0 to 100")))
}

fn sum(row: &PgRow, i: usize) -> StoreResult<f64> {
    let x: f64 = get(row, i)?;
    if x.is_finite() { Ok(x) } else { Err(corrupt("voice sums", "a sum is not a finite number")) }
}

/// A row of [`VOICE`].
fn voice_month(row: &PgRow) -> StoreResult<(LocationId, Month, VoiceMonth)> {
    let voice = VoiceMonth {
        responses: count(row, 2, "responses")?,
        positive: count(row, 3, "positive answers")?,
        rated: count(row, 4, "rated answers")?,
        outcome_n: count(row, 5, "outcome answers")?,
        outcome_sum: sum(row, 6)?,
        outcome_sum_sq: sum(row, 7)?,
        stories: count(row, 8, "stories")?,
        critical_stories: count(row, 9, "critical stories")?,
        speak_up_n: count(row, 10, "speak-up answers")?,
        speak_up_sum: sum(row, 11)?,
        speak_up_sum_sq: sum(row, 12)?,
        enough_staff_n: count(row, 13, "enough-staff answers")?,
        enough_staff_sum: sum(row, 14)?,
        enough_staff_sum_sq: sum(row, 15)?,
        partner_responses: count(row, 16, "partner responses")?,
        partner_concerns: count(row, 17, "partner concerns")?,
    };
    Ok((location(row)?, month(&get::<String>(row, 1)?)?, voice))
}

/// A row of [`RETURNS`].
fn monthly_return(row: &PgRow) -> StoreResult<(LocationId, MonthlyReturn)> {
    let figures = MonthlyReturn {
        month: month(&get::<String>(row, 1)?)?,
        headcount: count(row, 2, "headcount")?,
        leavers: count(row, 3, "leavers")?,
        agency_hours: count(row, 4, "agency hours")?,
        hours_worked: count(row, 5, "hours worked")?,
        vacancies: count(row, 6, "vacancies")?,
        supervision_pct: percentage(row, 7)?,
        training_pct: percentage(row, 8)?,
        registered_manager: get(row, 9)?,
        manager_changed: get(row, 10)?,
        people_supported: count(row, 11, "people supported")?,
        incidents: count(row, 12, "incidents")?,
        restraint: count(row, 13, "restraint")?,
        seclusion: count(row, 14, "seclusion")?,
        segregation: count(row, 15, "segregation")?,
        notifications: count(row, 16, "notifications")?,
        safeguarding_referrals: count(row, 17, "safeguarding referrals")?,
        complaints_received: count(row, 18, "complaints received")?,
        complaints_upheld: count(row, 19, "complaints upheld")?,
        complaints_on_time: count(row, 20, "complaints on time")?,
    };
    Ok((location(row)?, figures))
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
        let rows = rows(self, VOICE, which, from.to_string(), None, ", month").await?;
        Ok(each_location(&rows, voice_month))
    }

    async fn monitored_returns(
        &self,
        which: Locations<'_>,
        from: Month,
    ) -> StoreResult<Readings<(LocationId, MonthlyReturn)>> {
        let rows = rows(self, RETURNS, which, from.to_string(), None, ", month").await?;
        Ok(each_location(&rows, monthly_return))
    }

    async fn latest_alerts(
        &self,
        which: Locations<'_>,
        level: u8,
    ) -> StoreResult<Readings<(LocationId, DateTime<Utc>)>> {
        let rows = rows(self, ALERTS, which, i32::from(level), Some("location_id"), "").await?;
        Ok(each_location(&rows, |row| Ok((location(row)?, get(row, 1)?))))
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
