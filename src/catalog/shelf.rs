//! New titles for one shelf: what a catalog record says about who a book is for, what kind of
//! item it is, where it stands and when it came in ([`Shelving`]), and a covers slide's choice by
//! them ([`ShelfFilter`]): the children's corner shows children's books, the audiobook shelf
//! audiobooks, "new" means added in the last N days, newest first.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Who a book is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    Children,
    YoungAdults,
    Adults,
}

impl Audience {
    pub const NAMES: &'static [&'static str] = &[
        "children",
        "young-adults",
        "adults",
        "barn",
        "unga",
        "vuxna",
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Audience::Children => "children",
            Audience::YoungAdults => "young-adults",
            Audience::Adults => "adults",
        }
    }

    /// A name staff write (English or Swedish).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "children" | "barn" => Some(Audience::Children),
            "young-adults" | "unga" => Some(Audience::YoungAdults),
            "adults" | "vuxna" => Some(Audience::Adults),
            _ => None,
        }
    }

    /// The audience a catalog's word for it means ("Barn", "Juvenile", "Ungdom", "Young adult").
    pub fn from_words(text: &str) -> Option<Self> {
        let t = text.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        if has(&["young adult", "ungdom", "unga vuxna", "teen", "tonår"]) {
            Some(Audience::YoungAdults)
        } else if has(&[
            "barn",
            "children",
            "juvenile",
            "kids",
            "bilderbok",
            "picture book",
        ]) {
            Some(Audience::Children)
        } else if has(&["vuxen", "vuxna", "adult"]) {
            Some(Audience::Adults)
        } else {
            None
        }
    }

    /// MARC 21 008/22 (target audience): a–c and j children, d young adults, e and g adults.
    pub fn from_marc(code: char) -> Option<Self> {
        match code {
            'a' | 'b' | 'c' | 'j' => Some(Audience::Children),
            'd' => Some(Audience::YoungAdults),
            'e' | 'g' => Some(Audience::Adults),
            _ => None,
        }
    }
}

/// What kind of item a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Medium {
    Book,
    LargePrint,
    Audiobook,
    Ebook,
    Film,
    Music,
}

impl Medium {
    pub const NAMES: &'static [&'static str] =
        &["book", "large-print", "audiobook", "ebook", "film", "music"];

    pub const fn name(self) -> &'static str {
        match self {
            Medium::Book => "book",
            Medium::LargePrint => "large-print",
            Medium::Audiobook => "audiobook",
            Medium::Ebook => "ebook",
            Medium::Film => "film",
            Medium::Music => "music",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::NAMES.iter().position(|n| *n == name).map(|i| {
            [
                Medium::Book,
                Medium::LargePrint,
                Medium::Audiobook,
                Medium::Ebook,
                Medium::Film,
                Medium::Music,
            ][i]
        })
    }

    /// The kind a catalog's word for it means ("Ljudbok", "E-bok", "Storstil", "DVD").
    pub fn from_words(text: &str) -> Option<Self> {
        let t = text.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        if has(&["ljudbok", "talbok", "audiobook", "audio book", "spoken"]) {
            Some(Medium::Audiobook)
        } else if has(&["e-bok", "ebok", "e-book", "ebook", "electronic"]) {
            Some(Medium::Ebook)
        } else if has(&["storstil", "large print", "large type"]) {
            Some(Medium::LargePrint)
        } else if has(&["film", "dvd", "blu-ray", "video"]) {
            Some(Medium::Film)
        } else if has(&["musik", "music", "cd-skiva"]) {
            Some(Medium::Music)
        } else if has(&["bok", "book", "text"]) {
            Some(Medium::Book)
        } else {
            None
        }
    }
}

/// What a record says about where a book belongs; each part only when the catalog gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shelving {
    /// When the library added it (acquired, or the record was made).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Audience>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<Medium>,
    /// Shelving locations and collection codes ("BARN", "Barn 6–9", "STORSTIL").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<String>,
}

impl Shelving {
    pub fn is_empty(&self) -> bool {
        *self == Shelving::default()
    }

