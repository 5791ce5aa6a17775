//! What a screen shows at an instant: pure functions of (playlists, screen config, instant) that
//! never read the clock. They answer which playlists and slides are active, in which opening mode,
//! and when that answer next changes, so the player can sleep until exactly then.
//!
//! Rules, in order:
//! 1. The opening mode comes from the screen's hours. In `closed` mode nothing plays.
//! 2. A playlist is a candidate when it targets the screen (by id or tag), plays in the current
//!    mode, its schedule holds, and at least one of its slides' own schedules holds.
//! 3. Among non-fallback candidates, only those with the highest priority play. Several with the
//!    same priority are **concatenated** in file-name order: all of the first playlist's slides,
//!    then the next playlist's.
//! 4. With no non-fallback candidate, fallback playlists play (again the highest priority only).
//!
//! Local times are read in the screen's time zone. On the day clocks go forward (in Sweden the
//! last Sunday of March) the hour 02:00-03:00 does not exist, so a window inside it never opens;
//! on the day they go back (last Sunday of October) 02:00-03:00 happens twice and a window inside
//! it is open both times.

use chrono::{DateTime, Duration as ChronoDuration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::calendar::When;
use crate::calendar::clock::TimeOfDay;
use crate::calendar::opening::Mode;
use crate::playlist::Playlist;
use crate::screen::ScreenConfig;

/// One playlist as it plays now: which of its slides are on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivePlaylist {
    /// Index into the playlists given to [`program_at`].
    pub playlist: usize,
    /// Indices of its slides that play now, in order.
    pub slides: Vec<usize>,
}

/// Why the screen shows what it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Scheduled playlists play.
    Scheduled,
    /// Nothing is scheduled, so fallback playlists play.
    Fallback,
    /// Nothing at all is active: the player shows its own branded slide.
    Nothing,
    /// The library is closed: the screen is blank.
    Closed,
}

/// What a screen shows at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Program {
    pub mode: Mode,
    pub reason: Reason,
    pub playlists: Vec<ActivePlaylist>,
}

impl Program {
    pub fn slide_count(&self) -> usize {
        self.playlists.iter().map(|p| p.slides.len()).sum()
    }
}

/// Converts an instant to the screen's wall-clock time.
pub fn local_time(tz: Tz, at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&tz).naive_local()
}

/// What the screen shows at `at`.
pub fn program_at(playlists: &[Playlist], screen: &ScreenConfig, at: DateTime<Utc>) -> Program {
    let local = local_time(screen.timezone, at);
    let mode = screen.opening.mode_at(local);
    if mode == Mode::Closed {
        return Program {
            mode,
            reason: Reason::Closed,
            playlists: Vec::new(),
        };
    }
    let candidates: Vec<(usize, &Playlist, Vec<usize>)> = playlists
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.targets(&screen.id, &screen.tags)
                && p.modes.contains(&mode)
                && p.when.as_ref().is_none_or(|w| w.matches(local))
        })
        .filter_map(|(i, p)| {
            let slides: Vec<usize> = p
                .slides
                .iter()
                .enumerate()
                .filter(|(_, s)| s.when.as_ref().is_none_or(|w| w.matches(local)))
                .map(|(j, _)| j)
                .collect();
            (!slides.is_empty()).then_some((i, p, slides))
        })
        .collect();
    let pick = |fallback: bool| -> Vec<ActivePlaylist> {
        let tier: Vec<_> = candidates
            .iter()
            .filter(|(_, p, _)| p.fallback == fallback)
            .collect();
        let Some(top) = tier.iter().map(|(_, p, _)| p.priority).max() else {
            return Vec::new();
        };
        let mut chosen: Vec<_> = tier
            .into_iter()
            .filter(|(_, p, _)| p.priority == top)
            .collect();
        chosen.sort_by(|a, b| a.1.source.cmp(&b.1.source).then(a.0.cmp(&b.0)));
        chosen
            .into_iter()
            .map(|(i, _, slides)| ActivePlaylist {
                playlist: *i,
                slides: slides.clone(),
            })
            .collect()
    };
    let scheduled = pick(false);
    if !scheduled.is_empty() {
        return Program {
            mode,
            reason: Reason::Scheduled,
            playlists: scheduled,
        };
    }
    let fallback = pick(true);
    let reason = if fallback.is_empty() {
        Reason::Nothing
    } else {
        Reason::Fallback
    };
    Program {
        mode,
        reason,
        playlists: fallback,
    }
}

/// How far ahead [`next_change`] looks before it says the program never changes.
pub const HORIZON_DAYS: i64 = 400;

/// How far ahead the player looks on its frame thread: past it, it looks again then.
pub const LOOK_AHEAD_DAYS: i64 = 2;

/// The first instant after `now` at which [`program_at`] gives another answer, or `None` if it
/// stays the same for [`HORIZON_DAYS`].
pub fn next_change(
    playlists: &[Playlist],
    screen: &ScreenConfig,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    next_change_within(playlists, screen, now, HORIZON_DAYS)
}

