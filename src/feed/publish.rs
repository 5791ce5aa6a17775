//! The central side of the feed: staff's playlists, with all their pictures and the books of
//! their covers slides, become a static feed that any web server or CDN serves: a small
//! `manifest.json` and immutable blobs named by SHA-256. Pictures are scaled down to the largest
//! screen size here, once, so screens never download 20-megapixel originals.

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signer, SigningKey};

use super::manifest::{Manifest, sha256_hex, signature_path};
use crate::catalog::CoverItem;
use crate::diagnostic::Report;
use crate::fsutil::{PathError, WithPath, write_atomic};
use crate::media::{BlobRef, Media, blob_path, decode_image, probe_image_bytes, sniff_media_type};
use crate::playlist::{SlideContent, check_paths};

/// The largest picture any screen shows: 4K.
pub const MAX_WIDTH: u32 = 3840;
pub const MAX_HEIGHT: u32 = 2160;

/// What to publish, and where.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    pub playlists: PathBuf,
    pub out: PathBuf,
    /// A secret key file from `vitrin keygen`: sign the manifest.
    pub sign: Option<PathBuf>,
    pub catalog: crate::screen::CatalogSettings,
    /// Where catalog replies and covers are kept between publishes (conditional GETs next time).
    pub catalog_cache: Option<PathBuf>,
}

/// What a publish did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishReport {
    pub generation: String,
    pub playlists: usize,
    pub blobs: usize,
    /// Blobs written by this publish (the others were already in the feed).
    pub new_blobs: usize,
    pub new_bytes: u64,
    /// The manifest is byte for byte the one already published.
    pub unchanged: bool,
    pub signed: bool,
    /// Catalog sources that failed (their last published books were kept).
    pub warnings: Vec<String>,
}

/// Why nothing was published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("the playlists have errors; nothing was published")]
    Invalid(Report),
    #[error(transparent)]
    Io(#[from] PathError),
    #[error("{media}: {problem}")]
    Media { media: String, problem: String },
    #[error("{path}: not a vitrin signing key ({reason})")]
    Key { path: PathBuf, reason: String },
}

/// Creates a signing key: the secret half in `path` (readable by its owner only), the public half
/// returned as hex, for screen configs' `public_key`.
pub fn generate_key(path: &Path) -> Result<String, PublishError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| PublishError::Key {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let key = SigningKey::from_bytes(&secret);
    let text = format!("{}\n", hex::encode(secret));
    write_atomic(path, text.as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).with_path(path)?;
    }
    Ok(hex::encode(key.verifying_key().to_bytes()))
}

/// Reads a secret key written by [`generate_key`].
pub fn load_key(path: &Path) -> Result<SigningKey, PublishError> {
    let text = std::fs::read_to_string(path).with_path(path)?;
    let bytes = hex::decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| PublishError::Key {
            path: path.to_path_buf(),
            reason: "expected 64 hex digits".into(),
        })?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// Turns a picture's bytes into what screens get: the original when it is small enough, else
/// scaled down to fit 4K and re-encoded (JPEG, or PNG when it has transparency).
fn screen_ready(bytes: Vec<u8>, label: &str) -> Result<Vec<u8>, PublishError> {
    let problem = |e: crate::media::ImageProblem| PublishError::Media {
        media: label.to_string(),
        problem: e.to_string(),
    };
    let (w, h) = probe_image_bytes(&bytes).map_err(problem)?;
    if w <= MAX_WIDTH && h <= MAX_HEIGHT {
        // Decoding proves the picture is whole; the original bytes are kept.
        decode_image(&bytes, 1, 1, crate::media::Fit::Fit).map_err(problem)?;
        return Ok(bytes);
    }
    let img =
        decode_image(&bytes, MAX_WIDTH, MAX_HEIGHT, crate::media::Fit::Fit).map_err(problem)?;
    let opaque = img.pixels().all(|p| p.0[3] == 255);
    let mut out = Vec::new();
    let encoded = if opaque {
        let rgb = image::DynamicImage::ImageRgba8(img).into_rgb8();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88).encode_image(&rgb)
    } else {
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
    };
    encoded.map_err(|e| PublishError::Media {
        media: label.to_string(),
        problem: format!("cannot encode the scaled picture: {e}"),
    })?;
    Ok(out)
}

struct Blobs<'a> {
    out: &'a Path,
    refs: BTreeMap<String, BlobRef>,
    new_blobs: usize,
    new_bytes: u64,
    /// Media already turned into blobs in this publish.
    done: HashMap<Media, BlobRef>,
    fetcher: crate::catalog::fetch::Fetcher,
}

