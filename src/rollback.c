/*
 * Rollback: every decision a crash in a guarded call takes, and the state
 * it takes it with (hot__rollback, one per handle). Nobody else reads or
 * writes that state; the others call in here:
 *   lib.c     attaches a handle at open, arms each version before its table
 *             is published, detaches at close;
 *   retire.c  re-arms after unloading old versions;
 *   loader.c  asks whether a build crashed before;
 *   guard.c   asks, from the crash handler, whether a crash can be
 *             recovered, and after the jump asks for the recovery.
 *
 * The rules:
 *   - a crash in the armed table (the current version's) rolls back to the
 *     previous version, or, with none mapped, stops the interface: the
 *     crashed call returns a zero value, and so does every call until a new
 *     build loads (opts.crash_passthrough: the crash passes on instead);
 *   - a crash in a version already crashed in (another thread rolled it
 *     back) is retried in the current version;
 *   - at most one recovery per guarded call: the retry's crash passes on;
 *   - never for a signal another process sent, nor for SIGABRT unless
 *     opts.rollback_abort (glibc aborts with its allocator's lock held);
 *   - the builds crashed in are never loaded again (the list is unbounded).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define HANDLES_MAX 64

/* The open handles, for the crash handler (read with atomic loads). */
static hot_lib *handles[HANDLES_MAX];

static hot_lib *lib_for_slot(hot_fn *volatile *slot)
{
    int i;

    for (i = 0; i < HANDLES_MAX; i++) {
        hot_lib *lib = __atomic_load_n(&handles[i], __ATOMIC_ACQUIRE);
        if (lib && hot__iface_serves(lib->iface, slot))
            return lib;
    }
    return NULL;
}

long hot__guard_stopped_fn(void)
{
    return 0; /* only a plain wrapper calls it; guarded ones never do */
}

int hot__rollback_attach(hot_lib *lib)
{
    unsigned i, n = lib->iface->expected->n_fns;
    hot_lib *none = NULL;

    lib->rb.stopped_table = calloc(n + 1, sizeof *lib->rb.stopped_table);
    if (!lib->rb.stopped_table)
        return hot__fail(lib, HOT_ENOMEM, "out of memory for the stopped-functions table");
    for (i = 0; i < n; i++)
        lib->rb.stopped_table[i] = (hot_fn)hot__guard_stopped_fn;
    for (i = 0; i < HANDLES_MAX; i++) {
        none = NULL;
        if (__atomic_compare_exchange_n(&handles[i], &none, lib, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED))
            return 0;
    }
    return hot__fail(lib, HOT_EBUSY, "too many open libraries (%d)", HANDLES_MAX);
}

void hot__rollback_detach(hot_lib *lib)
{
    hot__version *v, *next;
    int i;

    for (i = 0; i < HANDLES_MAX; i++) {
        hot_lib *expected = lib;
        __atomic_compare_exchange_n(&handles[i], &expected, NULL, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_RELAXED);
    }
    for (v = lib->rb.crashed; v; v = next) {
        next = v->next;
        hot__version_free(v);
    }
    lib->rb.crashed = NULL;
    free(lib->rb.stopped_table);
    lib->rb.stopped_table = NULL;
}

void hot__rollback_arm(hot_lib *lib)
{
    hot_fn *table = lib->current ? lib->current->table : NULL;

    __atomic_store_n(&lib->rb.code_lo, lib->current ? lib->current->code_lo : 0, __ATOMIC_RELAXED);
    __atomic_store_n(&lib->rb.code_hi, lib->current ? lib->current->code_hi : 0, __ATOMIC_RELEASE);
    __atomic_store_n(&lib->rb.can_go_back, lib->retired != NULL, __ATOMIC_RELEASE);
    __atomic_store_n(&lib->rb.armed, table, __ATOMIC_RELEASE);
    if (table)
        __atomic_store_n(&lib->rb.stopped, 0, __ATOMIC_RELEASE);
}

int hot__rollback_refuses(hot_lib *lib, const hot__content_id *id)
{
    const hot__version *v;

    for (v = lib->rb.crashed; v; v = v->next) {
        if (hot__content_id_equal(&v->id, id))
            return 1;
    }
    return 0;
}

