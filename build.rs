//! Links the `vitrin` program with packed relative relocations (DT_RELR, glibc 2.36 and later,
//! Debian 12 and later). A position-independent Rust program of this size carries some 470,000
//! relative relocations: as a classic table that is 11 MB the loader reads at every start and
//! keeps mapped, packed it is about 100 KB.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
