//! Good practice: a provider's account of something that works well at one of its
//! services, filed under one theme and the quality statements it shows, so that
//! other services can find it and learn from it.

use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use crate::ParseError;
use crate::policies::{FieldError, text_block};

/// The longest title accepted, in characters.
pub const MAX_TITLE: usize = 200;
/// The longest summary accepted, in characters.
pub const MAX_SUMMARY: usize = 600;
/// The longest part of the account accepted, in characters.
pub const MAX_PART: usize = 8_000;

coded_enum!(
    /// What an account is about, from a fixed list so that searches find like with like.
    Theme, "theme", "expected one of the themes listed" {
        Involving => "involving_people", "Involving people and families";
        Staffing => "staffing_culture", "Staffing and culture";
        Safeguarding => "safeguarding", "Safeguarding";
        Medicines => "medicines", "Medicines";
        EndOfLife => "end_of_life", "End of life care";
        Dementia => "dementia", "Dementia";
        Activities => "activities_wellbeing", "Activities and wellbeing";
        RestrictivePractice => "restrictive_practice", "Reducing restrictive practice";
        Complaints => "learning_from_complaints", "Learning from complaints";
        Partnership => "partnership", "Partnership working";
        Nutrition => "nutrition_hydration", "Nutrition and hydration";
        Technology => "technology", "Technology";
    }
);

coded_enum!(
    /// Where an account is: written but not shown, shown to everyone, or taken down.
    PracticeStatus, "status", "expected draft, published or unpublished" {
        Draft => "draft", "Draft";
        Published => "published", "Published";
        Unpublished => "unpublished", "Unpublished";
    }
);

/// The 34 quality statements of the assessment framework, by their stable IDs: the
/// key question's letter and a number. Their titles live with the framework.
pub const STATEMENT_CODES: [&str; 34] = [
    "S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "E1", "E2", "E3", "E4", "E5", "E6", "C1", "C2", "C3", "C4", "C5",
    "R1", "R2", "R3", "R4", "R5", "R6", "R7", "W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8",
];

/// One of the [`STATEMENT_CODES`]. Orders as the framework lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QualityStatement(u8);

impl QualityStatement {
    pub fn all() -> impl Iterator<Item = QualityStatement> {
        (0..STATEMENT_CODES.len() as u8).map(QualityStatement)
    }

    /// Reads `S1`, `w8`: a statement of the framework.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let v = value.trim();
        STATEMENT_CODES
            .iter()
            .position(|c| c.eq_ignore_ascii_case(v))
            .map(|i| QualityStatement(i as u8))
            .ok_or_else(|| ParseError::new("quality statement", value, "expected a quality statement like S3 or W1"))
    }

    pub fn code(self) -> &'static str {
        STATEMENT_CODES[self.0 as usize]
    }
}

impl fmt::Display for QualityStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

crate::text_schema!(QualityStatement, "A quality statement's code, S1 to W8", "S1");

impl Serialize for QualityStatement {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for QualityStatement {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        QualityStatement::parse(&s).map_err(de::Error::custom)
    }
}

/// An account as it arrives from a form or the API, every field still text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RawPractice {
    pub title: String,
    pub summary: String,
    pub what_we_did: String,
    pub why: String,
    pub difference: String,
    pub advice: String,
    pub theme: String,
    pub statements: Vec<String>,
}

/// An account with every check passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PracticeDraft {
    pub title: String,
    pub summary: String,
    /// What the service did.
    pub what_we_did: String,
    /// Why it did it.
    pub why: String,
    /// What changed for the people it supports.
    pub difference: String,
    /// What it would tell another service trying the same.
    pub advice: String,
    pub theme: Theme,
    /// At least one, each once, in the framework's order.
    pub statements: Vec<QualityStatement>,
}

/// The parts of the account after the summary: field, label, and what to write.
pub const PARTS: [(&str, &str, &str); 4] = [
    ("what_we_did", "What we did", "Describe what you changed or started, and who was involved."),
    ("why", "Why we did it", "What prompted it: what people told you, a finding, an idea from staff."),
    ("difference", "What changed for people", "The difference it made to the people you support, with examples."),
    (
        "advice",
        "What we would tell others",
        "Advice for a service that wants to try the same: what helped, what to avoid.",
    ),
];

