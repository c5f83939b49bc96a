//! Entering measurements: one value in a form (new or a change, with its version), or many
//! from a CSV file with a preview that lists every problem by line and column before anything
//! is stored; storing is all or nothing.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::model::{NewObservation, ObservationField};
use crate::domain::{IndicatorStatus, Period, format_number_nl, parse_number};
use crate::features::indicators::model::IndicatorRow;
use crate::features::indicators::require_kpi_editor;
use crate::import::observations::{self, Report, RowProblem};
use crate::store::{Reason, RecordField, StoreError};
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::forms::{Choice, FormErrors, optional, parse_form, settle_at};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::Catalog;

pub fn routes() -> Routes {
    Routes::new()
        .get("/indicatoren/{id}/metingen/nieuw", form)
        .post("/indicatoren/{id}/metingen", save)
        .get("/metingen/importeren", import_form)
        .post("/metingen/importeren", import_preview)
        .post("/metingen/importeren/bevestigen", import_confirm)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ObservationForm {
    pub version: String,
    pub area: String,
    pub period: String,
    pub value: String,
    pub status: String,
    pub source: String,
    pub note: String,
    pub comment: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "indicators/observation.html")]
pub struct FormPage {
    pub nav: &'static str,
    pub ind: IndicatorRow,
    pub form: ObservationForm,
    pub errors: FormErrors,
    pub areas: Vec<Choice>,
    pub statuses: Vec<Choice>,
    /// Editing a stored value (its version is in the form).
    pub editing: bool,
    pub conflict: bool,
}

