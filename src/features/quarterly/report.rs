//! The kwartaalrapportage: one view of a round's snapshot that the HTML page (askama), the
//! PDF (typst, from this view as JSON) and the command line all render, so the three never
//! differ in what they say.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::model::CorrectionRow;
use super::snapshot::{SnapKpi, SnapPlan, Snapshot};
use crate::domain::{
    IndicatorStatus, Overview, Period, Stage, TrafficLight, UpdateState, Verdict, format_number_nl,
};
use crate::features::changes::pages::moment_nl;
use crate::web::view::date_nl;

/// Above this many plans the report gives a summary per subregio and opgave, the plans that
/// need attention in full, and the whole per-plan table as a download beside it.
pub const FULL_REPORT_PLANS: usize = 200;

/// At most this many rollout changes are listed; the rest are counted.
const LISTED_ROLLOUT_CHANGES: usize = 300;

/// A traffic light as shown: its code for the colour, its word and its symbol.
#[derive(Debug, Clone, Serialize)]
pub struct LightView {
    pub code: &'static str,
    pub label: &'static str,
    pub symbol: &'static str,
}

impl LightView {
    pub fn of(light: Option<TrafficLight>) -> Self {
        match light {
            Some(l) => Self {
                code: l.code(),
                label: l.label(),
                symbol: l.symbol(),
            },
            None => Self {
                code: "geen",
                label: "Geen stoplicht",
                symbol: "○",
            },
        }
    }
}

/// A text from a document, with the source it quotes.
#[derive(Debug, Clone, Serialize)]
pub struct Quote {
    pub text: String,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub plans: usize,
    pub accepted: usize,
    pub submitted: usize,
    pub clarification: usize,
    pub draft: usize,
    pub missing: usize,
    pub on_course: usize,
    pub attention: usize,
    pub problem: usize,
    pub no_light: usize,
}

/// The lights of the plans of one opgave, transformatie or subregio.
#[derive(Debug, Clone, Serialize)]
pub struct LightRow {
    pub name: String,
    pub plans: usize,
    pub on_course: usize,
    pub attention: usize,
    pub problem: usize,
    pub no_light: usize,
}

