//! The central feed and the screen's cache, over real HTTP on 127.0.0.1: publishing is
//! deterministic and content-addressed; a sync is conditional, resumable and verified; servers
//! that misbehave, signatures that do not verify and crashes at any moment never leave the screen
//! without a complete, verified generation.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use image::{Rgb, RgbImage};
use vitrin::cache::Cache;
use vitrin::feed::publish::{PublishOptions, generate_key, publish};
use vitrin::feed::sync::{Outcome, SyncError, SyncOptions, sync_once};

use crate::server::{Behaviour, Server};

/// A playlist folder with pictures of its own, in a temp folder.
pub struct Source {
    dir: tempfile::TempDir,
}

impl Source {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("playlists");
        std::fs::create_dir_all(p.join("bilder")).unwrap();
        for (name, color) in [
            ("a.png", [200, 40, 40]),
            ("b.png", [40, 200, 40]),
            ("c.png", [40, 40, 200]),
        ] {
            picture(&p.join("bilder").join(name), 640, 360, color);
        }
        std::fs::write(
            p.join("bilder.toml"),
            "name = \"Bilder\"\n[[slide]]\nkind = \"image\"\nimage = \"bilder/a.png\"\n\n[[slide]]\nkind = \"carousel\"\nimages = [\"bilder/b.png\", \"bilder/c.png\"]\n",
        )
        .unwrap();
        std::fs::write(
            p.join("fraga.toml"),
            "name = \"Fråga\"\n[[slide]]\nkind = \"qr\"\ntitle = \"Fråga oss\"\nurl = \"https://bibliotekvarmland.se/fraga-biblioteket\"\n",
        )
        .unwrap();
        Source { dir }
    }

    pub fn playlists(&self) -> PathBuf {
        self.dir.path().join("playlists")
    }

    pub fn feed(&self) -> PathBuf {
        self.dir.path().join("feed")
    }

    pub fn publish(&self) -> vitrin::feed::publish::PublishReport {
        self.publish_signed(None)
    }

    fn publish_signed(&self, key: Option<&Path>) -> vitrin::feed::publish::PublishReport {
        publish(&PublishOptions {
            playlists: self.playlists(),
            out: self.feed(),
            sign: key.map(Path::to_path_buf),
            catalog: Default::default(),
            catalog_cache: None,
            now: chrono::Utc::now(),
            viewings: Vec::new(),
        })
        .unwrap()
    }

    /// Changes one picture.
    pub fn change_picture(&self, seed: u8) {
        picture(
            &self.playlists().join("bilder/a.png"),
            640,
            360,
            [seed, 90, 160],
        );
    }
}

fn picture(path: &Path, w: u32, h: u32, color: [u8; 3]) {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb([
            color[0],
            color[1].wrapping_add((x / 40) as u8),
            color[2].wrapping_add((y / 40) as u8),
        ])
    })
    .save(path)
    .unwrap();
}

fn options(server: &Server) -> SyncOptions {
    let mut o = SyncOptions::new(&server.url());
    o.allow_http = true;
    o.read_timeout = Duration::from_secs(2);
    o.retries = 2;
    o.max_wait = Duration::from_secs(3);
    o
}

fn blob_requests(seen: &[crate::server::Seen]) -> usize {
    seen.iter()
        .filter(|s| s.path.starts_with("/blobs/"))
        .count()
}

#[test]
fn publishing_twice_gives_the_same_manifest_and_one_change_adds_one_blob() {
    let src = Source::new();
    let first = src.publish();
    assert_eq!(first.playlists, 2);
    assert_eq!(first.blobs, 3);
    assert_eq!(first.new_blobs, 3);
    let bytes = std::fs::read(src.feed().join("manifest.json")).unwrap();
    let second = src.publish();
    assert_eq!(second.generation, first.generation);
    assert!(second.unchanged);
    assert_eq!(second.new_blobs, 0);
    assert_eq!(
        std::fs::read(src.feed().join("manifest.json")).unwrap(),
        bytes
    );
    src.change_picture(7);
    let third = src.publish();
    assert_ne!(third.generation, first.generation);
    assert_eq!(third.new_blobs, 1);
    // No path on the publishing machine reaches the screens.
    let text = String::from_utf8(std::fs::read(src.feed().join("manifest.json")).unwrap()).unwrap();
    assert!(!text.contains(&*src.dir.path().to_string_lossy()), "{text}");
}

