//! Visits by experts by experience: people with lived experience of care visit a
//! service, talk with the people there and write down what they found against the
//! eight outcome areas and a set of "I" statements in our own words, each judged on
//! four levels with quotes that name no one. The report follows the assessment's
//! lifecycle ([`crate::assessment::Lifecycle`]): a draft, then sent to the provider
//! for factual-accuracy challenges, then published.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::assessment::Finding;
use crate::policies::text_block;
use crate::voice::OUTCOME_QUESTIONS;
use crate::{ParseError, Postcode};

/// The most people of one kind a visit can record having spoken with.
pub const MAX_SPOKEN_WITH: u16 = 500;
/// The longest observation, summary or quote, in characters.
pub const MAX_TEXT: usize = 4_000;
pub const MAX_QUOTE: usize = 400;
/// The most quotes given for one statement.
pub const MAX_QUOTES: usize = 3;

/// An "I" statement an expert by experience judges, in our own words, and the
/// quality statements it is evidence for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpertStatement {
    pub code: &'static str,
    pub text: &'static str,
    pub statements: &'static [&'static str],
}

pub const EXPERT_STATEMENTS: [ExpertStatement; 10] = [
    ExpertStatement {
        code: "welcomed",
        text: "I am welcomed and people here know who I am",
        statements: &["C1", "C2"],
    },
    ExpertStatement { code: "time", text: "Staff have time for me and do not rush me", statements: &["C1", "S6"] },
    ExpertStatement {
        code: "safe",
        text: "I feel safe, and I know who to tell if something is wrong",
        statements: &["S3", "W3"],
    },
    ExpertStatement {
        code: "health",
        text: "I get my medicines and see a doctor or nurse when I need to",
        statements: &["S8", "E4"],
    },
    ExpertStatement {
        code: "choice",
        text: "I choose what I eat, when I get up and how I spend my day",
        statements: &["C3", "R1"],
    },
    ExpertStatement {
        code: "matters",
        text: "I am helped to do things that matter to me, inside and outside",
        statements: &["E4", "R1"],
    },
    ExpertStatement { code: "people", text: "The people who matter to me are made welcome", statements: &["R2", "W6"] },
    ExpertStatement {
        code: "heard",
        text: "When I raise something, I am listened to and things change",
        statements: &["R4", "S1"],
    },
    ExpertStatement {
        code: "home",
        text: "This place is clean, comfortable and feels like my home",
        statements: &["S5", "S7"],
    },
    ExpertStatement {
        code: "leaders",
        text: "I know who runs this place and I can talk to them",
        statements: &["W1", "W2"],
    },
];

/// A problem with the report's form, against the field it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

fn problem(field: &str, message: impl Into<String>) -> Problem {
    Problem { field: field.to_string(), message: message.into() }
}

pub fn expert_statement(code: &str) -> Option<&'static ExpertStatement> {
    EXPERT_STATEMENTS.iter().find(|s| s.code == code)
}

/// The outcome area's name (the first-person outcome question), by its code.
pub fn outcome_area(code: &str) -> Option<&'static str> {
    OUTCOME_QUESTIONS.iter().find(|q| q.code == code).map(|q| q.text)
}

coded_enum!(
    /// The expert's judgement of an "I" statement, on the framework's four levels.
    Judgement, "judgement", "expected exceptional, good, some_shortfalls or significant_shortfalls" {
        Exceptional => "exceptional", "Exceptional";
        Good => "good", "Good";
        SomeShortfalls => "some_shortfalls", "Some shortfalls";
        SignificantShortfalls => "significant_shortfalls", "Significant shortfalls";
    }
);

impl Judgement {
    /// The framework's score for the level: 4 (exceptional) to 1.
    pub fn score(self) -> u8 {
        match self {
            Judgement::Exceptional => 4,
            Judgement::Good => 3,
            Judgement::SomeShortfalls => 2,
            Judgement::SignificantShortfalls => 1,
        }
    }
}

