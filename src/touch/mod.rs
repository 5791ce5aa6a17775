//! Touch kiosks, without bevy: what a hand did ([`gesture`]), what it touched (the targets a page
//! offers and the touch bar under the pages), and what the visitor meant by it ([`intent`]). The
//! bevy layer feeds in fingers and carries out the intents; everything it decides is here, so
//! plain tests cover it.
//!
//! On a touch screen the pages stand above a bar ([`Bar`]) that holds the controls (back,
//! pause/play or close, forward) and a hint that the screen can be touched, so no control ever
//! covers content. Every control and target is at least [`MIN_TARGET_MM`] on the glass.

pub mod gesture;
pub mod icons;

pub use gesture::{Gesture, Gestures, Point};

use crate::layout::Rect;
use crate::show::{Direction, PageContent};

/// The least size of anything a finger is to hit, on the glass (WCAG 2.5.8 asks 24 CSS px, about
/// 6 mm; 9 mm is the common guideline for touch screens).
pub const MIN_TARGET_MM: f32 = 9.0;
/// A long press in a square this large in a corner of the screen opens the staff overlay.
pub const STAFF_CORNER_MM: f32 = 40.0;

/// What touching a part of a page does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Opens book `n` (from 0) of a covers page.
    OpenBook(usize),
    /// Shows the page's code larger (a qr page's, or a covers page's).
    EnlargeCode,
    /// Goes to picture `n` (from 1) of a carousel.
    Picture(usize),
}

/// A part of a page that does something when touched, in page pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    pub rect: Rect,
    pub action: Action,
}

/// The controls under the pages of a touch screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    /// The whole bar, across the bottom of the screen.
    pub rect: Rect,
    pub back: Rect,
    /// Pause/play, or close while a book or code is open.
    pub middle: Rect,
    pub forward: Rect,
    /// Where the hint goes.
    pub hint: Rect,
    /// The size of the controls' labels and the hint.
    pub text: f32,
}

/// Controls are this share of the bar's height.
const CONTROL_SHARE: f32 = 0.7;

impl Bar {
    /// The bar's height on a screen of `width`x`height` pixels, each `mm_per_px` wide: a twelfth
    /// of the shorter side, and never so low that its controls are under [`MIN_TARGET_MM`].
    pub fn height(width: u32, height: u32, mm_per_px: f32) -> u32 {
        let least = (MIN_TARGET_MM / CONTROL_SHARE / mm_per_px.max(0.01)).ceil();
        (width.min(height) as f32 / 12.0).round().max(least) as u32
    }

    /// The bar of a screen of `width`x`height` pixels.
    pub fn new(width: u32, height: u32, mm_per_px: f32) -> Bar {
        let (w, h) = (width as f32, height as f32);
        let bar_h = Self::height(width, height, mm_per_px) as f32;
        let rect = Rect::new(0.0, h - bar_h, w, bar_h);
        let control = (bar_h * CONTROL_SHARE).round();
        let top = rect.y + ((bar_h - control) / 2.0).floor();
        let margin = (w.min(h) / 1080.0 * 72.0).round();
        let gap = (control * 0.4).round();
        let arrow_w = (control * 1.4).round();
        let middle_w = (control * 3.6).round();
        let back = Rect::new(margin, top, arrow_w, control);
        let forward = Rect::new(w - margin - arrow_w, top, arrow_w, control);
        let middle = Rect::new(((w - middle_w) / 2.0).round(), top, middle_w, control);
        let hint_x = back.right() + gap;
        let hint = Rect::new(hint_x, rect.y, (middle.x - gap - hint_x).max(0.0), bar_h);
        Bar {
            rect,
            back,
            middle,
            forward,
            hint,
            text: (control * 0.4).round(),
        }
    }
}

/// The hint in the bar: how this page can be touched.
pub fn hint(content: &PageContent) -> &'static str {
    match content {
        PageContent::Covers { qr: Some(_), .. } => "Tryck på en bok eller koden",
        PageContent::Covers { .. } => "Tryck på en bok",
        PageContent::Qr { .. } => "Tryck på koden för att se den större",
        PageContent::Book { book, .. } if book.link.is_some() => "Skanna koden med mobilen",
        PageContent::Code { .. } => "Skanna koden med mobilen",
        PageContent::Book { .. } => "Fråga personalen om boken",
        PageContent::Picture {
            position: Some(_), ..
        } => "Tryck på en prick för en bild",
        _ => "Svep eller tryck på pilarna",
    }
}

/// `r` grown about its centre to at least `least` pixels each way.
fn at_least(r: Rect, least: f32) -> Rect {
    let w = r.w.max(least);
    let h = r.h.max(least);
    Rect::new(r.x - (w - r.w) / 2.0, r.y - (h - r.h) / 2.0, w, h)
}

