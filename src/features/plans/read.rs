//! Reading plans and their cells as pages and the API show them. Each function is one or a
//! few portable SQL statements.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::de::DeserializeOwned;
use sqlx::FromRow;
use sqlx::any::AnyRow;

use super::model::{
    AssumptionRow, ExternalLinkRow, FundingSourceRow, MILESTONE_COLUMNS, MilestoneRow, PlanAreaRow,
    PlanDetail, PlanFilter, PlanFundingRow, PlanLinkRow, PlanOrganisationRow, PlanRow,
    StageChangeRow,
};
use crate::domain::FactDate;
use crate::features::finance::model::{BudgetRow, CapacityRow};
use crate::features::rollouts::model::{RolloutChangeRow, RolloutRow};
use crate::store::packed::Rows;
use crate::store::{RecordField, Store, StoreError};

/// The columns of [`PlanRow`] over `plans p`.
pub(crate) static PLAN_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "p.id, p.name, p.kind, p.parent_id, p.area_id, {}, p.stage, p.network_role, p.is_new,
         p.phase, p.source_id, p.internal_note, p.archived, p.version",
        super::repo::text_columns("p.")
    )
});

/// The filter as SQL over `plans p`, with `$1` plan, `$2` stage, `$3` subregio, `$4` whether
/// archived plans count, `$5` a gemeente (plans whose working area holds it, or with a fact of
/// their own there); the framework items follow as `$6...`. Only fixed text and placeholders are put together here.
///
/// The area filters are `p.id IN (... UNION ...)` rather than `OR EXISTS (...)`: PostgreSQL
/// estimates an OR of subplans at a handful of rows and then joins every row of a plan's
/// history against every selected plan (2 s for a gemeente of the national set; 10 ms so).
pub(crate) fn plan_filter_sql(filter: &PlanFilter) -> String {
    // Every placeholder stays in the text, so the binds keep their numbers; a part the filter
    // does not use becomes `CAST($n AS TEXT) IS NULL` (true, and evaluated once), so that the
    // database can use an index for the parts it does use (`p.id = $1` finds one plan by its
    // key instead of testing every plan against "$1 is empty or equal").
    let part = |used: bool, n: usize, condition: &str| {
        if used {
            condition.to_owned()
        } else {
            format!("CAST(${n} AS TEXT) IS NULL")
        }
    };
    let mut sql = format!(
        "(p.archived = 0 OR $4 = 1)
         AND {}
         AND {}
         AND {}
         AND {}",
        part(filter.plan.is_some(), 1, "p.id = $1"),
        part(filter.stage.is_some(), 2, "p.stage = $2"),
        part(
            filter.subregion.is_some(),
            3,
            "p.id IN (
              SELECT q.id FROM plans q
               WHERE NOT EXISTS (SELECT 1 FROM plan_areas w WHERE w.plan_id = q.id)
                 AND q.area_id IN (SELECT a.id FROM areas a WHERE a.id = $3 OR a.parent_id = $3 OR a.kind = 'regio')
              UNION
              SELECT w.plan_id FROM plan_areas w
               WHERE w.area_id IN (SELECT a.id FROM areas a WHERE a.id = $3 OR a.parent_id = $3 OR a.kind = 'regio'))"
        ),
        part(
            filter.gemeente.is_some(),
            5,
            "p.id IN (
              SELECT r.plan_id FROM rollouts r WHERE r.gemeente_id = $5
              UNION
              SELECT q.id FROM plans q
               WHERE NOT EXISTS (SELECT 1 FROM plan_areas w WHERE w.plan_id = q.id)
                 AND q.area_id IN (SELECT a.id FROM areas a WHERE a.id = $5 OR a.kind = 'regio'
                     OR a.id IN (SELECT g.parent_id FROM areas g WHERE g.id = $5))
              UNION
              SELECT w.plan_id FROM plan_areas w
               WHERE w.area_id IN (SELECT a.id FROM areas a WHERE a.id = $5 OR a.kind = 'regio'
                     OR a.id IN (SELECT g.parent_id FROM areas g WHERE g.id = $5)))"
        ),
    );
    let items = filter.framework_items.len();
    for i in 0..items {
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM plan_framework f WHERE f.plan_id = p.id AND f.item_id = ${})",
            i + 6
        ));
    }
    if filter.positions.is_some() {
        sql.push_str(&format!(
            " AND p.position >= ${} AND p.position <= ${}",
            items + 6,
            items + 7
        ));
    }
    sql
}

