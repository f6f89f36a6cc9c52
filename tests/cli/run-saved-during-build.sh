# A save that lands while make is building, after the compiler read the
# file: make would take the library (written after the save) for newer
# than the source and never build the save. hotreload run takes the
# changes that came during the build and puts the library's time back to
# the build's start, so the next build makes it again and the save runs.
# The compiler here is the real one behind a wrapper that, once armed,
# holds its output until the test has saved the edit: the window a slow
# build leaves open, made certain.
. "$CASE_DIR/common.sh"
host=during_$$
"$HOTRELOAD" new $host --build-tree >/dev/null || fail "hotreload new"
RUN_LOG=$PWD/run.log
marks=$PWD
cat >slowcc.sh <<CC
#!/bin/sh
cc "\$@" || exit \$?
[ -e "$marks/arm" ] || exit 0
rm -f "$marks/arm"
out=
prev=
for a in "\$@"; do [ "\$prev" = -o ] && out=\$a; prev=\$a; done
mv "\$out" "\$out.held"
: >"$marks/compiled"
while [ ! -e "$marks/edited" ]; do sleep 0.02; done
touch "\$out.held" && mv "\$out.held" "\$out"
CC
chmod +x slowcc.sh
cd $host || fail "no project folder"
CC="$marks/slowcc.sh" "$HOTRELOAD" run >"$RUN_LOG" 2>&1 &
run_pid=$!
trap 'kill -9 $run_pid 2>/dev/null; pkill -9 -x $host 2>/dev/null' EXIT
wait_for '^tick 2: hello from logic.c$' "$RUN_LOG" 20
echo "started"

: >"$marks/arm"
sed -i 's/hello from logic.c/first save/' logic.c
tries=500
while [ ! -e "$marks/compiled" ] && [ $tries -gt 0 ]; do sleep 0.02; tries=$((tries - 1)); done
[ -e "$marks/compiled" ] || fail "the build of the first save never reached the compiler"
sleep 0.05 # the save's time must differ from the compile's, as it would by hand
sed -i 's/first save/second save, during the build/' logic.c
: >"$marks/edited"
wait_for '^built in [0-9]* ms · reloaded v2 in [0-9.]* ms$' "$RUN_LOG" 10
echo "the first save's build reloaded as v2"
wait_for '^tick [0-9]*: second save, during the build$' "$RUN_LOG" 10
wait_for '^built in [0-9]* ms · reloaded v3 in [0-9.]* ms$' "$RUN_LOG" 5
echo "the save made during that build was built and runs as v3"
grep -q 'did not change' "$RUN_LOG" && fail "a build said the library did not change"

kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
echo "hotreload run exits 0"
trap - EXIT
