#!/bin/sh
# install-test.sh BUILD_DIR CONSUMER_DIR CC
# `make install PREFIX=...` in miniature: installs, then builds a consumer
# with find_package(hotreload) and another with pkg-config, and runs both.
set -eu
build=$1 consumer=$2 cc=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null
for f in include/hotreload.h include/hotreload/version.h lib/libhotreload.so \
         lib/libhotreload.a lib/cmake/hotreload/hotreloadConfig.cmake \
         lib/cmake/hotreload/hotreload-helpers.cmake lib/cmake/hotreload/hotreload-lv2.cmake \
         share/hotreload/shell/shell.c share/hotreload/shell/lv2/lv2-shell.c lib/pkgconfig/hotreload.pc; do
    [ -e "$prefix/$f" ] || { echo "not installed: $f"; exit 1; }
done
if [ -e "$build/cli/hotreload" ] && [ ! -x "$prefix/bin/hotreload" ]; then
    echo "not installed: bin/hotreload"; exit 1
fi

# find_package(hotreload)
cmake -S "$consumer" -B "$work/cm" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" >/dev/null
cmake --build "$work/cm" >/dev/null
out=$(LD_LIBRARY_PATH="$prefix/lib" "$work/cm/consumer" "$work/cm")
[ "$out" = "answer 42 from v1" ] || { echo "find_package consumer printed: $out"; exit 1; }

# pkg-config
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
mkdir -p "$work/pc"
"$cc" -shared -fPIC -g -fvisibility=hidden -DHOT_LIBRARY $(pkg-config --cflags hotreload) \
    "$consumer/greet.c" -o "$work/pc/libgreet.so"
"$cc" $(pkg-config --cflags hotreload) "$consumer/host.c" -o "$work/pc/consumer" \
    $(pkg-config --libs hotreload) -Wl,-rpath,"$prefix/lib"
out=$("$work/pc/consumer" "$work/pc")
[ "$out" = "answer 42 from v1" ] || { echo "pkg-config consumer printed: $out"; exit 1; }
echo "install: find_package and pkg-config consumers both answer 42"
