//! Playlists as staff write them: one TOML file per playlist, naming which screens show it, when,
//! and its slides. This module holds the model; `format` describes the TOML and builds the model
//! from checked fields ([`crate::check`] reads files and folders and reports every problem).

pub mod format;

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::calendar::When;
use crate::calendar::opening::Mode;
use crate::catalog::CoverItem;
use crate::events::{Event, EventFilter};
use crate::media::{Fit, Media};
use crate::theme::Theme;

/// Slides show this long unless the playlist or the slide says otherwise.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(10);
/// Pictures in a carousel advance this often unless the slide says otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(6);
/// A covers slide shows this many books unless it says otherwise.
pub const DEFAULT_COVER_COUNT: u32 = 8;

/// One playlist: what to show, where and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Playlist {
    pub name: String,
    /// Where it was read from, for messages (`playlists/jul.toml`).
    pub source: PathBuf,
    /// Screen ids or tags that show it; empty means every screen.
    pub screens: Vec<String>,
    /// Among active playlists, only those with the highest priority play.
    pub priority: i32,
    /// Plays only when nothing else is active.
    pub fallback: bool,
    /// The opening modes it plays in.
    pub modes: Vec<Mode>,
    pub when: Option<When>,
    pub slides: Vec<Slide>,
}

/// One slide of a playlist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slide {
    #[serde(flatten)]
    pub content: SlideContent,
    /// How long it shows. For a carousel: the whole slide, all its pictures.
    #[serde(with = "duration_ms")]
    pub duration: Duration,
    /// How it comes onto the screen.
    pub transition: Transition,
    pub theme: Theme,
    pub when: Option<When>,
    /// A sound when it comes on screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chime: Option<Chime>,
}

/// The headline of an hours slide that names none.
pub const HOURS_TITLE: &str = "Öppettider";

/// The headline of an events slide that names none.
pub const EVENTS_TITLE: &str = "På gång";

/// What a slide shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SlideContent {
    /// One picture, optionally with a caption.
    Image {
        image: Media,
        caption: Option<String>,
        fit: Fit,
    },
    /// Several pictures that advance within the slide.
    Carousel {
        title: Option<String>,
        images: Vec<Picture>,
        #[serde(with = "duration_ms")]
        interval: Duration,
        fit: Fit,
    },
    /// New acquisitions: book covers with title and author, and a QR code into the portal.
    Covers {
        title: Option<String>,
        /// The catalog source: an RSS/Atom/OPDS/MARCXML/JSON feed or a curated list.
        source: Media,
        count: u32,
        qr: Option<String>,
        qr_text: Option<String>,
        only_with_covers: bool,
        /// Each book shows a small QR code to its record in the portal.
        #[serde(default)]
        book_qr: bool,
        /// Which of the source's books: by audience, kind, location and age.
        #[serde(
            default,
            skip_serializing_if = "crate::catalog::shelf::ShelfFilter::is_empty"
        )]
        shelf: crate::catalog::shelf::ShelfFilter,
        /// Filled at ingest from `source`.
        #[serde(default)]
        items: Vec<CoverItem>,
    },
    /// A call to action with a large QR code.
    Qr {
        title: String,
        text: Option<String>,
        url: String,
        image: Option<Media>,
    },
    /// A headline and body text.
    Text {
        title: String,
        text: Option<String>,
        image: Option<Media>,
    },
    /// The opening hours of the screen's library: today's, the rest of the week's, and days with
    /// other hours coming up. Computed on the screen from its library's hours, never typed.
    Hours {
        /// The headline (default "Öppettider").
        title: Option<String>,
    },
    /// What is on: the next events from a web calendar (iCalendar), chosen for the screen when
    /// it shows them, each with a QR code to its page.
    Events {
        /// The headline (default "På gång").
        title: Option<String>,
        /// The calendar: an iCalendar (.ics) web address or file.
        source: Media,
        /// Which events, how many, how far ahead.
        filter: EventFilter,
        /// A web address shown as a QR code when there are no events to show (the calendar).
        qr: Option<String>,
        /// Filled at ingest from `source`: every occurrence in the coming months.
        #[serde(default)]
        events: Vec<Event>,
    },
}

/// A picture in a carousel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Picture {
    pub image: Media,
    pub caption: Option<String>,
}

/// A sound a slide may make when it comes on screen (on screens with `sound = true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Chime {
    /// One soft bell.
    Ding,
    /// Two notes, falling: the call of a notice.
    Dingdong,
}

impl Chime {
    pub const NAMES: &'static [&'static str] = &["ding", "dingdong"];

    pub const fn name(self) -> &'static str {
        match self {
            Chime::Ding => "ding",
            Chime::Dingdong => "dingdong",
        }
    }

    pub fn from_name(name: &str) -> Option<Chime> {
        match name {
            "ding" => Some(Chime::Ding),
            "dingdong" => Some(Chime::Dingdong),
            _ => None,
        }
    }
}

/// How a slide replaces the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transition {
    /// At once.
    Cut,
    /// A crossfade of both slides.
    #[default]
    Fade,
    /// The new slide pushes the old one off to the left.
    Slide,
}

