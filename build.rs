//! How the `vitrin` program is linked on Linux, for memory:
//!
//! - With packed relative relocations (DT_RELR, glibc 2.36 and later, Debian 12 and later). A
//!   position-independent Rust program of this size carries some 470,000 relative relocations: as
//!   a classic table that is 11 MB the loader reads at every start and keeps mapped, packed it is
//!   about 100 KB.
//! - In release builds for x86-64, with the functions a screen runs placed together, in the order
//!   they first run (`benches/symbol-order.txt`, written by `benches/symbol-order`). The kernel
//!   maps a program's code 64 KB at a time around each first use, and in the order the compiler
//!   leaves them the 20,000 functions a player uses (of 200,000) are spread over all of its 50 MB
//!   of code: each small one brings 64 KB into memory. Gathered, they take about 13 MB. The
//!   linker ignores names it does not find, so an older list costs only what it no longer covers.
//!   It is passed to the linker rustc uses there, rust-lld (Rust 1.90 and later); set
//!   `VITRIN_SYMBOL_ORDER=0` to link without it (with a linker that does not know the option).

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=benches/symbol-order.txt");
    println!("cargo::rerun-if-env-changed=VITRIN_SYMBOL_ORDER");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") != "linux" || var("CARGO_CFG_TARGET_ENV") != "gnu" {
        return;
    }
    println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    let order = std::path::Path::new(&var("CARGO_MANIFEST_DIR")).join("benches/symbol-order.txt");
    if var("CARGO_CFG_TARGET_ARCH") == "x86_64"
        && var("PROFILE") == "release"
        && var("VITRIN_SYMBOL_ORDER") != "0"
        && order.is_file()
    {
        println!(
            "cargo::rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        println!("cargo::rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}
