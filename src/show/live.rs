//! Pages whose content is the screen's and the moment's: the opening hours of its library for
//! its date, and the events for it in the coming days. Slides give placeholders
//! ([`PageContent::Hours`] with an empty board, [`PageContent::Calendar`]); [`fill_live_for`]
//! makes them into what the screen shows now, and says when to make them again.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Page, PageContent};
use crate::events::{EventFilter, ScreenNames, short_description, when_sv};
use crate::screen::ScreenConfig;

/// One event as a page shows it: its day and time said in Swedish for that moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventLine {
    /// "I dag", "I morgon", "Lördag 5 december", "Pågår nu".
    pub day: String,
    /// "kl. 10–11.30", "hela dagen", "till 16".
    pub time: String,
    pub title: String,
    pub place: Option<String>,
    /// Its description, shortened to a sentence or so.
    pub text: Option<String>,
    /// Its page, for its QR code.
    pub url: Option<String>,
}

/// The line on an events page that has no events to show.
pub fn no_events_note(days: u32) -> String {
    match days {
        1 => "Inget mer på gång i dag.".into(),
        _ => format!("Inget inplanerat de närmaste {days} dagarna."),
    }
}

/// How many characters of an event's description a screen shows.
const SHORT_DESCRIPTION: usize = 110;

/// Fills the hours and events pages among `pages` for `screen` at `at`: hours for its local
/// date, and for each events slide the events it shows now, `per_page` to a page (a slide with
/// none left goes, unless it is all there is). Returns when the filled pages change next (the
/// coming midnight, or an event starting or ending before it), or `None` without such pages.
pub fn fill_live_for(
    pages: &mut Vec<Page>,
    screen: &ScreenConfig,
    at: DateTime<Utc>,
    per_page: usize,
) -> Option<DateTime<Utc>> {
    let tz = screen.timezone;
    let midnight = next_midnight(screen, at);
    let mut next = super::fill_hours_for(pages, screen, at).then_some(midnight);
    if !pages
        .iter()
        .any(|p| matches!(p.content, PageContent::Calendar { .. }))
    {
        return next;
    }
    next = Some(midnight);
    let names = ScreenNames {
        library_id: screen.library.clone(),
        library: screen.library_name.clone(),
        tags: screen.tags.clone(),
    };
    let others = pages
        .iter()
        .filter(|p| !matches!(p.content, PageContent::Calendar { .. }))
        .count();
    let mut out = Vec::with_capacity(pages.len());
    for page in pages.drain(..) {
        let PageContent::Calendar {
            title,
            qr,
            filter,
            events,
        } = &page.content
        else {
            out.push(page);
            continue;
        };
        let chosen = filter.select(events, at, tz, &names);
        for e in &chosen {
            for t in [e.when.sort_key(tz), e.when.end(tz)] {
                if t > at {
                    next = next.map(|n| n.min(t));
                }
            }
        }
        let lines: Vec<EventLine> = chosen
            .iter()
            .map(|e| {
                let (day, time) = when_sv(&e.when, at, tz);
                EventLine {
                    day,
                    time,
                    title: e.title.clone(),
                    place: e.location.as_deref().map(|p| names.place(p)),
                    text: e
                        .description
                        .as_deref()
                        .map(|d| short_description(d, SHORT_DESCRIPTION)),
                    url: e.url.clone(),
                }
            })
            .collect();
        if lines.is_empty() && others > 0 {
            continue;
        }
        out.extend(event_pages(&page, title, qr, filter, lines, per_page));
    }
    *pages = out;
    next
}

/// The pages of one events slide: `per_page` events each, or one page saying there are none.
fn event_pages(
    page: &Page,
    title: &str,
    qr: &Option<String>,
    filter: &EventFilter,
    lines: Vec<EventLine>,
    per_page: usize,
) -> Vec<Page> {
    // As many pages as needed, the events shared evenly among them (4 on 3-event pages: 2 and 2).
    let pages = lines.len().div_ceil(per_page.max(1)).max(1);
    let each = lines.len().div_ceil(pages).max(1);
    let chunks: Vec<Vec<EventLine>> = if lines.is_empty() {
        vec![Vec::new()]
    } else {
        lines.chunks(each).map(<[_]>::to_vec).collect()
    };
    let n = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, items)| {
            let mut p = page.clone();
            p.key.part = i + 1;
            if i > 0 {
                p.chime = None;
            }
            p.content = PageContent::Events {
                title: title.to_string(),
                note: items
                    .is_empty()
                    .then(|| no_events_note(filter.look_ahead_days)),
                items,
                qr: qr.clone(),
                position: (n > 1).then_some((i + 1, n)),
            };
            p
        })
        .collect()
}

