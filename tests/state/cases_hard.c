/*
 * Rollback hardening (issues 7 and 8): what is recovered, what passes on
 * and how. Each case fails on the runtime before src/rollback.c:
 *   stop.*          a crash with nothing to go back to stops the interface
 *   abort.*         glibc's allocator abort is not rolled back by default
 *   once.*          one recovery per guarded call
 *   chain.*         an unrecovered signal reaches the previous handler as
 *                   the kernel would have delivered it
 *   sent.*          a signal from another process is not a crash of ours
 *   many.*          rollbacks beyond 16, crashes in a build's first call
 *   updated.*       a rollback counts for hot_was_updated
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cases.h"
#include "fx_iface.h"
#include "th.h"

/* Counters a child writes and the parent reads after it died. */
static volatile long *shared;

static void make_shared(void)
{
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    CHECK(p != MAP_FAILED);
    shared = p;
    memset(p, 0, 4096);
}

static hot_lib *open_with(const char *variant, int unload_retired)
{
    hot_options opts = HOT_OPTIONS_INIT;

    opts.unload_retired = unload_retired;
    return th_open_opts(HOT_IFACE(fx), variant, &opts);
}

/* A crash in a host-side store the compiler cannot drop (not NULL: UBSan
 * would stop it before it faults). */
static void host_fault(void)
{
    volatile int *volatile nowhere = (volatile int *)16;
    *nowhere = 1;
}

/* ---- stop: nothing to go back to ----------------------------------------------- */

static void expect_stopped(hot_lib *lib, unsigned long crashed_version)
{
    th_event ev = th_last(HOT_EVENT_STOPPED);

    CHECK_LONG(th_count(HOT_EVENT_STOPPED), 1);
    CHECK_LONG(ev.from_version, crashed_version);
    CHECK_LONG(ev.version, 0);
    CHECK_LONG(ev.error, HOT_ECRASHED);
    CHECK_HAS(ev.message, "no version to go back to");
    CHECK_HAS(hot_errmsg(lib), "calls return 0 until a new build loads");
    /* Every call answers at once with a zero value; one warning says so. */
    CHECK_LONG(fx_version(), 0);
    CHECK_LONG(fx_get(FX_A), 0);
    fx_set(FX_A, 5);
    CHECK_LONG(fx_crash(FX_SEGV), 0);
    CHECK(th_logged("fx_version not called: the interface is stopped"));
    CHECK(!th_logged("fx_get not called"));
}

/* The next good build loads, starts from its own initial state, and runs. */
static void expect_next_build_runs(hot_lib *lib)
{
    unsigned reloads = th_count(HOT_EVENT_AFTER_RELOAD);

    CHECK_LONG(hot_reload_now(lib), 0); /* the crashed bytes: not again */
    th_install("v3");
    CHECK_LONG(hot_reload_now(lib), 1);
    CHECK_LONG(fx_version(), 3);
    CHECK_LONG(fx_crash(FX_SEGV), FX_SURVIVED(3));
    CHECK_LONG(fx_get(FX_COUNT), 35); /* v3's initial value, not the crashed one's */
    CHECK_LONG(th_count(HOT_EVENT_AFTER_RELOAD), reloads + 1);
}

static void test_stop_first_version(void)
{
    hot_lib *lib = open_with("v2_crash", 0);

    CHECK_LONG(fx_version(), 2);
    CHECK_LONG(fx_crash(FX_SEGV), 0); /* the crashed call returns zero */
    expect_stopped(lib, 1);
    CHECK_LONG(hot_was_updated(lib), 1); /* calls go elsewhere now */
    expect_next_build_runs(lib);
    th_close(lib);
}

/* The same for each kind of fault, each in a child of its own. */
static int child_how;

static void stop_child(void)
{
    hot_lib *lib = open_with("v2_crash", 0);

    if (fx_crash(child_how) != 0 || th_count(HOT_EVENT_STOPPED) != 1 || fx_version() != 0)
        _exit(3);
    th_close(lib);
}

