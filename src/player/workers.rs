//! Worker threads and the channels that bring their results into the frame: page preparation
//! (reading and decoding pictures), and content updates (a watched playlist folder). Blocking work
//! never runs on the frame loop; a worker that finishes wakes the loop so it can sleep meanwhile.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bevy::prelude::*;

use super::{PlayerSystems, Screen};
use crate::generation::Library;
use crate::ingest::LocalIngest;
use crate::layout::Scale;
use crate::media::{MediaStore, Renditions, WithRenditions};
use crate::prepare::{PrepareError, PreparedPage, prepare};
use crate::show::Page;

/// Where the player's content comes from.
#[derive(Resource, Clone)]
pub enum ContentSource {
    /// A playlist folder, read at start and again after every edit.
    Folder { dir: PathBuf, watch: bool },
    /// Content given once: one playlist to preview, a cache's generation, a test's playlists.
    Fixed(Library),
    /// A central feed: play the cache's active generation at once (no network needed), and sync
    /// in the background, switching to each new generation at a page boundary.
    Feed {
        cache: crate::cache::Cache,
        options: crate::feed::sync::SyncOptions,
        interval: Duration,
    },
}

/// Wakes the frame loop from another thread (a no-op without a window, where the loop polls).
#[derive(Resource, Clone)]
pub struct Waker(Arc<dyn Fn() + Send + Sync>);

impl Waker {
    pub fn wake(&self) {
        (self.0)();
    }
}

/// The content now playing. Replaced whole when new content arrives.
#[derive(Resource, Debug, Clone)]
pub struct CurrentLibrary(pub Library);

/// When the last sync with the feed succeeded (feed screens), shared with the sync thread.
#[derive(Resource, Debug, Clone, Default)]
pub struct SyncHealth(pub Arc<Mutex<Option<chrono::DateTime<chrono::Utc>>>>);

