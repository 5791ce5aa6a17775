//! `vitrin schema`: the JSON Schema editors use agrees with the checker.

use serde_json::Value as Json;
use vitrin::commands::schema::{SchemaKind, schema_json};

use crate::util::{book_lists_named, root};

/// TOML as JSON, the way editors hand TOML to a JSON Schema validator (dates become strings).
fn toml_to_json(v: toml::Value) -> Json {
    match v {
        toml::Value::String(s) => Json::String(s),
        toml::Value::Integer(i) => Json::from(i),
        toml::Value::Float(f) => Json::from(f),
        toml::Value::Boolean(b) => Json::Bool(b),
        toml::Value::Datetime(d) => Json::String(d.to_string()),
        toml::Value::Array(a) => Json::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Json::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

fn validator(kind: SchemaKind) -> jsonschema::Validator {
    let schema: Json = serde_json::from_str(&schema_json(kind)).unwrap();
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

fn load(path: &std::path::Path) -> Json {
    toml_to_json(toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
}

#[test]
fn every_bundled_playlist_is_valid_against_the_schema() {
    let v = validator(SchemaKind::Playlist);
    let files = crate::util::playlist_files_in(&root().join("playlists"));
    assert!(!files.is_empty(), "no playlists in playlists/");
    for file in files {
        let doc = load(&file);
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", file.display());
    }
    // The region's files, each against its own schema.
    let (library, screens) = (
        validator(SchemaKind::Library),
        validator(SchemaKind::Screens),
    );
    let region = crate::util::region_files_in(&root().join("playlists"));
    assert_eq!(region.len(), 3, "the inventory and two libraries");
    for file in region {
        let v = if file.parent().unwrap().ends_with("bibliotek") {
            &library
        } else {
            &screens
        };
        let errors: Vec<String> = v.iter_errors(&load(&file)).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", file.display());
    }
    let books = validator(SchemaKind::Books);
    for list in book_lists_named(&root().join("playlists")) {
        let doc = load(&list);
        let errors: Vec<String> = books.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", list.display());
    }
    let screen = validator(SchemaKind::Screen);
    let doc = load(&root().join("kiosk/screen.toml"));
    let errors: Vec<String> = screen.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "kiosk/screen.toml: {errors:?}");
}

#[test]
fn bad_files_fail_the_schema_too() {
    let v = validator(SchemaKind::Playlist);
    for (name, should_fail) in [
        ("unknown_key_slide", true),
        ("unknown_kind", true),
        ("unknown_transition", true),
        ("wrong_type_count_quoted", true),
        ("missing_url", true),
        ("missing_slides", true),
        ("duration_integer", true),
        ("url_without_scheme", true),
        ("key_of_another_kind", true),
    ] {
        let doc = load(&root().join(format!("tests/fixtures/check/{name}.toml")));
        assert_eq!(!v.is_valid(&doc), should_fail, "{name}");
    }
}

#[test]
fn the_committed_schema_files_are_current() {
    for (path, kind) in [
        ("playlists/playlist.schema.json", SchemaKind::Playlist),
        ("kiosk/screen.schema.json", SchemaKind::Screen),
        (
            "playlists/bibliotek/library.schema.json",
            SchemaKind::Library,
        ),
        ("playlists/screens.schema.json", SchemaKind::Screens),
        ("playlists/listor/books.schema.json", SchemaKind::Books),
    ] {
        let committed = std::fs::read_to_string(root().join(path)).unwrap();
        assert!(
            committed == schema_json(kind),
            "{path} is out of date: run `cargo run -- schema {} > {path}`",
            format!("{kind:?}").to_lowercase()
        );
    }
}

#[test]
fn the_cli_prints_the_schema() {
    let o = crate::util::vitrin(&["schema"]);
    assert!(o.status.success());
    let schema: Json = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(schema["title"], "vitrin playlist");
    assert!(schema["properties"]["slide"].is_object());
}
