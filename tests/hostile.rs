//! Hostile and careless input never stops vitrin, and never makes it take more than a bounded
//! amount of memory: each case found by trying to break it has a test here, run with the heap held
//! to a limit (`prlimit --data`), so a regression shows as a failure and not as a slow machine.

use std::path::Path;

use crate::util::{fixture, stdout, vitrin_limited};

/// What a `vitrin check` may take on any input, and what `render` may take on top of the renderer.
const CHECK_MIB: u64 = 256;
const RENDER_MIB: u64 = 2048;

fn write(dir: &Path, name: &str, body: &str) {
    std::fs::write(dir.join(name), body).unwrap();
}

/// 100 000 unknown keys on one line of a 1.2 MB file: each problem once showed the whole line
/// (160 GB of output).
#[test]
fn a_megabyte_line_of_unknown_keys_is_reported_briefly() {
    let dir = tempfile::tempdir().unwrap();
    let keys: Vec<String> = (0..100_000).map(|i| format!("k{i} = 1")).collect();
    let line = format!(
        "slide = [{{kind = \"text\", title = \"t\", {}}}]\n",
        keys.join(", ")
    );
    write(dir.path(), "a.toml", &line);
    let o = vitrin_limited(dir.path(), CHECK_MIB, &["check", "a.toml"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{}", crate::util::stderr(&o));
    assert!(out.len() < 100_000, "{} bytes of output", out.len());
    assert!(out.contains("a.toml:1:"), "{}", &out[..out.len().min(2000)]);
    assert!(out.contains("99900 more problems in this file are not shown"));
}

/// 10 000 unknown keys, one a line, and 5 000 syntax errors: linear, not quadratic.
#[test]
fn thousands_of_problems_are_counted_not_all_shown() {
    let dir = tempfile::tempdir().unwrap();
    let keys: String = (0..10_000).map(|i| format!("k{i} = 1\n")).collect();
    write(
        dir.path(),
        "keys.toml",
        &format!("[[slide]]\nkind = \"text\"\ntitle = \"t\"\n{keys}"),
    );
    let syntax: String = (0..5_000).map(|i| format!("a{i} = = 1\n")).collect();
    write(dir.path(), "syntax.toml", &syntax);
    for file in ["keys.toml", "syntax.toml"] {
        let o = vitrin_limited(dir.path(), CHECK_MIB, &["check", file]);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(1), "{file}");
        assert!(
            out.contains("more problems in this file are not shown"),
            "{file}"
        );
        assert!(out.matches(": error: ").count() <= 101, "{file}");
    }
}

/// Pictures that asked for gigabytes: a 8000x1 strip filling the screen (28 GB), a GIF frame
/// larger than its logical screen (484 MB), a colour profile inflating to 256 MB. `check` takes
/// them with little memory, and `render` shows the strip and leaves out what it cannot show.
#[test]
fn pictures_that_asked_for_gigabytes_render_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "strip-8000x1.png",
        "gif-frame-larger-than-its-screen.gif",
        "png-colour-profile-bomb.png",
    ] {
        std::fs::copy(fixture("hostile").join(name), dir.path().join(name)).unwrap();
    }
    write(
        dir.path(),
        "bilder.toml",
        "name = \"Bilder\"\n\
         [[slide]]\nkind = \"image\"\nimage = \"strip-8000x1.png\"\nfit = \"fill\"\n\
         [[slide]]\nkind = \"image\"\nimage = \"gif-frame-larger-than-its-screen.gif\"\n\
         [[slide]]\nkind = \"image\"\nimage = \"png-colour-profile-bomb.png\"\n",
    );
    let o = vitrin_limited(dir.path(), CHECK_MIB, &["check", "bilder.toml"]);
    assert!(o.status.code().is_some(), "check was killed: {o:?}");
    let o = vitrin_limited(
        dir.path(),
        RENDER_MIB,
        &["render", "--playlist", "bilder.toml", "--out", "ut"],
    );
    let out = stdout(&o);
    assert!(o.status.success(), "{out}\n{}", crate::util::stderr(&o));
    assert!(dir.path().join("ut/01-bilder-1.png").is_file(), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("warning: left out") && l.contains("gif-frame")),
        "{out}"
    );
}

