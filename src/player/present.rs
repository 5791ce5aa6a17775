//! The window's picture in software rendering. Without a GPU (Mesa's lavapipe) every pixel a frame
//! draws is CPU time: a crossfade drawn by the screen pass costs 26–29 ms of CPU a frame at 1080p,
//! and a frame copied into the window costs under one (`benches/lavapipe-frames`). bevy sets the
//! window's surface up for drawing only, so there the player sets it up itself, for drawing and
//! copying both:
//!
//! - The screen camera and the camera of the screen's UI draw into it as before, through a manual
//!   texture view ([`SCREEN_VIEW`]): pages at rest, slides, the touch bar, screenshots.
//! - A crossfade (and a cut) is blended on the CPU instead: strip by strip, the two pages' pixels
//!   are copied out of their textures, mixed, and written into the window's picture. No pixel is
//!   shaded. The mix is of the stored (sRGB) values, as a web browser crossfades; the first and
//!   last frames are the pages exactly.
//!
//! With a GPU, or where the surface cannot be copied into, bevy keeps the window and nothing here
//! runs. `VITRIN_PRESENT=draw` keeps bevy's way in software rendering too.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use bevy::camera::{ManualTextureViewHandle, NormalizedRenderTarget, RenderTarget};
use bevy::prelude::*;
use bevy::render::camera::ExtractedCamera;
use bevy::render::extract_resource::{ExtractResource, ExtractResourcePlugin};
use bevy::render::render_asset::RenderAssets;
use bevy::render::render_resource::{
    Buffer, BufferDescriptor, BufferUsages, CommandEncoderDescriptor, Extent3d, MapMode, Origin3d,
    PollType, TexelCopyBufferInfo, TexelCopyBufferLayout, TexelCopyTextureInfo, TextureAspect,
    TextureDescriptor, TextureDimension, TextureFormat, TextureUsages, TextureViewDescriptor,
};
use bevy::render::renderer::{
    RenderAdapter, RenderAdapterInfo, RenderDevice, RenderInstance, RenderQueue,
};
use bevy::render::texture::{GpuImage, ManualTextureView, ManualTextureViews};
use bevy::render::{Render, RenderApp, RenderSystems};
use bevy::window::{PrimaryWindow, RawHandleWrapper};

use super::compositor::{ScreenCamera, ScreenUiCamera};
use super::screen_pass::ScreenMix;

/// The window's picture, as the cameras' render target.
pub const SCREEN_VIEW: ManualTextureViewHandle = ManualTextureViewHandle(0x7669_7472);

/// Rows of a page copied out and blended at a time: a strip of a 1080p page is about 1 MB, so
/// the copies never hold a whole page.
const STRIP_BYTES: u32 = 1 << 20;

/// Where the player stands with the window's surface, shared by the main and the render world.
#[derive(Resource, Clone, Default)]
pub struct Presenter(Arc<Mutex<Shared>>);

