/*
 * Forcing system call failures through the runtime's seam
 * (src/unix/syscalls.h). The fakes fail only what a test asks for and pass
 * everything else to the real call. Install a fake before hot_open (the
 * table itself is read without locks); afterwards the same call only flips
 * atomics, which the watcher thread may read at any time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "syscalls.h"

static struct hot__syscalls real;
static int saved;
static char *fail_open_path;     /* set once per test, before it matters */
static int fail_open_err;        /* atomic */
static size_t fail_write_min;    /* atomic */
static int fail_write_err;       /* atomic */
static int fail_inotify_err;     /* atomic */
static void (*after_open)(const char *path, int fd); /* set before hot_open */

static void save_real(void)
{
    if (!saved) {
        real = hot__sys;
        saved = 1;
    }
}

static int fake_open(const char *path, int flags, mode_t mode)
{
    int err = __atomic_load_n(&fail_open_err, __ATOMIC_ACQUIRE);

    if (err && fail_open_path && strcmp(path, fail_open_path) == 0) {
        errno = err;
        return -1;
    }
    if (after_open) {
        int fd = real.open(path, flags, mode);
        if (fd >= 0)
            after_open(path, fd);
        return fd;
    }
    return real.open(path, flags, mode);
}

static ssize_t fake_write(int fd, const void *buf, size_t len)
{
    size_t min = __atomic_load_n(&fail_write_min, __ATOMIC_ACQUIRE);

    if (min && len >= min) {
        errno = __atomic_load_n(&fail_write_err, __ATOMIC_ACQUIRE);
        return -1;
    }
    return real.write(fd, buf, len);
}

static int fake_openat(int dirfd, const char *name, int flags, mode_t mode)
{
    int fd = real.openat(dirfd, name, flags, mode);

    if (fd >= 0 && after_open)
        after_open(name, fd);
    return fd;
}

static int fake_inotify_init1(int flags)
{
    int err = __atomic_load_n(&fail_inotify_err, __ATOMIC_ACQUIRE);

    if (err) {
        errno = err;
        return -1;
    }
    return real.inotify_init1(flags);
}

void seam_fail_open(const char *path, int err)
{
    save_real();
    if (path && !fail_open_path)
        fail_open_path = strdup(path);
    if (hot__sys.open != fake_open)
        hot__sys.open = fake_open;
    __atomic_store_n(&fail_open_err, path ? err : 0, __ATOMIC_RELEASE);
}

void seam_after_open(void (*fn)(const char *path, int fd))
{
    save_real();
    after_open = fn;
    if (hot__sys.open != fake_open)
        hot__sys.open = fake_open;
    if (hot__sys.openat != fake_openat)
        hot__sys.openat = fake_openat;
}

/* ---- The shadow folder's calls (fail one call by name) -------------------- */

static char fail_call_name[32];     /* set before the call can run */
static char fail_call_match[256];   /* "" or a substring of the name */
static int fail_call_err;           /* atomic */

static int should_fail(const char *call, const char *name)
{
    int err = __atomic_load_n(&fail_call_err, __ATOMIC_ACQUIRE);

    if (!err || strcmp(call, fail_call_name) != 0 ||
        (fail_call_match[0] && (!name || !strstr(name, fail_call_match))))
        return 0;
    errno = err;
    return 1;
}

static int failing_openat(int dirfd, const char *name, int flags, mode_t mode)
{
    return should_fail("openat", name) ? -1 : fake_openat(dirfd, name, flags, mode);
}

static int failing_mkdirat(int dirfd, const char *name, mode_t mode)
{
    return should_fail("mkdirat", name) ? -1 : real.mkdirat(dirfd, name, mode);
}

static int failing_unlinkat(int dirfd, const char *name, int flags)
{
    return should_fail("unlinkat", name) ? -1 : real.unlinkat(dirfd, name, flags);
}

static int failing_renameat(int olddirfd, const char *oldname, int newdirfd, const char *newname)
{
    return should_fail("renameat", newname) ? -1
                                            : real.renameat(olddirfd, oldname, newdirfd, newname);
}

static int failing_fstatat(int dirfd, const char *name, struct stat *sb, int flags)
{
    return should_fail("fstatat", name) ? -1 : real.fstatat(dirfd, name, sb, flags);
}

