//! What the public sees of a published plan, on the service's page: finding →
//! the actions chosen for the public and their status → the evidence notes
//! chosen → what people said before the plan began and since. Nothing else of the
//! plan is shown: no owners, no private actions or notes, no files (only their
//! count), no reflection. People's voice is the published aggregate, shown only
//! from 5 answers up.

use candour_app::improvement::{BEFORE_DAYS, PublishedPlan, statement_name};
use candour_domain::LocationId;
use candour_domain::improvement::is_overdue;
use candour_domain::percent::percent;
use candour_engine::voice::VoiceSummary;
use candour_store::Plan;
use chrono::{DateTime, Duration, Utc};

use crate::error::WebError;
use crate::state::AppState;
use crate::views::{count_of, long_date};

/// One published plan, ready for the template.
pub struct PublicPlan {
    pub title: String,
    pub summary: String,
    pub started: String,
    pub published: String,
    pub findings: Vec<PublicFinding>,
    pub files: String,
    pub before: VoiceLine,
    pub since: VoiceLine,
}

pub struct PublicFinding {
    pub text: String,
    pub actions: Vec<PublicAction>,
}

pub struct PublicAction {
    pub description: String,
    pub statement: String,
    pub status: String,
    pub modifier: &'static str,
    pub due: String,
    pub notes: Vec<String>,
}

/// People's overall view in one period.
pub struct VoiceLine {
    pub period: String,
    pub text: String,
}

/// The location's published plans, newest first.
pub async fn published_plans(state: &AppState, id: &LocationId) -> Result<Vec<PublicPlan>, WebError> {
    let plans =
        state.app.improvement.published(id).await.map_err(|e| WebError::from_area(&e, || WebError::Internal))?;
    Ok(plans.iter().map(|p: &PublishedPlan| public_plan(&p.plan, &p.before, &p.since, p.start, p.now)).collect())
}

fn public_plan(
    plan: &Plan,
    before: &VoiceSummary,
    since: &VoiceSummary,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> PublicPlan {
    let today = now.date_naive();
    let publication = plan.publication.as_ref();
    let findings = plan
        .findings
        .iter()
        .map(|f| PublicFinding {
            text: f.finding.headline(),
            actions: plan
                .actions
                .iter()
                .filter(|a| a.public && a.details.finding_id == f.id)
                .map(|a| {
                    let overdue = is_overdue(a.status, a.details.due_on, today);
                    PublicAction {
                        description: a.details.description.clone(),
                        statement: statement_name(&a.details.statement),
                        status: if overdue {
                            format!("{}, overdue", a.status.label())
                        } else {
                            a.status.label().to_string()
                        },
                        modifier: if overdue { "overdue" } else { "plain" },
                        due: long_date(a.details.due_on),
                        notes: a
                            .evidence
                            .iter()
                            .filter(|e| e.public && e.file.is_none())
                            .map(|e| e.note.clone())
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect();
    let files = plan.actions.iter().filter(|a| a.public).flat_map(|a| &a.evidence).filter(|e| e.file.is_some()).count();
    PublicPlan {
        title: plan.title.clone(),
        summary: publication.map(|p| p.summary.clone()).unwrap_or_default(),
        started: long_date(plan.started_on),
        published: publication.map(|p| long_date(p.published_at.date_naive())).unwrap_or_default(),
        findings,
        files: if files == 0 {
            String::new()
        } else {
            format!(
                "{} of evidence kept privately: inspectors and commissioners can see them.",
                count_of(files as u64, "file", "files")
            )
        },
        before: voice_line(
            format!(
                "In the year before the plan began ({} to {})",
                long_date((start - Duration::days(BEFORE_DAYS)).date_naive()),
                long_date((start - Duration::days(1)).date_naive())
            ),
            before,
        ),
        since: voice_line(format!("Since the plan began ({} to today)", long_date(start.date_naive())), since),
    }
}

/// "78% of 23 people positive" — or, below 5 answers, no figure at all.
fn voice_line(period: String, summary: &VoiceSummary) -> VoiceLine {
    let text = match summary.people.overall {
        Some(p) => format!(
            "{} of {} said the service was good or very good overall",
            percent(p.percent),
            count_of(u64::from(p.denominator), "person who answered", "people who answered")
        ),
        None => format!(
            "Too few answers to show (fewer than {}): figures are shown only from {} answers up",
            summary.suppressed_below, summary.suppressed_below
        ),
    };
    VoiceLine { period, text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candour_domain::UserId;
    use candour_domain::improvement::{ActionDetails, ActionStatus, Finding, FindingKind, Reflection};
    use candour_domain::voice::VoiceFacts;
    use candour_engine::voice::summarise;
    use candour_store::{Evidence, FileMeta, PlanAction, PlanFinding, PlanPublication};
    use chrono::{NaiveDate, TimeZone};

    fn evidence(id: i64, note: &str, public: bool, file: bool) -> Evidence {
        Evidence {
            id,
            action_id: 1,
            note: note.into(),
            file: file.then(|| FileMeta {
                name: "rota.pdf".into(),
                kind: candour_domain::improvement::FileKind::Pdf,
                size: 10,
                sha256: "0".repeat(64),
            }),
            public,
            added_by: UserId(1),
            added_at: Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn only_chosen_actions_and_notes_are_shown_and_never_files() {
        let at = Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap();
        let action = |id: i64, public: bool, text: &str, evidence: Vec<Evidence>| PlanAction {
            id,
            details: ActionDetails {
                finding_id: 1,
                statement: "S1".into(),
                description: text.into(),
                owner: "Private owner".into(),
                due_on: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            },
            status: ActionStatus::InProgress,
            public,
            history: Vec::new(),
            evidence,
            created_at: at,
        };
        let plan = Plan {
            id: 1,
            location_id: LocationId::parse("1-1").unwrap(),
            title: "Plan".into(),
            started_on: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            findings: vec![PlanFinding {
                id: 1,
                finding: Finding { kind: FindingKind::Other, reference: String::new(), text: "Late audits".into() },
            }],
            actions: vec![
                action(
                    1,
                    true,
                    "Shown action",
                    vec![
                        evidence(1, "Shown note", true, false),
                        evidence(2, "Hidden note", false, false),
                        evidence(3, "File caption", true, true),
                    ],
                ),
                action(2, false, "Hidden action", vec![]),
            ],
            reflection: Reflection::default(),
            publication: Some(PlanPublication {
                summary: "Our summary".into(),
                published_by: UserId(1),
                published_at: at,
            }),
            created_by: UserId(1),
            created_at: at,
            updated_at: at,
        };
        let empty = summarise(&VoiceFacts::default(), at, at);
        let shown = public_plan(&plan, &empty, &empty, at, at + Duration::days(30));
        let actions: Vec<&str> = shown.findings[0].actions.iter().map(|a| a.description.as_str()).collect();
        assert_eq!(actions, ["Shown action"]);
        assert_eq!(shown.findings[0].actions[0].notes, ["Shown note"]);
        assert_eq!(shown.files, "1 file of evidence kept privately: inspectors and commissioners can see them.");
        assert!(shown.before.text.starts_with("Too few answers to show"), "{}", shown.before.text);
    }
}
