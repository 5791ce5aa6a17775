//! The bevy layer: turns the core's answers (what plays now, which page is next, the pixels of a
//! prepared page) into frames. One plugin per concern, run in the order of [`PlayerSystems`]:
//!
//! - [`workers`]: worker threads (page preparation, content updates) and the channels that bring
//!   their results into the frame;
//! - [`sequence`]: asks the schedule what plays, keeps the running order, and decides when the next
//!   page is prepared and when it goes on screen;
//! - [`page`]: draws a prepared page once into its own texture, the same code for `play`,
//!   `render` and tests;
//! - [`compositor`]: puts page textures on screen, with cut, crossfade and slide transitions
//!   ([`screen_pass`]: the one render pass that draws the screen);
//! - [`input`]: fingers, the mouse and keys, told apart into what a visitor meant
//!   ([`crate::touch`]);
//! - [`touchbar`]: the touch bar under the pages of a touch screen, and the staff overlay;
//! - [`audio`]: an optional click on touch, silent where there is no sound card;
//! - [`pacing`]: sleeps between transitions instead of redrawing a still screen;
//! - [`present`]: in software rendering, the window's picture is the player's own, and
//!   crossfades are blended on the CPU instead of drawn;
//! - [`render`]: `vitrin render`, the same pages written to PNG without a window;
//! - [`status`]: `status.json`, the heartbeat (every minute, optionally sent to a URL) and
//!   screenshots for the people who look after a screen;
//! - [`upkeep`]: the systemd watchdog, the display's power by opening hours, the play log;
//! - [`bench`]: frame times, CPU and memory figures.

pub mod audio;
pub mod bench;
pub mod compositor;
pub mod fonts;
pub mod input;
pub mod pacing;
pub mod page;
mod page_pass;
pub mod present;
pub mod render;
mod screen_pass;
pub mod sequence;
pub mod status;
pub mod touchbar;
pub mod upkeep;
pub mod workers;

use std::time::Duration;

use bevy::app::ScheduleRunnerPlugin;
use bevy::prelude::*;
use bevy::render::RenderPlugin;
use bevy::render::settings::{MemoryHints, RenderCreation, WgpuSettings};
use bevy::window::{CursorOptions, ExitCondition, PresentMode, WindowMode, WindowResolution};
use chrono::{DateTime, Utc};

use crate::layout::{Scale, Viewing};
use crate::screen::ScreenConfig;

/// Where frames go.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// A window: borderless fullscreen on the primary monitor (the kiosk), or a normal window of
    /// a given size for previews.
    Window { fullscreen: bool, size: (u32, u32) },
    /// An offscreen image of this size: for `render`, benchmarks and tests.
    Headless { width: u32, height: u32 },
}

impl Output {
    pub fn size(&self) -> (u32, u32) {
        match self {
            Output::Window { size, .. } => *size,
            Output::Headless { width, height } => (*width, *height),
        }
    }
}

/// Wall-clock time for the schedule: the real time; a fixed instant (benchmarks); or an instant
/// that then runs on with the player's clock ([`Now`]), so tests that step time by hand see the
/// schedule change too. The core never reads the clock; this is the one place the player does.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub enum WallClock {
    Real,
    Fixed(DateTime<Utc>),
    From(DateTime<Utc>),
}

impl WallClock {
    pub fn now(&self, now: &Now) -> DateTime<Utc> {
        match self {
            WallClock::Real => Utc::now(),
            WallClock::Fixed(t) => *t,
            WallClock::From(t) => *t + chrono::Duration::milliseconds((now.0 * 1000.0) as i64),
        }
    }
}

/// Seconds since the player started, read once at the start of each frame. Page deadlines and
/// transitions run on this clock. bevy's own `Time` is no good for it: virtual time is clamped
/// after a long sleep, and real time is the instant the renderer finished the previous frame
/// (bevy's renderer sends it), which in a player that sleeps between pages is seconds old. Tests
/// that step time by hand (`TimeUpdateStrategy::Manual…`) get bevy's real time, which then
/// follows their steps.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq)]
pub struct Now(pub f64);

#[derive(Resource, Debug)]
struct StartedAt(std::time::Instant);

fn tick_now(
    mut now: ResMut<Now>,
    started: Res<StartedAt>,
    strategy: Option<Res<bevy::time::TimeUpdateStrategy>>,
    time: Res<Time<Real>>,
) {
    use bevy::time::TimeUpdateStrategy;
    now.0 = match strategy.as_deref() {
        Some(TimeUpdateStrategy::ManualDuration(_) | TimeUpdateStrategy::ManualInstant(_)) => {
            time.elapsed_secs_f64()
        }
        _ => started.0.elapsed().as_secs_f64(),
    };
}

