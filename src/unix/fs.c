/* Files on Unix: stat and whole-file reads (the shadow folder is in folder.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hotreload.h"
#include "../platform.h"
#include "syscalls.h"
#include "unix-fs.h"

/* Files larger than this are not shared libraries anyone reloads. */
#define MAX_LIBRARY_BYTES ((size_t)1 << 31)

static int fail_errno(int err, char *msg, size_t msglen, const char *what, const char *path)
{
    snprintf(msg, msglen, "%s %s: %s", what, path, strerror(err));
    return hot__from_errno(err);
}

int hot__fs_stat(const char *path, hot__stat *st, char *msg, size_t msglen)
{
    struct stat sb;

    memset(st, 0, sizeof *st);
    if (hot__sys.stat(path, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        return fail_errno(errno, msg, msglen, "stat", path);
    }
    st->exists = 1;
    st->is_regular = S_ISREG(sb.st_mode);
    st->size = (uint64_t)sb.st_size;
    st->mtime_ns = (uint64_t)sb.st_mtim.tv_sec * 1000000000u + (uint64_t)sb.st_mtim.tv_nsec;
    st->ctime_ns = (uint64_t)sb.st_ctim.tv_sec * 1000000000u + (uint64_t)sb.st_ctim.tv_nsec;
    st->inode = (uint64_t)sb.st_ino;
    return 0;
}

int hot__unix_read_fd(int fd, unsigned char **out, size_t *size, const char *path, char *msg,
                      size_t msglen)
{
    struct stat sb;
    size_t cap, len = 0;
    unsigned char *buf;
    ssize_t n;

    if (hot__sys.fstat(fd, &sb) != 0)
        return fail_errno(errno, msg, msglen, "fstat", path);
    if (S_ISDIR(sb.st_mode)) {
        snprintf(msg, msglen, "%s: is a directory, not a library", path);
        return HOT_ENOTLIB;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(msg, msglen, "%s: not a regular file (a %s)", path,
                 S_ISFIFO(sb.st_mode)   ? "FIFO"
                 : S_ISSOCK(sb.st_mode) ? "socket"
                                        : "device");
        return HOT_ENOTLIB;
    }
    if ((size_t)sb.st_size > MAX_LIBRARY_BYTES) {
        snprintf(msg, msglen, "%s: %lld bytes is too large for a library", path,
                 (long long)sb.st_size);
        return HOT_ENOTLIB;
    }
    /* The file may grow while we read (a writer is still at it): read to the
     * end whatever the size said, the ELF check judges completeness. */
    cap = (size_t)sb.st_size + 1;
    buf = hot__malloc(cap);
    if (!buf) {
        snprintf(msg, msglen, "%s: out of memory reading %lu bytes", path, (unsigned long)cap);
        return HOT_ENOMEM;
    }
    for (;;) {
        if (len == cap) {
            unsigned char *bigger;
            if (cap >= MAX_LIBRARY_BYTES) {
                free(buf);
                snprintf(msg, msglen, "%s: keeps growing past the size limit", path);
                return HOT_ENOTLIB;
            }
            bigger = hot__realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                snprintf(msg, msglen, "%s: out of memory reading %lu bytes", path,
                         (unsigned long)cap * 2);
                return HOT_ENOMEM;
            }
            buf = bigger;
            cap *= 2;
        }
        n = hot__sys.read(fd, buf + len, cap - len);
        if (n == 0)
            break;
        if (n < 0) {
            int err = errno;
            if (err == EINTR)
                continue;
            free(buf);
            return fail_errno(err, msg, msglen, "read", path);
        }
        len += (size_t)n;
    }
    *out = buf;
    *size = len;
    return 0;
}

int hot__fs_read_all(const char *path, unsigned char **out, size_t *size, char *msg, size_t msglen)
{
    int fd, err;

    *out = NULL;
    *size = 0;
    /* O_NONBLOCK: a FIFO put at the path must not hold the watcher for ever
     * (read_fd refuses it); regular files ignore the flag. */
    fd = hot__sys.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
    if (fd < 0) {
        if (errno == ENXIO) { /* a socket */
            snprintf(msg, msglen, "%s: not a regular file (a socket?)", path);
            return HOT_ENOTLIB;
        }
        if (errno == ENOENT) {
            snprintf(msg, msglen, "%s: no such file (deleted?)", path);
            return HOT_ENOENT;
        }
        if (errno == EISDIR) {
            snprintf(msg, msglen, "%s: is a directory, not a library", path);
            return HOT_ENOTLIB;
        }
        return fail_errno(errno, msg, msglen, "open", path);
    }
    err = hot__unix_read_fd(fd, out, size, path, msg, msglen);
    hot__sys.close(fd);
    return err;
}

int hot__unix_write_all(int fd, const void *buf, size_t size)
{
    const unsigned char *p = buf;

    while (size > 0) {
        ssize_t n = hot__sys.write(fd, p, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (n == 0)
            return ENOSPC;
        p += n;
        size -= (size_t)n;
    }
    return 0;
}
