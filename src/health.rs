//! How the machine under the player is doing, for the heartbeat: memory held, free disk, how long
//! it has run. Read from `/proc` and `df`; a figure that cannot be read is `None`, never an error.

use std::path::Path;

/// The memory this process holds now (resident set), in bytes, from `/proc/self/status`.
pub fn rss_bytes() -> Option<u64> {
    proc_status_kib("VmRSS:").map(|k| k * 1024)
}

/// The most memory this process has held, in bytes.
pub fn peak_rss_bytes() -> Option<u64> {
    proc_status_kib("VmHWM:").map(|k| k * 1024)
}

fn proc_status_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Bytes free for an unprivileged user on the file system holding `path`, as `df` reports them
/// (the program forbids unsafe code, so no direct `statvfs`).
pub fn disk_free_bytes(path: &Path) -> Option<u64> {
    if !path.exists() {
        return None;
    }
    let out = std::process::Command::new("df")
        .args(["-B1", "--output=avail"])
        .arg(path)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)?
        .trim()
        .parse()
        .ok()
}

/// How long the machine has been up, in seconds, from `/proc/uptime`.
pub fn machine_uptime_s() -> Option<f64> {
    std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_figures_are_read_on_linux() {
        let rss = rss_bytes().unwrap();
        assert!(rss > 1 << 20, "{rss}");
        // Not compared with `rss`: the two are read at different moments while other tests
        // allocate and free, and the kernel brings the high-water mark up to date lazily.
        assert!(peak_rss_bytes().unwrap() > 1 << 20);
        let dir = tempfile::tempdir().unwrap();
        assert!(disk_free_bytes(dir.path()).unwrap() > 0);
        assert_eq!(disk_free_bytes(Path::new("/no/such/place")), None);
        assert!(machine_uptime_s().unwrap() > 0.0);
    }
}
