# A file that is not a shared library, as LIB and as OTHER.
echo "not a library at all" >garbage.so
$HOTRELOAD check garbage.so
echo "(exit $?)"
$HOTRELOAD check "$FIXTURES/libgame_v1.so" --against garbage.so >/dev/null
