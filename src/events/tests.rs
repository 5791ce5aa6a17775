use super::ics::{IcsError, parse};
use super::*;
use chrono::TimeZone;

const STOCKHOLM: Tz = Tz::Europe__Stockholm;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/events")
            .join(name),
    )
    .unwrap()
}

/// A calendar's events between two UTC instants (RFC 3339), read with Stockholm as the default.
fn read(bytes: &[u8], from: &str, to: &str) -> ics::Parsed {
    parse(bytes, STOCKHOLM, utc(from), utc(to)).unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn local(s: &str) -> DateTime<Utc> {
    STOCKHOLM
        .from_local_datetime(&chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn ours() -> Vec<Event> {
    let parsed = read(
        &fixture("vitrin-evenemang.ics"),
        "2026-12-01T00:00:00Z",
        "2027-04-30T00:00:00Z",
    );
    assert_eq!(parsed.warnings, Vec::<String>::new());
    parsed.events
}

fn starts_of(events: &[Event], title: &str) -> Vec<DateTime<Utc>> {
    events
        .iter()
        .filter(|e| e.title == title)
        .map(|e| e.when.sort_key(STOCKHOLM))
        .collect()
}

#[test]
fn a_weekly_series_skips_its_exdates_and_moves_the_instance_a_recurrence_id_replaces() {
    let events = ours();
    let story = starts_of(&events, "Sagostund för de minsta");
    // Thursdays at 10 from 3 December, without 10 December (moved), 24 and 31 December
    // (EXDATE), until 1 April inclusive (a floating UNTIL, read in the event's zone).
    assert_eq!(story[0], local("2026-12-03 10:00"));
    assert_eq!(story[1], local("2026-12-17 10:00"));
    assert_eq!(story[2], local("2027-01-07 10:00"));
    assert!(!story.contains(&local("2026-12-10 10:00")));
    assert!(!story.contains(&local("2026-12-24 10:00")));
    assert_eq!(*story.last().unwrap(), local("2027-04-01 10:00"));
    assert_eq!(story.len(), 15);
    // The moved instance stands alone, at its new time, with its own title.
    let lucia = starts_of(&events, "Sagostund för de minsta – luciafirande");
    assert_eq!(lucia, vec![local("2026-12-10 14:00")]);
}

#[test]
fn a_series_from_long_ago_gives_the_same_days_as_walked_from_its_start() {
    let calendar = |start: &str, rule: &str| {
        format!(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nDTSTART;TZID=Europe/Stockholm:{start}\nRRULE:{rule}\nEND:VEVENT\nEND:VCALENDAR\n"
        )
    };
    let window = (utc("2026-03-20T00:00:00Z"), utc("2026-04-20T00:00:00Z"));
    for rule in [
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH",
        "FREQ=DAILY;BYDAY=SA",
    ] {
        // Fast-forwarded from 1990, and walked from 2025: the same days, at 10:00 local time
        // across the change to summer time.
        let old = parse(
            calendar("19900102T100000", rule).as_bytes(),
            STOCKHOLM,
            window.0,
            window.1,
        )
        .unwrap();
        let walked: Vec<DateTime<Utc>> = {
            // 1990-01-02 plus whole periods of 3, 14 and 7 days lands on 30 December 2025.
            parse(
                calendar("20251230T100000", rule).as_bytes(),
                STOCKHOLM,
                window.0,
                window.1,
            )
            .unwrap()
            .events
            .iter()
            .map(|e| e.when.sort_key(STOCKHOLM))
            .collect()
        };
        let got: Vec<DateTime<Utc>> = old
            .events
            .iter()
            .map(|e| e.when.sort_key(STOCKHOLM))
            .collect();
        assert!(!got.is_empty(), "{rule}");
        assert_eq!(got, walked, "{rule}");
        for t in &got {
            assert_eq!(
                t.with_timezone(&STOCKHOLM).format("%H:%M").to_string(),
                "10:00"
            );
        }
    }
}

#[test]
fn a_series_keeps_its_local_time_across_the_change_to_summer_time() {
    let events = ours();
    let story = starts_of(&events, "Sagostund för de minsta");
    // 25 March 2027 is winter time (UTC+1), 1 April summer time (UTC+2): 10:00 both.
    assert!(story.contains(&utc("2027-03-25T09:00:00Z")));
    assert!(story.contains(&utc("2027-04-01T08:00:00Z")));
}

#[test]
fn every_field_of_an_event_is_read() {
    let events = ours();
    let story = events
        .iter()
        .find(|e| e.title == "Sagostund för de minsta")
        .unwrap();
    assert_eq!(story.uid, "sagostund@karlstad.example");
    assert_eq!(
        story.when,
        EventTime::Timed {
            start: local("2026-12-03 10:00"),
            end: local("2026-12-03 10:30")
        }
    );
    assert_eq!(
        story.location.as_deref(),
        Some("Karlstads stadsbibliotek, Sagorummet")
    );
    assert_eq!(story.categories, ["Barn", "Sagostund"]);
    assert_eq!(
        story.description.as_deref(),
        Some(
            "Vi läser bilderböcker och sjunger tillsammans. För barn 1–3 år med vuxen. Ingen föranmälan."
        )
    );
    assert_eq!(
        story.url.as_deref(),
        Some("https://bibliotekvarmland.se/evenemang/sagostund-karlstad")
    );
}

#[test]
fn html_in_a_description_becomes_plain_text() {
    let events = ours();
    let cafe = events.iter().find(|e| e.title == "Språkcafé").unwrap();
    assert_eq!(
        cafe.description.as_deref(),
        Some("Öva svenska över en kopp kaffe. Alla är välkomna & det kostar inget.")
    );
}

#[test]
fn a_mozilla_tzid_and_a_monthly_rule_with_a_count() {
    let events = ours();
    let cafe = starts_of(&events, "Språkcafé");
    // The first Monday of each month at 17, six times from December.
    assert_eq!(
        cafe,
        vec![
            local("2026-12-07 17:00"),
            local("2027-01-04 17:00"),
            local("2027-02-01 17:00"),
            local("2027-03-01 17:00"),
            local("2027-04-05 17:00"),
        ]
    );
}

#[test]
fn cancelled_events_are_left_out() {
    assert!(ours().iter().all(|e| !e.title.contains("inställt")));
}

#[test]
fn all_day_events_are_dates_and_last_to_the_day_before_their_end() {
    let events = ours();
    let sale = events
        .iter()
        .find(|e| e.title.starts_with("Bokrea"))
        .unwrap();
    assert_eq!(
        sale.when,
        EventTime::Days {
            first: date("2026-12-11"),
            last: date("2026-12-12")
        }
    );
}

#[test]
fn an_event_across_midnight_with_a_windows_zone_name() {
    let events = ours();
    let night = events
        .iter()
        .find(|e| e.title == "Läsnatt för unga")
        .unwrap();
    assert_eq!(
        night.when,
        EventTime::Timed {
            start: local("2026-12-18 20:00"),
            end: local("2026-12-19 01:00")
        }
    );
    let (day, time) = when_sv(&night.when, local("2026-12-16 12:00"), STOCKHOLM);
    assert_eq!(
        (day.as_str(), time.as_str()),
        ("Fredag 18 december", "kl. 20–01")
    );
    let (day, time) = when_sv(&night.when, local("2026-12-18 23:00"), STOCKHOLM);
    assert_eq!(
        (day.as_str(), time.as_str()),
        ("Pågår nu", "till lördag 19 december kl. 01")
    );
}

#[test]
fn a_floating_time_is_the_calendars_zone_and_a_duration_gives_its_end() {
    let events = ours();
    let craft = events.iter().find(|e| e.title == "Julpyssel").unwrap();
    assert_eq!(
        craft.when,
        EventTime::Timed {
            start: local("2026-12-19 13:00"),
            end: local("2026-12-19 15:00")
        }
    );
}

#[test]
fn outlooks_export_with_windows_zones_and_all_day_exdates() {
    let parsed = read(
        &fixture("collective-icalendar_alarm_outlook_in_future.ics"),
        "2024-06-01T00:00:00Z",
        "2024-12-31T00:00:00Z",
    );
    let series: Vec<&EventTime> = parsed
        .events
        .iter()
        .filter(|e| e.title == "test123")
        .map(|e| &e.when)
        .collect();
    // Every other Monday from 1 July, a week long each; 15 July excluded by an EXDATE written as
    // midnight London time.
    assert_eq!(
        series,
        vec![
            &EventTime::Days {
                first: date("2024-07-01"),
                last: date("2024-07-07")
            },
            &EventTime::Days {
                first: date("2024-07-29"),
                last: date("2024-08-04")
            },
        ]
    );
    let alarm = parsed
        .events
        .iter()
        .find(|e| e.title == "outlook event with alarm")
        .unwrap();
    // "GMT Standard Time" is London: 18:30 BST is 17:30 UTC.
    assert_eq!(
        alarm.when,
        EventTime::Timed {
            start: utc("2024-10-04T17:30:00Z"),
            end: utc("2024-10-04T18:00:00Z")
        }
    );
    assert_eq!(alarm.location, None);
    assert_eq!(alarm.description, None);
    assert!(alarm.uid.starts_with("040000008200E00074C5B7101A82E008"));
    assert!(alarm.uid.ends_with("0D748168D60A25439FA3E76297E80CB0"));
}

#[test]
fn escaped_commas_stay_inside_a_category() {
    let parsed = read(
        &fixture("collective-icalendar_issue_127_categories_with_commas.ics"),
        "2014-01-01T00:00:00Z",
        "2014-03-01T00:00:00Z",
    );
    assert_eq!(
        parsed.events[0].categories,
        ["Meeting, John", "Work, Sarah", "Project"]
    );
}

#[test]
fn broken_calendars_are_refused_with_their_line() {
    let cases: &[(&str, Option<usize>, &str)] = &[
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VCALENDAR\n",
            Some(4),
            "END:VCALENDAR where BEGIN:VEVENT was open",
        ),
        (
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\n",
            None,
            "cut off",
        ),
        (
            "BEGIN:VCALENDAR\nthis is not ical\nEND:VCALENDAR\n",
            Some(2),
            "without a colon",
        ),
        (
            "<html><body>404</body></html>\n",
            Some(1),
            "without a colon",
        ),
        ("BEGIN:VEVENT\nEND:VEVENT\n", None, "no BEGIN:VCALENDAR"),
        (" folded\n", Some(1), "folded line"),
    ];
    for (text, line, message) in cases {
        let e: IcsError = parse(
            text.as_bytes(),
            STOCKHOLM,
            utc("2026-01-01T00:00:00Z"),
            utc("2027-01-01T00:00:00Z"),
        )
        .unwrap_err();
        assert_eq!(e.line, *line, "{text:?}: {e}");
        assert!(e.message.contains(message), "{text:?}: {e}");
    }
}

#[test]
fn a_bad_event_is_left_out_with_a_warning_and_the_rest_stay() {
    let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Utan tid\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:Fel regel\nDTSTART:20261201T100000Z\nRRULE:FREQ=SOMETIMES\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:Bra\nDTSTART:20261201T100000Z\nEND:VEVENT\nEND:VCALENDAR\n";
    let parsed = read(
        text.as_bytes(),
        "2026-11-01T00:00:00Z",
        "2027-01-01T00:00:00Z",
    );
    assert_eq!(parsed.events.len(), 1);
    assert_eq!(parsed.events[0].title, "Bra");
    assert_eq!(parsed.warnings.len(), 2, "{:?}", parsed.warnings);
    assert!(parsed.warnings[0].contains("no DTSTART"));
    assert!(parsed.warnings[1].contains("RRULE"));
}

#[test]
fn a_rule_with_a_letter_outside_ascii_is_left_out_not_a_panic() {
    // Found by fuzzing: the rrule crate sliced "BYDAY=\u{e4}U" inside the "ä" and panicked.
    let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nDTSTART:20261201T100000Z\nRRULE:FREQ=WEEKLY;BYDAY=\u{e4}U\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:y\nDTSTART:20261202T100000Z\nEND:VEVENT\nEND:VCALENDAR\n";
    let parsed = read(
        text.as_bytes(),
        "2026-11-01T00:00:00Z",
        "2027-01-01T00:00:00Z",
    );
    assert_eq!(parsed.events.len(), 1);
    assert!(
        parsed.warnings[0].contains("not a rule"),
        "{:?}",
        parsed.warnings
    );
}

#[test]
fn hostile_calendars_are_held_to_limits() {
    let window = (utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z"));
    // Nesting that would make the parser recurse.
    let deep = "BEGIN:VCALENDAR\n".repeat(100_000);
    let e = parse(deep.as_bytes(), STOCKHOLM, window.0, window.1).unwrap_err();
    assert!(e.message.contains("nested"), "{e}");
    // A rule that repeats every second is no library's: left out, with a warning.
    let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nDTSTART:20260101T000000Z\nRRULE:FREQ=SECONDLY\nEND:VEVENT\nEND:VCALENDAR\n";
    let parsed = parse(text.as_bytes(), STOCKHOLM, window.0, window.1).unwrap();
    assert!(parsed.events.is_empty());
    assert!(
        parsed.warnings[0].contains("more often than daily"),
        "{:?}",
        parsed.warnings
    );
    // Three thousand daily series from 1900: the window's days only, the earliest 2000 kept,
    // without walking 46 000 days of each.
    let series = "BEGIN:VEVENT\nSUMMARY:x\nDTSTART;TZID=Europe/Stockholm:19000101T100000\nRRULE:FREQ=DAILY\nEND:VEVENT\n"
        .repeat(3_000);
    let text = format!("BEGIN:VCALENDAR\n{series}END:VCALENDAR\n");
    let started = std::time::Instant::now();
    let parsed = parse(text.as_bytes(), STOCKHOLM, window.0, window.1).unwrap();
    assert_eq!(parsed.events.len(), ics::MAX_OCCURRENCES);
    assert_eq!(
        parsed.events[0].when.sort_key(STOCKHOLM),
        local("2026-01-01 10:00")
    );
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
    // A title of a megabyte is cut.
    let long = format!(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:{}\nDTSTART:20260601T000000Z\nEND:VEVENT\nEND:VCALENDAR\n",
        "ord ".repeat(250_000)
    );
    let parsed = parse(long.as_bytes(), STOCKHOLM, window.0, window.1).unwrap();
    assert!(parsed.events[0].title.chars().count() <= 201);
    // Too large a file is refused before it is read.
    let huge = vec![b'x'; ics::MAX_ICS_BYTES + 1];
    assert!(parse(&huge, STOCKHOLM, window.0, window.1).is_err());
}

fn screen(id: Option<&str>, library: Option<&str>, tags: &[&str]) -> ScreenNames {
    ScreenNames {
        library_id: id.map(str::to_string),
        library: library.map(str::to_string),
        tags: tags.iter().map(|t| t.to_string()).collect(),
    }
}

#[test]
fn a_screen_picks_the_events_at_its_library_and_in_the_coming_days() {
    let events = ours();
    let at = local("2026-12-09 12:00");
    let filter = EventFilter {
        for_screen: true,
        ..EventFilter::default()
    };
    let titles =
        |picked: Vec<&Event>| -> Vec<String> { picked.iter().map(|e| e.title.clone()).collect() };
    // Karlstad's screen: its library's events by place (with a genitive s), within 14 days;
    // its audience tag does not bring in other libraries' children's events.
    let karlstad = screen(Some("karlstad"), None, &["barn"]);
    assert_eq!(
        titles(filter.select(&events, at, STOCKHOLM, &karlstad)),
        [
            "Sagostund för de minsta – luciafirande",
            "Sagostund för de minsta",
        ]
    );
    // Arvika's screen, by its library's name, looking 60 days ahead.
    let arvika = screen(None, Some("Arvika bibliotek"), &[]);
    let ahead = EventFilter {
        look_ahead_days: 60,
        ..filter.clone()
    };
    assert_eq!(
        titles(ahead.select(&events, at, STOCKHOLM, &arvika)),
        ["Språkcafé", "Språkcafé"]
    );
    // A screen that knows no library shows them all.
    let nowhere = screen(None, None, &["barn"]);
    assert_eq!(
        filter.select(&events, at, STOCKHOLM, &nowhere).len(),
        EventFilter::default()
            .select(&events, at, STOCKHOLM, &nowhere)
            .len()
    );
    // A tag naming a room picks that room's events.
    let room = screen(Some("sunne"), None, &["sagorummet"]);
    assert_eq!(
        titles(filter.select(&events, at, STOCKHOLM, &room)),
        [
            "Sagostund för de minsta – luciafirande",
            "Bokrea – gallrade böcker för 5 kr",
            "Sagostund för de minsta",
        ]
    );
    // Categories, for any screen; and a count.
    let children = EventFilter {
        categories: vec!["barn".into()],
        ..EventFilter::default()
    };
    assert_eq!(
        titles(children.select(&events, at, STOCKHOLM, &karlstad)),
        [
            "Sagostund för de minsta – luciafirande",
            "Sagostund för de minsta",
            "Julpyssel",
        ]
    );
    let two = EventFilter {
        count: 2,
        ..EventFilter::default()
    };
    assert_eq!(two.select(&events, at, STOCKHOLM, &karlstad).len(), 2);
    // Places.
    let sunne = EventFilter {
        places: vec!["Sunne".into()],
        ..EventFilter::default()
    };
    assert_eq!(
        titles(sunne.select(&events, at, STOCKHOLM, &karlstad)),
        ["Bokrea – gallrade böcker för 5 kr"]
    );
}

#[test]
fn an_event_shows_until_it_is_over() {
    let events = ours();
    let filter = EventFilter::default();
    let screen = ScreenNames::default();
    let lucia = |at| {
        filter
            .select(&events, at, STOCKHOLM, &screen)
            .iter()
            .any(|e| e.title.ends_with("luciafirande"))
    };
    assert!(lucia(local("2026-12-10 14:29")));
    assert!(!lucia(local("2026-12-10 14:30")));
    // The two-day sale shows through its second day.
    let sale = |at| {
        filter
            .select(&events, at, STOCKHOLM, &screen)
            .iter()
            .any(|e| e.title.starts_with("Bokrea"))
    };
    assert!(sale(local("2026-12-12 23:59")));
    assert!(!sale(local("2026-12-13 00:00")));
}

#[test]
fn times_and_days_in_swedish() {
    let now = local("2026-12-10 09:00");
    let timed = |a: &str, b: &str| EventTime::Timed {
        start: local(a),
        end: local(b),
    };
    let say = |w: EventTime| {
        let (d, t) = when_sv(&w, now, STOCKHOLM);
        format!("{d} | {t}")
    };
    assert_eq!(
        say(timed("2026-12-10 14:00", "2026-12-10 14:30")),
        "I dag | kl. 14–14.30"
    );
    assert_eq!(
        say(timed("2026-12-11 09:30", "2026-12-11 11:00")),
        "I morgon | kl. 09.30–11"
    );
    assert_eq!(
        say(timed("2026-12-24 10:00", "2026-12-24 10:00")),
        "Torsdag 24 december | kl. 10"
    );
    assert_eq!(
        say(timed("2026-12-10 08:00", "2026-12-10 16:00")),
        "Pågår nu | till 16"
    );
    assert_eq!(
        say(EventTime::Days {
            first: date("2026-12-12"),
            last: date("2026-12-12")
        }),
        "Lördag 12 december | hela dagen"
    );
    assert_eq!(
        say(EventTime::Days {
            first: date("2026-12-12"),
            last: date("2026-12-14")
        }),
        "Lördag 12 december–måndag 14 december | hela dagarna"
    );
    assert_eq!(
        say(EventTime::Days {
            first: date("2026-12-08"),
            last: date("2026-12-14")
        }),
        "Pågår | till och med måndag 14 december"
    );
}

#[test]
fn short_descriptions_end_at_a_sentence_or_a_word() {
    assert_eq!(
        short_description(
            "Vi läser bilderböcker och sjunger tillsammans. För barn 1–3 år med vuxen.",
            120
        ),
        "Vi läser bilderböcker och sjunger tillsammans."
    );
    assert_eq!(
        short_description("ett två tre fyra fem sex sju åtta nio tio", 20),
        "ett två tre fyra fem…"
    );
}
