//! iCalendar (RFC 5545) files read into events: the structure by the `icalendar` crate's parser,
//! recurrences (RRULE, RDATE, EXDATE) by the `rrule` crate, time zones by chrono-tz's copy of the
//! IANA database. This module only ties them together and holds them to limits.
//!
//! - A TZID that is not an IANA name (Outlook writes "W. Europe Standard Time", Mozilla
//!   "/mozilla.org/…/Europe/Stockholm") is matched by its tail or a short table of Windows names,
//!   else the calendar's `X-WR-TIMEZONE`, else the default zone. VTIMEZONE blocks are not read.
//! - Floating times and all-day dates are the default zone's (the region's: Europe/Stockholm).
//! - A moved or changed instance (RECURRENCE-ID) replaces its occurrence; STATUS:CANCELLED leaves
//!   out the instance or the whole series it is on.
//! - Only occurrences that overlap the window asked for are kept, at most
//!   [`MAX_OCCURRENCES`], earliest first.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use icalendar::parser::{Component, Property};
use std::collections::{HashMap, HashSet};

use super::{Event, EventTime};

/// The largest calendar file read.
pub const MAX_ICS_BYTES: usize = 8 << 20;
/// The most VEVENTs a calendar may hold.
pub const MAX_VEVENTS: usize = 10_000;
/// How deep BEGIN blocks may nest (a calendar needs three: VCALENDAR, VEVENT, VALARM).
pub const MAX_DEPTH: usize = 8;
/// The most occurrences one recurring event gives, and the most a calendar gives in all.
pub const MAX_PER_SERIES: u16 = 400;
pub const MAX_OCCURRENCES: usize = 2000;
/// Texts are cut to these many characters.
const TITLE_CHARS: usize = 200;
const PLACE_CHARS: usize = 200;
const DESCRIPTION_CHARS: usize = 400;
const URL_CHARS: usize = 500;

/// Why a calendar could not be read, with the line (of the file as sent, from 1) where known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct IcsError {
    pub line: Option<usize>,
    pub message: String,
}

fn error(line: Option<usize>, message: impl Into<String>) -> IcsError {
    IcsError {
        line,
        message: message.into(),
    }
}

/// What a calendar gave: its events in the window, and what was left out of it and why.
#[derive(Debug, Default)]
pub struct Parsed {
    pub events: Vec<Event>,
    pub warnings: Vec<String>,
}

