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
    /// A page a visitor opened from the page on screen (a book's detail, a code shown larger). It
    /// has no place in the running order either: closing it brings back the page it came from.
    Aside,
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

/// A visitor at the screen: from their first touch until the idle timeout passes (or they touch
/// play).
#[derive(Debug, Clone)]
struct Visit {
    /// The page on screen when the visit began, and when it went on screen: where the show would
    /// have run on from by itself.
    from: Option<(PageKey, f64)>,
    paused: bool,
    /// A page opened from the page on screen, asked for or on screen.
    aside: Option<Page>,
    aside_on_screen: bool,
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
    /// While a visitor uses the screen, nothing advances by itself until then (the idle timeout).
    held_until: Option<f64>,
    /// A visitor is using the screen.
    visit: Option<Visit>,
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
            visit: None,
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
    /// During a visit, nothing advances by itself until the idle timeout.
    pub fn deadline(&self) -> Option<f64> {
        let page = self.current()?;
        Some(match self.held_until {
            Some(h) if self.visit.is_some() => h,
            _ => self.shown_at + page.duration.as_secs_f64(),
        })
    }

    /// Whether the page on screen has had its time.
    pub fn due(&self, now: f64) -> bool {
        self.deadline().is_none_or(|d| now >= d)
    }

    /// Whether a visitor's touch still holds the page on screen.
    pub fn is_held(&self, now: f64) -> bool {
        self.visit.is_some() && self.held_until.is_some_and(|h| h > now)
    }

    /// Whether a visitor is using the screen (until the idle return).
    pub fn in_visit(&self) -> bool {
        self.visit.is_some()
    }

    /// Whether a visitor paused the show.
    pub fn is_paused(&self) -> bool {
        self.visit.as_ref().is_some_and(|v| v.paused)
    }

    /// The page opened from the page on screen, whether it is on screen yet or being made ready.
    pub fn aside(&self) -> Option<&Page> {
        self.visit.as_ref().and_then(|v| v.aside.as_ref())
    }

    /// Whether the opened page is on screen.
    pub fn aside_on_screen(&self) -> bool {
        self.visit.as_ref().is_some_and(|v| v.aside_on_screen)
    }

    /// When the visit ends by itself: the idle timeout after the last touch.
    pub fn idle_at(&self) -> Option<f64> {
        self.visit.as_ref().and(self.held_until)
    }

    /// A visitor touched the screen: a visit begins (or goes on), and nothing advances by itself
    /// for `timeout`.
    pub fn touched(&mut self, now: f64, timeout: Duration) {
        self.held_until = Some(now + timeout.as_secs_f64());
        if self.visit.is_none() {
            let from = self.current().map(|p| (p.key.clone(), self.shown_at));
            self.visit = Some(Visit {
                from,
                paused: false,
                aside: None,
                aside_on_screen: false,
            });
        }
    }

    /// Pauses the show (WCAG 2.2.2): nothing advances until play is touched or the visit ends.
    pub fn pause(&mut self, now: f64, timeout: Duration) {
        self.touched(now, timeout);
        if let Some(v) = &mut self.visit {
            v.paused = true;
        }
    }

    /// Play: the visit ends and the show runs on by itself from the page on screen, which gets its
    /// whole time again.
    pub fn play(&mut self, now: f64) {
        self.visit = None;
        self.held_until = None;
        self.shown_at = now;
    }

    /// A visitor opened `page` from the page on screen: it comes at once, and the show holds.
    pub fn open_aside(&mut self, page: Page, now: f64, timeout: Duration) -> Option<Choice> {
        self.current()?;
        self.touched(now, timeout);
        let visit = self.visit.as_mut()?;
        visit.aside = Some(page);
        Some(Choice {
            place: Place::Aside,
            navigated: true,
        })
    }

    /// The visitor closed the page they opened: the page it came from comes back at once, and the
    /// show still holds.
    pub fn close_aside(&mut self, now: f64, timeout: Duration) -> Option<Choice> {
        self.visit.as_ref()?.aside.as_ref()?;
        self.touched(now, timeout);
        if let Some(v) = &mut self.visit {
            v.aside = None;
        }
        let key = self.current()?.key.clone();
        let index = self.upcoming().iter().position(|p| p.key == key)?;
        Some(Choice {
            place: Place::InOrder(index),
            navigated: true,
        })
    }

