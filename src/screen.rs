//! One screen's configuration (`kiosk/screen.toml`): who it is, where its content comes from,
//! its time zone and its library's opening hours.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::calendar::opening::{OpeningException, OpeningHours};
use crate::catalog::CatalogSettings;
use crate::diagnostic::{Diagnostic, FileReport, Report};
use crate::layout::Viewing;
use crate::spec::{Checker, Field, Fields, TableSpec, Ty, Value};

/// The time zone of the libraries of Värmland, used when a screen names none.
pub const DEFAULT_TIMEZONE: chrono_tz::Tz = chrono_tz::Europe::Stockholm;
const SECOND: u64 = 1000;

/// A screen's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ScreenConfig {
    /// Names the screen in logs and lets playlists target it.
    pub id: String,
    pub tags: Vec<String>,
    pub timezone: chrono_tz::Tz,
    /// The folder of playlists played when there is no feed.
    pub playlists: PathBuf,
    /// The central feed this screen syncs from.
    pub feed: Option<String>,
    /// Allows a plain-http feed (for tests and closed networks).
    pub allow_http: bool,
    /// Only manifests signed with this key are accepted.
    pub public_key: Option<[u8; 32]>,
    pub cache_dir: PathBuf,
    /// What the cache may hold in all: blobs, and a quarter of it for renditions.
    pub cache_size: u64,
    pub sync_interval: Duration,
    /// Warn when the feed has published nothing new for this long.
    pub feed_stale_after: Duration,
    pub touch: bool,
    /// With no touch for this long, a visit ends and the show runs by itself again.
    pub touch_timeout: Duration,
    /// Sounds: a soft click when a visitor touches the screen, and slides' chimes.
    pub sound: bool,
    /// The master volume, in percent.
    pub volume: u8,
    /// When the screen stays silent.
    pub quiet_hours: Vec<crate::calendar::clock::TimeWindow>,
    /// The screen's diagonal and how far away it is read: how small text may get.
    pub viewing: Viewing,
    /// Only fades, never slides; nothing flashes.
    pub reduced_motion: bool,
    pub opening: OpeningHours,
    pub catalog: CatalogSettings,
    /// How the display sleeps while the library is closed.
    pub power: crate::power::Method,
    /// The display wakes this long before the library opens.
    pub power_warm_up: Duration,
    /// Where the heartbeat is also sent (HTTP PUT of `status.json`), and the token it carries.
    pub heartbeat_url: Option<String>,
    pub heartbeat_token: Option<String>,
    /// The file this came from, if any.
    pub source: Option<PathBuf>,
    /// The keys its own file sets: these win over the region's description of the screen
    /// ([`crate::region::Region::apply`]).
    pub set_locally: Vec<&'static str>,
    /// From the region's inventory: the screen's library (its id), where it stands, and its
    /// picture's size in pixels as it hangs.
    pub library: Option<String>,
    pub library_name: Option<String>,
    pub place: Option<String>,
    pub size: Option<(u32, u32)>,
}

impl Default for ScreenConfig {
    fn default() -> Self {
        Self {
            id: "vitrin".into(),
            tags: Vec::new(),
            timezone: DEFAULT_TIMEZONE,
            playlists: PathBuf::from("playlists"),
            feed: None,
            allow_http: false,
            public_key: None,
            cache_dir: default_cache_dir(),
            cache_size: 2_000_000_000,
            sync_interval: Duration::from_secs(300),
            feed_stale_after: Duration::from_secs(14 * 24 * 3600),
            touch: false,
            touch_timeout: Duration::from_secs(30),
            sound: false,
            volume: 100,
            quiet_hours: Vec::new(),
            viewing: Viewing::default(),
            reduced_motion: false,
            opening: OpeningHours::default(),
            catalog: CatalogSettings::default(),
            power: crate::power::Method::None,
            power_warm_up: Duration::from_secs(600),
            heartbeat_url: None,
            heartbeat_token: None,
            source: None,
            set_locally: Vec::new(),
            library: None,
            library_name: None,
            place: None,
            size: None,
        }
    }
}

