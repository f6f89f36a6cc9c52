# A rebuild with the same interface would be accepted.
$HOTRELOAD check "$FIXTURES/libgame_v1.so" --against "$FIXTURES/libgame_v1b.so"
