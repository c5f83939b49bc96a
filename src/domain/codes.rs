//! Closed lists of codes: stages, rollout statuses, kinds. Each has a stable code (used in
//! files, URLs and the database) and a Dutch label (used on pages).

use super::ParseError;

/// Declares a closed list with a code and a Dutch label per variant, and a `parse` that
/// names the allowed codes when it refuses a value.
macro_rules! code_list {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident => $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every value, in the order a user expects to see them.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)+ }
            }

            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label,)+ }
            }

            pub fn parse(value: &str) -> Result<Self, ParseError> {
                match value.trim() {
                    $($code => Ok(Self::$variant),)+
                    other => Err(ParseError::new(format!(
                        "\"{other}\" is geen {}; kies uit: {}",
                        $what,
                        Self::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ")
                    ))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl $crate::domain::Coded for $name {
            const ALL: &'static [Self] = Self::ALL;
            fn code(self) -> &'static str {
                Self::code(self)
            }
            fn label(self) -> &'static str {
                Self::label(self)
            }
        }
    };
}
pub(crate) use code_list;

/// A closed list of values with a code (stored, in URLs and files) and a Dutch label.
pub trait Coded: Copy + 'static {
    /// Every value, in the order a user expects to see them.
    const ALL: &'static [Self];
    fn code(self) -> &'static str;
    fn label(self) -> &'static str;
}

code_list!(
    /// The status pipeline of a plan, from first idea to embedded (or stopped).
    Stage, "fase", {
        Planning => "planvorming", "Planvorming";
        QuickScanSubmitted => "snelle-toets-ingediend", "Snelle toets ingediend";
        QuickScanApproved => "snelle-toets-goedgekeurd", "Snelle toets goedgekeurd";
        PlanSubmitted => "tp-ingediend", "Transformatieplan ingediend";
        PlanApproved => "tp-goedgekeurd", "Transformatieplan goedgekeurd";
        StartUp => "opstartfase", "Opstartfase";
        Implementation => "implementatiefase", "Implementatiefase";
        Running => "loopt", "Loopt";
        Embedded => "geborgd", "Geborgd";
        Stopped => "gestopt", "Gestopt";
    }
);

code_list!(
    /// How far a plan is in one gemeente (uitrol per gemeente).
    RolloutStatus, "uitrolstatus", {
        NotStarted => "niet-gestart", "Niet gestart";
        Planned => "gepland", "Gepland";
        StartingUp => "opstart", "Opstart";
        Running => "loopt", "Loopt";
        Embedded => "geborgd", "Geborgd";
        NotApplicable => "nvt", "N.v.t.";
    }
);

impl RolloutStatus {
    /// A symbol shown next to the label, so the status never depends on colour alone.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::NotStarted => "○",
            Self::Planned => "◷",
            Self::StartingUp => "◔",
            Self::Running => "●",
            Self::Embedded => "✔",
            Self::NotApplicable => "–",
        }
    }

    /// Counts as "lopend" in the per-gemeente totals.
    pub fn is_running(self) -> bool {
        matches!(self, Self::StartingUp | Self::Running | Self::Embedded)
    }
}

code_list!(
    /// The overview's words ("in één oogopslag": welke plannen lopen en welke gepland staan),
    /// into which both a gemeente's own rollout status and a plan's stage are mapped.
    Overview, "overzichtsstatus", {
        Running => "lopend", "Lopend";
        Planned => "gepland", "Gepland";
        Embedded => "geborgd", "Geborgd";
        NotStarted => "niet-gestart", "Niet gestart";
        Stopped => "gestopt", "Gestopt";
        NotApplicable => "nvt", "N.v.t.";
        Unknown => "onbekend", "Onbekend";
    }
);

impl Overview {
    /// A symbol shown next to the word, so the status never depends on colour alone.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Running => "●",
            Self::Planned => "◷",
            Self::Embedded => "✔",
            Self::NotStarted => "○",
            Self::Stopped => "✕",
            Self::NotApplicable => "–",
            Self::Unknown => "?",
        }
    }

    /// Counts as running ("lopend") in the per-gemeente totals: geborgd is a plan that runs
    /// for good.
    pub fn is_running(self) -> bool {
        matches!(self, Self::Running | Self::Embedded)
    }
}

