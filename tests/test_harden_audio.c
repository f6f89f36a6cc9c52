/*
 * hot_call_guarded: a crash-guarded call through a pointer of the caller's
 * own (the audio plugin shell's call of its logic's process()), cut short
 * on a crash, with nothing rolled back.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gx_api.h"
#include "support.h"

/* A page no access is allowed to: a real fault, at an address UBSan's
 * null check does not stop first. */
static volatile int *no_access_page(void)
{
    static void *page;

    if (!page)
        page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return page == MAP_FAILED ? NULL : page;
}

static void store_through_null(void *arg)
{
    (void)arg;
    *no_access_page() = 1;
}

static void raise_segv(void *arg)
{
    (void)arg;
    raise(SIGSEGV);
}

static void add_one(void *arg)
{
    (*(int *)arg)++;
}

static void call_abort(void *arg)
{
    (void)arg;
    abort();
}

static void install_gx(const fx_env *e, const char *name)
{
    install_fixture_as(e, name, "libgx.so");
}

/* gx at v2 (a build whose gx_crash crashes), v1 mapped to go back to. */
static hot_lib *open_gx_at_v2(fx_env *e)
{
    hot_options o;
    hot_lib *lib = NULL;

    env_init(e);
    o = env_options(e);
    o.watch = HOT_WATCH_NONE;
    install_gx(e, "gx_v1");
    ASSERT_HOT_OK(hot_open(&lib, "gx", HOT_IFACE(gx), &o));
    install_gx(e, "gx_v2_crash");
    ASSERT_GE(hot_reload_now(lib), 0);
    ASSERT_EQ(gx_value(), 2);
    return lib;
}

TEST(call_guarded, crash_returns_crashed_and_calls_go_on)
{
    int sig = -1, i, n = 0;

    ASSERT(no_access_page() != NULL);
    ASSERT_EQ(hot_guard_prepare_thread(), 0);
    for (i = 0; i < 50; i++) {
        ASSERT_EQ(hot_call_guarded(NULL, store_through_null, NULL, &sig), HOT_ECRASHED);
        ASSERT_EQ(sig, SIGSEGV);
        ASSERT_EQ(hot_call_guarded(NULL, raise_segv, NULL, &sig), HOT_ECRASHED);
        ASSERT_EQ(sig, SIGSEGV);
        ASSERT_EQ(hot_call_guarded(NULL, add_one, &n, &sig), 0);
        ASSERT_EQ(sig, 0);
    }
    ASSERT_EQ(n, 50);
    ASSERT_STR_EQ(hot_signal_name(SIGSEGV), "SIGSEGV");
    ASSERT_EQ(hot_call_guarded(NULL, NULL, NULL, NULL), HOT_EINVAL);
}

/* A thread that never prepared itself: the first call installs the
 * handlers; the crash is handled on the thread's own stack. */
static void *unprepared_thread(void *arg)
{
    int sig = 0;

    *(int *)arg = hot_call_guarded(NULL, store_through_null, NULL, &sig) == HOT_ECRASHED && sig == SIGSEGV;
    return NULL;
}

TEST(call_guarded, unprepared_thread)
{
    pthread_t t;
    int ok = 0;

    ASSERT_EQ(pthread_create(&t, NULL, unprepared_thread, &ok), 0);
    ASSERT_EQ(pthread_join(t, NULL), 0);
    ASSERT_EQ(ok, 1);
}

/* A prepared thread has an alternate stack: an endless recursion is cut
 * short too, and the thread goes on. */
static void *prepared_overflow(void *arg)
{
    int sig = 0, depth = 0, n = 0;

    hot_guard_prepare_thread();
    *(int *)arg = hot_call_guarded(NULL, support_overflow, &depth, &sig) == HOT_ECRASHED && sig == SIGSEGV &&
                  hot_call_guarded(NULL, add_one, &n, NULL) == 0 && n == 1;
    return NULL;
}

TEST(call_guarded, stack_overflow_on_prepared_thread)
{
    pthread_attr_t attr;
    pthread_t t;
    int ok = 0;

    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    ASSERT_EQ(pthread_create(&t, &attr, prepared_overflow, &ok), 0);
    ASSERT_EQ(pthread_join(t, NULL), 0);
    pthread_attr_destroy(&attr);
    ASSERT_EQ(ok, 1);
}

/* The crash is the caller's to handle: lib stays at the version it runs,
 * though an older one is there to go back to. A guarded call of lib made
 * inside rolls back as always. */
TEST(call_guarded, no_rollback)
{
    fx_env e;
    hot_lib *lib = open_gx_at_v2(&e);
    int sig = 0;

    ASSERT_EQ(hot_call_guarded(lib, store_through_null, NULL, &sig), HOT_ECRASHED);
    ASSERT_EQ(sig, SIGSEGV);
    ASSERT_EQ(hot_version(lib), 2);
    ASSERT_EQ(gx_value(), 2);
    ASSERT_EQ(hot_versions_held(lib), 2);
    hot_close(lib);
    env_free(&e);
}

static void crash_in_gx(void *arg)
{
    *(long *)arg = gx_crash(1);
}

TEST(call_guarded, nested_guarded_call_rolls_back)
{
    fx_env e;
    hot_lib *lib = open_gx_at_v2(&e);
    long r = 0;

    ASSERT_EQ(hot_call_guarded(lib, crash_in_gx, &r, NULL), 0);
    ASSERT_EQ(r, GX_SURVIVED(1));
    ASSERT_EQ(hot_version(lib), 1);
    hot_close(lib);
    env_free(&e);
}

/* abort() is passed on (glibc may hold its allocator's lock), unless the
 * handle's options say otherwise. */
TEST(call_guarded, abort_passes_on_unless_rollback_abort)
{
    int status = 0, sig = 0;
    pid_t pid = fork();

    ASSERT(pid >= 0);
    if (pid == 0) {
        hot_call_guarded(NULL, call_abort, NULL, NULL);
        _exit(0);
    }
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT(WIFSIGNALED(status));
    ASSERT_EQ(WTERMSIG(status), SIGABRT);
    {
        hot_options o;
        hot_lib *lib = NULL;
        fx_env e;

        env_init(&e);
        o = env_options(&e);
        o.watch = HOT_WATCH_NONE;
        o.rollback_abort = 1;
        install_gx(&e, "gx_v1");
        ASSERT_HOT_OK(hot_open(&lib, "gx", HOT_IFACE(gx), &o));
        ASSERT_EQ(hot_call_guarded(lib, call_abort, NULL, &sig), HOT_ECRASHED);
        ASSERT_EQ(sig, SIGABRT);
        hot_close(lib);
        env_free(&e);
    }
}
