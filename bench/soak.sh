#!/bin/sh
# make soak: many reloads in background mode while a thread calls the hot
# functions throughout (bench/bench_soak.c says what is checked). Takes a
# while; not part of make test. Prints one JSON object; exit status 0 if
# every check held.
#
# usage: bench/soak.sh BUILD_DIR [RELOADS]    (RELOADS: default 10000,
#        or $SOAK_RELOADS)
set -u
build=$(cd "${1:-build}" 2>/dev/null && pwd) || { echo "soak.sh: no build folder ${1:-build}" >&2; exit 2; }
reloads=${2:-${SOAK_RELOADS:-10000}}
bin=$build/bench
if [ ! -x "$bin/bench_soak" ]; then
    echo "soak.sh: $bin/bench_soak is missing: build with HOTRELOAD_BUILD_BENCH=ON (and without HOTRELOAD_STATIC)" >&2
    exit 2
fi
"$bin/bench_soak" "$bin/variants" "$bin" "$reloads"
status=$?
case $status in
    0) echo "soak: PASS ($reloads reloads)" >&2 ;;
    1) echo "soak: FAIL: see the counts above" >&2 ;;
    *) echo "soak: FAIL: bench_soak died (status $status)" >&2 ;;
esac
exit $status
