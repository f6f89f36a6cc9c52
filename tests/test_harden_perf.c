/*
 * Guarded calls after the fast path lost its timing flag (issue 8 item
 * 35): slow calls are found by the watcher sampling each thread (how many
 * outermost calls it entered, and whether it is in one), crashes are told
 * by the guard the handler popped. What it must still do, with real
 * threads, a real watcher and real crashes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "sx_api.h"

enum { TIMEOUT_MS = 60 };

/* The events seen (support.c's recorder calls fx, which is not open). */
typedef struct seen {
    int slow, rolled_back;
    char message[600];
} seen;

static void on_event(const hot_event *ev, void *arg)
{
    seen *s = arg;

    if (ev->type == HOT_EVENT_SLOW_CALL) {
        snprintf(s->message, sizeof s->message, "%s", ev->message);
        __atomic_add_fetch(&s->slow, 1, __ATOMIC_RELEASE);
    } else if (ev->type == HOT_EVENT_ROLLED_BACK) {
        __atomic_add_fetch(&s->rolled_back, 1, __ATOMIC_RELEASE);
    }
}

static int slow_count(const seen *s)
{
    return __atomic_load_n(&s->slow, __ATOMIC_ACQUIRE);
}

static int has_slow(const void *arg)
{
    return slow_count(arg) > 0;
}

static void install_sx(const fx_env *e, const char *name)
{
    install_fixture_as(e, name, "libsx.so");
}

/* sx v1 with slow calls reported after TIMEOUT_MS, events recorded. */
static hot_lib *open_sx(fx_env *e, seen *s)
{
    hot_options o;
    hot_lib *lib = NULL;

    env_init(e);
    o = env_options(e);
    o.guard_timeout_ms = TIMEOUT_MS;
    install_sx(e, "sx_v1");
    ASSERT_HOT_OK(hot_open(&lib, "sx", HOT_IFACE(sx), &o));
    memset(s, 0, sizeof *s);
    ASSERT_HOT_OK(hot_on_event(lib, HOT_EVENT_SLOW_CALL | HOT_EVENT_ROLLED_BACK, on_event, s));
    return lib;
}

typedef struct held_call {
    volatile int inside, go;
    long result;
} held_call;

static void *hold_call(void *arg)
{
    held_call *h = arg;

    h->result = sx_wait(&h->inside, &h->go);
    return NULL;
}

static int is_inside(const void *arg)
{
    return ((const held_call *)arg)->inside;
}

/* One long call: reported once, naming the function, and not again
 * however long it goes on; the next long call is reported too. */
TEST(harden_perf, slow_call_reported_once_per_call)
{
    fx_env e;
    seen r;
    hot_lib *lib = open_sx(&e, &r);
    int round;

    for (round = 0; round < 2; round++) {
        held_call h;
        pthread_t t;

        memset(&h, 0, sizeof h);
        ASSERT_EQ(pthread_create(&t, NULL, hold_call, &h), 0);
        await_true(is_inside, &h, "the call to start");
        await_true(has_slow, &r, "the slow call to be reported");
        ASSERT_CONTAINS(r.message, "sx_wait has been running for");
        sleep_ms(6 * TIMEOUT_MS); /* several of the watcher's samples */
        ASSERT_EQ(slow_count(&r), 1);
        h.go = 1;
        ASSERT_EQ(pthread_join(t, NULL), 0);
        ASSERT_GE(h.result, 0);
        __atomic_store_n(&r.slow, 0, __ATOMIC_RELEASE); /* the next call's own */
    }
    hot_close(lib);
    env_free(&e);
}

typedef struct quick_calls {
    int stop;
    long calls, wrong;
} quick_calls;

static void *call_quickly(void *arg)
{
    quick_calls *q = arg;

    while (!__atomic_load_n(&q->stop, __ATOMIC_ACQUIRE)) {
        q->wrong += sx_quick(q->calls) != q->calls + 1;
        q->calls++;
    }
    return NULL;
}

static void nap(void *arg)
{
    sleep_ms(*(unsigned *)arg);
}

/* Back-to-back short calls look, at any instant, like a call in progress:
 * none is slow. Nor is a long hot_call_guarded made after them (it is not
 * an interface call, and not the sx_quick before it). */
TEST(harden_perf, short_calls_are_not_slow)
{
    fx_env e;
    seen r;
    hot_lib *lib = open_sx(&e, &r);
    quick_calls q;
    pthread_t t;
    unsigned ms = 8 * TIMEOUT_MS;

    memset(&q, 0, sizeof q);
    ASSERT_EQ(pthread_create(&t, NULL, call_quickly, &q), 0);
    sleep_ms(8 * TIMEOUT_MS);
    __atomic_store_n(&q.stop, 1, __ATOMIC_RELEASE);
    ASSERT_EQ(pthread_join(t, NULL), 0);
    ASSERT_GT(q.calls, 1000);
    ASSERT_EQ(q.wrong, 0);
    ASSERT_EQ(sx_quick(1), 2);
    ASSERT_HOT_OK(hot_call_guarded(lib, nap, &ms, NULL));
    sleep_ms(2 * TIMEOUT_MS);
    ASSERT_EQ(slow_count(&r), 0);
    hot_close(lib);
    env_free(&e);
}

/* With calls timed (the counting trampoline), a crash in the newest build
 * still rolls back and the call is made again in the previous one, on
 * this thread and on a thread whose first guarded call it is. */
static void *crash_once(void *arg)
{
    *(long *)arg = sx_quick(0);
    return NULL;
}

TEST(harden_perf, crash_rolls_back_while_timed)
{
    fx_env e;
    seen r;
    hot_lib *lib = open_sx(&e, &r);
    pthread_t t;
    long result = -1;

    ASSERT_EQ(sx_quick(5), 6);
    install_sx(&e, "sx_v2_crash");
    ASSERT_GE(hot_reload_now(lib), 0);
    ASSERT_EQ(sx_quick(5), 7);
    ASSERT_EQ(pthread_create(&t, NULL, crash_once, &result), 0);
    ASSERT_EQ(pthread_join(t, NULL), 0);
    ASSERT_EQ(result, 1); /* 0 + v1's SX_VALUE */
    ASSERT_EQ(__atomic_load_n(&r.rolled_back, __ATOMIC_ACQUIRE), 1);
    ASSERT_EQ(sx_quick(5), 6);
    install_sx(&e, "sx_v2_crash"); /* refused: it crashed */
    ASSERT_EQ(sx_quick(0), 1);
    ASSERT_EQ(slow_count(&r), 0);
    hot_close(lib);
    env_free(&e);
}
