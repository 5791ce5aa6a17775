//! The feed's manifest: every playlist fully resolved, every picture a blob named by its SHA-256.
//! Its generation id is derived from its content, so publishing the same content twice gives the
//! same bytes. A screen trusts nothing in it until it is checked: hashes must be hashes, sizes are
//! capped, and media must be blobs it lists (a manifest can never name a file or a web address).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::media::{BlobRef, Media, is_sha256};
use crate::playlist::Playlist;

/// The manifest format this vitrin writes and reads.
pub const FORMAT: u32 = 1;
/// The largest manifest a screen accepts.
pub const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;
/// The largest blob a screen accepts (pictures are scaled down at publishing).
pub const MAX_BLOB_BYTES: u64 = 64 * 1024 * 1024;

/// One version of everything a feed publishes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// Derived from the content: `g` and 20 hex digits.
    pub generation: String,
    pub playlists: Vec<Playlist>,
    /// Every blob the playlists use, sorted by hash.
    pub blobs: Vec<BlobRef>,
}

/// Why a manifest was refused.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
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

impl Manifest {
    /// A manifest for resolved playlists; `blobs` is every blob they use.
    pub fn new(playlists: Vec<Playlist>, mut blobs: Vec<BlobRef>) -> Self {
        blobs.sort();
        blobs.dedup();
        let generation = generation_of(&playlists, &blobs);
        Self {
            format: FORMAT,
            generation,
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
    pub fn parse(bytes: &[u8]) -> Result<Manifest, ManifestError> {
        #[derive(Deserialize)]
        struct Head {
            format: u32,
        }
        let json_error = |e: serde_json::Error| ManifestError::Json {
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        };
        let head: Head = serde_json::from_slice(bytes).map_err(json_error)?;
        if head.format != FORMAT {
            return Err(ManifestError::Format(head.format));
        }
        let manifest: Manifest = serde_json::from_slice(bytes).map_err(json_error)?;
        manifest.check()?;
        Ok(manifest)
    }

    fn check(&self) -> Result<(), ManifestError> {
        for b in &self.blobs {
            if !is_sha256(&b.sha256) {
                return Err(ManifestError::BadHash(b.sha256.clone()));
            }
            if b.size > MAX_BLOB_BYTES {
                return Err(ManifestError::BlobTooBig {
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
                        return Err(ManifestError::NotABlob {
                            playlist: p.name.clone(),
                            media: media.label(),
                        });
                    }
                }
            }
        }
        let actual = generation_of(&self.playlists, &self.blobs);
        if actual != self.generation {
            return Err(ManifestError::Generation {
                stated: self.generation.clone(),
                actual,
            });
        }
        Ok(())
    }
}

/// The SHA-256 of bytes, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Where a manifest's signature is published: named by the manifest's own hash, so a signature
/// never changes once written and can be published before the manifest it signs.
pub fn signature_path(manifest_bytes: &[u8]) -> String {
    format!("signatures/{}.sig", sha256_hex(manifest_bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playlist::load_playlist_str;
    use std::path::Path;

    fn manifest() -> Manifest {
        let (p, _) = load_playlist_str(
            Path::new("a.toml"),
            "[[slide]]\nkind = \"text\"\ntitle = \"Hej\"\n",
        );
        Manifest::new(vec![p.unwrap()], vec![])
    }

    #[test]
    fn the_same_content_gives_the_same_bytes() {
        assert_eq!(manifest().to_bytes(), manifest().to_bytes());
        let back = Manifest::parse(&manifest().to_bytes()).unwrap();
        assert_eq!(back, manifest());
        assert!(back.generation.starts_with('g') && back.generation.len() == 21);
    }

    #[test]
    fn refuses_what_it_cannot_trust() {
        let mut m = manifest();
        m.playlists[0].name = "Ändrad".into();
        assert!(matches!(
            Manifest::parse(&m.to_bytes()),
            Err(ManifestError::Generation { .. })
        ));
        let mut m = manifest();
        m.playlists[0].slides[0].content = crate::playlist::SlideContent::Image {
            image: Media::File("/etc/passwd".into()),
            caption: None,
            fit: crate::media::Fit::Fill,
        };
        let m = Manifest::new(m.playlists, vec![]);
        assert!(matches!(
            Manifest::parse(&m.to_bytes()),
            Err(ManifestError::NotABlob { .. })
        ));
        let bad = Manifest::new(
            vec![],
            vec![BlobRef {
                sha256: "../../etc/passwd".into(),
                size: 1,
                media_type: "image/png".into(),
            }],
        );
        assert!(matches!(
            Manifest::parse(&bad.to_bytes()),
            Err(ManifestError::BadHash(_))
        ));
        assert!(matches!(
            Manifest::parse(b"{\"format\": 2}"),
            Err(ManifestError::Format(2))
        ));
        assert!(matches!(
            Manifest::parse(b"<html>"),
            Err(ManifestError::Json {
                line: 1,
                column: 1,
                ..
            })
        ));
    }
}
