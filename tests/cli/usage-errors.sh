# Usage errors exit 2 with a one-line reason and a hint.
mkdir empty
run() {
    echo "=== hotreload $*"
    "$HOTRELOAD" "$@"
    echo "(exit $?)"
}
run
run bogus
run help one two
run check
run check a.so b.so
run check --against
run check --bogus x.so
run new
run new a b
run new "bad name"
run new --bogus x
run new --hotreload-dir "$PWD/empty" x
run run --bogus
run run --stats
run run --dir "$PWD/nowhere"
run run --dir empty
run run --config "$PWD/nowhere.conf"
printf 'host = ./x\nbogus = 1\n' >empty/hotreload.conf
run run --dir empty
printf 'host = ./x\n' >empty/hotreload.conf
run run --dir empty
run run --dir empty --host ./x --build true --restart sometimes
printf 'host = ./x\nbuild = true\nrestart = never\n' >empty/hotreload.conf
run run --dir empty
rm empty/hotreload.conf
run run --dir empty --host ./x --build true --status-to "$PWD/nowhere/status.log"
$HOTRELOAD new x --template nope; echo "(exit $?)"
$HOTRELOAD new x --template; echo "(exit $?)"
ls x 2>/dev/null; echo "(no folder x)"