/// Arguments that panicked: a plan for 4 294 967 295 hours, `render --playlist` given a book
/// list, a screen config or a folder. Each is a clear error now.
#[test]
fn odd_arguments_are_clear_errors() {
    let root = crate::util::root();
    let o = vitrin_limited(&root, CHECK_MIB, &["plan", "--hours", "4294967295"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(crate::util::stderr(&o).contains("--hours"));
    let empty = tempfile::tempdir().unwrap();
    let cases = [
        ("playlists/listor/nyforvarv.toml", "is a book list"),
        ("kiosk/screen.toml", "is a screen config"),
        (empty.path().to_str().unwrap(), "is a folder"),
    ];
    for (file, says) in cases {
        let o = vitrin_limited(&root, CHECK_MIB, &["render", "--playlist", file]);
        let err = crate::util::stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{file}: {err}");
        assert!(
            err.contains(says) && !err.contains("panicked"),
            "{file}: {err}"
        );
    }
}

/// Files that are not what they seem: a playlist that is a device, a pipe or a file of gigabytes;
/// a picture, catalog feed or calendar that is a folder, a pipe, `/dev/zero` or a file of
/// gigabytes (sparse here, as a copied video would be whole). A pipe once waited for a writer
/// forever and `/dev/zero` was read until memory ran out; each is a clear error now, from what the
/// file system says, with nothing read.
#[test]
fn devices_pipes_folders_and_huge_files_are_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pipe = std::process::Command::new("mkfifo")
        .arg(d.join("pipe.jpg"))
        .status()
        .unwrap();
    assert!(pipe.success());
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.jpg")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.ics")).unwrap();
    std::fs::create_dir(d.join("folder.jpg")).unwrap();
    for name in ["huge.jpg", "huge.toml", "huge.xml", "huge.ics"] {
        std::fs::File::create(d.join(name))
            .unwrap()
            .set_len(2 << 30)
            .unwrap();
    }
    write(
        d,
        "a.toml",
        "name = \"A\"\n\
         [[slide]]\nkind = \"image\"\nimage = \"pipe.jpg\"\n\
         [[slide]]\nkind = \"image\"\nimage = \"zero.jpg\"\n\
         [[slide]]\nkind = \"image\"\nimage = \"folder.jpg\"\n\
         [[slide]]\nkind = \"image\"\nimage = \"huge.jpg\"\n\
         [[slide]]\nkind = \"events\"\ntitle = \"På gång\"\nsource = \"zero.ics\"\n",
    );
    // Catalog feeds and calendars are read once the playlist is otherwise right.
    write(
        d,
        "b.toml",
        "name = \"B\"\n\
         [[slide]]\nkind = \"covers\"\ntitle = \"Nytt\"\nsource = \"huge.xml\"\n\
         [[slide]]\nkind = \"events\"\ntitle = \"På gång\"\nsource = \"huge.ics\"\n",
    );
    let o = vitrin_limited(d, CHECK_MIB, &["check", "a.toml", "b.toml"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    for (line, says) in [
        (
            "a.toml:4:",
            "\"pipe.jpg\" is not a plain file (a device or a pipe)",
        ),
        (
            "a.toml:7:",
            "\"zero.jpg\" is not a plain file (a device or a pipe)",
        ),
        ("a.toml:10:", "\"folder.jpg\" is a folder, not a file"),
        ("a.toml:13:", "over the limit of 64 MB for a picture"),
        ("a.toml:17:", "\"zero.ics\" is not a plain file"),
        (
            "b.toml:5:",
            "\"huge.xml\" cannot be read: it is 2147483648 bytes, over the limit of 32 MB",
        ),
        (
            "b.toml:9:",
            "\"huge.ics\" cannot be read: it is 2147483648 bytes, over the limit of 8 MB",
        ),
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(line) && l.contains(says)),
            "{line} {says}:\n{out}"
        );
    }
    // Named on the command line, as a playlist.
    let o = vitrin_limited(
        d,
        CHECK_MIB,
        &["check", "/dev/zero", "pipe.jpg", "huge.toml"],
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert_eq!(out.matches("is not a plain file").count(), 2, "{out}");
    assert!(
        out.contains(
            "huge.toml: error: cannot read the file: it is 2147483648 bytes, over the limit of 4 MB"
        ),
        "{out}"
    );
}

