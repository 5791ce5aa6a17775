//! The layers of `src/`, as the README's design section draws them, hold in the code: a module
//! imports only from layers below its own, so there are no import cycles, and only the bevy layer
//! names bevy. The layers are read from the README itself, so the picture and the rule are one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The module the player's engine may be named in.
const BEVY_LAYER: &str = "player";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Each top-level module's layer, 0 at the bottom, from the README's layer picture: the fenced
/// block after the `<!-- layers -->` marker, one layer a line, top first, module names before the
/// first run of two spaces.
fn layers(readme: &str) -> BTreeMap<String, usize> {
    let block = readme
        .split("<!-- layers -->")
        .nth(1)
        .expect("README.md has a <!-- layers --> marker before the layer picture");
    let lines: Vec<&str> = block
        .lines()
        .skip_while(|l| !l.starts_with("```"))
        .skip(1)
        .take_while(|l| !l.starts_with("```"))
        .collect();
    let mut layers = BTreeMap::new();
    for (i, line) in lines.iter().enumerate() {
        let names = line.split("  ").next().unwrap_or_default();
        for name in names.split_whitespace() {
            let layer = lines.len() - 1 - i;
            assert!(
                layers.insert(name.to_string(), layer).is_none(),
                "README.md names module {name} in two layers"
            );
        }
    }
    layers
}

/// One `crate::` reference in non-test code.
struct Import {
    file: PathBuf,
    line: usize,
    from: String,
    to: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`feed/sync.rs` → `feed`); `None` for the
/// crate root and the binary.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.trim_end_matches(".rs").to_string();
    (name != "lib" && name != "main").then_some(name)
}

/// The code of a file that is not a test: up to its `#[cfg(test)]`, without comments.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| l.trim() != "#[cfg(test)]")
        .map(|(i, l)| {
            // A comment starts at `//` not preceded by ':' (which would be an address).
            let cut = l
                .match_indices("//")
                .find(|(at, _)| *at == 0 || l.as_bytes()[at - 1] != b':')
                .map_or(l.len(), |(at, _)| at);
            (i + 1, &l[..cut])
        })
}

/// The modules named after `crate::` on a line, in `crate::a::…` and `crate::{a, b::c}` forms.
fn named_modules(line: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.trim()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut names = Vec::new();
    for (at, _) in line.match_indices("crate::") {
        let rest = &line[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = group.split('}').next().unwrap_or_default();
            names.extend(group.split(',').map(ident));
        } else {
            names.push(ident(rest));
        }
    }
    names.retain(|n| !n.is_empty() && n != "self");
    names
}

fn imports() -> (Vec<Import>, Vec<(PathBuf, usize, String)>) {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut imports = Vec::new();
    let mut bevy = Vec::new();
    for file in files {
        let Some(from) = module_of(&src, &file) else {
            continue;
        };
        // A module's tests live in `tests.rs` beside it; tests may reach anywhere.
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let rel = file.strip_prefix(root()).unwrap().to_path_buf();
        for (line, code) in code_lines(&text) {
            for to in named_modules(code) {
                if to != from {
                    imports.push(Import {
                        file: rel.clone(),
                        line,
                        from: from.clone(),
                        to,
                    });
                }
            }
            if from != BEVY_LAYER && (code.contains("bevy::") || code.contains("use bevy")) {
                bevy.push((rel.clone(), line, from.clone()));
            }
        }
    }
    (imports, bevy)
}

#[test]
fn every_module_imports_only_from_layers_below_it() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let layers = layers(&readme);
    let (imports, _) = imports();
    let mut problems = Vec::new();
    for i in &imports {
        let Some(&from) = layers.get(&i.from) else {
            problems.push(format!(
                "{}:{}: module `{}` is in no layer: add it to the layer picture in README.md",
                i.file.display(),
                i.line,
                i.from
            ));
            continue;
        };
        let Some(&to) = layers.get(&i.to) else {
            continue; // a crate-root item, not a module
        };
        if to >= from {
            let how = if to == from {
                "its own layer"
            } else {
                "a layer above it"
            };
            problems.push(format!(
                "{}:{}: `{}` (layer {from}) imports `{}` (layer {to}), {how}",
                i.file.display(),
                i.line,
                i.from,
                i.to
            ));
        }
    }
    problems.dedup();
    assert!(
        problems.is_empty(),
        "imports against the layers of README.md's design section:\n{}",
        problems.join("\n")
    );
}

#[test]
fn only_the_player_names_bevy() {
    let (_, bevy) = imports();
    let found: Vec<String> = bevy
        .iter()
        .map(|(file, line, module)| {
            format!(
                "{}:{line}: `{module}` names bevy; only `{BEVY_LAYER}` may",
                file.display()
            )
        })
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_layer_picture_names_every_module_of_src() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let layers = layers(&readme);
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut missing: Vec<String> = files
        .iter()
        .filter_map(|f| module_of(&src, f))
        .filter(|m| !layers.contains_key(m))
        .collect();
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "modules of src/ missing from README.md's layers: {missing:?}"
    );
    let stale: Vec<&String> = layers
        .keys()
        .filter(|m| {
            !files
                .iter()
                .any(|f| module_of(&src, f).as_ref() == Some(*m))
        })
        .collect();
    assert!(
        stale.is_empty(),
        "README.md's layers name modules src/ does not have: {stale:?}"
    );
}

#[test]
fn the_reader_of_imports_sees_what_rust_sees() {
    assert_eq!(named_modules("use crate::media::{Fit, Media};"), ["media"]);
    assert_eq!(
        named_modules("use crate::{cache::Cache, feed::sync};"),
        ["cache", "feed"]
    );
    assert_eq!(named_modules("let x = crate::qr::version_for(u);"), ["qr"]);
    let code =
        "let u = \"https://x.se\"; // crate::player is a comment\n#[cfg(test)]\nuse crate::a;";
    let lines: Vec<_> = code_lines(code).collect();
    assert_eq!(lines.len(), 1);
    assert!(!lines[0].1.contains("player"));
    let readme = "<!-- layers -->\n```text\nplayer          bevy\nshow schedule   core\nmedia           bottom\n```\n";
    let l = layers(readme);
    assert_eq!(
        (l["player"], l["show"], l["schedule"], l["media"]),
        (2, 1, 1, 0)
    );
}
