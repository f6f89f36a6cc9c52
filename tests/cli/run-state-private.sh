# The host's state file (HOTRELOAD_STATE_FILE) is in a folder of its own,
# mode 0700 with a random name, not a predictable name in the shared TMPDIR
# that another user could plant a link or a file at; gone after the run.
. "$CASE_DIR/common.sh"
RUN_LOG=$PWD/run.log
printf '#!/bin/sh\necho "state=$HOTRELOAD_STATE_FILE"\nexec sleep 30\n' >host.sh
chmod +x host.sh
touch src.c

"$HOTRELOAD" run --host ./host.sh --build true >"$RUN_LOG" 2>&1 &
run_pid=$!
trap 'kill -9 $run_pid 2>/dev/null' EXIT
wait_for '^state=' "$RUN_LOG" 10
state=$(sed -n 's/^state=//p' "$RUN_LOG" | head -n 1)
dir=$(dirname "$state")
case "$dir" in
"$TMPDIR"/hotreload-run-??????) ;;
*) fail "state file $state is not in a folder of its own under $TMPDIR" ;;
esac
[ -d "$dir" ] && [ ! -L "$dir" ] || fail "$dir is not a folder"
[ "$(stat -c %a "$dir")" = 700 ] || fail "$dir has mode $(stat -c %a "$dir"), not 700"
[ "$(stat -c %u "$dir")" = "$(id -u)" ] || fail "$dir is not ours"
echo "state file: in a folder of its own, mode 700"
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
trap - EXIT
[ ! -e "$dir" ] || fail "$dir left behind"
echo "state folder: removed at exit"
