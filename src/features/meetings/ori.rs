//! The meetings as an export in the shape of the VNG information model Open Raadsinformatie
//! (ODS Open Raadsinformatie 2.0, plain JSON): its classes Vergadering, Agendapunt,
//! InformatieObject, Stemming and Besluit with their property names. A besluit is an agenda
//! item's outcome; the model reaches it from the Agendapunt through a Stemming ("heeft
//! betrekking op" the Agendapunt, "leidt tot" the Besluit), so each besluit has one Stemming
//! without votes. What the model has no property for (the linked plans, the presenter) is put
//! in `agendapuntOmschrijving`. `docs/open-raadsinformatie.md` gives the mapping and its choices.
//!
//! The export holds what the viewer may see, as the meeting page does: a visitor gets the
//! agenda once vastgesteld and the outcomes once the verslag is.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::model::{DecisionKey, MeetingRow, VisibleMeeting};
use crate::domain::OutcomeKind;
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::routes::Routes;
use crate::web::session::Viewer;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/openraadsinformatie", export)
}

/// The model's `id` holds at most 40 characters: a longer id keeps its start and gets a short
/// hash of the whole, so it stays unique and the same on every export.
pub fn ori_id(id: &str) -> String {
    if id.len() <= 40 {
        return id.to_owned();
    }
    // FNV-1a, 32 bits: stable across versions and platforms, unlike std's hasher.
    let hash = id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    let start: String = id.chars().take(31).collect();
    format!("{start}-{hash:08x}")
}

/// A local day and time in Europe/Amsterdam as the model's date-time, with its offset.
fn local_moment(day: jiff::civil::Date, time: jiff::civil::Time) -> Option<String> {
    let zone = jiff::tz::TimeZone::get("Europe/Amsterdam").ok()?;
    let zoned = day.to_datetime(time).to_zoned(zone).ok()?;
    Some(
        zoned
            .timestamp()
            .display_with_offset(zoned.offset())
            .to_string(),
    )
}

/// The address this server is reached at, for the model's absolute `url`s.
fn base(headers: &HeaderMap, secure: bool) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    format!("{}://{host}", if secure { "https" } else { "http" })
}

/// A reference to another resource: `{url, id}` (the model's VerwijzingNaarResource).
fn reference(url: &str, id: &str) -> Value {
    json!({ "url": url, "id": id })
}

/// The model's five collections, filled meeting by meeting.
#[derive(Default)]
pub struct Export {
    vergaderingen: Vec<Value>,
    agendapunten: Vec<Value>,
    informatieobjecten: Vec<Value>,
    stemmingen: Vec<Value>,
    besluiten: Vec<Value>,
}

impl Export {
    pub fn into_json(self) -> Value {
        json!({
            "vergaderingen": self.vergaderingen,
            "agendapunten": self.agendapunten,
            "informatieobjecten": self.informatieobjecten,
            "stemmingen": self.stemmingen,
            "besluiten": self.besluiten,
        })
    }

