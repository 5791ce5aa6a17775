//! A declarative description of the TOML files people write (playlists, screen configs). One
//! description drives three things that must never disagree: the checker behind `vitrin check`
//! (every problem at once, with line, column and a hint, in `check.rs`), the JSON Schema behind
//! `vitrin schema` (`schema.rs`), and the typed values the rest of vitrin builds its model from
//! (the [`Fields`] a check gives back).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;

use crate::calendar::clock::{DaySet, TimeWindow};
use crate::calendar::opening::OpeningLine;
use crate::media::Media;

mod check;
mod parse;
mod schema;

pub use check::Checker;
pub use parse::tidy_path;
pub use schema::document_schema;

/// The largest TOML file people write that vitrin reads (a playlist, screen config, book list or
/// region file): a playlist of 500 long slides or a book list of 15 000 books fits.
pub const MAX_SOURCE_BYTES: u64 = 4 * 1024 * 1024;

/// The text of a TOML file people write: a plain file of at most [`MAX_SOURCE_BYTES`], in UTF-8
/// (an error of kind `InvalidData` says where it is not).
pub fn read_source(path: &Path) -> std::io::Result<String> {
    let bytes = crate::fsutil::read_bounded(path, MAX_SOURCE_BYTES)?;
    String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "the file is not UTF-8 text (bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// What a value must be.
#[derive(Debug)]
pub enum Ty {
    /// A non-empty string.
    Text,
    Integer {
        min: i64,
        max: i64,
    },
    Bool,
    /// A human duration (`"8s"`) between two bounds in milliseconds.
    Duration {
        min_ms: u64,
        max_ms: u64,
    },
    /// A file relative to the TOML file, or an http(s) URL. `image` files must decode as images.
    Media {
        image: bool,
    },
    /// An http(s) URL; `qr` ones are shown as QR codes and warn when too dense to scan.
    Url {
        qr: bool,
    },
    /// One of a fixed set of words.
    Enum {
        noun: &'static str,
        values: &'static [&'static str],
    },
    /// A TOML date (`2026-12-24`) or the same as a string.
    Date,
    /// Weekdays: `"mon-fri"`, `"sat, sun"` or a list of them.
    Days,
    /// Daily windows: `"10:00-19:00"` or a list of them.
    Hours,
    /// Opening lines: `"mon-fri 10:00-19:00"` or a list of them.
    Opening,
    /// An IANA time zone name.
    Timezone,
    /// A size in bytes written as `"2 GB"`.
    Size,
    /// A length written as `"3m"` or `"55in"`, between two bounds in millimetres.
    Length {
        min_mm: u64,
        max_mm: u64,
    },
    /// A file or folder path relative to the TOML file; need not exist.
    Path,
    /// An ed25519 public key in hex.
    PublicKey,
    /// A list; when `single` a lone value stands for a list of one.
    List {
        item: &'static Ty,
        min: usize,
        single: bool,
    },
    Table(&'static TableSpec),
    /// A table whose `tag` key picks which fields it may have.
    Tagged(&'static TaggedSpec),
    /// A value of one of several types, told apart by TOML type (a string or a table).
    Either(&'static [Ty]),
}

impl Ty {
    /// What a value of this type is, for "should be …" messages.
    pub fn describe(&self) -> String {
        match self {
            Ty::Text => "text in quotes".into(),
            Ty::Integer { .. } => "a whole number".into(),
            Ty::Bool => "true or false".into(),
            Ty::Duration { .. } => "a duration in quotes, like \"8s\"".into(),
            Ty::Media { .. } => "a file name or web address in quotes".into(),
            Ty::Url { .. } => "a web address in quotes".into(),
            Ty::Enum { values, .. } => format!("one of {}", values.join(", ")),
            Ty::Date => "a date like 2026-12-24".into(),
            Ty::Days => "days like \"mon-fri\"".into(),
            Ty::Hours => "hours like \"10:00-19:00\"".into(),
            Ty::Opening => "opening hours like \"mon-fri 10:00-19:00\"".into(),
            Ty::Timezone => "a time zone name like \"Europe/Stockholm\"".into(),
            Ty::Size => "a size like \"2 GB\"".into(),
            Ty::Length { .. } => "a length like \"3m\" or \"55in\"".into(),
            Ty::Path => "a path in quotes".into(),
            Ty::PublicKey => "a public key in hex".into(),
            Ty::List { item, .. } => format!("a list of {}", item.describe_plural()),
            Ty::Table(spec) => format!("a {} table", spec.noun),
            Ty::Tagged(spec) => format!("a {} table", spec.noun),
            Ty::Either(options) => options
                .iter()
                .map(Ty::describe)
                .collect::<Vec<_>>()
                .join(" or "),
        }
    }

    fn describe_plural(&self) -> String {
        match self {
            Ty::Text => "texts".into(),
            Ty::Date => "dates".into(),
            Ty::Media { .. } => "file names or web addresses".into(),
            Ty::Tagged(spec) => format!("{}s", spec.noun),
            Ty::Table(spec) => format!("{} tables", spec.noun),
            other => other.describe(),
        }
    }
}

/// A key of a table.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
    pub doc: &'static str,
    /// How to write it, shown in hints: `duration = "8s"`.
    pub example: &'static str,
}

/// The keys a table may have.
#[derive(Debug)]
pub struct TableSpec {
    /// What the table is called in messages: "playlist", "slide", "schedule".
    pub noun: &'static str,
    pub doc: &'static str,
    pub fields: &'static [Field],
    /// Checks across fields, run when the table's own fields are checked.
    pub validate: Option<fn(&Fields, &mut Checker)>,
}

/// A table whose kind is named by one key, like `kind = "qr"` in a slide.
#[derive(Debug)]
pub struct TaggedSpec {
    pub noun: &'static str,
    pub tag: &'static str,
    pub doc: &'static str,
    pub common: &'static [Field],
    pub variants: &'static [Variant],
}

/// One kind of a tagged table: the tag's value and the fields that kind adds.
#[derive(Debug)]
pub struct Variant {
    pub name: &'static str,
    pub doc: &'static str,
    pub fields: &'static [Field],
    pub validate: Option<fn(&Fields, &mut Checker)>,
}

impl TaggedSpec {
    pub fn variant(&self, name: &str) -> Option<&'static Variant> {
        self.variants.iter().find(|v| v.name == name)
    }
}

/// A checked value and where it was written.
#[derive(Debug, Clone)]
pub struct Item {
    pub span: Range<usize>,
    pub value: Value,
}

/// A value that passed its check, already in the type the model wants.
#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    Integer(i64),
    Bool(bool),
    Duration(Duration),
    Media(Media),
    Url(String),
    Enum(&'static str),
    Date(NaiveDate),
    Days(DaySet),
    Hours(Vec<TimeWindow>),
    Opening(Vec<OpeningLine>),
    Timezone(chrono_tz::Tz),
    Size(u64),
    /// Millimetres.
    Length(u64),
    Path(PathBuf),
    PublicKey([u8; 32]),
    List(Vec<Item>),
    Table(Fields),
}

/// The checked keys of one table. Keys that failed their check are absent.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    pub span: Range<usize>,
    /// For tagged tables, the variant that was chosen.
    pub variant: Option<&'static str>,
    map: BTreeMap<&'static str, Item>,
}

