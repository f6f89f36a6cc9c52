/*
 * Internal structures of the runtime, shared by the files of src/.
 *
 * Threads: the program's threads call through the interface's table slot
 * without locks; the watcher thread (or hot_reload_now) builds new versions
 * under load_mu; lib->mu guards everything else below that can change.
 */
#ifndef HOT_INTERNAL_H
#define HOT_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "hotreload.h"
#include "platform.h"

#define HOT__MSG_MAX 512
#define HOT__ANNOUNCE_NAME_MAX 32
#define HOT__REASONS_MAX 2048
#define HOT__ID_MAX 32 /* a GNU build-id is 20 bytes; our hash is 8 */
#define HOT__DEPS_MAX 16

/* The identity of a library file's content. */
typedef struct hot__content_id {
    unsigned char bytes[HOT__ID_MAX];
    size_t len;
} hot__content_id;

/* One loaded version of the library. */
typedef struct hot__version {
    unsigned long number;
    void *handle;
    hot_fn *table;      /* one entry per interface function, host order */
    char *copy_path;    /* NULL once the shadow copy is deleted */
    hot__dir *copy_dir; /* the shadow folder holding it */
    hot__content_id id;
    uint64_t retired_epoch; /* when it stopped answering calls */
    double copy_ms, load_ms, verify_ms;
    uintptr_t code_lo, code_hi;      /* its code, for naming a crash in it */
    uint64_t detected_ns;            /* when the watcher saw the file change */
    const hot_state_hooks *hooks;    /* NULL if the library has none */
    const hot_var_desc *const *vars; /* kept variables */
    size_t n_vars;
    /* The old version's state, saved at the swap into this one: a rollback
     * restores it. */
    struct {
        void *data;
        size_t size;
        unsigned tag;
    } snapshot;
    struct hot__version *next;
    /* Dependencies found through the library's $ORIGIN rpath, loaded
     * first by absolute path (the copy's $ORIGIN is the shadow folder). */
    void *deps[HOT__DEPS_MAX];
    unsigned n_deps;
    /* What the dependencies were (a rebuilt one makes a new version), and
     * their copies in the shadow folder (src/deps.c). */
    hot__content_id deps_id;
    char *dep_copies[HOT__DEPS_MAX];
    unsigned n_dep_copies;
} hot__version;

typedef struct hot__callback {
    unsigned mask;
    hot_event_fn fn;
    void *userdata;
    struct hot__callback *next;
} hot__callback;

#define HOT__THREADS_MAX 64

typedef struct hot__wake hot__wake;
typedef struct hot__keep hot__keep;

/* What a crash decides with, owned by src/rollback.c (nothing else touches
 * it). Fields marked atomic are read by the crash handler. */
typedef struct hot__rollback {
    hot_fn *armed;              /* atomic: the table of lib->current, or NULL */
    int can_go_back;            /* atomic: an older version is mapped */
    hot__version *crashed;      /* atomic head: versions crashed in, newest first,
                               mapped (threads may be inside) and never
                               loaded again; freed at close */
    hot_fn *stopped_table;      /* published while stopped: every entry is
                               hot__guard_stopped_fn */
    int stopped;                /* atomic: a crash left nothing to go back to */
    int warned_stopped;         /* atomic: the first call since was reported */
    uintptr_t code_lo, code_hi; /* atomic: the armed version's code */
} hot__rollback;

struct hot_lib {
    hot__mutex mu;
    hot__cond cond;      /* version changes, pending builds, releases */
    hot__mutex load_mu;  /* one load at a time */
    uint64_t load_owner; /* the thread holding load_mu, or 0 (atomic) */
    int loading;         /* a build is being read, loaded, verified (atomic) */
    hot__mutex swap_mu;  /* one swap (publish or rollback) at a time; taken
                            after load_mu when both are needed */
    uint64_t swap_owner; /* the thread holding swap_mu, or 0 (atomic) */
    const hot_interface *iface;
    hot_options opts; /* strings below are owned copies */

