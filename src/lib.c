/* The library handle: open, close, the safe point, swaps and waits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- Open handles, for exit cleanup and one-handle-per-interface -------- */

static hot_lib *open_libs[64];
static int open_libs_lock;
static unsigned long serials; /* the last hot_lib.serial given */

static void registry_lock(void)
{
    hot__spin_lock(&open_libs_lock);
}

static void registry_unlock(void)
{
    hot__spin_unlock(&open_libs_lock);
}

/* At exit, the copies each open handle listed are deleted; nothing is
 * unloaded or freed: other threads may still be running library code, or
 * be in the middle of a reload, while the process winds down. */
static void delete_copies_at_exit(void)
{
    int i;

    hot__shadow_exiting();
    registry_lock();
    for (i = 0; i < 64; i++) {
        hot_lib *lib = __atomic_load_n(&open_libs[i], __ATOMIC_ACQUIRE);
        if (lib)
            hot__shadow_delete_at_exit(lib);
    }
    hot__shadow_exit_done(open_libs, 64);
    registry_unlock();
}

static int registry_add(hot_lib *lib)
{
    static int exit_hook;
    int i, free_slot = -1;

    registry_lock();
    for (i = 0; i < 64; i++) {
        /* By name: an engine library's copy of the interface is the same
         * interface (its tables are filled too, see iface.c). */
        if (open_libs[i] && !strcmp(open_libs[i]->iface->expected->interface_name,
                                    lib->iface->expected->interface_name)) {
            registry_unlock();
            return hot__fail(lib, HOT_EBUSY,
                             "interface %s is already open in this process "
                             "(one handle per interface: share it)",
                             lib->iface->expected->interface_name);
        }
        if (!open_libs[i] && free_slot < 0)
            free_slot = i;
    }
    if (free_slot >= 0)
        __atomic_store_n(&open_libs[free_slot], lib, __ATOMIC_RELEASE);
    if (!exit_hook) {
        exit_hook = 1;
        hot__at_exit(delete_copies_at_exit);
    }
    registry_unlock();
    return free_slot < 0 ? hot__fail(lib, HOT_EBUSY, "too many open libraries (64)") : 0;
}

static void registry_remove(hot_lib *lib)
{
    int i;

    registry_lock();
    for (i = 0; i < 64; i++) {
        if (open_libs[i] == lib)
            __atomic_store_n(&open_libs[i], NULL, __ATOMIC_RELEASE);
    }
    registry_unlock();
}

void hot__trap(void)
{
    fputs("hotreload: a hot function was called while no version of its library "
          "is loaded (before hot_open or after hot_close)\n",
          stderr);
    abort();
}

/* ---- Swapping ----------------------------------------------------------- */

static void fill_event(hot_lib *lib, hot__version *v, hot_event *ev, hot_event_type type)
{
    memset(ev, 0, sizeof *ev);
    ev->type = type;
    ev->version = lib->last_number + 1;
    ev->from_version = lib->version;
    ev->path = lib->path;
    ev->message = "";
    ev->copy_ms = v->copy_ms;
    ev->load_ms = v->load_ms;
    ev->verify_ms = v->verify_ms;
}

int hot__closing(const hot_lib *lib)
{
    return __atomic_load_n(&lib->closing, __ATOMIC_ACQUIRE);
}

/* A build that hot_close overtook: it never answers a call. */
static int abandon(hot_lib *lib, hot__version *v)
{
    hot__log(lib, HOT_LOG_DEBUG, "%s: a build was not swapped in: the handle is closing",
             lib->file);
    hot__version_free(v);
    return 0;
}

