/*
 * Watching by polling, for file systems without notification (network
 * mounts, some containers), and the dispatch to whichever backend is open.
 * A change is any change of the file's identity: inode, size, modification
 * or status-change time in nanoseconds. It says nothing of completeness, so
 * the watcher lets the file settle before loading it.
 */
#include <stdlib.h>
#include <string.h>

#include "hotreload.h"
#include "platform.h"

struct poll_watch {
    struct hot__watch_ops ops;
    hot__mutex mu;
    hot__cond cond;
    int woken;
    char *path;
    unsigned poll_ms;
    hot__stat last;
};

static int poll_check(struct poll_watch *w)
{
    hot__stat now;
    char msg[256];

    if (hot__fs_stat(w->path, &now, msg, sizeof msg) < 0 || hot__stat_same(&now, &w->last))
        return 0;
    w->last = now;
    return now.exists ? HOT__WATCH_CHANGED : HOT__WATCH_GONE;
}

static int poll_wait(hot__watch *base, unsigned timeout_ms)
{
    struct poll_watch *w = (struct poll_watch *)base;
    unsigned step = timeout_ms && timeout_ms < w->poll_ms ? timeout_ms : w->poll_ms;
    uint64_t deadline = hot__now_ns() + (uint64_t)step * 1000000u;
    int bits = 0;

    hot__mutex_lock(&w->mu);
    while (!w->woken && hot__cond_wait_until(&w->cond, &w->mu, deadline) == 0)
        ;
    if (w->woken)
        bits = HOT__WATCH_WOKEN;
    w->woken = 0;
    hot__mutex_unlock(&w->mu);
    return bits | poll_check(w);
}

static void poll_wake(hot__watch *base)
{
    struct poll_watch *w = (struct poll_watch *)base;
    hot__mutex_lock(&w->mu);
    w->woken = 1;
    hot__cond_broadcast(&w->cond);
    hot__mutex_unlock(&w->mu);
}

static void poll_close(hot__watch *base)
{
    struct poll_watch *w = (struct poll_watch *)base;
    if (!w)
        return;
    hot__cond_destroy(&w->cond);
    hot__mutex_destroy(&w->mu);
    free(w->path);
    free(w);
}

int hot__watch_poll_open(hot__watch **out, const char *path, unsigned poll_ms)
{
    struct poll_watch *w = calloc(1, sizeof *w);
    char msg[256];

    *out = NULL;
    if (!w || !(w->path = strdup(path))) {
        free(w);
        return HOT_ENOMEM;
    }
    w->ops.wait = poll_wait;
    w->ops.wake = poll_wake;
    w->ops.close = poll_close;
    w->poll_ms = poll_ms ? poll_ms : 100;
    if (hot__mutex_init(&w->mu) < 0 || hot__cond_init(&w->cond) < 0) {
        free(w->path);
        free(w);
        return HOT_ESYS;
    }
    hot__fs_stat(path, &w->last, msg, sizeof msg);
    *out = &w->ops;
    return 0;
}

int hot__watch_wait(hot__watch *w, unsigned timeout_ms)
{
    return w->wait(w, timeout_ms);
}

void hot__watch_wake(hot__watch *w)
{
    if (w)
        w->wake(w);
}

void hot__watch_close(hot__watch *w)
{
    if (w)
        w->close(w);
}
