//! The write side. An import is applied in one transaction with one statement per
//! table: each column travels as one array and `UNNEST` turns the arrays back into
//! rows, so that a national register of 30,000 locations is a handful of round trips.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::postgres::PgPool;

use candour_domain::{Location, Provider, RatingRecord};
use candour_store::{ImportPlan, StoreError, StoreResult};

use crate::codec::{service_kinds_text, to_json};
use crate::other;

/// The advisory lock key that makes register writes (imports, publications) one
/// at a time: each recomputes current ratings from the ratings it reads, so it
/// must read every rating the other wrote.
const REGISTER_LOCK: i64 = 0x6361_6e64_6f75_7202;

pub(crate) async fn apply_import(pool: &PgPool, plan: &ImportPlan) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(other)?;
    let now = write_import(&mut tx, plan).await?;
    crate::journal::append_import(&mut tx, plan, now).await?;
    tx.commit().await.map_err(other)
}

/// Everything an import writes but its journal entries; returns the time it is recorded at.
pub(crate) async fn write_import(conn: &mut PgConnection, plan: &ImportPlan) -> StoreResult<DateTime<Utc>> {
    lock_register(conn).await?;
    let now = Utc::now();
    upsert_providers(conn, &plan.providers, now).await?;
    upsert_locations(conn, &plan.locations, now).await?;
    upsert_ratings(conn, &plan.ratings, now).await?;
    let touched =
        plan.locations.iter().map(|l| l.id.as_str()).chain(plan.ratings.iter().map(|r| r.location_id.as_str()));
    refresh_current_ratings(conn, touched).await?;
    sqlx::query("INSERT INTO import_runs (kind, origin, finished_at, counts) VALUES ($1, $2, $3, $4)")
        .bind(&plan.kind)
        .bind(&plan.origin)
        .bind(now)
        .bind(to_json(&plan.counts))
        .execute(conn)
        .await
        .map_err(other)?;
    Ok(now)
}

/// Waits for any other register write to commit; held until this transaction ends.
pub(crate) async fn lock_register(conn: &mut PgConnection) -> StoreResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(REGISTER_LOCK).execute(conn).await.map(drop).map_err(other)
}

/// A foreign key failure means the plan refers to a provider or location that does
/// not exist: the caller's mistake, reported as such.
fn write_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::Invalid("the import refers to a provider or location that is not in the register".into())
        }
        _ => other(e),
    }
}

/// The last of each key, in key order: one statement may not update a row twice,
/// and writers that lock rows in the same order cannot deadlock.
fn last_by_key<'a, T, K: Ord>(items: &'a [T], key: impl Fn(&'a T) -> K) -> Vec<&'a T> {
    let mut by_key = BTreeMap::new();
    for item in items {
        by_key.insert(key(item), item);
    }
    by_key.into_values().collect()
}

/// One column of `rows`, as an array to bind.
fn column<'a, T, U>(rows: &[&'a T], field: impl Fn(&'a T) -> U) -> Vec<U> {
    rows.iter().map(|row| field(row)).collect()
}

/// `INSERT INTO table (columns, updated) SELECT *, $n+1 FROM UNNEST($1::type[], ...)
/// ON CONFLICT (key) DO UPDATE SET` every column but the key.
fn upsert_sql(table: &str, columns: &[(&str, &str)], stamp: &str, key: &[&str]) -> String {
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let arrays: Vec<String> = columns.iter().enumerate().map(|(i, (_, ty))| format!("${}::{ty}[]", i + 1)).collect();
    let updates: Vec<String> = names
        .iter()
        .chain([&stamp])
        .filter(|name| !key.contains(name))
        .map(|name| format!("{name} = EXCLUDED.{name}"))
        .collect();
    format!(
        "INSERT INTO {table} ({}, {stamp}) SELECT *, ${} FROM UNNEST({}) ON CONFLICT ({}) DO UPDATE SET {}",
        names.join(", "),
        columns.len() + 1,
        arrays.join(", "),
        key.join(", "),
        updates.join(", ")
    )
}

const PROVIDER_COLUMNS: [(&str, &str); 14] = [
    ("id", "text"),
    ("name", "text"),
    ("sector", "text"),
    ("ownership_type", "text"),
    ("brand_id", "text"),
    ("brand_name", "text"),
    ("address_line1", "text"),
    ("address_line2", "text"),
    ("town", "text"),
    ("county", "text"),
    ("postcode", "text"),
    ("registration_status", "text"),
    ("registered_on", "date"),
    ("deregistered_on", "date"),
];

static PROVIDER_UPSERT: LazyLock<String> =
    LazyLock::new(|| upsert_sql("providers", &PROVIDER_COLUMNS, "updated_at", &["id"]));

