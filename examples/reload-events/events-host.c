/*
 * Holding a reload back while the host saves its state.
 *
 * A second thread opens a holding listener (hot_listener_open, hold=1). When
 * a new build is about to be swapped in, the listener gets
 * HOT_EVENT_BEFORE_RELOAD and the swap waits until it releases it: here it
 * writes a checkpoint of the score to a file first. Meanwhile the main thread
 * is parked inside hot_update(), so the score cannot change under the save.
 * At HOT_EVENT_AFTER_RELOAD the listener reads the checkpoint back and
 * reports it, with the reload's timings.
 *
 *   events-host LIBRARY_DIR CHECKPOINT_FILE
 *
 * Ticks every 25 ms until SIGTERM (or 400 ticks).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "events-api.h"

/* The save takes at least this long, to show the swap waits for it. */
#define SLOW_SAVE_MS 150

struct host {
    struct score score;
    const char *checkpoint;
    hot_listener *listener;
    int stopping; /* read and written with __atomic builtins */
};

static volatile sig_atomic_t stop_requested;

static void request_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void save_checkpoint(const struct host *h)
{
    FILE *f = fopen(h->checkpoint, "w");

    if (!f || fprintf(f, "ticks=%ld points=%ld\n", h->score.ticks, h->score.points) < 0) {
        printf("could not write %s\n", h->checkpoint);
    } else {
        sleep_ms(SLOW_SAVE_MS); /* a real save might flush a database */
        printf("saved: ticks=%ld points=%ld\n", h->score.ticks, h->score.points);
    }
    if (f)
        fclose(f);
}

static void report_checkpoint(const struct host *h)
{
    FILE *f = fopen(h->checkpoint, "r");
    long ticks, points;

    if (f && fscanf(f, "ticks=%ld points=%ld", &ticks, &points) == 2)
        printf("checkpoint: ticks=%ld points=%ld\n", ticks, points);
    else
        printf("could not read %s\n", h->checkpoint);
    if (f)
        fclose(f);
}

static void on_event(struct host *h, const hot_event *ev)
{
    switch (ev->type) {
    case HOT_EVENT_BEFORE_RELOAD:
        printf("event: before v%lu -> v%lu\n", ev->from_version, ev->version);
        save_checkpoint(h);
        hot_listener_release(h->listener); /* now the swap may go ahead */
        break;
    case HOT_EVENT_AFTER_RELOAD:
        printf("event: after, %s\n", ev->message);
        report_checkpoint(h);
        break;
    case HOT_EVENT_REFUSED:
        printf("event: refused: %s\n", ev->message);
        break;
    default: /* other kinds (rollbacks of guarded interfaces) */
        printf("event %d: %s\n", (int)ev->type, ev->message);
    }
}

/* Waits with a timeout so it notices the host stopping: a listener must be
 * closed (after this thread is done with it) before its library. */
static void *listen_for_reloads(void *arg)
{
    struct host *h = arg;
    hot_event ev;

    while (!__atomic_load_n(&h->stopping, __ATOMIC_ACQUIRE)) {
        if (hot_listener_wait(h->listener, 100, &ev) == 0)
            on_event(h, &ev);
    }
    return NULL;
}

static void run(hot_lib *lib, struct host *h)
{
    long before;

    while (!stop_requested && h->score.ticks < 400) {
        before = now_ms();
        if (hot_update(lib) > 0)
            printf("reloaded: v%lu, hot_update held %ld ms\n", hot_version(lib),
                   now_ms() - before);
        events_step(&h->score);
        printf("tick: ticks=%ld points=%ld (%s)\n", h->score.ticks, h->score.points,
               events_version_name());
        sleep_ms(25);
    }
}

int main(int argc, char **argv)
{
    hot_options opts = HOT_OPTIONS_INIT;
    struct host h = {{0, 0}, NULL, NULL, 0};
    pthread_t listener_thread;
    hot_lib *lib;
    int err;

    setvbuf(stdout, NULL, _IOLBF, 0); /* two threads print; keep lines whole */
    opts.dir = argc > 1 ? argv[1] : ".";
    h.checkpoint = argc > 2 ? argv[2] : "events-checkpoint.txt";
    err = hot_open(&lib, "events", HOT_IFACE(events), &opts);
    if (err < 0) {
        fprintf(stderr, "events: %s: %s\n", hot_errname(err), hot_last_error());
        return 1;
    }
    err = hot_listener_open(&h.listener, lib, HOT_EVENT_ALL, 1); /* 1: hold reloads */
    if (err < 0) {
        fprintf(stderr, "events: hot_listener_open: %s\n", hot_strerror(err));
        hot_close(lib);
        return 1;
    }
    signal(SIGTERM, request_stop);
    /* No listener in a HOT_STATIC build: nothing will ever reload. */
    if (h.listener && pthread_create(&listener_thread, NULL, listen_for_reloads, &h) != 0) {
        fprintf(stderr, "events: cannot start the listener thread\n");
        hot_listener_close(h.listener);
        hot_close(lib);
        return 1;
    }
    run(lib, &h);
    __atomic_store_n(&h.stopping, 1, __ATOMIC_RELEASE);
    if (h.listener)
        pthread_join(listener_thread, NULL);
    hot_listener_close(h.listener);
    hot_close(lib);
    printf("stopped at ticks=%ld points=%ld\n", h.score.ticks, h.score.points);
    return 0;
}
