//! `vitrin plan`: what a screen will show over the coming hours, as a table. The staff's "what
//! will play on Christmas Eve?" tool.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use chrono::{DateTime, Duration as ChronoDuration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::playlist::Playlist;
use crate::schedule::{PlanEntry, Program, Reason, after_clock_gap, plan};
use crate::screen::ScreenConfig;
use crate::units::Human;

/// Why a `--at` time could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a time: write it like \"2026-12-24 10:00\", \"2026-12-24\" or \"now\"")]
pub struct BadTime(pub String);

/// Reads `--at`: `now`, `2026-12-24`, `2026-12-24 10:00`, `2026-12-24T10:00`, or RFC 3339 with an
/// offset. Local times are in the screen's zone; the note explains a time that happens twice or
/// not at all on a day the clocks change.
pub fn parse_at(
    text: &str,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, Option<String>), BadTime> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("now") || t.is_empty() {
        return Ok((now, None));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok((dt.with_timezone(&Utc), None));
    }
    let naive = [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })
    .ok_or_else(|| BadTime(t.to_string()))?;
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(dt) => Ok((dt.with_timezone(&Utc), None)),
        chrono::LocalResult::Ambiguous(first, second) => Ok((
            first.with_timezone(&Utc),
            Some(format!(
                "note: {} happens twice in {} (the clocks go back); showing the first time, {}. The second is {}.",
                naive.format("%Y-%m-%d %H:%M"),
                tz.name(),
                first.format("%H:%M %Z"),
                second.format("%H:%M %Z")
            )),
        )),
        chrono::LocalResult::None => {
            let after = after_clock_gap(tz, naive).ok_or_else(|| BadTime(t.to_string()))?;
            Ok((
                after.with_timezone(&Utc),
                Some(format!(
                    "note: {} does not exist in {} (the clocks go forward); showing {} instead.",
                    naive.format("%Y-%m-%d %H:%M"),
                    tz.name(),
                    after.format("%H:%M %Z")
                )),
            ))
        }
    }
}

/// The plan as text: a table of stretches, then the slides of each playlist that plays.
pub fn render_plan(
    playlists: &[Playlist],
    screen: &ScreenConfig,
    from: DateTime<Utc>,
    hours: u32,
    note: Option<&str>,
) -> String {
    let tz = screen.timezone;
    let until = from + ChronoDuration::hours(i64::from(hours));
    let entries = plan(playlists, screen, from, until);
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string();
    let mut out = String::new();
    let library = screen
        .library
        .as_ref()
        .map(|l| format!("library {l}, "))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "Plan for screen \"{}\" ({library}{}), {} hour{} from {}",
        screen.id,
        tz.name(),
        hours,
        if hours == 1 { "" } else { "s" },
        local(from)
    );
    if let Some(n) = note {
        let _ = writeln!(out, "{n}");
    }
    out.push('\n');
    let rows: Vec<[String; 4]> = entries
        .iter()
        .map(|e| {
            [
                local(e.from),
                local(e.until),
                e.program.mode.name().to_string(),
                describe(&e.program, playlists),
            ]
        })
        .collect();
    let header = ["FROM", "UNTIL", "MODE", "SHOWS"];
    let widths: Vec<usize> = (0..3)
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut line = |cells: [&str; 4]| {
        let _ = writeln!(
            out,
            "{:w0$}  {:w1$}  {:w2$}  {}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
    };
    line(header);
    for r in &rows {
        line([&r[0], &r[1], &r[2], &r[3]]);
    }
    out.push_str(&slide_listing(&entries, playlists));
    out
}

fn describe(program: &Program, playlists: &[Playlist]) -> String {
    match program.reason {
        Reason::Closed => "nothing: the library is closed and the screen is blank".into(),
        Reason::Nothing => "no playlist is active: the vitrin welcome slide".into(),
        Reason::Scheduled | Reason::Fallback => {
            let names: Vec<String> = program
                .playlists
                .iter()
                .map(|a| {
                    let p = &playlists[a.playlist];
                    format!(
                        "{} ({} of {} slides)",
                        p.name,
                        a.slides.len(),
                        p.slides.len()
                    )
                })
                .collect();
            let priority = program
                .playlists
                .first()
                .map_or(0, |a| playlists[a.playlist].priority);
            let mut s = names.join(" + ");
            if program.reason == Reason::Fallback {
                s.push_str(" [fallback]");
            }
            if priority != 0 {
                let _ = write!(s, " [priority {priority}]");
            }
            s
        }
    }
}

/// Each (playlist, active slides) that appears in the plan, once, with its slides.
fn slide_listing(entries: &[PlanEntry], playlists: &[Playlist]) -> String {
    let mut seen = BTreeSet::new();
    let mut out = String::new();
    for e in entries {
        for a in &e.program.playlists {
            if !seen.insert((a.playlist, a.slides.clone())) {
                continue;
            }
            let p = &playlists[a.playlist];
            let _ = writeln!(out, "\n{} ({}):", p.name, p.source.display());
            for &i in &a.slides {
                let s = &p.slides[i];
                let _ = writeln!(
                    out,
                    "  {:>2}. {:<8} {:<48} {:>6}  {}",
                    i + 1,
                    s.content.kind(),
                    truncate(&s.content.summary(), 48),
                    Human(s.duration).to_string(),
                    s.transition
                );
            }
        }
    }
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn parses_local_times_in_the_screen_zone() {
        let tz = chrono_tz::Europe::Stockholm;
        let now = utc("2026-11-30T12:00:00Z");
        assert_eq!(parse_at("now", tz, now).unwrap().0, now);
        let (t, note) = parse_at("2026-12-24 10:00", tz, now).unwrap();
        assert_eq!(t, utc("2026-12-24T09:00:00Z"));
        assert!(note.is_none());
        assert_eq!(
            parse_at("2026-12-24", tz, now).unwrap().0,
            utc("2026-12-23T23:00:00Z")
        );
    }

    #[test]
    fn explains_times_on_clock_change_days() {
        let tz = chrono_tz::Europe::Stockholm;
        let now = utc("2026-11-30T12:00:00Z");
        let (t, note) = parse_at("2026-10-25 02:30", tz, now).unwrap();
        assert_eq!(t, utc("2026-10-25T00:30:00Z"));
        assert!(note.unwrap().contains("happens twice"));
        let (t, note) = parse_at("2026-03-29 02:30", tz, now).unwrap();
        assert_eq!(t, utc("2026-03-29T01:00:00Z"));
        assert!(note.unwrap().contains("does not exist"));
        assert!(parse_at("christmas", tz, now).is_err());
    }
}
