//! The public HTML pages. Each handler asks the store, builds a view of ready-made
//! text and renders a compiled template; none of them decides anything about
//! quality itself.

pub mod account;
pub mod admin;
pub mod assessments;
pub mod benchmark;
pub mod chrome;
pub mod complaints;
mod directory;
pub mod feedback;
mod home;
pub mod improvement;
pub mod links;
mod location;
pub mod manage;
pub mod moderation;
pub mod policies;
pub mod practice;
mod provider;
pub mod returns;
pub mod sign_in;
pub mod watchlist;

pub use candour_app::workspaces::location_resource;
pub use directory::directory;
pub use home::home;
pub use location::{location, parse_location_id};
pub use provider::{parse_provider_id, provider};

use axum::http::Uri;

use crate::error::PageError;

/// The page for any path we do not serve; private records the caller may not
/// see answer exactly this too.
pub async fn not_found(uri: Uri) -> PageError {
    PageError(crate::auth::not_found_at(uri.path()))
}

/// Template helpers reachable as `crate::pages::css_href()` from the layout.
pub fn css_href() -> &'static str {
    crate::assets::CSS_HREF.as_str()
}

/// The charts' script, for pages with charts that scroll on a phone.
pub fn charts_js_href() -> &'static str {
    crate::assets::CHARTS_JS_HREF.as_str()
}

pub fn logo_href() -> &'static str {
    crate::assets::LOGO_HREF.as_str()
}
