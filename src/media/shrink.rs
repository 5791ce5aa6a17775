//! Shrinking pictures to the size they are shown at: every new pixel the average of the old area
//! it covers (the right filter for shrinking), in integers, one row at a time.
//!
//! Pictures are shrunk each time their page is made ready, on a small machine: a covers page
//! shrinks a dozen covers and a picture page a 4K photo. `image`'s `thumbnail` does about the same
//! average in floating point, a pixel at a time: 5 to 10 ms a 600x900 cover and 54 to 79 ms a 4K
//! photo on this project's machine. This takes about 2 and 8 ms (README, "Light").

use image::RgbaImage;

/// A region of a picture: x, y, width, height.
pub(super) type Region = (u32, u32, u32, u32);

/// Fixed-point weights sum to this (14 bits: 255s times weights fit in 32 bits, and so do values
/// times 256 times weights).
const ONE: u32 = 1 << 14;

/// Shrinks `region` of a picture stored as rows of `C`-byte pixels (`stride` bytes a row; `C` is
/// 3 for RGB, 4 for RGBA) to `width`x`height` (no larger than the region), as RGBA.
///
/// While the region is at least twice the size on both sides, and even, it is first halved, 2x2
/// pixels into one (the exact average there, and cheaper than the general path); a 4K photo on a
/// 1080p screen is then done.
pub(super) fn shrink<const C: usize>(
    raw: &[u8],
    stride: usize,
    (x, y, w, h): Region,
    width: u32,
    height: u32,
) -> RgbaImage {
    debug_assert!(width <= w && height <= h && width > 0 && height > 0);
    if w >= 2 * width && h >= 2 * height && w % 2 == 0 && h % 2 == 0 {
        let half = halve::<C>(raw, stride, (x, y, w, h));
        let (hw, hh) = (w / 2, h / 2);
        return shrink::<C>(&half, hw as usize * C, (0, 0, hw, hh), width, height);
    }
    let n = w as usize * C;
    let row_of = |r: usize| {
        let start = (y as usize + r) * stride + x as usize * C;
        &raw[start..start + n]
    };
    let mut out = Vec::with_capacity(width as usize * height as usize * 4);
    if (w, h) == (width, height) {
        for r in 0..h as usize {
            push_rgba::<C>(row_of(r), &mut out);
        }
        return RgbaImage::from_raw(width, height, out).expect("a buffer of the region's size");
    }
    // Down first, over whole rows (these loops are vectorised), then across the new row.
    let columns = (w != width).then(|| Taps::new(w, width));
    let mut sums = vec![0u32; n];
    let mut line = vec![0u16; n];
    let mut bytes = vec![0u8; width as usize * C];
    for (first, weights) in Taps::new(h, height).iter() {
        sums.fill(0);
        for (j, &weight) in weights.iter().enumerate() {
            let weight = u32::from(weight);
            for (s, &v) in sums.iter_mut().zip(row_of(first + j)) {
                *s += weight * u32::from(v);
            }
        }
        match &columns {
            None => {
                for (b, &s) in bytes.iter_mut().zip(&sums) {
                    *b = ((s + ONE / 2) >> 14) as u8;
                }
            }
            Some(columns) => {
                // Each value times 256 in 16 bits, so the sums across fit in 32.
                for (l, &s) in line.iter_mut().zip(&sums) {
                    *l = ((s + 32) >> 6) as u16;
                }
                across::<C>(&line, columns, &mut bytes);
            }
        }
        push_rgba::<C>(&bytes, &mut out);
    }
    RgbaImage::from_raw(width, height, out).expect("a buffer of the shrunk size")
}

/// Appends a row of `C`-byte pixels (RGB or RGBA) as RGBA.
fn push_rgba<const C: usize>(row: &[u8], out: &mut Vec<u8>) {
    if C == 4 {
        out.extend_from_slice(row);
    } else {
        for px in row.as_chunks::<C>().0 {
            out.extend_from_slice(&[px[0], px[1], px[2], 255]);
        }
    }
}

/// One row of `C`-value pixels (each value times 256) shrunk across by `columns`, into bytes.
fn across<const C: usize>(line: &[u16], columns: &Taps, bytes: &mut [u8]) {
    for (out, (first, weights)) in bytes.as_chunks_mut::<C>().0.iter_mut().zip(columns.iter()) {
        let mut sums = [0u32; C];
        let pixels = line[first * C..].as_chunks::<C>().0;
        for (px, &weight) in pixels.iter().zip(weights) {
            for k in 0..C {
                sums[k] += u32::from(weight) * u32::from(px[k]);
            }
        }
        // Weights of 14 bits times values of 8 + 8 bits: back to a byte, rounded.
        for k in 0..C {
            out[k] = ((sums[k] + (1 << 21)) >> 22) as u8;
        }
    }
}