#[test]
fn pictures_are_scaled_down_to_4k_when_published() {
    let src = Source::new();
    picture(
        &src.playlists().join("bilder/a.png"),
        5000,
        3000,
        [10, 20, 30],
    );
    src.publish();
    let feed = src.feed();
    let manifest =
        vitrin::generation::Generation::parse(&std::fs::read(feed.join("manifest.json")).unwrap())
            .unwrap();
    let biggest = manifest
        .blobs
        .iter()
        .map(|b| {
            let path = vitrin::media::blob_path(&feed.join("blobs"), &b.sha256);
            image::ImageReader::open(path)
                .unwrap()
                .with_guessed_format()
                .unwrap()
                .into_dimensions()
                .unwrap()
        })
        .max()
        .unwrap();
    assert_eq!(biggest, (3600, 2160));
}

#[test]
fn a_sync_is_conditional_and_fetches_only_what_changed() {
    let src = Source::new();
    src.publish();
    let server = Server::start(src.feed());
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(cache_dir.path()).unwrap();
    let first = sync_once(&cache, &options(&server)).unwrap();
    assert!(matches!(
        first.outcome,
        Outcome::Activated { previous: None }
    ));
    assert_eq!(first.blobs_fetched, 3);
    assert_eq!(first.requests, 4, "one manifest and three blobs");
    server.take_seen();
    // Nothing changed: one request, answered 304, nothing downloaded.
    let again = sync_once(&cache, &options(&server)).unwrap();
    assert_eq!(again.outcome, Outcome::NotModified);
    assert_eq!((again.requests, again.bytes), (1, 0));
    let seen = server.take_seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].status, 304);
    // One picture changed: the manifest and exactly that blob.
    src.change_picture(9);
    src.publish();
    let third = sync_once(&cache, &options(&server)).unwrap();
    assert!(matches!(third.outcome, Outcome::Activated { .. }));
    assert_eq!(third.blobs_fetched, 1);
    assert_eq!(blob_requests(&server.take_seen()), 1);
    let active = cache.active().unwrap().unwrap();
    cache.verify(&active).unwrap();
    // With the feed gone, the cache alone renders what the screen would show after a reboot.
    drop(server);
    let out = tempfile::tempdir().unwrap();
    let o = crate::util::vitrin(&[
        "render",
        "--cache",
        cache_dir.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--size",
        "640x360",
    ]);
    assert!(o.status.success(), "{}", crate::util::stderr(&o));
    let written = std::fs::read_dir(out.path()).unwrap().count();
    assert_eq!(written, 4, "{}", crate::util::stdout(&o));
    assert!(crate::util::stdout(&o).contains(&active.id));
}

/// After each misbehaviour the previous generation is still active and whole, and a later good
/// sync completes.
#[test]
fn misbehaving_servers_never_break_the_active_generation() {
    let src = Source::new();
    src.publish();
    let server = Server::start(src.feed());
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(cache_dir.path()).unwrap();
    sync_once(&cache, &options(&server)).unwrap();
    let behaviours = [
        Behaviour::Error500,
        Behaviour::Blob404,
        Behaviour::Truncate,
        Behaviour::WrongBytes,
        Behaviour::Drip(Duration::from_secs(3)),
        Behaviour::Reset,
    ];
    for (i, behaviour) in behaviours.into_iter().enumerate() {
        let before = cache.active().unwrap().unwrap();
        src.change_picture(100 + i as u8);
        let published = src.publish();
        server.set(behaviour.clone());
        let started = Instant::now();
        let err =
            sync_once(&cache, &options(&server)).expect_err(&format!("{behaviour:?} must fail"));
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "{behaviour:?} took {:?}",
            started.elapsed()
        );
        let message = err.to_string();
        assert!(
            message.contains("http://127.0.0.1:"),
            "{behaviour:?}: the error names the URL: {message}"
        );
        let still = cache.active().unwrap().unwrap();
        assert_eq!(still.id, before.id, "{behaviour:?}");
        cache.verify(&still).unwrap();
        server.set(Behaviour::Normal);
        let ok = sync_once(&cache, &options(&server)).unwrap();
        assert_eq!(
            ok.generation.as_deref(),
            Some(published.generation.as_str()),
            "{behaviour:?}"
        );
        cache.verify(&cache.active().unwrap().unwrap()).unwrap();
    }
    // The server gone altogether.
    src.change_picture(200);
    src.publish();
    let url = server.url();
    drop(server);
    let mut o = SyncOptions::new(&url);
    o.allow_http = true;
    o.retries = 1;
    o.max_wait = Duration::from_millis(200);
    assert!(matches!(
        sync_once(&cache, &o),
        Err(SyncError::Network { .. })
    ));
    cache.verify(&cache.active().unwrap().unwrap()).unwrap();
}

