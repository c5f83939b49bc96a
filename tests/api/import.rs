use regiomonitor::domain::Channel;
use regiomonitor::import::Bundle;
use regiomonitor::store::Actor;
use regiomonitor::store::StoreError;

use crate::helpers::TestApp;

fn problems_of(bundle: &Bundle) -> Vec<String> {
    match bundle.check() {
        Ok(_) => panic!("the bundle should have been refused"),
        Err(p) => p.0.iter().map(ToString::to_string).collect(),
    }
}

const EXTRA_PLAN: &str = r#"
[[plan]]
id = "proefplan"
naam = "Proefplan"
soort = "project"
gebied = "zuidoost-utrecht"
bron = "zou-2025"
"#;

#[test]
fn the_demo_data_passes_its_own_checks() {
    let portfolio = Bundle::demo().check().unwrap_or_else(|p| panic!("{p}"));

    assert_eq!(
        portfolio
            .areas
            .iter()
            .filter(|a| a.kind == regiomonitor::domain::AreaKind::Municipality)
            .count(),
        24
    );
    assert!(
        portfolio.plans.len() > 40,
        "{} plans",
        portfolio.plans.len()
    );
}

#[test]
fn an_escalation_ladder_names_known_bodies_and_only_goes_up() {
    let bundle = Bundle::demo().with_file(
        "ladder.toml",
        r#"
[[overleg]]
id = "onder"
naam = "Onder"
niveau = "subregio"
subregio = "zuidoost-utrecht"
escaleert_naar = "boven"

[[overleg]]
id = "boven"
naam = "Boven"
niveau = "subregio"
subregio = "zuidoost-utrecht"
escaleert_naar = "onder"

[[overleg]]
id = "los"
naam = "Los"
niveau = "subregio"
subregio = "zuidoost-utrecht"
escaleert_naar = "bestaat-niet"

[[overleg]]
id = "zonder"
naam = "Zonder"
niveau = "subregio"
subregio = "zuidoost-utrecht"
aanname_escalatie = "zomaar"
"#,
    );

    let problems = problems_of(&bundle);

    let about = |record: &str, words: &str| {
        problems
            .iter()
            .any(|p| p.contains(&format!("overleg \"{record}\"")) && p.contains(words))
    };
    assert!(
        about("onder", "komt de ladder terug bij dit overleg"),
        "{problems:?}"
    );
    assert!(
        about("boven", "komt de ladder terug bij dit overleg"),
        "{problems:?}"
    );
    assert!(
        about("los", "\"bestaat-niet\" is geen bekend overleg"),
        "{problems:?}"
    );
    assert!(about("zonder", "er is geen escaleert_naar"), "{problems:?}");
    assert!(
        problems
            .iter()
            .all(|p| p.starts_with("ladder.toml, regel ")),
        "{problems:?}"
    );
    assert_eq!(problems.len(), 4, "{problems:?}");
}

#[test]
fn a_toml_syntax_error_names_the_file_and_the_line() {
    let bundle = Bundle::demo().with_file(
        "kapot.toml",
        "[[plan]]\nid = \"a\"\nnaam = \"niet afgesloten\n",
    );

    let problems = problems_of(&bundle);

    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("kapot.toml, regel 3: dit is geen geldige TOML"),
        "{problems:?}"
    );
}

#[test]
fn an_unknown_stage_names_file_line_plan_field_and_the_allowed_codes() {
    let bundle = Bundle::demo().with_file(
        "extra.toml",
        format!("{EXTRA_PLAN}fase = \"bijna-klaar\"\n"),
    );

    let problems = problems_of(&bundle);

    assert_eq!(
        problems,
        [
            "extra.toml, regel 2 (plan \"proefplan\"): veld fase: \"bijna-klaar\" is geen fase; kies uit: planvorming, snelle-toets-ingediend, snelle-toets-goedgekeurd, tp-ingediend, tp-goedgekeurd, opstartfase, implementatiefase, loopt, geborgd, gestopt"
        ]
    );
}

