#!/bin/sh
# test-ardour.sh BUNDLE STATIC_BUNDLE LOGIC_SOURCE CC "CFLAGS" WAVCMP
# The delay in Ardour 7 (ardour7-lua, the dummy backend, no display), two
# Ardour processes driven by tests/audio/ardour-host.lua:
#   1. a session, a track with a recorded take, the plugin on it; range A
#      rendered twice (the same: a re-activation forgets the echoes); the
#      logic source edited (gain 1.0 -> 0.5) and rebuilt while this Ardour
#      runs; renders until the new logic plays: it is A * 0.5, every
#      sample; parameters set, range C rendered, the session saved.
#   2. the session reopened in a new Ardour: the parameters are back; a
#      render from the re-activated plugin is C, sample for sample; a
#      render before that plays the echoes the State extension gave back.
#   3. the static build (logic compiled in) loads and renders (the `load`
#      mode any effect can use, e.g. a generated project).
set -eu
bundle=$1 static_bundle=$2 logic=$3 cc=$4 cflags=$5 wavcmp=$6
here=$(cd "$(dirname "$0")" && pwd)
lua=$here/ardour-host.lua
command -v ardour7-lua >/dev/null || { echo "skip: ardour7-lua is not installed (package ardour, .ci/install-deps)"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/hot-ardour.XXXXXX")
ardour_pid=
cleanup() {
    [ -z "$ardour_pid" ] || kill -KILL "$ardour_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/lv2" "$work/home"
cp -r "$bundle" "$work/lv2/"
copy="$work/lv2/$(basename "$bundle")"
sess="$work/hot" # the session is named after its folder: interchange/hot
files="$sess/interchange/hot/audiofiles"
# A private HOME (Ardour writes its configuration and caches there), no
# display, the build's bundle only.
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_CACHE_HOME="$work/home/.cache"
export LV2_PATH="$work/lv2"
unset DISPLAY WAYLAND_DISPLAY

fail() {
    echo "FAIL: $*"
    for log in "$work"/ardour-*.log; do
        [ -f "$log" ] && { echo "--- $log"; grep -v "a FIELD is missing" "$log" | tail -40; }
    done
    exit 1
}

# start_ardour STEP [URI]: ardour7-lua in the background, its log in WORK.
start_ardour() {
    timeout -k 5 90 stdbuf -oL ardour7-lua "$lua" "$1" "$sess" "$work" "$wavcmp" ${2:+"$2"} \
        >"$work/ardour-$1.log" 2>&1 &
    ardour_pid=$!
}

# wait_step STEP SECONDS: until the script says STEP is done.
wait_step() {
    n=0
    while [ ! -f "$work/$1.done" ]; do
        [ ! -f "$work/failed" ] || fail "ardour-host.lua: $(cat "$work/failed")"
        kill -0 "$ardour_pid" 2>/dev/null || fail "ardour7-lua exited before step $1"
        n=$((n + 1))
        [ $n -le $(($2 * 10)) ] || fail "step $1: not done after $2 s"
        sleep 0.1
    done
}

# wait_exit: the Ardour process ends (close_session, end of script).
wait_exit() {
    status=0
    wait "$ardour_pid" || status=$?
    ardour_pid=
    [ $status -eq 0 ] || fail "ardour7-lua exited with status $status"
}

echo "== Ardour 1: render A twice, edit the logic while Ardour runs"
start_ardour edit
wait_step a 60
"$wavcmp" sounds "$files/a.wav" || fail "render A is silent"
sed 's/^#define DELAY_GAIN 1.0f$/#define DELAY_GAIN 0.5f/' "$logic" >"$work/delay-logic.c"
grep -q '^#define DELAY_GAIN 0.5f$' "$work/delay-logic.c" || fail "the edit did not apply"
# shellcheck disable=SC2086
"$cc" -shared -fPIC -O2 -fvisibility=hidden -DHOT_LIBRARY $cflags -o "$work/new.so" "$work/delay-logic.c"
mv "$work/new.so" "$copy/libdelay-logic.so"
touch "$work/edited"
wait_step edit 60
wait_exit
b=$(cat "$work/b.name")
"$wavcmp" scaled "$files/a.wav" "$files/$b.wav" 0.5 || fail "render $b is not A * 0.5"
grep -rqs "urn:hotreload:plugin-state" "$sess/plugins" || fail "the saved session has no plugin state (State extension)"

echo "== Ardour 2: reopen the saved session"
start_ardour reopen
wait_step reopen 60
wait_exit
! grep -q "refused the state" "$work/ardour-reopen.log" || fail "the logic refused the restored state"
"$wavcmp" equal "$files/c.wav" "$files/d_reset.wav" || fail "the reopened session renders otherwise (parameters, logic)"
"$wavcmp" differs "$files/c.wav" "$files/d_restored.wav" ||
    fail "no echo of the saved session in the reopened one: the DSP state was not restored"
echo "== Ardour 3: the static build loads"
rm -rf "$work/lv2" "$sess" && mkdir -p "$work/lv2" && cp -r "$static_bundle" "$work/lv2/"
start_ardour load urn:hotreload:examples:lv2-delay
wait_step load 60
wait_exit
echo "ok: Ardour renders the delay; the edit rebuilt while Ardour ran scales the render by 0.5 ($b);" \
    "the reopened session has the parameters and the echoes back; the static build loads"