#[test]
fn a_download_resumes_with_range_and_restarts_when_range_is_ignored() {
    let src = Source::new();
    src.publish();
    let server = Server::start(src.feed());
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(cache_dir.path()).unwrap();
    let manifest = vitrin::generation::Generation::parse(
        &std::fs::read(src.feed().join("manifest.json")).unwrap(),
    )
    .unwrap();
    // Half of every blob was downloaded before a power cut.
    for b in &manifest.blobs {
        let bytes = std::fs::read(vitrin::media::blob_path(
            &src.feed().join("blobs"),
            &b.sha256,
        ))
        .unwrap();
        std::fs::write(cache.partial_path(&b.sha256), &bytes[..bytes.len() / 2]).unwrap();
    }
    let report = sync_once(&cache, &options(&server)).unwrap();
    let seen = server.take_seen();
    let resumed: Vec<_> = seen.iter().filter(|s| s.status == 206).collect();
    assert_eq!(resumed.len(), 3, "{seen:?}");
    assert!(report.bytes < manifest.blobs.iter().map(|b| b.size).sum::<u64>());
    cache.verify(&cache.active().unwrap().unwrap()).unwrap();
    // A server that ignores Range sends everything again: the partial file starts over.
    src.change_picture(33);
    let published = src.publish();
    let manifest = vitrin::generation::Generation::parse(
        &std::fs::read(src.feed().join("manifest.json")).unwrap(),
    )
    .unwrap();
    let new_blob = manifest
        .blobs
        .iter()
        .find(|b| !cache.has_blob(b))
        .unwrap()
        .clone();
    let bytes = std::fs::read(vitrin::media::blob_path(
        &src.feed().join("blobs"),
        &new_blob.sha256,
    ))
    .unwrap();
    std::fs::write(
        cache.partial_path(&new_blob.sha256),
        &bytes[..bytes.len() / 3],
    )
    .unwrap();
    server.set(Behaviour::IgnoreRange);
    let report = sync_once(&cache, &options(&server)).unwrap();
    assert_eq!(
        report.generation.as_deref(),
        Some(published.generation.as_str())
    );
    let seen = server.take_seen();
    assert!(
        seen.iter().any(|s| s.range.is_some() && s.status == 200),
        "{seen:?}"
    );
    cache.verify(&cache.active().unwrap().unwrap()).unwrap();
}

#[test]
fn retry_after_is_honoured() {
    let src = Source::new();
    src.publish();
    let server = Server::start(src.feed());
    server.set(Behaviour::Busy { n: 1, seconds: 2 });
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(cache_dir.path()).unwrap();
    let mut o = options(&server);
    o.parallel = 1;
    let started = Instant::now();
    sync_once(&cache, &o).unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "waited only {:?}",
        started.elapsed()
    );
    assert!(server.take_seen().iter().any(|s| s.status == 503));
}

