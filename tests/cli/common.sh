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
    _before=$(count_lines "$1" "$2")
    _tries=$(($3 * 50))
    while [ $_tries -gt 0 ]; do
        [ "$(count_lines "$1" "$2")" -gt "$_before" ] && return 0
        sleep 0.02
        _tries=$((_tries - 1))
    done
    fail "no new line matching '$1' in $2 after $3 s"
}
