# host = none: `hotreload run` starts no host; plain hosts started outside
# it, one before and one after the run, report on the supervisor socket in
# the shadow folder, and run shows what each did with each build: loaded,
# reloaded, rolled back (with the signal), refused (with every reason).
. "$CASE_DIR/common.sh"
host=nohost_$$
"$HOTRELOAD" new $host --build-tree >/dev/null || fail "hotreload new"
RUN_LOG=$PWD/run.log
cd $host || fail "no project folder"
make -s >/dev/null 2>&1 || fail "make"
sed -i 's/^host = .*/host = none/' hotreload.conf

./$host --interval 20 >before.log 2>&1 &
before=$!
trap 'kill -9 $run_pid $before $after 2>/dev/null' EXIT
wait_for '^tick 1: hello from logic.c$' before.log 10
"$HOTRELOAD" run >"$RUN_LOG" 2>&1 &
run_pid=$!
wait_for '^built in [0-9]* ms · no host to start: showing what the processes that load liblogic.so do (socket .*/\.supervisor-[0-9a-f]*)$' "$RUN_LOG" 15
echo "no host started: run names the socket it listens on"
./$host --interval 20 >after.log 2>&1 &
after=$!
wait_for "^pid $after ($host): loaded v1 in [0-9.]* ms\$" "$RUN_LOG" 10
echo "a host started after the run announces its first load"

sed -i 's/hello from logic.c/first edit/' logic.c
wait_for '^tick [0-9]*: first edit$' before.log 10
wait_for '^tick [0-9]*: first edit$' after.log 10
wait_for "^pid $before ($host): \(built in [0-9]* ms · \)\{0,1\}reloaded v2 in [0-9.]* ms\$" "$RUN_LOG" 10
wait_for "^pid $after ($host): \(built in [0-9]* ms · \)\{0,1\}reloaded v2 in [0-9.]* ms\$" "$RUN_LOG" 10
echo "a save rebuilds; both hosts reload, each on its own line"

sed -i 's/^    s->ticks++;$/    if (s->ticks >= 0) { volatile int *nowhere = 0; *nowhere = 1; }\n    s->ticks++;/' logic.c
wait_for "^pid $before ($host): rolled back to v2: SIGSEGV in logic_tick .*\$" "$RUN_LOG" 10
wait_for "^pid $after ($host): rolled back to v2: SIGSEGV in logic_tick .*\$" "$RUN_LOG" 10
wait_for_more '^tick [0-9]*: first edit$' before.log 5
echo "a crash in new code: each host's rollback, with the signal"

# Edited aside, then moved into place at once: make must not build a
# half-edited tree and then find its output newer than the rest.
cp logic.c new.c.tmp
cp logic.h new.h.tmp
sed -i '/volatile int \*nowhere/d' new.c.tmp
sed -i 's/^    long ticks;$/    long ticks;\n    long extra;/; s/FIELD(struct state, ticks)/FIELD(struct state, ticks) FIELD(struct state, extra)/' new.h.tmp
sed -i 's/XV(void, logic_tick, (struct state \*s), (s))/X(int, logic_tick, (struct state *s), (s))/' new.h.tmp
sed -i 's/^void logic_tick/int logic_tick/; s/^    fflush(stdout);$/    fflush(stdout);\n    return 0;/' new.c.tmp
mv new.h.tmp logic.h && mv new.c.tmp logic.c
for pid in $before $after; do
    wait_for "^pid $pid ($host): refused v[0-9]*: 3 reasons · restart it (for a plugin: rebuild the shell, rescan)\$" "$RUN_LOG" 10
done
sleep 0.3
for pid in $before $after; do
    sed -n "/^pid $pid ($host): refused v/,/^[^ ]/p" "$RUN_LOG" | grep '^    ' | sort >reasons.$pid
    [ "$(wc -l <reasons.$pid)" = 3 ] || fail "pid $pid: $(wc -l <reasons.$pid) reasons printed"
done
cmp -s reasons.$before reasons.$after || fail "the two hosts' reasons differ"
echo "an interface change: each host's refusal with all its reasons"
sed 's/^ *//' reasons.$before
kill -0 $before && kill -0 $after || fail "a host is gone"
grep -q "restarted\|started ./" "$RUN_LOG" && fail "run started a host"

sock=$(sed -n 's/.*(socket \(.*\))$/\1/p' "$RUN_LOG")
[ -S "$sock" ] || fail "no socket at $sock"
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
[ -e "$sock" ] && fail "the socket is left behind"
echo "SIGINT: run exits 0 and removes its socket; the hosts go on"
wait_for_more '^tick [0-9]*: first edit$' after.log 5
trap - EXIT
kill $before $after