int hot__publish(hot_lib *lib, hot__version *v)
{
    hot_event ev;
    uint64_t t0;
    char line[HOT__MSG_MAX], warn[HOT__MSG_MAX - 100];

    if (hot__closing(lib))
        return abandon(lib, v);
    fill_event(lib, v, &ev, HOT_EVENT_BEFORE_RELOAD);
    hot__emit(lib, &ev); /* may be held by listeners; close ends the hold */
    if (hot__closing(lib))
        return abandon(lib, v);
    hot__state_carry(lib, lib->current, v, warn, sizeof warn);
    t0 = hot__now_ns();
    hot__mutex_lock(&lib->mu);
    if (lib->current)
        hot__retire(lib, lib->current);
    lib->current = v;
    v->number = ++lib->last_number;
    __atomic_store_n(&lib->version, v->number, __ATOMIC_RELEASE);
    lib->epoch++;
    hot__rollback_arm(lib); /* before the slot: a first call's crash is recoverable */
    hot__iface_store(lib->iface, v->table);
    __atomic_store_n(&lib->was_updated, 1, __ATOMIC_RELEASE);
    hot__cond_broadcast(&lib->cond);
    hot__mutex_unlock(&lib->mu);
    ev.publish_ms = (double)(hot__now_ns() - t0) / 1e6;
    ev.detect_ms = v->detected_ns ? (double)(hot__now_ns() - v->detected_ns) / 1e6 : 0;
    ev.type = HOT_EVENT_AFTER_RELOAD;
    snprintf(line, sizeof line,
             "reloaded v%lu (copy %.2f, load %.2f, verify %.2f, publish %.3f ms)%s%s", v->number,
             ev.copy_ms, ev.load_ms, ev.verify_ms, ev.publish_ms, warn[0] ? "; state: " : "", warn);
    ev.message = line;
    hot__log(lib, HOT_LOG_INFO, "%s: %s", lib->file, line);
    hot__emit(lib, &ev);
    hot__retire_after_swap(lib); /* not here: old versions go a moment later */
    return 1;
}

/*
 * Two locks order the work. load_mu: one build is read, copied, loaded and
 * verified at a time (watcher, hot_reload_now). swap_mu: one swap at a time
 * (publish, rollback). The safe point takes only swap_mu, and only if it is
 * free, so it never waits for a load (constructors may take long). When
 * both are needed, load_mu comes first.
 *
 * Event callbacks run with one of them held by their thread: a callback
 * that reloads or waits for a reload would wait for itself, so it is told
 * HOT_EBUSY instead.
 */
static int holds_a_lock(const hot_lib *lib)
{
    uint64_t self = hot__thread_self();

    return __atomic_load_n(&lib->load_owner, __ATOMIC_ACQUIRE) == self ||
           __atomic_load_n(&lib->swap_owner, __ATOMIC_ACQUIRE) == self;
}

static int inside_reload(hot_lib *lib)
{
    return holds_a_lock(lib) || hot__in_callback(lib);
}

static int busy(hot_lib *lib)
{
    return hot__fail(lib, HOT_EBUSY,
                     "cannot reload or wait for a reload from inside a reload (an event "
                     "callback called hot_update, hot_reload_now or hot_wait_reload)");
}

static void take(hot__mutex *mu, uint64_t *owner)
{
    hot__mutex_lock(mu);
    __atomic_store_n(owner, hot__thread_self(), __ATOMIC_RELEASE);
}

static int try_take(hot__mutex *mu, uint64_t *owner)
{
    if (!hot__mutex_trylock(mu))
        return 0;
    __atomic_store_n(owner, hot__thread_self(), __ATOMIC_RELEASE);
    return 1;
}

static void give(hot__mutex *mu, uint64_t *owner)
{
    __atomic_store_n(owner, 0, __ATOMIC_RELEASE);
    hot__mutex_unlock(mu);
}

int hot__loads_pause(hot_lib *lib)
{
    if (__atomic_load_n(&lib->load_owner, __ATOMIC_ACQUIRE) == hot__thread_self())
        return 2; /* this thread is the loader: nothing else loads */
    if (try_take(&lib->load_mu, &lib->load_owner))
        return 1;
    /* Held, but by a thread publishing what it loaded: no dlopen runs. */
    return __atomic_load_n(&lib->loading, __ATOMIC_ACQUIRE) ? 0 : 2;
}

