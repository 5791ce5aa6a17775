//! Touch kiosks, driven through bevy's own input pipeline: synthetic `TouchInput` messages, as a
//! touch screen sends them, into the player rendering offscreen, with time stepped by hand (100 ms
//! a frame). A tap on a cover opens the book with a code that decodes to its link; close, pause,
//! the idle return, swipes, carousel dots, a code shown larger, the staff overlay, and what real
//! hands do by mistake.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bevy::input::touch::{TouchInput, TouchPhase};
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};

use vitrin::catalog::CoverItem;
use vitrin::layout::Rect;
use vitrin::media::Media;
use vitrin::player::compositor::{Compositor, OutputImage};
use vitrin::player::page::PageView;
use vitrin::player::touchbar::{Middle, TouchBar};
use vitrin::player::workers::ContentSource;
use vitrin::player::{FrameSize, WallClock};
use vitrin::playlist::{Playlist, SlideContent};
use vitrin::screen::ScreenConfig;
use vitrin::show::{PageContent, PageKey};
use vitrin::touch::{Action, Target};

use crate::player::{Player, at, library, playlist, serial};
use crate::util::qr_codes;

const WIDTH: u32 = 960;
const HEIGHT: u32 = 540;
const TOUCH_TIMEOUT: Duration = Duration::from_secs(20);

fn touch_screen() -> ScreenConfig {
    ScreenConfig {
        touch: true,
        touch_timeout: TOUCH_TIMEOUT,
        ..Default::default()
    }
}

fn book(title: &str, author: &str, link: &str) -> CoverItem {
    CoverItem {
        title: title.into(),
        authors: vec![author.into()],
        isbn13: None,
        cover: None,
        cover_url: None,
        link: Some(link.into()),
        source: "test".into(),
        shelving: Default::default(),
    }
}

/// A covers slide of two books, a qr slide and a text slide, 10 s each.
fn shelf(dir: &Path) -> Playlist {
    let toml = r#"
name = "Hylla"
duration = "10s"
transition = "cut"

[[slide]]
kind = "text"
title = "Nya böcker"

[[slide]]
kind = "qr"
title = "Fråga Bibliotek Värmland"
url = "https://bibliotekvarmland.se/fraga"

[[slide]]
kind = "text"
title = "Tredje sidan"
"#;
    let mut p = playlist(&dir.join("hylla.toml"), toml);
    p.slides[0].content = SlideContent::Covers {
        title: Some("Nya böcker".into()),
        source: Media::File("lista.toml".into()),
        count: 2,
        qr: None,
        qr_text: None,
        only_with_covers: false,
        book_qr: false,
        shelf: Default::default(),
        items: vec![
            book(
                "Vinterviken",
                "Mats Larsson",
                "https://bibliotekvarmland.se/search?query=9789100198251",
            ),
            book(
                "Klarälven",
                "Åsa Östlund",
                "https://bibliotekvarmland.se/search?query=klaralven",
            ),
        ],
    };
    p
}

fn player(playlists: Vec<Playlist>) -> Player {
    Player::new_sized(
        ContentSource::Fixed(library(playlists)),
        touch_screen(),
        at("2026-12-01T11:00:00Z"),
        (WIDTH, HEIGHT),
    )
    .with_clock(WallClock::From(at("2026-12-01T11:00:00Z")))
}

/// A touch screen playing [`shelf`], its first page on screen.
fn on_the_shelf() -> (tempfile::TempDir, Player) {
    let dir = tempfile::tempdir().unwrap();
    let mut p = player(vec![shelf(dir.path())]);
    assert!(p.until(300, |p| p.settled()), "the first page never came");
    (dir, p)
}

impl Player {
    fn touch(&mut self, phase: TouchPhase, id: u64, x: f32, y: f32) {
        self.app.world_mut().write_message(TouchInput {
            phase,
            position: Vec2::new(x, y),
            window: Entity::PLACEHOLDER,
            force: None,
            id,
        });
    }

    /// A finger down and up again a frame later, where it went down.
    fn tap(&mut self, x: f32, y: f32) {
        self.touch(TouchPhase::Started, 1, x, y);
        self.step();
        self.touch(TouchPhase::Ended, 1, x, y);
        self.step();
    }

