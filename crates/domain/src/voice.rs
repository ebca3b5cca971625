//! People's voice: who speaks, the questions Candour asks (its own wording), and a
//! submitted piece of feedback checked field by field. The same [`RawFeedback`]
//! comes from the web form and the JSON API, so both validate alike.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ParseError;

/// The longest story we accept, in characters (about two sides of A4).
pub const MAX_STORY_CHARS: usize = 5000;
/// Up to three personal outcomes, each a short phrase.
pub const MAX_PERSONAL_OUTCOMES: usize = 3;
pub const MAX_PERSONAL_OUTCOME_CHARS: usize = 200;
/// Names, emails and phone numbers given as contact details, and who helped.
pub const MAX_CONTACT_CHARS: usize = 200;
/// No breakdown of fewer than this many responses is ever shown.
pub const MIN_RESPONSES_SHOWN: u32 = 5;
/// Published figures move in batches, so that reading them before and after one
/// response tells nothing of it: a service's snapshot is taken again only when at
/// least this many more responses have been published since its last one…
pub const SNAPSHOT_MIN_NEW: u32 = 5;
/// …and no sooner than this many hours after it.
pub const SNAPSHOT_MIN_HOURS: i64 = 24;

macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, $expected:literal { $($variant:ident => $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The words a person reads.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(value: &str) -> Result<Self, ParseError> {
                let v = value.trim();
                Self::ALL.iter().copied().find(|x| x.code() == v).ok_or_else(|| ParseError::new($what, value, $expected))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

coded_enum!(
    /// Who is giving the feedback. Each kind feeds its own evidence category.
    Respondent, "respondent type", "expected person, family, advocate, staff or partner" {
        Person => "person", "I use this service";
        Family => "family", "I am a family member or friend of someone who uses it";
        Advocate => "advocate", "I am an advocate for someone who uses it";
        Staff => "staff", "I work at this service";
        Partner => "partner", "I work with this service as a professional (for example a social worker, GP or commissioner)";
    }
);

impl Respondent {
    /// The evidence category this voice feeds (the framework's category code).
    pub fn evidence_category(self) -> &'static str {
        match self {
            Respondent::Person | Respondent::Family | Respondent::Advocate => "people_experience",
            Respondent::Staff => "staff_feedback",
            Respondent::Partner => "partner_feedback",
        }
    }

    /// The questions this respondent is asked, besides the overall one.
    pub fn questions(self) -> &'static [Question] {
        match self {
            Respondent::Person | Respondent::Family | Respondent::Advocate => &OUTCOME_QUESTIONS,
            Respondent::Staff => &STAFF_QUESTIONS,
            Respondent::Partner => &PARTNER_QUESTIONS,
        }
    }

    /// Who gave feedback, said of them (the labels speak as them).
    pub fn described(self) -> &'static str {
        match self {
            Respondent::Person => "Someone who uses the service",
            Respondent::Family => "A family member or friend",
            Respondent::Advocate => "An advocate",
            Respondent::Staff => "A member of staff",
            Respondent::Partner => "A professional who works with the service",
        }
    }

    /// People who use the service (or speak for them) may name personal outcomes.
    pub fn has_personal_outcomes(self) -> bool {
        self.evidence_category() == "people_experience"
    }

    /// A family member, friend or advocate answers about the person they speak for.
    pub fn speaks_for_someone(self) -> bool {
        matches!(self, Respondent::Family | Respondent::Advocate)
    }
}

coded_enum!(
    /// Whom a family member, friend or advocate speaks for: asked only to word the
    /// questions about them ("Does your mother feel safe?"). It is never kept.
    Relation, "relation", "expected one of the people listed" {
        Mother => "mother", "My mother";
        Father => "father", "My father";
        Wife => "wife", "My wife";
        Husband => "husband", "My husband";
        Partner => "partner", "My partner";
        Daughter => "daughter", "My daughter";
        Son => "son", "My son";
        Sister => "sister", "My sister";
        Brother => "brother", "My brother";
        Grandmother => "grandmother", "My grandmother";
        Grandfather => "grandfather", "My grandfather";
        Friend => "friend", "A friend";
        Other => "other", "Someone else";
    }
);

