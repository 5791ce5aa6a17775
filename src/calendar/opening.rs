//! A library's opening hours: when it is staffed, when it is open for self-service (the staffless
//! "meröppet" hours of the 24-hour library), and when it is closed, with exception dates such as
//! Christmas Eve.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::clock::{ClockError, DaySet, TimeOfDay, TimeWindow};

/// What kind of hours the library is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Staff are in the building.
    Staffed,
    /// Open without staff ("meröppet"): visitors let themselves in with card and PIN.
    SelfService,
    /// Closed: screens show nothing.
    Closed,
}

impl Mode {
    pub const NAMES: &'static [&'static str] = &["staffed", "self-service"];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Staffed => "staffed",
            Mode::SelfService => "self-service",
            Mode::Closed => "closed",
        }
    }

    pub fn from_name(name: &str) -> Option<Mode> {
        match name {
            "staffed" => Some(Mode::Staffed),
            "self-service" => Some(Mode::SelfService),
            "closed" => Some(Mode::Closed),
            _ => None,
        }
    }
}

/// One line of opening hours: `"mon-fri 10:00-19:00"`, or `"10:00-13:00"` for every day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningLine {
    pub days: DaySet,
    pub windows: Vec<TimeWindow>,
}

impl OpeningLine {
    pub fn parse(text: &str) -> Result<OpeningLine, ClockError> {
        let t = text.trim();
        let split = t.find(|c: char| c.is_ascii_digit()).unwrap_or(t.len());
        let (days_text, hours_text) = t.split_at(split);
        let days = if days_text.trim().is_empty() {
            DaySet::ALL
        } else {
            DaySet::parse(days_text.trim())?
        };
        if hours_text.trim().is_empty() {
            return Err(ClockError::BadWindow(t.to_string()));
        }
        let windows = hours_text
            .split(',')
            .filter(|w| !w.trim().is_empty())
            .map(TimeWindow::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(OpeningLine { days, windows })
    }
}

/// Dates whose hours differ from the usual week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningException {
    pub name: Option<String>,
    pub dates: Vec<NaiveDate>,
    pub staffed: Vec<OpeningLine>,
    pub self_service: Vec<OpeningLine>,
}

/// A screen's opening hours. With none configured, the library counts as always staffed.
/// One day's opening hours ([`OpeningHours::day`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayHours {
    /// The name of the exception that sets the day's hours, if one does.
    pub exception: Option<String>,
    pub staffed: Vec<TimeWindow>,
    pub self_service: Vec<TimeWindow>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningHours {
    pub staffed: Vec<OpeningLine>,
    pub self_service: Vec<OpeningLine>,
    pub exceptions: Vec<OpeningException>,
}

impl OpeningHours {
    pub fn is_configured(&self) -> bool {
        !(self.staffed.is_empty() && self.self_service.is_empty() && self.exceptions.is_empty())
    }

    /// The mode at a local wall-clock time. Staffed wins over self-service.
    pub fn mode_at(&self, local: NaiveDateTime) -> Mode {
        if !self.is_configured() {
            return Mode::Staffed;
        }
        if self.open_at(local, |e| &e.staffed, &self.staffed) {
            Mode::Staffed
        } else if self.open_at(local, |e| &e.self_service, &self.self_service) {
            Mode::SelfService
        } else {
            Mode::Closed
        }
    }

    fn open_at(
        &self,
        local: NaiveDateTime,
        pick: impl Fn(&OpeningException) -> &Vec<OpeningLine>,
        weekly: &[OpeningLine],
    ) -> bool {
        let date = local.date();
        let time = TimeOfDay::of(local.time());
        let lines_for = |d: NaiveDate| -> (&[OpeningLine], bool) {
            match self.exceptions.iter().find(|e| e.dates.contains(&d)) {
                Some(e) => (pick(e).as_slice(), true),
                None => (weekly, false),
            }
        };
        let (today, today_exception) = lines_for(date);
        let today_open = today.iter().any(|l| {
            (today_exception || l.days.contains(date.weekday()))
                && l.windows.iter().any(|w| w.contains_same_day(time))
        });
        if today_open {
            return true;
        }
        let Some(yesterday) = date.pred_opt() else {
            return false;
        };
        let (prev, prev_exception) = lines_for(yesterday);
        prev.iter().any(|l| {
            (prev_exception || l.days.contains(yesterday.weekday()))
                && l.windows.iter().any(|w| w.contains_next_day(time))
        })
    }

