//! The pieces of time that staff write: weekdays (`"mon-fri"`, `"lör, sön"`), times of day
//! (`"08:00"`, `"20.30"`) and daily windows (`"20:00-02:00"`, which runs past midnight).

use std::fmt;

use chrono::{NaiveTime, Timelike, Weekday};
use serde::{Deserialize, Serialize};

/// A set of weekdays.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DaySet(u8);

const DAY_NAMES: [(&str, &str, &str); 7] = [
    ("mon", "mån", "monday"),
    ("tue", "tis", "tuesday"),
    ("wed", "ons", "wednesday"),
    ("thu", "tor", "thursday"),
    ("fri", "fre", "friday"),
    ("sat", "lör", "saturday"),
    ("sun", "sön", "sunday"),
];

/// Why a weekday, time or window could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("unknown day \"{0}\"")]
    UnknownDay(String),
    #[error("\"{0}\" is not a time of day")]
    BadTime(String),
    #[error("\"{0}\" is not a time window")]
    BadWindow(String),
    #[error("the window \"{0}\" starts and ends at the same time")]
    EmptyWindow(String),
}

impl ClockError {
    pub fn hint(&self) -> &'static str {
        match self {
            ClockError::UnknownDay(_) => {
                "days are mon tue wed thu fri sat sun (or mån tis ons tor fre lör sön), and ranges like \"mon-fri\""
            }
            ClockError::BadTime(_) => "times go from 00:00 to 24:00, like \"08:30\" or \"20.00\"",
            ClockError::BadWindow(_) => {
                "write a window as start-end, like \"10:00-19:00\" (or \"20:00-02:00\" past midnight)"
            }
            ClockError::EmptyWindow(_) => {
                "for the whole day write \"00:00-24:00\", or leave out hours"
            }
        }
    }
}

impl DaySet {
    pub const ALL: DaySet = DaySet(0b111_1111);
    pub const NONE: DaySet = DaySet(0);

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    pub fn insert(&mut self, day: Weekday) {
        self.0 |= 1 << day.num_days_from_monday();
    }

    pub fn union(self, other: DaySet) -> DaySet {
        DaySet(self.0 | other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Reads `"mon-fri"`, `"sat, sun"`, `"mån-fre"`, `"weekdays"`, `"alla dagar"`.
    pub fn parse(text: &str) -> Result<DaySet, ClockError> {
        if matches!(
            text.trim().to_lowercase().as_str(),
            "every day" | "alla dagar" | "varje dag"
        ) {
            return Ok(DaySet::ALL);
        }
        let mut set = DaySet::NONE;
        for part in text.split([',', ' ', ';']).filter(|p| !p.trim().is_empty()) {
            set.0 |= parse_day_part(part.trim())?.0;
        }
        if set.is_empty() {
            return Err(ClockError::UnknownDay(text.to_string()));
        }
        Ok(set)
    }
}

fn parse_day_part(part: &str) -> Result<DaySet, ClockError> {
    let lower = part.to_lowercase();
    match lower.as_str() {
        "daily" | "everyday" | "alla" | "dagligen" => return Ok(DaySet::ALL),
        "weekdays" | "vardagar" => return Ok(DaySet(0b001_1111)),
        "weekend" | "weekends" | "helger" | "helg" => return Ok(DaySet(0b110_0000)),
        _ => {}
    }
    if let Some((a, b)) = lower.split_once(['-', '–']) {
        let start = parse_weekday(a.trim()).ok_or_else(|| ClockError::UnknownDay(part.into()))?;
        let end = parse_weekday(b.trim()).ok_or_else(|| ClockError::UnknownDay(part.into()))?;
        let mut set = DaySet::NONE;
        let mut day = start;
        loop {
            set.insert(day);
            if day == end {
                break;
            }
            day = day.succ();
        }
        return Ok(set);
    }
    let day = parse_weekday(&lower).ok_or_else(|| ClockError::UnknownDay(part.into()))?;
    let mut set = DaySet::NONE;
    set.insert(day);
    Ok(set)
}

fn parse_weekday(text: &str) -> Option<Weekday> {
    let text = text.trim_end_matches(['.', ':']);
    DAY_NAMES
        .iter()
        .enumerate()
        .find_map(|(i, (en, sv, long))| {
            let matches = text == *en
                || text == *sv
                || text == *long
                || (text.len() >= 3 && long.starts_with(text))
                || swedish_long(i).is_some_and(|l| text == l);
            matches.then(|| Weekday::try_from(i as u8).expect("0..7 is a weekday"))
        })
}

fn swedish_long(i: usize) -> Option<&'static str> {
    [
        "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag",
    ]
    .get(i)
    .copied()
}

/// Every weekday's short English name, for suggestions.
pub fn day_names() -> impl Iterator<Item = &'static str> {
    DAY_NAMES.iter().map(|(en, _, _)| *en)
}

