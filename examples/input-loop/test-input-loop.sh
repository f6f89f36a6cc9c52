#!/bin/sh
# test-input-loop.sh HOST LIB_V1 LIB_V2 poll|epoll
# The host blocks on its input with no timeout. A new build must show while
# no input comes (hot_fd() wakes the wait), and the next line must be
# handled by the new code, the line count going on.
. "$(dirname "$0")/../example-test-lib.sh"
host=$1 v1=$2 v2=$3 loop=$4

make_workdir
cp "$v1" "$example_work/libinput.so"
mkfifo "$example_work/in"
# The host's input: a pipe kept open (read-write, so opening never blocks)
# that nothing is written to unless the test says so.
exec 3<>"$example_work/in"
example_out=$example_work/out
"$host" "$example_work" --$loop <"$example_work/in" >"$example_out" 2>&1 3>&- &
example_pid=$!
wait_for '^ready \(v1\), 0 lines so far$'
echo "first line" >&3
wait_for '^\[v1\] line 1: first line$'

swap_library "$v2" "$example_work/libinput.so"
# No input: only hot_fd() can wake the host now.
wait_for '^reloaded v2$'
wait_for '^ready \(v2, shouting\), 1 lines so far$'
echo "second line" >&3
wait_for '^\[v2, shouting\] line 2: second line$'

exec 3>&- # end of input
wait_host
expect '^end of input after 2 lines$'
expect_order '^\[v1\] line 1' '^reloaded v2$' '^\[v2, shouting\] line 2'
echo "ok: input-loop ($loop) took v2 while blocked on input, and kept its line count"
