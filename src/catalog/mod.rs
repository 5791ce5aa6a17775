//! New acquisitions from library catalogs: the items a `covers` slide shows (title, authors,
//! ISBN, cover picture, link into the portal), read from catalog feeds or curated lists.
//!
//! Covers are found in order: the picture the feed gives; then cover addresses by ISBN from the
//! configuration (Open Library, say); then none, and the player sets a typographic cover. Tiny
//! replies (tracking pixels, blank placeholders) count as no cover. Covers are resolved where
//! playlists are ingested (centrally for feed screens), politely and with conditional GETs.

pub mod curated;
pub mod fetch;
pub mod isbn;
pub mod parse;
pub mod shelf;
pub mod xml;

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::http;
use crate::media::{self, Media};
use fetch::{Fetcher, Politeness};
use parse::RawItem;

/// Templates for new-acquisition lists: where covers and portal records are found by ISBN.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CatalogSettings {
    /// Cover image URL templates tried in order, with `{isbn13}` or `{isbn10}`.
    pub cover_urls: Vec<String>,
    /// The portal record for an ISBN, used when a feed gives no link.
    pub link: Option<String>,
    /// A short link for QR codes, used when the record link would make too dense a code.
    pub short_link: Option<String>,
}

/// One book as a covers slide shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverItem {
    pub title: String,
    pub authors: Vec<String>,
    /// The ISBN-13, when the source gave a valid ISBN.
    pub isbn13: Option<String>,
    /// The cover picture; `None` means the player sets a typographic cover.
    pub cover: Option<Media>,
    /// Where the cover picture was found on the web, if it came from there.
    #[serde(default)]
    pub cover_url: Option<String>,
    /// The book's page in the portal.
    pub link: Option<String>,
    /// Where the item came from: the feed's address or the list's path.
    pub source: String,
    /// Who it is for, what it is, where it stands, when it came: for choosing books by shelf.
    #[serde(default, skip_serializing_if = "shelf::Shelving::is_empty")]
    pub shelving: shelf::Shelving,
}

/// Why a catalog source gave no books. The message names the source.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{source_name}: cannot read it: {error}")]
    Read {
        source_name: String,
        #[source]
        error: std::io::Error,
    },
    #[error(transparent)]
    Fetch(#[from] http::FetchError),
    #[error("{source_name}: {error}")]
    Feed {
        source_name: String,
        #[source]
        error: parse::ParseError,
    },
    #[error("{source_name}: {count} error(s), the first: {first}")]
    List {
        source_name: String,
        count: usize,
        first: String,
    },
    #[error("{source_name}: a blob is not a catalog source")]
    Blob { source_name: String },
}

/// Replies younger than this are used without asking the server again.
const FEED_FRESH: Duration = Duration::from_secs(0);
const COVER_FRESH: Duration = Duration::from_secs(24 * 3600);
/// Below this many bytes a "cover" is a placeholder.
const MIN_COVER_BYTES: usize = 200;

/// Turns catalog sources into books.
#[derive(Debug)]
pub struct Resolver {
    pub settings: CatalogSettings,
    fetcher: Fetcher,
    /// Where last good lists are kept, to survive a restart without network.
    lists_dir: Option<PathBuf>,
    /// Fetch covers (not only the feeds), to know which ones are real.
    pub fetch_covers: bool,
}

impl Default for Resolver {
    fn default() -> Self {
        Self::new(CatalogSettings::default())
    }
}

impl Clone for Resolver {
    fn clone(&self) -> Self {
        Self {
            settings: self.settings.clone(),
            fetcher: Fetcher::new(self.fetcher_dir(), Politeness::default()),
            lists_dir: self.lists_dir.clone(),
            fetch_covers: self.fetch_covers,
        }
    }
}

impl Resolver {
    /// A resolver that keeps nothing on disk.
    pub fn new(settings: CatalogSettings) -> Self {
        Self {
            settings,
            fetcher: Fetcher::new(None, Politeness::default()),
            lists_dir: None,
            fetch_covers: true,
        }
    }

