//! Telling what a hand did from where and when fingers went down, moved and lifted: a tap, a
//! swipe, a long press, or nothing. Real hands are untidy: a second finger or a palm (several
//! contacts at once) voids the whole contact until every finger has lifted; a press that wanders
//! or lingers is no tap; a swipe must be long enough, fast enough and mostly sideways. Positions
//! are in pixels, distances are set in millimetres on the glass and times are seconds on the
//! caller's clock, so this is tested without a screen or a clock.

use std::collections::BTreeMap;

/// A point on the screen, in pixels from the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

impl Point {
    pub const fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }

    fn distance(self, other: Point) -> f32 {
        (self.x - other.x).hypot(self.y - other.y)
    }
}

/// What a hand did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Gesture {
    /// A short touch that stayed put, where it began.
    Tap(Point),
    /// A quick sideways stroke; `leftwards` pulls in the next page.
    Swipe { leftwards: bool },
    /// One finger held still for [`LONG_PRESS_SECONDS`], where it is held (reported while it is
    /// still down, once).
    LongPress(Point),
}

/// A tap lifts within this long; a longer press is not a tap.
pub const TAP_SECONDS: f64 = 0.8;
/// A finger held still this long is a long press.
pub const LONG_PRESS_SECONDS: f64 = 3.0;
/// A swipe takes at most this long.
pub const SWIPE_SECONDS: f64 = 1.0;
/// A tap moves less than this on the glass (a fingertip rolls a few millimetres).
pub const TAP_TRAVEL_MM: f32 = 8.0;
/// A swipe travels at least this far sideways.
pub const SWIPE_MM: f32 = 30.0;

/// One finger on the glass.
#[derive(Debug, Clone, Copy)]
struct Contact {
    start: Point,
    at: f64,
    /// The farthest it has been from where it started.
    travel: f32,
    long_press_sent: bool,
}

/// Follows the fingers on a screen and reports gestures.
#[derive(Debug, Clone)]
pub struct Gestures {
    /// How large a pixel is on the glass, in millimetres.
    mm_per_px: f32,
    contacts: BTreeMap<u64, Contact>,
    /// More than one finger was down at once: nothing counts until all have lifted.
    void: bool,
}

impl Gestures {
    /// For a screen whose pixels are `mm_per_px` millimetres wide.
    pub fn new(mm_per_px: f32) -> Self {
        Self {
            mm_per_px: mm_per_px.max(0.01),
            contacts: BTreeMap::new(),
            void: false,
        }
    }

    fn px(&self, mm: f32) -> f32 {
        mm / self.mm_per_px
    }

    /// Whether any finger is down.
    pub fn touching(&self) -> bool {
        !self.contacts.is_empty()
    }

    /// A finger (or the mouse button) went down.
    pub fn press(&mut self, id: u64, at: Point, now: f64) {
        if !self.contacts.is_empty() {
            self.void = true;
        }
        self.contacts.insert(
            id,
            Contact {
                start: at,
                at: now,
                travel: 0.0,
                long_press_sent: false,
            },
        );
    }

    /// A finger moved.
    pub fn moved(&mut self, id: u64, to: Point) {
        if let Some(c) = self.contacts.get_mut(&id) {
            c.travel = c.travel.max(c.start.distance(to));
        }
    }

    /// A finger lifted at `at`: what it did, if anything.
    pub fn release(&mut self, id: u64, at: Point, now: f64) -> Option<Gesture> {
        self.moved(id, at);
        let contact = self.contacts.remove(&id)?;
        if self.void {
            if self.contacts.is_empty() {
                self.void = false;
            }
            return None;
        }
        let held = now - contact.at;
        let (dx, dy) = (at.x - contact.start.x, at.y - contact.start.y);
        if contact.long_press_sent {
            None
        } else if contact.travel < self.px(TAP_TRAVEL_MM) && held <= TAP_SECONDS {
            Some(Gesture::Tap(contact.start))
        } else if dx.abs() >= self.px(SWIPE_MM)
            && dx.abs() > 1.5 * dy.abs()
            && held <= SWIPE_SECONDS
        {
            Some(Gesture::Swipe {
                leftwards: dx < 0.0,
            })
        } else {
            None
        }
    }

    /// The system took a finger away (the window lost it): it does nothing.
    pub fn cancel(&mut self, id: u64) {
        self.contacts.remove(&id);
        if self.contacts.is_empty() {
            self.void = false;
        }
    }

    /// A long press, if one finger alone has now been held still long enough.
    pub fn poll(&mut self, now: f64) -> Option<Gesture> {
        if self.void || self.contacts.len() != 1 {
            return None;
        }
        let still = self.px(TAP_TRAVEL_MM);
        let c = self.contacts.values_mut().next()?;
        if !c.long_press_sent && c.travel < still && now - c.at >= LONG_PRESS_SECONDS {
            c.long_press_sent = true;
            return Some(Gesture::LongPress(c.start));
        }
        None
    }

