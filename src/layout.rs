//! Where everything goes on a slide, in pixels, for any screen size: landscape (1920x1080,
//! 3840x2160) and portrait (1080x1920). Pure geometry, so it is tested without a GPU and the
//! pictures can be decoded at exactly the size they will show.
//!
//! Sizes follow from the screen: body text is 1/22 of the screen's height, headlines larger. How
//! small text may get follows from how the screen is seen ([`Viewing`]: its diagonal and the
//! distance visitors read it from), by the ADA 2010 Standards §703.5.5: a capital letter at least
//! 5/8 inch (15.9 mm) high up to 6 feet (1.83 m) away, plus 1/8 inch (3.2 mm) per foot (0.30 m)
//! beyond. Headlines may shrink to a quarter above that, so they stay headlines. A QR code is at
//! least a tenth of the distance it is scanned from wide.

use serde::Serialize;

use crate::qr::QUIET_ZONE;
use crate::typeset::{Face, LINE_HEIGHT};

/// Millimetres in an inch.
const MM_PER_INCH: f32 = 25.4;
/// A QR code scanned from `d` away is at least `d / QR_DISTANCE_RATIO` wide.
pub const QR_DISTANCE_RATIO: f32 = 10.0;
/// The codes of single books are scanned by someone standing at the screen, from this close.
pub const BOOK_QR_DISTANCE_MM: f32 = 1000.0;
/// Headlines never shrink below this many times the body text's floor.
const HEADLINE_FLOOR: f32 = 1.25;

/// How a screen is seen: its size and how far away visitors read it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Viewing {
    /// The visible diagonal, in millimetres.
    pub diagonal_mm: f32,
    /// How far away visitors read the text and scan the codes, in millimetres.
    pub distance_mm: f32,
}

impl Default for Viewing {
    /// A 55-inch screen read from 2 m: the common screen in the region's libraries, and the
    /// distance at which a visitor stops to read a book's title.
    fn default() -> Self {
        Viewing {
            diagonal_mm: 55.0 * MM_PER_INCH,
            distance_mm: 2000.0,
        }
    }
}

/// The least capital-letter height, in millimetres, readable from `distance_mm` (ADA 2010
/// §703.5.5).
pub fn ada_cap_height_mm(distance_mm: f32) -> f32 {
    let base = 5.0 / 8.0 * MM_PER_INCH;
    let near = 6.0 * 12.0 * MM_PER_INCH;
    let per_mm = (1.0 / 8.0) / 12.0; // 1/8 inch per foot
    base + (distance_mm - near).max(0.0) * per_mm
}

/// The farthest distance, in millimetres, from which capitals `cap_mm` high are readable by the
/// same rule; `None` when they are smaller than the rule allows even close up.
pub fn ada_readable_from_mm(cap_mm: f32) -> Option<f32> {
    let base = 5.0 / 8.0 * MM_PER_INCH;
    let near = 6.0 * 12.0 * MM_PER_INCH;
    (cap_mm >= base).then_some(near + (cap_mm - base) * 96.0)
}

/// An axis-aligned rectangle in pixels, from the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    pub const fn new(x: f32, y: f32, w: f32, h: f32) -> Self {
        Self { x, y, w, h }
    }

    /// The rectangle shrunk by `m` on every side.
    pub fn inset(self, m: f32) -> Rect {
        Rect::new(
            self.x + m,
            self.y + m,
            (self.w - 2.0 * m).max(0.0),
            (self.h - 2.0 * m).max(0.0),
        )
    }

    /// A rectangle of `w`x`h` centred in this one.
    pub fn centered(self, w: f32, h: f32) -> Rect {
        Rect::new(
            self.x + (self.w - w) / 2.0,
            self.y + (self.h - h) / 2.0,
            w,
            h,
        )
    }

    pub fn right(self) -> f32 {
        self.x + self.w
    }

    pub fn bottom(self) -> f32 {
        self.y + self.h
    }

    /// The pixel size to decode a picture at.
    pub fn pixels(self) -> (u32, u32) {
        (
            self.w.round().max(1.0) as u32,
            self.h.round().max(1.0) as u32,
        )
    }

    pub fn contains(self, other: Rect) -> bool {
        other.x >= self.x - 0.5
            && other.y >= self.y - 0.5
            && other.right() <= self.right() + 0.5
            && other.bottom() <= self.bottom() + 0.5
    }
}

/// Text sizes and spacing for one screen size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scale {
    pub width: f32,
    pub height: f32,
    /// Body text: 1/22 of the screen's height, or its floor if that is larger.
    pub body: f32,
    /// Headlines.
    pub title: f32,
    /// The smallest body text readable from the viewing distance.
    pub body_floor: f32,
    /// The smallest headline.
    pub title_floor: f32,
    /// How large one pixel is, in millimetres.
    pub mm_per_px: f32,
    pub viewing: Viewing,
    /// Margin around the slide's content.
    pub margin: f32,
    /// Space between blocks.
    pub gap: f32,
}

