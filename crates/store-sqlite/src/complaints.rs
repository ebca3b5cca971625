//! Concerns and complaints, the storage side.

use candour_store::ComplaintStore;

use crate::SqliteStore;

impl ComplaintStore for SqliteStore {}
