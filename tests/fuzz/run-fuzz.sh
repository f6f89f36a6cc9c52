#!/bin/sh
# run-fuzz.sh TARGET SECONDS TOP_DIR SEED_DIR...
# Builds a libFuzzer target with clang at test time (the project's compiler
# may be gcc) and runs it for a bounded time over a seed corpus. Skips (77)
# with a reason when clang's fuzzer runtime is missing.
set -u
target=$1 seconds=$2 top=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v clang >/dev/null 2>&1; then
    echo "skipped: clang is not installed"; exit 77
fi
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}\n' >"$work/probe.c"
if ! clang -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" 2>/dev/null; then
    echo "skipped: clang has no libFuzzer runtime (libclang-rt-dev)"; exit 77
fi

# What each target links: the parsers alone where they stand alone, the
# whole runtime for the options (they reach logging, paths and the
# platform), the config reader with the CLI's helpers.
case $target in
fuzz_copy_name | fuzz_dwarf)
    sources="$top/src/*.c $top/src/unix/*.c $top/src/linux/*.c"
    libs="-ldl -lpthread" ;;
fuzz_run_config)
    sources="$top/cli/run-config.c $top/cli/cmd-help.c $top/cli/proc.c"
    libs="" ;;
*)
    sources="$top/src/elf.c $top/src/verify.c $top/src/hash.c"
    libs="" ;;
esac
# shellcheck disable=SC2086
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -D_GNU_SOURCE -DHOT_BUILDING_RUNTIME -I"$top/include" -I"$top/src" -I"$top/src/unix" \
    -I"$top/cli" "$top/tests/fuzz/$target.c" $sources $libs -o "$work/$target" || exit 1

# The corpus: the seeds, and every seed cut in half (truncations are the
# bad input the runtime meets most).
mkdir "$work/corpus"
for dir in "$@"; do
    for f in "$dir"/*; do
        [ -f "$f" ] || continue
        base=$(basename "$f")
        cp "$f" "$work/corpus/$base"
        head -c $(( $(wc -c <"$f") / 2 )) "$f" >"$work/corpus/$base.half"
    done
done
# Targets that print (the config reader explains each refusal) run with
# their output closed; libFuzzer's own report still shows.
TMPDIR=$work "$work/$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -close_fd_mask=3 \
    -artifact_prefix="$work/" "$work/corpus" 2>"$work/log"
status=$?
tail -n 3 "$work/log"
if [ $status -ne 0 ]; then
    cat "$work/log"
    for crash in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
        [ -f "$crash" ] && { echo "input that fails: $crash"; od -A d -t x1 "$crash" | head -20; }
    done
fi
exit $status
