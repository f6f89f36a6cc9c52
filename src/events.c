/*
 * Events: callbacks run on the thread doing the reload; listeners queue
 * events for threads that block. A holding listener keeps a reload at
 * HOT_EVENT_BEFORE_RELOAD until it releases it or the hold times out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define QUEUE_MAX 16

struct hot_listener {
    hot_lib *lib;
    unsigned mask;
    int hold;
    int holding;     /* a reload waits for this listener */
    int hold_seen;   /* ...and the listener has been handed its
                      BEFORE event: its next wait releases it */
    int waiting;     /* a thread is inside hot_listener_wait */
    uint64_t thread; /* the thread that last waited on it (0: none yet): a
                        reload running on that thread does not wait for it */
    hot_event queue[QUEUE_MAX];
    char messages[QUEUE_MAX][HOT__MSG_MAX];
    unsigned head, count;
    char current[HOT__MSG_MAX]; /* message of the event last handed out */
    struct hot_listener *next;
};

int hot_on_event(hot_lib *lib, unsigned mask, hot_event_fn fn, void *userdata)
{
    hot__callback *cb;

    if (!lib || !fn)
        return lib ? hot__fail(lib, HOT_EINVAL, "hot_on_event: no callback given") : HOT_EINVAL;
    cb = calloc(1, sizeof *cb);
    if (!cb)
        return hot__fail(lib, HOT_ENOMEM, "hot_on_event: out of memory");
    cb->mask = mask;
    cb->fn = fn;
    cb->userdata = userdata;
    /* Prepended and never removed before close: a reload walking the list
     * from an older head is unaffected. */
    hot__mutex_lock(&lib->mu);
    cb->next = lib->callbacks;
    lib->callbacks = cb;
    hot__mutex_unlock(&lib->mu);
    return 0;
}

/* The handle whose callback this thread runs, so that calls that would
 * wait for the reload running the callback can refuse (HOT_EBUSY). */
static __thread const hot_lib *callback_of;

int hot__in_callback(const hot_lib *lib)
{
    return callback_of == lib;
}

static void run_callbacks(hot_lib *lib, const hot_event *ev)
{
    const hot_lib *outer = callback_of;
    hot__callback *cb;

    hot__mutex_lock(&lib->mu);
    cb = lib->callbacks;
    hot__mutex_unlock(&lib->mu);
    callback_of = lib;
    for (; cb; cb = cb->next) {
        if (cb->mask & ev->type)
            cb->fn(ev, cb->userdata);
    }
    callback_of = outer;
}

static void enqueue(struct hot_listener *l, const hot_event *ev)
{
    unsigned slot;

    if (l->count == QUEUE_MAX) { /* drop the oldest: the newest matters */
        l->head = (l->head + 1) % QUEUE_MAX;
        l->count--;
    }
    slot = (l->head + l->count) % QUEUE_MAX;
    l->queue[slot] = *ev;
    snprintf(l->messages[slot], HOT__MSG_MAX, "%s", ev->message ? ev->message : "");
    l->count++;
}

static void release_locked(struct hot_listener *l)
{
    if (l->holding) {
        l->holding = 0;
        l->hold_seen = 0;
        l->lib->holds_out--;
        hot__cond_broadcast(&l->lib->cond);
    }
}

/* Called with lib->mu held: waits for every holder, at most the timeout,
 * and not at all once the handle is closing (the reload is abandoned).
 * Returns 1 if the timeout ran out: the caller warns, without the lock (a
 * log callback may call the API). */
static int wait_for_holders(hot_lib *lib)
{
    uint64_t deadline = hot__now_ns() + (uint64_t)lib->opts.hold_timeout_ms * 1000000u;
    struct hot_listener *l;
    int timed_out = 0;

    while (lib->holds_out > 0 && !lib->closing && !timed_out)
        timed_out = hot__cond_wait_until(&lib->cond, &lib->mu, deadline) == HOT_ETIMEDOUT;
    if (lib->holds_out > 0) {
        for (l = lib->listeners; l; l = l->next)
            release_locked(l);
    }
    return timed_out && !lib->closing;
}

/*
 * The channel to a supervisor (`hotreload run`): one line per event,
 *   hotreload-event <TAB> kind <TAB> version <TAB> ms <TAB> error <TAB> message
 * with kind one of opened, reloaded, reason, refused, rolledback, slow, kept,
 * warning (reason: one line per reason of the refusal that follows; kept:
 * what hot_keep_object could not carry across a restart; warning: a listed
 * type with bytes no listed field covers); error the
 * code's name (HOT_EMISMATCH) or "-". Tabs and newlines in the message
 * become spaces. With no channel (a host started by someone else) the
 * line goes to the library's supervisor socket, if one is bound
 * (announce.c).
 */
