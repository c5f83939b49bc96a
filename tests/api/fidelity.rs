//! The demo tells the documents' truth: every fact in `docs/bronnen/feiten.toml` is checked two
//! ways. Its quote stands verbatim in the text extract of its document (`docs/bronnen/*.txt`),
//! and the loaded demo shows the fact through the API. A change to the demo data that breaks a
//! fact, or a fact that loses its basis in the documents, fails here.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use crate::helpers::TestApp;

const TABLE: &str = include_str!("../../docs/bronnen/feiten.toml");

/// The documents by source id, as vendored (see docs/bronnen/README.md).
const DOCUMENTS: [(&str, &str); 5] = [
    ("zou-2025", include_str!("../../docs/bronnen/zou-2025.txt")),
    (
        "regioplan-2023",
        include_str!("../../docs/bronnen/regioplan-2023.txt"),
    ),
    (
        "jaarplan-2026",
        include_str!("../../docs/bronnen/jaarplan-2026.txt"),
    ),
    (
        "werkagenda-lekstroom-2025",
        include_str!("../../docs/bronnen/werkagenda-lekstroom-2025.txt"),
    ),
    (
        "bbo-2025-10-09",
        include_str!("../../docs/bronnen/bbo-2025-10-09.txt"),
    ),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    feit: Vec<Fact>,
}

/// One row of the table: the fact, its document, page and quote, and where the demo shows it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fact {
    feit: String,
    bron: String,
    pagina: String,
    citaat: String,
    api: String,
    veld: String,
    /// What the demo shows there; or, with `leeg = true`, that it shows nothing there (a
    /// field the documents leave silent).
    waarde: Option<toml::Value>,
    #[serde(default)]
    leeg: bool,
}

fn table() -> Vec<Fact> {
    toml::from_str::<Table>(TABLE)
        .unwrap_or_else(|e| panic!("docs/bronnen/feiten.toml: {e}"))
        .feit
}

/// The PDF extraction breaks lines anywhere: runs of white space count as one space.
fn collapsed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Each document's text with its white space collapsed, by source id.
fn documents() -> HashMap<&'static str, String> {
    DOCUMENTS
        .iter()
        .map(|(id, text)| (*id, collapsed(text)))
        .collect()
}