#[derive(Default)]
struct Shared {
    state: State,
    /// The window's handles, taken from bevy for the render world to make the surface on. Holding
    /// them keeps the window alive.
    handle: Option<(Entity, RawHandleWrapper)>,
    /// The window's size in physical pixels (the main world keeps it current).
    size: UVec2,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
enum State {
    /// Not decided yet (the renderer or the window is not there yet).
    #[default]
    Undecided,
    /// bevy keeps the window (a GPU, no window, a surface that cannot be copied into, or
    /// `VITRIN_PRESENT=draw`).
    Bevy,
    /// The handles are taken: the render world makes the surface once bevy has let go of its own.
    Taking,
    /// The surface could not be set up: bevy gets the window back.
    Refused,
    /// The surface is there, drawn into in this format (through a view of `view_format`).
    Ready {
        format: TextureFormat,
        view_format: TextureFormat,
    },
    /// The cameras draw into it.
    InUse,
}

/// Whether this frame is a crossfade blended on the CPU (set by the compositor, which then turns
/// the screen's cameras off).
#[derive(Resource, ExtractResource, Clone, Debug, Default, PartialEq)]
pub struct CpuFrame {
    /// The surface is the player's own: frames can be blended on the CPU.
    pub available: bool,
    /// This frame is.
    pub now: bool,
    /// This frame is the last the screen shows until something changes: after it the window's
    /// pictures may go (X11 keeps the window's last picture itself).
    pub settled: bool,
}

pub(super) fn plugin(app: &mut App) {
    let presenter = Presenter::default();
    app.insert_resource(presenter.clone())
        .init_resource::<CpuFrame>()
        .add_plugins(ExtractResourcePlugin::<CpuFrame>::default())
        .add_systems(
            PostUpdate,
            adopt_window.before(bevy::camera::CameraUpdateSystems),
        );
    let Some(render_app) = app.get_sub_app_mut(RenderApp) else {
        return;
    };
    render_app.insert_resource(presenter).add_systems(
        Render,
        (
            make_surface.in_set(RenderSystems::CreateViews),
            acquire_for_cameras
                .in_set(RenderSystems::PrepareViews)
                .before(bevy::render::view::prepare_view_attachments),
            (blend_on_cpu, present_drawn, rest)
                .chain()
                .in_set(RenderSystems::Cleanup),
        ),
    );
}

/// Decides who owns the window's picture, takes it from bevy in software rendering, and points
/// the screen's cameras at it once the surface is there.
#[allow(clippy::too_many_arguments)]
fn adopt_window(
    mut commands: Commands,
    presenter: Res<Presenter>,
    adapter: Option<Res<RenderAdapterInfo>>,
    device: Option<Res<RenderDevice>>,
    window: Option<Single<(Entity, &Window, Option<&RawHandleWrapper>), With<PrimaryWindow>>>,
    mut views: ResMut<ManualTextureViews>,
    mut cameras: Query<&mut RenderTarget, Or<(With<ScreenCamera>, With<ScreenUiCamera>)>>,
    mut cpu: ResMut<CpuFrame>,
    mut redraw: Option<ResMut<super::compositor::ScreenRedraw>>,
) {
    let mut shared = presenter.0.lock().expect("presenter lock");
    let Some(window) = window else {
        if shared.state == State::Undecided {
            shared.state = State::Bevy;
        }
        return;
    };
    let (entity, window, handle) = *window;
    let size = UVec2::new(window.physical_width(), window.physical_height()).max(UVec2::ONE);
    shared.size = size;
    match shared.state {
        State::Undecided => {
            let (Some(adapter), Some(handle)) = (adapter, handle) else {
                return;
            };
            let software = format!("{:?}", adapter.device_type) == "Cpu";
            let draw = std::env::var("VITRIN_PRESENT").is_ok_and(|v| v == "draw");
            if !software || draw {
                shared.state = State::Bevy;
                return;
            }
            // bevy lets go of its surface when the handles go (in this frame's extraction).
            shared.handle = Some((entity, handle.clone()));
            commands.entity(entity).remove::<RawHandleWrapper>();
            shared.state = State::Taking;
        }
        State::Refused => {
            if let Some((entity, handle)) = shared.handle.take() {
                commands.entity(entity).insert(handle);
            }
            shared.state = State::Bevy;
        }
        State::Ready {
            format,
            view_format,
        } => {
            let Some(device) = device else { return };
            // Until the render world swaps in the picture of a frame, the view is a stand-in: the
            // cameras need the target's size and format in the main world.
            let stand_in = device.create_texture(&TextureDescriptor {
                label: Some("vitrin screen stand-in"),
                size: Extent3d {
                    width: 1,
                    height: 1,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: TextureDimension::D2,
                format,
                usage: TextureUsages::RENDER_ATTACHMENT,
                view_formats: &[view_format],
            });
            let view = stand_in.create_view(&TextureViewDescriptor {
                format: Some(view_format),
                ..default()
            });
            views.insert(
                SCREEN_VIEW,
                ManualTextureView {
                    texture_view: view,
                    size,
                    view_format,
                },
            );
            for mut target in &mut cameras {
                *target = RenderTarget::TextureView(SCREEN_VIEW);
            }
            cpu.available = true;
            if let Some(redraw) = redraw.as_mut() {
                redraw.again();
            }
            shared.state = State::InUse;
            tracing::info!(
                ?format,
                "software rendering: the window's picture is the player's own (crossfades blended on the CPU)"
            );
        }
        State::InUse => {
            if let Some(view) = views.get_mut(&SCREEN_VIEW)
                && view.size != size
            {
                view.size = size;
                if let Some(redraw) = redraw.as_mut() {
                    redraw.again();
                }
            }
        }
        State::Bevy | State::Taking => {}
    }
}

/// The surface in the render world, with the picture acquired for this frame.
#[derive(Resource)]
struct OwnSurface {
    /// None while the screen rests (on X11), made again for the next frame shown.
    surface: Option<wgpu::Surface<'static>>,
    handle: RawHandleWrapper,
    /// The window is an X11 window: the X server keeps its last picture, so the surface and its
    /// pictures (three of the window's size: 25 MB at 1080p) can go while the screen rests.
    rest: bool,
    config: wgpu::SurfaceConfiguration,
    view_format: TextureFormat,
    frame: Option<wgpu::SurfaceTexture>,
    /// Strips of the two pages in main memory, made for the first crossfade.
    strips: Option<Strips>,
    /// A failure already logged (so that a screen that cannot present logs it once).
    warned: bool,
}

/// Makes the surface, once bevy's own is gone.
fn make_surface(
    mut commands: Commands,
    presenter: Res<Presenter>,
    windows: Res<bevy::render::view::ExtractedWindows>,
    instance: Res<RenderInstance>,
    adapter: Res<RenderAdapter>,
    device: Res<RenderDevice>,
) {
    let mut shared = presenter.0.lock().expect("presenter lock");
    if shared.state != State::Taking {
        return;
    }
    let Some((entity, handle)) = shared.handle.clone() else {
        return;
    };
    if windows.contains_key(&entity) {
        return;
    }
    let size = shared.size;
    match own_surface(&instance, &adapter, &device, &handle, size) {
        Ok(own) => {
            shared.state = State::Ready {
                format: own.config.format,
                view_format: own.view_format,
            };
            commands.insert_resource(own);
        }
        Err(why) => {
            tracing::warn!(%why, "software rendering: the window stays bevy's (crossfades drawn)");
            shared.state = State::Refused;
        }
    }
}

fn own_surface(
    instance: &RenderInstance,
    adapter: &RenderAdapter,
    device: &RenderDevice,
    handle: &RawHandleWrapper,
    size: UVec2,
) -> Result<OwnSurface, String> {
    let surface = window_surface(instance, handle)?;
    let caps = surface.get_capabilities(adapter);
    let usage = TextureUsages::RENDER_ATTACHMENT | TextureUsages::COPY_DST;
    if !caps.usages.contains(usage) {
        return Err(format!("the surface allows {:?} only", caps.usages));
    }
    // As bevy chooses: an sRGB format where there is one.
    let format = caps
        .formats
        .iter()
        .copied()
        .find(|f| {
            matches!(
                f,
                TextureFormat::Bgra8UnormSrgb | TextureFormat::Rgba8UnormSrgb
            )
        })
        .or_else(|| {
            caps.formats
                .iter()
                .copied()
                .find(|f| matches!(f, TextureFormat::Bgra8Unorm | TextureFormat::Rgba8Unorm))
        })
        .ok_or_else(|| format!("no 8-bit RGBA format among {:?}", caps.formats))?;
    let view_format = format.add_srgb_suffix();
    use wgpu::rwh::RawWindowHandle;
    let rest = matches!(
        handle.get_window_handle(),
        RawWindowHandle::Xlib(_) | RawWindowHandle::Xcb(_)
    );
    let config = wgpu::SurfaceConfiguration {
        usage,
        format,
        width: size.x,
        height: size.y,
        // On X11 a software-rendered picture is copied into the window when it is presented, and
        // with no wait for the display there is nothing to wait for. Presented at once, it is in
        // the window before the surface may go (with a queue of presents, Mesa's thread for it
        // drops what it has not shown when the surface goes).
        present_mode: if rest && caps.present_modes.contains(&wgpu::PresentMode::Immediate) {
            wgpu::PresentMode::Immediate
        } else {
            wgpu::PresentMode::AutoVsync
        },
        // One frame in flight, as the window bevy made was set up.
        desired_maximum_frame_latency: 1,
        alpha_mode: caps
            .alpha_modes
            .first()
            .copied()
            .unwrap_or(wgpu::CompositeAlphaMode::Auto),
        view_formats: if view_format == format {
            vec![]
        } else {
            vec![view_format]
        },
    };
    device.configure_surface(&surface, &config);
    Ok(OwnSurface {
        surface: Some(surface),
        handle: handle.clone(),
        rest,
        config,
        view_format,
        frame: None,
        strips: None,
        warned: false,
    })
}

/// A surface on the window bevy made, through the handles bevy made its own surface with.
#[allow(unsafe_code)]
fn window_surface(
    instance: &RenderInstance,
    handle: &RawHandleWrapper,
) -> Result<wgpu::Surface<'static>, String> {
    let target = wgpu::SurfaceTargetUnsafe::RawHandle {
        raw_display_handle: Some(handle.get_display_handle()),
        raw_window_handle: handle.get_window_handle(),
    };
    // SAFETY: the same call as bevy's own `create_surfaces` makes, on the same handles. They stay
    // valid as long as the surface: `Shared::handle` holds the wrapper, whose reference keeps the
    // window alive, for as long as the app runs, and the surface lives in the render world of
    // that app. It is made on the thread that runs the app's schedules (no pipelined rendering),
    // the thread bevy made its own surface on.
    unsafe { instance.create_surface_unsafe(target) }.map_err(|e| e.to_string())
}

impl OwnSurface {
    /// The picture to draw this frame into (the surface set to the window's size first).
    fn acquire(
        &mut self,
        instance: &RenderInstance,
        device: &RenderDevice,
        size: UVec2,
    ) -> Option<wgpu::SurfaceTexture> {
        let resized = (self.config.width, self.config.height) != (size.x, size.y);
        self.config.width = size.x;
        self.config.height = size.y;
        let surface = match self.surface.take() {
            Some(surface) if !resized => surface,
            Some(surface) => {
                device.configure_surface(&surface, &self.config);
                surface
            }
            None => match window_surface(instance, &self.handle) {
                Ok(surface) => {
                    device.configure_surface(&surface, &self.config);
                    surface
                }
                Err(why) => {
                    if !std::mem::replace(&mut self.warned, true) {
                        tracing::warn!(%why, "the window's surface could not be made again");
                    }
                    return None;
                }
            },
        };
        let surface = self.surface.insert(surface);
        let mut outcome = surface.get_current_texture();
        // As bevy does: only an outdated surface is set up again. A suboptimal one still shows
        // its pictures (under X11 without a window manager a fullscreen window's surface is
        // suboptimal for good, and setting it up again every frame allocates its images anew).
        if matches!(outcome, wgpu::CurrentSurfaceTexture::Outdated) {
            device.configure_surface(surface, &self.config);
            outcome = surface.get_current_texture();
        }
        match outcome {
            wgpu::CurrentSurfaceTexture::Success(frame)
            | wgpu::CurrentSurfaceTexture::Suboptimal(frame) => Some(frame),
            other => {
                if !std::mem::replace(&mut self.warned, true) {
                    tracing::warn!(outcome = ?other, "no picture to present this frame");
                }
                None
            }
        }
    }
}

/// In frames the screen's cameras draw, the window's picture of this frame becomes their target.
fn acquire_for_cameras(
    presenter: Res<Presenter>,
    own: Option<ResMut<OwnSurface>>,
    instance: Res<RenderInstance>,
    device: Res<RenderDevice>,
    cameras: Query<&ExtractedCamera>,
    mut views: ResMut<ManualTextureViews>,
) {
    let Some(mut own) = own else { return };
    let drawn = cameras.iter().any(
        |c| matches!(&c.target, Some(NormalizedRenderTarget::TextureView(h)) if *h == SCREEN_VIEW),
    );
    if !drawn {
        return;
    }
    let size = presenter.0.lock().expect("presenter lock").size;
    let Some(frame) = own.acquire(&instance, &device, size) else {
        // Nothing to draw into: the cameras skip the frame (the window keeps its picture).
        views.remove(&SCREEN_VIEW);
        return;
    };
    let view = frame.texture.create_view(&TextureViewDescriptor {
        format: Some(own.view_format),
        ..default()
    });
    views.insert(
        SCREEN_VIEW,
        ManualTextureView {
            texture_view: view.into(),
            size,
            view_format: own.view_format,
        },
    );
    own.frame = Some(frame);
}

/// After the frame is rendered and submitted: the cameras' picture goes on screen.
fn present_drawn(own: Option<ResMut<OwnSurface>>) {
    if let Some(frame) = own.and_then(|mut own| own.frame.take()) {
        frame.present();
    }
}

/// While the screen rests, on X11, the surface and its pictures go (made again for the next
/// frame shown).
fn rest(cpu: Res<CpuFrame>, own: Option<ResMut<OwnSurface>>) {
    if let Some(mut own) = own
        && own.rest
        && cpu.settled
        && own.frame.is_none()
        && own.surface.is_some()
    {
        own.surface = None;
        tracing::debug!("the window's pictures let go of while the screen rests");
    }
}

/// A strip of each page copied into main memory, and the strip blended from them on its way
/// into the window's picture: three buffers of about [`STRIP_BYTES`], held through a transition.
struct Strips {
    from: Buffer,
    to: Buffer,
    up: Buffer,
    width: u32,
    rows: u32,
    /// Bytes a row takes in the buffers (a multiple of 256, as copies need).
    stride: u32,
    /// One blended row (written into `up` whole: mapped memory is written, never read).
    row: Vec<u8>,
}

impl Strips {
    fn new(device: &RenderDevice, width: u32) -> Self {
        let stride = (width * 4).div_ceil(256) * 256;
        let rows = (STRIP_BYTES / stride).max(1);
        let buffer = |label, usage| {
            device.create_buffer(&BufferDescriptor {
                label: Some(label),
                size: u64::from(stride * rows),
                usage,
                mapped_at_creation: false,
            })
        };
        let down = BufferUsages::COPY_DST | BufferUsages::MAP_READ;
        Strips {
            from: buffer("vitrin strip before", down),
            to: buffer("vitrin strip after", down),
            up: buffer(
                "vitrin strip blended",
                BufferUsages::MAP_WRITE | BufferUsages::COPY_SRC,
            ),
            width,
            rows,
            stride,
            row: vec![0; width as usize * 4],
        }
    }
}

/// One side of a crossfade: a page's texture, or a plain colour where there is no page.
enum Side<'a> {
    Page(&'a GpuImage),
    Colour([u8; 4]),
}

impl Side<'_> {
    fn page(&self) -> Option<&GpuImage> {
        match self {
            Side::Page(p) => Some(p),
            Side::Colour(_) => None,
        }
    }
}

