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
    let names = ScreenNames::of(screen);
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
                    place: e.location.clone(),
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
