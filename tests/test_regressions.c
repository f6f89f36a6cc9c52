/*
 * Regressions: cases for the defects a review found, written against the
 * fixed behaviour. Against the code before the fixes most fail, crash or
 * trip an explicit timeout (never the ctest one, which says nothing); the
 * few that pass there guard a contract or the edge of a fix.
 *
 *   retire      a thread inside an old version keeps it mapped; a thread
 *               that left (hot_thread_leave) holds nothing back
 *   callbacks   a crash in a guarded call made from an AFTER_RELOAD callback
 *               rolls back; reloading from a callback is HOT_EBUSY
 *   parked      hot_reload_now drops an older build parked for hot_update
 *   close       hot_close wakes blocked waiters and listeners
 *   shadow      the shadow folder must be private; sweeps delete only
 *               files inside it, never another process's copy
 *   signatures  normalisation keeps deep and long differences
 *   exit        exit() during reloads leaves no copy behind
 *   inotify     a linker's chmod does not read the build twice; a chmod
 *               makes a refused unreadable build load
 *   messages    a shadow folder that cannot be made is named
 * The `hotreload run` event channel case is tests/cli/run-regress-events.sh.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fx_spin.h"
#include "gx_api.h"
#include "support.h"

/* Internals (src/verify.c), reachable through the static runtime. */
void hot__normalize_signature(const char *sig, char *out, size_t outlen);
int hot__verify(const hot_manifest *expected, const hot_manifest *found, int ignore_compiler,
                hot_fn *table, char *msg, size_t msglen);

/* ---- Helpers ----------------------------------------------------------------- */

