//! Storing a large portfolio fast: the same tables, values and trail as
//! [`Store::import_portfolio`], written with multi-row INSERTs in one transaction. Used by
//! `regiomonitor generate`, whose national data set has thousands of plans and a hundred
//! thousand rollout cells.

use std::collections::HashMap;

use sqlx::{Any, Transaction};

use super::audit::Actor;
use super::import::ImportCounts;
use super::monitoring::values_rows;
use super::{Backend, Store, StoreError};
use crate::import::Portfolio;

type Tx = Transaction<'static, Any>;

/// One value to bind.
enum V {
    Text(Option<String>),
    Int(Option<i64>),
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

/// Parameters per statement: under SQLite's limit (32766) and PostgreSQL's (65535).
const MAX_PARAMS: usize = 30_000;

/// Inserts `rows` (each as wide as `columns`) with as few statements as the limits allow.
async fn insert(
    tx: &mut Tx,
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<V>>,
) -> Result<(), sqlx::Error> {
    let width = columns.len();
    let per_statement = (MAX_PARAMS / width).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<V>> = rows.by_ref().take(per_statement).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            values_rows(backend, chunk.len(), width)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            debug_assert_eq!(row.len(), width);
            for v in row {
                query = match v {
                    V::Text(s) => query.bind(s),
                    V::Int(n) => query.bind(n),
                };
            }
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
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
        let mut tx = self.begin_write().await?;
        let (existing,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM areas")
            .fetch_one(&mut *tx)
            .await?;
        if existing > 0 {
            return Err(StoreError::Refused(
                "deze database bevat al een portfolio; laad de gegevens in een lege database (er is niets veranderd)".into(),
            ));
        }
        insert_all(&mut tx, self.backend, p).await?;
        audit_all(&mut tx, self.backend, actor, p).await?;
        super::touch(&mut tx).await?;
        tx.commit().await?;
        self.written();
        Ok(ImportCounts {
            areas: p.areas.len(),
            plans: p.plans.len(),
            rollouts: p.plans.iter().map(|p| p.rollouts.len()).sum(),
            stage_changes: p.plans.iter().map(|p| p.history.len()).sum(),
            milestones: p.plans.iter().map(|p| p.milestones.len()).sum(),
            indicators: p.indicators.len(),
        })
    }
}

async fn insert_all(tx: &mut Tx, b: Backend, p: &Portfolio) -> Result<(), sqlx::Error> {
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
    insert(tx, b, "sources", &["id", "title", "date", "note"], rows).await?;

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
    insert(
        tx,
        b,
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
    insert(
        tx,
        b,
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
    insert(
        tx,
        b,
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
    insert(
        tx,
        b,
        "funding_sources",
        &["id", "name", "description"],
        rows,
    )
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
    insert(
        tx,
        b,
        "organisations",
        &["id", "name", "kind", "website"],
        rows,
    )
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
    insert(
        tx,
        b,
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

    insert_plans(tx, b, p).await?;

    for (n, indicator) in p.indicators.iter().enumerate() {
        super::monitoring::insert_indicator(tx, indicator, i64::try_from(n).unwrap_or(i64::MAX))
            .await?;
    }
    // Parents last, so a child may come before its parent.
    for plan in p.plans.iter().filter(|p| p.parent_id.is_some()) {
        sqlx::query("UPDATE plans SET parent_id = $1 WHERE id = $2")
            .bind(&plan.parent_id)
            .bind(&plan.id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn insert_plans(tx: &mut Tx, b: Backend, p: &Portfolio) -> Result<(), sqlx::Error> {
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
    insert(
        tx,
        b,
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
    insert(
        tx,
        b,
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
    insert(tx, b, "plan_framework", &["plan_id", "item_id"], rows).await?;

    let mut rows = Vec::new();
    for plan in &p.plans {
        let mut seen = std::collections::HashSet::new();
        for f in &plan.funding {
            if seen.insert(f.as_str()) {
                rows.push(vec![t(&plan.id), t(f)]);
            }
        }
    }
    insert(
        tx,
        b,
        "plan_funding",
        &["plan_id", "funding_source_id"],
        rows,
    )
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
    insert(
        tx,
        b,
        "plan_links",
        &["plan_id", "position", "title", "url"],
        rows,
    )
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
    insert(
        tx,
        b,
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
    insert(
        tx,
        b,
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
    insert(
        tx,
        b,
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
    insert(
        tx,
        b,
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

/// One "aangemaakt" entry per record, as the import writes them.
async fn audit_all(
    tx: &mut Tx,
    b: Backend,
    actor: &Actor,
    p: &Portfolio,
) -> Result<(), sqlx::Error> {
    let at = super::now_text();
    // (record type, id, label, plan, area, organisation, indicator)
    type Entry<'a> = (
        &'static str,
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
    );
    let mut entries: Vec<Entry<'_>> = Vec::new();
    for a in &p.areas {
        entries.push(("area", &a.id, &a.name, None, Some(&a.id), None, None));
    }
    for f in &p.framework {
        entries.push(("framework", &f.id, &f.name, None, None, None, None));
    }
    for o in &p.organisations {
        entries.push((
            "organisation",
            &o.id,
            &o.name,
            None,
            None,
            Some(&o.id),
            None,
        ));
    }
    for plan in &p.plans {
        entries.push((
            "plan",
            &plan.id,
            &plan.name,
            Some(&plan.id),
            None,
            None,
            None,
        ));
    }
    for i in &p.indicators {
        entries.push(("indicator", &i.id, &i.name, None, None, None, Some(&i.id)));
    }
    let rows = entries
        .into_iter()
        .map(|(kind, id, label, plan, area, organisation, indicator)| {
            vec![
                t(&at),
                V::Int(actor.user_id),
                t(&actor.name),
                t(actor.channel.code()),
                t(kind),
                t(id),
                t(label),
                ot(plan),
                ot(area),
                ot(organisation),
                ot(indicator),
                t("record"),
                V::Text(None),
                t("aangemaakt"),
                t("ingelezen"),
                V::Text(None),
            ]
        })
        .collect();
    insert(
        tx,
        b,
        "audit_log",
        &[
            "at",
            "user_id",
            "actor",
            "channel",
            "record_type",
            "record_id",
            "record_label",
            "plan_id",
            "area_id",
            "organisation_id",
            "indicator_id",
            "field",
            "old_value",
            "new_value",
            "comment",
            "source",
        ],
        rows,
    )
    .await
}
