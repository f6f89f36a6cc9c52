/*
 * Watching a library with inotify. The folder is watched, not the file: a
 * linker or an editor replaces the file, and a watch on the old inode goes
 * silent. IN_CLOSE_WRITE and IN_MOVED_TO mark a complete file; IN_MODIFY
 * says a writer is at it (wait for its close: gold writes through a shared
 * mapping, which makes no events at all); IN_CREATE alone (a hard link, a
 * file still empty) says only that something changed.
 *
 * Links on the way to the file are followed: the folder holding each link
 * is watched for that name too, and a change of a link re-resolves the
 * whole path (a re-pointed `result` or `current` link, a link into the
 * build folder).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hotreload.h"
#include "../platform.h"
#include "../unix/syscalls.h"

#define LINKS_MAX 16 /* links followed on the way, as the kernel's 40 is too many to watch */

/* IN_ATTRIB: a chmod can make a refused, unreadable file loadable. */
#define WATCH_MASK                                                                                 \
    (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MODIFY | IN_CREATE | IN_ATTRIB | IN_DELETE |                \
     IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF)

/* One name in one watched folder. */
typedef struct watched_name {
    int wd;
    char *name;
} watched_name;

struct notify_watch {
    struct hot__watch_ops ops;
    int ifd;
    int wake_fd;
    char *path;                    /* as given: absolute, links and all */
    watched_name file;             /* the file the links lead to */
    watched_name links[LINKS_MAX]; /* each link met on the way */
    int n_links;
};

static void forget_names(struct notify_watch *w)
{
    int i;

    free(w->file.name);
    w->file.name = NULL;
    for (i = 0; i < w->n_links; i++)
        free(w->links[i].name);
    w->n_links = 0;
}

/* Watches the folder part of path for its last name; the folder of "/x" is
 * "/". */
static int watch_name(struct notify_watch *w, const char *path, watched_name *out, char *msg,
                      size_t msglen)
{
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX];

    snprintf(dir, sizeof dir, "%.*s", slash && slash != path ? (int)(slash - path) : 1,
             slash ? path : "/");
    out->name = strdup(slash ? slash + 1 : path);
    if (!out->name)
        return HOT_ENOMEM;
    out->wd = hot__sys.inotify_add_watch(w->ifd, dir, WATCH_MASK);
    if (out->wd < 0) {
        snprintf(msg, msglen, "inotify_add_watch %s: %s", dir, strerror(errno));
        return HOT_ESYS;
    }
    return 0;
}

/* Replaces the link that ends at cur[end] with its target, in place. */
static int follow_link(char *cur, size_t end, char *msg, size_t msglen)
{
    char target[PATH_MAX], rest[PATH_MAX], link[PATH_MAX];
    const char *slash;
    ssize_t n;

    snprintf(link, sizeof link, "%.*s", (int)end, cur);
    snprintf(rest, sizeof rest, "%s", cur + end);
    n = hot__sys.readlink(link, target, sizeof target - 1);
    if (n < 0) {
        snprintf(msg, msglen, "readlink %s: %s", link, strerror(errno));
        return HOT_ESYS;
    }
    target[n] = '\0';
    slash = strrchr(link, '/');
    if (target[0] == '/')
        n = snprintf(cur, PATH_MAX, "%s%s", target, rest);
    else
        n = snprintf(cur, PATH_MAX, "%.*s/%s%s", (int)(slash - link), link, target, rest);
    if (n >= PATH_MAX) {
        snprintf(msg, msglen, "%s: the path grows too long following links", link);
        return HOT_ESYS;
    }
    return 0;
}

/* Walks the path's components; each link found is watched (its folder, its
 * name) and replaced by its target, and the walk starts again. ".." is left
 * to the kernel, which resolves it in the real folder. */
static int watch_path(struct notify_watch *w, char *msg, size_t msglen)
{
    char cur[PATH_MAX];
    size_t end = 0;
    int err;

    snprintf(cur, sizeof cur, "%s", w->path);
    for (;;) {
        const char *next = strchr(cur + end + 1, '/');
        struct stat sb;

        end = next ? (size_t)(next - cur) : strlen(cur);
        cur[end] = '\0';
        if (lstat(cur, &sb) == 0 && S_ISLNK(sb.st_mode)) {
            if (w->n_links == LINKS_MAX) {
                snprintf(msg, msglen, "%s: more than %d links on the way", w->path, LINKS_MAX);
                return HOT_ESYS;
            }
            if ((err = watch_name(w, cur, &w->links[w->n_links], msg, msglen)) < 0)
                return err;
            w->n_links++;
            if (next)
                cur[end] = '/';
            if ((err = follow_link(cur, end, msg, msglen)) < 0)
                return err;
            end = 0;
            continue;
        }
        if (!next)
            break;
        cur[end] = '/';
    }
    return watch_name(w, cur, &w->file, msg, msglen);
}

/* A fresh inotify instance on the path as it resolves now: the events of
 * the old one, which may name folders no longer on the way, are dropped. */
static int rearm(struct notify_watch *w, char *msg, size_t msglen)
{
    int ifd = hot__sys.inotify_init1(IN_NONBLOCK | IN_CLOEXEC), err;

    if (ifd < 0) {
        snprintf(msg, msglen, "inotify_init1: %s", strerror(errno));
        return HOT_ESYS;
    }
    if (w->ifd >= 0)
        hot__sys.close(w->ifd);
    w->ifd = ifd;
    forget_names(w);
    if ((err = watch_path(w, msg, msglen)) < 0)
        forget_names(w);
    return err;
}

