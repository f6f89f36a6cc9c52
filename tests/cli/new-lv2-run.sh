# hotreload new --template lv2, then `hotreload run` as generated: there is
# no host to start (host = none); jalv, started beside it on JACK's dummy
# backend, plays the plugin, and run shows what the shell inside jalv did
# with each save: an edit of the gain is rebuilt (the logic alone) and
# reloaded, and jalv plays the new logic; a build that does not compile
# leaves it playing.
. "$CASE_DIR/common.sh"
for tool in jalv jackd jack_wait jack_lsp jack_connect jack_simple_client cmake; do
    command -v $tool >/dev/null || { echo "$tool is not installed (.ci/install-deps)"; exit 77; }
done
grep -q '^HOT_HAVE_LV2:INTERNAL=ON$' "$HOTRELOAD_BUILD_DIR/CMakeCache.txt" ||
    { echo "this build has no LV2 headers (lv2-dev): no plugin shell"; exit 77; }
uri=urn:example:live-tone
"$HOTRELOAD" new --template lv2 live-tone --build-tree >/dev/null || fail "hotreload new"
RUN_LOG=$PWD/run.log
cd live-tone || fail "no project folder"
grep '^host = ' hotreload.conf

work=$(mktemp -d)
. "$HOTRELOAD_SOURCE_DIR/tests/audio/jack-lib.sh"
"$HOTRELOAD" run >"$RUN_LOG" 2>&1 &
run_pid=$!
pids="$pids $run_pid"
wait_for '^built in [0-9]* ms · no host to start: showing what the processes that load build/lv2/live-tone.lv2/liblive_tone-logic.so do (socket .*)$' "$RUN_LOG" 120
echo "run: built the bundle, no host started"

play() {
    start_jack 48000 256
    pids="$pids $run_pid"
    jack_simple_client >"$work/sine.log" 2>&1 &
    pids="$pids $!"
    LV2_PATH=$PWD/build/lv2 stdbuf -oL jalv -i -x -n livetone $uri >"$work/jalv.log" 2>&1 </dev/null &
    jalv_pid=$!
    pids="$pids $jalv_pid"
    wait_port livetone:out
    jack_connect jack_simple_client:output1 livetone:in
}
# JACK's dummy backend may drop a client that has just joined (jack-lib.sh's
# dropped): JACK and jalv are started again, up to 3 times; run goes on.
pids=""
attempt=1
play
while dropped livetone; do
    [ $attempt -lt 3 ] || fail "JACK dropped jalv from its graph in 3 starts"
    pids=$(echo "$pids" | sed "s/ $run_pid\b//")
    stop_jack
    attempt=$((attempt + 1))
    play
done
wait_for "^pid $jalv_pid (jalv): loaded v1 in [0-9.]* ms\$" "$RUN_LOG" 20
echo "jalv: the shell inside it reports to run"

sed -i 's/^#define OUTPUT_TRIM 1.0f$/#define OUTPUT_TRIM 0.5f/' logic.c
wait_for "^pid $jalv_pid (jalv): \(built in [0-9]* ms · \)\{0,1\}reloaded v2 in [0-9.]* ms\$" "$RUN_LOG" 30
wait_log "$work/jalv.log" "now playing logic v2\$"
echo "a save: the logic rebuilt, jalv reloads it and plays it"

sed -i 's/^#define OUTPUT_TRIM 0.5f$/#define OUTPUT_TRIM 0.5f +/' logic.c
wait_for '^build failed: ' "$RUN_LOG" 30
kill -0 $jalv_pid || fail "jalv is gone"
grep -q "now playing logic v3" "$work/jalv.log" && fail "a failed build reached jalv"
echo "a build that does not compile: run says so, v2 goes on playing"
grep -q "restarted\|started ./" "$RUN_LOG" && fail "run started a host"
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
echo "SIGINT: run exits 0"