impl Scale {
    /// A screen of `width`x`height` pixels seen the default way ([`Viewing::default`]).
    pub fn new(width: u32, height: u32) -> Self {
        Self::viewed(width, height, Viewing::default())
    }

    pub fn viewed(width: u32, height: u32, viewing: Viewing) -> Self {
        let (w, h) = (width as f32, height as f32);
        let mm_per_px = viewing.diagonal_mm / w.hypot(h);
        let body_floor = size_for_cap_mm(ada_cap_height_mm(viewing.distance_mm), mm_per_px);
        let title_floor = (body_floor * HEADLINE_FLOOR).ceil();
        let body = (h / 22.0).ceil().max(body_floor);
        // One unit: a 1080p screen's pixel, whatever the orientation.
        let unit = w.min(h) / 1080.0;
        Self {
            width: w,
            height: h,
            body,
            // Portrait screens are narrow: headlines a little smaller keep words whole.
            title: (body * if h > w { 1.4 } else { 1.75 })
                .round()
                .max(title_floor),
            body_floor,
            title_floor,
            mm_per_px,
            viewing,
            margin: (72.0 * unit).round(),
            gap: (40.0 * unit).round(),
        }
    }

    /// The farthest distance, in metres, from which text of `size` px is readable on this screen
    /// ([`ada_readable_from_mm`]); `None` if not even close up.
    pub fn readable_from_m(&self, size: f32) -> Option<f32> {
        ada_readable_from_mm(size * Face::Regular.cap_height() * self.mm_per_px).map(|d| d / 1000.0)
    }

    /// The least width in pixels of a QR code scanned from `distance_mm`.
    pub fn qr_min_px(&self, distance_mm: f32) -> f32 {
        (distance_mm / QR_DISTANCE_RATIO / self.mm_per_px).ceil()
    }

    pub fn portrait(&self) -> bool {
        self.height > self.width
    }

    /// How many books a covers page holds on this screen.
    pub fn covers_per_page(&self) -> usize {
        if self.portrait() {
            COVERS_PER_PAGE / 2
        } else {
            COVERS_PER_PAGE
        }
    }

    /// How many events an events page holds on this screen: three, in rows tall enough for a
    /// title of two or three lines and a code scanned at the screen.
    pub fn events_per_page(&self) -> usize {
        3
    }

    pub fn screen(&self) -> Rect {
        Rect::new(0.0, 0.0, self.width, self.height)
    }

    /// The least side, quiet zone included, of a code of `modules` (quiet zone included) whose
    /// symbol is scannable from `distance_mm`, in whole pixels per module.
    pub fn qr_side_for(&self, modules: u32, distance_mm: f32) -> f32 {
        let symbol = modules.saturating_sub(2 * QUIET_ZONE as u32).max(1) as f32;
        (self.qr_min_px(distance_mm) / symbol).ceil() * modules as f32
    }

    /// How wide the symbol of a code drawn `side` px wide (quiet zone included) is, in mm.
    pub fn qr_symbol_mm(&self, side: f32, modules: u32) -> f32 {
        let symbol = modules.saturating_sub(2 * QUIET_ZONE as u32) as f32;
        side * symbol / modules.max(1) as f32 * self.mm_per_px
    }
}

/// The font size, in pixels, whose capitals are `cap_mm` high on a screen of `mm_per_px`.
fn size_for_cap_mm(cap_mm: f32, mm_per_px: f32) -> f32 {
    (cap_mm / mm_per_px / Face::Regular.cap_height()).ceil()
}

/// A picture filling the screen, with an optional caption band and a title badge.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PictureLayout {
    pub picture: Rect,
    /// The dark band behind a caption of two lines ([`crate::compose::picture`] sizes the real one).
    pub caption_band: Rect,
    pub caption: Rect,
    /// Where a carousel's title and position show.
    pub title: Rect,
    /// The carousel's position dots.
    pub dots: Rect,
}

/// A call to action: headline and text, an optional picture, and a big QR code.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QrLayout {
    /// Where the headline and text go, centred as a block.
    pub words: Rect,
    pub image: Option<Rect>,
    /// The code itself, quiet zone included; its side is a whole number of modules.
    pub code: Rect,
}

/// A headline and text, with an optional picture.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TextLayout {
    /// Where the headline and text go, centred as a block.
    pub words: Rect,
    pub image: Option<Rect>,
}

/// One book on a covers slide.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CoverCell {
    /// The box the cover fits in (the cover keeps its aspect ratio inside it).
    pub cover: Rect,
    /// Title, up to two lines.
    pub title: Rect,
    /// Author, one line.
    pub author: Rect,
    /// The book's own QR code, quiet zone included, when each book shows one.
    pub code: Option<Rect>,
}

/// A row or grid of covers with a QR panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoversLayout {
    /// The heading's text size.
    pub heading: f32,
    pub title: Rect,
    pub cells: Vec<CoverCell>,
    pub code: Rect,
    pub qr_text: Rect,
}

