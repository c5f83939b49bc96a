//! The audit trail: every write, from every channel, appends one row per changed field in the
//! same transaction as the write itself, so a write that fails leaves no entry behind.

use serde::Serialize;
use sqlx::FromRow;

use super::{Store, StoreError};
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

/// One entry of the trail.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    pub id: i64,
    /// UTC, YYYY-MM-DDTHH:MM:SSZ
    pub at: String,
    /// Who made the change; left out for readers who are not signed in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// web, api, cli or import
    pub channel: String,
    /// plan, rollout, organisation, area or framework
    pub record_type: String,
    pub record_id: String,
    pub record_label: String,
    pub plan_id: Option<String>,
    pub area_id: Option<String>,
    pub organisation_id: Option<String>,
    pub indicator_id: Option<String>,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub comment: Option<String>,
    pub source: Option<String>,
}

const AUDIT_COLUMNS: &str =
    "id, at, actor, channel, record_type, record_id, record_label, plan_id, area_id,
    organisation_id, indicator_id, field, old_value, new_value, comment, source";

/// Which part of the trail to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditScope<'a> {
    Plan(&'a str),
    Area(&'a str),
    Organisation(&'a str),
    Indicator(&'a str),
    User(i64),
}

impl Store {
    /// The trail of a plan, a gemeente (with its wijken) or an organisation, newest first.
    /// Account changes (users, tokens) are never part of these lists.
    pub async fn audit_for(
        &self,
        scope: AuditScope<'_>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let (condition, key) = match scope {
            AuditScope::Plan(id) => ("plan_id = $1", id.to_owned()),
            AuditScope::Area(id) => (
                "(area_id = $1 OR area_id IN (SELECT id FROM areas WHERE parent_id = $1))",
                id.to_owned(),
            ),
            AuditScope::Organisation(id) => ("organisation_id = $1", id.to_owned()),
            AuditScope::Indicator(id) => ("indicator_id = $1", id.to_owned()),
            AuditScope::User(id) => ("CAST(user_id AS TEXT) = $1", id.to_string()),
        };
        let public = match scope {
            AuditScope::User(_) => "",
            _ => "AND record_type NOT IN ('user', 'token')",
        };
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE {condition} {public} ORDER BY id DESC LIMIT $2"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Every portfolio change from `from` (inclusive) up to `until` (exclusive), both
    /// `YYYY-MM-DD` or a full timestamp, oldest first. Imports are left out when asked.
    pub async fn changes_between(
        &self,
        from: &str,
        until: &str,
        include_imports: bool,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log
             WHERE at >= $1 AND at < $2 AND record_type NOT IN ('user', 'token')
               AND ($3 = 1 OR channel <> 'import')
             ORDER BY id"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(from)
            .bind(until)
            .bind(i64::from(include_imports))
            .fetch_all(&self.pool)
            .await?)
    }

    /// A number that grows with every write to the store, from any process: every write
    /// transaction raises it before it commits. Pages kept under one value are stale once it
    /// moves.
    pub async fn data_version(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT value FROM data_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    /// How many entries the trail holds (for tests and the command line).
    pub async fn audit_count(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }
}