/// `$XDG_CACHE_HOME/vitrin`, else `~/.cache/vitrin`, else `/var/cache/vitrin`.
pub fn default_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("vitrin");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(home).join(".cache").join("vitrin");
    }
    PathBuf::from("/var/cache/vitrin")
}

/// A screen config that could not be used, with every problem in it.
#[derive(Debug, thiserror::Error)]
#[error("{}", report.render().trim_end())]
pub struct ScreenConfigError {
    pub report: Report,
}

impl ScreenConfig {
    /// The part of `cache_size` for pictures kept at the screen's size
    /// ([`crate::media::Renditions`]): a quarter.
    pub fn rendition_budget(&self) -> u64 {
        self.cache_size / 4
    }

    /// The part of `cache_size` for the feed's blobs: the rest.
    pub fn blob_budget(&self) -> u64 {
        self.cache_size - self.rendition_budget()
    }

    /// Reads and checks a screen config; any error refuses the whole file.
    pub fn load(path: &Path) -> Result<ScreenConfig, ScreenConfigError> {
        let source = crate::spec::read_source(path).map_err(|e| ScreenConfigError {
            report: Report {
                files: vec![FileReport {
                    path: path.to_path_buf(),
                    source: String::new(),
                    diagnostics: vec![Diagnostic::error(
                        path,
                        None,
                        format!("cannot read the screen config: {e}"),
                    )],
                }],
            },
        })?;
        Self::parse(path, &source)
    }

    /// Checks a screen config from its text; relative paths are taken from `path`'s folder.
    pub fn parse(path: &Path, source: &str) -> Result<ScreenConfig, ScreenConfigError> {
        let base = path.parent().unwrap_or(Path::new(""));
        let mut checker = Checker::new(path, base);
        let fields = checker.check_document(source, &SCREEN);
        if checker.has_errors() {
            let mut file = FileReport {
                path: path.to_path_buf(),
                source: source.to_string(),
                diagnostics: checker.diagnostics,
            };
            file.sort();
            return Err(ScreenConfigError {
                report: Report { files: vec![file] },
            });
        }
        for warning in &checker.diagnostics {
            tracing::warn!("{}", warning.headline(source));
        }
        Ok(build(&fields, path))
    }
}

fn build(f: &Fields, path: &Path) -> ScreenConfig {
    let d = ScreenConfig::default();
    let opening = f.table("opening").map(build_opening).unwrap_or_default();
    let catalog = f
        .table("catalog")
        .map(|c| CatalogSettings {
            cover_urls: c.texts("cover_urls"),
            link: c.text("link"),
            short_link: c.text("short_link"),
        })
        .unwrap_or_default();
    let base = path.parent().unwrap_or(Path::new(""));
    ScreenConfig {
        id: f.text("id").unwrap_or(d.id),
        tags: f.texts("tags"),
        timezone: f.timezone("timezone").unwrap_or(d.timezone),
        playlists: f
            .path("playlists")
            .unwrap_or_else(|| base.join("playlists")),
        feed: f.text("feed"),
        allow_http: f.bool("allow_http").unwrap_or(false),
        public_key: f.public_key("public_key"),
        cache_dir: f.path("cache_dir").unwrap_or(d.cache_dir),
        cache_size: f.size("cache_size").unwrap_or(d.cache_size),
        sync_interval: f.duration("sync_interval").unwrap_or(d.sync_interval),
        feed_stale_after: f.duration("feed_stale_after").unwrap_or(d.feed_stale_after),
        power: crate::power::Method::from_word(
            f.word("power").unwrap_or("none"),
            f.text("cec_device"),
            f.text("cec_ctl"),
        ),
        power_warm_up: f.duration("power_warm_up").unwrap_or(d.power_warm_up),
        heartbeat_url: f.text("heartbeat_url"),
        heartbeat_token: f.text("heartbeat_token"),
        touch: f.bool("touch").unwrap_or(false),
        touch_timeout: f.duration("touch_timeout").unwrap_or(d.touch_timeout),
        sound: f.bool("sound").unwrap_or(false),
        volume: f.int("volume").map_or(d.volume, |v| v.clamp(0, 100) as u8),
        quiet_hours: f.hours("quiet_hours").unwrap_or_default(),
        viewing: Viewing {
            diagonal_mm: f
                .length_mm("diagonal")
                .map_or(d.viewing.diagonal_mm, |mm| mm as f32),
            distance_mm: f
                .length_mm("viewing_distance")
                .map_or(d.viewing.distance_mm, |mm| mm as f32),
        },
        reduced_motion: f.bool("reduced_motion").unwrap_or(false),
        opening,
        catalog,
        source: Some(path.to_path_buf()),
        set_locally: f.keys().collect(),
        library: None,
        library_name: None,
        place: None,
        size: None,
    }
}

