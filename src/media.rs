//! Media references (a local file, a web address, or a blob in the cache) and image decoding that
//! is safe against what people and servers send: unsupported formats, corrupt files and
//! decompression bombs are refused with a reason, and big pictures are downscaled to the screen.

use std::borrow::Cow;
use std::io::{BufRead, Cursor, Seek};
use std::path::{Path, PathBuf};

use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageReader, RgbaImage};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use rendition::{Renditions, WithRenditions};
use shrink::Region;

mod rendition;
mod shrink;

/// Images with more pixels than this are refused unread (a 40-megapixel photo is already far
/// more than any screen shows).
pub const MAX_PIXELS: u64 = 40_000_000;
/// The largest picture file vitrin reads (and the largest blob a feed may hold).
pub const MAX_PICTURE_BYTES: u64 = 64 * 1024 * 1024;
/// The most memory a single decode may take: the largest picture allowed, in RGBA, and a margin.
/// Decoders must stay within it for everything they allocate: a GIF frame larger than its
/// logical screen, a PNG's colour profile that inflates to gigabytes.
const MAX_DECODE_BYTES: u64 = MAX_PIXELS * 4 + 32 * 1024 * 1024;

/// Where the bytes of a picture (or a catalog document) come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Media {
    /// A file on this machine (for playlists, relative paths are resolved when read).
    File(PathBuf),
    /// A web address, fetched at ingest.
    Url(String),
    /// Content-addressed bytes in a feed or the local cache.
    Blob(BlobRef),
}

/// Bytes named by their SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BlobRef {
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    pub size: u64,
    /// A media type such as `image/jpeg`.
    #[serde(rename = "type")]
    pub media_type: String,
}

impl Media {
    /// A short human name for logs and messages: the file name, the URL, or the blob's hash.
    pub fn label(&self) -> String {
        match self {
            Media::File(p) => p.display().to_string(),
            Media::Url(u) => u.clone(),
            Media::Blob(b) => {
                // Char-safe: a hash from outside is not trusted to be ASCII before it is checked.
                format!("blob {}", b.sha256.chars().take(12).collect::<String>())
            }
        }
    }
}

/// Where a blob lives under a blob folder: `sha256/ab/abcdef…`. Hashes are checked to be 64 hex
/// digits before they reach here, so a manifest can never name a path outside the folder.
pub fn blob_path(dir: &Path, sha256: &str) -> PathBuf {
    let fan = sha256.get(..2).unwrap_or("00");
    dir.join("sha256").join(fan).join(sha256)
}

/// Whether a text is a SHA-256 in lower-case hex.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Checks that `text` is an absolute http(s) address and returns it as written (trimmed): QR codes
/// must carry exactly what staff wrote.
pub fn parse_web_url(text: &str) -> Result<String, &'static str> {
    let t = text.trim();
    if t.chars().any(char::is_whitespace) {
        return Err("it contains spaces");
    }
    let url = url::Url::parse(t).map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => "it does not start with https://",
        url::ParseError::EmptyHost => "it has no host name",
        url::ParseError::InvalidPort => "its port is not a number",
        _ => "it is malformed",
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("it does not start with https:// or http://");
    }
    if url.host_str().is_none_or(|h| {
        h.is_empty()
            || (!h.contains('.')
                && h != "localhost"
                && h.parse::<std::net::IpAddr>().is_err()
                && !h.starts_with('['))
    }) {
        return Err("its host name is incomplete");
    }
    Ok(t.to_string())
}

/// Why a picture cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum ImageProblem {
    #[error("cannot read it: {0}")]
    Io(#[from] std::io::Error),
    #[error("it is not a picture in a format vitrin knows")]
    UnknownFormat,
    #[error("it is {width}x{height} pixels, over the limit of {} megapixels", MAX_PIXELS / 1_000_000)]
    TooLarge { width: u32, height: u32 },
    #[error("it is damaged: {0}")]
    Corrupt(String),
    #[error("decoding it would take more than {} MB of memory", MAX_DECODE_BYTES / 1_000_000)]
    OverMemory,
    #[error("the file is {bytes} bytes, over the limit of {} MB for a picture", MAX_PICTURE_BYTES >> 20)]
    FileTooLarge { bytes: u64 },
    #[error("it is empty (0 pixels)")]
    Empty,
    #[error("it is cut off: the file ends before the picture does")]
    Truncated,
}

