//! `vitrin render`: the pages of what plays (or of one playlist) written to PNG files, without a
//! window, through the same preparation and drawing code as `play`. With `transitions`, also the
//! frame halfway through each transition between consecutive pages, as the screen shows it.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};

use super::compositor::{Compositor, OutputImage};
use super::fonts::Fonts;
use super::page::{PageView, SetLine, despawn_page, free_page_ui, spawn_page};
use super::workers::{ContentSource, CurrentLibrary, Preparer};
use super::{FrameSize, Output, PlayerSystems, Screen, WallClock};
use crate::generation::Library;
use crate::layout::Rect as LayoutRect;
use crate::playlist::Transition;
use crate::prepare::{PrepareError, PreparedPage};
use crate::screen::ScreenConfig;
use crate::show::Page;

/// What to render and where.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub width: u32,
    pub height: u32,
    pub out: PathBuf,
    /// Also write the frame halfway through each transition.
    pub transitions: bool,
    /// Also write each page's lines of text as laid out ([`LaidLine`]) beside its picture.
    pub text_report: bool,
}

/// One line of text on a rendered page: what the typesetter decided, and what bevy laid out.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LaidLine {
    pub text: String,
    /// The whole text it is part of, and the words of that text left out.
    pub source: String,
    pub lost: Vec<String>,
    /// The whole text's box, and the line's own box, in page pixels.
    pub bounds: LayoutRect,
    pub line: LayoutRect,
    /// Glyphs the typesetter shaped for the line, and glyphs bevy laid out.
    pub shaped: usize,
    pub glyphs: usize,
    /// How many lines bevy made of it (1 unless it broke the line again).
    pub lines: usize,
    /// Where the glyphs' ink landed, in page pixels.
    pub ink: Option<LayoutRect>,
}

/// The lines of text of the pages being drawn, as bevy laid them out.
type LaidOut<'w, 's> = Query<
    'w,
    's,
    (
        &'static SetLine,
        &'static bevy::text::TextLayoutInfo,
        &'static ComputedNode,
        &'static UiGlobalTransform,
    ),
>;