impl Stage {
    /// The one table from a plan's stage to the overview's word, used for a gemeente in the
    /// plan's working area that has no fact of its own ("volgt plan").
    ///
    /// | stage | overview |
    /// |---|---|
    /// | opstartfase, implementatiefase, loopt | lopend |
    /// | geborgd | geborgd |
    /// | planvorming, snelle toets ingediend/goedgekeurd, transformatieplan ingediend/goedgekeurd | gepland |
    /// | gestopt | gestopt |
    /// | no stage | onbekend ([`Stage::overview_of`]) |
    ///
    /// Planvorming counts as gepland: the documents' own overview ("Overzicht plannen", seed
    /// 000) splits plans in "In uitvoering / opstartfase" and "Planvorming", and the BBO asks
    /// which plans "al lopen en welke nog gepland staan"; a plan being written is in the second
    /// group.
    pub fn overview(self) -> Overview {
        match self {
            Self::StartUp | Self::Implementation | Self::Running => Overview::Running,
            Self::Embedded => Overview::Embedded,
            Self::Planning
            | Self::QuickScanSubmitted
            | Self::QuickScanApproved
            | Self::PlanSubmitted
            | Self::PlanApproved => Overview::Planned,
            Self::Stopped => Overview::Stopped,
        }
    }

    /// The overview's word for a plan that may have no stage.
    pub fn overview_of(stage: Option<Self>) -> Overview {
        stage.map_or(Overview::Unknown, Self::overview)
    }
}

impl RolloutStatus {
    /// A gemeente's own fact in the overview's words: opstart and loopt are lopend.
    pub fn overview(self) -> Overview {
        match self {
            Self::NotStarted => Overview::NotStarted,
            Self::Planned => Overview::Planned,
            Self::StartingUp | Self::Running => Overview::Running,
            Self::Embedded => Overview::Embedded,
            Self::NotApplicable => Overview::NotApplicable,
        }
    }
}

code_list!(
    /// The type of a plan in the portfolio.
    PlanKind, "soort plan", {
        TransformationPlan => "transformatieplan", "Transformatieplan";
        GalaChainApproach => "gala-ketenaanpak", "GALA-ketenaanpak";
        Project => "project", "Project";
        Programme => "programma", "Programma";
        Activity => "activiteit", "Activiteit";
    }
);

code_list!(
    /// The network's role in a plan: directly via its werkgroepen, or indirectly at the parties.
    NetworkRole, "rol van het netwerk", {
        Direct => "direct", "Direct (via werkgroepen)";
        Indirect => "indirect", "Indirect (bij de partijen)";
    }
);

code_list!(
    /// "In uitvoering / opstartfase" or "Planvorming", as the Overzicht plannen splits them.
    Phase, "uitvoeringsfase", {
        InExecution => "uitvoering", "In uitvoering / opstartfase";
        Planning => "planvorming", "Planvorming";
    }
);

code_list!(
    OrganisationKind, "soort organisatie", {
        CareProvider => "zorgaanbieder", "Zorgaanbieder";
        GeneralPractice => "huisartsen", "Huisartsenzorg";
        Municipality => "gemeente", "Gemeente";
        Insurer => "zorgverzekeraar", "Zorgverzekeraar";
        Welfare => "welzijn", "Welzijn";
        PublicHealth => "ggd", "GGD";
        Partnership => "samenwerkingsverband", "Samenwerkingsverband";
        Knowledge => "kennisinstituut", "Kennisinstituut";
        Residents => "inwoners", "Inwoners";
        Other => "overig", "Overig";
    }
);

code_list!(
    /// The parts of the regioplan's framework that plans link to.
    FrameworkKind, "onderdeel van het kader", {
        Principle => "principe", "Leidend principe";
        Transformation => "transformatie", "Transformatie";
        Theme => "opgave", "Opgave";
        Foundation => "fundament", "Fundament";
        Accord => "akkoord", "Akkoord";
    }
);

