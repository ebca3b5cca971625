//! The public HTML pages. Each handler asks the store, builds a view of ready-made
//! text and renders a compiled template; none of them decides anything about
//! quality itself.

mod directory;
mod home;
mod location;
mod provider;

pub use directory::directory;
pub use home::home;
pub use location::{location, parse_location_id};
pub use provider::{parse_provider_id, provider};

use axum::http::Uri;

use crate::error::{PageError, WebError};

/// The page for any path we do not serve.
pub async fn not_found(uri: Uri) -> PageError {
    PageError(WebError::not_found(format!(
        "There is no page at {}. Check the address, or search for a care service.",
        uri.path()
    )))
}

/// Template helpers reachable as `crate::pages::css_href()` from the layout.
pub fn css_href() -> &'static str {
    crate::assets::CSS_HREF.as_str()
}

pub fn logo_href() -> &'static str {
    crate::assets::LOGO_HREF.as_str()
}
