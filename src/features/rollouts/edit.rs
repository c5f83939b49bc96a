//! One cell of the matrix: the form for a plan's rollout in a gemeente, as a page or (with
//! htmx) in a row of its own under the plan's row in the matrix, its save with the conflict
//! and error states. The form keeps what the user typed and names every field's problem in
//! Dutch; the same form works without JavaScript.

use crate::domain::{FactDate, RolloutStatus};
use crate::features::plans::edit::plan_guard;
use crate::features::rollouts::model::{RolloutField, RolloutFields};
use crate::features::sources::model::SourceRef;
use crate::store::{Reason, RecordField};
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::flash::Notice;
use crate::web::forms::{Choice, FormErrors, optional};
use crate::web::forms::{parse_form, settle_at};
use crate::web::htmx::is_htmx;
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::{Catalog, StatusView};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

pub fn routes() -> Routes {
    Routes::new()
        .get("/plannen/{id}/uitrol/{gemeente}", rollout_form)
        .post("/plannen/{id}/uitrol/{gemeente}", save_rollout)
}

/// The matrix cell form's input for a field of a cell.
pub(crate) fn rollout_input(field: RolloutField) -> &'static str {
    match field {
        RolloutField::Record => "status",
        other => other.code(),
    }
}

/// The status a rollout form chose; `missing` says what to do when none was chosen.
pub(crate) fn chosen_status(
    errors: &mut FormErrors,
    status: &str,
    missing: impl Into<String>,
) -> Option<RolloutStatus> {
    if status.trim().is_empty() {
        errors.add("status", missing);
        None
    } else {
        errors.check("status", "Status", RolloutStatus::parse(status))
    }
}

/// The date a rollout form gives for its status (required, as precise as the source) and its
/// source: one chosen from the list or a new one typed, not both. Problems go to `errors`.
pub(crate) fn date_and_source(
    errors: &mut FormErrors,
    catalog: &Catalog,
    date: &str,
    source: &str,
    source_new: &str,
) -> (Option<FactDate>, Option<SourceRef>) {
    let date = if date.trim().is_empty() {
        errors.add(
            "date",
            "Sinds (datum): vul in sinds wanneer deze status geldt, zo precies als de bron het zegt: 2025-10-09, 2025-10, 2025-Q4, 2025, najaar 2025 of onbekend.",
        );
        None
    } else {
        errors.check("date", "Sinds (datum)", FactDate::parse(date))
    };
    let source = match (optional(source), optional(source_new)) {
        (Some(_), Some(_)) => {
            errors.add(
                "source_new",
                "Nieuwe bron: kies een bestaande bron óf typ een nieuwe, niet allebei.",
            );
            None
        }
        (Some(s), None) => {
            if !catalog.has_source(&s) {
                errors.add("source", "Bron: kies een bron uit de lijst.");
            }
            Some(SourceRef::Existing(s))
        }
        (None, Some(t)) => Some(SourceRef::New(t)),
        (None, None) => None,
    };
    (date, source)
}

// --- Rollout cells ---

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RolloutForm {
    pub version: String,
    pub status: String,
    pub date: String,
    pub district: String,
    pub note: String,
    pub source: String,
    pub source_new: String,
    /// "1" when the user confirms that the date and source hold for a new status.
    pub confirm_date_and_source: String,
    pub comment: String,
    /// Where to go after saving without JavaScript.
    pub terug: String,
}

/// The rollout form's content, shown as a page or (for htmx) as a fragment.
pub struct RolloutView {
    pub plan_id: String,
    pub plan_name: String,
    pub gemeente_id: String,
    pub gemeente: String,
    pub current: String,
    pub form: RolloutForm,
    pub statuses: Vec<Choice>,
    pub districts: Vec<Choice>,
    pub sources: Vec<Choice>,
    pub errors: FormErrors,
    /// Shown in the matrix by htmx, in a row under the plan: the form posts with htmx and the
    /// saved cell takes its place again. On its own page the form posts normally and returns
    /// to `terug`.
    pub inline: bool,
    /// The form asks for another status than the stored one: it offers to confirm that the
    /// date and source given hold for it (without that, the old ones are refused).
    pub asks_confirmation: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "plans/rollout_edit.html")]
