//! The screen's side of the feed: one sync brings the cache up to the feed's latest generation.
//! The manifest is fetched with a conditional GET (a poll with no change is one request), only
//! missing blobs are fetched, a few at a time, each streamed to a `.partial` file, resumed with
//! `Range` where the server answers 206, verified against its SHA-256 and size, and moved into
//! place. The new generation becomes active only when every blob is there; until then the
//! previous one keeps playing. With a public key configured, a manifest whose signature does not
//! verify is refused.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use reqwest::header::{
    CONTENT_RANGE, ETAG, HeaderName, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RANGE,
    RETRY_AFTER,
};

use super::{MANIFEST, signature_path};
use crate::cache::{Cache, CacheError, State};
use crate::generation::{Generation, GenerationError, MAX_MANIFEST_BYTES};
use crate::http::error_chain;
use crate::media::BlobRef;
use crate::signing::{self, SigningError};

/// How to reach a feed and how patient to be.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// The feed's base address, e.g. `https://feed.example.se/varmland/`.
    pub feed: String,
    /// Allow plain http (only for loopback, closed networks and tests).
    pub allow_http: bool,
    /// Accept only manifests signed with this key.
    pub public_key: Option<[u8; 32]>,
    pub connect_timeout: Duration,
    /// The longest wait for the next bytes of a reply.
    pub read_timeout: Duration,
    /// Blobs fetched at the same time.
    pub parallel: usize,
    /// Tries per request after the first.
    pub retries: u32,
    /// The longest a `Retry-After` or backoff makes a sync wait.
    pub max_wait: Duration,
    /// The cache's size limit in bytes.
    pub cache_limit: u64,
    /// Warn when the feed has published nothing new for this long.
    pub stale_after: Option<Duration>,
}

impl SyncOptions {
    pub fn new(feed: &str) -> Self {
        let feed = if feed.ends_with('/') {
            feed.to_string()
        } else {
            format!("{feed}/")
        };
        Self {
            feed,
            allow_http: false,
            public_key: None,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(20),
            parallel: 4,
            retries: 3,
            max_wait: Duration::from_secs(60),
            cache_limit: 2_000_000_000,
            stale_after: None,
        }
    }

    /// The options a screen config asks for.
    pub fn for_screen(screen: &crate::screen::ScreenConfig) -> Option<Self> {
        let feed = screen.feed.as_deref()?;
        let mut o = Self::new(feed);
        o.allow_http = screen.allow_http;
        o.public_key = screen.public_key;
        o.cache_limit = screen.blob_budget();
        o.stale_after = Some(screen.feed_stale_after);
        Some(o)
    }
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub requests: u64,
    /// Bytes of reply bodies received.
    pub bytes: u64,
    pub blobs_fetched: usize,
    /// The generation now active.
    pub generation: Option<String>,
    pub outcome: Outcome,
}

/// How a sync ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Outcome {
    /// The manifest has not changed (304).
    #[default]
    NotModified,
    /// The manifest was fetched but is the generation already active.
    Unchanged,
    /// A new generation is active; the previous one was this.
    Activated { previous: Option<String> },
}

impl std::fmt::Display for SyncReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match &self.outcome {
            Outcome::NotModified => "no change (304)".to_string(),
            Outcome::Unchanged => "no change".to_string(),
            Outcome::Activated { previous: Some(p) } => format!("activated (was {p})"),
            Outcome::Activated { previous: None } => "activated (first generation)".to_string(),
        };
        write!(
            f,
            "generation {}: {what}; {} request{}, {} bytes, {} blob{} fetched",
            self.generation.as_deref().unwrap_or("none"),
            self.requests,
            if self.requests == 1 { "" } else { "s" },
            self.bytes,
            self.blobs_fetched,
            if self.blobs_fetched == 1 { "" } else { "s" },
        )
    }
}

