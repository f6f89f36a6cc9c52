#!/bin/sh
# run-analysis.sh cppcheck|clang-tidy TOP_DIR BUILD_DIR
# Static analysis of src/ and cli/ with the checks the project chooses:
# .clang-tidy (clang-tidy, with the build's compile_commands.json) and
# tests/analysis/cppcheck-suppressions.txt (cppcheck). Any finding fails;
# a missing tool skips (77). Two files at a time: well under a minute.
set -u
tool=$1 top=$2 build=$3
command -v "$tool" >/dev/null 2>&1 || { echo "skipped: $tool is not installed"; exit 77; }
cd "$top" || exit 2
files=$(ls src/*.c src/unix/*.c src/linux/*.c cli/*.c)
out=$(mktemp)
trap 'rm -f "$out"' EXIT

case $tool in
cppcheck)
    # shellcheck disable=SC2086
    cppcheck --enable=warning,style,performance,portability --std=c99 -q -j2 \
        --inline-suppr --suppressions-list=tests/analysis/cppcheck-suppressions.txt \
        --error-exitcode=1 -D__GNUC__=12 -D__linux__ -D_GNU_SOURCE -DHOT_BUILDING_RUNTIME \
        -Iinclude -Isrc -Isrc/unix -Icli $files >"$out" 2>&1
    status=$?
    ;;
clang-tidy)
    [ -f "$build/compile_commands.json" ] || { echo "no $build/compile_commands.json"; exit 1; }
    db=$build/compile_commands.json
    # tidy_one FILE: clang-tidy with the flags the build uses for FILE.
    tidy_one='f=$1; flags=$(python3 tests/analysis/tidy-flags.py "$0" "$f") || exit 1
        IFS="
"; set -f; exec clang-tidy -quiet "$f" -- $flags'
    echo "$files" | xargs -P2 -n1 sh -c "$tidy_one" "$db" >"$out" 2>&1
    status=$?
    ;;
*)
    echo "usage: run-analysis.sh cppcheck|clang-tidy TOP_DIR BUILD_DIR"; exit 2 ;;
esac
grep -E ': (warning|error|style|performance|portability):|^[^ ].*\[[a-zA-Z.,-]+\]$' "$out" || true
[ $status -eq 0 ] || { cat "$out"; echo "$tool: findings above (exit $status)"; exit 1; }
echo "$tool: clean ($(echo "$files" | wc -l) files)"
