//! What the screen will show, checked before it does: every text of every page laid out with the
//! typesetter the player uses, for the screen sizes that matter, and warnings where a visitor would
//! be let down. `vitrin check` and `vitrin publish` print them at the text's `file:line:col`.
//!
//! The rules:
//! - a text is shortened with "…" (the words lost are named), or set below its floor: the
//!   smallest size readable from the viewing distance ([`crate::layout`], ADA 2010 §703.5.5);
//! - a caption's white text over the part of the picture it sits on, under the usual band, is
//!   below 4.5:1 (WCAG AA): the screen then darkens the band, hiding more of the picture;
//! - a page shows for less time than its words take to read: 2 s to find the text, then 150 words
//!   a minute (a slow reader's pace: children, readers of a second language);
//! - a QR code is narrower than a tenth of the distance it is scanned from (the viewing distance;
//!   a book's own code, 1 m).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::catalog::{CatalogSettings, Resolver};
use crate::check::{FileKind, detect_kind};
use crate::compose::{Placed, Role};
use crate::diagnostic::{Diagnostic, FileReport, Report};
use crate::ingest::resolve_covers;
use crate::layout::{BOOK_QR_DISTANCE_MM, QR_DISTANCE_RATIO, Scale, Viewing};
use crate::media::{Media, decode_image};
use crate::playlist::{Playlist, SlideContent};
use crate::prepare::{PageText, bright_under, page_text, qr_modules};
use crate::screen::ScreenConfig;
use crate::show::{Page, PageContent, slide_pages};
use crate::spec::{Checker, Fields, Value};
use crate::theme::{MIN_CONTRAST, SCRIM_ALPHA_LIGHT, band_contrast};

/// Time to find a text on a page before reading it.
pub const GLANCE: Duration = Duration::from_secs(2);
/// Words read per minute, at a slow reader's pace.
pub const WORDS_PER_MINUTE: f64 = 150.0;

/// A screen the texts are checked for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    pub width: u32,
    pub height: u32,
    pub viewing: Viewing,
}

impl Target {
    pub fn scale(&self) -> Scale {
        Scale::viewed(self.width, self.height, self.viewing)
    }

    fn name(&self) -> String {
        format!("{}x{}", self.width, self.height)
    }
}

/// The screens to check for: landscape 1920x1080 and portrait 1080x1920, seen as each of
/// `viewings` (the screen configs'), or the default way when there are none.
pub fn targets(viewings: &[Viewing]) -> Vec<Target> {
    let mut seen: Vec<Viewing> = Vec::new();
    for v in viewings {
        if !seen.contains(v) {
            seen.push(*v);
        }
    }
    if seen.is_empty() {
        seen.push(Viewing::default());
    }
    seen.iter()
        .flat_map(|&viewing| {
            [(1920, 1080), (1080, 1920)].map(|(width, height)| Target {
                width,
                height,
                viewing,
            })
        })
        .collect()
}

/// Where in a slide a finding belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spot {
    /// A key of the slide's table (`title`, `caption`, `duration`, ...).
    Key(&'static str),
    /// The caption of a carousel's picture, by its place from 0.
    Picture(usize),
}

/// Something a visitor would miss, in a slide.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The slide's index in its playlist, from 0.
    pub slide: usize,
    pub spot: Spot,
    pub message: String,
    pub hint: String,
}

