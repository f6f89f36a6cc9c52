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

prefix/bin/hotreload new inst --installed >/dev/null || fail "installed hotreload new"
grep '^HOTRELOAD_INCLUDE =' inst/Makefile
quiet make -s -C inst
inst/inst --ticks 1 --interval 1
quiet cmake -S inst -B inst/build -G Ninja "-DCMAKE_PREFIX_PATH=$PWD/prefix"
quiet cmake --build inst/build
inst/build/inst --ticks 1 --interval 1

$HOTRELOAD new byprefix --hotreload-dir "$PWD/prefix" >/dev/null || fail "new --hotreload-dir"
quiet make -s -C byprefix
byprefix/byprefix --ticks 1 --interval 1

# Installed in a prefix pkg-config does not search, only PATH set: the
# command knows its own prefix; make and CMake build with no set-up.
unset PKG_CONFIG_PATH
PATH=$PWD/prefix/bin:$PATH hotreload new own | sed -n 's/^hotreload: //p'
quiet make -s -C own
own/own --ticks 1 --interval 1
quiet cmake -S own -B own/build -G Ninja
quiet cmake --build own/build
own/build/own --ticks 1 --interval 1

# Told to use pkg-config that does not know it: a one-line error naming
# what to set, not a compiler error about -MMD.
PATH=$PWD/prefix/bin:$PATH hotreload new bypkg --installed >/dev/null
PKG_CONFIG_LIBDIR=$PWD/empty-pc make -s -C bypkg 2>&1 | grep -v '^make: \*\*\*\|Entering\|Leaving' | sed 's/^Makefile:[0-9]*: /Makefile: /'
cmake -S bypkg -B bypkg/build -G Ninja 2>&1 | grep -o 'find_package does not find hotreload: give -DCMAKE_PREFIX_PATH=PREFIX' | head -1
