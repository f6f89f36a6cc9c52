#!/bin/sh
# Runs the SDL scene headless, changes the boxes' colour in the render code
# (rebuilding the library with the compiler), and checks from saved frames
# that the new colour shows while the scene goes on: the frame counter keeps
# counting and the boxes keep moving from where they were.
#   test-sdl-scene.sh HOST SOURCE_DIR HOTRELOAD_INCLUDE_DIR "SDL_CFLAGS"
set -u
HOST=$1 SRC=$2 INCLUDE=$3 SDL_CFLAGS=$4
work=$(mktemp -d "${TMPDIR:-/tmp}/sdl-scene.XXXXXX") || exit 1
host_pid=
cleanup() { [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- host output"; cat "$work/log" 2>/dev/null; exit 1; }

mkdir "$work/frames" "$work/tmp"
cp "$SRC/sdl_scene_logic.c" "$SRC/scene.h" "$work/"
build() {
    # shellcheck disable=SC2086
    cc -shared -fPIC -g -O1 -DHOT_LIBRARY -fvisibility=hidden -I"$INCLUDE" $SDL_CFLAGS \
        -o "$work/libsdl_scene_logic.so" "$work/sdl_scene_logic.c" || fail "build"
}
wait_for() { # REGEX SECONDS
    n=$(($2 * 50))
    while [ $n -gt 0 ]; do
        grep -q -- "$1" "$work/log" && return 0
        sleep 0.02; n=$((n - 1))
    done
    fail "no line matching '$1' after $2 s"
}
# colour_count BMP R G B: pixels of exactly that colour in a 32-bit BMP.
colour_count() { python3 "$SRC/../../tests/cli/bmp-colour-count.py" "$@"; }

build
TMPDIR=$work/tmp SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-offscreen} \
    "$HOST" --headless --lib "$work/libsdl_scene_logic.so" --out "$work/frames" --fps 100 \
    >"$work/log" 2>&1 &
host_pid=$!
wait_for '^saved .*frame-00030.bmp$' 10
[ "$(colour_count "$work/frames/frame-00030.bmp" 230 70 50)" -gt 100 ] || fail "no red boxes at first"
[ "$(colour_count "$work/frames/frame-00030.bmp" 40 200 90)" = 0 ] || fail "green too early"
echo "frame 30: red boxes"

sed -i 's/#define BOX_RGB 230, 70, 50/#define BOX_RGB 40, 200, 90/' "$work/sdl_scene_logic.c"
build
wait_for '^reloaded v2 at frame [0-9]*$' 10
reload_frame=$(sed -n 's/^reloaded v2 at frame \([0-9]*\)$/\1/p' "$work/log")
after=$(( (reload_frame / 10 + 2) * 10 ))
wait_for "^saved .*frame-$(printf %05d $after).bmp\$" 10
frame="$work/frames/frame-$(printf %05d $after).bmp"
[ "$(colour_count "$frame" 40 200 90)" -gt 100 ] || fail "no green boxes after the reload"
[ "$(colour_count "$frame" 230 70 50)" = 0 ] || fail "red boxes after the reload"
echo "after the reload: green boxes, no red"

kill "$host_pid"; wait "$host_pid"; host_pid=
# Frame numbers go up by 10 per line, and box 0 moves at most its speed
# (55 px/s at 100 fps: < 6 px per 10 frames) between two lines: no reset.
grep '^frame ' "$work/log" | sed 's/^frame \([0-9]*\): box0 at \([-0-9.]*\),\([-0-9.]*\)$/\1 \2 \3/' | awk '
    NR > 1 && $1 != f + 10 { print "frame " f " then " $1; bad = 1 }
    NR > 1 && (($2 - x) ^ 2 + ($3 - y) ^ 2) > 36 { print "box0 jumped at frame " $1; bad = 1 }
    { f = $1; x = $2; y = $3; n++ }
    END { if (n < 5) { print "too few frames"; bad = 1 } exit bad }' || fail "the scene did not carry on"
echo "the frame counter and the boxes carried on across the reload"
[ -z "$(find "$work/tmp" -type f)" ] || fail "shadow copies left behind"
