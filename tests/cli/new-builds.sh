# The scaffold builds and runs with make and with CMake: against this build
# tree, and against an installed hotreload (pkg-config, find_package,
# --hotreload-dir), started from its folder and from any other.
. "$CASE_DIR/common.sh"
quiet() { "$@" >log 2>&1 || { cat log; fail "$*"; }; }

$HOTRELOAD new tree --build-tree >/dev/null || fail "new --build-tree"
quiet make -s -C tree
tree/tree --ticks 2 --interval 1
# From any folder: the runtime finds the library next to the program.
here=$PWD
(cd / && "$here/tree/tree" --ticks 1 --interval 1) || fail "started from / it did not run"
quiet cmake -S tree -B tree/build -G Ninja
quiet cmake --build tree/build
tree/build/tree --ticks 1 --interval 1
(cd / && "$here/tree/build/tree" --ticks 1 --interval 1) || fail "CMake build, started from /"

quiet cmake --install "$HOTRELOAD_BUILD_DIR" --prefix "$PWD/prefix"
[ -x prefix/bin/hotreload ] || fail "hotreload is not installed to bin/"
PKG_CONFIG_PATH=$PWD/prefix/lib/pkgconfig
export PKG_CONFIG_PATH

prefix/bin/hotreload new inst >/dev/null || fail "installed hotreload new"
grep '^HOTRELOAD_INCLUDE =' inst/Makefile
quiet make -s -C inst
inst/inst --ticks 1 --interval 1
quiet cmake -S inst -B inst/build -G Ninja "-DCMAKE_PREFIX_PATH=$PWD/prefix"
quiet cmake --build inst/build
inst/build/inst --ticks 1 --interval 1

$HOTRELOAD new byprefix --hotreload-dir "$PWD/prefix" >/dev/null || fail "new --hotreload-dir"
quiet make -s -C byprefix
byprefix/byprefix --ticks 1 --interval 1