fn inside(r: Rect, p: Point) -> bool {
    p.x >= r.x && p.x < r.right() && p.y >= r.y && p.y < r.bottom()
}

/// The target a touch at `p` hits. Small targets count as [`MIN_TARGET_MM`] large; where grown
/// targets overlap, the one whose centre is nearest wins.
pub fn hit(targets: &[Target], p: Point, mm_per_px: f32) -> Option<Action> {
    let least = MIN_TARGET_MM / mm_per_px.max(0.01);
    targets
        .iter()
        .filter(|t| inside(at_least(t.rect, least), p))
        .min_by(|a, b| {
            let d = |t: &Target| {
                let (cx, cy) = (t.rect.x + t.rect.w / 2.0, t.rect.y + t.rect.h / 2.0);
                (cx - p.x).hypot(cy - p.y)
            };
            d(a).total_cmp(&d(b))
        })
        .map(|t| t.action)
}

/// What the visitor (or a member of staff) meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Navigate(Direction),
    Open(Action),
    Pause,
    Play,
    /// Close the book or code that is open.
    Close,
    /// The staff overlay.
    Staff,
    /// Nothing but a touch: the show holds, and the hint shows.
    Touch,
}

/// What is on the screen when a gesture comes.
#[derive(Debug, Clone, Copy)]
pub struct Situation<'a> {
    pub width: f32,
    pub height: f32,
    pub bar: &'a Bar,
    /// What the page on screen offers to touch.
    pub targets: &'a [Target],
    /// A book or a code is open.
    pub aside: bool,
    pub paused: bool,
    pub mm_per_px: f32,
}

impl Situation<'_> {
    fn in_staff_corner(&self, p: Point) -> bool {
        let side =
            (STAFF_CORNER_MM / self.mm_per_px.max(0.01)).min(self.width.min(self.height) / 4.0);
        let near_x = p.x < side || p.x >= self.width - side;
        let near_y = p.y < side || p.y >= self.height - side;
        near_x && near_y
    }
}

/// What a gesture means on the screen as it is: a tap on a control does what it says; on a book,
/// a code or a carousel's dot it opens or goes to it; elsewhere on the left or right third it
/// pages back or forth. A swipe pages. A long press in a corner opens the staff overlay. While a
/// book or a code is open, only the close control (and the corners) answer.
pub fn intent(g: Gesture, s: &Situation) -> Intent {
    match g {
        Gesture::LongPress(p) if s.in_staff_corner(p) => Intent::Staff,
        Gesture::LongPress(_) => Intent::Touch,
        Gesture::Swipe { .. } if s.aside => Intent::Touch,
        Gesture::Swipe { leftwards } => Intent::Navigate(if leftwards {
            Direction::Forward
        } else {
            Direction::Back
        }),
        Gesture::Tap(p) => tap(p, s),
    }
}

