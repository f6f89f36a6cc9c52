# --status-to sends the status lines, and the build's output with them,
# away from the host's terminal: to a file (appended), or nowhere; the
# host's own output stays where it was. A failed build is in --stats.
. "$CASE_DIR/common.sh"
RUN_LOG=$PWD/run.log
printf '#!/bin/sh\necho "host up"\nwhile :; do sleep 0.05; done\n' >host.sh
printf '#!/bin/sh\nif [ -f broken ]; then echo "src.c:3:1: error: broken on purpose"; exit 1; fi\necho "compiling src.c"\n' >build.sh
chmod +x host.sh build.sh
touch src.c

"$HOTRELOAD" run --host ./host.sh --build ./build.sh --status-to "$PWD/status.log" \
    --stats "$PWD/stats.jsonl" >"$RUN_LOG" 2>&1 &
run_pid=$!
trap 'kill -9 $run_pid 2>/dev/null' EXIT
wait_for '^built in [0-9]* ms · started ./host.sh (pid [0-9]*)$' status.log 10
wait_for '^host up$' "$RUN_LOG" 10
touch broken
echo "// changed" >>src.c
wait_for '^build failed: src.c:3: error: broken on purpose · still running v0$' status.log 10
grep -q 'error: broken on purpose' "$RUN_LOG" && fail "build output on the host's terminal"
grep -q ' · ' "$RUN_LOG" && fail "a status line on the host's terminal"
[ "$(count_lines '^compiling src.c$' status.log)" = 1 ] || fail "the build's output is not with the status lines"
grep -q '^{"kind":"build_failed","version":0,.*"build_ms":[0-9.]*,' stats.jsonl || fail "no build_failed in --stats"
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
wait_for '^stopping ./host.sh$' status.log 1
echo "file: status lines and build output there, the host's output where it was"

rm broken
"$HOTRELOAD" run --host ./host.sh --build ./build.sh --status-to none >"$RUN_LOG" 2>&1 &
run_pid=$!
wait_for '^host up$' "$RUN_LOG" 10
echo "// changed" >>src.c
sleep 0.5
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
[ "$(cat "$RUN_LOG")" = "host up" ] || fail "more than the host's output with --status-to none"
echo "none: only the host's output"

printf 'host = ./host.sh\nbuild = ./build.sh\nstatus_to = stderr\n' >hotreload.conf
"$HOTRELOAD" run >"$RUN_LOG" 2>status.err &
run_pid=$!
wait_for '^host up$' "$RUN_LOG" 10
wait_for '^built in [0-9]* ms · started ./host.sh (pid [0-9]*)$' status.err 10
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
grep -q ' · ' "$RUN_LOG" && fail "a status line on stdout with status_to = stderr"
echo "status_to = stderr in hotreload.conf: status lines on stderr"
trap - EXIT