/// The screen config as the region describes it (from the content playing), as a resource.
#[derive(Resource, Debug, Clone)]
pub struct Screen(pub ScreenConfig);

/// The screen config as the screen itself has it, before the region's description.
#[derive(Resource, Debug, Clone)]
pub struct LocalScreen(pub ScreenConfig);

/// The order systems run in within a frame.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlayerSystems {
    /// Drain worker channels.
    Workers,
    /// Visitors' input.
    Input,
    /// The schedule and the running order.
    Sequence,
    /// Page textures being drawn.
    Pages,
    /// What is on screen, and transitions.
    Composite,
    /// Measurements.
    Measure,
    /// When to wake next.
    Pace,
}

/// The frame's size in physical pixels; how the screen is seen; and whether it is a touch screen,
/// whose pages stand above the touch bar ([`crate::touch::Bar`]).
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct FrameSize {
    pub width: u32,
    pub height: u32,
    pub viewing: Viewing,
    pub touch: bool,
}

impl FrameSize {
    /// How large a pixel is on the glass, in millimetres.
    pub fn mm_per_px(&self) -> f32 {
        Scale::viewed(self.width, self.height, self.viewing).mm_per_px
    }

    /// The touch bar, on a touch screen.
    pub fn bar(&self) -> Option<crate::touch::Bar> {
        self.touch
            .then(|| crate::touch::Bar::new(self.width, self.height, self.mm_per_px()))
    }

    /// How high pages are: the whole frame, less the touch bar.
    pub fn page_height(&self) -> u32 {
        match self.bar() {
            Some(bar) => self.height.saturating_sub(bar.rect.h as u32).max(1),
            None => self.height,
        }
    }

    /// Sizes and places for pages of this frame: pages are as wide as the frame and
    /// [`FrameSize::page_height`] high, and a pixel is as large as on the whole screen.
    pub fn scale(&self) -> Scale {
        let h = self.page_height();
        let diagonal_mm = self.mm_per_px() * (self.width as f32).hypot(h as f32);
        Scale::viewed(
            self.width,
            h,
            Viewing {
                diagonal_mm,
                ..self.viewing
            },
        )
    }
}

/// Wires the bevy plugins vitrin needs (and only those) for an output.
pub fn base_plugins(app: &mut App, output: &Output) {
    let (width, height) = output.size();
    let window = match output {
        Output::Window { fullscreen, .. } => Some(Window {
            title: "vitrin".into(),
            resolution: WindowResolution::new(width, height),
            mode: if *fullscreen {
                WindowMode::BorderlessFullscreen(MonitorSelection::Primary)
            } else {
                WindowMode::Windowed
            },
            present_mode: PresentMode::AutoVsync,
            // One frame in flight: a player that draws a few frames per page change needs no
            // queue of them, and each swap-chain image is a whole screen of memory.
            desired_maximum_frame_latency: std::num::NonZero::new(1),
            decorations: !*fullscreen,
            ..default()
        }),
        Output::Headless { .. } => None,
    };
    let cursor = match output {
        Output::Window { fullscreen, .. } => CursorOptions {
            visible: !*fullscreen,
            ..default()
        },
        Output::Headless { .. } => CursorOptions::default(),
    };
    let headless = matches!(output, Output::Headless { .. });
    let mut plugins = DefaultPlugins
        .set(WindowPlugin {
            primary_window: window,
            primary_cursor_options: Some(cursor),
            exit_condition: if headless {
                ExitCondition::DontExit
            } else {
                ExitCondition::OnPrimaryClosed
            },
            ..default()
        })
        .set(RenderPlugin {
            // The smallest device-memory blocks wgpu allows (4 MiB): a page-sized texture gets
            // memory of its own, which goes back to the system when the texture is dropped. In
            // software rendering (Mesa's lavapipe) device memory is main memory, and with larger
            // blocks (wgpu's `MemoryUsage` hint: 8 growing to 64 MiB) the pages of textures
            // dropped inside a block stayed resident: 40 MiB more at steady state.
            render_creation: RenderCreation::Automatic(Box::new(WgpuSettings {
                memory_hints: MemoryHints::Manual {
                    suballocated_device_memory_block_size: (4 << 20)..(4 << 20),
                },
                ..default()
            })),
            // Pages are drawn once each; waiting for pipelines keeps their first frame complete.
            synchronous_pipeline_compilation: true,
            ..default()
        })
        .set(ImagePlugin::default_linear())
        // Nothing is drawn as a sprite or a 2D mesh: pages are UI. bevy_ui_render needs only the
        // sprite plugin's record of changed images (`sprite_events`), and the full plugin makes a
        // mesh at start-up whose allocator reserves 8 MB of bookkeeping in main memory.
        .disable::<bevy::sprite_render::SpriteRenderPlugin>()
        // A player draws a few frames a page change and a few a second through a transition:
        // rendering one frame while the next is updated (bevy's pipelined rendering, a thread of
        // its own) gains it nothing and costs a hand-over between threads every frame.
        .disable::<bevy::render::pipelined_rendering::PipelinedRenderingPlugin>();
    if headless {
        plugins = plugins.disable::<bevy::winit::WinitPlugin>();
    }
    app.add_plugins((plugins, sprite_events, SingleThreadedSchedules));
    if std::env::var_os("VITRIN_RENDER_DIAGNOSTICS").is_some() {
        app.add_plugins((
            bevy::render::diagnostic::RenderDiagnosticsPlugin,
            bevy::diagnostic::LogDiagnosticsPlugin::default(),
        ));
    }
    if headless {
        app.add_plugins(ScheduleRunnerPlugin::run_loop(Duration::ZERO));
    }
    app.insert_resource(FrameSize {
        width,
        height,
        viewing: Viewing::default(),
        touch: false,
    })
    .insert_resource(StartedAt(std::time::Instant::now()))
    .init_resource::<Now>()
    .add_systems(First, tick_now.after(bevy::time::TimeSystems));
    app.insert_resource(ClearColor(compositor::BRAND_BACKGROUND));
    app.configure_sets(
        Update,
        (
            PlayerSystems::Workers,
            PlayerSystems::Input,
            PlayerSystems::Sequence,
            PlayerSystems::Pages,
            PlayerSystems::Composite,
            PlayerSystems::Measure,
            PlayerSystems::Pace,
        )
            .chain(),
    );
    app.add_plugins((fonts::plugin, page::plugin, page_pass::plugin));
}

