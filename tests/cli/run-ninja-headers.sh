# A CMake project built with Ninja: Ninja deletes the compiler's .d files
# and keeps the dependencies in its own log. hotreload run asks Ninja
# (ninja -t deps), so a header outside the watched folders rebuilds and
# reloads on a save, with no --watch.
. "$CASE_DIR/common.sh"
command -v ninja >/dev/null || { echo "no ninja"; exit 77; }
host=ninja_$$
"$HOTRELOAD" new $host --build-tree >/dev/null || fail "hotreload new"
mkdir shared
printf '#define GREETING "hello from tune.h"\n' >shared/tune.h
RUN_LOG=$PWD/run.log
cd $host || fail "no project folder"
sed -i 's/^#include "logic.h"$/#include "logic.h"\n#include "tune.h"/; s/"hello from logic.c"/GREETING/' logic.c
printf 'target_include_directories(logic PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/../shared)\n' >>CMakeLists.txt
cat >hotreload.conf <<CONF
host = build/$host
watch = .
build = cmake --build build --target logic
build_all = cmake -S . -B build -G Ninja >/dev/null && cmake --build build
CONF
"$HOTRELOAD" run >"$RUN_LOG" 2>&1 &
run_pid=$!
trap 'kill -9 $run_pid 2>/dev/null; pkill -9 -x $host 2>/dev/null' EXIT
wait_for '^tick 2: hello from tune.h$' "$RUN_LOG" 30
ls build/*.d build/CMakeFiles/logic.dir/*.d 2>/dev/null && fail "Ninja left .d files: this test proves nothing"
sed -i 's/hello from tune.h/edited in tune.h/' ../shared/tune.h
wait_for '^tick [0-9]*: edited in tune.h$' "$RUN_LOG" 15
wait_for '^built in [0-9]* ms · reloaded v2 in [0-9.]* ms$' "$RUN_LOG" 5
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
echo "a header outside the watched folder, known only to Ninja: rebuilt and reloaded"
trap - EXIT
