//! Improvement plans: after a finding (a quality statement scored 1 or 2, a
//! watchlist flag, a poor rating, an upheld complaint), a provider plans actions,
//! each with an owner, a due date, a status and evidence of completion, and
//! reflects on the journey. The rules here: what a finding and an action must
//! hold, which status changes are allowed (done needs evidence, dropped needs a
//! reason), when an action is overdue, and which evidence files are accepted,
//! judged by their content and never by their name alone.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ParseError;

/// The largest evidence file accepted.
pub const MAX_EVIDENCE_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_TEXT_CHARS: usize = 4000;
pub const MAX_OWNER_CHARS: usize = 200;
pub const MAX_REFERENCE_CHARS: usize = 60;

coded_enum!(
    /// What a plan responds to.
    FindingKind, "finding kind", "expected statement, watchlist, rating, complaint or other" {
        Statement => "statement", "Quality statement scored 1 or 2";
        Watchlist => "watchlist", "Watchlist flag";
        Rating => "rating", "Rating";
        Complaint => "complaint", "Upheld complaint";
        Other => "other", "Other finding";
    }
);

coded_enum!(
    /// Where an action is.
    ActionStatus, "action status", "expected not_started, in_progress, done or dropped" {
        NotStarted => "not_started", "Not started";
        InProgress => "in_progress", "In progress";
        Done => "done", "Done";
        Dropped => "dropped", "Dropped";
    }
);

impl ActionStatus {
    /// Done or dropped: nothing more is expected of it.
    pub fn is_closed(self) -> bool {
        matches!(self, ActionStatus::Done | ActionStatus::Dropped)
    }
}

/// A problem with one field of what was sent, worded for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

impl Problem {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Problem { field, message: message.into() }
    }
}

/// One finding a plan responds to. `reference` names it where it has a name: the
/// statement code (`S1`), the watchlist code, the rating, the complaint reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Finding {
    pub kind: FindingKind,
    pub reference: String,
    pub text: String,
}

impl Finding {
    /// Checks a finding as typed or chosen. Complaints need their reference;
    /// "other" findings need their text; every finding needs some words.
    pub fn parse(kind: &str, reference: &str, text: &str) -> Result<Finding, Problem> {
        let kind = FindingKind::parse(kind).map_err(|_| Problem::new("kind", "Choose what kind of finding this is"))?;
        let (reference, text) = (reference.trim(), text.trim());
        if kind == FindingKind::Complaint && reference.is_empty() {
            return Err(Problem::new("complaint_reference", "Enter the complaint's reference number"));
        }
        if reference.chars().count() > MAX_REFERENCE_CHARS {
            return Err(Problem::new(
                "reference",
                format!("Keep the reference under {MAX_REFERENCE_CHARS} characters"),
            ));
        }
        if text.is_empty() {
            let field = if kind == FindingKind::Complaint { "complaint_text" } else { "other_text" };
            return Err(Problem::new(field, "Describe the finding in a few words"));
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(Problem::new("other_text", format!("Keep the finding under {MAX_TEXT_CHARS} characters")));
        }
        Ok(Finding { kind, reference: reference.to_string(), text: text.to_string() })
    }

    /// "Quality statement S1: Learning culture".
    pub fn headline(&self) -> String {
        if self.reference.is_empty() {
            format!("{}: {}", self.kind.label(), self.text)
        } else {
            format!("{} {}: {}", self.kind.label(), self.reference, self.text)
        }
    }
}

/// A plan's title, checked.
pub fn parse_title(title: &str) -> Result<String, Problem> {
    let title = title.trim();
    if title.is_empty() {
        return Err(Problem::new("title", "Enter a title for the plan"));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(Problem::new("title", format!("Keep the title under {MAX_TITLE_CHARS} characters")));
    }
    Ok(title.to_string())
}

/// A [`PlausibleDate`](crate::PlausibleDate), such as 2026-03-31.
pub fn parse_date(field: &'static str, label: &str, value: &str) -> Result<NaiveDate, Problem> {
    if value.trim().is_empty() {
        return Err(Problem::new(field, format!("Enter the {label}")));
    }
    crate::PlausibleDate::parse(value)
        .map(crate::PlausibleDate::date)
        .map_err(|e| Problem::new(field, e.message_for(label)))
}