/// A crossfade (or a cut) frame: the two pages blended strip by strip into the window's picture.
fn blend_on_cpu(
    cpu: Res<CpuFrame>,
    mix: Res<ScreenMix>,
    presenter: Res<Presenter>,
    own: Option<ResMut<OwnSurface>>,
    images: Res<RenderAssets<GpuImage>>,
    instance: Res<RenderInstance>,
    device: Res<RenderDevice>,
    queue: Res<RenderQueue>,
) {
    let Some(mut own) = own else { return };
    if !cpu.now {
        // Between transitions the strips' memory goes back.
        own.strips = None;
        return;
    }
    let p = &mix.params;
    let side = |id: Option<AssetId<Image>>, colour: Vec4| match id {
        Some(id) => images.get(id).map(Side::Page),
        None => Some(Side::Colour(srgb_bytes(colour))),
    };
    let (Some(from), Some(to)) = (
        side(mix.from.filter(|_| p.state.z > 0.5), p.from_color),
        side(mix.to.filter(|_| p.state.w > 0.5), p.to_color),
    ) else {
        return;
    };
    let size = presenter.0.lock().expect("presenter lock").size;
    let Some(frame) = own.acquire(&instance, &device, size) else {
        return;
    };
    // Both sides are red first (pages are Rgba8UnormSrgb, `super::page`; plain colours as
    // `srgb_bytes` gives them); the window's picture may be blue first (X11, Wayland).
    let swap = blue_first(own.config.format);
    let weight = (f32::clamp(p.state.x, 0.0, 1.0) * 256.0).round() as u16;
    if own.strips.as_ref().is_some_and(|s| s.width != size.x) {
        own.strips = None;
    }
    let strips = own
        .strips
        .get_or_insert_with(|| Strips::new(&device, size.x));
    let blend = Blend {
        from: &from,
        to: &to,
        weight,
        swap,
    };
    match blend.write_picture(strips, &frame.texture, size.y, &device, &queue) {
        Ok(()) => frame.present(),
        Err(why) => {
            if !std::mem::replace(&mut own.warned, true) {
                tracing::warn!(%why, "a crossfade frame could not be blended");
            }
        }
    }
}

