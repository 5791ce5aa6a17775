//! `vitrin check`: every bad input gives its exact message, at its line and column.

use std::path::{Path, PathBuf};

use vitrin::check::check_paths;

use crate::util::{
    book_lists_named, count, fixture, lines_after, playlist_files_in, region_files_in, root,
    stdout, vitrin, vitrin_in,
};

/// The `# expect: ` lines at the end of a fixture: the headlines it must give, without the path.
fn expectations(path: &Path) -> Vec<String> {
    lines_after(path, "# expect: ")
}

#[test]
fn every_bad_fixture_gives_exactly_its_messages() {
    let dir = fixture("check");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 25, "only {} bad inputs", files.len());
    let mut failures = Vec::new();
    for file in &files {
        let expected: Vec<String> = expectations(file)
            .into_iter()
            .map(|e| {
                if e.starts_with(|c: char| c.is_ascii_digit()) {
                    format!("{}:{e}", file.display())
                } else {
                    format!("{}: {e}", file.display())
                }
            })
            .collect();
        assert!(
            !expected.is_empty(),
            "{} has no # expect: line",
            file.display()
        );
        let (report, playlists) = check_paths(std::slice::from_ref(file));
        let got = report.headlines();
        if got != expected {
            failures.push(format!(
                "{}\n  expected: {expected:#?}\n  got:      {got:#?}",
                file.display()
            ));
        }
        let has_error = expected.iter().any(|e| e.contains(": error: "));
        assert_eq!(
            playlists.is_empty(),
            has_error,
            "{}: a file with errors must not play, one with only warnings must",
            file.display()
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn two_playlists_may_not_share_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let body = "name = \"Nyheter\"\n[[slide]]\nkind = \"text\"\ntitle = \"Hej\"\n";
    std::fs::write(dir.path().join("a.toml"), body).unwrap();
    std::fs::write(dir.path().join("b.toml"), body).unwrap();
    let (report, playlists) = check_paths(&[dir.path().to_path_buf()]);
    let a = dir.path().join("a.toml");
    let b = dir.path().join("b.toml");
    assert_eq!(
        report.headlines(),
        [format!(
            "{}:1:8: error: playlist name \"Nyheter\" is already used by {}:1:8",
            b.display(),
            a.display()
        )]
    );
    assert_eq!(playlists.len(), 1);
}

#[test]
fn the_cli_shows_the_line_a_caret_and_a_hint_and_fails() {
    let o = vitrin(&["check", "tests/fixtures/check/unknown_key_slide.toml"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "tests/fixtures/check/unknown_key_slide.toml:4:1: error: unknown key \"durration\" in slide of kind \"text\"\n  |\n4 | durration = \"8s\"\n  | ^^^^^^^^^\n  = hint: did you mean \"duration\"?\n\n1 error and 0 warnings in 1 file\n"
    );
}

#[test]
fn warnings_do_not_fail_the_check() {
    let o = vitrin(&["check", "tests/fixtures/check/qr_too_dense.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("hint: use a short link"));
}

#[test]
fn the_bundled_content_passes() {
    let o = vitrin(&["check", "playlists", "kiosk/screen.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // Every file in playlists/ is a playlist ready to play. The screen config is checked, and so
    // are the book lists that covers slides name.
    let playlists = playlist_files_in(&root().join("playlists")).len();
    let region = region_files_in(&root().join("playlists")).len();
    let lists = book_lists_named(&root().join("playlists")).len();
    assert!(playlists > 0, "no playlists in playlists/");
    assert_eq!(
        stdout(&o),
        format!(
            "ok: {} checked, {} ready to play, 0 warnings\n",
            count(playlists + region + 1 + lists, "file"),
            count(playlists, "playlist")
        )
    );
}

#[test]
fn check_defaults_to_the_playlists_folder() {
    let o = vitrin_in(&root(), &["check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

/// What a new user does first: edits a bundled playlist with a typo, gets a precise error,
/// fixes it, and it passes again.
#[test]
fn a_typo_in_a_bundled_playlist_is_found_and_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let playlists = dir.path().join("playlists");
    copy_dir(&root().join("playlists"), &playlists);
    copy_dir(&root().join("assets"), &dir.path().join("assets"));
    let typo = DurationTypo::in_first_playlist_with_a_duration(&playlists);
    std::fs::write(&typo.file, &typo.with_typo).unwrap();
    let o = vitrin_in(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.starts_with(&format!(
            "playlists/{}:{}:{}: error: duration \"{}\" has no unit\n",
            typo.file.file_name().unwrap().to_string_lossy(),
            typo.line,
            typo.column,
            typo.number
        )),
        "{out}"
    );
    assert!(out.contains("= hint: add a unit"), "{out}");
    std::fs::write(&typo.file, &typo.good).unwrap();
    assert_eq!(vitrin_in(dir.path(), &["check"]).status.code(), Some(0));
}

/// A slide's `duration = "15s"` with its unit left off, as staff might type it.
struct DurationTypo {
    file: PathBuf,
    good: String,
    with_typo: String,
    /// Where the value starts, from 1.
    line: usize,
    column: usize,
    /// The value without its unit: `15`.
    number: String,
}

impl DurationTypo {
    /// In the first playlist of a folder with a duration written as a number and a unit.
    fn in_first_playlist_with_a_duration(dir: &std::path::Path) -> Self {
        for file in playlist_files_in(dir) {
            let good = std::fs::read_to_string(&file).unwrap();
            for (i, line) in good.lines().enumerate() {
                let Some(value) = line
                    .trim_start()
                    .strip_prefix("duration = \"")
                    .and_then(|v| v.strip_suffix('"'))
                else {
                    continue;
                };
                let number = value.trim_end_matches(|c: char| c.is_ascii_alphabetic());
                if number.is_empty()
                    || number.len() == value.len()
                    || !number.chars().all(|c| c.is_ascii_digit())
                {
                    continue;
                }
                let quote = line.find('"').unwrap();
                let with_typo: String = good
                    .lines()
                    .enumerate()
                    .map(|(j, l)| {
                        if j == i {
                            format!("{}\"{number}\"\n", &l[..quote])
                        } else {
                            format!("{l}\n")
                        }
                    })
                    .collect();
                return DurationTypo {
                    file,
                    column: line[..quote].chars().count() + 1,
                    line: i + 1,
                    number: number.to_string(),
                    good,
                    with_typo,
                };
            }
        }
        panic!(
            "no playlist in {} has a duration like \"15s\" to break",
            dir.display()
        );
    }
}

pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// IT staff's installer, into a staging folder: the program, the config pointed at the installed
/// playlists, the content, the service (which systemd accepts) and the lock-down; a second run
/// changes nothing, a screen's own playlists survive an update, and it uninstalls.
#[test]
fn the_kiosk_installer_lays_out_a_screen() {
    let staging = tempfile::tempdir().unwrap();
    let r = staging.path();
    let install = |args: &[&str]| {
        let o = std::process::Command::new(root().join("kiosk/install.sh"))
            .arg("--binary")
            .arg(env!("CARGO_BIN_EXE_vitrin"))
            .arg("--root")
            .arg(r)
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let first = install(&[]);
    assert!(first.contains("changed: /usr/local/bin/vitrin"), "{first}");
    assert!(r.join("usr/local/bin/vitrin").is_file());
    let unit = std::fs::read_to_string(r.join("etc/systemd/system/vitrin.service")).unwrap();
    // cage without -s: no switching to another virtual terminal from a visitor's keyboard.
    assert!(unit.contains(
        "ExecStart=/usr/bin/cage -- /usr/local/bin/vitrin play --screen /etc/vitrin/screen.toml"
    ));
    for line in [
        "Type=notify",
        "WatchdogSec=60",
        "NotifyAccess=all",
        "ProtectSystem=strict",
    ] {
        assert!(unit.contains(&format!("\n{line}\n")), "{line} missing");
    }
    let sysctl = std::fs::read_to_string(r.join("etc/sysctl.d/90-vitrin-kiosk.conf")).unwrap();
    assert!(sysctl.contains("\nkernel.sysrq = 0\n"), "{sysctl}");
    let logind =
        std::fs::read_to_string(r.join("etc/systemd/logind.conf.d/90-vitrin-kiosk.conf")).unwrap();
    for key in [
        "HandleSuspendKey=ignore",
        "HandlePowerKey=ignore",
        "HandleRebootKey=ignore",
    ] {
        assert!(logind.contains(key), "{logind}");
    }
    let config = std::fs::read_to_string(r.join("etc/vitrin/screen.toml")).unwrap();
    assert!(
        config.contains("playlists = \"/var/lib/vitrin/playlists\""),
        "{config}"
    );
    assert!(
        config.contains("\ncache_dir = \"/var/cache/vitrin\""),
        "{config}"
    );
    // The installed content checks out as it will be on the screen.
    let installed = r.join("var/lib/vitrin/playlists");
    let o = vitrin_in(&installed, &["check", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // systemd accepts the unit: nothing to say but, on a machine without cage, that cage is not
    // there.
    if let Ok(o) = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .arg(r.join("etc/systemd/system/vitrin.service"))
        .output()
    {
        let said = String::from_utf8_lossy(&o.stderr).to_string();
        let complaints: Vec<&str> = said
            .lines()
            .filter(|l| !l.contains("Command /usr/bin/cage is not executable"))
            .collect();
        assert!(complaints.is_empty(), "{said}");
        assert!(
            o.status.success() || said.contains("/usr/bin/cage"),
            "{said}"
        );
    }

    // A screen's own playlist edit, and a second run: nothing changes, nothing is lost.
    let edited = installed.join("valkommen.toml");
    let mine = std::fs::read_to_string(&edited).unwrap() + "\n# ändrad på skärmen\n";
    std::fs::write(&edited, &mine).unwrap();
    let binary_time = std::fs::metadata(r.join("usr/local/bin/vitrin"))
        .unwrap()
        .modified()
        .unwrap();
    let second = install(&[]);
    assert!(second.contains("nothing changed"), "{second}");
    assert_eq!(std::fs::read_to_string(&edited).unwrap(), mine);
    assert_eq!(
        std::fs::metadata(r.join("usr/local/bin/vitrin"))
            .unwrap()
            .modified()
            .unwrap(),
        binary_time
    );
    // A broken config on the screen stops an update before it touches anything.
    let config_path = r.join("etc/vitrin/screen.toml");
    std::fs::write(&config_path, "touch = 3\n").unwrap();
    let o = std::process::Command::new(root().join("kiosk/install.sh"))
        .arg("--binary")
        .arg(env!("CARGO_BIN_EXE_vitrin"))
        .arg("--root")
        .arg(r)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing was changed"));
    std::fs::write(&config_path, &config).unwrap();
    // Uninstalled: the program and the service go, the screen's config and playlists stay.
    install(&["--uninstall"]);
    assert!(!r.join("usr/local/bin/vitrin").exists());
    assert!(!r.join("etc/systemd/system/vitrin.service").exists());
    assert!(!r.join("usr/share/vitrin").exists());
    assert_eq!(std::fs::read_to_string(&edited).unwrap(), mine);
    install(&["--purge"]);
    assert!(!r.join("etc/vitrin").exists() && !r.join("var/lib/vitrin").exists());
}
