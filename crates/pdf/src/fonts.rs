//! The fonts a report can use: Open Sans in four styles, embedded in the binary (see
//! `fonts/README.md` for their source, licence and checksums).

use std::sync::LazyLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

/// The family name a template can ask for with `#set text(font: "Open Sans")`; it is also the
/// default, so a template need not name it.
pub(crate) const FAMILY: &str = "Open Sans";

static FILES: [&[u8]; 4] = [
    include_bytes!("../fonts/OpenSans-Regular.ttf"),
    include_bytes!("../fonts/OpenSans-Bold.ttf"),
    include_bytes!("../fonts/OpenSans-Italic.ttf"),
    include_bytes!("../fonts/OpenSans-BoldItalic.ttf"),
];

/// The parsed fonts and typst's index of them, built once per process and shared by every
/// render.
pub(crate) struct Fonts {
    pub(crate) book: LazyHash<FontBook>,
    pub(crate) fonts: Vec<Font>,
}

pub(crate) static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = FILES
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

/// The characters of `text` that the embedded fonts cannot show, each once, in order of first
/// appearance (line breaks, tabs and other white space are not counted).
///
/// There is no fallback font, and PDF/UA-1 refuses text it cannot display, so one emoji or
/// arrow in a remark (👍, →, ✓) makes the whole render fail with "the text ... could not be
/// displayed". Check text from users with this before rendering, and replace or drop what it
/// returns.
pub fn unsupported_chars(text: &str) -> Vec<char> {
    let mut unsupported = Vec::new();
    for c in text.chars() {
        let shown = c.is_whitespace()
            || c.is_control()
            || FONTS
                .fonts
                .iter()
                .all(|font| font.info().coverage.contains(u32::from(c)));
        if !shown && !unsupported.contains(&c) {
            unsupported.push(c);
        }
    }
    unsupported
}

#[cfg(test)]
mod tests {
    use super::*;
    use typst::text::{FontStyle, FontVariant, FontWeight};

    #[test]
    fn every_style_has_the_minus_sign_typst_writes_for_negative_numbers() {
        for font in &FONTS.fonts {
            for c in ['\u{2212}', '€', '≤', '≥', 'ë', '–'] {
                assert!(
                    font.info().coverage.contains(u32::from(c)),
                    "{c} in {:?}",
                    font.info().variant
                );
            }
        }
    }

    #[test]
    fn unsupported_chars_names_what_the_fonts_lack_once_each() {
        assert_eq!(
            unsupported_chars("Gereed ✓ → klaar 👍, nog één ✓\n"),
            vec!['✓', '→', '👍']
        );
        assert!(unsupported_chars("Zeist −3,5 € ≤ ≥ «één» – ĳ\t").is_empty());
    }

    #[test]
    fn the_four_styles_load_and_are_found_by_family_name() {
        assert_eq!(FONTS.fonts.len(), 4);
        for (style, weight) in [
            (FontStyle::Normal, FontWeight::REGULAR),
            (FontStyle::Normal, FontWeight::BOLD),
            (FontStyle::Italic, FontWeight::REGULAR),
            (FontStyle::Italic, FontWeight::BOLD),
        ] {
            let variant = FontVariant::new(style, weight, Default::default());
            let found = FONTS.book.select(&FAMILY.to_lowercase(), variant);
            let font = found.and_then(|index| FONTS.fonts.get(index));
            assert_eq!(
                font.map(|font| font.info().variant),
                Some(variant),
                "{style:?} {weight:?}"
            );
        }
    }
}
