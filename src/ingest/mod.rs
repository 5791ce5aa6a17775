//! Ingest: from staff's playlists to a [`Generation`], the one pipeline for both places content
//! is made: `publish` for a feed, and a standalone screen for its own folder. Playlists are
//! checked, covers slides get their books ([`covers`]), and every picture goes through the same
//! [`pictures`] pipeline into blobs, so a standalone preview shows the pixels feed screens show.
//!
//! A standalone screen reads its folder again on every edit ([`LocalIngest`]): a file with errors
//! keeps its last good version and a picture that cannot be made leaves its slide out, so a bad
//! edit never replaces what plays with something worse. `publish` is strict instead: a problem
//! publishes nothing.

pub mod covers;
pub mod events;
pub mod pictures;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::catalog::{CoverItem, Resolver};
use crate::check::{RegionPart, check_all, region_of, toml_files};
use crate::diagnostic::Report;
use crate::generation::{Generation, Library};
use crate::media::{BlobRef, LocalMedia, Media};
use crate::playlist::{Playlist, SlideContent};
use crate::region::{LIBRARY_DIR, Region};
pub use covers::resolve_covers;
pub use events::resolve_events;
pub use pictures::{PictureError, Pictures};

/// What to do with a picture that cannot be made into a blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnBadPicture {
    /// Make no generation (publishing: staff fix it before anything goes out).
    Refuse,
    /// Leave the picture out, with a warning (a playing screen: show what can be shown). A slide
    /// whose main picture is left out goes; a side picture goes; a cover becomes typographic.
    LeaveOut,
}

/// A generation and what was left out of it on the way.
#[derive(Debug)]
pub struct Made {
    pub generation: Generation,
    /// Catalog sources that failed (their last good books were used) and pictures left out.
    pub warnings: Vec<String>,
}

/// What each catalog source and calendar gave the last time it worked, by source: used when it
/// fails.
#[derive(Debug, Clone, Default)]
pub struct LastGood {
    pub books: HashMap<String, Vec<CoverItem>>,
    pub events: HashMap<String, Vec<crate::events::Event>>,
}

/// Makes a generation from checked playlists read from `root`: books for covers slides, events
/// for events slides (from the day before `at` on), every
/// picture a blob in `pictures`, and no path of this machine left in it (sources become relative
/// to `root`).
pub fn make_generation(
    mut playlists: Vec<Playlist>,
    root: &Path,
    catalog: &mut Resolver,
    lists: &mut LastGood,
    pictures: &mut Pictures,
    on_bad: OnBadPicture,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Made, PictureError> {
    let mut warnings = resolve_covers(&mut playlists, catalog, &mut lists.books, at.date_naive());
    warnings.extend(resolve_events(
        &mut playlists,
        catalog,
        &mut lists.events,
        at,
    ));
    let mut job = Job {
        pictures,
        catalog,
        on_bad,
        warnings,
        blobs: BTreeMap::new(),
    };
    for playlist in &mut playlists {
        playlist.source = relative(&playlist.source, root);
        let mut slides = Vec::with_capacity(playlist.slides.len());
        for mut slide in std::mem::take(&mut playlist.slides) {
            if let SlideContent::Covers {
                source: Media::File(path),
                ..
            }
            | SlideContent::Events {
                source: Media::File(path),
                ..
            } = &mut slide.content
            {
                *path = relative(path, root);
            }
            if job.blobs_for(&mut slide.content)? {
                slides.push(slide);
            }
        }
        playlist.slides = slides;
    }
    let blobs: Vec<BlobRef> = job.blobs.into_values().collect();
    Ok(Made {
        generation: Generation::new(playlists, blobs),
        warnings: job.warnings,
    })
}

/// `path` relative to `root`, or its file name: screens never see this machine's paths.
fn relative(path: &Path, root: &Path) -> PathBuf {
    path.strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.file_name().map(PathBuf::from).unwrap_or_default())
}

struct Job<'a> {
    pictures: &'a mut Pictures,
    catalog: &'a mut Resolver,
    on_bad: OnBadPicture,
    warnings: Vec<String>,
    blobs: BTreeMap<String, BlobRef>,
}

