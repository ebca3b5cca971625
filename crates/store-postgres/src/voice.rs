//! Stub: to be written for PostgreSQL.
#![allow(unused_imports, unused_variables)]

use async_trait::async_trait;
use candour_domain::voice::*;
use candour_domain::{LocationId, ProviderId, UserId};
use candour_store::*;
use candour_store::{OutboxEntry, OutgoingEmail, Page, StoreResult};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::PostgresStore;

#[async_trait]
impl VoiceStore for PostgresStore {
    async fn submit_feedback(&self, new: &NewFeedback) -> StoreResult<Receipt> {
        todo!("PostgreSQL")
    }
    async fn own_feedback(&self, key_hash: &str) -> StoreResult<OwnFeedback> {
        todo!("PostgreSQL")
    }
    async fn rate_progress(
        &self,
        key_hash: &str,
        outcome_id: i64,
        progress: Progress,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn moderation_queue(&self, query: &ModerationQuery) -> StoreResult<Page<FeedbackRecord>> {
        todo!("PostgreSQL")
    }
    async fn feedback_record(&self, id: i64) -> StoreResult<FeedbackRecord> {
        todo!("PostgreSQL")
    }
    async fn feedback_by_reference(&self, reference: &str) -> StoreResult<FeedbackRecord> {
        todo!("PostgreSQL")
    }
    async fn moderate(&self, id: i64, moderation: &Moderation) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn set_safeguarding_contact(
        &self,
        scope: &ContactScope,
        contact: Option<(&str, &candour_domain::Email)>,
        by: Option<UserId>,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn safeguarding_contact(&self, scope: &ContactScope) -> StoreResult<Option<SafeguardingContact>> {
        todo!("PostgreSQL")
    }
    async fn safeguarding_contacts_for(&self, location: &LocationId) -> StoreResult<Vec<SafeguardingContact>> {
        todo!("PostgreSQL")
    }
    async fn alerts(&self, scope: &AlertScope, open_only: bool, limit: u32) -> StoreResult<Vec<Alert>> {
        todo!("PostgreSQL")
    }
    async fn alert(&self, id: i64) -> StoreResult<Alert> {
        todo!("PostgreSQL")
    }
    async fn acknowledge_alert(&self, id: i64, by: UserId, note: &str, at: DateTime<Utc>) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn add_reply(&self, reply: &NewReply) -> StoreResult<Reply> {
        todo!("PostgreSQL")
    }
    async fn published_reply_count(&self, author: UserId) -> StoreResult<u32> {
        todo!("PostgreSQL")
    }
    async fn replies_to_check(&self, limit: u32) -> StoreResult<Vec<ReplyToCheck>> {
        todo!("PostgreSQL")
    }
    async fn check_reply(
        &self,
        id: i64,
        reject_reason: Option<&str>,
        by: UserId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn replies_of(&self, location: &LocationId) -> StoreResult<Vec<Reply>> {
        todo!("PostgreSQL")
    }
    async fn published_stories(
        &self,
        location: &LocationId,
        page: u32,
        per_page: u32,
    ) -> StoreResult<Page<PublishedStory>> {
        todo!("PostgreSQL")
    }
    async fn stories_to_answer(
        &self,
        location: &LocationId,
        page: u32,
        per_page: u32,
    ) -> StoreResult<Page<PublishedStory>> {
        todo!("PostgreSQL")
    }
    async fn voice_facts(&self, location: &LocationId, since: DateTime<Utc>) -> StoreResult<VoiceFacts> {
        todo!("PostgreSQL")
    }
    async fn voice_snapshot(&self, location: &LocationId) -> StoreResult<Option<DateTime<Utc>>> {
        todo!("PostgreSQL")
    }
    async fn refresh_voice_snapshots(
        &self,
        min_new: u32,
        taken_before: DateTime<Utc>,
        taken_at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        todo!("PostgreSQL")
    }
    async fn load_historic_feedback(&self, batch: &[HistoricFeedback]) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
}

/// Stub: the feedback writer.
pub(crate) struct VoiceState;

impl VoiceState {
    pub(crate) fn start(_pool: sqlx::PgPool) -> Self {
        VoiceState
    }
}
