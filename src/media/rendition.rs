//! Pictures kept on disk as a screen shows them. A 4K photo on a full-HD screen is decoded whole
//! (25 MB of pixels for a moment) and averaged down to 8 MB every time its page comes round. Its
//! rendition, the 8 MB at the screen's size, is written once to the cache and read back directly
//! from then on: the page's memory peak is the picture it shows, and the decode's CPU is spent
//! once per picture instead of once per loop.
//!
//! A rendition is named by its source blob's SHA-256, the box it was made for and how it fits,
//! so it never goes stale: different bytes are a different blob. Only pictures of a megabyte or
//! more at screen size are kept (covers and codes decode in a moment). The folder is bounded:
//! renditions not shown for a day are removed when space is needed, and when the rest still
//! fills the budget, new ones are simply not kept (no picture is written and removed again
//! on every loop). A rendition that cannot be read back whole is ignored and made again.
//!
//! ```text
//! renditions/<sha256>-<width>x<height>-<fill|fit>.rgba
//!   "vitrinR1", width and height (u32, little-endian), then the RGBA rows
//! ```

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use image::RgbaImage;

use super::{Fit, Media, MediaError, MediaStore, is_sha256};
use crate::fsutil::{commit_file, is_temp_name, temp_path};

const MAGIC: &[u8; 8] = b"vitrinR1";
const HEADER: usize = MAGIC.len() + 8;

/// Renditions smaller than this are not kept: decoding them is quick.
pub const SMALLEST_KEPT: usize = 1024 * 1024;
/// The most the rendition folder holds unless told otherwise (a screen gives it a quarter of its
/// `cache_size`).
pub const BUDGET_BYTES: u64 = 500_000_000;
/// Renditions not shown for this long may be removed to make room.
pub const UNUSED_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// A folder of renditions.
#[derive(Debug, Clone)]
pub struct Renditions {
    dir: PathBuf,
    budget: u64,
}

impl Renditions {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            budget: BUDGET_BYTES,
        }
    }

    /// The same folder with another budget, in bytes.
    pub fn with_budget(self, budget: u64) -> Self {
        Self { budget, ..self }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the rendition of blob `sha256` for a `width`x`height` box lives; `None` for a name
    /// that is not a SHA-256 (it never becomes part of a path).
    fn path(&self, sha256: &str, width: u32, height: u32, fit: Fit) -> Option<PathBuf> {
        let fit = match fit {
            Fit::Fill => "fill",
            Fit::Fit => "fit",
        };
        is_sha256(sha256).then(|| {
            self.dir
                .join(format!("{sha256}-{width}x{height}-{fit}.rgba"))
        })
    }

    /// The rendition of blob `sha256` for a `width`x`height` box, if one was kept and reads back
    /// whole. Reading it marks it as shown.
    pub fn get(&self, sha256: &str, width: u32, height: u32, fit: Fit) -> Option<RgbaImage> {
        let path = self.path(sha256, width, height, fit)?;
        let mut file = File::open(&path).ok()?;
        let mut header = [0u8; HEADER];
        file.read_exact(&mut header).ok()?;
        let (w, h) = parse_header(&header)?;
        // Never larger than the box, and exactly as long as its header says: anything else is
        // not a rendition this program wrote whole.
        let len = (w as usize).checked_mul(h as usize)?.checked_mul(4)?;
        if w > width || h > height || file.metadata().ok()?.len() != (HEADER + len) as u64 {
            tracing::debug!(path = %path.display(), "a rendition does not read back whole: made again");
            return None;
        }
        let mut pixels = vec![0u8; len];
        file.read_exact(&mut pixels).ok()?;
        drop(file);
        touch(&path);
        RgbaImage::from_raw(w, h, pixels)
    }

    /// Keeps `img`, the rendition of blob `sha256` for a `width`x`height` box, if it is worth
    /// keeping and there is room. Failing to write only means decoding again next time.
    pub fn put(&self, sha256: &str, width: u32, height: u32, fit: Fit, img: &RgbaImage) {
        let bytes = img.as_raw().len();
        if bytes < SMALLEST_KEPT {
            return;
        }
        let Some(path) = self.path(sha256, width, height, fit) else {
            return;
        };
        if !self.make_room((HEADER + bytes) as u64) {
            tracing::debug!(
                folder = %self.dir.display(),
                "the renditions fill their budget: this picture is decoded each time"
            );
            return;
        }
        if let Err(e) = write(&path, img) {
            tracing::debug!("cannot keep a rendition, the picture is decoded each time: {e}");
        }
    }

    /// Removes renditions unused for [`UNUSED_AFTER`], oldest first, until `more` bytes fit in the
    /// budget; whether they do.
    fn make_room(&self, more: u64) -> bool {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            // No folder yet: it is made when the first rendition is written.
            return more <= self.budget;
        };
        let mut files: Vec<(SystemTime, u64, PathBuf)> = entries
            .flatten()
            .filter_map(|e| {
                let meta = e.metadata().ok()?;
                let name = e.file_name();
                if is_temp_name(&name.to_string_lossy()) {
                    // Left by a write that was cut off (an hour on: not one under way).
                    if meta.modified().ok()?.elapsed().ok()? > Duration::from_secs(3600) {
                        let _ = std::fs::remove_file(e.path());
                    }
                    return None;
                }
                meta.is_file().then(|| {
                    (
                        meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                        meta.len(),
                        e.path(),
                    )
                })
            })
            .collect();
        let mut used: u64 = files.iter().map(|f| f.1).sum();
        files.sort();
        let unused_since = SystemTime::now()
            .checked_sub(UNUSED_AFTER)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        for (modified, len, path) in files {
            if used + more <= self.budget || modified > unused_since {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                used -= len;
            }
        }
        used + more <= self.budget
    }
}

