//! The subcommands behind the CLI. Each takes its parsed arguments, writes what the user reads to
//! the given output, and returns whether it succeeded; `main.rs` only parses arguments.

pub mod bench;
pub mod catalog;
pub mod check;
pub mod feed;
pub mod plan;
pub mod play;
pub mod render;
pub mod report;
pub mod schema;

use std::path::{Path, PathBuf};

use crate::screen::ScreenConfig;

/// The screen config a command uses: the one given, else `kiosk/screen.toml` when run from a
/// checkout, else built-in defaults (playing `playlists/`).
pub fn screen_config(given: Option<&Path>) -> anyhow::Result<ScreenConfig> {
    if let Some(path) = given {
        return Ok(ScreenConfig::load(path)?);
    }
    let bundled = PathBuf::from("kiosk/screen.toml");
    if bundled.is_file() {
        return Ok(ScreenConfig::load(&bundled)?);
    }
    Ok(ScreenConfig::default())
}

/// The screen a command is about: `given` is a screen config file, or the id of a screen of the
/// inventory beside `playlists` (default `playlists/`); without it, the bundled config. Either way
/// as the region describes it ([`with_region`]).
pub fn screen_for(given: Option<&Path>, playlists: Option<&Path>) -> anyhow::Result<ScreenConfig> {
    if let Some(id) = given
        .filter(|g| !g.exists())
        .and_then(|g| g.to_str())
        .filter(|id| crate::region::id_problem(id).is_none())
    {
        let dir = playlists.map_or_else(|| PathBuf::from("playlists"), Path::to_path_buf);
        let (region, _) = crate::check::load_region(&dir);
        if region.screen(id).is_none() {
            let known: Vec<&str> = region.screens.iter().map(|s| s.id.as_str()).collect();
            anyhow::bail!(
                "\"{id}\" is neither a screen config file nor a screen of the inventory in {} (its screens: {})",
                dir.display(),
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            );
        }
        let local = ScreenConfig {
            id: id.to_string(),
            playlists: dir,
            ..ScreenConfig::default()
        };
        return Ok(region.apply(&local));
    }
    let local = screen_config(given)?;
    Ok(with_region(local, playlists))
}

/// The screen as the region describes it, where the region is known here: for a screen with a
/// feed, from the generation its cache plays; otherwise from the libraries and inventory beside
/// `playlists` (the screen config's folder when `None`). Problems in those files are logged, and
/// the screen keeps what its own config says.
pub fn with_region(local: ScreenConfig, playlists: Option<&Path>) -> ScreenConfig {
    let region = if local.feed.is_some() && playlists.is_none() {
        crate::cache::Cache::open(&local.cache_dir)
            .ok()
            .and_then(|c| c.active().ok().flatten())
            .map(|g| g.region)
            .unwrap_or_default()
    } else {
        let dir = playlists.unwrap_or(&local.playlists);
        let (region, report) = crate::check::load_region(dir);
        for file in &report.files {
            for d in file.diagnostics.iter().filter(|d| d.is_error()) {
                tracing::error!("{}", d.headline(&file.source));
            }
        }
        region
    };
    region.apply(&local)
}

/// A folder for the blobs of one command's run (`render`, `bench`), removed when it ends, so it
/// never meddles with a screen's own store.
pub struct TempStore(pub std::path::PathBuf);

impl TempStore {
    pub fn new() -> std::io::Result<Self> {
        let dir = std::env::temp_dir().join(format!("vitrin-render-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }
}

impl Drop for TempStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