    /// A visitor asked for another part of the slide on screen (a carousel's picture, from its
    /// dots): part `part`, from 1.
    pub fn go_to_part(&mut self, part: usize, now: f64, timeout: Duration) -> Option<Choice> {
        let key = self.current()?.key.clone();
        let index = self.upcoming().iter().position(|p| {
            p.key.playlist == key.playlist && p.key.slide == key.slide && p.key.part == part
        })?;
        self.touched(now, timeout);
        Some(Choice {
            place: Place::InOrder(index),
            navigated: true,
        })
    }

    /// Whether the visit has ended: no touch for the idle timeout.
    pub fn idle_due(&self, now: f64) -> bool {
        self.idle_at().is_some_and(|t| now >= t)
    }

    /// The visitor left: the visit ends (pause, opened pages and all) and the show goes on at the
    /// page it would show now had nobody touched it, in the program the schedule plays now. The
    /// choice is `None` when that page is already on screen.
    pub fn idle_return(&mut self, now: f64) -> Option<Choice> {
        let visit = self.visit.take()?;
        self.held_until = None;
        let (index, since) = self.unattended(&visit, now)?;
        if self.pending.is_none() && self.current == Some(index) && !visit.aside_on_screen {
            // It already shows: it stays for the rest of its time.
            self.shown_at = since;
            return None;
        }
        self.switch_now = true;
        Some(Choice {
            place: Place::InOrder(index),
            navigated: false,
        })
    }

    /// The page of the upcoming running order the show would be on at `now` had it run by itself
    /// since the visit began, and when that page would have come on.
    fn unattended(&self, visit: &Visit, now: f64) -> Option<(usize, f64)> {
        let pages = self.upcoming();
        if pages.is_empty() {
            return None;
        }
        let Some((start, since)) = visit
            .from
            .as_ref()
            .and_then(|(key, since)| Some((pages.iter().position(|p| &p.key == key)?, *since)))
        else {
            return Some((0, now));
        };
        let total: f64 = pages.iter().map(|p| p.duration.as_secs_f64()).sum();
        if total <= 0.0 {
            return Some((start, now));
        }
        let elapsed = (now - since).max(0.0);
        let mut left = elapsed % total;
        let mut at = now - left;
        let mut i = start;
        loop {
            let d = pages[i].duration.as_secs_f64();
            if left < d {
                return Some((i, at));
            }
            left -= d;
            at += d;
            i = (i + 1) % pages.len();
        }
    }

    /// A new running order. An empty one (the library closed) blanks the screen at once; otherwise
    /// it takes over when the page on screen ends, or at once with nothing on screen.
    ///
    /// While a visitor uses the screen, a schedule change waits too: it takes over when the
    /// visitor leaves.
    pub fn replace(&mut self, pages: Vec<Page>, change: Change) {
        if change == Change::Content {
            self.failed.clear();
        }
        // vitrin's welcome page only fills a screen with nothing to play: it gives way at once.
        let filler = self
            .current()
            .is_some_and(|p| p.content == super::PageContent::Welcome);
        self.switch_now = (change == Change::Schedule && self.visit.is_none()) || filler;
        self.search = Search::Skipping(0);
        if pages.is_empty() {
            self.pages.clear();
            self.pending = None;
            self.current = None;
            self.held_until = None;
            self.visit = None;
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
        self.touched(now, timeout);
        if let Some(v) = &mut self.visit {
            v.aside = None;
        }
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
            Place::Aside => self.aside().cloned(),
        }
    }

    /// Notes a problem with a page. True the first time since the content changed: each problem
    /// is reported once, not every time the page comes round.
    pub fn first_problem_with(&mut self, key: &PageKey) -> bool {
        self.failed.insert(key.clone())
    }

