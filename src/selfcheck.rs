//! The player watches its own output: a screenshot a minute is reduced to a fingerprint. A screen
//! that is black, or whose picture stays the same while another page is on screen, or whose page has long
//! outstayed its time, shows something the schedule does not explain: a problem once two samples
//! in a row show it, logged once when it begins and counted in the heartbeat. What the schedule explains is the caller's to say
//! ([`Expect`]): nothing is checked while closed or while a visitor holds the show.

use image::RgbImage;
use serde::Serialize;

/// What a screenshot comes down to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// A hash of every second pixel of every second row, each pixel's luma in 64 steps: equal
    /// for equal pictures, different for pages that differ by a word, blind to noise in the last
    /// bits.
    pub fingerprint: u64,
    /// The mean luma, 0 to 255.
    pub mean_luma: f32,
}

impl Sample {
    pub fn of(img: &RgbImage) -> Sample {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let (mut sum, mut n) = (0.0f64, 0u64);
        for y in (0..img.height()).step_by(2) {
            for x in (0..img.width()).step_by(2) {
                let p = img.get_pixel(x, y);
                // Rec. 709 weights, in whole numbers so equal colours always give equal luma.
                let luma =
                    (2126 * u64::from(p[0]) + 7152 * u64::from(p[1]) + 722 * u64::from(p[2]))
                        / 10_000;
                sum += luma as f64;
                n += 1;
                hash ^= luma >> 2;
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        Sample {
            fingerprint: hash,
            mean_luma: (sum / n.max(1) as f64) as f32,
        }
    }

    /// Black (or so dark nothing can be seen).
    pub fn is_black(&self) -> bool {
        self.mean_luma < 4.0
    }
}

/// What the player says about the screen now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Expect {
    /// Closed, a visitor holding the show, or nothing on screen yet: any picture is right.
    Anything,
    /// Something visible. `page` names the page on screen (a hash of its key); `overdue` says it
    /// has outstayed its time by more than [`OVERDUE_SECONDS`].
    Showing { page: u64, overdue: bool },
}

/// A problem with what the screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// Black while it should show something.
    Black,
    /// Another page is on screen but the picture is the same: the output is frozen.
    Frozen,
    /// The page on screen has long outstayed its time: the show is stuck.
    Stuck,
}

/// The self-check's state and its counts, for the heartbeat.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SelfCheck {
    /// The problem now, if any.
    pub problem: Option<Problem>,
    /// How many times a problem began since start.
    pub problems: u64,
    /// The last sample's fingerprint and page.
    #[serde(skip)]
    last: Option<(u64, u64)>,
    /// What the last sample showed wrong: a problem counts when two samples in a row show it,
    /// so a moment between pages (black before the first page of the morning) is none.
    #[serde(skip)]
    seen: Option<Problem>,
}

/// A page that outstays its time by this much means the show is stuck.
pub const OVERDUE_SECONDS: f64 = 300.0;

impl SelfCheck {
    /// Takes a sample: the problem that has just begun, if one has.
    pub fn observe(&mut self, sample: Sample, expect: Expect) -> Option<Problem> {
        let problem = match expect {
            Expect::Anything => None,
            Expect::Showing { .. } if sample.is_black() => Some(Problem::Black),
            Expect::Showing { page, .. }
                if self
                    .last
                    .is_some_and(|(fp, p)| fp == sample.fingerprint && p != page) =>
            {
                Some(Problem::Frozen)
            }
            Expect::Showing { overdue: true, .. } => Some(Problem::Stuck),
            Expect::Showing { .. } => None,
        };
        self.last = match expect {
            Expect::Showing { page, .. } => Some((sample.fingerprint, page)),
            Expect::Anything => None,
        };
        let confirmed = problem.filter(|p| self.seen == Some(*p));
        self.seen = problem;
        let began = confirmed.filter(|p| self.problem != Some(*p));
        if began.is_some() {
            self.problems += 1;
        }
        if confirmed.is_some() || problem.is_none() {
            self.problem = confirmed;
        }
        began
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(shade: u8, dot: bool) -> Sample {
        let mut img = RgbImage::from_pixel(320, 180, image::Rgb([shade, shade, shade]));
        if dot {
            for x in 0..80 {
                for y in 0..45 {
                    img.put_pixel(x, y, image::Rgb([250, 200, 40]));
                }
            }
        }
        Sample::of(&img)
    }

    fn showing(page: u64) -> Expect {
        Expect::Showing {
            page,
            overdue: false,
        }
    }

    #[test]
    fn a_black_screen_while_open_is_a_problem_once_and_not_while_closed() {
        let mut c = SelfCheck::default();
        let black = || picture(0, false);
        assert_eq!(c.observe(picture(40, true), showing(1)), None);
        // Black once is a moment between pages; twice in a row, a problem.
        assert_eq!(c.observe(black(), showing(2)), None);
        assert_eq!(c.observe(black(), showing(2)), Some(Problem::Black));
        assert_eq!(c.observe(black(), showing(3)), None, "said once");
        assert_eq!(c.problem, Some(Problem::Black));
        assert_eq!(c.observe(black(), Expect::Anything), None);
        assert_eq!(c.problem, None);
        assert_eq!(c.problems, 1);
    }

    #[test]
    fn pages_that_change_while_the_picture_does_not_are_a_frozen_output() {
        let mut c = SelfCheck::default();
        let same = || picture(40, true);
        assert_eq!(c.observe(same(), showing(1)), None);
        // The same page a minute later (or again, a round later): nothing wrong.
        assert_eq!(c.observe(same(), showing(1)), None);
        // Another page is on screen and the picture is the same, twice in a row.
        assert_eq!(c.observe(same(), showing(4)), None);
        assert_eq!(c.observe(same(), showing(5)), Some(Problem::Frozen));
        // It changes again: the problem is over.
        assert_eq!(c.observe(picture(60, false), showing(6)), None);
        assert_eq!(c.problem, None);
    }

    #[test]
    fn a_page_long_overdue_is_a_stuck_show() {
        let mut c = SelfCheck::default();
        let overdue = Expect::Showing {
            page: 3,
            overdue: true,
        };
        assert_eq!(c.observe(picture(40, true), overdue), None);
        assert_eq!(c.observe(picture(40, true), overdue), Some(Problem::Stuck));
        assert_eq!(c.problems, 1);
    }

    #[test]
    fn fingerprints_tell_pictures_apart_and_ignore_noise() {
        assert_ne!(
            picture(40, true).fingerprint,
            picture(40, false).fingerprint
        );
        assert_eq!(picture(40, true).fingerprint, picture(41, true).fingerprint);
        assert!(picture(0, false).is_black() && !picture(40, false).is_black());
    }
}
