#!/usr/bin/env bash
# Real-window end-to-end suite, self-contained: builds the UI and the desktop binary (debug, plain cargo build),
# installs tauri-driver if missing, starts a private D-Bus session with an unlocked gnome-keyring and Xvfb, and
# runs tests/e2e/specs against the runsheet-desktop binary. Exits non-zero on any failure.
#
# System packages: libwebkit2gtk-4.1-dev build-essential pkg-config webkit2gtk-driver xvfb xauth dbus
#                  gnome-keyring libsecret-tools poppler-utils nodejs npm (Node >= 20.19)
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD

need=()
for tool in xvfb-run WebKitWebDriver dbus-run-session gnome-keyring-daemon pdfsig node npm cargo; do
  command -v "$tool" >/dev/null || need+=("$tool")
done
if ((${#need[@]})); then
  echo "tests/e2e: missing ${need[*]}; install with:" >&2
  echo "  apt-get install -y libwebkit2gtk-4.1-dev webkit2gtk-driver xvfb xauth dbus gnome-keyring libsecret-tools poppler-utils nodejs npm" >&2
  exit 1
fi

echo "== tests/e2e: building the UI"
(cd ui && npm ci --no-audit --no-fund && npm run build)

echo "== tests/e2e: building runsheet-desktop (debug)"
cargo build -p runsheet-desktop
TARGET_DIR=${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')}
export RUNSHEET_DESKTOP_BIN=$TARGET_DIR/debug/runsheet-desktop
test -x "$RUNSHEET_DESKTOP_BIN"

if ! command -v tauri-driver >/dev/null; then
  echo "== tests/e2e: installing tauri-driver"
  cargo install tauri-driver --locked --version '^2'
fi
export PATH=$HOME/.cargo/bin:$PATH

echo "== tests/e2e: installing WebdriverIO"
(cd tests/e2e && npm ci --ignore-scripts --no-audit --no-fund)

# A throwaway keyring and runtime dir, so the suite never touches a real user's secrets.
SCRATCH=$(mktemp -d)
# xdg-document-portal may still have its FUSE mount under the runtime dir when the session ends: unmount it, and
# never let the clean-up decide the suite's exit status.
cleanup() {
  local rc=$?
  fusermount -uz "$SCRATCH/runtime/doc" 2>/dev/null || umount -l "$SCRATCH/runtime/doc" 2>/dev/null || true
  rm -rf "$SCRATCH" 2>/dev/null || true
  exit "$rc"
}
trap cleanup EXIT
mkdir -m 700 "$SCRATCH/runtime"
export XDG_DATA_HOME=$SCRATCH/data XDG_RUNTIME_DIR=$SCRATCH/runtime
mkdir -p "$XDG_DATA_HOME"

echo "== tests/e2e: running the suite under Xvfb"
dbus-run-session -- bash -c '
  set -euo pipefail
  unset DISPLAY
  # A non-empty password, or there is no default collection to store secrets in.
  echo -n "e2e-keyring-pw" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cd tests/e2e
  # A hang (an app that never exits, a driver that never answers) ends the suite as a failure instead of CI.
  timeout --kill-after=30s 20m xvfb-run -a -s "-screen 0 1280x800x24" npm test
'
