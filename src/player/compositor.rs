//! What is on screen: finished page textures, shown by one full-screen pass that reads them pixel
//! for pixel ([`super::screen_pass`]). A crossfade is a real blend of both pages, a slide moves
//! both, a cut swaps at once. When the transition ends, the old page and its texture are freed,
//! so only the current and the next page are ever held.
//!
//! One pass: each pixel of a transition frame reads the two pages once and is written once,
//! straight into the window's picture (in software rendering every shaded pixel is CPU time).
//! The screen's own UI (the touch bar, the staff overlay) is drawn over it by a second camera,
//! in the frames the screen is drawn, and only when there is such UI.
//!
//! The screen is drawn only when it changes: the screen camera renders in frames that move a
//! transition, when something on the screen's own UI changes (the touch bar, the staff overlay),
//! for screenshots and when the window changes. Otherwise it is off, and the window keeps its
//! last picture: frames that only draw a coming page into its texture, or that wake up for
//! upkeep, cost nothing on screen.

use bevy::camera::{CameraOutputMode, RenderTarget};
use bevy::prelude::*;
use bevy::render::camera::CameraRenderGraph;
use bevy::render::render_resource::{BlendState, TextureFormat};
use bevy::ui::ComputedUiTargetCamera;

use super::page::{PageView, despawn_page};
use super::present::CpuFrame;
use super::screen_pass::{ScreenGraph, ScreenMix, ScreenMixParams};
use super::{FrameSize, PlayerSystems};
use crate::playlist::Transition;

/// How long transitions take, in seconds.
pub const FADE_SECONDS: f64 = 1.2;
pub const SLIDE_SECONDS: f64 = 0.9;
/// Pages a visitor asked for come quicker.
pub const QUICK_SECONDS: f64 = 0.45;
/// The screen fades to black over this long when the library closes.
pub const BLANK_SECONDS: f64 = 1.5;

/// Behind everything until the first page is drawn.
pub const BRAND_BACKGROUND: Color = Color::srgb(
    0x14 as f32 / 255.0,
    0x1c as f32 / 255.0,
    0x2e as f32 / 255.0,
);

/// The camera that draws the screen (the window, or the offscreen output): its pages.
#[derive(Component, Debug)]
pub struct ScreenCamera;

/// The camera that draws the screen's own UI over its pages, in the same frames.
#[derive(Component, Debug)]
pub struct ScreenUiCamera;

/// The full-screen UI node above the pages (on a touch screen, the touch bar is in it).
#[derive(Component, Debug)]
pub struct ScreenRoot;

/// Without a window, the screen is drawn into this image.
#[derive(Resource, Debug, Clone)]
pub struct OutputImage(pub Handle<Image>);

/// A page on screen: its page camera (owning the texture) and the texture.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Layer {
    page: Entity,
    texture: Handle<Image>,
}

/// A transition from one layer (or nothing) to another (or nothing: the screen goes black).
#[derive(Debug, Clone)]
struct Running {
    from: Option<Layer>,
    to: Option<Layer>,
    kind: Transition,
    started: f64,
    seconds: f64,
    /// What shows where there is no page before: the brand's colour, or black after blanking.
    before: Color,
}

impl Running {
    /// How far the transition has come: 0 at its start, 1 (or more) at its end. `hold` fixes it.
    fn progress(&self, now: f64, hold: Option<f32>) -> f64 {
        match hold {
            Some(p) => f64::from(p),
            None if self.seconds <= 0.0 => 1.0,
            None => (now - self.started) / self.seconds,
        }
    }
}

/// A page to put on screen.
#[derive(Debug, Clone)]
struct Show {
    page: Entity,
    texture: Handle<Image>,
    kind: Transition,
    now: f64,
    quick: bool,
}

#[derive(Debug, Clone)]
enum Request {
    Show(Show),
    Blank { now: f64 },
}

