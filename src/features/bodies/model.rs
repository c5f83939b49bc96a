//! A governance body (overleg) as pages read it.

use serde::Serialize;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct BodyRow {
    pub id: String,
    pub name: String,
    pub level: String,
    /// werkgroep, kernteam, regiegroep or bbo: the kind of body; its place on a ladder is
    /// `escalates_to`.
    pub kind: Option<String>,
    pub area_id: Option<String>,
    pub description: Option<String>,
    pub source_id: Option<String>,
    /// The body an action here escalates to: the next rung of this region's ladder.
    pub escalates_to: Option<String>,
    /// The reason, when that order is an aanname no document states.
    pub escalates_assumption: Option<String>,
}

/// The bodies above `body_id` on its ladder, nearest first (following `escalates_to`; a loop
/// in the data ends the walk).
pub fn ladder_above<'a>(bodies: &'a [BodyRow], body_id: &str) -> Vec<&'a BodyRow> {
    let mut above: Vec<&BodyRow> = Vec::new();
    let mut at = body_id;
    while let Some(next) = bodies
        .iter()
        .find(|b| b.id == at)
        .and_then(|b| b.escalates_to.as_deref())
        .and_then(|n| bodies.iter().find(|b| b.id == n))
    {
        if next.id == body_id || above.iter().any(|b| b.id == next.id) {
            break;
        }
        above.push(next);
        at = &next.id;
    }
    above
}

/// The bodies on some ladder: those that escalate to another or are escalated to.
pub fn on_a_ladder(bodies: &[BodyRow]) -> Vec<&BodyRow> {
    bodies
        .iter()
        .filter(|b| {
            b.escalates_to.is_some()
                || bodies
                    .iter()
                    .any(|o| o.escalates_to.as_deref() == Some(b.id.as_str()))
        })
        .collect()
}