void hot__channel_report(hot_lib *lib, const char *kind, unsigned long version, double ms,
                         int error, const char *message)
{
    char text[HOT__MSG_MAX], line[HOT__MSG_MAX + 128], *p;

    snprintf(text, sizeof text, "%s", message ? message : "");
    for (p = text; *p; p++) {
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    }
    snprintf(line, sizeof line, "hotreload-event\t%s\t%lu\t%.3f\t%s\t%s\n", kind, version, ms,
             error ? hot_errname(error) : "-", text);
    if (lib->channel >= 0)
        hot__channel_write(lib->channel, line);
    else
        hot__announce(lib, line); /* to a supervisor that did not start us, if any */
}

int hot_report(hot_lib *lib, const char *kind, unsigned long version, double ms, int error,
               const char *message)
{
    size_t n = kind ? strspn(kind, "abcdefghijklmnopqrstuvwxyz") : 0;

    if (!lib || n == 0 || n > 15 || kind[n] != '\0')
        return HOT_EINVAL;
    hot__channel_report(lib, kind, version, ms, error, message);
    return 0;
}

/* Before a refusal of several reasons: one "reason" line each, which the
 * supervisor prints with the "refused" line that follows (a one-line
 * message names only the first). */
static void report_reasons(hot_lib *lib, const hot_event *ev)
{
    char reasons[HOT__REASONS_MAX], *line, *end;

    snprintf(reasons, sizeof reasons, "%s", lib->refusal_reasons);
    for (line = reasons; *line; line = end) {
        end = line + strcspn(line, "\n");
        if (*end)
            *end++ = '\0';
        if (*line)
            hot__channel_report(lib, "reason", ev->version, 0, ev->error, line);
    }
}

static void report(hot_lib *lib, const hot_event *ev)
{
    if (ev->type == HOT_EVENT_AFTER_RELOAD)
        hot__channel_report(lib, "reloaded", ev->version,
                            ev->copy_ms + ev->load_ms + ev->verify_ms + ev->publish_ms, 0,
                            ev->message);
    else if (ev->type == HOT_EVENT_REFUSED) {
        report_reasons(lib, ev);
        hot__channel_report(lib, "refused", ev->version, 0, ev->error, ev->message);
    }
}

void hot__emit(hot_lib *lib, hot_event *ev)
{
    uint64_t self = hot__thread_self();
    struct hot_listener *l;
    int held_too_long = 0;

    report(lib, ev);
    run_callbacks(lib, ev);
    hot__mutex_lock(&lib->mu);
    for (l = lib->listeners; l; l = l->next) {
        if (!(l->mask & ev->type))
            continue;
        enqueue(l, ev);
        /* A listener's own thread is the one reloading (hot_update): it
         * cannot release the hold while it waits for it. */
        if (ev->type == HOT_EVENT_BEFORE_RELOAD && l->hold && !l->holding && l->thread != self) {
            l->holding = 1;
            lib->holds_out++;
        }
    }
    hot__cond_broadcast(&lib->cond);
    if (ev->type == HOT_EVENT_BEFORE_RELOAD)
        held_too_long = wait_for_holders(lib);
    hot__mutex_unlock(&lib->mu);
    if (held_too_long)
        hot__log(lib, HOT_LOG_WARN, "%s: a listener held the reload for %u ms; going ahead",
                 lib->file, lib->opts.hold_timeout_ms);
}

void hot__emit_refused(hot_lib *lib, int err)
{
    hot_event ev;

    memset(&ev, 0, sizeof ev);
    ev.type = HOT_EVENT_REFUSED;
    ev.error = err;
    ev.version = lib->version + 1;
    ev.from_version = lib->version;
    ev.message = lib->errmsg;
    ev.path = lib->path;
    hot__log(lib, HOT_LOG_WARN, "refused: %s (v%lu goes on)", lib->errmsg, lib->version);
    hot__emit(lib, &ev);
}

int hot_listener_open(hot_listener **out, hot_lib *lib, unsigned mask, int hold)
{
    struct hot_listener *l;

    if (!out || !lib)
        return HOT_EINVAL;
    *out = NULL;
    l = calloc(1, sizeof *l);
    if (!l)
        return hot__fail(lib, HOT_ENOMEM, "hot_listener_open: out of memory");
    l->lib = lib;
    l->mask = mask ? mask : HOT_EVENT_ALL;
    l->hold = hold;
    hot__mutex_lock(&lib->mu);
    l->next = lib->listeners;
    lib->listeners = l;
    hot__mutex_unlock(&lib->mu);
    *out = l;
    return 0;
}

