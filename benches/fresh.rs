//! The load generator of `scripts/bench-fresh.py`: pages made fresh for a signed-in visitor.
//!
//! It runs against a server that is already started (the script starts it on one core and
//! this on the other) and prints one JSON line per path: requests, requests per second, p50,
//! p99 and the largest time, and the page's size.
//!
//! - `FRESH_ADDR` (`127.0.0.1:port`): the server. Without it the bench says so and stops.
//! - `FRESH_PATHS`: the paths, separated by commas.
//! - `FRESH_COOKIE`: the `Cookie` header of a signed-in visitor; without it, anonymous.
//! - `FRESH_MODE`: `load` (default: CONNECTIONS keep-alive connections busy for SECONDS
//!   seconds) or `burst` (BURST visitors ask at the same moment, once each).

#[path = "support/http_load.rs"]
mod http_load;

use http_load::env_or;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Ok(addr) = std::env::var("FRESH_ADDR") else {
        eprintln!("FRESH_ADDR is not set: run scripts/bench-fresh.py, which starts the server");
        return Ok(());
    };
    let addr: std::net::SocketAddr = addr.parse()?;
    let cookie = std::env::var("FRESH_COOKIE").ok().filter(|c| !c.is_empty());
    let paths = std::env::var("FRESH_PATHS").unwrap_or_else(|_| "/".into());
    let burst = std::env::var("FRESH_MODE").is_ok_and(|m| m == "burst");
    let (seconds, connections) = (env_or("SECONDS", 10), env_or("CONNECTIONS", 16));
    for path in paths.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let timed = if burst {
            let n = usize::try_from(env_or("BURST", 64)).unwrap_or(64);
            http_load::burst(addr, path, cookie.as_deref(), n).await?
        } else {
            http_load::load_timed(addr, path, cookie.as_deref(), connections, seconds).await?
        };
        println!(
            "{}",
            serde_json::json!({
                "path": path,
                "requests": timed.requests,
                "per_second": timed.per_second,
                "p50_ms": timed.p50_ms,
                "p99_ms": timed.p99_ms,
                "max_ms": timed.max_ms,
                "bytes": timed.bytes,
                "refused": timed.refused,
            })
        );
    }
    Ok(())
}
