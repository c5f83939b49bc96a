//! Storing a large portfolio fast: the same tables, values and trail as
//! [`Store::import_portfolio`], written with multi-row INSERTs in one transaction. Used by
//! `regiomonitor generate`, whose national data set has thousands of plans and a hundred
//! thousand rollout cells.

use std::collections::HashMap;

use super::audit::Actor;
use super::import::ImportCounts;
use super::write_path::{Value as V, Write};
use super::{Store, StoreError};
use crate::import::Portfolio;

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

impl Store {
    /// Stores a whole portfolio in an empty store, as [`Store::import_portfolio`] does (same
    /// rows, same "aangemaakt" entries in the trail), but a table at a time in multi-row
    /// statements. A store that already holds a portfolio is left alone.
    pub async fn import_portfolio_in_bulk(
        &self,
        actor: &Actor,
        p: &Portfolio,
    ) -> Result<ImportCounts, StoreError> {
        let mut w = self.begin_import(actor).await?;
        insert_all(&mut w, p).await?;
        w.audit_bulk(super::import::created_entries(p)).await?;
        w.commit().await?;
        Ok(ImportCounts::of(p))
    }
}

async fn insert_all(w: &mut Write<'_>, p: &Portfolio) -> Result<(), sqlx::Error> {
    let rows = p
        .sources
        .iter()
        .map(|s| {
            vec![
                t(&s.id),
                t(&s.title),
                t(&s.date.to_string()),
                ot(s.note.as_deref()),
            ]
        })
        .collect();
    w.insert_rows("sources", &["id", "title", "date", "note"], rows)
        .await?;

    let rows = p
        .areas
        .iter()
        .enumerate()
        .map(|(n, a)| {
            vec![
                t(&a.id),
                t(a.kind.code()),
                t(&a.name),
                ot(a.parent_id.as_deref()),
                position(n),
                ot(a.source_id.as_deref()),
            ]
        })
        .collect();
    w.insert_rows(
        "areas",
        &["id", "kind", "name", "parent_id", "position", "source_id"],
        rows,
    )
    .await?;

    let rows = p
        .framework
        .iter()
        .enumerate()
        .map(|(n, f)| {
            vec![
                t(&f.id),
                t(f.kind.code()),
                V::Int(f.number),
                t(&f.name),
                ot(f.description.as_deref()),
                ot(f.source_id.as_deref()),
                position(n),
            ]
        })
        .collect();
    w.insert_rows(
        "framework_items",
        &[
            "id",
            "kind",
            "number",
            "name",
            "description",
            "source_id",
            "position",
        ],
        rows,
    )
    .await?;

    let rows = p
        .transformation_principles
        .iter()
        .map(|(tr, pr)| vec![t(tr), t(pr)])
        .collect();
    w.insert_rows(
        "transformation_principles",
        &["transformation_id", "principle_id"],
        rows,
    )
    .await?;

    let rows = p
        .funding_sources
        .iter()
        .map(|f| vec![t(&f.id), t(&f.name), ot(f.description.as_deref())])
        .collect();
    w.insert_rows("funding_sources", &["id", "name", "description"], rows)
        .await?;

    let rows = p
        .organisations
        .iter()
        .map(|o| {
            vec![
                t(&o.id),
                t(&o.name),
                t(o.kind.code()),
                ot(o.website.as_deref()),
            ]
        })
        .collect();
    w.insert_rows("organisations", &["id", "name", "kind", "website"], rows)
        .await?;

    let rows = p
        .bodies
        .iter()
        .enumerate()
        .map(|(n, b)| {
            vec![
                t(&b.id),
                t(&b.name),
                t(b.level.code()),
                ot(b.kind.map(|k| k.code())),
                ot(b.area_id.as_deref()),
                ot(b.description.as_deref()),
                position(n),
                ot(b.source_id.as_deref()),
            ]
        })
        .collect();
    w.insert_rows(
        "bodies",
        &[
            "id",
            "name",
            "level",
            "kind",
            "area_id",
            "description",
            "position",
            "source_id",
        ],
        rows,
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
    for plan in p.plans.iter().filter(|p| p.parent_id.is_some()) {
        sqlx::query("UPDATE plans SET parent_id = $1 WHERE id = $2")
            .bind(&plan.parent_id)
            .bind(&plan.id)
            .execute(w.conn())
            .await?;
    }
    Ok(())
}

async fn insert_plans(w: &mut Write<'_>, p: &Portfolio) -> Result<(), sqlx::Error> {
    let rows = p
        .plans
        .iter()
        .enumerate()
        .map(|(n, plan)| {
            vec![
                t(&plan.id),
                t(&plan.name),
                t(plan.kind.code()),
                t(&plan.area_id),
                ot(plan.about.as_deref()),
                ot(plan.intended_result.as_deref()),
                ot(plan.activities.as_deref()),
                ot(plan.asks.as_deref()),
                ot(plan.current_status.as_deref()),
                ot(plan.lead_text.as_deref()),
                ot(plan.parties_text.as_deref()),
                ot(plan.status_text.as_deref()),
                ot(plan.financing_text.as_deref()),
                ot(plan.stage.map(|s| s.code())),
                ot(plan.network_role.map(|r| r.code())),
                V::Int(plan.is_new.map(i64::from)),
                ot(plan.phase.map(|p| p.code())),
                ot(plan.source_id.as_deref()),
                position(n),
            ]
        })
        .collect();
    w.insert_rows(
        "plans",
        &[
            "id",
            "name",
            "kind",
            "area_id",
            "about",
            "intended_result",
            "activities",
            "asks",
            "current_status",
            "lead_text",
            "parties_text",
            "status_text",
            "financing_text",
            "stage",
            "network_role",
            "is_new",
            "phase",
            "source_id",
            "position",
        ],
        rows,
    )
    .await?;

    // Lead and parties, first mention wins (as ON CONFLICT DO NOTHING in the import).
    let mut rows = Vec::new();
    for plan in &p.plans {
        let mut seen = std::collections::HashSet::new();
        let roles = plan
            .leads
            .iter()
            .map(|o| (o, "trekker"))
            .chain(plan.parties.iter().map(|o| (o, "betrokken")));
        for (n, (organisation, role)) in roles.enumerate() {
            if seen.insert((organisation.as_str(), role)) {
                rows.push(vec![t(&plan.id), t(organisation), t(role), position(n)]);
            }
        }
    }
    w.insert_rows(
        "plan_organisations",
        &["plan_id", "organisation_id", "role", "position"],
        rows,
    )
    .await?;

    let rows = p
        .plans
        .iter()
        .flat_map(|plan| plan.framework.iter().map(|f| vec![t(&plan.id), t(f)]))
        .collect();
    w.insert_rows("plan_framework", &["plan_id", "item_id"], rows)
        .await?;

    let mut rows = Vec::new();
    for plan in &p.plans {
        let mut seen = std::collections::HashSet::new();
        for f in &plan.funding {
            if seen.insert(f.as_str()) {
                rows.push(vec![t(&plan.id), t(f)]);
            }
        }
    }
    w.insert_rows("plan_funding", &["plan_id", "funding_source_id"], rows)
        .await?;

    let rows = p
        .plans
        .iter()
        .flat_map(|plan| {
            plan.links
                .iter()
                .enumerate()
                .map(|(n, (title, url))| vec![t(&plan.id), position(n), t(title), t(url)])
        })
        .collect();
    w.insert_rows("plan_links", &["plan_id", "position", "title", "url"], rows)
        .await?;

    // Every rollout goes into the history; the last one per gemeente is the current cell.
    let rows = p
        .plans
        .iter()
        .flat_map(|plan| {
            plan.rollouts.iter().map(|r| {
                vec![
                    t(&plan.id),
                    t(&r.gemeente_id),
                    t(r.status.code()),
                    ot(r.note.as_deref()),
                    t(&r.date.to_string()),
                    ot(r.source_id.as_deref()),
                ]
            })
        })
        .collect();
    w.insert_rows(
        "rollout_history",
        &[
            "plan_id",
            "gemeente_id",
            "status",
            "note",
            "date",
            "source_id",
        ],
        rows,
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
            rows.push(vec![
                t(&plan.id),
                t(g),
                t(r.status.code()),
                ot(r.district_id.as_deref()),
                ot(r.note.as_deref()),
                t(&r.date.to_string()),
                ot(r.source_id.as_deref()),
            ]);
        }
    }
    w.insert_rows(
        "rollouts",
        &[
            "plan_id",
            "gemeente_id",
            "status",
            "district_id",
            "note",
            "date",
            "source_id",
        ],
        rows,
    )
    .await?;

    let rows = p
        .plans
        .iter()
        .flat_map(|plan| {
            plan.history.iter().map(|h| {
                vec![
                    t(&plan.id),
                    t(h.stage.code()),
                    ot(h.note.as_deref()),
                    t(&h.date.to_string()),
                    ot(h.source_id.as_deref()),
                ]
            })
        })
        .collect();
    w.insert_rows(
        "stage_history",
        &["plan_id", "stage", "note", "date", "source_id"],
        rows,
    )
    .await?;

    let rows = p
        .plans
        .iter()
        .flat_map(|plan| {
            plan.milestones.iter().map(|m| {
                vec![
                    t(&plan.id),
                    t(&m.title),
                    V::Text(m.period.map(|p| p.to_string())),
                    V::Text(m.period.map(|p| p.start().to_string())),
                    ot(m.theme_id.as_deref()),
                    ot(m.note.as_deref()),
                    ot(m.source_id.as_deref()),
                ]
            })
        })
        .collect();
    w.insert_rows(
        "milestones",
        &[
            "plan_id",
            "title",
            "period",
            "period_start",
            "theme_id",
            "note",
            "source_id",
        ],
        rows,
    )
    .await?;
    Ok(())
}