static int load_int(const int *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_int(int *p, int v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Waits until *flag is want; fails the test after WAIT_MS, saying what. */
static void wait_flag(const int *flag, int want, const char *what)
{
    uint64_t deadline = now_ms() + WAIT_MS;

    while (load_int(flag) != want) {
        if (now_ms() > deadline)
            FAIL("%s: not within %d ms (deadlock?)", what, WAIT_MS);
        sleep_ms(1);
    }
}

/* Waits until the thread `tid` sleeps in the kernel (state S in /proc):
 * it has gone past the flag it set and is blocked in the call. */
static void wait_until_blocked(const int *tid, const char *what)
{
    uint64_t deadline = now_ms() + WAIT_MS;
    char path[64], buf[256], *state;
    FILE *f;

    while (!load_int(tid)) {
        if (now_ms() > deadline)
            FAIL("%s: the thread never started", what);
        sleep_ms(1);
    }
    for (;;) {
        snprintf(path, sizeof path, "/proc/self/task/%d/stat", load_int(tid));
        f = fopen(path, "r");
        buf[0] = '\0';
        if (f) {
            if (!fgets(buf, sizeof buf, f))
                buf[0] = '\0';
            fclose(f);
        }
        state = strrchr(buf, ')'); /* "tid (comm) S ..." */
        if (state && state[1] == ' ' && state[2] == 'S')
            break;
        if (now_ms() > deadline)
            FAIL("%s: the thread never blocked", what);
        sleep_ms(1);
    }
    sleep_ms(5); /* a sleep on the way in (a lock) ends quickly */
}

static int gettid_int(void)
{
    return (int)syscall(SYS_gettid);
}

/* Puts fixture `name` in place as dir/file, written beside it and renamed. */
static void install_as(fx_env *e, const char *file, const char *name)
{
    char tmp[400], dst[400];
    size_t len;
    unsigned char *buf = read_whole(fixture(name), &len);

    snprintf(tmp, sizeof tmp, "%s/.incoming-%u", e->dir, e->installs++);
    snprintf(dst, sizeof dst, "%s/%s", e->dir, file);
    write_whole(tmp, buf, len);
    if (rename(tmp, dst) != 0)
        FAIL("rename %s -> %s: %s", tmp, dst, strerror(errno));
    free(buf);
}

/* Opens the guarded gx interface from dir/libgx.so (build 1). */
static hot_lib *open_gx(fx_env *e, hot_options *o)
{
    hot_lib *lib = NULL;

    install_as(e, "libgx.so", "gx_v1");
    ASSERT_HOT_OK(hot_open(&lib, "gx", HOT_IFACE(gx), o));
    return lib;
}

/* The names in a folder, for a failure message. */
static const char *list_folder(const char *dir)
{
    static char names[2048];
    DIR *d = opendir(dir);
    struct dirent *ent;
    size_t used = 0;

    names[0] = '\0';
    while (d && (ent = readdir(d)) != NULL && used < sizeof names - 1) {
        if (strcmp(ent->d_name, ".") && strcmp(ent->d_name, ".."))
            used += (size_t)snprintf(names + used, sizeof names - used, " %s", ent->d_name);
    }
    if (d)
        closedir(d);
    return names;
}

/* Lines captured so far containing words. */
static int count_log_lines(log_capture *c, const char *words)
{
    int i, n = 0;

    pthread_mutex_lock(&c->mu);
    for (i = 0; i < c->count; i++)
        n += harness_contains(c->lines[i], words);
    pthread_mutex_unlock(&c->mu);
    return n;
}

/* ---- 1. unload_retired ---------------------------------------------------------- */

typedef struct spinner {
    hot_lib *lib;
    struct fx_state s; /* s.counter: the fx_spin protocol (fx_spin.h) */
    long result;
    int stage; /* atomic: 1 once out and quiescent; the test sets 2: exit */
} spinner;

static void *spin_in_v1(void *arg)
{
    spinner *w = arg;

    hot_quiescent(w->lib); /* the contract: announce before the first call */
    w->result = fx_step(&w->s, 0);
    hot_quiescent(w->lib); /* out of the library: v1 may go now */
    store_int(&w->stage, 1);
    wait_flag(&w->stage, 2, "the test letting the worker exit");
    return NULL;
}

/* A worker announced itself, then stays inside build 1 while the main
 * thread swaps to build 2 and passes hot_update again and again: build 1
 * must stay mapped (unloading it would crash the worker). Once the worker
 * is out and quiescent, build 1 goes. */
TEST(regress, unload_retired_waits_for_thread_inside)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    spinner w;
    pthread_t t;
    uint64_t deadline;
    int i;

    env_init(&e);
    install_fixture(&e, "fx_spin_v1");
    o = env_options(&e);
    o.unload_retired = 1;
    lib = env_open(&o);
    hot_update(lib);
    memset(&w, 0, sizeof w);
    w.lib = lib;
    w.s.counter = FX_SPIN_WAIT;
    ASSERT_EQ(pthread_create(&t, NULL, spin_in_v1, &w), 0);
    wait_flag(&w.s.counter, FX_SPIN_INSIDE, "the worker entering build 1");

    install_fixture(&e, "fx_v2");
    ASSERT(wait_for_value(lib, FX_V2, WAIT_MS));
    for (i = 0; i < 20; i++) {
        hot_update(lib);
        hot_quiescent(lib);
        ASSERT_GE(hot_versions_held(lib), 2);
        sleep_ms(2);
    }
    ASSERT_EQ(count_loaded_under(e.shadow), 2);

    store_int(&w.s.counter, 0); /* lets fx_step return */
    wait_flag(&w.stage, 1, "the worker leaving build 1");
    ASSERT_EQ(w.result, FX_V1);
    deadline = now_ms() + WAIT_MS;
    while (hot_versions_held(lib) != 1) {
        if (now_ms() > deadline)
            FAIL("build 1 stayed mapped after the worker left it (held %u)",
                 hot_versions_held(lib));
        hot_quiescent(lib);
        sleep_ms(2);
    }
    ASSERT_EQ(count_loaded_under(e.shadow), 1);
    store_int(&w.stage, 2);
    pthread_join(t, NULL);
    hot_close(lib);
    env_free(&e);
}

static void *call_then_leave(void *arg)
{
    hot_lib *lib = arg;

    hot_quiescent(lib);
    ASSERT_EQ(fx_value(), FX_V1);
    hot_thread_leave(lib);
    return NULL;
}

/* A thread that registered, called in, said hot_thread_leave and exited
 * no longer holds old versions back. */
TEST(regress, thread_leave_stops_holding_back)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    pthread_t t;
    uint64_t deadline;

    env_init(&e);
    o = env_options(&e);
    o.unload_retired = 1;
    lib = env_open(&o);
    hot_update(lib);
    ASSERT_EQ(pthread_create(&t, NULL, call_then_leave, lib), 0);
    pthread_join(t, NULL);

    install_fixture(&e, "fx_v2");
    ASSERT(wait_for_value(lib, FX_V2, WAIT_MS));
    deadline = now_ms() + WAIT_MS;
    while (hot_versions_held(lib) != 1) {
        if (now_ms() > deadline)
            FAIL("build 1 stays mapped: the thread that left still holds it (held %u)",
                 hot_versions_held(lib));
        hot_update(lib);
        sleep_ms(2);
    }
    hot_close(lib);
    env_free(&e);
}

/* ---- 2. Callbacks ---------------------------------------------------------------- */

static long crash_result; /* written by the reloading thread, read after it */

static void crash_in_new_version(const hot_event *ev, void *userdata)
{
    (void)ev;
    (void)userdata;
    crash_result = gx_crash(1);
}

static int reload_result;

static void *reload_now_main(void *arg)
{
    reload_result = hot_reload_now(arg);
    return NULL;
}

/* An AFTER_RELOAD callback calls the new version through a guarded call,
 * and it crashes there: the runtime rolls back to build 1 and makes the
 * call again there, rather than deadlocking on the reload in progress. */