/// A region of even width and height at half its size: each new pixel is the mean of the 2x2 it
/// covers, rounded to nearest. Rows of `C`-byte pixels, packed.
fn halve<const C: usize>(raw: &[u8], stride: usize, (x, y, w, h): Region) -> Vec<u8> {
    debug_assert!(w >= 2 && h >= 2 && w % 2 == 0 && h % 2 == 0);
    let (nw, nh) = (w as usize / 2, h as usize / 2);
    let line = nw * 2 * C;
    let mut pairs = vec![0u16; line];
    let mut out = vec![0; nw * nh * C];
    for (oy, row) in out.chunks_exact_mut(nw * C).enumerate() {
        let top = (y as usize + 2 * oy) * stride + x as usize * C;
        let (a, b) = (
            &raw[top..top + line],
            &raw[top + stride..top + stride + line],
        );
        // Down first (this loop is vectorised), then across.
        for ((p, &a), &b) in pairs.iter_mut().zip(a).zip(b) {
            *p = u16::from(a) + u16::from(b);
        }
        let pairs = pairs.as_chunks::<C>().0;
        for (o, two) in row
            .as_chunks_mut::<C>()
            .0
            .iter_mut()
            .zip(pairs.chunks_exact(2))
        {
            for k in 0..C {
                o[k] = ((two[0][k] + two[1][k] + 2) >> 2) as u8;
            }
        }
    }
    out
}

/// The weights of an area-average shrink along one side, from `old` pixels to `new`: for each new
/// pixel the first old pixel it covers, and how much of each old pixel it takes (in `ONE`s,
/// summing to `ONE`).
struct Taps {
    first: Vec<usize>,
    /// Where each new pixel's weights start in `weights` (one more entry than pixels).
    at: Vec<usize>,
    weights: Vec<u16>,
}

impl Taps {
    fn new(old: u32, new: u32) -> Self {
        let (old, new) = (u64::from(old), u64::from(new));
        let mut taps = Taps {
            first: Vec::with_capacity(new as usize),
            at: vec![0],
            weights: Vec::new(),
        };
        // In units of 1/(old*new) of the side: old pixel i spans [i*new, (i+1)*new), new
        // pixel o spans [o*old, (o+1)*old).
        for o in 0..new {
            let (lo, hi) = (o * old, (o + 1) * old);
            let (first, last) = (lo / new, (hi - 1) / new);
            // Rounded where the running overlap ends, so the weights sum to ONE exactly and each
            // is within one of its share.
            let mut covered = 0;
            let mut given = 0;
            for i in first..=last {
                covered += hi.min((i + 1) * new) - lo.max(i * new);
                let upto = (covered * u64::from(ONE) + old / 2) / old;
                taps.weights.push((upto - given) as u16);
                given = upto;
            }
            taps.first.push(first as usize);
            taps.at.push(taps.weights.len());
        }
        taps
    }

