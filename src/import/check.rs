//! Turns the files of a portfolio into a checked [`Portfolio`], collecting every problem.

use std::collections::{HashMap, HashSet};

use toml::Spanned;

use super::files::{GemeenteRow, PlanRow, TomlFile};
use super::lines::LineBreaks;
use super::{
    Area, Assumption, Body, FrameworkItem, FundingSource, Milestone, Organisation, Plan,
    PlanFields, Portfolio, Problem, Problems, Rollout, Source, StageChange,
};
use crate::domain::{
    AreaKind, EscalationLevel, FactDate, FrameworkKind, FundingKind, Gemeentecode, MilestoneStatus,
    NetworkRole, OrganisationKind, ParseError, Phase, PlanKind, RolloutStatus, Slug, Stage,
};
use crate::features::plans::model::PlanField;
use crate::features::plans::texts::plan_texts;
use crate::store::RecordField;

mod indicators;
mod money;
mod texts;

/// Where a record was found, for messages.
#[derive(Clone)]
struct At {
    file: String,
    line: Option<usize>,
    record: String,
}

struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn report(&mut self, at: &At, message: impl Into<String>) {
        self.problems.push(Problem {
            file: at.file.clone(),
            line: at.line,
            record: Some(at.record.clone()),
            message: message.into(),
        });
    }

    /// Keeps the value of a parse, or records its message under the field's name.
    fn field<T>(&mut self, at: &At, field: &str, result: Result<T, ParseError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.report(at, format!("veld {field}: {e}"));
                None
            }
        }
    }

    fn slug(&mut self, at: &At, value: &str) -> String {
        self.field(at, "id", Slug::parse(value));
        value.to_owned()
    }

    fn reference(
        &mut self,
        at: &At,
        field: &str,
        value: &str,
        known: &HashSet<String>,
        what: &str,
    ) -> bool {
        if known.contains(value) {
            true
        } else {
            self.report(at, format!("veld {field}: \"{value}\" is geen bekende {what}; voeg die toe of verbeter de id"));
            false
        }
    }

    fn source(
        &mut self,
        at: &At,
        value: Option<&String>,
        sources: &HashSet<String>,
    ) -> Option<String> {
        let value = value?;
        self.reference(at, "bron", value, sources, "bron (zie [[bron]])")
            .then(|| value.clone())
    }

    /// A record's `aannames` (file key → reason): each key names a field of the record that
    /// has a value (`field_of` gives the field and whether it has one) and has a reason.
    /// Keys that belong to one field (a target's value and its period) share its entry.
    fn assumptions<F: RecordField>(
        &mut self,
        at: &At,
        given: &std::collections::BTreeMap<String, String>,
        field_of: impl Fn(&str) -> Option<(F, bool)>,
    ) -> Vec<Assumption> {
        let mut found: Vec<Assumption> = Vec::new();
        for (key, reason) in given {
            let reason = reason.trim();
            match field_of(key) {
                None => self.report(
                    at,
                    format!("aannames: \"{key}\" is geen veld van dit record; gebruik de naam van een veld dat het record heeft"),
                ),
                Some((_, false)) => self.report(
                    at,
                    format!("aannames: het veld {key} is leeg; een aanname hoort bij een ingevulde waarde, laat het veld anders leeg zonder aanname"),
                ),
                Some(_) if reason.is_empty() => self.report(
                    at,
                    format!("aannames: geef bij {key} de reden van de aanname"),
                ),
                Some((field, true)) => match found.iter_mut().find(|a| a.field == field.code()) {
                    Some(a) => {
                        a.reason.push(' ');
                        a.reason.push_str(reason);
                    }
                    None => found.push(Assumption {
                        field: field.code(),
                        reason: reason.to_owned(),
                    }),
                },
            }
        }
        found
    }

    fn unique(&mut self, seen: &mut HashMap<String, At>, at: &At, id: &str) {
        if let Some(first) = seen.get(id) {
            let line = first
                .line
                .map(|l| format!(", regel {l}"))
                .unwrap_or_default();
            let message = format!(
                "de id \"{id}\" komt al voor in {}{line}; elke id moet uniek zijn",
                first.file
            );
            self.report(at, message);
        } else {
            seen.insert(id.to_owned(), at.clone());
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |t| t.matches('\n').count() + 1)
}

