//! A screen that looks after itself, in the player as it runs: systemd's watchdog pinged from the
//! frame loop (and the pings stop when the loop stalls), and a night from open to closed to open
//! again with time stepped 30 s a frame: the display put to sleep with HDMI-CEC after closing and
//! woken a warm-up before opening (a recording stand-in for cec-ctl), the heartbeat written every
//! minute, and the play log growing.

use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::time::{Duration, Instant};

use bevy::time::TimeUpdateStrategy;

use vitrin::calendar::opening::{OpeningHours, OpeningLine};
use vitrin::player::WallClock;
use vitrin::player::status::StatusOutput;
use vitrin::player::upkeep::Watchdog;
use vitrin::playlog::{Entry, PlayLog};
use vitrin::power::Method;
use vitrin::screen::ScreenConfig;
use vitrin::sdnotify::Notifier;

use crate::player::{Player, at, serial, text_slides};

fn messages(socket: &UnixDatagram) -> Vec<String> {
    socket.set_nonblocking(true).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 512];
    while let Ok(n) = socket.recv(&mut buf) {
        out.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    out
}

#[test]
fn the_watchdog_is_pinged_from_the_frame_loop_and_the_pings_stop_when_it_stalls() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify");
    let socket = UnixDatagram::bind(&path).unwrap();
    let mut p = Player::new(
        vec![text_slides(dir.path(), 2, "5s")],
        ScreenConfig::default(),
        at("2026-12-01T11:00:00Z"),
    );
    let notifier = Notifier::new(path, Some(Duration::from_millis(200))).unwrap();
    p.app.insert_resource(Watchdog(notifier));
    assert!(p.until(300, |p| p.seq().shown >= 1));
    p.step();
    let first = messages(&socket);
    assert!(
        first
            .iter()
            .any(|m| m.starts_with("READY=1\nSTATUS=showing \"T\" slide 1")),
        "{first:?}"
    );
    // Running: a ping at least every 100 ms of real time.
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(600) {
        p.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    let pings = messages(&socket)
        .iter()
        .filter(|m| *m == "WATCHDOG=1")
        .count();
    assert!(pings >= 4, "{pings} pings in 600 ms");
    // The frame loop stalls (a stuck driver, a deadlock): no more pings, so systemd's
    // WatchdogSec= kills and restarts the player.
    std::thread::sleep(Duration::from_millis(600));
    assert!(messages(&socket).is_empty(), "pings without frames");
    p.step();
    assert_eq!(messages(&socket), ["WATCHDOG=1"]);
}

/// A player from `start` on, 30 s a frame, writing its status to `out`.
fn half_minutes(
    playlists: Vec<vitrin::playlist::Playlist>,
    screen: ScreenConfig,
    start: chrono::DateTime<chrono::Utc>,
    out: &Path,
) -> Player {
    let mut p = Player::new(playlists, screen, start).with_clock(WallClock::From(start));
    p.app.insert_resource(StatusOutput {
        dir: out.to_path_buf(),
        screenshot: false,
    });
    p.app
        .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs(30)));
    p
}

fn status(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("status.json")).unwrap()).unwrap()
}

