use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use candour_domain::{Provider, RegistrationStatus};
use candour_store::{LocationQuery, ProviderDetail};

use super::ids::parse_provider_id;
use super::people::PeopleSummary;
use crate::error::{PageError, WebError, render};
use crate::params::DirectoryParams;
use crate::state::AppState;
use crate::views::{Row, SummaryView, count_of, optional_date};
use candour_monitor::Snapshot;

#[derive(Template)]
#[template(path = "register/provider.html")]
struct ProviderPage {
    title: String,
    name: String,
    details: Vec<Row>,
    locations_heading: String,
    locations: Vec<SummaryView>,
    directory_href: String,
    /// Its services by what people say of them, once monitoring has computed it.
    people: Option<PeopleSummary>,
}

/// `GET /providers/{id}`: a provider and the locations it runs.
pub async fn provider(State(state): State<AppState>, Path(raw_id): Path<String>) -> Result<Response, PageError> {
    let id = parse_provider_id(&raw_id)?;
    let detail = state
        .store
        .provider(&id)
        .await
        .map_err(|e| WebError::from_store(e, || format!("There is no provider with ID {id} in the register.")))?;
    let snapshot = state.monitor.current();
    Ok(render(StatusCode::OK, &page(detail, snapshot.as_deref())))
}

fn page(mut detail: ProviderDetail, snapshot: Option<&Snapshot>) -> ProviderPage {
    if let Some(snapshot) = snapshot {
        for location in &mut detail.locations {
            location.people = snapshot.standings.get(&location.id).copied();
        }
    }
    let p = &detail.provider;
    let query = LocationQuery { provider: Some(p.id.clone()), include_deregistered: true, ..LocationQuery::default() };
    ProviderPage {
        title: p.name.clone(),
        name: p.name.clone(),
        details: detail_rows(p),
        locations_heading: count_of(detail.locations.len() as u64, "location", "locations"),
        locations: detail.locations.iter().map(SummaryView::of).collect(),
        directory_href: format!("/locations?{}", DirectoryParams::canonical(&query)),
        people: snapshot.map(|s| PeopleSummary::of_provider(s, &p.id)).filter(|people| !people.counts.is_empty()),
    }
}

fn detail_rows(p: &Provider) -> Vec<Row> {
    let known = |v: &Option<String>| v.clone().unwrap_or_else(|| "Not known".to_string());
    let address = p.address.one_line();
    let mut rows = vec![
        Row::text("Provider ID", p.id.as_str()),
        Row::text("Address", if address.is_empty() { "Not known".to_string() } else { address }),
        Row::text("Type of organisation", known(&p.sector)),
        Row::text("Ownership", known(&p.ownership_type)),
    ];
    if let Some(brand) = &p.brand_name {
        rows.push(Row::text("Brand", brand));
    }
    let status = match p.registration.status {
        RegistrationStatus::Registered => "Registered".to_string(),
        RegistrationStatus::Deregistered => format!("Deregistered ({})", optional_date(p.registration.deregistered_on)),
    };
    rows.push(Row::text("Registration", status));
    rows.push(Row::text("Registered since", optional_date(p.registration.registered_on)));
    rows
}