/// Checks every page of every slide of `playlist` on each target. `read` gives a picture's bytes
/// (for caption contrast), when it can be had.
pub fn check_playlist(
    playlist: &Playlist,
    targets: &[Target],
    read: &dyn Fn(&Media) -> Option<Vec<u8>>,
) -> Vec<Finding> {
    // The same finding on several screens is one warning naming them all.
    let mut found: Vec<(Finding, Vec<String>)> = Vec::new();
    for target in targets {
        let scale = target.scale();
        for slide in 0..playlist.slides.len() {
            let mut slowest: Option<(usize, Duration)> = None;
            let mut findings = Vec::new();
            let mut pages = slide_pages(playlist, slide, scale.covers_per_page());
            // Hours are the screen's: checked with a library's full week and holidays ahead.
            let (opening, library, today) = sample_hours();
            crate::show::fill_hours(&mut pages, &opening, Some(library), today);
            // Events are the calendar's: checked with a page of long ones.
            for page in &mut pages {
                if let PageContent::Calendar { title, qr, .. } = &page.content {
                    page.content = PageContent::Events {
                        title: title.clone(),
                        items: sample_events(scale.events_per_page()),
                        note: None,
                        qr: qr.clone(),
                        position: None,
                    };
                }
            }
            for page in pages {
                // A QR code that cannot be made is an error `check` reports already.
                let Ok(text) = page_text(&page.content, &scale) else {
                    continue;
                };
                findings.extend(check_page(playlist, slide, &page, &text, target, read));
                let words = words_on(&text);
                if slowest.is_none_or(|(w, _)| words > w) {
                    slowest = Some((words, page.duration));
                }
            }
            if let Some(message) = slowest.and_then(|(w, d)| too_short(w, d)) {
                findings.push(Finding {
                    slide,
                    spot: Spot::Key("duration"),
                    message,
                    hint: "give the slide more time (duration = \"…\"), or fewer words".into(),
                });
            }
            for f in findings {
                match found.iter_mut().find(|(g, _)| *g == f) {
                    Some((_, sizes)) if sizes.contains(&target.name()) => {}
                    Some((_, sizes)) => sizes.push(target.name()),
                    None => found.push((f, vec![target.name()])),
                }
            }
        }
    }
    found
        .into_iter()
        .map(|(mut f, sizes)| {
            f.message = f.message.replace(AT, &sizes.join(" and "));
            f
        })
        .collect()
}

/// Where a message names the screen sizes it holds for.
const AT: &str = "{at}";

/// A full week of a library with long names, a holiday in the week and one after it: the most an
/// hours slide shows, for checking it without a screen.
fn sample_hours() -> (
    crate::calendar::opening::OpeningHours,
    &'static str,
    chrono::NaiveDate,
) {
    use crate::calendar::opening::{OpeningException, OpeningHours, OpeningLine};
    let line = |t: &str| OpeningLine::parse(t).expect("a sample line");
    let date = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 12, d).expect("a sample date");
    let opening = OpeningHours {
        staffed: vec![
            line("mon-thu 10:00-19:00"),
            line("fri 10:00-18:00"),
            line("sat 11:00-15:00"),
        ],
        self_service: vec![line("mon-sun 07:00-22:00")],
        exceptions: vec![
            OpeningException {
                name: Some("Julafton".into()),
                dates: vec![date(24)],
                staffed: vec![line("10:00-13:00")],
                self_service: vec![line("06:00-18:00")],
            },
            OpeningException {
                name: Some("Nyårsafton".into()),
                dates: vec![date(31)],
                staffed: vec![line("10:00-13:00")],
                self_service: vec![line("06:00-16:00")],
            },
        ],
    };
    (opening, "Karlstads stadsbibliotek", date(23))
}

/// Events with the longest texts a page commonly gets, for checking an events slide without its
/// calendar.
fn sample_events(n: usize) -> Vec<crate::show::EventLine> {
    let line = |day: &str, time: &str, title: &str, place: &str| crate::show::EventLine {
        day: day.into(),
        time: time.into(),
        title: title.into(),
        place: Some(place.into()),
        text: Some(
            "Vi läser, pratar och fikar tillsammans. Alla är välkomna och det kostar ingenting."
                .into(),
        ),
        url: Some("https://bibliotekvarmland.se/evenemang/2026/12/forfattarsamtal-karlstad".into()),
    };
    [
        line(
            "Pågår nu",
            "till 16",
            "Sagostund för de minsta",
            "Karlstads stadsbibliotek, Sagorummet",
        ),
        line(
            "I morgon",
            "kl. 17.30–19",
            "Författarsamtal: en kväll om deckare från Värmland",
            "Arvika bibliotek, Hörsalen",
        ),
        line(
            "Onsdag 30 september",
            "kl. 10.30–11.15",
            "Språkcafé – öva svenska över en kopp kaffe",
            "Kristinehamns bibliotek",
        ),
        line(
            "Lördag 12 december",
            "hela dagen",
            "Bokrea: gallrade böcker för fem kronor styck",
            "Sunne bibliotek",
        ),
        line(
            "Fredag 18 december",
            "kl. 20–01",
            "Läsnatt för unga",
            "Filipstads bibliotek, Ungdomsavdelningen",
        ),
    ]
    .into_iter()
    .cycle()
    .take(n)
    .collect()
}

