//! Web calendars (iCalendar) read for events slides.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vitrin::fuzzing::calendar(data);
});