/// What is on screen and what is changing.
#[derive(Resource, Debug, Default)]
pub struct Compositor {
    current: Option<Layer>,
    running: Option<Running>,
    request: Option<Request>,
    /// Fixed progress for transitions (0 to 1), for rendering a frame mid-transition.
    pub hold_progress: Option<f32>,
    /// The screen asks for reduced motion: every transition is a fade.
    pub reduced_motion: bool,
    /// Whether this frame changed what the quad shows (set by `composite`, read and reset by
    /// `redraw_when_changed`).
    moved: bool,
    /// The screen has gone black (the library closed).
    blank: bool,
}

impl Compositor {
    /// Puts a drawn page on screen with a transition.
    pub fn start(
        &mut self,
        page: Entity,
        texture: Handle<Image>,
        kind: Transition,
        now: f64,
        quick: bool,
    ) {
        self.request = Some(Request::Show(Show {
            page,
            texture,
            kind: motion(kind, self.reduced_motion),
            now,
            quick,
        }));
    }

    /// Fades the screen to black (the library closed).
    pub fn blank(&mut self, now: f64) {
        self.request = Some(Request::Blank { now });
    }

    /// Whether nothing is changing on screen.
    pub fn is_idle(&self) -> bool {
        self.running.is_none() && self.request.is_none()
    }

    /// The kind of the transition running, if one is.
    pub fn running(&self) -> Option<Transition> {
        self.running.as_ref().map(|r| r.kind)
    }

    /// Whether a transition is running (frames are needed).
    pub fn animating(&self) -> bool {
        !self.is_idle()
    }

