//! The write side. An import is applied in one transaction on the single writer
//! connection, with multi-row statements so that a national register is written
//! in seconds.

use chrono::Utc;
use sqlx::sqlite::{Sqlite, SqlitePool};
use sqlx::{QueryBuilder, SqliteConnection};

use candour_domain::{Location, Provider, RatingRecord};
use candour_store::{ImportPlan, StoreError, StoreResult};

use crate::codec::{service_kinds_text, to_json};
use crate::other;

/// Rows per multi-row statement: SQLite allows 32,766 bound values per statement.
const CHUNK: usize = 400;

pub async fn apply_import(pool: &SqlitePool, plan: &ImportPlan) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(other)?;
    let now = Utc::now().to_rfc3339();
    for chunk in plan.providers.chunks(CHUNK) {
        upsert_providers(&mut tx, chunk, &now).await?;
    }
    for chunk in plan.locations.chunks(CHUNK) {
        upsert_locations(&mut tx, chunk, &now).await?;
    }
    for chunk in plan.ratings.chunks(CHUNK) {
        upsert_ratings(&mut tx, chunk, &now).await?;
    }
    let touched =
        plan.locations.iter().map(|l| l.id.as_str()).chain(plan.ratings.iter().map(|r| r.location_id.as_str()));
    refresh_current_ratings(&mut tx, touched).await?;
    crate::journal::append_import(&mut tx, plan, Utc::now()).await?;
    sqlx::query("INSERT INTO import_runs (kind, origin, finished_at, counts) VALUES (?, ?, ?, ?)")
        .bind(&plan.kind)
        .bind(&plan.origin)
        .bind(&now)
        .bind(to_json(&plan.counts))
        .execute(&mut *tx)
        .await
        .map_err(other)?;
    tx.commit().await.map_err(other)
}

/// A foreign key failure means the plan refers to a provider or location that does
/// not exist: the caller's mistake, reported as such.
fn write_error(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.message().contains("FOREIGN KEY") => {
            StoreError::Invalid("the import refers to a provider or location that is not in the register".into())
        }
        _ => other(e),
    }
}

async fn upsert_providers(conn: &mut SqliteConnection, providers: &[Provider], now: &str) -> StoreResult<()> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "INSERT INTO providers (id, name, sector, ownership_type, brand_id, brand_name, address_line1, address_line2, \
         town, county, postcode, registration_status, registered_on, deregistered_on, updated_at) ",
    );
    qb.push_values(providers, |mut b, p| {
        let a = &p.address;
        b.push_bind(p.id.as_str())
            .push_bind(&p.name)
            .push_bind(&p.sector)
            .push_bind(&p.ownership_type)
            .push_bind(&p.brand_id)
            .push_bind(&p.brand_name)
            .push_bind(&a.line1)
            .push_bind(&a.line2)
            .push_bind(&a.town)
            .push_bind(&a.county)
            .push_bind(a.postcode.as_ref().map(|p| p.as_str()))
            .push_bind(p.registration.status.code())
            .push_bind(p.registration.registered_on)
            .push_bind(p.registration.deregistered_on)
            .push_bind(now);
    });
    qb.push(
        " ON CONFLICT (id) DO UPDATE SET name = excluded.name, sector = excluded.sector, \
         ownership_type = excluded.ownership_type, brand_id = excluded.brand_id, brand_name = excluded.brand_name, \
         address_line1 = excluded.address_line1, address_line2 = excluded.address_line2, town = excluded.town, \
         county = excluded.county, postcode = excluded.postcode, registration_status = excluded.registration_status, \
         registered_on = excluded.registered_on, deregistered_on = excluded.deregistered_on, updated_at = excluded.updated_at",
    );
    qb.build().execute(conn).await.map(drop).map_err(write_error)
}

const LOCATION_WRITE_COLUMNS: [&str; 36] = [
    "id",
    "provider_id",
    "name",
    "also_known_as",
    "brand_id",
    "brand_name",
    "care_home",
    "beds",
    "service_types",
    "specialisms",
    "regulated_activities",
    "relationships",
    "service_kinds",
    "address_line1",
    "address_line2",
    "town",
    "county",
    "postcode",
    "region",
    "local_authority",
    "constituency",
    "latitude",
    "longitude",
    "phone",
    "website",
    "registration_status",
    "registered_on",
    "deregistered_on",
    "dormant",
    "registered_manager",
    "registered_manager_absent_since",
    "inspection_directorate",
    "primary_inspection_category",
    "last_inspection",
    "last_report",
    "updated_at",
];

