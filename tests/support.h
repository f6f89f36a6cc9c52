/*
 * What the integration tests share: a fresh folder per test holding
 * libfx.so, fixture libraries, ways to put a build in place the way build
 * tools do, counting shadow copies, and recording events.
 */
#ifndef HOT_TEST_SUPPORT_H
#define HOT_TEST_SUPPORT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "fx_api.h"
#include "harness.h"

/* fx_value() of the fixture builds (FX_VALUE in tests/CMakeLists.txt). */
enum { FX_V1 = 1, FX_V2 = 2, FX_V3 = 3, FX_PATCH_BASE = 1000 };

/* Short, so tests run fast; long enough for a loaded CI machine to see a
 * quiet file as quiet. */
enum { TEST_SETTLE_MS = 20, TEST_POLL_MS = 10 };

/* How long to wait for something that takes milliseconds: generous, since
 * sanitizers and a busy machine slow everything. */
enum { WAIT_MS = 10000 };

typedef struct fx_env {
    char dir[256];      /* a fresh folder holding libfx.so */
    char lib[300];      /* dir/libfx.so */
    char shadow[300];   /* dir/shadow: the handle's shadow copies */
    unsigned installs;  /* for unique temporary names */
} fx_env;

/* Makes the folder and puts build 1 (libfx_v1.so) in place as libfx.so. */
void env_init(fx_env *e);
/* Removes the folder and everything in it. */
void env_free(fx_env *e);
/* Options every test starts from: the folder, its shadow folder, short
 * settle and poll times. */
hot_options env_options(const fx_env *e);
/* hot_open("fx") with opts, asserting it succeeds. */
hot_lib *env_open(const hot_options *opts);

/* The path of a fixture library built by the build: lib<name>.so. */
const char *fixture(const char *name);

/* Puts bytes in place as libfx.so the way lld and editors do: written to a
 * temporary file in the same folder, then renamed over the old one. */
void install_bytes(fx_env *e, const void *buf, size_t len);
void install_fixture(fx_env *e, const char *name);
/* The same for another interface's library: fixture `name` as dir/file. */
void install_fixture_as(const fx_env *e, const char *name, const char *file);

unsigned char *read_whole(const char *path, size_t *len);
void write_whole(const char *path, const void *buf, size_t len);
/* A copy of libfx_patch.so whose fx_value() returns FX_PATCH_BASE + value;
 * every value gives different bytes. Caller frees. */
unsigned char *patched_build(long value, size_t *len);

int path_exists(const char *path);
/* Shadow copies (files not starting with '.') and owner files (.owner-*). */
int count_copies(const char *shadow_dir);
int count_owner_files(const char *shadow_dir);
/* How many loaded objects have a name under dir (dl_iterate_phdr). */
int count_loaded_under(const char *dir);

void sleep_ms(unsigned ms);
uint64_t now_ms(void);

/* Waits (hot_wait_reload, applying in HOT_APPLY_AT_UPDATE mode) until
 * fx_value() returns want. Returns 1, or 0 after timeout_ms. */
int wait_for_value(hot_lib *lib, long want, unsigned timeout_ms);

/* Runs fn(arg) on its own thread and waits for it up to WAIT_MS: a
 * deadlock fails the test, naming what blocked, instead of hanging it. */
void call_within(void *(*fn)(void *), void *arg, const char *what);
/* Waits up to WAIT_MS until done(arg) is true; fails the test naming what. */
void await_true(int (*done)(const void *), const void *arg, const char *what);

/* A copy of fixture `name` (which holds the FXPATCH tag once) whose
 * fx_value() returns FX_PATCH_BASE + value. Caller frees. */
unsigned char *patched_fixture(const char *name, long value, size_t *len);
void install_patched_fixture(fx_env *e, const char *name, long value);
/* Installs that build and reloads it now, asserting it answers. */
void reload_to_patch(fx_env *e, hot_lib *lib, const char *name, long value);
/* A frame of a host: a new build is made and loaded, then the frame ends at
 * the safe point (hot_update, this thread's quiescent point). */
void frame_with_reload(fx_env *e, hot_lib *lib, const char *name, long value);
/* This process's resident memory, and its mappings (/proc/self/maps lines). */
long rss_kib(void);
int mappings(void);

/* Waits until hot_versions_held(lib) is want (a build parked for
 * hot_update counts); fails the test after WAIT_MS. */
void wait_for_held(hot_lib *lib, unsigned want);
/* Waits until at most want shadow copies are left (the watcher thread
 * deletes old ones a moment after the swap); fails the test after WAIT_MS. */
void wait_for_copies(const char *shadow_dir, int want);
/* Old versions go on the watcher thread a few ms after the swap or the
 * quiescent point that let them: before asserting that one stays, give it
 * the time to do the wrong thing. */
