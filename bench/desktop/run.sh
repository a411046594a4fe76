#!/usr/bin/env bash
# Desktop benchmark (not a test, never run by CI): builds runsheet-desktop and the bare Tauri fixture in release
# mode and measures both under one Xvfb:
#   - launch → first paint: the page reports its second requestAnimationFrame through a command that writes the
#     wall-clock time to $RUNSHEET_PAINT_MARKER; the script took the time just before exec. Same method for both.
#   - PSS: /proc/PID/smaps_rollup summed over the app and every descendant (WebKitWebProcess, WebKitNetworkProcess),
#     read once the page has painted and memory has settled.
#   - keypress → persisted: bench/desktop/keypress.mjs drives Runsheet through tauri-driver with a 150-item run
#     open, presses x/j, and reads the durations set_item_state recorded (IPC entry → committed SQLite write) plus
#     the round trips the UI's backend measured (invoke → resolved).
# Usage: bash bench/desktop/run.sh [RUNS]   (default 5 launches per app). Writes bench/desktop/results.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
RUNS=${1:-5}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
OUT=$REPO/bench/desktop/results.txt

if [[ -z "${DISPLAY:-}" ]]; then
  exec xvfb-run -a -s '-screen 0 1280x800x24' bash "$0" "$@"
fi

echo "== building (release)"
[[ -f ui/dist/index.html && -z "${REBUILD_UI:-}" ]] || (cd ui && npm ci --no-audit --no-fund && npm run build)
cargo build --release -p runsheet-desktop
cargo build --release --manifest-path bench/desktop/bare/Cargo.toml
RS=$CARGO_TARGET_DIR/release/runsheet-desktop
BARE=$CARGO_TARGET_DIR/release/bench-bare-tauri

# A data directory holding one run of a 150-item checklist, made through the app's own import and create commands
# (keypress.mjs does it through the real window, and leaves the run open).
HOME_DIR=$(mktemp -d)
trap 'rm -rf "$HOME_DIR"' EXIT
python3 - "$HOME_DIR/bench-150.md" <<'PY'
import sys
lines = ["# Bench checklist (150 items)", ""]
n = 0
for p in range(5):
    lines += [f"## Phase {p + 1}", ""]
    for s in range(3):
        lines += [f"### Section {p + 1}.{s + 1}", ""]
        for i in range(10):
            n += 1
            lines.append(f"- [ ] Step {n}: check `service-{n}` and record the result")
        lines.append("")
lines += ["## Sign-off", "", "- [ ] Release Manager: ______ Date: ____", ""]
open(sys.argv[1], "w").write("\n".join(lines))
PY

pss_tree() { # PSS in KiB of PID and all its descendants
  local pids=("$1") all=() p
  while ((${#pids[@]})); do
    p=${pids[0]}; pids=("${pids[@]:1}"); all+=("$p")
    for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do pids+=("$c"); done
  done
  local total=0 v
  for p in "${all[@]}"; do
    v=$(awk '/^Pss:/ {print $2}' /proc/"$p"/smaps_rollup 2>/dev/null || echo 0)
    total=$((total + ${v:-0}))
  done
  echo "$total ${#all[@]}"
}

measure() { # NAME BIN [env...]: prints "paint_ms pss_kib nprocs" per launch
  local name=$1 bin=$2; shift 2
  for ((i = 0; i < RUNS; i++)); do
    local marker; marker=$(mktemp -u)
    local t0; t0=$(date +%s%6N)
    env "$@" RUNSHEET_PAINT_MARKER="$marker" "$bin" >/dev/null 2>&1 &
    local pid=$!
    local deadline=$(( $(date +%s) + 30 ))
    until [[ -s $marker ]]; do
      (( $(date +%s) < deadline )) || { echo "$name: no paint marker within 30 s" >&2; kill "$pid"; return 1; }
      sleep 0.005
    done
    local t1; t1=$(cat "$marker")
    # Memory after the page settled: poll PSS until two readings 250 ms apart differ by < 1%.
    local prev=0 cur n
    for _ in $(seq 40); do
      sleep 0.25
      read -r cur n < <(pss_tree "$pid")
      (( prev > 0 && (cur - prev) * 100 / prev < 1 && (prev - cur) * 100 / prev < 1 )) && break
      prev=$cur
    done
    echo "$name $(( (t1 - t0) / 1000 )).$(( (t1 - t0) % 1000 / 100 )) $cur $n"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -f "$marker"
  done
}

echo "== launch → first paint, PSS ($RUNS launches each)"
RAW=$(mktemp)
measure bare "$BARE" | tee -a "$RAW"
measure runsheet "$RS" RUNSHEET_HOME="$HOME_DIR" | tee -a "$RAW"

echo "== Runsheet with the 150-item run open: PSS and keypress → persisted"
(cd tests/e2e && [[ -d node_modules ]] || npm ci --ignore-scripts --no-audit --no-fund)
KEYS=$(RUNSHEET_DESKTOP_BIN=$RS RUNSHEET_BENCH_CHECKLIST="$HOME_DIR/bench-150.md" node bench/desktop/keypress.mjs)
echo "$KEYS"

python3 - "$RAW" "$KEYS" > "$OUT" <<'PY'
import json, statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
keys = json.loads(sys.argv[2])
def agg(name):
    r = [x for x in rows if x[0] == name]
    paint = [float(x[1]) for x in r]; pss = [int(x[2]) / 1024 for x in r]
    return statistics.median(paint), statistics.median(pss), r[0][3]
bp, bm, bn = agg("bare"); rp, rm, rn = agg("runsheet")
print(f"launch -> first paint (median of {len([x for x in rows if x[0]=='bare'])}): bare {bp:.0f} ms, runsheet {rp:.0f} ms (+{rp-bp:.0f} ms; goal <= +150 ms)")
print(f"PSS at first screen (median): bare {bm:.1f} MiB ({bn} processes), runsheet {rm:.1f} MiB ({rn} processes), ratio {rm/bm:.2f} (goal <= 1.20)")
print(f"PSS with the 150-item run open: runsheet {keys['pss_run_open_kib']/1024:.1f} MiB, ratio to bare {keys['pss_run_open_kib']/1024/bm:.2f}")
print(f"keypress -> persisted (set_item_state, IPC entry -> committed write), n={keys['n']}: p50 {keys['server_p50']:.2f} ms, p95 {keys['server_p95']:.2f} ms (goal p95 <= 10 ms)")
print(f"UI round trip (invoke -> resolved, includes IPC both ways), n={keys['n_client']}: p50 {keys['client_p50']:.2f} ms, p95 {keys['client_p95']:.2f} ms")
PY
cat "$OUT"