#[test]
fn at_night_the_display_sleeps_the_heartbeat_goes_on_and_the_play_log_grows() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    // A stand-in for cec-ctl that writes down how it was called.
    let calls = dir.path().join("cec-calls");
    let cec_ctl = dir.path().join("cec-ctl");
    std::fs::write(
        &cec_ctl,
        format!("#!/bin/sh\necho \"$@\" >> '{}'\n", calls.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cec_ctl, std::fs::Permissions::from_mode(0o755)).unwrap();
    let screen = ScreenConfig {
        opening: OpeningHours {
            staffed: vec![OpeningLine::parse("mon-fri 10:00-19:00").unwrap()],
            ..Default::default()
        },
        power: Method::Cec {
            device: Some("/dev/cec0".into()),
            program: Some(cec_ctl.display().to_string()),
        },
        power_warm_up: Duration::from_secs(600),
        cache_dir: cache.path().to_path_buf(),
        ..Default::default()
    };
    // Tuesday 1 December, 18:50 in Stockholm; 30 s a frame.
    let start = at("2026-12-01T17:50:00Z");
    let mut p = half_minutes(
        vec![text_slides(dir.path(), 3, "10s")],
        screen,
        start,
        out.path(),
    );
    let mut samples: Vec<(String, bool)> = Vec::new();
    let mut last_time = String::new();
    // Until 10:20 the next morning.
    for _ in 0..(15 * 120 + 60) {
        p.step();
        std::thread::sleep(Duration::from_millis(1));
        if let Ok(text) = std::fs::read_to_string(out.path().join("status.json")) {
            let s: serde_json::Value = serde_json::from_str(&text).unwrap();
            let time = s["time"].as_str().unwrap().to_string();
            if time != last_time {
                last_time = time.clone();
                samples.push((time, s["display_asleep"].as_bool().unwrap()));
            }
        }
    }
    // The heartbeat: written at least every minute, through the night.
    let night: Vec<&(String, bool)> = samples
        .iter()
        .filter(|(t, _)| t.as_str() > "2026-12-01T20:00" && t.as_str() < "2026-12-02T08:00")
        .collect();
    assert!(
        night.len() >= 12 * 60 - 5,
        "{} heartbeats in 12 h",
        night.len()
    );
    // Asleep in the night, awake before opening and while open.
    assert!(night.iter().all(|(_, asleep)| *asleep), "{night:?}");
    let before_open: Vec<_> = samples
        .iter()
        .filter(|(t, _)| t.as_str() > "2026-12-02T09:52" && t.as_str() < "2026-12-02T10:05")
        .collect();
    assert!(!before_open.is_empty());
    assert!(
        before_open.iter().all(|(_, asleep)| !*asleep),
        "{before_open:?}"
    );
    let calls = std::fs::read_to_string(&calls).unwrap();
    assert_eq!(
        calls.lines().collect::<Vec<_>>(),
        [
            "-d /dev/cec0 --playback --to 0 --standby",
            "-d /dev/cec0 --playback --to 0 --image-view-on"
        ]
    );
    let s = status(out.path());
    assert_eq!(s["mode"], "staffed");
    assert!(s["rss_bytes"].as_u64().unwrap() > 0);
    assert!(s["disk_free_bytes"].as_u64().unwrap() > 0);
    assert_eq!(s["version"], env!("CARGO_PKG_VERSION"));
    // The player looked at its own output all along: black at night is what the schedule
    // explains, the pages changed by day, so no false alarm.
    assert_eq!(s["self_check"]["problems"], 0, "{s}");
    assert!(s["self_check"]["problem"].is_null(), "{s}");
    // The play log: the evening's pages, and the morning's.
    let (entries, bad) = PlayLog::read(&cache.path().join("log")).unwrap();
    assert_eq!(bad, 0);
    let starts: Vec<String> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Shown { start, .. } => Some(start.to_rfc3339()),
            _ => None,
        })
        .collect();
    assert!(
        starts.iter().any(|s| s.as_str() < "2026-12-01T18:00"),
        "{starts:?}"
    );
    assert!(
        starts.iter().any(|s| s.as_str() > "2026-12-02T09:00"),
        "{starts:?}"
    );
    assert!(
        !starts
            .iter()
            .any(|s| s.as_str() > "2026-12-01T18:01" && s.as_str() < "2026-12-02T08:59"),
        "pages logged while closed: {starts:?}"
    );
}

#[test]
fn the_heartbeat_is_sent_to_its_url_with_the_screens_token() {
    use std::io::{BufRead, BufReader, Read, Write};
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/status/puls/hjartslag.json",
        listener.local_addr().unwrap()
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = Vec::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                head.push(line.trim_end().to_string());
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let _ = stream.write_all(
                b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            if tx.send((head, body)).is_err() {
                return;
            }
        }
    });
    let screen = ScreenConfig {
        id: "hjartslag".into(),
        heartbeat_url: Some(url),
        heartbeat_token: Some("hemligt".into()),
        cache_dir: dir.path().join("cache"),
        ..Default::default()
    };
    let mut p = Player::new(
        vec![text_slides(dir.path(), 2, "5s")],
        screen,
        at("2026-12-01T11:00:00Z"),
    );
    // The status, and a small screenshot beside it once a page is on screen (for the fleet page).
    let (mut status, mut picture) = (None, None);
    let started = Instant::now();
    while (status.is_none() || picture.is_none()) && started.elapsed() < Duration::from_secs(60) {
        p.step();
        while let Ok((head, body)) = rx.try_recv() {
            let authorized = head
                .iter()
                .any(|h| h.eq_ignore_ascii_case("authorization: Bearer hemligt"));
            assert!(authorized, "{head:?}");
            if head[0].starts_with("PUT /status/puls/hjartslag.json ") {
                status = Some(body);
            } else if head[0].starts_with("PUT /status/puls/hjartslag.png ") {
                picture = Some(body);
            } else {
                panic!("{head:?}");
            }
        }
    }
    let status: serde_json::Value =
        serde_json::from_slice(&status.expect("no heartbeat arrived")).unwrap();
    assert_eq!(status["screen"], "hjartslag");
    assert_eq!(status["version"], env!("CARGO_PKG_VERSION"));
    let picture = image::load_from_memory(&picture.expect("no screenshot arrived")).unwrap();
    // 480 pixels wide at most (the test's screen is smaller).
    assert!((1..=480).contains(&picture.width()), "{}", picture.width());
}