impl Relation {
    /// How a question names them: "your mother".
    pub fn who(self) -> &'static str {
        match self {
            Relation::Mother => "your mother",
            Relation::Father => "your father",
            Relation::Wife => "your wife",
            Relation::Husband => "your husband",
            Relation::Partner => "your partner",
            Relation::Daughter => "your daughter",
            Relation::Son => "your son",
            Relation::Sister => "your sister",
            Relation::Brother => "your brother",
            Relation::Grandmother => "your grandmother",
            Relation::Grandfather => "your grandfather",
            Relation::Friend => "your friend",
            Relation::Other => "the person you speak for",
        }
    }

    /// The pronouns that follow: (they, them, their).
    fn pronouns(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Relation::Mother | Relation::Wife | Relation::Daughter | Relation::Sister | Relation::Grandmother => {
                ("she", "her", "her")
            }
            Relation::Father | Relation::Husband | Relation::Son | Relation::Brother | Relation::Grandfather => {
                ("he", "him", "his")
            }
            Relation::Partner | Relation::Friend | Relation::Other => ("they", "them", "their"),
        }
    }
}

/// The outcome questions as asked of someone who speaks for a person, by code:
/// `{who}` is [`Relation::who`], and `{they}`, `{them}`, `{their}` its pronouns.
const ASKED_ABOUT: [(&str, &str); 8] = [
    ("choice", "Does {who} have choice and control over {their} day?"),
    ("safe", "Does {who} feel safe?"),
    ("dignity", "Is {who} treated with dignity and respect?"),
    ("listened", "Is {who} listened to and involved in decisions about {their} care?"),
    ("matters", "Does {who} do things that matter to {them}?"),
    ("in_touch", "Does {who} keep in touch with the people who matter to {them}?"),
    ("reliable", "Does {who} get reliable care: the right people, on time, who know {them}?"),
    ("information", "Does {who} get information {they} can understand?"),
];

coded_enum!(
    /// How the feedback reached us.
    Channel, "channel", "expected online, assisted, paper or api" {
        Online => "online", "Online form";
        Assisted => "assisted", "Online, with help";
        Paper => "paper", "Paper form, typed in by staff";
        Api => "api", "Sent through the API";
    }
);

coded_enum!(
    /// Who helped someone give feedback (assisted entry).
    Helper, "helper", "expected advocate, staff, family or other" {
        Advocate => "advocate", "An advocate";
        Staff => "staff", "A member of staff";
        Family => "family", "A family member or friend";
        Other => "other", "Someone else";
    }
);

coded_enum!(
    /// "Overall, how was your experience of this service?"
    Overall, "overall answer", "expected very_good, good, neither, poor, very_poor or dont_know" {
        VeryGood => "very_good", "Very good";
        Good => "good", "Good";
        Neither => "neither", "Neither good nor poor";
        Poor => "poor", "Poor";
        VeryPoor => "very_poor", "Very poor";
        DontKnow => "dont_know", "Don't know";
    }
);

impl Overall {
    /// `Some(true)` for very good and good; `None` for "don't know", which is left
    /// out of the denominator of % positive.
    pub fn positive(self) -> Option<bool> {
        match self {
            Overall::VeryGood | Overall::Good => Some(true),
            Overall::DontKnow => None,
            _ => Some(false),
        }
    }
}

coded_enum!(
    /// An answer to an outcome, staff or partner question. "Doesn't apply to me"
    /// is the absence of an answer ([`Answer::NotApplicable`]).
    Level, "answer", "expected just_as_i_want, good_enough, some_not_enough, not_at_all or not_applicable" {
        JustAsIWant => "just_as_i_want", "Just as I want";
        GoodEnough => "good_enough", "Good enough";
        SomeNotEnough => "some_not_enough", "Some, but not enough";
        NotAtAll => "not_at_all", "Not at all";
    }
);

impl Level {
    /// The answer in the words of this respondent: "Just as they want" from
    /// someone answering about the person they speak for.
    pub fn label_for(self, respondent: Option<Respondent>) -> &'static str {
        match self {
            Level::JustAsIWant if respondent.is_some_and(Respondent::speaks_for_someone) => "Just as they want",
            level => level.label(),
        }
    }

    /// 3 for "just as I want" down to 0 for "not at all".
    pub fn score(self) -> u8 {
        match self {
            Level::JustAsIWant => 3,
            Level::GoodEnough => 2,
            Level::SomeNotEnough => 1,
            Level::NotAtAll => 0,
        }
    }
}