/// How many placeholders [`plan_filter_sql`] uses: a statement's own follow from the next.
pub(crate) fn filter_parameters(filter: &PlanFilter) -> usize {
    5 + filter.framework_items.len() + if filter.positions.is_some() { 2 } else { 0 }
}

macro_rules! bind_filter {
    ($query:expr, $filter:expr) => {{
        let mut q = $query
            .bind($filter.plan.clone())
            .bind($filter.stage.clone())
            .bind($filter.subregion.clone())
            .bind(i64::from($filter.include_archived))
            .bind($filter.gemeente.clone());
        for item in &$filter.framework_items {
            q = q.bind(item.clone());
        }
        if let Some((first, last)) = $filter.positions {
            q = q.bind(first).bind(last);
        }
        q
    }};
}
pub(crate) use bind_filter;

/// How [`Store::related_by`] finds the rows of the selected plans.
#[derive(Debug, Clone, Copy)]
enum Reach {
    /// `IN (SELECT ...)` rather than a join: the database reads the selected plans first and
    /// then only their rows, through the index on `plan_id`, instead of every row of the
    /// table. For tables with rows for most plans.
    PlansFirst,
    /// The table's rows first, each one's plan looked up by its key (`EXISTS`): for tables
    /// with few rows, where listing every selected plan first (10,000 on a national
    /// portfolio) would cost more than the rows.
    RowsFirst,
}

/// A plan's id, name and area: what a list of many plans shows of each, without its texts.
#[derive(Debug, Clone, FromRow)]
pub struct PlanHead {
    pub id: String,
    pub name: String,
    pub area_id: String,
}

/// A line of the plan list: what the list shows of a plan, read in one statement with its
/// trekkers' names and whether its lead or area is an aanname.
#[derive(Debug, Clone, FromRow)]
pub struct PlanListRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub area_id: String,
    pub stage: Option<String>,
    /// The lead as the documents word it, for a plan without a trekker organisation.
    pub lead_text: Option<String>,
    /// The trekker organisations' names in their order, joined by ", ".
    pub leads: Option<String>,
    pub leads_assumed: i64,
    pub area_assumed: i64,
}

/// Which plans [`Store::plans_with`] reads.
pub enum PlansWith<'a> {
    Milestones,
    Organisation(&'a str),
}

/// Rows that belong to plans, grouped by plan in one pass (not every plan against every row).
fn by_plan<T>(rows: Vec<T>, plan_id: impl Fn(&T) -> &str) -> HashMap<String, Vec<T>> {
    let mut grouped: HashMap<String, Vec<T>> = HashMap::new();
    for row in rows {
        let id = plan_id(&row).to_owned();
        grouped.entry(id).or_default().push(row);
    }
    grouped
}

impl Store {
    pub async fn funding_sources(&self) -> Result<Vec<FundingSourceRow>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, name, description, kind FROM funding_sources ORDER BY name")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// The plans a filter selects, in portfolio order.
    pub async fn plans(&self, filter: &PlanFilter) -> Result<Vec<PlanRow>, StoreError> {
        let sql = format!(
            "SELECT {} FROM plans p WHERE {} ORDER BY p.position",
            PLAN_COLUMNS.as_str(),
            plan_filter_sql(filter)
        );
        let query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        Ok(bind_filter!(query, filter).fetch_all(&self.pool).await?)
    }

    /// A plan's parent (`parent_id`) and its children, not archived, in portfolio order: what
    /// a plan's page names of the plans around it, read by their keys.
    pub async fn plan_family(
        &self,
        plan_id: &str,
        parent_id: Option<&str>,
    ) -> Result<Vec<PlanRow>, StoreError> {
        let sql = format!(
            "SELECT {} FROM plans p
              WHERE p.archived = 0 AND (p.parent_id = $1 OR p.id = $2)
              ORDER BY p.position",
            PLAN_COLUMNS.as_str()
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(plan_id)
            .bind(parent_id)
            .fetch_all(&self.pool)
            .await?)
    }

    /// The id, name and area of the plans a filter selects, in portfolio order.
    pub async fn plan_heads(&self, filter: &PlanFilter) -> Result<Vec<PlanHead>, StoreError> {
        let sql = format!(
            "SELECT p.id, p.name, p.area_id FROM plans p WHERE {} ORDER BY p.position",
            plan_filter_sql(filter)
        );
        let query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        Ok(bind_filter!(query, filter).fetch_all(&self.pool).await?)
    }

