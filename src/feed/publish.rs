//! The central side of the feed: staff's playlists, with all their pictures and the books of
//! their covers slides, become a static feed that any web server or CDN serves: a small
//! `manifest.json` and immutable blobs named by SHA-256. The generation is made by the same
//! [`crate::ingest`] a standalone screen uses; pictures are scaled down to the largest screen size
//! there, once, so screens never download 20-megapixel originals.

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;

use super::{MANIFEST, signature_path};
use crate::catalog::{CatalogSettings, Resolver};
use crate::check::check_all;
use crate::diagnostic::Report;
use crate::fsutil::{PathError, WithPath, write_atomic};
use crate::generation::Generation;
use crate::ingest::{LastGood, OnBadPicture, PictureError, Pictures, make_generation};
use crate::layout::Viewing;
use crate::legibility;
use crate::media::Media;
use crate::playlist::SlideContent;
use crate::signing;

/// What to publish, and where.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    pub playlists: PathBuf,
    pub out: PathBuf,
    /// A secret key file from `vitrin keygen`: sign the manifest.
    pub sign: Option<PathBuf>,
    pub catalog: CatalogSettings,
    /// Where catalog replies and covers are kept between publishes (conditional GETs next time).
    pub catalog_cache: Option<PathBuf>,
    /// The publish time written into a new manifest.
    pub now: chrono::DateTime<chrono::Utc>,
    /// How the screens are seen, for the legibility warnings (none: the default way).
    pub viewings: Vec<Viewing>,
}

/// What a publish did.
#[derive(Debug, Clone, Default)]
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
    /// The playlists' warnings, and what the screens would show badly (text cut or too small,
    /// too little time to read, codes too small to scan), with the books as published.
    pub checks: Report,
}

/// Why nothing was published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("the playlists have errors; nothing was published")]
    Invalid(Report),
    #[error(transparent)]
    Io(#[from] PathError),
    #[error(transparent)]
    Picture(#[from] PictureError),
    #[error("{path}: cannot make a signing key: {source}")]
    NewKey {
        path: PathBuf,
        #[source]
        source: getrandom::Error,
    },
    #[error("{path}: not a vitrin signing key ({source})")]
    Key {
        path: PathBuf,
        #[source]
        source: signing::SigningError,
    },
}

/// Creates a signing key: the secret half in `path` (readable by its owner only), the public half
/// returned as hex, for screen configs' `public_key`.
pub fn generate_key(path: &Path) -> Result<String, PublishError> {
    let (key, text) = signing::new_secret_key().map_err(|source| PublishError::NewKey {
        path: path.to_path_buf(),
        source,
    })?;
    write_atomic(path, text.as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).with_path(path)?;
    }
    Ok(signing::public_hex(&key))
}

/// Reads a secret key written by [`generate_key`].
pub fn load_key(path: &Path) -> Result<SigningKey, PublishError> {
    // A key file is a line of 64 hex digits; a limit keeps a wrong path such as a device harmless.
    let bytes = crate::fsutil::read_bounded(path, 64 * 1024).with_path(path)?;
    let text = String::from_utf8_lossy(&bytes);
    signing::parse_secret_key(&text).map_err(|source| PublishError::Key {
        path: path.to_path_buf(),
        source,
    })
}

/// The manifest already published in `out`, if there is a readable one.
fn previous(out: &Path) -> Option<Generation> {
    Generation::parse(&std::fs::read(out.join(MANIFEST)).ok()?).ok()
}

/// The books each catalog source and the events each calendar gave in the manifest already
/// published, by source (a file by its path under `root`, as the playlists name it now).
fn previous_lists(previous: Option<&Generation>, root: &Path) -> LastGood {
    let key = |m: &Media| match m {
        Media::File(p) => root.join(p).display().to_string(),
        other => other.label(),
    };
    let mut lists = LastGood::default();
    let slides = previous
        .iter()
        .flat_map(|m| m.playlists.iter())
        .flat_map(|p| p.slides.iter());
    for slide in slides {
        match &slide.content {
            SlideContent::Covers {
                source,
                items,
                shelf,
                ..
            } => {
                lists
                    .books
                    .insert(format!("{}{}", key(source), shelf.key()), items.clone());
            }
            SlideContent::Events { source, events, .. } => {
                lists.events.insert(key(source), events.clone());
            }
            _ => {}
        }
    }
    lists
}

/// Publishes a folder of playlists as a feed.
pub fn publish(options: &PublishOptions) -> Result<PublishReport, PublishError> {
    let checked = check_all(std::slice::from_ref(&options.playlists));
    let (report, playlists, region) = (checked.report, checked.playlists, checked.region);
    let mut viewings = options.viewings.clone();
    viewings.extend(region.screens.iter().map(|s| s.viewing()));
    if report.errors() > 0 {
        return Err(PublishError::Invalid(report));
    }
    std::fs::create_dir_all(&options.out).with_path(&options.out)?;
    // Books: from their sources, or, where a source fails, as last published.
    let previous = previous(&options.out);
    let mut lists = previous_lists(previous.as_ref(), &options.playlists);
    let mut resolver = match &options.catalog_cache {
        Some(dir) => Resolver::with_cache(options.catalog.clone(), dir.clone()),
        None => Resolver::new(options.catalog.clone()),
    };
    let mut pictures = Pictures::new(options.out.join("blobs"));
    let mut checked = playlists.clone();
    let made = make_generation(
        playlists,
        &options.playlists,
        &mut resolver,
        &mut lists,
        &mut pictures,
        OnBadPicture::Refuse,
        chrono::Utc::now(),
    )?;
    // The texts as the screens will show them: with the books each covers slide got.
    for (mine, made) in checked.iter_mut().zip(&made.generation.playlists) {
        for (slide, got) in mine.slides.iter_mut().zip(&made.slides) {
            if let (SlideContent::Covers { items, .. }, SlideContent::Covers { items: found, .. }) =
                (&mut slide.content, &got.content)
            {
                items.clone_from(found);
            }
        }
    }
    let mut checks = report;
    checks.merge(legibility::report(
        &checked,
        &legibility::targets(&viewings),
    ));
    let mut generation = made.generation.with_region(region);
    match &previous {
        // The same content: the manifest stays byte for byte what it was (and screens get 304s).
        Some(p) if p.id == generation.id => generation = p.clone(),
        // New content: the next sequence, which screens require to only go up.
        _ => {
            generation.sequence = previous.as_ref().map_or(1, |p| p.sequence + 1);
            generation.published = Some(options.now);
        }
    }
    let bytes = generation.to_bytes();
    let signed = match &options.sign {
        Some(key_path) => {
            let key = load_key(key_path)?;
            // The signature goes up before the manifest it signs.
            let path = options.out.join(signature_path(&bytes));
            write_atomic(&path, signing::sign(&key, &bytes).as_bytes())?;
            true
        }
        None => false,
    };
    let manifest_path = options.out.join(MANIFEST);
    let unchanged = std::fs::read(&manifest_path).is_ok_and(|old| old == bytes);
    if !unchanged {
        // Rewriting identical bytes would change the file's date and make every screen download
        // the manifest again.
        write_atomic(&manifest_path, &bytes)?;
    }
    Ok(PublishReport {
        generation: generation.id,
        playlists: generation.playlists.len(),
        blobs: generation.blobs.len(),
        new_blobs: pictures.new_blobs,
        new_bytes: pictures.new_bytes,
        unchanged,
        signed,
        warnings: made.warnings,
        checks,
    })
}
