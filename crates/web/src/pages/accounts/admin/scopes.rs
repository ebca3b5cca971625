//! What a role covers must exist: a location, provider or local authority in the
//! register. The shape of each value is checked by [`Grant::for_role`]; this
//! checks the register, and offers a search so nobody has to know an ID by heart.

use candour_domain::{Grant, Role, Scope};
use candour_store::{LocationQuery, StoreError};

use crate::error::WebError;
use crate::state::AppState;

/// How many services the search lists.
const FOUND_LIMIT: u32 = 20;

/// The grants with each local authority spelt as the register spells it, or
/// the role whose scope the register does not know and what is wrong, for the
/// person to read next to that role's field.
pub(super) async fn in_register(
    state: &AppState,
    grants: Vec<Grant>,
) -> Result<Result<Vec<Grant>, (Role, String)>, WebError> {
    let mut known = Vec::with_capacity(grants.len());
    for grant in grants {
        let refuse =
            |what: String| Ok(Err((grant.role, format!("{}: {what}; search for it by name", grant.role.name()))));
        let scope = match grant.scope {
            Scope::Location(id) => match exists(state.store.location(&id).await)? {
                true => Scope::Location(id),
                false => return refuse(format!("no service in the register has the ID {id}")),
            },
            Scope::Provider(id) => match exists(state.store.provider(&id).await)? {
                true => Scope::Provider(id),
                false => return refuse(format!("no provider in the register has the ID {id}")),
            },
            Scope::LocalAuthority(name) => {
                match state
                    .app
                    .workspaces
                    .known_local_authority(&name)
                    .await
                    .map_err(|e| WebError::from_area(&e, || WebError::Internal))?
                {
                    Some(spelt) => Scope::LocalAuthority(spelt),
                    None => return refuse(format!("no registered service is in a local authority called {name}")),
                }
            }
            Scope::All => Scope::All,
        };
        known.push(Grant { role: grant.role, scope });
    }
    Ok(Ok(known))
}

fn exists<T>(found: Result<T, StoreError>) -> Result<bool, WebError> {
    match found {
        Ok(_) => Ok(true),
        Err(StoreError::NotFound) => Ok(false),
        Err(err) => Err(store_failure(err)),
    }
}

fn store_failure(err: StoreError) -> WebError {
    WebError::from_store(err, String::new)
}

/// One thing the search found: what to type into the field, and what it is.
pub(super) struct Found {
    pub value: String,
    pub label: String,
}

/// What matches `text`: services by name, their providers, and local authorities.
pub(super) struct Findings {
    pub services: Vec<Found>,
    pub providers: Vec<Found>,
    pub authorities: Vec<Found>,
}

impl Findings {
    pub fn is_empty(&self) -> bool {
        self.services.is_empty() && self.providers.is_empty() && self.authorities.is_empty()
    }
}

/// Searches the register for `text`, ignoring case: services whose name contains
/// it (and their providers), and local authorities whose name contains it.
pub(super) async fn search(state: &AppState, text: &str) -> Result<Findings, WebError> {
    let query = LocationQuery { name: Some(text.to_string()), per_page: FOUND_LIMIT, ..LocationQuery::default() };
    let services = state.store.search_locations(&query).await.map_err(store_failure)?.items;
    let mut providers: Vec<Found> = Vec::new();
    for s in &services {
        if !providers.iter().any(|p| p.value == s.provider_id.as_str()) {
            providers.push(Found { value: s.provider_id.to_string(), label: s.provider_name.clone() });
        }
    }
    let lower = text.to_lowercase();
    let authorities = state
        .store
        .local_authorities()
        .await
        .map_err(store_failure)?
        .into_iter()
        .filter(|a| a.local_authority.to_lowercase().contains(&lower))
        .map(|a| Found { value: a.local_authority.clone(), label: a.local_authority })
        .collect();
    let services = services
        .into_iter()
        .map(|s| {
            let town = s.town.map(|t| format!(", {t}")).unwrap_or_default();
            Found { value: s.id.to_string(), label: format!("{}{town} ({})", s.name, s.provider_name) }
        })
        .collect();
    Ok(Findings { services, providers, authorities })
}