void hot__loads_resume(hot_lib *lib, int paused)
{
    if (paused == 1)
        give(&lib->load_mu, &lib->load_owner);
}

/* The safe point's swap: never waits. Another thread swapping (or rolling
 * back) means there is nothing for this one to do now. HOT_ECLOSED: the
 * handle is closing, and once swap_mu is given back hot_close may free it:
 * the caller must not touch lib again. */
static int apply_pending(hot_lib *lib, int work_here)
{
    hot__version *v;
    int swapped = 0;

    if (inside_reload(lib))
        return busy(lib);
    if (hot__closing(lib))
        return HOT_ECLOSED;
    if (!try_take(&lib->swap_mu, &lib->swap_owner))
        return 0;
    v = __atomic_exchange_n(&lib->pending, NULL, __ATOMIC_ACQ_REL);
    if (v)
        swapped = hot__publish(lib, v);
    if (swapped > 0 && work_here && !hot__closing(lib))
        hot__retire_now(lib); /* under swap_mu: a hot_close waits for it */
    if (hot__closing(lib))
        swapped = HOT_ECLOSED;
    give(&lib->swap_mu, &lib->swap_owner);
    return swapped;
}

/* Parks a verified build for the next hot_update, replacing an older one
 * that never ran. */
static void park(hot_lib *lib, hot__version *v)
{
    hot__version *older;

    hot__mutex_lock(&lib->mu);
    older = __atomic_exchange_n(&lib->pending, v, __ATOMIC_ACQ_REL);
    hot__cond_broadcast(&lib->cond);
    hot__mutex_unlock(&lib->mu);
    hot__version_free(older);
    hot__wake_signal(lib); /* hot_fd() */
}

static void publish_now(hot_lib *lib, hot__version *v)
{
    take(&lib->swap_mu, &lib->swap_owner);
    /* An older parked build must not come back at the next hot_update. */
    hot__version_free(__atomic_exchange_n(&lib->pending, NULL, __ATOMIC_ACQ_REL));
    if (hot__publish(lib, v))
        hot__wake_signal(lib); /* hot_fd() */
    give(&lib->swap_mu, &lib->swap_owner);
}

/* Loads under load_mu; swaps (at once) or parks the build. work_here: the
 * caller (hot_reload_now, a blocking call) does the retire work too, still
 * under load_mu, so that a hot_close on another thread waits for it. */
static int reload(hot_lib *lib, int settled, uint64_t detected_ns, int at_once, int work_here)
{
    hot__version *v = NULL;
    int err;

    if (inside_reload(lib))
        return busy(lib);
    take(&lib->load_mu, &lib->load_owner);
    __atomic_store_n(&lib->loading, 1, __ATOMIC_RELEASE);
    err = hot__closing(lib) ? HOT_ECLOSED : hot__load_version(lib, &v, settled);
    __atomic_store_n(&lib->loading, 0, __ATOMIC_RELEASE);
    if (err < 0 && err != HOT_ECLOSED && !(err == HOT_EINCOMPLETE && settled))
        hot__emit_refused(lib, err); /* an incomplete file: wait, say nothing */
    if (v) {
        v->detected_ns = detected_ns;
        if (at_once)
            publish_now(lib, v);
        else
            park(lib, v);
        if (at_once && work_here && !hot__closing(lib))
            hot__retire_now(lib);
    }
    give(&lib->load_mu, &lib->load_owner);
    return err < 0 ? err : v != NULL;
}

int hot__reload_from_watcher(hot_lib *lib, int settled, uint64_t detected_ns)
{
    return reload(lib, settled, detected_ns, lib->opts.apply == HOT_APPLY_AT_ONCE, 0);
}

