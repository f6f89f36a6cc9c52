# A library that is not there.
$HOTRELOAD check no-such-lib.so
