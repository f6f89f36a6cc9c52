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