/// A statement code's shape (`S1`, `W8`); whether it exists is the framework's to say.
pub fn parse_statement_code(value: &str) -> Result<String, ParseError> {
    let v = value.trim().to_ascii_uppercase();
    let mut chars = v.chars();
    let ok = matches!(chars.next(), Some('S' | 'E' | 'C' | 'R' | 'W'))
        && matches!(chars.next(), Some('1'..='9'))
        && chars.next().is_none();
    if ok { Ok(v) } else { Err(ParseError::new("quality statement", value, "expected a code like S1 or W3")) }
}

/// An action as typed, every field still text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RawAction {
    pub finding: String,
    pub statement: String,
    pub description: String,
    pub owner: String,
    pub due_on: String,
}

/// An action's details, checked: which of the plan's findings it answers, the
/// statement it improves, what will be done, by whom and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ActionDetails {
    pub finding_id: i64,
    pub statement: String,
    pub description: String,
    pub owner: String,
    pub due_on: NaiveDate,
}

impl ActionDetails {
    /// Every problem at once. `findings` are the plan's finding IDs; a due date
    /// in the past is allowed (a plan may be written up after the fact).
    pub fn parse(raw: &RawAction, findings: &[i64]) -> Result<ActionDetails, Vec<Problem>> {
        let mut problems = Vec::new();
        let finding_id = raw.finding.trim().parse::<i64>().ok().filter(|id| findings.contains(id));
        if finding_id.is_none() {
            problems.push(Problem::new("finding", "Choose the finding this action answers"));
        }
        let statement = parse_statement_code(&raw.statement).ok();
        if statement.is_none() {
            problems.push(Problem::new("statement", "Choose the quality statement this action improves"));
        }
        let description = raw.description.trim();
        if description.is_empty() {
            problems.push(Problem::new("description", "Describe what will be done"));
        } else if description.chars().count() > MAX_TEXT_CHARS {
            problems
                .push(Problem::new("description", format!("Keep the description under {MAX_TEXT_CHARS} characters")));
        }
        let owner = raw.owner.trim();
        if owner.is_empty() {
            problems.push(Problem::new("owner", "Enter who owns this action, by name or role"));
        } else if owner.chars().count() > MAX_OWNER_CHARS {
            problems.push(Problem::new("owner", format!("Keep the owner under {MAX_OWNER_CHARS} characters")));
        }
        let due_on = parse_date("due_on", "due date", &raw.due_on).map_err(|p| problems.push(p)).ok();
        match (finding_id, statement, due_on) {
            (Some(finding_id), Some(statement), Some(due_on)) if problems.is_empty() => Ok(ActionDetails {
                finding_id,
                statement,
                description: description.to_string(),
                owner: owner.to_string(),
                due_on,
            }),
            _ => Err(problems),
        }
    }
}

/// Whether an action is overdue on `today`: still open and its due date passed.
pub fn is_overdue(status: ActionStatus, due_on: NaiveDate, today: NaiveDate) -> bool {
    !status.is_closed() && due_on < today
}

/// Whether an action may move from `from` to `to`. Done needs evidence of
/// completion (a note or a file); dropped needs a reason; a closed action may
/// be reopened (to in progress) when more work is found to be needed.
pub fn check_status_change(
    from: ActionStatus,
    to: ActionStatus,
    evidence_items: usize,
    reason: &str,
) -> Result<(), Problem> {
    if from == to {
        return Err(Problem::new("status", format!("The action is already {}", to.label().to_lowercase())));
    }
    match to {
        ActionStatus::Done if evidence_items == 0 => {
            Err(Problem::new("status", "Add evidence of completion (a note or a file) before marking the action done"))
        }
        ActionStatus::Dropped if reason.trim().is_empty() => {
            Err(Problem::new("reason", "Give the reason for dropping the action"))
        }
        _ if reason.chars().count() > MAX_TEXT_CHARS => {
            Err(Problem::new("reason", format!("Keep the reason under {MAX_TEXT_CHARS} characters")))
        }
        _ => Ok(()),
    }
}

