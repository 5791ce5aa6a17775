//! Fetching catalog feeds and covers politely: at most so many requests per host in a window
//! (Open Library allows 100 per 5 minutes per address), conditional GETs for what was fetched
//! before (`If-None-Match`, `If-Modified-Since`), and a disk copy of every reply so a screen that
//! restarts without network still has its covers.

use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use reqwest::header::{ETAG, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use serde::{Deserialize, Serialize};

use crate::fsutil::write_atomic;
use crate::http::{FetchError, FetchProblem, MAX_DOWNLOAD, http_client};
use crate::media::sha256_hex;

/// Requests allowed per host in [`Politeness::window`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Politeness {
    pub requests: usize,
    pub window: Duration,
    /// The longest a request waits for its turn; beyond that it is skipped (and tried next time).
    pub max_wait: Duration,
}

impl Default for Politeness {
    fn default() -> Self {
        Self {
            requests: 100,
            window: Duration::from_secs(300),
            max_wait: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Meta {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
    /// Seconds since 1970 when the copy was last confirmed.
    fetched: u64,
}

impl Meta {
    /// What to keep about a fresh reply: its validators, and that it was fetched now.
    fn of_reply(url: &str, resp: &Response) -> Self {
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        Meta {
            url: url.to_string(),
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
            fetched: now_secs(),
        }
    }

    fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("meta serializes")
    }
}

/// A reply kept on disk.
#[derive(Debug, Clone)]
struct DiskCopy {
    meta: Meta,
    bytes: Vec<u8>,
    path: PathBuf,
}

impl DiskCopy {
    /// Whether it was confirmed less than `fresh_for` ago.
    fn is_fresh(&self, fresh_for: Duration) -> bool {
        now_secs().saturating_sub(self.meta.fetched) < fresh_for.as_secs()
    }

    fn into_fetched(self) -> Fetched {
        Fetched {
            bytes: self.bytes,
            path: Some(self.path),
            cached: true,
        }
    }
}

/// A reply, fresh or from the disk copy.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    /// Where the reply is kept on disk, when there is a cache folder.
    pub path: Option<PathBuf>,
    /// It came from the disk copy without a full download (a 304, or offline).
    pub cached: bool,
}

/// A polite HTTP client with a disk cache.
#[derive(Debug)]
pub struct Fetcher {
    client: Option<Client>,
    dir: Option<PathBuf>,
    politeness: Politeness,
    recent: HashMap<String, VecDeque<Instant>>,
    /// Use disk copies only; never touch the network.
    pub offline: bool,
    /// Requests made, for reports and tests.
    pub requests: u64,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Fetcher {
    pub fn new(dir: Option<PathBuf>, politeness: Politeness) -> Self {
        Self {
            client: None,
            dir,
            politeness,
            recent: HashMap::new(),
            offline: false,
            requests: 0,
        }
    }

    fn paths(&self, url: &str) -> Option<(PathBuf, PathBuf)> {
        let dir = self.dir.as_ref()?;
        let key = sha256_hex(url.as_bytes());
        Some((
            dir.join(format!("{key}.body")),
            dir.join(format!("{key}.json")),
        ))
    }

    fn read_copy(&self, url: &str) -> Option<DiskCopy> {
        let (body, meta) = self.paths(url)?;
        let meta: Meta = serde_json::from_slice(&std::fs::read(meta).ok()?).ok()?;
        let bytes = std::fs::read(&body).ok()?;
        (meta.url == url).then_some(DiskCopy {
            meta,
            bytes,
            path: body,
        })
    }

    /// Waits for this host's turn; `false` if the wait would be too long.
    fn take_turn(&mut self, url: &str) -> bool {
        let host = url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        let p = self.politeness;
        let recent = self.recent.entry(host).or_default();
        let now = Instant::now();
        while recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= p.window)
        {
            recent.pop_front();
        }
        if recent.len() >= p.requests {
            let wait = p
                .window
                .saturating_sub(now.duration_since(*recent.front().expect("not empty")));
            if wait > p.max_wait {
                return false;
            }
            std::thread::sleep(wait);
            recent.pop_front();
        }
        recent.push_back(Instant::now());
        true
    }

    /// GETs `url`; a disk copy younger than `fresh_for` is used without asking, an older one is
    /// revalidated with a conditional GET.
    pub fn get(&mut self, url: &str, fresh_for: Duration) -> Result<Fetched, FetchError> {
        let copy = self.read_copy(url);
        if let Some(copy) = &copy
            && (self.offline || copy.is_fresh(fresh_for))
        {
            return Ok(copy.clone().into_fetched());
        }
        let fail = |problem: FetchProblem| FetchError {
            url: url.to_string(),
            problem,
        };
        if self.offline {
            return Err(fail(FetchProblem::Offline));
        }
        if !self.take_turn(url) {
            return Err(fail(FetchProblem::Throttled));
        }
        let resp = self
            .send_conditional(url, copy.as_ref().map(|c| &c.meta))
            .map_err(|e| fail(FetchProblem::Request(e)))?;
        let status = resp.status();
        if status == StatusCode::NOT_MODIFIED
            && let Some(copy) = copy
        {
            return Ok(self.confirm_copy(url, copy));
        }
        if !status.is_success() {
            return Err(fail(FetchProblem::Status(status)));
        }
        let meta = Meta::of_reply(url, &resp);
        let bytes = read_reply(resp).map_err(fail)?;
        let path = self.store_copy(url, &bytes, &meta);
        Ok(Fetched {
            bytes,
            path,
            cached: false,
        })
    }

    /// A GET that asks only for a change when there is a copy, by its validators.
    fn send_conditional(
        &mut self,
        url: &str,
        copy: Option<&Meta>,
    ) -> Result<Response, reqwest::Error> {
        let client = self.client.get_or_insert_with(http_client);
        let mut req = client.get(url);
        if let Some(meta) = copy {
            if let Some(etag) = &meta.etag {
                req = req.header(IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &meta.last_modified {
                req = req.header(IF_MODIFIED_SINCE, lm);
            }
        }
        self.requests += 1;
        req.send()
    }

    /// The copy the server says is still current (a 304), confirmed as of now.
    fn confirm_copy(&self, url: &str, mut copy: DiskCopy) -> Fetched {
        copy.meta.fetched = now_secs();
        if let Some((_, meta_path)) = self.paths(url) {
            let _ = write_atomic(&meta_path, &copy.meta.to_json());
        }
        copy.into_fetched()
    }

    /// Keeps a reply on disk, body then meta; where it is, or `None` without a cache folder or
    /// when it cannot be written (the reply is still used).
    fn store_copy(&self, url: &str, bytes: &[u8], meta: &Meta) -> Option<PathBuf> {
        let (body_path, meta_path) = self.paths(url)?;
        let stored = write_atomic(&body_path, bytes)
            .and_then(|()| write_atomic(&meta_path, &meta.to_json()));
        match stored {
            Ok(()) => Some(body_path),
            Err(e) => {
                tracing::warn!("cannot keep a copy of {url}: {e}");
                None
            }
        }
    }
}

/// A reply's body, at most [`MAX_DOWNLOAD`] bytes.
fn read_reply(resp: Response) -> Result<Vec<u8>, FetchProblem> {
    let mut bytes = Vec::new();
    resp.take(MAX_DOWNLOAD + 1)
        .read_to_end(&mut bytes)
        .map_err(FetchProblem::BrokeOff)?;
    if bytes.len() as u64 > MAX_DOWNLOAD {
        return Err(FetchProblem::TooLarge);
    }
    Ok(bytes)
}
