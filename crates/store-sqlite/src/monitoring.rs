//! What monitoring reads. Voice comes from `voice_months`, the counts per location
//! and month that triggers keep (migration 0006). A national read returns one row
//! per location with its months packed as JSON by SQLite: the driver's cost is per
//! value, and this way it is paid for 30,000 values rather than some twenty-five million.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use candour_domain::complaints::OverdueComplaints;
use candour_domain::returns::{MAX_FIGURE, Month, MonthlyReturn};
use candour_domain::voice_month::VoiceMonth;
use candour_domain::{LocationId, ProviderId, Rating, Region, ServiceKind};
use candour_store::*;

use crate::codec::{corrupt, get};
use crate::{SqliteStore, other};

/// A month packed by [`VOICE`], in its column order (that of [`VoiceMonth`]).
#[derive(serde::Deserialize)]
struct VoiceRow(
    String,
    u32,
    u32,
    u32,
    u32,
    f64,
    f64,
    u32,
    u32,
    u32,
    f64,
    f64,
    u32,
    f64,
    f64,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
);

const VOICE: &str = "SELECT location_id, json_group_array(json_array(month, responses, positive, rated, outcome_n, \
     outcome_sum, outcome_sum_sq, stories, critical_stories, speak_up_n, speak_up_sum, speak_up_sum_sq, \
     enough_staff_n, enough_staff_sum, enough_staff_sum_sq, partner_responses, partner_concerns, dignity_n, \
     dignity_positive, safe_n, safe_positive, entered, progress_n, progress_better)) \
     FROM voice_months WHERE month >= ?1";

/// A return packed by [`RETURNS`], in its column order.
#[derive(serde::Deserialize)]
struct ReturnRow(String, u32, u32, u32, u32, u32, u8, u8, u8, u8, u32, u32, u32, u32, u32, u32, u32, u32, u32, u32);

const RETURNS: &str = "SELECT location_id, json_group_array(json_array(month, headcount, leavers, agency_hours, \
     hours_worked, vacancies, supervision_pct, training_pct, registered_manager, manager_changed, people_supported, \
     incidents, restraint, seclusion, segregation, notifications, safeguarding_referrals, complaints_received, complaints_upheld, complaints_on_time)) \
     FROM provider_returns WHERE month >= ?1";

/// A location packed by [`LOCATIONS`], in its column order.
#[derive(serde::Deserialize)]
struct LocationRow(
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<u32>,
    Vec<String>,
    Option<NaiveDate>,
    Option<String>,
    Option<NaiveDate>,
);

/// Specialisms that are not JSON are passed on as text, to fail that location's
/// row alone rather than the whole query. The ID comes again on its own, to name
/// the location whose packed row cannot even be read as text.
const LOCATIONS: &str = "SELECT json_array(l.id, l.name, l.provider_id, p.name, l.local_authority, l.region, \
     l.service_kinds, l.beds, \
     CASE WHEN json_valid(l.specialisms) THEN json(l.specialisms) ELSE json_quote(l.specialisms) END, \
     l.last_inspection, l.current_overall, l.current_rated_on), l.id \
     FROM locations l LEFT JOIN providers p ON p.id = l.provider_id WHERE l.registration_status = 'registered'";

/// The registered locations' IDs, to read them one at a time.
const REGISTERED: &str = "SELECT CAST(id AS TEXT) FROM locations WHERE registration_status = 'registered'";

fn parse<T>(what: &str, parsed: Result<T, candour_domain::ParseError>) -> StoreResult<T> {
    parsed.map_err(|e| corrupt(what, e))
}

