//! What is on screen: finished page textures, shown by one full-screen quad whose shader reads
//! them pixel for pixel. A crossfade is a real blend of both pages, a slide moves both, a cut
//! swaps at once. When the transition ends, the old page and its texture are freed, so only the
//! current and the next page are ever held.
//!
//! One quad, one pass: each pixel of a transition frame reads the two pages once and is written
//! once, with no blending against what lies below (in software rendering every shaded pixel is
//! CPU time, and bevy_ui's rounded-rectangle shader for two stacked layers cost twice as much).
//!
//! The screen is drawn only when it changes: the screen camera renders in frames that move a
//! transition, when something on the screen's own UI changes (the touch bar, the staff overlay),
//! for screenshots and when the window changes. Otherwise it is off, and the window keeps its
//! last picture: frames that only draw a coming page into its texture, or that wake up for
//! upkeep, cost nothing on screen.

use bevy::asset::uuid_handle;
use bevy::camera::RenderTarget;
use bevy::prelude::*;
use bevy::render::render_resource::{AsBindGroup, ShaderType, TextureFormat};
use bevy::shader::ShaderRef;
use bevy::sprite_render::{AlphaMode2d, Material2d, Material2dPlugin};
use bevy::ui::ComputedUiTargetCamera;

use super::page::{PageView, despawn_page};
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

/// The camera that draws the screen (the window, or the offscreen output).
#[derive(Component, Debug)]
pub struct ScreenCamera;

/// The full-screen UI node above the pages (on a touch screen, the touch bar is in it).
#[derive(Component, Debug)]
pub struct ScreenRoot;

/// The quad that shows the pages.
#[derive(Component, Debug)]
struct PageQuad;

/// Without a window, the screen is drawn into this image.
#[derive(Resource, Debug, Clone)]
pub struct OutputImage(pub Handle<Image>);

/// The shader that shows pages (`page_mix.wgsl`, built into the program).
const PAGE_MIX_SHADER: Handle<Shader> = uuid_handle!("4f1c8a57-6d0e-4d7b-9a0e-6c1f3b2a9e51");

/// What the page quad shows: one page, or two in a transition. A missing page is a colour (the
/// brand's before the first page, black when the screen blanks).
#[derive(Asset, TypePath, AsBindGroup, Debug, Clone)]
pub struct PageMix {
    #[uniform(0)]
    params: PageMixParams,
    #[texture(1)]
    #[sampler(2)]
    from: Option<Handle<Image>>,
    #[texture(3)]
    #[sampler(4)]
    to: Option<Handle<Image>>,
}

#[derive(ShaderType, Debug, Clone, Copy)]
struct PageMixParams {
    /// Shown where there is no `from` page, and where there is no `to` page (linear RGBA).
    from_color: Vec4,
    to_color: Vec4,
    /// x: the transition's eased progress, 0 to 1; y: 1 for a slide; z: 1 with a `from` page;
    /// w: 1 with a `to` page.
    state: Vec4,
    /// The page's width and height in pixels (x, y).
    size: Vec4,
}

impl Material2d for PageMix {
    fn fragment_shader() -> ShaderRef {
        ShaderRef::Handle(PAGE_MIX_SHADER)
    }

    fn alpha_mode(&self) -> AlphaMode2d {
        AlphaMode2d::Opaque
    }

