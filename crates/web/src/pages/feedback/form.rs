//! The feedback form as a series of screens, one question each, that works
//! without JavaScript: every screen is a POST that checks just its own question,
//! carries the earlier answers forward in hidden inputs and draws the next
//! screen. The checks are [`Feedback::parse`]'s, each screen keeping the
//! problems with its own fields, so the screens and the final check never differ.

use candour_domain::voice::{
    Channel, Feedback, FeedbackError, Helper, MAX_PERSONAL_OUTCOMES, NOT_APPLICABLE, Overall, Question, RawFeedback,
    Respondent, not_applicable_label, question,
};

/// One screen of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Respondent,
    /// Whom a family member, friend or advocate speaks for, to word the questions.
    Relation,
    Helper,
    Overall,
    Question(&'static Question),
    Outcomes,
    Story,
    Contact,
    Check,
}

impl Step {
    /// The step's name in the form's hidden `step` input and in `change:` buttons.
    pub fn code(self) -> String {
        match self {
            Step::Respondent => "respondent".to_string(),
            Step::Relation => "relation".to_string(),
            Step::Helper => "helper".to_string(),
            Step::Overall => "overall".to_string(),
            Step::Question(q) => format!("answers.{}", q.code),
            Step::Outcomes => "outcomes".to_string(),
            Step::Story => "story".to_string(),
            Step::Contact => "contact".to_string(),
            Step::Check => "check".to_string(),
        }
    }

    /// The step named `code`, among those this respondent is shown.
    pub fn parse(code: &str, respondent: Option<Respondent>) -> Option<Step> {
        sequence(respondent).into_iter().find(|s| s.code() == code)
    }

    /// Whether a problem with `field` (a [`FeedbackError`] field) is shown on this step.
    fn owns(self, field: &str) -> bool {
        match self {
            Step::Respondent => field == "respondent",
            Step::Relation => field == "relation",
            Step::Helper => field == "helper",
            Step::Overall => field == "overall",
            Step::Question(q) => field.strip_prefix("answers.") == Some(q.code),
            Step::Outcomes => field.starts_with("personal_outcomes"),
            Step::Story => field == "story",
            Step::Contact => matches!(field, "anonymous" | "contact_name" | "contact_email" | "contact_phone"),
            Step::Check => false,
        }
    }
}

/// The screens this respondent goes through, in order. Only someone who uses the
/// service is asked who is helping them (assisted feedback); the questions and
/// personal outcomes follow from who is answering.
pub fn sequence(respondent: Option<Respondent>) -> Vec<Step> {
    let mut steps = vec![Step::Respondent];
    if respondent.is_some_and(Respondent::speaks_for_someone) {
        steps.push(Step::Relation);
    }
    if respondent == Some(Respondent::Person) {
        steps.push(Step::Helper);
    }
    steps.push(Step::Overall);
    if let Some(r) = respondent {
        steps.extend(r.questions().iter().map(Step::Question));
        if r.has_personal_outcomes() {
            steps.push(Step::Outcomes);
        }
    }
    steps.extend([Step::Story, Step::Contact, Step::Check]);
    steps
}

/// What the person asked for with the button they pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Go {
    /// Continue (also what pressing Enter does: it is the form's first button).
    Next,
    Back,
    /// Change one answer from the check-your-answers screen.
    Change(Step),
    Submit,
}

impl Go {
    pub fn parse(value: &str, respondent: Option<Respondent>) -> Option<Go> {
        match value {
            "" | "next" => Some(Go::Next),
            "back" => Some(Go::Back),
            "submit" => Some(Go::Submit),
            other => Step::parse(other.strip_prefix("change:")?, respondent).map(Go::Change),
        }
    }
}

/// Reads the answers carried in a submitted screen. Unknown questions are
/// dropped, and personal outcomes keep their order without the empty ones.
pub fn read(pairs: &[(String, String)]) -> RawFeedback {
    let mut raw = RawFeedback::default();
    let mut outcomes: Vec<(usize, &str)> = Vec::new();
    for (key, value) in pairs {
        let text = value.to_string();
        match key.as_str() {
            "respondent" => raw.respondent = text,
            "relation" => raw.relation = text,
            "helper" => raw.helper = text,
            "overall" => raw.overall = text,
            "story" => raw.story = text,
            "anonymous" => raw.anonymous = text,
            "contact_name" => raw.contact_name = text,
            "contact_email" => raw.contact_email = text,
            "contact_phone" => raw.contact_phone = text,
            other => {
                if let Some(code) = other.strip_prefix("answers.").filter(|code| question(code).is_some()) {
                    raw.answers.insert(code.to_string(), text);
                } else if let Some(slot) = outcome_slot(other) {
                    outcomes.push((slot, value));
                }
            }
        }
    }
    outcomes.sort_by_key(|(slot, _)| *slot);
    raw.personal_outcomes = outcomes.into_iter().map(|(_, v)| v.to_string()).filter(|v| !v.trim().is_empty()).collect();
    keep_what_applies(&mut raw);
    raw
}

