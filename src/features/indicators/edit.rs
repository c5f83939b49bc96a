//! A beheerder adds and edits KPI definitions: what is measured, from where to where, by
//! whom, how often and at which level. Versioned and in the KPI's history like every write.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::model::{IndicatorField, IndicatorFields, IndicatorRow};
use crate::domain::{
    AreaLevel, Direction, FrameworkKind, Frequency, IndicatorKind, Measure, Period, Slug,
    format_number_nl, parse_number,
};
use crate::features::organisations::pages::organisation_choices;
use crate::features::plans::model::PlanFilter;
use crate::store::Reason;
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::flash::{self, Notice};
use crate::web::forms::{Choice, FormErrors, missing_id, optional, parse_form, settle};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::Catalog;

pub fn routes() -> Routes {
    Routes::new()
        .get("/indicatoren/nieuw", new_form)
        .post("/indicatoren", create)
        .get("/indicatoren/{id}/bewerken", edit_form)
        .post("/indicatoren/{id}/bewerken", update)
}

const ADMIN_ONLY: &str = "KPI's toevoegen of wijzigen";

/// The form as posted; all text, so what was typed comes back.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DefinitionForm {
    pub version: String,
    pub id: String,
    pub name: String,
    pub description: String,
    pub kind: String,
    pub measure: String,
    pub unit: String,
    pub direction: String,
    #[serde(rename = "baseline")]
    pub baseline_value: String,
    pub baseline_period: String,
    #[serde(rename = "target")]
    pub target_value: String,
    pub target_period: String,
    pub target_text: String,
    /// One tussendoel per line: `2025-Q4: 13`.
    pub milestones: String,
    pub transformation: String,
    pub plans: Vec<String>,
    pub owner_organisation: String,
    pub owner_role: String,
    pub data_source: String,
    pub frequency: String,
    pub area_level: String,
    pub source: String,
    pub comment: String,
}

