//! The JSON Schema of a TOML format, written from its spec for editors that check files as they
//! are typed (`vitrin schema`).

use serde_json::{Value as Json, json};

use super::{Field, TableSpec, TaggedSpec, Ty};

impl Ty {
    /// This type as JSON Schema.
    pub fn json_schema(&self) -> Json {
        let one_or_many = |one: Json| json!({ "anyOf": [one.clone(), { "type": "array", "items": one, "minItems": 1 }] });
        match self {
            Ty::Text => json!({ "type": "string", "minLength": 1 }),
            Ty::Integer { min, max } => {
                json!({ "type": "integer", "minimum": min, "maximum": max })
            }
            Ty::Bool => json!({ "type": "boolean" }),
            Ty::Duration { .. } => json!({
                "type": "string",
                "pattern": DURATION_PATTERN,
            }),
            Ty::Media { .. } => json!({ "type": "string", "minLength": 1 }),
            Ty::Url { .. } => json!({ "type": "string", "pattern": "^https?://[^\\s/]+" }),
            Ty::Enum { values, .. } => json!({ "type": "string", "enum": values }),
            Ty::Date => json!({ "type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$" }),
            Ty::Days => one_or_many(json!({ "type": "string", "minLength": 3 })),
            Ty::Hours => one_or_many(json!({ "type": "string", "pattern": HOURS_PATTERN })),
            Ty::Opening => one_or_many(json!({ "type": "string", "minLength": 3 })),
            Ty::Timezone => json!({ "type": "string", "minLength": 1 }),
            Ty::Size => {
                json!({ "type": "string", "pattern": "^\\s*\\d+(\\.\\d+)?\\s*([kKmMgGtT]i?[bB]?|[bB])?\\s*$" })
            }
            Ty::Length { .. } => json!({
                "type": "string",
                "pattern": "^\\s*\\d+([.,]\\d+)?\\s*(mm|cm|m|meter|metre|in|inch|inches|tum|ft|feet|fot|\")\\s*$"
            }),
            Ty::Path => json!({ "type": "string", "minLength": 1 }),
            Ty::PublicKey => json!({ "type": "string", "pattern": "^[0-9a-fA-F]{64}$" }),
            Ty::List { item, min, single } => {
                let list = json!({ "type": "array", "items": item.json_schema(), "minItems": min });
                if *single {
                    json!({ "anyOf": [item.json_schema(), list] })
                } else {
                    list
                }
            }
            Ty::Table(spec) => table_schema(spec.doc, &[spec.fields]),
            Ty::Tagged(spec) => tagged_schema(spec),
            Ty::Either(options) => {
                json!({ "anyOf": options.iter().map(Ty::json_schema).collect::<Vec<_>>() })
            }
        }
    }
}

const DURATION_PATTERN: &str = "^\\s*(\\d+([.,]\\d+)?\\s*[a-zA-Z]+\\s*)+$";
const HOURS_PATTERN: &str = "^\\s*\\d{1,2}([:.]\\d{2})?\\s*[-–—]\\s*\\d{1,2}([:.]\\d{2})?(\\s*,\\s*\\d{1,2}([:.]\\d{2})?\\s*[-–—]\\s*\\d{1,2}([:.]\\d{2})?)*\\s*$";

fn table_schema(doc: &str, groups: &[&[Field]]) -> Json {
    let mut properties = serde_json::Map::new();
    let mut required = Vec::new();
    for field in groups.iter().flat_map(|g| g.iter()) {
        let mut schema = field.ty.json_schema();
        if let Json::Object(map) = &mut schema {
            map.insert("description".into(), Json::String(field.doc.into()));
        }
        properties.insert(field.name.into(), schema);
        if field.required {
            required.push(field.name);
        }
    }
    json!({
        "type": "object",
        "description": doc,
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn tagged_schema(spec: &TaggedSpec) -> Json {
    let names: Vec<&str> = spec.variants.iter().map(|v| v.name).collect();
    let branches: Vec<Json> = spec
        .variants
        .iter()
        .map(|v| {
            let mut then = table_schema(v.doc, &[spec.common, v.fields]);
            then["properties"][spec.tag] = json!({ "const": v.name, "description": v.doc });
            json!({
                "if": { "properties": { spec.tag: { "const": v.name } }, "required": [spec.tag] },
                "then": then,
            })
        })
        .collect();
    json!({
        "type": "object",
        "description": spec.doc,
        "required": [spec.tag],
        "properties": { spec.tag: { "type": "string", "enum": names } },
        "allOf": branches,
    })
}

/// The whole JSON Schema document for a root table.
pub fn document_schema(spec: &TableSpec, id: &str, title: &str) -> Json {
    let mut schema = table_schema(spec.doc, &[spec.fields]);
    let map = schema.as_object_mut().expect("a table schema is an object");
    map.insert(
        "$schema".into(),
        Json::String("https://json-schema.org/draft/2020-12/schema".into()),
    );
    map.insert("$id".into(), Json::String(id.into()));
    map.insert("title".into(), Json::String(title.into()));
    schema
}
