//! Running the region from one place: libraries and screens described once beside the playlists,
//! published in the manifest and followed by every screen at its next sync; the preview for
//! staff and the fleet page for IT, served by a real nginx and read by a real browser (headless
//! Chromium).

use std::path::{Path, PathBuf};
use std::process::Command;

use vitrin::cache::Cache;
use vitrin::calendar::opening::Mode;
use vitrin::feed::sync::{SyncOptions, sync_once};
use vitrin::screen::ScreenConfig;

use crate::util::{Nginx, root, stdout, vitrin_in};

/// The region fixture (two libraries, four screens, two playlists) in a folder of its own.
fn region() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &root().join("tests/fixtures/region/playlists"),
        &dir.path().join("playlists"),
    );
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn publish(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec!["publish", "--playlists", "playlists", "--out", "feed"];
    args.extend(extra);
    let o = vitrin_in(dir, &args);
    assert!(
        o.status.success(),
        "{}\n{}",
        stdout(&o),
        crate::util::stderr(&o)
    );
    stdout(&o)
}

/// What a screen with only its id and feed in its own config would do at `local` time, after
/// syncing `cache`: its mode, as the region in its cache describes it.
fn mode_of(cache: &Cache, id: &str, local: &str) -> Mode {
    let generation = cache.active().unwrap().unwrap();
    let own = ScreenConfig::parse(
        Path::new("screen.toml"),
        &format!("id = \"{id}\"\nfeed = \"https://feed.example.se/\"\n"),
    )
    .unwrap();
    let screen = generation.region.apply(&own);
    let at = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap();
    screen.opening.mode_at(at)
}