void seam_fail_call(const char *call, const char *match, int err)
{
    save_real();
    if (call) {
        snprintf(fail_call_name, sizeof fail_call_name, "%s", call);
        snprintf(fail_call_match, sizeof fail_call_match, "%s", match ? match : "");
    }
    hot__sys.openat = failing_openat;
    hot__sys.mkdirat = failing_mkdirat;
    hot__sys.unlinkat = failing_unlinkat;
    hot__sys.renameat = failing_renameat;
    hot__sys.fstatat = failing_fstatat;
    __atomic_store_n(&fail_call_err, call ? err : 0, __ATOMIC_RELEASE);
}

void seam_fail_writes(size_t min_len, int err)
{
    save_real();
    if (hot__sys.write != fake_write)
        hot__sys.write = fake_write;
    __atomic_store_n(&fail_write_err, err, __ATOMIC_RELEASE);
    __atomic_store_n(&fail_write_min, min_len, __ATOMIC_RELEASE);
}

void seam_fail_inotify(int err)
{
    save_real();
    if (hot__sys.inotify_init1 != fake_inotify_init1)
        hot__sys.inotify_init1 = fake_inotify_init1;
    __atomic_store_n(&fail_inotify_err, err, __ATOMIC_RELEASE);
}

void seam_reset(void)
{
    hot__syscalls_reset();
    after_open = NULL;
    __atomic_store_n(&fail_call_err, 0, __ATOMIC_RELEASE);
    free(fail_open_path);
    fail_open_path = NULL;
}

/* ---- Any call of the table, the nth time (tests/test_fault_points.c) ----- */

/* Set before the runtime starts a thread; then only the counters move. */
static char nth_name[32];
static char nth_match[256];
static long nth_target;  /* atomic: which matching call fails (0: none) */
static long nth_seen;    /* atomic: matching calls since armed */
static int nth_err;
static int nth_every; /* from the nth on, every matching call fails */

/* The file a descriptor refers to, to match reads and writes by name. */
static void fd_name(int fd, char *out, size_t len)
{
    char link[64];
    ssize_t n;

    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, out, len - 1);
    out[n < 0 ? 0 : n] = '\0';
}

static int nth_fails(const char *call, const char *name)
{
    long target = __atomic_load_n(&nth_target, __ATOMIC_ACQUIRE), seen;

    if (!target || strcmp(call, nth_name) != 0 ||
        (nth_match[0] && (!name || !strstr(name, nth_match))))
        return 0;
    seen = __atomic_add_fetch(&nth_seen, 1, __ATOMIC_ACQ_REL);
    if (seen != target && !(nth_every && seen > target))
        return 0;
    errno = nth_err;
    return 1;
}

static int nth_fd_fails(const char *call, int fd)
{
    char name[512];

    if (!__atomic_load_n(&nth_target, __ATOMIC_ACQUIRE) || strcmp(call, nth_name) != 0)
        return 0;
    fd_name(fd, name, sizeof name);
    return nth_fails(call, name);
}

static int nth_open(const char *path, int flags, mode_t mode)
{
    return nth_fails("open", path) ? -1 : real.open(path, flags, mode);
}
static ssize_t nth_read(int fd, void *buf, size_t len)
{
    return nth_fd_fails("read", fd) ? -1 : real.read(fd, buf, len);
}
static ssize_t nth_write(int fd, const void *buf, size_t len)
{
    return nth_fd_fails("write", fd) ? -1 : real.write(fd, buf, len);
}
static void *nth_dlopen(const char *path, int flags)
{
    return nth_fails("dlopen", path) ? NULL : real.dlopen(path, flags);
}
static void *nth_dlsym(void *handle, const char *name)
{
    return nth_fails("dlsym", name) ? NULL : real.dlsym(handle, name);
}
static int nth_inotify_init1(int flags)
{
    return nth_fails("inotify_init1", NULL) ? -1 : real.inotify_init1(flags);
}
static int nth_inotify_add_watch(int fd, const char *path, uint32_t mask)
{
    return nth_fails("inotify_add_watch", path) ? -1 : real.inotify_add_watch(fd, path, mask);
}
static int nth_openat(int dirfd, const char *name, int flags, mode_t mode)
{
    return nth_fails("openat", name) ? -1 : real.openat(dirfd, name, flags, mode);
}
static int nth_mkdirat(int dirfd, const char *name, mode_t mode)
{
    return nth_fails("mkdirat", name) ? -1 : real.mkdirat(dirfd, name, mode);
}
static int nth_unlinkat(int dirfd, const char *name, int flags)
{
    return nth_fails("unlinkat", name) ? -1 : real.unlinkat(dirfd, name, flags);
}
static int nth_renameat(int olddirfd, const char *oldname, int newdirfd, const char *newname)
{
    return nth_fails("renameat", newname) ? -1
                                          : real.renameat(olddirfd, oldname, newdirfd, newname);
}
static int nth_fstatat(int dirfd, const char *name, struct stat *sb, int flags)
{
    return nth_fails("fstatat", name) ? -1 : real.fstatat(dirfd, name, sb, flags);
}
static int nth_stat(const char *path, struct stat *sb)
{
    return nth_fails("stat", path) ? -1 : real.stat(path, sb);
}
static int nth_pthread_create(pthread_t *id, const pthread_attr_t *attr, void *(*fn)(void *),
                              void *arg)
{
    return nth_fails("pthread_create", NULL) ? nth_err : real.pthread_create(id, attr, fn, arg);
}
/* The three allocators count as one call, "malloc". */
static void *nth_malloc(size_t size)
{
    return nth_fails("malloc", NULL) ? NULL : real.malloc(size);
}
static void *nth_calloc(size_t n, size_t size)
{
    return nth_fails("malloc", NULL) ? NULL : real.calloc(n, size);
}
static void *nth_realloc(void *p, size_t size)
{
    return nth_fails("malloc", NULL) ? NULL : real.realloc(p, size);
}

