//! The running order: the pages of the program that plays, which one is on screen, and the rules
//! for which comes next and when. Pages that could not be prepared are skipped; when none can be,
//! vitrin's welcome page stands in. Times are seconds on a monotonic clock that the caller owns, so
//! tests drive it without waiting.

use std::collections::HashSet;
use std::time::Duration;

use super::{Page, PageKey, welcome_page};

/// Which way a visitor moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Forward,
    Back,
}

/// Why the running order is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The playlists or what they show changed (or the player started): the new pages take over
    /// when the page on screen ends, and pages that failed get another chance.
    Content,
    /// The schedule reached an instant where another program plays: its first page goes on screen
    /// as soon as it is drawn, cutting the page on screen short.
    Schedule,
}

/// Where a chosen page comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// This index of the upcoming running order (the new one, if one is waiting).
    InOrder(usize),
    /// vitrin's welcome page, standing in because no page of the running order could be prepared.
    /// It has no place in the running order.
    Welcome,
}

/// A page chosen to come next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub place: Place,
    /// A visitor asked for it: it goes on screen as soon as it is drawn.
    pub navigated: bool,
}

/// How the search for a page that can be shown is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Search {
    /// Going forward past this many pages in a row that could not be prepared.
    Skipping(usize),
    /// None could be: the welcome page stands in, and nothing else is tried until a visitor asks
    /// for a page or the program changes.
    WelcomeStandsIn,
}

/// The pages that play, in order, and where the show is in them.
#[derive(Debug, Clone)]
pub struct RunningOrder {
    pages: Vec<Page>,
    /// The page of the running order on screen; `None` with nothing on screen or the welcome page
    /// standing in.
    current: Option<usize>,
    shown_at: f64,
    /// A new running order, waiting for the page on screen to end.
    pending: Option<Vec<Page>>,
    /// After a touch, the page stays until then.
    held_until: Option<f64>,
    search: Search,
    /// Pages that had a problem, so each is reported once per version of the content.
    failed: HashSet<PageKey>,
    /// The schedule changed: the next page need not wait for the page on screen to end.
    switch_now: bool,
}

impl Default for RunningOrder {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl RunningOrder {
    pub fn new(pages: Vec<Page>) -> Self {
        Self {
            pages,
            current: None,
            shown_at: 0.0,
            pending: None,
            held_until: None,
            search: Search::Skipping(0),
            failed: HashSet::new(),
            switch_now: false,
        }
    }

    /// The running order the page on screen belongs to.
    pub fn pages(&self) -> &[Page] {
        &self.pages
    }

    /// The page of the running order on screen (not the welcome page standing in).
    pub fn current(&self) -> Option<&Page> {
        self.current.and_then(|i| self.pages.get(i))
    }

    /// When the page on screen has had its time; `None` when no page of the running order is on
    /// screen.
    pub fn deadline(&self) -> Option<f64> {
        let page = self.current()?;
        let natural = self.shown_at + page.duration.as_secs_f64();
        Some(match self.held_until {
            Some(h) => h.max(natural),
            None => natural,
        })
    }

    /// Whether the page on screen has had its time.
    pub fn due(&self, now: f64) -> bool {
        self.deadline().is_none_or(|d| now >= d)
    }

    /// Whether a visitor's touch still holds the page on screen.
    pub fn is_held(&self, now: f64) -> bool {
        self.held_until.is_some_and(|h| h > now)
    }

    /// A new running order. An empty one (the library closed) blanks the screen at once; otherwise
    /// it takes over when the page on screen ends, or at once with nothing on screen.
    pub fn replace(&mut self, pages: Vec<Page>, change: Change) {
        if change == Change::Content {
            self.failed.clear();
        }
        self.switch_now = change == Change::Schedule;
        self.search = Search::Skipping(0);
        if pages.is_empty() {
            self.pages.clear();
            self.pending = None;
            self.current = None;
            self.held_until = None;
        } else if self.current.is_none() {
            self.pages = pages;
            self.pending = None;
        } else {
            self.pending = Some(pages);
        }
    }

