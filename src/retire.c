/*
 * Old versions. A version retired by a swap stays mapped while a thread may
 * still be inside it, or hold a pointer into it. What unloads it:
 *  - opts.unload_retired: once every thread that announced itself (with
 *    hot_update, hot_quiescent, or its first guarded call) has passed a
 *    quiescent point since it was retired; the grace period of
 *    read-copy-update.
 *  - opts.max_retired (default 8): beyond that many old versions the oldest
 *    is unloaded, with a warning the first time, once its grace period is
 *    over. With unload_retired that counts the announced threads (the
 *    caller's contract). Without, it counts every thread of the process:
 *    each must be announced (and have passed a quiescent point since the
 *    version was retired) or be one of the runtime's own; while any other
 *    thread exists, nothing is unloaded (it may be running that code), with
 *    one warning naming how many threads never announced themselves. The
 *    newest old version, a rollback's target, is always kept.
 * A retired version keeps no state snapshot (only the current version's can
 * be restored), and once its copy leaves the disk the copy's blocks that no
 * segment maps (debug information) are freed. With opts.trap_unloaded the
 * addresses of an unloaded version stay reserved with no access, so a
 * thread that calls into it faults with a line naming the version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define STALE_TABLES 256    /* tables of unloaded versions kept */
#define TRIM_AFTER 8        /* unloads at once that leave holes worth returning */
#define PROCESS_THREADS 512 /* threads listed at most; more: all unknown */

/* Called with lib->mu held. Copies stay on disk only for the running
 * version and the one a crash would roll back to (so debuggers and
 * profilers find their symbols); older copies go now, the mappings stay. */
void hot__retire(hot_lib *lib, hot__version *old)
{
    hot__version *leaving = lib->retired;

    if (leaving && leaving->copy_path) {
        hot__shadow_drop_unmapped(leaving);
        hot__shadow_forget(leaving);
    }
    hot__state_free(old);
    old->retired_epoch = lib->epoch;
    old->next = lib->retired;
    lib->retired = old;
}

/* Finds or adds the calling thread; lib->mu held. Returns its slot, or
 * HOT__THREADS_MAX when there is no room (old versions then stay mapped). */
static unsigned thread_slot(hot_lib *lib, uint64_t self, int *overflowed)
{
    unsigned i;

    for (i = 0; i < lib->n_threads && lib->threads[i].thread != self; i++)
        ;
    if (i == lib->n_threads && i < HOT__THREADS_MAX) {
        lib->threads[lib->n_threads].thread = self;
        lib->threads[lib->n_threads++].seen_epoch = 0;
    }
    if (i < HOT__THREADS_MAX) /* a new thread may have an exited one's marker */
        lib->threads[i].os_id = hot__thread_os_id();
    if (i == HOT__THREADS_MAX && !lib->threads_overflow) {
        /* An untracked thread could be inside any old version. */
        lib->threads_overflow = 1;
        *overflowed = 1;
    }
    return i;
}

static void warn_overflow(hot_lib *lib)
{
    hot__log(lib, HOT_LOG_WARN,
             "%s: more than %d threads announced themselves; old versions stay loaded", lib->file,
             HOT__THREADS_MAX);
}

static int unload_beyond_bound(hot_lib *lib);

int hot__note_quiescent(hot_lib *lib)
{
    int overflowed = 0;
    unsigned i;

    hot__mutex_lock(&lib->mu);
    i = thread_slot(lib, hot__thread_self(), &overflowed);
    if (i < HOT__THREADS_MAX)
        lib->threads[i].seen_epoch = lib->epoch;
    hot__mutex_unlock(&lib->mu);
    if (overflowed)
        warn_overflow(lib);
    return lib->opts.unload_retired ? hot__unload_quiesced(lib) : unload_beyond_bound(lib);
}

/* What this thread's last hot_update saw: the handle (by serial, as an
 * address may be reused) and its version. Initial-exec, as guard.c's: the
 * default model for a shared library calls __tls_get_addr on every access,
 * which doubled the cost of hot_update's fast path. */
static __thread unsigned long seen_serial __attribute__((tls_model("initial-exec")));
static __thread unsigned long seen_version __attribute__((tls_model("initial-exec")));

