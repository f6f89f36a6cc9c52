# End to end: hotreload new, then hotreload run while the sources change
# the way a developer changes them:
#   edit the message -> the new line shows, the tick counter goes on
#   a compile error  -> "build failed: ...", the old code keeps running
#   fix it           -> the newer message shows
#   a crash in new code -> rolled back in the same process, ticks go on
#   fix the crash    -> the fixed build loads
#   change the interface (header and .c) -> refused, host restarted with
#                       its state: the counter goes on from where it was
#   SIGINT           -> exit 0, no host left, no shadow copy or state file left
#   --stats          -> a line for each reload, the failed build, the rollback
. "$CASE_DIR/common.sh"

# A name of its own: pgrep must not find another test's "demo".
host=e2e_$$
"$HOTRELOAD" new $host --build-tree >/dev/null || fail "hotreload new"
RUN_LOG=$PWD/run.log
cd $host || fail "no project folder"
"$HOTRELOAD" run --stats ../stats.jsonl >"$RUN_LOG" 2>&1 &
run_pid=$!
trap 'kill -9 $run_pid 2>/dev/null; pkill -9 -x $host 2>/dev/null' EXIT

wait_for '^tick 3: hello from logic.c$' "$RUN_LOG" 15
echo "started: ticks with the first message"

sed -i 's/hello from logic.c/first edit/' logic.c
wait_for '^tick [0-9]*: first edit$' "$RUN_LOG" 10
wait_for '^built in [0-9]* ms · reloaded v2 in [0-9.]* ms$' "$RUN_LOG" 10
echo "edit: the new message shows, reloaded v2"

sed -i 's/s->ticks++;/s->ticks++ oops/' logic.c
wait_for '^build failed: logic.c:[0-9]*: error: .* · still running v2$' "$RUN_LOG" 10
grep -q "s->ticks++ oops" "$RUN_LOG" || fail "the compiler's own message is not shown"
wait_for_more '^tick [0-9]*: first edit$' "$RUN_LOG" 5
echo "compile error: reported, the old code keeps running"

sed -i 's/s->ticks++ oops/s->ticks++;/; s/first edit/second edit/' logic.c
wait_for '^tick [0-9]*: second edit$' "$RUN_LOG" 10
echo "fixed: the newer message shows"

# The crash comes before the counter moves, so the retried tick in the old
# version keeps the count exact.
sed -i 's/^    s->ticks++;$/    if (s->ticks >= 0) { volatile int *nowhere = 0; *nowhere = 1; }\n    s->ticks++;/' logic.c
wait_for '^rolled back to v[0-9]*: SIGSEGV in logic_tick .*$' "$RUN_LOG" 10
wait_for_more '^tick [0-9]*: second edit$' "$RUN_LOG" 5
echo "crash in new code: rolled back in the same process, the old code goes on"

sed -i '/volatile int \*nowhere/d; s/second edit/third edit/' logic.c
wait_for '^tick [0-9]*: third edit$' "$RUN_LOG" 10
sed -i 's/third edit/second edit/' logic.c
wait_for_more '^tick [0-9]*: second edit$' "$RUN_LOG" 10
echo "crash fixed: the next build loads"

sed -i 's/XV(void, logic_tick, (struct state \*s), (s))/X(int, logic_tick, (struct state *s), (s))/' logic.h
sed -i 's/^void logic_tick/int logic_tick/; s/^    fflush(stdout);$/    fflush(stdout);\n    return 0;/' logic.c
wait_for '^refused v[0-9]*: logic_tick: signature changed: void (struct state \*) -> int (struct state \*) · restarting the host$' "$RUN_LOG" 10
wait_for "^built in [0-9]* ms · restarted ./$host with state (pid [0-9]*)\$" "$RUN_LOG" 10
wait_for_more '^tick [0-9]*: second edit$' "$RUN_LOG" 5
wait_for_more '^tick [0-9]*: second edit$' "$RUN_LOG" 5
echo "interface change: refused, host restarted with its state"

kill -INT $run_pid
wait $run_pid
code=$?
[ $code = 0 ] || fail "hotreload run exited with $code after SIGINT"
echo "SIGINT: hotreload run exits 0"

# The counter went up by one at every line, across reloads and the restart.
grep '^tick ' "$RUN_LOG" | sed 's/^tick \([0-9]*\):.*/\1/' | awk '
    NR > 1 && $1 != prev + 1 { print "tick " prev " then " $1; bad = 1 }
    { prev = $1 } END { exit bad }' || fail "the tick counter did not go on"
echo "ticks: one counter, +1 per tick, from the first line to the last"

# --stats has every build: failed builds and rollbacks too.
grep -q '^{"kind":"build_failed","version":2,' ../stats.jsonl || fail "no build_failed in --stats"
grep -q '^{"kind":"rolledback","version":[0-9]*,' ../stats.jsonl || fail "no rolledback in --stats"
grep -q '^{"kind":"reloaded","version":2,' ../stats.jsonl || fail "no reloaded in --stats"
echo "stats: reloads, the failed build and the rollback, one line each"

sleep 0.2
pgrep -x $host >/dev/null && fail "a $host process is left"
left=$(find "$TMPDIR" -type f | wc -l)
[ "$left" = 0 ] || { find "$TMPDIR" -type f; fail "files left in TMPDIR"; }
echo "clean: no process, no shadow copy, no state file left"
trap - EXIT
