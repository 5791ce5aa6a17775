//! Real frames, rendered in software by `vitrin render` (one process per orientation, shared by
//! the tests below), checked pixel by pixel: every slide kind shows, QR codes decode back to the
//! playlist's address, text has ink, covers show their colours, a crossfade is a blend of both
//! slides, and a broken picture is skipped.

use std::path::PathBuf;
use std::sync::OnceLock;

use image::RgbImage;
use vitrin::compose;
use vitrin::layout::{Rect, Scale};
use vitrin::theme::{Theme, contrast, cover_colors, luminance};

use crate::util::{qr_codes, root, stdout};

/// The two screen shapes every slide is checked in.
const LANDSCAPE: (u32, u32) = (1920, 1080);
const PORTRAIT: (u32, u32) = (1080, 1920);

struct Rendered {
    _dir: tempfile::TempDir,
    out: PathBuf,
    stdout: String,
    size: (u32, u32),
}

fn render((w, h): (u32, u32)) -> Rendered {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("slides");
    let o = crate::util::vitrin(&[
        "render",
        "--playlist",
        "tests/fixtures/render/alla.toml",
        "--out",
        out.to_str().unwrap(),
        "--size",
        &format!("{w}x{h}"),
        "--transitions",
    ]);
    assert!(
        o.status.success(),
        "render failed:\n{}\n{}",
        stdout(&o),
        crate::util::stderr(&o)
    );
    Rendered {
        _dir: dir,
        out,
        stdout: stdout(&o),
        size: (w, h),
    }
}

fn landscape() -> &'static Rendered {
    static R: OnceLock<Rendered> = OnceLock::new();
    R.get_or_init(|| render(LANDSCAPE))
}

fn portrait() -> &'static Rendered {
    static R: OnceLock<Rendered> = OnceLock::new();
    R.get_or_init(|| render(PORTRAIT))
}

fn both() -> [&'static Rendered; 2] {
    [landscape(), portrait()]
}

impl Rendered {
    fn page(&self, name: &str) -> RgbImage {
        let path = self.out.join(name);
        let img = image::open(&path)
            .unwrap_or_else(|e| panic!("{}: {e}\n{}", path.display(), self.stdout))
            .into_rgb8();
        assert_eq!(img.dimensions(), self.size, "{name}");
        img
    }

    fn scale(&self) -> Scale {
        Scale::new(self.size.0, self.size.1)
    }
}

fn px(img: &RgbImage, x: f32, y: f32) -> [u8; 3] {
    img.get_pixel(x as u32, y as u32).0
}

fn close(a: [u8; 3], b: [u8; 3], tolerance: i32) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (i32::from(*x) - i32::from(y)).abs() <= tolerance)
}

/// Pixels in `r` within `tolerance` of `color`.
fn count_near(img: &RgbImage, r: Rect, color: [u8; 3], tolerance: i32) -> usize {
    let mut n = 0;
    for y in r.y as u32..(r.bottom() as u32).min(img.height()) {
        for x in r.x as u32..(r.right() as u32).min(img.width()) {
            if close(img.get_pixel(x, y).0, color, tolerance) {
                n += 1;
            }
        }
    }
    n
}

/// Many colours, and no colour covering nearly everything: the frame shows something.
fn assert_not_blank(img: &RgbImage, name: &str) {
    let mut counts = std::collections::HashMap::new();
    for p in img.pixels().step_by(7) {
        *counts.entry(p.0).or_insert(0usize) += 1;
    }
    let total: usize = counts.values().sum();
    let top = *counts.values().max().unwrap();
    assert!(counts.len() > 20, "{name}: only {} colours", counts.len());
    assert!(
        top < total * 995 / 1000,
        "{name}: one colour is {top} of {total} pixels"
    );
}

const PAGES: [&str; 6] = [
    "01-alla-1.png",
    "02-alla-2-1.png",
    "03-alla-2-2.png",
    "04-alla-3.png",
    "05-alla-4.png",
    "06-alla-5.png",
];

