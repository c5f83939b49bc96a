//! Throughput of the dashboard page with the demo data on SQLite, over real HTTP.
//!
//! `cargo bench --bench dashboard` starts the app on a free port, loads the demo data into a
//! temporary SQLite file, and keeps CONNECTIONS keep-alive connections busy for SECONDS
//! seconds. For scale it then serves the very same bytes from memory with a minimal axum
//! handler (the ceiling on this machine) and measures that the same way.

use regiomonitor::domain::Channel;
use regiomonitor::store::Actor;

use std::net::SocketAddr;

use regiomonitor::config::DatabaseUrl;
use regiomonitor::startup::Application;
use regiomonitor::store::Store;

#[path = "support/http_load.rs"]
mod http_load;

use http_load::{env_or, fetch, load};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let seconds = env_or("SECONDS", 10);
    let connections = env_or("CONNECTIONS", 16);
    let path = std::env::var("BENCH_PATH").unwrap_or_else(|_| "/".into());

    let dir = tempfile::tempdir()?;
    let url = DatabaseUrl::parse(&format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ))
    .map_err(anyhow::Error::msg)?;
    let store = Store::open(&url).await?;
    store
        .load_demo(&Actor::system("demogegevens", Channel::Import))
        .await?;
    let app = Application::with_store(store, SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = app.addr();
    tokio::spawn(app.run_until_stopped());

    let body = fetch(addr, &path).await?;
    println!("page {path}: {} bytes (uncompressed HTML)", body.len());
    let (rps, mb) = load(addr, &path, connections, seconds).await?;
    println!(
        "regiomonitor {path}: {rps:.0} req/s, {mb:.1} MB/s ({connections} connections, {seconds} s)"
    );

    let (crps, cmb) = http_load::ceiling(body, connections, seconds).await?;
    println!("minimal axum handler, same bytes from memory: {crps:.0} req/s, {cmb:.1} MB/s");
    println!("ratio: {:.2}", rps / crps);
    Ok(())
}