    /// A resolver that keeps replies and last good lists under `dir` (a screen's cache).
    pub fn with_cache(settings: CatalogSettings, dir: PathBuf) -> Self {
        Self {
            settings,
            fetcher: Fetcher::new(Some(dir.join("http")), Politeness::default()),
            lists_dir: Some(dir.join("lists")),
            fetch_covers: true,
        }
    }

    fn fetcher_dir(&self) -> Option<PathBuf> {
        self.lists_dir
            .as_ref()
            .and_then(|d| d.parent().map(|p| p.join("http")))
    }

    pub fn with_politeness(mut self, politeness: Politeness) -> Self {
        self.fetcher = Fetcher::new(self.fetcher_dir(), politeness);
        self
    }

    /// Uses only what is on disk: for starting without waiting for the network.
    pub fn set_offline(&mut self, offline: bool) {
        self.fetcher.offline = offline;
    }

    /// Requests made so far.
    pub fn requests(&self) -> u64 {
        self.fetcher.requests
    }

    /// Downloads a picture a playlist names by its web address (from the disk copy when it is
    /// fresh, or offline; politely and conditionally otherwise).
    pub fn download(&mut self, url: &str) -> Result<Vec<u8>, http::FetchError> {
        Ok(self.fetcher.get(url, Duration::from_secs(3600))?.bytes)
    }

    /// The books a source lists, newest first as the source orders them, without duplicates, at
    /// most `limit` of them.
    pub fn items(&mut self, source: &Media, limit: usize) -> Result<Vec<CoverItem>, SourceError> {
        self.items_with_base(source, None, limit)
    }

    /// Like [`Resolver::items`], with the address relative links in the source are relative to
    /// (for a feed saved to a file).
    pub fn items_with_base(
        &mut self,
        source: &Media,
        base: Option<url::Url>,
        limit: usize,
    ) -> Result<Vec<CoverItem>, SourceError> {
        let today = chrono::Utc::now().date_naive();
        self.items_on_shelf(source, base, limit, &shelf::ShelfFilter::default(), today)
    }

    /// The books of a source that `shelf` chooses on `today` (newest first when it asks for new
    /// ones), at most `limit`; covers are looked for only for those.
    pub fn items_on_shelf(
        &mut self,
        source: &Media,
        base: Option<url::Url>,
        limit: usize,
        shelf: &shelf::ShelfFilter,
        today: chrono::NaiveDate,
    ) -> Result<Vec<CoverItem>, SourceError> {
        let label = source.label();
        let bytes = self.document(source)?;
        let base = base.or_else(|| match source {
            Media::File(path) => std::path::absolute(path)
                .ok()
                .and_then(|p| url::Url::from_file_path(p).ok()),
            Media::Url(url) => url::Url::parse(url).ok(),
            Media::Blob(_) => None,
        });
        let items = if let (Media::File(path), Some(text)) = (source, looks_like_book_list(&bytes))
        {
            let (items, diagnostics) = curated::parse_list(path, text);
            let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
            if let Some(first) = errors.first() {
                return Err(SourceError::List {
                    source_name: label,
                    count: errors.len(),
                    first: first.headline(text),
                });
            }
            let items = shelf.choose(items, |i| &i.shelving, today);
            self.finish_list(items, limit)
        } else {
            let (format, raw) =
                parse::parse(&bytes, base.as_ref()).map_err(|error| SourceError::Feed {
                    source_name: label.clone(),
                    error,
                })?;
            tracing::debug!(source = %label, format = format.name(), items = raw.len(), "catalog source read");
            let raw = shelf.choose(raw, |r| &r.shelving, today);
            self.resolve(raw, &label, limit)
        };
        self.keep(&format!("{label}{}", shelf.key()), &items);
        Ok(items)
    }

