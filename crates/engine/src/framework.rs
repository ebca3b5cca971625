//! The quality framework as data: key questions, quality statements, evidence
//! categories and which categories apply to which service type. Loaded from the
//! versioned TOML file in `framework/`, checked once, then looked up.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

use candour_domain::{KeyQuestion, ServiceKind};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

/// The framework Candour rates against, embedded in the binary.
const SAF_2024: &str = include_str!("../framework/saf-2024.toml");

/// Our stable ID of a quality statement: the key question's letter and a number,
/// like `S1` or `W8`. Titles change over time; IDs do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatementId {
    key_question: KeyQuestion,
    number: u8,
}

impl StatementId {
    pub fn new(key_question: KeyQuestion, number: u8) -> Self {
        Self { key_question, number }
    }

    /// The key question a statement ID belongs to, read from its letter.
    pub fn key_question(self) -> KeyQuestion {
        self.key_question
    }

    pub fn number(self) -> u8 {
        self.number
    }

    /// Reads `S1`, `e2`, `W8`: one key question letter then a number from 1 to 99.
    pub fn parse(value: &str) -> Result<Self, StatementIdError> {
        let error = || StatementIdError(value.chars().take(40).collect());
        let mut chars = value.trim().chars();
        let key_question = match chars.next().map(|c| c.to_ascii_uppercase()) {
            Some('S') => KeyQuestion::Safe,
            Some('E') => KeyQuestion::Effective,
            Some('C') => KeyQuestion::Caring,
            Some('R') => KeyQuestion::Responsive,
            Some('W') => KeyQuestion::WellLed,
            _ => return Err(error()),
        };
        let digits = chars.as_str();
        let valid_digits = (1..=2).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
        let number: u8 = if valid_digits { digits.parse().map_err(|_| error())? } else { return Err(error()) };
        if number == 0 {
            return Err(error());
        }
        Ok(Self { key_question, number })
    }

    fn letter(self) -> char {
        match self.key_question {
            KeyQuestion::Safe => 'S',
            KeyQuestion::Effective => 'E',
            KeyQuestion::Caring => 'C',
            KeyQuestion::Responsive => 'R',
            KeyQuestion::WellLed => 'W',
        }
    }
}

/// A string that is not shaped like a statement ID.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0:?} is not a statement ID: expected a key question letter (S, E, C, R or W) and a number, like S1")]
pub struct StatementIdError(pub String);

impl fmt::Display for StatementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.letter(), self.number)
    }
}

candour_domain::text_schema!(StatementId, "A quality statement's code, S1 to W8", "S1");

impl Serialize for StatementId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for StatementId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The six kinds of evidence a statement is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceCategory {
    PeopleExperience,
    StaffFeedback,
    PartnerFeedback,
    Observation,
    Processes,
    Outcomes,
}

impl EvidenceCategory {
    pub const ALL: [EvidenceCategory; 6] = [
        EvidenceCategory::PeopleExperience,
        EvidenceCategory::StaffFeedback,
        EvidenceCategory::PartnerFeedback,
        EvidenceCategory::Observation,
        EvidenceCategory::Processes,
        EvidenceCategory::Outcomes,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EvidenceCategory::PeopleExperience => "people_experience",
            EvidenceCategory::StaffFeedback => "staff_feedback",
            EvidenceCategory::PartnerFeedback => "partner_feedback",
            EvidenceCategory::Observation => "observation",
            EvidenceCategory::Processes => "processes",
            EvidenceCategory::Outcomes => "outcomes",
        }
    }
}

impl fmt::Display for EvidenceCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Which version of the framework produced a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FrameworkVersion {
    pub id: String,
    pub name: String,
    pub version: String,
    pub effective_from: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyQuestionInfo {
    pub id: KeyQuestion,
    /// Our own one-line plain-English summary.
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryInfo {
    pub id: EvidenceCategory,
    pub name: String,
    /// Where Candour gathers this evidence continuously.
    pub live_source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceTypeInfo {
    pub id: ServiceKind,
    /// The evidence categories that can be gathered for this kind of service at all.
    pub categories: Vec<EvidenceCategory>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One quality statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    pub id: StatementId,
    pub key_question: KeyQuestion,
    /// The regulator's title.
    pub title: String,
    /// Our own one-line plain-English summary.
    pub summary: String,
    /// The evidence categories that bear on this statement.
    pub categories: Vec<EvidenceCategory>,
    /// Per service type, where the categories differ from the usual rule.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub service_categories: BTreeMap<ServiceKind, Vec<EvidenceCategory>>,
    pub version: u32,
    pub effective_from: NaiveDate,
}

/// The framework file's shape.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkFile {
    framework: FrameworkVersion,
    key_questions: Vec<KeyQuestionInfo>,
    evidence_categories: Vec<CategoryInfo>,
    service_types: Vec<ServiceTypeInfo>,
    statements: Vec<Statement>,
}

/// Why a framework file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FrameworkError {
    #[error("the framework file is not valid TOML for a framework: {0}")]
    Syntax(String),
    #[error("the framework file is inconsistent: {0}")]
    Inconsistent(String),
}

/// The quality framework, checked and ready for lookups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framework {
    version: FrameworkVersion,
    key_questions: Vec<KeyQuestionInfo>,
    categories: Vec<CategoryInfo>,
    service_types: BTreeMap<ServiceKind, ServiceTypeInfo>,
    statements: BTreeMap<StatementId, Statement>,
}