    /// The page camera whose texture is (or is becoming) the screen.
    pub fn on_screen(&self) -> Option<Entity> {
        match (&self.running, &self.request) {
            (_, Some(Request::Show(Show { page, .. }))) => Some(*page),
            (Some(r), _) => r.to.as_ref().map(|l| l.page),
            _ => self.current.as_ref().map(|l| l.page),
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    let reduced_motion = app
        .world()
        .get_resource::<super::Screen>()
        .is_some_and(|s| s.0.reduced_motion);
    app.add_plugins(super::screen_pass::plugin)
        .insert_resource(Compositor {
            reduced_motion,
            ..default()
        })
        .add_systems(Startup, spawn_screen)
        .add_systems(
            Update,
            (composite, place_pages)
                .chain()
                .in_set(PlayerSystems::Composite),
        );
}

/// The screen camera is on only in frames that change the screen (for `play`; `render` decides
/// for itself).
pub(super) fn redraw_plugin(app: &mut App) {
    app.init_resource::<ScreenRedraw>()
        // After layout and every change of the frame, before the frame is extracted for rendering.
        .add_systems(Last, redraw_when_changed);
}

/// Frames the screen is drawn for a change of its UI: the change's own, and one more for what
/// only shows a frame later (a picture uploaded, a text laid out). The screen pass needs no more
/// than the frame that moves it: a transition's last frame is its final picture.
const FRAMES_AFTER_A_CHANGE: u32 = 2;

/// For how many more frames the screen is drawn.
#[derive(Resource, Debug)]
pub struct ScreenRedraw {
    frames_left: u32,
    /// The screen's UI nodes in the frame before, to tell their removal from others'.
    screen_nodes: Vec<Entity>,
}

impl ScreenRedraw {
    /// Draws the whole screen again (its target changed).
    pub fn again(&mut self) {
        self.frames_left = FRAMES_AFTER_A_CHANGE;
    }
}

impl Default for ScreenRedraw {
    fn default() -> Self {
        // The first frames draw the brand background.
        Self {
            frames_left: FRAMES_AFTER_A_CHANGE,
            screen_nodes: Vec::new(),
        }
    }
}

/// Changes to what the screen camera's UI shows.
type ScreenUiChanged = Or<(
    Changed<ComputedNode>,
    Changed<ImageNode>,
    Changed<BackgroundColor>,
    Changed<BorderColor>,
    Changed<TextColor>,
    Changed<Text>,
    Changed<TextFont>,
    Changed<UiTransform>,
    Changed<InheritedVisibility>,
    Changed<ZIndex>,
)>;

/// Turns the screen camera on for frames in which the screen changes, and off otherwise.
#[allow(clippy::too_many_arguments)]
fn redraw_when_changed(
    mut redraw: ResMut<ScreenRedraw>,
    mut compositor: ResMut<Compositor>,
    mut camera: Single<&mut Camera, (With<ScreenCamera>, Without<ScreenUiCamera>)>,
    mut ui_camera: Single<(Entity, &mut Camera), With<ScreenUiCamera>>,
    changed: Query<&ComputedUiTargetCamera, ScreenUiChanged>,
    nodes: Query<(Entity, &ComputedUiTargetCamera)>,
    mut removed: RemovedComponents<ComputedNode>,
    screenshots: Query<(), With<bevy::render::view::screenshot::Screenshot>>,
    windows: Query<(), Changed<Window>>,
    mut cpu: ResMut<CpuFrame>,
    mix: Res<ScreenMix>,
    images: Res<Assets<Image>>,
    window: Option<Single<&Window, With<bevy::window::PrimaryWindow>>>,
) {
    let (screen, ref mut ui_camera) = *ui_camera;
    let on_screen = |t: &ComputedUiTargetCamera| t.get() == Some(screen);
    let gone = removed.read().any(|e| redraw.screen_nodes.contains(&e));
    let ui = changed.iter().any(on_screen);
    let changed = gone || ui || !screenshots.is_empty() || !windows.is_empty();
    redraw.screen_nodes = nodes
        .iter()
        .filter(|(_, t)| on_screen(t))
        .map(|(e, _)| e)
        .collect();
    if changed {
        tracing::trace!(
            gone,
            ui,
            screenshots = !screenshots.is_empty(),
            windows = !windows.is_empty(),
            "screen changed"
        );
        redraw.frames_left = FRAMES_AFTER_A_CHANGE;
    }
    // Taken every frame, so that a move in a frame drawn anyway does not draw the next one too.
    let moved = std::mem::take(&mut compositor.moved);
    let only_moved = moved && redraw.frames_left == 0;
    let draw = redraw.frames_left > 0 || moved;
    redraw.frames_left = redraw.frames_left.saturating_sub(1);
    // The root alone draws nothing: without a touch bar or an overlay, the UI camera rests.
    let ui = draw && redraw.screen_nodes.len() > 1;
    // A frame that only moves a crossfade, where the window's picture can be copied into, is
    // blended on the CPU and the cameras rest (software rendering: see `super::present`).
    let on_cpu = only_moved
        && !ui
        && cpu.available
        && window.is_some_and(|w| {
            blendable(
                &mix,
                &images,
                UVec2::new(w.physical_width(), w.physical_height()),
            )
        });
    let draw = draw && !on_cpu;
    if camera.is_active != draw {
        camera.is_active = draw;
    }
    if ui_camera.is_active != ui {
        ui_camera.is_active = ui;
    }
    if cpu.now != on_cpu {
        cpu.now = on_cpu;
    }
    // After the last frame of a change the window's pictures may go (`super::present`).
    let settled = cpu.available && !compositor.animating() && redraw.frames_left == 0;
    if cpu.settled != settled {
        cpu.settled = settled;
    }
}

/// Whether the CPU can blend the frame `mix` describes: a crossfade or a cut (no slide), of pages
/// (or plain colours) the size of the output, with no touch bar below them.
fn blendable(mix: &ScreenMix, images: &Assets<Image>, out: UVec2) -> bool {
    let p = &mix.params;
    let slide = p.state.y > 0.5;
    let bar = p.size.z < p.size.w;
    let fits = |id: Option<AssetId<Image>>| {
        id.is_none_or(|id| images.get(id).is_some_and(|i| i.size() == out))
    };
    !slide && !bar && fits(mix.from) && fits(mix.to)
}

/// The screen camera, the camera of the screen's UI, and the root node of that UI.
pub fn spawn_screen(
    mut commands: Commands,
    mut images: ResMut<Assets<Image>>,
    mut mix: ResMut<ScreenMix>,
    size: Res<FrameSize>,
    window: Query<(), With<Window>>,
) {
    // Before the first page: the brand's colour.
    let background = linear(BRAND_BACKGROUND);
    mix.params = ScreenMixParams {
        from_color: background,
        to_color: background,
        state: Vec4::new(1.0, 0.0, 0.0, 0.0),
        ..mix.params
    };
    let target = if window.is_empty() {
        let mut image =
            Image::new_target_texture(size.width, size.height, TextureFormat::Rgba8UnormSrgb, None);
        // Only on the GPU: the screen is read back from there.
        image.data = None;
        image.copy_on_resize = false;
        image.asset_usage = bevy::asset::RenderAssetUsages::RENDER_WORLD;
        let output = images.add(image);
        commands.insert_resource(OutputImage(output.clone()));
        RenderTarget::Image(output.into())
    } else {
        RenderTarget::default()
    };
    commands.spawn((
        Camera::default(),
        // Unused by the pass, but bevy sizes a camera's target only through its projection.
        Projection::Orthographic(OrthographicProjection::default_2d()),
        CameraRenderGraph::new(ScreenGraph),
        ScreenCamera,
        // Whole pages shown pixel for pixel: nothing to antialias.
        bevy::render::view::Msaa::Off,
        target.clone(),
    ));
    let ui_camera = commands
        .spawn((
            Camera2d,
            Camera {
                order: 1,
                is_active: false,
                clear_color: ClearColorConfig::Custom(Color::NONE),
                // Over the pages: the UI's texture holds colours already multiplied by their
                // coverage (drawn over transparent), so it is laid on premultiplied.
                output_mode: CameraOutputMode::Write {
                    blend_state: Some(BlendState::PREMULTIPLIED_ALPHA_BLENDING),
                    clear_color: ClearColorConfig::None,
                },
                ..default()
            },
            ScreenUiCamera,
            IsDefaultUiCamera,
            bevy::render::view::Msaa::Off,
            target,
        ))
        .id();
    // No background of its own: below the touch bar, the screen pass draws the clear colour.
    commands.spawn((
        Node {
            width: percent(100),
            height: percent(100),
            ..default()
        },
        UiTargetCamera(ui_camera),
        ScreenRoot,
    ));
}

fn linear(c: Color) -> Vec4 {
    Vec4::from_array(c.to_linear().to_f32_array())
}

/// The pages cover the top of the output (all of it, or what is above the touch bar), and the
/// touch bar's background below them is the clear colour.
fn place_pages(
    size: Res<FrameSize>,
    clear: Res<ClearColor>,
    window: Option<Single<&Window, With<bevy::window::PrimaryWindow>>>,
    mut mix: ResMut<ScreenMix>,
) {
    let out_h = window.map_or(size.height, |w| w.physical_height());
    let covered = out_h as f32 * size.page_height() as f32 / size.height as f32;
    let placed = Vec4::new(size.width as f32, 0.0, covered, out_h as f32);
    let bar = linear(clear.0);
    if mix.params.size != placed || mix.params.bar_color != bar {
        mix.params.size = placed;
        mix.params.bar_color = bar;
    }
}

/// Ease in and out: slow start, slow end.
fn ease(t: f64) -> f32 {
    let t = t.clamp(0.0, 1.0);
    (t * t * (3.0 - 2.0 * t)) as f32
}

/// A new request finishes what runs and starts its own transition; otherwise the running
/// transition moves on a frame, and ends when it is complete (unless held).
#[allow(clippy::too_many_arguments)]
fn composite(
    mut compositor: ResMut<Compositor>,
    mut commands: Commands,
    mut clear: ResMut<ClearColor>,
    mut mix: ResMut<ScreenMix>,
    mut views: Query<&mut PageView>,
    mut images: ResMut<Assets<Image>>,
    now: Res<super::Now>,
) {
    if let Some(request) = compositor.request.take() {
        // A new request finishes whatever ran before it.
        if let Some(r) = compositor.running.take() {
            finish(&mut compositor, r, &mut commands, &mut views, &mut images);
        }
        let from = compositor.current.clone();
        let running = begin(request, from, compositor.blank, &mut clear);
        // The first frame of a transition looks like the screen before it: nothing to draw yet.
        show(&mut mix, &running, 0.0);
        compositor.blank = running.to.is_none();
        compositor.running = Some(running);
        return;
    }
    let Some(running) = &compositor.running else {
        return;
    };
    let t = running.progress(now.0, compositor.hold_progress);
    let done = t >= 1.0 && compositor.hold_progress.is_none();
    if done {
        // The last frame shows only the new page: the old one's texture is freed now, and a
        // pass that still read it could not be drawn.
        let last = Running {
            from: None,
            kind: Transition::Cut,
            ..running.clone()
        };
        show(&mut mix, &last, 1.0);
    } else {
        show(&mut mix, running, ease(t));
    }
    compositor.moved = true;
    if done {
        let r = compositor.running.take().expect("running");
        finish(&mut compositor, r, &mut commands, &mut views, &mut images);
    }
}

/// The transition that carries out `request`, from the layer on screen.
fn begin(request: Request, from: Option<Layer>, blank: bool, clear: &mut ClearColor) -> Running {
    let before = if blank {
        Color::BLACK
    } else {
        BRAND_BACKGROUND
    };
    match request {
        Request::Show(show) => {
            clear.0 = BRAND_BACKGROUND;
            // With nothing to slide away from, the first page fades in.
            let kind = if from.is_none() && show.kind == Transition::Slide {
                Transition::Fade
            } else {
                show.kind
            };
            Running {
                from,
                to: Some(Layer {
                    page: show.page,
                    texture: show.texture,
                }),
                kind,
                started: show.now,
                seconds: transition_seconds(kind, show.quick),
                before,
            }
        }
        Request::Blank { now } => {
            clear.0 = Color::BLACK;
            Running {
                from,
                to: None,
                kind: Transition::Fade,
                started: now,
                seconds: BLANK_SECONDS,
                before,
            }
        }
    }
}

/// Sets the screen to show `running` at eased progress `e`: a fade blends the new page in (or,
/// blanking, the old one out), a slide moves both pages left, a cut shows the new page. Where
/// there is no page before, the brand's colour (or black, after blanking) shows.
fn show(mix: &mut ScreenMix, running: &Running, e: f32) {
    let e = if running.kind == Transition::Cut {
        1.0
    } else {
        e
    };
    mix.from = running.from.as_ref().map(|l| l.texture.id());
    mix.to = running.to.as_ref().map(|l| l.texture.id());
    mix.params = ScreenMixParams {
        from_color: linear(running.before),
        to_color: linear(Color::BLACK),
        state: Vec4::new(
            e,
            f32::from(u8::from(running.kind == Transition::Slide)),
            f32::from(u8::from(mix.from.is_some())),
            f32::from(u8::from(mix.to.is_some())),
        ),
        ..mix.params
    };
}

/// The transition shown for `kind`: with reduced motion, nothing slides and nothing changes at
/// once; every page fades in.
pub fn motion(kind: Transition, reduced: bool) -> Transition {
    if reduced { Transition::Fade } else { kind }
}

/// How long a transition of `kind` takes, quick for pages a visitor asked for.
fn transition_seconds(kind: Transition, quick: bool) -> f64 {
    match (kind, quick) {
        (Transition::Cut, _) => 0.0,
        (_, true) => QUICK_SECONDS,
        (Transition::Fade, false) => FADE_SECONDS,
        (Transition::Slide, false) => SLIDE_SECONDS,
    }
}

/// Ends a transition: the new page is the screen, the old one is freed.
fn finish(
    compositor: &mut Compositor,
    running: Running,
    commands: &mut Commands,
    views: &mut Query<&mut PageView>,
    images: &mut Assets<Image>,
) {
    if let Some(from) = &running.from
        && let Ok(mut view) = views.get_mut(from.page)
    {
        despawn_page(commands, from.page, &mut view, images);
    }
    compositor.current = running.to;
}