    /// Nothing is behind the quad: no depth test, no depth written (in software rendering that
    /// is work per pixel).
    fn specialize(
        descriptor: &mut bevy::render::render_resource::RenderPipelineDescriptor,
        _layout: &bevy::mesh::MeshVertexBufferLayoutRef,
        _key: bevy::sprite_render::Material2dKey<Self>,
    ) -> Result<(), bevy::render::render_resource::SpecializedMeshPipelineError> {
        if let Some(depth) = &mut descriptor.depth_stencil {
            depth.depth_write_enabled = Some(false);
            depth.depth_compare = Some(bevy::render::render_resource::CompareFunction::Always);
        }
        Ok(())
    }
}

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
    app.world_mut()
        .resource_mut::<Assets<Shader>>()
        .insert(
            PAGE_MIX_SHADER.id(),
            Shader::from_wgsl(include_str!("page_mix.wgsl"), "vitrin/page_mix.wgsl"),
        )
        .expect("a fixed handle");
    app.add_plugins(Material2dPlugin::<PageMix>::default())
        .insert_resource(Compositor {
            reduced_motion,
            ..default()
        })
        .add_systems(Startup, spawn_screen)
        .add_systems(
            Update,
            (composite, place_quad)
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
/// only shows a frame later (a picture uploaded, a text laid out). The page quad needs no more
/// than the frame that moves it: a transition's last frame is its final picture.
const FRAMES_AFTER_A_CHANGE: u32 = 2;

/// For how many more frames the screen is drawn.
#[derive(Resource, Debug)]
pub struct ScreenRedraw {
    frames_left: u32,
    /// The screen's UI nodes in the frame before, to tell their removal from others'.
    screen_nodes: Vec<Entity>,
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
    mut camera: Single<(Entity, &mut Camera), With<ScreenCamera>>,
    changed: Query<&ComputedUiTargetCamera, ScreenUiChanged>,
    nodes: Query<(Entity, &ComputedUiTargetCamera)>,
    mut removed: RemovedComponents<ComputedNode>,
    screenshots: Query<(), With<bevy::render::view::screenshot::Screenshot>>,
    windows: Query<(), Changed<Window>>,
) {
    let (screen, ref mut camera) = *camera;
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
    let draw = redraw.frames_left > 0 || moved;
    redraw.frames_left = redraw.frames_left.saturating_sub(1);
    if camera.is_active != draw {
        camera.is_active = draw;
    }
}

/// The screen camera, the page quad, and the root node of the screen's own UI.
pub fn spawn_screen(
    mut commands: Commands,
    mut images: ResMut<Assets<Image>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<PageMix>>,
    size: Res<FrameSize>,
    window: Query<(), With<Window>>,
) {
    let camera = commands
        .spawn((
            Camera2d,
            ScreenCamera,
            IsDefaultUiCamera,
            // Whole pages shown pixel for pixel: nothing to antialias.
            bevy::render::view::Msaa::Off,
        ))
        .id();
    if window.is_empty() {
        let output = images.add(Image::new_target_texture(
            size.width,
            size.height,
            TextureFormat::Rgba8UnormSrgb,
            None,
        ));
        commands
            .entity(camera)
            .insert(RenderTarget::Image(output.clone().into()));
        commands.insert_resource(OutputImage(output));
    }
    let background = linear(BRAND_BACKGROUND);
    commands.spawn((
        PageQuad,
        Mesh2d(meshes.add(Rectangle::new(1.0, 1.0))),
        MeshMaterial2d(materials.add(PageMix {
            params: PageMixParams {
                from_color: background,
                to_color: background,
                state: Vec4::new(1.0, 0.0, 0.0, 0.0),
                size: Vec4::ZERO,
            },
            from: None,
            to: None,
        })),
        Transform::IDENTITY,
    ));
    // No background of its own: below the touch bar, what shows is the camera's clear colour.
    commands.spawn((
        Node {
            width: percent(100),
            height: percent(100),
            ..default()
        },
        UiTargetCamera(camera),
        ScreenRoot,
    ));
}

fn linear(c: Color) -> Vec4 {
    Vec4::from_array(c.to_linear().to_f32_array())
}

/// The quad covers the pages' part of the screen (all of it, or what is above the touch bar),
/// in the camera's logical units.
fn place_quad(
    size: Res<FrameSize>,
    window: Option<Single<&Window, With<bevy::window::PrimaryWindow>>>,
    mut quad: Single<&mut Transform, With<PageQuad>>,
) {
    let scale = window.map_or(1.0, |w| w.scale_factor());
    let (w, h) = (size.width as f32 / scale, size.height as f32 / scale);
    let page_h = size.page_height() as f32 / scale;
    let placed =
        Transform::from_xyz(0.0, h / 2.0 - page_h / 2.0, 0.0).with_scale(Vec3::new(w, page_h, 1.0));
    if **quad != placed {
        **quad = placed;
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
    quad: Single<&MeshMaterial2d<PageMix>, With<PageQuad>>,
    mut materials: ResMut<Assets<PageMix>>,
    mut views: Query<&mut PageView>,
    mut images: ResMut<Assets<Image>>,
    now: Res<super::Now>,
    size: Res<FrameSize>,
) {
    if let Some(request) = compositor.request.take() {
        // A new request finishes whatever ran before it.
        if let Some(r) = compositor.running.take() {
            finish(&mut compositor, r, &mut commands, &mut views, &mut images);
        }
        let from = compositor.current.clone();
        let running = begin(request, from, compositor.blank, &mut clear);
        // The first frame of a transition looks like the screen before it: nothing to draw yet.
        if let Some(mut mix) = materials.get_mut(&quad.0) {
            show(&mut mix, &running, 0.0, size.width, size.page_height());
        }
        compositor.blank = running.to.is_none();
        compositor.running = Some(running);
        return;
    }
    let Some(running) = &compositor.running else {
        return;
    };
    let t = running.progress(now.0, compositor.hold_progress);
    let done = t >= 1.0 && compositor.hold_progress.is_none();
    if let Some(mut mix) = materials.get_mut(&quad.0) {
        if done {
            // The last frame shows only the new page: the old one's texture is freed now, and a
            // quad that still read it could not be drawn.
            let last = Running {
                from: None,
                kind: Transition::Cut,
                ..running.clone()
            };
            show(&mut mix, &last, 1.0, size.width, size.page_height());
        } else {
            show(&mut mix, running, ease(t), size.width, size.page_height());
        }
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

/// Sets the page quad to show `running` at eased progress `e`: a fade blends the new page in
/// (or, blanking, the old one out), a slide moves both pages left, a cut shows the new page.
/// Where there is no page before, the brand's colour (or black, after blanking) shows.
fn show(mix: &mut PageMix, running: &Running, e: f32, width: u32, height: u32) {
    let e = if running.kind == Transition::Cut {
        1.0
    } else {
        e
    };
    mix.from = running.from.as_ref().map(|l| l.texture.clone());
    mix.to = running.to.as_ref().map(|l| l.texture.clone());
    mix.params = PageMixParams {
        from_color: linear(running.before),
        to_color: linear(Color::BLACK),
        state: Vec4::new(
            e,
            f32::from(u8::from(running.kind == Transition::Slide)),
            f32::from(u8::from(mix.from.is_some())),
            f32::from(u8::from(mix.to.is_some())),
        ),
        size: Vec4::new(width as f32, height as f32, 0.0, 0.0),
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
