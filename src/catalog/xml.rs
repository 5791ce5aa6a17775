//! A small XML tree for catalog documents: elements with resolved namespaces, attributes and text,
//! in any encoding the document declares. Entity references are resolved, HTML ones too (feeds
//! put `&nbsp;` in descriptions). A document that ends before its elements do is an error, so a
//! truncated download is never taken for a short list.

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

/// An element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// The namespace URI ("" when none).
    pub ns: String,
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

/// A child of an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("malformed XML at line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the document is cut off: <{open}> is never closed")]
    Truncated { open: String },
    #[error("the document is empty")]
    Empty,
}

pub const ATOM: &str = "http://www.w3.org/2005/Atom";
pub const DC: &str = "http://purl.org/dc/elements/1.1/";
pub const MEDIA: &str = "http://search.yahoo.com/mrss/";
pub const MARC: &str = "http://www.loc.gov/MARC21/slim";
pub const RSS1: &str = "http://purl.org/rss/1.0/";
pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

fn position(bytes: &[u8], offset: u64) -> (usize, usize) {
    let offset = (offset as usize).min(bytes.len());
    let before = &bytes[..offset];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    (line, offset - line_start + 1)
}

/// Parses a whole document and returns its root element.
pub fn parse(bytes: &[u8]) -> Result<Element, XmlError> {
    let mut reader = NsReader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let syntax = |reader: &NsReader<&[u8]>, message: String| {
        let (line, column) = position(bytes, reader.error_position());
        XmlError::Syntax {
            line,
            column,
            message,
        }
    };
    loop {
        let (ns, event) = match reader.read_resolved_event_into(&mut buf) {
            Ok((ns, e)) => (ns_string(&ns), e),
            Err(e) => return Err(syntax(&reader, e.to_string())),
        };
        let is_empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(start) | Event::Empty(start) => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                let mut attrs = Vec::new();
                for attr in start.attributes().with_checks(false).flatten() {
                    let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
                    let value = attr
                        .decoded_and_normalized_value_with(
                            quick_xml::XmlVersion::Implicit1_0,
                            start.decoder(),
                            8,
                            html_entity,
                        )
                        .map(|v| v.into_owned())
                        .unwrap_or_else(|_| String::from_utf8_lossy(&attr.value).into_owned());
                    attrs.push((key, value));
                }
                let element = Element {
                    ns,
                    name,
                    attrs,
                    children: Vec::new(),
                };
                if is_empty {
                    attach(&mut stack, &mut root, element);
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                let element = stack.pop().expect("quick-xml checks end names");
                attach(&mut stack, &mut root, element);
            }
            Event::Text(t) => {
                let text = t
                    .xml10_content()
                    .map_err(|e| syntax(&reader, e.to_string()))?;
                push_text(&mut stack, &text);
            }
            Event::CData(c) => {
                let text = c.decode().map_err(|e| syntax(&reader, e.to_string()))?;
                push_text(&mut stack, &text);
            }
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let name = r.decode().map_err(|e| syntax(&reader, e.to_string()))?;
                        named_entity(&name)
                    }
                };
                push_text(&mut stack, &text);
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if let Some(open) = stack.last() {
        return Err(XmlError::Truncated {
            open: open.name.clone(),
        });
    }
    root.ok_or(XmlError::Empty)
}

fn ns_string(ns: &ResolveResult) -> String {
    match ns {
        ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
        _ => String::new(),
    }
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(element)),
        None => {
            root.get_or_insert(element);
        }
    }
}

fn push_text(stack: &mut [Element], text: &str) {
    if let Some(current) = stack.last_mut() {
        match current.children.last_mut() {
            Some(Node::Text(t)) => t.push_str(text),
            _ => current.children.push(Node::Text(text.to_string())),
        }
    }
}

/// The five XML entities and the HTML ones feeds use most, for attribute values.
fn html_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => "\u{a0}",
        "ndash" => "–",
        "mdash" => "—",
        "hellip" => "…",
        "laquo" => "«",
        "raquo" => "»",
        "lsquo" => "‘",
        "rsquo" => "’",
        "ldquo" => "“",
        "rdquo" => "”",
        "aring" => "å",
        "Aring" => "Å",
        "auml" => "ä",
        "Auml" => "Ä",
        "ouml" => "ö",
        "Ouml" => "Ö",
        "eacute" => "é",
        "uuml" => "ü",
        "copy" => "©",
        "middot" => "·",
        _ => return None,
    })
}

/// Any named entity in text: the table above, then HTML's full list.
fn named_entity(name: &str) -> String {
    if let Some(s) = html_entity(name) {
        return s.to_string();
    }
    html_escape::decode_html_entities(&format!("&{name};")).into_owned()
}

impl Element {
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    /// Child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// Child elements with this namespace and name.
    pub fn all<'a>(&'a self, ns: &'a str, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |e| e.is(ns, name))
    }

    pub fn first(&self, ns: &str, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.is(ns, name))
    }

    /// Every descendant (depth first) with this namespace and name.
    pub fn descendants<'a>(&'a self, ns: &'a str, name: &'a str) -> Vec<&'a Element> {
        let mut out = Vec::new();
        for e in self.elements() {
            if e.is(ns, name) {
                out.push(e);
            }
            out.extend(e.descendants(ns, name));
        }
        out
    }

    /// An attribute by its name as written (`href`, `xml:base`).
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// All text inside, trimmed.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out.trim().to_string()
    }

    fn collect_text(&self, out: &mut String) {
        for n in &self.children {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => e.collect_text(out),
            }
        }
    }

    /// The text of the first child with this name, if any and not empty.
    pub fn child_text(&self, ns: &str, name: &str) -> Option<String> {
        self.first(ns, name)
            .map(Element::text)
            .filter(|t| !t.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_entities_and_cdata() {
        let doc = br#"<?xml version="1.0"?>
<rss xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><item>
<title>R&amp;B &#229;t alla</title><dc:identifier>ISBN:1</dc:identifier>
<description><![CDATA[<p>By Lindgren, Astrid.</p>]]>&nbsp;x</description>
</item></channel></rss>"#;
        let root = parse(doc).unwrap();
        let item = &root.descendants("", "item")[0];
        assert_eq!(item.child_text("", "title").unwrap(), "R&B åt alla");
        assert_eq!(item.child_text(DC, "identifier").unwrap(), "ISBN:1");
        assert_eq!(
            item.child_text("", "description").unwrap(),
            "<p>By Lindgren, Astrid.</p>\u{a0}x"
        );
    }

    #[test]
    fn latin1_documents_are_decoded() {
        let mut doc = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>".to_vec();
        doc.extend_from_slice(b"V\xe4rmland</t>");
        assert_eq!(parse(&doc).unwrap().text(), "Värmland");
    }

    #[test]
    fn cut_off_documents_are_errors() {
        assert_eq!(
            parse(b"<rss><channel><item><title>x</title>"),
            Err(XmlError::Truncated {
                open: "item".into()
            })
        );
        assert!(matches!(
            parse(b"<a></b>"),
            Err(XmlError::Syntax { line: 1, .. })
        ));
        assert_eq!(parse(b"  "), Err(XmlError::Empty));
    }
}
