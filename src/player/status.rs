//! What the screen is doing, for the people who look after it: `status.json` (the page on screen,
//! the content's generation, the opening mode, when the schedule changes next) written each time a
//! new page has settled on screen, and optionally `screen.png`, a screenshot of exactly what the
//! screen shows. Both are replaced atomically, so a reader never sees half a file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use serde::Serialize;

use super::compositor::{Compositor, OutputImage};
use super::sequence::Sequencer;
use super::workers::CurrentLibrary;
use super::{PlayerSystems, Screen, WallClock};
use crate::fsutil::write_atomic;
use crate::selfcheck::{Expect, Problem, Sample, SelfCheck};
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
    /// The heartbeat: what keeps a screen healthy, written every minute even while closed.
    version: &'static str,
    /// Seconds since the player started, and since the machine did.
    uptime_s: u64,
    machine_uptime_s: Option<u64>,
    /// When this screen last synced its feed successfully (feed screens), and when the content
    /// that plays reached it.
    last_sync: Option<String>,
    content_since: Option<String>,
    /// The last error logged, and how many errors and warnings since start.
    last_error: Option<String>,
    errors: u64,
    warnings: u64,
    rss_bytes: Option<u64>,
    /// Free space where the cache is.
    disk_free_bytes: Option<u64>,
    /// The display is asleep (the library is closed), and why the last power command failed.
    display_asleep: bool,
    power_error: Option<String>,
    /// Whether the screen shows what it should: black or unchanged for longer than the schedule
    /// explains ([`crate::selfcheck`]).
    self_check: &'a SelfCheck,
}

/// The heartbeat's pace: status.json is written at least this often.
pub const HEARTBEAT_SECONDS: f64 = 60.0;
/// A small screenshot is saved at most this often.
pub const SMALL_SCREENSHOT_SECONDS: f64 = 300.0;
/// The small screenshot's width in pixels.
pub const SMALL_WIDTH: u32 = 480;

/// When status was last written and the small screenshot taken, on the player's clock.
#[derive(Resource, Debug, Default)]
pub struct Heartbeat {
    pub last: Option<f64>,
    last_small: Option<f64>,
    written: Option<(u64, bool)>,
    /// The heartbeat also goes to `heartbeat_url`, through this thread.
    sender: Option<std::sync::mpsc::SyncSender<Beat>>,
    /// The player watching its own output: samples of screenshots come back here.
    pub self_check: SelfCheck,
    samples: Arc<Mutex<Vec<(Expect, Sample)>>>,
}

impl Heartbeat {
    /// When the next heartbeat is due, on the player's clock.
    pub fn next(&self, output: bool) -> Option<f64> {
        output.then(|| self.last.map_or(0.0, |t| t + HEARTBEAT_SECONDS))
    }
}

pub(super) fn plugin(app: &mut App) {
    let screen = app.world().resource::<Screen>().0.clone();
    app.insert_resource(Heartbeat {
        sender: screen
            .heartbeat_url
            .clone()
            .map(|url| spawn_heartbeat(url, screen.heartbeat_token.clone())),
        ..default()
    })
    .add_systems(Update, write_status.in_set(PlayerSystems::Measure));
}

/// What goes to the heartbeat's address: the status, or a small screenshot.
enum Beat {
    Status(Vec<u8>),
    Screenshot(Vec<u8>),
}

/// Where the small screenshot goes beside the heartbeat: the same address with `.png` for its
/// `.json` (or added), e.g. `…/status/puls/karlstad-entre.png`.
pub fn screenshot_url(heartbeat_url: &str) -> String {
    match heartbeat_url.strip_suffix(".json") {
        Some(stem) => format!("{stem}.png"),
        None => format!("{heartbeat_url}.png"),
    }
}

/// Sends each heartbeat to `url` on a thread of its own (HTTP PUT, short timeouts), and each small
/// screenshot beside it. Two wait at most: one that comes while they are still being sent is
/// dropped, never queued.
fn spawn_heartbeat(url: String, token: Option<String>) -> std::sync::mpsc::SyncSender<Beat> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Beat>(2);
    let picture_url = screenshot_url(&url);
    let _ = std::thread::Builder::new()
        .name("vitrin-heartbeat".into())
        .spawn(move || {
            let client = match crate::http::client_builder()
                .connect_timeout(std::time::Duration::from_secs(5))
                .timeout(std::time::Duration::from_secs(10))
                .build()
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!("no heartbeat to {url}: {e}");
                    return;
                }
            };
            let mut failing = false;
            for beat in rx {
                let (to, kind, body) = match beat {
                    Beat::Status(b) => (&url, "application/json", b),
                    Beat::Screenshot(b) => (&picture_url, "image/png", b),
                };
                let mut request = client.put(to).header("content-type", kind).body(body);
                if let Some(t) = &token {
                    request = request.bearer_auth(t);
                }
                match request.send().and_then(|r| r.error_for_status()) {
                    Ok(_) if failing => {
                        tracing::info!("heartbeat to {url} works again");
                        failing = false;
                    }
                    Ok(_) => {}
                    // Said once, not every minute.
                    Err(e) if !failing => {
                        tracing::warn!("cannot send the heartbeat to {url}: {e}");
                        failing = true;
                    }
                    Err(_) => {}
                }
            }
        });
    tx
}

