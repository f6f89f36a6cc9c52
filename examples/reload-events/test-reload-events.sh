#!/bin/sh
# test-reload-events.sh HOST LIB_V1 LIB_V2
# Swaps v2 in under the host and checks: the events came in order (before,
# saved, after), the swap waited for the save, the checkpoint holds what was
# saved, and v2 went on from the saved score.
. "$(dirname "$0")/../example-test-lib.sh"
host=$1 v1=$2 v2=$3

make_workdir
cp "$v1" "$example_work/libevents.so"
start_host "$example_work/out" "$host" "$example_work" "$example_work/checkpoint.txt"
wait_for '^tick: ticks=3 points=3 \(v1\)$'
swap_library "$v2" "$example_work/libevents.so"
wait_for '^checkpoint: '
wait_for '\(v2\)$'
stop_host

expect_order '^event: before v1 -> v2$' '^saved: ' '^event: after, reloaded v2 \(copy .* ms\)$' \
    '^checkpoint: '
expect '^reloaded: v2, hot_update held [0-9]+ ms$'
held=$(sed -n 's/^reloaded: v2, hot_update held \([0-9]*\) ms$/\1/p' "$example_out")
[ "$held" -ge 100 ] || fail "hot_update returned after ${held} ms, before the 150 ms save ended"

saved=$(sed -n 's/^saved: //p' "$example_out")
[ "$(sed -n 's/^checkpoint: //p' "$example_out")" = "$saved" ] ||
    fail "the checkpoint does not hold what was saved ($saved)"
# The first v2 tick goes on from the saved score: one more tick, ten points.
ticks=$(echo "$saved" | sed 's/ticks=\([0-9]*\) .*/\1/')
points=$(echo "$saved" | sed 's/.*points=\([0-9]*\)/\1/')
first_v2=$(grep '(v2)$' "$example_out" | head -n 1)
[ "$first_v2" = "tick: ticks=$((ticks + 1)) points=$((points + 10)) (v2)" ] ||
    fail "first v2 tick is '$first_v2', expected it to go on from $saved"
echo "ok: the reload waited for the save ($held ms) and v2 went on from $saved"
