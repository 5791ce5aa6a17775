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

/// Checks the local catalog sources a playlist's covers slides name (the remote ones are checked
/// when they are fetched).
pub fn check_cover_sources(playlist: &Playlist, _fields: &Fields, _checker: &mut Checker) {
    for slide in &playlist.slides {
        if let SlideContent::Covers { .. } = &slide.content {
            // Curated lists are checked as files of their own by `check_paths`.
        }
    }
}
