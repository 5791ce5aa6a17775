//! A small XML tree for catalog documents: elements with resolved namespaces, attributes and text,
//! in any encoding the document declares. Entity references are resolved, HTML ones too (feeds
//! put `&nbsp;` in descriptions). A document that ends before its elements do is an error, so a
//! truncated download is never taken for a short list.
//!
//! Hostile documents stay cheap: elements nest at most [`MAX_DEPTH`] levels, so walking and
//! dropping the tree never runs deep, and a namespace URI is stored once per declaration and
//! shared by every element in its scope.

use std::collections::HashMap;
use std::rc::Rc;

use quick_xml::NsReader;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{PrefixDeclaration, QName};

/// An element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// The namespace URI ("" when none), shared with the other elements in its scope.
    pub ns: Rc<str>,
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
    #[error(
        "elements nest more than {limit} levels deep at line {line}, column {column}; \
         no catalog document needs that many"
    )]
    TooDeep {
        limit: usize,
        line: usize,
        column: usize,
    },
}

pub const ATOM: &str = "http://www.w3.org/2005/Atom";
pub const DC: &str = "http://purl.org/dc/elements/1.1/";
pub const MEDIA: &str = "http://search.yahoo.com/mrss/";
pub const MARC: &str = "http://www.loc.gov/MARC21/slim";
pub const RSS1: &str = "http://purl.org/rss/1.0/";
pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

/// How deep elements may nest, the root being level 1. Catalog documents need a handful of
/// levels; libxml2 stops at 256 too.
pub const MAX_DEPTH: usize = 256;

/// The prefixes bound before any declaration, as XML Namespaces define them.
const RESERVED_PREFIXES: [(&str, &str); 2] = [
    ("xml", "http://www.w3.org/XML/1998/namespace"),
    ("xmlns", "http://www.w3.org/2000/xmlns/"),
];

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
    let mut tree = TreeBuilder::new(bytes);
    let mut buf = Vec::new();
    loop {
        tree.event_start = tree.reader.buffer_position();
        match tree.reader.read_event_into(&mut buf) {
            Ok(Event::Eof) => break,
            Ok(event) => tree.take(event)?,
            Err(e) => return Err(tree.syntax(e)),
        }
        buf.clear();
    }
    tree.finish()
}

/// A document being read into a tree: the elements still open, innermost last, and the
/// namespaces in scope.
struct TreeBuilder<'a> {
    bytes: &'a [u8],
    reader: NsReader<&'a [u8]>,
    /// Where the event being taken starts, for errors.
    event_start: u64,
    open: Vec<Element>,
    root: Option<Element>,
    scopes: Scopes,
}

