//! Breaking a text into lines: pieces that are never broken, the joins between them, and the
//! choice of where to break.

use super::{ELLIPSIS, Face, HYPHEN_COST, MARGIN_PX, Spec, hyphenate};

/// What stands between a piece and the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    /// A space: a line may break here, and the space goes.
    Space,
    /// A space that never breaks (before a dash between words).
    Glue,
    /// Inside a word, after its own hyphen or dash: a line may break here, adding nothing.
    After,
    /// A hyphenation point: a line may break here, adding a hyphen.
    Hyphen,
    /// The end of the paragraph.
    End,
}

/// A piece of text never broken, its width at size 1, and the word it belongs to.
#[derive(Debug, Clone)]
struct Piece {
    text: String,
    em: f32,
    word: usize,
    join: Join,
}

/// One paragraph, as pieces.
#[derive(Debug, Clone, Default)]
struct Paragraph {
    pieces: Vec<Piece>,
}

/// A text ready to be broken into lines.
#[derive(Debug, Clone)]
pub(super) struct Text {
    face: Face,
    paragraphs: Vec<Paragraph>,
    words: Vec<String>,
    space: f32,
    hyphen: f32,
}

/// Lines chosen, and what they leave out.
#[derive(Debug, Clone, Default)]
pub(super) struct Broken {
    pub lines: Vec<String>,
    pub lost: Vec<String>,
    pub hyphens: usize,
}

fn is_dash(word: &str) -> bool {
    matches!(word, "–" | "—" | "-" | "−")
}

impl Text {
    pub fn new(text: &str, face: Face) -> Self {
        let mut words = Vec::new();
        let mut paragraphs = Vec::new();
        for line in text.lines() {
            let mut p = Paragraph::default();
            for word in line.split_whitespace() {
                // A dash between words stays on the line of the word before it.
                if is_dash(word)
                    && let Some(last) = p.pieces.last_mut()
                {
                    last.join = Join::Glue;
                }
                let index = words.len();
                words.push(word.to_string());
                p.pieces.extend(split_word(word, index, face));
            }
            if let Some(last) = p.pieces.last_mut() {
                last.join = Join::End;
                paragraphs.push(p);
            }
        }
        Text {
            face,
            paragraphs,
            words,
            space: face.em_width(" "),
            hyphen: face.em_width("-"),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.paragraphs.is_empty()
    }

    /// The text whole at `size`, within the box, if it fits; words are broken at hyphenation
    /// points only if `hyphenate`.
    pub fn lines(&self, spec: &Spec, size: f32, hyphenate: bool) -> Option<Broken> {
        let budget = spec.lines_at(size);
        let width = (spec.width - MARGIN_PX) / size;
        let mut out = Broken::default();
        for p in &self.paragraphs {
            let left = budget.checked_sub(out.lines.len())?;
            let breaks = p.balanced(width, self.space, self.hyphen, left, hyphenate)?;
            let mut start = 0;
            for end in breaks {
                let line = p.line(start, end);
                // Shaping the whole line can differ from the sum of its pieces (kerning across
                // a space); the line must fit as it will really be shaped.
                if self.face.em_width(&line) > width {
                    return None;
                }
                out.hyphens += usize::from(p.pieces[end - 1].join == Join::Hyphen);
                out.lines.push(line);
                start = end;
            }
        }
        Some(out)
    }

    /// The text at `size` with as many lines as fit, filled in order, the last ending in "…".
    pub fn shortened(&self, spec: &Spec, size: f32) -> Broken {
        let budget = spec.lines_at(size).max(1);
        let width = (spec.width - MARGIN_PX) / size;
        let ellipsis = self.face.em_width(ELLIPSIS);
        let mut out = Broken::default();
        let mut shown_until = 0; // words before this index are shown whole
        let last_paragraph = self.paragraphs.len().saturating_sub(1);
        'paragraphs: for (i, p) in self.paragraphs.iter().enumerate() {
            let mut start = 0;
            while start < p.pieces.len() {
                let last_line = out.lines.len() + 1 == budget;
                let mut end = p.greedy_end(start, width, self.space, self.hyphen, true);
                if last_line && !(end == p.pieces.len() && i == last_paragraph) {
                    // Room for the ellipsis: drop pieces until the line and "…" fit.
                    while end > start && p.width(start, end, self.space, 0.0) + ellipsis > width {
                        end -= 1;
                    }
                    let mut line = if end > start {
                        p.line_plain(start, end)
                    } else {
                        cut_to_fit(&p.pieces[start].text, width - ellipsis, self.face)
                    };
                    line.push_str(ELLIPSIS);
                    out.lines.push(line);
                    shown_until = if end > start {
                        self.whole_words_until(p, end)
                    } else {
                        p.pieces[start].word
                    };
                    break 'paragraphs;
                }
                if end == start {
                    // Not even one piece fits: cut it, and stop.
                    let mut line = cut_to_fit(&p.pieces[start].text, width - ellipsis, self.face);
                    line.push_str(ELLIPSIS);
                    out.lines.push(line);
                    shown_until = p.pieces[start].word;
                    break 'paragraphs;
                }
                out.hyphens += usize::from(p.pieces[end - 1].join == Join::Hyphen);
                out.lines.push(p.line(start, end));
                shown_until = self.whole_words_until(p, end);
                start = end;
            }
        }
        out.lost = self.words[shown_until.min(self.words.len())..].to_vec();
        out
    }

