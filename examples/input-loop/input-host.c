/*
 * input-host [DIR] [--epoll]: a program that sleeps until input comes, as a
 * terminal UI or a server does, and still gets new code the moment it is
 * built: the runtime's descriptor, hot_fd(), sits in the same wait as
 * standard input. No timeout, no tick: without input and without a new
 * build it never wakes up.
 *
 * Each line read is handed to the hot library (input_line); after each
 * reload the new version introduces itself (input_ready). End of input
 * stops the program.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "input-api.h"

struct input_host {
    hot_lib *lib;
    struct input_state state;
    char pending[4096]; /* a line read in part */
    size_t len;
};

/* Hands each complete line to the library. Returns 0 at end of input. */
static int read_input(struct input_host *h)
{
    ssize_t n = read(STDIN_FILENO, h->pending + h->len, sizeof h->pending - 1 - h->len);
    char *nl;

    if (n < 0)
        return errno == EINTR || errno == EAGAIN;
    if (n == 0)
        return 0;
    h->len += (size_t)n;
    h->pending[h->len] = '\0';
    while ((nl = strchr(h->pending, '\n')) != NULL) {
        *nl = '\0';
        input_line(&h->state, h->pending);
        h->len -= (size_t)(nl + 1 - h->pending);
        memmove(h->pending, nl + 1, h->len + 1);
    }
    if (h->len == sizeof h->pending - 1)
        h->len = 0; /* a line longer than the buffer: dropped */
    return 1;
}

/* hot_fd() is readable: a new build is waiting for the safe point, here. */
static void take_new_code(struct input_host *h)
{
    if (hot_update(h->lib) > 0) {
        printf("reloaded v%lu\n", hot_version(h->lib));
        input_ready(&h->state);
    }
}

/* The poll() loop: standard input and the runtime's descriptor. */
static int poll_loop(struct input_host *h)
{
    struct pollfd fds[2];

    fds[0].fd = STDIN_FILENO;
    fds[1].fd = hot_fd(h->lib);
    fds[0].events = fds[1].events = POLLIN;
    for (;;) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (fds[1].revents & POLLIN)
            take_new_code(h);
        if (fds[0].revents && !read_input(h))
            return 0;
    }
}

/* The same with epoll (level-triggered, the default). */
static int epoll_loop(struct input_host *h)
{
    struct epoll_event ev, got[2];
    int ep = epoll_create1(EPOLL_CLOEXEC), hot = hot_fd(h->lib), n, i, done = 0;

    if (ep < 0)
        return -1;
    ev.events = EPOLLIN;
    ev.data.fd = STDIN_FILENO;
    epoll_ctl(ep, EPOLL_CTL_ADD, STDIN_FILENO, &ev);
    ev.data.fd = hot;
    epoll_ctl(ep, EPOLL_CTL_ADD, hot, &ev);
    while (!done) {
        n = epoll_wait(ep, got, 2, -1);
        for (i = 0; i < n; i++) {
            if (got[i].data.fd == hot)
                take_new_code(h);
            else if (!read_input(h))
                done = 1;
        }
        if (n < 0 && errno != EINTR)
            break;
    }
    close(ep);
    return done ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct input_host h;
    hot_options opts = HOT_OPTIONS_INIT;
    int use_epoll = argc > 2 && strcmp(argv[2], "--epoll") == 0, err;

    memset(&h, 0, sizeof h);
    opts.dir = argc > 1 ? argv[1] : ".";
    err = hot_open(&h.lib, "input", HOT_IFACE(input), &opts);
    if (err < 0) {
        fprintf(stderr, "input-host: %s\n", hot_last_error());
        return 1;
    }
    if (hot_fd(h.lib) < 0) {
        fprintf(stderr, "input-host: hot_fd: %s\n", hot_errmsg(h.lib));
        hot_close(h.lib);
        return 1;
    }
    input_ready(&h.state);
    err = use_epoll ? epoll_loop(&h) : poll_loop(&h);
    printf("end of input after %ld lines\n", h.state.lines);
    hot_close(h.lib);
    return err < 0;
}