impl<'a> TreeBuilder<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        let mut reader = NsReader::from_reader(bytes);
        reader.config_mut().check_end_names = true;
        TreeBuilder {
            bytes,
            reader,
            event_start: 0,
            open: Vec::new(),
            root: None,
            scopes: Scopes::new(),
        }
    }

    /// Adds what one event says to the tree.
    fn take(&mut self, event: Event) -> Result<(), XmlError> {
        match event {
            Event::Start(start) => {
                let element = self.element(&start)?;
                self.open.push(element);
            }
            Event::Empty(start) => {
                let element = self.element(&start)?;
                self.scopes.close();
                self.attach(element);
            }
            Event::End(_) => {
                let element = self.open.pop().expect("quick-xml checks end names");
                self.scopes.close();
                self.attach(element);
            }
            Event::Text(t) => {
                let text = t.xml10_content().map_err(|e| self.syntax(e))?;
                self.push_text(&text);
            }
            Event::CData(c) => {
                let text = c.decode().map_err(|e| self.syntax(e))?;
                self.push_text(&text);
            }
            Event::GeneralRef(r) => {
                let text = self.reference(&r)?;
                self.push_text(&text);
            }
            _ => {}
        }
        Ok(())
    }

    /// A new element from its start tag, with its namespace declarations taken into scope.
    fn element(&mut self, start: &BytesStart) -> Result<Element, XmlError> {
        if self.open.len() >= MAX_DEPTH {
            let (line, column) = position(self.bytes, self.event_start);
            return Err(XmlError::TooDeep {
                limit: MAX_DEPTH,
                line,
                column,
            });
        }
        self.scopes.open(start);
        Ok(Element {
            ns: self.scopes.resolve(start.name()),
            name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
            attrs: attributes(start),
            children: Vec::new(),
        })
    }

    /// The text a character or entity reference stands for.
    fn reference(&self, r: &BytesRef) -> Result<String, XmlError> {
        Ok(match r.resolve_char_ref() {
            Ok(Some(c)) => c.to_string(),
            _ => named_entity(&r.decode().map_err(|e| self.syntax(e))?),
        })
    }

    /// Puts a finished element into its parent, or makes it the root.
    fn attach(&mut self, element: Element) {
        match self.open.last_mut() {
            Some(parent) => parent.children.push(Node::Element(element)),
            None => {
                self.root.get_or_insert(element);
            }
        }
    }

    fn push_text(&mut self, text: &str) {
        if let Some(current) = self.open.last_mut() {
            match current.children.last_mut() {
                Some(Node::Text(t)) => t.push_str(text),
                _ => current.children.push(Node::Text(text.to_string())),
            }
        }
    }

    fn syntax(&self, error: impl ToString) -> XmlError {
        let (line, column) = position(self.bytes, self.reader.error_position());
        XmlError::Syntax {
            line,
            column,
            message: error.to_string(),
        }
    }

    /// The root, once the whole document has been read.
    fn finish(self) -> Result<Element, XmlError> {
        if let Some(open) = self.open.last() {
            return Err(XmlError::Truncated {
                open: open.name.clone(),
            });
        }
        self.root.ok_or(XmlError::Empty)
    }
}

/// An element's attributes, values decoded, keys as written.
fn attributes(start: &BytesStart) -> Vec<(String, String)> {
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
    attrs
}

/// The namespace declarations in scope. Each URI is stored once, where it is declared, and
/// every element in its scope shares it. It follows quick-xml's resolver, which still checks the
/// declarations (reserved prefixes, how many a tag may make), but looks prefixes up by hash.
struct Scopes {
    /// For each prefix ("" for the default namespace), its URIs from the outermost scope in.
    uris: HashMap<Vec<u8>, Vec<Rc<str>>>,
    /// The prefixes each open element declared, innermost last, to undo when it closes.
    declared: Vec<Vec<Vec<u8>>>,
    none: Rc<str>,
}

impl Scopes {
    fn new() -> Self {
        let uris = RESERVED_PREFIXES
            .iter()
            .map(|(prefix, uri)| (prefix.as_bytes().to_vec(), vec![Rc::from(*uri)]))
            .collect();
        Scopes {
            uris,
            declared: Vec::new(),
            none: Rc::from(""),
        }
    }

    /// Enters an element: its `xmlns` and `xmlns:p` attributes come into scope.
    fn open(&mut self, start: &BytesStart) {
        let mut declared = Vec::new();
        for attr in start.attributes().with_checks(false) {
            let Ok(attr) = attr else { break };
            let prefix = match attr.key.as_namespace_binding() {
                Some(PrefixDeclaration::Default) => &[][..],
                // `xml` is bound for good (quick-xml refuses another URI for it).
                Some(PrefixDeclaration::Named(b"xml")) | None => continue,
                Some(PrefixDeclaration::Named(prefix)) => prefix,
            };
            let uri = Rc::from(String::from_utf8_lossy(&attr.value).as_ref());
            self.uris.entry(prefix.to_vec()).or_default().push(uri);
            declared.push(prefix.to_vec());
        }
        self.declared.push(declared);
    }

    /// Leaves the innermost element: what it declared goes out of scope.
    fn close(&mut self) {
        for prefix in self.declared.pop().unwrap_or_default() {
            if let Some(uris) = self.uris.get_mut(&prefix) {
                uris.pop();
            }
        }
    }

