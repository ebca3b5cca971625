//! Email reminders a person asks for through their return link, to say how the
//! things that matter to them are going: set, queued through the outbox when due,
//! and stopped from the link or with one click from any reminder.

use chrono::{DateTime, Duration, Utc};

use candour_domain::Email;
use candour_domain::voice::FeedbackError;
use candour_store::{DueReminder, NewReminder, OutgoingEmail, Reminder, StopReminder};

use super::{Voice, VoiceError, key};

/// How often a person may be reminded, in weeks, with the words for each.
pub const REMINDER_WEEKS: [(u32, &str); 4] =
    [(4, "Every 4 weeks"), (8, "Every 8 weeks"), (13, "Every 3 months"), (26, "Every 6 months")];

/// Reminders queued per pass; the next pass takes the rest.
const PER_PASS: u32 = 500;

fn problem(field: &str, message: &str) -> FeedbackError {
    FeedbackError { field: field.into(), message: message.into() }
}

impl Voice {
    /// Sets the person's reminder: to `raw_email`, every `raw_weeks` weeks, the first
    /// one period from now. Problems come back against `reminder_email` and `reminder_weeks`.
    pub async fn set_reminder(
        &self,
        key: &str,
        raw_email: &str,
        raw_weeks: &str,
        now: DateTime<Utc>,
    ) -> Result<Reminder, VoiceError> {
        let email = Email::parse(raw_email.trim())
            .map_err(|_| problem("reminder_email", "Enter an email address like name@example.com"));
        let weeks = raw_weeks
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|w| REMINDER_WEEKS.iter().any(|(weeks, _)| weeks == w))
            .ok_or_else(|| problem("reminder_weeks", "Choose how often to be reminded"));
        let (email, every_weeks) = match (email, weeks) {
            (Ok(email), Ok(weeks)) => (email, weeks),
            (email, weeks) => {
                return Err(VoiceError::Invalid([email.err(), weeks.err()].into_iter().flatten().collect()));
            }
        };
        let reminder = Reminder { email, every_weeks, next_due_at: now + Duration::weeks(i64::from(every_weeks)) };
        let new = NewReminder {
            reminder: reminder.clone(),
            link: format!("{}/feedback/{key}", self.config.public_url),
            stop_token: key::new_submission_key(),
            at: now,
        };
        self.store.set_reminder(&key::key_hash(key)?, &new).await?;
        Ok(reminder)
    }

    /// Stops the reminder of the response with this return link.
    pub async fn stop_reminder(&self, key: &str) -> Result<bool, VoiceError> {
        Ok(self.store.stop_reminder(StopReminder::Key(&key::key_hash(key)?)).await?)
    }

    /// Stops the reminder a reminder email's link names; whether there was one.
    pub async fn stop_reminder_by_token(&self, token: &str) -> Result<bool, VoiceError> {
        Ok(self.store.stop_reminder(StopReminder::Token(token)).await?)
    }

    /// Queues every reminder due at `now` into the outbox; returns how many.
    pub async fn queue_due_reminders(&self, now: DateTime<Utc>) -> Result<u32, VoiceError> {
        let public_url = self.config.public_url.clone();
        let compose = move |due: &DueReminder| reminder_email(due, &public_url, now);
        let mut queued = 0;
        loop {
            let pass = self.store.queue_due_reminders(now, PER_PASS, &compose).await?;
            queued += pass;
            if pass < PER_PASS {
                return Ok(queued);
            }
        }
    }
}

/// The reminder itself: a link, never what the person wrote.
fn reminder_email(due: &DueReminder, public_url: &str, now: DateTime<Utc>) -> OutgoingEmail {
    let every = REMINDER_WEEKS.iter().find(|(w, _)| *w == due.every_weeks).map_or("now and then", |(_, words)| words);
    OutgoingEmail::plain(
        due.email.clone(),
        format!("How are things going? Your feedback about {}", due.location_name),
        format!(
            "You asked to be reminded ({}) to tell us how the things that matter to you are going.\n\n\
             Tell us here: {}\n\n\
             This link is private: it opens your own feedback. Please do not forward this email.\n\n\
             To stop these reminders, open: {public_url}/reminders/stop/{}\n",
            every.to_lowercase(),
            due.link,
            due.stop_token
        ),
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_email_carries_the_links_and_nothing_the_person_wrote() {
        let due = DueReminder {
            email: Email::parse("pat@example.org").unwrap(),
            location_name: "Rose Court".into(),
            link: "https://candour.test/feedback/abc".into(),
            stop_token: "tok".into(),
            every_weeks: 13,
        };
        let email = reminder_email(&due, "https://candour.test", Utc::now());
        assert_eq!(email.subject, "How are things going? Your feedback about Rose Court");
        assert!(email.body.contains("(every 3 months)"), "{}", email.body);
        assert!(email.body.contains("Tell us here: https://candour.test/feedback/abc"));
        assert!(email.body.contains("https://candour.test/reminders/stop/tok"));
    }
}
