#!/bin/sh
# test-reload-feature.sh HOT_HOST STATIC_HOST LIB_V1 LIB_V2
# 1. The static program needs no runtime: no libhotreload in its NEEDED
#    entries and no hot_ symbol anywhere in it (the hot one has both).
# 2. Both builds print the same output.
# 3. The hot build reloads v2 and changes its pricing mid-order.
. "$(dirname "$0")/../example-test-lib.sh"
hot=$1 static=$2 v1=$3 v2=$4

make_workdir
readelf -d "$hot" | grep NEEDED | grep -q libhotreload ||
    fail "the hot build does not need libhotreload: the check below would prove nothing"
if readelf -d "$static" | grep NEEDED | grep -q libhotreload; then
    fail "the static build needs libhotreload"
fi
nm "$static" | grep -q ' feature_describe$' ||
    fail "nm does not list the static build's symbols: the check below would prove nothing"
if nm "$static" | grep -Eq ' (hot|HOT)_'; then
    nm "$static" | grep -E ' (hot|HOT)_' >&2
    fail "the static build has hot_ symbols"
fi
echo "ok: the static build needs no runtime"

cp "$v1" "$example_work/libfeature.so"
"$hot" "$example_work" 6 0 >"$example_work/hot.out" 2>&1 || fail "hot build exited with $?"
"$static" "$example_work" 6 0 >"$example_work/static.out" 2>&1 || fail "static build exited with $?"
grep -q '^order: 6 x 1.25 = 7.50$' "$example_work/static.out" || fail "unexpected static output"
diff "$example_work/hot.out" "$example_work/static.out" >&2 || fail "the two builds print different output"
echo "ok: hot and static builds print the same output"

start_host "$example_work/out" "$hot" "$example_work" 400 25
wait_for '^order: 2 x 1.25 = 2.50$'
swap_library "$v2" "$example_work/libfeature.so"
wait_for '^order: [0-9]+ items at 1.25: .*\(v2 pricing\)$'
stop_host
expect_order '^order: 2 x 1.25' '^reloaded: v2$' '\(v2 pricing\)$'
# The order (host state) went on growing through the reload, one a tick.
awk '/^order:/ { if ($2 != n + 1) exit 1; n = $2 }' "$example_out" ||
    fail "the order's quantity did not grow by one each tick"
echo "ok: the hot build reloaded v2 mid-order"
