//! The running order: what the screen shows page by page. A page is one still screen: an image
//! slide is one page, a carousel one page per picture, a covers slide one page per four books.
//! [`Playback`] is the clockwork (when the current page ends, which comes next, touch navigation),
//! driven by a monotonic time in seconds that the caller supplies.

use std::time::Duration;

use crate::catalog::CoverItem;
use crate::media::{Fit, Media};
use crate::playlist::{Playlist, SlideContent, Transition};
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
    let page = |part: usize, content: PageContent, duration: Duration| Page {
        key: PageKey {
            playlist: playlist.name.clone(),
            slide: index + 1,
            part,
        },
        content,
        duration,
        transition: slide.transition,
        theme: slide.theme,
    };
    match &slide.content {
        SlideContent::Image {
            image,
            caption,
            fit,
        } => vec![page(
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
        } => {
            let n = images.len().max(1);
            let each = slide.duration / n as u32;
            images
                .iter()
                .enumerate()
                .map(|(i, picture)| {
                    page(
                        i + 1,
                        PageContent::Picture {
                            image: picture.image.clone(),
                            fit: *fit,
                            caption: picture.caption.clone(),
                            title: title.clone(),
                            position: Some((i + 1, n)),
                        },
                        each,
                    )
                })
                .collect()
        }
        SlideContent::Covers {
            title,
            items,
            count,
            qr,
            qr_text,
            only_with_covers,
            ..
        } => {
            let books: Vec<CoverItem> = items
                .iter()
                .filter(|b| !only_with_covers || b.cover.is_some())
                .take(*count as usize)
                .cloned()
                .collect();
            if books.is_empty() {
                return Vec::new();
            }
            let chunks: Vec<&[CoverItem]> = books.chunks(covers_per_page.max(1)).collect();
            let n = chunks.len();
            chunks
                .into_iter()
                .enumerate()
                .map(|(i, chunk)| {
                    page(
                        i + 1,
                        PageContent::Covers {
                            title: title.clone(),
                            books: chunk.to_vec(),
                            qr: qr.clone(),
                            qr_text: qr_text.clone().unwrap_or_else(|| DEFAULT_QR_TEXT.into()),
                            position: (n > 1).then_some((i + 1, n)),
                        },
                        slide.duration,
                    )
                })
                .collect()
        }
        SlideContent::Qr {
            title,
            text,
            url,
            image,
        } => vec![page(
            1,
            PageContent::Qr {
                title: title.clone(),
                text: text.clone(),
                url: url.clone(),
                image: image.clone(),
            },
            slide.duration,
        )],
        SlideContent::Text { title, text, image } => vec![page(
            1,
            PageContent::Text {
                title: title.clone(),
                text: text.clone(),
                image: image.clone(),
            },
            slide.duration,
        )],
    }
}

/// Which way a visitor moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Forward,
    Back,
}

/// The clockwork of the running order. Times are seconds on a monotonic clock that the caller
/// owns, so tests drive it without waiting.
#[derive(Debug, Clone, Default)]
pub struct Playback {
    pages: Vec<Page>,
    /// The page on screen, if any.
    current: Option<usize>,
    shown_at: f64,
    /// A new running order, waiting for the current page to end.
    pending: Option<Vec<Page>>,
    /// After a touch, the page stays until then.
    held_until: Option<f64>,
}

impl Playback {
    pub fn new(pages: Vec<Page>) -> Self {
        Self {
            pages,
            ..Self::default()
        }
    }

    pub fn pages(&self) -> &[Page] {
        &self.pages
    }

    /// The page on screen.
    pub fn current(&self) -> Option<&Page> {
        self.current.and_then(|i| self.pages.get(i))
    }

    pub fn current_index(&self) -> Option<usize> {
        self.current
    }

    /// When the current page's time is up; `None` when nothing is on screen.
    pub fn deadline(&self) -> Option<f64> {
        let page = self.current()?;
        let natural = self.shown_at + page.duration.as_secs_f64();
        Some(match self.held_until {
            Some(h) => h.max(natural),
            None => natural,
        })
    }

    /// Whether the current page should give way now.
    pub fn due(&self, now: f64) -> bool {
        match self.deadline() {
            Some(d) => now >= d,
            None => true,
        }
    }

    /// The running order the next page comes from: the pending one if the schedule changed.
    fn upcoming(&self) -> &[Page] {
        self.pending.as_deref().unwrap_or(&self.pages)
    }

    /// The index (in the upcoming running order) of the page after `skip` pages that could not
    /// be shown, going `direction`.
    pub fn next_index(&self, direction: Direction, skip: usize) -> Option<usize> {
        let pages = self.upcoming();
        let n = pages.len();
        if n == 0 {
            return None;
        }
        // With a new running order, carry on from where the page on screen is in it (so frequent
        // content updates do not keep restarting the rotation); from its start if it is not there.
        let position = match &self.pending {
            Some(pending) => self
                .current()
                .and_then(|page| pending.iter().position(|p| p.key == page.key)),
            None => self.current,
        };
        let step = skip + 1;
        Some(match (position, direction) {
            (None, _) => skip % n,
            (Some(c), Direction::Forward) => (c + step) % n,
            (Some(c), Direction::Back) => (c + n * step - step) % n,
        })
    }

