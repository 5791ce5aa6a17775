//! The entry points the fuzz targets in `fuzz/` drive, one per kind of outside input, and that
//! `tests/hostile.rs` replays on stable for every saved input: whatever the bytes, each returns
//! (an error is fine) without panicking and within bounded memory.

use std::path::Path;

/// Staff's TOML files through the checker: playlists, screen configs and book lists.
pub fn check_toml(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let checked = crate::check::check_str(Path::new("fuzz.toml"), text.clone());
    for d in &checked.diagnostics {
        let _ = d.render(&text);
    }
}

/// A manifest as a screen reads it from a feed.
pub fn manifest(data: &[u8]) {
    if let Ok(g) = crate::generation::Generation::parse(data) {
        // What the player logs and shows of a generation must be safe to make from it.
        for p in &g.playlists {
            for s in &p.slides {
                for m in s.content.media() {
                    std::hint::black_box(m.label());
                }
                std::hint::black_box(s.content.texts());
            }
        }
        // Each screen the region describes, as it would take the description.
        for entry in &g.region.screens {
            let local = crate::screen::ScreenConfig {
                id: entry.id.clone(),
                ..Default::default()
            };
            let screen = g.region.apply(&local);
            let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 24).expect("a date");
            std::hint::black_box(screen.opening.day(day));
        }
    }
}

/// A catalog document read from a web address.
pub fn catalog(data: &[u8]) {
    let base = url::Url::parse("https://bibliotek.example.se/nytt").expect("a web address");
    if let Ok((_, items)) = crate::catalog::parse::parse(data, Some(&base)) {
        for item in items {
            let local = [&item.cover, &item.link]
                .into_iter()
                .flatten()
                .any(|u| u.starts_with("file:"));
            assert!(!local, "a web document named a local file: {item:?}");
        }
    }
}

/// A picture, probed as `check` does and decoded small as the player does.
pub fn picture(data: &[u8]) {
    if crate::media::probe_image_bytes(data).is_ok() {
        let _ = crate::media::decode_image(data, 64, 48, crate::media::Fit::Fill);
    }
}

/// A web calendar (iCalendar) as an events slide reads it, and what a screen makes of its events.
pub fn calendar(data: &[u8]) {
    use chrono::TimeZone;
    let tz = crate::screen::DEFAULT_TIMEZONE;
    let from = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
    let to = from + chrono::Duration::days(92);
    if let Ok(parsed) = crate::events::ics::parse(data, tz, from, to) {
        let filter = crate::events::EventFilter {
            count: 12,
            look_ahead_days: 90,
            ..Default::default()
        };
        let names = crate::events::ScreenNames {
            library_id: Some("karlstad".into()),
            library: Some("Karlstads stadsbibliotek".into()),
            tags: vec!["barn".into()],
        };
        for e in filter.select(&parsed.events, from, tz, &names) {
            let _ = crate::events::when_sv(&e.when, from, tz);
            let _ = e
                .description
                .as_deref()
                .map(|d| crate::events::short_description(d, 110));
        }
    }
}
