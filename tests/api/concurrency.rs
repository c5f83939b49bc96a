//! Two people saving the same record at the same moment: one save, one conflict, never an
//! internal error.

// A setup step that fails here is a broken fixture, not the behaviour under test.
#![allow(clippy::unwrap_used)]

use std::future::Future;

use axum::http::StatusCode;
use regiomonitor::domain::{ActionStatus, Channel, Period, Role, RolloutStatus};
use regiomonitor::features::actions::model::ActionFields;
use regiomonitor::features::observations::model::NewObservation;
use regiomonitor::features::rollouts::model::RolloutFields;
use regiomonitor::store::{Actor, Reason, Store, StoreError};

use crate::helpers::{GEMEENTE, PLAN, Persona, TestApp, set_field};

const EDIT_FORM: &str = "form[action$='/bewerken']";

fn edit_path() -> String {
    format!("/plannen/{PLAN}/bewerken")
}

fn rollout_path() -> String {
    format!("/plannen/{PLAN}/uitrol/{GEMEENTE}")
}

#[tokio::test]
async fn two_simultaneous_saves_of_the_same_version_give_one_save_and_one_conflict() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let mut first = admin.get(&edit_path()).await.form_values(EDIT_FORM);
    let mut second = lead.get(&edit_path()).await.form_values(EDIT_FORM);
    set_field(&mut first, "about", "Gelijktijdig A.");
    set_field(&mut second, "about", "Gelijktijdig B.");

    let path = edit_path();
    let (a, b) = tokio::join!(admin.post_form(&path, first), lead.post_form(&path, second));

    let mut statuses = vec![a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        vec![StatusCode::SEE_OTHER, StatusCode::CONFLICT],
        "{}\n{}",
        a.body.chars().take(400).collect::<String>(),
        b.body.chars().take(400).collect::<String>()
    );
}

#[tokio::test]
async fn two_simultaneous_first_saves_of_an_empty_cell_give_one_save_and_one_conflict() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let form = |status: &str| {
        vec![
            ("version".to_owned(), "0".to_owned()),
            ("status".to_owned(), status.to_owned()),
            ("date".to_owned(), "2025-10-09".to_owned()),
        ]
    };

    let path = rollout_path();
    let (a, b) = tokio::join!(
        admin.post_form(&path, form("loopt")),
        lead.post_form(&path, form("gepland"))
    );

    let mut statuses = vec![a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, vec![StatusCode::SEE_OTHER, StatusCode::CONFLICT]);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM rollout_history WHERE plan_id = 'versterken-eerstelijn' AND gemeente_id = 'GM0355'")
            .await,
        1
    );
}

// --- 32 saves of one version, for every versioned kind of record ---------------------------

/// How many people save the same version at once.
const RACERS: usize = 32;

/// Every table with a `version` column. A new versioned table fails
/// [`every_versioned_table_has_a_race_test`] until a race test for it is added here.
const RACED_TABLES: [&str; 15] = [
    "actions",
    "areas",
    "budgets",
    "capacities",
    "framework_items",
    "indicators",
    "meetings",
    "milestones",
    "observations",
    "organisations",
    "plan_updates",
    "plans",
    "report_rounds",
    "rollouts",
    "users",
];

const KPI: &str = "mtvp-consultduur";

fn actor(i: usize) -> Actor {
    Actor::system(format!("racer {i}"), Channel::Api)
}

/// Runs `save(i)` for `RACERS` racers at once on the runtime's worker threads; returns the
/// index of the one that saved and the new version, after checking that every other racer got
/// a conflict (not an error of another kind).
async fn race<F, Fut>(save: F) -> (usize, i64)
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<i64, StoreError>> + Send + 'static,
{
    let handles: Vec<_> = (0..RACERS).map(|i| tokio::spawn(save(i))).collect();
    let mut saved = Vec::new();
    let mut conflicts = 0;
    for (i, handle) in handles.into_iter().enumerate() {
        match handle.await.expect("racer finished") {
            Ok(version) => saved.push((i, version)),
            Err(StoreError::Conflict { .. }) => conflicts += 1,
            Err(other) => panic!("racer {i}: expected a save or a conflict, got {other:?}"),
        }
    }
    assert_eq!(saved.len(), 1, "exactly one save: {saved:?}");
    assert_eq!(conflicts, RACERS - 1);
    saved[0]
}