    /// How many pages the upcoming running order has.
    pub fn upcoming_len(&self) -> usize {
        self.upcoming().len()
    }

    /// The page at an index of the upcoming running order.
    pub fn upcoming_page(&self, index: usize) -> Option<&Page> {
        self.upcoming().get(index)
    }

    /// Records that the upcoming page `index` is now on screen.
    pub fn show(&mut self, index: usize, now: f64) {
        if let Some(pending) = self.pending.take() {
            self.pages = pending;
        }
        self.current = (index < self.pages.len()).then_some(index);
        self.shown_at = now;
        if self.held_until.is_some_and(|h| h <= now) {
            self.held_until = None;
        }
    }

    /// A new running order (the schedule or the content changed). It takes over when the current
    /// page ends; with nothing on screen, at once.
    pub fn replace(&mut self, pages: Vec<Page>) {
        if self.current.is_none() {
            self.pages = pages;
            self.pending = None;
        } else {
            self.pending = Some(pages);
        }
    }

    /// Whether a new running order is waiting.
    pub fn has_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Blanks the screen at once (the library closed).
    pub fn clear(&mut self) {
        self.pages.clear();
        self.pending = None;
        self.current = None;
        self.held_until = None;
    }

    /// A visitor touched the screen: automatic advancing pauses for `timeout`.
    pub fn touched(&mut self, now: f64, timeout: Duration) {
        self.held_until = Some(now + timeout.as_secs_f64());
    }

    pub fn is_held(&self, now: f64) -> bool {
        self.held_until.is_some_and(|h| h > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playlist::load_playlist_str;
    use std::path::Path;

    fn playlist(toml: &str) -> Playlist {
        let (p, d) = load_playlist_str(Path::new("p.toml"), toml);
        p.unwrap_or_else(|| panic!("{d:?}"))
    }

    fn text_pages(n: usize) -> Vec<Page> {
        let mut toml = String::from("duration = \"10s\"\n");
        for i in 0..n {
            toml.push_str(&format!("[[slide]]\nkind = \"text\"\ntitle = \"{i}\"\n"));
        }
        let p = playlist(&toml);
        (0..n).flat_map(|i| slide_pages(&p, i, 4)).collect()
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
        };
        p.slides[0].content = SlideContent::Covers {
            title: None,
            source: Media::File("x".into()),
            count: 7,
            qr: None,
            qr_text: None,
            only_with_covers: false,
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
    fn pages_advance_and_wrap() {
        let mut pb = Playback::new(text_pages(3));
        assert_eq!(pb.next_index(Direction::Forward, 0), Some(0));
        pb.show(0, 0.0);
        assert_eq!(pb.deadline(), Some(10.0));
        assert!(!pb.due(9.9));
        assert!(pb.due(10.0));
        assert_eq!(pb.next_index(Direction::Forward, 0), Some(1));
        assert_eq!(pb.next_index(Direction::Forward, 1), Some(2));
        assert_eq!(pb.next_index(Direction::Back, 0), Some(2));
        pb.show(2, 10.0);
        assert_eq!(pb.next_index(Direction::Forward, 0), Some(0));
    }

    #[test]
    fn a_new_running_order_waits_for_the_page_to_end() {
        let mut pb = Playback::new(text_pages(3));
        pb.show(1, 0.0);
        pb.replace(text_pages(2));
        assert!(pb.has_pending());
        assert_eq!(pb.current_index(), Some(1));
        assert_eq!(pb.pages().len(), 3);
        // The page on screen (slide 2) is in the new order too: the rotation carries on after it.
        assert_eq!(pb.next_index(Direction::Forward, 0), Some(0));
        pb.show(0, 10.0);
        assert!(!pb.has_pending());
        assert_eq!(pb.pages().len(), 2);
        // A new order without the page on screen starts from its beginning.
        pb.show(1, 20.0);
        pb.replace(text_pages(1));
        assert_eq!(pb.next_index(Direction::Forward, 0), Some(0));
        let mut longer = text_pages(3);
        longer.rotate_left(1);
        let mut pb = Playback::new(text_pages(3));
        pb.show(0, 0.0);
        pb.replace(longer);
        // Slide 1 is now at index 2: the next is index 0 (slide 2), as before the update.
        assert_eq!(pb.next_index(Direction::Forward, 0), Some(0));
    }

    #[test]
    fn a_touch_holds_the_page_then_it_runs_again() {
        let mut pb = Playback::new(text_pages(3));
        pb.show(0, 0.0);
        pb.touched(8.0, Duration::from_secs(30));
        assert!(!pb.due(10.0));
        assert!(pb.is_held(20.0));
        assert!(pb.due(38.0));
        // Navigating shows the next page, still held.
        pb.show(1, 9.0);
        assert!(!pb.due(19.5));
        assert!(pb.due(38.0));
        pb.show(2, 38.0);
        assert!(!pb.is_held(38.0));
        assert_eq!(pb.deadline(), Some(48.0));
    }

    #[test]
    fn nothing_active_gives_the_welcome_page_and_closed_gives_none() {
        use crate::schedule::opening::Mode;
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
