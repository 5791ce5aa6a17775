//! Getting a page ready to show, off the main thread: every picture read and decoded at exactly
//! the size it will show, and QR codes drawn with whole pixels per module. A page that is not
//! fully prepared never reaches the screen.
//!
//! A page whose main picture cannot be shown (an image slide, a carousel picture) fails, and the
//! player skips it. A side picture that cannot be shown is left out, and a cover that cannot be
//! shown becomes a typographic cover: the text of those slides is still worth showing.

use std::collections::HashMap;

use image::RgbaImage;

use crate::layout::Scale;
use crate::media::{Fit, ImageProblem, Media, MediaError, MediaStore, decode_image, is_real_cover};
use crate::qr::QrMatrix;
use crate::show::{Page, PageContent};

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
    /// The QR code, quiet zone included.
    Qr,
}

/// A page with everything it needs in memory.
#[derive(Debug)]
pub struct PreparedPage {
    pub page: Page,
    pub width: u32,
    pub height: u32,
    pub images: HashMap<Slot, RgbaImage>,
    /// Problems that made the page show less than it could (a side picture or cover left out).
    pub warnings: Vec<String>,
}

impl PreparedPage {
    pub fn scale(&self) -> Scale {
        Scale::new(self.width, self.height)
    }

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
    let bytes = store.read(media).map_err(|e| picture(e.into()))?;
    decode_image(&bytes, width, height, fit).map_err(|e| picture(e.into()))
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

/// Prepares a page for a screen of `width`x`height` pixels.
pub fn prepare(
    page: &Page,
    width: u32,
    height: u32,
    store: &dyn MediaStore,
) -> Result<PreparedPage, PrepareError> {
    let scale = Scale::new(width, height);
    let mut images = HashMap::new();
    let mut warnings = Vec::new();
    let mut side = |media: &Option<Media>,
                    rect: Option<crate::layout::Rect>,
                    images: &mut HashMap<Slot, RgbaImage>| {
        if let (Some(m), Some(r)) = (media, rect) {
            let (w, h) = r.pixels();
            match load(store, m, w, h, Fit::Fill) {
                Ok(img) => {
                    images.insert(Slot::Side, img);
                }
                Err(e) => warnings.push(format!("picture left out: {e}")),
            }
        }
    };
    match &page.content {
        PageContent::Picture { image, fit, .. } => {
            let (w, h) = scale.screen().pixels();
            images.insert(Slot::Main, load(store, image, w, h, *fit)?);
        }
        PageContent::Welcome => {
            let (w, h) = scale.screen().pixels();
            if let Ok(img) = decode_image(WELCOME_BACKGROUND, w, h, Fit::Fill) {
                images.insert(Slot::Main, img);
            }
        }
        PageContent::Qr { url, image, .. } => {
            let modules = qr_modules(url).ok_or_else(|| PrepareError::Qr {
                url: url.clone(),
                source: crate::qr::QrError { len: url.len() },
            })?;
            let layout = scale.qr(image.is_some(), modules);
            images.insert(Slot::Qr, qr_image(url, layout.code.w)?);
            side(image, layout.image, &mut images);
        }
        PageContent::Text { image, .. } => {
            let layout = scale.text(image.is_some());
            side(image, layout.image, &mut images);
        }
        PageContent::Covers { books, qr, .. } => {
            let modules = qr.as_deref().and_then(qr_modules);
            let layout = scale.covers(books.len(), modules);
            if let Some(url) = qr {
                images.insert(Slot::Qr, qr_image(url, layout.code.w)?);
            }
            for (i, (book, cell)) in books.iter().zip(&layout.cells).enumerate() {
                let Some(cover) = &book.cover else { continue };
                let (w, h) = cell.cover.pixels();
                match load(store, cover, w, h, Fit::Fit) {
                    Ok(img) if is_real_cover(img.width(), img.height()) => {
                        images.insert(Slot::Cover(i), img);
                    }
                    Ok(_) => warnings.push(format!(
                        "cover of \"{}\" is a placeholder; using a typographic cover",
                        book.title
                    )),
                    Err(e) => warnings.push(format!(
                        "cover of \"{}\" left out, using a typographic cover: {e}",
                        book.title
                    )),
                }
            }
        }
    }
    Ok(PreparedPage {
        page: page.clone(),
        width,
        height,
        images,
        warnings,
    })
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
            1920,
            1080,
            &LocalMedia::default(),
        )
        .unwrap();
        assert_eq!(p.image(Slot::Main).unwrap().dimensions(), (1920, 1080));
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
            640,
            360,
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
            1920,
            1080,
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
            1920,
            1080,
            &LocalMedia::default(),
        )
        .unwrap();
        let qr = p.image(Slot::Qr).unwrap();
        let modules = qr_modules(url).unwrap();
        assert_eq!(qr.width() % modules, 0);
        let layout = p.scale().qr(false, modules);
        assert_eq!(qr.width() as f32, layout.code.w);
        assert!(qr.width() >= 320);
    }

    #[test]
    fn the_welcome_page_needs_no_files() {
        let p = prepare(
            &page(PageContent::Welcome),
            1080,
            1920,
            &LocalMedia::default(),
        )
        .unwrap();
        assert_eq!(p.image(Slot::Main).unwrap().dimensions(), (1080, 1920));
    }
}
