//! Reading the portfolio. Each function is one or a few portable SQL statements; pages and
//! the API assemble what they show from these rows.

use serde::Serialize;
use sqlx::FromRow;
use sqlx::any::AnyRow;

use super::{Store, StoreError};

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct AreaRow {
    pub id: String,
    /// regio, subregio, gemeente or wijk
    pub kind: String,
    pub name: String,
    pub parent_id: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct SourceRow {
    pub id: String,
    pub title: String,
    /// YYYY-MM-DD
    pub date: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct FrameworkRow {
    pub id: String,
    /// principe, transformatie, opgave, fundament or akkoord
    pub kind: String,
    pub number: Option<i64>,
    pub name: String,
    pub description: Option<String>,
    pub source_id: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct OrganisationRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub website: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct FundingSourceRow {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct BodyRow {
    pub id: String,
    pub name: String,
    pub level: String,
    /// werkgroep, kernteam, regiegroep or bbo: its rung on the escalation ladder.
    pub kind: Option<String>,
    pub area_id: Option<String>,
    pub description: Option<String>,
    pub source_id: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct PlanRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub area_id: String,
    pub about: Option<String>,
    pub intended_result: Option<String>,
    pub activities: Option<String>,
    pub asks: Option<String>,
    pub current_status: Option<String>,
    pub lead_text: Option<String>,
    pub parties_text: Option<String>,
    pub status_text: Option<String>,
    pub financing_text: Option<String>,
    pub stage: Option<String>,
    pub network_role: Option<String>,
    /// true = nieuw, false = doorontwikkeling, null = not stated
    #[serde(serialize_with = "serialize_flag")]
    #[schema(value_type = Option<bool>)]
    pub is_new: Option<i64>,
    pub phase: Option<String>,
    pub source_id: Option<String>,
    /// For signed-in readers only; left out of public answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
    /// Archived plans keep their history but leave the overviews.
    #[serde(serialize_with = "serialize_bool")]
    #[schema(value_type = bool)]
    pub archived: i64,
    pub version: i64,
}

impl PlanRow {
    pub fn is_new(&self) -> Option<bool> {
        super::flag(self.is_new)
    }
}

fn serialize_bool<S: serde::Serializer>(value: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_bool(*value != 0)
}

/// Writes a stored 0/1 column as JSON `false`/`true`.
fn serialize_flag<S: serde::Serializer>(
    value: &Option<i64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    super::flag(*value).serialize(serializer)
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct RolloutRow {
    #[serde(skip)]
    pub plan_id: String,
    pub gemeente_id: String,
    /// niet-gestart, gepland, opstart, loopt, geborgd or nvt
    pub status: String,
    pub district_id: Option<String>,
    pub note: Option<String>,
    pub date: String,
    pub source_id: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct PlanOrganisationRow {
    #[serde(skip)]
    pub plan_id: String,
    pub organisation_id: String,
    /// trekker or betrokken
    pub role: String,
    pub name: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct PlanLinkRow {
    pub plan_id: String,
    pub item_id: String,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct StageChangeRow {
    #[serde(skip)]
    pub plan_id: String,
    pub stage: String,
    pub note: Option<String>,
    pub date: String,
    pub source_id: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct RolloutChangeRow {
    #[serde(skip)]
    pub plan_id: String,
    pub gemeente_id: String,
    pub status: String,
    pub note: Option<String>,
    pub date: String,
    pub source_id: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct MilestoneRow {
    #[serde(skip)]
    pub plan_id: String,
    pub title: String,
    /// 2025-03, 2025-Q2 or 2025-03-15; null when the source gives none
    pub period: Option<String>,
    pub theme_id: Option<String>,
    pub note: Option<String>,
    pub source_id: Option<String>,
}

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct ExternalLinkRow {
    #[serde(skip)]
    pub plan_id: String,
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct PlanFundingRow {
    pub plan_id: String,
    pub funding_source_id: String,
}

/// Which plans a page or API call asks for. Every field narrows the list; `None` means all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanFilter {
    /// Plans of this subregio, of one of its gemeenten, or of the whole region.
    pub subregion: Option<String>,
    /// Plans linked to this framework item (an opgave, transformation, ...).
    pub framework_items: Vec<String>,
    pub stage: Option<String>,
    /// One plan only.
    pub plan: Option<String>,
    /// Also archived plans (a plan's own page shows it with a notice).
    pub include_archived: bool,
}

/// A plan with everything that hangs off it (also the API's plan object).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanDetail {
    #[serde(flatten)]
    pub plan: PlanRow,
    pub organisations: Vec<PlanOrganisationRow>,
    /// Ids of linked accords, principles, transformations, opgaven and fundamenten.
    pub framework: Vec<String>,
    /// Ids of funding sources.
    pub funding: Vec<String>,
    pub links: Vec<ExternalLinkRow>,
    /// Current rollout per gemeente; gemeenten not listed are unknown.
    pub rollouts: Vec<RolloutRow>,
    pub history: Vec<StageChangeRow>,
    pub rollout_history: Vec<RolloutChangeRow>,
    pub milestones: Vec<MilestoneRow>,
}

const PLAN_COLUMNS: &str = "p.id, p.name, p.kind, p.parent_id, p.area_id, p.about, p.intended_result, p.activities, p.asks,
    p.current_status, p.lead_text, p.parties_text, p.status_text, p.financing_text, p.stage, p.network_role, p.is_new,
    p.phase, p.source_id, p.internal_note, p.archived, p.version";

/// The filter as SQL over `plans p`, with `$1` plan, `$2` stage, `$3` subregio, `$4` whether
/// archived plans count; the framework items follow as `$5...`. Only fixed text and placeholders are put together here.
fn plan_filter_sql(filter: &PlanFilter) -> String {
    let mut sql = String::from(
        "(p.archived = 0 OR $4 = 1)
         AND (CAST($1 AS TEXT) IS NULL OR p.id = $1)
         AND (CAST($2 AS TEXT) IS NULL OR p.stage = $2)
         AND (CAST($3 AS TEXT) IS NULL OR p.area_id = $3
              OR p.area_id IN (SELECT a.id FROM areas a WHERE a.parent_id = $3 OR a.kind = 'regio'))",
    );
    for i in 0..filter.framework_items.len() {
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM plan_framework f WHERE f.plan_id = p.id AND f.item_id = ${})",
            i + 5
        ));
    }
    sql
}

macro_rules! bind_filter {
    ($query:expr, $filter:expr) => {{
        let mut q = $query
            .bind($filter.plan.clone())
            .bind($filter.stage.clone())
            .bind($filter.subregion.clone())
            .bind(i64::from($filter.include_archived));
        for item in &$filter.framework_items {
            q = q.bind(item.clone());
        }
        q
    }};
}

impl Store {
    pub async fn areas(&self) -> Result<Vec<AreaRow>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, kind, name, parent_id FROM areas ORDER BY position, name")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn sources(&self) -> Result<Vec<SourceRow>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, title, date, note FROM sources ORDER BY date, id")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn framework(&self) -> Result<Vec<FrameworkRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, kind, number, name, description, source_id FROM framework_items ORDER BY kind, number, position",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// (transformation id, principle id) pairs.
    pub async fn transformation_principles(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT transformation_id, principle_id FROM transformation_principles")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn organisations(&self) -> Result<Vec<OrganisationRow>, StoreError> {
        Ok(
            sqlx::query_as(
                "SELECT id, name, kind, website FROM organisations ORDER BY lower(name)",
            )
            .fetch_all(&self.pool)
            .await?,
        )
    }

    pub async fn funding_sources(&self) -> Result<Vec<FundingSourceRow>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, name, description FROM funding_sources ORDER BY name")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn bodies(&self) -> Result<Vec<BodyRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, name, level, kind, area_id, description, source_id FROM bodies ORDER BY position",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The plans a filter selects, in portfolio order.
    pub async fn plans(&self, filter: &PlanFilter) -> Result<Vec<PlanRow>, StoreError> {
        let sql = format!(
            "SELECT {PLAN_COLUMNS} FROM plans p WHERE {} ORDER BY p.position",
            plan_filter_sql(filter)
        );
        let query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        Ok(bind_filter!(query, filter).fetch_all(&self.pool).await?)
    }

    /// Rows of a table that hangs off plans (aliased `x`, with a `plan_id`), for the plans a
    /// filter selects. `from` and `order` are fixed text of this module, never user input.
    async fn related<T>(
        &self,
        select_from: &str,
        order: &str,
        filter: &PlanFilter,
    ) -> Result<Vec<T>, StoreError>
    where
        T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let sql = format!(
            "{select_from} JOIN plans p ON p.id = x.plan_id WHERE {} {order}",
            plan_filter_sql(filter)
        );
        let query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        Ok(bind_filter!(query, filter).fetch_all(&self.pool).await?)
    }

    /// The current rollout cells of the plans a filter selects.
    pub async fn rollouts(&self, filter: &PlanFilter) -> Result<Vec<RolloutRow>, StoreError> {
        self.related(
            "SELECT x.plan_id, x.gemeente_id, x.status, x.district_id, x.note, x.date, x.source_id FROM rollouts x",
            "",
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
        self.related(
            "SELECT x.plan_id, x.organisation_id, x.role, o.name FROM plan_organisations x
             JOIN organisations o ON o.id = x.organisation_id",
            "ORDER BY x.position",
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
        let links: Vec<ExternalLinkRow> = self
            .related(
                "SELECT x.plan_id, x.title, x.url FROM plan_links x",
                "ORDER BY x.position",
                filter,
            )
            .await?;
        let history: Vec<StageChangeRow> = self
            .related(
                "SELECT x.plan_id, x.stage, x.note, x.date, x.source_id FROM stage_history x",
                "ORDER BY x.date, x.id",
                filter,
            )
            .await?;
        let rollout_history: Vec<RolloutChangeRow> = self
            .related(
                "SELECT x.plan_id, x.gemeente_id, x.status, x.note, x.date, x.source_id FROM rollout_history x",
                "ORDER BY x.date, x.id",
                filter,
            )
            .await?;
        let milestones: Vec<MilestoneRow> = self
            .related(
                "SELECT x.plan_id, x.title, x.period, x.theme_id, x.note, x.source_id FROM milestones x",
                "ORDER BY CASE WHEN x.period_start IS NULL THEN 1 ELSE 0 END, x.period_start, x.id",
                filter,
            )
            .await?;

        fn of<T: Clone>(rows: &[T], id: &str, plan_id: impl Fn(&T) -> &str) -> Vec<T> {
            rows.iter().filter(|r| plan_id(r) == id).cloned().collect()
        }
        Ok(plans
            .into_iter()
            .map(|plan| {
                let id = plan.id.clone();
                PlanDetail {
                    organisations: of(&organisations, &id, |r| &r.plan_id),
                    framework: framework
                        .iter()
                        .filter(|r| r.plan_id == id)
                        .map(|r| r.item_id.clone())
                        .collect(),
                    funding: funding
                        .iter()
                        .filter(|r| r.plan_id == id)
                        .map(|r| r.funding_source_id.clone())
                        .collect(),
                    links: of(&links, &id, |r| &r.plan_id),
                    rollouts: of(&rollouts, &id, |r| &r.plan_id),
                    history: of(&history, &id, |r| &r.plan_id),
                    rollout_history: of(&rollout_history, &id, |r| &r.plan_id),
                    milestones: of(&milestones, &id, |r| &r.plan_id),
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

    /// Plans in which an organisation is trekker or betrokken.
    pub async fn organisation_plans(
        &self,
        organisation_id: &str,
    ) -> Result<Vec<(PlanRow, String)>, StoreError> {
        let rows: Vec<PlanOrganisationRow> = sqlx::query_as(
            "SELECT po.plan_id, po.organisation_id, po.role, o.name FROM plan_organisations po
             JOIN organisations o ON o.id = po.organisation_id WHERE po.organisation_id = $1",
        )
        .bind(organisation_id)
        .fetch_all(&self.pool)
        .await?;
        let plans = self.plans(&PlanFilter::default()).await?;
        Ok(plans
            .into_iter()
            .filter_map(|p| {
                let role = rows.iter().find(|r| r.plan_id == p.id)?.role.clone();
                Some((p, role))
            })
            .collect())
    }

    /// Whether the store holds no portfolio yet.
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM areas")
            .fetch_one(&self.pool)
            .await?;
        Ok(n == 0)
    }
}
