//! New acquisitions from library catalogs: the items a `covers` slide shows (title, authors,
//! ISBN, cover picture, link into the portal), read from catalog feeds or curated lists.

pub mod curated;
pub mod isbn;

use serde::{Deserialize, Serialize};

use crate::media::Media;
use crate::playlist::{Playlist, SlideContent};
use crate::spec::{Checker, Fields};

/// One book as a covers slide shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverItem {
    pub title: String,
    pub authors: Vec<String>,
    /// The ISBN-13, when the source gave a valid ISBN.
    pub isbn13: Option<String>,
    /// The cover picture; `None` means the player sets a typographic cover.
    pub cover: Option<Media>,
    /// The book's page in the portal.
    pub link: Option<String>,
    /// Where the item came from: the feed's address or the list's path.
    pub source: String,
}

/// Why a catalog source gave no books. The message names the source.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{source_name}: cannot read it: {error}")]
    Read {
        source_name: String,
        error: std::io::Error,
    },
    #[error("{source_name}: {message}")]
    Invalid {
        source_name: String,
        message: String,
    },
}

/// Turns catalog sources into books.
#[derive(Debug, Default, Clone)]
pub struct Resolver {
    pub settings: crate::screen::CatalogSettings,
}

impl Resolver {
    pub fn new(settings: crate::screen::CatalogSettings) -> Self {
        Self { settings }
    }

    /// The books a source lists, in its order.
    pub fn items(&mut self, source: &Media) -> Result<Vec<CoverItem>, SourceError> {
        match source {
            Media::File(path) => {
                let text = std::fs::read_to_string(path).map_err(|error| SourceError::Read {
                    source_name: path.display().to_string(),
                    error,
                })?;
                let (items, diagnostics) = curated::parse_list(path, &text);
                let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
                if let Some(first) = errors.first() {
                    return Err(SourceError::Invalid {
                        source_name: path.display().to_string(),
                        message: format!(
                            "{} error(s), the first: {}",
                            errors.len(),
                            first.headline(&text)
                        ),
                    });
                }
                Ok(items)
            }
            other => Err(SourceError::Invalid {
                source_name: other.label(),
                message: "this kind of catalog source is not supported yet".into(),
            }),
        }
    }
}

/// Checks the local catalog sources a playlist's covers slides name (the remote ones are checked
/// when they are fetched).
pub fn check_cover_sources(playlist: &Playlist, _fields: &Fields, _checker: &mut Checker) {
    for slide in &playlist.slides {
        if let SlideContent::Covers { .. } = &slide.content {
            // Curated lists are checked as files of their own by `check_paths`.
        }
    }
}
