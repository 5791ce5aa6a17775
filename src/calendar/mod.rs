//! Days, times of day and opening hours: the calendar vocabulary that playlists, screen configs
//! and the schedule share. Plain values that parse from what staff write ("mon-fri",
//! "10:00-19:00") and answer questions about a local wall-clock time; nothing here reads the clock.

pub mod clock;
pub mod hours;
pub mod opening;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use clock::{DaySet, TimeOfDay, TimeWindow};

/// When a playlist or slide plays. Every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct When {
    pub days: Option<DaySet>,
    /// Daily windows; empty means all day.
    pub hours: Vec<TimeWindow>,
    /// First day, inclusive.
    pub from: Option<NaiveDate>,
    /// Last day, inclusive.
    pub until: Option<NaiveDate>,
    /// Only on these dates, if any are given.
    pub dates: Vec<NaiveDate>,
    /// Never on these dates.
    pub except: Vec<NaiveDate>,
}

impl When {
    /// Whether the day-level conditions hold for `date` (the day a window starts on).
    pub fn day_matches(&self, date: NaiveDate) -> bool {
        self.days.is_none_or(|d| d.contains(date.weekday()))
            && self.from.is_none_or(|f| date >= f)
            && self.until.is_none_or(|u| date <= u)
            && (self.dates.is_empty() || self.dates.contains(&date))
            && !self.except.contains(&date)
    }

    /// Whether the schedule holds at a local wall-clock time. A window past midnight belongs to the
    /// day it starts on: `"20:00-02:00"` on Fridays holds on Saturday at 01:00.
    pub fn matches(&self, local: NaiveDateTime) -> bool {
        let date = local.date();
        let time = TimeOfDay::of(local.time());
        if self.hours.is_empty() {
            return self.day_matches(date);
        }
        let today = self.day_matches(date);
        let yesterday = || date.pred_opt().is_some_and(|d| self.day_matches(d));
        self.hours.iter().any(|w| {
            (today && w.contains_same_day(time)) || (w.contains_next_day(time) && yesterday())
        })
    }

    /// Whether a daily window that starts on `date` or the day before (past midnight) can hold on
    /// `date`: only then can its boundaries change anything that day.
    pub fn may_hold_on(&self, date: NaiveDate) -> bool {
        self.day_matches(date) || date.pred_opt().is_some_and(|d| self.day_matches(d))
    }

    /// The times of day at which the daily windows open and close.
    pub fn boundaries(&self) -> impl Iterator<Item = TimeOfDay> + '_ {
        self.hours.iter().flat_map(|w| [w.start, w.end])
    }
}
