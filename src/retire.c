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
 * Who does it: the watcher thread, a few milliseconds after a swap or a
 * quiescent point asked for it (retire_soon), so that neither the host's
 * frame (hot_update, hot_quiescent) nor the swap waits for the look at the
 * process's threads or for dlclose. Without a watcher (HOT_WATCH_NONE) the
 * thread that asked does it at once; hot_reload_now, a blocking call
 * already, does it before returning.
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

#define STALE_TABLES 256      /* tables of unloaded versions kept */
#define TRIM_AFTER 8          /* unloads at once that leave holes worth returning */
#define PROCESS_THREADS 512   /* threads listed at most; more: all unknown */
#define SUSPECTS_MAX 32       /* old versions looked for in threads at once */
#define SEGMENTS_EACH 16      /* ranges of one loaded object */
#define HELD_BEFORE_WARNING 8 /* held in a row for lack of proof */
/* The watcher's work waits this long after the last request and the last
 * file event: a host thread that a swap woke (hot_wait_reload) is asleep
 * again by then, and a burst of reloads is not slowed by it. */
#define WORK_DELAY_MS 5
#define WORK_DELAY_MAX_MS 100 /* ...but no longer than this after the first */
/* A look that held versions for lack of proof is made again after this,
 * doubling up to RETRY_MAX_MS from the last swap on: a thread running at
 * one look is asleep at another, reload or not. */
#define RETRY_FIRST_MS 10
#define RETRY_MAX_MS 2000

/* Called with lib->mu held: the swap's part, a few stores. The file work
 * (drop_old_copies) comes with the rest of the retire work. */
void hot__retire(hot_lib *lib, hot__version *old)
{
    hot__state_free(old);
    old->retired_epoch = lib->epoch;
    old->next = lib->retired;
    lib->retired = old;
}

/* Copies stay on disk only for the running version and the one a crash
 * would roll back to (so debuggers and profilers find their symbols); older
 * copies go, the mappings stay. They are taken off their versions under
 * lib->mu (a rollback may make one of them the target again: it then has
 * no copy, as before) and deleted outside it. Only the retire work
 * (lib->retire_mu) unloads versions off the list, so the handles stay
 * loaded meanwhile. Copies go in order, so the walk stops at the first
 * version that has none. */
