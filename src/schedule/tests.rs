use std::path::Path;

use chrono::{DateTime, Utc};
use proptest::prelude::*;

use super::*;
use crate::calendar::opening::{OpeningHours, OpeningLine};
use crate::check::load_playlist_str;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A playlist from TOML, as staff would write it.
fn playlist(file: &str, toml: &str) -> Playlist {
    let (p, diagnostics) = load_playlist_str(Path::new(file), toml);
    p.unwrap_or_else(|| panic!("{file} does not load: {diagnostics:?}"))
}

fn text_playlist(file: &str, head: &str) -> Playlist {
    playlist(
        file,
        &format!("{head}\n[[slide]]\nkind = \"text\"\ntitle = \"{file}\"\n"),
    )
}

fn screen() -> ScreenConfig {
    ScreenConfig::default()
}

fn names(program: &Program, playlists: &[Playlist]) -> Vec<String> {
    program
        .playlists
        .iter()
        .map(|a| playlists[a.playlist].name.clone())
        .collect()
}

#[test]
fn hours_past_midnight_belong_to_their_first_day() {
    let p = [text_playlist(
        "natt.toml",
        "[when]\ndays = \"fri\"\nhours = \"20:00-02:00\"",
    )];
    let s = screen();
    // Friday 2026-12-04 in Stockholm is UTC+1.
    let on = |t| !program_at(&p, &s, utc(t)).playlists.is_empty();
    assert!(!on("2026-12-04T18:59:00Z")); // Fri 19:59
    assert!(on("2026-12-04T19:00:00Z")); // Fri 20:00
    assert!(on("2026-12-05T00:59:00Z")); // Sat 01:59
    assert!(!on("2026-12-05T01:00:00Z")); // Sat 02:00
    assert!(!on("2026-12-05T19:30:00Z")); // Sat 20:30
    assert!(!on("2026-12-06T00:30:00Z")); // Sun 01:30
    assert_eq!(
        next_change(&p, &s, utc("2026-12-04T12:00:00Z")),
        Some(utc("2026-12-04T19:00:00Z"))
    );
    assert_eq!(
        next_change(&p, &s, utc("2026-12-04T19:00:00Z")),
        Some(utc("2026-12-05T01:00:00Z"))
    );
}

#[test]
fn the_hour_that_does_not_exist_in_spring_never_plays() {
    let p = [text_playlist(
        "natt.toml",
        "[when]\nhours = \"02:00-03:00\"",
    )];
    let s = screen();
    // 2026-03-29: clocks go from 02:00 CET straight to 03:00 CEST (01:00 UTC).
    assert!(
        program_at(&p, &s, utc("2026-03-29T00:59:00Z"))
            .playlists
            .is_empty()
    );
    assert!(
        program_at(&p, &s, utc("2026-03-29T01:00:00Z"))
            .playlists
            .is_empty()
    );
    // The day before, 02:00 CET is 01:00 UTC.
    assert!(
        !program_at(&p, &s, utc("2026-03-28T01:30:00Z"))
            .playlists
            .is_empty()
    );
    // From the evening before, the next change is on the 30th, not in the missing hour.
    assert_eq!(
        next_change(&p, &s, utc("2026-03-28T20:00:00Z")),
        Some(utc("2026-03-30T00:00:00Z")) // 02:00 CEST
    );
}

#[test]
fn the_hour_that_happens_twice_in_autumn_plays_twice() {
    let p = [text_playlist(
        "natt.toml",
        "[when]\nhours = \"02:30-04:00\"",
    )];
    let s = screen();
    // 2026-10-25: 03:00 CEST (01:00 UTC) becomes 02:00 CET; 02:30 happens at 00:30 and 01:30 UTC.
    let on = |t| !program_at(&p, &s, utc(t)).playlists.is_empty();
    assert!(!on("2026-10-25T00:29:00Z"));
    assert!(on("2026-10-25T00:30:00Z")); // 02:30 CEST
    assert!(!on("2026-10-25T01:00:00Z")); // 02:00 CET, the hour again
    assert!(on("2026-10-25T01:30:00Z")); // 02:30 CET
    assert!(!on("2026-10-25T03:00:00Z")); // 04:00 CET
    let mut changes = Vec::new();
    let mut t = utc("2026-10-25T00:00:00Z");
    for _ in 0..4 {
        t = next_change(&p, &s, t).unwrap();
        changes.push(t);
    }
    assert_eq!(
        changes,
        [
            utc("2026-10-25T00:30:00Z"),
            utc("2026-10-25T01:00:00Z"),
            utc("2026-10-25T01:30:00Z"),
            utc("2026-10-25T03:00:00Z"),
        ]
    );
}