unsigned hot__rollback_crashed_count(hot_lib *lib)
{
    const hot__version *v;
    unsigned n = 0;

    for (v = lib->rb.crashed; v; v = v->next)
        n++;
    return n;
}

/* ---- In the crash handler: async-signal-safe ------------------------------ */

static int crashed_in(hot_lib *lib, const hot_fn *table)
{
    const hot__version *v = __atomic_load_n(&lib->rb.crashed, __ATOMIC_ACQUIRE);

    for (; v; v = v->next) {
        if (v->table == table)
            return 1;
    }
    return 0;
}

/* Why a crash in g is not ours to recover, or NULL if it is. */
static const char *refusal(const hot_guard *g, const hot__crash *crash, hot_lib **out)
{
    hot_lib *lib = lib_for_slot(hot__guard_slot(g));

    *out = lib;
    if (crash->sent)
        return "sent by another process";
    if (g->site->retry)
        return "crashed again in the retried call";
    if (!lib || !hot__guard_table(g))
        return "the library is closed";
    if (crash->is_abort && !lib->opts.rollback_abort)
        return "abort() is not rolled back (opts.rollback_abort)";
    if (hot__guard_table(g) == __atomic_load_n(&lib->rb.armed, __ATOMIC_ACQUIRE)) {
        if (__atomic_load_n(&lib->rb.can_go_back, __ATOMIC_ACQUIRE) || !lib->opts.crash_passthrough)
            return NULL;
        return "no version to go back to (opts.crash_passthrough)";
    }
    if (crashed_in(lib, hot__guard_table(g)))
        return NULL;
    return "the call is in an older version";
}

int hot__rollback_can_recover(const hot_guard *g, const hot__crash *crash)
{
    hot_lib *lib;

    return refusal(g, crash, &lib) == NULL;
}

static char *append(char *p, char *end, const char *s)
{
    while (*s && p < end)
        *p++ = *s++;
    return p;
}

static char *append_number(char *p, char *end, unsigned long n)
{
    char digits[24];
    int i = 0;

    do
        digits[i++] = (char)('0' + n % 10);
    while ((n /= 10) && i < (int)sizeof digits);
    while (i > 0 && p < end)
        *p++ = digits[--i];
    return p;
}

/* "hotreload: SIGSEGV in fx_crash (fx v2, libfx.so): not recovered: why" */
void hot__rollback_announce(const hot_guard *g, const hot__crash *crash)
{
    char line[400], *p = line, *end = line + sizeof line - 2;
    hot_lib *lib;
    const char *why = refusal(g, crash, &lib);

    p = append(p, end, "hotreload: ");
    p = append(p, end, hot__signal_name(crash->signal));
    p = append(p, end, " in ");
    p = append(p, end, g->site->function);
    if (lib) {
        p = append(p, end, " (");
        p = append(p, end, lib->iface->expected->interface_name);
        if (hot__guard_table(g) == __atomic_load_n(&lib->rb.armed, __ATOMIC_ACQUIRE)) {
            p = append(p, end, " v");
            p = append_number(p, end, __atomic_load_n(&lib->version, __ATOMIC_ACQUIRE));
        }
        p = append(p, end, ", ");
        p = append(p, end, lib->file);
        p = append(p, end, ")");
    }
    p = append(p, end, ": not recovered: ");
    p = append(p, end, why ? why : "unknown");
    *p++ = '\n';
    *p = '\0';
    hot__crash_write(line);
}

/* "hotreload: SIGABRT in hot_call_guarded (libfx.so): not recovered: why" */
int hot__rollback_plain_can_recover(hot_lib *lib, const hot__crash *crash)
{
    char line[400], *p = line, *end = line + sizeof line - 2;
    const char *why = NULL;

    if (crash->sent)
        why = "sent by another process";
    else if (crash->is_abort && !(lib && lib->opts.rollback_abort))
        why = "abort() is not recovered (opts.rollback_abort)";
    if (!why)
        return 1;
    p = append(p, end, "hotreload: ");
    p = append(p, end, hot__signal_name(crash->signal));
    p = append(p, end, " in hot_call_guarded");
    if (lib) {
        p = append(p, end, " (");
        p = append(p, end, lib->file);
        p = append(p, end, ")");
    }
    p = append(p, end, ": not recovered: ");
    p = append(p, end, why);
    *p++ = '\n';
    *p = '\0';
    hot__crash_write(line);
    return 0;
}

