//! The pieces of a form page: fields with their hints and errors, and the error
//! summary that links to each field (the GOV.UK pattern), for the templates in
//! `account_forms.html`.

use crate::views::SelectOption;

/// One line of the error summary, linking to its field.
#[derive(Debug, Clone)]
pub struct ErrorLink {
    pub href: String,
    pub message: String,
}

/// Problems found in a submitted form, keyed by field id, in the form's order.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(Vec<(String, String)>);

impl FormErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    /// Adds the problems found in a piece of feedback, each keyed by the id of
    /// the input it is about (see [`feedback_input_id`]).
    pub fn add_feedback(&mut self, problems: &[candour_domain::voice::FeedbackError]) {
        for p in problems {
            self.add(feedback_input_id(&p.field), p.message.clone());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<String> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.clone())
    }

    pub fn links(&self) -> Vec<ErrorLink> {
        self.0.iter().map(|(f, m)| ErrorLink { href: format!("#{f}"), message: m.clone() }).collect()
    }

    /// A page title, prefixed with "Error: " when there are errors, so screen
    /// readers announce the problem first.
    pub fn title(&self, title: &str) -> String {
        if self.is_empty() { title.to_string() } else { format!("Error: {title}") }
    }
}

/// A text input.
#[derive(Debug, Clone)]
pub struct Field {
    pub id: String,
    pub label: String,
    pub hint: Option<&'static str>,
    /// The input's `type`: text, email or password (whose value is never echoed).
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub value: String,
    pub error: Option<String>,
}

impl Field {
    pub fn new(
        id: impl Into<String>,
        label: impl Into<String>,
        kind: &'static str,
        autocomplete: &'static str,
    ) -> Self {
        Field { id: id.into(), label: label.into(), hint: None, kind, autocomplete, value: String::new(), error: None }
    }

    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = value.into();
        self
    }

    /// Takes this field's error, if any, from the form's errors.
    pub fn errors(mut self, errors: &FormErrors) -> Self {
        self.error = errors.get(&self.id);
        self
    }

    pub fn described_by(&self) -> String {
        described_by(&self.id, self.hint.is_some(), self.error.is_some())
    }
}

/// A `<select>`.
#[derive(Debug, Clone)]
pub struct SelectField {
    pub id: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
    pub options: Vec<SelectOption>,
    pub error: Option<String>,
}

impl SelectField {
    pub fn new(id: &'static str, label: &'static str, options: Vec<SelectOption>, errors: &FormErrors) -> Self {
        SelectField { id, label, hint: None, options, error: errors.get(id) }
    }

    pub fn described_by(&self) -> String {
        described_by(self.id, self.hint.is_some(), self.error.is_some())
    }
}

fn described_by(id: &str, hint: bool, error: bool) -> String {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("{id}-hint"));
    }
    if error {
        ids.push(format!("{id}-error"));
    }
    ids.join(" ")
}

/// Reads a urlencoded form body into pairs, keeping repeated keys (checkboxes).
pub fn pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// The first value of `key` in a form, trimmed; empty when absent.
pub fn value<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.trim())
}

/// The first value of `key`, exactly as typed (passwords keep their spaces).
pub fn raw<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str())
}

/// A set of radios in a fieldset. The first radio carries the group's `id`, so
/// the error summary's link lands on it; the others are `{id}-{value}`.
pub struct RadioGroup {
    pub name: String,
    pub id: String,
    pub legend: String,
    pub hint: Option<String>,
    pub choices: Vec<Radio>,
    pub error: Option<String>,
}

pub struct Radio {
    pub id: String,
    pub value: String,
    pub label: String,
    pub hint: Option<String>,
    pub checked: bool,
}

impl RadioGroup {
    /// `choices` are (value, label, hint); the one equal to `current` is checked.
    pub fn new(
        name: impl Into<String>,
        id: impl Into<String>,
        legend: impl Into<String>,
        choices: impl IntoIterator<Item = (String, String, Option<String>)>,
        current: &str,
        errors: &FormErrors,
    ) -> Self {
        let id = id.into();
        let choices = choices
            .into_iter()
            .enumerate()
            .map(|(i, (value, label, hint))| Radio {
                id: if i == 0 { id.clone() } else { format!("{id}-{value}") },
                checked: !current.is_empty() && value == current,
                value,
                label,
                hint,
            })
            .collect();
        RadioGroup { name: name.into(), error: errors.get(&id), id, legend: legend.into(), hint: None, choices }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The hint and error the fieldset is described by.
    pub fn described_by(&self) -> String {
        let hint = self.hint.as_ref().map(|_| format!("{}-hint", self.id));
        let error = self.error.as_ref().map(|_| format!("{}-error", self.id));
        hint.into_iter().chain(error).collect::<Vec<_>>().join(" ")
    }
}

/// Plain (value, label) choices without hints.
pub fn plain<'a>(choices: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<(String, String, Option<String>)> {
    choices.into_iter().map(|(v, l)| (v.to_string(), l.to_string(), None)).collect()
}

/// The id of the input a feedback problem with `field` links to: the first
/// radio of a question, or the input itself, dots made hyphens
/// (`answers.safe` → `answers-safe`); the list of personal outcomes links to its first input.
pub fn feedback_input_id(field: &str) -> String {
    if field == "personal_outcomes" { "personal_outcomes-1".to_string() } else { field.replace('.', "-") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_point_to_their_hint_and_error() {
        let mut errors = FormErrors::default();
        errors.add("email", "Enter an email address");
        let field =
            Field::new("email", "Email address", "email", "username").hint("As in your invitation").errors(&errors);
        assert_eq!(field.described_by(), "email-hint email-error");
        assert_eq!(errors.links()[0].href, "#email");
        assert_eq!(errors.title("Sign in"), "Error: Sign in");
        assert_eq!(Field::new("name", "Name", "text", "").described_by(), "");
    }

    #[test]
    fn form_values_are_read_by_key() {
        let p = pairs(b"email=+a%40b.org+&password=+two+words+&role=staff&role=manager");
        assert_eq!(value(&p, "email"), "a@b.org");
        assert_eq!(raw(&p, "password"), " two words ");
        assert_eq!(value(&p, "missing"), "");
        assert_eq!(p.iter().filter(|(k, _)| k == "role").count(), 2);
    }

    #[test]
    fn feedback_problems_link_to_their_inputs() {
        assert_eq!(feedback_input_id("answers.safe"), "answers-safe");
        assert_eq!(feedback_input_id("personal_outcomes"), "personal_outcomes-1");
        assert_eq!(feedback_input_id("personal_outcomes.2"), "personal_outcomes-2");
        assert_eq!(feedback_input_id("contact_email"), "contact_email");
    }
}