/// Reads the events of an iCalendar file that overlap `from`..`to`, earliest first.
pub fn parse(
    bytes: &[u8],
    default_tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Parsed, IcsError> {
    if bytes.len() > MAX_ICS_BYTES {
        return Err(error(
            None,
            format!(
                "{} bytes: a calendar may have {} MB at most",
                bytes.len(),
                MAX_ICS_BYTES >> 20
            ),
        ));
    }
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let lines = unfold(text)?;
    let joined: String = lines
        .iter()
        .flat_map(|(_, l)| [l.as_str(), "\r\n"])
        .collect();
    let components = icalendar::parser::read_calendar_simple(&joined).map_err(|e| {
        let offset = joined.len() - e.input.len();
        let index = joined[..offset].matches('\n').count();
        error(
            lines.get(index).map(|(n, _)| *n),
            "not a valid iCalendar line",
        )
    })?;
    let calendar = components
        .iter()
        .find(|c| c.name.as_str().eq_ignore_ascii_case("VCALENDAR"))
        .ok_or_else(|| error(None, "not an iCalendar file: no BEGIN:VCALENDAR"))?;
    let calendar_tz = calendar
        .find_prop("X-WR-TIMEZONE")
        .and_then(|p| zone(p.val.as_str()));
    let zones = Zones {
        calendar: calendar_tz,
        default: default_tz,
    };
    let vevents: Vec<&Component> = calendar
        .components
        .iter()
        .filter(|c| c.name.as_str().eq_ignore_ascii_case("VEVENT"))
        .collect();
    let mut parsed = Parsed::default();
    // Instances moved or changed by a RECURRENCE-ID, by UID: their series leaves them out.
    let mut replaced: HashMap<String, HashSet<DateTime<Utc>>> = HashMap::new();
    let mut read = Vec::new();
    for (i, vevent) in vevents.iter().enumerate() {
        match VEvent::read(vevent, &zones) {
            Ok(v) => {
                if let Some(id) = v.recurrence_id {
                    replaced.entry(v.uid.clone()).or_default().insert(id);
                }
                read.push(v);
            }
            Err(e) => parsed
                .warnings
                .push(format!("event {} left out: {e}", i + 1)),
        }
    }
    for v in read {
        if v.cancelled {
            continue;
        }
        let none = HashSet::new();
        let skip = if v.recurrence_id.is_none() {
            replaced.get(&v.uid).unwrap_or(&none)
        } else {
            &none
        };
        match v.occurrences(from, to, skip, &zones) {
            Ok(events) => parsed.events.extend(events),
            Err(e) => parsed
                .warnings
                .push(format!("event \"{}\" left out: {e}", v.title)),
        }
        // Memory stays bounded however many series there are: the earliest are kept.
        if parsed.events.len() > 2 * MAX_OCCURRENCES {
            earliest(&mut parsed.events, default_tz);
        }
    }
    earliest(&mut parsed.events, default_tz);
    Ok(parsed)
}

/// Sorts events by start (then title) and keeps the first [`MAX_OCCURRENCES`].
fn earliest(events: &mut Vec<Event>, tz: Tz) {
    events.sort_by(|a, b| {
        a.when
            .sort_key(tz)
            .cmp(&b.when.sort_key(tz))
            .then_with(|| a.title.cmp(&b.title))
    });
    events.truncate(MAX_OCCURRENCES);
}

/// The file's logical lines (folded lines joined), each with the number of its first line.
/// Checks the structure the parser would otherwise recurse into: BEGIN and END pair up, nest at
/// most [`MAX_DEPTH`] deep, and there are at most [`MAX_VEVENTS`] events.
fn unfold(text: &str) -> Result<Vec<(usize, String)>, IcsError> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t']) {
            match out.last_mut() {
                Some((_, line)) => line.push_str(rest),
                None => return Err(error(Some(i + 1), "the file starts with a folded line")),
            }
        } else if !raw.trim().is_empty() {
            out.push((i + 1, raw.to_string()));
        }
    }
    let mut open: Vec<String> = Vec::new();
    let mut vevents = 0;
    for (n, line) in &out {
        let Some((head, value)) = line.split_once(':') else {
            return Err(error(
                Some(*n),
                "a line without a colon: each line is NAME:value",
            ));
        };
        let name = head.split(';').next().unwrap_or_default();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(error(
                Some(*n),
                format!("\"{name}\" is not a property name"),
            ));
        }
        let value = value.trim().to_ascii_uppercase();
        if name.eq_ignore_ascii_case("BEGIN") {
            if open.len() == MAX_DEPTH {
                return Err(error(
                    Some(*n),
                    format!("blocks nested more than {MAX_DEPTH} deep"),
                ));
            }
            if value == "VEVENT" {
                vevents += 1;
                if vevents > MAX_VEVENTS {
                    return Err(error(
                        Some(*n),
                        format!("more than {MAX_VEVENTS} events in one calendar"),
                    ));
                }
            }
            open.push(value);
        } else if name.eq_ignore_ascii_case("END") {
            match open.pop() {
                Some(begun) if begun == value => {}
                Some(begun) => {
                    return Err(error(
                        Some(*n),
                        format!("END:{value} where BEGIN:{begun} was open"),
                    ));
                }
                None => return Err(error(Some(*n), format!("END:{value} without a BEGIN"))),
            }
        }
    }
    if let Some(begun) = open.last() {
        return Err(error(
            None,
            format!("BEGIN:{begun} is never ended: the file is cut off"),
        ));
    }
    Ok(out)
}

/// Where times without a known zone are.
struct Zones {
    calendar: Option<Tz>,
    default: Tz,
}

impl Zones {
    fn fallback(&self) -> Tz {
        self.calendar.unwrap_or(self.default)
    }
}