static char *append_hex(char *p, char *end, uintptr_t n)
{
    char digits[2 * sizeof n];
    int i = 0;

    do
        digits[i++] = "0123456789abcdef"[n % 16];
    while ((n /= 16) && i < (int)sizeof digits);
    p = append(p, end, "0x");
    while (i > 0 && p < end)
        *p++ = digits[--i];
    return p;
}

/* The interface function whose entry is the nearest below pc. */
static const char *nearest_function(hot_lib *lib, const hot_fn *table, uintptr_t pc,
                                    uintptr_t *offset)
{
    const char *name = NULL;
    uintptr_t best = 0;
    unsigned i;

    for (i = 0; table && i < lib->iface->expected->n_fns; i++) {
        uintptr_t entry = (uintptr_t)table[i];
        if (entry <= pc && entry >= best) {
            best = entry;
            name = lib->iface->expected->fns[i].name;
        }
    }
    *offset = pc - best;
    return name;
}

/* "hotreload: SIGSEGV in fx v2 (libfx.so), near fx_crash+0x1c: not in a
 * guarded call; passing it on" */
void hot__rollback_announce_unguarded(const hot__crash *crash)
{
    char line[400], *p = line, *end = line + sizeof line - 2;
    uintptr_t pc = (uintptr_t)crash->pc, offset;
    const char *name;
    hot_lib *lib = NULL;
    int i;

    for (i = 0; i < HANDLES_MAX && !lib; i++) {
        hot_lib *l = __atomic_load_n(&handles[i], __ATOMIC_ACQUIRE);
        if (l && pc >= __atomic_load_n(&l->rb.code_lo, __ATOMIC_RELAXED) &&
            pc < __atomic_load_n(&l->rb.code_hi, __ATOMIC_ACQUIRE))
            lib = l;
    }
    if (!lib)
        return; /* not in hot code: the program's own crash */
    p = append(p, end, "hotreload: ");
    p = append(p, end, hot__signal_name(crash->signal));
    p = append(p, end, " in ");
    p = append(p, end, lib->iface->expected->interface_name);
    p = append(p, end, " v");
    p = append_number(p, end, __atomic_load_n(&lib->version, __ATOMIC_ACQUIRE));
    p = append(p, end, " (");
    p = append(p, end, lib->file);
    p = append(p, end, ")");
    name = nearest_function(lib, __atomic_load_n(&lib->rb.armed, __ATOMIC_ACQUIRE), pc, &offset);
    if (name) {
        p = append(p, end, ", near ");
        p = append(p, end, name);
        p = append(p, end, "+");
        p = append_hex(p, end, offset);
    }
    p = append(p, end, ": not in a guarded call; passing it on\n");
    *p = '\0';
    hot__crash_write(line);
}

/* ---- After the jump: on the normal stack ------------------------------------- */

/* Moves lib->current to the crashed list; lib->mu held. */
static hot__version *retire_crashed(hot_lib *lib)
{
    hot__version *crashed = lib->current;

    hot__shadow_forget(crashed);
    lib->last_refused = crashed->id;
    crashed->next = lib->rb.crashed;
    __atomic_store_n(&lib->rb.crashed, crashed, __ATOMIC_RELEASE);
    lib->current = NULL;
    return crashed;
}

/* Publishes table after a crash; lib->mu held. */
static void publish_after_crash(hot_lib *lib, hot_fn *table)
{
    lib->epoch++;
    hot__rollback_arm(lib);
    hot__iface_store(lib->iface, table);
    __atomic_store_n(&lib->was_updated, 1, __ATOMIC_RELEASE); /* a host refreshes on it */
    hot__cond_broadcast(&lib->cond);
}