/// Why a sync failed. The active generation is untouched whatever the error.
///
/// Each message is whole on its own (logs print just the message); the cause is also kept as the
/// error's source, and [`crate::http::error_chain`] prints the chain without saying anything twice.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(
        "the feed {url} is not https; allow plain http in the screen config (allow_http = true) only on closed networks"
    )]
    Insecure { url: String },
    #[error("the feed {url} is not a web address; give it as https://host/path/")]
    NotWeb { url: String },
    #[error("{url}: not a web address ({source}); give the feed as https://host/path/")]
    BadAddress {
        url: String,
        #[source]
        source: url::ParseError,
    },
    #[error("{url}: cannot set up the HTTP client: {}", error_chain(.source))]
    Client {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{url}: {status}")]
    Status { url: String, status: StatusCode },
    /// The request got no reply: no connection, a timeout, a TLS failure.
    #[error("{url}: {}", error_chain(.source))]
    Network {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    /// A reply (the manifest or a signature) broke off.
    #[error("{url}: the reply broke off: {}", error_chain(.source))]
    BrokeOff {
        url: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{url}: {source}")]
    Generation {
        url: String,
        #[source]
        source: GenerationError,
    },
    #[error("{url}: the manifest is larger than {MAX_MANIFEST_BYTES} bytes")]
    ManifestTooBig { url: String },
    #[error(
        "{url}: refused: this manifest (sequence {offered}) was published before the one that plays (sequence {playing}); an old copy is being served"
    )]
    Rollback {
        url: String,
        offered: u64,
        playing: u64,
    },
    #[error("{url}: refused: {problem}")]
    Signature {
        url: String,
        #[source]
        problem: SignatureProblem,
    },
    #[error("{url}: {problem}")]
    Blob {
        url: String,
        #[source]
        problem: BlobProblem,
    },
    #[error(transparent)]
    Cache(#[from] CacheError),
}

/// Why a manifest's signature was refused.
#[derive(Debug, thiserror::Error)]
pub enum SignatureProblem {
    #[error("the manifest is not signed (publish it with `vitrin publish --sign KEYFILE`)")]
    Unsigned,
    #[error("the signature file is not an ed25519 signature ({0})")]
    NotASignature(#[source] SigningError),
    #[error("the public key cannot be used ({0})")]
    BadKey(#[source] SigningError),
    /// [`SigningError::Mismatch`] says nothing more, so it is not kept.
    #[error("the signature does not match the manifest (wrong key, or the manifest was changed)")]
    Mismatch,
}

impl From<SigningError> for SignatureProblem {
    fn from(e: SigningError) -> Self {
        match e {
            SigningError::NotHex(_) => SignatureProblem::NotASignature(e),
            SigningError::NotAKey => SignatureProblem::BadKey(e),
            SigningError::Mismatch => SignatureProblem::Mismatch,
        }
    }
}

/// What was wrong with a blob's download. Every one may pass on another try.
#[derive(Debug, thiserror::Error)]
pub enum BlobProblem {
    #[error("stopped after {received} of {expected} bytes: {}", error_chain(.source))]
    BrokeOff {
        received: u64,
        expected: u64,
        #[source]
        source: std::io::Error,
    },
    #[error("the reply ended after {received} of {expected} bytes")]
    TooShort { received: u64, expected: u64 },
    #[error("longer than the manifest's {expected} bytes")]
    TooLong { expected: u64 },
    #[error(
        "too slow: {received} of {expected} bytes in {} s (at least {} KB/s is needed)",
        .allowed.as_secs(), MIN_SPEED / 1000
    )]
    TooSlow {
        received: u64,
        expected: u64,
        allowed: Duration,
    },
    /// Size or hash differ from the manifest's (the cache says which).
    #[error("the bytes do not match the manifest: {source}")]
    WrongBytes {
        #[source]
        source: CacheError,
    },
    #[error("{}: {source}", .path.display())]
    Partial {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl SyncError {
    /// Whether trying again later may help.
    fn retryable(&self) -> bool {
        match self {
            SyncError::Status { status, .. } => {
                status.is_server_error()
                    || *status == StatusCode::TOO_MANY_REQUESTS
                    || *status == StatusCode::REQUEST_TIMEOUT
            }
            SyncError::Network { .. } | SyncError::BrokeOff { .. } | SyncError::Blob { .. } => true,
            _ => false,
        }
    }
}

/// Brings `cache` up to the feed's latest generation.
pub fn sync_once(cache: &Cache, options: &SyncOptions) -> Result<SyncReport, SyncError> {
    let session = Session::open(options)?;
    let _writing = cache.lock()?;

    // 1. The manifest, conditionally; its signature checked before anything in it is read; never
    //    older than what plays.
    let state = cache.state();
    let active = cache.active().ok().flatten();
    let validators = validators(&state, active.is_some(), &options.feed);
    let Some(reply) = session.fetch_manifest(&validators)? else {
        return Ok(session.report(0, state.active, Outcome::NotModified));
    };
    if let Some(key) = &options.public_key {
        verify_signature(&session, key, &reply.bytes)?;
    }
    let manifest = reply.parse(&session)?;
    if let Some(a) = &active {
        refuse_rollback(&session, a, &manifest.generation)?;
    }
    warn_if_stale(&manifest.generation, options);
    if active
        .as_ref()
        .is_some_and(|a| a.id == manifest.generation.id)
    {
        // Same content: remember the validators so the next poll is a single 304.
        manifest.activate(cache, &options.feed)?;
        return Ok(session.report(0, Some(manifest.generation.id), Outcome::Unchanged));
    }

    // 2. The missing blobs, a few at a time.
    let fetched = session.fetch_missing_blobs(cache, &manifest.generation)?;

    // 3. Everything is here: the new generation plays from now on.
    install(cache, options, &manifest)?;
    let previous = active.map(|a| a.id);
    tracing::info!(generation = %manifest.generation.id, blobs = fetched, "activated");
    Ok(session.report(
        fetched,
        Some(manifest.generation.id),
        Outcome::Activated { previous },
    ))
}

/// One try's result: on failure, the error and how long the server asked to wait before the next.
type Attempt<T> = Result<T, (SyncError, Option<Duration>)>;

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    bytes: AtomicU64,
}

/// One sync's client, options and counts of what it took.
struct Session<'a> {
    client: Client,
    options: &'a SyncOptions,
    counters: Counters,
}

impl<'a> Session<'a> {
    /// A session for one sync, with the sync's timeouts, once the feed's address is acceptable.
    fn open(options: &'a SyncOptions) -> Result<Self, SyncError> {
        check_scheme(options)?;
        let client = crate::http::client_builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.read_timeout)
            .https_only(!options.allow_http)
            .build()
            .map_err(|source| SyncError::Client {
                url: options.feed.clone(),
                source,
            })?;
        Ok(Self {
            client,
            options,
            counters: Counters::default(),
        })
    }

    fn report(
        &self,
        blobs_fetched: usize,
        generation: Option<String>,
        outcome: Outcome,
    ) -> SyncReport {
        SyncReport {
            requests: self.counters.requests.load(Ordering::Relaxed),
            bytes: self.counters.bytes.load(Ordering::Relaxed),
            blobs_fetched,
            generation,
            outcome,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.options.feed)
    }
}