/// The code of "doesn't apply to me".
pub const NOT_APPLICABLE: &str = "not_applicable";

/// "Doesn't apply to me", in the words of this respondent.
pub fn not_applicable_label(respondent: Option<Respondent>) -> &'static str {
    if respondent.is_some_and(Respondent::speaks_for_someone) { "Doesn't apply to them" } else { "Doesn't apply to me" }
}

coded_enum!(
    /// Progress on a personal outcome, rated on a later visit.
    Progress, "progress", "expected better, same or worse" {
        Better => "better", "Better";
        Same => "same", "About the same";
        Worse => "worse", "Worse";
    }
);

/// One more thing that matters to a person, named later through their return link:
/// trimmed, not empty, at most [`MAX_PERSONAL_OUTCOME_CHARS`] characters, no control characters.
pub fn personal_outcome_text(raw: &str) -> Result<String, &'static str> {
    let text = raw.trim();
    if text.is_empty() {
        return Err("Write what matters to you, for example \"walk to the shop\"");
    }
    if text.chars().count() > MAX_PERSONAL_OUTCOME_CHARS {
        return Err("Keep it under 200 characters");
    }
    crate::check_text(text).map_err(|_| "Use only letters, numbers and punctuation")?;
    Ok(text.to_string())
}

/// A rating of progress on one personal outcome counts towards the people's rating at
/// most once in this many days, so that a return link cannot pile up "better".
pub const PROGRESS_COUNTS_EVERY_DAYS: i64 = 90;

/// Whether a rating at `at` counts, after the latest counted rating of the same outcome.
pub fn progress_counts(last_counted: Option<DateTime<Utc>>, at: DateTime<Utc>) -> bool {
    last_counted.is_none_or(|last| at - last >= chrono::Duration::days(PROGRESS_COUNTS_EVERY_DAYS))
}

/// Which of one outcome's ratings count, given their times in order.
pub fn counted_progress(times: &[DateTime<Utc>]) -> Vec<bool> {
    let mut last = None;
    times
        .iter()
        .map(|&at| {
            let counts = progress_counts(last, at);
            if counts {
                last = Some(at);
            }
            counts
        })
        .collect()
}

/// One question on four levels, with the quality statements it is evidence for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    pub code: &'static str,
    /// As the person answers it about themselves.
    pub text: &'static str,
    /// The same question in easy-read words.
    pub easy_read: &'static str,
    /// As a family member, friend or advocate answers it about the person they
    /// speak for; `None` for questions asked only of people about themselves.
    pub about_them: Option<Wording>,
    pub statements: &'static [&'static str],
}

/// A question's words: plain, and easy-read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wording {
    pub text: &'static str,
    pub easy_read: &'static str,
}

impl Question {
    /// The question as the form asks it: about whom they speak for, by their
    /// relation, when a family member, friend or advocate has said who that is
    /// ("Does your mother feel safe?"); otherwise [`Question::wording`]'s text.
    pub fn asked(&self, respondent: Option<Respondent>, relation: Option<Relation>) -> String {
        let about = ASKED_ABOUT.iter().find(|(code, _)| *code == self.code).map(|(_, text)| *text);
        match (about, relation) {
            (Some(text), Some(relation)) if respondent.is_some_and(Respondent::speaks_for_someone) => {
                let (they, them, their) = relation.pronouns();
                let text = text.replace("{who}", relation.who()).replace("{their}", their).replace("{them}", them);
                text.replace("{they}", they)
            }
            _ => self.wording(respondent).text.to_string(),
        }
    }

    /// The question in the words for this respondent: about the person they speak
    /// for when a family member, friend or advocate answers.
    pub fn wording(&self, respondent: Option<Respondent>) -> Wording {
        match self.about_them {
            Some(about_them) if respondent.is_some_and(Respondent::speaks_for_someone) => about_them,
            _ => Wording { text: self.text, easy_read: self.easy_read },
        }
    }
}

/// The wording about the person someone speaks for.
const fn about_them(text: &'static str, easy_read: &'static str) -> Option<Wording> {
    Some(Wording { text, easy_read })
}

