//! Every text of a page set in its place: [`crate::layout`] says where the boxes are,
//! [`crate::typeset`] what fits in them. The player draws these lines as they are, and
//! `vitrin check` reads the same settings to warn about text that would be cut or too small, so
//! the check, `render` and `play` agree.

use serde::Serialize;

use crate::calendar::hours::HoursBoard;
use crate::layout::{
    BOOK_QR_DISTANCE_MM, BookLayout, CoversLayout, Rect, Scale, TitleBadge, TypographicCover,
};
use crate::typeset::{self, Face, LINE_HEIGHT, Setting, Spec};

/// How lines sit in their box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Align {
    Left,
    Center,
}

/// What a text is, for the rules it is checked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Role {
    /// A headline: a qr or text slide's title, the covers heading, the welcome greeting.
    Headline,
    /// Body text: a slide's text, captions, book titles and authors, the line by a QR code.
    Body,
    /// Type on a typographic cover: it repeats the title under the cover, so it is not checked.
    Decoration,
}

/// A text set in its box.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placed {
    pub role: Role,
    /// The box; lines start at its top.
    pub rect: Rect,
    pub align: Align,
    pub setting: Setting,
}

impl Placed {
    /// Each line's text and the rectangle its line box takes.
    pub fn lines(&self) -> impl Iterator<Item = (&str, Rect)> {
        let lh = self.setting.line_height();
        self.setting.lines.iter().enumerate().map(move |(i, l)| {
            let x = match self.align {
                Align::Left => self.rect.x,
                Align::Center => self.rect.x + (self.rect.w - l.width) / 2.0,
            };
            (
                l.text.as_str(),
                Rect::new(x, self.rect.y + i as f32 * lh, l.width, lh),
            )
        })
    }
}

fn spec<'a>(
    text: &'a str,
    face: Face,
    r: Rect,
    max_lines: usize,
    size: f32,
    floor: f32,
) -> Spec<'a> {
    Spec {
        text,
        face,
        width: r.w,
        height: r.h,
        max_lines,
        size,
        floor: floor.min(size),
    }
}

fn place(role: Role, rect: Rect, align: Align, setting: Setting) -> Placed {
    Placed {
        role,
        rect,
        align,
        setting,
    }
}

/// A caption takes at most this many lines (one more on a portrait screen); its band grows with
/// it.
const CAPTION_LINES: usize = 3;

/// A picture page's texts: the caption in its band and a carousel's title on its badge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PictureText {
    /// The dark band behind the caption (and the position dots), as high as the caption needs.
    pub band: Option<Rect>,
    /// How opaque the band is, and the title's badge: as light as the picture under them allows
    /// ([`crate::theme::band_alpha`]; [`crate::prepare`] sets them from the picture).
    pub band_alpha: f64,
    pub badge_alpha: f64,
    pub caption: Option<Placed>,
    pub badge: Option<(TitleBadge, Placed)>,
    pub dots: Vec<Rect>,
}

/// A picture page's texts; `position` is a carousel's (picture, of how many).
pub fn picture(
    s: &Scale,
    caption: Option<&str>,
    title: Option<&str>,
    position: Option<(usize, usize)>,
) -> PictureText {
    let l = s.picture();
    // A portrait screen is narrow and tall: a caption may take another line there.
    let caption_lines = CAPTION_LINES + usize::from(s.portrait());
    let caption = caption.map(|c| {
        let room = Rect {
            h: s.body * LINE_HEIGHT * caption_lines as f32,
            ..l.caption
        };
        typeset::set(&spec(
            c,
            Face::SemiBold,
            room,
            caption_lines,
            s.body,
            s.body_floor,
        ))
    });
    // The band is as high as the caption's lines, and stays at the bottom of the screen.
    let band_h = caption
        .as_ref()
        .map_or(s.body * 1.18, |c| c.height().max(s.body * 1.18))
        + s.body * 1.3
        + 2.0;
    let band_h = band_h.round();
    let band = Rect::new(0.0, s.height - band_h, s.width, band_h);
    let caption = caption.map(|setting| {
        let rect = Rect::new(
            l.caption.x,
            band.y + (band.h - setting.height()) / 2.0,
            l.caption.w,
            setting.height(),
        );
        place(Role::Body, rect, Align::Left, setting)
    });
    let badge = title.map(|t| {
        let widest = s.title_badge(l.title, f32::INFINITY).text;
        let sp = spec(t, Face::Bold, widest, 1, s.body, s.body_floor);
        let setting = typeset::set(&sp);
        let b = s.title_badge(l.title, setting.width());
        let rect = Rect::new(
            b.text.x,
            b.badge.y + (b.badge.h - setting.height()) / 2.0,
            b.text.w,
            setting.height(),
        );
        (b, place(Role::Body, rect, Align::Left, setting))
    });
    let dots = position.map_or_else(Vec::new, |(_, count)| l.position_dots(band, count));
    PictureText {
        band: (caption.is_some() || position.is_some()).then_some(band),
        band_alpha: crate::theme::SCRIM_ALPHA,
        badge_alpha: crate::theme::SCRIM_ALPHA,
        caption,
        badge,
        dots,
    }
}

