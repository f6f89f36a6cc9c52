#!/bin/sh
# drive-wrk.sh HOST CC INCLUDE_DIR SECONDS REBUILDS
# Starts the http-server example on 127.0.0.1, drives it with wrk for
# SECONDS (2 threads, 16 connections, every response checked by
# check-bodies.lua) while the handler is rebuilt REBUILDS times with CC,
# each build serving a new body version, spread over the run. Prints a flat
# JSON object (wrk_reloads, wrk_requests, wrk_failed_requests,
# wrk_bad_bodies, wrk_versions_seen, wrk_p99_ms) and exits 1 if a
# request failed, a connection dropped, a body was not one whole version or
# a rebuild was not served. Everything is bounded in time.
set -u
here=$(cd "$(dirname "$0")" && pwd)
host=$1 cc=$2 inc=$3 seconds=$4 rebuilds=$5
command -v wrk >/dev/null 2>&1 || { echo "skipped: wrk is not installed (Debian package wrk)"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/hotreload-http.XXXXXX") || exit 2
pid=
cleanup() {
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
    echo "drive-wrk: FAIL: $*" >&2
    sed 's/^/  host: /' "$work/host.out" >&2
    [ -f "$work/wrk.out" ] && sed 's/^/  wrk: /' "$work/wrk.out" >&2
    exit 1
}

# build N: the handler serving body version N, compiled like
# hotreload_add_library does, installed by rename (as a build tool would).
build() {
    "$cc" -g -O2 -shared -fPIC -fvisibility=hidden -DHOT_LIBRARY -DHTTP_BODY_VERSION="$1" \
        -I"$inc" -I"$here" "$here/http-lib.c" -o "$work/.build.so" &&
        mv -f "$work/.build.so" "$work/libhttpapp.so"
}

build 1 || fail "cannot build the handler"
"$host" "$work" $((seconds + 30)) >"$work/host.out" 2>&1 &
pid=$!
tries=200
until port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/host.out") && [ -n "$port" ]; do
    tries=$((tries - 1))
    [ $tries -gt 0 ] && kill -0 $pid 2>/dev/null || fail "the server did not start"
    sleep 0.05
done

timeout $((seconds + 30)) wrk -t2 -c16 -d"${seconds}s" --timeout 5s --latency \
    -s "$here/check-bodies.lua" "http://127.0.0.1:$port/" >"$work/wrk.out" 2>&1 &
wrk_pid=$!
# Rebuild i is due at i * seconds / (rebuilds + 1): spread over the run.
start=$(date +%s%N)
i=1
while [ $i -le "$rebuilds" ]; do
    due=$((start + i * seconds * 1000000000 / (rebuilds + 1)))
    now=$(date +%s%N)
    [ $now -lt $due ] && sleep "$(awk "BEGIN { print ($due - $now) / 1e9 }")"
    build $((i + 1)) || fail "rebuild $i failed"
    i=$((i + 1))
done
wait $wrk_pid || fail "wrk exited with status $?"
# The last rebuild may still be loading when wrk ends: its line is waited
# for (10 s), not counted at once.
tries=200
while reloads=$(grep -c '^reloaded: v' "$work/host.out"); [ "$reloads" -lt "$rebuilds" ] && [ $tries -gt 0 ]; do
    tries=$((tries - 1))
    sleep 0.05
done
kill -TERM $pid
wait $pid || fail "the server exited with status $?"
pid=

line=$(grep '^checked=' "$work/wrk.out") || fail "wrk printed no summary"
eval "$(echo "$line" | tr ' ' '\n' | sed 's/^/w_/')"
cat <<JSON
{
  "wrk_reloads": $reloads,
  "wrk_requests": $w_requests,
  "wrk_failed_requests": $w_failed,
  "wrk_bad_bodies": $w_bad_bodies,
  "wrk_versions_seen": $w_versions,
  "wrk_p99_ms": $w_p99_ms
}
JSON
[ "$w_failed" = 0 ] || fail "$w_failed requests failed (errors or non-200)"
[ "$w_bad_bodies" = 0 ] || fail "$w_bad_bodies bodies were not one whole version"
[ "$w_checked" = "$w_requests" ] || fail "wrk counted $w_requests requests, the checker $w_checked"
[ "$reloads" = "$rebuilds" ] || fail "$rebuilds rebuilds, $reloads reloads"
[ "$rebuilds" = 0 ] || [ "$w_versions" -ge 2 ] || fail "the clients saw only $w_versions version(s)"
exit 0