/// The reflection on the improvement journey: its sections, each with a hint.
pub const REFLECTION_SECTIONS: [(&str, &str, &str); 10] = [
    (
        "reaction",
        "Reaction to the finding",
        "How you, your staff and the people you support first reacted to the finding, and what you made of it.",
    ),
    ("approach", "Approach", "How you went about improving: who led it, how you decided what to do first."),
    (
        "support",
        "Support asked for and received",
        "Who you asked for help (the local authority, peers, specialists) and what help you received.",
    ),
    ("obstacles", "Obstacles", "What got in the way, and what you did about it."),
    (
        "involvement",
        "How people were involved",
        "How staff, the people you support and their families, and partners took part in the improvement.",
    ),
    ("improvements", "Tangible improvements", "What is different now that anyone visiting could see."),
    (
        "outcomes",
        "Outcomes for people",
        "What has changed for the people you support: their safety, experience and what matters to them.",
    ),
    ("lessons", "Lessons", "What you learned that others could use."),
    ("sustaining", "Sustaining it", "How you will keep the improvement going, and how you will know it has slipped."),
    ("top_five", "Top five actions", "The five actions that made the most difference, one a line."),
];

/// The reflection's text by section code; blank sections are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct Reflection(pub BTreeMap<String, String>);

impl Reflection {
    /// Takes the known sections from `value(code)`; unknown codes never get in.
    pub fn parse(value: impl Fn(&str) -> String) -> Result<Reflection, Vec<Problem>> {
        let mut sections = BTreeMap::new();
        let mut problems = Vec::new();
        for (code, label, _) in REFLECTION_SECTIONS {
            let text = value(code).trim().to_string();
            if text.chars().count() > MAX_TEXT_CHARS {
                problems.push(Problem::new(code, format!("{label}: keep it under {MAX_TEXT_CHARS} characters")));
            } else if !text.is_empty() {
                sections.insert(code.to_string(), text);
            }
        }
        if problems.is_empty() { Ok(Reflection(sections)) } else { Err(problems) }
    }

    pub fn get(&self, code: &str) -> &str {
        self.0.get(code).map_or("", String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The kinds of evidence file accepted, each recognised by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Text,
    Csv,
}

impl FileKind {
    pub const ALL: [FileKind; 5] = [FileKind::Pdf, FileKind::Png, FileKind::Jpeg, FileKind::Text, FileKind::Csv];

    /// The media type the file is served with.
    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Text => "text/plain; charset=utf-8",
            FileKind::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Png => "png",
            FileKind::Jpeg => "jpg",
            FileKind::Text => "txt",
            FileKind::Csv => "csv",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FileKind::Pdf => "PDF",
            FileKind::Png => "PNG image",
            FileKind::Jpeg => "JPEG image",
            FileKind::Text => "Plain text",
            FileKind::Csv => "CSV",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Png => "png",
            FileKind::Jpeg => "jpeg",
            FileKind::Text => "text",
            FileKind::Csv => "csv",
        }
    }

