//! vitrin's integration tests: one module per topic, all in one binary so that bevy is linked once.

mod architecture;
mod catalog;
mod check;
mod events;
mod feed;
mod hostile;
mod legibility;
mod live;
mod plan;
mod player;
mod render;
mod schema;
mod server;
mod site;
mod touch;
mod typography;
mod upkeep;
mod util;
mod window;
