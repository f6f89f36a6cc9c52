/*
 * Starting and stopping the host, running builds, and small process
 * helpers (POSIX).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "proc.h"

static const char *saved_argv0 = "";

void cli_set_argv0(const char *argv0)
{
    saved_argv0 = argv0 ? argv0 : "";
}

/* Looks for `name` in each folder of PATH, as the shell did. */
static char *search_path(const char *name, char *out, size_t len)
{
    const char *path = getenv("PATH"), *p, *end;
    char candidate[PATH_MAX];

    for (p = path ? path : ""; *p; p = *end ? end + 1 : end) {
        end = strchr(p, ':');
        if (!end)
            end = p + strlen(p);
        snprintf(candidate, sizeof candidate, "%.*s/%s", (int)(end - p), p, name);
        if (access(candidate, X_OK) == 0 && len >= PATH_MAX)
            return realpath(candidate, out);
    }
    return NULL;
}

char *cli_program_path(char *out, size_t len)
{
    if (len < PATH_MAX || !saved_argv0[0])
        return NULL;
    if (strchr(saved_argv0, '/'))
        return realpath(saved_argv0, out);
    return search_path(saved_argv0, out, len);
}

int cli_path_join(char *out, size_t len, const char *dir, const char *name)
{
    int n = snprintf(out, len, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

double cli_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

double cli_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* The child side: signals back to their defaults, then the program. */
static void reset_signals(void)
{
    sigset_t none;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGTTOU, SIG_DFL);
    signal(SIGTTIN, SIG_DFL);
    signal(SIGTSTP, SIG_DFL);
}

static void exec_host(const struct host_launch *l)
{
    char fd_text[16];

    setpgid(0, 0);
    /* Here too, as shells do: the host must not read before it owns the
     * terminal. SIGTTOU is still ignored (inherited). */
    if (l->tty_fd >= 0)
        tcsetpgrp(l->tty_fd, getpid());
    reset_signals();
    if (l->dir && chdir(l->dir) < 0) {
        fprintf(stderr, "hotreload run: %s: %s\n", l->dir, strerror(errno));
        _exit(127);
    }
    /* The channel is close-on-exec in the CLI; only the host keeps it. */
    fcntl(l->event_fd, F_SETFD, 0);
    snprintf(fd_text, sizeof fd_text, "%d", l->event_fd);
    setenv("HOTRELOAD_EVENT_FD", fd_text, 1);
    if (l->state_file)
        setenv("HOTRELOAD_STATE_FILE", l->state_file, 1);
    /* The status lines already tell of reloads and refusals; the runtime's
     * own warnings would say it twice. An explicit setting wins. */
    setenv("HOTRELOAD_LOG", "error", 0);
    execvp(l->argv[0], l->argv);
    fprintf(stderr, "hotreload run: %s: %s\n", l->argv[0], strerror(errno));
    _exit(127);
}

pid_t proc_start_host(const struct host_launch *launch)
{
    pid_t pid;

    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0)
        exec_host(launch);
    if (pid > 0)
        setpgid(pid, pid); /* also here: no race with a quick kill(-pid) */
    return pid;
}

/* Waits up to `ms` for `pid`; returns 1 with its status, 0 if still alive. */
static int wait_for(pid_t pid, unsigned ms, int *status)
{
    unsigned waited = 0;

    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR))
            return 1;
        if (waited >= ms)
            return 0;
        sleep_ms(5);
        waited += 5;
    }
}

void proc_kill_group(pid_t host)
{
    if (host > 0)
        kill(-host, SIGKILL);
}

int proc_stop_host(pid_t host, unsigned grace_ms)
{
    int status = 0;

    if (kill(-host, SIGTERM) < 0)
        kill(host, SIGTERM);
    if (!wait_for(host, grace_ms, &status)) {
        kill(-host, SIGKILL);
        while (waitpid(host, &status, 0) < 0 && errno == EINTR) {
        }
    }
    proc_kill_group(host); /* children the host left behind */
    return status;
}

static const char *signal_name(int sig)
{
    static const struct {
        int sig;
        const char *name;
    } names[] = {
        { SIGHUP, "SIGHUP" },   { SIGINT, "SIGINT" },   { SIGQUIT, "SIGQUIT" },
        { SIGILL, "SIGILL" },   { SIGTRAP, "SIGTRAP" }, { SIGABRT, "SIGABRT" },
        { SIGBUS, "SIGBUS" },   { SIGFPE, "SIGFPE" },   { SIGKILL, "SIGKILL" },
        { SIGSEGV, "SIGSEGV" }, { SIGPIPE, "SIGPIPE" }, { SIGALRM, "SIGALRM" },
        { SIGTERM, "SIGTERM" }, { SIGUSR1, "SIGUSR1" }, { SIGUSR2, "SIGUSR2" },
        { SIGSYS, "SIGSYS" },   { SIGXCPU, "SIGXCPU" },
    };
    static char other[32];
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].sig == sig)
            return names[i].name;
    }
    snprintf(other, sizeof other, "signal %d", sig);
    return other;
}

const char *proc_describe_status(int status)
{
    static char text[64];

    if (WIFSIGNALED(status))
        snprintf(text, sizeof text, "killed by %s%s", signal_name(WTERMSIG(status)),
                 WCOREDUMP(status) ? " (core dumped)" : "");
    else if (WIFEXITED(status))
        snprintf(text, sizeof text, "exited with status %d", WEXITSTATUS(status));
    else
        snprintf(text, sizeof text, "stopped");
    return text;
}
