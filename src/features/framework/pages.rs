//! The regioplan's framework: leading principles → transformations → plans ("plannen geplot
//! op de beweging"), opgaven and fundamenten, and the "Overzicht plannen" (phase × nieuw).
//! A beheerder adds items and edits their name, number and description.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::model::{FrameworkField, FrameworkFields, FrameworkRow};
use crate::domain::{FrameworkKind, Phase};
use crate::features::plans::model::{PlanFilter, PlanRow};
use crate::store::Reason;
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::flash::{self, Notice};
use crate::web::forms::{Checked, conflict_line, missing_id, new_id, required_name, settle};
use crate::web::forms::{Choice, FormErrors, optional};
use crate::web::forms::{ConflictLine, parse_form};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::{Catalog, SourceView, stage_label};

pub fn routes() -> Routes {
    Routes::new()
        .get("/kader", show)
        .get("/kader/nieuw", new_form)
        .post("/kader", create)
        .get("/kader/{id}/bewerken", edit_form)
        .post("/kader/{id}/bewerken", update)
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
    pub is_admin: bool,
}

async fn show(State(state): State<AppState>, viewer: Viewer) -> Result<FrameworkPage, WebError> {
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
        is_admin: viewer.is_admin(),
    })
}

// --- Adding and editing items ---

const ADMIN_ONLY: &str = "het kader van het regioplan wijzigen";

/// The item form as posted. Every field is text so that what the user typed comes back.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ItemForm {
    pub version: String,
    pub id: String,
    pub kind: String,
    pub name: String,
    pub number: String,
    pub description: String,
    pub comment: String,
}

