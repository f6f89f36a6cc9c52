/* Time, process identity and exit hooks on Unix. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hotreload.h"
#include "../platform.h"

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

void hot__random_bytes(void *buf, size_t len)
{
    unsigned char *p = buf;
    uint64_t mix = hot__now_ns() ^ ((uint64_t)getpid() << 32);
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    size_t got = 0;

    if (fd >= 0) {
        ssize_t n;
        while (got < len && (n = read(fd, p + got, len - got)) > 0)
            got += (size_t)n;
        close(fd);
    }
    /* Without /dev/urandom, time and pid still make names unique enough:
     * {uuid} only separates copies, it protects nothing. */
    for (; got < len; got++) {
        mix = mix * 6364136223846793005u + 1442695040888963407u;
        p[got] = (unsigned char)(mix >> 56);
    }
}

char *hot__default_shadow_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    char *dir;
    size_t len;

    if (!tmp || !*tmp)
        tmp = "/tmp";
    len = strlen(tmp) + 32;
    dir = malloc(len);
    if (dir)
        snprintf(dir, len, "%s/hotreload-%lu", tmp, (unsigned long)getuid());
    return dir;
}

void hot__at_exit(void (*fn)(void))
{
    atexit(fn);
}

long hot__channel_from_env(void)
{
    const char *env = getenv("HOTRELOAD_EVENT_FD");
    char *end;
    long fd;

    if (!env || !*env)
        return -1;
    fd = strtol(env, &end, 10);
    if (*end || fd < 0 || fcntl((int)fd, F_GETFD) < 0)
        return -1;
    return fd;
}

void hot__channel_write(long channel, const char *line)
{
    size_t len = strlen(line);
    /* One write of a short line to a pipe is atomic (PIPE_BUF). */
    if (write((int)channel, line, len) < 0) { /* the supervisor is gone */
    }
}
