//! The meetings as Open Raadsinformatie: every object of the export has the properties the VNG
//! model requires, only properties the model defines, values of its enumerations, ids of at
//! most 40 characters and references that resolve; checked against a fixture with the model's
//! names (tests/fixtures/ori).
// A missing key is a failed test here, said by the panic's line.
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};

use axum::http::StatusCode;
use serde_json::Value;

use crate::helpers::{Persona, TestApp};

const MODEL: &str = include_str!("../fixtures/ori/model.json");

/// Every problem of `export` against the model, as sentences.
fn problems(export: &Value) -> Vec<String> {
    let model: Value = serde_json::from_str(MODEL).unwrap();
    let mut out = Vec::new();
    let top = export.as_object().expect("an object");
    for key in model["forbidden_top_level"].as_array().unwrap() {
        if top.contains_key(key.as_str().unwrap()) {
            out.push(format!("top level has {key}"));
        }
    }
    // Every object by collection and url, and the ids.
    let mut by_url: HashMap<(&str, &str), &Value> = HashMap::new();
    let collections = model["collections"].as_object().unwrap();
    for name in collections.keys() {
        for o in export[name.as_str()].as_array().into_iter().flatten() {
            let url = o["url"].as_str().unwrap_or_default();
            if by_url.insert((name.as_str(), url), o).is_some() {
                out.push(format!("{name}: url {url} twice"));
            }
        }
    }
    let max_id = model["id_max_length"].as_u64().unwrap() as usize;
    for (collection, class) in collections {
        let class = class.as_str().unwrap();
        let spec = &model["classes"][class];
        let allowed: HashSet<&str> = spec["properties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        let mut ids = HashSet::new();
        for o in export[collection.as_str()].as_array().unwrap() {
            let at = format!("{class} {}", o["url"]);
            for r in spec["required"].as_array().unwrap() {
                let r = r.as_str().unwrap();
                if o.get(r).is_none_or(Value::is_null) {
                    out.push(format!("{at}: required {r} is missing"));
                }
            }
            for key in o.as_object().unwrap().keys() {
                if !allowed.contains(key.as_str()) {
                    out.push(format!("{at}: {key} is not a property of {class}"));
                }
            }
            let id = o["id"].as_str().unwrap_or_default();
            if id.is_empty() || id.chars().count() > max_id || !ids.insert(id.to_owned()) {
                out.push(format!("{at}: id {id:?} is empty, too long or not unique"));
            }
            let url = o["url"].as_str().unwrap_or_default();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                out.push(format!("{at}: url {url:?} is not absolute"));
            }
            for (key, values) in model["enums"].as_object().unwrap() {
                let Some(property) = key.strip_prefix(&format!("{class}.")) else {
                    continue;
                };
                if let Some(v) = o.get(property)
                    && !values.as_array().unwrap().contains(v)
                {
                    out.push(format!("{at}: {property} {v} is not in the model's list"));
                }
            }
            for (property, max) in spec["max_length"].as_object().into_iter().flatten() {
                if let Some(v) = o[property.as_str()].as_str()
                    && v.chars().count() > max.as_u64().unwrap() as usize
                {
                    out.push(format!("{at}: {property} is longer than {max}"));
                }
            }
            for property in spec["date_times"].as_array().into_iter().flatten() {
                if let Some(v) = o[property.as_str().unwrap()].as_str()
                    && v.parse::<jiff::Timestamp>().is_err()
                {
                    out.push(format!("{at}: {property} {v} is no date-time with offset"));
                }
            }
            for (property, target) in spec["references"].as_object().unwrap() {
                let target = target.as_str().unwrap();
                let refs: Vec<&Value> = match &o[property.as_str()] {
                    Value::Null => Vec::new(),
                    Value::Array(items) => items.iter().collect(),
                    one => vec![one],
                };
                for r in refs {
                    let (url, id) = match r {
                        Value::String(u) => (u.as_str(), None),
                        Value::Object(_) => {
                            (r["url"].as_str().unwrap_or_default(), r["id"].as_str())
                        }
                        other => {
                            out.push(format!("{at}: {property} holds {other}"));
                            continue;
                        }
                    };
                    match by_url.get(&(target, url)) {
                        None => out.push(format!("{at}: {property} {url} is not in {target}")),
                        Some(found) => {
                            if id.is_some_and(|id| found["id"] != id) {
                                out.push(format!("{at}: {property} {url} has another id"));
                            }
                        }
                    }
                }
            }
        }
    }
    for v in export["vergaderingen"].as_array().unwrap() {
        for key in model["gremium_required"].as_array().unwrap() {
            if v["georganiseerdDoorGremium"][key.as_str().unwrap()]
                .as_str()
                .is_none()
            {
                out.push(format!("Vergadering {}: gremium lacks {key}", v["url"]));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_meetings_export_follows_the_open_raadsinformatie_model() {
    let app = TestApp::with_people().await;
    let admin = app.login_as(Persona::Admin).await;
    // A meeting with an attachment link, a besluit on a plan's stage, and its withdrawal.
    let planned = admin
        .post_form(
            "/overleggen/regiegroep-zou/vergaderingen",
            [
                ("day", "2026-03-26"),
                ("starts", "15:00"),
                ("ends", "17:00"),
                ("status", "verslag-vastgesteld"),
            ],
        )
        .await;
    assert_eq!(planned.status, StatusCode::SEE_OTHER, "{}", planned.body);
    let id = "regiegroep-zou-2026-03-26";
    let version = || async {
        app.store
            .meeting(id)
            .await
            .unwrap()
            .unwrap()
            .version
            .to_string()
    };
    let added = admin
        .post_form(
            &format!("/vergaderingen/{id}/agendapunten"),
            [
                ("version", version().await.as_str()),
                ("title", "Transformatieplan Utrechtse Fabriek"),
                ("plan", "utrechtse-zorgfabriek"),
                (
                    "attachments",
                    "Plan https://voorbeeld.nl/plan.pdf\nOplegger",
                ),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    for (kind, text) in [
        ("besluit", "Het transformatieplan is goedgekeurd."),
        ("informatie", "De trekker lichtte het plan toe."),
        ("actiepunt", "De trekker stuurt de planning."),
    ] {
        let mut fields = vec![
            ("version", version().await),
            ("number", "1".to_owned()),
            ("kind", kind.to_owned()),
            ("text", text.to_owned()),
        ];
        if kind == "besluit" {
            fields.push(("decision_plan", "utrechtse-zorgfabriek".to_owned()));
            fields.push(("decision_stage", "tp-goedgekeurd".to_owned()));
        }
        let saved = admin
            .post_form(&format!("/vergaderingen/{id}/uitkomsten"), fields)
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    }

    let export = admin.get("/api/v1/openraadsinformatie").await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    let export = export.json();
    let found = problems(&export);
    assert!(found.is_empty(), "{found:#?}");

    // The demo's BBO: held, with its local start time and offset (summer time in October).
    let bbo = export["vergaderingen"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "bbo-zou-2025-10-09")
        .unwrap();
    assert_eq!(bbo["status"], "gehouden");
    assert_eq!(bbo["vergaderdatum"], "2025-10-09");
    assert_eq!(bbo["aanvangVergadering"], "2025-10-09T11:00:00+02:00");
    assert_eq!(bbo["agendapunten"].as_array().unwrap().len(), 9);
    assert_eq!(
        bbo["georganiseerdDoorGremium"]["gremiumidentificatie"],
        "bbo-zou"
    );
    // The next BBO was planned; its day is past and there is no verslag, so whether it was
    // held is not said.
    let next = export["vergaderingen"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "bbo-zou-2025-12-18")
        .unwrap();
    assert_eq!(next["geplandeVergaderdatum"], "2025-12-18");
    assert!(next.get("status").is_none(), "{next}");
    // The besluit is reached from its agendapunt through a Stemming; the attachment is a link.
    let ours = format!("{id}-punt-1");
    let item = export["agendapunten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == ours.as_str())
        .unwrap();
    assert_eq!(item["indicatorBesloten"], true);
    let vote_url = item["stemmingen"][0].as_str().unwrap();
    let vote = export["stemmingen"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["url"] == vote_url)
        .unwrap();
    let besluit = export["besluiten"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["url"] == vote["besluit"]["url"])
        .unwrap();
    assert_eq!(
        besluit["besluitresultaat"],
        "Het transformatieplan is goedgekeurd."
    );
    let objects = export["informatieobjecten"].as_array().unwrap();
    assert!(
        objects
            .iter()
            .any(|o| o["link"] == "https://voorbeeld.nl/plan.pdf")
    );
    assert!(
        objects
            .iter()
            .any(|o| o["informatieobjecttype"] == "toezegging")
    );
    assert!(
        objects
            .iter()
            .any(|o| o["informatieobjecttype"] == "mededeling")
    );

    // A visitor gets no outcome of the BBO whose verslag is in concept, and the same shape.
    let public = app
        .anonymous()
        .get("/api/v1/openraadsinformatie?overleg=bbo-zou")
        .await
        .json();
    assert!(problems(&public).is_empty(), "{:#?}", problems(&public));
    assert_eq!(public["besluiten"].as_array().unwrap().len(), 0);
    assert!(
        !public["informatieobjecten"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["informatieobjecttype"] == "toezegging")
    );
    assert!(
        public["vergaderingen"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["georganiseerdDoorGremium"]["gremiumidentificatie"] == "bbo-zou")
    );
}

#[test]
fn the_check_finds_what_breaks_the_model() {
    let broken = serde_json::json!({
        "@context": "x",
        "vergaderingen": [{"url": "/v", "id": "v", "status": "afgelast", "naam": "x",
                           "voorzitter": "iemand", "agendapunten": ["http://h/a"]}],
        "agendapunten": [],
        "informatieobjecten": [],
        "stemmingen": [],
        "besluiten": [{"url": "http://h/b", "id": "b", "besluitresultaat": "x".repeat(201)}]
    });
    let found = problems(&broken);
    for expected in [
        "top level has \"@context\"",
        "required vergaderingstype is missing",
        "voorzitter is not a property of Vergadering",
        "status \"afgelast\" is not in the model's list",
        "url \"/v\" is not absolute",
        "agendapunten http://h/a is not in agendapunten",
        "besluitresultaat is longer than 200",
        "gremium lacks \"gremiumidentificatie\"",
    ] {
        assert!(
            found.iter().any(|f| f.contains(expected)),
            "{expected}: {found:#?}"
        );
    }
}
