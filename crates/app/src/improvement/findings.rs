//! The findings a new plan may answer: the quality statements scored 1 or 2 in the
//! location's latest published assessment, a rating of Requires improvement or
//! Inadequate, an upheld complaint (by its reference) and its watchlist reasons.

use candour_domain::complaints::{ComplaintStatus, Outcome};
use candour_domain::improvement::{Finding, FindingKind};
use candour_domain::{KeyQuestion, Rating};
use candour_store::{AssessmentStatus, AssessmentStore, ComplaintStore, LocationDetail, StoreError};
use chrono::NaiveDate;

/// A finding offered to link, with the key its checkbox sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offered {
    pub key: String,
    pub finding: Finding,
}

/// "3 March 2026".
fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// The findings a location has now, from its latest published assessment, its
/// current ratings, its upheld complaints and its watchlist reasons (code, text).
pub(super) async fn current_findings(
    assessments: &dyn AssessmentStore,
    complaints: &dyn ComplaintStore,
    detail: &LocationDetail,
    watchlist: Vec<(String, String)>,
) -> Result<Vec<Offered>, StoreError> {
    let mut offered = Vec::new();
    let id = &detail.location.id;
    let all = assessments.assessments_of(id).await?;
    let latest = all.iter().find(|a| a.status == AssessmentStatus::Published);
    if let Some(a) = latest {
        let result: Option<candour_engine::AssessmentResult> =
            a.result.as_deref().and_then(|r| serde_json::from_str(r).ok());
        let on = a.published_on.map(long_date).unwrap_or_default();
        for group in result.iter().flat_map(|r| &r.service_groups) {
            for kq in KeyQuestion::ALL {
                for s in &group.key_questions.get(kq).statements {
                    let score = s.score.get();
                    if score > 2 {
                        continue;
                    }
                    let code = s.id.to_string();
                    let key = format!("statement:{code}");
                    if offered.iter().any(|o: &Offered| o.key == key) {
                        continue;
                    }
                    offered.push(Offered {
                        key,
                        finding: Finding {
                            kind: FindingKind::Statement,
                            reference: code,
                            text: format!(
                                "{}: {}, scored {score} in the assessment published {on}",
                                kq.name(),
                                s.title
                            ),
                        },
                    });
                }
            }
        }
    }
    if let Some(r) = &detail.headline_rating {
        let poor = |rating: Option<Rating>| matches!(rating, Some(Rating::RequiresImprovement | Rating::Inadequate));
        let on = long_date(r.published);
        if poor(r.overall) {
            let name = r.overall.map_or("", |x| x.name());
            offered.push(rating_finding("overall", format!("Rated {name} overall, published {on}")));
        }
        for kq in KeyQuestion::ALL {
            let rating = r.key_questions.get(kq);
            if poor(rating) {
                let name = rating.map_or("", |x| x.name());
                offered.push(rating_finding(
                    &kq.name().to_lowercase(),
                    format!("{} rated {name}, published {on}", kq.name()),
                ));
            }
        }
    }
    // Upheld complaints, named by reference, outcome and date only: a published plan
    // shows its findings, and a complaint's own words may name people.
    let closed = complaints.complaints(std::slice::from_ref(id), Some(ComplaintStatus::Closed)).await?;
    for c in closed.iter().filter(|c| matches!(c.outcome, Some(Outcome::Upheld | Outcome::PartlyUpheld))) {
        let (outcome, on) = (c.outcome.map_or("", |o| o.label()), c.closed_on.map(long_date).unwrap_or_default());
        offered.push(Offered {
            key: format!("complaint:{}", c.reference),
            finding: Finding {
                kind: FindingKind::Complaint,
                reference: c.reference.clone(),
                text: format!("Complaint {}: {outcome}, closed {on}", c.reference),
            },
        });
    }
    for (code, text) in watchlist {
        offered.push(Offered {
            key: format!("watchlist:{code}"),
            finding: Finding { kind: FindingKind::Watchlist, reference: code, text },
        });
    }
    Ok(offered)
}

fn rating_finding(reference: &str, text: String) -> Offered {
    Offered {
        key: format!("rating:{reference}"),
        finding: Finding { kind: FindingKind::Rating, reference: reference.to_string(), text },
    }
}
