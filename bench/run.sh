#!/bin/sh
# make bench: runs the benchmark programs, then every executable
# bench/extra-*.sh, and merges what they print (one flat JSON object each)
# into bench/results.json; prints a table with the targets.
#
# usage: bench/run.sh BUILD_DIR
# An extra script gets BUILD_DIR as $1 and runs from the repository root.
# Exit status: 1 if one of our own benchmark programs failed; a failing extra
# script is recorded as "<name>_error" in results.json and does not fail the run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=$(cd "${1:-build}" 2>/dev/null && pwd) || { echo "run.sh: no build folder ${1:-build}" >&2; exit 2; }
bin=$build/bench
pieces=$(mktemp -d "${TMPDIR:-/tmp}/hotreload-bench.XXXXXX") || exit 2
trap 'rm -rf "$pieces"' EXIT INT TERM
cd "$root" || exit 2 # extra scripts run from the repository root

# run NAME COMMAND...: stdout, stderr and exit status land in $pieces/NAME.*
run() {
    name=$1
    shift
    echo "== $name" >&2
    "$@" >"$pieces/$name.json" 2>"$pieces/$name.err"
    echo $? >"$pieces/$name.status"
    cat "$pieces/$name.err" >&2
    names="$names $name"
}

names=""
if [ ! -x "$bin/bench_calls" ]; then
    echo "run.sh: $bin/bench_calls is missing: build with HOTRELOAD_BUILD_BENCH=ON (and without HOTRELOAD_STATIC)" >&2
    exit 2
fi
run calls "$bin/bench_calls" "$bin/variants"
run reload "$bin/bench_reload" "$bin/variants" "$bin"
# The audio plugin shell's swap beside the truce approach (built with lilv).
if [ -x "$bin/bench_audio" ]; then
    run audio "$bin/bench_audio" "$build/lv2/hotreload-delay.lv2" "$build/examples/lv2-delay/delay-variants" 1000
fi
status=$(cat "$pieces"/*.status | grep -cv '^0$')

ours="$names"
for script in "$here"/extra-*.sh; do
    [ -x "$script" ] || continue
    name=$(basename "$script" .sh | sed 's/^extra-//; s/[^A-Za-z0-9]/_/g')
    run "$name" "$script" "$build"
done

echo >&2
# Its exit status counts the extras too; ours is decided by $status alone.
# shellcheck disable=SC2086
python3 "$here/bench_report.py" "$here/results.json" "$build" "$pieces" $names
[ "$status" = 0 ] || { echo "run.sh: a benchmark program failed ($ours): see above" >&2; exit 1; }
exit 0
