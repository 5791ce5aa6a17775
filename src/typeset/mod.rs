//! Typesetting without bevy: given a text, a face, a box and a range of sizes, decide the size and
//! the lines. The player draws exactly these lines, and `vitrin check` lays out the same texts
//! with the same code, so what the check says is what the screen shows.
//!
//! The rules, in order:
//! - lines break between words, after a hyphen or dash inside a word ("Ann-|Charlotte"), and a
//!   dash standing between words stays with the word before it ("Vinterläsning –|böcker");
//! - a word too long for the line breaks at a Swedish hyphenation point, with a visible hyphen,
//!   and only when the text would not fit unhyphenated even at its floor;
//! - lines are balanced: of all ways to set the text in the fewest lines, the one with the most
//!   even lines, so the last line is not a lone word where that can be avoided;
//! - the text is tried at its size, then step by step smaller down to its floor;
//! - only at the floor, a text that still does not fit ends its last line with "…", and the words
//!   that were left out are named;
//! - no line is ever wider than the box, and no more lines than fit its height: nothing is clipped.

mod breaking;
mod font;
mod hyphenate;

pub use font::Face;
pub use hyphenate::points as hyphenation_points;

use serde::Serialize;

use breaking::{Broken, Text};

/// Line spacing, as a share of the size (the player sets the same).
pub const LINE_HEIGHT: f32 = 1.18;
/// Each step down makes the text this much smaller.
const STEP: f32 = 0.94;
const ELLIPSIS: &str = "…";
/// A hyphen costs as much in balance as a line left empty: texts are hyphenated only when needed.
const HYPHEN_COST: f32 = 1.0;
/// Lines are measured against the box less this margin, for rounding in the renderer.
const MARGIN_PX: f32 = 1.0;

/// What to set, and where.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spec<'a> {
    pub text: &'a str,
    pub face: Face,
    /// The box: no line is wider, and no more lines than fit its height.
    pub width: f32,
    pub height: f32,
    /// At most this many lines, however tall the box.
    pub max_lines: usize,
    /// The size to set at when it fits (pixels).
    pub size: f32,
    /// The smallest size the text may shrink to.
    pub floor: f32,
}

impl Spec<'_> {
    /// How many lines fit at `size`.
    pub fn lines_at(&self, size: f32) -> usize {
        let fit = ((self.height + 0.5) / (size * LINE_HEIGHT)).floor();
        (fit.max(0.0) as usize).min(self.max_lines)
    }

    /// The sizes tried, largest first, ending at the floor.
    fn sizes(&self) -> impl Iterator<Item = f32> {
        let (top, floor) = (self.size, self.floor.min(self.size));
        let mut next = Some(top);
        std::iter::from_fn(move || {
            let now = next?;
            // Whole pixels, and always at least one smaller, so the steps end.
            let smaller = (now * STEP).round().min(now - 1.0);
            next = if now <= floor {
                None
            } else {
                Some(smaller.max(floor))
            };
            Some(now)
        })
    }
}

/// One line as it will be drawn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    pub text: String,
    /// Its width in pixels at the setting's size.
    pub width: f32,
}

/// A text set: its size and lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting {
    /// The text as given.
    pub text: String,
    pub face: Face,
    pub size: f32,
    pub lines: Vec<Line>,
    /// The words not shown, when the text was ended with "…".
    pub lost: Vec<String>,
    /// Set below its floor because the box is not one line high at the floor.
    pub below_floor: bool,
    /// How many lines end inside a word, with a hyphen.
    pub hyphens: usize,
}

impl Setting {
    pub fn line_height(&self) -> f32 {
        self.size * LINE_HEIGHT
    }

    pub fn height(&self) -> f32 {
        self.lines.len() as f32 * self.line_height()
    }

    /// The widest line.
    pub fn width(&self) -> f32 {
        self.lines.iter().map(|l| l.width).fold(0.0, f32::max)
    }

    /// Whether words were left out ("…").
    pub fn is_shortened(&self) -> bool {
        !self.lost.is_empty()
    }
}

/// Sets a text at the largest size from `spec.size` down to its floor at which it fits whole.
pub fn set(spec: &Spec) -> Setting {
    set_at(spec, fit_size(spec))
}

/// Sets texts that stand side by side (captions under a row of covers) at one size: the largest
/// at which every one of them fits, or the floor.
pub fn set_row(specs: &[Spec]) -> Vec<Setting> {
    let size = specs
        .iter()
        .filter(|s| !s.text.trim().is_empty())
        .map(fit_size)
        .fold(f32::INFINITY, f32::min);
    specs
        .iter()
        .map(|s| set_at(s, if size.is_finite() { size } else { s.size }))
        .collect()
}