    /// A source document's bytes: a file, or a web address (politely, conditionally; from the
    /// disk copy when offline).
    pub fn document(&mut self, source: &Media) -> Result<Vec<u8>, SourceError> {
        let label = source.label();
        match source {
            Media::File(path) => crate::fsutil::read_bounded(path, crate::http::MAX_DOWNLOAD)
                .map_err(|error| SourceError::Read {
                    source_name: label,
                    error,
                }),
            Media::Url(url) => Ok(self.fetcher.get(url, FEED_FRESH)?.bytes),
            Media::Blob(_) => Err(SourceError::Blob { source_name: label }),
        }
    }

    /// The last good list of a source (as `shelf` chose from it), as kept on disk.
    pub fn last_good(&self, source: &Media, shelf: &shelf::ShelfFilter) -> Option<Vec<CoverItem>> {
        self.last_kept(&format!("{}{}", source.label(), shelf.key()))
    }

    /// What was kept under `key` with [`Resolver::keep`].
    pub fn last_kept<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        let path = self.list_path(key)?;
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()
    }

    /// Keeps what a source gave on disk (in a screen's cache), to survive a restart offline.
    pub fn keep<T: Serialize>(&self, key: &str, value: &T) {
        if let Some(path) = self.list_path(key)
            && let Err(e) = crate::fsutil::write_atomic(
                &path,
                &serde_json::to_vec(value).expect("lists serialize"),
            )
        {
            tracing::warn!("cannot keep what {key} gave: {e}");
        }
    }

    fn list_path(&self, label: &str) -> Option<PathBuf> {
        self.lists_dir.as_ref().map(|d| {
            d.join(format!(
                "{}.json",
                crate::media::sha256_hex(label.as_bytes())
            ))
        })
    }

    /// A curated list: its own covers stand; links and missing covers come from the templates.
    fn finish_list(&mut self, items: Vec<CoverItem>, limit: usize) -> Vec<CoverItem> {
        let mut out: Vec<CoverItem> = dedupe(items, |i| {
            (i.isbn13.clone(), i.link.clone(), i.title.clone())
        })
        .into_iter()
        .take(limit)
        .collect();
        for item in &mut out {
            if item.link.is_none() {
                item.link = self.portal_link(item.isbn13.as_deref());
            }
            if item.cover.is_none() {
                let (cover, url) = self.find_cover(None, item.isbn13.as_deref());
                item.cover = cover;
                item.cover_url = url;
            }
        }
        out
    }

    fn resolve(&mut self, raw: Vec<RawItem>, source: &str, limit: usize) -> Vec<CoverItem> {
        let raw = dedupe(raw, |i| {
            (i.isbn.map(|x| x.isbn13()), i.link.clone(), i.title.clone())
        });
        raw.into_iter()
            .take(limit)
            .map(|r| {
                let isbn13 = r.isbn.map(|i| i.isbn13());
                // A link into the portal is for phones: only web addresses.
                let web_link = r.link.clone().filter(|l| l.starts_with("http"));
                let link = web_link.or_else(|| self.portal_link(isbn13.as_deref()));
                let link = self.shorten_for_qr(link, isbn13.as_deref());
                let (cover, cover_url) = self.find_cover(r.cover.as_deref(), isbn13.as_deref());
                CoverItem {
                    title: r.title,
                    authors: r.authors,
                    isbn13,
                    cover,
                    cover_url,
                    link,
                    source: source.to_string(),
                    shelving: r.shelving,
                }
            })
            .collect()
    }

    fn template(template: &str, isbn13: &str) -> String {
        let isbn10 = isbn::Isbn::parse(isbn13)
            .ok()
            .and_then(|i| i.isbn10())
            .unwrap_or_default();
        template
            .replace("{isbn13}", isbn13)
            .replace("{isbn10}", &isbn10)
            .replace("{isbn}", isbn13)
    }

    fn portal_link(&self, isbn13: Option<&str>) -> Option<String> {
        Some(Self::template(self.settings.link.as_deref()?, isbn13?))
    }

    /// A link too long for a small QR code becomes the short link, when one is configured.
    fn shorten_for_qr(&self, link: Option<String>, isbn13: Option<&str>) -> Option<String> {
        let link = link?;
        let too_dense =
            crate::qr::version_for(&link).is_none_or(|v| v > crate::qr::MAX_COMFORTABLE_VERSION);
        if too_dense && let (Some(short), Some(isbn)) = (&self.settings.short_link, isbn13) {
            return Some(Self::template(short, isbn));
        }
        Some(link)
    }

    /// The first real cover among the feed's picture and the configured addresses.
    fn find_cover(
        &mut self,
        from_feed: Option<&str>,
        isbn13: Option<&str>,
    ) -> (Option<Media>, Option<String>) {
        let mut candidates: Vec<String> = from_feed.map(str::to_string).into_iter().collect();
        if let Some(isbn) = isbn13 {
            candidates.extend(
                self.settings
                    .cover_urls
                    .iter()
                    .map(|t| Self::template(t, isbn)),
            );
        }
        for url in candidates {
            if let Some(path) = url.strip_prefix("file://") {
                // A cover beside a feed read from a file.
                let path = PathBuf::from(percent_decode(path));
                if read_picture_file(&path).is_some_and(|b| is_real_cover(&b)) {
                    return (Some(Media::File(path)), None);
                }
                continue;
            }
            if !self.fetch_covers {
                return (Some(Media::Url(url.clone())), Some(url));
            }
            match self.fetcher.get(&url, COVER_FRESH) {
                Ok(f) if is_real_cover(&f.bytes) => {
                    let media = match f.path {
                        Some(path) => Media::File(path),
                        None => Media::Url(url.clone()),
                    };
                    return (Some(media), Some(url));
                }
                Ok(_) => tracing::debug!(%url, "a placeholder, not a cover"),
                Err(e) => tracing::debug!("no cover: {e}"),
            }
        }
        (None, None)
    }
}

