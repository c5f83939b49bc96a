//! The verslag (or, before there is one, the agenda) of a meeting as a tagged PDF, through the
//! report route of the kwartaalcyclus (`quarterly::pdf::typeset_async`): the same view the
//! meeting page renders for the same viewer, as JSON for `templates/meetings/verslag.typ`.

use serde_json::{Value, json};

use super::pages::MeetingPage;

/// The typst template of the verslag.
#[cfg(feature = "pdf")]
const TEMPLATE: &str = include_str!("../../../templates/meetings/verslag.typ");

/// The page's view as the template reads it: only what the viewer may see, in words.
pub fn minutes_data(page: &MeetingPage) -> Value {
    let kind = if has_minutes(page) {
        "Verslag"
    } else {
        "Agenda"
    };
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|i| {
            json!({
                "number": i.number,
                "title": i.title,
                "presenter": i.presenter,
                "presenter_assumption": i.presenter_assumption.clone().unwrap_or_default(),
                "plans": i.plans.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>(),
                "indicators": i.links.indicators.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>(),
                "rounds": i.links.rounds.iter().map(|(_, w)| w.clone()).collect::<Vec<_>>(),
                "actions": i.links.actions.iter().map(|(id, t)| format!("actie {id}: {t}")).collect::<Vec<_>>(),
                "attachments": i.attachments.iter().map(|(t, u)| match u {
                    Some(u) => format!("{t} ({u})"),
                    None => t.clone(),
                }).collect::<Vec<_>>(),
                "outcomes": i.outcomes.iter().map(|o| {
                    let mut extra = Vec::new();
                    if let Some((_, plan, stage)) = &o.decided {
                        extra.push(format!("fase van {plan}: {}", stage.to_lowercase()));
                    }
                    if !o.owner.is_empty() {
                        extra.push(format!("bij {}", o.owner));
                    }
                    if !o.due.is_empty() {
                        extra.push(format!("uiterlijk {}", o.due));
                    }
                    if let Some((_, words)) = &o.withdraws {
                        extra.push(format!("trekt in: {words}"));
                    }
                    if let Some((_, words)) = &o.withdrawn_by {
                        extra.push(format!("ingetrokken door {words}"));
                    }
                    json!({
                        "kind": o.kind.label(),
                        "text": o.text,
                        "extra": extra.join("; "),
                    })
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "title": format!("{kind} {}, {}", page.body_name, page.day),
        "body": page.body_name,
        "when": if page.time.is_empty() {
            format!("{} (tijd nog niet bekend)", page.day)
        } else {
            format!("{}, {}", page.day, page.time)
        },
        "place": page.meeting.place.clone().unwrap_or_default(),
        "chair": page.meeting.chair.clone().unwrap_or_default(),
        "status": match (&page.meeting.cancel_reason, page.meeting.is_cancelled()) {
            (Some(reason), true) => format!("Geannuleerd ({reason})"),
            (None, true) => "Geannuleerd".to_owned(),
            _ => page.status.label().to_owned(),
        },
        "status_assumption": page.meeting.status_assumption.clone().unwrap_or_default(),
        "source": page.source.as_ref().map(|s| format!("{} ({})", s.title, s.date)).unwrap_or_default(),
        "attendance": page.attendance,
        "shows_agenda": page.shows_agenda,
        "shows_outcomes": page.shows_outcomes,
        "items": items,
        "printed": crate::web::view::date_nl(&crate::features::indicators::today().to_string()),
    })
}

/// GET /vergaderingen/{id}/verslag.pdf: the verslag (or agenda) as the viewer may see it.
#[cfg(feature = "pdf")]
pub async fn minutes_pdf(
    axum::extract::State(state): axum::extract::State<crate::web::AppState>,
    viewer: crate::web::session::Viewer,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<axum::response::Response, crate::web::error::WebError> {
    let page = super::pages::meeting_page(&state, &viewer, &id).await?;
    let bytes =
        crate::features::quarterly::pdf::typeset_async(TEMPLATE, minutes_data(&page)).await?;
    let name = format!("{}-{id}.pdf", minutes_word(&page));
    Ok(crate::features::quarterly::pages::file_response(
        bytes,
        "application/pdf",
        &name,
    ))
}

#[cfg(feature = "pdf")]
fn minutes_word(page: &MeetingPage) -> &'static str {
    if has_minutes(page) {
        "verslag"
    } else {
        "agenda"
    }
}

/// Whether the viewer gets the verslag: there is one (in concept or vastgesteld) and they may
/// see the outcomes; otherwise the document is the agenda.
pub fn has_minutes(page: &MeetingPage) -> bool {
    page.shows_outcomes
        && (page.status.outcomes_are_public()
            || page.status == crate::domain::MeetingStatus::DraftMinutes)
}
