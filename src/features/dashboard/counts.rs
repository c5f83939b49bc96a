//! The start page's counts per gemeente, answered by the database.
//!
//! A national portfolio has millions of plan × gemeente pairs in its working areas (a plan
//! of the whole country covers every gemeente). They are never listed: the database counts
//! plans per working area, stage and opgave, and counts the gemeenten' own facts (rollouts)
//! per gemeente, status and whether the plan's working area holds the gemeente. Each answer
//! has at most one row per area × opgave × category, whatever the number of plans or cells;
//! the gemeenten' counts are put together from them here:
//!
//! - a plan whose working area is the region counts in every gemeente;
//! - otherwise each working area counts in its gemeenten (a subregio in its gemeenten, a
//!   gemeente in itself), except a gemeente whose subregio is also one of the plan's working
//!   areas (so no plan counts twice in a gemeente);
//! - a gemeente's own fact counts by its status; where the working area holds the gemeente it
//!   takes the place of the plan's stage there.
//!
//! This gives the same numbers as counting every cell of [`super::overview::PortfolioView`]
//! (`PortfolioView::counts`), which the tests check on the documents' data and on a generated
//! portfolio.

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, FromRow};

use super::overview::Counts;
use crate::domain::{Overview, RolloutStatus, Stage};
use crate::features::plans::model::PlanFilter;
use crate::features::plans::read::{bind_filter, filter_parameters, plan_filter_sql};
use crate::store::{Backend, Store, StoreError};
use crate::web::view::Catalog;

/// The counts of every gemeente that a selected plan concerns, in total and per opgave.
#[derive(Debug, Clone, Default)]
pub struct GemeenteCounts {
    /// Per gemeente id: its counts over all selected plans, and per opgave (in the order the
    /// counts were asked for).
    pub by_gemeente: HashMap<String, (Counts, Vec<Counts>)>,
    /// The gemeenten with at least one cell: in a selected plan's working area, or with a
    /// fact of their own about one.
    pub concerned: HashSet<String>,
    /// Per gemeente: the plans of its working area whose stage nobody states ("fase
    /// onbekend"), over all selected plans.
    pub unknown: HashMap<String, usize>,
    /// How many rows the database gave (at most one per area × opgave × category).
    pub rows_read: usize,
    /// How many plans the filter selects.
    pub plans: usize,
}

/// One row of the database's answer.
#[derive(Debug, FromRow)]
struct Row {
    /// `a` region-wide plans, `w` plans per working area, `r` own facts per gemeente.
    part: String,
    area: String,
    /// The opgave, or empty for all plans.
    theme: String,
    /// The plan's stage in the overview: `r` lopend, `p` gepland, `u` not stated, `o`
    /// anything else.
    via: String,
    /// The own fact's status in the overview (`r`, `p`, `o`; `x` a status no one knows).
    own: String,
    /// Whether the plan's working area holds the gemeente of the own fact.
    covered: i64,
    n: i64,
}

