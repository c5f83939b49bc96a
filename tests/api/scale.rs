//! National scale without the page cache: the start page's counts are answered by the
//! database and equal the counts cell by cell; what is read to make them does not grow with
//! the portfolio; a page or a part being made is made once however many ask for it at once.

use axum::http::StatusCode;
use regiomonitor::cli::generate;
use regiomonitor::domain::{Channel, FactDate, FrameworkKind, RolloutStatus, Stage};
use regiomonitor::features::dashboard::overview::{CellFact, Peildatum, PortfolioView};
use regiomonitor::features::plans::model::{PlanFilter, StageChange};
use regiomonitor::features::rollouts::model::RolloutFields;
use regiomonitor::store::{Actor, Reason, Store};
use regiomonitor::web::Catalog;

use crate::helpers::{Persona, TestApp, TestDb};

/// The database's counts are the counts of every cell of the portfolio view.
async fn same_counts(store: &Store, filter: &PlanFilter) -> usize {
    let catalog = Catalog::load(store).await.expect("catalog");
    let themes: Vec<String> = catalog
        .items(FrameworkKind::Theme)
        .map(|t| t.id.clone())
        .collect();
    let from_db = store
        .gemeente_counts(&catalog, filter, &themes)
        .await
        .expect("counts");
    let view = PortfolioView::load(store, &catalog, filter, Peildatum::default())
        .await
        .expect("view");
    assert_eq!(from_db.by_gemeente, view.counts(&themes), "{filter:?}");
    assert_eq!(from_db.concerned, view.gemeenten_in_view(), "{filter:?}");
    for g in &from_db.concerned {
        let unknown = view
            .plans
            .iter()
            .filter(
                |p| matches!(view.cell(&p.id, g), CellFact::FollowsPlan(s) if s.stage.is_none()),
            )
            .count();
        assert_eq!(from_db.unknown.get(g).copied(), Some(unknown), "{g}");
    }
    from_db.rows_read
}

#[tokio::test]
async fn the_database_counts_every_gemeente_as_the_cells_do_for_every_filter() {
    let app = TestApp::demo().await;
    let catalog = Catalog::load(&app.store).await.expect("catalog");
    let subregio = catalog.subregions().next().expect("a subregio").id.clone();
    let theme = catalog
        .items(FrameworkKind::Theme)
        .next()
        .expect("an opgave")
        .id
        .clone();
    let filters = [
        PlanFilter::default(),
        PlanFilter {
            subregion: Some(subregio),
            ..PlanFilter::default()
        },
        PlanFilter {
            gemeente: Some("GM0355".into()),
            ..PlanFilter::default()
        },
        PlanFilter {
            framework_items: vec![theme],
            ..PlanFilter::default()
        },
        PlanFilter {
            stage: Some("loopt".into()),
            ..PlanFilter::default()
        },
        PlanFilter {
            include_archived: true,
            ..PlanFilter::default()
        },
    ];
    for filter in &filters {
        same_counts(&app.store, filter).await;
    }
    // The documents' data has plans with several working areas (the Utrechtse Fabriek runs
    // in four subregio's), facts of a gemeente's own inside and outside them, and opgaven.
    let counts = app
        .store
        .gemeente_counts(&catalog, &PlanFilter::default(), &[])
        .await
        .expect("counts");
    assert!(counts.by_gemeente.values().any(|(c, _)| c.running_own > 0));
    assert!(
        counts
            .by_gemeente
            .values()
            .any(|(c, _)| c.running_via_plan > 0)
    );
    assert!(
        counts
            .by_gemeente
            .values()
            .any(|(c, _)| c.planned_via_plan > 0)
    );
}

