//! Checking staff's files, of every kind vitrin reads (playlists, screen configs, book lists), for
//! `vitrin check` and for everything that reads playlists. Every file is checked completely and
//! every problem is reported; only files without errors become playlists, so a typo in one file
//! never takes the others down.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::de::DeTable;

use crate::diagnostic::{Diagnostic, FileReport, Report};
use crate::spec::{Checker, Fields};

use crate::catalog::{looks_like_book_list, parse};
use crate::diagnostic::suggest;
use crate::media::Media;
use crate::playlist::format::{PLAYLIST, build_playlist};
use crate::playlist::{Playlist, SlideContent};
use crate::region::{
    LIBRARY_DIR, Library, Region, ScreenEntry, build_inventory, build_library, library_id,
};

/// The most problems reported for one file; the rest are counted.
pub const MAX_PROBLEMS_SHOWN: usize = 100;

/// What a TOML file is, told from its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Playlist,
    /// A screen's configuration (`kiosk/screen.toml`).
    Screen,
    /// A curated list of books for a covers slide.
    CoverList,
    /// One library of the region (`bibliotek/karlstad.toml`).
    Library,
    /// The region's inventory of screens.
    Inventory,
}

/// What a file adds to the region's description.
#[derive(Debug, Clone)]
pub enum RegionPart {
    Library(Library),
    /// The screens, each with where it names its library.
    Screens(Vec<(ScreenEntry, Option<Range<usize>>)>),
}

/// One checked file.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    pub path: PathBuf,
    pub source: String,
    pub kind: FileKind,
    pub diagnostics: Vec<Diagnostic>,
    /// The playlist, when the file is one and has no errors.
    pub playlist: Option<Playlist>,
    /// A library or the inventory, when the file is one.
    pub region: Option<RegionPart>,
    /// The playlist's name and where it was written (`None` when it comes from the file name).
    name: Option<(String, Option<Range<usize>>)>,
}

impl CheckedFile {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    fn into_report(mut self) -> FileReport {
        let mut report = FileReport {
            path: self.path,
            source: std::mem::take(&mut self.source),
            diagnostics: self.diagnostics,
        };
        report.sort();
        let more = report.diagnostics.len().saturating_sub(MAX_PROBLEMS_SHOWN);
        if more > 0 {
            let errors = report.diagnostics.iter().any(Diagnostic::is_error);
            report.diagnostics.truncate(MAX_PROBLEMS_SHOWN);
            let message = format!("{more} more problems in this file are not shown");
            let d = if errors {
                Diagnostic::error(&report.path, None, message)
            } else {
                Diagnostic::warning(&report.path, None, message)
            };
            report
                .diagnostics
                .push(d.with_hint("fix the problems above first, then check again"));
        }
        report
    }
}

/// Tells a playlist from a screen config or a cover list by its top-level keys.
pub fn detect_kind(source: &str) -> FileKind {
    let (root, _) = DeTable::parse_recoverable(source);
    let has = |k: &str| root.get_ref().iter().any(|(key, _)| key.get_ref() == k);
    if has("slide") {
        FileKind::Playlist
    } else if has("library") {
        FileKind::Library
    } else if has("screen") {
        FileKind::Inventory
    } else if has("book") {
        FileKind::CoverList
    } else if [
        "id",
        "opening",
        "timezone",
        "feed",
        "cache_dir",
        "playlists",
    ]
    .iter()
    .any(|k| has(k))
    {
        FileKind::Screen
    } else {
        FileKind::Playlist
    }
}

