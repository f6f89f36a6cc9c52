/*
 * HOT_STATIC waits (a program built with the library compiled in, no
 * runtime linked): nothing reloads, but the waits wait as documented
 * instead of returning at once, so a listener thread written for the hot
 * build does not spin. Exits 0 when every check passes.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fx_api.h"

static double now_s(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "static_waits: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                          \
        }                                                                     \
    } while (0)

typedef struct listening {
    hot_listener *listener;
    int result;
    double cpu_s, wall_s;
} listening;

/* A listener thread as a hot build would write it: waits for ever. */
static void *listen_for_ever(void *arg)
{
    listening *t = arg;
    double cpu = now_s(CLOCK_THREAD_CPUTIME_ID), wall = now_s(CLOCK_MONOTONIC);
    hot_event ev;

    t->result = hot_listener_wait(t->listener, 0, &ev);
    t->cpu_s = now_s(CLOCK_THREAD_CPUTIME_ID) - cpu;
    t->wall_s = now_s(CLOCK_MONOTONIC) - wall;
    return NULL;
}

int main(void)
{
    hot_options opts = HOT_OPTIONS_INIT;
    hot_lib *lib;
    hot_event ev;
    listening t;
    pthread_t thread;
    double t0;

    CHECK(hot_open(&lib, "fx", HOT_IFACE(fx), &opts) == 0 && lib != NULL);
    CHECK(fx_value() == 1);

    t0 = now_s(CLOCK_MONOTONIC);
    CHECK(hot_wait_reload(lib, hot_version(lib), 200) == HOT_ETIMEDOUT);
    CHECK(now_s(CLOCK_MONOTONIC) - t0 >= 0.19);

    CHECK(hot_listener_open(&t.listener, lib, HOT_EVENT_ALL, 1) == 0);
    t0 = now_s(CLOCK_MONOTONIC);
    CHECK(hot_listener_wait(t.listener, 100, &ev) == HOT_ETIMEDOUT);
    CHECK(now_s(CLOCK_MONOTONIC) - t0 >= 0.09);

    /* For ever means until hot_close, without burning a core meanwhile. */
    CHECK(pthread_create(&thread, NULL, listen_for_ever, &t) == 0);
    t0 = now_s(CLOCK_MONOTONIC);
    while (now_s(CLOCK_MONOTONIC) - t0 < 0.3)
        hot_update(lib);
    hot_close(lib);
    pthread_join(thread, NULL);
    fprintf(stderr, "static_waits: the listener waited %.3f s using %.3f s of CPU\n", t.wall_s,
            t.cpu_s);
    CHECK(t.result == HOT_ECLOSED);
    CHECK(t.wall_s >= 0.25);
    CHECK(t.cpu_s < t.wall_s / 4);
    CHECK(hot_wait_reload(lib, 1, 0) == HOT_ECLOSED); /* closed: at once */
    hot_listener_close(t.listener);
    puts("static_waits: ok");
    return 0;
}