#[test]
fn signed_feeds_refuse_unsigned_wrongly_signed_and_tampered_manifests() {
    let src = Source::new();
    let keys = tempfile::tempdir().unwrap();
    let (key, public) = new_key(keys.path(), "feed.key");
    let (other, other_public) = new_key(keys.path(), "other.key");
    let server = Server::start(src.feed());
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(cache_dir.path()).unwrap();
    let signed = |k: [u8; 32]| {
        let mut o = options(&server);
        o.public_key = Some(k);
        o
    };
    // Unsigned: refused, nothing becomes active.
    src.publish();
    let err = sync_once(&cache, &signed(public)).unwrap_err();
    assert!(matches!(err, SyncError::Signature { .. }), "{err}");
    assert!(err.to_string().contains("not signed"), "{err}");
    assert!(cache.active().unwrap().is_none());
    // Signed with the right key: accepted.
    src.publish_signed(Some(&key));
    let ok = sync_once(&cache, &signed(public)).unwrap();
    let good = ok.generation.unwrap();
    // Signed, but a screen that trusts another key refuses it.
    let other_cache_dir = tempfile::tempdir().unwrap();
    let other_cache = Cache::open(other_cache_dir.path()).unwrap();
    let err = sync_once(&other_cache, &signed(other_public)).unwrap_err();
    assert!(err.to_string().contains("does not match"), "{err}");
    // A tampered CDN: new content, with the old (valid) signature copied to where the new one
    // would be.
    src.change_picture(77);
    src.publish_signed(Some(&other));
    let manifest = std::fs::read(src.feed().join("manifest.json")).unwrap();
    let path = src.feed().join(vitrin::feed::signature_path(&manifest));
    let old_sig = std::fs::read_dir(src.feed().join("signatures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| *p != path)
        .unwrap();
    std::fs::copy(old_sig, &path).unwrap();
    let err = sync_once(&cache, &signed(public)).unwrap_err();
    assert!(matches!(err, SyncError::Signature { .. }), "{err}");
    assert_eq!(cache.active().unwrap().unwrap().id, good);
}

/// A man in the middle (or a stale CDN) serves last month's manifest with its valid signature:
/// refused, because its sequence is lower than the one playing. Each publish that changes the
/// content counts up; a publish of the same content keeps the manifest as it was.
#[test]
fn an_older_signed_manifest_is_refused() {
    let f = SignedFeed::new();
    let (src, key, cache, o) = (&f.src, &f.key, &f.cache, &f.options);
    src.publish_signed(Some(key));
    let manifest = src.feed().join("manifest.json");
    let old = std::fs::read(&manifest).unwrap();
    sync_once(cache, o).unwrap();
    src.change_picture(12);
    src.publish_signed(Some(key));
    src.publish_signed(Some(key));
    let new = sync_once(cache, o).unwrap().generation.unwrap();
    let parsed = vitrin::generation::Generation::parse(&std::fs::read(&manifest).unwrap()).unwrap();
    assert_eq!(parsed.sequence, 2, "the same content twice counts once");
    assert!(parsed.published.is_some());
    // The old manifest is served again, signature and all.
    std::fs::write(&manifest, &old).unwrap();
    let err = sync_once(cache, o).unwrap_err();
    assert!(
        matches!(
            err,
            SyncError::Rollback {
                offered: 1,
                playing: 2,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("published before the one that plays"),
        "{err}"
    );
    assert_eq!(cache.active().unwrap().unwrap().id, new);
}

/// A new signing key in `dir`: the key file, and the public key a screen trusts.
fn new_key(dir: &Path, name: &str) -> (PathBuf, [u8; 32]) {
    let path = dir.join(name);
    let public = hex::decode(generate_key(&path).unwrap()).unwrap();
    (path, public.try_into().unwrap())
}

/// A feed signed with a key of its own, served, and a screen's cache that trusts that key.
struct SignedFeed {
    src: Source,
    _keys: tempfile::TempDir,
    key: PathBuf,
    _server: Server,
    _cache_dir: tempfile::TempDir,
    cache: Cache,
    options: SyncOptions,
}

impl SignedFeed {
    fn new() -> Self {
        let src = Source::new();
        let keys = tempfile::tempdir().unwrap();
        let (key, public) = new_key(keys.path(), "feed.key");
        let server = Server::start(src.feed());
        let cache_dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(cache_dir.path()).unwrap();
        let mut options = options(&server);
        options.public_key = Some(public);
        Self {
            src,
            _keys: keys,
            key,
            _server: server,
            _cache_dir: cache_dir,
            cache,
            options,
        }
    }
}

/// With a key configured, nothing in a manifest is read before its signature is checked: a
/// manifest that would panic or mislead a parser is refused as unsigned.
#[test]
fn a_manifest_is_not_read_before_its_signature_is_checked() {
    let f = SignedFeed::new();
    let (src, key, cache, o) = (&f.src, &f.key, &f.cache, &f.options);
    src.publish_signed(Some(key));
    let manifest = src.feed().join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    // A blob hash with a character that a careless slice would cut in half.
    let hash_at = text.find("\"sha256\": \"").unwrap() + 11;
    let hostile = format!("{}ääääää{}", &text[..hash_at], &text[hash_at + 12..]);
    std::fs::write(&manifest, hostile).unwrap();
    let err = sync_once(cache, o).unwrap_err();
    assert!(matches!(err, SyncError::Signature { .. }), "{err}");
    assert!(cache.active().unwrap().is_none());
}

/// Two syncs of one cache at once (a timer and a person): the second waits its turn.
#[test]
fn a_cache_is_synced_by_one_sync_at_a_time() {
    let src = Source::new();
    src.publish();
    let server = Server::start(src.feed());
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(cache_dir.path()).unwrap();
    let held = cache.lock().unwrap();
    let err = sync_once(&cache, &options(&server)).unwrap_err();
    assert!(
        err.to_string().contains("being written by another vitrin"),
        "{err}"
    );
    drop(held);
    assert!(sync_once(&cache, &options(&server)).is_ok());
}

/// A feed may hold an empty blob (zero bytes): it syncs like any other.
#[test]
fn an_empty_blob_syncs() {
    let src = Source::new();
    src.publish();
    let feed = src.feed();
    let manifest = feed.join("manifest.json");
    let mut g = vitrin::generation::Generation::parse(&std::fs::read(&manifest).unwrap()).unwrap();
    let empty = vitrin::media::BlobRef {
        sha256: vitrin::media::sha256_hex(b""),
        size: 0,
        media_type: "application/octet-stream".into(),
    };
    let path = vitrin::media::blob_path(&feed.join("blobs"), &empty.sha256);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"").unwrap();
    g.blobs.push(empty.clone());
    let g = vitrin::generation::Generation::new(g.playlists, g.blobs);
    std::fs::write(&manifest, g.to_bytes()).unwrap();
    let server = Server::start(feed);
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(cache_dir.path()).unwrap();
    let report = sync_once(&cache, &options(&server)).unwrap();
    assert_eq!(report.generation.as_deref(), Some(g.id.as_str()));
    assert!(cache.has_blob(&empty));
}

#[test]
fn https_is_required_unless_plain_http_is_allowed_and_other_schemes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path()).unwrap();
    let err = sync_once(&cache, &SyncOptions::new("http://127.0.0.1:9/feed/")).unwrap_err();
    assert!(matches!(err, SyncError::Insecure { .. }), "{err}");
    for other in ["ftp://127.0.0.1/feed/", "file:///var/lib/vitrin/"] {
        let err = sync_once(&cache, &SyncOptions::new(other)).unwrap_err();
        assert!(matches!(err, SyncError::NotWeb { .. }), "{other}: {err}");
    }
}

/// `vitrin sync` killed with SIGKILL at random moments, again and again: every time, the cache
/// opens to a complete, verified generation, and the next sync finishes.
#[test]
fn a_sync_killed_at_any_moment_leaves_a_complete_generation() {
    let src = Source::new();
    src.publish();
    let server = Server::start(src.feed());
    let cache_dir = tempfile::tempdir().unwrap();
    let url = server.url();
    let sync = |extra: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_vitrin"));
        c.args(["sync", "--allow-http", "--feed", &url, "--cache"])
            .arg(cache_dir.path())
            .args(extra)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        c
    };
    assert!(sync(&[]).status().unwrap().success());
    // A big new generation, served slowly, so kills land mid-download.
    for (i, name) in ["a.png", "b.png", "c.png"].iter().enumerate() {
        let path = src.playlists().join("bilder").join(name);
        let mut seed = 17u32 + i as u32;
        RgbImage::from_fn(900, 600, |_, _| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let v = seed.to_le_bytes();
            Rgb([v[1], v[2], v[3]])
        })
        .save(path)
        .unwrap();
    }
    let target = src.publish().generation;
    server.set(Behaviour::Throttle(Duration::from_millis(4)));
    let mut activated_during = 0;
    for round in 0..50u64 {
        let mut child = sync(&[]).spawn().unwrap();
        let wait = Duration::from_millis((round * 37 + 11) % 700);
        std::thread::sleep(wait);
        let _ = child.kill();
        let _ = child.wait();
        let cache = Cache::open(cache_dir.path()).unwrap();
        let active = cache
            .active()
            .unwrap()
            .expect("a generation is active after every kill");
        cache
            .verify(&active)
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        if active.id == target {
            activated_during += 1;
        }
    }
    server.set(Behaviour::Normal);
    assert!(sync(&[]).status().unwrap().success());
    let cache = Cache::open(cache_dir.path()).unwrap();
    let active = cache.active().unwrap().unwrap();
    assert_eq!(active.id, target);
    cache.verify(&active).unwrap();
    assert!(
        activated_during < 50,
        "the kills should land before the end sometimes"
    );
}

/// A real nginx, as a library would run it, serving a published feed.
#[test]
fn nginx_serves_a_feed_a_screen_syncs_from() {
    let src = Source::new();
    src.publish();
    let nginx = crate::util::Nginx::serve(&src.feed());
    let port = nginx.port;
    let url = format!("http://127.0.0.1:{port}/");
    let mut o = SyncOptions::new(&url);
    o.allow_http = true;
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(cache_dir.path()).unwrap();
    let first = sync_once(&cache, &o).unwrap();
    assert_eq!((first.requests, first.blobs_fetched), (4, 3));
    let second = sync_once(&cache, &o).unwrap();
    assert_eq!(second.outcome, Outcome::NotModified);
    assert_eq!((second.requests, second.bytes), (1, 0), "a single 304");
    // nginx's ETag comes from the file's date: republish a change a second later.
    std::thread::sleep(Duration::from_millis(1100));
    src.change_picture(55);
    src.publish();
    let third = sync_once(&cache, &o).unwrap();
    assert_eq!(
        (third.requests, third.blobs_fetched),
        (2, 1),
        "the manifest and the one new blob"
    );
    cache.verify(&cache.active().unwrap().unwrap()).unwrap();
}
