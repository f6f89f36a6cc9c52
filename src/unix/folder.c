/*
 * The shadow folder on Unix, held by descriptor. Its path is walked once,
 * from "/", one component at a time with O_NOFOLLOW, each folder checked
 * on the way (owner and mode, with fstat on the descriptor just opened, so
 * no rename between the check and the use can swap it); after that every
 * file is created, read, loaded and deleted relative to the descriptor.
 */
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

struct hot__dir {
    int fd;
    char *path;
    dev_t dev;
    ino_t ino;
    unsigned long pid; /* the process that opened it */
    int via_proc;      /* /proc/<pid>/fd/<fd> was seen to lead to it */
};

static int fail_errno(int err, char *msg, size_t msglen, const char *call, const char *path,
                      const char *name)
{
    snprintf(msg, msglen, "%s %s%s%s: %s", call, path, name ? "/" : "", name ? name : "",
             strerror(err));
    return hot__from_errno(err);
}

/* The shadow folder itself: ours alone. */
static int judge_folder(const struct stat *sb, const char *path, char *msg, size_t msglen)
{
    if (sb->st_uid != geteuid()) {
        snprintf(msg, msglen, "%s belongs to uid %lu, not to this user (uid %lu): not private",
                 path, (unsigned long)sb->st_uid, (unsigned long)geteuid());
        return HOT_EACCES;
    }
    if (sb->st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(msg, msglen, "%s is writable by others (mode %03o): not private", path,
                 (unsigned)(sb->st_mode & 0777));
        return HOT_EACCES;
    }
    return 0;
}

/* A folder above it: whoever can rename entries there can swap the shadow
 * folder, so only root or this user, and no one else unless sticky. */
static int judge_ancestor(const struct stat *sb, const char *path, char *msg, size_t msglen)
{
    if (sb->st_uid != 0 && sb->st_uid != geteuid()) {
        snprintf(msg, msglen,
                 "%s (above the shadow folder) belongs to uid %lu: it could swap the folder", path,
                 (unsigned long)sb->st_uid);
        return HOT_EACCES;
    }
    if ((sb->st_mode & (S_IWGRP | S_IWOTH)) && !(sb->st_mode & S_ISVTX)) {
        snprintf(msg, msglen,
                 "%s (above the shadow folder) is writable by others and not sticky (mode "
                 "%04o): the folder could be swapped",
                 path, (unsigned)(sb->st_mode & 07777));
        return HOT_EACCES;
    }
    return 0;
}

/* A link above the folder is followed only if root or this user made it
 * (/var/run -> /run); the folder it leads to is judged like any other. */
