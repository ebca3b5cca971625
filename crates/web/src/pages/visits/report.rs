//! A visit's report on a page: as written (for reading), as forms (for writing),
//! and as evidence beside the quality statements its "I" statements speak to.

use std::collections::BTreeMap;

use candour_domain::AssessmentStatus;
use candour_domain::assessment::Lifecycle;
use candour_domain::policies::paragraphs;
use candour_domain::visit::{EXPERT_STATEMENTS, Judgement, MAX_QUOTES, Speaker, VisitPart, VisitReport, outcome_area};
use candour_domain::voice::OUTCOME_QUESTIONS;
use candour_store::VisitRecord;

use crate::forms::{ErrorLink, Field};
use crate::views::{SelectOption, long_date};

/// The report as written.
pub struct ReportView {
    pub visited_on: String,
    pub spoken_with: String,
    pub areas: Vec<AreaView>,
    pub statements: Vec<StatementView>,
    pub summary: Vec<String>,
}

pub struct AreaView {
    pub name: &'static str,
    pub paragraphs: Vec<String>,
}

pub struct StatementView {
    pub text: &'static str,
    pub judgement: &'static str,
    pub score: u8,
    /// The quality statements it is evidence for: "C1, C2".
    pub evidence_for: String,
    pub quotes: Vec<(&'static str, String)>,
}

fn paragraphs_of(text: &str) -> Vec<String> {
    paragraphs(text).into_iter().map(|lines| lines.join(" ")).collect()
}

impl ReportView {
    pub fn of(report: &VisitReport) -> Self {
        ReportView {
            visited_on: report.visited_on.map(long_date).unwrap_or_else(|| "Not given".into()),
            spoken_with: report.spoken_with.describe(),
            areas: OUTCOME_QUESTIONS
                .iter()
                .filter_map(|q| {
                    let text = report.observations.get(q.code)?;
                    Some(AreaView { name: q.text, paragraphs: paragraphs_of(text) })
                })
                .collect(),
            statements: EXPERT_STATEMENTS
                .iter()
                .filter_map(|s| {
                    let finding = report.findings.get(s.code)?;
                    Some(StatementView {
                        text: s.text,
                        judgement: finding.judgement.label(),
                        score: finding.judgement.score(),
                        evidence_for: s.statements.join(", "),
                        quotes: finding.quotes.iter().map(|q| (q.from.label(), q.text.clone())).collect(),
                    })
                })
                .collect(),
            summary: paragraphs_of(&report.summary),
        }
    }
}

/// A `<select>` whose id is made at run time.
pub struct Choice {
    pub id: String,
    pub label: String,
    pub options: Vec<SelectOption>,
    pub error: Option<String>,
}

pub struct VisitInputs {
    pub visited_on: Field,
    pub spoken: Vec<Field>,
}

pub struct StatementInputs {
    pub text: &'static str,
    /// Judged, or with a problem: shown open.
    pub open: bool,
    /// The judgement chosen, or "Not judged".
    pub status: String,
    pub evidence_for: String,
    pub judgement: Choice,
    pub quotes: Vec<(Field, Choice)>,
}

/// A form that changes the report: the whole of it (`part` none), or one part.
pub struct PartForm {
    pub part: Option<String>,
    pub heading: String,
    pub visit: Option<VisitInputs>,
    pub areas: Vec<Field>,
    pub statements: Vec<StatementInputs>,
    pub summary: Option<Field>,
}

/// The forms that may change the report now, filled from `values` with the errors
/// beside their fields: the whole report in a draft; once sent, one form for each
/// part an accepted challenge reopened; none once published.
pub fn part_forms(lifecycle: &Lifecycle, values: &[(String, String)], errors: &[ErrorLink]) -> Vec<PartForm> {
    let filled = Filler { values, errors };
    match lifecycle.status {
        AssessmentStatus::Draft => {
            let mut whole = PartForm {
                part: None,
                heading: "Write the report".into(),
                visit: None,
                areas: Vec::new(),
                statements: Vec::new(),
                summary: None,
            };
            for (part, _) in VisitPart::all() {
                filled.add(&mut whole, &part);
            }
            vec![whole]
        }
        AssessmentStatus::Sent => VisitPart::all()
            .into_iter()
            .filter(|(part, _)| lifecycle.may_change(part).is_ok())
            .map(|(part, name)| {
                let mut form = PartForm {
                    part: Some(part.code()),
                    heading: format!("Correct: {name}"),
                    visit: None,
                    areas: Vec::new(),
                    statements: Vec::new(),
                    summary: None,
                };
                filled.add(&mut form, &part);
                form
            })
            .collect(),
        AssessmentStatus::Published => Vec::new(),
    }
}

struct Filler<'a> {
    values: &'a [(String, String)],
    errors: &'a [ErrorLink],
}

