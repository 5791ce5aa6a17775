//! The touch bar's icons, drawn as pictures of any size: white shapes on transparency, their edges
//! smoothed by sampling each pixel sixteen times. Drawn, not taken from the font, so they look the
//! same whatever glyphs the font has.

use image::{Rgba, RgbaImage};

/// An icon of the touch bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Icon {
    Back,
    Forward,
    Pause,
    Play,
    Close,
}

/// Distance from `p` to the segment `a`–`b`.
fn to_segment(p: (f32, f32), a: (f32, f32), b: (f32, f32)) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    };
    (p.0 - a.0 - t * dx).hypot(p.1 - a.1 - t * dy)
}

impl Icon {
    /// Whether the point (in a unit square, 0 to 1 each way) is inside the shape.
    fn covers(self, x: f32, y: f32) -> bool {
        let stroke = 0.07;
        match self {
            Icon::Back => {
                to_segment((x, y), (0.62, 0.2), (0.34, 0.5)) < stroke
                    || to_segment((x, y), (0.34, 0.5), (0.62, 0.8)) < stroke
            }
            Icon::Forward => Icon::Back.covers(1.0 - x, y),
            Icon::Pause => {
                let bar = |x0: f32| (x0..x0 + 0.16).contains(&x);
                (0.2..0.8).contains(&y) && (bar(0.28) || bar(0.56))
            }
            Icon::Play => {
                // A triangle pointing right: (0.3, 0.2), (0.3, 0.8), (0.8, 0.5).
                x >= 0.3 && (y - 0.5).abs() <= 0.3 * (0.8 - x) / 0.5
            }
            Icon::Close => {
                to_segment((x, y), (0.25, 0.25), (0.75, 0.75)) < stroke
                    || to_segment((x, y), (0.75, 0.25), (0.25, 0.75)) < stroke
            }
        }
    }

    /// The icon `side` pixels square.
    pub fn draw(self, side: u32) -> RgbaImage {
        const N: u32 = 4;
        let side = side.max(1);
        RgbaImage::from_fn(side, side, |px, py| {
            let mut hits = 0;
            for sy in 0..N {
                for sx in 0..N {
                    let x = (px as f32 + (sx as f32 + 0.5) / N as f32) / side as f32;
                    let y = (py as f32 + (sy as f32 + 0.5) / N as f32) / side as f32;
                    hits += u32::from(self.covers(x, y));
                }
            }
            Rgba([255, 255, 255, (hits * 255 / (N * N)) as u8])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ink(img: &RgbaImage, x0: u32, x1: u32) -> u32 {
        img.enumerate_pixels()
            .filter(|(x, _, p)| (x0..x1).contains(x) && p[3] > 127)
            .count() as u32
    }

    #[test]
    fn icons_point_the_way_they_say() {
        let back = Icon::Back.draw(64);
        let forward = Icon::Forward.draw(64);
        // A "<" has its point on the left, a ">" on the right.
        assert!(ink(&back, 16, 26) > 0 && ink(&back, 36, 64) > 0);
        assert_eq!(ink(&back, 0, 16), 0);
        assert_eq!(ink(&forward, 48, 64), 0);
        let play = Icon::Play.draw(64);
        assert!(ink(&play, 19, 32) > ink(&play, 40, 52));
        let pause = Icon::Pause.draw(64);
        assert_eq!(ink(&pause, 29, 35), 0, "a gap between the bars");
        assert!(ink(&Icon::Close.draw(64), 0, 64) > 100);
    }

    #[test]
    fn edges_are_smoothed() {
        let play = Icon::Play.draw(48);
        let partial = play.pixels().filter(|p| p[3] > 0 && p[3] < 255).count();
        assert!(partial > 20, "{partial} edge pixels");
    }
}