#[test]
fn higher_priority_takes_over_and_equal_priorities_concatenate() {
    let p = [
        text_playlist("b-vinter.toml", "name = \"Vinter\""),
        text_playlist("a-nyheter.toml", "name = \"Nyheter\""),
        text_playlist(
            "jul.toml",
            "name = \"Julstängt\"\npriority = 10\n[when]\nfrom = 2026-12-23\nuntil = 2026-12-26",
        ),
    ];
    let s = screen();
    let before = program_at(&p, &s, utc("2026-12-22T12:00:00Z"));
    assert_eq!(before.reason, Reason::Scheduled);
    // Concatenated in file-name order, not in the order given.
    assert_eq!(names(&before, &p), ["Nyheter", "Vinter"]);
    let during = program_at(&p, &s, utc("2026-12-24T09:00:00Z"));
    assert_eq!(names(&during, &p), ["Julstängt"]);
    // The notice starts at local midnight (23:00 UTC the day before).
    assert_eq!(
        next_change(&p, &s, utc("2026-12-22T12:00:00Z")),
        Some(utc("2026-12-22T23:00:00Z"))
    );
    // And its last day is inclusive.
    assert_eq!(
        next_change(&p, &s, utc("2026-12-24T09:00:00Z")),
        Some(utc("2026-12-26T23:00:00Z"))
    );
}

#[test]
fn fallback_plays_only_when_nothing_else_does() {
    let p = [
        text_playlist("valkommen.toml", "fallback = true"),
        text_playlist("kvall.toml", "[when]\nhours = \"18:00-21:00\""),
    ];
    let s = screen();
    let day = program_at(&p, &s, utc("2026-12-01T10:00:00Z"));
    assert_eq!(day.reason, Reason::Fallback);
    assert_eq!(names(&day, &p), ["valkommen"]);
    let evening = program_at(&p, &s, utc("2026-12-01T18:00:00Z"));
    assert_eq!(names(&evening, &p), ["kvall"]);
    let nothing = program_at(&p[1..], &s, utc("2026-12-01T10:00:00Z"));
    assert_eq!(nothing.reason, Reason::Nothing);
    assert!(nothing.playlists.is_empty());
}

#[test]
fn modes_follow_opening_hours_and_closed_shows_nothing() {
    let p = [
        text_playlist("meroppet.toml", "modes = [\"self-service\"]"),
        text_playlist("bemannat.toml", "modes = \"staffed\""),
        text_playlist("alltid.toml", ""),
    ];
    let mut s = screen();
    s.opening = OpeningHours {
        staffed: vec![OpeningLine::parse("mon-fri 10:00-19:00").unwrap()],
        self_service: vec![OpeningLine::parse("mon-sun 07:00-22:00").unwrap()],
        exceptions: vec![],
    };
    // Tuesday 2026-12-01, UTC+1.
    let staffed = program_at(&p, &s, utc("2026-12-01T10:00:00Z"));
    assert_eq!(staffed.mode, Mode::Staffed);
    assert_eq!(names(&staffed, &p), ["alltid", "bemannat"]);
    let self_service = program_at(&p, &s, utc("2026-12-01T19:00:00Z"));
    assert_eq!(self_service.mode, Mode::SelfService);
    assert_eq!(names(&self_service, &p), ["alltid", "meroppet"]);
    let closed = program_at(&p, &s, utc("2026-12-01T22:00:00Z"));
    assert_eq!(closed.reason, Reason::Closed);
    assert!(closed.playlists.is_empty());
    assert_eq!(
        next_change(&p, &s, utc("2026-12-01T10:00:00Z")),
        Some(utc("2026-12-01T18:00:00Z"))
    );
}

#[test]
fn screens_are_targeted_by_id_or_tag() {
    let p = [
        text_playlist("barn.toml", "screens = [\"barn\"]"),
        text_playlist("entre.toml", "screens = \"karlstad-entre\""),
    ];
    let mut s = screen();
    s.id = "karlstad-entre".into();
    assert_eq!(
        names(&program_at(&p, &s, utc("2026-12-01T10:00:00Z")), &p),
        ["entre"]
    );
    s.id = "arvika-1".into();
    s.tags = vec!["barn".into()];
    assert_eq!(
        names(&program_at(&p, &s, utc("2026-12-01T10:00:00Z")), &p),
        ["barn"]
    );
}

