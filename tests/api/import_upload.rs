//! Reading observations in through the website with large files: the upload is streamed to
//! disk under a configurable limit, the checked file stays on the server, and the
//! confirmation sends only its one-time id, which works once, for the session that sent it,
//! until it expires. The upload form's CSRF token travels as its first part, never in an
//! address.

use std::path::Path;
use std::time::Duration;

use axum::http::StatusCode;
use regiomonitor::web::{WebSettings, router_with};

use crate::helpers::{Client, Page, Part, Persona, TestApp};

const IMPORT: &str = "/metingen/importeren";
const CONFIRM: &str = "/metingen/importeren/bevestigen";
const CANCEL: &str = "/metingen/importeren/annuleren";
const CONFIRM_FORM: &str = "form[action='/metingen/importeren/bevestigen']";

/// The demo with its people, served with these settings; uploads go under a directory of
/// the test's own, so that what is left on disk can be counted.
struct Fixture {
    app: TestApp,
    admin: Client,
    dir: tempfile::TempDir,
}

async fn fixture(settings: WebSettings) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = TestApp::with_people().await;
    app.router = router_with(
        app.store.clone(),
        WebSettings {
            upload_dir: Some(dir.path().to_owned()),
            ..settings
        },
    );
    let admin = app.session_for(app.user_id(Persona::Admin).await).await;
    Fixture { app, admin, dir }
}

/// Files (not directories) under `dir`, at any depth.
fn files_under(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            let e = e.expect("entry");
            if e.file_type().expect("type").is_dir() {
                files_under(&e.path())
            } else {
                1
            }
        })
        .sum()
}

/// Quarterly values of the MTVP KPI for every gemeente of the demo over the twentieth
/// century (no such values are stored), each with a long source text: well over 3 MB.
fn large_file() -> (String, usize) {
    let gemeenten: Vec<&str> = include_str!("../../data/demo/gemeenten.csv")
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    let bron = format!(
        "registratie huisartsenpraktijken {}",
        "toelichting ".repeat(28)
    );
    let mut file = String::from("indicator,gebied,periode,waarde,bron\n");
    let mut lines = 0;
    for year in 1900..2000 {
        for quarter in 1..=4 {
            for g in &gemeenten {
                file.push_str(&format!(
                    "mtvp-consultduur,{g},{year}-Q{quarter},\"12,{quarter}\",{bron}\n"
                ));
                lines += 1;
            }
        }
    }
    assert!(file.len() > 3 * 1024 * 1024, "{} bytes", file.len());
    (file, lines)
}

const SMALL: &str = "indicator,gebied,periode,waarde,bron
mtvp-consultduur,GM0344,1950-Q1,12,agenda
mtvp-consultduur,GM0344,1950-Q2,13,agenda
";

async fn observations(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM observations").await
}

/// The one-time id the preview's confirmation form carries.
fn upload_id(preview: &Page) -> String {
    preview
        .value(&format!("{CONFIRM_FORM} input[name=upload]"))
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| panic!("no upload id in the preview: {}", preview.body))
}

async fn confirm(client: &Client, id: &str) -> Page {
    client.post_form(CONFIRM, [("upload", id)]).await
}

fn notice(page: &Page) -> String {
    page.text("#melding")
}

#[tokio::test]
async fn a_checked_upload_of_over_3_mb_is_previewed_and_stored_through_its_one_time_id() {
    let f = fixture(WebSettings::default()).await;
    let (file, lines) = large_file();
    let before = observations(&f.app).await;

    let preview = f.admin.upload(IMPORT, "groot.csv", &file).await;

    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(
        preview.text("[role=status] h2"),
        format!("Controle geslaagd: {lines} metingen")
    );
    let fields: Vec<String> = preview
        .form_values(CONFIRM_FORM)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(fields, ["csrf", "upload"], "the file stays on the server");
    assert_eq!(files_under(f.dir.path()), 1, "the checked file is kept");

    let done = confirm(&f.admin, &upload_id(&preview)).await;

    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(
        done.text("[role=status] p"),
        format!("{lines} metingen zijn opgeslagen uit groot.csv.")
    );
    assert_eq!(observations(&f.app).await, before + lines as i64);
    assert_eq!(
        files_under(f.dir.path()),
        0,
        "the file is removed once stored"
    );
}