static int is_name(const struct inotify_event *ev, const watched_name *n)
{
    return ev->wd == n->wd && ev->len != 0 && n->name && strcmp(ev->name, n->name) == 0;
}

static int about_a_link(const struct notify_watch *w, const struct inotify_event *ev)
{
    int i;

    for (i = 0; i < w->n_links; i++) {
        if (is_name(ev, &w->links[i]) || (ev->len == 0 && ev->wd == w->links[i].wd))
            return 1;
    }
    return 0;
}

/* Another shared library written or moved into the file's folder: maybe a
 * dependency found through $ORIGIN that a refused load was missing. */
static int is_sibling_library(const struct notify_watch *w, const struct inotify_event *ev)
{
    return ev->wd == w->file.wd && ev->len != 0 && strstr(ev->name, ".so") &&
           (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO));
}

static int classify(const struct notify_watch *w, const struct inotify_event *ev, int *relink)
{
    if (ev->mask & IN_Q_OVERFLOW)
        return HOT__WATCH_CHANGED; /* events were lost: look after a quiet spell */
    if (ev->wd != w->file.wd && about_a_link(w, ev)) {
        *relink = 1;
        return 0;
    }
    if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
        return ev->wd == w->file.wd ? HOT__WATCH_LOST : 0;
    if (is_name(ev, &w->file)) {
        if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
            return HOT__WATCH_COMPLETE;
        if (ev->mask & (IN_DELETE | IN_MOVED_FROM))
            return HOT__WATCH_GONE;
        if (ev->mask & IN_ATTRIB)
            return HOT__WATCH_ATTRIB;
        if (ev->mask & IN_CREATE)
            return HOT__WATCH_CHANGED;
        return HOT__WATCH_WRITING;
    }
    if (about_a_link(w, ev)) {
        *relink = 1; /* a link in the file's own folder */
        return 0;
    }
    return is_sibling_library(w, ev) ? HOT__WATCH_SIBLING : 0;
}

/* Later events win: "complete, then writing again" means writing. */
static int merge(int bits, int kind)
{
    if (kind == HOT__WATCH_COMPLETE)
        return (bits & ~(HOT__WATCH_WRITING | HOT__WATCH_GONE | HOT__WATCH_CHANGED)) | kind;
    if (kind == HOT__WATCH_WRITING || kind == HOT__WATCH_GONE || kind == HOT__WATCH_CHANGED)
        return (bits & ~HOT__WATCH_COMPLETE) | kind;
    return bits | kind;
}

/* Reads every queued event, so a burst of writes is one answer. */
static int drain(struct notify_watch *w)
{
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    int bits = 0, relink = 0;

    for (;;) {
        ssize_t n = hot__sys.read(w->ifd, buf, sizeof buf);
        char *p;
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            int err = errno;
            snprintf(w->ops.msg, sizeof w->ops.msg, "read from inotify: %s", strerror(err));
            return hot__from_errno(err);
        }
        if (n <= 0)
            break;
        for (p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            bits = merge(bits, classify(w, ev, &relink));
            p += sizeof *ev + ev->len;
        }
    }
    if (relink) {
        /* The link now leads elsewhere (or nowhere yet): watch the new way
         * and look at the file it leads to. */
        if (rearm(w, w->ops.msg, sizeof w->ops.msg) < 0)
            return merge(bits, HOT__WATCH_LOST);
        bits = merge(bits, HOT__WATCH_CHANGED);
    }
    return bits;
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
    if (n < 0) {
        int err = errno;
        snprintf(w->ops.msg, sizeof w->ops.msg, "poll on inotify: %s", strerror(err));
        return err == EINTR ? 0 : hot__from_errno(err);
    }
    if (fds[1].revents) {
        uint64_t v;
        if (read(w->wake_fd, &v, sizeof v) < 0) { /* nothing to do */
        }
        bits |= HOT__WATCH_WOKEN;
    }
    if (fds[0].revents) {
        int more = drain(w);
        if (more < 0)
            return more;
        bits |= more;
    }
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
    forget_names(w);
    free(w->path);
    free(w);
}

static void notify_close(hot__watch *base)
{
    notify_close_watch((struct notify_watch *)base);
}

int hot__watch_notify_open(hot__watch **out, const char *path, char *msg, size_t msglen)
{
    struct notify_watch *w = calloc(1, sizeof *w);
    int err;

    *out = NULL;
    if (!w)
        return HOT_ENOMEM;
    w->ops.wait = notify_wait;
    w->ops.wake = notify_wake;
    w->ops.close = notify_close;
    w->ifd = -1;
    w->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    w->path = strdup(path);
    if (w->wake_fd < 0 || !w->path) {
        snprintf(msg, msglen, "eventfd: %s", strerror(errno));
        notify_close_watch(w);
        return HOT_ESYS;
    }
    if ((err = rearm(w, msg, msglen)) < 0) {
        notify_close_watch(w);
        return err == HOT_ENOMEM ? err : HOT_ESYS;
    }
    *out = &w->ops;
    return 0;
}
