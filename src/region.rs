//! The region described in one place: its libraries (name, opening hours, meröppet hours, days
//! with other hours) and its inventory of screens (id, library, tags, size and orientation, touch,
//! how they are seen). Staff write them as TOML beside the playlists: one file per library in
//! `bibliotek/`, and the inventory in a file of `[[screen]]` tables. `publish` puts them in the
//! manifest and a standalone screen reads them from its folder, so a screen's own config needs
//! only what must be local (its id, the feed, the key, the cache); whatever it does set locally
//! still wins ([`Region::apply`]).

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::calendar::opening::OpeningHours;
use crate::layout::Viewing;
use crate::screen::{
    DIAGONAL, OPENING, REDUCED_MOTION, ScreenConfig, TAGS, VIEWING_DISTANCE, build_opening,
};
use crate::spec::{Checker, Field, Fields, TableSpec, Ty, Value};

/// The folder beside the playlists that holds one file per library.
pub const LIBRARY_DIR: &str = "bibliotek";
/// The most libraries and screens a region may describe, and the longest id and text.
pub const MAX_LIBRARIES: usize = 500;
pub const MAX_SCREENS: usize = 5_000;
pub const MAX_ID_CHARS: usize = 64;
pub const MAX_TEXT_CHARS: usize = 200;
/// The most days with other hours a library may list.
pub const MAX_EXCEPTIONS: usize = 1_000;
/// The pixel sizes a screen may have, per side.
pub const SIDE_PIXELS: std::ops::RangeInclusive<u32> = 320..=8192;

/// Everything the region describes centrally.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Region {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub libraries: Vec<Library>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub screens: Vec<ScreenEntry>,
}

/// One library: what visitors call it and when it is open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Library {
    /// From the file name: `bibliotek/karlstad.toml` is library `karlstad`.
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// An IANA time zone name; none: the screens' own (Europe/Stockholm by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default)]
    pub opening: OpeningHours,
}

/// One screen of the inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreenEntry {
    pub id: String,
    /// Where it stands, for people: "Entrén", "Barnavdelningen".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The id of its library.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub library: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Its picture in pixels as it hangs: 1080x1920 for a portrait screen.
    pub width: u32,
    pub height: u32,
    #[serde(default)]
    pub touch: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagonal_mm: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewing_distance_mm: Option<u32>,
    #[serde(default)]
    pub reduced_motion: bool,
}

impl ScreenEntry {
    pub fn portrait(&self) -> bool {
        self.height > self.width
    }

    /// How the screen is seen: its own figures, vitrin's defaults for what it leaves out.
    pub fn viewing(&self) -> Viewing {
        let d = Viewing::default();
        Viewing {
            diagonal_mm: self.diagonal_mm.map_or(d.diagonal_mm, |mm| mm as f32),
            distance_mm: self
                .viewing_distance_mm
                .map_or(d.distance_mm, |mm| mm as f32),
        }
    }
}

/// Why a region read from a manifest was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the region's description: {0}")]
pub struct RegionError(pub String);

impl Region {
    pub fn is_empty(&self) -> bool {
        self.libraries.is_empty() && self.screens.is_empty()
    }

    pub fn library(&self, id: &str) -> Option<&Library> {
        self.libraries.iter().find(|l| l.id == id)
    }

    pub fn screen(&self, id: &str) -> Option<&ScreenEntry> {
        self.screens.iter().find(|s| s.id == id)
    }

    /// The screens of a library, in inventory order.
    pub fn screens_of<'a>(&'a self, library: &'a str) -> impl Iterator<Item = &'a ScreenEntry> {
        self.screens
            .iter()
            .filter(move |s| s.library.as_deref() == Some(library))
    }

