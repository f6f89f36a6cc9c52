/*
 * The watcher thread. A complete file (closed after writing, or renamed
 * into place) loads at once. A file inotify saw being written loads on its
 * close, never on quiet alone (gold writes through a shared mapping: its
 * file looks whole long before it is). A change with no sign of completion
 * (polling, a new name, lost events) loads once it has been quiet for the
 * settle time; if it is still incomplete then, the watcher waits longer
 * instead of refusing it. Queued events are drained together, so a burst of
 * writes is one load of the final file.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define MAX_BACKOFF_MS 2000
/* How long hot_close waits for a watcher busy loading (a constructor that
 * never returns keeps it for ever). */
#define STOP_WAIT_MS 2000

/* What the watcher waits for besides the next event. */
enum { WAIT_EVENT, WAIT_SETTLE, WAIT_CONFIRM };

typedef struct watch_state {
    int wait;           /* WAIT_*: a timer is running */
    int writer_open;    /* inotify saw writes and no close yet */
    int rearm;          /* polling since the folder went: try inotify again */
    uint64_t since_ns;  /* the timer's start */
    hot__stat closed;   /* WAIT_CONFIRM: the file as its writer left it */
    unsigned settle_ms; /* grows while the file stays incomplete */
    int last_err;       /* of the last load attempt */
    uint64_t event_ns;  /* the last file event: retire work waits for quiet */
} watch_state;

static unsigned settle_left_ms(const watch_state *s, uint64_t now)
{
    uint64_t due = s->since_ns + (uint64_t)s->settle_ms * 1000000u;
    return now >= due ? 0 : (unsigned)((due - now) / 1000000u) + 1;
}

static void start_timer(hot_lib *lib, watch_state *s, int kind, uint64_t now)
{
    if (s->wait != kind)
        s->settle_ms = lib->opts.settle_ms;
    s->wait = kind;
    s->since_ns = now;
}

static void swap_watch(hot_lib *lib, hot__watch *w)
{
    hot__watch *old;

    hot__mutex_lock(&lib->mu);
    old = lib->watch;
    lib->watch = w;
    hot__mutex_unlock(&lib->mu);
    hot__watch_close(old);
}

/* The swap is under lib->mu because hot__watcher_stop wakes lib->watch from
 * another thread. A wake lost on the old backend is harmless: the polling
 * backend returns every poll_ms and sees lib->closing. The poller takes the
 * file as it is now for its baseline, so the file is also checked once
 * against what is loaded: a build put in place meanwhile is not missed. */
static void fall_back_to_polling(hot_lib *lib, watch_state *s, const char *why)
{
    hot__watch *poll = NULL;

    hot__log(lib, HOT_LOG_WARN, "%s: %s; polling every %u ms instead", lib->file, why,
             lib->opts.poll_ms);
    hot__watch_poll_open(&poll, lib->path, lib->opts.poll_ms);
    swap_watch(lib, poll);
    s->writer_open = 0;
    start_timer(lib, s, WAIT_SETTLE, hot__now_ns());
}

/* After the folder went away (swapped, deleted): inotify again once it is
 * back, then the same check at once. */
static void try_rearm(hot_lib *lib, watch_state *s)
{
    char msg[HOT__MSG_MAX];
    hot__watch *w;

    if (hot__watch_notify_open(&w, lib->path, msg, sizeof msg) < 0)
        return;
    swap_watch(lib, w);
    s->rearm = 0;
    hot__log(lib, HOT_LOG_INFO, "%s: its folder is back; watching with inotify again", lib->file);
    start_timer(lib, s, WAIT_SETTLE, hot__now_ns());
}

static void on_settled(hot_lib *lib, watch_state *s, uint64_t now)
{
    int err = hot__reload_from_watcher(lib, 1, s->since_ns);

    s->last_err = err;
    s->wait = WAIT_EVENT;
    if (err == HOT_EINCOMPLETE) {
        /* Still being written: look again later, less often each time. */
        s->wait = WAIT_SETTLE;
        s->since_ns = now;
        s->settle_ms = s->settle_ms * 2 > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : s->settle_ms * 2;
        hot__log(lib, HOT_LOG_DEBUG, "%s: %s; waiting", lib->file, lib->errmsg);
    }
}

