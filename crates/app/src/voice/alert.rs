//! Safeguarding alerts and the emails that carry them. The emails name the
//! service, the level, why and the reference, with a link to the alert; never
//! the story or who wrote it (email is not a private enough place for either).

use chrono::{DateTime, Utc};

use candour_domain::voice::Criticality;
use candour_store::{LocationDetail, NewAlert, OutgoingEmail, SafeguardingContact};

/// What an alert is about.
pub(crate) struct Cause<'a> {
    pub location: &'a LocationDetail,
    pub reference: &'a str,
    pub level: Criticality,
    /// Why, in plain words.
    pub reason: String,
}

/// The alert with one email to each safeguarding contact (none when none is set:
/// the alert is still kept, and the alerts page says no one was told).
pub(crate) fn new_alert(
    cause: Cause<'_>,
    contacts: &[SafeguardingContact],
    public_url: &str,
    now: DateTime<Utc>,
) -> NewAlert {
    let emails = contacts.iter().map(|contact| email(&cause, contact, public_url, now)).collect();
    NewAlert { level: cause.level, reason: cause.reason, emails }
}

/// The reason given for an alert the pre-screen raises.
pub(crate) fn prescreen_reason(words: &[String]) -> String {
    format!("Pre-screen: words suggesting harm ({})", words.join(", "))
}

/// The reason given for an alert a moderator's level raises.
pub(crate) fn moderation_reason(level: Criticality) -> String {
    format!("A moderator judged the feedback {level}")
}

fn email(cause: &Cause<'_>, contact: &SafeguardingContact, public_url: &str, now: DateTime<Utc>) -> OutgoingEmail {
    let location = &cause.location.location;
    let place = location.address.town.as_deref().map(|town| format!(", {town}")).unwrap_or_default();
    let body = format!(
        "Hello {name},\n\n\
         Feedback about {service}{place} (location {id}, run by {provider}) suggests that someone may be \
         at risk of harm. A safeguarding alert has been raised.\n\n\
         Level: {level}, on a scale from 0 (none) to 5 (severe)\n\
         Why: {reason}\n\
         Feedback reference: {reference}\n\n\
         Read the alert and record what has been done (you will need to sign in):\n\n\
         {public_url}/manage/alerts?reference={reference}\n\n\
         To keep the person safe and their words private, this email does not include what they wrote \
         or who they are. The alert stays open until someone acknowledges it.\n",
        name = contact.name,
        service = location.name,
        id = location.id,
        provider = cause.location.provider.name,
        level = cause.level,
        reason = cause.reason,
        reference = cause.reference,
    );
    OutgoingEmail::plain(
        contact.email.clone(),
        format!("Safeguarding alert: {} (level {})", location.name, cause.level.level()),
        body,
        now,
    )
}
