//! Getting a page ready to show, off the main thread: every picture read and decoded at exactly
//! the size it will show, and QR codes drawn with whole pixels per module. A page that is not
//! fully prepared never reaches the screen.
//!
//! A page whose main picture cannot be shown (an image slide, a carousel picture) fails, and the
//! player skips it. A side picture that cannot be shown is left out, and a cover that cannot be
//! shown becomes a typographic cover: the text of those slides is still worth showing.

use std::collections::HashMap;

use image::RgbaImage;

use crate::catalog::CoverItem;
use crate::compose::{
    self, BookText, BookWords, CoversText, CoversWords, EventWords, EventsText, HoursText,
    PictureText, Placed, WordsText,
};
use crate::layout::{BookLayout, CodeLayout, CoversLayout, Rect, Scale, TypographicCover};
use crate::media::{Fit, ImageProblem, Media, MediaError, MediaStore, decode_image, is_real_cover};
use crate::qr::QrMatrix;
use crate::show::{Page, PageContent};
use crate::theme::{band_alpha, bright_luminance};
use crate::touch::{Action, Target};

/// QR codes are near-black on white on every theme: the most contrast a phone camera can get.
pub const QR_DARK: [u8; 4] = [17, 17, 17, 255];
pub const QR_LIGHT: [u8; 4] = [255, 255, 255, 255];

/// The welcome slide's background, built into the program so it shows even without `assets/`.
pub const WELCOME_BACKGROUND: &[u8] = include_bytes!("../assets/vitrin-bakgrund.jpg");

/// Which picture of a page an image is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// The full-screen picture of a picture page, or the welcome background.
    Main,
    /// The picture beside a qr or text slide's words.
    Side,
    /// A book's cover, by its place on the page.
    Cover(usize),
    /// A book's own QR code, by its place on the page.
    BookQr(usize),
    /// The QR code, quiet zone included.
    Qr,
    /// An event's QR code, by its place on the page.
    EventQr(usize),
}

/// Every text of a page set in its place, and the boxes of what goes around them.
#[derive(Debug, Clone, PartialEq)]
pub enum PageText {
    Picture(PictureText),
    Welcome([Placed; 2]),
    /// A qr or text slide: the words, and where the picture and the code go.
    Words {
        image: Option<Rect>,
        code: Option<Rect>,
        words: WordsText,
    },
    Covers(CoversPage),
    /// A book opened on a touch screen: where its cover and code go, its texts, and its
    /// typographic cover when its picture is not shown.
    Book {
        layout: BookLayout,
        text: Box<BookText>,
        art: Option<Box<(TypographicCover, [Placed; 2])>>,
    },
    /// A code shown larger, under its headline.
    Code {
        layout: CodeLayout,
        words: WordsText,
    },
    /// The library's opening hours.
    Hours(Box<HoursText>),
    /// What is on.
    Events(Box<EventsText>),
}

/// A covers page: where everything goes, its texts, and the typographic covers of books whose
/// picture is not shown.
#[derive(Debug, Clone, PartialEq)]
pub struct CoversPage {
    pub layout: CoversLayout,
    pub text: CoversText,
    pub art: Vec<Option<(TypographicCover, [Placed; 2])>>,
}

impl PageText {
    /// Every text of the page.
    pub fn placed(&self) -> Vec<&Placed> {
        match self {
            PageText::Picture(p) => p
                .caption
                .iter()
                .chain(p.badge.iter().map(|(_, t)| t))
                .collect(),
            PageText::Welcome(w) => w.iter().collect(),
            PageText::Words { words, .. } => std::iter::once(&words.headline)
                .chain(words.body.iter())
                .collect(),
            PageText::Covers(c) => std::iter::once(&c.text.heading)
                .chain(c.text.titles.iter())
                .chain(c.text.authors.iter())
                .chain(c.text.qr_text.iter())
                .chain(c.art.iter().flatten().flat_map(|(_, t)| t.iter()))
                .collect(),
            PageText::Book { text, art, .. } => std::iter::once(&text.words.headline)
                .chain(text.words.body.iter())
                .chain(text.call.iter())
                .chain(art.iter().flat_map(|a| a.1.iter()))
                .collect(),
            PageText::Code { words, .. } => vec![&words.headline],
            PageText::Hours(h) => h.placed().collect(),
            PageText::Events(e) => e.placed().collect(),
        }
    }

