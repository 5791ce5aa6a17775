//! vitrin's integration tests: one module per topic, all in one binary so that bevy is linked once.

mod check;
mod schema;
mod util;
