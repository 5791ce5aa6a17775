//! The preview for staff, written by `vitrin publish --preview` into the feed folder: a start page
//! of libraries and screens, and a page per screen with its library's hours for the coming week,
//! what it shows now and at each change (the same schedule as `vitrin plan`), every page as that
//! screen draws it (the same renderer as `vitrin render`, at its size and orientation), and the
//! legibility warnings beside the page they concern. Pictures of pages are named by a hash of
//! what is drawn and how, so a publish renders only pages whose content changed.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use sha2::{Digest, Sha256};

use super::{PREVIEW_DIR, STYLE, date_sv, esc, mode_sv, page, weekday_sv};
use crate::fsutil::{PathError, WithPath, write_atomic};
use crate::generation::Generation;
use crate::layout::Scale;
use crate::legibility::{Finding, Target, check_playlist};
use crate::media::{Media, MediaStore};
use crate::region::ScreenEntry;
use crate::schedule::{Program, Reason, plan, program_at};
use crate::screen::ScreenConfig;
use crate::show::{Page, PageContent, pages_for, welcome_page};

/// The folder of the pages' pictures, inside the preview's.
pub const PICTURES_DIR: &str = "sidor";
/// How wide a page's picture is, in pixels (portrait ones are as tall).
pub const THUMB_PX: u32 = 640;

/// Draws pages as the screen described (its size in pixels, how it is seen, touch) would: one
/// picture per page, or why not.
pub type Draw<'a> = dyn FnMut(u32, u32, &ScreenConfig, &[Page]) -> Result<Vec<Result<image::RgbaImage, String>>, String>
    + 'a;

/// What to preview.
pub struct PreviewOptions<'a> {
    /// The feed folder: the preview goes in its `forhandsvisning/`.
    pub out: PathBuf,
    pub now: DateTime<Utc>,
    pub days: u32,
    pub store: &'a dyn MediaStore,
}

/// What a preview did.
#[derive(Debug, Default)]
pub struct PreviewReport {
    pub screens: usize,
    /// Distinct pictures of pages the preview shows.
    pub pictures: usize,
    /// Pictures drawn this time (the rest were there from an earlier publish).
    pub rendered: usize,
    /// Pages that could not be drawn, and why.
    pub failed: Vec<String>,
    pub index: PathBuf,
}

/// One screen's preview, worked out before anything is written.
struct ScreenPlan<'a> {
    entry: &'a ScreenEntry,
    config: ScreenConfig,
    /// Distinct programs, in the order they first play, with their pages.
    programs: Vec<(Program, Vec<PagePicture>)>,
    /// The schedule: from, until, and which program (index into `programs`).
    stretches: Vec<(DateTime<Utc>, DateTime<Utc>, usize)>,
    /// Legibility findings by (playlist name, slide from 1).
    findings: BTreeMap<(String, usize), Vec<Finding>>,
}

struct PagePicture {
    page: Page,
    key: String,
}

/// The name of a page's picture: what is drawn, at which size, seen how, by which vitrin.
fn picture_key(page: &Page, width: u32, height: u32, config: &ScreenConfig) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION"));
    h.update(format!("{width}x{height} {}", drawn_as(config)));
    h.update(format!("{page:?}"));
    hex::encode(&h.finalize()[..10])
}

/// What of a screen's description changes how its pages are drawn.
fn drawn_as(config: &ScreenConfig) -> String {
    format!("{:?} touch {}", config.viewing, config.touch)
}

