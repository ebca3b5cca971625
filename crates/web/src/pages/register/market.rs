//! `/areas/{local authority}`: the local care market, in public. The services by
//! type and current rating, the beds, what people say across the market, and the
//! area against its region and England. Commissioners sign in for the private view.
//! A region (`/areas/London`) and England (`/areas/England`) have the same page,
//! against England and against each region.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use candour_domain::{LocationId, Rating, Region, ServiceKind};
use candour_store::{LocationQuery, LocationSummary, MarketScope, search_all};
use chrono::{Datelike, NaiveDate};

use super::people::PeopleSummary;
use crate::error::{PageError, WebError, render};
use crate::pages::chrome::{area_href, path_segment};
use crate::pdf::{Block, Report};
use crate::state::AppState;
use crate::views::RatingTag;

#[derive(Template)]
#[template(path = "register/market.html")]
struct MarketPage {
    title: String,
    /// "The local care market", "The care market in a region", "The care market in England".
    caption: &'static str,
    name: String,
    lead: String,
    /// The ratings' columns, then "Not yet rated".
    columns: Vec<RatingTag>,
    by_kind: Vec<KindRow>,
    beds: Vec<(RatingTag, u64)>,
    comparison_heading: &'static str,
    comparison: Vec<ComparisonRow>,
    /// The ratings in force at the end of each of the last five years, of today's services.
    years: Vec<YearRow>,
    people: Option<PeopleSummary>,
    directory_href: String,
    /// A local authority's only.
    feed_href: Option<String>,
    private_href: Option<String>,
    report_href: String,
}

/// The market a path names: a local authority, else a region, else England.
struct Market {
    scope: MarketScope,
    name: String,
    /// The region a local authority is in.
    region: Option<Region>,
}

async fn find_market(state: &AppState, raw: &str) -> Result<Market, WebError> {
    let wanted = raw.trim();
    if let Ok(area) = find_area(state, wanted).await {
        let name = area.local_authority.clone();
        return Ok(Market { scope: MarketScope::LocalAuthority(name.clone()), name, region: area.region });
    }
    if let Some(region) =
        Region::ALL.into_iter().find(|r| r.name().eq_ignore_ascii_case(wanted) || r.code().eq_ignore_ascii_case(wanted))
    {
        return Ok(Market { scope: MarketScope::Region(region), name: region.name().to_string(), region: None });
    }
    if wanted.eq_ignore_ascii_case("england") {
        return Ok(Market { scope: MarketScope::England, name: "England".to_string(), region: None });
    }
    Err(WebError::not_found(format!("There is no local authority or region called {wanted} in the register.")))
}

struct KindRow {
    kind: &'static str,
    counts: Vec<usize>,
    total: usize,
}

struct YearRow {
    when: String,
    /// By [`COLUMNS`]: the last is those with no rating then.
    counts: Vec<usize>,
}

/// How many of `services` held each rating at the end of each of the last five
/// years (and now): for each, the latest overall rating published by then.
fn years(services: usize, ratings: &[(LocationId, NaiveDate, Rating)], today: NaiveDate) -> Vec<YearRow> {
    let ends = (1..=4).rev().filter_map(|back| NaiveDate::from_ymd_opt(today.year() - back, 12, 31));
    ends.map(|end| (format!("End of {}", end.year()), end))
        .chain([("Now".to_string(), today)])
        .map(|(when, end)| {
            let mut in_force: HashMap<&LocationId, Rating> = HashMap::new();
            // Oldest first: a later rating replaces an earlier one.
            for (id, _, rating) in ratings.iter().filter(|(_, on, _)| *on <= end) {
                in_force.insert(id, *rating);
            }
            let mut counts: Vec<usize> =
                Rating::ALL.iter().map(|r| in_force.values().filter(|v| *v == r).count()).collect();
            counts.push(services.saturating_sub(in_force.len()));
            YearRow { when, counts }
        })
        .collect()
}

struct ComparisonRow {
    place: String,
    /// Its own market page.
    href: String,
    services: usize,
    rated: usize,
    good_or_better: String,
    needs_improving: String,
}