static void test_stop_each_signal(void)
{
    static const int hows[] = {FX_SEGV, FX_BUS_MMAP, FX_BUS_RAISE, FX_ILL, FX_FPE, FX_OVERFLOW};
    size_t i;

    for (i = 0; i < sizeof hows / sizeof hows[0]; i++) {
        child_how = hows[i];
        th_expect_exit("crash in the first version", th_child(stop_child), 0);
    }
}

/* The version to go back to was unloaded (unload_retired): stop too. */
static void test_stop_unloaded(void)
{
    hot_lib *lib = open_with("v1", 1);

    th_install("v2_crash");
    CHECK_LONG(hot_reload_now(lib), 1);
    CHECK_LONG(hot_update(lib), 0); /* the safe point that unloads v1 */
    CHECK_LONG(hot_versions_held(lib), 1);
    CHECK_LONG(fx_crash(FX_SEGV), 0);
    expect_stopped(lib, 2);
    expect_next_build_runs(lib);
    th_close(lib);
}

/* ---- abort: glibc's allocator checks ------------------------------------------ */

static void *idle_thread(void *arg)
{
    (void)arg;
    pause();
    return NULL;
}

static void double_free_in_v2(void)
{
    hot_lib *lib = open_with("v1", 0);
    pthread_t t;

    /* glibc locks the arena only once the process has a second thread. */
    CHECK_LONG(pthread_create(&t, NULL, idle_thread, NULL), 0);
    alarm(10); /* a deadlock dies of SIGALRM, not of the test's timeout */
    th_install("v2_crash");
    CHECK_LONG(hot_reload_now(lib), 1);
    fx_crash(FX_DOUBLE_FREE);
    free(malloc(64 * 1024)); /* deadlocks after a rollback: the arena is locked */
    _exit(3);
}

static void test_abort_double_free(void)
{
#ifdef TH_ASAN
    th_skip("ASan reports the double free itself; glibc's check never runs");
#endif
    th_expect_signal("double free in v2", th_child(double_free_in_v2), SIGABRT);
}

/* ---- once: one recovery per guarded call ------------------------------------------ */

static hot_lib *once_lib;

static void report_and_exit(int sig)
{
    (void)sig;
    shared[0] = (long)th_count(HOT_EVENT_ROLLED_BACK);
    shared[1] = (long)hot_version(once_lib);
    _exit(42);
}

static void all_versions_crash(void)
{
    static const char *const builds[] = {"v2_crash", "v3_crash", "v4_crash"};
    size_t i;

    signal(SIGSEGV, report_and_exit); /* before the first guarded call */
    once_lib = open_with("v1_crash", 0);
    for (i = 0; i < 3; i++) {
        th_install(builds[i]);
        CHECK_LONG(hot_reload_now(once_lib), 1);
    }
    fx_crash(FX_SEGV); /* v4 crashes; the retry in v3 crashes too */
    _exit(3);
}

static void test_once_same_argument(void)
{
    make_shared();
    th_expect_exit("every version crashes on the argument", th_child(all_versions_crash), 42);
    CHECK_LONG(shared[0], 1); /* one rollback, v4 to v3 */
    CHECK_LONG(shared[1], 3);
}

/* ---- chain: the previous handler as the kernel would call it ------------------------ */

static void counting_handler(int sig)
{
    (void)sig;
    shared[0]++;
}

static void install(int flags, void (*handler)(int), int mask_usr1)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    if (mask_usr1)
        sigaddset(&sa.sa_mask, SIGUSR1);
    sa.sa_flags = flags;
    sa.sa_handler = handler;
    if (sigaction(SIGSEGV, &sa, NULL) != 0)
        _exit(4);
}

/* Handlers are installed, then the guarded interface is used, then the
 * host faults outside any guarded call. */
static void use_guarded_interface(void)
{
    open_with("v1", 0);
    if (fx_version() != 1)
        _exit(5);
}

static void resethand_reporter(void)
{
    alarm(10); /* an endless loop dies of SIGALRM */
    install(SA_RESETHAND, counting_handler, 0);
    use_guarded_interface();
    host_fault();
    _exit(3);
}

static void test_chain_resethand(void)
{
    make_shared();
    th_expect_signal("SA_RESETHAND reporter", th_child(resethand_reporter), SIGSEGV);
    CHECK_LONG(shared[0], 1); /* called once, then the default action */
}

