/* The default entries of the system call seam (declared in
 * src/unix/syscalls.h), and errno translation, for Linux. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hotreload.h"
#include "syscalls.h"

static int real_open(const char *path, int flags, mode_t mode)
{
    return open(path, flags, mode);
}

static int real_openat(int dirfd, const char *name, int flags, mode_t mode)
{
    return openat(dirfd, name, flags, mode);
}

static int real_stat(const char *path, struct stat *sb)
{
    return stat(path, sb);
}

#define REAL_SYSCALLS                                                                              \
    {                                                                                              \
        real_open, read, write, close, dlopen, dlsym, inotify_init1, inotify_add_watch,            \
            real_openat, mkdirat, unlinkat, renameat, fstatat, real_stat, pthread_create, malloc,  \
            calloc, realloc, socket, bind, sendto, fstat, flock, dup2, readlink, pread,            \
    }

static const struct hot__syscalls real_syscalls = REAL_SYSCALLS;

struct hot__syscalls hot__sys = REAL_SYSCALLS;

void hot__syscalls_reset(void)
{
    hot__sys = real_syscalls;
}

int hot__from_errno(int err)
{
    switch (err) {
    case ENOENT:
    case ENOTDIR: return HOT_ENOENT;
    case EACCES:
    case EPERM:
    case EROFS: return HOT_EACCES;
    case ENOMEM: return HOT_ENOMEM;
    case ENOSPC:
    case EDQUOT:
    case EFBIG: return HOT_ENOSPC;
    case EIO: return HOT_EIO;
    case EEXIST: return HOT_EEXIST;
    case EINVAL: return HOT_EINVAL;
    case EBUSY:
    case ETXTBSY: return HOT_EBUSY;
    case ETIMEDOUT: return HOT_ETIMEDOUT;
    default: return HOT_ESYS;
    }
}
