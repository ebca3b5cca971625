//! What monitoring reads. Voice comes from `voice_months`, the counts per location
//! and month that triggers keep (migration 0006). A national read returns one row
//! per location with its months packed as JSON by SQLite: the driver's cost is per
//! value, and this way it is paid for 30,000 values rather than some twenty-five million.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use sqlx::sqlite::SqliteRow;

use candour_domain::complaints::OverdueComplaints;
use candour_domain::returns::{Month, MonthlyReturn};
use candour_domain::voice_month::VoiceMonth;
use candour_domain::{LocationId, ProviderId, Rating, Region, ServiceKind};
use candour_store::*;

use crate::codec::{corrupt, get};
use crate::{SqliteStore, other};

/// A month packed by [`VOICE`], in its column order (that of [`VoiceMonth`]).
#[derive(serde::Deserialize)]
struct VoiceRow(String, u32, u32, u32, u32, f64, f64, u32, u32, u32, f64, f64, u32, f64, f64, u32, u32);

const VOICE: &str = "SELECT location_id, json_group_array(json_array(month, responses, positive, rated, outcome_n, \
     outcome_sum, outcome_sum_sq, stories, critical_stories, speak_up_n, speak_up_sum, speak_up_sum_sq, \
     enough_staff_n, enough_staff_sum, enough_staff_sum_sq, partner_responses, partner_concerns)) \
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

const LOCATIONS: &str = "SELECT json_array(l.id, l.name, l.provider_id, p.name, l.local_authority, l.region, \
     l.service_kinds, l.beds, json(l.specialisms), l.last_inspection, l.current_overall, l.current_rated_on) \
     FROM locations l LEFT JOIN providers p ON p.id = l.provider_id WHERE l.registration_status = 'registered' \
     ORDER BY l.id";

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

/// Runs `select` (which binds ?1) for every location or for one, grouped by location.
async fn per_location(
    store: &SqliteStore,
    select: &str,
    which: Locations<'_>,
    bind: impl ToString,
    column: &str,
) -> StoreResult<Vec<SqliteRow>> {
    let sql = match which {
        Locations::All => format!("{select} GROUP BY {column}"),
        Locations::One(_) => format!("{select} AND {column} = ?2 GROUP BY {column}"),
    };
    // Only our own constants and column names go into the text; values are bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(bind.to_string());
    if let Locations::One(id) = which {
        query = query.bind(id.as_str());
    }
    query.fetch_all(&store.reader).await.map_err(other)
}

fn location(row: &SqliteRow) -> StoreResult<LocationId> {
    LocationId::parse(&get::<String>(row, 0)?).map_err(|e| corrupt("location ID", e))
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

#[async_trait]
impl MonitoringStore for SqliteStore {
    async fn monitored_locations(&self) -> StoreResult<Vec<ServiceFacts>> {
        let rows = sqlx::query(LOCATIONS).fetch_all(&self.reader).await.map_err(other)?;
        rows.iter().map(service_facts).collect()
    }

    async fn voice_months(
        &self,
        which: Locations<'_>,
        from: Month,
    ) -> StoreResult<Vec<(LocationId, Month, VoiceMonth)>> {
        let mut found = Vec::new();
        for row in per_location(self, VOICE, which, from, "location_id").await? {
            let (id, months) = unpack::<VoiceRow>(&row)?;
            for m in months {
                let voice = VoiceMonth {
                    responses: m.1,
                    positive: m.2,
                    rated: m.3,
                    outcome_n: m.4,
                    outcome_sum: m.5,
                    outcome_sum_sq: m.6,
                    stories: m.7,
                    critical_stories: m.8,
                    speak_up_n: m.9,
                    speak_up_sum: m.10,
                    speak_up_sum_sq: m.11,
                    enough_staff_n: m.12,
                    enough_staff_sum: m.13,
                    enough_staff_sum_sq: m.14,
                    partner_responses: m.15,
                    partner_concerns: m.16,
                };
                found.push((id.clone(), month(&m.0)?, voice));
            }
        }
        Ok(found)
    }

    async fn monitored_returns(
        &self,
        which: Locations<'_>,
        from: Month,
    ) -> StoreResult<Vec<(LocationId, MonthlyReturn)>> {
        let mut found = Vec::new();
        for row in per_location(self, RETURNS, which, from, "location_id").await? {
            let (id, months) = unpack::<ReturnRow>(&row)?;
            for r in months {
                let figures = MonthlyReturn {
                    month: month(&r.0)?,
                    headcount: r.1,
                    leavers: r.2,
                    agency_hours: r.3,
                    hours_worked: r.4,
                    vacancies: r.5,
                    supervision_pct: r.6,
                    training_pct: r.7,
                    registered_manager: r.8 != 0,
                    manager_changed: r.9 != 0,
                    people_supported: r.10,
                    incidents: r.11,
                    restraint: r.12,
                    seclusion: r.13,
                    segregation: r.14,
                    notifications: r.15,
                    safeguarding_referrals: r.16,
                    complaints_received: r.17,
                    complaints_upheld: r.18,
                    complaints_on_time: r.19,
                };
                found.push((id.clone(), figures));
            }
        }
        Ok(found)
    }

    async fn latest_alerts(&self, which: Locations<'_>, level: u8) -> StoreResult<Vec<(LocationId, DateTime<Utc>)>> {
        let rows = per_location(self, ALERTS, which, level, "location_id").await?;
        rows.iter().map(|row| Ok((location(row)?, get(row, 1)?))).collect()
    }

    async fn complaint_logs(
        &self,
        which: Locations<'_>,
        from: Month,
        today: NaiveDate,
    ) -> StoreResult<Vec<ComplaintLog>> {
        let mut logs = BTreeMap::new();
        for row in per_location(self, COMPLAINTS_SINCE, which, today, "location_id").await? {
            let (id, since) = (location(&row)?, month(&get::<String>(&row, 1)?)?);
            logs.insert(id.clone(), ComplaintLog { location_id: id, since, months: Vec::new(), overdue: None });
        }
        for row in per_location(self, COMPLAINT_MONTHS, which, from.first_day(), "location_id").await? {
            let (id, months) = unpack::<(String, u32, u32, u32)>(&row)?;
            let Some(log) = logs.get_mut(&id) else { continue };
            for (text, received, upheld, answered_on_time) in months {
                log.months.push(ComplaintMonth { month: month(&text)?, received, upheld, answered_on_time });
            }
            log.months.sort_by_key(|m| m.month);
        }
        for row in per_location(self, COMPLAINTS_OVERDUE, which, today, "location_id").await? {
            let Some(log) = logs.get_mut(&location(&row)?) else { continue };
            let count = u32::try_from(get::<i64>(&row, 1)?).map_err(|e| corrupt("count", e))?;
            log.overdue = Some(OverdueComplaints { count, oldest_due: get(&row, 2)? });
        }
        Ok(logs.into_values().collect())
    }
}