/// The rating columns, unrated last.
const COLUMNS: [Option<Rating>; 5] =
    [Some(Rating::Outstanding), Some(Rating::Good), Some(Rating::RequiresImprovement), Some(Rating::Inadequate), None];

/// A row of the comparison from the services' count and their ratings' counts.
fn comparison(place: String, services: usize, by_rating: &[(Rating, u64)]) -> ComparisonRow {
    let rated: u64 = by_rating.iter().map(|(_, n)| n).sum();
    let share = |wanted: &[Rating]| match rated {
        0 => "No ratings".to_string(),
        n => {
            let of: u64 = by_rating.iter().filter(|(r, _)| wanted.contains(r)).map(|(_, n)| n).sum();
            format!("{:.0}%", 100.0 * of as f64 / n as f64)
        }
    };
    ComparisonRow {
        href: format!("/areas/{}", path_segment(&place)),
        place,
        services,
        rated: rated as usize,
        good_or_better: share(&[Rating::Outstanding, Rating::Good]),
        needs_improving: share(&[Rating::RequiresImprovement, Rating::Inadequate]),
    }
}

fn by_rating<'a>(services: impl IntoIterator<Item = &'a LocationSummary>) -> Vec<(Rating, u64)> {
    let mut counts: Vec<(Rating, u64)> = Rating::ALL.iter().map(|r| (*r, 0)).collect();
    for rating in services.into_iter().filter_map(|s| s.overall) {
        if let Some((_, n)) = counts.iter_mut().find(|(r, _)| *r == rating) {
            *n += 1;
        }
    }
    counts
}

/// `GET /areas/{local authority}`
pub async fn market(State(state): State<AppState>, Path(raw): Path<String>) -> Result<Response, PageError> {
    Ok(render(StatusCode::OK, &build(&state, &raw).await?))
}

/// `GET /areas/{local authority}/report.pdf`: the same, to print or keep.
pub async fn report(State(state): State<AppState>, Path(raw): Path<String>) -> Result<Response, PageError> {
    let (name, report) = report_of(&state, &raw).await?;
    Ok(crate::pdf::response(&report, &report_file(&name, "market-report")))
}

/// The market report of a local authority, a region or England, and its name; the
/// commissioners' report adds to it what only they may see.
pub(crate) async fn report_of(state: &AppState, raw: &str) -> Result<(String, Report), WebError> {
    let page = build(state, raw).await?;
    let made = chrono::Utc::now().format("%-d %B %Y").to_string();
    Ok((page.name.clone(), page.report(&made)))
}

/// "leeds-market-report.pdf"
pub(crate) fn report_file(name: &str, what: &str) -> String {
    format!("{}-{what}.pdf", name.to_lowercase().replace(' ', "-"))
}

/// The local authority a path names (ignoring case), as the register spells it; else 404.
pub(crate) async fn find_area(state: &AppState, raw: &str) -> Result<candour_store::AreaCount, WebError> {
    let areas = state.store.local_authorities().await.map_err(|e| WebError::from_store(e, String::new))?;
    areas
        .into_iter()
        .find(|a| a.local_authority.eq_ignore_ascii_case(raw.trim()))
        .ok_or_else(|| WebError::not_found(format!("There is no local authority called {raw} in the register.")))
}

