//! The emails that accounts send, in plain English.

use chrono::{DateTime, Duration, Utc};

use candour_domain::Principal;
use candour_store::{OutgoingEmail, User};

use crate::accounts::Secret;

/// "7 days", "1 hour", "30 minutes": how long a link lasts, as a person says it.
pub fn describe_duration(d: Duration) -> String {
    let (n, unit) = if d.num_days() >= 1 && d.num_hours() % 24 == 0 {
        (d.num_days(), "day")
    } else if d.num_hours() >= 1 && d.num_minutes() % 60 == 0 {
        (d.num_hours(), "hour")
    } else {
        (d.num_minutes().max(1), "minute")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

fn roles(user: &User) -> String {
    let mut names: Vec<&str> = user.grants.iter().map(|g| g.role.name()).collect();
    names.dedup();
    names.join(", ")
}

pub(crate) fn invitation(
    user: &User,
    by: Option<&Principal>,
    link: &Secret,
    valid: Duration,
    now: DateTime<Utc>,
) -> OutgoingEmail {
    let inviter = by.map_or_else(|| "An administrator".to_string(), |p| p.email.to_string());
    let body = format!(
        "Hello {name},\n\n\
         {inviter} has invited you to Candour, with the role of {roles}.\n\n\
         To accept, choose your password at this link within {valid}:\n\n\
         {link}\n\n\
         The link works once. If you were not expecting this invitation, you can ignore this email.\n",
        name = user.name,
        roles = roles(user),
        valid = describe_duration(valid),
        link = link.expose(),
    );
    OutgoingEmail::plain(user.email.clone(), "You are invited to Candour".into(), body, now)
}

pub(crate) fn password_reset(user: &User, link: &Secret, valid: Duration, now: DateTime<Utc>) -> OutgoingEmail {
    let body = format!(
        "Hello {name},\n\n\
         Someone asked to reset the password of your Candour account. To choose a new password, \
         open this link within {valid}:\n\n\
         {link}\n\n\
         The link works once. If you did not ask for this, you can ignore this email: your password has not changed.\n",
        name = user.name,
        valid = describe_duration(valid),
        link = link.expose(),
    );
    OutgoingEmail::plain(user.email.clone(), "Reset your Candour password".into(), body, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(describe_duration(Duration::days(7)), "7 days");
        assert_eq!(describe_duration(Duration::hours(1)), "1 hour");
        assert_eq!(describe_duration(Duration::hours(36)), "36 hours");
        assert_eq!(describe_duration(Duration::minutes(30)), "30 minutes");
        assert_eq!(describe_duration(Duration::seconds(5)), "1 minute");
    }
}
