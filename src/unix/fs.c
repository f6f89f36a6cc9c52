/* Files on Unix: whole-file reads, exclusive creates, owner files. */
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
    if (stat(path, &sb) != 0) {
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

static int read_fd(int fd, unsigned char **out, size_t *size, const char *path, char *msg,
                   size_t msglen)
{
    struct stat sb;
    size_t cap, len = 0;
    unsigned char *buf;
    ssize_t n;

    if (fstat(fd, &sb) != 0)
        return fail_errno(errno, msg, msglen, "stat", path);
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
    buf = malloc(cap);
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
            bigger = realloc(buf, cap * 2);
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
    err = read_fd(fd, out, size, path, msg, msglen);
    hot__sys.close(fd);
    return err;
}

static int write_all(int fd, const unsigned char *p, size_t size)
{
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

int hot__fs_write_new(const char *path, const void *buf, size_t size, char *msg, size_t msglen)
{
    int fd, err;

    fd = hot__sys.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
    if (fd < 0)
        return fail_errno(errno, msg, msglen, "create", path);
    err = write_all(fd, buf, size);
    if (hot__sys.close(fd) != 0 && !err)
        err = errno;
    if (err) {
        unlink(path);
        return fail_errno(err, msg, msglen, "write", path);
    }
    return 0;
}

int hot__fs_unlink(const char *path)
{
    return unlink(path) == 0 || errno == ENOENT ? 0 : hot__from_errno(errno);
}

int hot__fs_mkdirs(const char *path, char *msg, size_t msglen)
{
    char buf[4096];
    char *p;
    size_t len = strlen(path);

    if (len == 0 || len >= sizeof buf) {
        snprintf(msg, msglen, "bad folder name '%s'", path);
        return HOT_EINVAL;
    }
    memcpy(buf, path, len + 1);
    for (p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(buf, 0700) != 0 && errno != EEXIST)
                return fail_errno(errno, msg, msglen, "create folder", buf);
            *p = saved;
            if (saved == '\0')
                break;
        }
    }
    return 0;
}

int hot__fs_check_private(const char *path, char *msg, size_t msglen)
{
    struct stat sb;

    if (lstat(path, &sb) != 0)
        return fail_errno(errno, msg, msglen, "stat", path);
    if (!S_ISDIR(sb.st_mode)) {
        snprintf(msg, msglen, "%s is not a folder (a link?): not private", path);
        return HOT_EACCES;
    }
    if (sb.st_uid != geteuid()) {
        snprintf(msg, msglen, "%s belongs to uid %lu, not to this user: not private", path,
                 (unsigned long)sb.st_uid);
        return HOT_EACCES;
    }
    if (sb.st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(msg, msglen, "%s is writable by others (mode %03o): not private", path,
                 (unsigned)(sb.st_mode & 0777));
        return HOT_EACCES;
    }
    return 0;
}

int hot__fs_list(const char *dir, void (*fn)(const char *name, void *arg), void *arg)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return hot__from_errno(errno);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            fn(e->d_name, arg);
    }
    closedir(d);
    return 0;
}

/* ---- Owner files -------------------------------------------------------- */

struct hot__owner {
    int fd;
    char *path;
};

/* "dir/.owner-x" -> "dir/.new.owner-x": a name sweepers do not look at. */
static char *unlisted_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path + 1) : 0;
    char *name = malloc(strlen(path) + 5);

    if (name) {
        memcpy(name, path, dir_len);
        strcpy(name + dir_len, ".new");
        strcat(name, path + dir_len);
    }
    return name;
}

/* The file is locked before it gets the name sweepers look for, so no
 * sweeper can ever find it unlocked while this process lives. The lock is
 * held until the process exits or closes the library; the kernel drops it
 * when the process dies, which is how a sweeper tells. */
int hot__owner_create(hot__owner **out, const char *path, char *msg, size_t msglen)
{
    hot__owner *o = calloc(1, sizeof *o);
    char *unlisted = unlisted_name(path);
    int err = 0;

    if (!o || !unlisted || !(o->path = strdup(path))) {
        free(o);
        free(unlisted);
        snprintf(msg, msglen, "out of memory creating %s", path);
        return HOT_ENOMEM;
    }
    o->fd = hot__sys.open(unlisted, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_APPEND, 0600);
    if (o->fd < 0)
        err = fail_errno(errno, msg, msglen, "create", unlisted);
    else if (flock(o->fd, LOCK_EX) != 0 || rename(unlisted, path) != 0)
        err = fail_errno(errno, msg, msglen, "create", path);
    if (err < 0) {
        if (o->fd >= 0) {
            unlink(unlisted);
            hot__sys.close(o->fd);
        }
        free(o->path);
        free(o);
    } else {
        *out = o;
    }
    free(unlisted);
    return err;
}

int hot__owner_append(hot__owner *o, const char *line)
{
    size_t len = strlen(line);
    char buf[4200];
    int err;

    if (!o || len + 2 > sizeof buf)
        return HOT_EINVAL;
    memcpy(buf, line, len);
    buf[len] = '\n';
    err = write_all(o->fd, (const unsigned char *)buf, len + 1);
    return err ? hot__from_errno(err) : 0;
}

const char *hot__owner_path(const hot__owner *o)
{
    return o->path;
}

void hot__owner_close(hot__owner *o, int remove)
{
    if (!o)
        return;
    if (remove)
        unlink(o->path);
    hot__sys.close(o->fd);
    free(o->path);
    free(o);
}

int hot__owner_try_orphan(const char *path)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    int taken;

    if (fd < 0)
        return 0;
    taken = flock(fd, LOCK_EX | LOCK_NB) == 0;
    close(fd); /* closing drops our lock; the caller deletes the file */
    return taken;
}