TEST(regress, crash_in_after_reload_callback_rolls_back)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;

    env_init(&e);
    o = env_options(&e);
    o.watch = HOT_WATCH_NONE;
    lib = open_gx(&e, &o);
    ASSERT_HOT_OK(hot_on_event(lib, HOT_EVENT_AFTER_RELOAD, crash_in_new_version, NULL));
    install_as(&e, "libgx.so", "gx_v2_crash");
    call_within(reload_now_main, lib, "hot_reload_now with a crash in its AFTER_RELOAD callback");
    harness_note("hot_reload_now returned %s", hot_errname(reload_result));
    ASSERT_EQ(crash_result, GX_SURVIVED(1));
    ASSERT_EQ(hot_version(lib), 1);
    ASSERT_EQ(gx_value(), 1);
    hot_close(lib);
    env_free(&e);
}

/* What a callback got when it tried to reload from inside. */
typedef struct reentry {
    hot_lib *lib;
    int reload_now[2], update[2]; /* [0] BEFORE_RELOAD, [1] AFTER_RELOAD */
    int calls; /* atomic */
} reentry;

static void reenter(const hot_event *ev, void *userdata)
{
    reentry *r = userdata;
    int i = ev->type == HOT_EVENT_AFTER_RELOAD;

    r->reload_now[i] = hot_reload_now(r->lib);
    r->update[i] = hot_update(r->lib);
    __atomic_add_fetch(&r->calls, 1, __ATOMIC_ACQ_REL);
}

/* hot_reload_now would need the load lock the reload holds: HOT_EBUSY.
 * hot_update has nothing to apply here, so its fast path's 0 is as good as
 * HOT_EBUSY; what matters is that it returned and applied nothing. */
static void expect_busy(reentry *r)
{
    int i;

    for (i = 0; i < 2; i++) {
        ASSERT_HOT_ERR(r->reload_now[i], HOT_EBUSY);
        if (r->update[i] != 0 && r->update[i] != HOT_EBUSY)
            FAIL("hot_update in a callback: %s, expected HOT_EBUSY or 0",
                 hot_errname(r->update[i]));
    }
}

/* hot_reload_now / hot_update from a callback of a reload that
 * hot_reload_now is doing: HOT_EBUSY, not a deadlock; the reload goes on. */
TEST(regress, reload_from_callback_is_busy)
{
    fx_env e;
    hot_options o;
    reentry r;

    env_init(&e);
    o = env_options(&e);
    o.watch = HOT_WATCH_NONE;
    memset(&r, 0, sizeof r);
    r.lib = env_open(&o);
    ASSERT_HOT_OK(hot_on_event(r.lib, HOT_EVENT_BEFORE_RELOAD | HOT_EVENT_AFTER_RELOAD, reenter, &r));
    install_fixture(&e, "fx_v2");
    call_within(reload_now_main, r.lib, "hot_reload_now whose callbacks reload");
    ASSERT_EQ(reload_result, 1);
    ASSERT_EQ(load_int(&r.calls), 2);
    expect_busy(&r);
    ASSERT_EQ(fx_value(), FX_V2);
    hot_close(r.lib);
    env_free(&e);
}

/* The same from callbacks on the watcher thread (HOT_APPLY_AT_ONCE). */
TEST(regress, reload_from_watcher_callback_is_busy)
{
    fx_env e;
    hot_options o;
    reentry r;

    env_init(&e);
    o = env_options(&e);
    o.apply = HOT_APPLY_AT_ONCE;
    memset(&r, 0, sizeof r);
    r.lib = env_open(&o);
    ASSERT_HOT_OK(hot_on_event(r.lib, HOT_EVENT_BEFORE_RELOAD | HOT_EVENT_AFTER_RELOAD, reenter, &r));
    install_fixture(&e, "fx_v2");
    wait_flag(&r.calls, 2, "both callbacks of the watcher's reload");
    expect_busy(&r);
    ASSERT_HOT_OK(hot_wait_reload(r.lib, 1, WAIT_MS));
    ASSERT_EQ(fx_value(), FX_V2);
    hot_close(r.lib);
    env_free(&e);
}

/* ---- 3. A parked build ----------------------------------------------------------- */

/* Build 2 waits (parked) for hot_update; then build 3 is installed and
 * loaded by hot_reload_now. The older parked build must not be applied by
 * the next hot_update: the program would go back from 3 to 2. */
TEST(regress, reload_now_clears_parked_build)
{
    enum { POLL_MS = 200 }; /* the watcher is unlikely to see build 3 first */
    fx_env e;
    hot_options o;
    hot_lib *lib;

    env_init(&e);
    o = env_options(&e);
    o.watch = HOT_WATCH_POLL;
    o.poll_ms = POLL_MS;
    o.apply = HOT_APPLY_AT_UPDATE;
    lib = env_open(&o);
    install_fixture(&e, "fx_v2");
    wait_for_held(lib, 2); /* parked */
    ASSERT_EQ(fx_value(), FX_V1);
    install_fixture(&e, "fx_v3");
    ASSERT_EQ(hot_reload_now(lib), 1);
    ASSERT_EQ(fx_value(), FX_V3);
    ASSERT_EQ(hot_update(lib), 0);
    ASSERT_EQ(fx_value(), FX_V3);
    sleep_ms(2 * POLL_MS + 50); /* the watcher looks at the file again */
    ASSERT_EQ(hot_update(lib), 0);
    ASSERT_EQ(fx_value(), FX_V3);
    hot_close(lib);
    env_free(&e);
}

