//! CSRF refusals, rate limits and API tokens.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use candour_domain::{Role, Scope};
use candour_web::RateLimit;

use crate::browser::*;
use crate::fixture::*;

type Header<'a> = (&'a str, &'a str);

const EXPIRED: &str = "This form has expired. Go back, reload the page and try again.";

async fn token_count(app: &TestApp) -> usize {
    let users = app.store.users().await.expect("users");
    let mut n = 0;
    for user in users {
        n += app.store.api_tokens(user.id).await.expect("tokens").len();
    }
    n
}

#[tokio::test]
async fn forged_posts_are_refused_and_change_nothing() {
    let app = TestApp::new().await;
    let mut jo = signed_in(&app, "jo@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let token = jo.csrf_token(&app).await;
    let origin = [("origin", "https://evil.example")];
    let attempts: [(&str, String, &[Header]); 4] = [
        ("no token", form(&[("name", "forged")]), &[]),
        ("a wrong token", form(&[("csrf_token", "0123456789abcdef0123456789abcdef"), ("name", "forged")]), &[]),
        ("an empty token", form(&[("csrf_token", ""), ("name", "forged")]), &[]),
        ("a foreign origin", form(&[("csrf_token", &token), ("name", "forged")]), &origin),
    ];
    for (what, body, headers) in attempts {
        let reply = jo.post_body(&app, "/account/tokens", &body, headers).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{what}");
        reply.assert_contains(&[EXPIRED]);
    }
    assert_eq!(token_count(&app).await, 0, "no forged request created a token");

    let genuine = jo
        .post_body(
            &app,
            "/account/tokens",
            &form(&[("csrf_token", &token), ("name", "real")]),
            &[("origin", "http://candour.test")],
        )
        .await;
    assert_eq!(genuine.status, StatusCode::OK, "our own origin with the right token works");
    assert_eq!(token_count(&app).await, 1);
}

#[tokio::test]
async fn a_forged_sign_out_or_sign_in_is_refused() {
    let app = TestApp::new().await;
    let mut jo = signed_in(&app, "jo@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let reply = jo.post_body(&app, "/sign-out", "", &[]).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(jo.get(&app, "/manage").await.status, StatusCode::OK, "still signed in");

    let mut stranger = Browser::new();
    let body = form(&[("email", "jo@example.org"), ("password", PASSWORD)]);
    let reply = stranger.post_body(&app, "/sign-in", &body, &[]).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "login CSRF is refused too");
    assert!(set_cookie(&reply, "candour_session").is_none());
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_client() {
    let mut config = test_config();
    config.sign_in_limit = RateLimit { per_minute: 10, burst: 3 };
    let app = TestApp::with_config(config).await;
    let mut browser = Browser::new();
    for _ in 0..3 {
        let reply = browser.sign_in(&app, "nobody@example.org", "a wrong password guess").await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    }
    let limited = browser.sign_in(&app, "nobody@example.org", "a wrong password guess").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers[header::RETRY_AFTER], "6");
    limited.assert_contains(&["Too many attempts", "Wait 6 seconds and try again."]);
    let reset = browser.post(&app, "/password-reset", &[("email", "nobody@example.org")]).await;
    assert_eq!(reset.status, StatusCode::TOO_MANY_REQUESTS, "password resets share the limit's rules");
    assert_eq!(browser.get(&app, "/sign-in").await.status, StatusCode::OK, "reading the form is not limited");
}

fn bearer(uri: &str, token: &str) -> Request<Body> {
    Request::get(uri).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).expect("a request")
}

