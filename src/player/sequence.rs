//! Drives the show in bevy: asks the schedule what plays (and sleeps until it changes), has the
//! page the running order chooses prepared and drawn while the current one shows, and hands it to
//! the compositor only when it is completely drawn and the running order says it is time. The
//! decisions (skipping broken pages, the welcome page, when to switch) are
//! [`RunningOrder`]'s; this layer only carries time, messages and entities to and from it.

use bevy::prelude::*;
use chrono::{DateTime, Utc};

use super::compositor::Compositor;
use super::fonts::Fonts;
use super::input::{Intended, Touched};
use super::page::{PageView, despawn_page, spawn_page};
use super::workers::{CurrentLibrary, Done, Preparer};
use super::{FrameSize, PlayerSystems, Screen, WallClock};
use crate::schedule::{Program, Reason, next_look, program_at};
use crate::show::{
    Change, Choice, Page, PageContent, PageKey, Place, RunningOrder, book_detail, code_detail,
    pages_for,
};
use crate::touch::{Action, Intent};

/// The page coming next.
#[derive(Debug, Clone, Default, PartialEq)]
enum Incoming {
    #[default]
    None,
    /// Being prepared on the worker thread.
    Preparing { id: u64, choice: Choice, page: Page },
    /// Being drawn into its texture.
    Drawing { camera: Entity, choice: Choice },
    /// Drawn, waiting for the running order to say it may go on screen.
    Ready { camera: Entity, choice: Choice },
}

/// The state of the show.
#[derive(Resource, Debug, Default)]
pub struct Sequencer {
    pub program: Option<Program>,
    /// When the schedule is looked at again: its next change, or a couple of days from now.
    pub next_change: Option<DateTime<Utc>>,
    pub order: RunningOrder,
    incoming: Incoming,
    /// Pages shown since start.
    pub shown: u64,
    /// The page shown last.
    pub last_shown: Option<PageKey>,
    /// When the first page went on screen (monotonic seconds).
    pub first_shown_at: Option<f64>,
    /// When the program's pages that are the screen's and the moment's (hours, events) change
    /// next, when it has any: they are made again then.
    pub live_until: Option<DateTime<Utc>>,
}

impl Sequencer {
    /// Whether a page is being drawn right now (it needs frames).
    pub fn drawing(&self) -> bool {
        matches!(self.incoming, Incoming::Drawing { .. })
    }