    /// Checks a region that came from outside (a manifest): counts, lengths, ids, time zones,
    /// sizes and references are within the limits a published one keeps to.
    pub fn check(&self) -> Result<(), RegionError> {
        let fail = |m: String| Err(RegionError(m));
        if self.libraries.len() > MAX_LIBRARIES {
            return fail(format!("more than {MAX_LIBRARIES} libraries"));
        }
        if self.screens.len() > MAX_SCREENS {
            return fail(format!("more than {MAX_SCREENS} screens"));
        }
        let mut ids = HashSet::new();
        for l in &self.libraries {
            check_id(&l.id, "library")?;
            if !ids.insert(l.id.as_str()) {
                return fail(format!("library \"{}\" is described twice", l.id));
            }
            for text in [Some(&l.name), l.address.as_ref()].into_iter().flatten() {
                check_text(text)?;
            }
            if let Some(tz) = &l.timezone
                && tz.parse::<chrono_tz::Tz>().is_err()
            {
                return fail(format!("library \"{}\": unknown time zone", l.id));
            }
            if l.opening.exceptions.len() > MAX_EXCEPTIONS {
                return fail(format!("library \"{}\": too many exceptions", l.id));
            }
        }
        let mut screens = HashSet::new();
        for s in &self.screens {
            check_id(&s.id, "screen")?;
            if !screens.insert(s.id.as_str()) {
                return fail(format!("screen \"{}\" is described twice", s.id));
            }
            if !SIDE_PIXELS.contains(&s.width) || !SIDE_PIXELS.contains(&s.height) {
                return fail(format!("screen \"{}\": size out of range", s.id));
            }
            if let Some(lib) = &s.library
                && !ids.contains(lib.as_str())
            {
                return fail(format!(
                    "screen \"{}\" is in library \"{lib}\", which is not described",
                    s.id
                ));
            }
            if s.tags.len() > 100 {
                return fail(format!("screen \"{}\": too many tags", s.id));
            }
            for text in s.tags.iter().chain(&s.name) {
                check_text(text)?;
            }
        }
        Ok(())
    }

    /// The screen `local` describes, as the region describes it: its library's time zone and
    /// hours, its tags (with its library's id as one more), how it is seen. What `local` set in its
    /// own file wins over the region; what neither sets is vitrin's default. A screen the region
    /// does not know keeps its own config. Applying to an already applied config gives the same.
    pub fn apply(&self, local: &ScreenConfig) -> ScreenConfig {
        let Some(entry) = self.screen(&local.id) else {
            return local.clone();
        };
        let library = entry.library.as_deref().and_then(|id| self.library(id));
        let default = ScreenConfig::default();
        let mine = |key: &str| local.set_locally.contains(&key);
        let mut c = local.clone();
        c.library = entry.library.clone();
        c.library_name = library.map(|l| l.name.clone());
        c.place = entry.name.clone();
        let mut tags: Vec<String> = if mine("tags") {
            local.tags.clone()
        } else {
            Vec::new()
        };
        for t in entry.tags.iter().chain(&entry.library) {
            if !tags.contains(t) {
                tags.push(t.clone());
            }
        }
        c.tags = tags;
        if !mine("timezone") {
            c.timezone = library
                .and_then(|l| l.timezone.as_deref())
                .and_then(|tz| tz.parse().ok())
                .unwrap_or(default.timezone);
        }
        if !mine("opening") {
            c.opening = library.map(|l| l.opening.clone()).unwrap_or_default();
        }
        if !mine("touch") {
            c.touch = entry.touch;
        }
        if !mine("reduced_motion") {
            c.reduced_motion = entry.reduced_motion;
        }
        if !mine("diagonal") {
            c.viewing.diagonal_mm = entry
                .diagonal_mm
                .map_or(default.viewing.diagonal_mm, |mm| mm as f32);
        }
        if !mine("viewing_distance") {
            c.viewing.distance_mm = entry
                .viewing_distance_mm
                .map_or(default.viewing.distance_mm, |mm| mm as f32);
        }
        c.size = Some((entry.width, entry.height));
        c
    }
}

fn check_id(id: &str, what: &str) -> Result<(), RegionError> {
    if id_problem(id).is_some() {
        return Err(RegionError(format!(
            "a {what} id is not a short word of letters, digits and dashes"
        )));
    }
    Ok(())
}

fn check_text(text: &str) -> Result<(), RegionError> {
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(RegionError(format!(
            "a text is longer than {MAX_TEXT_CHARS} characters"
        )));
    }
    Ok(())
}

/// What is wrong with an id, if anything: ids name files and web addresses of the preview and
/// fleet pages, so they are lower-case letters, digits, `-` and `_`.
pub fn id_problem(id: &str) -> Option<String> {
    if id.is_empty() || id.chars().count() > MAX_ID_CHARS {
        return Some(format!("an id is 1 to {MAX_ID_CHARS} characters"));
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Some(format!(
            "\"{id}\" has characters an id cannot have: use a-z, 0-9, - and _ (write å, ä, ö as a, a, o)"
        ));
    }
    None
}

