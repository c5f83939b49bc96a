//! The plan form: new and edit pages that keep what the user typed, field-level Dutch
//! messages, a conflict page when someone else saved first, and archiving.

use super::model::{PlanField, PlanFields, StageChange, StoredPlan};
use super::texts::{plan_texts, with_plan_texts};
use crate::domain::{FactDate, FrameworkKind, NetworkRole, Phase, PlanKind, Slug, Stage};
use crate::features::changes::model::AuditScope;
use crate::features::changes::pages::last_change;
use crate::features::sources::model::SourceRef;
use crate::store::{Reason, RecordField};
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::flash::{self, Notice};
use crate::web::forms::{Choice, FormErrors, optional};
use crate::web::forms::{ConflictLine, NotSaved, parse_form, settle_at};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::Catalog;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new()
        .get("/plannen/nieuw", new_form)
        .post("/plannen", create)
        .get("/plannen/{id}/bewerken", edit_form)
        .post("/plannen/{id}/bewerken", update)
        .post("/plannen/{id}/archief", archive)
}

plan_texts!(with_plan_texts! {
String,
/// The plan form as posted. Every field is text so that what the user typed comes back; the
/// plan's free texts follow the listed fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PlanForm {
    pub version: String,
    pub id: String,
    pub name: String,
    pub kind: String,
    pub parent: String,
    pub area: String,
    pub network_role: String,
    pub is_new: String,
    pub phase: String,
    pub source: String,
    pub internal_note: String,
    pub leads: Vec<String>,
    pub parties: Vec<String>,
    pub framework: Vec<String>,
    pub funding: Vec<String>,
    /// The areas the plan runs in (werkgebied); none means its own area.
    pub work_areas: Vec<String>,
    /// One link per line: `titel | https://...`
    pub links: String,
    /// A new stage, or empty to keep the current one.
    pub stage: String,
    pub stage_date: String,
    pub stage_source: String,
    pub stage_source_new: String,
    pub stage_note: String,
    pub comment: String,
}
});

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

impl PlanForm {
    fn from_stored(id: &str, p: &StoredPlan) -> Self {
        let f = &p.fields;
        let mut form = Self {
            version: p.version.to_string(),
            id: id.to_owned(),
            name: f.name.clone(),
            kind: f.kind.code().to_owned(),
            parent: text(&f.parent_id),
            area: f.area_id.clone(),
            network_role: f
                .network_role
                .map(|r| r.code().to_owned())
                .unwrap_or_default(),
            is_new: match f.is_new {
                Some(true) => "1".into(),
                Some(false) => "0".into(),
                None => String::new(),
            },
            phase: f.phase.map(|p| p.code().to_owned()).unwrap_or_default(),
            source: text(&f.source_id),
            internal_note: text(&f.internal_note),
            leads: f.leads.clone(),
            parties: f.parties.clone(),
            framework: f.framework.clone(),
            funding: f.funding.clone(),
            work_areas: f.work_areas.clone(),
            links: f
                .links
                .iter()
                .map(|(t, u)| format!("{t} | {u}"))
                .collect::<Vec<_>>()
                .join("\n"),
            stage: String::new(),
            stage_date: jiff::Zoned::now().date().to_string(),
            ..Self::default()
        };
        form.set_texts(&f.texts);
        form
    }
}

/// The choices the plan form offers.
pub struct PlanChoices {
    pub kinds: Vec<Choice>,
    pub areas: Vec<Choice>,
    pub parents: Vec<Choice>,
    pub roles: Vec<Choice>,
    pub novelty: Vec<Choice>,
    pub phases: Vec<Choice>,
    pub sources: Vec<Choice>,
    pub stages: Vec<Choice>,
    pub organisations: Vec<Choice>,
    pub framework: Vec<(String, Vec<Choice>)>,
    pub funding: Vec<Choice>,
    /// The regio, subregio's and gemeenten a plan can run in.
    pub work_areas: Vec<Choice>,
}

