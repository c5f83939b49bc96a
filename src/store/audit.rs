//! The vocabulary of the audit trail that every write speaks: who writes (`Actor`), why
//! (`Reason`) and about which record (`Subject`). Entries are written on the one write path
//! (`write_path.rs`); the trail is read in `features::changes`.

use crate::domain::Channel;

/// Who writes, and through which door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `None` for a write without an account, such as an import from the command line.
    pub user_id: Option<i64>,
    /// The name shown in the trail ("Anna de Vries", "import data/demo").
    pub name: String,
    pub channel: Channel,
}

impl Actor {
    pub fn system(name: impl Into<String>, channel: Channel) -> Self {
        Self {
            user_id: None,
            name: name.into(),
            channel,
        }
    }
}

/// Why a write happened: an optional comment and source ("BBO 9 oktober 2025").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reason {
    pub comment: Option<String>,
    pub source: Option<String>,
}

/// The record a change is about, and what it hangs off for the history pages. Its type is
/// the one of the fields written about it ([`super::RecordField::RECORD`]).
#[derive(Debug, Clone, Default)]
pub struct Subject {
    pub record_id: String,
    pub record_label: String,
    pub plan_id: Option<String>,
    pub area_id: Option<String>,
    pub organisation_id: Option<String>,
    pub indicator_id: Option<String>,
}

/// The current moment as stored in the trail: UTC, `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_text() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The current moment in Unix seconds, for expiry and throttling.
pub fn now_unix() -> i64 {
    jiff::Timestamp::now().as_second()
}
