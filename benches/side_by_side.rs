//! vitrin and a Chromium kiosk side by side on the same slideshow, the way most signage players
//! show it: a 4K photo with a caption, twelve new books with their covers, a QR call to action and
//! a text page, 8 s a page, crossfades, 1920x1080.
//!
//! Both run one after the other, each in its own virtual X server (Xvfb) and in software (no GPU:
//! Chromium with `--disable-gpu`, vitrin on Mesa's lavapipe), each for the same time. Measured over
//! each program's whole process tree, every half second: the peak of its summed PSS (proportional
//! set size: shared pages counted once), and its CPU seconds (user + system, reaped children
//! included) per minute. Start-up is process start to the first page: Chromium's first contentful
//! paint as the page itself reports it, vitrin's first page going on screen as its log says.
//!
//! Run it with `benches/side-by-side` (it installs Chromium and builds the release first), or
//! `cargo bench --bench side_by_side -- [--seconds 60] [--runs 1] [--json FILE] [--keep DIR]`.
//! The pictures are generated: nothing is downloaded.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use image::{Rgb, RgbImage};
use serde::Serialize;
// A crossfade lasts as long in the web page as in vitrin.
use vitrin::player::compositor::FADE_SECONDS;

const WIDTH: u32 = 1920;
const HEIGHT: u32 = 1080;
const PAGE_SECONDS: u32 = 8;
/// The goals: vitrin's CPU at most half of Chromium's, its memory at most a third.
const CPU_GOAL: f64 = 0.5;
const MEMORY_GOAL: f64 = 1.0 / 3.0;

struct Options {
    seconds: f64,
    runs: u32,
    json: Option<PathBuf>,
    keep: Option<PathBuf>,
    only: Option<String>,
}

fn options() -> anyhow::Result<Options> {
    let mut o = Options {
        seconds: 60.0,
        runs: 1,
        json: None,
        keep: None,
        only: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--seconds" => o.seconds = value()?.parse()?,
            "--runs" => o.runs = value()?.parse()?,
            "--json" => o.json = Some(value()?.into()),
            "--keep" => o.keep = Some(value()?.into()),
            "--only" => o.only = Some(value()?),
            // `cargo bench` passes this to every bench target.
            "--bench" => {}
            "-h" | "--help" => {
                println!(
                    "side_by_side [--seconds 60] [--runs 1] [--json FILE] [--keep DIR] [--only vitrin|chromium]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}"),
        }
    }
    Ok(o)
}

/// One program's figures in one run.
#[derive(Debug, Clone, Serialize)]
struct Row {
    program: String,
    peak_pss_mib: f64,
    cpu_seconds_per_minute: f64,
    /// Process start to first page, in seconds.
    first_page_s: Option<f64>,
    /// CPU seconds per minute from the first page on (start-up left out).
    playback_cpu_seconds_per_minute: Option<f64>,
    seconds: f64,
}

