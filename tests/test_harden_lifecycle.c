/*
 * Lifecycle hardening: the order of shutdown, the safe point, callbacks
 * that call the API, unloading old versions, and what an old version costs.
 * Each case fails (explicitly, never by the ctest timeout) against the code
 * before the fixes:
 *
 *   close       hot_close fences a swap in flight on another thread (its
 *               callbacks were freed under it, then it published into the
 *               closing handle), and abandons a held reload at once
 *   safe point  hot_update never waits for a load in progress
 *   reentry     hot_wait_reload from a callback is HOT_EBUSY; a log callback
 *               may call the API; a listener's own thread is not held by it
 *   announce    a thread's first guarded call announces it for unloading;
 *               the first unload says how many threads were announced;
 *               trap_unloaded makes a stray call a fault naming the version
 *   memory      old versions drop their state snapshot, old copies their
 *               unmapped blocks, and versions beyond max_retired go
 */
#include <elf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gx_api.h"
#include "support.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#  define SANITIZED 1
/* From the sanitizer runtime (its header is not always installed). */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

static int get_flag(const int *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void set_flag(int *p, int v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static int flag_is_set(const void *p)
{
    return get_flag(p);
}

static void await_flag(const int *p, const char *what)
{
    await_true(flag_is_set, p, what);
}

/* The kernel's view of a thread: 'S' once it sleeps in a lock or wait. */
static char thread_state(int tid)
{
    char path[64], buf[256], *end;
    FILE *f;

    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    f = fopen(path, "r");
    if (!f)
        return '?';
    if (!fgets(buf, sizeof buf, f))
        buf[0] = '\0';
    fclose(f);
    end = strrchr(buf, ')'); /* "tid (comm) S ..." */
    return end && end[1] == ' ' ? end[2] : '?';
}

static int thread_sleeps(const void *tid)
{
    return thread_state(get_flag(tid)) == 'S';
}

static void await_sleeping(const int *tid, const char *what)
{
    await_flag(tid, what);
    await_true(thread_sleeps, tid, what);
    sleep_ms(20); /* a lock taken on the way in is released quickly */
}

static int my_tid(void)
{
    return (int)syscall(SYS_gettid);
}

/* Threads of this process the test did not start (a sanitizer's own). */
static int foreign_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *ent;
    int n = 0;

    ASSERT(d != NULL);
    while ((ent = readdir(d)) != NULL)
        n += ent->d_name[0] != '.';
    closedir(d);
    return n - 1;
}

/* TSan starts its background thread with the process's second thread (and
 * again in a forked child): it never announces itself, so old versions
 * rightly stay mapped there. */
#if defined(__SANITIZE_THREAD__)
#  define SKIP_IF_FOREIGN_THREADS()                                                           \
      SKIP("TSan's own thread never announces itself: old versions rightly stay mapped")
#else
#  define SKIP_IF_FOREIGN_THREADS()                                                           \
      do {                                                                                   \
          if (foreign_threads() > 0)                                                         \
              SKIP("%d thread(s) of this process are not the test's: they never announce "   \
                   "themselves, so old versions rightly stay mapped",                        \
                   foreign_threads());                                                       \
      } while (0)
#endif

/* ---- 1. Shutdown -------------------------------------------------------------- */

typedef struct swap_in_flight {
    hot_lib *lib;
    int inside, release; /* the BEFORE_RELOAD callback is running / may end */
    int after_reloads;
    int update_result;
    int closer_tid, closed;
} swap_in_flight;

static void callback_holds_swap(const hot_event *ev, void *arg)
{
    swap_in_flight *s = arg;

    if (ev->type == HOT_EVENT_AFTER_RELOAD) {
        __atomic_add_fetch(&s->after_reloads, 1, __ATOMIC_ACQ_REL);
        return;
    }
    set_flag(&s->inside, 1);
    while (!get_flag(&s->release))
        sleep_ms(1);
}

static void *update_in_flight(void *arg)
{
    swap_in_flight *s = arg;

    s->update_result = hot_update(s->lib);
    return NULL;
}

static void *close_meanwhile(void *arg)
{
    swap_in_flight *s = arg;

    set_flag(&s->closer_tid, my_tid());
    hot_close(s->lib);
    set_flag(&s->closed, 1);
    return NULL;
}

/* A program thread is inside a swap (a BEFORE_RELOAD callback runs) when
 * another closes the handle: close waits for that swap, which publishes
 * nothing, and frees the callbacks only after it. */
TEST(lifecycle, close_fences_a_swap_in_flight)
{
    fx_env e;
    hot_options o;
    swap_in_flight s;
    pthread_t updater, closer;

    memset(&s, 0, sizeof s);
    env_init(&e);
    o = env_options(&e);
    s.lib = env_open(&o);
    ASSERT_HOT_OK(hot_on_event(s.lib, HOT_EVENT_BEFORE_RELOAD | HOT_EVENT_AFTER_RELOAD,
                               callback_holds_swap, &s));
    install_fixture(&e, "fx_v2");
    wait_for_held(s.lib, 2); /* parked for hot_update */
    ASSERT_EQ(pthread_create(&updater, NULL, update_in_flight, &s), 0);
    await_flag(&s.inside, "the swap reaching its callback");
    ASSERT_EQ(pthread_create(&closer, NULL, close_meanwhile, &s), 0);
    await_sleeping(&s.closer_tid, "hot_close");
    ASSERT_EQ(get_flag(&s.closed), 0); /* not while the swap runs */
    set_flag(&s.release, 1);
    pthread_join(updater, NULL);
    pthread_join(closer, NULL);
    ASSERT_EQ(s.update_result, 0);  /* the swap gave up: the handle is closing */
    ASSERT_EQ(s.after_reloads, 0); /* and published nothing */
    env_free(&e);
}

typedef struct held_reload {
    hot_lib *lib;
    recorder events;
} held_reload;

static void *close_handle(void *arg)
{
    held_reload *h = arg;
    hot_close(h->lib);
    return NULL;
}

/* A listener holds a reload (hold_timeout_ms is a minute): hot_close ends
 * the hold at once and the reload is abandoned, not published. */
TEST(lifecycle, close_abandons_a_held_reload)
{
    fx_env e;
    hot_options o;
    held_reload h;
    hot_listener *l;
    hot_event ev;

    env_init(&e);
    o = env_options(&e);
    o.apply = HOT_APPLY_AT_ONCE;
    o.hold_timeout_ms = 60000;
    h.lib = env_open(&o);
    recorder_init(&h.events);
    recorder_attach(&h.events, h.lib, HOT_EVENT_AFTER_RELOAD);
    ASSERT_HOT_OK(hot_listener_open(&l, h.lib, HOT_EVENT_BEFORE_RELOAD, 1));
    install_fixture(&e, "fx_v2");
    ASSERT_HOT_OK(hot_listener_wait(l, WAIT_MS, &ev));
    ASSERT_EQ(ev.type, HOT_EVENT_BEFORE_RELOAD);
    ASSERT_EQ(fx_value(), FX_V1); /* held */
    call_within(close_handle, &h, "hot_close while a listener holds a reload");
    ASSERT_EQ(recorder_count(&h.events, HOT_EVENT_AFTER_RELOAD), 0);
    hot_listener_close(l);
    recorder_free(&h.events);
    env_free(&e);
}

/* ---- 2. The safe point ---------------------------------------------------------- */

typedef struct update_call {
    hot_lib *lib;
    int result;
} update_call;

static void *call_update(void *arg)
{
    update_call *u = arg;
    u->result = hot_update(u->lib);
    return NULL;
}

static int file_exists(const void *path)
{
    return path_exists(path);
}

/* Build 2 is parked; build 3's constructor is still running in the watcher
 * (held by the test). hot_update swaps build 2 in without waiting for it. */
TEST(lifecycle, safe_point_never_waits_for_a_load)
{
    fx_env e;
    hot_options o;
    update_call u;
    char gate[300], entered[340], open_path[340];

    env_init(&e);
    snprintf(gate, sizeof gate, "%s/gate", e.dir);
    snprintf(entered, sizeof entered, "%s/entered", gate);
    snprintf(open_path, sizeof open_path, "%s/open", gate);
    ASSERT_EQ(mkdir(gate, 0700), 0);
    setenv("FX_GATE_DIR", gate, 1); /* before the watcher thread reads it */
    o = env_options(&e);
    u.lib = env_open(&o);
    install_fixture(&e, "fx_v2");
    wait_for_held(u.lib, 2);
    install_fixture(&e, "fx_gate");
    await_true(file_exists, entered, "build 3's constructor starting");
    call_within(call_update, &u, "hot_update while build 3 loads");
    ASSERT_EQ(u.result, 1);
    ASSERT_EQ(fx_value(), FX_V2);
    write_whole(open_path, "", 0);
    wait_for_held(u.lib, 3); /* build 3 loaded and parked */
    ASSERT_EQ(hot_update(u.lib), 1);
    ASSERT_EQ(fx_value(), FX_V3);
    hot_close(u.lib);
    unsetenv("FX_GATE_DIR");
    env_free(&e);
}

/* ---- 3. Calls back into the API ----------------------------------------------- */

typedef struct waiting_callback {
    hot_lib *lib;
    int result, done;
} waiting_callback;

static void wait_from_callback(const hot_event *ev, void *arg)
{
    waiting_callback *w = arg;

    w->result = hot_wait_reload(w->lib, ev->version, 0); /* for ever */
    set_flag(&w->done, 1);
}

TEST(lifecycle, wait_reload_from_callback_is_busy)
{
    fx_env e;
    hot_options o;
    waiting_callback w;

    memset(&w, 0, sizeof w);
    env_init(&e);
    o = env_options(&e);
    o.apply = HOT_APPLY_AT_ONCE;
    w.lib = env_open(&o);
    ASSERT_HOT_OK(hot_on_event(w.lib, HOT_EVENT_AFTER_RELOAD, wait_from_callback, &w));
    install_fixture(&e, "fx_v2");
    await_flag(&w.done, "hot_wait_reload called from an event callback");
    ASSERT_HOT_ERR(w.result, HOT_EBUSY);
    ASSERT_CONTAINS(hot_errmsg(w.lib), "inside a reload");
    hot_close(w.lib);
    env_free(&e);
}

static hot_lib *logging_lib;
static int hold_warned;

static void log_calls_api(hot_log_level level, const char *line, void *userdata)
{
    hot_lib *lib = __atomic_load_n(&logging_lib, __ATOMIC_ACQUIRE);

    (void)level;
    (void)userdata;
    if (lib)
        (void)hot_versions_held(lib); /* takes the handle's lock */
    if (strstr(line, "held the reload"))
        set_flag(&hold_warned, 1);
}

static int answers_v2(const void *unused)
{
    (void)unused;
    return fx_value() == FX_V2; /* without a lock: the handle's may be stuck */
}

/* The hold timeout's warning goes to a log callback that calls the API. */
TEST(lifecycle, log_callback_may_call_the_api)
{
    fx_env e;
    hot_options o;
    hot_listener *l;
    hot_lib *lib;

    env_init(&e);
    o = env_options(&e);
    o.apply = HOT_APPLY_AT_ONCE;
    o.hold_timeout_ms = 100;
    o.log_fn = log_calls_api;
    lib = env_open(&o);
    __atomic_store_n(&logging_lib, lib, __ATOMIC_RELEASE);
    ASSERT_HOT_OK(hot_listener_open(&l, lib, HOT_EVENT_BEFORE_RELOAD, 1)); /* never released */
    install_fixture(&e, "fx_v2");
    await_true(answers_v2, NULL, "the reload after the hold timeout");
    await_flag(&hold_warned, "the hold timeout's warning");
    __atomic_store_n(&logging_lib, NULL, __ATOMIC_RELEASE);
    hot_listener_close(l);
    hot_close(lib);
    env_free(&e);
}

typedef struct listening_updater {
    fx_env *env;
    hot_lib *lib;
    int update_result;
    hot_event_type seen[2];
} listening_updater;

/* This thread listens with hold=1 and is also the one that calls
 * hot_update: its own reload must not wait for its release. */
static void *listen_and_update(void *arg)
{
    listening_updater *u = arg;
    hot_listener *l;
    hot_event ev;
    int i;

    ASSERT_HOT_OK(hot_listener_open(&l, u->lib, HOT_EVENT_ALL, 1));
    ASSERT_HOT_ERR(hot_listener_wait(l, 1, &ev), HOT_ETIMEDOUT);
    install_fixture(u->env, "fx_v2");
    wait_for_held(u->lib, 2);
    u->update_result = hot_update(u->lib);
    for (i = 0; i < 2; i++) {
        ASSERT_HOT_OK(hot_listener_wait(l, WAIT_MS, &ev));
        u->seen[i] = ev.type;
    }
    hot_listener_close(l);
    return NULL;
}

TEST(lifecycle, listener_thread_updating_is_not_held_by_itself)
{
    fx_env e;
    hot_options o;
    listening_updater u;

    memset(&u, 0, sizeof u);
    env_init(&e);
    o = env_options(&e);
    o.hold_timeout_ms = 60000;
    u.env = &e;
    u.lib = env_open(&o);
    call_within(listen_and_update, &u, "hot_update on the thread of a holding listener");
    ASSERT_EQ(u.update_result, 1);
    ASSERT_EQ(u.seen[0], HOT_EVENT_BEFORE_RELOAD);
    ASSERT_EQ(u.seen[1], HOT_EVENT_AFTER_RELOAD);
    ASSERT_EQ(fx_value(), FX_V2);
    hot_close(u.lib);
    env_free(&e);
}

/* ---- 4. Unloading and announced threads ----------------------------------------- */

typedef struct guarded_thread {
    hot_lib *lib;
    int called, quiesce, quiesced, leave;
} guarded_thread;

static void *call_guarded_then_quiesce(void *arg)
{
    guarded_thread *g = arg;

    ASSERT_EQ(gx_value(), 1); /* its first guarded call: no hot_quiescent before */
    set_flag(&g->called, 1);
    await_flag(&g->quiesce, "the test letting the thread pass a quiescent point");
    hot_quiescent(g->lib);
    set_flag(&g->quiesced, 1);
    await_flag(&g->leave, "the end of the test");
    hot_thread_leave(g->lib);
    return NULL;
}

/* A thread that only ever made a guarded call keeps the version it may be
 * inside mapped until it passes a quiescent point. */
TEST(lifecycle, first_guarded_call_announces_the_thread)
{
    fx_env e;
    hot_options o;
    guarded_thread g;
    log_capture logs;
    pthread_t t;
    int line;

    memset(&g, 0, sizeof g);
    env_init(&e);
    install_fixture(&e, "gx_v1");
    o = env_options(&e);
    o.unload_retired = 1;
    o.log_level = HOT_LOG_INFO;
    log_capture_init(&logs, &o);
    ASSERT_HOT_OK(hot_open(&g.lib, e.lib, HOT_IFACE(gx), &o));
    hot_quiescent(g.lib); /* this thread announces itself */
    ASSERT_EQ(pthread_create(&t, NULL, call_guarded_then_quiesce, &g), 0);
    await_flag(&g.called, "the guarded call");
    install_fixture(&e, "gx_v2_crash");
    ASSERT_EQ(hot_reload_now(g.lib), 1);
    ASSERT_EQ(gx_value(), 2);
    hot_quiescent(g.lib);
    let_the_watcher_retire();
    ASSERT_EQ(hot_versions_held(g.lib), 2); /* the other thread may be in v1 */
    set_flag(&g.quiesce, 1);
    await_flag(&g.quiesced, "the other thread's quiescent point");
    hot_quiescent(g.lib);
    wait_for_held(g.lib, 1);
    line = log_capture_find(&logs, "2 thread(s) announced themselves", WAIT_MS);
    ASSERT(line >= 0);
    set_flag(&g.leave, 1);
    pthread_join(t, NULL);
    hot_close(g.lib);
    log_capture_free(&logs);
    env_free(&e);
}

/* In a child: a pointer into v1, kept across quiescent points (the code
 * holding it never said it was inside), is called after v1 was unloaded:
 * with unload_retired, or by default beyond max_retired (1 here), every
 * thread of the process being accounted for. */
static void call_unloaded_code_in(fx_env *e, int by_default)
{
    hot_options o = env_options(e);
    long (*stray)(void);
    hot_lib *lib;
    int unloaded;

    o.unload_retired = !by_default;
    o.max_retired = by_default ? 1 : 0;
    o.trap_unloaded = 1;
    o.watch = HOT_WATCH_NONE;
    lib = env_open(&o);
    stray = (long (*)(void))hot__table_fx[hot__i_fx_value];
    hot_quiescent(lib);
    if (by_default) {
        frame_with_reload(e, lib, "fx_patch", 1);
        frame_with_reload(e, lib, "fx_patch", 2);
        unloaded = hot_versions_held(lib) == 2;
    } else {
        install_fixture(e, "fx_v2");
        unloaded = hot_reload_now(lib) == 1 && hot_quiescent(lib) == 1;
    }
    if (!unloaded)
        _exit(3);
    fprintf(stderr, "stray call returned %ld\n", stray());
    _exit(0);
}

static void call_unloaded_code(fx_env *e)
{
    call_unloaded_code_in(e, 0);
}

static void call_unloaded_code_by_default(fx_env *e)
{
    call_unloaded_code_in(e, 1);
}

static void read_all_fd(int fd, char *out, size_t cap)
{
    size_t used = 0;
    ssize_t n;

    while (used + 1 < cap && (n = read(fd, out + used, cap - 1 - used)) > 0)
        used += (size_t)n;
    out[used] = '\0';
}

/* Runs child(e) in a forked process whose stderr is read: it must die of
 * SIGSEGV with the line that names v1. */
static void expect_trapped_stray_call(void (*child_main)(fx_env *e))
{
    fx_env e;
    int pipe_fds[2], status;
    char output[4096];
    pid_t child;

    env_init(&e);
    ASSERT_EQ(pipe(pipe_fds), 0);
    child = fork();
    ASSERT(child >= 0);
    if (child == 0) {
        dup2(pipe_fds[1], 2);
        close(pipe_fds[0]);
        child_main(&e);
    }
    close(pipe_fds[1]);
    read_all_fd(pipe_fds[0], output, sizeof output);
    close(pipe_fds[0]);
    ASSERT_EQ(waitpid(child, &status, 0), child);
    harness_note("child said: %s", output);
    ASSERT(WIFSIGNALED(status));
    ASSERT_EQ(WTERMSIG(status), SIGSEGV);
    ASSERT_CONTAINS(output, "v1 of libfx.so after it was unloaded");
    env_free(&e);
}

TEST(lifecycle, trap_unloaded_names_the_version)
{
    expect_trapped_stray_call(call_unloaded_code);
}

/* ---- 5. What old versions cost ------------------------------------------------- */

static size_t heap_in_use(void)
{
#ifdef SANITIZED
    return __sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
#endif
}

/* Each swap saves a 4 MiB state snapshot; only the current version's can
 * ever be restored, so ten reloads hold one, not ten. */
TEST(lifecycle, old_versions_drop_their_snapshot)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    size_t before, after;
    long i;

    env_init(&e);
    install_patched_fixture(&e, "fx_bigstate", 0);
    o = env_options(&e);
    o.watch = HOT_WATCH_NONE;
    o.max_retired = HOT_KEEP_ALL_VERSIONS; /* every version stays mapped */
    lib = env_open(&o);
    before = heap_in_use();
    for (i = 1; i <= 10; i++)
        reload_to_patch(&e, lib, "fx_bigstate", i);
    after = heap_in_use();
    harness_note("heap grew by %zu KiB over 10 reloads", (after - before) / 1024);
    ASSERT_EQ(hot_versions_held(lib), 11);
    ASSERT_LT(after - before, 3 * 4194304);
    hot_close(lib);
    env_free(&e);
}

