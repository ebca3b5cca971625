//! The application layer. Every action Candour offers is one call on one area's
//! service; the HTML pages, the JSON API and the command line are thin adapters
//! over the same call. A call takes the [`Actor`] and the raw input, and owns the
//! whole action: parsing into domain types, loading, the one access decision
//! ([`Gate::require`]), the audit entry, the write, and (in the store, in the
//! same transaction) the change journal's entry that monitoring and the directory
//! follow. Each area answers with a typed error of its own.
//!
//! Each service depends only on the store traits it uses; the full
//! [`candour_store::Store`] is the bundle built at start-up.

pub mod access;

pub use access::{Actor, Denied, Gate, describe};