async fn plan_choices(
    state: &AppState,
    catalog: &Catalog,
    own_id: &str,
) -> Result<PlanChoices, WebError> {
    let none = |label: &str| Choice::new("", label);
    let mut areas = Vec::new();
    for a in &catalog.areas {
        if a.kind == "wijk" {
            continue;
        }
        let label = match a.kind.as_str() {
            "regio" => format!("{} (regio)", a.name),
            "subregio" => format!("{} (subregio)", a.name),
            _ => format!("— {}", a.name),
        };
        areas.push(Choice::new(a.id.clone(), label));
    }
    let work_areas = catalog
        .areas
        .iter()
        .filter(|a| a.kind == "regio" || a.kind == "subregio")
        .map(|a| Choice::new(a.id.clone(), format!("{} ({})", a.name, a.kind)))
        .chain(
            catalog
                .gemeenten()
                .map(|a| Choice::new(a.id.clone(), a.name.clone())),
        )
        .collect();
    let plans = state
        .store
        .plans(&crate::features::plans::model::PlanFilter::default())
        .await?;
    let mut parents = vec![none("Geen (zelfstandig plan)")];
    parents.extend(
        plans
            .iter()
            .filter(|p| p.id != own_id)
            .map(|p| Choice::new(p.id.clone(), p.name.clone())),
    );
    let sources = catalog.source_choices("Geen bron");
    let mut organisations: Vec<Choice> = state
        .store
        .organisations()
        .await?
        .into_iter()
        .map(|o| Choice::new(o.id, o.name))
        .collect();
    organisations.sort_by_key(|c| c.label.to_lowercase());
    let framework = [
        FrameworkKind::Accord,
        FrameworkKind::Principle,
        FrameworkKind::Transformation,
        FrameworkKind::Theme,
        FrameworkKind::Foundation,
    ]
    .into_iter()
    .map(|kind| {
        (
            kind.plural().to_owned(),
            catalog
                .items(kind)
                .map(|i| {
                    Choice::new(
                        i.id.clone(),
                        match i.number {
                            Some(n) => format!("{n}. {}", i.name),
                            None => i.name.clone(),
                        },
                    )
                })
                .collect(),
        )
    })
    .collect();
    let funding = state
        .store
        .funding_sources()
        .await?
        .into_iter()
        .map(|f| Choice::new(f.id, f.name))
        .collect();
    Ok(PlanChoices {
        kinds: Choice::all::<PlanKind>(),
        areas,
        parents,
        roles: Choice::none_then("Niet vermeld", Choice::all::<NetworkRole>()),
        novelty: vec![
            none("Niet vermeld"),
            Choice::new("1", "Nieuw"),
            Choice::new("0", "Doorontwikkeling"),
        ],
        phases: Choice::none_then("Niet vermeld", Choice::all::<Phase>()),
        sources,
        stages: Choice::none_then("Fase niet wijzigen", Choice::all::<Stage>()),
        organisations,
        framework,
        funding,
        work_areas,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "plans/edit.html")]
pub struct EditPage {
    pub nav: &'static str,
    /// `None` for a new plan.
    pub plan_id: Option<String>,
    pub title: String,
    pub current_stage: String,
    pub form: PlanForm,
    pub choices: PlanChoices,
    pub errors: FormErrors,
    pub is_admin: bool,
    pub archived: bool,
    /// The plan's fields whose value is an aanname: (label, reason).
    pub assumptions: Vec<(&'static str, String)>,
}

impl EditPage {
    /// The organisations with the chosen ones first, in their order (the document's), then
    /// the others: a form sent back unchanged keeps the order of trekkers and betrokkenen.
    pub fn chosen_first(&self, chosen: &[String]) -> Vec<Choice> {
        let options = &self.choices.organisations;
        chosen
            .iter()
            .filter_map(|c| options.iter().find(|o| &o.value == c))
            .chain(options.iter().filter(|o| !chosen.contains(&o.value)))
            .cloned()
            .collect()
    }
}

/// Leads of a plan and its name, for the permission check.
pub(crate) async fn plan_guard(state: &AppState, id: &str) -> Result<StoredPlan, WebError> {
    state.store.stored_plan(id).await?.ok_or_else(|| {
        WebError::NotFound(format!(
            "Er is geen plan met de id \"{id}\". Zoek het plan in de lijst van plannen."
        ))
    })
}

async fn new_form(State(state): State<AppState>, viewer: Viewer) -> Result<EditPage, WebError> {
    viewer.require_admin("plannen aanmaken")?;
    let catalog = Catalog::load(&state.store).await?;
    let form = PlanForm {
        kind: PlanKind::ALL[0].code().to_owned(),
        stage: Stage::Planning.code().to_owned(),
        stage_date: jiff::Zoned::now().date().to_string(),
        ..PlanForm::default()
    };
    Ok(EditPage {
        nav: "plannen",
        plan_id: None,
        title: "Nieuw plan".into(),
        current_stage: String::new(),
        form,
        choices: plan_choices(&state, &catalog, "").await?,
        errors: FormErrors::new(),
        is_admin: true,
        archived: false,
        assumptions: Vec::new(),
    })
}

async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<EditPage, WebError> {
    let stored = plan_guard(&state, &id).await?;
    viewer.require_plan_editor(&stored.fields.name, &stored.fields.leads)?;
    let catalog = Catalog::load(&state.store).await?;
    Ok(EditPage {
        nav: "plannen",
        title: format!("{} bewerken", stored.fields.name),
        current_stage: stored.stage.map_or("Onbekend", |s| s.label()).to_owned(),
        form: PlanForm::from_stored(&id, &stored),
        choices: plan_choices(&state, &catalog, &id).await?,
        errors: FormErrors::new(),
        is_admin: viewer.is_admin(),
        archived: stored.archived,
        assumptions: state.store.assumption_lines::<PlanField>(&id).await?,
        plan_id: Some(id),
    })
}

/// Turns the posted form into a plan, or says per field what to fix.
pub(crate) async fn validate(
    state: &AppState,
    catalog: &Catalog,
    form: &PlanForm,
) -> Result<(PlanFields, Option<StageChange>, Reason), FormErrors> {
    let mut errors = FormErrors::new();
    let name = optional(&form.name);
    match &name {
        None => errors.add("name", "Naam: vul de naam van het plan in."),
        Some(n) if n.chars().count() > 200 => errors.add(
            "name",
            format!(
                "Naam: de naam is {} tekens; maak hem korter dan 200 tekens.",
                n.chars().count()
            ),
        ),
        _ => {}
    }
    let kind = errors.check("kind", "Soort", PlanKind::parse(&form.kind));
    let area = match catalog.area(form.area.trim()) {
        Some(a) if a.kind != "wijk" => Some(a.id.clone()),
        _ => {
            errors.add(
                "area",
                "Gebied: kies de regio, een subregio of een gemeente uit de lijst.",
            );
            None
        }
    };
    let parent = optional(&form.parent);
    if parent.as_ref().is_some_and(|p| *p == form.id) {
        errors.add(
            "parent",
            "Valt onder: een plan kan niet onder zichzelf vallen.",
        );
    }
    let network_role = optional(&form.network_role).and_then(|v| {
        errors.check(
            "network_role",
            "Rol van het netwerk",
            NetworkRole::parse(&v),
        )
    });
    let phase = optional(&form.phase)
        .and_then(|v| errors.check("phase", "Overzicht plannen", Phase::parse(&v)));
    let is_new = match form.is_new.as_str() {
        "1" => Some(true),
        "0" => Some(false),
        "" => None,
        _ => {
            errors.add(
                "is_new",
                "Nieuw of doorontwikkeling: kies een van de mogelijkheden.",
            );
            None
        }
    };
    let source = optional(&form.source);
    if source.as_ref().is_some_and(|s| !catalog.has_source(s)) {
        errors.add("source", "Bron: kies een bron uit de lijst.");
    }
    let organisations = state.store.organisations().await.map_err(|_| {
        let mut e = FormErrors::new();
        e.add(
            "leads",
            "De lijst van organisaties kon niet worden gelezen; probeer het opnieuw.",
        );
        e
    })?;
    for (field, label, list) in [
        ("leads", "Trekkers", &form.leads),
        ("parties", "Betrokken partijen", &form.parties),
    ] {
        if let Some(bad) = list
            .iter()
            .find(|o| !organisations.iter().any(|x| &&x.id == o))
        {
            errors.add(
                field,
                format!("{label}: \"{bad}\" is geen bekende organisatie; kies uit de lijst."),
            );
        }
    }
    if let Some(bad) = form.framework.iter().find(|i| catalog.item(i).is_none()) {
        errors.add(
            "framework",
            format!(
                "Plaats in het regioplan: \"{bad}\" staat niet in het kader; kies uit de lijst."
            ),
        );
    }
    if let Some(bad) = form
        .work_areas
        .iter()
        .find(|a| catalog.area(a).is_none_or(|a| a.kind == "wijk"))
    {
        errors.add(
            "work_areas",
            format!(
                "Werkgebied: \"{bad}\" is geen regio, subregio of gemeente; kies uit de lijst."
            ),
        );
    }
    let funding_sources = state.store.funding_sources().await.unwrap_or_default();
    if let Some(bad) = form
        .funding
        .iter()
        .find(|f| !funding_sources.iter().any(|x| &&x.id == f))
    {
        errors.add(
            "funding",
            format!("Financieringsbronnen: \"{bad}\" is geen bekende bron; kies uit de lijst."),
        );
    }
    let mut links = Vec::new();
    for (i, line) in form.links.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match line.rsplit_once('|') {
            Some((title, url))
                if !title.trim().is_empty()
                    && (url.trim().starts_with("https://")
                        || url.trim().starts_with("http://")) =>
            {
                links.push((title.trim().to_owned(), url.trim().to_owned()));
            }
            _ => {
                errors.add(
                    "links",
                    format!("Links: regel {} is niet goed; schrijf per regel een titel, een streep en het adres, bijvoorbeeld: Projectpagina | https://voorbeeld.nl", i + 1),
                );
                break;
            }
        }
    }
    let stage_change = match optional(&form.stage) {
        None => None,
        Some(code) => {
            let stage = errors.check("stage", "Nieuwe fase", Stage::parse(&code));
            let date = errors.check(
                "stage_date",
                "Datum van de fase",
                FactDate::parse(&form.stage_date),
            );
            let source = match (
                optional(&form.stage_source),
                optional(&form.stage_source_new),
            ) {
                (Some(_), Some(_)) => {
                    errors.add(
                        "stage_source_new",
                        "Nieuwe bron: kies een bestaande bron óf typ een nieuwe, niet allebei.",
                    );
                    None
                }
                (Some(id), None) => {
                    if !catalog.has_source(&id) {
                        errors.add(
                            "stage_source",
                            "Bron van de fase: kies een bron uit de lijst.",
                        );
                    }
                    Some(SourceRef::Existing(id))
                }
                (None, Some(title)) => Some(SourceRef::New(title)),
                (None, None) => None,
            };
            match (stage, date) {
                (Some(stage), Some(date)) => Some(StageChange {
                    stage,
                    date,
                    source,
                    note: optional(&form.stage_note),
                }),
                _ => None,
            }
        }
    };
    let (Some(name), Some(kind), Some(area_id), true) = (name, kind, area, errors.is_empty())
    else {
        return Err(errors);
    };
    Ok((
        PlanFields {
            name,
            kind,
            parent_id: parent,
            area_id,
            texts: form.texts(),
            network_role,
            is_new,
            phase,
            source_id: source,
            internal_note: optional(&form.internal_note),
            leads: form.leads.clone(),
            parties: form.parties.clone(),
            framework: form.framework.clone(),
            funding: form.funding.clone(),
            links,
            work_areas: form.work_areas.iter().fold(Vec::new(), |mut all, a| {
                if !all.contains(a) {
                    all.push(a.clone());
                }
                all
            }),
        },
        stage_change,
        Reason {
            comment: optional(&form.comment),
            source: None,
        },
    ))
}

/// A refusal from the store that names a field ("Gebied: ...") goes back into the form.
/// The plan form's input for a field of a plan.
pub(crate) fn plan_input(field: PlanField) -> &'static str {
    match field {
        PlanField::Record => "name",
        other => other.code(),
    }
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin("plannen aanmaken")?;
    let form: PlanForm = parse_form(&body);
    let catalog = Catalog::load(&state.store).await?;
    let mut errors = FormErrors::new();
    let id = match optional(&form.id) {
        Some(id) => errors.check("id", "Id", Slug::parse(&id)),
        None => optional(&form.name).and_then(|n| Slug::from_name(&n)),
    };
    let result = validate(&state, &catalog, &form).await;
    let outcome = match (result, id, errors.is_empty()) {
        (Ok((fields, stage, reason)), Some(id), true) => {
            let saved = state
                .store
                .create_plan(&viewer.actor(), &reason, &id, &fields, stage.as_ref())
                .await;
            match settle_at(saved, plan_input, "name")? {
                Ok(()) => return Ok(flash::redirect(&format!("/plannen/{id}"), Notice::Created)),
                Err(not_saved) => not_saved.for_new_record(),
            }
        }
        (Err(e), _, _) => {
            for fe in e.iter() {
                errors.add(&fe.field, fe.message.clone());
            }
            errors
        }
        (Ok(_), None, _) if errors.is_empty() => {
            errors.add(
                "id",
                "Id: vul een id in (kleine letters, cijfers en streepjes).",
            );
            errors
        }
        _ => errors,
    };
    let page = EditPage {
        nav: "plannen",
        plan_id: None,
        title: "Nieuw plan".into(),
        current_stage: String::new(),
        choices: plan_choices(&state, &catalog, "").await?,
        form,
        errors: outcome,
        is_admin: true,
        archived: false,
        assumptions: Vec::new(),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "plans/conflict.html")]