    /// A finger drawn `dx` sideways across the middle of the screen over three frames.
    fn swipe(&mut self, dx: f32) {
        let (x, y) = (WIDTH as f32 / 2.0 - dx / 2.0, HEIGHT as f32 / 3.0);
        self.touch(TouchPhase::Started, 2, x, y);
        self.step();
        self.touch(TouchPhase::Moved, 2, x + dx / 2.0, y);
        self.step();
        self.touch(TouchPhase::Ended, 2, x + dx, y + 5.0);
        self.step();
    }

    fn settled(&mut self) -> bool {
        let idle = self.app.world().resource::<Compositor>().is_idle();
        idle && self.seq().shown > 0
    }

    /// Waits for the next page to go on screen and settle.
    fn next_page(&mut self) -> bool {
        let shown = self.seq().shown;
        self.until(200, |p| p.seq().shown > shown && p.settled())
    }

    fn on_screen(&mut self) -> (PageKey, PageContent, Vec<Target>) {
        let page = self
            .app
            .world()
            .resource::<Compositor>()
            .on_screen()
            .expect("a page on screen");
        let view = self.app.world().get::<PageView>(page).unwrap();
        (
            view.page.key.clone(),
            view.page.content.clone(),
            view.targets.clone(),
        )
    }

    fn bar(&self) -> &TouchBar {
        self.app.world().resource::<TouchBar>()
    }

    /// The controls under the pages.
    fn controls(&self) -> vitrin::touch::Bar {
        self.app.world().resource::<FrameSize>().bar().unwrap()
    }

    /// What the screen shows now.
    fn frame(&mut self) -> image::RgbImage {
        let output = self.app.world().resource::<OutputImage>().0.clone();
        let got: Arc<Mutex<Option<Image>>> = Arc::default();
        let sink = got.clone();
        self.app
            .world_mut()
            .spawn(Screenshot::image(output))
            .observe(move |captured: On<ScreenshotCaptured>| {
                *sink.lock().unwrap() = Some(captured.image.clone());
            });
        assert!(
            self.until(30, |_| got.lock().unwrap().is_some()),
            "no screenshot"
        );
        let image = got.lock().unwrap().take().unwrap();
        image.try_into_dynamic().unwrap().into_rgb8()
    }
}

fn centre(r: Rect) -> (f32, f32) {
    (r.x + r.w / 2.0, r.y + r.h / 2.0)
}

fn target(targets: &[Target], action: Action) -> Rect {
    targets
        .iter()
        .find(|t| t.action == action)
        .unwrap_or_else(|| panic!("no {action:?} in {targets:?}"))
        .rect
}

/// Saves a frame for people to look at, when `VITRIN_TOUCH_FRAMES` names a folder.
fn keep(img: &image::RgbImage, name: &str) {
    if let Ok(dir) = std::env::var("VITRIN_TOUCH_FRAMES") {
        img.save(Path::new(&dir).join(name)).unwrap();
    }
}

