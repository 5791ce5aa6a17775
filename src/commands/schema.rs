//! `vitrin schema`: the JSON Schema of playlists or screen configs, for editors that check TOML
//! against a schema (Even Better TOML / taplo: put `#:schema ./playlist.schema.json` on line 1).

use crate::spec::document_schema;

/// Which file format to describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    Playlist,
    Screen,
    Books,
    /// A library of the region (`bibliotek/karlstad.toml`).
    Library,
    /// The region's inventory of screens.
    Screens,
}

/// The schema as pretty-printed JSON.
pub fn schema_json(kind: SchemaKind) -> String {
    let (spec, file, title) = match kind {
        SchemaKind::Playlist => (
            &crate::playlist::format::PLAYLIST,
            "playlist",
            "vitrin playlist",
        ),
        SchemaKind::Screen => (&crate::screen::SCREEN, "screen", "vitrin screen config"),
        SchemaKind::Books => (
            &crate::catalog::curated::COVER_LIST,
            "books",
            "vitrin book list",
        ),
        SchemaKind::Library => (&crate::region::LIBRARY, "library", "vitrin library"),
        SchemaKind::Screens => (
            &crate::region::INVENTORY,
            "screens",
            "vitrin inventory of screens",
        ),
    };
    let schema = document_schema(
        spec,
        &format!("https://bibliotekvarmland.se/vitrin/{file}.schema.json"),
        title,
    );
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    text.push('\n');
    text
}
