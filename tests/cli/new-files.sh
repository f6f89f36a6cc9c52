# hotreload new writes the project's files and refuses an existing folder.
$HOTRELOAD new demo --build-tree
echo "(exit $?)"
ls -A demo
grep -n 'hello from logic.c' demo/logic.c
grep -n '^host\|^build' demo/hotreload.conf
$HOTRELOAD new demo
echo "(exit $?)"
mkdir sub && $HOTRELOAD new sub/other --installed >/dev/null && ls sub/other | wc -l
grep '^HOTRELOAD_INCLUDE' sub/other/Makefile