#[allow(clippy::too_many_arguments)]
fn write_status(
    output: Option<Res<StatusOutput>>,
    seq: Res<Sequencer>,
    compositor: Res<Compositor>,
    screen: Res<Screen>,
    clock: Res<WallClock>,
    library: Res<CurrentLibrary>,
    now: Res<super::Now>,
    image_target: Option<Res<OutputImage>>,
    cpu: Option<Res<super::present::CpuFrame>>,
    mut heartbeat: ResMut<Heartbeat>,
    health: Health,
    mut commands: Commands,
) {
    let output = output.as_deref();
    // Once per page (and when the show is paused or plays again), when it has settled on screen;
    // and every minute in any case.
    let state = (seq.shown, seq.order.is_paused());
    let changed = heartbeat.written != Some(state) && compositor.is_idle();
    let due = heartbeat
        .last
        .is_none_or(|t| now.0 - t >= HEARTBEAT_SECONDS);
    if !changed && !due {
        return;
    }
    if output.is_none() && heartbeat.sender.is_none() {
        return;
    }
    check_samples(&mut heartbeat);
    if changed {
        heartbeat.written = Some(state);
    }
    heartbeat.last = Some(now.0);
    let tz = screen.0.timezone;
    let time = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).to_rfc3339();
    let last_error = crate::logbook::recent()
        .into_iter()
        .rev()
        .find(|e| e.error)
        .map(|e| format!("{} {}", time(e.at), e.message));
    let (errors, warnings) = crate::logbook::counts();
    let power = health.power.state();
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
        version: env!("CARGO_PKG_VERSION"),
        uptime_s: now.0.max(0.0) as u64,
        machine_uptime_s: crate::health::machine_uptime_s().map(|s| s as u64),
        last_sync: health.sync.as_ref().and_then(|s| s.last()).map(time),
        content_since: health.since.as_ref().map(|s| time(s.0)),
        last_error,
        errors,
        warnings,
        rss_bytes: crate::health::rss_bytes(),
        disk_free_bytes: crate::health::disk_free_bytes(&screen.0.cache_dir)
            .or_else(|| output.and_then(|o| crate::health::disk_free_bytes(&o.dir))),
        display_asleep: power.asleep,
        power_error: power.error,
        self_check: &heartbeat.self_check,
    };
    let json = serde_json::to_vec_pretty(&status).expect("status serializes");
    if let Some(sender) = &heartbeat.sender {
        let _ = sender.try_send(Beat::Status(json.clone()));
    }
    if let Some(output) = output
        && let Err(e) = write_atomic(&output.dir.join("status.json"), &json)
    {
        tracing::warn!("cannot write status: {e}");
        return;
    }
    // The screen as it is after each page change, and a small picture of it every few minutes
    // for a wall of screens elsewhere (and the fleet page, through the heartbeat's address): one
    // screenshot for all (a window takes one a frame).
    let mut pictures = Vec::new();
    if let Some(output) = output
        && changed
        && output.screenshot
        && seq.shown > 0
    {
        pictures.push((output.dir.join("screen.png"), None));
    }
    let mut send_small = None;
    if heartbeat
        .last_small
        .is_none_or(|t| now.0 - t >= SMALL_SCREENSHOT_SECONDS)
        && seq.shown > 0
        && compositor.is_idle()
    {
        heartbeat.last_small = Some(now.0);
        if let Some(output) = output {
            pictures.push((output.dir.join("screen-small.png"), Some(SMALL_WIDTH)));
        }
        send_small = heartbeat.sender.clone();
    }
    // Every heartbeat the screen is looked at, to notice a black or frozen screen.
    let sink = due.then(|| (expect(&seq, now.0), heartbeat.samples.clone()));
    if !pictures.is_empty() || sink.is_some() || send_small.is_some() {
        let own_picture = cpu.is_some_and(|c| c.available);
        screenshot(
            &mut commands,
            image_target.as_deref(),
            own_picture,
            pictures,
            sink,
            send_small,
        );
    }
}