/*
 * A listener's pointer to its library is cleared by hot_close. This lock
 * orders that against threads entering hot_listener_wait, _release and
 * _close: under it, a listener's lib is either NULL or alive. Lock order:
 * this lock, then lib->mu.
 */
static int attach_lock;

static hot_lib *lock_attached(hot_listener *l)
{
    hot_lib *lib;

    hot__spin_lock(&attach_lock);
    lib = l->lib;
    if (lib)
        hot__mutex_lock(&lib->mu);
    return lib;
}

static void unlock_attach(void)
{
    hot__spin_unlock(&attach_lock);
}

/* Called with lib->mu held. */
static int next_event(hot_lib *lib, hot_listener *l, uint64_t deadline, hot_event *out)
{
    int err = 0;

    while (l->count == 0 && !lib->closing && err == 0)
        err = hot__cond_wait_until(&lib->cond, &lib->mu, deadline);
    if (l->count == 0)
        return lib->closing ? HOT_ECLOSED : HOT_ETIMEDOUT;
    *out = l->queue[l->head];
    if (out->type == HOT_EVENT_BEFORE_RELOAD && l->holding)
        l->hold_seen = 1;
    snprintf(l->current, sizeof l->current, "%s", l->messages[l->head]);
    out->message = l->current;
    l->head = (l->head + 1) % QUEUE_MAX;
    l->count--;
    return 0;
}

static int listener_wait(hot_listener *l, unsigned timeout_ms, hot_event *out)
{
    uint64_t deadline = timeout_ms ? hot__now_ns() + (uint64_t)timeout_ms * 1000000u : 0;
    hot_lib *lib;
    int err;

    if (!l)
        return HOT_EINVAL;
    lib = lock_attached(l);
    if (lib)
        l->waiting++; /* hot_close waits for us to leave */
    unlock_attach();
    if (!lib)
        return HOT_ECLOSED;
    l->thread = hot__thread_self();
    if (l->hold_seen) /* waiting again means done with the event it saw */
        release_locked(l);
    err = next_event(lib, l, deadline, out);
    l->waiting--;
    hot__cond_broadcast(&lib->cond);
    hot__mutex_unlock(&lib->mu);
    return err;
}

/* The caller's struct may be older (smaller) than ours: it gets what fits. */
int hot__listener_wait(hot_listener *l, unsigned timeout_ms, hot_event *out, size_t out_size)
{
    hot_event ev;
    int err = HOT_EINVAL;

    if (out && out_size >= offsetof(hot_event, message) + sizeof out->message)
        err = listener_wait(l, timeout_ms, &ev);
    if (err == 0)
        memcpy(out, &ev, out_size < sizeof ev ? out_size : sizeof ev);
    return err;
}

void hot_listener_release(hot_listener *l)
{
    hot_lib *lib;

    if (!l)
        return;
    lib = lock_attached(l);
    if (lib) {
        release_locked(l);
        hot__mutex_unlock(&lib->mu);
    }
    unlock_attach();
}

void hot_listener_close(hot_listener *l)
{
    struct hot_listener **p;
    hot_lib *lib;

    if (!l)
        return;
    lib = lock_attached(l);
    if (lib) {
        release_locked(l);
        for (p = &lib->listeners; *p; p = &(*p)->next) {
            if (*p == l) {
                *p = l->next;
                break;
            }
        }
        hot__mutex_unlock(&lib->mu);
    }
    unlock_attach();
    free(l);
}

static int any_waiting(const hot_listener *list)
{
    for (; list; list = list->next) {
        if (list->waiting > 0)
            return 1;
    }
    return 0;
}

/* At close (lib->closing is set): detach the listeners still open, so no
 * thread can reach the library through them again, then wait for the
 * threads already waiting to leave with HOT_ECLOSED. */
void hot__events_close(hot_lib *lib)
{
    struct hot_listener *l, *detached;
    hot__callback *cb, *next;

    hot__spin_lock(&attach_lock);
    hot__mutex_lock(&lib->mu);
    detached = lib->listeners;
    for (l = detached; l; l = l->next)
        l->lib = NULL;
    lib->listeners = NULL;
    hot__mutex_unlock(&lib->mu);
    unlock_attach();

    /* No reload runs any more (hot_close fenced them): the callbacks can go
     * once the listeners' threads have left. */
    hot__mutex_lock(&lib->mu);
    while (any_waiting(detached)) {
        hot__cond_broadcast(&lib->cond);
        hot__cond_wait_until(&lib->cond, &lib->mu, hot__now_ns() + 10000000u);
    }
    hot__mutex_unlock(&lib->mu);
    for (cb = lib->callbacks; cb; cb = next) {
        next = cb->next;
        free(cb);
    }
    lib->callbacks = NULL;
}