pub(crate) fn build_opening(f: &Fields) -> OpeningHours {
    OpeningHours {
        staffed: f.opening("staffed").unwrap_or_default(),
        self_service: f.opening("self-service").unwrap_or_default(),
        exceptions: f
            .list("exception")
            .iter()
            .filter_map(|i| match &i.value {
                Value::Table(e) => Some(OpeningException {
                    name: e.text("name"),
                    dates: e.dates("dates"),
                    staffed: e.opening("staffed").unwrap_or_default(),
                    self_service: e.opening("self-service").unwrap_or_default(),
                }),
                _ => None,
            })
            .collect(),
    }
}

const OPENING_LINES_DOC: &str =
    "Lines like \"mon-fri 10:00-19:00\" (days first, several windows separated by commas).";

static EXCEPTION: TableSpec = TableSpec {
    noun: "exception",
    doc: "Dates whose hours differ from the usual week. Modes not given are closed those days.",
    fields: &[
        Field {
            name: "name",
            ty: Ty::Text,
            required: false,
            doc: "What the day is, for plans and logs.",
            example: "name = \"Julafton\"",
        },
        Field {
            name: "dates",
            ty: Ty::List {
                item: &Ty::Date,
                min: 1,
                single: true,
            },
            required: true,
            doc: "The dates.",
            example: "dates = [2026-12-24]",
        },
        Field {
            name: "staffed",
            ty: Ty::Opening,
            required: false,
            doc: "Staffed hours on those dates, like \"10:00-13:00\".",
            example: "staffed = \"10:00-13:00\"",
        },
        Field {
            name: "self-service",
            ty: Ty::Opening,
            required: false,
            doc: "Self-service (meröppet) hours on those dates.",
            example: "self-service = \"07:00-16:00\"",
        },
    ],
    validate: None,
};

pub(crate) static OPENING: TableSpec = TableSpec {
    noun: "opening hours",
    doc: "The library's opening hours. Outside them the screen is closed (blank). Leave out to count as always staffed.",
    fields: &[
        Field {
            name: "staffed",
            ty: Ty::Opening,
            required: false,
            doc: OPENING_LINES_DOC,
            example: "staffed = [\"mon-thu 10:00-19:00\", \"fri 10:00-17:00\"]",
        },
        Field {
            name: "self-service",
            ty: Ty::Opening,
            required: false,
            doc: OPENING_LINES_DOC,
            example: "self-service = \"mon-sun 07:00-22:00\"",
        },
        Field {
            name: "exception",
            ty: Ty::List {
                item: &Ty::Table(&EXCEPTION),
                min: 1,
                single: false,
            },
            required: false,
            doc: "Dates with other hours: one [[opening.exception]] table each.",
            example: "[[opening.exception]]\ndates = [2026-12-24]\nstaffed = \"10:00-13:00\"",
        },
    ],
    validate: None,
};