/// Reads `WxH` as a screen's pixel size.
pub fn parse_size(text: &str) -> Option<(u32, u32)> {
    let (w, h) = text.trim().split_once(['x', 'X', '×'])?;
    let (w, h) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    (SIDE_PIXELS.contains(&w) && SIDE_PIXELS.contains(&h)).then_some((w, h))
}

/// One library's file, checked: the library, or `None` when the file has errors.
pub fn build_library(fields: &Fields, path: &Path) -> Library {
    Library {
        id: library_id(path),
        name: fields.text("library").unwrap_or_default(),
        address: fields.text("address"),
        timezone: fields.timezone("timezone").map(|tz| tz.name().to_string()),
        opening: fields
            .table("opening")
            .map(build_opening)
            .unwrap_or_default(),
    }
}

/// A library's id: its file's name without `.toml`.
pub fn library_id(path: &Path) -> String {
    path.file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
}

/// The screens of an inventory file, with where each names its library (for cross-file checks).
pub fn build_inventory(fields: &Fields) -> Vec<(ScreenEntry, Option<Range<usize>>)> {
    fields
        .list("screen")
        .iter()
        .filter_map(|item| match &item.value {
            Value::Table(t) => Some(t),
            _ => None,
        })
        .map(|t| {
            let (w, h) = t
                .text("size")
                .and_then(|s| parse_size(&s))
                .unwrap_or((1920, 1080));
            let (long, short) = (w.max(h), w.min(h));
            let (width, height) = match t.word("orientation") {
                Some("portrait") => (short, long),
                Some("landscape") => (long, short),
                _ => (w, h),
            };
            (
                ScreenEntry {
                    id: t.text("id").unwrap_or_default(),
                    name: t.text("name"),
                    library: t.text("library"),
                    tags: t.texts("tags"),
                    width,
                    height,
                    touch: t.bool("touch").unwrap_or(false),
                    diagonal_mm: t.length_mm("diagonal").map(|mm| mm as u32),
                    viewing_distance_mm: t.length_mm("viewing_distance").map(|mm| mm as u32),
                    reduced_motion: t.bool("reduced_motion").unwrap_or(false),
                },
                t.span_of("library"),
            )
        })
        .collect()
}

fn validate_library(fields: &Fields, checker: &mut Checker) {
    if let Some(problem) = id_problem(&library_id(checker.path)) {
        checker.error(
            fields.span_of("library").unwrap_or(0..0),
            format!("the file's name is the library's id, and {problem}"),
            Some("rename the file, like bibliotek/karlstad.toml".into()),
        );
    }
    if let Some(Value::Table(opening)) = fields.get("opening").map(|i| &i.value)
        && opening.list("exception").len() > MAX_EXCEPTIONS
    {
        checker.error(
            opening.span.clone(),
            format!("more than {MAX_EXCEPTIONS} exceptions"),
            Some("remove the days that have passed".into()),
        );
    }
}

fn validate_screen(fields: &Fields, checker: &mut Checker) {
    if let (Some(id), Some(span)) = (fields.text("id"), fields.span_of("id"))
        && let Some(problem) = id_problem(&id)
    {
        checker.error(span, problem, Some("like id = \"karlstad-entre\"".into()));
    }
    if let (Some(size), Some(span)) = (fields.text("size"), fields.span_of("size"))
        && parse_size(&size).is_none()
    {
        checker.error(
            span,
            format!(
                "\"{size}\" is not a screen size ({} to {} pixels a side)",
                SIDE_PIXELS.start(),
                SIDE_PIXELS.end()
            ),
            Some("write it as width x height in pixels, like size = \"1920x1080\"".into()),
        );
    }
}

fn validate_inventory(fields: &Fields, checker: &mut Checker) {
    let screens = fields.list("screen");
    if screens.len() > MAX_SCREENS {
        checker.error(
            fields.span.clone(),
            format!("more than {MAX_SCREENS} screens"),
            None,
        );
    }
    let mut seen: Vec<(String, Range<usize>)> = Vec::new();
    for item in screens {
        let Value::Table(t) = &item.value else {
            continue;
        };
        let (Some(id), Some(span)) = (t.text("id"), t.span_of("id")) else {
            continue;
        };
        if seen.iter().any(|(other, _)| *other == id) {
            checker.error(
                span,
                format!("screen \"{id}\" is already in the inventory"),
                Some("give each screen its own id".into()),
            );
        } else {
            seen.push((id, span));
        }
    }
}

