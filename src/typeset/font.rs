//! The shipped Inter faces, built into the program, and how wide a text is in them. Widths come
//! from shaping with harfrust, the shaper bevy's text layout (parley) uses, so a line measured here
//! is the line the screen draws.

use std::sync::OnceLock;

use harfrust::{FontRef, ShaperData, UnicodeBuffer};
use read_fonts::TableProvider;
use serde::Serialize;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/Inter-Regular.otf");
const SEMIBOLD: &[u8] = include_bytes!("../../assets/fonts/Inter-SemiBold.otf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/Inter-Bold.otf");

/// One of the three weights of Inter that vitrin sets text in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Face {
    Regular,
    SemiBold,
    Bold,
}

impl Face {
    pub const ALL: [Face; 3] = [Face::Regular, Face::SemiBold, Face::Bold];

    /// The font file, for the player to load the very same bytes.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Face::Regular => REGULAR,
            Face::SemiBold => SEMIBOLD,
            Face::Bold => BOLD,
        }
    }

    fn loaded(self) -> &'static Loaded {
        static FACES: OnceLock<[Loaded; 3]> = OnceLock::new();
        let faces = FACES.get_or_init(|| Face::ALL.map(Loaded::new));
        &faces[self as usize]
    }

    /// How wide `text` is in this face at a size of 1 px (an em). Widths scale with the size.
    pub fn em_width(self, text: &str) -> f32 {
        self.loaded().em_width(text)
    }

    /// How many glyphs `text` shapes to in this face.
    pub fn glyph_count(self, text: &str) -> usize {
        self.loaded().shape(text).len()
    }

    /// The height of a capital letter as a share of the size (Inter: about 0.73).
    pub fn cap_height(self) -> f32 {
        self.loaded().cap_height
    }
}

/// A face ready to shape text.
struct Loaded {
    font: FontRef<'static>,
    data: ShaperData,
    units_per_em: f32,
    cap_height: f32,
}

impl Loaded {
    fn new(face: Face) -> Self {
        // The fonts are part of the program and tested; a broken one is a build mistake.
        let font = FontRef::new(face.bytes()).expect("the built-in Inter fonts parse");
        let units_per_em = f32::from(font.head().map(|h| h.units_per_em()).unwrap_or(2048));
        let cap_units = font
            .os2()
            .ok()
            .and_then(|t| t.s_cap_height())
            .map_or(0.727 * units_per_em, f32::from);
        let data = ShaperData::new(&font);
        Loaded {
            font,
            data,
            units_per_em,
            cap_height: cap_units / units_per_em,
        }
    }

    /// The advance of each glyph `text` shapes to, in font units.
    fn shape(&self, text: &str) -> Vec<i32> {
        if text.is_empty() {
            return Vec::new();
        }
        let shaper = self.data.shaper(&self.font).build();
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let glyphs = shaper.shape(buffer, &[]);
        glyphs
            .glyph_positions()
            .iter()
            .map(|p| p.x_advance)
            .collect()
    }

    fn em_width(&self, text: &str) -> f32 {
        let units: i64 = self.shape(text).into_iter().map(i64::from).sum();
        units as f32 / self.units_per_em
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_grow_with_the_text_and_kern() {
        let f = Face::Regular;
        assert_eq!(f.em_width(""), 0.0);
        let a = f.em_width("Värmland");
        assert!(a > 3.0 && a < 6.0, "{a}");
        assert!(f.em_width("Värmlands bibliotek") > a);
        // Bold is wider than regular.
        assert!(Face::Bold.em_width("Värmland") > a);
        // Kerning: "AV" is narrower than "A" and "V" apart.
        assert!(f.em_width("AV") < f.em_width("A") + f.em_width("V"));
    }

    #[test]
    fn capitals_are_about_three_quarters_of_the_size() {
        for f in Face::ALL {
            let c = f.cap_height();
            assert!((0.70..0.76).contains(&c), "{f:?}: {c}");
        }
    }
}
