//! Queries. Every function here reads through the reader pool.

use std::collections::HashMap;

use sqlx::sqlite::{Sqlite, SqlitePool};
use sqlx::{QueryBuilder, Row};

use candour_domain::{LocationId, ProviderId, Rating, RatingRecord, Region};
use candour_store::*;

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
    let related = related(pool, &location).await?;
    let provider_location_count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM locations WHERE provider_id = ? AND registration_status = 'registered' AND id <> ?")
            .bind(location.provider_id.as_str())
            .bind(id.as_str())
            .fetch_one(pool)
            .await
            .map_err(other)?;
    Ok(LocationDetail {
        location,
        provider,
        current_ratings,
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

/// Escapes `%`, `_` and `\` so that user text matches literally inside LIKE.
fn like_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn push_filters(qb: &mut QueryBuilder<Sqlite>, q: &LocationQuery) {
    qb.push(" WHERE 1 = 1");
    if !q.include_deregistered {
        qb.push(" AND l.registration_status = 'registered'");
    }
    if let Some(name) = &q.name {
        qb.push(" AND l.search_text LIKE ").push_bind(format!("%{}%", like_literal(&name.to_lowercase()))).push(" ESCAPE '\\'");
    }
    if let Some(postcode) = &q.postcode {
        // Postcodes are stored upper-case with one space; the prefix is normalised the same way.
        qb.push(" AND l.postcode >= ").push_bind(postcode.clone());
        qb.push(" AND l.postcode < ").push_bind(format!("{postcode}\u{10FFFF}"));
    }
    if let Some(la) = &q.local_authority {
        qb.push(" AND l.local_authority = ").push_bind(la.clone()).push(" COLLATE NOCASE");
    }
    if let Some(region) = q.region {
        qb.push(" AND l.region = ").push_bind(region.code());
    }
    if let Some(kind) = q.service {
        qb.push(" AND l.id IN (SELECT location_id FROM location_kinds WHERE kind = ").push_bind(kind.code()).push(")");
    }
    if let Some(specialism) = &q.specialism {
        qb.push(" AND l.id IN (SELECT location_id FROM location_specialisms WHERE name = ")
            .push_bind(specialism.clone())
            .push(")");
    }
    match q.rating {
        Some(RatingFilter::Rated(r)) => {
            qb.push(" AND l.current_overall = ").push_bind(r.code());
        }
        Some(RatingFilter::NotRated) => {
            qb.push(" AND l.current_overall IS NULL");
        }
        None => {}
    }
    if let Some(provider) = &q.provider {
        qb.push(" AND l.provider_id = ").push_bind(provider.as_str().to_string());
    }
}

fn order_by(sort: LocationSort) -> &'static str {
    match sort {
        LocationSort::Name => " ORDER BY l.name COLLATE NOCASE, l.id",
        LocationSort::RatingBest => {
            " ORDER BY l.current_overall_rank IS NULL, l.current_overall_rank, l.name COLLATE NOCASE, l.id"
        }
        LocationSort::RatingWorst => {
            " ORDER BY l.current_overall_rank IS NULL, l.current_overall_rank DESC, l.name COLLATE NOCASE, l.id"
        }
        LocationSort::Beds => " ORDER BY l.beds IS NULL, l.beds DESC, l.name COLLATE NOCASE, l.id",
        LocationSort::RecentlyRated => {
            " ORDER BY l.current_rated_on IS NULL, l.current_rated_on DESC, l.name COLLATE NOCASE, l.id"
        }
    }
}

pub async fn search_locations(pool: &SqlitePool, q: &LocationQuery) -> StoreResult<Page<LocationSummary>> {
    if q.page == 0 || q.per_page == 0 || q.per_page > LocationQuery::MAX_PER_PAGE {
        return Err(StoreError::Invalid(format!(
            "page must be 1 or more and per_page between 1 and {}",
            LocationQuery::MAX_PER_PAGE
        )));
    }
    let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM locations l");
    push_filters(&mut count, q);
    let total: i64 = count.build_query_scalar().fetch_one(pool).await.map_err(other)?;

    let mut select =
        QueryBuilder::<Sqlite>::new(concat!("SELECT ", summary_columns!(), " FROM locations l JOIN providers p ON p.id = l.provider_id"));
    push_filters(&mut select, q);
    select.push(order_by(q.sort));
    select.push(" LIMIT ").push_bind(i64::from(q.per_page));
    select.push(" OFFSET ").push_bind((i64::from(q.page) - 1) * i64::from(q.per_page));
    let items = select.build().fetch_all(pool).await.map_err(other)?.iter().map(codec::summary).collect::<StoreResult<_>>()?;
    Ok(Page { items, total: total as u64, page: q.page, per_page: q.per_page })
}

pub async fn local_authorities(pool: &SqlitePool) -> StoreResult<Vec<AreaCount>> {
    let rows = sqlx::query(
        "SELECT local_authority, MIN(region), COUNT(*) FROM locations \
         WHERE registration_status = 'registered' AND local_authority IS NOT NULL \
         GROUP BY local_authority COLLATE NOCASE ORDER BY local_authority COLLATE NOCASE",
    )
    .fetch_all(pool)
    .await
    .map_err(other)?;
    rows.iter()
        .map(|row| {
            let region: Option<String> = row.try_get(1).map_err(other)?;
            Ok(AreaCount {
                local_authority: row.try_get(0).map_err(other)?,
                region: region.and_then(|r| Region::parse(&r).ok()),
                locations: row.try_get::<i64, _>(2).map_err(other)? as u64,
            })
        })
        .collect()
}

pub async fn specialisms(pool: &SqlitePool) -> StoreResult<Vec<NameCount>> {
    let rows = sqlx::query(
        "SELECT s.name, COUNT(*) FROM location_specialisms s JOIN locations l ON l.id = s.location_id \
         WHERE l.registration_status = 'registered' GROUP BY s.name ORDER BY s.name",
    )
    .fetch_all(pool)
    .await
    .map_err(other)?;
    rows.iter()
        .map(|row| {
            Ok(NameCount { name: row.try_get(0).map_err(other)?, locations: row.try_get::<i64, _>(1).map_err(other)? as u64 })
        })
        .collect()
}

pub async fn register_stats(pool: &SqlitePool) -> StoreResult<RegisterStats> {
    let row = sqlx::query(
        "SELECT \
           (SELECT COUNT(*) FROM locations WHERE registration_status = 'registered'), \
           (SELECT COUNT(*) FROM locations WHERE registration_status = 'deregistered'), \
           (SELECT COUNT(*) FROM providers), \
           (SELECT COUNT(*) FROM locations WHERE registration_status = 'registered' AND care_home = 1), \
           (SELECT COUNT(*) FROM ratings)",
    )
    .fetch_one(pool)
    .await
    .map_err(other)?;
    let n = |i: usize| -> StoreResult<u64> { Ok(row.try_get::<i64, _>(i).map_err(other)? as u64) };
    let mut by_rating = Vec::new();
    for rating in Rating::ALL {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM locations WHERE registration_status = 'registered' AND current_overall = ?",
        )
        .bind(rating.code())
        .fetch_one(pool)
        .await
        .map_err(other)?;
        by_rating.push((rating, count as u64));
    }
    Ok(RegisterStats {
        registered_locations: n(0)?,
        deregistered_locations: n(1)?,
        providers: n(2)?,
        care_homes: n(3)?,
        rating_records: n(4)?,
        by_rating,
    })
}

pub async fn register_snapshot(pool: &SqlitePool) -> StoreResult<RegisterSnapshot> {
    let mut snapshot = RegisterSnapshot::default();
    let providers = sqlx::query(concat!("SELECT ", provider_columns!(), " FROM providers p")).fetch_all(pool).await.map_err(other)?;
    for row in &providers {
        let p = codec::provider(row)?;
        snapshot.providers.insert(p.id.clone(), p);
    }
    let locations = sqlx::query(concat!("SELECT ", location_columns!(), " FROM locations l")).fetch_all(pool).await.map_err(other)?;
    snapshot.locations = HashMap::with_capacity(locations.len());
    for row in &locations {
        let l = codec::location(row)?;
        snapshot.locations.insert(l.id.clone(), l);
    }
    let ratings = sqlx::query(concat!("SELECT ", rating_columns!(), " FROM ratings r")).fetch_all(pool).await.map_err(other)?;
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