    /// The plan list's lines of the plans a filter selects, in portfolio order: one statement
    /// (the trekkers and the aannames by the plan's key), not the plans' texts.
    pub async fn plan_list_rows(
        &self,
        filter: &PlanFilter,
    ) -> Result<Vec<PlanListRow>, StoreError> {
        let assumed = |field: &str| {
            format!(
                "CAST(CASE WHEN EXISTS (SELECT 1 FROM assumptions a
                   WHERE a.record_type = 'plan' AND a.record_id = p.id AND a.field = '{field}')
                 THEN 1 ELSE 0 END AS BIGINT)"
            )
        };
        let sql = format!(
            "SELECT p.id, p.name, p.kind, p.area_id, p.stage, p.lead_text,
                    (SELECT string_agg(o.name, ', ' ORDER BY x.position)
                       FROM plan_organisations x JOIN organisations o ON o.id = x.organisation_id
                      WHERE x.plan_id = p.id AND x.role = 'trekker') AS leads,
                    {} AS leads_assumed, {} AS area_assumed
               FROM plans p WHERE {} ORDER BY p.position",
            assumed(super::model::PlanField::Leads.code()),
            assumed(super::model::PlanField::Area.code()),
            plan_filter_sql(filter)
        );
        let query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        Ok(bind_filter!(query, filter).fetch_all(&self.pool).await?)
    }

    /// The plans, not archived, that have a milestone (the werkagenda's choice of plans), or
    /// that an organisation leads or takes part in (`organisation`), in portfolio order.
    pub async fn plans_with(&self, with: PlansWith<'_>) -> Result<Vec<PlanRow>, StoreError> {
        let condition = match with {
            PlansWith::Milestones => "p.id IN (SELECT m.plan_id FROM milestones m)",
            PlansWith::Organisation(_) => {
                "p.id IN (SELECT po.plan_id FROM plan_organisations po WHERE po.organisation_id = $1)"
            }
        };
        let sql = format!(
            "SELECT {} FROM plans p WHERE p.archived = 0 AND {condition} ORDER BY p.position",
            PLAN_COLUMNS.as_str()
        );
        let query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        let query = match with {
            PlansWith::Organisation(id) => query.bind(id),
            PlansWith::Milestones => query,
        };
        Ok(query.fetch_all(&self.pool).await?)
    }

    /// The id and name of each of these plans that exists.
    pub async fn names_of_plans(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, String)>, StoreError> {
        // A thousand ids a statement, well under either database's limit of parameters.
        let mut names = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(1_000) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT p.id, p.name FROM plans p WHERE p.id IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(id);
            }
            names.extend(query.fetch_all(&self.pool).await?);
        }
        Ok(names)
    }

    /// The id and name of every plan a KPI belongs to (the KPI list names them).
    pub async fn names_of_kpi_plans(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT p.id, p.name FROM plans p
              WHERE p.id IN (SELECT ip.plan_id FROM indicator_plans ip)",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// How many plans a filter selects.
    pub async fn count_plans(&self, filter: &PlanFilter) -> Result<usize, StoreError> {
        let sql = format!(
            "SELECT COUNT(*) FROM plans p WHERE {}",
            plan_filter_sql(filter)
        );
        let query = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
        let n = bind_filter!(query, filter).fetch_one(&self.pool).await?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// One page of the plans a filter selects: the filter narrowed to the page's places in the
    /// portfolio (so the rows that hang off them can be read for that page only), or `None`
    /// for a page past the end.
    pub async fn plan_page(
        &self,
        filter: &PlanFilter,
        paging: crate::web::paging::Paging,
    ) -> Result<Option<PlanFilter>, StoreError> {
        let (limit, offset) = paging.limit_offset();
        let n = filter_parameters(filter) + 1;
        let sql = format!(
            "SELECT MIN(t.position), MAX(t.position) FROM
               (SELECT p.position FROM plans p WHERE {} ORDER BY p.position LIMIT ${n} OFFSET ${}) t",
            plan_filter_sql(filter),
            n + 1
        );
        let query = sqlx::query_as::<_, (Option<i64>, Option<i64>)>(sqlx::AssertSqlSafe(sql));
        let (first, last) = bind_filter!(query, filter)
            .bind(limit)
            .bind(offset)
            .fetch_one(&self.pool)
            .await?;
        Ok(first.zip(last).map(|positions| PlanFilter {
            positions: Some(positions),
            ..filter.clone()
        }))
    }

    /// Rows of a table that hangs off plans (aliased `x`, with a `plan_id`), for the plans a
    /// filter selects, found the way that suits a table with rows for most plans
    /// ([`Reach::PlansFirst`]).
    async fn related<T>(
        &self,
        select_from: &str,
        rest: &str,
        filter: &PlanFilter,
    ) -> Result<Vec<T>, StoreError>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        self.related_by(Reach::PlansFirst, select_from, rest, filter)
            .await
    }

    /// Rows of a table that hangs off plans, for the plans a filter selects, found as `reach`
    /// says. `select_from` and `rest` (further conditions, then the order) are fixed text of
    /// this module, never user input.
    async fn related_by<T>(
        &self,
        reach: Reach,
        select_from: &str,
        rest: &str,
        filter: &PlanFilter,
    ) -> Result<Vec<T>, StoreError>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let selected = plan_filter_sql(filter);
        let sql = match reach {
            Reach::PlansFirst => format!(
                "{select_from} WHERE x.plan_id IN (SELECT p.id FROM plans p WHERE {selected}) {rest}"
            ),
            Reach::RowsFirst => format!(
                "{select_from} WHERE EXISTS (SELECT 1 FROM plans p WHERE p.id = x.plan_id AND {selected}) {rest}"
            ),
        };
        let query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        Ok(bind_filter!(query, filter).fetch_all(&self.pool).await?)
    }

    /// Rows of a table that hangs off plans (aliased `x`), for the plans a filter selects,
    /// packed into one text on SQLite ([`crate::store::packed`]): for the tables with
    /// many rows per plan. `columns` (over `x`) name `T`'s fields; `order` is over their names.
    async fn related_packed<T>(
        &self,
        columns: &str,
        from: &str,
        order: &str,
        filter: &PlanFilter,
    ) -> Result<Vec<T>, StoreError>
    where
        T: DeserializeOwned + for<'r> FromRow<'r, AnyRow>,
    {
        let rest = format!(
            "{from} WHERE x.plan_id IN (SELECT p.id FROM plans p WHERE {})",
            plan_filter_sql(filter)
        );
        let rows = Rows::new(self.backend, columns, &rest, order);
        rows.fetch(bind_filter!(rows.query(), filter), &self.pool)
            .await
    }

    /// The stated working areas (werkgebied) of the plans a filter selects, in their order; a
    /// plan without rows runs in its own area.
    pub async fn plan_areas(&self, filter: &PlanFilter) -> Result<Vec<PlanAreaRow>, StoreError> {
        self.related(
            "SELECT x.plan_id, x.area_id FROM plan_areas x",
            "ORDER BY x.plan_id, x.position",
            filter,
        )
        .await
    }

    /// Every stage step of the plans a filter selects, in the order the steps took effect (a
    /// year sorts at its start, unknown last); within one date in the order they were stored.
    pub async fn stage_steps(
        &self,
        filter: &PlanFilter,
    ) -> Result<Vec<StageChangeRow>, StoreError> {
        let mut steps: Vec<StageChangeRow> = self
            .related_packed(
                "x.id, x.plan_id, x.stage, x.note, x.date, x.source_id, x.assumption, x.recorded_at",
                "stage_history x",
                "id",
                filter,
            )
            .await?;
        steps.sort_by_cached_key(|h| FactDate::from_stored(&h.date));
        Ok(steps)
    }

    /// Every rollout step of the plans a filter selects, in the order they took effect.
    pub async fn rollout_steps(
        &self,
        filter: &PlanFilter,
    ) -> Result<Vec<RolloutChangeRow>, StoreError> {
        let mut steps: Vec<RolloutChangeRow> = self
            .related_packed(
                "x.id, x.plan_id, x.gemeente_id, x.status, x.note, x.date, x.source_id, x.assumption, x.recorded_at",
                "rollout_history x",
                "id",
                filter,
            )
            .await?;
        steps.sort_by_cached_key(|h| FactDate::from_stored(&h.date));
        Ok(steps)
    }

    /// The stage and rollout steps of every plan, archived ones included, that has a step which
    /// may belong to a period from `from` (a day): its effective date may end on or after it,
    /// it was entered on or after `from_moment` (UTC), or it came from one of `sources` (the
    /// sources dated in the period, which recorded their steps then). All steps of those plans
    /// are read, so that each change knows the value it replaced.
    pub async fn steps_touching(
        &self,
        from: &str,
        from_moment: &str,
        sources: &[String],
    ) -> Result<(Vec<StageChangeRow>, Vec<RolloutChangeRow>), StoreError> {
        let placeholders: Vec<String> = (0..sources.len()).map(|i| format!("${}", i + 3)).collect();
        let by_source = if sources.is_empty() {
            String::new()
        } else {
            format!(
                " OR (y.recorded_at IS NULL AND y.source_id IN ({}))",
                placeholders.join(", ")
            )
        };
        let touching = |table: &str| {
            format!(
                "SELECT y.plan_id FROM {table} y WHERE y.ends_on >= $1 OR y.recorded_at >= $2{by_source}"
            )
        };
        let plans = format!(
            "x.plan_id IN ({} UNION {})",
            touching("stage_history"),
            touching("rollout_history")
        );
        let stage_sql = format!(
            "SELECT x.id, x.plan_id, x.stage, x.note, x.date, x.source_id, x.assumption, x.recorded_at
             FROM stage_history x WHERE {plans} ORDER BY x.id"
        );
        let rollout_sql = format!(
            "SELECT x.id, x.plan_id, x.gemeente_id, x.status, x.note, x.date, x.source_id, x.assumption, x.recorded_at
             FROM rollout_history x WHERE {plans} ORDER BY x.id"
        );
        let mut q = sqlx::query_as::<_, StageChangeRow>(sqlx::AssertSqlSafe(stage_sql))
            .bind(from)
            .bind(from_moment);
        for s in sources {
            q = q.bind(s);
        }
        let mut stages = q.fetch_all(&self.pool).await?;
        let mut q = sqlx::query_as::<_, RolloutChangeRow>(sqlx::AssertSqlSafe(rollout_sql))
            .bind(from)
            .bind(from_moment);
        for s in sources {
            q = q.bind(s);
        }
        let mut rollouts = q.fetch_all(&self.pool).await?;
        stages.sort_by_cached_key(|h| FactDate::from_stored(&h.date));
        rollouts.sort_by_cached_key(|h| FactDate::from_stored(&h.date));
        Ok((stages, rollouts))
    }

    /// The current rollout cells of the plans a filter selects.
    pub async fn rollouts(&self, filter: &PlanFilter) -> Result<Vec<RolloutRow>, StoreError> {
        self.related_packed(
            "x.plan_id, x.gemeente_id, x.status, x.district_id, x.note, x.date, x.source_id, x.assumption",
            "rollouts x",
            "plan_id, gemeente_id",
            filter,
        )
        .await
    }

    /// The milestones of the plans a filter selects, by period (unknown last), then plan.
    pub async fn milestones_of(
        &self,
        filter: &PlanFilter,
    ) -> Result<Vec<MilestoneRow>, StoreError> {
        self.related_by(
            Reach::RowsFirst,
            &format!("SELECT {MILESTONE_COLUMNS} FROM milestones x"),
            "ORDER BY CASE WHEN x.period_start IS NULL THEN 1 ELSE 0 END, x.period_start, x.plan_id, x.id",
            filter,
        )
        .await
    }

    /// The framework links of the plans a filter selects that have a milestone without an
    /// opgave of its own (the werkagenda places it under its plan's one opgave).
    pub async fn framework_of_unthemed_milestones(
        &self,
        filter: &PlanFilter,
    ) -> Result<Vec<PlanLinkRow>, StoreError> {
        self.related_by(
            Reach::RowsFirst,
            "SELECT x.plan_id, x.item_id FROM plan_framework x",
            "AND x.plan_id IN (SELECT m.plan_id FROM milestones m WHERE m.theme_id IS NULL)",
            filter,
        )
        .await
    }

    /// Links of the plans a filter selects to the framework (opgaven, transformations, ...).
    pub async fn plan_framework(
        &self,
        filter: &PlanFilter,
    ) -> Result<Vec<PlanLinkRow>, StoreError> {
        self.related(
            "SELECT x.plan_id, x.item_id FROM plan_framework x",
            "",
            filter,
        )
        .await
    }

    /// Trekkers and betrokkenen of the plans a filter selects, in the document's order.
    pub async fn plan_organisations(
        &self,
        filter: &PlanFilter,
    ) -> Result<Vec<PlanOrganisationRow>, StoreError> {
        self.related_packed(
            "x.plan_id, x.organisation_id, x.role, o.name, x.position",
            "plan_organisations x JOIN organisations o ON o.id = x.organisation_id",
            "position",
            filter,
        )
        .await
    }

    /// Plans with everything that hangs off them, for the plan page and the API.
    pub async fn plan_details(&self, filter: &PlanFilter) -> Result<Vec<PlanDetail>, StoreError> {
        let plans = self.plans(filter).await?;
        if plans.is_empty() {
            return Ok(Vec::new());
        }
        let organisations = self.plan_organisations(filter).await?;
        let framework = self.plan_framework(filter).await?;
        let rollouts = self.rollouts(filter).await?;
        let funding: Vec<PlanFundingRow> = self
            .related(
                "SELECT x.plan_id, x.funding_source_id FROM plan_funding x",
                "",
                filter,
            )
            .await?;
        let work_areas = self.plan_areas(filter).await?;
        let links: Vec<ExternalLinkRow> = self
            .related(
                "SELECT x.plan_id, x.title, x.url FROM plan_links x",
                "ORDER BY x.position",
                filter,
            )
            .await?;
        let history = self.stage_steps(filter).await?;
        let rollout_history = self.rollout_steps(filter).await?;
        let milestones: Vec<MilestoneRow> = self
            .related(
                &format!("SELECT {MILESTONE_COLUMNS} FROM milestones x"),
                "ORDER BY CASE WHEN x.period_start IS NULL THEN 1 ELSE 0 END, x.period_start, x.id",
                filter,
            )
            .await?;
        let budgets: Vec<BudgetRow> = self
            .related(
                &format!(
                    "SELECT {} FROM budgets x",
                    crate::features::finance::model::BUDGET_COLUMNS
                ),
                "ORDER BY x.year, x.funding_source_id",
                filter,
            )
            .await?;
        let capacities: Vec<CapacityRow> = self
            .related(
                &format!(
                    "SELECT {} FROM capacities x",
                    crate::features::finance::model::CAPACITY_COLUMNS
                ),
                "ORDER BY x.year",
                filter,
            )
            .await?;
        let assumptions: Vec<AssumptionRow> = self
            .related(
                "SELECT x.plan_id AS record_id, x.field, x.reason FROM
                 (SELECT record_id AS plan_id, field, reason FROM assumptions WHERE record_type = 'plan') x",
                "",
                filter,
            )
            .await?;

        let mut organisations = by_plan(organisations, |r| &r.plan_id);
        let mut framework = by_plan(framework, |r| &r.plan_id);
        let mut funding = by_plan(funding, |r| &r.plan_id);
        let mut links = by_plan(links, |r| &r.plan_id);
        let mut work_areas = by_plan(work_areas, |r| &r.plan_id);
        let mut rollouts = by_plan(rollouts, |r| &r.plan_id);
        let mut history = by_plan(history, |r| &r.plan_id);
        let mut rollout_history = by_plan(rollout_history, |r| &r.plan_id);
        let mut milestones = by_plan(milestones, |r| &r.plan_id);
        let mut budgets = by_plan(budgets, |r| &r.plan_id);
        let mut capacities = by_plan(capacities, |r| &r.plan_id);
        let mut assumptions = by_plan(assumptions, |r| &r.record_id);
        Ok(plans
            .into_iter()
            .map(|plan| {
                let id = plan.id.as_str();
                PlanDetail {
                    organisations: organisations.remove(id).unwrap_or_default(),
                    framework: framework
                        .remove(id)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|r| r.item_id)
                        .collect(),
                    funding: funding
                        .remove(id)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|r| r.funding_source_id)
                        .collect(),
                    links: links.remove(id).unwrap_or_default(),
                    work_areas: work_areas
                        .remove(id)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|r| r.area_id)
                        .collect(),
                    rollouts: rollouts.remove(id).unwrap_or_default(),
                    history: history.remove(id).unwrap_or_default(),
                    rollout_history: rollout_history.remove(id).unwrap_or_default(),
                    milestones: milestones.remove(id).unwrap_or_default(),
                    budgets: budgets.remove(id).unwrap_or_default(),
                    capacities: capacities.remove(id).unwrap_or_default(),
                    assumptions: assumptions
                        .remove(id)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|a| (a.field, a.reason))
                        .collect(),
                    plan,
                }
            })
            .collect())
    }

    /// One plan with everything that hangs off it, or `None` when the id is unknown.
    pub async fn plan_detail(&self, id: &str) -> Result<Option<PlanDetail>, StoreError> {
        let filter = PlanFilter {
            plan: Some(id.to_owned()),
            include_archived: true,
            ..PlanFilter::default()
        };
        Ok(self.plan_details(&filter).await?.into_iter().next())
    }
}
