//! What is on at the libraries: events from web calendars (iCalendar files, [`ics`]) for `events`
//! slides. Events are read and their recurrences expanded where playlists are ingested (centrally
//! for feed screens); each screen picks the ones for itself and for the coming days when it shows
//! them ([`EventFilter::select`]), and says their times in Swedish ([`when_sv`]).

pub mod ics;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::calendar::hours::{capitalized, date_sv, time_sv};

/// One occurrence of an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Its UID in the calendar (all occurrences of a series share it).
    pub uid: String,
    pub title: String,
    pub when: EventTime,
    pub location: Option<String>,
    pub categories: Vec<String>,
    /// Plain text, at most a few hundred characters.
    pub description: Option<String>,
    /// The event's page on the web (http or https), for its QR code.
    pub url: Option<String>,
}

/// When an occurrence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum EventTime {
    /// From `start` until `end` (equal for an event without an end).
    Timed {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    /// Whole days, `first` to `last` inclusive, wherever the screen is.
    Days { first: NaiveDate, last: NaiveDate },
}

impl EventTime {
    /// Its start, for ordering: a day starts at its midnight in `tz`.
    pub fn sort_key(&self, tz: Tz) -> DateTime<Utc> {
        match *self {
            EventTime::Timed { start, .. } => start,
            EventTime::Days { first, .. } => midnight(tz, first),
        }
    }

    /// When it is over: its end, or the midnight after its last day in `tz`.
    pub fn end(&self, tz: Tz) -> DateTime<Utc> {
        match *self {
            EventTime::Timed { start, end } => end.max(start + Duration::minutes(1)),
            EventTime::Days { last, .. } => midnight(tz, last + Duration::days(1)),
        }
    }
}

fn midnight(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    tz.from_local_datetime(&date.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map_or_else(
            || date.and_time(chrono::NaiveTime::MIN).and_utc(),
            |t| t.with_timezone(&Utc),
        )
}

/// The events slide shows this many events unless it says otherwise.
pub const DEFAULT_EVENT_COUNT: u32 = 6;
/// And looks this many days ahead.
pub const DEFAULT_LOOK_AHEAD_DAYS: u32 = 14;
/// Ingest keeps occurrences up to this many days ahead (the longest look-ahead allowed), from
/// the day before it runs.
pub const MAX_LOOK_AHEAD_DAYS: u32 = 90;

/// Which events a slide shows on a screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFilter {
    /// At most this many, earliest first.
    pub count: u32,
    /// Only those starting within this many days (today counts as the first).
    pub look_ahead_days: u32,
    /// Only those with one of these categories (case does not matter); empty: any.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Only those whose place names one of these; empty: any.
    #[serde(default)]
    pub places: Vec<String>,
    /// Only those at the screen's library: whose place names it (its id or name) or one of the
    /// screen's tags (a room, say), or with its id as a category.
    #[serde(default)]
    pub for_screen: bool,
}

impl Default for EventFilter {
    fn default() -> Self {
        Self {
            count: DEFAULT_EVENT_COUNT,
            look_ahead_days: DEFAULT_LOOK_AHEAD_DAYS,
            categories: Vec::new(),
            places: Vec::new(),
            for_screen: false,
        }
    }
}

/// What names a screen's place, for [`EventFilter::for_screen`].
#[derive(Debug, Clone, Default)]
pub struct ScreenNames {
    /// Its library's id ("karlstad").
    pub library_id: Option<String>,
    /// Its library's name ("Karlstads stadsbibliotek").
    pub library: Option<String>,
    /// Its tags ("barn", "sagorummet").
    pub tags: Vec<String>,
}

/// Lower-case words of a text, split at anything that is not a letter or digit.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `name` (one or more words) stands in `text` as whole words; a Swedish genitive s
/// counts ("Karlstad" is in "Karlstads stadsbibliotek").
fn names(text: &str, name: &str) -> bool {
    let (text, name) = (words(text), words(name));
    if name.is_empty() || text.len() < name.len() {
        return false;
    }
    text.windows(name.len()).any(|w| {
        w.iter().zip(&name).enumerate().all(|(i, (t, n))| {
            t == n || (i + 1 == name.len() && t.strip_suffix('s') == Some(n.as_str()))
        })
    })
}

