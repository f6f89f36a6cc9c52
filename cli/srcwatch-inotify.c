/*
 * srcwatch on Linux: one inotify descriptor, one watch per folder. A file is
 * reported once it is complete (IN_CLOSE_WRITE), renamed into place
 * (IN_MOVED_TO) or deleted: never on IN_MODIFY, which sees half a file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "srcwatch.h"

#define MAX_FOLDERS 64

struct folder {
    int wd;
    char *path;
};

struct srcwatch {
    int fd;
    struct folder folders[MAX_FOLDERS];
    int n_folders;
};

int srcwatch_open(srcwatch **out)
{
    srcwatch *w = calloc(1, sizeof *w);

    *out = NULL;
    if (!w)
        return -1;
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0) {
        free(w);
        return -1;
    }
    *out = w;
    return 0;
}

static const struct folder *folder_of(const srcwatch *w, int wd)
{
    int i;

    for (i = 0; i < w->n_folders; i++) {
        if (w->folders[i].wd == wd)
            return &w->folders[i];
    }
    return NULL;
}

int srcwatch_add(srcwatch *w, const char *dir)
{
    int wd;

    if (w->n_folders == MAX_FOLDERS) {
        errno = ENOSPC;
        return -1;
    }
    wd = inotify_add_watch(w->fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_ONLYDIR);
    if (wd < 0)
        return -1;
    if (folder_of(w, wd))
        return 0; /* the kernel gives the same folder the same watch */
    if (!(w->folders[w->n_folders].path = strdup(dir)))
        return -1;
    w->folders[w->n_folders++].wd = wd;
    return 0;
}

int srcwatch_fd(const srcwatch *w)
{
    return w->fd;
}

void srcwatch_read(srcwatch *w, srcwatch_fn fn, void *userdata)
{
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t n, off;

    while ((n = read(w->fd, buf, sizeof buf)) > 0) {
        for (off = 0; off < n;) {
            const struct inotify_event *ev = (const struct inotify_event *)(buf + off);
            const struct folder *f = folder_of(w, ev->wd);
            if (f && ev->len > 0 && !(ev->mask & IN_ISDIR))
                fn(f->path, ev->name, userdata);
            off += (ssize_t)(sizeof *ev + ev->len);
        }
    }
}

void srcwatch_close(srcwatch *w)
{
    int i;

    if (!w)
        return;
    close(w->fd);
    for (i = 0; i < w->n_folders; i++)
        free(w->folders[i].path);
    free(w);
}
