//! Improvement plans, their actions and evidence, the storage side.

use async_trait::async_trait;

#[async_trait]
pub trait ImprovementStore: Send + Sync {}