impl Blobs<'_> {
    fn add(&mut self, media: &Media) -> Result<BlobRef, PublishError> {
        if let Some(b) = self.done.get(media) {
            return Ok(b.clone());
        }
        let blob = match media {
            Media::Blob(b) => {
                // Books kept from the last publish: their blobs are in the feed already.
                if !blob_path(&self.out.join("blobs"), &b.sha256).is_file() {
                    return Err(PublishError::Media {
                        media: media.label(),
                        problem: "not in the feed folder any more".into(),
                    });
                }
                b.clone()
            }
            Media::File(path) => {
                let bytes = std::fs::read(path).with_path(path)?;
                self.store(screen_ready(bytes, &path.display().to_string())?)?
            }
            Media::Url(url) => {
                let bytes = self.fetch(url)?;
                self.store(screen_ready(bytes, url)?)?
            }
        };
        self.refs.insert(blob.sha256.clone(), blob.clone());
        self.done.insert(media.clone(), blob.clone());
        Ok(blob)
    }

    fn fetch(&mut self, url: &str) -> Result<Vec<u8>, PublishError> {
        self.fetcher
            .get(url, std::time::Duration::ZERO)
            .map(|f| f.bytes)
            .map_err(|e| PublishError::Media {
                media: url.to_string(),
                problem: e.to_string(),
            })
    }

    fn store(&mut self, bytes: Vec<u8>) -> Result<BlobRef, PublishError> {
        let sha256 = sha256_hex(&bytes);
        let path = blob_path(&self.out.join("blobs"), &sha256);
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
}

/// The books each catalog source gave in the manifest already published, by source.
fn previous_lists(out: &Path) -> HashMap<String, Vec<CoverItem>> {
    let Ok(bytes) = std::fs::read(out.join("manifest.json")) else {
        return HashMap::new();
    };
    let Ok(manifest) = Manifest::parse(&bytes) else {
        return HashMap::new();
    };
    manifest
        .playlists
        .iter()
        .flat_map(|p| p.slides.iter())
        .filter_map(|s| match &s.content {
            SlideContent::Covers { source, items, .. } => Some((source.label(), items.clone())),
            _ => None,
        })
        .collect()
}

/// Publishes a folder of playlists as a feed.
pub fn publish(options: &PublishOptions) -> Result<PublishReport, PublishError> {
    let (report, mut playlists) = check_paths(std::slice::from_ref(&options.playlists));
    if report.errors() > 0 {
        return Err(PublishError::Invalid(report));
    }
    std::fs::create_dir_all(&options.out).with_path(&options.out)?;
    // Books: from their sources, or, where a source fails, as last published.
    let mut lists = previous_lists(&options.out);
    let mut resolver = match &options.catalog_cache {
        Some(dir) => crate::catalog::Resolver::with_cache(options.catalog.clone(), dir.clone()),
        None => crate::catalog::Resolver::new(options.catalog.clone()),
    };
    let warnings = crate::ingest::resolve_covers(&mut playlists, &mut resolver, &mut lists);
    let mut blobs = Blobs {
        out: &options.out,
        refs: BTreeMap::new(),
        new_blobs: 0,
        new_bytes: 0,
        done: HashMap::new(),
        fetcher: crate::catalog::fetch::Fetcher::new(None, Default::default()),
    };
    for playlist in &mut playlists {
        // Screens see where a playlist came from, relative to the folder: never a path here.
        playlist.source = playlist
            .source
            .strip_prefix(&options.playlists)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| {
                playlist
                    .source
                    .file_name()
                    .map(PathBuf::from)
                    .unwrap_or_default()
            });
        for slide in &mut playlist.slides {
            if let SlideContent::Covers { source, .. } = &mut slide.content
                && let Media::File(path) = source
            {
                let relative = path
                    .strip_prefix(&options.playlists)
                    .unwrap_or(path)
                    .to_path_buf();
                *source = Media::File(relative);
            }
            for media in slide.content.media_mut() {
                let blob = blobs.add(media)?;
                *media = Media::Blob(blob);
            }
        }
    }
    let refs: Vec<BlobRef> = blobs.refs.into_values().collect();
    let manifest = Manifest::new(playlists, refs);
    let bytes = manifest.to_bytes();
    let signed = match &options.sign {
        Some(key_path) => {
            let key = load_key(key_path)?;
            let signature = key.sign(&bytes);
            let text = format!("{}\n", hex::encode(signature.to_bytes()));
            // The signature goes up before the manifest it signs.
            write_atomic(&options.out.join(signature_path(&bytes)), text.as_bytes())?;
            true
        }
        None => false,
    };
    let manifest_path = options.out.join("manifest.json");
    let unchanged = std::fs::read(&manifest_path).is_ok_and(|old| old == bytes);
    if !unchanged {
        // Rewriting identical bytes would change the file's date and make every screen download
        // the manifest again.
        write_atomic(&manifest_path, &bytes)?;
    }
    Ok(PublishReport {
        generation: manifest.generation,
        playlists: manifest.playlists.len(),
        blobs: manifest.blobs.len(),
        new_blobs: blobs.new_blobs,
        new_bytes: blobs.new_bytes,
        unchanged,
        signed,
        warnings,
    })
}