#[test]
fn slides_have_their_own_schedules() {
    let p = [playlist(
        "helg.toml",
        "[[slide]]\nkind = \"text\"\ntitle = \"Alltid\"\n\n[[slide]]\nkind = \"text\"\ntitle = \"Helg\"\nwhen = { days = \"sat-sun\" }\n",
    )];
    let s = screen();
    let weekday = program_at(&p, &s, utc("2026-12-02T10:00:00Z"));
    assert_eq!(weekday.playlists[0].slides, [0]);
    let saturday = program_at(&p, &s, utc("2026-12-05T10:00:00Z"));
    assert_eq!(saturday.playlists[0].slides, [0, 1]);
    assert_eq!(
        next_change(&p, &s, utc("2026-12-02T10:00:00Z")),
        Some(utc("2026-12-04T23:00:00Z"))
    );
}

#[test]
fn a_playlist_whose_slides_are_all_off_does_not_block_others() {
    let p = [
        playlist(
            "prio.toml",
            "priority = 5\n[[slide]]\nkind = \"text\"\ntitle = \"x\"\nwhen = { dates = [2026-12-24] }\n",
        ),
        text_playlist("vanlig.toml", ""),
    ];
    let s = screen();
    assert_eq!(
        names(&program_at(&p, &s, utc("2026-12-01T10:00:00Z")), &p),
        ["vanlig"]
    );
    assert_eq!(
        names(&program_at(&p, &s, utc("2026-12-24T10:00:00Z")), &p),
        ["prio"]
    );
}

#[test]
fn a_program_that_never_changes_has_no_next_change() {
    let p = [text_playlist("alltid.toml", "")];
    assert_eq!(
        next_change(&p, &screen(), utc("2026-12-01T10:00:00Z")),
        None
    );
}

#[test]
fn plan_splits_at_every_change() {
    let p = [text_playlist(
        "kvall.toml",
        "[when]\nhours = \"18:00-21:00\"",
    )];
    let entries = plan(
        &p,
        &screen(),
        utc("2026-12-01T12:00:00Z"),
        utc("2026-12-02T12:00:00Z"),
    );
    let bounds: Vec<_> = entries.iter().map(|e| (e.from, e.until)).collect();
    assert_eq!(
        bounds,
        [
            (utc("2026-12-01T12:00:00Z"), utc("2026-12-01T17:00:00Z")),
            (utc("2026-12-01T17:00:00Z"), utc("2026-12-01T20:00:00Z")),
            (utc("2026-12-01T20:00:00Z"), utc("2026-12-02T12:00:00Z")),
        ]
    );
}

// Property tests: arbitrary schedules, arbitrary instants.

fn arb_window() -> impl Strategy<Value = String> {
    (
        0u16..24,
        prop::sample::select(vec![0u16, 15, 30, 45]),
        1u16..20,
    )
        .prop_map(|(h, m, len)| {
            let start = h * 60 + m;
            let end = (start + len * 30) % 1440;
            let end = if end == start { (end + 30) % 1440 } else { end };
            format!(
                "{:02}:{:02}-{:02}:{:02}",
                start / 60,
                start % 60,
                end / 60,
                end % 60
            )
        })
}

fn arb_playlist(i: usize) -> impl Strategy<Value = Playlist> {
    (
        prop::option::of(arb_window()),
        prop::option::of(prop::sample::select(vec![
            "mon-fri", "sat, sun", "wed", "fri-mon", "tue, thu",
        ])),
        -2i32..3,
        any::<bool>(),
        prop::option::of((0u32..60, 0u32..40)),
    )
        .prop_map(move |(hours, days, priority, fallback, range)| {
            let mut head = format!("priority = {priority}\nfallback = {fallback}\n[when]\n");
            if let Some(h) = hours {
                head.push_str(&format!("hours = \"{h}\"\n"));
            }
            if let Some(d) = days {
                head.push_str(&format!("days = \"{d}\"\n"));
            }
            if let Some((start, len)) = range {
                let from = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap()
                    + ChronoDuration::days(i64::from(start));
                let until = from + ChronoDuration::days(i64::from(len));
                head.push_str(&format!("from = {from}\nuntil = {until}\n"));
            }
            text_playlist(&format!("p{i}.toml"), &head)
        })
}

