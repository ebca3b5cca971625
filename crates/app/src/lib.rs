//! The application layer. Every action Candour offers is one call on one area's
//! service; the HTML pages, the JSON API and the command line are thin adapters
//! over the same call. A call takes the [`Actor`] and the raw input, and owns the
//! whole action: parsing into domain types, loading, the one access decision
//! ([`Gate::require`]), the audit entry, the write, and (in the store, in the
//! same transaction) the change journal's entry that monitoring and the directory
//! follow. Each area answers with a typed error of its own ([`AreaError`]).
//!
//! Each service depends only on the store traits it uses; the full
//! [`candour_store::Store`] is the bundle built at start-up, in [`App::new`].

pub mod access;
pub mod accounts;
pub mod error;
pub mod monitoring;
pub mod workspaces;

use std::sync::Arc;

use candour_store::Store;

pub use access::{Actor, Denied, Gate, describe};
pub use error::{AreaError, Failure};
use workspaces::Workspaces;

/// Every area's service, built once at start-up from the store. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub gate: Gate,
    pub workspaces: Workspaces,
}

impl App {
    pub fn new(store: Arc<dyn Store>) -> Self {
        let gate = Gate::new(store.clone());
        let workspaces = Workspaces::new(store.clone(), store.clone(), store.clone(), gate.clone());
        Self { gate, workspaces }
    }
}
