//! Router tests for notices: choosing how emails come on `/account`, the one-click
//! unsubscribe link (a page, and a mail program's post without cookies), and the
//! complainant's step emails whose links open their complaint.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use candour_domain::Role;
use candour_store::OutboxEntry;

use crate::browser::*;
use crate::complaints::{only_complaint_id, raise};
use crate::fixture::*;

async fn emails_to(app: &TestApp, address: &str) -> Vec<OutboxEntry> {
    let mut all = app.store.outbox(500).await.expect("outbox");
    all.retain(|e| e.to.as_str() == address);
    all.reverse();
    all
}

/// The path of a URL on the test site.
fn path(url: &str) -> &str {
    url.strip_prefix("http://candour.test").expect("a link to the site")
}

#[tokio::test]
async fn a_manager_chooses_how_emails_come_and_staff_choose_only_what_they_get() {
    let app = TestApp::new().await;
    let mut manager =
        signed_in(&app, "manager@rose.example", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    let page = manager.get(&app, "/account").await;
    page.assert_contains(&["id=\"emails\"", "New complaints about your services", "In one email a day, at 7am"]);

    let saved = manager
        .post(&app, "/account/emails", &[("complaint_received", "digest"), ("complaint_deadline", "none")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = manager.get(&app, "/account?done=emails").await;
    page.assert_contains(&["Your choices of emails have been saved.", "value=\"digest\" checked"]);

    let refused = manager.post(&app, "/account/emails", &[("complaint_received", "weekly")]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    refused.assert_contains(&["id=\"complaint_received-error\"", "href=\"#complaint_received\""]);

    let mut staff = signed_in(&app, "staff@rose.example", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    let page = staff.get(&app, "/account").await;
    page.assert_contains(&["id=\"emails\"", "name=\"policy_to_confirm\""]);
    page.assert_lacks(&["name=\"complaint_received\""]);
    let mut moderator =
        signed_in(&app, "mo@example.org", vec![grant(Role::Moderator, candour_domain::Scope::All)]).await;
    moderator.get(&app, "/account").await.assert_lacks(&["id=\"emails\""]);
    let anonymous = Browser::new().post(&app, "/account/emails", &[("complaint_received", "none")]).await;
    let to = anonymous.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(to.starts_with("/sign-in"), "sent to sign in, nothing saved: {to}");
}

#[tokio::test]
async fn one_click_in_a_notice_stops_that_kind_of_email_even_from_a_mail_program() {
    let app = TestApp::new().await;
    signed_in(&app, "manager@rose.example", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    raise(&app).await;
    let notice = emails_to(&app, "manager@rose.example").await.remove(0);
    assert!(notice.subject.starts_with("New complaint about Rose Court"), "{}", notice.subject);
    let link = notice.unsubscribe_url.clone().expect("an unsubscribe link");

    let page = app.get(path(&link)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&["Stop these emails", "New complaints about your services", "m…@rose.example"]);
    page.assert_lacks(&["manager@rose.example"]);

    // A mail program posts once, with no cookie and no CSRF token (RFC 8058).
    let one_click = Request::post(path(&link))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("List-Unsubscribe=One-Click"))
        .expect("a request");
    let stopped = app.request(one_click).await;
    assert_eq!(stopped.status, StatusCode::OK, "{}", stopped.body);
    stopped.assert_contains(&["We will not send any more emails about"]);
    raise(&app).await;
    assert_eq!(emails_to(&app, "manager@rose.example").await.len(), 1, "stopped");

    let resumed = Browser::new().post(&app, path(&link), &[("choice", "resume")]).await;
    resumed.assert_contains(&["have started again"]);
    raise(&app).await;
    assert_eq!(emails_to(&app, "manager@rose.example").await.len(), 2, "started again");

    for unknown in ["/unsubscribe/AAAAAAAAAAAAAAAAAAAAAA", "/unsubscribe/%3Cscript%3E"] {
        let reply = app.get(unknown).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{unknown}");
        reply.assert_contains(&["This link to stop emails is not known"]);
    }
}

#[tokio::test]
async fn each_step_emails_the_complainant_a_link_that_opens_their_complaint() {
    let app = TestApp::new().await;
    raise(&app).await;
    let id = only_complaint_id(&app).await;
    let mut owner =
        signed_in(&app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let today = chrono::Utc::now().date_naive().to_string();
    let ack = owner
        .post(&app, &format!("/manage/complaints/{id}/steps"), &[("step", "acknowledge"), ("acknowledge-on", &today)])
        .await;
    assert_eq!(ack.status, StatusCode::SEE_OTHER, "{}", ack.body);
    let emails = emails_to(&app, "ann@example.org").await;
    assert_eq!(emails.len(), 2, "the follow link, then the acknowledgement");
    let told = &emails[1];
    assert!(told.body.contains("Rose Court has acknowledged your complaint."), "{}", told.body);
    assert!(!told.body.contains("tablets"), "never what was written");
    let link = told.link.as_deref().expect("a link");
    let followed = app.get(path(link)).await;
    assert_eq!(followed.status, StatusCode::OK);
    followed.assert_contains(&["Acknowledged"]);
}

#[tokio::test]
async fn the_service_workspace_opens_with_what_needs_doing_now_as_each_may_see_it() {
    let app = TestApp::new().await;
    raise(&app).await;
    app.write_directly("UPDATE complaints SET acknowledge_by = '2020-01-06'").await;
    let page = format!("/manage/locations/{ROSE_COURT}");
    let mut manager =
        signed_in(&app, "manager@rose.example", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    let seen = manager.get(&app, &page).await;
    assert_eq!(seen.status, StatusCode::OK);
    seen.assert_contains(&[
        "id=\"needs-heading\"",
        "1 complaint overdue",
        &format!("href=\"/manage/locations/{ROSE_COURT}/complaints\""),
        "is not in",
    ]);
    seen.assert_lacks(&["Nothing needs doing now"]);
    let mut staff = signed_in(&app, "staff@rose.example", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    let seen = staff.get(&app, &page).await;
    seen.assert_contains(&["id=\"needs-heading\""]);
    seen.assert_lacks(&["complaint overdue"]);
}

#[tokio::test]
async fn the_complainant_answers_back_from_their_link_and_the_managers_hear_of_it() {
    let app = TestApp::new().await;
    signed_in(&app, "manager@rose.example", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    let follow = raise(&app).await;
    let answers = format!("{follow}/answers");
    let mut person = Browser::new();
    let page = person.get(&app, &follow).await;
    page.assert_contains(&[
        "id=\"tell-the-service\"",
        "Add information",
        "I am taking it further",
        "The council (Leeds)",
    ]);

    // Not satisfied before any response: refused beside the question; nothing kept.
    let early = person.post(&app, &answers, &[("answer", "not_satisfied")]).await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST);
    early.assert_contains(&["href=\"#answer\"", "The service has not sent its response yet"]);
    let empty = person.post(&app, &answers, &[("answer", "information"), ("text", " ")]).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    empty.assert_contains(&["href=\"#text\"", "Write what you want to add"]);

    let added =
        person.post(&app, &answers, &[("answer", "information"), ("text", "It happened again on Sunday.")]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = person.get(&app, &format!("{follow}?done=answered")).await;
    page.assert_contains(&[
        "Thank you: what you said is kept",
        "Information added by the person who raised it: It happened again on Sunday.",
    ]);
    let further = person.post(&app, &answers, &[("answer", "escalating"), ("to", "ombudsman")]).await;
    assert_eq!(further.status, StatusCode::SEE_OTHER);

    let told = emails_to(&app, "manager@rose.example").await;
    let subjects: Vec<&str> = told.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(subjects.len(), 3, "{subjects:?}");
    assert!(subjects[1].ends_with("the complainant has added information"), "{subjects:?}");
    assert!(subjects[2].ends_with("the complainant is taking it to the Local Government and Social Care Ombudsman"));
    assert!(told.iter().all(|e| !e.body.contains("Sunday")), "never their words");
    let id = only_complaint_id(&app).await;
    let mut manager = Browser::new();
    manager.sign_in(&app, "manager@rose.example", PASSWORD).await;
    manager.get(&app, &format!("/manage/complaints/{id}")).await.assert_contains(&[
        "It happened again on Sunday.",
        "The person who raised it is taking it to the Local Government and Social Care Ombudsman",
    ]);
    let unknown = Browser::new()
        .post(&app, "/complaints/follow/AAAAAAAAAAAAAAAAAAAAAA/answers", &[("answer", "satisfied")])
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn anyone_follows_a_service_once_they_confirm_through_the_link_sent() {
    let app = TestApp::new().await;
    let form = format!("/locations/{ROSE_COURT}/follow");
    let public = app.get(&format!("/locations/{ROSE_COURT}")).await;
    public.assert_contains(&[&format!("href=\"{form}\"")]);
    let mut visitor = Browser::new();
    visitor.get(&app, &form).await.assert_contains(&["Get news of Rose Court by email", "name=\"email\""]);
    let bad = visitor.post(&app, &form, &[("email", "not an address")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    bad.assert_contains(&["href=\"#email\"", "Enter an email address like name@example.com"]);
    let asked = visitor.post(&app, &form, &[("email", "Fan@Example.org")]).await;
    assert_eq!(asked.status, StatusCode::OK);
    asked.assert_contains(&["Check your email", "fan@example.org"]);

    let sent = emails_to(&app, "fan@example.org").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].subject, "Confirm you want news of Rose Court");
    let at = sent[0].body.find("/follow/").expect("a link");
    let link: String = sent[0].body[at..].split_whitespace().next().expect("the link").to_string();
    let confirming = visitor.get(&app, &link).await;
    confirming.assert_contains(&["Confirm you want news of Rose Court"]);
    assert!(!bad.body.contains("<h1 class=\"heading-xl\">Error:"), "only the title says Error");
    let confirmed = visitor.post(&app, &link, &[]).await;
    assert_eq!(confirmed.status, StatusCode::OK);
    confirmed.assert_contains(&["You are following Rose Court"]);
    assert_eq!(app.store.follows().await.expect("follows").len(), 1);
    // The same link again, or the service followed again and confirmed: still one follow.
    visitor.get(&app, &link).await.assert_contains(&["You are following Rose Court"]);
    visitor.post(&app, &link, &[]).await.assert_contains(&["You are following Rose Court"]);
    assert_eq!(app.store.follows().await.expect("follows").len(), 1);
    let unknown = app.get("/follow/AAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    unknown.assert_contains(&["This link to confirm is not known"]);
    assert_eq!(app.get("/locations/1-999999999/follow").await.status, StatusCode::NOT_FOUND);
}
