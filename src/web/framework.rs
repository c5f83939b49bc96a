//! The regioplan's framework: leading principles → transformations → plans ("plannen geplot
//! op de beweging"), opgaven and fundamenten, and the "Overzicht plannen" (phase × nieuw).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::AppState;
use super::error::WebError;
use super::routes::Routes;
use super::view::{Catalog, SourceView, stage_label};
use crate::domain::{FrameworkKind, Phase};
use crate::store::{FrameworkRow, PlanFilter, PlanRow};

pub fn routes() -> Routes {
    Routes::new().get("/kader", show)
}

pub struct PlanRef {
    pub id: String,
    pub name: String,
    pub stage: String,
}

pub struct ItemView {
    pub item: FrameworkRow,
    pub source: Option<SourceView>,
    pub plans: Vec<PlanRef>,
}

pub struct PrincipleView {
    pub item: FrameworkRow,
    pub transformations: Vec<String>,
    pub plans: Vec<PlanRef>,
}

pub struct ItemSection {
    pub anchor: &'static str,
    pub title: &'static str,
    pub items: Vec<ItemView>,
}

/// One cell of the Overzicht plannen.
pub struct OverviewCell {
    pub plans: Vec<PlanRef>,
}

pub struct OverviewRow {
    pub label: &'static str,
    pub cells: Vec<OverviewCell>,
}

#[derive(Template, WebTemplate)]
#[template(path = "framework.html")]
pub struct FrameworkPage {
    pub nav: &'static str,
    pub principles: Vec<PrincipleView>,
    /// Transformations, opgaven, fundamenten and accords, each with its plans.
    pub sections: Vec<ItemSection>,
    pub overview_columns: Vec<&'static str>,
    pub overview: Vec<OverviewRow>,
}

async fn show(State(state): State<AppState>) -> Result<FrameworkPage, WebError> {
    let catalog = Catalog::load(&state.store).await?;
    let all = PlanFilter::default();
    let plans = state.store.plans(&all).await?;
    let links = state.store.plan_framework(&all).await?;
    let serves = state.store.transformation_principles().await?;

    let plan_ref = |p: &PlanRow| PlanRef {
        id: p.id.clone(),
        name: p.name.clone(),
        stage: stage_label(p.stage.as_deref()),
    };
    let plans_of = |item: &str| -> Vec<PlanRef> {
        plans
            .iter()
            .filter(|p| links.iter().any(|l| l.plan_id == p.id && l.item_id == item))
            .map(plan_ref)
            .collect()
    };
    let views = |kind: FrameworkKind| -> Vec<ItemView> {
        catalog
            .items(kind)
            .map(|i| ItemView {
                item: i.clone(),
                source: catalog.source(i.source_id.as_deref()),
                plans: plans_of(&i.id),
            })
            .collect()
    };
    let principles = catalog
        .items(FrameworkKind::Principle)
        .map(|p| PrincipleView {
            item: p.clone(),
            transformations: serves
                .iter()
                .filter(|(_, pr)| *pr == p.id)
                .filter_map(|(t, _)| catalog.item(t))
                .map(|t| match t.number {
                    Some(n) => format!("{n}. {}", t.name),
                    None => t.name.clone(),
                })
                .collect(),
            plans: plans_of(&p.id),
        })
        .collect();

    let columns = [Some(Phase::InExecution), Some(Phase::Planning), None];
    let cell = |is_new: Option<bool>, phase: Option<Phase>| OverviewCell {
        plans: plans
            .iter()
            .filter(|p| {
                p.is_new() == is_new
                    && p.phase.as_deref().and_then(|c| Phase::parse(c).ok()) == phase
            })
            .map(plan_ref)
            .collect(),
    };
    let overview = [
        ("Nieuw", Some(true)),
        ("(Door)ontwikkeling", Some(false)),
        ("Niet vermeld", None),
    ]
    .into_iter()
    .map(|(label, is_new)| OverviewRow {
        label,
        cells: columns.iter().map(|phase| cell(is_new, *phase)).collect(),
    })
    .collect();

    Ok(FrameworkPage {
        nav: "kader",
        principles,
        sections: [
            ("transformaties", FrameworkKind::Transformation),
            ("opgaven", FrameworkKind::Theme),
            ("fundamenten", FrameworkKind::Foundation),
            ("akkoorden", FrameworkKind::Accord),
        ]
        .into_iter()
        .map(|(anchor, kind)| ItemSection {
            anchor,
            title: kind.plural(),
            items: views(kind),
        })
        .collect(),
        overview_columns: columns
            .iter()
            .map(|c| c.map_or("Niet vermeld", Phase::label))
            .collect(),
        overview,
    })
}