/// The findings on one page of a slide, set as `text`.
fn check_page(
    playlist: &Playlist,
    slide: usize,
    page: &Page,
    text: &PageText,
    target: &Target,
    read: &dyn Fn(&Media) -> Option<Vec<u8>>,
) -> Vec<Finding> {
    let scale = target.scale();
    let content = &playlist.slides[slide].content;
    let mut out = Vec::new();
    let finding = |spot: Spot, message: String, hint: &str| Finding {
        slide,
        spot,
        message,
        hint: hint.to_string(),
    };
    for (spot, placed) in spots(content, &page.content, text) {
        if let Some(f) = cut_or_small(placed, &scale, target) {
            out.push(finding(spot, f.0, f.1));
        }
    }
    out.extend(
        qr_too_small(&page.content, text, &scale, target)
            .into_iter()
            .map(|(spot, m)| finding(spot, m, "give the code more room: a shorter address has fewer modules, and a larger screen or a shorter viewing distance helps")),
    );
    if let (PageContent::Picture { image, fit, .. }, PageText::Picture(t)) = (&page.content, text)
        && let Some(caption) = &t.caption
        && let Some(bytes) = read(image)
        && let Ok(picture) = decode_image(&bytes, target.width, target.height, *fit)
    {
        let ratio = band_contrast(bright_under(&picture, caption), SCRIM_ALPHA_LIGHT);
        if ratio < MIN_CONTRAST {
            out.push(finding(
                caption_spot(content, &page.content),
                format!(
                    "the caption sits on a bright part of the picture: {ratio:.1}:1 under the usual band at {AT}, below {MIN_CONTRAST}:1, so the screen darkens the band and hides more of the picture"
                ),
                "choose a picture that is darker at the bottom, or leave out the caption",
            ));
        }
    }
    out
}

/// Each checked text of a page, with where it comes from in the slide.
fn spots<'a>(
    slide: &SlideContent,
    page: &PageContent,
    text: &'a PageText,
) -> Vec<(Spot, &'a Placed)> {
    let mut out = Vec::new();
    match text {
        PageText::Picture(t) => {
            if let Some(c) = &t.caption {
                out.push((caption_spot(slide, page), c));
            }
            if let Some((_, title)) = &t.badge {
                out.push((Spot::Key("title"), title));
            }
        }
        // Pages a visitor opens on a touch screen are no slide's pages.
        PageText::Welcome(_) | PageText::Book { .. } | PageText::Code { .. } => {}
        PageText::Words { words, .. } => {
            out.push((Spot::Key("title"), &words.headline));
            if let Some(b) = &words.body {
                out.push((Spot::Key("text"), b));
            }
        }
        PageText::Hours(h) => {
            out.push((Spot::Key("title"), &h.headline));
            // The rest is computed from the library's hours: a problem is the slide's as a whole.
            out.extend(
                h.subtitle
                    .iter()
                    .chain(&h.heads)
                    .chain(h.rows.iter().flatten())
                    .chain(&h.coming)
                    .map(|p| (Spot::Key("kind"), p)),
            );
        }
        PageText::Events(t) => {
            // The events' own texts are the calendar's, not the slide's: on a screen they are set
            // at one size a page, never below the floor, and shortened with "…" where they must
            // be (the code leads to the whole). The sample events count only for the time to
            // read them.
            out.push((Spot::Key("title"), &t.headline));
            out.extend(t.note.iter().map(|n| (Spot::Key("kind"), n)));
        }
        PageText::Covers(c) => {
            out.push((Spot::Key("title"), &c.text.heading));
            for t in c.text.titles.iter().chain(&c.text.authors) {
                out.push((Spot::Key("source"), t));
            }
            if let Some(t) = &c.text.qr_text {
                out.push((Spot::Key("qr_text"), t));
            }
        }
    }
    out.retain(|(_, p)| p.role != Role::Decoration);
    out
}

/// Where a caption is written: a carousel picture's, or the slide's.
fn caption_spot(slide: &SlideContent, page: &PageContent) -> Spot {
    match (slide, page) {
        (
            SlideContent::Carousel { .. },
            PageContent::Picture {
                position: Some((i, _)),
                ..
            },
        ) => Spot::Picture(i - 1),
        _ => Spot::Key("caption"),
    }
}

