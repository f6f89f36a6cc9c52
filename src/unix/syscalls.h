/*
 * The seam for faults: the risky system calls of the Unix backend go through
 * this table, and tests replace entries to force failures (a full disk, a
 * refused dlopen, no inotify) instead of hoping for them.
 */
#ifndef HOT_UNIX_SYSCALLS_H
#define HOT_UNIX_SYSCALLS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

struct hot__syscalls {
    int (*open)(const char *path, int flags, mode_t mode);
    ssize_t (*read)(int fd, void *buf, size_t len);
    ssize_t (*write)(int fd, const void *buf, size_t len);
    int (*close)(int fd);
    void *(*dlopen)(const char *path, int flags);
    void *(*dlsym)(void *handle, const char *name);
    int (*inotify_init1)(int flags);
    int (*inotify_add_watch)(int fd, const char *path, uint32_t mask);
    /* The shadow folder, held by descriptor (src/unix/folder.c). */
    int (*openat)(int dirfd, const char *name, int flags, mode_t mode);
    int (*mkdirat)(int dirfd, const char *name, mode_t mode);
    int (*unlinkat)(int dirfd, const char *name, int flags);
    int (*renameat)(int olddirfd, const char *oldname, int newdirfd, const char *newname);
    int (*fstatat)(int dirfd, const char *name, struct stat *sb, int flags);
    /* The library's own file (src/unix/fs.c). */
    int (*stat)(const char *path, struct stat *sb);
    /* The watcher thread (src/unix/thread.c). */
    int (*pthread_create)(pthread_t *id, const pthread_attr_t *attr, void *(*fn)(void *),
                          void *arg);
    /* The runtime's own allocations (hot__malloc and kin, src/unix/alloc.c):
     * a load that runs out of memory is refused like any other failure. */
    void *(*malloc)(size_t size);
    void *(*calloc)(size_t n, size_t size);
    void *(*realloc)(void *p, size_t size);
    /* The supervisor socket (src/unix/announce.c). */
    int (*socket)(int domain, int type, int protocol);
    int (*bind)(int fd, const struct sockaddr *addr, socklen_t len);
    ssize_t (*sendto)(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
                      socklen_t addrlen);
    /* The shadow folder's checks and owner-file locks (src/unix/folder.c),
     * the library's size (src/unix/fs.c), and what /proc says
     * (src/unix/folder.c, src/linux/program-dir.c, src/linux/watch-inotify.c). */
    int (*fstat)(int fd, struct stat *sb);
    int (*flock)(int fd, int op);
    int (*dup2)(int fd, int to);
    ssize_t (*readlink)(const char *path, char *buf, size_t len);
    /* Reading another thread's stack through /proc/self/mem, to prove it
     * is outside old code (src/linux/thread-scan.c). */
    ssize_t (*pread)(int fd, void *buf, size_t len, off_t offset);
};

extern struct hot__syscalls hot__sys;

/* Puts every entry back to the real call. */
void hot__syscalls_reset(void);

/* errno to HOT_E*, in one place. */
int hot__from_errno(int err);

#endif
