//! A generation: the complete content a screen can play. Every playlist fully resolved (covers
//! slides with their books), every picture a blob named by its SHA-256. One ingest makes it, for a
//! feed (`publish`) and for a standalone screen alike; the feed serves it as `manifest.json`, the
//! cache stores it, the schedule and the show read it. Its id is derived from its content, so the
//! same content gives the same bytes. Nothing in one read from outside is trusted until it is
//! checked: hashes must be hashes, sizes are capped, and media must be blobs it lists (a
//! generation can never name a file or a web address).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use std::sync::Arc;

use crate::media::{BlobRef, LocalMedia, Media, MediaStore, is_sha256};
use crate::playlist::{Playlist, SlideContent};
use crate::region::{Region, RegionError};

/// The manifest format this vitrin writes and reads.
pub const FORMAT: u32 = 1;
/// The largest manifest a screen accepts.
pub const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;
/// The largest blob a screen accepts (pictures are scaled down at publishing).
pub const MAX_BLOB_BYTES: u64 = crate::media::MAX_PICTURE_BYTES;

/// One version of everything a feed publishes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    pub format: u32,
    /// Derived from the content: `g` and 20 hex digits.
    #[serde(rename = "generation")]
    pub id: String,
    /// Counts up with each publish that changes the content; a screen never goes back to a lower
    /// one. Covered by the manifest's signature, like everything in it. 0 for content made on the
    /// screen itself.
    #[serde(default)]
    pub sequence: u64,
    /// When the feed published it.
    #[serde(default)]
    pub published: Option<chrono::DateTime<chrono::Utc>>,
    pub playlists: Vec<Playlist>,
    /// Every blob the playlists use, sorted by hash.
    pub blobs: Vec<BlobRef>,
    /// The libraries and screens described centrally, when the playlists' folder has them.
    #[serde(default, skip_serializing_if = "Region::is_empty")]
    pub region: Region,
}

/// Why a manifest was refused.
#[derive(Debug, thiserror::Error)]
pub enum GenerationError {
    #[error("not a vitrin manifest: {message} (line {line}, column {column})")]
    Json {
        message: String,
        line: usize,
        column: usize,
    },
    #[error(
        "manifest format {0} is not supported by this vitrin (it reads format {FORMAT}); update vitrin"
    )]
    Format(u32),
    #[error("\"{0}\" is not a SHA-256")]
    BadHash(String),
    #[error("blob {sha256} is {size} bytes, over the limit of {MAX_BLOB_BYTES}")]
    BlobTooBig { sha256: String, size: u64 },
    #[error("playlist \"{playlist}\" uses {media}, which is not a blob of this manifest")]
    NotABlob { playlist: String, media: String },
    #[error("playlist \"{playlist}\": {what}")]
    OverLimit { playlist: String, what: String },
    #[error(transparent)]
    Region(#[from] RegionError),
    #[error("the generation id {stated} does not match the content ({actual})")]
    Generation { stated: String, actual: String },
}

fn generation_of(playlists: &[Playlist], blobs: &[BlobRef], region: &Region) -> String {
    // Content without a region hashes as it did before regions existed.
    let body = if region.is_empty() {
        serde_json::to_vec(&(FORMAT, playlists, blobs))
    } else {
        serde_json::to_vec(&(FORMAT, playlists, blobs, region))
    }
    .expect("a manifest serializes");
    let digest = Sha256::digest(&body);
    format!("g{}", &hex::encode(digest)[..20])
}

impl Generation {
    /// A manifest for resolved playlists; `blobs` is every blob they use.
    pub fn new(playlists: Vec<Playlist>, mut blobs: Vec<BlobRef>) -> Self {
        blobs.sort();
        blobs.dedup();
        let id = generation_of(&playlists, &blobs, &Region::default());
        Self {
            format: FORMAT,
            id,
            sequence: 0,
            published: None,
            playlists,
            blobs,
            region: Region::default(),
        }
    }

    /// The same content with the region's description, under the id that makes.
    pub fn with_region(mut self, region: Region) -> Self {
        self.id = generation_of(&self.playlists, &self.blobs, &region);
        self.region = region;
        self
    }

    /// Whether the feed published this longer than `after` before `now`. Content made on the
    /// screen itself (no publish time) is never stale.
    pub fn is_stale(&self, now: chrono::DateTime<chrono::Utc>, after: std::time::Duration) -> bool {
        self.published.is_some_and(|p| {
            now.signed_duration_since(p)
                .to_std()
                .is_ok_and(|age| age > after)
        })
    }

