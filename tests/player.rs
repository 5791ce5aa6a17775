//! The player as a bevy app, stepped frame by frame with deterministic time (each update advances
//! the clock by 100 ms), rendering offscreen in software: pages come only when fully drawn, at
//! their times; broken pages are skipped; at most two pages are held; touch navigation, closing
//! time and the welcome page work.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bevy::app::PluginsState;
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use chrono::{DateTime, Utc};

use vitrin::check::load_playlist_str;
use vitrin::generation::{Generation, Library};
use vitrin::media::LocalMedia;
use vitrin::player::compositor::Compositor;
use vitrin::player::input::Intended;
use vitrin::player::page::PageView;
use vitrin::player::sequence::Sequencer;
use vitrin::player::workers::{ContentSource, CurrentLibrary};
use vitrin::player::{Output, PlayerOptions, WallClock, player_app};
use vitrin::playlist::{Playlist, Transition};
use vitrin::screen::ScreenConfig;
use vitrin::show::Direction;
use vitrin::touch::Intent;

/// One bevy app at a time: they share the process's task pools and the software GPU.
pub(crate) fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) const STEP: Duration = Duration::from_millis(100);

pub(crate) fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub(crate) fn playlist(file: &Path, toml: &str) -> Playlist {
    let (p, d) = load_playlist_str(file, toml);
    p.unwrap_or_else(|| panic!("{d:?}"))
}

pub(crate) fn library(playlists: Vec<Playlist>) -> Library {
    Library {
        generation: Generation::new(playlists, Vec::new()),
        store: Arc::new(LocalMedia::default()),
    }
}

pub(crate) struct Player {
    pub(crate) app: App,
}

impl Player {
    pub(crate) fn new(playlists: Vec<Playlist>, screen: ScreenConfig, now: DateTime<Utc>) -> Self {
        Self::new_with_source(ContentSource::Fixed(library(playlists)), screen, now)
    }

    pub(crate) fn new_with_source(
        source: ContentSource,
        screen: ScreenConfig,
        now: DateTime<Utc>,
    ) -> Self {
        Self::new_sized(source, screen, now, (320, 180))
    }

    pub(crate) fn new_sized(
        source: ContentSource,
        screen: ScreenConfig,
        now: DateTime<Utc>,
        (width, height): (u32, u32),
    ) -> Self {
        let mut app = player_app(
            PlayerOptions {
                output: Output::Headless { width, height },
                screen,
                clock: WallClock::Fixed(now),
                bench: None,
            },
            source,
        );
        app.insert_resource(TimeUpdateStrategy::ManualDuration(STEP));
        while app.plugins_state() == PluginsState::Adding {
            bevy::tasks::tick_global_task_pools_on_main_thread();
        }
        app.finish();
        app.cleanup();
        Self { app }
    }

    pub(crate) fn with_clock(mut self, clock: WallClock) -> Self {
        self.app.insert_resource(clock);
        self
    }

    pub(crate) fn seq(&self) -> &Sequencer {
        self.app.world().resource::<Sequencer>()
    }

    pub(crate) fn seconds(&self) -> f64 {
        self.app.world().resource::<Time<Real>>().elapsed_secs_f64()
    }

    pub(crate) fn pages_held(&mut self) -> usize {
        let world = self.app.world_mut();
        world.query::<&PageView>().iter(world).count()
    }

    /// One frame; preparation runs on a real thread, so give it a moment.
    pub(crate) fn step(&mut self) {
        self.app.update();
        std::thread::sleep(Duration::from_millis(2));
    }

    /// Steps until `done` holds, for at most `frames` frames (and a minute of real time).
    pub(crate) fn until(&mut self, frames: usize, mut done: impl FnMut(&mut Self) -> bool) -> bool {
        let started = Instant::now();
        for _ in 0..frames {
            if done(self) {
                return true;
            }
            self.step();
            if started.elapsed() > Duration::from_secs(60) {
                break;
            }
        }
        done(self)
    }

