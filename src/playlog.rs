//! Proof of play: an append-only log of what a screen showed, one JSON object a line
//! (`plays.jsonl`), and of what visitors did on a touch screen (anonymous: what was touched, never
//! who). A page's line is written when it leaves the screen, with how long it showed, and flushed
//! at once, so a power cut loses at most the page on screen. The log rotates by size
//! (`plays.1.jsonl` … `plays.N.jsonl`), so it never fills the disk. [`report`] sums it per playlist
//! and slide for `vitrin report`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The log file's name in its folder.
pub const FILE: &str = "plays.jsonl";
/// A log file is rotated when it grows past this.
pub const MAX_BYTES: u64 = 4 * 1024 * 1024;
/// How many rotated files are kept besides the current one.
pub const KEEP: usize = 5;

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Entry {
    /// A page was on screen from `start` for `seconds`.
    Shown {
        start: DateTime<Utc>,
        seconds: f64,
        playlist: String,
        slide: usize,
        part: usize,
        /// image, carousel, covers, qr, text, welcome, book or code.
        kind: String,
        generation: String,
    },
    /// A visitor touched the screen: what they did (`open_book`, `enlarge_code`, `picture`,
    /// `back`, `forward`, `pause`, `play`, `close`, `idle_return`), on which page.
    Touch {
        at: DateTime<Utc>,
        action: String,
        playlist: Option<String>,
        slide: Option<usize>,
    },
}

/// Whether the file is empty or ends with a newline.
fn ends_a_line(file: &mut std::fs::File) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    if file.metadata()?.len() == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// The log of one screen, in a folder of its own.
#[derive(Debug, Clone)]
pub struct PlayLog {
    dir: PathBuf,
    max_bytes: u64,
    keep: usize,
}

impl PlayLog {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self::with_limits(dir, MAX_BYTES, KEEP)
    }

    pub fn with_limits(dir: impl Into<PathBuf>, max_bytes: u64, keep: usize) -> Self {
        Self {
            dir: dir.into(),
            max_bytes,
            keep: keep.max(1),
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE)
    }

    fn rotated(&self, n: usize) -> PathBuf {
        self.dir.join(format!("plays.{n}.jsonl"))
    }

    /// Appends one line and flushes it to disk. Rotates first when the file is full.
    pub fn append(&self, entry: &Entry) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.path();
        if std::fs::metadata(&path).is_ok_and(|m| m.len() >= self.max_bytes) {
            self.rotate()?;
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(&path)?;
        // A line cut off by a power cut is ended first, so it costs only itself.
        let mut line = Vec::new();
        if !ends_a_line(&mut file)? {
            line.push(b'\n');
        }
        line.extend(serde_json::to_vec(entry).map_err(std::io::Error::other)?);
        line.push(b'\n');
        // One write for the whole line: a crash never leaves half of it.
        file.write_all(&line)?;
        file.sync_data()
    }

    /// plays.jsonl becomes plays.1.jsonl, plays.1 plays.2, …; the oldest beyond `keep` goes.
    fn rotate(&self) -> std::io::Result<()> {
        let _ = std::fs::remove_file(self.rotated(self.keep));
        for n in (1..self.keep).rev() {
            let from = self.rotated(n);
            if from.exists() {
                std::fs::rename(&from, self.rotated(n + 1))?;
            }
        }
        std::fs::rename(self.path(), self.rotated(1))
    }

    /// Every entry in the log, oldest first, with the number of lines that could not be read
    /// (a line cut off by a power cut, or edited by hand).
    pub fn read(dir: &Path) -> std::io::Result<(Vec<Entry>, usize)> {
        let mut files: Vec<PathBuf> = Vec::new();
        let mut rotated: Vec<(usize, PathBuf)> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let n = name.strip_prefix("plays.")?.strip_suffix(".jsonl")?;
                Some((n.parse().ok()?, e.path()))
            })
            .collect();
        rotated.sort_by_key(|r| std::cmp::Reverse(r.0));
        files.extend(rotated.into_iter().map(|(_, p)| p));
        files.push(dir.join(FILE));
        let mut entries = Vec::new();
        let mut bad = 0;
        for f in files {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                match serde_json::from_str(line) {
                    Ok(e) => entries.push(e),
                    Err(_) => bad += 1,
                }
            }
        }
        Ok((entries, bad))
    }
}

/// What one slide of one playlist was on screen for in a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Row {
    pub playlist: String,
    pub slide: usize,
    /// How many times a page of it came on screen.
    pub plays: usize,
    pub seconds: f64,
    /// Books opened and codes shown larger from it.
    pub opened: usize,
}

