/*
 * Running a build command: its output goes where the status lines go, byte
 * for byte (colours included), and its first error is kept for the status line.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "proc.h"

/* Removes ANSI colour sequences (ESC [ ... letter) in place. */
static void strip_colors(char *s)
{
    char *out = s;

    while (*s) {
        if (s[0] == '\033' && s[1] == '[') {
            s += 2;
            while (*s && !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
                s++;
            if (*s)
                s++;
            continue;
        }
        *out++ = *s++;
    }
    *out = '\0';
}

/* "dir/logic.c:12:5: error: x" -> "logic.c:12: error: x": the status line
 * names the file and line; the full message is just above it. */
void proc_condense_error(const char *line, char *out, size_t len)
{
    char buf[1024], *colon, *base, *after_line, *tail;

    snprintf(buf, sizeof buf, "%s", line);
    strip_colors(buf);
    buf[strcspn(buf, "\r\n")] = '\0';
    colon = strchr(buf, ':');
    if (!colon || colon[1] < '0' || colon[1] > '9') {
        snprintf(out, len, "%s", buf);
        return;
    }
    *colon = '\0';
    base = strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
    after_line = colon + 1 + strspn(colon + 1, "0123456789");
    tail = after_line;
    if (tail[0] == ':' && tail[1] >= '0' && tail[1] <= '9')
        tail += 1 + strspn(tail + 1, "0123456789"); /* the column */
    snprintf(out, len, "%s:%.*s%s", base, (int)(after_line - colon - 1), colon + 1, tail);
}

static int is_error_line(const char *line)
{
    char plain[1024];

    snprintf(plain, sizeof plain, "%s", line);
    strip_colors(plain);
    return strstr(plain, " error: ") || strstr(plain, " fatal error: ") ||
           strstr(plain, "undefined reference");
}

/* Splits what the build printed into lines, looking for the first error. */
struct output_scan {
    char line[1024];
    size_t len;
    struct build_result *r;
};

static void scan_byte(struct output_scan *s, char c)
{
    if (c != '\n' && s->len + 1 < sizeof s->line) {
        s->line[s->len++] = c;
        return;
    }
    if (c != '\n')
        return; /* a very long line: keep its start */
    s->line[s->len] = '\0';
    if (!s->r->first_error[0] && is_error_line(s->line))
        proc_condense_error(s->line, s->r->first_error, sizeof s->r->first_error);
    s->len = 0;
}

/* Waits until the build's output is readable, serving the side
 * descriptor meanwhile. */
static void wait_output(int fd, const struct build_side *side)
{
    struct pollfd fds[2];

    fds[0].fd = fd;
    fds[1].fd = side ? side->fd : -1;
    fds[0].events = fds[1].events = POLLIN;
    for (;;) {
        fds[0].revents = fds[1].revents = 0;
        if (poll(fds, 2, -1) < 0 && errno != EINTR)
            return;
        if (side && fds[1].revents)
            side->on_readable(side->userdata);
        if (fds[0].revents)
            return;
    }
}

static void copy_output(int fd, int out_fd, const struct build_side *side, struct build_result *r)
{
    struct output_scan scan;
    char buf[4096];
    ssize_t n, i;

    memset(&scan, 0, sizeof scan);
    scan.r = r;
    for (;;) {
        wait_output(fd, side);
        if ((n = read(fd, buf, sizeof buf)) == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (out_fd >= 0 && write(out_fd, buf, (size_t)n) < 0) { /* nowhere to show it */
        }
        for (i = 0; i < n; i++)
            scan_byte(&scan, buf[i]);
    }
    scan_byte(&scan, '\n');
}

static void exec_build(const char *command, const char *dir, int color, int out_fd)
{
    int null_fd = open("/dev/null", O_RDONLY);

    /* The host may own the terminal: a build reading it would be stopped. */
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        close(null_fd);
    }
    dup2(out_fd, STDOUT_FILENO);
    dup2(out_fd, STDERR_FILENO);
    close(out_fd);
    signal(SIGPIPE, SIG_DFL);
    if (color)
        setenv("HOTRELOAD_RUN_CFLAGS", "-fdiagnostics-color=always", 1);
    if (dir && chdir(dir) < 0) {
        fprintf(stderr, "hotreload run: %s: %s\n", dir, strerror(errno));
        _exit(127);
    }
    execl("/bin/sh", "sh", "-c", command, (char *)NULL);
    _exit(127);
}

static void summarize_failure(int status, struct build_result *r)
{
    r->ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!r->ok && !r->first_error[0])
        snprintf(r->first_error, sizeof r->first_error, "build command %s",
                 proc_describe_status(status));
}

int proc_run_build(const char *command, const char *dir, int color, int out_fd,
                   const struct build_side *side, struct build_result *r)
{
    int fds[2], status = 0;
    double start = cli_now_ms();
    pid_t pid;

    memset(r, 0, sizeof *r);
    if (pipe(fds) < 0)
        return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) == 0)
        exec_build(command, dir, color, fds[1]);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return -1;
    }
    copy_output(fds[0], out_fd, side, r);
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r->ms = cli_now_ms() - start;
    summarize_failure(status, r);
    return 0;
}
