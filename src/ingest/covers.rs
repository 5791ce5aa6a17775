//! The books of covers slides, read from their catalog sources. A source that fails keeps the
//! books it gave last time, so a catalog that is down never empties a screen.

use std::collections::HashMap;

use crate::catalog::{CoverItem, Resolver};
use crate::playlist::{Playlist, SlideContent};

/// Fills the covers slides of `playlists` with their books from their sources. A source that
/// fails keeps the books it gave last time (from `last_good`, else from the resolver's disk copy),
/// and its error is returned.
pub fn resolve_covers(
    playlists: &mut [Playlist],
    catalog: &mut Resolver,
    last_good: &mut HashMap<String, Vec<CoverItem>>,
    today: chrono::NaiveDate,
) -> Vec<String> {
    let mut errors = Vec::new();
    for slide in playlists.iter_mut().flat_map(|p| p.slides.iter_mut()) {
        let SlideContent::Covers {
            source,
            items,
            count,
            only_with_covers,
            shelf,
            ..
        } = &mut slide.content
        else {
            continue;
        };
        // Books without covers may be left out: then look a little further down the list.
        let limit = if *only_with_covers {
            *count * 3
        } else {
            *count
        } as usize;
        let key = format!("{}{}", source.label(), shelf.key());
        match catalog.items_on_shelf(source, None, limit, shelf, today) {
            Ok(found) => {
                last_good.insert(key, found.clone());
                *items = found;
            }
            Err(e) => {
                errors.push(e.to_string());
                *items = last_good
                    .get(&key)
                    .cloned()
                    .or_else(|| catalog.last_good(source, shelf))
                    .unwrap_or_default();
            }
        }
    }
    errors
}