pub const OUTCOME_QUESTIONS: [Question; 8] = [
    Question {
        code: "choice",
        text: "I have choice and control over my day",
        easy_read: "I choose what I do each day",
        about_them: about_them(
            "The person I speak for has choice and control over their day",
            "They choose what they do each day",
        ),
        statements: &["C3", "R1"],
    },
    Question {
        code: "safe",
        text: "I feel safe",
        easy_read: "I feel safe here",
        about_them: about_them("The person I speak for feels safe", "They feel safe here"),
        statements: &["S3", "S4"],
    },
    Question {
        code: "dignity",
        text: "I am treated with dignity and respect",
        easy_read: "People are kind and respect me",
        about_them: about_them(
            "The person I speak for is treated with dignity and respect",
            "People are kind and respect them",
        ),
        statements: &["C1"],
    },
    Question {
        code: "listened",
        text: "I am listened to and involved in decisions about my care",
        easy_read: "People listen to me and ask me about my care",
        about_them: about_them(
            "The person I speak for is listened to and involved in decisions about their care",
            "People listen to them and ask them about their care",
        ),
        statements: &["R4", "R1"],
    },
    Question {
        code: "matters",
        text: "I do things that matter to me",
        easy_read: "I do things I enjoy and care about",
        about_them: about_them(
            "The person I speak for does things that matter to them",
            "They do things they enjoy and care about",
        ),
        statements: &["E4", "R1"],
    },
    Question {
        code: "in_touch",
        text: "I keep in touch with the people who matter to me",
        easy_read: "I see and talk to the people I love",
        about_them: about_them(
            "The person I speak for keeps in touch with the people who matter to them",
            "They see and talk to the people they love",
        ),
        statements: &["R2", "W6"],
    },
    Question {
        code: "reliable",
        text: "My care is reliable: the right people, on time, who know me",
        easy_read: "The right people come on time and know me",
        about_them: about_them(
            "The person I speak for gets reliable care: the right people, on time, who know them",
            "The right people come on time and know them",
        ),
        statements: &["R2", "S6"],
    },
    Question {
        code: "information",
        text: "I get information I can understand",
        easy_read: "I understand what people tell me and give me",
        about_them: about_them(
            "The person I speak for gets information they can understand",
            "They understand what people tell them and give them",
        ),
        statements: &["R3"],
    },
];

pub const STAFF_QUESTIONS: [Question; 4] = [
    Question {
        code: "speak_up",
        text: "I can speak up and I am listened to",
        easy_read: "I can say when something is wrong, and I am listened to",
        about_them: None,
        statements: &["W3"],
    },
    Question {
        code: "enough_staff",
        text: "There are enough of us to give good care",
        easy_read: "There are enough staff to care well",
        about_them: None,
        statements: &["S6"],
    },
    Question {
        code: "supervision",
        text: "I get the supervision and training I need",
        easy_read: "I get the support and training I need",
        about_them: None,
        statements: &["S6", "C5"],
    },
    Question {
        code: "managers_know",
        text: "Managers know what happens on the floor",
        easy_read: "Managers know what really happens day to day",
        about_them: None,
        statements: &["W2", "W5"],
    },
];

pub const PARTNER_QUESTIONS: [Question; 2] = [
    Question {
        code: "joint_working",
        text: "The service works well with us and other partners",
        easy_read: "The service works well with us",
        about_them: None,
        statements: &["E3", "W6"],
    },
    Question {
        code: "transitions",
        text: "People move safely into, out of and between services",
        easy_read: "People move safely between services",
        about_them: None,
        statements: &["S2"],
    },
];

/// Finds a question by its code among all three sets.
pub fn question(code: &str) -> Option<&'static Question> {
    OUTCOME_QUESTIONS.iter().chain(&STAFF_QUESTIONS).chain(&PARTNER_QUESTIONS).find(|q| q.code == code)
}

/// An answer to one question: a level, or "doesn't apply to me".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Answer {
    pub question: &'static str,
    pub level: Option<Level>,
}

/// Contact details, given only if the person wants a reply in private. Seen by
/// moderators; never by the provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: String,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        self.name.is_empty() && self.email.is_empty() && self.phone.is_empty()
    }
}