/// vitrin's own welcome page, shown when nothing else can be.
pub const WELCOME_GREETING: &str = "Välkommen till biblioteket";
pub const WELCOME_LINE: &str = "Bibliotek Värmland · bibliotekvarmland.se";

/// The welcome page's greeting and line.
pub fn welcome(s: &Scale) -> [Placed; 2] {
    let (greeting, line) = (WELCOME_GREETING, WELCOME_LINE);
    let l = s.welcome();
    let title = typeset::set(&spec(
        greeting,
        Face::Bold,
        l.title,
        2,
        s.title,
        s.title_floor,
    ));
    let sub = typeset::set(&spec(
        line,
        Face::Regular,
        l.subtitle,
        2,
        s.body,
        s.body_floor,
    ));
    [
        place(Role::Headline, l.title, Align::Center, title),
        place(Role::Body, l.subtitle, Align::Center, sub),
    ]
}

/// A headline over body text, centred as a block: an accent rule, the headline, the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WordsText {
    pub rule: Rect,
    pub headline: Placed,
    pub body: Option<Placed>,
}

/// An hours slide's texts: the headline, the library and the date under it, then a table of the
/// week (a column of days, then staffed and meröppet hours), then days with other hours coming.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoursText {
    pub rule: Rect,
    pub headline: Placed,
    /// The library's name and the date, a line each.
    pub subtitle: Vec<Placed>,
    /// The column heads over the hours.
    pub heads: Vec<Placed>,
    /// A row a day: its name, then its hours per column. Today's row is set bold.
    pub rows: Vec<Vec<Placed>>,
    pub coming: Vec<Placed>,
}

impl HoursText {
    pub fn placed(&self) -> impl Iterator<Item = &Placed> {
        std::iter::once(&self.headline)
            .chain(&self.subtitle)
            .chain(&self.heads)
            .chain(self.rows.iter().flatten())
            .chain(&self.coming)
    }
}

/// How wide `text` is on one line at `size`.
fn natural_width(text: &str, face: Face, size: f32) -> f32 {
    typeset::set(&Spec {
        text,
        face,
        width: f32::MAX / 4.0,
        height: size * LINE_HEIGHT * 2.0,
        max_lines: 1,
        size,
        floor: size,
    })
    .width()
}

