//! Text that is never cut, proven from rendered frames: the bundled playlists and a stress set of
//! hard Swedish texts, rendered by `vitrin render --text-report` in landscape, portrait and 4K.
//! For every line bevy laid out: all the glyphs the typesetter shaped are there, on one line, and
//! their ink is inside the text's box and the screen; the lines of each text give back its words
//! whole (a word broken at a hyphenation point ends its line with a hyphen); and no word is left
//! out. The frames are also read back with OCR.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::util::{fixture, playlist_files_in, root, stdout};

const SIZES: [(u32, u32); 3] = [(1920, 1080), (1080, 1920), (3840, 2160)];

struct Rendered {
    _dir: tempfile::TempDir,
    out: PathBuf,
    size: (u32, u32),
}

/// Every slide of the bundled playlists and of the stress set, at `size`.
fn render(size: (u32, u32)) -> Rendered {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pages");
    let mut args: Vec<String> = vec!["render".into()];
    let mut files = playlist_files_in(&root().join("playlists"));
    files.push(fixture("typography/stress.toml"));
    for f in files {
        args.push("--playlist".into());
        args.push(f.to_string_lossy().into_owned());
    }
    for a in ["--out", out.to_str().unwrap(), "--text-report", "--size"] {
        args.push(a.into());
    }
    args.push(format!("{}x{}", size.0, size.1));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = crate::util::vitrin(&args);
    assert!(
        o.status.success(),
        "{}\n{}",
        stdout(&o),
        crate::util::stderr(&o)
    );
    Rendered {
        _dir: dir,
        out,
        size,
    }
}

fn rendered(i: usize) -> &'static Rendered {
    static R: [OnceLock<Rendered>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    R[i].get_or_init(|| render(SIZES[i]))
}

fn rect(v: &Value) -> [f64; 4] {
    ["x", "y", "w", "h"].map(|k| v[k].as_f64().unwrap())
}

/// Each page's report: its lines as bevy laid them out.
fn reports(r: &Rendered) -> Vec<(PathBuf, Vec<Value>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(&r.out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".text.json"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "{} pages", files.len());
    files
        .into_iter()
        .map(|f| {
            let v: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
            (f, v.as_array().unwrap().clone())
        })
        .collect()
}

/// A line that ends inside a word, at a hyphen: one the word has ("Karl-|Gustaf") or one the
/// typesetter added at a hyphenation point ("Främlings-|fientlighetens").
const BROKEN: char = '\u{ad}';

/// The words of a text's lines, a word broken at a line's end joined again with [`BROKEN`].
fn words_of(lines: &[&Value]) -> Vec<String> {
    let mut joined = String::new();
    for l in lines {
        let text = l["text"].as_str().unwrap();
        match text.strip_suffix('-') {
            Some(start) if start.ends_with(char::is_alphabetic) => {
                joined.push_str(start);
                joined.push(BROKEN);
            }
            _ => {
                joined.push_str(text);
                joined.push(' ');
            }
        }
    }
    joined.split_whitespace().map(str::to_string).collect()
}

/// Whether the words shown are the text's words, whole.
fn same_words(shown: &[String], source: &[String]) -> bool {
    shown.len() == source.len()
        && shown
            .iter()
            .zip(source)
            .all(|(s, w)| s == w || s.replace(BROKEN, "") == *w || s.replace(BROKEN, "-") == *w)
}

