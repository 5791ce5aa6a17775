//! The playlist TOML format: every key, its type and its meaning, in one place. The checker, the
//! JSON Schema and the README's reference all follow this file.

use std::path::Path;
use std::time::Duration;

use crate::calendar::When;
use crate::calendar::opening::Mode;
use crate::media::Fit;
use crate::spec::{Checker, Field, Fields, Item, TableSpec, TaggedSpec, Ty, Value, Variant};
use crate::theme::Theme;

use super::{
    Chime, DEFAULT_COVER_COUNT, DEFAULT_DURATION, DEFAULT_INTERVAL, Picture, Playlist, Slide,
    SlideContent, Transition,
};

const SECOND: u64 = 1000;

pub const SLIDE_KINDS: &[&str] = &[
    "image", "carousel", "covers", "qr", "text", "hours", "events",
];
const FITS: &[&str] = &["fill", "fit"];

const TEXT_LIST: Ty = Ty::List {
    item: &Ty::Text,
    min: 1,
    single: true,
};
const DATE_LIST: Ty = Ty::List {
    item: &Ty::Date,
    min: 1,
    single: true,
};
const IMAGE: Ty = Ty::Media { image: true };

/// `[when]`: a schedule, for a playlist or a single slide.
pub static WHEN: TableSpec = TableSpec {
    noun: "schedule",
    doc: "When it plays. Every condition given must hold; leave one out for no limit. Times are the screen's local time.",
    fields: &[
        Field {
            name: "days",
            ty: Ty::Days,
            required: false,
            doc: "Weekdays, like \"mon-fri\", \"sat, sun\" or \"mån-fre\".",
            example: "days = \"mon-fri\"",
        },
        Field {
            name: "hours",
            ty: Ty::Hours,
            required: false,
            doc: "Daily hours, like \"10:00-19:00\"; a window like \"20:00-02:00\" runs past midnight. Several: [\"10:00-12:00\", \"13:00-16:00\"].",
            example: "hours = \"10:00-19:00\"",
        },
        Field {
            name: "from",
            ty: Ty::Date,
            required: false,
            doc: "First day it plays (inclusive).",
            example: "from = 2026-12-01",
        },
        Field {
            name: "until",
            ty: Ty::Date,
            required: false,
            doc: "Last day it plays (inclusive).",
            example: "until = 2026-12-31",
        },
        Field {
            name: "dates",
            ty: DATE_LIST,
            required: false,
            doc: "Only on these dates.",
            example: "dates = [2026-12-24, 2026-12-31]",
        },
        Field {
            name: "except",
            ty: DATE_LIST,
            required: false,
            doc: "Never on these dates.",
            example: "except = [2026-12-25]",
        },
    ],
    validate: Some(validate_when),
};

fn validate_when(fields: &Fields, checker: &mut Checker) {
    if let (Some(from), Some(until)) = (fields.date("from"), fields.date("until"))
        && until < from
    {
        checker.error(
            fields.span_of("until").unwrap_or(fields.span.clone()),
            format!("the schedule ends ({until}) before it starts ({from})"),
            Some("\"until\" is the last day it plays: make it on or after \"from\"".into()),
        );
    }
    if let Some(days) = fields.days("days")
        && days.is_empty()
    {
        checker.error(
            fields.span_of("days").unwrap_or(fields.span.clone()),
            "no days given",
            None,
        );
    }
}

static PICTURE: TableSpec = TableSpec {
    noun: "picture",
    doc: "A picture in a carousel, with an optional caption.",
    fields: &[
        Field {
            name: "image",
            ty: IMAGE,
            required: true,
            doc: "The picture: a file relative to this playlist, or a web address.",
            example: "image = \"../assets/bilder/vinter.jpg\"",
        },
        Field {
            name: "caption",
            ty: Ty::Text,
            required: false,
            doc: "A line of text shown over the bottom of the picture.",
            example: "caption = \"Vinterläsning 2026\"",
        },
    ],
    validate: None,
};

