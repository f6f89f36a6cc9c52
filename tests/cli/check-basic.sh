# The manifest of a hot library.
$HOTRELOAD check "$FIXTURES/libgame_v1.so"