/// A library's file (`bibliotek/karlstad.toml`).
pub static LIBRARY: TableSpec = TableSpec {
    noun: "library",
    doc: "One library of the region: its name and opening hours. The file's name is its id (bibliotek/karlstad.toml is \"karlstad\"); the inventory of screens names it.",
    fields: &[
        Field {
            name: "library",
            ty: Ty::Text,
            required: true,
            doc: "The library's name, as visitors know it.",
            example: "library = \"Karlstads stadsbibliotek\"",
        },
        Field {
            name: "address",
            ty: Ty::Text,
            required: false,
            doc: "Where it is, for the preview pages.",
            example: "address = \"Västra Torggatan 26, Karlstad\"",
        },
        Field {
            name: "timezone",
            ty: Ty::Timezone,
            required: false,
            doc: "The library's time zone (default Europe/Stockholm).",
            example: "timezone = \"Europe/Stockholm\"",
        },
        Field {
            name: "opening",
            ty: Ty::Table(&OPENING),
            required: false,
            doc: "Opening hours: staffed, self-service (meröppet), and days with other hours. Every screen of the library follows them.",
            example: "[opening]\nstaffed = \"mon-fri 10:00-19:00\"",
        },
    ],
    validate: Some(validate_library),
};

static SCREEN_ENTRY: TableSpec = TableSpec {
    noun: "screen",
    doc: "One screen of the region.",
    fields: &[
        Field {
            name: "id",
            ty: Ty::Text,
            required: true,
            doc: "The screen's id, the same as `id` in its own screen config.",
            example: "id = \"karlstad-entre\"",
        },
        Field {
            name: "name",
            ty: Ty::Text,
            required: false,
            doc: "Where it stands, for people.",
            example: "name = \"Entrén\"",
        },
        Field {
            name: "library",
            ty: Ty::Text,
            required: false,
            doc: "The library it is in: the name of its file in bibliotek/ without .toml. The screen follows that library's hours and gets its id as a tag.",
            example: "library = \"karlstad\"",
        },
        TAGS,
        Field {
            name: "orientation",
            ty: Ty::Enum {
                noun: "orientation",
                values: &["landscape", "portrait"],
            },
            required: false,
            doc: "How the screen hangs (default: as its size says).",
            example: "orientation = \"portrait\"",
        },
        Field {
            name: "size",
            ty: Ty::Text,
            required: false,
            doc: "The screen's picture in pixels (default \"1920x1080\").",
            example: "size = \"1920x1080\"",
        },
        Field {
            name: "touch",
            ty: Ty::Bool,
            required: false,
            doc: "The screen is a touch kiosk (default false).",
            example: "touch = true",
        },
        DIAGONAL,
        VIEWING_DISTANCE,
        REDUCED_MOTION,
    ],
    validate: Some(validate_screen),
};

