#!/usr/bin/env bash
# Installs vitrin on a Debian 12 mini-PC behind a library screen, or updates it. See kiosk/README.md.
#
#   sudo kiosk/install.sh                     # the release build in target/release/vitrin
#   sudo kiosk/install.sh --binary ./vitrin   # a binary built elsewhere
#   sudo kiosk/install.sh --compositor sway   # sway instead of cage: for displays without HDMI-CEC,
#                                             # whose output sway turns off at night (power = "sway")
#   sudo kiosk/install.sh --uninstall         # removes the program and the service, keeps
#                                             # /etc/vitrin and /var/lib/vitrin (--purge: those too)
#
# It installs the run-time packages (Mesa's Vulkan drivers, the cage kiosk compositor, ALSA,
# v4l-utils for HDMI-CEC), creates the user `vitrin`, copies the program to /usr/local/bin, the
# bundled examples to /usr/share/vitrin, the example screen config to /etc/vitrin/screen.toml and the
# example playlists to /var/lib/vitrin/playlists (never over ones that exist: a screen's own config
# and playlists are never touched), and starts vitrin.service on the first virtual terminal.
#
# Everything is checked before anything is touched: a binary that does not run, or a screen config
# or playlists on the screen with errors, stop it with nothing changed. Run it again to update: a
# second run with nothing new changes nothing and does not restart the player.
#
# --root DIR installs into DIR instead of / and skips packages, the user and systemd: for
# checking what it would do (the tests use it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
binary="$repo/target/release/vitrin"
compositor=cage
root=""
action=install
purge=no
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --compositor) compositor="$2"; shift 2 ;;
    --root) root="$2"; shift 2 ;;
    --uninstall) action=uninstall; shift ;;
    --purge) action=uninstall; purge=yes; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$compositor" in
  cage|sway) ;;
  *) echo "install.sh: --compositor is cage or sway, not $compositor" >&2; exit 2 ;;
esac
if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run it as root (sudo kiosk/install.sh)" >&2
  exit 1
fi
system() { [ -z "$root" ]; }
changed=()

# Installs one file with mode $1 from $2 to $3, only when its content differs.
put() {
  local mode="$1" from="$2" to="$root$3"
  if [ -f "$to" ] && cmp -s "$from" "$to"; then
    return
  fi
  install -D -m "$mode" "$from" "$to"
  changed+=("$3")
}

# Makes folder $2 a copy of folder $1, only when their contents differ.
mirror() {
  local from="$1" to="$root$2"
  if [ -d "$to" ] && diff -r -q "$from" "$to" >/dev/null 2>&1; then
    return
  fi
  rm -rf "$to.new"
  mkdir -p "$(dirname "$to")"
  cp -r "$from" "$to.new"
  rm -rf "$to"
  mv "$to.new" "$to"
  changed+=("$2")
}

if [ "$action" = uninstall ]; then
  if system; then
    systemctl disable --now vitrin.service 2>/dev/null || true
    systemctl unmask ctrl-alt-del.target 2>/dev/null || true
  fi
  rm -f "$root/usr/local/bin/vitrin" "$root/etc/systemd/system/vitrin.service" \
    "$root/etc/sysctl.d/90-vitrin-kiosk.conf" "$root/etc/systemd/logind.conf.d/90-vitrin-kiosk.conf"
  rm -rf "$root/usr/share/vitrin"
  if [ "$purge" = yes ]; then
    rm -rf "$root/etc/vitrin" "$root/var/lib/vitrin" "$root/var/cache/vitrin"
    system && { userdel vitrin 2>/dev/null || true; }
    echo "vitrin is removed, with its config, playlists and cache."
  else
    echo "vitrin is removed. Kept: /etc/vitrin (the screen config) and /var/lib/vitrin (its playlists); --purge removes them too."
  fi
  if system; then
    systemctl daemon-reload
    sysctl --system >/dev/null 2>&1 || true
  fi
  exit 0
fi

# 1. Check everything first.
if [ ! -x "$binary" ]; then
  echo "install.sh: no vitrin program at $binary: build it with 'cargo build --release' or give --binary" >&2
  exit 1
fi
if ! version="$("$binary" --version 2>&1)"; then
  echo "install.sh: $binary does not run: $version" >&2
  exit 1
fi
if ! "$binary" check "$repo/playlists" >/dev/null; then
  "$binary" check "$repo/playlists" >&2 || true
  echo "install.sh: the bundled playlists have errors (above); nothing was installed" >&2
  exit 1
