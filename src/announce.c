/*
 * The supervisor socket: how a process that no supervisor started reports
 * its events. The socket lives in the shadow folder (private to the user),
 * named from the library's resolved path, so that every process loading
 * the same file, and the supervisor, find the same name without being
 * told. The OS side (binding, sending without waiting) is in
 * src/unix/announce.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct hot_supervisor {
    hot__dir *dir;
    long fd;
    char name[HOT__ANNOUNCE_NAME_MAX];
    char *path;
};

/* ".supervisor-" and 16 hex digits of the path's hash: short, whatever the
 * path's length, and a dot-name the sweep of copies leaves alone. */
int hot__announce_name(const char *library, char *out, size_t len)
{
    char *canonical = hot__path_canonical(library), hex[17];
    hot__content_id id;

    if (!canonical)
        return HOT_ENOMEM;
    hot__hash_content((const unsigned char *)canonical, strlen(canonical), &id);
    free(canonical);
    hot__hex(id.bytes + 1, 8, hex);
    snprintf(out, len, ".supervisor-%s", hex);
    return 0;
}

/* The process name goes into a tab-separated line: no tabs or newlines. */
static void sender_name(char *out, size_t len)
{
    char *p;

    snprintf(out, len, "%s", hot__process_name());
    for (p = out; *p; p++) {
        if (*p == '\t' || *p == '\n')
            *p = ' ';
    }
}

void hot__announce(hot_lib *lib, const char *line)
{
    char datagram[HOT__MSG_MAX + 256], name[64];
    size_t n;

    if (!lib->shadow || !lib->announce_name[0])
        return;
    sender_name(name, sizeof name);
    snprintf(datagram, sizeof datagram, "%lu\t%s\t%s", hot__pid(), name, line);
    n = strlen(datagram);
    if (n > 0 && datagram[n - 1] == '\n')
        datagram[n - 1] = '\0';
    if (hot__announce_send(lib->shadow, lib->announce_name, datagram) == HOT_EACCES &&
        __atomic_exchange_n(&lib->announce_warned, 1, __ATOMIC_ACQ_REL) == 0)
        hot__log(lib, HOT_LOG_WARN, "%s/%s is not a socket of this user: no events are sent there",
                 hot__dir_path(lib->shadow), lib->announce_name);
}

/* ---- The supervisor ------------------------------------------------------ */

static int open_failed(hot_supervisor *sv, int err, const char *msg)
{
    hot__set_last_error("%s", msg);
    hot_supervisor_close(sv);
    return err;
}

int hot_supervisor_open(hot_supervisor **out, const char *library, const char *shadow_dir)
{
    hot_supervisor *sv;
    char msg[HOT__MSG_MAX] = "", *dir;
    int err;

    if (!out || !library) {
        hot__set_last_error("hot_supervisor_open: out and library are required");
        return HOT_EINVAL;
    }
    *out = NULL;
    if (!(sv = calloc(1, sizeof *sv)))
        return open_failed(NULL, HOT_ENOMEM, "out of memory");
    sv->fd = -1;
    dir = shadow_dir ? hot__strdup(shadow_dir) : hot__default_shadow_dir();
    err = dir ? hot__dir_open(&sv->dir, dir, msg, sizeof msg) : HOT_ENOMEM;
    free(dir);
    if (err < 0)
        return open_failed(sv, err, msg[0] ? msg : "out of memory");
    if (hot__announce_name(library, sv->name, sizeof sv->name) < 0 ||
        !(sv->path = hot__printf("%s/%s", hot__dir_path(sv->dir), sv->name)))
        return open_failed(sv, HOT_ENOMEM, "out of memory");
    if ((err = hot__announce_bind(sv->dir, sv->name, &sv->fd, msg, sizeof msg)) < 0)
        return open_failed(sv, err, msg);
    *out = sv;
    return 0;
}

int hot_supervisor_fd(const hot_supervisor *sv)
{
    return sv ? (int)sv->fd : HOT_EINVAL;
}

int hot_supervisor_read(hot_supervisor *sv, char *buf, size_t size)
{
    long n;

    if (!sv || !buf || size < 2)
        return HOT_EINVAL;
    n = hot__announce_receive(sv->fd, buf, size);
    if (n < 0)
        return HOT_ESYS;
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    return (int)n;
}

const char *hot_supervisor_path(const hot_supervisor *sv)
{
    return sv && sv->path ? sv->path : "";
}

void hot_supervisor_close(hot_supervisor *sv)
{
    if (!sv)
        return;
    if (sv->fd >= 0)
        hot__announce_unbind(sv->dir, sv->name, sv->fd);
    hot__dir_close(sv->dir);
    free(sv->path);
    free(sv);
}
