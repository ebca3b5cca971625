//! What a new complaint sends: a safeguarding alert when its words suggest harm,
//! with an email to each safeguarding contact for the service, and the follow
//! link to the person who raised it.

use candour_domain::complaints::NewComplaintDetails;
use candour_engine::prescreen;
use candour_store::{ComplaintAlert, LocationDetail, OutgoingEmail, SafeguardingContact};
use chrono::{DateTime, Utc};

use super::location_path;

/// A safeguarding alert when the words suggest harm, as feedback's pre-screen
/// judges it, with an email to each safeguarding contact for the service. The
/// emails name the service and the reference, never what was written or by whom.
pub(super) fn safeguarding(
    public_url: &str,
    detail: &LocationDetail,
    details: &NewComplaintDetails,
    contacts: &[SafeguardingContact],
    reference: &str,
    now: DateTime<Utc>,
) -> (Option<ComplaintAlert>, Vec<OutgoingEmail>) {
    let mut level = None;
    let mut words: Vec<String> = Vec::new();
    for text in [&details.what_happened, &details.desired_outcome] {
        let screen = prescreen::screen(text);
        if !screen.words.is_empty() {
            level = level.max(Some(screen.suggested));
        }
        for w in screen.words {
            if !words.iter().any(|x| x.eq_ignore_ascii_case(&w)) {
                words.push(w);
            }
        }
    }
    let Some(level) = level.filter(|l| l.is_safeguarding()) else { return (None, Vec::new()) };
    let reason = format!("Pre-screen: words suggesting harm ({})", words.join(", "));
    let l = &detail.location;
    let url = format!("{public_url}{}", location_path(&l.id));
    let emails = contacts
        .iter()
        .map(|c| OutgoingEmail {
            to: c.email.clone(),
            subject: format!("Safeguarding alert: complaint about {} (level {})", l.name, level.level()),
            body: format!(
                "Hello {name},\n\nA complaint about {service} (location {id}, run by {provider}) suggests that \
                 someone may be at risk of harm. A safeguarding alert has been raised with it.\n\n\
                 Level: {level}, on a scale from 0 (none) to 5 (severe)\nWhy: {reason}\n\
                 Complaint reference: {reference}\n\n\
                 Read the complaint (you will need to sign in):\n\n{url}\n\n\
                 To keep the person safe and their words private, this email does not include what they wrote \
                 or who they are.\n",
                name = c.name,
                service = l.name,
                id = l.id,
                provider = detail.provider.name,
            ),
            created_at: now,
        })
        .collect();
    (Some(ComplaintAlert { level, reason }), emails)
}

/// The email that gives the person who raised it their follow link.
pub(super) fn follow_email(
    url: &str,
    detail: &LocationDetail,
    details: &NewComplaintDetails,
    reference: &str,
    now: DateTime<Utc>,
) -> Option<OutgoingEmail> {
    let to = details.contact.email.clone()?;
    Some(OutgoingEmail {
        to,
        subject: format!("Your complaint about {} (reference {reference})", detail.location.name),
        body: format!(
            "Hello {name},\n\n{service} has received your complaint. Your reference is {reference}.\n\n\
             Follow it, read the service's response and see what to do if you are not satisfied, through this \
             private link:\n\n{url}\n\nAnyone who has the link can read the complaint: do not share it.\n",
            name = details.contact.name,
            service = detail.location.name,
        ),
        created_at: now,
    })
}