async fn upsert_providers(conn: &mut PgConnection, providers: &[Provider], now: DateTime<Utc>) -> StoreResult<()> {
    let ps = last_by_key(providers, |p| p.id.as_str());
    if ps.is_empty() {
        return Ok(());
    }
    sqlx::query(PROVIDER_UPSERT.as_str())
        .bind(column(&ps, |p| p.id.as_str()))
        .bind(column(&ps, |p| p.name.as_str()))
        .bind(column(&ps, |p| p.sector.as_deref()))
        .bind(column(&ps, |p| p.ownership_type.as_deref()))
        .bind(column(&ps, |p| p.brand_id.as_deref()))
        .bind(column(&ps, |p| p.brand_name.as_deref()))
        .bind(column(&ps, |p| p.address.line1.as_deref()))
        .bind(column(&ps, |p| p.address.line2.as_deref()))
        .bind(column(&ps, |p| p.address.town.as_deref()))
        .bind(column(&ps, |p| p.address.county.as_deref()))
        .bind(column(&ps, |p| p.address.postcode.as_ref().map(|p| p.as_str())))
        .bind(column(&ps, |p| p.registration.status.code()))
        .bind(column(&ps, |p| p.registration.registered_on))
        .bind(column(&ps, |p| p.registration.deregistered_on))
        .bind(now)
        .execute(conn)
        .await
        .map(drop)
        .map_err(write_error)
}

const LOCATION_COLUMNS: [(&str, &str); 35] = [
    ("id", "text"),
    ("provider_id", "text"),
    ("name", "text"),
    ("also_known_as", "text"),
    ("brand_id", "text"),
    ("brand_name", "text"),
    ("care_home", "boolean"),
    ("beds", "bigint"),
    ("service_types", "text"),
    ("specialisms", "text"),
    ("regulated_activities", "text"),
    ("relationships", "text"),
    ("service_kinds", "text"),
    ("address_line1", "text"),
    ("address_line2", "text"),
    ("town", "text"),
    ("county", "text"),
    ("postcode", "text"),
    ("region", "text"),
    ("local_authority", "text"),
    ("constituency", "text"),
    ("latitude", "double precision"),
    ("longitude", "double precision"),
    ("phone", "text"),
    ("website", "text"),
    ("registration_status", "text"),
    ("registered_on", "date"),
    ("deregistered_on", "date"),
    ("dormant", "boolean"),
    ("registered_manager", "boolean"),
    ("registered_manager_absent_since", "date"),
    ("inspection_directorate", "text"),
    ("primary_inspection_category", "text"),
    ("last_inspection", "date"),
    ("last_report", "date"),
];

static LOCATION_UPSERT: LazyLock<String> =
    LazyLock::new(|| upsert_sql("locations", &LOCATION_COLUMNS, "updated_at", &["id"]));

async fn upsert_locations(conn: &mut PgConnection, locations: &[Location], now: DateTime<Utc>) -> StoreResult<()> {
    let ls = last_by_key(locations, |l| l.id.as_str());
    if ls.is_empty() {
        return Ok(());
    }
    sqlx::query(LOCATION_UPSERT.as_str())
        .bind(column(&ls, |l| l.id.as_str()))
        .bind(column(&ls, |l| l.provider_id.as_str()))
        .bind(column(&ls, |l| l.name.as_str()))
        .bind(column(&ls, |l| l.also_known_as.as_deref()))
        .bind(column(&ls, |l| l.brand_id.as_deref()))
        .bind(column(&ls, |l| l.brand_name.as_deref()))
        .bind(column(&ls, |l| l.care_home))
        .bind(column(&ls, |l| l.beds.map(i64::from)))
        .bind(column(&ls, |l| to_json(&l.service_types)))
        .bind(column(&ls, |l| to_json(&l.specialisms)))
        .bind(column(&ls, |l| to_json(&l.regulated_activities)))
        .bind(column(&ls, |l| to_json(&l.relationships)))
        .bind(column(&ls, service_kinds_text))
        .bind(column(&ls, |l| l.address.line1.as_deref()))
        .bind(column(&ls, |l| l.address.line2.as_deref()))
        .bind(column(&ls, |l| l.address.town.as_deref()))
        .bind(column(&ls, |l| l.address.county.as_deref()))
        .bind(column(&ls, |l| l.address.postcode.as_ref().map(|p| p.as_str())))
        .bind(column(&ls, |l| l.region.map(|r| r.code())))
        .bind(column(&ls, |l| l.local_authority.as_deref()))
        .bind(column(&ls, |l| l.constituency.as_deref()))
        .bind(column(&ls, |l| l.latitude))
        .bind(column(&ls, |l| l.longitude))
        .bind(column(&ls, |l| l.phone.as_deref()))
        .bind(column(&ls, |l| l.website.as_deref()))
        .bind(column(&ls, |l| l.registration.status.code()))
        .bind(column(&ls, |l| l.registration.registered_on))
        .bind(column(&ls, |l| l.registration.deregistered_on))
        .bind(column(&ls, |l| l.dormant))
        .bind(column(&ls, |l| l.registered_manager))
        .bind(column(&ls, |l| l.registered_manager_absent_since))
        .bind(column(&ls, |l| l.inspection_directorate.as_deref()))
        .bind(column(&ls, |l| l.primary_inspection_category.as_deref()))
        .bind(column(&ls, |l| l.last_inspection))
        .bind(column(&ls, |l| l.last_report))
        .bind(now)
        .execute(conn)
        .await
        .map(drop)
        .map_err(write_error)
}

