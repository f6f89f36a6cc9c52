# A shared library built without hotreload.
$HOTRELOAD check "$FIXTURES/libplain.so"
