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

static void from_stat(const struct stat *sb, hot__stat *st)
{
    st->exists = 1;
    st->is_regular = S_ISREG(sb->st_mode);
    st->size = (uint64_t)sb->st_size;
    st->mtime_ns = (uint64_t)sb->st_mtim.tv_sec * 1000000000u + (uint64_t)sb->st_mtim.tv_nsec;
    st->ctime_ns = (uint64_t)sb->st_ctim.tv_sec * 1000000000u + (uint64_t)sb->st_ctim.tv_nsec;
    st->inode = (uint64_t)sb->st_ino;
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
    from_stat(&sb, st);
    return 0;
}

/* Makes room for at least want bytes in b (its bytes kept). */
static int buffer_room(hot__buffer *b, size_t want, const char *path, char *msg, size_t msglen)
{
    unsigned char *bigger;

    if (b->cap >= want)
        return 0;
    if (!(bigger = hot__realloc(b->data, want))) {
        snprintf(msg, msglen, "%s: out of memory reading %lu bytes", path, (unsigned long)want);
        return HOT_ENOMEM;
    }
    b->data = bigger;
    b->cap = want;
    return 0;
}

static int refuse_special(const struct stat *sb, const char *path, char *msg, size_t msglen)
{
    if (S_ISDIR(sb->st_mode)) {
        snprintf(msg, msglen, "%s: is a directory, not a library", path);
        return HOT_ENOTLIB;
    }
    if (!S_ISREG(sb->st_mode)) {
        snprintf(msg, msglen, "%s: not a regular file (a %s)", path,
                 S_ISFIFO(sb->st_mode)   ? "FIFO"
                 : S_ISSOCK(sb->st_mode) ? "socket"
                                         : "device");
        return HOT_ENOTLIB;
    }
    if ((size_t)sb->st_size > MAX_LIBRARY_BYTES) {
        snprintf(msg, msglen, "%s: %lld bytes is too large for a library", path,
                 (long long)sb->st_size);
        return HOT_ENOTLIB;
    }
    return 0;
}

/* Did the open file change while it was read? Its size, times or identity
 * moved, or it holds other than the bytes read (it grew, or shrank). */
static int changed_since(int fd, const struct stat *before, size_t len)
{
    struct stat after;
    hot__stat was, now;

    if (hot__sys.fstat(fd, &after) != 0)
        return -1;
    from_stat(before, &was);
    from_stat(&after, &now);
    return !hot__stat_same(&was, &now) || now.size != len;
}

int hot__unix_read_fd(int fd, hot__buffer *b, size_t *size, int *changed, const char *path,
                      char *msg, size_t msglen)
{
    struct stat sb;
    size_t len = 0;
    ssize_t n;
    int err;

    *size = 0;
    if (hot__sys.fstat(fd, &sb) != 0)
        return fail_errno(errno, msg, msglen, "fstat", path);
    if ((err = refuse_special(&sb, path, msg, msglen)) < 0)
        return err;
    /* The file may grow while we read (a writer is still at it): room for
     * one byte more than the size said, and more as it comes. A short read
     * once the size is read is the end (a growth after it is seen below);
     * before that (a read capped below 2 GB), read on. */
    if ((err = buffer_room(b, (size_t)sb.st_size + 1, path, msg, msglen)) < 0)
        return err;
    for (;;) {
        if (len == b->cap) {
            if (b->cap >= MAX_LIBRARY_BYTES) {
                snprintf(msg, msglen, "%s: keeps growing past the size limit", path);
                return HOT_ENOTLIB;
            }
            if ((err = buffer_room(b, b->cap * 2, path, msg, msglen)) < 0)
                return err;
        }
        n = hot__sys.read(fd, b->data + len, b->cap - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return fail_errno(errno, msg, msglen, "read", path);
        }
        len += (size_t)n;
        if (n == 0 || (len < b->cap && len >= (size_t)sb.st_size))
            break;
    }
    *size = len;
    if (changed && (*changed = changed_since(fd, &sb, len)) < 0)
        return fail_errno(errno, msg, msglen, "fstat", path);
    return 0;
}

/* For a read into a buffer of its own: the caller frees *out. */
int hot__unix_read_fd_new(int fd, unsigned char **out, size_t *size, const char *path, char *msg,
                          size_t msglen)
{
    hot__buffer b = { NULL, 0 };
    int err = hot__unix_read_fd(fd, &b, size, NULL, path, msg, msglen);

    if (err < 0) {
        free(b.data);
        b.data = NULL;
    }
    *out = b.data;
    return err;
}

static int open_to_read(const char *path, char *msg, size_t msglen)
{
    /* O_NONBLOCK: a FIFO put at the path must not hold the watcher for ever
     * (read_fd refuses it); regular files ignore the flag. */
    int fd = hot__sys.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);

    if (fd >= 0)
        return fd;
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

int hot__fs_read_all(const char *path, unsigned char **out, size_t *size, char *msg, size_t msglen)
{
    int fd, err;

    *out = NULL;
    *size = 0;
    if ((fd = open_to_read(path, msg, msglen)) < 0)
        return fd;
    err = hot__unix_read_fd_new(fd, out, size, path, msg, msglen);
    hot__sys.close(fd);
    return err;
}

int hot__fs_read_into(const char *path, hot__buffer *b, size_t *size, int *changed, char *msg,
                      size_t msglen)
{
    int fd, err;

    *size = 0;
    if ((fd = open_to_read(path, msg, msglen)) < 0)
        return fd;
    err = hot__unix_read_fd(fd, b, size, changed, path, msg, msglen);
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
