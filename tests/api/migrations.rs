//! Migrations on data stored before them: 0012 keeps every follow-up action with its id and
//! escalations, makes the actiepunten meetings gave out actions at the meeting's body, and
//! leaves the identity counters past the copied ids (a new action gets a new id).
// A missing row is a failed test here, said by the panic's line.
#![allow(clippy::unwrap_used)]

use regiomonitor::store::Store;

use crate::helpers::TestDb;

async fn exec(store: &Store, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[tokio::test]
async fn migration_12_keeps_every_action_and_gives_out_the_actiepunten() {
    let db = TestDb::new().await;
    let old = Store::migrate_until(&db.url, 11).await.unwrap();
    for sql in [
        "INSERT INTO areas (id, kind, name) VALUES ('zou', 'subregio', 'Zuidoost-Utrecht')",
        "INSERT INTO bodies (id, name, level, kind) VALUES ('bbo', 'BBO', 'subregio', 'bbo')",
        "INSERT INTO bodies (id, name, level, kind) VALUES ('wg', 'Werkgroep', 'subregio', 'werkgroep')",
        "INSERT INTO plans (id, name, kind, area_id) VALUES ('p', 'Plan', 'project', 'zou')",
        "INSERT INTO indicators (id, name, kind, measure, frequency, area_level)
         VALUES ('k', 'KPI', 'resultaat', 'kwantitatief', 'jaar', 'gemeente')",
        // Two follow-up actions with ids that leave a gap, one escalated.
        "INSERT INTO follow_up_actions (id, indicator_id, title, owner, deadline, status, level,
            body_id, created_at, version)
         VALUES (3, 'k', 'Eerste', 'trekker', '2026-01-31', 'open', 'werkgroep', 'wg',
                 '2026-01-01T10:00:00Z', 1)",
        "INSERT INTO follow_up_actions (id, indicator_id, title, owner, deadline, status, level,
            body_id, created_at, version)
         VALUES (7, 'k', 'Tweede', 'trekker', '2026-02-28', 'bezig', 'bbo', 'bbo',
                 '2026-01-02T10:00:00Z', 4)",
        "INSERT INTO action_escalations (id, action_id, from_level, from_body_id, to_level,
            to_body_id, reason, at, actor)
         VALUES (5, 7, 'werkgroep', 'wg', 'bbo', 'bbo', 'Te groot', '2026-01-03T10:00:00Z', 'Bea')",
        "INSERT INTO meetings (id, body_id, starts_on, status) VALUES ('bbo-2025-10-09', 'bbo',
            '2025-10-09', 'verslag-concept')",
        "INSERT INTO agenda_items (meeting_id, number, title) VALUES ('bbo-2025-10-09', 4, 'Manifest')",
        "INSERT INTO agenda_item_plans (meeting_id, number, plan_id) VALUES ('bbo-2025-10-09', 4, 'p')",
        "INSERT INTO agenda_outcomes (meeting_id, number, position, kind, text, owner, due_on)
         VALUES ('bbo-2025-10-09', 4, 1, 'informatie', 'Gemeld.', NULL, NULL)",
        "INSERT INTO agenda_outcomes (meeting_id, number, position, kind, text, owner, due_on)
         VALUES ('bbo-2025-10-09', 4, 2, 'actiepunt', 'Aanpassingen delen.', 'de partijen',
                 '2025-11-14')",
    ] {
        exec(&old, sql).await;
    }
    old.pool().close().await;

    let store = Store::open(&db.url).await.unwrap();
    let all = store.all_actions().await.unwrap();
    assert_eq!(all.len(), 3, "{all:?}");
    let first = store.action(3).await.unwrap().unwrap();
    assert_eq!(first.title, "Eerste");
    assert_eq!(first.indicator_id.as_deref(), Some("k"));
    assert_eq!(first.body_id.as_deref(), Some("wg"));
    assert_eq!(first.deadline.as_deref(), Some("2026-01-31"));
    let second = store.action(7).await.unwrap().unwrap();
    assert_eq!((second.version, second.status.as_str()), (4, "bezig"));
    let steps = store.escalations(7).await.unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].reason, "Te groot");
    // The actiepunt is an action at the meeting's body, about the item's only plan; the
    // outcome keeps its owner and day as agreed.
    let given = all.iter().find(|a| a.meeting_id.is_some()).unwrap();
    assert_eq!(given.title, "Aanpassingen delen.");
    assert_eq!(given.body_id.as_deref(), Some("bbo"));
    assert_eq!(given.level.as_deref(), Some("bbo"));
    assert_eq!(given.plan_id.as_deref(), Some("p"));
    assert_eq!(
        (given.item_number, given.outcome_position),
        (Some(4), Some(2))
    );
    assert_eq!(given.deadline.as_deref(), Some("2025-11-14"));
    assert!(
        given.created_at.ends_with('Z') && given.created_at.len() == 20,
        "{}",
        given.created_at
    );
    assert!(given.id > 7, "a new id past the copied ones: {}", given.id);
    let outcomes = store.agenda_outcomes("bbo-2025-10-09").await.unwrap();
    assert_eq!(outcomes[1].owner.as_deref(), Some("de partijen"));
    assert_eq!(outcomes[1].due_on.as_deref(), Some("2025-11-14"));

    // A new action and a new escalation get ids of their own.
    let actor = regiomonitor::store::Actor::system("test", regiomonitor::domain::Channel::Cli);
    let fields = regiomonitor::features::actions::model::ActionFields {
        area_id: None,
        plan_id: None,
        title: "Nieuw".into(),
        description: None,
        owner: Some("trekker".into()),
        owner_organisation_id: None,
        deadline: Some(jiff::civil::date(2027, 1, 31)),
        status: regiomonitor::domain::ActionStatus::Open,
    };
    let id = store
        .create_action(
            &actor,
            &regiomonitor::store::Reason::default(),
            "k",
            &fields,
            None,
        )
        .await
        .unwrap();
    assert!(id > given.id, "{id}");
}
