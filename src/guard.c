/*
 * Guarded calls, the runtime's side. The wrappers in hotreload.h push and
 * pop their guard on hot__guard_innermost themselves (no call into the
 * runtime on the fast path); this file prepares a thread on its first
 * guarded call, times calls when asked, and is the crash handler's entry:
 * it asks src/rollback.c whether the innermost guarded call can be
 * recovered and, if so, jumps back into its wrapper. Only async-signal-safe
 * work happens there: thread-local reads, atomic loads and the jump. The
 * recovery itself runs after the jump, on the normal stack.
 */
#include <setjmp.h>
#include <stdlib.h>

#include "internal.h"

/* The wrapper modes of hotreload.h (HOT__GUARD_MODE), as a host may have
 * been compiled with any of them. */
enum { HOT__GUARD_MODE_BUILTIN = 0, HOT__GUARD_MODE_LIBC = 1, HOT__GUARD_MODE_TRAMPOLINE = 2 };

/* Initial-exec: the crash handler reads it, and the first access to a
 * dynamic-model thread-local may allocate, which a handler must not do.
 * The wrappers read it too: one load relative to the thread pointer. */
__thread hot_guard *hot__guard_innermost __attribute__((tls_model("initial-exec")));
hot_guard hot__guard_bottom; /* innermost outside any guarded call */
int hot__guard_timed;

/* What a watcher needs to see of a thread's outermost guarded call. Fields
 * are written by the thread and read by watchers, atomically. */
typedef struct guard_thread {
    hot_fn *volatile *slot;
    const char *function;
    uint64_t entered_ns;  /* 0 while outside, or when calls are not timed */
    uint64_t reported_ns; /* entered_ns of the call already reported */
    struct guard_thread *next;
} guard_thread;

/* One record per live thread that made a guarded call: added at its first
 * call, removed when it exits. Readers (watchers) hold the lock too. */
static guard_thread *all_threads;
static unsigned n_threads;
static int threads_lock;
static __thread guard_thread *self __attribute__((tls_model("initial-exec")));

static int on_crash(const hot__crash *crash);

static void forget_thread(void *record)
{
    guard_thread **p;

    hot__spin_lock(&threads_lock);
    for (p = &all_threads; *p; p = &(*p)->next) {
        if (*p == record) {
            *p = ((guard_thread *)record)->next;
            n_threads--;
            break;
        }
    }
    hot__spin_unlock(&threads_lock);
    free(record);
    self = NULL;
    hot__guard_innermost = NULL; /* a later guarded call prepares again */
}

/* g: the guarded call that made this thread known, or NULL when it was
 * prepared ahead of any call (hot_guard_prepare_thread). */
static void remember_thread(const hot_guard *g)
{
    guard_thread *t = calloc(1, sizeof *t);

    if (g)
        hot__retire_announce(g->slot); /* for unload_retired's grace periods */
    if (!t)
        return; /* guarded calls work; this thread's calls are just not timed */
    if (hot__thread_at_exit(forget_thread, t) < 0) {
        free(t);
        return;
    }
    hot__spin_lock(&threads_lock);
    t->next = all_threads;
    all_threads = t;
    n_threads++;
    hot__spin_unlock(&threads_lock);
    self = t;
}

/* Set once the crash handlers are installed: hot_call_guarded then needs
 * no preparation of its own. */
static int handlers_installed;

static void prepare_thread(void)
{
    hot__crash_prepare_thread(on_crash);
    __atomic_store_n(&handlers_installed, 1, __ATOMIC_RELEASE);
}

void hot__guard_watch_crashes(void)
{
    prepare_thread();
}

void hot__guard_first(hot_guard *g)
{
    prepare_thread();
    if (!self)
        remember_thread(g);
    hot__guard_innermost = &hot__guard_bottom;
    g->outer = &hot__guard_bottom;
}

int hot_guard_prepare_thread(void)
{
    prepare_thread();
    if (!self)
        remember_thread(NULL);
    return 0;
}

int hot_guard_reserve_stacks(unsigned n)
{
    prepare_thread();
    return hot__crash_reserve_stacks(n);
}

int hot_guard_adopt_thread(void)
{
    return hot__crash_adopt_thread();
}

void hot__guard_timed_enter(hot_guard *g)
{
    if (!self || g->outer != &hot__guard_bottom)
        return;
    __atomic_store_n(&self->slot, g->slot, __ATOMIC_RELAXED);
    __atomic_store_n(&self->function, g->function, __ATOMIC_RELAXED);
    __atomic_store_n(&self->entered_ns, hot__now_ns(), __ATOMIC_RELEASE);
}

void hot__guard_timed_leave(hot_guard *g)
{
    if (self && g->outer == &hot__guard_bottom)
        __atomic_store_n(&self->entered_ns, 0, __ATOMIC_RELEASE);
}

void hot__guard_time_calls(void)
{
    __atomic_store_n(&hot__guard_timed, 1, __ATOMIC_RELEASE);
}

unsigned hot__guard_thread_records(void)
{
    unsigned n;

    hot__spin_lock(&threads_lock);
    n = n_threads;
    hot__spin_unlock(&threads_lock);
    return n;
}

