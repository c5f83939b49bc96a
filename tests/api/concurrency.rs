//! Two people saving the same record at the same moment: one save, one conflict, never an
//! internal error.

use axum::http::StatusCode;

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
