//! The words of governance: how far a meeting (vergadering) is, and what an agenda item
//! produced.

use super::ParseError;
use super::codes::code_list;

code_list!(
    /// How far a meeting is: from a concept agenda to a verslag that was vastgesteld.
    MeetingStatus, "stand van de vergadering", {
        DraftAgenda => "concept-agenda", "Concept-agenda";
        AgendaFixed => "agenda-vastgesteld", "Agenda vastgesteld";
        DraftMinutes => "verslag-concept", "Verslag in concept";
        MinutesFixed => "verslag-vastgesteld", "Verslag vastgesteld";
    }
);

impl MeetingStatus {
    /// Visitors see a meeting once its agenda is vastgesteld.
    pub fn agenda_is_public(self) -> bool {
        self != Self::DraftAgenda
    }

    /// Visitors see what came of the agenda items once the verslag is vastgesteld.
    pub fn outcomes_are_public(self) -> bool {
        self == Self::MinutesFixed
    }

    /// Whether someone (signed in or not) sees the agenda items.
    pub fn agenda_visible_to(self, signed_in: bool) -> bool {
        signed_in || self.agenda_is_public()
    }

    /// Whether someone (signed in or not) sees the outcomes, the attendance and the besluiten.
    pub fn outcomes_visible_to(self, signed_in: bool) -> bool {
        signed_in || self.outcomes_are_public()
    }
}

code_list!(
    /// What an agenda item produced.
    OutcomeKind, "soort uitkomst", {
        Information => "informatie", "Informatie";
        Decision => "besluit", "Besluit";
        Action => "actiepunt", "Actiepunt";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitors_see_an_agenda_once_fixed_and_outcomes_once_the_minutes_are() {
        let public: Vec<(bool, bool)> = MeetingStatus::ALL
            .iter()
            .map(|s| (s.agenda_is_public(), s.outcomes_are_public()))
            .collect();
        assert_eq!(
            public,
            [(false, false), (true, false), (true, false), (true, true)]
        );
        assert_eq!(
            MeetingStatus::parse("verslag-vastgesteld"),
            Ok(MeetingStatus::MinutesFixed)
        );
        assert!(OutcomeKind::parse("besluiten").is_err());
    }
}
