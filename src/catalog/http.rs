//! Fetching from the web politely: a `User-Agent` naming vitrin, timeouts, and a size cap, with
//! errors that name the address.

use std::io::Read;
use std::time::Duration;

use reqwest::blocking::Client;

/// The most a single download may be.
pub const MAX_DOWNLOAD: u64 = 32 * 1024 * 1024;

/// Why a download failed; names the address.
#[derive(Debug, thiserror::Error)]
#[error("{url}: {reason}")]
pub struct FetchError {
    pub url: String,
    pub reason: String,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
}

/// An HTTP client that says who it is.
pub fn http_client() -> Client {
    Client::builder()
        .user_agent(concat!(
            "vitrin/",
            env!("CARGO_PKG_VERSION"),
            " (library screen player; +https://bibliotekvarmland.se)"
        ))
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(20))
        .build()
        .expect("the HTTP client can be built")
}

/// GETs `url` and returns its body, at most `max` bytes (default [`MAX_DOWNLOAD`]).
pub fn fetch_bytes(client: &Client, url: &str, max: Option<u64>) -> Result<Vec<u8>, FetchError> {
    let fail = |reason: String, status: Option<u16>| FetchError {
        url: url.to_string(),
        reason,
        status,
    };
    let resp = client
        .get(url)
        .send()
        .map_err(|e| fail(error_chain(&e), None))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(fail(
            format!("the server answered {status}"),
            Some(status.as_u16()),
        ));
    }
    let max = max.unwrap_or(MAX_DOWNLOAD);
    let mut body = Vec::new();
    resp.take(max + 1).read_to_end(&mut body).map_err(|e| {
        fail(
            format!("the download broke off: {e}"),
            Some(status.as_u16()),
        )
    })?;
    if body.len() as u64 > max {
        return Err(fail(
            format!("larger than {max} bytes"),
            Some(status.as_u16()),
        ));
    }
    Ok(body)
}

/// An error's message with its causes.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let c = cause.to_string();
        if !s.contains(&c) {
            s.push_str(": ");
            s.push_str(&c);
        }
        source = cause.source();
    }
    s
}