/// Sets an hours slide in `area` (the box of a text slide without a picture). The table's
/// columns are as wide as their longest text, at one size for every cell: the body size, or
/// smaller until the week fits the width and the height, never below the floor.
pub fn hours(s: &Scale, area: Rect, title: &str, board: &HoursBoard) -> HoursText {
    let b = s.headline_block();
    let mut y = area.y;
    let rule = Rect::new(area.x, y, b.rule_width, b.rule_height);
    y += b.rule_height + b.row_gap;
    let headline = stacked(
        Role::Headline,
        &spec(
            title,
            Face::Bold,
            Rect::new(area.x, 0.0, area.w, area.h * 0.22),
            2,
            s.title,
            s.title_floor,
        ),
        area.x,
        &mut y,
    );
    y += b.row_gap * 0.5;
    let date = crate::calendar::hours::capitalized(&board.date);
    let subtitle: Vec<Placed> = board
        .library
        .iter()
        .chain(std::iter::once(&date))
        .map(|line| {
            let box_ = Rect::new(area.x, 0.0, area.w, area.h * 0.12);
            let line = spec(line, Face::Regular, box_, 2, s.body, s.body_floor);
            stacked(Role::Body, &line, area.x, &mut y)
        })
        .collect();
    y += s.gap;
    // The table's texts, a row each: the heads first (empty above the days).
    let mut table: Vec<Vec<(String, Face)>> = Vec::new();
    if !board.rows.is_empty() {
        let mut heads = vec![
            (String::new(), Face::Regular),
            ("Bemannat".into(), Face::Regular),
        ];
        if board.has_self_service {
            heads.push(("Meröppet".into(), Face::Regular));
        }
        table.push(heads);
    }
    for (i, row) in board.rows.iter().enumerate() {
        let face = if i == 0 { Face::Bold } else { Face::Regular };
        let mut cells = vec![(row.day.clone(), face), (row.staffed.clone(), face)];
        if board.has_self_service {
            cells.push((row.self_service.clone(), face));
        }
        table.push(cells);
    }
    let notes: Vec<String> = if board.rows.is_empty() {
        vec!["Se bibliotekets öppettider på bibliotekvarmland.se".to_string()]
    } else {
        board.coming.clone()
    };
    // One size for the table: as large as the body size, the height and the width allow.
    let floor = s.body_floor;
    let lines = table.len() as f32 + notes.len() as f32 * 1.5;
    let room = (area.bottom() - y).max(0.0);
    let mut size = (room / (lines * LINE_HEIGHT * 1.1)).min(s.body);
    let columns = table.first().map_or(0, Vec::len);
    let gap = s.gap * 1.5;
    let widths_at = |size: f32| -> Vec<f32> {
        (0..columns)
            .map(|c| {
                table
                    .iter()
                    .map(|row| natural_width(&row[c].0, row[c].1, size))
                    .fold(0.0, f32::max)
            })
            .collect()
    };
    let gaps = columns.saturating_sub(1) as f32;
    let mut widths = widths_at(size.max(floor));
    let texts: f32 = widths.iter().sum();
    if texts + gap * gaps > area.w && texts > 0.0 {
        // Texts grow with the size, the gaps between the columns do not.
        size = (size * (area.w - gap * gaps).max(0.0) / texts).max(floor);
        widths = widths_at(size.max(floor));
    }
    let size = size.max(floor);
    // At the floor the columns may stand closer, down to half the usual gap.
    // A little slack in each cell: widths were measured at this very size.
    let slack = size * 0.1;
    let gap = if gaps > 0.0 {
        let cells = widths.iter().sum::<f32>() + slack * columns as f32;
        gap.min((area.w - cells) / gaps).max(s.gap * 0.5)
    } else {
        gap
    };
    let row_h = size * LINE_HEIGHT * 1.1;
    let mut specs: Vec<(Rect, Face, &str)> = Vec::new();
    for row in &table {
        let mut x = area.x;
        for (c, (text, face)) in row.iter().enumerate() {
            let w = (widths[c] + slack).min(area.right() - x).max(0.0);
            specs.push((Rect::new(x, y, w, row_h), *face, text));
            x += widths[c] + gap;
        }
        y += row_h;
    }
    let settings = typeset::set_row(
        &specs
            .iter()
            .map(|(r, face, t)| spec(t, *face, *r, 1, size, floor))
            .collect::<Vec<_>>(),
    );
    let mut placed: Vec<Placed> = specs
        .iter()
        .zip(settings)
        .map(|((r, _, _), setting)| place(Role::Body, *r, Align::Left, setting))
        .collect();
    let mut rows: Vec<Vec<Placed>> = Vec::new();
    let mut heads = Vec::new();
    for (i, row) in table.iter().enumerate() {
        let cells: Vec<Placed> = placed.drain(..row.len()).collect();
        if i == 0 {
            // The empty head over the days is no text.
            heads = cells.into_iter().skip(1).collect();
        } else {
            rows.push(cells);
        }
    }
    y += s.gap * 0.5;
    let mut coming = Vec::new();
    for note in &notes {
        let box_ = Rect::new(area.x, 0.0, area.w, (area.bottom() - y).max(0.0));
        let note = spec(note, Face::Regular, box_, 2, size, floor);
        coming.push(stacked(Role::Body, &note, area.x, &mut y));
        y += s.gap * 0.25;
    }
    HoursText {
        rule,
        headline,
        subtitle,
        heads,
        rows,
        coming,
    }
}

/// One event on an events page, as given to [`events`].
#[derive(Debug, Clone)]
pub struct EventWords<'a> {
    /// Its day and time: "I dag", "kl. 10–10.30".
    pub day: &'a str,
    pub time: &'a str,
    pub title: &'a str,
    pub place: Option<&'a str>,
    pub text: Option<&'a str>,
    /// Its code's width in modules with the quiet zone, when it has a page to link to.
    pub modules: Option<u32>,
}

/// One event set: its lines one under the other, its code on the right.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventText {
    /// Its day and time: one text, or two in a column of their own.
    pub when: Vec<Placed>,
    pub title: Placed,
    pub place: Option<Placed>,
    pub text: Option<Placed>,
    pub code: Option<Rect>,
    /// The rule under the event, between it and the next.
    pub rule: Option<Rect>,
}

/// An events page's texts: the headline, then a row per event, or a note (and the calendar's
/// code) when there are none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventsText {
    pub rule: Rect,
    pub headline: Placed,
    pub events: Vec<EventText>,
    pub note: Option<Placed>,
    pub code: Option<Rect>,
}

impl EventsText {
    pub fn placed(&self) -> impl Iterator<Item = &Placed> {
        std::iter::once(&self.headline)
            .chain(self.events.iter().flat_map(|e| {
                e.when.iter().chain(
                    [Some(&e.title), e.place.as_ref(), e.text.as_ref()]
                        .into_iter()
                        .flatten(),
                )
            }))
            .chain(self.note.iter())
    }
}