/// The inventory of screens (a file of `[[screen]]` tables beside the playlists).
pub static INVENTORY: TableSpec = TableSpec {
    noun: "inventory of screens",
    doc: "Every screen of the region: one [[screen]] table each.",
    fields: &[Field {
        name: "screen",
        ty: Ty::List {
            item: &Ty::Table(&SCREEN_ENTRY),
            min: 1,
            single: false,
        },
        required: true,
        doc: "One screen: its id, library, tags, size and orientation, touch.",
        example: "[[screen]]\nid = \"karlstad-entre\"\nlibrary = \"karlstad\"",
    }],
    validate: Some(validate_inventory),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::opening::Mode;
    use chrono::NaiveDateTime;

    fn check_doc(path: &str, src: &str, spec: &'static TableSpec) -> (Fields, Vec<String>) {
        let path = Path::new(path);
        let mut checker = Checker::new(path, Path::new(""));
        let fields = checker.check_document(src, spec);
        let lines = checker
            .diagnostics
            .iter()
            .map(|d| d.headline(src))
            .collect();
        (fields, lines)
    }

    const KARLSTAD: &str = r#"
library = "Karlstads stadsbibliotek"
[opening]
staffed = ["mon-fri 10:00-19:00", "sat 11:00-15:00"]
self-service = "mon-sun 07:00-22:00"
[[opening.exception]]
name = "Julafton"
dates = [2026-12-24]
staffed = "10:00-13:00"
"#;

    const INVENTORY_SRC: &str = r#"
[[screen]]
id = "karlstad-entre"
name = "Entrén"
library = "karlstad"
tags = ["vuxen"]
touch = true
viewing_distance = "3m"

[[screen]]
id = "karlstad-barn"
library = "karlstad"
orientation = "portrait"
size = "1920x1080"
"#;

    fn region() -> Region {
        let (lib, errors) = check_doc("bibliotek/karlstad.toml", KARLSTAD, &LIBRARY);
        assert!(errors.is_empty(), "{errors:?}");
        let (inv, errors) = check_doc("skarmar.toml", INVENTORY_SRC, &INVENTORY);
        assert!(errors.is_empty(), "{errors:?}");
        Region {
            libraries: vec![build_library(&lib, Path::new("bibliotek/karlstad.toml"))],
            screens: build_inventory(&inv).into_iter().map(|(s, _)| s).collect(),
        }
    }

    #[test]
    fn a_screen_takes_its_library_hours_and_the_inventory_from_the_region() {
        let region = region();
        region.check().unwrap();
        assert_eq!(region.screens[1].width, 1080);
        assert_eq!(region.screens[1].height, 1920);
        let local = ScreenConfig::parse(
            Path::new("screen.toml"),
            "id = \"karlstad-entre\"\nfeed = \"https://feed.example.se/\"\n",
        )
        .unwrap();
        let c = region.apply(&local);
        assert_eq!(c.tags, ["vuxen", "karlstad"]);
        assert!(c.touch);
        assert_eq!(c.viewing.distance_mm, 3000.0);
        assert_eq!(c.library.as_deref(), Some("karlstad"));
        assert_eq!(c.size, Some((1920, 1080)));
        let at = |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(c.opening.mode_at(at("2026-12-24 12:00")), Mode::Staffed);
        assert_eq!(c.opening.mode_at(at("2026-12-24 14:00")), Mode::Closed);
        assert_eq!(c.opening.mode_at(at("2026-12-23 20:00")), Mode::SelfService);
        assert_eq!(region.apply(&c), c, "applying twice changes nothing");
    }

    #[test]
    fn what_a_screen_sets_itself_wins() {
        let local = ScreenConfig::parse(
            Path::new("screen.toml"),
            "id = \"karlstad-entre\"\ntouch = false\ntags = [\"prov\"]\n[opening]\nstaffed = \"mon-sun 08:00-09:00\"\n",
        )
        .unwrap();
        let c = region().apply(&local);
        assert!(!c.touch);
        assert_eq!(c.tags, ["prov", "vuxen", "karlstad"]);
        assert_eq!(c.opening, local.opening);
        // A screen the region does not know keeps its own config.
        let other = ScreenConfig::parse(Path::new("s.toml"), "id = \"arvika-1\"\n").unwrap();
        assert_eq!(region().apply(&other), other);
    }

    #[test]
    fn mistakes_are_reported_where_they_are_written() {
        let (_, lines) = check_doc(
            "skarmar.toml",
            "[[screen]]\nid = \"Karlstad Entré\"\nsize = \"big\"\n[[screen]]\nid = \"a\"\n[[screen]]\nid = \"a\"\n",
            &INVENTORY,
        );
        assert_eq!(
            lines,
            [
                "skarmar.toml:2:6: error: \"Karlstad Entré\" has characters an id cannot have: use a-z, 0-9, - and _ (write å, ä, ö as a, a, o)",
                "skarmar.toml:3:8: error: \"big\" is not a screen size (320 to 8192 pixels a side)",
                "skarmar.toml:7:6: error: screen \"a\" is already in the inventory",
            ]
        );
        let (_, lines) = check_doc(
            "bibliotek/Stora Biblioteket.toml",
            "library = \"S\"\n",
            &LIBRARY,
        );
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].contains("the file's name is the library's id"),
            "{lines:?}"
        );
    }

    #[test]
    fn a_region_from_a_manifest_is_held_to_its_limits() {
        let mut r = region();
        r.screens[0].library = Some("nowhere".into());
        assert!(r.check().is_err());
        let mut r = region();
        r.screens[0].width = 100_000;
        assert!(r.check().is_err());
        let mut r = region();
        r.libraries[0].id = "../etc".into();
        assert!(r.check().is_err());
        let mut r = region();
        r.libraries[0].timezone = Some("Mars/Olympus".into());
        assert!(r.check().is_err());
    }
}
