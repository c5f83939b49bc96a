//! Entering measurements: one value in a form (new or a change, with its version), or many
//! from a CSV file with a preview that lists every problem by line and column before anything
//! is stored; storing is all or nothing.

use std::fs::File;
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::model::{NewObservation, ObservationField};
use crate::domain::{IndicatorStatus, Period, format_number_nl, parse_number};
use crate::features::indicators::model::IndicatorRow;
use crate::features::indicators::require_kpi_editor;
use crate::import::observations::{self, Report, RowProblem};
use crate::store::{Reason, RecordField, StoreError};
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::flash::{self, Notice};
use crate::web::forms::{Choice, FormErrors, optional, parse_form, settle_at};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::uploads::{Owner, ReceiveError};
use crate::web::view::Catalog;

pub fn routes() -> Routes {
    Routes::new()
        .get("/indicatoren/{id}/metingen/nieuw", form)
        .post("/indicatoren/{id}/metingen", save)
        .get("/metingen/importeren", import_form)
        .post_upload("/metingen/importeren", import_preview)
        .post("/metingen/importeren/bevestigen", import_confirm)
        .post("/metingen/importeren/annuleren", import_cancel)
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
                    return Ok(flash::redirect(
                        &format!("/indicatoren/{}?gebied={}#reeks", ind.id, obs.area_id),
                        Notice::Saved,
                    ));
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
    /// The file's name, as the browser gave it.
    pub name: String,
    /// The one-time id of the checked upload the server keeps for the confirmation.
    pub upload: String,
    pub checked: bool,
    pub rows: usize,
    pub problems: Vec<RowProblem>,
    pub more_problems: usize,
    pub preview: Vec<PreviewLine>,
    pub stored: Option<usize>,
    /// Something about the file as a whole (too large, no longer kept, cancelled).
    pub notice: Option<String>,
    /// The upload limit in MB and how many minutes a checked upload is kept.
    pub limit_mb: u64,
    pub keep_minutes: u64,
}

impl ImportPage {
    fn empty(state: &AppState) -> Self {
        Self {
            nav: "indicatoren",
            name: String::new(),
            upload: String::new(),
            checked: false,
            rows: 0,
            problems: Vec::new(),
            more_problems: 0,
            preview: Vec::new(),
            stored: None,
            notice: None,
            limit_mb: state.uploads.limit_mb(),
            keep_minutes: state.uploads.keep_minutes(),
        }
    }

    fn with_notice(state: &AppState, notice: String) -> Self {
        Self {
            notice: Some(notice),
            ..Self::empty(state)
        }
    }

    /// The outcome of a check: the preview, or the problems by line.
    fn checked(state: &AppState, name: String, report: Report, cx: &observations::Context) -> Self {
        Self {
            preview: preview_lines(&report, cx),
            checked: true,
            rows: report.rows,
            problems: report.problems,
            more_problems: report.more_problems,
            name,
            ..Self::empty(state)
        }
    }
}