#[tokio::test]
async fn a_second_confirmation_with_the_same_id_is_refused() {
    let f = fixture(WebSettings::default()).await;
    let preview = f.admin.upload(IMPORT, "metingen.csv", SMALL).await;
    let id = upload_id(&preview);
    let first = confirm(&f.admin, &id).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let after_first = observations(&f.app).await;

    let second = confirm(&f.admin, &id).await;

    assert_eq!(second.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        notice(&second).starts_with(
            "Deze controle is al opgeslagen, geannuleerd of verlopen (een gecontroleerd bestand wordt 60 minuten bewaard"
        ),
        "{}",
        notice(&second)
    );
    assert_eq!(observations(&f.app).await, after_first);
}

#[tokio::test]
async fn another_session_cannot_confirm_an_upload_and_leaves_it_to_its_sender() {
    let f = fixture(WebSettings::default()).await;
    let preview = f.admin.upload(IMPORT, "metingen.csv", SMALL).await;
    let id = upload_id(&preview);
    let before = observations(&f.app).await;
    let same_account_elsewhere = f.app.session_for(f.app.user_id(Persona::Admin).await).await;
    let trekker = f.app.login_as(Persona::LeadOfPlan).await;

    let by_other_session = confirm(&same_account_elsewhere, &id).await;
    let by_other_account = confirm(&trekker, &id).await;

    for refused in [&by_other_session, &by_other_account] {
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            notice(refused).starts_with("Deze controle is al opgeslagen, geannuleerd of verlopen"),
            "{}",
            refused.body
        );
    }
    assert_eq!(observations(&f.app).await, before);
    let by_sender = confirm(&f.admin, &id).await;
    assert_eq!(by_sender.status, StatusCode::OK, "{}", by_sender.body);
    assert_eq!(observations(&f.app).await, before + 2);
}

#[tokio::test]
async fn an_expired_upload_is_refused_and_its_file_removed() {
    let f = fixture(WebSettings {
        keep_uploads: Duration::ZERO,
        ..WebSettings::default()
    })
    .await;
    let preview = f.admin.upload(IMPORT, "metingen.csv", SMALL).await;
    let id = upload_id(&preview);
    let before = observations(&f.app).await;

    let late = confirm(&f.admin, &id).await;

    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        notice(&late).starts_with("Deze controle is al opgeslagen, geannuleerd of verlopen"),
        "{}",
        late.body
    );
    assert_eq!(observations(&f.app).await, before);
    assert_eq!(files_under(f.dir.path()), 0);
}

#[tokio::test]
async fn a_cancelled_upload_is_removed_and_cannot_be_stored() {
    let f = fixture(WebSettings::default()).await;
    let preview = f.admin.upload(IMPORT, "metingen.csv", SMALL).await;
    let id = upload_id(&preview);
    let before = observations(&f.app).await;

    let cancelled = f.admin.post_form(CANCEL, [("upload", id.as_str())]).await;

    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(
        notice(&cancelled),
        "Geannuleerd: er is niets opgeslagen uit metingen.csv, en het bestand is weggegooid."
    );
    assert_eq!(files_under(f.dir.path()), 0);
    assert_eq!(
        confirm(&f.admin, &id).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(observations(&f.app).await, before);
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_in_dutch_and_nothing_is_left_on_disk() {
    let f = fixture(WebSettings {
        max_upload_mb: 1,
        ..WebSettings::default()
    })
    .await;
    let line = "mtvp-consultduur,GM0344,1950-Q1,12,agenda\n";
    let file = format!(
        "indicator,gebied,periode,waarde,bron\n{}",
        line.repeat(40_000)
    );
    assert!(file.len() > 1024 * 1024);
    let before = observations(&f.app).await;

    let refused = f.admin.upload(IMPORT, "te-groot.csv", &file).await;

    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        notice(&refused).starts_with(
            "Het bestand is groter dan 1 MB, de grens voor inlezen via de website; er is niets ontvangen of opgeslagen. Splits het bestand"
        ),
        "{}",
        refused.body
    );
    assert!(
        notice(&refused).contains("regiomonitor import observations BESTAND"),
        "{}",
        refused.body
    );
    assert_eq!(refused.count("form[action='/metingen/importeren']"), 1);
    assert_eq!(files_under(f.dir.path()), 0, "the partial file is removed");
    assert_eq!(observations(&f.app).await, before);
}

#[tokio::test]
async fn a_file_just_under_the_limit_is_taken() {
    let f = fixture(WebSettings {
        max_upload_mb: 1,
        ..WebSettings::default()
    })
    .await;
    let mut file = SMALL.to_owned();
    file.push_str(&" ".repeat(1024 * 1024 - 200 - file.len()));

    let preview = f.admin.upload(IMPORT, "net-niet.csv", &file).await;

    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(
        preview.text("[role=status] h2"),
        "Controle geslaagd: 2 metingen"
    );
}

#[tokio::test]
async fn a_file_that_is_not_utf8_is_named_as_such_and_not_kept() {
    let f = fixture(WebSettings::default()).await;
    let csrf = f.admin.csrf();
    let latin1 =
        b"indicator,gebied,periode,waarde,bron\nmtvp-consultduur,GM0344,1950-Q1,12,caf\xe9\n";

    let refused = f
        .admin
        .post_multipart(
            IMPORT,
            &[
                Part::text("csrf", &csrf),
                Part::file_bytes("bestand", "excel.csv", latin1),
            ],
            &[],
        )
        .await;

    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        notice(&refused),
        "Het bestand is geen UTF-8-tekst. Sla het op als \"CSV UTF-8\" en probeer het opnieuw."
    );
    assert_eq!(files_under(f.dir.path()), 0);
}