/// One book opened on a touch screen: its cover large, its words, and a large code with a line
/// beside it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BookLayout {
    /// The box the cover fits in.
    pub cover: Rect,
    /// Title and authors, centred as a block.
    pub words: Rect,
    /// The code, quiet zone included; `None` for a book without a link.
    pub code: Option<Rect>,
    /// The line beside the code.
    pub call: Rect,
}

/// A code shown as large as the screen allows, under its headline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CodeLayout {
    pub words: Rect,
    pub code: Rect,
}

/// A code of `side` at the left of a row from `x`, `w` wide, standing on `bottom`, and the box for
/// the line beside it.
fn code_row(x: f32, w: f32, bottom: f32, side: Option<f32>, gap: f32) -> (Option<Rect>, Rect) {
    let h = side.unwrap_or(0.0);
    let code = side.map(|s| Rect::new(x, bottom - s, s, s));
    let call = Rect::new(x + h + gap, bottom - h, (w - h - gap).max(0.0), h);
    (code, call)
}

/// The side, in whole pixels per module, of a code of `modules` at most `room` wide.
fn code_side(room: f32, modules: u32) -> f32 {
    let modules = modules.max(1) as f32;
    (room / modules).floor().max(1.0) * modules
}

/// How many books one covers page holds on a landscape screen; portrait screens hold half.
pub const COVERS_PER_PAGE: usize = 4;
/// Covers are drawn 2:3, the usual shape of a book.
pub const COVER_ASPECT: f32 = 2.0 / 3.0;

impl Scale {
    /// The caption's box is as wide as the band less the position dots; [`crate::compose::picture`]
    /// makes the band as high as the caption's lines.
    pub fn picture(&self) -> PictureLayout {
        let s = self.screen();
        // The position dots take the caption's right end; they are sized by the screen's width
        // so that they stay small on a portrait screen's big text.
        let dot = self.body.min((s.w / 22.0).ceil()) * 0.5;
        let caption_w = s.w - 2.0 * self.margin - dot * 8.0;
        let text_h = (self.body * 1.18 * 2.0).ceil() + 2.0;
        let band_h = (text_h + self.body * 1.3).round();
        let caption_band = Rect::new(0.0, s.h - band_h, s.w, band_h);
        let caption = Rect::new(
            self.margin,
            caption_band.y + (band_h - text_h) / 2.0,
            caption_w,
            text_h,
        );
        PictureLayout {
            picture: s,
            caption_band,
            caption,
            title: Rect::new(
                self.margin,
                self.margin,
                s.w - 2.0 * self.margin,
                self.body * 1.6,
            ),
            dots: Rect::new(
                s.w - self.margin - dot * 7.0,
                caption_band.bottom() - (band_h + dot) / 2.0,
                dot * 7.0,
                dot,
            ),
        }
    }

    /// `modules` is the QR code's width in modules, quiet zone included.
    pub fn qr(&self, has_image: bool, modules: u32) -> QrLayout {
        let inner = self.screen().inset(self.margin);
        if self.portrait() {
            let share = if has_image { 0.42 } else { 0.5 };
            let words = Rect::new(inner.x, inner.y, inner.w, (inner.h * share).round());
            let rest = Rect::new(
                inner.x,
                words.bottom() + self.gap,
                inner.w,
                inner.bottom() - words.bottom() - self.gap,
            );
            let (image, code_area) = if has_image {
                let image_h = (rest.h * 0.36).round();
                (
                    Some(Rect::new(rest.x, rest.bottom() - image_h, rest.w, image_h)),
                    Rect::new(rest.x, rest.y, rest.w, rest.h - image_h - self.gap),
                )
            } else {
                (None, rest)
            };
            QrLayout {
                words,
                image,
                code: self.qr_code(code_area, modules),
            }
        } else {
            let qr_w = (inner.w * 0.40).min(inner.h);
            let code = self.qr_code(
                Rect::new(inner.right() - qr_w, inner.y, qr_w, inner.h),
                modules,
            );
            let left = Rect::new(inner.x, inner.y, code.x - inner.x - self.gap * 1.5, inner.h);
            let (image, words) = if has_image {
                let image_w = (left.w * 0.40).round();
                (
                    Some(Rect::new(left.x, left.y, image_w, left.h)),
                    Rect::new(
                        left.x + image_w + self.gap,
                        left.y,
                        left.w - image_w - self.gap,
                        left.h,
                    ),
                )
            } else {
                (None, left)
            };
            QrLayout { words, image, code }
        }
    }

    /// The biggest whole-module square code that fits in `area`, centred in it.
    fn qr_code(&self, area: Rect, modules: u32) -> Rect {
        let side = area.w.min(area.h);
        let scale = (side / modules as f32).floor().max(1.0);
        let code_side = scale * modules as f32;
        area.centered(code_side, code_side)
    }

