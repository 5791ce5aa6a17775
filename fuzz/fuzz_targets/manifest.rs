//! A feed's manifest, as a screen reads it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vitrin::fuzzing::manifest(data);
});