fn trimmed(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The rows of gemeenten.csv, each with its line; a line that does not fit the columns is a
/// problem on that line.
fn read_gemeenten(c: &mut Checker, name: &str, text: &str, into: &mut Vec<(At, GemeenteRow)>) {
    let mut reader = csv::Reader::from_reader(LineBreaks::new(text.as_bytes()));
    let headers = reader.headers().cloned();
    let mut record = csv::StringRecord::new();
    loop {
        let read = reader.read_record(&mut record);
        let position = match &read {
            Ok(_) => record.position(),
            Err(e) => e.position(),
        };
        let line = usize::try_from(reader.get_mut().line_of(position)).ok();
        let row = match read {
            Ok(false) => break,
            Ok(true) => headers.as_ref().map_err(|e| e.to_string()).and_then(|h| {
                record
                    .deserialize::<GemeenteRow>(Some(h))
                    .map_err(|e| e.to_string())
            }),
            Err(e) => Err(e.to_string()),
        };
        match row {
            Ok(row) => into.push((
                At {
                    file: name.to_owned(),
                    line,
                    record: format!("gemeente \"{}\"", row.gemeente),
                },
                row,
            )),
            Err(e) => c.problems.push(Problem {
                file: name.to_owned(),
                line,
                record: None,
                message: format!(
                    "de regel past niet bij de kolommen cbs_code,gemeente,subregio: {e}"
                ),
            }),
        }
    }
}

pub(super) fn check(files: &[(String, String)]) -> Result<Portfolio, Problems> {
    let mut c = Checker {
        problems: Vec::new(),
    };
    let mut tomls: Vec<(&str, &str, TomlFile)> = Vec::new();
    let mut gemeenten: Vec<(At, GemeenteRow)> = Vec::new();
    let mut has_csv = false;

    for (name, text) in files {
        if name.ends_with(".toml") {
            c.problems.extend(texts::problems(name, text));
            match toml::from_str::<TomlFile>(text) {
                Ok(parsed) => tomls.push((name, text, parsed)),
                Err(e) => c.problems.push(Problem {
                    file: name.clone(),
                    line: e.span().map(|s| line_of(text, s.start)),
                    record: None,
                    message: format!("dit is geen geldige TOML: {}", e.message()),
                }),
            }
        } else if name == "gemeenten.csv" {
            has_csv = true;
            read_gemeenten(&mut c, name, text, &mut gemeenten);
        }
    }
    if !has_csv {
        c.problems.push(Problem::file(
            "gemeenten.csv".into(),
            "het bestand ontbreekt; het noemt de gemeenten met CBS-code en subregio".into(),
        ));
    }

    // Helper to walk one kind of table over all files with its location.
    fn rows<'a, T>(
        tomls: &'a [(&str, &str, TomlFile)],
        pick: impl Fn(&'a TomlFile) -> &'a [Spanned<T>],
        kind: &str,
        id: impl Fn(&T) -> &str + Copy,
    ) -> Vec<(At, &'a T)> {
        tomls
            .iter()
            .flat_map(|(name, text, file)| {
                pick(file).iter().map(move |row| {
                    let at = At {
                        file: (*name).to_owned(),
                        line: Some(line_of(text, row.span().start)),
                        record: format!("{kind} \"{}\"", id(row.get_ref())),
                    };
                    (at, row.get_ref())
                })
            })
            .collect()
    }

    // Sources.
    let mut seen = HashMap::new();
    let mut sources = Vec::new();
    for (at, row) in rows(&tomls, |f| &f.bron, "bron", |r| &r.id) {
        let id = c.slug(&at, &row.id);
        c.unique(&mut seen, &at, &id);
        if let Some(date) = c.field(&at, "datum", FactDate::parse(&row.datum)) {
            sources.push(Source {
                id,
                title: row.titel.trim().to_owned(),
                date,
                note: trimmed(&row.toelichting),
            });
        }
    }
    let source_ids: HashSet<String> = sources.iter().map(|s| s.id.clone()).collect();

    // Areas: exactly one regio, its subregio's, the gemeenten of the CSV, wijken.
    let mut areas = Vec::new();
    let mut area_seen = HashMap::new();
    let regions: Vec<_> = tomls
        .iter()
        .filter_map(|(name, text, f)| {
            f.regio.as_ref().map(|r| {
                let at = At {
                    file: (*name).to_owned(),
                    line: Some(line_of(text, r.span().start)),
                    record: format!("regio \"{}\"", r.get_ref().id),
                };
                (at, r.get_ref())
            })
        })
        .collect();
    let region_id = match regions.as_slice() {
        [(at, row)] => {
            let id = c.slug(at, &row.id);
            let source_id = c.source(at, row.bron.as_ref(), &source_ids);
            c.unique(&mut area_seen, at, &id);
            areas.push(Area {
                id: id.clone(),
                kind: AreaKind::Region,
                name: row.naam.trim().to_owned(),
                parent_id: None,
                source_id,
            });
            Some(id)
        }
        [] => {
            c.problems.push(Problem::file(
                "gebieden.toml".into(),
                "er is geen [regio]; noem de regio met id en naam".into(),
            ));
            None
        }
        [_, (at, _), ..] => {
            c.report(at, "er mag maar één [regio] zijn");
            None
        }
    };
    let mut subregion_by_name = HashMap::new();
    for (at, row) in rows(&tomls, |f| &f.subregio, "subregio", |r| &r.id) {
        let id = c.slug(&at, &row.id);
        c.unique(&mut area_seen, &at, &id);
        let source_id = c.source(&at, row.bron.as_ref(), &source_ids);
        subregion_by_name.insert(row.naam.trim().to_lowercase(), id.clone());
        areas.push(Area {
            id,
            kind: AreaKind::Subregion,
            name: row.naam.trim().to_owned(),
            parent_id: region_id.clone(),
            source_id,
        });
    }
    let mut gemeente_parent: HashMap<String, String> = HashMap::new();
    for (at, row) in &gemeenten {
        let Some(code) = c.field(at, "cbs_code", Gemeentecode::parse(&row.cbs_code)) else {
            continue;
        };
        let code = code.to_string();
        c.unique(&mut area_seen, at, &code);
        match subregion_by_name.get(&row.subregio.trim().to_lowercase()) {
            Some(parent) => {
                gemeente_parent.insert(code.clone(), parent.clone());
                areas.push(Area {
                    id: code,
                    kind: AreaKind::Municipality,
                    name: row.gemeente.trim().to_owned(),
                    parent_id: Some(parent.clone()),
                    source_id: None,
                });
            }
            None => c.report(
                at,
                format!(
                    "kolom subregio: \"{}\" is geen subregio uit gebieden.toml",
                    row.subregio
                ),
            ),
        }
    }
    let mut district_parent: HashMap<String, String> = HashMap::new();
    for (at, row) in rows(&tomls, |f| &f.wijk, "wijk", |r| &r.id) {
        let id = c.slug(&at, &row.id);
        c.unique(&mut area_seen, &at, &id);
        let source_id = c.source(&at, row.bron.as_ref(), &source_ids);
        let Some(code) = c.field(&at, "gemeente", Gemeentecode::parse(&row.gemeente)) else {
            continue;
        };
        if gemeente_parent.contains_key(code.as_str()) {
            district_parent.insert(id.clone(), code.to_string());
            areas.push(Area {
                id,
                kind: AreaKind::District,
                name: row.naam.trim().to_owned(),
                parent_id: Some(code.to_string()),
                source_id,
            });
        } else {
            c.report(
                &at,
                format!("veld gemeente: {code} staat niet in gemeenten.csv"),
            );
        }
    }

    // The framework.
    let mut framework = Vec::new();
    let mut framework_seen = HashMap::new();
    let mut kinds: HashMap<String, FrameworkKind> = HashMap::new();
    let mut pending_principles = Vec::new();
    let tables: [(FrameworkKind, FrameworkTable); 5] = [
        (FrameworkKind::Principle, |f| &f.principe),
        (FrameworkKind::Transformation, |f| &f.transformatie),
        (FrameworkKind::Theme, |f| &f.opgave),
        (FrameworkKind::Foundation, |f| &f.fundament),
        (FrameworkKind::Accord, |f| &f.akkoord),
    ];
    for (kind, pick) in tables {
        for (at, row) in rows(&tomls, pick, kind.code(), |r| &r.id) {
            let id = c.slug(&at, &row.id);
            c.unique(&mut framework_seen, &at, &id);
            let source_id = c.source(&at, row.bron.as_ref(), &source_ids);
            if !row.principes.is_empty() {
                if kind == FrameworkKind::Transformation {
                    pending_principles.push((at.clone(), id.clone(), row.principes.clone()));
                } else {
                    c.report(
                        &at,
                        "veld principes: alleen een transformatie verwijst naar principes",
                    );
                }
            }
            kinds.insert(id.clone(), kind);
            framework.push(FrameworkItem {
                id,
                kind,
                number: row.nummer,
                name: row.naam.trim().to_owned(),
                description: trimmed(&row.omschrijving),
                source_id,
            });
        }
    }
    let ids_of = |kind: FrameworkKind| -> HashSet<String> {
        kinds
            .iter()
            .filter(|(_, k)| **k == kind)
            .map(|(id, _)| id.clone())
            .collect()
    };
    let principle_ids = ids_of(FrameworkKind::Principle);
    let mut transformation_principles = Vec::new();
    for (at, id, principles) in pending_principles {
        for p in principles {
            if c.reference(&at, "principes", &p, &principle_ids, "principe") {
                transformation_principles.push((id.clone(), p));
            }
        }
    }

    let mut funding_seen = HashMap::new();
    let mut funding_sources = Vec::new();
    for (at, row) in rows(
        &tomls,
        |f| &f.financieringsbron,
        "financieringsbron",
        |r| &r.id,
    ) {
        let id = c.slug(&at, &row.id);
        c.unique(&mut funding_seen, &at, &id);
        c.source(&at, row.bron.as_ref(), &source_ids);
        let kind = row
            .soort
            .as_ref()
            .and_then(|k| c.field(&at, "soort", FundingKind::parse(k)));
        funding_sources.push(FundingSource {
            id,
            name: row.naam.trim().to_owned(),
            description: trimmed(&row.omschrijving),
            kind,
        });
    }
    let funding_ids: HashSet<String> = funding_sources.iter().map(|f| f.id.clone()).collect();

    let mut organisation_seen = HashMap::new();
    let mut organisations = Vec::new();
    for (at, row) in rows(&tomls, |f| &f.organisatie, "organisatie", |r| &r.id) {
        let id = c.slug(&at, &row.id);
        c.unique(&mut organisation_seen, &at, &id);
        c.source(&at, row.bron.as_ref(), &source_ids);
        if let Some(kind) = c.field(&at, "soort", OrganisationKind::parse(&row.soort)) {
            organisations.push(Organisation {
                id,
                name: row.naam.trim().to_owned(),
                kind,
                website: trimmed(&row.website),
            });
        }
    }
    let organisation_ids: HashSet<String> = organisations.iter().map(|o| o.id.clone()).collect();

    let subregion_ids: HashSet<String> = subregion_by_name.values().cloned().collect();
    let mut body_seen = HashMap::new();
    let mut bodies = Vec::new();
    let mut ladder_steps = Vec::new();
    for (at, row) in rows(&tomls, |f| &f.overleg, "overleg", |r| &r.id) {
        let id = c.slug(&at, &row.id);
        c.unique(&mut body_seen, &at, &id);
        let source_id = c.source(&at, row.bron.as_ref(), &source_ids);
        let level = match row.niveau.as_str() {
            "regio" => Some(AreaKind::Region),
            "subregio" => Some(AreaKind::Subregion),
            other => {
                c.report(
                    &at,
                    format!("veld niveau: \"{other}\" is geen niveau; kies regio of subregio"),
                );
                None
            }
        };
        let area_id = match (&row.subregio, level) {
            (Some(s), _) => c
                .reference(&at, "subregio", s, &subregion_ids, "subregio")
                .then(|| s.clone()),
            (None, Some(AreaKind::Region)) => region_id.clone(),
            (None, _) => {
                c.report(
                    &at,
                    "veld subregio: een overleg op niveau subregio noemt zijn subregio",
                );
                None
            }
        };
        let kind = row
            .soort
            .as_deref()
            .and_then(|s| c.field(&at, "soort", EscalationLevel::parse(s)));
        ladder_steps.push((
            at.clone(),
            id.clone(),
            trimmed(&row.escaleert_naar),
            trimmed(&row.aanname_escalatie),
        ));
        if let Some(level) = level {
            bodies.push(Body {
                id,
                name: row.naam.trim().to_owned(),
                level,
                kind,
                escalates_to: trimmed(&row.escaleert_naar),
                escalates_assumption: trimmed(&row.aanname_escalatie),
                area_id,
                description: trimmed(&row.omschrijving),
                source_id,
            });
        }
    }
    // The ladders: every step names a body, and no walk up a ladder comes back where it began.
    let next: HashMap<&str, &str> = bodies
        .iter()
        .filter_map(|b| Some((b.id.as_str(), b.escalates_to.as_deref()?)))
        .collect();
    for (at, from, to, assumption) in &ladder_steps {
        if to.is_none() {
            if assumption.is_some() {
                c.report(
                    at,
                    "veld aanname_escalatie: er is geen escaleert_naar; laat de aanname weg of noem het overleg",
                );
            }
            continue;
        }
        let to = to.as_deref().unwrap_or_default();
        if !body_seen.contains_key(to) {
            c.report(
                at,
                format!("veld escaleert_naar: \"{to}\" is geen bekend overleg; noem de id van een [[overleg]]"),
            );
            continue;
        }
        let mut walked = HashSet::new();
        let mut up = Some(to);
        let mut comes_back = false;
        while let Some(b) = up {
            if b == from.as_str() {
                comes_back = true;
                break;
            }
            if !walked.insert(b) {
                break;
            }
            up = next.get(b).copied();
        }
        if comes_back {
            c.report(
                at,
                format!("veld escaleert_naar: via \"{to}\" komt de ladder terug bij dit overleg; een ladder gaat alleen omhoog"),
            );
        }
    }

    // Plans.
    let plan_rows = rows(&tomls, |f| &f.plan, "plan", |r| &r.id);
    let plan_ids: HashSet<String> = plan_rows.iter().map(|(_, r)| r.id.clone()).collect();
    let mut plan_seen = HashMap::new();
    let area_ids: HashSet<String> = areas.iter().map(|a| a.id.clone()).collect();
    let context = PlanContext {
        region_id: region_id.as_deref(),
        area_ids: &area_ids,
        gemeente_parent: &gemeente_parent,
        district_parent: &district_parent,
        kinds: &kinds,
        source_ids: &source_ids,
        funding_ids: &funding_ids,
        organisation_ids: &organisation_ids,
        plan_ids: &plan_ids,
    };
    let mut plans = Vec::new();
    for (at, row) in &plan_rows {
        let id = c.slug(at, &row.id);
        c.unique(&mut plan_seen, at, &id);
        if let Some(plan) = check_plan(&mut c, at, row, &context) {
            plans.push(plan);
        }
    }
    check_parent_cycles(&mut c, &plans, &plan_rows);

    let indicator_rows = rows(&tomls, |f| &f.indicator, "indicator", |r| &r.id);
    let indicators = indicators::check_all(
        &mut c,
        &indicator_rows,
        &indicators::Context {
            kinds: &kinds,
            source_ids: &source_ids,
            organisation_ids: &organisation_ids,
            plan_ids: &plan_ids,
        },
    );

    if c.problems.is_empty() {
        Ok(Portfolio {
            sources,
            areas,
            framework,
            transformation_principles,
            funding_sources,
            organisations,
            bodies,
            plans,
            indicators,
        })
    } else {
        Err(Problems(c.problems))
    }
}

/// Picks one framework table (principe, transformatie, ...) out of a file.
type FrameworkTable = fn(&TomlFile) -> &[Spanned<super::files::FrameworkRow>];

struct PlanContext<'a> {
    region_id: Option<&'a str>,
    area_ids: &'a HashSet<String>,
    gemeente_parent: &'a HashMap<String, String>,
    district_parent: &'a HashMap<String, String>,
    kinds: &'a HashMap<String, FrameworkKind>,
    source_ids: &'a HashSet<String>,
    funding_ids: &'a HashSet<String>,
    organisation_ids: &'a HashSet<String>,
    plan_ids: &'a HashSet<String>,
}

