#!/bin/sh
# Runs one CLI test case, zstd cli-tests style:
#   run-case.sh CASE.sh HOTRELOAD FIXTURES
# CASE.sh runs in a fresh folder (also its TMPDIR's parent) with $HOTRELOAD,
# $FIXTURES and $CASE_DIR set. Its stdout, stderr and exit status are masked
# (paths, build-ids, timings, pids) and compared with CASE.stdout.exp,
# CASE.stderr.exp and CASE.exit.exp, each only if it exists. Exit 77 skips.
# UPDATE_EXPECTED=1 rewrites the expected files from this run.
set -u
case_script=$1
HOTRELOAD=$2
FIXTURES=$3
CASE_DIR=$(cd "$(dirname "$case_script")" && pwd)
export HOTRELOAD FIXTURES CASE_DIR
base=${case_script%.sh}

work=$(mktemp -d "${TMPDIR:-/tmp}/hotreload-cli.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/case" "$work/tmp"
export TMPDIR="$work/tmp"

(cd "$work/case" && sh "$case_script") >"$work/stdout" 2>"$work/stderr"
echo $? >"$work/exit"

if [ "$(cat "$work/exit")" = 77 ]; then
    echo "skipped: $(tail -n 1 "$work/stdout")"
    exit 77
fi

# Everything that differs from one run or machine to the next.
mask() {
    sed -e "s#$work/case#<work>#g" -e "s#$work#<tmp>#g" \
        -e "s#$FIXTURES#<fixtures>#g" \
        -e "s#${HOTRELOAD_BUILD_DIR:-/nonexistent}#<build>#g" \
        -e "s#${HOTRELOAD_SOURCE_DIR:-/nonexistent}#<source>#g" \
        -e 's/[0-9a-f]\{40\}/<build-id>/g' \
        -e 's/^compiler: .*/compiler:    <compiler>/' \
        -e 's/(DWARF [0-9])/(DWARF <n>)/' \
        -e 's/in [0-9][0-9.]* ms/in <n> ms/g' \
        -e 's/(pid [0-9]*)/(pid <n>)/g' \
        -e 's/after [0-9.]* s/after <n> s/g' "$1"
}

status=0
for part in stdout stderr exit; do
    mask "$work/$part" >"$work/$part.masked"
    if [ "${UPDATE_EXPECTED:-0}" = 1 ]; then
        cp "$work/$part.masked" "$base.$part.exp"
    elif [ -f "$base.$part.exp" ]; then
        if ! diff -u "$base.$part.exp" "$work/$part.masked"; then
            echo "FAIL: $part of $(basename "$case_script") differs (above)"
            status=1
        fi
    fi
done
if [ $status != 0 ] || [ "${VERBOSE:-0}" = 1 ]; then
    echo "--- stdout"; cat "$work/stdout"; echo "--- stderr"; cat "$work/stderr"
fi
exit $status
