//! Editing what plans hang off: organisations, wijken and the names of areas, and the
//! framework of the regioplan. Through the real forms, as a beheerder; refused for others.

use axum::http::StatusCode;

use crate::helpers::{Client, GEMEENTE, Page, Persona, TestApp, set_field};

/// A demo organisation (UNICUM Huisartsenzorg).
const ORGANISATION: &str = "unicum";
/// A demo transformation of the framework.
const ITEM: &str = "t5-zorg-dichtbij";

/// The form on a page whose action ends with `/bewerken`.
const EDIT_FORM: &str = "form[action$='/bewerken']";

/// The demo portfolio and a beheerder signed in through the sign-in form.
async fn as_admin() -> (TestApp, Client) {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    (app, admin)
}

/// The rows of the change table (the Historie) on a page.
fn history(page: &Page) -> Vec<String> {
    page.texts("#historie ~ .rm-table-scroll table.rm-changes tbody tr")
}

/// The stored name of an organisation.
async fn organisation_name(app: &TestApp, id: &str) -> String {
    app.store
        .stored_organisation(id)
        .await
        .expect("store")
        .expect("organisation exists")
        .0
        .name
}

#[tokio::test]
async fn a_beheerder_adds_an_organisation_and_edits_it_and_both_appear_in_its_history() {
    let (_app, admin) = as_admin().await;

    let mut fields = admin
        .get("/organisaties/nieuw")
        .await
        .form_values("form[action='/organisaties']");
    set_field(&mut fields, "name", "Buurtzorg Zeist");
    set_field(&mut fields, "kind", "zorgaanbieder");
    set_field(&mut fields, "website", "https://www.buurtzorg.nl");
    let created = admin.post_form("/organisaties", fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert_eq!(created.location(), Some("/organisaties/buurtzorg-zeist"));

    let mut fields = admin
        .get("/organisaties/buurtzorg-zeist/bewerken")
        .await
        .form_values(EDIT_FORM);
    set_field(&mut fields, "name", "Buurtzorg Zeist-Oost");
    set_field(&mut fields, "comment", "Nieuwe naam na de splitsing");
    let saved = admin
        .post_form("/organisaties/buurtzorg-zeist/bewerken", fields)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let page = admin.get("/organisaties/buurtzorg-zeist").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Buurtzorg Zeist-Oost");
    assert_eq!(
        page.count("a[href='/organisaties/buurtzorg-zeist/bewerken']"),
        1
    );
    let rows = history(&page);
    assert!(
        rows.iter().any(|r| r.contains("Naam")
            && r.contains("Buurtzorg Zeist Buurtzorg Zeist-Oost")
            && r.contains("Nieuwe naam na de splitsing")
            && r.contains("Bea Beheer")),
        "{rows:?}"
    );
    assert!(rows.iter().any(|r| r.contains("Aangemaakt")), "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r.contains("Website") && r.contains("https://www.buurtzorg.nl")),
        "{rows:?}"
    );
}

#[tokio::test]
async fn a_new_organisation_without_a_name_is_refused_per_field_and_keeps_what_was_typed() {
    let (app, admin) = as_admin().await;
    let before = app.snapshot().await;

    let page = admin
        .post_form(
            "/organisaties",
            [
                ("name", "  "),
                ("kind", "welzijn"),
                ("website", "www.zonder-begin.nl"),
                ("comment", "Gezien in het BBO"),
            ],
        )
        .await;

    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(page.text("#fout-name").starts_with("Naam: "));
    assert!(page.text("#fout-website").starts_with("Website: "));
    let summary = page.texts("#fouten li");
    assert_eq!(summary.len(), 2, "{summary:?}");
    assert_eq!(
        page.value("#veld-website").as_deref(),
        Some("www.zonder-begin.nl")
    );
    assert_eq!(
        page.value("#veld-comment").as_deref(),
        Some("Gezien in het BBO")
    );
    assert_eq!(
        page.value("#veld-kind option[selected]").as_deref(),
        Some("welzijn")
    );
    assert_eq!(app.snapshot().await, before, "nothing is stored");
}

#[tokio::test]
async fn emptying_the_name_of_an_organisation_is_refused_and_the_stored_one_stays() {
    let (app, admin) = as_admin().await;
    let path = format!("/organisaties/{ORGANISATION}/bewerken");
    let mut fields = admin.get(&path).await.form_values(EDIT_FORM);
    set_field(&mut fields, "name", "");
    set_field(&mut fields, "website", "https://unicum.nl");
    let before = app.snapshot().await;

    let page = admin.post_form(&path, fields).await;

    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert_eq!(
        page.text("#fout-name"),
        "Naam: vul de naam van de organisatie in."
    );
    assert_eq!(
        page.value("#veld-website").as_deref(),
        Some("https://unicum.nl")
    );
    assert_eq!(app.snapshot().await, before, "nothing is stored");
    assert_eq!(
        organisation_name(&app, ORGANISATION).await,
        "UNICUM Huisartsenzorg"
    );
}

#[tokio::test]
async fn the_second_of_two_editors_of_an_organisation_gets_a_conflict_and_nothing_is_stored() {
    let (app, admin) = as_admin().await;
    let path = format!("/organisaties/{ORGANISATION}/bewerken");
    let mut first = admin.get(&path).await.form_values(EDIT_FORM);
    let mut second = first.clone();
    set_field(&mut first, "name", "Unicum");
    assert_eq!(
        admin.post_form(&path, first).await.status,
        StatusCode::SEE_OTHER
    );
    set_field(&mut second, "name", "UNICUM Huisartsen");
    let before = app.snapshot().await;

    let page = admin.post_form(&path, second.clone()).await;

    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
    assert!(
        page.text("#conflict")
            .contains("Uw wijzigingen zijn niet opgeslagen")
    );
    assert!(
        page.texts("#conflict tr.rm-differs")
            .iter()
            .any(|r| r.contains("UNICUM Huisartsen") && r.contains("Unicum")),
        "{}",
        page.body
    );
    assert_eq!(
        page.value("#veld-name").as_deref(),
        Some("UNICUM Huisartsen")
    );
    assert_eq!(app.snapshot().await, before, "nothing is stored");
    assert_eq!(organisation_name(&app, ORGANISATION).await, "Unicum");

    // Saving the conflict form again overwrites on purpose.
    let again = page.form_values(EDIT_FORM);
    let saved = admin.post_form(&path, again).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        organisation_name(&app, ORGANISATION).await,
        "UNICUM Huisartsen"
    );
}

