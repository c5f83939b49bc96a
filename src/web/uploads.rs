//! Files sent through the website: streamed to disk under a limit (never held in memory),
//! and a checked upload kept for the session that sent it until it is confirmed, cancelled
//! or expired.
//!
//! Kept uploads live in this process only: the list is in memory and the files are in a
//! directory of this process's own under the system's temp dir (`TMPDIR`, or the directory
//! `WebSettings::upload_dir` names), removed with it.
//! A restart forgets them, and the confirmation then says to choose the file again. A table
//! was the other choice; it would outlive the files it names (a restart, a cleaned temp dir)
//! and tell a second server on the same database about files on another machine's disk.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::Multipart;
use tempfile::{NamedTempFile, TempDir, TempPath};
use tokio::io::AsyncWriteExt;

use super::session::{Via, Viewer};

/// The largest upload, in MB, unless `--max-upload-mb` says otherwise.
pub const DEFAULT_MAX_UPLOAD_MB: u64 = 100;
/// How long a checked upload waits for its confirmation.
pub const DEFAULT_KEEP: Duration = Duration::from_secs(60 * 60);
/// Checked uploads one session keeps at once; a further one makes it forget the oldest.
const KEPT_PER_OWNER: usize = 3;
const MB: u64 = 1024 * 1024;

/// The uploads of this process: the limit, the directory and the checked uploads.
pub struct Uploads {
    limit_mb: u64,
    keep: Duration,
    /// Where this process's directory is made (the system's temp dir when `None`).
    parent: Option<PathBuf>,
    /// This process's directory, made at the first upload.
    dir: Mutex<Option<TempDir>>,
    /// Checked uploads by their one-time id.
    kept: Mutex<HashMap<String, Kept>>,
}

/// Who sent an upload: the session (or API token) and the account. Only the same one may
/// confirm it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    via: Via,
    user_id: i64,
}

impl Owner {
    /// The signed-in sender of a request; `None` for a visitor who is not signed in.
    pub fn of(viewer: &Viewer) -> Option<Self> {
        let user = viewer.user.as_ref()?;
        matches!(viewer.via, Via::Session(_) | Via::Token(_)).then(|| Self {
            via: viewer.via.clone(),
            user_id: user.id,
        })
    }
}

/// A checked upload waiting for its confirmation; its file is removed when it is dropped.
pub struct Kept {
    /// The file's name as the browser gave it (or what stands for pasted lines).
    pub name: String,
    pub path: TempPath,
    owner: Owner,
    since: Instant,
}

