//! vitrin: the screen player of the public libraries of Värmland.
//!
//! The core (playlists, schedule, catalog, feed, cache) is plain Rust that takes `now` as an
//! argument and never reads the clock; the bevy layer in [`player`] turns its answers into pixels.
//! `src/main.rs` only parses arguments and calls [`commands`].

pub mod cache;
pub mod calendar;
pub mod catalog;
pub mod check;
#[cfg(feature = "player")]
pub mod commands;
pub mod compose;
pub mod diagnostic;
pub mod events;

pub mod feed;
pub mod fsutil;
pub mod fuzzing;
pub mod generation;
pub mod health;
pub mod http;
pub mod ingest;
pub mod layout;
pub mod legibility;
pub mod logbook;
pub mod media;
pub mod memory;
#[cfg(feature = "player")]
pub mod player;
pub mod playlist;
pub mod playlog;
pub mod power;
pub mod prepare;
pub mod qr;
pub mod region;
pub mod schedule;
pub mod screen;
pub mod sdnotify;
pub mod selfcheck;
pub mod show;
pub mod signing;
pub mod site;
pub mod sound;
pub mod spec;
pub mod theme;
pub mod touch;
pub mod typeset;
pub mod units;