impl ImageProblem {
    pub fn hint(&self) -> &'static str {
        match self {
            ImageProblem::Io(_) => "check that the file exists and can be read",
            ImageProblem::UnknownFormat => "save it as JPEG, PNG or WebP",
            ImageProblem::TooLarge { .. }
            | ImageProblem::OverMemory
            | ImageProblem::FileTooLarge { .. } => {
                "scale it down, e.g. to 3840x2160, before using it"
            }
            ImageProblem::Truncated => {
                "copy the file again: it was not copied or downloaded completely"
            }
            ImageProblem::Corrupt(_) | ImageProblem::Empty => {
                "open and save it again in an image program, or use another picture"
            }
        }
    }
}

/// Reads only as much of a file as it takes to know its format and size.
pub fn probe_image(path: &Path) -> Result<(u32, u32), ImageProblem> {
    use std::io::{Read, SeekFrom};
    // The format comes from the content, never from the file name.
    let file = std::fs::File::open(path)?;
    let bytes = file.metadata()?.len();
    if bytes > MAX_PICTURE_BYTES {
        return Err(ImageProblem::FileTooLarge { bytes });
    }
    let mut file = std::io::BufReader::new(file);
    let reader = ImageReader::new(&mut file).with_guessed_format()?;
    let format = reader.format();
    if format == Some(image::ImageFormat::Png) {
        // PNG chunks the decoder would inflate are dropped from the bytes first.
        let mut bytes = Vec::new();
        file.rewind()?;
        file.read_to_end(&mut bytes)?;
        return probe_image_bytes(&bytes);
    }
    let size = probe(reader)?;
    if format == Some(image::ImageFormat::Jpeg) {
        let len = file.seek(SeekFrom::End(0))?;
        file.seek(SeekFrom::Start(len.saturating_sub(JPEG_TAIL as u64)))?;
        let mut tail = Vec::with_capacity(JPEG_TAIL);
        file.read_to_end(&mut tail)?;
        if !jpeg_has_end(&tail) {
            return Err(ImageProblem::Truncated);
        }
    }
    Ok(size)
}

/// How far from the end a JPEG's end marker may be (some cameras append a little data).
const JPEG_TAIL: usize = 4096;

/// Whether JPEG bytes end with their end-of-image marker (FF D9), near the end. JPEG decoders
/// happily show a cut-off file with a grey lower half; vitrin refuses it instead.
fn jpeg_has_end(tail: &[u8]) -> bool {
    let start = tail.len().saturating_sub(JPEG_TAIL);
    tail[start..].windows(2).any(|w| w == [0xFF, 0xD9])
}

/// Like `probe_image`, for bytes in memory.
pub fn probe_image_bytes(bytes: &[u8]) -> Result<(u32, u32), ImageProblem> {
    let bytes = without_unused_chunks(bytes);
    let reader = ImageReader::new(Cursor::new(bytes.as_ref())).with_guessed_format()?;
    probe(reader)
}

fn probe<R: BufRead + Seek>(mut reader: ImageReader<R>) -> Result<(u32, u32), ImageProblem> {
    if reader.format().is_none() {
        return Err(ImageProblem::UnknownFormat);
    }
    reader.limits(decode_limits());
    let (width, height) = reader.into_dimensions().map_err(decode_problem)?;
    check_dimensions(width, height)?;
    Ok((width, height))
}

/// The PNG chunks vitrin drops before decoding: compressed colour profiles and text, which it
/// never uses and which inflate without a limit in the decoder (a 260 KB profile can inflate to
/// gigabytes).
const DROPPED_PNG_CHUNKS: [&[u8; 4]; 3] = [b"iCCP", b"zTXt", b"iTXt"];
const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// PNG bytes without the chunks in [`DROPPED_PNG_CHUNKS`]; other bytes as they are. A damaged
/// chunk list is left as it is, for the decoder to refuse.
fn without_unused_chunks(bytes: &[u8]) -> Cow<'_, [u8]> {
    if !bytes.starts_with(PNG_SIGNATURE) {
        return Cow::Borrowed(bytes);
    }
    let mut out = PNG_SIGNATURE.to_vec();
    let mut at = PNG_SIGNATURE.len();
    let mut dropped = false;
    while at + 12 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
        let Some(end) = at.checked_add(12 + len).filter(|&e| e <= bytes.len()) else {
            return Cow::Borrowed(bytes);
        };
        let kind = &bytes[at + 4..at + 8];
        if DROPPED_PNG_CHUNKS.iter().any(|d| d.as_slice() == kind) {
            dropped = true;
        } else {
            out.extend_from_slice(&bytes[at..end]);
        }
        at = end;
    }
    if !dropped {
        return Cow::Borrowed(bytes);
    }
    out.extend_from_slice(&bytes[at..]);
    Cow::Owned(out)
}

