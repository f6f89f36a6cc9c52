/*
 * Guarded calls. Each thread keeps a stack of the guarded calls it is in.
 * On a crash the OS handler asks hot__guard_on_crash, which jumps back into
 * the innermost guarded call when its version can be rolled back (it is the
 * newest, and an older one is still mapped). Only async-signal-safe work
 * happens there: thread-local reads, atomic loads and the jump. The rollback
 * itself runs after the jump, in hot__guard_recover, on the normal stack.
 */
#include <setjmp.h>

#include "internal.h"

static __thread hot_guard *innermost;
static __thread int thread_prepared;

void hot__guard_enter(hot_guard *g)
{
    if (!thread_prepared) {
        hot__crash_prepare_thread();
        thread_prepared = 1;
    }
    g->signal = 0;
    g->outer = innermost;
    innermost = g;
}

void hot__guard_leave(hot_guard *g)
{
    innermost = g->outer;
}

void hot__guard_on_crash(int sig)
{
    hot_guard *g = innermost;

    if (!g || !hot__rollback_possible(g->slot, g->table))
        return;
    g->signal = sig;
    innermost = g->outer;
    longjmp(g->env, 1);
}

void hot__guard_recover(hot_guard *g)
{
    hot__crash_after_jump(g->signal);
    hot__rollback(g->slot, g->table, g->signal, g->function);
}
