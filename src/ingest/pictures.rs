//! The picture pipeline every picture goes through before any screen shows it, the same for a feed
//! (`publish`) and for a standalone screen: read or download, decode completely (a cut-off or
//! broken file is refused here, not on screen), scale down to the largest screen size, and store
//! as a blob named by its SHA-256. So a library's standalone preview shows exactly the pixels its
//! feed screens show.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::catalog::Resolver;
use crate::fsutil::{PathError, WithPath, write_atomic};
use crate::http::FetchError;
use crate::media::{
    BlobRef, Fit, ImageProblem, Media, blob_path, decode_image, probe_image_bytes, sha256_hex,
    sniff_media_type,
};

/// The largest picture any screen shows: 4K. Larger pictures are scaled down to fit.
pub const MAX_WIDTH: u32 = 3840;
pub const MAX_HEIGHT: u32 = 2160;
/// JPEG quality of pictures that had to be scaled down.
const JPEG_QUALITY: u8 = 88;

/// Why a picture could not become a blob. Names the picture.
#[derive(Debug, thiserror::Error)]
#[error("{media}: {problem}")]
pub struct PictureError {
    pub media: String,
    #[source]
    pub problem: PictureProblem,
}

/// What was wrong with a picture.
#[derive(Debug, thiserror::Error)]
pub enum PictureProblem {
    #[error(transparent)]
    Read(#[from] PathError),
    #[error(transparent)]
    Download(#[from] FetchError),
    #[error(transparent)]
    Picture(#[from] ImageProblem),
    #[error("cannot encode the scaled picture")]
    Encode(#[source] image::ImageError),
    #[error("the blob is not in {0} any more")]
    MissingBlob(PathBuf),
}

/// What a picture was made from, to know when it must be made again.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Origin {
    /// A file as it was (its size and modification time): unchanged, it is not even read again.
    File {
        path: PathBuf,
        len: u64,
        modified: SystemTime,
    },
    /// Bytes, by their SHA-256: a download that gives the same bytes is not decoded again.
    Bytes(String),
}

/// Turns pictures into blobs under a blob folder (`<dir>/sha256/ab/abcdef…`), each made once: an
/// unchanged file is not read again, the same bytes (a download that did not change) are not
/// decoded again, also across restarts when the folder keeps an index.
#[derive(Debug)]
pub struct Pictures {
    dir: PathBuf,
    made: HashMap<Origin, BlobRef>,
    /// Where `made` is kept between runs, if anywhere.
    index: Option<PathBuf>,
    /// Blobs written by this pipeline since it was made.
    pub new_blobs: usize,
    pub new_bytes: u64,
}

impl Pictures {
    /// A pipeline writing into `dir`, remembering nothing between runs (a publish).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            made: HashMap::new(),
            index: None,
            new_blobs: 0,
            new_bytes: 0,
        }
    }

    /// A pipeline that keeps what it made in `index` (a standalone screen: restarts are quick).
    pub fn with_index(dir: impl Into<PathBuf>, index: PathBuf) -> Self {
        let made = std::fs::read(&index)
            .ok()
            .and_then(|b| serde_json::from_slice::<Vec<(Origin, BlobRef)>>(&b).ok())
            .map(|v| v.into_iter().collect())
            .unwrap_or_default();
        Self {
            made,
            index: Some(index),
            ..Self::new(dir)
        }
    }

    /// The folder blobs are written under.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The blob for a picture, made now if need be.
    pub fn blob(&mut self, media: &Media, fetch: &mut Resolver) -> Result<BlobRef, PictureError> {
        let error = |problem: PictureProblem| PictureError {
            media: media.label(),
            problem,
        };
        let bytes = match media {
            Media::Blob(b) => {
                // Books kept from an earlier generation: their blobs are here already.
                return if blob_path(&self.dir, &b.sha256).is_file() {
                    Ok(b.clone())
                } else {
                    Err(error(PictureProblem::MissingBlob(self.dir.clone())))
                };
            }
            Media::File(path) => {
                let file = file_origin(path);
                if let Some(b) = file.as_ref().and_then(|o| self.made_before(o)) {
                    return Ok(b);
                }
                let bytes = crate::fsutil::read_bounded(path, crate::generation::MAX_BLOB_BYTES)
                    .with_path(path)
                    .map_err(|e| error(e.into()))?;
                let blob = self.blob_of_bytes(bytes).map_err(error)?;
                if let Some(o) = file {
                    self.made.insert(o, blob.clone());
                }
                return Ok(blob);
            }
            // The fetcher keeps a copy and asks the server only when it is old.
            Media::Url(url) => fetch.download(url).map_err(|e| error(e.into()))?,
        };
        self.blob_of_bytes(bytes).map_err(error)
    }

    /// A blob made earlier from this origin, if it is still there.
    fn made_before(&self, origin: &Origin) -> Option<BlobRef> {
        self.made
            .get(origin)
            .filter(|b| blob_path(&self.dir, &b.sha256).is_file())
            .cloned()
    }

    /// The blob for a picture's bytes: made once for the same bytes.
    fn blob_of_bytes(&mut self, bytes: Vec<u8>) -> Result<BlobRef, PictureProblem> {
        let origin = Origin::Bytes(sha256_hex(&bytes));
        if let Some(b) = self.made_before(&origin) {
            return Ok(b);
        }
        let blob = self.store(screen_ready(bytes)?)?;
        self.made.insert(origin, blob.clone());
        Ok(blob)
    }

    fn store(&mut self, bytes: Vec<u8>) -> Result<BlobRef, PathError> {
        let sha256 = sha256_hex(&bytes);
        let path = blob_path(&self.dir, &sha256);
        if !path.is_file() {
            write_atomic(&path, &bytes)?;
            self.new_blobs += 1;
            self.new_bytes += bytes.len() as u64;
        }
        Ok(BlobRef {
            sha256,
            size: bytes.len() as u64,
            media_type: sniff_media_type(&bytes).to_string(),
        })
    }

    /// Removes the blobs not in `keep` (a standalone screen's folder would otherwise grow with
    /// every edit), forgets them, and saves the index.
    pub fn keep_only(&mut self, keep: &HashSet<&str>) {
        self.made.retain(|_, b| keep.contains(b.sha256.as_str()));
        for fan in std::fs::read_dir(self.dir.join("sha256"))
            .into_iter()
            .flatten()
            .flatten()
        {
            for blob in std::fs::read_dir(fan.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = blob.file_name();
                if !keep.contains(name.to_string_lossy().as_ref()) {
                    let _ = std::fs::remove_file(blob.path());
                }
            }
        }
        self.save_index();
    }

    fn save_index(&self) {
        let Some(index) = &self.index else { return };
        let list: Vec<(&Origin, &BlobRef)> = self.made.iter().collect();
        let bytes = serde_json::to_vec(&list).expect("the index serializes");
        if let Err(e) = write_atomic(index, &bytes) {
            tracing::warn!(
                "cannot keep the picture index, pictures are made again next start: {e}"
            );
        }
    }
}

/// A file's origin as it is now, if it can be read.
fn file_origin(path: &Path) -> Option<Origin> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Origin::File {
        path: path.to_path_buf(),
        len: meta.len(),
        modified: meta.modified().ok()?,
    })
}

