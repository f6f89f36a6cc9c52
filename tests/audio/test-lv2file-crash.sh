#!/bin/sh
# test-lv2file-crash.sh BUNDLE LOGIC_SOURCE CC "CFLAGS" WAVCMP [CRASH_DEFINE]
# lv2file (offline, synchronous worker) renders the delay with a logic
# whose process() raises SIGSEGV in its 101st call (the shell's warm-up
# block, then block 99 of the render): lv2file is not killed, it finishes
# the file; the output is the good logic's up to that block and silent from
# it (no previous logic to go back to), and the reason is in the log.
# CRASH_DEFINE picks another crash (-DDELAY_CRASH_RECURSE: an endless
# recursion, a stack overflow on lv2file's own thread).
set -eu
bundle=$1 logic=$2 cc=$3 cflags=$4 wavcmp=$5 crash=${6:-}
uri=urn:hotreload:examples:lv2-delay
command -v lv2file >/dev/null || { echo "skip: lv2file is not installed (.ci/install-deps)"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/hot-lv2file-crash.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/hot"
cp -r "$bundle" "$work/hot/"
copy="$work/hot/$(basename "$bundle")"
"$wavcmp" gen "$work/in.wav" 48000

LV2_PATH="$work/hot" lv2file -i "$work/in.wav" -o "$work/good.wav" -b 64 -p feedback:0.7 $uri \
    2>"$work/good.log" || { cat "$work/good.log"; exit 1; }
# shellcheck disable=SC2086
"$cc" -shared -fPIC -O2 -fvisibility=hidden -DHOT_LIBRARY -DDELAY_CRASH_AFTER=101 $crash $cflags \
    -o "$copy/libdelay-logic.so" "$logic"
status=0
LV2_PATH="$work/hot" lv2file -i "$work/in.wav" -o "$work/crash.wav" -b 64 -p feedback:0.7 $uri \
    2>"$work/crash.log" || status=$?
cat "$work/crash.log"
[ "$status" -eq 0 ] || { echo "FAIL: lv2file exited with $status"; exit 1; }
grep -q "logic v1 crashed in process() (SIGSEGV) with no previous logic to go back to" "$work/crash.log" ||
    { echo "FAIL: the crash is not in lv2file's log"; exit 1; }
"$wavcmp" cut "$work/good.wav" "$work/crash.wav" $((99 * 64))
echo "ok: lv2file survived a crash in process(), rendered the good blocks, then silence, and logged why"
