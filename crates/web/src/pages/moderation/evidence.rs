//! People's voice as inspection evidence: beside each quality statement, the
//! figures of every question that maps to it (people, staff or partners), and
//! progress on personal outcomes where the statement takes outcomes evidence,
//! each labelled with its evidence category.

use candour_domain::ServiceKind;
use candour_engine::voice::VoiceSummary;
use candour_engine::{EvidenceCategory, Framework, StatementId};

use super::figures::{mean_text, progress_text, proportion_text};

pub struct EvidenceLine {
    /// The category's code, like `people_experience`.
    pub category: &'static str,
    /// Its name, like "People's experience".
    pub category_name: String,
    pub text: String,
}

fn category_name(framework: &Framework, code: &str) -> String {
    EvidenceCategory::ALL
        .into_iter()
        .find(|c| c.code() == code)
        .and_then(|c| framework.category(c))
        .map_or_else(|| code.to_string(), |info| info.name.clone())
}

/// The voice evidence for one statement at a kind of service.
pub fn statement_evidence(
    framework: &Framework,
    summary: &VoiceSummary,
    statement: StatementId,
    kind: ServiceKind,
) -> Vec<EvidenceLine> {
    let id = statement.to_string();
    let groups = [(&summary.people, "People"), (&summary.staff, "Staff"), (&summary.partners, "Partners")];
    let mut lines: Vec<EvidenceLine> = groups
        .into_iter()
        .flat_map(|(group, who)| {
            group.questions.iter().filter(|q| q.statements.contains(&id.as_str())).map(move |q| EvidenceLine {
                category: group.category,
                category_name: category_name(framework, group.category),
                text: format!(
                    "{who}: \u{201c}{}\u{201d}: {}. {who} overall: {}",
                    q.text,
                    mean_text(q),
                    proportion_text(group.overall.as_ref())
                ),
            })
        })
        .collect();
    if framework.categories_for(statement, kind).contains(&EvidenceCategory::Outcomes) {
        lines.push(EvidenceLine {
            category: EvidenceCategory::Outcomes.code(),
            category_name: category_name(framework, EvidenceCategory::Outcomes.code()),
            text: format!("Progress on personal outcomes: {}", progress_text(summary.personal_outcomes.as_ref())),
        });
    }
    lines
}
