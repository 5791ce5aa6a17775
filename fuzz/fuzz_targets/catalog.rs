//! Catalog documents (RSS, Atom/OPDS, MARCXML, Libris JSON, OPDS 2) read from the web.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vitrin::fuzzing::catalog(data);
});
