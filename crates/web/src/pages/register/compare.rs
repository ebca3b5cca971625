//! Services side by side (`/compare?ids=A,B,…`): up to four, chosen in the directory
//! or added by ID, with the regulator's rating and its date, what people say and the
//! key figures behind it, the type of service and its beds. No account needed: the
//! shortlist is the address, so it can be bookmarked and shared.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use candour_domain::LocationId;
use candour_engine::people::PeopleMeasureKind;
use candour_store::{LocationDetail, LocationSort, Place};

use super::ids::parse_location_id;
use super::people::{headline, modifier};
use crate::error::{PageError, WebError, render};
use crate::state::AppState;
use crate::views::{RatingTag, beds_text, location_href, long_date, miles_away, service_names};

/// The most services compared at once.
pub const MAX_COMPARED: usize = 4;

#[derive(Template)]
#[template(path = "register/compare.html")]
struct ComparePage {
    title: String,
    services: Vec<Column>,
    ids: String,
    /// The place distances are measured from, as typed and as found.
    from: String,
    from_name: Option<String>,
    /// Room for another: the ids so far, for the form that adds one.
    more: Option<String>,
}

struct Column {
    name: String,
    href: String,
    rating: RatingTag,
    rated_on: String,
    people: Option<(String, &'static str)>,
    positive: String,
    outcome_score: String,
    services: String,
    beds: String,
    place: String,
    miles: Option<String>,
    remove_href: String,
}

/// `GET /compare?ids=A,B`: also `ids=A&ids=B` (the directory's checkboxes) and `add=C`.
pub async fn compare(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Response, PageError> {
    let query = query.unwrap_or_default();
    let ids = chosen(&query)?;
    let from = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "from").map(|(_, v)| v.into_owned());
    let place = super::near(&state, from.as_deref(), LocationSort::Name).await.map_err(WebError::from_fields)?;
    let mut details = Vec::with_capacity(ids.len());
    for id in &ids {
        let missing = || format!("There is no service with ID {id} in the register.");
        details.push(state.store.location(id).await.map_err(|e| WebError::from_store(e, missing))?);
    }
    let snapshot = state.monitor.current();
    let columns = details
        .iter()
        .map(|detail| {
            let people = snapshot.as_ref().and_then(|s| s.get(&detail.location.id)).map(|w| w.people.clone());
            column(detail, people.as_ref(), &ids, place.as_ref())
        })
        .collect();
    let title = match ids.len() {
        0 => "Compare services".to_string(),
        n => format!("Compare services: {n} chosen"),
    };
    let more = (ids.len() < MAX_COMPARED).then(|| joined(&ids));
    let page = ComparePage {
        title,
        services: columns,
        ids: joined(&ids),
        from: from.unwrap_or_default(),
        from_name: place.map(|p| p.name),
        more,
    };
    Ok(render(StatusCode::OK, &page))
}

/// The IDs asked for, in order, each once: a 400 for one that is not an ID or for more than four.
fn chosen(query: &str) -> Result<Vec<LocationId>, WebError> {
    let mut ids: Vec<LocationId> = Vec::new();
    let values = form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key == "ids" || key == "add")
        .flat_map(|(_, value)| value.split(',').map(|v| v.trim().to_string()).collect::<Vec<_>>())
        .filter(|v| !v.is_empty());
    for value in values {
        // A service's own address, pasted, is taken too.
        let raw = value.trim_end_matches('/').rsplit('/').next().unwrap_or(&value).to_string();
        let id = parse_location_id(&raw)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.len() > MAX_COMPARED {
        return Err(WebError::bad_request(format!(
            "Compare up to {MAX_COMPARED} services at once: remove {} of the {} chosen",
            ids.len() - MAX_COMPARED,
            ids.len()
        )));
    }
    Ok(ids)
}

fn joined(ids: &[LocationId]) -> String {
    ids.iter().map(LocationId::as_str).collect::<Vec<_>>().join(",")
}

fn column(
    detail: &LocationDetail,
    people: Option<&candour_engine::people::PeopleRating>,
    ids: &[LocationId],
    from: Option<&Place>,
) -> Column {
    let l = &detail.location;
    let headline_rating = detail.headline_rating.as_ref();
    let measure = |kind: PeopleMeasureKind| {
        let m = people.and_then(|p| p.measure(kind)).and_then(|m| m.value.map(|v| (v, m.n)));
        match (kind.is_mean(), m) {
            (true, Some((v, n))) => format!("{v:.2} of 3 ({n} answers)"),
            (false, Some((v, n))) => format!("{:.0}% ({n} answers)", v * 100.0),
            (_, None) => "Not enough answers".to_string(),
        }
    };
    let others: Vec<LocationId> = ids.iter().filter(|id| **id != l.id).cloned().collect();
    Column {
        name: l.name.clone(),
        href: location_href(l.id.as_str()),
        rating: RatingTag::of(headline_rating.and_then(|r| r.overall)),
        rated_on: headline_rating
            .map(|r| format!("{} ({})", long_date(r.published), r.source.body()))
            .unwrap_or_default(),
        people: people.map(|p| (headline(&p.standing()), modifier(p.verdict))),
        positive: measure(PeopleMeasureKind::PositiveOverall),
        outcome_score: measure(PeopleMeasureKind::OutcomeScore),
        services: service_names(&l.service_kinds()),
        beds: if l.care_home { beds_text(l.beds) } else { "Not a care home".to_string() },
        place: [
            l.address.town.as_deref(),
            l.address.postcode.as_ref().map(|p| p.as_str()),
            l.local_authority.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", "),
        miles: from.map(|p| p.miles_to(l.latitude.zip(l.longitude)).map_or("Not known".to_string(), miles_away)),
        remove_href: format!("/compare?ids={}", joined(&others)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_a_list_repeated_fields_or_addresses_each_once() {
        let ids = chosen("ids=1-101%2C1-102&ids=1-103&add=http%3A%2F%2Fx.test%2Flocations%2F1-101%2F").unwrap();
        assert_eq!(joined(&ids), "1-101,1-102,1-103");
        assert!(chosen("").unwrap().is_empty());
        assert!(chosen("ids=nonsense").is_err());
        let five = chosen("ids=1-1,1-2,1-3,1-4,1-5").unwrap_err();
        assert!(five.message().contains("remove 1 of the 5 chosen"), "{}", five.message());
    }
}
