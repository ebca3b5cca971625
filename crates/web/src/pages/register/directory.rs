use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::people::Verdict;
use candour_domain::{Rating, ServiceKind};
use candour_store::{AreaCount, LocationQuery, LocationSort, LocationSummary, NameCount, Page};

use super::people::PeopleSummary;
use crate::error::{PageError, WebError, render};
use crate::pagination::{Pagination, page_href, pagination};
use crate::params::{DirectoryParams, FieldErrors, NOT_RATED};
use crate::state::AppState;
use crate::views::{SelectOption, SummaryView, count_of, region_options, select, thousands};

/// The page sizes offered in the form; any other valid size given in the URL is added.
const PAGE_SIZES: [u32; 4] = [10, 20, 50, 100];

#[derive(Template)]
#[template(path = "register/directory.html")]
struct DirectoryPage {
    title: String,
    errors: Vec<ErrorLink>,
    form: FilterForm,
    results: Option<Results>,
}

/// An entry in the error summary; `href` points at the field when the form has one.
struct ErrorLink {
    message: String,
    href: Option<String>,
}

struct TextField {
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    value: String,
    error: Option<String>,
}

struct SelectField {
    id: &'static str,
    label: &'static str,
    options: Vec<SelectOption>,
    error: Option<String>,
}

struct FilterForm {
    name: TextField,
    postcode: TextField,
    near: TextField,
    selects: Vec<SelectField>,
    include_deregistered: bool,
    include_deregistered_error: Option<String>,
    sort: SelectField,
    per_page: SelectField,
}

struct Results {
    heading: String,
    /// With a local authority chosen: its services by what people say of them.
    area_people: Option<(String, PeopleSummary)>,
    range: String,
    items: Vec<SummaryView>,
    pagination: Pagination,
    /// Set when the page asked for lies beyond the last one.
    past_end: Option<PastEnd>,
}

struct PastEnd {
    last_page: u32,
    href: String,
}

/// `GET /locations`: the directory with its filters, every choice carried in the
/// query string so that any view can be linked to. Refused values re-render the
/// form with a 400 and the error beside the field.
pub async fn directory(
    State(state): State<AppState>,
    query: Result<Query<DirectoryParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let params =
        query.map_err(|r| WebError::bad_request(format!("The address could not be read: {}", r.body_text())))?.0;
    let (areas, specialisms) = tokio::try_join!(state.store.local_authorities(), state.store.specialisms())
        .map_err(|e| WebError::from_store(e, || "The register is empty".to_string()))?;
    let form_values = params.clone();
    let validated = match params.validate() {
        Ok(mut query) => super::near(&state, form_values.near.as_deref(), query.sort).await.map(|place| {
            query.near = place;
            query
        }),
        Err(errors) => Err(errors),
    };
    match validated {
        Ok(query) => {
            let query = super::with_standings(&state, query)?;
            let area_people = query.local_authority.as_deref().and_then(|la| {
                let market = candour_store::MarketScope::LocalAuthority(la.to_string());
                let summary = PeopleSummary::of_market(&*state.monitor.current()?, &market);
                (!summary.counts.is_empty()).then(|| (la.trim().to_string(), summary))
            });
            let page = state
                .store
                .search_locations(&query)
                .await
                .map_err(|e| WebError::from_store(e, || "No locations match".to_string()))?;
            if let Some(town) = town_not_name(&state, &query, &page).await {
                return Ok(Redirect::to(&format!("/locations?{}", DirectoryParams::canonical(&town))).into_response());
            }
            let form = filter_form(&form_values, &FieldErrors::default(), &areas, &specialisms);
            let title = results_title(&query, &page);
            let results = Results { area_people, ..results(&query, &page) };
            let view = DirectoryPage { title, errors: Vec::new(), form, results: Some(results) };
            Ok(render(StatusCode::OK, &view))
        }
        Err(errors) => {
            let form = filter_form(&form_values, &errors, &areas, &specialisms);
            let title = "Error: Find care services".to_string();
            let view = DirectoryPage { title, errors: error_links(&errors), form, results: None };
            Ok(render(StatusCode::BAD_REQUEST, &view))
        }
    }
}

/// A name that matches no service but is a town (or a postcode) is a place: the same
/// query near it instead, nearest first.
async fn town_not_name(state: &AppState, query: &LocationQuery, page: &Page<LocationSummary>) -> Option<LocationQuery> {
    let name = query.name.as_deref().filter(|_| page.total == 0 && query.near.is_none())?;
    let place = state.store.place(name).await.ok()??;
    Some(LocationQuery { name: None, near: Some(place), sort: LocationSort::Distance, page: 1, ..query.clone() })
}

fn results_title(query: &LocationQuery, page: &Page<LocationSummary>) -> String {
    let found = found_text(page.total);
    if page.pages() > 1 && query.page <= page.pages() {
        format!("Find care services: {found} (page {} of {})", query.page, page.pages())
    } else {
        format!("Find care services: {found}")
    }
}

/// Fields that have a control in the form; errors on others are listed without a link.
const FORM_FIELDS: [&str; 12] = [
    "name",
    "postcode",
    "near",
    "local_authority",
    "region",
    "service",
    "rating",
    "specialism",
    "people_verdict",
    "include_deregistered",
    "sort",
    "per_page",
];

fn error_links(errors: &FieldErrors) -> Vec<ErrorLink> {
    errors
        .0
        .iter()
        .map(|e| ErrorLink {
            message: e.message.clone(),
            href: FORM_FIELDS.contains(&e.field).then(|| format!("#{}", e.field)),
        })
        .collect()
}