fn parse_header(header: &[u8; HEADER]) -> Option<(u32, u32)> {
    let (magic, size) = header.split_at(MAGIC.len());
    (magic == MAGIC).then(|| {
        let (w, h) = size.split_at(4);
        (
            u32::from_le_bytes(w.try_into().expect("four bytes")),
            u32::from_le_bytes(h.try_into().expect("four bytes")),
        )
    })
}

/// Writes a rendition durably under a temporary name and moves it into place, so that a
/// rendition is either whole or absent.
fn write(path: &Path, img: &RgbaImage) -> Result<(), crate::fsutil::PathError> {
    use crate::fsutil::WithPath;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_path(dir)?;
    let tmp = temp_path(path);
    let written = (|| {
        let mut file = File::create(&tmp)?;
        file.write_all(MAGIC)?;
        file.write_all(&img.width().to_le_bytes())?;
        file.write_all(&img.height().to_le_bytes())?;
        file.write_all(img.as_raw())
    })()
    .with_path(&tmp);
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return written;
    }
    commit_file(&tmp, path)
}

/// Marks a rendition as shown now (its modification time), for the budget's oldest-first removal.
fn touch(path: &Path) {
    if let Ok(file) = File::options().write(true).open(path) {
        let _ = file.set_modified(SystemTime::now());
    }
}

/// A media store whose pictures are kept as renditions in `renditions`.
pub struct WithRenditions<'a> {
    pub store: &'a dyn MediaStore,
    pub renditions: &'a Renditions,
}

impl MediaStore for WithRenditions<'_> {
    fn read(&self, media: &Media) -> Result<Vec<u8>, MediaError> {
        self.store.read(media)
    }

    fn renditions(&self) -> Option<&Renditions> {
        Some(self.renditions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn picture(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, y| {
            image::Rgba([x as u8, y as u8, (x ^ y) as u8, 255])
        })
    }

    #[test]
    fn a_rendition_reads_back_as_it_was_kept() {
        let dir = tempfile::tempdir().unwrap();
        let r = Renditions::new(dir.path());
        let img = picture(700, 400);
        assert_eq!(r.get(SHA, 800, 400, Fit::Fit), None);
        r.put(SHA, 800, 400, Fit::Fit, &img);
        assert_eq!(r.get(SHA, 800, 400, Fit::Fit), Some(img));
        // Another box, another fit: another rendition.
        assert_eq!(r.get(SHA, 800, 400, Fit::Fill), None);
        assert_eq!(r.get(SHA, 801, 400, Fit::Fit), None);
    }

    #[test]
    fn small_pictures_and_names_that_are_not_hashes_are_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let r = Renditions::new(dir.path());
        r.put(SHA, 300, 300, Fit::Fill, &picture(300, 300));
        let hostile = "../../../../etc/passwd";
        r.put(hostile, 800, 400, Fit::Fill, &picture(800, 400));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert_eq!(r.get(hostile, 800, 400, Fit::Fill), None);
    }

    #[test]
    fn a_damaged_rendition_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let r = Renditions::new(dir.path());
        r.put(SHA, 800, 400, Fit::Fill, &picture(800, 400));
        let path = r.path(SHA, 800, 400, Fit::Fill).unwrap();
        let whole = std::fs::read(&path).unwrap();
        // Cut off, a header claiming more than the box, a foreign file.
        std::fs::write(&path, &whole[..whole.len() - 1]).unwrap();
        assert_eq!(r.get(SHA, 800, 400, Fit::Fill), None);
        let mut larger = whole.clone();
        larger[8..12].copy_from_slice(&4000u32.to_le_bytes());
        std::fs::write(&path, &larger).unwrap();
        assert_eq!(r.get(SHA, 800, 400, Fit::Fill), None);
        std::fs::write(&path, b"not a rendition").unwrap();
        assert_eq!(r.get(SHA, 800, 400, Fit::Fill), None);
        // Kept again, it reads back.
        r.put(SHA, 800, 400, Fit::Fill, &picture(800, 400));
        assert!(r.get(SHA, 800, 400, Fit::Fill).is_some());
    }

    #[test]
    fn the_budget_removes_only_renditions_unused_for_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let one = (HEADER + 800 * 400 * 4) as u64;
        let r = Renditions::new(dir.path()).with_budget(2 * one);
        let sha = |n: u8| format!("{:064x}", n);
        r.put(&sha(1), 800, 400, Fit::Fill, &picture(800, 400));
        r.put(&sha(2), 800, 400, Fit::Fill, &picture(800, 400));
        // Full, and both shown today: the third is not kept, and nothing is removed.
        r.put(&sha(3), 800, 400, Fit::Fill, &picture(800, 400));
        assert!(r.get(&sha(1), 800, 400, Fit::Fill).is_some());
        assert!(r.get(&sha(2), 800, 400, Fit::Fill).is_some());
        assert!(r.get(&sha(3), 800, 400, Fit::Fill).is_none());
        // The first not shown for two days: it makes room.
        let old = SystemTime::now() - 2 * UNUSED_AFTER;
        let first = r.path(&sha(1), 800, 400, Fit::Fill).unwrap();
        File::options()
            .write(true)
            .open(&first)
            .unwrap()
            .set_modified(old)
            .unwrap();
        r.put(&sha(3), 800, 400, Fit::Fill, &picture(800, 400));
        assert!(!first.exists());
        assert!(r.get(&sha(2), 800, 400, Fit::Fill).is_some());
        assert!(r.get(&sha(3), 800, 400, Fit::Fill).is_some());
    }
}