/// Feedback as it arrives, every field still text: from the form (one field per
/// key) or the API (JSON with the same keys; `answers` keyed by question code).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RawFeedback {
    pub respondent: String,
    /// Who helped, when someone filled the form in with the person (assisted).
    pub helper: String,
    pub overall: String,
    /// Question code → level code (or `not_applicable`).
    pub answers: std::collections::BTreeMap<String, String>,
    pub personal_outcomes: Vec<String>,
    pub story: String,
    /// `yes` (the default) keeps the respondent anonymous to the provider.
    pub anonymous: String,
    /// Whom a family member, friend or advocate speaks for ([`Relation`]), to word
    /// the questions; checked, then never kept.
    pub relation: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
}

/// A problem with one field, written for the person who filled it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FeedbackError {
    /// The field's key: `respondent`, `answers.safe`, `personal_outcomes.2`, `story`, …
    pub field: String,
    pub message: String,
}

/// Feedback that has passed every check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Feedback {
    pub respondent: Respondent,
    pub channel: Channel,
    pub helper: Option<Helper>,
    pub overall: Overall,
    /// One per question of the respondent's set, in its order.
    pub answers: Vec<Answer>,
    pub personal_outcomes: Vec<String>,
    /// Empty when the person wrote nothing.
    pub story: String,
    /// Anonymous to the provider. Contact details are never shown to the provider either way.
    pub anonymous: bool,
    pub contact: Contact,
}

impl Feedback {
    /// Whether a moderator must read it before it is published: only a response
    /// with text (a story or personal outcomes) has anything to read.
    pub fn needs_moderation(&self) -> bool {
        !self.story.is_empty() || !self.personal_outcomes.is_empty()
    }

    /// Checks every field and reports every problem at once. `channel` is decided
    /// by the route (a person online, staff typing in paper, the API); a form
    /// naming a helper turns online into assisted.
    pub fn parse(raw: &RawFeedback, channel: Channel) -> Result<Feedback, Vec<FeedbackError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: &str| {
            errors.push(FeedbackError { field: field.to_string(), message: message.to_string() })
        };
        let respondent = match raw.respondent.trim() {
            "" => {
                fail("respondent", "Choose who you are");
                None
            }
            v => Respondent::parse(v).map_err(|_| fail("respondent", "Choose one of the options listed")).ok(),
        };
        let helper = match raw.helper.trim() {
            "" | "none" => None,
            v => Helper::parse(v).map_err(|_| fail("helper", "Choose who helped from the options listed")).ok(),
        };
        if !raw.relation.trim().is_empty() && Relation::parse(&raw.relation).is_err() {
            fail("relation", "Choose who you speak for from the list, or leave it blank");
        }
        let overall = match raw.overall.trim() {
            "" => {
                fail("overall", "Choose how your experience was overall, or \"Don't know\"");
                None
            }
            v => Overall::parse(v).map_err(|_| fail("overall", "Choose one of the options listed")).ok(),
        };
        let mut answers = Vec::new();
        if let Some(respondent) = respondent {
            for q in respondent.questions() {
                let field = format!("answers.{}", q.code);
                match raw.answers.get(q.code).map(|v| v.trim()).unwrap_or("") {
                    "" => fail(&field, "Choose an answer, or \"Doesn't apply to me\""),
                    NOT_APPLICABLE => answers.push(Answer { question: q.code, level: None }),
                    v => match Level::parse(v) {
                        Ok(level) => answers.push(Answer { question: q.code, level: Some(level) }),
                        Err(_) => fail(&field, "Choose one of the options listed"),
                    },
                }
            }
            for code in raw.answers.keys() {
                if !respondent.questions().iter().any(|q| q.code == code) {
                    fail(&format!("answers.{code}"), "This question is not asked of you: leave it out");
                }
            }
        }
        let personal_outcomes: Vec<String> =
            raw.personal_outcomes.iter().map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect();
        if personal_outcomes.len() > MAX_PERSONAL_OUTCOMES {
            fail("personal_outcomes", "Name up to three things that matter to you");
        }
        for (i, o) in personal_outcomes.iter().enumerate() {
            if o.chars().count() > MAX_PERSONAL_OUTCOME_CHARS {
                fail(&format!("personal_outcomes.{}", i + 1), "Keep each one under 200 characters");
            }
        }
        if !personal_outcomes.is_empty() && respondent.is_some_and(|r| !r.has_personal_outcomes()) {
            fail(
                "personal_outcomes",
                "Personal outcomes are for people who use the service and those who speak for them",
            );
        }
        let story = raw.story.trim().to_string();
        if story.chars().count() > MAX_STORY_CHARS {
            fail("story", "Your story is too long: keep it under 5,000 characters");
        }
        let anonymous = match raw.anonymous.trim() {
            "" | "yes" | "true" => true,
            "no" | "false" => false,
            _ => {
                fail("anonymous", "Choose yes or no");
                true
            }
        };
        let contact = Contact {
            name: raw.contact_name.trim().to_string(),
            email: raw.contact_email.trim().to_string(),
            phone: raw.contact_phone.trim().to_string(),
        };
        for (field, value) in
            [("contact_name", &contact.name), ("contact_email", &contact.email), ("contact_phone", &contact.phone)]
        {
            if value.chars().count() > MAX_CONTACT_CHARS {
                fail(field, "This is too long: keep it under 200 characters");
            }
        }
        if !contact.email.is_empty() && crate::Email::parse(&contact.email).is_err() {
            fail("contact_email", "Enter an email address like name@example.com, or leave it empty");
        }
        if !contact.phone.is_empty() && !contact.phone.chars().all(|c| c.is_ascii_digit() || " +()-".contains(c)) {
            fail("contact_phone", "Enter a phone number using digits, spaces and +, or leave it empty");
        }
        if !anonymous && contact.is_empty() {
            fail("contact_name", "To be named to the provider, give at least your name");
        }
        let channel = if channel == Channel::Online && helper.is_some() { Channel::Assisted } else { channel };
        match (respondent, overall) {
            (Some(respondent), Some(overall)) if errors.is_empty() => Ok(Feedback {
                respondent,
                channel,
                helper,
                overall,
                answers,
                personal_outcomes,
                story,
                anonymous,
                contact,
            }),
            _ => Err(errors),
        }
    }

    /// The mean of the answered outcome items (0–3), never imputing the rest;
    /// `None` when every item was "doesn't apply".
    pub fn outcome_score(&self) -> Option<f64> {
        let scores: Vec<f64> = self.answers.iter().filter_map(|a| a.level).map(|l| f64::from(l.score())).collect();
        (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64)
    }
}