const COMMON: &[Field] = &[
    Field {
        name: "kind",
        ty: Ty::Enum {
            noun: "slide kind",
            values: SLIDE_KINDS,
        },
        required: true,
        doc: "What the slide shows: image, carousel, covers, qr, text, hours or events.",
        example: "kind = \"image\"",
    },
    Field {
        name: "duration",
        ty: Ty::Duration {
            min_ms: SECOND,
            max_ms: 3600 * SECOND,
        },
        required: false,
        doc: "How long the slide shows, like \"8s\" or \"1m30s\". Defaults to the playlist's duration.",
        example: "duration = \"8s\"",
    },
    Field {
        name: "transition",
        ty: Ty::Enum {
            noun: "transition",
            values: Transition::NAMES,
        },
        required: false,
        doc: "How the slide comes on: cut, fade or slide. Defaults to the playlist's transition.",
        example: "transition = \"fade\"",
    },
    Field {
        name: "theme",
        ty: Ty::Enum {
            noun: "theme",
            values: Theme::NAMES,
        },
        required: false,
        doc: "Colours: dark, light, forest, winter, berry or sunny. Defaults to the playlist's theme.",
        example: "theme = \"winter\"",
    },
    Field {
        name: "chime",
        ty: Ty::Enum {
            noun: "chime",
            values: Chime::NAMES,
        },
        required: false,
        doc: "A sound when the slide comes on: ding or dingdong. Only screens with sound = true play it, at their volume and never in their quiet hours.",
        example: "chime = \"dingdong\"",
    },
    Field {
        name: "when",
        ty: Ty::Table(&WHEN),
        required: false,
        doc: "When this slide plays, within the playlist's own schedule.",
        example: "when = { days = \"sat, sun\" }",
    },
];

const CAPTION: Field = Field {
    name: "caption",
    ty: Ty::Text,
    required: false,
    doc: "A line of text over the bottom of the picture.",
    example: "caption = \"Vinterläsning 2026\"",
};
const FIT: Field = Field {
    name: "fit",
    ty: Ty::Enum {
        noun: "fit",
        values: FITS,
    },
    required: false,
    doc: "fill: cover the screen, cropping the edges (default); fit: show the whole picture.",
    example: "fit = \"fit\"",
};
const TITLE: Field = Field {
    name: "title",
    ty: Ty::Text,
    required: true,
    doc: "The headline.",
    example: "title = \"Fråga Bibliotek Värmland\"",
};
const OPTIONAL_TITLE: Field = Field {
    required: false,
    ..TITLE
};
const BODY: Field = Field {
    name: "text",
    ty: Ty::Text,
    required: false,
    doc: "Body text under the headline. Keep it short: people read it from across the room.",
    example: "text = \"Vi svarar inom ett dygn.\"",
};
const SIDE_IMAGE: Field = Field {
    name: "image",
    ty: IMAGE,
    required: false,
    doc: "A picture beside the text: a file relative to this playlist, or a web address.",
    example: "image = \"../assets/bilder/bibliotekarie.jpg\"",
};