static void drop_old_copies(hot_lib *lib)
{
    hot__old_copies found[SUSPECTS_MAX];
    hot__version *v;
    unsigned n = 0, i;

    hot__mutex_lock(&lib->mu);
    for (v = lib->retired ? lib->retired->next : NULL; v && n < SUSPECTS_MAX; v = v->next) {
        if (!hot__shadow_take_copies(v, &found[n]))
            break;
        n++;
    }
    hot__mutex_unlock(&lib->mu);
    for (i = 0; i < n; i++)
        hot__shadow_delete_taken(&found[i]);
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

static int retire_soon(hot_lib *lib, int at_quiescent);
static int watcher_takes_work(const hot_lib *lib);

int hot__note_quiescent(hot_lib *lib)
{
    int overflowed = 0, advanced = 0;
    unsigned i;

    hot__mutex_lock(&lib->mu);
    i = thread_slot(lib, hot__thread_self(), &overflowed);
    if (i < HOT__THREADS_MAX) {
        advanced = lib->threads[i].seen_epoch != lib->epoch;
        lib->threads[i].seen_epoch = lib->epoch;
    }
    hot__mutex_unlock(&lib->mu);
    if (overflowed)
        warn_overflow(lib);
    /* A point at the epoch this thread had already passed lets nothing go:
     * with unload_retired hot_update comes here every frame. */
    return advanced ? retire_soon(lib, 1) : 0;
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

/* A thread inside hot_wait_reload is blocked in the runtime, outside the
 * library: while it waits it counts as announced, at a quiescent point as
 * of its entry, so that no look needs to catch it asleep (the watcher is
 * busy exactly while it waits, idle while it runs). A thread that was not
 * announced before is again not once it leaves: from then on the look
 * applies to it. lib->mu held. Returns 1 if it was added for the wait. */
int hot__waiting_enter(hot_lib *lib)
{
    uint64_t self = hot__thread_self();
    int overflowed = 0, added;
    unsigned i;

    for (i = 0; i < lib->n_threads && lib->threads[i].thread != self; i++)
        ;
    added = i == lib->n_threads;
    if (added && lib->n_threads == HOT__THREADS_MAX)
        return 0; /* no room: the look applies to it, as to any other */
    i = thread_slot(lib, self, &overflowed);
    lib->threads[i].seen_epoch = lib->epoch;
    return added;
}

void hot__waiting_leave(hot_lib *lib, int added)
{
    uint64_t self = hot__thread_self();
    unsigned i;

    for (i = 0; added && i < lib->n_threads; i++) {
        if (lib->threads[i].thread == self) {
            lib->threads[i] = lib->threads[--lib->n_threads];
            break;
        }
    }
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

static int by_start(const void *a, const void *b)
{
    const hot__range *x = a, *y = b;

    return x->lo < y->lo ? -1 : x->lo > y->lo;
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

/* A list just cut from lib->retired still counts as held until each of
 * its versions is unloaded (hot_versions_held); lib->mu held. */
static hot__version *still_held(hot_lib *lib, hot__version *done)
{
    const hot__version *v;
    unsigned n = 0;

    for (v = done; v; v = v->next)
        n++;
    __atomic_add_fetch(&lib->unloading, n, __ATOMIC_ACQ_REL);
    return done;
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
        __atomic_sub_fetch(&lib->unloading, 1, __ATOMIC_ACQ_REL);
    }
    if (n >= TRIM_AFTER)
        hot__memory_trim();
    return n;
}

static int unload_quiesced(hot_lib *lib)
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
    still_held(lib, done);
    hot__rollback_arm(lib);
    hot__mutex_unlock(&lib->mu);
    n = unload_all(lib, done, announced);
    hot__loads_resume(lib, paused);
    return n;
}

/* How many threads of the process are neither announced nor the
 * runtime's (negative: they cannot be listed); their ids are moved to the
 * front of ids. Forgets announced threads that have exited; lib->mu held. */
static int unaccounted_threads(hot_lib *lib, uint64_t *ids, int n)
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
        if (j == lib->n_threads && !hot__thread_is_runtime(ids[k]))
            ids[missing++] = ids[k];
    }
    return missing;
}

/* Why versions beyond the bound stay, for the one warning. */
typedef struct bound_hold {
    unsigned held;    /* versions over the bound kept */
    int unaccounted;  /* threads never announced (-1: unknown), or 0 */
    int unproven;     /* of those, the ones not shown to be outside */
    int not_quiesced; /* an announced thread has not passed a point */
    int more;         /* past their grace beyond the SUSPECTS_MAX looked for */
} bound_hold;

/* The epoch before which retired versions are left by every announced
 * thread, when the others may be looked at; 0: none is known to be.
 * lib->mu held. */
static uint64_t bound_grace_epoch(hot_lib *lib, uint64_t *ids, int n, bound_hold *why)
{
    if (lib->threads_overflow)
        return 0;
    if (lib->opts.unload_retired)
        return grace_epoch(lib);
    why->unaccounted = unaccounted_threads(lib, ids, n);
    if (why->unaccounted < 0)
        return 0;
    return lib->n_threads ? oldest_seen_epoch(lib) : lib->epoch;
}

/* Old versions beyond the bound, past the announced threads' grace, that
 * threads which never announced themselves may still hold: each is
 * unloaded only once every such thread is seen outside it (src/linux/
 * thread-scan.c). Never more than SUSPECTS_MAX at once. */
typedef struct suspects {
    hot__version *v[SUSPECTS_MAX];
    unsigned n;
    unsigned char held[SUSPECTS_MAX];
} suspects;

