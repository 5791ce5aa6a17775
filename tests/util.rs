//! Small helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root, where `playlists/`, `assets/` and `kiosk/` are.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture file under `tests/fixtures/`.
pub fn fixture(path: &str) -> PathBuf {
    root().join("tests/fixtures").join(path)
}

/// Runs the `vitrin` binary in the repository root.
pub fn vitrin(args: &[&str]) -> Output {
    vitrin_in(&root(), args)
}

/// Runs the `vitrin` binary in a folder.
pub fn vitrin_in(dir: &Path, args: &[&str]) -> Output {
    in_test_env(Command::new(env!("CARGO_BIN_EXE_vitrin")), dir, args)
}

/// A command run the way tests run vitrin: quiet logs, and catalog copies and caches in a folder
/// of the tests', not the user's.
fn in_test_env(mut command: Command, dir: &Path, args: &[&str]) -> Output {
    command
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "warn")
        .env(
            "XDG_CACHE_HOME",
            std::env::temp_dir().join("vitrin-tests-cache"),
        )
        .output()
        .expect("vitrin runs")
}

/// Runs the `vitrin` binary in a folder with its heap held to `mib` MiB (RLIMIT_DATA, through
/// util-linux's `prlimit`): a test that an input cannot make vitrin take more.
pub fn vitrin_limited(dir: &Path, mib: u64, args: &[&str]) -> Output {
    let mut prlimit = Command::new("prlimit");
    prlimit
        .arg(format!("--data={}", mib << 20))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_vitrin"));
    in_test_env(prlimit, dir, args)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The QR codes in a frame, decoded.
pub fn qr_codes(img: &image::RgbImage) -> Vec<String> {
    let gray = image::DynamicImage::ImageRgb8(img.clone()).into_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(gray);
    prepared
        .detect_grids()
        .iter()
        .filter_map(|g| g.decode().ok().map(|(_, content)| content))
        .collect()
}

/// The `.toml` files directly in a folder, sorted: the playlists `vitrin check` reads from it.
pub fn toml_files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// The playlists among the `.toml` files directly in a folder (not the region's inventory).
pub fn playlist_files_in(dir: &Path) -> Vec<PathBuf> {
    toml_files_in(dir)
        .into_iter()
        .filter(|p| {
            vitrin::check::detect_kind(&std::fs::read_to_string(p).unwrap())
                == vitrin::check::FileKind::Playlist
        })
        .collect()
}

/// The region's files of a playlists folder: its inventory of screens and its libraries.
pub fn region_files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = toml_files_in(dir)
        .into_iter()
        .filter(|p| {
            vitrin::check::detect_kind(&std::fs::read_to_string(p).unwrap())
                == vitrin::check::FileKind::Inventory
        })
        .collect();
    let libraries = dir.join("bibliotek");
    if libraries.is_dir() {
        files.extend(toml_files_in(&libraries));
    }
    files
}

/// The book lists (the `.toml` sources of covers slides) that the playlists in `dir` name, each
/// once, read from the files themselves rather than through vitrin.
pub fn book_lists_named(dir: &Path) -> Vec<PathBuf> {
    let mut lists = std::collections::BTreeSet::new();
    for file in playlist_files_in(dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        let doc: toml::Table =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let slides = doc.get("slide").and_then(toml::Value::as_array);
        for slide in slides.into_iter().flatten() {
            let source = slide.get("source").and_then(toml::Value::as_str);
            if slide.get("kind").and_then(toml::Value::as_str) == Some("covers")
                && let Some(source) = source
                && source.ends_with(".toml")
                && !source.contains("://")
            {
                lists.insert(file.parent().unwrap().join(source));
            }
        }
    }
    lists.into_iter().collect()
}

/// `n` and the word, plural when `n` is not 1, as vitrin's summaries write them.
pub fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The text after `prefix` on each line of a fixture that starts with it (`# expect: `), read
/// even when the file is not UTF-8.
pub fn lines_after(path: &Path, prefix: &str) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(|l| l.strip_prefix(prefix))
        .map(str::to_string)
        .collect()
}

/// A real nginx, as a library would run it: `kiosk/nginx-feed.conf`'s server block (with a test
/// port and folder) and `kiosk/nginx-screens.conf`'s tokens, serving `feed` on 127.0.0.1.
pub struct Nginx {
    pub port: u16,
    child: std::process::Child,
    _run: tempfile::TempDir,
}

impl Nginx {
    pub fn serve(feed: &Path) -> Nginx {
        let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("nginx is missing: run .ci/deps (or .ci/test) to install it");
        let run = tempfile::tempdir().unwrap();
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let template = std::fs::read_to_string(root().join("kiosk/nginx-feed.conf")).unwrap();
        // The documented server block, inside a minimal nginx.conf for a test.
        let server_block = template
            .replace("listen 443 ssl;", &format!("listen 127.0.0.1:{port};"))
            .replace("/srv/vitrin-feed", &feed.to_string_lossy())
            .lines()
            .filter(|l| {
                !l.trim_start().starts_with("ssl_") && !l.trim_start().starts_with("server_name")
            })
            .collect::<Vec<_>>()
            .join("\n");
        let screens = std::fs::read_to_string(root().join("kiosk/nginx-screens.conf")).unwrap();
        let conf = format!(
            "daemon off;\nmaster_process off;\nerror_log {run}/error.log;\npid {run}/nginx.pid;\nevents {{}}\nhttp {{\n  access_log {run}/access.log;\n  client_body_temp_path {run}/body;\n  proxy_temp_path {run}/proxy;\n  fastcgi_temp_path {run}/fastcgi;\n  uwsgi_temp_path {run}/uwsgi;\n  scgi_temp_path {run}/scgi;\n  types {{ application/json json; text/html html; text/css css; image/jpeg jpg; image/png png; }}\n{screens}\n{server_block}\n}}\n",
            run = run.path().display()
        );
        let conf_path = run.path().join("nginx.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let mut child = Command::new(nginx)
            .arg("-c")
            .arg(&conf_path)
            .arg("-p")
            .arg(run.path())
            .stderr(std::fs::File::create(run.path().join("stderr.log")).unwrap())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "nginx did not start"
            );
            if let Ok(Some(status)) = child.try_wait() {
                let log =
                    |name: &str| std::fs::read_to_string(run.path().join(name)).unwrap_or_default();
                panic!(
                    "nginx exited: {status}: {}{}",
                    log("stderr.log"),
                    log("error.log")
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Nginx {
            port,
            child,
            _run: run,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