pub struct RolloutPage {
    pub nav: &'static str,
    pub p: RolloutView,
}

#[derive(Template, WebTemplate)]
#[template(path = "plans/rollout_form.html")]
pub struct RolloutFragment {
    pub p: RolloutView,
}

/// The full page, or only the form when htmx asks.
fn rollout_response(view: RolloutView, htmx: bool, status: StatusCode) -> Response {
    if htmx {
        // htmx swaps only successful answers; the form with its messages must show.
        RolloutFragment { p: view }.into_response()
    } else {
        (
            status,
            RolloutPage {
                nav: "plannen",
                p: view,
            },
        )
            .into_response()
    }
}

/// The saved matrix cell: the whole `<td>`, so its colour (a class on the cell) and hover
/// text follow the new status.
#[derive(Template)]
#[template(path = "plans/rollout_cell.html")]
pub struct CellFragment {
    pub plan_id: String,
    pub plan_name: String,
    pub gemeente_id: String,
    pub gemeente_name: String,
    pub status: StatusView,
    /// The hover text, as the matrix writes it: "plan, gemeente: status: toelichting".
    pub title: String,
    pub back: String,
    /// The cell kept its aanname: its status and date are the ones the aanname is about.
    pub assumed: bool,
}

/// A refusal (not signed in, session expired, no right) inside the matrix cell.
#[derive(Template)]
#[template(path = "plans/rollout_error.html")]
pub struct CellError {
    pub message: String,
    /// Offer to sign in, returning to the page the cell is on.
    pub login: Option<String>,
}

/// For htmx, an error becomes a fragment in the form's row: htmx does not swap 4xx answers, so a
/// refusal would otherwise leave the user clicking a button that does nothing.
fn htmx_error(headers: &HeaderMap, error: WebError) -> Response {
    match htmx_error_html(headers, error) {
        Ok(html) => axum::response::Html(html).into_response(),
        Err(e) => e.into_response(),
    }
}

/// The refusal as the fragment htmx shows; an internal error stays one.
fn htmx_error_html(headers: &HeaderMap, error: WebError) -> Result<String, WebError> {
    let login = match &error {
        WebError::Unauthorized(_) => {
            let here = headers
                .get("hx-current-url")
                .and_then(|v| v.to_str().ok())
                .and_then(|u| url::Url::parse(u).ok())
                .map(|u| match u.query() {
                    Some(q) => format!("{}?{q}", u.path()),
                    None => u.path().to_owned(),
                })
                .unwrap_or_default();
            Some(crate::features::accounts::signin::local_path(&here, "/"))
        }
        WebError::Internal(_) => return Err(error),
        _ => None,
    };
    let fragment = CellError {
        message: error.to_string(),
        login,
    };
    fragment.render().map_err(|e| WebError::Internal(e.into()))
}

#[derive(Debug, Default, Deserialize)]
pub struct RolloutQuery {
    #[serde(default)]
    terug: String,
}

struct CellContext {
    plan_name: String,
    gemeente: String,
    current: Option<crate::features::rollouts::model::RolloutRow>,
}

async fn cell_context(
    state: &AppState,
    viewer: &Viewer,
    catalog: &Catalog,
    id: &str,
    gemeente_id: &str,
) -> Result<CellContext, WebError> {
    let stored = plan_guard(state, id).await?;
    viewer.require_plan_editor(&stored.fields.name, &stored.fields.leads)?;
    let gemeente = catalog
        .area(gemeente_id)
        .filter(|a| a.kind == "gemeente")
        .ok_or_else(|| {
            WebError::NotFound(format!(
                "Er is geen gemeente met CBS-code \"{gemeente_id}\"."
            ))
        })?;
    let filter = crate::features::plans::model::PlanFilter {
        plan: Some(id.to_owned()),
        include_archived: true,
        ..Default::default()
    };
    let current = state
        .store
        .rollouts(&filter)
        .await?
        .into_iter()
        .find(|r| r.gemeente_id == gemeente_id);
    Ok(CellContext {
        plan_name: stored.fields.name,
        gemeente: gemeente.name.clone(),
        current,
    })
}

