//! What the screen shows, page by page. A page is one still screen: an image slide is one page, a
//! carousel one page per picture, a covers slide one page per four books. [`RunningOrder`] keeps
//! the pages in order and decides which comes next and when; it takes the time as an argument, so
//! plain tests drive it without bevy or waiting.

mod live;
mod order;

pub use live::{EventLine, fill_live_for, next_midnight, no_events_note};
pub use order::{Change, Choice, Direction, Place, RunningOrder};

use std::time::Duration;

use crate::catalog::CoverItem;
use crate::media::{Fit, Media};
use crate::playlist::{Chime, Picture, Playlist, Slide, SlideContent, Transition};
use chrono::NaiveDate;

use crate::calendar::hours::HoursBoard;
use crate::calendar::opening::OpeningHours;
use crate::playlist::{EVENTS_TITLE, HOURS_TITLE};
use crate::schedule::Program;
use crate::theme::Theme;

/// What one page shows.
#[derive(Debug, Clone, PartialEq)]
pub enum PageContent {
    /// A picture filling the screen: an image slide, or one picture of a carousel.
    Picture {
        image: Media,
        fit: Fit,
        caption: Option<String>,
        /// A carousel's title.
        title: Option<String>,
        /// A carousel's position: (picture, of how many).
        position: Option<(usize, usize)>,
    },
    /// Up to four books.
    Covers {
        title: Option<String>,
        books: Vec<CoverItem>,
        qr: Option<String>,
        qr_text: String,
        /// Each book shows its own small QR code (to its `link`).
        book_qr: bool,
        /// (page, of how many), when the books need several pages.
        position: Option<(usize, usize)>,
    },
    Qr {
        title: String,
        text: Option<String>,
        url: String,
        image: Option<Media>,
    },
    Text {
        title: String,
        text: Option<String>,
        image: Option<Media>,
    },
    /// vitrin's own welcome slide, when nothing else is active or can be shown.
    Welcome,
    /// One book opened from a covers page on a touch screen: its cover large, its title and
    /// authors, and a large code to its record in the portal ([`book_detail`]).
    Book {
        book: Box<CoverItem>,
        /// The line by the code.
        call: String,
    },
    /// A qr slide's code as large as the screen allows, with its title ([`code_detail`]).
    Code { title: String, url: String },
    /// The library's opening hours, filled in for the screen and the day by [`fill_hours`].
    Hours { title: String, board: HoursBoard },
    /// An events slide before [`fill_live_for`] chooses its events for a screen and a moment:
    /// the whole calendar. Shown as it is, it says there is nothing on.
    Calendar {
        title: String,
        qr: Option<String>,
        filter: crate::events::EventFilter,
        events: std::sync::Arc<[crate::events::Event]>,
    },
    /// Events as a screen shows them at a moment, each with a QR code to its page.
    Events {
        title: String,
        items: Vec<EventLine>,
        /// Instead of events, when there are none.
        note: Option<String>,
        /// A code to the whole calendar, shown when there are no events.
        qr: Option<String>,
        /// (page, of how many), when the events need several pages.
        position: Option<(usize, usize)>,
    },
}

/// One still screen and how long it stays.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Which playlist and slide it comes from, and which part of the slide; for logs and for
    /// remembering pages that failed.
    pub key: PageKey,
    pub content: PageContent,
    pub duration: Duration,
    pub transition: Transition,
    pub theme: Theme,
    /// The slide's chime, on its first page only.
    pub chime: Option<Chime>,
}

/// Names a page: playlist, slide (from 1) and part (from 1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub playlist: String,
    pub slide: usize,
    pub part: usize,
}

impl std::fmt::Display for PageKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\"{}\" slide {}", self.playlist, self.slide)?;
        if self.part > 1 {
            write!(f, " part {}", self.part)?;
        }
        Ok(())
    }
}

/// The default line beside a covers slide's QR code.
pub const DEFAULT_QR_TEXT: &str = "Reservera i katalogen";

/// The line by a book's code on its detail page: what the code leads to.
pub const RESERVE_TEXT: &str = "Reservera – hämta på valfritt bibliotek";

