//! Signing in and out, lockout, session fixation, password resets and invitations.

use axum::http::{StatusCode, header};
use candour_domain::{Role, Scope};

use crate::browser::*;
use crate::fixture::*;

const REFUSED: &str =
    "Enter a correct email address and password. After 5 wrong attempts an account is locked for 15 minutes.";

#[tokio::test]
async fn signing_in_sets_a_protected_session_cookie_and_a_new_csrf_token() {
    let app = TestApp::new().await;
    add_user(&app, "jo@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let mut browser = Browser::new();
    let form = browser.get(&app, "/sign-in").await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains(&[
        "<title>Sign in – Candour</title>",
        r#"autocomplete="username""#,
        r#"type="password""#,
        r#"autocomplete="current-password""#,
        r#"name="csrf_token""#,
    ]);
    let csrf_cookie = set_cookie(&form, "candour_csrf").expect("a CSRF cookie").to_string();
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"), "{csrf_cookie}");
    let before = browser.cookie("candour_csrf").expect("a token").to_string();
    assert!(
        form.body.contains(&format!(r#"name="csrf_token" value="{before}""#)),
        "the form carries the cookie's token"
    );

    let reply = browser.sign_in(&app, " JO@example.org ", PASSWORD).await;
    assert_eq!((reply.status, location(&reply)), (StatusCode::SEE_OTHER, "/manage"));
    let session = set_cookie(&reply, "candour_session").expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(attribute), "{attribute} missing from {session}");
    }
    let max_age: i64 = between(session, "Max-Age=", ";")
        .or_else(|| session.split("Max-Age=").nth(1))
        .and_then(|v| v.parse().ok())
        .expect("a Max-Age");
    assert!((43_000..=43_200).contains(&max_age), "the cookie lasts as long as the session can (12 hours): {session}");
    assert!(!session.contains("Secure"), "plain http: {session}");
    assert_ne!(browser.cookie("candour_csrf"), Some(before.as_str()), "the CSRF token is rotated at sign-in");

    let manage = browser.get(&app, "/manage").await;
    assert_eq!(manage.status, StatusCode::OK);
    manage.assert_contains(&["Signed in as jo@example.org", r#"action="/sign-out""#, "All areas of England"]);
    assert_eq!(manage.headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn cookies_are_secure_when_the_site_is_served_over_https() {
    let app = TestApp::with_config(test_config_at("https://candour.example.org")).await;
    add_user(&app, "jo@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let mut browser = Browser::new();
    let form = browser.get(&app, "/sign-in").await;
    assert!(set_cookie(&form, "candour_csrf").expect("a CSRF cookie").ends_with("; Secure"));
    let reply = browser.sign_in(&app, "jo@example.org", PASSWORD).await;
    assert!(set_cookie(&reply, "candour_session").expect("a session").ends_with("; Secure"));
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let app = TestApp::new().await;
    add_user(&app, "jo@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let mut browser = Browser::new();
    let wrong_password = browser.sign_in(&app, "jo@example.org", "not the right password").await;
    let unknown = browser.sign_in(&app, "nobody@example.org", "not the right password").await;
    assert_eq!(wrong_password.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.status, wrong_password.status);
    wrong_password.assert_contains(&[REFUSED, "<title>Error: Sign in – Candour</title>", r##"href="#email""##]);
    assert_eq!(
        wrong_password.body.replace("jo@example.org", "EMAIL"),
        unknown.body.replace("nobody@example.org", "EMAIL")
    );
    assert!(set_cookie(&unknown, "candour_session").is_none());
    wrong_password.assert_lacks(&["not the right password"]);
}

#[tokio::test]
async fn empty_fields_are_named() {
    let app = TestApp::new().await;
    let mut browser = Browser::new();
    let reply = browser.sign_in(&app, "", "").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&["Enter your email address", "Enter your password", r##"href="#password""##]);
}

#[tokio::test]
async fn five_wrong_attempts_lock_the_account_with_the_same_message() {
    let app = TestApp::new().await;
    add_user(&app, "jo@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let mut browser = Browser::new();
    for _ in 0..5 {
        let reply = browser.sign_in(&app, "jo@example.org", "a wrong password guess").await;
        reply.assert_contains(&[REFUSED]);
    }
    let right = browser.sign_in(&app, "jo@example.org", PASSWORD).await;
    assert_eq!(right.status, StatusCode::BAD_REQUEST, "locked: even the right password is refused");
    right.assert_contains(&[REFUSED]);
    assert!(set_cookie(&right, "candour_session").is_none());
}

#[tokio::test]
async fn a_session_cookie_planted_before_sign_in_is_not_the_one_after() {
    let app = TestApp::new().await;
    add_user(&app, "jo@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let planted = "AttackerChosenSessionValue0123456789abcdefg";
    let mut browser = Browser::new();
    browser.set_cookie("candour_session", planted);
    let reply = browser.sign_in(&app, "jo@example.org", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let session = browser.cookie("candour_session").expect("a session").to_string();
    assert_ne!(session, planted);

    let mut attacker = Browser::new();
    attacker.set_cookie("candour_session", planted);
    assert_eq!(attacker.get(&app, "/manage").await.status, StatusCode::SEE_OTHER, "the planted value grants nothing");
}

#[tokio::test]
async fn signing_in_again_ends_the_browsers_earlier_session() {
    let app = TestApp::new().await;
    add_user(&app, "jo@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    add_user(&app, "sam@example.org", vec![grant(Role::Moderator, Scope::All)]).await;
    let mut browser = Browser::new();
    browser.sign_in(&app, "jo@example.org", PASSWORD).await;
    let first = browser.cookie("candour_session").expect("a session").to_string();
    browser.sign_in(&app, "sam@example.org", PASSWORD).await;
    let mut old = Browser::new();
    old.set_cookie("candour_session", &first);
    assert_eq!(old.get(&app, "/manage").await.status, StatusCode::SEE_OTHER);
    browser.get(&app, "/manage").await.assert_contains(&["Signed in as sam@example.org"]);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = TestApp::new().await;
    let mut browser = signed_in(&app, "jo@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let session = browser.cookie("candour_session").expect("a session").to_string();
    let reply = browser.post(&app, "/sign-out", &[]).await;
    assert_eq!((reply.status, location(&reply)), (StatusCode::SEE_OTHER, "/sign-in?done=signed_out"));
    assert!(set_cookie(&reply, "candour_session").expect("cleared").contains("Max-Age=0"));
    assert_eq!(browser.cookie("candour_session"), None);
    browser.get(&app, "/sign-in?done=signed_out").await.assert_contains(&["You have signed out."]);

    let mut replay = Browser::new();
    replay.set_cookie("candour_session", &session);
    assert_eq!(replay.get(&app, "/manage").await.status, StatusCode::SEE_OTHER, "the old cookie no longer works");
    let actions: Vec<String> = audit_actions(&app).await;
    assert!(actions.contains(&"sign_out".to_string()), "{actions:?}");
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    let page = app.store.audit_log(&candour_store::AuditQuery::default()).await.expect("the audit log");
    page.items.into_iter().map(|e| e.action).collect()
}

#[tokio::test]
async fn password_reset_answers_the_same_and_its_link_works_once() {
    let app = TestApp::new().await;
    add_user(&app, "jo@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let mut browser = Browser::new();
    let known = browser.post(&app, "/password-reset", &[("email", "jo@example.org")]).await;
    let unknown = browser.post(&app, "/password-reset", &[("email", "nobody@example.org")]).await;
    assert_eq!((known.status, unknown.status), (StatusCode::OK, StatusCode::OK));
    known.assert_contains(&["Check your email"]);
    assert_eq!(known.body.replace("jo@example.org", "EMAIL"), unknown.body.replace("nobody@example.org", "EMAIL"));

    let outbox = app.store.outbox(10).await.expect("the outbox");
    assert_eq!(outbox.len(), 1, "only the real account is emailed");
    let link = outbox[0].body.split_whitespace().find(|w| w.contains("/password-reset/")).expect("a link").to_string();
    let path = link.trim_start_matches("http://candour.test");

    assert_eq!(browser.get(&app, path).await.status, StatusCode::OK);
    let mismatch =
        browser.post(&app, path, &[("password", "a brand new password"), ("confirm", "a brand new passwort")]).await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    mismatch.assert_contains(&["The passwords do not match"]);
    let changed =
        browser.post(&app, path, &[("password", "a brand new password"), ("confirm", "a brand new password")]).await;
    assert_eq!((changed.status, location(&changed)), (StatusCode::SEE_OTHER, "/sign-in?done=password_changed"));
    let again =
        browser.post(&app, path, &[("password", "another new password"), ("confirm", "another new password")]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    again.assert_contains(&["This link has expired or has already been used"]);

    assert_eq!(browser.sign_in(&app, "jo@example.org", PASSWORD).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(browser.sign_in(&app, "jo@example.org", "a brand new password").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_invited_person_chooses_a_password_and_is_signed_in() {
    let app = TestApp::new().await;
    let mut admin = signed_in(&app, "admin@example.org", vec![grant(Role::Admin, Scope::All)]).await;
    let fields = [
        ("name", "Cam Commissioner"),
        ("email", "cam@example.org"),
        ("role", "commissioner"),
        ("scopes", "Leeds\nCamden"),
    ];
    let invited = admin.post(&app, "/admin/users/invite", &fields).await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
    let user_page = admin.get(&app, location(&invited)).await;
    user_page.assert_contains(&[
        "Invitation sent. The link is in the outbox.",
        "Commissioner (Camden), Commissioner (Leeds)",
        "Invited",
    ]);

    let outbox = admin.get(&app, "/admin/outbox").await;
    outbox.assert_contains(&["You are invited to Candour", "cam@example.org"]);
    let link = between(&outbox.body, r#"<dd><a href=""#, "\"").expect("the invitation link is shown").to_string();
    let path = link.trim_start_matches("http://candour.test").to_string();
    assert!(path.starts_with("/invitations/"), "{path}");

    let mut cam = Browser::new();
    cam.get(&app, &path).await.assert_contains(&["Set up your account", r#"autocomplete="new-password""#]);
    let short = cam.post(&app, &path, &[("password", "short"), ("confirm", "short")]).await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    short.assert_contains(&["12 characters or more"]);
    let accepted =
        cam.post(&app, &path, &[("password", "three random words"), ("confirm", "three random words")]).await;
    assert_eq!((accepted.status, location(&accepted)), (StatusCode::SEE_OTHER, "/manage"));
    let manage = cam.get(&app, "/manage").await;
    manage.assert_contains(&[
        "Signed in as cam@example.org",
        r#"href="/manage/areas/Leeds""#,
        r#"href="/manage/areas/Camden""#,
    ]);
    let reused = Browser::new()
        .post(&app, &path, &[("password", "three random words"), ("confirm", "three random words")])
        .await;
    assert_eq!(reused.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions() {
    let app = TestApp::new().await;
    let mut admin = signed_in(&app, "admin@example.org", vec![grant(Role::Admin, Scope::All)]).await;
    let mut jo = signed_in(&app, "jo@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let users = app.store.users().await.expect("users");
    let jo_id = users.iter().find(|u| u.email.as_str() == "jo@example.org").expect("jo").id;
    let reply = admin.post(&app, &format!("/admin/users/{jo_id}/status"), &[("disabled", "yes")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(jo.get(&app, "/manage").await.status, StatusCode::SEE_OTHER, "signed out at once");
    assert_eq!(jo.sign_in(&app, "jo@example.org", PASSWORD).await.status, StatusCode::BAD_REQUEST);
    admin.get(&app, "/admin/users").await.assert_contains(&["Disabled"]);

    let own = admin.get(&app, "/admin/users").await;
    let admin_id = users.iter().find(|u| u.email.as_str() == "admin@example.org").expect("admin").id;
    assert!(own.body.contains(&format!("/admin/users/{admin_id}")));
    let refused = admin.post(&app, &format!("/admin/users/{admin_id}/status"), &[("disabled", "yes")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "nobody may disable themselves");
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session_and_token() {
    let app = TestApp::new().await;
    let mut here = signed_in(&app, "jo@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let mut elsewhere = Browser::new();
    assert_eq!(elsewhere.sign_in(&app, "jo@example.org", PASSWORD).await.status, StatusCode::SEE_OTHER);
    assert_eq!(elsewhere.get(&app, "/account").await.status, StatusCode::OK);
    let user = app.store.users().await.expect("users").remove(0);
    let (_, token) =
        accounts(&app).create_api_token(&candour_app::accounts::principal(&user), "Sync", None).await.expect("a token");
    let new_password = "a brand new long password";

    let wrong = here
        .post(
            &app,
            "/account/password",
            &[("current_password", "not the password at all"), ("new_password", new_password)],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    wrong.assert_contains(&[r##"href="#current_password""##, "Your current password is not right"]);
    let weak = here.post(&app, "/account/password", &[("current_password", PASSWORD), ("new_password", "short")]).await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    weak.assert_contains(&[r##"href="#new_password""##, "Your new password is not strong enough"]);

    let changed =
        here.post(&app, "/account/password", &[("current_password", PASSWORD), ("new_password", new_password)]).await;
    assert_eq!((changed.status, location(&changed)), (StatusCode::SEE_OTHER, "/account?done=password"));
    here.get(&app, "/account?done=password").await.assert_contains(&["Your password has been changed"]);
    let signed_out = elsewhere.get(&app, "/account").await;
    assert!(location(&signed_out).starts_with("/sign-in"), "the other session has ended: {:?}", signed_out.status);
    let me = axum::http::Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, format!("Bearer {}", token.expose()))
        .body(axum::body::Body::empty())
        .expect("a request");
    assert_eq!(app.request(me).await.status, StatusCode::UNAUTHORIZED, "the token made before is revoked");
    let mut again = Browser::new();
    assert_eq!(again.sign_in(&app, "jo@example.org", new_password).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_outbox_says_how_mail_stands_and_warns_after_an_hour_of_failures() {
    let app = TestApp::new().await;
    let mut admin = signed_in(&app, "admin@example.org", vec![grant(Role::Admin, Scope::All)]).await;
    let queued = chrono::Utc::now() - chrono::Duration::hours(2);
    let email = candour_store::OutgoingEmail::plain(
        candour_domain::Email::parse("jo@example.org").unwrap(),
        "Hello".into(),
        "Hi".into(),
        queued,
    );
    let id = app.store.queue_email(&email).await.expect("queued");
    let page = admin.get(&app, "/admin/outbox").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&["Waiting to be sent</dt>", "Oldest waiting since</dt>"]);
    page.assert_lacks(&["Mail has been failing"]);

    app.store.mark_email_failed(id, "connection refused", chrono::Utc::now()).await.expect("failed");
    let page = admin.get(&app, "/admin/outbox").await;
    page.assert_contains(&[
        "Failing (waiting after a failed attempt)</dt>\n    <dd class=\"summary-list__value\">1</dd>",
        "Mail has been failing since",
        r#"role="alert""#,
    ]);

    app.store.mark_email_sent(id, chrono::Utc::now()).await.expect("sent");
    let page = admin.get(&app, "/admin/outbox").await;
    page.assert_lacks(&["Mail has been failing"]);
    page.assert_contains(&["Sent</dt>\n    <dd class=\"summary-list__value\">1</dd>"]);
}
