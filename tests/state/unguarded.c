/*
 * A host built with plain HOT_INTERFACE: calls are not guarded, so a crash
 * in new code is the program's crash even when an older version could take
 * over. The crash runs in a child expected to die of the signal.
 */
#define FX_UNGUARDED
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "fx_iface.h"
#include "th.h"

static int child_how;
static int stderr_pipe[2]; /* the child's stderr, read by the test */

static void crash_in_v2(void)
{
    hot_lib *lib = th_open(HOT_IFACE(fx), "v1", 0);

    th_install("v2_crash");
    CHECK_LONG(hot_reload_now(lib), 1);
    CHECK_LONG(hot_versions_held(lib), 2);
    dup2(stderr_pipe[1], 2);
    fx_crash(child_how);
    _exit(3); /* swallowed: wrong */
}

/* The crash passes through, after one line naming the version and the
 * function it is in. */
static void expect_crash(int how, const char *what, int sig, const char *line)
{
    char said[1024];
    ssize_t n;

    CHECK(pipe(stderr_pipe) == 0);
    child_how = how;
    th_expect_signal(what, th_child(crash_in_v2), sig);
    close(stderr_pipe[1]);
    n = read(stderr_pipe[0], said, sizeof said - 1);
    said[n > 0 ? n : 0] = '\0';
    close(stderr_pipe[0]);
    CHECK_HAS(said, line);
    CHECK_HAS(said, "(libfx.so), near fx_crash+0x");
    CHECK_HAS(said, ": not in a guarded call; passing it on\n");
}

static void test_unguarded(void)
{
    expect_crash(FX_SEGV, "null store in v2", SIGSEGV, "hotreload: SIGSEGV in fx v2 (libfx.so)");
    expect_crash(FX_FPE, "division by zero in v2", SIGFPE, "hotreload: SIGFPE in fx v2 (libfx.so)");
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
