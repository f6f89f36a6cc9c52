/*
 * Guarded calls. Each thread keeps a stack of the guarded calls it is in.
 * On a crash the OS handler asks hot__guard_on_crash, which jumps back into
 * the innermost guarded call when its version can be rolled back (it is the
 * newest, and an older one is still mapped). Only async-signal-safe work
 * happens there: thread-local reads, atomic loads and the jump. The rollback
 * itself runs after the jump, in hot__guard_recover, on the normal stack.
 */
#include <setjmp.h>
#include <stdlib.h>

#include "internal.h"

/* What a watcher needs to see of a thread's outermost guarded call. Fields
 * are written by the thread and read by watchers, atomically. */
typedef struct guard_thread {
    hot_fn *volatile *slot;
    const char *function;
    uint64_t entered_ns;  /* 0 while outside, or when calls are not timed */
    uint64_t reported_ns; /* entered_ns of the call already reported */
    struct guard_thread *next;
} guard_thread;

static guard_thread *all_threads; /* pushed, never removed */
static int time_calls;
/* Initial-exec: the crash handler reads these, and the first access to a
 * dynamic-model thread-local may allocate, which a handler must not do. */
static __thread hot_guard *innermost __attribute__((tls_model("initial-exec")));
static __thread guard_thread *self __attribute__((tls_model("initial-exec")));

static void prepare_thread(const hot_guard *g)
{
    guard_thread *t = calloc(1, sizeof *t);

    hot__crash_prepare_thread();
    hot__retire_announce(g->slot); /* for unload_retired's grace periods */
    if (!t)
        return; /* guarded calls work; this thread's calls are just not timed */
    t->next = __atomic_load_n(&all_threads, __ATOMIC_ACQUIRE);
    while (!__atomic_compare_exchange_n(&all_threads, &t->next, t, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
        ;
    self = t;
}

static void note_entry(const hot_guard *g)
{
    if (!self || g->outer || !__atomic_load_n(&time_calls, __ATOMIC_RELAXED))
        return;
    __atomic_store_n(&self->slot, g->slot, __ATOMIC_RELAXED);
    __atomic_store_n(&self->function, g->function, __ATOMIC_RELAXED);
    __atomic_store_n(&self->entered_ns, hot__now_ns(), __ATOMIC_RELEASE);
}

void hot__guard_enter(hot_guard *g)
{
    if (!self)
        prepare_thread(g);
    g->signal = 0;
    g->outer = innermost;
    innermost = g;
    note_entry(g);
}

void hot__guard_leave(hot_guard *g)
{
    innermost = g->outer;
    if (self && !g->outer)
        __atomic_store_n(&self->entered_ns, 0, __ATOMIC_RELEASE);
}

void hot__guard_time_calls(void)
{
    __atomic_store_n(&time_calls, 1, __ATOMIC_RELEASE);
}

void hot__guard_find_slow(hot_fn *volatile *slot, uint64_t timeout_ns,
                          void (*report)(const char *function, double ms, void *arg), void *arg)
{
    guard_thread *t = __atomic_load_n(&all_threads, __ATOMIC_ACQUIRE);
    uint64_t now = hot__now_ns();

    for (; t; t = t->next) {
        uint64_t since = __atomic_load_n(&t->entered_ns, __ATOMIC_ACQUIRE);
        if (since == 0 || now - since < timeout_ns ||
            __atomic_load_n(&t->slot, __ATOMIC_RELAXED) != slot ||
            __atomic_exchange_n(&t->reported_ns, since, __ATOMIC_ACQ_REL) == since)
            continue;
        report(__atomic_load_n(&t->function, __ATOMIC_RELAXED), (double)(now - since) / 1e6, arg);
    }
}

void hot__guard_on_crash(int sig)
{
    hot_guard *g = innermost;

    if (!g || !hot__rollback_possible(g->slot, g->table))
        return;
    g->signal = sig;
    innermost = g->outer;
    if (self && !g->outer)
        __atomic_store_n(&self->entered_ns, 0, __ATOMIC_RELEASE);
    longjmp(g->env, 1);
}

void hot__guard_recover(hot_guard *g)
{
    hot__crash_after_jump(g->signal);
    hot__rollback(g->slot, g->table, g->signal, g->function);
}
