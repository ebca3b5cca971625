//! The one access decision and the audit entry every service call makes.

use std::sync::Arc;

use candour_domain::{Action, Decision, Principal, Resource, authorize};
use candour_store::{AccountStore, NewAuditEntry, StoreError};
use chrono::Utc;

/// Who is acting, and where the request came from (kept in the audit log).
#[derive(Debug, Clone)]
pub struct Actor {
    pub principal: Principal,
    /// The client's address, when the action came over the network.
    pub ip: Option<String>,
}

impl Actor {
    pub fn new(principal: Principal, ip: Option<String>) -> Self {
        Self { principal, ip }
    }
}

/// Why an action was refused. `NotFound` is also the answer for a record that does
/// not exist, so that another tenant's private record cannot be told from none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    /// The refusal could not be written to the audit log, so it is not given.
    #[error("the audit log could not be written")]
    Unaudited,
}

/// Asks the access policy and writes the audit log. Cheap to clone.
#[derive(Clone)]
pub struct Gate {
    audit: Arc<dyn AccountStore>,
}

impl Gate {
    pub fn new(audit: Arc<dyn AccountStore>) -> Self {
        Self { audit }
    }

    /// Whether `actor` may take `action` on `resource`; a refusal is audited.
    pub async fn require(&self, actor: &Actor, action: Action, resource: Resource<'_>) -> Result<(), Denied> {
        let decision = authorize(&actor.principal, action, resource);
        if decision == Decision::Allow {
            return Ok(());
        }
        let detail = format!("{action:?} refused ({decision:?})").to_lowercase();
        self.record(actor, "access_denied", &describe(resource), Some(&detail)).await.map_err(|_| Denied::Unaudited)?;
        Err(match decision {
            Decision::Forbidden => Denied::Forbidden,
            _ => Denied::NotFound,
        })
    }

    /// Writes one audit entry: a private read or a change.
    pub async fn record(
        &self,
        actor: &Actor,
        action: &str,
        resource: &str,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        let entry = NewAuditEntry {
            at: Utc::now(),
            actor: Some(actor.principal.user_id),
            action: action.into(),
            resource: resource.into(),
            detail: detail.map(str::to_string),
            ip: actor.ip.clone(),
        };
        self.audit.append_audit(&entry).await.inspect_err(|error| {
            tracing::error!(%error, "the audit log could not be written");
        })
    }
}

/// How a resource is named in the audit log.
pub fn describe(resource: Resource<'_>) -> String {
    match resource {
        Resource::Provider { id, .. } => format!("provider:{id}"),
        Resource::Location { id, .. } => format!("location:{id}"),
        Resource::Area { local_authority } => format!("area:{local_authority}"),
        Resource::ProviderAccounts { provider } => format!("provider_accounts:{provider}"),
        Resource::Accounts => "users".to_string(),
        Resource::AuditLog => "audit_log".to_string(),
        Resource::Outbox => "outbox".to_string(),
        Resource::ModerationQueue => "moderation_queue".to_string(),
        Resource::RespondentContact => "respondent_contact".to_string(),
        Resource::LocationVoice { location, .. } => format!("voice:location:{location}"),
        Resource::SafeguardingAlerts => "safeguarding_alerts".to_string(),
        Resource::SafeguardingAlert { location, .. } => format!("safeguarding_alert:location:{location}"),
        Resource::SafeguardingAlertDetail { location, .. } => format!("safeguarding_alert_detail:location:{location}"),
        Resource::ProviderSafeguardingLead { provider } => format!("safeguarding_contact:provider:{provider}"),
        Resource::AreaSafeguardingTeam { local_authority } => format!("safeguarding_contact:area:{local_authority}"),
        Resource::ApiTokens { owner } => format!("api_tokens:user:{owner}"),
        Resource::National => "national".to_string(),
        Resource::LocationMonitoring { location, .. } => format!("monitoring:location:{location}"),
        Resource::Assessment { location, .. } => format!("assessment:location:{location}"),
        Resource::AssessmentChallenges { location, .. } => format!("assessment_challenges:location:{location}"),
        Resource::Complaints { location, .. } => format!("complaints:location:{location}"),
        Resource::ComplaintIntake { location, .. } => format!("complaint_intake:location:{location}"),
        Resource::ImprovementPlans { location, .. } => format!("improvement_plans:location:{location}"),
        Resource::PolicyLibrary { provider } => format!("policy_library:provider:{provider}"),
        Resource::PolicyReading { provider, .. } => format!("policies:provider:{provider}"),
        Resource::GoodPractice { location, .. } => format!("good_practice:location:{location}"),
        Resource::Visit { location, .. } => format!("visit:location:{location}"),
        Resource::VisitChallenges { location, .. } => format!("visit_challenges:location:{location}"),
        Resource::ExpertAccounts => "expert_accounts".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candour_domain::{LocationId, ProviderId};

    #[test]
    fn resources_have_audit_names() {
        let (id, provider) = (LocationId::parse("1-10").unwrap(), ProviderId::parse("1-1").unwrap());
        let location = Resource::Location { id: &id, provider: &provider, local_authority: None };
        assert_eq!(describe(location), "location:1-10");
        assert_eq!(describe(Resource::Area { local_authority: "Leeds" }), "area:Leeds");
        assert_eq!(describe(Resource::AuditLog), "audit_log");
    }
}
