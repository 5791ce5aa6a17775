//! Pictures probed and decoded, as `check` and the ingest do.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vitrin::fuzzing::picture(data);
});