/// The detail page of book `index` (from 0) of a covers page; `None` for other pages.
pub fn book_detail(page: &Page, index: usize) -> Option<Page> {
    let PageContent::Covers { books, .. } = &page.content else {
        return None;
    };
    let book = Box::new(books.get(index)?.clone());
    Some(Page {
        content: PageContent::Book {
            book,
            call: RESERVE_TEXT.to_owned(),
        },
        transition: Transition::Fade,
        chime: None,
        ..page.clone()
    })
}

/// The code of a qr page, or of a covers page, shown larger; `None` for pages without one.
pub fn code_detail(page: &Page) -> Option<Page> {
    let (title, url) = match &page.content {
        PageContent::Qr { title, url, .. } => (title, url),
        PageContent::Covers {
            qr: Some(url),
            qr_text,
            ..
        } => (qr_text, url),
        _ => return None,
    };
    Some(Page {
        content: PageContent::Code {
            title: title.clone(),
            url: url.clone(),
        },
        transition: Transition::Fade,
        chime: None,
        ..page.clone()
    })
}

/// No page shows for less: the screen never changes more than once a second, so nothing on it
/// flashes (WCAG 2.3.1 allows three flashes a second).
pub const MIN_PAGE_TIME: Duration = Duration::from_secs(1);

/// The welcome page the player shows when nothing else can be shown.
pub fn welcome_page() -> Page {
    Page {
        key: PageKey {
            playlist: "vitrin".into(),
            slide: 1,
            part: 1,
        },
        content: PageContent::Welcome,
        duration: Duration::from_secs(30),
        transition: Transition::Fade,
        theme: Theme::Dark,
        chime: None,
    }
}

/// The pages of a program, in order, for a screen whose covers pages hold `covers_per_page` books
/// ([`crate::layout::Scale::covers_per_page`]). A program with nothing in it gives the welcome
/// page; a closed one gives no pages (the screen is blank).
pub fn pages_for(program: &Program, playlists: &[Playlist], covers_per_page: usize) -> Vec<Page> {
    use crate::schedule::Reason;
    match program.reason {
        Reason::Closed => return Vec::new(),
        Reason::Nothing => return vec![welcome_page()],
        Reason::Scheduled | Reason::Fallback => {}
    }
    let mut pages = Vec::new();
    for active in &program.playlists {
        let playlist = &playlists[active.playlist];
        for &i in &active.slides {
            pages.extend(slide_pages(playlist, i, covers_per_page));
        }
    }
    if pages.is_empty() {
        pages.push(welcome_page());
    }
    pages
}

/// The pages of one slide.
pub fn slide_pages(playlist: &Playlist, index: usize, covers_per_page: usize) -> Vec<Page> {
    let slide = &playlist.slides[index];
    let parts = SlideParts {
        playlist: &playlist.name,
        number: index + 1,
        slide,
    };
    match &slide.content {
        SlideContent::Image {
            image,
            caption,
            fit,
        } => vec![parts.page(
            1,
            PageContent::Picture {
                image: image.clone(),
                fit: *fit,
                caption: caption.clone(),
                title: None,
                position: None,
            },
            slide.duration,
        )],
        SlideContent::Carousel {
            title, images, fit, ..
        } => carousel_pages(&parts, title, images, *fit),
        SlideContent::Covers {
            title,
            items,
            count,
            qr,
            qr_text,
            only_with_covers,
            book_qr,
            ..
        } => {
            let books = items
                .iter()
                .filter(|b| !only_with_covers || b.cover.is_some())
                .take(*count as usize);
            let qr_text = qr_text.as_deref().unwrap_or(DEFAULT_QR_TEXT);
            let shelf = Shelf {
                title,
                qr,
                qr_text,
                book_qr: *book_qr,
            };
            covers_pages(&parts, &shelf, books, covers_per_page)
        }
        SlideContent::Qr {
            title,
            text,
            url,
            image,
        } => vec![parts.page(
            1,
            PageContent::Qr {
                title: title.clone(),
                text: text.clone(),
                url: url.clone(),
                image: image.clone(),
            },
            slide.duration,
        )],
        SlideContent::Text { title, text, image } => vec![parts.page(
            1,
            PageContent::Text {
                title: title.clone(),
                text: text.clone(),
                image: image.clone(),
            },
            slide.duration,
        )],
        SlideContent::Hours { title } => vec![parts.page(
            1,
            PageContent::Hours {
                title: title.as_deref().unwrap_or(HOURS_TITLE).to_string(),
                board: HoursBoard::default(),
            },
            slide.duration,
        )],
        SlideContent::Events {
            title,
            qr,
            filter,
            events,
            ..
        } => vec![parts.page(
            1,
            PageContent::Calendar {
                title: title.as_deref().unwrap_or(EVENTS_TITLE).to_string(),
                qr: qr.clone(),
                filter: filter.clone(),
                events: events.as_slice().into(),
            },
            slide.duration,
        )],
    }
}

