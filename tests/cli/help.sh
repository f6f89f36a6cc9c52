# hotreload --help and `hotreload help COMMAND` for every command.
for args in "--help" "help" "help new" "help run" "help check" "help iface" "help help" "new --help" \
            "run --help" "check --help" "help bogus"; do
    echo "=== hotreload $args"
    # shellcheck disable=SC2086
    $HOTRELOAD $args
    echo "(exit $?)"
done
