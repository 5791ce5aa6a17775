//! `vitrin check`: every problem in playlists (and screen configs and book lists), at once.

use std::io::Write;
use std::path::PathBuf;

use crate::legibility::check_all;

/// Checks the files and folders, prints every problem and a summary; `Ok(false)` when there were
/// errors.
pub fn run(paths: &[PathBuf], out: &mut dyn Write) -> std::io::Result<bool> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from("playlists")]
    } else {
        paths.to_vec()
    };
    let (report, playlists) = check_all(&paths);
    write!(out, "{}", report.render())?;
    let (errors, warnings) = (report.errors(), report.warnings());
    let files = report.files.len();
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    if errors == 0 {
        writeln!(
            out,
            "ok: {} checked, {} ready to play, {}",
            plural(files, "file"),
            plural(playlists.len(), "playlist"),
            plural(warnings, "warning")
        )?;
    } else {
        writeln!(
            out,
            "{} and {} in {}",
            plural(errors, "error"),
            plural(warnings, "warning"),
            plural(files, "file")
        )?;
    }
    Ok(errors == 0)
}