/// Runs every schedule's systems one after the other on the thread that runs the schedule.
///
/// bevy's multi-threaded executor hands systems to a pool of threads, and a frame of the player
/// has few systems with work in them: in software rendering the frames are Mesa's rasterizer
/// threads' work, and pages are prepared on vitrin's own worker threads. The hand-overs cost more
/// than the parallelism gains (with pipelined rendering off as well, playback with cuts went
/// from 0.83 to 0.64 CPU seconds a minute on the benchmark's slideshow). Set when the app is
/// complete, so that schedules every plugin made are covered.
struct SingleThreadedSchedules;

impl Plugin for SingleThreadedSchedules {
    fn build(&self, _app: &mut App) {}

    fn cleanup(&self, app: &mut App) {
        use bevy::ecs::schedule::{Schedules, SingleThreadedExecutor};
        fn each(world: &mut World) {
            for (_, schedule) in world.resource_mut::<Schedules>().iter_mut() {
                schedule.set_executor(SingleThreadedExecutor::new());
            }
        }
        each(app.world_mut());
        if let Some(render) = app.get_sub_app_mut(bevy::render::RenderApp) {
            each(render.world_mut());
        }
    }
}

/// What bevy_ui_render takes from the sprite plugin left out in [`base_plugins`]: the images
/// created, changed and removed in each frame, so that it lets go of the old ones' bind groups.
fn sprite_events(app: &mut App) {
    use bevy::render::{ExtractSchedule, RenderApp};
    use bevy::sprite_render::{SpriteAssetEvents, extract_sprite_events};
    if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
        render_app
            .init_resource::<SpriteAssetEvents>()
            .add_systems(ExtractSchedule, extract_sprite_events);
    }
}

/// Everything `vitrin play` needs to know.
#[derive(Debug, Clone)]
pub struct PlayerOptions {
    pub output: Output,
    pub screen: ScreenConfig,
    pub clock: WallClock,
    /// Present in benchmarks: how many transitions to measure and how long each page stays.
    pub bench: Option<bench::BenchOptions>,
}

/// Builds the player app for a content source. `run()` it, or step it with `update()` in tests.
pub fn player_app(options: PlayerOptions, source: workers::ContentSource) -> App {
    let mut app = App::new();
    base_plugins(&mut app, &options.output);
    {
        let mut size = app.world_mut().resource_mut::<FrameSize>();
        size.viewing = options.screen.viewing;
        size.touch = options.screen.touch;
    }
    app.insert_resource(Screen(options.screen.clone()))
        .insert_resource(LocalScreen(options.screen.clone()))
        .insert_resource(options.clock);
    app.add_plugins((
        workers::plugin,
        sequence::plugin,
        compositor::plugin,
        compositor::redraw_plugin,
        input::plugin,
        touchbar::plugin,
        audio::plugin,
        pacing::plugin,
        present::plugin,
        upkeep::plugin,
        status::plugin,
    ));
    app.insert_resource(source);
    if let Some(b) = options.bench {
        app.insert_resource(b);
        app.add_plugins(bench::plugin);
    }
    app
}
