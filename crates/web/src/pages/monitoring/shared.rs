//! What the monitoring pages and the monitoring API share.

use std::sync::Arc;

use candour_monitor::Snapshot;

use crate::error::WebError;
use crate::state::AppState;

/// The latest snapshot, or a 503 asking to retry while the first is computed.
pub(crate) fn snapshot(state: &AppState) -> Result<Arc<Snapshot>, WebError> {
    state.monitor.current().ok_or(WebError::NotReady)
}

/// Said wherever the voice indicators are left out.
pub(crate) const VOICE_LEFT_OUT: &str = "People's, staff and partners' voice is left out here, and the score and \
     band are worked out without it: monitoring counts each response as it arrives, so these figures could show what \
     one person said. Your published voice figures, which move in batches, are on each service's voice page.";