void let_the_watcher_retire(void);

#define ASSERT_HOT_OK(expr)                                                   \
    do {                                                                      \
        int e_ = (expr);                                                      \
        if (e_ != 0)                                                          \
            FAIL("%s: %s (%s)", #expr, hot_errname(e_), hot_last_error());    \
    } while (0)
#define ASSERT_HOT_ERR(expr, code)                                            \
    do {                                                                      \
        int e_ = (expr), c_ = (code);                                         \
        if (e_ != c_)                                                         \
            FAIL("%s: %s, expected %s", #expr, hot_errname(e_), hot_errname(c_)); \
    } while (0)

/* ---- Recording events (hot_on_event) ----------------------------------- */

typedef struct recorded_event {
    hot_event_type type;
    unsigned long version, from_version;
    int error;
    char message[600];
    uint64_t thread;        /* pthread_self() of the thread it ran on */
    unsigned long live_version; /* hot_version() while it ran */
    long live_value;        /* fx_value() while it ran */
} recorded_event;

typedef struct recorder {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    hot_lib *lib;
    recorded_event events[128];
    int count;
    unsigned before_delay_ms; /* a BEFORE_RELOAD callback sleeps this long */
} recorder;

void recorder_init(recorder *r);
/* Registers the recorder for the events in mask. */
void recorder_attach(recorder *r, hot_lib *lib, unsigned mask);
/* The index of the first event of `type` at or after index `from`, waiting
 * up to timeout_ms for it; -1 if none came. */
int recorder_wait(recorder *r, unsigned type, int from, unsigned timeout_ms);
int recorder_count(recorder *r, unsigned type);
/* A copy of event i (taken under the recorder's lock). */
recorded_event recorder_get(recorder *r, int i);
void recorder_free(recorder *r);

/* ---- Capturing log lines (opts.log_fn) ---------------------------------- */

typedef struct log_capture {
    pthread_mutex_t mu;
    char lines[256][300];
    hot_log_level levels[256];
    int count;
} log_capture;

/* Points opts->log_fn at the capture. */
void log_capture_init(log_capture *c, hot_options *opts);
/* How many lines captured so far contain words. */
int count_lines(log_capture *c, const char *words);
/* The index of the first line containing words, waiting up to timeout_ms;
 * -1 if none came. */
int log_capture_find(log_capture *c, const char *words, unsigned timeout_ms);
int log_capture_count(log_capture *c);
void log_capture_free(log_capture *c);

/* ---- The fault seam ----------------------------------------------------- */

/* Makes the runtime's open() fail with err for `path` (NULL: stop). Tests
 * link the static runtime, whose seam table they can reach. */
void seam_fail_open(const char *path, int err);
/* Calls fn after each open() the runtime makes that succeeds (NULL: stop),
 * to run something at a precise point of the runtime's work. */
void seam_after_open(void (*fn)(const char *path, int fd));
/* Makes the runtime's write() fail with err for writes of at least
 * min_len bytes (0: stop). */
void seam_fail_writes(size_t min_len, int err);
/* Makes inotify_init1 fail with err. */
void seam_fail_inotify(int err);
/* Makes the shadow folder's call `call` ("openat", "mkdirat", "unlinkat",
 * "renameat", "fstatat") fail with err when the name it
 * is given contains match ("" or NULL: every time). First call it with
 * err 0 before hot_open (installs the fakes), then arm it; NULL call:
 * stop. */
void seam_fail_call(const char *call, const char *match, int err);
void seam_reset(void);
/* Installs a fake for every entry of the seam and makes the nth call of
 * `call` from now on fail with err, once ("open", "read", "write",
 * "dlopen", "dlsym", "inotify_init1", "inotify_add_watch", "openat",
 * "mkdirat", "unlinkat", "renameat", "fstatat", "stat", "pthread_create",
 * "malloc" for malloc, calloc and realloc), counting only calls whose name
 * (a path, a symbol; for read and write the file the descriptor refers
 * to) contains match ("" or NULL: every call). The first call installs
 * the fakes and must come before the runtime starts a thread; while its
 * threads run, arm a fault at most once, from none armed. NULL call: stop. */
void seam_fail_nth(const char *call, const char *match, long n, int err);
/* The same; with `every`, each matching call from the nth on fails too
 * (for a call whose one failure the runtime rightly survives). */
void seam_fail_from_nth(const char *call, const char *match, long n, int err, int every);
/* Matching calls seen since seam_fail_nth armed the fault. */
long seam_nth_seen(void);

/* For hot_call_guarded: an endless recursion (a stack overflow), arg an
 * int it never gets to write. */
void support_overflow(void *arg);

#endif
