//! The private side of people's voice: moderation, safeguarding alerts and
//! contacts, replies and their checks, paper entry, and the evidence an
//! inspector sees. Each handler reads its input, makes one call on the
//! moderation or voice service (which decides access, audits and acts), and
//! renders the answer.

mod alerts;
mod bursts;
mod checks;
mod contact_forms;
pub mod contacts;
mod entry;
pub mod evidence;
mod figures;
mod queue;
mod replies;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use candour_app::voice::VoiceError;
use candour_domain::voice::Criticality;
use chrono::{DateTime, Utc};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::auth::SignedIn;
use crate::error::WebError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/moderation", get(queue::list))
        .route("/moderation/replies", get(checks::list))
        .route("/moderation/bursts", get(bursts::list))
        .route("/moderation/bursts/{location}", post(bursts::decide))
        .route("/moderation/replies/{id}", post(checks::decide))
        .route("/moderation/{id}", get(queue::show).post(queue::moderate))
        .route("/manage/alerts", get(alerts::list))
        .route("/manage/alerts/{id}", get(alerts::show))
        .route("/manage/alerts/{id}/acknowledge", post(alerts::acknowledge))
        .route("/manage/providers/{id}/safeguarding-lead", post(contact_forms::set_provider_lead))
        .route("/manage/areas/{local_authority}/safeguarding-team", post(contact_forms::set_area_team))
        .route("/manage/locations/{id}/voice", get(replies::show))
        .route("/manage/locations/{id}/voice/stories/{feedback}/replies", post(replies::reply))
        .route("/manage/locations/{id}/feedback/new", get(entry::form).post(entry::submit))
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
}

/// A voice failure that no form field explains: the normal 404 (also for a
/// record not the caller's to see), a 403, a 400 with the service's message, or
/// a logged store failure.
fn voice_failure(who: &SignedIn, err: VoiceError) -> WebError {
    match err {
        VoiceError::Denied(denied) => who.fail(denied),
        VoiceError::NotFound => who.not_found(),
        VoiceError::Refused(message) | VoiceError::Conflict(message) => WebError::bad_request(message),
        VoiceError::Invalid(errors) => {
            WebError::bad_request(errors.first().map_or_else(String::new, |e| e.message.clone()))
        }
        VoiceError::Store(err) => WebError::from_store(err, String::new),
    }
}

/// A message from the service as the first words of a sentence.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// What each level of criticality means, in the words a moderator decides by.
fn criticality_meaning(level: Criticality) -> &'static str {
    match level.level() {
        0 => "Nothing of concern",
        1 => "A small niggle",
        2 => "Something that should be better, with no harm done",
        3 => "Poor care that could lead to harm if it goes on",
        4 => "Suggests harm, abuse, neglect or danger: raises a safeguarding alert",
        _ => "Serious harm or immediate danger: raises a safeguarding alert",
    }
}

/// "3 hours", "2 days": how long ago, for ageing alerts and stories.
fn age(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let hours = (now - since).num_hours().max(0);
    match hours {
        0 => "less than an hour".to_string(),
        1 => "1 hour".to_string(),
        2..48 => format!("{hours} hours"),
        _ => format!("{} days", hours / 24),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn ages_read_in_hours_then_days() {
        let now = Utc::now();
        assert_eq!(age(now, now), "less than an hour");
        assert_eq!(age(now - Duration::hours(1), now), "1 hour");
        assert_eq!(age(now - Duration::hours(47), now), "47 hours");
        assert_eq!(age(now - Duration::hours(24 * 9 + 3), now), "9 days");
    }
}