/// Refuses a feed that is not https, unless plain http is allowed.
fn check_scheme(options: &SyncOptions) -> Result<(), SyncError> {
    let feed_url = url::Url::parse(&options.feed).map_err(|source| SyncError::BadAddress {
        url: options.feed.clone(),
        source,
    })?;
    match feed_url.scheme() {
        "https" => Ok(()),
        "http" if options.allow_http => Ok(()),
        "http" => Err(SyncError::Insecure {
            url: options.feed.clone(),
        }),
        _ => Err(SyncError::NotWeb {
            url: options.feed.clone(),
        }),
    }
}

/// A manifest as fetched, with the validators that make the next poll conditional.
struct FetchedManifest {
    generation: Generation,
    bytes: Vec<u8>,
    etag: Option<String>,
    last_modified: Option<String>,
}

impl FetchedManifest {
    /// Makes this generation the one that plays, keeping its validators for the next poll.
    fn activate(&self, cache: &Cache, feed: &str) -> Result<(), CacheError> {
        cache.activate(
            &self.generation,
            Some(feed),
            self.etag.clone(),
            self.last_modified.clone(),
        )
    }
}

/// The headers that make the manifest request conditional. Validators are kept only for a
/// generation that is active and came from this feed.
fn validators(state: &State, has_active: bool, feed: &str) -> Vec<(HeaderName, String)> {
    if !has_active || state.feed.as_deref() != Some(feed) {
        return Vec::new();
    }
    let etag = state.etag.iter().map(|v| (IF_NONE_MATCH, v.clone()));
    let last_modified = state
        .last_modified
        .iter()
        .map(|v| (IF_MODIFIED_SINCE, v.clone()));
    etag.chain(last_modified).collect()
}