/// Sums the log per playlist and slide, for pages that started in `from..until`.
pub fn report(entries: &[Entry], from: DateTime<Utc>, until: DateTime<Utc>) -> Vec<Row> {
    let mut rows: BTreeMap<(String, usize), Row> = BTreeMap::new();
    let row = |rows: &mut BTreeMap<(String, usize), Row>, playlist: &str, slide: usize| {
        rows.entry((playlist.to_owned(), slide))
            .or_insert_with(|| Row {
                playlist: playlist.to_owned(),
                slide,
                ..Row::default()
            })
            .clone()
    };
    for e in entries {
        match e {
            Entry::Shown {
                start,
                seconds,
                playlist,
                slide,
                kind,
                ..
            } if *start >= from && *start < until => {
                let mut r = row(&mut rows, playlist, *slide);
                // Books and codes opened count as the slide's, not as plays.
                if kind != "book" && kind != "code" {
                    r.plays += 1;
                }
                r.seconds += seconds;
                rows.insert((playlist.clone(), *slide), r);
            }
            Entry::Touch {
                at,
                action,
                playlist: Some(playlist),
                slide: Some(slide),
            } if *at >= from
                && *at < until
                && (action == "open_book" || action == "enlarge_code") =>
            {
                let mut r = row(&mut rows, playlist, *slide);
                r.opened += 1;
                rows.insert((playlist.clone(), *slide), r);
            }
            _ => {}
        }
    }
    rows.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn shown(start: &str, seconds: f64, playlist: &str, slide: usize, kind: &str) -> Entry {
        Entry::Shown {
            start: t(start),
            seconds,
            playlist: playlist.into(),
            slide,
            part: 1,
            kind: kind.into(),
            generation: "g1".into(),
        }
    }

    #[test]
    fn lines_are_appended_read_back_and_summed_per_slide() {
        let dir = tempfile::tempdir().unwrap();
        let log = PlayLog::new(dir.path());
        let entries = [
            shown("2026-12-01T09:00:00Z", 10.0, "Nyförvärv", 1, "covers"),
            shown("2026-12-01T09:00:10Z", 12.0, "Nyförvärv", 2, "qr"),
            shown("2026-12-01T09:00:22Z", 10.0, "Nyförvärv", 1, "covers"),
            Entry::Touch {
                at: t("2026-12-01T09:00:25Z"),
                action: "open_book".into(),
                playlist: Some("Nyförvärv".into()),
                slide: Some(1),
            },
            shown("2026-12-01T09:00:25Z", 30.0, "Nyförvärv", 1, "book"),
            shown("2026-12-02T09:00:00Z", 10.0, "Nyförvärv", 1, "covers"),
        ];
        for e in &entries {
            log.append(e).unwrap();
        }
        let (read, bad) = PlayLog::read(dir.path()).unwrap();
        assert_eq!(read, entries);
        assert_eq!(bad, 0);
        let rows = report(&read, t("2026-12-01T00:00:00Z"), t("2026-12-02T00:00:00Z"));
        assert_eq!(
            rows,
            [
                Row {
                    playlist: "Nyförvärv".into(),
                    slide: 1,
                    plays: 2,
                    seconds: 50.0,
                    opened: 1
                },
                Row {
                    playlist: "Nyförvärv".into(),
                    slide: 2,
                    plays: 1,
                    seconds: 12.0,
                    opened: 0
                }
            ]
        );
    }

    #[test]
    fn the_log_rotates_by_size_and_keeps_a_bounded_number_of_files() {
        let dir = tempfile::tempdir().unwrap();
        let log = PlayLog::with_limits(dir.path(), 400, 2);
        for i in 0..40 {
            log.append(&shown("2026-12-01T09:00:00Z", i as f64, "P", 1, "text"))
                .unwrap();
        }
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["plays.1.jsonl", "plays.2.jsonl", "plays.jsonl"]);
        // The newest lines are all there, oldest first.
        let (read, _) = PlayLog::read(dir.path()).unwrap();
        let seconds: Vec<f64> = read
            .iter()
            .map(|e| match e {
                Entry::Shown { seconds, .. } => *seconds,
                _ => -1.0,
            })
            .collect();
        assert_eq!(*seconds.last().unwrap(), 39.0);
        assert!(seconds.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn a_line_cut_off_by_a_power_cut_is_counted_and_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let log = PlayLog::new(dir.path());
        log.append(&shown("2026-12-01T09:00:00Z", 10.0, "P", 1, "text"))
            .unwrap();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(log.path())
            .unwrap();
        f.write_all(b"{\"event\":\"shown\",\"start\":\"2026-12")
            .unwrap();
        let (read, bad) = PlayLog::read(dir.path()).unwrap();
        assert_eq!((read.len(), bad), (1, 1));
        // The next line after the power cut stands on its own.
        log.append(&shown("2026-12-01T10:00:00Z", 5.0, "P", 2, "text"))
            .unwrap();
        let (read, bad) = PlayLog::read(dir.path()).unwrap();
        assert_eq!((read.len(), bad), (2, 1));
    }
}
