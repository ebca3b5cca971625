//! `/developers`: the API's description as a page, rendered here from the same
//! OpenAPI document the API serves, so it needs no viewer from elsewhere.

use std::sync::LazyLock;

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::Value;

use crate::error::render;
use crate::openapi::DOCUMENT;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/developers", get(developers))
}

#[derive(Template)]
#[template(path = "site/developers.html")]
struct DevelopersPage {
    title: &'static str,
    reference: &'static Reference,
}

/// `GET /developers`
async fn developers() -> Response {
    render(StatusCode::OK, &DevelopersPage { title: "The Candour API", reference: &REFERENCE })
}

/// The document, read once into what the page shows.
static REFERENCE: LazyLock<Reference> =
    LazyLock::new(|| Reference::of(&serde_json::to_value(&*DOCUMENT).expect("the OpenAPI document serialises")));

struct Reference {
    description: Prose,
    sections: Vec<Section>,
    schemas: Vec<SchemaDoc>,
}

/// The operations under one tag.
struct Section {
    name: String,
    anchor: String,
    description: Prose,
    operations: Vec<Operation>,
}

struct Operation {
    method: String,
    path: String,
    anchor: String,
    summary: Prose,
    description: Prose,
    needs_token: bool,
    parameters: Vec<Field>,
    body: Option<Kind>,
    responses: Vec<Outcome>,
}

/// A parameter or a property: its name, where it goes, its type and what it means.
struct Field {
    name: String,
    place: String,
    required: bool,
    kind: Kind,
    description: Prose,
}

struct Outcome {
    status: String,
    description: Prose,
    kind: Option<Kind>,
}

struct SchemaDoc {
    name: String,
    anchor: String,
    description: Prose,
    fields: Vec<Field>,
    /// For schemas that are not objects with properties: what they are.
    kind: Kind,
}

/// A type in words, linking to the schema it names, if any.
struct Kind {
    text: String,
    link: Option<String>,
}

impl Reference {
    fn of(doc: &Value) -> Self {
        let tags = doc["tags"].as_array().cloned().unwrap_or_default();
        let mut sections: Vec<Section> = tags
            .iter()
            .map(|t| Section {
                name: text(&t["name"]),
                anchor: anchor(&text(&t["name"])),
                description: Prose::of(&t["description"]),
                operations: Vec::new(),
            })
            .collect();
        let paths = doc["paths"].as_object().cloned().unwrap_or_default();
        for (path, item) in &paths {
            for (method, op) in item.as_object().into_iter().flatten() {
                let tag = op["tags"][0].as_str().unwrap_or("Other");
                let Some(section) = sections.iter_mut().find(|s| s.name == tag) else { continue };
                section.operations.push(Operation::of(method, path, op));
            }
        }
        let schemas = doc["components"]["schemas"].as_object().cloned().unwrap_or_default();
        Reference {
            description: Prose::of(&doc["info"]["description"]),
            sections,
            schemas: schemas.iter().map(|(name, schema)| SchemaDoc::of(name, schema)).collect(),
        }
    }
}

impl Operation {
    fn of(method: &str, path: &str, op: &Value) -> Self {
        let parameters = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| Field {
                name: text(&p["name"]),
                place: text(&p["in"]),
                required: p["required"].as_bool().unwrap_or(false),
                kind: Kind::of(&p["schema"]),
                description: Prose::of(&p["description"]),
            })
            .collect();
        let body = first_content(&op["requestBody"]).map(Kind::of);
        let responses = op["responses"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(status, r)| Outcome {
                status: status.clone(),
                description: Prose::of(&r["description"]),
                kind: first_content(r).map(Kind::of),
            })
            .collect();
        Operation {
            method: method.to_uppercase(),
            path: path.to_string(),
            anchor: anchor(&format!("{method} {path}")),
            summary: Prose::of(&op["summary"]),
            description: Prose::of(&op["description"]),
            needs_token: op["security"].as_array().is_some_and(|s| !s.is_empty()),
            parameters,
            body,
            responses,
        }
    }
}

impl SchemaDoc {
    fn of(name: &str, schema: &Value) -> Self {
        let required: Vec<&str> =
            schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let fields = schema["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(field, s)| Field {
                name: field.clone(),
                place: String::new(),
                required: required.contains(&field.as_str()),
                kind: Kind::of(s),
                description: Prose::of(&s["description"]),
            })
            .collect();
        SchemaDoc {
            name: name.to_string(),
            anchor: anchor(name),
            description: Prose::of(&schema["description"]),
            fields,
            kind: Kind::of(schema),
        }
    }
}

impl Kind {
    /// "string", "integer or null", "array of LocationSummary", "one of: good, inadequate".
    fn of(schema: &Value) -> Self {
        if let Some(reference) = schema["$ref"].as_str() {
            let name = reference.rsplit('/').next().unwrap_or(reference).to_string();
            return Kind { link: Some(format!("#schema-{}", anchor(&name))), text: name };
        }
        if let Some(values) = schema["enum"].as_array() {
            let values: Vec<String> =
                values.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect();
            return Kind { text: format!("one of: {}", values.join(", ")), link: None };
        }
        for combined in ["oneOf", "anyOf", "allOf"] {
            if let Some(parts) = schema[combined].as_array() {
                let kinds: Vec<Kind> = parts.iter().map(Kind::of).collect();
                let link = kinds.iter().find_map(|k| k.link.clone());
                let words: Vec<String> = kinds.into_iter().map(|k| k.text).collect();
                return Kind { text: words.join(" or "), link };
            }
        }
        let types: Vec<String> = match &schema["type"] {
            Value::String(t) => vec![t.clone()],
            Value::Array(ts) => ts.iter().map(text).collect(),
            _ => Vec::new(),
        };
        let items = types.iter().any(|t| t == "array").then(|| Kind::of(&schema["items"]));
        let mut words: Vec<String> = types
            .iter()
            .map(|t| match t.as_str() {
                "array" => format!("array of {}", items.as_ref().map_or("", |k| k.text.as_str())),
                "string" => match schema["format"].as_str() {
                    Some(format) => format!("string ({format})"),
                    None => "string".to_string(),
                },
                other => other.to_string(),
            })
            .collect();
        let link = items.and_then(|k| k.link);
        if words.is_empty() {
            words.push("object".to_string());
        }
        Kind { text: words.join(" or "), link }
    }
}

/// The schema of a request body's or response's first content type.
fn first_content(value: &Value) -> Option<&Value> {
    value["content"].as_object()?.values().next().map(|c| &c["schema"])
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

/// A description as written in the code: words, with `code` between backticks.
struct Prose(Vec<Span>);

struct Span {
    code: bool,
    text: String,
}

impl Prose {
    fn of(value: &Value) -> Self {
        // Links to other code ("[`name`]") read as the name.
        let words = text(value).replace("[`", "`").replace("`]", "`");
        let spans = words.split('`').enumerate().filter(|(_, t)| !t.is_empty());
        Prose(spans.map(|(i, t)| Span { code: i % 2 == 1, text: t.to_string() }).collect())
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// An id for a heading: letters and digits, the rest hyphens.
fn anchor(words: &str) -> String {
    let mut out = String::new();
    for c in words.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}
