# A shared type listed with a field left out (struct pc_state: long first,
# long forgotten, int last; only first and last listed): check names the
# bytes no listed field covers.
$HOTRELOAD check "$FIXTURES/libpartial.so"
echo "(exit $?)"
