//! The screen's power follows the opening hours: when the library closes the display goes to
//! sleep (after the fade to black), and it wakes a warm-up before the library opens. What the
//! screen needs is decided here from the program and the clock ([`wanted`]); how it is done
//! depends on the hardware ([`Method`]): HDMI-CEC with `cec-ctl` (the panel itself goes to
//! standby), the output's power through a wlroots compositor (`swaymsg output * dpms off`, the
//! wlr-output-power-management of sway), or DPMS under X11 (`xset dpms force off`). Commands run
//! with a short timeout; a missing tool or adapter is one log line, and nothing is retried until
//! the wanted state changes again.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// How the display is put to sleep and woken.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Method {
    /// Nothing: the screen shows black while closed.
    #[default]
    None,
    /// HDMI-CEC through `cec-ctl` (v4l-utils), on this adapter (default `/dev/cec0`); `program`
    /// is where cec-ctl is, when not on PATH.
    Cec {
        device: Option<String>,
        program: Option<String>,
    },
    /// A wlroots compositor's output power, through `swaymsg`.
    Sway,
    /// X11 DPMS, through `xset`.
    X11,
}

impl Method {
    /// From the screen config's word.
    pub fn from_word(word: &str, cec_device: Option<String>, cec_ctl: Option<String>) -> Method {
        match word {
            "cec" => Method::Cec {
                device: cec_device,
                program: cec_ctl,
            },
            "sway" => Method::Sway,
            "x11" => Method::X11,
            _ => Method::None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Method::None => "none",
            Method::Cec { .. } => "cec",
            Method::Sway => "sway",
            Method::X11 => "x11",
        }
    }
}

/// The words the screen config takes for `power`.
pub const METHODS: &[&str] = &["none", "cec", "sway", "x11"];

/// Whether the display should be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    On,
    Asleep,
}

/// What the display should be now: asleep while the library is closed, awake from `warm_up`
/// before the schedule next changes (the opening) and whenever it is open.
pub fn wanted(
    closed: bool,
    now: DateTime<Utc>,
    next_change: Option<DateTime<Utc>>,
    warm_up: Duration,
) -> Display {
    if !closed {
        return Display::On;
    }
    let warm_up = chrono::Duration::from_std(warm_up).unwrap_or_default();
    match next_change {
        Some(t) if now >= t - warm_up => Display::On,
        _ => Display::Asleep,
    }
}

/// When [`wanted`] next changes by itself, while closed: the start of the warm-up.
pub fn next_wake(
    closed: bool,
    now: DateTime<Utc>,
    next_change: Option<DateTime<Utc>>,
    warm_up: Duration,
) -> Option<DateTime<Utc>> {
    let warm_up = chrono::Duration::from_std(warm_up).unwrap_or_default();
    let at = next_change? - warm_up;
    (closed && at > now).then_some(at)
}

/// The command that puts the display in `state` with `method`; `None` for [`Method::None`].
pub fn command(method: &Method, state: Display) -> Option<(String, Vec<String>)> {
    let on = state == Display::On;
    let (program, args): (&str, Vec<String>) = match method {
        Method::None => return None,
        Method::Cec { device, program } => {
            let mut args = Vec::new();
            if let Some(d) = device {
                args.extend(["-d".to_string(), d.clone()]);
            }
            // As a playback device, to the TV (logical address 0).
            args.extend(["--playback", "--to", "0"].map(String::from));
            args.push(if on { "--image-view-on" } else { "--standby" }.into());
            return Some((program.clone().unwrap_or_else(|| "cec-ctl".into()), args));
        }
        Method::Sway => (
            "swaymsg",
            // `dpms`, which sway 1.7 (Debian 12) knows; later versions also call it `power`.
            ["output", "*", "dpms", if on { "on" } else { "off" }]
                .map(String::from)
                .to_vec(),
        ),
        Method::X11 => (
            "xset",
            ["dpms", "force", if on { "on" } else { "off" }]
                .map(String::from)
                .to_vec(),
        ),
    };
    Some((program.to_string(), args))
}

