/*
 * When new code crashes in a guarded call: rollback for each signal, on a
 * worker thread, on stack overflow; and the crashes that must not be
 * swallowed (first version, outside a guarded call, previous version
 * unloaded), which run in a child process expected to die.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fx_iface.h"
#include "th.h"
#include "cases.h"

/* v1 with known state, then the crashing build as v2 carrying it. */
static hot_lib *open_v1_then_crashing_v2_with(const hot_options *opts)
{
    hot_lib *lib = th_open_opts(HOT_IFACE(fx), "v1", opts);

    fx_set(FX_A, 11);
    fx_set(FX_B, 22);
    fx_set(FX_COUNT, 4242);
    th_install("v2_crash");
    CHECK_LONG(hot_reload_now(lib), 1);
    CHECK_LONG(fx_version(), 2);
    CHECK_LONG(fx_get(FX_A), 11);
    CHECK_LONG(hot_versions_held(lib), 2);
    return lib;
}

static hot_lib *open_v1_then_crashing_v2(void)
{
    hot_options opts = HOT_OPTIONS_INIT;
    return open_v1_then_crashing_v2_with(&opts);
}

static void expect_rolled_back(hot_lib *lib, const char *signame)
{
    th_event ev = th_last(HOT_EVENT_ROLLED_BACK);
    char want[256];

    CHECK_LONG(hot_version(lib), 1);
    CHECK_LONG(fx_version(), 1);
    CHECK_LONG(th_count(HOT_EVENT_ROLLED_BACK), 1);
    snprintf(want, sizeof want,
             "rolled back to v1: %s in fx_crash (v2 is refused until a new build)", signame);
    CHECK_STR(ev.message, want);
    CHECK_LONG(ev.version, 1);
    CHECK_LONG(ev.from_version, 2);
    CHECK_LONG(ev.error, HOT_ECRASHED);
    CHECK(th_logged(want));
    CHECK_HAS(hot_errmsg(lib), "v2 is refused until a new build");
}

/* v1 got back the bytes it saved at the swap (its load hook ran once),
 * and nothing the crashed call changed in v2 leaked into it. */
static void expect_state_intact(void)
{
    CHECK_LONG(fx_get(FX_LOADS), 1);
    CHECK_LONG(fx_get(FX_LAST_TAG), 1);
    CHECK_LONG(fx_get(FX_A), 11);
    CHECK_LONG(fx_get(FX_B), 22);
    CHECK_LONG(fx_get(FX_COUNT), 4242);
}

/* The crashed bytes are not loaded again; a different build is, and
 * after that the crashed build is refused with HOT_ECRASHED. */
static void expect_crashed_build_refused(hot_lib *lib)
{
    CHECK_LONG(hot_reload_now(lib), 0);
    th_install("v2_crash"); /* the same bytes written again */
    CHECK_LONG(hot_reload_now(lib), 0);
    CHECK_LONG(hot_version(lib), 1);
    th_install("v3");
    CHECK_LONG(hot_reload_now(lib), 1);
    CHECK_LONG(hot_version(lib), 3);
    CHECK_LONG(fx_version(), 3);
    CHECK_LONG(fx_get(FX_A), 11); /* v1's state carried into v3 */
    CHECK_LONG(fx_crash(FX_SEGV), FX_SURVIVED(3));
}

static void rollback_case(int how, const char *signame)
{
    hot_options opts = HOT_OPTIONS_INIT;
    hot_lib *lib;

    opts.rollback_abort = how == FX_ABRT; /* abort() only when asked */
    lib = open_v1_then_crashing_v2_with(&opts);

    /* The call crashes in v2 and is made again in v1. */
    CHECK_LONG(fx_crash(how), FX_SURVIVED(1));
    expect_rolled_back(lib, signame);
    expect_state_intact();
    expect_crashed_build_refused(lib);
    th_close(lib);
}

/* The crashed build comes back after a good one (a revert, a bisect): it
 * is still refused, and said so, rather than passed over as unchanged. */
static void test_crashed_build_returns(void)
{
    hot_lib *lib = open_v1_then_crashing_v2();

    CHECK_LONG(fx_crash(FX_SEGV), FX_SURVIVED(1));
    th_install("v3");
    CHECK_LONG(hot_reload_now(lib), 1);
    th_install("v2_crash");
    CHECK_LONG(hot_reload_now(lib), HOT_ECRASHED);
    CHECK_HAS(hot_errmsg(lib), "this build crashed and was rolled back");
    CHECK_LONG(th_last(HOT_EVENT_REFUSED).error, HOT_ECRASHED);
    CHECK_LONG(hot_version(lib), 3);
    CHECK_LONG(fx_version(), 3);
    th_close(lib);
}