/// An IANA zone for a TZID: the name itself, a tail of it that is one
/// ("/mozilla.org/20050126_1/Europe/Stockholm"), or a Windows zone name common in Sweden.
pub fn zone(tzid: &str) -> Option<Tz> {
    let tzid = tzid.trim().trim_matches('"');
    if let Ok(tz) = tzid.parse::<Tz>() {
        return Some(tz);
    }
    let parts: Vec<&str> = tzid.split('/').collect();
    for start in 1..parts.len() {
        if let Ok(tz) = parts[start..].join("/").parse::<Tz>() {
            return Some(tz);
        }
    }
    const WINDOWS: &[(&str, Tz)] = &[
        ("W. Europe Standard Time", Tz::Europe__Stockholm),
        ("Central Europe Standard Time", Tz::Europe__Budapest),
        ("Central European Standard Time", Tz::Europe__Warsaw),
        ("Romance Standard Time", Tz::Europe__Paris),
        ("FLE Standard Time", Tz::Europe__Helsinki),
        ("GMT Standard Time", Tz::Europe__London),
        ("UTC", Tz::UTC),
    ];
    WINDOWS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(tzid))
        .map(|(_, tz)| *tz)
}

/// A DTSTART, DTEND, RDATE, EXDATE or RECURRENCE-ID value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Moment {
    Date(NaiveDate),
    At(DateTime<Tz>),
}

impl Moment {
    /// The instant it names; a date is its midnight in `tz`.
    fn instant(self, tz: Tz) -> DateTime<Utc> {
        match self {
            Moment::At(t) => t.with_timezone(&Utc),
            Moment::Date(d) => local(tz, d.and_time(chrono::NaiveTime::MIN)).with_timezone(&Utc),
        }
    }
}

/// A local time in `tz`; one that a clock change skips is taken as the moment after the gap.
fn local(tz: Tz, t: NaiveDateTime) -> DateTime<Tz> {
    tz.from_local_datetime(&t)
        .earliest()
        .or_else(|| tz.from_local_datetime(&(t + Duration::hours(1))).earliest())
        .unwrap_or_else(|| tz.from_utc_datetime(&t))
}

fn param<'a>(p: &'a Property, key: &str) -> Option<&'a str> {
    p.params
        .iter()
        .find(|x| x.key.as_str().eq_ignore_ascii_case(key))
        .and_then(|x| x.val.as_ref())
        .map(|v| v.as_str())
}

/// The moments of a date-time property (RDATE and EXDATE may list several, comma-separated).
fn moments(p: &Property, zones: &Zones) -> Result<Vec<Moment>, String> {
    let is_date = param(p, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"));
    let tz = param(p, "TZID").map(|id| zone(id).unwrap_or(zones.fallback()));
    p.val
        .as_str()
        .split(',')
        .map(|v| moment(v.trim(), is_date, tz, zones))
        .collect()
}

fn moment(value: &str, is_date: bool, tz: Option<Tz>, zones: &Zones) -> Result<Moment, String> {
    let bad = || format!("\"{value}\" is not a date or time (like 20261205T100000)");
    if is_date || value.len() == 8 {
        return NaiveDate::parse_from_str(value, "%Y%m%d")
            .map(Moment::Date)
            .map_err(|_| bad());
    }
    if let Some(utc) = value.strip_suffix('Z') {
        let t = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
        return Ok(Moment::At(Tz::UTC.from_utc_datetime(&t)));
    }
    let t = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
    Ok(Moment::At(local(tz.unwrap_or(zones.fallback()), t)))
}

/// An RFC 5545 duration: "PT1H30M", "P1D", "P2W", "-PT15M".
fn duration(value: &str) -> Option<Duration> {
    let (sign, rest) = match value.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, value.strip_prefix('+').unwrap_or(value)),
    };
    let rest = rest.strip_prefix('P')?;
    let mut total = Duration::zero();
    let mut number = String::new();
    let mut in_time = false;
    for c in rest.chars() {
        match c {
            '0'..='9' => number.push(c),
            'T' if number.is_empty() => in_time = true,
            _ => {
                let n: i64 = number.parse().ok().filter(|n| *n <= 100_000)?;
                number.clear();
                total += match (c, in_time) {
                    ('W', false) => Duration::weeks(n),
                    ('D', false) => Duration::days(n),
                    ('H', true) => Duration::hours(n),
                    ('M', true) => Duration::minutes(n),
                    ('S', true) => Duration::seconds(n),
                    _ => return None,
                };
            }
        }
    }
    number.is_empty().then_some(total * sign)
}

