//! `vitrin play`: the player on the screen.

use std::path::PathBuf;

use crate::player::workers::ContentSource;
use crate::player::{Output, PlayerOptions, WallClock, player_app};

/// `vitrin play`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct PlayArgs {
    /// The screen config; default `kiosk/screen.toml`, else built-in defaults.
    #[arg(long)]
    pub screen: Option<PathBuf>,
    /// The folder of playlists; default the screen config's.
    #[arg(long)]
    pub playlists: Option<PathBuf>,
    /// A normal window (default 1280x720) instead of the kiosk's borderless fullscreen.
    #[arg(long, value_name = "WxH", num_args = 0..=1, default_missing_value = "1280x720", value_parser = parse_screen_size)]
    pub windowed: Option<(u32, u32)>,
    /// Write status.json (the page on screen, the content's version) to this folder.
    #[arg(long, value_name = "DIR")]
    pub status: Option<PathBuf>,
    /// With --status, also save screen.png, a screenshot, after every page change.
    #[arg(long, requires = "status")]
    pub screenshot: bool,
}

/// Parses `1920x1080`.
pub fn parse_screen_size(text: &str) -> Result<(u32, u32), String> {
    let (w, h) = text
        .trim()
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| format!("\"{text}\" is not a size: write it like 1920x1080"))?;
    let w: u32 = w
        .trim()
        .parse()
        .map_err(|_| format!("\"{text}\" is not a size: write it like 1920x1080"))?;
    let h: u32 = h
        .trim()
        .parse()
        .map_err(|_| format!("\"{text}\" is not a size: write it like 1920x1080"))?;
    if !(64..=8192).contains(&w) || !(64..=8192).contains(&h) {
        return Err(format!(
            "{w}x{h} is not a screen size vitrin can draw (64 to 8192 pixels a side)"
        ));
    }
    Ok((w, h))
}

pub fn run(args: PlayArgs) -> anyhow::Result<bool> {
    let mut screen = super::screen_for(args.screen.as_deref(), args.playlists.as_deref())?;
    // A preview window behaves as a touch screen, the mouse as a finger.
    screen.touch |= args.windowed.is_some();
    let output = match args.windowed {
        Some(size) => Output::Window {
            fullscreen: false,
            size,
        },
        None => Output::Window {
            fullscreen: true,
            size: (1920, 1080),
        },
    };
    tracing::info!(
        screen = %screen.id,
        timezone = screen.timezone.name(),
        touch = screen.touch,
        "vitrin {} starting",
        env!("CARGO_PKG_VERSION")
    );
    let source = match &screen.feed {
        Some(_) => feed_source(&screen)?,
        None => ContentSource::Folder {
            dir: args
                .playlists
                .clone()
                .unwrap_or_else(|| screen.playlists.clone()),
            watch: true,
        },
    };
    let mut app = player_app(
        PlayerOptions {
            output,
            screen,
            clock: WallClock::Real,
            bench: None,
        },
        source,
    );
    if let Some(notifier) = crate::sdnotify::Notifier::from_env() {
        tracing::info!(watchdog = ?notifier.ping_every(), "telling systemd how the player is");
        app.insert_resource(crate::player::upkeep::Watchdog(notifier));
    }
    if let Some(dir) = args.status {
        app.insert_resource(crate::player::status::StatusOutput {
            dir,
            screenshot: args.screenshot,
        });
    }
    let exit = app.run();
    Ok(exit.is_success())
}

/// Plays a feed through the screen's cache.
pub fn feed_source(screen: &crate::screen::ScreenConfig) -> anyhow::Result<ContentSource> {
    let options = crate::feed::sync::SyncOptions::for_screen(screen)
        .ok_or_else(|| anyhow::anyhow!("the screen config has no feed"))?;
    let cache = crate::cache::Cache::open(&screen.cache_dir)?;
    Ok(ContentSource::Feed {
        cache,
        options,
        interval: screen.sync_interval,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_screen_size("1920x1080"), Ok((1920, 1080)));
        assert_eq!(parse_screen_size("1080X1920"), Ok((1080, 1920)));
        assert!(parse_screen_size("big").is_err());
        assert!(parse_screen_size("10x10").is_err());
    }
}