    fn iter(&self) -> impl Iterator<Item = (usize, &[u16])> {
        self.first
            .iter()
            .zip(self.at.windows(2))
            .map(|(&first, at)| (first, &self.weights[at[0]..at[1]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_new_pixel_takes_exactly_its_share_of_the_old() {
        for (old, new) in [(3, 2), (600, 409), (1000, 999), (8000, 1), (7, 7), (5, 3)] {
            let taps = Taps::new(old, new);
            assert_eq!(taps.first.len(), new as usize);
            let mut taken = vec![0u64; old as usize];
            for (first, weights) in taps.iter() {
                assert_eq!(weights.iter().map(|&w| u32::from(w)).sum::<u32>(), ONE);
                for (i, &w) in weights.iter().enumerate() {
                    taken[first + i] += u64::from(w);
                }
            }
            // Each old pixel is shared out whole (to rounding): new/old of ONE in all.
            let share = u64::from(ONE) * u64::from(new) / u64::from(old);
            for t in taken {
                assert!(
                    t.abs_diff(share) <= 2 + share / 100,
                    "{old}->{new}: {t} of {share}"
                );
            }
        }
    }

    #[test]
    fn halving_takes_the_rounded_mean_of_each_two_by_two() {
        let rows: [[[u8; 3]; 5]; 3] = [
            [
                [0, 10, 255],
                [4, 20, 255],
                [8, 0, 0],
                [8, 2, 0],
                [99, 99, 99],
            ],
            [
                [1, 30, 255],
                [2, 40, 254],
                [8, 0, 0],
                [9, 1, 0],
                [99, 99, 99],
            ],
            [[77, 77, 77]; 5],
        ];
        let raw = rows.concat().concat();
        assert_eq!(halve::<3>(&raw, 15, (0, 0, 4, 2)), [2, 25, 255, 8, 1, 0]);
        // A region: only its own pixels count (not the fifth column, nor the third row).
        assert_eq!(halve::<3>(&raw, 15, (2, 0, 2, 2)), [8, 1, 0]);
    }

    /// The area average in floating point, pixel by pixel: what `shrink` must give.
    fn reference(raw: &[u8], w: u32, h: u32, width: u32, height: u32) -> Vec<f64> {
        let (sx, sy) = (
            f64::from(w) / f64::from(width),
            f64::from(h) / f64::from(height),
        );
        let cover = |o: u32, s: f64, i: u32| {
            let (lo, hi) = (f64::from(o) * s, f64::from(o + 1) * s);
            (hi.min(f64::from(i + 1)) - lo.max(f64::from(i))).max(0.0)
        };
        let mut out = Vec::new();
        for oy in 0..height {
            for ox in 0..width {
                for k in 0..3 {
                    let mut sum = 0.0;
                    for iy in 0..h {
                        for ix in 0..w {
                            let v = f64::from(raw[((iy * w + ix) * 3 + k) as usize]);
                            sum += v * cover(ox, sx, ix) * cover(oy, sy, iy);
                        }
                    }
                    out.push(sum / (sx * sy));
                }
            }
        }
        out
    }

    /// That each red, green and blue of `ours` is `exact` rounded (to within a hair).
    fn assert_rounded(ours: &RgbaImage, exact: &[f64], what: &str) {
        let rgb = ours.pixels().flat_map(|p| [p[0], p[1], p[2]]);
        assert_eq!(rgb.clone().count(), exact.len(), "{what}");
        for (i, (a, b)) in rgb.zip(exact).enumerate() {
            assert!(
                (f64::from(a) - b).abs() <= 0.51,
                "{what}, value {i}: {a} for {b}"
            );
        }
    }

    #[test]
    fn a_shrink_is_the_average_of_the_area_each_new_pixel_covers() {
        let (w, h) = (31, 23);
        let raw: Vec<u8> = (0..w * h * 3).map(|i| ((i * 7919) % 251) as u8).collect();
        for (width, height) in [
            (30, 22),
            (20, 15),
            (15, 11),
            (17, 5),
            (1, 1),
            (31, 1),
            (7, 23),
        ] {
            let ours = shrink::<3>(&raw, w as usize * 3, (0, 0, w, h), width, height);
            let exact = reference(&raw, w, h, width, height);
            assert_rounded(&ours, &exact, &format!("{width}x{height}"));
        }
    }

    #[test]
    fn a_region_of_any_size_shrinks_to_any_smaller_size() {
        // Sizes from a small generator (no halving: the region is odd in width), each a region
        // of a larger picture, shrunk and checked against the exact average of that region.
        let (big_w, big_h) = (29, 21);
        let raw: Vec<u8> = (0..big_w * big_h * 4)
            .map(|i| ((i * 7919) % 253) as u8)
            .collect();
        let mut seed = 12345u32;
        let mut next = |n: u32| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (seed >> 16) % n
        };
        for _ in 0..40 {
            let w = 1 + 2 * next(big_w / 2);
            let h = 1 + next(big_h);
            let (x, y) = (next(big_w - w + 1), next(big_h - h + 1));
            let (width, height) = (1 + next(w), 1 + next(h));
            let region: Vec<u8> = (y..y + h)
                .flat_map(|r| {
                    let at = ((r * big_w + x) * 4) as usize;
                    raw[at..at + w as usize * 4].to_vec()
                })
                .collect();
            let rgb: Vec<u8> = region.chunks(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
            let ours = shrink::<4>(&raw, big_w as usize * 4, (x, y, w, h), width, height);
            let exact = reference(&rgb, w, h, width, height);
            assert_rounded(
                &ours,
                &exact,
                &format!("{w}x{h} at {x},{y} to {width}x{height}"),
            );
        }
    }

    #[test]
    fn halving_a_whole_picture_is_the_exact_average_too() {
        let (w, h) = (32, 24);
        let raw: Vec<u8> = (0..w * h * 3).map(|i| ((i * 7919) % 251) as u8).collect();
        let ours = shrink::<3>(&raw, w as usize * 3, (0, 0, w, h), 16, 12);
        assert_rounded(&ours, &reference(&raw, w, h, 16, 12), "32x24 to 16x12");
    }

    #[test]
    fn a_plain_colour_stays_that_colour_at_any_size() {
        let raw = [12u8, 200, 99, 128].repeat(37 * 23);
        for (w, h) in [(1, 1), (5, 3), (18, 11), (36, 22), (37, 23)] {
            let out = shrink::<4>(&raw, 37 * 4, (0, 0, 37, 23), w, h);
            assert_eq!(out.dimensions(), (w, h));
            assert!(out.pixels().all(|p| p.0 == [12, 200, 99, 128]), "{w}x{h}");
        }
    }

    #[test]
    fn an_exact_shrink_averages_each_block() {
        // A 6x3 RGB picture, shrunk by 3 across and down: two blocks.
        let raw: Vec<u8> = (0..3)
            .flat_map(|y| (0..6).flat_map(move |x| [x * 10 + y, 100, if x < 3 { 0 } else { 90 }]))
            .collect();
        let out = shrink::<3>(&raw, 18, (0, 0, 6, 3), 2, 1);
        // Left: x 0..3, y 0..3: mean of x*10+y is 11; right: 41.
        assert_eq!(out.as_raw(), &[11, 100, 0, 255, 41, 100, 90, 255]);
    }
}