/// Runs statements straight on the database: shapes of data no form makes.
async fn raw(store: &Store, statements: &[String]) {
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(store.pool())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

#[tokio::test]
async fn overlapping_working_areas_wijken_and_unknown_values_count_as_the_cells_do() {
    let app = TestApp::demo().await;
    let catalog = Catalog::load(&app.store).await.expect("catalog");
    let region = catalog.region().expect("the region").id.clone();
    // A subregio of two gemeenten or more, and another one.
    let first = catalog
        .subregions()
        .find(|s| catalog.gemeenten_of(&s.id).count() >= 2)
        .expect("a subregio of several gemeenten")
        .id
        .clone();
    let second = catalog
        .subregions()
        .find(|s| s.id != first && catalog.gemeenten_of(&s.id).count() >= 1)
        .expect("another subregio")
        .id
        .clone();
    let in_first: Vec<String> = catalog.gemeenten_of(&first).map(|g| g.id.clone()).collect();
    let in_second: Vec<String> = catalog
        .gemeenten_of(&second)
        .map(|g| g.id.clone())
        .collect();
    let plans: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM plans WHERE archived = 0 ORDER BY position")
            .fetch_all(app.store.pool())
            .await
            .expect("plans");
    let plan = |i: usize| plans[i].0.clone();
    let (a, b, c, d) = (plan(0), plan(1), plan(2), plan(3));
    let (g1, g2, g3) = (&in_first[0], &in_first[1], &in_second[0]);
    raw(
        &app.store,
        &[
            format!("DELETE FROM plan_areas WHERE plan_id IN ('{a}', '{b}', '{c}', '{d}')"),
            // A subregio and one of its own gemeenten: the gemeente counts the plan once.
            format!("INSERT INTO plan_areas (plan_id, area_id, position) VALUES ('{a}', '{first}', 0)"),
            format!("INSERT INTO plan_areas (plan_id, area_id, position) VALUES ('{a}', '{g1}', 1)"),
            // The region and a gemeente: every gemeente once.
            format!("INSERT INTO plan_areas (plan_id, area_id, position) VALUES ('{b}', '{region}', 0)"),
            format!("INSERT INTO plan_areas (plan_id, area_id, position) VALUES ('{b}', '{g3}', 1)"),
            // A wijk only: it covers no gemeente.
            format!("INSERT INTO areas (id, kind, name, parent_id) VALUES ('telwijk', 'wijk', 'Telwijk', '{g2}')"),
            format!("INSERT INTO plan_areas (plan_id, area_id, position) VALUES ('{c}', 'telwijk', 0)"),
            // A plan without a stage in a gemeente of another subregio.
            format!("INSERT INTO plan_areas (plan_id, area_id, position) VALUES ('{d}', '{g3}', 0)"),
            format!("UPDATE plans SET stage = NULL WHERE id = '{d}'"),
            // Facts of the gemeenten' own: inside and outside the working area, one of a
            // status no one knows (the cell then follows the plan).
            format!("DELETE FROM rollouts WHERE plan_id IN ('{a}', '{b}', '{c}', '{d}')"),
            format!("INSERT INTO rollouts (plan_id, gemeente_id, status, date) VALUES ('{a}', '{g1}', 'loopt', '2025-01-01')"),
            format!("INSERT INTO rollouts (plan_id, gemeente_id, status, date) VALUES ('{a}', '{g2}', 'gepland', '2025-01-01')"),
            format!("INSERT INTO rollouts (plan_id, gemeente_id, status, date) VALUES ('{a}', '{g3}', 'opstart', '2025-01-01')"),
            format!("INSERT INTO rollouts (plan_id, gemeente_id, status, date) VALUES ('{b}', '{g2}', 'niet-bestaand', '2025-01-01')"),
            format!("INSERT INTO rollouts (plan_id, gemeente_id, status, date) VALUES ('{c}', '{g2}', 'geborgd', '2025-01-01')"),
            format!("INSERT INTO rollouts (plan_id, gemeente_id, status, date) VALUES ('{d}', '{g3}', 'nvt', '2025-01-01')"),
        ],
    )
    .await;
    for filter in [
        PlanFilter::default(),
        PlanFilter {
            subregion: Some(first.clone()),
            ..PlanFilter::default()
        },
        PlanFilter {
            gemeente: Some(g3.clone()),
            ..PlanFilter::default()
        },
        PlanFilter {
            gemeente: Some(g2.clone()),
            ..PlanFilter::default()
        },
    ] {
        same_counts(&app.store, &filter).await;
    }
    // Written straight to the database, the plans are marked stale and the counts above were
    // made from the facts; made anew, the kept counts say the same.
    assert!(!app.store.kept_counts_are_current().await.expect("marks"));
    app.store.settle_kept_counts().await.expect("settled");
    kept_counts_equal_the_cells(&app.store).await;
}

/// The kept counts are current (no plan is marked stale, so the start page reads them) and
/// equal the counts of every cell.
async fn kept_counts_equal_the_cells(store: &Store) {
    assert!(
        store.kept_counts_are_current().await.expect("marks"),
        "a plan is still marked stale after the write"
    );
    same_counts(store, &PlanFilter::default()).await;
}

fn own_fact(status: RolloutStatus) -> RolloutFields {
    RolloutFields {
        status,
        date: FactDate::day(jiff::civil::date(2026, 3, 1)),
        district_id: None,
        note: None,
        source: None,
        date_and_source_confirmed: true,
    }
}

fn stage(stage: Stage) -> StageChange {
    StageChange {
        stage,
        date: FactDate::day(jiff::civil::date(2026, 3, 1)),
        source: None,
        note: None,
    }
}

#[tokio::test]
async fn the_kept_counts_follow_every_kind_of_write() {
    let app = TestApp::demo().await;
    let store = &app.store;
    let actor = Actor::system("test", Channel::Import);
    let reason = Reason::default();
    kept_counts_equal_the_cells(store).await;

    let catalog = Catalog::load(store).await.expect("catalog");
    let subregio = catalog.subregions().next().expect("a subregio").id.clone();
    let gemeenten: Vec<String> = catalog.gemeenten().map(|g| g.id.clone()).collect();
    let opgaven: Vec<String> = catalog
        .items(FrameworkKind::Theme)
        .map(|t| t.id.clone())
        .collect();
    let plans: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM plans WHERE archived = 0 ORDER BY position")
            .fetch_all(store.pool())
            .await
            .expect("plans");
    let (a, b, c) = (&plans[0].0, &plans[1].0, &plans[2].0);

    // A gemeente's own fact: a new one, then another status.
    let g = &gemeenten[0];
    for status in [
        RolloutStatus::Planned,
        RolloutStatus::Running,
        RolloutStatus::NotApplicable,
    ] {
        let version = store.rollout_version(a, g).await.expect("version");
        store
            .save_rollout(&actor, &reason, a, g, version, &own_fact(status))
            .await
            .expect("an own fact");
        kept_counts_equal_the_cells(store).await;
    }

    // A plan's working areas, its opgaven and its stage, in one save.
    let stored = store.stored_plan(b).await.expect("read").expect("a plan");
    let mut fields = stored.fields.clone();
    fields.work_areas = vec![subregio.clone(), gemeenten[1].clone()];
    fields.framework.retain(|f| !opgaven.contains(f));
    fields.framework.push(opgaven[opgaven.len() - 1].clone());
    let version = store
        .update_plan(
            &actor,
            &reason,
            b,
            stored.version,
            &fields,
            Some(&stage(Stage::Planning)),
        )
        .await
        .expect("a plan saved");
    kept_counts_equal_the_cells(store).await;

    // Archived, and back.
    let version = store
        .set_plan_archived(&actor, &reason, b, version, true)
        .await
        .expect("archived");
    kept_counts_equal_the_cells(store).await;
    store
        .set_plan_archived(&actor, &reason, b, version, false)
        .await
        .expect("back");
    kept_counts_equal_the_cells(store).await;

    // A new plan in one gemeente, running.
    let mut fields = store
        .stored_plan(c)
        .await
        .expect("read")
        .expect("a plan")
        .fields;
    fields.name = "Telplan".into();
    fields.parent_id = None;
    fields.work_areas = vec![gemeenten[2].clone()];
    store
        .create_plan(
            &actor,
            &reason,
            &regiomonitor::domain::Slug::parse("telplan").expect("a slug"),
            &fields,
            Some(&stage(Stage::Running)),
        )
        .await
        .expect("a new plan");
    kept_counts_equal_the_cells(store).await;
}

#[tokio::test]
async fn the_kept_counts_follow_areas_items_and_cells_changed_straight_in_the_database() {
    let app = TestApp::demo().await;
    let store = &app.store;
    let catalog = Catalog::load(store).await.expect("catalog");
    let first = catalog.subregions().next().expect("a subregio").id.clone();
    let other = catalog
        .subregions()
        .find(|s| s.id != first)
        .expect("another subregio")
        .id
        .clone();
    let moved = catalog
        .gemeenten_of(&first)
        .next()
        .expect("a gemeente")
        .id
        .clone();
    let opgave = catalog
        .items(FrameworkKind::Theme)
        .next()
        .expect("an opgave")
        .id
        .clone();
    let (plan, gemeente): (String, String) =
        sqlx::query_as("SELECT plan_id, gemeente_id FROM rollouts ORDER BY plan_id, gemeente_id")
            .fetch_one(store.pool())
            .await
            .expect("a cell");
    for change in [
        // A gemeente moves to another subregio: every plan is marked.
        format!("UPDATE areas SET parent_id = '{other}' WHERE id = '{moved}'"),
        // An opgave becomes a transformation: its plans are marked.
        format!("UPDATE framework_items SET kind = 'transformatie' WHERE id = '{opgave}'"),
        // A gemeente's own fact is taken away.
        format!("DELETE FROM rollouts WHERE plan_id = '{plan}' AND gemeente_id = '{gemeente}'"),
    ] {
        raw(store, std::slice::from_ref(&change)).await;
        assert!(
            !store.kept_counts_are_current().await.expect("marks"),
            "nothing marked after {change}"
        );
        store.settle_kept_counts().await.expect("settled");
        kept_counts_equal_the_cells(store).await;
    }
}

/// Saves of one plan at the same moment. On SQLite the write lock already puts them one
/// after another; on PostgreSQL (the suite runs there too) they overlap, and only the
/// advisory lock keeps two of them from both taking the plan's old rows away.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn saves_of_one_plan_at_once_keep_the_counts_whole() {
    let app = TestApp::demo().await;
    let catalog = Catalog::load(&app.store).await.expect("catalog");
    let plan: String =
        sqlx::query_scalar("SELECT id FROM plans WHERE archived = 0 ORDER BY position")
            .fetch_one(app.store.pool())
            .await
            .expect("a plan");
    let mut saves = tokio::task::JoinSet::new();
    for g in catalog.gemeenten().take(12).map(|g| g.id.clone()) {
        let (store, plan) = (app.store.clone(), plan.clone());
        saves.spawn(async move {
            let version = store.rollout_version(&plan, &g).await.expect("version");
            store
                .save_rollout(
                    &Actor::system("test", Channel::Import),
                    &Reason::default(),
                    &plan,
                    &g,
                    version,
                    &own_fact(RolloutStatus::StartingUp),
                )
                .await
                .expect("saved");
        });
    }
    while let Some(done) = saves.join_next().await {
        done.expect("a save");
    }
    kept_counts_equal_the_cells(&app.store).await;
}