async fn build(state: &AppState, raw: &str) -> Result<MarketPage, WebError> {
    let market = find_market(state, raw).await?;
    let name = market.name.clone();
    let store = state.store.as_ref();
    let all = |query: LocationQuery| async move {
        search_all(store, &query).await.map_err(|e| WebError::from_store(e, String::new))
    };
    let (here_query, filter) = match &market.scope {
        MarketScope::LocalAuthority(la) => (
            LocationQuery { local_authority: Some(la.clone()), ..LocationQuery::default() },
            ("local_authority", la.as_str()),
        ),
        MarketScope::Region(r) => {
            (LocationQuery { region: Some(*r), ..LocationQuery::default() }, ("region", r.code()))
        }
        MarketScope::England => (LocationQuery::default(), ("", "")),
    };
    let here = all(here_query).await?;
    // England's counts are kept with the register; no need to list 30,000 services.
    let england = state.store.register_stats().await.map_err(|e| WebError::from_store(e, String::new))?;
    let mut rows = vec![comparison(name.clone(), here.len(), &by_rating(&here))];
    match (&market.scope, market.region) {
        (MarketScope::LocalAuthority(_), Some(region)) => {
            let services = all(LocationQuery { region: Some(region), ..LocationQuery::default() }).await?;
            rows.push(comparison(region.name().to_string(), services.len(), &by_rating(&services)));
        }
        (MarketScope::England, _) => {
            rows.clear();
            for region in Region::ALL {
                // Counted from England's services, not read again region by region.
                let services: Vec<&LocationSummary> = here.iter().filter(|s| s.region == Some(region)).collect();
                if !services.is_empty() {
                    rows.push(comparison(
                        region.name().to_string(),
                        services.len(),
                        &by_rating(services.iter().copied()),
                    ));
                }
            }
        }
        _ => {}
    }
    rows.push(comparison("England".to_string(), england.registered_locations as usize, &england.by_rating));

    let by_kind: Vec<KindRow> = ServiceKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let of_kind: Vec<&LocationSummary> = here.iter().filter(|s| s.service_kinds.contains(&kind)).collect();
            let counts: Vec<usize> =
                COLUMNS.iter().map(|c| of_kind.iter().filter(|s| s.overall == *c).count()).collect();
            (!of_kind.is_empty()).then(|| KindRow { kind: kind.name(), counts, total: of_kind.len() })
        })
        .collect();
    let beds: Vec<(RatingTag, u64)> = COLUMNS
        .iter()
        .map(|c| {
            let sum =
                here.iter().filter(|s| s.care_home && s.overall == *c).filter_map(|s| s.beds).map(u64::from).sum();
            (RatingTag::of(*c), sum)
        })
        .collect();
    let care_homes = here.iter().filter(|s| s.care_home).count();
    let total_beds: u64 = beds.iter().map(|(_, n)| n).sum();
    let history =
        state.store.overall_ratings_in(&market.scope).await.map_err(|e| WebError::from_store(e, String::new))?;
    let years = years(here.len(), &history, chrono::Utc::now().date_naive());
    let people =
        state.monitor.current().map(|s| PeopleSummary::of_market(&s, &market.scope)).filter(|p| !p.counts.is_empty());
    let local = matches!(market.scope, MarketScope::LocalAuthority(_));
    let directory_href = match filter {
        ("", _) => "/locations".to_string(),
        (key, value) => format!("/locations?{key}={}", path_segment(value)),
    };
    let page = MarketPage {
        title: format!("{name}: the care market"),
        caption: match market.scope {
            MarketScope::LocalAuthority(_) => "The local care market",
            MarketScope::Region(_) => "The care market in a region",
            MarketScope::England => "The care market in England",
        },
        lead: format!(
            "{} registered adult social care services, {care_homes} of them care homes with {total_beds} beds.",
            here.len()
        ),
        columns: COLUMNS.iter().map(|c| RatingTag::of(*c)).collect(),
        by_kind,
        beds,
        comparison_heading: match market.scope {
            MarketScope::England => "Each region against England",
            _ => "Against the region and England",
        },
        comparison: rows,
        years,
        people,
        directory_href,
        feed_href: local.then(|| format!("/areas/{}/feed.atom", path_segment(&name))),
        private_href: local.then(|| area_href(&name)),
        report_href: format!("/areas/{}/report.pdf", path_segment(&name)),
        name,
    };
    Ok(page)
}