/// `CASE` over fixed codes: `r` for the codes that count as running, `p` for planned, `o`
/// for the other known codes, and `unknown` for none or a code no one knows.
fn category<T: Copy>(
    column: &str,
    all: &[T],
    code: fn(T) -> &'static str,
    of: fn(T) -> Overview,
    unknown: &str,
) -> String {
    let list = |want: fn(Overview) -> bool| {
        all.iter()
            .filter(|c| want(of(**c)))
            .map(|c| format!("'{}'", code(*c)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "CASE WHEN {column} IN ({}) THEN 'r' WHEN {column} IN ({}) THEN 'p'
              WHEN {column} IN ({}) THEN 'o' ELSE '{unknown}' END",
        list(Overview::is_running),
        list(|o| o == Overview::Planned),
        list(|_| true),
    )
}

/// The statement: every part once for all plans and once per opgave. Only fixed text of
/// this module and the plan filter's placeholders are put together; `$r` is the region.
fn statement(filter: &PlanFilter, region: usize) -> String {
    let selected = format!(
        "(SELECT p.id FROM plans p WHERE {})",
        plan_filter_sql(filter)
    );
    parts(&selected, &format!("${region}"), false)
}

/// The rows of the counts' statement for the plans of `selected` (a subquery of plan ids),
/// with `region` the region's id or placeholder; `per_plan` adds the plan's id in front and
/// groups by it as well (what each plan adds, kept in `count_rows`).
fn parts(selected: &str, region: &str, per_plan: bool) -> String {
    let via = category("q.stage", Stage::ALL, Stage::code, Stage::overview, "u");
    let own = category(
        "r.status",
        RolloutStatus::ALL,
        RolloutStatus::code,
        RolloutStatus::overview,
        "x",
    );
    let r = region;
    // A plan's working areas are its plan_areas rows, or its own area when it has none.
    let regional = format!(
        "(EXISTS (SELECT 1 FROM plan_areas w0 WHERE w0.plan_id = q.id AND w0.area_id = {r})
          OR (NOT EXISTS (SELECT 1 FROM plan_areas w0 WHERE w0.plan_id = q.id) AND q.area_id = {r}))"
    );
    let covered = format!(
        "CAST(CASE WHEN EXISTS (SELECT 1 FROM plan_areas w1 WHERE w1.plan_id = q.id
                          AND (w1.area_id = r.gemeente_id OR w1.area_id = g.parent_id OR w1.area_id = {r}))
                OR (NOT EXISTS (SELECT 1 FROM plan_areas w1 WHERE w1.plan_id = q.id)
                    AND (q.area_id = r.gemeente_id OR q.area_id = g.parent_id OR q.area_id = {r}))
              THEN 1 ELSE 0 END AS BIGINT)"
    );
    // The plan's id in front when asked for; the columns to group by after it.
    let (first, shift) = if per_plan {
        ("q.id AS plan_id, ", 1)
    } else {
        ("", 0)
    };
    let group = |columns: &[usize]| {
        let mut by: Vec<String> = columns.iter().map(|c| (c + shift).to_string()).collect();
        if per_plan {
            by.insert(0, "1".into());
        }
        by.join(", ")
    };
    let mut parts = Vec::new();
    for by_theme in [false, true] {
        let (theme, join) = if by_theme {
            (
                "f.item_id",
                " JOIN plan_framework f ON f.plan_id = q.id
                  JOIN framework_items i ON i.id = f.item_id AND i.kind = 'opgave'",
            )
        } else {
            ("CAST('' AS TEXT)", "")
        };
        parts.push(format!(
            "SELECT {first}CAST('a' AS TEXT) AS part, CAST('' AS TEXT) AS area, {theme} AS theme, {via} AS via,
                    CAST('' AS TEXT) AS own, CAST(0 AS BIGINT) AS covered, COUNT(*) AS n
               FROM plans q{join}
              WHERE q.id IN {selected} AND {regional}
              GROUP BY {}",
            group(&[3, 4])
        ));
        parts.push(format!(
            "SELECT {first}CAST('w' AS TEXT), w.area_id, {theme}, {via}, CAST('' AS TEXT), CAST(0 AS BIGINT), COUNT(*)
               FROM plan_areas w JOIN plans q ON q.id = w.plan_id{join}
              WHERE q.id IN {selected} AND NOT {regional}
                AND NOT EXISTS (SELECT 1 FROM areas g JOIN plan_areas w2
                                    ON w2.plan_id = w.plan_id AND w2.area_id = g.parent_id
                                 WHERE g.id = w.area_id)
              GROUP BY {}",
            group(&[2, 3, 4])
        ));
        parts.push(format!(
            "SELECT {first}CAST('w' AS TEXT), q.area_id, {theme}, {via}, CAST('' AS TEXT), CAST(0 AS BIGINT), COUNT(*)
               FROM plans q{join}
              WHERE q.id IN {selected} AND q.area_id <> {r}
                AND NOT EXISTS (SELECT 1 FROM plan_areas w WHERE w.plan_id = q.id)
              GROUP BY {}",
            group(&[2, 3, 4])
        ));
        parts.push(format!(
            "SELECT {first}CAST('r' AS TEXT), r.gemeente_id, {theme}, {via}, {own}, {covered}, COUNT(*)
               FROM rollouts r JOIN plans q ON q.id = r.plan_id
                    JOIN areas g ON g.id = r.gemeente_id{join}
              WHERE r.plan_id IN {selected}
              GROUP BY {}",
            group(&[2, 3, 4, 5, 6])
        ));
    }
    parts.join("\nUNION ALL\n")
}

/// The columns of a counts row, in the order of [`parts`].
const COLUMNS: &str = "part, area, theme, via, own, covered";

