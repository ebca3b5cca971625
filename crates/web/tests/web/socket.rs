//! The server over a real socket, as the CLI runs it.

use candour_db::TestDatabase;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::fixture::{plan, test_config};

async fn raw_get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts connections");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("the request is sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("a response");
    response
}

#[tokio::test]
async fn serves_pages_and_health_on_a_tcp_listener() {
    let database = TestDatabase::fresh().await;
    let store = database.open().await.store();
    store.apply_import(&plan()).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(candour_web::serve(listener, store, test_config()));

    let health = raw_get(addr, "/healthz").await;
    assert!(health.starts_with("HTTP/1.1 200 OK"), "{health}");
    assert!(health.contains(r#""status":"ok""#), "{health}");

    let page = raw_get(addr, "/locations?region=london").await;
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(page.contains("2 locations found"), "{page}");
    server.abort();
}