    /// Adds what `word` (a category, a type, a location) says: its audience and kind when it
    /// names one, and the word as a location.
    pub fn add_word(&mut self, word: &str) {
        let word = word.trim();
        if word.is_empty() || word.chars().count() > 80 || self.locations.len() >= 20 {
            return;
        }
        self.audience = self.audience.or_else(|| Audience::from_words(word));
        self.medium = self.medium.or_else(|| Medium::from_words(word));
        if !self.locations.iter().any(|l| l == word) {
            self.locations.push(word.to_string());
        }
    }
}

/// Which books of a source a covers slide shows; empty: all, in the source's order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShelfFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Audience>,
    /// Any of these kinds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<Medium>,
    /// Standing in any of these locations or collections (case does not matter).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<String>,
    /// Added in the last this many days; then newest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_within_days: Option<u32>,
}

impl ShelfFilter {
    pub fn is_empty(&self) -> bool {
        *self == ShelfFilter::default()
    }

    /// Whether a book with `shelving` belongs, on `today`. A book the catalog says nothing of is
    /// left out by a filter that asks about it: the children's corner shows only books known to
    /// be children's.
    pub fn matches(&self, shelving: &Shelving, today: NaiveDate) -> bool {
        let audience = self.audience.is_none_or(|a| shelving.audience == Some(a));
        let medium = self.media.is_empty()
            || shelving.medium.is_some_and(|m| self.media.contains(&m))
            // A large-print book is a book too.
            || (shelving.medium == Some(Medium::LargePrint) && self.media.contains(&Medium::Book));
        let location = self.locations.is_empty()
            || self.locations.iter().any(|want| {
                shelving
                    .locations
                    .iter()
                    .any(|l| l.to_lowercase() == want.to_lowercase())
            });
        let new = self.added_within_days.is_none_or(|days| {
            shelving
                .added
                .is_some_and(|added| added <= today && (today - added).num_days() < i64::from(days))
        });
        audience && medium && location && new
    }

    /// The books of `items` that belong, newest first when the filter is about age, in the
    /// source's order otherwise.
    pub fn choose<T>(
        &self,
        items: Vec<T>,
        shelving: impl Fn(&T) -> &Shelving,
        today: NaiveDate,
    ) -> Vec<T> {
        if self.is_empty() {
            return items;
        }
        let mut kept: Vec<T> = items
            .into_iter()
            .filter(|i| self.matches(shelving(i), today))
            .collect();
        if self.added_within_days.is_some() {
            // Stable: books added the same day keep the source's order.
            kept.sort_by_key(|b| std::cmp::Reverse(shelving(b).added));
        }
        kept
    }

    /// Tells filtered lists of one source apart, for keeping their last good books.
    pub fn key(&self) -> String {
        if self.is_empty() {
            String::new()
        } else {
            format!(
                " {}",
                serde_json::to_string(self).expect("filters serialize")
            )
        }
    }
}

/// A date a catalog writes: "2026-11-20", "20261120", "2026-11-20T10:00:00Z", RFC 822 as RSS has
/// it ("Fri, 20 Nov 2026 10:00:00 +0100").
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc2822(t) {
        return Some(d.date_naive());
    }
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(t) {
        return Some(d.date_naive());
    }
    let head: String = t.chars().take(10).collect();
    if let Ok(d) = NaiveDate::parse_from_str(&head, "%Y-%m-%d") {
        return Some(d);
    }
    t.get(..8)
        .and_then(|h| NaiveDate::parse_from_str(h, "%Y%m%d").ok())
}

