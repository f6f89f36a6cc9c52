/* Time, process identity, environment, exit hooks and the event channel
 * on Unix. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hotreload.h"
#include "../platform.h"
#include "unix-fs.h"

uint64_t hot__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

unsigned long hot__pid(void)
{
    return (unsigned long)getpid();
}

static char *format_path(const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return n < 0 || (size_t)n >= sizeof buf ? NULL : strdup(buf);
}

void hot__random_bytes(void *buf, size_t len)
{
    unsigned char *p = buf;
    uint64_t mix = hot__now_ns() ^ ((uint64_t)getpid() << 32);
    size_t got = 0;
    ssize_t n;

    /* getrandom: one call, no descriptor (a copy name needs one each). */
    while (got < len && (n = getrandom(p + got, len - got, GRND_NONBLOCK)) > 0)
        got += (size_t)n;
    /* Without it, time and pid still make names unique enough: {uuid} only
     * separates copies, it protects nothing. */
    for (; got < len; got++) {
        mix = mix * 6364136223846793005u + 1442695040888963407u;
        p[got] = (unsigned char)(mix >> 56);
    }
}

const char *hot__env(const char *name)
{
    return secure_getenv(name);
}

/* $XDG_RUNTIME_DIR: the session's private folder, in memory (systemd makes
 * it a tmpfs, mode 0700): used only if it is really ours alone. */
static int private_runtime_dir(const char *dir)
{
    struct stat sb;

    return dir && dir[0] == '/' && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) &&
           sb.st_uid == geteuid() && !(sb.st_mode & 077);
}

/* In memory where possible: a copy then costs no disk write. */
char *hot__default_shadow_dir(void)
{
    const char *xdg = hot__env("XDG_RUNTIME_DIR"), *tmp = hot__env("TMPDIR");
    unsigned long uid = (unsigned long)geteuid();

    if (private_runtime_dir(xdg))
        return format_path("%s/hotreload", xdg);
    if (hot__memory_folder_allows_code("/dev/shm"))
        return format_path("/dev/shm/hotreload-%lu", uid);
    return format_path("%s/hotreload-%lu", tmp && *tmp ? tmp : "/tmp", uid);
}

void hot__at_exit(void (*fn)(void))
{
    atexit(fn);
}

/* Read once per process: the variable is gone after the first read. */
static long channel_fd = -2;
static int channel_lock;

static long read_channel_env(void)
{
    const char *env = hot__env("HOTRELOAD_EVENT_FD");
    char *end;
    long fd;
    int flags;

    if (!env || !*env)
        return -1;
    fd = strtol(env, &end, 10);
    unsetenv("HOTRELOAD_EVENT_FD"); /* the host's children must not see it */
    if (*end || fd < 0 || fd > 65535 || (flags = fcntl((int)fd, F_GETFD)) < 0)
        return -1;
    fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC);
    return fd;
}

long hot__channel_from_env(void)
{
    long fd;

    while (__atomic_exchange_n(&channel_lock, 1, __ATOMIC_ACQUIRE))
        ;
    if (channel_fd == -2)
        channel_fd = read_channel_env();
    fd = channel_fd;
    __atomic_store_n(&channel_lock, 0, __ATOMIC_RELEASE);
    return fd;
}

/* A write to a pipe whose reader has gone raises SIGPIPE, which would end
 * the host. It is blocked for this thread around the write, and a SIGPIPE
 * the write raised is taken back before the mask is restored. */
void hot__channel_write(long channel, const char *line)
{
    sigset_t pipe_only, old, pending;
    int was_pending, failed;
    struct timespec zero = { 0, 0 };

    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    sigpending(&pending);
    was_pending = sigismember(&pending, SIGPIPE);
    /* One write of a short line to a pipe is atomic (PIPE_BUF). */
    failed = write((int)channel, line, strlen(line)) < 0 && errno == EPIPE;
    if (failed && !was_pending)
        while (sigtimedwait(&pipe_only, NULL, &zero) < 0 && errno == EINTR)
            ;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

const char *hot__process_name(void)
{
    return program_invocation_short_name;
}