    /// The chosen page could not be prepared: the next choice goes one page further.
    pub fn could_not_prepare(&mut self, choice: Choice) {
        if choice.place == Place::Aside
            && let Some(v) = &mut self.visit
        {
            v.aside = None;
        }
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
        if choice.place == Place::Aside {
            // The page it came from stays the running order's place.
            if let Some(v) = &mut self.visit {
                v.aside_on_screen = true;
            }
            self.switch_now = false;
            return;
        }
        if let Some(v) = &mut self.visit {
            v.aside = None;
            v.aside_on_screen = false;
        }
        if let Some(pending) = self.pending.take() {
            self.pages = pending;
        }
        self.current = match choice.place {
            Place::InOrder(index) => (index < self.pages.len()).then_some(index),
            Place::Welcome | Place::Aside => None,
        };
        if let Place::InOrder(_) = choice.place {
            self.search = Search::Skipping(0);
        }
        self.shown_at = now;
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
                chime: None,
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
    fn a_touch_holds_the_page_until_the_visitor_leaves() {
        let mut order = RunningOrder::new(pages("T", 3));
        show_next(&mut order, 0.0);
        let asked = order
            .navigate(Direction::Forward, 8.0, TOUCH_TIMEOUT)
            .unwrap();
        assert!(order.is_held(20.0));
        // The page the visitor asked for stays until the visit ends, longer than its own 10 s.
        order.shown(asked, 9.0);
        assert_eq!(order.deadline(), Some(38.0));
        let next = order.choose_next().unwrap();
        assert!(!order.time_to_switch(next, false, 37.5));
        assert!(!order.idle_due(37.5));
        assert!(order.idle_due(38.0));
    }

    #[test]
    fn when_the_visitor_leaves_the_show_goes_on_where_it_would_be_unattended() {
        // Three pages of 10 s; the first went on at 0. A visitor touches at 5 and pages back and
        // forth; at 38 (30 s after their last touch) nobody has touched for the idle timeout.
        let mut order = RunningOrder::new(pages("T", 3));
        show_next(&mut order, 0.0);
        let back = order.navigate(Direction::Back, 5.0, TOUCH_TIMEOUT).unwrap();
        order.shown(back, 5.5);
        let forward = order
            .navigate(Direction::Forward, 8.0, TOUCH_TIMEOUT)
            .unwrap();
        order.shown(forward, 8.5);
        assert!(order.idle_due(38.0));
        // Unattended, the show would be in its second round: 30..40 is the first page again, which
        // is on screen, so it stays for the rest of its time.
        assert_eq!(order.idle_return(38.0), None);
        assert!(!order.in_visit());
        assert_eq!(order.deadline(), Some(40.0));
        // Left on another page, the unattended one comes at once.
        let forward = order
            .navigate(Direction::Forward, 39.0, TOUCH_TIMEOUT)
            .unwrap();
        order.shown(forward, 39.5);
        let back_to = order.idle_return(69.0).unwrap();
        assert_eq!(Some(back_to), in_order(0), "60..70 is the first page");
        assert!(
            order.time_to_switch(back_to, false, 69.1),
            "it comes at once"
        );
        order.shown(back_to, 69.2);
        assert!(!order.in_visit());
        assert_eq!(order.deadline(), Some(79.2));
        // At 45 the unattended show is on the second page.
        let mut order = RunningOrder::new(pages("T", 3));
        show_next(&mut order, 0.0);
        order.navigate(Direction::Forward, 15.0, TOUCH_TIMEOUT);
        assert_eq!(order.idle_return(45.0), in_order(1));
    }

    #[test]
    fn pause_holds_everything_until_play_or_the_idle_timeout() {
        let mut order = RunningOrder::new(pages("T", 3));
        show_next(&mut order, 0.0);
        order.pause(2.0, TOUCH_TIMEOUT);
        assert!(order.is_paused());
        let next = order.choose_next().unwrap();
        assert!(!order.time_to_switch(next, false, 31.9));
        assert_eq!(order.deadline(), Some(32.0));
        // Play: the show runs on by itself, the page on screen getting its whole time again.
        order.play(20.0);
        assert!(!order.is_paused() && !order.in_visit());
        assert_eq!(order.deadline(), Some(30.0));
        // Paused and left alone: the idle timeout ends the pause too.
        order.pause(21.0, TOUCH_TIMEOUT);
        assert!(order.idle_due(51.0));
        order.idle_return(51.0);
        assert!(!order.is_paused());
    }

    #[test]
    fn an_opened_page_comes_at_once_and_closing_it_brings_back_the_page_it_came_from() {
        let mut order = RunningOrder::new(pages("T", 3));
        show_next(&mut order, 0.0);
        let second = order.choose_next().unwrap();
        order.shown(second, 10.0);
        let detail = pages("Bok", 1).remove(0);
        let open = order
            .open_aside(detail.clone(), 12.0, TOUCH_TIMEOUT)
            .unwrap();
        assert_eq!(open.place, Place::Aside);
        assert!(open.navigated);
        assert_eq!(order.page(open), Some(detail));
        order.shown(open, 12.5);
        assert!(order.aside_on_screen());
        // The running order still stands at the page the detail came from.
        assert_eq!(slide_on_screen(&order), Some(2));
        let close = order.close_aside(20.0, TOUCH_TIMEOUT).unwrap();
        assert_eq!(Some(close), navigated_to(1));
        order.shown(close, 20.5);
        assert!(order.aside().is_none() && !order.aside_on_screen());
        assert!(order.in_visit(), "the show still holds after closing");
        // Left open, the idle return closes it: the unattended page comes even if it is the same.
        let open = order
            .open_aside(pages("Bok", 1).remove(0), 21.0, TOUCH_TIMEOUT)
            .unwrap();
        order.shown(open, 21.5);
        // Unattended since 10, at 51 the show would be 41 s on: a round and the third page.
        assert_eq!(order.idle_return(51.0), in_order(2));
    }

    #[test]
    fn a_detail_that_cannot_be_prepared_is_forgotten() {
        let mut order = RunningOrder::new(pages("T", 3));
        show_next(&mut order, 0.0);
        let open = order
            .open_aside(pages("Bok", 1).remove(0), 1.0, TOUCH_TIMEOUT)
            .unwrap();
        order.could_not_prepare(open);
        assert!(order.aside().is_none());
        assert_eq!(slide_on_screen(&order), Some(1));
    }

    #[test]
    fn a_carousel_dot_goes_to_that_picture() {
        let mut all = pages("T", 1);
        for part in 1..=3 {
            let mut p = pages("C", 1).remove(0);
            p.key.slide = 2;
            p.key.part = part;
            all.push(p);
        }
        let mut order = RunningOrder::new(all);
        show_next(&mut order, 0.0);
        let carousel = order.choose_next().unwrap();
        order.shown(carousel, 10.0);
        assert_eq!(order.go_to_part(3, 11.0, TOUCH_TIMEOUT), navigated_to(3));
        assert_eq!(order.go_to_part(9, 11.0, TOUCH_TIMEOUT), None);
    }

    #[test]
    fn new_content_replaces_the_welcome_page_at_once() {
        let mut order = RunningOrder::new(vec![welcome_page()]);
        show_next(&mut order, 0.0);
        order.replace(pages("T", 2), Change::Content);
        let next = order.choose_next().unwrap();
        assert!(order.time_to_switch(next, false, 1.0));
    }

    #[test]
    fn a_schedule_change_waits_for_the_visitor_to_leave() {
        let mut order = RunningOrder::new(pages("A", 3));
        show_next(&mut order, 0.0);
        order.navigate(Direction::Forward, 2.0, TOUCH_TIMEOUT);
        order.replace(pages("B", 2), Change::Schedule);
        let next = order.choose_next().unwrap();
        assert!(
            !order.time_to_switch(next, false, 10.0),
            "the visitor keeps the screen"
        );
        // When they leave, the new program plays from its beginning.
        let back = order.idle_return(32.0).unwrap();
        assert_eq!(Some(back), in_order(0));
        assert!(order.time_to_switch(back, false, 32.0));
        order.shown(back, 32.1);
        assert_eq!(order.current().unwrap().key.playlist, "B");
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