fn service_facts(row: &SqliteRow) -> StoreResult<ServiceFacts> {
    let packed: String = get(row, 0)?;
    let LocationRow(id, name, provider, provider_name, la, region, kinds, beds, specialisms, inspected, overall, rated) =
        serde_json::from_str(&packed).map_err(|e| corrupt("monitored location", e))?;
    let first_kind = kinds.split(',').find(|k| !k.is_empty());
    let rating = match (overall, rated) {
        (Some(overall), Some(rated)) => Some((parse("rating", Rating::parse(&overall))?, rated)),
        _ => None,
    };
    Ok(ServiceFacts {
        id: parse("location ID", LocationId::parse(&id))?,
        name,
        provider_id: parse("provider ID", ProviderId::parse(&provider))?,
        provider_name: provider_name.unwrap_or_default(),
        local_authority: la,
        region: region.map(|r| parse("region", Region::parse(&r))).transpose()?,
        kind: first_kind.map_or(Ok(ServiceKind::Other), |k| parse("service type", ServiceKind::parse(k)))?,
        beds,
        specialisms,
        last_inspection: inspected,
        rating,
    })
}

/// The first month each location logged a complaint received by ?1.
const COMPLAINTS_SINCE: &str =
    "SELECT location_id, substr(MIN(received_on), 1, 7) FROM complaints WHERE received_on <= ?1";

/// Complaints per month received from ?1 on, packed per location.
const COMPLAINT_MONTHS: &str = "SELECT location_id, json_group_array(json_array(month, received, upheld, on_time)) \
     FROM (SELECT location_id, substr(received_on, 1, 7) AS month, COUNT(*) AS received, \
               COUNT(*) FILTER (WHERE outcome IN ('upheld', 'partly_upheld')) AS upheld, \
               COUNT(*) FILTER (WHERE response_sent_on <= respond_by) AS on_time \
           FROM complaints WHERE received_on >= ?1 GROUP BY location_id, month) \
     WHERE month IS NOT NULL";

/// Complaints not closed, unanswered and past their response deadline on ?1.
const COMPLAINTS_OVERDUE: &str = "SELECT location_id, COUNT(*), MIN(respond_by) FROM complaints \
     WHERE status <> 'closed' AND response_sent_on IS NULL AND respond_by < ?1";

/// Alerts raised by feedback and by complaints, at level ?1 or above.
const ALERTS: &str = "SELECT location_id, MAX(raised_at) FROM (\
         SELECT f.location_id, a.raised_at FROM alerts a JOIN feedback f ON f.id = a.feedback_id WHERE a.level >= ?1 \
         UNION ALL SELECT location_id, created_at FROM complaints WHERE alert_level >= ?1) \
     WHERE raised_at IS NOT NULL";

const BURSTS: &str = "SELECT location_id, json_group_array(json_array(month, counted)) \
     FROM people_burst_reviews WHERE month >= ?1";

/// Rows grouped by location, and the locations that could not be read.
type PerLocation = (Vec<SqliteRow>, Vec<Unreadable>);

/// Runs `select` (which binds ?1) for every location or those listed, grouped by
/// location. Should SQLite itself refuse a stored value (the JSON functions refuse a
/// blob, say), the query is run again one location at a time, so that the refusal
/// stays with the location that holds it.
async fn per_location(
    store: &SqliteStore,
    select: &str,
    which: Locations<'_>,
    bind: impl ToString,
    column: &str,
) -> StoreResult<PerLocation> {
    let bind = bind.to_string();
    let listed = match which {
        Locations::All => None,
        Locations::These(ids) => Some(serde_json::to_string(&ids.iter().map(LocationId::as_str).collect::<Vec<_>>())),
    };
    let listed = listed.transpose().map_err(other)?;
    match grouped(store, select, &bind, column, listed.as_deref()).await {
        Ok(rows) => Ok((rows, Vec::new())),
        Err(sqlx::Error::Database(_)) => {
            let ids = match which {
                Locations::All => registered(store).await?,
                Locations::These(ids) => ids.iter().map(|id| id.as_str().to_string()).collect(),
            };
            one_at_a_time(store, &one_location(select, column), Some(&bind), ids).await
        }
        Err(e) => Err(other(e)),
    }
}