fn header_text(resp: &Response, name: HeaderName) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

impl Session<'_> {
    /// The manifest, parsed; `None` when the server says it has not changed (304).
    fn fetch_manifest(
        &self,
        validators: &[(HeaderName, String)],
    ) -> Result<Option<ManifestReply>, SyncError> {
        let url = self.url(MANIFEST);
        let resp = self.with_retries(|| self.get(&url, validators))?;
        if resp.status() == StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        let etag = header_text(&resp, ETAG);
        let last_modified = header_text(&resp, LAST_MODIFIED);
        let bytes = match self.body(&url, resp, MAX_MANIFEST_BYTES) {
            Ok(b) => b,
            // The reply broke off: ask again, for the whole manifest this time.
            Err((e, _)) if e.retryable() => self.with_retries(|| {
                let r = self.get(&url, &[])?;
                self.body(&url, r, MAX_MANIFEST_BYTES)
            })?,
            Err((e, _)) => return Err(e),
        };
        Ok(Some(ManifestReply {
            bytes,
            etag,
            last_modified,
        }))
    }
}

/// A manifest as the server sent it, not yet read.
struct ManifestReply {
    bytes: Vec<u8>,
    etag: Option<String>,
    last_modified: Option<String>,
}

impl ManifestReply {
    /// Reads and checks the generation in it.
    fn parse(self, session: &Session) -> Result<FetchedManifest, SyncError> {
        let generation =
            Generation::parse(&self.bytes).map_err(|source| SyncError::Generation {
                url: session.url(MANIFEST),
                source,
            })?;
        Ok(FetchedManifest {
            generation,
            bytes: self.bytes,
            etag: self.etag,
            last_modified: self.last_modified,
        })
    }
}

/// Refuses a manifest published before the one that plays: a man in the middle, or a CDN serving
/// an old copy, cannot take a screen back to last month's content with an old, validly signed
/// manifest.
fn refuse_rollback(
    session: &Session,
    active: &Generation,
    offered: &Generation,
) -> Result<(), SyncError> {
    let older = offered.sequence < active.sequence
        || (offered.sequence == active.sequence && offered.id != active.id);
    if older {
        return Err(SyncError::Rollback {
            url: session.url(MANIFEST),
            offered: offered.sequence,
            playing: active.sequence,
        });
    }
    Ok(())
}

/// Says so when the feed has not published for longer than the screen expects.
fn warn_if_stale(generation: &Generation, options: &SyncOptions) {
    let (Some(published), Some(limit)) = (generation.published, options.stale_after) else {
        return;
    };
    if generation.is_stale(chrono::Utc::now(), limit) {
        tracing::warn!(
            feed = %options.feed,
            published = %published,
            "the feed has not published anything new for longer than expected (feed_stale_after)"
        );
    }
}

