//! A small browser for the private side: it keeps cookies between requests and
//! fills in each form's CSRF token, and accounts for each role to sign in with.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, header};
use candour_app::accounts::Accounts;
use candour_domain::{Email, Grant, LocationId, Password, ProviderId, Role, Scope, UserId};
use candour_store::NewUser;

use crate::fixture::{Reply, TestApp, test_config};

pub const PASSWORD: &str = "correct horse battery staple";

#[derive(Debug, Default, Clone)]
pub struct Browser {
    cookies: BTreeMap<String, String>,
}

impl Browser {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_string(), value.to_string());
    }

    pub async fn get(&mut self, app: &TestApp, uri: &str) -> Reply {
        let request = self.with_cookies(Request::get(uri)).body(Body::empty()).expect("a valid request");
        self.send(app, request).await
    }

    /// Posts a form with this browser's CSRF token, fetching a page first if it has none.
    pub async fn post(&mut self, app: &TestApp, uri: &str, fields: &[(&str, &str)]) -> Reply {
        let token = self.csrf_token(app).await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_body(app, uri, &form(&all), &[]).await
    }

    /// Posts exactly this body, with any extra headers: for requests a forger would make.
    pub async fn post_body(&mut self, app: &TestApp, uri: &str, body: &str, headers: &[(&str, &str)]) -> Reply {
        let mut builder =
            self.with_cookies(Request::post(uri)).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder.body(Body::from(body.to_string())).expect("a valid request");
        self.send(app, request).await
    }

    pub async fn csrf_token(&mut self, app: &TestApp) -> String {
        if self.cookie("candour_csrf").is_none() {
            self.get(app, "/sign-in").await;
        }
        self.cookie("candour_csrf").expect("the sign-in page sets a CSRF cookie").to_string()
    }

    pub async fn sign_in(&mut self, app: &TestApp, email: &str, password: &str) -> Reply {
        self.post(app, "/sign-in", &[("email", email), ("password", password)]).await
    }

    fn with_cookies(&self, builder: axum::http::request::Builder) -> axum::http::request::Builder {
        if self.cookies.is_empty() {
            return builder;
        }
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        builder.header(header::COOKIE, cookie)
    }

    async fn send(&mut self, app: &TestApp, request: Request<Body>) -> Reply {
        let reply = app.request(request).await;
        for value in reply.headers.get_all(header::SET_COOKIE) {
            let text = value.to_str().expect("a readable Set-Cookie");
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').expect("a name=value cookie");
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        reply
    }
}

/// A urlencoded form body.
pub fn form(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).expect("encodable fields")
}

/// The value of a `Set-Cookie` header for `name`, with its attributes.
pub fn set_cookie<'a>(reply: &'a Reply, name: &str) -> Option<&'a str> {
    let prefix = format!("{name}=");
    reply.headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find(|v| v.starts_with(&prefix))
}

pub fn location(reply: &Reply) -> &str {
    reply.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The account service over the test app's database, for setting up users.
pub fn accounts(app: &TestApp) -> Accounts {
    Accounts::new(app.store.clone(), test_config().accounts)
}

/// An account with a password and these grants (none at all is allowed here,
/// for the "signed in but holding no role" case).
pub async fn add_user(app: &TestApp, email: &str, grants: Vec<Grant>) -> UserId {
    let email = Email::parse(email).expect("a valid email");
    let user = app
        .store
        .create_user(&NewUser { email, name: "Test Person".to_string(), grants })
        .await
        .expect("the user is created");
    let password = Password::parse(PASSWORD).expect("a valid password");
    accounts(app).set_password(user.id, &password).await.expect("the password is set");
    user.id
}

pub fn grant(role: Role, scope: Scope) -> Grant {
    Grant { role, scope }
}

pub fn provider_scope(id: &str) -> Scope {
    Scope::Provider(ProviderId::parse(id).expect("a provider ID"))
}

pub fn location_scope(id: &str) -> Scope {
    Scope::Location(LocationId::parse(id).expect("a location ID"))
}

/// A browser signed in as a new account with these grants.
pub async fn signed_in(app: &TestApp, email: &str, grants: Vec<Grant>) -> Browser {
    add_user(app, email, grants).await;
    let mut browser = Browser::new();
    let reply = browser.sign_in(app, email, PASSWORD).await;
    assert_eq!(reply.status, axum::http::StatusCode::SEE_OTHER, "{email} signs in: {}", reply.body);
    browser
}

/// The text between `start` and the next `end` in a page.
pub fn between<'a>(body: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = &body[body.find(start)? + start.len()..];
    Some(&rest[..rest.find(end)?])
}

/// An API token for a new account with these grants.
pub async fn api_token(app: &TestApp, email: &str, grants: Vec<candour_domain::Grant>) -> String {
    let id = add_user(app, email, grants).await;
    let user = app.store.user(id).await.expect("the user");
    let (_, secret) =
        accounts(app).create_api_token(&candour_app::accounts::principal(&user), "test", None).await.expect("a token");
    secret.expose().to_string()
}
