//! Storing a checked portfolio: one transaction, so a failure leaves the store as it was.

use sqlx::AnyConnection;

use super::audit::{Actor, Reason, Subject};
use super::write_path::{AuditEntry, Refusal, Write};
use super::{Store, StoreError};
use crate::features::areas::model::AreaField;
use crate::features::framework::model::FrameworkField;
use crate::features::indicators::model::IndicatorField;
use crate::features::organisations::model::OrganisationField;
use crate::features::plans::model::PlanField;
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
        insert_all(w.conn(), p).await?;
        w.audit_bulk(created_entries(p)).await?;
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
    let created = Some("aangemaakt".to_owned());
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
            ..subject(&plan.id, &plan.name)
        };
        entries.push(AuditEntry::new(PlanField::Record, s, None, created.clone()));
    }
    for i in &p.indicators {
        let s = Subject {
            indicator_id: Some(i.id.clone()),
            ..subject(&i.id, &i.name)
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

fn position(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX)
}

async fn insert_all(conn: &mut AnyConnection, p: &Portfolio) -> Result<(), sqlx::Error> {
    for s in &p.sources {
        sqlx::query("INSERT INTO sources (id, title, date, note) VALUES ($1, $2, $3, $4)")
            .bind(&s.id)
            .bind(&s.title)
            .bind(s.date.to_string())
            .bind(&s.note)
            .execute(&mut *conn)
            .await?;
    }
    for (i, a) in p.areas.iter().enumerate() {
        sqlx::query("INSERT INTO areas (id, kind, name, parent_id, position, source_id) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&a.id)
            .bind(a.kind.code())
            .bind(&a.name)
            .bind(&a.parent_id)
            .bind(position(i))
            .bind(&a.source_id)
            .execute(&mut *conn)
            .await?;
    }
    for (i, f) in p.framework.iter().enumerate() {
        sqlx::query(
            "INSERT INTO framework_items (id, kind, number, name, description, source_id, position)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&f.id)
        .bind(f.kind.code())
        .bind(f.number)
        .bind(&f.name)
        .bind(&f.description)
        .bind(&f.source_id)
        .bind(position(i))
        .execute(&mut *conn)
        .await?;
    }
    for (t, pr) in &p.transformation_principles {
        sqlx::query("INSERT INTO transformation_principles (transformation_id, principle_id) VALUES ($1, $2)")
            .bind(t)
            .bind(pr)
            .execute(&mut *conn)
            .await?;
    }
    for f in &p.funding_sources {
        sqlx::query("INSERT INTO funding_sources (id, name, description) VALUES ($1, $2, $3)")
            .bind(&f.id)
            .bind(&f.name)
            .bind(&f.description)
            .execute(&mut *conn)
            .await?;
    }
    for o in &p.organisations {
        sqlx::query("INSERT INTO organisations (id, name, kind, website) VALUES ($1, $2, $3, $4)")
            .bind(&o.id)
            .bind(&o.name)
            .bind(o.kind.code())
            .bind(&o.website)
            .execute(&mut *conn)
            .await?;
    }
    for (i, b) in p.bodies.iter().enumerate() {
        sqlx::query("INSERT INTO bodies (id, name, level, kind, area_id, description, position, source_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(&b.id)
            .bind(&b.name)
            .bind(b.level.code())
            .bind(b.kind.map(|k| k.code()))
            .bind(&b.area_id)
            .bind(&b.description)
            .bind(position(i))
            .bind(&b.source_id)
            .execute(&mut *conn)
            .await?;
    }
    for (i, plan) in p.plans.iter().enumerate() {
        insert_plan(conn, plan, position(i)).await?;
    }
    for (i, indicator) in p.indicators.iter().enumerate() {
        crate::features::indicators::repo::insert_indicator(conn, indicator, position(i)).await?;
    }
    // Parents last, so a child may come before its parent in the files.
    for plan in p.plans.iter().filter(|p| p.parent_id.is_some()) {
        sqlx::query("UPDATE plans SET parent_id = $1 WHERE id = $2")
            .bind(&plan.parent_id)
            .bind(&plan.id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn insert_plan(
    conn: &mut AnyConnection,
    plan: &crate::import::Plan,
    plan_position: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO plans (id, name, kind, area_id, about, intended_result, activities, asks, current_status,
            lead_text, parties_text, status_text, financing_text, stage, network_role, is_new, phase, source_id, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
    )
    .bind(&plan.id)
    .bind(&plan.name)
    .bind(plan.kind.code())
    .bind(&plan.area_id)
    .bind(&plan.about)
    .bind(&plan.intended_result)
    .bind(&plan.activities)
    .bind(&plan.asks)
    .bind(&plan.current_status)
    .bind(&plan.lead_text)
    .bind(&plan.parties_text)
    .bind(&plan.status_text)
    .bind(&plan.financing_text)
    .bind(plan.stage.map(|s| s.code()))
    .bind(plan.network_role.map(|r| r.code()))
    .bind(plan.is_new.map(i64::from))
    .bind(plan.phase.map(|p| p.code()))
    .bind(&plan.source_id)
    .bind(plan_position)
    .execute(&mut *conn)
    .await?;

    let roles = plan
        .leads
        .iter()
        .map(|o| (o, "trekker"))
        .chain(plan.parties.iter().map(|o| (o, "betrokken")));
    for (i, (organisation, role)) in roles.enumerate() {
        sqlx::query(
            "INSERT INTO plan_organisations (plan_id, organisation_id, role, position) VALUES ($1, $2, $3, $4)
             ON CONFLICT (plan_id, organisation_id, role) DO NOTHING",
        )
        .bind(&plan.id)
        .bind(organisation)
        .bind(role)
        .bind(position(i))
        .execute(&mut *conn)
        .await?;
    }
    for item in &plan.framework {
        sqlx::query("INSERT INTO plan_framework (plan_id, item_id) VALUES ($1, $2)")
            .bind(&plan.id)
            .bind(item)
            .execute(&mut *conn)
            .await?;
    }
    for f in &plan.funding {
        sqlx::query("INSERT INTO plan_funding (plan_id, funding_source_id) VALUES ($1, $2) ON CONFLICT (plan_id, funding_source_id) DO NOTHING")
            .bind(&plan.id)
            .bind(f)
            .execute(&mut *conn)
            .await?;
    }
    for (i, (title, url)) in plan.links.iter().enumerate() {
        sqlx::query(
            "INSERT INTO plan_links (plan_id, position, title, url) VALUES ($1, $2, $3, $4)",
        )
        .bind(&plan.id)
        .bind(position(i))
        .bind(title)
        .bind(url)
        .execute(&mut *conn)
        .await?;
    }
    // Rollouts are in date order: the last one per gemeente is the current cell.
    for r in &plan.rollouts {
        sqlx::query("INSERT INTO rollout_history (plan_id, gemeente_id, status, note, date, source_id) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&plan.id)
            .bind(&r.gemeente_id)
            .bind(r.status.code())
            .bind(&r.note)
            .bind(r.date.to_string())
            .bind(&r.source_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO rollouts (plan_id, gemeente_id, status, district_id, note, date, source_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (plan_id, gemeente_id) DO UPDATE SET status = excluded.status, district_id = excluded.district_id,
                note = excluded.note, date = excluded.date, source_id = excluded.source_id",
        )
        .bind(&plan.id)
        .bind(&r.gemeente_id)
        .bind(r.status.code())
        .bind(&r.district_id)
        .bind(&r.note)
        .bind(r.date.to_string())
        .bind(&r.source_id)
        .execute(&mut *conn)
        .await?;
    }
    for h in &plan.history {
        sqlx::query("INSERT INTO stage_history (plan_id, stage, note, date, source_id) VALUES ($1, $2, $3, $4, $5)")
            .bind(&plan.id)
            .bind(h.stage.code())
            .bind(&h.note)
            .bind(h.date.to_string())
            .bind(&h.source_id)
            .execute(&mut *conn)
            .await?;
    }
    for m in &plan.milestones {
        sqlx::query(
            "INSERT INTO milestones (plan_id, title, period, period_start, theme_id, note, source_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&plan.id)
        .bind(&m.title)
        .bind(m.period.map(|p| p.to_string()))
        .bind(m.period.map(|p| p.start().to_string()))
        .bind(&m.theme_id)
        .bind(&m.note)
        .bind(&m.source_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
