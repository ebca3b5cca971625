//! What each private page shows: the private home built from the policy, the
//! provider, location and area workspaces, and the administration pages.

use axum::http::StatusCode;
use candour_domain::{Location, LocationId, ProviderId, Rating, Region, Role, Scope};
use candour_store::ImportPlan;
use chrono::NaiveDate;

use crate::browser::*;
use crate::fixture::*;

#[tokio::test]
async fn the_private_home_links_to_what_each_role_may_reach() {
    let app = TestApp::new().await;
    let mut provider =
        signed_in(&app, "pa@example.org", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let home = provider.get(&app, "/manage").await;
    home.assert_contains(&[&format!(r#"<a href="/manage/providers/{SUNRISE}">Sunrise Care Ltd</a>"#), "3 services"]);
    home.assert_lacks(&["/admin/users", "All areas of England", "Moderation queue"]);

    let mut staff = signed_in(&app, "staff@example.org", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    let home = staff.get(&app, "/manage").await;
    home.assert_contains(&[
        &format!(r#"<a href="/manage/locations/{ROSE_COURT}">Rose Court</a>"#),
        "Staff (Sunrise Care Ltd)",
        // Staff read their provider's policies, but do not reach its workspace.
        &format!(r#"href="/manage/providers/{SUNRISE}/policies""#),
    ]);
    home.assert_lacks(&[&format!(r#"href="/manage/providers/{SUNRISE}""#), "/admin/"]);

    let mut admin = signed_in(&app, "admin@example.org", vec![grant(Role::Admin, Scope::All)]).await;
    admin.get(&app, "/manage").await.assert_contains(&[
        r#"href="/admin/users""#,
        r#"href="/admin/audit""#,
        r#"href="/admin/outbox""#,
        r#"href="/manage/areas/Tower%20Hamlets""#,
        "Moderation queue",
    ]);

    let mut nobody = signed_in(&app, "nobody@example.org", vec![]).await;
    nobody.get(&app, "/manage").await.assert_contains(&["Your account holds no roles yet"]);
}

#[tokio::test]
async fn the_provider_workspace_lists_services_people_and_lets_its_administrator_invite() {
    let app = TestApp::new().await;
    add_user(&app, "manager@example.org", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    add_user(&app, "harbour-staff@example.org", vec![grant(Role::Staff, location_scope(HARBOUR_LIVING))]).await;
    let mut pa = signed_in(&app, "pa@example.org", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let uri = format!("/manage/providers/{SUNRISE}");
    let page = pa.get(&app, &uri).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&[
        "Provider workspace",
        "<h1 class=\"heading-xl\">Sunrise Care Ltd</h1>",
        &format!(r#"<a href="/manage/locations/{ROSE_COURT}">Rose Court</a>"#),
        "Old Rose Court",
        "Deregistered",
        "manager@example.org",
        "pa@example.org",
        "Invite a registered manager or staff member",
        &format!(r#"<option value="{OAK_LODGE}">Oak Lodge</option>"#),
    ]);
    page.assert_lacks(&["harbour-staff@example.org", &format!(r#"<option value="{OLD_ROSE_COURT}""#)]);

    let action = format!("{uri}/invitations");
    let other_providers = pa
        .post(
            &app,
            &action,
            &[("name", "Al"), ("email", "al@example.org"), ("role", "staff"), ("location", HARBOUR_LIVING)],
        )
        .await;
    assert_eq!(other_providers.status, StatusCode::BAD_REQUEST);
    other_providers.assert_contains(&["Choose one of this provider&#39;s services"]);
    let bad = pa
        .post(&app, &action, &[("name", ""), ("email", "not an email"), ("role", "admin"), ("location", OAK_LODGE)])
        .await;
    bad.assert_contains(&[
        "Enter the person&#39;s name",
        "Enter an email address in the correct format",
        "Choose registered manager or staff",
    ]);
    assert!(app.store.users().await.expect("users").iter().all(|u| u.email.as_str() != "al@example.org"));

    let invited = pa
        .post(
            &app,
            &action,
            &[("name", "Al Staff"), ("email", "al@example.org"), ("role", "staff"), ("location", OAK_LODGE)],
        )
        .await;
    assert_eq!((invited.status, location(&invited)), (StatusCode::SEE_OTHER, format!("{uri}?invited=yes").as_str()));
    let page = pa.get(&app, location(&invited)).await;
    page.assert_contains(&["Invitation sent.", "al@example.org", &format!("Staff ({OAK_LODGE})"), "Invited"]);
    let again = pa
        .post(
            &app,
            &action,
            &[("name", "Al Staff"), ("email", "al@example.org"), ("role", "staff"), ("location", OAK_LODGE)],
        )
        .await;
    again.assert_contains(&["Someone already has an account with this email address"]);
}

#[tokio::test]
async fn managers_see_their_location_but_not_the_provider_workspace_link() {
    let app = TestApp::new().await;
    let mut manager =
        signed_in(&app, "manager@example.org", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    let page = manager.get(&app, &format!("/manage/locations/{ROSE_COURT}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&[
        "Service workspace",
        "Rose Court",
        &format!(r#"<a href="/providers/{SUNRISE}">Sunrise Care Ltd</a>"#),
        "Registered manager in post",
        "rating--good",
    ]);
    page.assert_lacks(&["Invite a registered manager", "People with access"]);

    let mut commissioner =
        signed_in(&app, "cam@example.org", vec![grant(Role::Commissioner, Scope::LocalAuthority("Leeds".into()))])
            .await;
    let page = commissioner.get(&app, &format!("/manage/locations/{ROSE_COURT}")).await;
    page.assert_contains(&[&format!(r#"<a href="/manage/providers/{SUNRISE}">Sunrise Care Ltd</a>"#)]);
    let provider = commissioner.get(&app, &format!("/manage/providers/{SUNRISE}")).await;
    assert_eq!(provider.status, StatusCode::OK);
    provider.assert_lacks(&["Invite a registered manager"]);
    let forged = commissioner
        .post(
            &app,
            &format!("/manage/providers/{SUNRISE}/invitations"),
            &[("name", "X"), ("email", "x@example.org"), ("role", "staff"), ("location", OAK_LODGE)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND, "reading a provider gives no right to add its staff");
}

#[tokio::test]
async fn only_the_providers_administrators_see_who_works_there() {
    let app = TestApp::new().await;
    add_user(&app, "carer@example.org", vec![grant(Role::Staff, location_scope(ROSE_COURT))]).await;
    let pages = [format!("/manage/providers/{SUNRISE}"), format!("/manage/locations/{ROSE_COURT}")];
    let leeds = || Scope::LocalAuthority("Leeds".into());
    #[rustfmt::skip]
    let roles = [
        ("pa", grant(Role::ProviderAdmin, provider_scope(SUNRISE)),     true),
        ("admin", grant(Role::Admin, Scope::All),                       true),
        ("cam", grant(Role::Commissioner, leeds()),                     false),
        ("ins", grant(Role::Inspector, Scope::All),                     false),
        ("manager", grant(Role::Manager, location_scope(ROSE_COURT)),   false),
    ];
    for (name, role, sees) in roles {
        let mut browser = signed_in(&app, &format!("{name}@example.org"), vec![role.clone()]).await;
        let token = api_token(&app, &format!("{name}-api@example.org"), vec![role]).await;
        for page in &pages {
            let reply = browser.get(&app, page).await;
            if reply.status == StatusCode::NOT_FOUND {
                continue; // a manager does not reach the provider's workspace at all
            }
            assert_eq!(reply.status, StatusCode::OK, "{name} {page}");
            for text in ["carer@example.org", "People with access"] {
                assert_eq!(reply.body.contains(text), sees, "{name} on {page}: {text}");
            }
            let request = axum::http::Request::get(format!("/api/v1{page}"))
                .header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"))
                .body(axum::body::Body::empty())
                .expect("a request");
            let api = app.request(request).await;
            assert_eq!(api.status, StatusCode::OK, "{name} /api/v1{page}");
            assert_eq!(api.json().get("people").is_some(), sees, "{name} /api/v1{page}: {}", api.body);
            assert_eq!(api.body.contains("carer@example.org"), sees, "{name} /api/v1{page}");
        }
    }
}

#[tokio::test]
async fn the_area_view_counts_ratings_and_lists_services_needing_attention() {
    let app = TestApp::new().await;
    let mut inspector = signed_in(&app, "ins@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let page = inspector.get(&app, "/manage/areas/tower%20hamlets").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&[
        "<h1 class=\"heading-xl\">Tower Hamlets</h1>",
        "1 service is registered in this area.",
        "1 service rated Inadequate or Requires improvement, worst first",
        &format!(r#"<a href="/manage/locations/{HARBOUR_HOME_CARE}">Harbour Home Care</a>"#),
        r#"href="/locations?local_authority=Tower+Hamlets""#,
    ]);
    let counts = between(&page.body, "<tbody>", "</tbody>").expect("the counts table");
    assert!(
        counts.contains("rating--inadequate\">Inadequate</strong></td>\n      <td class=\"numeric\">1</td>"),
        "{counts}"
    );
    assert!(counts.contains("rating--good\">Good</strong></td>\n      <td class=\"numeric\">0</td>"), "{counts}");

    let leeds = inspector.get(&app, "/manage/areas/Leeds").await;
    leeds.assert_contains(&[
        "2 services are registered in this area.",
        "No registered service in this area is in watchlist band 1, has an open level 5 safeguarding alert, or is rated Inadequate",
    ]);
}

/// Raises a complaint about Rose Court that describes harm: a level 5 alert.
pub async fn severe_alert_at_rose_court(app: &TestApp) {
    let mut public = Browser::new();
    let uri = format!("/locations/{ROSE_COURT}/complaints/new");
    let form = public.get(app, &uri).await;
    let key = between(&form.body, "name=\"key\" value=\"", "\"").expect("the form carries a key").to_string();
    let fields = [
        ("key", key.as_str()),
        ("what_happened", "The night carer punched my father and I saw bruises on his arm."),
        ("desired_outcome", "That it never happens again."),
        ("relationship", "family"),
        ("name", "Ann Example"),
        ("email", "ann@example.org"),
    ];
    assert_eq!(public.post(app, &uri, &fields).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_area_view_puts_a_good_service_in_band_one_before_worse_rated_ones_and_links_its_watchlist() {
    let app = TestApp::new().await;
    // An Inadequate homecare service in Leeds, and Rose Court (rated Good) with a level 5
    // alert from a complaint, which puts it in band 1.
    let mut poor =
        Location::new(LocationId::parse("1-000000077").unwrap(), ProviderId::parse(SUNRISE).unwrap(), "Ash House");
    poor.service_types = vec!["Homecare agencies".to_string()];
    poor.local_authority = Some("Leeds".to_string());
    poor.region = Some(Region::YorkshireAndTheHumber);
    let plan = ImportPlan {
        kind: "test-fixture".into(),
        origin: "area tests".into(),
        locations: vec![poor],
        ratings: vec![rating(
            "1-000000077",
            NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
            Rating::Inadequate,
            Rating::Inadequate,
        )],
        ..ImportPlan::default()
    };
    app.store.apply_import(&plan).await.expect("imported");
    severe_alert_at_rose_court(&app).await;
    let snapshot = app.settled().await;
    assert_eq!(snapshot.get(&LocationId::parse(ROSE_COURT).unwrap()).expect("watched").entry.band, 1);

    let mut commissioner =
        signed_in(&app, "la@example.org", vec![grant(Role::Commissioner, Scope::LocalAuthority("Leeds".into()))]).await;
    let page = commissioner.get(&app, "/manage/areas/Leeds").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&[
        r#"href="/monitoring/watchlist?local_authority=Leeds""#,
        "2 services: 1 service in watchlist band 1 or with an open level 5 safeguarding alert first",
        "Watchlist band 1</strong>",
    ]);
    let rose = page.body.find(&format!(r#"href="/manage/locations/{ROSE_COURT}""#)).expect("Rose Court is listed");
    let ash = page.body.find(r#"href="/manage/locations/1-000000077""#).expect("Ash House is listed");
    assert!(rose < ash, "the urgent service comes first whatever its rating");
}

#[tokio::test]
async fn an_invitation_or_a_role_for_something_not_in_the_register_is_refused_beside_its_field() {
    let app = TestApp::new().await;
    let mut admin = signed_in(&app, "admin@example.org", vec![grant(Role::Admin, Scope::All)]).await;
    let invite = |role: &'static str, scopes: &'static str| {
        [("name", "Mo Manager"), ("email", "mo@example.org"), ("role", role), ("scopes", scopes)]
    };
    for (role, scopes, message) in [
        ("manager", NOT_IN_REGISTER, "Registered manager: no service in the register has the ID 1-000000099"),
        ("staff", "1-000000001\n1-000000099", "Staff: no service in the register has the ID 1-000000099"),
        ("provider_admin", "1-100000099", "Provider administrator: no provider in the register has the ID 1-100000099"),
        ("commissioner", "Atlantis", "Commissioner: no registered service is in a local authority called Atlantis"),
    ] {
        let refused = admin.post(&app, "/admin/users/invite", &invite(role, scopes)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{role} {scopes}");
        refused.assert_contains(&[r##"href="#scopes""##, r#"id="scopes-error""#]);
        let beside = between(&refused.body, r#"id="scopes-error""#, "</p>").expect("the message beside the field");
        assert!(beside.contains(message), "{beside}");
    }
    admin.get(&app, "/admin/users").await.assert_lacks(&["mo@example.org"]);

    // A local authority typed in another case is kept as the register spells it.
    let invited = admin.post(&app, "/admin/users/invite", &invite("commissioner", "leeds")).await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.body);
    let page = admin.get(&app, location(&invited)).await;
    page.assert_contains(&["Commissioner (Leeds)"]);

    let jo_id = add_user(&app, "jo@example.org", vec![grant(Role::Moderator, Scope::All)]).await;
    let uri = format!("/admin/users/{jo_id}");
    let refused = admin.post(&app, &uri, &[("roles", "manager"), ("scopes-manager", NOT_IN_REGISTER)]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    refused.assert_contains(&[
        r##"href="#scopes-manager""##,
        "Registered manager: no service in the register has the ID 1-000000099",
    ]);
}

#[tokio::test]
async fn the_scope_search_finds_services_providers_and_authorities_by_name() {
    let app = TestApp::new().await;
    let mut admin = signed_in(&app, "admin@example.org", vec![grant(Role::Admin, Scope::All)]).await;
    let page = admin.get(&app, "/admin/users/invite?find=rose").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&[
        r#"method="get" action="/admin/users/invite""#,
        &format!("<code>{ROSE_COURT}</code>"),
        "Rose Court, Leeds (Sunrise Care Ltd)",
        &format!("<code>{SUNRISE}</code>"),
    ]);
    page.assert_lacks(&[&format!("<code>{HARBOUR_HOME_CARE}</code>")]);
    let areas = admin.get(&app, "/admin/users/invite?find=tower").await;
    areas.assert_contains(&["<td>Tower Hamlets</td>"]);
    let none = admin.get(&app, "/admin/users/invite?find=zzz").await;
    none.assert_contains(&["Nothing in the register matches"]);
}

#[tokio::test]
async fn administrators_change_roles_and_search_the_audit_log() {
    let app = TestApp::new().await;
    let jo_id = add_user(&app, "jo@example.org", vec![grant(Role::Moderator, Scope::All)]).await;
    let mut admin = signed_in(&app, "admin@example.org", vec![grant(Role::Admin, Scope::All)]).await;
    let users = admin.get(&app, "/admin/users").await;
    users.assert_contains(&["2 accounts, by email address", "jo@example.org", "Moderator", "Active"]);

    let uri = format!("/admin/users/{jo_id}");
    let page = admin.get(&app, &uri).await;
    page.assert_contains(&[r#"id="role-moderator" name="roles" type="checkbox" value="moderator" checked"#]);
    let missing_scope = admin.post(&app, &uri, &[("roles", "manager"), ("scopes-manager", "")]).await;
    assert_eq!(missing_scope.status, StatusCode::BAD_REQUEST);
    missing_scope
        .assert_contains(&[r##"href="#scopes-manager""##, "Registered manager: name one or more location IDs"]);
    let bad_id = admin.post(&app, &uri, &[("roles", "manager"), ("scopes-manager", "Rose Court")]).await;
    bad_id.assert_contains(&["Registered manager: expected 1- followed by digits"]);

    let saved = admin
        .post(
            &app,
            &uri,
            &[("roles", "commissioner"), ("scopes-commissioner", "Leeds\r\nCamden"), ("roles", "moderator")],
        )
        .await;
    assert_eq!((saved.status, location(&saved)), (StatusCode::SEE_OTHER, format!("{uri}?done=saved").as_str()));
    let user = app.store.user(jo_id).await.expect("jo");
    assert_eq!(user.grants.len(), 3, "{:?}", user.grants);

    let audit = admin.get(&app, "/admin/audit?action=update_user").await;
    assert_eq!(audit.status, StatusCode::OK);
    audit.assert_contains(&["1 entry found", &format!("user:{jo_id}"), "admin@example.org"]);
    let by_actor = admin.get(&app, "/admin/audit?actor=admin%40&resource=user%3A").await;
    by_actor.assert_contains(&["update_user", "read"]);
    by_actor.assert_lacks(&["sign_in_failed"]);
    let bad_date = admin.get(&app, "/admin/audit?from=yesterday").await;
    assert_eq!(bad_date.status, StatusCode::BAD_REQUEST);
    bad_date.assert_contains(&["Enter a real date, like 2026-03-27 or 27/3/2026", r##"href="#from""##]);
    let far_future = admin.get(&app, "/admin/audit?from=2999-01-01").await;
    assert_eq!(far_future.status, StatusCode::BAD_REQUEST);
    far_future.assert_contains(&["Enter a date between 1 January 1990 and 31 December"]);
    let future = admin.get(&app, &format!("/admin/audit?from={}", candour_domain::dates::latest())).await;
    future.assert_contains(&["0 entries found"]);
}

#[tokio::test]
async fn the_audit_log_pages_through_entries() {
    let app = TestApp::new().await;
    let mut admin = signed_in(&app, "admin@example.org", vec![grant(Role::Admin, Scope::All)]).await;
    for _ in 0..55 {
        admin.get(&app, "/admin/users").await;
    }
    let first = admin.get(&app, "/admin/audit?action=read&resource=users").await;
    first.assert_contains(&["Page 1 of 2", r#"href="/admin/audit?action=read&#38;resource=users&#38;page=2""#]);
    let second = admin.get(&app, "/admin/audit?action=read&resource=users&page=2").await;
    second.assert_contains(&["Page 2 of 2", "Previous page"]);
    second.assert_lacks(&["Next page"]);
}

#[tokio::test]
async fn every_private_page_shares_the_accessible_layout() {
    let app = TestApp::new().await;
    let jo_id = add_user(&app, "jo@example.org", vec![grant(Role::Moderator, Scope::All)]).await;
    let mut admin = signed_in(&app, "admin@example.org", vec![grant(Role::Admin, Scope::All)]).await;
    admin.post(&app, "/password-reset", &[("email", "jo@example.org")]).await;
    let uris = [
        "/sign-in".to_string(),
        "/password-reset".to_string(),
        "/password-reset/some-link".to_string(),
        "/invitations/some-link".to_string(),
        "/manage".to_string(),
        "/account".to_string(),
        format!("/manage/providers/{SUNRISE}"),
        format!("/manage/locations/{ROSE_COURT}"),
        "/manage/areas/Leeds".to_string(),
        "/admin/users".to_string(),
        "/admin/users/invite".to_string(),
        format!("/admin/users/{jo_id}"),
        "/admin/audit".to_string(),
        "/admin/outbox".to_string(),
    ];
    for uri in &uris {
        let reply = admin.get(&app, uri).await;
        assert!(matches!(reply.status, StatusCode::OK | StatusCode::SEE_OTHER), "{uri}: {}", reply.status);
        if reply.status == StatusCode::SEE_OTHER {
            continue;
        }
        reply.assert_contains(&[r#"<html lang="en-GB">"#, r#"<main id="main-content""#, r##"href="#main-content""##]);
        reply.assert_lacks(&["style=", "<style", "<script"]);
        for form in reply.body.split("<form").skip(1) {
            let form = &form[..form.find("</form>").unwrap_or(form.len())];
            if form.contains(r#"method="post""#) {
                assert!(form.contains(r#"name="csrf_token""#), "{uri}: a POST form without its CSRF token:\n{form}");
            }
        }
    }
}

#[tokio::test]
async fn the_commissioners_area_view_adds_warning_signs_complaints_and_improvement_plans() {
    let app = TestApp::new().await;
    // A complaint logged by the manager, received 60 days ago and still unanswered:
    // past its response deadline. And one raised today by the public.
    let mut manager =
        signed_in(&app, "manager@example.org", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await;
    let uri = format!("/manage/locations/{ROSE_COURT}/complaints/new");
    let form = manager.get(&app, &uri).await;
    let key = between(&form.body, "name=\"key\" value=\"", "\"").expect("a key").to_string();
    let received = (chrono::Utc::now().date_naive() - chrono::Duration::days(60)).to_string();
    let fields = [
        ("key", key.as_str()),
        ("what_happened", "Tablets were given late three times."),
        ("desired_outcome", "An explanation."),
        ("relationship", "family"),
        ("name", "Ann Example"),
        ("phone", "0113 496 0000"),
        ("channel", "letter"),
        ("received_on", received.as_str()),
    ];
    assert_eq!(manager.post(&app, &uri, &fields).await.status, StatusCode::SEE_OTHER);
    severe_alert_at_rose_court(&app).await;
    // An improvement plan at Rose Court.
    let mut admin =
        signed_in(&app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    let plan = admin
        .post(
            &app,
            &format!("/manage/locations/{ROSE_COURT}/plans/new"),
            &[("title", "After the inspection"), ("started_on", "2026-02-02"), ("finding", "rating:safe")],
        )
        .await;
    assert_eq!(plan.status, StatusCode::SEE_OTHER, "{}", plan.body);
    let plan_href = location(&plan).split('?').next().unwrap().to_string();
    app.settled().await;

    let mut commissioner =
        signed_in(&app, "leeds@example.org", vec![grant(Role::Commissioner, Scope::LocalAuthority("Leeds".into()))])
            .await;
    let page = commissioner.get(&app, "/manage/areas/Leeds").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&[
        "Services by watchlist band (1 calls most for a look)",
        r#"<a href="/monitoring/watchlist?local_authority=Leeds&#38;band=1">Band 1</a>"#,
        "Received in the last 12 months</dt><dd class=\"summary-list__value\">2</dd>",
        "Open now</dt><dd class=\"summary-list__value\">2</dd>",
        "Open and past their response deadline</dt><dd class=\"summary-list__value\">1</dd>",
        "Upheld or partly upheld, of those closed in the last 12 months</dt><dd class=\"summary-list__value\">None closed</dd>",
        &format!(r#"<a href="/manage/locations/{ROSE_COURT}/complaints">Rose Court</a></th><td class="numeric">1</td>"#),
        &format!(r#"<a href="{plan_href}">After the inspection</a>"#),
        "2 February 2026",
        r#"<a href="/areas/Leeds">The public page of the care market in Leeds</a>"#,
    ]);
    // Nothing names the people who complained.
    page.assert_lacks(&["Ann Example", "Tablets were given late"]);
    // The commissioner may follow each link.
    assert_eq!(commissioner.get(&app, &plan_href).await.status, StatusCode::OK);
    assert_eq!(
        commissioner.get(&app, &format!("/manage/locations/{ROSE_COURT}/complaints")).await.status,
        StatusCode::OK
    );
    // The same as a report, with the public market's figures after it.
    let pdf = commissioner.get(&app, "/manage/areas/Leeds/report.pdf").await;
    assert_eq!(pdf.status, StatusCode::OK);
    for shown in [
        "(Leeds: the care market, for commissioners) Tj",
        "(Services needing attention) Tj",
        "(Open and past their response deadline) Tj",
        "(After the inspection) Tj",
        "(The market in public) Tj",
        "(Services by type and current rating) Tj",
    ] {
        assert!(pdf.body.contains(shown), "{shown}");
    }
    assert!(!pdf.body.contains("Ann Example"));
    page.assert_contains(&[r#"<a href="/manage/areas/Leeds/report.pdf">This view as a PDF report</a>"#]);
    // Another authority's commissioner sees none of it.
    let mut other = signed_in(
        &app,
        "th@example.org",
        vec![grant(Role::Commissioner, Scope::LocalAuthority("Tower Hamlets".into()))],
    )
    .await;
    assert_eq!(other.get(&app, "/manage/areas/Leeds").await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&app, "/manage/areas/Leeds/report.pdf").await.status, StatusCode::NOT_FOUND);
    let signed_out = app.get("/manage/areas/Leeds/report.pdf").await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_alert_shows_each_step_of_its_escalation() {
    let app = TestApp::new().await;
    let mut inspector = signed_in(&app, "ins@example.org", vec![grant(Role::Inspector, Scope::All)]).await;
    let story = crate::moderation::feedback("At night a carer punched my dad and he has bruises on his arm.");
    let receipt = crate::moderation::give(&app, ROSE_COURT, &story).await;
    let alert = app.store.alert(receipt.alert_id.expect("an alert")).await.expect("the alert");
    let escalations =
        candour_app::voice::Escalations::new(app.store.clone(), Default::default(), "http://candour.test");
    // No contact is set in the fixture: the overseers are told at the first look.
    assert_eq!(escalations.escalate_due(chrono::Utc::now()).await.expect("look"), 1);
    let page = inspector.get(&app, &format!("/manage/alerts/{}", alert.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&[
        "Escalated while no one acknowledged it",
        "Step 1, ",
        "No safeguarding contact is set for its provider or its area, so no one was told. Sent to ins@example.org.",
    ]);
}
