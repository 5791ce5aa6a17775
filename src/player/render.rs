//! `vitrin render`: the pages of what plays (or of one playlist) written to PNG files, without a
//! window, through the same preparation and drawing code as `play`. With `transitions`, also the
//! frame halfway through each transition between consecutive pages, as the screen shows it.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};

use super::bridge::{ContentSource, CurrentLibrary, Preparer};
use super::compositor::{Compositor, OutputImage};
use super::fonts::Fonts;
use super::page::{PageView, despawn_page, free_page_ui, spawn_page};
use super::{FrameSize, Output, PlayerSystems, Screen, WallClock};
use crate::generation::Library;
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
            "{number:02}-{slug}-{}-{}.png",
            page.key.slide, page.key.part
        )
    } else {
        format!("{number:02}-{slug}-{}.png", page.key.slide)
    }
}

/// Why a render could not run.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot create {}", path.display())]
    CreateOut {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("rendering failed (exit code {code})")]
    Failed { code: std::num::NonZero<u8> },
}

#[derive(Debug)]
enum Step {
    Idle,
    Preparing {
        id: u64,
    },
    Drawing {
        camera: Entity,
    },
    Capturing {
        camera: Entity,
    },
    /// The page is captured; the transition into it is being set up.
    Transition {
        camera: Entity,
        frames: u32,
    },
    CapturingTransition {
        camera: Entity,
    },
}

#[derive(Resource)]
struct Job {
    queue: VecDeque<(usize, Page)>,
    current: Option<(usize, Page)>,
    previous: Option<(Entity, usize)>,
    step: Step,
    options: RenderOptions,
    report: Arc<Mutex<RenderReport>>,
    /// Set by the screenshot observer.
    captured: Arc<Mutex<bool>>,
}

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
    app.insert_resource(Screen(screen))
        .insert_resource(WallClock::Real)
        .insert_resource(ContentSource::Fixed(library))
        .add_plugins((super::bridge::plugin, super::compositor::plugin))
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

fn drive(
    mut job: ResMut<Job>,
    mut preparer: ResMut<Preparer>,
    library: Res<CurrentLibrary>,
    size: Res<FrameSize>,
    fonts: Res<Fonts>,
    mut commands: Commands,
    mut images: ResMut<Assets<Image>>,
    mut views: Query<(&mut PageView, &mut Camera)>,
    mut compositor: ResMut<Compositor>,
    output: Res<OutputImage>,
    now_clock: Res<super::Now>,
    mut exit: MessageWriter<AppExit>,
) {
    let job = &mut *job;
    let captured = *job.captured.lock().expect("not poisoned");
    match std::mem::replace(&mut job.step, Step::Idle) {
        Step::Idle => match job.queue.pop_front() {
            Some((n, page)) => {
                let id = preparer.request(page.clone(), size.width, size.height, &library.0);
                job.current = Some((n, page));
                job.step = Step::Preparing { id };
            }
            None => {
                exit.write(AppExit::Success);
            }
        },
        Step::Preparing { id } => match preparer.take(id) {
            None => job.step = Step::Preparing { id },
            Some(done) => {
                let (n, page) = job.current.clone().expect("a page is being rendered");
                match done.result {
                    Ok(prepared) => {
                        for w in &prepared.warnings {
                            tracing::warn!(page = %page.key, "{w}");
                        }
                        let camera = spawn_page(&mut commands, &mut images, &fonts, prepared);
                        commands
                            .entity(camera)
                            .entry::<PageView>()
                            .and_modify(|mut v| v.keep_rendering = true);
                        job.step = Step::Drawing { camera };
                    }
                    Err(e) => {
                        tracing::error!(page = %page.key, "skipping the page: {e}");
                        job.report
                            .lock()
                            .expect("not poisoned")
                            .skipped
                            .push((super::render::page_file_name(n, &page), e.to_string()));
                    }
                }
            }
        },
        Step::Drawing { camera } => {
            let Ok((view, _)) = views.get(camera) else {
                return;
            };
            if !view.is_drawn() {
                job.step = Step::Drawing { camera };
                return;
            }
            let (n, page) = job.current.clone().expect("a page is being rendered");
            let path = job.options.out.join(page_file_name(n, &page));
            screenshot_to(
                &mut commands,
                view.target.clone(),
                path,
                job.captured.clone(),
                job.report.clone(),
            );
            job.step = Step::Capturing { camera };
        }
        Step::Capturing { camera } => {
            if !captured {
                job.step = Step::Capturing { camera };
                return;
            }
            if let Ok((mut view, mut cam)) = views.get_mut(camera) {
                cam.is_active = false;
                free_page_ui(&mut commands, &mut view, &mut images);
            }
            let (n, _) = job.current.clone().expect("a page is being rendered");
            match (job.options.transitions, job.previous) {
                (true, Some((prev, _))) => {
                    let now = now_clock.0;
                    if compositor.on_screen() != Some(prev)
                        && let Ok((view, _)) = views.get(prev)
                    {
                        compositor.start(
                            prev,
                            view.target.clone(),
                            crate::playlist::Transition::Cut,
                            now,
                            false,
                        );
                    }
                    job.step = Step::Transition { camera, frames: 0 };
                }
                _ => {
                    retire_previous(job, &mut commands, &mut views, &mut images);
                    job.previous = Some((camera, n));
                }
            }
        }
        Step::Transition { camera, frames } => {
            let now = now_clock.0;
            match frames {
                // The previous page is on screen after the cut; now the transition into this one,
                // held at its middle.
                2 => {
                    if let Ok((view, _)) = views.get(camera) {
                        let kind = view.page.transition;
                        compositor.hold_progress = Some(0.5);
                        compositor.start(camera, view.target.clone(), kind, now, false);
                    }
                }
                6 => {
                    let (n, page) = job.current.clone().expect("a page is being rendered");
                    let (_, prev_n) = job.previous.expect("a previous page");
                    let kind = page.transition;
                    let path = job
                        .options
                        .out
                        .join(format!("{prev_n:02}-to-{n:02}-{kind}.png"));
                    screenshot_to(
                        &mut commands,
                        output.0.clone(),
                        path,
                        job.captured.clone(),
                        job.report.clone(),
                    );
                    job.step = Step::CapturingTransition { camera };
                    return;
                }
                _ => {}
            }
            job.step = Step::Transition {
                camera,
                frames: frames + 1,
            };
        }
        Step::CapturingTransition { camera } => {
            if !captured {
                job.step = Step::CapturingTransition { camera };
                return;
            }
            // Let the compositor finish: the old page is freed, the new one is the screen.
            compositor.hold_progress = None;
            let (n, _) = job.current.clone().expect("a page is being rendered");
            job.previous = Some((camera, n));
        }
    }
}

/// The screen is only drawn when a transition frame is captured: pages have cameras of their own.
fn screen_camera_only_for_transitions(
    job: Res<Job>,
    mut cameras: Query<&mut Camera, With<super::compositor::ScreenCamera>>,
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

fn retire_previous(
    job: &mut Job,
    commands: &mut Commands,
    views: &mut Query<(&mut PageView, &mut Camera)>,
    images: &mut Assets<Image>,
) {
    if let Some((prev, _)) = job.previous.take()
        && let Ok((mut view, _)) = views.get_mut(prev)
    {
        despawn_page(commands, prev, &mut view, images);
    }
}