/// The trail entries the racers wrote: only the winner's may be there.
async fn racers_in_trail(app: &TestApp) -> Vec<String> {
    let mut actors: Vec<String> = app
        .audit_entries()
        .await
        .into_iter()
        .filter_map(|a| a.actor)
        .filter(|a| a.starts_with("racer "))
        .collect();
    actors.dedup();
    actors
}

async fn versioned_tables(store: &Store) -> Vec<String> {
    let sql = match store.backend() {
        regiomonitor::store::Backend::Sqlite => {
            "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
              WHERE m.type = 'table' AND c.name = 'version' ORDER BY m.name"
        }
        regiomonitor::store::Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.columns
              WHERE column_name = 'version' AND table_schema = current_schema() ORDER BY 1"
        }
    };
    let rows: Vec<(String,)> = sqlx::query_as(sql)
        .fetch_all(store.pool())
        .await
        .expect("schema");
    // sqlx's own bookkeeping has a `version` column too: the migration's number.
    rows.into_iter()
        .map(|(t,)| t)
        .filter(|t| t != "_sqlx_migrations")
        .collect()
}

#[tokio::test]
async fn every_versioned_table_has_a_race_test() {
    let app = TestApp::empty().await;

    let tables = versioned_tables(&app.store).await;

    assert_eq!(
        tables, RACED_TABLES,
        "add a race test for every versioned table"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_saves_of_one_plan_version_store_exactly_one() {
    let app = TestApp::demo().await;
    let stored = app.store.stored_plan(PLAN).await.unwrap().unwrap();

    let (winner, version) = race(|i| {
        let (store, mut fields) = (app.store.clone(), stored.fields.clone());
        fields.texts.about = Some(format!("Gelijktijdig {i}"));
        async move {
            store
                .update_plan(
                    &actor(i),
                    &Reason::default(),
                    PLAN,
                    stored.version,
                    &fields,
                    None,
                )
                .await
        }
    })
    .await;

    let now = app.store.stored_plan(PLAN).await.unwrap().unwrap();
    assert_eq!(version, stored.version + 1);
    assert_eq!(now.version, version);
    assert_eq!(
        now.fields.texts.about.as_deref(),
        Some(&*format!("Gelijktijdig {winner}"))
    );
    assert_eq!(racers_in_trail(&app).await, [format!("racer {winner}")]);
}

fn cell(note: String) -> RolloutFields {
    RolloutFields {
        status: RolloutStatus::Running,
        date: regiomonitor::domain::FactDate::day(jiff::civil::date(2026, 1, 1)),
        district_id: None,
        note: Some(note),
        source: None,
        date_and_source_confirmed: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_first_saves_of_an_empty_cell_store_exactly_one() {
    let app = TestApp::demo().await;
    assert_eq!(app.store.rollout_version(PLAN, GEMEENTE).await.unwrap(), 0);

    let (winner, version) = race(|i| {
        let store = app.store.clone();
        async move {
            store
                .save_rollout(
                    &actor(i),
                    &Reason::default(),
                    PLAN,
                    GEMEENTE,
                    0,
                    &cell(format!("{i}")),
                )
                .await
        }
    })
    .await;

    assert_eq!(version, 1);
    let sql = format!(
        "SELECT COUNT(*) FROM rollout_history WHERE plan_id = '{PLAN}' AND gemeente_id = '{GEMEENTE}'"
    );
    assert_eq!(app.scalar(&sql).await, 1);
    assert_eq!(racers_in_trail(&app).await, [format!("racer {winner}")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_saves_of_one_cell_version_store_exactly_one() {
    let app = TestApp::demo().await;
    let first = app
        .store
        .save_rollout(
            &actor(99),
            &Reason::default(),
            PLAN,
            GEMEENTE,
            0,
            &cell("eerste".into()),
        )
        .await
        .unwrap();

    let (winner, version) = race(|i| {
        let store = app.store.clone();
        async move {
            store
                .save_rollout(
                    &actor(i),
                    &Reason::default(),
                    PLAN,
                    GEMEENTE,
                    first,
                    &cell(format!("{i}")),
                )
                .await
        }
    })
    .await;

    assert_eq!(version, first + 1);
    assert_eq!(
        app.store.rollout_version(PLAN, GEMEENTE).await.unwrap(),
        version
    );
    let note: (String,) =
        sqlx::query_as("SELECT note FROM rollouts WHERE plan_id = $1 AND gemeente_id = $2")
            .bind(PLAN)
            .bind(GEMEENTE)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(note.0, winner.to_string());
    assert_eq!(
        racers_in_trail(&app).await,
        ["racer 99".to_owned(), format!("racer {winner}")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_saves_of_one_organisation_version_store_exactly_one() {
    let app = TestApp::demo().await;
    let (fields, v) = app
        .store
        .stored_organisation("unicum")
        .await
        .unwrap()
        .unwrap();

    let (winner, version) = race(|i| {
        let (store, mut fields) = (app.store.clone(), fields.clone());
        fields.website = Some(format!("https://example.org/{i}"));
        async move {
            store
                .save_organisation(&actor(i), &Reason::default(), "unicum", Some(v), &fields)
                .await
        }
    })
    .await;

    let (now, now_version) = app
        .store
        .stored_organisation("unicum")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((now_version, version), (v + 1, v + 1));
    assert_eq!(now.website, Some(format!("https://example.org/{winner}")));
    assert_eq!(racers_in_trail(&app).await, [format!("racer {winner}")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_renames_of_one_area_version_store_exactly_one() {
    let app = TestApp::demo().await;
    let v = app
        .scalar(&format!(
            "SELECT version FROM areas WHERE id = '{GEMEENTE}'"
        ))
        .await;

    let (winner, version) = race(|i| {
        let store = app.store.clone();
        async move {
            store
                .rename_area(
                    &actor(i),
                    &Reason::default(),
                    GEMEENTE,
                    v,
                    &format!("Naam {i}"),
                )
                .await
        }
    })
    .await;

    let name: (String, i64) = sqlx::query_as("SELECT name, version FROM areas WHERE id = $1")
        .bind(GEMEENTE)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(name, (format!("Naam {winner}"), v + 1));
    assert_eq!(version, v + 1);
    assert_eq!(racers_in_trail(&app).await, [format!("racer {winner}")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_saves_of_one_framework_item_version_store_exactly_one() {
    let app = TestApp::demo().await;
    let (kind, fields, v) = app
        .store
        .stored_framework_item("voorkomen")
        .await
        .unwrap()
        .unwrap();

    let (winner, version) = race(|i| {
        let (store, mut fields) = (app.store.clone(), fields.clone());
        fields.description = Some(format!("Omschrijving {i}"));
        async move {
            store
                .save_framework_item(
                    &actor(i),
                    &Reason::default(),
                    "voorkomen",
                    kind,
                    Some(v),
                    &fields,
                )
                .await
        }
    })
    .await;

    let (_, now, now_version) = app
        .store
        .stored_framework_item("voorkomen")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((now_version, version), (v + 1, v + 1));
    assert_eq!(now.description, Some(format!("Omschrijving {winner}")));
    assert_eq!(racers_in_trail(&app).await, [format!("racer {winner}")]);
}

/// The lost update this guards against: a KPI definition saved on PostgreSQL read its version,
/// compared it in Rust and updated without it, so two saves of one version both succeeded.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_saves_of_one_kpi_definition_version_store_exactly_one() {
    let app = TestApp::demo().await;
    let stored = app.store.indicator(KPI).await.unwrap().unwrap();
    let fields = stored.fields().expect("known codes");

    let (winner, version) = race(|i| {
        let (store, mut fields) = (app.store.clone(), fields.clone());
        fields.description = Some(format!("Definitie {i}"));
        async move {
            store
                .update_indicator(&actor(i), &Reason::default(), KPI, stored.version, &fields)
                .await
        }
    })
    .await;

    let now = app.store.indicator(KPI).await.unwrap().unwrap();
    assert_eq!(
        (now.version, version),
        (stored.version + 1, stored.version + 1)
    );
    assert_eq!(now.description, Some(format!("Definitie {winner}")));
    assert_eq!(racers_in_trail(&app).await, [format!("racer {winner}")]);
}

fn observation(value: f64) -> NewObservation {
    NewObservation {
        indicator_id: KPI.into(),
        area_id: GEMEENTE.into(),
        period: Period::parse("2027-Q1").unwrap(),
        value: Some(value),
        narrative: None,
        judged_status: None,
        source: None,
        note: None,
        is_example: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_saves_of_one_observation_store_exactly_one_new_and_then_one_change() {
    let app = TestApp::demo().await;

    let (first_winner, first) = race(|i| {
        let store = app.store.clone();
        async move {
            store
                .save_observation(&actor(i), &Reason::default(), &observation(i as f64), 0)
                .await
        }
    })
    .await;
    let (winner, version) = race(|i| {
        let store = app.store.clone();
        async move {
            store
                .save_observation(
                    &actor(i),
                    &Reason::default(),
                    &observation(100.0 + i as f64),
                    first,
                )
                .await
        }
    })
    .await;

    let now = app
        .store
        .observation_at(KPI, GEMEENTE, Period::parse("2027-Q1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((first, version, now.version), (1, 2, 2));
    assert_eq!(now.value, Some(100.0 + winner as f64));
    let mut expected = vec![format!("racer {first_winner}"), format!("racer {winner}")];
    expected.dedup();
    assert_eq!(racers_in_trail(&app).await, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_saves_of_one_action_version_store_exactly_one() {
    let app = TestApp::demo().await;
    let fields = ActionFields {
        area_id: Some(GEMEENTE.to_owned()),
        title: "Actie".into(),
        description: None,
        owner: Some("trekker".into()),
        plan_id: None,
        owner_organisation_id: None,
        deadline: Some(jiff::civil::date(2027, 3, 31)),
        status: ActionStatus::Open,
    };
    let id = app
        .store
        .create_action(&actor(99), &Reason::default(), KPI, &fields, None)
        .await
        .unwrap();

    let (winner, version) = race(|i| {
        let (store, mut fields) = (app.store.clone(), fields.clone());
        fields.title = format!("Actie {i}");
        async move {
            store
                .update_action(&actor(i), &Reason::default(), id, 1, &fields)
                .await
        }
    })
    .await;

    let now = app.store.action(id).await.unwrap().unwrap();
    assert_eq!((now.version, version), (2, 2));
    assert_eq!(now.title, format!("Actie {winner}"));
    assert_eq!(
        racers_in_trail(&app).await,
        ["racer 99".to_owned(), format!("racer {winner}")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_saves_of_one_milestone_version_store_exactly_one() {
    use regiomonitor::domain::{FactDate, MilestoneStatus};
    use regiomonitor::features::werkagenda::model::MilestoneFields;
    let app = TestApp::demo().await;
    let fields = MilestoneFields {
        title: "Mijlpaal".into(),
        period: FactDate::parse("najaar 2027").unwrap(),
        theme_id: None,
        note: None,
        source_id: None,
        status: MilestoneStatus::Planned,
        status_date: FactDate::Unknown,
        status_source_id: None,
    };
    let id = app
        .store
        .create_milestone(&actor(99), &Reason::default(), PLAN, &fields)
        .await
        .unwrap();

    let (winner, version) = race(|i| {
        let (store, mut fields) = (app.store.clone(), fields.clone());
        fields.title = format!("Mijlpaal {i}");
        async move {
            store
                .update_milestone(&actor(i), &Reason::default(), id, 1, &fields)
                .await
        }
    })
    .await;

    let now = app.store.milestone(id).await.unwrap().unwrap();
    assert_eq!((now.version, version), (2, 2));
    assert_eq!(now.title, format!("Mijlpaal {winner}"));
    assert_eq!(
        racers_in_trail(&app).await,
        ["racer 99".to_owned(), format!("racer {winner}")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_saves_of_one_budget_version_store_exactly_one() {
    use regiomonitor::features::finance::model::{Amount, BudgetFields};
    let app = TestApp::demo().await;
    let fields = BudgetFields {
        funding_source_id: "spuk-iza".into(),
        year: 2027,
        state: None,
        state_date: None,
        requested: Amount::default(),
        granted: Amount::default(),
        spent: Amount::default(),
        note: None,
        source_id: None,
        assumption: None,
        is_example: false,
    };
    let id = app
        .store
        .create_budget(&actor(99), &Reason::default(), PLAN, &fields)
        .await
        .unwrap();

    let (winner, version) = race(|i| {
        let (store, mut fields) = (app.store.clone(), fields.clone());
        fields.note = Some(format!("Budget {i}"));
        async move {
            store
                .update_budget(&actor(i), &Reason::default(), id, 1, &fields)
                .await
        }
    })
    .await;

    let now = app.store.budget(id).await.unwrap().unwrap();
    assert_eq!((now.version, version), (2, 2));
    assert_eq!(now.note, Some(format!("Budget {winner}")));
    assert_eq!(
        racers_in_trail(&app).await,
        ["racer 99".to_owned(), format!("racer {winner}")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_first_capacities_of_one_plan_year_store_exactly_one() {
    use regiomonitor::features::finance::model::CapacityFields;
    let app = TestApp::demo().await;

    let (winner, version) = race(|i| {
        let store = app.store.clone();
        let fields = CapacityFields {
            year: 2027,
            amount: None,
            assessment: None,
            note: Some(format!("Capaciteit {i}")),
            date: None,
            source_id: None,
        };
        async move {
            store
                .save_capacity(&actor(i), &Reason::default(), PLAN, 0, &fields)
                .await
        }
    })
    .await;

    let now = app.store.capacities().await.unwrap();
    assert_eq!(now.len(), 1);
    assert_eq!((now[0].version, version), (1, 1));
    assert_eq!(now[0].note, Some(format!("Capaciteit {winner}")));
    assert_eq!(racers_in_trail(&app).await, [format!("racer {winner}")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_status_changes_of_one_account_version_store_exactly_one() {
    let app = TestApp::demo().await;
    let id = app
        .add_user("doel@example.org", "Doel", Role::Reader, vec![])
        .await;

    let (winner, version) = race(|i| {
        let store = app.store.clone();
        async move { store.set_user_disabled(&actor(i), id, Some(1), true).await }
    })
    .await;

    let account = app
        .store
        .account_by_email("doel@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((account.version, version), (2, 2));
    assert!(account.disabled);
    assert_eq!(racers_in_trail(&app).await, [format!("racer {winner}")]);
}

/// The demo's open round; PLAN is in it and has no update yet.
const ROUND: &str = "2025-Q4";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_saves_of_one_round_version_store_exactly_one() {
    let app = TestApp::demo().await;
    let round = app.store.round(ROUND).await.unwrap().unwrap();

    let (winner, version) = race(|i| {
        let store = app.store.clone();
        let version = round.version;
        async move {
            store
                .edit_round(
                    &actor(i),
                    &Reason::default(),
                    ROUND,
                    version,
                    jiff::civil::date(2026, 2, 1),
                    Some(&format!("Samenvatting {i}")),
                    None,
                )
                .await
        }
    })
    .await;

    let now = app.store.round(ROUND).await.unwrap().unwrap();
    assert_eq!(version, round.version + 1);
    assert_eq!(now.summary, Some(format!("Samenvatting {winner}")));
    assert_eq!(racers_in_trail(&app).await, [format!("racer {winner}")]);
}

/// The demo's BBO of 9 October 2025, with nine agenda items.
const MEETING: &str = "bbo-zou-2025-10-09";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_agenda_items_added_at_one_meeting_version_store_exactly_one() {
    let app = TestApp::demo().await;
    let meeting = app.store.meeting(MEETING).await.unwrap().unwrap();
    let (winner, version) = race(|i| {
        let store = app.store.clone();
        let version = meeting.version;
        async move {
            let item = regiomonitor::features::meetings::model::AgendaItemFields {
                title: format!("Punt van racer {i}"),
                ..Default::default()
            };
            store
                .add_agenda_item(&actor(i), &Reason::default(), MEETING, version, &item)
                .await
                .map(|_| version + 1)
        }
    })
    .await;
    assert_eq!(version, meeting.version + 1);
    let items = app.store.agenda_items(MEETING).await.unwrap();
    assert_eq!(items.len(), 10, "one item added to the nine");
    assert_eq!(items[9].title, format!("Punt van racer {winner}"));
    assert_eq!(items[9].number, 10);
    assert_eq!(racers_in_trail(&app).await, [format!("racer {winner}")]);
}

fn update(i: usize) -> regiomonitor::features::quarterly::model::UpdateFields {
    regiomonitor::features::quarterly::model::UpdateFields {
        done: Some(format!("Gedaan {i}")),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_first_saves_and_then_thirty_two_saves_of_one_update_store_exactly_one_each() {
    let app = TestApp::demo().await;
    assert!(app.store.plan_update(ROUND, PLAN).await.unwrap().is_none());
    let origin = regiomonitor::features::quarterly::model::UpdateOrigin::default();

    let mut winners = Vec::new();
    for expected in [0, 1] {
        let (winner, version) = race(|i| {
            let (store, origin) = (app.store.clone(), origin.clone());
            async move {
                store
                    .save_update(
                        &actor(i),
                        &Reason::default(),
                        ROUND,
                        PLAN,
                        expected,
                        &update(i),
                        &[],
                        false,
                        &origin,
                    )
                    .await
            }
        })
        .await;
        assert_eq!(version, expected + 1);
        let now = app.store.plan_update(ROUND, PLAN).await.unwrap().unwrap();
        assert_eq!(now.version, version);
        assert_eq!(now.done, Some(format!("Gedaan {winner}")));
        winners.push(format!("racer {winner}"));
    }
    // Only the winners wrote to the trail.
    for entry in racers_in_trail(&app).await {
        assert!(
            winners.contains(&entry),
            "{entry} is not a winner: {winners:?}"
        );
    }
}
