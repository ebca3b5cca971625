use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use candour_domain::Region;
use candour_store::{AreaCount, RegisterStats};

use crate::error::{PageError, WebError, render};
use crate::state::AppState;
use crate::views::{RatingTag, count_of, thousands};

#[derive(Template)]
#[template(path = "register/home.html")]
struct HomePage {
    title: &'static str,
    stats: Vec<Stat>,
    by_rating: Vec<RatingCount>,
    regions: Vec<RegionLink>,
}

struct Stat {
    label: &'static str,
    value: String,
}

struct RatingCount {
    tag: RatingTag,
    count: String,
    href: String,
}

struct RegionLink {
    name: &'static str,
    href: String,
    /// "1 service" / "24 services".
    count: String,
}

/// `GET /`: what Candour is, a search box, the register in numbers and regions to browse.
pub async fn home(State(state): State<AppState>) -> Result<Response, PageError> {
    let (stats, areas) = tokio::try_join!(state.store.register_stats(), state.store.local_authorities())
        .map_err(|e| WebError::from_store(e, || "The register is empty".to_string()))?;
    let page = HomePage {
        title: "Find and compare adult social care in England",
        stats: stat_lines(&stats),
        by_rating: rating_counts(&stats),
        regions: region_links(&areas),
    };
    Ok(render(StatusCode::OK, &page))
}

fn stat_lines(stats: &RegisterStats) -> Vec<Stat> {
    vec![
        Stat { label: "registered care services", value: thousands(stats.registered_locations) },
        Stat { label: "of them care homes", value: thousands(stats.care_homes) },
        Stat { label: "providers", value: thousands(stats.providers) },
        Stat { label: "published ratings", value: thousands(stats.rating_records) },
    ]
}

fn rating_counts(stats: &RegisterStats) -> Vec<RatingCount> {
    stats
        .by_rating
        .iter()
        .map(|(rating, count)| RatingCount {
            tag: RatingTag::of(Some(*rating)),
            count: thousands(*count),
            href: format!("/locations?rating={}", rating.code()),
        })
        .collect()
}

/// Every region, with the number of registered locations summed over its local authorities.
fn region_links(areas: &[AreaCount]) -> Vec<RegionLink> {
    Region::ALL
        .into_iter()
        .map(|region| {
            let count: u64 = areas.iter().filter(|a| a.region == Some(region)).map(|a| a.locations).sum();
            RegionLink {
                name: region.name(),
                href: format!("/locations?region={}", region.code()),
                count: count_of(count, "service", "services"),
            }
        })
        .collect()
}
