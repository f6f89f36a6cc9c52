/*
 * Old versions. By default they stay mapped for the life of the handle: a
 * thread may still be inside one, or hold a pointer into it. With
 * opts.unload_retired, a version is unloaded once every thread that reports
 * quiescent points (hot_update, hot_quiescent) has passed one since it was
 * retired; this is the grace period of read-copy-update.
 */
#include <stdlib.h>

#include "internal.h"

/* Called with lib->mu held. Copies stay on disk only for the running
 * version and the one a crash would roll back to (so debuggers and
 * profilers find their symbols); older copies go now, the mappings stay. */
void hot__retire(hot_lib *lib, hot__version *old)
{
    if (lib->retired)
        hot__shadow_forget(lib->retired);
    old->retired_epoch = lib->epoch;
    old->next = lib->retired;
    lib->retired = old;
}

int hot__note_quiescent(hot_lib *lib)
{
    uint64_t self = hot__thread_self();
    unsigned i;

    hot__mutex_lock(&lib->mu);
    for (i = 0; i < lib->n_threads && lib->threads[i].thread != self; i++)
        ;
    if (i == lib->n_threads && i < HOT__THREADS_MAX)
        lib->threads[lib->n_threads++].thread = self;
    if (i == HOT__THREADS_MAX && !lib->threads_overflow) {
        /* An untracked thread could be inside any old version. */
        lib->threads_overflow = 1;
        hot__log(lib, HOT_LOG_WARN,
                 "%s: more than %d threads call hot_update; old versions "
                 "stay loaded",
                 lib->file, HOT__THREADS_MAX);
    }
    if (i < HOT__THREADS_MAX)
        lib->threads[i].seen_epoch = lib->epoch;
    hot__mutex_unlock(&lib->mu);
    return hot__unload_quiesced(lib);
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

int hot__unload_quiesced(hot_lib *lib)
{
    hot__version **p, *done = NULL, *v;
    uint64_t oldest;
    int n = 0;

    if (!lib->opts.unload_retired)
        return 0;
    hot__mutex_lock(&lib->mu);
    oldest = lib->n_threads && !lib->threads_overflow ? oldest_seen_epoch(lib) : 0;
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
    for (; done; done = v, n++) {
        v = done->next;
        hot__log(lib, HOT_LOG_DEBUG, "%s: unloaded v%lu", lib->file, done->number);
        hot__version_free(done);
    }
    return n;
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