/* Versions beyond max_retired (default 8) are unloaded in a process whose
 * only thread (besides the runtime's watcher) passes hot_update every
 * frame, with one warning; the rollback target stays. */
TEST(lifecycle, versions_beyond_the_bound_are_unloaded)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    log_capture logs;
    long i;

    SKIP_IF_FOREIGN_THREADS();
    env_init(&e);
    o = env_options(&e);
    log_capture_init(&logs, &o);
    lib = env_open(&o);
    ASSERT_EQ(hot_update(lib), 0);
    for (i = 1; i <= 13; i++)
        frame_with_reload(&e, lib, "fx_patch", i);
    ASSERT_EQ(hot_versions_held(lib), 1 + 8);
    ASSERT_EQ(count_loaded_under(e.shadow), 1 + 8);
    ASSERT(log_capture_find(&logs, "old versions are mapped (opts.max_retired)", 0) >= 0);
    frame_with_reload(&e, lib, "fx_patch", 14);
    ASSERT_EQ(count_lines(&logs, "opts.max_retired"), 1); /* warned once */
    ASSERT_EQ(count_lines(&logs, "never announced"), 0);
    hot_close(lib);
    log_capture_free(&logs);
    env_free(&e);
}

/* Bytes of the file that the PT_LOAD segments map, in whole pages. */
static size_t mapped_file_bytes(const char *path)
{
    size_t len, total = 0, page = (size_t)sysconf(_SC_PAGESIZE);
    unsigned char *buf = read_whole(path, &len);
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;
    int i;

    for (i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *ph = (const Elf64_Phdr *)(buf + eh->e_phoff + (size_t)i * eh->e_phentsize);
        if (ph->p_type == PT_LOAD)
            total += (ph->p_offset % page + ph->p_filesz + 2 * page - 1) / page * page;
    }
    free(buf);
    return total;
}