impl PracticeDraft {
    /// Checks every field and reports every problem at once.
    pub fn parse(raw: &RawPractice) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = raw.title.split_whitespace().collect::<Vec<_>>().join(" ");
        if title.is_empty() {
            errors.push(FieldError { field: "title", message: "Enter a title".into() });
        } else if title.chars().count() > MAX_TITLE {
            errors.push(FieldError {
                field: "title",
                message: format!("The title must be {MAX_TITLE} characters or fewer"),
            });
        }
        let summary = text_block(&raw.summary);
        if summary.is_empty() {
            errors.push(FieldError { field: "summary", message: "Enter a short summary".into() });
        } else if summary.chars().count() > MAX_SUMMARY {
            errors.push(FieldError {
                field: "summary",
                message: format!("The summary must be {MAX_SUMMARY} characters or fewer"),
            });
        }
        let mut parts = Vec::new();
        for (field, label, _) in PARTS {
            let text = text_block(match field {
                "what_we_did" => &raw.what_we_did,
                "why" => &raw.why,
                "difference" => &raw.difference,
                _ => &raw.advice,
            });
            if text.is_empty() {
                errors.push(FieldError { field, message: format!("Enter {}", label.to_lowercase()) });
            } else if text.chars().count() > MAX_PART {
                errors.push(FieldError { field, message: format!("{label} must be {MAX_PART} characters or fewer") });
            }
            parts.push(text);
        }
        let theme = match Theme::parse(&raw.theme) {
            Ok(theme) => Some(theme),
            Err(_) => {
                errors.push(FieldError { field: "theme", message: "Choose the theme the account is about".into() });
                None
            }
        };
        let mut statements = Vec::new();
        let mut unknown = false;
        for text in raw.statements.iter().filter(|s| !s.trim().is_empty()) {
            match QualityStatement::parse(text) {
                Ok(s) if !statements.contains(&s) => statements.push(s),
                Ok(_) => {}
                Err(_) => unknown = true,
            }
        }
        statements.sort();
        if unknown {
            errors.push(FieldError { field: "statements", message: "Choose quality statements from the list".into() });
        } else if statements.is_empty() {
            errors.push(FieldError {
                field: "statements",
                message: "Choose at least one quality statement the account shows".into(),
            });
        }
        match theme {
            Some(theme) if errors.is_empty() => {
                let mut parts = parts.into_iter();
                let mut next = || parts.next().unwrap_or_default();
                Ok(PracticeDraft {
                    title,
                    summary,
                    what_we_did: next(),
                    why: next(),
                    difference: next(),
                    advice: next(),
                    theme,
                    statements,
                })
            }
            _ => Err(errors),
        }
    }

    /// The account as form text, to edit it.
    pub fn to_raw(&self) -> RawPractice {
        RawPractice {
            title: self.title.clone(),
            summary: self.summary.clone(),
            what_we_did: self.what_we_did.clone(),
            why: self.why.clone(),
            difference: self.difference.clone(),
            advice: self.advice.clone(),
            theme: self.theme.code().to_string(),
            statements: self.statements.iter().map(|s| s.code().to_string()).collect(),
        }
    }

    /// The parts after the summary, with their labels, in reading order.
    pub fn parts(&self) -> [(&'static str, &str); 4] {
        [
            (PARTS[0].1, &self.what_we_did),
            (PARTS[1].1, &self.why),
            (PARTS[2].1, &self.difference),
            (PARTS[3].1, &self.advice),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawPractice {
        RawPractice {
            title: " Music  at mealtimes ".into(),
            summary: "Quiet music and\r\nsmaller tables.".into(),
            what_we_did: "We changed the dining room.".into(),
            why: "People told us it was too loud.".into(),
            difference: "People eat more.".into(),
            advice: "Ask people first.".into(),
            theme: "nutrition_hydration".into(),
            statements: vec!["r1".into(), "E4".into(), "R1".into(), " ".into()],
        }
    }

    #[test]
    fn a_full_account_is_accepted_and_tidied() {
        let draft = PracticeDraft::parse(&raw()).expect("valid");
        assert_eq!(draft.title, "Music at mealtimes");
        assert_eq!(draft.summary, "Quiet music and\nsmaller tables.");
        assert_eq!(draft.theme, Theme::Nutrition);
        let codes: Vec<_> = draft.statements.iter().map(|s| s.code()).collect();
        assert_eq!(codes, ["E4", "R1"], "each once, in the framework's order");
        assert_eq!(draft.parts()[2], ("What changed for people", "People eat more."));
        assert_eq!(PracticeDraft::parse(&draft.to_raw()).unwrap(), draft, "editing round-trips");
    }

    #[test]
    fn every_problem_is_reported_against_its_field() {
        let empty = PracticeDraft::parse(&RawPractice::default()).unwrap_err();
        let fields: Vec<_> = empty.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "summary", "what_we_did", "why", "difference", "advice", "theme", "statements"]);
        assert_eq!(empty[3].message, "Enter why we did it");
        let mut bad = raw();
        bad.theme = "gardening".into();
        bad.statements = vec!["S9".into()];
        bad.advice = "a".repeat(MAX_PART + 1);
        let errors = PracticeDraft::parse(&bad).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.field).collect::<Vec<_>>(), ["advice", "theme", "statements"]);
        assert_eq!(errors[2].message, "Choose quality statements from the list");
    }

    #[test]
    fn there_are_34_statements_over_the_five_key_questions() {
        assert_eq!(QualityStatement::all().count(), 34);
        let per_letter = |l: char| STATEMENT_CODES.iter().filter(|c| c.starts_with(l)).count();
        assert_eq!(
            [per_letter('S'), per_letter('E'), per_letter('C'), per_letter('R'), per_letter('W')],
            [8, 6, 5, 7, 8]
        );
        assert_eq!(QualityStatement::parse("w8").unwrap().code(), "W8");
        for bad in ["S9", "E0", "X1", "", "S1 S2"] {
            assert!(QualityStatement::parse(bad).is_err(), "{bad}");
        }
        assert!(QualityStatement::parse("S8").unwrap() < QualityStatement::parse("E1").unwrap());
        let json = serde_json::to_string(&QualityStatement::parse("c3").unwrap()).unwrap();
        assert_eq!(json, "\"C3\"");
    }

    #[test]
    fn themes_have_codes_and_labels() {
        assert_eq!(Theme::ALL.len(), 12);
        assert_eq!(Theme::parse("end_of_life").unwrap().label(), "End of life care");
        assert!(Theme::parse("End of life care").is_err(), "codes, not labels");
        assert_eq!(PracticeStatus::parse("unpublished").unwrap(), PracticeStatus::Unpublished);
    }
}
