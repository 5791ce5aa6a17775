//! What the screen is doing, for the people who look after it: `status.json` (the page on screen,
//! the content's generation, the opening mode, when the schedule changes next) written each time a
//! new page has settled on screen, and optionally `screen.png`, a screenshot of exactly what the
//! screen shows. Both are replaced atomically, so a reader never sees half a file.

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use serde::Serialize;

use super::compositor::{Compositor, OutputImage};
use super::sequence::Sequencer;
use super::workers::CurrentLibrary;
use super::{PlayerSystems, Screen, WallClock};
use crate::fsutil::write_atomic;
use crate::show::PageContent;

/// Where status goes.
#[derive(Resource, Debug, Clone)]
pub struct StatusOutput {
    pub dir: PathBuf,
    /// Also save a screenshot of the screen after every page change.
    pub screenshot: bool,
}

#[derive(Debug, Serialize)]
struct Status<'a> {
    screen: &'a str,
    time: String,
    generation: &'a str,
    /// When the feed published the generation that plays (none for a standalone screen).
    published: Option<String>,
    /// The feed has published nothing new for longer than `feed_stale_after`.
    feed_stale: bool,
    mode: Option<&'a str>,
    /// Pages shown since the player started.
    shown: u64,
    page: Option<String>,
    /// What a visitor opened from the page on screen: a book's title, or a code's address.
    opened: Option<String>,
    /// A visitor paused the show.
    paused: bool,
    next_change: Option<String>,
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, write_status.in_set(PlayerSystems::Measure));
}

fn write_status(
    output: Option<Res<StatusOutput>>,
    seq: Res<Sequencer>,
    compositor: Res<Compositor>,
    screen: Res<Screen>,
    clock: Res<WallClock>,
    library: Res<CurrentLibrary>,
    now: Res<super::Now>,
    image_target: Option<Res<OutputImage>>,
    mut written: Local<Option<(u64, bool)>>,
    mut commands: Commands,
) {
    let Some(output) = output else { return };
    // Once per page (and when the show is paused or plays again), when it has settled on screen.
    let state = (seq.shown, seq.order.is_paused());
    if *written == Some(state) || !compositor.is_idle() {
        return;
    }
    *written = Some(state);
    let tz = screen.0.timezone;
    let status = Status {
        screen: &screen.0.id,
        time: clock.now(&now).with_timezone(&tz).to_rfc3339(),
        generation: &library.0.generation.id,
        published: library
            .0
            .generation
            .published
            .map(|t| t.with_timezone(&tz).to_rfc3339()),
        feed_stale: library
            .0
            .generation
            .is_stale(clock.now(&now), screen.0.feed_stale_after),
        mode: seq.program.as_ref().map(|p| p.mode.name()),
        shown: seq.shown,
        page: seq.last_shown.as_ref().map(ToString::to_string),
        opened: seq
            .order
            .aside()
            .filter(|_| seq.order.aside_on_screen())
            .and_then(|page| match &page.content {
                PageContent::Book { book, .. } => Some(book.title.clone()),
                PageContent::Code { url, .. } => Some(url.clone()),
                _ => None,
            }),
        paused: seq.order.is_paused(),
        next_change: seq.next_change.map(|t| t.with_timezone(&tz).to_rfc3339()),
    };
    let json = serde_json::to_vec_pretty(&status).expect("status serializes");
    if let Err(e) = write_atomic(&output.dir.join("status.json"), &json) {
        tracing::warn!("cannot write status: {e}");
        return;
    }
    if output.screenshot && seq.shown > 0 {
        let shot = match image_target {
            Some(target) => Screenshot::image(target.0.clone()),
            None => Screenshot::primary_window(),
        };
        let path = output.dir.join("screen.png");
        commands
            .spawn(shot)
            .observe(move |captured: On<ScreenshotCaptured>| {
                // Encoding a PNG takes longer than a frame: it happens beside the frame loop.
                let image = captured.image.clone();
                let path = path.clone();
                std::thread::spawn(move || {
                    if let Err(e) = save_screenshot(image, &path) {
                        tracing::warn!("cannot save the screenshot {}: {e}", path.display());
                    }
                });
            });
    }
}

/// Encodes a screenshot as PNG (opaque, as the screen is) and puts it in place atomically.
fn save_screenshot(image: Image, path: &Path) -> Result<(), String> {
    let rgb = image
        .try_into_dynamic()
        .map_err(|e| e.to_string())?
        .into_rgb8();
    let mut png = Vec::new();
    rgb.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    write_atomic(path, &png).map_err(|e| e.to_string())
}