static void ignore_with_siginfo(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_SIGINFO;
    sa.sa_handler = SIG_IGN; /* the union's sa_sigaction is then (void *)1 */
    if (sigaction(SIGSEGV, &sa, NULL) != 0)
        _exit(4);
    use_guarded_interface();
}

static void ignored_raise(void)
{
    ignore_with_siginfo();
    raise(SIGSEGV); /* ignored, as without us */
    shared[0] = 7;
}

static void ignored_fault(void)
{
    ignore_with_siginfo();
    host_fault(); /* a fault cannot be ignored: the kernel kills */
    _exit(3);
}

static void test_chain_ignored(void)
{
    make_shared();
    th_expect_exit("raise(SIGSEGV) under SIG_IGN", th_child(ignored_raise), 0);
    CHECK_LONG(shared[0], 7);
    th_expect_signal("a fault under SIG_IGN", th_child(ignored_fault), SIGSEGV);
}

static int blocked(int sig)
{
    sigset_t now;

    pthread_sigmask(SIG_BLOCK, NULL, &now);
    return sigismember(&now, sig);
}

static void mask_checking_handler(int sig)
{
    shared[0] = 1 + blocked(SIGSEGV);
    shared[1] = 1 + blocked(SIGUSR1);
    (void)sig;
    _exit(42);
}

static void fault_with_mask_handler(void)
{
    install(0, mask_checking_handler, 1);
    use_guarded_interface();
    host_fault();
    _exit(3);
}

static void fault_with_nodefer_handler(void)
{
    install(SA_NODEFER, mask_checking_handler, 0);
    use_guarded_interface();
    host_fault();
    _exit(3);
}

static void test_chain_mask(void)
{
    make_shared();
    th_expect_exit("handler with sa_mask", th_child(fault_with_mask_handler), 42);
    CHECK_LONG(shared[0], 2); /* the signal itself is blocked (no SA_NODEFER) */
    CHECK_LONG(shared[1], 2); /* sa_mask is blocked */
    th_expect_exit("SA_NODEFER handler", th_child(fault_with_nodefer_handler), 42);
    CHECK_LONG(shared[0], 1);
    CHECK_LONG(shared[1], 1);
}

/* ---- sent: kill -SEGV from another process -------------------------------------------- */

/* Waits until the main thread is inside v2's fx_crash(FX_WAIT), then has
 * a child process send SIGSEGV to this one. */
static void *send_from_outside(void *arg)
{
    sigset_t segv;
    pid_t target = getpid(), sender;

    (void)arg;
    sigemptyset(&segv);
    sigaddset(&segv, SIGSEGV);
    pthread_sigmask(SIG_BLOCK, &segv, NULL); /* delivered to the main thread */
    while (fx_get(FX_GATE) != 1)
        usleep(1000);
    sender = fork();
    if (sender == 0) {
        kill(target, SIGSEGV);
        _exit(0);
    }
    waitpid(sender, NULL, 0);
    return NULL;
}

static void signalled_in_v2(void)
{
    hot_lib *lib = open_with("v1", 0);
    pthread_t t;

    th_install("v2_crash");
    CHECK_LONG(hot_reload_now(lib), 1);
    CHECK_LONG(pthread_create(&t, NULL, send_from_outside, NULL), 0);
    fx_crash(FX_WAIT);
    _exit(3); /* rolled back: wrong */
}

static void test_sent_kill(void)
{
    th_expect_signal("SIGSEGV sent by another process", th_child(signalled_in_v2), SIGSEGV);
}

/* ---- many: beyond 16 rollbacks; crashes in a build's first call ----------------- */

