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

    /// Derives an id from a name: "Buurt als Ecosysteem" → `buurt-als-ecosysteem`; accents
    /// are dropped, other characters become single hyphens. `None` when nothing is left.
    pub fn from_name(name: &str) -> Option<Self> {
        let mut out = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            let c = match c {
                'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
                'é' | 'è' | 'ê' | 'ë' => 'e',
                'í' | 'ì' | 'î' | 'ï' => 'i',
                'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
                'ú' | 'ù' | 'û' | 'ü' => 'u',
                'ç' => 'c',
                'ñ' => 'n',
                c => c,
            };
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let mut out = out.trim_end_matches('-').to_owned();
        if out.len() > Self::MAX_LEN {
            out.truncate(Self::MAX_LEN);
            out = out.trim_end_matches('-').to_owned();
        }
        Self::parse(&out).ok()
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

    #[test]
    fn an_id_is_derived_from_a_dutch_name() {
        for (name, id) in [
            ("Buurt als Ecosysteem", "buurt-als-ecosysteem"),
            ("Wijk Noord-Oost (Zeist)", "wijk-noord-oost-zeist"),
            ("Santé Partners", "sante-partners"),
        ] {
            assert_eq!(
                Slug::from_name(name).map(|s| s.to_string()).as_deref(),
                Some(id)
            );
        }
        assert_eq!(Slug::from_name("—"), None);
    }
}