    pub fn parse(code: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What the refusal of a file says is accepted.
pub const ACCEPTED_FILES: &str = "PDF, PNG or JPEG images, or plain text or CSV files, up to 5 MB";

/// An evidence file that passed the checks, with what is kept about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    pub name: String,
    pub kind: FileKind,
    pub size: u64,
    /// Lower-case hex.
    pub sha256: String,
}

/// Checks an uploaded file: not empty, at most [`MAX_EVIDENCE_BYTES`], and one of
/// the accepted kinds by its content. A program or web page renamed `.pdf` is
/// refused; text must be UTF-8 without control characters and must not be HTML
/// (a browser could be talked into running it).
pub fn check_file(name: &str, bytes: &[u8]) -> Result<CheckedFile, String> {
    let name = clean_file_name(name);
    if bytes.is_empty() {
        return Err(format!("{name} is empty: choose the file again"));
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(format!("{name} is larger than 5 MB: send a smaller file, or split it"));
    }
    let kind = sniff(&name, bytes).ok_or_else(|| {
        format!("{name} is not a file we accept: send {ACCEPTED_FILES}. Its name does not count, only what it holds")
    })?;
    let sha256 = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    Ok(CheckedFile { name: named_for(&name, kind), kind, size: bytes.len() as u64, sha256 })
}

/// The kind of file by its first bytes; text by being clean UTF-8 that is not HTML.
pub fn sniff(name: &str, bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(b"%PDF-") {
        return Some(FileKind::Pdf);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(FileKind::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(FileKind::Jpeg);
    }
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).ok()?;
    let control = text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0C'));
    if control || looks_like_markup(text) {
        return None;
    }
    let csv = name.to_ascii_lowercase().ends_with(".csv");
    Some(if csv { FileKind::Csv } else { FileKind::Text })
}

/// Markup a browser might render: a leading tag, or a script or page element anywhere.
fn looks_like_markup(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.trim_start().starts_with('<')
        || ["<script", "<html", "<!doctype", "<svg", "<iframe", "<body", "javascript:"]
            .iter()
            .any(|t| lower.contains(t))
}

/// The last part of a path, without control characters or quotes, at most 120
/// characters; "evidence" when nothing is left.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String =
        base.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | ';' | '<' | '>')).take(120).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() { "evidence".to_string() } else { cleaned.to_string() }
}

/// The name with the extension its content calls for (a PNG called `report.pdf`
/// becomes `report.pdf.png`), so that it opens as what it is.
fn named_for(name: &str, kind: FileKind) -> String {
    let lower = name.to_ascii_lowercase();
    let fits = match kind {
        FileKind::Jpeg => lower.ends_with(".jpg") || lower.ends_with(".jpeg"),
        FileKind::Text => lower.ends_with(".txt") || lower.ends_with(".text") || lower.ends_with(".md"),
        other => lower.ends_with(&format!(".{}", other.extension())),
    };
    if fits { name.to_string() } else { format!("{name}.{}", kind.extension()) }
}

