//! `vitrin plan` on the bundled content: the staff's "what will play on Christmas Eve?".

use crate::util::{stdout, vitrin};

#[test]
fn christmas_eve_shows_the_christmas_notice_then_closes() {
    let o = vitrin(&["plan", "--at", "2026-12-24 10:00", "--hours", "16"]);
    assert!(o.status.success());
    let out = stdout(&o);
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("2026-")).collect();
    assert_eq!(
        rows,
        [
            "2026-12-24 10:00 CET  2026-12-24 13:00 CET  staffed       Jul och nyår (2 of 2 slides) [priority 10]",
            "2026-12-24 13:00 CET  2026-12-24 18:00 CET  self-service  Jul och nyår (2 of 2 slides) [priority 10]",
            "2026-12-24 18:00 CET  2026-12-25 02:00 CET  closed        nothing: the library is closed and the screen is blank",
        ],
        "{out}"
    );
    assert!(
        out.contains("Jul och nyår (playlists/julstangt.toml):"),
        "{out}"
    );
    assert!(out.contains("\"God jul och gott nytt år!\""), "{out}");
}

#[test]
fn the_night_the_clocks_go_back_is_explained_and_planned_right() {
    let o = vitrin(&["plan", "--at", "2026-10-25 02:30", "--hours", "3"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.contains("note: 2026-10-25 02:30 happens twice in Europe/Stockholm (the clocks go back); showing the first time, 02:30 CEST. The second is 02:30 CET."),
        "{out}"
    );
    // Meröppet all night: the self-service playlists play, the staffed-only ones and the autumn's
    // Vinterläsning (from November) do not. Three hours from 02:30 CEST is 04:30 CET.
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("2026-")).collect();
    assert_eq!(
        rows,
        [
            "2026-10-25 02:30 CEST  2026-10-25 04:30 CET  self-service  Fråga Bibliotek Värmland (1 of 1 slides) + Meröppet (2 of 2 slides) + Nyförvärv (2 of 2 slides)"
        ],
        "{out}"
    );
}

#[test]
fn a_time_that_does_not_exist_is_explained() {
    let o = vitrin(&["plan", "--at", "2026-03-29 02:30", "--hours", "1"]);
    assert!(o.status.success());
    assert!(
        stdout(&o).contains("note: 2026-03-29 02:30 does not exist in Europe/Stockholm (the clocks go forward); showing 03:00 CEST instead."),
        "{}",
        stdout(&o)
    );
    let o = vitrin(&["plan", "--at", "julafton"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(crate::util::stderr(&o).contains("\"julafton\" is not a time"));
}