void hot__update_quiescent(hot_lib *lib)
{
    unsigned long version = __atomic_load_n(&lib->version, __ATOMIC_ACQUIRE);

    /* A swap changes the version (a stop does not: then this thread's
     * point stays older than it could be, which only delays unloading). */
    if (seen_serial == lib->serial && seen_version == version)
        return;
    seen_serial = lib->serial;
    seen_version = version;
    hot__note_quiescent(lib);
}

/* A thread's first guarded call announces it. It read the table a moment
 * ago, so it counts as having seen the epoch before this one: a swap in
 * between does not make the table it holds unloadable. */
void hot__retire_announce(hot_fn *volatile *slot)
{
    hot_lib *lib = hot__lib_of_slot(slot);
    int overflowed = 0;
    unsigned i;

    if (!lib)
        return;
    hot__mutex_lock(&lib->mu);
    i = thread_slot(lib, hot__thread_self(), &overflowed);
    if (i < HOT__THREADS_MAX && lib->threads[i].seen_epoch == 0)
        lib->threads[i].seen_epoch = lib->epoch ? lib->epoch - 1 : 0;
    hot__mutex_unlock(&lib->mu);
    if (overflowed)
        warn_overflow(lib);
}

static uint64_t oldest_seen_epoch(const hot_lib *lib)
{
    uint64_t oldest = lib->epoch;
    unsigned i;

    for (i = 0; i < lib->n_threads; i++) {
        if (lib->threads[i].seen_epoch < oldest)
            oldest = lib->threads[i].seen_epoch;
    }
    return oldest;
}

/* Versions retired before this epoch are left by every announced thread;
 * lib->mu held. 0 when nothing is known to be left. */
static uint64_t grace_epoch(const hot_lib *lib)
{
    return lib->n_threads && !lib->threads_overflow ? oldest_seen_epoch(lib) : 0;
}

/* Frees the older half of the kept tables; lib->mu held. */
static void drop_oldest_tables(hot_lib *lib)
{
    size_t i, half = lib->n_stale / 2;

    for (i = 0; i < half; i++)
        free(lib->stale_tables[i]);
    memmove(lib->stale_tables, lib->stale_tables + half,
            (lib->n_stale - half) * sizeof *lib->stale_tables);
    lib->n_stale -= half;
}

/* Keeps v's table for the next STALE_TABLES unloads (see
 * lib->stale_tables): a reader that loaded the slot before the swap and
 * never said when it left finds its entries, not freed memory; lib->mu not
 * held. */
static void keep_table(hot_lib *lib, hot__version *v)
{
    hot__mutex_lock(&lib->mu);
    if (!lib->stale_tables)
        lib->stale_tables = calloc(STALE_TABLES, sizeof *lib->stale_tables);
    if (lib->stale_tables && lib->n_stale == STALE_TABLES)
        drop_oldest_tables(lib);
    if (lib->stale_tables) {
        lib->stale_tables[lib->n_stale++] = v->table;
        v->table = NULL;
    }
    hot__mutex_unlock(&lib->mu);
}

static void unload(hot_lib *lib, hot__version *v)
{
    int trapped = 0;

    if (lib->opts.trap_unloaded && v->handle) {
        trapped = hot__dl_close_trapped(v->handle, v->number, lib->file) == 0;
        v->handle = NULL; /* closed either way */
    }
    if (!lib->opts.unload_retired)
        keep_table(lib, v);
    hot__log(lib, HOT_LOG_DEBUG, "%s: unloaded v%lu%s", lib->file, v->number,
             trapped ? "; its addresses fault" : "");
    hot__version_free(v);
}

void hot__retire_close(hot_lib *lib)
{
    size_t i;

    for (i = 0; i < lib->n_stale; i++)
        free(lib->stale_tables[i]);
    free(lib->stale_tables);
    lib->stale_tables = NULL;
    lib->n_stale = 0;
}

static void log_first_unload(hot_lib *lib, const hot__version *first, unsigned announced)
{
    if (!lib->opts.unload_retired)
        hot__log(lib, HOT_LOG_INFO,
                 "%s: unloading old versions (v%lu first): every thread of the process is the "
                 "runtime's or announced itself (%u announced) and passed a quiescent point "
                 "since",
                 lib->file, first->number, announced);
    else
        hot__log(lib, HOT_LOG_INFO,
                 "%s: unloading old versions (v%lu first); %u thread(s) announced themselves. A "
                 "thread that calls in without announcing itself (hot_update, hot_quiescent or "
                 "a guarded call) may run unloaded code: opts.trap_unloaded makes that a fault "
                 "naming the version",
                 lib->file, first->number, announced);
}

