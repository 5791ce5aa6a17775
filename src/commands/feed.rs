//! `vitrin publish`, `vitrin sync` and `vitrin keygen`: the central feed and a screen's cache.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cache::Cache;
use crate::feed::publish::{PublishError, PublishOptions, generate_key, publish};
use crate::feed::sync::{SyncOptions, sync_once};

pub fn run_publish(
    playlists: PathBuf,
    out: PathBuf,
    sign: Option<PathBuf>,
    screen: Option<&Path>,
    preview: Option<Option<&str>>,
    w: &mut dyn Write,
) -> anyhow::Result<bool> {
    let screen = super::screen_config(screen)?;
    let now = chrono::Utc::now();
    // The preview's start, read before anything is published.
    let preview = match preview {
        Some(Some(at)) => Some(super::plan::parse_at(at, crate::screen::DEFAULT_TIMEZONE, now)?.0),
        Some(None) => Some(now),
        None => None,
    };
    let options = PublishOptions {
        playlists,
        out,
        sign,
        catalog: screen.catalog,
        catalog_cache: Some(screen.cache_dir.join("catalog")),
        now,
        viewings: vec![screen.viewing],
    };
    match publish(&options) {
        Ok(r) => {
            write!(w, "{}", r.checks.render())?;
            for warning in &r.warnings {
                writeln!(
                    w,
                    "warning: {warning} (its books as last published are kept)"
                )?;
            }
            writeln!(
                w,
                "published generation {} to {}: {} playlists, {} blobs ({} new, {} bytes){}{}",
                r.generation,
                options.out.display(),
                r.playlists,
                r.blobs,
                r.new_blobs,
                r.new_bytes,
                if r.signed { ", signed" } else { "" },
                if r.unchanged {
                    "; the manifest is unchanged"
                } else {
                    ""
                },
            )?;
            pages_for_people(&options.out, preview, options.now, w)?;
            Ok(true)
        }
        Err(PublishError::Invalid(report)) => {
            write!(w, "{}", report.render())?;
            writeln!(
                w,
                "nothing was published: fix the errors above (vitrin check)"
            )?;
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// After a publish: the fleet page for IT, and with `preview` the preview for staff, from the
/// manifest just published.
fn pages_for_people(
    out: &Path,
    preview: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
    w: &mut dyn Write,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(out.join(crate::feed::MANIFEST))?;
    let generation = crate::generation::Generation::parse(&bytes)?;
    if !generation.region.screens.is_empty() {
        let page = crate::site::fleet::write_fleet(&generation, out, now)?;
        writeln!(w, "fleet page: {}", page.display())?;
    }
    let Some(from) = preview else {
        return Ok(());
    };
    let store = crate::media::LocalMedia {
        blob_dir: Some(out.join("blobs")),
    };
    let library = crate::generation::Library {
        generation: generation.clone(),
        store: std::sync::Arc::new(store.clone()),
    };
    let mut draw = |width: u32,
                    height: u32,
                    screen: &crate::screen::ScreenConfig,
                    pages: &[crate::show::Page]|
     -> Result<Vec<Result<image::RgbaImage, String>>, String> {
        let dir = super::TempStore::new().map_err(|e| e.to_string())?;
        let report = crate::player::render::render_pages(
            pages.to_vec(),
            library.clone(),
            screen.clone(),
            crate::player::render::RenderOptions {
                width,
                height,
                out: dir.0.clone(),
                transitions: false,
                text_report: false,
            },
        )
        .map_err(|e| e.to_string())?;
        Ok(pages
            .iter()
            .enumerate()
            .map(|(i, page)| {
                let name = crate::player::render::page_file_name(i + 1, page);
                let path = dir.0.join(&name);
                if let Some((_, why)) = report.skipped.iter().find(|(n, _)| *n == name) {
                    return Err(why.clone());
                }
                image::open(&path)
                    .map(|i| i.into_rgba8())
                    .map_err(|e| format!("{}: {e}", path.display()))
            })
            .collect())
    };
    let started = std::time::Instant::now();
    let report = crate::site::preview::write_preview(
        &generation,
        &crate::site::preview::PreviewOptions {
            out: out.to_path_buf(),
            now: from,
            days: 7,
            store: &store,
        },
        &mut draw,
    )?;
    writeln!(
        w,
        "preview: {} ({} screens, {} pictures of pages, {} drawn now, {:.1} s)",
        report.index.display(),
        report.screens,
        report.pictures,
        report.rendered,
        started.elapsed().as_secs_f64()
    )?;
    for f in &report.failed {
        writeln!(w, "warning: preview: {f}")?;
    }
    Ok(())
}

pub fn run_sync(
    feed: &str,
    cache_dir: &Path,
    public_key: Option<[u8; 32]>,
    allow_http: bool,
    w: &mut dyn Write,
) -> anyhow::Result<bool> {
    let cache = Cache::open(cache_dir)?;
    let mut options = SyncOptions::new(feed);
    options.public_key = public_key;
    options.allow_http = allow_http;
    let report = sync_once(&cache, &options)?;
    writeln!(w, "{report}")?;
    Ok(true)
}

pub fn run_keygen(out: &Path, w: &mut dyn Write) -> anyhow::Result<bool> {
    if out.exists() {
        anyhow::bail!(
            "{} exists already: a new key would stop every screen that trusts the old one",
            out.display()
        );
    }
    let public = generate_key(out)?;
    writeln!(
        w,
        "secret key written to {} (keep it on the publishing machine only)",
        out.display()
    )?;
    writeln!(
        w,
        "public key, for each screen config:\npublic_key = \"{public}\""
    )?;
    Ok(true)
}

/// Reads a public key given on the command line.
pub fn parse_public_key(text: &str) -> Result<[u8; 32], String> {
    crate::signing::parse_public_key(text).map_err(|_| {
        "not an ed25519 public key: expected the 64 hex digits `vitrin keygen` printed".into()
    })
}
