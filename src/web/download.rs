//! Downloads of a whole filtered list (CSV, JSON) streamed a batch at a time: a task reads one
//! batch from the store, writes it out and reads the next while the client takes the first,
//! so a national list never sits in memory and the async workers only pass bytes along. A
//! failure halfway breaks off the download (the client sees an incomplete transfer, never a
//! file that looks whole).

use std::future::Future;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;

use crate::store::StoreError;

/// Lines per batch read from the store.
pub const BATCH: usize = 500;

/// Batches buffered between the reader and the client.
const IN_FLIGHT: usize = 4;

type Chunk = Result<Bytes, std::io::Error>;

/// A body fed by a task that sends chunks as it makes them.
fn streamed(
    content_type: &'static str,
    file_name: &str,
    produce: impl FnOnce(mpsc::Sender<Chunk>) -> tokio::task::JoinHandle<()>,
) -> Response {
    let (send, receive) = mpsc::channel::<Chunk>(IN_FLIGHT);
    produce(send);
    let stream = futures_util::stream::unfold(receive, |mut r| async move {
        r.recv().await.map(|chunk| (chunk, r))
    });
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

fn broken(e: &StoreError) -> std::io::Error {
    tracing::error!(error = %e, "download broken off");
    std::io::Error::other("de download is afgebroken")
}

/// A CSV file (UTF-8 with a byte order mark, so spreadsheet programs read the accents right)
/// of `header` and the rows `batch(n)` gives for n = 0, 1, ... until it gives an empty batch.
pub fn csv<F, Fut>(file_name: &str, header: &'static [&'static str], mut batch: F) -> Response
where
    F: FnMut(usize) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Vec<Vec<String>>, StoreError>> + Send,
{
    streamed("text/csv; charset=utf-8", file_name, move |send| {
        tokio::spawn(async move {
            let mut first = b"\xEF\xBB\xBF".to_vec();
            first.extend(csv_lines(std::iter::once(
                header.iter().map(|h| (*h).to_owned()).collect(),
            )));
            if send.send(Ok(Bytes::from(first))).await.is_err() {
                return;
            }
            for n in 0.. {
                let chunk = match batch(n).await {
                    Ok(rows) if rows.is_empty() => return,
                    Ok(rows) => Ok(Bytes::from(csv_lines(rows.into_iter()))),
                    Err(e) => Err(broken(&e)),
                };
                let failed = chunk.is_err();
                // The client went away: stop reading.
                if send.send(chunk).await.is_err() || failed {
                    return;
                }
            }
        })
    })
}

fn csv_lines(rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = writer.write_record(&row);
    }
    writer.into_inner().unwrap_or_default()
}

/// A JSON array of the items `batch(n)` gives for n = 0, 1, ... until an empty batch.
pub fn json_array<T, F, Fut>(file_name: &str, mut batch: F) -> Response
where
    T: serde::Serialize + Send + 'static,
    F: FnMut(usize) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Vec<T>, StoreError>> + Send,
{
    streamed("application/json", file_name, move |send| {
        tokio::spawn(async move {
            let mut started = false;
            for n in 0.. {
                let items = match batch(n).await {
                    Ok(items) => items,
                    Err(e) => {
                        let _ = send.send(Err(broken(&e))).await;
                        return;
                    }
                };
                let mut out = Vec::new();
                if !started {
                    out.push(b'[');
                }
                let done = items.is_empty();
                for item in items {
                    if started {
                        out.push(b',');
                    }
                    started = true;
                    if serde_json::to_writer(&mut out, &item).is_err() {
                        let _ = send.send(Err(std::io::Error::other("JSON"))).await;
                        return;
                    }
                }
                if done {
                    out.push(b']');
                }
                if send.send(Ok(Bytes::from(out))).await.is_err() || done {
                    return;
                }
            }
        })
    })
}
