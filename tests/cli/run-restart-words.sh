# "with state" only when the host gets state back: a host that saves none,
# restarted for an interface change, is said to restart without state (the
# old words promised "restarting with state" before knowing).
. "$CASE_DIR/common.sh"
host=words_$$
"$HOTRELOAD" new $host --build-tree >/dev/null || fail "hotreload new"
RUN_LOG=$PWD/run.log
cd $host || fail "no project folder"
sed -i '/hot_keep_object(lib, "struct state", &state)/,+1d' host.c
grep -q 'hot_keep_object(lib' host.c && fail "the host still keeps its state"
"$HOTRELOAD" run >"$RUN_LOG" 2>&1 &
run_pid=$!
trap 'kill -9 $run_pid 2>/dev/null; pkill -9 -x $host 2>/dev/null' EXIT
wait_for '^tick 2: hello from logic.c$' "$RUN_LOG" 15
sed -i 's/XV(void, logic_tick, (struct state \*s), (s))/X(int, logic_tick, (struct state *s), (s))/' logic.h
sed -i 's/^void logic_tick/int logic_tick/; s/^    fflush(stdout);$/    fflush(stdout);\n    return 0;/' logic.c
wait_for '^refused v2: logic_tick: signature changed: .* · restarting the host$' "$RUN_LOG" 15
wait_for "^built in [0-9]* ms · restarted ./$host without state (it saved none) (pid [0-9]*)\$" "$RUN_LOG" 15
wait_for_count '^tick 1: hello from logic.c$' "$RUN_LOG" 2 5 # the count starts over
grep -q 'with state' "$RUN_LOG" && fail "'with state' said for a host that saved none"
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
echo "a host that saves no state: 'restarted ... without state', nothing promised before"
trap - EXIT
