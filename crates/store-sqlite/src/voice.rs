//! People's voice on SQLite. (Being written: every method below is filled in by
//! the voice work before it lands.)

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use candour_domain::voice::{Progress, VoiceFacts};
use candour_domain::{Email, LocationId, UserId};
use candour_store::*;

use crate::SqliteStore;

#[async_trait]
impl VoiceStore for SqliteStore {
    async fn submit_feedback(&self, _new: &NewFeedback) -> StoreResult<Receipt> {
        todo!()
    }
    async fn own_feedback(&self, _key_hash: &str) -> StoreResult<OwnFeedback> {
        todo!()
    }
    async fn rate_progress(
        &self,
        _key_hash: &str,
        _outcome_id: i64,
        _progress: Progress,
        _at: DateTime<Utc>,
    ) -> StoreResult<()> {
        todo!()
    }
    async fn moderation_queue(&self, _query: &ModerationQuery) -> StoreResult<Page<FeedbackRecord>> {
        todo!()
    }
    async fn feedback_record(&self, _id: i64) -> StoreResult<FeedbackRecord> {
        todo!()
    }
    async fn moderate(&self, _id: i64, _moderation: &Moderation) -> StoreResult<()> {
        todo!()
    }
    async fn set_safeguarding_contact(
        &self,
        _scope: &ContactScope,
        _contact: Option<(&str, &Email)>,
        _by: Option<UserId>,
        _at: DateTime<Utc>,
    ) -> StoreResult<()> {
        todo!()
    }
    async fn safeguarding_contact(&self, _scope: &ContactScope) -> StoreResult<Option<SafeguardingContact>> {
        todo!()
    }
    async fn safeguarding_contacts_for(&self, _location: &LocationId) -> StoreResult<Vec<SafeguardingContact>> {
        todo!()
    }
    async fn alerts(&self, _scope: &AlertScope, _open_only: bool, _limit: u32) -> StoreResult<Vec<Alert>> {
        todo!()
    }
    async fn alert(&self, _id: i64) -> StoreResult<Alert> {
        todo!()
    }
    async fn acknowledge_alert(&self, _id: i64, _by: UserId, _note: &str, _at: DateTime<Utc>) -> StoreResult<()> {
        todo!()
    }
    async fn add_reply(&self, _reply: &NewReply) -> StoreResult<Reply> {
        todo!()
    }
    async fn published_reply_count(&self, _author: UserId) -> StoreResult<u32> {
        todo!()
    }
    async fn replies_to_check(&self, _limit: u32) -> StoreResult<Vec<ReplyToCheck>> {
        todo!()
    }
    async fn check_reply(
        &self,
        _id: i64,
        _reject_reason: Option<&str>,
        _by: UserId,
        _at: DateTime<Utc>,
    ) -> StoreResult<()> {
        todo!()
    }
    async fn replies_of(&self, _location: &LocationId) -> StoreResult<Vec<Reply>> {
        todo!()
    }
    async fn published_stories(
        &self,
        _location: &LocationId,
        _page: u32,
        _per_page: u32,
    ) -> StoreResult<Page<PublishedStory>> {
        todo!()
    }
    async fn stories_to_answer(
        &self,
        _location: &LocationId,
        _page: u32,
        _per_page: u32,
    ) -> StoreResult<Page<PublishedStory>> {
        todo!()
    }
    async fn voice_facts(&self, _location: &LocationId, _since: DateTime<Utc>) -> StoreResult<VoiceFacts> {
        todo!()
    }
    async fn load_historic_feedback(&self, _batch: &[HistoricFeedback]) -> StoreResult<()> {
        todo!()
    }
}