/// Adds (or, with `sign` -1, takes away) the kept rows of the plans in `marked` to
/// `count_summary`.
fn add_to_summary(sign: i64, marked: &str) -> String {
    // (SQLite would read an `ON` right after the FROM as a join's condition; the WHERE and
    // GROUP BY between them settle it.)
    format!(
        "INSERT INTO count_summary ({COLUMNS}, n)
         SELECT {COLUMNS}, {sign} * SUM(n) FROM count_rows
          WHERE plan_id IN (SELECT plan_id FROM {marked})
          GROUP BY {COLUMNS}
         ON CONFLICT ({COLUMNS}) DO UPDATE SET n = count_summary.n + excluded.n"
    )
}

/// Makes the kept counts of every plan marked stale anew, inside the write that marked them
/// (the write path calls it before it commits): takes their old rows out of the summary,
/// makes their rows from the facts as they are now, and adds those. A plan that was deleted
/// or archived has no rows any more.
///
/// Every statement works on one fixed set of plans. On SQLite that is `counts_stale` itself:
/// the write holds the database's one write lock, so no mark comes or goes meanwhile. On
/// PostgreSQL one write at a time does this (an advisory lock, so that two writes of one plan
/// do not both take away its old rows), and it first takes the marks it sees out of
/// `counts_stale` into a table of its own transaction: a mark committed meanwhile by a change
/// that is not a write of this process stays for the next write, and until then the counts
/// are made from the facts.
pub(crate) async fn refresh_kept_counts(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<(), sqlx::Error> {
    let stale: Option<i64> = sqlx::query_scalar("SELECT 1 FROM counts_stale LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    if stale.is_none() {
        return Ok(());
    }
    let marked = match backend {
        Backend::Sqlite => "counts_stale",
        Backend::Postgres => {
            // Held until the write commits; the function's own result (void) is not read.
            sqlx::query("SELECT CAST(1 AS BIGINT) FROM (SELECT pg_advisory_xact_lock(4317001)) l")
                .fetch_optional(&mut *conn)
                .await?;
            sqlx::query(
                "CREATE TEMPORARY TABLE counts_taken (plan_id TEXT NOT NULL) ON COMMIT DROP",
            )
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "WITH taken AS (DELETE FROM counts_stale RETURNING plan_id)
                 INSERT INTO counts_taken (plan_id) SELECT DISTINCT plan_id FROM taken",
            )
            .execute(&mut *conn)
            .await?;
            "counts_taken"
        }
    };
    // The region as the catalog finds it (`Catalog::region`: the first in the areas' order).
    let region: Option<String> = sqlx::query_scalar(
        "SELECT id FROM areas WHERE kind = 'regio' ORDER BY position, name LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(add_to_summary(-1, marked)))
        .execute(&mut *conn)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM count_rows WHERE plan_id IN (SELECT plan_id FROM {marked})"
    )))
    .execute(&mut *conn)
    .await?;
    let selected = format!(
        "(SELECT p.id FROM plans p
           WHERE p.archived = 0 AND p.id IN (SELECT plan_id FROM {marked}))"
    );
    let made = format!(
        "INSERT INTO count_rows (plan_id, {COLUMNS}, n) {}",
        parts(&selected, "$1", true)
    );
    sqlx::query(sqlx::AssertSqlSafe(made))
        .bind(region.unwrap_or_default())
        .execute(&mut *conn)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(add_to_summary(1, marked)))
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM count_summary WHERE n = 0")
        .execute(&mut *conn)
        .await?;
    if backend == Backend::Sqlite {
        sqlx::query("DELETE FROM counts_stale")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// What a gemeente's cells add up to while the rows come in (a fact of its own takes a
/// plan's cell, so a count can go down on the way).
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    running_own: i64,
    running_via: i64,
    planned_own: i64,
    planned_via: i64,
    unknown: i64,
    cells: i64,
}

impl Tally {
    fn via(&mut self, category: &str, n: i64) {
        match category {
            "r" => self.running_via += n,
            "p" => self.planned_via += n,
            "u" => self.unknown += n,
            _ => {}
        }
        self.cells += n;
    }

    fn own(&mut self, category: &str, n: i64) {
        match category {
            "r" => self.running_own += n,
            "p" => self.planned_own += n,
            _ => {}
        }
        self.cells += n;
    }

    fn counts(self) -> Counts {
        let n = |v: i64| usize::try_from(v).unwrap_or(0);
        Counts {
            running_own: n(self.running_own),
            running_via_plan: n(self.running_via),
            planned: n(self.planned_own + self.planned_via),
            planned_via_plan: n(self.planned_via),
        }
    }
}