#[tokio::test]
async fn api_tokens_are_shown_once_work_as_bearer_and_stop_when_revoked() {
    let app = TestApp::new().await;
    let mut jo = signed_in(&app, "jo@example.org", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    let empty = jo.post(&app, "/account/tokens", &[("name", "  ")]).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    empty.assert_contains(&["Give the token a name"]);

    let created = jo.post(&app, "/account/tokens", &[("name", "Rota spreadsheet")]).await;
    assert_eq!(created.status, StatusCode::OK);
    assert_eq!(created.headers[header::CACHE_CONTROL], "no-store");
    created.assert_contains(&["Copy the token now", "Rota spreadsheet"]);
    let secret =
        between(&created.body, r#"<output class="secret" id="token">"#, "</output>").expect("the secret").to_string();
    assert!(secret.starts_with("cand_") && secret.len() > 40, "{secret}");

    let account = jo.get(&app, "/account").await;
    account.assert_contains(&["Rota spreadsheet", "Registered manager", &secret[..12]]);
    account.assert_lacks(&[&secret]);

    let me = app.request(bearer("/api/v1/me", &secret)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["email"], "jo@example.org");
    assert_eq!(me.json()["grants"][0]["role"], "manager");
    let workspace = app.request(bearer(&format!("/api/v1/manage/locations/{ROSE_COURT}"), &secret)).await;
    assert_eq!(workspace.status, StatusCode::OK);
    assert_eq!(workspace.json()["location"]["name"], "Rose Court");
    assert_eq!(workspace.json().get("people"), None, "a manager is not shown the provider's staff");
    let elsewhere = app.request(bearer(&format!("/api/v1/manage/locations/{HARBOUR_HOME_CARE}"), &secret)).await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    assert_eq!(elsewhere.json()["error"]["status"], 404);

    let user = app.store.users().await.expect("users").into_iter().next().expect("jo");
    let token_id = app.store.api_tokens(user.id).await.expect("tokens")[0].id;
    let revoked = jo.post(&app, &format!("/account/tokens/{token_id}/revoke"), &[]).await;
    assert_eq!((revoked.status, location(&revoked)), (StatusCode::SEE_OTHER, "/account"));
    let after = app.request(bearer("/api/v1/me", &secret)).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.headers[header::WWW_AUTHENTICATE], "Bearer");
    jo.get(&app, "/account").await.assert_contains(&["Revoked"]);
}

#[tokio::test]
async fn another_persons_token_cannot_be_revoked() {
    let app = TestApp::new().await;
    let mut jo = signed_in(&app, "jo@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let mut sam = signed_in(&app, "sam@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    jo.post(&app, "/account/tokens", &[("name", "Jo's")]).await;
    let jo_id = app
        .store
        .users()
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.email.as_str() == "jo@example.org")
        .expect("jo")
        .id;
    let token_id = app.store.api_tokens(jo_id).await.expect("tokens")[0].id;
    let reply = sam.post(&app, &format!("/account/tokens/{token_id}/revoke"), &[]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(app.store.api_tokens(jo_id).await.expect("tokens")[0].revoked_at.is_none());
}

#[tokio::test]
async fn the_api_takes_no_cookies_and_bad_tokens_get_401_json() {
    let app = TestApp::new().await;
    let mut jo = signed_in(&app, "jo@example.org", vec![grant(Role::Admin, Scope::All)]).await;
    let by_cookie = jo.get(&app, "/api/v1/me").await;
    assert_eq!(by_cookie.status, StatusCode::UNAUTHORIZED, "a session cookie is not an API credential");
    assert_eq!(by_cookie.json()["error"]["status"], 401);
    for token in ["nonsense", "cand_not-a-real-token", ""] {
        let reply = app.request(bearer("/api/v1/me", token)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{token:?}");
    }
    // A bearer request skips the CSRF check, so it must never be authenticated by the cookie.
    let session = jo.cookie("candour_session").expect("a session").to_string();
    let request = Request::post("/account/tokens")
        .header(header::AUTHORIZATION, "Bearer nonsense")
        .header(header::COOKIE, format!("candour_session={session}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("name=sneaky"))
        .expect("a request");
    let reply = app.request(request).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "treated as signed out");
    assert_eq!(token_count(&app).await, 0);
}

#[tokio::test]
async fn private_pages_are_never_cached_and_reads_are_audited() {
    let app = TestApp::new().await;
    let mut jo =
        signed_in(&app, "jo@example.org", vec![grant(Role::Commissioner, Scope::LocalAuthority("Leeds".into()))]).await;
    let page = jo.get(&app, &format!("/manage/locations/{ROSE_COURT}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    jo.get(&app, &format!("/manage/locations/{HARBOUR_HOME_CARE}")).await;
    let log = app.store.audit_log(&candour_store::AuditQuery::default()).await.expect("the log");
    let read = log.items.iter().find(|e| e.action == "read").expect("the read is recorded");
    assert_eq!(read.resource, format!("location:{ROSE_COURT}"));
    assert_eq!(read.actor_email.as_deref(), Some("jo@example.org"));
    assert!(read.ip.is_some());
    let denied = log.items.iter().find(|e| e.action == "access_denied").expect("the refusal is recorded");
    assert_eq!(denied.resource, format!("location:{HARBOUR_HOME_CARE}"));
}