/* Linux closes the descriptor even when close reports an error. */
static int nth_close(int fd)
{
    int fails = nth_fd_fails("close", fd), err = errno, closed = real.close(fd);

    if (!fails)
        return closed;
    errno = err;
    return -1;
}
static int nth_fstat(int fd, struct stat *sb)
{
    return nth_fd_fails("fstat", fd) ? -1 : real.fstat(fd, sb);
}
static int nth_flock(int fd, int op)
{
    return nth_fd_fails("flock", fd) ? -1 : real.flock(fd, op);
}
/* Matched by what fd (the new descriptor) names. */
static int nth_dup2(int fd, int to)
{
    return nth_fd_fails("dup2", fd) ? -1 : real.dup2(fd, to);
}
static ssize_t nth_readlink(const char *path, char *buf, size_t len)
{
    return nth_fails("readlink", path) ? -1 : real.readlink(path, buf, len);
}

/* Written once, before the runtime starts a thread: the table itself is
 * read without locks. */
static void install_nth(void)
{
    hot__sys.open = nth_open;
    hot__sys.read = nth_read;
    hot__sys.write = nth_write;
    hot__sys.dlopen = nth_dlopen;
    hot__sys.dlsym = nth_dlsym;
    hot__sys.inotify_init1 = nth_inotify_init1;
    hot__sys.inotify_add_watch = nth_inotify_add_watch;
    hot__sys.openat = nth_openat;
    hot__sys.mkdirat = nth_mkdirat;
    hot__sys.unlinkat = nth_unlinkat;
    hot__sys.renameat = nth_renameat;
    hot__sys.fstatat = nth_fstatat;
    hot__sys.stat = nth_stat;
    hot__sys.pthread_create = nth_pthread_create;
    hot__sys.malloc = nth_malloc;
    hot__sys.calloc = nth_calloc;
    hot__sys.realloc = nth_realloc;
    hot__sys.close = nth_close;
    hot__sys.fstat = nth_fstat;
    hot__sys.flock = nth_flock;
    hot__sys.dup2 = nth_dup2;
    hot__sys.readlink = nth_readlink;
}

void seam_fail_nth(const char *call, const char *match, long n, int err)
{
    seam_fail_from_nth(call, match, n, err, 0);
}

void seam_fail_from_nth(const char *call, const char *match, long n, int err, int every)
{
    save_real();
    __atomic_store_n(&nth_target, 0, __ATOMIC_RELEASE);
    snprintf(nth_name, sizeof nth_name, "%s", call ? call : "");
    snprintf(nth_match, sizeof nth_match, "%s", match ? match : "");
    nth_err = err;
    nth_every = every;
    __atomic_store_n(&nth_seen, 0, __ATOMIC_RELEASE);
    if (hot__sys.open != nth_open)
        install_nth();
    __atomic_store_n(&nth_target, call ? n : 0, __ATOMIC_RELEASE);
}

long seam_nth_seen(void)
{
    return __atomic_load_n(&nth_seen, __ATOMIC_ACQUIRE);
}
