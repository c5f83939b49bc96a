//! Public pages are kept in memory while the data has not changed, and made anew as soon as
//! any write (from any door, also another process on the same database) lands.

use axum::http::StatusCode;
use regiomonitor::domain::{Channel, Period};
use regiomonitor::features::observations::model::NewObservation;
use regiomonitor::store::{Actor, Reason};

use crate::helpers::{Persona, TestApp};

/// A new value of the consultation time in Zeist (source "cachetest").
pub(crate) fn observation(value: f64) -> NewObservation {
    NewObservation {
        indicator_id: "mtvp-consultduur".into(),
        area_id: "GM0355".into(),
        period: Period::Quarter(2026, 4),
        value: Some(value),
        narrative: None,
        judged_status: None,
        source: Some("cachetest".into()),
        note: None,
        is_example: false,
    }
}

/// Stores [`observation`] as the command line would: on the store, past the website.
pub(crate) async fn write_straight_to_the_store(store: &regiomonitor::store::Store) {
    store
        .save_observation(
            &Actor::system("test", Channel::Cli),
            &Reason::default(),
            &observation(14.75),
            0,
        )
        .await
        .expect("stored");
}

#[tokio::test]
async fn a_kept_public_page_shows_a_value_written_after_it_was_first_made() {
    let app = TestApp::demo().await;
    let path = "/indicatoren/mtvp-consultduur?gebied=GM0355";
    let first = app.get(path).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(!first.body.contains("cachetest"));
    assert_eq!(
        app.get(path).await.body,
        first.body,
        "served again unchanged"
    );

    // A write straight to the store, as another process (the command line) would do.
    write_straight_to_the_store(&app.store).await;

    let after = app.get(path).await;
    assert!(after.body.contains("cachetest"), "the new value is shown");
    assert!(after.body.contains("14,75 minuten"));
}

#[tokio::test]
async fn signed_in_pages_are_never_served_from_the_public_copy() {
    let app = TestApp::with_people().await;
    let path = "/indicatoren/mtvp-consultduur";
    let public = app.get(path).await;
    assert_eq!(
        public.count("a[href='/indicatoren/mtvp-consultduur/metingen/nieuw']"),
        0
    );

    let trekker = app.login_as(Persona::LeadOfPlan).await;
    let own = trekker.get(path).await;

    assert_eq!(
        own.count("a[href='/indicatoren/mtvp-consultduur/metingen/nieuw']"),
        1,
        "the trekker's page has its own edit links"
    );
    assert_eq!(
        app.get(path)
            .await
            .count("a[href='/indicatoren/mtvp-consultduur/metingen/nieuw']"),
        0,
        "and the public copy has none"
    );
}

#[tokio::test]
async fn a_save_that_only_raises_a_version_is_seen_in_the_public_api() {
    let app = TestApp::demo().await;
    let path = "/api/v1/plans/mtvp";
    let before = app.get(path).await.json()["version"].clone();
    let stored = app
        .store
        .stored_plan("mtvp")
        .await
        .expect("read")
        .expect("plan");

    // Saving the plan unchanged writes no trail entry, but its version moves.
    app.store
        .update_plan(
            &Actor::system("test", Channel::Cli),
            &Reason::default(),
            "mtvp",
            stored.version,
            &stored.fields,
            None,
        )
        .await
        .expect("saved");

    let after = app.get(path).await.json()["version"].clone();
    assert_ne!(after, before, "the kept copy was not served after the save");
}

#[tokio::test]
async fn a_write_by_another_process_shows_within_the_freshness_window() {
    let app = TestApp::demo().await;
    let path = "/indicatoren/mtvp-consultduur?gebied=GM0355";
    assert!(!app.get(path).await.body.contains("cachetest"));

    // A second store on the same database, as the command line in another process has.
    let other = regiomonitor::store::Store::open(&app._db.url)
        .await
        .expect("second store");
    write_straight_to_the_store(&other).await;
    tokio::time::sleep(regiomonitor::web::KEPT_PAGES_FRESH + std::time::Duration::from_millis(50))
        .await;

    assert!(app.get(path).await.body.contains("cachetest"));
}