impl Store {
    /// The kept rows of every plan that is not archived (`count_summary`), or `None` while a
    /// plan is marked stale (a write straight to the database, or a store just migrated):
    /// then the counts are made from the facts.
    async fn kept_count_rows(&self) -> Result<Option<Vec<Row>>, StoreError> {
        if !self.kept_counts_are_current().await? {
            return Ok(None);
        }
        let rows = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS}, n FROM count_summary"
        )))
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(rows))
    }

    /// Whether no plan is marked stale, so that the counts of every plan are read from
    /// `count_summary`.
    pub async fn kept_counts_are_current(&self) -> Result<bool, StoreError> {
        let stale: Option<i64> = sqlx::query_scalar("SELECT 1 FROM counts_stale LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(stale.is_none())
    }

    /// Makes the kept counts of the plans marked stale anew, in a write of its own: at the
    /// start, after a migration or a change straight to the database marked them. Like a
    /// migration it changes no fact (the counts were made from the facts meanwhile), so it
    /// writes no trail and leaves the data version.
    pub async fn settle_kept_counts(&self) -> Result<(), StoreError> {
        let mut tx = match self.backend() {
            Backend::Sqlite => self.pool().begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool().begin().await?,
        };
        refresh_kept_counts(&mut tx, self.backend()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The counts per gemeente of the plans `filter` selects, today, in total and per opgave
    /// of `theme_order`; at most one row per area × opgave × category is read.
    pub async fn gemeente_counts(
        &self,
        catalog: &Catalog,
        filter: &PlanFilter,
        theme_order: &[String],
    ) -> Result<GemeenteCounts, StoreError> {
        let kept = if *filter == PlanFilter::default() {
            self.kept_count_rows().await?
        } else {
            None
        };
        let rows = match kept {
            Some(rows) => rows,
            None => {
                let region = catalog.region().map(|r| r.id.clone()).unwrap_or_default();
                let sql = statement(filter, filter_parameters(filter) + 1);
                let query = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql));
                bind_filter!(query, filter)
                    .bind(region)
                    .fetch_all(&self.pool)
                    .await?
            }
        };

        let gemeenten: Vec<&str> = catalog.gemeenten().map(|g| g.id.as_str()).collect();
        let place: HashMap<&str, usize> =
            gemeenten.iter().enumerate().map(|(i, g)| (*g, i)).collect();
        let mut under: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, g) in catalog.gemeenten().enumerate() {
            if let Some(parent) = g.parent_id.as_deref() {
                under.entry(parent).or_default().push(i);
            }
        }
        let all: Vec<usize> = (0..gemeenten.len()).collect();
        let width = 1 + theme_order.len();
        let mut tallies = vec![Tally::default(); gemeenten.len() * width];
        for row in &rows {
            let column = if row.theme.is_empty() {
                0
            } else {
                match theme_order.iter().position(|t| *t == row.theme) {
                    Some(t) => t + 1,
                    None => continue,
                }
            };
            let targets: &[usize] = match row.part.as_str() {
                "a" => &all,
                "w" | "r" => match place.get(row.area.as_str()) {
                    Some(i) => std::slice::from_ref(i),
                    None if row.part == "w" => {
                        under.get(row.area.as_str()).map_or(&[], Vec::as_slice)
                    }
                    None => &[],
                },
                _ => &[],
            };
            for &i in targets {
                let t = &mut tallies[i * width + column];
                if row.part != "r" {
                    t.via(&row.via, row.n);
                } else if row.own != "x" {
                    t.own(&row.own, row.n);
                    if row.covered == 1 {
                        t.via(&row.via, -row.n);
                    }
                }
            }
        }
        let mut counts = GemeenteCounts {
            rows_read: rows.len(),
            plans: self.count_plans(filter).await?,
            ..GemeenteCounts::default()
        };
        for (i, g) in gemeenten.iter().enumerate() {
            let of = &tallies[i * width..(i + 1) * width];
            if of[0].cells > 0 {
                counts.concerned.insert((*g).to_owned());
                counts
                    .unknown
                    .insert((*g).to_owned(), usize::try_from(of[0].unknown).unwrap_or(0));
                counts.by_gemeente.insert(
                    (*g).to_owned(),
                    (of[0].counts(), of[1..].iter().map(|t| t.counts()).collect()),
                );
            }
        }
        Ok(counts)
    }
}
