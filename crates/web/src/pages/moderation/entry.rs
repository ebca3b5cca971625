//! Feedback typed in by staff: from a paper form, or given there and then with
//! the person's help. One page with every question of a respondent group, made
//! for a desktop; checked by the same rules as the public form, and recorded with
//! its channel and who typed it in. The submission key is made when the page is
//! drawn, so sending the same page twice stores one response.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_app::voice::VoiceError;
use candour_domain::Action;
use candour_domain::voice::{Channel, Feedback, Helper, Level, NOT_APPLICABLE, Overall, RawFeedback, Respondent};
use candour_store::LocationDetail;
use chrono::Utc;
use serde::Deserialize;

use super::voice_failure;
use crate::auth::SignedIn;
use crate::error::{PageError, WebError, render};
use crate::forms::{ErrorLink, Field, FormErrors, pairs, value};
use crate::forms::{RadioGroup, plain};
use crate::pages::chrome::{Chrome, Crumb};
use crate::state::AppState;

/// Whose form is being typed in: each group has its own questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    People,
    Staff,
    Partners,
}

impl Group {
    const ALL: [Group; 3] = [Group::People, Group::Staff, Group::Partners];

    fn parse(code: &str) -> Option<Group> {
        match code.trim() {
            "" | "people" => Some(Group::People),
            "staff" => Some(Group::Staff),
            "partners" => Some(Group::Partners),
            _ => None,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Group::People => "people",
            Group::Staff => "staff",
            Group::Partners => "partners",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Group::People => "People who use the service, families and advocates",
            Group::Staff => "Staff",
            Group::Partners => "Partners",
        }
    }

    fn respondents(self) -> &'static [Respondent] {
        match self {
            Group::People => &[Respondent::Person, Respondent::Family, Respondent::Advocate],
            Group::Staff => &[Respondent::Staff],
            Group::Partners => &[Respondent::Partner],
        }
    }
}

#[derive(Template)]
#[template(path = "moderation/entry.html")]
struct EntryPage {
    title: String,
    chrome: Chrome,
    errors: Vec<ErrorLink>,
    notice: Option<String>,
    name: String,
    action: String,
    key: String,
    group: &'static str,
    tabs: Vec<Tab>,
    channel: RadioGroup,
    helper: RadioGroup,
    respondent: RadioGroup,
    overall: RadioGroup,
    questions: Vec<RadioGroup>,
    outcomes: Vec<Field>,
    story: Field,
    anonymous: RadioGroup,
    contact: Vec<Field>,
}

struct Tab {
    label: &'static str,
    href: String,
    current: bool,
}

#[derive(Deserialize, Default)]
pub struct EntryParams {
    group: Option<String>,
    saved: Option<String>,
    duplicate: Option<String>,
}

/// `GET /manage/locations/{id}/feedback/new?group=people`
pub async fn form(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    query: Result<Query<EntryParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let detail =
        state.app.voice.location(&who.actor(), &raw_id, Action::Write).await.map_err(|e| voice_failure(&who, e))?;
    let params = query.map(|q| q.0).unwrap_or_default();
    let group = Group::parse(params.group.as_deref().unwrap_or(""))
        .ok_or_else(|| WebError::bad_request("Choose people, staff or partners"))?;
    let notice = params.saved.map(|reference| match params.duplicate {
        Some(_) => format!("That form had already been saved, as {reference}. It is stored once."),
        None => format!("Saved, as {reference}. A moderator reads it before anything is published. You can type in the next one below."),
    });
    let key = candour_app::voice::new_submission_key();
    let page = entry_page(&who, &detail, group, &key, notice, &FormErrors::default(), &[]);
    Ok(render(StatusCode::OK, &page))
}

