# What a host's exit does (restart = on-failure, the default): the user
# quitting it (status 0, or Ctrl-C: killed by SIGINT) ends hotreload run
# with status 0; a crash or an error exit waits for the next change, then
# restarts it. restart = always (--restart always) keeps the old way: a
# host that exits is restarted at once, unless it died at once.
. "$CASE_DIR/common.sh"
RUN_LOG=$PWD/run.log
printf '#!/bin/sh\necho "host up"\nsleep 1.2\nkill -SEGV $$\n' >crash.sh
printf '#!/bin/sh\necho "quick host up"\nexit 3\n' >quick.sh
printf '#!/bin/sh\necho "quitter up"\nsleep 0.2\nexit 0\n' >quit.sh
printf '#!/bin/sh\necho "interrupted up"\nsleep 0.2\nkill -INT $$\nsleep 5\n' >int.sh
chmod +x crash.sh quick.sh quit.sh int.sh
touch src.c

"$HOTRELOAD" run --host ./crash.sh --build true >"$RUN_LOG" 2>&1 &
run_pid=$!
trap 'kill -9 $run_pid 2>/dev/null' EXIT
wait_for '^./crash.sh killed by SIGSEGV · restarting at the next change$' "$RUN_LOG" 10
sleep 0.3
[ "$(count_lines '^host up$' "$RUN_LOG")" = 1 ] || fail "a crash restarted at once"
echo "// changed" >>src.c
wait_for '^built in [0-9]* ms · restarted ./crash.sh without state (it saved none) (pid [0-9]*)$' "$RUN_LOG" 5
wait_for_count '^host up$' "$RUN_LOG" 2 5
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
echo "crash: reported with the signal's name, restarted at the next change"

"$HOTRELOAD" run --host ./crash.sh --build true --restart always >"$RUN_LOG" 2>&1 &
run_pid=$!
wait_for '^./crash.sh killed by SIGSEGV · restarting (restart = always)$' "$RUN_LOG" 10
wait_for '^built in [0-9]* ms · restarted ./crash.sh without state (it saved none) (pid [0-9]*)$' "$RUN_LOG" 5
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
echo "crash, restart = always: restarted at once"

"$HOTRELOAD" run --host ./quick.sh --build true --restart always >"$RUN_LOG" 2>&1 &
run_pid=$!
wait_for '^./quick.sh exited with status 3 after [0-9.]* s · restarting at the next change$' "$RUN_LOG" 10
sleep 0.3
[ "$(count_lines '^quick host up$' "$RUN_LOG")" = 1 ] || fail "restarted in a loop"
echo "// changed" >>src.c
wait_for_more '^quick host up$' "$RUN_LOG" 5
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
echo "quick exit, restart = always: restarted at the next change, not in a loop"

"$HOTRELOAD" run --host ./quick.sh --build true >"$RUN_LOG" 2>&1 &
run_pid=$!
wait_for '^./quick.sh exited with status 3 · restarting at the next change$' "$RUN_LOG" 10
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
echo "error exit: waits for the next change"

"$HOTRELOAD" run --host ./quit.sh --build true >"$RUN_LOG" 2>&1 &
run_pid=$!
wait $run_pid || fail "hotreload run did not exit 0 when the host quit"
grep -q '^./quit.sh exited with status 0 · quitting$' "$RUN_LOG" || fail "no quitting line"
echo "host quits (status 0): hotreload run ends with status 0"

"$HOTRELOAD" run --host ./int.sh --build true >"$RUN_LOG" 2>&1 &
run_pid=$!
wait $run_pid || fail "hotreload run did not exit 0 when the host got SIGINT"
grep -q '^./int.sh killed by SIGINT · quitting$' "$RUN_LOG" || fail "no quitting line"
echo "host killed by SIGINT (Ctrl-C): hotreload run ends with status 0"

"$HOTRELOAD" run --host ./quit.sh --build true --restart always >"$RUN_LOG" 2>&1 &
run_pid=$!
wait_for '^./quit.sh exited with status 0 after [0-9.]* s · restarting at the next change$' "$RUN_LOG" 10
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
echo "host quits, restart = always: not the end"
trap - EXIT
