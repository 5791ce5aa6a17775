//! Files that must survive power cuts: written to a temporary file in the same folder, flushed to
//! disk, renamed into place, and the folder flushed too. Files read whole, read within a limit.
//! Every error names its path.

use std::fs::File;
use std::io::{Read, Write};
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

/// Reads a whole file of at most `limit` bytes. Anything but a plain file is refused before it is
/// opened, so a folder, a pipe (which would wait for a writer forever) or a device such as
/// `/dev/zero` (which never ends) costs a clear error; so does a file larger than the limit, read
/// no further than one byte past it, even when it grows (or is swapped for a device) meanwhile.
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind};
    let meta = std::fs::metadata(path)?;
    if let Some(why) = not_plain(&meta) {
        let kind = if meta.is_dir() {
            ErrorKind::IsADirectory
        } else {
            ErrorKind::InvalidInput
        };
        return Err(Error::new(kind, format!("it {why}")));
    }
    let too_large = |size: u64| {
        Error::new(
            ErrorKind::FileTooLarge,
            format!("it is {size} bytes, over the limit of {}", Megabytes(limit)),
        )
    };
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let file = File::open(path)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Why something a path names is not a plain file vitrin may read ("is a folder, not a file"), or
/// `None` for a plain file.
pub fn not_plain(meta: &std::fs::Metadata) -> Option<&'static str> {
    if meta.is_file() {
        None
    } else if meta.is_dir() {
        Some("is a folder, not a file")
    } else {
        Some("is not a plain file (a device or a pipe)")
    }
}

/// A limit in bytes as staff read it: "4 MB" for 4 MiB, the bytes themselves when not whole.
struct Megabytes(u64);

impl std::fmt::Display for Megabytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const MIB: u64 = 1024 * 1024;
        if self.0 >= MIB && self.0.is_multiple_of(MIB) {
            write!(f, "{} MB", self.0 / MIB)
        } else {
            write!(f, "{} bytes", self.0)
        }
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
    fn reads_plain_files_within_their_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.toml");
        std::fs::write(&path, b"name = 1").unwrap();
        assert_eq!(read_bounded(&path, 8).unwrap(), b"name = 1");
        let err = read_bounded(&path, 7).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::FileTooLarge);
        assert_eq!(err.to_string(), "it is 8 bytes, over the limit of 7 bytes");
        // A sparse file of a gigabyte is refused from its size, without reading it.
        let huge = dir.path().join("huge.jpg");
        File::create(&huge).unwrap().set_len(1 << 30).unwrap();
        let err = read_bounded(&huge, 4 << 20).unwrap_err();
        assert_eq!(
            err.to_string(),
            "it is 1073741824 bytes, over the limit of 4 MB"
        );
    }

    #[test]
    fn folders_devices_and_pipes_are_refused_without_reading_them() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_bounded(dir.path(), 1 << 20).unwrap_err();
        assert_eq!(err.to_string(), "it is a folder, not a file");
        // /dev/zero never ends; read, it would take all the memory there is.
        let err = read_bounded(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert_eq!(
            err.to_string(),
            "it is not a plain file (a device or a pipe)"
        );
        // Opening a pipe waits for a writer forever.
        let fifo = dir.path().join("fifo.toml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success(), "mkfifo (coreutils) makes the pipe");
        let err = read_bounded(&fifo, 1 << 20).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        // Through a link, too.
        let link = dir.path().join("zero.jpg");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(read_bounded(&link, 1 << 20).is_err());
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
