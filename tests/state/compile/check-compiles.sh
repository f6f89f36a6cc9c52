#!/bin/sh
# Usage: check-compiles.sh <compiler> <include dir> <source> <flags>...
# Compiles the source (syntax only, warnings as errors) and shows the
# compiler's complaint if it fails. Exits 77 (skipped) when C++ is asked
# for and the compiler has no C++ front end installed.
cc=$1 inc=$2 src=$3
shift 3
case " $* " in
*" -x c++ "*)
    echo 'int x;' | "$cc" -x c++ -fsyntax-only - >/dev/null 2>&1 ||
        { echo "SKIP: $cc has no C++ front end"; exit 77; } ;;
esac
echo "$cc $* -I$inc -Wall -Wextra -Werror -fsyntax-only $src"
exec "$cc" "$@" -I"$inc" -Wall -Wextra -Werror -fsyntax-only "$src"