/// `[[slide]]`: one slide, whose `kind` decides its other keys.
pub static SLIDE: TaggedSpec = TaggedSpec {
    noun: "slide",
    tag: "kind",
    doc: "One slide. Its kind decides which other keys it has.",
    common: COMMON,
    variants: &[
        Variant {
            name: "image",
            doc: "One picture, filling the screen, with an optional caption.",
            fields: &[
                Field {
                    name: "image",
                    ty: IMAGE,
                    required: true,
                    doc: "The picture: a file relative to this playlist, or a web address.",
                    example: "image = \"../assets/bilder/vinter.jpg\"",
                },
                CAPTION,
                FIT,
            ],
            validate: None,
        },
        Variant {
            name: "carousel",
            doc: "Several pictures that advance within the slide.",
            fields: &[
                Field {
                    name: "images",
                    ty: Ty::List {
                        item: &Ty::Either(&[IMAGE, Ty::Table(&PICTURE)]),
                        min: 1,
                        single: false,
                    },
                    required: true,
                    doc: "The pictures, in order: file names, or { image = \"...\", caption = \"...\" } tables.",
                    example: "images = [\"a.jpg\", { image = \"b.jpg\", caption = \"Nytt!\" }]",
                },
                OPTIONAL_TITLE,
                Field {
                    name: "interval",
                    ty: Ty::Duration {
                        min_ms: SECOND,
                        max_ms: 600 * SECOND,
                    },
                    required: false,
                    doc: "How long each picture shows (default 6s). The slide lasts one round unless it has a duration.",
                    example: "interval = \"5s\"",
                },
                FIT,
            ],
            validate: None,
        },
        Variant {
            name: "covers",
            doc: "New acquisitions: book covers with title and author, from a catalog feed or a list, and a QR code into the portal.",
            fields: &[
                Field {
                    name: "source",
                    ty: Ty::Media { image: false },
                    required: true,
                    doc: "Where the books come from: a catalog feed's web address (RSS, Atom, OPDS, MARCXML, Libris JSON) or a file, such as a list of ISBNs in TOML.",
                    example: "source = \"listor/nyforvarv.toml\"",
                },
                OPTIONAL_TITLE,
                Field {
                    name: "count",
                    ty: Ty::Integer { min: 1, max: 24 },
                    required: false,
                    doc: "How many books to show, newest first (default 8).",
                    example: "count = 8",
                },
                Field {
                    name: "qr",
                    ty: Ty::Url { qr: true },
                    required: false,
                    doc: "A web address shown as a QR code beside the covers, e.g. the portal's list of new books.",
                    example: "qr = \"https://bibliotekvarmland.se/nyheter\"",
                },
                Field {
                    name: "qr_text",
                    ty: Ty::Text,
                    required: false,
                    doc: "A line beside the QR code (default: \"Reservera i katalogen\").",
                    example: "qr_text = \"Reservera och hämta var du vill\"",
                },
                Field {
                    name: "only_with_covers",
                    ty: Ty::Bool,
                    required: false,
                    doc: "Leave out books that have no real cover picture (default false: they get a typographic cover).",
                    example: "only_with_covers = true",
                },
                Field {
                    name: "book_qr",
                    ty: Ty::Bool,
                    required: false,
                    doc: "A small QR code under each cover, to the book's record in the portal (default false). Books need a link: from the catalog settings or the book list.",
                    example: "book_qr = true",
                },
                Field {
                    name: "audience",
                    ty: Ty::Enum {
                        noun: "audience",
                        values: crate::catalog::shelf::Audience::NAMES,
                    },
                    required: false,
                    doc: "Only books for this audience: children, young-adults or adults (or barn, unga, vuxna), as the catalog records say. Books whose record says nothing are left out.",
                    example: "audience = \"barn\"",
                },
                Field {
                    name: "format",
                    ty: Ty::List {
                        item: &Ty::Enum {
                            noun: "format",
                            values: crate::catalog::shelf::Medium::NAMES,
                        },
                        min: 1,
                        single: true,
                    },
                    required: false,
                    doc: "Only these kinds: book, large-print, audiobook, ebook, film, music (large print counts as a book too).",
                    example: "format = [\"audiobook\"]",
                },
                Field {
                    name: "location",
                    ty: TEXT_LIST,
                    required: false,
                    doc: "Only books in one of these shelving locations or collections, as the catalog names them (case does not matter).",
                    example: "location = [\"Barn 6-9\", \"BARN\"]",
                },
                Field {
                    name: "added_within_days",
                    ty: Ty::Integer { min: 1, max: 3650 },
                    required: false,
                    doc: "Only books the library added in the last this many days, newest first. Books whose record has no date are left out.",
                    example: "added_within_days = 60",
                },
            ],
            validate: None,
        },
        Variant {
            name: "qr",
            doc: "A call to action with a large QR code.",
            fields: &[
                TITLE,
                Field {
                    name: "url",
                    ty: Ty::Url { qr: true },
                    required: true,
                    doc: "The web address in the QR code.",
                    example: "url = \"https://bibliotekvarmland.se/fraga-biblioteket\"",
                },
                BODY,
                SIDE_IMAGE,
            ],
            validate: None,
        },
        Variant {
            name: "text",
            doc: "A headline and body text, for notices.",
            fields: &[TITLE, BODY, SIDE_IMAGE],
            validate: None,
        },
        Variant {
            name: "hours",
            doc: "The opening hours of the screen's library, staffed and meröppet: today's, the rest of the week's, and days with other hours in the coming two weeks. Computed from the library's hours (the region's bibliotek/ files, or the screen's [opening]), so always right.",
            fields: &[Field {
                name: "title",
                ty: Ty::Text,
                required: false,
                doc: "The headline (default \"Öppettider\"); the library's name goes under it.",
                example: "title = \"Välkommen in\"",
            }],
            validate: None,
        },
        Variant {
            name: "events",
            doc: "What is on: the next events of a web calendar (iCalendar, .ics), with day, time, place, a short description and a QR code to each event's page. Recurring events, time zones and cancellations are handled; each screen shows the events for itself and the coming days.",
            fields: &[
                Field {
                    name: "source",
                    ty: Ty::Media { image: false },
                    required: true,
                    doc: "The calendar: the web address of an iCalendar (.ics) feed, such as the library web's event calendar, or a .ics file.",
                    example: "source = \"https://bibliotekvarmland.se/evenemang.ics\"",
                },
                Field {
                    name: "title",
                    ty: Ty::Text,
                    required: false,
                    doc: "The headline (default \"På gång\").",
                    example: "title = \"Det händer på biblioteket\"",
                },
                Field {
                    name: "count",
                    ty: Ty::Integer { min: 1, max: 12 },
                    required: false,
                    doc: "How many events to show at most, the soonest first (default 6); they take as many pages as they need.",
                    example: "count = 6",
                },
                Field {
                    name: "days",
                    ty: Ty::Integer {
                        min: 1,
                        max: crate::events::MAX_LOOK_AHEAD_DAYS as i64,
                    },
                    required: false,
                    doc: "How many days ahead to look, today included (default 14).",
                    example: "days = 14",
                },
                Field {
                    name: "for_screen",
                    ty: Ty::Bool,
                    required: false,
                    doc: "Only events whose place or categories name this screen: its library (the library's id or name, like \"Karlstad\" in \"Karlstads stadsbibliotek\") or one of its tags, like \"barn\" (default false: every event of the calendar).",
                    example: "for_screen = true",
                },
                Field {
                    name: "categories",
                    ty: TEXT_LIST,
                    required: false,
                    doc: "Only events with one of these categories (the calendar's CATEGORIES; case does not matter).",
                    example: "categories = [\"Barn\", \"Sagostund\"]",
                },
                Field {
                    name: "places",
                    ty: TEXT_LIST,
                    required: false,
                    doc: "Only events whose place (LOCATION) names one of these.",
                    example: "places = [\"Arvika\"]",
                },
                Field {
                    name: "qr",
                    ty: Ty::Url { qr: true },
                    required: false,
                    doc: "A web address shown as a QR code when there is no event to show, such as the full calendar.",
                    example: "qr = \"https://bibliotekvarmland.se/evenemang\"",
                },
            ],
            validate: None,
        },
    ],
};