    /// The index of the first word not shown whole when `p` is shown up to piece `end`.
    fn whole_words_until(&self, p: &Paragraph, end: usize) -> usize {
        let last = &p.pieces[end - 1];
        if matches!(last.join, Join::Hyphen | Join::After | Join::Glue) && end < p.pieces.len() {
            // The line ends inside a word (or before its dash): that word is cut.
            last.word
        } else {
            last.word + 1
        }
    }
}

/// A word as pieces: broken after its own hyphens and dashes, and at hyphenation points.
fn split_word(word: &str, index: usize, face: Face) -> Vec<Piece> {
    let mut cuts: Vec<(usize, Join)> = Vec::new();
    let mut part_start = 0;
    let letters = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).count();
    for (i, c) in word.char_indices() {
        let after = i + c.len_utf8();
        // Not after a lone letter or before one: "e-|böcker" would read badly.
        if matches!(c, '-' | '–' | '—' | '/')
            && letters(&word[part_start..i]) >= 2
            && letters(&word[after..]) >= 2
        {
            cuts.extend(
                hyphenate::points(&word[part_start..i])
                    .into_iter()
                    .map(|p| (part_start + p, Join::Hyphen)),
            );
            cuts.push((after, Join::After));
            part_start = after;
        }
    }
    cuts.extend(
        hyphenate::points(&word[part_start..])
            .into_iter()
            .map(|p| (part_start + p, Join::Hyphen)),
    );
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for (at, join) in cuts {
        let text = &word[start..at];
        pieces.push(Piece {
            text: text.to_string(),
            em: face.em_width(text),
            word: index,
            join,
        });
        start = at;
    }
    let text = &word[start..];
    pieces.push(Piece {
        text: text.to_string(),
        em: face.em_width(text),
        word: index,
        join: Join::Space,
    });
    pieces
}

/// The longest start of `word` that fits in `width` (at size 1), cut between characters.
fn cut_to_fit(word: &str, width: f32, face: Face) -> String {
    let mut best = String::new();
    for (i, c) in word.char_indices() {
        let candidate = &word[..i + c.len_utf8()];
        if face.em_width(candidate) > width {
            break;
        }
        best = candidate.to_string();
    }
    best
}

impl Paragraph {
    fn may_break_after(&self, i: usize, hyphenate: bool) -> bool {
        match self.pieces[i].join {
            Join::Space | Join::After | Join::End => true,
            Join::Hyphen => hyphenate,
            Join::Glue => false,
        }
    }

    /// The width (at size 1) of pieces `start..end` on one line, with `tail` for what the break
    /// adds.
    fn width(&self, start: usize, end: usize, space: f32, tail: f32) -> f32 {
        let pieces = &self.pieces[start..end];
        let inner: f32 = pieces[..pieces.len().saturating_sub(1)]
            .iter()
            .map(|p| match p.join {
                Join::Space | Join::Glue => space,
                _ => 0.0,
            })
            .sum();
        pieces.iter().map(|p| p.em).sum::<f32>() + inner + tail
    }

    fn line_width(&self, start: usize, end: usize, space: f32, hyphen: f32) -> f32 {
        let tail = if self.pieces[end - 1].join == Join::Hyphen {
            hyphen
        } else {
            0.0
        };
        self.width(start, end, space, tail)
    }