pub struct ConflictPage {
    pub nav: &'static str,
    pub plan_id: String,
    pub plan_name: String,
    pub your_version: String,
    pub stored_version: i64,
    pub last_change: Option<String>,
    pub lines: Vec<ConflictLine>,
    /// The user's form, to send again on purpose over the newer version.
    pub hidden: Vec<(String, String)>,
}

/// A list that is a set, in one order, to compare.
fn sorted(list: &[String]) -> Vec<String> {
    let mut list = list.to_vec();
    list.sort();
    list.dedup();
    list
}

fn form_lines(form: &PlanForm, stored: &PlanForm) -> Vec<ConflictLine> {
    let join = |v: &[String]| v.join(", ");
    let (form_texts, stored_texts) = (form.texts(), stored.texts());
    let mut pairs: Vec<(PlanField, String, String)> = vec![
        (PlanField::Name, form.name.clone(), stored.name.clone()),
        (PlanField::Kind, form.kind.clone(), stored.kind.clone()),
        (
            PlanField::Parent,
            form.parent.clone(),
            stored.parent.clone(),
        ),
        (PlanField::Area, form.area.clone(), stored.area.clone()),
        (
            PlanField::WorkAreas,
            join(&sorted(&form.work_areas)),
            join(&sorted(&stored.work_areas)),
        ),
    ];
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    pairs.extend(
        form_texts
            .entries()
            .into_iter()
            .zip(stored_texts.entries())
            .map(|((field, yours), (_, theirs))| (field, text(yours), text(theirs))),
    );
    pairs.extend([
        (
            PlanField::NetworkRole,
            form.network_role.clone(),
            stored.network_role.clone(),
        ),
        (PlanField::IsNew, form.is_new.clone(), stored.is_new.clone()),
        (PlanField::Phase, form.phase.clone(), stored.phase.clone()),
        (
            PlanField::Source,
            form.source.clone(),
            stored.source.clone(),
        ),
        (
            PlanField::InternalNote,
            form.internal_note.clone(),
            stored.internal_note.clone(),
        ),
        (PlanField::Leads, join(&form.leads), join(&stored.leads)),
        (
            PlanField::Parties,
            join(&form.parties),
            join(&stored.parties),
        ),
        (
            PlanField::Framework,
            join(&form.framework),
            join(&stored.framework),
        ),
        (
            PlanField::Funding,
            join(&form.funding),
            join(&stored.funding),
        ),
        (PlanField::Links, form.links.clone(), stored.links.clone()),
    ]);
    pairs
        .into_iter()
        .map(|(field, yours, stored)| ConflictLine {
            differs: yours.trim().replace("\r\n", "\n") != stored.trim(),
            label: field.label(),
            yours,
            stored,
        })
        .collect()
}

