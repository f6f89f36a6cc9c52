/*
 * Every failure point on the load path, forced once through the system
 * call seam (issue 8, "Proof under load"): the library's open, read and
 * fstat (before the read, and after it: did a writer change it?); the
 * copy's create and write; the owner file's write; the shadow folder made
 * again (mkdirat, fstatat, renameat) and a copy's unlink; the copy's close (said as close, not write); the
 * owner file's flock, the folder's fstat and dup2
 * when it is made again; /proc/self's readlink (survived: the path is used);
 * dlopen of the copy; a $ORIGIN dependency's read, copy and dlopen; dlsym
 * of the manifest;
 * inotify's setup and read; the watcher thread's start; and each memory
 * allocation a reload makes, one at a time. Each time the old code keeps
 * answering and the message names the call; once the call works again the
 * next build loads. Each point runs in a child process of its own, with
 * the seam set before the runtime starts a thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

enum when {
    AT_RELOAD,       /* hot_reload_now of the next build is refused */
    AT_RELOAD_WARN,  /* the reload goes on; a warning on stderr names the call */
    AT_RELOAD_SURVIVES, /* the reload loads all the same (another way round) */
    AT_WATCHED_OPEN, /* hot_open under inotify: falls back to polling, says why */
    AT_WATCHING,     /* the watcher's read: falls back to polling, says why */
    AT_THREAD_START  /* hot_open is refused, and works once the call does */
};

typedef struct fault_point {
    const char *what;
    const char *call, *match;
    int err;
    enum when when;
    const char *named;   /* what the message must contain */
    int every;           /* fail every matching call, not only the first */
    const char *install; /* the build the reload is of (NULL: fx_v2) */
    void (*before)(fx_env *e);
    long nth; /* which matching call fails (0: the first) */
} fault_point;

