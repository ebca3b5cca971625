//! The policy cascade, the storage side: versioned policies and staff read confirmations.

use candour_store::PolicyStore;

use crate::SqliteStore;

impl PolicyStore for SqliteStore {}