/// Fills the hours pages among `pages` for `screen` at `at` (its library's name and hours, its
/// local date). Returns whether there were any.
pub fn fill_hours_for(
    pages: &mut [Page],
    screen: &crate::screen::ScreenConfig,
    at: chrono::DateTime<chrono::Utc>,
) -> bool {
    let today = crate::schedule::local_time(screen.timezone, at).date();
    fill_hours(
        pages,
        &screen.opening,
        screen.library_name.as_deref(),
        today,
    )
}

/// Fills the hours pages among `pages` with the screen's hours for its local date `today`.
/// Returns whether there were any (they change at midnight).
pub fn fill_hours(
    pages: &mut [Page],
    opening: &OpeningHours,
    library: Option<&str>,
    today: NaiveDate,
) -> bool {
    let mut any = false;
    for page in pages {
        if let PageContent::Hours { board, .. } = &mut page.content {
            *board = crate::calendar::hours::board(opening, library, today);
            any = true;
        }
    }
    any
}

/// Makes the pages of one slide: each names the slide and takes its transition and theme.
struct SlideParts<'a> {
    playlist: &'a str,
    /// The slide's number in its playlist, from 1.
    number: usize,
    slide: &'a Slide,
}

impl SlideParts<'_> {
    fn page(&self, part: usize, content: PageContent, duration: Duration) -> Page {
        Page {
            key: PageKey {
                playlist: self.playlist.to_owned(),
                slide: self.number,
                part,
            },
            content,
            duration,
            transition: self.slide.transition,
            theme: self.slide.theme,
            chime: self.slide.chime.filter(|_| part == 1),
        }
    }
}

/// A page per picture, sharing the slide's time.
fn carousel_pages(
    parts: &SlideParts,
    title: &Option<String>,
    images: &[Picture],
    fit: Fit,
) -> Vec<Page> {
    let n = images.len().max(1);
    let each = (parts.slide.duration / n as u32).max(MIN_PAGE_TIME);
    images
        .iter()
        .enumerate()
        .map(|(i, picture)| {
            let content = PageContent::Picture {
                image: picture.image.clone(),
                fit,
                caption: picture.caption.clone(),
                title: title.clone(),
                position: Some((i + 1, n)),
            };
            parts.page(i + 1, content, each)
        })
        .collect()
}

/// What every page of a covers slide shows besides its books.
struct Shelf<'a> {
    title: &'a Option<String>,
    qr: &'a Option<String>,
    qr_text: &'a str,
    book_qr: bool,
}