    /// Every time of day at which some line starts or ends: where the mode can change.
    /// One day's hours as people read them: the exception's name if the day has one, and the
    /// windows of each mode that start that day.
    pub fn day(&self, date: NaiveDate) -> DayHours {
        let exception = self.exceptions.iter().find(|e| e.dates.contains(&date));
        let windows = |lines: &[OpeningLine], any_day: bool| -> Vec<TimeWindow> {
            lines
                .iter()
                .filter(|l| any_day || l.days.contains(date.weekday()))
                .flat_map(|l| l.windows.iter().copied())
                .collect()
        };
        match exception {
            Some(e) => DayHours {
                exception: Some(e.name.clone().unwrap_or_else(|| "avvikande tider".into())),
                staffed: windows(&e.staffed, true),
                self_service: windows(&e.self_service, true),
            },
            None => DayHours {
                exception: None,
                staffed: windows(&self.staffed, false),
                self_service: windows(&self.self_service, false),
            },
        }
    }

    pub fn boundaries(&self) -> impl Iterator<Item = TimeOfDay> + '_ {
        let lines = self.staffed.iter().chain(&self.self_service).chain(
            self.exceptions
                .iter()
                .flat_map(|e| e.staffed.iter().chain(&e.self_service)),
        );
        lines.flat_map(|l| l.windows.iter().flat_map(|w| [w.start, w.end]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn hours() -> OpeningHours {
        OpeningHours {
            staffed: vec![
                OpeningLine::parse("mon-thu 10:00-19:00").unwrap(),
                OpeningLine::parse("fri 10:00-17:00").unwrap(),
            ],
            self_service: vec![OpeningLine::parse("mon-sun 07:00-22:00").unwrap()],
            exceptions: vec![OpeningException {
                name: Some("Julafton".into()),
                dates: vec![NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()],
                staffed: vec![OpeningLine::parse("10:00-13:00").unwrap()],
                self_service: vec![],
            }],
        }
    }

    #[test]
    fn modes_through_a_week() {
        let h = hours();
        assert_eq!(h.mode_at(at("2026-12-07 10:00")), Mode::Staffed); // Monday
        assert_eq!(h.mode_at(at("2026-12-07 19:00")), Mode::SelfService);
        assert_eq!(h.mode_at(at("2026-12-07 22:00")), Mode::Closed);
        assert_eq!(h.mode_at(at("2026-12-07 06:59")), Mode::Closed);
        assert_eq!(h.mode_at(at("2026-12-12 12:00")), Mode::SelfService); // Saturday
    }

    #[test]
    fn exception_dates_replace_the_week() {
        let h = hours();
        assert_eq!(h.mode_at(at("2026-12-24 10:00")), Mode::Staffed);
        assert_eq!(h.mode_at(at("2026-12-24 13:00")), Mode::Closed);
        assert_eq!(h.mode_at(at("2026-12-24 08:00")), Mode::Closed);
    }

    #[test]
    fn lines_past_midnight_belong_to_their_first_day() {
        let h = OpeningHours {
            self_service: vec![OpeningLine::parse("fri 20:00-02:00").unwrap()],
            ..OpeningHours::default()
        };
        assert_eq!(h.mode_at(at("2026-12-04 23:00")), Mode::SelfService); // Friday
        assert_eq!(h.mode_at(at("2026-12-05 01:30")), Mode::SelfService); // Saturday night
        assert_eq!(h.mode_at(at("2026-12-05 02:00")), Mode::Closed);
        assert_eq!(h.mode_at(at("2026-12-06 01:30")), Mode::Closed); // Sunday night
    }

    #[test]
    fn no_hours_means_always_staffed() {
        assert_eq!(
            OpeningHours::default().mode_at(at("2026-12-25 03:00")),
            Mode::Staffed
        );
    }

    #[test]
    fn parses_lines() {
        let l = OpeningLine::parse("mån-fre 10:00-12:00, 13:00-19:00").unwrap();
        assert_eq!(l.days.to_string(), "mon-fri");
        assert_eq!(l.windows.len(), 2);
        assert_eq!(OpeningLine::parse("10-13").unwrap().days, DaySet::ALL);
        assert!(OpeningLine::parse("mon-fri").is_err());
        assert!(OpeningLine::parse("funday 10-12").is_err());
    }
}
