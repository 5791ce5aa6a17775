//! The `vitrin` command: parses arguments and calls the library. Errors reach the user once, here.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::Instant;

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
    Play(commands::play::PlayArgs),
    /// Check playlists (and screen configs and book lists) and report every problem.
    Check {
        /// Files or folders; default `playlists/`.
        paths: Vec<PathBuf>,
    },
    /// Show what a screen will play over the coming hours.
    Plan {
        /// The screen config, or the id of a screen of the inventory beside the playlists;
        /// default `kiosk/screen.toml`, else built-in defaults.
        #[arg(long, value_name = "FILE|ID")]
        screen: Option<PathBuf>,
        /// The folder of playlists; default the screen config's.
        #[arg(long)]
        playlists: Option<PathBuf>,
        /// From when, in the screen's time zone: "2026-12-24 10:00", "2026-12-24" or "now".
        #[arg(long, default_value = "now")]
        at: String,
        /// How many hours ahead (at most a year: 8784).
        #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=8784))]
        hours: u32,
    },
    /// Write the slides that play (or those of one playlist) to PNG files, without a window.
    Render(commands::render::RenderArgs),
    /// Print the books a catalog feed or book list gives, one JSON object a line.
    Catalog(commands::catalog::CatalogArgs),
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
        /// Also write the preview for staff (`forhandsvisning/` in the feed folder): every
        /// screen of the inventory, now and in the coming 7 days, each page as it draws it.
        #[arg(long)]
        preview: bool,
        /// The preview's first day and time instead of now, in Swedish time: "2026-12-21",
        /// to see a coming week such as Christmas.
        #[arg(long, value_name = "TIME", requires = "preview")]
        preview_from: Option<String>,
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
    /// Create a key pair for signing feeds: the secret half to a file, the public half printed.
    Keygen {
        #[arg(long, default_value = "vitrin-feed.key")]
        out: PathBuf,
    },
    /// Print the JSON Schema of playlists, screen configs or book lists, for editors.
    Schema {
        #[arg(value_enum, default_value = "playlist")]
        kind: commands::schema::SchemaKind,
    },
    /// Measure playback: frame times, CPU, memory and start-up time.
    Bench(commands::bench::BenchArgs),
    /// What a screen showed, from its play log: plays and time on screen per playlist and slide.
    Report(commands::report::ReportArgs),
}

/// When the process started, for the time to the first slide.
static PROCESS_START: OnceLock<Instant> = OnceLock::new();

fn main() -> ExitCode {
    PROCESS_START.get_or_init(Instant::now);
    let cli = Cli::parse();
    // The commands that run for hours give memory back (see vitrin::memory): they start again
    // once with malloc settings, before any thread exists.
    let untuned = match cli.command {
        Command::Play(_) | Command::Bench(_) => vitrin::memory::start_tuned(),
        _ => None,
    };
    init_logging();
    if let Some(e) = untuned {
        tracing::warn!(
            "running with glibc's malloc defaults: could not start again with vitrin's: {e}"
        );
    }
    match run(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            // Not `{e:#}`: a message that already says its cause would say it twice.
            eprintln!("vitrin: error: {}", vitrin::http::error_chain(e.as_ref()));
            ExitCode::from(2)
        }
    }
}

/// Logs go to stderr, at info level unless RUST_LOG says otherwise; the graphics stack's chatter
/// is kept to warnings. The last warnings and errors are kept in memory too ([`vitrin::logbook`]).
fn init_logging() {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(
            "info,wgpu=error,wgpu_hal=error,wgpu_core=error,naga=warn,bevy_render=warn,bevy_winit=warn,winit=error,bevy_app=warn,offset_allocator=warn",
        )
    });
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let output = tracing_subscriber::fmt::layer()
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .with_target(false);
    // Warnings and errors are also kept for the staff overlay.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(output)
        .with(vitrin::logbook::Layer)
        .try_init();
}

fn run(cli: Cli) -> anyhow::Result<bool> {
    let mut stdout = std::io::stdout().lock();
    match cli.command {
        Command::Play(args) => {
            drop(stdout);
            commands::play::run(args)
        }
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
            let screen = commands::screen_for(screen.as_deref(), playlists.as_deref())?;
            let dir = playlists.unwrap_or_else(|| screen.playlists.clone());
            let (playlists, report) = vitrin::check::load_dir(&dir);
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
        Command::Render(args) => commands::render::run(args, &mut stdout),
        Command::Report(args) => commands::report::run(args, &mut stdout),
        Command::Catalog(args) => commands::catalog::run(args, &mut stdout),
        Command::Publish {
            playlists,
            out,
            sign,
            screen,
            preview,
            preview_from,
        } => commands::feed::run_publish(
            playlists,
            out,
            sign,
            screen.as_deref(),
            preview.then_some(preview_from.as_deref()),
            &mut stdout,
        ),
        Command::Sync {
            feed,
            cache,
            public_key,
            allow_http,
        } => commands::feed::run_sync(&feed, &cache, public_key, allow_http, &mut stdout),
        Command::Keygen { out } => commands::feed::run_keygen(&out, &mut stdout),
        Command::Bench(args) => {
            let started = *PROCESS_START.get().expect("set in main");
            commands::bench::run(args, started, &mut stdout)
        }
    }
}
