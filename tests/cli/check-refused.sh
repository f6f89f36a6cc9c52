# A rebuild with a changed interface is refused, with every reason.
$HOTRELOAD check "$FIXTURES/libgame_v1.so" --against "$FIXTURES/libgame_v2.so"