/// A catalog feed read from the web that says `xml:base="file:///…"`: its covers stay web
/// addresses, never files of this machine (which `publish` would have put in the feed), and a
/// cover path to a device such as `/dev/zero` is never read.
#[test]
fn a_web_feed_cannot_point_at_local_files() {
    let atom = br#"<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="file:///etc/">
  <entry xml:base="file:///dev/">
    <title>Hemlig</title>
    <link rel="http://opds-spec.org/image" href="zero"/>
    <link rel="alternate" href="passwd"/>
  </entry>
</feed>"#;
    let base = url::Url::parse("https://bibliotek.example.se/nytt.atom").unwrap();
    let (_, items) = vitrin::catalog::parse::parse(atom, Some(&base)).unwrap();
    assert_eq!(items.len(), 1);
    for found in [&items[0].cover, &items[0].link].into_iter().flatten() {
        assert!(
            found.starts_with("https://bibliotek.example.se/"),
            "{found}"
        );
    }
    // Read from a file, the same document may name files beside it, but not devices.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("nytt.atom"), atom).unwrap();
    let mut resolver = vitrin::catalog::Resolver::default();
    let books = resolver
        .items(
            &vitrin::media::Media::File(dir.path().join("nytt.atom")),
            10,
        )
        .unwrap();
    assert_eq!(books.len(), 1);
    assert_eq!(books[0].cover, None, "{:?}", books[0].cover);
}

/// Every input the fuzzers kept (their corpora) and every input that once broke vitrin (their
/// regressions), replayed on stable through the same entry points (`src/fuzzing.rs`): none may
/// panic. `fuzz/README.md` says how to fuzz further.
#[test]
fn every_saved_fuzz_input_is_handled() {
    let targets: [(&str, fn(&[u8])); 5] = [
        ("check_toml", vitrin::fuzzing::check_toml),
        ("manifest", vitrin::fuzzing::manifest),
        ("catalog", vitrin::fuzzing::catalog),
        ("picture", vitrin::fuzzing::picture),
        ("calendar", vitrin::fuzzing::calendar),
    ];
    let fuzz = crate::util::root().join("fuzz");
    for (target, run) in targets {
        let mut count = 0;
        for kind in ["corpus", "regressions"] {
            let dir = fuzz.join(kind).join(target);
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_file() && path.file_name().is_some_and(|n| n != ".gitkeep") {
                    let bytes = std::fs::read(&path).unwrap();
                    let result = std::panic::catch_unwind(|| run(&bytes));
                    assert!(result.is_ok(), "{target} panicked on {}", path.display());
                    count += 1;
                }
            }
        }
        assert!(count > 0, "no saved inputs for {target}");
    }
}

