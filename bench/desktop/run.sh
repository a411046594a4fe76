#!/usr/bin/env bash
# Desktop benchmark (not a test, never run by CI): builds runsheet-desktop and the bare Tauri fixture (bare/, same
# tauri version, a static page) in release mode, as `tauri build` does (feature tauri/custom-protocol), and measures
# both side by side under one Xvfb:
#   - launch → first paint: each page reports its paint after two animation frames through a command that appends
#     the wall-clock time to $RUNSHEET_PAINT_MARKER; measure.py takes the time just before the spawn. Runsheet is
#     launched with RUNSHEET_OPEN_RUN naming a 150-item run made with the CLI, and reports two paints: its shell,
#     then the run view with the 150 items.
#   - PSS: /proc/PID/smaps_rollup summed over the app and every descendant (WebKitWebProcess,
#     WebKitNetworkProcess, ...), read after the last paint once memory settled. Launches are interleaved
#     (bare, runsheet, bare, ...) after one discarded warm-up each; medians are reported.
#   - keypress → persisted: keypress.mjs drives Runsheet through tauri-driver on the same run (see there).
# Every launch gets fresh XDG config/data/cache directories (WebKit caches, window state) shared by both apps.
#
# Usage: bash bench/desktop/run.sh [RUNS]   (default 5 launches per app; NO_BUILD=1 skips the builds).
# Needs: xvfb, webkit2gtk-driver, tauri-driver (cargo install tauri-driver --locked), node + tests/e2e deps.
# Writes bench/desktop/results.txt (the table) and results.json (every launch).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
RUNS=${1:-5}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
OUT=$REPO/bench/desktop/results.txt

if [[ -z "${DISPLAY:-}" ]]; then
  exec xvfb-run -a -s '-screen 0 1280x800x24' bash "$0" "$@"
fi

if [[ -z "${NO_BUILD:-}" ]]; then
  echo "== building (release, tauri/custom-protocol)"
  [[ -f ui/dist/index.html && -z "${REBUILD_UI:-}" ]] || (cd ui && npm ci --no-audit --no-fund && npm run build)
  cargo build --release -p runsheet-desktop --features tauri/custom-protocol
  cargo build --release -p runsheet-cli
  cargo build --release --manifest-path bench/desktop/bare/Cargo.toml --features tauri/custom-protocol
fi
RS=$CARGO_TARGET_DIR/release/runsheet-desktop
CLI=$CARGO_TARGET_DIR/release/runsheet
BARE=$CARGO_TARGET_DIR/release/bench-bare-tauri

WORK=$(mktemp -d)
# xdg-document-portal may leave a FUSE mount under the scratch dirs: unmount before removing, and never fail on it.
trap 'for m in $(grep -o "$WORK[^ ]*" /proc/mounts 2>/dev/null); do fusermount -uz "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done; rm -rf "$WORK" 2>/dev/null || true' EXIT
export XDG_CONFIG_HOME=$WORK/config XDG_DATA_HOME=$WORK/data XDG_CACHE_HOME=$WORK/cache
export RUNSHEET_HOME=$WORK/runsheet RUNSHEET_OPERATOR="Bench Operator"

# The 150-item checklist (5 phases × 3 sections × 10 items) and a run of it, through the CLI.
python3 - "$WORK/bench-150.md" <<'PY'
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
open(sys.argv[1], "w").write("\n".join(lines))
PY
RUN_ID=$("$CLI" run new "$WORK/bench-150.md" --title "Bench run" --version 1.0.0 --env bench)
export RUNSHEET_OPEN_RUN=$RUN_ID
ITEMS=$("$CLI" run show "$RUN_ID" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["items"]) if isinstance(d, dict) and "items" in d else "?")' || echo "?")
echo "== run $RUN_ID ($ITEMS items) in $RUNSHEET_HOME"

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== launch → first paint, PSS ($RUNS launches each, interleaved; load $LOAD0 on $(nproc) CPUs)"
python3 bench/desktop/measure.py "$RUNS" "bare=$BARE:1" "runsheet=$RS:2" > "$WORK/launch.json"