fn main() -> anyhow::Result<()> {
    let o = options()?;
    let temp = tempfile::tempdir()?;
    let dir = o.keep.clone().unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let vitrin = PathBuf::from(env!("CARGO_BIN_EXE_vitrin"));
    eprintln!("writing the slideshow to {}", dir.display());
    slideshow::write(&dir)?;
    let status = Command::new(&vitrin)
        .args(["check", "vitrin/playlists", "vitrin/screen.toml"])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        bail!("vitrin check finds problems in the bench's playlists");
    }
    let chromium = which("chromium").or_else(|| which("chromium-browser"));
    let mut rows = Vec::new();
    for run in 1..=o.runs {
        if o.only.as_deref() != Some("vitrin") {
            let Some(chromium) = &chromium else {
                bail!("Chromium is not installed: run benches/side-by-side, which installs it");
            };
            eprintln!("run {run}: Chromium for {:.0} s", o.seconds);
            rows.push(measure_chromium(chromium, &dir, o.seconds)?);
        }
        if o.only.as_deref() != Some("chromium") {
            eprintln!("run {run}: vitrin for {:.0} s", o.seconds);
            rows.push(measure_vitrin(&vitrin, &dir, o.seconds)?);
        }
    }
    print!("{}", table(&rows));
    if let Some(path) = &o.json {
        std::fs::write(path, serde_json::to_string_pretty(&rows)?)?;
    }
    Ok(())
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The figures of every run, then each run's ratios against the goals.
fn table(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{WIDTH}x{HEIGHT}, software rendering under Xvfb, {PAGE_SECONDS} s a page, crossfades"
    );
    let _ = writeln!(
        out,
        "{:<10} {:>13} {:>22} {:>24} {:>14}",
        "", "peak PSS MiB", "CPU s/min from start", "CPU s/min of playback", "first page s"
    );
    let or_unknown = |v: Option<f64>| v.map_or_else(|| "?".to_string(), |s| format!("{s:.2}"));
    for r in rows {
        let _ = writeln!(
            out,
            "{:<10} {:>13.0} {:>22.2} {:>24} {:>14}",
            r.program,
            r.peak_pss_mib,
            r.cpu_seconds_per_minute,
            or_unknown(r.playback_cpu_seconds_per_minute),
            or_unknown(r.first_page_s)
        );
    }
    let chromium: Vec<&Row> = rows.iter().filter(|r| r.program == "chromium").collect();
    let vitrin: Vec<&Row> = rows.iter().filter(|r| r.program == "vitrin").collect();
    for (c, v) in chromium.iter().zip(&vitrin) {
        let cpu = v.cpu_seconds_per_minute / c.cpu_seconds_per_minute;
        let playback = match (
            v.playback_cpu_seconds_per_minute,
            c.playback_cpu_seconds_per_minute,
        ) {
            (Some(v), Some(c)) => format!(
                ", of playback {:.2} (goal ≤ {CPU_GOAL:.2}: {})",
                v / c,
                verdict(v / c <= CPU_GOAL)
            ),
            _ => String::new(),
        };
        let mem = v.peak_pss_mib / c.peak_pss_mib;
        let _ = writeln!(
            out,
            "vitrin/chromium: CPU from start {cpu:.2} (goal ≤ {CPU_GOAL:.2}: {}){playback}, memory {mem:.2} (goal ≤ {MEMORY_GOAL:.2}: {}){}",
            verdict(cpu <= CPU_GOAL),
            verdict(mem <= MEMORY_GOAL),
            match (c.first_page_s, v.first_page_s) {
                (Some(c), Some(v)) => format!(
                    ", first page {v:.2} s against {c:.2} s ({})",
                    verdict(v <= c)
                ),
                _ => String::new(),
            }
        );
    }
    out
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

fn since_epoch() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn measure_chromium(chromium: &Path, dir: &Path, seconds: f64) -> anyhow::Result<Row> {
    let profile = tempfile::tempdir()?;
    let page = format!("file://{}", dir.join("index.html").display());
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--kiosk",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
        &format!("--window-size={WIDTH},{HEIGHT}"),
        "--window-position=0,0",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .arg(page);
    let run = under_xvfb(cmd, seconds, dir.join("chromium.log"))?;
    // The page logs the moment of its first contentful paint, in ms since the epoch.
    let log = std::fs::read_to_string(dir.join("chromium.log")).unwrap_or_default();
    let painted = log.lines().find_map(|l| {
        let rest = &l[l.find("vitrin-bench first-paint ")? + 25..];
        rest.split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next()?
            .parse::<f64>()
            .ok()
    });
    Ok(run.row("chromium", painted.map(|ms| ms / 1000.0)))
}

fn measure_vitrin(vitrin: &Path, dir: &Path, seconds: f64) -> anyhow::Result<Row> {
    let mut cmd = Command::new(vitrin);
    cmd.args(["play", "--screen", "vitrin/screen.toml"])
        .current_dir(dir)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .env_remove("WAYLAND_DISPLAY");
    software_rendering(&mut cmd);
    let run = under_xvfb(cmd, seconds, dir.join("vitrin.log"))?;
    // The first "showing" line: the first page going on screen.
    let log = std::fs::read_to_string(dir.join("vitrin.log")).unwrap_or_default();
    let shown = log
        .lines()
        .find(|l| l.contains(" showing"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_micros() as f64 / 1e6);
    if log.contains(" ERROR ") || log.contains("panicked") {
        eprintln!(
            "vitrin logged errors: see {}",
            dir.join("vitrin.log").display()
        );
    }
    Ok(run.row("vitrin", shown))
}

/// What `.ci/env` sets: Mesa's lavapipe, the Vulkan driver that renders on the CPU.
fn software_rendering(cmd: &mut Command) {
    let icd = std::fs::read_dir("/usr/share/vulkan/icd.d")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("lvp_icd"))
        });
    if let Some(icd) = icd {
        cmd.env("VK_DRIVER_FILES", icd);
    }
    cmd.env("WGPU_BACKEND", "vulkan");
}

