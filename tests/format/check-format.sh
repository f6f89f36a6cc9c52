#!/bin/sh
# check-format.sh TOP_DIR: every .c and .h of src/ and cli/ is as
# clang-format would write it. Prints the files that are not.
top=$1
command -v clang-format >/dev/null 2>&1 || { echo "skipped: clang-format is not installed"; exit 77; }
cd "$top" || exit 2
bad=0
for f in src/*.c src/*.h src/*/*.c src/*/*.h cli/*.c cli/*.h; do
    [ -f "$f" ] || continue
    if ! clang-format --dry-run --Werror "$f" 2>/dev/null; then
        echo "not formatted: $f (clang-format -i $f)"
        bad=1
    fi
done
[ $bad = 0 ] && echo "src/ and cli/ follow .clang-format"
exit $bad
