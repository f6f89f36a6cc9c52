# A refusal with several reasons: hotreload run prints every one, each on
# its own indented line (the same list as `hotreload check --against` with
# the old library, which is overwritten by then), not "(and 2 more)".
. "$CASE_DIR/common.sh"
host=reasons_$$
"$HOTRELOAD" new $host --build-tree >/dev/null || fail "hotreload new"
RUN_LOG=$PWD/run.log
cd $host || fail "no project folder"
"$HOTRELOAD" run >"$RUN_LOG" 2>&1 &
run_pid=$!
trap 'kill -9 $run_pid 2>/dev/null; pkill -9 -x $host 2>/dev/null' EXIT
wait_for '^tick 2: hello from logic.c$' "$RUN_LOG" 15
cp liblogic.so ../old.so

# A new field and a new signature: three reasons.
sed -i 's/^    long ticks;$/    long ticks;\n    long extra;/; s/FIELD(struct state, ticks)/FIELD(struct state, ticks) FIELD(struct state, extra)/' logic.h
sed -i 's/XV(void, logic_tick, (struct state \*s), (s))/X(int, logic_tick, (struct state *s), (s))/' logic.h
sed -i 's/^void logic_tick/int logic_tick/; s/^    fflush(stdout);$/    fflush(stdout);\n    return 0;/' logic.c
wait_for '^refused v2: [0-9]* reasons · restarting the host$' "$RUN_LOG" 15
wait_for "^built in [0-9]* ms · restarted ./$host with state (pid [0-9]*)\$" "$RUN_LOG" 15
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
grep -q 'more)' "$RUN_LOG" && fail "a reason left out"

# The indented lines after the refusal, against check's list.
sed -n '/^refused v2:/,/^[^ ]/p' "$RUN_LOG" | grep '^    ' | sed 's/^ *//' >printed
"$HOTRELOAD" check ../old.so --against liblogic.so | sed -n '/: refused$/,$p' | grep '^  ' | sed 's/^ *//' >expected
[ -s expected ] || fail "check --against gave no reasons"
diff expected printed || fail "the printed reasons differ from check --against"
n=$(sed -n 's/^refused v2: \([0-9]*\) reasons.*/\1/p' "$RUN_LOG")
[ "$n" = "$(wc -l <expected)" ] || fail "the count says $n"
[ "$n" -ge 2 ] || fail "only $n reasons"
echo "every reason printed, each on its own indented line, as check --against lists them"
cat printed
trap - EXIT
