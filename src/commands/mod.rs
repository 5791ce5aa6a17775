//! The subcommands behind the CLI. Each takes its parsed arguments, writes what the user reads to
//! the given output, and returns whether it succeeded; `main.rs` only parses arguments.

pub mod bench;
pub mod catalog;
pub mod check;
pub mod feed;
pub mod plan;
pub mod play;
pub mod render;
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
