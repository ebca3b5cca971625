//! Accounts of good practice, the storage side.

use candour_store::PracticeStore;

use crate::SqliteStore;

impl PracticeStore for SqliteStore {}
