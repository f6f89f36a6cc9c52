#!/bin/sh
# make soak: many reloads of a realistic -g library while two threads call
# into it and the main thread replaces the file (bench/bench_soak.c says
# what is checked). Takes a while; ctest runs a short one (soak.short).
# Merges its keys into bench/results.json (the other benchmarks' keys stay)
# unless --no-results; exit status 0 if every check held.
#
# usage: bench/soak.sh BUILD_DIR [RELOADS] [--no-results]
#        (RELOADS: default 10000, or $SOAK_RELOADS)
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" 2>/dev/null && pwd) || { echo "soak.sh: no build folder ${1:-build}" >&2; exit 2; }
reloads=${2:-${SOAK_RELOADS:-10000}}
results=${3:-}
bin=$build/bench
lib=$bin/soak/libsoaklib.so
if [ ! -x "$bin/bench_soak" ] || [ ! -f "$lib" ]; then
    echo "soak.sh: $bin/bench_soak or $lib is missing: build with HOTRELOAD_BUILD_BENCH=ON (and without HOTRELOAD_STATIC)" >&2
    exit 2
fi
pieces=$(mktemp -d "${TMPDIR:-/tmp}/hotreload-soak.XXXXXX") || exit 2
trap 'rm -rf "$pieces"' EXIT INT TERM

"$bin/bench_soak" "$lib" "$bin" "$reloads" >"$pieces/soak.json"
status=$?
echo $status >"$pieces/soak.status"
cat "$pieces/soak.json"
case $status in
    0) echo "soak: PASS ($reloads reloads)" >&2 ;;
    1) echo "soak: FAIL: see the counts above" >&2 ;;
    *) echo "soak: FAIL: bench_soak died (status $status)" >&2 ;;
esac
if [ "$results" != --no-results ]; then
    : >"$pieces/soak.err"
    python3 "$here/bench_report.py" "$here/results.json" "$build" "$pieces" soak >/dev/null
fi
exit $status