static void test_sigsegv(void) { rollback_case(FX_SEGV, "SIGSEGV"); }
static void test_sigbus(void) { rollback_case(FX_BUS_MMAP, "SIGBUS"); }
static void test_sigbus_raise(void) { rollback_case(FX_BUS_RAISE, "SIGBUS"); }
static void test_sigill(void) { rollback_case(FX_ILL, "SIGILL"); }
static void test_sigfpe(void) { rollback_case(FX_FPE, "SIGFPE"); }
static void test_sigabrt(void) { rollback_case(FX_ABRT, "SIGABRT"); }
static void test_stack_overflow(void) { rollback_case(FX_OVERFLOW, "SIGSEGV"); }

/* ---- A worker thread ------------------------------------------------------- */

struct worker {
    long crash_result, version_after, calls_after;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    int i;

    w->crash_result = fx_crash(FX_SEGV);
    w->version_after = fx_version();
    for (i = 0; i < 100; i++) /* the thread goes on calling */
        w->calls_after += fx_crash(0) == FX_SURVIVED(1);
    return NULL;
}

static void test_thread(void)
{
    hot_lib *lib = open_v1_then_crashing_v2();
    struct worker w = {0, 0, 0};
    pthread_t t;

    CHECK_LONG(pthread_create(&t, NULL, worker_main, &w), 0);
    CHECK_LONG(pthread_join(t, NULL), 0);
    CHECK_LONG(w.crash_result, FX_SURVIVED(1));
    CHECK_LONG(w.version_after, 1);
    CHECK_LONG(w.calls_after, 100);
    expect_rolled_back(lib, "SIGSEGV");
    expect_state_intact();
    /* The main thread, which never crashed, calls v1 too. */
    CHECK_LONG(fx_crash(0), FX_SURVIVED(1));
    th_close(lib);
}

/* Thread B is inside v2 when thread A's crash rolls back to v1; then B
 * crashes in v2 too. The rollback is done: B's call must be retried in
 * v1 (what hot__rollback means to do), not kill the process. */
static void *late_crasher(void *arg)
{
    long *result = arg;

    *result = fx_crash(FX_SEGV_LATER);
    return NULL;
}

static void two_threads_crash(void)
{
    hot_lib *lib = open_v1_then_crashing_v2();
    long late_result = 0;
    pthread_t t;

    CHECK_LONG(pthread_create(&t, NULL, late_crasher, &late_result), 0);
    while (fx_get(FX_GATE) != 1) /* B is inside v2's fx_crash */
        usleep(1000);
    CHECK_LONG(fx_crash(FX_SEGV), FX_SURVIVED(1));
    CHECK_LONG(hot_version(lib), 1);
    CHECK_LONG(pthread_join(t, NULL), 0);
    CHECK_LONG(late_result, FX_SURVIVED(1));
    CHECK_LONG(th_count(HOT_EVENT_ROLLED_BACK), 1);
    CHECK_LONG(hot_version(lib), 1);
}

static void test_second_thread_crash(void)
{
    th_expect_exit("second crash after the rollback", th_child(two_threads_crash), 0);
}

/* v1's load hook refuses the snapshot on the way back: the rollback
 * happens and its message says the state could not be restored. */
static void test_restore_refused(void)
{
    hot_lib *lib = th_open(HOT_IFACE(fx), "v1_loadfail", 0);
    th_event ev;

    th_install("v2_crash");
    CHECK_LONG(hot_reload_now(lib), 1);
    CHECK_LONG(fx_crash(FX_SEGV), FX_SURVIVED(1));
    CHECK_LONG(hot_version(lib), 1);
    ev = th_last(HOT_EVENT_ROLLED_BACK);
    CHECK_STR(ev.message, "rolled back to v1: SIGSEGV in fx_crash (v2 is refused until a new "
                          "build); state: v1 could not load back its own saved state");
    CHECK(th_logged("state: v1 could not load back its own saved state"));
    th_close(lib);
}

/* ---- Crashes that are not ours to recover ----------------------------------- */

static int child_how;

/* The crashing build is the first version: nothing to go back to, and the
 * program asked for the crash to pass on rather than stop the interface
 * (state.stop.* has the default). */
static void crash_first_version(void)
{
    hot_options opts = HOT_OPTIONS_INIT;

    opts.crash_passthrough = 1;
    opts.rollback_abort = 1;
    th_open_opts(HOT_IFACE(fx), "v2_crash", &opts);
    fx_crash(child_how);
    _exit(3); /* survived: wrong */
}

