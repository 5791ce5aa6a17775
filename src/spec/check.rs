//! The checker behind `vitrin check`: walks a parsed TOML document against its spec, reports every
//! problem at once with its place and a hint, and keeps whatever passed as typed [`Fields`].
//! How each single value is checked is in `value.rs`.

mod value;

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::{Field, Fields, TableSpec, TaggedSpec, Variant};
use crate::diagnostic::{Diagnostic, LineIndex, suggest};

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
            let index = LineIndex::new(source);
            let lines: HashSet<usize> = errors
                .iter()
                .filter_map(|e| e.span())
                .map(|s| index.line(s.start))
                .collect();
            let on_those_lines = |d: &Diagnostic| {
                d.span
                    .as_ref()
                    .is_some_and(|s| lines.contains(&index.line(s.start)))
            };
            let after = self.diagnostics.split_off(before);
            self.diagnostics
                .extend(after.into_iter().filter(|d| !on_those_lines(d)));
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

    /// Checks the keys of `table` against the fields of `groups`, into `out`. Required fields
    /// that are absent are reported at `missing_at` (`0..0` for the whole file), if given.
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
                None => self.unknown_key(name, key.span(), noun, all().map(|f| f.name)),
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

    fn unknown_key<'k>(
        &mut self,
        name: &str,
        span: Range<usize>,
        noun: &str,
        known: impl Iterator<Item = &'k str> + Clone,
    ) {
        let hint = match suggest(name, known.clone()) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => format!(
                "a {noun} can have: {}",
                known.collect::<Vec<_>>().join(", ")
            ),
        };
        self.error(
            span,
            format!("unknown key \"{name}\" in {noun}"),
            Some(hint),
        );
    }

    /// Checks a table whose `spec.tag` key names its variant; `None` when the tag is missing or
    /// names no variant.
    fn check_tagged(
        &mut self,
        table: &DeTable,
        span: Range<usize>,
        spec: &'static TaggedSpec,
    ) -> Option<Fields> {
        let (variant, tag_span) = self.variant_of(table, span.clone(), spec)?;
        let mut fields = Fields {
            span,
            variant: Some(variant.name),
            ..Fields::default()
        };
        let noun = format!("{} of {} \"{}\"", spec.noun, spec.tag, variant.name);
        self.check_fields(
            table,
            &[spec.common, variant.fields],
            &noun,
            &mut fields,
            Some(tag_span),
        );
        if let Some(validate) = variant.validate {
            validate(&fields, self);
        }
        Some(fields)
    }

    /// The variant a tagged table's tag names, and where the `tag = "..."` is written.
    fn variant_of(
        &mut self,
        table: &DeTable,
        span: Range<usize>,
        spec: &'static TaggedSpec,
    ) -> Option<(&'static Variant, Range<usize>)> {
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
        Some((variant, tag_key.span().start..tag_value.span().end))
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

/// "text", "a whole number" ...: what a TOML value is, in words staff use.
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