/* ---- 4. hot_close with blocked threads ------------------------------------------ */

enum { WAITERS = 4 }; /* of each kind */

typedef struct blocked_thread {
    hot_lib *lib;
    hot_listener *listener; /* NULL: waits in hot_wait_reload */
    unsigned long since;
    int tid;  /* atomic: set just before blocking */
    int rc;
    int done; /* atomic */
    pthread_t id;
} blocked_thread;

static void *block_in_wait(void *arg)
{
    blocked_thread *b = arg;
    struct sched_param idle;
    hot_event ev;

    /* Runs only when the closing thread does not (see use_one_cpu). */
    memset(&idle, 0, sizeof idle);
    pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle);
    store_int(&b->tid, gettid_int());
    if (b->listener)
        b->rc = hot_listener_wait(b->listener, 0, &ev);
    else
        b->rc = hot_wait_reload(b->lib, b->since, 0);
    store_int(&b->done, 1);
    return NULL;
}

/* All threads on one CPU, the waiters at idle priority: after hot_close
 * wakes them it runs on and frees the handle before they get to run,
 * which is where a close that does not wait for them goes wrong. */
static void use_one_cpu(void)
{
    cpu_set_t one;

    CPU_ZERO(&one);
    CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
    if (sched_setaffinity(0, sizeof one, &one) != 0)
        harness_note("sched_setaffinity: %s; racing on every CPU", strerror(errno));
}

/* Threads blocked in hot_wait_reload(…, 0) and in hot_listener_wait(…, 0):
 * hot_close wakes them all with HOT_ECLOSED and touches nothing freed (the
 * asan. and tsan. variants check), then the listeners close. Repeated,
 * with and without a watcher thread. */
TEST(regress, close_wakes_blocked_waiters)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    hot_listener *listeners[WAITERS];
    blocked_thread b[2 * WAITERS];
    int round, i;

    use_one_cpu();
    env_init(&e);
    o = env_options(&e);
    for (round = 0; round < 10; round++) {
        o.watch = round % 2 ? HOT_WATCH_NOTIFY : HOT_WATCH_NONE;
        lib = env_open(&o);
        memset(b, 0, sizeof b);
        for (i = 0; i < 2 * WAITERS; i++) {
            b[i].lib = lib;
            b[i].since = hot_version(lib);
            if (i >= WAITERS) {
                ASSERT_HOT_OK(hot_listener_open(&listeners[i - WAITERS], lib, HOT_EVENT_ALL, 0));
                b[i].listener = listeners[i - WAITERS];
            }
            ASSERT_EQ(pthread_create(&b[i].id, NULL, block_in_wait, &b[i]), 0);
        }
        for (i = 0; i < 2 * WAITERS; i++)
            wait_until_blocked(&b[i].tid, b[i].listener ? "hot_listener_wait blocking"
                                                         : "hot_wait_reload blocking");
        hot_close(lib);
        for (i = 0; i < 2 * WAITERS; i++) {
            wait_flag(&b[i].done, 1, "a waiter returning after hot_close");
            pthread_join(b[i].id, NULL);
            ASSERT_HOT_ERR(b[i].rc, HOT_ECLOSED);
        }
        for (i = 0; i < WAITERS; i++)
            hot_listener_close(listeners[i]);
    }
    env_free(&e);
}

typedef struct releaser {
    hot_listener *listener;
    int started, stop; /* atomic */
} releaser;

static void *release_in_a_loop(void *arg)
{
    releaser *r = arg;

    store_int(&r->started, 1);
    while (!load_int(&r->stop))
        hot_listener_release(r->listener);
    return NULL;
}

/* hot_listener_release on one thread, before, during and after hot_close
 * on another: no crash, no race (tsan.), and the listener closes after. */
TEST(regress, listener_release_races_close)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    releaser r;
    pthread_t t;
    int round;

    env_init(&e);
    o = env_options(&e);
    for (round = 0; round < 20; round++) {
        memset(&r, 0, sizeof r);
        lib = env_open(&o);
        ASSERT_HOT_OK(hot_listener_open(&r.listener, lib, HOT_EVENT_ALL, 1));
        ASSERT_EQ(pthread_create(&t, NULL, release_in_a_loop, &r), 0);
        wait_flag(&r.started, 1, "the releasing thread starting");
        sleep_ms(1);
        hot_close(lib);
        sleep_ms(1);
        store_int(&r.stop, 1);
        pthread_join(t, NULL);
        hot_listener_close(r.listener);
    }
    env_free(&e);
}