    char *name;       /* "game" */
    char *path;       /* the watched library file */
    char *dir, *file; /* path split in two */
    char *stem;       /* "libgame", for copy names */
    char *shadow_dir;
    char *shadow_name;
    char *env_override;
    hot__dir *shadow;  /* the shadow folder, held by descriptor */
    hot__owner *owner; /* lists this handle's copies, for crash sweeps */
    unsigned long load_counter;
    char copy_uuid[17];

    hot__version *current;          /* answering calls */
    hot__version *volatile pending; /* verified, waiting for hot_update */
    hot__version *retired;          /* older versions still mapped, newest
                                        first: the head is the rollback target */
    hot__rollback rb;               /* rollback.c's, read by the crash handler */
    unsigned long last_number;      /* the highest version number given */
    unsigned long version;
    int was_updated;
    uint64_t epoch;               /* bumped at each swap */
    hot__content_id last_refused; /* not retried until the file changes */
    hot__buffer read_buf;         /* the library's bytes as last read (load_mu) */
    int origin_deps;              /* atomic: the loaded version has $ORIGIN dependencies */

    struct {
        uint64_t thread;         /* hot__thread_self() */
        uint64_t os_id;          /* hot__thread_os_id(), to find it among the process's */
        uint64_t seen_epoch;     /* its last quiescent point */
    } threads[HOT__THREADS_MAX]; /* announced threads */
    unsigned n_threads;
    int threads_overflow;    /* more threads than slots: unload nothing */
    int unloaded_once;       /* the first unload has been logged (atomic) */
    unsigned long serial;    /* this handle among all opened in the process */
    int bound_warned;        /* the max_retired warning was given (atomic) */
    int held_warned;         /* ...and the one for versions held over it (atomic) */
    hot__mutex retire_mu;    /* held by the thread doing the retire work */
    unsigned unloading;      /* cut off lib->retired, not yet unloaded (atomic) */
    int retire_due;          /* the watcher is asked to do it (atomic) */
    uint64_t retire_due_ns;  /* since when (atomic) */
    int copies_due;          /* a swap left an old copy to delete (atomic) */
    uint64_t unproven_epoch; /* epoch + 1 of the last look that held versions */
    uint64_t retry_at_ns;    /* when the watcher looks again (atomic; 0: no) */
    unsigned retry_ms;       /* the wait before it (retire_mu) */
    uint64_t retry_epoch;    /* the epoch it was counted from (retire_mu) */

    /* Tables of the last versions unloaded by max_retired's time grace: a
     * thread that read the slot before the swap and never said when it
     * left may still read their entries (a few words each). */
    hot_fn **stale_tables;
    size_t n_stale;

    hot__callback *callbacks;
    struct hot_listener *listeners;
    unsigned holds_out; /* hold listeners yet to release */

    long channel;                               /* HOTRELOAD_EVENT_FD, or -1 */
    char announce_name[HOT__ANNOUNCE_NAME_MAX]; /* the supervisor socket's (announce.c) */
    int announce_warned;                        /* its name was found taken (atomic) */

    unsigned waiters; /* threads inside hot_wait_reload */

    hot__watch *watch;
    hot__thread watcher;
    uint64_t watcher_self;     /* its hot__thread_self() (atomic) */
    unsigned long watcher_pid; /* the process it runs in (atomic) */
    int watcher_working;       /* atomic: its loop runs, it takes the retire work */
    int watching;              /* atomic: a watcher thread runs */
    int watcher_done;          /* the watcher thread has left its loop (lib->mu) */
    int closing;

    char errmsg[HOT__MSG_MAX];
    /* Every reason of the last refusal, one per line, when it had more than
     * errmsg names; sent on the channel with the refusal (events.c). */
    char refusal_reasons[HOT__REASONS_MAX];