#[test]
fn references_to_unknown_organisations_and_opgaven_are_reported_each() {
    let bundle = Bundle::demo().with_file(
        "extra.toml",
        format!("{EXTRA_PLAN}trekkers = [\"niemand\"]\nopgaven = [\"zwemmen\"]\nakkoorden = [\"vrede\"]\n"),
    );

    let problems = problems_of(&bundle);

    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems
            .iter()
            .any(|p| p.contains("veld trekkers: \"niemand\" is geen bekende organisatie")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("veld akkoorden: \"vrede\" is geen bekend akkoord")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("veld opgaven: \"zwemmen\" is geen bekende opgave")),
        "{problems:?}"
    );
}

#[test]
fn a_rollout_outside_the_plans_area_is_refused() {
    let bundle = Bundle::demo().with_file(
        "extra.toml",
        format!("{EXTRA_PLAN}\n[[plan.uitrol]]\ngemeente = \"GM0344\"\nstatus = \"loopt\"\ndatum = \"2025-09-05\"\nbron = \"zou-2025\"\n"),
    );

    let problems = problems_of(&bundle);

    assert_eq!(
        problems,
        [
            "extra.toml, regel 2 (plan \"proefplan\"): uitrol nr. 1: gemeente GM0344 ligt buiten het werkgebied van het plan (zuidoost-utrecht); voeg het gebied toe aan werkgebied"
        ]
    );
}

#[test]
fn a_bad_date_and_a_bad_status_in_a_rollout_are_both_reported() {
    let bundle = Bundle::demo().with_file(
        "extra.toml",
        format!("{EXTRA_PLAN}\n[[plan.uitrol]]\ngemeente = \"GM0355\"\nstatus = \"bezig\"\ndatum = \"5-9-2025\"\n"),
    );

    let problems = problems_of(&bundle);

    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("uitrol nr. 1, status: \"bezig\" is geen uitrolstatus"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("uitrol nr. 1, datum: \"5-9-2025\" is geen datum die regiomonitor kent; schrijf een dag (2025-10-09)"),
        "{problems:?}"
    );
}

#[test]
fn a_duplicate_id_names_where_it_first_appeared() {
    let bundle = Bundle::demo().with_file("extra.toml", format!("{EXTRA_PLAN}{EXTRA_PLAN}"));

    let problems = problems_of(&bundle);

    assert_eq!(
        problems,
        [
            "extra.toml, regel 9 (plan \"proefplan\"): de id \"proefplan\" komt al voor in extra.toml, regel 2; elke id moet uniek zijn"
        ]
    );
}

#[test]
fn a_bad_cbs_code_in_the_gemeenten_file_names_the_row() {
    let csv = Bundle::demo()
        .file("gemeenten.csv")
        .expect("demo has gemeenten.csv")
        .replace("GM0589", "GM589");
    let bundle = Bundle::demo().with_file("gemeenten.csv", csv);

    let problems = problems_of(&bundle);

    assert!(
        problems.iter().any(|p| p.starts_with("gemeenten.csv, regel 5 (gemeente \"Oudewater\"): veld cbs_code: \"GM589\" is geen CBS-gemeentecode")),
        "{problems:?}"
    );
}

#[test]
fn an_unknown_key_is_a_problem_rather_than_silently_ignored() {
    let bundle =
        Bundle::demo().with_file("extra.toml", format!("{EXTRA_PLAN}trekker = \"UNICUM\"\n"));

    let problems = problems_of(&bundle);

    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("extra.toml, regel "),
        "{problems:?}"
    );
    assert!(problems[0].contains("trekker"), "{problems:?}");
}

#[tokio::test]
async fn a_refused_load_leaves_an_empty_database_empty() {
    let app = TestApp::empty().await;
    let before = app.counts().await;

    let result = Bundle::demo()
        .with_file("extra.toml", format!("{EXTRA_PLAN}fase = \"x\"\n"))
        .check();

    assert!(result.is_err());
    assert_eq!(app.counts().await, before);
    assert!(app.store.is_empty().await.expect("query"));
}

