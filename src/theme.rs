//! Colour themes for slides. Staff pick a theme by name; every theme is checked (by test) to keep
//! text contrast at WCAG AA (4.5:1) or better, so no choice of theme can make a notice unreadable.

use serde::{Deserialize, Serialize};

/// An sRGB colour.
pub type Rgb = [u8; 3];

/// A named palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Deep blue night with warm white text: the default, calm in any room.
    #[default]
    Dark,
    /// Paper white with ink text.
    Light,
    /// Värmland's forests: dark green.
    Forest,
    /// Cold winter blue.
    Winter,
    /// Lingonberry red, for Christmas and notices.
    Berry,
    /// Bright yellow, for the children's corner.
    Sunny,
}

/// The colours one theme paints with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// The slide's background.
    pub background: Rgb,
    /// Cards and panels on the background (covers' labels, the QR panel).
    pub surface: Rgb,
    /// Headlines and body text, on background and surface alike.
    pub text: Rgb,
    /// Secondary text (authors, captions' small print), still AA on both.
    pub muted: Rgb,
    /// Lines, dots and highlights.
    pub accent: Rgb,
}

impl Theme {
    pub const NAMES: &'static [&'static str] =
        &["dark", "light", "forest", "winter", "berry", "sunny"];

    pub fn from_name(name: &str) -> Option<Theme> {
        Some(match name {
            "dark" => Theme::Dark,
            "light" => Theme::Light,
            "forest" => Theme::Forest,
            "winter" => Theme::Winter,
            "berry" => Theme::Berry,
            "sunny" => Theme::Sunny,
            _ => return None,
        })
    }

    pub fn palette(self) -> Palette {
        match self {
            Theme::Dark => Palette {
                background: [0x14, 0x1c, 0x2e],
                surface: [0x22, 0x2d, 0x45],
                text: [0xf7, 0xf3, 0xea],
                muted: [0xc3, 0xc9, 0xd6],
                accent: [0xf2, 0xb8, 0x4b],
            },
            Theme::Light => Palette {
                background: [0xf6, 0xf3, 0xec],
                surface: [0xff, 0xff, 0xff],
                text: [0x1b, 0x1f, 0x2a],
                muted: [0x4a, 0x50, 0x5e],
                accent: [0x1f, 0x5f, 0x8b],
            },
            Theme::Forest => Palette {
                background: [0x16, 0x32, 0x28],
                surface: [0x21, 0x45, 0x38],
                text: [0xf4, 0xf1, 0xe6],
                muted: [0xc6, 0xd6, 0xcb],
                accent: [0xe8, 0xc1, 0x6a],
            },
            Theme::Winter => Palette {
                background: [0x0f, 0x2a, 0x47],
                surface: [0x1a, 0x3c, 0x61],
                text: [0xf2, 0xf7, 0xfb],
                muted: [0xc2, 0xd5, 0xe6],
                accent: [0x8f, 0xd3, 0xf5],
            },
            Theme::Berry => Palette {
                background: [0x6b, 0x12, 0x1f],
                surface: [0x80, 0x1d, 0x2c],
                text: [0xfb, 0xf3, 0xee],
                muted: [0xf0, 0xd3, 0xd3],
                accent: [0xf5, 0xc8, 0x6b],
            },
            Theme::Sunny => Palette {
                background: [0xff, 0xd8, 0x4d],
                surface: [0xff, 0xf4, 0xcf],
                text: [0x1f, 0x1a, 0x10],
                muted: [0x4a, 0x3d, 0x1c],
                accent: [0xc2, 0x3b, 0x22],
            },
        }
    }
}

/// Colours for typographic covers: (background, text). A book without a cover picture gets one
/// of these, chosen from its title so the same book always looks the same.
pub const COVER_COLORS: [(Rgb, Rgb); 8] = [
    ([0x1f, 0x4e, 0x79], [0xfb, 0xf7, 0xee]),
    ([0x7a, 0x1f, 0x2b], [0xfb, 0xf3, 0xee]),
    ([0x23, 0x5b, 0x45], [0xf4, 0xf1, 0xe6]),
    ([0xe8, 0xb9, 0x4a], [0x1f, 0x1a, 0x10]),
    ([0x4b, 0x2e, 0x6b], [0xf6, 0xf0, 0xfa]),
    ([0xd9, 0x6c, 0x3b], [0x1f, 0x14, 0x0e]),
    ([0x2f, 0x3a, 0x4f], [0xf2, 0xf4, 0xf8]),
    ([0x9c, 0xc5, 0xb8], [0x14, 0x2a, 0x22]),
];

/// The typographic cover colours for a title.
pub fn cover_colors(title: &str) -> (Rgb, Rgb) {
    // FNV-1a: stable across runs and platforms, unlike the standard hasher.
    let hash = title.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    COVER_COLORS[(hash % COVER_COLORS.len() as u64) as usize]
}

