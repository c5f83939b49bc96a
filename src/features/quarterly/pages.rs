//! The pages of the quarterly cycle: the rounds, one round with who has reported, a plan's
//! kwartaalupdate with its form and the kernteam's review, and the kwartaalrapportage.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;

use super::model::{
    CorrectionRow, MilestoneNote, ReportingLine, RoundField, RoundRow, UpdateField, UpdateFields,
    UpdateRow,
};
use super::report::{FULL_REPORT_PLANS, LightView, Report};
use super::snapshot::Snapshot;
use crate::domain::{
    FactDate, MilestoneOutcome, Period, Reporting, TrafficLight, UpdateState, Verdict, parse_date,
};
use crate::features::changes::pages::moment_nl;
use crate::store::{Reason, StoreError};
use crate::web::AppState;
use crate::web::download::{self, Cell};
use crate::web::error::WebError;
use crate::web::flash::{self, Notice};
use crate::web::forms::{Choice, FormErrors, NotSaved, form_version, optional, settle_at};
use crate::web::paging::{PageNav, Paging};
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::date_nl;

pub fn routes() -> Routes {
    let routes = Routes::new();
    #[cfg(feature = "pdf")]
    let routes = routes.get("/rondes/{period}/rapportage.pdf", report_pdf);
    routes
        .get("/rondes", list)
        .post("/rondes", open)
        .get("/rondes/{period}", show)
        .get("/rondes/{period}/stand.csv", reporting_download)
        .get("/rondes/{period}/stand.xlsx", reporting_download)
        .post("/rondes/{period}/bewerken", edit)
        .post("/rondes/{period}/sluiten", close)
        .post("/rondes/{period}/openbaar", publish)
        .post("/rondes/{period}/correcties", correct)
        .post("/rondes/{period}/herinnering", remind)
        .get("/rondes/{period}/plannen/{plan}", update_page)
        .post("/rondes/{period}/plannen/{plan}", save)
        .post("/rondes/{period}/plannen/{plan}/beoordeling", review)
        .get("/rondes/{period}/rapportage", report_page)
        .get(
            "/rondes/{period}/rapportage-plannen.csv",
            report_plans_download,
        )
        .get(
            "/rondes/{period}/rapportage-plannen.xlsx",
            report_plans_download,
        )
}

/// A round a visitor may see: every round for a signed-in reader, published ones for others.
/// A round one may not see does not exist for them.
pub async fn visible_round(
    state: &AppState,
    viewer: &Viewer,
    period: &str,
) -> Result<RoundRow, WebError> {
    let not_found = || {
        WebError::NotFound(if viewer.is_signed_in() {
            format!(
                "Er is geen rapportageronde {period}. Kies een ronde op de pagina Kwartaalrapportages."
            )
        } else {
            format!(
                "Er is geen openbare rapportageronde {period}. Kies een ronde op de pagina Kwartaalrapportages."
            )
        })
    };
    let round = state.store.round(period).await?.ok_or_else(not_found)?;
    if viewer.is_signed_in() || round.is_published() {
        Ok(round)
    } else {
        Err(not_found())
    }
}

/// A plan's traffic light in one round, for the row on the plan's page.
pub struct QuarterLight {
    pub period: String,
    /// "3e kwartaal 2025".
    pub label: String,
    pub light: LightView,
    /// "" for a closed round; the update's stand while its round is open.
    pub state: String,
    pub is_example: bool,
}

/// Rounds shown in the row of traffic lights on a plan's page.
const QUARTERS_SHOWN: usize = 8;

/// The plan's lights in the last rounds it was in (published ones for visitors who are not
/// signed in), the oldest first.
pub async fn quarter_lights(
    state: &AppState,
    viewer: &Viewer,
    plan: &str,
) -> Result<Vec<QuarterLight>, WebError> {
    let rounds: HashMap<String, RoundRow> = state
        .store
        .rounds()
        .await?
        .into_iter()
        .map(|r| (r.period.clone(), r))
        .collect();
    let mut out: Vec<QuarterLight> = state
        .store
        .updates_of_plan(plan)
        .await?
        .into_iter()
        .filter_map(|u| {
            let round = rounds.get(&u.period)?;
            if !(viewer.is_signed_in() || round.is_published()) {
                return None;
            }
            Some(QuarterLight {
                light: LightView::of(u.light()),
                state: if round.is_open() {
                    u.state().label().to_owned()
                } else {
                    String::new()
                },
                is_example: u.is_example(),
                label: round.label(),
                period: u.period,
            })
        })
        .take(QUARTERS_SHOWN)
        .collect();
    out.reverse();
    Ok(out)
}

/// A round's line in the list of rounds.
pub struct RoundLine {
    pub period: String,
    pub label: String,
    pub status: &'static str,
    pub deadline: String,
    pub published: bool,
    pub closed_at: String,
}

fn round_line(r: &RoundRow) -> RoundLine {
    RoundLine {
        period: r.period.clone(),
        label: r.label(),
        status: r.status().label(),
        deadline: date_nl(&r.deadline),
        published: r.is_published(),
        closed_at: r.closed_at.as_deref().map(moment_nl).unwrap_or_default(),
    }
}

/// The form to open a round, as posted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct OpenForm {
    pub period: String,
    pub deadline: String,
    /// alle or gekozen
    pub scope: String,
    pub plans: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "quarterly/list.html")]
pub struct ListPage {
    pub nav: &'static str,
    pub rounds: Vec<RoundLine>,
    pub can_open: bool,
    pub form: OpenForm,
    pub errors: FormErrors,
    /// The plans to choose from when opening a round (not archived), when there are few
    /// enough to tick.
    pub plan_choices: Vec<Choice>,
    pub active_plans: usize,
}

/// The quarter that ended last before `today`: the one a round is usually opened for.
fn last_quarter(today: Date) -> Period {
    let q = u8::try_from((today.month() - 1) / 3 + 1).unwrap_or(1);
    crate::domain::previous_quarter(Period::Quarter(today.year(), q))
        .unwrap_or(Period::Quarter(today.year(), q))
}

/// Ticking plans one by one is offered up to this many plans.
const TICKABLE_PLANS: usize = 400;