struct Measured {
    peak_pss_mib: f64,
    cpu_seconds: f64,
    seconds: f64,
    started_epoch: f64,
    /// (seconds since start, CPU seconds so far), every half second.
    samples: Vec<(f64, f64)>,
}

impl Measured {
    /// The program's row, given when (seconds since the epoch) its first page showed.
    fn row(&self, program: &str, first_page_epoch: Option<f64>) -> Row {
        let first_page_s = first_page_epoch.map(|t| t - self.started_epoch);
        Row {
            program: program.into(),
            peak_pss_mib: self.peak_pss_mib,
            cpu_seconds_per_minute: self.cpu_seconds * 60.0 / self.seconds,
            playback_cpu_seconds_per_minute: first_page_s.and_then(|s| self.cpu_per_minute_from(s)),
            first_page_s,
            seconds: self.seconds,
        }
    }

    /// CPU seconds per minute from `from` seconds after start to the end.
    fn cpu_per_minute_from(&self, from: f64) -> Option<f64> {
        let &(t0, c0) = self.samples.iter().find(|(t, _)| *t >= from)?;
        let &(t1, c1) = self.samples.last()?;
        (t1 - t0 > 10.0).then(|| (c1 - c0) * 60.0 / (t1 - t0))
    }
}

/// A virtual X server of its own, stopped when dropped.
struct Xvfb {
    child: Child,
    display: String,
    _runtime: tempfile::TempDir,
}