/// Catalog documents that once took the stack or gigabytes (100 000 levels of nesting; a
/// namespace declaration copied into each of 145 000 elements), named by a playlist as a local
/// feed: `check` reads them in bounded memory and says what is wrong.
#[test]
fn hostile_catalog_documents_are_read_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("<rss>{}</rss>", "<a>".repeat(100_000));
    std::fs::write(dir.path().join("djup.xml"), deep).unwrap();
    let ns = format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:x=\"urn:{}\">{}</feed>",
        "n".repeat(10_000),
        "<entry><title>t</title></entry>".repeat(20_000)
    );
    std::fs::write(dir.path().join("namn.xml"), ns).unwrap();
    for (file, says) in [("djup.xml", "levels deep"), ("namn.xml", "")] {
        write(
            dir.path(),
            "nytt.toml",
            &format!("[[slide]]\nkind = \"covers\"\nsource = \"{file}\"\n"),
        );
        let o = vitrin_limited(dir.path(), CHECK_MIB, &["check", "nytt.toml"]);
        let out = stdout(&o);
        assert!(o.status.code().is_some(), "{file}: killed: {o:?}");
        assert!(out.contains(says), "{file}: {out}");
    }
}

/// Calendars that would take the stack, a core or gigabytes (100 000 nested blocks; 5 000 daily
/// series from 1900 with long texts; a cut-off file), named by an events slide: `check` reads them
/// in bounded memory and time and says what is wrong, with the line where it can.
#[test]
fn hostile_calendars_are_read_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("djup.ics"),
        "BEGIN:VCALENDAR\n".repeat(100_000),
    )
    .unwrap();
    let series = format!(
        "BEGIN:VEVENT\nSUMMARY:{}\nDESCRIPTION:{}\nDTSTART;TZID=Europe/Stockholm:19000101T100000\nRRULE:FREQ=DAILY\nEND:VEVENT\n",
        "Sagostund ".repeat(50),
        "text ".repeat(200)
    )
    .repeat(5_000);
    std::fs::write(
        dir.path().join("serier.ics"),
        format!("BEGIN:VCALENDAR\n{series}END:VCALENDAR\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("avkapad.ics"),
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\n",
    )
    .unwrap();
    for (file, says) in [
        ("djup.ics", "line 9: blocks nested more than 8 deep"),
        ("serier.ics", "ok:"),
        ("avkapad.ics", "cut off"),
    ] {
        write(
            dir.path(),
            "evenemang.toml",
            &format!("[[slide]]\nkind = \"events\"\nsource = \"{file}\"\n"),
        );
        let started = std::time::Instant::now();
        let o = vitrin_limited(dir.path(), CHECK_MIB, &["check", "evenemang.toml"]);
        let out = stdout(&o);
        assert!(o.status.code().is_some(), "{file}: killed: {o:?}");
        assert!(out.contains(says), "{file}: {out}");
        assert!(
            started.elapsed().as_secs() < 120,
            "{file}: {:?}",
            started.elapsed()
        );
    }
}

/// A feed whose manifest asks for more than any screen shows: refused by `vitrin sync` with what
/// was wrong, in bounded memory, and nothing becomes active.
#[test]
fn an_oversized_manifest_is_refused_in_bounded_memory() {
    let feed = tempfile::tempdir().unwrap();
    let slide = "{\"kind\": \"text\", \"title\": \"t\", \"text\": null, \"image\": null, \
                 \"duration\": 10000, \"transition\": \"fade\", \"theme\": \"dark\", \"when\": null}";
    let slides = vec![slide; 5_000].join(",");
    let manifest = format!(
        "{{\"format\": 1, \"generation\": \"g0\", \"playlists\": [{{\"name\": \"p\", \"source\": \"p.toml\", \
         \"screens\": [], \"priority\": 0, \"fallback\": false, \"modes\": [\"staffed\"], \"when\": null, \
         \"slides\": [{slides}]}}], \"blobs\": []}}"
    );
    std::fs::write(feed.path().join("manifest.json"), manifest).unwrap();
    let server = crate::server::Server::start(feed.path().to_path_buf());
    let cache = tempfile::tempdir().unwrap();
    let o = vitrin_limited(
        cache.path(),
        CHECK_MIB,
        &[
            "sync",
            "--allow-http",
            "--feed",
            &server.url(),
            "--cache",
            ".",
        ],
    );
    let err = crate::util::stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("5000 slides, over 500"), "{err}");
    assert!(!cache.path().join("state.json").exists());
}
