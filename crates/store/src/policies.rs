//! The policy cascade, the storage side: versioned policies and staff read confirmations.

use async_trait::async_trait;

#[async_trait]
pub trait PolicyStore: Send + Sync {}
