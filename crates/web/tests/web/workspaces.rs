//! What each private page shows: the private home built from the policy, the
//! provider, location and area workspaces, and the administration pages.

use axum::http::StatusCode;
use candour_domain::{Role, Scope};
use candour_store::AccountStore;

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
        "manager@example.org",
        "rating--good",
    ]);
    page.assert_lacks(&["Invite a registered manager"]);

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
        "No registered service in this area is rated Inadequate",
    ]);
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
