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
use crate::playlist::Playlist;

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
    pub playlists: Vec<Playlist>,
    /// Every blob the playlists use, sorted by hash.
    pub blobs: Vec<BlobRef>,
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
    #[error("the generation id {stated} does not match the content ({actual})")]
    Generation { stated: String, actual: String },
}

fn generation_of(playlists: &[Playlist], blobs: &[BlobRef]) -> String {
    let body = serde_json::to_vec(&(FORMAT, playlists, blobs)).expect("a manifest serializes");
    let digest = Sha256::digest(&body);
    format!("g{}", &hex::encode(digest)[..20])
}

impl Generation {
    /// A manifest for resolved playlists; `blobs` is every blob they use.
    pub fn new(playlists: Vec<Playlist>, mut blobs: Vec<BlobRef>) -> Self {
        blobs.sort();
        blobs.dedup();
        let id = generation_of(&playlists, &blobs);
        Self {
            format: FORMAT,
            id,
            playlists,
            blobs,
        }
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
        let actual = generation_of(&self.playlists, &self.blobs);
        if actual != self.id {
            return Err(GenerationError::Generation {
                stated: self.id.clone(),
                actual,
            });
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
}
