//! Small helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root, where `playlists/`, `assets/` and `kiosk/` are.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture file under `tests/fixtures/`.
pub fn fixture(path: &str) -> PathBuf {
    root().join("tests/fixtures").join(path)
}

/// Runs the `vitrin` binary in the repository root.
pub fn vitrin(args: &[&str]) -> Output {
    vitrin_in(&root(), args)
}

/// Runs the `vitrin` binary in a folder.
pub fn vitrin_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vitrin"))
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "warn")
        // Catalog copies and caches go to a folder of the tests', not the user's.
        .env(
            "XDG_CACHE_HOME",
            std::env::temp_dir().join("vitrin-tests-cache"),
        )
        .output()
        .expect("vitrin runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The QR codes in a frame, decoded.
pub fn qr_codes(img: &image::RgbImage) -> Vec<String> {
    let gray = image::DynamicImage::ImageRgb8(img.clone()).into_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(gray);
    prepared
        .detect_grids()
        .iter()
        .filter_map(|g| g.decode().ok().map(|(_, content)| content))
        .collect()
}
