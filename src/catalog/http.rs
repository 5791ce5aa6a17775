//! The HTTP client vitrin fetches catalogs and pictures with: a `User-Agent` naming vitrin,
//! timeouts, a size cap, and errors that name the address. [`super::fetch`] adds politeness and a
//! disk cache on top.

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