/* Lists the versions beyond opts.max_retired that are past their grace
 * period, into sus (at most SUSPECTS_MAX, the others count as held); the
 * rollback target, within the bound, is never one. lib->mu held. */
static void find_suspects(hot_lib *lib, uint64_t oldest, suspects *sus, bound_hold *why)
{
    hot__version *v = lib->retired;
    unsigned k;

    for (k = 0; v && k < lib->opts.max_retired; k++)
        v = v->next;
    for (; v; v = v->next) {
        if (v->retired_epoch < oldest && sus->n < SUSPECTS_MAX) {
            sus->v[sus->n++] = v;
        } else {
            why->held++;
            why->more |= v->retired_epoch < oldest; /* no room left for it */
        }
        why->not_quiesced |= v->retired_epoch >= oldest;
    }
}

/* Cuts the suspects not held off lib->retired, those still beyond the
 * bound (a rollback in between may have made one the target); lib->mu
 * held. */
static hot__version *cut_suspects(hot_lib *lib, const suspects *sus, bound_hold *why)
{
    hot__version **p = &lib->retired, *done = NULL, *v;
    unsigned k, i;

    for (k = 0; *p && k < lib->opts.max_retired; k++)
        p = &(*p)->next;
    while ((v = *p) != NULL) {
        for (i = 0; i < sus->n && sus->v[i] != v; i++)
            ;
        if (i < sus->n && !sus->held[i]) {
            *p = v->next;
            v->next = done;
            done = v;
        } else {
            why->held += i < sus->n;
            p = &v->next;
        }
    }
    hot__rollback_arm(lib);
    return still_held(lib, done);
}

/* The ranges of sus's versions (their objects and function tables),
 * sorted; NULL when out of memory. Not under lib->mu: only the thread
 * doing the retire work (lib->retire_mu) cuts versions off the list. */
static hot__range *suspect_ranges(hot_lib *lib, const suspects *sus, unsigned *n)
{
    size_t room = 0;
    hot__range *r;
    unsigned i, d;
    int got;

    for (i = 0; i < sus->n; i++)
        room += SEGMENTS_EACH * (1 + (size_t)sus->v[i]->n_deps) + 1;
    if (!(r = malloc((room + 1) * sizeof *r)))
        return NULL;
    for (*n = 0, i = 0; i < sus->n; i++) {
        const hot__version *v = sus->v[i];
        r[*n].lo = (uintptr_t)v->table;
        r[*n].hi = (uintptr_t)(v->table + lib->iface->expected->n_fns + 1);
        r[(*n)++].owner = i;
        for (d = 0; d <= v->n_deps; d++) {
            got = hot__dl_ranges(d ? v->deps[d - 1] : v->handle, i, r + *n, SEGMENTS_EACH);
            if (got < 0) {
                free(r);
                return NULL;
            }
            *n += (unsigned)got;
        }
    }
    qsort(r, *n, sizeof *r, by_start);
    return r;
}

/* Looks at each thread that never announced itself (the first n of ids):
 * a suspect is held if one may use it. Returns how many threads could not
 * be shown to be outside. */
