#!/bin/sh
# test-minimal.sh HOST LIB_V1 LIB_V2
# Runs the host on v1, swaps in v2, and checks the message changed at a
# reload while the counter went on counting by one, never restarting.
. "$(dirname "$0")/../example-test-lib.sh"
host=$1 v1=$2 v2=$3

make_workdir
cp "$v1" "$example_work/libminimal.so"
start_host "$example_work/out" "$host" "$example_work"
wait_for 'counter=3 message=hello from v1$'
swap_library "$v2" "$example_work/libminimal.so"
wait_for 'message=hello from v2$'
stop_host

expect_order 'message=hello from v1$' '^reloaded: v2$' 'message=hello from v2$'
expect '^stopped at counter='
# Every counter line is the previous one plus one, across the reload.
awk -F'[= ]' '/^counter=/ { if ($2 != last + 1) exit 1; last = $2 }' "$example_out" ||
    fail "the counter did not count on by one"
echo "ok: minimal reloaded v1 -> v2 and kept counting"