/// What a decoder may allocate.
fn decode_limits() -> image::Limits {
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

/// A decoder's error as a problem staff can act on.
fn decode_problem(e: image::ImageError) -> ImageProblem {
    match e {
        image::ImageError::Limits(_) => ImageProblem::OverMemory,
        e => ImageProblem::Corrupt(e.to_string().trim().to_string()),
    }
}

fn check_dimensions(width: u32, height: u32) -> Result<(), ImageProblem> {
    if width == 0 || height == 0 {
        return Err(ImageProblem::Empty);
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageProblem::TooLarge { width, height });
    }
    Ok(())
}

/// How a picture meets a box of another shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fit {
    /// Cover the whole box, cropping what sticks out.
    Fill,
    /// Show all of the picture inside the box, with margins.
    Fit,
}

/// Decodes a picture from bytes (format from the content, orientation from EXIF), refusing bombs
/// before any pixel is decoded, and scales it to `max_width`x`max_height`: covering and cropped to
/// exactly that box for `Fit::Fill`, as large as fits inside it for `Fit::Fit`.
pub fn decode_image(
    bytes: &[u8],
    max_width: u32,
    max_height: u32,
    fit: Fit,
) -> Result<RgbaImage, ImageProblem> {
    if bytes.len() as u64 > MAX_PICTURE_BYTES {
        return Err(ImageProblem::FileTooLarge {
            bytes: bytes.len() as u64,
        });
    }
    let bytes = without_unused_chunks(bytes);
    let bytes = bytes.as_ref();
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
    match reader.format() {
        None => return Err(ImageProblem::UnknownFormat),
        Some(image::ImageFormat::Jpeg) if !jpeg_has_end(bytes) => {
            return Err(ImageProblem::Truncated);
        }
        Some(_) => {}
    }
    reader.limits(decode_limits());
    let mut decoder = reader.into_decoder().map_err(decode_problem)?;
    let (width, height) = decoder.dimensions();
    check_dimensions(width, height)?;
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(decode_problem)?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok(scale_to_box(img, max_width.max(1), max_height.max(1), fit))
}

fn scale_to_box(img: DynamicImage, max_width: u32, max_height: u32, fit: Fit) -> RgbaImage {
    let (w, h) = (img.width(), img.height());
    match fit {
        Fit::Fit => {
            if w == max_width && h <= max_height || h == max_height && w <= max_width {
                img.into_rgba8()
            } else {
                let scale =
                    (f64::from(max_width) / f64::from(w)).min(f64::from(max_height) / f64::from(h));
                let nw = ((f64::from(w) * scale).round() as u32).clamp(1, max_width);
                let nh = ((f64::from(h) * scale).round() as u32).clamp(1, max_height);
                scale_region(&img, (0, 0, w, h), nw, nh)
            }
        }
        Fit::Fill => {
            // Crop the middle of the picture to the box's shape, then scale only that: never
            // more pixels than the box (a 8000x1 strip filling a screen is 2x1 pixels, scaled).
            let scale =
                (f64::from(max_width) / f64::from(w)).max(f64::from(max_height) / f64::from(h));
            let cw = ((f64::from(max_width) / scale).round() as u32).clamp(1, w);
            let ch = ((f64::from(max_height) / scale).round() as u32).clamp(1, h);
            let region = ((w - cw) / 2, (h - ch) / 2, cw, ch);
            if (cw, ch) == (max_width, max_height) {
                img.crop_imm(region.0, region.1, cw, ch).into_rgba8()
            } else {
                scale_region(&img, region, max_width, max_height)
            }
        }
    }
}

