# Shared by the examples' test scripts (POSIX sh; sourced, not run).
#
# A test starts a host in the background with its output in a file, waits
# for lines to appear, swaps the library under it, and stops it. Every wait
# has a timeout, and every failure prints the host's output so far.

# Seconds a single wait may take before the test fails.
EXAMPLE_WAIT_S=${EXAMPLE_WAIT_S:-8}

example_work=
example_pid=
example_out=

example_cleanup() {
    if [ -n "$example_pid" ]; then
        kill -KILL "$example_pid" 2>/dev/null
        wait "$example_pid" 2>/dev/null
    fi
    [ -n "$example_work" ] && rm -rf "$example_work"
}

# A scratch folder, removed (and any host left running killed) on exit.
make_workdir() {
    example_work=$(mktemp -d "${TMPDIR:-/tmp}/hotreload-example.XXXXXX") || exit 1
    trap example_cleanup EXIT
    trap 'exit 1' INT TERM
}

fail() {
    echo "FAIL: $*" >&2
    if [ -n "$example_out" ] && [ -f "$example_out" ]; then
        echo "---- host output ----" >&2
        cat "$example_out" >&2
        echo "---------------------" >&2
    fi
    exit 1
}

# start_host OUTPUT_FILE COMMAND [ARGUMENTS...]: runs it in the background.
start_host() {
    example_out=$1
    shift
    "$@" >"$example_out" 2>&1 &
    example_pid=$!
}

# wait_for REGEX: waits until the host's output has a line matching the
# extended regular expression; fails on timeout or if the host died.
wait_for() {
    tries=$((EXAMPLE_WAIT_S * 20))
    while ! grep -Eq -- "$1" "$example_out"; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || fail "no line matching '$1' after ${EXAMPLE_WAIT_S}s"
        if ! kill -0 "$example_pid" 2>/dev/null; then
            grep -Eq -- "$1" "$example_out" || fail "host exited before printing '$1'"
        fi
        sleep 0.05
    done
}

# count_of REGEX: how many lines of the host's output match.
count_of() {
    grep -Ec -- "$1" "$example_out"
}

# wait_for_count REGEX N: waits until at least N lines match.
wait_for_count() {
    tries=$((EXAMPLE_WAIT_S * 20))
    while [ "$(count_of "$1")" -lt "$2" ]; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || fail "fewer than $2 lines matching '$1' after ${EXAMPLE_WAIT_S}s"
        kill -0 "$example_pid" 2>/dev/null || fail "host exited before printing '$1' $2 times"
        sleep 0.05
    done
}

# swap_library NEW TARGET: replaces TARGET with a copy of NEW the way a
# careful build tool does (write a temporary, rename it into place), so the
# watcher never sees a half-written file.
swap_library() {
    cp "$1" "$2.swap-tmp" && mv -f "$2.swap-tmp" "$2" || fail "cannot replace $2"
}

# stop_host: asks the host to stop (SIGTERM) and checks it exited with 0.
stop_host() {
    kill -TERM "$example_pid" 2>/dev/null
    wait "$example_pid"
    status=$?
    example_pid=
    [ "$status" -eq 0 ] || fail "host exited with status $status"
}

# wait_host: waits for a host that stops by itself; checks it exited with 0.
wait_host() {
    wait "$example_pid"
    status=$?
    example_pid=
    [ "$status" -eq 0 ] || fail "host exited with status $status"
}

# expect REGEX: the host's output has such a line (no waiting).
expect() {
    grep -Eq -- "$1" "$example_out" || fail "expected a line matching '$1'"
}

# line_no REGEX: number of the first line matching, or 0.
line_no() {
    n=$(grep -En -- "$1" "$example_out" | head -n 1 | cut -d: -f1)
    echo "${n:-0}"
}

# expect_order REGEX...: each pattern first matches after the previous one.
expect_order() {
    prev=0
    for pattern in "$@"; do
        n=$(line_no "$pattern")
        [ "$n" -gt "$prev" ] || fail "expected '$pattern' after line $prev (found at $n)"
        prev=$n
    done
}