impl DefinitionForm {
    fn from_row(r: &IndicatorRow) -> Self {
        Self {
            version: r.version.to_string(),
            id: r.id.clone(),
            name: r.name.clone(),
            description: r.description.clone().unwrap_or_default(),
            kind: r.kind.clone(),
            measure: r.measure.clone(),
            unit: r.unit.clone().unwrap_or_default(),
            direction: r.direction.clone().unwrap_or_default(),
            baseline_value: r.baseline_value.map(format_number_nl).unwrap_or_default(),
            baseline_period: r.baseline_period.clone().unwrap_or_default(),
            target_value: r.target_value.map(format_number_nl).unwrap_or_default(),
            target_period: r.target_period.clone().unwrap_or_default(),
            target_text: r.target_text.clone().unwrap_or_default(),
            milestones: r
                .milestones
                .iter()
                .map(|m| format!("{}: {}", m.period, format_number_nl(m.value)))
                .collect::<Vec<_>>()
                .join("\n"),
            transformation: r.transformation_id.clone().unwrap_or_default(),
            plans: r.plans.clone(),
            owner_organisation: r.owner_organisation_id.clone().unwrap_or_default(),
            owner_role: r.owner_role.clone().unwrap_or_default(),
            data_source: r.data_source.clone().unwrap_or_default(),
            frequency: r.frequency.clone(),
            area_level: r.area_level.clone(),
            source: r.source_id.clone().unwrap_or_default(),
            comment: String::new(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "indicators/edit.html")]
pub struct EditPage {
    pub nav: &'static str,
    /// `None` for a new KPI.
    pub kpi_id: Option<String>,
    pub title: String,
    pub form: DefinitionForm,
    pub errors: FormErrors,
    pub kinds: Vec<Choice>,
    pub measures: Vec<Choice>,
    pub directions: Vec<Choice>,
    pub frequencies: Vec<Choice>,
    pub levels: Vec<Choice>,
    pub transformations: Vec<Choice>,
    pub plans: Vec<Choice>,
    pub organisations: Vec<Choice>,
    pub sources: Vec<Choice>,
    pub conflict: bool,
    /// The KPI's fields whose value is an aanname: (label, reason).
    pub assumptions: Vec<(&'static str, String)>,
}

async fn page(
    state: &AppState,
    kpi_id: Option<String>,
    title: String,
    form: DefinitionForm,
) -> Result<EditPage, WebError> {
    let catalog = Catalog::load(&state.store).await?;
    let directions = Choice::none_then("Geen (narratieve KPI)", Choice::all::<Direction>());
    let transformations = Choice::none_then(
        "Geen transformatie",
        catalog.items(FrameworkKind::Transformation).map(|t| {
            Choice::new(
                t.id.clone(),
                match t.number {
                    Some(n) => format!("{n}. {}", t.name),
                    None => t.name.clone(),
                },
            )
        }),
    );
    let plans = state
        .store
        .plans(&PlanFilter::default())
        .await?
        .into_iter()
        .map(|p| Choice::new(p.id, p.name))
        .collect();
    let organisations = organisation_choices(state, "Geen organisatie").await?;
    let sources = Choice::none_then(
        "Geen bron",
        catalog
            .source_list()
            .into_iter()
            .map(|s| Choice::new(s.id.clone(), s.title.clone())),
    );
    let assumptions = match &kpi_id {
        Some(id) => state.store.assumption_lines::<IndicatorField>(id).await?,
        None => Vec::new(),
    };
    Ok(EditPage {
        nav: "indicatoren",
        kpi_id,
        title,
        form,
        errors: FormErrors::new(),
        kinds: Choice::all::<IndicatorKind>(),
        measures: Choice::all::<Measure>(),
        directions,
        frequencies: Choice::all::<Frequency>(),
        levels: Choice::all::<AreaLevel>(),
        transformations,
        plans,
        organisations,
        sources,
        conflict: false,
        assumptions,
    })
}

/// A value with its period: both or neither.
fn pair(
    errors: &mut FormErrors,
    field: &str,
    label: &str,
    value: &str,
    period: &str,
) -> Option<(Period, f64)> {
    match (optional(value), optional(period)) {
        (None, None) => None,
        (Some(v), Some(p)) => {
            let v = errors.check(field, label, parse_number(&v));
            let p = errors.check(&format!("{field}_period"), label, Period::parse(&p));
            Some((p?, v?))
        }
        (Some(_), None) => {
            errors.add(
                &format!("{field}_period"),
                format!("{label}: noem ook de periode, bijvoorbeeld 2026."),
            );
            None
        }
        (None, Some(_)) => {
            errors.add(
                field,
                format!("{label}: er is een periode maar geen waarde; vul de waarde in of maak de periode leeg."),
            );
            None
        }
    }
}

fn validate(
    form: &DefinitionForm,
    creating: bool,
) -> Result<(Option<Slug>, IndicatorFields, Reason), FormErrors> {
    let mut errors = FormErrors::new();
    let name = crate::web::forms::required_name(
        &mut errors,
        &form.name,
        "vul de naam van de KPI in, bijvoorbeeld: Gemiddelde consultduur bij de huisarts.",
    );
    let id = if creating {
        crate::web::forms::new_id(&mut errors, &form.id, name.as_deref())
    } else {
        None
    };
    let kind = errors.check("kind", "Soort", IndicatorKind::parse(&form.kind));
    let measure = errors.check("measure", "Meetwijze", Measure::parse(&form.measure));
    let direction = match optional(&form.direction) {
        Some(d) => errors.check("direction", "Richting", Direction::parse(&d)),
        None => None,
    };
    let baseline = pair(
        &mut errors,
        "baseline",
        "Nulmeting",
        &form.baseline_value,
        &form.baseline_period,
    );
    let target = pair(
        &mut errors,
        "target",
        "Streefwaarde",
        &form.target_value,
        &form.target_period,
    );
    let mut milestones = Vec::new();
    for (i, line) in form.milestones.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parsed = line
            .split_once(':')
            .map(|(p, v)| (Period::parse(p), parse_number(v)));
        match parsed {
            Some((Ok(p), Ok(v))) => milestones.push((p, v)),
            // A period and a number that is out of range: say why.
            Some((Ok(_), Err(e))) if e.0.contains("bereik") => errors.add(
                "milestones",
                format!("Tussendoelen: regel {} (\"{line}\"): {e}", i + 1),
            ),
            _ => errors.add(
                "milestones",
                format!(
                    "Tussendoelen: regel {} (\"{line}\") is geen periode en waarde; schrijf bijvoorbeeld 2025-Q4: 13",
                    i + 1
                ),
            ),
        }
    }
    match measure {
        Some(Measure::Quantitative) if direction.is_none() => errors.add(
            "direction",
            "Richting: zeg bij een kwantitatieve KPI of hoger of lager beter is.",
        ),
        Some(Measure::Narrative)
            if direction.is_some()
                || baseline.is_some()
                || target.is_some()
                || !milestones.is_empty() =>
        {
            errors.add(
                "measure",
                "Meetwijze: een narratieve KPI heeft geen richting, nulmeting, streefwaarde of tussendoelen; beschrijf het doel bij Streefbeeld.",
            );
        }
        _ => {}
    }
    let frequency = errors.check("frequency", "Frequentie", Frequency::parse(&form.frequency));
    let area_level = errors.check("area_level", "Gemeten", AreaLevel::parse(&form.area_level));
    match (
        name,
        kind,
        measure,
        frequency,
        area_level,
        errors.is_empty(),
    ) {
        (Some(name), Some(kind), Some(measure), Some(frequency), Some(area_level), true) => Ok((
            id,
            IndicatorFields {
                name,
                description: optional(&form.description),
                kind,
                measure,
                unit: optional(&form.unit),
                direction,
                baseline,
                target,
                target_text: optional(&form.target_text),
                milestones,
                transformation_id: optional(&form.transformation),
                plans: form
                    .plans
                    .iter()
                    .filter(|p| !p.is_empty())
                    .cloned()
                    .collect(),
                owner_organisation_id: optional(&form.owner_organisation),
                owner_role: optional(&form.owner_role),
                data_source: optional(&form.data_source),
                frequency,
                area_level,
                source_id: optional(&form.source),
            },
            Reason {
                comment: optional(&form.comment),
                source: None,
            },
        )),
        _ => Err(errors),
    }
}

async fn new_form(State(state): State<AppState>, viewer: Viewer) -> Result<EditPage, WebError> {
    viewer.require_admin(ADMIN_ONLY)?;
    let form = DefinitionForm {
        kind: "resultaat".into(),
        measure: "kwantitatief".into(),
        direction: "hoger".into(),
        frequency: "kwartaal".into(),
        area_level: "gemeente".into(),
        ..DefinitionForm::default()
    };
    page(&state, None, "Nieuwe KPI".into(), form).await
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin(ADMIN_ONLY)?;
    let form: DefinitionForm = parse_form(&body);
    let outcome = match validate(&form, true) {
        Ok((Some(id), fields, reason)) => settle::<_, IndicatorField>(
            state
                .store
                .create_indicator(&viewer.actor(), &reason, id.as_str(), &fields)
                .await
                .map(|()| id),
        )?,
        Ok((None, ..)) => Err(missing_id().into()),
        Err(errors) => Err(errors.into()),
    };
    let not_saved = match outcome {
        Ok(id) => {
            return Ok(flash::redirect(
                &format!("/indicatoren/{id}"),
                Notice::Created,
            ));
        }
        Err(not_saved) => not_saved,
    };
    let mut p = page(&state, None, "Nieuwe KPI".into(), form).await?;
    p.errors = not_saved.for_new_record();
    Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
}

async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<EditPage, WebError> {
    viewer.require_admin(ADMIN_ONLY)?;
    let row = crate::features::indicators::indicator_or_404(&state, &id).await?;
    let title = format!("{} bewerken", row.name);
    page(&state, Some(id), title, DefinitionForm::from_row(&row)).await
}

async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin(ADMIN_ONLY)?;
    let row = crate::features::indicators::indicator_or_404(&state, &id).await?;
    let mut form: DefinitionForm = parse_form(&body);
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    let outcome = match validate(&form, false) {
        Ok((_, fields, reason)) => settle::<_, IndicatorField>(
            state
                .store
                .update_indicator(&viewer.actor(), &reason, &id, version, &fields)
                .await,
        )?,
        Err(errors) => Err(errors.into()),
    };
    let not_saved = match outcome {
        Ok(_) => {
            return Ok(flash::redirect(
                &format!("/indicatoren/{id}#historie"),
                Notice::Saved,
            ));
        }
        Err(not_saved) => not_saved,
    };
    if let Some(current) = not_saved.newer_version {
        form.version = current.to_string();
    }
    let status = not_saved.status();
    let title = format!("{} bewerken", row.name);
    let mut p = page(&state, Some(id), title, form).await?;
    p.conflict = not_saved.newer_version.is_some();
    p.errors = not_saved.errors;
    Ok((status, p).into_response())
}
