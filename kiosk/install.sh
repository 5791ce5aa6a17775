#!/usr/bin/env bash
# Installs vitrin on a Debian 12 mini-PC behind a library screen.
#
#   sudo kiosk/install.sh                     # the release build in target/release/vitrin
#   sudo kiosk/install.sh --binary ./vitrin   # a binary built elsewhere
#
# It installs the run-time packages (Mesa's Vulkan drivers, the cage kiosk compositor, ALSA),
# creates the user `vitrin`, copies the program to /usr/local/bin, the example screen config to
# /etc/vitrin/screen.toml (never over one that exists) and the bundled playlists and pictures to
# /var/lib/vitrin, and starts vitrin.service on the first virtual terminal. Run it again to update.
#
# --root DIR installs into DIR instead of / and skips packages, the user and systemd: for
# checking what it would do (the tests use it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
binary="$repo/target/release/vitrin"
root=""
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --root) root="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [ ! -x "$binary" ]; then
  echo "install.sh: no vitrin program at $binary: build it with 'cargo build --release' or give --binary" >&2
  exit 1
fi
if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run it as root (sudo kiosk/install.sh)" >&2
  exit 1
fi

if [ -z "$root" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends \
    cage mesa-vulkan-drivers libvulkan1 libasound2 \
    libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6 libx11-xcb1 libwayland-client0 libwayland-cursor0 libwayland-egl1 \
    ca-certificates
  id vitrin >/dev/null 2>&1 || useradd --system --home-dir /var/lib/vitrin --create-home --shell /usr/sbin/nologin vitrin
fi

install -D -m 0755 "$binary" "$root/usr/local/bin/vitrin"
install -d -m 0755 "$root/etc/vitrin" "$root/var/lib/vitrin"
if [ ! -e "$root/etc/vitrin/screen.toml" ]; then
  # The example config, pointed at the installed playlists and the system cache.
  sed -e 's|^playlists = .*|playlists = "/var/lib/vitrin/playlists"|' \
      -e 's|^# cache_dir = .*|cache_dir = "/var/cache/vitrin"|' \
      "$here/screen.toml" > "$root/etc/vitrin/screen.toml"
  install -m 0644 "$here/screen.schema.json" "$root/etc/vitrin/screen.schema.json"
fi
# Bundled content for standalone screens; a screen with a feed in its config ignores it.
rm -rf "$root/var/lib/vitrin/playlists" "$root/var/lib/vitrin/assets"
cp -r "$repo/playlists" "$root/var/lib/vitrin/playlists"
cp -r "$repo/assets" "$root/var/lib/vitrin/assets"
install -D -m 0644 "$here/vitrin.service" "$root/etc/systemd/system/vitrin.service"
# Nothing a visitor can press reaches past vitrin: no magic SysRq keys (Alt+SysRq+B reboots), no
# suspend or power-off from a keyboard's keys, no reboot from Ctrl+Alt+Del. (VT switching is off in
# the service: cage runs without -s.)
install -D -m 0644 "$here/kiosk-sysctl.conf" "$root/etc/sysctl.d/90-vitrin-kiosk.conf"
install -D -m 0644 "$here/kiosk-logind.conf" "$root/etc/systemd/logind.conf.d/90-vitrin-kiosk.conf"

if [ -z "$root" ]; then
  chown -R vitrin:vitrin /var/lib/vitrin
  "$root/usr/local/bin/vitrin" check /var/lib/vitrin/playlists /etc/vitrin/screen.toml
  sysctl --load /etc/sysctl.d/90-vitrin-kiosk.conf >/dev/null
  systemctl mask ctrl-alt-del.target
  systemctl daemon-reload
  systemctl reload-or-restart systemd-logind.service || true
  systemctl enable vitrin.service
  systemctl set-default graphical.target
  systemctl restart vitrin.service
  echo "vitrin is installed and playing. Logs: journalctl -u vitrin -f; status: cat /run/vitrin/status.json"
else
  echo "vitrin installed into $root (no packages, user or service touched)"
fi