impl MarketPage {
    /// The page as a printable report: the same figures, in the same order.
    fn report(&self, made: &str) -> Report {
        let labels: Vec<String> = self.columns.iter().map(|c| c.label.to_string()).collect();
        let header = |first: &str, last: Option<&str>| {
            std::iter::once(first.to_string()).chain(labels.iter().cloned()).chain(last.map(str::to_string)).collect()
        };
        let numbers = |first: &str, counts: &[usize], total: Option<usize>| {
            std::iter::once(first.to_string())
                .chain(counts.iter().map(usize::to_string))
                .chain(total.map(|t| t.to_string()))
                .collect()
        };
        let mut blocks = vec![
            Block::Paragraph(self.lead.clone()),
            Block::Heading("Services by type and current rating".into()),
            Block::Table {
                caption: "Registered services by type and the regulator's latest overall rating (a service of two types is counted under each)".into(),
                header: header("Type of service", Some("All")),
                rows: self.by_kind.iter().map(|r| numbers(r.kind, &r.counts, Some(r.total))).collect(),
            },
            Block::Heading("Ratings over the last five years".into()),
            Block::Table {
                caption: "Today's services by the overall rating in force at the end of each year".into(),
                header: header("When", None),
                rows: self.years.iter().map(|y| numbers(&y.when, &y.counts, None)).collect(),
            },
            Block::Heading("Care home beds".into()),
            Block::Table {
                caption: "Beds by the home's current overall rating".into(),
                header: vec!["Rating".into(), "Beds".into()],
                rows: self.beds.iter().map(|(tag, n)| vec![tag.label.to_string(), n.to_string()]).collect(),
            },
            Block::Heading(self.comparison_heading.into()),
        ];
        let share = |text: &str| text.trim_end_matches('%').parse::<f64>().map_or(0.0, |p| p / 100.0);
        blocks.push(Block::Bars {
            caption: "Of the services with a rating, the share rated Good or Outstanding".into(),
            bars: self
                .comparison
                .iter()
                .map(|r| (r.place.clone(), share(&r.good_or_better), r.good_or_better.clone()))
                .collect(),
        });
        blocks.push(Block::Table {
            caption: "Services, rated services, and the shares rated Good or better and Requires improvement or worse"
                .into(),
            header: ["Area", "Services", "Rated", "Good or Outstanding", "RI or Inadequate"].map(String::from).to_vec(),
            rows: self
                .comparison
                .iter()
                .map(|r| {
                    vec![
                        r.place.clone(),
                        r.services.to_string(),
                        r.rated.to_string(),
                        r.good_or_better.clone(),
                        r.needs_improving.clone(),
                    ]
                })
                .collect(),
        });
        blocks.push(Block::Heading("What people say across the market".into()));
        match &self.people {
            Some(people) => blocks.push(Block::Table {
                caption: format!(
                    "Each service against similar services in England, from what the people who use it say{} (not the regulator's rating)",
                    people.period.as_ref().map(|p| format!(", {p}")).unwrap_or_default()
                ),
                header: vec!["What people say".into(), "Services".into()],
                rows: people.counts.iter().map(|(v, n, _)| vec![v.label().to_string(), n.to_string()]).collect(),
            }),
            None => blocks.push(Block::Paragraph("What people say was still being worked out when this report was made.".into())),
        }
        Report {
            title: self.title.clone(),
            subtitle: format!(
                "Made by Candour on {made} from the register and what people say. Register data from the Care Quality Commission, Open Government Licence v3.0."
            ),
            blocks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_year_counts_the_rating_in_force_at_its_end() {
        let (a, b) = (LocationId::parse("1-1").unwrap(), LocationId::parse("1-2").unwrap());
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let ratings = [
            (a.clone(), day(2021, 6, 1), Rating::RequiresImprovement),
            (b.clone(), day(2023, 2, 1), Rating::Good),
            (a.clone(), day(2024, 12, 31), Rating::Good),
        ];
        // Three services today, one never rated.
        let rows = years(3, &ratings, day(2026, 12, 7));
        let when: Vec<&str> = rows.iter().map(|r| r.when.as_str()).collect();
        assert_eq!(when, ["End of 2022", "End of 2023", "End of 2024", "End of 2025", "Now"]);
        // Outstanding, Good, Requires improvement, Inadequate, not rated.
        assert_eq!(rows[0].counts, [0, 0, 1, 0, 2]);
        assert_eq!(rows[1].counts, [0, 1, 1, 0, 1]);
        assert_eq!(rows[2].counts, [0, 2, 0, 0, 1], "a rating published on the last day counts");
        assert_eq!(rows[4].counts, [0, 2, 0, 0, 1]);
    }
}