/// Checks one file of any kind from its text.
pub fn check_str(path: &Path, source: String) -> CheckedFile {
    let kind = detect_kind(&source);
    let base = path.parent().unwrap_or(Path::new(""));
    let mut checker = Checker::new(path, base);
    let mut region = None;
    let (playlist, name) = match kind {
        FileKind::Playlist => {
            let fields = checker.check_document(&source, &PLAYLIST);
            let name = playlist_name(&fields, path);
            let playlist = (!checker.has_errors()).then(|| build_playlist(&fields, path));
            if let Some(p) = &playlist {
                check_cover_sources(p, &fields, &mut checker);
            }
            let playlist = playlist.filter(|_| !checker.has_errors());
            (playlist, Some(name))
        }
        FileKind::Screen => {
            checker.check_document(&source, &crate::screen::SCREEN);
            (None, None)
        }
        FileKind::CoverList => {
            checker.check_document(&source, &crate::catalog::curated::COVER_LIST);
            (None, None)
        }
        FileKind::Library => {
            let fields = checker.check_document(&source, &crate::region::LIBRARY);
            region = Some(RegionPart::Library(build_library(&fields, path)));
            (None, None)
        }
        FileKind::Inventory => {
            let fields = checker.check_document(&source, &crate::region::INVENTORY);
            region = Some(RegionPart::Screens(build_inventory(&fields)));
            (None, None)
        }
    };
    CheckedFile {
        path: path.to_path_buf(),
        source,
        kind,
        diagnostics: checker.diagnostics,
        playlist,
        region,
        name,
    }
}

/// Checks one file of any kind.
pub fn check_file(path: &Path) -> CheckedFile {
    use std::io::ErrorKind;
    match crate::spec::read_source(path) {
        Ok(source) => check_str(path, source),
        Err(e) if e.kind() == ErrorKind::InvalidData => unreadable(
            path,
            e.to_string(),
            "save it as UTF-8: most editors have it under \"Save as\" or \"Encoding\"",
        ),
        Err(e) => unreadable(
            path,
            format!("cannot read the file: {e}"),
            match e.kind() {
                ErrorKind::FileTooLarge => {
                    "playlists, screen configs and book lists are a few kilobytes: is it the right file?"
                }
                _ => "check the path and that the file can be read",
            },
        ),
    }
}

fn unreadable(path: &Path, message: String, hint: &str) -> CheckedFile {
    CheckedFile {
        path: path.to_path_buf(),
        source: String::new(),
        kind: FileKind::Playlist,
        diagnostics: vec![Diagnostic::error(path, None, message).with_hint(hint)],
        playlist: None,
        region: None,
        name: None,
    }
}

fn playlist_name(fields: &Fields, path: &Path) -> (String, Option<Range<usize>>) {
    match fields.text("name") {
        Some(n) => (n, fields.span_of("name")),
        None => (
            path.file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
            None,
        ),
    }
}

/// Checks a playlist from a string, for tests and tools: the playlist if it has no errors, and
/// every diagnostic.
pub fn load_playlist_str(path: &Path, source: &str) -> (Option<Playlist>, Vec<Diagnostic>) {
    let f = check_str(path, source.to_string());
    (f.playlist, f.diagnostics)
}

/// The TOML files directly in a folder, sorted by name: the playlists of a folder. Subfolders hold
/// pictures and lists, not playlists.
pub fn toml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// Checks files and folders (each folder's own `*.toml` files), and across them that no two
/// playlists share a name. Returns every diagnostic and the playlists without errors.
pub fn check_paths(paths: &[PathBuf]) -> (Report, Vec<Playlist>) {
    let checked = check_all(paths);
    (checked.report, checked.playlists)
}

/// Everything good in a set of staff files, and every problem.
#[derive(Debug, Default)]
pub struct Checked {
    pub report: Report,
    pub playlists: Vec<Playlist>,
    /// The libraries and screens described in files without errors.
    pub region: Region,
    /// The files each good part of the region came from.
    pub region_files: Vec<(PathBuf, RegionPart)>,
}