static int open_through_link(int parent, const char *name, const char *path, char *msg,
                             size_t msglen)
{
    struct stat sb;
    int fd;

    if (hot__sys.fstatat(parent, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
        return fail_errno(errno, msg, msglen, "fstatat", path, NULL);
    if (!S_ISLNK(sb.st_mode) || (sb.st_uid != 0 && sb.st_uid != geteuid())) {
        snprintf(msg, msglen, "%s is not a folder, or a link of uid %lu", path,
                 (unsigned long)sb.st_uid);
        return HOT_EACCES;
    }
    fd = hot__sys.openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    return fd < 0 ? fail_errno(errno, msg, msglen, "openat", path, NULL) : fd;
}

/* Opens (making it if missing) one component below parent. */
static int open_component(int parent, const char *name, const char *path, int last, char *msg,
                          size_t msglen)
{
    const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = hot__sys.openat(parent, name, flags, 0);

    if (fd < 0 && errno == ENOENT) {
        if (hot__sys.mkdirat(parent, name, 0700) != 0 && errno != EEXIST)
            return fail_errno(errno, msg, msglen, "mkdirat", path, NULL);
        fd = hot__sys.openat(parent, name, flags, 0);
    }
    if (fd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
        if (last) {
            snprintf(msg, msglen, "%s is a link or not a folder: not private", path);
            return HOT_EACCES;
        }
        return open_through_link(parent, name, path, msg, msglen);
    }
    return fd < 0 ? fail_errno(errno, msg, msglen, "openat", path, NULL) : fd;
}

/* Walks abs (an absolute path) from "/"; returns the checked folder's
 * descriptor. */
static int walk(char *abs, struct stat *sb, char *msg, size_t msglen)
{
    char *p = abs, *end;
    int fd = hot__sys.open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0), err = 0, walked = 0;

    if (fd < 0)
        return fail_errno(errno, msg, msglen, "open", "/", NULL);
    while (err == 0 && *p) {
        int next, last;
        while (*p == '/')
            p++;
        end = p + strcspn(p, "/");
        if (end == p)
            break;
        last = end[strspn(end, "/")] == '\0';
        walked = 1;
        *end = '\0';
        if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
            snprintf(msg, msglen, "%s: '.' and '..' are not allowed in the shadow folder", abs);
            err = HOT_EINVAL;
            break;
        }
        next = open_component(fd, p, abs, last, msg, msglen);
        if (next < 0) {
            err = next;
            break;
        }
        hot__sys.close(fd);
        fd = next;
        if (hot__sys.fstat(fd, sb) != 0)
            err = fail_errno(errno, msg, msglen, "fstat", abs, NULL);
        else
            err = last ? judge_folder(sb, abs, msg, msglen) : judge_ancestor(sb, abs, msg, msglen);
        if (!last)
            *end = '/';
        p = last ? end : end + 1;
    }
    if (err == 0 && !walked) {
        snprintf(msg, msglen, "%s: the root folder cannot be the shadow folder", abs);
        err = HOT_EINVAL;
    }
    if (err < 0) {
        hot__sys.close(fd);
        return err;
    }
    return fd;
}

static char *absolute(const char *path)
{
    char cwd[4096];
    size_t len;
    char *abs;

    if (path[0] == '/')
        return strdup(path);
    if (!getcwd(cwd, sizeof cwd))
        return NULL;
    len = strlen(cwd) + strlen(path) + 2;
    if ((abs = malloc(len)) != NULL)
        snprintf(abs, len, "%s/%s", cwd, path);
    return abs;
}

int hot__dir_open(hot__dir **out, const char *path, char *msg, size_t msglen)
{
    hot__dir *d = calloc(1, sizeof *d);
    char *walked = absolute(path);
    struct stat sb;
    int fd = HOT_ENOMEM;

    *out = NULL;
    if (d && walked && (d->path = strdup(walked)) != NULL)
        fd = walk(walked, &sb, msg, msglen);
    else
        snprintf(msg, msglen, "out of memory opening %s", path);
    free(walked);
    if (fd < 0) {
        if (d)
            free(d->path);
        free(d);
        return fd;
    }
    d->fd = fd;
    d->dev = sb.st_dev;
    d->ino = sb.st_ino;
    d->pid = (unsigned long)getpid();
    *out = d;
    return 0;
}

int hot__dir_reopen(hot__dir *d, char *msg, size_t msglen)
{
    char *walked = strdup(d->path);
    struct stat sb;
    int fd;

    if (!walked) {
        snprintf(msg, msglen, "out of memory opening %s", d->path);
        return HOT_ENOMEM;
    }
    fd = walk(walked, &sb, msg, msglen);
    free(walked);
    if (fd < 0)
        return fd;
    /* dup2 swaps what the number refers to in one step. */
    if (hot__sys.dup2(fd, d->fd) < 0) {
        int err = fail_errno(errno, msg, msglen, "dup2", d->path, NULL);
        hot__sys.close(fd);
        return err;
    }
    hot__sys.close(fd);
    /* walk() returns a descriptor only after fstat filled sb. */
    d->dev = sb.st_dev; /* NOLINT(clang-analyzer-core.uninitialized.Assign) */
    d->ino = sb.st_ino;
    d->via_proc = 0; /* look again */
    return 0;
}