impl SyncHealth {
    pub fn last(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// When the content now playing reached the player (for the staff overlay).
#[derive(Resource, Debug, Clone, Copy)]
pub struct ContentSince(pub chrono::DateTime<chrono::Utc>);

/// A page to prepare.
struct Job {
    id: u64,
    page: Page,
    scale: Scale,
    store: Arc<dyn MediaStore>,
    renditions: Option<Renditions>,
}

/// A prepared page (or why it could not be), and how long it took.
pub struct Done {
    pub id: u64,
    pub result: Result<PreparedPage, PrepareError>,
    pub took: Duration,
}

/// Hands pages to the preparation thread and collects what it finished.
#[derive(Resource)]
pub struct Preparer {
    jobs: Sender<Job>,
    done: Mutex<Receiver<Done>>,
    next_id: u64,
    /// Finished results, by id, until the sequencer takes them.
    finished: Vec<Done>,
    /// Where large pictures are kept at screen size (the screen's cache), once content is loaded.
    renditions: Option<Renditions>,
}

impl Preparer {
    /// Asks for a page; returns the id its result will carry.
    pub fn request(&mut self, page: Page, scale: Scale, library: &Library) -> u64 {
        self.next_id += 1;
        let id = self.next_id;
        let _ = self.jobs.send(Job {
            id,
            page,
            scale,
            store: library.store.clone(),
            renditions: self.renditions.clone(),
        });
        id
    }

    /// Takes the result for `id`, if it is finished. Results of earlier requests, which nobody
    /// waits for any more, are dropped with it.
    pub fn take(&mut self, id: u64) -> Option<Done> {
        let i = self.finished.iter().position(|d| d.id == id)?;
        let done = self.finished.swap_remove(i);
        self.finished.retain(|d| d.id > id);
        Some(done)
    }
}

/// New content from the content thread.
#[derive(Resource)]
struct ContentUpdates(Mutex<Receiver<Library>>);

fn spawn_preparer(waker: Waker) -> Preparer {
    let (jobs, job_rx) = channel::<Job>();
    let (done_tx, done) = channel::<Done>();
    std::thread::Builder::new()
        .name("vitrin-prepare".into())
        .spawn(move || {
            for job in job_rx {
                let started = Instant::now();
                let store = job.store.as_ref();
                let result = match &job.renditions {
                    Some(renditions) => {
                        prepare(&job.page, job.scale, &WithRenditions { store, renditions })
                    }
                    None => prepare(&job.page, job.scale, store),
                };
                let took = started.elapsed();
                if done_tx
                    .send(Done {
                        id: job.id,
                        result,
                        took,
                    })
                    .is_err()
                {
                    break;
                }
                waker.wake();
            }
        })
        .expect("a thread can be started");
    Preparer {
        jobs,
        done: Mutex::new(done),
        next_id: 0,
        finished: Vec::new(),
        renditions: None,
    }
}

/// Loads a playlist folder, logging what is wrong in it.
fn ingest_folder(ingest: &mut LocalIngest) -> Library {
    let got = ingest.load();
    for file in &got.report.files {
        for d in &file.diagnostics {
            if d.is_error() {
                tracing::error!("{}", d.headline(&file.source));
            } else {
                tracing::warn!("{}", d.headline(&file.source));
            }
        }
    }
    for path in &got.kept {
        tracing::warn!(file = %path.display(), "the file has errors: its last good version keeps playing");
    }
    for e in &got.warnings {
        tracing::warn!("{e}");
    }
    tracing::info!(
        folder = %ingest.dir().display(),
        generation = %got.library.generation.id,
        playlists = got.playlists().len(),
        "playlists loaded"
    );
    got.library
}

/// Watches a folder and sends its content again after each burst of edits, and every `refresh`
/// (catalog feeds get new books without anyone editing a playlist).
fn spawn_folder_watcher(
    mut ingest: LocalIngest,
    tx: Sender<Library>,
    waker: Waker,
    refresh: Duration,
) {
    use notify::{RecursiveMode, Watcher};
    let dir = ingest.dir().to_path_buf();
    let (events_tx, events) = channel();
    let mut watcher = match notify::recommended_watcher(events_tx) {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!("cannot watch {} for edits: {e}", dir.display());
            return;
        }
    };
    if let Err(e) = watcher.watch(&dir, RecursiveMode::Recursive) {
        tracing::warn!("cannot watch {} for edits: {e}", dir.display());
        return;
    }
    std::thread::Builder::new()
        .name("vitrin-watch".into())
        .spawn(move || {
            let _watcher = watcher;
            // Reading the files makes access events of its own: only changes count.
            let is_change = |e: &notify::Result<notify::Event>| {
                matches!(e, Ok(ev) if !matches!(ev.kind, notify::EventKind::Access(_)))
            };
            // At once, with the network: fresh catalog feeds and pictures.
            if tx.send(ingest_folder(&mut ingest)).is_err() {
                return;
            }
            waker.wake();
            loop {
                match events.recv_timeout(refresh) {
                    Ok(event) if is_change(&event) => {
                        // Editors save in several steps: wait for the burst to end.
                        while events.recv_timeout(Duration::from_millis(400)).is_ok() {}
                        tracing::info!(folder = %dir.display(), "playlists changed, reading them again");
                    }
                    Ok(_) => continue,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                        tracing::debug!("refreshing catalog sources");
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
                }
                if tx.send(ingest_folder(&mut ingest)).is_err() {
                    return;
                }
                waker.wake();
            }
        })
        .expect("a thread can be started");
}

pub(super) fn plugin(app: &mut App) {
    let waker = match app
        .world()
        .get_resource::<bevy::winit::EventLoopProxyWrapper>()
    {
        Some(proxy) => {
            let proxy = (**proxy).clone();
            Waker(Arc::new(move || {
                let _ = proxy.send_event(bevy::winit::WinitUserEvent::WakeUp);
            }))
        }
        None => Waker(Arc::new(|| {})),
    };
    app.insert_resource(spawn_preparer(waker.clone()));
    app.insert_resource(waker);
    app.add_systems(PreStartup, load_content);
    app.add_systems(
        Update,
        (collect_prepared, collect_content).in_set(PlayerSystems::Workers),
    );
}

fn load_content(
    mut commands: Commands,
    source: Res<ContentSource>,
    screen: Res<Screen>,
    waker: Res<Waker>,
    mut preparer: ResMut<Preparer>,
) {
    // A screen's own content (a feed, a folder) keeps large pictures at screen size in its cache.
    if !matches!(*source, ContentSource::Fixed(_)) {
        preparer.renditions = Some(
            Renditions::new(screen.0.cache_dir.join("renditions"))
                .with_budget(screen.0.rendition_budget()),
        );
    }
    match source.clone() {
        ContentSource::Fixed(library) => {
            commands.insert_resource(CurrentLibrary(library));
        }
        ContentSource::Feed {
            cache,
            options,
            interval,
        } => {
            let library = match cache.active_library() {
                Ok(Some(library)) => {
                    tracing::info!(generation = %library.generation.id, cache = %cache.dir().display(), "playing the cached generation");
                    library
                }
                Ok(None) => {
                    tracing::info!(cache = %cache.dir().display(), "nothing cached yet: waiting for the first sync");
                    Library::empty()
                }
                Err(e) => {
                    tracing::error!(
                        "the cache cannot be played, waiting for a sync to repair it: {e}"
                    );
                    Library::empty()
                }
            };
            commands.insert_resource(CurrentLibrary(library));
            let (tx, rx) = channel();
            let health = SyncHealth::default();
            commands.insert_resource(health.clone());
            spawn_syncer(cache, options, interval, tx, waker.clone(), health);
            commands.insert_resource(ContentUpdates(Mutex::new(rx)));
        }
        ContentSource::Folder { dir, watch } => {
            let resolver = crate::catalog::Resolver::with_cache(
                screen.0.catalog.clone(),
                screen.0.cache_dir.join("catalog"),
            );
            // Pictures become blobs beside the catalog copies, outside the watched folder.
            let store = screen.0.cache_dir.join("local");
            let mut ingest = LocalIngest::new(dir, resolver, &store);
            // The first frame must not wait for the network: catalog feeds and web pictures come
            // from what is on disk, and the watcher thread fetches them fresh at once.
            ingest.set_offline(true);
            commands.insert_resource(CurrentLibrary(ingest_folder(&mut ingest)));
            ingest.set_offline(false);
            if watch {
                let (tx, rx) = channel();
                spawn_folder_watcher(ingest, tx, waker.clone(), screen.0.sync_interval);
                commands.insert_resource(ContentUpdates(Mutex::new(rx)));
            }
        }
    }
}

/// Syncs now and then every `interval` (with jitter, so a thousand screens do not ask at once),
/// sending each newly activated generation to the player.
fn spawn_syncer(
    cache: crate::cache::Cache,
    options: crate::feed::sync::SyncOptions,
    interval: Duration,
    tx: Sender<Library>,
    waker: Waker,
    health: SyncHealth,
) {
    use crate::feed::sync::{Outcome, jitter, sync_once};
    std::thread::Builder::new()
        .name("vitrin-sync".into())
        .spawn(move || {
            loop {
                match sync_once(&cache, &options) {
                    Ok(report) => {
                        tracing::info!(feed = %options.feed, "sync: {report}");
                        *health.0.lock().unwrap_or_else(|e| e.into_inner()) =
                            Some(chrono::Utc::now());
                        if matches!(report.outcome, Outcome::Activated { .. }) {
                            match cache.active_library() {
                                Ok(Some(library)) => {
                                    if tx.send(library).is_err() {
                                        return;
                                    }
                                    waker.wake();
                                }
                                Ok(None) => {}
                                Err(e) => tracing::error!("the new generation cannot be read: {e}"),
                            }
                        }
                    }
                    Err(e) => tracing::warn!("sync failed, playing what is cached: {e}"),
                }
                std::thread::sleep(interval.mul_f64(0.85 + 0.3 * jitter()));
            }
        })
        .expect("a thread can be started");
}

fn collect_prepared(mut preparer: ResMut<Preparer>) {
    let preparer = &mut *preparer;
    let done = preparer.done.get_mut().expect("not poisoned");
    while let Ok(d) = done.try_recv() {
        preparer.finished.push(d);
    }
}

fn collect_content(
    updates: Option<Res<ContentUpdates>>,
    mut current: ResMut<CurrentLibrary>,
    mut commands: Commands,
    clock: Res<super::WallClock>,
    now: Res<super::Now>,
) {
    if current.is_added() {
        commands.insert_resource(ContentSince(clock.now(&now)));
    }
    let Some(updates) = updates else { return };
    let mut latest = None;
    let updates = updates.0.lock().expect("not poisoned");
    while let Ok(library) = updates.try_recv() {
        latest = Some(library);
    }
    if let Some(library) = latest
        && library.generation.id != current.0.generation.id
    {
        current.0 = library;
        commands.insert_resource(ContentSince(clock.now(&now)));
    }
}
