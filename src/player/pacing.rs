//! Frames only when something moves. Between transitions the screen is still, so the player sleeps
//! until the current page ends or the schedule changes (or a worker or a touch wakes it), instead
//! of redrawing a still picture sixty times a second.

use std::time::Duration;

use bevy::prelude::*;
use bevy::window::RequestRedraw;
use bevy::winit::{UpdateMode, WinitSettings};

use super::compositor::Compositor;
use super::input::Hands;
use super::sequence::Sequencer;
use super::touchbar::TouchBar;
use super::{PlayerSystems, WallClock};

/// The longest the player sleeps without a reason, as a safety net.
pub const MAX_SLEEP: Duration = Duration::from_secs(60);

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, pace.in_set(PlayerSystems::Pace));
}

/// How long the player may sleep now: `None` means it needs the next frame at once.
///
/// `touch` is when the touch screen's own needs wake it (a long press coming due, the hint fading,
/// the staff overlay closing).
pub fn sleep_for(
    seq: &Sequencer,
    compositor: &Compositor,
    now: f64,
    wall: chrono::DateTime<chrono::Utc>,
    touch: Option<f64>,
) -> Option<Duration> {
    if compositor.animating() || seq.drawing() {
        return None;
    }
    let mut sleep = MAX_SLEEP;
    if let Some(t) = touch {
        sleep = sleep.min(Duration::from_secs_f64((t - now).max(0.0)));
    }
    if let Some(deadline) = seq.page_deadline() {
        sleep = sleep.min(Duration::from_secs_f64((deadline - now).max(0.0)));
    }
    if let Some(change) = seq.next_change {
        let until = (change - wall).to_std().unwrap_or(Duration::ZERO);
        sleep = sleep.min(until);
    }
    (!sleep.is_zero()).then_some(sleep)
}

/// What the screen's upkeep needs frames for: the watchdog's pings, the heartbeat, the display's
/// warm-up.
#[derive(bevy::ecs::system::SystemParam)]
struct Upkeep<'w> {
    watchdog: Option<Res<'w, super::upkeep::Watchdog>>,
    heartbeat: Res<'w, super::status::Heartbeat>,
    status: Option<Res<'w, super::status::StatusOutput>>,
    power: Res<'w, super::upkeep::Power>,
    seq: Res<'w, Sequencer>,
    screen: Res<'w, super::Screen>,
}

impl Upkeep<'_> {
    /// When, on the player's clock, the frame loop must run next for them.
    fn wake_at(&self, now: f64, wall: chrono::DateTime<chrono::Utc>) -> Option<f64> {
        let ping = self
            .watchdog
            .as_ref()
            .and_then(|w| w.0.next_ping())
            .map(|t| {
                now + t
                    .saturating_duration_since(std::time::Instant::now())
                    .as_secs_f64()
            });
        let beat = self.heartbeat.next(self.status.is_some());
        let warm = super::upkeep::power_wake(&self.power, &self.seq, &self.screen, wall)
            .map(|t| now + (t - wall).num_milliseconds().max(0) as f64 / 1000.0);
        [ping, beat, warm].into_iter().flatten().reduce(f64::min)
    }
}

fn pace(
    screenshots: Query<(), With<bevy::render::view::screenshot::Screenshot>>,
    seq: Res<Sequencer>,
    compositor: Res<Compositor>,
    clock: Res<WallClock>,
    now_clock: Res<super::Now>,
    settings: Option<ResMut<WinitSettings>>,
    bar: Res<TouchBar>,
    hands: Res<Hands>,
    upkeep: Upkeep,
    mut redraw: MessageWriter<RequestRedraw>,
    mut woken_for: Local<Option<f64>>,
) {
    let Some(mut settings) = settings else {
        return;
    };
    let now = now_clock.0;
    // A screenshot completes over a few frames.
    let wait = if screenshots.is_empty() {
        let touch = [
            bar.wake_at(now),
            hands.0.next_poll(),
            upkeep.wake_at(now, clock.now(&now_clock)),
        ]
        .into_iter()
        .flatten()
        .reduce(f64::min);
        sleep_for(&seq, &compositor, now, clock.now(&now_clock), touch)
    } else {
        None
    };
    match wait {
        None => {
            redraw.write(RequestRedraw);
            *woken_for = None;
        }
        Some(wait) => {
            // Changing the update mode makes winit run another frame at once, so it is changed
            // only when the moment to wake up for changes, not as it comes closer.
            let target = now + wait.as_secs_f64();
            if woken_for.is_some_and(|t| (t - target).abs() < 0.01) {
                return;
            }
            *woken_for = Some(target);
            // A few milliseconds late is better than waking twice.
            let mode = UpdateMode::reactive_low_power(wait + Duration::from_millis(5));
            settings.focused_mode = mode;
            settings.unfocused_mode = mode;
        }
    }
}