impl Filler<'_> {
    fn value(&self, name: &str) -> String {
        self.values.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    fn error(&self, name: &str) -> Option<String> {
        let href = format!("#{name}");
        self.errors.iter().find(|e| e.href == href).map(|e| e.message.clone())
    }

    fn field(&self, id: String, label: impl Into<String>, kind: &'static str) -> Field {
        let error = self.error(&id);
        let value = self.value(&id);
        let mut field = Field::new(id, label, kind, "off").value(value);
        field.error = error;
        field
    }

    fn choice(&self, id: String, label: String, prompt: &str, options: &[(&str, &str)]) -> Choice {
        let current = self.value(&id);
        let chosen = Some(current.as_str()).filter(|c| !c.is_empty());
        let options =
            std::iter::once(SelectOption { value: String::new(), label: prompt.into(), selected: chosen.is_none() })
                .chain(options.iter().map(|(code, label)| SelectOption::new(*code, *label, chosen)))
                .collect();
        Choice { error: self.error(&id), id, label, options }
    }

    fn add(&self, form: &mut PartForm, part: &VisitPart) {
        match part {
            VisitPart::Visit => {
                let spoken = Speaker::ALL
                    .iter()
                    .map(|s| {
                        self.field(
                            format!("spoken_{}", s.code()),
                            format!("How many: {}", s.label().to_lowercase()),
                            "number",
                        )
                    })
                    .collect();
                form.visit = Some(VisitInputs {
                    visited_on: self.field("visited_on".into(), "Day of the visit (YYYY-MM-DD)", "text"),
                    spoken,
                });
            }
            VisitPart::Area(code) => {
                let name = outcome_area(code).unwrap_or_default();
                form.areas.push(self.field(format!("area_{code}"), format!("What you found: {name}"), "textarea"));
            }
            VisitPart::Statement(code) => {
                let Some(s) = EXPERT_STATEMENTS.iter().find(|s| s.code == code) else { return };
                let judgements: Vec<(&str, &str)> = Judgement::ALL.iter().map(|j| (j.code(), j.label())).collect();
                let speakers: Vec<(&str, &str)> = Speaker::ALL.iter().map(|p| (p.code(), p.label())).collect();
                let quotes: Vec<(Field, Choice)> = (1..=MAX_QUOTES)
                    .map(|n| {
                        let id = format!("quote_{code}_{n}");
                        let text = self.field(id.clone(), format!("Quote {n}, with no names"), "textarea");
                        let from = self.choice(
                            format!("{id}_from"),
                            format!("Quote {n} was said by"),
                            "Choose who said it",
                            &speakers,
                        );
                        (text, from)
                    })
                    .collect();
                let judgement =
                    self.choice(format!("judgement_{code}"), "Your judgement".into(), "Not judged", &judgements);
                let chosen = judgement.options.iter().find(|o| o.selected && !o.value.is_empty());
                let status = chosen.map_or_else(|| "Not judged".to_string(), |o| o.label.clone());
                let with_error =
                    judgement.error.is_some() || quotes.iter().any(|(t, f)| t.error.is_some() || f.error.is_some());
                form.statements.push(StatementInputs {
                    text: s.text,
                    open: chosen.is_some() || with_error,
                    status,
                    evidence_for: s.statements.join(", "),
                    judgement,
                    quotes,
                });
            }
            VisitPart::Summary => {
                form.summary = Some(self.field("summary".into(), "Summary of what you found", "textarea"))
            }
        }
    }
}

/// An "I" statement judged on a published visit, as evidence for a quality statement.
#[derive(Clone)]
pub struct StatementEvidence {
    pub text: &'static str,
    pub judgement: &'static str,
    pub visited: String,
    pub href: String,
}

/// The published visits' judgements, by the quality statement (`S3`) each is evidence for.
pub fn evidence_by_statement(visits: &[VisitRecord]) -> BTreeMap<&'static str, Vec<StatementEvidence>> {
    let mut by_statement: BTreeMap<&'static str, Vec<StatementEvidence>> = BTreeMap::new();
    for visit in visits.iter().filter(|v| v.status == AssessmentStatus::Published) {
        for s in &EXPERT_STATEMENTS {
            let Some(finding) = visit.report.findings.get(s.code) else { continue };
            for quality in s.statements {
                by_statement.entry(quality).or_default().push(StatementEvidence {
                    text: s.text,
                    judgement: finding.judgement.label(),
                    visited: visit.report.visited_on.map(long_date).unwrap_or_default(),
                    href: format!("/locations/{}/visits/{}", visit.location_id, visit.id),
                });
            }
        }
    }
    by_statement
}

/// A published visit as the service's public page lists it.
pub struct VisitSummary {
    pub href: String,
    pub visited: String,
    pub spoken_with: String,
    /// The summary's first paragraph.
    pub summary: String,
    /// Each "I" statement judged, with its judgement.
    pub statements: Vec<(&'static str, &'static str)>,
}

impl VisitSummary {
    pub fn of(visit: &VisitRecord) -> Self {
        let view = ReportView::of(&visit.report);
        VisitSummary {
            href: format!("/locations/{}/visits/{}", visit.location_id, visit.id),
            visited: view.visited_on,
            spoken_with: view.spoken_with,
            summary: view.summary.into_iter().next().unwrap_or_default(),
            statements: view.statements.iter().map(|s| (s.text, s.judgement)).collect(),
        }
    }
}
