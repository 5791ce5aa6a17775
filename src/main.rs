//! The `vitrin` command: parses arguments and calls the library. Errors reach the user once, here.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use vitrin::commands;

/// The screen player of the public libraries of Värmland.
#[derive(Debug, Parser)]
#[command(name = "vitrin", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Play on the screen: the bundled playlists without arguments, fullscreen like a kiosk.
    Play {
        /// The screen config; default `kiosk/screen.toml`, else built-in defaults.
        #[arg(long)]
        screen: Option<PathBuf>,
        /// The folder of playlists; default the screen config's.
        #[arg(long)]
        playlists: Option<PathBuf>,
        /// A normal window (default 1280x720) instead of fullscreen, for previews.
        #[arg(long, value_name = "WxH", num_args = 0..=1, default_missing_value = "1280x720", value_parser = parse_size)]
        windowed: Option<(u32, u32)>,
        /// Write status.json (the page on screen, the content's version) to this folder.
        #[arg(long, value_name = "DIR")]
        status: Option<PathBuf>,
        /// With --status, also save screen.png, a screenshot, after every page change.
        #[arg(long, requires = "status")]
        screenshot: bool,
    },
    /// Write the slides that play (or those of one playlist) to PNG files, without a window.
    Render {
        #[arg(long)]
        screen: Option<PathBuf>,
        #[arg(long)]
        playlists: Option<PathBuf>,
        /// Every slide of this playlist, whatever its schedule.
        #[arg(long)]
        playlist: Option<PathBuf>,
        /// Where the PNG files go.
        #[arg(long, default_value = "slides")]
        out: PathBuf,
        /// The screen's size in pixels.
        #[arg(long, value_name = "WxH", default_value = "1920x1080", value_parser = parse_size)]
        size: (u32, u32),
        /// What plays at this time, in the screen's time zone.
        #[arg(long, default_value = "now")]
        at: String,
        /// Also write the frame halfway through each transition.
        #[arg(long)]
        transitions: bool,
        /// What a screen's cache would play after an offline reboot (its active generation).
        #[arg(long, value_name = "DIR", conflicts_with = "playlist")]
        cache: Option<PathBuf>,
    },
    /// Publish playlists, with their pictures and books, as a static feed for screens.
    Publish {
        /// The folder of playlists.
        #[arg(long, default_value = "playlists")]
        playlists: PathBuf,
        /// The feed folder a web server serves.
        #[arg(long)]
        out: PathBuf,
        /// Sign the manifest with this secret key (from `vitrin keygen`).
        #[arg(long, value_name = "KEYFILE")]
        sign: Option<PathBuf>,
        /// Catalog settings (cover and portal addresses) from this screen config.
        #[arg(long)]
        screen: Option<PathBuf>,
    },
    /// Bring a cache up to date with a feed, once, and say what it took.
    Sync {
        /// The feed's address.
        #[arg(long)]
        feed: String,
        /// The cache folder.
        #[arg(long)]
        cache: PathBuf,
        /// Accept only manifests signed with this public key (hex).
        #[arg(long, value_parser = commands::feed::parse_public_key)]
        public_key: Option<[u8; 32]>,
        /// Allow a plain-http feed (closed networks and tests only).
        #[arg(long)]
        allow_http: bool,
    },
    /// Print the books a catalog feed or book list gives, one JSON object a line.
    Catalog {
        /// A feed's address, or a file (RSS, Atom/OPDS, MARCXML, Libris JSON, OPDS 2, TOML list).
        source: String,
        /// Catalog settings (cover and portal addresses) from this screen config.
        #[arg(long)]
        screen: Option<PathBuf>,
        /// At most this many books.
        #[arg(long, default_value_t = 24)]
        count: usize,
        /// Only read the source; do not fetch covers to check them.
        #[arg(long)]
        no_covers: bool,
        /// For a feed saved to a file: the address its relative links are relative to.
        #[arg(long, value_name = "URL")]
        base: Option<String>,
    },
    /// Create a key pair for signing feeds: the secret half to a file, the public half printed.
    Keygen {
        #[arg(long, default_value = "vitrin-feed.key")]
        out: PathBuf,
    },
    /// Measure playback: frame times, CPU, memory and start-up time.
    Bench {
        #[arg(long)]
        screen: Option<PathBuf>,
        #[arg(long)]
        playlists: Option<PathBuf>,
        /// How many transitions to measure.
        #[arg(long, default_value_t = 20)]
        transitions: u64,
        /// How long each page shows, in seconds.
        #[arg(long, default_value_t = 3.0)]
        page_seconds: f64,
        #[arg(long, value_name = "WxH", default_value = "1920x1080", value_parser = parse_size)]
        size: (u32, u32),
        /// In a real window, sleeping between transitions as on a screen (default: offscreen, back to back).
        #[arg(long)]
        window: bool,
        /// The wall-clock time the schedule sees.
        #[arg(long, default_value = "2026-12-01 12:00")]
        at: String,
        /// Also write the figures as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Check playlists (and screen configs and book lists) and report every problem.
    Check {
        /// Files or folders; default `playlists/`.
        paths: Vec<PathBuf>,
    },
    /// Print the JSON Schema of playlists, screen configs or book lists, for editors.
    Schema {
        #[arg(value_enum, default_value = "playlist")]
        kind: commands::schema::SchemaKind,
    },
    /// Show what a screen will play over the coming hours.
    Plan {
        /// The screen config; default `kiosk/screen.toml`, else built-in defaults.
        #[arg(long)]
        screen: Option<PathBuf>,
        /// The folder of playlists; default the screen config's.
        #[arg(long)]
        playlists: Option<PathBuf>,
        /// From when, in the screen's time zone: "2026-12-24 10:00", "2026-12-24" or "now".
        #[arg(long, default_value = "now")]
        at: String,
        /// How many hours ahead.
        #[arg(long, default_value_t = 24)]
        hours: u32,
    },
}