fn filter_form(
    raw: &DirectoryParams,
    errors: &FieldErrors,
    areas: &[AreaCount],
    specialisms: &[NameCount],
) -> FilterForm {
    let error = |field: &str| errors.for_field(field).map(str::to_string);
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let select_field = |id, label, options| SelectField { id, label, options, error: error(id) };
    FilterForm {
        name: TextField {
            id: "name",
            label: "Name",
            hint: "All or part of the service's name",
            value: text(&raw.name),
            error: error("name"),
        },
        postcode: TextField {
            id: "postcode",
            label: "Postcode",
            hint: "A full postcode or the start of one, for example LS1 or LS1 4AP",
            value: text(&raw.postcode),
            error: error("postcode"),
        },
        near: TextField {
            id: "near",
            label: "Near",
            hint: "A postcode or a town: each service shows how far it is, and you can sort by distance",
            value: text(&raw.near),
            error: error("near"),
        },
        selects: vec![
            select_field(
                "local_authority",
                "Local authority",
                with_current(area_options(areas), raw.local_authority.as_deref(), "Any local authority"),
            ),
            select_field("region", "Region", region_options(raw.region.as_deref())),
            select_field(
                "service",
                "Type of service",
                select(
                    "Any type of service",
                    ServiceKind::ALL.map(|k| (k.code().to_string(), k.name().to_string())),
                    raw.service.as_deref(),
                ),
            ),
            select_field("rating", "Overall rating", rating_options(raw.rating.as_deref())),
            select_field(
                "specialism",
                "Specialism",
                with_current(name_options(specialisms), raw.specialism.as_deref(), "Any specialism"),
            ),
            select_field("people_verdict", "What people say", people_options(raw.people_verdict.as_deref())),
        ],
        include_deregistered: raw
            .include_deregistered
            .as_deref()
            .is_some_and(|v| matches!(v.trim(), "yes" | "true" | "on" | "1")),
        include_deregistered_error: error("include_deregistered"),
        sort: select_field("sort", "Sort by", sort_options(raw.sort.as_deref())),
        per_page: select_field("per_page", "Results per page", per_page_options(raw.per_page.as_deref())),
    }
}

fn area_options(areas: &[AreaCount]) -> Vec<(String, String)> {
    areas.iter().map(|a| (a.local_authority.clone(), a.local_authority.clone())).collect()
}

fn name_options(names: &[NameCount]) -> Vec<(String, String)> {
    names.iter().map(|n| (n.name.clone(), n.name.clone())).collect()
}

/// A select of names from the register, keeping a value typed into the URL that
/// the list lacks so the form still shows what was asked for.
fn with_current(mut options: Vec<(String, String)>, current: Option<&str>, any_label: &str) -> Vec<SelectOption> {
    if let Some(c) = current.map(str::trim).filter(|c| !c.is_empty())
        && !options.iter().any(|(value, _)| value.eq_ignore_ascii_case(c))
    {
        options.push((c.to_string(), c.to_string()));
    }
    select(any_label, options, current)
}

fn rating_options(current: Option<&str>) -> Vec<SelectOption> {
    let rated = Rating::ALL.map(|r| (r.code().to_string(), r.name().to_string()));
    let options = rated.into_iter().chain(std::iter::once((NOT_RATED.to_string(), "Not yet rated".to_string())));
    let current = current.map(|c| Rating::parse(c).map(Rating::code).unwrap_or(c));
    select("Any rating", options, current)
}

fn people_options(current: Option<&str>) -> Vec<SelectOption> {
    let options = Verdict::ALL.map(|v| (v.code().to_string(), v.label().to_string()));
    select("Anything people say", options, current.map(str::trim))
}

fn sort_options(current: Option<&str>) -> Vec<SelectOption> {
    let current = current.map(str::trim).filter(|c| !c.is_empty()).unwrap_or(LocationSort::default().code());
    LocationSort::ALL.iter().map(|s| SelectOption::new(s.code(), s.label(), Some(current))).collect()
}

fn per_page_options(current: Option<&str>) -> Vec<SelectOption> {
    let default = LocationQuery::default().per_page;
    let current = current.and_then(|c| c.trim().parse::<u32>().ok()).unwrap_or(default);
    let mut sizes = PAGE_SIZES.to_vec();
    if (1..=LocationQuery::MAX_PER_PAGE).contains(&current) && !sizes.contains(&current) {
        sizes.push(current);
        sizes.sort_unstable();
    }
    let current = current.to_string();
    sizes.into_iter().map(|n| SelectOption::new(n.to_string(), n.to_string(), Some(&current))).collect()
}

fn results(query: &LocationQuery, page: &Page<LocationSummary>) -> Results {
    let base = DirectoryParams::canonical(query);
    let pages = page.pages();
    let first = u64::from(query.page - 1) * u64::from(query.per_page) + 1;
    let last = first + page.items.len() as u64 - 1;
    let range = if page.items.is_empty() {
        String::new()
    } else {
        format!("Showing {} to {} of {}", thousands(first), thousands(last), thousands(page.total))
    };
    let past_end = (page.items.is_empty() && page.total > 0 && query.page > pages)
        .then(|| PastEnd { last_page: pages, href: page_href("/locations", &base, pages) });
    Results {
        heading: found_text(page.total),
        area_people: None,
        range,
        items: page.items.iter().map(SummaryView::of).collect(),
        pagination: pagination("/locations", &base, query.page, pages),
        past_end,
    }
}

fn found_text(total: u64) -> String {
    if total == 0 { "No locations found".to_string() } else { count_of(total, "location found", "locations found") }
}