/* ---- 5. The shadow folder --------------------------------------------------------- */

static void expect_not_private(fx_env *e, const char *why)
{
    hot_options o = env_options(e);
    hot_lib *lib = (hot_lib *)&lib; /* must come back NULL */

    harness_note("shadow folder %s", why);
    ASSERT_HOT_ERR(hot_open(&lib, "fx", HOT_IFACE(fx), &o), HOT_EACCES);
    ASSERT(lib == NULL);
    ASSERT_CONTAINS(hot_last_error(), e->shadow);
    ASSERT_CONTAINS(hot_last_error(), "not private");
    ASSERT_EQ(count_copies(e->shadow), 0);
}

/* A shadow folder others can write to (made by someone else, or by a
 * careless umask) is refused: anyone could swap a copy before it loads or
 * plant an owner file. As root, a folder of another uid too. */
TEST(regress, shadow_folder_not_private_refused)
{
    fx_env e;

    env_init(&e);
    ASSERT_EQ(mkdir(e.shadow, 0700), 0);
    ASSERT_EQ(chmod(e.shadow, 0777), 0);
    expect_not_private(&e, "mode 0777");
    ASSERT_EQ(chmod(e.shadow, 0770), 0);
    expect_not_private(&e, "mode 0770");
    if (geteuid() == 0) {
        ASSERT_EQ(chmod(e.shadow, 0700), 0);
        ASSERT_EQ(chown(e.shadow, 65534, 65534), 0);
        expect_not_private(&e, "of uid 65534");
    } else {
        harness_note("not root: a folder of another uid is not tried");
    }
    env_free(&e);
}

/* A planted owner file (unlocked, so it looks like a dead process's) lists
 * a file in another folder, one reached through "..", and one really in
 * the shadow folder. hot_open's sweep deletes only the last. */
TEST(regress, sweep_deletes_only_inside_shadow_folder)
{
    fx_env e, victim_env;
    hot_options o;
    hot_lib *lib;
    char victim[400], dotdot_victim[400], dotdot_path[400], inside[400], owner[400], list[2000];

    env_init(&e);
    env_init(&victim_env); /* another temporary folder */
    snprintf(victim, sizeof victim, "%s/precious", victim_env.dir);
    write_whole(victim, "precious\n", 9);
    snprintf(dotdot_victim, sizeof dotdot_victim, "%s/keep.txt", e.dir);
    write_whole(dotdot_victim, "keep\n", 5);
    snprintf(dotdot_path, sizeof dotdot_path, "%s/../keep.txt", e.shadow);
    ASSERT_EQ(mkdir(e.shadow, 0700), 0);
    snprintf(inside, sizeof inside, "%s/libfx.planted.so", e.shadow);
    write_whole(inside, "x", 1);
    snprintf(owner, sizeof owner, "%s/.owner-1-planted", e.shadow);
    snprintf(list, sizeof list, "%s\n%s\n%s\n", victim, dotdot_path, inside);
    write_whole(owner, list, strlen(list));

    o = env_options(&e);
    lib = env_open(&o);
    ASSERT(path_exists(victim));
    ASSERT(path_exists(dotdot_victim));
    ASSERT(!path_exists(inside));
    ASSERT(!path_exists(owner));
    hot_close(lib);
    env_free(&victim_env);
    env_free(&e);
}

/* A child process with a handle whose copies are all named "fixed". */
typedef struct fixed_child {
    pid_t pid;
    int report[2]; /* child -> test: lines */
    int go[2];     /* test -> child: one byte per step */
} fixed_child;

static void read_line(int fd, char *buf, size_t len)
{
    size_t n = 0;

    while (n + 1 < len && read(fd, buf + n, 1) == 1 && buf[n] != '\n')
        n++;
    buf[n] = '\0';
}

static int fixed_child_step(fixed_child *c, const char *go, char *said, size_t len);

static void wait_go(fixed_child *c)
{
    char x;

    if (read(c->go[0], &x, 1) != 1)
        _exit(4);
}

/* In the child: hot_open with the template "fixed"; reports "<err>\t<copy
 * or message>". With steps, then waits; reload_after: the first step is
 * hot_reload_now, reported the same way, then it dies without closing
 * (_exit: no exit hook either); else the step closes the handle. */
static void fixed_child_main(fx_env *e, fixed_child *c, int reload_after)
{
    hot_options o = env_options(e);
    hot_lib *lib = NULL;
    int err;

    o.shadow_name = "fixed";
    o.watch = HOT_WATCH_NONE;
    err = hot_open(&lib, "fx", HOT_IFACE(fx), &o);
    dprintf(c->report[1], "%d\t%s\n", err, err ? hot_last_error() : hot_loaded_path(lib));
    if (err)
        _exit(0);
    wait_go(c);
    if (reload_after) {
        err = hot_reload_now(lib);
        dprintf(c->report[1], "%d\t%s\n", err, hot_errmsg(lib));
        _exit(0);
    }
    hot_close(lib);
    _exit(0);
}

