//! Improvement plans, their actions and evidence, the storage side.

use candour_store::ImprovementStore;

use crate::SqliteStore;

impl ImprovementStore for SqliteStore {}
