/*
 * Watching a library with inotify. The folder is watched, not the file: a
 * linker or an editor replaces the file, and a watch on the old inode goes
 * silent. IN_CLOSE_WRITE and IN_MOVED_TO mark a complete file; IN_MODIFY and
 * IN_CREATE only say that writing has begun.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "hotreload.h"
#include "../platform.h"
#include "../unix/syscalls.h"

struct notify_watch {
    struct hot__watch_ops ops;
    int ifd;
    int wake_fd;
    char *file;
};

static int classify(const struct inotify_event *ev, const char *file)
{
    if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_Q_OVERFLOW))
        return ev->mask & IN_Q_OVERFLOW ? HOT__WATCH_WRITING : HOT__WATCH_LOST;
    if (ev->len == 0 || strcmp(ev->name, file) != 0)
        return 0;
    if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
        return HOT__WATCH_COMPLETE;
    if (ev->mask & (IN_DELETE | IN_MOVED_FROM))
        return HOT__WATCH_GONE;
    if (ev->mask & IN_ATTRIB)
        return HOT__WATCH_ATTRIB;
    return HOT__WATCH_WRITING;
}

/* Reads every queued event, so a burst of writes is one answer. Later events
 * win: "complete, then writing again" means writing. */
static int drain(struct notify_watch *w)
{
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    int bits = 0;

    for (;;) {
        ssize_t n = hot__sys.read(w->ifd, buf, sizeof buf);
        char *p;
        if (n <= 0)
            return n < 0 && errno != EAGAIN && errno != EINTR ? HOT__WATCH_LOST : bits;
        for (p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            int kind = classify(ev, w->file);
            if (kind == HOT__WATCH_COMPLETE)
                bits = (bits & ~(HOT__WATCH_WRITING | HOT__WATCH_GONE)) | kind;
            else if (kind == HOT__WATCH_WRITING || kind == HOT__WATCH_GONE)
                bits = (bits & ~HOT__WATCH_COMPLETE) | kind;
            else
                bits |= kind;
            p += sizeof *ev + ev->len;
        }
    }
}

static int notify_wait(hot__watch *base, unsigned timeout_ms)
{
    struct notify_watch *w = (struct notify_watch *)base;
    struct pollfd fds[2];
    int n, bits = 0;

    fds[0].fd = w->ifd;
    fds[0].events = POLLIN;
    fds[1].fd = w->wake_fd;
    fds[1].events = POLLIN;
    n = poll(fds, 2, timeout_ms ? (int)timeout_ms : -1);
    if (n < 0)
        return errno == EINTR ? 0 : hot__from_errno(errno);
    if (fds[1].revents) {
        uint64_t v;
        if (read(w->wake_fd, &v, sizeof v) < 0) { /* nothing to do */
        }
        bits |= HOT__WATCH_WOKEN;
    }
    if (fds[0].revents)
        bits |= drain(w);
    return bits;
}

static void notify_wake(hot__watch *base)
{
    struct notify_watch *w = (struct notify_watch *)base;
    uint64_t one = 1;
    if (write(w->wake_fd, &one, sizeof one) < 0) { /* already pending */
    }
}

static void notify_close_watch(struct notify_watch *w)
{
    if (!w)
        return;
    if (w->ifd >= 0)
        hot__sys.close(w->ifd);
    if (w->wake_fd >= 0)
        close(w->wake_fd);
    free(w->file);
    free(w);
}

static void notify_close(hot__watch *base)
{
    notify_close_watch((struct notify_watch *)base);
}

int hot__watch_notify_open(hot__watch **out, const char *dir, const char *file, char *msg,
                           size_t msglen)
{
    /* IN_ATTRIB: a chmod can make a refused, unreadable file loadable. */
    const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MODIFY | IN_CREATE | IN_ATTRIB |
                          IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF;
    struct notify_watch *w = calloc(1, sizeof *w);

    *out = NULL;
    if (!w)
        return HOT_ENOMEM;
    w->ops.wait = notify_wait;
    w->ops.wake = notify_wake;
    w->ops.close = notify_close;
    w->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    w->file = strdup(file);
    w->ifd = hot__sys.inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->ifd < 0 || w->wake_fd < 0 || !w->file ||
        hot__sys.inotify_add_watch(w->ifd, dir, mask) < 0) {
        snprintf(msg, msglen, "inotify on %s: %s", dir, strerror(errno));
        notify_close_watch(w);
        return HOT_ESYS;
    }
    *out = &w->ops;
    return 0;
}
