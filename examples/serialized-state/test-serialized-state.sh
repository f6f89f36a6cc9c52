#!/bin/sh
# test-serialized-state.sh HOST LIB_V1 LIB_V2
# v1 -> v2: v2's struct has an added field; it reads v1's format 1, fills
# drag with its default, and goes on from v1's ticks and position.
# v2 -> v1: v1 refuses format 2 instead of misreading it, and starts fresh.
. "$(dirname "$0")/../example-test-lib.sh"
host=$1 v1=$2 v2=$3

make_workdir
cp "$v1" "$example_work/libsim.so"
start_host "$example_work/out" "$host" "$example_work"
wait_for '^sim v1: ticks=3 position=3.00 velocity=1.00$'
swap_library "$v2" "$example_work/libsim.so"
wait_for '^sim v2: '
expect_order '^sim v1: ticks=3 ' '^saved: sim 1 \| ticks [0-9]+ \| position [0-9]+ \| velocity 1$' \
    '^loaded: format 1 into v2$' '^reloaded: v2$' '^sim v2: '

# v1's position is its tick count (velocity 1); v2's first step applies the
# default drag 0.1 to the velocity, then moves.
n=$(sed -n 's/^saved: sim 1 | ticks \([0-9]*\) .*/\1/p' "$example_out")
first_v2=$(grep '^sim v2: ' "$example_out" | head -n 1)
[ "$first_v2" = "sim v2: ticks=$((n + 1)) position=$n.90 velocity=0.90 drag=0.10" ] ||
    fail "first v2 line is '$first_v2'; expected it to go on from ticks $n"
echo "ok: v1's state (ticks $n) survived the layout change into v2"

swap_library "$v1" "$example_work/libsim.so"
wait_for '^load refused: v3 cannot read this blob; it starts fresh$'
wait_for_count '^sim v1: ticks=2 position=2.00 velocity=1.00$' 2 # the fresh start
stop_host
expect_order '^saved: sim 2 \| .* \| drag 0.10*1$' '^load refused: v3 ' '^reloaded: v3$'
echo "ok: v1 refused v2's newer format and started fresh"
