# Helpers for the CLI test cases that drive `hotreload run` (sourced).

fail() {
    echo "FAIL: $*"
    [ -n "${RUN_LOG:-}" ] && [ -f "$RUN_LOG" ] && { echo "--- run log"; cat "$RUN_LOG"; }
    exit 1
}

# wait_for REGEX FILE SECONDS: polls FILE until a line matches.
wait_for() {
    _tries=$(($3 * 50))
    while [ $_tries -gt 0 ]; do
        grep -q -- "$1" "$2" 2>/dev/null && return 0
        sleep 0.02
        _tries=$((_tries - 1))
    done
    fail "no line matching '$1' in $2 after $3 s"
}

# count_lines REGEX FILE
count_lines() {
    grep -c -- "$1" "$2" 2>/dev/null || true
}

# wait_for_more REGEX FILE SECONDS: waits until one more line matches than now.
wait_for_more() {
    wait_for_count "$1" "$2" $(($(count_lines "$1" "$2") + 1)) "$3"
}

# wait_for_count REGEX FILE N SECONDS: waits until N lines (or more) match.
wait_for_count() {
    _tries=$(($4 * 50))
    while [ $_tries -gt 0 ]; do
        [ "$(count_lines "$1" "$2")" -ge "$3" ] && return 0
        sleep 0.02
        _tries=$((_tries - 1))
    done
    fail "fewer than $3 lines matching '$1' in $2 after $4 s"
}
