//! Reading the trail of a plan, area, organisation, KPI or account, and changes between dates.

use super::model::{AuditRow, AuditScope};
use crate::store::{Store, StoreError};

pub(crate) const AUDIT_COLUMNS: &str =
    "id, at, actor, channel, record_type, record_id, record_label, plan_id, area_id,
    organisation_id, indicator_id, field, old_value, new_value, comment, source";

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

    /// One page of the portfolio changes from `from` (inclusive) up to `until` (exclusive),
    /// both `YYYY-MM-DD` or a full timestamp, oldest first, and how many there are in all.
    /// Imports are left out when asked.
    pub async fn changes_between(
        &self,
        from: &str,
        until: &str,
        include_imports: bool,
        paging: crate::web::paging::Paging,
    ) -> Result<(Vec<AuditRow>, usize), StoreError> {
        const WHERE: &str = "at >= $1 AND at < $2 AND record_type NOT IN ('user', 'token')
               AND ($3 = 1 OR channel <> 'import')";
        let (limit, offset) = paging.limit_offset();
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM audit_log WHERE {WHERE}"
        )))
        .bind(from)
        .bind(until)
        .bind(i64::from(include_imports))
        .fetch_one(&self.pool)
        .await?;
        let sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE {WHERE} ORDER BY id LIMIT $4 OFFSET $5"
        );
        let rows = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(from)
            .bind(until)
            .bind(i64::from(include_imports))
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        Ok((rows, usize::try_from(total).unwrap_or(0)))
    }
}