#[test]
fn a_visitor_opens_a_book_scans_its_code_closes_it_pauses_and_walks_away() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let mut p = player(vec![shelf(dir.path())]);
    assert!(p.until(300, |p| p.settled()), "the first page never came");
    let (covers_key, content, targets) = p.on_screen();
    assert!(matches!(content, PageContent::Covers { .. }));
    // The bar says what can be touched; its controls stand under the page, not on it.
    assert_eq!(p.bar().hint, "Tryck på en bok");
    assert_eq!(p.bar().hint_alpha, 1.0);
    let bar = p.controls();
    let page_h = p.app.world().resource::<FrameSize>().page_height() as f32;
    assert!(bar.rect.y >= page_h);
    assert!(targets.iter().all(|t| t.rect.bottom() <= page_h));
    let img = p.frame();
    keep(&img, "1-covers.png");
    assert!(qr_codes(&img).is_empty(), "{:?}", qr_codes(&img));

    // A tap on the second cover opens the book, its code leading to its record.
    let (x, y) = centre(target(&targets, Action::OpenBook(1)));
    p.tap(x, y);
    assert!(p.next_page(), "the book did not open");
    assert!(p.seq().order.aside_on_screen());
    let (key, content, _) = p.on_screen();
    assert_eq!(key, covers_key);
    let PageContent::Book { book, call } = content else {
        panic!("{content:?}")
    };
    assert_eq!(book.title, "Klarälven");
    assert_eq!(call, "Reservera – hämta på valfritt bibliotek");
    assert_eq!(p.bar().middle, Some(Middle::Close));
    let img = p.frame();
    keep(&img, "2-book.png");
    assert_eq!(
        qr_codes(&img),
        ["https://bibliotekvarmland.se/search?query=klaralven"]
    );
    // A swipe or a tap beside the close control does not leave the book.
    p.swipe(-300.0);
    p.tap(60.0, 60.0);
    p.until(10, |_| false);
    assert!(p.seq().order.aside_on_screen());

    // Close: the covers page comes back, and the show still holds.
    let (x, y) = centre(bar.middle);
    p.tap(x, y);
    assert!(p.next_page(), "close did nothing");
    assert!(!p.seq().order.aside_on_screen());
    assert_eq!(p.on_screen().0, covers_key);
    assert!(p.seq().order.in_visit());

    // Pause: nothing advances by itself, for longer than a page's 10 s.
    p.tap(x, y);
    p.step();
    assert!(p.seq().order.is_paused());
    assert_eq!(p.bar().middle, Some(Middle::Play));
    let shown = p.seq().shown;
    let paused_at = p.seconds();
    p.until(150, |_| false);
    assert_eq!(p.seq().shown, shown, "a page advanced while paused");
    assert_eq!(
        p.bar().hint_alpha,
        0.0,
        "the hint fades while a visitor uses the screen"
    );

    // Walking away: after the touch timeout the show runs by itself again, at the page it would
    // show unattended.
    assert!(p.until(200, |p| !p.seq().order.in_visit()));
    let back = p.seconds();
    assert!(
        back - paused_at <= TOUCH_TIMEOUT.as_secs_f64() + 0.5,
        "the show came back {:.1} s after the last touch",
        back - paused_at
    );
    assert!(!p.seq().order.is_paused());
    assert!(p.until(200, |p| p.settled()));
    assert_eq!(p.bar().middle, Some(Middle::Pause));
    assert!(
        p.until(20, |p| p.bar().hint_alpha == 1.0),
        "the hint came back"
    );
    let seen = p.record(250);
    assert!(seen.len() >= 2, "the show does not run by itself: {seen:?}");
}

#[test]
fn swipes_page_both_ways_and_two_fingers_do_nothing() {
    let _serial = serial();
    let (_dir, mut p) = on_the_shelf();
    // Swiping left pulls in the next page, right the one before.
    p.swipe(-300.0);
    assert!(p.next_page());
    assert_eq!(p.on_screen().0.slide, 2);
    p.swipe(300.0);
    assert!(p.next_page());
    assert_eq!(p.on_screen().0.slide, 1);
    let shown = p.seq().shown;
    // A short stroke (20 px, 25 mm on this screen) is neither a swipe nor a tap.
    p.swipe(-20.0);
    // Two fingers on the right third, as a palm or a pinch would: nothing.
    p.touch(TouchPhase::Started, 5, 800.0, 200.0);
    p.step();
    p.touch(TouchPhase::Started, 6, 850.0, 260.0);
    p.step();
    p.touch(TouchPhase::Ended, 5, 800.0, 200.0);
    p.touch(TouchPhase::Ended, 6, 850.0, 260.0);
    p.until(20, |_| false);
    assert_eq!(p.seq().shown, shown, "two fingers changed the page");
    // A long press in the middle of a page does nothing either.
    p.touch(TouchPhase::Started, 7, 480.0, 200.0);
    p.until(40, |_| false);
    p.touch(TouchPhase::Ended, 7, 480.0, 200.0);
    p.until(10, |_| false);
    assert_eq!(p.seq().shown, shown, "a long press changed the page");
    assert_eq!(p.bar().staff_until, None);
    // A tap on the right third pages on; the bar's arrows page too.
    p.tap(900.0, 200.0);
    assert!(p.next_page());
    assert_eq!(p.on_screen().0.slide, 2);
    let (x, y) = centre(p.controls().back);
    p.tap(x, y);
    assert!(p.next_page());
    assert_eq!(p.on_screen().0.slide, 1);
}