/// Checks a manifest's signature, fetched from next to it.
fn verify_signature(session: &Session, key: &[u8; 32], bytes: &[u8]) -> Result<(), SyncError> {
    let url = session.url(&signature_path(bytes));
    let refused = |problem| SyncError::Signature {
        url: url.clone(),
        problem,
    };
    let text = session
        .with_retries(|| {
            let resp = session.get(&url, &[])?;
            session.body(&url, resp, 1024)
        })
        .map_err(|e| match e {
            SyncError::Status { status, .. } if status == StatusCode::NOT_FOUND => {
                refused(SignatureProblem::Unsigned)
            }
            other => other,
        })?;
    signing::verify(key, bytes, &String::from_utf8_lossy(&text)).map_err(|e| refused(e.into()))
}

impl Session<'_> {
    /// Fetches the blobs of `generation` that the cache lacks, `parallel` at a time, and says
    /// how many. The first error stops every worker.
    fn fetch_missing_blobs(
        &self,
        cache: &Cache,
        generation: &Generation,
    ) -> Result<usize, SyncError> {
        let missing: VecDeque<BlobRef> = generation
            .blobs
            .iter()
            .filter(|b| !cache.has_blob(b))
            .cloned()
            .collect();
        let fetched = missing.len();
        let queue = Mutex::new(missing);
        let first_error = Mutex::new(None);
        let workers = self.options.parallel.max(1).min(fetched.max(1));
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| self.fetch_from_queue(cache, &queue, &first_error));
            }
        });
        match first_error.into_inner().expect("not poisoned") {
            Some(e) => Err(e),
            None => Ok(fetched),
        }
    }

    /// One worker: fetches blobs from the queue until it is empty or some worker has failed.
    fn fetch_from_queue(
        &self,
        cache: &Cache,
        queue: &Mutex<VecDeque<BlobRef>>,
        first_error: &Mutex<Option<SyncError>>,
    ) {
        loop {
            if first_error.lock().expect("not poisoned").is_some() {
                return;
            }
            let Some(b) = queue.lock().expect("not poisoned").pop_front() else {
                return;
            };
            if let Err(e) = self.fetch_blob(cache, &b) {
                first_error.lock().expect("not poisoned").get_or_insert(e);
                return;
            }
        }
    }

    /// Downloads one blob into the cache: resumed where a partial download stopped, verified,
    /// moved into place.
    fn fetch_blob(&self, cache: &Cache, b: &BlobRef) -> Result<(), SyncError> {
        let url = self.url(&format!("blobs/sha256/{}/{}", &b.sha256[..2], b.sha256));
        self.with_retries(|| {
            self.download_blob(cache, b, &url)?;
            commit_blob(cache, b, &url)
        })
    }

    /// Downloads a blob to its `.partial` file, resuming an earlier download where the server
    /// answers the `Range` with a 206, starting over where it does not.
    fn download_blob(&self, cache: &Cache, b: &BlobRef, url: &str) -> Attempt<()> {
        let partial = cache.partial_path(&b.sha256);
        let Some(have) = bytes_to_keep(&partial, b.size) else {
            return Ok(());
        };
        let resp = self.get(url, &range_from(have))?;
        let start = if resumes_at(&resp, have) { have } else { 0 };
        open_partial(&partial, start)
            .and_then(|file| self.stream_to_partial(resp, file, &partial, start, b.size))
            .map_err(|problem| blob_failure(url, problem))
    }

    /// Writes a reply to the partial file, which has `start` bytes already, until it has `size`
    /// bytes: no more, no fewer, and in the time allowed.
    fn stream_to_partial(
        &self,
        mut resp: Response,
        mut file: File,
        partial: &Path,
        start: u64,
        size: u64,
    ) -> Result<(), BlobProblem> {
        let allowed = time_allowed(size);
        let deadline = Instant::now() + allowed;
        let mut written = start;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = resp
                .read(&mut buf)
                .map_err(|source| BlobProblem::BrokeOff {
                    received: written,
                    expected: size,
                    source,
                })?;
            if n == 0 {
                break;
            }
            self.counters.bytes.fetch_add(n as u64, Ordering::Relaxed);
            written += n as u64;
            if written > size {
                drop(file);
                let _ = std::fs::remove_file(partial);
                return Err(BlobProblem::TooLong { expected: size });
            }
            file.write_all(&buf[..n])
                .map_err(|source| BlobProblem::Partial {
                    path: partial.to_path_buf(),
                    source,
                })?;
            if Instant::now() > deadline {
                return Err(BlobProblem::TooSlow {
                    received: written,
                    expected: size,
                    allowed,
                });
            }
        }
        if written != size {
            return Err(BlobProblem::TooShort {
                received: written,
                expected: size,
            });
        }
        Ok(())
    }
}