    /// The namespace of an element name: its prefix's innermost URI, or the default namespace's
    /// for a name without one; "" when unbound, unknown or undeclared with `xmlns=""`.
    fn resolve(&self, name: QName) -> Rc<str> {
        let prefix = match name.prefix() {
            Some(p) if p.as_ref().is_empty() => return self.none.clone(),
            Some(p) => p.into_inner(),
            None => &[][..],
        };
        self.uris
            .get(prefix)
            .and_then(|uris| uris.last())
            .map_or_else(|| self.none.clone(), Rc::clone)
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
        *self.ns == *ns && self.name == name
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

    /// The namespace quick-xml's own resolver gives each element, in document order.
    fn quick_xml_namespaces(doc: &[u8]) -> Vec<String> {
        let mut reader = NsReader::from_reader(doc);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            match reader.read_resolved_event_into(&mut buf).unwrap() {
                (ns, Event::Start(_) | Event::Empty(_)) => out.push(match ns {
                    quick_xml::name::ResolveResult::Bound(n) => {
                        String::from_utf8_lossy(n.as_ref()).into_owned()
                    }
                    _ => String::new(),
                }),
                (_, Event::Eof) => return out,
                _ => {}
            }
            buf.clear();
        }
    }

    fn namespaces_in_order(element: &Element, out: &mut Vec<String>) {
        out.push(element.ns.to_string());
        for child in element.elements() {
            namespaces_in_order(child, out);
        }
    }

    #[test]
    fn namespaces_resolve_as_quick_xml_resolves_them() {
        let doc = br#"<feed xmlns="urn:atom" xmlns:dc="urn:dc" xmlns:="urn:empty-prefix">
<entry><dc:id/><x:unknown/><xml:lang/><:odd/>
<dc:title xmlns:dc="urn:inner"><dc:b/></dc:title><dc:after/>
<plain xmlns=""><deeper/><dc:x xmlns:dc=""/></plain>
<a xmlns="urn:own" xmlns:p="urn:p"/><p:gone/><back/></entry></feed>"#;
        let mut ours = Vec::new();
        namespaces_in_order(&parse(doc).unwrap(), &mut ours);
        assert_eq!(ours, quick_xml_namespaces(doc));
        assert!(ours.contains(&"urn:inner".to_string()));
        assert!(ours.contains(&"urn:own".to_string()));
    }

    #[test]
    fn elements_share_the_namespace_they_are_declared_in() {
        // Copied into each of 20 000 elements, this 10 kB namespace would take 200 MB.
        let uri = format!("urn:{}", "u".repeat(10_000));
        let mut doc = format!(r#"<r xmlns="{uri}" xmlns:p="{uri}">"#);
        doc.push_str(&"<a/><p:b/>".repeat(10_000));
        doc.push_str("</r>");
        let root = parse(doc.as_bytes()).unwrap();
        assert_eq!(root.children.len(), 20_000);
        for child in root.elements() {
            assert_eq!(*child.ns, *uri);
            let declaration = if child.name == "a" {
                &root.ns
            } else {
                &root.elements().nth(1).unwrap().ns
            };
            assert!(Rc::ptr_eq(&child.ns, declaration));
        }
        // One copy for each declaration, one reference for each element.
        assert_eq!(Rc::strong_count(&root.ns), 10_000 + 1);
    }

    #[test]
    fn deep_nesting_is_refused_before_the_stack_is() {
        let nested = |levels: usize| {
            let mut doc = "<a>".repeat(levels);
            doc.push_str(&"</a>".repeat(levels));
            doc
        };
        let root = parse(nested(MAX_DEPTH).as_bytes()).unwrap();
        let (mut innermost, mut depth) = (&root, 1);
        while let Some(child) = innermost.elements().next() {
            (innermost, depth) = (child, depth + 1);
        }
        assert_eq!(depth, MAX_DEPTH);

        let error = parse(nested(100_000).as_bytes()).unwrap_err();
        assert_eq!(
            error,
            XmlError::TooDeep {
                limit: 256,
                line: 1,
                column: 3 * 256 + 1
            }
        );
        assert_eq!(
            error.to_string(),
            "elements nest more than 256 levels deep at line 1, column 769; \
             no catalog document needs that many"
        );
        assert!(matches!(
            parse(format!("<r>{}<b/></r>", "<a>".repeat(255)).as_bytes()),
            Err(XmlError::TooDeep { .. })
        ));
    }
}