#[test]
fn a_tap_on_a_qr_slides_code_shows_it_larger() {
    let _serial = serial();
    let (_dir, mut p) = on_the_shelf();
    p.swipe(-300.0);
    assert!(p.next_page());
    let (_, content, targets) = p.on_screen();
    assert!(matches!(content, PageContent::Qr { .. }));
    assert_eq!(p.bar().hint, "Tryck på koden för att se den större");
    let small = target(&targets, Action::EnlargeCode);
    let (x, y) = centre(small);
    p.tap(x, y);
    assert!(p.next_page());
    let (_, content, _) = p.on_screen();
    assert!(matches!(content, PageContent::Code { .. }), "{content:?}");
    let img = p.frame();
    keep(&img, "3-code.png");
    assert_eq!(qr_codes(&img), ["https://bibliotekvarmland.se/fraga"]);
    // The code is larger: count its dark pixels against the qr page's code area.
    let dark = img.pixels().filter(|px| px[0] < 60).count() as f32;
    assert!(
        dark > small.w * small.h * 0.3,
        "{dark} dark pixels, the small code was {}x{}",
        small.w,
        small.h
    );
}

#[test]
fn a_carousels_dots_go_to_that_picture() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    for (name, rgb) in [
        ("a.png", [200, 60, 60]),
        ("b.png", [60, 200, 60]),
        ("c.png", [60, 60, 200]),
    ] {
        image::RgbImage::from_pixel(64, 36, image::Rgb(rgb))
            .save(dir.path().join(name))
            .unwrap();
    }
    let toml = "name = \"K\"\n[[slide]]\nkind = \"carousel\"\ninterval = \"10s\"\nimages = [\"a.png\", \"b.png\", \"c.png\"]\n";
    let mut p = player(vec![playlist(&dir.path().join("k.toml"), toml)]);
    assert!(p.until(300, |p| p.settled()));
    let (key, _, targets) = p.on_screen();
    assert_eq!(key.part, 1);
    assert_eq!(targets.len(), 3, "{targets:?}");
    let (x, y) = centre(target(&targets, Action::Picture(3)));
    p.tap(x, y);
    assert!(p.next_page());
    assert_eq!(p.on_screen().0.part, 3);
}

#[test]
fn a_long_press_in_a_corner_opens_the_staff_overlay_which_closes_by_itself() {
    let _serial = serial();
    let (_dir, mut p) = on_the_shelf();
    p.touch(TouchPhase::Started, 3, 8.0, 8.0);
    assert!(
        p.until(40, |p| p.bar().staff_until.is_some()),
        "no overlay after a long press in the corner"
    );
    p.touch(TouchPhase::Ended, 3, 8.0, 8.0);
    p.step();
    let img = p.frame();
    keep(&img, "4-staff.png");
    assert!(
        p.bar().staff_until.is_some(),
        "lifting the finger closed it"
    );
    assert!(
        p.until(220, |p| p.bar().staff_until.is_none()),
        "it never closed"
    );
}

#[test]
fn a_screen_that_is_not_a_touch_screen_ignores_touches() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let mut p = Player::new_sized(
        ContentSource::Fixed(library(vec![shelf(dir.path())])),
        ScreenConfig::default(),
        at("2026-12-01T11:00:00Z"),
        (WIDTH, HEIGHT),
    );
    assert!(p.until(300, |p| p.settled()));
    assert_eq!(p.app.world().resource::<FrameSize>().bar(), None);
    let shown = p.seq().shown;
    p.tap(900.0, 200.0);
    p.swipe(-300.0);
    p.until(20, |_| false);
    assert_eq!(p.seq().shown, shown);
    assert!(!p.seq().order.in_visit());
}
