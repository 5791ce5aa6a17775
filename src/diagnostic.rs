//! Problems found in files that people write (playlists, screen configs), reported the way a
//! compiler reports them: `path:line:col: severity: message`, the offending line, and a hint.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// How bad a problem is: errors make `vitrin check` fail and keep a file from playing, warnings
/// are advice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A line and column, both counted from 1; the column counts characters, not bytes, so that a
/// caret under "å" lands where the eye expects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub path: PathBuf,
    /// Byte range in the file; `None` when the problem is the file as a whole.
    pub span: Option<Range<usize>>,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(path: &Path, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            path: path.to_path_buf(),
            span,
            message: message.into(),
            hint: None,
        }
    }

    pub fn warning(path: &Path, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(path, span, message)
        }
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Where the problem starts in `source`, if it has a span.
    pub fn position(&self, source: &str) -> Option<Position> {
        self.span
            .as_ref()
            .map(|span| position_of(source, span.start))
    }

    /// The first line alone: `path:line:col: error: message`.
    pub fn headline(&self, source: &str) -> String {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match self.position(source) {
            Some(p) => format!(
                "{}:{}:{}: {severity}: {}",
                self.path.display(),
                p.line,
                p.column,
                self.message
            ),
            None => format!("{}: {severity}: {}", self.path.display(), self.message),
        }
    }

    /// The full report: the headline, the offending line with a caret under the problem, and the
    /// hint.
    pub fn render(&self, source: &str) -> String {
        Rendered {
            diagnostic: self,
            source,
        }
        .to_string()
    }
}

struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    source: &'a str,
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diagnostic;
        writeln!(f, "{}", d.headline(self.source))?;
        if let Some(span) = &d.span {
            let start = position_of(self.source, span.start);
            let line_text = self.source.lines().nth(start.line - 1).unwrap_or("");
            let line_text = line_text.trim_end_matches('\r');
            let line_chars = line_text.chars().count();
            // Underline to the end of the span, but never past the end of the first line.
            let end_col = if span.end > span.start {
                let end = position_of(self.source, span.end);
                if end.line == start.line {
                    end.column
                } else {
                    line_chars + 1
                }
            } else {
                start.column + 1
            };
            let width = end_col.saturating_sub(start.column).max(1);
            let (shown, column) = window(line_text, start.column);
            let width = width.min(SHOWN_CHARS);
            let gutter = start.line.to_string().len();
            writeln!(f, "{:gutter$} |", "")?;
            writeln!(f, "{} | {}", start.line, shown)?;
            writeln!(
                f,
                "{:gutter$} | {}{}",
                "",
                " ".repeat(column - 1),
                "^".repeat(width)
            )?;
        }
        if let Some(hint) = &d.hint {
            writeln!(f, "  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// The most characters of a line shown under a headline: a one-line file of a megabyte is shown
/// around the problem, not whole.
const SHOWN_CHARS: usize = 100;

/// The part of `line` shown for a problem at `column` (1-based, in characters), and the problem's
/// column in it. Long lines are cut around the column, with "…" where they were cut.
fn window(line: &str, column: usize) -> (String, usize) {
    let chars = line.chars().count();
    if chars <= SHOWN_CHARS {
        return (line.to_string(), column);
    }
    let first = column
        .saturating_sub(SHOWN_CHARS / 2)
        .min(chars - SHOWN_CHARS);
    let mut shown: String = line.chars().skip(first).take(SHOWN_CHARS).collect();
    let mut column = column - first;
    if first > 0 {
        shown.insert(0, '…');
        column += 1;
    }
    if first + SHOWN_CHARS < chars {
        shown.push('…');
    }
    (shown, column)
}

/// Where each line of a text starts, to find the line of any offset without reading the text
/// again (checking a file with thousands of problems stays linear).
#[derive(Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(source: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { starts }
    }

    /// The line (from 0) that byte `offset` is on.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }
}