/// The slowest a blob may arrive, in bytes a second.
const MIN_SPEED: u64 = 20_000;

/// How long a blob of `size` bytes may take. A server that drips bytes just fast enough to beat
/// the read timeout still has to finish in reasonable time: at [`MIN_SPEED`], and a minute for
/// small blobs.
fn time_allowed(size: u64) -> Duration {
    Duration::from_secs(60).max(Duration::from_secs(size / MIN_SPEED))
}

/// How many bytes of an earlier download to keep; `None` when it is complete already. A partial
/// file longer than the blob starts over; no partial file at all is a download not yet begun,
/// also for an empty blob.
fn bytes_to_keep(partial: &Path, size: u64) -> Option<u64> {
    let Ok(meta) = std::fs::metadata(partial) else {
        return Some(0);
    };
    match meta.len().cmp(&size) {
        std::cmp::Ordering::Equal => None,
        std::cmp::Ordering::Greater => Some(0),
        std::cmp::Ordering::Less => Some(meta.len()),
    }
}

/// The `Range` header that asks for the rest of a blob from byte `have` on.
fn range_from(have: u64) -> Vec<(HeaderName, String)> {
    if have == 0 {
        return Vec::new();
    }
    vec![(RANGE, format!("bytes={have}-"))]
}

/// Whether a reply is the rest of the blob from byte `have` on (a 206 whose `Content-Range`
/// starts there) rather than all of it.
fn resumes_at(resp: &Response, have: u64) -> bool {
    resp.status() == StatusCode::PARTIAL_CONTENT
        && resp
            .headers()
            .get(CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(&format!("bytes {have}-")))
}

/// The partial file, kept from `start` on (appended to) or emptied when `start` is 0.
fn open_partial(partial: &Path, start: u64) -> Result<File, BlobProblem> {
    let resumed = start > 0;
    std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(resumed)
        .truncate(!resumed)
        .open(partial)
        .map_err(|source| BlobProblem::Partial {
            path: partial.to_path_buf(),
            source,
        })
}

/// Verifies a finished download and moves it into place. Verified before it counts: a blob
/// whose bytes are not its hash is thrown away.
fn commit_blob(cache: &Cache, b: &BlobRef, url: &str) -> Attempt<()> {
    cache.commit_blob(b).map_err(|e| match e {
        CacheError::Corrupt { .. } => blob_failure(url, BlobProblem::WrongBytes { source: e }),
        other => (SyncError::Cache(other), None),
    })
}

fn blob_failure(url: &str, problem: BlobProblem) -> (SyncError, Option<Duration>) {
    let error = SyncError::Blob {
        url: url.to_string(),
        problem,
    };
    (error, None)
}

/// Keeps a generation whose blobs are all in the cache, makes it the one that plays, and evicts
/// what no longer fits.
fn install(
    cache: &Cache,
    options: &SyncOptions,
    manifest: &FetchedManifest,
) -> Result<(), SyncError> {
    cache.store_generation(&manifest.generation, &manifest.bytes)?;
    manifest.activate(cache, &options.feed)?;
    let evicted = cache.evict(options.cache_limit)?;
    if evicted.blobs > 0 {
        tracing::info!(
            blobs = evicted.blobs,
            bytes = evicted.bytes,
            "evicted from the cache"
        );
    }
    Ok(())
}

