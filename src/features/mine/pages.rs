//! The page "Voor mij".

use std::collections::{BTreeMap, BTreeSet, HashSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use crate::domain::{Period, Role, Stage};
use crate::features::indicators::{ActionLine, action_lines, today};
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::routes::Routes;
use crate::web::session::Viewer;
use crate::web::view::Catalog;

pub fn routes() -> Routes {
    Routes::new().get("/voor-mij", page)
}

/// A plan the reader may edit.
pub struct PlanLine {
    pub id: String,
    pub name: String,
    /// The stage's label, or "fase onbekend".
    pub stage: String,
    pub archived: bool,
    /// The reader's organisation that leads it.
    pub organisation: String,
}

/// A KPI with values still to enter for the last period that is over.
pub struct OwedLine {
    pub id: String,
    pub name: String,
    /// As written: `2026-Q3`.
    pub period: String,
    /// As read: "3e kwartaal 2026".
    pub period_label: String,
    /// "Per kwartaal".
    pub frequency: String,
    /// The areas of the KPI's level without a value for the period, by name.
    pub missing: Vec<String>,
    /// How many areas the KPI is measured in.
    pub areas: usize,
    /// The form for a new value, with the period (and the area, when only one is missing).
    pub href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "mine/page.html")]
pub struct MinePage {
    pub nav: &'static str,
    pub name: String,
    pub role: String,
    pub is_admin: bool,
    pub is_reader: bool,
    /// The names of the reader's organisations.
    pub organisations: Vec<String>,
    pub plans: Vec<PlanLine>,
    pub owed: Vec<OwedLine>,
    pub actions: Vec<ActionLine>,
    pub overdue: usize,
    /// The kwartaalupdates they still owe in open rounds (a question of the kernteam first).
    pub updates: Vec<UpdateDuty>,
    /// For a beheerder: submitted updates waiting for review, as (round, its label, plan id,
    /// plan name).
    pub to_review: Vec<(String, String, String, String)>,
}

/// A kwartaalupdate still owed in an open round.
pub struct UpdateDuty {
    pub period: String,
    pub round_label: String,
    pub deadline: String,
    pub plan_id: String,
    pub plan_name: String,
    pub reporting: crate::domain::Reporting,
}

/// The last period of `frequency`'s length that is over on `day`: the one before the period
/// that holds it.
pub fn last_due(frequency: crate::domain::Frequency, day: jiff::civil::Date) -> Period {
    let current = frequency.period_of(day).start();
    frequency.period_of(current.yesterday().unwrap_or(current))
}