static void test_many_rollbacks(void)
{
    hot_lib *lib = open_with("v1", 0);
    long i;

    fx_set(FX_A, 11);
    for (i = 1; i <= 20; i++) {
        th_install_patched("v2_crash_patch", i);
        CHECK_LONG(hot_reload_now(lib), 1);
        CHECK_LONG(fx_crash(FX_SEGV), FX_SURVIVED(1));
        CHECK_LONG(th_count(HOT_EVENT_ROLLED_BACK), (unsigned long)i);
        CHECK_LONG(fx_get(FX_A), 11);
    }
    CHECK_LONG(hot_versions_held(lib), 21);
    /* Every one of them is still refused after a good build. */
    th_install("v3");
    CHECK_LONG(hot_reload_now(lib), 1);
    for (i = 1; i <= 20; i++) {
        th_install_patched("v2_crash_patch", i);
        CHECK_LONG(hot_reload_now(lib), HOT_ECRASHED);
    }
    CHECK_LONG(fx_version(), 3);
    th_close(lib);
}

#if defined(TH_ASAN) || defined(TH_TSAN)
#define FIRST_CALL_ROUNDS 25 /* several times slower there */
#else
#define FIRST_CALL_ROUNDS 100
#endif

static volatile int stop_calling;

/* Calls into whatever version is current, without pause. */
static void *call_without_pause(void *arg)
{
    long *survived = arg;

    while (!__atomic_load_n(&stop_calling, __ATOMIC_ACQUIRE))
        *survived += fx_crash(FX_SEGV) == FX_SURVIVED(1);
    return NULL;
}

/* Takes the handle's lock without pause, as a thread asking how many
 * versions are held or waiting for a reload would: a publish that stores
 * the slot before it takes the lock then leaves a wide window. */
static void *take_the_lock(void *arg)
{
    while (!__atomic_load_n(&stop_calling, __ATOMIC_ACQUIRE))
        hot_versions_held(arg);
    return NULL;
}

static void test_many_first_call(void)
{
    hot_lib *lib = open_with("v1", 0);
    long survived = 0, i;
    unsigned waited;
    pthread_t t, locker;

    CHECK_LONG(pthread_create(&t, NULL, call_without_pause, &survived), 0);
    CHECK_LONG(pthread_create(&locker, NULL, take_the_lock, lib), 0);
    /* A good build before each crashing one: publishing the crashing one
     * then deletes the copy of the version before, inside the old window. */
    for (i = 1; i <= FIRST_CALL_ROUNDS; i++) {
        th_install_patched("v1_patch", i);
        CHECK_LONG(hot_reload_now(lib), 1);
        th_install_patched("v2_crash_patch", i);
        CHECK_LONG(hot_reload_now(lib), 1);
        for (waited = 0; th_count(HOT_EVENT_ROLLED_BACK) < (unsigned)i && waited < 10000; waited++)
            usleep(1000);
        CHECK_LONG(th_count(HOT_EVENT_ROLLED_BACK), i);
    }
    __atomic_store_n(&stop_calling, 1, __ATOMIC_RELEASE);
    CHECK_LONG(pthread_join(t, NULL), 0);
    CHECK_LONG(pthread_join(locker, NULL), 0);
    CHECK(survived > 0);
    CHECK_LONG(fx_version(), 1);
    th_close(lib);
}

/* ---- updated: hot_was_updated sees a rollback ------------------------------------- */

static void test_updated_after_rollback(void)
{
    hot_lib *lib = open_with("v1", 0);

    th_install("v2_crash");
    CHECK_LONG(hot_reload_now(lib), 1);
    CHECK_LONG(hot_was_updated(lib), 1);
    CHECK_LONG(hot_was_updated(lib), 0);
    CHECK_LONG(fx_crash(FX_SEGV), FX_SURVIVED(1));
    CHECK_LONG(hot_was_updated(lib), 1);
    CHECK_LONG(hot_was_updated(lib), 0);
    th_close(lib);
}

const th_case hard_cases[] = {
    {"stop.first_version", test_stop_first_version},
    {"stop.each_signal", test_stop_each_signal},
    {"stop.unloaded", test_stop_unloaded},
    {"abort.double_free", test_abort_double_free},
    {"once.same_argument", test_once_same_argument},
    {"chain.resethand", test_chain_resethand},
    {"chain.ignored", test_chain_ignored},
    {"chain.mask", test_chain_mask},
    {"sent.kill", test_sent_kill},
    {"many.rollbacks", test_many_rollbacks},
    {"many.first_call", test_many_first_call},
    {"updated.after_rollback", test_updated_after_rollback},
    {NULL, NULL},
};