/* A writer closed the file (or renamed it into place). Read as incomplete,
 * it may already be written again (an in-place `cp` storm): it is refused
 * only if it stays as it was for the settle time. */
static void on_complete(hot_lib *lib, watch_state *s, uint64_t now)
{
    char msg[HOT__MSG_MAX];

    s->writer_open = 0;
    s->wait = WAIT_EVENT;
    s->last_err = hot__reload_from_watcher(lib, 1, now);
    if (s->last_err == HOT_EINCOMPLETE) {
        hot__fs_stat(lib->path, &s->closed, msg, sizeof msg);
        start_timer(lib, s, WAIT_CONFIRM, now);
    }
}

static void on_timer(hot_lib *lib, watch_state *s, uint64_t now)
{
    char msg[HOT__MSG_MAX];
    hot__stat st;

    if (s->wait != WAIT_CONFIRM) {
        on_settled(lib, s, now);
        return;
    }
    hot__fs_stat(lib->path, &st, msg, sizeof msg);
    if (!hot__stat_same(&st, &s->closed)) {
        start_timer(lib, s, WAIT_SETTLE, now); /* written again since */
        return;
    }
    s->wait = WAIT_EVENT;
    s->last_err = hot__reload_from_watcher(lib, 0, s->since_ns);
}

static void handle(hot_lib *lib, watch_state *s, int bits, uint64_t now)
{
    /* A chmod alone only matters to a file that could not be read. */
    if ((bits & HOT__WATCH_ATTRIB) && s->last_err == HOT_EACCES)
        bits |= HOT__WATCH_COMPLETE;
    /* Nor does another library, unless a load failed for want of one, or
     * the loaded version has dependencies beside it (a rebuilt one is a
     * new version: src/deps.c). */
    if ((bits & HOT__WATCH_SIBLING) && !s->writer_open &&
        (s->last_err == HOT_ELOAD || __atomic_load_n(&lib->origin_deps, __ATOMIC_ACQUIRE)))
        bits |= HOT__WATCH_COMPLETE;
    if (bits & HOT__WATCH_COMPLETE) {
        on_complete(lib, s, now);
    } else if (bits & HOT__WATCH_WRITING) {
        /* Never loaded on quiet alone: its close says when it is done. */
        s->writer_open = 1;
        s->wait = WAIT_EVENT;
    } else if (bits & HOT__WATCH_CHANGED) {
        s->writer_open = 0;
        start_timer(lib, s, WAIT_SETTLE, now);
    } else if (bits & HOT__WATCH_GONE) {
        s->writer_open = 0;
        s->wait = WAIT_EVENT;
        hot__log(lib, HOT_LOG_DEBUG, "%s: removed; v%lu goes on", lib->path, hot_version(lib));
    }
    if (s->wait != WAIT_EVENT && settle_left_ms(s, now) == 0)
        on_timer(lib, s, now);
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
    unsigned timeout = 0, check = lib->opts.guard_timeout_ms / 4 + 1, retire;

    if (s->wait != WAIT_EVENT) {
        timeout = settle_left_ms(s, hot__now_ns());
        timeout = timeout ? timeout : 1;
    }
    if (s->rearm && (timeout == 0 || lib->opts.poll_ms < timeout))
        timeout = lib->opts.poll_ms;
    if (lib->opts.guard_timeout_ms && (timeout == 0 || check < timeout))
        timeout = check;
    retire = hot__retire_wait_ms(lib, s->event_ns, hot__now_ns());
    if (retire && (timeout == 0 || retire < timeout))
        timeout = retire;
    return timeout;
}

