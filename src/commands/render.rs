//! `vitrin render`: the slides that play (or those of one playlist) as PNG files, without a window.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use crate::catalog::Resolver;
use crate::check::{FileKind, check_paths};
use crate::generation::Library;
use crate::ingest::{LocalIngest, OnBadPicture, Pictures, make_generation};
use crate::layout::Scale;
use crate::media::LocalMedia;
use crate::player::render::{RenderOptions, render_pages};
use crate::schedule::{Reason, program_at};
use crate::show::{pages_for, slide_pages};

/// `vitrin render`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct RenderArgs {
    /// The screen config, or the id of a screen of the inventory beside the playlists; default
    /// `kiosk/screen.toml`, else built-in defaults.
    #[arg(long, value_name = "FILE|ID")]
    pub screen: Option<PathBuf>,
    /// The folder of playlists; default the screen config's.
    #[arg(long)]
    pub playlists: Option<PathBuf>,
    /// Every slide of this playlist, whatever its schedule (give it more than once for several).
    #[arg(long)]
    pub playlist: Vec<PathBuf>,
    /// What a screen's cache would play after an offline reboot (its active generation).
    #[arg(long, value_name = "DIR", conflicts_with = "playlist")]
    pub cache: Option<PathBuf>,
    /// Where the PNG files go.
    #[arg(long, default_value = "slides")]
    pub out: PathBuf,
    /// The screen's size in pixels (default: the inventory's for the screen, else 1920x1080).
    #[arg(long, value_name = "WxH", value_parser = super::play::parse_screen_size)]
    pub size: Option<(u32, u32)>,
    /// What plays at this time, in the screen's time zone.
    #[arg(long, default_value = "now")]
    pub at: String,
    /// Also write the frame halfway through each transition.
    #[arg(long)]
    pub transitions: bool,
    /// Also write, beside each page, every line of text as it was laid out (`NN-name.text.json`):
    /// its words, its box and where its glyphs landed.
    #[arg(long)]
    pub text_report: bool,
    /// Also write what a visitor opens on a touch screen: each book of a covers page in detail
    /// (`NN-name-S-bok.png`) and each qr page's code shown larger (`NN-name-S-kod.png`).
    #[arg(long)]
    pub details: bool,
}