/// Scales a region (x, y, width, height) of a picture to exactly `width`x`height`, without copying
/// the region first. Shrinking averages the pixels each new pixel covers ([`shrink`]: the right
/// filter for shrinking, and fast); growing uses a triangle filter.
fn scale_region(img: &DynamicImage, region: Region, width: u32, height: u32) -> RgbaImage {
    let (x, y, w, h) = region;
    if width <= w && height <= h {
        return match img {
            DynamicImage::ImageRgb8(b) => {
                shrink::shrink::<3>(b, b.width() as usize * 3, region, width, height)
            }
            DynamicImage::ImageRgba8(b) => {
                shrink::shrink::<4>(b, b.width() as usize * 4, region, width, height)
            }
            other => {
                let b = other.to_rgba8();
                shrink::shrink::<4>(&b, b.width() as usize * 4, region, width, height)
            }
        };
    }
    let region = img.crop_imm(x, y, w, h);
    image::imageops::resize(&region.into_rgba8(), width, height, FilterType::Triangle)
}

/// The media type of bytes, from their content.
pub fn sniff_media_type(bytes: &[u8]) -> &'static str {
    match image::guess_format(bytes) {
        Ok(image::ImageFormat::Png) => "image/png",
        Ok(image::ImageFormat::Jpeg) => "image/jpeg",
        Ok(image::ImageFormat::WebP) => "image/webp",
        Ok(image::ImageFormat::Gif) => "image/gif",
        _ => {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]);
            let head = head.trim_start_matches('\u{feff}').trim_start();
            if head.starts_with('<') {
                "application/xml"
            } else if head.starts_with('{') || head.starts_with('[') {
                "application/json"
            } else {
                "application/octet-stream"
            }
        }
    }
}

/// Pictures smaller than this on either side (a tracking pixel, a blank placeholder) are no cover.
pub const MIN_COVER_SIDE: u32 = 8;

/// Whether a picture of this size can be a book's cover.
pub fn is_real_cover(width: u32, height: u32) -> bool {
    width >= MIN_COVER_SIDE && height >= MIN_COVER_SIDE
}

/// The SHA-256 of bytes, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Where the bytes of media come from.
pub trait MediaStore: Send + Sync {
    fn read(&self, media: &Media) -> Result<Vec<u8>, MediaError>;

    /// Where pictures decoded at a screen's size are kept, if anywhere ([`Renditions`]).
    fn renditions(&self) -> Option<&Renditions> {
        None
    }
}

/// Why media could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0} has not been downloaded")]
    NotLocal(String),
}

/// Media on this machine: files, and blobs in a cache folder (`blobs/sha256/ab/abcd…`).
#[derive(Debug, Clone, Default)]
pub struct LocalMedia {
    pub blob_dir: Option<PathBuf>,
}

