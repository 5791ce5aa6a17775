//! Telling systemd how the player is: `READY=1` once the first page shows, `WATCHDOG=1` pings from
//! the frame loop (so a frozen renderer stops them and systemd restarts the player), and `STATUS=`
//! with the page on screen. The protocol is one datagram per message to the socket named in
//! `NOTIFY_SOCKET` (sd_notify(3)); without it (not under systemd) nothing is sent.

use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Where notifications go and how often the watchdog wants a ping.
#[derive(Debug)]
pub struct Notifier {
    socket: UnixDatagram,
    target: Target,
    /// systemd's watchdog interval (`WATCHDOG_USEC`), if it watches.
    watchdog: Option<Duration>,
    last_ping: Option<Instant>,
}

#[derive(Debug, Clone)]
enum Target {
    Path(PathBuf),
    /// A socket in the abstract namespace (`@name`).
    Abstract(Vec<u8>),
}

impl Notifier {
    /// From systemd's environment: `NOTIFY_SOCKET` and `WATCHDOG_USEC`. `None` when not run by systemd with notification on.
    pub fn from_env() -> Option<Notifier> {
        let socket = std::env::var_os("NOTIFY_SOCKET")?;
        // WATCHDOG_PID names the service's main process: the compositor vitrin runs in (cage, or
        // sway through a shell). vitrin is the service's only notifier (the unit says
        // NotifyAccess=all), so it pings whatever process systemd names.
        let watchdog = std::env::var("WATCHDOG_USEC")
            .ok()
            .and_then(|us| us.trim().parse::<u64>().ok())
            .filter(|&us| us > 0)
            .map(Duration::from_micros);
        Notifier::new(PathBuf::from(socket), watchdog).ok()
    }

    /// To the socket at `path` (`@name` for the abstract namespace), with a watchdog interval.
    pub fn new(path: PathBuf, watchdog: Option<Duration>) -> std::io::Result<Notifier> {
        let text = path.to_string_lossy();
        let target = match text.strip_prefix('@') {
            Some(name) => Target::Abstract(name.as_bytes().to_vec()),
            None => Target::Path(path),
        };
        Ok(Notifier {
            socket: UnixDatagram::unbound()?,
            target,
            watchdog,
            last_ping: None,
        })
    }

    /// How often to ping: twice per watchdog interval, as sd_watchdog_enabled(3) advises.
    pub fn ping_every(&self) -> Option<Duration> {
        self.watchdog.map(|w| w / 2)
    }

    /// When the next ping is due, counted from the last one.
    pub fn next_ping(&self) -> Option<Instant> {
        let every = self.ping_every()?;
        Some(self.last_ping.map_or_else(Instant::now, |t| t + every))
    }

    /// Sends one notification. Failures are ignored: systemd may be gone, and the player plays
    /// on regardless.
    pub fn send(&self, message: &str) {
        let sent = match &self.target {
            Target::Path(p) => self.socket.send_to(message.as_bytes(), p),
            Target::Abstract(name) => {
                use std::os::linux::net::SocketAddrExt;
                std::os::unix::net::SocketAddr::from_abstract_name(name)
                    .and_then(|addr| self.socket.send_to_addr(message.as_bytes(), &addr))
            }
        };
        if let Err(e) = sent {
            tracing::debug!("cannot notify systemd: {e}");
        }
    }

    /// The player is up: its first page is on screen.
    pub fn ready(&self, status: &str) {
        self.send(&format!("READY=1\nSTATUS={status}"));
    }

    /// Pings the watchdog if a ping is due; call it from the frame loop.
    pub fn ping_if_due(&mut self, now: Instant) {
        let Some(every) = self.ping_every() else {
            return;
        };
        if self
            .last_ping
            .is_none_or(|t| now.duration_since(t) >= every)
        {
            self.send("WATCHDOG=1");
            self.last_ping = Some(now);
        }
    }

    /// What the player is doing, for `systemctl status`.
    pub fn status(&self, status: &str) {
        self.send(&format!("STATUS={status}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(socket: &UnixDatagram) -> Vec<String> {
        socket.set_nonblocking(true).unwrap();
        let mut out = Vec::new();
        let mut buf = [0u8; 512];
        while let Ok(n) = socket.recv(&mut buf) {
            out.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
        out
    }

    #[test]
    fn ready_status_and_pings_reach_the_socket_at_the_pace_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).unwrap();
        let mut n = Notifier::new(path, Some(Duration::from_secs(10))).unwrap();
        assert_eq!(n.ping_every(), Some(Duration::from_secs(5)));
        n.ready("showing \"A\" slide 1");
        let t0 = Instant::now();
        n.ping_if_due(t0);
        n.ping_if_due(t0 + Duration::from_secs(1));
        n.ping_if_due(t0 + Duration::from_secs(5));
        n.status("closed");
        assert_eq!(
            received(&listener),
            [
                "READY=1\nSTATUS=showing \"A\" slide 1",
                "WATCHDOG=1",
                "WATCHDOG=1",
                "STATUS=closed"
            ]
        );
    }

    #[test]
    fn without_a_watchdog_nothing_pings_and_a_missing_socket_is_no_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut n = Notifier::new(dir.path().join("gone"), None).unwrap();
        n.ping_if_due(Instant::now());
        n.ready("x");
        assert_eq!(n.next_ping(), None);
    }
}
