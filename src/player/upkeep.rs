//! A screen that looks after itself: the systemd watchdog pinged from the frame loop, the
//! display's power following the opening hours, and the proof-of-play log. The decisions are the
//! core's ([`crate::sdnotify`], [`crate::power`], [`crate::playlog`]); this carries them out
//! without ever blocking a frame: power commands run on a thread of their own.

use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bevy::prelude::*;
use chrono::{DateTime, Utc};

use super::compositor::Compositor;
use super::input::Intended;
use super::page::PageView;
use super::sequence::Sequencer;
use super::workers::CurrentLibrary;
use super::{Now, PlayerSystems, Screen, WallClock};
use crate::playlog::{Entry, PlayLog};
use crate::power::{Display, Method};
use crate::schedule::Reason;
use crate::sdnotify::Notifier;
use crate::show::PageKey;
use crate::touch::{Action, Intent};

/// systemd's notification socket, when the player runs under systemd.
#[derive(Resource, Debug)]
pub struct Watchdog(pub Notifier);

/// What the display's power is doing, shared with the power thread.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PowerState {
    /// The state last asked for.
    pub wanted: Option<Display>,
    /// Whether the display is asleep (the last command for sleep succeeded).
    pub asleep: bool,
    /// Why the last command failed.
    pub error: Option<String>,
}

/// The display's power: the thread that runs the commands, and what it did.
#[derive(Resource, Debug, Clone)]
pub struct Power {
    tx: Option<Sender<Display>>,
    pub state: Arc<Mutex<PowerState>>,
}

