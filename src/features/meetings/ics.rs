//! A body's meetings as an iCalendar feed (RFC 5545): one event per meeting with a stable UID
//! (the meeting's id), local times in `Europe/Amsterdam` with that zone's rules beside them,
//! and a day without a known time as an all-day event.

use std::fmt::Write as _;

use super::model::MeetingRow;
use crate::domain::MeetingStatus;

/// The zone every meeting's times are in, with its rules since 1996 (the EU's last Sunday of
/// March and of October), so that a calendar needs no database of its own to place them.
const AMSTERDAM: &str = "BEGIN:VTIMEZONE\r
TZID:Europe/Amsterdam\r
BEGIN:DAYLIGHT\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
TZNAME:CEST\r
DTSTART:19810329T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
TZNAME:CET\r
DTSTART:19961027T030000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
END:STANDARD\r
END:VTIMEZONE\r
";

/// The UID of a meeting's event: the same in every feed and on every request.
pub fn uid(meeting_id: &str) -> String {
    format!("{meeting_id}@regiomonitor")
}

/// The feed of `meetings` of the body `body_name`; `stamp` is the moment it is made (UTC).
pub fn calendar(body_name: &str, meetings: &[MeetingRow], stamp: jiff::Timestamp) -> String {
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//regiomonitor//vergaderingen//NL\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n",
    );
    line(
        &mut out,
        "X-WR-CALNAME",
        &text(&format!("Vergaderingen {body_name}")),
    );
    line(&mut out, "X-WR-TIMEZONE", "Europe/Amsterdam");
    out.push_str(AMSTERDAM);
    let stamp = stamp.strftime("%Y%m%dT%H%M%SZ").to_string();
    for m in meetings {
        let Some(day) = m.day() else { continue };
        out.push_str("BEGIN:VEVENT\r\n");
        line(&mut out, "UID", &uid(&m.id));
        line(&mut out, "DTSTAMP", &stamp);
        line(&mut out, "SEQUENCE", &(m.version - 1).max(0).to_string());
        match m.start() {
            Some(start) => {
                let at =
                    |t: jiff::civil::Time| day.to_datetime(t).strftime("%Y%m%dT%H%M%S").to_string();
                line(&mut out, "DTSTART;TZID=Europe/Amsterdam", &at(start));
                if let Some(end) = m.end() {
                    line(&mut out, "DTEND;TZID=Europe/Amsterdam", &at(end));
                }
            }
            None => {
                line(
                    &mut out,
                    "DTSTART;VALUE=DATE",
                    &day.strftime("%Y%m%d").to_string(),
                );
                if let Ok(next) = day.tomorrow() {
                    line(
                        &mut out,
                        "DTEND;VALUE=DATE",
                        &next.strftime("%Y%m%d").to_string(),
                    );
                }
            }
        }
        line(&mut out, "SUMMARY", &text(body_name));
        if let Some(place) = m.place.as_deref() {
            line(&mut out, "LOCATION", &text(place));
        }
        let status = m.status();
        line(
            &mut out,
            "DESCRIPTION",
            &text(&match &m.cancel_reason {
                Some(reason) if m.is_cancelled() => {
                    format!("Geannuleerd: {}.", reason.trim_end_matches('.'))
                }
                _ => format!("{}.", status.label()),
            }),
        );
        line(
            &mut out,
            "STATUS",
            if m.is_cancelled() {
                "CANCELLED"
            } else if status == MeetingStatus::DraftAgenda {
                "TENTATIVE"
            } else {
                "CONFIRMED"
            },
        );
        out.push_str("END:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

/// A TEXT value with its backslashes, semicolons, commas and line breaks escaped.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `name:value` folded at 75 octets (a continuation starts with a space), never
/// inside a character.
fn line(out: &mut String, name: &str, value: &str) {
    let full = format!("{name}:{value}");
    let mut width = 0;
    for c in full.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    let _ = write!(out, "\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting(id: &str, day: &str, start: Option<&str>) -> MeetingRow {
        MeetingRow {
            id: id.into(),
            body_id: "bbo".into(),
            starts_on: day.into(),
            starts_at: start.map(Into::into),
            ends_at: start.map(|_| "13:00".into()),
            place: Some("Rembrandtlaan 1A, Bilthoven; zaal 2".into()),
            chair: None,
            status: "agenda-vastgesteld".into(),
            status_assumption: None,
            source_id: None,
            cancelled: 0,
            cancel_reason: None,
            version: 3,
        }
    }

    #[test]
    fn events_keep_local_times_with_the_zone_and_fold_long_lines() {
        let feed = calendar(
            "Breed Bestuurlijk Overleg, met een naam die lang genoeg is om te vouwen bij 75 tekens",
            &[
                meeting("bbo-2025-10-09", "2025-10-09", Some("11:00")),
                meeting("bbo-2025-12-18", "2025-12-18", None),
            ],
            jiff::Timestamp::UNIX_EPOCH,
        );
        assert!(feed.contains("DTSTART;TZID=Europe/Amsterdam:20251009T110000\r\n"));
        assert!(feed.contains("DTEND;TZID=Europe/Amsterdam:20251009T130000\r\n"));
        assert!(feed.contains("DTSTART;VALUE=DATE:20251218\r\nDTEND;VALUE=DATE:20251219\r\n"));
        assert!(feed.contains("UID:bbo-2025-10-09@regiomonitor\r\n"));
        assert!(feed.contains("SEQUENCE:2\r\n"));
        assert!(feed.contains("LOCATION:Rembrandtlaan 1A\\, Bilthoven\\; zaal 2\r\n"));
        assert!(feed.split("\r\n").all(|l| l.len() <= 75), "{feed}");
        assert!(feed.contains("\r\n "), "a long line is folded");
        assert!(!feed.replace("\r\n", "").contains('\n'));
    }
}