fn tap(p: Point, s: &Situation) -> Intent {
    let least = MIN_TARGET_MM / s.mm_per_px.max(0.01);
    let on = |r: Rect| inside(at_least(r, least), p);
    if s.aside {
        return if on(s.bar.middle) {
            Intent::Close
        } else {
            Intent::Touch
        };
    }
    if on(s.bar.middle) {
        return if s.paused {
            Intent::Play
        } else {
            Intent::Pause
        };
    }
    if on(s.bar.back) {
        return Intent::Navigate(Direction::Back);
    }
    if on(s.bar.forward) {
        return Intent::Navigate(Direction::Forward);
    }
    if p.y >= s.bar.rect.y {
        return Intent::Touch;
    }
    if let Some(action) = hit(s.targets, p, s.mm_per_px) {
        return Intent::Open(action);
    }
    if p.x < s.width * 0.3 {
        Intent::Navigate(Direction::Back)
    } else if p.x >= s.width * 0.7 {
        Intent::Navigate(Direction::Forward)
    } else {
        Intent::Touch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 24-inch 1080p touch screen: 0.277 mm a pixel.
    const MM: f32 = 0.277;

    fn bar() -> Bar {
        Bar::new(1920, 1080, MM)
    }

    fn situation<'a>(bar: &'a Bar, targets: &'a [Target]) -> Situation<'a> {
        Situation {
            width: 1920.0,
            height: 1080.0,
            bar,
            targets,
            aside: false,
            paused: false,
            mm_per_px: MM,
        }
    }

    fn centre(r: Rect) -> Point {
        Point::new(r.x + r.w / 2.0, r.y + r.h / 2.0)
    }

    #[test]
    fn every_control_is_at_least_nine_millimetres_on_any_screen() {
        for (w, h, mm) in [
            (1920, 1080, 0.63),
            (1080, 1920, 0.63),
            (3840, 2160, 0.315),
            (1920, 1080, MM),
            (1280, 800, 0.17),
            (800, 480, 0.19),
        ] {
            let b = Bar::new(w, h, mm);
            for r in [b.back, b.middle, b.forward] {
                assert!(
                    r.w.min(r.h) * mm >= MIN_TARGET_MM - 1e-3,
                    "{w}x{h}: a control of {r:?} is {:.1} mm",
                    r.w.min(r.h) * mm
                );
                assert!(b.rect.contains(r));
            }
            assert!(b.back.right() < b.hint.x && b.hint.right() < b.middle.x);
            assert!(b.middle.right() < b.forward.x);
            assert_eq!(b.rect.bottom(), h as f32);
        }
    }

    #[test]
    fn taps_on_controls_do_what_they_say() {
        let b = bar();
        let s = situation(&b, &[]);
        let tap = |r: Rect| Gesture::Tap(centre(r));
        assert_eq!(intent(tap(b.middle), &s), Intent::Pause);
        assert_eq!(
            intent(tap(b.middle), &Situation { paused: true, ..s }),
            Intent::Play
        );
        assert_eq!(intent(tap(b.back), &s), Intent::Navigate(Direction::Back));
        assert_eq!(
            intent(tap(b.forward), &s),
            Intent::Navigate(Direction::Forward)
        );
        // The hint is no control.
        assert_eq!(intent(tap(b.hint), &s), Intent::Touch);
    }

    #[test]
    fn a_tap_on_a_target_opens_it_and_elsewhere_pages_by_thirds() {
        let b = bar();
        let cover = Rect::new(800.0, 200.0, 300.0, 450.0);
        let targets = [Target {
            rect: cover,
            action: Action::OpenBook(2),
        }];
        let s = situation(&b, &targets);
        assert_eq!(
            intent(Gesture::Tap(centre(cover)), &s),
            Intent::Open(Action::OpenBook(2))
        );
        assert_eq!(
            intent(Gesture::Tap(Point::new(100.0, 500.0)), &s),
            Intent::Navigate(Direction::Back)
        );
        assert_eq!(
            intent(Gesture::Tap(Point::new(1800.0, 500.0)), &s),
            Intent::Navigate(Direction::Forward)
        );
        assert_eq!(
            intent(Gesture::Tap(Point::new(960.0, 900.0)), &s),
            Intent::Touch
        );
        assert_eq!(
            intent(Gesture::Swipe { leftwards: true }, &s),
            Intent::Navigate(Direction::Forward)
        );
    }

    #[test]
    fn small_targets_count_as_nine_millimetres_and_the_nearest_wins() {
        // Carousel dots of 10 px (2.8 mm), 30 px apart.
        let targets: Vec<Target> = (0..3)
            .map(|i| Target {
                rect: Rect::new(1500.0 + 30.0 * i as f32, 1000.0, 10.0, 10.0),
                action: Action::Picture(i + 1),
            })
            .collect();
        // 12 px beside the first dot is still on it (9 mm is 32 px).
        assert_eq!(
            hit(&targets, Point::new(1493.0, 1005.0), MM),
            Some(Action::Picture(1))
        );
        // Between the second and third, nearer the third.
        assert_eq!(
            hit(&targets, Point::new(1552.0, 1005.0), MM),
            Some(Action::Picture(3))
        );
        assert_eq!(hit(&targets, Point::new(1400.0, 1005.0), MM), None);
    }

    #[test]
    fn with_a_book_open_only_close_and_the_corners_answer() {
        let b = bar();
        let targets = [Target {
            rect: Rect::new(0.0, 0.0, 1920.0, 900.0),
            action: Action::OpenBook(0),
        }];
        let s = Situation {
            aside: true,
            ..situation(&b, &targets)
        };
        assert_eq!(intent(Gesture::Tap(centre(b.middle)), &s), Intent::Close);
        assert_eq!(intent(Gesture::Tap(centre(b.back)), &s), Intent::Touch);
        assert_eq!(
            intent(Gesture::Tap(Point::new(100.0, 100.0)), &s),
            Intent::Touch
        );
        assert_eq!(
            intent(Gesture::Swipe { leftwards: false }, &s),
            Intent::Touch
        );
        assert_eq!(
            intent(Gesture::LongPress(Point::new(1910.0, 10.0)), &s),
            Intent::Staff
        );
    }

    #[test]
    fn a_long_press_opens_the_staff_overlay_only_in_a_corner() {
        let b = bar();
        let s = situation(&b, &[]);
        for p in [
            Point::new(5.0, 5.0),
            Point::new(1915.0, 5.0),
            Point::new(5.0, 1075.0),
            Point::new(1915.0, 1075.0),
        ] {
            assert_eq!(intent(Gesture::LongPress(p), &s), Intent::Staff, "{p:?}");
        }
        assert_eq!(
            intent(Gesture::LongPress(Point::new(960.0, 500.0)), &s),
            Intent::Touch
        );
    }
}