/* Unloads a list cut from lib->retired; lib->mu not held. The first time,
 * says how many threads the grace period counted on. */
static int unload_all(hot_lib *lib, hot__version *done, unsigned announced)
{
    hot__version *next;
    int n = 0;

    if (done && !__atomic_exchange_n(&lib->unloaded_once, 1, __ATOMIC_ACQ_REL))
        log_first_unload(lib, done, announced);
    for (; done; done = next, n++) {
        next = done->next;
        unload(lib, done);
    }
    if (n >= TRIM_AFTER)
        hot__memory_trim();
    return n;
}

int hot__unload_quiesced(hot_lib *lib)
{
    hot__version **p, *done = NULL, *v;
    unsigned announced;
    uint64_t oldest;
    int paused, n;

    if (!lib->opts.unload_retired || !(paused = hot__loads_pause(lib)))
        return 0;
    hot__mutex_lock(&lib->mu);
    oldest = grace_epoch(lib);
    announced = lib->n_threads;
    for (p = &lib->retired; *p;) {
        v = *p;
        /* Retired at epoch E (before the swap's bump): every thread that has
         * seen an epoch > E passed a safe point after the swap. */
        if (v->retired_epoch < oldest) {
            *p = v->next;
            v->next = done;
            done = v;
        } else {
            p = &v->next;
        }
    }
    hot__rollback_arm(lib);
    hot__mutex_unlock(&lib->mu);
    n = unload_all(lib, done, announced);
    hot__loads_resume(lib, paused);
    return n;
}

/* How many threads of the process are neither announced nor the
 * runtime's (negative: they cannot be listed). Forgets announced threads
 * that have exited; lib->mu held. */
static int unaccounted_threads(hot_lib *lib, const uint64_t *ids, int n)
{
    unsigned i, j;
    int k, missing = 0;

    if (n < 0 || n > PROCESS_THREADS)
        return -1;
    for (i = 0; i < lib->n_threads;) {
        for (k = 0; k < n && ids[k] != lib->threads[i].os_id; k++)
            ;
        if (k == n) /* exited without hot_thread_leave: it runs nothing */
            lib->threads[i] = lib->threads[--lib->n_threads];
        else
            i++;
    }
    for (k = 0; k < n; k++) {
        for (j = 0; j < lib->n_threads && lib->threads[j].os_id != ids[k]; j++)
            ;
        missing += j == lib->n_threads && !hot__thread_is_runtime(ids[k]);
    }
    return missing;
}

/* Why versions beyond the bound stay, for the one warning. */
typedef struct bound_hold {
    unsigned held;    /* versions over the bound kept */
    int unaccounted;  /* threads never announced (-1: unknown), or 0 */
    int not_quiesced; /* an announced thread has not passed a point */
} bound_hold;

/* The epoch before which retired versions are left by every thread that
 * may run them; 0: none is known to be. lib->mu held. */
static uint64_t bound_grace_epoch(hot_lib *lib, const uint64_t *ids, int n, bound_hold *why)
{
    if (lib->threads_overflow)
        return 0;
    if (lib->opts.unload_retired)
        return grace_epoch(lib);
    why->unaccounted = unaccounted_threads(lib, ids, n);
    if (why->unaccounted != 0)
        return 0;
    return lib->n_threads ? oldest_seen_epoch(lib) : lib->epoch;
}

/* Cuts the versions beyond opts.max_retired off lib->retired, those past
 * their grace period; lib->mu held. */
static hot__version *cut_beyond_bound(hot_lib *lib, const uint64_t *ids, int n, bound_hold *why)
{
    hot__version **p = &lib->retired, *done = NULL, *v;
    uint64_t oldest = bound_grace_epoch(lib, ids, n, why);
    unsigned k;

    for (k = 0; *p && k < lib->opts.max_retired; k++)
        p = &(*p)->next;
    while ((v = *p) != NULL) {
        if (v->retired_epoch < oldest) {
            *p = v->next;
            v->next = done;
            done = v;
        } else {
            why->held++;
            p = &v->next;
        }
    }
    why->not_quiesced = why->held && !why->unaccounted;
    hot__rollback_arm(lib);
    return done;
}