/// A moderator's judgement of how serious the most serious thing said is:
/// 0 none, 1 minimal, 2 mild, 3 moderate, 4 strong, 5 severe. 4 and 5 raise a
/// safeguarding alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "u8", into = "u8")]
pub struct Criticality(u8);

impl Criticality {
    pub const NONE: Criticality = Criticality(0);
    pub const STRONG: Criticality = Criticality(4);
    pub const SEVERE: Criticality = Criticality(5);

    pub fn new(level: u8) -> Result<Self, ParseError> {
        if level <= 5 {
            Ok(Criticality(level))
        } else {
            Err(ParseError::new("criticality", &level.to_string(), "expected a level from 0 to 5"))
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        value
            .trim()
            .parse::<u8>()
            .ok()
            .and_then(|n| Criticality::new(n).ok())
            .ok_or_else(|| ParseError::new("criticality", value, "expected a level from 0 to 5"))
    }

    pub fn level(self) -> u8 {
        self.0
    }

    pub fn label(self) -> &'static str {
        ["none", "minimal", "mild", "moderate", "strong", "severe"][self.0 as usize]
    }

    /// Whether this level raises a safeguarding alert.
    pub fn is_safeguarding(self) -> bool {
        self >= Criticality::STRONG
    }
}

impl TryFrom<u8> for Criticality {
    type Error = ParseError;
    fn try_from(level: u8) -> Result<Self, ParseError> {
        Criticality::new(level)
    }
}

impl From<Criticality> for u8 {
    fn from(c: Criticality) -> u8 {
        c.0
    }
}

impl fmt::Display for Criticality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.0, self.label())
    }
}

coded_enum!(
    /// What a provider's reply says changed.
    ChangeClaim, "change", "expected none, planned or made" {
        None => "none", "No change claimed";
        Planned => "planned", "Change planned";
        Made => "made", "Change made";
    }
);

/// One counted response, for the aggregates.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ResponseFacts {
    pub received_at: DateTime<Utc>,
    pub respondent: Respondent,
    pub channel: Channel,
    pub overall: Overall,
    /// Question code → 0–3, `None` for "doesn't apply".
    pub answers: Vec<(&'static str, Option<u8>)>,
}