coded_enum!(
    /// Whom a quote came from: a kind of person, never a name.
    Speaker, "speaker", "expected person, family, staff, manager or professional" {
        Person => "person", "Someone who uses the service";
        Family => "family", "A family member or friend";
        Staff => "staff", "A member of staff";
        Manager => "manager", "A manager";
        Professional => "professional", "A visiting professional";
    }
);

/// How many people of each kind the experts spoke with. Counts only: no names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SpokenWith {
    pub person: u16,
    pub family: u16,
    pub staff: u16,
    pub manager: u16,
    pub professional: u16,
}

impl SpokenWith {
    pub fn get(&self, speaker: Speaker) -> u16 {
        match speaker {
            Speaker::Person => self.person,
            Speaker::Family => self.family,
            Speaker::Staff => self.staff,
            Speaker::Manager => self.manager,
            Speaker::Professional => self.professional,
        }
    }

    fn slot(&mut self, speaker: Speaker) -> &mut u16 {
        match speaker {
            Speaker::Person => &mut self.person,
            Speaker::Family => &mut self.family,
            Speaker::Staff => &mut self.staff,
            Speaker::Manager => &mut self.manager,
            Speaker::Professional => &mut self.professional,
        }
    }

    pub fn total(&self) -> u32 {
        Speaker::ALL.iter().map(|s| u32::from(self.get(*s))).sum()
    }

    /// "6 people who use the service, 2 family members or friends, 3 staff".
    pub fn describe(&self) -> String {
        let parts: Vec<String> = Speaker::ALL
            .iter()
            .filter(|s| self.get(**s) > 0)
            .map(|s| {
                let n = self.get(*s);
                let (one, many) = match s {
                    Speaker::Person => ("person who uses the service", "people who use the service"),
                    Speaker::Family => ("family member or friend", "family members or friends"),
                    Speaker::Staff => ("member of staff", "staff"),
                    Speaker::Manager => ("manager", "managers"),
                    Speaker::Professional => ("visiting professional", "visiting professionals"),
                };
                format!("{n} {}", if n == 1 { one } else { many })
            })
            .collect();
        if parts.is_empty() { "nobody yet".into() } else { parts.join(", ") }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Quote {
    pub from: Speaker,
    pub text: String,
}

/// One "I" statement as the experts judged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatementFinding {
    pub judgement: Judgement,
    pub quotes: Vec<Quote>,
}

/// What the experts found: the report's content, kept whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VisitReport {
    pub visited_on: Option<NaiveDate>,
    pub spoken_with: SpokenWith,
    /// By outcome area code ([`OUTCOME_QUESTIONS`]).
    pub observations: BTreeMap<String, String>,
    /// By "I" statement code ([`EXPERT_STATEMENTS`]).
    pub findings: BTreeMap<String, StatementFinding>,
    pub summary: String,
}

/// A part of a report, which a factual-accuracy challenge names by its code:
/// `visit` (the day and who was spoken with), an outcome area's code prefixed
/// `area:`, an "I" statement's code prefixed `statement:`, or `summary`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VisitPart {
    Visit,
    Area(String),
    Statement(String),
    Summary,
}

impl VisitPart {
    pub fn code(&self) -> String {
        match self {
            VisitPart::Visit => "visit".into(),
            VisitPart::Area(code) => format!("area:{code}"),
            VisitPart::Statement(code) => format!("statement:{code}"),
            VisitPart::Summary => "summary".into(),
        }
    }

    /// Every part of a report, with its name, in the report's order.
    pub fn all() -> Vec<(VisitPart, String)> {
        let areas = OUTCOME_QUESTIONS.iter().map(|q| (VisitPart::Area(q.code.into()), format!("Outcome: {}", q.text)));
        let statements =
            EXPERT_STATEMENTS.iter().map(|s| (VisitPart::Statement(s.code.into()), format!("“{}”", s.text)));
        [(VisitPart::Visit, "The visit and who was spoken with".to_string())]
            .into_iter()
            .chain(areas)
            .chain(statements)
            .chain([(VisitPart::Summary, "Summary".to_string())])
            .collect()
    }

