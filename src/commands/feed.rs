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
    w: &mut dyn Write,
) -> anyhow::Result<bool> {
    let screen = super::screen_config(screen)?;
    let options = PublishOptions {
        playlists,
        out,
        sign,
        catalog: screen.catalog,
        catalog_cache: Some(screen.cache_dir.join("catalog")),
        now: chrono::Utc::now(),
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
