#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (Secret Service), so keyring code is
# tested against the real thing. Uses throwaway XDG dirs: the user's own keyring is never touched.
set -euo pipefail
tmp=$(mktemp -d /tmp/runsheet-keyring.XXXXXX)
mkdir -p "$tmp/data" "$tmp/runtime" "$tmp/config"
chmod 700 "$tmp/runtime"
export XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/runtime" XDG_CONFIG_HOME="$tmp/config"
# A locked keyring would pop a prompt on a display and block: keep the daemon off any display.
unset DISPLAY WAYLAND_DISPLAY
export RUNSHEET_KEYRING_PASSWORD="${RUNSHEET_KEYRING_PASSWORD:-runsheet-test-keyring}"
exec dbus-run-session -- bash -c '
  printf %s "$RUNSHEET_KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  unset RUNSHEET_KEYRING_PASSWORD
  exec "$@"' runsheet-keyring "$@"
