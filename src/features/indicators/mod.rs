//! KPI's: their definitions with targets and tussendoelen (`edit`), the KPI list and page
//! with status per area and charts (`pages`, `chart`), and the monitoring API (`api`). The
//! permission rules that the observation and action pages share live here; the status rule
//! is `domain::assess_kpi`.

pub mod api;
pub mod chart;
pub mod edit;
pub mod pages;
pub mod standing;

use self::model::IndicatorRow;
use crate::auth::User;
use crate::domain::{Assessment, IndicatorStatus, Latest, Targets, assess_kpi};
use crate::features::observations::model::ObservationRow;
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::StatusView;

pub use crate::features::actions::pages::{ActionLine, action_lines};
pub use pages::{KpiLine, kpi_lines_for_area, kpi_lines_for_plan};

pub fn routes() -> Routes {
    Routes::new()
        .merge(edit::routes())
        .merge(pages::routes())
        .merge(api::routes())
}

impl StatusView {
    pub fn kpi(status: IndicatorStatus) -> Self {
        Self {
            code: status.code(),
            label: status.label(),
            symbol: status.symbol(),
        }
    }
}

/// Where a KPI stands given its latest observation (the rule is [`assess_kpi`]).
pub fn assess_latest(indicator: &IndicatorRow, latest: Option<&ObservationRow>) -> Assessment {
    assess_with(indicator, indicator.targets().as_ref(), latest)
}

/// [`assess_latest`] with the KPI's targets already read (for many areas of one KPI).
pub fn assess_with(
    indicator: &IndicatorRow,
    targets: Option<&Targets>,
    latest: Option<&ObservationRow>,
) -> Assessment {
    let latest = latest.map(|o| Latest {
        period_text: o.period.clone(),
        period: o.period(),
        value: o.value,
        judged: o
            .judged_status
            .as_deref()
            .and_then(|s| IndicatorStatus::parse(s).ok()),
    });
    assess_kpi(indicator.is_narrative(), targets, latest.as_ref())
}

/// The signed-in account if it may enter values for this KPI, or the refusal.
pub async fn require_kpi_editor<'a>(
    state: &AppState,
    viewer: &'a Viewer,
    indicator: &IndicatorRow,
) -> Result<&'a User, WebError> {
    let user = viewer.require_user()?;
    let editors = state.store.indicator_editors(&indicator.id).await?;
    if user.may_enter_for_kpi(&editors) {
        Ok(user)
    } else {
        Err(WebError::Forbidden(format!(
            "U mag voor \"{}\" geen metingen of acties invoeren: alleen een beheerder of een trekker van een organisatie die een plan van deze KPI trekt (of de KPI beheert) mag dat.",
            indicator.name
        )))
    }
}

/// The KPI with this id, or a 404 that says where to find one.
pub async fn indicator_or_404(state: &AppState, id: &str) -> Result<IndicatorRow, WebError> {
    state.store.indicator(id).await?.ok_or_else(|| {
        WebError::NotFound(format!(
            "Er is geen KPI met de id \"{id}\". Kies een KPI op de pagina KPI's."
        ))
    })
}

/// The areas a KPI is measured in (its level), in the catalog's order, as form choices.
pub fn level_choices(
    catalog: &crate::web::view::Catalog,
    ind: &IndicatorRow,
) -> Vec<crate::web::forms::Choice> {
    catalog
        .areas
        .iter()
        .filter(|a| a.kind == ind.area_level().code())
        .map(|a| crate::web::forms::Choice::new(a.id.clone(), a.name.clone()))
        .collect()
}

/// Today, for overdue flags.
pub fn today() -> jiff::civil::Date {
    jiff::Zoned::now().date()
}
pub mod model;
pub mod repo;