/* Can this folder's file system punch holes at all? */
static int can_punch(const char *dir)
{
    char path[400];
    static char block[65536];
    struct stat before, after;
    int fd, ok;

    snprintf(path, sizeof path, "%s/punch-probe", dir);
    fd = open(path, O_CREAT | O_RDWR, 0600);
    ASSERT(fd >= 0);
    ASSERT_EQ(write(fd, block, sizeof block), (ssize_t)sizeof block);
    fsync(fd);
    fstat(fd, &before);
    ok = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, sizeof block) == 0;
    fstat(fd, &after);
    close(fd);
    unlink(path);
    return ok && after.st_blocks < before.st_blocks;
}

/* An old copy, deleted but still mapped, keeps only the blocks its segments
 * map: the debug information of a -g3 build is given back. */
TEST(lifecycle, deleted_copies_keep_only_mapped_blocks)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    struct stat before, after;
    size_t mapped;
    int fd;

    env_init(&e);
    if (!can_punch(e.dir))
        SKIP("the file system of %s cannot punch holes", e.dir);
    install_patched_fixture(&e, "fx_debuginfo", 0);
    mapped = mapped_file_bytes(e.lib);
    o = env_options(&e);
    o.watch = HOT_WATCH_NONE;
    lib = env_open(&o);
    fd = open(hot_loaded_path(lib), O_RDONLY);
    ASSERT(fd >= 0);
    ASSERT_EQ(fstat(fd, &before), 0);
    reload_to_patch(&e, lib, "fx_debuginfo", 1);
    reload_to_patch(&e, lib, "fx_debuginfo", 2); /* v1's copy leaves the disk */
    ASSERT_EQ(fstat(fd, &after), 0);
    harness_note("v1's copy: %lld bytes, %lld allocated before, %lld after; segments map %zu",
                 (long long)before.st_size, (long long)before.st_blocks * 512,
                 (long long)after.st_blocks * 512, mapped);
    ASSERT_EQ(after.st_nlink, 0);
    ASSERT_GT((size_t)before.st_blocks * 512, mapped); /* debug info beyond the segments */
    ASSERT_LT(after.st_blocks, before.st_blocks);
    ASSERT_LE((size_t)after.st_blocks * 512, mapped);
    close(fd);
    ASSERT_EQ(fx_value(), FX_PATCH_BASE + 2);
    hot_close(lib);
    env_free(&e);
}