echo "== keypress → persisted (tauri-driver, run open)"
[[ -d tests/e2e/node_modules ]] || (cd tests/e2e && npm ci --ignore-scripts --no-audit --no-fund)
RUNSHEET_DESKTOP_BIN=$RS node bench/desktop/keypress.mjs > "$WORK/keys.json"
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$WORK/launch.json" "$WORK/keys.json" "$LOAD0" "$LOAD1" "$(nproc)" "$REPO/bench/desktop/results.json" > "$OUT" <<'PY'
import json, statistics as st, sys
launch = json.load(open(sys.argv[1])); keys = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
json.dump({"launch": launch, "keys": keys, "load": [sys.argv[3], sys.argv[4]]}, open(sys.argv[6], "w"), indent=1)
med = lambda xs: st.median(xs)
b, r = launch["bare"], launch["runsheet"]
bp = med([x["paint_ms"][0] for x in b]); rp = med([x["paint_ms"][0] for x in r]); rr = med([x["paint_ms"][1] for x in r])
bm = med([x["pss_kib"] for x in b]) / 1024; rm = med([x["pss_kib"] for x in r]) / 1024
ro = keys["pss_run_open_kib"] / 1024
def procs(rs):
    names = {}
    for x in rs:
        for c, k in x["procs"]:
            names.setdefault(c, []).append(k)
    n = len(rs)
    return ", ".join(f"{c} {med(v) / 1024:.1f}" for c, v in sorted(names.items(), key=lambda kv: -med(kv[1])) if len(v) >= n)
ok = lambda c: "ok" if c else "MISSED"
rows = [
    ("launch -> first paint (shell)", f"{bp:.0f} ms", f"{rp:.0f} ms", f"+{rp - bp:.0f} ms", "<= +150 ms", ok(rp - bp <= 150)),
    ("launch -> 150-item run painted", f"{bp:.0f} ms", f"{rr:.0f} ms", f"+{rr - bp:.0f} ms", "<= +150 ms", ok(rr - bp <= 150)),
    ("PSS, app + WebKit children", f"{bm:.1f} MiB", f"{rm:.1f} MiB", f"x{rm / bm:.2f}", "<= x1.20", ok(rm / bm <= 1.2)),
    ("PSS after 150 keypresses*", f"{bm:.1f} MiB", f"{ro:.1f} MiB", f"x{ro / bm:.2f}", "<= x1.20", ok(ro / bm <= 1.2)),
]
k = keys
rows += [
    ("keypress -> persisted + shown (p95)", "", f"{k['e2e_dom']['p95']:.2f} ms", f"p50 {k['e2e_dom']['p50']:.2f}", "<= 10 ms", ok(k['e2e_dom']['p95'] <= 10)),
    ("  ... -> next frame (p95)", "", f"{k['e2e_frame']['p95']:.2f} ms", f"p50 {k['e2e_frame']['p50']:.2f}", "", ""),
    ("set_item_state IPC entry -> commit (p95)", "", f"{k['server']['p95']:.2f} ms", f"p50 {k['server']['p50']:.2f}", "<= 10 ms", ok(k['server']['p95'] <= 10)),
    ("UI invoke -> resolved (p95)", "", f"{k['client']['p95']:.2f} ms", f"p50 {k['client']['p50']:.2f}", "", ""),
]
n = len(b)
print(f"Runsheet desktop bench: medians of {n} interleaved launches per app (after a warm-up), {k['e2e_dom']['n']} keypresses ({k['via']})")
print(f"load average {sys.argv[3]} before, {sys.argv[4]} after, on {sys.argv[5]} CPUs")
w = [max(len(str(r[i])) for r in rows + [("metric", "bare", "runsheet", "delta", "goal", "")]) for i in range(6)]
for row in [("metric", "bare", "runsheet", "delta", "goal", "")] + rows:
    print("  ".join(str(c).ljust(w[i]) for i, c in enumerate(row)).rstrip())
print(f"* the session keypress.mjs drove (run open through tauri-driver), one reading; bare is the launch median")
print(f"paints per launch (ms): bare {[round(x['paint_ms'][0]) for x in b]}, runsheet shell {[round(x['paint_ms'][0]) for x in r]}, run {[round(x['paint_ms'][1]) for x in r]}")
print(f"PSS per launch (MiB): bare {[round(x['pss_kib'] / 1024, 1) for x in b]}, runsheet {[round(x['pss_kib'] / 1024, 1) for x in r]}")
print(f"processes (median MiB): bare: {procs(b)}")
print(f"processes (median MiB): runsheet: {procs(r)}")
PY
cat "$OUT"
