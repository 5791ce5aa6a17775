//! Files that must survive power cuts: written to a temporary file in the same folder, flushed to
//! disk, renamed into place, and the folder flushed too. Every error names its path.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// An I/O error and the path it happened on.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct PathError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Adds the path to an I/O result.
pub trait WithPath<T> {
    fn with_path(self, path: &Path) -> Result<T, PathError>;
}

impl<T> WithPath<T> for std::io::Result<T> {
    fn with_path(self, path: &Path) -> Result<T, PathError> {
        self.map_err(|source| PathError {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// Flushes a folder's entries (a rename in it) to disk.
pub fn sync_dir(dir: &Path) -> Result<(), PathError> {
    File::open(dir).and_then(|d| d.sync_all()).with_path(dir)
}

/// Writes `bytes` to `path` so that after a crash the file is either the old one or the new one,
/// never a mix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PathError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_path(dir)?;
    let tmp = temp_path(path);
    let mut file = File::create(&tmp).with_path(&tmp)?;
    file.write_all(bytes).with_path(&tmp)?;
    file.sync_all().with_path(&tmp)?;
    drop(file);
    std::fs::rename(&tmp, path).with_path(path)?;
    sync_dir(dir)
}

/// Moves a finished file into place durably: flush it, rename, flush the folder.
pub fn commit_file(from: &Path, to: &Path) -> Result<(), PathError> {
    File::open(from)
        .and_then(|f| f.sync_all())
        .with_path(from)?;
    let dir = to.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_path(dir)?;
    std::fs::rename(from, to).with_path(to)?;
    sync_dir(dir)
}

/// A temporary name next to `path`, unique to this process and call.
pub fn temp_path(path: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

/// Whether a file name is one of [`temp_path`]'s, left behind by a crash.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_files_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/state.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let left: Vec<_> = std::fs::read_dir(dir.path().join("a")).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary files left");
    }

    #[test]
    fn errors_name_their_path() {
        let err = std::fs::read("/nonexistent/vitrin").with_path(Path::new("/nonexistent/vitrin"));
        assert!(
            err.unwrap_err()
                .to_string()
                .starts_with("/nonexistent/vitrin: ")
        );
    }
}