async fn page(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let Some(user) = viewer.user.clone() else {
        return Ok(Redirect::to("/inloggen?terug=/voor-mij").into_response());
    };
    let catalog = Catalog::load(&state.store).await?;
    let org_names = state.store.organisation_names().await?;
    let org_name = |id: &str| org_names.get(id).cloned().unwrap_or_else(|| id.to_owned());

    // The plans they lead; a beheerder may edit all and is sent to the list.
    let mut seen = HashSet::new();
    let plans = state
        .store
        .plans_led_by(&user.organisations)
        .await?
        .into_iter()
        .filter(|p| seen.insert(p.id.clone()))
        .map(|p| PlanLine {
            stage: p
                .stage
                .as_deref()
                .and_then(|s| Stage::parse(s).ok())
                .map_or_else(|| "fase onbekend".to_owned(), |s| s.label().to_owned()),
            archived: p.archived != 0,
            organisation: org_name(&p.organisation_id),
            id: p.id,
            name: p.name,
        })
        .collect();

    // The KPI's they may enter values for, with the areas that have no value for the last
    // period that is over.
    let today = today();
    let mut editors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (kpi, org) in state.store.all_indicator_editors().await? {
        editors.entry(kpi).or_default().push(org);
    }
    let mine: Vec<_> = if user.role == Role::Reader {
        Vec::new()
    } else {
        state
            .store
            .indicators()
            .await?
            .into_iter()
            .filter(|i| user.may_enter_for_kpi(editors.get(&i.id).map_or(&[], Vec::as_slice)))
            .collect()
    };
    let due: BTreeSet<String> = mine
        .iter()
        .map(|i| last_due(i.frequency(), today).to_string())
        .collect();
    let observed: HashSet<(String, String, String)> = state
        .store
        .observed_in_periods(&due.into_iter().collect::<Vec<_>>())
        .await?
        .into_iter()
        .collect();
    let owed = mine
        .iter()
        .filter_map(|i| {
            let period = last_due(i.frequency(), today);
            let written = period.to_string();
            let areas: Vec<_> = catalog
                .areas
                .iter()
                .filter(|a| a.kind == i.area_level().code())
                .collect();
            let missing: Vec<_> = areas
                .iter()
                .filter(|a| !observed.contains(&(i.id.clone(), a.id.clone(), written.clone())))
                .collect();
            if missing.is_empty() {
                return None;
            }
            let mut href = format!("/indicatoren/{}/metingen/nieuw?periode={written}", i.id);
            if let [only] = missing.as_slice() {
                href.push_str(&format!("&gebied={}", only.id));
            }
            Some(OwedLine {
                id: i.id.clone(),
                name: i.name.clone(),
                period_label: period.label_nl(),
                period: written,
                frequency: i.frequency().label().to_owned(),
                missing: missing.iter().map(|a| a.name.clone()).collect(),
                areas: areas.len(),
                href,
            })
        })
        .collect();

    // The open actions of their organisations.
    let rows: Vec<_> = state
        .store
        .actions_of_organisations(&user.organisations)
        .await?
        .into_iter()
        .filter(|a| a.status().is_open())
        .collect();
    let bodies = state.store.bodies().await?;
    let origins = crate::features::actions::pages::Origins::load(&state.store).await?;
    let actions = action_lines(&rows, &catalog, &bodies, &origins, true, today);
    let overdue = actions.iter().filter(|a| a.overdue).count();

    // Kwartaalupdates of the plans they lead, in open rounds, that are still theirs to write.
    let led: BTreeMap<String, String> = state
        .store
        .plans_led_by(&user.organisations)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let led_ids: Vec<String> = led.keys().cloned().collect();
    let mut updates: Vec<UpdateDuty> = state
        .store
        .open_round_duties(&led_ids)
        .await?
        .into_iter()
        .filter_map(|(period, deadline, plan, state)| {
            let state = state.and_then(|s| crate::domain::UpdateState::parse(&s).ok());
            let day = crate::domain::parse_date(&deadline).unwrap_or(today);
            let reporting = crate::domain::Reporting::of(state, day, today);
            reporting.is_owed().then(|| UpdateDuty {
                round_label: crate::domain::parse_quarter(&period)
                    .map_or_else(|_| period.clone(), Period::label_nl),
                deadline: crate::web::view::date_nl(&deadline),
                plan_name: led.get(&plan).cloned().unwrap_or_else(|| plan.clone()),
                plan_id: plan,
                period,
                reporting,
            })
        })
        .collect();
    updates.sort_by_key(|u| u.reporting != crate::domain::Reporting::Clarification);
    let to_review = if user.is_admin() {
        state
            .store
            .updates_to_review()
            .await?
            .into_iter()
            .map(|(period, plan, name)| {
                let label = crate::domain::parse_quarter(&period)
                    .map_or_else(|_| period.clone(), Period::label_nl);
                (period, label, plan, name)
            })
            .collect()
    } else {
        Vec::new()
    };

    Ok(MinePage {
        nav: "voor-mij",
        name: user.name.clone(),
        role: user.role.label().to_lowercase(),
        is_admin: user.is_admin(),
        is_reader: user.role == Role::Reader,
        organisations: user.organisations.iter().map(|o| org_name(o)).collect(),
        plans,
        owed,
        actions,
        overdue,
        updates,
        to_review,
    }
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Frequency;

    #[test]
    fn the_last_due_period_is_the_one_before_today_s() {
        let day = jiff::civil::date(2026, 12, 6);
        assert_eq!(last_due(Frequency::Month, day).to_string(), "2026-11");
        assert_eq!(last_due(Frequency::Quarter, day).to_string(), "2026-Q3");
        assert_eq!(last_due(Frequency::Year, day).to_string(), "2025");
        let first = jiff::civil::date(2026, 1, 1);
        assert_eq!(last_due(Frequency::Month, first).to_string(), "2025-12");
        assert_eq!(last_due(Frequency::Quarter, first).to_string(), "2025-Q4");
    }
}