static void test_first_version(void)
{
    static const struct { int how, sig; const char *what; } cases[] = {
        {FX_SEGV, SIGSEGV, "null store"},
        {FX_BUS_MMAP, SIGBUS, "truncated mapping"},
        {FX_BUS_RAISE, SIGBUS, "raise(SIGBUS)"},
        {FX_ILL, SIGILL, "__builtin_trap"},
        {FX_FPE, SIGFPE, "division by zero"},
        {FX_ABRT, SIGABRT, "abort"},
        {FX_OVERFLOW, SIGSEGV, "stack overflow"},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        child_how = cases[i].how;
        th_expect_signal(cases[i].what, th_child(crash_first_version), cases[i].sig);
    }
}

static void own_handler(int sig)
{
    static const char line[] = "the program's own handler ran\n";
    (void)sig;
    if (write(1, line, sizeof line - 1) < 0)
        _exit(5);
    _exit(42);
}

static void own_siginfo_handler(int sig, siginfo_t *info, void *ctx)
{
    (void)info, (void)ctx;
    own_handler(sig);
}

static void install_own_handler(int with_siginfo)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    if (with_siginfo) {
        sa.sa_flags = SA_SIGINFO;
        sa.sa_sigaction = own_siginfo_handler;
    } else {
        sa.sa_handler = own_handler;
    }
    if (sigaction(SIGSEGV, &sa, NULL) != 0)
        _exit(4);
}

static int child_siginfo;

static void own_handler_first_version(void)
{
    install_own_handler(child_siginfo);
    child_how = FX_SEGV;
    crash_first_version();
}

/* With a version to go back to, ours rolls back and the program's handler
 * is not called. */
static void own_handler_rollback(void)
{
    install_own_handler(0);
    open_v1_then_crashing_v2();
    if (fx_crash(FX_SEGV) != FX_SURVIVED(1))
        _exit(6);
}

static void test_own_handler(void)
{
    child_siginfo = 0;
    th_expect_exit("plain handler", th_child(own_handler_first_version), 42);
    child_siginfo = 1;
    th_expect_exit("SA_SIGINFO handler", th_child(own_handler_first_version), 42);
    th_expect_exit("rollback possible", th_child(own_handler_rollback), 0);
}

/* After guarded calls returned, a crash in the host is the host's. */
static void crash_outside_guard(void)
{
    /* Not NULL: UBSan (state.asan.*) would stop the store before it faults. */
    volatile int *volatile nowhere = (volatile int *)16;

    open_v1_then_crashing_v2();
    CHECK_LONG(fx_crash(0), -1); /* v2 ran a call that did not crash */
    if (child_how)
        *nowhere = 1;
    else
        raise(SIGSEGV);
    _exit(3);
}

static void test_outside_guard(void)
{
    child_how = 0;
    th_expect_signal("raise(SIGSEGV) in the host", th_child(crash_outside_guard), SIGSEGV);
    child_how = 1;
    th_expect_signal("null store in the host", th_child(crash_outside_guard), SIGSEGV);
}

/* With unload_retired, v1 is gone once the thread passed a safe point; with
 * crash_passthrough the crash then passes on (state.stop.unloaded has the
 * default). */
static void crash_after_unload(void)
{
    hot_options opts = HOT_OPTIONS_INIT;
    hot_lib *lib;

    opts.unload_retired = 1;
    opts.crash_passthrough = 1;
    lib = th_open_opts(HOT_IFACE(fx), "v1", &opts);

    th_install("v2_crash");
    CHECK_LONG(hot_reload_now(lib), 1);
    CHECK_LONG(hot_update(lib), 0); /* the safe point that unloads v1 */
    CHECK_LONG(hot_versions_held(lib), 1);
    fx_crash(FX_SEGV);
    _exit(3);
}

static void test_unloaded(void)
{
    th_expect_signal("previous version unloaded", th_child(crash_after_unload), SIGSEGV);
}

const th_case crash_cases[] = {
    {"rollback.sigsegv", test_sigsegv},
    {"rollback.sigbus", test_sigbus},
    {"rollback.sigbus_raise", test_sigbus_raise},
    {"rollback.sigill", test_sigill},
    {"rollback.sigfpe", test_sigfpe},
    {"rollback.sigabrt", test_sigabrt},
    {"rollback.stack_overflow", test_stack_overflow},
    {"rollback.thread", test_thread},
    {"rollback.crashed_build_returns", test_crashed_build_returns},
    {"rollback.second_thread", test_second_thread_crash},
    {"rollback.restore_refused", test_restore_refused},
    {"passthrough.first_version", test_first_version},
    {"passthrough.own_handler", test_own_handler},
    {"passthrough.outside_guard", test_outside_guard},
    {"passthrough.unloaded", test_unloaded},
    {NULL, NULL},
};