/* For retire.c: a thread's first guarded call names only its slot. */
hot_lib *hot__lib_of_slot(hot_fn *volatile *slot)
{
    int i;

    for (i = 0; i < 64; i++) {
        hot_lib *lib = __atomic_load_n(&open_libs[i], __ATOMIC_ACQUIRE);
        if (lib && hot__iface_serves(lib->iface, slot))
            return lib;
    }
    return NULL;
}

/* ---- Public calls ------------------------------------------------------- */

int hot_update(hot_lib *lib)
{
    int swapped = 0;

    if (!lib)
        return HOT_EINVAL;
    if (__atomic_load_n(&lib->wake_signalled, __ATOMIC_RELAXED))
        hot__wake_drain(lib); /* before looking at pending: no wake-up is lost */
    if (__builtin_expect(__atomic_load_n(&lib->pending, __ATOMIC_ACQUIRE) != NULL, 0)) {
        swapped = apply_pending(lib, 0);
        if (swapped == HOT_ECLOSED)
            return 0; /* a hot_close on another thread owns lib now */
    }
    if (lib->opts.unload_retired)
        hot__note_quiescent(lib);
    else
        hot__update_quiescent(lib); /* once per version: hot_update runs every frame */
    return swapped;
}

int hot_reload_now(hot_lib *lib)
{
    int err;

    if (!lib)
        return HOT_EINVAL;
    err = reload(lib, 0, hot__now_ns(), 1, 1); /* old versions go before it returns */
    if (err == 0)
        err = apply_pending(lib, 1);
    return err;
}

unsigned long hot_version(const hot_lib *lib)
{
    return lib ? __atomic_load_n(&lib->version, __ATOMIC_ACQUIRE) : 0;
}

int hot_was_updated(hot_lib *lib)
{
    return lib ? __atomic_exchange_n(&lib->was_updated, 0, __ATOMIC_ACQ_REL) : 0;
}

/* A parked build this waiting thread can swap in itself: it is at a safe
 * point. Not while another thread swaps: then it waits for that swap. */
static int can_apply(const hot_lib *lib)
{
    return lib->opts.apply == HOT_APPLY_AT_UPDATE &&
           __atomic_load_n(&lib->pending, __ATOMIC_ACQUIRE) &&
           !__atomic_load_n(&lib->swap_owner, __ATOMIC_ACQUIRE);
}

/* lib->mu held. Waits at most 10 ms at a time while another thread swaps:
 * a rollback ends without a new version, and the wake may come first. */
static int wait_a_while(hot_lib *lib, uint64_t deadline)
{
    uint64_t soon = hot__now_ns() + 10000000u;

    if (__atomic_load_n(&lib->pending, __ATOMIC_ACQUIRE) && (deadline == 0 || soon < deadline)) {
        hot__cond_wait_until(&lib->cond, &lib->mu, soon);
        return 0;
    }
    return hot__cond_wait_until(&lib->cond, &lib->mu, deadline);
}

int hot_wait_reload(hot_lib *lib, unsigned long since, unsigned timeout_ms)
{
    uint64_t deadline = timeout_ms ? hot__now_ns() + (uint64_t)timeout_ms * 1000000u : 0;
    int err = 0, added;

    if (!lib)
        return HOT_EINVAL;
    if (inside_reload(lib))
        return busy(lib); /* the reload it waits for cannot finish meanwhile */
    hot__mutex_lock(&lib->mu);
    lib->waiters++;                  /* hot_close waits for us to leave */
    added = hot__waiting_enter(lib); /* outside the library until it returns */
    while (lib->version <= since && !lib->closing && err == 0) {
        if (can_apply(lib)) {
            hot__mutex_unlock(&lib->mu);
            err = apply_pending(lib, 0);
            hot__mutex_lock(&lib->mu);
            err = err < 0 ? err : 0;
            continue;
        }
        err = wait_a_while(lib, deadline);
    }
    if (err != HOT_EBUSY)
        err = lib->version > since ? 0 : lib->closing ? HOT_ECLOSED : HOT_ETIMEDOUT;
    if (err == 0 && !lib->closing) {
        /* A blocking call, as hot_reload_now: old versions go before it
         * returns, while this thread is still counted as waiting (outside
         * the library, and hot_close waits for it). */
        hot__waiting_enter(lib); /* at a quiescent point as of now */
        hot__mutex_unlock(&lib->mu);
        hot__retire_now(lib);
        hot__mutex_lock(&lib->mu);
    }
    hot__waiting_leave(lib, added);
    lib->waiters--;
    hot__cond_broadcast(&lib->cond);
    hot__mutex_unlock(&lib->mu);
    return err;
}