static CATALOG: TableSpec = TableSpec {
    noun: "catalog settings",
    doc: "Where covers and portal records are found for books that a feed gives only an ISBN for.",
    fields: &[
        Field {
            name: "cover_urls",
            ty: Ty::List {
                item: &Ty::Text,
                min: 1,
                single: true,
            },
            required: false,
            doc: "Cover image addresses tried in order, with {isbn13} or {isbn10} where the ISBN goes.",
            example: "cover_urls = [\"https://covers.openlibrary.org/b/isbn/{isbn13}-L.jpg?default=false\"]",
        },
        Field {
            name: "link",
            ty: Ty::Text,
            required: false,
            doc: "The portal's page for a book, with {isbn13} where the ISBN goes.",
            example: "link = \"https://bibliotekvarmland.se/search?query={isbn13}\"",
        },
        Field {
            name: "short_link",
            ty: Ty::Text,
            required: false,
            doc: "A shorter address for QR codes when the page's address is too long.",
            example: "short_link = \"https://bvl.se/i/{isbn13}\"",
        },
    ],
    validate: None,
};

/// The screen's visible diagonal: with the viewing distance it sets how small text may get. In a screen config and in the region's inventory alike.
pub(crate) const DIAGONAL: Field = Field {
    name: "diagonal",
    ty: Ty::Length {
        min_mm: 250,
        max_mm: 5100,
    },
    required: false,
    doc: "The screen's visible diagonal (default \"55in\"). With the viewing distance it sets how small text may get.",
    example: "diagonal = \"55in\"",
};

/// How far away the screen is read. In a screen config and in the region's inventory alike.
pub(crate) const VIEWING_DISTANCE: Field = Field {
    name: "viewing_distance",
    ty: Ty::Length {
        min_mm: 300,
        max_mm: 30_000,
    },
    required: false,
    doc: "How far away visitors read the screen (default \"2m\"): text stays readable from there (ADA §703.5.5) and QR codes scannable (a tenth of it wide).",
    example: "viewing_distance = \"3m\"",
};

/// Only gentle fades. In a screen config and in the region's inventory alike.
pub(crate) const REDUCED_MOTION: Field = Field {
    name: "reduced_motion",
    ty: Ty::Bool,
    required: false,
    doc: "Every transition a gentle fade, never a slide, and nothing that flashes (default false).",
    example: "reduced_motion = true",
};

/// Tags, in a screen config and in the region's inventory alike.
pub(crate) const TAGS: Field = Field {
    name: "tags",
    ty: Ty::List {
        item: &Ty::Text,
        min: 0,
        single: true,
    },
    required: false,
    doc: "Playlists can target screens by tag, like \"barn\" or \"vuxen\" (a screen's own tags are added to the inventory's).",
    example: "tags = [\"barn\", \"vuxen\"]",
};