/// What one frame mixes.
struct Blend<'a> {
    from: &'a Side<'a>,
    to: &'a Side<'a>,
    /// How much of `to`: 0 to 256.
    weight: u16,
    swap: bool,
}

impl Blend<'_> {
    /// Blends the frame into `target`, strip by strip: while one strip is blended, nothing else
    /// waits; then one submission writes it into the picture and copies out the next.
    fn write_picture(
        &self,
        strips: &mut Strips,
        target: &wgpu::Texture,
        height: u32,
        device: &RenderDevice,
        queue: &RenderQueue,
    ) -> Result<(), String> {
        let (width, rows, stride) = (strips.width, strips.rows, strips.stride);
        let extent = |n| Extent3d {
            width,
            height: n,
            depth_or_array_layers: 1,
        };
        let layout = |n| TexelCopyBufferLayout {
            offset: 0,
            bytes_per_row: Some(stride),
            rows_per_image: Some(n),
        };
        let starts: Vec<u32> = (0..height).step_by(rows as usize).collect();
        let count = |y: u32| rows.min(height - y);
        let mut encoder = device.create_command_encoder(&CommandEncoderDescriptor::default());
        forget_contents(&mut encoder, target);
        self.copy_out(&mut encoder, strips, 0, count(0), &layout, &extent);
        queue.submit([encoder.finish()]);
        for (i, &y) in starts.iter().enumerate() {
            let n = count(y);
            let len = u64::from(stride * n);
            self.map(strips, len, device)?;
            self.blend(strips, n, len);
            strips.from.unmap();
            strips.to.unmap();
            strips.up.unmap();
            let mut encoder = device.create_command_encoder(&CommandEncoderDescriptor::default());
            encoder.copy_buffer_to_texture(
                TexelCopyBufferInfo {
                    buffer: &strips.up,
                    layout: layout(n),
                },
                TexelCopyTextureInfo {
                    texture: target,
                    mip_level: 0,
                    origin: Origin3d { x: 0, y, z: 0 },
                    aspect: TextureAspect::All,
                },
                extent(n),
            );
            if let Some(&next) = starts.get(i + 1) {
                self.copy_out(&mut encoder, strips, next, count(next), &layout, &extent);
            }
            queue.submit([encoder.finish()]);
        }
        Ok(())
    }

    /// Copies rows `y..y + n` of each page into its strip buffer.
    fn copy_out(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        strips: &Strips,
        y: u32,
        n: u32,
        layout: &dyn Fn(u32) -> TexelCopyBufferLayout,
        extent: &dyn Fn(u32) -> Extent3d,
    ) {
        for (side, buffer) in [(self.from, &strips.from), (self.to, &strips.to)] {
            if let Some(page) = side.page() {
                encoder.copy_texture_to_buffer(
                    TexelCopyTextureInfo {
                        texture: &page.texture,
                        mip_level: 0,
                        origin: Origin3d { x: 0, y, z: 0 },
                        aspect: TextureAspect::All,
                    },
                    TexelCopyBufferInfo {
                        buffer,
                        layout: layout(n),
                    },
                    extent(n),
                );
            }
        }
    }

    /// Maps the strips (the copies out for reading, the blended one for writing) once the GPU is
    /// done with them. Buffers of a side without a page are mapped too, and not read.
    fn map(&self, strips: &Strips, len: u64, device: &RenderDevice) -> Result<(), String> {
        let flags: Vec<Arc<AtomicBool>> = [
            (&strips.from, MapMode::Read),
            (&strips.to, MapMode::Read),
            (&strips.up, MapMode::Write),
        ]
        .into_iter()
        .map(|(buffer, mode)| {
            let ok = Arc::new(AtomicBool::new(false));
            let done = ok.clone();
            buffer
                .slice(..len)
                .map_async(mode, move |r| done.store(r.is_ok(), Ordering::Release));
            ok
        })
        .collect();
        device
            .poll(PollType::wait_indefinitely())
            .map_err(|e| e.to_string())?;
        if flags.iter().all(|ok| ok.load(Ordering::Acquire)) {
            return Ok(());
        }
        for (buffer, ok) in [&strips.from, &strips.to, &strips.up]
            .into_iter()
            .zip(&flags)
        {
            if ok.load(Ordering::Acquire) {
                buffer.unmap();
            }
        }
        Err("a strip buffer could not be mapped".into())
    }

    /// Blends the mapped strips, `n` rows, into the blended strip.
    fn blend(&self, strips: &mut Strips, n: u32, len: u64) {
        let row = strips.row.len();
        let stride = strips.stride as usize;
        let colour = |side: &Side| match side {
            Side::Colour(c) => c.repeat(row / 4),
            Side::Page(_) => Vec::new(),
        };
        let (ca, cb) = (colour(self.from), colour(self.to));
        let view = |side: &Side, buffer: &Buffer| {
            side.page().map(|_| buffer.slice(..len).get_mapped_range())
        };
        let (a, b) = (view(self.from, &strips.from), view(self.to, &strips.to));
        let mut up = strips.up.slice(..len).get_mapped_range_mut();
        for r in 0..n as usize {
            let at = r * stride;
            let xa = a.as_deref().map_or(&ca[..], |a| &a[at..at + row]);
            let xb = b.as_deref().map_or(&cb[..], |b| &b[at..at + row]);
            blend_row(xa, xb, self.weight, &mut strips.row);
            if self.swap {
                swap_red_blue(&mut strips.row);
            }
            up.slice(at..at + row).copy_from_slice(&strips.row);
        }
    }
}