/// Turns a picture's bytes into what screens get: the original when it is small enough (decoded
/// completely first, which proves it whole), else scaled down to fit 4K and re-encoded (JPEG, or
/// PNG when it has transparency).
pub fn screen_ready(bytes: Vec<u8>) -> Result<Vec<u8>, PictureProblem> {
    let (w, h) = probe_image_bytes(&bytes)?;
    if w <= MAX_WIDTH && h <= MAX_HEIGHT {
        decode_image(&bytes, 1, 1, Fit::Fit)?;
        return Ok(bytes);
    }
    let img = decode_image(&bytes, MAX_WIDTH, MAX_HEIGHT, Fit::Fit)?;
    let opaque = img.pixels().all(|p| p.0[3] == 255);
    let mut out = Vec::new();
    let encoded = if opaque {
        let rgb = image::DynamicImage::ImageRgba8(img).into_rgb8();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
            .encode_image(&rgb)
    } else {
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
    };
    encoded.map_err(PictureProblem::Encode)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(w, h, image::Rgba([200, 30, 30, 255]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn small_pictures_keep_their_bytes_and_large_ones_fit_4k() {
        let small = png(40, 30);
        assert_eq!(screen_ready(small.clone()).unwrap(), small);
        let big = screen_ready(png(5000, 1000)).unwrap();
        assert_eq!(probe_image_bytes(&big).unwrap(), (3840, 768));
        assert_eq!(sniff_media_type(&big), "image/jpeg");
    }

    #[test]
    fn a_cut_off_picture_is_refused() {
        let mut bytes = png(300, 300);
        bytes.truncate(bytes.len() / 2);
        assert!(screen_ready(bytes).is_err());
    }

    #[test]
    fn a_picture_is_made_once_and_again_when_its_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.png");
        std::fs::write(&file, png(20, 20)).unwrap();
        let index = dir.path().join("index.json");
        let mut pictures = Pictures::with_index(dir.path().join("blobs"), index.clone());
        let mut fetch = Resolver::default();
        let media = Media::File(file.clone());
        let first = pictures.blob(&media, &mut fetch).unwrap();
        assert_eq!(pictures.blob(&media, &mut fetch).unwrap(), first);
        assert_eq!(pictures.new_blobs, 1);
        pictures.keep_only(&HashSet::from([first.sha256.as_str()]));
        // A restart reads the index and makes nothing again.
        let mut again = Pictures::with_index(dir.path().join("blobs"), index);
        assert_eq!(again.blob(&media, &mut fetch).unwrap(), first);
        assert_eq!(again.new_blobs, 0);
        std::fs::write(&file, png(21, 20)).unwrap();
        let changed = again.blob(&media, &mut fetch).unwrap();
        assert_ne!(changed, first);
        // Blobs no generation uses are removed.
        again.keep_only(&HashSet::from([changed.sha256.as_str()]));
        assert!(!blob_path(again.dir(), &first.sha256).exists());
        assert!(blob_path(again.dir(), &changed.sha256).is_file());
    }

    /// The same bytes under another name (or from a download that did not change) make no new
    /// blob and are not decoded again.
    #[test]
    fn the_same_bytes_are_made_once() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = png(30, 20);
        std::fs::write(dir.path().join("a.png"), &bytes).unwrap();
        std::fs::write(dir.path().join("b.png"), &bytes).unwrap();
        let mut pictures = Pictures::new(dir.path().join("blobs"));
        let mut fetch = Resolver::default();
        let a = pictures
            .blob(&Media::File(dir.path().join("a.png")), &mut fetch)
            .unwrap();
        let b = pictures
            .blob(&Media::File(dir.path().join("b.png")), &mut fetch)
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(pictures.new_blobs, 1);
        assert!(
            pictures
                .made
                .contains_key(&Origin::Bytes(sha256_hex(&bytes)))
        );
    }
}