impl Transition {
    pub const ALL: [Transition; 3] = [Transition::Cut, Transition::Fade, Transition::Slide];
    pub const NAMES: &'static [&'static str] = &[
        Transition::Cut.name(),
        Transition::Fade.name(),
        Transition::Slide.name(),
    ];

    /// The name staff write in playlists, and that plans and file names show.
    pub const fn name(self) -> &'static str {
        match self {
            Transition::Cut => "cut",
            Transition::Fade => "fade",
            Transition::Slide => "slide",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

impl std::fmt::Display for Transition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

impl SlideContent {
    pub fn kind(&self) -> &'static str {
        match self {
            SlideContent::Image { .. } => "image",
            SlideContent::Carousel { .. } => "carousel",
            SlideContent::Covers { .. } => "covers",
            SlideContent::Qr { .. } => "qr",
            SlideContent::Text { .. } => "text",
            SlideContent::Hours { .. } => "hours",
            SlideContent::Events { .. } => "events",
        }
    }

    /// A few words saying what the slide is, for `plan` and logs.
    pub fn summary(&self) -> String {
        match self {
            SlideContent::Image { image, caption, .. } => match caption {
                Some(c) => format!("\"{c}\""),
                None => file_name(image),
            },
            SlideContent::Carousel { title, images, .. } => {
                let n = images.len();
                match title {
                    Some(t) => format!("\"{t}\", {n} pictures"),
                    None => format!("{n} pictures"),
                }
            }
            SlideContent::Covers {
                title,
                count,
                shelf,
                ..
            } => {
                let mut s = match title {
                    Some(t) => format!("\"{t}\", up to {count} books"),
                    None => format!("up to {count} books"),
                };
                let mut chosen: Vec<String> = Vec::new();
                chosen.extend(shelf.audience.map(|a| a.name().to_string()));
                chosen.extend(shelf.media.iter().map(|m| m.name().to_string()));
                chosen.extend(shelf.locations.iter().map(|l| format!("in {l}")));
                chosen.extend(
                    shelf
                        .added_within_days
                        .map(|d| format!("added in the last {d} days")),
                );
                if !chosen.is_empty() {
                    s.push_str(&format!(" ({})", chosen.join(", ")));
                }
                s
            }
            SlideContent::Qr { title, .. } | SlideContent::Text { title, .. } => {
                format!("\"{title}\"")
            }
            SlideContent::Hours { title } => {
                format!("\"{}\"", title.as_deref().unwrap_or(HOURS_TITLE))
            }
            SlideContent::Events { title, filter, .. } => format!(
                "\"{}\", up to {} events in the coming {} days{}",
                title.as_deref().unwrap_or(EVENTS_TITLE),
                filter.count,
                filter.look_ahead_days,
                if filter.for_screen {
                    " at the screen's library"
                } else {
                    ""
                }
            ),
        }
    }

    /// Every piece of media the slide needs, for ingest and publishing.
    pub fn media(&self) -> Vec<&Media> {
        match self {
            SlideContent::Image { image, .. } => vec![image],
            SlideContent::Carousel { images, .. } => images.iter().map(|p| &p.image).collect(),
            SlideContent::Covers { items, .. } => {
                items.iter().filter_map(|i| i.cover.as_ref()).collect()
            }
            SlideContent::Qr { image, .. } | SlideContent::Text { image, .. } => {
                image.iter().collect()
            }
            SlideContent::Hours { .. } | SlideContent::Events { .. } => Vec::new(),
        }
    }

    /// Mutable access to every piece of media, for rewriting references at ingest.
    /// Every text the slide shows (titles, captions, links, the books' titles and authors).
    pub fn texts(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        match self {
            SlideContent::Image { caption, .. } => out.extend(caption.as_deref()),
            SlideContent::Carousel { title, images, .. } => {
                out.extend(title.as_deref());
                out.extend(images.iter().filter_map(|p| p.caption.as_deref()));
            }
            SlideContent::Covers {
                title,
                qr,
                qr_text,
                items,
                ..
            } => {
                out.extend(
                    [title, qr, qr_text]
                        .into_iter()
                        .flatten()
                        .map(String::as_str),
                );
                for item in items {
                    out.push(&item.title);
                    out.extend(item.authors.iter().map(String::as_str));
                    out.extend(item.link.as_deref());
                }
            }
            SlideContent::Qr {
                title, text, url, ..
            } => {
                out.extend([title.as_str(), url.as_str()]);
                out.extend(text.as_deref());
            }
            SlideContent::Text { title, text, .. } => {
                out.push(title);
                out.extend(text.as_deref());
            }
            SlideContent::Hours { title } => out.extend(title.as_deref()),
            SlideContent::Events {
                title, qr, events, ..
            } => {
                out.extend(title.as_deref());
                out.extend(qr.as_deref());
                for e in events {
                    out.push(&e.title);
                    out.extend(e.location.as_deref());
                    out.extend(e.description.as_deref());
                    out.extend(e.url.as_deref());
                }
            }
        }
        out
    }

    pub fn media_mut(&mut self) -> Vec<&mut Media> {
        match self {
            SlideContent::Image { image, .. } => vec![image],
            SlideContent::Carousel { images, .. } => {
                images.iter_mut().map(|p| &mut p.image).collect()
            }
            SlideContent::Covers { items, .. } => {
                items.iter_mut().filter_map(|i| i.cover.as_mut()).collect()
            }
            SlideContent::Qr { image, .. } | SlideContent::Text { image, .. } => {
                image.iter_mut().collect()
            }
            SlideContent::Hours { .. } | SlideContent::Events { .. } => Vec::new(),
        }
    }
}

fn file_name(m: &Media) -> String {
    match m {
        Media::File(p) => p
            .file_name()
            .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into()),
        other => other.label(),
    }
}

impl Playlist {
    /// Whether a screen with this id and these tags shows the playlist.
    pub fn targets(&self, screen_id: &str, tags: &[String]) -> bool {
        self.screens.is_empty()
            || self
                .screens
                .iter()
                .any(|s| s == screen_id || tags.iter().any(|t| t == s))
    }
}

/// Durations in manifests are whole milliseconds.
pub(crate) mod duration_ms {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}