/// One VEVENT as read, before its occurrences are made.
struct VEvent {
    uid: String,
    title: String,
    start: Moment,
    /// How long each occurrence lasts.
    length: Duration,
    rrule: Option<String>,
    rdates: Vec<Moment>,
    exdates: Vec<Moment>,
    recurrence_id: Option<DateTime<Utc>>,
    cancelled: bool,
    location: Option<String>,
    categories: Vec<String>,
    description: Option<String>,
    url: Option<String>,
}

/// A TEXT value unescaped, as one line of plain text, at most `chars` characters.
fn text(p: &Property, chars: usize) -> Option<String> {
    let raw = p.val.clone().unescape_text();
    let plain = plain_text(raw.as_str());
    let t = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then(|| cut(&t, chars))
}

/// Text without HTML tags and entities (some web calendars put HTML in DESCRIPTION).
fn plain_text(s: &str) -> String {
    if !s.contains('<') && !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    html_escape::decode_html_entities(&out).into_owned()
}

/// At most `chars` characters, cut at a word with "…" when cut.
pub fn cut(s: &str, chars: usize) -> String {
    if s.chars().count() <= chars {
        return s.to_string();
    }
    let head: String = s.chars().take(chars).collect();
    let whole = s.chars().nth(chars).is_some_and(char::is_whitespace);
    let head = match head.rfind(' ') {
        Some(i) if !whole && i > head.len() / 2 => &head[..i],
        _ => &head,
    };
    format!(
        "{}…",
        head.trim_end_matches([' ', ',', '.', ';', ':', '-', '–'])
    )
}

/// CATEGORIES values: comma-separated, each unescaped; several properties add up.
fn categories(props: &[&Property]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in props {
        let raw = p.val.as_str();
        let mut item = String::new();
        let mut escaped = false;
        for c in raw.chars() {
            match (escaped, c) {
                (false, '\\') => {
                    escaped = true;
                    item.push(c);
                }
                (false, ',') => {
                    out.push(std::mem::take(&mut item));
                }
                _ => {
                    escaped = false;
                    item.push(c);
                }
            }
        }
        out.push(item);
    }
    out.into_iter()
        .map(|c| {
            cut(
                icalendar::parser::ParseString::from(c)
                    .unescape_text()
                    .as_str()
                    .trim(),
                60,
            )
        })
        .filter(|c| !c.is_empty())
        .take(20)
        .collect()
}