#[test]
fn a_screen_that_shows_black_while_open_is_noticed_by_its_self_check() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    for name in ["a.png", "b.png"] {
        image::RgbImage::new(64, 36)
            .save(dir.path().join(name))
            .unwrap();
    }
    let toml = "name = \"Svart\"\nduration = \"10s\"\n[[slide]]\nkind = \"image\"\nimage = \"a.png\"\n[[slide]]\nkind = \"image\"\nimage = \"b.png\"\n";
    let playlist = crate::player::playlist(&dir.path().join("svart.toml"), toml);
    let start = at("2026-12-01T11:00:00Z");
    let mut p = half_minutes(vec![playlist], ScreenConfig::default(), start, out.path());
    assert!(
        p.until(60, |_| {
            std::fs::read_to_string(out.path().join("status.json"))
                .is_ok_and(|t| t.contains("\"problem\": \"black\""))
        }),
        "the self-check never noticed: {}",
        std::fs::read_to_string(out.path().join("status.json")).unwrap_or_default()
    );
    assert_eq!(status(out.path())["self_check"]["problems"], 1);
}

#[test]
fn a_slides_chime_is_scheduled_when_it_comes_on_at_the_volume_and_not_in_quiet_hours() {
    use vitrin::player::audio::SoundLog;
    use vitrin::playlist::Chime;
    use vitrin::sound::Cue;
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let toml = "name = \"Ljud\"\nduration = \"10s\"\ntransition = \"cut\"\n[[slide]]\nkind = \"text\"\ntitle = \"Ett\"\nchime = \"dingdong\"\n[[slide]]\nkind = \"text\"\ntitle = \"Två\"\n";
    let playlist = crate::player::playlist(&dir.path().join("ljud.toml"), toml);
    let screen = ScreenConfig {
        sound: true,
        volume: 40,
        // 12:00 to 12:30 in Stockholm is quiet.
        quiet_hours: vec![vitrin::calendar::clock::TimeWindow::parse("12:00-12:30").unwrap()],
        cache_dir: dir.path().join("cache"),
        ..Default::default()
    };
    // From 11:59 local, 5 s a frame, until 12:37: the slide comes on before, during and after
    // the quiet half hour.
    let start = at("2026-12-01T10:59:00Z");
    let mut p = Player::new(vec![playlist], screen, start).with_clock(WallClock::From(start));
    p.app
        .insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs(5)));
    p.until(460, |_| false);
    let log = p.app.world().resource::<SoundLog>().0.clone();
    let chimes: Vec<&(String, vitrin::sound::Scheduled)> = log
        .iter()
        .filter(|(_, s)| s.cue == Cue::Chime(Chime::Dingdong))
        .collect();
    assert!(!chimes.is_empty(), "{log:?}");
    assert!(chimes.iter().all(|(_, s)| (s.gain - 0.4).abs() < 1e-6));
    assert!(
        chimes
            .iter()
            .all(|(t, _)| !("12:00:00".."12:30:00").contains(&t.as_str())),
        "a chime in quiet hours: {chimes:?}"
    );
    assert!(
        chimes.iter().any(|(t, _)| t.as_str() < "12:00"),
        "{chimes:?}"
    );
    assert!(
        chimes.iter().any(|(t, _)| t.as_str() >= "12:30"),
        "{chimes:?}"
    );
    // Only the slide that names a chime makes one: half the pages, or fewer.
    assert!(chimes.len() <= p.seq().shown as usize / 2 + 1);
}

#[test]
fn vitrin_report_sums_the_play_log_per_playlist_and_slide() {
    use crate::util::{stdout, vitrin};
    let dir = tempfile::tempdir().unwrap();
    let log = PlayLog::new(dir.path());
    let shown = |start: &str, seconds: f64, slide: usize| Entry::Shown {
        start: at(start),
        seconds,
        playlist: "Nyförvärv".into(),
        slide,
        part: 1,
        kind: "covers".into(),
        generation: "g1".into(),
    };
    for e in [
        shown("2026-12-01T09:00:00Z", 12.0, 1),
        shown("2026-12-01T09:00:12Z", 12.0, 2),
        shown("2026-12-01T09:00:24Z", 12.5, 1),
        Entry::Touch {
            at: at("2026-12-01T09:00:30Z"),
            action: "open_book".into(),
            playlist: Some("Nyförvärv".into()),
            slide: Some(1),
        },
        shown("2026-12-03T09:00:00Z", 12.0, 1),
    ] {
        log.append(&e).unwrap();
    }
    let log_dir = dir.path().to_str().unwrap();
    let report = |until: &str, json: bool| {
        let mut args = vec![
            "report",
            "--log",
            log_dir,
            "--from",
            "2026-12-01",
            "--until",
            until,
        ];
        if json {
            args.push("--json");
        }
        vitrin(&args)
    };
    let o = report("2026-12-02", false);
    assert!(o.status.success(), "{}", crate::util::stderr(&o));
    let text = stdout(&o);
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("Nyförvärv"))
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(
        rows[0].split_whitespace().collect::<Vec<_>>() == ["Nyförvärv", "1", "2", "0:00:25", "1"],
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("total") && l.contains("0:00:37")),
        "{text}"
    );
    let o = report("2026-12-04", true);
    assert_eq!(stdout(&o).lines().count(), 2);
    // A window that ends where it starts is a mistake, not an empty report.
    let o = report("2026-12-01", false);
    let err = crate::util::stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--from 2026-12-01 is not before --until 2026-12-01"),
        "{err}"
    );
}