impl TryFrom<String> for DaySet {
    type Error = ClockError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        DaySet::parse(&value)
    }
}

impl From<DaySet> for String {
    fn from(value: DaySet) -> Self {
        value.to_string()
    }
}

impl fmt::Display for DaySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == DaySet::ALL {
            return f.write_str("mon-sun");
        }
        // Consecutive days are written as ranges: "mon-fri, sun".
        let mut parts = Vec::new();
        let mut i = 0;
        while i < 7 {
            if self.0 & (1 << i) == 0 {
                i += 1;
                continue;
            }
            let start = i;
            while i + 1 < 7 && self.0 & (1 << (i + 1)) != 0 {
                i += 1;
            }
            parts.push(if i > start + 1 {
                format!("{}-{}", DAY_NAMES[start].0, DAY_NAMES[i].0)
            } else if i == start + 1 {
                format!("{}, {}", DAY_NAMES[start].0, DAY_NAMES[i].0)
            } else {
                DAY_NAMES[start].0.to_string()
            });
            i += 1;
        }
        f.write_str(&parts.join(", "))
    }
}

impl fmt::Debug for DaySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DaySet({self})")
    }
}

/// A time of day in whole minutes from midnight; 24:00 (1440) is allowed as the end of a window.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TimeOfDay(pub u16);

impl TimeOfDay {
    pub const MIDNIGHT: TimeOfDay = TimeOfDay(0);
    pub const END_OF_DAY: TimeOfDay = TimeOfDay(1440);

    pub fn hm(h: u16, m: u16) -> Self {
        TimeOfDay(h * 60 + m)
    }

    /// Reads `"08:00"`, `"8:00"`, `"20.30"`, `"24:00"` and a bare hour like `"8"`.
    pub fn parse(text: &str) -> Result<TimeOfDay, ClockError> {
        let bad = || ClockError::BadTime(text.trim().to_string());
        let t = text.trim();
        let (h, m) = match t.split_once([':', '.']) {
            Some((h, m)) => (h, m),
            None => (t, "0"),
        };
        if h.is_empty() || h.len() > 2 || m.is_empty() || m.len() > 2 {
            return Err(bad());
        }
        let h: u16 = h.parse().map_err(|_| bad())?;
        let m: u16 = m.parse().map_err(|_| bad())?;
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return Err(bad());
        }
        Ok(TimeOfDay::hm(h, m))
    }

    pub fn of(time: NaiveTime) -> Self {
        TimeOfDay((time.hour() * 60 + time.minute()) as u16)
    }

    /// The time as a `NaiveTime`; 24:00 has none.
    pub fn to_naive(self) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(u32::from(self.0 / 60), u32::from(self.0 % 60), 0)
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl fmt::Debug for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A daily window from `start` (inclusive) to `end` (exclusive). When `end` is not after
/// `start` the window runs past midnight into the next day, and belongs to the day it starts on.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeWindow {
    pub start: TimeOfDay,
    pub end: TimeOfDay,
}

impl TimeWindow {
    pub const ALL_DAY: TimeWindow = TimeWindow {
        start: TimeOfDay::MIDNIGHT,
        end: TimeOfDay::END_OF_DAY,
    };