fn entry_page(
    who: &SignedIn,
    detail: &LocationDetail,
    group: Group,
    key: &str,
    notice: Option<String>,
    errors: &FormErrors,
    form: &[(String, String)],
) -> EntryPage {
    let id = &detail.location.id;
    let name = detail.location.name.clone();
    let fresh = form.is_empty();
    let chosen = |field: &str, default: &'static str| -> String {
        if fresh { default.to_string() } else { value(form, field).to_string() }
    };
    let respondents = group.respondents();
    let only_respondent = if respondents.len() == 1 { respondents[0].code() } else { "" };
    let questions = respondents[0]
        .questions()
        .iter()
        .map(|q| {
            let name = format!("answers.{}", q.code);
            let levels = Level::ALL.iter().map(|l| (l.code(), l.label())).chain([(NOT_APPLICABLE, "Doesn't apply")]);
            RadioGroup::new(&name, format!("answers-{}", q.code), q.text, plain(levels), value(form, &name), errors)
        })
        .collect();
    let outcomes = if respondents[0].has_personal_outcomes() {
        (1..=3)
            .map(|n| {
                let id = format!("personal_outcomes-{n}");
                Field::new(id.clone(), format!("What matters to them, {n} of 3"), "text", "off")
                    .value(value(form, &id))
                    .errors(errors)
            })
            .collect()
    } else {
        Vec::new()
    };
    EntryPage {
        title: errors.title(&format!("Type in feedback about {name}")),
        chrome: Chrome::with(
            who,
            vec![Crumb::new("Manage", "/manage"), Crumb::new(name.clone(), format!("/manage/locations/{id}"))],
            "Type in feedback",
        ),
        errors: errors.links(),
        notice,
        action: format!("/manage/locations/{id}/feedback/new"),
        key: key.to_string(),
        group: group.code(),
        tabs: Group::ALL
            .iter()
            .map(|g| Tab {
                label: g.label(),
                href: format!("/manage/locations/{id}/feedback/new?group={}", g.code()),
                current: *g == group,
            })
            .collect(),
        channel: RadioGroup::new(
            "channel",
            "channel",
            "How was this feedback given?",
            plain([
                ("paper", "On a paper form, typed in now"),
                ("assisted", "Now, with the person, who told me their answers"),
            ]),
            &chosen("channel", "paper"),
            errors,
        ),
        helper: RadioGroup::new(
            "helper",
            "helper",
            "Who helped them give it?",
            plain(std::iter::once(("none", "No one")).chain(Helper::ALL.iter().map(|h| (h.code(), h.label())))),
            &chosen("helper", "none"),
            errors,
        )
        .hint("If you are typing it in with the person, you are helping: choose \"A member of staff\"."),
        respondent: RadioGroup::new(
            "respondent",
            "respondent",
            "Who gave the feedback?",
            plain(respondents.iter().map(|r| (r.code(), r.label()))),
            &chosen("respondent", only_respondent),
            errors,
        ),
        overall: RadioGroup::new(
            "overall",
            "overall",
            "Overall, how was their experience of this service?",
            plain(Overall::ALL.iter().map(|o| (o.code(), o.label()))),
            value(form, "overall"),
            errors,
        ),
        questions,
        outcomes,
        story: Field::new("story", "Their story, in their own words", "text", "off")
            .hint("Type it as written. A moderator removes names before anything is published.")
            .value(value(form, "story"))
            .errors(errors),
        anonymous: RadioGroup::new(
            "anonymous",
            "anonymous",
            "Do they want to stay anonymous to the provider?",
            plain([("yes", "Yes, keep them anonymous"), ("no", "No, they agreed to be named")]),
            &chosen("anonymous", "yes"),
            errors,
        ),
        contact: [
            ("contact_name", "Their name (optional)", "text"),
            ("contact_email", "Their email address (optional)", "email"),
            ("contact_phone", "Their phone number (optional)", "tel"),
        ]
        .into_iter()
        .map(|(id, label, kind)| {
            Field::new(id, label, kind, "off")
                .hint("Only moderators see contact details: never the provider.")
                .value(value(form, id))
                .errors(errors)
        })
        .collect(),
        name,
    }
}

/// The form's fields as the voice service reads feedback.
fn raw_feedback(form: &[(String, String)]) -> RawFeedback {
    let text = |key: &str| value(form, key).to_string();
    RawFeedback {
        respondent: text("respondent"),
        helper: text("helper"),
        overall: text("overall"),
        answers: form
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("answers.").map(|code| (code.to_string(), v.trim().to_string())))
            .collect(),
        personal_outcomes: (1..=3).map(|n| text(&format!("personal_outcomes-{n}"))).collect(),
        story: text("story"),
        anonymous: text("anonymous"),
        contact_name: text("contact_name"),
        contact_email: text("contact_email"),
        contact_phone: text("contact_phone"),
        // Paper forms ask no relation: the questions were printed.
        relation: String::new(),
    }
}