async fn upsert_locations(conn: &mut SqliteConnection, locations: &[Location], now: &str) -> StoreResult<()> {
    let mut qb = QueryBuilder::<Sqlite>::new(format!("INSERT INTO locations ({}) ", LOCATION_WRITE_COLUMNS.join(", ")));
    qb.push_values(locations, |mut b, l| {
        let a = &l.address;
        b.push_bind(l.id.as_str())
            .push_bind(l.provider_id.as_str())
            .push_bind(&l.name)
            .push_bind(&l.also_known_as)
            .push_bind(&l.brand_id)
            .push_bind(&l.brand_name)
            .push_bind(l.care_home)
            .push_bind(l.beds)
            .push_bind(to_json(&l.service_types))
            .push_bind(to_json(&l.specialisms))
            .push_bind(to_json(&l.regulated_activities))
            .push_bind(to_json(&l.relationships))
            .push_bind(service_kinds_text(l))
            .push_bind(&a.line1)
            .push_bind(&a.line2)
            .push_bind(&a.town)
            .push_bind(&a.county)
            .push_bind(a.postcode.as_ref().map(|p| p.as_str()))
            .push_bind(l.region.map(|r| r.code()))
            .push_bind(&l.local_authority)
            .push_bind(&l.constituency)
            .push_bind(l.latitude)
            .push_bind(l.longitude)
            .push_bind(&l.phone)
            .push_bind(&l.website)
            .push_bind(l.registration.status.code())
            .push_bind(l.registration.registered_on)
            .push_bind(l.registration.deregistered_on)
            .push_bind(l.dormant)
            .push_bind(l.registered_manager)
            .push_bind(l.registered_manager_absent_since)
            .push_bind(&l.inspection_directorate)
            .push_bind(&l.primary_inspection_category)
            .push_bind(l.last_inspection)
            .push_bind(l.last_report)
            .push_bind(now);
    });
    let updates: Vec<String> = LOCATION_WRITE_COLUMNS[1..].iter().map(|c| format!("{c} = excluded.{c}")).collect();
    qb.push(format!(" ON CONFLICT (id) DO UPDATE SET {}", updates.join(", ")));
    qb.build().execute(conn).await.map(drop).map_err(write_error)
}

/// Writes rating records and refreshes their locations' current ratings: the
/// path an import takes, shared with publishing an assessment.
pub(crate) async fn write_ratings(conn: &mut SqliteConnection, ratings: &[RatingRecord]) -> StoreResult<()> {
    let now = Utc::now().to_rfc3339();
    for chunk in ratings.chunks(CHUNK) {
        upsert_ratings(conn, chunk, &now).await?;
    }
    refresh_current_ratings(conn, ratings.iter().map(|r| r.location_id.as_str())).await
}

async fn upsert_ratings(conn: &mut SqliteConnection, ratings: &[RatingRecord], now: &str) -> StoreResult<()> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "INSERT INTO ratings (location_id, service_group, published, source, overall, safe, effective, caring, \
         responsive, well_led, report_type, inherited, recorded_at) ",
    );
    qb.push_values(ratings, |mut b, r| {
        let kq = &r.key_questions;
        b.push_bind(r.location_id.as_str())
            .push_bind(&r.service_group)
            .push_bind(r.published)
            .push_bind(r.source.code())
            .push_bind(r.overall.map(|x| x.code()))
            .push_bind(kq.safe.map(|x| x.code()))
            .push_bind(kq.effective.map(|x| x.code()))
            .push_bind(kq.caring.map(|x| x.code()))
            .push_bind(kq.responsive.map(|x| x.code()))
            .push_bind(kq.well_led.map(|x| x.code()))
            .push_bind(&r.report_type)
            .push_bind(r.inherited)
            .push_bind(now);
    });
    qb.push(
        " ON CONFLICT (location_id, service_group, published, source) DO UPDATE SET overall = excluded.overall, \
         safe = excluded.safe, effective = excluded.effective, caring = excluded.caring, \
         responsive = excluded.responsive, well_led = excluded.well_led, report_type = excluded.report_type, \
         inherited = excluded.inherited, recorded_at = excluded.recorded_at",
    );
    qb.build().execute(conn).await.map(drop).map_err(write_error)
}

/// Recomputes the denormalised current overall rating of every location the plan
/// touched: its headline rating ([`RatingRecord::headline`]), the latest rated
/// record whoever made it, where a body's service-group rating counts only when
/// that body has no location-wide one.
async fn refresh_current_ratings<'a>(
    conn: &mut SqliteConnection,
    touched: impl Iterator<Item = &'a str>,
) -> StoreResult<()> {
    sqlx::query("CREATE TEMP TABLE IF NOT EXISTS touched (id TEXT PRIMARY KEY) WITHOUT ROWID")
        .execute(&mut *conn)
        .await
        .map_err(other)?;
    sqlx::query("DELETE FROM touched").execute(&mut *conn).await.map_err(other)?;
    let mut ids: Vec<&str> = touched.collect();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(CHUNK * 10) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO touched (id) ");
        qb.push_values(chunk, |mut b, id| {
            b.push_bind(*id);
        });
        qb.build().execute(&mut *conn).await.map_err(other)?;
    }
    sqlx::query(
        "UPDATE locations SET (current_overall, current_rated_on) = ( \
           SELECT r.overall, r.published FROM ratings r \
           WHERE r.location_id = locations.id AND r.overall IS NOT NULL \
             AND (r.service_group = 'Overall' OR NOT EXISTS (SELECT 1 FROM ratings o \
               WHERE o.location_id = r.location_id AND o.source = r.source AND o.service_group = 'Overall' \
               AND o.overall IS NOT NULL)) \
           ORDER BY r.published DESC, r.service_group = 'Overall' DESC, r.source = 'candour' DESC LIMIT 1) \
         WHERE id IN (SELECT id FROM touched)",
    )
    .execute(&mut *conn)
    .await
    .map_err(other)?;
    sqlx::query("DELETE FROM touched").execute(&mut *conn).await.map_err(other)?;
    Ok(())
}
