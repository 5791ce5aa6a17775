//! `vitrin bench`: plays content for a fixed number of transitions and measures what a mini-PC
//! cares about: frame times (overall and during transitions), frames over 33 ms, CPU seconds per
//! minute of playback, peak memory, and the time from process start to the first slide.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use bevy::prelude::*;
use serde::Serialize;

use super::PlayerSystems;
use super::compositor::Compositor;
use super::sequence::Sequencer;

/// What to measure.
#[derive(Resource, Debug, Clone)]
pub struct BenchOptions {
    /// Stop after this many transitions.
    pub transitions: u64,
    /// When the process started, for the time to first slide.
    pub process_start: Instant,
    /// Where the report goes when done.
    pub report: Arc<Mutex<Option<BenchReport>>>,
}

/// Frame-time statistics in milliseconds.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FrameStats {
    pub frames: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub over_33ms: usize,
}

impl FrameStats {
    pub fn of(samples_ms: &[f64]) -> Self {
        if samples_ms.is_empty() {
            return Self::default();
        }
        let mut sorted = samples_ms.to_vec();
        sorted.sort_by(f64::total_cmp);
        let pick = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
        Self {
            frames: sorted.len(),
            p50_ms: pick(0.50),
            p99_ms: pick(0.99),
            max_ms: *sorted.last().expect("not empty"),
            over_33ms: sorted.iter().filter(|&&t| t > 33.0).count(),
        }
    }
}

/// The figures of one run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BenchReport {
    pub width: u32,
    pub height: u32,
    pub transitions: u64,
    pub seconds: f64,
    /// Frames that were rendered back to back (the screen was changing).
    pub busy: FrameStats,
    /// Frames during transitions.
    pub transition: FrameStats,
    /// Every update, idle wake-ups included.
    pub updates: usize,
    pub cpu_seconds_per_minute: f64,
    pub peak_rss_mib: f64,
    pub first_slide_ms: f64,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let row = |f: &mut std::fmt::Formatter<'_>, name: &str, s: &FrameStats| {
            writeln!(
                f,
                "{name:<22} {:>7} {:>9.1} {:>9.1} {:>9.1} {:>9}",
                s.frames, s.p50_ms, s.p99_ms, s.max_ms, s.over_33ms
            )
        };
        writeln!(
            f,
            "vitrin bench: {}x{}, {} transitions in {:.1} s ({} updates)",
            self.width, self.height, self.transitions, self.seconds, self.updates
        )?;
        writeln!(
            f,
            "{:<22} {:>7} {:>9} {:>9} {:>9} {:>9}",
            "frame times", "frames", "p50 ms", "p99 ms", "max ms", ">33 ms"
        )?;
        row(f, "  while changing", &self.busy)?;
        row(f, "  during transitions", &self.transition)?;
        writeln!(
            f,
            "CPU seconds per minute  {:.2}",
            self.cpu_seconds_per_minute
        )?;
        writeln!(f, "peak RSS                {:.0} MiB", self.peak_rss_mib)?;
        writeln!(f, "start to first slide    {:.0} ms", self.first_slide_ms)
    }
}

/// CPU time this process has used, in seconds (user + system), from `/proc/self/stat`.
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // Clock ticks are 100 a second on Linux.
    Some((utime + stime) / 100.0)
}

/// The most memory this process has held, in MiB, from `/proc/self/status`.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

#[derive(Resource, Debug, Default)]
struct Samples {
    started: Option<(Instant, f64)>,
    busy: Vec<f64>,
    transition: Vec<f64>,
    updates: usize,
    /// Whether the previous frame asked for the next one at once.
    was_busy: bool,
    /// Whether the previous frame was part of a transition.
    was_transition: bool,
    /// When the previous frame started.
    previous: f64,
    shown_at_start: u64,
    first_slide_ms: Option<f64>,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Samples>()
        .add_systems(Update, measure.in_set(PlayerSystems::Measure));
}

fn measure(
    mut samples: ResMut<Samples>,
    options: Res<BenchOptions>,
    seq: Res<Sequencer>,
    compositor: Res<Compositor>,
    now: Res<super::Now>,
    size: Res<super::FrameSize>,
    mut exit: MessageWriter<AppExit>,
) {
    if samples.first_slide_ms.is_none() && seq.first_shown_at.is_some() {
        samples.first_slide_ms = Some(options.process_start.elapsed().as_secs_f64() * 1000.0);
    }
    // Measure from the first slide on: start-up is its own figure.
    if samples.started.is_none() {
        if seq.shown == 0 || !compositor.is_idle() {
            return;
        }
        samples.started = Some((Instant::now(), cpu_seconds().unwrap_or(0.0)));
        samples.previous = now.0;
        samples.shown_at_start = seq.shown;
        return;
    }
    samples.updates += 1;
    // A frame's time runs from its start to the next frame's start; only frames the player
    // asked to follow at once count (the others end in a sleep).
    let ms = (now.0 - samples.previous) * 1000.0;
    samples.previous = now.0;
    if samples.was_busy {
        samples.busy.push(ms);
        if samples.was_transition {
            samples.transition.push(ms);
        }
    }
    samples.was_busy = compositor.animating() || seq.drawing();
    samples.was_transition = compositor.animating();
    let done = seq.shown - samples.shown_at_start >= options.transitions && compositor.is_idle();
    if !done {
        return;
    }
    let (t0, cpu0) = samples.started.expect("started");
    let seconds = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds().unwrap_or(cpu0) - cpu0;
    let report = BenchReport {
        width: size.width,
        height: size.height,
        transitions: seq.shown - samples.shown_at_start,
        seconds,
        busy: FrameStats::of(&samples.busy),
        transition: FrameStats::of(&samples.transition),
        updates: samples.updates,
        cpu_seconds_per_minute: cpu / seconds * 60.0,
        peak_rss_mib: peak_rss_mib().unwrap_or(0.0),
        first_slide_ms: samples.first_slide_ms.unwrap_or(0.0),
    };
    *options.report.lock().expect("not poisoned") = Some(report);
    exit.write(AppExit::Success);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let s: Vec<f64> = (1..=100).map(f64::from).collect();
        let stats = FrameStats::of(&s);
        assert_eq!(stats.frames, 100);
        assert_eq!(stats.p50_ms, 51.0);
        assert_eq!(stats.p99_ms, 99.0);
        assert_eq!(stats.max_ms, 100.0);
        assert_eq!(stats.over_33ms, 67);
        assert_eq!(FrameStats::of(&[]), FrameStats::default());
    }

    /// CPU time grows while this thread works, and the peak memory covers what it holds.
    #[test]
    fn reads_this_process() {
        use std::time::Duration;
        let before = cpu_seconds().expect("/proc/self/stat is readable");
        let started = Instant::now();
        let mut x = 1u64;
        // Ticks are a hundredth of a second; on a busy machine the thread may wait its turn.
        while cpu_seconds().unwrap() - before < 0.1 && started.elapsed() < Duration::from_secs(20) {
            for _ in 0..100_000 {
                x = std::hint::black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
            }
        }
        let used = cpu_seconds().unwrap() - before;
        // Tick counts are exact; their sum in seconds may be a hair under 0.1.
        assert!(used > 0.09, "{used} CPU seconds after a busy loop");
        let held = vec![1u8; 64 << 20];
        let peak = peak_rss_mib().expect("/proc/self/status is readable");
        assert!(peak >= 64.0, "peak {peak:.1} MiB while holding 64 MiB");
        assert_eq!(std::hint::black_box(&held)[held.len() - 1], 1);
    }
}
