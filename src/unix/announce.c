/*
 * The supervisor socket on Unix: a datagram socket in the shadow folder
 * that a supervisor (`hotreload run` with no host of its own) binds, and
 * that every process loading the library sends its event lines to. A
 * datagram either fits in the receiver's buffer or is dropped: a sender
 * never waits, whether the supervisor reads, stops reading, or is gone.
 *
 * The socket's address is the held folder's path and the name when that
 * fits in sun_path (108 bytes); else, on Linux, /proc/self/fd/<folder
 * descriptor>/<name>, which the kernel resolves through the held folder.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hotreload.h"
#include "../platform.h"
#include "syscalls.h"
#include "unix-fs.h"

#define RECEIVE_BUFFER (256 * 1024) /* a burst of refusal reasons fits */

static int socket_address(hot__dir *d, const char *name, struct sockaddr_un *sa)
{
    int n;

    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    n = snprintf(sa->sun_path, sizeof sa->sun_path, "%s/%s", hot__dir_path(d), name);
    if (n > 0 && (size_t)n < sizeof sa->sun_path)
        return 0;
    n = snprintf(sa->sun_path, sizeof sa->sun_path, "/proc/self/fd/%d/%s", hot__unix_dir_fd(d),
                 name);
    return n > 0 && (size_t)n < sizeof sa->sun_path ? 0 : -1;
}

/* 1: a socket of this user; 0: nothing there; -1: something else (a
 * regular file, a link, another user's socket). */
static int judge_socket(hot__dir *d, const char *name, struct stat *sb)
{
    if (hot__sys.fstatat(hot__unix_dir_fd(d), name, sb, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? 0 : -1;
    return S_ISSOCK(sb->st_mode) && sb->st_uid == geteuid() ? 1 : -1;
}

/* ---- The sending side (every process that loads the library) ------------ */

static int sender_fd = -1;
static int sender_lock;

static int sender(void)
{
    int fd;

    while (__atomic_exchange_n(&sender_lock, 1, __ATOMIC_ACQUIRE))
        ;
    if (sender_fd < 0)
        sender_fd = hot__sys.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    fd = sender_fd;
    __atomic_store_n(&sender_lock, 0, __ATOMIC_RELEASE);
    return fd;
}

int hot__announce_send(hot__dir *d, const char *name, const char *line)
{
    struct sockaddr_un sa;
    struct stat sb;
    int fd, found = judge_socket(d, name, &sb);

    if (found <= 0)
        return found < 0 ? HOT_EACCES : 0;
    if (socket_address(d, name, &sa) < 0 || (fd = sender()) < 0)
        return 0;
    /* Looked up at every event: a supervisor started later is found, one
     * gone leaves a socket no one reads (ECONNREFUSED), one that stopped
     * reading a full buffer (EAGAIN). Either way: nothing, at once. */
    (void)hot__sys.sendto(fd, line, strlen(line), MSG_DONTWAIT | MSG_NOSIGNAL,
                          (const struct sockaddr *)&sa, sizeof sa);
    return 0;
}

/* ---- The supervisor's side ---------------------------------------------- */

/* A socket of ours at the name: stale (its process is gone) when a
 * connect is refused. */
static int still_bound(const struct sockaddr_un *sa)
{
    int probe = hot__sys.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), live;

    if (probe < 0)
        return 0;
    live = connect(probe, (const struct sockaddr *)sa, sizeof *sa) == 0;
    close(probe);
    return live;
}

static int refuse_name(hot__dir *d, const char *name, const struct stat *sb, char *msg,
                       size_t msglen)
{
    if (S_ISSOCK(sb->st_mode))
        snprintf(msg, msglen, "%s/%s is a socket of uid %lu, not of this user: not using it",
                 hot__dir_path(d), name, (unsigned long)sb->st_uid);
    else
        snprintf(msg, msglen, "%s/%s exists and is not a socket: not using it", hot__dir_path(d),
                 name);
    return HOT_EACCES;
}

/* The name is taken: by a live supervisor (HOT_EBUSY), by a stale socket
 * of ours (removed), or by something else (refused). */
static int clear_name(hot__dir *d, const char *name, const struct sockaddr_un *sa, char *msg,
                      size_t msglen)
{
    struct stat sb;
    int found = judge_socket(d, name, &sb);

    if (found == 0)
        return 0;
    if (found < 0)
        return refuse_name(d, name, &sb, msg, msglen);
    if (still_bound(sa)) {
        snprintf(msg, msglen, "another supervisor already listens on %s/%s", hot__dir_path(d),
                 name);
        return HOT_EBUSY;
    }
    if (hot__sys.unlinkat(hot__unix_dir_fd(d), name, 0) != 0 && errno != ENOENT) {
        snprintf(msg, msglen, "unlinkat %s/%s: %s", hot__dir_path(d), name, strerror(errno));
        return hot__from_errno(errno);
    }
    return 0;
}

int hot__announce_bind(hot__dir *d, const char *name, long *out, char *msg, size_t msglen)
{
    struct sockaddr_un sa;
    int fd, err, size = RECEIVE_BUFFER;

    *out = -1;
    if (socket_address(d, name, &sa) < 0) {
        snprintf(msg, msglen, "%s/%s: too long for a socket address", hot__dir_path(d), name);
        return HOT_EINVAL;
    }
    if ((err = clear_name(d, name, &sa, msg, msglen)) < 0)
        return err;
    fd = hot__sys.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || hot__sys.bind(fd, (const struct sockaddr *)&sa, sizeof sa) != 0) {
        err = errno;
        snprintf(msg, msglen, "%s %s/%s: %s", fd < 0 ? "socket" : "bind", hot__dir_path(d), name,
                 strerror(err));
        if (fd >= 0)
            close(fd);
        return hot__from_errno(err);
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    *out = fd;
    return 0;
}

long hot__announce_receive(long fd, char *buf, size_t size)
{
    ssize_t n = recv((int)fd, buf, size - 1, MSG_DONTWAIT);

    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    buf[n] = '\0';
    return (long)n;
}

void hot__announce_unbind(hot__dir *d, const char *name, long fd)
{
    struct stat there;

    /* While we live no one else takes the name (clear_name sees us
     * bound): a socket of ours there is ours. */
    if (judge_socket(d, name, &there) == 1)
        hot__sys.unlinkat(hot__unix_dir_fd(d), name, 0);
    close((int)fd);
}
