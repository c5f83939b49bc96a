//! Reading the trail of a plan, area, organisation, KPI or account, and changes between dates.

use super::model::{AuditRow, AuditScope};
use crate::store::packed::Rows;
use crate::store::{Store, StoreError};

pub(crate) const AUDIT_COLUMNS: &str =
    "id, at, actor, channel, record_type, record_id, record_label, plan_id, area_id,
    organisation_id, indicator_id, field, old_value, new_value, comment, source, write_id";

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
            AuditScope::Round(period) => (
                "record_type IN ('round', 'update') AND (record_id = $1 OR record_id LIKE $1 || '/%')",
                period.to_owned(),
            ),
        };
        // A plan's, area's or organisation's history holds its facts; the kwartaalupdates and
        // reviews about it are the round's (drafts and reviews are internal).
        let public = match scope {
            AuditScope::User(_) | AuditScope::Round(_) => "",
            _ => {
                "AND record_type NOT IN ('user', 'token', 'round', 'update', 'meeting')
                 AND NOT (record_type = 'action' AND record_id IN
                          (SELECT CAST(id AS TEXT) FROM actions WHERE meeting_id IS NOT NULL))"
            }
        };
        // Packed on SQLite: a page shows up to a few hundred entries.
        let rows = Rows::new(
            self.backend,
            AUDIT_COLUMNS,
            &format!("audit_log WHERE {condition} {public} ORDER BY id DESC LIMIT $2"),
            "id DESC",
        );
        rows.fetch(rows.query().bind(key).bind(limit), &self.pool)
            .await
    }

    /// The name of every plan, archived ones included.
    pub async fn plan_names(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as("SELECT id, name FROM plans")
            .fetch_all(&self.pool)
            .await?)
    }

    /// The saves in the trail from `from` (inclusive) up to `until` (exclusive), both UTC
    /// moments, oldest first: what people changed on the website, the API or the command line.
    /// Left out: what portfolio and measurement imports stored, accounts, the quarterly cycle's
    /// rounds and updates (reports about the portfolio, not changes to it), meetings and the
    /// actions their actiepunten became (their agenda and verslag are public only once
    /// vastgesteld), and a plan's stage
    /// (its dated steps are the changes; see `changes::effective`).
    pub async fn edits_between(
        &self,
        from: &str,
        until: &str,
    ) -> Result<Vec<AuditRow>, StoreError> {
        // Packed on SQLite: a busy period has hundreds of entries.
        let rows = Rows::new(
            self.backend,
            AUDIT_COLUMNS,
            "audit_log
             WHERE at >= $1 AND at < $2 AND channel <> 'import'
               AND record_type NOT IN ('user', 'token', 'round', 'update', 'meeting')
               AND NOT (record_type = 'action' AND record_id IN
                        (SELECT CAST(id AS TEXT) FROM actions WHERE meeting_id IS NOT NULL))
               AND NOT (record_type = 'plan' AND field = 'stage')",
            "id",
        );
        rows.fetch(rows.query().bind(from).bind(until), &self.pool)
            .await
    }
}
