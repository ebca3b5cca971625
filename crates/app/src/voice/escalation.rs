//! Safeguarding alerts that nobody acknowledges are escalated: after the policy's
//! working hours, to the inspectors and the administrators, and again after each
//! further period, until someone acknowledges the alert. An alert that went to no
//! one (no safeguarding contact set for its provider or its area) goes to them at
//! the first look. Each step is recorded on the alert with its emails, once, however
//! many instances look at the same time.
//!
//! An alert raised by a complaint has no acknowledgement of its own: it counts as
//! acted on once the complaint is acknowledged, and until then is escalated in the
//! same way, each step a once-only notice, then noted on the complaint's timeline.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use candour_domain::working_days::add_working_hours;
use candour_domain::{Email, Role};
use candour_store::{Alert, AlertScope, ComplaintRecord, OutgoingEmail, Store, StoreError};

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

/// The steps a complaint's alert is escalated through at most (with the default
/// policy, ten working days): by then its deadline notices have gone too.
const MAX_COMPLAINT_STEPS: u32 = 20;

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
        let mut taken = 0;
        if !due.is_empty() {
            let overseers = self.overseers().await?;
            for (alert, reason) in due {
                let step = alert.escalations.len() as u32 + 1;
                let emails: Vec<OutgoingEmail> =
                    overseers.iter().map(|to| self.email(alert, to, step, &reason, now)).collect();
                taken += u32::from(self.store.escalate_alert(alert.id, step, &reason, &emails, now).await?);
            }
        }
        Ok(taken + self.escalate_complaint_alerts(now).await?)
    }

    /// Takes the step due of each alert raised by a complaint not yet acknowledged.
    async fn escalate_complaint_alerts(&self, now: DateTime<Utc>) -> Result<u32, StoreError> {
        let open = self.store.open_complaints().await?;
        let mut due = Vec::new();
        for complaint in open.iter().filter(|c| c.alert.is_some() && c.acknowledged_on.is_none()) {
            let unreached = self.store.safeguarding_contacts_for(&complaint.location_id).await?.is_empty();
            if let Some((step, reason)) = self.complaint_step(complaint.created_at, unreached, now) {
                due.push((format!("complaint:{}:alert-escalation:{step}", complaint.id), complaint, step, reason));
            }
        }
        if due.is_empty() {
            return Ok(0);
        }
        let keys: Vec<String> = due.iter().map(|(key, ..)| key.clone()).collect();
        let sent = self.store.sent_notices(&keys).await?;
        let overseers = self.overseers().await?;
        let mut taken = 0;
        for (key, complaint, step, reason) in due.into_iter().filter(|(key, ..)| !sent.contains(key)) {
            let emails: Vec<OutgoingEmail> =
                overseers.iter().map(|to| self.complaint_email(complaint, to, step, &reason, now)).collect();
            if self.store.queue_once(&key, &emails, now).await? {
                let noted = format!("step {step}, to the inspectors and administrators: {reason}");
                self.store.add_complaint_event(complaint.id, "alert_escalated", &noted, now, &[]).await?;
                taken += 1;
            }
        }
        Ok(taken)
    }

    /// The step a complaint's alert raised at `raised` has reached at `now`, and why:
    /// one per period of working hours passed, the first at once when it reached no
    /// one. Steps stop after [`MAX_COMPLAINT_STEPS`].
    fn complaint_step(&self, raised: DateTime<Utc>, unreached: bool, now: DateTime<Utc>) -> Option<(u32, String)> {
        let hours = self.policy.working_hours;
        let passed = (1..=MAX_COMPLAINT_STEPS).take_while(|k| deadline(raised, k * hours) <= now).last().unwrap_or(0);
        match (passed, unreached) {
            (0, false) => None,
            (0, true) => {
                Some((1, "No safeguarding contact is set for its provider or its area, so no one was told".into()))
            }
            (k, _) => Some((
                k + u32::from(unreached),
                format!("The complaint was not acknowledged within {} working hours of being raised", k * hours),
            )),
        }
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

    /// The email of a step of a complaint's alert: the service, the level, why and a
    /// link; never what was written or by whom.
    fn complaint_email(
        &self,
        complaint: &ComplaintRecord,
        to: &Email,
        step: u32,
        reason: &str,
        now: DateTime<Utc>,
    ) -> OutgoingEmail {
        let level = complaint.alert.as_ref().map_or(0, |a| a.level.level());
        let body = format!(
            "A safeguarding alert raised with a complaint about {service} (location {id}) needs someone to act on \
             it.\n\nLevel: {level}, on a scale from 0 (none) to 5 (severe)\nRaised: {raised}\n\
             Complaint reference: {reference}\nEscalated (step {step}): {reason}\n\n\
             Read the complaint (you will need to sign in):\n\n{url}/manage/complaints/{complaint_id}\n\n\
             It is escalated again each {hours} working hours until the complaint is acknowledged. To keep the \
             person safe and their words private, this email does not include what they wrote or who they are.\n",
            service = complaint.location_name,
            id = complaint.location_id,
            raised = complaint.created_at.format("%-d %B %Y at %H:%M UTC"),
            reference = complaint.reference,
            url = self.public_url,
            complaint_id = complaint.id,
            hours = self.policy.working_hours,
        );
        let subject =
            format!("Safeguarding alert not acted on: complaint about {} (level {level})", complaint.location_name);
        OutgoingEmail::plain(to.clone(), subject, body, now)
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