/// Line and column (1-based, in characters) of a byte offset.
pub fn position_of(source: &str, offset: usize) -> Position {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = source[line_start..offset].chars().count() + 1;
    Position { line, column }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&word_lower, &c.to_lowercase()),
                c,
            )
        })
        .filter(|(distance, c)| *distance <= (c.chars().count() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// Diagnostics for one file, in file order, with the text they point into.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub files: Vec<FileReport>,
}

/// The diagnostics of one file and its text.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: PathBuf,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.all().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.all().filter(|d| !d.is_error()).count()
    }

    pub fn all(&self) -> impl Iterator<Item = &Diagnostic> {
        self.files.iter().flat_map(|f| f.diagnostics.iter())
    }

    /// Every diagnostic, rendered, in file order.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for file in &self.files {
            for d in &file.diagnostics {
                out.push_str(&d.render(&file.source));
                out.push('\n');
            }
        }
        out
    }

    /// Adds `other`'s diagnostics, each file's to the same file's, in file order.
    pub fn merge(&mut self, other: Report) {
        for file in other.files {
            match self.files.iter_mut().find(|f| f.path == file.path) {
                Some(mine) => {
                    mine.diagnostics.extend(file.diagnostics);
                    mine.sort();
                }
                None => self.files.push(file),
            }
        }
    }

    /// Headlines only, one a line; what tests and scripts compare against.
    pub fn headlines(&self) -> Vec<String> {
        self.files
            .iter()
            .flat_map(|f| f.diagnostics.iter().map(|d| d.headline(&f.source)))
            .collect()
    }
}

impl FileReport {
    pub fn sort(&mut self) {
        self.diagnostics
            .sort_by_key(|d| (d.span.as_ref().map_or(0, |s| s.start), d.severity));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let src = "name = \"Vinterläsning\"\nduration = 5\n";
        assert_eq!(position_of(src, 0), Position { line: 1, column: 1 });
        let off = src.find("duration").unwrap();
        assert_eq!(position_of(src, off), Position { line: 2, column: 1 });
        let quote = src.rfind('"').unwrap();
        assert_eq!(position_of(src, quote).column, 22);
    }

    #[test]
    fn renders_line_and_caret() {
        let src = "[[slide]]\ndurration = \"8s\"\n";
        let d = Diagnostic::error(
            Path::new("p.toml"),
            Some(10..19),
            "unknown key \"durration\"",
        )
        .with_hint("did you mean \"duration\"?");
        let text = d.render(src);
        assert_eq!(
            text,
            "p.toml:2:1: error: unknown key \"durration\"\n  |\n2 | durration = \"8s\"\n  | ^^^^^^^^^\n  = hint: did you mean \"duration\"?\n"
        );
    }

    #[test]
    fn suggests_close_words_only() {
        let keys = ["duration", "transition", "title"];
        assert_eq!(suggest("durration", keys), Some("duration"));
        assert_eq!(suggest("transtion", keys), Some("transition"));
        assert_eq!(suggest("colour", keys), None);
    }

    #[test]
    fn a_very_long_line_is_shown_around_the_problem() {
        let source = format!("{}x = 1{}\n", "a".repeat(5000), "b".repeat(5000));
        let d = Diagnostic::error(Path::new("f.toml"), Some(5000..5001), "here");
        let out = d.render(&source);
        assert!(out.len() < 600, "{out}");
        let lines: Vec<&str> = out.lines().collect();
        let caret = lines[3].find('^').unwrap();
        assert_eq!(lines[2].chars().nth(caret), Some('x'), "{out}");
        assert!(lines[2].contains('…'));
    }

    #[test]
    fn lines_are_found_from_an_index() {
        let source = "a\nbb\n\nccc";
        let index = LineIndex::new(source);
        let lines: Vec<usize> = (0..source.len()).map(|o| index.line(o)).collect();
        assert_eq!(lines, [0, 0, 1, 1, 1, 2, 3, 3, 3]);
    }
}