/// Warns about text too long to read from a distance.
/// The whole playlist file.
pub static PLAYLIST: TableSpec = TableSpec {
    noun: "playlist",
    doc: "A vitrin playlist: what one or more library screens show, and when.",
    fields: &[
        Field {
            name: "name",
            ty: Ty::Text,
            required: false,
            doc: "The playlist's name, shown by `vitrin plan` and in logs. Defaults to the file name.",
            example: "name = \"Vinterläsning\"",
        },
        Field {
            name: "screens",
            ty: TEXT_LIST,
            required: false,
            doc: "Screen ids or tags that show this playlist. Leave out for every screen.",
            example: "screens = [\"karlstad\", \"barn\"]",
        },
        Field {
            name: "priority",
            ty: Ty::Integer {
                min: -100,
                max: 100,
            },
            required: false,
            doc: "When several playlists are active, only those with the highest priority play (default 0). A notice like \"closed for Christmas\" takes over with priority 10.",
            example: "priority = 10",
        },
        Field {
            name: "fallback",
            ty: Ty::Bool,
            required: false,
            doc: "Play only when no other playlist is active (default false).",
            example: "fallback = true",
        },
        Field {
            name: "modes",
            ty: Ty::List {
                item: &Ty::Enum {
                    noun: "mode",
                    values: Mode::NAMES,
                },
                min: 1,
                single: true,
            },
            required: false,
            doc: "Opening modes it plays in: staffed, self-service (meröppet). Default: both.",
            example: "modes = [\"self-service\"]",
        },
        Field {
            name: "duration",
            ty: Ty::Duration {
                min_ms: SECOND,
                max_ms: 3600 * SECOND,
            },
            required: false,
            doc: "How long each slide shows unless it says otherwise (default 10s).",
            example: "duration = \"10s\"",
        },
        Field {
            name: "transition",
            ty: Ty::Enum {
                noun: "transition",
                values: Transition::NAMES,
            },
            required: false,
            doc: "How slides come on unless they say otherwise: cut, fade (default) or slide.",
            example: "transition = \"fade\"",
        },
        Field {
            name: "theme",
            ty: Ty::Enum {
                noun: "theme",
                values: Theme::NAMES,
            },
            required: false,
            doc: "Colours for every slide: dark (default), light, forest, winter, berry or sunny.",
            example: "theme = \"winter\"",
        },
        Field {
            name: "when",
            ty: Ty::Table(&WHEN),
            required: false,
            doc: "When the playlist plays. Leave out to play always.",
            example: "[when]\ndays = \"mon-fri\"",
        },
        Field {
            name: "slide",
            ty: Ty::List {
                item: &Ty::Tagged(&SLIDE),
                min: 1,
                single: false,
            },
            required: true,
            doc: "The slides, in the order they play: one [[slide]] table each.",
            example: "[[slide]]\nkind = \"text\"\ntitle = \"Välkommen\"",
        },
    ],
    validate: None,
};

