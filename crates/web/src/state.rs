//! What every handler shares: the application's services and the server's settings.

use std::sync::Arc;

use candour_app::App;
use candour_monitor::Monitor;
use candour_store::Store;

use crate::config::WebConfig;
use crate::security::rate_limit::FeedbackLimits;

/// What every handler shares, cloned for each request (so all behind `Arc`s). The
/// directory's lists and the register counts come from the store's index, which
/// follows the change journal, so they are asked for on every request.
#[derive(Clone)]
pub(crate) struct AppState {
    /// Every area's service: what the pages, the API and the command line call.
    pub(crate) app: Arc<App>,
    pub(crate) store: Arc<dyn Store>,
    /// Sending feedback, per client address and per service (the form and the API).
    pub(crate) feedback_limits: Arc<FeedbackLimits>,
    /// Indicators, flags and the watchlist, kept current as data arrives.
    pub(crate) monitor: Monitor,
    pub(crate) config: Arc<WebConfig>,
    /// The open data files made so far, on disk.
    pub(crate) open_data: Arc<crate::pages::open_data::Files>,
}
