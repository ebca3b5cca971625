//! Accounts of good practice, the storage side.

use async_trait::async_trait;

#[async_trait]
pub trait PracticeStore: Send + Sync {}