    /// Pieces `start..end` as text, without what the break adds.
    fn line_plain(&self, start: usize, end: usize) -> String {
        let mut s = String::new();
        for (i, p) in self.pieces[start..end].iter().enumerate() {
            s.push_str(&p.text);
            if start + i + 1 < end && matches!(p.join, Join::Space | Join::Glue) {
                s.push(' ');
            }
        }
        s
    }

    /// Pieces `start..end` as a line: with a hyphen when it breaks inside a word.
    fn line(&self, start: usize, end: usize) -> String {
        let mut s = self.line_plain(start, end);
        if self.pieces[end - 1].join == Join::Hyphen {
            s.push('-');
        }
        s
    }

    /// The end of the longest line from `start` that fits, breaking anywhere allowed (at
    /// hyphenation points too if `hyphenate`); `start` when not even one piece fits.
    fn greedy_end(
        &self,
        start: usize,
        width: f32,
        space: f32,
        hyphen: f32,
        hyphenate: bool,
    ) -> usize {
        let mut best = start;
        for end in start + 1..=self.pieces.len() {
            if self.width(start, end, space, 0.0) > width {
                break;
            }
            if self.may_break_after(end - 1, hyphenate)
                && self.line_width(start, end, space, hyphen) <= width
            {
                best = end;
            }
        }
        best
    }

    /// The most even way to set the paragraph in as few lines as it needs, at most `budget`:
    /// the end of each line. `None` when it does not fit.
    fn balanced(
        &self,
        width: f32,
        space: f32,
        hyphen: f32,
        budget: usize,
        hyphenate: bool,
    ) -> Option<Vec<usize>> {
        // Filling lines one after the other gives the fewest lines (give or take a hyphen's
        // width): that many, or one more, are tried for the most even breaks.
        let fewest = self.greedy_lines(width, space, hyphen, hyphenate)?;
        (fewest..=(fewest + 1).min(budget))
            .find_map(|lines| self.best_in(lines, width, space, hyphen, hyphenate))
    }

    /// How many lines filling each as full as it goes takes; `None` if a piece is wider than a
    /// line.
    fn greedy_lines(&self, width: f32, space: f32, hyphen: f32, hyphenate: bool) -> Option<usize> {
        let (mut start, mut lines) = (0, 0);
        while start < self.pieces.len() {
            let end = self.greedy_end(start, width, space, hyphen, hyphenate);
            if end == start {
                return None;
            }
            lines += 1;
            start = end;
        }
        Some(lines)
    }

    /// The best breaks for exactly `lines` lines: the least sum of squared free space, hyphens
    /// counted as costly.
    fn best_in(
        &self,
        lines: usize,
        width: f32,
        space: f32,
        hyphen: f32,
        hyphenate: bool,
    ) -> Option<Vec<usize>> {
        let n = self.pieces.len();
        // cost[k][i]: the best cost of setting pieces 0..i in k lines; from[k][i] where the last
        // of those lines starts.
        let mut cost = vec![vec![f32::INFINITY; n + 1]; lines + 1];
        let mut from = vec![vec![0usize; n + 1]; lines + 1];
        cost[0][0] = 0.0;
        for k in 1..=lines {
            for end in 1..=n {
                if !self.may_break_after(end - 1, hyphenate) {
                    continue;
                }
                for start in (0..end).rev() {
                    if self.width(start, end, space, 0.0) > width {
                        break;
                    }
                    let before = cost[k - 1][start];
                    if !before.is_finite() {
                        continue;
                    }
                    let w = self.line_width(start, end, space, hyphen);
                    if w > width {
                        continue;
                    }
                    let free = (width - w) / width;
                    let mut c = before + free * free;
                    if self.pieces[end - 1].join == Join::Hyphen {
                        c += HYPHEN_COST;
                    }
                    if c < cost[k][end] {
                        cost[k][end] = c;
                        from[k][end] = start;
                    }
                }
            }
        }
        if !cost[lines][n].is_finite() {
            return None;
        }
        let mut ends = Vec::with_capacity(lines);
        let mut end = n;
        for k in (1..=lines).rev() {
            ends.push(end);
            end = from[k][end];
        }
        ends.reverse();
        Some(ends)
    }
}