static int look_at_threads(hot_lib *lib, const uint64_t *ids, int n, suspects *sus)
{
    unsigned char hit[SUSPECTS_MAX];
    hot__range *ranges;
    unsigned n_ranges, i;
    int k, unproven = 0, seen;

    if (n == 0 || sus->n == 0)
        return 0;
    if (!(ranges = suspect_ranges(lib, sus, &n_ranges))) {
        memset(sus->held, 1, sus->n);
        return n;
    }
    for (k = 0; k < n; k++) {
        memset(hit, 0, sizeof hit);
        /* hot_close waits for this work: no more looks (each may sleep). */
        seen = hot__closing(lib) ? HOT__SCAN_UNPROVEN
                                 : hot__thread_scan(ids[k], ranges, n_ranges, hit);
        if (seen == HOT__SCAN_UNPROVEN)
            memset(hit, 1, sizeof hit);
        for (i = 0; i < sus->n; i++)
            sus->held[i] |= hit[i];
        if (seen == HOT__SCAN_UNPROVEN || memchr(hit, 1, sus->n) != NULL) {
            unproven++;
            hot__log(lib, HOT_LOG_DEBUG, "%s: thread %llu holds old versions: %s", lib->file,
                     (unsigned long long)ids[k],
                     seen == HOT__SCAN_UNPROVEN ? "not seen asleep in a system call"
                                                : "a pointer into one is on its stack");
        }
    }
    free(ranges);
    return unproven;
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
    if (why->unproven > 0)
        hot__log(lib, HOT_LOG_WARN,
                 "%s: %u old version(s) beyond opts.max_retired (%u) stay mapped: %d thread(s) "
                 "of this process never announced themselves and were not seen outside them "
                 "(running, or blocked in their code). Call hot_quiescent from those threads "
                 "(or set opts.unload_retired, or max_retired = HOT_KEEP_ALL_VERSIONS)",
                 lib->file, why->held, lib->opts.max_retired, why->unproven);
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

/* Is holding worth the one warning? Versions held for threads that never
 * announced themselves are looked at again at each reload (one that was
 * running a moment ago is seen asleep later): only a few held in a row
 * say it is not passing. */
static int warn_worthy(const bound_hold *why)
{
    if (!why->held)
        return 0;
    if (why->unproven > 0)
        return why->held >= HELD_BEFORE_WARNING;
    return why->unaccounted < 0 || why->not_quiesced;
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

/* The versions beyond the bound that may go, cut off lib->retired: past the
 * announced threads' grace and, by default, seen unused by every other
 * thread. Sets *announced; lib->mu not held. */
static hot__version *cut_beyond_bound(hot_lib *lib, bound_hold *why, unsigned *announced)
{
    static uint64_t no_ids[1];
    uint64_t *ids = NULL;
    suspects sus;
    hot__version *done;
    int n = 0;

    sus.n = 0;
    memset(sus.held, 0, sizeof sus.held);
    if (!lib->opts.unload_retired && !(ids = malloc(PROCESS_THREADS * sizeof *ids)))
        n = HOT_ENOMEM;
    else
        n = list_threads(lib, ids ? ids : no_ids);
    hot__mutex_lock(&lib->mu);
    find_suspects(lib, bound_grace_epoch(lib, ids ? ids : no_ids, n, why), &sus, why);
    hot__mutex_unlock(&lib->mu);
    if (why->unaccounted > 0)
        why->unproven = look_at_threads(lib, ids ? ids : no_ids, why->unaccounted, &sus);
    hot__mutex_lock(&lib->mu);
    done = cut_suspects(lib, &sus, why);
    *announced = lib->n_threads;
    if (why->held && why->unproven)
        lib->unproven_epoch = lib->epoch + 1;
    hot__mutex_unlock(&lib->mu);
    free(ids);
    return done;
}

/* A thread's quiescent point retries what an earlier look at this epoch
 * could not prove only at the next swap: it may come every frame. */
static int proven_nothing_yet(hot_lib *lib, int at_quiescent)
{
    int same;

    if (!at_quiescent || lib->opts.unload_retired)
        return 0;
    hot__mutex_lock(&lib->mu);
    same = lib->unproven_epoch == lib->epoch + 1;
    hot__mutex_unlock(&lib->mu);
    return same;
}

/* After a look: schedules the next one for the watcher if this one held
 * versions for want of proof, else none. lib->retire_mu held. */
static void look_again_later(hot_lib *lib, const bound_hold *why)
{
    unsigned ms = 0;
    uint64_t epoch;

    hot__mutex_lock(&lib->mu);
    epoch = lib->epoch;
    hot__mutex_unlock(&lib->mu);
    if (why->more && watcher_takes_work(lib)) {
        ms = RETRY_FIRST_MS; /* the next SUSPECTS_MAX, soon */
    } else if (why->held && why->unproven && watcher_takes_work(lib)) {
        /* Less often each time, from the last swap on. */
        ms = lib->retry_ms && lib->retry_epoch == epoch ? lib->retry_ms * 2 : RETRY_FIRST_MS;
        ms = ms > RETRY_MAX_MS ? RETRY_MAX_MS : ms;
    }
    lib->retry_ms = ms;
    lib->retry_epoch = epoch;
    __atomic_store_n(&lib->retry_at_ns, ms ? hot__now_ns() + ms * 1000000ull : 0, __ATOMIC_RELEASE);
}

static int unload_beyond_bound(hot_lib *lib, int at_quiescent)
{
    bound_hold why = { 0, 0, 0, 0, 0 };
    hot__version *done;
    unsigned announced = 0;
    int paused, n;

    if (lib->opts.max_retired == HOT_KEEP_ALL_VERSIONS || !over_the_bound(lib)) {
        look_again_later(lib, &why); /* nothing to look for */
        return 0;
    }
    if (proven_nothing_yet(lib, at_quiescent))
        return 0;
    if (!(paused = hot__loads_pause(lib))) { /* a load is running: look once it is done */
        why.held = why.unproven = 1;
        look_again_later(lib, &why);
        return 0;
    }
    done = cut_beyond_bound(lib, &why, &announced);
    look_again_later(lib, &why);
    if (done && !__atomic_exchange_n(&lib->bound_warned, 1, __ATOMIC_ACQ_REL))
        warn_bound_reached(lib);
    if (warn_worthy(&why) && !__atomic_exchange_n(&lib->held_warned, 1, __ATOMIC_ACQ_REL))
        warn_held(lib, &why);
    n = unload_all(lib, done, announced);
    hot__loads_resume(lib, paused);
    return n;
}

/* ---- Who does the work, and when ------------------------------------------ */

/* All of it, on this thread. One thread at a time (lib->retire_mu): only
 * this work takes versions off lib->retired to free them. A thread that
 * finds another at it waits: that one may have looked before the latest
 * swap. Never on a host's frame while a watcher runs. Returns how many
 * versions it unloaded. */
static __thread int in_retire_work __attribute__((tls_model("initial-exec")));

static int retire_work(hot_lib *lib, int at_quiescent)
{
    int n = 0;

    /* A log callback that calls hot_quiescent from inside this work. */
    if (in_retire_work)
        return 0;
    in_retire_work = 1;
    hot__mutex_lock(&lib->retire_mu);
    if (!hot__closing(lib)) {
        drop_old_copies(lib);
        n = lib->opts.unload_retired ? unload_quiesced(lib)
                                     : unload_beyond_bound(lib, at_quiescent);
    }
    hot__mutex_unlock(&lib->retire_mu);
    in_retire_work = 0;
    return n;
}

/* Could a quiescent point let something go? hot_quiescent may come every
 * frame: the watcher is not woken for nothing. */
static int worth_a_look(hot_lib *lib, int at_quiescent)
{
    int some;

    if (!lib->opts.unload_retired)
        return lib->opts.max_retired != HOT_KEEP_ALL_VERSIONS && over_the_bound(lib) &&
               !proven_nothing_yet(lib, at_quiescent);
    hot__mutex_lock(&lib->mu);
    some = lib->retired != NULL;
    hot__mutex_unlock(&lib->mu);
    return some;
}

static int on_the_watcher(const hot_lib *lib)
{
    return __atomic_load_n(&lib->watcher_self, __ATOMIC_ACQUIRE) == hot__thread_self();
}

/* Is there a watcher thread to hand the work to? Not once its loop ended
 * (it could not go on watching), nor in a forked child (it has no threads
 * but the one that forked). */
static int watcher_takes_work(const hot_lib *lib)
{
    return __atomic_load_n(&lib->watcher_working, __ATOMIC_ACQUIRE) &&
           __atomic_load_n(&lib->watcher_pid, __ATOMIC_ACQUIRE) == hot__pid();
}

/* Hands the work to the watcher thread (it runs it WORK_DELAY_MS later),
 * or does it now when there is none. Returns how many versions this call
 * unloaded itself. */
static int retire_soon(hot_lib *lib, int at_quiescent)
{
    uint64_t now;

    if (at_quiescent && !worth_a_look(lib, at_quiescent))
        return 0;
    if (!watcher_takes_work(lib))
        return retire_work(lib, at_quiescent);
    now = hot__now_ns();
    if (__atomic_exchange_n(&lib->retire_due, 1, __ATOMIC_ACQ_REL))
        return 0; /* asked already, not yet done */
    __atomic_store_n(&lib->retire_due_ns, now, __ATOMIC_RELEASE);
    if (!on_the_watcher(lib)) {
        hot__mutex_lock(&lib->mu); /* lib->watch is swapped under it */
        hot__watch_wake(lib->watch);
        hot__mutex_unlock(&lib->mu);
    }
    return 0;
}

void hot__retire_after_swap(hot_lib *lib)
{
    /* The old copies the watcher deletes at its next turn, not after the
     * delay: a few file calls, where the look and dlclose may take long. */
    __atomic_store_n(&lib->copies_due, 1, __ATOMIC_RELEASE);
    retire_soon(lib, 0);
}

int hot__retire_now(hot_lib *lib)
{
    /* Without a watcher, the swap's retire_soon did it already. */
    return watcher_takes_work(lib) ? retire_work(lib, 0) : 0;
}

/* When the asked-for work is due: WORK_DELAY_MS after the first request
 * (threads at quiescent points may ask at every frame: a delay from the last
 * would never end) and after the last file event, but no later than
 * WORK_DELAY_MAX_MS after the first request; else when a look is to be made
 * again; 0 when neither. A request that raced the watcher's reading of the
 * time may leave it stale: then the work runs at once, which is harmless. */
static uint64_t work_due_ns(const hot_lib *lib, uint64_t last_event_ns)
{
    uint64_t first, due, latest;

    if (!__atomic_load_n(&lib->retire_due, __ATOMIC_ACQUIRE))
        return __atomic_load_n(&lib->retry_at_ns, __ATOMIC_ACQUIRE);
    first = __atomic_load_n(&lib->retire_due_ns, __ATOMIC_ACQUIRE);
    due = (first > last_event_ns ? first : last_event_ns) + WORK_DELAY_MS * 1000000ull;
    latest = first + WORK_DELAY_MAX_MS * 1000000ull;
    return due < latest ? due : latest;
}

unsigned hot__retire_wait_ms(const hot_lib *lib, uint64_t last_event_ns, uint64_t now)
{
    uint64_t due = work_due_ns(lib, last_event_ns);

    if (!due)
        return 0;
    return due <= now ? 1 : (unsigned)((due - now) / 1000000u) + 1;
}

void hot__retire_run_due(hot_lib *lib, uint64_t last_event_ns, uint64_t now)
{
    uint64_t due = work_due_ns(lib, last_event_ns);

    if (__atomic_exchange_n(&lib->copies_due, 0, __ATOMIC_ACQ_REL) && !hot__closing(lib)) {
        hot__mutex_lock(&lib->retire_mu);
        drop_old_copies(lib);
        hot__mutex_unlock(&lib->retire_mu);
    }
    if (!due || now < due)
        return;
    if (!__atomic_exchange_n(&lib->retire_due, 0, __ATOMIC_ACQ_REL)) {
        __atomic_store_n(&lib->retry_at_ns, 0, __ATOMIC_RELEASE);
        retire_work(lib, 0); /* the look again, at the same epoch */
        return;
    }
    retire_work(lib, 1); /* asked at a quiescent point: not redone at this epoch */
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
    if (lib->opts.unload_retired)
        retire_work(lib, 0); /* the thread may be the last one holding a grace period */
}

int hot_quiescent(hot_lib *lib)
{
    if (!lib)
        return HOT_EINVAL;
    return hot__note_quiescent(lib);
}