/// `%20` and friends in a file URL's path, decoded.
fn percent_decode(path: &str) -> String {
    url::Url::parse(&format!("file://{path}"))
        .ok()
        .and_then(|u| u.to_file_path().ok())
        .map_or_else(|| path.to_string(), |p| p.display().to_string())
}

/// Keeps the first of items that share an ISBN (or, without one, a link, or a title).
fn dedupe<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> (Option<String>, Option<String>, String),
) -> Vec<T> {
    let mut seen = HashSet::new();
    items
        .into_iter()
        .filter(|item| {
            let (isbn, link, title) = key(item);
            let k = match (isbn, link) {
                (Some(i), _) => format!("isbn:{i}"),
                (None, Some(l)) => format!("link:{l}"),
                (None, None) => format!("title:{title}"),
            };
            seen.insert(k)
        })
        .collect()
}

/// A picture file's bytes, if it is a plain file no larger than a picture may be (never a device
/// such as `/dev/zero`, never gigabytes).
fn read_picture_file(path: &std::path::Path) -> Option<Vec<u8>> {
    let meta = std::fs::metadata(path).ok()?;
    (meta.is_file() && meta.len() <= media::MAX_PICTURE_BYTES)
        .then(|| std::fs::read(path).ok())
        .flatten()
}

/// A tracking pixel or blank placeholder is no cover.
fn is_real_cover(bytes: &[u8]) -> bool {
    bytes.len() >= MIN_COVER_BYTES
        && crate::media::probe_image_bytes(bytes).is_ok_and(|(w, h)| media::is_real_cover(w, h))
}

/// The text of a TOML book list (one with `[[book]]` tables), if that is what the bytes are.
pub fn looks_like_book_list(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    let first = text.trim_start().chars().next();
    (first != Some('<') && first != Some('{') && text.contains("[[book]]")).then_some(text)
}