/// The screen's next local midnight.
pub fn next_midnight(screen: &ScreenConfig, at: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::TimeZone;
    let tomorrow = crate::schedule::local_time(screen.timezone, at).date() + chrono::Days::new(1);
    screen
        .timezone
        .from_local_datetime(&tomorrow.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map_or(at + chrono::Duration::days(1), |t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::load_playlist_str;
    use chrono::TimeZone;
    use std::path::Path;

    fn at(s: &str) -> DateTime<Utc> {
        crate::screen::DEFAULT_TIMEZONE
            .from_local_datetime(
                &chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap(),
            )
            .unwrap()
            .with_timezone(&Utc)
    }

    /// An events slide with the bundled calendar read, and a text slide beside it.
    fn pages(days: u32, with_text: bool) -> Vec<Page> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("playlists");
        let mut toml = format!(
            "[[slide]]\nkind = \"events\"\nsource = \"kalender/evenemang.ics\"\ndays = {days}\n"
        );
        if with_text {
            toml.push_str("[[slide]]\nkind = \"text\"\ntitle = \"Hej\"\n");
        }
        let (p, d) = load_playlist_str(&root.join("p.toml"), &toml);
        let mut playlists = vec![p.unwrap_or_else(|| panic!("{d:?}"))];
        let mut resolver = crate::catalog::Resolver::default();
        let warnings = crate::ingest::resolve_events(
            &mut playlists,
            &mut resolver,
            &mut Default::default(),
            at("2026-12-10 09:00"),
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        (0..playlists[0].slides.len())
            .flat_map(|i| super::super::slide_pages(&playlists[0], i, 4))
            .collect()
    }

    fn titles(pages: &[Page]) -> Vec<String> {
        pages
            .iter()
            .flat_map(|p| match &p.content {
                PageContent::Events { items, .. } => {
                    items.iter().map(|e| e.title.clone()).collect()
                }
                PageContent::Text { title, .. } => vec![title.clone()],
                _ => vec!["?".into()],
            })
            .collect()
    }

    #[test]
    fn events_pages_are_made_again_when_an_event_ends() {
        let screen = ScreenConfig {
            library: Some("karlstad".into()),
            ..ScreenConfig::default()
        };
        let mut now = pages(2, true);
        let next = fill_live_for(&mut now, &screen, at("2026-12-10 10:15"), 3);
        // Story time is on until 10:30: the pages change then.
        assert_eq!(next, Some(at("2026-12-10 10:30")));
        assert_eq!(titles(&now), ["Sagostund för de minsta", "Hej"]);
        let PageContent::Events { items, .. } = &now[0].content else {
            panic!()
        };
        assert_eq!(
            (items[0].day.as_str(), items[0].time.as_str()),
            ("Pågår nu", "till 10.30")
        );
        // After it nothing is on in Karlstad until Saturday, beyond two days: the slide goes, the
        // text stays; the next change is midnight.
        let mut later = pages(2, true);
        let next = fill_live_for(&mut later, &screen, at("2026-12-10 10:30"), 3);
        assert_eq!(titles(&later), ["Hej"]);
        assert_eq!(next, Some(at("2026-12-11 00:00")));
        // Alone in its program, it says there is nothing on rather than leave the screen empty.
        let mut alone = pages(2, false);
        fill_live_for(&mut alone, &screen, at("2026-12-10 10:30"), 3);
        let PageContent::Events { items, note, .. } = &alone[0].content else {
            panic!()
        };
        assert!(items.is_empty());
        assert_eq!(
            note.as_deref(),
            Some("Inget inplanerat de närmaste 2 dagarna.")
        );
    }

    #[test]
    fn events_share_their_pages_evenly() {
        let screen = ScreenConfig::default();
        let mut all = pages(7, false);
        // Every library's events (the screen knows none): 4 in the week from Thursday 9:00.
        fill_live_for(&mut all, &screen, at("2026-12-10 09:00"), 3);
        let per_page: Vec<usize> = all
            .iter()
            .map(|p| match &p.content {
                PageContent::Events { items, .. } => items.len(),
                _ => 0,
            })
            .collect();
        assert_eq!(per_page.iter().sum::<usize>(), 4, "{:?}", titles(&all));
        assert_eq!(per_page, [2, 2]);
        assert_eq!(all[1].key.part, 2);
    }
}
