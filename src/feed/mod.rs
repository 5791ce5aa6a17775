//! The central feed: `publish` writes playlists and their media as static files (a manifest and
//! blobs named by SHA-256) that any web server or CDN serves; `sync` brings a screen's cache up to
//! date from it. See the README's "Central feed" for why a static feed, and how to serve one.

pub mod manifest;
pub mod publish;
pub mod sync;

use std::sync::Arc;

use crate::cache::{Cache, CacheError};
use crate::player::Library;
use crate::prepare::LocalMedia;

/// The content of a cache's active generation, ready to play without any network.
pub fn cached_library(cache: &Cache) -> Result<Option<Library>, CacheError> {
    Ok(cache.active()?.map(|manifest| Library {
        generation: manifest.generation,
        playlists: manifest.playlists,
        store: Arc::new(LocalMedia {
            blob_dir: Some(cache.blob_dir()),
        }),
    }))
}
