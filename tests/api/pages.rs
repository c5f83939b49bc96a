use axum::http::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_dashboard_shows_every_gemeente_grouped_by_subregio() {
    let app = TestApp::demo().await;

    let page = app.get("/").await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count("table.rm-matrix th.rm-matrix__gemeente"), 24);
    assert_eq!(
        page.texts("table.rm-matrix th[scope=colgroup]"),
        [
            "Utrecht Stad",
            "Utrecht West",
            "Lekstroom",
            "Zuidoost Utrecht",
            "Eemland"
        ]
    );
    assert!(
        page.texts("table.rm-matrix th.rm-matrix__gemeente")
            .contains(&"Wijk bij Duurstede".to_owned())
    );
}

#[tokio::test]
async fn every_matrix_cell_says_its_status_in_words_not_only_in_colour() {
    let app = TestApp::demo().await;

    let page = app.get("/").await;

    let labels = page.texts("td.rm-cell:not(.rm-cell--buiten) .rm-cell__label");
    let cells = page.count("td.rm-cell:not(.rm-cell--buiten)");
    assert!(cells > 0);
    assert_eq!(labels.len(), cells);
    assert!(labels.iter().all(|l| !l.is_empty()));
    assert_eq!(
        page.count("td.rm-cell--buiten"),
        page.count("td.rm-cell--buiten .rm-visually-hidden")
    );
}

#[tokio::test]
async fn the_subregio_filter_keeps_only_its_gemeenten_and_stays_in_the_url() {
    let app = TestApp::demo().await;

    let page = app.get("/?subregio=lekstroom").await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.texts("table.rm-matrix th.rm-matrix__gemeente"),
        [
            "Houten",
            "IJsselstein",
            "Lopik",
            "Nieuwegein",
            "Vijfheerenlanden"
        ]
    );
    assert_eq!(page.text("#f-subregio option[selected]"), "Lekstroom");
    // Of Zuidoost Utrecht's plans only the one whose working area holds Lekstroom.
    let zou_plans: Vec<String> = page
        .html()
        .select(&scraper::Selector::parse("table.rm-matrix tbody").expect("selector"))
        .filter(|b| {
            b.text()
                .collect::<String>()
                .contains("Plannen van Zuidoost Utrecht")
        })
        .flat_map(|b| {
            b.select(&scraper::Selector::parse("th.rm-matrix__plan a").expect("selector"))
                .map(|a| a.text().collect::<String>())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(zou_plans, ["De Utrechtse Fabriek voor Zorgtransformatie"]);
}

#[tokio::test]
async fn the_stage_filter_shows_only_plans_in_that_stage() {
    let app = TestApp::demo().await;

    let page = app.get("/?fase=loopt").await;

    let stages = page.texts("table.rm-matrix .rm-matrix__stage");
    assert!(!stages.is_empty());
    assert!(stages.iter().all(|s| s.starts_with("Loopt")), "{stages:?}");
    assert!(stages.iter().any(|s| s.contains("bron: ")), "{stages:?}");
}

#[tokio::test]
async fn an_unknown_filter_value_is_a_400_page_that_lists_the_known_values() {
    let app = TestApp::demo().await;

    let page = app.get("/?subregio=atlantis").await;

    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let message = page.text("[role=alert]");
    assert!(message.contains("subregio=atlantis"), "{message}");
    assert!(message.contains("lekstroom"), "{message}");
}

#[tokio::test]
async fn an_unknown_filter_name_is_a_400_page_that_names_the_filters() {
    let app = TestApp::demo().await;

    let page = app.get("/plannen?kleur=rood").await;

    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.text("[role=alert]")
            .contains("subregio, gemeente, opgave, transformatie, fase")
    );
}

#[tokio::test]
async fn a_filter_with_no_matching_plans_says_so_instead_of_an_empty_table() {
    let app = TestApp::demo().await;

    let page = app.get("/?fase=gestopt&subregio=eemland").await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count("table.rm-matrix"), 0);
    assert!(page.text(".rm-empty").contains("Geen plannen gevonden"));
}

#[tokio::test]
async fn an_unknown_address_is_a_dutch_404_page() {
    let app = TestApp::demo().await;

    let page = app.get("/bestaat-niet").await;

    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(page.text("h1"), "Pagina niet gevonden");
    assert!(page.text("[role=alert]").contains("/bestaat-niet"));
}