/// The name (and id) of the input for personal outcome `slot` (from 1): the
/// id a problem with `personal_outcomes.{slot}` links to.
pub fn outcome_input(slot: usize) -> String {
    format!("personal_outcomes-{slot}")
}

/// `personal_outcomes-2` → 2, for the three inputs there are.
fn outcome_slot(key: &str) -> Option<usize> {
    let slot: usize = key.strip_prefix("personal_outcomes-")?.parse().ok()?;
    (1..=MAX_PERSONAL_OUTCOMES).contains(&slot).then_some(slot)
}

/// Someone who goes back and changes who they are loses the answers that no
/// longer apply: another set of questions, personal outcomes, or a helper.
fn keep_what_applies(raw: &mut RawFeedback) {
    let respondent = Respondent::parse(&raw.respondent).ok();
    let asked = |code: &str| respondent.is_some_and(|r| r.questions().iter().any(|q| q.code == code));
    raw.answers.retain(|code, _| asked(code));
    if !respondent.is_some_and(Respondent::has_personal_outcomes) {
        raw.personal_outcomes.clear();
    }
    if respondent != Some(Respondent::Person) {
        raw.helper.clear();
    }
    if !respondent.is_some_and(Respondent::speaks_for_someone) {
        raw.relation.clear();
    }
}

/// The problems with this step's answers, in the order of its fields.
pub fn problems(step: Step, raw: &RawFeedback) -> Vec<FeedbackError> {
    let mut errors: Vec<FeedbackError> = Feedback::parse(raw, Channel::Online)
        .err()
        .unwrap_or_default()
        .into_iter()
        .filter(|e| step.owns(&e.field))
        .collect();
    // The final check reads no answer as "nobody helped"; on its own screen the
    // person says so, so that nobody skips past the question by accident.
    if step == Step::Helper && raw.helper.trim().is_empty() {
        errors.push(FeedbackError {
            field: "helper".to_string(),
            message: "Choose who is helping you, or \"No, I am filling this in myself\"".to_string(),
        });
    }
    errors
}

/// The step a problem found by the final check is shown on.
pub fn step_of(field: &str, respondent: Option<Respondent>) -> Option<Step> {
    sequence(respondent).into_iter().find(|s| s.owns(field))
}

/// Where Continue goes from `step`. While changing an answer from the check
/// screen, it goes back there, unless the change left a later question unanswered
/// (another respondent type has other questions): then to that question first.
pub fn next(step: Step, raw: &RawFeedback, changing: bool) -> Step {
    let mut later = sequence(Respondent::parse(&raw.respondent).ok()).into_iter().skip_while(|s| *s != step).skip(1);
    let next = if changing { later.find(|s| !problems(*s, raw).is_empty()) } else { later.next() };
    next.unwrap_or(Step::Check)
}

/// Where Back goes from `step`: the screen before, or the check screen while changing an answer.
pub fn previous(step: Step, raw: &RawFeedback, changing: bool) -> Step {
    if changing {
        return Step::Check;
    }
    let steps = sequence(Respondent::parse(&raw.respondent).ok());
    let at = steps.iter().position(|s| *s == step).unwrap_or(0);
    steps[at.saturating_sub(1)]
}

/// The hidden inputs that carry every answer except those of the screen shown.
pub fn hidden(raw: &RawFeedback, shown: Step) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut carry = |step: Step, name: String, value: &str| {
        if step != shown && !value.is_empty() {
            fields.push((name, value.to_string()));
        }
    };
    carry(Step::Respondent, "respondent".into(), &raw.respondent);
    carry(Step::Relation, "relation".into(), &raw.relation);
    carry(Step::Helper, "helper".into(), &raw.helper);
    carry(Step::Overall, "overall".into(), &raw.overall);
    for (code, value) in &raw.answers {
        if let Some(q) = question(code) {
            carry(Step::Question(q), format!("answers.{code}"), value);
        }
    }
    for (i, outcome) in raw.personal_outcomes.iter().enumerate() {
        carry(Step::Outcomes, outcome_input(i + 1), outcome);
    }
    carry(Step::Story, "story".into(), &raw.story);
    carry(Step::Contact, "anonymous".into(), &raw.anonymous);
    carry(Step::Contact, "contact_name".into(), &raw.contact_name);
    carry(Step::Contact, "contact_email".into(), &raw.contact_email);
    carry(Step::Contact, "contact_phone".into(), &raw.contact_phone);
    fields
}

