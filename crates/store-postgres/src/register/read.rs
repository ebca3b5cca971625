//! Register queries. Each takes the pool to read from: the caller chooses a
//! replica for a page, the primary when it follows the journal.

use std::collections::HashMap;

use sqlx::postgres::{PgPool, PgRow};

use candour_domain::{Location, LocationId, Provider, ProviderId, Rating, RatingRecord};
use candour_store::*;
use chrono::NaiveDate;

use crate::codec::{self, get};
use crate::other;

pub(crate) async fn location(pool: &PgPool, id: &LocationId) -> StoreResult<LocationDetail> {
    let row = sqlx::query(concat!("SELECT ", location_columns!(), " FROM locations l WHERE l.id = $1"))
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
        "SELECT COUNT(*) FROM locations WHERE provider_id = $1 AND registration_status = 'registered' AND id <> $2",
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

async fn provider_record(pool: &PgPool, id: &ProviderId) -> StoreResult<Provider> {
    let row = sqlx::query(concat!("SELECT ", provider_columns!(), " FROM providers p WHERE p.id = $1"))
        .bind(id.as_str())
        .fetch_optional(pool)
        .await
        .map_err(other)?
        .ok_or(StoreError::NotFound)?;
    codec::provider(&row)
}

/// All rating records of a location, newest first.
async fn ratings_of(pool: &PgPool, id: &LocationId) -> StoreResult<Vec<RatingRecord>> {
    sqlx::query(concat!(
        "SELECT ",
        rating_columns!(),
        " FROM ratings r WHERE r.location_id = $1 \
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

/// Predecessors and successors, named as the register names them now where it holds them.
async fn related(pool: &PgPool, location: &Location) -> StoreResult<Vec<RelatedLocation>> {
    let ids: Vec<&str> = location.relationships.iter().map(|r| r.related_id.as_str()).collect();
    let known: HashMap<String, String> = sqlx::query_as("SELECT id, name FROM locations WHERE id = ANY($1)")
        .bind(&ids)
        .fetch_all(pool)
        .await
        .map_err(other)?
        .into_iter()
        .collect();
    Ok(location
        .relationships
        .iter()
        .map(|rel| {
            let known = known.get(rel.related_id.as_str());
            RelatedLocation {
                kind: rel.kind,
                id: rel.related_id.clone(),
                name: known.cloned().or_else(|| rel.related_name.clone()),
                reason: rel.reason.clone(),
                known: known.is_some(),
            }
        })
        .collect())
}

pub(crate) async fn provider(pool: &PgPool, id: &ProviderId) -> StoreResult<ProviderDetail> {
    let provider = provider_record(pool, id).await?;
    let locations = sqlx::query(concat!(
        "SELECT ",
        summary_columns!(),
        " FROM locations l JOIN providers p ON p.id = l.provider_id \
         WHERE l.provider_id = $1 ORDER BY l.registration_status = 'deregistered', lower(l.name), l.id"
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

/// Every location's summary and filter keys, for the in-memory directory.
pub(crate) async fn directory_index(pool: &PgPool) -> StoreResult<DirectoryIndex> {
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
pub(crate) async fn directory_rows(pool: &PgPool, ids: &[LocationId]) -> StoreResult<Vec<DirectoryRow>> {
    let ids: Vec<&str> = ids.iter().map(LocationId::as_str).collect();
    let rows = sqlx::query(concat!(
        "SELECT ",
        summary_columns!(),
        ", l.also_known_as, l.specialisms, l.latitude, l.longitude FROM locations l JOIN providers p ON p.id = l.provider_id \
         WHERE l.id = ANY($1)"
    ))
    .bind(&ids)
    .fetch_all(pool)
    .await
    .map_err(other)?;
    directory_rows_of(&rows)
}

fn directory_rows_of(rows: &[PgRow]) -> StoreResult<Vec<DirectoryRow>> {
    rows.iter()
        .map(|row| {
            let specialisms: String = get(row, 17)?;
            Ok(DirectoryRow {
                summary: codec::summary(row)?,
                also_known_as: get(row, 16)?,
                specialisms: serde_json::from_str(&specialisms).map_err(|e| codec::corrupt("specialisms", e))?,
                coordinates: get::<Option<f64>>(row, 18)?.zip(get::<Option<f64>>(row, 19)?),
            })
        })
        .collect()
}

/// Counts the directory index cannot give: providers and rating records.
pub(crate) async fn provider_and_rating_counts(pool: &PgPool) -> StoreResult<(u64, u64)> {
    let (providers, ratings): (i64, i64) =
        sqlx::query_as("SELECT (SELECT COUNT(*) FROM providers), (SELECT COUNT(*) FROM ratings)")
            .fetch_one(pool)
            .await
            .map_err(other)?;
    Ok((providers as u64, ratings as u64))
}

pub(crate) async fn register_snapshot(pool: &PgPool) -> StoreResult<RegisterSnapshot> {
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

pub(crate) async fn import_runs(pool: &PgPool, limit: u32) -> StoreResult<Vec<ImportRun>> {
    let rows = sqlx::query("SELECT id, kind, origin, finished_at, counts FROM import_runs ORDER BY id DESC LIMIT $1")
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(other)?;
    rows.iter()
        .map(|row| {
            let counts: String = get(row, 4)?;
            Ok(ImportRun {
                id: get(row, 0)?,
                kind: get(row, 1)?,
                origin: get(row, 2)?,
                finished_at: get(row, 3)?,
                counts: serde_json::from_str(&counts).map_err(|e| codec::corrupt("import counts", e))?,
            })
        })
        .collect()
}

/// Every overall rating of a local authority's registered locations, oldest first.
pub(crate) async fn overall_ratings_in(
    pool: &PgPool,
    market: &MarketScope,
) -> StoreResult<Vec<(LocationId, NaiveDate, Rating)>> {
    // Which services: a bound value, or none for England.
    let (within, value) = match market {
        MarketScope::LocalAuthority(name) => ("lower(l.local_authority) = lower($1)", Some(name.trim())),
        MarketScope::Region(region) => ("l.region = $1", Some(region.code())),
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