async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let stored = plan_guard(&state, &id).await?;
    viewer.require_plan_editor(&stored.fields.name, &stored.fields.leads)?;
    let mut form: PlanForm = parse_form(&body);
    form.id = id.clone();
    let catalog = Catalog::load(&state.store).await?;
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    let mut errors = match validate(&state, &catalog, &form).await {
        Ok((fields, stage, reason)) => {
            let saved = state
                .store
                .update_plan(
                    &viewer.actor(),
                    &reason,
                    &id,
                    version,
                    &fields,
                    stage.as_ref(),
                )
                .await;
            match settle_at(saved, plan_input, "name")? {
                Ok(_) => {
                    return Ok(flash::redirect(
                        &format!("/plannen/{id}#historie"),
                        Notice::Saved,
                    ));
                }
                Err(NotSaved {
                    newer_version: Some(current_version),
                    ..
                }) => {
                    let now = plan_guard(&state, &id).await?;
                    let hidden = url::form_urlencoded::parse(&body)
                        .filter(|(k, _)| k != "version" && k != "csrf")
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect();
                    let page = ConflictPage {
                        nav: "plannen",
                        plan_id: id.clone(),
                        plan_name: now.fields.name.clone(),
                        your_version: form.version.clone(),
                        stored_version: current_version,
                        last_change: last_change(&state, AuditScope::Plan(&id), "plan", &id)
                            .await?,
                        lines: form_lines(&form, &PlanForm::from_stored(&id, &now)),
                        hidden,
                    };
                    return Ok((StatusCode::CONFLICT, page).into_response());
                }
                Err(not_saved) => not_saved.errors,
            }
        }
        Err(errors) => errors,
    };
    if errors.is_empty() {
        errors.add("name", "Het plan kon niet worden opgeslagen.");
    }
    let page = EditPage {
        nav: "plannen",
        title: format!("{} bewerken", stored.fields.name),
        current_stage: stored.stage.map_or("Onbekend", |s| s.label()).to_owned(),
        choices: plan_choices(&state, &catalog, &id).await?,
        form,
        errors,
        is_admin: viewer.is_admin(),
        archived: stored.archived,
        assumptions: state.store.assumption_lines::<PlanField>(&id).await?,
        plan_id: Some(id),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ArchiveForm {
    version: String,
    archived: String,
    comment: String,
}

async fn archive(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin("plannen archiveren")?;
    let form: ArchiveForm = parse_form(&body);
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    let reason = Reason {
        comment: optional(&form.comment),
        source: None,
    };
    state
        .store
        .set_plan_archived(&viewer.actor(), &reason, &id, version, form.archived == "1")
        .await?;
    Ok(flash::redirect(&format!("/plannen/{id}"), Notice::Saved))
}