    pub fn text(&self, has_image: bool) -> TextLayout {
        let inner = self.screen().inset(self.margin);
        if !has_image {
            let w = if self.portrait() {
                inner.w
            } else {
                (inner.w * 0.8).round()
            };
            return TextLayout {
                words: Rect::new(inner.x + (inner.w - w) / 2.0, inner.y, w, inner.h),
                image: None,
            };
        }
        if self.portrait() {
            let image = Rect::new(0.0, 0.0, self.width, (self.height * 0.42).round());
            let words = Rect::new(
                inner.x,
                image.bottom() + self.gap,
                inner.w,
                inner.bottom() - image.bottom() - self.gap,
            );
            TextLayout {
                words,
                image: Some(image),
            }
        } else {
            let image = Rect::new(0.0, 0.0, (self.width * 0.42).round(), self.height);
            let x = image.right() + self.margin;
            TextLayout {
                words: Rect::new(x, inner.y, self.width - x - self.margin, inner.h),
                image: Some(image),
            }
        }
    }

    /// `books` is how many books this page shows (1 to [`Scale::covers_per_page`]); `modules` the QR
    /// code's width in modules with its quiet zone, if the slide has one; `book_modules` the same
    /// for the widest of the books' own codes, if each book shows one.
    ///
    /// Landscape: a row of covers with title and author under each, the QR code on the right.
    /// Portrait: covers one under the other with title and author beside them, the QR code below.
    pub fn covers(
        &self,
        books: usize,
        modules: Option<u32>,
        book_modules: Option<u32>,
    ) -> CoversLayout {
        self.covers_for(books, modules, book_modules, self.labels())
    }

    /// The heights of a covers page's texts before they are set: a one-line heading, two lines
    /// of title and one of author.
    pub fn labels(&self) -> Labels {
        let line = (self.body * 1.22).round();
        Labels {
            heading: ((self.title * 0.8).round() * 1.25).round(),
            title: line * 2.0,
            author: line,
        }
    }

    /// Like [`Scale::covers`], with room for texts as high as `labels` (in landscape; portrait
    /// pages set title and author beside the covers and use only the heading's height).
    pub fn covers_for(
        &self,
        books: usize,
        modules: Option<u32>,
        book_modules: Option<u32>,
        labels: Labels,
    ) -> CoversLayout {
        let inner = self.screen().inset(self.margin);
        let heading = (self.title * 0.8).round();
        let title = Rect::new(inner.x, inner.y, inner.w, labels.heading);
        let below_title = title.bottom() + self.gap;
        let books = books.clamp(1, self.covers_per_page());
        let qr_side = modules.map(|m| self.qr_side_for(m, self.viewing.distance_mm));
        let book_code = book_modules.map(|m| self.qr_side_for(m, BOOK_QR_DISTANCE_MM));
        let shelving = Shelving {
            inner,
            below_title,
            books,
            qr_side,
            book_code,
            labels,
        };
        let shelf = if self.portrait() {
            self.covers_column(&shelving)
        } else {
            self.covers_row(&shelving)
        };
        let code = match modules {
            Some(m) => self.qr_code(shelf.qr_area, m),
            None => Rect::new(0.0, 0.0, 0.0, 0.0),
        };
        CoversLayout {
            heading,
            title,
            cells: shelf.cells,
            code,
            qr_text: shelf.qr_text,
        }
    }

    /// Portrait: covers one under the other from `below_title`, title and author beside each (and
    /// the book's code under them), and the QR code of `qr_side` at the bottom left with its line
    /// beside it.
    fn covers_column(&self, shelving: &Shelving) -> Shelf {
        let sh = shelving;
        let line = (self.body * 1.22).round();
        let qr_h = sh
            .qr_side
            .map_or(0.0, |side| (sh.inner.h * 0.22).round().max(side));
        let grid = Rect::new(
            sh.inner.x,
            sh.below_title,
            sh.inner.w,
            sh.inner.bottom() - sh.below_title - if qr_h > 0.0 { qr_h + self.gap } else { 0.0 },
        );
        let rows = self.covers_per_page();
        let row_h = (grid.h - self.gap * (rows as f32 - 1.0)) / rows as f32;
        let cover_h = row_h.min(grid.w * 0.38 / COVER_ASPECT);
        let cover_w = cover_h * COVER_ASPECT;
        let cells = (0..sh.books)
            .map(|i| {
                let y = grid.y + i as f32 * (row_h + self.gap) + (row_h - cover_h) / 2.0;
                let cover = Rect::new(grid.x, y, cover_w, cover_h);
                let x = cover.right() + self.gap;
                let w = grid.right() - x;
                let code = sh.book_code.map(|side| {
                    let side = side.min(w).min(cover_h);
                    Rect::new(x, cover.bottom() - side, side, side)
                });
                let text_h = code.map_or(cover_h, |c| c.y - cover.y - self.gap / 2.0);
                let words_h = (line * 5.0).min(text_h);
                let text_top = cover.y + (text_h - words_h).max(0.0) / 2.0;
                let title_h = (words_h * 0.6).round();
                CoverCell {
                    cover,
                    title: Rect::new(x, text_top, w, title_h),
                    author: Rect::new(x, text_top + title_h, w, words_h - title_h),
                    code,
                }
            })
            .collect();
        let qr_area = Rect::new(sh.inner.x, sh.inner.bottom() - qr_h, qr_h, qr_h);
        let qr_text = Rect::new(
            qr_area.right() + self.gap,
            qr_area.y + (qr_h - line * 3.0).max(0.0) / 2.0,
            sh.inner.right() - qr_area.right() - self.gap,
            line * 3.0,
        );
        Shelf {
            cells,
            qr_area,
            qr_text,
        }
    }