/* The figure of issue 8 item 37: 1,000 reloads of a -g library with the
 * default options (only the folders set) in a single-threaded host calling
 * hot_update every frame, RSS and mappings before and after. */
TEST(lifecycle, thousand_reloads_stay_bounded)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    long i, rss0, rss_loop, rss_end;
    int maps0, maps_loop, maps_end;

#ifdef SANITIZED
    SKIP("RSS under a sanitizer measures the sanitizer");
#endif
    env_init(&e);
    install_patched_fixture(&e, "fx_debuginfo", 0);
    o = env_options(&e);
    lib = env_open(&o);
    ASSERT_EQ(hot_update(lib), 0);
    for (i = 1; i <= 21; i++) /* warm up: the bound reached, the allocator settled */
        frame_with_reload(&e, lib, "fx_debuginfo", i);
    rss0 = rss_kib();
    maps0 = mappings();

    for (i = 22; i < 1022; i++)
        frame_with_reload(&e, lib, "fx_debuginfo", i);
    rss_loop = rss_kib();
    maps_loop = mappings();
    frame_with_reload(&e, lib, "fx_debuginfo", 1022);
    rss_end = rss_kib();
    maps_end = mappings();

    harness_note("1000 reloads: RSS %ld -> %ld KiB right after (%u versions held), %ld KiB one "
                 "more reload later; mappings %d -> %d -> %d",
                 rss0, rss_loop, hot_versions_held(lib), rss_end, maps0, maps_loop, maps_end);
    ASSERT_EQ(hot_versions_held(lib), 1 + 8);
    ASSERT_LE(maps_end, maps0 + 2);
    ASSERT_LE(rss_end - rss0, 1024);
    hot_close(lib);
    env_free(&e);
}

