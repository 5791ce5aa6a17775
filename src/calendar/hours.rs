//! A library's opening hours as an hours slide shows them, in Swedish: today's, staffed and
//! meröppet apart, the rest of the week's, and the days with other hours in the coming two weeks
//! ("Julafton 24 december: bemannat 10–13, meröppet stängt"). Computed from the same
//! [`OpeningHours`] the schedule uses, so the screen never shows hours it does not keep.

use chrono::{Datelike, Duration, NaiveDate};

use super::clock::TimeWindow;
use super::opening::OpeningHours;

/// How many days after today the week on the slide shows.
pub const WEEK_AFTER_TODAY: i64 = 6;
/// How far ahead days with other hours are announced.
pub const EXCEPTIONS_AHEAD: i64 = 14;

/// One day's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoursRow {
    /// "I dag", "tisdag", or the exception's name.
    pub day: String,
    pub staffed: String,
    pub self_service: String,
    /// The day has other hours than usual.
    pub exception: bool,
}

/// Everything an hours slide shows, ready to set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HoursBoard {
    /// The library's name, when the screen knows it.
    pub library: Option<String>,
    /// "onsdag 2 december".
    pub date: String,
    /// Today first, then the rest of the week. Empty when the screen knows no hours.
    pub rows: Vec<HoursRow>,
    /// Whether any day has meröppet hours: without, the column is left out.
    pub has_self_service: bool,
    /// Days with other hours after the week shown, within two weeks.
    pub coming: Vec<String>,
}

/// The board for `today` (the screen's local date).
pub fn board(opening: &OpeningHours, library: Option<&str>, today: NaiveDate) -> HoursBoard {
    let mut b = HoursBoard {
        library: library.map(str::to_string),
        date: date_sv(today),
        ..HoursBoard::default()
    };
    if !opening.is_configured() {
        return b;
    }
    for d in 0..=WEEK_AFTER_TODAY {
        let date = today + Duration::days(d);
        let day = opening.day(date);
        b.has_self_service |= !day.self_service.is_empty();
        let name = if d == 0 {
            "I dag".to_string()
        } else if d == 1 {
            "I morgon".to_string()
        } else {
            capitalized(weekday_sv(date.weekday()))
        };
        b.rows.push(HoursRow {
            day: match &day.exception {
                Some(x) => format!("{name}, {x}"),
                None => name,
            },
            staffed: windows_sv(&day.staffed),
            self_service: windows_sv(&day.self_service),
            exception: day.exception.is_some(),
        });
    }
    for d in (WEEK_AFTER_TODAY + 1)..=EXCEPTIONS_AHEAD {
        let date = today + Duration::days(d);
        let day = opening.day(date);
        if let Some(name) = day.exception {
            let mut text = format!(
                "{name} {} {}: bemannat {}",
                date.day(),
                MONTHS[date.month0() as usize],
                windows_sv(&day.staffed)
            );
            if b.has_self_service || !day.self_service.is_empty() {
                text.push_str(&format!(", meröppet {}", windows_sv(&day.self_service)));
            }
            b.coming.push(text);
        }
    }
    b
}

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];

/// Swedish weekday names, Monday first.
pub fn weekday_sv(day: chrono::Weekday) -> &'static str {
    [
        "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag",
    ][day.num_days_from_monday() as usize]
}

/// A date as Swedes write it in running text: "onsdag 24 december".
pub fn date_sv(date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        weekday_sv(date.weekday()),
        date.day(),
        MONTHS[date.month0() as usize]
    )
}

/// The text with its first letter upper-case: "Torsdag 24 december".
pub fn capitalized(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|first| first.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A time as on Swedish signs: whole hours alone ("10"), others with a point ("10.30").
pub(crate) fn time_sv(minutes: u16) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    if m == 0 {
        format!("{h:02}")
    } else {
        format!("{h:02}.{m:02}")
    }
}

/// A day's windows of one mode: "10–19", "10–12, 13–19", "dygnet runt" or "stängt".
pub fn windows_sv(windows: &[TimeWindow]) -> String {
    if windows.is_empty() {
        return "stängt".into();
    }
    if windows.iter().any(|w| w.start.0 == 0 && w.end.0 == 24 * 60) {
        return "dygnet runt".into();
    }
    windows
        .iter()
        .map(|w| format!("{}–{}", time_sv(w.start.0), time_sv(w.end.0)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::opening::{OpeningException, OpeningLine};

    fn karlstad() -> OpeningHours {
        OpeningHours {
            staffed: vec![
                OpeningLine::parse("mon-thu 10:00-19:00").unwrap(),
                OpeningLine::parse("fri 10:00-18:00").unwrap(),
                OpeningLine::parse("sat 11:00-15:00").unwrap(),
            ],
            self_service: vec![OpeningLine::parse("mon-sun 07:00-22:30").unwrap()],
            exceptions: vec![
                OpeningException {
                    name: Some("Julafton".into()),
                    dates: vec![NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()],
                    staffed: vec![OpeningLine::parse("10:00-13:00").unwrap()],
                    self_service: Vec::new(),
                },
                OpeningException {
                    name: Some("Nyårsafton".into()),
                    dates: vec![NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()],
                    staffed: vec![OpeningLine::parse("10:00-13:00").unwrap()],
                    self_service: vec![OpeningLine::parse("00:00-24:00").unwrap()],
                },
            ],
        }
    }

    #[test]
    fn christmas_eve_shows_its_own_hours_and_new_years_eve_is_announced() {
        let eve = NaiveDate::from_ymd_opt(2026, 12, 24).unwrap();
        let b = board(&karlstad(), Some("Karlstads stadsbibliotek"), eve);
        assert_eq!(b.date, "torsdag 24 december");
        assert_eq!(
            b.rows[0],
            HoursRow {
                day: "I dag, Julafton".into(),
                staffed: "10–13".into(),
                self_service: "stängt".into(),
                exception: true,
            }
        );
        assert_eq!(b.rows[1].day, "I morgon");
        assert_eq!(
            b.rows[1].staffed, "10–18",
            "the 25th is a Friday like any other here"
        );
        assert_eq!(b.rows[2].day, "Lördag");
        assert_eq!(b.rows[2].staffed, "11–15");
        assert_eq!(b.rows[2].self_service, "07–22.30");
        assert_eq!(b.rows.len(), 7);
        assert_eq!(
            b.coming,
            ["Nyårsafton 31 december: bemannat 10–13, meröppet dygnet runt"]
        );
    }

    #[test]
    fn a_screen_without_hours_says_nothing_it_does_not_know() {
        let b = board(
            &OpeningHours::default(),
            None,
            NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(),
        );
        assert!(b.rows.is_empty());
        assert_eq!(b.date, "söndag 29 mars");
    }

    #[test]
    fn the_night_the_clocks_go_forward_is_a_day_like_any_other() {
        // 28 March 2027: clocks go forward at 02:00 in Sweden.
        let day = NaiveDate::from_ymd_opt(2027, 3, 28).unwrap();
        let b = board(&karlstad(), Some("Karlstads stadsbibliotek"), day);
        assert_eq!(b.date, "söndag 28 mars");
        assert_eq!(b.rows[0].staffed, "stängt");
        assert_eq!(b.rows[0].self_service, "07–22.30");
        assert_eq!(b.rows[1].day, "I morgon");
        assert_eq!(b.rows[1].staffed, "10–19");
        assert!(b.coming.is_empty());
    }
}