#[tokio::test]
async fn a_beheerder_adds_a_wijk_to_a_gemeente_and_it_is_listed_and_in_the_history() {
    let (app, admin) = as_admin().await;
    let path = format!("/gemeenten/{GEMEENTE}");
    let action = format!("{path}/wijken");
    let mut fields = admin
        .get(&path)
        .await
        .form_values(&format!("form[action='{action}']"));
    set_field(&mut fields, "name", "Centrum");
    set_field(&mut fields, "comment", "Indeling van de gemeente");

    let answer = admin.post_form(&action, fields).await;

    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(
        answer.location(),
        Some(format!("/gemeenten/{GEMEENTE}#wijken").as_str())
    );
    let page = admin.get(&path).await;
    assert!(
        page.texts(".rm-districts li")
            .iter()
            .any(|w| w.starts_with("Centrum")),
        "{}",
        page.body
    );
    let rows = history(&page);
    assert!(
        rows.iter().any(|r| r.contains("Centrum: Aangemaakt")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("Centrum: Naam") && r.contains("Indeling van de gemeente")),
        "{rows:?}"
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM areas WHERE id = 'zeist-centrum' AND kind = 'wijk' AND parent_id = '{GEMEENTE}'"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn a_wijk_without_a_name_or_with_a_name_the_gemeente_has_is_refused_on_the_gemeente_page() {
    let (app, admin) = as_admin().await;
    let action = format!("/gemeenten/{GEMEENTE}/wijken");
    let added = admin.post_form(&action, [("name", "Centrum")]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let before = app.snapshot().await;

    let empty = admin
        .post_form(&action, [("name", ""), ("id", "eigen-id")])
        .await;
    let taken = admin.post_form(&action, [("name", "centrum")]).await;

    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        empty.text("#fout-name"),
        "Naam: vul de naam van de wijk of het LSV in."
    );
    assert_eq!(empty.value("#veld-id").as_deref(), Some("eigen-id"));
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        taken
            .text("#fout-name")
            .starts_with("Naam: Zeist heeft al een wijk of LSV"),
        "{}",
        taken.text("#fout-name")
    );
    assert_eq!(taken.value("#veld-name").as_deref(), Some("centrum"));
    assert_eq!(app.snapshot().await, before, "nothing is stored");
}

