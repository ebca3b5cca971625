//! Read-your-writes when the store reads from replicas: after a request that
//! writes, the browser keeps for a short while where the primary's history stood
//! (a cookie), and its next requests read only from a replica that has replayed
//! that far, or from the primary. With no replicas the store gives no position
//! and no cookie is set.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use candour_store::Store;
use candour_store::consistency::{WritePosition, reading_after};

use crate::security::cookies::{self, SameSite};

pub const READ_AFTER_COOKIE: &str = "candour_read_after";
/// Longer than any replica should lag; after this, reads go anywhere again.
const KEEP_SECS: i64 = 30;

#[derive(Clone)]
pub struct ReadYourWrites {
    pub store: Arc<dyn Store>,
    pub secure_cookies: bool,
}

pub async fn read_your_writes(State(this): State<ReadYourWrites>, request: Request, next: Next) -> Response {
    let after = cookies::read(request.headers(), READ_AFTER_COOKIE).and_then(|v| WritePosition::parse(&v));
    let writes = !request.method().is_safe();
    let mut response = reading_after(after, next.run(request)).await;
    if writes {
        match this.store.write_position().await {
            Ok(Some(position)) => {
                let cookie = cookies::set(
                    READ_AFTER_COOKIE,
                    &position.to_string(),
                    SameSite::Lax,
                    this.secure_cookies,
                    Some(KEEP_SECS),
                );
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "cannot read the primary's position; the next read may lag"),
        }
    }
    response
}
