//! Ingest: from staff's playlist folder to content a player can show. Each file is checked; a
//! file with errors keeps its last good version (a bad edit never replaces what plays), and the
//! books of covers slides are read from their sources, keeping a source's last good list when it
//! fails.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::catalog::CoverItem;
use crate::diagnostic::Report;
use crate::media::Media;
use crate::playlist::load::toml_files;
use crate::playlist::{Playlist, SlideContent, check_paths};

/// Reads a playlist folder again and again (on every edit), keeping the last good version of each
/// file and of each catalog source.
#[derive(Debug, Default)]
pub struct LocalIngest {
    dir: PathBuf,
    last_good: HashMap<PathBuf, Playlist>,
    lists: HashMap<String, Vec<CoverItem>>,
    catalog: crate::catalog::Resolver,
}

/// What one reading of the folder gave.
#[derive(Debug)]
pub struct Ingested {
    /// Every playlist that can play: good files, and the last good version of bad ones.
    pub playlists: Vec<Playlist>,
    /// Every problem found.
    pub report: Report,
    /// Files whose last good version plays because the file has errors now.
    pub kept: Vec<PathBuf>,
    /// Problems with catalog sources (each names its source).
    pub source_errors: Vec<String>,
}

impl LocalIngest {
    pub fn new(dir: impl Into<PathBuf>, catalog: crate::catalog::Resolver) -> Self {
        Self {
            dir: dir.into(),
            catalog,
            ..Self::default()
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Reads only what is on disk (no network): for starting at once.
    pub fn set_offline(&mut self, offline: bool) {
        self.catalog.set_offline(offline);
    }

    /// Reads the folder.
    pub fn load(&mut self) -> Ingested {
        let (report, fresh) = check_paths(std::slice::from_ref(&self.dir));
        let present: Vec<PathBuf> = toml_files(&self.dir).unwrap_or_default();
        let mut playlists = Vec::new();
        let mut kept = Vec::new();
        for path in &present {
            if let Some(p) = fresh.iter().find(|p| &p.source == path) {
                self.last_good.insert(path.clone(), p.clone());
                playlists.push(p.clone());
            } else if let Some(p) = self.last_good.get(path) {
                kept.push(path.clone());
                playlists.push(p.clone());
            }
        }
        // Files that are gone are gone.
        self.last_good.retain(|path, _| present.contains(path));
        let mut source_errors = self.resolve_covers(&mut playlists);
        // Pictures named by web address are downloaded once and read from disk after.
        for slide in playlists.iter_mut().flat_map(|p| p.slides.iter_mut()) {
            for media in slide.content.media_mut() {
                if let Err(e) = self.catalog.localize(media) {
                    source_errors.push(e.to_string());
                }
            }
        }
        Ingested {
            playlists,
            report,
            kept,
            source_errors,
        }
    }

    /// Fills covers slides with their books.
    fn resolve_covers(&mut self, playlists: &mut [Playlist]) -> Vec<String> {
        resolve_covers(playlists, &mut self.catalog, &mut self.lists)
    }
}

/// Fills the covers slides of `playlists` with their books from their sources. A source that
/// fails keeps the books it gave last time (from `last_good`, else from the resolver's disk copy),
/// and its error is returned.
pub fn resolve_covers(
    playlists: &mut [Playlist],
    catalog: &mut crate::catalog::Resolver,
    last_good: &mut HashMap<String, Vec<CoverItem>>,
) -> Vec<String> {
    let mut errors = Vec::new();
    for slide in playlists.iter_mut().flat_map(|p| p.slides.iter_mut()) {
        let SlideContent::Covers {
            source,
            items,
            count,
            only_with_covers,
            ..
        } = &mut slide.content
        else {
            continue;
        };
        // Books without covers may be left out: then look a little further down the list.
        let limit = if *only_with_covers {
            *count * 3
        } else {
            *count
        } as usize;
        let key = source.label();
        match catalog.items(source, limit) {
            Ok(found) => {
                last_good.insert(key, found.clone());
                *items = found;
            }
            Err(e) => {
                errors.push(e.to_string());
                *items = last_good
                    .get(&key)
                    .cloned()
                    .or_else(|| catalog.last_good(source))
                    .unwrap_or_default();
            }
        }
    }
    errors
}

/// Every piece of media a set of playlists needs.
pub fn all_media(playlists: &[Playlist]) -> Vec<&Media> {
    playlists
        .iter()
        .flat_map(|p| p.slides.iter())
        .flat_map(|s| s.content.media())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, body: &str) {
        std::fs::write(dir.join(name), body).unwrap();
    }

    #[test]
    fn a_bad_edit_keeps_the_last_good_version() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "a.toml",
            "name = \"A\"\n[[slide]]\nkind = \"text\"\ntitle = \"Första\"\n",
        );
        let mut ingest = LocalIngest::new(dir.path(), Default::default());
        let first = ingest.load();
        assert_eq!(first.playlists.len(), 1);
        write(
            dir.path(),
            "a.toml",
            "name = \"A\"\n[[slide]]\nkind = \"text\"\ntitel = \"Trasig\"\n",
        );
        let second = ingest.load();
        assert_eq!(second.report.errors(), 2);
        assert_eq!(second.kept, [dir.path().join("a.toml")]);
        assert_eq!(second.playlists, first.playlists);
        write(
            dir.path(),
            "a.toml",
            "name = \"A\"\n[[slide]]\nkind = \"text\"\ntitle = \"Andra\"\n",
        );
        let third = ingest.load();
        assert!(third.kept.is_empty());
        assert_ne!(third.playlists, first.playlists);
        std::fs::remove_file(dir.path().join("a.toml")).unwrap();
        assert!(ingest.load().playlists.is_empty());
    }

    #[test]
    fn a_new_file_with_errors_plays_nothing() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "b.toml", "[[slide]]\nkind = \"nope\"\n");
        let mut ingest = LocalIngest::new(dir.path(), Default::default());
        let got = ingest.load();
        assert!(got.playlists.is_empty());
        assert!(got.kept.is_empty());
        assert_eq!(got.report.errors(), 1);
    }

    #[test]
    fn covers_slides_get_their_books_from_a_list() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("listor")).unwrap();
        write(
            &dir.path().join("listor"),
            "nya.toml",
            "[[book]]\ntitle = \"Vinterviken\"\nauthor = \"Mats Larsson\"\nisbn = \"9789100198251\"\n",
        );
        write(
            dir.path(),
            "n.toml",
            "[[slide]]\nkind = \"covers\"\nsource = \"listor/nya.toml\"\n",
        );
        let mut ingest = LocalIngest::new(dir.path(), Default::default());
        let got = ingest.load();
        let SlideContent::Covers { items, .. } = &got.playlists[0].slides[0].content else {
            panic!()
        };
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].title, "Vinterviken");
        assert_eq!(items[0].isbn13.as_deref(), Some("9789100198251"));
        // A broken list keeps the last good books.
        write(&dir.path().join("listor"), "nya.toml", "[[book]\n");
        let again = ingest.load();
        let SlideContent::Covers { items, .. } = &again.playlists[0].slides[0].content else {
            panic!()
        };
        assert_eq!(items.len(), 1);
        assert_eq!(again.source_errors.len(), 1, "{:?}", again.source_errors);
    }
}
