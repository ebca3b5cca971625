//! The whole HTTP access matrix: one signed-in session (and one API token) per
//! role, and anonymous, against every private route, in their own tenant and
//! another's, with guessed IDs, by GET and POST, asserting the exact status.
//!
//! The roles' own tenant: Leeds (commissioner), Sunrise Care (provider
//! administrator, provider 1-100000001), Rose Court (manager and staff,
//! location 1-000000001). Harbour Homes, in London, is the other tenant.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use candour_domain::{Role, Scope};

use crate::browser::*;
use crate::fixture::*;

const ROLES: [&str; 9] =
    ["admin", "inspector", "commissioner", "provider_admin", "manager", "staff", "moderator", "none", "anonymous"];
const GUESSED_LOCATION: &str = "1-999999999";
const GUESSED_PROVIDER: &str = "1-999999998";

struct Caller {
    role: &'static str,
    browser: Browser,
    token: Option<String>,
}

async fn callers(app: &TestApp) -> Vec<Caller> {
    let mut callers = Vec::new();
    for role in ROLES {
        let grants = match role {
            "anonymous" => {
                callers.push(Caller { role, browser: Browser::new(), token: None });
                continue;
            }
            "none" => vec![],
            "commissioner" => vec![grant(Role::Commissioner, Scope::LocalAuthority("Leeds".into()))],
            "provider_admin" => vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))],
            "manager" => vec![grant(Role::Manager, location_scope(ROSE_COURT))],
            "staff" => vec![grant(Role::Staff, location_scope(ROSE_COURT))],
            other => vec![grant(Role::parse(other).expect("a role"), Scope::All)],
        };
        let email = format!("{role}@example.org");
        let browser = signed_in(app, &email, grants).await;
        let user = app.store.user(user_id(app, &email).await).await.expect("the user");
        let (_, secret) = accounts(app)
            .create_api_token(&candour_app::accounts::principal(&user), "matrix", None)
            .await
            .expect("a token");
        callers.push(Caller { role, browser, token: Some(secret.expose().to_string()) });
    }
    callers
}

async fn user_id(app: &TestApp, email: &str) -> candour_domain::UserId {
    let users = app.store.users().await.expect("users");
    users.into_iter().find(|u| u.email.as_str() == email).expect("the user exists").id
}

/// Expected statuses, one per role in `ROLES` order. `S` is a redirect to the
/// sign-in page, `R` another redirect (a form that worked).
fn expected(row: &str) -> Vec<&str> {
    let codes: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(codes.len(), ROLES.len(), "one expectation per role in {row:?}");
    codes
}

fn check(failures: &mut Vec<String>, what: &str, role: &str, want: &str, reply: &Reply) {
    let got = reply.status;
    let ok = match want {
        "S" => got == StatusCode::SEE_OTHER && location(reply).starts_with("/sign-in?next="),
        "R" => got == StatusCode::SEE_OTHER && !location(reply).starts_with("/sign-in"),
        code => got.as_str() == code,
    };
    if !ok {
        failures.push(format!("{role} {what}: expected {want}, got {got} (Location {:?})", location(reply)));
    }
}

