//! What each screen of the feedback form shows, and the pages after it: the
//! thank-you page and the person's own view through their return link.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use candour_domain::voice::{
    Helper, Level, MAX_PERSONAL_OUTCOMES, NOT_APPLICABLE, Overall, Progress, Question, RawFeedback, Relation,
    Respondent, not_applicable_label,
};
use candour_store::{FeedbackStatus, OwnFeedback};

use super::form::{self, Step};
use super::public::{ReplyView, day};
use super::{HONEYPOT, Service, form_href, return_href};
use candour_app::voice::REMINDER_WEEKS;

use crate::charts::progress_svg;
use crate::error::{WebError, render};
use crate::forms::RadioGroup;
use crate::forms::{ErrorLink, Field, FormErrors, value};
use crate::views::location_href;

/// What every screen of one person's form shares.
pub struct Screen<'a> {
    pub service: &'a Service,
    pub key: &'a str,
    pub csrf_token: &'a str,
}

#[derive(Template)]
#[template(path = "feedback/step.html")]
struct StepPage {
    title: String,
    service_name: String,
    service_href: String,
    action: String,
    csrf_token: String,
    key: String,
    step: String,
    changing: bool,
    hidden: Vec<Hidden>,
    progress: Option<String>,
    errors: Vec<ErrorLink>,
    /// Why sending was refused for now (a rate limit), with the answers kept.
    refusal: Option<String>,
    body: Body,
    first: bool,
    honeypot: &'static str,
}

struct Hidden {
    name: String,
    value: String,
}

/// The question (or questions) one screen asks.
enum Body {
    Choice(RadioGroup),
    Outcomes { legend: &'static str, inputs: Vec<Field> },
    Story(Field),
    Contact { anonymous: RadioGroup, details: Vec<Field> },
    Check(Vec<CheckRow>),
}

/// A line of "check your answers", with the button that goes back to change it.
struct CheckRow {
    key: String,
    value: String,
    change: String,
    change_label: String,
}

impl Screen<'_> {
    /// Draws `step` with the answers so far and any problems with it.
    pub fn show(
        &self,
        step: Step,
        raw: &RawFeedback,
        errors: &FormErrors,
        changing: bool,
        status: StatusCode,
    ) -> Response {
        render(status, &self.page(step, raw, errors, changing, None))
    }

