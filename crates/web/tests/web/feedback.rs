//! Giving feedback without an account, through the router: every screen of the
//! form without JavaScript, each refusal, the thank-you and return pages, the
//! QR code and poster, the API, and what the location page shows.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use candour_domain::voice::{Criticality, OUTCOME_QUESTIONS, Relation, Respondent, STAFF_QUESTIONS};
use candour_domain::{Role, Scope};
use candour_store::{FeedbackStatus, Moderation, ModerationDecision, ModerationQuery, NewReply, ReplyStatus};
use candour_web::RateLimit;
use chrono::Utc;

use crate::browser::*;
use crate::fixture::*;

// ---------------------------------------------------------------- helpers

/// The inputs a browser would send back: every hidden field of the page, the
/// CSRF token, the key, the step and the answers carried so far.
fn hidden_fields(body: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find(r#"<input type="hidden" name=""#) {
        rest = &rest[at + r#"<input type="hidden" name=""#.len()..];
        let name = &rest[..rest.find('"').expect("a closing quote")];
        let value = between(rest, r#"value=""#, "\"").expect("a value");
        fields.push((unescape(name), unescape(value)));
    }
    fields
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn form_uri(id: &str) -> String {
    format!("/locations/{id}/feedback")
}

/// One person going through the form, screen by screen, as a browser without JavaScript.
struct Walk<'a> {
    app: &'a TestApp,
    browser: Browser,
    id: String,
    page: Reply,
}

impl<'a> Walk<'a> {
    async fn start(app: &'a TestApp, id: &str) -> Walk<'a> {
        let mut browser = Browser::new();
        let page = browser.get(app, &form_uri(id)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        Walk { app, browser, id: id.to_string(), page }
    }

    /// Presses the button with value `go`, having filled in `fields`: inputs the
    /// screen must show, as a person can fill in only what they see.
    async fn press(&mut self, go: &str, fields: &[(&str, &str)]) -> &Reply {
        for (name, _) in fields {
            self.page.assert_contains(&[&format!(r#"name="{name}""#)]);
        }
        let mut all: Vec<(String, String)> = hidden_fields(&self.page.body);
        all.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        all.push(("go".to_string(), go.to_string()));
        let body = serde_urlencoded::to_string(&all).expect("encodable");
        self.page = self.browser.post_body(self.app, &form_uri(&self.id), &body, &[]).await;
        &self.page
    }

    /// Continue, having filled in `fields`; the next screen must come.
    async fn answer(&mut self, fields: &[(&str, &str)]) -> &Reply {
        self.press("next", fields).await;
        assert_eq!(self.page.status, StatusCode::OK, "{fields:?} was accepted: {}", self.page.body);
        &self.page
    }

    fn key(&self) -> String {
        hidden_fields(&self.page.body).into_iter().find(|(k, _)| k == "key").expect("a key").1
    }
}

/// Every answer a person gives, as one final POST of the check screen.
fn complete(key: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = vec![
        ("key".into(), key.into()),
        ("step".into(), "check".into()),
        ("go".into(), "submit".into()),
        ("respondent".into(), "person".into()),
        ("helper".into(), "none".into()),
        ("overall".into(), "good".into()),
        ("story".into(), "The carers are kind and the food is good.".into()),
    ];
    for q in &OUTCOME_QUESTIONS {
        fields.push((format!("answers.{}", q.code), "good_enough".into()));
    }
    for (k, v) in extra {
        fields.retain(|(name, _)| name != k);
        fields.push((k.to_string(), v.to_string()));
    }
    fields
}

/// Posts a whole form at once, as the check screen's "Send feedback" does.
async fn send(app: &TestApp, browser: &mut Browser, id: &str, fields: &[(String, String)]) -> Reply {
    let token = browser.csrf_token(app).await;
    let mut all = vec![("csrf_token".to_string(), token)];
    all.extend_from_slice(fields);
    let body = serde_urlencoded::to_string(&all).expect("encodable");
    browser.post_body(app, &form_uri(id), &body, &[]).await
}

/// How many responses the store holds, whatever their status.
async fn stored(app: &TestApp) -> u64 {
    let mut n = 0;
    for status in [FeedbackStatus::Pending, FeedbackStatus::Published, FeedbackStatus::Rejected] {
        let query = ModerationQuery { status, page: 1, per_page: 100 };
        n += app.store.moderation_queue(&query).await.expect("the queue").total;
    }
    n
}

fn api_post(id: &str, body: &str, content_type: Option<&str>, key: Option<&str>) -> Request<Body> {
    let mut builder = Request::post(format!("/api/v1/locations/{id}/feedback"));
    if let Some(content_type) = content_type {
        builder = builder.header(header::CONTENT_TYPE, content_type);
    }
    if let Some(key) = key {
        builder = builder.header("idempotency-key", key);
    }
    builder.body(Body::from(body.to_string())).expect("a request")
}

fn person_json(overall: &str) -> String {
    let answers: serde_json::Map<String, serde_json::Value> =
        OUTCOME_QUESTIONS.iter().map(|q| (q.code.to_string(), "just_as_i_want".into())).collect();
    serde_json::json!({ "respondent": "person", "overall": overall, "answers": answers }).to_string()
}

// ---------------------------------------------------------------- the form, screen by screen

#[tokio::test]
async fn a_person_gives_feedback_through_every_screen_without_javascript() {
    let app = TestApp::new().await;
    let mut walk = Walk::start(&app, ROSE_COURT).await;
    assert_eq!(walk.page.headers[header::CACHE_CONTROL], "no-store", "a page with a fresh key is never cached");
    walk.page.assert_contains(&["Who are you?", "Feedback about", "Rose Court", "I use this service"]);
    walk.page.assert_lacks(&[r#"value="back""#]);
    let key = walk.key();
    assert!(key.len() >= 16);

    walk.answer(&[("respondent", "person")]).await;
    walk.page.assert_contains(&["Is someone helping you fill this in?", "Step 2 of 15", r#"value="back""#]);
    walk.answer(&[("helper", "advocate")]).await;
    walk.page.assert_contains(&["Overall, how was your experience of this service?"]);
    walk.answer(&[("overall", "very_good")]).await;
    for (i, q) in OUTCOME_QUESTIONS.iter().enumerate() {
        walk.page.assert_contains(&[q.text, q.easy_read, "Doesn&#39;t apply to me"]);
        let answer = if i == 1 { "not_applicable" } else { "just_as_i_want" };
        walk.answer(&[(&format!("answers.{}", q.code), answer)]).await;
    }
    walk.page.assert_contains(&["What matters most to you?", r#"name="personal_outcomes-1""#]);
    walk.answer(&[("personal_outcomes-1", "Go to church on Sundays"), ("personal_outcomes-2", "Walk to the shop")])
        .await;
    walk.page.assert_contains(&["Tell us about your experience", "do not write anyone", "call 999"]);
    walk.answer(&[("story", "Staff listen to me.\nThe garden is lovely.")]).await;
    walk.page.assert_contains(&["Do you want to stay anonymous to the service?", "never show your contact details"]);
    walk.answer(&[("anonymous", "yes"), ("contact_email", "pat@example.org")]).await;

    walk.page.assert_contains(&[
        "Check your answers before sending",
        "An advocate",
        "Very good",
        "Doesn&#39;t apply to me",
        "Go to church on Sundays",
        "The garden is lovely.",
        "pat@example.org",
        "Send feedback",
    ]);
    assert_eq!(walk.key(), key, "the key is carried through every screen");

    // Back keeps every answer: one screen back, then on again.
    walk.press("back", &[]).await;
    walk.page.assert_contains(&["Do you want to stay anonymous", r#"value="pat@example.org""#]);
    walk.answer(&[]).await;
    walk.page.assert_contains(&["Check your answers before sending", "Go to church on Sundays"]);

    let sent = walk.press("submit", &[]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let thanks_uri = location(sent).to_string();
    assert_eq!(thanks_uri, format!("/feedback/{key}/thanks"));
    assert_eq!(stored(&app).await, 1);

    let thanks = app.get(&thanks_uri).await;
    assert_eq!(thanks.status, StatusCode::OK);
    assert_eq!(thanks.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(thanks.headers[header::REFERRER_POLICY], "same-origin");
    thanks.assert_contains(&[
        "Thank you for your feedback",
        "Your reference is",
        &format!("http://candour.test/feedback/{key}"),
        r#"<meta name="robots" content="noindex">"#,
        "is private",
    ]);

    let mut person = Browser::new();
    let own = person.get(&app, &format!("/feedback/{key}")).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(own.headers[header::REFERRER_POLICY], "same-origin");
    own.assert_contains(&[
        "Your feedback",
        "Waiting to be read",
        "The garden is lovely.",
        "Go to church on Sundays",
        "Walk to the shop",
        "There is no reply yet.",
        r#"<meta name="robots" content="noindex">"#,
    ]);
    let outcome = between(&own.body, r#"name="outcome" value=""#, "\"").expect("an outcome form").to_string();
    let rated =
        person.post(&app, &format!("/feedback/{key}/progress"), &[("outcome", &outcome), ("progress", "better")]).await;
    assert_eq!(rated.status, StatusCode::SEE_OTHER);
    let again = person.get(&app, location(&rated)).await;
    again.assert_contains(&["your progress has been saved", "Last time you said: Better"]);
    again.assert_lacks(&["How it has gone"]);
    person.post(&app, &format!("/feedback/{key}/progress"), &[("outcome", &outcome), ("progress", "same")]).await;
    let history = person.get(&app, &format!("/feedback/{key}")).await;
    history.assert_contains(&[
        "How it has gone: Go to church on Sundays",
        "2 ratings, oldest first: Better on",
        "What you said about Go to church on Sundays, newest first",
        "<td>About the same</td>",
    ]);

    // Naming one more, refusing a blank one and a fourth, and stopping following one.
    let add = format!("/feedback/{key}/outcomes");
    let blank = person.post(&app, &add, &[("new_outcome", "   ")]).await;
    assert_eq!(blank.status, StatusCode::BAD_REQUEST);
    blank.assert_contains(&["href=\"#new_outcome\"", "Write what matters to you"]);
    let added = person.post(&app, &add, &[("new_outcome", "Swim on Fridays")]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    person.get(&app, location(&added)).await.assert_contains(&["Added.", "Swim on Fridays"]);
    let full = person.post(&app, &add, &[("new_outcome", "A fourth thing")]).await;
    assert_eq!(full.status, StatusCode::BAD_REQUEST);
    full.assert_contains(&["You can follow three things at once", "href=\"#outcomes\""]);
    let retired = person.post(&app, &format!("/feedback/{key}/outcomes/{outcome}/retire"), &[]).await;
    assert_eq!(retired.status, StatusCode::SEE_OTHER);
    let after = person.get(&app, location(&retired)).await;
    after.assert_contains(&["No longer followed", "<strong>Go to church on Sundays</strong>, stopped on"]);
    after.assert_lacks(&[&format!("name=\"outcome\" value=\"{outcome}\"")]);
    let late =
        person.post(&app, &format!("/feedback/{key}/progress"), &[("outcome", &outcome), ("progress", "better")]).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST, "no longer followed: {}", late.body);
    let added = person.post(&app, &add, &[("new_outcome", "A fourth thing")]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "a place is free again");

    // A reminder by email: refused without an address, then set, queued when due with
    // the private link and a link that stops it, and stopped from that link.
    let remind = format!("/feedback/{key}/reminder");
    let refused = person.post(&app, &remind, &[("reminder_email", "pat at home"), ("reminder_weeks", "5")]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    refused.assert_contains(&["href=\"#reminder_email\"", "href=\"#reminder_weeks\"", "value=\"pat at home\""]);
    let set = person.post(&app, &remind, &[("reminder_email", "pat@example.org"), ("reminder_weeks", "13")]).await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    person.get(&app, location(&set)).await.assert_contains(&["We will email pat@example.org (every 3 months)"]);
    let voice =
        candour_app::voice::Voice::new(app.store.clone(), candour_app::voice::VoiceConfig::new("http://candour.test"));
    let later = chrono::Utc::now() + chrono::Duration::weeks(14);
    assert_eq!(voice.queue_due_reminders(later).await.expect("queued"), 1);
    let outbox = app.store.outbox(50).await.expect("outbox");
    let email = outbox.iter().find(|e| e.subject.starts_with("How are things going?")).expect("a reminder");
    assert!(email.body.contains(&format!("http://candour.test/feedback/{key}")), "{}", email.body);
    let stop = email.body.split("http://candour.test").last().expect("a stop link").trim().to_string();
    assert!(stop.starts_with("/reminders/stop/"), "{stop}");
    let mut inbox = Browser::new();
    inbox.get(&app, &stop).await.assert_contains(&["Stop the emails that remind you"]);
    let stopped = inbox.post(&app, &stop, &[]).await;
    stopped.assert_contains(&["We will not send you any more reminders"]);
    inbox.post(&app, &stop, &[]).await.assert_contains(&["they were stopped already"]);
    person.get(&app, &format!("/feedback/{key}")).await.assert_contains(&["Remind me by email"]);

    let card = person.get(&app, &format!("/feedback/{key}/card")).await;
    assert_eq!(card.status, StatusCode::OK);
    assert_eq!(card.headers[header::CACHE_CONTROL], "no-store", "the card carries the private link");
    card.assert_contains(&[&format!("http://candour.test/feedback/{key}"), &format!("/feedback/{key}/card.svg")]);
    let qr = person.get(&app, &format!("/feedback/{key}/card.svg")).await;
    assert_eq!(qr.headers[header::CONTENT_TYPE], "image/svg+xml");
    assert!(qr.body.contains("<svg"), "{}", &qr.body[..qr.body.len().min(200)]);
    let nobody = "n0b0dy-ever-sent-this-key";
    assert_eq!(person.get(&app, &format!("/feedback/{nobody}/card")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(person.get(&app, &format!("/feedback/{nobody}/card.svg")).await.status, StatusCode::NOT_FOUND);

    let unrated = person.post(&app, &format!("/feedback/{key}/progress"), &[("outcome", &outcome)]).await;
    assert_eq!(unrated.status, StatusCode::BAD_REQUEST);
    unrated.assert_contains(&["There is a problem", &format!("href=\"#progress-{outcome}\""), "Choose better"]);
}

/// A relative answers about the person they care for, so the questions speak of
/// that person: "The person I speak for feels safe", never "I feel safe".
#[tokio::test]
async fn a_relative_is_asked_about_the_person_they_speak_for() {
    let app = TestApp::new().await;
    let mut walk = Walk::start(&app, ROSE_COURT).await;
    walk.answer(&[("respondent", "family")]).await;
    walk.page.assert_contains(&["Who do you speak for?", "My mother", "We do not keep it"]);
    walk.answer(&[("relation", "mother")]).await;
    walk.answer(&[("overall", "good")]).await;
    for q in &OUTCOME_QUESTIONS {
        let about_them = q.about_them.expect("every outcome question has words for a relative");
        let asked = q.asked(Some(Respondent::Family), Some(Relation::Mother));
        assert!(asked.contains("your mother"), "{asked}");
        walk.page.assert_contains(&[&askama_escape(&asked), &askama_escape(about_them.easy_read)]);
        walk.page.assert_contains(&["Just as they want", "Doesn&#39;t apply to them"]);
        walk.page.assert_lacks(&[&format!(">{}<", askama_escape(q.text)), "Just as I want", "apply to me"]);
        walk.answer(&[(&format!("answers.{}", q.code), "good_enough")]).await;
    }
    walk.page.assert_contains(&["What matters most to the person you speak for?"]);
    walk.answer(&[]).await;
    walk.answer(&[("story", "")]).await;
    walk.answer(&[("anonymous", "yes")]).await;
    walk.page.assert_contains(&["Check your answers before sending", "Does your mother feel safe?"]);
    walk.page.assert_lacks(&["I feel safe<"]);

    // Without a relation, the questions are about "the person I speak for".
    let mut walk = Walk::start(&app, ROSE_COURT).await;
    walk.answer(&[("respondent", "advocate")]).await;
    walk.answer(&[("relation", "")]).await;
    walk.answer(&[("overall", "good")]).await;
    walk.page.assert_contains(&[&askama_escape(OUTCOME_QUESTIONS[0].about_them.expect("words").text)]);
}

/// Text as askama writes it into a page.
fn askama_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('\'', "&#39;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

#[tokio::test]
async fn a_step_sent_without_an_answer_shows_the_problem_at_the_top_and_beside_the_question() {
    let app = TestApp::new().await;
    let mut walk = Walk::start(&app, ROSE_COURT).await;
    let page = walk.press("next", &[]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains(&[
        "<title>Error: Who are you?",
        "There is a problem",
        r##"<a href="#respondent">Choose who you are</a>"##,
        r#"id="respondent-error""#,
        r#"aria-describedby="respondent-hint respondent-error""#,
    ]);
    walk.answer(&[("respondent", "family")]).await;
    walk.answer(&[]).await; // whom they speak for may be left unsaid
    let page = walk.press("next", &[]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "overall is needed too");
    page.assert_contains(&[r##"href="#overall""##, "Don&#39;t know"]);
    walk.answer(&[("overall", "good")]).await;
    let page = walk.press("next", &[("answers.choice", "brilliant")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "a value that is not one of the choices");
    page.assert_contains(&[r##"href="#answers-choice""##, "Choose one of the options listed"]);
}

#[tokio::test]
async fn changing_who_you_are_from_the_check_screen_asks_the_new_questions_then_returns() {
    let app = TestApp::new().await;
    let mut browser = Browser::new();
    let key = candour_app::voice::new_submission_key();
    let mut fields = complete(&key, &[("personal_outcomes-1", "Walk to the shop")]);
    fields.retain(|(k, _)| k != "go");
    fields.push(("go".into(), "change:respondent".into()));
    let page = send(&app, &mut browser, ROSE_COURT, &fields).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains(&["Who are you?", r#"name="changing" value="yes""#]);

    let mut walk = Walk { app: &app, browser, id: ROSE_COURT.to_string(), page };
    walk.answer(&[("respondent", "staff")]).await;
    walk.page.assert_contains(&[STAFF_QUESTIONS[0].text]);
    walk.page.assert_lacks(&["Walk to the shop", "answers.choice"]);
    for q in &STAFF_QUESTIONS {
        walk.answer(&[(&format!("answers.{}", q.code), "good_enough")]).await;
    }
    walk.page.assert_contains(&["Check your answers before sending", "I work at this service"]);
    let sent = walk.press("submit", &[]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
}

// ---------------------------------------------------------------- refusals

#[tokio::test]
async fn a_final_send_with_problems_goes_back_to_the_screen_of_the_first() {
    let app = TestApp::new().await;
    let mut browser = Browser::new();
    let key = candour_app::voice::new_submission_key();
    let long = "x".repeat(5001);
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: [Case; 4] = [
        (&[("answers.safe", "")], "#answers-safe", "Choose an answer, or"),
        (&[("story", &long)], "#story", "Your story is too long"),
        (&[("overall", "superb")], "#overall", "Choose one of the options listed"),
        (&[("anonymous", "no")], "#contact_name", "give at least your name"),
    ];
    for (extra, anchor, message) in cases {
        let reply = send(&app, &mut browser, ROSE_COURT, &complete(&key, extra)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{extra:?}");
        reply.assert_contains(&[&format!("href=\"{anchor}\""), message]);
    }
    assert_eq!(stored(&app).await, 0, "nothing half-written");
}

#[tokio::test]
async fn the_honeypot_answers_like_a_success_and_stores_nothing() {
    let app = TestApp::new().await;
    let mut browser = Browser::new();
    let key = candour_app::voice::new_submission_key();
    let reply = send(&app, &mut browser, ROSE_COURT, &complete(&key, &[("website", "http://spam.example")])).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let thanks = browser.get(&app, location(&reply)).await;
    assert_eq!(thanks.status, StatusCode::OK);
    thanks.assert_contains(&["Thank you for your feedback"]);
    assert_eq!(stored(&app).await, 0);
    assert_eq!(app.get(&format!("/feedback/{key}")).await.status, StatusCode::NOT_FOUND);
    let form = app.get(&form_uri(ROSE_COURT)).await;
    form.assert_contains(&[r#"class="trap" aria-hidden="true""#, r#"name="website" type="text" tabindex="-1""#]);
}

#[tokio::test]
async fn a_double_send_stores_one_response_and_thanks_both_times() {
    let app = TestApp::new().await;
    let mut browser = Browser::new();
    let key = candour_app::voice::new_submission_key();
    let first = send(&app, &mut browser, ROSE_COURT, &complete(&key, &[])).await;
    let second = send(&app, &mut browser, ROSE_COURT, &complete(&key, &[])).await;
    assert_eq!((first.status, second.status), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER));
    assert_eq!(location(&first), location(&second));
    assert_eq!(stored(&app).await, 1);
}

#[tokio::test]
async fn a_control_character_in_a_story_is_refused_by_the_form_and_the_api() {
    let app = TestApp::new().await;
    let mut browser = Browser::new();
    let key = candour_app::voice::new_submission_key();
    let nul = send(&app, &mut browser, ROSE_COURT, &complete(&key, &[("story", "Kind staff.\0")])).await;
    assert_eq!(nul.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", nul.body);
    nul.assert_contains(&["The field story contains a control character (U+0000)", "Go back, remove it"]);

    let mut json: serde_json::Value = serde_json::from_str(&person_json("good")).expect("json");
    json["story"] = "Kind staff.\u{1b}[2J".into();
    let refused = app.request(api_post(ROSE_COURT, &json.to_string(), Some("application/json"), None)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(refused.json()["error"]["field"], "story");
    assert!(refused.json()["error"]["message"].as_str().expect("a message").contains("U+001B"));
    assert_eq!(stored(&app).await, 0, "nothing is stored");

    // Line breaks and tabs are how a story is typed: they pass.
    json["story"] = "Kind staff.\r\n\tThe garden is lovely.".into();
    let created = app.request(api_post(ROSE_COURT, &json.to_string(), Some("application/json"), None)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
}

#[tokio::test]
async fn sending_is_limited_per_address_and_the_answers_are_kept() {
    let mut config = test_config();
    config.feedback_per_address = RateLimit { per_minute: 10, burst: 2 };
    let app = TestApp::with_config(config).await;
    let mut browser = Browser::new();
    for _ in 0..2 {
        let key = candour_app::voice::new_submission_key();
        let reply = send(&app, &mut browser, ROSE_COURT, &complete(&key, &[])).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
    }
    let key = candour_app::voice::new_submission_key();
    let limited = send(&app, &mut browser, OAK_LODGE, &complete(&key, &[])).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers[header::RETRY_AFTER], "6");
    limited.assert_contains(&[
        "Your feedback has not been sent yet",
        "Wait 6 seconds and try again",
        "Your answers are kept on this page",
        "The carers are kind",
        &key,
    ]);
    assert_eq!(stored(&app).await, 2);
    let api = app.request(api_post(ROSE_COURT, &person_json("good"), Some("application/json"), None)).await;
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS, "the API shares the limit");
    assert_eq!(api.json()["error"]["status"], 429);
    assert_eq!(browser.get(&app, &form_uri(ROSE_COURT)).await.status, StatusCode::OK, "reading is not limited");
}

#[tokio::test]
async fn sending_is_limited_per_service() {
    let mut config = test_config();
    config.feedback_per_service = RateLimit { per_minute: 60, burst: 2 };
    let app = TestApp::with_config(config).await;
    let mut browser = Browser::new();
    for _ in 0..2 {
        let reply =
            send(&app, &mut browser, ROSE_COURT, &complete(&candour_app::voice::new_submission_key(), &[])).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
    }
    let busy = send(&app, &mut browser, ROSE_COURT, &complete(&candour_app::voice::new_submission_key(), &[])).await;
    assert_eq!(busy.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(busy.headers[header::RETRY_AFTER], "1");
    busy.assert_contains(&["A lot of feedback about this service has arrived in the last minute"]);
    let elsewhere =
        send(&app, &mut browser, OAK_LODGE, &complete(&candour_app::voice::new_submission_key(), &[])).await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER, "another service is not affected");
    assert_eq!(stored(&app).await, 3);
}

#[tokio::test]
async fn unknown_services_short_links_and_bad_keys_are_refused_plainly() {
    let app = TestApp::new().await;
    assert_eq!(app.get(&form_uri(NOT_IN_REGISTER)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&form_uri("rose-court")).await.status, StatusCode::BAD_REQUEST);
    let mut browser = Browser::new();
    let key = candour_app::voice::new_submission_key();
    let unknown = send(&app, &mut browser, NOT_IN_REGISTER, &complete(&key, &[])).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let short = app.get("/f/000000001").await;
    assert_eq!((short.status, location(&short)), (StatusCode::SEE_OTHER, "/locations/1-000000001/feedback"));
    assert_eq!(app.get("/f/rose").await.status, StatusCode::NOT_FOUND);

    let bad_key = send(&app, &mut browser, ROSE_COURT, &complete("short", &[])).await;
    assert_eq!(bad_key.status, StatusCode::BAD_REQUEST);
    bad_key.assert_contains(&["This feedback link is not complete"]);
    for path in ["/feedback/short", "/feedback/has%20spaces%20in%20it%20now/thanks"] {
        assert_eq!(app.get(path).await.status, StatusCode::BAD_REQUEST, "{path}");
    }
    let never_sent = candour_app::voice::new_submission_key();
    for path in [format!("/feedback/{never_sent}"), format!("/feedback/{never_sent}/thanks")] {
        let reply = app.get(&path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        reply.assert_contains(&["We could not find any feedback with this link"]);
    }
    for forged in [("step", "answers.speak_up"), ("step", "nowhere"), ("go", "change:nowhere")] {
        let reply = send(&app, &mut browser, ROSE_COURT, &complete(&key, &[forged])).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{forged:?}");
        reply.assert_contains(&["This form could not be read"]);
    }
    assert_eq!(stored(&app).await, 0);
}

#[tokio::test]
async fn a_form_posted_without_its_csrf_token_is_refused() {
    let app = TestApp::new().await;
    let mut browser = Browser::new();
    let body =
        serde_urlencoded::to_string(complete(&candour_app::voice::new_submission_key(), &[])).expect("encodable");
    let reply = browser.post_body(&app, &form_uri(ROSE_COURT), &body, &[]).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(stored(&app).await, 0);
}

// ---------------------------------------------------------------- QR code and poster

#[tokio::test]
async fn the_qr_codes_and_poster_point_at_the_short_link() {
    let app = TestApp::new().await;
    let svg = app.get(&format!("{}/qr.svg", form_uri(ROSE_COURT))).await;
    assert_eq!(svg.status, StatusCode::OK);
    assert_eq!(svg.headers[header::CONTENT_TYPE], "image/svg+xml");
    assert!(svg.body.contains("<svg") && svg.body.contains("<path"), "{}", &svg.body[..200.min(svg.body.len())]);
    let png = app.get(&format!("{}/qr.png", form_uri(ROSE_COURT))).await;
    assert_eq!(png.status, StatusCode::OK);
    assert_eq!(png.headers[header::CONTENT_TYPE], "image/png");
    assert!(png.body.as_bytes().starts_with(b"\xef\xbf\xbdPNG"), "a PNG signature (read lossily)");
    let poster = app.get(&format!("{}/poster", form_uri(ROSE_COURT))).await;
    assert_eq!(poster.status, StatusCode::OK);
    poster.assert_contains(&[
        "Rose Court",
        "http://candour.test/f/000000001",
        "qr.svg",
        "qr.png",
        "Tell us what you think",
    ]);
    assert_eq!(app.get(&format!("{}/qr.png", form_uri(NOT_IN_REGISTER))).await.status, StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------- the API

#[tokio::test]
async fn the_api_takes_json_only_and_checks_it_like_the_form() {
    let app = TestApp::new().await;
    let good = person_json("good");
    let form_encoded = app.request(api_post(ROSE_COURT, "respondent=person", Some("text/plain"), None)).await;
    assert_eq!(form_encoded.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(form_encoded.json()["error"]["message"].as_str().unwrap().contains("application/json"));
    assert_eq!(app.request(api_post(ROSE_COURT, &good, None, None)).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let missing =
        app.request(api_post(ROSE_COURT, r#"{"respondent": "person"}"#, Some("application/json"), None)).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = missing.json()["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert!(fields.contains(&"overall".to_string()) && fields.contains(&"answers.safe".to_string()), "{fields:?}");

    let unknown = app
        .request(api_post(ROSE_COURT, r#"{"respondent": "person", "website": "x"}"#, Some("application/json"), None))
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.json()["error"]["message"].as_str().unwrap().contains("unknown field `website`"));
    let broken = app.request(api_post(ROSE_COURT, "{", Some("application/json"), None)).await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    let bad_key = app.request(api_post(ROSE_COURT, &good, Some("application/json"), Some("no good"))).await;
    assert_eq!(bad_key.status, StatusCode::BAD_REQUEST);
    let nowhere = app.request(api_post(NOT_IN_REGISTER, &good, Some("application/json"), None)).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert_eq!(stored(&app).await, 0);

    let key = "client-key-0001-abcdef";
    let created = app.request(api_post(ROSE_COURT, &good, Some("application/json; charset=utf-8"), Some(key))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let body = created.json();
    assert_eq!(body["duplicate"], false);
    assert_eq!(body["return_url"], format!("http://candour.test/feedback/{key}"));
    let reference = body["reference"].as_str().expect("a reference").to_string();
    let again = app.request(api_post(ROSE_COURT, &good, Some("application/json"), Some(key))).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!((again.json()["duplicate"].clone(), again.json()["reference"].clone()), (true.into(), reference.into()));
    assert_eq!(stored(&app).await, 1);
}

#[tokio::test]
async fn the_voice_api_shows_published_figures_and_stories_without_private_details() {
    let app = TestApp::new().await;
    for _ in 0..5 {
        let reply = app.request(api_post(ROSE_COURT, &person_json("very_good"), Some("application/json"), None)).await;
        assert_eq!(reply.status, StatusCode::CREATED);
    }
    publish_a_story(&app).await;
    crate::moderation::refresh_figures(&app, Utc::now()).await;
    let voice = app.get(&format!("/api/v1/locations/{ROSE_COURT}/voice")).await;
    assert_eq!(voice.status, StatusCode::OK, "{}", voice.body);
    let json = voice.json();
    assert_eq!(json["summary"]["responses"], 6);
    assert_eq!(json["summary"]["people"]["overall"]["denominator"], 6);
    assert!(json["summary"]["stories"].get("unanswered_critical").is_none());
    assert_eq!(json["stories"]["total"], 1);
    let story = &json["stories"]["items"][0];
    assert_eq!(story["text"], "A kind carer helped me.");
    assert_eq!(story["replies"][0]["text"], "Thank you, we will tell the team.");
    assert!(story["replies"][0].get("author").is_none());
    voice.assert_lacks(&["pat@example.org", "Pat Jones", "criticality", "Mrs Smith"]);
    assert_eq!(app.get(&format!("/api/v1/locations/{NOT_IN_REGISTER}/voice")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/v1/locations/{ROSE_COURT}/voice?page=0")).await.status, StatusCode::BAD_REQUEST);
}

/// One named, contactable story, published (names taken out) with a reply.
async fn publish_a_story(app: &TestApp) {
    let json = serde_json::json!({
        "respondent": "family", "overall": "good",
        "answers": OUTCOME_QUESTIONS.iter().map(|q| (q.code, "good_enough")).collect::<std::collections::BTreeMap<_, _>>(),
        "story": "Mrs Smith helped me.", "anonymous": "no",
        "contact_name": "Pat Jones", "contact_email": "pat@example.org",
    });
    let reply = app.request(api_post(ROSE_COURT, &json.to_string(), Some("application/json"), None)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let moderator = add_user(app, "mo@example.org", vec![grant(Role::Moderator, Scope::All)]).await;
    let query = ModerationQuery { status: FeedbackStatus::Pending, page: 1, per_page: 10 };
    let pending = app.store.moderation_queue(&query).await.expect("the queue");
    let id = pending.items[0].id;
    let moderation = Moderation {
        decision: ModerationDecision::Publish { text: "A kind carer helped me.".to_string() },
        criticality: Criticality::NONE,
        by: moderator,
        at: Utc::now(),
        alert: None,
        emails: Vec::new(),
    };
    app.store.moderate(id, &moderation).await.expect("published");
    let reply = NewReply {
        feedback_id: id,
        author: moderator,
        text: "Thank you, we will tell the team.".to_string(),
        change: candour_domain::voice::ChangeClaim::Made,
        change_what: "Name badges for every carer".to_string(),
        at: Utc::now(),
        status: ReplyStatus::Published,
    };
    app.store.add_reply(&reply).await.expect("a reply");
}

// ---------------------------------------------------------------- the location page

#[tokio::test]
async fn the_location_page_withholds_figures_below_five_responses_and_shows_them_from_five() {
    let app = TestApp::new().await;
    let page = app.get(&format!("/locations/{ROSE_COURT}")).await;
    page.assert_contains(&["What people say", "Give feedback about this service", "No feedback yet."]);
    for _ in 0..4 {
        app.request(api_post(ROSE_COURT, &person_json("good"), Some("application/json"), None)).await;
    }
    let a_day_on = Utc::now() + chrono::Duration::days(1);
    crate::moderation::refresh_figures(&app, Utc::now()).await;
    let four = app.get(&format!("/locations/{ROSE_COURT}")).await;
    four.assert_contains(&["No feedback yet.", "No figures have been published yet"]);
    four.assert_lacks(&["positive overall", "<meter"]);

    app.request(api_post(ROSE_COURT, &person_json("poor"), Some("application/json"), None)).await;
    let now = Utc::now();
    crate::moderation::refresh_figures(&app, now).await;
    let five = app.get(&format!("/locations/{ROSE_COURT}")).await;
    five.assert_contains(&[
        "5 responses",
        "80%</span> positive overall",
        "4 of 5 said their experience was very good or good",
        "95% confident",
        "On average: Just as I want (3.0 out of 3)",
        "(5 answers)",
        r#"<meter class="voice-meter" min="0" max="3" value="3.00""#,
    ]);
    five.assert_lacks(&["Fewer than 5 responses: not shown."]);
    five.assert_contains(&[&format!("These figures were last updated on {}", long_day(now))]);

    // Fewer than 5 more never move them, however long they wait.
    for _ in 0..4 {
        app.request(api_post(ROSE_COURT, &person_json("very_poor"), Some("application/json"), None)).await;
    }
    assert_eq!(crate::moderation::refresh_figures(&app, a_day_on).await, 0);
    assert_eq!(app.get(&format!("/locations/{ROSE_COURT}")).await.body, five.body);
}

/// "6 December 2026", as pages write a day.
fn long_day(at: chrono::DateTime<Utc>) -> String {
    at.format("%-d %B %Y").to_string()
}

#[tokio::test]
async fn the_location_page_lists_published_stories_with_replies_and_changes() {
    let app = TestApp::new().await;
    publish_a_story(&app).await;
    let hidden = app.get(&format!("/locations/{ROSE_COURT}")).await;
    hidden.assert_lacks(&["A kind carer helped me."]);
    hidden.assert_contains(&["No stories have been published yet."]);
    for _ in 0..4 {
        app.request(api_post(ROSE_COURT, &person_json("good"), Some("application/json"), None)).await;
    }
    crate::moderation::refresh_figures(&app, Utc::now()).await;
    let page = app.get(&format!("/locations/{ROSE_COURT}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&[
        "1 published story since feedback began, newest first",
        "A family member or friend",
        "A kind carer helped me.",
        "Reply from Sunrise Care Ltd",
        "Change made: Name badges for every carer",
        "Changes made after feedback: 1.",
    ]);
    page.assert_lacks(&["Mrs Smith", "Pat Jones", "pat@example.org"]);
    assert_eq!(app.get(&format!("/locations/{ROSE_COURT}?stories=nope")).await.status, StatusCode::BAD_REQUEST);
}
