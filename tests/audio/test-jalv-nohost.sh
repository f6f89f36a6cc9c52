#!/bin/sh
# test-jalv-nohost.sh EDITS BUNDLE LOGIC_SOURCE CC "CFLAGS" HOTRELOAD [RESULTS]
# The delay plays in jalv on JACK's dummy backend, started here and not by
# `hotreload run`; `hotreload run` with host = none watches a copy of the
# logic source, and each of EDITS edits of it (the output gain) is rebuilt
# by run and reloaded in jalv. run's output must show, for the jalv
# process: loaded, then for each edit the reload and the first block the
# new logic processed (the shell's "played" report, timed on the audio
# thread at the swap), and a build that crashes in process(): the rollback,
# with the signal. With RESULTS, writes "plugin_edit_to_sound_ms_p50 N"
# (and _p90, _max): from the save of the source (the write) to that block,
# and its split: _build_ms_p50 (run's build) and _after_build_ms_p50 (the
# build done -> that block: the runtime's notice and load, the shell's
# worker, the next block boundary).
set -eu
edits=$1 bundle=$2 logic=$3 cc=$4 cflags=$5 hotreload=$6 results=${7:-}
uri=urn:hotreload:examples:lv2-delay
for tool in jackd jalv jack_wait jack_connect jack_simple_client jack_lsp python3; do
    command -v $tool >/dev/null || { echo "skip: $tool is not installed (.ci/install-deps)"; exit 77; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/hot-jalv-nohost.XXXXXX")
. "$(dirname "$0")/jack-lib.sh"
mkdir -p "$work/hot" "$work/proj/src"
cp -r "$bundle" "$work/hot/"
cp "$logic" "$work/proj/src/delay-logic.c"
lib=../hot/$(basename "$bundle")/libdelay-logic.so
# As lld writes: complete, then renamed into place.
cat >"$work/proj/hotreload.conf" <<CONF
host = none
library = $lib
watch = src
build = $cc -shared -fPIC -O2 -fvisibility=hidden -DHOT_LIBRARY $cflags -o .logic.so src/delay-logic.c && mv .logic.so $lib
CONF

play() {
    start_jack 48000 256
    jack_simple_client >"$work/sine.log" 2>&1 &
    pids="$pids $!"
    LV2_PATH=$work/hot stdbuf -oL jalv -i -n delayhot $uri >"$work/jalv.log" 2>&1 </dev/null &
    jalv_pid=$!
    pids="$pids $jalv_pid"
    wait_port delayhot:out
    wait_port jack_simple_client:output1
    jack_connect jack_simple_client:output1 delayhot:in
}
attempt=1
play
while dropped delayhot; do
    [ $attempt -lt 3 ] || { echo "FAIL: JACK dropped jalv from its graph in 3 starts"; exit 1; }
    echo "note: JACK dropped jalv from its graph (start $attempt); starting again"
    stop_jack
    attempt=$((attempt + 1))
    play
done

(cd "$work/proj" && exec "$hotreload" run --stats "$work/stats.jsonl") >"$work/run.log" 2>&1 &
run_pid=$!
pids="$run_pid $pids"
wait_log "$work/run.log" "no host to start"

python3 - "$work" "$edits" "$jalv_pid" "$results" <<'PY'
import json, os, re, statistics, sys, time

work, edits, jalv, results = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
source = os.path.join(work, "proj", "src", "delay-logic.c")
run_log, stats = os.path.join(work, "run.log"), os.path.join(work, "stats.jsonl")
template = open(source).read()
gain = "#define DELAY_GAIN 1.0f"
assert gain in template, "the gain line of delay-logic.c moved"

def wait_for(path, pattern, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path):
            for line in open(path):
                if re.search(pattern, line):
                    return line
        time.sleep(0.01)
    print(open(run_log).read())
    print(open(os.path.join(work, "jalv.log")).read())
    print(open(os.path.join(work, "jackd.log")).read()[:3000])
    raise SystemExit("FAIL: no line matching %r in %s" % (pattern, path))

def played(version):
    """The --stats record of the version's first block."""
    wait_for(stats, r'"kind":"played","version":%d,' % version)
    for line in open(stats):
        rec = json.loads(line)
        if rec["kind"] == "played" and rec["version"] == version:
            return rec
    raise SystemExit("FAIL: no played record")

who = r"^pid %s \(jalv\): " % jalv

def reloads_seen():
    return sum(1 for line in open(run_log) if re.search(who + "(built in [0-9]+ ms · )?reloaded v", line))

samples, builds, after_build = [], [], []
time.sleep(1)  # run's first build, at its start, may be a new library for jalv
for i in range(1, edits + 1):
    time.sleep(0.3)  # let the last swap's log lines pass
    version = reloads_seen() + 2  # jalv loaded v1, and one more per reload
    edited = template.replace(gain, "#define DELAY_GAIN (1.0f - %d * 0.001f)" % i)
    saved_at = time.time() * 1000
    with open(source + ".tmp", "w") as f:  # an editor's atomic save
        f.write(edited)
    os.rename(source + ".tmp", source)
    wait_for(run_log, who + r"(built in [0-9]+ ms · )?reloaded v%d in [0-9.]+ ms$" % version)
    wait_for(run_log, who + r"playing v%d: first block [0-9]+ ms after the change was seen$" % version)
    rec = played(version)
    samples.append(rec["event_at"] - saved_at)
    builds.append(rec["build_ms"])
    after_build.append(rec["event_at"] - rec["built_at"])
# A build whose process() crashes (raise(SIGSEGV) in its 21st block): the
# shell goes back to the previous logic, and run shows it with the signal.
version = reloads_seen() + 2
with open(source + ".tmp", "w") as f:
    f.write("#define DELAY_CRASH_AFTER 21\n" + template)
os.rename(source + ".tmp", source)
wait_for(run_log, who + r"(built in [0-9]+ ms · )?reloaded v%d in [0-9.]+ ms$" % version)
wait_for(run_log, who + r"rolled back to logic v%d: SIGSEGV in process\(\) of logic v%d \(hotreload delay\)$" % (version - 1, version))
print("edit to sound (ms):", " ".join("%.1f" % s for s in samples))
if results:
    samples.sort()
    with open(results, "a") as f:
        f.write("plugin_edit_to_sound_ms_p50 %.1f\n" % statistics.median(samples))
        f.write("plugin_edit_to_sound_ms_p90 %.1f\n" % samples[min(len(samples) - 1, int(len(samples) * 0.9))])
        f.write("plugin_edit_to_sound_ms_max %.1f\n" % samples[-1])
        # The split: run's build (compile and link), then build done -> first block.
        f.write("plugin_edit_to_sound_build_ms_p50 %.1f\n" % statistics.median(builds))
        f.write("plugin_edit_to_sound_after_build_ms_p50 %.1f\n" % statistics.median(after_build))
PY
grep -q "^pid $jalv_pid (jalv): loaded v1\|^pid $jalv_pid (jalv): reloaded v2" "$work/run.log" || { cat "$work/run.log"; echo "FAIL"; exit 1; }
kill -0 $jalv_pid || { echo "FAIL: jalv is gone"; cat "$work/jalv.log"; exit 1; }
echo "jalv, started outside hotreload run: $edits edits rebuilt by run, each reload and first block shown"
sed -n "s/^pid [0-9]* (jalv): //p" "$work/run.log" | tail -2
