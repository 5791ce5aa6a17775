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
