#!/bin/sh
# The delay plugin in jalv on JACK's dummy backend, 100 reloads (the test
# suite runs 10): prints {"jalv_xruns_plugin": N, "jalv_xruns_control": M}.
# usage: bench/extra-audio-jalv.sh BUILD_DIR (from the repository root)
set -eu
build=$1
[ -x "$build/tests/audio/hot_audio_wavcmp" ] || { echo "{}"; exit 0; }
keys=$(mktemp)
trap 'rm -f "$keys"' EXIT
sh tests/audio/test-jalv.sh "${HOT_JALV_RELOADS:-100}" "$build/lv2/hotreload-delay.lv2" "$build/lv2-static/hotreload-delay.lv2" \
    examples/lv2-delay/delay-logic.c cc "-Iinclude -Iexamples/lv2-delay" "$build/tests/audio/hot_audio_wavcmp" \
    "$keys" >&2
awk 'BEGIN { printf "{" } { printf "%s\"%s\": %s", (NR > 1 ? ", " : ""), $1, $2 } END { print "}" }' "$keys"
