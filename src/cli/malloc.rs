//! The server's heap on Linux with glibc. glibc serves a large allocation (a page of HTML, a
//! packed read of thousands of rows) with its own memory map and gives it back when it is
//! freed, but after the first such free it raises that threshold to the freed size (up to
//! 32 MB): from then on those buffers come from the heaps of the threads that asked for them,
//! and what is freed there mostly stays with the process. On the national data set that made
//! the server grow by about 105 MB over a few pages that each read many rows, against about
//! 50 MB with the threshold held at glibc's own starting value (docs/benchmarks.md).
//!
//! glibc reads its tunables only when a program starts, and setting them from within would
//! take unsafe code. So `serve` and `demo` start themselves once more with `GLIBC_TUNABLES`
//! set, before any thread runs; the process keeps its id. When `GLIBC_TUNABLES` is already
//! set, the administrator's choice is kept as it is.

/// The mmap threshold in bytes: glibc's own starting value, held there.
pub const TUNABLES: &str = "glibc.malloc.mmap_threshold=131072";

/// Starts this program anew with [`TUNABLES`] unless `GLIBC_TUNABLES` is set. Returns only
/// when that is not done (already set, or the program could not be started anew; then it
/// goes on as it is).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn hold_mmap_threshold() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("GLIBC_TUNABLES").is_some() {
        return;
    }
    let Ok(program) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let mut command = std::process::Command::new(program);
    if let Some(name) = args.next() {
        command.arg0(name);
    }
    // `exec` returns only when it failed.
    let _failed = command.args(args).env("GLIBC_TUNABLES", TUNABLES).exec();
}

/// Elsewhere the allocator is left as it is.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn hold_mmap_threshold() {}