/// The words of an answer as the person chose it, for the check screen.
pub fn answer_label(value: &str, respondent: Option<Respondent>) -> String {
    match value.trim() {
        "" => "Not answered".to_string(),
        NOT_APPLICABLE => not_applicable_label(respondent).to_string(),
        v => candour_domain::voice::Level::parse(v)
            .map_or_else(|_| v.to_string(), |l| l.label_for(respondent).to_string()),
    }
}

pub fn overall_label(value: &str) -> String {
    Overall::parse(value).map_or_else(|_| "Not answered".to_string(), |o| o.label().to_string())
}

pub fn helper_label(value: &str) -> &'static str {
    match Helper::parse(value) {
        Ok(h) => h.label(),
        Err(_) => "Nobody, I am filling this in myself",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candour_domain::voice::{OUTCOME_QUESTIONS, STAFF_QUESTIONS};

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn each_respondent_sees_their_own_questions() {
        let person = sequence(Some(Respondent::Person));
        assert_eq!(person.len(), 1 + 1 + 1 + 8 + 1 + 3);
        assert_eq!(person[1], Step::Helper);
        assert_eq!(person[3], Step::Question(&OUTCOME_QUESTIONS[0]));
        let staff = sequence(Some(Respondent::Staff));
        assert!(!staff.contains(&Step::Helper) && !staff.contains(&Step::Outcomes));
        assert_eq!(staff[2], Step::Question(&STAFF_QUESTIONS[0]));
        assert_eq!(Step::parse("answers.safe", Some(Respondent::Family)), Some(Step::Question(&OUTCOME_QUESTIONS[1])));
        assert_eq!(Step::parse("answers.safe", Some(Respondent::Staff)), None, "not a staff question");
        assert_eq!(Go::parse("change:overall", None), Some(Go::Change(Step::Overall)));
        assert_eq!(Go::parse("change:nowhere", None), None);
    }

    #[test]
    fn reading_keeps_only_what_applies_to_the_respondent() {
        let raw = read(&pairs(&[
            ("respondent", "staff"),
            ("helper", "advocate"),
            ("answers.safe", "good_enough"),
            ("answers.speak_up", "not_at_all"),
            ("answers.made_up", "good_enough"),
            ("personal_outcomes-1", "walk to the shop"),
        ]));
        assert_eq!(raw.answers.keys().collect::<Vec<_>>(), ["speak_up"]);
        assert!(raw.helper.is_empty() && raw.personal_outcomes.is_empty());
    }

    #[test]
    fn personal_outcomes_keep_their_order_without_gaps() {
        let raw = read(&pairs(&[
            ("respondent", "person"),
            ("personal_outcomes-3", "see my grandson"),
            ("personal_outcomes-1", "go to church"),
            ("personal_outcomes-2", "  "),
            ("personal_outcomes-9", "ignored"),
            ("personal_outcomes.1", "not an input of the form"),
        ]));
        assert_eq!(raw.personal_outcomes, ["go to church", "see my grandson"]);
        let carried = hidden(&raw, Step::Story);
        assert!(carried.contains(&("personal_outcomes-2".to_string(), "see my grandson".to_string())));
        assert!(hidden(&raw, Step::Outcomes).iter().all(|(k, _)| !k.starts_with("personal_outcomes")));
    }

    #[test]
    fn a_step_reports_only_its_own_problems() {
        let raw = read(&pairs(&[("respondent", "person"), ("contact_email", "nope")]));
        assert!(problems(Step::Respondent, &raw).is_empty());
        let overall = problems(Step::Overall, &raw);
        assert_eq!(overall.len(), 1);
        assert_eq!(overall[0].field, "overall");
        assert_eq!(problems(Step::Helper, &raw)[0].field, "helper", "choosing nobody is an answer to give");
        assert_eq!(problems(Step::Contact, &raw)[0].field, "contact_email");
        assert_eq!(step_of("answers.dignity", Some(Respondent::Person)), Some(Step::Question(&OUTCOME_QUESTIONS[2])));
    }

    #[test]
    fn continue_goes_on_and_a_change_returns_to_the_check_screen() {
        let mut raw = read(&pairs(&[("respondent", "partner"), ("overall", "good")]));
        assert_eq!(next(Step::Overall, &raw, false), Step::Question(&candour_domain::voice::PARTNER_QUESTIONS[0]));
        assert_eq!(previous(Step::Overall, &raw, false), Step::Respondent);
        assert_eq!(previous(Step::Overall, &raw, true), Step::Check);
        raw.answers.insert("joint_working".into(), "good_enough".into());
        raw.answers.insert("transitions".into(), "not_applicable".into());
        assert_eq!(next(Step::Overall, &raw, true), Step::Check, "nothing left unanswered");
        raw.respondent = "staff".into();
        keep_what_applies(&mut raw);
        assert_eq!(next(Step::Respondent, &raw, true), Step::Question(&STAFF_QUESTIONS[0]), "new questions first");
    }
}