impl Fields {
    pub fn get(&self, key: &str) -> Option<&Item> {
        self.map.get(key)
    }

    /// The keys that were written and passed their check.
    pub fn keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.map.keys().copied()
    }

    pub fn span_of(&self, key: &str) -> Option<Range<usize>> {
        self.get(key).map(|i| i.span.clone())
    }

    pub fn text(&self, key: &str) -> Option<String> {
        match &self.get(key)?.value {
            Value::Text(s) | Value::Url(s) => Some(s.clone()),
            _ => None,
        }
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        match self.get(key)?.value {
            Value::Integer(i) => Some(i),
            _ => None,
        }
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.get(key)?.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn duration(&self, key: &str) -> Option<Duration> {
        match self.get(key)?.value {
            Value::Duration(d) => Some(d),
            _ => None,
        }
    }

    pub fn media(&self, key: &str) -> Option<Media> {
        match &self.get(key)?.value {
            Value::Media(m) => Some(m.clone()),
            _ => None,
        }
    }

    pub fn word(&self, key: &str) -> Option<&'static str> {
        match self.get(key)?.value {
            Value::Enum(w) => Some(w),
            _ => None,
        }
    }

    pub fn date(&self, key: &str) -> Option<NaiveDate> {
        match self.get(key)?.value {
            Value::Date(d) => Some(d),
            _ => None,
        }
    }

    pub fn days(&self, key: &str) -> Option<DaySet> {
        match self.get(key)?.value {
            Value::Days(d) => Some(d),
            _ => None,
        }
    }

    pub fn hours(&self, key: &str) -> Option<Vec<TimeWindow>> {
        match &self.get(key)?.value {
            Value::Hours(h) => Some(h.clone()),
            _ => None,
        }
    }

    pub fn opening(&self, key: &str) -> Option<Vec<OpeningLine>> {
        match &self.get(key)?.value {
            Value::Opening(o) => Some(o.clone()),
            _ => None,
        }
    }

    pub fn timezone(&self, key: &str) -> Option<chrono_tz::Tz> {
        match self.get(key)?.value {
            Value::Timezone(tz) => Some(tz),
            _ => None,
        }
    }

    pub fn size(&self, key: &str) -> Option<u64> {
        match self.get(key)?.value {
            Value::Size(s) => Some(s),
            _ => None,
        }
    }

    /// A length in millimetres.
    pub fn length_mm(&self, key: &str) -> Option<u64> {
        match self.get(key)?.value {
            Value::Length(mm) => Some(mm),
            _ => None,
        }
    }

    pub fn path(&self, key: &str) -> Option<PathBuf> {
        match &self.get(key)?.value {
            Value::Path(p) => Some(p.clone()),
            _ => None,
        }
    }

    pub fn public_key(&self, key: &str) -> Option<[u8; 32]> {
        match self.get(key)?.value {
            Value::PublicKey(k) => Some(k),
            _ => None,
        }
    }

    pub fn list(&self, key: &str) -> &[Item] {
        match self.get(key).map(|i| &i.value) {
            Some(Value::List(items)) => items,
            _ => &[],
        }
    }

    pub fn table(&self, key: &str) -> Option<&Fields> {
        match &self.get(key)?.value {
            Value::Table(t) => Some(t),
            _ => None,
        }
    }

    pub fn texts(&self, key: &str) -> Vec<String> {
        self.list(key)
            .iter()
            .filter_map(|i| match &i.value {
                Value::Text(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn dates(&self, key: &str) -> Vec<NaiveDate> {
        self.list(key)
            .iter()
            .filter_map(|i| match i.value {
                Value::Date(d) => Some(d),
                _ => None,
            })
            .collect()
    }
}
