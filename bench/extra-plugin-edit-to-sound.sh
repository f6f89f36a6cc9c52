#!/bin/sh
# Edit to sound: the delay plays in jalv (JACK's dummy backend), started
# outside `hotreload run`, which runs with host = none and rebuilds the
# logic at each of 20 edits; from the save of the source to the first
# block the new logic processed (timed on the audio thread at the swap).
# Prints {"plugin_edit_to_sound_ms_p50": N, ...}.
# usage: bench/extra-plugin-edit-to-sound.sh BUILD_DIR (from the repository root)
set -eu
build=$(cd "$1" && pwd)
[ -x "$build/cli/hotreload" ] && [ -d "$build/lv2/hotreload-delay.lv2" ] || { echo "{}"; exit 0; }
keys=$(mktemp)
trap 'rm -f "$keys"' EXIT
sh tests/audio/test-jalv-nohost.sh "${HOT_PLUGIN_EDITS:-20}" "$build/lv2/hotreload-delay.lv2" \
    examples/lv2-delay/delay-logic.c cc "-I$PWD/include -I$PWD/examples/lv2-delay" "$build/cli/hotreload" \
    "$keys" >&2
awk 'BEGIN { printf "{" } { printf "%s\"%s\": %s", (NR > 1 ? ", " : ""), $1, $2 } END { print "}" }' "$keys"
