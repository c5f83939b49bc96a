//! Storing a checked portfolio in an empty store: one write, so a failure leaves the store as
//! it was, a table at a time in multi-row INSERTs, so the national data set of
//! `regiomonitor generate` (thousands of plans, a hundred thousand cells) stores as fast as
//! the demo does. The same code stores the demo, an imported folder and generated data.

use std::collections::HashMap;

use super::audit::{Actor, Reason, Subject};
use super::write_path::{AuditEntry, RecordField, Refusal, Value as V, Write};
use super::{Store, StoreError};
use crate::features::areas::model::AreaField;
use crate::features::framework::model::FrameworkField;
use crate::features::indicators::model::IndicatorField;
use crate::features::organisations::model::OrganisationField;
use crate::features::plans::model::PlanField;
use crate::features::plans::repo::plan_columns;
use crate::import::Portfolio;

/// What a load stored, for the command line's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportCounts {
    pub areas: usize,
    pub plans: usize,
    pub rollouts: usize,
    pub stage_changes: usize,
    pub milestones: usize,
    pub indicators: usize,
}

/// The example observations the demo starts with (data/voorbeeld/metingen-demo.csv), all
/// marked as example values.
pub const DEMO_OBSERVATIONS: &str = include_str!("../../data/voorbeeld/metingen-demo.csv");

impl Store {
    /// Loads the demo: the portfolio of the source documents and, marked as examples, the
    /// observations of `DEMO_OBSERVATIONS`, through the same checks as any import.
    pub async fn load_demo(&self, actor: &Actor) -> Result<ImportCounts, StoreError> {
        let portfolio = crate::import::Bundle::demo()
            .check()
            .map_err(|p| StoreError::Refused(Refusal::general(p.to_string())))?;
        let counts = self.import_portfolio(actor, &portfolio).await?;
        let indicators = self.indicators().await?;
        let areas = self.areas().await?;
        let mut cx = crate::import::observations::Context::new(&indicators, &areas, |_| true);
        cx.examples = true;
        let mut rows = Vec::new();
        let text = DEMO_OBSERVATIONS.as_bytes();
        let report = crate::import::observations::check(text, text, &cx, |o| rows.push(o));
        if !report.is_ok() {
            let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
            return Err(StoreError::Refused(Refusal::general(format!(
                "metingen-demo.csv: {}",
                problems.join("; ")
            ))));
        }
        self.import_observations(
            actor,
            "data/voorbeeld/metingen-demo.csv (voorbeeldwaarden)",
            rows,
            |_| {},
        )
        .await?;
        self.load_demo_rounds(actor).await?;
        self.load_demo_meetings(actor).await?;
        Ok(counts)
    }

    /// Stores a whole portfolio in an empty store. A store that already holds plans is left
    /// alone: loading twice would mix two portfolios.
    pub async fn import_portfolio(
        &self,
        actor: &Actor,
        p: &Portfolio,
    ) -> Result<ImportCounts, StoreError> {
        let mut w = self.begin_import(actor).await?;
        insert_all(&mut w, p).await?;
        w.audit_bulk(created_entries(p)).await?;
        // Every record is new: one rebuild, a batch at a time, instead of a refresh per record.
        w.rebuild_search_index();
        w.commit().await?;
        Ok(ImportCounts::of(p))
    }

    /// Begins the write of a whole portfolio, refused when the store already holds one.
    pub(super) async fn begin_import<'s>(
        &'s self,
        actor: &'s Actor,
    ) -> Result<Write<'s>, StoreError> {
        let reason = Reason {
            comment: Some("ingelezen".into()),
            source: None,
        };
        let mut w = self.write(actor, &reason).await?;
        let (existing,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM areas")
            .fetch_one(w.conn())
            .await?;
        if existing > 0 {
            return Err(StoreError::Refused(Refusal::general(
                "deze database bevat al een portfolio; laad de gegevens in een lege database (er is niets veranderd)",
            )));
        }
        Ok(w)
    }
}

impl ImportCounts {
    pub(super) fn of(p: &Portfolio) -> Self {
        Self {
            areas: p.areas.len(),
            plans: p.plans.len(),
            rollouts: p.plans.iter().map(|p| p.rollouts.len()).sum(),
            stage_changes: p.plans.iter().map(|p| p.history.len()).sum(),
            milestones: p.plans.iter().map(|p| p.milestones.len()).sum(),
            indicators: p.indicators.len(),
        }
    }
}