/// The links of the start page's "KPI's niet gehaald of achter".
fn missed_links(page: &crate::helpers::Page) -> Vec<String> {
    page.html()
        .select(&scraper::Selector::parse(".rm-attention a").expect("selector"))
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .filter(|h| h.starts_with("/indicatoren/"))
        .collect()
}

#[tokio::test]
async fn a_write_of_a_rollout_keeps_the_missed_kpis_and_a_new_value_makes_them_anew() {
    let app = TestApp::with_people().await;
    let reader = app.login_as(Persona::Reader).await;
    let zeist = "/indicatoren/mtvp-consultduur?gebied=GM0355";
    let first = reader.get("/").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(!missed_links(&first).iter().any(|h| h == zeist));
    let made = app.state.kpi_attention.made();
    let kpis = app.store.kpi_version().await.expect("version");

    // A gemeente's own fact: what the KPIs' values say is as it was.
    let plan: String = sqlx::query_scalar("SELECT id FROM plans ORDER BY position")
        .fetch_one(app.store.pool())
        .await
        .expect("a plan");
    let version = app.store.rollout_version(&plan, "GM0355").await.expect("v");
    app.store
        .save_rollout(
            &Actor::system("test", Channel::Cli),
            &Reason::default(),
            &plan,
            "GM0355",
            version,
            &own_fact(RolloutStatus::Running),
        )
        .await
        .expect("an own fact");
    assert_eq!(app.store.kpi_version().await.expect("version"), kpis);
    let attention = app.state.attention.made();
    let after_rollout = reader.get("/").await;
    assert_eq!(after_rollout.status, StatusCode::OK);
    assert_eq!(app.state.attention.made(), attention + 1, "made anew");
    assert_eq!(app.state.kpi_attention.made(), made, "kept");
    assert_eq!(missed_links(&after_rollout), missed_links(&first));

    // An organisation saved as it is: no field changed, so no trail entry, but the version
    // it claimed says what the write was about, and the list is kept.
    let (fields, organisation) = app
        .store
        .stored_organisation("unicum")
        .await
        .expect("read")
        .expect("Unicum");
    let data = app.store.data_version().await.expect("data version");
    app.store
        .save_organisation(
            &Actor::system("test", Channel::Cli),
            &Reason::default(),
            "unicum",
            Some(organisation),
            &fields,
        )
        .await
        .expect("saved as it was");
    assert!(app.store.data_version().await.expect("data version") > data);
    assert_eq!(app.store.kpi_version().await.expect("version"), kpis);
    assert_eq!(reader.get("/").await.status, StatusCode::OK);
    assert_eq!(app.state.kpi_attention.made(), made, "kept");

    // A value under the target in Zeist: the list is made anew and names it.
    let mut value = crate::cache::observation(10.0);
    value.source = Some("onder de streefwaarde".into());
    app.store
        .save_observation(
            &Actor::system("test", Channel::Cli),
            &Reason::default(),
            &value,
            0,
        )
        .await
        .expect("a value");
    assert!(app.store.kpi_version().await.expect("version") > kpis);
    let after_value = reader.get("/").await;
    assert_eq!(app.state.kpi_attention.made(), made + 1, "made anew");
    assert!(
        missed_links(&after_value).iter().any(|h| h == zeist),
        "{:?}",
        missed_links(&after_value)
    );

    // An area's new name is in the lines: renaming it raises the KPI version too.
    let kpis = app.store.kpi_version().await.expect("version");
    let area = app
        .store
        .area_version("GM0355")
        .await
        .expect("read")
        .expect("Zeist");
    app.store
        .rename_area(
            &Actor::system("test", Channel::Cli),
            &Reason::default(),
            "GM0355",
            area,
            "Zeist (hernoemd)",
        )
        .await
        .expect("renamed");
    assert!(app.store.kpi_version().await.expect("version") > kpis);
    // Saved under the same name, an area raises it still: the KPIs' lines follow areas.
    let kpis = app.store.kpi_version().await.expect("version");
    app.store
        .rename_area(
            &Actor::system("test", Channel::Cli),
            &Reason::default(),
            "GM0355",
            area + 1,
            "Zeist (hernoemd)",
        )
        .await
        .expect("saved as it was");
    assert!(app.store.kpi_version().await.expect("version") > kpis);
    let renamed = reader.get("/").await;
    assert!(
        renamed
            .text(".rm-attention")
            .contains("in Zeist (hernoemd)")
    );
}