async fn import_form(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<ImportPage, WebError> {
    viewer.require_user()?;
    state.uploads.sweep();
    Ok(ImportPage::empty(&state))
}

/// The sender of an upload: the signed-in account and its session (or token).
fn owner(viewer: &Viewer) -> Result<Owner, WebError> {
    viewer.require_user()?;
    Owner::of(viewer).ok_or_else(|| WebError::Unauthorized("Log in om dit te doen.".into()))
}

/// Checks a file on disk against the store for this account: a first read finds the KPI's
/// it names (whose stored values are looked up), a second checks every line. Both run off
/// the async threads; nothing of the file is held in memory.
async fn check_upload(
    state: &AppState,
    viewer: &Viewer,
    path: &std::path::Path,
) -> Result<(Report, Arc<observations::Context>, Vec<u8>), WebError> {
    let user = viewer.require_user()?;
    let indicators = state.store.indicators().await?;
    let areas = state.store.areas().await?;
    let mut allowed = std::collections::HashSet::new();
    for ind in &indicators {
        if user.may_enter_for_kpi(&state.store.indicator_editors(&ind.id).await?) {
            allowed.insert(ind.id.clone());
        }
    }
    let cx = observations::Context::new(&indicators, &areas, |i| allowed.contains(&i.id));
    let head = File::open(path)
        .and_then(observations::file_head)
        .map_err(anyhow::Error::from)?;
    let (file, named_head) = (path.to_owned(), head.clone());
    let (named, mut cx) = tokio::task::spawn_blocking(move || {
        let input = std::io::BufReader::with_capacity(1 << 16, File::open(&file)?);
        let named = observations::named_indicators(input, &named_head, &cx);
        Ok::<_, std::io::Error>((named, cx))
    })
    .await
    .map_err(anyhow::Error::from)?
    .map_err(anyhow::Error::from)?;
    for id in &named {
        cx.add_existing(id, &state.store.observation_keys(id).await?);
    }
    let cx = Arc::new(cx);
    let (file, check_head, check_cx) = (path.to_owned(), head.clone(), Arc::clone(&cx));
    let report = tokio::task::spawn_blocking(move || {
        let input = std::io::BufReader::with_capacity(1 << 16, File::open(&file)?);
        Ok::<_, std::io::Error>(observations::check(input, &check_head, &check_cx, |_| {}))
    })
    .await
    .map_err(anyhow::Error::from)?
    .map_err(anyhow::Error::from)?;
    Ok((report, cx, head))
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

/// The upload (multipart, the CSRF token as its first part): streamed to disk, checked, and
/// when it passes kept for the confirmation under a one-time id.
async fn import_preview(
    State(state): State<AppState>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let owner = owner(&viewer)?;
    let limit = state.uploads.limit_mb();
    let received = match state
        .uploads
        .receive(&mut multipart, &["bestand", "inhoud"])
        .await
    {
        Ok(r) => r,
        Err(ReceiveError::TooLarge) => {
            let page = ImportPage::with_notice(
                &state,
                format!(
                    "Het bestand is groter dan {limit} MB, de grens voor inlezen via de website; er is niets ontvangen of opgeslagen. Splits het bestand in delen van minder dan {limit} MB en lees die na elkaar in, of lees het in met de opdrachtregel: regiomonitor import observations BESTAND. De beheerder kan de grens verhogen met --max-upload-mb."
                ),
            );
            return Ok((StatusCode::PAYLOAD_TOO_LARGE, page).into_response());
        }
        Err(ReceiveError::NotUtf8) => {
            let page = ImportPage::with_notice(
                &state,
                "Het bestand is geen UTF-8-tekst. Sla het op als \"CSV UTF-8\" en probeer het opnieuw.".into(),
            );
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(ReceiveError::Broken) => {
            return Err(WebError::BadRequest(
                "Het bestand kon niet worden ontvangen: de verbinding brak af of het formulier was onvolledig. Probeer het opnieuw.".into(),
            ));
        }
        Err(ReceiveError::Io(e)) => return Err(WebError::Internal(e.into())),
    };
    let mut file = None;
    let mut pasted = None;
    for r in received {
        match r.field.as_str() {
            "bestand" if !r.blank => file = Some(r),
            "inhoud" if !r.blank => pasted = Some(r),
            _ => {}
        }
    }
    let Some((name, path)) = file
        .map(|f| (f.file_name.unwrap_or_default(), f.path))
        .or_else(|| pasted.map(|p| ("geplakte regels".to_owned(), p.path)))
    else {
        let mut page = ImportPage::empty(&state);
        page.checked = true;
        page.problems.push(RowProblem {
            line: 1,
            column: None,
            message: "Kies een CSV-bestand of plak de regels in het tekstvak.".into(),
        });
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let (report, cx, _) = check_upload(&state, &viewer, &path).await?;
    if !report.is_ok() {
        let page = ImportPage::checked(&state, name, report, &cx);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut page = ImportPage::checked(&state, name.clone(), report, &cx);
    page.upload = state.uploads.keep(owner, name, path);
    Ok(page.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    /// The one-time id of the checked upload.
    pub upload: String,
}

/// What a confirmation of an upload no longer kept says.
fn no_longer_kept(state: &AppState) -> Response {
    let page = ImportPage::with_notice(
        state,
        format!(
            "Deze controle is al opgeslagen, geannuleerd of verlopen (een gecontroleerd bestand wordt {} minuten bewaard, alleen voor wie het koos); er is nu niets opgeslagen. Kijk bij de KPI of de metingen er al staan, of kies het bestand opnieuw.",
            state.uploads.keep_minutes()
        ),
    );
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

/// Stores a checked upload, once: checked again (the store may have changed), then all or
/// nothing. The file is removed afterwards, whatever the outcome.
async fn import_confirm(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, WebError> {
    let owner = owner(&viewer)?;
    let form: ConfirmForm = parse_form(&body);
    let Some(kept) = state.uploads.take(&form.upload, &owner) else {
        return Ok(no_longer_kept(&state));
    };
    let (report, cx, head) = check_upload(&state, &viewer, &kept.path).await?;
    if !report.is_ok() {
        let page = ImportPage::checked(&state, kept.name.clone(), report, &cx);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let label = if kept.name.is_empty() {
        "een CSV-bestand".to_owned()
    } else {
        kept.name.clone()
    };
    let input = std::io::BufReader::with_capacity(
        1 << 16,
        File::open(&kept.path).map_err(anyhow::Error::from)?,
    );
    let rows = observations::Checked::start(input, head, Arc::clone(&cx), report.clone());
    let stored = state
        .store
        .try_import_observations(&viewer.actor(), &label, rows, |_| {})
        .await;
    match stored {
        Ok(n) => {
            let mut page = ImportPage::checked(&state, kept.name.clone(), report, &cx);
            page.stored = Some(n);
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
                name: kept.name.clone(),
                ..ImportPage::empty(&state)
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Forgets a checked upload (its file is removed) without storing anything.
async fn import_cancel(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, WebError> {
    let owner = owner(&viewer)?;
    let form: ConfirmForm = parse_form(&body);
    let notice = match state.uploads.take(&form.upload, &owner) {
        Some(kept) => format!(
            "Geannuleerd: er is niets opgeslagen uit {}, en het bestand is weggegooid.",
            kept.name
        ),
        None => "Er was niets meer om te annuleren: deze controle is al opgeslagen, geannuleerd of verlopen.".into(),
    };
    Ok(ImportPage::with_notice(&state, notice).into_response())
}
