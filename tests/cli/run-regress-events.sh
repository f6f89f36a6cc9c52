# Regression: a host that writes many long event lines at once (far more
# than `hotreload run` reads in one go) gets a status line for every one of
# them, in order, none lost, and `hotreload run` goes on and exits 0.
. "$CASE_DIR/common.sh"
RUN_LOG=$PWD/run.log
message=$(printf '%0100d' 0 | tr 0 m)
i=1
while [ $i -le 200 ]; do
    printf 'hotreload-event\treloaded\t%d\t0.1\t-\t%s\n' $i "$message"
    i=$((i + 1))
done >events.txt
# A reload whose state could not all be carried: the status line says so.
printf 'hotreload-event\treloaded\t201\t0.1\t-\treloaded v201 (copy 0.1 ms); state: kept variable score: size changed: 4 -> 8 bytes; it starts from its initial value\n' >>events.txt
# All 200 lines (about 27 KB) in one write, while no build runs.
printf '#!/bin/sh\ncat "%s/events.txt" >&"$HOTRELOAD_EVENT_FD"\nexec sleep 60\n' "$PWD" >host.sh
chmod +x host.sh

"$HOTRELOAD" run --host ./host.sh --build true >"$RUN_LOG" 2>&1 &
run_pid=$!
trap 'kill -9 $run_pid 2>/dev/null' EXIT
wait_for '^reloaded v201 in [0-9.]* ms · state: kept variable score: size changed: 4 -> 8 bytes; it starts from its initial value$' "$RUN_LOG" 10
echo "a state warning shows on the reload's status line"
sleep 0.2
grep '^reloaded v' "$RUN_LOG" | grep -v '^reloaded v201 ' | sed 's/^reloaded v\([0-9]*\) .*/\1/' >seen.txt
[ "$(wc -l <seen.txt)" = 200 ] || fail "$(wc -l <seen.txt) status lines for 200 events"
seq 1 200 | cmp -s - seen.txt || fail "the status lines are not v1..v200 in order"
echo "200 event lines at once: 200 status lines, in order"

kill -0 $run_pid 2>/dev/null || fail "hotreload run is gone"
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
echo "hotreload run goes on and exits 0"
trap - EXIT
