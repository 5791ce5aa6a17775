//! The last warnings and errors, kept in memory for the staff overlay of a screen: the people who
//! look after a screen see what went wrong without a terminal. A `tracing` layer beside the usual
//! log output; it keeps [`KEPT`] entries, so it never grows.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::Context;

/// How many entries are kept.
pub const KEPT: usize = 8;

/// One warning or error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub error: bool,
    pub message: String,
}

static RECENT: Mutex<VecDeque<Entry>> = Mutex::new(VecDeque::new());
static ERRORS: AtomicU64 = AtomicU64::new(0);
static WARNINGS: AtomicU64 = AtomicU64::new(0);

/// How many errors and warnings were logged since the program started.
pub fn counts() -> (u64, u64) {
    (
        ERRORS.load(Ordering::Relaxed),
        WARNINGS.load(Ordering::Relaxed),
    )
}

/// The last warnings and errors, oldest first.
pub fn recent() -> Vec<Entry> {
    RECENT
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .cloned()
        .collect()
}

/// Keeps an entry, dropping the oldest beyond [`KEPT`].
pub fn keep(entry: Entry) {
    let counter = if entry.error { &ERRORS } else { &WARNINGS };
    counter.fetch_add(1, Ordering::Relaxed);
    let mut recent = RECENT.lock().unwrap_or_else(|e| e.into_inner());
    if recent.len() == KEPT {
        recent.pop_front();
    }
    recent.push_back(entry);
}

/// The layer that keeps warnings and errors.
#[derive(Debug, Default)]
pub struct Layer;

/// An event's message and fields as one line: `message field=value …`.
#[derive(Default)]
struct Line(String, String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.1, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        } else {
            let _ = write!(self.1, " {}={value}", field.name());
        }
    }
}

impl<S: Subscriber> tracing_subscriber::Layer<S> for Layer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let level = *event.metadata().level();
        if level > Level::WARN {
            return;
        }
        let mut line = Line::default();
        event.record(&mut line);
        keep(Entry {
            at: Utc::now(),
            error: level == Level::ERROR,
            message: format!("{}{}", line.0, line.1),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    #[test]
    fn warnings_and_errors_are_kept_and_the_oldest_go() {
        let subscriber = tracing_subscriber::registry().with(Layer);
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("not kept");
            tracing::warn!(page = "A", "skipping {}", 1);
            for i in 0..KEPT {
                tracing::error!("error {i}");
            }
        });
        let kept = recent();
        assert_eq!(kept.len(), KEPT);
        assert!(kept.iter().all(|e| e.error));
        assert_eq!(kept.last().unwrap().message, format!("error {}", KEPT - 1));
        keep(Entry {
            at: Utc::now(),
            error: false,
            message: "skipping 1 page=\"A\"".into(),
        });
        assert_eq!(recent()[0].message, "error 1");
    }
}