fn arb_instant() -> impl Strategy<Value = DateTime<Utc>> {
    // September 2026 to January 2027: across the October clock change.
    (0i64..(150 * 24 * 60)).prop_map(|m| utc("2026-09-01T00:00:00Z") + ChronoDuration::minutes(m))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn next_change_is_later_and_is_a_change(
        playlists in (arb_playlist(0), arb_playlist(1), arb_playlist(2)).prop_map(|(a, b, c)| vec![a, b, c]),
        now in arb_instant(),
        samples in prop::collection::vec(0.0f64..1.0, 5),
    ) {
        let s = screen();
        let current = program_at(&playlists, &s, now);
        if let Some(next) = next_change(&playlists, &s, now) {
            prop_assert!(next > now);
            prop_assert_ne!(&program_at(&playlists, &s, next), &current);
            let span = (next - now).num_seconds();
            for f in samples {
                let t = now + ChronoDuration::seconds((span as f64 * f) as i64);
                if t < next {
                    prop_assert_eq!(&program_at(&playlists, &s, t), &current);
                }
            }
        }
    }

    #[test]
    fn the_plan_never_shows_a_playlist_outside_its_window(
        playlists in (arb_playlist(0), arb_playlist(1)).prop_map(|(a, b)| vec![a, b]),
        start in arb_instant(),
    ) {
        let s = screen();
        let entries = plan(&playlists, &s, start, start + ChronoDuration::hours(48));
        for e in &entries {
            prop_assert!(e.from < e.until);
            for t in [e.from, e.from + (e.until - e.from) / 2, e.until - ChronoDuration::seconds(1)] {
                let local = local_time(s.timezone, t);
                for a in &e.program.playlists {
                    let p = &playlists[a.playlist];
                    prop_assert!(p.when.as_ref().is_none_or(|w| w.matches(local)),
                        "{} shown at {} outside its schedule", p.name, local);
                }
            }
        }
        // The entries tile the whole range.
        for pair in entries.windows(2) {
            prop_assert_eq!(pair[0].until, pair[1].from);
        }
    }
}

/// Hundreds of slides, each on its own date with its own hours: the next change is the first of
/// them to start, found by looking only at the schedules that can hold each day.
#[test]
fn many_dated_slides_give_the_first_that_starts() {
    let mut toml = String::from("name = \"Datum\"\n");
    for i in 0..300 {
        let day = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() + chrono::Duration::days(i);
        toml.push_str(&format!(
            "[[slide]]\nkind = \"text\"\ntitle = \"Dag {i}\"\nwhen = {{ dates = [\"{day}\"], hours = [\"{:02}:15-18:00\"] }}\n",
            8 + i % 10
        ));
    }
    let playlists = vec![playlist("datum.toml", &toml)];
    let next = next_change(&playlists, &screen(), utc("2026-12-03T11:00:00Z")).unwrap();
    // 2027-01-01 08:15 in Stockholm is 07:15 UTC.
    assert_eq!(next, utc("2027-01-01T07:15:00Z"));
    let after = next_change(&playlists, &screen(), next).unwrap();
    assert_eq!(after, utc("2027-01-01T17:00:00Z"));
}

/// The player looks a couple of days ahead at most: a change further away is found when it
/// looks again, and a change within is exactly the next change.
#[test]
fn the_player_looks_again_after_a_couple_of_days_at_most() {
    let far = playlist(
        "far.toml",
        "name = \"Far\"\nwhen = { from = 2027-03-01 }\n[[slide]]\nkind = \"text\"\ntitle = \"t\"\n",
    );
    let now = utc("2026-12-03T11:00:00Z");
    let look = next_look(std::slice::from_ref(&far), &screen(), now);
    assert_eq!(look, now + chrono::Duration::days(LOOK_AHEAD_DAYS));
    assert_eq!(
        program_at(std::slice::from_ref(&far), &screen(), look).slide_count(),
        0
    );
    let near = text_playlist("near.toml", "when = { from = 2026-12-04 }");
    let both = [far, near];
    assert_eq!(
        next_look(&both, &screen(), now),
        next_change(&both, &screen(), now).unwrap()
    );
}