/// Captions sit on a black band over the picture: this opaque over a dark picture, so more of
/// it shows...
pub const SCRIM_ALPHA_LIGHT: f64 = 0.6;
/// ...and up to this opaque over a bright one. The GPU blends in linear light, so the band must
/// be this dark for white text to keep 4.5:1 over a white picture.
pub const SCRIM_ALPHA: f64 = 0.82;
/// Text on the band.
pub const SCRIM_TEXT: Rgb = [0xff, 0xff, 0xff];
/// The least contrast of text with what is behind it (WCAG 2.x, level AA).
pub const MIN_CONTRAST: f64 = 4.5;

/// How bright the bright parts of some pixels are: the luminance that 98% of them stay under (a
/// few stray pixels do not make a picture bright).
pub fn bright_luminance(pixels: impl Iterator<Item = Rgb>) -> f64 {
    let mut l: Vec<f64> = pixels.map(luminance).collect();
    if l.is_empty() {
        return 0.0;
    }
    l.sort_by(f64::total_cmp);
    l[((l.len() - 1) as f64 * 0.98).round() as usize]
}

/// The contrast of the band's white text over a picture of luminance `picture` under a band of
/// opacity `alpha` (blended in linear light, as the GPU does).
pub fn band_contrast(picture: f64, alpha: f64) -> f64 {
    (luminance(SCRIM_TEXT) + 0.05) / (picture * (1.0 - alpha) + 0.05)
}

/// The lightest band, from [`SCRIM_ALPHA_LIGHT`] to [`SCRIM_ALPHA`], that keeps
/// [`MIN_CONTRAST`] over a picture of luminance `picture`.
pub fn band_alpha(picture: f64) -> f64 {
    let most = (luminance(SCRIM_TEXT) + 0.05) / MIN_CONTRAST - 0.05;
    let needed = if picture > 0.0 {
        1.0 - most / picture
    } else {
        0.0
    };
    needed.clamp(SCRIM_ALPHA_LIGHT, SCRIM_ALPHA)
}

/// Relative luminance of an sRGB colour (WCAG 2.x).
pub fn luminance(c: Rgb) -> f64 {
    let channel = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.040_45 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])
}

/// WCAG contrast ratio between two colours, from 1 to 21.
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_theme_keeps_text_readable() {
        for name in Theme::NAMES {
            let p = Theme::from_name(name).unwrap().palette();
            for (what, fg) in [("text", p.text), ("muted", p.muted)] {
                for (on, bg) in [("background", p.background), ("surface", p.surface)] {
                    let ratio = contrast(fg, bg);
                    assert!(ratio >= 4.5, "{name}: {what} on {on} is {ratio:.2}:1");
                }
            }
        }
    }

    #[test]
    fn typographic_covers_are_readable_and_stable() {
        for (bg, fg) in COVER_COLORS {
            assert!(
                contrast(fg, bg) >= 4.5,
                "{bg:?}/{fg:?}: {:.2}",
                contrast(fg, bg)
            );
        }
        assert_eq!(
            cover_colors("Pippi Långstrump"),
            cover_colors("Pippi Långstrump")
        );
    }

    #[test]
    fn captions_stay_readable_over_the_brightest_picture() {
        // The worst case is a white picture under the band; blending is in linear light.
        assert!(band_contrast(1.0, SCRIM_ALPHA) >= MIN_CONTRAST);
        assert!(band_contrast(1.0, band_alpha(1.0)) >= MIN_CONTRAST);
        // The usual band alone is not enough over white, so the band darkens there...
        assert!(band_contrast(1.0, SCRIM_ALPHA_LIGHT) < MIN_CONTRAST);
        assert!(band_alpha(1.0) > SCRIM_ALPHA_LIGHT);
        // ...and stays light over a dark picture.
        assert_eq!(band_alpha(0.05), SCRIM_ALPHA_LIGHT);
        for l in [0.0, 0.1, 0.3, 0.5, 0.8, 1.0] {
            assert!(
                band_contrast(l, band_alpha(l)) >= MIN_CONTRAST - 1e-9,
                "{l}"
            );
        }
    }

    #[test]
    fn the_bright_parts_of_a_picture_ignore_stray_pixels() {
        let mut pixels = vec![[20, 20, 20]; 99];
        pixels.push([255, 255, 255]);
        assert!(bright_luminance(pixels.iter().copied()) < 0.01);
        assert_eq!(bright_luminance(std::iter::empty()), 0.0);
        assert_eq!(
            bright_luminance(std::iter::repeat_n([255, 255, 255], 10)),
            1.0
        );
    }

    #[test]
    fn contrast_matches_known_values() {
        assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 1e-9);
        assert!((contrast([0x77, 0x77, 0x77], [255, 255, 255]) - 4.48).abs() < 0.01);
    }
}