/// One "aangemaakt" entry per record an import creates, so the trail starts where the data
/// does.
pub(super) fn created_entries(p: &Portfolio) -> Vec<AuditEntry> {
    let subject = |id: &str, label: &str| Subject {
        record_id: id.to_owned(),
        record_label: label.to_owned(),
        ..Subject::default()
    };
    let created = Some(crate::store::write_path::CREATED.to_owned());
    let mut entries = Vec::new();
    for a in &p.areas {
        let s = Subject {
            area_id: Some(a.id.clone()),
            ..subject(&a.id, &a.name)
        };
        entries.push(AuditEntry::new(AreaField::Record, s, None, created.clone()));
    }
    for f in &p.framework {
        let s = subject(&f.id, &f.name);
        entries.push(AuditEntry::new(
            FrameworkField::Record,
            s,
            None,
            created.clone(),
        ));
    }
    for o in &p.organisations {
        let s = Subject {
            organisation_id: Some(o.id.clone()),
            ..subject(&o.id, &o.name)
        };
        entries.push(AuditEntry::new(
            OrganisationField::Record,
            s,
            None,
            created.clone(),
        ));
    }
    for plan in &p.plans {
        let s = Subject {
            plan_id: Some(plan.id.clone()),
            ..subject(&plan.id, &plan.fields.name)
        };
        entries.push(AuditEntry::new(PlanField::Record, s, None, created.clone()));
    }
    for i in &p.indicators {
        let s = Subject {
            indicator_id: Some(i.id.clone()),
            ..subject(&i.id, &i.fields.name)
        };
        entries.push(AuditEntry::new(
            IndicatorField::Record,
            s,
            None,
            created.clone(),
        ));
    }
    entries
}

fn t(s: &str) -> V {
    V::Text(Some(s.to_owned()))
}

fn ot(s: Option<&str>) -> V {
    V::Text(s.map(str::to_owned))
}

fn i(n: i64) -> V {
    V::Int(Some(n))
}

fn position(n: usize) -> V {
    i(i64::try_from(n).unwrap_or(i64::MAX))
}

async fn insert_all(w: &mut Write<'_>, p: &Portfolio) -> Result<(), sqlx::Error> {
    w.insert_rows(
        "sources",
        p.sources.iter().map(|s| {
            [
                ("id", t(&s.id)),
                ("title", t(&s.title)),
                ("date", t(&s.date.to_string())),
                ("note", ot(s.note.as_deref())),
            ]
        }),
    )
    .await?;
    w.insert_rows(
        "areas",
        p.areas.iter().enumerate().map(|(n, a)| {
            [
                ("id", t(&a.id)),
                ("kind", t(a.kind.code())),
                ("name", t(&a.name)),
                ("parent_id", ot(a.parent_id.as_deref())),
                ("position", position(n)),
                ("source_id", ot(a.source_id.as_deref())),
            ]
        }),
    )
    .await?;
    w.insert_rows(
        "framework_items",
        p.framework.iter().enumerate().map(|(n, f)| {
            [
                ("id", t(&f.id)),
                ("kind", t(f.kind.code())),
                ("number", V::Int(f.number)),
                ("name", t(&f.name)),
                ("description", ot(f.description.as_deref())),
                ("source_id", ot(f.source_id.as_deref())),
                ("position", position(n)),
            ]
        }),
    )
    .await?;
    w.insert_rows(
        "transformation_principles",
        p.transformation_principles
            .iter()
            .map(|(tr, pr)| [("transformation_id", t(tr)), ("principle_id", t(pr))]),
    )
    .await?;
    w.insert_rows(
        "funding_sources",
        p.funding_sources.iter().map(|f| {
            [
                ("id", t(&f.id)),
                ("name", t(&f.name)),
                ("description", ot(f.description.as_deref())),
                ("kind", ot(f.kind.map(|k| k.code()))),
            ]
        }),
    )
    .await?;
    w.insert_rows(
        "organisations",
        p.organisations.iter().map(|o| {
            [
                ("id", t(&o.id)),
                ("name", t(&o.name)),
                ("kind", t(o.kind.code())),
                ("website", ot(o.website.as_deref())),
            ]
        }),
    )
    .await?;
    w.insert_rows(
        "bodies",
        p.bodies.iter().enumerate().map(|(n, b)| {
            [
                ("id", t(&b.id)),
                ("name", t(&b.name)),
                ("level", t(b.level.code())),
                ("kind", ot(b.kind.map(|k| k.code()))),
                ("escalates_to", ot(b.escalates_to.as_deref())),
                (
                    "escalates_assumption",
                    ot(b.escalates_assumption.as_deref()),
                ),
                ("area_id", ot(b.area_id.as_deref())),
                ("description", ot(b.description.as_deref())),
                ("position", position(n)),
                ("source_id", ot(b.source_id.as_deref())),
            ]
        }),
    )
    .await?;

    insert_plans(w, p).await?;

    for (n, indicator) in p.indicators.iter().enumerate() {
        crate::features::indicators::repo::insert_indicator(
            w.conn(),
            indicator,
            i64::try_from(n).unwrap_or(i64::MAX),
        )
        .await?;
    }
    // Parents last, so a child may come before its parent.
    for plan in p.plans.iter().filter(|p| p.fields.parent_id.is_some()) {
        sqlx::query("UPDATE plans SET parent_id = $1 WHERE id = $2")
            .bind(&plan.fields.parent_id)
            .bind(&plan.id)
            .execute(w.conn())
            .await?;
    }
    insert_assumptions(w, p).await
}