    /// Landscape: a row of covers from `below_title`, centred, title and author under each (and
    /// the book's code under them), and the QR code of `qr_side` on the right with its line under
    /// it.
    fn covers_row(&self, shelving: &Shelving) -> Shelf {
        let Shelving {
            inner,
            below_title,
            books,
            qr_side,
            book_code,
            labels,
        } = *shelving;
        let line = (self.body * 1.22).round();
        let qr_w = qr_side.map_or(0.0, |side| (inner.w * 0.22).round().max(side));
        let grid = Rect::new(
            inner.x,
            below_title,
            inner.w
                - if qr_w > 0.0 {
                    qr_w + self.gap * 1.5
                } else {
                    0.0
                },
            inner.bottom() - below_title,
        );
        let label_h = line * 3.0;
        let qr_area = Rect::new(
            inner.right() - qr_w,
            below_title,
            qr_w,
            (grid.h - label_h - self.gap / 2.0).min(qr_w),
        );
        let qr_text = Rect::new(qr_area.x, qr_area.bottom() + self.gap / 2.0, qr_w, label_h);
        let cols = self.covers_per_page();
        let cell_w = (grid.w - self.gap * (cols as f32 - 1.0)) / cols as f32;
        let code_side = book_code.map(|side| side.min(cell_w));
        let words_h = labels.title + labels.author;
        let text_h = words_h + self.gap / 3.0 + code_side.map_or(0.0, |s| s + self.gap / 3.0);
        let cover_h = (grid.h - text_h).min(cell_w / COVER_ASPECT);
        let cover_w = cover_h * COVER_ASPECT;
        // The row of covers and their labels is centred in the height it has, and a page with
        // fewer books in the width.
        let top = ((grid.h - cover_h - text_h) / 2.0).max(0.0);
        let offset = (grid.w - (cell_w * books as f32 + self.gap * (books as f32 - 1.0))) / 2.0;
        let cells = (0..books)
            .map(|i| {
                let x = grid.x + offset + i as f32 * (cell_w + self.gap);
                let cover = Rect::new(x + (cell_w - cover_w) / 2.0, grid.y + top, cover_w, cover_h);
                let title = Rect::new(x, cover.bottom() + self.gap / 3.0, cell_w, labels.title);
                let author = Rect::new(x, title.bottom(), cell_w, labels.author);
                let code = code_side.map(|side| {
                    Rect::new(
                        x + (cell_w - side) / 2.0,
                        author.bottom() + self.gap / 3.0,
                        side,
                        side,
                    )
                });
                CoverCell {
                    cover,
                    title,
                    author,
                    code,
                }
            })
            .collect();
        Shelf {
            cells,
            qr_area,
            qr_text,
        }
    }

    /// A carousel's title on a dark badge as wide as the title needs, in `title`
    /// ([`PictureLayout::title`]); `text_w` is the title's width in pixels.
    pub fn title_badge(&self, title: Rect, text_w: f32) -> TitleBadge {
        let pad = self.body * 0.35;
        let w = (text_w + 2.0 * pad).min(title.w);
        let badge = Rect::new(title.x - pad, title.y - pad * 0.5, w, title.h);
        let text = Rect::new(
            badge.x + pad,
            badge.y + (badge.h - self.body * 1.2) / 2.0,
            badge.w - 2.0 * pad,
            self.body * 1.25,
        );
        TitleBadge {
            badge,
            text,
            radius: self.body * 0.3,
        }
    }

    /// A book's detail page: `modules` is the width of its code (quiet zone included), `None`
    /// when the book has no link.
    pub fn book(&self, modules: Option<u32>) -> BookLayout {
        let inner = self.screen().inset(self.margin);
        let gap = self.gap;
        if self.portrait() {
            let cover_h = (inner.h * 0.4).round();
            let cover = inner.centered((cover_h * COVER_ASPECT).min(inner.w), cover_h);
            let cover = Rect::new(cover.x, inner.y, cover.w, cover.h);
            let side = modules.map(|m| code_side((inner.w * 0.5).min(inner.h * 0.3), m));
            let code_h = side.unwrap_or(0.0);
            let words_top = cover.bottom() + gap;
            let words = Rect::new(
                inner.x,
                words_top,
                inner.w,
                (inner.bottom() - code_h - gap - words_top).max(0.0),
            );
            let (code, call) = code_row(inner.x, inner.w, inner.bottom(), side, gap);
            BookLayout {
                cover,
                words,
                code,
                call,
            }
        } else {
            let cover_w = (inner.h * COVER_ASPECT).min(inner.w * 0.38).round();
            let cover = Rect::new(inner.x, inner.y, cover_w, inner.h);
            let x = cover.right() + 2.0 * gap;
            let w = (inner.right() - x).max(0.0);
            let side = modules.map(|m| code_side((w * 0.45).min(inner.h * 0.5), m));
            let code_h = side.unwrap_or(0.0);
            let words = Rect::new(x, inner.y, w, (inner.h - code_h - gap).max(0.0));
            let (code, call) = code_row(x, w, inner.bottom(), side, gap);
            BookLayout {
                cover,
                words,
                code,
                call,
            }
        }
    }

