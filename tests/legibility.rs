//! The legibility check: each rule with a fixture and its exact `file:line:col`, and `publish`
//! printing the same warnings.

use std::path::PathBuf;

use vitrin::legibility::check_all;

use crate::util::{fixture, lines_after, stdout, vitrin, vitrin_in};

#[test]
fn every_legibility_rule_warns_at_its_text() {
    let dir = fixture("legibility");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| !lines_after(p, "# expect: ").is_empty())
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    let mut failures = Vec::new();
    for file in &files {
        let mut paths = vec![file.clone()];
        paths.extend(
            lines_after(file, "# screen: ")
                .into_iter()
                .map(|s| dir.join(s)),
        );
        let expected: Vec<String> = lines_after(file, "# expect: ")
            .into_iter()
            .map(|e| format!("{}:{e}", file.display()))
            .collect();
        let (report, playlists) = check_all(&paths);
        let got: Vec<String> = report
            .headlines()
            .into_iter()
            .filter(|h| h.starts_with(&file.display().to_string()))
            .collect();
        if got != expected {
            failures.push(format!(
                "{}\n  expected: {expected:#?}\n  got:      {got:#?}",
                file.display()
            ));
        }
        assert_eq!(
            playlists.len(),
            1,
            "{}: warnings never stop a playlist",
            file.display()
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_bundled_playlists_and_the_stress_set_check_clean() {
    for paths in [
        vec![crate::util::root().join("playlists")],
        vec![fixture("typography/stress.toml")],
    ] {
        let (report, _) = check_all(&paths);
        assert_eq!(report.warnings(), 0, "{}", report.render());
        assert_eq!(report.errors(), 0, "{}", report.render());
    }
}

#[test]
fn vitrin_check_and_publish_print_the_legibility_warnings() {
    let file = fixture("legibility/for-kort.toml");
    let expected = lines_after(&file, "# expect: ")[0].clone();
    let o = vitrin(&["check", file.to_str().unwrap()]);
    assert!(o.status.success(), "warnings do not fail the check");
    assert!(
        stdout(&o).contains(&format!("for-kort.toml:{expected}")),
        "{}",
        stdout(&o)
    );
    // publish: the same warning, with the feed published anyway.
    let dir = tempfile::tempdir().unwrap();
    let playlists = dir.path().join("playlists");
    std::fs::create_dir(&playlists).unwrap();
    std::fs::copy(&file, playlists.join("for-kort.toml")).unwrap();
    let o = vitrin_in(
        dir.path(),
        &["publish", "--playlists", "playlists", "--out", "feed"],
    );
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(&format!("for-kort.toml:{expected}")),
        "{}",
        stdout(&o)
    );
    assert!(dir.path().join("feed/manifest.json").is_file());
}