/// The aannames of plans and KPI's, under the record type of their field declarations.
async fn insert_assumptions(w: &mut Write<'_>, p: &Portfolio) -> Result<(), sqlx::Error> {
    let plans = p.plans.iter().flat_map(|plan| {
        plan.assumptions
            .iter()
            .map(move |a| (PlanField::RECORD, plan.id.as_str(), a))
    });
    let indicators = p.indicators.iter().flat_map(|i| {
        i.assumptions
            .iter()
            .map(move |a| (IndicatorField::RECORD, i.id.as_str(), a))
    });
    w.insert_rows(
        "assumptions",
        plans.chain(indicators).map(|(record, id, a)| {
            [
                ("record_type", t(record)),
                ("record_id", t(id)),
                ("field", t(a.field)),
                ("reason", t(&a.reason)),
            ]
        }),
    )
    .await
}

async fn insert_plans(w: &mut Write<'_>, p: &Portfolio) -> Result<(), sqlx::Error> {
    // The plan's own columns come from the same list a save writes; the parent follows
    // once every plan exists.
    w.insert_rows(
        "plans",
        p.plans.iter().enumerate().map(|(n, plan)| {
            let mut row = plan_columns(&plan.fields);
            row.extend([
                ("id", t(&plan.id)),
                ("stage", ot(plan.stage.map(|s| s.code()))),
                ("position", position(n)),
            ]);
            row
        }),
    )
    .await?;

    // Lead and parties, first mention wins (as ON CONFLICT DO NOTHING in the import).
    let mut rows = Vec::new();
    for plan in &p.plans {
        let mut seen = std::collections::HashSet::new();
        let roles = plan
            .fields
            .leads
            .iter()
            .map(|o| (o, "trekker"))
            .chain(plan.fields.parties.iter().map(|o| (o, "betrokken")));
        for (n, (organisation, role)) in roles.enumerate() {
            if seen.insert((organisation.as_str(), role)) {
                rows.push([
                    ("plan_id", t(&plan.id)),
                    ("organisation_id", t(organisation)),
                    ("role", t(role)),
                    ("position", position(n)),
                ]);
            }
        }
    }
    w.insert_rows("plan_organisations", rows).await?;

    w.insert_rows(
        "plan_framework",
        p.plans.iter().flat_map(|plan| {
            plan.fields
                .framework
                .iter()
                .map(|f| [("plan_id", t(&plan.id)), ("item_id", t(f))])
        }),
    )
    .await?;

    let mut rows = Vec::new();
    for plan in &p.plans {
        let mut seen = std::collections::HashSet::new();
        for f in &plan.fields.funding {
            if seen.insert(f.as_str()) {
                rows.push([("plan_id", t(&plan.id)), ("funding_source_id", t(f))]);
            }
        }
    }
    w.insert_rows("plan_funding", rows).await?;

    w.insert_rows(
        "plan_areas",
        p.plans.iter().flat_map(|plan| {
            plan.fields.work_areas.iter().enumerate().map(|(n, a)| {
                [
                    ("plan_id", t(&plan.id)),
                    ("area_id", t(a)),
                    ("position", position(n)),
                ]
            })
        }),
    )
    .await?;

    w.insert_rows(
        "plan_links",
        p.plans.iter().flat_map(|plan| {
            plan.fields
                .links
                .iter()
                .enumerate()
                .map(|(n, (title, url))| {
                    [
                        ("plan_id", t(&plan.id)),
                        ("position", position(n)),
                        ("title", t(title)),
                        ("url", t(url)),
                    ]
                })
        }),
    )
    .await?;

    // Every rollout goes into the history; the last one per gemeente is the current cell.
    w.insert_rows(
        "rollout_history",
        p.plans.iter().flat_map(|plan| {
            plan.rollouts.iter().map(|r| {
                [
                    ("plan_id", t(&plan.id)),
                    ("gemeente_id", t(&r.gemeente_id)),
                    ("status", t(r.status.code())),
                    ("note", ot(r.note.as_deref())),
                    ("date", t(&r.date.to_string())),
                    ("source_id", ot(r.source_id.as_deref())),
                    ("assumption", ot(r.assumption.as_deref())),
                    ("ends_on", V::Text(r.date.ends_on())),
                ]
            })
        }),
    )
    .await?;
    let mut rows = Vec::new();
    for plan in &p.plans {
        let mut last: HashMap<&str, &crate::import::Rollout> = HashMap::new();
        let mut order = Vec::new();
        for r in &plan.rollouts {
            if last.insert(r.gemeente_id.as_str(), r).is_none() {
                order.push(r.gemeente_id.as_str());
            }
        }
        for g in order {
            let r = last[g];
            rows.push([
                ("plan_id", t(&plan.id)),
                ("gemeente_id", t(g)),
                ("status", t(r.status.code())),
                ("district_id", ot(r.district_id.as_deref())),
                ("note", ot(r.note.as_deref())),
                ("date", t(&r.date.to_string())),
                ("source_id", ot(r.source_id.as_deref())),
                ("assumption", ot(r.assumption.as_deref())),
            ]);
        }
    }
    w.insert_rows("rollouts", rows).await?;

    w.insert_rows(
        "stage_history",
        p.plans.iter().flat_map(|plan| {
            plan.history.iter().map(|h| {
                [
                    ("plan_id", t(&plan.id)),
                    ("stage", t(h.stage.code())),
                    ("note", ot(h.note.as_deref())),
                    ("date", t(&h.date.to_string())),
                    ("source_id", ot(h.source_id.as_deref())),
                    ("assumption", ot(h.assumption.as_deref())),
                    ("ends_on", V::Text(h.date.ends_on())),
                ]
            })
        }),
    )
    .await?;

    w.insert_rows(
        "milestones",
        p.plans.iter().flat_map(|plan| {
            plan.milestones.iter().map(|m| {
                [
                    ("plan_id", t(&plan.id)),
                    ("title", t(&m.title)),
                    (
                        "period",
                        V::Text(m.period.is_known().then(|| m.period.to_string())),
                    ),
                    (
                        "period_start",
                        V::Text(m.period.start().map(|d| d.to_string())),
                    ),
                    ("theme_id", ot(m.theme_id.as_deref())),
                    ("note", ot(m.note.as_deref())),
                    ("source_id", ot(m.source_id.as_deref())),
                    ("status", t(m.status.code())),
                    (
                        "status_date",
                        V::Text(m.status_date.is_known().then(|| m.status_date.to_string())),
                    ),
                    ("status_source_id", ot(m.status_source_id.as_deref())),
                    ("assumption", ot(m.assumption.as_deref())),
                ]
            })
        }),
    )
    .await?;
    // Each milestone's first step: the status the file gives, on its date. The store was
    // empty, so every milestone is one of this import.
    sqlx::query(
        "INSERT INTO milestone_history (milestone_id, status, period, date, source_id, recorded_at)
         SELECT id, status, period, COALESCE(status_date, 'onbekend'), status_source_id, $1
           FROM milestones",
    )
    .bind(crate::store::now_text())
    .execute(w.conn())
    .await?;

    let amount = |a: &crate::features::finance::model::Amount| {
        [
            V::Int(a.cents.map(|c| c.0)),
            V::Text(a.date.map(|d| d.to_string())),
            ot(a.source_id.as_deref()),
        ]
    };
    w.insert_rows(
        "budgets",
        p.plans.iter().flat_map(|plan| {
            plan.budgets.iter().map(move |b| {
                let [rc, rd, rs] = amount(&b.requested);
                let [gc, gd, gs] = amount(&b.granted);
                let [sc, sd, ss] = amount(&b.spent);
                [
                    ("plan_id", t(&plan.id)),
                    ("funding_source_id", t(&b.funding_source_id)),
                    ("year", i(i64::from(b.year))),
                    ("state", ot(b.state.map(|s| s.code()))),
                    ("state_date", V::Text(b.state_date.map(|d| d.to_string()))),
                    ("requested_cents", rc),
                    ("requested_date", rd),
                    ("requested_source_id", rs),
                    ("granted_cents", gc),
                    ("granted_date", gd),
                    ("granted_source_id", gs),
                    ("spent_cents", sc),
                    ("spent_date", sd),
                    ("spent_source_id", ss),
                    ("note", ot(b.note.as_deref())),
                    ("source_id", ot(b.source_id.as_deref())),
                    ("assumption", ot(b.assumption.as_deref())),
                    ("is_example", i(i64::from(b.is_example))),
                ]
            })
        }),
    )
    .await?;
    // Capacities are few (one per plan and year at most) and hold a fraction: one statement
    // each.
    for plan in &p.plans {
        for c in &plan.capacities {
            sqlx::query(
                "INSERT INTO capacities (plan_id, year, amount, unit, assessment, note, date, source_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(plan.id.clone())
            .bind(i64::from(c.year))
            .bind(c.amount.map(|(v, _)| v))
            .bind(c.amount.map(|(_, u)| u.code()))
            .bind(c.assessment.map(|a| a.code()))
            .bind(c.note.clone())
            .bind(c.date.map(|d| d.to_string()))
            .bind(c.source_id.clone())
            .execute(w.conn())
            .await?;
        }
    }
    Ok(())
}