impl Xvfb {
    fn start() -> anyhow::Result<Self> {
        let n = (90..200)
            .find(|n| !Path::new(&format!("/tmp/.X{n}-lock")).exists())
            .context("no free X display number")?;
        let child = Command::new("Xvfb")
            .arg(format!(":{n}"))
            .args(["-screen", "0", &format!("{WIDTH}x{HEIGHT}x24")])
            .args(["-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("Xvfb is not installed (the package xvfb)")?;
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        let started = Instant::now();
        while !socket.exists() {
            if started.elapsed() > Duration::from_secs(10) {
                bail!("Xvfb :{n} did not start");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Self {
            child,
            display: format!(":{n}"),
            _runtime: tempfile::tempdir()?,
        })
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `cmd` on a fresh virtual screen for `seconds`, sampling its process tree every half second.
fn under_xvfb(mut cmd: Command, seconds: f64, log: PathBuf) -> anyhow::Result<Measured> {
    let x = Xvfb::start()?;
    let runtime = x._runtime.path().to_path_buf();
    std::fs::set_permissions(
        &runtime,
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )?;
    cmd.env("DISPLAY", &x.display)
        .env("XDG_RUNTIME_DIR", &runtime)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?);
    let started_epoch = since_epoch();
    let started = Instant::now();
    let mut child = cmd.spawn().context("starting the program")?;
    let root = child.id();
    let (mut peak_kib, mut cpu_ticks) = (0u64, 0u64);
    let mut samples = Vec::new();
    while started.elapsed().as_secs_f64() < seconds {
        if child.try_wait()?.is_some() {
            bail!("the program exited early: see {}", log.display());
        }
        let tree = proc_tree(root);
        peak_kib = peak_kib.max(tree.iter().map(|&p| pss_kib(p)).sum());
        cpu_ticks = cpu_ticks.max(tree.iter().map(|&p| cpu_ticks_of(p)).sum());
        samples.push((started.elapsed().as_secs_f64(), cpu_ticks as f64 / 100.0));
        std::thread::sleep(Duration::from_millis(500));
    }
    let seconds = started.elapsed().as_secs_f64();
    // Chromium's children go with it when it is asked to stop; vitrin stops at once.
    let _ = Command::new("kill")
        .args(["-TERM", &root.to_string()])
        .stderr(Stdio::null())
        .status();
    let stopped = Instant::now();
    while child.try_wait()?.is_none() && stopped.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    drop(x);
    // Children left behind (Chromium's zygotes) are stopped too.
    for p in proc_tree(root) {
        let _ = Command::new("kill")
            .args(["-KILL", &p.to_string()])
            .stderr(Stdio::null())
            .status();
    }
    Ok(Measured {
        peak_pss_mib: peak_kib as f64 / 1024.0,
        cpu_seconds: cpu_ticks as f64 / 100.0,
        seconds,
        started_epoch,
        samples,
    })
}

/// The fields of /proc/PID/stat after the command name.
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    Some(rest.split_whitespace().map(str::to_string).collect())
}

/// `root` and everything it started, still running.
fn proc_tree(root: u32) -> Vec<u32> {
    let mut children: std::collections::HashMap<u32, Vec<u32>> = Default::default();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        if let Some(ppid) = stat_fields(pid).and_then(|f| f.get(1)?.parse().ok()) {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let (mut out, mut todo) = (Vec::new(), vec![root]);
    while let Some(p) = todo.pop() {
        out.push(p);
        todo.extend(children.get(&p).into_iter().flatten());
    }
    out
}

fn pss_kib(pid: u32) -> u64 {
    let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
        return 0;
    };
    text.lines()
        .find(|l| l.starts_with("Pss:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// User and system time of a process and of its children that have ended, in clock ticks
/// (100 a second on Linux).
fn cpu_ticks_of(pid: u32) -> u64 {
    stat_fields(pid).map_or(0, |f| {
        (11..=14)
            .filter_map(|i| f.get(i)?.parse::<u64>().ok())
            .sum()
    })
}

/// The slideshow, for both programs, from the same generated pictures.
mod slideshow {
    use super::*;

    const CAPTION: &str = "Vinterläsning för hela familjen – åäö";
    const QR_TITLE: &str = "Fråga Bibliotek Värmland";
    const QR_TEXT: &str = "Skanna koden och ställ din fråga.";
    const QR_URL: &str = "https://www.bibliotekvarmland.se/fraga";
    const TEXT_TITLE: &str = "Meröppet";
    const TEXT: &str = "Biblioteket är öppet 07–22 med lånekort och PIN-kod.";

    /// A small deterministic random number generator, so every run shows the same pictures.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u32) -> u32 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 33) % u64::from(n.max(1))) as u32
        }
    }

    /// A photo-like picture: a gradient with soft coloured discs, saved as a JPEG.
    fn photo(path: &Path, w: u32, h: u32, hue: u32, rng: &mut Lcg) -> anyhow::Result<()> {
        let mut im = RgbImage::from_fn(w, h, |_, y| {
            let t = y as f32 / h as f32;
            Rgb([
                (40.0 + 150.0 * t) as u8,
                (hue % 255) as u8,
                (200.0 - 120.0 * t) as u8,
            ])
        });
        for _ in 0..60 {
            let (cx, cy) = (rng.below(w) as i64, rng.below(h) as i64);
            let r = i64::from(20 + rng.below(180)) * i64::from(w) / 1920;
            let c = Rgb([
                rng.below(256) as u8,
                rng.below(256) as u8,
                rng.below(256) as u8,
            ]);
            for y in (cy - r).max(0)..(cy + r).min(i64::from(h)) {
                for x in (cx - r).max(0)..(cx + r).min(i64::from(w)) {
                    if (x - cx).pow(2) + (y - cy).pow(2) <= r * r {
                        im.put_pixel(x as u32, y as u32, c);
                    }
                }
            }
        }
        let im = image::imageops::fast_blur(&im, 3.0);
        let file = std::io::BufWriter::new(std::fs::File::create(path)?);
        image::codecs::jpeg::JpegEncoder::new_with_quality(file, 88).encode_image(&im)?;
        Ok(())
    }

    /// The QR code as a PNG, 14 pixels a module with a 4-module quiet zone.
    fn qr(path: &Path) -> anyhow::Result<()> {
        let code = qrcode::QrCode::new(QR_URL.as_bytes())?;
        let n = code.width() as u32;
        let (module, border) = (14, 4);
        let size = (n + 2 * border) * module;
        let colors = code.to_colors();
        let im = image::GrayImage::from_fn(size, size, |x, y| {
            let (mx, my) = (x / module, y / module);
            let dark = (border..n + border).contains(&mx)
                && (border..n + border).contains(&my)
                && colors[((my - border) * n + mx - border) as usize] == qrcode::Color::Dark;
            image::Luma([if dark { 0 } else { 255 }])
        });
        im.save(path)?;
        Ok(())
    }

    pub fn write(dir: &Path) -> anyhow::Result<()> {
        let mut rng = Lcg(7);
        photo(&dir.join("vinter.jpg"), 3840, 2160, 90, &mut rng)?;
        for i in 0..12 {
            photo(
                &dir.join(format!("cover{i}.jpg")),
                600,
                900,
                20 * i,
                &mut rng,
            )?;
        }
        qr(&dir.join("qr.png"))?;
        std::fs::write(dir.join("index.html"), html())?;
        let v = dir.join("vitrin");
        std::fs::create_dir_all(v.join("playlists"))?;
        std::fs::write(
            v.join("screen.toml"),
            "id = \"side-by-side\"\ntimezone = \"Europe/Stockholm\"\nplaylists = \"playlists\"\n",
        )?;
        let mut books = String::new();
        for i in 0..12 {
            let _ = write!(
                books,
                "[[book]]\ntitle = \"Titel {i}\"\nauthor = \"Författare\"\ncover = \"../../cover{i}.jpg\"\n\n"
            );
        }
        std::fs::write(v.join("playlists/books.toml"), books)?;
        std::fs::write(
            v.join("playlists/side-by-side.toml"),
            format!(
                r#"name = "Sida vid sida"
duration = "{PAGE_SECONDS}s"
transition = "fade"

[[slide]]
kind = "image"
image = "../../vinter.jpg"
caption = "{CAPTION}"

[[slide]]
kind = "covers"
title = "Nytt på hyllan"
source = "books.toml"
count = 12

[[slide]]
kind = "qr"
title = "{QR_TITLE}"
text = "{QR_TEXT}"
url = "{QR_URL}"

[[slide]]
kind = "text"
title = "{TEXT_TITLE}"
text = "{TEXT}"
"#
            ),
        )?;
        Ok(())
    }

    /// The same four pages as a web page: CSS opacity transitions, all pages in the document.
    fn html() -> String {
        let covers: String = (0..12)
            .map(|i| {
                format!(
                    "<figure><img src=\"cover{i}.jpg\"><figcaption>Titel {i}<br><small>Författare</small></figcaption></figure>"
                )
            })
            .collect();
        format!(
            r#"<!doctype html><html lang="sv"><meta charset="utf-8"><style>
html,body{{margin:0;width:{WIDTH}px;height:{HEIGHT}px;overflow:hidden;background:#0e3d6e;color:#fff;font-family:sans-serif}}
.s{{position:absolute;inset:0;opacity:0;transition:opacity {FADE_SECONDS}s}} .s.on{{opacity:1}}
.photo{{background:url(vinter.jpg) center/cover}} .cap{{position:absolute;bottom:0;left:0;right:0;padding:40px;font-size:64px;background:rgba(0,0,0,.55)}}
.grid{{display:grid;grid-template-columns:repeat(6,1fr);gap:24px;padding:60px}} figure{{margin:0;text-align:center;font-size:28px}} figure img{{height:330px}}
.qr{{display:flex;align-items:center;gap:80px;padding:120px;font-size:56px}} .qr img{{width:420px;image-rendering:pixelated;background:#fff}}
.text{{padding:160px;font-size:60px}} h1{{font-size:110px;margin:0 0 40px}}
</style><body>
<div class="s photo on"><div class="cap">{CAPTION}</div></div>
<div class="s"><div class="grid">{covers}</div></div>
<div class="s"><div class="qr"><img src="qr.png"><div><h1>{QR_TITLE}</h1>{QR_TEXT}</div></div></div>
<div class="s text"><h1>{TEXT_TITLE}</h1>{TEXT}</div>
<script>
new PerformanceObserver((list) => {{
  for (const e of list.getEntries()) {{
    if (e.name === "first-contentful-paint") console.log("vitrin-bench first-paint " + (performance.timeOrigin + e.startTime));
  }}
}}).observe({{type: "paint", buffered: true}});
let i=0;const s=document.querySelectorAll('.s');setInterval(()=>{{s[i].classList.remove('on');i=(i+1)%s.length;s[i].classList.add('on')}},{PAGE_SECONDS}000);
</script>
</body></html>"#
        )
    }
}