/// A text shortened with "…" or set below its floor: the message and the hint.
fn cut_or_small(placed: &Placed, scale: &Scale, target: &Target) -> Option<(String, &'static str)> {
    let s = &placed.setting;
    let floor = match placed.role {
        Role::Headline => scale.title_floor,
        _ => scale.body_floor,
    };
    let readable = |size: f32| match scale.readable_from_m(size) {
        Some(m) => format!("readable from {m:.1} m"),
        None => "too small to read even close up".to_string(),
    };
    let quoted = shorten(&s.text, 60);
    if s.is_shortened() {
        let lost = s.lost.join(" ");
        return Some((
            format!(
                "\"{quoted}\" does not fit at {AT}: even at its smallest size ({:.0} px, {}) it ends in \"…\" and \"{lost}\" is not shown",
                s.size,
                readable(s.size)
            ),
            "shorten the text; every word counts on a screen read in passing",
        ));
    }
    if s.below_floor || s.size < floor - 0.5 {
        return Some((
            format!(
                "\"{quoted}\" is set at {:.0} px at {AT}, smaller than the {:.0} px that can be read from {:.1} m: {}",
                s.size,
                floor,
                target.viewing.distance_mm / 1000.0,
                readable(s.size)
            ),
            "shorten the text, so it can be set larger",
        ));
    }
    None
}

/// A text's first `n` characters, with "…" when it is longer.
fn shorten(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(n).collect();
        s.push('…');
        s
    }
}

/// How long the words on a page take to read: [`GLANCE`] and [`WORDS_PER_MINUTE`].
pub fn reading_time(words: usize) -> Duration {
    GLANCE + Duration::from_secs_f64(words as f64 * 60.0 / WORDS_PER_MINUTE)
}

/// The words a page shows (not counting the type on typographic covers).
fn words_on(text: &PageText) -> usize {
    text.placed()
        .iter()
        .filter(|p| p.role != Role::Decoration)
        .map(|p| p.setting.text.split_whitespace().count() - p.setting.lost.len())
        .sum()
}

/// Why `words` cannot be read in `shown`, if they cannot.
fn too_short(words: usize, shown: Duration) -> Option<String> {
    let needed = reading_time(words);
    (shown < needed).then(|| {
        format!(
            "this slide's words show for {:.1} s, too short to read: its {words} words take {:.1} s (2 s to find them, then {WORDS_PER_MINUTE:.0} words a minute)",
            shown.as_secs_f64(),
            needed.as_secs_f64()
        )
    })
}