fi
for existing in "$root/etc/vitrin/screen.toml" "$root/var/lib/vitrin/playlists"; do
  if [ -e "$existing" ] && ! "$binary" check "$existing" >/dev/null; then
    "$binary" check "$existing" >&2 || true
    echo "install.sh: $existing has errors (above): fix them first; nothing was changed" >&2
    exit 1
  fi
done

# 2. Packages and the user.
if system; then
  export DEBIAN_FRONTEND=noninteractive
  packages=("$compositor" mesa-vulkan-drivers libvulkan1 libasound2 v4l-utils
    libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6 libx11-xcb1 libwayland-client0
    libwayland-cursor0 libwayland-egl1 ca-certificates)
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
  fi
  id vitrin >/dev/null 2>&1 || useradd --system --home-dir /var/lib/vitrin --create-home --shell /usr/sbin/nologin vitrin
fi

# 3. The program, the examples, the service.
put 0755 "$binary" /usr/local/bin/vitrin
mirror "$repo/playlists" /usr/share/vitrin/playlists
mirror "$repo/assets" /usr/share/vitrin/assets
put 0644 "$here/screen.toml" /usr/share/vitrin/screen.toml
put 0644 "$here/screen.schema.json" /usr/share/vitrin/screen.schema.json
put 0644 "$here/README.md" /usr/share/doc/vitrin/README.md
put 0644 "$here/sway.config" /usr/share/vitrin/sway.config
unit="$(mktemp)"
trap 'rm -f "$unit"' EXIT
if [ "$compositor" = sway ]; then
  sed -e 's|^ExecStart=.*|ExecStart=/usr/bin/sway --config /usr/share/vitrin/sway.config|' \
      -e 's|^Environment=RUST_LOG=info|Environment=RUST_LOG=info WLR_LIBINPUT_NO_DEVICES=1|' \
      "$here/vitrin.service" > "$unit"
else
  cp "$here/vitrin.service" "$unit"
fi
put 0644 "$unit" /etc/systemd/system/vitrin.service
# Nothing a visitor can press reaches past vitrin: no magic SysRq keys (Alt+SysRq+B reboots), no
# suspend or power-off from a keyboard's keys, no reboot from Ctrl+Alt+Del. (VT switching is off in
# the service: cage runs without -s.)
put 0644 "$here/kiosk-sysctl.conf" /etc/sysctl.d/90-vitrin-kiosk.conf
put 0644 "$here/kiosk-logind.conf" /etc/systemd/logind.conf.d/90-vitrin-kiosk.conf

# 4. A screen's own config and playlists: made once from the examples, never replaced.
if [ ! -e "$root/etc/vitrin/screen.toml" ]; then
  mkdir -p "$root/etc/vitrin"
  sed -e 's|^playlists = .*|playlists = "/var/lib/vitrin/playlists"|' \
      -e 's|^# cache_dir = .*|cache_dir = "/var/cache/vitrin"|' \
      "$here/screen.toml" > "$root/etc/vitrin/screen.toml"
  ln -sf ../../usr/share/vitrin/screen.schema.json "$root/etc/vitrin/screen.schema.json"
  changed+=(/etc/vitrin/screen.toml)
fi
if [ ! -e "$root/var/lib/vitrin/playlists" ]; then
  mkdir -p "$root/var/lib/vitrin"
  cp -r "$repo/playlists" "$root/var/lib/vitrin/playlists"
  # The examples' pictures stay where they are installed.
  [ -e "$root/var/lib/vitrin/assets" ] || ln -s ../../../usr/share/vitrin/assets "$root/var/lib/vitrin/assets"
  changed+=(/var/lib/vitrin/playlists)
fi

if [ ${#changed[@]} -eq 0 ]; then
  echo "vitrin $version is installed and up to date: nothing changed."
  exit 0
fi
printf 'changed: %s\n' "${changed[@]}"
if ! system; then
  echo "vitrin installed into $root (no packages, user or service touched)"
  exit 0
fi

# 5. Start (or restart) only what changed.
chown -R vitrin:vitrin /var/lib/vitrin
sysctl --load /etc/sysctl.d/90-vitrin-kiosk.conf >/dev/null
systemctl mask ctrl-alt-del.target >/dev/null
systemctl daemon-reload
systemctl reload-or-restart systemd-logind.service || true
systemctl enable vitrin.service >/dev/null
systemctl restart vitrin.service
echo "vitrin $version is installed and playing. Logs: journalctl -u vitrin -f; status: cat /run/vitrin/status.json"
