#!/bin/sh
# test-lv2-delay-hosts.sh BUNDLE STATIC_BUNDLE LOGIC_SOURCE CC "CFLAGS" WAVCMP
# The delay in hosts no one here wrote:
#   lv2apply (no features at all) renders it;
#   lv2file (offline, synchronous worker) renders it; the logic source is
#   edited (gain 1.0 -> 0.5) and rebuilt; the second render is the first
#   times 0.5, every sample;
#   the static build (logic compiled in) renders sample-identical output.
set -eu
bundle=$1 static_bundle=$2 logic=$3 cc=$4 cflags=$5 wavcmp=$6
uri=urn:hotreload:examples:lv2-delay
for tool in lv2apply lv2file; do
    command -v $tool >/dev/null || { echo "skip: $tool is not installed (.ci/install-deps)"; exit 77; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/hot-lv2-hosts.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/hot" "$work/static"
cp -r "$bundle" "$work/hot/"
cp -r "$static_bundle" "$work/static/"
copy="$work/hot/$(basename "$bundle")"
"$wavcmp" gen "$work/in.wav" 96000

echo "== lv2apply (no features)"
LV2_PATH="$work/hot" lv2apply -i "$work/in.wav" -o "$work/apply.wav" -c feedback 0.7 $uri
"$wavcmp" differs "$work/in.wav" "$work/apply.wav"

echo "== lv2file, logic as built"
LV2_PATH="$work/hot" lv2file -i "$work/in.wav" -o "$work/file1.wav" -b 64 -p feedback:0.7 $uri \
    2>"$work/lv2file1.log" || { cat "$work/lv2file1.log"; exit 1; }
# Per frame (lv2apply) or per 64-frame block: the same DSP, the same output.
"$wavcmp" equal "$work/apply.wav" "$work/file1.wav"

echo "== edit the logic (gain 0.5), rebuild, render again"
sed 's/^#define DELAY_GAIN 1.0f$/#define DELAY_GAIN 0.5f/' "$logic" > "$work/delay-logic.c"
grep -q '^#define DELAY_GAIN 0.5f$' "$work/delay-logic.c" || { echo "FAIL: the edit did not apply"; exit 1; }
# shellcheck disable=SC2086
"$cc" -shared -fPIC -O2 -fvisibility=hidden -DHOT_LIBRARY $cflags -o "$copy/libdelay-logic.so" "$work/delay-logic.c"
LV2_PATH="$work/hot" lv2file -i "$work/in.wav" -o "$work/file2.wav" -b 64 -p feedback:0.7 $uri \
    2>"$work/lv2file2.log" || { cat "$work/lv2file2.log"; exit 1; }
"$wavcmp" scaled "$work/file1.wav" "$work/file2.wav" 0.5

echo "== static build (logic compiled in)"
[ ! -e "$work/static/$(basename "$static_bundle")/libdelay-logic.so" ] || { echo "FAIL: static bundle has a logic library"; exit 1; }
LV2_PATH="$work/static" lv2file -i "$work/in.wav" -o "$work/static.wav" -b 64 -p feedback:0.7 $uri \
    2>"$work/lv2file3.log" || { cat "$work/lv2file3.log"; exit 1; }
"$wavcmp" equal "$work/file1.wav" "$work/static.wav"
echo "ok: lv2apply and lv2file render the delay; an edit of the gain scales the output by 0.5; static == hot"
