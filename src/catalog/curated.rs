//! Curated lists: books that staff pick by hand, in TOML, with optional overrides for title,
//! author, cover and link.
//!
//! ```toml
//! [[book]]
//! isbn = "978-91-0-019839-7"
//! title = "Sommarboken"        # optional: otherwise looked up by ISBN where possible
//! author = "Tove Jansson"
//! cover = "omslag/sommarboken.jpg"
//! ```

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::spec::{Checker, Field, Fields, TableSpec, Ty, Value};

use super::CoverItem;
use super::isbn::Isbn;
use super::shelf::{Audience, Medium, Shelving};

static BOOK: TableSpec = TableSpec {
    noun: "book",
    doc: "One book in a curated list. Give an ISBN, a title, or both.",
    fields: &[
        Field {
            name: "isbn",
            ty: Ty::Text,
            required: false,
            doc: "The book's ISBN-10 or ISBN-13, with or without hyphens.",
            example: "isbn = \"978-91-0-019839-7\"",
        },
        Field {
            name: "title",
            ty: Ty::Text,
            required: false,
            doc: "The title as it should show.",
            example: "title = \"Sommarboken\"",
        },
        Field {
            name: "author",
            ty: Ty::List {
                item: &Ty::Text,
                min: 1,
                single: true,
            },
            required: false,
            doc: "The author, or several: [\"A\", \"B\"].",
            example: "author = \"Tove Jansson\"",
        },
        Field {
            name: "cover",
            ty: Ty::Media { image: true },
            required: false,
            doc: "A cover picture: a file relative to this list, or a web address.",
            example: "cover = \"omslag/sommarboken.jpg\"",
        },
        Field {
            name: "link",
            ty: Ty::Url { qr: true },
            required: false,
            doc: "The book's page in the portal.",
            example: "link = \"https://bibliotekvarmland.se/...\"",
        },
        Field {
            name: "audience",
            ty: Ty::Enum {
                noun: "audience",
                values: Audience::NAMES,
            },
            required: false,
            doc: "Who the book is for: children, young-adults or adults (or barn, unga, vuxna), for covers slides that choose by audience.",
            example: "audience = \"barn\"",
        },
        Field {
            name: "format",
            ty: Ty::Enum {
                noun: "format",
                values: Medium::NAMES,
            },
            required: false,
            doc: "What it is: book, large-print, audiobook, ebook, film or music.",
            example: "format = \"audiobook\"",
        },
        Field {
            name: "location",
            ty: Ty::List {
                item: &Ty::Text,
                min: 1,
                single: true,
            },
            required: false,
            doc: "Where it stands: a shelving location or collection, as the catalog names it.",
            example: "location = \"Barn 6-9\"",
        },
        Field {
            name: "added",
            ty: Ty::Date,
            required: false,
            doc: "The day the library added it, for covers slides that show what is new.",
            example: "added = 2026-11-20",
        },
    ],
    validate: Some(validate_book),
};

fn validate_book(f: &Fields, checker: &mut Checker) {
    if let (Some(isbn), Some(span)) = (f.text("isbn"), f.span_of("isbn"))
        && let Err(e) = Isbn::parse(&isbn)
    {
        checker.error(
            span,
            e.to_string(),
            Some("copy the ISBN from the catalog record; the last digit is a check digit".into()),
        );
    }
    if f.text("isbn").is_none() && f.text("title").is_none() {
        checker.error(
            f.span.clone(),
            "book has neither \"isbn\" nor \"title\"",
            Some("add isbn = \"...\" or title = \"...\"".into()),
        );
    }
}

/// The list file.
pub static COVER_LIST: TableSpec = TableSpec {
    noun: "book list",
    doc: "A curated list of books for a covers slide.",
    fields: &[
        Field {
            name: "name",
            ty: Ty::Text,
            required: false,
            doc: "What the list is, for staff.",
            example: "name = \"Personalen tipsar\"",
        },
        Field {
            name: "book",
            ty: Ty::List {
                item: &Ty::Table(&BOOK),
                min: 1,
                single: false,
            },
            required: true,
            doc: "The books, in the order they show: one [[book]] table each.",
            example: "[[book]]\nisbn = \"978-91-0-019839-7\"",
        },
    ],
    validate: None,
};

/// Reads a curated list. Books with errors are left out; the diagnostics say why.
pub fn parse_list(path: &Path, source: &str) -> (Vec<CoverItem>, Vec<Diagnostic>) {
    let base = path.parent().unwrap_or(Path::new(""));
    let mut checker = Checker::new(path, base);
    let fields = checker.check_document(source, &COVER_LIST);
    let items = fields
        .list("book")
        .iter()
        .filter_map(|i| match &i.value {
            Value::Table(book) => Some(book),
            _ => None,
        })
        .filter_map(|book| {
            let isbn = book.text("isbn").and_then(|s| Isbn::parse(&s).ok());
            let title = book.text("title");
            if title.is_none() && isbn.is_none() {
                return None;
            }
            Some(CoverItem {
                title: title.unwrap_or_default(),
                authors: book.texts("author"),
                isbn13: isbn.map(|i| i.isbn13()),
                cover: book.media("cover"),
                cover_url: None,
                link: book.text("link"),
                source: path.display().to_string(),
                shelving: Shelving {
                    added: book.date("added"),
                    audience: book.word("audience").and_then(Audience::from_name),
                    medium: book.word("format").and_then(Medium::from_name),
                    locations: book.texts("location"),
                },
            })
        })
        .collect();
    (items, checker.diagnostics)
}