fn as_json(value: &toml::Value) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Whether `actual` shows `expected`: equal scalars (numbers as numbers), a table whose keys
/// all match, or, for a list, any element that matches.
fn shows(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Array(items), e) if !e.is_array() => items.iter().any(|a| shows(a, e)),
        (Value::Object(a), Value::Object(e)) => {
            e.iter().all(|(k, v)| a.get(k).is_some_and(|a| shows(a, v)))
        }
        (Value::Number(a), Value::Number(e)) => a.as_f64() == e.as_f64(),
        (a, e) => a == e,
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[test]
fn every_quote_stands_verbatim_in_its_document() {
    let documents = documents();
    let facts = table();
    assert!(
        facts.len() >= 100,
        "only {} facts in the table",
        facts.len()
    );

    let missing: Vec<String> = facts
        .iter()
        .filter(|f| {
            let quote = collapsed(&f.citaat);
            quote.split(' ').count() < 2
                || !documents
                    .get(f.bron.as_str())
                    .is_some_and(|d| d.contains(&quote))
        })
        .map(|f| {
            format!(
                "{} ({}, \"{}\"): \"{}\"",
                f.feit, f.bron, f.pagina, f.citaat
            )
        })
        .collect();

    assert!(
        missing.is_empty(),
        "{} quotes are not in their document:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn every_page_named_is_a_heading_or_phrase_of_its_document() {
    let documents = documents();

    let missing: Vec<String> = table()
        .iter()
        .filter(|f| {
            !documents
                .get(f.bron.as_str())
                .is_some_and(|d| d.contains(&collapsed(&f.pagina)))
        })
        .map(|f| format!("{} ({}): page \"{}\"", f.feit, f.bron, f.pagina))
        .collect();

    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[tokio::test]
async fn the_demo_shows_every_fact_of_the_table() {
    let app = TestApp::demo().await;
    let mut answers: HashMap<String, Value> = HashMap::new();
    let mut wrong = Vec::new();

    for fact in table() {
        if !answers.contains_key(&fact.api) {
            let page = app.get(&fact.api).await;
            assert!(page.status.is_success(), "{}: {}", fact.api, page.status);
            answers.insert(fact.api.clone(), page.json());
        }
        let answer = &answers[&fact.api];
        let expected = match (&fact.waarde, fact.leeg) {
            (Some(w), false) => as_json(w),
            (None, true) => Value::Null,
            _ => panic!("{}: give either waarde or leeg = true", fact.feit),
        };
        match answer.pointer(&fact.veld) {
            Some(actual) if fact.leeg && is_empty(actual) => {}
            Some(actual) if !fact.leeg && shows(actual, &expected) => {}
            Some(actual) => wrong.push(format!(
                "{} ({} {}): expected {}, the demo shows {actual}",
                fact.feit,
                fact.api,
                fact.veld,
                if fact.leeg {
                    "nothing".to_owned()
                } else {
                    expected.to_string()
                }
            )),
            // An empty field is still in the answer (as null, "" or []): a pointer that finds
            // nothing is a mistake in the table, not an empty field.
            None => wrong.push(format!(
                "{} ({} {}): no such field",
                fact.feit, fact.api, fact.veld
            )),
        }
    }

    assert!(
        wrong.is_empty(),
        "{} facts differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// A plan or KPI the demo adds without a fact in the table would have no basis that a test
/// keeps: every one needs at least one.
#[tokio::test]
async fn every_plan_and_kpi_of_the_demo_has_a_fact_in_the_table() {
    let app = TestApp::demo().await;
    let apis: std::collections::HashSet<String> = table().into_iter().map(|f| f.api).collect();
    let plans = app.store.plans(&Default::default()).await.expect("plans");
    let kpis = app.store.indicators().await.expect("indicators");

    let without: Vec<String> = plans
        .iter()
        .map(|p| format!("/api/v1/plans/{}", p.id))
        .chain(kpis.iter().map(|k| format!("/api/v1/indicators/{}", k.id)))
        .filter(|api| !apis.contains(api))
        .collect();

    assert!(plans.len() >= 60 && kpis.len() >= 14);
    assert!(
        without.is_empty(),
        "no fact in docs/bronnen/feiten.toml: {without:?}"
    );
}

/// The ZOU document's table rows are copied as they stand: every cell of every plan from that
/// document is verbatim in it.
#[tokio::test]
async fn every_table_cell_of_a_zou_plan_stands_in_the_document() {
    let app = TestApp::demo().await;
    let document = collapsed(DOCUMENTS[0].1);
    let plans = app.store.plans(&Default::default()).await.expect("plans");

    let mut cells = 0;
    let mut missing = Vec::new();
    for p in plans
        .iter()
        .filter(|p| p.source_id.as_deref() == Some("zou-2025"))
    {
        let t = &p.texts;
        for cell in [
            &t.lead_text,
            &t.parties_text,
            &t.status_text,
            &t.financing_text,
        ]
        .into_iter()
        .flatten()
        {
            cells += 1;
            if !document.contains(&collapsed(cell)) {
                missing.push(format!("{}: \"{cell}\"", p.id));
            }
        }
    }

    assert!(cells >= 76, "only {cells} table cells");
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn the_vendored_documents_are_the_ones_the_readme_names() {
    let readme = include_str!("../../docs/bronnen/README.md");
    for (id, text) in DOCUMENTS {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(text.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert!(
            readme.contains(&hex),
            "docs/bronnen/README.md does not name {id}.txt with its sha256 {hex}"
        );
    }
}

#[test]
fn the_matching_rules_hold() {
    let entry = serde_json::json!([{ "stage": "loopt", "date": "2025-09-05" }]);
    assert!(shows(&entry, &serde_json::json!({ "stage": "loopt" })));
    assert!(!shows(&entry, &serde_json::json!({ "stage": "geborgd" })));
    assert!(shows(&serde_json::json!(15.0), &serde_json::json!(15)));
    assert!(shows(
        &serde_json::json!(["a", "b"]),
        &serde_json::json!("b")
    ));
    assert!(!shows(&serde_json::json!("ab"), &serde_json::json!("a")));
    assert!(is_empty(&serde_json::json!(null)) && is_empty(&serde_json::json!([])));
    assert!(!is_empty(&serde_json::json!(false)) && !is_empty(&serde_json::json!(["x"])));
}