async fn grouped(
    store: &SqliteStore,
    select: &str,
    bind: &str,
    column: &str,
    listed: Option<&str>,
) -> Result<Vec<SqliteRow>, sqlx::Error> {
    let sql = match listed {
        None => format!("{select} GROUP BY {column}"),
        Some(_) => format!("{select} AND {column} IN (SELECT value FROM json_each(?2)) GROUP BY {column}"),
    };
    // Only our own constants and column names go into the text; values are bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(bind.to_string());
    if let Some(ids) = listed {
        query = query.bind(ids.to_string());
    }
    query.fetch_all(&store.reader).await
}

fn one_location(select: &str, column: &str) -> String {
    format!("{select} AND {column} = ?2 GROUP BY {column}")
}

async fn registered(store: &SqliteStore) -> StoreResult<Vec<String>> {
    sqlx::query_scalar(REGISTERED).fetch_all(&store.reader).await.map_err(other)
}

/// Each location's rows read alone by `sql`, which binds `bind` (if any) and then
/// the location's ID; a location SQLite refuses is `unreadable`.
async fn one_at_a_time(
    store: &SqliteStore,
    sql: &str,
    bind: Option<&str>,
    ids: Vec<String>,
) -> StoreResult<PerLocation> {
    let (mut rows, mut unreadable) = (Vec::new(), Vec::new());
    for id in ids {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
        if let Some(bind) = bind {
            query = query.bind(bind.to_string());
        }
        match query.bind(id.clone()).fetch_all(&store.reader).await {
            Ok(found) => rows.extend(found),
            Err(sqlx::Error::Database(e)) => unreadable.push(Unreadable { location: id, reason: e.to_string() }),
            Err(e) => return Err(other(e)),
        }
    }
    Ok((rows, unreadable))
}

fn location(row: &SqliteRow) -> StoreResult<LocationId> {
    LocationId::parse(&get::<String>(row, 0)?).map_err(|e| corrupt("location ID", e))
}

/// The location ID of a row as stored, for saying which location could not be read.
fn stored_location(row: &SqliteRow) -> String {
    row.try_get::<String, _>(0).unwrap_or_else(|_| "(a location ID that is not text)".into())
}

/// Why, for a person: "stored month is not valid: …" rather than "database error: stored month …".
fn reason(e: StoreError) -> String {
    match e {
        StoreError::Other(inner) => inner.to_string(),
        other => other.to_string(),
    }
}

/// Reads each location's row with `read`: a row that cannot be read leaves its
/// location out, in `unreadable`, and the others are read on.
fn each_location<T>(
    (rows, unreadable): PerLocation,
    mut read: impl FnMut(&SqliteRow) -> StoreResult<Vec<T>>,
) -> Readings<T> {
    let mut readings = Readings { rows: Vec::new(), unreadable };
    for row in &rows {
        match read(row) {
            Ok(found) => readings.rows.extend(found),
            Err(e) => readings.unreadable.push(Unreadable { location: stored_location(row), reason: reason(e) }),
        }
    }
    readings
}

/// The location and its packed months.
fn unpack<T: DeserializeOwned>(row: &SqliteRow) -> StoreResult<(LocationId, Vec<T>)> {
    let packed: String = get(row, 1)?;
    let months = serde_json::from_str(&packed).map_err(|e| corrupt("monitoring months", e))?;
    Ok((location(row)?, months))
}

fn month(text: &str) -> StoreResult<Month> {
    Month::parse(text).map_err(|e| corrupt("month", e))
}

/// A stored count no return or tally could hold, as u32 would take up to four billion.
fn count(what: &str, n: u32) -> StoreResult<u32> {
    if n <= MAX_FIGURE { Ok(n) } else { Err(corrupt(what, format!("{n} is more than {MAX_FIGURE}"))) }
}