#[test]
fn every_slide_kind_renders_in_landscape_and_portrait() {
    for r in both() {
        for name in PAGES {
            assert_not_blank(&r.page(name), name);
        }
    }
}

#[test]
fn an_image_slide_fills_the_screen_with_its_picture_and_a_readable_caption() {
    for r in both() {
        let img = r.page("01-alla-1.png");
        let s = r.scale();
        let l = compose::picture(&s, Some("Bildtext med å, ä och ö"), None, None);
        let caption = l.caption.as_ref().unwrap().rect;
        let band_rect = l.band.unwrap();
        // The picture covers the screen above the caption band.
        assert!(close(
            px(&img, s.width / 2.0, s.height * 0.3),
            [255, 0, 255],
            2
        ));
        // The caption has white ink on a dark band.
        let ink = count_near(&img, caption, [255, 255, 255], 30);
        assert!(ink > 800, "caption ink: {ink}");
        let band = px(&img, band_rect.x + 2.0, band_rect.y + 2.0);
        let ratio = contrast([255, 255, 255], band);
        assert!(ratio >= 4.5, "caption contrast {ratio:.2}:1 over {band:?}");
    }
}

#[test]
fn a_carousel_shows_each_picture_with_its_title_and_position() {
    for r in both() {
        let s = r.scale();
        let first = r.page("02-alla-2-1.png");
        let second = r.page("03-alla-2-2.png");
        assert!(close(
            px(&first, s.width / 2.0, s.height * 0.4),
            [255, 255, 0],
            2
        ));
        assert!(close(
            px(&second, s.width / 2.0, s.height * 0.4),
            [0, 200, 0],
            2
        ));
        // The title badge has white ink on it, top left.
        let one = compose::picture(&s, None, Some("Karusell"), Some((1, 2)));
        let two = compose::picture(&s, Some("Grönt"), Some("Karusell"), Some((2, 2)));
        let ink = count_near(
            &first,
            one.badge.as_ref().unwrap().1.rect,
            [255, 255, 255],
            30,
        );
        assert!(ink > 300, "title ink: {ink}");
        // The position dots: the current one in the theme's accent colour.
        let accent = Theme::Dark.palette().accent;
        let dots = count_near(&first, one.dots[0], accent, 40)
            + count_near(&second, two.dots[1], accent, 40);
        assert!(dots > 50, "position dots: {dots}");
    }
}

/// Where the covers page of the fixture goes, as the player lays it out.
fn covers_layout(s: &Scale) -> vitrin::layout::CoversLayout {
    let book = |title: &str, author: &str| vitrin::catalog::CoverItem {
        title: title.into(),
        authors: vec![author.into()],
        isbn13: None,
        cover: None,
        cover_url: None,
        link: None,
        source: "bocker.toml".into(),
        shelving: Default::default(),
    };
    let content = vitrin::show::PageContent::Covers {
        title: Some("Nya böcker".into()),
        books: vec![
            book("Turkosa boken", "Anna Andersson"),
            book("Boken utan omslag", "Bo Bengtsson"),
        ],
        qr: Some("https://bibliotekvarmland.se/nyheter".into()),
        qr_text: vitrin::show::DEFAULT_QR_TEXT.into(),
        book_qr: false,
        position: None,
    };
    match vitrin::prepare::page_text(&content, s).unwrap() {
        vitrin::prepare::PageText::Covers(c) => c.layout,
        other => panic!("{other:?}"),
    }
}