    /// The manifest as published: pretty JSON, so people can read it too.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a manifest serializes");
        bytes.push(b'\n');
        bytes
    }

    /// Reads and checks a manifest from its bytes.
    pub fn parse(bytes: &[u8]) -> Result<Generation, GenerationError> {
        #[derive(Deserialize)]
        struct Head {
            format: u32,
        }
        let json_error = |e: serde_json::Error| GenerationError::Json {
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        };
        let head: Head = serde_json::from_slice(bytes).map_err(json_error)?;
        if head.format != FORMAT {
            return Err(GenerationError::Format(head.format));
        }
        let manifest: Generation = serde_json::from_slice(bytes).map_err(json_error)?;
        manifest.check()?;
        Ok(manifest)
    }

    fn check(&self) -> Result<(), GenerationError> {
        self.check_sizes()?;
        for b in &self.blobs {
            if !is_sha256(&b.sha256) {
                return Err(GenerationError::BadHash(b.sha256.clone()));
            }
            if b.size > MAX_BLOB_BYTES {
                return Err(GenerationError::BlobTooBig {
                    sha256: b.sha256.clone(),
                    size: b.size,
                });
            }
        }
        for p in &self.playlists {
            for slide in &p.slides {
                for media in slide.content.media() {
                    let listed =
                        matches!(media, Media::Blob(b) if self.blobs.binary_search(b).is_ok());
                    if !listed {
                        return Err(GenerationError::NotABlob {
                            playlist: p.name.clone(),
                            media: media.label(),
                        });
                    }
                }
            }
        }
        self.region.check()?;
        let actual = generation_of(&self.playlists, &self.blobs, &self.region);
        if actual != self.id {
            return Err(GenerationError::Generation {
                stated: self.id.clone(),
                actual,
            });
        }
        Ok(())
    }
}

/// What a generation read from outside may hold: more is refused, never rendered. Staff's files
/// are far inside these (`vitrin check` warns long before); they stop a tampered or broken feed
/// from asking a screen for a hundred thousand slides, or a slide that lasts no time at all.
pub mod limits {
    use std::time::Duration;

    pub const PLAYLISTS: usize = 500;
    pub const SLIDES: usize = 500;
    pub const PICTURES: usize = 200;
    pub const BOOKS: usize = 300;
    pub const TEXT_CHARS: usize = 2000;
    pub const SLIDE_TIME: std::ops::RangeInclusive<Duration> =
        Duration::from_secs(1)..=Duration::from_secs(3600);
}