/// Sets an events page on a screen: a headline, then [`Scale::events_per_page`] rows of equal
/// height, each with the event's day and time, its title (two lines at most), its place and as
/// much of its description as the row holds, and on the right a code to its page, sized to be
/// scanned by someone at the screen. `note` (with the calendar's code) stands in for events.
pub fn events(
    s: &Scale,
    heading: &str,
    items: &[EventWords],
    note: Option<&str>,
    note_modules: Option<u32>,
) -> EventsText {
    let area = s.screen().inset(s.margin);
    let b = s.headline_block();
    let mut y = area.y;
    let rule = Rect::new(area.x, y, b.rule_width, b.rule_height);
    y += b.rule_height + b.row_gap;
    let headline = stacked(
        Role::Headline,
        &spec(
            heading,
            Face::Bold,
            Rect::new(area.x, 0.0, area.w, area.h * 0.2),
            1,
            s.title,
            s.title_floor,
        ),
        area.x,
        &mut y,
    );
    y += s.gap;
    let rows = s.events_per_page();
    let row_h = ((area.bottom() - y) / rows as f32).floor();
    let items = &items[..items.len().min(rows)];
    let g = EventGeometry::new(s, area.w, row_h - s.gap, items);
    let events = items
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let top = y + i as f32 * row_h;
            let mut set = event_row(s, &g, e, Rect::new(area.x, top, area.w, row_h - s.gap));
            set.rule = (i + 1 < items.len()).then(|| {
                Rect::new(
                    area.x,
                    top + row_h - s.gap * 0.5,
                    area.w,
                    (s.body * 0.04).max(2.0),
                )
            });
            set
        })
        .collect();
    let mut note_y = y;
    let note = note.map(|n| {
        stacked(
            Role::Body,
            &spec(
                n,
                Face::Regular,
                Rect::new(area.x, 0.0, area.w, area.h * 0.3),
                3,
                s.body,
                s.body_floor,
            ),
            area.x,
            &mut note_y,
        )
    });
    let code = note_modules.filter(|_| note.is_some()).map(|m| {
        let side = s.qr_side_for(m, BOOK_QR_DISTANCE_MM * 2.0);
        Rect::new(area.x, note_y + s.gap, side, side)
    });
    EventsText {
        rule,
        headline,
        events,
        note,
        code,
    }
}

/// What every row of an events page shares, so that they line up and match: the columns, the
/// codes' size, and one size for the days and times and one for the titles (the largest at which
/// each of them fits, as [`typeset::set_row`] does for a row of captions).
struct EventGeometry {
    /// The day-and-time column's width on a landscape screen; 0 on a portrait one, where they
    /// stand above the title.
    column: f32,
    /// The codes' side, when any event has one.
    side: Option<f32>,
    when_size: f32,
    title_size: f32,
    title_lines: usize,
}

impl EventGeometry {
    fn new(s: &Scale, width: f32, row_h: f32, items: &[EventWords]) -> Self {
        // Sized to be scanned from a metre; in a row too low for that, as large as the row
        // allows in whole pixels per module (a phone comes closer), but never under 2 a module.
        let side = items.iter().filter_map(|e| e.modules).max().and_then(|m| {
            let fits = (row_h / m as f32).floor() * m as f32;
            let side = s.qr_side_for(m, BOOK_QR_DISTANCE_MM).min(fits);
            (side >= 2.0 * m as f32).then_some(side)
        });
        let column = if s.portrait() {
            0.0
        } else {
            (width * 0.34).round()
        };
        let text_w = width - column - side.map_or(0.0, |side| side + s.gap);
        let when_w = if s.portrait() { text_w } else { column - s.gap };
        let common = |texts: &mut dyn Iterator<Item = &str>, w: f32, lines: usize, size: f32| {
            texts
                .map(|text| {
                    typeset::fit_size(&Spec {
                        text,
                        face: Face::Bold,
                        width: w,
                        height: lines as f32 * size * LINE_HEIGHT * 1.01,
                        max_lines: lines,
                        size,
                        floor: s.body_floor.min(size),
                    })
                })
                .fold(size, f32::min)
        };
        let when_size = common(
            &mut items.iter().flat_map(|e| [e.day, e.time]),
            when_w,
            1,
            s.body,
        );
        // Above the title on a portrait screen: the day and the time. Under it: a line of place.
        let above = if s.portrait() {
            2.0 * when_size * LINE_HEIGHT
        } else {
            0.0
        };
        let below = (s.body * 0.75).max(s.body_floor) * LINE_HEIGHT;
        // As many title lines as the row holds (three at most), at the size all titles fit.
        let mut title_lines = 3;
        let mut title_size;
        loop {
            title_size = common(
                &mut items.iter().map(|e| e.title),
                text_w,
                title_lines,
                s.body * 1.15,
            );
            let lines = if items.iter().any(|e| e.place.is_some()) {
                below
            } else {
                0.0
            };
            let fits = above + title_lines as f32 * title_size * LINE_HEIGHT + lines <= row_h;
            if fits || title_lines == 1 {
                break;
            }
            title_lines -= 1;
        }
        Self {
            column,
            side,
            when_size,
            title_size,
            title_lines,
        }
    }
}