impl Power {
    pub fn state(&self) -> PowerState {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The page on screen, for its line in the play log when it leaves.
#[derive(Debug, Clone)]
struct OnScreen {
    key: PageKey,
    kind: &'static str,
    start: DateTime<Utc>,
    generation: String,
}

/// The proof-of-play log and the page being logged.
#[derive(Resource, Debug)]
pub struct PlayRecord {
    pub log: PlayLog,
    on_screen: Option<OnScreen>,
    shown: u64,
}

pub(super) fn plugin(app: &mut App) {
    let screen = app.world().resource::<Screen>().0.clone();
    let state: Arc<Mutex<PowerState>> = Arc::default();
    app.insert_resource(Power {
        tx: spawn_power(screen.power.clone(), state.clone()),
        state,
    })
    .insert_resource(PlayRecord {
        log: PlayLog::new(screen.cache_dir.join("log")),
        on_screen: None,
        shown: 0,
    })
    .add_systems(
        Update,
        (watchdog, power, record).in_set(PlayerSystems::Measure),
    );
}

/// The thread that runs power commands, one at a time; `None` without a method.
fn spawn_power(method: Method, state: Arc<Mutex<PowerState>>) -> Option<Sender<Display>> {
    if method == Method::None {
        return None;
    }
    let (tx, rx) = channel::<Display>();
    std::thread::Builder::new()
        .name("vitrin-power".into())
        .spawn(move || {
            for wanted in rx {
                let result = crate::power::apply(&method, wanted);
                let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                match result {
                    Ok(()) => {
                        tracing::info!(method = method.name(), "display {wanted:?}");
                        s.asleep = wanted == Display::Asleep;
                        s.error = None;
                    }
                    Err(e) => {
                        tracing::warn!(
                            method = method.name(),
                            "cannot put the display {wanted:?}: {e}"
                        );
                        s.error = Some(e.to_string());
                    }
                }
            }
        })
        .ok()?;
    Some(tx)
}

/// Pings systemd's watchdog from the frame loop (a frozen frame loop stops the pings); READY
/// once the first page is on screen; STATUS with the page on screen.
fn watchdog(
    dog: Option<ResMut<Watchdog>>,
    seq: Res<Sequencer>,
    mut ready: Local<bool>,
    mut last: Local<Option<u64>>,
) {
    let Some(mut dog) = dog else { return };
    dog.0.ping_if_due(Instant::now());
    let status = || match (&seq.program, &seq.last_shown) {
        (Some(p), _) if p.reason == Reason::Closed => "closed".to_string(),
        (_, Some(page)) => format!("showing {page}"),
        _ => "starting".to_string(),
    };
    if !*ready && seq.shown > 0 {
        *ready = true;
        dog.0.ready(&status());
    } else if *ready && *last != Some(seq.shown) {
        dog.0.status(&status());
    }
    *last = Some(seq.shown);
}

/// Puts the display to sleep once the screen has faded to black for the night, and wakes it a
/// warm-up before opening. Only changes of the wanted state are sent, so a failing command is
/// never repeated in a loop.
fn power(
    power: Res<Power>,
    seq: Res<Sequencer>,
    compositor: Res<Compositor>,
    screen: Res<Screen>,
    clock: Res<WallClock>,
    now: Res<Now>,
) {
    let Some(tx) = &power.tx else { return };
    let closed = seq
        .program
        .as_ref()
        .is_some_and(|p| p.reason == Reason::Closed)
        && compositor.is_idle();
    let wanted = crate::power::wanted(
        closed,
        clock.now(&now),
        seq.next_change,
        screen.0.power_warm_up,
    );
    let mut state = power.state.lock().unwrap_or_else(|e| e.into_inner());
    // At start the display is taken to be on: it is only ever put to sleep first.
    let current = state.wanted.unwrap_or(Display::On);
    if current != wanted {
        state.wanted = Some(wanted);
        let _ = tx.send(wanted);
    }
}

/// When the display's power next needs the frame loop: the start of the warm-up.
pub fn power_wake(
    power: &Power,
    seq: &Sequencer,
    screen: &Screen,
    wall: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    power.tx.as_ref()?;
    let closed = seq
        .program
        .as_ref()
        .is_some_and(|p| p.reason == Reason::Closed);
    crate::power::next_wake(closed, wall, seq.next_change, screen.0.power_warm_up)
}

/// The play log: a line for each page when it leaves the screen, and one for each thing a
/// visitor did.
#[allow(clippy::too_many_arguments)]
fn record(
    mut record: ResMut<PlayRecord>,
    seq: Res<Sequencer>,
    compositor: Res<Compositor>,
    views: Query<&PageView>,
    library: Res<CurrentLibrary>,
    clock: Res<WallClock>,
    now: Res<Now>,
    mut intents: MessageReader<Intended>,
) {
    let wall = clock.now(&now);
    let page = compositor
        .on_screen()
        .and_then(|e| views.get(e).ok())
        .map(|v| &v.page);
    for &Intended(intent) in intents.read() {
        let action = match intent {
            Intent::Open(Action::OpenBook(_)) => "open_book",
            Intent::Open(Action::EnlargeCode) => "enlarge_code",
            Intent::Open(Action::Picture(_)) => "picture",
            Intent::Navigate(crate::show::Direction::Back) => "back",
            Intent::Navigate(crate::show::Direction::Forward) => "forward",
            Intent::Pause => "pause",
            Intent::Play => "play",
            Intent::Close => "close",
            Intent::Staff | Intent::Touch => continue,
        };
        let entry = Entry::Touch {
            at: wall,
            action: action.into(),
            playlist: page.map(|p| p.key.playlist.clone()),
            slide: page.map(|p| p.key.slide),
        };
        write(&record.log, &entry);
    }
    let closed = seq
        .program
        .as_ref()
        .is_some_and(|p| p.reason == Reason::Closed);
    if record.shown == seq.shown && !(closed && record.on_screen.is_some()) {
        return;
    }
    record.shown = seq.shown;
    if let Some(prev) = record.on_screen.take() {
        let seconds = (wall - prev.start).num_milliseconds().max(0) as f64 / 1000.0;
        let entry = Entry::Shown {
            start: prev.start,
            seconds,
            playlist: prev.key.playlist,
            slide: prev.key.slide,
            part: prev.key.part,
            kind: prev.kind.into(),
            generation: prev.generation,
        };
        write(&record.log, &entry);
    }
    if closed {
        return;
    }
    if let Some(page) = page {
        record.on_screen = Some(OnScreen {
            key: page.key.clone(),
            kind: super::sequence::page_kind(page),
            start: wall,
            generation: library.0.generation.id.clone(),
        });
    }
}

fn write(log: &PlayLog, entry: &Entry) {
    if let Err(e) = log.append(entry) {
        tracing::warn!("cannot write the play log {}: {e}", log.path().display());
    }
}