int hot__dir_mine(const hot__dir *d)
{
    return d && d->pid == (unsigned long)getpid();
}

void hot__dir_close(hot__dir *d)
{
    if (!d)
        return;
    hot__sys.close(d->fd);
    free(d->path);
    free(d);
}

const char *hot__dir_path(const hot__dir *d)
{
    return d->path;
}

int hot__dir_exists(hot__dir *d)
{
    struct stat sb;

    return hot__sys.fstat(d->fd, &sb) == 0 && sb.st_nlink > 0;
}

int hot__dir_write_new(hot__dir *d, const char *name, const void *buf, size_t size, char *msg,
                       size_t msglen)
{
    const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    int fd = hot__sys.openat(d->fd, name, flags, 0700), err;
    const char *call = "write";

    if (fd < 0)
        return fail_errno(errno, msg, msglen, "openat", d->path, name);
    err = hot__unix_write_all(fd, buf, size);
    /* A close can report a write the kernel deferred (NFS, a full disk):
     * said as what failed. */
    if (hot__sys.close(fd) != 0 && !err) {
        err = errno;
        call = "close";
    }
    if (err) {
        hot__sys.unlinkat(d->fd, name, 0);
        return fail_errno(err, msg, msglen, call, d->path, name);
    }
    return 0;
}

int hot__dir_read_all(hot__dir *d, const char *name, unsigned char **out, size_t *size, char *msg,
                      size_t msglen)
{
    /* O_NONBLOCK: a FIFO planted under an owner file's name must not hang
     * us; read_fd refuses anything but a regular file. */
    int fd = hot__sys.openat(d->fd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, 0);
    int err;

    *out = NULL;
    *size = 0;
    if (fd < 0)
        return fail_errno(errno, msg, msglen, "openat", d->path, name);
    err = hot__unix_read_fd_new(fd, out, size, name, msg, msglen);
    hot__sys.close(fd);
    return err;
}

int hot__unix_dir_fd(const hot__dir *d)
{
    return d->fd;
}

int hot__unix_dir_openat(hot__dir *d, const char *name, int flags)
{
    return hot__sys.openat(d->fd, name, flags | O_NOFOLLOW | O_CLOEXEC, 0);
}

int hot__dir_unlink(hot__dir *d, const char *name, char *msg, size_t msglen)
{
    if (hot__sys.unlinkat(d->fd, name, 0) == 0 || errno == ENOENT)
        return 0;
    return fail_errno(errno, msg, msglen, "unlinkat", d->path, name);
}

int hot__dir_list(hot__dir *d, void (*fn)(const char *name, void *arg), void *arg)
{
    int fd = hot__sys.openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *e;

    if (!dir) {
        int err = errno;
        if (fd >= 0)
            hot__sys.close(fd);
        return hot__from_errno(err);
    }
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            fn(e->d_name, arg);
    }
    closedir(dir);
    return 0;
}

/* 0 if path leads to the held folder, else an errno value (EXDEV: it
 * leads somewhere else). */
static int leads_to(const hot__dir *d, const char *path)
{
    struct stat sb;

    if (hot__sys.fstatat(AT_FDCWD, path, &sb, 0) != 0)
        return errno;
    return sb.st_dev == d->dev && sb.st_ino == d->ino ? 0 : EXDEV;
}

/* /proc of this pid namespace (in a container it may show another's,
 * where our pid is some other process). */
static int proc_is_ours(void)
{
    char self[32], pid[32];
    ssize_t n = hot__sys.readlink("/proc/self", self, sizeof self - 1);

    if (n <= 0)
        return 0;
    self[n] = '\0';
    snprintf(pid, sizeof pid, "%lu", (unsigned long)getpid());
    return strcmp(self, pid) == 0;
}