#[tokio::test]
async fn renaming_a_gemeente_shows_the_new_name_and_the_change_in_its_history() {
    let (_app, admin) = as_admin().await;
    let path = format!("/gebieden/{GEMEENTE}/bewerken");
    let mut fields = admin.get(&path).await.form_values(EDIT_FORM);
    set_field(&mut fields, "name", "Zeist-Driebergen");
    set_field(&mut fields, "comment", "Herindeling");

    let answer = admin.post_form(&path, fields).await;

    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let page = admin.get(&format!("/gemeenten/{GEMEENTE}")).await;
    assert_eq!(page.text("h1"), "Gemeente Zeist-Driebergen");
    assert!(
        history(&page)
            .iter()
            .any(|r| r.contains("Naam Zeist Zeist-Driebergen") && r.contains("Herindeling")),
        "{:?}",
        history(&page)
    );
}

#[tokio::test]
async fn renaming_an_area_from_a_stale_form_gets_a_conflict_and_nothing_is_stored() {
    let (app, admin) = as_admin().await;
    let path = format!("/gebieden/{GEMEENTE}/bewerken");
    let mut first = admin.get(&path).await.form_values(EDIT_FORM);
    let mut second = first.clone();
    set_field(&mut first, "name", "Zeist (gemeente)");
    assert_eq!(
        admin.post_form(&path, first).await.status,
        StatusCode::SEE_OTHER
    );
    set_field(&mut second, "name", "Gemeente Zeist");
    let before = app.snapshot().await;

    let page = admin.post_form(&path, second).await;

    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
    assert!(page.text("#conflict").contains("Zeist (gemeente)"));
    assert_eq!(page.value("#veld-name").as_deref(), Some("Gemeente Zeist"));
    assert_eq!(app.snapshot().await, before, "nothing is stored");
    let name = admin
        .get(&format!("/gemeenten/{GEMEENTE}"))
        .await
        .text("h1");
    assert_eq!(name, "Gemeente Zeist (gemeente)");
}

#[tokio::test]
async fn a_beheerder_renames_an_item_of_the_framework() {
    let (app, admin) = as_admin().await;
    let path = format!("/kader/{ITEM}/bewerken");
    let framework = admin.get("/kader").await;
    assert_eq!(framework.count(&format!("a[href='{path}']")), 1);
    let mut fields = admin.get(&path).await.form_values(EDIT_FORM);
    set_field(&mut fields, "name", "Zorg en ondersteuning dichtbij");
    let skip = app.audit_count().await;

    let answer = admin.post_form(&path, fields).await;

    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(answer.location(), Some(format!("/kader#{ITEM}").as_str()));
    let page = admin.get("/kader").await;
    assert_eq!(
        page.text(&format!("#h-{ITEM}")),
        "5. Zorg en ondersteuning dichtbij"
    );
    let trail = app.audit_since(skip).await;
    assert_eq!(trail.len(), 1, "only the name changed: {trail:?}");
    assert_eq!(trail[0].record_type, "framework");
    assert_eq!(trail[0].field, "name");
    assert_eq!(
        trail[0].new_value.as_deref(),
        Some("Zorg en ondersteuning dichtbij")
    );
}

