//! The events of events slides, read from their calendars. A calendar that fails keeps the
//! events it gave last time, so a calendar that is down never empties a screen.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::catalog::Resolver;
use crate::events::{Event, MAX_LOOK_AHEAD_DAYS, ics};
use crate::playlist::{Playlist, SlideContent};

/// Fills the events slides of `playlists` with the occurrences of their calendars from the day
/// before `at` to the longest look-ahead after it. A calendar that fails keeps the events it gave
/// last time (from `last_good`, else from the resolver's disk copy), and its error is returned,
/// with what was left out of calendars that were read.
pub fn resolve_events(
    playlists: &mut [Playlist],
    catalog: &mut Resolver,
    last_good: &mut HashMap<String, Vec<Event>>,
    at: DateTime<Utc>,
) -> Vec<String> {
    // The window starts at a midnight, so publishing twice in one day gives the same content.
    let from = (at - Duration::days(1))
        .date_naive()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let to = from + Duration::days(i64::from(MAX_LOOK_AHEAD_DAYS) + 2);
    let mut read: HashMap<String, Vec<Event>> = HashMap::new();
    let mut messages = Vec::new();
    for slide in playlists.iter_mut().flat_map(|p| p.slides.iter_mut()) {
        let SlideContent::Events { source, events, .. } = &mut slide.content else {
            continue;
        };
        let label = source.label();
        if let Some(got) = read.get(&label) {
            events.clone_from(got);
            continue;
        }
        let parsed = catalog
            .document(source)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                ics::parse(&bytes, crate::screen::DEFAULT_TIMEZONE, from, to)
                    .map_err(|e| format!("{label}: {e}"))
            });
        let got = match parsed {
            Ok(parsed) => {
                messages.extend(parsed.warnings.iter().map(|w| format!("{label}: {w}")));
                tracing::debug!(source = %label, events = parsed.events.len(), "calendar read");
                catalog.keep(&format!("events {label}"), &parsed.events);
                last_good.insert(label.clone(), parsed.events.clone());
                parsed.events
            }
            Err(e) => {
                messages.push(format!("{e} (the events it gave last are shown)"));
                last_good
                    .get(&label)
                    .cloned()
                    .or_else(|| catalog.last_kept(&format!("events {label}")))
                    .unwrap_or_default()
            }
        };
        events.clone_from(&got);
        read.insert(label, got);
    }
    messages
}
