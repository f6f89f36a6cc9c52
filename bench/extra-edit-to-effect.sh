#!/bin/sh
# Edit-to-effect under `hotreload run`: from writing a changed logic.c of a
# fresh scaffold until the host prints the changed line, over 30 edits.
#
#   bench/extra-edit-to-effect.sh BUILD_DIR [EDITS]
#
# Prints one flat JSON object on stdout: edit_to_effect_ms_p50/_p99 and the
# split (medians):
#   notice_ms          edit -> the CLI saw the change (inotify)
#   build_ms           the CLI's build: make, compile and link in one cc call,
#                      until make has exited
#   event_ms           build start -> the runtime's "reloaded" event reached
#                      the CLI (compile, link, the runtime noticing, loading)
#   library_notice_ms  make exited -> the event came, less edit_load_ms: negative
#                      when the runtime loaded the library before make exited
#   edit_load_ms       the runtime's copy + load + verify + publish
#   print_ms           event -> the host printed the changed line
# Timestamps come from `hotreload run --stats`, not from the screen.
set -eu
BUILD=$(cd "${1:?usage: extra-edit-to-effect.sh BUILD_DIR [EDITS]}" && pwd)
EDITS=${2:-30}
HOTRELOAD=$BUILD/cli/hotreload
[ -x "$HOTRELOAD" ] || { echo "no $HOTRELOAD: build first" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/hotreload-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/tmp"
export TMPDIR="$work/tmp"
(cd "$work" && "$HOTRELOAD" new proj --build-tree >/dev/null && make -s -C proj >/dev/null)

python3 - "$HOTRELOAD" "$work" "$EDITS" <<'PY'
import json, os, select, signal, statistics, subprocess, sys, time

hotreload, work, edits = sys.argv[1], sys.argv[2], int(sys.argv[3])
proj, stats_path = os.path.join(work, "proj"), os.path.join(work, "stats.jsonl")
source_path = os.path.join(proj, "logic.c")
with open(source_path) as f:
    template = f.read()

run = subprocess.Popen([hotreload, "run", "--stats", stats_path], cwd=proj,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=0)
pending = b""

def wait_line(text, timeout=10.0):
    """Reads the run's output until a line holds `text`; returns when."""
    global pending
    deadline = time.time() + timeout
    while True:
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            if text.encode() in line:
                return time.time()
        left = deadline - time.time()
        if left <= 0 or not select.select([run.stdout], [], [], left)[0]:
            raise SystemExit("timed out waiting for %r" % text)
        chunk = os.read(run.stdout.fileno(), 65536)
        if not chunk:
            raise SystemExit("hotreload run ended")
        pending += chunk

def stats_for(edit_at):
    """The --stats record of the reload this edit caused."""
    deadline = time.time() + 5
    while time.time() < deadline:
        with open(stats_path) as f:
            for line in f:
                rec = json.loads(line)
                if rec["kind"] == "reloaded" and rec["noticed_at"] >= edit_at * 1000:
                    return rec
        time.sleep(0.01)
    raise SystemExit("no --stats record for an edit")

samples = []
try:
    wait_line("tick 2: hello from logic.c")
    for i in range(edits):
        message = "edit number %d" % i
        edit_at = time.time()
        with open(source_path, "w") as f:
            f.write(template.replace("hello from logic.c", message))
        effect_at = wait_line(": " + message)
        rec = stats_for(edit_at)
        samples.append({
            "total": (effect_at - edit_at) * 1000,
            "notice": rec["noticed_at"] - edit_at * 1000,
            "build": rec["build_ms"],
            "event": rec["event_at"] - (rec["built_at"] - rec["build_ms"]),
            "library_notice": rec["event_at"] - rec["built_at"] - rec["load_ms"],
            "load": rec["load_ms"],
            "print": effect_at * 1000 - rec["event_at"],
        })
        time.sleep(0.15)
finally:
    run.send_signal(signal.SIGINT)
    run.wait(timeout=10)

def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100.0 * len(ordered) + 0.5)) - 1))]

def median_of(key):
    return round(statistics.median(s[key] for s in samples), 2)

totals = [s["total"] for s in samples]
print(json.dumps({
    "edits": len(samples),
    "edit_to_effect_ms_p50": round(pct(totals, 50), 2),
    "edit_to_effect_ms_p99": round(pct(totals, 99), 2),
    "edit_to_effect_ms_min": round(min(totals), 2),
    "notice_ms": median_of("notice"),
    "build_ms": median_of("build"),
    "event_ms": median_of("event"),
    "library_notice_ms": median_of("library_notice"),
    "edit_load_ms": median_of("load"),
    "print_ms": median_of("print"),
}))
PY
