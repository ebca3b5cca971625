//! Router tests for good practice: writing, publishing and unpublishing on the
//! provider's side; the public search and account pages; the API; who may write.

use axum::http::{StatusCode, header};
use candour_domain::{Role, Scope};

use crate::browser::*;
use crate::fixture::*;

fn account<'a>(title: &'a str, theme: &'a str, statements: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("title", title),
        ("summary", "Quiet music and smaller tables at every meal."),
        ("what_we_did", "We moved the tables and asked people what they like to hear."),
        ("why", "People told us the dining room was too loud."),
        ("difference", "People stay longer at the table & eat more."),
        ("advice", "Ask people first; start with one meal."),
        ("theme", theme),
    ];
    fields.extend(statements.iter().map(|s| ("statements", *s)));
    fields
}

async fn manager(app: &TestApp) -> Browser {
    signed_in(app, "manager@rose.example", vec![grant(Role::Manager, location_scope(ROSE_COURT))]).await
}

/// Writes an account at Rose Court; returns its preview page.
async fn write(app: &TestApp, browser: &mut Browser, title: &str, theme: &str, statements: &[&str]) -> String {
    let uri = format!("/manage/locations/{ROSE_COURT}/good-practice/new");
    let reply = browser.post(app, &uri, &account(title, theme, statements)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    location(&reply).split('?').next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn an_account_is_private_until_published_and_found_once_it_is() {
    let app = TestApp::new().await;
    let mut manager = manager(&app).await;
    let preview = write(&app, &mut manager, "Music at <mealtimes>", "nutrition_hydration", &["E4", "R1"]).await;
    let id = preview.rsplit('/').next().expect("an ID").to_string();
    let public = format!("/good-practice/{id}");

    let page = manager.get(&app, &preview).await;
    page.assert_contains(&["Draft", "Music at &#60;mealtimes&#62;", "E4 Supporting people to live healthier lives"]);
    assert_eq!(app.get(&public).await.status, StatusCode::NOT_FOUND, "a draft is not public");
    assert_eq!(manager.get(&app, &public).await.status, StatusCode::NOT_FOUND, "not even to its author");
    assert_eq!(app.get(&format!("/api/v1/good-practice/{id}")).await.status, StatusCode::NOT_FOUND);
    assert!(!app.get("/good-practice?q=music").await.body.contains("mealtimes"));

    let reply = manager.post(&app, &format!("{preview}/publish"), &[]).await;
    assert_eq!(location(&reply), format!("{preview}?done=published"));
    let page = app.get(&public).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&[
        "Music at &#60;mealtimes&#62;",
        &format!(r#"href="/locations/{ROSE_COURT}""#),
        "Sunrise Care Ltd",
        "Nutrition and hydration",
        "R1 Person-centred care",
        "People stay longer at the table &#38; eat more.",
    ]);

    // The search: text (ignoring case), theme and statement, as a GET form.
    let found = app.get("/good-practice?q=MUSIC&theme=nutrition_hydration&statement=R1").await;
    assert_eq!(found.status, StatusCode::OK);
    found.assert_contains(&["1 account found", &format!(r#"href="/good-practice/{id}""#), "Rose Court"]);
    for miss in ["/good-practice?q=gardening", "/good-practice?theme=dementia", "/good-practice?statement=W8"] {
        app.get(miss).await.assert_contains(&["No accounts match your search"]);
    }
    app.get("/good-practice?q=%25").await.assert_contains(&["No accounts match your search"]);
    let csv = app.get("/good-practice.csv?q=music&statement=R1").await;
    assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 2, "a header and the one account: {}", csv.body);
    assert!(lines[0].starts_with("id,title,summary,service,location_id,provider,theme,quality_statements"));
    assert!(lines[1].starts_with(&format!("{id},")) && lines[1].contains(ROSE_COURT), "{}", lines[1]);
    assert_eq!(app.get("/good-practice.csv?theme=gardening").await.status, StatusCode::BAD_REQUEST);
    let api = app.get("/api/v1/good-practice?statement=e4").await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let body = api.json();
    assert_eq!((body["total"].as_u64(), body["items"][0]["location"]["id"].as_str()), (Some(1), Some(ROSE_COURT)));
    assert_eq!(body["items"][0]["statements"][0]["title"], "Supporting people to live healthier lives");
    let one = app.get(&format!("/api/v1/good-practice/{id}")).await.json();
    assert_eq!(one["advice"], "Ask people first; start with one meal.");

    // Unpublished: gone from the public and the API, kept for the provider.
    manager.post(&app, &format!("{preview}/unpublish"), &[]).await;
    assert_eq!(app.get(&public).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/good-practice").await.json()["total"], 0);
    let list = manager.get(&app, &format!("/manage/locations/{ROSE_COURT}/good-practice")).await;
    list.assert_contains(&["Unpublished", "Music at &#60;mealtimes&#62;"]);

    // Edited and published again.
    let mut edited = account("Calm mealtimes", "dementia", &["C1"]);
    edited.retain(|(k, _)| *k != "summary");
    edited.push(("summary", "Calm, quiet meals."));
    let reply = manager.post(&app, &format!("{preview}/edit"), &edited).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    manager.post(&app, &format!("{preview}/publish"), &[]).await;
    app.get("/good-practice?theme=dementia")
        .await
        .assert_contains(&["Calm mealtimes", "C1 Kindness, compassion and dignity"]);
}

#[tokio::test]
async fn bad_input_is_shown_beside_each_field() {
    let app = TestApp::new().await;
    let mut manager = manager(&app).await;
    let uri = format!("/manage/locations/{ROSE_COURT}/good-practice/new");
    let form = manager.get(&app, &uri).await;
    form.assert_contains(&[
        "Write an account of good practice",
        "<legend class=\"fieldset__legend\">Quality statements</legend>",
    ]);
    let mut fields = account("", "gardening", &["S99"]);
    fields.retain(|(k, _)| *k != "why");
    let reply = manager.post(&app, &uri, &fields).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_contains(&[
        "Error: Write an account of good practice",
        r##"<a href="#title">Enter a title</a>"##,
        r##"<a href="#why">Enter why we did it</a>"##,
        r##"<a href="#theme">Choose the theme the account is about</a>"##,
        r##"<a href="#statements-S1">Choose quality statements from the list</a>"##,
        "People stay longer at the table",
    ]);
    assert!(reply.body.contains("Quiet music and smaller tables"), "what was typed is kept");

    let bad = app.get("/good-practice?theme=gardening&statement=Z1").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    bad.assert_contains(&["Choose a theme from the list", r#"id="theme-error""#, "Choose a quality statement"]);
    let api = app.get("/api/v1/good-practice?theme=gardening").await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(api.json()["error"]["field"], "theme");
    assert_eq!(app.get("/api/v1/good-practice?per_page=500").await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn only_those_who_run_the_service_write_its_accounts() {
    let app = TestApp::new().await;
    let mut manager = manager(&app).await;
    let preview = write(&app, &mut manager, "Music", "nutrition_hydration", &["E4"]).await;
    let mut admin =
        signed_in(&app, "admin@sunrise.example", vec![grant(Role::ProviderAdmin, provider_scope(SUNRISE))]).await;
    assert_eq!(admin.get(&app, &preview).await.status, StatusCode::OK, "the provider's administrator");
    let outsiders = [
        ("staff@rose.example", grant(Role::Staff, location_scope(ROSE_COURT))),
        ("manager@oak.example", grant(Role::Manager, location_scope(OAK_LODGE))),
        ("admin@harbour.example", grant(Role::ProviderAdmin, provider_scope(HARBOUR))),
        ("inspector@example.org", grant(Role::Inspector, Scope::All)),
        ("leeds@example.org", grant(Role::Commissioner, Scope::LocalAuthority("Leeds".into()))),
    ];
    for (email, g) in outsiders {
        let mut browser = signed_in(&app, email, vec![g]).await;
        for uri in [preview.clone(), format!("{preview}/edit"), format!("/manage/locations/{ROSE_COURT}/good-practice")]
        {
            assert_eq!(browser.get(&app, &uri).await.status, StatusCode::NOT_FOUND, "{email} {uri}");
        }
        let reply = browser.post(&app, &format!("{preview}/publish"), &[]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{email} publishes");
    }
    let anonymous = app.get(&preview).await;
    assert!(location(&anonymous).starts_with("/sign-in?next="));
    assert_eq!(app.get("/good-practice/99999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/good-practice/nope").await.status, StatusCode::NOT_FOUND);
    // The home page's header links to the search.
    app.get("/").await.assert_contains(&[r#"<a href="/good-practice">Good practice</a>"#]);
}
