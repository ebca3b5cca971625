//! Concerns and complaints, the storage side.

use async_trait::async_trait;

#[async_trait]
pub trait ComplaintStore: Send + Sync {}
