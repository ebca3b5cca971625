//! Safeguarding alerts that nobody acknowledges are escalated: after the policy's
//! working hours, to the inspectors and the administrators, and again after each
//! further period, until someone acknowledges the alert. An alert that went to no
//! one (no safeguarding contact set for its provider or its area) goes to them at
//! the first look. Each step is recorded on the alert with its emails, once, however
//! many instances look at the same time.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use candour_domain::working_days::add_working_hours;
use candour_domain::{Email, Role};
use candour_store::{Alert, AlertScope, OutgoingEmail, Store, StoreError};

/// When an unacknowledged alert is escalated: this many working hours (09:00 to
/// 17:00 on working days) after it was raised, then after each step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EscalationPolicy {
    pub working_hours: u32,
}

impl Default for EscalationPolicy {
    fn default() -> Self {
        EscalationPolicy { working_hours: 4 }
    }
}

/// Open alerts looked at in one pass: far more than should ever be open.
const OPEN_ALERTS: u32 = 10_000;

#[derive(Clone)]
pub struct Escalations {
    store: Arc<dyn Store>,
    policy: EscalationPolicy,
    public_url: String,
}

impl Escalations {
    pub fn new(store: Arc<dyn Store>, policy: EscalationPolicy, public_url: impl Into<String>) -> Self {
        Escalations { store, policy, public_url: public_url.into() }
    }

    /// Takes the next step of every open alert that is due one at `now`; answers how
    /// many steps were taken.
    pub async fn escalate_due(&self, now: DateTime<Utc>) -> Result<u32, StoreError> {
        let open = self.store.alerts(&AlertScope::All, true, OPEN_ALERTS).await?;
        let due: Vec<(&Alert, String)> = open.iter().filter_map(|a| self.due(a, now).map(|why| (a, why))).collect();
        if due.is_empty() {
            return Ok(0);
        }
        let overseers = self.overseers().await?;
        let mut taken = 0;
        for (alert, reason) in due {
            let step = alert.escalations.len() as u32 + 1;
            let emails: Vec<OutgoingEmail> =
                overseers.iter().map(|to| self.email(alert, to, step, &reason, now)).collect();
            taken += u32::from(self.store.escalate_alert(alert.id, step, &reason, &emails, now).await?);
        }
        Ok(taken)
    }

    /// Why the alert is due its next step at `now`, if it is.
    fn due(&self, alert: &Alert, now: DateTime<Utc>) -> Option<String> {
        let hours = self.policy.working_hours;
        match alert.escalations.last() {
            None if alert.deliveries.is_empty() => {
                Some("No safeguarding contact is set for its provider or its area, so no one was told".to_string())
            }
            None => (now >= deadline(alert.raised_at, hours))
                .then(|| format!("Not acknowledged within {hours} working hours of being raised")),
            Some(last) => (now >= deadline(last.at, hours))
                .then(|| format!("Still not acknowledged {hours} working hours after step {}", last.step)),
        }
    }

    /// The inspectors and the administrators whose accounts are in use.
    async fn overseers(&self) -> Result<Vec<Email>, StoreError> {
        let users = self.store.users().await?;
        let oversees = |u: &&candour_store::User| {
            !u.disabled && u.has_password && u.grants.iter().any(|g| matches!(g.role, Role::Inspector | Role::Admin))
        };
        Ok(users.iter().filter(oversees).map(|u| u.email.clone()).collect())
    }

    /// The email of a step: the service, the level, why and a link; never the story.
    fn email(&self, alert: &Alert, to: &Email, step: u32, reason: &str, now: DateTime<Utc>) -> OutgoingEmail {
        let body = format!(
            "A safeguarding alert about {service} (location {id}) needs someone to act on it.\n\n\
             Level: {level}, on a scale from 0 (none) to 5 (severe)\n\
             Raised: {raised}\n\
             Feedback reference: {reference}\n\
             Escalated (step {step}): {reason}\n\n\
             Read the alert and record what has been done (you will need to sign in):\n\n\
             {url}/manage/alerts/{alert_id}\n\n\
             It will be escalated again each {hours} working hours until someone acknowledges it. \
             To keep the person safe and their words private, this email does not include what they wrote.\n",
            service = alert.location_name,
            id = alert.location_id,
            level = alert.level,
            raised = alert.raised_at.format("%-d %B %Y at %H:%M UTC"),
            reference = alert.reference,
            url = self.public_url,
            alert_id = alert.id,
            hours = self.policy.working_hours,
        );
        OutgoingEmail::plain(
            to.clone(),
            format!("Safeguarding alert not acknowledged: {} (level {})", alert.location_name, alert.level.level()),
            body,
            now,
        )
    }
}

/// The end of a period of working hours; beyond the bank holidays known, clock hours,
/// so that no alert waits for want of a calendar.
fn deadline(from: DateTime<Utc>, hours: u32) -> DateTime<Utc> {
    add_working_hours(from, hours).unwrap_or_else(|_| from + Duration::hours(i64::from(hours)))
}
