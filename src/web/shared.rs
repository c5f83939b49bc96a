//! Parts of pages that are the same for every viewer, kept while the data has not changed.
//!
//! A signed-in page is made fresh for every request: it carries the viewer's name, edit links
//! that depend on the viewer's organisations and a form token. Some of what it shows is the
//! same for everyone, and costly on a national portfolio: the start page's counts per gemeente
//! answer a question over every plan and cell. Such a part is kept here under the data's
//! version (the same version the kept public pages use, [`super::cache::PageCache`]), so that
//! a write makes it anew.
//!
//! One make at a time: when many requests want a part that is not there (right after a
//! write), the first makes it and the others wait for it, so the database is asked once.
//! A make that fails is not kept; the next request tries again.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

/// At most this many parts of one kind are kept unless a kind says fewer
/// ([`Shared::with_limit`]); the one used longest ago goes first.
const MAX_PARTS: usize = 256;

struct Slot<V> {
    version: i64,
    used: u64,
    cell: Arc<OnceCell<Arc<V>>>,
}

struct Slots<V> {
    by_key: HashMap<String, Slot<V>>,
    uses: u64,
}

/// The kept parts of one kind, by key (chosen by the feature that keeps them).
pub struct Shared<V> {
    slots: Mutex<Slots<V>>,
    made: AtomicU64,
    /// How many parts are kept at most.
    limit: usize,
}

impl<V> Default for Shared<V> {
    fn default() -> Self {
        Self::with_limit(MAX_PARTS)
    }
}

impl<V> Shared<V> {
    /// Keeps at most `limit` parts (for large parts: their memory is `limit` times theirs).
    pub fn with_limit(limit: usize) -> Self {
        Self {
            slots: Mutex::new(Slots {
                by_key: HashMap::new(),
                uses: 0,
            }),
            made: AtomicU64::new(0),
            limit: limit.max(1),
        }
    }
}

impl<V: Send + Sync> Shared<V> {
    /// How many parts were made since the start (for the tests and the benchmarks).
    pub fn made(&self) -> u64 {
        self.made.load(Ordering::Relaxed)
    }

    /// The slot for `key` at `version`: the one kept, or a new empty one.
    fn slot(&self, key: &str, version: i64) -> Option<Arc<OnceCell<Arc<V>>>> {
        let mut slots = self.slots.lock().ok()?;
        slots.uses += 1;
        let now = slots.uses;
        if let Some(slot) = slots.by_key.get_mut(key)
            && slot.version == version
        {
            slot.used = now;
            return Some(Arc::clone(&slot.cell));
        }
        if slots.by_key.len() >= self.limit
            && !slots.by_key.contains_key(key)
            && let Some(oldest) = slots
                .by_key
                .iter()
                .min_by_key(|(_, s)| s.used)
                .map(|(k, _)| k.clone())
        {
            slots.by_key.remove(&oldest);
        }
        let cell = Arc::new(OnceCell::new());
        slots.by_key.insert(
            key.to_owned(),
            Slot {
                version,
                used: now,
                cell: Arc::clone(&cell),
            },
        );
        Some(cell)
    }

    /// The part kept under `key` for the data's `version`, or made by `make` (once, however
    /// many ask at the same time). Without a version (it could not be read) it is made for
    /// this request only.
    pub async fn get_or_make<E, F, Fut>(
        &self,
        version: Option<i64>,
        key: &str,
        make: F,
    ) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let Some(cell) = version.and_then(|v| self.slot(key, v)) else {
            self.made.fetch_add(1, Ordering::Relaxed);
            return make().await.map(Arc::new);
        };
        let part = cell
            .get_or_try_init(|| async {
                let value = make().await?;
                self.made.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(key, "made a shared part");
                Ok::<_, E>(Arc::new(value))
            })
            .await?;
        Ok(Arc::clone(part))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn concurrent_requests_for_a_missing_part_make_it_once() {
        let shared = Arc::new(Shared::<u32>::default());
        let calls = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for _ in 0..64 {
            let (shared, calls) = (Arc::clone(&shared), Arc::clone(&calls));
            tasks.push(tokio::spawn(async move {
                shared
                    .get_or_make(Some(7), "telling", || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        Ok::<_, ()>(42_u32)
                    })
                    .await
            }));
        }
        for t in tasks {
            assert_eq!(*t.await.expect("task").expect("made"), 42);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(shared.made(), 1);

        // A new version is made anew; a failure is not kept.
        let failed = shared
            .get_or_make(Some(8), "telling", || async { Err::<u32, _>("kapot") })
            .await;
        assert!(failed.is_err());
        let again = shared
            .get_or_make(Some(8), "telling", || async { Ok::<_, ()>(43_u32) })
            .await;
        assert_eq!(*again.expect("made"), 43);
        assert_eq!(shared.made(), 2);
    }

    #[tokio::test]
    async fn a_kind_with_a_limit_keeps_that_many_parts_and_lets_the_oldest_go() {
        let shared = Shared::<u32>::with_limit(2);
        let make = |n: u32| move || async move { Ok::<_, ()>(n) };
        for (key, n) in [("a", 1), ("b", 2), ("a", 1), ("c", 3)] {
            shared
                .get_or_make(Some(1), key, make(n))
                .await
                .expect("made");
        }
        // "b" was used longest ago when "c" came: "a" and "c" are kept, "b" is made again.
        assert_eq!(shared.made(), 3);
        shared
            .get_or_make(Some(1), "a", make(1))
            .await
            .expect("kept");
        shared
            .get_or_make(Some(1), "c", make(3))
            .await
            .expect("kept");
        assert_eq!(shared.made(), 3);
        shared
            .get_or_make(Some(1), "b", make(2))
            .await
            .expect("made");
        assert_eq!(shared.made(), 4);
    }
}
