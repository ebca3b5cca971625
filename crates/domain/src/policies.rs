//! The policy cascade: a provider publishes policies, procedures and good-practice
//! guides to the people who work for it. Each publication is a new version; staff
//! confirm that they have read and understood the version in force, and a new
//! version needs a new confirmation.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// The longest title accepted, in characters.
pub const MAX_TITLE: usize = 200;
/// The longest text accepted, in characters: a long policy, well within the size
/// of a form.
pub const MAX_BODY: usize = 40_000;
/// The longest summary of what changed, in characters.
pub const MAX_CHANGES: usize = 1_000;

coded_enum!(
    /// What kind of document is published.
    PolicyKind, "kind of document", "expected policy, procedure or guide" {
        Policy => "policy", "Policy";
        Procedure => "procedure", "Procedure";
        Guide => "guide", "Good-practice guide";
    }
);

/// A document as it arrives from a form or the API, every field still text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RawPolicy {
    pub title: String,
    pub kind: String,
    pub body: String,
    pub changes: String,
    /// "yes" or "no"; blank means yes.
    pub confirm: String,
}

/// A problem with one field, named as the form and the API name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = PolicyFieldError)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        FieldError { field, message: message.into() }
    }
}

/// A version ready to publish, every check passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PolicyDraft {
    pub title: String,
    pub kind: PolicyKind,
    /// Plain text; paragraphs are separated by blank lines. Line ends are `\n`.
    pub body: String,
    /// What changed since the version before; for a first version, what it is for.
    pub changes: String,
    /// Whether everyone who works for the provider must confirm they have read it.
    pub requires_confirmation: bool,
}

impl PolicyDraft {
    /// Checks every field and reports every problem at once. `first`: the policy
    /// has no version yet, so a summary of changes may be left out.
    pub fn parse(raw: &RawPolicy, first: bool) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = one_line(&raw.title);
        if title.is_empty() {
            errors.push(FieldError::new("title", "Enter a title"));
        } else if title.chars().count() > MAX_TITLE {
            errors.push(FieldError::new("title", format!("The title must be {MAX_TITLE} characters or fewer")));
        }
        let kind = match raw.kind.trim() {
            "" => {
                errors.push(FieldError::new("kind", "Choose policy, procedure or good-practice guide"));
                None
            }
            text => PolicyKind::parse(text)
                .map_err(|_| errors.push(FieldError::new("kind", "Choose policy, procedure or good-practice guide")))
                .ok(),
        };
        let body = text_block(&raw.body);
        if body.is_empty() {
            errors.push(FieldError::new("body", "Enter the text of the document"));
        } else if body.chars().count() > MAX_BODY {
            errors.push(FieldError::new(
                "body",
                format!("The text must be {MAX_BODY} characters or fewer: link to a longer document instead"),
            ));
        }
        let mut changes = text_block(&raw.changes);
        if changes.is_empty() {
            if first {
                changes = "First version.".to_string();
            } else {
                errors.push(FieldError::new("changes", "Say what has changed since the last version"));
            }
        } else if changes.chars().count() > MAX_CHANGES {
            errors.push(FieldError::new("changes", format!("The summary must be {MAX_CHANGES} characters or fewer")));
        }
        let requires_confirmation = match raw.confirm.trim().to_ascii_lowercase().as_str() {
            "" | "yes" | "true" => Some(true),
            "no" | "false" => Some(false),
            _ => {
                errors.push(FieldError::new("confirm", "Answer yes or no"));
                None
            }
        };
        match (kind, requires_confirmation) {
            (Some(kind), Some(requires_confirmation)) if errors.is_empty() => {
                Ok(PolicyDraft { title, kind, body, changes, requires_confirmation })
            }
            _ => Err(errors),
        }
    }

    /// The draft as form text, to fill in the form for the next version.
    pub fn to_raw(&self) -> RawPolicy {
        RawPolicy {
            title: self.title.clone(),
            kind: self.kind.code().to_string(),
            body: self.body.clone(),
            changes: String::new(),
            confirm: if self.requires_confirmation { "yes" } else { "no" }.to_string(),
        }
    }
}

/// A version number: 1 for the first publication, then 2, 3, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Version(pub u32);

impl Version {
    pub const FIRST: Version = Version(1);

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let v = value.trim();
        match v.parse::<u32>() {
            Ok(n) if n >= 1 && v.bytes().all(|b| b.is_ascii_digit()) => Ok(Version(n)),
            _ => Err(ParseError::new("version", value, "expected a version number like 2")),
        }
    }

    pub fn next(self) -> Version {
        Version(self.0 + 1)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// How many confirmations were expected and how many were given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReadCount {
    pub expected: u64,
    pub confirmed: u64,
}

impl ReadCount {
    pub fn add(&mut self, other: ReadCount) {
        self.expected += other.expected;
        self.confirmed += other.confirmed;
    }

    /// The share confirmed, from 0 to 1; `None` when nothing was expected.
    pub fn rate(self) -> Option<f64> {
        (self.expected > 0).then(|| self.confirmed.min(self.expected) as f64 / self.expected as f64)
    }