    /// The check screen again, answers kept, saying why sending must wait.
    pub fn refused(&self, raw: &RawFeedback, refusal: &WebError) -> Response {
        let mut response = render(
            refusal.status(),
            &self.page(Step::Check, raw, &FormErrors::default(), false, Some(refusal.message())),
        );
        if let WebError::TooManyRequests { retry_after_secs } | WebError::ServiceBusy { retry_after_secs } = refusal {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        response
    }

    fn page(
        &self,
        step: Step,
        raw: &RawFeedback,
        errors: &FormErrors,
        changing: bool,
        refusal: Option<String>,
    ) -> StepPage {
        let respondent = Respondent::parse(&raw.respondent).ok();
        let steps = form::sequence(respondent);
        let position = steps.iter().position(|s| *s == step).unwrap_or(0);
        let (heading, body) = body(step, raw, respondent, errors);
        StepPage {
            title: errors.title(&format!("{heading} – Feedback about {}", self.service.name)),
            service_name: self.service.name.clone(),
            service_href: location_href(self.service.id.as_str()),
            action: form_href(&self.service.id),
            csrf_token: self.csrf_token.to_string(),
            key: self.key.to_string(),
            step: step.code(),
            changing,
            hidden: form::hidden(raw, step).into_iter().map(|(name, value)| Hidden { name, value }).collect(),
            // The number of screens is known once the person has said who they are.
            progress: respondent.map(|_| format!("Step {} of {}", position + 1, steps.len())),
            errors: errors.links(),
            refusal,
            body,
            first: step == Step::Respondent,
            honeypot: HONEYPOT,
        }
    }
}

/// The screen's heading (for the page title) and what it asks.
fn body(step: Step, raw: &RawFeedback, respondent: Option<Respondent>, errors: &FormErrors) -> (String, Body) {
    let speaks_for_someone = respondent.is_some_and(|r| r != Respondent::Person);
    match step {
        Step::Respondent => {
            let choices = Respondent::ALL.iter().map(|r| choice(r.code(), r.label()));
            let group = RadioGroup::new("respondent", "respondent", "Who are you?", choices, &raw.respondent, errors)
                .hint("Choose the one that fits you best.");
            ("Who are you?".to_string(), Body::Choice(group))
        }
        Step::Relation => {
            let choices = Relation::ALL.iter().map(|r| choice(r.code(), r.label()));
            let legend = "Who do you speak for?";
            let group = RadioGroup::new("relation", "relation", legend, choices, &raw.relation, errors)
                .hint("So that we can ask about them by name, like \"Does your mother feel safe?\". We do not keep it. You can leave it blank.");
            (legend.to_string(), Body::Choice(group))
        }
        Step::Helper => {
            let choices = std::iter::once(choice("none", "No, I am filling this in myself"))
                .chain(Helper::ALL.iter().map(|h| choice(h.code(), h.label())));
            let legend = "Is someone helping you fill this in?";
            let group = RadioGroup::new("helper", "helper", legend, choices, &raw.helper, errors)
                .hint("For example an advocate, a member of staff or someone in your family who is with you now.");
            (legend.to_string(), Body::Choice(group))
        }
        Step::Overall => {
            let choices = Overall::ALL.iter().map(|o| choice(o.code(), o.label()));
            let legend = "Overall, how was your experience of this service?";
            let group = RadioGroup::new("overall", "overall", legend, choices, &raw.overall, errors);
            (legend.to_string(), Body::Choice(group))
        }
        Step::Question(q) => {
            let asked = q.asked(respondent, Relation::parse(&raw.relation).ok());
            (asked.clone(), Body::Choice(question_group(q, asked, respondent, raw, errors)))
        }
        Step::Outcomes => {
            let legend = if speaks_for_someone {
                "What matters most to the person you speak for?"
            } else {
                "What matters most to you?"
            };
            (legend.to_string(), Body::Outcomes { legend, inputs: outcome_inputs(raw, errors) })
        }
        Step::Story => {
            let field = Field::new("story", "Tell us about your experience", "text", "off")
                .hint(
                    "What was good, and what could be better? Write as much or as little as you like. \
                     Please do not write anyone's name: say \u{201c}a carer\u{201d} or \u{201c}my mum\u{201d} instead.",
                )
                .value(raw.story.clone())
                .errors(errors);
            ("Tell us about your experience".to_string(), Body::Story(field))
        }
        Step::Contact => {
            let legend = "Do you want to stay anonymous to the service?";
            let choices = [
                choice("yes", "Yes, do not tell the service who I am"),
                choice("no", "No, the service can know my name"),
            ];
            let current = if raw.anonymous.is_empty() { "yes" } else { raw.anonymous.as_str() };
            let anonymous = RadioGroup::new("anonymous", "anonymous", legend, choices, current, errors);
            (legend.to_string(), Body::Contact { anonymous, details: contact_fields(raw, errors) })
        }
        Step::Check => ("Check your answers before sending".to_string(), Body::Check(check_rows(raw, respondent))),
    }
}

fn choice(value: &str, label: &str) -> (String, String, Option<String>) {
    (value.to_string(), label.to_string(), None)
}

/// A question on four levels, with "doesn't apply" last and its easy-read words as
/// the hint, in the respondent's words (about the person they speak for, if they do).
fn question_group(
    q: &'static Question,
    asked: String,
    respondent: Option<Respondent>,
    raw: &RawFeedback,
    errors: &FormErrors,
) -> RadioGroup {
    let name = format!("answers.{}", q.code);
    let wording = q.wording(respondent);
    let choices = Level::ALL
        .iter()
        .map(|l| choice(l.code(), l.label_for(respondent)))
        .chain([choice(NOT_APPLICABLE, not_applicable_label(respondent))]);
    let current = raw.answers.get(q.code).map_or("", String::as_str);
    RadioGroup::new(
        name,
        crate::forms::feedback_input_id(&format!("answers.{}", q.code)),
        asked,
        choices,
        current,
        errors,
    )
    .hint(format!("In easy words: {}.", wording.easy_read))
}

fn outcome_inputs(raw: &RawFeedback, errors: &FormErrors) -> Vec<Field> {
    const LABELS: [&str; MAX_PERSONAL_OUTCOMES] = ["First thing", "Second thing", "Third thing"];
    LABELS
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let id = form::outcome_input(i + 1);
            let value = raw.personal_outcomes.get(i).cloned().unwrap_or_default();
            Field::new(id, format!("{label} (optional)"), "text", "off").value(value).errors(errors)
        })
        .collect()
}