/// Builds a schedule from checked `[when]` fields.
pub fn build_when(f: &Fields) -> When {
    When {
        days: f.days("days"),
        hours: f.hours("hours").unwrap_or_default(),
        from: f.date("from"),
        until: f.date("until"),
        dates: f.dates("dates"),
        except: f.dates("except"),
    }
}

/// Builds the playlist from checked fields. Call it only for files without errors: missing keys
/// fall back to defaults.
pub fn build_playlist(f: &Fields, path: &Path) -> Playlist {
    let name = f.text("name").unwrap_or_else(|| {
        path.file_stem()
            .map_or_else(|| "playlist".into(), |s| s.to_string_lossy().into_owned())
    });
    let duration = f.duration("duration").unwrap_or(DEFAULT_DURATION);
    let transition = f
        .word("transition")
        .and_then(Transition::from_name)
        .unwrap_or_default();
    let theme = f
        .word("theme")
        .and_then(Theme::from_name)
        .unwrap_or_default();
    let modes = {
        let m: Vec<Mode> = f
            .list("modes")
            .iter()
            .filter_map(|i| match i.value {
                Value::Enum(w) => Mode::from_name(w),
                _ => None,
            })
            .collect();
        if m.is_empty() {
            vec![Mode::Staffed, Mode::SelfService]
        } else {
            m
        }
    };
    let slides = f
        .list("slide")
        .iter()
        .filter_map(|item| match &item.value {
            Value::Table(t) => build_slide(t, duration, transition, theme),
            _ => None,
        })
        .collect();
    Playlist {
        name,
        source: path.to_path_buf(),
        screens: f.texts("screens"),
        priority: f.int("priority").unwrap_or(0) as i32,
        fallback: f.bool("fallback").unwrap_or(false),
        modes,
        when: f.table("when").map(build_when),
        slides,
    }
}

/// Builds one slide from checked `[[slide]]` fields; what it leaves out, the playlist gives.
/// `None` for a slide whose kind or required keys are missing.
fn build_slide(
    f: &Fields,
    default_duration: Duration,
    default_transition: Transition,
    default_theme: Theme,
) -> Option<Slide> {
    let content = build_content(f)?;
    let duration = f
        .duration("duration")
        .unwrap_or_else(|| natural_duration(&content, default_duration));
    Some(Slide {
        content,
        duration,
        transition: f
            .word("transition")
            .and_then(Transition::from_name)
            .unwrap_or(default_transition),
        theme: f
            .word("theme")
            .and_then(Theme::from_name)
            .unwrap_or(default_theme),
        when: f.table("when").map(build_when),
        chime: f.word("chime").and_then(Chime::from_name),
    })
}