/// Writes rating records and refreshes their locations' current ratings: the
/// path an import takes, shared with publishing an assessment. The caller holds
/// [`lock_register`].
pub(crate) async fn write_ratings(conn: &mut PgConnection, ratings: &[RatingRecord]) -> StoreResult<()> {
    upsert_ratings(conn, ratings, Utc::now()).await?;
    refresh_current_ratings(conn, ratings.iter().map(|r| r.location_id.as_str())).await
}

const RATING_COLUMNS: [(&str, &str); 12] = [
    ("location_id", "text"),
    ("service_group", "text"),
    ("published", "date"),
    ("source", "text"),
    ("overall", "text"),
    ("safe", "text"),
    ("effective", "text"),
    ("caring", "text"),
    ("responsive", "text"),
    ("well_led", "text"),
    ("report_type", "text"),
    ("inherited", "boolean"),
];

static RATING_UPSERT: LazyLock<String> = LazyLock::new(|| {
    upsert_sql("ratings", &RATING_COLUMNS, "recorded_at", &["location_id", "service_group", "published", "source"])
});

async fn upsert_ratings(conn: &mut PgConnection, ratings: &[RatingRecord], now: DateTime<Utc>) -> StoreResult<()> {
    let rs = last_by_key(ratings, |r| (r.location_id.as_str(), r.service_group.as_str(), r.published, r.source.code()));
    if rs.is_empty() {
        return Ok(());
    }
    let code = |rating: Option<candour_domain::Rating>| rating.map(|r| r.code());
    sqlx::query(RATING_UPSERT.as_str())
        .bind(column(&rs, |r| r.location_id.as_str()))
        .bind(column(&rs, |r| r.service_group.as_str()))
        .bind(column(&rs, |r| r.published))
        .bind(column(&rs, |r| r.source.code()))
        .bind(column(&rs, |r| code(r.overall)))
        .bind(column(&rs, |r| code(r.key_questions.safe)))
        .bind(column(&rs, |r| code(r.key_questions.effective)))
        .bind(column(&rs, |r| code(r.key_questions.caring)))
        .bind(column(&rs, |r| code(r.key_questions.responsive)))
        .bind(column(&rs, |r| code(r.key_questions.well_led)))
        .bind(column(&rs, |r| r.report_type.as_deref()))
        .bind(column(&rs, |r| r.inherited))
        .bind(now)
        .execute(conn)
        .await
        .map(drop)
        .map_err(write_error)
}

/// Recomputes the denormalised current overall rating of every location touched:
/// its headline rating ([`RatingRecord::headline`]), the latest rated record
/// whoever made it, where a body's service-group rating counts only when that
/// body has no location-wide one.
async fn refresh_current_ratings<'a>(
    conn: &mut PgConnection,
    touched: impl Iterator<Item = &'a str>,
) -> StoreResult<()> {
    let mut ids: Vec<&str> = touched.collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    // Rows whose current rating stays are not written again.
    sqlx::query(
        "UPDATE locations l SET (current_overall, current_rated_on) = (c.overall, c.published) \
         FROM UNNEST($1::text[]) AS t(id) LEFT JOIN LATERAL ( \
           SELECT r.overall, r.published FROM ratings r \
           WHERE r.location_id = t.id AND r.overall IS NOT NULL \
             AND (r.service_group = 'Overall' OR NOT EXISTS (SELECT 1 FROM ratings o \
               WHERE o.location_id = r.location_id AND o.source = r.source AND o.service_group = 'Overall' \
               AND o.overall IS NOT NULL)) \
           ORDER BY r.published DESC, r.service_group = 'Overall' DESC, r.source = 'candour' DESC LIMIT 1) c ON TRUE \
         WHERE l.id = t.id \
           AND (l.current_overall, l.current_rated_on) IS DISTINCT FROM (c.overall, c.published)",
    )
    .bind(&ids)
    .execute(conn)
    .await
    .map(drop)
    .map_err(other)
}
