//! Property tests of everything that reads what people write: the observation CSV, the
//! portfolio files, periods, dates of facts and numbers. The inputs start from the real files
//! (data/demo, data/voorbeeld) and are changed a line at a time: a line deleted, doubled,
//! swapped or replaced, a field given a hostile value (control characters, NUL, huge numbers,
//! NaN, very long text, the wrong separator), the file cut at a byte. Every target checks that
//! the reader does not panic, that every problem names its line (and file), and that the
//! valid inputs still read.
//!
//! Each reader is a target with one property over any changed input (`*_is_read_or_refused*`)
//! and a few that check what a particular change must give. `cargo test --test fuzz` runs 256
//! cases of each; `scripts/fuzz` runs a million of each target's main property
//! (`REGIOMONITOR_FUZZ_CASES`) and 100,000 of the others (`PROPTEST_CASES`); docs/fuzzing.md.

mod mutate;
mod observations;
mod portfolio;
mod seeds;
mod values;

use proptest::test_runner::{Config, FileFailurePersistence};

/// The cases of a property come from `PROPTEST_CASES` (256 unless set); a failing case is
/// kept in `tests/fuzz/<module>.proptest-regressions` and tried first on every later run.
pub fn config() -> Config {
    Config {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    }
}

/// A target's main property: `REGIOMONITOR_FUZZ_CASES` cases when set, else as [`config`].
pub fn target_config() -> Config {
    let cases = std::env::var("REGIOMONITOR_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok());
    let config = config();
    match cases {
        Some(cases) => Config { cases, ..config },
        None => config,
    }
}