/// What is wrong with one page's lines; empty when every word is whole and inside its box.
fn problems(page: &Path, lines: &[Value], (w, h): (u32, u32)) -> Vec<String> {
    let name = page.file_name().unwrap().to_string_lossy();
    let mut out = Vec::new();
    let mut texts: BTreeMap<(String, String), Vec<&Value>> = BTreeMap::new();
    for l in lines {
        let text = l["text"].as_str().unwrap();
        let [bx, by, bw, bh] = rect(&l["bounds"]);
        let line_h = rect(&l["line"])[3];
        // Accents (Å) and descenders reach a little past a line's box.
        let tol = line_h * 0.15;
        if l["lines"] != 1 {
            out.push(format!(
                "{name}: \"{text}\" was broken again by bevy: {}",
                l["lines"]
            ));
        }
        if l["glyphs"] != l["shaped"] {
            out.push(format!(
                "{name}: \"{text}\": {} glyphs laid out, {} shaped",
                l["glyphs"], l["shaped"]
            ));
        }
        match l["ink"].as_object() {
            None => out.push(format!("{name}: \"{text}\" has no ink")),
            Some(_) => {
                let [x, y, iw, ih] = rect(&l["ink"]);
                let inside = x >= bx - tol
                    && y >= by - tol
                    && x + iw <= bx + bw + tol
                    && y + ih <= by + bh + tol;
                let on_screen = x >= 0.0 && y >= 0.0 && x + iw <= w as f64 && y + ih <= h as f64;
                if !inside || !on_screen {
                    out.push(format!(
                        "{name}: \"{text}\" inks {:?} outside its box {:?}",
                        [x, y, iw, ih],
                        [bx, by, bw, bh]
                    ));
                }
            }
        }
        let source = l["source"].as_str().unwrap().to_string();
        texts
            .entry((source, format!("{bx},{by}")))
            .or_default()
            .push(l);
    }
    for ((source, _), lines) in texts {
        let lost: Vec<&str> = lines[0]["lost"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        if !lost.is_empty() {
            out.push(format!("{name}: \"{source}\" leaves out {lost:?}"));
            continue;
        }
        let words: Vec<String> = source.split_whitespace().map(str::to_string).collect();
        if !same_words(&words_of(&lines), &words) {
            out.push(format!(
                "{name}: \"{source}\" shows as {:?}",
                lines.iter().map(|l| &l["text"]).collect::<Vec<_>>()
            ));
        }
    }
    out
}

fn every_word_whole_at(i: usize) {
    let r = rendered(i);
    let mut all = Vec::new();
    for (page, lines) in reports(r) {
        all.extend(problems(&page, &lines, r.size));
    }
    assert!(
        all.is_empty(),
        "{}x{}:\n{}",
        r.size.0,
        r.size.1,
        all.join("\n")
    );
}

#[test]
fn every_word_shows_whole_inside_its_box_in_landscape() {
    every_word_whole_at(0);
}

#[test]
fn every_word_shows_whole_inside_its_box_in_portrait() {
    every_word_whole_at(1);
}

#[test]
fn every_word_shows_whole_inside_its_box_in_4k() {
    every_word_whole_at(2);
}

#[test]
fn the_stress_set_breaks_long_words_only_at_swedish_hyphenation_points() {
    let r = rendered(0);
    let mut hyphenated = Vec::new();
    for (_, lines) in reports(r) {
        for l in &lines {
            let text = l["text"].as_str().unwrap();
            if let Some(start) = text.strip_suffix('-')
                && start.ends_with(char::is_alphabetic)
            {
                // The line's last piece, and the word of the text it is part of (a long word
                // may be broken twice: its middle piece starts the line too).
                let piece = start.split_whitespace().last().unwrap();
                let source = l["source"].as_str().unwrap();
                let (whole, at) = source
                    .split_whitespace()
                    .find_map(|w| w.find(piece).map(|i| (w, i + piece.len())))
                    .unwrap_or_else(|| panic!("{piece} in {source}"));
                if whole[at..].starts_with('-') {
                    // The word's own hyphen ("Karl-|Gustaf").
                    continue;
                }
                // The break is one the Swedish patterns allow.
                assert!(
                    vitrin::typeset::hyphenation_points(whole).contains(&at),
                    "{piece}| in {whole}"
                );
                hyphenated.push(whole.to_string());
            }
        }
    }
    assert!(
        hyphenated
            .iter()
            .any(|w| w.starts_with("Främlingsfientlighetens")),
        "{hyphenated:?}"
    );
}

/// Reads lines back from a frame with tesseract (Swedish): each line cropped from the frame and
/// read on its own.
fn ocr_lines(png: &Path, lines: &[Value]) -> Vec<(String, String)> {
    let img = image::open(png).unwrap().into_rgb8();
    let dir = tempfile::tempdir().unwrap();
    let mut list = String::new();
    let mut expected = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let [x, y, w, h] = rect(&l["ink"]);
        let pad = (h * 0.4).max(8.0);
        let (x0, y0) = ((x - pad).max(0.0) as u32, (y - pad).max(0.0) as u32);
        let x1 = ((x + w + pad) as u32).min(img.width());
        let y1 = ((y + h + pad) as u32).min(img.height());
        let crop = image::imageops::crop_imm(&img, x0, y0, x1 - x0, y1 - y0).to_image();
        let path = dir.path().join(format!("{i:03}.png"));
        crop.save(&path).unwrap();
        list.push_str(&format!("{}\n", path.display()));
        expected.push(l["text"].as_str().unwrap().to_string());
    }
    let list_path = dir.path().join("list.txt");
    std::fs::write(&list_path, list).unwrap();
    let o = std::process::Command::new("tesseract")
        .args([list_path.to_str().unwrap(), "-", "-l", "swe", "--psm", "7"])
        .output()
        .expect("tesseract runs");
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let read: Vec<String> = text
        .split('\u{c}')
        .map(|s| s.trim().to_string())
        .take(expected.len())
        .collect();
    expected.into_iter().zip(read).collect()
}

#[test]
fn the_bundled_frames_read_back_with_ocr() {
    let r = rendered(0);
    let (mut total, mut good, mut bad) = (0, 0, Vec::new());
    for (page, lines) in reports(r) {
        let png = PathBuf::from(page.to_string_lossy().replace(".text.json", ".png"));
        // Type on typographic covers is small and decorative; the words under the covers repeat it.
        let lines: Vec<Value> = lines
            .into_iter()
            .filter(|l| l["line"]["h"].as_f64().unwrap() >= 40.0)
            .collect();
        for (want, got) in ocr_lines(&png, &lines) {
            total += 1;
            let score = strsim::normalized_levenshtein(&want, &got);
            if score >= 0.8 {
                good += 1;
            } else {
                bad.push(format!("{want:?} read as {got:?}"));
            }
        }
    }
    assert!(total > 50, "{total} lines");
    // OCR misreads a letter here and there; a cut or clipped line would not come close.
    assert!(
        good * 100 >= total * 95,
        "{good} of {total} read back:\n{}",
        bad.join("\n")
    );
}