/// The screen config file.
pub static SCREEN: TableSpec = TableSpec {
    noun: "screen config",
    doc: "One vitrin screen: its name, where its playlists come from, and its library's hours.",
    fields: &[
        Field {
            name: "id",
            ty: Ty::Text,
            required: false,
            doc: "Names this screen in logs; playlists can target it by id.",
            example: "id = \"karlstad-entre\"",
        },
        TAGS,
        Field {
            name: "timezone",
            ty: Ty::Timezone,
            required: false,
            doc: "The screen's time zone (default Europe/Stockholm).",
            example: "timezone = \"Europe/Stockholm\"",
        },
        Field {
            name: "playlists",
            ty: Ty::Path,
            required: false,
            doc: "The folder of playlists to play when there is no feed, relative to this file.",
            example: "playlists = \"../playlists\"",
        },
        Field {
            name: "feed",
            ty: Ty::Url { qr: false },
            required: false,
            doc: "The central feed to sync from (https).",
            example: "feed = \"https://feed.bibliotekvarmland.se/skarmar/\"",
        },
        Field {
            name: "allow_http",
            ty: Ty::Bool,
            required: false,
            doc: "Allow a plain http feed (only for closed networks and tests).",
            example: "allow_http = true",
        },
        Field {
            name: "public_key",
            ty: Ty::PublicKey,
            required: false,
            doc: "Only accept feeds signed with this key (64 hex digits from `vitrin keygen`).",
            example: "public_key = \"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c\"",
        },
        Field {
            name: "cache_dir",
            ty: Ty::Path,
            required: false,
            doc: "Where synced content is kept (default ~/.cache/vitrin).",
            example: "cache_dir = \"/var/cache/vitrin\"",
        },
        Field {
            name: "cache_size",
            ty: Ty::Size,
            required: false,
            doc: "How much disk the cache may use in all (default \"2 GB\"): the feed's pictures, and a quarter of it for pictures kept at the screen's size.",
            example: "cache_size = \"2 GB\"",
        },
        Field {
            name: "sync_interval",
            ty: Ty::Duration {
                min_ms: 10 * SECOND,
                max_ms: 24 * 3600 * SECOND,
            },
            required: false,
            doc: "How often to look for new content (default \"5m\"); a little jitter is added.",
            example: "sync_interval = \"5m\"",
        },
        Field {
            name: "feed_stale_after",
            ty: Ty::Duration {
                min_ms: 3600 * SECOND,
                max_ms: 365 * 24 * 3600 * SECOND,
            },
            required: false,
            doc: "Warn when the feed has published nothing new for this long (default \"14 days\").",
            example: "feed_stale_after = \"14 days\"",
        },
        Field {
            name: "touch",
            ty: Ty::Bool,
            required: false,
            doc: "The screen is a touch kiosk: a touch bar under the slides (back, pause, forward), books and codes that open when tapped, swipes between slides, and a staff overlay from a long press in a corner.",
            example: "touch = true",
        },
        Field {
            name: "touch_timeout",
            ty: Ty::Duration {
                min_ms: 5 * SECOND,
                max_ms: 600 * SECOND,
            },
            required: false,
            doc: "With no touch for this long, whatever a visitor opened closes and the show runs by itself again (default \"30s\").",
            example: "touch_timeout = \"30s\"",
        },
        Field {
            name: "sound",
            ty: Ty::Bool,
            required: false,
            doc: "Sounds: a soft click when a visitor touches the screen, and the chimes slides name (default false). Without a sound card the screen is silent and says so once.",
            example: "sound = true",
        },
        Field {
            name: "volume",
            ty: Ty::Integer { min: 0, max: 100 },
            required: false,
            doc: "The master volume of the screen's sounds, in percent (default 100).",
            example: "volume = 60",
        },
        Field {
            name: "quiet_hours",
            ty: Ty::Hours,
            required: false,
            doc: "When the screen makes no sound at all, in local time (a window past midnight covers the night).",
            example: "quiet_hours = \"19:00-09:00\"",
        },
        DIAGONAL,
        VIEWING_DISTANCE,
        REDUCED_MOTION,
        Field {
            name: "opening",
            ty: Ty::Table(&OPENING),
            required: false,
            doc: "The library's opening hours.",
            example: "[opening]\nstaffed = \"mon-fri 10:00-19:00\"",
        },
        Field {
            name: "power",
            ty: Ty::Enum {
                noun: "power method",
                values: crate::power::METHODS,
            },
            required: false,
            doc: "How the display sleeps while the library is closed: \"cec\" (HDMI-CEC standby with cec-ctl), \"sway\" (the output's power through sway), \"x11\" (DPMS) or \"none\" (black; the default).",
            example: "power = \"cec\"",
        },
        Field {
            name: "cec_device",
            ty: Ty::Text,
            required: false,
            doc: "The HDMI-CEC adapter for power = \"cec\" (default /dev/cec0).",
            example: "cec_device = \"/dev/cec0\"",
        },
        Field {
            name: "cec_ctl",
            ty: Ty::Text,
            required: false,
            doc: "Where the cec-ctl program is, when it is not on PATH.",
            example: "cec_ctl = \"/usr/bin/cec-ctl\"",
        },
        Field {
            name: "power_warm_up",
            ty: Ty::Duration {
                min_ms: 0,
                max_ms: 3 * 3600 * SECOND,
            },
            required: false,
            doc: "The display wakes this long before the library opens (default \"10m\").",
            example: "power_warm_up = \"10m\"",
        },
        Field {
            name: "heartbeat_url",
            ty: Ty::Url { qr: false },
            required: false,
            doc: "Every minute the screen's status is also sent here (HTTP PUT of the same JSON as status.json), and every five minutes a small screenshot beside it (the same address with .png for .json), with short timeouts; the fleet page reads them.",
            example: "heartbeat_url = \"https://feed.bibliotekvarmland.se/status/puls/karlstad-entre.json\"",
        },
        Field {
            name: "heartbeat_token",
            ty: Ty::Text,
            required: false,
            doc: "Sent with each heartbeat as \"Authorization: Bearer …\", so the receiver knows the screen.",
            example: "heartbeat_token = \"…\"",
        },
        Field {
            name: "catalog",
            ty: Ty::Table(&CATALOG),
            required: false,
            doc: "Where covers and portal records are found by ISBN.",
            example: "[catalog]\nlink = \"https://bibliotekvarmland.se/search?query={isbn13}\"",
        },
    ],
    validate: None,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::opening::Mode;
    use chrono::NaiveDateTime;

    #[test]
    fn reads_a_full_config() {
        let src = r#"
id = "karlstad-entre"
tags = ["karlstad", "touch"]
timezone = "Europe/Stockholm"
playlists = "../playlists"
cache_size = "500 MB"
sync_interval = "1m"
touch = true

[opening]
staffed = ["mon-thu 10:00-19:00", "fri 10:00-17:00"]
self-service = "mon-sun 07:00-22:00"

[[opening.exception]]
name = "Julafton"
dates = [2026-12-24]
staffed = "10:00-13:00"
"#;
        let c = ScreenConfig::parse(Path::new("kiosk/screen.toml"), src).unwrap();
        assert_eq!(c.id, "karlstad-entre");
        assert_eq!(c.tags, ["karlstad", "touch"]);
        assert_eq!(c.playlists, Path::new("playlists"));
        assert_eq!(c.cache_size, 500_000_000);
        // A quarter for renditions, the rest for the feed's blobs: never more than asked in all.
        assert_eq!(c.rendition_budget(), 125_000_000);
        assert_eq!(c.blob_budget() + c.rendition_budget(), c.cache_size);
        assert_eq!(c.sync_interval, Duration::from_secs(60));
        assert!(c.touch);
        let at = |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(c.opening.mode_at(at("2026-12-24 12:00")), Mode::Staffed);
        assert_eq!(c.opening.mode_at(at("2026-12-24 14:00")), Mode::Closed);
    }

    #[test]
    fn refuses_a_bad_config_with_positions() {
        let src = "id = \"x\"\ntimezone = \"Europe/Stokholm\"\n[opening]\nstaffed = \"mon-fri 10:00-25:00\"\n";
        let err = ScreenConfig::parse(Path::new("s.toml"), src).unwrap_err();
        let lines = err.report.headlines();
        assert_eq!(
            lines,
            [
                "s.toml:2:12: error: unknown time zone \"Europe/Stokholm\"",
                "s.toml:4:11: error: \"25:00\" is not a time of day",
            ]
        );
        assert!(
            err.to_string()
                .contains("did you mean \"Europe/Stockholm\"?")
        );
    }

    #[test]
    fn reads_how_the_screen_is_seen_and_refuses_lengths_without_units() {
        let src = "diagonal = \"65 tum\"\nviewing_distance = \"3,5 m\"\nreduced_motion = true\n";
        let c = ScreenConfig::parse(Path::new("s.toml"), src).unwrap();
        assert_eq!(c.viewing.diagonal_mm, 1651.0);
        assert_eq!(c.viewing.distance_mm, 3500.0);
        assert!(c.reduced_motion);
        assert_eq!(ScreenConfig::default().viewing, Viewing::default());
        let err = ScreenConfig::parse(
            Path::new("s.toml"),
            "diagonal = \"55\"\nviewing_distance = \"80m\"\n",
        )
        .unwrap_err();
        assert_eq!(
            err.report.headlines(),
            [
                "s.toml:1:12: error: \"55\" is not a length",
                "s.toml:2:20: error: \"80m\" is out of range",
            ]
        );
    }
}