    hot__wake *wake;    /* hot_fd()'s descriptor, or NULL (wake.c) */
    int wake_signalled; /* it is readable: hot_update drains it */
    int wake_lock;      /* hot__spin_lock: the flag and the descriptor agree */

    hot__keep *keep; /* hot_keep_object()'s objects, or NULL (keep.c) */
};

/* ---- Small shared pieces --------------------------------------------------- */

/* A lock for a few instructions of bookkeeping, usable before anything is
 * initialised (the handle registry, listener detaching). */
static inline void hot__spin_lock(int *lock)
{
    while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
        ;
}

static inline void hot__spin_unlock(int *lock)
{
    __atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

/* ---- wake.c: hot_fd() ----------------------------------------------------- */
/* A reason to call hot_update came (a parked build, a watcher reload). */
void hot__wake_signal(hot_lib *lib);
/* hot_update is being called: the descriptor is no longer readable. */
void hot__wake_drain(hot_lib *lib);
void hot__wake_free(hot_lib *lib);

/* For work that must see no load and no swap (rollback): takes
 * lib->load_mu, then lib->swap_mu. HOT_EBUSY if this thread holds either
 * already (an event callback runs with one held): take neither then. */
static inline int hot__load_lock(hot_lib *lib)
{
    uint64_t self = hot__thread_self();

    if (__atomic_load_n(&lib->load_owner, __ATOMIC_ACQUIRE) == self ||
        __atomic_load_n(&lib->swap_owner, __ATOMIC_ACQUIRE) == self)
        return HOT_EBUSY;
    hot__mutex_lock(&lib->load_mu);
    __atomic_store_n(&lib->load_owner, self, __ATOMIC_RELEASE);
    hot__mutex_lock(&lib->swap_mu);
    __atomic_store_n(&lib->swap_owner, self, __ATOMIC_RELEASE);
    return 0;
}

static inline void hot__load_unlock(hot_lib *lib)
{
    __atomic_store_n(&lib->swap_owner, 0, __ATOMIC_RELEASE);
    hot__mutex_unlock(&lib->swap_mu);
    __atomic_store_n(&lib->load_owner, 0, __ATOMIC_RELEASE);
    hot__mutex_unlock(&lib->load_mu);
}
/* ---- keep.c: objects kept across restarts, by field name ----------------- */
typedef struct hot__kept_field {
    char *name; /* "x", or a path: "pos.x" */
    unsigned long offset, size;
    unsigned kind; /* HOT__FIELD_KIND's class; 0: unknown */
} hot__kept_field;
typedef struct hot__kept_layout {
    char *type;
    unsigned long size;
    size_t n;
    hot__kept_field *fields;
} hot__kept_layout;
int hot__kept_layout_from_manifest(hot__kept_layout *l, const hot_manifest *m, const char *type,
                                   const unsigned char *kinds);
/* The layout of a HOT_STRUCT definition's text, if it is made of known
 * scalar types and comes to size and align; else HOT_EINVAL. */
int hot__kept_layout_from_definition(hot__kept_layout *l, const char *type, const char *definition,
                                     unsigned long size, unsigned long align);
void hot__kept_layout_free(hot__kept_layout *l);
/* Fills object (holding its initial values, laid out as now) from bytes
 * laid out as saved, field by field name; warn names each field left at its
 * initial value ("" if none). */
void hot__kept_migrate(const hot__kept_layout *saved, const unsigned char *bytes,
                       const hot__kept_layout *now, void *object, char *warn, size_t warnlen);
hot__keep *hot__keep_new(void);
int hot__keep_encode(const hot__keep *k, char **out, size_t *outlen);
int hot__keep_decode(hot__keep *k, char *text);
void hot__keep_free(hot__keep *k);
/* coverage.c, at hot_open: warns of listed types with bytes no field covers. */
void hot__warn_uncovered(hot_lib *lib);
/* hot_close: writes the kept objects to HOTRELOAD_STATE_FILE, if set. */
void hot__keep_save(hot_lib *lib);

/* ---- error.c ------------------------------------------------------------ */
int hot__fail(hot_lib *lib, int err, const char *fmt, ...);
void hot__set_last_error(const char *fmt, ...);
char *hot__strdup(const char *s);
char *hot__printf(const char *fmt, ...);

/* ---- log.c -------------------------------------------------------------- */
hot_log_level hot__log_level_from_env(void);
void hot__log(const hot_lib *lib, hot_log_level level, const char *fmt, ...);

/* ---- elf.c -------------------------------------------------------------- */
/* Checks that buf is a complete shared object for this machine and reads
 * its GNU build-id (id->len 0 if none). */
int hot__elf_check(const unsigned char *buf, size_t size, int machine, hot__content_id *id,
                   char *msg, size_t msglen);

/* What a shared object's dynamic section names; pointers into its bytes. */
typedef struct hot__elf_dyn {
    const char *needed[HOT__DEPS_MAX]; /* DT_NEEDED, in order */
    unsigned n_needed;
    const char *soname;  /* or NULL */
    const char *runpath; /* DT_RUNPATH, else DT_RPATH, or NULL */
} hot__elf_dyn;

/* Reads the dynamic section of a complete shared object (any machine). */
int hot__elf_dynamic(const unsigned char *buf, size_t size, hot__elf_dyn *out);
/* Rewrites in place each DT_NEEDED and DT_SONAME string equal to from as
 * to, of the same length (nothing moves); returns how many. */
int hot__elf_rename_needed(unsigned char *buf, size_t size, const char *from, const char *to);

/* ---- deps.c: dependencies found through $ORIGIN -------------------------- */
typedef struct hot__deps {
    char path[HOT__DEPS_MAX][1100];
    char needed[HOT__DEPS_MAX][256];
    unsigned char *bytes[HOT__DEPS_MAX];
    size_t size[HOT__DEPS_MAX];
    unsigned n;
} hot__deps;

/* Reads those the original's $ORIGIN rpath finds; id hashes their bytes. */
int hot__deps_read(hot_lib *lib, const unsigned char *buf, size_t size, hot__deps *d,
                   hot__content_id *id);
/* Loads them into v, each from a copy with a unique SONAME that `copy`
 * (the library's bytes, to be written as its copy) then names. */
int hot__deps_load(hot_lib *lib, hot__deps *d, unsigned char *copy, size_t size, hot__version *v);
void hot__deps_free(hot__deps *d);

/* A section by name: its bytes in buf (not for SHT_NOBITS), and whether it
 * is compressed (SHF_COMPRESSED). Returns 0 or HOT_ENOTLIB if absent. */
int hot__elf_section(const unsigned char *buf, size_t size, const char *name,
                     const unsigned char **data, size_t *len, int *compressed);

/* ---- dwarf.c: a struct's members from the debug information --------------- */
typedef struct hot__dwarf hot__dwarf;
typedef struct hot__dwarf_member {
    char path[256];       /* "lives", or "pos.x" inside a member */
    unsigned long offset; /* from the start of the listed type */
    unsigned long size;   /* 0 if not known (a flexible array) */
    int bitfield;
} hot__dwarf_member;
/* Called for each member; nonzero to be called for its own members too. */
typedef int hot__dwarf_member_fn(void *ctx, const hot__dwarf_member *m);

/* The debug sections of a library's bytes (which must outlive it). Returns
 * 0, or HOT_ENOTLIB with msg saying why there is nothing to read. */
int hot__dwarf_open(hot__dwarf **out, const unsigned char *buf, size_t size, char *msg,
                    size_t msglen);
/* Finds the definition of type ("struct game", "union u", a typedef name)
 * of that size and calls each() for its members in order. Returns 1 if
 * found, 0 if not, HOT_ENOTLIB (msg says where) if the debug info cannot
 * be read: a form this reader does not know, or bytes out of bounds. */
int hot__dwarf_members(hot__dwarf *d, const char *type, unsigned long size,
                       hot__dwarf_member_fn *each, void *ctx, char *msg, size_t msglen);
/* Whether a skeleton unit was seen (-gsplit-dwarf: the types are in .dwo). */
int hot__dwarf_split(const hot__dwarf *d);
unsigned hot__dwarf_version(const hot__dwarf *d);
void hot__dwarf_close(hot__dwarf *d);

/* coverage.c: hot_manifest_uncovered from the debug info when the library
 * has it; how says what was used, one line. */
int hot__uncovered_named(const hot_manifest *m, const unsigned char *buf, size_t size, char *out,
                         size_t len, char *how, size_t howlen);

/* Finds the first dynamic symbol whose name starts with prefix; copies the
 * name to out. Returns 0 or HOT_ENOMANIFEST. */
int hot__elf_find_symbol(const unsigned char *buf, size_t size, const char *prefix, char *out,
                         size_t outlen);

/* ---- hash.c ------------------------------------------------------------- */
void hot__hash_content(const unsigned char *buf, size_t size, hot__content_id *id);
/* Writes 2 * n lowercase hex digits and a terminating NUL to out. */
void hot__hex(const unsigned char *bytes, size_t n, char *out);
int hot__content_id_equal(const hot__content_id *a, const hot__content_id *b);

/* ---- verify.c ----------------------------------------------------------- */
/* Compares a library's manifest with what the host expects and fills the
 * table (if not NULL) in host order. Writes every reason, one per line, to
 * msg and returns the first reason's code, or 0. */
int hot__verify(const hot_manifest *expected, const hot_manifest *found, int ignore_compiler,
                hot_fn *table, char *msg, size_t msglen);
/* "long (struct state *s, float dt)" -> "long (struct state *, float)" */
void hot__normalize_signature(const char *sig, char *out, size_t outlen);
/* Refuses a host compiled for another ABI, or whose interface is compiled
 * differently in two of its objects. */
int hot__check_host(hot_lib *lib);

/* ---- iface.c ------------------------------------------------------------ */
/* Stores table (NULL: the traps) in the slot of iface and of every object's
 * registered interface of the same name and function list. */
void hot__iface_store(const hot_interface *iface, hot_fn *table);
/* Async-signal-safe: is slot one of the slots iface's library fills? */
int hot__iface_serves(const hot_interface *iface, hot_fn *volatile *slot);
/* HOT_EMISMATCH (msg set) if another object registered the same interface
 * name with other functions or types. */
int hot__iface_check(const hot_interface *iface, char *msg, size_t msglen);

/* ---- options.c ---------------------------------------------------------- */
/* opts_size: the caller's sizeof(hot_options); fields past it take their
 * defaults. */
int hot__options_apply(hot_lib *lib, const char *name, const hot_options *opts, size_t opts_size);
/* libdir.c: the folder `file` is in, for the folder the options name
 * (NULL: "."): see libdir.c for the order. Caller frees; NULL: no memory. */
char *hot__library_dir(const hot_lib *lib, const char *dir, const char *file);
char *hot__expand_copy_name(const hot_lib *lib);

/* ---- shadow.c ----------------------------------------------------------- */
int hot__shadow_init(hot_lib *lib);
void hot__shadow_sweep(const char *shadow_dir);
/* Copies buf into the shadow folder as v's copy (v->copy_path, copy_dir). */
int hot__shadow_write(hot_lib *lib, const unsigned char *buf, size_t size, hot__version *v);
/* The path to dlopen v's copy by: through the held folder. Caller frees. */
char *hot__shadow_load_path(hot_lib *lib, const hot__version *v);
/* Deletes v's copy (not in a forked child: the parent's). */
void hot__shadow_forget(hot__version *v);
/* A dependency's copy, named after its unique SONAME, listed in v. */
int hot__shadow_write_dep(hot_lib *lib, const char *soname, const unsigned char *buf, size_t size,
                          hot__version *v);
/* The path the dynamic loader opens a copy of the shadow folder by. */
char *hot__shadow_load_path_of(hot_lib *lib, const char *copy_path);
/* An old version's copies, taken off it under lib->mu (it names none
 * after), to be deleted outside it: its blocks no segment maps first. */
typedef struct hot__old_copies {
    hot__dir *dir;
    void *handle; /* still loaded while they are deleted */
    char *path;
    char *deps[HOT__DEPS_MAX];
    unsigned n_deps;
} hot__old_copies;
int hot__shadow_take_copies(hot__version *v, hot__old_copies *out); /* 0: none */
void hot__shadow_delete_taken(hot__old_copies *c);
/* For hot_inspect: loads buf from a copy listed in an owner file of its
 * own (a constructor that crashes leaves nothing the next sweep keeps),
 * deleted once loaded. */
int hot__shadow_load_once(const unsigned char *buf, size_t size, void **handle, char *msg,
                          size_t msglen);
void hot__shadow_close(hot_lib *lib);
/* At exit: hot__shadow_exiting(), hot__shadow_delete_at_exit() for each
 * handle, then hot__shadow_exit_done() with all of them. */
void hot__shadow_exiting(void);
void hot__shadow_delete_at_exit(hot_lib *lib);
void hot__shadow_exit_done(hot_lib *const *libs, int n);

/* ---- loader.c ----------------------------------------------------------- */
/* Reads, checks, copies, loads and verifies the file now. Returns 1 with
 * *out set, 0 when the content is unchanged, or a refusal code (with
 * lib->errmsg set). quiet_incomplete: a file still being written is not a
 * refusal, only a reason to wait. */
int hot__load_version(hot_lib *lib, hot__version **out, int quiet_incomplete);
void hot__version_free(hot__version *v);

/* ---- lib.c -------------------------------------------------------------- */
/* Makes v the version answering calls (events, swap, retire the old);
 * swap_mu held. Returns 1, or 0 when the handle is closing: then v is
 * unloaded without ever answering a call. */
int hot__publish(hot_lib *lib, hot__version *v);
/* Is the handle closing (hot_close has begun)? */
int hot__closing(const hot_lib *lib);
/* For unloading without waiting: dlclose would wait for a load's
 * constructors (the dynamic loader's lock). Returns 0 if a load is running
 * (unload later), else a token for hot__loads_resume; no load starts
 * meanwhile. */
int hot__loads_pause(hot_lib *lib);
void hot__loads_resume(hot_lib *lib, int paused);
/* A watcher saw a complete (or settled) file: load, then publish or park. */
int hot__reload_from_watcher(hot_lib *lib, int settled, uint64_t detected_ns);

/* ---- events.c ----------------------------------------------------------- */
void hot__emit(hot_lib *lib, hot_event *ev);
void hot__emit_refused(hot_lib *lib, int err);
void hot__events_close(hot_lib *lib);
/* Is this thread running one of lib's event callbacks? */
int hot__in_callback(const hot_lib *lib);
/* Reports an event on the supervisor's channel, if there is one. */
void hot__channel_report(hot_lib *lib, const char *kind, unsigned long version, double ms,
                         int error, const char *message);
/* The supervisor socket (announce.c): its name in the shadow folder for a
 * library path; sending one channel line to it (when there is no channel). */
int hot__announce_name(const char *library, char *out, size_t len);
void hot__announce(hot_lib *lib, const char *line);

/* ---- state.c ------------------------------------------------------------ */
/* Finds a loaded version's state hooks and kept variables. */
void hot__state_resolve(hot__version *v, const hot_manifest *manifest);
/* Carries state from old (may be NULL) into v; warnings go to warn. */
void hot__state_carry(hot_lib *lib, hot__version *old, hot__version *v, char *warn, size_t warnlen);
/* Puts the state saved at the swap into v back into prev (rollback). */
void hot__state_restore(hot_lib *lib, hot__version *crashed, hot__version *prev, char *warn,
                        size_t warnlen);
void hot__state_free(hot__version *v);

/* ---- guard.c ------------------------------------------------------------- */
/* The table slot a guarded call goes through; NULL for hot_call_guarded. */
static inline hot_fn *volatile *hot__guard_slot(const hot_guard *g)
{
    return g->site->slot_ref ? *g->site->slot_ref : NULL;
}
/* The table of the version a guarded call entered; NULL for
 * hot_call_guarded. */
static inline hot_fn *hot__guard_table(const hot_guard *g)
{
    return g->entry ? g->entry - g->site->index : NULL;
}
/* What a watcher samples of a thread to find slow calls: the thread
 * writes it on each outermost guarded call while calls are timed (site
 * first, then the count), watchers read it. */
typedef struct hot__guard_sample {
    const hot_guard_site *site; /* the latest outermost call's */
    unsigned long entries;      /* outermost calls entered so far */
} hot__guard_sample;
extern __thread hot__guard_sample hot__guard_samples
    __attribute__((tls_model("initial-exec"), visibility("hidden")));
/* Turns on timing of guarded calls (the smallest timeout asked wins). */
void hot__guard_time_calls(void);
/* Calls report() for each outermost guarded call into iface (from any
 * object's table of it) that has run longer than timeout_ns, once per call.
 * It samples: a call counts from the first time a watcher saw it. */
void hot__guard_find_slow(const hot_interface *iface, uint64_t timeout_ns,
                          void (*report)(const char *function, double ms, void *arg), void *arg);
/* Installs the crash handlers (hot_open), so that even a crash outside
 * any guarded call is named before it passes on. */
void hot__guard_watch_crashes(void);
/* How many threads have a guard record (they are freed at thread exit). */
unsigned hot__guard_thread_records(void);

/* ---- The OS crash handler (src/unix/signals.c) ------------------------------- */
/* What the handler tells the portable code about a crash. */
typedef struct hot__crash {
    int signal;
    int is_abort;   /* SIGABRT: abort() or a failed assert */
    int sent;       /* sent by another process (kill): never ours */
    const void *pc; /* where it happened, or NULL */
    void *context;  /* the interrupted context (ucontext_t) */
} hot__crash;
/* Installs the crash handlers once (on_crash is called on the crashing
 * thread and may jump away, or return 1 when it edited the context to
 * resume) and gives this thread an alternate stack. */
void hot__crash_prepare_thread(int (*on_crash)(const hot__crash *crash));
/* Maps alternate stacks ahead of time until n (at most 8) wait in the
 * reserve; hot__crash_adopt_thread gives the calling thread one of them. */
int hot__crash_reserve_stacks(unsigned n);
int hot__crash_adopt_thread(void);
/* The guarded-call trampoline: plain, or counting outermost calls into
 * hot__guard_samples (src/linux/guard-x86_64.c; NULL where there is none). */
hot_fn hot__guard_trampoline_entry(int counting);
/* Makes the interrupted guarded call return to its wrapper from the
 * trampoline's saved words (hot_guard.env.words); the handler then returns.
 * 0 where there is no trampoline (src/linux/guard-x86_64.c). */
int hot__crash_return_to(const hot__crash *crash, void *const *words);
/* The interrupted instruction's address, or NULL where unknown. */
const void *hot__crash_pc(void *context);
/* After jumping out of the handler, unblocks sig again. */
void hot__crash_after_jump(int sig);
/* Async-signal-safe: writes one line to stderr. */
void hot__crash_write(const char *line);
const char *hot__signal_name(int sig);

/* ---- rollback.c: every decision a crash takes ------------------------------------ */
/* From open to close, the handle is known to the crash handler. */
int hot__rollback_attach(hot_lib *lib);
void hot__rollback_detach(hot_lib *lib); /* frees the crashed versions */
/* The crash handler may act for lib->current's table from now on; call
 * with lib->mu held after lib->current or lib->retired changed, and BEFORE
 * the slot is stored: no call can enter a table that is not armed. */
void hot__rollback_arm(hot_lib *lib);
/* Async-signal-safe: may the crash in guard g be recovered? */
int hot__rollback_can_recover(const hot_guard *g, const hot__crash *crash);
/* In the crash handler, for hot_call_guarded (no table to roll back):
 * 1 when the call may be cut short; else announces why not and returns 0. */
int hot__rollback_plain_can_recover(hot_lib *lib, const hot__crash *crash);
/* After the jump, on the normal stack: rolls back or stops. Returns 1 when
 * the call may be made again, 0 when it returns a zero value. */
int hot__rollback_recover(hot_guard *g);
/* A call reached a stopped interface: warns once per stop. */
void hot__rollback_note_stopped_call(hot_guard *g);
/* Async-signal-safe: one line naming the guarded call a crash passes
 * through (unrecoverable), written before the signal goes on. */
void hot__rollback_announce(const hot_guard *g, const hot__crash *crash);
/* Async-signal-safe: for a crash outside any guarded call, one line naming
 * the version and the nearest interface function if it is in one. */
void hot__rollback_announce_unguarded(const hot__crash *crash);
/* Is this build one that crashed? lib->mu held. */
int hot__rollback_refuses(hot_lib *lib, const hot__content_id *id);
unsigned hot__rollback_crashed_count(hot_lib *lib); /* lib->mu held */

/* ---- retire.c ----------------------------------------------------------- */
/* The open handle whose interface has this slot, or NULL (lib.c). */
hot_lib *hot__lib_of_slot(hot_fn *volatile *slot);
/* Moves old (the version just replaced) to the retired list; lib->mu held. */
void hot__retire(hot_lib *lib, hot__version *old);
/* Records that this thread is outside the library; asks for the retire
 * work (or does it, without a watcher thread: returns how many versions it
 * unloaded). */
int hot__note_quiescent(hot_lib *lib);
/* hot_update's quiescent point: as hot__note_quiescent, but only does the
 * work once per version seen by this thread. */
void hot__update_quiescent(hot_lib *lib);
/* A thread's first guarded call, into the interface behind slot: with
 * unload_retired, the thread now counts for grace periods. */
void hot__retire_announce(hot_fn *volatile *slot);
/* After a swap: asks for the retire work (old copies, old versions beyond
 * opts.max_retired or past their grace period). */
void hot__retire_after_swap(hot_lib *lib);
/* The retire work on this thread, now (the blocking calls); without a
 * watcher the swap did it already. */
int hot__retire_now(hot_lib *lib);
/* For the watcher thread: how long until the asked-for work is due (0:
 * none asked), and doing it once due. File events put it off. */
unsigned hot__retire_wait_ms(const hot_lib *lib, uint64_t last_event_ns, uint64_t now);
void hot__retire_run_due(hot_lib *lib, uint64_t last_event_ns, uint64_t now);
/* At close: frees what unloading kept. */
void hot__retire_close(hot_lib *lib);
/* A thread inside hot_wait_reload counts as announced and quiescent while
 * it waits (lib->mu held); 1: it was added, and goes again at leave. */
int hot__waiting_enter(hot_lib *lib);
void hot__waiting_leave(hot_lib *lib, int added);

/* ---- watcher.c ---------------------------------------------------------- */
int hot__watcher_start(hot_lib *lib);
/* Stops the watcher; HOT_ETIMEDOUT if it stayed busy loading past a bound
 * and was left running: nothing it uses may be freed then. */
int hot__watcher_stop(hot_lib *lib);

#endif /* HOT_INTERNAL_H */
