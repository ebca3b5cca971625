//! Queries. Every function here reads through the reader pool.

use std::collections::HashMap;

use sqlx::Row;
use sqlx::sqlite::SqlitePool;

use candour_domain::{LocationId, ProviderId, Rating, RatingRecord};
use candour_store::*;
use chrono::NaiveDate;

use crate::codec;
use crate::other;

pub async fn location(pool: &SqlitePool, id: &LocationId) -> StoreResult<LocationDetail> {
    let row = sqlx::query(concat!("SELECT ", location_columns!(), " FROM locations l WHERE l.id = ?"))
        .bind(id.as_str())
        .fetch_optional(pool)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
    let location = codec::location(&row)?;
    let provider = provider_record(pool, &location.provider_id).await?;
    let rating_history = ratings_of(pool, id).await?;
    let current_ratings = current_of(&rating_history);
    let headline_rating = RatingRecord::headline(&rating_history).cloned();
    let related = related(pool, &location).await?;
    let provider_location_count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM locations WHERE provider_id = ? AND registration_status = 'registered' AND id <> ?",
    )
    .bind(location.provider_id.as_str())
    .bind(id.as_str())
    .fetch_one(pool)
    .await
    .map_err(other)?;
    Ok(LocationDetail {
        location,
        provider,
        current_ratings,
        headline_rating,
        rating_history,
        related,
        provider_location_count: provider_location_count as u64,
    })
}

async fn provider_record(pool: &SqlitePool, id: &ProviderId) -> StoreResult<candour_domain::Provider> {
    let row = sqlx::query(concat!("SELECT ", provider_columns!(), " FROM providers p WHERE p.id = ?"))
        .bind(id.as_str())
        .fetch_optional(pool)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
    codec::provider(&row)
}

/// All rating records of a location, newest first.
async fn ratings_of(pool: &SqlitePool, id: &LocationId) -> StoreResult<Vec<RatingRecord>> {
    sqlx::query(concat!(
        "SELECT ",
        rating_columns!(),
        " FROM ratings r WHERE r.location_id = ? \
         ORDER BY r.published DESC, r.service_group = 'Overall' DESC, r.service_group, r.source"
    ))
    .bind(id.as_str())
    .fetch_all(pool)
    .await
    .map_err(other)?
    .iter()
    .map(codec::rating_record)
    .collect()
}

/// The latest record per service group, the location-wide "Overall" group first.
fn current_of(history: &[RatingRecord]) -> Vec<RatingRecord> {
    let mut current: Vec<RatingRecord> = Vec::new();
    for record in history {
        if !current.iter().any(|c| c.service_group == record.service_group) {
            current.push(record.clone());
        }
    }
    current.sort_by_key(|r| (r.service_group != RatingRecord::LOCATION_GROUP, r.service_group.clone()));
    current
}

async fn related(pool: &SqlitePool, location: &candour_domain::Location) -> StoreResult<Vec<RelatedLocation>> {
    let mut related = Vec::with_capacity(location.relationships.len());
    for rel in &location.relationships {
        let known: Option<String> = sqlx::query_scalar("SELECT name FROM locations WHERE id = ?")
            .bind(rel.related_id.as_str())
            .fetch_optional(pool)
            .await
            .map_err(other)?;
        related.push(RelatedLocation {
            kind: rel.kind,
            id: rel.related_id.clone(),
            name: known.clone().or_else(|| rel.related_name.clone()),
            reason: rel.reason.clone(),
            known: known.is_some(),
        });
    }
    Ok(related)
}

pub async fn provider(pool: &SqlitePool, id: &ProviderId) -> StoreResult<ProviderDetail> {
    let provider = provider_record(pool, id).await?;
    let locations = sqlx::query(concat!(
        "SELECT ",
        summary_columns!(),
        " FROM locations l JOIN providers p ON p.id = l.provider_id \
         WHERE l.provider_id = ? ORDER BY l.registration_status = 'deregistered', l.name COLLATE NOCASE, l.id"
    ))
    .bind(id.as_str())
    .fetch_all(pool)
    .await
    .map_err(other)?
    .iter()
    .map(codec::summary)
    .collect::<StoreResult<_>>()?;
    Ok(ProviderDetail { provider, locations })
}

/// Loads every location's summary and filter keys for the in-memory directory.
pub async fn directory_index(pool: &SqlitePool) -> StoreResult<DirectoryIndex> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        summary_columns!(),
        ", l.also_known_as, l.specialisms, l.latitude, l.longitude FROM locations l JOIN providers p ON p.id = l.provider_id"
    ))
    .fetch_all(pool)
    .await
    .map_err(other)?;
    Ok(DirectoryIndex::new(directory_rows_of(&rows)?))
}

