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
    let schema = match kind {
        SchemaKind::Playlist => document_schema(
            &crate::playlist::format::PLAYLIST,
            "https://bibliotekvarmland.se/vitrin/playlist.schema.json",
            "vitrin playlist",
        ),
        SchemaKind::Screen => document_schema(
            &crate::screen::SCREEN,
            "https://bibliotekvarmland.se/vitrin/screen.schema.json",
            "vitrin screen config",
        ),
        SchemaKind::Books => document_schema(
            &crate::catalog::curated::COVER_LIST,
            "https://bibliotekvarmland.se/vitrin/books.schema.json",
            "vitrin book list",
        ),
        SchemaKind::Library => document_schema(
            &crate::region::LIBRARY,
            "https://bibliotekvarmland.se/vitrin/library.schema.json",
            "vitrin library",
        ),
        SchemaKind::Screens => document_schema(
            &crate::region::INVENTORY,
            "https://bibliotekvarmland.se/vitrin/screens.schema.json",
            "vitrin inventory of screens",
        ),
    };
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    text.push('\n');
    text
}