impl PlanContext<'_> {
    /// Whether a gemeente lies inside an area (the regio, its subregio or itself).
    fn gemeente_within(&self, gemeente: &str, area: &str) -> bool {
        Some(area) == self.region_id
            || area == gemeente
            || self
                .gemeente_parent
                .get(gemeente)
                .is_some_and(|p| p == area)
    }
}

fn check_plan(c: &mut Checker, at: &At, row: &PlanRow, cx: &PlanContext<'_>) -> Option<Plan> {
    let kind = c.field(at, "soort", PlanKind::parse(&row.soort));
    let area_id = match row.gebied.trim() {
        "regio" => cx.region_id.map(str::to_owned),
        other => {
            let id = Gemeentecode::parse(other)
                .map(|g| g.to_string())
                .unwrap_or_else(|_| other.to_owned());
            c.reference(
                at,
                "gebied",
                &id,
                cx.area_ids,
                "regio, subregio of gemeente",
            )
            .then_some(id)
        }
    };
    let mut work_areas: Vec<String> = Vec::new();
    for id in &row.werkgebied {
        let id = match id.trim() {
            "regio" => cx.region_id.map_or_else(|| id.clone(), str::to_owned),
            other => Gemeentecode::parse(other)
                .map(|g| g.to_string())
                .unwrap_or_else(|_| other.to_owned()),
        };
        if cx.district_parent.contains_key(&id) {
            c.report(
                at,
                format!("veld werkgebied: \"{id}\" is een wijk; noem de regio, een subregio of een gemeente"),
            );
        } else if c.reference(
            at,
            "werkgebied",
            &id,
            cx.area_ids,
            "regio, subregio of gemeente",
        ) && !work_areas.contains(&id)
        {
            work_areas.push(id);
        }
    }
    if let Some(parent) = &row.ouder {
        if parent == &row.id {
            c.report(at, "veld ouder: een plan kan niet zijn eigen ouder zijn");
        } else {
            c.reference(at, "ouder", parent, cx.plan_ids, "plan");
        }
    }
    let stage = row
        .fase
        .as_deref()
        .and_then(|f| c.field(at, "fase", Stage::parse(f)));
    let network_role = row
        .rol_netwerk
        .as_deref()
        .and_then(|r| c.field(at, "rol_netwerk", NetworkRole::parse(r)));
    let phase = row
        .uitvoering
        .as_deref()
        .and_then(|p| c.field(at, "uitvoering", Phase::parse(p)));
    let source_id = c.source(at, row.bron.as_ref(), cx.source_ids);

    let mut framework = Vec::new();
    let lists: [(&str, &[String], FrameworkKind); 5] = [
        ("akkoorden", &row.akkoorden, FrameworkKind::Accord),
        ("principes", &row.principes, FrameworkKind::Principle),
        (
            "transformaties",
            &row.transformaties,
            FrameworkKind::Transformation,
        ),
        ("opgaven", &row.opgaven, FrameworkKind::Theme),
        ("fundamenten", &row.fundamenten, FrameworkKind::Foundation),
    ];
    for (field, ids, kind) in lists {
        for id in ids {
            match cx.kinds.get(id) {
                Some(k) if *k == kind => {
                    if !framework.contains(id) {
                        framework.push(id.clone());
                    }
                }
                Some(k) => c.report(
                    at,
                    format!(
                        "veld {field}: \"{id}\" is een {} en geen {}",
                        k.label().to_lowercase(),
                        kind.label().to_lowercase()
                    ),
                ),
                None => c.report(
                    at,
                    format!(
                        "veld {field}: \"{id}\" is {}; zie kader.toml",
                        kind.unknown_phrase()
                    ),
                ),
            }
        }
    }
    let mut organisations = |field: &str, ids: &[String]| -> Vec<String> {
        ids.iter()
            .filter(|id| {
                c.reference(
                    at,
                    field,
                    id,
                    cx.organisation_ids,
                    "organisatie (zie [[organisatie]])",
                )
            })
            .cloned()
            .collect()
    };
    let leads = organisations("trekkers", &row.trekkers);
    let parties = organisations("betrokkenen", &row.betrokkenen);
    let funding: Vec<String> = row
        .financiering
        .iter()
        .filter(|id| c.reference(at, "financiering", id, cx.funding_ids, "financieringsbron"))
        .cloned()
        .collect();
    let mut links = Vec::new();
    for (i, link) in row.links.iter().enumerate() {
        let valid =
            url::Url::parse(&link.url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if valid {
            links.push((link.titel.trim().to_owned(), link.url.clone()));
        } else {
            c.report(
                at,
                format!(
                    "links nr. {}: \"{}\" is geen webadres; begin met https://",
                    i + 1,
                    link.url
                ),
            );
        }
    }

    let mut rollouts = Vec::new();
    for (i, r) in row.uitrol.iter().enumerate() {
        let where_ = format!("uitrol nr. {}", i + 1);
        let Some(code) = c.field(
            at,
            &format!("{where_}, gemeente"),
            Gemeentecode::parse(&r.gemeente),
        ) else {
            continue;
        };
        let code = code.to_string();
        if !cx.gemeente_parent.contains_key(&code) {
            c.report(at, format!("{where_}: {code} staat niet in gemeenten.csv"));
            continue;
        }
        if let Some(area) = &area_id {
            let areas: Vec<&String> = if work_areas.is_empty() {
                vec![area]
            } else {
                work_areas.iter().collect()
            };
            if !areas.iter().any(|a| cx.gemeente_within(&code, a)) {
                let names: Vec<&str> = areas.iter().map(|a| a.as_str()).collect();
                c.report(
                    at,
                    format!(
                        "{where_}: gemeente {code} ligt buiten het werkgebied van het plan ({}); voeg het gebied toe aan werkgebied",
                        names.join(", ")
                    ),
                );
            }
        }
        if let Some(w) = &r.wijk
            && cx.district_parent.get(w) != Some(&code)
        {
            c.report(
                at,
                format!("{where_}, wijk: \"{w}\" is geen wijk van {code}"),
            );
        }
        let status = c.field(
            at,
            &format!("{where_}, status"),
            RolloutStatus::parse(&r.status),
        );
        let date = c.field(at, &format!("{where_}, datum"), FactDate::parse(&r.datum));
        let source_id = c.source(at, r.bron.as_ref(), cx.source_ids);
        if let (Some(status), Some(date)) = (status, date) {
            rollouts.push(Rollout {
                gemeente_id: code,
                status,
                district_id: r.wijk.clone(),
                note: trimmed(&r.toelichting),
                date,
                source_id,
                assumption: trimmed(&r.aanname),
            });
        }
    }
    rollouts.sort_by_key(|r| r.date);

    let mut history = Vec::new();
    for (i, h) in row.historie.iter().enumerate() {
        let where_ = format!("historie nr. {}", i + 1);
        let date = c.field(at, &format!("{where_}, datum"), FactDate::parse(&h.datum));
        let stage = c.field(at, &format!("{where_}, fase"), Stage::parse(&h.fase));
        let source_id = c.source(at, h.bron.as_ref(), cx.source_ids);
        if let (Some(date), Some(stage)) = (date, stage) {
            history.push(StageChange {
                date,
                stage,
                note: trimmed(&h.toelichting),
                source_id,
                assumption: trimmed(&h.aanname),
            });
        }
    }
    if history.windows(2).any(|w| w[0].date > w[1].date) {
        c.report(
            at,
            "historie: zet de stappen in volgorde van datum, de oudste eerst",
        );
    }
    let stage = match (stage, history.last()) {
        (Some(s), Some(last)) if s != last.stage => {
            c.report(at, format!("veld fase: \"{}\" verschilt van de laatste stap in de historie (\"{}\"); maak ze gelijk", s.code(), last.stage.code()));
            Some(s)
        }
        (None, Some(last)) => Some(last.stage),
        (s, _) => s,
    };

    let mut milestones = Vec::new();
    for (i, m) in row.mijlpaal.iter().enumerate() {
        let where_ = format!("mijlpaal nr. {}", i + 1);
        let period = match &m.periode {
            Some(p) => match c.field(at, &format!("{where_}, periode"), FactDate::parse(p)) {
                Some(p) => p,
                None => continue,
            },
            None => FactDate::Unknown,
        };
        let theme_id = m.opgave.as_ref().filter(|o| {
            let ok = cx.kinds.get(*o) == Some(&FrameworkKind::Theme);
            if !ok {
                c.report(
                    at,
                    format!(
                        "{where_}, opgave: \"{o}\" is {}",
                        FrameworkKind::Theme.unknown_phrase()
                    ),
                );
            }
            ok
        });
        let source_id = c.source(at, m.bron.as_ref(), cx.source_ids);
        let status = match &m.status {
            Some(s) => c
                .field(at, &format!("{where_}, status"), MilestoneStatus::parse(s))
                .unwrap_or(MilestoneStatus::Planned),
            None => MilestoneStatus::Planned,
        };
        let status_date = match &m.status_datum {
            Some(d) => c
                .field(at, &format!("{where_}, status_datum"), FactDate::parse(d))
                .unwrap_or(FactDate::Unknown),
            None => FactDate::Unknown,
        };
        let status_source_id = match &m.status_bron {
            Some(_) => c.source(at, m.status_bron.as_ref(), cx.source_ids),
            None => source_id.clone(),
        };
        if m.titel.trim().is_empty() {
            c.report(
                at,
                format!("{where_}, titel: een mijlpaal heeft een titel nodig"),
            );
        }
        milestones.push(Milestone {
            title: m.titel.trim().to_owned(),
            period,
            theme_id: theme_id.cloned(),
            note: trimmed(&m.toelichting),
            source_id,
            status,
            status_date,
            status_source_id,
            assumption: trimmed(&m.aanname),
        });
    }

    let budgets = money::budgets(c, at, row, cx.funding_ids, cx.source_ids);
    let capacities = money::capacities(c, at, row, cx.source_ids);

    if row.naam.trim().is_empty() {
        c.report(at, "veld naam: een plan heeft een naam nodig");
    }
    let assumptions = c.assumptions(at, &row.aannames, |key| plan_field_of(row, key));
    Some(Plan {
        id: row.id.clone(),
        assumptions,
        fields: PlanFields {
            name: row.naam.trim().to_owned(),
            kind: kind?,
            parent_id: row.ouder.clone(),
            area_id: area_id?,
            texts: row.texts(),
            network_role,
            is_new: row.nieuw,
            phase,
            source_id,
            // Files are public: internal notes are only written on the website.
            internal_note: None,
            leads,
            parties,
            framework,
            funding,
            links,
            work_areas,
        },
        stage,
        rollouts,
        history,
        milestones,
        budgets,
        capacities,
    })
}

/// Maps a file key of each text to its field, from the one list of a plan's texts.
macro_rules! text_field_of_key {
    ($key:expr ; $($name:ident: $field:ident = $column:literal),* $(,)?) => {
        match $key {
            $($column => Some(PlanField::$field),)*
            _ => None,
        }
    };
}

/// The field a key of a `[[plan]]` names, and whether the row fills it, for its `aannames`.
fn plan_field_of(row: &PlanRow, key: &str) -> Option<(PlanField, bool)> {
    if let Some(field) = plan_texts!(text_field_of_key! { key }) {
        let filled = row
            .texts()
            .entries()
            .iter()
            .any(|(f, v)| *f == field && v.is_some());
        return Some((field, filled));
    }
    let list = |l: &[String]| !l.is_empty();
    Some(match key {
        "naam" => (PlanField::Name, true),
        "soort" => (PlanField::Kind, true),
        "gebied" => (PlanField::Area, true),
        "werkgebied" => (PlanField::WorkAreas, list(&row.werkgebied)),
        "ouder" => (PlanField::Parent, row.ouder.is_some()),
        "trekkers" => (PlanField::Leads, list(&row.trekkers)),
        "betrokkenen" => (PlanField::Parties, list(&row.betrokkenen)),
        "fase" => (
            PlanField::Stage,
            row.fase.is_some() || !row.historie.is_empty(),
        ),
        "financiering" => (PlanField::Funding, list(&row.financiering)),
        "rol_netwerk" => (PlanField::NetworkRole, row.rol_netwerk.is_some()),
        "nieuw" => (PlanField::IsNew, row.nieuw.is_some()),
        "uitvoering" => (PlanField::Phase, row.uitvoering.is_some()),
        "akkoorden" => (PlanField::Accords, list(&row.akkoorden)),
        "principes" => (PlanField::Principles, list(&row.principes)),
        "transformaties" => (PlanField::Transformations, list(&row.transformaties)),
        "opgaven" => (PlanField::Themes, list(&row.opgaven)),
        "fundamenten" => (PlanField::Foundations, list(&row.fundamenten)),
        "links" => (PlanField::Links, !row.links.is_empty()),
        "bron" => (PlanField::Source, row.bron.is_some()),
        _ => return None,
    })
}

/// A plan may not be (a child of) its own descendant.
fn check_parent_cycles(c: &mut Checker, plans: &[Plan], rows: &[(At, &PlanRow)]) {
    let parent: HashMap<&str, &str> = plans
        .iter()
        .filter_map(|p| Some((p.id.as_str(), p.fields.parent_id.as_deref()?)))
        .collect();
    for (at, row) in rows {
        let mut current = row.id.as_str();
        let mut steps = 0;
        while let Some(next) = parent.get(current) {
            steps += 1;
            if *next == row.id || steps > plans.len() {
                c.report(at, "veld ouder: de ouders van dit plan vormen een kring; een plan kan niet onder zichzelf vallen");
                break;
            }
            current = next;
        }
    }
}