fn parse_size(text: &str) -> Result<(u32, u32), String> {
    commands::play::parse_size(text)
}

fn main() -> ExitCode {
    let process_start = std::time::Instant::now();
    let cli = Cli::parse();
    init_logging();
    PROCESS_START.set(process_start).ok();
    match run(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("vitrin: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

static PROCESS_START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Logs go to stderr, at info level unless RUST_LOG says otherwise; the graphics stack's chatter
/// is kept to warnings.
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("info,wgpu=error,wgpu_hal=error,wgpu_core=error,naga=warn,bevy_render=warn,bevy_winit=warn,winit=error,bevy_app=warn,offset_allocator=warn,cosmic_text=warn")
    });
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

fn run(cli: Cli) -> anyhow::Result<bool> {
    let mut stdout = std::io::stdout().lock();
    match cli.command {
        Command::Play {
            screen,
            playlists,
            windowed,
            status,
            screenshot,
        } => {
            drop(stdout);
            commands::play::run(commands::play::PlayArgs {
                screen,
                playlists,
                windowed,
                status,
                screenshot,
            })
        }
        Command::Render {
            screen,
            playlists,
            playlist,
            out,
            size,
            at,
            transitions,
            cache,
        } => commands::render::run(
            commands::render::RenderArgs {
                screen,
                playlists,
                playlist,
                cache,
                out,
                size,
                at,
                transitions,
            },
            &mut stdout,
        ),
        Command::Publish {
            playlists,
            out,
            sign,
            screen,
        } => commands::feed::run_publish(playlists, out, sign, screen.as_deref(), &mut stdout),
        Command::Sync {
            feed,
            cache,
            public_key,
            allow_http,
        } => commands::feed::run_sync(&feed, &cache, public_key, allow_http, &mut stdout),
        Command::Keygen { out } => commands::feed::run_keygen(&out, &mut stdout),
        Command::Catalog {
            source,
            screen,
            count,
            no_covers,
            base,
        } => commands::catalog::run(
            commands::catalog::CatalogArgs {
                source,
                screen,
                count,
                no_covers,
                base,
            },
            &mut stdout,
        ),
        Command::Bench {
            screen,
            playlists,
            transitions,
            page_seconds,
            size,
            window,
            at,
            json,
        } => commands::bench::run(
            commands::bench::BenchArgs {
                screen,
                playlists,
                transitions,
                page_seconds,
                size,
                window,
                at,
                json,
            },
            *PROCESS_START.get().expect("set in main"),
            &mut stdout,
        ),
        Command::Check { paths } => Ok(commands::check::run(&paths, &mut stdout)?),
        Command::Schema { kind } => {
            stdout.write_all(commands::schema::schema_json(kind).as_bytes())?;
            Ok(true)
        }
        Command::Plan {
            screen,
            playlists,
            at,
            hours,
        } => {
            let screen = commands::screen_config(screen.as_deref())?;
            let dir = playlists.unwrap_or_else(|| screen.playlists.clone());
            let (playlists, report) = vitrin::playlist::load_dir(&dir);
            if report.errors() > 0 {
                eprint!("{}", report.render());
                eprintln!(
                    "vitrin: warning: playlists with errors are left out of the plan (see above)"
                );
            }
            let (from, note) = commands::plan::parse_at(&at, screen.timezone, chrono::Utc::now())?;
            let text =
                commands::plan::render_plan(&playlists, &screen, from, hours, note.as_deref());
            stdout.write_all(text.as_bytes())?;
            Ok(true)
        }
    }
}
