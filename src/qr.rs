//! QR codes as crisp pixels: whole modules only, nearest-neighbour, dark on light, with the quiet
//! zone of four modules that scanners need.

use image::{Rgba, RgbaImage};
use qrcode::{EcLevel, QrCode, Version};

/// Codes above this version have modules too small to scan from a couple of metres on a big screen.
pub const MAX_COMFORTABLE_VERSION: i16 = 10;
/// Modules of light margin around the code; the QR standard asks for four.
pub const QUIET_ZONE: usize = 4;

/// Why a text cannot become a QR code at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("text of {len} bytes is too long for any QR code")]
pub struct QrError {
    pub len: usize,
}

/// The modules of one QR code (`true` is dark), row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    pub width: usize,
    pub version: i16,
    modules: Vec<bool>,
}

impl QrMatrix {
    /// Encodes `text` with error correction level M (15 %), the usual choice for printed and
    /// displayed links.
    pub fn encode(text: &str) -> Result<Self, QrError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map_err(|_| QrError { len: text.len() })?;
        Ok(Self {
            width: code.width(),
            version: number(code.version()),
            modules: code
                .to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect(),
        })
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.modules[y * self.width + x]
    }

    /// Modules across, quiet zone included.
    pub fn width_with_quiet_zone(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    /// Whole pixels per module so that the code with its quiet zone fits in `max_px`, at least 1.
    pub fn scale_for(&self, max_px: u32) -> u32 {
        (max_px / self.width_with_quiet_zone() as u32).max(1)
    }

    /// The code as an image of `scale` pixels per module, quiet zone included, `dark` on `light`.
    pub fn to_image(&self, scale: u32, dark: [u8; 4], light: [u8; 4]) -> RgbaImage {
        let modules = self.width_with_quiet_zone() as u32;
        let side = modules * scale;
        RgbaImage::from_fn(side, side, |px, py| {
            let mx = (px / scale) as usize;
            let my = (py / scale) as usize;
            let inside = (QUIET_ZONE..QUIET_ZONE + self.width).contains(&mx)
                && (QUIET_ZONE..QUIET_ZONE + self.width).contains(&my);
            if inside && self.is_dark(mx - QUIET_ZONE, my - QUIET_ZONE) {
                Rgba(dark)
            } else {
                Rgba(light)
            }
        })
    }
}

/// The QR version a text would need, if it can be encoded at all.
///
/// Only the data is encoded, the same way [`QrMatrix::encode`] starts: the modules and the search
/// for the best of the eight masks, most of the work of a whole code, are not needed to know its
/// size. The checker and the catalog ask this for every link they read.
pub fn version_for(text: &str) -> Option<i16> {
    let bits = qrcode::bits::encode_auto(text.as_bytes(), EcLevel::M).ok()?;
    Some(number(bits.version()))
}

/// A version's number (1 to 40; M1 to M4 for micro codes, which vitrin does not make).
fn number(version: Version) -> i16 {
    match version {
        Version::Normal(v) | Version::Micro(v) => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portal_links_are_small_codes() {
        let m = QrMatrix::encode("https://bibliotekvarmland.se/fraga-biblioteket").unwrap();
        assert!(m.version <= 4, "version {}", m.version);
        assert_eq!(m.width, 17 + 4 * m.version as usize);
    }

    #[test]
    fn long_links_need_big_versions() {
        let long = format!("https://bibliotekvarmland.se/search?q={}", "x".repeat(300));
        assert!(version_for(&long).unwrap() > MAX_COMFORTABLE_VERSION);
    }

    #[test]
    fn version_for_is_the_version_of_the_whole_code() {
        // Every fourth version or so, and past the largest; whole codes are slow in a debug build.
        let mut texts: Vec<String> = (0..3000)
            .step_by(111)
            .map(|n| format!("https://bibliotekvarmland.se/?q={}", "å1x".repeat(n / 3)))
            .collect();
        texts.extend(["", "0123456789", "HTTPS://A.SE/", "x"].map(String::from));
        for text in texts {
            let whole = QrMatrix::encode(&text).ok().map(|m| m.version);
            assert_eq!(version_for(&text), whole, "{} bytes", text.len());
        }
    }

    #[test]
    fn image_has_whole_modules_and_quiet_zone() {
        let m = QrMatrix::encode("https://example.se/").unwrap();
        let scale = m.scale_for(400);
        let img = m.to_image(scale, [0, 0, 0, 255], [255, 255, 255, 255]);
        assert_eq!(img.width(), m.width_with_quiet_zone() as u32 * scale);
        // The quiet zone is light all round.
        for i in 0..img.width() {
            for edge in 0..QUIET_ZONE as u32 * scale {
                assert_eq!(img.get_pixel(i, edge).0[0], 255);
                assert_eq!(img.get_pixel(edge, i).0[0], 255);
            }
        }
        // The finder pattern's corner module is dark.
        let q = QUIET_ZONE as u32 * scale;
        assert_eq!(img.get_pixel(q, q).0[0], 0);
    }
}
