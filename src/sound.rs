//! What a screen may say out loud, and how loud: the click of a touch and the chime of a slide,
//! at the screen's volume, never in its quiet hours, and not at all without `sound = true`. The
//! player asks [`schedule`] for every sound before it plays it, so tests read the schedule without
//! a sound card.

use serde::Serialize;

use crate::calendar::clock::{TimeOfDay, TimeWindow};
use crate::playlist::Chime;

/// A sound the player may make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cue {
    /// A visitor touched the screen.
    Click,
    /// A slide came on screen.
    Chime(Chime),
}

/// A screen's sound settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `sound = true`: the screen makes sounds at all.
    pub enabled: bool,
    /// The master volume, in percent.
    pub volume: u8,
    /// When the screen stays silent, in its local time.
    pub quiet_hours: Vec<TimeWindow>,
}

impl Settings {
    /// A screen config's sound settings.
    pub fn of(screen: &crate::screen::ScreenConfig) -> Settings {
        Settings {
            enabled: screen.sound,
            volume: screen.volume,
            quiet_hours: screen.quiet_hours.clone(),
        }
    }
}

/// A sound to play, and how loud (0 to 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scheduled {
    pub cue: Cue,
    pub gain: f32,
}

/// Whether `at` (the screen's local time of day) falls in quiet hours. A window past midnight
/// ("19:00-09:00") covers both ends of the night.
pub fn is_quiet(quiet_hours: &[TimeWindow], at: TimeOfDay) -> bool {
    quiet_hours
        .iter()
        .any(|w| w.contains_same_day(at) || w.contains_next_day(at))
}

/// The sound `cue` makes at `at`, or `None` when the screen stays silent.
pub fn schedule(settings: &Settings, cue: Cue, at: TimeOfDay) -> Option<Scheduled> {
    if !settings.enabled || settings.volume == 0 || is_quiet(&settings.quiet_hours, at) {
        return None;
    }
    Some(Scheduled {
        cue,
        gain: f32::from(settings.volume.min(100)) / 100.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(volume: u8, quiet: &[&str]) -> Settings {
        Settings {
            enabled: true,
            volume,
            quiet_hours: quiet
                .iter()
                .map(|q| TimeWindow::parse(q).unwrap())
                .collect(),
        }
    }

    #[test]
    fn sounds_play_at_the_volume_and_never_in_quiet_hours() {
        let s = settings(40, &["19:00-09:00", "12:00-13:00"]);
        let ding = Cue::Chime(Chime::Ding);
        assert_eq!(
            schedule(&s, ding, TimeOfDay::hm(10, 0)),
            Some(Scheduled {
                cue: ding,
                gain: 0.4
            })
        );
        for quiet in [(12, 30), (20, 0), (3, 0), (8, 59)] {
            assert_eq!(
                schedule(&s, Cue::Click, TimeOfDay::hm(quiet.0, quiet.1)),
                None,
                "{quiet:?}"
            );
        }
        assert!(schedule(&s, Cue::Click, TimeOfDay::hm(9, 0)).is_some());
    }

    #[test]
    fn a_silent_screen_or_no_volume_makes_no_sound() {
        let mut s = settings(100, &[]);
        s.enabled = false;
        assert_eq!(schedule(&s, Cue::Click, TimeOfDay::hm(10, 0)), None);
        assert_eq!(
            schedule(&settings(0, &[]), Cue::Click, TimeOfDay::hm(10, 0)),
            None
        );
    }
}