impl Job<'_> {
    /// Turns a slide's pictures into blobs; `false` when the slide has nothing left to show.
    fn blobs_for(&mut self, content: &mut SlideContent) -> Result<bool, PictureError> {
        match content {
            SlideContent::Image { image, .. } => self.blob(image, self.on_bad),
            SlideContent::Carousel { images, .. } => {
                let mut kept = Vec::with_capacity(images.len());
                for mut picture in std::mem::take(images) {
                    if self.blob(&mut picture.image, self.on_bad)? {
                        kept.push(picture);
                    }
                }
                *images = kept;
                Ok(!images.is_empty())
            }
            SlideContent::Covers { items, .. } => {
                // A cover that cannot be shown never stops a publish: the book gets a typographic
                // cover, as it would if its catalog had none.
                for item in items.iter_mut() {
                    if let Some(cover) = &mut item.cover
                        && !self.blob(cover, OnBadPicture::LeaveOut)?
                    {
                        item.cover = None;
                    }
                }
                Ok(true)
            }
            SlideContent::Qr { image, .. } | SlideContent::Text { image, .. } => {
                if let Some(picture) = image
                    && !self.blob(picture, self.on_bad)?
                {
                    *image = None;
                }
                Ok(true)
            }
            SlideContent::Hours { .. } | SlideContent::Events { .. } => Ok(true),
        }
    }

    /// Turns one picture into a blob; `false` when it is left out.
    fn blob(&mut self, media: &mut Media, on_bad: OnBadPicture) -> Result<bool, PictureError> {
        match self.pictures.blob(media, self.catalog) {
            Ok(blob) => {
                self.blobs.insert(blob.sha256.clone(), blob.clone());
                *media = Media::Blob(blob);
                Ok(true)
            }
            Err(e) if on_bad == OnBadPicture::LeaveOut => {
                self.warnings.push(format!("left out: {e}"));
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }
}

/// Reads a playlist folder again and again (on every edit), keeping the last good version of each
/// file and of each catalog source, and making its pictures into blobs under a folder of its own.
#[derive(Debug)]
pub struct LocalIngest {
    dir: PathBuf,
    last_good: HashMap<PathBuf, Playlist>,
    /// The last good version of each library's file and of the inventory.
    last_good_region: HashMap<PathBuf, RegionPart>,
    lists: LastGood,
    catalog: Resolver,
    pictures: Pictures,
    /// The blobs of the generation made last: still playing until the new one takes over.
    previous: HashSet<String>,
}

/// What one reading of the folder gave.
#[derive(Debug)]
pub struct Ingested {
    /// What plays: good files, and the last good version of bad ones.
    pub library: Library,
    /// Every problem found in the files.
    pub report: Report,
    /// Files whose last good version plays because the file has errors now.
    pub kept: Vec<PathBuf>,
    /// Catalog sources that failed and pictures left out (each names its source or file).
    pub warnings: Vec<String>,
}

impl Ingested {
    pub fn playlists(&self) -> &[Playlist] {
        self.library.playlists()
    }
}

impl LocalIngest {
    /// Reads playlists from `dir`, keeping the blobs of its pictures (and an index of them) under
    /// `store`.
    pub fn new(dir: impl Into<PathBuf>, catalog: Resolver, store: &Path) -> Self {
        Self {
            dir: dir.into(),
            last_good: HashMap::new(),
            last_good_region: HashMap::new(),
            lists: LastGood::default(),
            catalog,
            pictures: Pictures::with_index(store.join("blobs"), store.join("pictures.json")),
            previous: HashSet::new(),
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
        let checked = check_all(std::slice::from_ref(&self.dir));
        let (report, fresh) = (checked.report, checked.playlists);
        let (playlists, mut kept) = self.with_last_good(fresh);
        let region = self.region_with_last_good(checked.region_files, &mut kept);
        let made = make_generation(
            playlists,
            &self.dir,
            &mut self.catalog,
            &mut self.lists,
            &mut self.pictures,
            OnBadPicture::LeaveOut,
            chrono::Utc::now(),
        )
        .expect("leaving bad pictures out never fails");
        let made = Made {
            generation: made.generation.with_region(region),
            ..made
        };
        let current: HashSet<String> = made
            .generation
            .blobs
            .iter()
            .map(|b| b.sha256.clone())
            .collect();
        let keep: HashSet<&str> = current
            .iter()
            .chain(&self.previous)
            .map(String::as_str)
            .collect();
        self.pictures.keep_only(&keep);
        self.previous = current;
        Ingested {
            library: Library {
                generation: made.generation,
                store: Arc::new(LocalMedia {
                    blob_dir: Some(self.pictures.dir().to_path_buf()),
                }),
            },
            report,
            kept,
            warnings: made.warnings,
        }
    }

    /// The region's files: fresh where good, the last good version where a file has errors now.
    fn region_with_last_good(
        &mut self,
        fresh: Vec<(PathBuf, RegionPart)>,
        kept: &mut Vec<PathBuf>,
    ) -> Region {
        let mut present: Vec<PathBuf> = toml_files(&self.dir).unwrap_or_default();
        present.extend(toml_files(&self.dir.join(LIBRARY_DIR)).unwrap_or_default());
        let fresh: HashMap<PathBuf, RegionPart> = fresh.into_iter().collect();
        let mut parts = Vec::new();
        for path in &present {
            if let Some(part) = fresh.get(path) {
                self.last_good_region.insert(path.clone(), part.clone());
                parts.push(part.clone());
            } else if let Some(part) = self.last_good_region.get(path) {
                kept.push(path.clone());
                parts.push(part.clone());
            }
        }
        self.last_good_region
            .retain(|path, _| present.contains(path));
        region_of(parts.iter())
    }

    /// The folder's playlists: fresh ones where the file is good, the last good version where it
    /// has errors now, none where it is gone.
    fn with_last_good(&mut self, fresh: Vec<Playlist>) -> (Vec<Playlist>, Vec<PathBuf>) {
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
        self.last_good.retain(|path, _| present.contains(path));
        (playlists, kept)
    }
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
        let mut ingest =
            LocalIngest::new(dir.path(), Default::default(), &dir.path().join(".store"));
        let first = ingest.load();
        assert_eq!(first.playlists().len(), 1);
        write(
            dir.path(),
            "a.toml",
            "name = \"A\"\n[[slide]]\nkind = \"text\"\ntitel = \"Trasig\"\n",
        );
        let second = ingest.load();
        assert_eq!(second.report.errors(), 2);
        assert_eq!(second.kept, [dir.path().join("a.toml")]);
        assert_eq!(second.playlists(), first.playlists());
        write(
            dir.path(),
            "a.toml",
            "name = \"A\"\n[[slide]]\nkind = \"text\"\ntitle = \"Andra\"\n",
        );
        let third = ingest.load();
        assert!(third.kept.is_empty());
        assert_ne!(third.playlists(), first.playlists());
        std::fs::remove_file(dir.path().join("a.toml")).unwrap();
        assert!(ingest.load().playlists().is_empty());
    }

    #[test]
    fn a_new_file_with_errors_plays_nothing() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "b.toml", "[[slide]]\nkind = \"nope\"\n");
        let mut ingest =
            LocalIngest::new(dir.path(), Default::default(), &dir.path().join(".store"));
        let got = ingest.load();
        assert!(got.playlists().is_empty());
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
        let mut ingest =
            LocalIngest::new(dir.path(), Default::default(), &dir.path().join(".store"));
        let got = ingest.load();
        let SlideContent::Covers { items, .. } = &got.playlists()[0].slides[0].content else {
            panic!()
        };
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].title, "Vinterviken");
        assert_eq!(items[0].isbn13.as_deref(), Some("9789100198251"));
        // A broken list keeps the last good books.
        write(&dir.path().join("listor"), "nya.toml", "[[book]\n");
        let again = ingest.load();
        let SlideContent::Covers { items, .. } = &again.playlists()[0].slides[0].content else {
            panic!()
        };
        assert_eq!(items.len(), 1);
        assert_eq!(again.warnings.len(), 1, "{:?}", again.warnings);
    }
}