static void warn_bound_reached(hot_lib *lib)
{
    hot__log(lib, HOT_LOG_WARN,
             "%s: %u old versions are mapped (opts.max_retired): from now on the oldest is "
             "unloaded once every thread that may run it has passed a quiescent point",
             lib->file, lib->opts.max_retired);
}

static void warn_held(hot_lib *lib, const bound_hold *why)
{
    if (why->unaccounted > 0)
        hot__log(lib, HOT_LOG_WARN,
                 "%s: %u old version(s) beyond opts.max_retired (%u) stay mapped: %d thread(s) "
                 "of this process never announced themselves and may be running their code. "
                 "Call hot_quiescent from those threads (or set opts.unload_retired, or "
                 "max_retired = HOT_KEEP_ALL_VERSIONS)",
                 lib->file, why->held, lib->opts.max_retired, why->unaccounted);
    else if (why->unaccounted < 0)
        hot__log(lib, HOT_LOG_WARN,
                 "%s: %u old version(s) beyond opts.max_retired (%u) stay mapped: the "
                 "process's threads cannot be listed, so some may be running their code (set "
                 "opts.unload_retired, or max_retired = HOT_KEEP_ALL_VERSIONS)",
                 lib->file, why->held, lib->opts.max_retired);
    else
        hot__log(lib, HOT_LOG_WARN,
                 "%s: %u old version(s) beyond opts.max_retired (%u) stay mapped: a thread "
                 "that announced itself has not passed hot_update or hot_quiescent since they "
                 "were retired",
                 lib->file, why->held, lib->opts.max_retired);
}

/* Lists the process's threads (not under lib->mu: it reads /proc).
 * Returns their number, or a negative code. */
static int list_threads(hot_lib *lib, uint64_t *ids)
{
    return lib->opts.unload_retired ? 0 : hot__process_threads(ids, PROCESS_THREADS);
}

/* Are more than opts.max_retired old versions mapped? (Only then are the
 * process's threads worth listing: hot_quiescent may run every frame.) */
static int over_the_bound(hot_lib *lib)
{
    const hot__version *v;
    unsigned n = 0;

    hot__mutex_lock(&lib->mu);
    for (v = lib->retired; v && n <= lib->opts.max_retired; v = v->next)
        n++;
    hot__mutex_unlock(&lib->mu);
    return n > lib->opts.max_retired;
}

static int unload_beyond_bound(hot_lib *lib)
{
    static uint64_t no_ids[1];
    uint64_t *ids = NULL;
    bound_hold why = { 0, 0, 0 };
    hot__version *done;
    unsigned announced;
    int paused, n = 0;

    if (lib->opts.max_retired == HOT_KEEP_ALL_VERSIONS || !over_the_bound(lib) ||
        !(paused = hot__loads_pause(lib)))
        return 0;
    if (!lib->opts.unload_retired && !(ids = malloc(PROCESS_THREADS * sizeof *ids)))
        n = HOT_ENOMEM;
    else
        n = list_threads(lib, ids ? ids : no_ids);
    hot__mutex_lock(&lib->mu);
    done = cut_beyond_bound(lib, ids ? ids : no_ids, n, &why);
    announced = lib->n_threads;
    hot__mutex_unlock(&lib->mu);
    free(ids);
    if (done && !__atomic_exchange_n(&lib->bound_warned, 1, __ATOMIC_ACQ_REL))
        warn_bound_reached(lib);
    if (why.held && (why.unaccounted || why.not_quiesced) &&
        !__atomic_exchange_n(&lib->held_warned, 1, __ATOMIC_ACQ_REL))
        warn_held(lib, &why);
    n = unload_all(lib, done, announced);
    hot__loads_resume(lib, paused);
    return n;
}

void hot__unload_beyond_bound(hot_lib *lib)
{
    unload_beyond_bound(lib);
}

void hot_thread_leave(hot_lib *lib)
{
    uint64_t self = hot__thread_self();
    unsigned i;

    if (!lib)
        return;
    seen_serial = 0; /* the next hot_update announces it again */
    hot__mutex_lock(&lib->mu);
    for (i = 0; i < lib->n_threads; i++) {
        if (lib->threads[i].thread == self) {
            lib->threads[i] = lib->threads[--lib->n_threads];
            break;
        }
    }
    hot__mutex_unlock(&lib->mu);
    hot__unload_quiesced(lib);
}

int hot_quiescent(hot_lib *lib)
{
    if (!lib)
        return HOT_EINVAL;
    return hot__note_quiescent(lib);
}
