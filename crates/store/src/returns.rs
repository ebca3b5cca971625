//! Provider returns, the storage side: one return per location and month. A
//! later return for the same month replaces it and records who sent it and
//! when; an identical one changes nothing.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use candour_domain::returns::{Month, MonthlyReturn};
use candour_domain::{LocationId, UserId};

use crate::StoreResult;

/// How a return reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReturnSource {
    /// Typed into the form on the location's page.
    Form,
    /// A row of an uploaded or imported CSV file.
    Csv,
    /// Sent through the API.
    Api,
}

impl ReturnSource {
    pub const ALL: [ReturnSource; 3] = [ReturnSource::Form, ReturnSource::Csv, ReturnSource::Api];

    pub fn code(self) -> &'static str {
        match self {
            ReturnSource::Form => "form",
            ReturnSource::Csv => "csv",
            ReturnSource::Api => "api",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == value)
    }
}

/// Returns to keep together: all of them or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnBatch {
    /// At most one return per location and month.
    pub returns: Vec<(LocationId, MonthlyReturn)>,
    /// The account that sent them; `None` for a file imported on the server.
    pub sent_by: Option<UserId>,
    pub sent_at: DateTime<Utc>,
    pub source: ReturnSource,
}

/// What a batch did: months new to the store, months whose figures changed, and
/// months sent again with the same figures (left as they were).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReturnCounts {
    pub added: u64,
    pub replaced: u64,
    pub unchanged: u64,
}

/// A kept return with who sent it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReturnRecord {
    pub location_id: LocationId,
    #[serde(flatten)]
    pub figures: MonthlyReturn,
    pub sent_by: Option<UserId>,
    pub sent_at: DateTime<Utc>,
    pub source: ReturnSource,
}

#[async_trait]
pub trait ReturnsStore: Send + Sync {
    /// Keeps the batch in one transaction. `NotFound` when a location is not in
    /// the register (nothing is kept); `Invalid` when the batch holds a location
    /// and month twice.
    async fn save_returns(&self, batch: &ReturnBatch) -> StoreResult<ReturnCounts>;

    /// A location's returns for the months `from` to `to`, both included, oldest
    /// first. `NotFound` for a location not in the register.
    async fn returns_of(&self, location: &LocationId, from: Month, to: Month) -> StoreResult<Vec<ReturnRecord>>;

    /// The latest month each location has sent a return for, by location ID;
    /// locations that never sent one are left out.
    async fn latest_return_months(&self) -> StoreResult<Vec<(LocationId, Month)>>;
}
