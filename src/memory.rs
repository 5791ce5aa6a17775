//! Memory that goes back to the system. A screen runs for days; each page change decodes pictures
//! of several megabytes on a worker thread, and in software rendering every texture is main
//! memory too. glibc's malloc keeps large freed blocks in per-thread arenas (its threshold for
//! giving them back grows with every large block freed), so a player's resident memory only
//! grows towards the largest it ever held. With a fixed threshold, blocks of 256 KiB and more
//! are mapped and unmapped on their own, and two arenas are enough for a program whose threads
//! mostly wait.
//!
//! glibc reads these settings (`GLIBC_TUNABLES`) only when a process starts, so the long-running
//! commands start themselves again with them, once, before any thread exists. The process
//! keeps its id (systemd's watchdog and notifications are unaffected). Settings already in the
//! environment are respected: a `glibc.malloc` tunable there means someone chose, and nothing
//! is changed.

/// The malloc settings vitrin runs with.
pub const TUNABLES: &str = "glibc.malloc.mmap_threshold=262144:glibc.malloc.arena_max=2";

/// Set (to any value) to run with glibc's own defaults. vitrin sets it itself when it starts
/// again, so that it starts again only once.
pub const KEEP_DEFAULTS: &str = "VITRIN_MALLOC_DEFAULTS";

/// The `GLIBC_TUNABLES` value to start again with, or `None` when the environment already
/// chose (or the settings are in place).
pub fn tunables_for(current: Option<&str>, keep_defaults: bool) -> Option<String> {
    if keep_defaults {
        return None;
    }
    match current {
        None | Some("") => Some(TUNABLES.to_string()),
        Some(c) if c.contains("glibc.malloc.") => None,
        Some(c) => Some(format!("{c}:{TUNABLES}")),
    }
}

/// Starts this process again with [`TUNABLES`] in its environment, unless they are there (or the
/// environment chose otherwise). Returns only if it did not: then with the reason, if starting
/// again failed; the program then simply runs with glibc's defaults. Call it first thing in
/// `main`, before any thread is started.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn start_tuned() -> Option<std::io::Error> {
    use std::os::unix::process::CommandExt;
    let current = std::env::var("GLIBC_TUNABLES").ok();
    let keep = std::env::var_os(KEEP_DEFAULTS).is_some();
    let tunables = tunables_for(current.as_deref(), keep)?;
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return Some(e),
    };
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| exe.clone().into_os_string());
    // If glibc ignored the variable, the second start must not start a third.
    Some(
        std::process::Command::new(&exe)
            .arg0(arg0)
            .args(args)
            .env("GLIBC_TUNABLES", tunables)
            .env(KEEP_DEFAULTS, "started-tuned")
            .exec(),
    )
}

/// Other systems' allocators need nothing.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn start_tuned() -> Option<std::io::Error> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chooses_once_and_respects_the_environment() {
        assert_eq!(tunables_for(None, false).as_deref(), Some(TUNABLES));
        assert_eq!(tunables_for(Some(""), false).as_deref(), Some(TUNABLES));
        // Other tunables stay, ours are added.
        assert_eq!(
            tunables_for(Some("glibc.rtld.optional_static_tls=512"), false),
            Some(format!("glibc.rtld.optional_static_tls=512:{TUNABLES}"))
        );
        // Someone chose malloc settings, or asked for the defaults, or it is the second start.
        assert_eq!(tunables_for(Some("glibc.malloc.arena_max=1"), false), None);
        assert_eq!(tunables_for(Some(TUNABLES), false), None);
        assert_eq!(tunables_for(None, true), None);
    }
}
