//! Drives the show: asks the schedule what plays (and sleeps until it changes), keeps the running
//! order, has the next page prepared and drawn while the current one shows, and hands it to the
//! compositor only when it is completely drawn and the current page's time is up. A page that
//! cannot be prepared is skipped with one log line; when nothing can be shown, the welcome page is.

use std::collections::HashSet;

use bevy::prelude::*;
use chrono::{DateTime, Utc};

use super::bridge::{CurrentLibrary, Preparer};
use super::compositor::Compositor;
use super::fonts::Fonts;
use super::page::{PageView, despawn_page, spawn_page};
use super::{FrameSize, PlayerSystems, Screen, WallClock};
use crate::layout::Scale;
use crate::schedule::{Program, Reason, next_change, program_at};
use crate::show::{Direction, Page, PageKey, Playback, pages_for, welcome_page};

/// The index the welcome page goes by when it stands in: it has no place in the running order.
const WELCOME: usize = usize::MAX;

/// A visitor or staff member asked for another page.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Navigate(pub Direction);

/// The page coming next.
#[derive(Debug, Clone, PartialEq)]
enum Incoming {
    None,
    /// Being prepared on the worker thread.
    Preparing {
        id: u64,
        index: usize,
        page: Page,
        forced: bool,
    },
    /// Being drawn into its texture.
    Drawing {
        camera: Entity,
        index: usize,
        forced: bool,
    },
    /// Drawn, waiting for the current page's time to be up.
    Ready {
        camera: Entity,
        index: usize,
        forced: bool,
    },
}

/// The state of the show.
#[derive(Resource, Debug)]
pub struct Sequencer {
    pub program: Option<Program>,
    pub next_change: Option<DateTime<Utc>>,
    pub playback: Playback,
    incoming: Incoming,
    /// Pages skipped in a row while looking for one that can be shown.
    skipped: usize,
    /// Pages that failed, so each is logged once per content version.
    failed: HashSet<PageKey>,
    /// The welcome page is standing in because nothing else could be shown.
    standing_in: bool,
    /// The schedule changed: the next page goes on screen as soon as it is drawn, without waiting
    /// for the current page's time (content changes, by contrast, wait for the page boundary).
    switch_now: bool,
    /// Pages shown since start.
    pub shown: u64,
    /// The page shown last.
    pub last_shown: Option<PageKey>,
    /// When the first page went on screen (monotonic seconds).
    pub first_shown_at: Option<f64>,
}

impl Default for Sequencer {
    fn default() -> Self {
        Self {
            program: None,
            next_change: None,
            playback: Playback::default(),
            incoming: Incoming::None,
            skipped: 0,
            failed: HashSet::new(),
            standing_in: false,
            switch_now: false,
            shown: 0,
            last_shown: None,
            first_shown_at: None,
        }
    }
}

impl Sequencer {
    /// Whether a page is being drawn right now (it needs frames).
    pub fn drawing(&self) -> bool {
        matches!(self.incoming, Incoming::Drawing { .. })
    }