impl FrameworkKind {
    /// "geen bekende opgave", "geen bekend akkoord": Dutch adjectives follow the noun's gender.
    pub fn unknown_phrase(self) -> &'static str {
        match self {
            Self::Principle => "geen bekend leidend principe",
            Self::Transformation => "geen bekende transformatie",
            Self::Theme => "geen bekende opgave",
            Self::Foundation => "geen bekend fundament",
            Self::Accord => "geen bekend akkoord",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            Self::Principle => "Leidende principes",
            Self::Transformation => "Transformaties",
            Self::Theme => "Opgaven",
            Self::Foundation => "Fundamenten",
            Self::Accord => "Akkoorden",
        }
    }
}

code_list!(
    /// What an account may do: beheerder everything, trekker the plans its organisations lead,
    /// lezer read everything including internal fields.
    Role, "rol", {
        Admin => "beheerder", "Beheerder";
        Lead => "trekker", "Trekker";
        Reader => "lezer", "Lezer";
    }
);

code_list!(
    /// Through which door a write came in; kept in the audit trail.
    Channel, "kanaal", {
        Web => "web", "Website";
        Api => "api", "API";
        Cli => "cli", "Opdrachtregel";
        Import => "import", "Import";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_round_trips_through_its_code() {
        for stage in Stage::ALL {
            assert_eq!(Stage::parse(stage.code()), Ok(*stage));
        }
    }

    #[test]
    fn an_unknown_rollout_status_lists_the_allowed_codes() {
        let err = RolloutStatus::parse("bezig").expect_err("unknown");
        assert_eq!(
            err.0,
            "\"bezig\" is geen uitrolstatus; kies uit: niet-gestart, gepland, opstart, loopt, geborgd, nvt"
        );
    }

    #[test]
    fn only_starting_running_and_embedded_rollouts_count_as_running() {
        let running: Vec<_> = RolloutStatus::ALL
            .iter()
            .filter(|s| s.is_running())
            .collect();
        assert_eq!(
            running,
            [
                &RolloutStatus::StartingUp,
                &RolloutStatus::Running,
                &RolloutStatus::Embedded
            ]
        );
    }

    #[test]
    fn the_stage_table_maps_running_planned_embedded_and_stopped_stages() {
        let by_word = |word: Overview| -> Vec<&str> {
            Stage::ALL
                .iter()
                .filter(|s| s.overview() == word)
                .map(|s| s.code())
                .collect()
        };
        assert_eq!(
            by_word(Overview::Running),
            ["opstartfase", "implementatiefase", "loopt"]
        );
        assert_eq!(by_word(Overview::Embedded), ["geborgd"]);
        assert_eq!(
            by_word(Overview::Planned),
            [
                "planvorming",
                "snelle-toets-ingediend",
                "snelle-toets-goedgekeurd",
                "tp-ingediend",
                "tp-goedgekeurd"
            ]
        );
        assert_eq!(by_word(Overview::Stopped), ["gestopt"]);
        assert_eq!(Stage::overview_of(None), Overview::Unknown);
    }

    #[test]
    fn a_gemeente_fact_of_opstart_counts_as_running_and_nvt_as_nothing() {
        assert!(RolloutStatus::StartingUp.overview().is_running());
        assert!(RolloutStatus::Embedded.overview().is_running());
        assert!(!RolloutStatus::Planned.overview().is_running());
        assert_eq!(
            RolloutStatus::NotApplicable.overview(),
            Overview::NotApplicable
        );
    }

    #[test]
    fn every_overview_word_has_a_distinct_symbol() {
        let mut symbols: Vec<_> = Overview::ALL.iter().map(|s| s.symbol()).collect();
        symbols.sort();
        symbols.dedup();
        assert_eq!(symbols.len(), Overview::ALL.len());
    }

    #[test]
    fn every_status_has_a_distinct_symbol_so_colour_is_never_the_only_cue() {
        let mut symbols: Vec<_> = RolloutStatus::ALL.iter().map(|s| s.symbol()).collect();
        symbols.sort();
        symbols.dedup();
        assert_eq!(symbols.len(), RolloutStatus::ALL.len());
    }
}
