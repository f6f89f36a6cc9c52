#!/bin/sh
# run-demo.sh BUILD_DIR: the scripted demo behind `make demo`.
#
# Copies the demo library's source to a scratch folder, starts the host
# (built by CMake in BUILD_DIR) on it, then edits and rebuilds the library
# under the running host, as you would in an editor:
#   1. a message change         -> reloaded
#   2. a behaviour change       -> reloaded, the counter steps by 10
#   3. demo_step's signature    -> refused ("signature changed"), v3 goes on
#   4. the signature restored   -> reloaded
# and checks the host printed each of these while its counter carried on.
# Exits 0 only if every expected line appeared.
#
# CC: the compiler (default: the one in BUILD_DIR's CMakeCache.txt, else cc).
# DEMO_HOST: the host program (default: BUILD_DIR/examples/demo/demo-host).
# DEMO_PAUSE: seconds between steps (default 1 on a terminal, else 0).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../example-test-lib.sh"

build=${1:?usage: run-demo.sh BUILD_DIR}
include="$here/../../include"
host=${DEMO_HOST:-$build/examples/demo/demo-host}
[ -x "$host" ] || { echo "run-demo.sh: no $host: build first (make build)" >&2; exit 1; }
if [ -z "$CC" ]; then
    CC=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
    CC=${CC:-cc}
fi

shown=0
# Prints the host's lines not shown yet, indented under the narration.
show_output() {
    [ -f "$example_out" ] || return 0
    total=$(wc -l <"$example_out")
    if [ "$total" -gt "$shown" ]; then
        tail -n +"$((shown + 1))" "$example_out" | head -n "$((total - shown))" | sed 's/^/    | /'
        shown=$total
    fi
}

# On a terminal the steps are a second apart, so a person can follow them.
if [ -t 1 ]; then pause=${DEMO_PAUSE:-1}; else pause=${DEMO_PAUSE:-0}; fi

say() {
    show_output
    [ "$pause" = 0 ] || sleep "$pause"
    echo "== $* =="
}

# The way a user's build would: straight into the watched folder.
build_library() {
    "$CC" -shared -fPIC -g -DHOT_LIBRARY -fvisibility=hidden -Wall -Wextra -Werror \
        -I "$include" -I "$src" -o "$example_work/lib/libdemo.so" "$src/demo-lib.c" ||
        fail "the library did not compile"
}

# edit FILE SED_SCRIPT: edits in place (portable: no sed -i). An edit that
# changes nothing would make the wait for its reload time out: say so now.
edit() {
    sed "$2" "$1" >"$1.new" || fail "cannot edit $1"
    ! cmp -s "$1" "$1.new" || fail "'$2' changed nothing in $1"
    mv "$1.new" "$1"
}

make_workdir
src="$example_work/src"
mkdir "$src" "$example_work/lib"
cp "$here/demo-lib.c" "$here/demo-api.h" "$src/"

say "building the library with $CC and starting the host"
build_library
start_host "$example_work/host.out" "$host" "$example_work/lib"
wait_for '^\[tick 2\] counter=2 \(\+1\) hello from the first build$'

say "editing the message"
edit "$src/demo-lib.c" 's/hello from the first build/hello from an edited build/'
build_library
n='[0-9.]+'
wait_for "^\\[reload\\] v2 in $n ms \\(copy $n, load $n, verify $n, publish $n\\)\$"
wait_for '\(\+1\) hello from an edited build$'

say "changing the behaviour: the counter steps by 10"
edit "$src/demo-lib.c" 's/^#define DEMO_STEP 1$/#define DEMO_STEP 10/'
build_library
wait_for '^\[reload\] v3 in '
wait_for '\(\+10\) hello from an edited build$'

say "adding a parameter to demo_step (library and its header): it compiles, but is refused"
cp "$src/demo-lib.c" "$src/demo-lib.c.good"
cp "$src/demo-api.h" "$src/demo-api.h.good"
edit "$src/demo-api.h" \
    's/(struct demo_state \*state), (state))/(struct demo_state *state, long bonus), (state, bonus))/'
edit "$src/demo-lib.c" \
    's/demo_step(struct demo_state \*state)/demo_step(struct demo_state *state, long bonus)/'
edit "$src/demo-lib.c" 's/+= DEMO_STEP;/+= DEMO_STEP + bonus;/'
build_library
wait_for '^\[refused\] demo_step: signature changed: \(struct demo_state \*\) -> '\
'\(struct demo_state \*, long\) \(HOT_EMISMATCH\); v3 goes on$'
# The old code goes on: one more tick stepping by 10 after the refusal.
v3_ticks=$(count_of '\(\+10\) hello from an edited build$')
wait_for_count '\(\+10\) hello from an edited build$' $((v3_ticks + 1))

say "restoring the signature, with a new message to show the fix: reloaded"
mv "$src/demo-lib.c.good" "$src/demo-lib.c"
mv "$src/demo-api.h.good" "$src/demo-api.h"
edit "$src/demo-lib.c" 's/hello from an edited build/hello from the fixed build/'
build_library
wait_for '^\[reload\] v4 in '
wait_for '\(\+10\) hello from the fixed build$'

say "stopping the host"
stop_host
show_output

# The counter carried on through every reload and the refusal: each tick
# adds exactly the step it printed to the previous counter.
awk '/^\[tick/ { split($3, c, "="); step = substr($4, 3) + 0;
                 if (c[2] != prev + step) { print "bad tick: " $0; exit 1 } prev = c[2] }' \
    "$example_out" || fail "the counter did not carry on"
expect_order '^\[open\] v1' '^\[reload\] v2 ' '^\[reload\] v3 ' '^\[refused\] ' \
    '^\[reload\] v4 ' '^\[stop\] '
echo "== demo passed: 3 reloads, 1 refusal, the counter carried on =="