/// The directory rows of the locations `ids` that are on the register.
pub async fn directory_rows(pool: &SqlitePool, ids: &[LocationId]) -> StoreResult<Vec<DirectoryRow>> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(concat!(
            "SELECT ",
            summary_columns!(),
            ", l.also_known_as, l.specialisms, l.latitude, l.longitude FROM locations l JOIN providers p ON p.id = l.provider_id \
             WHERE l.id IN ("
        ));
        let mut list = qb.separated(", ");
        for id in chunk {
            list.push_bind(id.as_str());
        }
        qb.push(")");
        let rows = qb.build().fetch_all(pool).await.map_err(other)?;
        found.extend(directory_rows_of(&rows)?);
    }
    Ok(found)
}

fn directory_rows_of(rows: &[sqlx::sqlite::SqliteRow]) -> StoreResult<Vec<DirectoryRow>> {
    rows.iter()
        .map(|row| {
            let specialisms: String = row.try_get(17).map_err(other)?;
            Ok(DirectoryRow {
                summary: codec::summary(row)?,
                also_known_as: row.try_get(16).map_err(other)?,
                specialisms: serde_json::from_str(&specialisms).map_err(other)?,
                coordinates: row.try_get::<Option<f64>, _>(18).map_err(other)?.zip(row.try_get(19).map_err(other)?),
            })
        })
        .collect()
}

/// Counts the directory index cannot give: providers and rating records.
pub async fn provider_and_rating_counts(pool: &SqlitePool) -> StoreResult<(u64, u64)> {
    let row = sqlx::query("SELECT (SELECT COUNT(*) FROM providers), (SELECT COUNT(*) FROM ratings)")
        .fetch_one(pool)
        .await
        .map_err(other)?;
    let n = |i: usize| -> StoreResult<u64> { Ok(row.try_get::<i64, _>(i).map_err(other)? as u64) };
    Ok((n(0)?, n(1)?))
}

pub async fn register_snapshot(pool: &SqlitePool) -> StoreResult<RegisterSnapshot> {
    let mut snapshot = RegisterSnapshot::default();
    let providers = sqlx::query(concat!("SELECT ", provider_columns!(), " FROM providers p"))
        .fetch_all(pool)
        .await
        .map_err(other)?;
    for row in &providers {
        let p = codec::provider(row)?;
        snapshot.providers.insert(p.id.clone(), p);
    }
    let locations = sqlx::query(concat!("SELECT ", location_columns!(), " FROM locations l"))
        .fetch_all(pool)
        .await
        .map_err(other)?;
    snapshot.locations = HashMap::with_capacity(locations.len());
    for row in &locations {
        let l = codec::location(row)?;
        snapshot.locations.insert(l.id.clone(), l);
    }
    let ratings =
        sqlx::query(concat!("SELECT ", rating_columns!(), " FROM ratings r")).fetch_all(pool).await.map_err(other)?;
    snapshot.ratings = HashMap::with_capacity(ratings.len());
    for row in &ratings {
        let r = codec::rating_record(row)?;
        snapshot.ratings.insert(RatingKey::of(&r), r);
    }
    Ok(snapshot)
}

pub async fn import_runs(pool: &SqlitePool, limit: u32) -> StoreResult<Vec<ImportRun>> {
    let rows = sqlx::query("SELECT id, kind, origin, finished_at, counts FROM import_runs ORDER BY id DESC LIMIT ?")
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(other)?;
    rows.iter()
        .map(|row| {
            let counts: String = row.try_get(4).map_err(other)?;
            Ok(ImportRun {
                id: row.try_get(0).map_err(other)?,
                kind: row.try_get(1).map_err(other)?,
                origin: row.try_get(2).map_err(other)?,
                finished_at: row.try_get(3).map_err(other)?,
                counts: serde_json::from_str(&counts).map_err(other)?,
            })
        })
        .collect()
}

/// Every overall rating of a local authority's registered locations, oldest first.
pub(crate) async fn overall_ratings_in(
    pool: &SqlitePool,
    market: &MarketScope,
) -> StoreResult<Vec<(LocationId, NaiveDate, Rating)>> {
    // Which services: a bound value, or none for England.
    let (within, value) = match market {
        MarketScope::LocalAuthority(name) => ("lower(l.local_authority) = lower(?)", Some(name.trim())),
        MarketScope::Region(region) => ("l.region = ?", Some(region.code())),
        MarketScope::England => ("TRUE", None),
    };
    // Safe: `within` is one of the fixed clauses above.
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT r.location_id, r.published, r.overall FROM ratings r JOIN locations l ON l.id = r.location_id \
         WHERE {within} AND l.registration_status = 'registered' \
         AND r.overall IS NOT NULL AND r.service_group = 'Overall' ORDER BY r.published, r.location_id"
    ));
    let mut query = sqlx::query_as::<_, (String, NaiveDate, String)>(sql);
    if let Some(value) = value {
        query = query.bind(value);
    }
    let rows = query.fetch_all(pool).await.map_err(crate::other)?;
    rows.into_iter()
        .map(|(id, published, rating)| {
            let id = LocationId::parse(&id).map_err(|e| crate::codec::corrupt("location ID", e))?;
            let rating = Rating::parse(&rating).map_err(|e| crate::codec::corrupt("rating", e))?;
            Ok((id, published, rating))
        })
        .collect()
}
