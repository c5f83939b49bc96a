//! Every password check (signing in, and the current password when changing it) goes through
//! here: throttled as OWASP advises, and with Argon2 bounded in how many run at once.
//!
//! - **Account × address.** Five wrong passwords for one account from one address within
//!   [`WINDOW`] stop the checks for that pair until the window has passed. The owner signing
//!   in from elsewhere is not stopped, so no one can lock another person out.
//! - **Account.** Beyond five wrong passwords for an account from all addresses together,
//!   every further check for it waits a second more (at most [`MAX_DELAY`]): guessing from
//!   many addresses is slowed, the owner still gets in.
//! - **Address.** Beyond twenty wrong passwords from one address (for any accounts), every
//!   check from it waits likewise: trying many accounts is slowed, and the people who share
//!   the address (an office, a proxy that is not trusted) are slowed, not locked out.
//! - **Argon2** takes 19 MiB and tens of milliseconds per check on purpose. It runs on one
//!   thread per core of its own, off the async workers; other checks wait their turn, so a
//!   burst of checks cannot take the server's memory or its workers.

use std::sync::OnceLock;
use std::time::Duration;

use crate::auth::{dummy_hash, verify_password};
use crate::store::{Store, now_unix};
use crate::web::error::WebError;

/// Wrong passwords are counted over this many seconds.
pub const WINDOW: i64 = 15 * 60;
/// Wrong passwords for one account from one address within the window before checks stop.
pub const MAX_PER_ACCOUNT_AND_ADDRESS: i64 = 5;
/// Wrong passwords for one account (all addresses) before each check waits.
pub const SLOW_AFTER_PER_ACCOUNT: i64 = 5;
/// Wrong passwords from one address (all accounts) before each check waits.
pub const SLOW_AFTER_PER_ADDRESS: i64 = 20;
/// The longest wait before a check.
pub const MAX_DELAY: Duration = Duration::from_secs(10);

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Right,
    Wrong,
    /// Too many wrong passwords from this address for this account: not checked.
    Throttled,
}

/// The Dutch message for [`Verdict::Throttled`].
pub fn throttled_message() -> String {
    format!(
        "Er is te vaak een verkeerd wachtwoord ingevuld. Probeer het over {} minuten opnieuw, of vraag de beheerder om een nieuw wachtwoord.",
        WINDOW / 60
    )
}

/// How long a check waits, given the wrong passwords counted before this one.
pub fn delay(account: i64, address: i64) -> Duration {
    let over = (account - SLOW_AFTER_PER_ACCOUNT).max(address - SLOW_AFTER_PER_ADDRESS);
    let seconds = u64::try_from(over.max(0)).unwrap_or(0);
    Duration::from_secs(seconds).min(MAX_DELAY)
}

/// Checks `password` against the account's stored hash (`None`: no such account, checked
/// against a dummy hash so the answer takes as long) from `address`.
pub async fn check(
    store: &Store,
    email: &str,
    address: &str,
    password: String,
    hash: Option<String>,
) -> Result<Verdict, WebError> {
    let now = now_unix();
    // The attempt counts as wrong until the password matches, and counts along: checks sent
    // all at once then cannot all pass the limit before any of them is recorded.
    let attempt = store.record_login_failure(email, address, now).await?;
    let seen = store.login_failures(email, address, now - WINDOW).await?;
    if seen.pair > MAX_PER_ACCOUNT_AND_ADDRESS {
        store.forget_login_attempt(attempt).await?;
        return Ok(Verdict::Throttled);
    }
    // This attempt is among the counted ones; the wait depends on those before it.
    let wait = delay(seen.account - 1, seen.address - 1);
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let hash = hash.unwrap_or_else(|| dummy_hash().to_owned());
    if verify_off_worker(password, hash).await? {
        store.forget_login_attempt(attempt).await?;
        store.clear_login_failures(email, address).await?;
        Ok(Verdict::Right)
    } else {
        Ok(Verdict::Wrong)
    }
}

/// A job for the Argon2 threads.
type Job = Box<dyn FnOnce() + Send>;

/// The threads that run Argon2, one per core, started on first use. A job waits its turn in
/// their queue. Keeping Argon2 on these few threads (not on any of the runtime's blocking
/// threads) also keeps its memory with them: each thread reuses the 19 MiB it freed, where
/// hundreds of blocking threads would each keep their own.
fn argon_queue() -> &'static std::sync::Mutex<std::sync::mpsc::Sender<Job>> {
    static QUEUE: OnceLock<std::sync::Mutex<std::sync::mpsc::Sender<Job>>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (send, receive) = std::sync::mpsc::channel::<Job>();
        let receive = std::sync::Arc::new(std::sync::Mutex::new(receive));
        let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        for n in 0..threads {
            let receive = receive.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    loop {
                        let job = match receive.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "argon2 thread did not start");
            }
        }
        std::sync::Mutex::new(send)
    })
}

/// Runs Argon2 on one of its threads and waits for the answer without holding a worker.
async fn argon<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, WebError> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = answer.send(work());
    });
    argon_queue()
        .lock()
        .map_err(|_| WebError::Internal(anyhow::anyhow!("argon2 queue poisoned")))?
        .send(job)
        .map_err(|e| WebError::Internal(anyhow::anyhow!("argon2 queue: {e}")))?;
    answered.await.map_err(|e| WebError::Internal(e.into()))
}

/// Whether a password matches a stored hash, computed off the async workers.
pub async fn verify_off_worker(password: String, hash: String) -> Result<bool, WebError> {
    argon(move || verify_password(&password, &hash)).await
}

/// Checks a new password and hashes it, off the async workers.
pub async fn hash_off_worker(
    password: String,
) -> Result<Result<String, crate::domain::ParseError>, WebError> {
    argon(move || crate::auth::hash_password(&password)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_a_second_a_failure_beyond_the_limits_up_to_ten() {
        assert_eq!(delay(0, 0), Duration::ZERO);
        assert_eq!(delay(5, 20), Duration::ZERO);
        assert_eq!(delay(6, 0), Duration::from_secs(1));
        assert_eq!(delay(0, 23), Duration::from_secs(3));
        assert_eq!(delay(500, 0), MAX_DELAY);
    }
}