fn voice_month(m: VoiceRow) -> StoreResult<(Month, VoiceMonth)> {
    let voice = VoiceMonth {
        responses: count("responses", m.1)?,
        positive: count("positive answers", m.2)?,
        rated: count("rated answers", m.3)?,
        outcome_n: count("outcome answers", m.4)?,
        outcome_sum: m.5,
        outcome_sum_sq: m.6,
        stories: count("stories", m.7)?,
        critical_stories: count("critical stories", m.8)?,
        speak_up_n: count("speak-up answers", m.9)?,
        speak_up_sum: m.10,
        speak_up_sum_sq: m.11,
        enough_staff_n: count("enough-staff answers", m.12)?,
        enough_staff_sum: m.13,
        enough_staff_sum_sq: m.14,
        partner_responses: count("partner responses", m.15)?,
        partner_concerns: count("partner concerns", m.16)?,
        dignity_n: count("dignity answers", m.17)?,
        dignity_positive: count("positive dignity answers", m.18)?,
        safe_n: count("safety answers", m.19)?,
        safe_positive: count("positive safety answers", m.20)?,
        entered: count("responses typed in by staff", m.21)?,
        progress_n: count("progress ratings", m.22)?,
        progress_better: count("progress rated better", m.23)?,
    };
    let sums = [
        voice.outcome_sum,
        voice.outcome_sum_sq,
        voice.speak_up_sum,
        voice.speak_up_sum_sq,
        voice.enough_staff_sum,
        voice.enough_staff_sum_sq,
    ];
    if !sums.iter().all(|x| x.is_finite()) {
        return Err(corrupt("voice sums", "a sum is not a finite number"));
    }
    Ok((month(&m.0)?, voice))
}

fn monthly_return(r: ReturnRow) -> StoreResult<MonthlyReturn> {
    let figures = MonthlyReturn {
        month: month(&r.0)?,
        headcount: count("headcount", r.1)?,
        leavers: count("leavers", r.2)?,
        agency_hours: count("agency hours", r.3)?,
        hours_worked: count("hours worked", r.4)?,
        vacancies: count("vacancies", r.5)?,
        supervision_pct: r.6,
        training_pct: r.7,
        registered_manager: r.8 != 0,
        manager_changed: r.9 != 0,
        people_supported: count("people supported", r.10)?,
        incidents: count("incidents", r.11)?,
        restraint: count("restraint", r.12)?,
        seclusion: count("seclusion", r.13)?,
        segregation: count("segregation", r.14)?,
        notifications: count("notifications", r.15)?,
        safeguarding_referrals: count("safeguarding referrals", r.16)?,
        complaints_received: count("complaints received", r.17)?,
        complaints_upheld: count("complaints upheld", r.18)?,
        complaints_on_time: count("complaints on time", r.19)?,
    };
    if figures.supervision_pct > 100 || figures.training_pct > 100 {
        return Err(corrupt("percentage", "above 100"));
    }
    Ok(figures)
}

/// A location's row of [`LOCATIONS`], or why it could not be read, naming the location.
fn monitored_location(row: &SqliteRow) -> Result<ServiceFacts, Unreadable> {
    service_facts(row).map_err(|e| {
        let packed: Option<serde_json::Value> = get::<String>(row, 0).ok().and_then(|p| serde_json::from_str(&p).ok());
        let id = packed.as_ref().and_then(|v| v.get(0)).and_then(|id| id.as_str()).map(str::to_string);
        let id = id.or_else(|| get::<String>(row, 1).ok()).unwrap_or_else(|| "(unknown)".into());
        Unreadable { location: id, reason: reason(e) }
    })
}

#[async_trait]
impl MonitoringStore for SqliteStore {
    async fn monitored_locations(&self) -> StoreResult<Readings<ServiceFacts>> {
        let all = format!("{LOCATIONS} ORDER BY l.id");
        let (rows, unreadable) = match sqlx::query(sqlx::AssertSqlSafe(all)).fetch_all(&self.reader).await {
            Ok(rows) => (rows, Vec::new()),
            Err(sqlx::Error::Database(_)) => {
                one_at_a_time(self, &format!("{LOCATIONS} AND l.id = ?1"), None, registered(self).await?).await?
            }
            Err(e) => return Err(other(e)),
        };
        let mut readings = Readings { rows: Vec::new(), unreadable };
        for row in &rows {
            match monitored_location(row) {
                Ok(facts) => readings.rows.push(facts),
                Err(unreadable) => readings.unreadable.push(unreadable),
            }
        }
        Ok(readings)
    }