/// An evidence note, checked.
pub fn parse_note(field: &'static str, note: &str, required: bool) -> Result<String, Problem> {
    let note = note.trim();
    if required && note.is_empty() {
        return Err(Problem::new(field, "Write the evidence note, or choose a file"));
    }
    if note.chars().count() > MAX_TEXT_CHARS {
        return Err(Problem::new(field, format!("Keep the note under {MAX_TEXT_CHARS} characters")));
    }
    Ok(note.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn files_are_recognised_by_content_not_name() {
        assert_eq!(sniff("a.bin", b"%PDF-1.7\n..."), Some(FileKind::Pdf));
        assert_eq!(sniff("a.pdf", b"\x89PNG\r\n\x1a\n\0\0"), Some(FileKind::Png));
        assert_eq!(sniff("a.txt", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some(FileKind::Jpeg));
        assert_eq!(
            sniff("notes.txt", "Audit done 3 March: 12/12 care plans reviewed.\n".as_bytes()),
            Some(FileKind::Text)
        );
        assert_eq!(sniff("audit.CSV", b"\xEF\xBB\xBFmonth,score\n2026-01,8\n"), Some(FileKind::Csv));
    }

    #[test]
    fn programs_and_web_pages_are_refused_whatever_their_name() {
        let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF\0\0";
        assert_eq!(sniff("report.pdf", exe), None);
        let err = check_file("report.pdf", exe).unwrap_err();
        assert!(err.contains("PDF, PNG or JPEG images, or plain text or CSV"), "{err}");
        assert_eq!(sniff("notes.txt", b"<html><body>hi</body></html>"), None);
        assert_eq!(sniff("notes.txt", b"  <!DOCTYPE html>"), None);
        assert_eq!(sniff("data.csv", b"a,b\n1,<script>alert(1)</script>\n"), None);
        assert_eq!(sniff("pic.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>"), None);
        assert_eq!(sniff("latin1.txt", b"caf\xE9"), None, "not UTF-8");
    }

    #[test]
    fn the_size_limit_is_five_megabytes_exactly() {
        let mut at_limit = b"%PDF-".to_vec();
        at_limit.resize(MAX_EVIDENCE_BYTES, b'x');
        let ok = check_file("big.pdf", &at_limit).unwrap();
        assert_eq!(ok.size, MAX_EVIDENCE_BYTES as u64);
        at_limit.push(b'x');
        assert!(check_file("big.pdf", &at_limit).unwrap_err().contains("larger than 5 MB"));
        assert!(check_file("empty.pdf", b"").unwrap_err().contains("is empty"));
    }

    #[test]
    fn checked_files_keep_a_clean_name_and_their_hash() {
        let file = check_file("C:\\Users\\me\\audit \"final\".txt", b"abc").unwrap();
        assert_eq!(file.name, "audit final.txt");
        assert_eq!(file.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(check_file("photo.pdf", b"\x89PNG\r\n\x1a\n").unwrap().name, "photo.pdf.png");
        assert_eq!(check_file("../..", b"abc").unwrap().name, "evidence.txt");
    }

    #[test]
    fn open_actions_past_their_due_date_are_overdue() {
        let due = day(2026, 3, 31);
        assert!(!is_overdue(ActionStatus::InProgress, due, due), "due today is not overdue");
        assert!(is_overdue(ActionStatus::InProgress, due, day(2026, 4, 1)));
        assert!(is_overdue(ActionStatus::NotStarted, due, day(2026, 4, 1)));
        assert!(!is_overdue(ActionStatus::Done, due, day(2026, 4, 1)));
        assert!(!is_overdue(ActionStatus::Dropped, due, day(2027, 1, 1)));
    }

    #[test]
    fn done_needs_evidence_and_dropped_needs_a_reason() {
        use ActionStatus::*;
        let err = check_status_change(InProgress, Done, 0, "").unwrap_err();
        assert!(err.message.contains("Add evidence"), "{}", err.message);
        assert!(check_status_change(InProgress, Done, 1, "").is_ok());
        assert_eq!(check_status_change(InProgress, Dropped, 0, "  ").unwrap_err().field, "reason");
        assert!(check_status_change(NotStarted, Dropped, 0, "Replaced by action 4").is_ok());
        assert!(check_status_change(Done, InProgress, 1, "").is_ok(), "reopening is allowed");
        assert!(check_status_change(Done, Done, 1, "").is_err());
    }

    #[test]
    fn actions_are_checked_field_by_field() {
        let raw = RawAction {
            finding: "7".into(),
            statement: "s1".into(),
            description: "Weekly medicines audit".into(),
            owner: "Deputy manager".into(),
            due_on: "2026-05-01".into(),
        };
        let ok = ActionDetails::parse(&raw, &[7]).unwrap();
        assert_eq!((ok.statement.as_str(), ok.due_on), ("S1", day(2026, 5, 1)));
        let bad = RawAction { finding: "8".into(), statement: "X9".into(), due_on: "2026-02-30".into(), ..raw };
        let fields: Vec<&str> = ActionDetails::parse(&bad, &[7]).unwrap_err().iter().map(|p| p.field).collect();
        assert_eq!(fields, ["finding", "statement", "due_on"]);
        let empty = ActionDetails::parse(&RawAction::default(), &[7]).unwrap_err();
        assert_eq!(empty.len(), 5);
    }

    #[test]
    fn findings_need_words_and_complaints_their_reference() {
        let f = Finding::parse("statement", "S1", "Learning culture scored 2").unwrap();
        assert_eq!(f.headline(), "Quality statement scored 1 or 2 S1: Learning culture scored 2");
        assert_eq!(Finding::parse("complaint", "", "Missed visits").unwrap_err().field, "complaint_reference");
        assert_eq!(Finding::parse("other", "", " ").unwrap_err().field, "other_text");
        assert_eq!(Finding::parse("nonsense", "", "x").unwrap_err().field, "kind");
    }

    #[test]
    fn the_reflection_keeps_known_sections_only() {
        let r = Reflection::parse(|code| if code == "lessons" { " Ask families early ".into() } else { String::new() })
            .unwrap();
        assert_eq!(r.get("lessons"), "Ask families early");
        assert_eq!(r.0.len(), 1);
        let long = Reflection::parse(|_| "x".repeat(MAX_TEXT_CHARS + 1)).unwrap_err();
        assert_eq!(long.len(), REFLECTION_SECTIONS.len());
    }
}