void hot__guard_find_slow(const hot_interface *iface, uint64_t timeout_ns,
                          void (*report)(const char *function, double ms, void *arg), void *arg)
{
    uint64_t now = hot__now_ns();
    const char *slow[16];
    double ms[16];
    unsigned n = 0, i;
    guard_thread *t;

    /* Reports run after the lock is let go: they log and emit events. */
    hot__spin_lock(&threads_lock);
    for (t = all_threads; t && n < 16; t = t->next) {
        uint64_t since = __atomic_load_n(&t->entered_ns, __ATOMIC_ACQUIRE);
        if (since == 0 || now - since < timeout_ns ||
            !hot__iface_serves(iface, __atomic_load_n(&t->slot, __ATOMIC_RELAXED)) ||
            __atomic_exchange_n(&t->reported_ns, since, __ATOMIC_ACQ_REL) == since)
            continue;
        slow[n] = __atomic_load_n(&t->function, __ATOMIC_RELAXED);
        ms[n++] = (double)(now - since) / 1e6;
    }
    hot__spin_unlock(&threads_lock);
    for (i = 0; i < n; i++)
        report(slow[i], ms[i], arg);
}

static void jump(hot_guard *g) __attribute__((noreturn));
static void jump(hot_guard *g)
{
    if (g->mode == HOT__GUARD_MODE_LIBC)
        longjmp(g->env.libc, 1);
    __builtin_longjmp(g->env.words, 1);
}

/* ---- hot_call_guarded: a guard with no table behind it (slot NULL) ---- */

/* The modes a call made from here can use: the trampoline is for the
 * wrappers' calls with the hot function's own arguments. */
#if defined(HOT__GUARD_LIBC_JMP)
#define PLAIN_MODE HOT__GUARD_MODE_LIBC
#define PLAIN_SETJMP(g) setjmp((g)->env.libc)
#else
#define PLAIN_MODE HOT__GUARD_MODE_BUILTIN
#define PLAIN_SETJMP(g) __builtin_setjmp((g)->env.words)
#endif

typedef struct plain_guard {
    hot_guard g; /* first: the handler finds the rest from it */
    hot_lib *lib;
} plain_guard;

static int on_plain_crash(hot_guard *g, const hot__crash *crash)
{
    if (!hot__rollback_plain_can_recover(((plain_guard *)g)->lib, crash))
        return 0;
    g->signal = crash->signal;
    hot__guard_innermost = g->outer;
    jump(g);
}

const char *hot_signal_name(int sig)
{
    return hot__signal_name(sig);
}

int hot_call_guarded(hot_lib *lib, void (*fn)(void *arg), void *arg, int *crash_signal)
{
    plain_guard pg;
    hot_guard *const outer = hot__guard_innermost;

    if (crash_signal)
        *crash_signal = 0;
    if (!fn)
        return HOT_EINVAL;
    if (!__atomic_load_n(&handlers_installed, __ATOMIC_ACQUIRE))
        prepare_thread();
    pg.lib = lib;
    pg.g.slot = NULL;
    pg.g.table = NULL;
    pg.g.function = "hot_call_guarded";
    pg.g.outer = outer ? outer : &hot__guard_bottom;
    pg.g.signal = 0;
    pg.g.recovered = 0;
    pg.g.mode = PLAIN_MODE;
    pg.g.crashed = 0;
    if (PLAIN_SETJMP(&pg.g) != 0) {
        int sig = *(volatile int *)&pg.g.signal;
        hot__guard_innermost = outer;
        hot__crash_after_jump(sig);
        if (crash_signal)
            *crash_signal = sig;
        return HOT_ECRASHED;
    }
    __atomic_store_n(&hot__guard_innermost, &pg.g, __ATOMIC_RELAXED);
    __atomic_signal_fence(__ATOMIC_SEQ_CST); /* pushed before fn runs */
    fn(arg);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    hot__guard_innermost = outer;
    return 0;
}

/* On the crashing thread, in the signal handler: returns 0 when the crash
 * is not ours to recover (the handler then passes it on), 1 when the
 * interrupted call will return into its wrapper (trampoline), or jumps. */
static int on_crash(const hot__crash *crash)
{
    hot_guard *g = hot__guard_innermost;

    if (!g || g == &hot__guard_bottom) {
        hot__rollback_announce_unguarded(crash);
        return 0;
    }
    if (!g->slot)
        return on_plain_crash(g, crash);
    if (!hot__rollback_can_recover(g, crash)) {
        hot__rollback_announce(g, crash);
        return 0;
    }
    g->signal = crash->signal;
    if (g->mode == HOT__GUARD_MODE_TRAMPOLINE) {
        g->crashed = 1; /* the wrapper pops the guard itself */
        return hot__crash_return_to(crash, g->env.words);
    }
    hot__guard_innermost = g->outer;
    if (self && g->outer == &hot__guard_bottom)
        __atomic_store_n(&self->entered_ns, 0, __ATOMIC_RELEASE);
    jump(g);
}

int hot__guard_recover(hot_guard *g)
{
    hot__crash_after_jump(g->signal);
    return hot__rollback_recover(g);
}

void hot__guard_stopped(hot_guard *g)
{
    hot__rollback_note_stopped_call(g);
}