/// One part of a multipart form, written to a file of its own.
pub struct Received {
    /// The form field's name.
    pub field: String,
    /// The file's name as the browser gave it (none for a text field).
    pub file_name: Option<String>,
    pub path: TempPath,
    /// Nothing but white space (or nothing at all).
    pub blank: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    #[error("the upload is over the limit")]
    TooLarge,
    #[error("the upload is not UTF-8")]
    NotUtf8,
    #[error("the upload broke off")]
    Broken,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Uploads {
    pub fn new(limit_mb: u64, keep: Duration, parent: Option<PathBuf>) -> Self {
        Self {
            limit_mb,
            keep,
            parent,
            dir: Mutex::new(None),
            kept: Mutex::new(HashMap::new()),
        }
    }

    /// The limit of one upload, in MB.
    pub fn limit_mb(&self) -> u64 {
        self.limit_mb
    }

    /// How many minutes a checked upload is kept.
    pub fn keep_minutes(&self) -> u64 {
        self.keep.as_secs() / 60
    }

    fn limit(&self) -> u64 {
        self.limit_mb.saturating_mul(MB)
    }

    fn dir(&self) -> std::io::Result<PathBuf> {
        let mut dir = lock(&self.dir);
        if let Some(d) = dir.as_ref() {
            return Ok(d.path().to_owned());
        }
        let mut builder = tempfile::Builder::new();
        builder.prefix("regiomonitor-uploads-");
        let made = match &self.parent {
            Some(parent) => builder.tempdir_in(parent)?,
            None => builder.tempdir()?,
        };
        let path = made.path().to_owned();
        *dir = Some(made);
        Ok(path)
    }

    /// Reads a whole multipart form: the fields named in `files` each to a file of their
    /// own, the others read and dropped. Every byte counts against the limit; over it, the
    /// files written so far are removed and the answer is [`ReceiveError::TooLarge`]. The
    /// fields in `files` must be UTF-8 text.
    pub async fn receive(
        &self,
        form: &mut Multipart,
        files: &[&str],
    ) -> Result<Vec<Received>, ReceiveError> {
        let limit = self.limit();
        let mut used: u64 = 0;
        let mut received = Vec::new();
        loop {
            let mut field = match form.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => return Ok(received),
                Err(_) => return Err(ReceiveError::Broken),
            };
            let name = field.name().unwrap_or_default().to_owned();
            let keep = files.contains(&name.as_str());
            let mut out = if keep {
                let (file, path) = NamedTempFile::new_in(self.dir()?)?.into_parts();
                let file =
                    tokio::io::BufWriter::with_capacity(1 << 18, tokio::fs::File::from_std(file));
                Some((file, path, Utf8Check::default(), true))
            } else {
                None
            };
            let file_name = field.file_name().map(str::to_owned);
            loop {
                let chunk = match field.chunk().await {
                    Ok(Some(c)) => c,
                    Ok(None) => break,
                    Err(_) => return Err(ReceiveError::Broken),
                };
                used += chunk.len() as u64;
                if used > limit {
                    // Removes every file of this form (their paths are dropped).
                    drop(out);
                    drop(received);
                    let mut budget = limit;
                    if drain(&mut field, &mut budget).await {
                        drop(field);
                        while let Ok(Some(mut f)) = form.next_field().await {
                            if !drain(&mut f, &mut budget).await {
                                break;
                            }
                        }
                    }
                    return Err(ReceiveError::TooLarge);
                }
                if let Some((file, _, utf8, blank)) = out.as_mut() {
                    if !utf8.feed(&chunk) {
                        return Err(ReceiveError::NotUtf8);
                    }
                    *blank = *blank && chunk.iter().all(u8::is_ascii_whitespace);
                    file.write_all(&chunk).await?;
                }
            }
            if let Some((mut file, path, utf8, blank)) = out {
                if !utf8.finish() {
                    return Err(ReceiveError::NotUtf8);
                }
                file.flush().await?;
                received.push(Received {
                    field: name,
                    file_name,
                    path,
                    blank,
                });
            }
        }
    }

    /// Keeps a checked upload for its sender and gives its one-time id. Expired uploads are
    /// removed first, and a sender keeps at most a few at once (the oldest goes).
    pub fn keep(&self, owner: Owner, name: String, path: TempPath) -> String {
        let id = crate::auth::new_id();
        let mut gone = Vec::new();
        {
            let mut kept = lock(&self.kept);
            gone.extend(self.expired(&mut kept));
            let mut mine: Vec<(Instant, String)> = kept
                .iter()
                .filter(|(_, k)| k.owner == owner)
                .map(|(id, k)| (k.since, id.clone()))
                .collect();
            mine.sort();
            let over = (mine.len() + 1).saturating_sub(KEPT_PER_OWNER);
            for (_, old) in mine.into_iter().take(over) {
                gone.extend(kept.remove(&old));
            }
            kept.insert(
                id.clone(),
                Kept {
                    name,
                    path,
                    owner,
                    since: Instant::now(),
                },
            );
        }
        // The files are removed here, outside the lock.
        drop(gone);
        id
    }

    /// Takes the checked upload `id` for its own sender, once: a second call, another
    /// sender, or an upload kept too long gets `None` (and another sender leaves it be).
    pub fn take(&self, id: &str, owner: &Owner) -> Option<Kept> {
        let mut kept = lock(&self.kept);
        let gone = self.expired(&mut kept);
        let taken = match kept.get(id) {
            Some(k) if &k.owner == owner => kept.remove(id),
            _ => None,
        };
        drop(kept);
        drop(gone);
        taken
    }

    /// Removes the checked uploads kept too long.
    pub fn sweep(&self) {
        let gone = self.expired(&mut lock(&self.kept));
        drop(gone);
    }

    /// How many checked uploads are kept (expired ones not counted).
    pub fn kept_count(&self) -> usize {
        self.sweep();
        lock(&self.kept).len()
    }

    fn expired(&self, kept: &mut HashMap<String, Kept>) -> Vec<Kept> {
        let old: Vec<String> = kept
            .iter()
            .filter(|(_, k)| k.since.elapsed() >= self.keep)
            .map(|(id, _)| id.clone())
            .collect();
        old.iter().filter_map(|id| kept.remove(id)).collect()
    }
}