    /// Each page the screen changes to, with the virtual time it went on screen.
    pub(crate) fn record(&mut self, frames: usize) -> Vec<(f64, String)> {
        let mut seen = Vec::new();
        let mut last = self.seq().shown;
        for _ in 0..frames {
            self.step();
            self.check_invariants();
            let seq = self.seq();
            if seq.shown != last {
                last = seq.shown;
                let key = seq.last_shown.as_ref().unwrap();
                let name = format!("{} {}", key.playlist, key.slide);
                let t = self.seconds();
                seen.push((t, name));
            }
        }
        seen
    }

    /// What must hold at every frame: the page on screen is completely drawn, and no more than
    /// two pages are held.
    pub(crate) fn check_invariants(&mut self) {
        let on_screen = self.app.world().resource::<Compositor>().on_screen();
        if let Some(page) = on_screen {
            let view = self
                .app
                .world()
                .get::<PageView>(page)
                .expect("a page on screen exists");
            assert!(view.is_drawn(), "a page went on screen before it was drawn");
        }
        let held = self.pages_held();
        assert!(held <= 2, "{held} pages held at once");
    }
}

pub(crate) fn text_slides(dir: &Path, n: usize, duration: &str) -> Playlist {
    let mut toml = format!("name = \"T\"\nduration = \"{duration}\"\ntransition = \"fade\"\n");
    for i in 1..=n {
        toml.push_str(&format!(
            "[[slide]]\nkind = \"text\"\ntitle = \"Sida {i}\"\n"
        ));
    }
    playlist(&dir.join("t.toml"), &toml)
}

#[test]
fn pages_come_on_screen_only_when_drawn_and_only_when_their_time_is_up() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let mut p = Player::new(
        vec![text_slides(dir.path(), 3, "2s")],
        ScreenConfig::default(),
        at("2026-12-01T11:00:00Z"),
    );
    assert!(
        p.until(300, |p| p.seq().shown >= 1),
        "the first page never showed"
    );
    let seen = p.record(160);
    let names: Vec<&str> = seen.iter().map(|(_, n)| n.as_str()).collect();
    assert!(
        names.starts_with(&["T 2", "T 3", "T 1", "T 2"]),
        "pages in order, round and round: {names:?}"
    );
    for pair in seen.windows(2) {
        let gap = pair[1].0 - pair[0].0;
        assert!(
            gap >= 2.0 - 1e-6,
            "{} came {gap:.1} s after {}, before its time",
            pair[1].1,
            pair[0].1
        );
        assert!(gap < 4.0, "{} came late: {gap:.1} s", pair[1].1);
    }
}

#[test]
fn with_reduced_motion_every_transition_is_a_fade() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let toml = "name = \"T\"\nduration = \"2s\"\ntransition = \"slide\"\n\
                [[slide]]\nkind = \"text\"\ntitle = \"Ett\"\n\
                [[slide]]\nkind = \"text\"\ntitle = \"Två\"\n";
    for (reduced, expected) in [(false, Transition::Slide), (true, Transition::Fade)] {
        let screen = ScreenConfig {
            reduced_motion: reduced,
            ..ScreenConfig::default()
        };
        let mut p = Player::new(
            vec![playlist(&dir.path().join("t.toml"), toml)],
            screen,
            at("2026-12-01T11:00:00Z"),
        );
        // The first page fades in from nothing; the second comes by its slide's transition.
        assert!(p.until(300, |p| p.seq().shown >= 2), "no second page");
        let kind = p.app.world().resource::<Compositor>().running();
        assert_eq!(kind, Some(expected), "reduced_motion = {reduced}");
    }
}

#[test]
fn a_page_with_a_broken_picture_is_skipped_and_the_rest_play() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("trasig.png");
    std::fs::write(&broken, b"\x89PNG\r\n\x1a\n not really").unwrap();
    let mut good = text_slides(dir.path(), 2, "1s");
    let with_picture = playlist(
        &dir.path().join("b.toml"),
        "name = \"B\"\nduration = \"1s\"\n[[slide]]\nkind = \"text\"\ntitle = \"x\"\n",
    );
    // The picture breaks after it was checked, as a file half-copied by hand would.
    let mut bad_slide = with_picture.slides[0].clone();
    bad_slide.content = vitrin::playlist::SlideContent::Image {
        image: vitrin::media::Media::File(broken),
        caption: None,
        fit: vitrin::media::Fit::Fill,
    };
    good.slides.insert(1, bad_slide);
    let mut p = Player::new(
        vec![good],
        ScreenConfig::default(),
        at("2026-12-01T11:00:00Z"),
    );
    assert!(p.until(300, |p| p.seq().shown >= 1));
    let seen = p.record(120);
    let names: Vec<&str> = seen.iter().map(|(_, n)| n.as_str()).collect();
    assert!(!names.contains(&"T 2"), "the broken page showed: {names:?}");
    assert!(
        names.contains(&"T 3") && names.contains(&"T 1"),
        "{names:?}"
    );
}