const char *hot_path(const hot_lib *lib)
{
    return lib ? lib->path : "";
}

const char *hot_loaded_path(const hot_lib *lib)
{
    return lib && lib->current && lib->current->copy_path ? lib->current->copy_path : "";
}

unsigned hot_versions_held(const hot_lib *lib)
{
    unsigned n = 0;
    hot__version *v;
    hot_lib *l = (hot_lib *)lib;

    if (!lib)
        return 0;
    hot__mutex_lock(&l->mu);
    n = (l->current != NULL) + (__atomic_load_n(&l->pending, __ATOMIC_ACQUIRE) != NULL);
    for (v = l->retired; v; v = v->next)
        n++;
    n += hot__rollback_crashed_count(l);
    n += __atomic_load_n(&l->unloading, __ATOMIC_ACQUIRE); /* off the list, dlclose to come */
    hot__mutex_unlock(&l->mu);
    return n;
}

const char *hot_lib_filename_format(void)
{
    return hot__dl_name_format();
}

/* ---- Open and close ----------------------------------------------------- */

static void free_versions(hot_lib *lib)
{
    hot__version *v = lib->retired, *next;

    for (; v; v = next) {
        next = v->next;
        hot__version_free(v);
    }
    lib->retired = NULL;
    hot__version_free(lib->current);
    hot__version_free(lib->pending);
    lib->current = lib->pending = NULL;
}

static void free_lib(hot_lib *lib)
{
    hot__rollback_detach(lib);
    free_versions(lib);
    hot__retire_close(lib);
    hot__keep_free(lib->keep);
    hot__shadow_close(lib);
    hot__wake_free(lib);
    free(lib->name);
    free(lib->path);
    free(lib->dir);
    free(lib->file);
    free(lib->stem);
    free(lib->shadow_dir);
    free(lib->shadow_name);
    free(lib->env_override);
    free(lib->read_buf.data);
    hot__cond_destroy(&lib->cond);
    hot__mutex_destroy(&lib->swap_mu);
    hot__mutex_destroy(&lib->retire_mu);
    hot__mutex_destroy(&lib->load_mu);
    hot__mutex_destroy(&lib->mu);
    free(lib);
}

static int open_first_version(hot_lib *lib)
{
    hot__version *v;
    int err = hot__load_version(lib, &v, 0);

    if (err < 0)
        return err;
    v->number = lib->last_number = 1;
    __atomic_store_n(&lib->version, 1, __ATOMIC_RELEASE);
    lib->current = v;
    lib->epoch = 1;
    hot__mutex_lock(&lib->mu);
    hot__rollback_arm(lib); /* a crash in v1 stops the interface, not the host */
    hot__mutex_unlock(&lib->mu);
    hot__iface_store(lib->iface, v->table);
    hot__log(lib, HOT_LOG_INFO, "%s: loaded v1 from %s", lib->file, v->copy_path);
    hot__channel_report(lib, "opened", 1, v->copy_ms + v->load_ms + v->verify_ms, 0, lib->path);
    return 0;
}

