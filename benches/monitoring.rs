//! Throughput of the monitoring pages on the national data set, over real HTTP.
//!
//! The data set is made beforehand (see docs/benchmarks.md): `regiomonitor generate --scale
//! national` and `regiomonitor import observations` into a SQLite file or a PostgreSQL
//! database, named by MONITORING_DATABASE_URL. `cargo bench --bench monitoring` then starts
//! the app on a free port on that database and, for every path in BENCH_PATHS (default `/`
//! and `/indicatoren/kpi-001`), times one request, keeps CONNECTIONS keep-alive connections
//! busy for SECONDS seconds, and does the same against a minimal axum handler that serves the
//! very same bytes from memory (the ceiling on this machine).

use std::net::SocketAddr;
use std::time::Instant;

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
    let paths = std::env::var("BENCH_PATHS").unwrap_or_else(|_| "/,/indicatoren/kpi-001".into());
    let Ok(url) = std::env::var("MONITORING_DATABASE_URL") else {
        eprintln!(
            "MONITORING_DATABASE_URL is not set: make the national data set first (docs/benchmarks.md) and name its database"
        );
        return Ok(());
    };
    let url = DatabaseUrl::parse(&url).map_err(anyhow::Error::msg)?;
    let store = Store::open(&url).await?;
    let app = Application::with_store(store, SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = app.addr();
    tokio::spawn(app.run_until_stopped());

    for path in paths.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let started = Instant::now();
        let body = fetch(addr, path).await?;
        let first = started.elapsed();
        println!(
            "page {path}: {} bytes (uncompressed HTML), first request {:.0} ms",
            body.len(),
            first.as_secs_f64() * 1000.0
        );
        let (rps, mb) = load(addr, path, connections, seconds).await?;
        println!(
            "regiomonitor {path}: {rps:.1} req/s, {mb:.1} MB/s ({connections} connections, {seconds} s)"
        );

        let (crps, cmb) = http_load::ceiling(body, connections, seconds).await?;
        println!("minimal axum handler, same bytes from memory: {crps:.1} req/s, {cmb:.1} MB/s");
        println!("ratio {path}: {:.2}", rps / crps);
    }
    Ok(())
}