#[test]
fn covers_show_their_colours_titles_and_a_scannable_qr_code() {
    for r in both() {
        let img = r.page("04-alla-3.png");
        let s = r.scale();
        let l = covers_layout(&s);
        // The real cover (turquoise) stands in its cell, keeping its shape.
        let c0 = l.cells[0].cover;
        assert!(
            close(
                px(&img, c0.x + c0.w / 2.0, c0.y + c0.h * 0.6),
                [0, 170, 190],
                3
            ),
            "cover colour at the middle of {c0:?}: {:?}",
            px(&img, c0.x + c0.w / 2.0, c0.y + c0.h * 0.6)
        );
        // The book without a cover gets a typographic one in its title's colour.
        let (bg, _) = cover_colors("Boken utan omslag");
        let c1 = l.cells[1].cover;
        let typographic = count_near(&img, c1, bg, 4);
        assert!(
            typographic as f32 > c1.w * c1.h * 0.5,
            "typographic cover: {typographic}"
        );
        // Titles and authors have ink.
        let text = Theme::Dark.palette().text;
        for cell in &l.cells {
            assert!(
                count_near(&img, cell.title, text, 40) > 200,
                "title ink in {:?}",
                cell.title
            );
        }
        assert_eq!(qr_codes(&img), ["https://bibliotekvarmland.se/nyheter"]);
    }
}

#[test]
fn a_qr_slide_decodes_to_exactly_its_url_and_is_big_enough() {
    let url = "https://bibliotekvarmland.se/fraga-biblioteket";
    for r in both() {
        let img = r.page("05-alla-4.png");
        assert_eq!(qr_codes(&img), [url]);
        let s = r.scale();
        let l = s.qr(true, vitrin::prepare::qr_modules(url).unwrap());
        // A tenth of the viewing distance (2 m) wide, the quiet zone aside.
        let modules = vitrin::prepare::qr_modules(url).unwrap();
        assert!(s.qr_symbol_mm(l.code.w, modules) >= 200.0, "{}", l.code.w);
        // Dark on light, with a light quiet zone all round.
        let (x, y) = (l.code.x + 2.0, l.code.y + 2.0);
        assert!(close(px(&img, x, y), [255, 255, 255], 1));
        // The side picture is there.
        let side = l.image.unwrap();
        assert!(close(
            px(&img, side.x + side.w / 2.0, side.y + side.h / 2.0),
            [240, 120, 0],
            3
        ));
        // And the headline has ink.
        let ink = count_near(&img, l.words, Theme::Dark.palette().text, 40);
        assert!(ink > 2000, "headline ink: {ink}");
    }
}

#[test]
fn a_text_slide_has_readable_ink() {
    for r in both() {
        let img = r.page("06-alla-5.png");
        let s = r.scale();
        let p = Theme::Dark.palette();
        let words = s.text(false).words;
        let ink = count_near(&img, words, p.text, 40);
        assert!(ink > 3000, "text ink: {ink}");
        assert!(contrast(p.text, px(&img, 2.0, 2.0)) >= 4.5);
    }
}

#[test]
fn a_crossfade_frame_is_a_blend_of_both_slides() {
    for r in both() {
        let s = r.scale();
        // From the magenta picture to the yellow one, halfway: the GPU blends in linear light.
        let mid = r.page("01-to-02-fade.png");
        let got = px(&mid, s.width / 2.0, s.height * 0.3);
        let lin = |c: u8| luminance([c, c, c]);
        let srgb = |l: f64| {
            let v = if l <= 0.003_130_8 {
                l * 12.92
            } else {
                1.055 * l.powf(1.0 / 2.4) - 0.055
            };
            (v * 255.0).round() as u8
        };
        let blend = |a: u8, b: u8| srgb((lin(a) + lin(b)) / 2.0);
        let expected = [blend(255, 255), blend(0, 255), blend(255, 0)];
        assert!(
            close(got, expected, 8),
            "got {got:?}, expected {expected:?}"
        );
        assert!(!close(got, [255, 0, 255], 20) && !close(got, [255, 255, 0], 20));
        // Halfway through a slide transition, the old page (its QR code on its right) has moved
        // half out to the left, and the new text page has moved half in from the right.
        let slide = r.page("05-to-06-slide.png");
        let half = |x: f32| Rect::new(x, 0.0, s.width / 2.0, s.height);
        let white_left = count_near(&slide, half(0.0), [255, 255, 255], 2);
        let white_right = count_near(&slide, half(s.width / 2.0), [255, 255, 255], 2);
        assert!(
            white_left > 20_000,
            "the QR code should be on the left: {white_left}"
        );
        assert!(
            white_right < 2_000,
            "the new page has no QR code: {white_right}"
        );
    }
}