    pub fn parse(code: &str) -> Option<VisitPart> {
        Self::all().into_iter().map(|(part, _)| part).find(|part| part.code() == code.trim())
    }
}

impl Finding for VisitPart {
    fn covered_by(&self, finding: &str) -> bool {
        self.code() == finding
    }
}

/// One change to a report: a part replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VisitChange {
    Visit { visited_on: Option<NaiveDate>, spoken_with: SpokenWith },
    Observation { area: String, text: String },
    Statement { code: String, finding: Option<StatementFinding> },
    Summary(String),
}

impl VisitChange {
    pub fn part(&self) -> VisitPart {
        match self {
            VisitChange::Visit { .. } => VisitPart::Visit,
            VisitChange::Observation { area, .. } => VisitPart::Area(area.clone()),
            VisitChange::Statement { code, .. } => VisitPart::Statement(code.clone()),
            VisitChange::Summary(_) => VisitPart::Summary,
        }
    }
}

impl VisitReport {
    pub fn apply(&mut self, change: &VisitChange) {
        match change {
            VisitChange::Visit { visited_on, spoken_with } => {
                self.visited_on = *visited_on;
                self.spoken_with = *spoken_with;
            }
            VisitChange::Observation { area, text } if text.is_empty() => {
                self.observations.remove(area);
            }
            VisitChange::Observation { area, text } => {
                self.observations.insert(area.clone(), text.clone());
            }
            VisitChange::Statement { code, finding: None } => {
                self.findings.remove(code);
            }
            VisitChange::Statement { code, finding: Some(f) } => {
                self.findings.insert(code.clone(), f.clone());
            }
            VisitChange::Summary(text) => self.summary = text.clone(),
        }
    }

    /// The changes that turn this report into `other`, part by part.
    pub fn changes_to(&self, other: &VisitReport) -> Vec<VisitChange> {
        let mut changes = Vec::new();
        if (self.visited_on, self.spoken_with) != (other.visited_on, other.spoken_with) {
            changes.push(VisitChange::Visit { visited_on: other.visited_on, spoken_with: other.spoken_with });
        }
        for q in &OUTCOME_QUESTIONS {
            if self.observations.get(q.code) != other.observations.get(q.code) {
                let text = other.observations.get(q.code).cloned().unwrap_or_default();
                changes.push(VisitChange::Observation { area: q.code.into(), text });
            }
        }
        for s in &EXPERT_STATEMENTS {
            if self.findings.get(s.code) != other.findings.get(s.code) {
                changes
                    .push(VisitChange::Statement { code: s.code.into(), finding: other.findings.get(s.code).cloned() });
            }
        }
        if self.summary != other.summary {
            changes.push(VisitChange::Summary(other.summary.clone()));
        }
        changes
    }

    /// What a part records, in words, for a correction's before and after.
    pub fn describe(&self, part: &VisitPart) -> String {
        let or_none = |text: Option<&String>| text.map_or_else(|| "nothing recorded".to_string(), |t| t.clone());
        match part {
            VisitPart::Visit => {
                let day = self.visited_on.map_or_else(|| "no date".to_string(), |d| d.format("%-d %B %Y").to_string());
                format!("{day}; spoke with {}", self.spoken_with.describe())
            }
            VisitPart::Area(code) => or_none(self.observations.get(code)),
            VisitPart::Statement(code) => match self.findings.get(code) {
                None => "not judged".into(),
                Some(f) => {
                    let quotes: Vec<String> = f.quotes.iter().map(|q| format!("“{}”", q.text)).collect();
                    format!(
                        "{}; {}",
                        f.judgement.label(),
                        if quotes.is_empty() { "no quotes".into() } else { quotes.join(" ") }
                    )
                }
            },
            VisitPart::Summary => {
                if self.summary.is_empty() {
                    "nothing recorded".into()
                } else {
                    self.summary.clone()
                }
            }
        }
    }