    /// Reads `"10:00-19:00"`, `"20:00-02:00"`, `"10-14"`.
    pub fn parse(text: &str) -> Result<TimeWindow, ClockError> {
        let t = text.trim();
        let (a, b) = t
            .split_once(['-', '–', '—'])
            .ok_or_else(|| ClockError::BadWindow(t.to_string()))?;
        let start = TimeOfDay::parse(a)?;
        let end = TimeOfDay::parse(b)?;
        if start == end || (start == TimeOfDay::MIDNIGHT && end == TimeOfDay::MIDNIGHT) {
            return Err(ClockError::EmptyWindow(t.to_string()));
        }
        if start == TimeOfDay::END_OF_DAY {
            return Err(ClockError::BadWindow(t.to_string()));
        }
        Ok(TimeWindow { start, end })
    }

    pub fn crosses_midnight(self) -> bool {
        self.end <= self.start
    }

    /// Whether `time` on the window's own day falls inside it.
    pub fn contains_same_day(self, time: TimeOfDay) -> bool {
        if self.crosses_midnight() {
            time >= self.start
        } else {
            time >= self.start && time < self.end
        }
    }

    /// Whether `time` on the day after the window's day falls inside its tail past midnight.
    pub fn contains_next_day(self, time: TimeOfDay) -> bool {
        self.crosses_midnight() && time < self.end
    }
}

impl TryFrom<String> for TimeWindow {
    type Error = ClockError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        TimeWindow::parse(&value)
    }
}

impl From<TimeWindow> for String {
    fn from(value: TimeWindow) -> Self {
        value.to_string()
    }
}

impl fmt::Display for TimeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

impl fmt::Debug for TimeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_in_english_and_swedish() {
        assert_eq!(DaySet::parse("mon-fri").unwrap().to_string(), "mon-fri");
        assert_eq!(DaySet::parse("mån-fre").unwrap().to_string(), "mon-fri");
        assert_eq!(DaySet::parse("lör, sön").unwrap().to_string(), "sat, sun");
        assert_eq!(DaySet::parse("weekend").unwrap().to_string(), "sat, sun");
        assert_eq!(DaySet::parse("alla dagar").unwrap(), DaySet::ALL);
        assert_eq!(
            DaySet::parse("fri-mon").unwrap().to_string(),
            "mon, fri-sun"
        );
        assert_eq!(DaySet::parse("Tuesday").unwrap().to_string(), "tue");
        assert_eq!(
            DaySet::parse("mondag"),
            Err(ClockError::UnknownDay("mondag".into()))
        );
    }

    #[test]
    fn times_of_day() {
        assert_eq!(TimeOfDay::parse("08:30").unwrap(), TimeOfDay::hm(8, 30));
        assert_eq!(TimeOfDay::parse("20.00").unwrap(), TimeOfDay::hm(20, 0));
        assert_eq!(TimeOfDay::parse("9").unwrap(), TimeOfDay::hm(9, 0));
        assert_eq!(TimeOfDay::parse("24:00").unwrap(), TimeOfDay::END_OF_DAY);
        for bad in ["25:00", "24:30", "12:60", "noon", "", "1:2:3"] {
            assert!(TimeOfDay::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn windows_past_midnight() {
        let w = TimeWindow::parse("20:00-02:00").unwrap();
        assert!(w.crosses_midnight());
        assert!(w.contains_same_day(TimeOfDay::hm(23, 0)));
        assert!(!w.contains_same_day(TimeOfDay::hm(1, 0)));
        assert!(w.contains_next_day(TimeOfDay::hm(1, 59)));
        assert!(!w.contains_next_day(TimeOfDay::hm(2, 0)));
        let day = TimeWindow::parse("10:00–19:00").unwrap();
        assert!(day.contains_same_day(TimeOfDay::hm(10, 0)));
        assert!(!day.contains_same_day(TimeOfDay::hm(19, 0)));
        assert!(matches!(
            TimeWindow::parse("08:00-08:00"),
            Err(ClockError::EmptyWindow(_))
        ));
        assert!(matches!(
            TimeWindow::parse("08:00"),
            Err(ClockError::BadWindow(_))
        ));
    }
}