/// One event in its row: its day and time (on a landscape screen in a column of their own on the
/// left, on a portrait one above the title), its title, its place and as much of its description
/// as the row holds; its code on the right.
fn event_row(s: &Scale, g: &EventGeometry, e: &EventWords, row: Rect) -> EventText {
    let small = (s.body * 0.75).max(s.body_floor);
    let code = g
        .side
        .filter(|_| e.modules.is_some())
        .map(|side| Rect::new(row.right() - side, row.y, side, side));
    let right = g
        .side
        .map_or(row.right(), |side| row.right() - side - s.gap);
    let bottom = row.bottom();
    // At a size chosen for the page: the box only says how many lines it may take.
    // Never past the row: a text that would be is shortened with "…".
    let fixed = |t: &str, face: Face, x: f32, w: f32, lines: usize, size: f32, y: f32| {
        let h = (lines as f32 * size * LINE_HEIGHT * 1.01).min(bottom - y);
        spec_owned(t, face, w.min(right - x), h.max(0.0), lines, size, size)
    };
    let mut y = row.y;
    let when: Vec<Placed> = [e.day, e.time]
        .into_iter()
        .map(|t| {
            let w = if g.column > 0.0 {
                g.column - s.gap
            } else {
                right - row.x
            };
            stacked_owned(
                Role::Body,
                fixed(t, Face::Bold, row.x, w, 1, g.when_size, y),
                row.x,
                &mut y,
            )
        })
        .collect();
    let x = row.x + g.column;
    if g.column > 0.0 {
        y = row.y;
    }
    let title = stacked_owned(
        Role::Body,
        fixed(
            e.title,
            Face::Bold,
            x,
            right - x,
            g.title_lines,
            g.title_size,
            y,
        ),
        x,
        &mut y,
    );
    // Place and description at one size on every row, in as many lines as are left (at most
    // `lines`); what does not fit ends in "…".
    let text = |t: &str, lines: usize, y: f32| {
        let room = ((bottom - y) / (small * LINE_HEIGHT)).floor().max(1.0) as usize;
        let lines = lines.min(room);
        let h = lines as f32 * small * LINE_HEIGHT * 1.01;
        spec_owned(t, Face::Regular, right - x, h, lines, small, small)
    };
    let fits = |y: f32| bottom - y >= small * LINE_HEIGHT;
    let place = match e.place {
        // A narrow portrait row gives the place a second line.
        Some(p) if fits(y) => Some(stacked_owned(
            Role::Body,
            text(p, if s.portrait() { 2 } else { 1 }, y),
            x,
            &mut y,
        )),
        _ => None,
    };
    // A description cut to a word or three says nothing: then none.
    let description = match e.text.map(|t| text(t, 2, y)) {
        Some(set)
            if fits(y)
                && (set.0.text.split_whitespace().count() >= 4
                    || set.0.lost.is_empty() && !set.0.text.ends_with('…')) =>
        {
            Some(stacked_owned(Role::Body, set, x, &mut y))
        }
        _ => None,
    };
    EventText {
        when,
        title,
        place,
        text: description,
        code,
        rule: None,
    }
}

/// A text's setting asked for a box `w` by `h`.
#[allow(clippy::too_many_arguments)]
fn spec_owned(
    text: &str,
    face: Face,
    w: f32,
    h: f32,
    max_lines: usize,
    size: f32,
    floor: f32,
) -> (Setting, f32) {
    (
        set_shortened(&Spec {
            text,
            face,
            width: w,
            height: h,
            max_lines,
            size,
            floor: floor.min(size),
        }),
        w,
    )
}