/* Starts a child; returns what its hot_open said (err, and the copy or the
 * message in said). */
static int fixed_child_start(fx_env *e, fixed_child *c, int reload_after, char *said, size_t len)
{
    ASSERT_EQ(pipe(c->report), 0);
    ASSERT_EQ(pipe(c->go), 0);
    c->pid = fork();
    ASSERT(c->pid >= 0);
    if (c->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed test leaves none behind */
        fixed_child_main(e, c, reload_after);
    }
    return fixed_child_step(c, NULL, said, len);
}

/* Sends a step (if go) and reads the child's next report. */
static int fixed_child_step(fixed_child *c, const char *go, char *said, size_t len)
{
    char line[1200], *tab;

    if (go)
        ASSERT_EQ(write(c->go[1], go, 1), 1);
    read_line(c->report[0], line, sizeof line);
    tab = strchr(line, '\t');
    if (!tab)
        FAIL("child %ld said \"%s\"", (long)c->pid, line);
    snprintf(said, len, "%s", tab + 1);
    return atoi(line);
}

static void fixed_child_end(fixed_child *c, const char *go)
{
    int status;

    if (go)
        ASSERT_EQ(write(c->go[1], go, 1), 1);
    ASSERT_EQ(waitpid(c->pid, &status, 0), c->pid);
    ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(c->report[0]);
    close(c->report[1]);
    close(c->go[0]);
    close(c->go[1]);
}

/* A copy name template without {pid}/{uuid}/{load_counter} ("fixed"),
 * used by several processes. B opens (its copy is shadow/fixed); the copy
 * is removed behind its back (a temp cleaner); A opens and now owns
 * shadow/fixed. C's hot_open, and then B's reload, collide with A's file:
 * both fail naming it. B dies without closing; the sweep of B's (and C's)
 * owner files by the next hot_open must not delete A's copy. */
TEST(regress, copy_name_collision_keeps_other_process_file)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    fixed_child a, b, c;
    char copy[1200], said[1200];
    int err;

    env_init(&e);
    ASSERT_HOT_OK(fixed_child_start(&e, &b, 1, copy, sizeof copy));
    ASSERT(path_exists(copy));
    ASSERT_EQ(unlink(copy), 0);
    err = fixed_child_start(&e, &a, 0, said, sizeof said);
    if (err)
        FAIL("A could not open: %s", said);
    ASSERT_STR_EQ(said, copy);

    err = fixed_child_start(&e, &c, 0, said, sizeof said);
    harness_note("C's hot_open: %s", said);
    ASSERT(err < 0);
    ASSERT_CONTAINS(said, copy);
    fixed_child_end(&c, NULL);
    ASSERT(path_exists(copy));

    install_fixture(&e, "fx_v2");
    err = fixed_child_step(&b, "r", said, sizeof said);
    harness_note("B's hot_reload_now: %s", said);
    ASSERT(err < 0);
    ASSERT_CONTAINS(said, copy);
    fixed_child_end(&b, NULL); /* B is gone, its owner file unlocked */
    ASSERT(path_exists(copy));

    o = env_options(&e);
    lib = env_open(&o); /* sweeps B's owner file */
    ASSERT(path_exists(copy));
    hot_close(lib);
    ASSERT(path_exists(copy));
    fixed_child_end(&a, "c");
    ASSERT(!path_exists(copy)); /* A's own close deletes it */
    env_free(&e);
}

/* ---- 7. Signature normalisation --------------------------------------------------- */

static void normalized(const char *signature, char *out, size_t len)
{
    memset(out, 'x', len);
    hot__normalize_signature(signature, out, len);
}

/* "void (void (*cb)(int, int, …, <last>))" with n parameters in cb. */
static void callback_signature(char *out, size_t len, int n, const char *last)
{
    size_t used;
    int i;

    used = (size_t)snprintf(out, len, "void (void (*cb)(");
    for (i = 1; i < n; i++)
        used += (size_t)snprintf(out + used, len - used, "int, ");
    snprintf(out + used, len - used, "%s))", last);
}

/* A manifest of one function with this signature. */
static void one_function_manifest(hot_manifest *m, hot_fn_desc fns[2], const char *signature)
{
    memset(m, 0, sizeof *m);
    memset(fns, 0, 2 * sizeof *fns);
    fns[0].name = "fx_step";
    fns[0].signature = signature;
    fns[0].fn = (hot_fn)hot_close;
    m->magic = HOT_MANIFEST_MAGIC;
    m->abi = HOT_ABI_VERSION;
    m->interface_name = "fx";
    m->compiler = "gcc 12.2.0";
    m->data_model = HOT__DATA_MODEL;
    m->n_fns = 1;
    m->fns = fns;
}