    /// Adds a meeting of the body `body` (id, name) as far as it is visible; `withdrawn`
    /// names the besluiten withdrawn and by what, `today` decides gepland or gehouden.
    pub fn add(
        &mut self,
        base: &str,
        body: (&str, &str),
        v: &VisibleMeeting,
        withdrawn: &std::collections::HashMap<DecisionKey, String>,
        today: jiff::civil::Date,
    ) {
        let m: &MeetingRow = &v.meeting;
        let meeting_id = ori_id(&m.id);
        let meeting_url = format!("{base}/vergaderingen/{}", m.id);
        // Held when there is a verslag; planned while the day is to come; a past day without
        // a verslag says neither, so the status is left out and the day stays the planned one.
        let held = m.status().outcomes_are_public()
            || m.status() == crate::domain::MeetingStatus::DraftMinutes;
        let status = if m.is_cancelled() {
            Some("geannuleerd")
        } else if held {
            Some("gehouden")
        } else if m.day().is_none_or(|d| d >= today) {
            Some("gepland")
        } else {
            None
        };
        let moment =
            |t: Option<jiff::civil::Time>| m.day().zip(t).and_then(|(d, t)| local_moment(d, t));
        let mut vergadering = json!({
            "url": meeting_url,
            "id": meeting_id,
            "vergaderingstype": "commissievergadering",
            "naam": format!("{} {}", body.1, m.starts_on),
            "georganiseerdDoorGremium": {
                "gremiumidentificatie": body.0,
                "gremiumnaam": body.1,
            },
            "agendapunten": [],
            "bijlagen": [],
        });
        if let Some(status) = status {
            vergadering["status"] = json!(status);
        }
        let (day_key, start_key, end_key) = if held {
            ("vergaderdatum", "aanvangVergadering", "eindeVergadering")
        } else {
            (
                "geplandeVergaderdatum",
                "geplandeAanvangVergadering",
                "geplandeEindeVergadering",
            )
        };
        vergadering[day_key] = json!(m.starts_on);
        if let Some(start) = moment(m.start()) {
            vergadering[start_key] = json!(start);
        }
        if let Some(end) = moment(m.end()) {
            vergadering[end_key] = json!(end);
        }
        if let Some(place) = &m.place {
            vergadering["locatie"] = json!(place);
        }
        let mut explained = vec![format!("Stand: {}.", m.status().label())];
        if let Some(chair) = &m.chair {
            explained.push(format!("Voorzitter: {chair}."));
        }
        vergadering["vergadertoelichting"] = json!(explained.join(" "));
        let mut item_urls = Vec::new();
        for item in &v.items {
            let n = item.item.number;
            let item_url = format!("{meeting_url}#punt-{n}");
            let item_id = ori_id(&format!("{}-punt-{n}", m.id));
            item_urls.push(json!(item_url));
            let mut description = Vec::new();
            let presenter = [
                item.item.presenter_role.clone(),
                item.item.presenter_organisation_id.clone(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            if !presenter.is_empty() {
                description.push(format!("Inbreng: {presenter}."));
            }
            if !item.plans.is_empty() {
                let names: Vec<&str> = item.plans.iter().map(|(_, n)| n.as_str()).collect();
                description.push(format!("Over: {}.", names.join(", ")));
            }
            let mut objects = Vec::new();
            let attachments = item.item.attachments.as_deref().unwrap_or_default();
            for (k, line) in attachments.lines().enumerate() {
                let (title, link) = super::pages::attachment_link(line);
                let url = format!("{item_url}-bijlage-{}", k + 1);
                let mut object = json!({
                    "url": url,
                    "id": ori_id(&format!("{}-punt-{n}-bijlage-{}", m.id, k + 1)),
                    "titel": title,
                    "agendapunten": [reference(&item_url, &item_id)],
                    "vergaderingen": [reference(&meeting_url, &meeting_id)],
                });
                if let Some(link) = link {
                    object["link"] = json!(link);
                }
                objects.push(json!(url));
                self.informatieobjecten.push(object);
            }
            let mut votes = Vec::new();
            for o in &item.outcomes {
                let p = o.position;
                let text: String = o.text.clone();
                match o.kind() {
                    OutcomeKind::Decision => {
                        let decision_url = format!("{item_url}-besluit-{p}");
                        let decision_id = ori_id(&format!("{}-punt-{n}-besluit-{p}", m.id));
                        let vote_url = format!("{item_url}-stemming-{p}");
                        let vote_id = ori_id(&format!("{}-punt-{n}-stemming-{p}", m.id));
                        let result: String = text.chars().take(200).collect();
                        let mut notes = Vec::new();
                        if result.len() < text.len() {
                            notes.push(text.clone());
                        }
                        if let Some(k) = o.withdraws() {
                            notes.push(format!(
                                "Trekt in: het besluit van vergadering {}, agendapunt {}.",
                                k.meeting_id, k.number
                            ));
                        }
                        if let Some(by) = withdrawn.get(&o.key()) {
                            notes.push(format!("Ingetrokken door {by}."));
                        }
                        let mut besluit = json!({
                            "url": decision_url,
                            "id": decision_id,
                            "besluitresultaat": result,
                            "stemmingen": [vote_url],
                        });
                        if !notes.is_empty() {
                            besluit["besluittoelichting"] = json!(notes.join(" "));
                        }
                        self.besluiten.push(besluit);
                        self.stemmingen.push(json!({
                            "url": vote_url,
                            "id": vote_id,
                            "agendapunt": reference(&item_url, &item_id),
                            "besluit": reference(&decision_url, &decision_id),
                        }));
                        votes.push(json!(vote_url));
                    }
                    kind => {
                        let url = format!("{item_url}-uitkomst-{p}");
                        let title: String = text.chars().take(80).collect();
                        objects.push(json!(url));
                        self.informatieobjecten.push(json!({
                            "url": url,
                            "id": ori_id(&format!("{}-punt-{n}-uitkomst-{p}", m.id)),
                            "titel": title,
                            "omschrijving": text,
                            "informatieobjecttype": if kind == OutcomeKind::Action {
                                "toezegging"
                            } else {
                                "mededeling"
                            },
                            "agendapunten": [reference(&item_url, &item_id)],
                            "vergaderingen": [reference(&meeting_url, &meeting_id)],
                        }));
                    }
                }
            }
            let mut agendapunt = json!({
                "url": item_url,
                "id": item_id,
                "vergadering": reference(&meeting_url, &meeting_id),
                "agendapuntvolgnummer": n.to_string(),
                "agendapuntKenmerk": n.to_string(),
                "agendapuntTitel": item.item.title,
                "informatieobjecten": objects,
                "stemmingen": votes,
            });
            if !description.is_empty() {
                agendapunt["agendapuntOmschrijving"] = json!(description.join(" "));
            }
            if v.shows_outcomes {
                agendapunt["indicatorBehandeld"] = json!(held);
                agendapunt["indicatorBesloten"] = json!(!votes_is_empty(&agendapunt));
            }
            self.agendapunten.push(agendapunt);
        }
        vergadering["agendapunten"] = json!(item_urls);
        self.vergaderingen.push(vergadering);
    }
}

fn votes_is_empty(agendapunt: &Value) -> bool {
    agendapunt["stemmingen"]
        .as_array()
        .is_none_or(Vec::is_empty)
}

/// Every meeting (of one body with `?overleg=`) as Open Raadsinformatie: Vergaderingen,
/// Agendapunten, InformatieObjecten (attachments, informatie as mededeling, actiepunten as
/// toezegging), Stemmingen and Besluiten, as far as the viewer may see them.
#[utoipa::path(get, path = "/api/v1/openraadsinformatie", params(("overleg" = Option<String>, Query, description = "Alleen de vergaderingen van dit overleg")), responses((status = 200, description = "De vergaderingen in de vorm van het informatiemodel Open Raadsinformatie (VNG): vergaderingen, agendapunten, informatieobjecten, stemmingen en besluiten", body = Object)))]
pub async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<impl axum::response::IntoResponse, ApiError> {
    let body_filter = pairs
        .iter()
        .find(|(k, _)| k == "overleg")
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    let base = base(&headers, viewer.secure);
    let bodies = state.store.bodies().await?;
    let (decisions, _) = state.store.decisions().await?;
    let words = |d: &super::model::DecisionRow| {
        format!(
            "het besluit van vergadering {}, agendapunt {}",
            d.meeting_id, d.number
        )
    };
    let withdrawn: std::collections::HashMap<DecisionKey, String> = decisions
        .iter()
        .filter(|d| {
            crate::domain::MeetingStatus::parse(&d.status)
                .is_ok_and(|s| s.outcomes_visible_to(viewer.is_signed_in()))
        })
        .filter_map(|d| Some((d.withdraws()?, words(d))))
        .collect();
    let today = crate::features::indicators::today();
    let mut export = Export::default();
    let mut meetings = state.store.meetings().await?;
    meetings.reverse();
    for m in meetings {
        if body_filter.as_ref().is_some_and(|b| &m.body_id != b) {
            continue;
        }
        let Some(visible) = state
            .store
            .visible_meeting(&m.id, viewer.is_signed_in())
            .await?
        else {
            continue;
        };
        let name = bodies
            .iter()
            .find(|b| b.id == m.body_id)
            .map_or(m.body_id.as_str(), |b| b.name.as_str());
        export.add(&base, (&m.body_id, name), &visible, &withdrawn, today);
    }
    // Never kept: its addresses are the request's, and gepland turns into a past day.
    Ok((
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Json(export.into_json()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_longer_than_the_model_allows_is_shortened_the_same_way_every_time() {
        assert_eq!(ori_id("bbo-zou-2025-10-09"), "bbo-zou-2025-10-09");
        let long = "werkgroep-sociaal-domein-eerstelijn-lekstroom-2026-01-01-punt-12";
        let short = ori_id(long);
        assert_eq!(short.len(), 40);
        assert_eq!(short, ori_id(long));
        assert_ne!(short, ori_id(&format!("{long}3")));
        assert!(short.starts_with("werkgroep-sociaal-domein-eerste-"));
    }

    #[test]
    fn a_local_time_carries_amsterdams_offset_on_either_side_of_summer_time() {
        let t = jiff::civil::time(11, 0, 0, 0);
        assert_eq!(
            local_moment(jiff::civil::date(2026, 3, 28), t).as_deref(),
            Some("2026-03-28T11:00:00+01:00")
        );
        assert_eq!(
            local_moment(jiff::civil::date(2026, 3, 30), t).as_deref(),
            Some("2026-03-30T11:00:00+02:00")
        );
    }
}
