//! Router tests for policies: publishing versions, staff confirming them, who has not
//! read, the read rates, the API and the export, and who may reach any of it.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use candour_domain::Role;
use candour_store::AuditQuery;
use serde_json::{Value, json};

use crate::browser::*;
use crate::fixture::*;

const TITLE: &str = "Fire safety <b>and</b> evacuation";

async fn admin(app: &TestApp) -> Browser {
    signed_in(app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await
}

/// Publishes version 1 as the browser's account; returns the policy's page.
async fn publish(app: &TestApp, admin: &mut Browser, title: &str) -> String {
    let reply = admin
        .post(
            app,
            &format!("/manage/providers/{SUNRISE}/policies/new"),
            &[
                ("title", title),
                ("kind", "procedure"),
                ("body", "Walk to the nearest exit.\n\nNever use the lift."),
                ("changes", ""),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let to = location(&reply).to_string();
    assert!(to.ends_with("?published=1"), "{to}");
    to.split('?').next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn staff_confirm_and_a_new_version_needs_confirming_again() {
    let app = TestApp::new().await;
    let mut admin = admin(&app).await;
    let policy = publish(&app, &mut admin, TITLE).await;
    let mut staff = signed_in(&app, "staff@rose.example", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    signed_in(&app, "manager@oak.example", vec![grant(Role::Manager, location_scope(OAK_LODGE))]).await;

    // The staff member's home highlights what is to read; the library lists it.
    let home = staff.get(&app, "/manage").await;
    home.assert_contains(&["Policies: Sunrise Care Ltd", "1 policy to read and confirm"]);
    let library = staff.get(&app, &format!("/manage/providers/{SUNRISE}/policies")).await;
    assert_eq!(library.status, StatusCode::OK);
    library.assert_contains(&["To read", "Fire safety &#60;b&#62;and&#60;/b&#62; evacuation"]);
    library.assert_lacks(&["Your policy library", "<b>and</b>"]);

    let page = staff.get(&app, &policy).await;
    page.assert_contains(&["Walk to the nearest exit.", "Never use the lift.", "I have read and understood version 1"]);
    page.assert_lacks(&["Who has read it"]);
    let reply = staff.post(&app, &format!("{policy}/read"), &[("version", "1")]).await;
    assert_eq!((reply.status, location(&reply)), (StatusCode::SEE_OTHER, format!("{policy}?read=yes").as_str()));
    let thanks = staff.get(&app, &format!("{policy}?read=yes")).await;
    thanks.assert_contains(&["confirmation is recorded", "You confirmed that you have read"]);
    staff.get(&app, "/manage").await.assert_contains(&["You have read every policy asked of you"]);

    // The administrator sees the rate and who has not read it.
    let page = admin.get(&app, &policy).await;
    page.assert_contains(&["Version 1: 1 of 3 (33%) confirmed", "Not read yet (2)", "manager@oak.example"]);
    let not_read = between(&page.body, "Not read yet", "</table>").expect("the list of those who have not read");
    assert!(!not_read.contains("staff@rose.example"), "{not_read}");
    assert!(not_read.contains("admin@sunrise.example"), "the administrator works for the provider too");

    // Version 2 must say what changed, then resets every confirmation.
    let new_version = format!("{policy}/new-version");
    admin.get(&app, &new_version).await.assert_contains(&["Publish version 2 of", "Walk to the nearest exit."]);
    let fields = [("title", TITLE), ("kind", "procedure"), ("body", "Use the stairs."), ("confirm", "yes")];
    let reply = admin.post(&app, &new_version, &fields).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&["There is a problem", "Say what has changed since the last version", "Use the stairs."]);
    let mut with_changes = fields.to_vec();
    with_changes.push(("changes", "Stairs only."));
    let reply = admin.post(&app, &new_version, &with_changes).await;
    assert!(location(&reply).ends_with("?published=2"), "{}", reply.body);

    let page = staff.get(&app, &policy).await;
    page.assert_contains(&["Use the stairs.", "Stairs only.", "I have read and understood version 2"]);
    let stale = staff.post(&app, &format!("{policy}/read"), &[("version", "1")]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    stale.assert_contains(&["There is a problem", "Version 2 has been published since you opened the page"]);
    admin.get(&app, &policy).await.assert_contains(&["Version 2: 0 of 3 (0%) confirmed", "Not read yet (3)"]);
    let old = staff.get(&app, &format!("{policy}/versions/1")).await;
    old.assert_contains(&["This is an earlier version", "Walk to the nearest exit."]);
    assert_eq!(staff.get(&app, &format!("{policy}/versions/9")).await.status, StatusCode::NOT_FOUND);

    // The location's workspace shows its read rate to the administrator.
    let workspace = admin.get(&app, &format!("/manage/locations/{ROSE_COURT}")).await;
    workspace.assert_contains(&["Policies read here", "0 of 1 (0%)"]);
    let staff_workspace = staff.get(&app, &format!("/manage/locations/{ROSE_COURT}")).await;
    staff_workspace.assert_lacks(&["Policies read here"]);

    // Withdrawn: nobody is asked any more, and no new version can be published.
    let reply = admin.post(&app, &format!("{policy}/withdraw"), &[]).await;
    assert!(location(&reply).ends_with("/policies?withdrawn=yes"));
    staff.get(&app, &policy).await.assert_contains(&["withdrawn and is no longer in force"]);
    assert_eq!(admin.get(&app, &new_version).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn publishing_refuses_bad_input_beside_each_field() {
    let app = TestApp::new().await;
    let mut admin = admin(&app).await;
    let uri = format!("/manage/providers/{SUNRISE}/policies/new");
    let form = admin.get(&app, &uri).await;
    form.assert_contains(&["Publish a policy", "What kind of document is it?", "Must staff confirm"]);
    let reply = admin.post(&app, &uri, &[("title", " "), ("kind", "memo"), ("body", ""), ("confirm", "perhaps")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&[
        "Error: Publish a policy",
        r##"<a href="#title">Enter a title</a>"##,
        r##"<a href="#kind">Choose policy, procedure or good-practice guide</a>"##,
        r##"<a href="#body">Enter the text of the document</a>"##,
        r##"id="confirm-error""##,
    ]);
    assert!(app.store.policies_of(&candour_domain::ProviderId::parse(SUNRISE).unwrap()).await.unwrap().is_empty());
}

#[tokio::test]
async fn only_those_who_work_for_the_provider_see_its_policies() {
    let app = TestApp::new().await;
    let mut admin = admin(&app).await;
    let policy = publish(&app, &mut admin, "Medicines").await;
    let outsiders = [
        ("harbour-staff@example.org", grant(Role::Staff, location_scope(HARBOUR_HOME_CARE))),
        ("harbour-admin@example.org", grant(Role::ProviderAdmin, provider_scope(HARBOUR))),
        ("inspector@example.org", grant(Role::Inspector, candour_domain::Scope::All)),
        ("leeds@example.org", grant(Role::Commissioner, candour_domain::Scope::LocalAuthority("Leeds".into()))),
    ];
    for (email, g) in outsiders {
        let mut browser = signed_in(&app, email, vec![g]).await;
        for uri in [policy.clone(), format!("{policy}/versions/1"), format!("/manage/providers/{SUNRISE}/policies")] {
            assert_eq!(browser.get(&app, &uri).await.status, StatusCode::NOT_FOUND, "{email} {uri}");
        }
        let reply = browser.post(&app, &format!("{policy}/read"), &[("version", "1")]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{email} confirms");
        browser.get(&app, "/manage").await.assert_lacks(&["Policies: Sunrise"]);
    }
    // Staff read, but neither publish, see who has read, withdraw nor export.
    let mut staff = signed_in(&app, "staff@rose.example", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    for uri in [format!("{policy}/new-version"), format!("/manage/providers/{SUNRISE}/policies/reads.csv")] {
        assert_eq!(staff.get(&app, &uri).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
    assert_eq!(staff.post(&app, &format!("{policy}/withdraw"), &[]).await.status, StatusCode::NOT_FOUND);
    let anonymous = app.get(&policy).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(location(&anonymous).starts_with("/sign-in?next="));
    assert_eq!(admin.get(&app, "/manage/policies/999999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(admin.get(&app, "/manage/policies/not-a-number").await.status, StatusCode::NOT_FOUND);
}

async fn api(app: &TestApp, token: &str, method: &str, uri: &str, body: Option<Value>) -> Reply {
    let mut request =
        Request::builder().method(method).uri(uri).header(header::AUTHORIZATION, format!("Bearer {token}"));
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    app.request(request.body(body).expect("a request")).await
}

#[tokio::test]
async fn the_api_lists_confirms_and_exports() {
    let app = TestApp::new().await;
    let mut admin = admin(&app).await;
    let policy = publish(&app, &mut admin, "=Medicines").await;
    let id = policy.rsplit('/').next().expect("an ID").to_string();
    let admin_token =
        api_token(&app, "admin-api@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let staff_token = api_token(&app, "staff@rose.example", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    let other =
        api_token(&app, "staff@harbour.example", vec![grant(Role::Staff, location_scope(HARBOUR_HOME_CARE))]).await;

    let list = format!("/api/v1/manage/providers/{SUNRISE}/policies");
    let reply = api(&app, &staff_token, "GET", &list, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["policies"][0]["title"], "=Medicines");
    assert!(body["policies"][0].get("read_rate").is_none(), "staff do not see others' reading");
    assert!(body.get("locations").is_none());

    let confirm = format!("/api/v1/policies/{id}/read");
    let reply = api(&app, &staff_token, "POST", &confirm, Some(json!({ "version": 2 }))).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert_eq!(reply.json()["error"]["field"], "version");
    let reply = api(&app, &staff_token, "POST", &confirm, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["version"], 1);
    assert_eq!(api(&app, &other, "POST", &confirm, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api(&app, &other, "GET", &list, None).await.status, StatusCode::NOT_FOUND);

    let body = api(&app, &admin_token, "GET", &list, None).await.json();
    assert_eq!(body["policies"][0]["read_rate"], json!({ "expected": 3, "confirmed": 1, "rate": 1.0 / 3.0 }));
    assert_eq!(body["policies"][0]["versions"][0]["version"], 1);
    assert_eq!(body["locations"][0]["location_id"], ROSE_COURT);
    assert_eq!(body["locations"][0]["read_rate"]["confirmed"], 1);

    // Who has read what, as CSV: formulas defused, the read date given, audited.
    let csv = admin.get(&app, &format!("/manage/providers/{SUNRISE}/policies/reads.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(csv.body.starts_with("policy_id,title,kind,version,published_on,name,email,roles,read_on\n"));
    let staff_row = csv.body.lines().find(|l| l.contains("staff@rose.example")).expect("the staff member's row");
    assert!(staff_row.contains(",'=Medicines,") && !staff_row.ends_with(','), "{staff_row}");
    let unread = csv.body.lines().find(|l| l.contains("admin@sunrise.example")).expect("the administrator's row");
    assert!(unread.ends_with(','), "not read: the date is blank: {unread}");
    let from_api = api(&app, &admin_token, "GET", &format!("{list}/reads.csv"), None).await;
    assert_eq!(from_api.body, csv.body);
    let log = app
        .store
        .audit_log(&AuditQuery { action: Some("export".into()), ..AuditQuery::default() })
        .await
        .expect("the audit log");
    assert_eq!(log.total, 2, "both exports are audited");
    assert_eq!(log.items[0].resource, format!("policies:provider:{SUNRISE}"));
}
