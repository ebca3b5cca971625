//! Stub: to be written for PostgreSQL.
#![allow(unused_imports, unused_variables)]

use async_trait::async_trait;
use candour_domain::{Email, Grant, UserId};
use candour_store::*;
use candour_store::{Page, StoreResult};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::PostgresStore;

#[async_trait]
impl AccountStore for PostgresStore {
    async fn create_user(&self, new: &NewUser) -> StoreResult<User> {
        todo!("PostgreSQL")
    }
    async fn user(&self, id: UserId) -> StoreResult<User> {
        todo!("PostgreSQL")
    }
    async fn users(&self) -> StoreResult<Vec<User>> {
        todo!("PostgreSQL")
    }
    async fn update_user(&self, id: UserId, update: &UserUpdate) -> StoreResult<User> {
        todo!("PostgreSQL")
    }
    async fn sign_in_record(&self, email: &Email) -> StoreResult<Option<SignInRecord>> {
        todo!("PostgreSQL")
    }
    async fn set_sign_in_state(&self, id: UserId, state: &SignInState) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn set_password_hash(&self, id: UserId, hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn session(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<SessionRecord>> {
        todo!("PostgreSQL")
    }
    async fn extend_session(&self, token_hash: &str, expires_at: DateTime<Utc>) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn delete_sessions_of(&self, user: UserId) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn create_link(&self, link: &NewLink) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn consume_link(&self, purpose: LinkPurpose, token_hash: &str, now: DateTime<Utc>) -> StoreResult<UserId> {
        todo!("PostgreSQL")
    }
    async fn create_api_token(&self, token: &NewApiToken) -> StoreResult<ApiToken> {
        todo!("PostgreSQL")
    }
    async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>> {
        todo!("PostgreSQL")
    }
    async fn use_api_token(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<(ApiToken, User)>> {
        todo!("PostgreSQL")
    }
    async fn revoke_api_token(&self, user: UserId, token_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn append_audit(&self, entry: &NewAuditEntry) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn audit_log(&self, query: &AuditQuery) -> StoreResult<Page<AuditEntry>> {
        todo!("PostgreSQL")
    }
    async fn queue_email(&self, email: &OutgoingEmail) -> StoreResult<i64> {
        todo!("PostgreSQL")
    }
    async fn outbox(&self, limit: u32) -> StoreResult<Vec<OutboxEntry>> {
        todo!("PostgreSQL")
    }
}

#[async_trait]
impl OutboxStore for PostgresStore {
    async fn claim_due_emails(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxEntry>> {
        todo!("PostgreSQL")
    }
    async fn mark_email_sent(&self, id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
    async fn mark_email_failed(&self, id: i64, error: &str, retry_at: DateTime<Utc>) -> StoreResult<()> {
        todo!("PostgreSQL")
    }
}