/// Past the limit, reads on (dropping what it reads) within `budget`, so that a browser
/// still sending gets the answer rather than a broken connection; `false` once the budget
/// is spent or the upload broke off.
async fn drain(field: &mut axum::extract::multipart::Field<'_>, budget: &mut u64) -> bool {
    loop {
        match field.chunk().await {
            Ok(Some(c)) => match budget.checked_sub(c.len() as u64) {
                Some(left) => *budget = left,
                None => return false,
            },
            Ok(None) => return true,
            Err(_) => return false,
        }
    }
}

/// Checks that a stream of chunks is UTF-8 as it passes, carrying a character split between
/// two chunks over to the next.
#[derive(Default)]
struct Utf8Check {
    carry: Vec<u8>,
}

impl Utf8Check {
    fn feed(&mut self, mut chunk: &[u8]) -> bool {
        if let Some(&lead) = self.carry.first() {
            let len = match lead {
                0xC2..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF4 => 4,
                _ => return false,
            };
            let take = (len - self.carry.len()).min(chunk.len());
            self.carry.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if self.carry.len() < len {
                return true;
            }
            if std::str::from_utf8(&self.carry).is_err() {
                return false;
            }
            self.carry.clear();
        }
        match std::str::from_utf8(chunk) {
            Ok(_) => true,
            Err(e) if e.error_len().is_none() => {
                self.carry = chunk[e.valid_up_to()..].to_vec();
                true
            }
            Err(_) => false,
        }
    }

    /// The stream ended on a whole character.
    fn finish(&self) -> bool {
        self.carry.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf8_in_pieces(bytes: &[u8], at: &[usize]) -> bool {
        let mut check = Utf8Check::default();
        let mut from = 0;
        for &to in at.iter().chain([bytes.len()].iter()) {
            if !check.feed(&bytes[from..to]) {
                return false;
            }
            from = to;
        }
        check.finish()
    }

    #[test]
    fn a_character_split_between_chunks_is_utf8() {
        let text = "Zeist;€ 12,5;één".as_bytes();
        for i in 0..=text.len() {
            for j in i..=text.len() {
                assert!(utf8_in_pieces(text, &[i, j]), "split at {i} and {j}");
            }
        }
    }

    #[test]
    fn latin1_and_a_cut_off_character_are_not_utf8() {
        assert!(!utf8_in_pieces(b"Zeist;caf\xe9\n", &[]));
        assert!(!utf8_in_pieces(b"Zeist;caf\xe9\n", &[9]));
        assert!(!utf8_in_pieces("€".as_bytes().split_at(2).0, &[1]));
    }

    fn owner(session: &str) -> Owner {
        Owner {
            via: Via::Session(session.into()),
            user_id: 1,
        }
    }

    fn file(uploads: &Uploads) -> TempPath {
        let dir = uploads.dir().expect("dir");
        NamedTempFile::new_in(dir).expect("file").into_temp_path()
    }

    #[test]
    fn a_kept_upload_is_taken_once_and_only_by_its_sender() {
        let uploads = Uploads::new(1, DEFAULT_KEEP, None);
        let path = file(&uploads);
        let on_disk = path.to_path_buf();
        let id = uploads.keep(owner("a"), "m.csv".into(), path);

        assert!(uploads.take(&id, &owner("b")).is_none());
        let kept = uploads.take(&id, &owner("a")).expect("kept for its sender");
        assert_eq!(kept.name, "m.csv");
        assert!(uploads.take(&id, &owner("a")).is_none());
        assert!(on_disk.exists());
        drop(kept);
        assert!(!on_disk.exists());
    }

    #[test]
    fn an_expired_upload_is_refused_and_its_file_removed() {
        let uploads = Uploads::new(1, Duration::ZERO, None);
        let path = file(&uploads);
        let on_disk = path.to_path_buf();
        let id = uploads.keep(owner("a"), "m.csv".into(), path);

        assert!(uploads.take(&id, &owner("a")).is_none());
        assert!(!on_disk.exists());
    }

    #[test]
    fn a_sender_keeps_a_few_uploads_and_the_oldest_goes() {
        let uploads = Uploads::new(1, DEFAULT_KEEP, None);
        let ids: Vec<String> = (0..KEPT_PER_OWNER + 1)
            .map(|i| uploads.keep(owner("a"), format!("{i}.csv"), file(&uploads)))
            .collect();
        let other = uploads.keep(owner("b"), "b.csv".into(), file(&uploads));

        assert_eq!(uploads.kept_count(), KEPT_PER_OWNER + 1);
        assert!(uploads.take(&ids[0], &owner("a")).is_none());
        for id in &ids[1..] {
            assert!(uploads.take(id, &owner("a")).is_some());
        }
        assert!(uploads.take(&other, &owner("b")).is_some());
    }
}