/// The largest size tried at which the text fits whole, else the floor. Words are hyphenated only
/// when the text does not fit unhyphenated even at the floor.
pub fn fit_size(spec: &Spec) -> f32 {
    let text = Text::new(spec.text, spec.face);
    for hyphenate in [false, true] {
        if let Some(size) = spec
            .sizes()
            .find(|&size| text.lines(spec, size, hyphenate).is_some())
        {
            return size;
        }
    }
    spec.floor.min(spec.size)
}

/// Sets the text at `size`: whole if it fits, else ended with "…". A box less than a line high at
/// `size` gets one line at the size that fits it.
pub fn set_at(spec: &Spec, size: f32) -> Setting {
    let text = Text::new(spec.text, spec.face);
    let mut size = size;
    let mut below_floor = false;
    if spec.lines_at(size) == 0 && !text.is_empty() && spec.max_lines > 0 {
        size = (spec.height / LINE_HEIGHT).floor().max(1.0);
        below_floor = size < spec.floor;
    }
    let Broken {
        lines,
        lost,
        hyphens,
    } = text
        .lines(spec, size, false)
        .or_else(|| text.lines(spec, size, true))
        .unwrap_or_else(|| text.shortened(spec, size));
    Setting {
        text: spec.text.to_string(),
        face: spec.face,
        size,
        lines: lines
            .into_iter()
            .map(|t| Line {
                width: spec.face.em_width(&t) * size,
                text: t,
            })
            .collect(),
        lost,
        below_floor,
        hyphens,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str, width: f32, lines: usize) -> Spec<'_> {
        Spec {
            text,
            face: Face::SemiBold,
            width,
            height: 10_000.0,
            max_lines: lines,
            size: 50.0,
            floor: 38.0,
        }
    }

    /// The words of the lines, hyphenated words joined again.
    fn words_of(s: &Setting) -> Vec<String> {
        let mut joined = String::new();
        for line in &s.lines {
            let text = line.text.trim_end_matches('…');
            match text.strip_suffix('-') {
                Some(start) if start.ends_with(char::is_alphabetic) => joined.push_str(start),
                _ => {
                    joined.push_str(text);
                    joined.push(' ');
                }
            }
        }
        joined.split_whitespace().map(str::to_string).collect()
    }

    fn fits(s: &Setting, spec: &Spec) {
        for l in &s.lines {
            assert!(l.width <= spec.width, "{l:?} wider than {}", spec.width);
            let real = spec.face.em_width(&l.text) * s.size;
            assert!((real - l.width).abs() < 0.01);
        }
        assert!(s.height() <= spec.height + 0.5);
        assert!(s.lines.len() <= spec.max_lines);
        assert!(s.size >= spec.floor || s.below_floor);
    }

    #[test]
    fn a_text_that_fits_keeps_its_size_on_one_line() {
        let sp = spec("Nya böcker", 1000.0, 2);
        let s = set(&sp);
        assert_eq!(s.size, 50.0);
        assert_eq!(s.lines.len(), 1);
        assert_eq!(s.lines[0].text, "Nya böcker");
        assert!(!s.is_shortened() && s.hyphens == 0);
    }

    #[test]
    fn lines_are_balanced_so_the_last_word_is_not_alone() {
        let text = "Ett två tre fyra fem sex sju åtta nio tio elva";
        let first = "Ett två tre fyra fem sex sju åtta nio tio";
        let width = Face::SemiBold.em_width(first) * 50.0 + MARGIN_PX + 2.0;
        let sp = spec(text, width, 3);
        let s = set(&sp);
        fits(&s, &sp);
        assert_eq!(s.lines.len(), 2);
        let last_words = s.lines[1].text.split_whitespace().count();
        assert!(last_words >= 4, "{:?}", s.lines);
        assert_eq!(words_of(&s).join(" "), text);
    }

    #[test]
    fn a_long_title_shrinks_before_it_is_hyphenated_or_cut() {
        let text = "Svampguiden för Värmland";
        let width = Face::SemiBold.em_width("Svampguiden") * 44.0 + MARGIN_PX;
        let sp = spec(text, width, 2);
        let s = set(&sp);
        fits(&s, &sp);
        assert!(s.size < 50.0 && s.size >= 38.0, "{}", s.size);
        assert_eq!(s.lines.len(), 2);
        assert_eq!(words_of(&s).join(" "), text);
        assert_eq!(s.hyphens, 0);
    }

    #[test]
    fn a_word_too_long_for_any_size_breaks_at_a_swedish_hyphenation_point() {
        let text = "Främlingsfientlighetens historia";
        let width = Face::SemiBold.em_width("Främlingsfientlighetens") * 38.0 * 0.7;
        let sp = spec(text, width, 3);
        let s = set(&sp);
        fits(&s, &sp);
        assert!(!s.is_shortened(), "{s:?}");
        assert!(s.hyphens >= 1, "{s:?}");
        assert!(s.lines[0].text.ends_with('-'));
        assert_eq!(words_of(&s).join(" "), text);
    }

    #[test]
    fn names_break_after_their_own_hyphen_and_dashes_stay_with_the_word_before() {
        let width = Face::SemiBold.em_width("Wennerström") * 38.0 + 2.0;
        let sp = spec("Ann-Charlotte Wennerström", width, 3);
        let s = set(&sp);
        fits(&s, &sp);
        assert_eq!(s.lines[0].text, "Ann-", "{s:?}");
        assert_eq!(s.hyphens, 0);
        let width = Face::SemiBold.em_width("Vinterläsning –") * 50.0 + 3.0;
        let sp = spec("Vinterläsning – böcker för mörka kvällar", width, 4);
        let s = set(&sp);
        assert_eq!(s.lines[0].text, "Vinterläsning –", "{s:?}");
    }

    #[test]
    fn only_at_the_floor_is_a_text_ended_with_an_ellipsis_naming_what_is_lost() {
        let text = "En mycket lång titel som inte får plats på två rader hur man än gör";
        let width = Face::SemiBold.em_width("En mycket lång") * 38.0 + 2.0;
        let sp = spec(text, width, 2);
        let s = set(&sp);
        fits(&s, &sp);
        assert_eq!(s.size, 38.0);
        assert!(s.lines[1].text.ends_with('…'), "{s:?}");
        assert!(s.is_shortened());
        assert_eq!(s.lost.last().unwrap(), "gör");
        let shown = words_of(&s);
        let all: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(
            shown.len() + s.lost.len(),
            all.len(),
            "{shown:?} {:?}",
            s.lost
        );
    }

    #[test]
    fn a_box_lower_than_a_line_at_the_floor_says_so() {
        let sp = Spec {
            height: 30.0,
            ..spec("Öppet", 1000.0, 1)
        };
        let s = set(&sp);
        assert!(s.below_floor && s.size < 38.0 && s.lines.len() == 1);
        fits(&s, &sp);
    }

    #[test]
    fn texts_in_a_row_share_one_size() {
        let width = Face::SemiBold.em_width("Vinterträdgården") * 44.0 + 2.0;
        let specs = [
            spec("Mörker", width, 2),
            spec("Vinterträdgården i Värmland", width, 2),
            spec("Is", width, 2),
        ];
        let row = set_row(&specs);
        assert!(row.iter().all(|s| s.size == row[1].size));
        assert!(row[1].size < 50.0);
        for (s, sp) in row.iter().zip(&specs) {
            fits(s, sp);
            assert!(!s.is_shortened());
        }
    }

    #[test]
    fn paragraphs_start_on_new_lines() {
        let sp = spec("Öppet i dag.\nVälkommen!", 2000.0, 4);
        let s = set(&sp);
        assert_eq!(s.lines.len(), 2);
        assert_eq!(s.lines[1].text, "Välkommen!");
    }

    #[test]
    fn a_very_long_text_is_shortened_quickly_and_tiny_sizes_still_step_down() {
        let text = "ord ".repeat(20_000);
        let started = std::time::Instant::now();
        let s = set(&Spec {
            height: 400.0,
            ..spec(&text, 900.0, usize::MAX)
        });
        assert!(s.is_shortened() && s.lines.len() <= 8, "{}", s.lines.len());
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
        let tiny = Spec {
            size: 8.0,
            floor: 2.0,
            ..spec("x", 1.0, 1)
        };
        assert_eq!(tiny.sizes().last(), Some(2.0));
    }

    #[test]
    fn sizes_step_down_to_the_floor_exactly() {
        let sizes: Vec<f32> = spec("x", 1.0, 1).sizes().collect();
        assert_eq!(sizes.first(), Some(&50.0));
        assert_eq!(sizes.last(), Some(&38.0));
        assert!(sizes.windows(2).all(|w| w[1] < w[0]));
    }
}
