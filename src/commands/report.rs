//! `vitrin report`: what a screen showed, from its play log ([`crate::playlog`]), summed per
//! playlist and slide: how often, for how long, and how often visitors opened a book or a code.

use std::path::PathBuf;

use clap::Args;

use crate::playlog::{PlayLog, report};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The play log's folder; default the screen config's cache folder's `log/`.
    #[arg(long)]
    pub log: Option<PathBuf>,
    /// The screen config (for its time zone and cache folder).
    #[arg(long)]
    pub screen: Option<PathBuf>,
    /// From when, in the screen's time zone: "2026-12-01", "2026-12-01 10:00"; default 30 days ago.
    #[arg(long)]
    pub from: Option<String>,
    /// Until when (not included); default now.
    #[arg(long, default_value = "now")]
    pub until: String,
    /// One JSON object a line instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Seconds as `h:mm:ss`.
fn hms(seconds: f64) -> String {
    let s = seconds.round().max(0.0) as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

pub fn run(args: ReportArgs, out: &mut dyn std::io::Write) -> anyhow::Result<bool> {
    let screen = super::screen_config(args.screen.as_deref())?;
    let dir = args.log.unwrap_or_else(|| screen.cache_dir.join("log"));
    let now = chrono::Utc::now();
    let (until, _) = super::plan::parse_at(&args.until, screen.timezone, now)?;
    let from = match &args.from {
        Some(t) => super::plan::parse_at(t, screen.timezone, now)?.0,
        None => until - chrono::Duration::days(30),
    };
    if from >= until {
        anyhow::bail!(
            "--from {} is not before --until {}: nothing was shown in between",
            args.from.as_deref().unwrap_or_default(),
            args.until
        );
    }
    let (entries, bad) = PlayLog::read(&dir)
        .map_err(|e| anyhow::anyhow!("cannot read the play log in {}: {e}", dir.display()))?;
    let rows = report(&entries, from, until);
    if args.json {
        for r in &rows {
            writeln!(out, "{}", serde_json::to_string(r)?)?;
        }
        return Ok(true);
    }
    let tz = screen.timezone;
    writeln!(
        out,
        "shown from {} until {} ({}):",
        from.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
        until.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
        dir.display()
    )?;
    writeln!(
        out,
        "{:<32} {:>5} {:>7} {:>10} {:>7}",
        "playlist", "slide", "plays", "on screen", "opened"
    )?;
    let (mut plays, mut seconds, mut opened) = (0, 0.0, 0);
    for r in &rows {
        let name: String = r.playlist.chars().take(32).collect();
        writeln!(
            out,
            "{name:<32} {:>5} {:>7} {:>10} {:>7}",
            r.slide,
            r.plays,
            hms(r.seconds),
            r.opened
        )?;
        plays += r.plays;
        seconds += r.seconds;
        opened += r.opened;
    }
    writeln!(
        out,
        "{:<32} {:>5} {plays:>7} {:>10} {opened:>7}",
        "total",
        "",
        hms(seconds)
    )?;
    if bad > 0 {
        writeln!(
            out,
            "({bad} lines of the log could not be read: cut off by a power cut, or edited)"
        )?;
    }
    Ok(true)
}