impl RolloutView {
    /// The cell's form with its choices and no errors.
    fn new(
        ctx: CellContext,
        catalog: &Catalog,
        plan_id: String,
        gemeente_id: String,
        form: RolloutForm,
        inline: bool,
    ) -> Self {
        let statuses = Choice::none_then("Kies een status", Choice::all::<RolloutStatus>());
        let districts = Choice::none_then(
            "Hele gemeente",
            catalog
                .areas
                .iter()
                .filter(|a| {
                    a.kind == "wijk" && a.parent_id.as_deref() == Some(gemeente_id.as_str())
                })
                .map(|a| Choice::new(a.id.clone(), a.name.clone())),
        );
        let sources = catalog.source_choices("Geen bron");
        let asks_confirmation = ctx
            .current
            .as_ref()
            .is_some_and(|c| c.status != form.status.trim());
        Self {
            asks_confirmation,
            current: ctx.current.as_ref().map_or_else(
                || "geen eigen status (de matrix toont dan de fase van het plan)".to_owned(),
                |r| StatusView::from_code(&r.status).label.to_owned(),
            ),
            plan_id,
            plan_name: ctx.plan_name,
            gemeente_id,
            gemeente: ctx.gemeente,
            form,
            statuses,
            districts,
            sources,
            errors: FormErrors::new(),
            inline,
        }
    }
}

async fn rollout_form(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path((id, gemeente_id)): Path<(String, String)>,
    Query(q): Query<RolloutQuery>,
) -> Result<Response, WebError> {
    let row_id = format!("bewerk-{id}-{gemeente_id}");
    let view = show_rollout_form(&state, &viewer, &headers, id, gemeente_id, q).await;
    if !is_htmx(&headers) {
        return Ok(rollout_response(view?, false, StatusCode::OK));
    }
    // The matrix opens the form (or the refusal) in a row of its own under the plan's row,
    // not inside the narrow cell.
    let inner = match view {
        Ok(view) => RolloutFragment { p: view }
            .render()
            .map_err(|e| WebError::Internal(e.into()))?,
        Err(e) => htmx_error_html(&headers, e)?,
    };
    let row = EditRow { id: row_id, inner };
    Ok(
        axum::response::Html(row.render().map_err(|e| WebError::Internal(e.into()))?)
            .into_response(),
    )
}

/// The row the matrix opens under a plan's row to edit one of its cells.
#[derive(Template)]
#[template(path = "plans/rollout_row.html")]
struct EditRow {
    /// `bewerk-{plan}-{gemeente}`: the cell's edit link finds its open row by it.
    id: String,
    /// The form or the refusal, already rendered.
    inner: String,
}

async fn show_rollout_form(
    state: &AppState,
    viewer: &Viewer,
    headers: &HeaderMap,
    id: String,
    gemeente_id: String,
    q: RolloutQuery,
) -> Result<RolloutView, WebError> {
    let catalog = Catalog::load(&state.store).await?;
    let ctx = cell_context(state, viewer, &catalog, &id, &gemeente_id).await?;
    let version = state.store.rollout_version(&id, &gemeente_id).await?;
    let form = RolloutForm {
        version: version.to_string(),
        // A cell without a fact of its own has no status to keep: the user chooses one, so
        // that saving a date alone never sets a status nobody chose.
        status: ctx
            .current
            .as_ref()
            .map(|r| r.status.clone())
            .unwrap_or_default(),
        // A cell a source speaks about keeps its date and source unless the user changes
        // them; a new cell starts without either: the date is the one its source gives,
        // never the day of typing.
        date: ctx
            .current
            .as_ref()
            .map(|r| r.date.clone())
            .unwrap_or_default(),
        source: ctx
            .current
            .as_ref()
            .and_then(|r| r.source_id.clone())
            .unwrap_or_default(),
        district: ctx
            .current
            .as_ref()
            .and_then(|r| r.district_id.clone())
            .unwrap_or_default(),
        note: ctx
            .current
            .as_ref()
            .and_then(|r| r.note.clone())
            .unwrap_or_default(),
        terug: crate::features::accounts::signin::local_path(
            &q.terug,
            &format!("/plannen/{id}#uitrol"),
        ),
        ..RolloutForm::default()
    };
    Ok(RolloutView::new(
        ctx,
        &catalog,
        id,
        gemeente_id,
        form,
        is_htmx(headers),
    ))
}