/// When the player looks at the schedule again: the next change if it comes within
/// [`LOOK_AHEAD_DAYS`], else then. However many schedules there are, the player's frame never
/// searches more than a couple of days of them.
pub fn next_look(
    playlists: &[Playlist],
    screen: &ScreenConfig,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    next_change_within(playlists, screen, now, LOOK_AHEAD_DAYS)
        .unwrap_or(now + ChronoDuration::days(LOOK_AHEAD_DAYS))
}

/// [`next_change`], looking at most `days` (and the day before `now`) ahead.
fn next_change_within(
    playlists: &[Playlist],
    screen: &ScreenConfig,
    now: DateTime<Utc>,
    days: i64,
) -> Option<DateTime<Utc>> {
    let current = program_at(playlists, screen, now);
    let tz = screen.timezone;
    let start_date = local_time(tz, now).date().pred_opt()?;
    for day in 0..=days {
        let date = start_date + ChronoDuration::days(day);
        let mut candidates: Vec<DateTime<Utc>> = boundaries_on(date, playlists, screen)
            .iter()
            .flat_map(|t| instants_of(tz, date, *t))
            .chain(offset_changes(tz, date))
            .filter(|c| *c > now)
            .collect();
        candidates.sort();
        candidates.dedup();
        for c in candidates {
            if program_at(playlists, screen, c) != current {
                return Some(c);
            }
        }
    }
    None
}

/// The times of day at which what plays may change on `date`: midnight, the opening hours'
/// boundaries, and those of the schedules that can hold that day. A schedule for other dates adds
/// nothing, nor do the slides of a playlist that is off that day, so a playlist with hundreds of
/// dated slides costs a few checks a day, not hundreds.
fn boundaries_on(date: NaiveDate, playlists: &[Playlist], screen: &ScreenConfig) -> Vec<TimeOfDay> {
    let mut times: Vec<TimeOfDay> = vec![TimeOfDay::MIDNIGHT];
    times.extend(screen.opening.boundaries());
    let may_hold = |w: &&When| w.may_hold_on(date);
    for p in playlists {
        if p.when.as_ref().is_some_and(|w| !w.may_hold_on(date)) {
            continue;
        }
        times.extend(p.when.iter().flat_map(When::boundaries));
        for s in &p.slides {
            times.extend(s.when.iter().filter(may_hold).flat_map(When::boundaries));
        }
    }
    times.retain(|t| *t < TimeOfDay::END_OF_DAY);
    times.sort();
    times.dedup();
    times
}

/// The instants at which a local date and time happen: none, one, or two around a clock change.
/// A time that does not exist (skipped when clocks go forward) maps to the first instant after the
/// gap, which is when wall-clock conditions starting in the gap take effect.
fn instants_of(tz: Tz, date: NaiveDate, time: TimeOfDay) -> Vec<DateTime<Utc>> {
    let Some(naive_time) = time.to_naive() else {
        return Vec::new();
    };
    let local = date.and_time(naive_time);
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => vec![t.with_timezone(&Utc)],
        chrono::LocalResult::Ambiguous(a, b) => {
            vec![a.with_timezone(&Utc), b.with_timezone(&Utc)]
        }
        chrono::LocalResult::None => after_clock_gap(tz, local)
            .map(|t| vec![t.with_timezone(&Utc)])
            .unwrap_or_default(),
    }
}

/// For a local time that does not exist because the clocks go forward, the first minute after
/// the gap (02:30 on the last Sunday of March in Stockholm gives 03:00 CEST). `None` when no time
/// within three hours after it exists, which no zone's rules give.
pub fn after_clock_gap(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Tz>> {
    (1..=180)
        .map(|m| local + ChronoDuration::minutes(m))
        .find_map(|l| tz.from_local_datetime(&l).earliest())
}

/// Instants during a local date at which the zone's UTC offset changes (checked every quarter
/// hour, which catches every zone's rules).
fn offset_changes(tz: Tz, date: NaiveDate) -> Vec<DateTime<Utc>> {
    use chrono::Offset;
    let Some(start) = instants_of(tz, date, TimeOfDay::MIDNIGHT).first().copied() else {
        return Vec::new();
    };
    let offset = |t: DateTime<Utc>| t.with_timezone(&tz).offset().fix();
    let mut out = Vec::new();
    let mut previous = offset(start);
    for step in 1..=(26 * 4) {
        let t = start + ChronoDuration::minutes(15 * step);
        let o = offset(t);
        if o != previous {
            out.push(t);
            previous = o;
        }
    }
    out
}

/// A stretch of time with one program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanEntry {
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub program: Program,
}

/// The programs from `from` to `until`, split where they change.
pub fn plan(
    playlists: &[Playlist],
    screen: &ScreenConfig,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<PlanEntry> {
    let mut out = Vec::new();
    let mut at = from;
    while at < until {
        let program = program_at(playlists, screen, at);
        let next = next_change(playlists, screen, at)
            .unwrap_or(until)
            .min(until);
        out.push(PlanEntry {
            from: at,
            until: next,
            program,
        });
        at = next;
    }
    out
}

#[cfg(test)]
mod tests;