    /// "7 of 9 (78%)", or "Nothing to read" when none was expected. The percentage
    /// follows the one rule ([`crate::percent`]), so 100% means everyone.
    pub fn describe(self) -> String {
        match self.rate() {
            None => "Nothing to read".to_string(),
            Some(rate) => {
                format!("{} of {} ({})", self.confirmed, self.expected, crate::percent::percent_of_share(rate))
            }
        }
    }
}

/// Text on one line: inner runs of whitespace made one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text in paragraphs: line ends made `\n`, spaces at line ends dropped, three or
/// more line ends made two, the whole trimmed.
pub fn text_block(text: &str) -> String {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = unified.lines().map(str::trim_end).collect();
    let mut out = String::new();
    let mut blank_run = 0;
    for line in lines {
        if line.trim().is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
        }
        blank_run = 0;
        out.push_str(line);
    }
    out
}

/// The paragraphs of a text block, each a list of its lines. Shown as text, never
/// as markup: the page escapes every character.
pub fn paragraphs(text: &str) -> Vec<Vec<&str>> {
    text.split("\n\n").map(|p| p.lines().collect::<Vec<_>>()).filter(|p| !p.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(title: &str, kind: &str, body: &str, changes: &str, confirm: &str) -> RawPolicy {
        RawPolicy {
            title: title.into(),
            kind: kind.into(),
            body: body.into(),
            changes: changes.into(),
            confirm: confirm.into(),
        }
    }

    #[test]
    fn a_first_version_needs_no_summary_of_changes() {
        let draft = PolicyDraft::parse(&raw("  Fire   safety ", "policy", "Line one\r\n\r\n\r\nTwo", "", ""), true)
            .expect("valid");
        assert_eq!(draft.title, "Fire safety");
        assert_eq!(draft.body, "Line one\n\nTwo");
        assert_eq!(draft.changes, "First version.");
        assert!(draft.requires_confirmation, "confirmation is asked for unless refused");
        assert_eq!(draft.kind, PolicyKind::Policy);
    }

    #[test]
    fn a_later_version_must_say_what_changed() {
        let errors = PolicyDraft::parse(&raw("Fire safety", "procedure", "Text", " ", "no"), false).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.field).collect::<Vec<_>>(), ["changes"]);
        let draft = PolicyDraft::parse(&raw("Fire safety", "guide", "Text", "New drill times", "no"), false).unwrap();
        assert!(!draft.requires_confirmation);
        assert_eq!(draft.kind.label(), "Good-practice guide");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let long = "x".repeat(MAX_TITLE + 1);
        let errors = PolicyDraft::parse(&raw(&long, "memo", "", "", "maybe"), true).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "kind", "body", "confirm"]);
        let errors = PolicyDraft::parse(&raw("", "", &"y".repeat(MAX_BODY + 1), "", ""), true).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.field).collect::<Vec<_>>(), ["title", "kind", "body"]);
        assert!(errors[2].message.contains("40000 characters"));
    }

    #[test]
    fn markup_is_kept_as_text() {
        let draft = PolicyDraft::parse(&raw("<b>Title</b>", "policy", "<script>x</script>", "", ""), true).unwrap();
        assert_eq!(draft.title, "<b>Title</b>", "kept as typed; pages escape it");
        assert_eq!(paragraphs(&draft.body), [["<script>x</script>"]]);
    }

    #[test]
    fn paragraphs_keep_their_lines() {
        let text = text_block("First line\nsecond line  \n\n  \n\nNext paragraph\n");
        assert_eq!(text, "First line\nsecond line\n\nNext paragraph");
        assert_eq!(paragraphs(&text), vec![vec!["First line", "second line"], vec!["Next paragraph"]]);
        assert!(paragraphs("").is_empty());
    }

    #[test]
    fn versions_parse_and_count_up() {
        assert_eq!(Version::parse(" 2 ").unwrap(), Version(2));
        for bad in ["0", "-1", "+2", "two", "", "1.5"] {
            assert!(Version::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Version::FIRST.next(), Version(2));
        let draft = PolicyDraft::parse(&raw("T", "policy", "B", "", "no"), true).unwrap();
        let again = draft.to_raw();
        assert_eq!((again.title.as_str(), again.kind.as_str(), again.confirm.as_str()), ("T", "policy", "no"));
        assert!(again.changes.is_empty(), "each version says what changed afresh");
    }

    #[test]
    fn read_rates_round_down_and_know_when_nothing_was_expected() {
        assert_eq!(ReadCount::default().rate(), None);
        assert_eq!(ReadCount::default().describe(), "Nothing to read");
        let most = ReadCount { expected: 3, confirmed: 2 };
        assert_eq!(most.describe(), "2 of 3 (67%)");
        let nearly = ReadCount { expected: 1000, confirmed: 999 };
        assert_eq!(nearly.describe(), "999 of 1000 (99.9%)", "never 100% until everyone has read it");
        let mut total = most;
        total.add(ReadCount { expected: 1, confirmed: 1 });
        assert_eq!(total, ReadCount { expected: 4, confirmed: 3 });
        assert_eq!(total.rate(), Some(0.75));
    }
}
