//! `vitrin bench`: measures playback of the bundled content (or any playlists) for a fixed number
//! of transitions, and prints frame times, CPU, memory and start-up time.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::ingest::LocalIngest;
use crate::player::bench::{BenchOptions, BenchReport};
use crate::player::workers::ContentSource;
use crate::player::{Output, PlayerOptions, WallClock, player_app};
use crate::playlist::SlideContent;

/// `vitrin bench`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// The screen config; default `kiosk/screen.toml`, else built-in defaults.
    #[arg(long)]
    pub screen: Option<PathBuf>,
    /// The folder of playlists; default the screen config's.
    #[arg(long)]
    pub playlists: Option<PathBuf>,
    /// How many transitions to measure.
    #[arg(long, default_value_t = 20)]
    pub transitions: u64,
    /// How long each page shows, in seconds.
    #[arg(long, default_value_t = 3.0)]
    pub page_seconds: f64,
    #[arg(long, value_name = "WxH", default_value = "1920x1080", value_parser = super::play::parse_screen_size)]
    pub size: (u32, u32),
    /// In a real window, sleeping between transitions as on a screen (default: offscreen, back to back).
    #[arg(long)]
    pub window: bool,
    /// The wall-clock time the schedule sees.
    #[arg(long, default_value = "2026-12-01 12:00")]
    pub at: String,
    /// Also write the figures as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

pub fn run(
    args: BenchArgs,
    process_start: Instant,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<bool> {
    let screen = super::screen_config(args.screen.as_deref())?;
    let dir = args
        .playlists
        .clone()
        .unwrap_or_else(|| screen.playlists.clone());
    let resolver = crate::catalog::Resolver::with_cache(
        screen.catalog.clone(),
        screen.cache_dir.join("catalog"),
    );
    let store = super::TempStore::new()?;
    let mut library = LocalIngest::new(dir, resolver, &store.0).load().library;
    let page = Duration::from_secs_f64(args.page_seconds.max(0.5));
    let playlists = &mut library.generation.playlists;
    for slide in playlists.iter_mut().flat_map(|p| p.slides.iter_mut()) {
        let parts = match &slide.content {
            SlideContent::Carousel { images, .. } => images.len().max(1) as u32,
            _ => 1,
        };
        slide.duration = page * parts;
    }
    let (at, _) = super::plan::parse_at(&args.at, screen.timezone, chrono::Utc::now())?;
    let report = Arc::new(Mutex::new(None::<BenchReport>));
    let output = if args.window {
        Output::Window {
            fullscreen: false,
            size: args.size,
        }
    } else {
        Output::Headless {
            width: args.size.0,
            height: args.size.1,
        }
    };
    let source = ContentSource::Fixed(library);
    let mut app = player_app(
        PlayerOptions {
            output,
            screen,
            clock: WallClock::Fixed(at),
            bench: Some(BenchOptions {
                transitions: args.transitions,
                process_start,
                report: report.clone(),
            }),
        },
        source,
    );
    app.run();
    let report = report
        .lock()
        .expect("not poisoned")
        .take()
        .ok_or_else(|| anyhow::anyhow!("the benchmark ended before it finished"))?;
    write!(out, "{report}")?;
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)?;
    }
    Ok(true)
}