/// The last slide's picture has a valid header and broken data: the ingest leaves the slide out
/// (saying which file and why), and every other slide renders.
#[test]
fn a_broken_picture_is_left_out_without_stopping_the_render() {
    for r in both() {
        assert!(r.out.join("06-alla-5.png").exists(), "{}", r.stdout);
        assert!(!r.out.join("07-alla-6.png").exists());
        assert!(
            r.stdout
                .lines()
                .any(|l| l.starts_with("warning: left out") && l.contains("trasig.png")),
            "{}",
            r.stdout
        );
    }
}

/// Whatever the bundled playlists play on Christmas Eve renders: one file for each page the
/// command counts, none skipped, and every QR slide that plays decodes back to its address.
#[test]
fn the_bundled_playlists_render_for_christmas_eve() {
    let at = "2026-12-24 10:00";
    let screen = vitrin::screen::ScreenConfig::load(&root().join("kiosk/screen.toml")).unwrap();
    let (playlists, _) = vitrin::check::load_dir(&screen.playlists);
    let (instant, _) =
        vitrin::commands::plan::parse_at(at, screen.timezone, chrono::Utc::now()).unwrap();
    let program = vitrin::schedule::program_at(&playlists, &screen, instant);
    assert_ne!(
        program.reason,
        vitrin::schedule::Reason::Closed,
        "kiosk/screen.toml closes the library at {at}"
    );
    let slides: Vec<&vitrin::playlist::Slide> = program
        .playlists
        .iter()
        .flat_map(|a| a.slides.iter().map(|&i| &playlists[a.playlist].slides[i]))
        .collect();
    let urls: Vec<&str> = slides
        .iter()
        .filter_map(|s| match &s.content {
            vitrin::playlist::SlideContent::Qr { url, .. } => Some(url.as_str()),
            _ => None,
        })
        .collect();

    let dir = tempfile::tempdir().unwrap();
    let o = crate::util::vitrin(&[
        "render",
        "--at",
        at,
        "--out",
        dir.path().to_str().unwrap(),
        "--size",
        "960x540",
    ]);
    assert!(o.status.success(), "{}", crate::util::stderr(&o));
    let out = stdout(&o);
    assert!(!out.contains("skipped"), "{out}");
    let pages: usize = out
        .lines()
        .find_map(|l| {
            let (_, n) = l.strip_prefix("rendered ")?.rsplit_once(": ")?;
            n.strip_suffix(" pages at 960x540")?.parse().ok()
        })
        .unwrap_or_else(|| panic!("no page count in:\n{out}"));
    // Every slide gives at least a page, but for a covers slide without books.
    let at_least = slides
        .iter()
        .filter(|s| !matches!(s.content, vitrin::playlist::SlideContent::Covers { .. }))
        .count();
    assert!(pages >= at_least.max(1), "{out}");
    let files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), pages, "{out}");
    let mut decoded = Vec::new();
    for file in &files {
        let img = image::open(file).unwrap().into_rgb8();
        assert_eq!(img.dimensions(), (960, 540), "{}", file.display());
        decoded.extend(qr_codes(&img));
    }
    for url in urls {
        assert!(decoded.iter().any(|d| d == url), "{url} not in {decoded:?}");
    }
}

#[test]
fn rendering_a_closed_library_writes_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("closed");
    // Christmas Day, closed all day on the test screen.
    let o = crate::util::vitrin(&[
        "render",
        "--screen",
        "tests/fixtures/plan/screen.toml",
        "--at",
        "2026-12-25 12:00",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", crate::util::stderr(&o));
    assert!(stdout(&o).contains("closed"), "{}", stdout(&o));
    assert!(!out.exists() || std::fs::read_dir(&out).unwrap().next().is_none());
}