/// The text of a plan page's KPI table.
fn kpi_table(page: &crate::helpers::Page) -> String {
    page.text(r#"[aria-label="KPI's met hun status"] tbody"#)
}

#[tokio::test]
async fn a_plans_kpis_are_kept_while_a_rollout_is_saved_and_follow_a_new_value() {
    let app = TestApp::with_people().await;
    let reader = app.login_as(Persona::Reader).await;
    let plan: String = sqlx::query_scalar(
        "SELECT plan_id FROM indicator_plans WHERE indicator_id = 'mtvp-consultduur'",
    )
    .fetch_one(app.store.pool())
    .await
    .expect("the KPI's plan");
    let path = format!("/plannen/{plan}");
    let first = reader.get(&path).await;
    assert_eq!(first.status, StatusCode::OK);
    let before = kpi_table(&first);
    assert!(
        first
            .body
            .contains(r#"href="/indicatoren/mtvp-consultduur""#),
        "the plan's page lists its KPI"
    );
    let made = app.state.kpi_standing.made();

    // A gemeente's own fact leaves every KPI's values as they were: the standing is kept.
    let version = app.store.rollout_version(&plan, "GM0355").await.expect("v");
    app.store
        .save_rollout(
            &Actor::system("test", Channel::Cli),
            &Reason::default(),
            &plan,
            "GM0355",
            version,
            &own_fact(RolloutStatus::Running),
        )
        .await
        .expect("an own fact");
    let after_rollout = reader.get(&path).await;
    assert_eq!(app.state.kpi_standing.made(), made, "kept");
    assert_eq!(kpi_table(&after_rollout), before);

    // A value under the target in Zeist: made anew, and the plan's line counts it.
    let mut value = crate::cache::observation(10.0);
    value.source = Some("onder de streefwaarde".into());
    app.store
        .save_observation(
            &Actor::system("test", Channel::Cli),
            &Reason::default(),
            &value,
            0,
        )
        .await
        .expect("a value");
    let after_value = reader.get(&path).await;
    assert_eq!(app.state.kpi_standing.made(), made + 1, "made anew");
    assert_ne!(kpi_table(&after_value), before);
}

#[tokio::test]
async fn the_counts_read_rows_per_area_and_category_however_many_plans_and_cells() {
    let mut read = Vec::new();
    for size in [150, 600] {
        let db = TestDb::new().await;
        let store = Store::open(&db.url).await.expect("store opens");
        let portfolio = generate::portfolio(size);
        store
            .import_portfolio(&Actor::system("test", Channel::Import), &portfolio)
            .await
            .expect("generated portfolio stored");
        let rows = same_counts(&store, &PlanFilter::default()).await;
        let catalog = Catalog::load(&store).await.expect("catalog");
        // Region-wide plans: one row per stage category (4: lopend, gepland, other, not
        // stated); per working area: 4; per gemeente's own facts: 4 stage categories × 4
        // status categories (lopend, gepland, other, unknown) × inside or outside the area;
        // times 1 + the opgaven (none here).
        let bound = 4 + 4 * catalog.areas.len() + 32 * catalog.gemeenten().count();
        let cells: usize = portfolio.plans.iter().map(|p| p.rollouts.len()).sum();
        assert!(rows <= bound, "{rows} rows for {size} plans, bound {bound}");
        read.push((size, cells, rows));
    }
    let (small, large) = (read[0], read[1]);
    assert_eq!(large.1, 4 * small.1, "four times the cells");
    assert!(
        large.2 < large.1,
        "fewer rows than cells, whatever the size: {read:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_write_64_visitors_of_the_start_page_make_it_once() {
    let app = TestApp::with_people().await;
    let reader = app.login_as(Persona::Reader).await;
    assert_eq!(reader.get("/").await.status, StatusCode::OK);
    assert_eq!(app.anonymous().get("/").await.status, StatusCode::OK);

    crate::cache::write_straight_to_the_store(&app.store).await;
    let (counts, pages) = (app.state.counts_made(), app.state.pages_made());

    let mut visitors = Vec::new();
    for n in 0..64 {
        let client = if n % 2 == 0 {
            reader.clone()
        } else {
            app.anonymous()
        };
        visitors.push(tokio::spawn(async move { client.get("/").await }));
    }
    let mut bodies = Vec::new();
    for v in visitors {
        let page = v.await.expect("visitor");
        assert_eq!(page.status, StatusCode::OK);
        bodies.push(page.body);
    }
    assert_eq!(
        app.state.counts_made() - counts,
        1,
        "the counts are made once for 32 signed-in and 32 anonymous visitors"
    );
    assert_eq!(
        app.state.pages_made() - pages,
        1,
        "the public page is made once for 32 anonymous visitors"
    );
    assert!(
        bodies[0].contains("Lotte Lezer"),
        "signed in: the reader's own page"
    );
    assert!(!bodies[1].contains("Lotte Lezer"));
    assert!(
        bodies.iter().skip(1).step_by(2).all(|b| *b == bodies[1]),
        "every anonymous visitor got the same page"
    );
}

#[tokio::test]
async fn a_gemeente_page_lists_its_plans_a_page_at_a_time_and_its_links_keep_the_peildatum() {
    let app = TestApp::empty().await;
    app.store
        .import_portfolio(
            &Actor::system("test", Channel::Import),
            &generate::portfolio(150),
        )
        .await
        .expect("generated portfolio stored");
    let first = app.get("/gemeenten/GM0100?per_pagina=10").await;
    assert_eq!(first.status, StatusCode::OK);
    let status = first.text("main p[role=status]");
    let total: usize = status
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the number of plans: {status}"));
    assert!(total > 20, "{status}");
    let pages = total.div_ceil(10);
    let plans_on = |page: &crate::helpers::Page| {
        page.texts("main section tbody th a")
            .into_iter()
            .collect::<std::collections::HashSet<_>>()
    };

    // First page: a next link that keeps the page size, no previous one.
    assert_eq!(
        first.attr("a[rel=next]", "href").as_deref(),
        Some("/gemeenten/GM0100?pagina=2&per_pagina=10")
    );
    assert_eq!(first.count("a[rel=prev]"), 0);
    let mut seen = plans_on(&first);
    // Middle pages have both; the last only a previous link; every plan is on one page.
    for n in 2..=pages {
        let page = app
            .get(&format!("/gemeenten/GM0100?pagina={n}&per_pagina=10"))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.count("a[rel=prev]"), 1, "page {n}");
        assert_eq!(
            page.count("a[rel=next]"),
            usize::from(n < pages),
            "page {n}"
        );
        let on_page = plans_on(&page);
        assert!(on_page.is_disjoint(&seen), "page {n} repeats no plan");
        seen.extend(on_page);
    }
    assert_eq!(seen.len(), total, "every plan once over {pages} pages");

    // The peildatum stays in the links; a page past the end says how many pages there are.
    let past = app
        .get("/gemeenten/GM0100?peildatum=2025-06-30&pagina=2&per_pagina=10")
        .await;
    assert_eq!(past.status, StatusCode::OK);
    assert_eq!(
        past.attr("a[rel=prev]", "href").as_deref(),
        Some("/gemeenten/GM0100?peildatum=2025-06-30&per_pagina=10")
    );
    let beyond = app
        .get(&format!(
            "/gemeenten/GM0100?pagina={}&per_pagina=10",
            pages + 1
        ))
        .await;
    assert_eq!(beyond.status, StatusCode::OK);
    assert!(
        beyond.body.contains("Deze pagina is leeg"),
        "{}",
        beyond.body
    );
}