/// What the schedule explains about the screen now, for the self-check.
fn expect(seq: &Sequencer, now: f64) -> Expect {
    let closed = seq
        .program
        .as_ref()
        .is_none_or(|p| p.reason == crate::schedule::Reason::Closed);
    // Nothing of the program on screen yet (the morning's first page is being made ready), or a
    // visitor holding the show: any picture is right.
    if closed || seq.order.current().is_none() || seq.order.in_visit() {
        return Expect::Anything;
    }
    use std::hash::{Hash, Hasher};
    let mut page = std::collections::hash_map::DefaultHasher::new();
    seq.last_shown.hash(&mut page);
    Expect::Showing {
        page: page.finish(),
        overdue: seq
            .page_deadline()
            .is_some_and(|d| now - d > crate::selfcheck::OVERDUE_SECONDS),
    }
}

/// Takes the screenshots' samples that came back, logging a problem when one begins.
fn check_samples(heartbeat: &mut Heartbeat) {
    let samples: Vec<(Expect, Sample)> =
        std::mem::take(&mut *heartbeat.samples.lock().unwrap_or_else(|e| e.into_inner()));
    for (expect, sample) in samples {
        match heartbeat.self_check.observe(sample, expect) {
            Some(Problem::Black) => {
                tracing::error!("the screen is black although the library is open")
            }
            Some(Problem::Frozen) => tracing::error!(
                "the screen's picture has not changed although pages went on screen: its output is frozen"
            ),
            Some(Problem::Stuck) => tracing::error!(
                "the page on screen has outstayed its time by minutes: the show is stuck"
            ),
            None => {}
        }
    }
}

/// Saves what the screen shows as PNG to each path, at most so many pixels wide where given.
fn screenshot(
    commands: &mut Commands,
    image_target: Option<&OutputImage>,
    own_picture: bool,
    pictures: Vec<(PathBuf, Option<u32>)>,
    sink: Option<(Expect, Arc<Mutex<Vec<(Expect, Sample)>>>)>,
    send_small: Option<std::sync::mpsc::SyncSender<Beat>>,
) {
    let shot = match image_target {
        Some(target) => Screenshot::image(target.0.clone()),
        // In software rendering the window's picture is the player's own (`super::present`).
        None if own_picture => Screenshot::texture_view(super::present::SCREEN_VIEW),
        None => Screenshot::primary_window(),
    };
    commands
        .spawn(shot)
        .observe(move |captured: On<ScreenshotCaptured>| {
            // Encoding a PNG takes longer than a frame: it happens beside the frame loop.
            let image = captured.image.clone();
            let pictures = pictures.clone();
            let sink = sink.clone();
            let send_small = send_small.clone();
            std::thread::spawn(move || {
                if let Some(sender) = send_small {
                    match encode_png(image.clone(), Some(SMALL_WIDTH)) {
                        Ok(png) => {
                            let _ = sender.try_send(Beat::Screenshot(png));
                        }
                        Err(e) => tracing::warn!("cannot encode the screenshot: {e}"),
                    }
                }
                if let Some((expect, samples)) = sink
                    && let Ok(img) = image.clone().try_into_dynamic()
                {
                    let sample = Sample::of(&img.into_rgb8());
                    samples
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((expect, sample));
                }
                for (path, width) in pictures {
                    if let Err(e) = save_screenshot(image.clone(), &path, width) {
                        tracing::warn!("cannot save the screenshot {}: {e}", path.display());
                    }
                }
            });
        });
}

/// The figures of the heartbeat that other plugins keep.
#[derive(bevy::ecs::system::SystemParam)]
struct Health<'w> {
    power: Res<'w, super::upkeep::Power>,
    sync: Option<Res<'w, super::workers::SyncHealth>>,
    since: Option<Res<'w, super::workers::ContentSince>>,
}

/// Encodes a screenshot as PNG (opaque, as the screen is; scaled down to `width` if given) and
/// puts it in place atomically.
fn save_screenshot(image: Image, path: &Path, width: Option<u32>) -> Result<(), String> {
    let png = encode_png(image, width)?;
    write_atomic(path, &png).map_err(|e| e.to_string())
}

/// A screenshot as PNG bytes, opaque, scaled down to `width` if given.
fn encode_png(image: Image, width: Option<u32>) -> Result<Vec<u8>, String> {
    let mut rgb = image
        .try_into_dynamic()
        .map_err(|e| e.to_string())?
        .into_rgb8();
    if let Some(w) = width.filter(|&w| w < rgb.width()) {
        let h = (rgb.height() as u64 * w as u64 / rgb.width() as u64).max(1) as u32;
        rgb = image::imageops::resize(&rgb, w, h, image::imageops::FilterType::Triangle);
    }
    let mut png = Vec::new();
    rgb.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(png)
}
