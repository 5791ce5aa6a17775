//! Checking one value against its [`Ty`]: one function per kind of value, each saying what was
//! wrong and how to write it instead, or giving back the typed [`Value`].

use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use toml::Spanned;
use toml::de::DeValue;

use super::{Checker, toml_type};
use crate::calendar::clock::{ClockError, DaySet, TimeWindow};
use crate::calendar::opening::OpeningLine;
use crate::diagnostic::suggest;
use crate::media::{self, Media};
use crate::signing::parse_public_key;
use crate::spec::parse::tidy_path;
use crate::spec::{Field, Item, Ty, Value};
use crate::units::parse_byte_size;
use crate::units::{Human, parse_duration};

/// Why a value did not pass its check.
enum Rejected {
    /// It is the wrong kind of TOML value: [`Checker::check_value`] reports what it should be.
    WrongType,
    /// What is wrong with it has already been reported.
    Reported,
}

type Checked = Result<Value, Rejected>;

/// The text of a TOML string; any other kind of value is of the wrong type.
fn text<'a>(value: &'a DeValue<'_>) -> Result<&'a str, Rejected> {
    match value {
        DeValue::String(s) => Ok(s.as_ref()),
        _ => Err(Rejected::WrongType),
    }
}

impl Checker<'_> {
    /// Checks the value of `field` against `ty`, reporting every problem. `None` when it did not
    /// pass.
    pub(super) fn check_value(
        &mut self,
        v: &Spanned<DeValue>,
        ty: &'static Ty,
        field: &Field,
    ) -> Option<Item> {
        match self.check_as(v, ty, field) {
            Ok(value) => Some(Item {
                span: v.span(),
                value,
            }),
            Err(Rejected::WrongType) => {
                self.error(
                    v.span(),
                    format!(
                        "\"{}\" should be {}, not {}",
                        field.name,
                        ty.describe(),
                        toml_type(v.get_ref())
                    ),
                    Some(format!("write it like: {}", field.example)),
                );
                None
            }
            Err(Rejected::Reported) => None,
        }
    }

    /// Picks the check for `ty`.
    fn check_as(&mut self, v: &Spanned<DeValue>, ty: &'static Ty, field: &Field) -> Checked {
        let span = v.span();
        let value = v.get_ref();
        match ty {
            Ty::Text => self.check_text(text(value)?, span, field),
            Ty::Integer { min, max } => self.check_integer(value, span, field, *min, *max),
            Ty::Bool => match value {
                DeValue::Boolean(b) => Ok(Value::Bool(*b)),
                _ => Err(Rejected::WrongType),
            },
            Ty::Duration { min_ms, max_ms } => {
                self.check_duration(value, span, field, *min_ms, *max_ms)
            }
            Ty::Media { image } => self.check_media(text(value)?, *image, span),
            Ty::Url { qr } => self.check_url(text(value)?, *qr, span),
            Ty::Enum { noun, values } => self.check_word(text(value)?, noun, values, span),
            Ty::Date => self.check_date(value, span, field),
            Ty::Days => {
                let days = self.clock_parts(v, field, |t| vec![DaySet::parse(t)])?;
                Ok(Value::Days(
                    days.into_iter().fold(DaySet::NONE, DaySet::union),
                ))
            }
            Ty::Hours => self
                .clock_parts(v, field, |t| {
                    (t.split(',').filter(|p| !p.trim().is_empty()))
                        .map(TimeWindow::parse)
                        .collect()
                })
                .map(Value::Hours),
            Ty::Opening => self
                .clock_parts(v, field, |t| vec![OpeningLine::parse(t)])
                .map(Value::Opening),
            Ty::Timezone => self.check_timezone(text(value)?, span),
            Ty::Size => self.check_size(text(value)?, span),
            Ty::Length { min_mm, max_mm } => {
                self.check_length(text(value)?, span, *min_mm, *max_mm)
            }
            Ty::Path => Ok(Value::Path(tidy_path(&self.base_dir.join(text(value)?)))),
            Ty::PublicKey => self.check_public_key(text(value)?, span, field),
            Ty::List { item, min, single } => self.check_list(v, item, *min, *single, field),
            Ty::Table(spec) => {
                let DeValue::Table(t) = value else {
                    return Err(Rejected::WrongType);
                };
                Ok(Value::Table(self.check_table(t, span, spec, true, false)))
            }
            Ty::Tagged(spec) => {
                let DeValue::Table(t) = value else {
                    return Err(Rejected::WrongType);
                };
                let fields = self.check_tagged(t, span, spec);
                fields.map(Value::Table).ok_or(Rejected::Reported)
            }
            // The option that fits the kind of TOML value is checked as if it were the field's
            // type, so that a wrong value is told what that option wanted.
            Ty::Either(options) => match options.iter().find(|o| o.accepts(value)) {
                Some(o) => (self.check_value(v, o, field))
                    .map(|i| i.value)
                    .ok_or(Rejected::Reported),
                None => Err(Rejected::WrongType),
            },
        }
    }

    /// Reports an error about the value at `span` and rejects it.
    fn reject<T>(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Result<T, Rejected> {
        self.error(span, message, hint);
        Err(Rejected::Reported)
    }

    fn check_text(&mut self, text: &str, span: Range<usize>, field: &Field) -> Checked {
        if text.trim().is_empty() {
            return self.reject(
                span,
                format!("\"{}\" is empty", field.name),
                Some(format!("write some text, or leave out {}", field.name)),
            );
        }
        Ok(Value::Text(text.to_string()))
    }

    fn check_integer(
        &mut self,
        value: &DeValue,
        span: Range<usize>,
        field: &Field,
        min: i64,
        max: i64,
    ) -> Checked {
        let n = match value {
            DeValue::Integer(i) => {
                i64::from_str_radix(i.as_str(), i.radix()).map_err(|_| Rejected::WrongType)?
            }
            DeValue::String(s) if s.trim().parse::<i64>().is_ok() => {
                return self.reject(
                    span,
                    format!("\"{}\" should be a whole number, not text", field.name),
                    Some(format!("remove the quotes: {} = {}", field.name, s.trim())),
                );
            }
            _ => return Err(Rejected::WrongType),
        };
        if !(min..=max).contains(&n) {
            return self.reject(
                span,
                format!(
                    "\"{}\" must be between {min} and {max}, not {n}",
                    field.name
                ),
                None,
            );
        }
        Ok(Value::Integer(n))
    }

    fn check_duration(
        &mut self,
        value: &DeValue,
        span: Range<usize>,
        field: &Field,
        min_ms: u64,
        max_ms: u64,
    ) -> Checked {
        let text: &str = match value {
            DeValue::String(s) => s,
            DeValue::Integer(i) => {
                return self.reject(
                    span,
                    format!("\"{}\" needs a unit", field.name),
                    Some(format!(
                        "write {} = \"{}s\" for {} seconds",
                        field.name,
                        i.as_str(),
                        i.as_str()
                    )),
                );
            }
            _ => return Err(Rejected::WrongType),
        };
        let d = match parse_duration(text) {
            Ok(d) => d,
            Err(e) => return self.reject(span, e.to_string(), Some(e.hint().to_string())),
        };
        if !(min_ms..=max_ms).contains(&(d.as_millis() as u64)) {
            return self.reject(
                span,
                format!(
                    "\"{}\" is {}, but must be between {} and {}",
                    field.name,
                    Human(d),
                    Human(Duration::from_millis(min_ms)),
                    Human(Duration::from_millis(max_ms))
                ),
                None,
            );
        }
        Ok(Value::Duration(d))
    }

    /// A file next to the TOML file (that decodes, for `image`), or a web address.
    fn check_media(&mut self, text: &str, image: bool, span: Range<usize>) -> Checked {
        let trimmed = text.trim();
        if trimmed.contains("://") {
            let url = self.web_address(trimmed, span)?;
            return Ok(Value::Media(Media::Url(url)));
        }
        let path = tidy_path(&self.base_dir.join(trimmed));
        match std::fs::metadata(&path) {
            Ok(meta) => {
                if let Some(why) = crate::fsutil::not_plain(&meta) {
                    let hint = if meta.is_dir() {
                        "name a file in it"
                    } else {
                        "name a picture, list or calendar saved as a file"
                    };
                    return self.reject(span, format!("\"{trimmed}\" {why}"), Some(hint.into()));
                }
            }
            Err(_) => {
                let folder = display_dir(self.base_dir);
                return self.reject(
                    span,
                    format!("file \"{trimmed}\" does not exist"),
                    Some(format!(
                        "paths are relative to the folder this file is in: {folder}"
                    )),
                );
            }
        }
        if image && let Err(e) = media::probe_image(&path) {
            return self.reject(
                span,
                format!("\"{trimmed}\" cannot be shown: {e}"),
                Some(e.hint().to_string()),
            );
        }
        Ok(Value::Media(Media::File(path)))
    }

    fn check_url(&mut self, text: &str, qr: bool, span: Range<usize>) -> Checked {
        let url = self.web_address(text, span.clone())?;
        if qr {
            self.check_qr_density(&url, span);
        }
        Ok(Value::Url(url))
    }

    fn web_address(&mut self, text: &str, span: Range<usize>) -> Result<String, Rejected> {
        media::parse_web_url(text).or_else(|why| {
            self.reject(
                span,
                format!("\"{text}\" is not a valid web address: {why}"),
                Some("web addresses look like https://bibliotekvarmland.se/...".into()),
            )
        })
    }

    /// Warns when a link is too long for its QR code to be scanned from a distance.
    fn check_qr_density(&mut self, url: &str, span: Range<usize>) {
        let version = crate::qr::version_for(url);
        if version.is_none_or(|v| v > crate::qr::MAX_COMFORTABLE_VERSION) {
            let needs = version.map_or("more than version 40".to_string(), |v| {
                format!("version {v}")
            });
            self.warning(
                span,
                format!(
                    "this link is {} characters long; its QR code would need {needs}, too dense to scan from across the room",
                    url.chars().count()
                ),
                Some(format!(
                    "use a short link (a QR code up to version {} holds about 210 characters)",
                    crate::qr::MAX_COMFORTABLE_VERSION
                )),
            );
        }
    }

    /// One of a fixed set of words.
    fn check_word(
        &mut self,
        word: &str,
        noun: &str,
        values: &'static [&'static str],
        span: Range<usize>,
    ) -> Checked {
        if let Some(known) = values.iter().copied().find(|v| *v == word) {
            return Ok(Value::Enum(known));
        }
        let choices = values.join(", ");
        let hint = match suggest(word, values.iter().copied()) {
            Some(close) => format!("did you mean \"{close}\"? choose one of: {choices}"),
            None => format!("choose one of: {choices}"),
        };
        self.reject(span, format!("unknown {noun} \"{word}\""), Some(hint))
    }

    /// A TOML date, or a date written as text.
    fn check_date(&mut self, value: &DeValue, span: Range<usize>, field: &Field) -> Checked {
        match value {
            DeValue::Datetime(dt) => match (dt.date, dt.time) {
                (Some(d), None) => {
                    NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
                        .map(Value::Date)
                        .ok_or(Rejected::WrongType)
                }
                _ => self.reject(
                    span,
                    format!("\"{}\" should be a date without a time", field.name),
                    Some(format!("write it like: {}", field.example)),
                ),
            },
            DeValue::String(s) => match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
                Ok(d) => Ok(Value::Date(d)),
                Err(_) => self.reject(
                    span,
                    format!("\"{s}\" is not a date"),
                    Some("write dates as year-month-day: 2026-12-24".into()),
                ),
            },
            _ => Err(Rejected::WrongType),
        }
    }

    /// Days, hours or opening lines: `parse` reads one string (of a string or a list of them)
    /// into its parts. Every part that fails is reported; the parts come back only if all passed.
    fn clock_parts<T>(
        &mut self,
        v: &Spanned<DeValue>,
        field: &Field,
        parse: impl Fn(&str) -> Vec<Result<T, ClockError>>,
    ) -> Result<Vec<T>, Rejected> {
        let mut parts = Vec::new();
        let mut ok = true;
        for (text, span) in self.strings(v, field)? {
            for part in parse(&text) {
                match part {
                    Ok(p) => parts.push(p),
                    Err(e) => {
                        ok = false;
                        self.clock_error(span.clone(), e);
                    }
                }
            }
        }
        if ok {
            Ok(parts)
        } else {
            Err(Rejected::Reported)
        }
    }

    /// A string or a list of strings, each with its span.
    fn strings(
        &mut self,
        v: &Spanned<DeValue>,
        field: &Field,
    ) -> Result<Vec<(String, Range<usize>)>, Rejected> {
        let one = |v: &Spanned<DeValue>| v.get_ref().as_str().map(|s| (s.to_string(), v.span()));
        let out: Option<Vec<_>> = match v.get_ref() {
            DeValue::String(_) => one(v).map(|s| vec![s]),
            DeValue::Array(a) => a.iter().map(one).collect(),
            _ => None,
        };
        match out {
            Some(strings) => Ok(strings),
            None => self.reject(
                v.span(),
                format!(
                    "\"{}\" should be text or a list of texts, not {}",
                    field.name,
                    toml_type(v.get_ref())
                ),
                Some(format!("write it like: {}", field.example)),
            ),
        }
    }

    fn clock_error(&mut self, span: Range<usize>, e: ClockError) {
        let hint = e.hint().to_string();
        let hint = match &e {
            ClockError::UnknownDay(d) => match suggest(d, crate::calendar::clock::day_names()) {
                Some(s) => format!("did you mean \"{s}\"? {hint}"),
                None => hint,
            },
            _ => hint,
        };
        self.error(span, e.to_string(), Some(hint));
    }

    fn check_timezone(&mut self, name: &str, span: Range<usize>) -> Checked {
        if let Ok(tz) = name.parse::<chrono_tz::Tz>() {
            return Ok(Value::Timezone(tz));
        }
        let hint = suggest(name, chrono_tz::TZ_VARIANTS.iter().map(|t| t.name()))
            .map(|t| format!("did you mean \"{t}\"?"))
            .unwrap_or_else(|| "use an IANA time zone name like \"Europe/Stockholm\"".into());
        self.reject(span, format!("unknown time zone \"{name}\""), Some(hint))
    }

    fn check_size(&mut self, text: &str, span: Range<usize>) -> Checked {
        match parse_byte_size(text) {
            Some(n) => Ok(Value::Size(n)),
            None => self.reject(
                span,
                format!("\"{text}\" is not a size"),
                Some("write sizes like \"500 MB\" or \"2 GB\"".into()),
            ),
        }
    }

    fn check_length(&mut self, text: &str, span: Range<usize>, min: u64, max: u64) -> Checked {
        let shown = |mm: u64| {
            if mm >= 1000 {
                format!("{} m", mm as f64 / 1000.0)
            } else {
                format!("{} cm", mm as f64 / 10.0)
            }
        };
        match crate::units::parse_length_mm(text) {
            Some(mm) if (min as f64..=max as f64).contains(&mm) => Ok(Value::Length(mm as u64)),
            Some(_) => self.reject(
                span,
                format!("\"{text}\" is out of range"),
                Some(format!(
                    "give a length from {} to {}",
                    shown(min),
                    shown(max)
                )),
            ),
            None => self.reject(
                span,
                format!("\"{text}\" is not a length"),
                Some("write lengths with a unit, like \"3m\", \"250cm\" or \"55in\"".into()),
            ),
        }
    }

    fn check_public_key(&mut self, text: &str, span: Range<usize>, field: &Field) -> Checked {
        match parse_public_key(text).ok() {
            Some(k) => Ok(Value::PublicKey(k)),
            None => self.reject(
                span,
                format!("\"{}\" is not an ed25519 public key", field.name),
                Some(
                    "copy the 64 hex digits that `vitrin keygen` printed as the public key".into(),
                ),
            ),
        }
    }

    /// A list whose entries are checked one by one; when `single`, a lone value is a list of one.
    /// The entries that passed are kept even when others did not.
    fn check_list(
        &mut self,
        v: &Spanned<DeValue>,
        item: &'static Ty,
        min: usize,
        single: bool,
        field: &Field,
    ) -> Checked {
        let value = v.get_ref();
        let entries: Vec<&Spanned<DeValue>> = match value {
            DeValue::Array(a) => a.iter().collect(),
            _ if single => vec![v],
            _ => return Err(Rejected::WrongType),
        };
        let items: Vec<Item> = entries
            .into_iter()
            .filter_map(|entry| self.check_value(entry, item, field))
            .collect();
        if items.len() < min && matches!(value, DeValue::Array(a) if a.len() < min) {
            self.error(
                v.span(),
                format!(
                    "\"{}\" needs at least {min} {}",
                    field.name,
                    if min == 1 { "entry" } else { "entries" }
                ),
                Some(format!("write it like: {}", field.example)),
            );
        }
        Ok(Value::List(items))
    }
}

impl Ty {
    /// Whether a TOML value has the right shape to be checked as this type (used by `Either`).
    fn accepts(&self, v: &DeValue) -> bool {
        match self {
            Ty::Table(_) | Ty::Tagged(_) => v.is_table(),
            Ty::List { .. } => v.is_array(),
            Ty::Integer { .. } => v.is_integer(),
            Ty::Bool => v.is_bool(),
            Ty::Date => v.is_datetime() || v.is_str(),
            Ty::Either(options) => options.iter().any(|o| o.accepts(v)),
            _ => v.is_str(),
        }
    }
}

/// A folder as messages show it: `playlists/`, or "the current folder".
fn display_dir(dir: &Path) -> String {
    let s = dir.display().to_string();
    if s.is_empty() {
        "the current folder".into()
    } else {
        format!("{s}/")
    }
}
