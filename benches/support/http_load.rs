//! What the HTTP benches share: a keep-alive load over real sockets, and the same bytes
//! served by a minimal axum handler from memory as the ceiling to compare with.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

pub fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Serves `body` from memory with a minimal axum handler and loads it like the application;
/// returns requests/s and MB/s.
pub async fn ceiling(body: Vec<u8>, connections: u64, seconds: u64) -> anyhow::Result<(f64, f64)> {
    let bytes = Arc::new(body);
    let router = axum::Router::new().route(
        "/",
        axum::routing::get(move || {
            let bytes = Arc::clone(&bytes);
            async move { axum::response::Html((*bytes).clone()) }
        }),
    );
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let result = load(addr, "/", connections, seconds).await;
    server.abort();
    result
}

/// One GET, returning the body.
pub async fn fetch(addr: SocketAddr, path: &str) -> anyhow::Result<Vec<u8>> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let mut reader = BufReader::new(stream);
    request(&mut reader, path).await
}

async fn request(
    reader: &mut BufReader<tokio::net::TcpStream>,
    path: &str,
) -> anyhow::Result<Vec<u8>> {
    reader
        .get_mut()
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n").as_bytes())
        .await?;
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    if !line.starts_with("HTTP/1.1 200") {
        anyhow::bail!("GET {path}: {}", line.trim_end());
    }
    let mut length = None;
    let mut chunked = false;
    loop {
        line.clear();
        reader.read_line(&mut line).await?;
        let header = line.trim_end().to_ascii_lowercase();
        if header.is_empty() {
            break;
        }
        if let Some(v) = header.strip_prefix("content-length:") {
            length = Some(v.trim().parse::<usize>()?);
        }
        if header.starts_with("transfer-encoding:") && header.contains("chunked") {
            chunked = true;
        }
    }
    let mut body = Vec::new();
    if let Some(n) = length {
        body.resize(n, 0);
        reader.read_exact(&mut body).await?;
    } else if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim(), 16)?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).await?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    }
    Ok(body)
}

/// Keeps `connections` connections busy for `seconds`; returns requests/s and MB/s.
pub async fn load(
    addr: SocketAddr,
    path: &str,
    connections: u64,
    seconds: u64,
) -> anyhow::Result<(f64, f64)> {
    let done = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (done, bytes, path) = (Arc::clone(&done), Arc::clone(&bytes), path.to_owned());
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await?;
            let mut reader = BufReader::new(stream);
            while Instant::now() < end {
                let body = request(&mut reader, &path).await?;
                done.fetch_add(1, Ordering::Relaxed);
                bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let secs = start.elapsed().as_secs_f64();
    Ok((
        done.load(Ordering::Relaxed) as f64 / secs,
        bytes.load(Ordering::Relaxed) as f64 / secs / 1e6,
    ))
}