fn contact_fields(raw: &RawFeedback, errors: &FormErrors) -> Vec<Field> {
    vec![
        Field::new("contact_name", "Your name (optional)", "text", "name")
            .value(raw.contact_name.clone())
            .errors(errors),
        Field::new("contact_email", "Your email address (optional)", "email", "email")
            .value(raw.contact_email.clone())
            .errors(errors),
        Field::new("contact_phone", "Your phone number (optional)", "tel", "tel")
            .value(raw.contact_phone.clone())
            .errors(errors),
    ]
}

fn check_rows(raw: &RawFeedback, respondent: Option<Respondent>) -> Vec<CheckRow> {
    let row = |key: &str, value: String, step: Step, what: &str| CheckRow {
        key: key.to_string(),
        value,
        change: format!("change:{}", step.code()),
        change_label: what.to_string(),
    };
    let mut rows = vec![row(
        "Who you are",
        respondent.map_or_else(|| "Not answered".to_string(), |r| r.label().to_string()),
        Step::Respondent,
        "who you are",
    )];
    if respondent == Some(Respondent::Person) {
        rows.push(row(
            "Who is helping you",
            form::helper_label(&raw.helper).to_string(),
            Step::Helper,
            "who is helping",
        ));
    }
    rows.push(row("Overall", form::overall_label(&raw.overall), Step::Overall, "your overall answer"));
    for q in respondent.map_or(&[][..], Respondent::questions) {
        let answer = form::answer_label(raw.answers.get(q.code).map_or("", String::as_str), respondent);
        let text = q.asked(respondent, Relation::parse(&raw.relation).ok());
        rows.push(row(&text, answer, Step::Question(q), &text));
    }
    if respondent.is_some_and(Respondent::has_personal_outcomes) {
        let outcomes =
            if raw.personal_outcomes.is_empty() { "None given".to_string() } else { raw.personal_outcomes.join("\n") };
        rows.push(row("What matters most", outcomes, Step::Outcomes, "what matters most"));
    }
    let story = if raw.story.trim().is_empty() { "Nothing written".to_string() } else { raw.story.trim().to_string() };
    rows.push(row("Your story", story, Step::Story, "your story"));
    let anonymous = if raw.anonymous == "no" { "No, the service can know my name" } else { "Yes" };
    rows.push(row("Anonymous to the service", anonymous.to_string(), Step::Contact, "whether you are anonymous"));
    let contact: Vec<&str> = [&raw.contact_name, &raw.contact_email, &raw.contact_phone]
        .into_iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    let contact = if contact.is_empty() { "None given".to_string() } else { contact.join("\n") };
    rows.push(row("Your contact details", contact, Step::Contact, "your contact details"));
    rows
}

// ---------------------------------------------------------------- thank you

#[derive(Template)]
#[template(path = "feedback/thanks.html")]
pub struct ThanksPage {
    title: &'static str,
    service_name: String,
    service_href: String,
    reference: Option<String>,
    return_url: Option<String>,
    has_outcomes: bool,
}

impl ThanksPage {
    pub fn of(own: &OwnFeedback, return_url: String) -> Self {
        ThanksPage {
            title: "Thank you for your feedback",
            service_name: own.location_name.clone(),
            service_href: location_href(own.location_id.as_str()),
            reference: Some(own.reference.clone()),
            return_url: Some(return_url),
            has_outcomes: !own.personal_outcomes.is_empty(),
        }
    }

    /// The page the honeypot's "sent" shows: nothing was stored, so nothing to refer to.
    pub fn without_reference(service: &Service) -> Self {
        ThanksPage {
            title: "Thank you for your feedback",
            service_name: service.name.clone(),
            service_href: location_href(service.id.as_str()),
            reference: None,
            return_url: None,
            has_outcomes: false,
        }
    }
}