static void watch_loop(hot_lib *lib)
{
    watch_state s;

    memset(&s, 0, sizeof s);
    s.settle_ms = lib->opts.settle_ms;
    for (;;) {
        int bits = hot__watch_wait(lib->watch, next_timeout_ms(lib, &s));

        if (__atomic_load_n(&lib->closing, __ATOMIC_ACQUIRE))
            break;
        if (bits < 0 || (bits & HOT__WATCH_LOST)) {
            char why[HOT__MSG_MAX];
            snprintf(why, sizeof why, "%s", bits < 0 ? lib->watch->msg : "its folder went away");
            if (bits > 0) /* what came with the loss still counts */
                handle(lib, &s, bits & ~HOT__WATCH_LOST, hot__now_ns());
            fall_back_to_polling(lib, &s, why);
            s.rearm = bits > 0;
            if (!lib->watch)
                break;
            continue;
        }
        if (s.rearm)
            try_rearm(lib, &s);
        handle(lib, &s, bits, hot__now_ns());
        if (bits & ~HOT__WATCH_WOKEN)
            s.event_ns = hot__now_ns();
        hot__retire_run_due(lib, s.event_ns, hot__now_ns());
        if (lib->opts.guard_timeout_ms)
            hot__guard_find_slow(lib->iface, (uint64_t)lib->opts.guard_timeout_ms * 1000000u,
                                 report_slow_call, lib);
    }
}

static void watcher_main(void *arg)
{
    hot_lib *lib = arg;

    __atomic_store_n(&lib->watcher_self, hot__thread_self(), __ATOMIC_RELEASE);
    __atomic_store_n(&lib->watcher_pid, hot__pid(), __ATOMIC_RELEASE);
    __atomic_store_n(&lib->watcher_working, 1, __ATOMIC_RELEASE);
    watch_loop(lib);
    __atomic_store_n(&lib->watcher_working, 0, __ATOMIC_RELEASE); /* host threads do it now */
    hot__mutex_lock(&lib->mu);
    lib->watcher_done = 1;
    hot__cond_broadcast(&lib->cond);
    hot__mutex_unlock(&lib->mu);
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
        err = hot__watch_notify_open(&lib->watch, lib->path, msg, sizeof msg);
        if (err < 0)
            hot__log(lib, HOT_LOG_WARN, "%s; polling every %u ms instead", msg, lib->opts.poll_ms);
    }
    if (err < 0 && (err = hot__watch_poll_open(&lib->watch, lib->path, lib->opts.poll_ms)) < 0)
        return hot__fail(lib, err, "cannot watch %s: %s", lib->path, hot_strerror(err));
    if ((err = hot__thread_start(&lib->watcher, watcher_main, lib, msg, sizeof msg)) < 0) {
        hot__watch_close(lib->watch);
        lib->watch = NULL;
        return hot__fail(lib, err, "cannot start the watcher thread: %s", msg);
    }
    __atomic_store_n(&lib->watching, 1, __ATOMIC_RELEASE);
    return 0;
}

/* Waits a bounded time for the watcher to see lib->closing. */
static int watcher_finished(hot_lib *lib)
{
    uint64_t deadline = hot__now_ns() + (uint64_t)STOP_WAIT_MS * 1000000u;
    int done;

    hot__mutex_lock(&lib->mu);
    hot__watch_wake(lib->watch);
    while (!lib->watcher_done && hot__cond_wait_until(&lib->cond, &lib->mu, deadline) == 0)
        ;
    done = lib->watcher_done;
    hot__mutex_unlock(&lib->mu);
    return done;
}

int hot__watcher_stop(hot_lib *lib)
{
    if (lib->watching) {
        if (!watcher_finished(lib)) {
            hot__log(lib, HOT_LOG_WARN,
                     "%s: the watcher has been loading for more than %d ms (a constructor that "
                     "never returns?); hot_close leaves it and this handle's memory behind",
                     lib->file, STOP_WAIT_MS);
            hot__thread_detach(&lib->watcher);
            return HOT_ETIMEDOUT;
        }
        hot__thread_join(&lib->watcher);
        __atomic_store_n(&lib->watching, 0, __ATOMIC_RELEASE);
    }
    swap_watch(lib, NULL); /* under lib->mu: a host thread may be waking it */
    return 0;
}
