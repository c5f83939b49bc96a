use std::net::SocketAddr;

use regiomonitor::config::Config;
use regiomonitor::startup::Application;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::TestDb;

#[tokio::test]
async fn the_application_serves_pages_on_a_free_port() {
    let db = TestDb::new().await;
    let config = Config {
        database: db.url.clone(),
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
    };
    let app = Application::build(&config).await.expect("app builds");
    let addr = app.addr();
    assert_ne!(addr.port(), 0);
    let server = tokio::spawn(app.run_until_stopped());

    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    stream
        .write_all(b"GET /gemeenten HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("writes");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("reads");

    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("content-security-policy"));
    server.abort();
}