/// How long a power command may take before it is given up on.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the display's power could not be changed.
#[derive(Debug, thiserror::Error)]
pub enum PowerError {
    #[error("{program} is not installed")]
    Missing { program: String },
    #[error("{program} failed ({status}): {stderr}")]
    Failed {
        program: String,
        status: String,
        stderr: String,
    },
    #[error("{program} did not answer within {seconds} s")]
    Timeout { program: String, seconds: u64 },
    #[error("cannot run {program}: {source}")]
    Io {
        program: String,
        #[source]
        source: std::io::Error,
    },
}

/// Runs a power command, killing it after `timeout`.
pub fn run(program: &str, args: &[String], timeout: Duration) -> Result<(), PowerError> {
    run_output(program, args, timeout).map(drop)
}

/// Runs a command, killing it after `timeout`; what it printed.
fn run_output(program: &str, args: &[String], timeout: Duration) -> Result<String, PowerError> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => PowerError::Missing {
                program: program.into(),
            },
            _ => PowerError::Io {
                program: program.into(),
                source,
            },
        })?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let mut stderr = String::new();
                if let Some(mut e) = child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut stderr);
                }
                // xset says it cannot (an X server without DPMS) and still exits 0.
                let refused = stderr.contains("does not have") || stderr.contains("unknown option");
                if status.success() && !refused {
                    let mut stdout = String::new();
                    if let Some(mut o) = child.stdout.take() {
                        use std::io::Read;
                        let _ = o.read_to_string(&mut stdout);
                    }
                    return Ok(stdout);
                }
                let stderr = stderr.lines().next().unwrap_or_default().to_string();
                return Err(PowerError::Failed {
                    program: program.into(),
                    status: status.to_string(),
                    stderr,
                });
            }
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(PowerError::Timeout {
                    program: program.into(),
                    seconds: timeout.as_secs(),
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(source) => {
                return Err(PowerError::Io {
                    program: program.into(),
                    source,
                });
            }
        }
    }
}

/// Puts the display in `state`: runs the method's command, or does nothing for
/// [`Method::None`].
pub fn apply(method: &Method, state: Display) -> Result<(), PowerError> {
    let Some((program, args)) = command(method, state) else {
        return Ok(());
    };
    run(&program, &args, COMMAND_TIMEOUT)?;
    if *method == Method::Sway {
        verify_sway(&program, state)?;
    }
    Ok(())
}

