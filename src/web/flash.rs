//! The confirmation a save leads to ("Opgeslagen."), shown once on the page the browser goes
//! to next. The redirect after a save sets a short-lived cookie holding the code of one of a
//! fixed set of messages (never text from the request, so a cookie set by someone else can
//! show no words of theirs); the page that shows it clears it.

use axum::http::{HeaderValue, Request, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

pub const COOKIE: &str = "regiomonitor_melding";

/// What was saved, in the words the next page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    Saved,
    Created,
    RolloutSaved,
    RolloutsSaved,
    AccountSaved,
    UpdateSubmitted,
    Reviewed,
    ReminderSent,
}

impl Notice {
    const ALL: [Notice; 8] = [
        Notice::Saved,
        Notice::Created,
        Notice::RolloutSaved,
        Notice::RolloutsSaved,
        Notice::AccountSaved,
        Notice::UpdateSubmitted,
        Notice::Reviewed,
        Notice::ReminderSent,
    ];

    fn code(self) -> &'static str {
        match self {
            Notice::Saved => "opgeslagen",
            Notice::Created => "aangemaakt",
            Notice::RolloutSaved => "uitrol",
            Notice::RolloutsSaved => "uitrol-reeks",
            Notice::AccountSaved => "account",
            Notice::UpdateSubmitted => "update-ingediend",
            Notice::Reviewed => "beoordeeld",
            Notice::ReminderSent => "herinnering",
        }
    }

    pub fn text(self) -> &'static str {
        match self {
            Notice::Saved => "Opgeslagen.",
            Notice::Created => "Aangemaakt en opgeslagen.",
            Notice::RolloutSaved => "De uitrol is opgeslagen.",
            Notice::RolloutsSaved => {
                "De uitrol is opgeslagen voor elke gekozen gemeente; elke gemeente heeft een eigen regel in de historie."
            }
            Notice::AccountSaved => "Het account is bijgewerkt.",
            Notice::UpdateSubmitted => {
                "De kwartaalupdate is ingediend. Het kernteam beoordeelt haar; een vraag ziet u hier en onder Voor mij."
            }
            Notice::Reviewed => "De beoordeling is opgeslagen; de trekker ziet haar bij de update.",
            Notice::ReminderSent => {
                "De herinnering is verstuurd, aan elke trekker apart; de historie van de ronde noemt hoeveel."
            }
        }
    }

    fn parse(code: &str) -> Option<Notice> {
        Self::ALL.into_iter().find(|n| n.code() == code)
    }
}

/// A redirect to `to` (a path of this site) that shows `notice` there.
pub fn redirect(to: &str, notice: Notice) -> Response {
    let cookie = Cookie::build((COOKIE, notice.code()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(crate::web::Viewer::current().secure)
        .max_age(time::Duration::minutes(2))
        .build();
    let mut response = Redirect::to(to).into_response();
    if let Ok(value) = cookie.to_string().parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The notice a request carries. Only saves lead to one, and only a signed-in person saves:
/// for anyone else it is ignored, so a page kept for every visitor never holds one.
pub fn sent<B>(req: &Request<B>, signed_in: bool) -> Option<Notice> {
    if !signed_in {
        return None;
    }
    CookieJar::from_headers(req.headers())
        .get(COOKIE)
        .and_then(|c| Notice::parse(c.value()))
}

/// Clears the notice once a page has shown it (not on a redirect, which leads to the page
/// that shows it, and not when the handler set a new one).
pub fn clear_when_shown(response: &mut Response) {
    if response.status().is_redirection() {
        return;
    }
    let sets_new = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(COOKIE.as_bytes()));
    if sets_new {
        return;
    }
    let gone = Cookie::build((COOKIE, ""))
        .path("/")
        .max_age(time::Duration::ZERO)
        .build();
    if let Ok(value) = HeaderValue::from_str(&gone.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_reads_back_from_its_code_and_nothing_else_does() {
        for n in Notice::ALL {
            assert_eq!(Notice::parse(n.code()), Some(n));
        }
        assert_eq!(Notice::parse("<script>"), None);
        assert_eq!(Notice::parse(""), None);
    }
}