impl LightRow {
    fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            plans: 0,
            on_course: 0,
            attention: 0,
            problem: 0,
            no_light: 0,
        }
    }

    fn add(&mut self, light: Option<TrafficLight>) {
        self.plans += 1;
        match light {
            Some(TrafficLight::OnCourse) => self.on_course += 1,
            Some(TrafficLight::Attention) => self.attention += 1,
            Some(TrafficLight::Problem) => self.problem += 1,
            None => self.no_light += 1,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MilestoneLine {
    pub title: String,
    pub period: String,
    /// "Gehaald", "Verschoven naar 2e kwartaal 2026", or empty.
    pub outcome: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewLine {
    pub verdict: String,
    pub comment: String,
    pub at: String,
    pub actor: String,
}

/// A plan's part of the report.
#[derive(Debug, Clone, Serialize)]
pub struct PlanSection {
    pub id: String,
    pub name: String,
    pub leads: String,
    pub stage: String,
    /// "sinds 5 september 2025 (De Kracht van Samen)", or empty.
    pub stage_since: String,
    pub light: LightView,
    /// The update's stand: "Geaccepteerd", "Ingediend", ..., or "Geen update".
    pub state: String,
    pub has_update: bool,
    pub submitted: String,
    pub done: String,
    pub next_steps: String,
    pub needs: String,
    /// The update's texts quote this source.
    pub quote_source: String,
    pub is_example: bool,
    pub milestones: Vec<MilestoneLine>,
    /// How many milestones the update says something about.
    pub milestones_reported: usize,
    /// Only for signed-in readers.
    pub reviews: Vec<ReviewLine>,
}

/// What runs and what is planned in one gemeente.
#[derive(Debug, Clone, Serialize)]
pub struct GemeenteLine {
    pub name: String,
    pub subregion: String,
    pub running: Vec<String>,
    pub planned: Vec<String>,
    pub running_count: usize,
    pub planned_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct KpiRow {
    pub area: String,
    pub period: String,
    pub value: String,
    pub status: String,
    pub symbol: &'static str,
    pub status_code: &'static str,
    pub is_example: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct KpiSection {
    pub id: String,
    pub name: String,
    pub target: String,
    pub plans: String,
    pub rows: Vec<KpiRow>,
    /// The chart as SVG (text escaped), and the same content in words.
    pub chart_svg: String,
    pub chart_alt: String,
    pub has_examples: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionLine {
    pub title: String,
    pub indicator: String,
    pub area: String,
    pub owner: String,
    pub deadline: String,
    pub status: String,
    pub level: String,
    pub overdue: bool,
    pub escalation: String,
}

/// One thing that moved between the previous round and this one.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Change {
    pub what: String,
    pub detail: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Changes {
    /// "2e kwartaal 2025"; empty when there is no earlier closed round.
    pub previous: String,
    pub lights: Vec<Change>,
    pub stages: Vec<Change>,
    pub rollouts: Vec<Change>,
    pub rollouts_total: usize,
    pub kpis: Vec<Change>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CorrectionLine {
    pub at: String,
    pub plan: String,
    pub text: String,
    pub actor: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceLine {
    pub title: String,
    pub date: String,
}

/// The kwartaalrapportage of one round.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub title: String,
    pub period: String,
    pub quarter: String,
    /// Made from an open round: a concept, not what was reported.
    pub concept: bool,
    pub published: bool,
    /// "Stand op 30 september 2025" or "Stand bij het sluiten, 9 oktober 2025 14:02".
    pub stand: String,
    pub made_at: String,
    pub region: String,
    pub summary: Option<Quote>,
    pub totals: Totals,
    pub by_theme: Vec<LightRow>,
    pub by_transformation: Vec<LightRow>,
    pub by_subregion: Vec<LightRow>,
    /// The plans per stage in the overview's words.
    pub stages: Vec<(String, usize)>,
    /// Plans with a knelpunt or that need attention, with what they need from whom.
    pub attention: Vec<PlanSection>,
    /// Above [`FULL_REPORT_PLANS`] plans: only the plans that need attention are in full.
    pub summary_form: bool,
    pub plans: Vec<PlanSection>,
    pub gemeenten: Vec<GemeenteLine>,
    /// The plans' names are listed per gemeente (not in the summary form).
    pub gemeenten_named: bool,
    pub kpis: Vec<KpiSection>,
    pub actions: Vec<ActionLine>,
    pub changes: Changes,
    pub corrections: Vec<CorrectionLine>,
    pub sources: Vec<SourceLine>,
    /// Reviews and who saved what are shown to signed-in readers only.
    pub internal: bool,
    pub has_examples: bool,
}

impl Report {
    /// The report of `now`, compared with the previous round's snapshot when there is one.
    pub fn new(
        now: &Snapshot,
        previous: Option<&Snapshot>,
        corrections: &[CorrectionRow],
        published: bool,
        internal: bool,
    ) -> Self {
        let quarter =
            Period::parse(&now.period).map_or_else(|_| now.period.clone(), Period::label_nl);
        let concept = now.round.status != "gesloten";
        let stand = match (&now.as_of, &now.round.closed_at) {
            (Some(day), _) => format!("Stand op {}", date_nl(day)),
            (None, Some(at)) => format!("Stand bij het sluiten van de ronde, {}", moment_nl(at)),
            (None, None) => format!("Stand van {} (ronde nog open)", moment_nl(&now.made_at)),
        };
        let region = now
            .areas
            .iter()
            .find(|a| a.kind == "regio")
            .map(|a| a.name.clone())
            .unwrap_or_default();
        let source_title = |id: &Option<String>| source_title(now, id);

        let mut totals = Totals {
            plans: now.plans.len(),
            ..Totals::default()
        };
        let mut by_theme: Vec<LightRow> =
            now.themes.iter().map(|t| LightRow::new(&t.name)).collect();
        let mut by_transformation: Vec<LightRow> = now
            .transformations
            .iter()
            .map(|t| LightRow::new(&t.name))
            .collect();
        let subregions: Vec<&super::snapshot::SnapArea> =
            now.areas.iter().filter(|a| a.kind == "subregio").collect();
        let mut by_subregion: Vec<LightRow> =
            subregions.iter().map(|s| LightRow::new(&s.name)).collect();
        let mut without_theme = LightRow::new("Zonder opgave");
        let mut without_transformation = LightRow::new("Zonder transformatie");
        let mut stage_counts: BTreeMap<usize, (String, usize)> = BTreeMap::new();
        let index = now.gemeente_index();

        let mut sections = Vec::new();
        for p in &now.plans {
            let light = light_of(p);
            match p.update.as_ref().map(|u| UpdateState::parse(&u.state)) {
                Some(Ok(UpdateState::Accepted)) => totals.accepted += 1,
                Some(Ok(UpdateState::Submitted)) => totals.submitted += 1,
                Some(Ok(UpdateState::Clarification)) => totals.clarification += 1,
                Some(Ok(UpdateState::Draft)) => totals.draft += 1,
                _ => totals.missing += 1,
            }
            match light {
                Some(TrafficLight::OnCourse) => totals.on_course += 1,
                Some(TrafficLight::Attention) => totals.attention += 1,
                Some(TrafficLight::Problem) => totals.problem += 1,
                None => totals.no_light += 1,
            }
            let mut any_theme = false;
            for (i, t) in now.themes.iter().enumerate() {
                if p.themes.contains(&t.id) {
                    by_theme[i].add(light);
                    any_theme = true;
                }
            }
            if !any_theme {
                without_theme.add(light);
            }
            let mut any_transformation = false;
            for (i, t) in now.transformations.iter().enumerate() {
                if p.transformations.contains(&t.id) {
                    by_transformation[i].add(light);
                    any_transformation = true;
                }
            }
            if !any_transformation {
                without_transformation.add(light);
            }
            // The subregio's a plan concerns: of the gemeenten of its working area and of its
            // gemeenten's own facts, and a subregio named as its area.
            let mut concerned: HashSet<&str> = index
                .cells(p)
                .into_iter()
                .filter_map(|(g, _, _)| index.list[g].parent.as_deref())
                .collect();
            concerned.insert(p.area.as_str());
            concerned.extend(p.work_areas.iter().map(String::as_str));
            for (i, s) in subregions.iter().enumerate() {
                if concerned.contains(s.id.as_str()) {
                    by_subregion[i].add(light);
                }
            }
            let stage = p.stage.as_deref().and_then(|s| Stage::parse(s).ok());
            let word = Stage::overview_of(stage);
            let position = Overview::ALL.iter().position(|o| *o == word).unwrap_or(0);
            stage_counts
                .entry(position)
                .or_insert_with(|| (word.label().to_owned(), 0))
                .1 += 1;
            sections.push(section(p, now, internal));
        }
        if without_theme.plans > 0 {
            by_theme.push(without_theme);
        }
        if without_transformation.plans > 0 && by_transformation.iter().any(|r| r.plans > 0) {
            by_transformation.push(without_transformation);
        }
        by_theme.retain(|r| r.plans > 0);
        by_transformation.retain(|r| r.plans > 0);
        by_subregion.retain(|r| r.plans > 0);

        let attention: Vec<PlanSection> = sections
            .iter()
            .filter(|s| matches!(s.light.code, "knelpunt" | "aandacht"))
            .cloned()
            .collect();
        let summary_form = now.plans.len() > FULL_REPORT_PLANS;
        let gemeenten = gemeente_lines(now, !summary_form);
        let kpis: Vec<KpiSection> = now
            .indicators
            .iter()
            .filter(|k| !k.values.is_empty())
            .map(|k| kpi_section(k, now))
            .collect();
        let actions = now
            .actions
            .iter()
            .map(|a| ActionLine {
                title: a.title.clone(),
                indicator: a.indicator.clone(),
                area: a.area.clone().unwrap_or_default(),
                owner: match (&a.organisation, a.owner.is_empty()) {
                    (Some(o), false) => format!("{} ({o})", a.owner),
                    (Some(o), true) => o.clone(),
                    (None, _) => a.owner.clone(),
                },
                deadline: date_nl(&a.deadline),
                status: a.status.clone(),
                level: match &a.body {
                    Some(b) => format!("{} ({b})", a.level),
                    None => a.level.clone(),
                },
                overdue: a.overdue,
                escalation: a
                    .escalations
                    .last()
                    .map(|e| format!("naar {}: {}", e.to, e.reason))
                    .unwrap_or_default(),
            })
            .collect();
        let plan_names: HashMap<&str, &str> = now
            .plans
            .iter()
            .map(|p| (p.id.as_str(), p.name.as_str()))
            .collect();
        let corrections = corrections
            .iter()
            .map(|c| CorrectionLine {
                at: moment_nl(&c.at),
                plan: c
                    .plan_id
                    .as_deref()
                    .map(|p| plan_names.get(p).map_or(p, |n| *n).to_owned())
                    .unwrap_or_default(),
                text: c.text.clone(),
                actor: if internal {
                    c.actor.clone()
                } else {
                    String::new()
                },
            })
            .collect();
        let sources = cited_sources(now);
        let has_examples =
            sections.iter().any(|s| s.is_example) || kpis.iter().any(|k| k.has_examples);
        Self {
            title: format!("Kwartaalrapportage {quarter}"),
            period: now.period.clone(),
            quarter,
            concept,
            published,
            stand,
            made_at: moment_nl(&now.made_at),
            region,
            summary: now.round.summary.as_ref().map(|text| Quote {
                text: text.clone(),
                source: Some(source_title(&now.round.summary_source)).filter(|s| !s.is_empty()),
            }),
            totals,
            by_theme,
            by_transformation,
            by_subregion,
            stages: stage_counts.into_values().collect(),
            attention,
            plans: if summary_form { Vec::new() } else { sections },
            summary_form,
            gemeenten,
            gemeenten_named: !summary_form,
            kpis,
            actions,
            changes: changes(previous, now),
            corrections,
            sources,
            internal,
            has_examples,
        }
    }
}

/// The light a plan reported: a draft that was never submitted reports nothing.
fn light_of(p: &SnapPlan) -> Option<TrafficLight> {
    p.update
        .as_ref()
        .filter(|u| u.state != UpdateState::Draft.code())
        .and_then(|u| u.light.as_deref())
        .and_then(|l| TrafficLight::parse(l).ok())
}

/// "De Kracht van Samen, 5 september 2025", or empty.
fn source_title(now: &Snapshot, id: &Option<String>) -> String {
    id.as_deref()
        .map(|s| {
            now.source(s).map_or_else(
                || s.to_owned(),
                |x| format!("{}, {}", x.title, date_nl(&x.date)),
            )
        })
        .unwrap_or_default()
}

/// Every plan's part of the report (the per-plan table of the downloads).
pub fn plan_sections(now: &Snapshot, internal: bool) -> Vec<PlanSection> {
    now.plans
        .iter()
        .map(|p| section(p, now, internal))
        .collect()
}

fn section(p: &SnapPlan, now: &Snapshot, internal: bool) -> PlanSection {
    let source_title = |id: &Option<String>| source_title(now, id);
    // A draft's texts are the trekker's work in progress: signed-in readers see them, marked
    // as not submitted; the public report shows only that there was no update.
    let draft = p
        .update
        .as_ref()
        .is_some_and(|u| u.state == UpdateState::Draft.code());
    let shown = if draft && !internal {
        None
    } else {
        p.update.as_ref()
    };
    let stage = p.stage.as_deref().and_then(|s| Stage::parse(s).ok());
    let since = match (&p.stage_date, &p.stage_source) {
        (Some(d), s) => {
            let src = s
                .as_deref()
                .map(|id| now.source(id).map_or(id, |x| x.title.as_str()).to_owned())
                .unwrap_or_default();
            if src.is_empty() {
                format!("sinds {}", date_nl(d))
            } else {
                format!("sinds {} ({src})", date_nl(d))
            }
        }
        _ => String::new(),
    };
    let u = shown;
    let milestones_reported = p.milestones.iter().filter(|m| m.outcome.is_some()).count();
    let text = |f: fn(&super::snapshot::SnapUpdate) -> &Option<String>| {
        u.and_then(|u| f(u).clone()).unwrap_or_default()
    };
    PlanSection {
        id: p.id.clone(),
        name: p.name.clone(),
        leads: p.leads.join(", "),
        stage: stage.map_or("Niet vermeld", Stage::label).to_owned(),
        stage_since: since,
        light: LightView::of(light_of(p)),
        state: match p.update.as_ref() {
            Some(_) if draft => "Niet ingediend (concept)".into(),
            Some(u) => {
                UpdateState::parse(&u.state).map_or(u.state.clone(), |s| s.label().to_owned())
            }
            None => "Geen update".into(),
        },
        has_update: u.is_some(),
        // A quote's moment of entry says nothing about the update: its source's date does.
        submitted: u
            .filter(|u| u.source.is_none())
            .and_then(|u| u.submitted_at.as_deref())
            .map(|at| {
                let who = u.and_then(|u| u.submitted_by.clone()).filter(|_| internal);
                match who {
                    Some(w) => format!("{} door {w}", moment_nl(at)),
                    None => moment_nl(at),
                }
            })
            .unwrap_or_default(),
        done: text(|u| &u.done),
        next_steps: text(|u| &u.next_steps),
        needs: text(|u| &u.needs),
        quote_source: u.map(|u| source_title(&u.source)).unwrap_or_default(),
        is_example: u.is_some_and(|u| u.is_example),
        milestones: p
            .milestones
            .iter()
            .map(|m| MilestoneLine {
                title: m.title.clone(),
                period: m
                    .period
                    .as_deref()
                    .map_or_else(|| "periode onbekend".into(), date_nl),
                outcome: match (m.outcome.as_deref(), m.moved_to.as_deref()) {
                    (Some("verschoven"), Some(to)) => format!("Verschoven naar {}", date_nl(to)),
                    (Some("verschoven"), None) => "Verschoven".into(),
                    (Some("gehaald"), _) => "Gehaald".into(),
                    _ => String::new(),
                },
            })
            .collect(),
        milestones_reported,
        reviews: if internal {
            u.map(|u| {
                u.reviews
                    .iter()
                    .map(|r| ReviewLine {
                        verdict: Verdict::parse(&r.verdict)
                            .map_or(r.verdict.clone(), |v| v.label().to_owned()),
                        comment: r.comment.clone().unwrap_or_default(),
                        at: moment_nl(&r.at),
                        actor: r.actor.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default()
        } else {
            Vec::new()
        },
    }
}

/// Per gemeente the plans that run there and those planned, by the overview's rule.
fn gemeente_lines(now: &Snapshot, named: bool) -> Vec<GemeenteLine> {
    let index = now.gemeente_index();
    let n = index.list.len();
    let mut running: Vec<Vec<&str>> = vec![Vec::new(); n];
    let mut planned: Vec<Vec<&str>> = vec![Vec::new(); n];
    let mut counts = vec![(0usize, 0usize); n];
    for p in &now.plans {
        for (g, word, _) in index.cells(p) {
            if word.is_running() {
                counts[g].0 += 1;
                if named {
                    running[g].push(p.name.as_str());
                }
            } else if word == Overview::Planned {
                counts[g].1 += 1;
                if named {
                    planned[g].push(p.name.as_str());
                }
            }
        }
    }
    index
        .list
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let mut r = std::mem::take(&mut running[i]);
            let mut p = std::mem::take(&mut planned[i]);
            r.sort_unstable();
            p.sort_unstable();
            GemeenteLine {
                name: g.name.clone(),
                subregion: g
                    .parent
                    .as_deref()
                    .map(|s| now.area_name(s))
                    .unwrap_or_default(),
                running_count: counts[i].0,
                planned_count: counts[i].1,
                running: r.iter().map(|s| (*s).to_owned()).collect(),
                planned: p.iter().map(|s| (*s).to_owned()).collect(),
            }
        })
        .collect()
}

fn status_view(code: &str) -> (String, &'static str, &'static str) {
    match IndicatorStatus::parse(code) {
        Ok(s) => (s.label().to_owned(), s.symbol(), s.code()),
        Err(_) => (code.to_owned(), "?", "geen-data"),
    }
}

fn with_unit(value: f64, unit: Option<&str>) -> String {
    match unit {
        Some(u) if !u.is_empty() => format!("{} {u}", format_number_nl(value)),
        _ => format_number_nl(value),
    }
}

/// Bars drawn in a chart at most; a KPI measured in more areas gets a chart of its statuses.
const CHART_BARS: usize = 30;

fn kpi_section(k: &SnapKpi, now: &Snapshot) -> KpiSection {
    let rows: Vec<KpiRow> = k
        .values
        .iter()
        .map(|v| {
            let (status, symbol, code) = status_view(&v.status);
            KpiRow {
                area: now.area_name(&v.area),
                period: Period::parse(&v.period)
                    .map_or_else(|_| v.period.clone(), Period::label_nl),
                value: v
                    .value
                    .map(|x| with_unit(x, k.unit.as_deref()))
                    .or_else(|| v.narrative.clone())
                    .unwrap_or_default(),
                status,
                symbol,
                status_code: code,
                is_example: v.is_example,
            }
        })
        .collect();
    let numbers: Vec<(String, f64, &str)> = k
        .values
        .iter()
        .filter_map(|v| Some((now.area_name(&v.area), v.value?, v.status.as_str())))
        .collect();
    let (chart_svg, chart_alt) = if !numbers.is_empty() && numbers.len() <= CHART_BARS {
        value_chart(&k.id, &k.name, &numbers, k.target_value, k.unit.as_deref())
    } else {
        let mut tally: BTreeMap<usize, (String, usize)> = BTreeMap::new();
        for v in &k.values {
            let s = IndicatorStatus::parse(&v.status).unwrap_or(IndicatorStatus::NoData);
            let i = IndicatorStatus::ALL
                .iter()
                .position(|x| *x == s)
                .unwrap_or(0);
            tally
                .entry(i)
                .or_insert_with(|| (s.label().to_owned(), 0))
                .1 += 1;
        }
        let bars: Vec<(String, f64, &str)> = tally
            .into_values()
            .map(|(l, n)| (l, n as f64, ""))
            .collect();
        value_chart(
            &k.id,
            &format!("{}: gebieden per status", k.name),
            &bars,
            None,
            Some("gebieden"),
        )
    };
    let plans: Vec<&str> = k
        .plans
        .iter()
        .map(|id| {
            now.plans
                .iter()
                .find(|p| &p.id == id)
                .map_or(id.as_str(), |p| p.name.as_str())
        })
        .collect();
    KpiSection {
        id: k.id.clone(),
        name: k.name.clone(),
        target: k.target.clone(),
        plans: plans.join(", "),
        has_examples: rows.iter().any(|r| r.is_example),
        rows,
        chart_svg,
        chart_alt,
    }
}

/// Escapes text for XML.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart (one bar per label) with an optional target line, as SVG, and the
/// same content in words for its alternative text.
fn value_chart(
    id: &str,
    title: &str,
    bars: &[(String, f64, &str)],
    target: Option<f64>,
    unit: Option<&str>,
) -> (String, String) {
    const WIDTH: f64 = 600.0;
    const LABEL: f64 = 190.0;
    const BAR: f64 = 18.0;
    const GAP: f64 = 6.0;
    let top = 8.0;
    let height = top + bars.len() as f64 * (BAR + GAP) + 28.0;
    // The scale holds every value, the target and zero; a bar runs from zero to its value.
    let max = bars
        .iter()
        .map(|b| b.1)
        .chain(target)
        .fold(0.0_f64, f64::max);
    let min = bars
        .iter()
        .map(|b| b.1)
        .chain(target)
        .fold(0.0_f64, f64::min);
    let span = (max - min).max(1e-9);
    let plot = WIDTH - LABEL - 110.0;
    let x = |v: f64| LABEL + (v - min) / span * plot;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0}" width="{WIDTH}" height="{height:.0}" font-family="Open Sans, sans-serif" role="img" aria-labelledby="grafiek-{0}-titel"><title id="grafiek-{0}-titel">{1}</title><desc>{{DESC}}</desc>"#,
        xml(id),
        xml(title)
    );
    let mut words = Vec::new();
    for (i, (label, value, status)) in bars.iter().enumerate() {
        let y = top + i as f64 * (BAR + GAP);
        let fill = match *status {
            "op-koers" => "#2f7d32",
            "achter" => "#b35c00",
            "niet-gehaald" => "#b3261e",
            _ => "#4a5a78",
        };
        let shown = with_unit(*value, unit);
        svg.push_str(&format!(
            r##"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end" fill="#1a1a1a">{}</text><rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{BAR}" fill="{fill}"/><text x="{:.1}" y="{:.1}" font-size="12" fill="#1a1a1a">{}</text>"##,
            LABEL - 6.0,
            y + BAR - 5.0,
            xml(label),
            x(value.min(0.0)),
            (x(value.max(0.0)) - x(value.min(0.0))).max(1.0),
            x(value.max(0.0)) + 4.0,
            y + BAR - 5.0,
            xml(&shown),
        ));
        let status_word = IndicatorStatus::parse(status)
            .map(|s| format!(" ({})", s.label().to_lowercase()))
            .unwrap_or_default();
        words.push(format!("{label}: {shown}{status_word}"));
    }
    let bottom = top + bars.len() as f64 * (BAR + GAP);
    if min < 0.0 {
        svg.push_str(&format!(
            r##"<line x1="{0:.1}" y1="{top:.1}" x2="{0:.1}" y2="{bottom:.1}" stroke="#1a1a1a" stroke-width="1"/>"##,
            x(0.0)
        ));
    }
    if let Some(t) = target {
        svg.push_str(&format!(
            r##"<line x1="{0:.1}" y1="{top:.1}" x2="{0:.1}" y2="{bottom:.1}" stroke="#1a1a1a" stroke-width="2" stroke-dasharray="6 3"/><text x="{0:.1}" y="{1:.1}" font-size="12" text-anchor="{3}" fill="#1a1a1a">streefwaarde {2}</text>"##,
            x(t),
            bottom + 16.0,
            xml(&with_unit(t, unit)),
            if x(t) < LABEL + plot / 2.0 { "start" } else { "end" },
        ));
    }
    svg.push_str("</svg>");
    let mut alt = format!(
        "{title}. Staafdiagram met {} balken: {}.",
        bars.len(),
        words.join("; ")
    );
    if let Some(t) = target {
        alt.push_str(&format!(" Streefwaarde: {}.", with_unit(t, unit)));
    }
    (svg.replace("{DESC}", &xml(&alt)), alt)
}

/// The sources the snapshot cites: stage steps, cells, quotes, the summary.
fn cited_sources(now: &Snapshot) -> Vec<SourceLine> {
    let mut ids: HashSet<&str> = HashSet::new();
    for p in &now.plans {
        ids.extend(p.stage_source.as_deref());
        ids.extend(p.cells.iter().filter_map(|c| c.source.as_deref()));
        ids.extend(p.update.as_ref().and_then(|u| u.source.as_deref()));
    }
    ids.extend(now.round.summary_source.as_deref());
    now.sources
        .iter()
        .filter(|s| ids.contains(s.id.as_str()))
        .map(|s| SourceLine {
            title: s.title.clone(),
            date: date_nl(&s.date),
        })
        .collect()
}

/// What moved between `previous` and `now`: traffic lights, stages, the overview's cells and
/// the KPI statuses. Plans or KPI's in only one of the two are not compared.
pub fn changes(previous: Option<&Snapshot>, now: &Snapshot) -> Changes {
    let Some(prev) = previous else {
        return Changes {
            previous: String::new(),
            lights: Vec::new(),
            stages: Vec::new(),
            rollouts: Vec::new(),
            rollouts_total: 0,
            kpis: Vec::new(),
        };
    };
    let before: HashMap<&str, &SnapPlan> = prev.plans.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut lights = Vec::new();
    let mut stages = Vec::new();
    let mut rollouts = Vec::new();
    let mut rollouts_total = 0;
    let index_before = prev.gemeente_index();
    let index_now = now.gemeente_index();
    for p in &now.plans {
        let Some(old) = before.get(p.id.as_str()) else {
            continue;
        };
        let (l0, l1) = (light_of(old), light_of(p));
        if l0 != l1 {
            lights.push(Change {
                what: p.name.clone(),
                detail: String::new(),
                from: LightView::of(l0).label.to_owned(),
                to: LightView::of(l1).label.to_owned(),
            });
        }
        let stage_label = |s: &Option<String>| {
            s.as_deref()
                .and_then(|s| Stage::parse(s).ok())
                .map_or("Niet vermeld", Stage::label)
                .to_owned()
        };
        if old.stage != p.stage {
            stages.push(Change {
                what: p.name.clone(),
                detail: String::new(),
                from: stage_label(&old.stage),
                to: stage_label(&p.stage),
            });
        }
        // A plan whose stage, working area and cells are all the same has the same overview.
        let same_cells = old.cells.len() == p.cells.len()
            && old
                .cells
                .iter()
                .zip(&p.cells)
                .all(|(a, b)| a.gemeente == b.gemeente && a.status == b.status);
        if old.stage == p.stage
            && old.work_areas == p.work_areas
            && old.area == p.area
            && same_cells
        {
            continue;
        }
        // By gemeente id: the two snapshots may list different gemeenten.
        let words = |index: &super::snapshot::Gemeenten<'_>,
                     plan: &SnapPlan|
         -> HashMap<String, Overview> {
            index
                .cells(plan)
                .into_iter()
                .map(|(g, w, _)| (index.list[g].id.clone(), w))
                .collect()
        };
        let (was, is) = (words(&index_before, old), words(&index_now, p));
        let mut gemeenten: Vec<&String> = was.keys().chain(is.keys()).collect();
        gemeenten.sort_unstable_by(|a, b| {
            let at = |g: &String| index_now.position(g).unwrap_or(usize::MAX);
            (at(a), *a).cmp(&(at(b), *b))
        });
        gemeenten.dedup();
        for g in gemeenten {
            let (a, b) = (was.get(g).copied(), is.get(g).copied());
            if a != b {
                rollouts_total += 1;
                if rollouts.len() < LISTED_ROLLOUT_CHANGES {
                    let label = |w: Option<Overview>| {
                        w.map_or("Buiten het werkgebied", Overview::label)
                            .to_owned()
                    };
                    rollouts.push(Change {
                        what: p.name.clone(),
                        detail: now.area_name(g),
                        from: label(a),
                        to: label(b),
                    });
                }
            }
        }
    }
    let mut kpis = Vec::new();
    let old_kpis: HashMap<&str, &SnapKpi> =
        prev.indicators.iter().map(|k| (k.id.as_str(), k)).collect();
    for k in &now.indicators {
        let Some(old) = old_kpis.get(k.id.as_str()) else {
            continue;
        };
        let old_status: HashMap<&str, &str> = old
            .values
            .iter()
            .map(|v| (v.area.as_str(), v.status.as_str()))
            .collect();
        for v in &k.values {
            let was = old_status
                .get(v.area.as_str())
                .copied()
                .unwrap_or("geen-data");
            if was != v.status {
                kpis.push(Change {
                    what: k.name.clone(),
                    detail: now.area_name(&v.area),
                    from: status_view(was).0,
                    to: status_view(&v.status).0,
                });
            }
        }
    }
    Changes {
        previous: Period::parse(&prev.period)
            .map_or_else(|_| prev.period.clone(), Period::label_nl),
        lights,
        stages,
        rollouts,
        rollouts_total,
        kpis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_runs_from_zero_to_its_value_and_the_words_say_the_same() {
        let bars = vec![
            ("Houten".to_owned(), -2.0, "achter"),
            ("Zeist".to_owned(), 3.0, "op-koers"),
        ];
        let (svg, alt) = value_chart("kpi", "Verwijzingen", &bars, Some(-7.0), Some("%"));
        // Scale -7 .. 3 over the plot: zero sits at 70 % of it.
        assert!(svg.contains("<title id=\"grafiek-kpi-titel\">Verwijzingen</title>"));
        assert_eq!(
            alt,
            "Verwijzingen. Staafdiagram met 2 balken: Houten: -2 % (achter); Zeist: 3 % (op koers). Streefwaarde: -7 %."
        );
        assert!(svg.contains("streefwaarde -7 %"));
        assert!(!svg.contains("<script"));
        let escaped = value_chart("k", "A & <b>", &[("x<y".to_owned(), 1.0, "")], None, None).0;
        assert!(escaped.contains("A &amp; &lt;b&gt;") && escaped.contains("x&lt;y"));
    }
}