/// Sets a text that may be shortened to fit (an event's, from a calendar): where it does not fit
/// whole, it is set as the most of its words that fit followed by "…", so that the text on screen
/// is its own, every word of it whole (never "bilderböc…").
fn set_shortened(spec: &Spec) -> Setting {
    let first = typeset::set(spec);
    if first.lost.is_empty() {
        return first;
    }
    let words: Vec<&str> = spec.text.split_whitespace().collect();
    let shortened = |n: usize| {
        let head = words[..n].join(" ");
        format!("{}…", head.trim_end_matches([',', '.', ';', ':', '–', '-']))
    };
    let fits = |text: &str| {
        let set = typeset::set(&Spec { text, ..*spec });
        (set.lost.is_empty() && set.hyphens == 0).then_some(set)
    };
    // The longest run of words that fits: `lo` fits (or is none), `hi` does not.
    let (mut lo, mut hi) = (0, words.len());
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if fits(&shortened(mid)).is_some() {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    if lo == 0 {
        return first;
    }
    fits(&shortened(lo)).unwrap_or(first)
}

/// Places a setting at `x`, `y`, as wide as its box, and moves `y` below it.
fn stacked_owned(role: Role, (setting, w): (Setting, f32), x: f32, y: &mut f32) -> Placed {
    let p = place(
        role,
        Rect::new(x, *y, w, setting.height()),
        Align::Left,
        setting,
    );
    *y += p.rect.h;
    p
}

/// Sets a text left-aligned at `x`, `y` as wide as its box, and moves `y` below it.
fn stacked(role: Role, text: &Spec, x: f32, y: &mut f32) -> Placed {
    let setting = typeset::set(text);
    let p = place(
        role,
        Rect::new(x, *y, text.width, setting.height()),
        Align::Left,
        setting,
    );
    *y += p.rect.h;
    p
}

/// The headline (at most three lines) and text of a qr or text slide in `area`.
pub fn words(s: &Scale, area: Rect, title: &str, text: Option<&str>) -> WordsText {
    let b = s.headline_block();
    let above = b.rule_height + b.row_gap;
    let room = (area.h - above).max(0.0);
    let headline_box = Rect::new(
        area.x,
        0.0,
        area.w,
        if text.is_some() { room * 0.5 } else { room },
    );
    let headline = typeset::set(&spec(
        title,
        Face::Bold,
        headline_box,
        3,
        s.title,
        s.title_floor,
    ));
    let body_box = Rect::new(
        area.x,
        0.0,
        area.w,
        (room - headline.height() - b.row_gap).max(0.0),
    );
    let body = text.map(|t| {
        typeset::set(&spec(
            t,
            Face::Regular,
            body_box,
            usize::MAX,
            s.body,
            s.body_floor,
        ))
    });
    let total = above + headline.height() + body.as_ref().map_or(0.0, |t| b.row_gap + t.height());
    let top = area.y + ((area.h - total) / 2.0).max(0.0);
    let rule = Rect::new(area.x, top, b.rule_width, b.rule_height);
    let headline_rect = Rect::new(area.x, top + above, area.w, headline.height());
    let body = body.map(|setting| {
        let rect = Rect::new(
            area.x,
            headline_rect.bottom() + b.row_gap,
            area.w,
            setting.height(),
        );
        place(Role::Body, rect, Align::Left, setting)
    });
    WordsText {
        rule,
        headline: place(Role::Headline, headline_rect, Align::Left, headline),
        body,
    }
}

/// A book's detail page's texts: its title and authors as a headline and text, and the line by
/// its code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BookText {
    pub words: WordsText,
    pub call: Option<Placed>,
}

/// A book's detail page's texts in `l`; the line `call` shows only beside a code.
pub fn book(s: &Scale, l: &BookLayout, title: &str, authors: &str, call: &str) -> BookText {
    let words = words(s, l.words, title, (!authors.is_empty()).then_some(authors));
    let call = l.code.map(|_| {
        let setting = typeset::set(&spec(call, Face::SemiBold, l.call, 4, s.body, s.body_floor));
        let h = setting.height();
        let rect = Rect::new(
            l.call.x,
            l.call.y + ((l.call.h - h) / 2.0).max(0.0),
            l.call.w,
            h,
        );
        place(Role::Body, rect, Align::Left, setting)
    });
    BookText { words, call }
}

/// One book's words under (or beside) its cover.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BookWords<'a> {
    pub title: &'a str,
    pub authors: &'a str,
}

/// A covers page's texts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoversText {
    pub heading: Placed,
    pub titles: Vec<Placed>,
    pub authors: Vec<Placed>,
    pub qr_text: Option<Placed>,
}

/// What a covers page shows besides the covers: its heading, the books' words, the line by its
/// QR code, and the codes' sizes in modules (quiet zone included).
#[derive(Debug, Clone, Copy)]
pub struct CoversWords<'a> {
    pub heading: &'a str,
    pub books: &'a [BookWords<'a>],
    pub qr_text: Option<&'a str>,
    pub modules: Option<u32>,
    pub book_modules: Option<u32>,
}

/// Titles under covers take at most this many lines, authors three.
const TITLE_LINES: usize = 4;
const AUTHOR_LINES: usize = 3;