#[tokio::test]
async fn no_address_on_the_upload_pages_carries_the_csrf_token() {
    let f = fixture(WebSettings::default()).await;
    let form = f.admin.get(IMPORT).await;
    let preview = f.admin.upload(IMPORT, "metingen.csv", SMALL).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);

    for page in [&form, &preview] {
        let html = page.html();
        let addresses =
            scraper::Selector::parse("[action], [href], [formaction], [src]").expect("selector");
        for e in html.select(&addresses) {
            for attr in ["action", "href", "formaction", "src"] {
                let address = e.value().attr(attr).unwrap_or_default();
                assert!(!address.contains("csrf"), "{attr}=\"{address}\"");
            }
        }
        let first =
            scraper::Selector::parse("form[action='/metingen/importeren'] > input:first-child")
                .expect("selector");
        let first = html
            .select(&first)
            .next()
            .expect("the upload form's first field");
        assert_eq!(first.value().attr("name"), Some("csrf"));
        assert_eq!(first.value().attr("value"), Some(f.admin.csrf().as_str()));
    }
}

#[tokio::test]
async fn a_cross_site_upload_is_refused_and_nothing_is_kept() {
    let f = fixture(WebSettings::default()).await;
    let csrf = f.admin.csrf();
    let cross_site = [
        ("origin", "https://elders.example"),
        ("sec-fetch-site", "cross-site"),
    ];
    let file = Part::file("bestand", "metingen.csv", SMALL);

    let attempts = [
        // What a page elsewhere can send: the cookie rides along, no token.
        f.admin
            .post_multipart(
                IMPORT,
                &[Part::file("bestand", "metingen.csv", SMALL)],
                &cross_site,
            )
            .await,
        // A guessed token.
        f.admin
            .post_multipart(
                IMPORT,
                &[
                    Part::text("csrf", "geraden"),
                    Part::file("bestand", "metingen.csv", SMALL),
                ],
                &cross_site,
            )
            .await,
        // The token in the address, as the form once sent it.
        f.admin
            .post_multipart(&format!("{IMPORT}?csrf={csrf}"), &[file], &[])
            .await,
        // The right token, but not as the first part.
        f.admin
            .post_multipart(
                IMPORT,
                &[
                    Part::file("bestand", "metingen.csv", SMALL),
                    Part::text("csrf", &csrf),
                ],
                &[],
            )
            .await,
    ];

    for refused in &attempts {
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert!(
            refused
                .text("main")
                .contains("Dit formulier is verlopen of komt niet van deze website, dus er is niets opgeslagen."),
            "{}",
            refused.body
        );
    }
    assert_eq!(files_under(f.dir.path()), 0);
    let allowed = f.admin.upload(IMPORT, "metingen.csv", SMALL).await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.body);
}