impl VEvent {
    fn read(c: &Component, zones: &Zones) -> Result<Self, String> {
        let prop = |name: &str| {
            c.properties
                .iter()
                .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
        };
        let all = |name: &str| -> Vec<&Property> {
            c.properties
                .iter()
                .filter(|p| p.name.as_str().eq_ignore_ascii_case(name))
                .collect()
        };
        let title = prop("SUMMARY")
            .and_then(|p| text(p, TITLE_CHARS))
            .ok_or("it has no SUMMARY (title)")?;
        let start = prop("DTSTART")
            .ok_or("it has no DTSTART")
            .and_then(|p| moments(p, zones).map_err(|_| "its DTSTART is not a date or time"))?;
        let start = *start.first().ok_or("its DTSTART is empty")?;
        let length = match (prop("DTEND"), prop("DURATION")) {
            (Some(end), _) => {
                let end = *moments(end, zones)?.first().ok_or("its DTEND is empty")?;
                end.instant(zones.default) - start.instant(zones.default)
            }
            (None, Some(d)) => duration(d.val.as_str())
                .ok_or_else(|| format!("\"{}\" is not a duration", d.val.as_str()))?,
            // RFC 5545: a date lasts the day, a time is an instant.
            (None, None) => match start {
                Moment::Date(_) => Duration::days(1),
                Moment::At(_) => Duration::zero(),
            },
        };
        if length < Duration::zero() || length > Duration::days(366) {
            return Err("it ends before it starts, or lasts over a year".into());
        }
        let list = |name: &str| -> Result<Vec<Moment>, String> {
            let mut out = Vec::new();
            for p in all(name) {
                out.extend(moments(p, zones)?);
            }
            Ok(out)
        };
        let recurrence_id = match prop("RECURRENCE-ID") {
            Some(p) => moments(p, zones)?
                .first()
                .map(|m| m.instant(zones.fallback())),
            None => None,
        };
        let url = prop("URL")
            .map(|p| p.val.as_str().trim().to_string())
            .filter(|u| {
                u.len() <= URL_CHARS
                    && url::Url::parse(u)
                        .is_ok_and(|u| u.scheme() == "https" || u.scheme() == "http")
            });
        Ok(VEvent {
            uid: prop("UID")
                .map(|p| p.val.as_str().to_string())
                .unwrap_or_else(|| title.clone()),
            title,
            start,
            length,
            rrule: prop("RRULE").map(|p| p.val.as_str().to_string()),
            rdates: list("RDATE")?,
            exdates: list("EXDATE")?,
            recurrence_id,
            cancelled: prop("STATUS")
                .is_some_and(|p| p.val.as_str().trim().eq_ignore_ascii_case("CANCELLED")),
            location: prop("LOCATION").and_then(|p| text(p, PLACE_CHARS)),
            categories: categories(&all("CATEGORIES")),
            description: prop("DESCRIPTION").and_then(|p| text(p, DESCRIPTION_CHARS)),
            url,
        })
    }

    /// The zone the series repeats in: its start's, or for dates the fallback.
    fn series_zone(&self, zones: &Zones) -> Tz {
        match self.start {
            Moment::At(t) => t.timezone(),
            Moment::Date(_) => zones.fallback(),
        }
    }