impl Session<'_> {
    /// Runs `f` with retries for errors that may pass.
    fn with_retries<T>(&self, mut f: impl FnMut() -> Attempt<T>) -> Result<T, SyncError> {
        let mut attempt = 0;
        loop {
            match f() {
                Ok(v) => return Ok(v),
                Err((e, after)) if e.retryable() && attempt < self.options.retries => {
                    attempt += 1;
                    let wait = backoff(attempt, after, self.options.max_wait);
                    tracing::info!(attempt, wait_ms = wait.as_millis() as u64, "retrying: {e}");
                    std::thread::sleep(wait);
                }
                Err((e, _)) => return Err(e),
            }
        }
    }

    fn get(&self, url: &str, headers: &[(HeaderName, String)]) -> Attempt<Response> {
        let mut req = self.client.get(url);
        for (name, value) in headers {
            req = req.header(name, value);
        }
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        let resp = req.send().map_err(|source| {
            (
                SyncError::Network {
                    url: url.to_string(),
                    source,
                },
                None,
            )
        })?;
        let status = resp.status();
        if status.is_success() || status == StatusCode::NOT_MODIFIED {
            return Ok(resp);
        }
        let after = retry_after(&resp);
        Err((
            SyncError::Status {
                url: url.to_string(),
                status,
            },
            after,
        ))
    }

    /// Reads a whole body, at most `limit` bytes.
    fn body(&self, url: &str, mut resp: Response, limit: u64) -> Attempt<Vec<u8>> {
        let mut out = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = resp.read(&mut buf).map_err(|source| {
                (
                    SyncError::BrokeOff {
                        url: url.to_string(),
                        source,
                    },
                    None,
                )
            })?;
            if n == 0 {
                return Ok(out);
            }
            self.counters.bytes.fetch_add(n as u64, Ordering::Relaxed);
            out.extend_from_slice(&buf[..n]);
            if out.len() as u64 > limit {
                return Err((
                    SyncError::ManifestTooBig {
                        url: url.to_string(),
                    },
                    None,
                ));
            }
        }
    }
}

/// How long to wait before try `attempt` (from 1): exponential backoff with jitter, or what the
/// server asked for.
fn backoff(attempt: u32, retry_after: Option<Duration>, max: Duration) -> Duration {
    let wait = retry_after.unwrap_or_else(|| {
        let base = Duration::from_millis(250) * 2u32.saturating_pow(attempt.saturating_sub(1));
        base.mul_f64(0.5 + jitter())
    });
    wait.min(max)
}

/// A random number in [0, 1).
pub fn jitter() -> f64 {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

fn retry_after(resp: &Response) -> Option<Duration> {
    let value = resp.headers().get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    (when.with_timezone(&chrono::Utc) - chrono::Utc::now())
        .to_std()
        .ok()
}

#[cfg(test)]
mod tests {
    use std::error::Error;

    use super::*;

    const URL: &str = "https://feed.example.se/varmland/signatures/ab.sig";

    #[test]
    fn a_refused_signature_says_why_once_and_keeps_the_cause() {
        let e = SyncError::Signature {
            url: URL.into(),
            problem: SigningError::NotHex(128).into(),
        };
        assert_eq!(
            error_chain(&e),
            format!(
                "{URL}: refused: the signature file is not an ed25519 signature (expected 128 hex digits)"
            )
        );
        let cause = e.source().and_then(Error::source).unwrap();
        assert_eq!(cause.to_string(), "expected 128 hex digits");
        assert!(!e.retryable());
    }

    #[test]
    fn every_blob_problem_may_pass_on_another_try() {
        let e = SyncError::Blob {
            url: URL.into(),
            problem: BlobProblem::TooSlow {
                received: 1_000,
                expected: 5_000_000,
                allowed: time_allowed(5_000_000),
            },
        };
        assert_eq!(
            e.to_string(),
            format!("{URL}: too slow: 1000 of 5000000 bytes in 250 s (at least 20 KB/s is needed)")
        );
        assert!(e.retryable());
    }

    #[test]
    fn a_feed_that_is_not_an_address_is_not_retried() {
        let e = check_scheme(&SyncOptions::new("feed.example.se")).unwrap_err();
        assert!(matches!(e, SyncError::BadAddress { .. }), "{e}");
        assert!(!e.retryable());
    }
}
