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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("vitrin: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<bool> {
    let mut stdout = std::io::stdout().lock();
    match cli.command {
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