    /// A code shown larger, as large as the page allows: beside its headline on a landscape
    /// screen, under it on a portrait one.
    pub fn code(&self, modules: u32) -> CodeLayout {
        let inner = self.screen().inset(self.margin);
        if self.portrait() {
            let words_h = (self.title * LINE_HEIGHT * 2.0 + self.gap).ceil();
            let words = Rect::new(inner.x, inner.y, inner.w, words_h);
            let room = Rect::new(
                inner.x,
                words.bottom() + self.gap,
                inner.w,
                (inner.h - words_h - self.gap).max(0.0),
            );
            let side = code_side(room.w.min(room.h), modules);
            CodeLayout {
                words,
                code: room.centered(side, side),
            }
        } else {
            let side = code_side(inner.h.min(inner.w * 0.62), modules);
            let code = Rect::new(
                inner.right() - side,
                inner.y + ((inner.h - side) / 2.0).floor(),
                side,
                side,
            );
            let words = Rect::new(
                inner.x,
                inner.y,
                (code.x - 2.0 * self.gap - inner.x).max(0.0),
                inner.h,
            );
            CodeLayout { words, code }
        }
    }

    /// vitrin's own welcome page: its picture fills the screen, a greeting and a line under it.
    pub fn welcome(&self) -> WelcomeLayout {
        let inner = self.screen().inset(self.margin);
        let title = Rect::new(inner.x, inner.y + inner.h * 0.26, inner.w, self.title * 2.5);
        WelcomeLayout {
            picture: self.screen(),
            title,
            subtitle: Rect::new(inner.x, title.bottom(), inner.w, self.body * 2.6),
        }
    }

    /// The sizes inside a headline-and-text block ([`QrLayout::words`], [`TextLayout::words`]).
    pub fn headline_block(&self) -> HeadlineBlock {
        HeadlineBlock {
            rule_width: self.body * 2.2,
            rule_height: (self.body * 0.14).max(3.0),
            row_gap: self.gap * 0.6,
        }
    }

    /// The shadow under a book's cover.
    pub fn cover_shadow(&self) -> Shadow {
        Shadow {
            y_offset: self.gap * 0.3,
            blur: self.gap * 0.6,
        }
    }
}

/// How high the texts of a covers page are, in pixels: set first, the covers take the rest.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Labels {
    pub heading: f32,
    /// The titles under a row of covers, and the authors under them.
    pub title: f32,
    pub author: f32,
}

/// What a covers page's shelf is made from: the page inside its margins, where the shelf starts,
/// how many books, the sides of the page's QR code and of the books' own codes, and the heights
/// of the texts.
#[derive(Debug, Clone, Copy)]
struct Shelving {
    inner: Rect,
    below_title: f32,
    books: usize,
    qr_side: Option<f32>,
    book_code: Option<f32>,
    labels: Labels,
}

/// The covers and the QR panel of a covers page, below its heading.
struct Shelf {
    cells: Vec<CoverCell>,
    qr_area: Rect,
    qr_text: Rect,
}

impl PictureLayout {
    /// A carousel's position as `count` round dots, right-aligned in [`PictureLayout::dots`] and
    /// centred in the height of `band`, the caption band as high as its caption needs.
    pub fn position_dots(&self, band: Rect, count: usize) -> Vec<Rect> {
        let r = self.dots;
        let d = r.h;
        let y = band.y + (band.h - d) / 2.0;
        let gap = d * 0.6;
        let total = count as f32 * d + (count as f32 - 1.0) * gap;
        let x0 = r.right() - total;
        (0..count)
            .map(|i| Rect::new(x0 + i as f32 * (d + gap), y, d, d))
            .collect()
    }
}

impl CoverCell {
    /// Where a cover picture of `w`x`h` goes: at its own size, centred in the cell's cover box and
    /// standing on its baseline.
    pub fn cover_of_size(&self, w: f32, h: f32) -> Rect {
        Rect::new(
            self.cover.x + (self.cover.w - w) / 2.0,
            self.cover.bottom() - h,
            w,
            h,
        )
    }
}

/// A carousel's title on its badge.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TitleBadge {
    /// The dark badge.
    pub badge: Rect,
    /// The title's text inside it.
    pub text: Rect,
    /// The badge's corner radius.
    pub radius: f32,
}