#[tokio::test]
async fn an_unknown_plan_or_gemeente_is_a_404_that_names_it() {
    let app = TestApp::demo().await;

    let plan = app.get("/plannen/geen-plan").await;
    let gemeente = app.get("/gemeenten/GM9999").await;
    let not_a_code = app.get("/gemeenten/Utrecht").await;

    assert_eq!(plan.status, StatusCode::NOT_FOUND);
    assert!(plan.text("[role=alert]").contains("geen-plan"));
    assert_eq!(gemeente.status, StatusCode::NOT_FOUND);
    assert!(gemeente.text("[role=alert]").contains("GM9999"));
    assert_eq!(not_a_code.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_gemeente_list_links_every_gemeente_by_its_cbs_code() {
    let app = TestApp::demo().await;

    let page = app.get("/gemeenten").await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count("a[href^='/gemeenten/GM']"), 24);
    assert!(page.texts("td").contains(&"GM0344".to_owned()));
}

#[tokio::test]
async fn a_gemeente_page_names_its_subregio_and_counts_its_plans() {
    let app = TestApp::demo().await;

    let page = app.get("/gemeenten/GM0355").await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Gemeente Zeist");
    assert!(page.text(".rm-lead").contains("Zuidoost Utrecht"));
    let stats = page.texts(".rm-stats li");
    assert_eq!(stats.len(), 4, "{stats:?}");
    assert!(stats[0].ends_with("lopend in de gemeente"), "{stats:?}");
    assert!(stats[1].ends_with("loopt via het plan"), "{stats:?}");
}

#[tokio::test]
async fn a_lowercase_cbs_code_finds_the_gemeente_too() {
    let app = TestApp::demo().await;

    let page = app.get("/gemeenten/gm0355").await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Gemeente Zeist");
}

#[tokio::test]
async fn the_framework_page_lists_four_principles_and_eight_transformations() {
    let app = TestApp::demo().await;

    let page = app.get("/kader").await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.count("#beweging ~ .rm-cards section.rm-card"), 4);
    let transformations = page.texts("#transformaties ~ section[id^='t'] h3");
    assert_eq!(
        transformations
            .iter()
            .filter(|t| t.starts_with(char::is_numeric))
            .count(),
        8,
        "{transformations:?}"
    );
    assert_eq!(page.count("table.rm-overview tbody tr"), 3);
}

#[tokio::test]
async fn the_sources_page_lists_every_source_with_an_anchor() {
    let app = TestApp::demo().await;

    let page = app.get("/bronnen").await;

    assert_eq!(page.status, StatusCode::OK);
    assert!(page.count("section#zou-2025") == 1);
    assert!(page.count("section#bbo-2025-10-09") == 1);
}

#[tokio::test]
async fn organisations_have_a_page_with_the_plans_they_lead() {
    let app = TestApp::demo().await;
    let list = app.get("/organisaties").await;
    let first = list.html();
    let selector = scraper::Selector::parse("a[href^='/organisaties/']").expect("selector");
    let href = first
        .select(&selector)
        .next()
        .and_then(|a| a.value().attr("href"))
        .expect("a link")
        .to_owned();

    let page = app.get(&href).await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.texts("h2"),
        ["Trekker van", "Betrokken bij", "Historie"]
    );
}

#[tokio::test]
async fn assets_are_served_from_the_binary_and_unknown_ones_are_404() {
    let app = TestApp::demo().await;

    let css = app.get("/assets/app.css").await;
    let missing = app.get("/assets/geen.css").await;

    assert_eq!(css.status, StatusCode::OK);
    assert!(css.content_type.starts_with("text/css"));
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_page_links_only_to_local_stylesheets() {
    let app = TestApp::demo().await;

    let page = app.get("/").await;

    let html = page.html();
    let sel = scraper::Selector::parse("link[rel=stylesheet], script[src]").expect("selector");
    for el in html.select(&sel) {
        let href = el
            .value()
            .attr("href")
            .or_else(|| el.value().attr("src"))
            .unwrap_or_default();
        assert!(href.starts_with("/assets/"), "{href} is not local");
    }
}

#[tokio::test]
async fn the_bodies_page_lists_the_governance_bodies_with_their_source() {
    let app = TestApp::demo().await;

    let page = app.get("/overleggen").await;

    assert_eq!(page.status, StatusCode::OK);
    let names = page.texts("section.rm-item h2");
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("Breed Bestuurlijk Overleg")),
        "{names:?}"
    );
    assert_eq!(
        page.count("section.rm-item"),
        page.count("section.rm-item .rm-source")
    );
}

#[tokio::test]
async fn a_national_portfolio_shows_counts_per_gemeente_and_the_matrix_per_subregio() {
    let app = TestApp::empty().await;
    app.store
        .import_portfolio(
            &regiomonitor::store::Actor::system("test", regiomonitor::domain::Channel::Import),
            &regiomonitor::cli::generate::national(),
        )
        .await
        .expect("national data set");

    let all = app.get("/").await;

    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.count("table.rm-matrix"), 0, "no matrix of 10,000 plans");
    assert!(all.text("main").contains("te veel voor één overzicht"));
    assert_eq!(all.count("main table tbody tr"), 342);
    let subregion = all
        .html()
        .select(&scraper::Selector::parse("main a[href^='/?subregio=']").expect("selector"))
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_owned))
        .expect("a link per subregio");
    let one = app.get(&subregion).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(
        one.count("table.rm-matrix"),
        1,
        "{subregion} shows its matrix"
    );
}