enum { FX_ORIGIN = 20 + 1, CHILD_OK = 0, CHILD_NOT_REACHED = 3, MAX_ALLOCS = 400 };

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* A temp cleaner removed the shadow folder: the reload makes it again. */
static void remove_shadow(fx_env *e)
{
    ASSERT_EQ(nftw(e->shadow, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

static void put_dependency(fx_env *e)
{
    size_t len;
    unsigned char *buf = read_whole(fixture("fxdep"), &len);
    char path[400];

    snprintf(path, sizeof path, "%s/libfxdep.so", e->dir);
    write_whole(path, buf, len);
    free(buf);
}

static const fault_point points[] = {
    { "open of the library", "open", "libfx.so", EACCES, AT_RELOAD, "open", 0, NULL, NULL },
    { "read of the library", "read", "libfx.so", EIO, AT_RELOAD, "read", 0, NULL, NULL },
    { "create the copy", "openat", "libfx.", EACCES, AT_RELOAD, "openat", 0, NULL, NULL },
    { "write the copy's bytes", "write", "shadow/libfx.", ENOSPC, AT_RELOAD, "write", 0, NULL,
      NULL },
    /* A deferred write error, reported by close: said as close. */
    { "close the copy", "close", "shadow/libfx.", EIO, AT_RELOAD, "close ", 0, NULL, NULL },
    { "write to the owner file", "write", ".owner-", ENOSPC, AT_RELOAD, "write to the owner file", 0,
      NULL, NULL },
    { "make the shadow folder again", "mkdirat", "shadow", EACCES, AT_RELOAD, "mkdirat", 0, NULL,
      remove_shadow },
    /* Once is survived (the folder's path is checked instead of /proc's):
     * both must fail to refuse. */
    { "check the shadow folder before loading", "fstatat", NULL, EACCES, AT_RELOAD, "fstatat", 1, NULL,
      remove_shadow },
    { "rename the new owner file", "renameat", ".owner-", EACCES, AT_RELOAD, "renameat", 0, NULL,
      remove_shadow },
    { "unlink a refused build's copy", "unlinkat", "libfx.", EACCES, AT_RELOAD_WARN, "unlinkat", 0,
      "fx_plain", NULL },
    { "fstat of the library", "fstat", "libfx.so", EIO, AT_RELOAD, "fstat", 0, NULL, NULL },
    /* The second asks whether a writer changed it while it was read. */
    { "fstat of the library after its read", "fstat", "libfx.so", EIO, AT_RELOAD, "fstat", 0, NULL,
      NULL, 2 },
    { "lock the new owner file", "flock", ".owner-", ENOLCK, AT_RELOAD, "flock", 0, NULL,
      remove_shadow },
    { "check the shadow folder made again", "fstat", "shadow", EIO, AT_RELOAD, "fstat", 1, NULL,
      remove_shadow },
    { "swap in the shadow folder made again", "dup2", "shadow", EMFILE, AT_RELOAD, "dup2", 0, NULL,
      remove_shadow },
    /* Without /proc/self the copy is loaded by the folder's path (looked at
     * again once the folder is made again). */
    { "readlink of /proc/self", "readlink", "/proc/self", EACCES, AT_RELOAD_SURVIVES, NULL, 1,
      NULL, remove_shadow },
    { "dlopen of the copy", "dlopen", "libfx.", 0, AT_RELOAD, "dlopen", 0, NULL, NULL },
    { "dlopen of a $ORIGIN dependency's copy", "dlopen", "/li~", 0, AT_RELOAD, "dlopen", 0,
      "fx_origin", put_dependency },
    { "read of a $ORIGIN dependency", "read", "libfxdep.so", EIO, AT_RELOAD, "read", 0,
      "fx_origin", put_dependency },
    { "write a $ORIGIN dependency's copy", "write", "/li~", ENOSPC, AT_RELOAD, "write", 0,
      "fx_origin", put_dependency },
    { "dlsym of the manifest", "dlsym", "hot_manifest_", 0, AT_RELOAD, "dlsym", 0, NULL, NULL },
    { "inotify setup", "inotify_init1", NULL, EMFILE, AT_WATCHED_OPEN, "inotify_init1", 0, NULL,
      NULL },
    { "inotify watch", "inotify_add_watch", NULL, ENOSPC, AT_WATCHED_OPEN, "inotify_add_watch", 0,
      NULL, NULL },
    { "inotify read", "read", "inotify", EIO, AT_WATCHING, "read from inotify", 0, NULL, NULL },
    { "watcher thread start", "pthread_create", NULL, EAGAIN, AT_THREAD_START, "pthread_create", 0,
      NULL, NULL },
};

static hot_lib *open_unwatched(fx_env *e)
{
    hot_options o = env_options(e);

    o.watch = HOT_WATCH_NONE;
    return env_open(&o);
}

static void expect_fired(const fault_point *p)
{
    if (seam_nth_seen() < 1)
        FAIL("%s: the fault was never reached (no %s call matching '%s')", p->what, p->call,
             p->match ? p->match : "");
}

static char stderr_said[4096];

/* Runs fn with stderr going to a file, and keeps what was written. */
static int with_stderr_kept(fx_env *e, int (*fn)(hot_lib *), hot_lib *lib)
{
    char path[400];
    unsigned char *said;
    size_t len;
    int fd, saved = dup(2), result;

    snprintf(path, sizeof path, "%s/stderr.txt", e->dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT(fd >= 0 && saved >= 0);
    dup2(fd, 2);
    result = fn(lib);
    dup2(saved, 2);
    close(saved);
    close(fd);
    said = read_whole(path, &len);
    snprintf(stderr_said, sizeof stderr_said, "%.*s", (int)len, (const char *)said);
    free(said);
    return result;
}

static void reload_refused(const fault_point *p, fx_env *e)
{
    hot_lib *lib = open_unwatched(e);
    int err;

    if (p->before)
        p->before(e);
    install_fixture(e, p->install ? p->install : "fx_v2");
    seam_fail_from_nth(p->call, p->match, p->nth ? p->nth : 1, p->err, p->every);
    err = p->when == AT_RELOAD_WARN ? with_stderr_kept(e, hot_reload_now, lib) : hot_reload_now(lib);
    expect_fired(p);
    if (p->when == AT_RELOAD_SURVIVES) {
        if (err != 1 || fx_value() != FX_V2)
            FAIL("%s: reload with %s failing gave %d (%s), expected it loaded", p->what, p->call,
                 err, hot_errmsg(lib));
        seam_fail_nth(NULL, NULL, 0, 0);
        hot_close(lib);
        return;
    }
    if (err >= 0)
        FAIL("%s: reload with %s failing gave %d, expected a refusal", p->what, p->call, err);
    ASSERT_EQ(fx_value(), FX_V1);
    if (p->when == AT_RELOAD_WARN)
        ASSERT_CONTAINS(stderr_said, p->named);
    else
        ASSERT_CONTAINS(hot_errmsg(lib), p->named);
    ASSERT(!strchr(hot_errmsg(lib), '\n'));
    seam_fail_nth(NULL, NULL, 0, 0);
    install_fixture(e, "fx_v3");
    ASSERT_EQ(hot_reload_now(lib), 1);
    ASSERT_EQ(fx_value(), FX_V3);
    hot_close(lib);
}

static void falls_back_to_polling(const fault_point *p, fx_env *e)
{
    hot_options o = env_options(e);
    log_capture logs;
    hot_lib *lib;

    o.watch = HOT_WATCH_NOTIFY;
    log_capture_init(&logs, &o);
    if (p->when == AT_WATCHED_OPEN)
        seam_fail_nth(p->call, p->match, 1, p->err);
    lib = env_open(&o);
    ASSERT_EQ(fx_value(), FX_V1);
    if (p->when == AT_WATCHING)
        seam_fail_nth(p->call, p->match, 1, p->err);
    install_fixture(e, "fx_v2");
    if (!wait_for_value(lib, FX_V2, WAIT_MS))
        FAIL("%s: build 2 never loaded after %s failed", p->what, p->call);
    expect_fired(p);
    if (log_capture_find(&logs, p->named, WAIT_MS) < 0)
        FAIL("%s: no log line names %s", p->what, p->named);
    hot_close(lib);
    log_capture_free(&logs);
}

static void open_refused_then_works(const fault_point *p, fx_env *e)
{
    hot_options o = env_options(e);
    hot_lib *lib = NULL;
    int err;

    o.watch = HOT_WATCH_NOTIFY;
    seam_fail_nth(p->call, p->match, 1, p->err);
    err = hot_open(&lib, "fx", HOT_IFACE(fx), &o);
    expect_fired(p);
    if (err >= 0)
        FAIL("%s: hot_open with %s failing gave %d", p->what, p->call, err);
    ASSERT(lib == NULL);
    ASSERT_CONTAINS(hot_last_error(), p->named);
    ASSERT_EQ(count_copies(e->shadow), 0);
    lib = env_open(&o);
    ASSERT_EQ(fx_value(), FX_V1);
    hot_close(lib);
}

static void run_point(const fault_point *p)
{
    fx_env e;

    env_init(&e);
    seam_fail_nth(NULL, NULL, 0, 0); /* every entry through the fakes */
    switch (p->when) {
    case AT_RELOAD:
    case AT_RELOAD_WARN:
    case AT_RELOAD_SURVIVES: reload_refused(p, &e); break;
    case AT_WATCHED_OPEN:
    case AT_WATCHING: falls_back_to_polling(p, &e); break;
    case AT_THREAD_START: open_refused_then_works(p, &e); break;
    }
    seam_reset();
    env_free(&e);
}

/* A reload whose allocations are failed one at a time: of build 2, and of
 * fx_origin with its $ORIGIN dependency (read, renamed, copied). */
typedef struct allocation_case {
    const char *build;
    long value;
    void (*before)(fx_env *e);
    long n;
} allocation_case;

/* The nth allocation of a reload fails: refused for want of memory, or
 * (an allocation the load can do without) loaded all the same. */
static int run_allocation(const allocation_case *c)
{
    long n = c->n;
    hot_lib *lib;
    fx_env e;
    int err;

    env_init(&e);
    seam_fail_nth(NULL, NULL, 0, 0);
    lib = open_unwatched(&e);
    if (c->before)
        c->before(&e);
    install_fixture(&e, c->build);
    seam_fail_nth("malloc", NULL, n, ENOMEM);
    err = hot_reload_now(lib);
    if (seam_nth_seen() < n) {
        ASSERT_EQ(err, 1);
        hot_close(lib);
        return CHILD_NOT_REACHED;
    }
    seam_fail_nth(NULL, NULL, 0, 0);
    if (err < 0) {
        const char *oom = strstr(hot_errmsg(lib), "out of memory");
        ASSERT_EQ(fx_value(), FX_V1);
        ASSERT_CONTAINS(hot_errmsg(lib), "out of memory");
        /* and for what: "out of memory for the function table" */
        if (oom[strlen("out of memory")] != ' ')
            FAIL("allocation %ld: '%s' does not say what ran out", n, hot_errmsg(lib));
    } else {
        ASSERT_EQ(err, 1);
        ASSERT_EQ(fx_value(), c->value);
    }
    install_fixture(&e, "fx_v3");
    ASSERT_EQ(hot_reload_now(lib), 1);
    ASSERT_EQ(fx_value(), FX_V3);
    hot_close(lib);
    seam_reset();
    env_free(&e);
    return CHILD_OK;
}

/* The child's exit status; a failure already said why on stderr. */
static int in_child(int (*fn)(const void *), const void *arg)
{
    int status;
    pid_t pid = fork();

    ASSERT(pid >= 0);
    if (pid == 0)
        _exit(fn(arg));
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int point_child(const void *arg)
{
    run_point(arg);
    return CHILD_OK;
}

static int allocation_child(const void *arg)
{
    return run_allocation(arg);
}

/* Each allocation of the reload in turn; returns how many there were. */
static long every_allocation(allocation_case *c, int *failed)
{
    long allocations = 0;
    int status;

    for (c->n = 1; c->n <= MAX_ALLOCS; c->n++) {
        status = in_child(allocation_child, c);
        if (status == CHILD_NOT_REACHED)
            return allocations;
        if (status != CHILD_OK) {
            fprintf(stderr, "fault point: allocation %ld of a reload of %s: child exit %d\n", c->n,
                    c->build, status);
            (*failed)++;
        }
        allocations++;
    }
    FAIL("a reload makes more than %d allocations: raise MAX_ALLOCS", MAX_ALLOCS);
    return allocations;
}

TEST(fault_points, every_point_on_the_load_path)
{
    size_t i, n_points = sizeof points / sizeof points[0];
    allocation_case plain = { "fx_v2", FX_V2, NULL, 0 };
    allocation_case origin = { "fx_origin", FX_ORIGIN, put_dependency, 0 };
    int failed = 0, status;
    long allocations, origin_allocations;

    for (i = 0; i < n_points; i++) {
        if ((status = in_child(point_child, &points[i])) != CHILD_OK) {
            fprintf(stderr, "fault point %s (%s): child exit %d\n", points[i].what,
                    points[i].call, status);
            failed++;
        }
    }
    allocations = every_allocation(&plain, &failed);
    origin_allocations = every_allocation(&origin, &failed);
    printf("fault points covered: %lu (%lu calls; each of a reload's %ld allocations, and each "
           "of the %ld of a reload with a $ORIGIN dependency)\n",
           (unsigned long)(n_points + (size_t)(allocations + origin_allocations)),
           (unsigned long)n_points, allocations, origin_allocations);
    if (failed)
        FAIL("%d fault points did not keep the old code with a message naming the call", failed);
    ASSERT(allocations > 0 && origin_allocations > allocations);
}
