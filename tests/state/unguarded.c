/*
 * A host built with plain HOT_INTERFACE: calls are not guarded, so a crash
 * in new code is the program's crash even when an older version could take
 * over. The crash runs in a child expected to die of the signal.
 */
#define FX_UNGUARDED
#include <signal.h>
#include <unistd.h>

#include "fx_iface.h"
#include "th.h"

static int child_how;

static void crash_in_v2(void)
{
    hot_lib *lib = th_open(HOT_IFACE(fx), "v1", 0);

    th_install("v2_crash");
    CHECK_LONG(hot_reload_now(lib), 1);
    CHECK_LONG(hot_versions_held(lib), 2);
    fx_crash(child_how);
    _exit(3); /* swallowed: wrong */
}

static void test_unguarded(void)
{
    child_how = FX_SEGV;
    th_expect_signal("null store in v2", th_child(crash_in_v2), SIGSEGV);
    child_how = FX_FPE;
    th_expect_signal("division by zero in v2", th_child(crash_in_v2), SIGFPE);
}

static const th_case unguarded_cases[] = {
    {"unguarded", test_unguarded},
    {NULL, NULL},
};

int main(int argc, char **argv)
{
    static const th_case *const tables[] = {unguarded_cases, NULL};
    return th_main(argc, argv, tables);
}