/// The pages that play at `--at`, or `None` (after saying so) when the library is closed then.
fn pages_at(
    playlists: &[crate::playlist::Playlist],
    screen: &crate::screen::ScreenConfig,
    at_text: &str,
    scale: &Scale,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<Option<(Vec<crate::show::Page>, String)>> {
    let (at, note) = super::plan::parse_at(at_text, screen.timezone, chrono::Utc::now())?;
    if let Some(n) = note {
        writeln!(out, "{n}")?;
    }
    let local = at
        .with_timezone(&screen.timezone)
        .format("%Y-%m-%d %H:%M %Z");
    let program = program_at(playlists, screen, at);
    if program.reason == Reason::Closed {
        writeln!(
            out,
            "the library is closed at {local}: the screen is blank, nothing to render"
        )?;
        return Ok(None);
    }
    let mut pages = pages_for(&program, playlists, scale.covers_per_page());
    crate::show::fill_live_for(&mut pages, screen, at, scale.events_per_page());
    Ok(Some((
        pages,
        format!("what screen \"{}\" plays at {local}", screen.id),
    )))
}

pub fn run(args: RenderArgs, out: &mut dyn std::io::Write) -> anyhow::Result<bool> {
    let screen = super::screen_for(args.screen.as_deref(), args.playlists.as_deref())?;
    let size = args.size.or(screen.size).unwrap_or((1920, 1080));
    let scale = Scale::new(size.0, size.1);
    // Catalog replies and covers are kept in the screen's cache; the pictures of this rendering
    // become blobs in a folder of its own, as a standalone screen's do.
    let resolver = Resolver::with_cache(screen.catalog.clone(), screen.cache_dir.join("catalog"));
    let store = super::TempStore::new()?;
    let (pages, what, library) = if let Some(dir) = &args.cache {
        let cache = crate::cache::Cache::open(dir)?;
        let library = cache.active_library()?.ok_or_else(|| {
            anyhow::anyhow!(
                "{} has no active generation: run vitrin sync first",
                dir.display()
            )
        })?;
        let Some((pages, what)) = pages_at(library.playlists(), &screen, &args.at, &scale, out)?
        else {
            return Ok(true);
        };
        let what = format!(
            "{what}, generation {} from the cache {}",
            library.generation.id,
            dir.display()
        );
        (pages, what, library)
    } else if !args.playlist.is_empty() {
        let library = playlist_files(&args.playlist, resolver, &store.0, out)?;
        let mut pages = library
            .playlists()
            .iter()
            .flat_map(|p| {
                (0..p.slides.len()).flat_map(|i| slide_pages(p, i, scale.covers_per_page()))
            })
            .collect::<Vec<_>>();
        let (at, _) = super::plan::parse_at(&args.at, screen.timezone, chrono::Utc::now())?;
        crate::show::fill_live_for(&mut pages, &screen, at, scale.events_per_page());
        let names: Vec<String> = library
            .playlists()
            .iter()
            .map(|p| format!("\"{}\"", p.name))
            .collect();
        let what = format!("every slide of {}", names.join(", "));
        (pages, what, library)
    } else {
        let dir = args
            .playlists
            .clone()
            .unwrap_or_else(|| screen.playlists.clone());
        let got = LocalIngest::new(dir, resolver, &store.0).load();
        for file in &got.report.files {
            for d in file.diagnostics.iter().filter(|d| d.is_error()) {
                tracing::error!("{}", d.headline(&file.source));
            }
        }
        for w in &got.warnings {
            writeln!(out, "warning: {w}")?;
        }
        match pages_at(got.playlists(), &screen, &args.at, &scale, out)? {
            Some((pages, what)) => (pages, what, got.library),
            None => return Ok(true),
        }
    };
    let pages = if args.details {
        with_details(pages)
    } else {
        pages
    };
    let count = pages.len();
    let report = render_pages(
        pages,
        library,
        screen,
        RenderOptions {
            width: size.0,
            height: size.1,
            out: args.out.clone(),
            transitions: args.transitions,
            text_report: args.text_report,
        },
    )
    .context("rendering")?;
    writeln!(
        out,
        "rendered {what}: {count} pages at {}x{}",
        size.0, size.1
    )?;
    for path in &report.written {
        writeln!(out, "  wrote {}", path.display())?;
    }
    for (name, why) in &report.skipped {
        writeln!(out, "  skipped {name}: {why}")?;
    }
    Ok(true)
}

/// Each page followed by what a visitor can open from it on a touch screen.
fn with_details(pages: Vec<crate::show::Page>) -> Vec<crate::show::Page> {
    use crate::show::{PageContent, book_detail, code_detail};
    let mut out = Vec::with_capacity(pages.len());
    for page in pages {
        let details: Vec<_> = match &page.content {
            PageContent::Covers { books, .. } => (0..books.len())
                .filter_map(|i| book_detail(&page, i))
                .collect(),
            _ => code_detail(&page).into_iter().collect(),
        };
        out.push(page);
        out.extend(details);
    }
    out
}

/// Playlist files, checked and made into a generation through the same ingest as a folder.
fn playlist_files(
    files: &[PathBuf],
    mut resolver: Resolver,
    store: &Path,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<Library> {
    let (report, playlists) = check_paths(files);
    if report.errors() > 0 {
        write!(out, "{}", report.render())?;
        anyhow::bail!("the playlists have errors: fix them first (vitrin check)");
    }
    for file in files {
        if playlists.iter().any(|p| &p.source == file) {
            continue;
        }
        let what = match crate::spec::read_source(file).map(|s| crate::check::detect_kind(&s)) {
            Ok(FileKind::Screen) => "a screen config",
            Ok(FileKind::CoverList) => "a book list",
            Ok(FileKind::Library) => "a library's description",
            Ok(FileKind::Inventory) => "an inventory of screens",
            _ if file.is_dir() => "a folder",
            _ => "not a playlist",
        };
        anyhow::bail!(
            "{} is {what}: --playlist takes playlist files (--playlists takes a folder)",
            file.display()
        );
    }
    let root = files[0].parent().unwrap_or(Path::new(""));
    let mut pictures = Pictures::new(store.join("blobs"));
    let made = make_generation(
        playlists,
        root,
        &mut resolver,
        &mut Default::default(),
        &mut pictures,
        OnBadPicture::LeaveOut,
        chrono::Utc::now(),
    )?;
    for w in &made.warnings {
        writeln!(out, "warning: {w}")?;
    }
    Ok(Library {
        generation: made.generation,
        store: Arc::new(LocalMedia {
            blob_dir: Some(pictures.dir().to_path_buf()),
        }),
    })
}
