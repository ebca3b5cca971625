//! Conformance cases for the practice store.

use super::*;

use candour_domain::practice::{PracticeDraft, PracticeStatus, QualityStatement, Theme};

fn statement(code: &str) -> QualityStatement {
    QualityStatement::parse(code).expect("valid statement")
}

pub(super) fn account(title: &str, theme: Theme, statements: &[&str]) -> PracticeDraft {
    PracticeDraft {
        title: title.into(),
        summary: format!("Summary of {title}"),
        what_we_did: "We tried something.".into(),
        why: "People asked.".into(),
        difference: "Life got better.".into(),
        advice: "Start small.".into(),
        theme,
        statements: statements.iter().map(|s| statement(s)).collect(),
    }
}

async fn create(store: &dyn Store, location: u32, draft: PracticeDraft, hours: i64) -> i64 {
    let new = NewPractice { location: lid(location), draft, by: None, at: at(hours) };
    store.create_practice(&new).await.expect("create")
}

pub async fn practice_goes_from_draft_to_published_and_back(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let author = add_user(store, "manager@example.org", vec![]).await;
    let draft = account("Music at mealtimes", Theme::Nutrition, &["E4", "R1"]);
    let new = NewPractice { location: lid(100), draft: draft.clone(), by: Some(author.id), at: at(1) };
    let id = store.create_practice(&new).await.expect("create");
    let kept = store.practice(id).await.expect("practice");
    assert_eq!(kept.draft, draft, "every field round trips");
    assert_eq!(
        (kept.status, kept.created_by, kept.created_at, kept.published_at),
        (PracticeStatus::Draft, Some(author.id), at(1), None)
    );
    assert_eq!(
        (kept.location_name.as_str(), kept.provider_name.as_str()),
        ("Willowbrook House", "Brightwater Care Ltd")
    );
    assert_eq!((kept.provider_id, kept.local_authority.as_deref()), (pid(1), Some("Leeds")));

    let mut edited = account("Quiet mealtimes", Theme::Dementia, &["W8", "C1"]);
    edited.statements.sort();
    store.update_practice(id, &edited, at(2)).await.expect("update");
    let kept = store.practice(id).await.expect("practice");
    assert_eq!((kept.draft.clone(), kept.updated_at), (edited, at(2)));
    assert_eq!(kept.draft.statements.iter().map(|s| s.code()).collect::<Vec<_>>(), ["C1", "W8"]);

    store.set_practice_published(id, true, at(3)).await.expect("publish");
    let kept = store.practice(id).await.expect("practice");
    assert_eq!((kept.status, kept.published_at), (PracticeStatus::Published, Some(at(3))));
    assert!(matches!(store.set_practice_published(id, true, at(4)).await, Err(StoreError::Conflict(_))));
    store.set_practice_published(id, false, at(5)).await.expect("unpublish");
    let kept = store.practice(id).await.expect("practice");
    assert_eq!((kept.status, kept.published_at), (PracticeStatus::Unpublished, Some(at(3))), "the date is kept");
    assert!(matches!(store.set_practice_published(id, false, at(6)).await, Err(StoreError::Conflict(_))));

    let listed = store.practices_of(&lid(100)).await.expect("list");
    assert_eq!((listed.len(), listed[0].id, listed[0].status), (1, id, PracticeStatus::Unpublished));
    assert!(store.practices_of(&lid(102)).await.expect("none").is_empty());

    let missing =
        NewPractice { location: lid(999), draft: account("Lost", Theme::Medicines, &["S8"]), by: None, at: at(1) };
    assert!(matches!(store.create_practice(&missing).await, Err(StoreError::NotFound)));
    assert!(matches!(store.practice(id + 100).await, Err(StoreError::NotFound)));
    assert!(matches!(store.update_practice(id + 100, &missing.draft, at(1)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.set_practice_published(id + 100, true, at(1)).await, Err(StoreError::NotFound)));
}

pub async fn practice_search_finds_only_published_accounts(store: &dyn Store) {
    store.apply_import(&small_register()).await.expect("import");
    let music = create(store, 100, account("Music at mealtimes", Theme::Nutrition, &["E4", "R1"]), 1).await;
    let mut percent = account("100% of people asked", Theme::Involving, &["R4"]);
    percent.advice = "Use snake_case names for files".into();
    let percent = create(store, 102, percent, 2).await;
    let meds = create(store, 104, account("Medicines rounds", Theme::Medicines, &["S8", "R1"]), 3).await;
    let draft = create(store, 103, account("Music draft", Theme::Nutrition, &["R1"]), 4).await;
    for (id, hours) in [(music, 5), (percent, 6), (meds, 7)] {
        store.set_practice_published(id, true, at(hours)).await.expect("publish");
    }
    let unpublished = create(store, 103, account("Music gone", Theme::Nutrition, &["R1"]), 4).await;
    store.set_practice_published(unpublished, true, at(8)).await.expect("publish");
    store.set_practice_published(unpublished, false, at(9)).await.expect("unpublish");

    let find = |text: Option<&str>, theme: Option<Theme>, code: Option<&str>| {
        let query = PracticeQuery {
            text: text.map(String::from),
            theme,
            statement: code.map(statement),
            ..PracticeQuery::default()
        };
        async move { store.search_practice(&query).await.expect("search").items.iter().map(|s| s.id).collect::<Vec<_>>() }
    };
    assert_eq!(find(None, None, None).await, [meds, percent, music], "published only, newest first");
    assert_eq!(find(Some("MUSIC"), None, None).await, [music], "ignoring case; not the draft or the unpublished");
    assert_eq!(find(Some("amber lodge"), None, None).await, [meds], "the service's name");
    assert_eq!(find(Some("meadowview"), None, None).await, [meds], "the provider's name");
    assert_eq!(find(Some("snake_case"), None, None).await, [percent], "the account's parts");
    assert_eq!(find(Some("%"), None, None).await, [percent], "% is a plain character");
    assert_eq!(find(Some("_"), None, None).await, [percent], "_ is a plain character");
    assert_eq!(find(Some("m%s"), None, None).await, Vec::<i64>::new());
    assert_eq!(find(None, Some(Theme::Nutrition), None).await, [music]);
    assert_eq!(find(None, None, Some("R1")).await, [meds, music]);
    assert_eq!(find(Some("rounds"), None, Some("R1")).await, [meds], "filters combine");
    assert_eq!(find(None, Some(Theme::Medicines), Some("E4")).await, Vec::<i64>::new());
    assert!(!find(None, None, None).await.contains(&draft));

    let first = store.search_practice(&PracticeQuery { per_page: 2, ..PracticeQuery::default() }).await.expect("page");
    assert_eq!((first.total, first.items.len(), first.pages()), (3, 2, 2));
    let second =
        store.search_practice(&PracticeQuery { per_page: 2, page: 2, ..PracticeQuery::default() }).await.expect("p2");
    assert_eq!(second.items.iter().map(|s| s.id).collect::<Vec<_>>(), [music]);
    let found = &first.items[0];
    assert_eq!((found.location_name.as_str(), found.provider_name.as_str()), ("Amber Lodge", "Meadowview Homes Ltd"));
    assert_eq!(found.statements.iter().map(|s| s.code()).collect::<Vec<_>>(), ["S8", "R1"]);
    assert_eq!((found.theme, found.published_at), (Theme::Medicines, Some(at(7))));
    for bad in [
        PracticeQuery { page: 0, ..PracticeQuery::default() },
        PracticeQuery { per_page: 101, ..PracticeQuery::default() },
    ] {
        assert!(matches!(store.search_practice(&bad).await, Err(StoreError::Invalid(_))));
    }
}