/// A covers page, text first: the heading and the books' words are set, and the covers take the
/// room that is left. Titles side by side share one size, and authors theirs; each author stands
/// right under its title.
pub fn covers(s: &Scale, w: &CoversWords) -> (CoversLayout, CoversText) {
    // Labels sit under covers in a row (landscape), beside them in a column (portrait).
    let align = if s.portrait() {
        Align::Left
    } else {
        Align::Center
    };
    let probe = s.covers(w.books.len(), w.modules, w.book_modules);
    let line = s.body * LINE_HEIGHT;
    let heading_box = Rect::new(
        probe.title.x,
        probe.title.y,
        probe.title.w,
        probe.heading * LINE_HEIGHT * 2.0,
    );
    let heading = typeset::set(&spec(
        w.heading,
        Face::Bold,
        heading_box,
        2,
        probe.heading,
        s.title_floor,
    ));
    let mut labels = s.labels();
    labels.heading = labels.heading.max(heading.height().ceil());
    // In a row, the words under the covers may take up to four lines of title and two of author,
    // and the covers what is left; the cells' widths do not depend on it. In a column, the words
    // beside each cover have the cover's height, which depends on the heading's.
    let (title_room, author_room) = if s.portrait() {
        (None, None)
    } else {
        (
            Some(s.body_floor * LINE_HEIGHT * TITLE_LINES as f32),
            Some(s.body_floor * LINE_HEIGHT * AUTHOR_LINES as f32),
        )
    };
    let column = s
        .portrait()
        .then(|| s.covers_for(w.books.len(), w.modules, w.book_modules, labels));
    let shape = column.as_ref().unwrap_or(&probe);
    let cells = &shape.cells[..w.books.len().min(shape.cells.len())];
    let title_specs: Vec<Spec> = w
        .books
        .iter()
        .zip(cells)
        .map(|(b, c)| {
            let r = Rect {
                h: title_room.unwrap_or(c.title.h),
                ..c.title
            };
            let lines = max_lines(r.h, s.body_floor).min(TITLE_LINES);
            spec(b.title, Face::SemiBold, r, lines, s.body, s.body_floor)
        })
        .collect();
    let title_settings = typeset::set_row(&title_specs);
    let author_settings = authors_row(s, w.books, cells, author_room);
    if !s.portrait() {
        let tallest = |v: &[Setting]| v.iter().map(Setting::height).fold(0.0, f32::max);
        labels.title = labels.title.max(tallest(&title_settings).ceil());
        labels.author = tallest(&author_settings).ceil().max(line.round());
    }
    let l = match column {
        Some(l) => l,
        None => s.covers_for(w.books.len(), w.modules, w.book_modules, labels),
    };
    let heading = place(Role::Headline, l.title, Align::Left, heading);
    let titles: Vec<Placed> = title_settings
        .into_iter()
        .zip(&l.cells)
        .map(|(setting, c)| {
            let rect = Rect::new(c.title.x, c.title.y, c.title.w, setting.height());
            place(Role::Body, rect, align, setting)
        })
        .collect();
    let authors = author_settings
        .into_iter()
        .zip(l.cells.iter().zip(&titles))
        .map(|(setting, (c, title))| {
            let rect = Rect::new(
                c.author.x,
                title.rect.bottom(),
                c.author.w,
                setting.height(),
            );
            place(Role::Body, rect, align, setting)
        })
        .collect();
    let qr_text = w.qr_text.map(|t| {
        let setting = typeset::set(&spec(t, Face::SemiBold, l.qr_text, 3, s.body, s.body_floor));
        let rect = Rect::new(l.qr_text.x, l.qr_text.y, l.qr_text.w, setting.height());
        place(Role::Body, rect, align, setting)
    });
    let text = CoversText {
        heading,
        titles,
        authors,
        qr_text,
    };
    (l, text)
}

/// The authors of a row of books. Names are best on one line: they share the largest size at
/// which each fits on one, and take more lines only if one of them would otherwise be cut.
fn authors_row(
    s: &Scale,
    books: &[BookWords],
    cells: &[crate::layout::CoverCell],
    room: Option<f32>,
) -> Vec<Setting> {
    let specs = |one_line: bool| -> Vec<Spec> {
        books
            .iter()
            .zip(cells)
            .map(|(b, c)| {
                let r = Rect {
                    h: room.unwrap_or(c.author.h),
                    ..c.author
                };
                let lines = if one_line {
                    1
                } else {
                    max_lines(r.h, s.body_floor).min(AUTHOR_LINES)
                };
                spec(b.authors, Face::Regular, r, lines, s.body, s.body_floor)
            })
            .collect()
    };
    let one_line = typeset::set_row(&specs(true));
    if one_line.iter().any(Setting::is_shortened) {
        typeset::set_row(&specs(false))
    } else {
        one_line
    }
}

/// How many lines of text at `floor` fit in `height`: a box's line limit, so text that shrinks
/// may take another line.
fn max_lines(height: f32, floor: f32) -> usize {
    ((height + 0.5) / (floor * LINE_HEIGHT)).floor().max(1.0) as usize
}

