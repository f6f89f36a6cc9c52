#!/bin/sh
# The http-server example under traffic (examples/http-server/drive-wrk.sh):
# wrk for 20 s on 127.0.0.1 without reloads, then 20 s while the handler is
# rebuilt 100 times. Prints one flat JSON object:
#   wrk_reloads, wrk_failed_requests (both runs), wrk_bad_bodies (both runs),
#   wrk_requests_with_reloads, wrk_requests_without,
#   wrk_p99_ms_with_reloads, wrk_p99_ms_without
#
#   bench/extra-wrk.sh BUILD_DIR [SECONDS] [REBUILDS]
set -u
build=$(cd "${1:?usage: extra-wrk.sh BUILD_DIR [SECONDS] [REBUILDS]}" && pwd) || exit 2
seconds=${2:-20} rebuilds=${3:-100}
root=$(cd "$(dirname "$0")/.." && pwd)
host=$build/examples/http-server/http-host
[ -x "$host" ] || { echo "no $host: build the examples first" >&2; exit 2; }
cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
drive="$root/examples/http-server/drive-wrk.sh"
out=$(mktemp -d "${TMPDIR:-/tmp}/hotreload-wrk.XXXXXX") || exit 2
trap 'rm -rf "$out"' EXIT INT TERM

sh "$drive" "$host" "${cc:-cc}" "$root/include" "$seconds" 0 >"$out/without.json"
s1=$?
sh "$drive" "$host" "${cc:-cc}" "$root/include" "$seconds" "$rebuilds" >"$out/with.json"
s2=$?
python3 - "$out/without.json" "$out/with.json" <<'PY'
import json, sys
without, with_ = (json.load(open(p)) for p in sys.argv[1:3])
print(json.dumps({
    "wrk_reloads": with_["wrk_reloads"],
    "wrk_failed_requests": without["wrk_failed_requests"] + with_["wrk_failed_requests"],
    "wrk_bad_bodies": without["wrk_bad_bodies"] + with_["wrk_bad_bodies"],
    "wrk_requests_with_reloads": with_["wrk_requests"],
    "wrk_requests_without": without["wrk_requests"],
    "wrk_p99_ms_with_reloads": with_["wrk_p99_ms"],
    "wrk_p99_ms_without": without["wrk_p99_ms"],
}, indent=2))
PY
[ $s1 = 0 ] && [ $s2 = 0 ]
