//! The checker behind `vitrin check`: walks a parsed TOML document against its spec, reports every
//! problem at once with its place and a hint, and keeps whatever passed as typed [`Fields`].

use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::parse::{parse_byte_size, parse_public_key, tidy_path};
use super::{Field, Fields, Item, TableSpec, TaggedSpec, Ty, Value};
use crate::diagnostic::{Diagnostic, suggest};
use crate::duration::{Human, parse_duration};
use crate::media::{self, Media};
use crate::schedule::clock::{ClockError, DaySet, TimeWindow};
use crate::schedule::opening::OpeningLine;

/// Walks a parsed TOML document against a spec and collects every problem.
pub struct Checker<'a> {
    pub path: &'a Path,
    /// Relative media paths are resolved against this folder.
    pub base_dir: &'a Path,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    pub fn new(path: &'a Path, base_dir: &'a Path) -> Self {
        Self {
            path,
            base_dir,
            diagnostics: Vec::new(),
        }
    }

    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>, hint: Option<String>) {
        let mut d = Diagnostic::error(self.path, Some(span), message);
        d.hint = hint;
        self.diagnostics.push(d);
    }

    pub fn warning(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let mut d = Diagnostic::warning(self.path, Some(span), message);
        d.hint = hint;
        self.diagnostics.push(d);
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Parses `source` and checks it against `spec`. The fields come back even when there were
    /// errors, holding whatever passed, so that callers can keep checking across files.
    pub fn check_document(&mut self, source: &str, spec: &'static TableSpec) -> Fields {
        let (root, errors) = DeTable::parse_recoverable(source);
        for e in &errors {
            let span = e.span().unwrap_or(0..0);
            self.error(
                span,
                format!("TOML syntax: {}", e.message().trim_end_matches('\n')),
                Some(syntax_hint(e.message())),
            );
        }
        let syntax_ok = errors.is_empty();
        let before = self.diagnostics.len();
        let span = root.span();
        let fields = self.check_table(root.get_ref(), span, spec, syntax_ok, true);
        if !syntax_ok {
            // What the parser recovered around a syntax error is a guess: leave out problems it
            // would cause on the same line, so the syntax error stands alone.
            let lines: Vec<usize> = errors
                .iter()
                .filter_map(|e| e.span())
                .map(|s| source[..s.start.min(source.len())].matches('\n').count())
                .collect();
            let mut i = before;
            while i < self.diagnostics.len() {
                let line = self.diagnostics[i]
                    .span
                    .as_ref()
                    .map(|s| source[..s.start.min(source.len())].matches('\n').count());
                if line.is_some_and(|l| lines.contains(&l)) {
                    self.diagnostics.remove(i);
                } else {
                    i += 1;
                }
            }
        }
        fields
    }

    fn check_table(
        &mut self,
        table: &DeTable,
        span: Range<usize>,
        spec: &'static TableSpec,
        report_missing: bool,
        is_root: bool,
    ) -> Fields {
        let mut fields = Fields {
            span: span.clone(),
            ..Fields::default()
        };
        self.check_fields(
            table,
            &[spec.fields],
            spec.noun,
            &mut fields,
            report_missing.then_some(if is_root { 0..0 } else { span }),
        );
        if let Some(validate) = spec.validate {
            validate(&fields, self);
        }
        fields
    }

    fn check_fields(
        &mut self,
        table: &DeTable,
        groups: &[&'static [Field]],
        noun: &str,
        out: &mut Fields,
        missing_at: Option<Range<usize>>,
    ) {
        let all = || groups.iter().flat_map(|g| g.iter());
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            match all().find(|f| f.name == name) {
                Some(field) => {
                    if let Some(item) = self.check_value(value, &field.ty, field) {
                        out.map.insert(field.name, item);
                    }
                }
                None => {
                    let hint = match suggest(name, all().map(|f| f.name)) {
                        Some(s) => format!("did you mean \"{s}\"?"),
                        None => format!(
                            "a {noun} can have: {}",
                            all().map(|f| f.name).collect::<Vec<_>>().join(", ")
                        ),
                    };
                    self.error(
                        key.span(),
                        format!("unknown key \"{name}\" in {noun}"),
                        Some(hint),
                    );
                }
            }
        }
        if let Some(at) = missing_at {
            let present = |name: &str| table.iter().any(|(k, _)| k.get_ref().as_ref() == name);
            for field in all().filter(|f| f.required && !present(f.name)) {
                let mut d = Diagnostic::error(
                    self.path,
                    (at != (0..0)).then(|| at.clone()),
                    format!("{noun} is missing \"{}\"", field.name),
                );
                d.hint = Some(format!("add {} ({})", field.example, field.doc));
                self.diagnostics.push(d);
            }
        }
    }

    fn check_value(
        &mut self,
        v: &Spanned<DeValue>,
        ty: &'static Ty,
        field: &Field,
    ) -> Option<Item> {
        let span = v.span();
        let value = v.get_ref();
        let wrong_type = |this: &mut Self| {
            this.error(
                span.clone(),
                format!(
                    "\"{}\" should be {}, not {}",
                    field.name,
                    ty.describe(),
                    toml_type(value)
                ),
                Some(format!("write it like: {}", field.example)),
            );
            None
        };
        let item = |value| {
            Some(Item {
                span: span.clone(),
                value,
            })
        };
        match ty {
            Ty::Text => match value {
                DeValue::String(s) if !s.trim().is_empty() => item(Value::Text(s.to_string())),
                DeValue::String(_) => {
                    self.error(
                        span.clone(),
                        format!("\"{}\" is empty", field.name),
                        Some(format!("write some text, or leave out {}", field.name)),
                    );
                    None
                }
                _ => wrong_type(self),
            },
            Ty::Integer { min, max } => match value {
                DeValue::Integer(i) => {
                    let Ok(n) = i64::from_str_radix(i.as_str(), i.radix()) else {
                        return wrong_type(self);
                    };
                    if n < *min || n > *max {
                        self.error(
                            span.clone(),
                            format!(
                                "\"{}\" must be between {min} and {max}, not {n}",
                                field.name
                            ),
                            None,
                        );
                        return None;
                    }
                    item(Value::Integer(n))
                }
                DeValue::String(s) if s.trim().parse::<i64>().is_ok() => {
                    self.error(
                        span.clone(),
                        format!("\"{}\" should be a whole number, not text", field.name),
                        Some(format!("remove the quotes: {} = {}", field.name, s.trim())),
                    );
                    None
                }
                _ => wrong_type(self),
            },
            Ty::Bool => match value {
                DeValue::Boolean(b) => item(Value::Bool(*b)),
                _ => wrong_type(self),
            },
            Ty::Duration { min_ms, max_ms } => {
                let text = match value {
                    DeValue::String(s) => s.to_string(),
                    DeValue::Integer(i) => {
                        self.error(
                            span.clone(),
                            format!("\"{}\" needs a unit", field.name),
                            Some(format!(
                                "write {} = \"{}s\" for {} seconds",
                                field.name,
                                i.as_str(),
                                i.as_str()
                            )),
                        );
                        return None;
                    }
                    _ => return wrong_type(self),
                };
                match parse_duration(&text) {
                    Ok(d) => {
                        let ms = d.as_millis() as u64;
                        if ms < *min_ms || ms > *max_ms {
                            self.error(
                                span.clone(),
                                format!(
                                    "\"{}\" is {}, but must be between {} and {}",
                                    field.name,
                                    Human(d),
                                    Human(Duration::from_millis(*min_ms)),
                                    Human(Duration::from_millis(*max_ms))
                                ),
                                None,
                            );
                            return None;
                        }
                        item(Value::Duration(d))
                    }
                    Err(e) => {
                        self.error(span.clone(), e.to_string(), Some(e.hint().to_string()));
                        None
                    }
                }
            }
            Ty::Media { image } => {
                let DeValue::String(s) = value else {
                    return wrong_type(self);
                };
                self.check_media(s, *image, span.clone()).map(|m| Item {
                    span: span.clone(),
                    value: Value::Media(m),
                })
            }
            Ty::Url { qr } => {
                let DeValue::String(s) = value else {
                    return wrong_type(self);
                };
                let url = self.check_url(s, span.clone())?;
                if *qr {
                    self.check_qr_density(&url, span.clone());
                }
                item(Value::Url(url))
            }
            Ty::Enum { noun, values } => {
                let DeValue::String(s) = value else {
                    return wrong_type(self);
                };
                let s: &str = s;
                match values.iter().find(|v| **v == s) {
                    Some(v) => item(Value::Enum(v)),
                    None => {
                        let choices = values.join(", ");
                        let hint = match suggest(s, values.iter().copied()) {
                            Some(close) => {
                                format!("did you mean \"{close}\"? choose one of: {choices}")
                            }
                            None => format!("choose one of: {choices}"),
                        };
                        self.error(span.clone(), format!("unknown {noun} \"{s}\""), Some(hint));
                        None
                    }
                }
            }
            Ty::Date => match value {
                DeValue::Datetime(dt) => match (dt.date, dt.time) {
                    (Some(d), None) => {
                        match NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()) {
                            Some(date) => item(Value::Date(date)),
                            None => wrong_type(self),
                        }
                    }
                    _ => {
                        self.error(
                            span.clone(),
                            format!("\"{}\" should be a date without a time", field.name),
                            Some(format!("write it like: {}", field.example)),
                        );
                        None
                    }
                },
                DeValue::String(s) => match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
                    Ok(d) => item(Value::Date(d)),
                    Err(_) => {
                        self.error(
                            span.clone(),
                            format!("\"{s}\" is not a date"),
                            Some("write dates as year-month-day: 2026-12-24".into()),
                        );
                        None
                    }
                },
                _ => wrong_type(self),
            },
            Ty::Days => {
                let mut set = DaySet::NONE;
                let mut ok = true;
                for (text, span) in self.strings(v, field)? {
                    match DaySet::parse(&text) {
                        Ok(d) => set = set.union(d),
                        Err(e) => {
                            ok = false;
                            self.clock_error(span, e);
                        }
                    }
                }
                ok.then(|| Item {
                    span: span.clone(),
                    value: Value::Days(set),
                })
            }
            Ty::Hours => {
                let mut windows = Vec::new();
                let mut ok = true;
                for (text, span) in self.strings(v, field)? {
                    for part in text.split(',').filter(|p| !p.trim().is_empty()) {
                        match TimeWindow::parse(part) {
                            Ok(w) => windows.push(w),
                            Err(e) => {
                                ok = false;
                                self.clock_error(span.clone(), e);
                            }
                        }
                    }
                }
                ok.then(|| Item {
                    span: span.clone(),
                    value: Value::Hours(windows),
                })
            }
            Ty::Opening => {
                let mut lines = Vec::new();
                let mut ok = true;
                for (text, span) in self.strings(v, field)? {
                    match OpeningLine::parse(&text) {
                        Ok(line) => lines.push(line),
                        Err(e) => {
                            ok = false;
                            self.clock_error(span, e);
                        }
                    }
                }
                ok.then(|| Item {
                    span: span.clone(),
                    value: Value::Opening(lines),
                })
            }
            Ty::Timezone => {
                let DeValue::String(s) = value else {
                    return wrong_type(self);
                };
                match s.parse::<chrono_tz::Tz>() {
                    Ok(tz) => item(Value::Timezone(tz)),
                    Err(_) => {
                        let hint = suggest(s, chrono_tz::TZ_VARIANTS.iter().map(|t| t.name()))
                            .map(|t| format!("did you mean \"{t}\"?"))
                            .unwrap_or_else(|| {
                                "use an IANA time zone name like \"Europe/Stockholm\"".into()
                            });
                        self.error(
                            span.clone(),
                            format!("unknown time zone \"{s}\""),
                            Some(hint),
                        );
                        None
                    }
                }
            }
            Ty::Size => {
                let DeValue::String(s) = value else {
                    return wrong_type(self);
                };
                match parse_byte_size(s) {
                    Some(n) => item(Value::Size(n)),
                    None => {
                        self.error(
                            span.clone(),
                            format!("\"{s}\" is not a size"),
                            Some("write sizes like \"500 MB\" or \"2 GB\"".into()),
                        );
                        None
                    }
                }
            }
            Ty::Path => {
                let DeValue::String(s) = value else {
                    return wrong_type(self);
                };
                item(Value::Path(tidy_path(
                    &self.base_dir.join(s.as_ref() as &str),
                )))
            }
            Ty::PublicKey => {
                let DeValue::String(s) = value else {
                    return wrong_type(self);
                };
                match parse_public_key(s) {
                    Some(k) => item(Value::PublicKey(k)),
                    None => {
                        self.error(
                            span.clone(),
                            format!("\"{}\" is not an ed25519 public key", field.name),
                            Some(
                                "copy the 64 hex digits that `vitrin keygen` printed as the public key"
                                    .into(),
                            ),
                        );
                        None
                    }
                }
            }
            Ty::List {
                item: inner,
                min,
                single,
            } => {
                let items: Vec<&Spanned<DeValue>> = match value {
                    DeValue::Array(a) => a.iter().collect(),
                    _ if *single => vec![v],
                    _ => return wrong_type(self),
                };
                let mut out = Vec::new();
                for element in items {
                    if let Some(i) = self.check_value(element, inner, field) {
                        out.push(i);
                    }
                }
                if out.len() < *min && matches!(value, DeValue::Array(a) if a.len() < *min) {
                    self.error(
                        span.clone(),
                        format!(
                            "\"{}\" needs at least {min} {}",
                            field.name,
                            if *min == 1 { "entry" } else { "entries" }
                        ),
                        Some(format!("write it like: {}", field.example)),
                    );
                }
                item(Value::List(out))
            }
            Ty::Table(spec) => {
                let DeValue::Table(t) = value else {
                    return wrong_type(self);
                };
                let fields = self.check_table(t, span.clone(), spec, true, false);
                item(Value::Table(fields))
            }
            Ty::Tagged(spec) => {
                let DeValue::Table(t) = value else {
                    return wrong_type(self);
                };
                self.check_tagged(t, span.clone(), spec).map(|f| Item {
                    span: span.clone(),
                    value: Value::Table(f),
                })
            }
            Ty::Either(options) => {
                let chosen = options.iter().find(|o| o.accepts(value));
                match chosen {
                    Some(o) => self.check_value(v, o, field),
                    None => wrong_type(self),
                }
            }
        }
    }

    fn check_tagged(
        &mut self,
        table: &DeTable,
        span: Range<usize>,
        spec: &'static TaggedSpec,
    ) -> Option<Fields> {
        let names = || spec.variants.iter().map(|v| v.name);
        let tag = table.iter().find(|(k, _)| k.get_ref().as_ref() == spec.tag);
        let Some((tag_key, tag_value)) = tag else {
            self.error(
                span,
                format!("{} is missing \"{}\"", spec.noun, spec.tag),
                Some(format!(
                    "add {} = \"...\" with one of: {}",
                    spec.tag,
                    names().collect::<Vec<_>>().join(", ")
                )),
            );
            return None;
        };
        let Some(tag_text) = tag_value.get_ref().as_str() else {
            self.error(
                tag_value.span(),
                format!(
                    "\"{}\" should be text, not {}",
                    spec.tag,
                    toml_type(tag_value.get_ref())
                ),
                Some(format!(
                    "write it like: {} = \"{}\"",
                    spec.tag, spec.variants[0].name
                )),
            );
            return None;
        };
        let Some(variant) = spec.variant(tag_text) else {
            let choices = names().collect::<Vec<_>>().join(", ");
            let hint = match suggest(tag_text, names()) {
                Some(s) => format!("did you mean \"{s}\"? kinds are: {choices}"),
                None => format!("kinds are: {choices}"),
            };
            self.error(
                tag_value.span(),
                format!("unknown {} {} \"{tag_text}\"", spec.noun, spec.tag),
                Some(hint),
            );
            return None;
        };
        let mut fields = Fields {
            span: span.clone(),
            variant: Some(variant.name),
            ..Fields::default()
        };
        let noun = format!("{} of {} \"{}\"", spec.noun, spec.tag, variant.name);
        self.check_fields(
            table,
            &[spec.common, variant.fields],
            &noun,
            &mut fields,
            Some(tag_key.span().start..tag_value.span().end),
        );
        if let Some(validate) = variant.validate {
            validate(&fields, self);
        }
        Some(fields)
    }

    /// A string or a list of strings, each with its span.
    fn strings(
        &mut self,
        v: &Spanned<DeValue>,
        field: &Field,
    ) -> Option<Vec<(String, Range<usize>)>> {
        let one = |v: &Spanned<DeValue>| v.get_ref().as_str().map(|s| (s.to_string(), v.span()));
        let out: Option<Vec<_>> = match v.get_ref() {
            DeValue::String(_) => one(v).map(|s| vec![s]),
            DeValue::Array(a) => a.iter().map(one).collect(),
            _ => None,
        };
        if out.is_none() {
            self.error(
                v.span(),
                format!(
                    "\"{}\" should be text or a list of texts, not {}",
                    field.name,
                    toml_type(v.get_ref())
                ),
                Some(format!("write it like: {}", field.example)),
            );
        }
        out
    }

    fn clock_error(&mut self, span: Range<usize>, e: ClockError) {
        let hint = e.hint().to_string();
        let hint = match &e {
            ClockError::UnknownDay(d) => match suggest(d, crate::schedule::clock::day_names()) {
                Some(s) => format!("did you mean \"{s}\"? {hint}"),
                None => hint,
            },
            _ => hint,
        };
        self.error(span, e.to_string(), Some(hint));
    }

    fn check_url(&mut self, text: &str, span: Range<usize>) -> Option<String> {
        match media::parse_web_url(text) {
            Ok(url) => Some(url),
            Err(why) => {
                self.error(
                    span,
                    format!("\"{text}\" is not a valid web address: {why}"),
                    Some("web addresses look like https://bibliotekvarmland.se/...".into()),
                );
                None
            }
        }
    }

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

    fn check_media(&mut self, text: &str, image: bool, span: Range<usize>) -> Option<Media> {
        let trimmed = text.trim();
        if trimmed.contains("://") {
            return self.check_url(trimmed, span).map(Media::Url);
        }
        let path = tidy_path(&self.base_dir.join(trimmed));
        if !path.is_file() {
            let folder = display_dir(self.base_dir);
            self.error(
                span,
                format!("file \"{trimmed}\" does not exist"),
                Some(format!(
                    "paths are relative to the folder this file is in: {folder}"
                )),
            );
            return None;
        }
        if image && let Err(e) = media::probe_image(&path) {
            self.error(
                span,
                format!("\"{trimmed}\" cannot be shown: {e}"),
                Some(e.hint().to_string()),
            );
            return None;
        }
        Some(Media::File(path))
    }
}

fn display_dir(dir: &Path) -> String {
    let s = dir.display().to_string();
    if s.is_empty() {
        "the current folder".into()
    } else {
        format!("{s}/")
    }
}

fn syntax_hint(message: &str) -> String {
    if message.contains("duplicate key") {
        "each key may appear only once in a table".into()
    } else if message.contains("string") || message.contains('"') {
        "text must be in double quotes, and every opening quote needs a closing one".into()
    } else {
        "check the quotes, brackets and = signs on this line".into()
    }
}

/// "a string", "an integer" ...: how TOML calls the type of a value.
fn toml_type(v: &DeValue) -> &'static str {
    match v {
        DeValue::String(_) => "text",
        DeValue::Integer(_) => "a whole number",
        DeValue::Float(_) => "a decimal number",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
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
