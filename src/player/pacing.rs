//! Frames only when something moves. Between transitions the screen is still, so the player sleeps
//! until the current page ends or the schedule changes (or a worker or a touch wakes it), instead
//! of redrawing a still picture sixty times a second.
//!
//! Transitions are time-based: a frame shows where the transition is at that instant, however
//! many frames there are. On a GPU they run at the display's rate. In software rendering (no GPU:
//! Mesa's lavapipe draws every pixel on the CPU) a drawn frame costs tens of milliseconds of CPU
//! (a crossfade blended on the CPU, [`super::present`], under ten), so rendering as fast as
//! possible would take a whole core through every transition; there the frame rate adapts to what
//! frames cost, so that transitions take at most a quarter of one core, and at most 12 frames a
//! second: a software-rendered screen is a small fanless computer, and a crossfade of 1.2 s in 14
//! steps reads as a smooth fade.

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

/// In software rendering, the share of one core that transition frames may take.
pub const SOFTWARE_TRANSITION_SHARE: f64 = 0.25;
/// In software rendering, the time between transition frames: at least this (12 a second)…
pub const FASTEST_SOFTWARE_FRAMES: f64 = 1.0 / 12.0;
/// …and at most this, so that a crossfade still has seven steps or more.
pub const SLOWEST_SOFTWARE_FRAMES: f64 = 1.0 / 6.0;
/// Before any transition frame was measured: as slow as allowed, until frames prove cheap.
const FIRST_SOFTWARE_FRAMES: f64 = SLOWEST_SOFTWARE_FRAMES;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<FramePace>()
        .add_systems(Update, pace.in_set(PlayerSystems::Pace));
}

/// What transition frames cost, and the interval between them that follows from it.
#[derive(Resource, Debug, Default)]
pub struct FramePace {
    /// Whether frames are rendered on the CPU (known once the renderer has started).
    software: Option<bool>,
    /// CPU seconds of the process at the previous transition frame.
    previous_cpu: Option<f64>,
    /// The CPU seconds a transition frame costs (smoothed).
    pub frame_cpu: Option<f64>,
    /// The interval between frames of the transition running, set when it starts.
    interval: Option<f64>,
}

impl FramePace {
    /// The interval between software-rendered transition frames for frames that cost
    /// `frame_cpu` CPU seconds each.
    pub fn software_interval(frame_cpu: Option<f64>) -> f64 {
        frame_cpu.map_or(FIRST_SOFTWARE_FRAMES, |c| {
            (c / SOFTWARE_TRANSITION_SHARE).clamp(FASTEST_SOFTWARE_FRAMES, SLOWEST_SOFTWARE_FRAMES)
        })
    }

    /// A transition frame starts: measures the one before, and returns the interval to the
    /// next one (fixed for the whole transition, so the frames come at an even rate).
    fn transition_frame(&mut self) -> f64 {
        if let Some(cpu) = super::bench::cpu_seconds() {
            if let Some(previous) = self.previous_cpu {
                let cost = (cpu - previous).max(0.0);
                self.frame_cpu = Some(match self.frame_cpu {
                    Some(c) => 0.7 * c + 0.3 * cost,
                    None => cost,
                });
            }
            self.previous_cpu = Some(cpu);
        }
        let frame_cpu = self.frame_cpu;
        *self.interval.get_or_insert_with(|| {
            let interval = Self::software_interval(frame_cpu);
            tracing::debug!(?frame_cpu, interval, "transition frames");
            interval
        })
    }

    /// Between transitions.
    fn still(&mut self) {
        self.previous_cpu = None;
        self.interval = None;
    }
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
    mut frames: ResMut<FramePace>,
    adapter: Option<Res<bevy::render::renderer::RenderAdapterInfo>>,
) {
    let Some(mut settings) = settings else {
        return;
    };
    if frames.software.is_none()
        && let Some(adapter) = adapter
    {
        let software = format!("{:?}", adapter.device_type) == "Cpu";
        tracing::info!(adapter = %adapter.name, software, "renderer");
        frames.software = Some(software);
    }
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
    if !compositor.animating() {
        frames.still();
    }
    match wait {
        // In software, transition frames come at the rate their cost allows (in winit's reactive
        // mode, an update that starts at most `interval` after the one before).
        None if compositor.animating() && frames.software == Some(true) => {
            let interval = Duration::from_secs_f64(frames.transition_frame());
            let mode = UpdateMode::reactive_low_power(interval);
            if settings.focused_mode != mode {
                settings.focused_mode = mode;
                settings.unfocused_mode = mode;
            }
            *woken_for = None;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// In software, transition frames are spaced so that they take a quarter of a core, within
    /// 12 and 6 frames a second; before any is measured, as few as allowed.
    #[test]
    fn software_frames_are_spaced_by_what_they_cost() {
        assert_eq!(FramePace::software_interval(None), SLOWEST_SOFTWARE_FRAMES);
        let interval = FramePace::software_interval(Some(0.025));
        assert!((interval - 0.100).abs() < 1e-9, "{interval}");
        assert_eq!(
            FramePace::software_interval(Some(0.001)),
            FASTEST_SOFTWARE_FRAMES
        );
        assert_eq!(
            FramePace::software_interval(Some(0.2)),
            SLOWEST_SOFTWARE_FRAMES
        );
    }
}
