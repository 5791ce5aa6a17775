//! `vitrin plan`, the staff's "what will play on Christmas Eve?", on a screen and playlists of the
//! tests' own (tests/fixtures/plan/), so that editing the bundled examples changes nothing here.

use crate::util::{stderr, stdout, vitrin};

/// `vitrin plan` for the test screen.
fn plan(at: &str, hours: &str) -> String {
    let o = vitrin(&[
        "plan",
        "--screen",
        "tests/fixtures/plan/screen.toml",
        "--at",
        at,
        "--hours",
        hours,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

/// The table's rows, without its header.
fn rows(out: &str) -> Vec<&str> {
    out.lines().filter(|l| l.starts_with("2026-")).collect()
}

#[test]
fn christmas_eve_shows_the_christmas_notice_then_closes() {
    let out = plan("2026-12-24 10:00", "16");
    assert_eq!(
        rows(&out),
        [
            "2026-12-24 10:00 CET  2026-12-24 13:00 CET  staffed       Jul och nyår (2 of 2 slides) [priority 10]",
            "2026-12-24 13:00 CET  2026-12-24 18:00 CET  self-service  Jul och nyår (2 of 2 slides) [priority 10]",
            "2026-12-24 18:00 CET  2026-12-25 02:00 CET  closed        nothing: the library is closed and the screen is blank",
        ],
        "{out}"
    );
    // Then the slides of what plays, with how long each shows and how it comes on screen.
    let listing: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("Jul och nyår ("))
        .collect();
    assert_eq!(
        listing,
        [
            "Jul och nyår (tests/fixtures/plan/playlists/jul.toml):",
            "   1. text     \"God jul och gott nytt år!\"                         15s  cut",
            "   2. qr       \"Låna e-böcker hela julen\"                          10s  fade",
        ],
        "{out}"
    );
}

#[test]
fn the_night_the_clocks_go_back_is_explained_and_planned_right() {
    let out = plan("2026-10-25 02:30", "3");
    assert!(
        out.contains("note: 2026-10-25 02:30 happens twice in Europe/Stockholm (the clocks go back); showing the first time, 02:30 CEST. The second is 02:30 CET."),
        "{out}"
    );
    // Meröppet all night: the playlists for every mode and for self-service play, in file-name
    // order; the staffed-only one and the winter season (from November) do not. Three hours from
    // 02:30 CEST is 04:30 CET.
    assert_eq!(
        rows(&out),
        [
            "2026-10-25 02:30 CEST  2026-10-25 04:30 CET  self-service  Fråga biblioteket (1 of 1 slides) + Meröppet (2 of 2 slides)"
        ],
        "{out}"
    );
    assert!(
        out.contains("  slide\n"),
        "Meröppet's slides slide in:\n{out}"
    );
}

#[test]
fn a_time_that_does_not_exist_is_explained() {
    let out = plan("2026-03-29 02:30", "1");
    assert!(
        out.contains("note: 2026-03-29 02:30 does not exist in Europe/Stockholm (the clocks go forward); showing 03:00 CEST instead."),
        "{out}"
    );
    let o = vitrin(&["plan", "--at", "julafton"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("\"julafton\" is not a time"));
}