/// MARC 21 008/00-05, the date the record was entered: "261120" is 20 November 2026.
pub fn marc_entered(field_008: &str) -> Option<NaiveDate> {
    let yymmdd = field_008.get(..6)?;
    let yy: i32 = yymmdd.get(..2)?.parse().ok()?;
    // Records entered before 1968 do not exist: 68–99 are the 1900s.
    let year = if yy >= 68 { 1900 + yy } else { 2000 + yy };
    NaiveDate::from_ymd_opt(
        year,
        yymmdd.get(2..4)?.parse().ok()?,
        yymmdd.get(4..6)?.parse().ok()?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn catalog_words_say_who_a_book_is_for_and_what_it_is() {
        assert_eq!(Audience::from_words("Barn 6-9"), Some(Audience::Children));
        assert_eq!(
            Audience::from_words("Juvenile fiction"),
            Some(Audience::Children)
        );
        assert_eq!(Audience::from_words("Ungdom"), Some(Audience::YoungAdults));
        assert_eq!(
            Audience::from_words("Young Adult Fiction"),
            Some(Audience::YoungAdults)
        );
        assert_eq!(
            Audience::from_words("Vuxen skönlitteratur"),
            Some(Audience::Adults)
        );
        assert_eq!(Audience::from_words("Deckare"), None);
        assert_eq!(Medium::from_words("Ljudbok (cd)"), Some(Medium::Audiobook));
        assert_eq!(Medium::from_words("E-bok"), Some(Medium::Ebook));
        assert_eq!(Medium::from_words("Storstil"), Some(Medium::LargePrint));
        assert_eq!(Medium::from_words("DVD"), Some(Medium::Film));
        assert_eq!(Medium::from_words("Bok"), Some(Medium::Book));
    }

    #[test]
    fn dates_as_catalogs_write_them() {
        assert_eq!(parse_date("2026-11-20"), Some(date("2026-11-20")));
        assert_eq!(parse_date("20261120"), Some(date("2026-11-20")));
        assert_eq!(
            parse_date("2026-11-20T23:30:00+01:00"),
            Some(date("2026-11-20"))
        );
        assert_eq!(
            parse_date("Fri, 20 Nov 2026 10:00:00 +0100"),
            Some(date("2026-11-20"))
        );
        assert_eq!(parse_date("snart"), None);
        assert_eq!(
            marc_entered("261120s2026    sw |||||j|||||000 1 swe d"),
            Some(date("2026-11-20"))
        );
        assert_eq!(marc_entered("991231"), Some(date("1999-12-31")));
        assert_eq!(marc_entered("26"), None);
    }

    #[test]
    fn a_filter_keeps_the_books_it_knows_belong_newest_first() {
        let book = |added: Option<&str>, audience, medium, location: &str| Shelving {
            added: added.map(date),
            audience,
            medium,
            locations: vec![location.into()],
        };
        let books = vec![
            (
                "a",
                book(
                    Some("2026-11-01"),
                    Some(Audience::Children),
                    Some(Medium::Book),
                    "BARN",
                ),
            ),
            (
                "b",
                book(
                    Some("2026-11-25"),
                    Some(Audience::Children),
                    Some(Medium::Audiobook),
                    "BARN",
                ),
            ),
            (
                "c",
                book(
                    Some("2026-11-20"),
                    Some(Audience::Adults),
                    Some(Medium::LargePrint),
                    "STOR",
                ),
            ),
            (
                "d",
                book(None, Some(Audience::Children), Some(Medium::Book), "barn"),
            ),
            (
                "e",
                book(
                    Some("2026-06-01"),
                    Some(Audience::Children),
                    Some(Medium::Book),
                    "BARN",
                ),
            ),
        ];
        let today = date("2026-12-02");
        let names = |f: ShelfFilter| -> Vec<&str> {
            f.choose(books.clone(), |b| &b.1, today)
                .into_iter()
                .map(|b| b.0)
                .collect()
        };
        let children = ShelfFilter {
            audience: Some(Audience::Children),
            ..ShelfFilter::default()
        };
        assert_eq!(names(children.clone()), ["a", "b", "d", "e"]);
        // New in the last 60 days, newest first; a book without a date is not known to be new.
        let new_children = ShelfFilter {
            added_within_days: Some(60),
            ..children.clone()
        };
        assert_eq!(names(new_children), ["b", "a"]);
        let audiobooks = ShelfFilter {
            media: vec![Medium::Audiobook],
            ..ShelfFilter::default()
        };
        assert_eq!(names(audiobooks), ["b"]);
        // Large print is a book too; a location matches whatever its case.
        let books_only = ShelfFilter {
            media: vec![Medium::Book],
            locations: vec!["Stor".into()],
            ..ShelfFilter::default()
        };
        assert_eq!(names(books_only), ["c"]);
        assert_eq!(names(ShelfFilter::default()), ["a", "b", "c", "d", "e"]);
    }
}

#[cfg(test)]
mod fixtures {
    use super::*;
    use crate::catalog::parse::parse;

    fn read(name: &str) -> Vec<crate::catalog::parse::RawItem> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/catalog")
            .join(name);
        parse(&std::fs::read(path).unwrap(), None).unwrap().1
    }

    fn shelving_of<'a>(items: &'a [crate::catalog::parse::RawItem], title: &str) -> &'a Shelving {
        &items
            .iter()
            .find(|i| i.title.starts_with(title))
            .unwrap_or_else(|| panic!("no {title}"))
            .shelving
    }

    #[test]
    fn marc_records_say_audience_kind_and_when_they_were_entered() {
        // Evergreen's test records: 008/22 "j" is a children's book; the record date is 008/00-05.
        let items = read("evergreen-badisbns.xml");
        let carol = shelving_of(&items, "A Christmas carol");
        assert_eq!(carol.audience, Some(Audience::Children));
        assert_eq!(carol.medium, Some(Medium::Book));
        assert_eq!(carol.added, NaiveDate::from_ymd_opt(1979, 11, 16));
        let shore = shelving_of(&items, "The farthest shore");
        assert_eq!(shore.audience, None);
        // A Libris record for a Swedish picture book.
        let items = read("librisxl_batchimport_integtest_batch1.xml");
        let police = shelving_of(&items, "Polisbilen");
        assert_eq!(police.audience, Some(Audience::Children));
        assert_eq!(police.added, NaiveDate::from_ymd_opt(2017, 3, 27));
    }

    #[test]
    fn koha_items_give_their_acquisition_date_and_shelving_location() {
        let marc = r#"<record xmlns="http://www.loc.gov/MARC21/slim">
  <leader>00000nim a2200000 a 4500</leader>
  <controlfield tag="008">260101s2025    sw ||||d|||||||||||| swe d</controlfield>
  <datafield tag="245" ind1="1" ind2="0"><subfield code="a">Ljudboken</subfield></datafield>
  <datafield tag="952" ind1=" " ind2=" "><subfield code="c">UNGA</subfield><subfield code="8">LJUD</subfield><subfield code="d">2026-11-20</subfield></datafield>
</record>"#;
        let (_, items) = parse(marc.as_bytes(), None).unwrap();
        let s = &items[0].shelving;
        assert_eq!(s.medium, Some(Medium::Audiobook));
        assert_eq!(s.audience, Some(Audience::YoungAdults));
        assert_eq!(s.added, NaiveDate::from_ymd_opt(2026, 11, 20));
        assert_eq!(s.locations, ["UNGA", "LJUD"]);
    }

    #[test]
    fn rss_and_atom_give_dates_and_categories() {
        let rss = r#"<rss version="2.0"><channel><title>Nytt</title>
<item><title>Mamma Mu</title><pubDate>Fri, 20 Nov 2026 10:00:00 +0100</pubDate>
<category>Barn 3-6</category><category>Bilderbok</category></item></channel></rss>"#;
        let (_, items) = parse(rss.as_bytes(), None).unwrap();
        let s = &items[0].shelving;
        assert_eq!(s.added, NaiveDate::from_ymd_opt(2026, 11, 20));
        assert_eq!(s.audience, Some(Audience::Children));
        assert_eq!(s.locations, ["Barn 3-6", "Bilderbok"]);
        // OPDS: categories and the entry's date.
        let items = read("nypl-opds-feed-parser_acquisition.xml");
        let pride = shelving_of(&items, "Pride and Prejudice");
        assert_eq!(pride.added, NaiveDate::from_ymd_opt(2006, 12, 28));
        assert!(pride.locations.iter().any(|l| l == "Romance"));
    }
}
