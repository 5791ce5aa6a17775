//! Live edits through the real folder watcher: a player on a temporary playlist folder, edited the
//! ways staff and their editors do it. A valid edit is on screen within 2 s; an edit with an error
//! keeps the last good version on screen and logs the error at its file, line and column; a file
//! replaced through a rename (as editors save) or deleted is taken in its stride.

use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use vitrin::player::WallClock;
use vitrin::player::compositor::Compositor;
use vitrin::player::page::PageView;
use vitrin::player::workers::ContentSource;
use vitrin::screen::ScreenConfig;
use vitrin::show::PageContent;

use crate::player::{Player, at, serial};

/// Warnings and errors from every thread go to the logbook, where the test reads them.
fn keep_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        use tracing_subscriber::layer::SubscriberExt;
        let _ = tracing::subscriber::set_global_default(
            tracing_subscriber::registry().with(vitrin::logbook::Layer),
        );
    });
}

fn slides(titles: &[&str]) -> String {
    let mut toml = String::from("name = \"Live\"\nduration = \"1s\"\ntransition = \"cut\"\n");
    for t in titles {
        toml.push_str(&format!("\n[[slide]]\nkind = \"text\"\ntitle = \"{t}\"\n"));
    }
    toml
}

fn player(dir: &Path, cache: &Path) -> Player {
    let screen = ScreenConfig {
        cache_dir: cache.to_path_buf(),
        ..Default::default()
    };
    Player::new_with_source(
        ContentSource::Folder {
            dir: dir.to_path_buf(),
            watch: true,
        },
        screen,
        at("2026-12-01T11:00:00Z"),
    )
    .with_clock(WallClock::From(at("2026-12-01T11:00:00Z")))
}

impl Player {
    /// The title of the page on screen.
    fn title(&mut self) -> Option<String> {
        let page = self.app.world().resource::<Compositor>().on_screen()?;
        match &self.app.world().get::<PageView>(page)?.page.content {
            PageContent::Text { title, .. } => Some(title.clone()),
            PageContent::Welcome => Some("(welcome)".into()),
            _ => None,
        }
    }

    /// Steps until the page on screen has `title`, for at most `limit` of real time; returns how
    /// long it took.
    fn until_title(&mut self, title: &str, limit: Duration) -> Option<Duration> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if self.title().as_deref() == Some(title) {
                return Some(started.elapsed());
            }
            self.step();
            // Real time must pass for the watcher, as it does on a screen.
            std::thread::sleep(Duration::from_millis(8));
        }
        None
    }

    /// The titles on screen over `limit` of real time.
    fn titles_for(&mut self, limit: Duration) -> Vec<String> {
        let started = Instant::now();
        let mut seen = Vec::new();
        while started.elapsed() < limit {
            if let Some(t) = self.title()
                && seen.last() != Some(&t)
            {
                seen.push(t);
            }
            self.step();
            std::thread::sleep(Duration::from_millis(8));
        }
        seen
    }
}

/// A player on a folder holding one playlist, `name`, of two pages, the first on screen.
fn playing(name: &str) -> (TempDir, TempDir, PathBuf, Player) {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, slides(&["Ett", "Två"])).unwrap();
    let mut p = player(dir.path(), cache.path());
    assert!(p.until_title("Ett", Duration::from_secs(60)).is_some());
    (dir, cache, file, p)
}

#[test]
fn a_valid_edit_is_on_screen_within_two_seconds() {
    let _serial = serial();
    let (_dir, _cache, file, mut p) = playing("live.toml");
    std::fs::write(&file, slides(&["Ett", "Tre"])).unwrap();
    let took = p
        .until_title("Tre", Duration::from_secs(10))
        .expect("the edit never reached the screen");
    assert!(took < Duration::from_secs(2), "the edit took {took:?}");
}

#[test]
fn an_edit_with_an_error_keeps_the_last_good_version_and_says_where() {
    keep_logs();
    let _serial = serial();
    let (_dir, _cache, file, mut p) = playing("fel.toml");
    // The last title's closing quote forgotten.
    let broken = slides(&["Ett", "Tre"]).replace("\"Tre\"", "\"Tre");
    std::fs::write(&file, &broken).unwrap();
    let seen = p.titles_for(Duration::from_secs(3));
    assert!(
        seen.iter().all(|t| t == "Ett" || t == "Två"),
        "the broken edit reached the screen: {seen:?}"
    );
    assert!(seen.len() >= 2, "the show stopped: {seen:?}");
    let logged: Vec<String> = vitrin::logbook::recent()
        .into_iter()
        .filter(|e| e.error && e.message.contains("fel.toml"))
        .map(|e| e.message)
        .collect();
    let line = 1 + broken.lines().position(|l| l.ends_with("\"Tre")).unwrap();
    let at = format!("{}:{line}:", file.display());
    assert!(
        logged.iter().any(|m| m.starts_with(&at)),
        "no error at {at}: {logged:?}"
    );
}

#[test]
fn files_replaced_by_a_rename_or_deleted_are_taken_in_stride() {
    let _serial = serial();
    let (dir, _cache, file, mut p) = playing("live.toml");
    // Saved as many editors save: a new file beside it, renamed over it.
    let tmp = dir.path().join(".live.toml.swp");
    std::fs::write(&tmp, slides(&["Fyra"])).unwrap();
    std::fs::rename(&tmp, &file).unwrap();
    assert!(
        p.until_title("Fyra", Duration::from_secs(5)).is_some(),
        "the renamed file never showed"
    );
    // Deleted: with nothing left to play, vitrin's welcome page shows.
    std::fs::remove_file(&file).unwrap();
    assert!(
        p.until_title("(welcome)", Duration::from_secs(5)).is_some(),
        "the deleted playlist stayed"
    );
    // And back again.
    std::fs::write(&file, slides(&["Fem"])).unwrap();
    assert!(p.until_title("Fem", Duration::from_secs(5)).is_some());
}