    /// Whether the report may go to the provider on `today`: what is missing, each against its field.
    pub fn ready(&self, today: NaiveDate) -> Result<(), Vec<Problem>> {
        let mut problems = Vec::new();
        match self.visited_on {
            None => problems.push(problem("visited_on", "Enter the day of the visit")),
            Some(day) if day > today => {
                problems.push(problem("visited_on", "The visit must have happened before it is sent"))
            }
            Some(_) => {}
        }
        if self.spoken_with.total() == 0 {
            problems.push(problem("spoken_with", "Say how many people you spoke with"));
        }
        if self.findings.is_empty() {
            problems.push(problem("findings", "Judge at least one of the “I” statements"));
        }
        if self.summary.is_empty() {
            problems.push(problem("summary", "Write a summary of what you found"));
        }
        if problems.is_empty() { Ok(()) } else { Err(problems) }
    }

    /// The report as its form's fields: what [`VisitReport::from_form`] reads back.
    pub fn to_form(&self) -> Vec<(String, String)> {
        let mut form = vec![("visited_on".to_string(), self.visited_on.map(|d| d.to_string()).unwrap_or_default())];
        for speaker in Speaker::ALL {
            form.push((format!("spoken_{}", speaker.code()), self.spoken_with.get(*speaker).to_string()));
        }
        for (area, text) in &self.observations {
            form.push((format!("area_{area}"), text.clone()));
        }
        for (code, finding) in &self.findings {
            form.push((format!("judgement_{code}"), finding.judgement.code().to_string()));
            for (n, quote) in finding.quotes.iter().enumerate() {
                form.push((format!("quote_{code}_{}", n + 1), quote.text.clone()));
                form.push((format!("quote_{code}_{}_from", n + 1), quote.from.code().to_string()));
            }
        }
        form.push(("summary".to_string(), self.summary.clone()));
        form
    }

    /// Reads the report's form: `visited_on`, `spoken_<speaker>`, `area_<code>`,
    /// `judgement_<code>`, `quote_<code>_<n>` with `quote_<code>_<n>_from`, `summary`.
    /// Every problem is reported against its field.
    pub fn from_form(form: &[(String, String)]) -> Result<VisitReport, Vec<Problem>> {
        let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("");
        let mut problems = Vec::new();
        let mut report = VisitReport::default();
        let day = field("visited_on").trim();
        if !day.is_empty() {
            match crate::PlausibleDate::parse(day) {
                Ok(d) => report.visited_on = Some(d.date()),
                Err(e) => problems.push(problem("visited_on", e.message_for("day of the visit"))),
            }
        }
        for speaker in Speaker::ALL {
            let name = format!("spoken_{}", speaker.code());
            let raw = field(&name).trim();
            match raw.parse::<u16>() {
                _ if raw.is_empty() => {}
                Ok(n) if n <= MAX_SPOKEN_WITH => *report.spoken_with.slot(*speaker) = n,
                _ => problems
                    .push(problem(&name, format!("Enter how many, as a whole number from 0 to {MAX_SPOKEN_WITH}"))),
            }
        }
        for q in &OUTCOME_QUESTIONS {
            let name = format!("area_{}", q.code);
            match checked_text(field(&name), MAX_TEXT) {
                Ok(text) if text.is_empty() => {}
                Ok(text) => {
                    report.observations.insert(q.code.into(), text);
                }
                Err(message) => problems.push(problem(&name, message)),
            }
        }
        for s in &EXPERT_STATEMENTS {
            match statement_from_form(s.code, &field) {
                Ok(Some(finding)) => {
                    report.findings.insert(s.code.into(), finding);
                }
                Ok(None) => {}
                Err(mut more) => problems.append(&mut more),
            }
        }
        match checked_text(field("summary"), MAX_TEXT) {
            Ok(text) => report.summary = text,
            Err(message) => problems.push(problem("summary", message)),
        }
        if problems.is_empty() { Ok(report) } else { Err(problems) }
    }
}

