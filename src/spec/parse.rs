//! Reading what staff write into what it means, for the values that have no parser of their own
//! elsewhere: byte sizes, ed25519 public keys, and paths relative to the file that names them.

use std::path::{Component, Path, PathBuf};

/// Parses a size in bytes: `"500 MB"`, `"2GB"`, `"1.5 GiB"`, `"1000000"`. Units are decimal
/// (`kb`, `mb`, `gb`, `tb`) or binary (`kib`, `mib`, `gib`), in any case.
pub fn parse_byte_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let number: f64 = t[..split].parse().ok()?;
    let unit = t[split..].trim().to_lowercase();
    let factor: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "kb" | "k" => 1e3,
        "mb" | "m" => 1e6,
        "gb" | "g" => 1e9,
        "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let bytes = number * factor;
    (bytes.is_finite() && bytes >= 0.0).then_some(bytes as u64)
}

/// Parses an ed25519 public key written as 64 hex digits, as `vitrin keygen` prints it. `None`
/// when it is not hex, not 32 bytes, or not a point on the curve.
pub(super) fn parse_public_key(text: &str) -> Option<[u8; 32]> {
    hex::decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .filter(|k| ed25519_dalek::VerifyingKey::from_bytes(k).is_ok())
}

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

    #[test]
    fn sizes() {
        assert_eq!(parse_byte_size("2 GB"), Some(2_000_000_000));
        assert_eq!(parse_byte_size("500MB"), Some(500_000_000));
        assert_eq!(parse_byte_size("1 GiB"), Some(1 << 30));
        assert_eq!(parse_byte_size("12"), Some(12));
        assert_eq!(parse_byte_size("lots"), None);
        assert_eq!(parse_byte_size("2 parsecs"), None);
    }

    #[test]
    fn public_keys() {
        // The ed25519 base point, compressed.
        let base = "5866666666666666666666666666666666666666666666666666666666666666";
        assert_eq!(
            parse_public_key(&format!(" {base} ")).map(|k| k[0]),
            Some(0x58)
        );
        assert_eq!(parse_public_key(&base[..62]), None);
        assert_eq!(parse_public_key("not hex"), None);
    }
}
