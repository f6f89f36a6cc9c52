# hotreload iface: the interface header of an existing header (a terminal
# snake game's, tests/cli/fixtures/iface/snake.h), compared with the
# expected output; then the game's own host and library, with only their
# #include changed, are built from it and run: the library is loaded and
# verified (every struct with every field), and
# `hotreload check` lists what was generated.
. "$CASE_DIR/common.sh"
src=$CASE_DIR/fixtures/iface
cp "$src/snake.h" "$src/snake.c" "$src/main.c" .
"$HOTRELOAD" iface snake.h -o snake_hot.h || fail "hotreload iface"
diff -u "$CASE_DIR/iface-snake.h.exp" snake_hot.h || fail "the generated header differs (above)"
echo "generated: as expected"
# The output on stdout is the same as the file.
"$HOTRELOAD" iface snake.h | cmp - snake_hot.h || fail "stdout and -o differ"

inc=$HOTRELOAD_SOURCE_DIR/include
libdir=$HOTRELOAD_BUILD_DIR
cc -Wall -Wextra -Werror -std=c99 -I"$inc" -DHOT_LIBRARY -fPIC -fvisibility=hidden -shared \
    -o libsnake.so snake.c || fail "the library does not build"
cc -Wall -Wextra -Werror -std=c99 -I"$inc" -o snake main.c -L"$libdir" -Wl,-rpath,"$libdir" \
    -lhotreload || fail "the host does not build"
./snake || fail "the host did not run"
"$HOTRELOAD" check libsnake.so | sed -n '/^functions/,$p'
# The same program, built plain (HOT_STATIC): the header is still a header.
cc -Wall -Wextra -Werror -std=c99 -I"$inc" -DHOT_STATIC -o snake-static main.c snake.c ||
    fail "the HOT_STATIC build"
./snake-static | tail -1
