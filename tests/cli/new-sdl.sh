# hotreload new --template sdl: an SDL2 window program whose update and
# draw functions are hot. Run headless under hotreload run (SDL's offscreen
# driver, frames saved as BMP): an edit of the colour in logic.c shows in a
# saved frame, the frame counter and the box go on; a changed struct state
# restarts the host with its state; the CMake build works too.
. "$CASE_DIR/common.sh"
pkg-config --exists sdl2 2>/dev/null || { echo "SDL2 not found (pkg-config sdl2): install libsdl2-dev"; exit 77; }
command -v python3 >/dev/null || { echo "python3 is needed to read the frames"; exit 77; }
host=sdl_$$
"$HOTRELOAD" new --template sdl $host --build-tree | sed -n '1p;$p' | sed "s/$host/NAME/g"
RUN_LOG=$PWD/run.log
cd $host || fail "no project folder"
mkdir frames

# colour_count BMP R G B: pixels of exactly that colour.
colour_count() { python3 "$CASE_DIR/bmp-colour-count.py" "$@"; }
frame_file() { echo "frames/frame-$(printf %05d "$1").bmp"; }

SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-offscreen} "$HOTRELOAD" run -- --headless --out frames --fps 50 \
    >"$RUN_LOG" 2>&1 &
run_pid=$!
trap 'kill -9 $run_pid 2>/dev/null; pkill -9 -x $host 2>/dev/null' EXIT
wait_for '^saved frames/frame-00030.bmp$' "$RUN_LOG" 30
[ "$(colour_count "$(frame_file 30)" 230 70 50)" -gt 500 ] || fail "no red box in frame 30"
[ "$(colour_count "$(frame_file 30)" 40 200 90)" = 0 ] || fail "green too early"
echo "headless: frames saved, the box is red"

sed -i 's/#define BOX_RGB 230, 70, 50/#define BOX_RGB 40, 200, 90/' logic.c
wait_for '^reloaded v2 at frame [0-9]*$' "$RUN_LOG" 20
at=$(sed -n 's/^reloaded v2 at frame \([0-9]*\)$/\1/p' "$RUN_LOG")
after=$(( (at / 10 + 2) * 10 ))
wait_for "^saved $(frame_file $after)\$" "$RUN_LOG" 20
[ "$(colour_count "$(frame_file $after)" 40 200 90)" -gt 500 ] || fail "no green box after the reload"
[ "$(colour_count "$(frame_file $after)" 230 70 50)" = 0 ] || fail "a red box after the reload"
echo "edit: the next frames are drawn by the new code (green)"

# A field added to struct state: the interface changed, the host restarts
# and gets its state back by field name (the frame counter goes on).
sed -i 's/^    long frame;$/    long frame;\n    int hits;/; s/^    FIELD(struct state, frame)   \\$/    FIELD(struct state, frame)   \\\n    FIELD(struct state, hits)    \\/' logic.h
grep -q 'FIELD(struct state, hits)' logic.h || fail "the test's header edit"
wait_for "^built in [0-9]* ms · restarted ./$host with state (pid [0-9]*)\$" "$RUN_LOG" 30
restarted_at=$(grep -n 'restarted ./' "$RUN_LOG" | head -1 | cut -d: -f1)
wait_for_more '^frame [0-9]*: box at' "$RUN_LOG" 10
wait_for_more '^frame [0-9]*: box at' "$RUN_LOG" 10
kill -INT $run_pid
wait $run_pid || fail "hotreload run did not exit 0"
trap - EXIT

# Frame numbers go up by 10 per line, across the reload and the restart,
# and the box moves at most its speed between two lines: nothing reset.
sed -n "$((restarted_at + 1)),\$p" "$RUN_LOG" | grep -q '^frame ' || fail "no frames after the restart"
grep '^frame ' "$RUN_LOG" | sed 's/^frame \([0-9]*\): box at \([-0-9.]*\),\([-0-9.]*\)$/\1 \2 \3/' | awk '
    NR > 1 && $1 != f + 10 { print "frame " f " then " $1; bad = 1 }
    NR > 1 && (($2 - x) ^ 2 + ($3 - y) ^ 2) > 400 { print "box jumped at frame " $1; bad = 1 }
    { f = $1; x = $2; y = $3 } END { exit bad }' || fail "the scene did not carry on"
echo "restart: the frame counter and the box carried on (kept by field name)"

cmake -S . -B build -G Ninja >build.log 2>&1 && cmake --build build >>build.log 2>&1 ||
    { cat build.log; fail "the CMake build"; }
SDL_VIDEODRIVER=offscreen build/$host --headless --out frames --frames 10 --fps 100 | grep -c '^saved '
echo "CMake: builds and runs"