    /// When the current page's time is up, in seconds on the player's clock ([`super::Now`]).
    pub fn page_deadline(&self) -> Option<f64> {
        self.playback.deadline()
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Sequencer>()
        .add_message::<Navigate>()
        .add_systems(
            Update,
            (follow_window_size, follow_schedule, navigate, advance)
                .chain()
                .in_set(PlayerSystems::Sequence),
        );
}

/// Pages are drawn at the window's real size (a kiosk's monitor decides it).
fn follow_window_size(
    window: Option<Single<&Window, With<bevy::window::PrimaryWindow>>>,
    mut size: ResMut<FrameSize>,
) {
    let Some(window) = window else { return };
    let physical = window.physical_size();
    if physical.x > 0 && physical.y > 0 && (physical.x, physical.y) != (size.width, size.height) {
        tracing::info!(width = physical.x, height = physical.y, "screen size");
        size.width = physical.x;
        size.height = physical.y;
    }
}

/// Recomputes the program when the content changes or the schedule says it changes now.
fn follow_schedule(
    mut seq: ResMut<Sequencer>,
    library: Res<CurrentLibrary>,
    screen: Res<Screen>,
    clock: Res<WallClock>,
    size: Res<FrameSize>,
    mut compositor: ResMut<Compositor>,
    mut commands: Commands,
    mut views: Query<&mut PageView>,
    mut images: ResMut<Assets<Image>>,
    now_clock: Res<super::Now>,
) {
    let now = clock.now(&now_clock);
    let content_changed = library.is_changed();
    let due = seq.program.is_none() || seq.next_change.is_some_and(|t| now >= t);
    if !content_changed && !due {
        return;
    }
    let playlists = library.0.playlists();
    let program = program_at(playlists, &screen.0, now);
    seq.next_change = next_change(playlists, &screen.0, now);
    let changed = content_changed || seq.program.as_ref() != Some(&program);
    if !changed {
        return;
    }
    if content_changed {
        seq.failed.clear();
    }
    tracing::info!(
        generation = %library.0.generation.id,
        mode = program.mode.name(),
        reason = ?program.reason,
        playlists = program.playlists.len(),
        slides = program.slide_count(),
        next_change = ?seq.next_change.map(|t| t.with_timezone(&screen.0.timezone).to_rfc3339()),
        "program"
    );
    let scale = Scale::new(size.width, size.height);
    let pages = pages_for(&program, playlists, scale.covers_per_page());
    let closed = program.reason == Reason::Closed;
    // At the instant the schedule names: a page on screen gives way to the new program at once.
    seq.switch_now = !content_changed && seq.program.is_some();
    seq.program = Some(program);
    cancel_incoming(&mut seq, &mut commands, &mut views, &mut images);
    seq.standing_in = false;
    seq.skipped = 0;
    if closed {
        seq.playback.clear();
        compositor.blank(now_clock.0);
    } else {
        seq.playback.replace(pages);
    }
}

fn cancel_incoming(
    seq: &mut Sequencer,
    commands: &mut Commands,
    views: &mut Query<&mut PageView>,
    images: &mut Assets<Image>,
) {
    if let Incoming::Drawing { camera, .. } | Incoming::Ready { camera, .. } = seq.incoming
        && let Ok(mut view) = views.get_mut(camera)
    {
        despawn_page(commands, camera, &mut view, images);
    }
    seq.incoming = Incoming::None;
}

/// A swipe, tap or key: the page in that direction comes at once, and automatic advancing pauses
/// for the screen's touch timeout.
fn navigate(
    mut requests: MessageReader<Navigate>,
    mut seq: ResMut<Sequencer>,
    screen: Res<Screen>,
    now_clock: Res<super::Now>,
    mut commands: Commands,
    mut views: Query<&mut PageView>,
    mut images: ResMut<Assets<Image>>,
    mut preparer: ResMut<Preparer>,
    library: Res<CurrentLibrary>,
    size: Res<FrameSize>,
) {
    let Some(Navigate(direction)) = requests.read().last().copied() else {
        return;
    };
    if seq.playback.pages().is_empty() {
        return;
    }
    let now = now_clock.0;
    seq.playback.touched(now, screen.0.touch_timeout);
    cancel_incoming(&mut seq, &mut commands, &mut views, &mut images);
    request_next(&mut seq, &mut preparer, &library, &size, direction, 0, true);
}

/// Asks for the page `skip` pages past the next one in `direction` to be prepared.
fn request_next(
    seq: &mut Sequencer,
    preparer: &mut Preparer,
    library: &CurrentLibrary,
    size: &FrameSize,
    direction: Direction,
    skip: usize,
    forced: bool,
) {
    let Some(index) = seq.playback.next_index(direction, skip) else {
        return;
    };
    let Some(page) = seq.playback.upcoming_page(index).cloned() else {
        return;
    };
    let id = preparer.request(page.clone(), size.width, size.height, &library.0);
    seq.incoming = Incoming::Preparing {
        id,
        index,
        page,
        forced,
    };
}

/// Moves the next page along: prepare, draw, and put it on screen when its time comes.
fn advance(
    mut seq: ResMut<Sequencer>,
    mut preparer: ResMut<Preparer>,
    library: Res<CurrentLibrary>,
    size: Res<FrameSize>,
    now_clock: Res<super::Now>,
    mut commands: Commands,
    mut images: ResMut<Assets<Image>>,
    fonts: Res<Fonts>,
    views: Query<&PageView>,
    mut compositor: ResMut<Compositor>,
) {
    let now = now_clock.0;
    match seq.incoming.clone() {
        Incoming::None => {
            // Only the page on screen and the next one are held: during a transition (two pages
            // on screen), the one after waits.
            if !compositor.is_idle() {
                return;
            }
            let upcoming = seq.playback.upcoming_len();
            if upcoming == 0 || seq.standing_in {
                return;
            }
            // Everything was tried and failed: the welcome page stands in.
            if seq.skipped >= upcoming {
                tracing::warn!("no page can be shown: showing the welcome page");
                seq.standing_in = true;
                let page = welcome_page();
                let id = preparer.request(page.clone(), size.width, size.height, &library.0);
                seq.incoming = Incoming::Preparing {
                    id,
                    index: WELCOME,
                    page,
                    forced: false,
                };
                return;
            }
            let skip = seq.skipped;
            request_next(
                &mut seq,
                &mut preparer,
                &library,
                &size,
                Direction::Forward,
                skip,
                false,
            );
        }
        Incoming::Preparing {
            id,
            index,
            page,
            forced,
        } => {
            let Some(done) = preparer.take(id) else {
                return;
            };
            match done.result {
                Ok(prepared) => {
                    for w in &prepared.warnings {
                        if seq.failed.insert(page.key.clone()) {
                            tracing::warn!(page = %page.key, "{w}");
                        }
                    }
                    tracing::debug!(page = %page.key, took_ms = done.took.as_millis() as u64, "prepared");
                    let camera = spawn_page(&mut commands, &mut images, &fonts, prepared);
                    seq.incoming = Incoming::Drawing {
                        camera,
                        index,
                        forced,
                    };
                }
                Err(e) => {
                    if seq.failed.insert(page.key.clone()) {
                        tracing::error!(page = %page.key, "skipping the page: {e}");
                    }
                    seq.incoming = Incoming::None;
                    if index == WELCOME {
                        return;
                    }
                    seq.skipped += 1;
                }
            }
        }
        Incoming::Drawing {
            camera,
            index,
            forced,
        } => match views.get(camera) {
            Ok(view) if view.is_drawn() => {
                // Drawn: no more frames are needed until its time comes.
                seq.incoming = Incoming::Ready {
                    camera,
                    index,
                    forced,
                };
            }
            Ok(_) => {}
            Err(_) => seq.incoming = Incoming::None,
        },
        Incoming::Ready {
            camera,
            index,
            forced,
        } => {
            let Ok(view) = views.get(camera) else {
                seq.incoming = Incoming::None;
                return;
            };
            let nothing_on_screen = compositor.on_screen().is_none();
            let time_is_up = forced || seq.switch_now || nothing_on_screen || seq.playback.due(now);
            if !time_is_up || !compositor.is_idle() {
                return;
            }
            let transition = view.page.transition;
            compositor.start(camera, view.target.clone(), transition, now, forced);
            if index == WELCOME {
                // The welcome page stands in: it has no place in the running order.
                seq.playback.show(WELCOME, now);
            } else {
                seq.standing_in = false;
                seq.playback.show(index, now);
            }
            seq.skipped = 0;
            seq.switch_now = false;
            seq.shown += 1;
            seq.last_shown = Some(view.page.key.clone());
            seq.first_shown_at.get_or_insert(now);
            tracing::info!(page = %view.page.key, kind = page_kind(&view.page), "showing");
            seq.incoming = Incoming::None;
        }
    }
}

fn page_kind(page: &Page) -> &'static str {
    use crate::show::PageContent;
    match &page.content {
        PageContent::Picture {
            position: Some(_), ..
        } => "carousel",
        PageContent::Picture { .. } => "image",
        PageContent::Covers { .. } => "covers",
        PageContent::Qr { .. } => "qr",
        PageContent::Text { .. } => "text",
        PageContent::Welcome => "welcome",
    }
}
