//! Governance: the bodies of the network (BBO, regiegroep, kernteam, tactische werkgroepen).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};

use super::model::BodyRow;
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::forms::FormErrors;
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::{Catalog, SourceView};

pub fn routes() -> Routes {
    Routes::new()
        .get("/overleggen", list)
        .get("/overleggen/{id}", show)
}

pub struct BodyView {
    pub body: BodyRow,
    pub area: String,
    pub source: Option<SourceView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "bodies.html")]
pub struct BodiesPage {
    pub nav: &'static str,
    pub bodies: Vec<BodyView>,
}

async fn list(State(state): State<AppState>) -> Result<BodiesPage, WebError> {
    let catalog = Catalog::load(&state.store).await?;
    let bodies = state
        .store
        .bodies()
        .await?
        .into_iter()
        .map(|body| BodyView {
            area: body
                .area_id
                .as_deref()
                .map(|a| catalog.area_name(a))
                .unwrap_or_default(),
            source: catalog.source(body.source_id.as_deref()),
            body,
        })
        .collect();
    Ok(BodiesPage {
        nav: "overleggen",
        bodies,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "body.html")]
pub struct BodyPage {
    pub nav: &'static str,
    pub body: BodyView,
    pub level: &'static str,
    /// Follow-up actions that sit with this body: open ones, and the closed ones.
    pub open: Vec<crate::features::indicators::ActionLine>,
    pub closed: Vec<crate::features::indicators::ActionLine>,
    /// The body an action here escalates to, and those whose actions come here: (id, name).
    pub ladder_up: Vec<(String, String)>,
    pub ladder_down: Vec<(String, String)>,
    pub overdue: usize,
    /// Its meetings, and the form to plan one (a beheerder).
    pub meetings: crate::features::meetings::pages::BodyMeetings,
    pub is_admin: bool,
}

/// One body: what it is, its meetings, where its actions go next on the ladder, and the actions
/// that lie with it (started there, given out by its meetings, or escalated to it).
async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<BodyPage, WebError> {
    body_page(&state, &viewer, &id, None, FormErrors::new()).await
}

/// The body's page, with the form to plan a meeting as posted and its errors.
pub async fn body_page(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    form: Option<crate::features::meetings::pages::MeetingForm>,
    errors: FormErrors,
) -> Result<BodyPage, WebError> {
    let catalog = Catalog::load(&state.store).await?;
    let bodies = state.store.bodies().await?;
    let body = bodies.iter().find(|b| b.id == id).cloned().ok_or_else(|| {
        WebError::NotFound(format!(
            "Er is geen overleg met de id \"{id}\". Kies een overleg op de pagina Overleggen."
        ))
    })?;
    let actions = state.store.actions_at_body(&body.id).await?;
    let origins = crate::features::actions::pages::Origins::load(&state.store).await?;
    let lines = crate::features::indicators::action_lines(
        &actions,
        &catalog,
        &bodies,
        &origins,
        viewer.is_signed_in(),
        crate::features::indicators::today(),
    );
    let ladder_up = body
        .escalates_to
        .as_deref()
        .and_then(|up| bodies.iter().find(|b| b.id == up))
        .map(|b| (b.id.clone(), b.name.clone()))
        .into_iter()
        .collect();
    let ladder_down = bodies
        .iter()
        .filter(|b| b.escalates_to.as_deref() == Some(body.id.as_str()))
        .map(|b| (b.id.clone(), b.name.clone()))
        .collect();
    let overdue = lines.iter().filter(|a| a.overdue).count();
    let (open, closed) = lines.into_iter().partition(|a| a.open);
    let meetings =
        crate::features::meetings::pages::body_meetings(state, &body.id, form, errors).await?;
    Ok(BodyPage {
        nav: "overleggen",
        level: body
            .kind
            .as_deref()
            .and_then(|k| crate::domain::EscalationLevel::parse(k).ok())
            .map_or("", |l| l.label()),
        body: BodyView {
            area: body
                .area_id
                .as_deref()
                .map(|a| catalog.area_name(a))
                .unwrap_or_default(),
            source: catalog.source(body.source_id.as_deref()),
            body,
        },
        open,
        closed,
        overdue,
        meetings,
        ladder_up,
        ladder_down,
        is_admin: viewer.is_admin(),
    })
}