    /// Its occurrences that overlap `from`..`to`, leaving out those at `skip` (instants moved or
    /// changed by another VEVENT).
    fn occurrences(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        skip: &HashSet<DateTime<Utc>>,
        zones: &Zones,
    ) -> Result<Vec<Event>, String> {
        let tz = self.series_zone(zones);
        let starts: Vec<DateTime<Utc>> = match &self.rrule {
            None => std::iter::once(self.start)
                .chain(self.rdates.iter().copied())
                .map(|m| self.instant(m, tz))
                .filter(|t| {
                    !self.exdates.iter().any(|x| self.instant(*x, tz) == *t)
                        && *t + self.length >= from
                        && *t < to
                })
                .collect(),
            // The rrule crate is not ours: should it still panic on a rule, the event is left
            // out and the rest of the calendar shows.
            Some(rule) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.expand(rule, tz, from, to)
            }))
            .unwrap_or_else(|_| Err(format!("its RRULE \"{rule}\" could not be expanded")))?,
        };
        let mut seen = HashSet::new();
        Ok(starts
            .into_iter()
            .filter(|t| !skip.contains(t) && seen.insert(*t))
            .map(|start| self.event_at(start, tz))
            .collect())
    }

    /// The instant a moment names in this series: for a series of whole days, the midnight of
    /// the moment's own date (Outlook writes an all-day EXDATE as a time in its zone).
    fn instant(&self, m: Moment, tz: Tz) -> DateTime<Utc> {
        match (self.start, m) {
            (Moment::Date(_), Moment::At(t)) => Moment::Date(t.date_naive()).instant(tz),
            _ => m.instant(tz),
        }
    }

    /// The starts of a recurring series within the window, by the rrule crate.
    fn expand(
        &self,
        rule: &str,
        tz: Tz,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, String> {
        // RFC 5545 rules are ASCII; the rrule crate slices a BYDAY value by bytes and panics
        // inside a character (found by fuzzing: "BYDAY=\u{e4}U").
        if !rule.is_ascii() || rule.len() > 500 {
            return Err("its RRULE is not a rule (not ASCII, or too long)".into());
        }
        let rtz = rrule::Tz::Tz(tz);
        let at = |t: DateTime<Utc>| t.with_timezone(&rtz);
        let start = at(self.start.instant(tz));
        let rule = until_in_utc(rule, tz, matches!(self.start, Moment::Date(_)));
        let parsed: rrule::RRule<rrule::Unvalidated> = rule
            .parse()
            .map_err(|e: rrule::RRuleError| format!("its RRULE \"{rule}\": {e}"))?;
        use rrule::Frequency;
        if matches!(
            parsed.get_freq(),
            Frequency::Hourly | Frequency::Minutely | Frequency::Secondly
        ) {
            return Err(format!(
                "its RRULE \"{rule}\" repeats more often than daily, as no library event does"
            ));
        }
        // A daily or weekly series from long ago starts again at its last occurrence before the
        // window (whole periods later, the same local time): the rule gives the same dates
        // without being walked through decades of them.
        let start = match (parsed.get_freq(), parsed.get_count()) {
            (Frequency::Daily | Frequency::Weekly, None) => {
                let days = i64::from(parsed.get_interval().max(1))
                    * if parsed.get_freq() == Frequency::Weekly {
                        7
                    } else {
                        1
                    };
                let local_start = start.with_timezone(&tz).naive_local();
                let behind = ((from - self.length).with_timezone(&tz).date_naive()
                    - local_start.date())
                .num_days()
                    - days;
                if behind > days {
                    at(
                        local(tz, local_start + Duration::days(behind / days * days))
                            .with_timezone(&Utc),
                    )
                } else {
                    start
                }
            }
            _ => start,
        };
        if parsed.get_until().is_some_and(|u| *u < start) {
            return Ok(Vec::new());
        }
        let validated = parsed
            .validate(start)
            .map_err(|e| format!("its RRULE \"{rule}\": {e}"))?;
        let mut set = rrule::RRuleSet::new(start).rrule(validated);
        for r in &self.rdates {
            set = set.rdate(at(self.instant(*r, tz)));
        }
        for x in &self.exdates {
            set = set.exdate(at(self.instant(*x, tz)));
        }
        let result = set
            .after(at(from - self.length))
            .before(at(to))
            .all(MAX_PER_SERIES);
        Ok(result
            .dates
            .into_iter()
            .map(|d| d.with_timezone(&Utc))
            .collect())
    }

    fn event_at(&self, start: DateTime<Utc>, tz: Tz) -> Event {
        let when = match self.start {
            Moment::Date(_) => {
                let first = start.with_timezone(&tz).date_naive();
                let days = self.length.num_days().max(1);
                EventTime::Days {
                    first,
                    last: first + Duration::days(days - 1),
                }
            }
            Moment::At(_) => EventTime::Timed {
                start,
                end: start + self.length,
            },
        };
        Event {
            uid: self.uid.clone(),
            title: self.title.clone(),
            when,
            location: self.location.clone(),
            categories: self.categories.clone(),
            description: self.description.clone(),
            url: self.url.clone(),
        }
    }
}

/// An RRULE whose UNTIL is a floating time or a date, rewritten with UNTIL in UTC, as the rrule
/// crate wants for a start in a named zone (many calendars write it local). A date-only UNTIL
/// includes its day.
fn until_in_utc(rule: &str, tz: Tz, all_day: bool) -> String {
    rule.split(';')
        .map(|part| {
            let Some(value) = part
                .strip_prefix("UNTIL=")
                .or_else(|| part.strip_prefix("until="))
            else {
                return part.to_string();
            };
            if value.ends_with('Z') {
                return part.to_string();
            }
            let local_end = if value.len() == 8 {
                NaiveDate::parse_from_str(value, "%Y%m%d").ok().map(|d| {
                    if all_day {
                        d.and_time(chrono::NaiveTime::MIN)
                    } else {
                        d.and_hms_opt(23, 59, 59).expect("a valid time")
                    }
                })
            } else {
                NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").ok()
            };
            match local_end {
                Some(t) => format!(
                    "UNTIL={}",
                    local(tz, t).with_timezone(&Utc).format("%Y%m%dT%H%M%SZ")
                ),
                None => part.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}