/// Tells wgpu that the window's picture is about to be written whole, so that its old contents
/// need not be cleared first. A picture from the surface is new to wgpu, and wgpu clears a
/// picture before a copy writes only part of it, as each strip does (it does not track which rows
/// are written): in software rendering that is 8 MB set to zero at 1080p, about a millisecond of
/// CPU a frame, only to be overwritten. An empty render pass that does not care what the picture
/// held (and keeps what it leaves, which is nothing) counts as writing it.
fn forget_contents(encoder: &mut wgpu::CommandEncoder, target: &wgpu::Texture) {
    let view = target.create_view(&TextureViewDescriptor::default());
    // SAFETY: the pass draws nothing and nothing reads the picture before the strips, which cover
    // every row of it (`Blend::write_picture`), have written each of its pixels; it is presented
    // only after that.
    #[allow(unsafe_code)]
    let dont_care = unsafe { wgpu::LoadOpDontCare::enabled() };
    encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
        label: Some("vitrin picture written whole"),
        color_attachments: &[Some(wgpu::RenderPassColorAttachment {
            view: &view,
            depth_slice: None,
            resolve_target: None,
            ops: wgpu::Operations {
                load: wgpu::LoadOp::DontCare(dont_care),
                store: wgpu::StoreOp::Store,
            },
        })],
        ..default()
    });
}

