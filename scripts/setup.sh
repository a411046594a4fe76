#!/usr/bin/env bash
# Installs what Runsheet needs on a fresh Debian/Ubuntu machine.
#   scripts/setup.sh          system packages to build and run the desktop app
#   scripts/setup.sh --test   the above plus what the test suite needs (servers, keyring, validators, drivers)
# Run as root (CI does); otherwise it prints the exact apt command to run first.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

packages=(build-essential pkg-config curl ca-certificates libwebkit2gtk-4.1-dev libssl-dev librsvg2-dev
          libsecret-1-0 gnome-keyring dbus dbus-x11 fonts-dejavu-core)
if [ "$want_test" = 1 ]; then
  packages+=(xvfb xauth webkit2gtk-driver imagemagick x11-utils libsecret-tools redis-server postgresql
             poppler-utils cmark-gfm chromium python3-venv python3-pip openssl)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt_cmd=(apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}")
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${missing[*]}"
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive "${apt_cmd[@]}" >/tmp/runsheet-apt.log 2>&1 \
      || { tail -30 /tmp/runsheet-apt.log; echo "setup: apt-get failed (log above)"; exit 1; }
  else
    echo "setup: these system packages are missing; run this first, then run this script again:"
    echo "  sudo apt-get update && sudo ${apt_cmd[*]}"
    exit 1
  fi
fi

if ! command -v cargo >/dev/null; then
  echo "setup: Rust is missing; installing it with rustup (https://rustup.rs)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
if ! command -v npm >/dev/null; then
  echo "setup: Node.js 20+ and npm are missing: install them (e.g. from your distribution or nodejs.org) and rerun"
  exit 1
fi

echo "setup: installing UI packages"
(cd ui && npm ci --no-audit --no-fund --loglevel=error)