#[tokio::test]
async fn loading_into_a_store_that_has_a_portfolio_is_refused_and_changes_nothing() {
    let app = TestApp::demo().await;
    let before = app.counts().await;
    let portfolio = Bundle::demo()
        .with_file("extra.toml", EXTRA_PLAN)
        .check()
        .expect("valid");

    let result = app
        .store
        .import_portfolio(&Actor::system("test", Channel::Import), &portfolio)
        .await;

    assert!(
        matches!(result, Err(StoreError::Refused(ref m)) if m.message().contains("bevat al een portfolio")),
        "{result:?}"
    );
    assert_eq!(app.counts().await, before);
}

#[tokio::test]
async fn a_load_that_fails_halfway_in_the_database_is_rolled_back() {
    let app = TestApp::empty().await;
    // Without the milestones table, the first milestone insert fails after the areas and
    // the first plans have been written in the same transaction. (What a kwartaalupdate says
    // about milestones and their status steps refer to them, so they go first.)
    for table in ["update_milestones", "milestone_history", "milestones"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP TABLE {table}")))
            .execute(app.store.pool())
            .await
            .expect("drop");
    }
    let portfolio = Bundle::demo().check().expect("valid");

    let result = app
        .store
        .import_portfolio(&Actor::system("test", Channel::Import), &portfolio)
        .await;

    assert!(result.is_err());
    let (plans,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM plans")
        .fetch_one(app.store.pool())
        .await
        .expect("count");
    let (areas,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM areas")
        .fetch_one(app.store.pool())
        .await
        .expect("count");
    assert_eq!((plans, areas), (0, 0));
}

#[test]
fn every_problem_of_a_budget_capacity_and_milestone_status_is_reported_with_its_field() {
    let bundle = Bundle::demo().with_file(
        "extra.toml",
        format!(
            "{EXTRA_PLAN}
[[plan.mijlpaal]]
titel = \"Start\"
periode = \"najaar 2026\"
status = \"klaar\"

[[plan.budget]]
financieringsbron = \"loterij\"
jaar = 2026
bron = \"zou-2025\"

[[plan.budget]]
financieringsbron = \"spuk-iza\"
jaar = 2026
stand = \"goedgekeurd\"
aangevraagd = {{ bedrag = -5 }}
bron = \"zou-2025\"

[[plan.budget]]
financieringsbron = \"spuk-iza\"
jaar = 2026
toegekend = {{ bedrag = 10.005 }}
bron = \"zou-2025\"

[[plan.capaciteit]]
jaar = 2026
fte = 1.5
uren = 200
oordeel = \"ruim\"
"
        ),
    );

    let problems = problems_of(&bundle);

    let expect = [
        "mijlpaal nr. 1, status: \"klaar\" is geen status van een mijlpaal; kies uit: gepland, gehaald, verschoven, vervallen",
        "budget nr. 1, financieringsbron: \"loterij\" is geen bekende financieringsbron",
        "budget nr. 2, stand: \"goedgekeurd\" is geen stand van de aanvraag",
        "budget nr. 2, aangevraagd, bedrag: -5 is geen bedrag van 0 of meer",
        "budget nr. 3, toegekend, bedrag: 10,005 heeft meer dan twee cijfers achter de komma",
        "budget nr. 3: er is al een budget van \"spuk-iza\" voor 2026",
        "capaciteit nr. 1: geef fte of uren, niet allebei",
        "capaciteit nr. 1, oordeel: \"ruim\" is geen oordeel over de capaciteit",
    ];
    for e in expect {
        assert!(
            problems.iter().any(|p| p.contains(e)),
            "missing {e:?} in {problems:#?}"
        );
    }
    assert_eq!(problems.len(), expect.len(), "{problems:#?}");
}