/// The welcome page.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WelcomeLayout {
    pub picture: Rect,
    pub title: Rect,
    pub subtitle: Rect,
}

/// Sizes inside a block of headline and text, which is laid out as a column: an accent rule, the
/// headline, the text.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HeadlineBlock {
    pub rule_width: f32,
    pub rule_height: f32,
    /// The space between rule, headline and text.
    pub row_gap: f32,
}

/// A soft shadow straight below something.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Shadow {
    pub y_offset: f32,
    pub blur: f32,
}

/// A cover set in type, for a book without a picture: a short rule, the title, and the authors
/// at the bottom.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TypographicCover {
    pub radius: f32,
    pub rule: Rect,
    pub title: Rect,
    pub title_size: f32,
    pub authors: Rect,
    pub authors_size: f32,
}

impl TypographicCover {
    /// The type on a cover in the box `cover`: sizes follow the cover's width.
    pub fn within(cover: Rect) -> Self {
        let r = cover;
        let pad = r.w * 0.1;
        let size = (r.w / 7.5).max(12.0);
        TypographicCover {
            radius: r.w * 0.02,
            rule: Rect::new(r.x + pad, r.y + pad, r.w * 0.25, (size * 0.12).max(2.0)),
            title: Rect::new(r.x + pad, r.y + pad * 1.6, r.w - 2.0 * pad, r.h * 0.6),
            title_size: size,
            authors: Rect::new(
                r.x + pad,
                r.bottom() - pad - size * 2.4,
                r.w - 2.0 * pad,
                size * 2.4,
            ),
            authors_size: size * 0.8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZES: [(u32, u32); 3] = [(1920, 1080), (3840, 2160), (1080, 1920)];

    fn overlaps(a: Rect, b: Rect) -> bool {
        a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom()
    }

    #[test]
    fn floors_follow_the_ada_rule_for_the_viewing_distance() {
        // 5/8 inch up to 6 feet, then 1/8 inch a foot.
        assert!((ada_cap_height_mm(1000.0) - 15.875).abs() < 1e-3);
        assert!((ada_cap_height_mm(1828.8 + 304.8) - 19.05).abs() < 1e-3);
        assert_eq!(ada_readable_from_mm(10.0), None);
        let d = ada_readable_from_mm(ada_cap_height_mm(4000.0)).unwrap();
        assert!((d - 4000.0).abs() < 0.5, "{d}");
        // The README's figures: a 55-inch 1080p screen read from 2 m, and from 3 m.
        let s = Scale::new(1920, 1080);
        assert_eq!((s.body_floor, s.title_floor, s.body), (39.0, 49.0, 50.0));
        let far = Scale::viewed(
            1920,
            1080,
            Viewing {
                distance_mm: 3000.0,
                ..Viewing::default()
            },
        );
        assert_eq!((far.body_floor, far.body), (61.0, 61.0));
        // The same screen in 4K: the same millimetres, twice the pixels.
        let k4 = Scale::new(3840, 2160);
        assert_eq!(k4.body_floor, 77.0);
        // A QR code for 2 m is 20 cm: 316 px on this screen.
        assert_eq!(s.qr_min_px(2000.0), 316.0);
        let side = s.qr_side_for(41, 2000.0);
        assert!(s.qr_symbol_mm(side, 41) >= 200.0);
    }

    #[test]
    fn body_text_is_at_least_a_22nd_of_the_height() {
        for (w, h) in SIZES {
            let s = Scale::new(w, h);
            assert!(s.body >= h as f32 / 22.0);
            assert!(s.title > s.body);
        }
    }

    #[test]
    fn qr_codes_are_big_whole_module_squares_on_screen() {
        for (w, h) in SIZES {
            let s = Scale::new(w, h);
            for has_image in [false, true] {
                let modules = 33 + 8; // version 4 with its quiet zone
                let l = s.qr(has_image, modules);
                assert_eq!(l.code.w, l.code.h);
                assert_eq!(l.code.w % modules as f32, 0.0);
                // Scannable from the viewing distance: a tenth of it wide, in both orientations.
                assert!(
                    s.qr_symbol_mm(l.code.w, modules) >= 200.0,
                    "{w}x{h}: {}",
                    l.code.w
                );
                assert!(s.screen().contains(l.code), "{w}x{h}: {:?}", l.code);
                assert!(l.words.right() <= l.code.x || l.words.bottom() <= l.code.y);
            }
        }
    }

    #[test]
    fn covers_keep_their_shape_and_stay_on_screen() {
        for (w, h) in SIZES {
            let s = Scale::new(w, h);
            for books in 1..=s.covers_per_page() {
                let l = s.covers(books, Some(41), None);
                assert_eq!(l.cells.len(), books);
                for c in &l.cells {
                    assert!((c.cover.w / c.cover.h - COVER_ASPECT).abs() < 1e-3);
                    assert!(s.screen().contains(c.cover), "{w}x{h}");
                    assert!(s.screen().contains(c.author), "{w}x{h}");
                    assert!(c.cover.h > h as f32 * 0.25, "{w}x{h}: covers are big");
                    // Covers never run under the QR panel.
                    assert!(
                        c.title.right() <= l.code.x + 0.5 || c.author.bottom() <= l.code.y + 0.5
                    );
                }
                assert!(
                    s.qr_symbol_mm(l.code.w, 41) >= 200.0,
                    "{w}x{h}: {}",
                    l.code.w
                );
                // A book's own code is for a visitor at the screen: 10 cm.
                let with_codes = s.covers(books, Some(41), Some(37));
                for c in &with_codes.cells {
                    let code = c.code.unwrap();
                    assert!(s.qr_symbol_mm(code.w, 37) >= 100.0, "{w}x{h}: {code:?}");
                    assert!(s.screen().contains(code) && !overlaps(code, c.cover));
                }
            }
        }
    }

    #[test]
    fn everything_fits_on_screen() {
        for (w, h) in SIZES {
            let s = Scale::new(w, h);
            let p = s.picture();
            assert!(s.screen().contains(p.caption_band));
            assert!(p.caption_band.contains(p.caption));
            for has_image in [false, true] {
                let t = s.text(has_image);
                assert!(s.screen().contains(t.words) && t.words.h > s.title * 3.0);
                let q = s.qr(has_image, 41);
                assert!(
                    s.screen().contains(q.words) && q.words.h > s.title * 3.0,
                    "{w}x{h} {q:?}"
                );
            }
        }
    }

    #[test]
    fn a_carousel_title_badge_is_as_wide_as_its_title_needs() {
        for (w, h) in SIZES {
            let s = Scale::new(w, h);
            let area = s.picture().title;
            let short = s.title_badge(area, 200.0);
            let long = s.title_badge(area, 50_000.0);
            assert!(short.badge.w < long.badge.w, "{w}x{h}");
            assert!(
                long.badge.w <= area.w,
                "{w}x{h}: a long title is cut at the area"
            );
            for b in [short, long] {
                assert!(s.screen().contains(b.badge), "{w}x{h}: {b:?}");
                assert!(b.text.x > b.badge.x && b.text.right() <= b.badge.right());
                assert!(b.text.h >= s.body, "the text has room for a line");
            }
        }
    }

    #[test]
    fn position_dots_are_round_apart_and_right_aligned() {
        for (w, h) in SIZES {
            let l = Scale::new(w, h).picture();
            let dots = l.position_dots(l.caption_band, 5);
            assert_eq!(dots.len(), 5);
            assert!(dots.iter().all(|d| d.w == d.h && d.h == l.dots.h));
            assert!(dots.windows(2).all(|p| p[0].right() < p[1].x), "{w}x{h}");
            assert!((dots[4].right() - l.dots.right()).abs() < 1e-3);
            assert!(dots.iter().all(|d| l.caption_band.contains(*d)));
        }
    }

    #[test]
    fn a_cover_picture_stands_centred_on_its_cells_baseline() {
        let s = Scale::new(1920, 1080);
        let cell = s.covers(4, None, None).cells[0];
        let r = cell.cover_of_size(cell.cover.w * 0.5, cell.cover.h * 0.9);
        assert_eq!(r.bottom(), cell.cover.bottom());
        assert!((r.x + r.w / 2.0 - (cell.cover.x + cell.cover.w / 2.0)).abs() < 1e-3);
        assert_eq!((r.w, r.h), (cell.cover.w * 0.5, cell.cover.h * 0.9));
    }

    #[test]
    fn a_typographic_cover_keeps_its_type_inside_the_cover() {
        for (w, h) in SIZES {
            let s = Scale::new(w, h);
            for cell in s.covers(s.covers_per_page(), Some(41), None).cells {
                let t = TypographicCover::within(cell.cover);
                for r in [t.rule, t.title, t.authors] {
                    assert!(cell.cover.contains(r), "{w}x{h}: {r:?} in {:?}", cell.cover);
                }
                assert!(t.title.y > t.rule.bottom() && t.title.y < t.authors.y);
                assert!(t.authors_size < t.title_size && t.title_size >= 12.0);
            }
        }
    }

    #[test]
    fn the_welcome_greeting_sits_above_the_middle_with_its_line_under_it() {
        for (w, h) in SIZES {
            let s = Scale::new(w, h);
            let l = s.welcome();
            assert_eq!(l.picture, s.screen());
            assert!(s.screen().contains(l.title) && s.screen().contains(l.subtitle));
            assert!(l.title.y < h as f32 / 2.0, "{w}x{h}");
            assert_eq!(l.subtitle.y, l.title.bottom());
            assert!(l.title.h >= s.title * 2.0, "room for two lines of greeting");
        }
    }

    #[test]
    fn a_headline_rule_is_visible_on_any_screen() {
        for (w, h) in [(640, 360), (1920, 1080), (1080, 1920)] {
            let b = Scale::new(w, h).headline_block();
            assert!(b.rule_height >= 3.0 && b.rule_width > b.rule_height);
            assert!(b.row_gap > 0.0);
        }
    }
}