/// Writes the preview of `generation` for every screen of its region.
pub fn write_preview(
    generation: &Generation,
    options: &PreviewOptions,
    draw: &mut Draw,
) -> Result<PreviewReport, PathError> {
    let dir = options.out.join(PREVIEW_DIR);
    let pictures_dir = dir.join(PICTURES_DIR);
    std::fs::create_dir_all(&pictures_dir).with_path(&pictures_dir)?;
    let region = &generation.region;
    let playlists = &generation.playlists;
    let until = options.now + ChronoDuration::days(i64::from(options.days));
    let read = |m: &Media| options.store.read(m).ok();
    let mut plans = Vec::new();
    for entry in &region.screens {
        let local = ScreenConfig {
            id: entry.id.clone(),
            ..ScreenConfig::default()
        };
        let config = region.apply(&local);
        let (w, h) = (entry.width, entry.height);
        let scale = Scale::viewed(w, h, config.viewing);
        let mut programs: Vec<(Program, Vec<PagePicture>)> = Vec::new();
        let mut stretches = Vec::new();
        for e in plan(playlists, &config, options.now, until) {
            let index = match programs.iter().position(|(p, _)| *p == e.program) {
                Some(i) => i,
                None => {
                    let mut pages = match e.program.reason {
                        Reason::Closed => Vec::new(),
                        Reason::Nothing => vec![welcome_page()],
                        _ => pages_for(&e.program, playlists, scale.covers_per_page()),
                    };
                    // Hours and events pages as they show when this program first plays.
                    crate::show::fill_live_for(
                        &mut pages,
                        &config,
                        e.from,
                        scale.events_per_page(),
                    );
                    let pictures = pages
                        .into_iter()
                        .map(|page| PagePicture {
                            key: picture_key(&page, w, h, &config),
                            page,
                        })
                        .collect();
                    programs.push((e.program.clone(), pictures));
                    programs.len() - 1
                }
            };
            stretches.push((e.from, e.until, index));
        }
        let target = Target {
            width: w,
            height: h,
            viewing: config.viewing,
        };
        let used: HashSet<usize> = programs
            .iter()
            .flat_map(|(p, _)| p.playlists.iter().map(|a| a.playlist))
            .collect();
        let mut findings: BTreeMap<(String, usize), Vec<Finding>> = BTreeMap::new();
        for &i in &used {
            let p = &playlists[i];
            for f in check_playlist(p, &[target], &read) {
                findings
                    .entry((p.name.clone(), f.slide + 1))
                    .or_default()
                    .push(f);
            }
        }
        plans.push(ScreenPlan {
            entry,
            config,
            programs,
            stretches,
            findings,
        });
    }
    // The pictures: drawn only where no picture of the same page is there yet.
    let mut report = PreviewReport {
        screens: plans.len(),
        ..PreviewReport::default()
    };
    let mut wanted: HashSet<String> = HashSet::new();
    let mut jobs: BTreeMap<(u32, u32, String), (&ScreenConfig, Vec<&PagePicture>)> =
        BTreeMap::new();
    for plan in &plans {
        for (_, pictures) in &plan.programs {
            for pic in pictures {
                if !wanted.insert(pic.key.clone()) {
                    continue;
                }
                if pictures_dir.join(format!("{}.jpg", pic.key)).is_file() {
                    continue;
                }
                let how = drawn_as(&plan.config);
                jobs.entry((plan.entry.width, plan.entry.height, how))
                    .or_insert_with(|| (&plan.config, Vec::new()))
                    .1
                    .push(pic);
            }
        }
    }
    report.pictures = wanted.len();
    for ((w, h, _), (config, pics)) in jobs {
        let pages: Vec<Page> = pics.iter().map(|p| p.page.clone()).collect();
        match draw(w, h, config, &pages) {
            Ok(drawn) => {
                for (pic, got) in pics.iter().zip(drawn) {
                    match got {
                        Ok(image) => {
                            let path = pictures_dir.join(format!("{}.jpg", pic.key));
                            write_atomic(&path, &thumbnail_jpeg(&image))?;
                            report.rendered += 1;
                        }
                        Err(why) => report.failed.push(format!("{}: {why}", pic.page.key)),
                    }
                }
            }
            Err(why) => report
                .failed
                .push(format!("the pages at {w}x{h} could not be drawn: {why}")),
        }
    }
    // Pictures of pages no screen shows any more go.
    if let Ok(entries) = std::fs::read_dir(&pictures_dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let key = name.strip_suffix(".jpg").unwrap_or(&name);
            if !wanted.contains(key) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let drawn = |key: &str| pictures_dir.join(format!("{key}.jpg")).is_file();
    write_atomic(&dir.join("stil.css"), STYLE.as_bytes())?;
    let index = dir.join("index.html");
    write_atomic(
        &index,
        start_page(generation, &plans, options.now, &drawn).as_bytes(),
    )?;
    for plan in &plans {
        let path = dir.join(format!("skarm-{}.html", plan.entry.id));
        write_atomic(
            &path,
            screen_page(generation, plan, options, &drawn).as_bytes(),
        )?;
    }
    // Screens no longer in the inventory lose their page.
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(id) = name
                .strip_prefix("skarm-")
                .and_then(|n| n.strip_suffix(".html"))
                && region.screen(id).is_none()
            {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    report.index = index;
    Ok(report)
}

/// A page's picture, small, as JPEG.
fn thumbnail_jpeg(image: &image::RgbaImage) -> Vec<u8> {
    let (w, h) = image.dimensions();
    let scale = f64::from(THUMB_PX) / f64::from(w.max(h));
    let (tw, th) = (
        ((f64::from(w) * scale).round() as u32).max(1),
        ((f64::from(h) * scale).round() as u32).max(1),
    );
    let small = image::imageops::thumbnail(image, tw, th);
    let rgb = image::DynamicImage::ImageRgba8(small).to_rgb8();
    let mut bytes = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 85);
    rgb.write_with_encoder(encoder)
        .expect("JPEG encoding into memory does not fail");
    bytes
}

/// What a page shows, in words, for its picture's alt text.
pub fn page_alt(page: &Page) -> String {
    match &page.content {
        PageContent::Picture { caption, title, .. } => {
            let words: Vec<&str> = [title.as_deref(), caption.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            if words.is_empty() {
                "En bild utan text".into()
            } else {
                format!("Bild: {}", words.join(". "))
            }
        }
        PageContent::Covers { title, books, .. } => {
            let titles: Vec<&str> = books.iter().map(|b| b.title.as_str()).collect();
            format!(
                "{}: {}",
                title.as_deref().unwrap_or("Bokomslag"),
                titles.join(", ")
            )
        }
        PageContent::Qr {
            title, text, url, ..
        } => format!(
            "{title}{}. QR-kod till {url}",
            text.as_ref().map(|t| format!(". {t}")).unwrap_or_default()
        ),
        PageContent::Text { title, text, .. } => format!(
            "{title}{}",
            text.as_ref().map(|t| format!(". {t}")).unwrap_or_default()
        ),
        PageContent::Welcome => "vitrins välkomstsida: inget program spelas".into(),
        PageContent::Hours { title, board } => {
            let mut words = vec![title.clone()];
            words.extend(board.library.clone());
            for r in &board.rows {
                words.push(format!(
                    "{}: bemannat {}{}",
                    r.day,
                    r.staffed,
                    if board.has_self_service {
                        format!(", meröppet {}", r.self_service)
                    } else {
                        String::new()
                    }
                ));
            }
            words.extend(board.coming.iter().cloned());
            words.join(". ")
        }
        PageContent::Events {
            title, items, note, ..
        } => {
            let mut words = vec![title.clone()];
            words.extend(items.iter().map(|e| {
                let place = e
                    .place
                    .as_ref()
                    .map(|p| format!(", {p}"))
                    .unwrap_or_default();
                format!("{} {}: {}{place}", e.day, e.time, e.title)
            }));
            words.extend(note.clone());
            words.join(". ")
        }
        PageContent::Calendar { title, .. } => format!("{title}: inga evenemang valda"),
        PageContent::Book { book, .. } => format!("Boken {}", book.title),
        PageContent::Code { title, url } => format!("{title}. QR-kod till {url}"),
    }
}

fn local(config: &ScreenConfig, t: DateTime<Utc>) -> String {
    let l = t.with_timezone(&config.timezone);
    format!(
        "{} {}",
        weekday_sv(chrono::Datelike::weekday(&l)),
        l.format("%Y-%m-%d %H:%M")
    )
}

fn library_name(generation: &Generation, entry: &ScreenEntry) -> Option<String> {
    entry
        .library
        .as_deref()
        .and_then(|id| generation.region.library(id))
        .map(|l| l.name.clone())
}

fn screen_title(generation: &Generation, entry: &ScreenEntry) -> String {
    let mut parts = vec![entry.id.clone()];
    if let Some(n) = &entry.name {
        parts.push(n.clone());
    }
    if let Some(l) = library_name(generation, entry) {
        parts.push(l);
    }
    parts.join(" – ")
}

fn orientation_sv(entry: &ScreenEntry) -> &'static str {
    if entry.portrait() {
        "stående"
    } else {
        "liggande"
    }
}

fn picture_html(pic: &PagePicture, entry: &ScreenEntry, drawn: &dyn Fn(&str) -> bool) -> String {
    if drawn(&pic.key) {
        let (w, h) = if entry.portrait() {
            (THUMB_PX * entry.width / entry.height, THUMB_PX)
        } else {
            (THUMB_PX, THUMB_PX * entry.height / entry.width)
        };
        format!(
            "<img src=\"{PICTURES_DIR}/{}.jpg\" width=\"{w}\" height=\"{h}\"{} alt=\"{}\" loading=\"lazy\">",
            pic.key,
            if entry.portrait() {
                " class=\"portrait\""
            } else {
                ""
            },
            esc(&page_alt(&pic.page))
        )
    } else {
        format!(
            "<p class=\"closed{}\">Sidan kunde inte ritas: {}</p>",
            if entry.portrait() { " portrait" } else { "" },
            esc(&page_alt(&pic.page))
        )
    }
}

fn closed_box(entry: &ScreenEntry) -> String {
    format!(
        "<p class=\"closed{}\" role=\"img\" aria-label=\"Skärmen är svart: biblioteket är stängt\">Stängt – skärmen är svart</p>",
        if entry.portrait() { " portrait" } else { "" }
    )
}

fn footer(generation: &Generation, now: DateTime<Utc>) -> String {
    format!(
        "<footer><p>Innehåll {} (nummer {}), publicerat {}. Förhandsvisningen börjar {} och gjordes av vitrin {}.</p></footer>",
        esc(&generation.id),
        generation.sequence,
        generation.published.map_or_else(
            || "–".into(),
            |t| t
                .with_timezone(&crate::screen::DEFAULT_TIMEZONE)
                .format("%Y-%m-%d %H:%M %Z")
                .to_string()
        ),
        now.with_timezone(&crate::screen::DEFAULT_TIMEZONE)
            .format("%Y-%m-%d %H:%M %Z"),
        env!("CARGO_PKG_VERSION")
    )
}

fn start_page(
    generation: &Generation,
    plans: &[ScreenPlan],
    now: DateTime<Utc>,
    drawn: &dyn Fn(&str) -> bool,
) -> String {
    let mut body = String::new();
    body.push_str("<header class=\"site\"><h1>Skärmarna i regionen</h1>\n<p class=\"meta\">Vad varje skärm visar nu och de kommande dagarna, sida för sida som skärmen ritar den. Välj en skärm för hela veckan.</p></header>\n<main id=\"main\">\n");
    if plans.is_empty() {
        body.push_str("<p>Inga skärmar är beskrivna än: skriv dem i <code>skarmar.toml</code> bredvid spellistorna och publicera igen.</p>\n");
    }
    let mut groups: Vec<(Option<&str>, String)> = generation
        .region
        .libraries
        .iter()
        .map(|l| (Some(l.id.as_str()), l.name.clone()))
        .collect();
    groups.push((None, "Skärmar utan bibliotek".into()));
    for (id, name) in groups {
        let members: Vec<&ScreenPlan> = plans
            .iter()
            .filter(|p| p.entry.library.as_deref() == id)
            .collect();
        if members.is_empty() {
            continue;
        }
        let _ = write!(body, "<section>\n<h2>{}</h2>\n", esc(&name));
        if let Some(address) = id
            .and_then(|i| generation.region.library(i))
            .and_then(|l| l.address.as_deref())
        {
            let _ = writeln!(body, "<p class=\"meta\">{}</p>", esc(address));
        }
        body.push_str("<ul class=\"cards\">\n");
        for p in members {
            let e = p.entry;
            let program = program_at(&generation.playlists, &p.config, now);
            let now_picture = p
                .programs
                .iter()
                .find(|(prog, _)| *prog == program)
                .and_then(|(_, pics)| pics.first())
                .map_or_else(|| closed_box(e), |pic| picture_html(pic, e, drawn));
            let _ = writeln!(
                body,
                "<li><h3><a href=\"skarm-{id}.html\">{name}</a></h3>\n{now_picture}\n<p>Nu: {mode}{what}.</p><p class=\"meta\">{w}×{h} {orient}{touch}.</p></li>",
                what = if program.reason == Reason::Closed {
                    String::new()
                } else {
                    format!(" – {}", esc(&program_name(generation, &program)))
                },
                id = esc(&e.id),
                name = esc(&[Some(e.id.as_str()), e.name.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" – ")),
                mode = mode_sv(program.mode),
                w = e.width,
                h = e.height,
                orient = orientation_sv(e),
                touch = if e.touch { ", pekskärm" } else { "" },
            );
        }
        body.push_str("</ul>\n</section>\n");
    }
    body.push_str("</main>\n");
    body.push_str(&footer(generation, now));
    page("Förhandsvisning av skärmarna", "stil.css", &body)
}

fn screen_page(
    generation: &Generation,
    plan: &ScreenPlan,
    options: &PreviewOptions,
    drawn: &dyn Fn(&str) -> bool,
) -> String {
    let e = plan.entry;
    let c = &plan.config;
    let title = screen_title(generation, e);
    let mut b = String::new();
    let _ = write!(
        b,
        "<header class=\"site\"><p><a href=\"index.html\">← Alla skärmar</a></p>\n<h1>{}</h1>\n",
        esc(&title)
    );
    let _ = writeln!(
        b,
        "<p class=\"meta\">{w}×{h} pixlar, {orient}{touch}. Taggar: {tags}. Läses från {dist:.1} m.</p></header>\n<main id=\"main\">",
        w = e.width,
        h = e.height,
        orient = orientation_sv(e),
        touch = if e.touch { ", pekskärm" } else { "" },
        tags = if c.tags.is_empty() {
            "inga".into()
        } else {
            esc(&c.tags.join(", "))
        },
        dist = c.viewing.distance_mm / 1000.0,
    );
    // The library's hours, day by day.
    let tz = c.timezone;
    let first = options.now.with_timezone(&tz).date_naive();
    b.push_str("<section>\n<h2>Öppettider</h2>\n");
    if c.opening.is_configured() {
        b.push_str("<div class=\"scroll\"><table>\n<caption class=\"meta\">De kommande dagarna, lokal tid. Dagar med avvikande tider är markerade.</caption>\n<tr><th scope=\"col\">Dag</th><th scope=\"col\">Bemannat</th><th scope=\"col\">Meröppet</th></tr>\n");
        for d in 0..options.days.max(1) {
            let date = first + ChronoDuration::days(i64::from(d));
            let day = c.opening.day(date);
            let windows = |w: &[crate::calendar::clock::TimeWindow]| {
                if w.is_empty() {
                    "stängt".to_string()
                } else {
                    w.iter()
                        .map(|w| w.to_string().replace('-', "–"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            let _ = writeln!(
                b,
                "<tr{class}><th scope=\"row\">{date}{x}</th><td>{s}</td><td>{m}</td></tr>",
                class = if day.exception.is_some() {
                    " class=\"exception\""
                } else {
                    ""
                },
                date = date_sv(date),
                x = day
                    .exception
                    .as_deref()
                    .map(|x| format!("<br><strong>{}</strong>", esc(x)))
                    .unwrap_or_default(),
                s = windows(&day.staffed),
                m = windows(&day.self_service),
            );
        }
        b.push_str("</table></div>\n");
    } else {
        b.push_str("<p>Inga öppettider: skärmen visar sitt program dygnet runt.</p>\n");
    }
    b.push_str("</section>\n");
    // What it shows now, then the schedule, day by day.
    if let Some((_, until, index)) = plan.stretches.first() {
        let program = &plan.programs[*index].0;
        let _ = writeln!(
            b,
            "<section>\n<h2>Nu</h2>\n<p class=\"now\">{}: {}, till {}.</p>\n</section>",
            mode_sv(program.mode),
            program_link(generation, program, *index),
            local(c, *until)
        );
    }
    let _ = writeln!(
        b,
        "<section>\n<h2>Schema de kommande {} dagarna</h2>",
        options.days
    );
    let mut day = None;
    for (from, until, index) in &plan.stretches {
        let program = &plan.programs[*index].0;
        let start = from.with_timezone(&tz);
        if day != Some(start.date_naive()) {
            if day.is_some() {
                b.push_str("</ul>\n");
            }
            day = Some(start.date_naive());
            let _ = writeln!(
                b,
                "<h3>{}</h3>\n<ul class=\"plan\">",
                date_sv(start.date_naive())
            );
        }
        let end = until.with_timezone(&tz);
        let end_text = if end.date_naive() == start.date_naive() {
            end.format("%H:%M").to_string()
        } else {
            format!("{} {}", date_sv(end.date_naive()), end.format("%H:%M"))
        };
        let _ = writeln!(
            b,
            "<li><span class=\"t\">{}–{}</span> {}: {}</li>",
            start.format("%H:%M"),
            end_text,
            mode_sv(program.mode),
            program_link(generation, program, *index),
        );
    }
    if day.is_some() {
        b.push_str("</ul>\n");
    }
    b.push_str("</section>\n");
    // Each program's pages.
    for (index, (program, pictures)) in plan.programs.iter().enumerate() {
        let _ = writeln!(
            b,
            "<section id=\"program-{}\">\n<h2>{}</h2>",
            index + 1,
            esc(&program_name(generation, program))
        );
        if program.reason == Reason::Closed {
            b.push_str(&closed_box(e));
            b.push_str("</section>\n");
            continue;
        }
        let _ = writeln!(
            b,
            "<p class=\"meta\">{} sidor. Spelas: {}.</p>",
            pictures.len(),
            plan.stretches
                .iter()
                .filter(|(_, _, i)| i == &index)
                .map(|(f, u, _)| format!("{} till {}", local(c, *f), local(c, *u)))
                .collect::<Vec<_>>()
                .join("; ")
        );
        let _ = writeln!(
            b,
            "<div class=\"pages{}\">",
            if e.portrait() { " portrait" } else { "" }
        );
        for pic in pictures {
            let key = &pic.page.key;
            let _ = write!(
                b,
                "<figure>{}<figcaption>{} – bild {}{}, {} s</figcaption>",
                picture_html(pic, e, drawn),
                esc(&key.playlist),
                key.slide,
                if key.part > 1 {
                    format!(" del {}", key.part)
                } else {
                    String::new()
                },
                pic.page.duration.as_secs()
            );
            if key.part <= 1
                && let Some(found) = plan.findings.get(&(key.playlist.clone(), key.slide))
            {
                b.push_str("<ul class=\"warn\" aria-label=\"Varningar\">");
                for f in found {
                    let _ = write!(
                        b,
                        "<li>Varning: {} <br><small>{}</small></li>",
                        esc(&f.message),
                        esc(&f.hint)
                    );
                }
                b.push_str("</ul>");
            }
            b.push_str("</figure>\n");
        }
        b.push_str("</div>\n</section>\n");
    }
    b.push_str("</main>\n");
    b.push_str(&footer(generation, options.now));
    page(&format!("Skärm {title}"), "stil.css", &b)
}

fn program_name(generation: &Generation, program: &Program) -> String {
    match program.reason {
        Reason::Closed => "Stängt".into(),
        Reason::Nothing => "Ingen spellista: vitrins välkomstsida".into(),
        Reason::Scheduled | Reason::Fallback => program
            .playlists
            .iter()
            .map(|a| generation.playlists[a.playlist].name.clone())
            .collect::<Vec<_>>()
            .join(" + "),
    }
}

fn program_link(generation: &Generation, program: &Program, index: usize) -> String {
    if program.reason == Reason::Closed {
        return "skärmen är svart".into();
    }
    format!(
        "<a href=\"#program-{}\">{}</a>",
        index + 1,
        esc(&program_name(generation, program))
    )
}

/// Where the preview's start page is, in a feed folder.
pub fn index_path(out: &Path) -> PathBuf {
    out.join(PREVIEW_DIR).join("index.html")
}
