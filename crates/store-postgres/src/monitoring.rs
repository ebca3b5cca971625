//! Stub: to be written for PostgreSQL.
#![allow(unused_imports, unused_variables)]

use async_trait::async_trait;
use candour_domain::complaints::OverdueComplaints;
use candour_domain::returns::{LoggedComplaints, Month, MonthlyReturn};
use candour_domain::voice_month::VoiceMonth;
use candour_domain::{LocationId, ProviderId, Rating, Region, ServiceKind};
use candour_store::StoreResult;
use candour_store::*;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::PostgresStore;

#[async_trait]
impl MonitoringStore for PostgresStore {
    async fn monitored_locations(&self) -> StoreResult<Readings<ServiceFacts>> {
        todo!("PostgreSQL")
    }
    async fn voice_months(
        &self,
        which: Locations<'_>,
        from: Month,
    ) -> StoreResult<Readings<(LocationId, Month, VoiceMonth)>> {
        todo!("PostgreSQL")
    }
    async fn monitored_returns(
        &self,
        which: Locations<'_>,
        from: Month,
    ) -> StoreResult<Readings<(LocationId, MonthlyReturn)>> {
        todo!("PostgreSQL")
    }
    async fn latest_alerts(
        &self,
        which: Locations<'_>,
        level: u8,
    ) -> StoreResult<Readings<(LocationId, DateTime<Utc>)>> {
        todo!("PostgreSQL")
    }
    async fn complaint_logs(
        &self,
        which: Locations<'_>,
        from: Month,
        today: NaiveDate,
    ) -> StoreResult<Readings<ComplaintLog>> {
        todo!("PostgreSQL")
    }
}
