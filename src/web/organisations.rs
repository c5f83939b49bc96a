//! Organisations as records: who leads (trekker) and who takes part (betrokken) in which plan.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};

use super::AppState;
use super::error::WebError;
use super::routes::Routes;
use super::view::stage_label;
use crate::domain::OrganisationKind;
use crate::store::OrganisationRow;

pub fn routes() -> Routes {
    Routes::new()
        .get("/organisaties", list)
        .get("/organisaties/{id}", show)
}

pub struct OrganisationLine {
    pub org: OrganisationRow,
    pub kind: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "organisations/list.html")]
pub struct ListPage {
    pub nav: &'static str,
    pub organisations: Vec<OrganisationLine>,
}

fn kind_label(code: &str) -> String {
    OrganisationKind::parse(code).map_or_else(|_| code.to_owned(), |k| k.label().to_owned())
}

async fn list(State(state): State<AppState>) -> Result<ListPage, WebError> {
    let organisations = state
        .store
        .organisations()
        .await?
        .into_iter()
        .map(|org| OrganisationLine {
            kind: kind_label(&org.kind),
            org,
        })
        .collect();
    Ok(ListPage {
        nav: "organisaties",
        organisations,
    })
}

pub struct RolePlan {
    pub id: String,
    pub name: String,
    pub stage: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "organisations/show.html")]
pub struct ShowPage {
    pub nav: &'static str,
    pub org: OrganisationRow,
    pub kind: String,
    pub leads: Vec<RolePlan>,
    pub involved: Vec<RolePlan>,
}

async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Result<ShowPage, WebError> {
    let org = state
        .store
        .organisations()
        .await?
        .into_iter()
        .find(|o| o.id == id)
        .ok_or_else(|| {
            WebError::NotFound(format!(
                "Er is geen organisatie met de id \"{id}\". Kies een organisatie in de lijst."
            ))
        })?;
    let plans = state.store.organisation_plans(&org.id).await?;
    let of_role = |role: &str| {
        plans
            .iter()
            .filter(|(_, r)| r == role)
            .map(|(p, _)| RolePlan {
                id: p.id.clone(),
                name: p.name.clone(),
                stage: stage_label(p.stage.as_deref()),
            })
            .collect()
    };
    Ok(ShowPage {
        nav: "organisaties",
        kind: kind_label(&org.kind),
        leads: of_role("trekker"),
        involved: of_role("betrokken"),
        org,
    })
}