    /// When [`Gestures::poll`] may next report a long press (to wake up for it).
    pub fn next_poll(&self) -> Option<f64> {
        if self.void || self.contacts.len() != 1 {
            return None;
        }
        let c = self.contacts.values().next()?;
        (!c.long_press_sent).then_some(c.at + LONG_PRESS_SECONDS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 55-inch 1080p screen: 0.63 mm a pixel.
    fn gestures() -> Gestures {
        Gestures::new(0.63)
    }

    fn p(x: f32, y: f32) -> Point {
        Point::new(x, y)
    }

    #[test]
    fn a_short_still_touch_is_a_tap_where_it_began() {
        let mut g = gestures();
        g.press(1, p(500.0, 400.0), 10.0);
        g.moved(1, p(504.0, 403.0));
        assert_eq!(
            g.release(1, p(505.0, 402.0), 10.2),
            Some(Gesture::Tap(p(500.0, 400.0)))
        );
        assert!(!g.touching());
    }

    #[test]
    fn a_quick_sideways_stroke_is_a_swipe_either_way() {
        let mut g = gestures();
        g.press(1, p(900.0, 500.0), 0.0);
        g.moved(1, p(800.0, 510.0));
        assert_eq!(
            g.release(1, p(700.0, 520.0), 0.3),
            Some(Gesture::Swipe { leftwards: true })
        );
        g.press(2, p(700.0, 500.0), 1.0);
        assert_eq!(
            g.release(2, p(900.0, 490.0), 1.3),
            Some(Gesture::Swipe { leftwards: false })
        );
    }

    #[test]
    fn strokes_that_are_too_short_slow_or_steep_do_nothing() {
        let mut g = gestures();
        // 30 px is 19 mm: more than a tap, less than a swipe.
        g.press(1, p(500.0, 500.0), 0.0);
        assert_eq!(g.release(1, p(530.0, 500.0), 0.2), None);
        // Far enough, but dragged for two seconds.
        g.press(1, p(900.0, 500.0), 1.0);
        assert_eq!(g.release(1, p(600.0, 500.0), 3.0), None);
        // Mostly downwards.
        g.press(1, p(500.0, 200.0), 4.0);
        assert_eq!(g.release(1, p(600.0, 500.0), 4.3), None);
    }

    #[test]
    fn a_press_held_too_long_is_no_tap() {
        let mut g = gestures();
        g.press(1, p(500.0, 500.0), 0.0);
        assert_eq!(g.release(1, p(500.0, 500.0), 1.5), None);
    }

    #[test]
    fn two_fingers_or_a_palm_void_the_whole_contact() {
        let mut g = gestures();
        g.press(1, p(500.0, 500.0), 0.0);
        g.press(2, p(540.0, 520.0), 0.05);
        assert_eq!(g.release(2, p(540.0, 520.0), 0.1), None);
        // The first finger lifting on its own is not a tap either: the contact was void.
        assert_eq!(g.release(1, p(500.0, 500.0), 0.15), None);
        // A palm: five contacts, spread and moving, lifting at once.
        for id in 0..5 {
            g.press(id, p(800.0 + 20.0 * id as f32, 600.0), 1.0);
        }
        for id in 0..5 {
            g.moved(id, p(600.0, 600.0));
            assert_eq!(g.release(id, p(600.0, 600.0), 1.2), None);
        }
        // Once every finger is up, the next touch counts again.
        g.press(9, p(100.0, 100.0), 2.0);
        assert_eq!(
            g.release(9, p(100.0, 100.0), 2.1),
            Some(Gesture::Tap(p(100.0, 100.0)))
        );
    }

    #[test]
    fn a_long_still_press_is_reported_once_and_its_release_does_nothing() {
        let mut g = gestures();
        g.press(1, p(20.0, 20.0), 0.0);
        assert_eq!(g.next_poll(), Some(LONG_PRESS_SECONDS));
        assert_eq!(g.poll(2.9), None);
        assert_eq!(g.poll(3.0), Some(Gesture::LongPress(p(20.0, 20.0))));
        assert_eq!(g.poll(3.5), None);
        assert_eq!(g.next_poll(), None);
        assert_eq!(g.release(1, p(20.0, 20.0), 4.0), None);
        // A press that wanders is no long press.
        g.press(1, p(20.0, 20.0), 10.0);
        g.moved(1, p(80.0, 20.0));
        assert_eq!(g.poll(14.0), None);
    }

    #[test]
    fn distances_are_millimetres_on_the_glass() {
        // A 24-inch 1080p touch screen: 0.28 mm a pixel, so 20 px (5.5 mm) is still a tap and
        // 100 px (28 mm) is not yet a swipe.
        let mut g = Gestures::new(0.28);
        g.press(1, p(500.0, 500.0), 0.0);
        assert!(matches!(
            g.release(1, p(520.0, 500.0), 0.1),
            Some(Gesture::Tap(_))
        ));
        g.press(1, p(500.0, 500.0), 1.0);
        assert_eq!(g.release(1, p(400.0, 500.0), 1.2), None);
        g.press(1, p(500.0, 500.0), 2.0);
        assert_eq!(
            g.release(1, p(380.0, 500.0), 2.2),
            Some(Gesture::Swipe { leftwards: true })
        );
    }
}