/* Swaps back to the newest retired version; lib->mu held. */
static hot__version *swap_back(hot_lib *lib)
{
    hot__version *crashed = retire_crashed(lib), *prev = lib->retired;

    lib->retired = prev->next;
    prev->next = NULL;
    lib->current = prev;
    __atomic_store_n(&lib->version, prev->number, __ATOMIC_RELEASE);
    publish_after_crash(lib, prev->table);
    return crashed;
}

/* Nothing to go back to: calls return a zero value; lib->mu held. */
static hot__version *stop(hot_lib *lib)
{
    hot__version *crashed = retire_crashed(lib);

    __atomic_store_n(&lib->rb.warned_stopped, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&lib->rb.stopped, 1, __ATOMIC_RELEASE);
    publish_after_crash(lib, lib->rb.stopped_table);
    return crashed;
}

static void report(hot_lib *lib, hot_event_type type, hot__version *crashed, const char *why)
{
    hot_event ev;

    memset(&ev, 0, sizeof ev);
    ev.type = type;
    ev.version = type == HOT_EVENT_STOPPED ? 0 : lib->version;
    ev.from_version = crashed->number;
    ev.error = HOT_ECRASHED;
    ev.message = why;
    ev.path = lib->path;
    snprintf(lib->errmsg, sizeof lib->errmsg, "%s", why);
    hot__log(lib, HOT_LOG_WARN, "%s: %s", lib->file, why);
    hot__channel_report(lib, type == HOT_EVENT_STOPPED ? "stopped" : "rolledback", ev.version, 0,
                        HOT_ECRASHED, why);
    hot__emit(lib, &ev);
}

static void report_rollback(hot_lib *lib, hot__version *crashed, const hot_guard *g)
{
    char why[HOT__MSG_MAX], warn[HOT__MSG_MAX / 2];

    hot__state_restore(lib, crashed, lib->current, warn, sizeof warn);
    snprintf(why, sizeof why,
             "rolled back to v%lu: %s in %s (v%lu is refused until a new build)%s%s", lib->version,
             hot__signal_name(g->signal), g->site->function, crashed->number,
             warn[0] ? "; state: " : "", warn);
    report(lib, HOT_EVENT_ROLLED_BACK, crashed, why);
}

static void report_stop(hot_lib *lib, hot__version *crashed, const hot_guard *g)
{
    char why[HOT__MSG_MAX];

    snprintf(why, sizeof why,
             "stopped: %s in %s in v%lu, and no version to go back to; calls return 0 "
             "until a new build loads",
             hot__signal_name(g->signal), g->site->function, crashed->number);
    report(lib, HOT_EVENT_STOPPED, crashed, why);
}

int hot__rollback_recover(hot_guard *g)
{
    hot_lib *lib = lib_for_slot(hot__guard_slot(g));
    hot__version *crashed = NULL;
    int locked, stopped;

    if (!lib)
        return 0;
    /* A crash inside an event callback happens with load_mu held by this
     * very thread: recover under that hold. */
    locked = hot__load_lock(lib) == 0;
    hot__mutex_lock(&lib->mu);
    /* Another thread may have recovered already: then just retry. */
    if (lib->current && lib->current->table == hot__guard_table(g))
        crashed = lib->retired ? swap_back(lib) : stop(lib);
    stopped = __atomic_load_n(&lib->rb.stopped, __ATOMIC_ACQUIRE);
    hot__mutex_unlock(&lib->mu);
    if (crashed && stopped)
        report_stop(lib, crashed, g);
    else if (crashed)
        report_rollback(lib, crashed, g);
    if (locked)
        hot__load_unlock(lib);
    return !stopped;
}

void hot__rollback_note_stopped_call(hot_guard *g)
{
    hot_lib *lib = lib_for_slot(hot__guard_slot(g));

    if (lib && __atomic_exchange_n(&lib->rb.warned_stopped, 1, __ATOMIC_ACQ_REL) == 0)
        hot__log(lib, HOT_LOG_WARN,
                 "%s: %s not called: the interface is stopped since a crash; calls return 0 "
                 "until a new build loads",
                 lib->file, g->site->function);
}