static void expect_refused_by_verify(const char *want, const char *found)
{
    hot_manifest mw, mf;
    hot_fn_desc fw[2], ff[2];
    hot_fn table[2] = {NULL, NULL};
    char msg[4096];
    int err;

    one_function_manifest(&mw, fw, want);
    one_function_manifest(&mf, ff, found);
    err = hot__verify(&mw, &mf, 0, table, msg, sizeof msg);
    if (err != HOT_EMISMATCH)
        FAIL("hot__verify accepted a changed signature (%s):\n  %s\n  %s", hot_errname(err), want,
             found);
    ASSERT_CONTAINS(msg, "fx_step");
}

/* A change in the 40th parameter of a function-pointer parameter. */
TEST(regress, normalize_keeps_40th_callback_parameter)
{
    char s1[1024], s2[1024], a[1024], b[1024];

    callback_signature(s1, sizeof s1, 40, "float");
    callback_signature(s2, sizeof s2, 40, "double");
    normalized(s1, a, sizeof a);
    normalized(s2, b, sizeof b);
    if (strcmp(a, b) == 0)
        FAIL("the 40th parameter's change was lost:\n  %s", a);
    ASSERT_CONTAINS(a, "float))");
    ASSERT_CONTAINS(b, "double))");
    expect_refused_by_verify(s1, s2);
}

/* Two 70-character struct tags that differ only at their end. Longer than
 * the normaliser's tokens: such signatures are compared as whole text, so
 * the difference must still refuse the build (and the same text pass). */
TEST(regress, verify_keeps_long_struct_tags)
{
#define LONG_TAG "render_pipeline_configuration_descriptor_for_the_deferred_renderer_ve"
    const char *s1 = "void (struct " LONG_TAG "1 *p)";
    const char *s2 = "void (struct " LONG_TAG "2 *p)";
    hot_manifest mw, mf;
    hot_fn_desc fw[2], ff[2];
    hot_fn table[2] = {NULL, NULL};
    char msg[1024];

    ASSERT_EQ(strlen(LONG_TAG "1"), 70);
#undef LONG_TAG
    expect_refused_by_verify(s1, s2);
    one_function_manifest(&mw, fw, s1);
    one_function_manifest(&mf, ff, s1);
    ASSERT_HOT_OK(hot__verify(&mw, &mf, 0, table, msg, sizeof msg));
}

/* Parameter names inside a function-pointer parameter do not count. */
TEST(regress, normalize_drops_callback_parameter_names)
{
    char a[256], b[256];

    normalized("void (void (*cb)(int count))", a, sizeof a);
    normalized("void (void (*cb)(int n))", b, sizeof b);
    ASSERT_STR_EQ(a, b);
    ASSERT_STR_EQ(a, "void (void (*)(int))");
}

/* "int , int" is spelled "int, int", also in a function-pointer
 * parameter's own list. */
TEST(regress, normalize_space_before_comma)
{
    char a[256];

    normalized("void (int a , int b)", a, sizeof a);
    ASSERT_STR_EQ(a, "void (int, int)");
    normalized("void (void (*cb)(int a, int b))", a, sizeof a);
    ASSERT_STR_EQ(a, "void (void (*)(int, int))");
    normalized("void (void (*cb)(int , int))", a, sizeof a);
    ASSERT_STR_EQ(a, "void (void (*)(int, int))");
}

/* ---- 8. exit() while reloading ------------------------------------------------------ */

typedef struct installer {
    fx_env *env;
    long base;
} installer;

static void *install_for_ever(void *arg)
{
    installer *in = arg;
    long i;

    for (i = 1;; i++) {
        size_t len;
        unsigned char *buf = patched_build(in->base + i, &len);
        install_bytes(in->env, buf, len);
        free(buf);
        sleep_ms(2);
    }
    return NULL;
}

/* The child: reloads keep coming (another thread installs builds, the
 * watcher loads them at once) when it calls exit(0) without hot_close. */
static void exit_while_reloading(fx_env *e, long base)
{
    hot_options o = env_options(e);
    hot_lib *lib;
    installer in;
    pthread_t t;
    uint64_t deadline = now_ms() + WAIT_MS;

    o.apply = HOT_APPLY_AT_ONCE;
    lib = env_open(&o);
    in.env = e;
    in.base = base;
    if (pthread_create(&t, NULL, install_for_ever, &in) != 0)
        _exit(4);
    while (hot_version(lib) < 4) {
        if (now_ms() > deadline)
            _exit(3);
        sleep_ms(1);
    }
    exit(0);
}

/* exit() runs the runtime's exit hook while its watcher is mid-reload:
 * the process exits 0 (no crash in the hook or the watcher) and leaves no
 * shadow copy or owner file. */