async fn save_rollout(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Path((id, gemeente_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, WebError> {
    match store_rollout(&state, &viewer, &headers, id, gemeente_id, &body).await {
        Err(e) if is_htmx(&headers) => Ok(htmx_error(&headers, e)),
        other => other,
    }
}

async fn store_rollout(
    state: &AppState,
    viewer: &Viewer,
    headers: &HeaderMap,
    id: String,
    gemeente_id: String,
    body: &Bytes,
) -> Result<Response, WebError> {
    let catalog = Catalog::load(&state.store).await?;
    let ctx = cell_context(state, viewer, &catalog, &id, &gemeente_id).await?;
    let mut form: RolloutForm = parse_form(body);
    form.terug = crate::features::accounts::signin::local_path(
        &form.terug,
        &format!("/plannen/{id}#uitrol"),
    );
    let mut errors = FormErrors::new();
    let rollout_status = chosen_status(
        &mut errors,
        &form.status,
        format!("Status: kies de status van de uitrol in {}.", ctx.gemeente),
    );
    let (date, source) = date_and_source(
        &mut errors,
        &catalog,
        &form.date,
        &form.source,
        &form.source_new,
    );
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(rollout_status), Some(date), true) = (rollout_status, date, errors.is_empty()) {
        let fields = RolloutFields {
            status: rollout_status,
            date,
            district_id: optional(&form.district),
            note: optional(&form.note),
            source,
            date_and_source_confirmed: !form.confirm_date_and_source.trim().is_empty(),
        };
        let reason = Reason {
            comment: optional(&form.comment),
            source: None,
        };
        let saved = state
            .store
            .save_rollout(
                &viewer.actor(),
                &reason,
                &id,
                &gemeente_id,
                version,
                &fields,
            )
            .await;
        match settle_at(saved, rollout_input, "status")? {
            Ok(_) => {
                if is_htmx(headers) {
                    let status = StatusView::from_code(rollout_status.code());
                    let note = fields
                        .note
                        .as_deref()
                        .map(|n| format!(": {n}"))
                        .unwrap_or_default();
                    let assumed = ctx.current.as_ref().is_some_and(|c| {
                        c.assumption.is_some()
                            && c.status == rollout_status.code()
                            && c.date == fields.date.to_string()
                    });
                    let cell = CellFragment {
                        assumed,
                        title: format!(
                            "{}, {}: {}{note}",
                            ctx.plan_name, ctx.gemeente, status.label
                        ),
                        plan_id: id,
                        plan_name: ctx.plan_name,
                        gemeente_name: ctx.gemeente,
                        gemeente_id,
                        status,
                        back: form.terug,
                    };
                    let html = cell.render().map_err(|e| WebError::Internal(e.into()))?;
                    // The cell goes back in its place (out of band, by its id) with focus on
                    // its edit link; the row the form was in is removed.
                    return Ok((
                        [("hx-retarget", "closest tr"), ("hx-reswap", "outerHTML")],
                        axum::response::Html(html),
                    )
                        .into_response());
                }
                return Ok(crate::web::flash::redirect(
                    &form.terug,
                    Notice::RolloutSaved,
                ));
            }
            Err(not_saved) => {
                status = not_saved.status();
                errors = not_saved.errors;
                if let Some(current_version) = not_saved.newer_version {
                    errors.add(
                        "status",
                        format!(
                            "Iemand anders heeft de uitrol van {} in {} intussen gewijzigd (nu: {}). Er is niets opgeslagen. Bekijk de huidige stand hieronder en sla uw keuze opnieuw op als die nog klopt.",
                            ctx.plan_name,
                            ctx.gemeente,
                            ctx.current.as_ref().map_or_else(|| "onbekend".to_owned(), |r| StatusView::from_code(&r.status).label.to_owned())
                        ),
                    );
                    form.version = current_version.to_string();
                }
            }
        }
    }
    let mut view = RolloutView::new(ctx, &catalog, id, gemeente_id, form, is_htmx(headers));
    view.errors = errors;
    Ok(rollout_response(view, is_htmx(headers), status))
}
