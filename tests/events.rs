//! Events slides end to end: the bundled calendar rendered for the region's screens (each its own
//! library's events, codes that scan to each event's page), and a calendar that breaks keeping
//! the events it gave last.

use std::path::{Path, PathBuf};

use crate::util::{qr_codes, root, stderr, stdout, vitrin};

/// The texts (from the text reports) and decoded codes of every page `render` wrote.
struct Pages {
    texts: Vec<String>,
    codes: Vec<String>,
    sizes: Vec<(u32, u32)>,
}

fn render_for(screen: &str, at: &str) -> Pages {
    let dir = tempfile::tempdir().unwrap();
    let playlist = root().join("playlists/evenemang.toml");
    let o = vitrin(&[
        "render",
        "--at",
        at,
        "--screen",
        screen,
        "--playlist",
        playlist.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
        "--text-report",
    ]);
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut pages = Pages {
        texts: Vec::new(),
        codes: Vec::new(),
        sizes: Vec::new(),
    };
    for file in &files {
        let name = file.to_string_lossy();
        if name.ends_with(".text.json") {
            let lines: Vec<serde_json::Value> =
                serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
            for l in lines {
                let lost = l["lost"].as_array().unwrap();
                assert!(lost.is_empty(), "{name}: {l}");
                pages.texts.push(l["text"].as_str().unwrap().to_string());
            }
        } else if name.ends_with(".png") {
            let img = image::open(file).unwrap().into_rgb8();
            pages.sizes.push(img.dimensions());
            pages.codes.extend(qr_codes(&img));
        }
    }
    assert!(!pages.sizes.is_empty(), "{}", stdout(&o));
    pages
}

/// Whether the pages show `text` (a title may run over several lines).
fn shows(pages: &Pages, text: &str) -> bool {
    pages.texts.join(" ").contains(text)
}

#[test]
fn each_screen_shows_its_own_librarys_events_with_codes_that_scan() {
    // Thursday 10 December 2026, 11:00: the morning's story time is over.
    let at = "2026-12-10 11:00";
    let karlstad = render_for("karlstad-entre", at);
    assert!(karlstad.sizes.iter().all(|s| *s == (1920, 1080)));
    for title in ["Språkcafé", "Sagostund för de minsta", "Bokrea"] {
        assert!(shows(&karlstad, title), "{title} in {:?}", karlstad.texts);
    }
    // Arvika's events, a cancelled one, and today's story time that has ended are not shown.
    for title in ["Legoklubben", "Läsecirkel", "inställt"] {
        assert!(!shows(&karlstad, title), "{title} in {:?}", karlstad.texts);
    }
    assert!(shows(&karlstad, "Tisdag 15 december"));
    assert!(shows(&karlstad, "kl. 17–18.30"));
    assert!(shows(&karlstad, "hela dagen"));
    // Each event with a page has its code, and it scans to that page.
    for url in [
        "https://bibliotekvarmland.se/evenemang/sprakcafe",
        "https://bibliotekvarmland.se/evenemang/sagostund",
    ] {
        assert!(
            karlstad.codes.iter().any(|c| c == url),
            "{url} not in {:?}",
            karlstad.codes
        );
    }

    // The children's corner in Karlstad stands upright (and is a touch screen).
    let corner = render_for("karlstad-barn", at);
    assert!(
        corner.sizes.iter().all(|(w, h)| h > w),
        "{:?}",
        corner.sizes
    );
    assert!(shows(&corner, "Sagostund för de minsta"));
    assert!(!shows(&corner, "Legoklubben"));
    assert!(
        corner
            .codes
            .iter()
            .any(|c| c == "https://bibliotekvarmland.se/evenemang/sagostund")
    );

    // Arvika's entrance: Arvika's events.
    let arvika = render_for("arvika-entre", at);
    assert!(shows(&arvika, "Legoklubben"), "{:?}", arvika.texts);
    assert!(!shows(&arvika, "Sagostund"), "{:?}", arvika.texts);
}

#[test]
fn an_event_running_now_says_so() {
    // Tuesday 15 December at 17:45: the language café is on.
    let pages = render_for("karlstad-entre", "2026-12-15 17:45");
    assert!(shows(&pages, "Pågår nu"), "{:?}", pages.texts);
    assert!(shows(&pages, "till 18.30"), "{:?}", pages.texts);
}

fn publish(playlists: &Path, out: &Path) -> String {
    let o = vitrin(&[
        "publish",
        "--playlists",
        playlists.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    format!("{}{}", stdout(&o), stderr(&o))
}

fn published_events(out: &Path) -> usize {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    manifest["playlists"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["slides"].as_array().unwrap())
        .filter(|s| s["kind"] == "events")
        .map(|s| s["events"].as_array().unwrap().len())
        .sum()
}

#[test]
fn a_web_calendar_that_breaks_keeps_the_events_it_gave_last() {
    let web = tempfile::tempdir().unwrap();
    let calendar = web.path().join("evenemang.ics");
    std::fs::copy(root().join("playlists/kalender/evenemang.ics"), &calendar).unwrap();
    let server = crate::server::Server::start(web.path().to_path_buf());
    let url = format!("{}/evenemang.ics", server.url().trim_end_matches('/'));
    let dir = tempfile::tempdir().unwrap();
    let playlists = dir.path().join("playlists");
    std::fs::create_dir_all(&playlists).unwrap();
    std::fs::write(
        playlists.join("evenemang.toml"),
        format!("[[slide]]\nkind = \"events\"\nsource = \"{url}\"\nduration = \"30s\"\n"),
    )
    .unwrap();
    let out = dir.path().join("feed");
    publish(&playlists, &out);
    let events = published_events(&out);
    // Weekly and monthly series over the coming three months, the cancelled one left out.
    assert!(events > 20, "{events} events published");

    // The web calendar now answers with a broken file: the last events stay, the error says where.
    let text = std::fs::read_to_string(&calendar).unwrap();
    std::fs::write(&calendar, text.replace("END:VEVENT\r\n", "")).unwrap();
    let said = publish(&playlists, &out);
    assert!(said.contains(&url), "{said}");
    assert!(
        said.contains("line 84: END:VCALENDAR where BEGIN:VEVENT was open"),
        "{said}"
    );
    assert_eq!(published_events(&out), events);
}

#[test]
fn a_broken_calendar_file_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let playlists = dir.path().join("playlists");
    std::fs::create_dir_all(playlists.join("kalender")).unwrap();
    let text = std::fs::read_to_string(root().join("playlists/kalender/evenemang.ics")).unwrap();
    std::fs::write(
        playlists.join("kalender/evenemang.ics"),
        text.replace("END:VEVENT\r\n", ""),
    )
    .unwrap();
    std::fs::copy(
        root().join("playlists/evenemang.toml"),
        playlists.join("evenemang.toml"),
    )
    .unwrap();
    let o = vitrin(&["check", playlists.to_str().unwrap()]);
    let out = stdout(&o);
    assert!(!o.status.success(), "{out}");
    assert!(out.contains("evenemang.toml:10:10: error"), "{out}");
    assert!(
        out.contains("line 84: END:VCALENDAR where BEGIN:VEVENT was open"),
        "{out}"
    );
}