    async fn voice_months(
        &self,
        which: Locations<'_>,
        from: Month,
    ) -> StoreResult<Readings<(LocationId, Month, VoiceMonth)>> {
        let rows = per_location(self, VOICE, which, from, "location_id").await?;
        Ok(each_location(rows, |row| {
            let (id, months) = unpack::<VoiceRow>(row)?;
            months.into_iter().map(|m| voice_month(m).map(|(month, voice)| (id.clone(), month, voice))).collect()
        }))
    }

    async fn monitored_returns(
        &self,
        which: Locations<'_>,
        from: Month,
    ) -> StoreResult<Readings<(LocationId, MonthlyReturn)>> {
        let rows = per_location(self, RETURNS, which, from, "location_id").await?;
        Ok(each_location(rows, |row| {
            let (id, months) = unpack::<ReturnRow>(row)?;
            months.into_iter().map(|r| monthly_return(r).map(|figures| (id.clone(), figures))).collect()
        }))
    }

    async fn latest_alerts(
        &self,
        which: Locations<'_>,
        level: u8,
    ) -> StoreResult<Readings<(LocationId, DateTime<Utc>)>> {
        let rows = per_location(self, ALERTS, which, level, "location_id").await?;
        Ok(each_location(rows, |row| Ok(vec![(location(row)?, get(row, 1)?)])))
    }

    async fn burst_reviews(
        &self,
        which: Locations<'_>,
        from: Month,
    ) -> StoreResult<Readings<(LocationId, Month, bool)>> {
        let rows = per_location(self, BURSTS, which, from, "location_id").await?;
        Ok(each_location(rows, |row| {
            let (id, months) = unpack::<(String, u8)>(row)?;
            months.into_iter().map(|(m, counted)| Ok((id.clone(), month(&m)?, counted != 0))).collect()
        }))
    }

    async fn complaint_logs(
        &self,
        which: Locations<'_>,
        from: Month,
        today: NaiveDate,
    ) -> StoreResult<Readings<ComplaintLog>> {
        let since = per_location(self, COMPLAINTS_SINCE, which, today, "location_id").await?;
        let since = each_location(since, |row| Ok(vec![(location(row)?, month(&get::<String>(row, 1)?)?)]));
        let mut logs: BTreeMap<LocationId, ComplaintLog> = (since.rows.into_iter())
            .map(|(id, since)| (id.clone(), ComplaintLog { location_id: id, since, months: Vec::new(), overdue: None }))
            .collect();
        let months = per_location(self, COMPLAINT_MONTHS, which, from.first_day(), "location_id").await?;
        let months = each_location(months, |row| {
            let (id, months) = unpack::<(String, u32, u32, u32)>(row)?;
            let read = |(text, received, upheld, answered_on_time): (String, u32, u32, u32)| {
                Ok(ComplaintMonth { month: month(&text)?, received, upheld, answered_on_time })
            };
            Ok(vec![(id, months.into_iter().map(read).collect::<StoreResult<Vec<_>>>()?)])
        });
        for (id, mut months) in months.rows {
            let Some(log) = logs.get_mut(&id) else { continue };
            months.sort_by_key(|m| m.month);
            log.months = months;
        }
        let overdue = per_location(self, COMPLAINTS_OVERDUE, which, today, "location_id").await?;
        let overdue = each_location(overdue, |row| {
            let count = u32::try_from(get::<i64>(row, 1)?).map_err(|e| corrupt("count", e))?;
            Ok(vec![(location(row)?, OverdueComplaints { count, oldest_due: get(row, 2)? })])
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
