//! What the HTTP benches share: a keep-alive load over real sockets, and the same bytes
//! served by a minimal axum handler from memory as the ceiling to compare with.

// Each bench uses a part of this module.
#![allow(dead_code)]

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
    request(&mut reader, path, None).await
}

/// One GET with a `Cookie` header (a signed-in visitor) when `cookie` is given.
async fn request(
    reader: &mut BufReader<tokio::net::TcpStream>,
    path: &str,
    cookie: Option<&str>,
) -> anyhow::Result<Vec<u8>> {
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    reader
        .get_mut()
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: bench\r\n{cookie}\r\n").as_bytes())
        .await?;
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    let status = line.trim_end().to_owned();
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
    if !status.starts_with("HTTP/1.1 200") {
        anyhow::bail!("GET {path}: {status}");
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
                let body = request(&mut reader, &path, None).await?;
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

/// What a timed load measured: throughput and the spread of the answers' times.
#[derive(Debug, Clone, Copy)]
pub struct Timed {
    pub requests: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub bytes: usize,
    /// Answers that were not a 200 (a burst counts them rather than stopping).
    pub refused: usize,
}

impl Timed {
    fn of(mut times: Vec<Duration>, elapsed: Duration, bytes: usize) -> Self {
        times.sort_unstable();
        let at = |q: f64| {
            let i = ((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1));
            times.get(i).map_or(0.0, |t| t.as_secs_f64() * 1000.0)
        };
        Self {
            requests: times.len(),
            per_second: times.len() as f64 / elapsed.as_secs_f64(),
            p50_ms: at(0.50),
            p99_ms: at(0.99),
            max_ms: at(1.0),
            bytes,
            refused: 0,
        }
    }
}

/// Keeps `connections` keep-alive connections busy for `seconds` asking for `path` (with
/// `cookie` when given) and times every answer.
pub async fn load_timed(
    addr: SocketAddr,
    path: &str,
    cookie: Option<&str>,
    connections: u64,
    seconds: u64,
) -> anyhow::Result<Timed> {
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (path, cookie) = (path.to_owned(), cookie.map(str::to_owned));
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await?;
            let mut reader = BufReader::new(stream);
            let (mut times, mut bytes) = (Vec::new(), 0);
            while Instant::now() < end {
                let t = Instant::now();
                let body = request(&mut reader, &path, cookie.as_deref()).await?;
                times.push(t.elapsed());
                bytes = body.len();
            }
            anyhow::Ok((times, bytes))
        }));
    }
    let (mut times, mut bytes) = (Vec::new(), 0);
    for t in tasks {
        let (more, b) = t.await??;
        times.extend(more);
        bytes = bytes.max(b);
    }
    Ok(Timed::of(times, start.elapsed(), bytes))
}

/// `n` visitors ask for `path` at the same moment, each on a connection of its own.
pub async fn burst(
    addr: SocketAddr,
    path: &str,
    cookie: Option<&str>,
    n: usize,
) -> anyhow::Result<Timed> {
    let mut streams = Vec::new();
    for _ in 0..n {
        streams.push(BufReader::new(tokio::net::TcpStream::connect(addr).await?));
    }
    let start = Instant::now();
    let mut tasks = Vec::new();
    for mut reader in streams {
        let (path, cookie) = (path.to_owned(), cookie.map(str::to_owned));
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let body = request(&mut reader, &path, cookie.as_deref()).await;
            (t.elapsed(), body)
        }));
    }
    let (mut times, mut bytes, mut refused) = (Vec::new(), 0, Vec::new());
    for t in tasks {
        let (took, body) = t.await?;
        match body {
            Ok(b) => {
                times.push(took);
                bytes = bytes.max(b.len());
            }
            Err(e) => refused.push(e.to_string()),
        }
    }
    let mut timed = Timed::of(times, start.elapsed(), bytes);
    timed.refused = refused.len();
    if let Some(first) = refused.first() {
        eprintln!(
            "{} of {n} answers were not a 200, the first: {first}",
            refused.len()
        );
    }
    Ok(timed)
}