/// The type on a typographic cover: the title and the authors.
pub fn typographic_cover(
    cover: Rect,
    title: &str,
    authors: &str,
) -> (TypographicCover, [Placed; 2]) {
    let l = TypographicCover::within(cover);
    let title_setting = typeset::set(&spec(
        title,
        Face::Bold,
        l.title,
        usize::MAX,
        l.title_size,
        (l.title_size * 0.6).max(10.0),
    ));
    let authors_setting = typeset::set(&spec(
        authors,
        Face::Regular,
        l.authors,
        2,
        l.authors_size,
        (l.authors_size * 0.7).max(10.0),
    ));
    let authors_rect = Rect::new(
        l.authors.x,
        l.authors.bottom() - authors_setting.height(),
        l.authors.w,
        authors_setting.height(),
    );
    (
        l,
        [
            place(Role::Decoration, l.title, Align::Left, title_setting),
            place(Role::Decoration, authors_rect, Align::Left, authors_setting),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZES: [(u32, u32); 3] = [(1920, 1080), (1080, 1920), (3840, 2160)];

    fn lines_inside(p: &Placed, r: Rect) {
        for (text, line) in p.lines() {
            assert!(r.contains(line), "\"{text}\" {line:?} outside {r:?}");
        }
    }

    #[test]
    fn a_caption_band_grows_with_its_lines_and_stays_at_the_bottom() {
        for (w, h) in SIZES {
            let s = Scale::new(w, h);
            let short = picture(&s, Some("Is"), None, None);
            let long = picture(
                &s,
                Some(
                    "Naturvårdsförvaltningens vinterutställning om Värmlands rovfåglar visas i utställningshallen hela december",
                ),
                None,
                None,
            );
            let (sb, lb) = (short.band.unwrap(), long.band.unwrap());
            assert!(lb.h > sb.h, "{w}x{h}");
            for (t, band) in [(&short, sb), (&long, lb)] {
                assert_eq!(band.bottom(), s.height);
                let c = t.caption.as_ref().unwrap();
                lines_inside(c, band);
                assert!(!c.setting.is_shortened(), "{w}x{h}: {:?}", c.setting);
            }
        }
    }

    #[test]
    fn titles_in_a_row_share_one_size_and_one_alignment_and_authors_stand_under_them() {
        let books = [
            BookWords {
                title: "Is",
                authors: "Per Ek",
            },
            BookWords {
                title: "Svampguiden för Värmland",
                authors: "Gunnel Ek",
            },
            BookWords {
                title: "Främlingsfientlighetens historia",
                authors: "Ann-Charlotte Wennerström",
            },
        ];
        for (w, h) in SIZES {
            let s = Scale::new(w, h);
            let (l, t) = covers(
                &s,
                &CoversWords {
                    heading: "Nytt på hyllan",
                    books: &books,
                    qr_text: Some("Fler nyheter i katalogen"),
                    modules: Some(41),
                    book_modules: None,
                },
            );
            let row = if s.portrait() { 1 } else { t.titles.len() };
            for group in [&t.titles[..row], &t.authors[..row]] {
                assert!(
                    group
                        .iter()
                        .all(|p| p.setting.size == group[0].setting.size)
                );
                assert!(group.iter().all(|p| p.align == group[0].align));
            }
            for (title, author) in t.titles.iter().zip(&t.authors) {
                assert_eq!(author.rect.y, title.rect.bottom(), "{w}x{h}");
                assert!(!title.setting.is_shortened() && !author.setting.is_shortened());
            }
            for p in std::iter::once(&t.heading)
                .chain(&t.titles)
                .chain(&t.authors)
                .chain(t.qr_text.iter())
            {
                lines_inside(p, s.screen());
            }
            // The words under a cover never run into the cover of the next row or the code.
            for (cell, title) in l.cells.iter().zip(&t.titles) {
                for (_, line) in title.lines() {
                    assert!(line.y >= cell.cover.bottom() || line.x >= cell.cover.right());
                    let apart = line.right() <= l.code.x + 0.5
                        || line.bottom() <= l.code.y + 0.5
                        || line.y >= l.code.bottom() - 0.5;
                    assert!(apart, "{w}x{h}: {line:?} and the code {:?}", l.code);
                }
            }
        }
    }

    #[test]
    fn a_headline_and_its_text_are_centred_as_one_block_in_their_area() {
        for (w, h) in SIZES {
            let s = Scale::new(w, h);
            let area = s.text(false).words;
            let t = words(
                &s,
                area,
                "Ändrade öppettider",
                Some("Under julhelgen har biblioteket stängt."),
            );
            let body = t.body.as_ref().unwrap();
            assert!(t.rule.bottom() <= t.headline.rect.y);
            assert!(t.headline.rect.bottom() <= body.rect.y);
            let (top, bottom) = (t.rule.y - area.y, area.bottom() - body.rect.bottom());
            assert!((top - bottom).abs() <= 1.0, "{w}x{h}: {top} {bottom}");
            lines_inside(&t.headline, area);
            lines_inside(body, area);
        }
    }
}
