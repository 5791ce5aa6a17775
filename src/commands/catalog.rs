//! `vitrin catalog SOURCE`: the books a catalog feed or list gives, one JSON object a line, so staff
//! and tests see exactly what a covers slide would show.

use std::io::Write;
use std::path::PathBuf;

use crate::catalog::{CoverItem, Resolver};
use crate::media::Media;

#[derive(Debug, Clone)]
pub struct CatalogArgs {
    pub source: String,
    pub screen: Option<PathBuf>,
    pub count: usize,
    /// Do not fetch covers (only read the source).
    pub no_covers: bool,
    /// The address relative links in a feed saved to a file are relative to.
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