async fn list_page(
    state: &AppState,
    viewer: &Viewer,
    form: Option<OpenForm>,
    errors: FormErrors,
) -> Result<ListPage, WebError> {
    let rounds = state
        .store
        .rounds()
        .await?
        .into_iter()
        .filter(|r| viewer.is_signed_in() || r.is_published())
        .map(|r| round_line(&r))
        .collect();
    let can_open = viewer.is_admin();
    let mut plan_choices = Vec::new();
    let mut active_plans = 0;
    if can_open {
        let plans = state
            .store
            .plans(&crate::features::plans::model::PlanFilter::default())
            .await?;
        active_plans = plans.len();
        if plans.len() <= TICKABLE_PLANS {
            plan_choices = plans
                .into_iter()
                .map(|p| Choice::new(p.id, p.name))
                .collect();
        }
    }
    let today = crate::features::indicators::today();
    let form = form.unwrap_or_else(|| OpenForm {
        period: last_quarter(today).to_string(),
        deadline: today
            .checked_add(jiff::Span::new().days(14))
            .unwrap_or(today)
            .to_string(),
        scope: "alle".into(),
        plans: Vec::new(),
    });
    Ok(ListPage {
        nav: "rondes",
        rounds,
        can_open,
        form,
        errors,
        plan_choices,
        active_plans,
    })
}

async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<ListPage, WebError> {
    list_page(&state, &viewer, None, FormErrors::new()).await
}

fn round_input(f: RoundField) -> &'static str {
    match f {
        RoundField::Period => "period",
        RoundField::Deadline => "deadline",
        RoundField::Plans => "plans",
        RoundField::Summary => "summary",
        RoundField::Correction => "text",
        _ => "general",
    }
}

async fn open(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin("een rapportageronde openen")?;
    let form: OpenForm = crate::web::forms::parse_form(&body);
    let mut errors = FormErrors::new();
    let period = errors.check(
        "period",
        "Kwartaal",
        crate::domain::parse_quarter(&form.period),
    );
    let deadline = errors.check(
        "deadline",
        "Uiterlijk indienen op",
        parse_date(&form.deadline),
    );
    let chosen = form.scope == "gekozen";
    if chosen && form.plans.is_empty() {
        errors.add(
            "plans",
            "Plannen: vink ten minste één plan aan, of kies \"alle actieve plannen\".",
        );
    }
    if let (Some(period), Some(deadline), true) = (period, deadline, errors.is_empty()) {
        let saved = state
            .store
            .open_round(
                &viewer.actor(),
                &Reason::default(),
                &period.to_string(),
                deadline,
                chosen.then_some(form.plans.as_slice()),
                None,
            )
            .await;
        match settle_at(saved, round_input, "period")? {
            Ok(()) => {
                return Ok(flash::redirect(
                    &format!("/rondes/{period}"),
                    Notice::Created,
                ));
            }
            Err(not_saved) => errors = not_saved.errors,
        }
    }
    let page = list_page(&state, &viewer, Some(form), errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// Everything the round page shows of who has reported.
struct Standing {
    lines: Vec<ReportingLine>,
    /// Per organisation: name, plans, and per stand how many.
    organisations: Vec<OrganisationTally>,
    tally: Vec<(Reporting, usize)>,
}

pub struct OrganisationTally {
    pub id: String,
    pub name: String,
    pub plans: usize,
    pub counts: Vec<usize>,
}

/// Per plan of a round, how far its update is.
pub async fn reporting_lines(
    state: &AppState,
    round: &RoundRow,
) -> Result<Vec<ReportingLine>, WebError> {
    Ok(standing(state, round).await?.lines)
}

async fn standing(state: &AppState, round: &RoundRow) -> Result<Standing, WebError> {
    let plans = state.store.round_plans(&round.period).await?;
    let updates: HashMap<String, UpdateRow> = state
        .store
        .round_updates(&round.period)
        .await?
        .into_iter()
        .map(|u| (u.plan_id.clone(), u))
        .collect();
    let mut leads: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for (plan, id, name) in state.store.round_leads(&round.period).await? {
        leads.entry(plan).or_default().push((id, name));
    }
    let today = crate::features::indicators::today();
    let deadline = round.deadline_date().unwrap_or(today);
    let lines: Vec<ReportingLine> = plans
        .into_iter()
        .map(|(id, name)| {
            let u = updates.get(&id);
            ReportingLine {
                reporting: if round.is_open() {
                    Reporting::of(u.map(UpdateRow::state), deadline, today)
                } else {
                    // A closed round: what is missing stays missing, not "late".
                    Reporting::of(u.map(UpdateRow::state), Date::MAX, today)
                },
                light: u.and_then(UpdateRow::light),
                submitted_at: u.and_then(|u| u.submitted_at.clone()),
                is_example: u.is_some_and(UpdateRow::is_example),
                leads: leads.remove(&id).unwrap_or_default(),
                plan_id: id,
                plan_name: name,
            }
        })
        .collect();
    let mut by_org: HashMap<String, OrganisationTally> = HashMap::new();
    for l in &lines {
        let i = Reporting::ALL
            .iter()
            .position(|r| *r == l.reporting)
            .unwrap_or(0);
        for (id, name) in &l.leads {
            let t = by_org
                .entry(id.clone())
                .or_insert_with(|| OrganisationTally {
                    id: id.clone(),
                    name: name.clone(),
                    plans: 0,
                    counts: vec![0; Reporting::ALL.len()],
                });
            t.plans += 1;
            t.counts[i] += 1;
        }
    }
    let mut organisations: Vec<OrganisationTally> = by_org.into_values().collect();
    organisations.sort_by(|a, b| a.name.cmp(&b.name));
    let tally = Reporting::ALL
        .iter()
        .map(|r| (*r, lines.iter().filter(|l| l.reporting == *r).count()))
        .collect();
    Ok(Standing {
        lines,
        organisations,
        tally,
    })
}

/// The filter of the round page: a stand and an organisation.
#[derive(Debug, Clone, Default)]
pub struct StandFilter {
    pub stand: Option<Reporting>,
    pub organisation: Option<String>,
}

impl StandFilter {
    fn parse(pairs: &[(String, String)]) -> Result<Self, WebError> {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "stand" if !v.is_empty() => {
                    f.stand = Some(
                        Reporting::parse(v)
                            .map_err(|e| WebError::BadRequest(format!("Filter stand: {e}.")))?,
                    );
                }
                "organisatie" if !v.is_empty() => f.organisation = Some(v.clone()),
                _ => {}
            }
        }
        Ok(f)
    }

    fn keeps(&self, l: &ReportingLine) -> bool {
        self.stand.is_none_or(|s| s == l.reporting)
            && self
                .organisation
                .as_ref()
                .is_none_or(|o| l.leads.iter().any(|(id, _)| id == o))
    }

    fn words(&self, organisations: &[OrganisationTally]) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.stand {
            parts.push(format!("stand {}", s.label().to_lowercase()));
        }
        if let Some(o) = &self.organisation {
            let name = organisations
                .iter()
                .find(|t| &t.id == o)
                .map_or(o.as_str(), |t| t.name.as_str());
            parts.push(format!("trekker {name}"));
        }
        if parts.is_empty() {
            "alle plannen van de ronde".into()
        } else {
            parts.join(", ")
        }
    }
}