#[test]
fn navigation_brings_the_page_at_once_and_holds_it() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let screen = ScreenConfig {
        touch_timeout: Duration::from_secs(20),
        ..Default::default()
    };
    let mut p = Player::new(
        vec![text_slides(dir.path(), 3, "5s")],
        screen,
        at("2026-12-01T11:00:00Z"),
    );
    assert!(p.until(300, |p| p.seq().shown >= 1));
    assert!(p.until(20, |p| p.app.world().resource::<Compositor>().is_idle()));
    let first = p.seq().last_shown.clone().unwrap();
    assert_eq!(first.slide, 1);
    let t0 = p.seconds();
    p.app
        .world_mut()
        .write_message(Intended(Intent::Navigate(Direction::Back)));
    assert!(
        p.until(100, |p| p.seq().shown >= 2),
        "navigation did nothing"
    );
    let t1 = p.seconds();
    assert_eq!(
        p.seq().last_shown.as_ref().unwrap().slide,
        3,
        "back from the first page is the last"
    );
    assert!(t1 - t0 < 2.0, "navigation took {:.1} s", t1 - t0);
    // The page stays until the touch timeout has passed since the touch, longer than its own 5 s.
    let seen = p.record(260);
    let (t2, _) = seen.first().expect("the show runs again");
    assert!(
        t2 - t0 >= 20.0 - 1e-6,
        "automatic advance resumed {:.1} s after the touch",
        t2 - t0
    );
    assert!(
        t2 - t0 < 22.0,
        "automatic advance resumed late: {:.1} s",
        t2 - t0
    );
}

#[test]
fn the_screen_goes_blank_when_the_library_closes() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let screen = ScreenConfig {
        opening: vitrin::calendar::opening::OpeningHours {
            staffed: vec![
                vitrin::calendar::opening::OpeningLine::parse("mon-fri 10:00-19:00").unwrap(),
            ],
            ..Default::default()
        },
        ..Default::default()
    };
    // Tuesday 2026-12-01 22:00 in Stockholm: closed.
    let mut p = Player::new(
        vec![text_slides(dir.path(), 2, "2s")],
        screen,
        at("2026-12-01T21:00:00Z"),
    );
    p.until(40, |_| false);
    assert_eq!(p.seq().shown, 0, "nothing shows while closed");
    assert_eq!(p.pages_held(), 0);
    assert_eq!(p.app.world().resource::<ClearColor>().0, Color::BLACK);
}

#[test]
fn with_nothing_to_show_the_welcome_page_shows() {
    let _serial = serial();
    let mut p = Player::new(
        Vec::new(),
        ScreenConfig::default(),
        at("2026-12-01T11:00:00Z"),
    );
    assert!(p.until(300, |p| p.seq().shown >= 1));
    assert_eq!(p.seq().last_shown.as_ref().unwrap().playlist, "vitrin");
}

#[test]
fn new_content_takes_over_at_the_end_of_the_current_page() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let mut p = Player::new(
        vec![text_slides(dir.path(), 2, "3s")],
        ScreenConfig::default(),
        at("2026-12-01T11:00:00Z"),
    );
    assert!(p.until(300, |p| p.seq().shown >= 1));
    let shown_at = p.seconds();
    let other = playlist(
        &dir.path().join("n.toml"),
        "name = \"Ny\"\nduration = \"3s\"\n[[slide]]\nkind = \"text\"\ntitle = \"Nytt\"\n",
    );
    p.app.world_mut().resource_mut::<CurrentLibrary>().0 = library(vec![other]);
    let seen = p.record(80);
    let (t, name) = seen.first().expect("the new content shows");
    assert_eq!(name, "Ny 1");
    assert!(
        t - shown_at >= 3.0 - 1e-6,
        "it cut the page short at {:.1} s",
        t - shown_at
    );
}