fn laid_lines(lines: &LaidOut) -> Vec<LaidLine> {
    let mut out: Vec<LaidLine> = lines
        .iter()
        .map(|(set, info, node, transform)| {
            let origin = node.content_box().min;
            let affine = bevy::math::Affine2::from(*transform);
            let mut ink: Option<bevy::math::Rect> = None;
            for g in &info.glyphs {
                let size = g.atlas_info.rect.size();
                if size.x <= 0.0 || size.y <= 0.0 {
                    continue;
                }
                let center = affine.transform_point2(origin + g.position);
                let r = bevy::math::Rect::from_center_size(center, size);
                ink = Some(ink.map_or(r, |i| i.union(r)));
            }
            let lines = info
                .glyphs
                .iter()
                .map(|g| g.line_index)
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            LaidLine {
                text: set.text.clone(),
                source: set.source.clone(),
                lost: set.lost.clone(),
                bounds: set.bounds,
                line: set.rect,
                shaped: set.face.glyph_count(&set.text),
                glyphs: info.glyphs.len(),
                lines,
                ink: ink.map(|r| LayoutRect::new(r.min.x, r.min.y, r.width(), r.height())),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (a.line.y, a.line.x)
            .partial_cmp(&(b.line.y, b.line.x))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    out
}

/// What a render wrote, and what it skipped.
#[derive(Debug, Clone, Default)]
pub struct RenderReport {
    pub written: Vec<PathBuf>,
    /// Pages that could not be shown, with why.
    pub skipped: Vec<(String, String)>,
}

/// A PNG file name for a page: `03-nyforvarv-2.png` (slide 2), `04-vinterlasning-2-3.png` (part 3).
pub fn page_file_name(number: usize, page: &Page) -> String {
    let slug: String = page
        .key
        .playlist
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'å' | 'ä' => 'a',
            'ö' => 'o',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let detail = match page.content {
        crate::show::PageContent::Book { .. } => "-bok",
        crate::show::PageContent::Code { .. } => "-kod",
        _ => "",
    };
    if page.key.part > 1
        || matches!(
            page.content,
            crate::show::PageContent::Picture {
                position: Some(_),
                ..
            } | crate::show::PageContent::Covers {
                position: Some(_),
                ..
            }
        )
    {
        format!(
            "{number:02}-{slug}-{}-{}{detail}.png",
            page.key.slide, page.key.part
        )
    } else {
        format!("{number:02}-{slug}-{}{detail}.png", page.key.slide)
    }
}

/// Why a render could not run.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot create the folder {}", path.display())]
    CreateOut {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("rendering failed (exit code {code})")]
    Failed { code: std::num::NonZero<u8> },
}

/// Where the render is with the current page.
#[derive(Debug)]
enum Step {
    /// Between pages: the next one is asked for.
    Idle,
    /// The page is being prepared (request `id`).
    Preparing { id: u64 },
    /// The page's camera draws it until it has settled.
    Drawing { camera: Entity },
    /// The page's screenshot is being written.
    Capturing { camera: Entity },
    /// The page is captured; the transition into it is being set up.
    Transition { camera: Entity, frames: u32 },
    /// The screenshot of the transition's middle is being written.
    CapturingTransition { camera: Entity },
}

#[derive(Resource)]
struct Job {
    queue: VecDeque<(usize, Page)>,
    current: Option<(usize, Page)>,
    /// The page rendered before the current one (its camera and number), kept for the
    /// transition into the current one.
    previous: Option<(Entity, usize)>,
    step: Step,
    options: RenderOptions,
    report: Arc<Mutex<RenderReport>>,
    /// Set by the screenshot observer.
    captured: Arc<Mutex<bool>>,
}

impl Job {
    /// The page being rendered, with its number.
    fn current(&self) -> (usize, &Page) {
        let (n, page) = self.current.as_ref().expect("a page is being rendered");
        (*n, page)
    }

    /// The number of the page being rendered.
    fn number(&self) -> usize {
        self.current().0
    }

    /// Whether the last screenshot asked for has been handled.
    fn captured(&self) -> bool {
        *self.captured.lock().expect("not poisoned")
    }

    /// Screenshots `target` to the file `name` in the output folder; [`Job::captured`] says when
    /// it is done.
    fn screenshot(&self, commands: &mut Commands, target: Handle<Image>, name: String) {
        screenshot_to(
            commands,
            target,
            self.options.out.join(name),
            self.captured.clone(),
            self.report.clone(),
        );
    }
}

/// The page cameras, with their views.
type PageViews<'w, 's> = Query<'w, 's, (&'static mut PageView, &'static mut Camera)>;

/// Renders `pages` of `library` to PNG files. Blocks until done.
pub fn render_pages(
    pages: Vec<Page>,
    library: Library,
    screen: ScreenConfig,
    options: RenderOptions,
) -> Result<RenderReport, RenderError> {
    std::fs::create_dir_all(&options.out).map_err(|source| RenderError::CreateOut {
        path: options.out.clone(),
        source,
    })?;
    let report = Arc::new(Mutex::new(RenderReport::default()));
    let mut app = App::new();
    let output = Output::Headless {
        width: options.width,
        height: options.height,
    };
    super::base_plugins(&mut app, &output);
    {
        // A touch screen's pages stand above its touch bar: they are drawn as high as they show.
        let mut size = app.world_mut().resource_mut::<FrameSize>();
        size.viewing = screen.viewing;
        size.touch = screen.touch;
    }
    app.insert_resource(Screen(screen))
        .insert_resource(WallClock::Real)
        .insert_resource(ContentSource::Fixed(library))
        .add_plugins((super::workers::plugin, super::compositor::plugin))
        .insert_resource(Job {
            queue: pages
                .into_iter()
                .enumerate()
                .map(|(i, p)| (i + 1, p))
                .collect(),
            current: None,
            previous: None,
            step: Step::Idle,
            options,
            report: report.clone(),
            captured: Arc::new(Mutex::new(false)),
        })
        .add_systems(Update, drive.in_set(PlayerSystems::Sequence))
        .add_systems(PostUpdate, screen_camera_only_for_transitions);
    let exit = app.run();
    if let AppExit::Error(code) = exit {
        return Err(RenderError::Failed { code });
    }
    let report = report.lock().expect("not poisoned").clone();
    Ok(report)
}

fn save(image: &Image, path: &Path) -> Result<(), String> {
    let rgba = image
        .clone()
        .try_into_dynamic()
        .map_err(|e| e.to_string())?
        .into_rgba8();
    // The screen is opaque: drop alpha so viewers show what a screen shows.
    image::DynamicImage::ImageRgba8(rgba)
        .into_rgb8()
        .save(path)
        .map_err(|e| e.to_string())
}

fn screenshot_to(
    commands: &mut Commands,
    target: Handle<Image>,
    path: PathBuf,
    flag: Arc<Mutex<bool>>,
    report: Arc<Mutex<RenderReport>>,
) {
    *flag.lock().expect("not poisoned") = false;
    commands
        .spawn(Screenshot::image(target))
        .observe(move |captured: On<ScreenshotCaptured>| {
            match save(&captured.image, &path) {
                Ok(()) => report
                    .lock()
                    .expect("not poisoned")
                    .written
                    .push(path.clone()),
                Err(e) => tracing::error!("cannot write {}: {e}", path.display()),
            }
            *flag.lock().expect("not poisoned") = true;
        });
}

/// Steps the render by one frame. A page goes from the queue to being prepared, drawn and
/// captured; with transitions, the frame halfway into it is captured next. Each step is a function
/// below that returns the step that follows.
fn drive(
    mut job: ResMut<Job>,
    mut preparer: ResMut<Preparer>,
    library: Res<CurrentLibrary>,
    size: Res<FrameSize>,
    fonts: Res<Fonts>,
    mut commands: Commands,
    mut images: ResMut<Assets<Image>>,
    mut views: PageViews,
    mut compositor: ResMut<Compositor>,
    output: Res<OutputImage>,
    now: Res<super::Now>,
    laid: LaidOut,
    mut exit: MessageWriter<AppExit>,
) {
    let job = &mut *job;
    let now = now.0;
    job.step = match std::mem::replace(&mut job.step, Step::Idle) {
        Step::Idle => prepare_next(job, &mut preparer, &library.0, &size, &mut exit),
        Step::Preparing { id } => match preparer.take(id) {
            None => Step::Preparing { id },
            Some(done) => spawn_prepared(job, done.result, &mut commands, &mut images, &fonts),
        },
        Step::Drawing { camera } => capture_when_drawn(job, camera, &views, &laid, &mut commands),
        Step::Capturing { camera } if !job.captured() => Step::Capturing { camera },
        Step::Capturing { camera } => {
            stop_drawing(camera, &mut views, &mut commands, &mut images);
            after_capture(
                job,
                camera,
                &mut views,
                &mut commands,
                &mut images,
                &mut compositor,
                now,
            )
        }
        Step::Transition { camera, frames } => transition_frame(
            job,
            camera,
            frames,
            &views,
            &mut compositor,
            &mut commands,
            &output,
            now,
        ),
        Step::CapturingTransition { camera } if !job.captured() => {
            Step::CapturingTransition { camera }
        }
        Step::CapturingTransition { camera } => end_transition(job, camera, &mut compositor),
    };
}

/// Asks for the next page to be prepared, or ends the render when none is left.
fn prepare_next(
    job: &mut Job,
    preparer: &mut Preparer,
    library: &Library,
    size: &FrameSize,
    exit: &mut MessageWriter<AppExit>,
) -> Step {
    let Some((n, page)) = job.queue.pop_front() else {
        exit.write(AppExit::Success);
        return Step::Idle;
    };
    let id = preparer.request(page.clone(), size.scale(), library);
    job.current = Some((n, page));
    Step::Preparing { id }
}

/// Spawns the prepared page to be drawn, and kept drawing until it is captured; a page that could
/// not be prepared is reported skipped.
fn spawn_prepared(
    job: &Job,
    result: Result<PreparedPage, PrepareError>,
    commands: &mut Commands,
    images: &mut Assets<Image>,
    fonts: &Fonts,
) -> Step {
    let (n, page) = job.current();
    match result {
        Ok(prepared) => {
            for w in &prepared.warnings {
                tracing::warn!(page = %page.key, "{w}");
            }
            let camera = spawn_page(commands, images, fonts, prepared);
            commands
                .entity(camera)
                .entry::<PageView>()
                .and_modify(|mut v| v.keep_rendering = true);
            Step::Drawing { camera }
        }
        Err(e) => {
            tracing::error!(page = %page.key, "skipping the page: {e}");
            job.report
                .lock()
                .expect("not poisoned")
                .skipped
                .push((page_file_name(n, page), e.to_string()));
            Step::Idle
        }
    }
}

/// Once the page is drawn, screenshots its texture to the page's file. A page whose camera is
/// gone is given up on.
fn capture_when_drawn(
    job: &Job,
    camera: Entity,
    views: &PageViews,
    laid: &LaidOut,
    commands: &mut Commands,
) -> Step {
    let Ok((view, _)) = views.get(camera) else {
        return Step::Idle;
    };
    if !view.is_drawn() {
        return Step::Drawing { camera };
    }
    let (n, page) = job.current();
    if job.options.text_report {
        let name = page_file_name(n, page).replace(".png", ".text.json");
        let path = job.options.out.join(name);
        let json = serde_json::to_vec_pretty(&laid_lines(laid)).unwrap_or_default();
        if let Err(e) = crate::fsutil::write_atomic(&path, &json) {
            tracing::error!("{e}");
        }
    }
    job.screenshot(commands, view.target.clone(), page_file_name(n, page));
    Step::Capturing { camera }
}

/// A captured page is not drawn again: its camera stops and its UI is freed, keeping the texture.
fn stop_drawing(
    camera: Entity,
    views: &mut PageViews,
    commands: &mut Commands,
    images: &mut Assets<Image>,
) {
    if let Ok((mut view, mut cam)) = views.get_mut(camera) {
        cam.is_active = false;
        free_page_ui(commands, &mut view, images);
    }
}

/// After a page is captured: with transitions (and a page before it), the transition into it
/// comes next, from the previous page on screen; otherwise the previous page is freed and this
/// one takes its place.
fn after_capture(
    job: &mut Job,
    camera: Entity,
    views: &mut PageViews,
    commands: &mut Commands,
    images: &mut Assets<Image>,
    compositor: &mut Compositor,
    now: f64,
) -> Step {
    match (job.options.transitions, job.previous) {
        (true, Some((previous, _))) => {
            cut_to(previous, views, compositor, now);
            Step::Transition { camera, frames: 0 }
        }
        _ => {
            retire_previous(job, commands, views, images);
            job.previous = Some((camera, job.number()));
            Step::Idle
        }
    }
}

/// Puts `page` on screen at once, unless it already is (or is becoming) the screen.
fn cut_to(page: Entity, views: &PageViews, compositor: &mut Compositor, now: f64) {
    if compositor.on_screen() != Some(page)
        && let Ok((view, _)) = views.get(page)
    {
        compositor.start(page, view.target.clone(), Transition::Cut, now, false);
    }
}

/// Frames into [`Step::Transition`] when the previous page is on screen after the cut, and the
/// transition into this page starts.
const TRANSITION_STARTS: u32 = 2;
/// Frames into [`Step::Transition`] when the screen, held halfway through it, is captured.
const TRANSITION_CAPTURED: u32 = 6;

/// One frame of the transition into the captured page: it starts, held at its middle, once the
/// previous page is on screen; a few frames later the screen is captured.
fn transition_frame(
    job: &Job,
    camera: Entity,
    frames: u32,
    views: &PageViews,
    compositor: &mut Compositor,
    commands: &mut Commands,
    output: &OutputImage,
    now: f64,
) -> Step {
    match frames {
        TRANSITION_STARTS => start_held_transition(camera, views, compositor, now),
        TRANSITION_CAPTURED => {
            capture_transition(job, commands, output);
            return Step::CapturingTransition { camera };
        }
        _ => {}
    }
    Step::Transition {
        camera,
        frames: frames + 1,
    }
}

/// Starts the page's own transition onto the screen, held halfway.
fn start_held_transition(camera: Entity, views: &PageViews, compositor: &mut Compositor, now: f64) {
    if let Ok((view, _)) = views.get(camera) {
        let kind = view.page.transition;
        compositor.hold_progress = Some(0.5);
        compositor.start(camera, view.target.clone(), kind, now, false);
    }
}

/// Screenshots the screen to `<previous>-to-<page>-<transition>.png`.
fn capture_transition(job: &Job, commands: &mut Commands, output: &OutputImage) {
    let (n, page) = job.current();
    let (_, previous) = job.previous.expect("a previous page");
    let kind = page.transition;
    let name = format!("{previous:02}-to-{n:02}-{kind}.png");
    job.screenshot(commands, output.0.clone(), name);
}

/// The transition frame is written: the compositor lets the transition finish (freeing the
/// previous page), and this page becomes the previous one.
fn end_transition(job: &mut Job, camera: Entity, compositor: &mut Compositor) -> Step {
    compositor.hold_progress = None;
    job.previous = Some((camera, job.number()));
    Step::Idle
}

/// The screen is only drawn when a transition frame is captured: pages have cameras of their own.
/// The screen's UI (a touch screen's bar) is drawn with it.
fn screen_camera_only_for_transitions(
    job: Res<Job>,
    mut cameras: Query<
        &mut Camera,
        Or<(
            With<super::compositor::ScreenCamera>,
            With<super::compositor::ScreenUiCamera>,
        )>,
    >,
) {
    let needed = matches!(
        job.step,
        Step::Transition { .. } | Step::CapturingTransition { .. }
    );
    for mut camera in &mut cameras {
        if camera.is_active != needed {
            camera.is_active = needed;
        }
    }
}

/// Frees the page rendered before this one.
fn retire_previous(
    job: &mut Job,
    commands: &mut Commands,
    views: &mut PageViews,
    images: &mut Assets<Image>,
) {
    if let Some((prev, _)) = job.previous.take()
        && let Ok((mut view, _)) = views.get_mut(prev)
    {
        despawn_page(commands, prev, &mut view, images);
    }
}