/// How long a slide without its own duration lasts: a carousel one round of its pictures, the
/// others the playlist's duration.
fn natural_duration(content: &SlideContent, default_duration: Duration) -> Duration {
    match content {
        SlideContent::Carousel {
            images, interval, ..
        } => *interval * images.len().max(1) as u32,
        _ => default_duration,
    }
}

/// What a slide shows, by its kind.
fn build_content(f: &Fields) -> Option<SlideContent> {
    match f.variant? {
        "image" => build_image(f),
        "carousel" => Some(build_carousel(f)),
        "covers" => build_covers(f),
        "qr" => build_qr(f),
        "text" => build_text(f),
        "hours" => Some(SlideContent::Hours {
            title: f.text("title"),
        }),
        "events" => build_events(f),
        _ => None,
    }
}

fn build_fit(f: &Fields) -> Fit {
    match f.word("fit") {
        Some("fit") => Fit::Fit,
        _ => Fit::Fill,
    }
}

fn build_image(f: &Fields) -> Option<SlideContent> {
    Some(SlideContent::Image {
        image: f.media("image")?,
        caption: f.text("caption"),
        fit: build_fit(f),
    })
}

fn build_carousel(f: &Fields) -> SlideContent {
    SlideContent::Carousel {
        title: f.text("title"),
        images: f.list("images").iter().filter_map(build_picture).collect(),
        interval: f.duration("interval").unwrap_or(DEFAULT_INTERVAL),
        fit: build_fit(f),
    }
}

/// One of a carousel's `images`: a picture alone, or a table with its caption.
fn build_picture(item: &Item) -> Option<Picture> {
    match &item.value {
        Value::Media(m) => Some(Picture {
            image: m.clone(),
            caption: None,
        }),
        Value::Table(t) => Some(Picture {
            image: t.media("image")?,
            caption: t.text("caption"),
        }),
        _ => None,
    }
}

fn build_covers(f: &Fields) -> Option<SlideContent> {
    Some(SlideContent::Covers {
        title: f.text("title"),
        source: f.media("source")?,
        count: f.int("count").map_or(DEFAULT_COVER_COUNT, |c| c as u32),
        qr: f.text("qr"),
        qr_text: f.text("qr_text"),
        only_with_covers: f.bool("only_with_covers").unwrap_or(false),
        book_qr: f.bool("book_qr").unwrap_or(false),
        shelf: build_shelf(f),
        items: Vec::new(),
    })
}

/// A covers slide's choice of books from checked fields.
fn build_shelf(f: &Fields) -> crate::catalog::shelf::ShelfFilter {
    use crate::catalog::shelf::{Audience, Medium, ShelfFilter};
    ShelfFilter {
        audience: f.word("audience").and_then(Audience::from_name),
        media: f
            .list("format")
            .iter()
            .filter_map(|i| match i.value {
                Value::Enum(w) => Medium::from_name(w),
                _ => None,
            })
            .collect(),
        locations: f.texts("location"),
        added_within_days: f.int("added_within_days").map(|d| d as u32),
    }
}

fn build_events(f: &Fields) -> Option<SlideContent> {
    let defaults = crate::events::EventFilter::default();
    Some(SlideContent::Events {
        title: f.text("title"),
        source: f.media("source")?,
        filter: crate::events::EventFilter {
            count: f.int("count").map_or(defaults.count, |c| c as u32),
            look_ahead_days: f.int("days").map_or(defaults.look_ahead_days, |d| d as u32),
            categories: f.texts("categories"),
            places: f.texts("places"),
            for_screen: f.bool("for_screen").unwrap_or(false),
        },
        qr: f.text("qr"),
        events: Vec::new(),
    })
}

fn build_qr(f: &Fields) -> Option<SlideContent> {
    Some(SlideContent::Qr {
        title: f.text("title")?,
        text: f.text("text"),
        url: f.text("url")?,
        image: f.media("image"),
    })
}

fn build_text(f: &Fields) -> Option<SlideContent> {
    Some(SlideContent::Text {
        title: f.text("title")?,
        text: f.text("text"),
        image: f.media("image"),
    })
}
