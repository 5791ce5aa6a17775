//! The HTTP client vitrin fetches catalogs, pictures and feeds with: a `User-Agent` naming vitrin,
//! timeouts, a size cap, and errors that name the address. [`crate::catalog::fetch`] adds
//! politeness and a disk cache on top; [`crate::feed::sync`] its own timeouts.

use std::time::Duration;

use reqwest::blocking::Client;

/// The most a single download may be.
pub const MAX_DOWNLOAD: u64 = 32 * 1024 * 1024;

/// Why a download failed; names the address.
#[derive(Debug, thiserror::Error)]
#[error("{url}: {problem}")]
pub struct FetchError {
    pub url: String,
    #[source]
    pub problem: FetchProblem,
}

/// What went wrong with a download.
#[derive(Debug, thiserror::Error)]
pub enum FetchProblem {
    #[error("not fetched yet, and vitrin is offline")]
    Offline,
    #[error("skipped to stay within the server's request limit; it is tried next time")]
    Throttled,
    #[error("{}", error_chain(.0))]
    Request(#[source] reqwest::Error),
    #[error("the server answered {0}")]
    Status(reqwest::StatusCode),
    #[error("the download broke off: {0}")]
    BrokeOff(#[source] std::io::Error),
    #[error("larger than {MAX_DOWNLOAD} bytes")]
    TooLarge,
}

impl FetchError {
    /// The HTTP status, when the server answered with an error.
    pub fn status(&self) -> Option<u16> {
        match &self.problem {
            FetchProblem::Status(s) => Some(s.as_u16()),
            _ => None,
        }
    }
}

/// How vitrin names itself to servers.
pub const USER_AGENT: &str = concat!(
    "vitrin/",
    env!("CARGO_PKG_VERSION"),
    " (library screen player; +https://bibliotekvarmland.se)"
);

/// A client builder that says who it is, for callers that set their own limits.
pub fn client_builder() -> reqwest::blocking::ClientBuilder {
    Client::builder().user_agent(USER_AGENT)
}

/// An HTTP client that says who it is, with timeouts for catalogs and pictures.
pub fn http_client() -> Client {
    client_builder()
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
