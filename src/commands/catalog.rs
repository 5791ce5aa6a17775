//! `vitrin catalog SOURCE`: the books a catalog feed or list gives, one JSON object a line, so staff
//! and tests see exactly what a covers slide would show.

use std::io::Write;
use std::path::PathBuf;

use crate::catalog::{CoverItem, Resolver};
use crate::media::Media;

/// `vitrin catalog`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct CatalogArgs {
    /// A feed's address, or a file (RSS, Atom/OPDS, MARCXML, Libris JSON, OPDS 2, TOML list).
    pub source: String,
    /// Catalog settings (cover and portal addresses) from this screen config.
    #[arg(long)]
    pub screen: Option<PathBuf>,
    /// At most this many books.
    #[arg(long, default_value_t = 24)]
    pub count: usize,
    /// Only read the source; do not fetch covers to check them.
    #[arg(long)]
    pub no_covers: bool,
    /// For a feed saved to a file: the address its relative links are relative to.
    #[arg(long, value_name = "URL")]
    pub base: Option<String>,
}

#[derive(serde::Serialize)]
struct Line<'a> {
    title: &'a str,
    authors: &'a [String],
    isbn13: Option<&'a str>,
    cover: Option<String>,
    link: Option<&'a str>,
    source: &'a str,
    /// Audience, kind, locations and the day it was added, as far as the source says.
    #[serde(skip_serializing_if = "crate::catalog::shelf::Shelving::is_empty")]
    shelving: &'a crate::catalog::shelf::Shelving,
}

fn line(item: &CoverItem) -> Line<'_> {
    let cover = item.cover_url.clone().or_else(|| match &item.cover {
        Some(Media::File(p)) => Some(p.display().to_string()),
        Some(Media::Url(u)) => Some(u.clone()),
        _ => None,
    });
    Line {
        title: &item.title,
        authors: &item.authors,
        isbn13: item.isbn13.as_deref(),
        cover,
        link: item.link.as_deref(),
        source: &item.source,
        shelving: &item.shelving,
    }
}

pub fn run(args: CatalogArgs, out: &mut dyn Write) -> anyhow::Result<bool> {
    let screen = super::screen_config(args.screen.as_deref())?;
    let mut resolver =
        Resolver::with_cache(screen.catalog.clone(), screen.cache_dir.join("catalog"));
    resolver.fetch_covers = !args.no_covers;
    let source = if args.source.contains("://") {
        Media::Url(args.source.clone())
    } else {
        Media::File(PathBuf::from(&args.source))
    };
    let base = match &args.base {
        Some(b) => Some(url::Url::parse(b).map_err(|e| anyhow::anyhow!("--base {b}: {e}"))?),
        None => None,
    };
    let items = resolver.items_with_base(&source, base, args.count)?;
    for item in &items {
        writeln!(out, "{}", serde_json::to_string(&line(item))?)?;
    }
    Ok(true)
}