impl Framework {
    /// The framework shipped with Candour, parsed and checked on first use.
    pub fn current() -> Result<&'static Framework, FrameworkError> {
        static CURRENT: OnceLock<Result<Framework, FrameworkError>> = OnceLock::new();
        CURRENT.get_or_init(|| Framework::from_toml(SAF_2024)).as_ref().map_err(Clone::clone)
    }

    /// Reads and checks a framework file.
    pub fn from_toml(text: &str) -> Result<Framework, FrameworkError> {
        let file: FrameworkFile = toml::from_str(text).map_err(|e| FrameworkError::Syntax(e.to_string()))?;
        let framework = Framework {
            version: file.framework,
            key_questions: file.key_questions,
            categories: file.evidence_categories,
            service_types: unique_by_id(file.service_types, |s| s.id, "service type")?,
            statements: unique_by_id(file.statements, |s| s.id, "statement")?,
        };
        framework.check()?;
        Ok(framework)
    }

    pub fn version(&self) -> &FrameworkVersion {
        &self.version
    }

    pub fn key_question(&self, kq: KeyQuestion) -> Option<&KeyQuestionInfo> {
        self.key_questions.iter().find(|k| k.id == kq)
    }

    pub fn category(&self, category: EvidenceCategory) -> Option<&CategoryInfo> {
        self.categories.iter().find(|c| c.id == category)
    }

    pub fn service_type(&self, kind: ServiceKind) -> Option<&ServiceTypeInfo> {
        self.service_types.get(&kind)
    }

    pub fn statement(&self, id: StatementId) -> Option<&Statement> {
        self.statements.get(&id)
    }

    /// Every statement, in ID order.
    pub fn statements(&self) -> impl Iterator<Item = &Statement> {
        self.statements.values()
    }

    /// The statements of one key question, in ID order.
    pub fn statements_of(&self, kq: KeyQuestion) -> impl Iterator<Item = &Statement> {
        self.statements.values().filter(move |s| s.key_question == kq)
    }

    /// The evidence categories that apply to a statement at a kind of service:
    /// the statement's own list for that service type if it has one, otherwise the
    /// categories in both the statement's and the service type's lists.
    pub fn categories_for(&self, id: StatementId, kind: ServiceKind) -> Vec<EvidenceCategory> {
        let Some(statement) = self.statement(id) else { return Vec::new() };
        if let Some(own) = statement.service_categories.get(&kind) {
            return sorted(own);
        }
        let gathered = self.service_type(kind).map(|s| s.categories.as_slice()).unwrap_or_default();
        sorted(&statement.categories).into_iter().filter(|c| gathered.contains(c)).collect()
    }

    fn check(&self) -> Result<(), FrameworkError> {
        let fail = |message: String| Err(FrameworkError::Inconsistent(message));
        for kq in KeyQuestion::ALL {
            if self.key_questions.iter().filter(|k| k.id == kq).count() != 1 {
                return fail(format!("key question {kq} must be listed exactly once"));
            }
            if self.statements_of(kq).next().is_none() {
                return fail(format!("key question {kq} has no statements"));
            }
        }
        for category in EvidenceCategory::ALL {
            if self.categories.iter().filter(|c| c.id == category).count() != 1 {
                return fail(format!("evidence category {category} must be listed exactly once"));
            }
        }
        for kind in ServiceKind::ALL {
            if !self.service_types.contains_key(&kind) {
                return fail(format!("service type {} is missing", kind.code()));
            }
        }
        self.statements.values().try_for_each(|s| self.check_statement(s))
    }

    fn check_statement(&self, statement: &Statement) -> Result<(), FrameworkError> {
        let fail =
            |message: String| Err(FrameworkError::Inconsistent(format!("statement {}: {message}", statement.id)));
        if statement.id.key_question() != statement.key_question {
            return fail(format!(
                "its ID says {} but it is listed under {}",
                statement.id.key_question(),
                statement.key_question
            ));
        }
        if statement.title.trim().is_empty() || statement.summary.trim().is_empty() {
            return fail("a title and a summary are needed".into());
        }
        for kind in ServiceKind::ALL {
            if self.categories_for(statement.id, kind).is_empty() {
                return fail(format!("no evidence category applies to it for {}", kind.code()));
            }
        }
        Ok(())
    }
}

fn unique_by_id<T, K: Ord + fmt::Display>(
    items: Vec<T>,
    id: impl Fn(&T) -> K,
    what: &str,
) -> Result<BTreeMap<K, T>, FrameworkError> {
    let mut map = BTreeMap::new();
    for item in items {
        let key = id(&item);
        if map.contains_key(&key) {
            return Err(FrameworkError::Inconsistent(format!("{what} {key} is listed twice")));
        }
        map.insert(key, item);
    }
    Ok(map)
}

fn sorted(categories: &[EvidenceCategory]) -> Vec<EvidenceCategory> {
    categories.iter().copied().collect::<BTreeSet<_>>().into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_ids_parse_and_print() {
        let id = StatementId::parse("w8").unwrap();
        assert_eq!(id.key_question(), KeyQuestion::WellLed);
        assert_eq!(id.to_string(), "W8");
        assert_eq!(StatementId::parse("S12").unwrap().number(), 12);
        for bad in ["", "S", "S0", "X1", "S1a", "S123", "1S", "rating"] {
            assert!(StatementId::parse(bad).is_err(), "{bad}");
        }
        assert!(StatementId::parse("S2").unwrap() < StatementId::parse("S10").unwrap());
    }
}