fn statement_from_form<'a>(
    code: &str,
    field: &impl Fn(&str) -> &'a str,
) -> Result<Option<StatementFinding>, Vec<Problem>> {
    let mut problems = Vec::new();
    let judgement_field = format!("judgement_{code}");
    let judgement = match field(&judgement_field).trim() {
        "" => None,
        raw => match Judgement::parse(raw) {
            Ok(j) => Some(j),
            Err(_) => {
                problems.push(problem(&judgement_field, "Choose one of the four judgements"));
                None
            }
        },
    };
    let mut quotes = Vec::new();
    for n in 1..=MAX_QUOTES {
        let name = format!("quote_{code}_{n}");
        let text = match checked_text(field(&name), MAX_QUOTE) {
            Ok(text) if text.is_empty() => continue,
            Ok(text) => text,
            Err(message) => {
                problems.push(problem(&name, message));
                continue;
            }
        };
        if let Some(what) = identifying(&text) {
            problems.push(problem(&name, format!("Take out the {what}: quotes must not identify anyone")));
            continue;
        }
        let from_field = format!("{name}_from");
        match Speaker::parse(field(&from_field)) {
            Ok(from) => quotes.push(Quote { from, text }),
            Err(_) => problems.push(problem(&from_field, "Say who said it: the kind of person, never a name")),
        }
    }
    if judgement.is_none() && !quotes.is_empty() {
        problems.push(problem(&judgement_field, "Choose a judgement for the statement these quotes are about"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(judgement.map(|judgement| StatementFinding { judgement, quotes }))
}

/// Text in paragraphs, within `max` characters and without control characters.
fn checked_text(raw: &str, max: usize) -> Result<String, String> {
    let text = text_block(raw).trim().to_string();
    if text.chars().count() > max {
        return Err(format!("Shorten this to {max} characters or fewer"));
    }
    if crate::check_text(&text).is_err() {
        return Err("Remove the control characters pasted into this text".into());
    }
    Ok(text)
}

/// The kind of identifying detail a quote holds, if it holds one we can spot: an
/// email address, a phone number, a postcode, or a title with a name ("Mrs Patel").
/// Names on their own cannot be spotted: the form asks for none, and the provider's
/// factual-accuracy window is a second pair of eyes.
pub fn identifying(text: &str) -> Option<&'static str> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let email = |w: &&str| w.split_once('@').is_some_and(|(a, b)| !a.is_empty() && b.contains('.'));
    let postcode = |w: &str| {
        Postcode::parse(w).is_ok_and(|p| {
            p.as_str().split(' ').next().is_some_and(|out| out.len() <= 4 && out.chars().any(|c| c.is_ascii_digit()))
        })
    };
    let title = |w: &str| {
        ["mr", "mrs", "ms", "miss", "dr", "nurse", "sister"].contains(&w.trim_end_matches('.').to_lowercase().as_str())
    };
    let capitalised = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
    if words.iter().any(email) {
        Some("email address")
    } else if longest_digit_run(text) >= 9 {
        Some("phone number")
    } else if words.iter().any(|w| postcode(w)) || words.windows(2).any(|p| postcode(&format!("{}{}", p[0], p[1]))) {
        Some("postcode")
    } else if words.windows(2).any(|p| title(p[0]) && capitalised(p[1])) {
        Some("name")
    } else {
        None
    }
}

/// The most digits in a row, counting spaces, dashes, brackets and plus signs as part of the run.
fn longest_digit_run(text: &str) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in text.chars() {
        if c.is_ascii_digit() {
            run += 1;
            best = best.max(run);
        } else if !matches!(c, ' ' | '-' | '(' | ')' | '+') {
            run = 0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn the_form_reads_into_a_report_and_each_problem_names_its_field() {
        let report = VisitReport::from_form(&form(&[
            ("visited_on", "2026-11-03"),
            ("spoken_person", "6"),
            ("spoken_staff", "3"),
            ("area_safe", "  People said they felt safe at night.  "),
            ("judgement_safe", "good"),
            ("quote_safe_1", "The night staff always check on me"),
            ("quote_safe_1_from", "person"),
            ("summary", "A warm home."),
        ]))
        .unwrap();
        assert_eq!(report.visited_on, Some(day(3)));
        assert_eq!(report.spoken_with.total(), 9);
        assert_eq!(report.spoken_with.describe(), "6 people who use the service, 3 staff");
        assert_eq!(report.observations["safe"], "People said they felt safe at night.");
        assert_eq!(report.findings["safe"].judgement, Judgement::Good);
        assert_eq!(report.findings["safe"].quotes[0].from, Speaker::Person);
        assert_eq!(report.ready(day(5)), Ok(()));
        assert_eq!(VisitReport::from_form(&report.to_form()), Ok(report.clone()), "the form round-trips");
        assert!(report.ready(day(2)).is_err(), "not before the visit");

        let problems = VisitReport::from_form(&form(&[
            ("visited_on", "yesterday"),
            ("spoken_family", "-1"),
            ("quote_home_1", "Mrs Patel keeps her room lovely"),
            ("quote_home_1_from", "family"),
            ("quote_time_2", "Ring me on 0113 496 0000"),
            ("quote_time_2_from", "person"),
            ("quote_leaders_1", "She is always about"),
            ("judgement_choice", "brilliant"),
        ]))
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert!(fields.contains(&"visited_on"), "{fields:?}");
        let long_ago = VisitReport::from_form(&form(&[("visited_on", "0001-01-01")])).unwrap_err();
        assert_eq!(long_ago[0].field, "visited_on", "an implausible day is refused");
        assert!(fields.contains(&"spoken_family"), "{fields:?}");
        assert!(fields.contains(&"quote_home_1"), "a name: {fields:?}");
        assert!(fields.contains(&"quote_time_2"), "a phone number: {fields:?}");
        assert!(fields.contains(&"quote_leaders_1_from"), "who said it: {fields:?}");
        assert!(fields.contains(&"judgement_choice"), "{fields:?}");
    }

    #[test]
    fn identifying_details_are_spotted() {
        assert_eq!(identifying("write to jo@example.org"), Some("email address"));
        assert_eq!(identifying("call 07700 900123"), Some("phone number"));
        assert_eq!(identifying("I live at LS1 4AP"), Some("postcode"));
        assert_eq!(identifying("Dr Okafor comes on Tuesdays"), Some("name"));
        assert_eq!(identifying("The carers are lovely and I have lived here 12 years"), None);
    }

    #[test]
    fn changes_are_part_by_part_and_a_challenge_names_the_part() {
        let before = VisitReport { summary: "Warm.".into(), ..VisitReport::default() };
        let mut after = before.clone();
        after.observations.insert("dignity".into(), "Doors were knocked on.".into());
        after.findings.insert("home".into(), StatementFinding { judgement: Judgement::SomeShortfalls, quotes: vec![] });
        let changes = before.changes_to(&after);
        let parts: Vec<String> = changes.iter().map(|c| c.part().code()).collect();
        assert_eq!(parts, ["area:dignity", "statement:home"]);
        let mut applied = before.clone();
        changes.iter().for_each(|c| applied.apply(c));
        assert_eq!(applied, after);
        assert!(VisitPart::Statement("home".into()).covered_by("statement:home"));
        assert!(!VisitPart::Statement("home".into()).covered_by("summary"));
        assert_eq!(VisitPart::parse("area:safe"), Some(VisitPart::Area("safe".into())));
        assert_eq!(VisitPart::parse("area:unknown"), None);
        assert_eq!(after.describe(&VisitPart::Statement("home".into())), "Some shortfalls; no quotes");
    }

    #[test]
    fn every_statement_is_evidence_for_real_quality_statements() {
        for s in &EXPERT_STATEMENTS {
            for q in s.statements {
                assert!(crate::practice::QualityStatement::parse(q).is_ok(), "{q}");
            }
        }
    }
}