/// Whether pictures of `format` store blue before red.
fn blue_first(format: TextureFormat) -> bool {
    matches!(
        format,
        TextureFormat::Bgra8Unorm | TextureFormat::Bgra8UnormSrgb
    )
}

/// A linear RGBA colour as the bytes a page stores (sRGB, RGBA order).
fn srgb_bytes(c: Vec4) -> [u8; 4] {
    let s = Color::LinearRgba(LinearRgba::new(c.x, c.y, c.z, c.w)).to_srgba();
    [s.red, s.green, s.blue, s.alpha].map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
}

/// `out = a + (b - a) * weight / 256`, byte by byte: `weight` 0 is `a` exactly, 256 is `b`.
pub fn blend_row(a: &[u8], b: &[u8], weight: u16, out: &mut [u8]) {
    let keep = 256 - weight.min(256);
    let take = 256 - keep;
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = ((u16::from(x) * keep + u16::from(y) * take) >> 8) as u8;
    }
}

/// RGBA to BGRA (and back), in place: the blue and red bytes of each pixel change places.
/// (Blending first and swapping after is 3 times as fast as swapping while blending: both loops
/// are vectorised.)
pub fn swap_red_blue(pixels: &mut [u8]) {
    for px in pixels.as_chunks_mut::<4>().0 {
        let p = u32::from_le_bytes(*px);
        *px = ((p & 0xff00_ff00) | ((p >> 16) & 0xff) | ((p & 0xff) << 16)).to_le_bytes();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ends_of_a_blend_are_the_pages_exactly() {
        let a: Vec<u8> = (0..=255).collect();
        let b: Vec<u8> = (0..=255).rev().collect();
        let mut out = vec![0; 256];
        blend_row(&a, &b, 0, &mut out);
        assert_eq!(out, a);
        blend_row(&a, &b, 256, &mut out);
        assert_eq!(out, b);
        blend_row(&a, &b, 128, &mut out);
        assert!(out.iter().all(|&v| v == 127), "{out:?}");
    }

    #[test]
    fn a_blend_moves_each_value_evenly_from_one_page_to_the_other() {
        let mut out = [0u8];
        let steps: Vec<u8> = (0..=256)
            .step_by(32)
            .map(|w| {
                blend_row(&[10], &[250], w, &mut out);
                out[0]
            })
            .collect();
        assert_eq!(steps, [10, 40, 70, 100, 130, 160, 190, 220, 250]);
    }

    #[test]
    fn only_blue_first_pictures_swap_red_and_blue() {
        assert!(blue_first(TextureFormat::Bgra8UnormSrgb));
        assert!(blue_first(TextureFormat::Bgra8Unorm));
        assert!(!blue_first(TextureFormat::Rgba8UnormSrgb));
    }

    #[test]
    fn red_and_blue_change_places() {
        let mut px = [1, 2, 3, 4, 5, 6, 7, 8];
        swap_red_blue(&mut px);
        assert_eq!(px, [3, 2, 1, 4, 7, 6, 5, 8]);
    }

    #[test]
    fn colours_are_stored_as_pages_store_them() {
        let brand = super::super::compositor::BRAND_BACKGROUND.to_linear();
        let c = Vec4::new(brand.red, brand.green, brand.blue, brand.alpha);
        assert_eq!(srgb_bytes(c), [0x14, 0x1c, 0x2e, 255]);
        assert_eq!(srgb_bytes(Vec4::new(0.0, 0.0, 0.0, 1.0)), [0, 0, 0, 255]);
    }
}