impl ItemForm {
    fn from_stored(kind: FrameworkKind, f: &FrameworkFields, version: i64) -> Self {
        Self {
            version: version.to_string(),
            kind: kind.code().to_owned(),
            name: f.name.clone(),
            number: f.number.map(|n| n.to_string()).unwrap_or_default(),
            description: f.description.clone().unwrap_or_default(),
            ..Self::default()
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "framework/edit.html")]
pub struct EditPage {
    pub nav: &'static str,
    /// `None` for a new item.
    pub item_id: Option<String>,
    pub title: String,
    /// The kind of an existing item, which does not change ("Transformatie").
    pub kind_label: String,
    pub form: ItemForm,
    pub kinds: Vec<Choice>,
    pub errors: FormErrors,
    /// Someone else saved first: the user's values next to the stored ones (empty otherwise).
    pub conflict: Vec<ConflictLine>,
    pub last_change: Option<String>,
}

impl EditPage {
    fn new(item: Option<(String, FrameworkKind)>, title: String, form: ItemForm) -> Self {
        let (item_id, kind_label) = match item {
            Some((id, kind)) => (Some(id), kind.label().to_owned()),
            None => (None, String::new()),
        };
        Self {
            nav: "kader",
            item_id,
            title,
            kind_label,
            form,
            kinds: Choice::all::<FrameworkKind>(),
            errors: FormErrors::new(),
            conflict: Vec::new(),
            last_change: None,
        }
    }
}

fn not_found(id: &str) -> WebError {
    WebError::NotFound(format!(
        "Het kader heeft geen onderdeel met de id \"{id}\". Kies een onderdeel op de pagina Kader."
    ))
}

/// Turns the posted form into an item, or says per field (in form order) what to fix. A new
/// item also needs a kind and an id.
fn validate(
    form: &ItemForm,
    creating: bool,
) -> Result<(FrameworkKind, Checked<FrameworkFields>), FormErrors> {
    let mut errors = FormErrors::new();
    let kind = errors.check("kind", "Soort", FrameworkKind::parse(&form.kind));
    let name = required_name(&mut errors, &form.name, "vul de naam van het onderdeel in.");
    let id = if creating {
        new_id(&mut errors, &form.id, name.as_deref())
    } else {
        None
    };
    let number = match optional(&form.number) {
        None => None,
        Some(n) => match n.parse::<i64>() {
            Ok(n) if (1..=999).contains(&n) => Some(n),
            _ => {
                errors.add(
                    "number",
                    "Nummer: vul een heel getal van 1 tot 999 in, bijvoorbeeld 3, of laat het veld leeg.",
                );
                None
            }
        },
    };
    match (kind, name, errors.is_empty()) {
        (Some(kind), Some(name), true) => Ok((
            kind,
            (
                id,
                FrameworkFields {
                    name,
                    number,
                    description: optional(&form.description),
                },
                Reason {
                    comment: optional(&form.comment),
                    source: None,
                },
            ),
        )),
        _ => Err(errors),
    }
}

async fn new_form(viewer: Viewer) -> Result<EditPage, WebError> {
    viewer.require_admin(ADMIN_ONLY)?;
    let form = ItemForm {
        kind: FrameworkKind::Transformation.code().to_owned(),
        ..ItemForm::default()
    };
    Ok(EditPage::new(
        None,
        "Nieuw onderdeel van het kader".into(),
        form,
    ))
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin(ADMIN_ONLY)?;
    let form: ItemForm = parse_form(&body);
    let outcome = match validate(&form, true) {
        Ok((kind, (Some(id), fields, reason))) => settle::<_, FrameworkField>(
            state
                .store
                .save_framework_item(&viewer.actor(), &reason, id.as_str(), kind, None, &fields)
                .await
                .map(|_| id),
        )?,
        Ok((_, (None, ..))) => Err(missing_id().into()),
        Err(errors) => Err(errors.into()),
    };
    let not_saved = match outcome {
        Ok(id) => return Ok(flash::redirect(&format!("/kader#{id}"), Notice::Created)),
        Err(not_saved) => not_saved,
    };
    let mut page = EditPage::new(None, "Nieuw onderdeel van het kader".into(), form);
    page.errors = not_saved.for_new_record();
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<EditPage, WebError> {
    viewer.require_admin(ADMIN_ONLY)?;
    let (kind, fields, version) = stored(&state, &id).await?;
    let title = format!("{} bewerken", fields.name);
    Ok(EditPage::new(
        Some((id, kind)),
        title,
        ItemForm::from_stored(kind, &fields, version),
    ))
}

/// The item as stored, with its kind and version, or "not found".
async fn stored(
    state: &AppState,
    id: &str,
) -> Result<(FrameworkKind, FrameworkFields, i64), WebError> {
    state
        .store
        .stored_framework_item(id)
        .await?
        .ok_or_else(|| not_found(id))
}

fn conflict_lines(yours: &ItemForm, stored: &ItemForm) -> Vec<ConflictLine> {
    vec![
        conflict_line("Naam", &yours.name, &stored.name),
        conflict_line("Nummer", &yours.number, &stored.number),
        conflict_line("Omschrijving", &yours.description, &stored.description),
    ]
}

async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin(ADMIN_ONLY)?;
    let (kind, stored, _) = stored(&state, &id).await?;
    let mut form: ItemForm = parse_form(&body);
    // The kind of an item does not change; the form does not offer it.
    form.kind = kind.code().to_owned();
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    let outcome = match validate(&form, false) {
        Ok((_, (_, fields, reason))) => settle::<_, FrameworkField>(
            state
                .store
                .save_framework_item(&viewer.actor(), &reason, &id, kind, Some(version), &fields)
                .await,
        )?,
        Err(errors) => Err(errors.into()),
    };
    let not_saved = match outcome {
        Ok(_) => return Ok(flash::redirect(&format!("/kader#{id}"), Notice::Saved)),
        Err(not_saved) => not_saved,
    };
    let status = not_saved.status();
    let mut page = EditPage::new(
        Some((id.clone(), kind)),
        format!("{} bewerken", stored.name),
        form,
    );
    if let Some(current) = not_saved.newer_version {
        let (_, now, _) = self::stored(&state, &id).await?;
        page.conflict = conflict_lines(&page.form, &ItemForm::from_stored(kind, &now, current));
        page.form.version = current.to_string();
    }
    page.errors = not_saved.errors;
    Ok((status, page).into_response())
}