// ---------------------------------------------------------------- the return link

#[derive(Template)]
#[template(path = "feedback/own.html")]
pub struct OwnPage {
    title: String,
    service_name: String,
    service_href: String,
    reference: String,
    received: String,
    status: &'static str,
    status_text: &'static str,
    story: String,
    published_text: Option<String>,
    replies: Vec<ReplyView>,
    /// The outcomes followed, each with its form, then those no longer followed.
    outcomes: Vec<OutcomeForm>,
    retired: Vec<RetiredOutcome>,
    action: String,
    /// The form to name one more, while fewer than three are followed.
    new_outcome: Option<Field>,
    outcomes_action: String,
    /// The email reminder: set (what and when), or a form to ask for one.
    reminder: Option<String>,
    reminder_form: Option<(Field, RadioGroup)>,
    reminder_action: String,
    csrf_token: String,
    errors: Vec<ErrorLink>,
    notice: Option<&'static str>,
}

struct RetiredOutcome {
    text: String,
    since: String,
    history: Vec<(String, &'static str)>,
}

struct OutcomeForm {
    id: i64,
    text: String,
    retire_action: String,
    latest: Option<String>,
    /// With two ratings or more: how it has gone, drawn, and the same as a table.
    chart: Option<String>,
    history: Vec<(String, &'static str)>,
    group: RadioGroup,
}

/// The id of an outcome's progress radios, which its error links to.
pub fn progress_id(outcome: i64) -> String {
    format!("progress-{outcome}")
}

pub fn own_page(
    own: &OwnFeedback,
    key: &str,
    csrf_token: String,
    errors: &FormErrors,
    form: &[(String, String)],
    notice: Option<&'static str>,
) -> OwnPage {
    let (status, status_text) = status_words(own);
    let (followed, retired): (Vec<_>, Vec<_>) = own.personal_outcomes.iter().partition(|o| o.retired_at.is_none());
    let has_outcomes = !followed.is_empty();
    let room = followed.len() < MAX_PERSONAL_OUTCOMES && own.status != FeedbackStatus::Rejected;
    let new_outcome = room.then(|| {
        Field::new("new_outcome", "Something else that matters to you", "text", "off")
            .hint("For example \"go to church on Sundays\" or \"walk to the shop\". You can follow up to three.")
            .value(value(form, "new_outcome"))
            .errors(errors)
    });
    OwnPage {
        title: errors.title("Your feedback"),
        service_name: own.location_name.clone(),
        service_href: location_href(own.location_id.as_str()),
        reference: own.reference.clone(),
        received: day(own.received_at),
        status,
        status_text,
        story: own.story.clone(),
        published_text: own.published_text.clone().filter(|text| *text != own.story),
        replies: ReplyView::all_of(&own.replies),
        outcomes: followed.into_iter().map(|o| outcome_form(o, key, errors)).collect(),
        retired: retired.into_iter().map(retired_outcome).collect(),
        action: format!("{}/progress", return_href(key)),
        new_outcome,
        outcomes_action: format!("{}/outcomes", return_href(key)),
        reminder: own.reminder.as_ref().map(|r| {
            let every = REMINDER_WEEKS.iter().find(|(w, _)| *w == r.every_weeks).map_or("", |(_, words)| words);
            format!(
                "We will email {} ({}) to ask how things are going. The next reminder is due on {}.",
                r.email.as_str(),
                every.to_lowercase(),
                day(r.next_due_at)
            )
        }),
        reminder_form: (own.reminder.is_none() && has_outcomes).then(|| reminder_form(errors, form)),
        reminder_action: format!("{}/reminder", return_href(key)),
        csrf_token,
        errors: errors.links(),
        notice,
    }
}

fn status_words(own: &OwnFeedback) -> (&'static str, &'static str) {
    match own.status {
        FeedbackStatus::Pending => (
            "Waiting to be read",
            "A moderator reads everything people write before it is published. They take out names and \
             anything else that could identify someone.",
        ),
        FeedbackStatus::Published if own.story.trim().is_empty() => {
            ("Counted", "Your answers are counted in the figures on the service's page.")
        }
        FeedbackStatus::Published => (
            "Published",
            "Your story is on the service's page, and your answers are counted in its figures. \
             The service can reply to it there.",
        ),
        FeedbackStatus::Rejected => (
            "Not published",
            "A moderator decided not to publish this feedback, for example because it was not about this service. \
             It is not counted in the service's figures.",
        ),
    }
}

fn reminder_form(errors: &FormErrors, form: &[(String, String)]) -> (Field, RadioGroup) {
    let email = Field::new("reminder_email", "Your email address", "email", "email")
        .hint("We use it only for these reminders. The service never sees it.")
        .value(value(form, "reminder_email"))
        .errors(errors);
    let choices = REMINDER_WEEKS.iter().map(|(weeks, words)| choice(&weeks.to_string(), words));
    let current = match value(form, "reminder_weeks") {
        "" => "8",
        chosen => chosen,
    };
    let weeks = RadioGroup::new("reminder_weeks", "reminder_weeks", "How often?", choices, current, errors);
    (email, weeks)
}

fn history(outcome: &candour_store::PersonalOutcome) -> Vec<(String, &'static str)> {
    outcome.progress.iter().rev().map(|(at, p)| (day(*at), p.label())).collect()
}

fn retired_outcome(outcome: &candour_store::PersonalOutcome) -> RetiredOutcome {
    RetiredOutcome {
        text: outcome.text.clone(),
        since: outcome.retired_at.map(day).unwrap_or_default(),
        history: history(outcome),
    }
}

fn outcome_form(outcome: &candour_store::PersonalOutcome, key: &str, errors: &FormErrors) -> OutcomeForm {
    let id = progress_id(outcome.id);
    let choices = Progress::ALL.iter().map(|p| choice(p.code(), p.label()));
    let legend = format!("How is it going: {}?", outcome.text);
    let group = RadioGroup::new("progress", id, legend, choices, "", errors);
    let rated_often = outcome.progress.len() >= 2;
    OutcomeForm {
        id: outcome.id,
        text: outcome.text.clone(),
        retire_action: format!("{}/outcomes/{}/retire", return_href(key), outcome.id),
        latest: outcome.progress.last().map(|(at, p)| format!("{}, on {}", p.label(), day(*at))),
        chart: rated_often.then(|| progress_svg(&format!("history-{}", outcome.id), &outcome.text, &outcome.progress)),
        history: if rated_often {
            outcome.progress.iter().rev().map(|(at, p)| (day(*at), p.label())).collect()
        } else {
            Vec::new()
        },
        group,
    }
}

// ---------------------------------------------------------------- the card

#[derive(Template)]
#[template(path = "feedback/card.html")]
pub struct CardPage {
    title: String,
    service_name: String,
    reference: String,
    link: String,
    own_href: String,
    qr_href: String,
}

/// The return link on a card to print: the service, the reference, the link in full
/// and as a QR code.
pub fn card_page(own: &OwnFeedback, key: &str, public_url: &str) -> CardPage {
    let own_href = return_href(key);
    CardPage {
        title: "Your feedback card".to_string(),
        service_name: own.location_name.clone(),
        reference: own.reference.clone(),
        link: format!("{public_url}{own_href}"),
        qr_href: format!("{own_href}/card.svg"),
        own_href,
    }
}

// ---------------------------------------------------------------- stopping reminders

#[derive(Template)]
#[template(path = "feedback/stop_reminders.html")]
pub struct StopPage {
    title: String,
    action: String,
    csrf_token: String,
    /// `None` while asking; then whether a reminder was stopped.
    stopped: Option<bool>,
}

impl StopPage {
    pub fn asking(token: &str, csrf_token: String) -> Self {
        StopPage {
            title: "Stop reminders".into(),
            action: format!("/reminders/stop/{token}"),
            csrf_token,
            stopped: None,
        }
    }

    pub fn done(token: &str, csrf_token: String, stopped: bool) -> Self {
        StopPage { title: "Reminders stopped".into(), stopped: Some(stopped), ..StopPage::asking(token, csrf_token) }
    }
}