/// Asks sway (through `swaymsg` at `program`) whether its outputs are now in `state`. sway answers
/// a power command with success even when the output refused it (seen with sway 1.7: "Failed to
/// commit output" in its log, `"success": true` to the client), so the outputs are read back.
pub fn verify_sway(program: &str, state: Display) -> Result<(), PowerError> {
    let args = ["-t", "get_outputs", "--raw"].map(String::from);
    let json = run_output(program, &args, COMMAND_TIMEOUT)?;
    let outputs: Vec<serde_json::Value> =
        serde_json::from_str(&json).map_err(|e| PowerError::Failed {
            program: program.into(),
            status: "no list of outputs".into(),
            stderr: e.to_string(),
        })?;
    let on = state == Display::On;
    // sway 1.7 says "dpms", later versions "power".
    let wrong: Vec<&str> = outputs
        .iter()
        .filter(|o| {
            o.get("power")
                .or_else(|| o.get("dpms"))
                .and_then(|v| v.as_bool())
                .is_some_and(|p| p != on)
        })
        .map(|o| o.get("name").and_then(|n| n.as_str()).unwrap_or("?"))
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(PowerError::Failed {
            program: program.into(),
            status: "its answer was success".into(),
            stderr: format!(
                "output {} is still {}",
                wrong.join(", "),
                if on { "off" } else { "on" }
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn asleep_while_closed_awake_from_the_warm_up_and_while_open() {
        let opens = Some(t("2026-12-02T09:00:00Z"));
        let warm = Duration::from_secs(600);
        assert_eq!(
            wanted(false, t("2026-12-01T12:00:00Z"), opens, warm),
            Display::On
        );
        assert_eq!(
            wanted(true, t("2026-12-01T19:00:00Z"), opens, warm),
            Display::Asleep
        );
        assert_eq!(
            wanted(true, t("2026-12-02T08:49:59Z"), opens, warm),
            Display::Asleep
        );
        assert_eq!(
            wanted(true, t("2026-12-02T08:50:00Z"), opens, warm),
            Display::On
        );
        assert_eq!(
            next_wake(true, t("2026-12-01T19:00:00Z"), opens, warm),
            Some(t("2026-12-02T08:50:00Z"))
        );
        assert_eq!(
            next_wake(false, t("2026-12-01T19:00:00Z"), opens, warm),
            None
        );
    }

    #[test]
    fn each_method_has_its_command() {
        let cec = Method::Cec {
            device: Some("/dev/cec1".into()),
            program: None,
        };
        assert_eq!(
            command(&cec, Display::Asleep).unwrap(),
            (
                "cec-ctl".to_string(),
                ["-d", "/dev/cec1", "--playback", "--to", "0", "--standby"]
                    .map(String::from)
                    .to_vec()
            )
        );
        assert_eq!(
            command(&Method::Sway, Display::On).unwrap().1,
            ["output", "*", "dpms", "on"]
        );
        assert_eq!(
            command(&Method::X11, Display::Asleep).unwrap().1,
            ["dpms", "force", "off"]
        );
        assert_eq!(command(&Method::None, Display::Asleep), None);
    }

    /// A stand-in for swaymsg that answers success to everything and reports its output as
    /// `dpms`, as sway 1.7's headless output does when it cannot be turned off.
    fn swaymsg(dir: &std::path::Path, dpms: bool) -> String {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(format!("swaymsg-{dpms}"));
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\nif [ \"$1\" = -t ]; then echo '[{{\"name\": \"HEADLESS-1\", \"dpms\": {dpms}}}]'; else echo '[{{\"success\": true}}]'; fi\n"
            ),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.display().to_string()
    }

    #[test]
    fn sway_is_asked_whether_its_output_really_went_off() {
        let dir = tempfile::tempdir().unwrap();
        let stuck_on = swaymsg(dir.path(), true);
        let e = verify_sway(&stuck_on, Display::Asleep).unwrap_err();
        assert!(e.to_string().contains("HEADLESS-1 is still on"), "{e}");
        assert!(verify_sway(&stuck_on, Display::On).is_ok());
        let off = swaymsg(dir.path(), false);
        assert!(verify_sway(&off, Display::Asleep).is_ok());
    }

    #[test]
    fn a_missing_tool_a_failure_and_a_hang_are_errors_that_say_so() {
        let e = run("vitrin-no-such-tool", &[], COMMAND_TIMEOUT).unwrap_err();
        assert!(matches!(e, PowerError::Missing { .. }), "{e}");
        let e = run(
            "sh",
            &["-c".into(), "echo 'no CEC adapter' >&2; exit 1".into()],
            COMMAND_TIMEOUT,
        )
        .unwrap_err();
        assert!(e.to_string().contains("no CEC adapter"), "{e}");
        // As xset on an X server without DPMS: it says so, and exits 0.
        let e = run(
            "sh",
            &[
                "-c".into(),
                "echo 'server does not have extension for dpms option' >&2".into(),
            ],
            COMMAND_TIMEOUT,
        )
        .unwrap_err();
        assert!(e.to_string().contains("dpms"), "{e}");
        let started = Instant::now();
        let e = run("sleep", &["10".into()], Duration::from_millis(200)).unwrap_err();
        assert!(matches!(e, PowerError::Timeout { .. }), "{e}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
