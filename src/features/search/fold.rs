//! The one way search texts and searched words are made comparable: lower case, without
//! accents (é → e, ö → o, ç → c, ß → ss, ...), with every run of white space made one space.
//! Stored texts and the user's words go through the same [`fold`], so "Coördinatiepunt" is
//! found by "coordinatiepunt" on both backends, whatever their own `lower()` folds.

/// Folds `text` for searching: lower case, accents dropped, white space collapsed, trimmed.
pub fn fold(text: &str) -> String {
    fold_mapped(text).0
}

/// As [`fold`], with for every byte of the folded text the byte offset in `text` of the
/// character it came from, so a match in the folded text can be shown in the original.
pub fn fold_mapped(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len());
    // Starts as "after a space", so leading white space is dropped.
    let mut space = true;
    for (at, c) in text.char_indices() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
                map.push(at);
                space = true;
            }
            continue;
        }
        for lower in c.to_lowercase() {
            let before = out.len();
            match fold_char(lower) {
                Some(folded) => out.push_str(folded),
                None => out.push(lower),
            }
            map.extend(std::iter::repeat_n(at, out.len() - before));
            space &= out.len() == before;
        }
    }
    if out.ends_with(' ') {
        out.pop();
        map.pop();
    }
    (out, map)
}

/// One lower-case character without its accent: the Latin letters of the Dutch, German,
/// French, Scandinavian, Polish, Czech and Turkish names a portfolio holds. Combining marks
/// (from text written decomposed) are dropped. `None`: the character stays as it is.
fn fold_char(c: char) -> Option<&'static str> {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'þ' => "th",
        'ð' => "d",
        // Typographic quotes and dashes as people type them.
        '‘' | '’' | '`' | '´' => "'",
        '“' | '”' | '„' => "\"",
        '–' | '—' | '‐' | '‑' => "-",
        // Combining diacritical marks (é written as e + ◌́).
        '\u{0300}'..='\u{036f}' => "",
        _ => return None,
    };
    Some(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_fold_away() {
        assert_eq!(fold("Coördinatiepunt"), "coordinatiepunt");
        assert_eq!(fold("CAFÉ Crème"), "cafe creme");
        assert_eq!(fold("Naïef België"), "naief belgie");
        assert_eq!(fold("Ünïcum Çà Áñø"), "unicum ca ano");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("IJssel ĳs"), "ijssel ijs");
        assert_eq!(fold("Łódź"), "lodz");
    }

    #[test]
    fn decomposed_text_folds_like_composed_text() {
        assert_eq!(fold("Coo\u{0308}rdinatiepunt"), fold("Coördinatiepunt"));
        assert_eq!(fold("e\u{0301}e\u{0300}"), "ee");
    }

    #[test]
    fn white_space_collapses_and_is_trimmed() {
        assert_eq!(fold("  Wijk \t bij\n\nDuurstede  "), "wijk bij duurstede");
        assert_eq!(fold("\u{a0}GM0355\u{a0}"), "gm0355");
        assert_eq!(fold(""), "");
        assert_eq!(fold("   "), "");
    }

    #[test]
    fn other_characters_stay() {
        assert_eq!(fold("KPI’s 50% – α_β"), "kpi's 50% - α_β");
        assert_eq!(fold("Ω"), "ω");
    }

    #[test]
    fn the_map_points_at_the_original_characters() {
        let text = "  Zorg  Coördinatiepunt";
        let (folded, map) = fold_mapped(text);
        assert_eq!(folded, "zorg coordinatiepunt");
        assert_eq!(map.len(), folded.len());
        let at = folded.find("coord").expect("found");
        assert_eq!(&text[map[at]..], "Coördinatiepunt");
        // The "o" that was "ö" points at the "ö".
        assert_eq!(&text[map[at + 2]..map[at + 3]], "ö");
        let (folded, map) = fold_mapped("Straße X");
        assert_eq!(folded, "strasse x");
        assert_eq!(map[5], map[4], "both s of ß point at it");
    }
}