impl EventFilter {
    /// The events of `events` for a screen in `tz` with `screen`'s names at `at`: not over yet,
    /// starting within the look-ahead, matching the filters, earliest first, at most `count`.
    pub fn select<'a>(
        &self,
        events: &'a [Event],
        at: DateTime<Utc>,
        tz: Tz,
        screen: &ScreenNames,
    ) -> Vec<&'a Event> {
        let today = at.with_timezone(&tz).date_naive();
        let horizon = midnight(tz, today + Duration::days(i64::from(self.look_ahead_days)));
        let mut out: Vec<&Event> = events
            .iter()
            .filter(|e| e.when.end(tz) > at && e.when.sort_key(tz) < horizon)
            .filter(|e| self.matches(e, screen))
            .collect();
        out.sort_by_key(|e| e.when.sort_key(tz));
        out.truncate(self.count as usize);
        out
    }

    fn matches(&self, e: &Event, screen: &ScreenNames) -> bool {
        let place = e.location.as_deref().unwrap_or_default();
        let in_category = |name: &str| e.categories.iter().any(|c| names(c, name));
        let categories =
            self.categories.is_empty() || self.categories.iter().any(|c| in_category(c));
        let places = self.places.is_empty() || self.places.iter().any(|p| names(place, p));
        let id = screen.library_id.as_deref();
        // A screen that knows no library of its own has nothing to choose by: it shows them all.
        let knows = id.is_some() || screen.library.is_some();
        let for_screen = !self.for_screen
            || !knows
            || screen.names_library(place)
            || id.is_some_and(|id| e.categories.iter().any(|c| c.eq_ignore_ascii_case(id)))
            || screen.tags.iter().any(|t| names(place, t));
        categories && places && for_screen
    }
}

impl ScreenNames {
    /// Whether `text` names this screen's library (its id, with a genitive s, or its name).
    fn names_library(&self, text: &str) -> bool {
        self.library_id.as_deref().is_some_and(|id| names(text, id))
            || self.library.as_deref().is_some_and(|l| names(text, l))
    }

    /// An event's place as this screen says it: at its own library only the room
    /// ("Karlstads stadsbibliotek, Sagorummet" is "Sagorummet" in Karlstad).
    pub fn place(&self, place: &str) -> String {
        match place.split_once(',') {
            Some((library, room)) if !room.trim().is_empty() && self.names_library(library) => {
                room.trim().to_string()
            }
            _ => place.to_string(),
        }
    }
}

/// The day of an occurrence and its time, as a screen in `tz` says them on `today`:
/// ("I dag", "kl. 10–11.30"), ("Lördag 5 december", "kl. 19–01"), ("Pågår", "till 16"),
/// ("5–7 december", "hela dagarna").
pub fn when_sv(when: &EventTime, now: DateTime<Utc>, tz: Tz) -> (String, String) {
    let today = now.with_timezone(&tz).date_naive();
    let day_name = |d: NaiveDate| -> String {
        if d == today {
            "I dag".into()
        } else if d == today + Duration::days(1) {
            "I morgon".into()
        } else {
            capitalized(&date_sv(d))
        }
    };
    let clock = |t: DateTime<Utc>| {
        let l = t.with_timezone(&tz);
        use chrono::Timelike;
        time_sv((l.hour() * 60 + l.minute()) as u16)
    };
    match *when {
        EventTime::Days { first, last } => {
            if first == last {
                (day_name(first), "hela dagen".into())
            } else if first <= today {
                ("Pågår".into(), format!("till och med {}", date_sv(last)))
            } else {
                (
                    format!("{}–{}", capitalized(&date_sv(first)), date_sv(last)),
                    "hela dagarna".into(),
                )
            }
        }
        EventTime::Timed { start, end } => {
            let (first, last) = (
                start.with_timezone(&tz).date_naive(),
                end.with_timezone(&tz).date_naive(),
            );
            if start <= now && end > now {
                let until = if last == today {
                    clock(end)
                } else {
                    format!("{} kl. {}", date_sv(last), clock(end))
                };
                return ("Pågår nu".into(), format!("till {until}"));
            }
            let time = if end <= start {
                format!("kl. {}", clock(start))
            } else if (end - start) < Duration::hours(24) || last <= first + Duration::days(1) {
                // An evening into the night keeps to its first day: "kl. 20–01".
                format!("kl. {}–{}", clock(start), clock(end))
            } else {
                format!(
                    "kl. {} till {} kl. {}",
                    clock(start),
                    date_sv(last),
                    clock(end)
                )
            };
            (day_name(first), time)
        }
    }
}

/// A description short enough for a screen: its first sentence, or at most `chars` characters.
pub fn short_description(text: &str, chars: usize) -> String {
    let first = text
        .match_indices(". ")
        .map(|(i, _)| i + 1)
        .find(|&i| i >= 40)
        .map_or(text, |i| &text[..i]);
    ics::cut(first, chars)
}

#[cfg(test)]
mod tests;
