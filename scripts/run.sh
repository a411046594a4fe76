#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine and launches the Runsheet desktop app.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
(cd ui && npm run build)
exec cargo run --release -p runsheet-desktop -- "$@"