fn qr_too_small(
    content: &PageContent,
    text: &PageText,
    scale: &Scale,
    target: &Target,
) -> Vec<(Spot, String)> {
    let mut out = Vec::new();
    let mut check = |spot: Spot, side: f32, url: &str, distance_mm: f32, what: &str| {
        let Some(modules) = qr_modules(url) else {
            return;
        };
        let mm = scale.qr_symbol_mm(side, modules);
        let needed = distance_mm / QR_DISTANCE_RATIO;
        if mm + 0.5 < needed {
            out.push((
                spot,
                format!(
                    "{what} is {mm:.0} mm wide at {AT} on a {:.0}-inch screen, too small to scan from {:.1} m (it needs {needed:.0} mm: a tenth of the distance)",
                    target.viewing.diagonal_mm / 25.4,
                    distance_mm / 1000.0
                ),
            ));
        }
    };
    match (content, text) {
        (PageContent::Qr { url, .. }, PageText::Words { code: Some(c), .. }) => {
            check(
                Spot::Key("url"),
                c.w,
                url,
                target.viewing.distance_mm,
                "the QR code",
            );
        }
        (
            PageContent::Covers {
                qr, books, book_qr, ..
            },
            PageText::Covers(c),
        ) => {
            if let Some(url) = qr {
                check(
                    Spot::Key("qr"),
                    c.layout.code.w,
                    url,
                    target.viewing.distance_mm,
                    "the QR code",
                );
            }
            if *book_qr {
                for (book, cell) in books.iter().zip(&c.layout.cells) {
                    if let (Some(link), Some(code)) = (&book.link, cell.code) {
                        check(
                            Spot::Key("book_qr"),
                            code.w,
                            link,
                            BOOK_QR_DISTANCE_MM,
                            &format!("the code of \"{}\"", shorten(&book.title, 40)),
                        );
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// Books of a covers slide with `book_qr` that have no link, so no code.
fn books_without_links(playlist: &Playlist) -> Vec<Finding> {
    playlist
        .slides
        .iter()
        .enumerate()
        .filter_map(|(slide, s)| match &s.content {
            SlideContent::Covers {
                book_qr: true,
                items,
                ..
            } => {
                let missing: Vec<&str> = items
                    .iter()
                    .filter(|b| b.link.is_none())
                    .map(|b| b.title.as_str())
                    .collect();
                (!missing.is_empty()).then(|| Finding {
                    slide,
                    spot: Spot::Key("book_qr"),
                    message: format!(
                        "{} of {} books {} no link, so no code: {}",
                        missing.len(),
                        items.len(),
                        if missing.len() == 1 { "has" } else { "have" },
                        shorten(&missing.join(", "), 80)
                    ),
                    hint: "give the books a link in the book list, or a `link` template in the screen config's [catalog]".into(),
                })
            }
            _ => None,
        })
        .collect()
}

/// The legibility warnings of playlists, in a report by file, at each text's `file:line:col`.
/// Each playlist's file is read again to find where its texts are written.
pub fn report(playlists: &[Playlist], targets: &[Target]) -> Report {
    use crate::media::MediaStore;
    let read = |m: &Media| crate::media::LocalMedia::default().read(m).ok();
    let mut report = Report::default();
    for p in playlists {
        let mut findings = check_playlist(p, targets, &read);
        findings.extend(books_without_links(p));
        if findings.is_empty() {
            continue;
        }
        let source = std::fs::read_to_string(&p.source).unwrap_or_default();
        let fields = fields_of(&p.source, &source);
        let diagnostics = findings
            .into_iter()
            .map(|f| {
                let span = fields.as_ref().and_then(|fields| span_of(fields, &f));
                Diagnostic::warning(&p.source, span, f.message).with_hint(f.hint)
            })
            .collect();
        let mut file = FileReport {
            path: p.source.clone(),
            source,
            diagnostics,
        };
        file.sort();
        report.files.push(file);
    }
    report
}

fn fields_of(path: &Path, source: &str) -> Option<Fields> {
    let base = path.parent().unwrap_or(Path::new(""));
    let mut checker = Checker::new(path, base);
    let fields = checker.check_document(source, &crate::playlist::format::PLAYLIST);
    (!checker.has_errors()).then_some(fields)
}

/// Where a finding is written: its key in the slide's table, else the slide.
fn span_of(fields: &Fields, f: &Finding) -> Option<std::ops::Range<usize>> {
    let item = fields.list("slide").get(f.slide)?;
    let Value::Table(t) = &item.value else {
        return Some(item.span.clone());
    };
    let span = match &f.spot {
        Spot::Key(key) => t.span_of(key),
        Spot::Picture(i) => t.list("images").get(*i).map(|p| match &p.value {
            Value::Table(pt) => pt.span_of("caption").unwrap_or(p.span.clone()),
            _ => p.span.clone(),
        }),
    };
    Some(span.unwrap_or(item.span.clone()))
}

/// `vitrin check`: every problem in the files and folders ([`crate::check::check_paths`]) and the
/// legibility warnings of the playlists without errors, with the books of their local lists, for
/// the screens of the screen configs among the files (or the default screens).
pub fn check_all(paths: &[PathBuf]) -> (Report, Vec<Playlist>) {
    let checked = crate::check::check_all(paths);
    let (mut report, playlists) = (checked.report, checked.playlists);
    let mut viewings: Vec<Viewing> = paths
        .iter()
        .filter_map(|p| {
            let text = crate::spec::read_source(p).ok()?;
            (detect_kind(&text) == FileKind::Screen)
                .then(|| ScreenConfig::parse(p, &text).ok())
                .flatten()
        })
        .map(|c| c.viewing)
        .collect();
    viewings.extend(checked.region.screens.iter().map(|s| s.viewing()));
    report.merge(self::report(
        &with_local_books(playlists.clone()),
        &targets(&viewings),
    ));
    (report, playlists)
}

/// The playlists with the books of their local book lists and feed files, as a screen would show
/// them; sources on the network are left for `publish`, which fetches them.
fn with_local_books(mut playlists: Vec<Playlist>) -> Vec<Playlist> {
    let mut resolver = Resolver::new(CatalogSettings::default());
    resolver.set_offline(true);
    let _ = resolve_covers(
        &mut playlists,
        &mut resolver,
        &mut Default::default(),
        chrono::Utc::now().date_naive(),
    );
    playlists
}