/// A page per `covers_per_page` books, each for the slide's whole time; none without books.
fn covers_pages<'b>(
    parts: &SlideParts,
    shelf: &Shelf,
    books: impl Iterator<Item = &'b CoverItem>,
    covers_per_page: usize,
) -> Vec<Page> {
    let books: Vec<CoverItem> = books.cloned().collect();
    let chunks: Vec<&[CoverItem]> = books.chunks(covers_per_page.max(1)).collect();
    let n = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let content = PageContent::Covers {
                title: shelf.title.clone(),
                books: chunk.to_vec(),
                qr: shelf.qr.clone(),
                qr_text: shelf.qr_text.to_owned(),
                book_qr: shelf.book_qr,
                position: (n > 1).then_some((i + 1, n)),
            };
            parts.page(i + 1, content, parts.slide.duration)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::load_playlist_str;
    use std::path::Path;

    fn playlist(toml: &str) -> Playlist {
        let (p, d) = load_playlist_str(Path::new("p.toml"), toml);
        p.unwrap_or_else(|| panic!("{d:?}"))
    }

    #[test]
    fn carousels_give_a_page_per_picture_sharing_the_slide_time() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.png", "b.png", "c.png"] {
            image::RgbaImage::new(4, 4)
                .save(dir.path().join(name))
                .unwrap();
        }
        let file = dir.path().join("p.toml");
        let toml = "[[slide]]\nkind = \"carousel\"\ntitle = \"T\"\ninterval = \"5s\"\nimages = [\"a.png\", { image = \"b.png\", caption = \"B\" }, \"c.png\"]\n";
        let (p, d) = load_playlist_str(&file, toml);
        let p = p.unwrap_or_else(|| panic!("{d:?}"));
        let pages = slide_pages(&p, 0, 4);
        assert_eq!(pages.len(), 3);
        assert!(pages.iter().all(|pg| pg.duration == Duration::from_secs(5)));
        match &pages[1].content {
            PageContent::Picture {
                caption, position, ..
            } => {
                assert_eq!(caption.as_deref(), Some("B"));
                assert_eq!(*position, Some((2, 3)));
            }
            other => panic!("{other:?}"),
        }
        // However short the slide, no picture shows for less than a second: nothing flashes.
        let toml = toml.replace("interval = \"5s\"", "duration = \"1s\"");
        let (p, d) = load_playlist_str(&file, &toml);
        let p = p.unwrap_or_else(|| panic!("{d:?}"));
        let pages = slide_pages(&p, 0, 4);
        assert!(pages.iter().all(|pg| pg.duration == MIN_PAGE_TIME));
    }

    #[test]
    fn covers_page_through_four_books_at_a_time() {
        let mut p = playlist("[[slide]]\nkind = \"text\"\ntitle = \"x\"\n");
        let book = |i: usize, cover: bool| CoverItem {
            title: format!("Bok {i}"),
            authors: vec![],
            isbn13: None,
            cover: cover.then(|| Media::Url(format!("https://example.se/{i}.jpg"))),
            cover_url: None,
            link: None,
            source: "test".into(),
            shelving: Default::default(),
        };
        p.slides[0].content = SlideContent::Covers {
            title: None,
            source: Media::File("x".into()),
            count: 7,
            qr: None,
            qr_text: None,
            only_with_covers: false,
            book_qr: false,
            shelf: Default::default(),
            items: (0..10).map(|i| book(i, i % 2 == 0)).collect(),
        };
        let pages = slide_pages(&p, 0, 4);
        let sizes: Vec<usize> = pages
            .iter()
            .map(|pg| match &pg.content {
                PageContent::Covers { books, .. } => books.len(),
                _ => 0,
            })
            .collect();
        assert_eq!(sizes, [4, 3]);
        if let SlideContent::Covers {
            only_with_covers, ..
        } = &mut p.slides[0].content
        {
            *only_with_covers = true;
        }
        let pages = slide_pages(&p, 0, 4);
        assert_eq!(pages.len(), 2);
        assert!(matches!(&pages[1].content, PageContent::Covers { books, .. } if books.len() == 1));
    }

    #[test]
    fn nothing_active_gives_the_welcome_page_and_closed_gives_none() {
        use crate::calendar::opening::Mode;
        use crate::schedule::{Program, Reason};
        let nothing = Program {
            mode: Mode::Staffed,
            reason: Reason::Nothing,
            playlists: vec![],
        };
        assert_eq!(pages_for(&nothing, &[], 4)[0].content, PageContent::Welcome);
        let closed = Program {
            mode: Mode::Closed,
            reason: Reason::Closed,
            playlists: vec![],
        };
        assert!(pages_for(&closed, &[], 4).is_empty());
    }
}
