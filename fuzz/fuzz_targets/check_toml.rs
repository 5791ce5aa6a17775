//! Staff's TOML files (playlists, screen configs, book lists) through the checker.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vitrin::fuzzing::check_toml(data);
});
