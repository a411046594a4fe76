#!/usr/bin/env python3
"""Part of bench/desktop/run.sh: launches each app RUNS times, interleaved (bare, runsheet, bare, ...), and measures
launch -> first paint and the PSS of the app's whole process tree. Prints one JSON object.

  measure.py RUNS NAME=BIN[:MARKS] ...   e.g. bare=/path/bench-bare-tauri:1 runsheet=/path/runsheet-desktop:2

MARKS is how many paint lines the app appends to $RUNSHEET_PAINT_MARKER (runsheet-desktop: the shell's first paint,
then the paint of the run opened through RUNSHEET_OPEN_RUN). Times are wall-clock microseconds from just before
the spawn to the line the app wrote. PSS is summed over the app and every descendant (found through the parent
field of /proc/PID/stat, so WebKitWebProcess, WebKitNetworkProcess and any sandbox helpers are all counted), read
once the last paint happened and two readings 250 ms apart differ by less than 1%.

Left out: anything about keypresses (keypress.mjs). The environment (RUNSHEET_HOME, RUNSHEET_OPEN_RUN, HOME, XDG_*)
is inherited from run.sh.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time


def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces: the parent pid follows the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def tree(pid):
    kids = children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def pss_tree(pid):
    procs = {p: (comm(p), pss_kib(p)) for p in tree(pid)}
    return sum(v for _, v in procs.values()), procs


def launch(name, binary, marks, deadline_s=60):
    fd, marker = tempfile.mkstemp(prefix=f"paint-{name}-")
    os.close(fd)
    os.unlink(marker)
    env = dict(os.environ, RUNSHEET_PAINT_MARKER=marker)
    if name != "runsheet":
        env.pop("RUNSHEET_OPEN_RUN", None)
    t0 = time.time()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = t0 + deadline_s
        lines = []
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"{name} exited with {proc.returncode} before painting: {proc.stderr.read().decode()[-2000:]}")
            try:
                with open(marker) as f:
                    text = f.read()
                lines = [int(x) for x in text.split("\n")[:-1]]  # only complete lines
            except FileNotFoundError:
                pass
            if len(lines) >= marks:
                break
            if time.time() > deadline:
                raise SystemExit(f"{name}: {len(lines)} of {marks} paint marks after {deadline_s} s")
            time.sleep(0.002)
        paints = [(t - t0 * 1e6) / 1000 for t in lines[:marks]]
        prev, cur, procs = 0, 0, {}
        for _ in range(60):
            time.sleep(0.25)
            cur, procs = pss_tree(proc.pid)
            if prev and abs(cur - prev) / prev < 0.01:
                break
            prev = cur
        return {
            "paint_ms": paints,
            "pss_kib": cur,
            "procs": sorted(((c, k) for c, k in procs.values()), key=lambda x: -x[1]),
        }
    finally:
        # End the app and wait for its WebKit children to go, so they do not count in the next launch.
        pids = tree(proc.pid)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        end = time.time() + 10
        while time.time() < end and any(os.path.exists(f"/proc/{p}") and comm(p) != "?" and not zombie(p) for p in pids):
            time.sleep(0.02)
        try:
            os.unlink(marker)
        except FileNotFoundError:
            pass


def zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def main():
    runs = int(sys.argv[1])
    apps = []
    for spec in sys.argv[2:]:
        name, rest = spec.split("=", 1)
        binary, _, marks = rest.rpartition(":")
        apps.append((name, binary, int(marks)))
    out = {name: [] for name, _, _ in apps}
    # One discarded warm-up launch each (page cache, WebKit's caches in the fresh XDG dirs), then RUNS interleaved.
    for i in range(runs + 1):
        for name, binary, marks in apps:
            r = launch(name, binary, marks)
            print(f"  {name:9s} {'warm-up' if i == 0 else f'run {i}':8s} paint {' / '.join(f'{p:.0f}' for p in r['paint_ms'])} ms"
                  f"  PSS {r['pss_kib'] / 1024:.1f} MiB in {len(r['procs'])} processes", file=sys.stderr)
            if i:
                out[name].append(r)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