/// Checks files and folders: each folder's own `*.toml` files and its libraries (`bibliotek/`);
/// across files, that no two playlists share a name and that the inventory's libraries exist.
pub fn check_all(paths: &[PathBuf]) -> Checked {
    let mut files = Vec::new();
    let mut report = Report::default();
    for path in paths {
        if path.is_dir() {
            match toml_files(path) {
                Ok(found) if found.is_empty() => report.files.push(FileReport {
                    path: path.clone(),
                    source: String::new(),
                    diagnostics: vec![
                        Diagnostic::warning(path, None, "no .toml files in this folder")
                            .with_hint("playlists are .toml files directly in the folder"),
                    ],
                }),
                Ok(found) => {
                    files.extend(found.iter().map(|p| check_file(p)));
                    let libraries = path.join(LIBRARY_DIR);
                    if libraries.is_dir() {
                        let found = toml_files(&libraries).unwrap_or_default();
                        files.extend(found.iter().map(|p| check_file(p)));
                    }
                }
                Err(e) => report.files.push(FileReport {
                    path: path.clone(),
                    source: String::new(),
                    diagnostics: vec![Diagnostic::error(
                        path,
                        None,
                        format!("cannot read the folder: {e}"),
                    )],
                }),
            }
        } else {
            files.push(check_file(path));
        }
    }
    mark_duplicate_names(&mut files);
    check_library_references(&mut files);
    // Book lists that covers slides name are checked too, as files of their own.
    let lists: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| f.playlist.as_ref())
        .flat_map(|p| p.slides.iter())
        .filter_map(|s| match &s.content {
            SlideContent::Covers {
                source: Media::File(path),
                ..
            } if path.extension().is_some_and(|e| e == "toml") => Some(path.clone()),
            _ => None,
        })
        .collect();
    for list in lists {
        if !files.iter().any(|f| f.path == list) {
            files.push(check_file(&list));
        }
    }
    let mut checked = Checked {
        report,
        ..Checked::default()
    };
    for mut f in files {
        if let Some(p) = f.playlist.take()
            && !f.has_errors()
        {
            checked.playlists.push(p);
        }
        if let Some(part) = f.region.take()
            && !f.has_errors()
        {
            checked.region_files.push((f.path.clone(), part));
        }
        checked.report.files.push(f.into_report());
    }
    checked.region = region_of(checked.region_files.iter().map(|(_, part)| part));
    checked
}

/// Only the region's files of a playlists folder (its libraries and inventory), checked: for
/// commands that need a screen's description but not its playlists.
pub fn load_region(dir: &Path) -> (Region, Report) {
    let mut paths: Vec<PathBuf> = toml_files(dir).unwrap_or_default();
    paths.extend(toml_files(&dir.join(LIBRARY_DIR)).unwrap_or_default());
    paths.retain(|p| {
        crate::spec::read_source(p)
            .is_ok_and(|text| matches!(detect_kind(&text), FileKind::Library | FileKind::Inventory))
    });
    let checked = check_all(&paths);
    (checked.region, checked.report)
}

/// The region the parts describe: libraries by id, screens in the order they are written.
pub fn region_of<'a>(parts: impl Iterator<Item = &'a RegionPart>) -> Region {
    let mut region = Region::default();
    for part in parts {
        match part {
            RegionPart::Library(l) => {
                if region.library(&l.id).is_none() {
                    region.libraries.push(l.clone());
                }
            }
            RegionPart::Screens(screens) => {
                for (s, _) in screens {
                    if region.screen(&s.id).is_none() {
                        region.screens.push(s.clone());
                    }
                }
            }
        }
    }
    region.libraries.sort_by(|a, b| a.id.cmp(&b.id));
    region
}