#[tokio::test]
async fn a_beheerder_adds_an_opgave_and_a_number_that_is_not_a_number_is_refused() {
    let (app, admin) = as_admin().await;
    let before = app.snapshot().await;
    let bad = admin
        .post_form(
            "/kader",
            [
                ("kind", "opgave"),
                ("name", "Digitale zorg"),
                ("number", "zes"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.text("#fout-number").starts_with("Nummer: "));
    assert_eq!(bad.value("#veld-number").as_deref(), Some("zes"));
    assert_eq!(app.snapshot().await, before, "nothing is stored");

    let mut fields = admin
        .get("/kader/nieuw")
        .await
        .form_values("form[action='/kader']");
    set_field(&mut fields, "kind", "opgave");
    set_field(&mut fields, "name", "Digitale zorg");
    set_field(&mut fields, "number", "6");
    let added = admin.post_form("/kader", fields).await;

    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(added.location(), Some("/kader#digitale-zorg"));
    let page = admin.get("/kader").await;
    assert_eq!(page.text("#h-digitale-zorg"), "6. Digitale zorg");
    assert_eq!(
        (
            page.count("#opgaven ~ section#digitale-zorg"),
            page.count("#fundamenten ~ section#digitale-zorg")
        ),
        (1, 0),
        "listed under Opgaven"
    );
}

/// One request: method, path and form fields.
type Attempt = (&'static str, String, Vec<(&'static str, &'static str)>);

/// Every edit of this part.
fn guarded_routes() -> Vec<Attempt> {
    let org = format!("/organisaties/{ORGANISATION}/bewerken");
    let area = format!("/gebieden/{GEMEENTE}/bewerken");
    let item = format!("/kader/{ITEM}/bewerken");
    vec![
        ("GET", "/organisaties/nieuw".into(), vec![]),
        (
            "POST",
            "/organisaties".into(),
            vec![("name", "Nieuw"), ("kind", "overig")],
        ),
        ("GET", org.clone(), vec![]),
        (
            "POST",
            org,
            vec![("version", "1"), ("name", "Weg"), ("kind", "overig")],
        ),
        (
            "POST",
            format!("/gemeenten/{GEMEENTE}/wijken"),
            vec![("name", "Centrum")],
        ),
        ("GET", area.clone(), vec![]),
        ("POST", area, vec![("version", "1"), ("name", "Weg")]),
        ("GET", "/kader/nieuw".into(), vec![]),
        (
            "POST",
            "/kader".into(),
            vec![("kind", "opgave"), ("name", "Weg")],
        ),
        ("GET", item.clone(), vec![]),
        ("POST", item, vec![("version", "1"), ("name", "Weg")]),
    ]
}

#[tokio::test]
async fn readers_trekkers_and_anonymous_visitors_may_not_edit_organisations_areas_or_the_framework()
{
    let app = TestApp::with_people().await;
    let before = app.snapshot().await;
    for persona in [Persona::Anonymous, Persona::Reader, Persona::LeadOfPlan] {
        let client = if persona == Persona::Anonymous {
            app.anonymous()
        } else {
            app.login_as(persona).await
        };
        let expected = if persona == Persona::Anonymous {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::FORBIDDEN
        };
        for (method, path, fields) in guarded_routes() {
            let answer = if method == "GET" {
                client.get(&path).await
            } else {
                client.post_form(&path, fields).await
            };
            assert_eq!(
                answer.status, expected,
                "{method} {path} as {persona:?}: {}",
                answer.body
            );
            if persona != Persona::Anonymous {
                assert!(
                    answer.body.contains("Alleen een beheerder mag"),
                    "{method} {path} as {persona:?} says who may: {}",
                    answer.body
                );
            }
        }
        for page in [
            format!("/organisaties/{ORGANISATION}"),
            format!("/gemeenten/{GEMEENTE}"),
            "/kader".to_owned(),
            "/organisaties".to_owned(),
        ] {
            let shown = client.get(&page).await;
            assert_eq!(shown.status, StatusCode::OK);
            assert_eq!(
                shown.count("a[href$='/bewerken'], a[href$='/nieuw'], form[action$='/wijken']"),
                0,
                "{page} offers no edits to {persona:?}"
            );
        }
    }
    assert_eq!(app.snapshot().await, before, "nothing is stored");
}