/// One story (published or waiting) and how it was answered, for the aggregates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StoryFacts {
    pub received_at: DateTime<Utc>,
    pub published: bool,
    pub criticality: Option<Criticality>,
    /// The first published reply.
    pub first_reply_at: Option<DateTime<Utc>>,
    /// The strongest change claim among its published replies.
    pub change: Option<ChangeClaim>,
}

/// Everything the aggregates of one service are computed from, since a date.
/// Rejected responses are left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct VoiceFacts {
    pub responses: Vec<ResponseFacts>,
    pub stories: Vec<StoryFacts>,
    /// The latest progress rating of each personal outcome that has one.
    pub outcome_progress: Vec<Progress>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outcome_named_later_is_checked_like_the_first_ones() {
        assert_eq!(personal_outcome_text("  Walk to the shop "), Ok("Walk to the shop".to_string()));
        assert!(personal_outcome_text("   ").is_err());
        assert!(personal_outcome_text(&"y".repeat(201)).is_err());
        assert!(personal_outcome_text("bell\u{7}").is_err());
    }

    #[test]
    fn an_outcome_counts_once_in_any_ninety_days() {
        let day = |d: i64| DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::days(d);
        let monthly: Vec<_> = (0..7).map(|m| day(30 * m)).collect();
        assert_eq!(counted_progress(&monthly), [true, false, false, true, false, false, true]);
        assert_eq!(counted_progress(&[day(0), day(89), day(90), day(179)]), [true, false, true, false]);
        assert!(progress_counts(None, day(0)));
    }

    fn person() -> RawFeedback {
        RawFeedback {
            respondent: "person".into(),
            overall: "good".into(),
            answers: OUTCOME_QUESTIONS.iter().map(|q| (q.code.to_string(), "good_enough".to_string())).collect(),
            ..RawFeedback::default()
        }
    }

    #[test]
    fn a_complete_answer_parses_with_answers_in_question_order() {
        let mut raw = person();
        raw.answers.insert("safe".into(), "not_applicable".into());
        raw.answers.insert("dignity".into(), "just_as_i_want".into());
        let f = Feedback::parse(&raw, Channel::Online).unwrap();
        assert_eq!(f.answers.len(), 8);
        assert_eq!(f.answers[1], Answer { question: "safe", level: None });
        assert!(f.anonymous);
        // 6 × 2 + 3 over 7 answered items: "doesn't apply" is not imputed.
        assert!((f.outcome_score().unwrap() - 15.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn every_problem_is_reported_against_its_field() {
        let raw = RawFeedback {
            respondent: "staff".into(),
            overall: "great".into(),
            answers: [("choice".to_string(), "good_enough".to_string())].into(),
            personal_outcomes: vec!["a".into()],
            story: "x".repeat(MAX_STORY_CHARS + 1),
            contact_email: "not-an-email".into(),
            ..RawFeedback::default()
        };
        let errors = Feedback::parse(&raw, Channel::Online).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for field in [
            "overall",
            "answers.speak_up",
            "answers.enough_staff",
            "answers.choice",
            "personal_outcomes",
            "story",
            "contact_email",
        ] {
            assert!(fields.contains(&field), "{field} missing from {fields:?}");
        }
    }

    #[test]
    fn missing_answers_and_named_without_contact_are_refused() {
        let raw = RawFeedback { anonymous: "no".into(), ..RawFeedback::default() };
        let errors = Feedback::parse(&raw, Channel::Online).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["respondent", "overall", "contact_name"]);
    }

    #[test]
    fn a_helper_makes_online_feedback_assisted() {
        let mut raw = person();
        raw.helper = "advocate".into();
        let f = Feedback::parse(&raw, Channel::Online).unwrap();
        assert_eq!((f.channel, f.helper), (Channel::Assisted, Some(Helper::Advocate)));
        assert_eq!(Feedback::parse(&raw, Channel::Paper).unwrap().channel, Channel::Paper);
    }

    #[test]
    fn too_many_or_too_long_personal_outcomes_are_refused() {
        let mut raw = person();
        raw.personal_outcomes = vec!["a".into(), "b".into(), "c".into(), "d".into()];
        assert!(Feedback::parse(&raw, Channel::Online).is_err());
        raw.personal_outcomes = vec!["walk to the shop".into(), "y".repeat(201), "  ".into()];
        let errors = Feedback::parse(&raw, Channel::Online).unwrap_err();
        assert_eq!(errors[0].field, "personal_outcomes.2");
    }

    #[test]
    fn positive_leaves_dont_know_out_and_levels_score_three_to_zero() {
        assert_eq!(Overall::DontKnow.positive(), None);
        assert_eq!(Overall::Good.positive(), Some(true));
        assert_eq!(Overall::Neither.positive(), Some(false));
        let scores: Vec<u8> = Level::ALL.iter().map(|l| l.score()).collect();
        assert_eq!(scores, [3, 2, 1, 0]);
    }

    #[test]
    fn criticality_is_zero_to_five_and_four_up_is_safeguarding() {
        assert!(Criticality::parse("6").is_err());
        assert!(Criticality::parse("-1").is_err());
        assert!(!Criticality::parse("3").unwrap().is_safeguarding());
        assert!(Criticality::parse("4").unwrap().is_safeguarding());
        assert_eq!(serde_json::to_string(&Criticality::SEVERE).unwrap(), "5");
        assert!(serde_json::from_str::<Criticality>("9").is_err());
    }

    #[test]
    fn every_question_maps_to_real_statements() {
        for q in OUTCOME_QUESTIONS.iter().chain(&STAFF_QUESTIONS).chain(&PARTNER_QUESTIONS) {
            assert!(!q.statements.is_empty());
            assert_eq!(question(q.code), Some(q));
        }
    }

    #[test]
    fn someone_speaking_for_another_is_asked_about_them_not_about_themselves() {
        // Apart from naming who they speak of, nothing in the first person.
        let first_person = |text: &str| {
            text.replace("The person I speak for", "").split([' ', ':', ',']).any(|w| ["I", "me", "my"].contains(&w))
        };
        for q in OUTCOME_QUESTIONS {
            for who in [Respondent::Family, Respondent::Advocate] {
                let wording = q.wording(Some(who));
                assert!(!first_person(wording.text) && !first_person(wording.easy_read), "{}: {wording:?}", q.code);
            }
            assert_eq!(q.wording(Some(Respondent::Person)).text, q.text);
            assert_eq!(q.wording(None).text, q.text);
        }
        assert_eq!(OUTCOME_QUESTIONS[1].wording(Some(Respondent::Family)).text, "The person I speak for feels safe");
        assert_eq!(Level::JustAsIWant.label_for(Some(Respondent::Family)), "Just as they want");
        assert_eq!(not_applicable_label(Some(Respondent::Advocate)), "Doesn't apply to them");
        assert_eq!(not_applicable_label(Some(Respondent::Person)), "Doesn't apply to me");
    }

    #[test]
    fn a_relative_is_asked_about_the_person_by_their_relation() {
        let (safe, reliable) = (&OUTCOME_QUESTIONS[1], &OUTCOME_QUESTIONS[6]);
        let family = Some(Respondent::Family);
        assert_eq!(safe.asked(family, Some(Relation::Mother)), "Does your mother feel safe?");
        assert_eq!(
            reliable.asked(family, Some(Relation::Son)),
            "Does your son get reliable care: the right people, on time, who know him?"
        );
        assert_eq!(
            OUTCOME_QUESTIONS[0].asked(Some(Respondent::Advocate), Some(Relation::Other)),
            "Does the person you speak for have choice and control over their day?"
        );
        assert_eq!(safe.asked(family, None), "The person I speak for feels safe", "without a relation");
        assert_eq!(
            safe.asked(Some(Respondent::Person), Some(Relation::Mother)),
            "I feel safe",
            "a person speaks for themselves"
        );
        for q in OUTCOME_QUESTIONS {
            for relation in Relation::ALL {
                let text = q.asked(family, Some(*relation));
                assert!(!text.contains('{') && text.ends_with('?'), "{text}");
            }
        }
        let raw = RawFeedback { relation: "aunt".into(), ..RawFeedback::default() };
        let errors = Feedback::parse(&raw, Channel::Online).unwrap_err();
        assert!(errors.iter().any(|e| e.field == "relation"), "{errors:?}");
    }
}