/// Each library the inventory names has a file of its own.
fn check_library_references(files: &mut [CheckedFile]) {
    let known: Vec<String> = files
        .iter()
        .filter(|f| f.kind == FileKind::Library)
        .map(|f| library_id(&f.path))
        .collect();
    for f in files.iter_mut() {
        let Some(RegionPart::Screens(screens)) = &f.region else {
            continue;
        };
        // Checked alone, an inventory's libraries are the files beside it.
        let mut known = known.clone();
        let beside = f.path.parent().unwrap_or(Path::new("")).join(LIBRARY_DIR);
        known.extend(
            toml_files(&beside)
                .unwrap_or_default()
                .iter()
                .map(|p| library_id(p)),
        );
        let mut problems = Vec::new();
        for (screen, span) in screens {
            if let Some(lib) = &screen.library
                && !known.contains(lib)
            {
                let hint = match suggest(lib, known.iter().map(String::as_str)) {
                    Some(near) => format!("did you mean \"{near}\"?"),
                    None => format!(
                        "describe it in {LIBRARY_DIR}/{lib}.toml beside the playlists, or name one of: {}",
                        if known.is_empty() {
                            "(none yet)".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                };
                problems.push(
                    Diagnostic::error(
                        &f.path,
                        span.clone(),
                        format!("screen \"{}\" is in library \"{lib}\", which has no file in {LIBRARY_DIR}/", screen.id),
                    )
                    .with_hint(hint),
                );
            }
        }
        f.diagnostics.extend(problems);
    }
}

fn mark_duplicate_names(files: &mut [CheckedFile]) {
    let mut first_use: HashMap<String, (PathBuf, String)> = HashMap::new();
    for f in files.iter_mut() {
        let Some((name, span)) = f.name.clone() else {
            continue;
        };
        match first_use.get(&name) {
            Some((other, position)) => {
                f.diagnostics.push(
                    Diagnostic::error(
                        &f.path,
                        span,
                        format!(
                            "playlist name \"{name}\" is already used by {}{position}",
                            other.display()
                        ),
                    )
                    .with_hint("give each playlist its own name"),
                );
                f.playlist = None;
            }
            None => {
                let position = span
                    .map(|s| {
                        let p = crate::diagnostic::position_of(&f.source, s.start);
                        format!(":{}:{}", p.line, p.column)
                    })
                    .unwrap_or_default();
                first_use.insert(name, (f.path.clone(), position));
            }
        }
    }
}

/// The playlists of a folder, and what was wrong with the rest.
pub fn load_dir(dir: &Path) -> (Vec<Playlist>, Report) {
    let (report, playlists) = check_paths(&[dir.to_path_buf()]);
    (playlists, report)
}

/// Checks the local catalog sources a playlist's covers slides name (book lists are checked as
/// files of their own; feeds are read to see that they are feeds).
pub fn check_cover_sources(playlist: &Playlist, fields: &Fields, checker: &mut Checker) {
    let slides = fields.list("slide");
    for (slide, item) in playlist.slides.iter().zip(slides) {
        if let SlideContent::Events {
            source: Media::File(path),
            ..
        } = &slide.content
        {
            check_calendar(path, item, checker);
            continue;
        }
        let SlideContent::Covers {
            source: Media::File(path),
            ..
        } = &slide.content
        else {
            continue;
        };
        let Some((span, bytes)) = read_named_source(path, item, crate::http::MAX_DOWNLOAD, checker)
        else {
            continue;
        };
        if looks_like_book_list(&bytes).is_some() {
            continue;
        }
        if let Err(e) = parse::parse(&bytes, None) {
            checker.error(
                span,
                format!(
                    "\"{}\" is not a catalog feed vitrin can read: {e}",
                    path.display()
                ),
                Some(
                    "use an RSS, Atom/OPDS, MARCXML or Libris JSON export, or a book list in TOML"
                        .into(),
                ),
            );
        }
    }
}

/// A file a slide names as its `source`, read within `limit`, and where the slide names it; an
/// error there when it cannot be read.
fn read_named_source(
    path: &Path,
    item: &crate::spec::Item,
    limit: u64,
    checker: &mut Checker,
) -> Option<(Range<usize>, Vec<u8>)> {
    let span = match &item.value {
        crate::spec::Value::Table(t) => t.span_of("source").unwrap_or(item.span.clone()),
        _ => item.span.clone(),
    };
    match crate::fsutil::read_bounded(path, limit) {
        Ok(bytes) => Some((span, bytes)),
        Err(e) => {
            let message = format!("\"{}\" cannot be read: {e}", path.display());
            checker.error(span, message, None);
            None
        }
    }
}

/// Checks a calendar file an events slide names: an error where it cannot be read (with its
/// line), a warning for each event left out of it.
fn check_calendar(path: &Path, item: &crate::spec::Item, checker: &mut Checker) {
    let limit = crate::events::ics::MAX_ICS_BYTES as u64;
    let Some((span, bytes)) = read_named_source(path, item, limit, checker) else {
        return;
    };
    let now = chrono::Utc::now();
    let days = chrono::Duration::days(i64::from(crate::events::MAX_LOOK_AHEAD_DAYS));
    match crate::events::ics::parse(&bytes, crate::screen::DEFAULT_TIMEZONE, now, now + days) {
        Err(e) => checker.error(
            span,
            format!(
                "\"{}\" is not a calendar vitrin can read: {e}",
                path.display()
            ),
            Some(
                "use an iCalendar (.ics) file, as calendar programs and library webs export".into(),
            ),
        ),
        Ok(parsed) => {
            for w in parsed.warnings.iter().take(10) {
                checker.warning(span.clone(), format!("{}: {w}", path.display()), None);
            }
        }
    }
}