    /// The page to prepare next when the show runs by itself: the next one forward, past those
    /// that could not be prepared; the welcome page once every page has failed. `None` when there
    /// is nothing to show, or when the welcome page already stands in.
    pub fn choose_next(&mut self) -> Option<Choice> {
        let upcoming = self.upcoming().len();
        if upcoming == 0 {
            return None;
        }
        let place = match self.search {
            Search::WelcomeStandsIn => return None,
            Search::Skipping(skipped) if skipped >= upcoming => {
                self.search = Search::WelcomeStandsIn;
                Place::Welcome
            }
            Search::Skipping(skipped) => Place::InOrder(self.step(Direction::Forward, skipped)?),
        };
        Some(Choice {
            place,
            navigated: false,
        })
    }

    /// A visitor asked for the page in `direction`: it is chosen at once, and the show then holds
    /// still for `timeout`. `None` (and no hold) when nothing plays.
    pub fn navigate(
        &mut self,
        direction: Direction,
        now: f64,
        timeout: Duration,
    ) -> Option<Choice> {
        if self.pages.is_empty() {
            return None;
        }
        self.held_until = Some(now + timeout.as_secs_f64());
        Some(Choice {
            place: Place::InOrder(self.step(direction, 0)?),
            navigated: true,
        })
    }

    /// The page a choice names.
    pub fn page(&self, choice: Choice) -> Option<Page> {
        match choice.place {
            Place::InOrder(index) => self.upcoming().get(index).cloned(),
            Place::Welcome => Some(welcome_page()),
        }
    }

    /// Notes a problem with a page. True the first time since the content changed: each problem
    /// is reported once, not every time the page comes round.
    pub fn first_problem_with(&mut self, key: &PageKey) -> bool {
        self.failed.insert(key.clone())
    }

    /// The chosen page could not be prepared: the next choice goes one page further.
    pub fn could_not_prepare(&mut self, choice: Choice) {
        if let (Place::InOrder(_), Search::Skipping(skipped)) = (choice.place, self.search) {
            self.search = Search::Skipping(skipped + 1);
        }
    }

    /// Whether the chosen page, drawn and ready, may go on screen now: when a visitor asked for
    /// it, when the schedule changed, when the screen is empty, or when the page on screen has had
    /// its time.
    pub fn time_to_switch(&self, choice: Choice, screen_empty: bool, now: f64) -> bool {
        choice.navigated || self.switch_now || screen_empty || self.due(now)
    }

    /// The chosen page went on screen. A waiting running order takes over with it.
    pub fn shown(&mut self, choice: Choice, now: f64) {
        if let Some(pending) = self.pending.take() {
            self.pages = pending;
        }
        self.current = match choice.place {
            Place::InOrder(index) => (index < self.pages.len()).then_some(index),
            Place::Welcome => None,
        };
        if let Place::InOrder(_) = choice.place {
            self.search = Search::Skipping(0);
        }
        self.shown_at = now;
        if self.held_until.is_some_and(|h| h <= now) {
            self.held_until = None;
        }
        self.switch_now = false;
    }

    /// The running order the next page comes from: the waiting one if the program changed.
    fn upcoming(&self) -> &[Page] {
        self.pending.as_deref().unwrap_or(&self.pages)
    }

