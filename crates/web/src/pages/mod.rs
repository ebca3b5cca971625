//! The web's areas, one module each (`pages/<area>.rs` and `pages/<area>/…`):
//! its HTML handlers, its JSON API adapter and the routes it mounts. Each handler
//! calls the application's service for its area, builds a view of ready-made text
//! and renders a compiled template; none of them decides anything itself.

pub mod accounts;
pub mod assessments;
pub mod chrome;
pub mod complaints;
pub mod developers;
pub mod feedback;
pub mod feeds;
pub mod improvement;
pub mod manage;
pub mod moderation;
pub mod monitoring;
pub mod notices;
pub mod open_data;
pub mod policies;
pub mod practice;
pub mod register;
pub mod returns;
pub mod site;
pub mod visits;

pub use register::parse_location_id;

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
