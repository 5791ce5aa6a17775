//! The real thing: `vitrin play` in a window on a virtual X display (Xvfb), rendering with Mesa's
//! software Vulkan driver, clicked with xdotool. Checks what the window shows (from the player's
//! own screenshot) and that a click brings the next page at once.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{qr_codes, root};

/// Kills a child process when dropped (SIGKILL: a player dropped in the kill test is killed).
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An Xvfb, asked to end when dropped (SIGTERM), so that it removes its lock file and socket;
/// killed if it has not ended within two seconds.
struct XServer(Child);

impl Drop for XServer {
    fn drop(&mut self) {
        let asked = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        let started = Instant::now();
        while asked && started.elapsed() < Duration::from_secs(2) {
            if self.0.try_wait().is_ok_and(|exited| exited.is_some()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether X display `n` is in use: its lock file names a process that is running. A lock left
/// by an Xvfb that was killed is not (Xvfb takes such a display over, lock and socket).
fn display_in_use(n: u32) -> bool {
    let Ok(lock) = std::fs::read_to_string(format!("/tmp/.X{n}-lock")) else {
        return Path::new(&format!("/tmp/.X11-unix/X{n}")).exists();
    };
    lock.trim()
        .parse::<u32>()
        .map_or(true, |pid| Path::new(&format!("/proc/{pid}")).exists())
}

fn need(tool: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "{tool} is missing: run .ci/deps (or .ci/test) to install it"
    );
}

/// A free X display number and the Xvfb serving it. Tests that run at the same time take their
/// numbers one after the other (two that looked at once would both take the first free one and
/// share a screen, and one test's clicks would land in the other's window), and a number whose
/// Xvfb did not stay up (another program took it) is passed over.
fn xvfb(width: u32, height: u32) -> (String, XServer) {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    need("Xvfb");
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for n in 90..140 {
        if display_in_use(n) {
            continue;
        }
        let display = format!(":{n}");
        let child = Command::new("Xvfb")
            .args([
                &display,
                "-screen",
                "0",
                &format!("{width}x{height}x24"),
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let mut running = XServer(child);
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        let started = Instant::now();
        while !socket.exists() && started.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(200));
        if socket.exists() && running.0.try_wait().is_ok_and(|exited| exited.is_none()) {
            return (display, running);
        }
    }
    panic!("no free X display for Xvfb");
}

fn status(dir: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("status.json")).ok()?;
    serde_json::from_str(&text).ok()
}

fn wait_for(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ok() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_player_plays_in_a_window_and_a_click_brings_the_next_page() {
    need("xdotool");
    let (display, _xvfb) = xvfb(1280, 720);
    let out = tempfile::tempdir().unwrap();
    let log = std::fs::File::create(out.path().join("player.log")).unwrap();
    let _player = Running(
        Command::new(env!("CARGO_BIN_EXE_vitrin"))
            .args([
                "play",
                "--windowed",
                "1280x720",
                "--screen",
                "tests/fixtures/window-screen.toml",
            ])
            .arg("--status")
            .arg(out.path())
            .arg("--screenshot")
            .current_dir(root())
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("vitrin starts"),
    );
    let log_text = || std::fs::read_to_string(out.path().join("player.log")).unwrap_or_default();
    let screenshot = out.path().join("screen.png");
    let started = Instant::now();
    while !screenshot.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "no page reached the window in 90 s:\n{}",
            log_text()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let first = status(out.path()).expect("status.json");
    assert_eq!(first["page"], "\"A\" slide 1", "{first}");
    // The heartbeat's small picture of the screen comes with the first page.
    wait_for("screen-small.png", Duration::from_secs(10), || {
        image::open(out.path().join("screen-small.png")).is_ok_and(|i| i.width() == 480)
    });
    // What the window shows is the page, QR code and all.
    let img = image::open(&screenshot).unwrap().into_rgb8();
    assert_eq!(img.dimensions(), (1280, 720));
    let codes = qr_codes(&img);
    if codes.is_empty() {
        // Kept for a person to look at: what the window showed instead.
        let keep = root().join("target/window-test-screen.png");
        let _ = std::fs::copy(&screenshot, &keep);
        panic!(
            "no QR code in the window's screenshot (kept as {}); status {first}\n{}",
            keep.display(),
            log_text()
        );
    }
    assert_eq!(codes, ["https://bibliotekvarmland.se/fonstertest"]);

    // A click on the touch bar's forward arrow (bottom right): the next page, long before its
    // 60 s are up.
    let clicked = Instant::now();
    click(&display, 1200, 690);
    let next = || status(out.path()).is_some_and(|s| s["page"] == "\"B\" slide 1");
    let started = Instant::now();
    while !next() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(next(), "no next page 20 s after a click:\n{}", log_text());
    assert!(clicked.elapsed() < Duration::from_secs(20));
    // And the left arrow key goes back (with no window manager, the window needs focus first).
    let ok = Command::new("xdotool")
        .args([
            "search",
            "--name",
            "^vitrin$",
            "windowfocus",
            "--sync",
            "key",
            "Left",
        ])
        .env("DISPLAY", &display)
        .status()
        .expect("xdotool runs");
    assert!(ok.success());
    wait_for(
        "the page before after the left arrow",
        Duration::from_secs(20),
        || status(out.path()).is_some_and(|s| s["page"] == "\"A\" slide 1" && s["shown"] == 3),
    );
    // A tap (a click) on the left third goes back round to the covers page.
    click(&display, 100, 300);
    wait_for("the covers page", Duration::from_secs(20), || {
        status(out.path()).is_some_and(|s| s["page"] == "\"C\" slide 1")
    });
    // A click on the first cover opens the book, with a code to its record that a phone reads
    // from the window.
    let shot_before = std::fs::metadata(&screenshot)
        .and_then(|m| m.modified())
        .ok();
    click(&display, 486, 324);
    wait_for("the book to open", Duration::from_secs(20), || {
        status(out.path()).is_some_and(|s| s["opened"] == "Vinterviken")
    });
    wait_for("a screenshot of the book", Duration::from_secs(20), || {
        std::fs::metadata(&screenshot)
            .and_then(|m| m.modified())
            .ok()
            .is_some_and(|t| Some(t) != shot_before)
            && image::open(&screenshot).is_ok_and(|img| {
                qr_codes(&img.into_rgb8())
                    == ["https://bibliotekvarmland.se/fonstertest/vinterviken"]
            })
    });
    // As a phone might see the window: half its pixels each way, blurred.
    let img = image::open(&screenshot).unwrap().into_rgb8();
    let phone = image::imageops::resize(&img, 640, 360, image::imageops::FilterType::Triangle);
    assert_eq!(
        qr_codes(&phone),
        ["https://bibliotekvarmland.se/fonstertest/vinterviken"]
    );
    // Close (the middle of the bar): the covers page again.
    click(&display, 640, 690);
    wait_for(
        "the covers page after close",
        Duration::from_secs(20),
        || {
            status(out.path())
                .is_some_and(|s| s["page"] == "\"C\" slide 1" && s["opened"].is_null())
        },
    );
}

/// Moves the pointer to (`x`, `y`) of the window and clicks.
fn click(display: &str, x: u32, y: u32) {
    let ok = Command::new("xdotool")
        .args(["mousemove", &x.to_string(), &y.to_string(), "click", "1"])
        .env("DISPLAY", display)
        .status()
        .expect("xdotool runs");
    assert!(ok.success());
}

/// `vitrin play` killed again and again while it syncs new generations from a slow feed and
/// switches to them: after every kill the cache opens to a complete generation that verifies,
/// and a player started after the last kill plays the newest generation.
#[test]
fn a_player_killed_while_it_syncs_restarts_on_a_complete_generation() {
    use crate::server::{Behaviour, Server};
    use vitrin::cache::Cache;
    let (display, _xvfb) = xvfb(640, 360);
    let src = crate::feed::Source::new();
    src.publish();
    let server = Server::start(src.feed());
    let work = tempfile::tempdir().unwrap();
    let cache_dir = work.path().join("cache");
    let config = work.path().join("screen.toml");
    std::fs::write(
        &config,
        format!(
            "id = \"krasch\"\nfeed = \"{}\"\nallow_http = true\ncache_dir = \"{}\"\nsync_interval = \"10s\"\n",
            server.url(),
            cache_dir.display()
        ),
    )
    .unwrap();
    let play = |status: &Path| {
        Running(
            Command::new(env!("CARGO_BIN_EXE_vitrin"))
                .args(["play", "--windowed", "640x360", "--screen"])
                .arg(&config)
                .arg("--status")
                .arg(status)
                .env("DISPLAY", &display)
                .env_remove("WAYLAND_DISPLAY")
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("vitrin starts"),
        )
    };
    // A first generation in the cache, then new ones served slowly while players are killed.
    let status_dir = work.path().join("status");
    std::fs::create_dir_all(&status_dir).unwrap();
    {
        let _first = play(&status_dir);
        wait_for("the first generation", Duration::from_secs(90), || {
            Cache::open(&cache_dir).is_ok_and(|c| c.active().ok().flatten().is_some())
        });
    }
    server.set(Behaviour::Throttle(Duration::from_millis(2)));
    let mut newest = String::new();
    let mut seen = std::collections::BTreeSet::new();
    for round in 0..12u64 {
        if round % 3 == 0 {
            src.change_picture(round as u8 + 40);
            newest = src.publish().generation;
        }
        let player = play(&status_dir);
        std::thread::sleep(Duration::from_millis(400 + (round * 613) % 3000));
        drop(player);
        let cache = Cache::open(&cache_dir).unwrap();
        let active = cache
            .active()
            .unwrap()
            .unwrap_or_else(|| panic!("round {round}: no generation after a kill"));
        cache
            .verify(&active)
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        seen.insert(active.id);
    }
    // The feed is fast again: a player started now catches up and plays the newest generation.
    server.set(Behaviour::Normal);
    let _last = play(&status_dir);
    wait_for(
        "the newest generation on screen",
        Duration::from_secs(120),
        || status(&status_dir).is_some_and(|s| s["generation"] == newest.as_str()),
    );
    assert!(
        seen.len() >= 2,
        "the kills never landed after a switch: {seen:?}"
    );
}

/// The X server's picture of the whole screen, read back with xwd (32 bits a pixel, as Xvfb
/// keeps a 24-bit screen).
fn grab(display: &str) -> Option<image::RgbImage> {
    let out = Command::new("xwd")
        .args(["-root", "-silent"])
        .env("DISPLAY", display)
        .output()
        .ok()?;
    let d = &out.stdout;
    if !out.status.success() || d.len() < 100 {
        return None;
    }
    // The header: 25 big-endian 32-bit fields, then the window's name, then the colour map.
    let field = |i: usize| u32::from_be_bytes(d[i * 4..i * 4 + 4].try_into().unwrap());
    let (header, width, height) = (field(0) as usize, field(4), field(5));
    let (lsb_first, bits, line) = (field(7) == 0, field(11), field(12) as usize);
    let masks = [field(14), field(15), field(16)];
    let pixels = d.get(header + field(19) as usize * 12..)?;
    if bits != 32 || pixels.len() < line * height as usize {
        return None;
    }
    Some(image::RgbImage::from_fn(width, height, |x, y| {
        let at = y as usize * line + x as usize * 4;
        let bytes: [u8; 4] = pixels[at..at + 4].try_into().unwrap();
        let p = if lsb_first {
            u32::from_le_bytes(bytes)
        } else {
            u32::from_be_bytes(bytes)
        };
        image::Rgb(masks.map(|m| ((p & m) >> m.trailing_zeros()) as u8))
    }))
}

/// In software rendering a crossfade is blended on the CPU and copied into the window's picture
/// (`src/player/present.rs`). Read back from the X server while a red page fades into a blue
/// one: the window shows the red page exactly, frames between them, and the blue page exactly,
/// and every frame is whole (the same colour top to bottom: no strip of a frame shown early).
#[test]
fn a_crossfade_in_software_rendering_reaches_the_window_whole_and_exact() {
    need("xwd");
    let dir = tempfile::tempdir().unwrap();
    let playlists = dir.path().join("playlists");
    std::fs::create_dir(&playlists).unwrap();
    for (name, rgb) in [("red", [255, 0, 0]), ("blue", [0, 0, 255])] {
        image::RgbImage::from_pixel(64, 36, image::Rgb(rgb))
            .save(dir.path().join(format!("{name}.png")))
            .unwrap();
    }
    std::fs::write(
        playlists.join("fade.toml"),
        "name = \"Tona\"\nduration = \"3s\"\ntransition = \"fade\"\n\n\
         [[slide]]\nkind = \"image\"\nimage = \"../red.png\"\n\n\
         [[slide]]\nkind = \"image\"\nimage = \"../blue.png\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("screen.toml"),
        "id = \"tonatest\"\nplaylists = \"playlists\"\n",
    )
    .unwrap();
    let (display, _xvfb) = xvfb(1920, 1080);
    let log_path = dir.path().join("player.log");
    let _player = Running(
        Command::new(env!("CARGO_BIN_EXE_vitrin"))
            .args(["play", "--screen"])
            .arg(dir.path().join("screen.toml"))
            .env("DISPLAY", &display)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("VITRIN_PRESENT")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log_path).unwrap())
            .spawn()
            .expect("vitrin starts"),
    );
    let log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    wait_for("the player's own picture", Duration::from_secs(60), || {
        log().contains("the window's picture is the player's own")
    });
    // Points down the middle of what a window without a window manager covers of the screen.
    let points = [(300, 20), (300, 150), (300, 300), (300, 450), (300, 580)];
    let (mut red, mut blue, mut between) = (0, 0, Vec::new());
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(40)
        && (red == 0 || blue == 0 || between.len() < 3)
    {
        let Some(img) = grab(&display) else { continue };
        let colours: Vec<[u8; 3]> = points.iter().map(|&(x, y)| img.get_pixel(x, y).0).collect();
        if red == 0 && colours[0] != [255, 0, 0] {
            continue; // the empty window, the brand's colour, the red page fading in
        }
        assert!(
            colours.iter().all(|c| *c == colours[0]),
            "a frame not whole: {colours:?}\n{}",
            log()
        );
        match colours[0] {
            [255, 0, 0] => red += 1,
            [0, 0, 255] => blue += 1,
            // Red fading into blue (or back, when the playlist starts over): the two add up to
            // about full.
            [r, 0, b] if (250..=260).contains(&(u32::from(r) + u32::from(b))) => {
                between.push((r, b))
            }
            other => panic!(
                "a colour of neither page nor between them: {other:?}\n{}",
                log()
            ),
        }
    }
    assert!(
        red > 0 && blue > 0 && between.len() >= 3,
        "red {red}, blue {blue}, between {between:?}\n{}",
        log()
    );
}