    /// What can be touched on the page, and what it does: a book (its cover and its words), a
    /// code, a carousel's dots.
    pub fn targets(&self) -> Vec<Target> {
        match self {
            PageText::Covers(c) => c
                .layout
                .cells
                .iter()
                .take(c.text.titles.len())
                .enumerate()
                .map(|(i, cell)| Target {
                    rect: union(union(cell.cover, cell.title), cell.author),
                    action: Action::OpenBook(i),
                })
                .chain(c.text.qr_text.as_ref().map(|_| Target {
                    rect: c.layout.code,
                    action: Action::EnlargeCode,
                }))
                .collect(),
            PageText::Words {
                code: Some(code), ..
            } => vec![Target {
                rect: *code,
                action: Action::EnlargeCode,
            }],
            PageText::Picture(p) => p
                .dots
                .iter()
                .enumerate()
                .map(|(i, d)| Target {
                    rect: *d,
                    action: Action::Picture(i + 1),
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A page with everything it needs in memory.
#[derive(Debug)]
pub struct PreparedPage {
    pub page: Page,
    pub width: u32,
    pub height: u32,
    pub scale: Scale,
    pub images: HashMap<Slot, RgbaImage>,
    /// Its texts, set: the player draws exactly these lines.
    pub text: PageText,
    /// Problems that made the page show less than it could (a side picture or cover left out).
    pub warnings: Vec<String>,
}

impl PreparedPage {
    pub fn image(&self, slot: Slot) -> Option<&RgbaImage> {
        self.images.get(&slot)
    }

    /// Bytes held, for keeping memory in check.
    pub fn bytes(&self) -> usize {
        self.images.values().map(|i| i.as_raw().len()).sum()
    }
}

/// Why a page cannot be shown at all.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("{media}: {problem}")]
    Picture {
        media: String,
        #[source]
        problem: LoadProblem,
    },
    #[error("the QR code for {url} cannot be made: {source}")]
    Qr {
        url: String,
        #[source]
        source: crate::qr::QrError,
    },
}

/// Why a picture could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadProblem {
    #[error(transparent)]
    Read(#[from] MediaError),
    #[error(transparent)]
    Decode(#[from] ImageProblem),
}

fn load(
    store: &dyn MediaStore,
    media: &Media,
    width: u32,
    height: u32,
    fit: Fit,
) -> Result<RgbaImage, PrepareError> {
    let picture = |problem: LoadProblem| PrepareError::Picture {
        media: media.label(),
        problem,
    };
    // A blob's rendition at this size, if it was kept, spares the decode.
    let kept = match media {
        Media::Blob(b) => store.renditions().map(|r| (r, b.sha256.as_str())),
        _ => None,
    };
    if let Some((r, sha256)) = kept
        && let Some(img) = r.get(sha256, width, height, fit)
    {
        return Ok(img);
    }
    let bytes = store.read(media).map_err(|e| picture(e.into()))?;
    let img = decode_image(&bytes, width, height, fit).map_err(|e| picture(e.into()))?;
    drop(bytes);
    if let Some((r, sha256)) = kept {
        r.put(sha256, width, height, fit, &img);
    }
    Ok(img)
}

fn qr_image(url: &str, side: f32) -> Result<RgbaImage, PrepareError> {
    let m = QrMatrix::encode(url).map_err(|source| PrepareError::Qr {
        url: url.to_string(),
        source,
    })?;
    let modules = m.width_with_quiet_zone() as f32;
    let scale = (side / modules).floor().max(1.0) as u32;
    Ok(m.to_image(scale, QR_DARK, QR_LIGHT))
}

/// The QR code's width in modules, quiet zone included, for layout.
pub fn qr_modules(url: &str) -> Option<u32> {
    QrMatrix::encode(url)
        .ok()
        .map(|m| m.width_with_quiet_zone() as u32)
}

/// The smallest rectangle holding both.
fn union(a: Rect, b: Rect) -> Rect {
    let (x, y) = (a.x.min(b.x), a.y.min(b.y));
    Rect::new(
        x,
        y,
        a.right().max(b.right()) - x,
        a.bottom().max(b.bottom()) - y,
    )
}

/// Every text of a page set in its place, for a screen of `scale`'s size: what [`prepare`] draws
/// and what the legibility check reads. Typographic covers (and how dark the caption band is) are
/// added by [`prepare`], which has the pictures. Fails when the page's QR code cannot be made.
pub fn page_text(content: &PageContent, scale: &Scale) -> Result<PageText, PrepareError> {
    Ok(match content {
        PageContent::Picture {
            caption,
            title,
            position,
            ..
        } => PageText::Picture(compose::picture(
            scale,
            caption.as_deref(),
            title.as_deref(),
            *position,
        )),
        PageContent::Welcome => PageText::Welcome(compose::welcome(scale)),
        PageContent::Qr {
            url,
            image,
            title,
            text,
        } => {
            let modules = qr_modules(url).ok_or_else(|| PrepareError::Qr {
                url: url.clone(),
                source: crate::qr::QrError { len: url.len() },
            })?;
            let layout = scale.qr(image.is_some(), modules);
            PageText::Words {
                image: layout.image,
                code: Some(layout.code),
                words: compose::words(scale, layout.words, title, text.as_deref()),
            }
        }
        PageContent::Text { image, title, text } => {
            let layout = scale.text(image.is_some());
            PageText::Words {
                image: layout.image,
                code: None,
                words: compose::words(scale, layout.words, title, text.as_deref()),
            }
        }
        PageContent::Covers {
            title,
            books,
            qr,
            qr_text,
            book_qr,
            position,
        } => {
            let words = book_words(books);
            let words: Vec<BookWords> = words
                .iter()
                .map(|(title, authors)| BookWords { title, authors })
                .collect();
            let heading = covers_heading(title.as_deref(), *position);
            let (layout, text) = compose::covers(
                scale,
                &CoversWords {
                    heading: &heading,
                    books: &words,
                    qr_text: qr.as_ref().map(|_| qr_text.as_str()),
                    modules: qr.as_deref().and_then(qr_modules),
                    book_modules: book_modules(books, *book_qr),
                },
            );
            PageText::Covers(CoversPage {
                layout,
                text,
                art: Vec::new(),
            })
        }
        PageContent::Book { book, call } => {
            let layout = scale.book(book.link.as_deref().and_then(qr_modules));
            let text = compose::book(
                scale,
                &layout,
                &book.title,
                &authors_line(&book.authors),
                call,
            );
            PageText::Book {
                layout,
                text: Box::new(text),
                art: None,
            }
        }
        PageContent::Hours { title, board } => PageText::Hours(Box::new(compose::hours(
            scale,
            scale.text(false).words,
            title,
            board,
        ))),
        PageContent::Events {
            title,
            items,
            note,
            qr,
            position,
        } => PageText::Events(Box::new(events_text(
            scale,
            title,
            items,
            note.as_deref(),
            qr.as_deref(),
            *position,
        ))),
        // An events slide no screen has chosen events for: it says there are none.
        PageContent::Calendar {
            title, qr, filter, ..
        } => PageText::Events(Box::new(events_text(
            scale,
            title,
            &[],
            Some(&crate::show::no_events_note(filter.look_ahead_days)),
            qr.as_deref(),
            None,
        ))),
        PageContent::Code { title, url } => {
            let modules = qr_modules(url).ok_or_else(|| PrepareError::Qr {
                url: url.clone(),
                source: crate::qr::QrError { len: url.len() },
            })?;
            let layout = scale.code(modules);
            PageText::Code {
                layout,
                words: compose::words(scale, layout.words, title, None),
            }
        }
    })
}

/// The calendar's code of an events page.
fn page_qr(content: &PageContent) -> Option<&str> {
    match content {
        PageContent::Events { qr, .. } | PageContent::Calendar { qr, .. } => qr.as_deref(),
        _ => None,
    }
}

/// An events page's texts; each event with a page gets a code to it.
fn events_text(
    scale: &Scale,
    title: &str,
    items: &[crate::show::EventLine],
    note: Option<&str>,
    qr: Option<&str>,
    position: Option<(usize, usize)>,
) -> EventsText {
    let words: Vec<EventWords> = items
        .iter()
        .map(|e| EventWords {
            day: &e.day,
            time: &e.time,
            title: &e.title,
            place: e.place.as_deref(),
            text: e.text.as_deref(),
            modules: e.url.as_deref().and_then(qr_modules),
        })
        .collect();
    let heading = covers_heading(Some(title), position);
    compose::events(
        scale,
        &heading,
        &words,
        note,
        qr.filter(|_| note.is_some()).and_then(qr_modules),
    )
}

/// Prepares a page for a screen of `scale`'s size: its pictures decoded at size and its texts set.
pub fn prepare(
    page: &Page,
    scale: Scale,
    store: &dyn MediaStore,
) -> Result<PreparedPage, PrepareError> {
    let mut images = HashMap::new();
    let mut warnings = Vec::new();
    let mut text = page_text(&page.content, &scale)?;
    let (w, h) = scale.screen().pixels();
    match (&page.content, &mut text) {
        (PageContent::Picture { image, fit, .. }, PageText::Picture(t)) => {
            let picture = load(store, image, w, h, *fit)?;
            if let Some(c) = &t.caption {
                t.band_alpha = band_alpha(bright_under(&picture, c));
            }
            if let Some((_, title)) = &t.badge {
                t.badge_alpha = band_alpha(bright_under(&picture, title));
            }
            images.insert(Slot::Main, picture);
        }
        (PageContent::Welcome, _) => {
            if let Ok(img) = decode_image(WELCOME_BACKGROUND, w, h, Fit::Fill) {
                images.insert(Slot::Main, img);
            }
        }
        (PageContent::Qr { url, image, .. }, PageText::Words { image: r, code, .. }) => {
            if let Some(code) = code {
                images.insert(Slot::Qr, qr_image(url, code.w)?);
            }
            if let Some(img) = side(store, image, *r, &mut warnings) {
                images.insert(Slot::Side, img);
            }
        }
        (PageContent::Text { image, .. }, PageText::Words { image: r, .. }) => {
            if let Some(img) = side(store, image, *r, &mut warnings) {
                images.insert(Slot::Side, img);
            }
        }
        (
            PageContent::Covers {
                books, qr, book_qr, ..
            },
            PageText::Covers(c),
        ) => {
            if let Some(url) = qr {
                images.insert(Slot::Qr, qr_image(url, c.layout.code.w)?);
            }
            c.art = covers(
                books,
                *book_qr,
                &c.layout,
                store,
                &mut images,
                &mut warnings,
            );
        }
        (PageContent::Events { items, .. }, PageText::Events(t)) => {
            for (i, (e, set)) in items.iter().zip(&t.events).enumerate() {
                if let (Some(url), Some(code)) = (&e.url, set.code) {
                    images.insert(Slot::EventQr(i), qr_image(url, code.w)?);
                }
            }
            if let (Some(url), Some(code)) = (page_qr(&page.content), t.code) {
                images.insert(Slot::Qr, qr_image(url, code.w)?);
            }
        }
        (PageContent::Calendar { qr: Some(url), .. }, PageText::Events(t)) => {
            if let Some(code) = t.code {
                images.insert(Slot::Qr, qr_image(url, code.w)?);
            }
        }
        (PageContent::Book { book, .. }, PageText::Book { layout, art, .. }) => {
            if let (Some(code), Some(link)) = (layout.code, &book.link) {
                images.insert(Slot::Qr, qr_image(link, code.w)?);
            }
            match cover(book, layout.cover, store, &mut warnings) {
                Some(img) => {
                    images.insert(Slot::Cover(0), img);
                }
                None => {
                    *art = Some(Box::new(compose::typographic_cover(
                        layout.cover,
                        &book.title,
                        &authors_line(&book.authors),
                    )));
                }
            }
        }
        (PageContent::Code { url, .. }, PageText::Code { layout, .. }) => {
            images.insert(Slot::Qr, qr_image(url, layout.code.w)?);
        }
        _ => {}
    }
    Ok(PreparedPage {
        page: page.clone(),
        width: scale.width as u32,
        height: scale.height as u32,
        scale,
        images,
        text,
        warnings,
    })
}

/// How bright the picture is under a text's lines ([`bright_luminance`]).
pub fn bright_under(picture: &RgbaImage, text: &Placed) -> f64 {
    let pixels = text.lines().flat_map(|(_, r)| {
        let (x0, y0) = (r.x.max(0.0) as u32, r.y.max(0.0) as u32);
        let x1 = (r.right().max(0.0) as u32).min(picture.width());
        let y1 = (r.bottom().max(0.0) as u32).min(picture.height());
        (y0..y1).flat_map(move |y| (x0..x1).map(move |x| (x, y)))
    });
    bright_luminance(pixels.map(|(x, y)| {
        let p = picture.get_pixel(x, y).0;
        [p[0], p[1], p[2]]
    }))
}

/// A qr or text slide's picture, filling its place; left out (with a warning) if it cannot be
/// shown.
fn side(
    store: &dyn MediaStore,
    media: &Option<Media>,
    rect: Option<Rect>,
    warnings: &mut Vec<String>,
) -> Option<RgbaImage> {
    let (m, r) = (media.as_ref()?, rect?);
    let (w, h) = r.pixels();
    load(store, m, w, h, Fit::Fill)
        .map_err(|e| warnings.push(format!("picture left out: {e}")))
        .ok()
}

type Images = HashMap<Slot, RgbaImage>;

/// The books' words under their covers, for layout and checks: the title, and the authors (the
/// first and "m.fl." when there are more than two, as in a library's catalogue).
pub fn book_words(books: &[CoverItem]) -> Vec<(String, String)> {
    books
        .iter()
        .map(|b| (b.title.clone(), authors_line(&b.authors)))
        .collect()
}

/// Authors as one line: "A", "A, B", or "A m.fl.".
pub fn authors_line(authors: &[String]) -> String {
    match authors {
        [first, _, _, ..] => format!("{first} m.fl."),
        _ => authors.join(", "),
    }
}

/// The heading of a covers page: the slide's title, with the page's number when there are
/// several.
pub fn covers_heading(title: Option<&str>, position: Option<(usize, usize)>) -> String {
    let mut heading = title.unwrap_or(DEFAULT_COVERS_TITLE).to_string();
    if let Some((i, n)) = position {
        heading.push_str(&format!("  {i}/{n}"));
    }
    heading
}

/// The heading of a covers slide without a title.
pub const DEFAULT_COVERS_TITLE: &str = "Nya böcker";

/// The widest of the books' own codes, in modules with the quiet zone, if they show codes.
pub fn book_modules(books: &[CoverItem], book_qr: bool) -> Option<u32> {
    if !book_qr {
        return None;
    }
    books
        .iter()
        .filter_map(|b| b.link.as_deref().and_then(qr_modules))
        .max()
}

/// A book's cover picture, decoded to fit `r`; `None` (with a warning) when it has none that can
/// be shown, and a typographic cover stands in.
fn cover(
    book: &CoverItem,
    r: Rect,
    store: &dyn MediaStore,
    warnings: &mut Vec<String>,
) -> Option<RgbaImage> {
    let cover = book.cover.as_ref()?;
    let (w, h) = r.pixels();
    match load(store, cover, w, h, Fit::Fit) {
        Ok(img) if is_real_cover(img.width(), img.height()) => Some(img),
        Ok(_) => {
            warnings.push(format!(
                "cover of \"{}\" is a placeholder; using a typographic cover",
                book.title
            ));
            None
        }
        Err(e) => {
            warnings.push(format!(
                "cover of \"{}\" left out, using a typographic cover: {e}",
                book.title
            ));
            None
        }
    }
}

/// The covers and book codes of a covers page laid out as `layout`, into `images`; returns the
/// typographic covers of the books whose picture cannot be shown.
fn covers(
    books: &[CoverItem],
    book_qr: bool,
    layout: &CoversLayout,
    store: &dyn MediaStore,
    images: &mut Images,
    warnings: &mut Vec<String>,
) -> Vec<Option<(TypographicCover, [Placed; 2])>> {
    let mut art = Vec::with_capacity(books.len());
    for (i, (book, cell)) in books.iter().zip(&layout.cells).enumerate() {
        if let (Some(code), Some(link)) = (cell.code, book.link.as_deref().filter(|_| book_qr)) {
            match qr_image(link, code.w) {
                Ok(img) => {
                    images.insert(Slot::BookQr(i), img);
                }
                Err(e) => warnings.push(format!("code of \"{}\" left out: {e}", book.title)),
            }
        }
        let picture = cover(book, cell.cover, store, warnings);
        match picture {
            Some(img) => {
                images.insert(Slot::Cover(i), img);
                art.push(None);
            }
            None => art.push(Some(compose::typographic_cover(
                cell.cover,
                &book.title,
                &authors_line(&book.authors),
            ))),
        }
    }
    art
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::LocalMedia;
    use crate::playlist::Transition;
    use crate::show::PageKey;
    use crate::theme::Theme;
    use std::time::Duration;

    fn page(content: PageContent) -> Page {
        Page {
            key: PageKey {
                playlist: "t".into(),
                slide: 1,
                part: 1,
            },
            content,
            duration: Duration::from_secs(5),
            transition: Transition::Fade,
            theme: Theme::Dark,
            chime: None,
        }
    }

    #[test]
    fn pictures_are_decoded_at_screen_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.png");
        RgbaImage::from_pixel(3000, 2000, image::Rgba([1, 2, 3, 255]))
            .save(&path)
            .unwrap();
        let p = prepare(
            &page(PageContent::Picture {
                image: Media::File(path),
                fit: Fit::Fill,
                caption: None,
                title: None,
                position: None,
            }),
            Scale::new(1920, 1080),
            &LocalMedia::default(),
        )
        .unwrap();
        assert_eq!(p.image(Slot::Main).unwrap().dimensions(), (1920, 1080));
    }

    #[test]
    fn a_large_blob_is_decoded_once_and_then_read_at_screen_size() {
        let dir = tempfile::tempdir().unwrap();
        let mut png = Vec::new();
        RgbaImage::from_fn(2400, 1600, |x, y| {
            image::Rgba([(x / 10) as u8, (y / 10) as u8, 90, 255])
        })
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
        let sha256 = crate::media::sha256_hex(&png);
        let blobs = dir.path().join("blobs");
        let blob = crate::media::blob_path(&blobs, &sha256);
        std::fs::create_dir_all(blob.parent().unwrap()).unwrap();
        std::fs::write(&blob, &png).unwrap();
        let content = PageContent::Picture {
            image: Media::Blob(crate::media::BlobRef {
                sha256,
                size: png.len() as u64,
                media_type: "image/png".into(),
            }),
            fit: Fit::Fill,
            caption: None,
            title: None,
            position: None,
        };
        let local = LocalMedia {
            blob_dir: Some(blobs),
        };
        let renditions = crate::media::Renditions::new(dir.path().join("renditions"));
        let store = crate::media::WithRenditions {
            store: &local,
            renditions: &renditions,
        };
        let first = prepare(&page(content.clone()), Scale::new(1280, 720), &store).unwrap();
        // Without its blob, the page still prepares, from the rendition, to the same pixels.
        std::fs::remove_file(&blob).unwrap();
        let again = prepare(&page(content.clone()), Scale::new(1280, 720), &store).unwrap();
        assert_eq!(first.image(Slot::Main), again.image(Slot::Main));
        assert!(prepare(&page(content), Scale::new(1280, 720), &local).is_err());
    }

    #[test]
    fn a_broken_main_picture_fails_the_page_but_a_side_picture_only_warns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broken.jpg");
        std::fs::write(&path, b"\xff\xd8\xff not really a jpeg").unwrap();
        let err = prepare(
            &page(PageContent::Picture {
                image: Media::File(path.clone()),
                fit: Fit::Fill,
                caption: None,
                title: None,
                position: None,
            }),
            Scale::new(640, 360),
            &LocalMedia::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("broken.jpg"), "{err}");
        let ok = prepare(
            &page(PageContent::Qr {
                title: "Fråga oss".into(),
                text: None,
                url: "https://bibliotekvarmland.se/".into(),
                image: Some(Media::File(path)),
            }),
            Scale::new(1920, 1080),
            &LocalMedia::default(),
        )
        .unwrap();
        assert!(ok.image(Slot::Side).is_none());
        assert!(ok.image(Slot::Qr).is_some());
        assert_eq!(ok.warnings.len(), 1);
    }

    #[test]
    fn qr_codes_fill_their_place_with_whole_modules() {
        let url = "https://bibliotekvarmland.se/fraga-biblioteket";
        let p = prepare(
            &page(PageContent::Qr {
                title: "x".into(),
                text: None,
                url: url.into(),
                image: None,
            }),
            Scale::new(1920, 1080),
            &LocalMedia::default(),
        )
        .unwrap();
        let qr = p.image(Slot::Qr).unwrap();
        let modules = qr_modules(url).unwrap();
        assert_eq!(qr.width() % modules, 0);
        let layout = p.scale.qr(false, modules);
        assert_eq!(qr.width() as f32, layout.code.w);
        assert!(qr.width() >= 320);
    }

    #[test]
    fn the_welcome_page_needs_no_files() {
        let p = prepare(
            &page(PageContent::Welcome),
            Scale::new(1080, 1920),
            &LocalMedia::default(),
        )
        .unwrap();
        assert_eq!(p.image(Slot::Main).unwrap().dimensions(), (1080, 1920));
    }

    fn overlap(a: Rect, b: Rect) -> bool {
        a.x < b.right() - 0.5
            && b.x < a.right() - 0.5
            && a.y < b.bottom() - 0.5
            && b.y < a.bottom() - 0.5
    }

    /// The page sizes of touch screens: above a touch bar, landscape, portrait and 4K.
    const TOUCH_PAGES: [(u32, u32); 4] = [(1920, 990), (1080, 1830), (3840, 1980), (960, 495)];

    #[test]
    fn a_books_detail_sets_every_word_and_a_large_code_beside_its_cover() {
        let link = "https://bibliotekvarmland.se/search?query=9789188145468";
        let book = CoverItem {
            title: "Svampguiden för Värmland: alla arter från skog, myr och gammal betesmark"
                .into(),
            authors: vec!["Gunnel Ek".into(), "Per-Olof Ek".into()],
            isbn13: None,
            cover: None,
            cover_url: None,
            link: Some(link.into()),
            source: "test".into(),
            shelving: Default::default(),
        };
        for (w, h) in TOUCH_PAGES {
            let scale = Scale::new(w, h);
            let content = PageContent::Book {
                book: Box::new(book.clone()),
                call: crate::show::RESERVE_TEXT.into(),
            };
            let p = prepare(&page(content), scale, &LocalMedia::default()).unwrap();
            let PageText::Book { layout, text, art } = &p.text else {
                panic!("{:?}", p.text)
            };
            assert!(art.is_some(), "no picture: a typographic cover");
            let code = layout.code.expect("a code");
            let words = Rect::new(
                layout.words.x,
                text.words.rule.y,
                layout.words.w,
                text.words.body.as_ref().unwrap().rect.bottom() - text.words.rule.y,
            );
            let call = text.call.as_ref().expect("the line by the code").rect;
            let parts = [layout.cover, words, code, call];
            for (i, a) in parts.iter().enumerate() {
                assert!(scale.screen().contains(*a), "{w}x{h}: {a:?} off the page");
                for b in &parts[i + 1..] {
                    assert!(!overlap(*a, *b), "{w}x{h}: {a:?} and {b:?} overlap");
                }
            }
            for placed in p.text.placed() {
                assert!(placed.setting.lost.is_empty(), "{w}x{h}: {placed:?}");
                assert!(!placed.setting.below_floor, "{w}x{h}: {placed:?}");
            }
            // Whole pixels per module, and larger than a code for reading from a metre.
            let qr = p.image(Slot::Qr).unwrap();
            let modules = qr_modules(link).unwrap();
            assert_eq!(qr.width() as f32, code.w);
            assert_eq!(qr.width() % modules, 0);
            assert!(code.w >= scale.qr_side_for(modules, crate::layout::BOOK_QR_DISTANCE_MM));
            assert!(p.text.targets().is_empty());
        }
    }

    #[test]
    fn a_book_without_a_link_has_no_code_and_no_line_for_one() {
        let book = CoverItem {
            title: "Ödets stjärnor".into(),
            authors: vec![],
            isbn13: None,
            cover: None,
            cover_url: None,
            link: None,
            source: "test".into(),
            shelving: Default::default(),
        };
        let content = PageContent::Book {
            book: Box::new(book),
            call: crate::show::RESERVE_TEXT.into(),
        };
        let p = prepare(
            &page(content),
            Scale::new(1920, 990),
            &LocalMedia::default(),
        )
        .unwrap();
        let PageText::Book { layout, text, .. } = &p.text else {
            panic!()
        };
        assert!(layout.code.is_none() && text.call.is_none());
        assert!(p.image(Slot::Qr).is_none());
    }

    #[test]
    fn a_code_shown_larger_is_larger_than_on_its_slide() {
        let url = "https://bibliotekvarmland.se/fraga-biblioteket";
        for (w, h) in TOUCH_PAGES {
            let scale = Scale::new(w, h);
            let slide = page(PageContent::Qr {
                title: "Fråga Bibliotek Värmland".into(),
                text: Some("Vi svarar inom ett dygn.".into()),
                url: url.into(),
                image: None,
            });
            let on_slide = prepare(&slide, scale, &LocalMedia::default()).unwrap();
            let larger = crate::show::code_detail(&slide).unwrap();
            let larger = prepare(&larger, scale, &LocalMedia::default()).unwrap();
            let small = on_slide.image(Slot::Qr).unwrap().width();
            let large = larger.image(Slot::Qr).unwrap().width();
            // As large as the page allows: larger than on the slide, and nearly the page's whole
            // height (or width).
            let inner = scale.screen().inset(scale.margin);
            assert!(large > small, "{w}x{h}: {small} → {large}");
            assert!(
                large as f32 >= 0.9 * inner.h.min(inner.w),
                "{w}x{h}: {large} in {inner:?}"
            );
            let PageText::Code { layout, words } = &larger.text else {
                panic!()
            };
            assert!(!overlap(layout.code, words.headline.rect));
            assert!(scale.screen().contains(layout.code));
        }
    }

    #[test]
    fn covers_pages_offer_each_book_and_their_code_to_touch() {
        let books: Vec<CoverItem> = (0..4)
            .map(|i| CoverItem {
                title: format!("Bok {i}"),
                authors: vec!["A".into()],
                isbn13: None,
                cover: None,
                cover_url: None,
                link: None,
                source: "test".into(),
                shelving: Default::default(),
            })
            .collect();
        for (w, h) in TOUCH_PAGES {
            let scale = Scale::new(w, h);
            let n = scale.covers_per_page();
            let content = PageContent::Covers {
                title: Some("Nytt".into()),
                books: books[..n].to_vec(),
                qr: Some("https://bibliotekvarmland.se/nyheter".into()),
                qr_text: "Fler nyheter".into(),
                book_qr: false,
                position: None,
            };
            let text = page_text(&content, &scale).unwrap();
            let targets = text.targets();
            assert_eq!(targets.len(), n + 1, "{w}x{h}: {targets:?}");
            for (i, t) in targets.iter().enumerate() {
                assert!(scale.screen().contains(t.rect));
                for u in &targets[i + 1..] {
                    assert!(!overlap(t.rect, u.rect), "{w}x{h}: {t:?} and {u:?}");
                }
            }
            assert_eq!(targets[n].action, Action::EnlargeCode);
        }
    }
}
