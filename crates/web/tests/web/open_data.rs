//! Open data over HTTP: the page lists each file with its dictionary and licence;
//! a file comes as an attachment with an ETag, and not again while unchanged.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::fixture::*;

#[tokio::test]
async fn open_data_files_download_once_per_change() {
    let app = TestApp::new().await;
    let page = app.get("/open-data").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&[
        "register.csv",
        "register.ods",
        "voice-by-month.csv",
        "good-practice.csv",
        "What each column means",
        "Open Government Licence",
    ]);

    let csv = app.get("/open-data/register.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    assert_eq!(csv.headers[header::CONTENT_DISPOSITION], "attachment; filename=\"register.csv\"");
    assert!(csv.headers.contains_key(header::LAST_MODIFIED));
    assert!(csv.body.starts_with("Care directory with filters"), "{}", &csv.body[..80.min(csv.body.len())]);
    csv.assert_contains(&[ROSE_COURT, "Rose Court"]);
    csv.assert_lacks(&[OLD_ROSE_COURT]);

    let etag = csv.headers[header::ETAG].clone();
    let again = app
        .request(
            Request::get("/open-data/register.csv")
                .header(header::IF_NONE_MATCH, etag.clone())
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED, "unchanged, so not sent again");
    assert_eq!(app.get("/open-data/register.csv").await.body, csv.body, "made once, served from disk after");

    let ods = app.get("/open-data/register.ods").await;
    assert_eq!(ods.status, StatusCode::OK);
    assert_eq!(ods.headers[header::CONTENT_TYPE], "application/vnd.oasis.opendocument.spreadsheet");
    assert_eq!(app.get("/open-data/passwords.csv").await.status, StatusCode::NOT_FOUND);
}