impl MediaStore for LocalMedia {
    fn read(&self, media: &Media) -> Result<Vec<u8>, MediaError> {
        let path = match media {
            Media::File(p) => p.clone(),
            Media::Blob(b) => match &self.blob_dir {
                Some(dir) => blob_path(dir, &b.sha256),
                None => return Err(MediaError::NotLocal(media.label())),
            },
            Media::Url(u) => return Err(MediaError::NotLocal(u.clone())),
        };
        crate::fsutil::read_bounded(&path, MAX_PICTURE_BYTES)
            .map_err(|source| MediaError::Io { path, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, Rgba};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = RgbaImage::from_pixel(width, height, Rgba([200, 30, 30, 255]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn web_urls() {
        assert!(parse_web_url("https://bibliotekvarmland.se/").is_ok());
        assert!(parse_web_url("http://127.0.0.1:8080/feed/").is_ok());
        assert_eq!(
            parse_web_url("bibliotekvarmland.se"),
            Err("it does not start with https://")
        );
        assert_eq!(
            parse_web_url("ftp://example.se/x"),
            Err("it does not start with https:// or http://")
        );
        assert_eq!(
            parse_web_url("https://bibliotek värmland.se"),
            Err("it contains spaces")
        );
        assert_eq!(
            parse_web_url("https://bibliotek/"),
            Err("its host name is incomplete")
        );
    }

    #[test]
    fn fill_crops_to_the_box_and_fit_stays_inside() {
        let bytes = png(400, 100);
        let filled = decode_image(&bytes, 100, 100, Fit::Fill).unwrap();
        assert_eq!(filled.dimensions(), (100, 100));
        let fitted = decode_image(&bytes, 100, 100, Fit::Fit).unwrap();
        assert_eq!(fitted.dimensions(), (100, 25));
        // Small pictures grow to their box.
        let small = decode_image(&png(10, 20), 100, 100, Fit::Fit).unwrap();
        assert_eq!(small.dimensions(), (50, 100));
        let small = decode_image(&png(10, 20), 100, 100, Fit::Fill).unwrap();
        assert_eq!(small.dimensions(), (100, 100));
    }

    #[test]
    fn refuses_garbage_and_bombs() {
        assert!(matches!(
            decode_image(b"not a picture", 10, 10, Fit::Fit),
            Err(ImageProblem::UnknownFormat)
        ));
        let mut truncated = png(64, 64);
        truncated.truncate(60);
        assert!(matches!(
            decode_image(&truncated, 10, 10, Fit::Fit),
            Err(ImageProblem::Corrupt(_))
        ));
        // A PNG header that claims 100000x100000 pixels is refused before decoding.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(matches!(
            probe_image_bytes(&bomb),
            Err(ImageProblem::TooLarge { .. }) | Err(ImageProblem::Corrupt(_))
        ));
        assert!(decode_image(&bomb, 10, 10, Fit::Fit).is_err());
    }

    #[test]
    fn shrinking_is_close_to_the_image_crates_own() {
        // Photo-like: smooth shading with edges every few pixels.
        let img = RgbaImage::from_fn(1600, 900, |x, y| {
            let (fx, fy) = (f64::from(x), f64::from(y));
            let v = (128.0 + 100.0 * (fx / 37.0).sin() * (fy / 23.0).cos()) as u8;
            let edge = if (x / 9 + y / 7) % 2 == 0 { 40 } else { 0 };
            image::Rgba([v, v / 2 + edge, 255 - v, 255])
        });
        // Close to `image`'s own (floating-point) shrink, which samples the edges of each
        // pixel's area a little differently; [`shrink`] has the exact test.
        for (w, h) in [(800, 450), (1067, 600), (1599, 899), (533, 300), (100, 56)] {
            let ours = decode_image(&png_of(&img), w, h, Fit::Fill).unwrap();
            let theirs = image::imageops::thumbnail(&img, w, h);
            assert_eq!(ours.dimensions(), (w, h));
            let apart = ours
                .iter()
                .zip(theirs.iter())
                .map(|(a, b)| f64::from(a.abs_diff(*b)));
            let mean = apart.sum::<f64>() / ours.len() as f64;
            assert!(mean < 2.0, "{w}x{h}: {mean} apart on average");
        }
    }

    fn png_of(img: &RgbaImage) -> Vec<u8> {
        let mut bytes = Vec::new();
        img.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        bytes
    }

    #[test]
    fn cut_off_pictures_are_refused() {
        let img = RgbaImage::from_fn(64, 64, |x, y| {
            image::Rgba([x as u8 * 4, y as u8 * 4, 7, 255])
        });
        let mut jpeg = Vec::new();
        image::DynamicImage::ImageRgba8(img.clone())
            .into_rgb8()
            .write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg)
            .unwrap();
        assert!(decode_image(&jpeg, 64, 64, Fit::Fit).is_ok());
        let cut = &jpeg[..jpeg.len() * 2 / 3];
        assert!(matches!(
            decode_image(cut, 64, 64, Fit::Fit),
            Err(ImageProblem::Truncated)
        ));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.jpg");
        std::fs::write(&path, cut).unwrap();
        assert!(matches!(probe_image(&path), Err(ImageProblem::Truncated)));
        let mut png_bytes = Vec::new();
        img.write_to(&mut Cursor::new(&mut png_bytes), ImageFormat::Png)
            .unwrap();
        let cut_png = &png_bytes[..png_bytes.len() * 2 / 3];
        assert!(decode_image(cut_png, 64, 64, Fit::Fit).is_err());
    }

    #[test]
    fn sniffs_types() {
        assert_eq!(sniff_media_type(&png(1, 1)), "image/png");
        assert_eq!(
            sniff_media_type(b"<?xml version=\"1.0\"?><rss/>"),
            "application/xml"
        );
        assert_eq!(sniff_media_type(b"{\"a\":1}"), "application/json");
    }

    /// A picture swapped for a file of a gigabyte after its playlist was checked, or for a device,
    /// is refused from what the file system says, never read into the player's memory.
    #[test]
    fn local_pictures_are_read_within_the_picture_limit() {
        let dir = tempfile::tempdir().unwrap();
        let huge = dir.path().join("bild.jpg");
        std::fs::File::create(&huge)
            .unwrap()
            .set_len(1 << 30)
            .unwrap();
        let local = LocalMedia::default();
        let err = local.read(&Media::File(huge)).unwrap_err().to_string();
        assert!(err.ends_with("over the limit of 64 MB"), "{err}");
        let err = local
            .read(&Media::File("/dev/zero".into()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a plain file"), "{err}");
    }

    fn hostile(name: &str) -> Vec<u8> {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/hostile")
                .join(name),
        )
        .unwrap()
    }

    /// A 8000x1 strip filling a screen used to be scaled up whole (28 GB) before it was cropped.
    #[test]
    fn a_thin_strip_fills_a_screen_without_scaling_it_up_whole() {
        let strip = hostile("strip-8000x1.png");
        let img = decode_image(&strip, 1920, 1080, Fit::Fill).unwrap();
        assert_eq!(img.dimensions(), (1920, 1080));
        assert_eq!(img.get_pixel(960, 540).0, [200, 30, 30, 255]);
        let tall = decode_image(&png(1, 3000), 3840, 2160, Fit::Fill).unwrap();
        assert_eq!(tall.dimensions(), (3840, 2160));
    }

    /// Filling keeps the middle of a picture and its proportions.
    #[test]
    fn fill_crops_the_middle_and_fit_keeps_everything() {
        let mut img = RgbaImage::from_pixel(400, 100, Rgba([0, 0, 255, 255]));
        for y in 0..100 {
            for x in 150..250 {
                img.put_pixel(x, y, Rgba([255, 0, 0, 255]));
            }
        }
        let mut bytes = Vec::new();
        img.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        let filled = decode_image(&bytes, 100, 100, Fit::Fill).unwrap();
        assert_eq!(filled.dimensions(), (100, 100));
        assert_eq!(filled.get_pixel(50, 50).0, [255, 0, 0, 255]);
        let fitted = decode_image(&bytes, 100, 100, Fit::Fit).unwrap();
        assert_eq!(fitted.dimensions(), (100, 25));
    }

    /// A GIF whose logical screen is 8x8 but whose frame is 11000x11000 (484 MB to decode).
    #[test]
    fn a_gif_frame_larger_than_its_screen_is_refused() {
        let gif = hostile("gif-frame-larger-than-its-screen.gif");
        let err = decode_image(&gif, 100, 100, Fit::Fit).unwrap_err();
        assert!(
            matches!(
                err,
                ImageProblem::OverMemory | ImageProblem::TooLarge { .. }
            ),
            "{err}"
        );
    }

    /// A 1x1 PNG whose colour profile inflates to 256 MB: the profile is dropped unread, and the
    /// picture itself is fine.
    #[test]
    fn a_colour_profile_bomb_is_never_inflated() {
        let bomb = hostile("png-colour-profile-bomb.png");
        let kept = without_unused_chunks(&bomb);
        assert!(kept.len() < 200, "{} bytes kept", kept.len());
        assert!(!kept.windows(4).any(|w| w == b"iCCP"));
        assert_eq!(probe_image_bytes(&bomb).unwrap(), (1, 1));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bomb.png");
        std::fs::write(&file, &bomb).unwrap();
        assert_eq!(probe_image(&file).unwrap(), (1, 1));
        assert_eq!(decode_image(&bomb, 10, 10, Fit::Fit).unwrap().width(), 10);
        // Other PNGs keep their bytes.
        let plain = png(3, 3);
        assert!(matches!(without_unused_chunks(&plain), Cow::Borrowed(_)));
    }

    /// A hash from a feed is not trusted to be ASCII before it is checked: naming it in a
    /// message never cuts a character in half.
    #[test]
    fn a_blob_with_a_hash_of_any_characters_can_be_named() {
        let blob = Media::Blob(BlobRef {
            sha256: "ääääääääääääääää".into(),
            size: 1,
            media_type: "image/png".into(),
        });
        assert_eq!(blob.label(), "blob ääääääääääää");
    }
}