TEST(regress, exit_while_reloading_deletes_copies)
{
    fx_env e;
    int round, status;
    pid_t pid;

    env_init(&e);
    for (round = 0; round < 5; round++) {
        pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0)
            exit_while_reloading(&e, 100000L * (round + 1));
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        if (WIFSIGNALED(status))
            FAIL("round %d: the child died of signal %d", round, WTERMSIG(status));
        ASSERT(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
        if (count_copies(e.shadow) || count_owner_files(e.shadow))
            FAIL("round %d: left in the shadow folder:%s", round, list_folder(e.shadow));
    }
    env_free(&e);
}

/* ---- 9. inotify and chmod ----------------------------------------------------------- */

/* Writes fixture `name` over dir/libfx.so the way GNU ld does, up to its
 * chmod: the old file unlinked, the new one created, written in pieces and
 * closed. */
static void write_like_ld(fx_env *e, const char *name)
{
    size_t len, off;
    unsigned char *buf = read_whole(fixture(name), &len);
    int fd;

    unlink(e->lib);
    fd = open(e->lib, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT(fd >= 0);
    for (off = 0; off < len; off += 4096) {
        size_t n = len - off < 4096 ? len - off : 4096;
        ASSERT_EQ(write(fd, buf + off, n), (long long)n);
    }
    ASSERT_EQ(close(fd), 0);
    free(buf);
}

/* ld's chmod +x after the close is not a second build: one reload, and
 * the file is not read again ("content unchanged" in the debug log). The
 * chmod comes after the reload here, as it does when the runtime is quick. */
TEST(regress, linker_chmod_loads_once)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    recorder rec;
    log_capture logs;

    env_init(&e);
    o = env_options(&e);
    o.apply = HOT_APPLY_AT_ONCE;
    log_capture_init(&logs, &o);
    o.log_level = HOT_LOG_DEBUG;
    lib = env_open(&o);
    recorder_init(&rec);
    recorder_attach(&rec, lib, HOT_EVENT_AFTER_RELOAD | HOT_EVENT_REFUSED);
    write_like_ld(&e, "fx_v2");
    ASSERT(recorder_wait(&rec, HOT_EVENT_AFTER_RELOAD, 0, WAIT_MS) >= 0);
    ASSERT_EQ(chmod(e.lib, 0755), 0);
    sleep_ms(10 * TEST_SETTLE_MS); /* time for a second look, if one comes */
    ASSERT_EQ(recorder_count(&rec, HOT_EVENT_AFTER_RELOAD), 1);
    ASSERT_EQ(recorder_count(&rec, HOT_EVENT_REFUSED), 0);
    ASSERT_EQ(count_log_lines(&logs, "content unchanged"), 0);
    ASSERT_EQ(fx_value(), FX_V2);
    hot_close(lib);
    recorder_free(&rec);
    log_capture_free(&logs);
    env_free(&e);
}

/* A build refused as unreadable (EACCES forced through the seam: root
 * reads anything) loads after a chmod alone, without being written again. */
TEST(regress, unreadable_build_loads_after_chmod)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    recorder rec;
    int i;

    env_init(&e);
    seam_fail_open(e.lib, 0); /* installed now, armed below */
    o = env_options(&e);
    o.apply = HOT_APPLY_AT_ONCE;
    lib = env_open(&o);
    recorder_init(&rec);
    recorder_attach(&rec, lib, HOT_EVENT_AFTER_RELOAD | HOT_EVENT_REFUSED);
    seam_fail_open(e.lib, EACCES);
    install_fixture(&e, "fx_v2");
    i = recorder_wait(&rec, HOT_EVENT_REFUSED, 0, WAIT_MS);
    ASSERT(i >= 0);
    ASSERT_HOT_ERR(recorder_get(&rec, i).error, HOT_EACCES);
    seam_fail_open(e.lib, 0);
    ASSERT_EQ(chmod(e.lib, 0755), 0);
    if (recorder_wait(&rec, HOT_EVENT_AFTER_RELOAD, 0, WAIT_MS) < 0)
        FAIL("the chmod'ed build did not load: %s", hot_errmsg(lib));
    ASSERT_EQ(fx_value(), FX_V2);
    hot_close(lib);
    seam_reset();
    recorder_free(&rec);
    env_free(&e);
}

/* ---- 10. Messages ----------------------------------------------------------------- */

/* The shadow folder cannot be made (a regular file is in the way): the
 * refusal names the path. */
TEST(regress, shadow_mkdir_failure_names_path)
{
    fx_env e;
    hot_options o;
    hot_lib *lib = NULL;
    char file[400], shadow[500];
    int err;

    env_init(&e);
    snprintf(file, sizeof file, "%s/file", e.dir);
    write_whole(file, "x", 1);
    snprintf(shadow, sizeof shadow, "%s/shadow", file);
    o = env_options(&e);
    o.shadow_dir = shadow;
    err = hot_open(&lib, "fx", HOT_IFACE(fx), &o);
    harness_note("hot_open: %s: %s", hot_errname(err), hot_last_error());
    ASSERT(err < 0);
    ASSERT(lib == NULL);
    ASSERT_CONTAINS(hot_last_error(), file);
    env_free(&e);
}