    /// The index in the upcoming running order `skip + 1` pages from the page on screen, going
    /// `direction`, round and round. With a new running order the rotation carries on from where
    /// the page on screen is in it (so frequent content updates do not keep restarting it), and
    /// starts from the beginning if it is not there.
    fn step(&self, direction: Direction, skip: usize) -> Option<usize> {
        let pages = self.upcoming();
        let n = pages.len();
        if n == 0 {
            return None;
        }
        let position = match &self.pending {
            Some(pending) => self
                .current()
                .and_then(|page| pending.iter().position(|p| p.key == page.key)),
            None => self.current,
        };
        let step = skip + 1;
        Some(match (position, direction) {
            (None, _) => skip % n,
            (Some(c), Direction::Forward) => (c + step) % n,
            (Some(c), Direction::Back) => (c + n * step - step) % n,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playlist::Transition;
    use crate::show::PageContent;
    use crate::theme::Theme;

    const TOUCH_TIMEOUT: Duration = Duration::from_secs(30);

    /// Text pages of 10 s from playlist `playlist`, slides 1 to `n`.
    fn pages(playlist: &str, n: usize) -> Vec<Page> {
        (1..=n)
            .map(|slide| Page {
                key: PageKey {
                    playlist: playlist.into(),
                    slide,
                    part: 1,
                },
                content: PageContent::Text {
                    title: format!("Sida {slide}"),
                    text: None,
                    image: None,
                },
                duration: Duration::from_secs(10),
                transition: Transition::Fade,
                theme: Theme::Dark,
            })
            .collect()
    }

    fn in_order(index: usize) -> Option<Choice> {
        Some(Choice {
            place: Place::InOrder(index),
            navigated: false,
        })
    }

    fn navigated_to(index: usize) -> Option<Choice> {
        Some(Choice {
            place: Place::InOrder(index),
            navigated: true,
        })
    }

    fn welcome() -> Option<Choice> {
        Some(Choice {
            place: Place::Welcome,
            navigated: false,
        })
    }

    /// Chooses the next page and puts it on screen at `now`.
    fn show_next(order: &mut RunningOrder, now: f64) -> Choice {
        let choice = order.choose_next().expect("a page to show");
        order.shown(choice, now);
        choice
    }

    /// Chooses the next page and finds that it cannot be prepared.
    fn fail_next(order: &mut RunningOrder) -> Choice {
        let choice = order.choose_next().expect("a page to try");
        order.could_not_prepare(choice);
        choice
    }

    fn slide_on_screen(order: &RunningOrder) -> Option<usize> {
        order.current().map(|p| p.key.slide)
    }

    #[test]
    fn the_show_starts_at_the_first_page_and_goes_round_and_round() {
        let mut order = RunningOrder::new(pages("T", 3));
        assert_eq!(order.choose_next(), in_order(0));
        let slides: Vec<_> = (0..5)
            .map(|i| {
                show_next(&mut order, 10.0 * i as f64);
                slide_on_screen(&order).unwrap()
            })
            .collect();
        assert_eq!(slides, [1, 2, 3, 1, 2]);
    }

    #[test]
    fn a_page_stays_for_its_duration() {
        let mut order = RunningOrder::new(pages("T", 3));
        show_next(&mut order, 0.0);
        assert_eq!(order.deadline(), Some(10.0));
        let next = order.choose_next().unwrap();
        assert!(!order.time_to_switch(next, false, 9.9));
        assert!(order.time_to_switch(next, false, 10.0));
    }

    #[test]
    fn the_first_page_goes_on_an_empty_screen_at_once() {
        let mut order = RunningOrder::new(pages("T", 3));
        show_next(&mut order, 0.0);
        let next = order.choose_next().unwrap();
        assert!(order.time_to_switch(next, true, 1.0));
    }

    #[test]
    fn a_page_that_cannot_be_prepared_is_skipped() {
        let mut order = RunningOrder::new(pages("T", 3));
        show_next(&mut order, 0.0);
        assert_eq!(Some(fail_next(&mut order)), in_order(1));
        assert_eq!(order.choose_next(), in_order(2), "slide 2 is skipped");
        show_next(&mut order, 10.0);
        show_next(&mut order, 20.0);
        assert_eq!(slide_on_screen(&order), Some(1));
        // Pages showed since: the broken one is tried again when its turn comes.
        assert_eq!(order.choose_next(), in_order(1));
    }

    #[test]
    fn when_no_page_can_be_prepared_the_welcome_page_stands_in() {
        let mut order = RunningOrder::new(pages("T", 2));
        for _ in 0..2 {
            assert_ne!(fail_next(&mut order).place, Place::Welcome);
        }
        assert_eq!(order.choose_next(), welcome());
        assert_eq!(order.page(welcome().unwrap()), Some(welcome_page()));
        // It is chosen once: nothing else is tried while it stands in, even if it fails itself.
        assert_eq!(order.choose_next(), None);
        order.could_not_prepare(welcome().unwrap());
        assert_eq!(order.choose_next(), None);
    }

    #[test]
    fn the_welcome_page_has_no_place_in_the_running_order_and_no_end() {
        let mut order = RunningOrder::new(pages("T", 1));
        fail_next(&mut order);
        show_next(&mut order, 0.0);
        assert_eq!(order.current(), None);
        assert_eq!(order.deadline(), None);
        assert_eq!(order.choose_next(), None, "it stays");
    }

    #[test]
    fn new_content_ends_the_welcome_page_standing_in() {
        let mut order = RunningOrder::new(pages("T", 1));
        fail_next(&mut order);
        show_next(&mut order, 0.0);
        order.replace(pages("Ny", 2), Change::Content);
        let next = order.choose_next();
        assert_eq!(next, in_order(0));
        assert_eq!(order.page(next.unwrap()).unwrap().key.playlist, "Ny");
        assert!(
            order.time_to_switch(next.unwrap(), false, 1.0),
            "a real page replaces the welcome page as soon as it is drawn"
        );
    }

    #[test]
    fn a_visitor_can_leave_the_welcome_page_for_a_page_that_works() {
        let mut order = RunningOrder::new(pages("T", 2));
        fail_next(&mut order);
        fail_next(&mut order);
        show_next(&mut order, 0.0);
        let asked = order.navigate(Direction::Forward, 5.0, TOUCH_TIMEOUT);
        assert_eq!(asked, navigated_to(0));
        order.shown(asked.unwrap(), 5.0);
        assert_eq!(slide_on_screen(&order), Some(1));
        assert_eq!(
            order.choose_next(),
            in_order(1),
            "the show runs by itself again"
        );
    }

    #[test]
    fn each_problem_with_a_page_is_reported_once_per_content_version() {
        let mut order = RunningOrder::new(pages("T", 2));
        let key = order.pages()[1].key.clone();
        assert!(order.first_problem_with(&key));
        assert!(!order.first_problem_with(&key));
        order.replace(pages("T", 2), Change::Schedule);
        assert!(!order.first_problem_with(&key), "the same content");
        order.replace(pages("T", 2), Change::Content);
        assert!(order.first_problem_with(&key), "new content");
    }

    #[test]
    fn navigation_wraps_round_both_ways() {
        let mut order = RunningOrder::new(pages("T", 3));
        show_next(&mut order, 0.0);
        assert_eq!(
            order.navigate(Direction::Back, 1.0, TOUCH_TIMEOUT),
            navigated_to(2),
            "back from the first page is the last"
        );
        order.shown(navigated_to(2).unwrap(), 1.0);
        assert_eq!(
            order.navigate(Direction::Forward, 2.0, TOUCH_TIMEOUT),
            navigated_to(0)
        );
    }

    #[test]
    fn a_page_a_visitor_asked_for_comes_at_once() {
        let mut order = RunningOrder::new(pages("T", 3));
        show_next(&mut order, 0.0);
        let asked = order
            .navigate(Direction::Forward, 1.0, TOUCH_TIMEOUT)
            .unwrap();
        assert!(order.time_to_switch(asked, false, 1.0));
    }

    #[test]
    fn with_nothing_playing_navigation_does_nothing() {
        let mut order = RunningOrder::default();
        assert_eq!(order.navigate(Direction::Back, 1.0, TOUCH_TIMEOUT), None);
        assert!(!order.is_held(1.0));
    }

    #[test]
    fn a_touch_holds_the_page_then_the_show_runs_again() {
        let mut order = RunningOrder::new(pages("T", 3));
        show_next(&mut order, 0.0);
        let asked = order
            .navigate(Direction::Forward, 8.0, TOUCH_TIMEOUT)
            .unwrap();
        assert!(order.is_held(20.0));
        // The page the visitor asked for stays until the hold ends, longer than its own 10 s.
        order.shown(asked, 9.0);
        let next = order.choose_next().unwrap();
        assert!(!order.time_to_switch(next, false, 19.5));
        assert!(order.time_to_switch(next, false, 38.0));
        order.shown(next, 38.0);
        assert!(!order.is_held(38.0));
        assert_eq!(order.deadline(), Some(48.0));
    }

    #[test]
    fn new_content_waits_for_the_page_on_screen_to_end() {
        let mut order = RunningOrder::new(pages("T", 3));
        show_next(&mut order, 0.0);
        order.replace(pages("Ny", 2), Change::Content);
        assert_eq!(slide_on_screen(&order), Some(1));
        assert_eq!(
            order.pages().len(),
            3,
            "the old order plays until the page ends"
        );
        let next = order.choose_next().unwrap();
        assert!(!order.time_to_switch(next, false, 5.0));
        assert!(order.time_to_switch(next, false, 10.0));
        order.shown(next, 10.0);
        assert_eq!(order.pages().len(), 2);
        assert_eq!(order.current().unwrap().key.playlist, "Ny");
    }

    #[test]
    fn new_content_keeps_the_rotation_at_the_page_on_screen() {
        let mut order = RunningOrder::new(pages("T", 3));
        show_next(&mut order, 0.0);
        show_next(&mut order, 10.0);
        assert_eq!(slide_on_screen(&order), Some(2));
        // The same slides in another order: slide 2 is now first, so the next is slide 3 at 1.
        let mut moved = pages("T", 3);
        moved.rotate_left(1);
        order.replace(moved, Change::Content);
        let next = order.choose_next().unwrap();
        assert_eq!(Some(next), in_order(1));
        order.shown(next, 20.0);
        assert_eq!(slide_on_screen(&order), Some(3));
    }

    #[test]
    fn a_new_running_order_without_the_page_on_screen_starts_from_its_beginning() {
        let mut order = RunningOrder::new(pages("T", 3));
        show_next(&mut order, 0.0);
        show_next(&mut order, 10.0);
        order.replace(pages("T", 1), Change::Content);
        assert_eq!(order.choose_next(), in_order(0));
    }

    #[test]
    fn a_schedule_change_switches_as_soon_as_the_next_page_is_drawn() {
        let mut order = RunningOrder::new(pages("T", 3));
        show_next(&mut order, 0.0);
        order.replace(pages("Notis", 1), Change::Schedule);
        let next = order.choose_next().unwrap();
        assert!(order.time_to_switch(next, false, 1.0));
        order.shown(next, 1.0);
        let after = order.choose_next().unwrap();
        assert!(
            !order.time_to_switch(after, false, 2.0),
            "then pages run their time"
        );
    }

    #[test]
    fn an_empty_running_order_blanks_the_screen_at_once() {
        let mut order = RunningOrder::new(pages("T", 3));
        show_next(&mut order, 0.0);
        order.navigate(Direction::Forward, 1.0, TOUCH_TIMEOUT);
        order.replace(Vec::new(), Change::Schedule);
        assert_eq!(order.current(), None);
        assert!(order.pages().is_empty());
        assert!(!order.is_held(2.0));
        assert_eq!(order.choose_next(), None);
    }

    #[test]
    fn a_new_running_order_with_nothing_on_screen_takes_over_at_once() {
        let mut order = RunningOrder::default();
        order.replace(pages("T", 2), Change::Content);
        assert_eq!(order.pages().len(), 2);
        assert_eq!(order.choose_next(), in_order(0));
    }
}
