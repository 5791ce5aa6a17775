//! Where a Swedish word may be broken with a hyphen: Knuth-Liang patterns for Swedish (the TeX
//! patterns, through the `hyphenation` crate), never closer than two letters to either end.

use std::sync::OnceLock;

use hyphenation::{Hyphenator, Language, Load, Standard};

/// Words shorter than this are never broken.
const MIN_WORD: usize = 6;

fn swedish() -> Option<&'static Standard> {
    static DICTIONARY: OnceLock<Option<Standard>> = OnceLock::new();
    DICTIONARY
        .get_or_init(|| Standard::from_embedded(Language::Swedish).ok())
        .as_ref()
}

/// The byte offsets inside `word` where it may be broken with a hyphen. Punctuation around the
/// word stays with it; a word that already has a hyphen or digits is left to its own hyphens.
pub fn points(word: &str) -> Vec<usize> {
    let start = word
        .char_indices()
        .find(|(_, c)| c.is_alphabetic())
        .map_or(word.len(), |(i, _)| i);
    let end = word
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_alphabetic())
        .map_or(start, |(i, c)| i + c.len_utf8());
    if end <= start {
        return Vec::new();
    }
    let core = &word[start..end];
    if core.chars().count() < MIN_WORD || !core.chars().all(char::is_alphabetic) {
        return Vec::new();
    }
    let Some(dictionary) = swedish() else {
        return Vec::new();
    };
    dictionary
        .hyphenate(core)
        .breaks
        .into_iter()
        .filter(|&b| core[..b].chars().count() >= 2 && core[b..].chars().count() >= 2)
        .map(|b| start + b)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(word: &str) -> Vec<&str> {
        let mut parts = Vec::new();
        let mut last = 0;
        for p in points(word) {
            parts.push(&word[last..p]);
            last = p;
        }
        parts.push(&word[last..]);
        parts
    }

    #[test]
    fn swedish_compounds_break_at_syllables() {
        let parts = split("Främlingsfientlighetens");
        assert!(parts.len() >= 4, "{parts:?}");
        assert_eq!(parts.concat(), "Främlingsfientlighetens");
        assert!(
            split("Svampguiden").len() >= 2,
            "{:?}",
            split("Svampguiden")
        );
    }

    #[test]
    fn short_words_names_with_hyphens_and_numbers_are_left_whole() {
        assert_eq!(split("bok"), ["bok"]);
        assert_eq!(split("Ann-Charlotte"), ["Ann-Charlotte"]);
        assert_eq!(split("2026"), ["2026"]);
    }

    #[test]
    fn punctuation_stays_with_the_word_and_no_piece_is_a_single_letter() {
        let parts = split("\"Vinterläsning\",");
        assert_eq!(parts.concat(), "\"Vinterläsning\",");
        assert!(parts.len() >= 2, "{parts:?}");
        for p in &parts {
            assert!(
                p.chars().filter(|c| c.is_alphabetic()).count() >= 2,
                "{parts:?}"
            );
        }
    }
}