async fn page(
    state: &AppState,
    ind: IndicatorRow,
    form: ObservationForm,
) -> Result<FormPage, WebError> {
    let catalog = Catalog::load(&state.store).await?;
    let areas = crate::features::indicators::level_choices(&catalog, &ind);
    let statuses = Choice::none_then(
        "Nog niet beoordeeld",
        IndicatorStatus::JUDGED
            .iter()
            .map(|s| Choice::new(s.code(), s.label())),
    );
    Ok(FormPage {
        nav: "indicatoren",
        editing: form.version.trim() != "0" && !form.version.trim().is_empty(),
        ind,
        form,
        errors: FormErrors::new(),
        areas,
        statuses,
        conflict: false,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct FormQuery {
    #[serde(default)]
    pub gebied: String,
    #[serde(default)]
    pub periode: String,
}

/// The form for a new value, or for the stored one at `?gebied=..&periode=..`.
async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<FormQuery>,
) -> Result<FormPage, WebError> {
    let ind = crate::features::indicators::indicator_or_404(&state, &id).await?;
    require_kpi_editor(&state, &viewer, &ind).await?;
    let stored = match Period::parse(&q.periode) {
        Ok(p) if !q.gebied.is_empty() => state.store.observation_at(&ind.id, &q.gebied, p).await?,
        _ => None,
    };
    let form = match stored {
        Some(o) => ObservationForm {
            version: o.version.to_string(),
            area: o.area_id.clone(),
            period: o.period.clone(),
            value: o
                .value
                .map(format_number_nl)
                .or(o.narrative.clone())
                .unwrap_or_default(),
            status: o.judged_status.clone().unwrap_or_default(),
            source: o.source.clone().unwrap_or_default(),
            note: o.note.clone().unwrap_or_default(),
            comment: String::new(),
        },
        None => ObservationForm {
            version: "0".into(),
            area: q.gebied,
            period: q.periode,
            source: ind.data_source.clone().unwrap_or_default(),
            ..ObservationForm::default()
        },
    };
    page(&state, ind, form).await
}

fn validate(
    ind: &IndicatorRow,
    catalog: &Catalog,
    form: &ObservationForm,
) -> Result<(NewObservation, Reason), FormErrors> {
    let mut errors = FormErrors::new();
    let fit = ind.fit();
    let area = optional(&form.area);
    match area.as_deref().map(|a| catalog.area(a)) {
        None => errors.add("area", "Gebied: kies het gebied waar de meting over gaat."),
        Some(Some(a)) => {
            errors.check("area", "Gebied", fit.area(&a.name, &a.kind));
        }
        // The store names an area it does not know.
        Some(None) => {}
    }
    let period = match Period::parse(&form.period) {
        Ok(p) => errors.check("period", "Periode", fit.period(p).map(|()| p)),
        Err(e) => {
            errors.add("period", format!("Periode: {e}."));
            None
        }
    };
    let (value, narrative) = if ind.is_narrative() {
        match optional(&form.value) {
            None => {
                errors.add(
                    "value",
                    "Beschrijving: schrijf wat er is opgehaald, bijvoorbeeld uit gesprekken met inwoners.",
                );
                (None, None)
            }
            Some(t) => (None, Some(t)),
        }
    } else {
        match optional(&form.value) {
            None => {
                errors.add(
                    "value",
                    "Waarde: vul de gemeten waarde in, een getal zoals 12,5.",
                );
                (None, None)
            }
            Some(v) => (errors.check("value", "Waarde", parse_number(&v)), None),
        }
    };
    let judged_status = match optional(&form.status) {
        Some(s) if ind.is_narrative() => {
            errors.check("status", "Beoordeling", IndicatorStatus::parse(&s))
        }
        _ => None,
    };
    match (area, period, errors.is_empty()) {
        (Some(area_id), Some(period), true) => Ok((
            NewObservation {
                indicator_id: ind.id.clone(),
                area_id,
                period,
                value,
                narrative,
                judged_status,
                source: optional(&form.source),
                note: optional(&form.note),
                is_example: false,
            },
            Reason {
                comment: optional(&form.comment),
                source: optional(&form.source),
            },
        )),
        _ => Err(errors),
    }
}

async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let ind = crate::features::indicators::indicator_or_404(&state, &id).await?;
    require_kpi_editor(&state, &viewer, &ind).await?;
    let form: ObservationForm = parse_form(&body);
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    let catalog = Catalog::load(&state.store).await?;
    let not_saved = match validate(&ind, &catalog, &form) {
        Ok((obs, reason)) => {
            let saved = state
                .store
                .save_observation(&viewer.actor(), &reason, &obs, version)
                .await;
            match settle_at(saved, ObservationField::code, "area")? {
                Ok(_) => {
                    return Ok(Redirect::to(&format!(
                        "/indicatoren/{}?gebied={}#reeks",
                        ind.id, obs.area_id
                    ))
                    .into_response());
                }
                // A new measurement for a period that has one already.
                Err(mut not_saved) if version == 0 && not_saved.newer_version.is_some() => {
                    not_saved.newer_version = None;
                    not_saved.errors.add(
                        "period",
                        format!(
                            "Periode: voor dit gebied is er al een meting over {}; open die meting via de tabel op de pagina van de KPI en wijzig haar daar, of kies een andere periode.",
                            obs.period.label_nl()
                        ),
                    );
                    not_saved
                }
                Err(not_saved) => not_saved,
            }
        }
        Err(errors) => errors.into(),
    };
    let status = not_saved.status();
    let mut p = page(&state, ind, form).await?;
    p.conflict = not_saved.newer_version.is_some();
    p.errors = not_saved.errors;
    Ok((status, p).into_response())
}

// --- CSV import ---

/// Per KPI: what the import would store.
pub struct PreviewLine {
    pub indicator: String,
    pub count: usize,
    pub span: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "indicators/import.html")]
pub struct ImportPage {
    pub nav: &'static str,
    /// The file's name and content, carried to the confirmation.
    pub name: String,
    pub content: String,
    pub checked: bool,
    pub rows: usize,
    pub problems: Vec<RowProblem>,
    pub more_problems: usize,
    pub preview: Vec<PreviewLine>,
    pub stored: Option<usize>,
}

impl ImportPage {
    fn empty() -> Self {
        Self {
            nav: "indicatoren",
            name: String::new(),
            content: String::new(),
            checked: false,
            rows: 0,
            problems: Vec::new(),
            more_problems: 0,
            preview: Vec::new(),
            stored: None,
        }
    }
}

async fn import_form(viewer: Viewer) -> Result<ImportPage, WebError> {
    viewer.require_user()?;
    Ok(ImportPage::empty())
}