static void proc_path(const hot__dir *d, char *out, size_t len)
{
    /* By pid, not /proc/self: a debugger reads the name in its own process. */
    snprintf(out, len, "/proc/%lu/fd/%d", (unsigned long)getpid(), d->fd);
}

char *hot__dir_load_path(hot__dir *d, const char *name, char *msg, size_t msglen)
{
    char proc[64];
    const char *via = proc;
    size_t len;
    char *path;
    int err;

    proc_path(d, proc, sizeof proc);
    /* Checked once per process and folder (a fork changes the pid). */
    if (d->via_proc != (int)getpid() && proc_is_ours() && leads_to(d, proc) == 0)
        d->via_proc = (int)getpid();
    if (d->via_proc != (int)getpid()) { /* no /proc here: the path, if still ours */
        via = d->path;
        if ((err = leads_to(d, d->path)) == EXDEV) {
            snprintf(msg, msglen,
                     "%s is no longer the folder that was checked: not loading from it", d->path);
            return NULL;
        }
        if (err) {
            snprintf(msg, msglen, "fstatat %s: %s: not loading from it", d->path, strerror(err));
            return NULL;
        }
    }
    len = strlen(via) + strlen(name) + 2;
    if ((path = hot__malloc(len)) != NULL)
        snprintf(path, len, "%s/%s", via, name);
    else
        snprintf(msg, msglen, "out of memory for the path of %s", name);
    return path;
}

/* ---- Owner files -------------------------------------------------------- */

struct hot__owner {
    int fd;
    char *name;
};

/* The file is locked before it gets the name sweepers look for (".new"
 * first), so no sweeper can ever find it unlocked while this process
 * lives. The kernel drops the lock when the process dies, which is how a
 * sweeper tells. */
int hot__owner_create(hot__owner **out, hot__dir *d, const char *name, char *msg, size_t msglen)
{
    const int flags = O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_APPEND;
    hot__owner *o = calloc(1, sizeof *o);
    char unlisted[300];
    int err = 0;

    snprintf(unlisted, sizeof unlisted, ".new%s", name);
    if (!o || !(o->name = strdup(name))) {
        free(o);
        snprintf(msg, msglen, "out of memory creating %s", name);
        return HOT_ENOMEM;
    }
    o->fd = hot__sys.openat(d->fd, unlisted, flags, 0600);
    if (o->fd < 0)
        err = fail_errno(errno, msg, msglen, "openat", d->path, unlisted);
    else if (hot__sys.flock(o->fd, LOCK_EX) != 0)
        err = fail_errno(errno, msg, msglen, "flock", d->path, unlisted);
    else if (hot__sys.renameat(d->fd, unlisted, d->fd, name) != 0)
        err = fail_errno(errno, msg, msglen, "renameat", d->path, name);
    if (err < 0) {
        if (o->fd >= 0) {
            hot__sys.unlinkat(d->fd, unlisted, 0);
            hot__sys.close(o->fd);
        }
        free(o->name);
        free(o);
    } else {
        *out = o;
    }
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
    err = hot__unix_write_all(o->fd, buf, len + 1);
    return err ? hot__from_errno(err) : 0;
}

const char *hot__owner_name(const hot__owner *o)
{
    return o->name;
}

void hot__owner_close(hot__owner *o, hot__dir *d, int remove)
{
    if (!o)
        return;
    if (remove && d)
        hot__sys.unlinkat(d->fd, o->name, 0);
    hot__sys.close(o->fd);
    free(o->name);
    free(o);
}

int hot__owner_try_orphan(hot__dir *d, const char *name)
{
    int fd = hot__sys.openat(d->fd, name, O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, 0);
    struct stat sb;
    int taken;

    if (fd < 0)
        return 0;
    /* A FIFO or device named like an owner file is no one's owner file. */
    taken = hot__sys.fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
            hot__sys.flock(fd, LOCK_EX | LOCK_NB) == 0;
    hot__sys.close(fd); /* closing drops our lock; the caller deletes the file */
    return taken;
}