/// A screen with a feed: after a reboot with the network down it plays its cache at once; when the
/// feed publishes a new generation, the screen switches to it at the end of a page.
#[test]
fn a_feed_screen_plays_its_cache_at_once_and_switches_generations_at_a_page_boundary() {
    use crate::feed::Source;
    use crate::server::{Behaviour, Server};
    let _serial = serial();
    let src = Source::new();
    let first = src.publish();
    let server = Server::start(src.feed());
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = vitrin::cache::Cache::open(cache_dir.path()).unwrap();
    let mut options = vitrin::feed::sync::SyncOptions::new(&server.url());
    options.allow_http = true;
    options.retries = 0;
    vitrin::feed::sync::sync_once(&cache, &options).unwrap();
    // The network is down when the screen starts.
    server.set(Behaviour::Error500);
    let started = Instant::now();
    let mut p = Player::new_with_source(
        ContentSource::Feed {
            cache: cache.clone(),
            options: options.clone(),
            interval: Duration::from_secs(2),
        },
        ScreenConfig::default(),
        at("2026-12-01T11:00:00Z"),
    );
    assert!(p.until(300, |p| p.seq().shown >= 1), "nothing showed");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the cached generation must show without waiting for the network"
    );
    assert_eq!(
        p.app.world().resource::<CurrentLibrary>().0.generation.id,
        first.generation
    );
    // The feed comes back with new content.
    src.change_picture(42);
    let second = src.publish();
    server.set(Behaviour::Normal);
    let deadline = p.seq().page_deadline().unwrap();
    let switched = p.until(2000, |p| {
        p.app.world().resource::<CurrentLibrary>().0.generation.id == second.generation
    });
    assert!(switched, "the new generation never arrived");
    // It plays from the next page on: never cutting the page on screen short.
    let shown = p.seq().shown;
    assert!(
        p.until(400, |p| p.seq().shown > shown),
        "no page after the new generation"
    );
    assert!(p.seconds() >= deadline - 1e-6);
}

/// The schedule names an instant, and the screen changes then: a notice starting at 12:00 comes on
/// within a moment of 12:00, cutting the page on screen short.
#[test]
fn a_schedule_change_takes_over_at_its_instant() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let notice = playlist(
        &dir.path().join("notis.toml"),
        "name = \"Notis\"\npriority = 10\n[when]\nhours = \"12:00-13:00\"\n[[slide]]\nkind = \"text\"\ntitle = \"Stängt\"\n",
    );
    let mut p = Player::new_with_source(
        ContentSource::Fixed(library(vec![text_slides(dir.path(), 2, "60s"), notice])),
        ScreenConfig::default(),
        // 11:59:50 in Stockholm; the clock then runs with the player's.
        at("2026-12-01T10:59:50Z"),
    )
    .with_clock(WallClock::From(at("2026-12-01T10:59:50Z")));
    assert!(p.until(300, |p| p.seq().shown >= 1));
    assert_eq!(p.seq().last_shown.as_ref().unwrap().playlist, "T");
    assert!(
        p.until(400, |p| p.seq().last_shown.as_ref().unwrap().playlist
            == "Notis"),
        "the notice never came"
    );
    let at_notice = p.seconds();
    assert!(
        at_notice < 15.0,
        "the notice came at {at_notice:.1} s, not at 12:00 (10 s in)"
    );
    assert!(
        at_notice >= 10.0 - 1e-6,
        "the notice came early: {at_notice:.1} s"
    );
}

