/*
 * Guarded calls, the runtime's side. The wrappers in hotreload.h push and
 * pop their guard on hot__guard_innermost themselves (no call into the
 * runtime on the fast path); this file prepares a thread on its first
 * guarded call, finds slow calls when asked (by sampling what each thread
 * leaves in hot__guard_samples: the fast path reads no clock and no flag),
 * and is the crash handler's entry:
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
__thread hot__guard_sample hot__guard_samples __attribute__((tls_model("initial-exec")));

/* A thread's guarded calls as its watchers see them. The pointers, set by
 * the thread itself, lead to its thread-locals (read atomically); the rest
 * is the watchers' own, under threads_lock. */
typedef struct guard_thread {
    hot_guard *const *innermost;     /* its hot__guard_innermost */
    const hot__guard_sample *sample; /* its hot__guard_samples */
    unsigned long seen_entries;      /* the call seen in progress... */
    uint64_t seen_ns;                /* ...first seen then; 0: none */
    int reported;                    /* that call was reported */
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
    /* A later guarded call prepares again. */
    __atomic_store_n(&hot__guard_innermost, NULL, __ATOMIC_RELAXED);
}

/* g: the guarded call that made this thread known, or NULL when it was
 * prepared ahead of any call (hot_guard_prepare_thread). */
static void remember_thread(const hot_guard *g)
{
    guard_thread *t = calloc(1, sizeof *t);

    if (g)
        hot__retire_announce(hot__guard_slot(g)); /* for unload_retired's grace periods */
    if (!t)
        return; /* guarded calls work; this thread's calls are just not timed */
    t->innermost = &hot__guard_innermost;
    t->sample = &hot__guard_samples;
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
    __atomic_store_n(&hot__guard_innermost, &hot__guard_bottom, __ATOMIC_RELAXED);
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

/* What the counting trampoline does, for wrappers that have none. */
static void count_entry(const hot_guard_site *site)
{
    hot__guard_sample *s = &hot__guard_samples;

    __atomic_store_n(&s->site, site, __ATOMIC_RELAXED);
    __atomic_store_n(&s->entries, s->entries + 1, __ATOMIC_RELEASE);
}

void hot__guard_timed_enter(hot_guard *g)
{
    if (g->outer == &hot__guard_bottom)
        count_entry(g->site);
}

void hot__guard_time_calls(void)
{
    hot_fn counting = hot__guard_trampoline_entry(1);

    if (counting)
        __atomic_store_n(&hot__guard_call, counting, __ATOMIC_RELEASE);
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

/* The site of the outermost call t is in, or NULL when it is in none (or
 * was between calls while being read). threads_lock held: t's thread is
 * alive, so its thread-locals are there to read. */
static const hot_guard_site *call_in_progress(const guard_thread *t, unsigned long *entries)
{
    unsigned long before = __atomic_load_n(&t->sample->entries, __ATOMIC_ACQUIRE);
    const hot_guard *in = __atomic_load_n(t->innermost, __ATOMIC_ACQUIRE);
    const hot_guard_site *site = __atomic_load_n(&t->sample->site, __ATOMIC_ACQUIRE);

    if (!in || in == &hot__guard_bottom ||
        __atomic_load_n(&t->sample->entries, __ATOMIC_ACQUIRE) != before)
        return NULL;
    *entries = before;
    return site;
}

/* A call is slow once two samples, timeout_ns apart, found the thread in
 * the same outermost call (the count of calls entered did not move). */
static const hot_guard_site *slow_call(guard_thread *t, uint64_t now, uint64_t timeout_ns,
                                       double *ms)
{
    unsigned long entries = 0;
    const hot_guard_site *site = call_in_progress(t, &entries);

    if (!site) {
        t->seen_ns = 0;
        return NULL;
    }
    if (t->seen_ns == 0 || t->seen_entries != entries) {
        t->seen_entries = entries;
        t->seen_ns = now;
        t->reported = 0;
        return NULL;
    }
    if (t->reported || now - t->seen_ns < timeout_ns)
        return NULL;
    *ms = (double)(now - t->seen_ns) / 1e6;
    return site;
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
        const hot_guard_site *site = slow_call(t, now, timeout_ns, &ms[n]);
        if (!site || !site->slot_ref || !hot__iface_serves(iface, *site->slot_ref))
            continue;
        t->reported = 1;
        slow[n++] = site->function;
    }
    hot__spin_unlock(&threads_lock);
    for (i = 0; i < n; i++)
        report(slow[i], ms[i], arg);
}

static void jump(hot_guard *g) __attribute__((noreturn));
static void jump(hot_guard *g)
{
    if (g->site->mode == HOT__GUARD_MODE_LIBC)
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

static const hot_guard_site plain_site = { NULL, "hot_call_guarded", PLAIN_MODE, 0 };

static int on_plain_crash(hot_guard *g, const hot__crash *crash)
{
    if (!hot__rollback_plain_can_recover(((plain_guard *)g)->lib, crash))
        return 0;
    g->signal = crash->signal;
    __atomic_store_n(&hot__guard_innermost, g->outer, __ATOMIC_RELAXED);
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
    pg.g.site = &plain_site;
    pg.g.entry = NULL;
    pg.g.outer = outer ? outer : &hot__guard_bottom;
    pg.g.signal = 0;
    if (PLAIN_SETJMP(&pg.g) != 0) {
        int sig = *(volatile int *)&pg.g.signal;
        __atomic_store_n(&hot__guard_innermost, outer, __ATOMIC_RELAXED);
        hot__crash_after_jump(sig);
        if (crash_signal)
            *crash_signal = sig;
        return HOT_ECRASHED;
    }
    __atomic_store_n(&hot__guard_innermost, &pg.g, __ATOMIC_RELAXED);
    if (__atomic_load_n(&hot__guard_timed, __ATOMIC_RELAXED))
        hot__guard_timed_enter(&pg.g);       /* not mistaken for the call before */
    __atomic_signal_fence(__ATOMIC_SEQ_CST); /* pushed before fn runs */
    fn(arg);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&hot__guard_innermost, outer, __ATOMIC_RELAXED);
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
    if (!g->site->slot_ref)
        return on_plain_crash(g, crash);
    if (!hot__rollback_can_recover(g, crash)) {
        hot__rollback_announce(g, crash);
        return 0;
    }
    g->signal = crash->signal;
    /* Popped here: a trampoline's wrapper tells a crash by that. */
    __atomic_store_n(&hot__guard_innermost, g->outer, __ATOMIC_RELAXED);
    if (g->site->mode == HOT__GUARD_MODE_TRAMPOLINE)
        return hot__crash_return_to(crash, g->env.words);
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
