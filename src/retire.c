/*
 * Old versions. A version retired by a swap stays mapped while a thread may
 * still be inside it, or hold a pointer into it. What unloads it:
 *  - opts.unload_retired: once every thread that announced itself (with
 *    hot_update, hot_quiescent, or its first guarded call) has passed a
 *    quiescent point since it was retired; the grace period of
 *    read-copy-update.
 *  - opts.max_retired (default 8): beyond that many old versions the oldest
 *    is unloaded at a swap, with a warning the first time. With
 *    unload_retired, only once its grace period is over; without, once it
 *    was replaced at least a second ago (nothing tells when unannounced
 *    threads left it: a call still inside it after that many reloads and
 *    that long is the one case this trades for bounded memory). The newest
 *    old version, a rollback's target, is always kept.
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

#define BOUND_GRACE_NS 1000000000u /* see max_retired above */
#define STALE_TABLES 256           /* tables of unloaded versions kept */
#define TRIM_AFTER 8               /* unloads at once that leave holes worth returning */

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
    old->retired_ns = hot__now_ns();
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
    return hot__unload_quiesced(lib);
}

/* A thread's first guarded call announces it. It read the table a moment
 * ago, so it counts as having seen the epoch before this one: a swap in
 * between does not make the table it holds unloadable. */
void hot__retire_announce(hot_fn *volatile *slot)
{
    hot_lib *lib = hot__lib_of_slot(slot);
    int overflowed = 0;
    unsigned i;

    if (!lib || !lib->opts.unload_retired)
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
        lib->stale_tables = malloc(STALE_TABLES * sizeof *lib->stale_tables);
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

/* Unloads a list cut from lib->retired; lib->mu not held. The first time,
 * says how many threads the grace period counted on. */
static int unload_all(hot_lib *lib, hot__version *done, unsigned announced)
{
    hot__version *next;
    int n = 0;

    if (done && !__atomic_exchange_n(&lib->unloaded_once, 1, __ATOMIC_ACQ_REL))
        hot__log(lib, HOT_LOG_INFO,
                 "%s: unloading old versions (v%lu first); %u thread(s) announced themselves. A "
                 "thread that calls in without announcing itself (hot_update, hot_quiescent or "
                 "a guarded call) may run unloaded code: opts.trap_unloaded makes that a fault "
                 "naming the version",
                 lib->file, done->number, announced);
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

/* May v, beyond the bound, go? lib->mu held. */
static int past_grace(const hot_lib *lib, const hot__version *v, uint64_t oldest, uint64_t now)
{
    if (lib->opts.unload_retired)
        return v->retired_epoch < oldest;
    return now - v->retired_ns >= BOUND_GRACE_NS;
}

/* Cuts the versions beyond opts.max_retired off lib->retired, those past
 * their grace period; lib->mu held. *over is set when some are kept over
 * the bound because an announced thread has not left them. */
static hot__version *cut_beyond_bound(hot_lib *lib, int *over)
{
    hot__version **p = &lib->retired, *done = NULL, *v;
    uint64_t oldest = grace_epoch(lib), now = hot__now_ns();
    unsigned n;

    for (n = 0; *p && n < lib->opts.max_retired; n++)
        p = &(*p)->next;
    while ((v = *p) != NULL) {
        if (past_grace(lib, v, oldest, now)) {
            *p = v->next;
            v->next = done;
            done = v;
        } else {
            *over |= lib->opts.unload_retired;
            p = &v->next;
        }
    }
    hot__rollback_arm(lib);
    return done;
}

static void warn_bound(hot_lib *lib, int over)
{
    if (over)
        hot__log(lib, HOT_LOG_WARN,
                 "%s: more than %u old versions are mapped (opts.max_retired), and a thread "
                 "that announced itself has not passed hot_update or hot_quiescent since they "
                 "were retired: they stay mapped",
                 lib->file, lib->opts.max_retired);
    else
        hot__log(lib, HOT_LOG_WARN,
                 "%s: %u old versions are mapped (opts.max_retired): from now on the oldest is "
                 "unloaded once replaced for 1 s; a thread still running code that old would "
                 "crash (opts.unload_retired waits for threads instead)",
                 lib->file, lib->opts.max_retired);
}

void hot__unload_beyond_bound(hot_lib *lib)
{
    hot__version *done;
    unsigned announced;
    int over = 0, paused;

    if (lib->opts.max_retired == HOT_KEEP_ALL_VERSIONS || !(paused = hot__loads_pause(lib)))
        return;
    hot__mutex_lock(&lib->mu);
    done = cut_beyond_bound(lib, &over);
    announced = lib->n_threads;
    hot__mutex_unlock(&lib->mu);
    if ((done || over) && !__atomic_exchange_n(&lib->bound_warned, 1, __ATOMIC_ACQ_REL))
        warn_bound(lib, over && !done);
    unload_all(lib, done, announced);
    hot__loads_resume(lib, paused);
}

void hot_thread_leave(hot_lib *lib)
{
    uint64_t self = hot__thread_self();
    unsigned i;

    if (!lib)
        return;
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