int hot__open(hot_lib **out, const char *name, const hot_interface *iface, const hot_options *opts,
              size_t opts_size)
{
    hot_lib *lib;
    int err;

    if (!out || !name || !iface || !iface->expected || !iface->slot) {
        hot__set_last_error("hot_open: out, name and iface are required");
        return HOT_EINVAL;
    }
    *out = NULL;
    lib = calloc(1, sizeof *lib);
    if (!lib || hot__mutex_init(&lib->mu) < 0 || hot__mutex_init(&lib->load_mu) < 0 ||
        hot__mutex_init(&lib->swap_mu) < 0 || hot__mutex_init(&lib->retire_mu) < 0 ||
        hot__cond_init(&lib->cond) < 0) {
        free(lib);
        hot__set_last_error("hot_open: out of resources");
        return HOT_ENOMEM;
    }
    lib->iface = iface;
    lib->serial = __atomic_add_fetch(&serials, 1, __ATOMIC_RELAXED);
    lib->channel = hot__channel_from_env();
    if ((err = hot__options_apply(lib, name, opts, opts_size)) < 0 ||
        (err = hot__announce_name(lib->path, lib->announce_name, sizeof lib->announce_name)) < 0 ||
        (err = hot__check_host(lib)) < 0 || (err = registry_add(lib)) < 0 ||
        (err = hot__rollback_attach(lib)) < 0)
        goto fail;
    hot__guard_watch_crashes(); /* even an unguarded crash is named */
    if ((err = hot__shadow_init(lib)) < 0 || (err = open_first_version(lib)) < 0 ||
        (err = hot__watcher_start(lib)) < 0)
        goto fail_registered;
    hot__warn_uncovered(lib);
    *out = lib;
    return 0;

fail_registered:
    hot__iface_store(iface, NULL);
    registry_remove(lib);
fail:
    hot__set_last_error("%s", lib->errmsg);
    hot__log(lib, HOT_LOG_ERROR, "%s", lib->errmsg);
    free_lib(lib);
    return err;
}

/* Closing comes first: a held reload is abandoned at once, a reload in
 * flight on another thread publishes nothing, waiters wake. */
static void start_closing(hot_lib *lib)
{
    hot__mutex_lock(&lib->mu);
    __atomic_store_n(&lib->closing, 1, __ATOMIC_RELEASE);
    hot__cond_broadcast(&lib->cond);
    hot__mutex_unlock(&lib->mu);
}

/* Waits for a load or swap still running on another thread (it has seen
 * closing, or will before it publishes): after this, no thread runs a
 * callback or touches the versions. */
static void fence_reloads(hot_lib *lib)
{
    take(&lib->load_mu, &lib->load_owner);
    take(&lib->swap_mu, &lib->swap_owner);
    hot__mutex_lock(&lib->retire_mu); /* retire work on a host thread (HOT_WATCH_NONE) */
    hot__mutex_unlock(&lib->retire_mu);
    give(&lib->swap_mu, &lib->swap_owner);
    give(&lib->load_mu, &lib->load_owner);
}

/* Wakes threads blocked in hot_wait_reload and waits for them to leave. */
static void release_waiters(hot_lib *lib)
{
    hot__mutex_lock(&lib->mu);
    while (lib->waiters > 0) {
        hot__cond_broadcast(&lib->cond);
        hot__cond_wait_until(&lib->cond, &lib->mu, hot__now_ns() + 10000000u);
    }
    hot__mutex_unlock(&lib->mu);
}

/* The order matters: stop what could start a reload, fence the reloads in
 * flight, and only then free what they use (callbacks, listeners,
 * versions). */
void hot_close(hot_lib *lib)
{
    if (!lib)
        return;
    hot__keep_save(lib); /* the objects are the host's: still alive here */
    start_closing(lib);
    if (hot__watcher_stop(lib) < 0) {
        /* The watcher is stuck inside a load (holding load_mu) and still
         * uses the handle: calls go to the traps, the rest stays. */
        __atomic_store_n(lib->iface->slot, lib->iface->traps, __ATOMIC_RELEASE);
        registry_remove(lib);
        return;
    }
    fence_reloads(lib);
    release_waiters(lib);
    hot__events_close(lib);
    hot__iface_store(lib->iface, NULL);
    registry_remove(lib);
    free_lib(lib);
}