#[test]
fn one_library_file_changes_every_screen_of_that_library_at_its_next_sync() {
    let dir = region();
    publish(dir.path(), &[]);
    let nginx = Nginx::serve(&dir.path().join("feed"));
    let mut options = SyncOptions::new(&nginx.url(""));
    options.allow_http = true;
    let caches: Vec<(tempfile::TempDir, &str)> =
        ["karlstad-entre", "karlstad-barn", "arvika-entre"]
            .into_iter()
            .map(|id| (tempfile::tempdir().unwrap(), id))
            .collect();
    let open = |d: &tempfile::TempDir| Cache::open(d.path()).unwrap();
    for (d, _) in &caches {
        sync_once(&open(d), &options).unwrap();
    }
    // Christmas Eve at 14:00: Karlstad closes at 13:00 (staffed only that day); Arvika has no
    // exception, so it is staffed as on any Thursday.
    let eve = "2026-12-24 14:00";
    assert_eq!(
        mode_of(&open(&caches[0].0), "karlstad-entre", eve),
        Mode::Closed
    );
    assert_eq!(
        mode_of(&open(&caches[1].0), "karlstad-barn", eve),
        Mode::Closed
    );
    assert_eq!(
        mode_of(&open(&caches[2].0), "arvika-entre", eve),
        Mode::Staffed
    );
    // One edit in one file: Karlstad stays open until 15:00 on Christmas Eve.
    let file = dir.path().join("playlists/bibliotek/karlstad.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("10:00-13:00", "10:00-15:00")).unwrap();
    // nginx's ETag comes from the file's date: the new manifest a second later.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    publish(dir.path(), &[]);
    for (d, _) in &caches {
        sync_once(&open(d), &options).unwrap();
    }
    assert_eq!(
        mode_of(&open(&caches[0].0), "karlstad-entre", eve),
        Mode::Staffed
    );
    assert_eq!(
        mode_of(&open(&caches[1].0), "karlstad-barn", eve),
        Mode::Staffed
    );
    assert_eq!(
        mode_of(&open(&caches[2].0), "arvika-entre", eve),
        Mode::Staffed
    );
    // `vitrin plan --screen ID` shows it from the folder.
    let o = vitrin_in(
        dir.path(),
        &[
            "plan",
            "--playlists",
            "playlists",
            "--screen",
            "karlstad-barn",
            "--at",
            "2026-12-24 09:00",
            "--hours",
            "8",
        ],
    );
    let plan = stdout(&o);
    assert!(plan.contains("library karlstad"), "{plan}");
    assert!(
        plan.contains("2026-12-24 10:00 CET  2026-12-24 15:00 CET  staffed"),
        "{plan}"
    );
}

#[test]
fn a_broken_library_file_publishes_nothing_and_says_where() {
    let dir = region();
    publish(dir.path(), &[]);
    let before = std::fs::read(dir.path().join("feed/manifest.json")).unwrap();
    std::fs::write(
        dir.path().join("playlists/bibliotek/arvika.toml"),
        "library = \"Arvika bibliotek\"\n[opening]\nstaffed = \"mon-fri 10:00-25:00\"\n",
    )
    .unwrap();
    let o = vitrin_in(
        dir.path(),
        &["publish", "--playlists", "playlists", "--out", "feed"],
    );
    assert!(!o.status.success());
    let out = stdout(&o);
    assert!(
        out.contains("playlists/bibliotek/arvika.toml:3:11: error: \"25:00\" is not a time of day"),
        "{out}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("feed/manifest.json")).unwrap(),
        before
    );
}

fn chromium() -> PathBuf {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("chromium is missing: run .ci/deps (or .ci/test) to install it")
}

/// Headless Chromium: the page's DOM after its scripts ran, or a screenshot of it.
fn browse(url: &str, extra: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let o = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--virtual-time-budget=15000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Where the tests leave the browser's screenshots, for people to look at.
fn screenshot_dir() -> PathBuf {
    let dir = root().join("target/site-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A page of the test's own beside the feed: it opens `page` in a frame, then reports every
/// picture that did not load and every link that does not resolve (same-origin, so it can look).
const LINK_CHECKER: &str = r#"<!doctype html><meta charset="utf-8"><body><iframe id="f" width="1200" height="900"></iframe><pre id="out">pending</pre>
<script>
const f = document.getElementById('f');
f.onload = async () => {
  const d = f.contentDocument;
  const problems = [];
  const imgs = [...d.images];
  await Promise.all(imgs.map(i => i.complete ? null : new Promise(r => { i.onload = r; i.onerror = r; })));
  for (const i of imgs) { if (!(i.naturalWidth > 0)) problems.push('picture ' + i.src); if (!i.alt) problems.push('no alt ' + i.src); }
  for (const a of d.querySelectorAll('a[href]')) {
    const u = new URL(a.getAttribute('href'), d.location.href);
    if (u.hash && u.pathname === d.location.pathname) { if (!d.getElementById(u.hash.slice(1))) problems.push('anchor ' + u.hash); continue; }
    const r = await fetch(u, {method: 'HEAD'});
    if (!r.ok) problems.push('link ' + u + ' ' + r.status);
  }
  document.getElementById('out').textContent = 'checked ' + imgs.length + ' pictures, ' + d.querySelectorAll('a[href]').length + ' links; problems: ' + JSON.stringify(problems);
};
f.src = new URLSearchParams(location.search).get('page');
</script>"#;

fn put(url: &str, token: &str, body: Vec<u8>) -> u16 {
    reqwest::blocking::Client::new()
        .put(url)
        .bearer_auth(token)
        .body(body)
        .send()
        .unwrap()
        .status()
        .as_u16()
}

/// The token kiosk/nginx-screens.conf gives screen `n` (1 to 4).
fn token(n: u8) -> String {
    format!("{:064}", n)
}

#[test]
fn the_preview_and_the_fleet_page_work_in_a_real_browser_from_nginx() {
    let dir = region();
    let out = publish(
        dir.path(),
        &["--preview", "--preview-from", "2026-12-21 12:00"],
    );
    assert!(out.contains("preview: "), "{out}");
    let feed = dir.path().join("feed");
    let preview = feed.join("forhandsvisning");
    for id in [
        "karlstad-entre",
        "karlstad-barn",
        "arvika-entre",
        "arvika-meroppet",
    ] {
        assert!(preview.join(format!("skarm-{id}.html")).is_file(), "{id}");
    }
    // Karlstad's entrance screen, in its Christmas week: the reduced hours and the closing at 13.
    let page = std::fs::read_to_string(preview.join("skarm-karlstad-entre.html")).unwrap();
    assert!(
        page.contains("torsdag 24 december<br><strong>Julafton</strong></th><td>10:00–13:00</td><td>stängt</td>"),
        "{page}"
    );
    assert!(page.contains("13:00–"), "the schedule changes at 13:00");
    // The legibility warnings stand beside the page they concern.
    let slide3 = page
        .find("Välkommen – bild 3")
        .expect("the third slide's page");
    let after = &page[slide3..];
    let warning = after.find("Varning:").expect("its warning");
    assert!(
        warning < after.find("</figure>").unwrap(),
        "the warning is in the page's own figure"
    );
    assert!(after[warning..].contains("too short to read"), "{after}");
    // A second publish with nothing changed draws nothing again.
    let again = publish(
        dir.path(),
        &["--preview", "--preview-from", "2026-12-21 12:00"],
    );
    assert!(again.contains(", 0 drawn now"), "{again}");

    let nginx = Nginx::serve(&feed);
    std::fs::write(preview.join("kontroll.html"), LINK_CHECKER).unwrap();
    for page in [
        "forhandsvisning/index.html",
        "forhandsvisning/skarm-karlstad-entre.html",
        "forhandsvisning/skarm-karlstad-barn.html",
    ] {
        let dom = browse(
            &nginx.url(&format!("forhandsvisning/kontroll.html?page=/{page}")),
            &["--dump-dom"],
        );
        assert!(dom.contains("problems: []"), "{page}: {dom}");
        assert!(!dom.contains("checked 0 pictures"), "{page}: {dom}");
    }
    // Heartbeats: each screen writes only its own files; the fleet page reads them.
    let generation = {
        let m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(feed.join("manifest.json")).unwrap()).unwrap();
        m["generation"].as_str().unwrap().to_string()
    };
    let now = chrono::Utc::now();
    let beat = |id: &str, at: chrono::DateTime<chrono::Utc>, generation: &str| {
        serde_json::to_vec(&serde_json::json!({
            "screen": id, "time": at.to_rfc3339(), "generation": generation, "mode": "staffed",
            "page": "\"Välkommen\" slide 1", "last_sync": at.to_rfc3339(), "errors": 0,
            "warnings": 1, "display_asleep": false,
        }))
        .unwrap()
    };
    let url = |id: &str, ext: &str| nginx.url(&format!("status/puls/{id}.{ext}"));
    let minutes = |m: i64| now - chrono::Duration::minutes(m);
    assert_eq!(
        put(
            &url("karlstad-entre", "json"),
            &token(1),
            beat("karlstad-entre", minutes(0), &generation)
        ),
        201
    );
    // Another screen's token, or none, may not write.
    assert_eq!(
        put(&url("karlstad-entre", "json"), &token(2), b"{}".to_vec()),
        403
    );
    assert_eq!(
        put(&url("karlstad-entre", "json"), "wrong", b"{}".to_vec()),
        403
    );
    let shot = {
        let mut png = Vec::new();
        image::RgbImage::from_pixel(480, 270, image::Rgb([30, 90, 160]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        png
    };
    assert!(matches!(
        put(&url("karlstad-entre", "png"), &token(1), shot),
        201 | 204
    ));
    // Silent for 20 minutes, and one on last week's content; arvika-meroppet never sent one.
    assert_eq!(
        put(
            &url("karlstad-barn", "json"),
            &token(2),
            beat("karlstad-barn", minutes(20), &generation)
        ),
        201
    );
    assert_eq!(
        put(
            &url("arvika-entre", "json"),
            &token(3),
            beat("arvika-entre", minutes(1), "g00000000000000000000")
        ),
        201
    );
    let dom = browse(&nginx.url("status/"), &["--dump-dom"]);
    let state = |id: &str| {
        let at = dom
            .find(&format!("data-screen=\"{id}\""))
            .unwrap_or_else(|| panic!("{id}: {dom}"));
        let rest = &dom[at..];
        let s = rest.find("data-state=\"").unwrap() + "data-state=\"".len();
        rest[s..s + rest[s..].find('"').unwrap()].to_string()
    };
    assert_eq!(state("karlstad-entre"), "ok", "{dom}");
    assert_eq!(state("karlstad-barn"), "silent", "{dom}");
    assert_eq!(state("arvika-entre"), "old", "{dom}");
    assert_eq!(state("arvika-meroppet"), "silent", "{dom}");
    assert!(dom.contains("Skärmbild från karlstad-entre"), "{dom}");
    // Screenshots of both pages, for people to look at.
    let shots = screenshot_dir();
    for (name, path, size) in [
        ("fleet.png", "status/", "1400,900"),
        ("preview-index.png", "forhandsvisning/", "1280,1400"),
        (
            "preview-screen.png",
            "forhandsvisning/skarm-karlstad-entre.html",
            "1280,2600",
        ),
        (
            "preview-phone.png",
            "forhandsvisning/skarm-karlstad-barn.html",
            "390,2400",
        ),
    ] {
        let file = shots.join(name);
        let _ = std::fs::remove_file(&file);
        browse(
            &nginx.url(path),
            &[
                &format!("--screenshot={}", file.display()),
                &format!("--window-size={size}"),
            ],
        );
        assert!(file.is_file(), "{name}");
    }
}