#[tokio::test]
async fn every_role_against_every_private_route() {
    let app = TestApp::new().await;
    let mut callers = callers(&app).await;
    // Monitoring pages answer 503 until the first snapshot is computed.
    app.settled().await;
    let admin_id = user_id(&app, "admin@example.org").await;
    let admin_page = format!("/admin/users/{admin_id}");
    let draft = assessment(&app, ROSE_COURT, admin_id, false).await;
    let sent = assessment(&app, ROSE_COURT, admin_id, true).await;
    let other_sent = assessment(&app, HARBOUR_HOME_CARE, admin_id, true).await;
    let v = voice_records(&app).await;
    let (rose_feedback, rose_alert, harbour_alert, story, reply) =
        (v.rose_feedback, v.rose_alert, v.harbour_alert, v.story, v.reply);

    #[rustfmt::skip]
    let pages: Vec<(String, &str)> = vec![
        //                                                                      adm ins com pad man sta mod non anon
        ("/manage".into(),                                                     "200 200 200 200 200 200 200 200 S"),
        ("/account".into(),                                                    "200 200 200 200 200 200 200 200 S"),
        (format!("/manage/providers/{SUNRISE}"),                               "200 200 200 200 404 404 404 404 S"),
        (format!("/manage/providers/{HARBOUR}"),                               "200 200 404 404 404 404 404 404 S"),
        (format!("/manage/providers/{GUESSED_PROVIDER}"),                      "404 404 404 404 404 404 404 404 S"),
        ("/manage/providers/not-an-id".into(),                                 "404 404 404 404 404 404 404 404 S"),
        (format!("/manage/locations/{ROSE_COURT}"),                            "200 200 200 200 200 200 404 404 S"),
        (format!("/manage/locations/{OAK_LODGE}"),                             "200 200 200 200 404 404 404 404 S"),
        (format!("/manage/locations/{HARBOUR_HOME_CARE}"),                     "200 200 404 404 404 404 404 404 S"),
        (format!("/manage/locations/{GUESSED_LOCATION}"),                      "404 404 404 404 404 404 404 404 S"),
        ("/manage/areas/Leeds".into(),                                         "200 200 200 404 404 404 404 404 S"),
        ("/manage/areas/leeds".into(),                                         "200 200 200 404 404 404 404 404 S"),
        ("/manage/areas/Camden".into(),                                        "200 200 404 404 404 404 404 404 S"),
        ("/manage/areas/Atlantis".into(),                                      "404 404 404 404 404 404 404 404 S"),
        ("/admin/users".into(),                                                "200 403 403 403 403 403 403 403 S"),
        ("/admin/users/invite".into(),                                         "200 403 403 403 403 403 403 403 S"),
        (admin_page.clone(),                                                   "200 403 403 403 403 403 403 403 S"),
        ("/admin/users/999999".into(),                                         "404 403 403 403 403 403 403 403 S"),
        ("/admin/audit".into(),                                                "200 403 403 403 403 403 403 403 S"),
        ("/admin/outbox".into(),                                               "200 403 403 403 403 403 403 403 S"),
        (format!("/manage/assessments/{draft}"),                               "200 200 404 404 404 404 404 404 S"),
        (format!("/manage/assessments/{sent}"),                                "200 200 404 200 200 404 404 404 S"),
        (format!("/manage/assessments/{other_sent}"),                          "200 200 404 404 404 404 404 404 S"),
        ("/manage/assessments/999999".into(),                                  "404 404 404 404 404 404 404 404 S"),
        ("/moderation".into(),                                                 "200 403 403 403 403 403 200 403 S"),
        (format!("/moderation/{rose_feedback}"),                               "200 403 403 403 403 403 200 403 S"),
        ("/moderation/999999".into(),                                          "404 403 403 403 403 403 404 403 S"),
        ("/moderation/replies".into(),                                         "200 403 403 403 403 403 200 403 S"),
        ("/manage/alerts".into(),                                              "200 200 200 200 200 200 200 403 S"),
        (format!("/manage/alerts/{rose_alert}"),                               "200 200 200 200 200 200 200 404 S"),
        (format!("/manage/alerts/{harbour_alert}"),                            "200 200 404 404 404 404 200 404 S"),
        ("/manage/alerts/999999".into(),                                       "404 404 404 404 404 404 404 404 S"),
        (format!("/manage/locations/{ROSE_COURT}/voice"),                      "200 404 404 200 200 200 404 404 S"),
        (format!("/manage/locations/{HARBOUR_HOME_CARE}/voice"),               "200 404 404 404 404 404 404 404 S"),
        (format!("/manage/locations/{GUESSED_LOCATION}/voice"),                "404 404 404 404 404 404 404 404 S"),
        (format!("/manage/locations/{ROSE_COURT}/feedback/new"),               "200 404 404 200 200 200 404 404 S"),
        (format!("/manage/locations/{HARBOUR_HOME_CARE}/feedback/new"),        "200 404 404 404 404 404 404 404 S"),
        (format!("/manage/locations/{ROSE_COURT}/returns"),                    "200 404 404 200 200 404 404 404 S"),
        (format!("/manage/locations/{HARBOUR_HOME_CARE}/returns"),             "200 404 404 404 404 404 404 404 S"),
        (format!("/manage/locations/{GUESSED_LOCATION}/returns"),              "404 404 404 404 404 404 404 404 S"),
        (format!("/manage/locations/{ROSE_COURT}/returns/new"),                "200 404 404 200 200 404 404 404 S"),
        (format!("/manage/locations/{HARBOUR_HOME_CARE}/returns/new"),         "200 404 404 404 404 404 404 404 S"),
        (format!("/manage/locations/{ROSE_COURT}/returns/template.csv"),       "200 404 404 200 200 404 404 404 S"),
        // The policy cascade: everyone who works for the provider reads; its administrators publish.
        (format!("/manage/providers/{SUNRISE}/policies"),                      "200 404 404 200 200 200 404 404 S"),
        (format!("/manage/providers/{HARBOUR}/policies"),                      "200 404 404 404 404 404 404 404 S"),
        (format!("/manage/providers/{GUESSED_PROVIDER}/policies"),             "404 404 404 404 404 404 404 404 S"),
        (format!("/manage/providers/{SUNRISE}/policies/new"),                  "200 404 404 200 404 404 404 404 S"),
        (format!("/manage/providers/{SUNRISE}/policies/reads.csv"),            "200 404 404 200 404 404 404 404 S"),
        // Good practice: written by those who run the service.
        (format!("/manage/locations/{ROSE_COURT}/good-practice"),              "200 404 404 200 200 404 404 404 S"),
        (format!("/manage/locations/{ROSE_COURT}/good-practice/new"),          "200 404 404 200 200 404 404 404 S"),
        (format!("/manage/locations/{HARBOUR_HOME_CARE}/good-practice"),       "200 404 404 404 404 404 404 404 S"),
        // Improvement plans: built by those who run the service, read too by those who oversee it.
        (format!("/manage/locations/{ROSE_COURT}/plans"),                      "200 200 200 200 200 404 404 404 S"),
        (format!("/manage/locations/{ROSE_COURT}/plans/new"),                  "200 404 404 200 200 404 404 404 S"),
        (format!("/manage/locations/{HARBOUR_HOME_CARE}/plans"),               "200 200 404 404 404 404 404 404 S"),
        (format!("/manage/locations/{GUESSED_LOCATION}/plans"),                "404 404 404 404 404 404 404 404 S"),
        ("/manage/plans/999999".into(),                                        "404 404 404 404 404 404 404 404 S"),
        // The watchlist: whoever may see a service; warning signs as the provider's workspace.
        ("/monitoring/watchlist".into(),                                       "200 200 200 200 200 403 403 403 S"),
        ("/monitoring/watchlist.csv".into(),                                   "200 200 200 200 200 403 403 403 S"),
        (format!("/manage/providers/{SUNRISE}/warning-signs"),                 "200 200 200 200 404 404 404 404 S"),
        (format!("/manage/providers/{HARBOUR}/warning-signs"),                 "200 200 404 404 404 404 404 404 S"),
        (format!("/manage/providers/{GUESSED_PROVIDER}/warning-signs"),        "404 404 404 404 404 404 404 404 S"),
        // How one service compares: whoever may read the location's workspace.
        (format!("/monitoring/locations/{ROSE_COURT}"),                        "200 200 200 200 200 404 404 404 S"),
        (format!("/monitoring/locations/{OAK_LODGE}"),                         "200 200 200 200 404 404 404 404 S"),
        (format!("/monitoring/locations/{HARBOUR_HOME_CARE}"),                 "200 200 404 404 404 404 404 404 S"),
        (format!("/monitoring/locations/{GUESSED_LOCATION}"),                  "404 404 404 404 404 404 404 404 S"),
        ("/monitoring/locations/not-an-id".into(),                             "404 404 404 404 404 404 404 404 S"),
        (format!("/monitoring/locations/{OLD_ROSE_COURT}"),                    "404 404 404 404 404 404 404 404 S"),
    ];
    #[rustfmt::skip]
    let api: Vec<(String, &str)> = vec![
        ("/api/v1/me".into(),                                                  "200 200 200 200 200 200 200 200 401"),
        (format!("/api/v1/manage/providers/{SUNRISE}"),                        "200 200 200 200 404 404 404 404 401"),
        (format!("/api/v1/manage/providers/{HARBOUR}"),                        "200 200 404 404 404 404 404 404 401"),
        (format!("/api/v1/manage/providers/{GUESSED_PROVIDER}"),               "404 404 404 404 404 404 404 404 401"),
        (format!("/api/v1/manage/providers/{SUNRISE}/policies"),               "200 404 404 200 200 200 404 404 401"),
        (format!("/api/v1/manage/providers/{HARBOUR}/policies"),               "200 404 404 404 404 404 404 404 401"),
        (format!("/api/v1/manage/providers/{SUNRISE}/policies/reads.csv"),     "200 404 404 200 404 404 404 404 401"),
        (format!("/api/v1/manage/locations/{ROSE_COURT}"),                     "200 200 200 200 200 200 404 404 401"),
        (format!("/api/v1/manage/locations/{OAK_LODGE}"),                      "200 200 200 200 404 404 404 404 401"),
        (format!("/api/v1/manage/locations/{HARBOUR_HOME_CARE}"),              "200 200 404 404 404 404 404 404 401"),
        (format!("/api/v1/manage/locations/{GUESSED_LOCATION}"),               "404 404 404 404 404 404 404 404 401"),
        (format!("/api/v1/assessments/{draft}"),                               "200 200 404 404 404 404 404 404 401"),
        (format!("/api/v1/assessments/{sent}"),                                "200 200 404 200 200 404 404 404 401"),
        (format!("/api/v1/assessments/{other_sent}"),                          "200 200 404 404 404 404 404 404 401"),
        ("/api/v1/assessments/999999".into(),                                  "404 404 404 404 404 404 404 404 401"),
        (format!("/api/v1/manage/locations/{ROSE_COURT}/assessments"),         "200 200 200 200 200 200 404 404 401"),
        (format!("/api/v1/manage/locations/{HARBOUR_HOME_CARE}/assessments"),  "200 200 404 404 404 404 404 404 401"),
        (format!("/api/v1/manage/locations/{ROSE_COURT}/plans"),               "200 200 200 200 200 404 404 404 401"),
        (format!("/api/v1/manage/locations/{HARBOUR_HOME_CARE}/plans"),        "200 200 404 404 404 404 404 404 401"),
        ("/api/v1/plans/999999".into(),                                        "404 404 404 404 404 404 404 404 401"),
        // Public routes stay public, with or without a token.
        (format!("/api/v1/locations/{HARBOUR_HOME_CARE}"),                     "200 200 200 200 200 200 200 200 200"),
    ];
    let sunrise_invite = format!("/manage/providers/{SUNRISE}/invitations");
    let harbour_invite = format!("/manage/providers/{HARBOUR}/invitations");
    let guessed_invite = format!("/manage/providers/{GUESSED_PROVIDER}/invitations");
    let status_form = format!("{admin_page}/status");
    let own_challenge = format!("/manage/assessments/{sent}/challenges");
    let other_challenge = format!("/manage/assessments/{other_sent}/challenges");
    let draft_scores = format!("/manage/assessments/{draft}/key-questions/safe");
    let open_rose_court = format!("/manage/locations/{ROSE_COURT}/assessments");
    let challenge = || vec![("finding", "safe".to_string()), ("text", "ROLE says this is inaccurate".to_string())];
    let moderate = format!("/moderation/{rose_feedback}");
    let check_reply = format!("/moderation/replies/{reply}");
    let acknowledge = format!("/manage/alerts/{rose_alert}/acknowledge");
    let lead = format!("/manage/providers/{SUNRISE}/safeguarding-lead");
    let harbour_lead = format!("/manage/providers/{HARBOUR}/safeguarding-lead");
    let answer = format!("/manage/locations/{ROSE_COURT}/voice/stories/{story}/replies");
    let entry = format!("/manage/locations/{ROSE_COURT}/feedback/new");
    let rose_return = format!("/manage/locations/{ROSE_COURT}/returns/new");
    let harbour_return = format!("/manage/locations/{HARBOUR_HOME_CARE}/returns/new");
    let rose_upload = format!("/manage/locations/{ROSE_COURT}/returns/upload");
    let harbour_upload = format!("/manage/locations/{HARBOUR_HOME_CARE}/returns/upload");
    let contact = |name: &str| {
        vec![("safeguarding_name", name.to_string()), ("safeguarding_email", "ROLE@safeguarding.example".to_string())]
    };
    #[rustfmt::skip]
    let posts: Vec<(&str, Fields, &str)> = vec![
        (&sunrise_invite, invitation("sunrise", OAK_LODGE),                    "R   404 404 R   404 404 404 404 S"),
        (&harbour_invite, invitation("harbour", HARBOUR_LIVING),               "R   404 404 404 404 404 404 404 S"),
        (&guessed_invite, invitation("guessed", OAK_LODGE),                    "404 404 404 404 404 404 404 404 S"),
        ("/admin/users/invite", admin_invitation(),                            "R   403 403 403 403 403 403 403 S"),
        (&status_form, vec![("disabled", "no".to_string())],                   "R   403 403 403 403 403 403 403 S"),
        ("/account/tokens", vec![("name", "Matrix token".to_string())],        "200 200 200 200 200 200 200 200 S"),
        (&own_challenge, challenge(),                                          "R   404 404 R   404 404 404 404 S"),
        (&other_challenge, challenge(),                                        "R   404 404 404 404 404 404 404 S"),
        (&draft_scores, vec![("S1-score", "3".to_string())],                   "R   R   404 404 404 404 404 404 S"),
        (&open_rose_court, vec![("service_group", "Care home service with nursing".to_string())], "R R 404 404 404 404 404 404 S"),
        // Refused forms answer 400 to those allowed to send them, and to no one else.
        (&moderate, vec![],                                                    "400 403 403 403 403 403 400 403 S"),
        (&check_reply, vec![],                                                       "400 403 403 403 403 403 400 403 S"),
        // Acknowledging is for moderators and the named safeguarding contacts (none of these).
        (&acknowledge, vec![("note", String::new())],                          "400 404 404 404 404 404 400 404 S"),
        (&answer, vec![("change", "none".to_string())],                        "400 404 404 400 400 400 404 404 S"),
        (&entry, vec![],                                                       "400 404 404 400 400 400 404 404 S"),
        (&rose_return, vec![],                                                 "400 404 404 400 400 404 404 404 S"),
        (&harbour_return, vec![],                                              "400 404 404 404 404 404 404 404 S"),
        // A form without its file, as a plain form: the upload's refusal.
        (&rose_upload, vec![],                                                 "400 404 404 400 400 404 404 404 S"),
        (&harbour_upload, vec![],                                              "400 404 404 404 404 404 404 404 S"),
        (&lead, contact("Sunrise lead"),                                       "R   404 404 R   404 404 404 404 S"),
        (&harbour_lead, contact("Harbour lead"),                               "R   404 404 404 404 404 404 404 S"),
        ("/manage/areas/Leeds/safeguarding-team", contact("Leeds team"),       "R   404 R   404 404 404 404 404 S"),
        ("/manage/areas/Camden/safeguarding-team", contact("Camden team"),     "R   404 404 404 404 404 404 404 S"),
    ];

    let mut failures = Vec::new();
    for (uri, row) in &pages {
        for (caller, want) in callers.iter_mut().zip(expected(row)) {
            let reply = caller.browser.get(&app, uri).await;
            check(&mut failures, &format!("GET {uri}"), caller.role, want, &reply);
        }
    }
    for (uri, row) in &api {
        for (caller, want) in callers.iter().zip(expected(row)) {
            let mut request = Request::get(uri.as_str());
            if let Some(token) = &caller.token {
                request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
            let reply = app.request(request.body(Body::empty()).expect("a request")).await;
            check(&mut failures, &format!("GET {uri} (API)"), caller.role, want, &reply);
        }
    }
    for (uri, fields, row) in &posts {
        for (caller, want) in callers.iter_mut().zip(expected(row)) {
            // Each role invites a different person, so that no invitation collides with another.
            let fields: Vec<(&str, String)> =
                fields.iter().map(|(k, v)| (*k, v.replace("ROLE", caller.role))).collect();
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let reply = caller.browser.post(&app, uri, &fields).await;
            check(&mut failures, &format!("POST {uri}"), caller.role, want, &reply);
        }
    }
    // API writes with an empty list: 400 to those allowed to send, 404 to everyone else.
    #[rustfmt::skip]
    let api_posts = [
        (format!("/api/v1/manage/locations/{ROSE_COURT}/returns"),            "400 404 404 400 400 404 404 404 401"),
        (format!("/api/v1/manage/locations/{HARBOUR_HOME_CARE}/returns"),     "400 404 404 404 404 404 404 404 401"),
        (format!("/api/v1/manage/locations/{GUESSED_LOCATION}/returns"),      "404 404 404 404 404 404 404 404 401"),
    ];
    for (uri, row) in &api_posts {
        for (caller, want) in callers.iter().zip(expected(row)) {
            let mut request = Request::post(uri.as_str()).header(header::CONTENT_TYPE, "application/json");
            if let Some(token) = &caller.token {
                request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
            let reply = app.request(request.body(Body::from("[]")).expect("a request")).await;
            check(&mut failures, &format!("POST {uri} (API)"), caller.role, want, &reply);
        }
    }
    assert!(failures.is_empty(), "{} wrong answers:\n{}", failures.len(), failures.join("\n"));
}

/// A form's fields; `ROLE` in a value is replaced by the caller's role.
type Fields = Vec<(&'static str, String)>;

fn invitation(tag: &str, location: &str) -> Fields {
    vec![
        ("name", "New Starter".to_string()),
        ("email", format!("{tag}-by-ROLE@example.org")),
        ("role", "staff".to_string()),
        ("location", location.to_string()),
    ]
}

fn admin_invitation() -> Fields {
    vec![
        ("name", "New Inspector".to_string()),
        ("email", "inspector-by-ROLE@example.org".to_string()),
        ("role", "inspector".to_string()),
        ("scopes", String::new()),
    ]
}

#[tokio::test]
async fn a_record_you_may_not_see_looks_exactly_like_one_that_does_not_exist() {
    let app = TestApp::new().await;
    let mut manager =
        signed_in(&app, "manager@example.org", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    let theirs = manager.get(&app, &format!("/manage/locations/{HARBOUR_HOME_CARE}")).await;
    let nobodys = manager.get(&app, &format!("/manage/locations/{GUESSED_LOCATION}")).await;
    assert_eq!((theirs.status, nobodys.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(theirs.body.replace(HARBOUR_HOME_CARE, "ID"), nobodys.body.replace(GUESSED_LOCATION, "ID"));
    let unknown_page = manager.get(&app, "/no-such-page").await;
    assert_eq!(
        theirs.body.replace(&format!("/manage/locations/{HARBOUR_HOME_CARE}"), "PATH"),
        unknown_page.body.replace("/no-such-page", "PATH")
    );
    theirs.assert_lacks(&["Harbour Home Care"]);
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in_and_brought_back() {
    let app = TestApp::new().await;
    add_user(&app, "inspector@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let mut browser = Browser::new();
    let wanted = "/manage/areas/Tower%20Hamlets";
    let reply = browser.get(&app, wanted).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&reply), "/sign-in?next=%2Fmanage%2Fareas%2FTower%2520Hamlets");
    let page = browser.get(&app, location(&reply).to_string().as_str()).await;
    page.assert_contains(&[r#"<input type="hidden" name="next" value="/manage/areas/Tower%20Hamlets">"#]);
    let token = browser.csrf_token(&app).await;
    let body =
        form(&[("csrf_token", &token), ("email", "inspector@example.org"), ("password", PASSWORD), ("next", wanted)]);
    let reply = browser.post_body(&app, "/sign-in", &body, &[]).await;
    assert_eq!((reply.status, location(&reply)), (StatusCode::SEE_OTHER, wanted));
    let area = browser.get(&app, wanted).await;
    assert_eq!(area.status, StatusCode::OK, "{}", area.body);
    area.assert_contains(&["Tower Hamlets", "Harbour Home Care"]);
}

/// The people's voice records the private routes work on.
struct VoiceRecords {
    /// Pending feedback about Rose Court, whose pre-screen raised `rose_alert`.
    rose_feedback: i64,
    rose_alert: i64,
    harbour_alert: i64,
    /// A published story about Rose Court, with a reply waiting for its check.
    story: i64,
    reply: i64,
}

async fn voice_records(app: &TestApp) -> VoiceRecords {
    use crate::moderation::{feedback, give, principal, publish, voice};
    let moderator = principal(app, "setup-moderator@example.org", vec![grant(Role::Moderator, Scope::All)]).await;
    let provider =
        principal(app, "setup-pa@example.org", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let rose = give(app, ROSE_COURT, &feedback("A carer slapped my mother.")).await;
    let harbour = give(app, HARBOUR_HOME_CARE, &feedback("The carer slapped him.")).await;
    let published = give(app, ROSE_COURT, &feedback("Kind staff.")).await;
    publish(app, &moderator, published.feedback_id, "Kind staff.").await;
    let reply = voice(app)
        .reply(
            published.feedback_id,
            &provider,
            "Thank you.",
            candour_domain::voice::ChangeClaim::None,
            "",
            chrono::Utc::now(),
        )
        .await
        .expect("a reply");
    VoiceRecords {
        rose_feedback: rose.feedback_id,
        rose_alert: rose.alert_id.expect("an alert"),
        harbour_alert: harbour.alert_id.expect("an alert"),
        story: published.feedback_id,
        reply: reply.id,
    }
}

/// An assessment of the location, sent to its provider (with a window still open) or not.
async fn assessment(app: &TestApp, location: &str, by: candour_domain::UserId, sent: bool) -> i64 {
    use candour_store::NewAssessment;
    let now = chrono::Utc::now();
    let new = NewAssessment {
        location_id: candour_domain::LocationId::parse(location).expect("a location ID"),
        service_group: "Care home service with nursing".into(),
        service_kind: candour_domain::ServiceKind::CareHomeNursing,
        policy: "{}".into(),
        created_by: by,
        created_at: now,
    };
    let id = app.store.create_assessment(&new).await.expect("an assessment").id;
    if sent {
        let ends = now.date_naive() + chrono::Days::new(14);
        app.store.send_assessment(id, ends, now, &[]).await.expect("sent");
    }
    id
}