/// A line of the table of who has reported, as shown.
pub struct StandLine {
    pub plan_id: String,
    pub plan_name: String,
    pub leads: String,
    pub reporting: Reporting,
    pub light: LightView,
    pub submitted_at: String,
    pub is_example: bool,
}

/// A missing trekker, for the reminder.
pub struct Reminder {
    pub organisation: String,
    pub plans: Vec<String>,
    pub people: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "quarterly/round.html")]
pub struct RoundPage {
    pub nav: &'static str,
    pub round: RoundRow,
    pub label: String,
    pub deadline: String,
    pub tally: Vec<(Reporting, usize)>,
    pub total: usize,
    pub lines: Vec<StandLine>,
    pub pages: PageNav,
    pub organisations: Vec<OrganisationTally>,
    pub stands: Vec<Reporting>,
    pub filter_stand: String,
    pub filter_organisation: String,
    pub filter_words: String,
    pub downloads: download::Links,
    pub is_admin: bool,
    /// For a beheerder: the trekkers who still owe an update, and the prepared e-mail.
    pub reminders: Vec<Reminder>,
    /// Owed plans that name no lead organisation: no one to remind.
    pub unled: Vec<String>,
    pub mailto: String,
    /// The SMTP server reminders can be sent through (host and port), when one is configured.
    pub mail_server: Option<String>,
    pub corrections: Vec<(CorrectionRow, String)>,
    pub correction_plans: Vec<Choice>,
    pub errors: FormErrors,
    pub summary: String,
    pub closed_at: String,
    pub published_at: String,
    pub pdf: bool,
    /// Aannames on the round's fields (the demo's deadline): (label, reason).
    pub assumptions: Vec<(&'static str, String)>,
    /// The round's trail (signed-in readers only): opening, saves, reviews, closing.
    pub history: Vec<crate::features::changes::pages::ChangeLine>,
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(period): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<RoundPage, WebError> {
    let round = visible_round(&state, &viewer, &period).await?;
    round_page(&state, &viewer, round, query.as_deref(), FormErrors::new()).await
}

fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

async fn round_page(
    state: &AppState,
    viewer: &Viewer,
    round: RoundRow,
    query: Option<&str>,
    errors: FormErrors,
) -> Result<RoundPage, WebError> {
    let pairs = query_pairs(query);
    let (paging, rest) = Paging::split(&pairs)?;
    let filter = StandFilter::parse(&rest)?;
    let standing = standing(state, &round).await?;
    let is_admin = viewer.is_admin();
    let (reminders, mailto) = if is_admin && round.is_open() {
        let (reminders, to) = reminders(state, &standing.lines).await?;
        (reminders, mailto(&round, &to))
    } else {
        (Vec::new(), String::new())
    };
    let correction_plans = if is_admin && !round.is_open() {
        Choice::none_then(
            "De ronde als geheel",
            standing
                .lines
                .iter()
                .map(|l| Choice::new(l.plan_id.clone(), l.plan_name.clone())),
        )
    } else {
        Vec::new()
    };
    let kept: Vec<&ReportingLine> = standing.lines.iter().filter(|l| filter.keeps(l)).collect();
    let pages = PageNav::new(
        &format!("/rondes/{}", round.period),
        &rest,
        paging,
        kept.len(),
    );
    let lines = kept
        .into_iter()
        .skip(paging.offset())
        .take(paging.size)
        .map(|l| StandLine {
            plan_id: l.plan_id.clone(),
            plan_name: l.plan_name.clone(),
            leads: l
                .leads
                .iter()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            reporting: l.reporting,
            light: LightView::of(l.light),
            submitted_at: l.submitted_at.as_deref().map(moment_nl).unwrap_or_default(),
            is_example: l.is_example,
        })
        .collect();
    let corrections = if round.is_open() {
        Vec::new()
    } else {
        let name = |id: &str| {
            standing
                .lines
                .iter()
                .find(|l| l.plan_id == id)
                .map_or_else(|| id.to_owned(), |l| l.plan_name.clone())
        };
        state
            .store
            .round_corrections(&round.period)
            .await?
            .into_iter()
            .map(|c| {
                let plan = c.plan_id.as_deref().map(name).unwrap_or_default();
                (c, plan)
            })
            .collect()
    };
    Ok(RoundPage {
        nav: "rondes",
        label: round.label(),
        deadline: date_nl(&round.deadline),
        total: standing.lines.len(),
        tally: standing.tally,
        lines,
        pages,
        filter_words: filter.words(&standing.organisations),
        organisations: standing.organisations,
        stands: Reporting::ALL.to_vec(),
        filter_stand: filter
            .stand
            .map(|s| s.code().to_owned())
            .unwrap_or_default(),
        filter_organisation: filter.organisation.clone().unwrap_or_default(),
        downloads: download::Links::new(&format!("/rondes/{}/stand", round.period), &rest)
            .with_note("de tabel van wie heeft gerapporteerd, met het filter hierboven"),
        is_admin,
        unled: standing
            .lines
            .iter()
            .filter(|l| l.reporting.is_owed() && l.leads.is_empty())
            .map(|l| l.plan_name.clone())
            .collect(),
        reminders,
        mailto,
        mail_server: state.mailer.as_ref().map(|m| m.server.clone()),
        corrections,
        correction_plans,
        errors,
        summary: round.summary.clone().unwrap_or_default(),
        closed_at: round
            .closed_at
            .as_deref()
            .map(moment_nl)
            .unwrap_or_default(),
        published_at: round
            .published_at
            .as_deref()
            .map(moment_nl)
            .unwrap_or_default(),
        pdf: cfg!(feature = "pdf"),
        assumptions: state
            .store
            .assumption_lines::<RoundField>(&round.period)
            .await?,
        history: if viewer.is_signed_in() {
            crate::features::changes::pages::change_lines(
                state
                    .store
                    .audit_for(
                        crate::features::changes::model::AuditScope::Round(&round.period),
                        200,
                    )
                    .await?,
                viewer,
            )
        } else {
            Vec::new()
        },
        round,
    })
}

/// The trekkers who still owe an update, per organisation, and every address among them once.
async fn reminders(
    state: &AppState,
    lines: &[ReportingLine],
) -> Result<(Vec<Reminder>, Vec<String>), WebError> {
    let mut owed: HashMap<String, (String, Vec<String>)> = HashMap::new();
    for l in lines.iter().filter(|l| l.reporting.is_owed()) {
        for (id, name) in &l.leads {
            owed.entry(id.clone())
                .or_insert_with(|| (name.clone(), Vec::new()))
                .1
                .push(l.plan_name.clone());
        }
    }
    let ids: Vec<String> = owed.keys().cloned().collect();
    let mut people: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for (org, name, email) in state.store.trekkers_of(&ids).await? {
        people.entry(org).or_default().push((name, email));
    }
    let mut out: Vec<Reminder> = owed
        .into_iter()
        .map(|(id, (organisation, plans))| Reminder {
            organisation,
            plans,
            people: people.remove(&id).unwrap_or_default(),
        })
        .collect();
    out.sort_by(|a, b| a.organisation.cmp(&b.organisation));
    let mut to: Vec<String> = out
        .iter()
        .flat_map(|r| r.people.iter().map(|(_, e)| e.clone()))
        .collect();
    to.sort_unstable();
    to.dedup();
    Ok((out, to))
}

/// One prepared e-mail to all the trekkers who owe an update (empty when there is no one).
fn mailto(round: &RoundRow, to: &[String]) -> String {
    if to.is_empty() {
        return String::new();
    }
    let (subject, body) = reminder_text(round);
    let encode = |s: &str| {
        url::form_urlencoded::byte_serialize(s.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    format!(
        "mailto:{}?subject={}&body={}",
        to.join(","),
        encode(&subject),
        encode(&body)
    )
}

/// The subject and text of a reminder for a round.
pub fn reminder_text(round: &RoundRow) -> (String, String) {
    (
        format!("Herinnering: kwartaalupdate {}", round.label()),
        format!(
            "Beste trekker,\n\nVoor de kwartaalrapportage van het {} ontbreekt nog de update van een of meer plannen die uw organisatie trekt. Wilt u die uiterlijk {} indienen in regiomonitor, onder Voor mij?\n\nMet vriendelijke groet,\nhet kernteam",
            round.label(),
            date_nl(&round.deadline)
        ),
    )
}

fn reporting_columns() -> Vec<&'static str> {
    vec![
        "Plan",
        "Code",
        "Trekkers",
        "Stand",
        "Stoplicht",
        "Ingediend op",
        "Voorbeeld",
    ]
}

async fn reporting_download(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(period): Path<String>,
    RawQuery(query): RawQuery,
    format: download::Format,
) -> Result<Response, WebError> {
    let round = visible_round(&state, &viewer, &period).await?;
    let filter = StandFilter::parse(&query_pairs(query.as_deref()))?;
    let standing = standing(&state, &round).await?;
    let rows: Vec<Vec<Cell>> = standing
        .lines
        .iter()
        .filter(|l| filter.keeps(l))
        .map(|l| {
            vec![
                Cell::text(l.plan_name.clone()),
                Cell::text(l.plan_id.clone()),
                Cell::text(
                    l.leads
                        .iter()
                        .map(|(_, n)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                Cell::text(l.reporting.label()),
                Cell::optional(l.light.map(TrafficLight::label)),
                l.submitted_at
                    .as_deref()
                    .map_or(Cell::optional(None::<String>), Cell::moment),
                Cell::yes(l.is_example),
            ]
        })
        .collect();
    let mut rows = Some(rows);
    let table = download::Table::new(
        format!("ronde-{}-stand", round.period),
        "Stand",
        reporting_columns(),
    );
    Ok(table.download(format, move |_| std::future::ready(Ok(rows.take()))))
}

/// The round page again with the errors of a form on it (a 422).
async fn round_with_errors(
    state: &AppState,
    viewer: &Viewer,
    period: &str,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let round = visible_round(state, viewer, period).await?;
    let page = round_page(state, viewer, round, None, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RoundForm {
    pub version: String,
    pub deadline: String,
    pub summary: String,
    pub as_of: String,
    pub confirm: String,
    pub plan: String,
    pub text: String,
}

/// The answer to a round's form: back to the round with a notice, or the round page with
/// what to fix.
async fn after_round_write<T>(
    state: &AppState,
    viewer: &Viewer,
    period: &str,
    saved: Result<T, StoreError>,
    fallback: &'static str,
) -> Result<Response, WebError> {
    match settle_at(saved, round_input, fallback)? {
        Ok(_) => Ok(flash::redirect(&format!("/rondes/{period}"), Notice::Saved)),
        Err(NotSaved {
            mut errors,
            newer_version: Some(_),
        }) => {
            errors.add(
                fallback,
                "Iemand anders heeft de ronde intussen gewijzigd; hieronder staat hoe zij nu is. Kijk of uw wijziging nog nodig is en verstuur die dan opnieuw.",
            );
            round_with_errors(state, viewer, period, errors).await
        }
        Err(not_saved) => round_with_errors(state, viewer, period, not_saved.errors).await,
    }
}

async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(period): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin("een rapportageronde wijzigen")?;
    let form: RoundForm = crate::web::forms::parse_form(&body);
    let mut errors = FormErrors::new();
    let version = form_version(&mut errors, &form.version, 0);
    let deadline = errors.check(
        "deadline",
        "Uiterlijk indienen op",
        parse_date(&form.deadline),
    );
    let (Some(deadline), true) = (deadline, errors.is_empty()) else {
        return round_with_errors(&state, &viewer, &period, errors).await;
    };
    let summary = optional(&form.summary);
    // A quoted summary keeps its source only while its text is unchanged.
    let source = match state.store.round(&period).await? {
        Some(r) if r.summary == summary => r.summary_source_id,
        _ => None,
    };
    let saved = state
        .store
        .edit_round(
            &viewer.actor(),
            &Reason::default(),
            &period,
            version,
            deadline,
            summary.as_deref(),
            source.as_deref(),
        )
        .await;
    after_round_write(&state, &viewer, &period, saved, "deadline").await
}

/// A form that moves the round on (closing, publishing): its version, the form's own checks,
/// then the confirmation, in the order the form shows them.
fn confirmed_form(
    body: &[u8],
    checks: impl FnOnce(&RoundForm, &mut FormErrors),
    confirm_field: &'static str,
    unconfirmed: &str,
) -> (i64, FormErrors) {
    let form: RoundForm = crate::web::forms::parse_form(body);
    let mut errors = FormErrors::new();
    let version = form_version(&mut errors, &form.version, 0);
    checks(&form, &mut errors);
    if form.confirm != "ja" {
        errors.add(confirm_field, unconfirmed);
    }
    (version, errors)
}

async fn close(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(period): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin("een rapportageronde sluiten")?;
    let mut as_of = None;
    let (version, errors) = confirmed_form(
        &body,
        |form, errors| {
            as_of = match optional(&form.as_of) {
                None => None,
                Some(d) => errors.check("as_of", "Peildatum", parse_date(&d)),
            };
            if as_of.is_some_and(|d| d > crate::features::indicators::today()) {
                errors.add(
                    "as_of",
                    "Peildatum: kies vandaag of een dag in het verleden, of laat het veld leeg voor de stand van nu.",
                );
            }
        },
        "confirm",
        "Bevestig dat de ronde gesloten mag worden: daarna verandert er niets meer aan.",
    );
    if !errors.is_empty() {
        return round_with_errors(&state, &viewer, &period, errors).await;
    }
    let saved = state
        .store
        .close_round(&viewer.actor(), &Reason::default(), &period, version, as_of)
        .await;
    after_round_write(&state, &viewer, &period, saved, "confirm").await
}

async fn publish(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(period): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin("een rapportageronde openbaar maken")?;
    let (version, errors) = confirmed_form(
        &body,
        |_, _| {},
        "publish_confirm",
        "Bevestig dat de regiegroep of het BBO de rapportage heeft gezien en dat zij openbaar mag.",
    );
    if !errors.is_empty() {
        return round_with_errors(&state, &viewer, &period, errors).await;
    }
    let saved = state
        .store
        .publish_round(&viewer.actor(), &Reason::default(), &period, version)
        .await;
    after_round_write(&state, &viewer, &period, saved, "publish_confirm").await
}

async fn correct(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(period): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin("een correctie vastleggen")?;
    let form: RoundForm = crate::web::forms::parse_form(&body);
    let Some(text) = optional(&form.text) else {
        let mut errors = FormErrors::new();
        errors.add(
            "text",
            "Correctie: beschrijf wat er niet klopte en wat het moet zijn.",
        );
        return round_with_errors(&state, &viewer, &period, errors).await;
    };
    let plan = optional(&form.plan);
    let saved = state
        .store
        .add_correction(
            &viewer.actor(),
            &Reason::default(),
            &period,
            plan.as_deref(),
            &text,
        )
        .await;
    after_round_write(&state, &viewer, &period, saved, "text").await
}

/// Sends the reminder to every trekker who still owes an update, each their own message,
/// through the configured SMTP server; notes it in the round's trail.
async fn remind(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(period): Path<String>,
) -> Result<Response, WebError> {
    viewer.require_admin("een herinnering versturen")?;
    let round = visible_round(&state, &viewer, &period).await?;
    let refuse = |message: String| {
        let mut errors = FormErrors::new();
        errors.add("reminder", message);
        errors
    };
    let Some(mailer) = state.mailer.clone() else {
        let errors = refuse(
            "Er is geen mailserver ingesteld (--smtp-url); stel de herinnering op in uw e-mailprogramma met de link hieronder.".into(),
        );
        return round_with_errors(&state, &viewer, &period, errors).await;
    };
    if !round.is_open() {
        let errors = refuse("De ronde is gesloten; er valt niets meer te herinneren.".into());
        return round_with_errors(&state, &viewer, &period, errors).await;
    }
    let lines = reporting_lines(&state, &round).await?;
    let (_, to) = reminders(&state, &lines).await?;
    if to.is_empty() {
        let errors = refuse(
            "Er is niemand om te herinneren: elke trekker die nog een update moet, heeft geen actief account.".into(),
        );
        return round_with_errors(&state, &viewer, &period, errors).await;
    }
    let (subject, body) = reminder_text(&round);
    let (sent, failed) = mailer.send_each(&to, &subject, &body).await;
    if sent > 0 {
        let what = if sent == 1 {
            "aan 1 trekker".to_owned()
        } else {
            format!("aan {sent} trekkers")
        };
        let what = if failed.is_some() {
            format!("{what} (van de {} bedoeld)", to.len())
        } else {
            what
        };
        state
            .store
            .note_reminder(&viewer.actor(), &period, &what)
            .await?;
    }
    match failed {
        None => Ok(flash::redirect(
            &format!("/rondes/{period}"),
            Notice::ReminderSent,
        )),
        Some(e) => {
            tracing::warn!(error = %e, "herinnering niet verstuurd");
            let errors = refuse(format!(
                "De herinnering is aan {sent} van de {} trekkers verstuurd; daarna ging het mis: {e}. De historie van de ronde noemt wie wel; stuur de rest later of vanuit uw e-mailprogramma.",
                to.len()
            ));
            round_with_errors(&state, &viewer, &period, errors).await
        }
    }
}

// --- A plan's kwartaalupdate ---

/// The update form as posted; all text, so what was typed comes back.
#[derive(Debug, Clone, Default)]
pub struct UpdateForm {
    pub version: String,
    pub light: String,
    pub done: String,
    pub next_steps: String,
    pub needs: String,
    /// Per milestone id: its outcome ("", gehaald, verschoven) and the period it moved to.
    pub milestones: HashMap<i64, (String, String)>,
    pub submit: bool,
}

impl UpdateForm {
    fn parse(body: &[u8]) -> Self {
        let mut f = Self::default();
        for (k, v) in url::form_urlencoded::parse(body) {
            match k.as_ref() {
                "version" => f.version = v.into_owned(),
                "light" => f.light = v.into_owned(),
                "done" => f.done = v.into_owned(),
                "next_steps" => f.next_steps = v.into_owned(),
                "needs" => f.needs = v.into_owned(),
                "actie" => f.submit = v == "indienen",
                other => {
                    if let Some(id) = other.strip_prefix("mijlpaal-") {
                        if let Some(id) = id.strip_suffix("-naar").and_then(|i| i.parse().ok()) {
                            f.milestones.entry(id).or_default().1 = v.into_owned();
                        } else if let Ok(id) = id.parse() {
                            f.milestones.entry(id).or_default().0 = v.into_owned();
                        }
                    }
                }
            }
        }
        f
    }

    fn from_row(u: Option<&UpdateRow>, notes: &[super::model::UpdateMilestoneRow]) -> Self {
        Self {
            version: u.map_or(0, |u| u.version).to_string(),
            light: u.and_then(|u| u.light.clone()).unwrap_or_default(),
            done: u.and_then(|u| u.done.clone()).unwrap_or_default(),
            next_steps: u.and_then(|u| u.next_steps.clone()).unwrap_or_default(),
            needs: u.and_then(|u| u.needs.clone()).unwrap_or_default(),
            milestones: notes
                .iter()
                .map(|n| {
                    (
                        n.milestone_id,
                        (n.outcome.clone(), n.moved_to.clone().unwrap_or_default()),
                    )
                })
                .collect(),
            submit: false,
        }
    }

    fn validate(&self) -> Result<(UpdateFields, Vec<MilestoneNote>), FormErrors> {
        let mut errors = FormErrors::new();
        let light = match optional(&self.light) {
            None => None,
            Some(l) => errors.check("light", "Stoplicht", TrafficLight::parse(&l)),
        };
        let done = optional(&self.done);
        if self.submit {
            if light.is_none() && errors.get("light").is_none() {
                errors.add(
                    "light",
                    "Stoplicht: kies op koers, aandacht nodig of knelpunt voordat u de update indient.",
                );
            }
            if done.is_none() {
                errors.add(
                    "done",
                    "Wat is er gedaan: schrijf in een paar zinnen wat er dit kwartaal is gebeurd voordat u indient.",
                );
            }
        }
        let mut notes = Vec::new();
        let mut ids: Vec<&i64> = self.milestones.keys().collect();
        ids.sort_unstable();
        for id in ids {
            let (outcome, to) = &self.milestones[id];
            if outcome.is_empty() {
                continue;
            }
            let field = format!("mijlpaal-{id}");
            let Some(outcome) = errors.check(&field, "Mijlpaal", MilestoneOutcome::parse(outcome))
            else {
                continue;
            };
            let moved_to = match (outcome, optional(to)) {
                (MilestoneOutcome::Moved, None) => {
                    errors.add(
                        &format!("{field}-naar"),
                        "Verschoven naar: schrijf de nieuwe periode, bijvoorbeeld 2026-Q2, 2026-03 of najaar 2026.",
                    );
                    None
                }
                (MilestoneOutcome::Moved, Some(t)) => errors
                    .check(
                        &format!("{field}-naar"),
                        "Verschoven naar",
                        FactDate::parse(&t),
                    )
                    .map(|d| d.to_string()),
                (MilestoneOutcome::Reached, _) => None,
            };
            notes.push(MilestoneNote {
                milestone_id: *id,
                outcome,
                moved_to,
            });
        }
        if errors.is_empty() {
            Ok((
                UpdateFields {
                    light,
                    done,
                    next_steps: optional(&self.next_steps),
                    needs: optional(&self.needs),
                },
                notes,
            ))
        } else {
            Err(errors)
        }
    }
}

/// A milestone on the update form.
pub struct MilestoneChoice {
    pub id: i64,
    pub title: String,
    pub period: String,
    pub outcome: String,
    pub moved_to: String,
}

pub struct KpiLink {
    pub id: String,
    pub name: String,
    pub href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "quarterly/update.html")]
pub struct UpdatePage {
    pub nav: &'static str,
    pub round: RoundRow,
    pub label: String,
    pub plan_id: String,
    pub plan_name: String,
    pub update: Option<UpdateRow>,
    pub state: String,
    pub light: LightView,
    pub saved: String,
    pub submitted: String,
    pub quote_source: Option<crate::web::view::SourceView>,
    pub milestone_lines: Vec<MilestoneChoice>,
    pub reported_milestones: usize,
    pub reviews: Vec<super::report::ReviewLine>,
    /// The latest question of the kernteam, when the update waits for an answer.
    pub question: Option<String>,
    pub can_edit: bool,
    pub can_review: bool,
    pub form: UpdateForm,
    pub errors: FormErrors,
    pub lights: Vec<Choice>,
    pub kpis: Vec<KpiLink>,
    /// Someone saved the update after this form was opened: the stored texts.
    pub conflict: Option<UpdateRow>,
    pub review_errors: FormErrors,
    pub review_comment: String,
}

async fn plan_name(state: &AppState, plan: &str) -> Result<String, WebError> {
    let filter = crate::features::plans::model::PlanFilter {
        plan: Some(plan.to_owned()),
        include_archived: true,
        ..Default::default()
    };
    state
        .store
        .plans(&filter)
        .await?
        .into_iter()
        .next()
        .map(|p| p.name)
        .ok_or_else(|| WebError::NotFound(format!("Er is geen plan {plan}.")))
}

#[allow(clippy::too_many_arguments)]
/// What a refused post brings back to the update page: the update form as typed with its
/// errors (and whether someone else saved meanwhile), or the review form's.
#[derive(Default)]
struct Posted {
    form: Option<UpdateForm>,
    errors: FormErrors,
    conflict: bool,
    review_errors: FormErrors,
    review_comment: String,
}

async fn update_view(
    state: &AppState,
    viewer: &Viewer,
    round: RoundRow,
    plan: &str,
    posted: Posted,
) -> Result<UpdatePage, WebError> {
    let Posted {
        form,
        errors,
        conflict,
        review_errors,
        review_comment,
    } = posted;
    let name = plan_name(state, plan).await?;
    if !state
        .store
        .round_plan_ids(&round.period)
        .await?
        .iter()
        .any(|p| p == plan)
    {
        return Err(WebError::NotFound(format!(
            "\"{name}\" hoort niet bij de ronde {}.",
            round.period
        )));
    }
    let update = state.store.plan_update(&round.period, plan).await?;
    let notes = state
        .store
        .update_milestones(&round.period, Some(plan))
        .await?;
    let leads = state.store.plan_lead_ids(plan).await?;
    let can_edit = round.is_open()
        && viewer
            .user
            .as_ref()
            .is_some_and(|u| u.may_edit_plan(&leads));
    let can_review = round.is_open()
        && viewer.is_admin()
        && update
            .as_ref()
            .is_some_and(|u| u.state() == UpdateState::Submitted);
    let internal = viewer.is_signed_in();
    let reviews: Vec<super::report::ReviewLine> = if internal {
        state
            .store
            .update_reviews(&round.period, Some(plan))
            .await?
            .into_iter()
            .map(|r| super::report::ReviewLine {
                verdict: Verdict::parse(&r.verdict)
                    .map_or(r.verdict.clone(), |v| v.label().to_owned()),
                comment: r.comment.unwrap_or_default(),
                at: moment_nl(&r.at),
                actor: r.actor,
            })
            .collect()
    } else {
        Vec::new()
    };
    let question = update
        .as_ref()
        .filter(|u| u.state() == UpdateState::Clarification)
        .and_then(|_| reviews.last())
        .map(|r| r.comment.clone())
        .filter(|c| !c.is_empty());
    let milestone_lines: Vec<MilestoneChoice> = state
        .store
        .milestones_of_plan(plan)
        .await?
        .into_iter()
        .map(|m| {
            let chosen = form
                .as_ref()
                .and_then(|f| f.milestones.get(&m.id).cloned())
                .or_else(|| {
                    notes
                        .iter()
                        .find(|n| n.milestone_id == m.id)
                        .map(|n| (n.outcome.clone(), n.moved_to.clone().unwrap_or_default()))
                })
                .unwrap_or_default();
            MilestoneChoice {
                id: m.id,
                title: m.title,
                period: m
                    .period
                    .as_deref()
                    .map_or_else(|| "periode onbekend".into(), date_nl),
                outcome: chosen.0,
                moved_to: chosen.1,
            }
        })
        .collect();
    let catalog = crate::web::view::Catalog::load(&state.store).await?;
    let quarterly = round.quarter().map(|q| q.to_string()).unwrap_or_default();
    let kpis = state.store.indicators().await?;
    let links = state.store.indicator_plan_links().await?;
    let kpis = kpis
        .into_iter()
        .filter(|k| links.iter().any(|(i, p)| i == &k.id && p == plan))
        .map(|k| KpiLink {
            href: if k.frequency() == crate::domain::Frequency::Quarter {
                format!("/indicatoren/{}/metingen/nieuw?periode={quarterly}", k.id)
            } else {
                format!("/indicatoren/{}/metingen/nieuw", k.id)
            },
            id: k.id,
            name: k.name,
        })
        .collect();
    let form = form.unwrap_or_else(|| UpdateForm::from_row(update.as_ref(), &notes));
    Ok(UpdatePage {
        nav: "rondes",
        label: round.label(),
        plan_id: plan.to_owned(),
        plan_name: name,
        state: update.as_ref().map_or_else(
            || "Nog niet begonnen".to_owned(),
            |u| u.state().label().to_owned(),
        ),
        light: LightView::of(update.as_ref().and_then(UpdateRow::light)),
        saved: update
            .as_ref()
            .filter(|_| internal)
            .map(|u| format!("{} door {}", moment_nl(&u.saved_at), u.saved_by))
            .unwrap_or_default(),
        submitted: update
            .as_ref()
            .and_then(|u| u.submitted_at.as_deref())
            .map(moment_nl)
            .unwrap_or_default(),
        quote_source: catalog.source(update.as_ref().and_then(|u| u.source_id.as_deref())),
        conflict: if conflict { update.clone() } else { None },
        update,
        reported_milestones: notes.len(),
        milestone_lines,
        reviews,
        question,
        can_edit,
        can_review,
        form,
        errors,
        lights: Choice::all::<TrafficLight>(),
        kpis,
        review_errors,
        review_comment,
        round,
    })
}

async fn update_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((period, plan)): Path<(String, String)>,
) -> Result<UpdatePage, WebError> {
    let round = visible_round(&state, &viewer, &period).await?;
    update_view(&state, &viewer, round, &plan, Posted::default()).await
}

fn update_input(f: UpdateField) -> &'static str {
    match f {
        UpdateField::Light => "light",
        UpdateField::Done => "done",
        UpdateField::NextSteps => "next_steps",
        UpdateField::Needs => "needs",
        UpdateField::Review => "comment",
        _ => "general",
    }
}

async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((period, plan)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_user()?;
    let round = visible_round(&state, &viewer, &period).await?;
    let name = plan_name(&state, &plan).await?;
    let leads = state.store.plan_lead_ids(&plan).await?;
    viewer.require_plan_editor(&name, &leads)?;
    let mut form = UpdateForm::parse(&body);
    let mut errors = FormErrors::new();
    let version = form_version(&mut errors, &form.version, 0);
    let mut conflict = false;
    if errors.is_empty() {
        match form.validate() {
            Ok((fields, notes)) => {
                let saved = state
                    .store
                    .save_update(
                        &viewer.actor(),
                        &Reason::default(),
                        &period,
                        &plan,
                        version,
                        &fields,
                        &notes,
                        form.submit,
                        &super::model::UpdateOrigin::default(),
                    )
                    .await;
                match settle_at(saved, update_input, "general")? {
                    Ok(_) => {
                        let notice = if form.submit {
                            Notice::UpdateSubmitted
                        } else {
                            Notice::Saved
                        };
                        return Ok(flash::redirect(
                            &format!("/rondes/{period}/plannen/{plan}"),
                            notice,
                        ));
                    }
                    Err(NotSaved {
                        errors: e,
                        newer_version,
                    }) => {
                        errors = e;
                        if let Some(v) = newer_version {
                            conflict = true;
                            // The version stored now (a first save that met another first save
                            // reports version 1, whatever was saved since).
                            let stored = state.store.plan_update(&period, &plan).await?;
                            form.version = stored.map_or(v, |u| u.version).to_string();
                            errors.add(
                                "general",
                                "Iemand anders heeft deze update intussen opgeslagen. Uw tekst staat nog in het formulier; de opgeslagen versie staat erboven. Neem over wat nodig is en sla opnieuw op.",
                            );
                        }
                    }
                }
            }
            Err(e) => errors = e,
        }
    }
    let posted = Posted {
        form: Some(form),
        errors,
        conflict,
        ..Posted::default()
    };
    let page = update_view(&state, &viewer, round, &plan, posted).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    pub version: String,
    pub verdict: String,
    pub comment: String,
}

async fn review(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((period, plan)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, WebError> {
    viewer.require_admin("een kwartaalupdate beoordelen")?;
    let round = visible_round(&state, &viewer, &period).await?;
    let form: ReviewForm = crate::web::forms::parse_form(&body);
    let mut errors = FormErrors::new();
    let version = form_version(&mut errors, &form.version, 0);
    let verdict = errors.check("verdict", "Beoordeling", Verdict::parse(&form.verdict));
    if let (Some(verdict), true) = (verdict, errors.is_empty()) {
        let comment = optional(&form.comment);
        let saved = state
            .store
            .review_update(
                &viewer.actor(),
                &Reason::default(),
                &period,
                &plan,
                version,
                verdict,
                comment.as_deref(),
            )
            .await;
        match settle_at(saved, update_input, "verdict")? {
            Ok(_) => {
                return Ok(flash::redirect(
                    &format!("/rondes/{period}"),
                    Notice::Reviewed,
                ));
            }
            Err(NotSaved {
                errors: e,
                newer_version,
            }) => {
                errors = e;
                if newer_version.is_some() {
                    errors.add(
                        "verdict",
                        "De trekker heeft de update intussen gewijzigd; lees de nieuwe versie hieronder en beoordeel opnieuw.",
                    );
                }
            }
        }
    }
    let posted = Posted {
        review_errors: errors,
        review_comment: form.comment,
        ..Posted::default()
    };
    let page = update_view(&state, &viewer, round, &plan, posted).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

// --- The kwartaalrapportage ---

/// The snapshot a round's report is made from: the frozen one of a closed round, or, marked
/// as concept, one made now from an open round.
pub async fn report_snapshot(
    state: &crate::store::Store,
    round: &RoundRow,
) -> Result<Snapshot, WebError> {
    if round.is_open() {
        return Ok(Snapshot::build(state, round, None).await?);
    }
    let (schema, document) = state.round_snapshot(&round.period).await?.ok_or_else(|| {
        WebError::NotFound(format!(
            "De momentopname van de ronde {} ontbreekt.",
            round.period
        ))
    })?;
    Snapshot::read(schema, &document)
        .map_err(|e| WebError::Internal(anyhow::anyhow!("ronde {}: {e}", round.period)))
}

/// The report of a round, for a page, a file or the command line.
pub async fn build_report(
    store: &crate::store::Store,
    round: &RoundRow,
    internal: bool,
) -> Result<Report, WebError> {
    // A national round's report holds two snapshots (13 MB of JSON each) in memory while it
    // is made, about 100 MB: two at a time, so that a burst of requests cannot add up.
    static BUILDING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
    let _permit = BUILDING
        .acquire()
        .await
        .map_err(|e| WebError::Internal(e.into()))?;
    let now = report_snapshot(store, round).await?;
    let previous = match store.previous_snapshot(&round.period, !internal).await? {
        Some((period, schema, document)) => Some(
            Snapshot::read(schema, &document)
                .map_err(|e| WebError::Internal(anyhow::anyhow!("ronde {period}: {e}")))?,
        ),
        None => None,
    };
    let corrections = store.round_corrections(&round.period).await?;
    Ok(Report::new(
        &now,
        previous.as_ref(),
        &corrections,
        round.is_published(),
        internal,
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "quarterly/report.html")]
pub struct ReportPage {
    pub nav: &'static str,
    pub report: Report,
    pub pdf: bool,
    pub full_plans: usize,
}

async fn report_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(period): Path<String>,
) -> Result<ReportPage, WebError> {
    let round = visible_round(&state, &viewer, &period).await?;
    let report = build_report(&state.store, &round, viewer.is_signed_in()).await?;
    Ok(ReportPage {
        nav: "rondes",
        report,
        pdf: cfg!(feature = "pdf"),
        full_plans: FULL_REPORT_PLANS,
    })
}

/// The kwartaalrapportage as a tagged PDF.
#[cfg(feature = "pdf")]
async fn report_pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(period): Path<String>,
) -> Result<Response, WebError> {
    let round = visible_round(&state, &viewer, &period).await?;
    let report = build_report(&state.store, &round, viewer.is_signed_in()).await?;
    let bytes = super::pdf::render_async(report).await?;
    let name = if round.is_open() {
        format!("kwartaalrapportage-{}-concept.pdf", round.period)
    } else {
        format!("kwartaalrapportage-{}.pdf", round.period)
    };
    Ok(file_response(bytes, "application/pdf", &name))
}

fn plan_columns() -> Vec<&'static str> {
    vec![
        "Plan",
        "Code",
        "Trekkers",
        "Fase",
        "Fase sinds",
        "Stoplicht",
        "Stand van de update",
        "Wat is er gedaan",
        "Wat komt er",
        "Wat is er nodig van wie",
        "Citaat uit",
        "Voorbeeld",
    ]
}

async fn report_plans_download(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(period): Path<String>,
    format: download::Format,
) -> Result<Response, WebError> {
    let round = visible_round(&state, &viewer, &period).await?;
    let snapshot = report_snapshot(&state.store, &round).await?;
    let sections = super::report::plan_sections(&snapshot, viewer.is_signed_in());
    let rows: Vec<Vec<Cell>> = sections
        .into_iter()
        .map(|s| {
            vec![
                Cell::text(s.name),
                Cell::text(s.id),
                Cell::text(s.leads),
                Cell::text(s.stage),
                Cell::text(s.stage_since),
                Cell::text(if s.has_update { s.light.label } else { "" }),
                Cell::text(s.state),
                Cell::text(s.done),
                Cell::text(s.next_steps),
                Cell::text(s.needs),
                Cell::text(s.quote_source),
                Cell::yes(s.is_example),
            ]
        })
        .collect();
    let mut rows = Some(rows);
    let table = download::Table::new(
        format!("kwartaalrapportage-{}-plannen", round.period),
        "Plannen",
        plan_columns(),
    );
    Ok(table.download(format, move |_| std::future::ready(Ok(rows.take()))))
}

/// A download's headers for a file made whole (the PDF).
pub fn file_response(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}