impl Generation {
    fn check_sizes(&self) -> Result<(), GenerationError> {
        let over = |playlist: &str, what: String| GenerationError::OverLimit {
            playlist: playlist.chars().take(80).collect(),
            what,
        };
        if self.playlists.len() > limits::PLAYLISTS {
            let n = self.playlists.len();
            return Err(over(
                "*",
                format!("{n} playlists, over {}", limits::PLAYLISTS),
            ));
        }
        for p in &self.playlists {
            if p.slides.len() > limits::SLIDES {
                let n = p.slides.len();
                return Err(over(
                    &p.name,
                    format!("{n} slides, over {}", limits::SLIDES),
                ));
            }
            let long = std::iter::once(p.name.as_str())
                .chain(p.slides.iter().flat_map(|s| s.content.texts()))
                .find(|t| t.chars().count() > limits::TEXT_CHARS);
            if let Some(t) = long {
                let n = t.chars().count();
                let limit = limits::TEXT_CHARS;
                return Err(over(
                    &p.name,
                    format!("a text of {n} characters, over {limit}"),
                ));
            }
            for (i, slide) in p.slides.iter().enumerate() {
                let n = i + 1;
                if !limits::SLIDE_TIME.contains(&slide.duration) {
                    let ms = slide.duration.as_millis();
                    let what = format!("slide {n} shows for {ms} ms, not between 1 s and 1 h");
                    return Err(over(&p.name, what));
                }
                let (count, limit, noun) = match &slide.content {
                    SlideContent::Carousel { images, .. } => {
                        (images.len(), limits::PICTURES, "pictures")
                    }
                    SlideContent::Covers { items, .. } => (items.len(), limits::BOOKS, "books"),
                    _ => (0, 0, ""),
                };
                if count > limit {
                    return Err(over(
                        &p.name,
                        format!("slide {n} has {count} {noun}, over {limit}"),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A generation and where its blobs' bytes are read from: what a player plays.
#[derive(Clone)]
pub struct Library {
    pub generation: Generation,
    pub store: Arc<dyn MediaStore>,
}

impl Library {
    /// Nothing to play: the player shows its welcome page.
    pub fn empty() -> Self {
        Self {
            generation: Generation::new(Vec::new(), Vec::new()),
            store: Arc::new(LocalMedia::default()),
        }
    }

    pub fn playlists(&self) -> &[Playlist] {
        &self.generation.playlists
    }
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library")
            .field("generation", &self.generation.id)
            .field("playlists", &self.generation.playlists.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::load_playlist_str;
    use std::path::Path;

    fn manifest() -> Generation {
        let (p, _) = load_playlist_str(
            Path::new("a.toml"),
            "[[slide]]\nkind = \"text\"\ntitle = \"Hej\"\n",
        );
        Generation::new(vec![p.unwrap()], vec![])
    }

    #[test]
    fn the_same_content_gives_the_same_bytes() {
        assert_eq!(manifest().to_bytes(), manifest().to_bytes());
        let back = Generation::parse(&manifest().to_bytes()).unwrap();
        assert_eq!(back, manifest());
        assert!(back.id.starts_with('g') && back.id.len() == 21);
    }

    #[test]
    fn the_region_travels_with_the_content_and_is_checked_on_arrival() {
        use crate::region::{Region, ScreenEntry};
        let entry = |id: &str| ScreenEntry {
            id: id.into(),
            name: None,
            library: None,
            tags: Vec::new(),
            width: 1920,
            height: 1080,
            touch: false,
            diagonal_mm: None,
            viewing_distance_mm: None,
            reduced_motion: false,
        };
        let region = Region {
            libraries: Vec::new(),
            screens: vec![entry("karlstad-entre")],
        };
        let m = manifest().with_region(region.clone());
        assert_ne!(m.id, manifest().id, "the region is part of the content");
        assert_eq!(Generation::parse(&m.to_bytes()).unwrap().region, region);
        // An id that could name a file elsewhere, or a region changed after the id was made.
        let bad = manifest().with_region(Region {
            libraries: Vec::new(),
            screens: vec![entry("../../etc")],
        });
        assert!(matches!(
            Generation::parse(&bad.to_bytes()),
            Err(GenerationError::Region(_))
        ));
        let mut changed = manifest().with_region(region);
        changed.region.screens[0].touch = true;
        assert!(matches!(
            Generation::parse(&changed.to_bytes()),
            Err(GenerationError::Generation { .. })
        ));
    }

    #[test]
    fn refuses_what_it_cannot_trust() {
        let mut m = manifest();
        m.playlists[0].name = "Ändrad".into();
        assert!(matches!(
            Generation::parse(&m.to_bytes()),
            Err(GenerationError::Generation { .. })
        ));
        let mut m = manifest();
        m.playlists[0].slides[0].content = crate::playlist::SlideContent::Image {
            image: Media::File("/etc/passwd".into()),
            caption: None,
            fit: crate::media::Fit::Fill,
        };
        let m = Generation::new(m.playlists, vec![]);
        assert!(matches!(
            Generation::parse(&m.to_bytes()),
            Err(GenerationError::NotABlob { .. })
        ));
        let bad = Generation::new(
            vec![],
            vec![BlobRef {
                sha256: "../../etc/passwd".into(),
                size: 1,
                media_type: "image/png".into(),
            }],
        );
        assert!(matches!(
            Generation::parse(&bad.to_bytes()),
            Err(GenerationError::BadHash(_))
        ));
        assert!(matches!(
            Generation::parse(b"{\"format\": 2}"),
            Err(GenerationError::Format(2))
        ));
        assert!(matches!(
            Generation::parse(b"<html>"),
            Err(GenerationError::Json {
                line: 1,
                column: 1,
                ..
            })
        ));
    }

    /// A feed that asks for what no staff file would: refused whole, with what was wrong.
    #[test]
    fn refuses_what_no_screen_should_try_to_show() {
        let slide_for = |ms: u64| {
            let mut m = manifest();
            m.playlists[0].slides[0].duration = std::time::Duration::from_millis(ms);
            Generation::new(m.playlists, vec![])
        };
        let err = Generation::parse(&slide_for(0).to_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "playlist \"a\": slide 1 shows for 0 ms, not between 1 s and 1 h"
        );
        assert!(Generation::parse(&slide_for(1000).to_bytes()).is_ok());
        let mut m = manifest();
        m.playlists[0].slides[0].content = crate::playlist::SlideContent::Text {
            title: "x".repeat(100_000),
            text: None,
            image: None,
        };
        let m = Generation::new(m.playlists, vec![]);
        assert!(matches!(
            Generation::parse(&m.to_bytes()),
            Err(GenerationError::OverLimit { .. })
        ));
        let mut m = manifest();
        let slide = m.playlists[0].slides[0].clone();
        m.playlists[0].slides = vec![slide; limits::SLIDES + 1];
        let m = Generation::new(m.playlists, vec![]);
        assert!(matches!(
            Generation::parse(&m.to_bytes()),
            Err(GenerationError::OverLimit { .. })
        ));
    }

    #[test]
    fn a_feed_is_stale_only_past_its_limit() {
        let day = std::time::Duration::from_secs(86400);
        let now = chrono::Utc::now();
        let mut g = manifest();
        assert!(!g.is_stale(now, day), "made on the screen: never stale");
        g.published = Some(now - chrono::Duration::hours(23));
        assert!(!g.is_stale(now, day));
        g.published = Some(now - chrono::Duration::hours(25));
        assert!(g.is_stale(now, day));
        g.published = Some(now + chrono::Duration::hours(1));
        assert!(
            !g.is_stale(now, day),
            "a clock behind the feed's is not staleness"
        );
    }
}
