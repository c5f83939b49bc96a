use std::fmt;

use super::ParseError;

/// Where an area sits in the tree regio → subregio → gemeente → wijk/LSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AreaKind {
    Region,
    Subregion,
    Municipality,
    /// A wijk or a lokaal samenwerkingsverband (LSV) inside one gemeente.
    District,
}

impl AreaKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Region => "regio",
            Self::Subregion => "subregio",
            Self::Municipality => "gemeente",
            Self::District => "wijk",
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        match value {
            "regio" => Ok(Self::Region),
            "subregio" => Ok(Self::Subregion),
            "gemeente" => Ok(Self::Municipality),
            "wijk" => Ok(Self::District),
            other => Err(ParseError::new(format!(
                "\"{other}\" is geen soort gebied; kies uit regio, subregio, gemeente of wijk"
            ))),
        }
    }
}

/// The CBS code of a gemeente: `GM` followed by four digits (`GM0344` is Utrecht).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gemeentecode(String);

impl Gemeentecode {
    /// Accepts `GM0344`, and also `gm0344` or `0344` as people write it in spreadsheets.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let trimmed = value.trim();
        let digits = trimmed
            .strip_prefix("GM")
            .or_else(|| trimmed.strip_prefix("gm"))
            .unwrap_or(trimmed);
        if digits.len() == 4 && digits.chars().all(|c| c.is_ascii_digit()) {
            Ok(Self(format!("GM{digits}")))
        } else {
            Err(ParseError::new(format!(
                "\"{value}\" is geen CBS-gemeentecode; een code is GM gevolgd door vier cijfers, bijvoorbeeld GM0344"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Gemeentecode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cbs_code_is_gm_and_four_digits() {
        assert_eq!(
            Gemeentecode::parse("GM0344").map(|c| c.to_string()),
            Ok("GM0344".into())
        );
    }

    #[test]
    fn spreadsheet_spellings_of_a_cbs_code_are_normalised() {
        assert_eq!(
            Gemeentecode::parse(" gm0352 ").map(|c| c.to_string()),
            Ok("GM0352".into())
        );
        assert_eq!(
            Gemeentecode::parse("0352").map(|c| c.to_string()),
            Ok("GM0352".into())
        );
    }

    #[test]
    fn a_name_or_short_code_is_not_a_cbs_code() {
        for bad in ["Utrecht", "GM344", "GM03444", "GMabcd", ""] {
            let err = Gemeentecode::parse(bad).expect_err(bad);
            assert!(err.0.contains("GM gevolgd door vier cijfers"), "{err}");
        }
    }

    #[test]
    fn area_kinds_round_trip_through_their_codes() {
        for kind in [
            AreaKind::Region,
            AreaKind::Subregion,
            AreaKind::Municipality,
            AreaKind::District,
        ] {
            assert_eq!(AreaKind::parse(kind.code()), Ok(kind));
        }
    }
}
