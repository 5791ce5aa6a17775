//! The central feed: `publish` writes a [`Generation`](crate::generation::Generation) as static
//! files (a manifest and blobs named by SHA-256) that any web server or CDN serves; `sync` brings a
//! screen's cache up to date from it. See the README's "Central feed" for why a static feed, and
//! how to serve one.

pub mod publish;
pub mod sync;

use crate::media::sha256_hex;

/// The file a feed publishes its generation as.
pub const MANIFEST: &str = "manifest.json";

/// Where a manifest's signature is published: named by the manifest's own hash, so a signature
/// never changes once written and can be published before the manifest it signs.
pub fn signature_path(manifest_bytes: &[u8]) -> String {
    format!("signatures/{}.sig", sha256_hex(manifest_bytes))
}