    /// When the current page's time is up, in seconds on the player's clock ([`super::Now`]).
    pub fn page_deadline(&self) -> Option<f64> {
        self.order.deadline()
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Sequencer>().add_systems(
        Update,
        (
            follow_window_size,
            follow_region,
            follow_schedule,
            carry_out,
            advance,
        )
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

/// New content may describe this screen differently (its library's hours, its tags, how it is
/// seen): the screen follows at once. Touch stays as the screen started (the touch bar is built
/// then); a change to it is taken at the next start.
fn follow_region(
    library: Res<CurrentLibrary>,
    local: Res<super::LocalScreen>,
    mut screen: ResMut<Screen>,
    mut size: ResMut<FrameSize>,
    mut touch_described: Local<Option<bool>>,
) {
    if !library.is_changed() {
        return;
    }
    let mut described = library.0.generation.region.apply(&local.0);
    // The first content tells what the region says now; a later change is news.
    if touch_described.is_some_and(|t| t != described.touch) {
        tracing::info!(
            touch = described.touch,
            "the region describes this screen's touch differently now: taken at the next start"
        );
    }
    *touch_described = Some(described.touch);
    described.touch = screen.0.touch;
    if described == screen.0 {
        return;
    }
    tracing::info!(
        library = described.library.as_deref().unwrap_or("-"),
        tags = ?described.tags,
        timezone = described.timezone.name(),
        "this screen as the region describes it now"
    );
    if size.viewing != described.viewing {
        size.viewing = described.viewing;
    }
    screen.0 = described;
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
    seq.next_change = Some(next_look(playlists, &screen.0, now));
    let live_changed = seq.live_until.is_some_and(|t| now >= t);
    if !content_changed && !live_changed && seq.program.as_ref() == Some(&program) {
        seq.next_change = earliest(seq.next_change, seq.live_until);
        return;
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
    let scale = size.scale();
    let mut pages = pages_for(&program, playlists, scale.covers_per_page());
    // Hours pages show today's hours, events pages the events still to come: made again at
    // midnight, and as events start and end.
    seq.live_until =
        crate::show::fill_live_for(&mut pages, &screen.0, now, scale.events_per_page());
    seq.next_change = earliest(seq.next_change, seq.live_until);
    let closed = program.reason == Reason::Closed;
    // At the instant the schedule names, a page on screen gives way to the new program at once.
    let change = if content_changed || seq.program.is_none() {
        Change::Content
    } else {
        Change::Schedule
    };
    seq.program = Some(program);
    cancel_incoming(&mut seq, &mut commands, &mut views, &mut images);
    seq.order.replace(pages, change);
    if closed {
        compositor.blank(now_clock.0);
    }
}

fn earliest(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
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

/// What visitors meant: a page in either direction, a book or a code opened or closed, a
/// carousel picture, pause and play. Any touch holds the show for the screen's touch timeout.
#[allow(clippy::too_many_arguments)]
fn carry_out(
    mut intents: MessageReader<Intended>,
    mut touches: MessageReader<Touched>,
    mut seq: ResMut<Sequencer>,
    screen: Res<Screen>,
    now_clock: Res<super::Now>,
    mut commands: Commands,
    mut views: Query<&mut PageView>,
    mut images: ResMut<Assets<Image>>,
    mut preparer: ResMut<Preparer>,
    library: Res<CurrentLibrary>,
    size: Res<FrameSize>,
    compositor: Res<Compositor>,
) {
    let (now, timeout) = (now_clock.0, screen.0.touch_timeout);
    if touches.read().count() > 0 && seq.order.current().is_some() {
        seq.order.touched(now, timeout);
    }
    for &Intended(intent) in intents.read() {
        let on_screen = compositor
            .on_screen()
            .and_then(|e| views.get(e).ok())
            .map(|v| v.page.clone());
        let choice = match intent {
            Intent::Navigate(direction) => seq.order.navigate(direction, now, timeout),
            Intent::Open(Action::OpenBook(i)) => on_screen
                .and_then(|p| book_detail(&p, i))
                .and_then(|detail| seq.order.open_aside(detail, now, timeout)),
            Intent::Open(Action::EnlargeCode) => on_screen
                .and_then(|p| code_detail(&p))
                .and_then(|detail| seq.order.open_aside(detail, now, timeout)),
            Intent::Open(Action::Picture(part)) => seq.order.go_to_part(part, now, timeout),
            Intent::Close => seq.order.close_aside(now, timeout),
            Intent::Pause => {
                seq.order.pause(now, timeout);
                None
            }
            Intent::Play => {
                seq.order.play(now);
                None
            }
            Intent::Staff | Intent::Touch => None,
        };
        if let Some(choice) = choice {
            cancel_incoming(&mut seq, &mut commands, &mut views, &mut images);
            request(&mut seq, &mut preparer, &library, &size, choice);
        }
    }
}

/// Asks for the chosen page to be prepared.
fn request(
    seq: &mut Sequencer,
    preparer: &mut Preparer,
    library: &CurrentLibrary,
    size: &FrameSize,
    choice: Choice,
) {
    let Some(page) = seq.order.page(choice) else {
        return;
    };
    let id = preparer.request(page.clone(), size.scale(), &library.0);
    seq.incoming = Incoming::Preparing { id, choice, page };
}

/// Moves the next page along: choose and prepare it, draw it, and put it on screen when its time
/// comes.
fn advance(
    mut seq: ResMut<Sequencer>,
    mut preparer: ResMut<Preparer>,
    library: Res<CurrentLibrary>,
    size: Res<FrameSize>,
    now_clock: Res<super::Now>,
    mut commands: Commands,
    mut images: ResMut<Assets<Image>>,
    fonts: Res<Fonts>,
    mut views: Query<&mut PageView>,
    mut compositor: ResMut<Compositor>,
) {
    if seq.order.idle_due(now_clock.0) {
        // The visitor left: the show goes on where it would be by itself.
        tracing::info!("no touch for the touch timeout: the show runs by itself again");
        let back = seq.order.idle_return(now_clock.0);
        cancel_incoming(&mut seq, &mut commands, &mut views, &mut images);
        if let Some(choice) = back {
            request(&mut seq, &mut preparer, &library, &size, choice);
        }
        return;
    }
    match seq.incoming {
        // Only the page on screen and the next one are held: during a transition (two pages on
        // screen), the one after waits.
        Incoming::None if compositor.is_idle() => {
            let Some(choice) = seq.order.choose_next() else {
                return;
            };
            if choice.place == Place::Welcome {
                tracing::warn!("no page can be shown: showing the welcome page");
            }
            request(&mut seq, &mut preparer, &library, &size, choice);
        }
        Incoming::None => {}
        Incoming::Preparing { id, .. } => {
            if let Some(done) = preparer.take(id) {
                prepared(&mut seq, done, &mut commands, &mut images, &fonts);
            }
        }
        Incoming::Drawing { camera, choice } => match views.get(camera) {
            // Drawn: no more frames are needed until its time comes.
            Ok(view) if view.is_drawn() => seq.incoming = Incoming::Ready { camera, choice },
            Ok(_) => {}
            Err(_) => seq.incoming = Incoming::None,
        },
        Incoming::Ready { camera, choice } => {
            let Ok(view) = views.get(camera) else {
                seq.incoming = Incoming::None;
                return;
            };
            let screen_empty = compositor.on_screen().is_none();
            if seq.order.time_to_switch(choice, screen_empty, now_clock.0) && compositor.is_idle() {
                put_on_screen(&mut seq, camera, view, choice, &mut compositor, now_clock.0);
            }
        }
    }
}

/// The page being prepared is: draw it, or skip it if it could not be prepared.
fn prepared(
    seq: &mut Sequencer,
    done: Done,
    commands: &mut Commands,
    images: &mut Assets<Image>,
    fonts: &Fonts,
) {
    let Incoming::Preparing {
        choice, ref page, ..
    } = seq.incoming
    else {
        return;
    };
    let key = page.key.clone();
    match done.result {
        Ok(prepared) => {
            for w in &prepared.warnings {
                if seq.order.first_problem_with(&key) {
                    tracing::warn!(page = %key, "{w}");
                }
            }
            tracing::debug!(page = %key, took_ms = done.took.as_millis() as u64, "prepared");
            let camera = spawn_page(commands, images, fonts, prepared);
            seq.incoming = Incoming::Drawing { camera, choice };
        }
        Err(e) => {
            if seq.order.first_problem_with(&key) {
                tracing::error!(page = %key, "skipping the page: {e}");
            }
            seq.order.could_not_prepare(choice);
            seq.incoming = Incoming::None;
        }
    }
}

/// Starts the transition to the drawn page and tells the running order.
fn put_on_screen(
    seq: &mut Sequencer,
    camera: Entity,
    view: &PageView,
    choice: Choice,
    compositor: &mut Compositor,
    now: f64,
) {
    let transition = view.page.transition;
    compositor.start(
        camera,
        view.target.clone(),
        transition,
        now,
        choice.navigated,
    );
    seq.order.shown(choice, now);
    seq.shown += 1;
    seq.last_shown = Some(view.page.key.clone());
    seq.first_shown_at.get_or_insert(now);
    tracing::info!(page = %view.page.key, kind = page_kind(&view.page), "showing");
    seq.incoming = Incoming::None;
}

/// What kind of page it is, for logs.
pub(super) fn page_kind(page: &Page) -> &'static str {
    match &page.content {
        PageContent::Picture {
            position: Some(_), ..
        } => "carousel",
        PageContent::Picture { .. } => "image",
        PageContent::Covers { .. } => "covers",
        PageContent::Qr { .. } => "qr",
        PageContent::Text { .. } => "text",
        PageContent::Hours { .. } => "hours",
        PageContent::Calendar { .. } | PageContent::Events { .. } => "events",
        PageContent::Welcome => "welcome",
        PageContent::Book { .. } => "book",
        PageContent::Code { .. } => "code",
    }
}