/* ---- 6. A thread that never announced itself ------------------------------------ */

typedef struct long_call {
    struct fx_state st;
    long result;
} long_call;

static void *call_fx_step(void *arg)
{
    long_call *c = arg;

    c->result = fx_step(&c->st, 0); /* a plain call: never announces the thread */
    return NULL;
}

static int inside_long_call(const void *arg)
{
    return __atomic_load_n(&((const long_call *)arg)->st.counter, __ATOMIC_ACQUIRE) == 2;
}

/* Item 23 by default: a thread that never announced itself sits inside v1
 * (asleep in usleep, called from v1's fx_step) while the main thread
 * reloads 12 times (well past max_retired, and for more than a second).
 * v1 stays mapped (its return address is on that thread's stack) and the
 * call returns v1's answer; the versions no thread holds go down to the
 * bound. Once that thread has exited, the next reload unloads v1 too. */
TEST(lifecycle, unannounced_thread_keeps_its_version_mapped)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    long_call c;
    pthread_t t;
    long i;

    env_init(&e);
    install_patched_fixture(&e, "fx_longcall", 0);
    o = env_options(&e);
    lib = env_open(&o);
    ASSERT_EQ(hot_update(lib), 0);
    memset(&c, 0, sizeof c);
    c.st.counter = 1;
    ASSERT_EQ(pthread_create(&t, NULL, call_fx_step, &c), 0);
    await_true(inside_long_call, &c, "the other thread inside v1's fx_step");
    for (i = 1; i <= 10; i++)
        frame_with_reload(&e, lib, "fx_longcall", i);
    sleep_ms(1100); /* what the old default waited before unloading */
    /* That thread wakes each millisecond: a reload that catches it awake
     * keeps everything until a later one sees it asleep. */
    for (i = 11; i <= 12 || (hot_versions_held(lib) > 1 + 8 + 1 && i <= 40); i++)
        frame_with_reload(&e, lib, "fx_longcall", i);
#if defined(__SANITIZE_THREAD__)
    ASSERT_GE(hot_versions_held(lib), 1 + 8 + 1); /* TSan's own thread may keep more */
#else
    ASSERT_EQ(hot_versions_held(lib), 1 + 8 + 1);
#endif

    __atomic_store_n(&c.st.counter, 0, __ATOMIC_RELEASE);
    ASSERT_EQ(pthread_join(t, NULL), 0);
    ASSERT_EQ(c.result, FX_PATCH_BASE + 0); /* v1's code ran to its end */
    frame_with_reload(&e, lib, "fx_longcall", i);
    if (foreign_threads() == 0)
        ASSERT_EQ(hot_versions_held(lib), 1 + 8);
    hot_close(lib);
    env_free(&e);
}

TEST(lifecycle, trap_unloaded_names_the_version_by_default)
{
    SKIP_IF_FOREIGN_THREADS();
    expect_trapped_stray_call(call_unloaded_code_by_default);
}
