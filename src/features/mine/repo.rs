//! The reads of "Voor mij": plans by their trekkers, the editors of every KPI, the values of
//! given periods, the actions of organisations.

use sqlx::FromRow;

use crate::features::actions::model::ActionRow;
use crate::features::actions::repo::ACTION_COLUMNS;
use crate::store::{Store, StoreError};

/// A plan with the organisation of the reader that leads it.
#[derive(Debug, Clone, FromRow)]
pub struct LedPlanRow {
    pub id: String,
    pub name: String,
    pub stage: Option<String>,
    pub archived: i64,
    pub organisation_id: String,
}

/// `$first, ...`: `n` placeholders.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// The plans that one of `organisations` leads (trekker), in the portfolio's order; a
    /// plan led by two of them comes once per organisation.
    pub async fn plans_led_by(
        &self,
        organisations: &[String],
    ) -> Result<Vec<LedPlanRow>, StoreError> {
        if organisations.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT p.id, p.name, p.stage, p.archived, po.organisation_id FROM plans p
               JOIN plan_organisations po ON po.plan_id = p.id AND po.role = 'trekker'
              WHERE po.organisation_id IN ({})
              ORDER BY p.archived, p.position, p.id",
            placeholders(1, organisations.len())
        );
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for o in organisations {
            query = query.bind(o.clone());
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// For every KPI the organisations whose trekkers may enter its values (the leads of its
    /// plans and its owner), as (KPI, organisation) pairs; the rule of
    /// [`Store::indicator_editors`] for all KPI's at once.
    pub async fn all_indicator_editors(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT ip.indicator_id, po.organisation_id FROM indicator_plans ip
               JOIN plan_organisations po ON po.plan_id = ip.plan_id AND po.role = 'trekker'
             UNION
             SELECT id, owner_organisation_id FROM indicators WHERE owner_organisation_id IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Which (KPI, area, period) have a value, for the periods given as written (`2026-Q3`).
    pub async fn observed_in_periods(
        &self,
        periods: &[String],
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        if periods.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT indicator_id, area_id, period FROM observations WHERE period IN ({})",
            placeholders(1, periods.len())
        );
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for p in periods {
            query = query.bind(p.clone());
        }
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// The actions owned by one of `organisations`, by deadline.
    pub async fn actions_of_organisations(
        &self,
        organisations: &[String],
    ) -> Result<Vec<ActionRow>, StoreError> {
        if organisations.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM actions
              WHERE owner_organisation_id IN ({})
              ORDER BY CASE WHEN deadline IS NULL THEN 1 ELSE 0 END, deadline, id",
            placeholders(1, organisations.len())
        );
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for o in organisations {
            query = query.bind(o.clone());
        }
        Ok(query.fetch_all(&self.pool).await?)
    }
}
