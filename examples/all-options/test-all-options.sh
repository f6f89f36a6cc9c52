#!/bin/sh
# test-all-options.sh HOST LIB_V1 LIB_V2 LIB_OVERRIDE
# Checks what the options make visible: the copy's folder and name template
# (before and after a reload seen by polling and applied by the watcher),
# the log callback, unloading the retired version, and the environment
# override loading another file.
. "$(dirname "$0")/../example-test-lib.sh"
host=$1 v1=$2 v2=$3 override=$4
unset HOTRELOAD_LOG ALLOPTS_LIBRARY # they would change what we check

make_workdir
mkdir "$example_work/lib" "$example_work/copies"
lib="$example_work/lib/liballopts.so"
copies="$example_work/copies"
cp "$v1" "$lib"
start_host "$example_work/out" "$host" "$example_work/lib" "$copies"
wait_for '^waiting for a reload$'
pid=$example_pid
swap_library "$v2" "$lib"
wait_host

uuid='[0-9a-f]{16}'
expect "^pid: $pid$"
expect "^path: $lib$"
expect "^copy dir: $copies$"
expect_order "^log info: liballopts.so: loaded v1 from $copies/liballopts-copy1-pid$pid-$uuid\\.so$" \
    "^copy: liballopts-copy1-pid$pid-$uuid\\.so$" '^message: options v1$' '^waiting for a reload$' \
    '^version: 2$' \
    "^copy: liballopts-copy2-pid$pid-$uuid\\.so$" '^message: options v2$' \
    '^versions held: 1$' '^v1 copy on disk: no$'
# The watcher logs the reload after the swap, so this thread may print first.
expect_order '^waiting for a reload$' '^log info: liballopts.so: reloaded v2 \(copy .* ms\)$'
# hot_close deleted the running version's copy and the handle's owner file.
[ -z "$(ls -A "$copies")" ] || fail "left in the copies folder: $(ls -A "$copies")"
echo "ok: options observed (copy names, polling, log, unload)"

export ALLOPTS_LIBRARY="$override"
start_host "$example_work/out2" "$host" "$example_work/lib" "$copies" 0
wait_host
unset ALLOPTS_LIBRARY
expect "^log info: ALLOPTS_LIBRARY overrides the library: $override$"
expect "^path: $override$"
expect '^copy: liballopts-override-copy1-pid[0-9]+-[0-9a-f]{16}\.so$'
expect '^message: the override library$'
echo "ok: ALLOPTS_LIBRARY loaded $override"