/// A screen whose own config names only itself takes its library's hours, tags and viewing from
/// the region the content describes, and follows a new description when new content comes.
#[test]
fn a_screen_follows_the_region_its_content_describes() {
    use vitrin::calendar::opening::{Mode, OpeningHours, OpeningLine};
    use vitrin::region::{Library as Lib, Region, ScreenEntry};
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let region = |staffed: &str| Region {
        libraries: vec![Lib {
            id: "karlstad".into(),
            name: "Karlstads stadsbibliotek".into(),
            address: None,
            timezone: None,
            opening: OpeningHours {
                staffed: vec![OpeningLine::parse(staffed).unwrap()],
                ..OpeningHours::default()
            },
        }],
        screens: vec![ScreenEntry {
            id: "karlstad-entre".into(),
            name: None,
            library: Some("karlstad".into()),
            tags: vec!["vuxen".into()],
            width: 1920,
            height: 1080,
            touch: false,
            diagonal_mm: None,
            viewing_distance_mm: Some(3000),
            reduced_motion: false,
        }],
    };
    let content = |staffed: &str| {
        let mut l = library(vec![text_slides(dir.path(), 2, "5s")]);
        l.generation = l.generation.with_region(region(staffed));
        l
    };
    let own = ScreenConfig {
        id: "karlstad-entre".into(),
        ..ScreenConfig::default()
    };
    // 12:00 in Stockholm: the library opens at 18:00, so the screen is closed.
    let mut p = Player::new_with_source(
        ContentSource::Fixed(content("mon-sun 18:00-19:00")),
        own,
        at("2026-12-01T11:00:00Z"),
    );
    assert!(p.until(300, |p| p.seq().program.is_some()));
    assert_eq!(p.seq().program.as_ref().unwrap().mode, Mode::Closed);
    let screen = p.app.world().resource::<vitrin::player::Screen>().0.clone();
    assert_eq!(screen.library.as_deref(), Some("karlstad"));
    assert_eq!(screen.tags, ["vuxen", "karlstad"]);
    assert_eq!(screen.viewing.distance_mm, 3000.0);
    // The library's hours change centrally: open all day. The screen follows with the content.
    p.app.world_mut().resource_mut::<CurrentLibrary>().0 = content("mon-sun 00:00-24:00");
    assert!(
        p.until(600, |p| p.seq().shown >= 1),
        "the screen never opened"
    );
    assert_eq!(p.seq().program.as_ref().unwrap().mode, Mode::Staffed);
}

/// An hours page shows the screen's library's hours for today, and tomorrow's at midnight.
#[test]
fn the_hours_page_turns_to_the_next_day_at_midnight() {
    use vitrin::calendar::opening::{OpeningException, OpeningHours, OpeningLine};
    use vitrin::show::PageContent;
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let hours = playlist(
        &dir.path().join("tider.toml"),
        "name = \"Tider\"\n[[slide]]\nkind = \"hours\"\nduration = \"5s\"\n",
    );
    let screen = ScreenConfig {
        opening: OpeningHours {
            staffed: vec![OpeningLine::parse("mon-sun 00:00-24:00").unwrap()],
            self_service: Vec::new(),
            exceptions: vec![OpeningException {
                name: Some("Julafton".into()),
                dates: vec![chrono::NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()],
                staffed: vec![OpeningLine::parse("00:00-24:00").unwrap()],
                self_service: Vec::new(),
            }],
        },
        ..ScreenConfig::default()
    };
    // 23:59:50 in Stockholm on the 23rd; the clock runs with the player's.
    let mut p = Player::new_with_source(
        ContentSource::Fixed(library(vec![hours])),
        screen,
        at("2026-12-23T22:59:50Z"),
    )
    .with_clock(WallClock::From(at("2026-12-23T22:59:50Z")));
    let today = |p: &Player| match p.seq().order.pages().first().map(|pg| &pg.content) {
        Some(PageContent::Hours { board, .. }) => Some(board.clone()),
        _ => None,
    };
    assert!(p.until(300, |p| p.seq().shown >= 1));
    let before = today(&p).expect("an hours page");
    assert_eq!(before.date, "onsdag 23 december");
    assert_eq!(before.rows[1].day, "I morgon, Julafton");
    assert!(
        p.until(600, |p| today(p)
            .is_some_and(|b| b.date == "torsdag 24 december")),
        "the hours page still shows the 23rd after midnight"
    );
    let after = today(&p).unwrap();
    assert_eq!(after.rows[0].day, "I dag, Julafton");
    assert!(p.seconds() >= 10.0 - 1e-6, "not before midnight");
}
