# hotreload iface refuses what it cannot make hot, with one line naming the
# cause: a variadic function, a header with no prototypes, a missing file,
# a bad --name; a bit-field is named and left out of the list.
printf '#ifndef LOG_H\n#define LOG_H\nstruct s { int a; unsigned flags : 3; int b; };\nvoid log_it(const char *fmt, ...);\n#endif\n' >log.h
$HOTRELOAD iface log.h >out.h
echo "(exit $?)"
printf 'struct s { int a; unsigned flags : 3; int b; };\nint get(struct s *);\n' >bits.h
$HOTRELOAD iface bits.h | grep -c 'FIELD(struct s, '
echo "(exit $?)"
printf '#define X 1\nstruct only { int a; };\n' >types.h
$HOTRELOAD iface types.h
echo "(exit $?)"
$HOTRELOAD iface missing.h
echo "(exit $?)"
$HOTRELOAD iface types.h --name 9lives
echo "(exit $?)"
$HOTRELOAD iface
echo "(exit $?)"
