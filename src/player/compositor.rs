//! What is on screen: finished page textures, one above the other while a transition runs. A
//! crossfade is a real blend of both pages (the new one fading in over the old), a slide moves
//! both, a cut swaps at once. When the transition ends, the old page and its texture are freed,
//! so only the current and the next page are ever held.

use bevy::camera::RenderTarget;
use bevy::prelude::*;
use bevy::render::render_resource::TextureFormat;
use bevy::ui::Val2;

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

/// The full-screen UI node that holds the pages (and on a touch screen, the touch bar).
#[derive(Component, Debug)]
pub struct ScreenRoot;

/// Without a window, the screen is drawn into this image.
#[derive(Resource, Debug, Clone)]
pub struct OutputImage(pub Handle<Image>);

/// A page on screen: its page camera (owning the texture) and the node showing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layer {
    page: Entity,
    node: Entity,
}

/// A transition from one layer (or nothing) to another (or nothing: the screen goes black).
#[derive(Debug, Clone)]
struct Running {
    from: Option<Layer>,
    to: Option<Layer>,
    kind: Transition,
    started: f64,
    seconds: f64,
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

/// The page layers' image and placement, which transitions change.
type LayerNodes<'w, 's> = Query<'w, 's, (&'static mut ImageNode, &'static mut UiTransform)>;

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
            (Some(r), _) => r.to.map(|l| l.page),
            _ => self.current.map(|l| l.page),
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    let reduced_motion = app
        .world()
        .get_resource::<super::Screen>()
        .is_some_and(|s| s.0.reduced_motion);
    app.insert_resource(Compositor {
        reduced_motion,
        ..default()
    })
    .add_systems(Startup, spawn_screen)
    .add_systems(Update, composite.in_set(PlayerSystems::Composite));
}

/// The screen camera and the root node pages are shown in.
pub fn spawn_screen(
    mut commands: Commands,
    mut images: ResMut<Assets<Image>>,
    size: Res<FrameSize>,
    window: Query<(), With<Window>>,
) {
    let camera = commands
        .spawn((
            Camera2d,
            ScreenCamera,
            IsDefaultUiCamera,
            // Whole textures moved and blended: nothing to antialias.
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
    // No background of its own: what shows through is the camera's clear colour (the brand's
    // dark blue, or black when the library is closed), which costs nothing to draw.
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

/// A page's layer: across the screen, as high as pages are (above the touch bar on a touch
/// screen), pixel for pixel.
fn layer_node(texture: Handle<Image>, z: i32, size: &FrameSize) -> impl Bundle {
    (
        Node {
            position_type: PositionType::Absolute,
            left: px(0),
            top: px(0),
            width: percent(100),
            height: percent(100.0 * size.page_height() as f32 / size.height.max(1) as f32),
            ..default()
        },
        ImageNode::new(texture).with_mode(NodeImageMode::Stretch),
        UiTransform::IDENTITY,
        ZIndex(z),
        Pickable::IGNORE,
    )
}

/// Ease in and out: slow start, slow end.
fn ease(t: f64) -> f32 {
    let t = t.clamp(0.0, 1.0);
    (t * t * (3.0 - 2.0 * t)) as f32
}

/// A new request finishes what runs and starts its own transition; otherwise the running
/// transition moves on a frame, and ends when it is complete (unless held).
fn composite(
    mut compositor: ResMut<Compositor>,
    mut commands: Commands,
    root: Single<Entity, With<ScreenRoot>>,
    mut clear: ResMut<ClearColor>,
    mut nodes: LayerNodes,
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
        let from = compositor.current;
        compositor.running = Some(begin(
            request,
            from,
            *root,
            &mut commands,
            &mut clear,
            &size,
        ));
        return;
    }
    let Some(running) = &compositor.running else {
        return;
    };
    let t = running.progress(now.0, compositor.hold_progress);
    animate(running, ease(t), &mut nodes);
    if t >= 1.0 && compositor.hold_progress.is_none() {
        let r = compositor.running.take().expect("running");
        finish(&mut compositor, r, &mut commands, &mut views, &mut images);
    }
}

/// The transition that carries out `request`, from the layer on screen.
fn begin(
    request: Request,
    from: Option<Layer>,
    root: Entity,
    commands: &mut Commands,
    clear: &mut ClearColor,
    size: &FrameSize,
) -> Running {
    match request {
        Request::Show(show) => {
            clear.0 = BRAND_BACKGROUND;
            begin_show(show, from, root, commands, size)
        }
        Request::Blank { now } => {
            clear.0 = Color::BLACK;
            Running {
                from,
                to: None,
                kind: Transition::Fade,
                started: now,
                seconds: BLANK_SECONDS,
            }
        }
    }
}

/// Spawns the shown page's layer above the one on screen (which goes below it), as the
/// transition's first frame will show it.
fn begin_show(
    show: Show,
    from: Option<Layer>,
    root: Entity,
    commands: &mut Commands,
    size: &FrameSize,
) -> Running {
    let node = commands.spawn(layer_node(show.texture, 1, size)).id();
    commands.entity(root).add_child(node);
    // With nothing to slide away from, the first page fades in.
    let kind = if from.is_none() && show.kind == Transition::Slide {
        Transition::Fade
    } else {
        show.kind
    };
    if let Some(f) = from {
        commands.entity(f.node).insert(ZIndex(0));
    }
    // A layer fading in starts invisible; the first animation step sets it.
    let alpha = if kind == Transition::Fade { 0.0 } else { 1.0 };
    commands
        .entity(node)
        .entry::<ImageNode>()
        .and_modify(move |mut n| n.color = Color::WHITE.with_alpha(alpha));
    Running {
        from,
        to: Some(Layer {
            page: show.page,
            node,
        }),
        kind,
        started: show.now,
        seconds: transition_seconds(kind, show.quick),
    }
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

/// Blends or moves the layers to where the transition is at eased progress `e`: a fade blends the
/// new page in, a slide moves both pages left, blanking fades the old page out.
fn animate(running: &Running, e: f32, nodes: &mut LayerNodes) {
    match (running.kind, running.to) {
        (Transition::Fade, Some(to)) => set_alpha(nodes, to.node, e),
        (Transition::Slide, Some(to)) => {
            set_offset(nodes, to.node, 100.0 * (1.0 - e));
            if let Some(from) = running.from {
                set_offset(nodes, from.node, -100.0 * e);
            }
        }
        (_, None) => {
            if let Some(from) = running.from {
                set_alpha(nodes, from.node, 1.0 - e);
            }
        }
        (Transition::Cut, Some(_)) => {}
    }
}

/// Makes a layer `alpha` opaque.
fn set_alpha(nodes: &mut LayerNodes, node: Entity, alpha: f32) {
    if let Ok((mut image, _)) = nodes.get_mut(node) {
        image.color = Color::WHITE.with_alpha(alpha);
    }
}

/// Moves a layer `percent` of the screen's width to the right.
fn set_offset(nodes: &mut LayerNodes, node: Entity, percent: f32) {
    if let Ok((_, mut transform)) = nodes.get_mut(node) {
        transform.translation = Val2::percent(percent, 0.0);
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
    if let Some(to) = running.to {
        commands
            .entity(to.node)
            .insert((ZIndex(1), UiTransform::IDENTITY))
            .entry::<ImageNode>()
            .and_modify(|mut n| n.color = Color::WHITE);
    }
    if let Some(from) = running.from {
        commands.entity(from.node).despawn();
        if let Ok(mut view) = views.get_mut(from.page) {
            despawn_page(commands, from.page, &mut view, images);
        }
    }
    compositor.current = running.to;
}
