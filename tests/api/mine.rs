//! "Voor mij" (`/voor-mij`): a trekker sees the plans of their organisation, the KPI values it
//! still owes and its open follow-up actions, nobody else's; a visitor who is not signed in is
//! sent to sign in.

use std::collections::BTreeSet;

use axum::http::StatusCode;

use crate::helpers::{Client, PLAN, Persona, TestApp};

/// A KPI of plan `mtvp`, led by UNICUM.
const KPI: &str = "mtvp-consultduur";
/// A KPI of plan `digitalisering`, which UNICUM does not lead.
const OTHER_KPI: &str = "telemonitoring-in-mrc";

/// Creates an action for `kpi` owned by `organisation` through the form; returns its address.
async fn create_action(
    client: &Client,
    kpi: &str,
    title: &str,
    organisation: &str,
    deadline: &str,
    status: &str,
) -> String {
    let created = client
        .post_form(
            &format!("/indicatoren/{kpi}/acties"),
            [
                ("title", title),
                ("owner", "Trekker"),
                ("owner_organisation", organisation),
                ("deadline", deadline),
                ("status", status),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    created.location().expect("a redirect").to_owned()
}

#[tokio::test]
async fn voor_mij_lists_exactly_the_plans_kpis_and_open_actions_of_the_trekker_s_organisation() {
    let app = TestApp::with_people().await;
    let lead = app.login_as(Persona::LeadOfPlan).await;
    let admin = app.login_as(Persona::Admin).await;

    let overdue = create_action(&lead, KPI, "Te laat", "unicum", "2020-01-31", "open").await;
    let later = create_action(&lead, KPI, "Op tijd", "unicum", "2099-12-31", "bezig").await;
    create_action(&lead, KPI, "Al klaar", "unicum", "2020-01-31", "afgerond").await;
    create_action(&admin, KPI, "Van de GGD", "ggdru", "2099-12-31", "open").await;
    create_action(&admin, KPI, "Van niemand", "", "2099-12-31", "open").await;

    let page = lead.get("/voor-mij").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.text("h1"), "Voor mij");
    assert_eq!(
        page.attr("header a[href='/voor-mij']", "aria-current")
            .as_deref(),
        Some("page")
    );

    // Exactly the plans UNICUM leads.
    let led: Vec<(String,)> = sqlx::query_as(
        "SELECT plan_id FROM plan_organisations WHERE organisation_id = 'unicum' AND role = 'trekker'",
    )
    .fetch_all(app.store.pool())
    .await
    .expect("plans");
    let expected: BTreeSet<String> = led
        .into_iter()
        .map(|(p,)| format!("/plannen/{p}"))
        .collect();
    assert!(expected.contains(&format!("/plannen/{PLAN}")));
    let shown: BTreeSet<String> = page
        .html()
        .select(
            &scraper::Selector::parse(".rm-mine-plans a.rm-mine-plans__plan").expect("selector"),
        )
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect();
    assert_eq!(shown, expected);
    assert_eq!(page.count(".rm-mine-plans > li"), expected.len());

    // Exactly UNICUM's open actions, the late one flagged.
    let actions: Vec<String> = page
        .html()
        .select(
            &scraper::Selector::parse("table.rm-table tbody th a[href^='/acties/']")
                .expect("selector"),
        )
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect();
    assert_eq!(actions, [overdue.clone(), later]);
    assert_eq!(page.count(".rm-overdue"), 1);
    assert!(page.body.contains("1 actie is over tijd"));

    // The KPI values owed: UNICUM's KPI for the last quarter that is over, not the other's.
    let due = regiomonitor::features::mine::pages::last_due(
        regiomonitor::domain::Frequency::Quarter,
        regiomonitor::features::indicators::today(),
    );
    let owed = page.texts(".rm-owed__item");
    assert!(
        owed.iter()
            .any(|o| o.contains(&format!("({due}) ontbreekt voor"))),
        "{owed:?}"
    );
    assert_eq!(
        page.count(&format!(".rm-owed__item > a[href='/indicatoren/{KPI}']")),
        1
    );
    assert_eq!(
        page.count(&format!(
            ".rm-owed__item > a[href='/indicatoren/{OTHER_KPI}']"
        )),
        0
    );
    assert_eq!(
        page.count(&format!(
            "a[href^='/indicatoren/{KPI}/metingen/nieuw?periode={due}']"
        )),
        1
    );
    // The demo's open round covers PLAN and has no update of it yet: it is owed.
    assert_eq!(
        page.count(&format!(
            ".rm-owed__item a[href='/rondes/2025-Q4/plannen/{PLAN}']"
        )),
        1
    );

    // The trekker of the GGD sees their own action, not UNICUM's.
    let other = app.login_as(Persona::LeadOfOtherPlan).await;
    let page = other.get("/voor-mij").await;
    let titles = page.texts("table.rm-table tbody th a[href^='/acties/']");
    assert_eq!(titles, ["Van de GGD"]);
    assert!(!page.body.contains(&format!("href=\"/plannen/{PLAN}\"")));
}

#[tokio::test]
async fn voor_mij_sends_an_anonymous_visitor_to_sign_in_and_tells_a_beheerder_and_a_reader_what_they_may()
 {
    let app = TestApp::with_people().await;

    let page = app.anonymous().get("/voor-mij").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), Some("/inloggen?terug=/voor-mij"));
    assert_eq!(app.get("/").await.count("a[href='/voor-mij']"), 0);

    let admin = app.login_as(Persona::Admin).await;
    let page = admin.get("/voor-mij").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text("main").contains("u mag alle plannen wijzigen"));
    assert_eq!(page.count("main a[href='/plannen']"), 1);

    let reader = app.login_as(Persona::Reader).await;
    let page = reader.get("/voor-mij").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count(".rm-mine-plans"), 0);
    assert_eq!(page.count(".rm-owed__item"), 0);
}
