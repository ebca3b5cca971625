//! What the monitoring pages share: the latest snapshot, and which of its services
//! a signed-in person may see. Everyone sees the same computation, narrowed to the
//! services they run or oversee (a provider its own, a commissioner its authorities,
//! an inspector England); care staff see none.

use std::sync::Arc;

use candour_domain::{Action, Principal, Resource, authorize};
use candour_monitor::{ServiceFacts, Snapshot};

use crate::AppState;
use crate::error::WebError;

/// The latest snapshot, or a 503 asking to retry while the first is computed.
pub(crate) fn snapshot(state: &AppState) -> Result<Arc<Snapshot>, WebError> {
    state.monitor.current().ok_or(WebError::NotReady)
}

/// Whether `principal` may see this service's monitoring (the domain's access rule).
pub(crate) fn may_see(principal: &Principal, facts: &ServiceFacts) -> bool {
    let resource = Resource::LocationMonitoring {
        location: &facts.id,
        provider: &facts.provider_id,
        local_authority: facts.local_authority.as_deref(),
    };
    authorize(principal, Action::Read, resource).is_allowed()
}
