use std::fmt;

use super::ParseError;

/// The short, stable name of a record (`kansrijke-start`): lowercase letters, digits and
/// single hyphens. It appears in web addresses, so it never changes once published.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 80;

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let ok_chars = value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if value.is_empty()
            || value.len() > Self::MAX_LEN
            || !ok_chars
            || value.starts_with('-')
            || value.ends_with('-')
            || value.contains("--")
        {
            return Err(ParseError::new(format!(
                "\"{value}\" is geen geldige id; gebruik kleine letters, cijfers en enkele streepjes (bijvoorbeeld kansrijke-start), hoogstens {} tekens",
                Self::MAX_LEN
            )));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lowercase_hyphenated_name_is_a_slug() {
        assert_eq!(
            Slug::parse("t1-welbevinden").map(|s| s.to_string()),
            Ok("t1-welbevinden".into())
        );
    }

    #[test]
    fn capitals_spaces_and_loose_hyphens_are_refused() {
        for bad in [
            "Kansrijke",
            "kansrijke start",
            "-start",
            "eind-",
            "a--b",
            "",
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
