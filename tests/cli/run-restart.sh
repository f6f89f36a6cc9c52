# A host that crashes, or exits, is restarted with the reason shown; one
# that dies at once waits for a change instead of looping.
. "$CASE_DIR/common.sh"
RUN_LOG=$PWD/run.log
printf '#!/bin/sh\necho "host up"\nsleep 1.2\nkill -SEGV $$\n' >crash.sh
printf '#!/bin/sh\necho "quick host up"\nexit 3\n' >quick.sh
chmod +x crash.sh quick.sh
touch src.c

"$HOTRELOAD" run --host ./crash.sh --build true >"$RUN_LOG" 2>&1 &
run_pid=$!
trap 'kill -9 $run_pid 2>/dev/null' EXIT
wait_for '^./crash.sh killed by SIGSEGV · restarting$' "$RUN_LOG" 10
wait_for '^built in [0-9]* ms · restarted ./crash.sh (pid [0-9]*)$' "$RUN_LOG" 5
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
echo "crash: reported with the signal's name, host restarted"

"$HOTRELOAD" run --host ./quick.sh --build true >"$RUN_LOG" 2>&1 &
run_pid=$!
wait_for '^./quick.sh exited with status 3 after [0-9.]* s · restarting at the next change$' "$RUN_LOG" 10
sleep 0.3
[ "$(count_lines '^quick host up$' "$RUN_LOG")" = 1 ] || fail "restarted in a loop"
echo "// changed" >>src.c
wait_for_more '^quick host up$' "$RUN_LOG" 5
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
echo "quick exit: restarted at the next change, not in a loop"
trap - EXIT
