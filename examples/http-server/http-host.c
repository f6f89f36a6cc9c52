/*
 * A small HTTP/1.1 server (epoll, one thread, keep-alive) whose request
 * handler is a hot library: rebuild it and the next requests get the new
 * body, on the same connections. hot_update() runs at the top of each turn
 * of the event loop, where no handler code is on the stack, so every
 * response comes whole from one version; hot_fd() in the epoll set wakes an
 * idle server when a build is ready, so it waits with no timeout.
 *
 *   http-host LIBRARY_DIR [SECONDS]
 *
 * Listens on 127.0.0.1 only, on a port the kernel picks, and prints
 * "listening on 127.0.0.1:PORT". Stops after SECONDS (default 60) or on
 * SIGTERM, printing how many requests it served.
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http-api.h"

#define MAX_EVENTS 64
#define IN_CAP 8192
#define OUT_CAP 65536
#define BODY_CAP 8192

typedef struct conn {
    int fd;
    size_t in_len, out_len, out_done;
    char in[IN_CAP];
    char out[OUT_CAP];
} conn;

typedef struct server {
    int listen_fd, epoll_fd;
    unsigned long requests, bad_requests;
} server;

static volatile sig_atomic_t stop_requested;

static void request_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static int listen_loopback(void)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* never another address */
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 512) < 0 ||
        set_nonblocking(fd) < 0 || getsockname(fd, (struct sockaddr *)&addr, &len) < 0) {
        perror("http-host: listen on 127.0.0.1");
        return -1;
    }
    printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
    fflush(stdout);
    return fd;
}

static void close_conn(server *s, conn *c)
{
    epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c);
}

static void accept_all(server *s)
{
    struct epoll_event ev;
    conn *c;
    int fd, one = 1;

    while ((fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        if (!(c = calloc(1, sizeof *c))) {
            close(fd);
            continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c->fd = fd;
        ev.events = EPOLLIN;
        ev.data.ptr = c;
        if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
            close_conn(s, c);
    }
}

/* Appends one response for the request line in c->in; 0, or -1 if the
 * output buffer is full (the client pipelines faster than it reads). */
static int respond(server *s, conn *c, const char *request)
{
    char path[1024] = "/", body[BODY_CAP];
    int len, head;

    if (sscanf(request, "GET %1023s", path) != 1)
        s->bad_requests++;
    len = http_respond(path, body, sizeof body);
    if (len < 0)
        len = 0;
    if (c->out_len + (size_t)len + 256 > OUT_CAP)
        return -1;
    head = snprintf(c->out + c->out_len, OUT_CAP - c->out_len,
                    "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
                    http_content_type(), len);
    memcpy(c->out + c->out_len + head, body, (size_t)len);
    c->out_len += (size_t)head + (size_t)len;
    s->requests++;
    return 0;
}

/* Answers every complete request in the input buffer (headers end with an
 * empty line; GET only, so there is no request body). */
static void handle_requests(server *s, conn *c)
{
    char *end;
    size_t used;

    c->in[c->in_len] = '\0';
    while ((end = strstr(c->in, "\r\n\r\n")) != NULL) {
        if (respond(s, c, c->in) < 0)
            break;
        used = (size_t)(end + 4 - c->in);
        memmove(c->in, c->in + used, c->in_len - used + 1);
        c->in_len -= used;
    }
}

/* Writes what is pending; asks for EPOLLOUT while some remains. */
static int flush_out(server *s, conn *c)
{
    struct epoll_event ev;
    ssize_t n;

    while (c->out_done < c->out_len) {
        n = write(c->fd, c->out + c->out_done, c->out_len - c->out_done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0)
            return -1;
        c->out_done += (size_t)n;
    }
    if (c->out_done == c->out_len)
        c->out_done = c->out_len = 0;
    ev.events = EPOLLIN | (c->out_len ? EPOLLOUT : 0);
    ev.data.ptr = c;
    return epoll_ctl(s->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Reads what arrived, answers it, writes the answers; -1 closes. */
static int serve(server *s, conn *c)
{
    ssize_t n;

    for (;;) {
        if (c->in_len + 1 >= IN_CAP)
            return -1; /* a request too large for this server */
        n = read(c->fd, c->in + c->in_len, IN_CAP - 1 - c->in_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0)
            return -1; /* closed by the client, or an error */
        c->in_len += (size_t)n;
        handle_requests(s, c);
    }
    handle_requests(s, c); /* what waited for room in the output buffer */
    return flush_out(s, c);
}

static void serve_events(server *s, struct epoll_event *events, int n)
{
    conn *c;
    int i;

    for (i = 0; i < n; i++) {
        if (events[i].data.ptr == &s->epoll_fd)
            continue; /* a build is ready: the next turn's hot_update() takes it */
        if (events[i].data.ptr == NULL) {
            accept_all(s);
            continue;
        }
        c = events[i].data.ptr;
        if (serve(s, c) < 0)
            close_conn(s, c);
    }
}

static int open_server(server *s, hot_lib *lib)
{
    struct epoll_event ev, hot;
    int hot_descriptor = hot_fd(lib);

    s->listen_fd = listen_loopback();
    s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    ev.events = hot.events = EPOLLIN;
    ev.data.ptr = NULL; /* NULL: the listening socket */
    hot.data.ptr = &s->epoll_fd; /* readable while a build waits for hot_update() */
    if (s->listen_fd < 0 || s->epoll_fd < 0 ||
        epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->listen_fd, &ev) < 0)
        return -1;
    /* None in a HOT_STATIC build: nothing reloads, nothing to wait for. */
    if (hot_descriptor >= 0 && epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, hot_descriptor, &hot) < 0)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    hot_options opts = HOT_OPTIONS_INIT;
    struct epoll_event events[MAX_EVENTS];
    time_t deadline = time(NULL) + (argc > 2 ? atol(argv[2]) : 60);
    server s;
    hot_lib *lib;
    int err, n;

    memset(&s, 0, sizeof s);
    opts.dir = argc > 1 ? argv[1] : "."; /* looks for <dir>/libhttpapp.so */
    err = hot_open(&lib, "httpapp", HOT_IFACE(httpapp), &opts);
    if (err < 0) {
        fprintf(stderr, "http-host: %s: %s\n", hot_errname(err), hot_last_error());
        return 1;
    }
    signal(SIGTERM, request_stop);
    signal(SIGINT, request_stop);
    signal(SIGPIPE, SIG_IGN); /* a client gone mid-write is an error return */
    if (open_server(&s, lib) < 0)
        return 1;
    while (!stop_requested && time(NULL) < deadline) {
        if (hot_update(lib) > 0) /* the safe point: no handler code runs now */
            printf("reloaded: v%lu\n", hot_version(lib));
        fflush(stdout);
        n = epoll_wait(s.epoll_fd, events, MAX_EVENTS, 1000); /* 1 s: the deadline */
        if (n > 0)
            serve_events(&s, events, n);
    }
    printf("served %lu requests (%lu malformed)\n", s.requests, s.bad_requests);
    hot_close(lib);
    return 0;
}