/// Checks the file against the store for this account; returns the report and the rows.
async fn check_file(
    state: &AppState,
    viewer: &Viewer,
    content: &str,
) -> Result<(Report, Vec<NewObservation>, observations::Context), WebError> {
    let user = viewer.require_user()?;
    let indicators = state.store.indicators().await?;
    let areas = state.store.areas().await?;
    let mut allowed = std::collections::HashSet::new();
    for ind in &indicators {
        if user.may_enter_for_kpi(&state.store.indicator_editors(&ind.id).await?) {
            allowed.insert(ind.id.clone());
        }
    }
    let mut cx = observations::Context::new(&indicators, &areas, |i| allowed.contains(&i.id));
    for id in observations::named_indicators(content.as_bytes(), content.as_bytes(), &cx) {
        cx.add_existing(&id, &state.store.observation_keys(&id).await?);
    }
    let mut rows = Vec::new();
    let report = observations::check(content.as_bytes(), content.as_bytes(), &cx, |o| {
        rows.push(o);
    });
    Ok((report, rows, cx))
}

fn preview_lines(report: &Report, cx: &observations::Context) -> Vec<PreviewLine> {
    report
        .per_indicator
        .iter()
        .map(|(id, count, first, last)| PreviewLine {
            indicator: cx.indicator_name(id),
            count: *count,
            span: if first == last {
                first.label_nl()
            } else {
                format!("{} tot en met {}", first.label_nl(), last.label_nl())
            },
        })
        .collect()
}

/// The upload (multipart, with the CSRF token in the address): check and show the preview.
async fn import_preview(
    State(state): State<AppState>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    viewer.require_user()?;
    let mut name = String::new();
    let mut content = String::new();
    let mut pasted = String::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return Err(WebError::BadRequest(
                    "Het bestand kon niet worden ontvangen. Is het groter dan 2 MB, lees het dan in met de opdrachtregel: regiomonitor import observations BESTAND.".into(),
                ));
            }
        };
        let field_name = field.name().unwrap_or_default().to_owned();
        if field_name == "bestand" {
            name = field.file_name().unwrap_or_default().to_owned();
        }
        let bytes = field.bytes().await.map_err(|_| {
            WebError::BadRequest(
                "Het bestand kon niet worden ontvangen. Is het groter dan 2 MB, lees het dan in met de opdrachtregel: regiomonitor import observations BESTAND.".into(),
            )
        })?;
        let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
            WebError::BadRequest(
                "Het bestand is geen UTF-8-tekst. Sla het op als \"CSV UTF-8\" en probeer het opnieuw.".into(),
            )
        })?;
        match field_name.as_str() {
            "bestand" => content = text,
            "inhoud" => pasted = text,
            _ => {}
        }
    }
    if content.trim().is_empty() {
        content = pasted;
        if name.is_empty() {
            name = "geplakte regels".into();
        }
    }
    if content.trim().is_empty() {
        let mut page = ImportPage::empty();
        page.checked = true;
        page.problems.push(RowProblem {
            line: 1,
            column: None,
            message: "Kies een CSV-bestand of plak de regels in het tekstvak.".into(),
        });
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let (report, _, cx) = check_file(&state, &viewer, &content).await?;
    let status = if report.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ImportPage {
        preview: preview_lines(&report, &cx),
        checked: true,
        rows: report.rows,
        problems: report.problems,
        more_problems: report.more_problems,
        name,
        content,
        ..ImportPage::empty()
    };
    Ok((status, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    pub name: String,
    pub content: String,
}

/// Stores the checked file: checked again (the store may have changed), then all or nothing.
async fn import_confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_user()?;
    let form: ConfirmForm = parse_form(&body);
    let (report, rows, cx) = check_file(&state, &viewer, &form.content).await?;
    if !report.is_ok() {
        let page = ImportPage {
            preview: preview_lines(&report, &cx),
            checked: true,
            rows: report.rows,
            problems: report.problems,
            more_problems: report.more_problems,
            name: form.name,
            content: form.content,
            ..ImportPage::empty()
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let label = if form.name.is_empty() {
        "een CSV-bestand".to_owned()
    } else {
        form.name.clone()
    };
    match state
        .store
        .import_observations(&viewer.actor(), &label, rows, |_| {})
        .await
    {
        Ok(n) => {
            let page = ImportPage {
                preview: preview_lines(&report, &cx),
                checked: true,
                rows: report.rows,
                stored: Some(n),
                name: form.name,
                ..ImportPage::empty()
            };
            Ok(page.into_response())
        }
        Err(StoreError::Refused(m)) => {
            let page = ImportPage {
                checked: true,
                problems: vec![RowProblem {
                    line: 1,
                    column: None,
                    message: m.into_message(),
                }],
                name: form.name,
                content: form.content,
                ..ImportPage::empty()
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
