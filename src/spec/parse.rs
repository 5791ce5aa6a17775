//! Paths as staff write them: relative to the file that names them, shown tidied in messages.

use std::path::{Component, Path, PathBuf};

/// Removes `.` and `name/..` from a path without touching the file system, so that messages show
/// `playlists/jul.toml` rather than `kiosk/../playlists/jul.toml`.
pub fn tidy_path(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidies_paths() {
        assert_eq!(
            tidy_path(Path::new("kiosk/../playlists")),
            Path::new("playlists")
        );
        assert_eq!(tidy_path(Path::new("./a/./b")), Path::new("a/b"));
        assert_eq!(tidy_path(Path::new("../a")), Path::new("../a"));
        assert_eq!(tidy_path(Path::new("/x/../y")), Path::new("/y"));
    }
}
