/*
 * The watcher thread. A complete file (closed after writing, or renamed
 * into place) loads at once. A file that changed with no sign of completion
 * (polling, or writes with no close yet) loads once it has been quiet for
 * the settle time; if it is still incomplete then, the watcher waits longer
 * instead of refusing it. Queued events are drained together, so a burst of
 * writes is one load of the final file.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define MAX_BACKOFF_MS 2000

typedef struct watch_state {
    int writing;        /* a change is waiting to settle */
    uint64_t since_ns;  /* the last change */
    unsigned settle_ms; /* grows while the file stays incomplete */
    int last_err;       /* of the last load attempt */
} watch_state;

static unsigned settle_left_ms(const watch_state *s, uint64_t now)
{
    uint64_t due = s->since_ns + (uint64_t)s->settle_ms * 1000000u;
    return now >= due ? 0 : (unsigned)((due - now) / 1000000u) + 1;
}

/* The swap is under lib->mu because hot__watcher_stop wakes lib->watch from
 * another thread. A wake lost on the old backend is harmless: the polling
 * backend returns every poll_ms and sees lib->closing. */
static void fall_back_to_polling(hot_lib *lib, const char *why)
{
    hot__watch *old, *poll = NULL;

    hot__log(lib, HOT_LOG_WARN, "%s: %s; polling every %u ms instead", lib->file, why,
             lib->opts.poll_ms);
    hot__watch_poll_open(&poll, lib->path, lib->opts.poll_ms);
    hot__mutex_lock(&lib->mu);
    old = lib->watch;
    lib->watch = poll;
    hot__mutex_unlock(&lib->mu);
    hot__watch_close(old);
}

static void on_settled(hot_lib *lib, watch_state *s, uint64_t now)
{
    int err = hot__reload_from_watcher(lib, 1, s->since_ns);

    s->last_err = err;
    s->writing = 0;
    if (err == HOT_EINCOMPLETE) {
        /* Still being written: look again later, less often each time. */
        s->writing = 1;
        s->since_ns = now;
        s->settle_ms = s->settle_ms * 2 > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : s->settle_ms * 2;
        hot__log(lib, HOT_LOG_DEBUG, "%s: %s; waiting", lib->file, lib->errmsg);
    }
}

static void handle(hot_lib *lib, watch_state *s, int bits, uint64_t now)
{
    /* A chmod alone only matters to a file that could not be read. */
    if ((bits & HOT__WATCH_ATTRIB) && s->last_err == HOT_EACCES)
        bits |= HOT__WATCH_COMPLETE;
    if (bits & HOT__WATCH_COMPLETE) {
        s->writing = 0;
        s->settle_ms = lib->opts.settle_ms;
        s->last_err = hot__reload_from_watcher(lib, 0, now);
    } else if (bits & HOT__WATCH_WRITING) {
        if (!s->writing)
            s->settle_ms = lib->opts.settle_ms;
        s->writing = 1;
        s->since_ns = now;
    } else if (bits & HOT__WATCH_GONE) {
        s->writing = 0;
        hot__log(lib, HOT_LOG_DEBUG, "%s: removed; v%lu goes on", lib->path, hot_version(lib));
    }
    if (s->writing && settle_left_ms(s, now) == 0)
        on_settled(lib, s, now);
}

static void report_slow_call(const char *function, double ms, void *arg)
{
    hot_lib *lib = arg;
    unsigned long version = hot_version(lib);
    hot_event ev;
    char why[HOT__MSG_MAX];

    snprintf(why, sizeof why, "%s has been running for %.0f ms in v%lu (an endless loop?)",
             function, ms, version);
    memset(&ev, 0, sizeof ev);
    ev.type = HOT_EVENT_SLOW_CALL;
    ev.version = ev.from_version = version;
    ev.message = why;
    ev.path = lib->path;
    hot__log(lib, HOT_LOG_WARN, "%s: %s", lib->file, why);
    hot__channel_report(lib, "slow", version, ms, 0, why);
    hot__emit(lib, &ev);
}

/* How long to wait for the next file event: for ever, unless a change is
 * settling or guarded calls are being timed. 0 means for ever. */
static unsigned next_timeout_ms(const hot_lib *lib, const watch_state *s)
{
    unsigned timeout = 0, check = lib->opts.guard_timeout_ms / 4 + 1;

    if (s->writing) {
        timeout = settle_left_ms(s, hot__now_ns());
        timeout = timeout ? timeout : 1;
    }
    if (lib->opts.guard_timeout_ms && (timeout == 0 || check < timeout))
        timeout = check;
    return timeout;
}

static void watcher_main(void *arg)
{
    hot_lib *lib = arg;
    watch_state s;

    memset(&s, 0, sizeof s);
    s.settle_ms = lib->opts.settle_ms;
    for (;;) {
        int bits = hot__watch_wait(lib->watch, next_timeout_ms(lib, &s));

        if (__atomic_load_n(&lib->closing, __ATOMIC_ACQUIRE))
            break;
        if (bits < 0 || (bits & HOT__WATCH_LOST)) {
            if (bits > 0) /* what came with the loss still counts */
                handle(lib, &s, bits & ~HOT__WATCH_LOST, hot__now_ns());
            fall_back_to_polling(lib, bits < 0 ? hot_strerror(bits) : "its folder went away");
            if (!lib->watch)
                break;
            continue;
        }
        handle(lib, &s, bits, hot__now_ns());
        if (lib->opts.guard_timeout_ms)
            hot__guard_find_slow(lib->iface->slot, (uint64_t)lib->opts.guard_timeout_ms * 1000000u,
                                 report_slow_call, lib);
    }
}

int hot__watcher_start(hot_lib *lib)
{
    char msg[HOT__MSG_MAX] = "";
    int err = HOT_ESYS;

    if (lib->opts.guard_timeout_ms)
        hot__guard_time_calls();
    if (lib->opts.watch == HOT_WATCH_NONE) {
        if (lib->opts.guard_timeout_ms)
            hot__log(lib, HOT_LOG_WARN,
                     "guard_timeout_ms needs a watcher thread; "
                     "HOT_WATCH_NONE reports no slow calls");
        return 0;
    }
    if (lib->opts.watch == HOT_WATCH_NOTIFY) {
        err = hot__watch_notify_open(&lib->watch, lib->dir, lib->file, msg, sizeof msg);
        if (err < 0)
            hot__log(lib, HOT_LOG_WARN, "%s; polling every %u ms instead", msg, lib->opts.poll_ms);
    }
    if (err < 0 && (err = hot__watch_poll_open(&lib->watch, lib->path, lib->opts.poll_ms)) < 0)
        return hot__fail(lib, err, "cannot watch %s: %s", lib->path, hot_strerror(err));
    if ((err = hot__thread_start(&lib->watcher, watcher_main, lib)) < 0) {
        hot__watch_close(lib->watch);
        lib->watch = NULL;
        return hot__fail(lib, err, "cannot start the watcher thread");
    }
    lib->watching = 1;
    return 0;
}

void hot__watcher_stop(hot_lib *lib)
{
    if (lib->watching) {
        hot__mutex_lock(&lib->mu);
        hot__watch_wake(lib->watch);
        hot__mutex_unlock(&lib->mu);
        hot__thread_join(&lib->watcher);
        lib->watching = 0;
    }
    hot__watch_close(lib->watch);
    lib->watch = NULL;
}