/// The channel chosen, or the problems with it and with who helped.
fn read_channel(form: &[(String, String)]) -> Result<Channel, FormErrors> {
    let mut errors = FormErrors::default();
    let channel = match value(form, "channel") {
        "paper" => Some(Channel::Paper),
        "assisted" => Some(Channel::Assisted),
        _ => {
            errors.add("channel", "Choose whether it came on paper or was given now with the person");
            None
        }
    };
    if channel == Some(Channel::Assisted) && matches!(value(form, "helper"), "" | "none") {
        errors.add("helper", "Choose who helped the person give their feedback");
    }
    match channel {
        Some(channel) if errors.is_empty() => Ok(channel),
        _ => Err(errors),
    }
}

/// `POST /manage/locations/{id}/feedback/new`
pub async fn submit(
    State(state): State<AppState>,
    who: SignedIn,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let actor = who.actor();
    let detail = state.app.voice.location(&actor, &raw_id, Action::Write).await.map_err(|e| voice_failure(&who, e))?;
    let form = pairs(&body);
    let group = Group::parse(value(&form, "group")).unwrap_or(Group::People);
    let key = value(&form, "key");
    let raw = raw_feedback(&form);
    let channel = match read_channel(&form) {
        Ok(channel) => channel,
        Err(mut errors) => {
            // Report every other problem too, checked by the same rules.
            errors.add_feedback(&Feedback::parse(&raw, Channel::Paper).err().unwrap_or_default());
            return refused(&who, &detail, group, key, &errors, &form);
        }
    };
    let id = &detail.location.id;
    match state.app.voice.enter(&actor, &raw_id, &raw, channel, key, Utc::now()).await {
        Ok(receipt) => {
            let duplicate = if receipt.duplicate { "&duplicate=yes" } else { "" };
            let to = format!(
                "/manage/locations/{id}/feedback/new?group={}&saved={}{duplicate}",
                group.code(),
                receipt.reference
            );
            Ok(Redirect::to(&to).into_response())
        }
        Err(VoiceError::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            errors.add_feedback(&problems);
            refused(&who, &detail, group, key, &errors, &form)
        }
        Err(e) => Err(PageError(voice_failure(&who, e))),
    }
}

fn refused(
    who: &SignedIn,
    detail: &LocationDetail,
    group: Group,
    key: &str,
    errors: &FormErrors,
    form: &[(String, String)],
) -> Result<Response, PageError> {
    Ok(render(StatusCode::BAD_REQUEST, &entry_page(who, detail, group, key, None, errors, form)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(fields: &[(&str, &str)]) -> Vec<(String, String)> {
        fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_form_reads_as_the_api_does() {
        let raw = raw_feedback(&form(&[
            ("respondent", "person"),
            ("answers.safe", "good_enough"),
            ("answers.choice", "not_applicable"),
            ("personal_outcomes-2", "Walk to the shop"),
            ("story", " Kind staff "),
        ]));
        assert_eq!(raw.answers.len(), 2);
        assert_eq!(raw.answers["safe"], "good_enough");
        assert_eq!(raw.personal_outcomes, ["", "Walk to the shop", ""]);
        assert_eq!(raw.story, "Kind staff");
    }

    #[test]
    fn assisted_entry_needs_to_say_who_helped() {
        assert!(matches!(read_channel(&form(&[("channel", "paper")])), Ok(Channel::Paper)));
        let errors = read_channel(&form(&[("channel", "assisted"), ("helper", "none")])).unwrap_err();
        assert_eq!(errors.get("helper").as_deref(), Some("Choose who helped the person give their feedback"));
        assert!(read_channel(&form(&[("channel", "online")])).unwrap_err().get("channel").is_some());
        let ok = read_channel(&form(&[("channel", "assisted"), ("helper", "advocate")]));
        assert!(matches!(ok, Ok(Channel::Assisted)));
    }
}
