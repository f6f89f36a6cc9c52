/*
 * The threads of this process, for deciding whether old code may be
 * unmapped: it may only when every thread is accounted for (src/retire.c).
 * Linux lists them in /proc/self/task; the runtime's own threads (started
 * by hot__thread_start, src/unix/thread.c) are remembered here while they
 * run.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../internal.h"
#include "syscalls.h"

#define RUNTIME_THREADS_MAX 256

static uint64_t runtime_threads[RUNTIME_THREADS_MAX]; /* 0: free */
static int runtime_lock;

uint64_t hot__thread_os_id(void)
{
    return (uint64_t)syscall(SYS_gettid);
}

void hot__runtime_thread_begin(void)
{
    uint64_t self = hot__thread_os_id();
    int i;

    hot__spin_lock(&runtime_lock);
    for (i = 0; i < RUNTIME_THREADS_MAX && runtime_threads[i]; i++)
        ;
    if (i < RUNTIME_THREADS_MAX) /* if not, the thread just counts as unknown */
        runtime_threads[i] = self;
    hot__spin_unlock(&runtime_lock);
}

void hot__runtime_thread_end(void)
{
    uint64_t self = hot__thread_os_id();
    int i;

    hot__spin_lock(&runtime_lock);
    for (i = 0; i < RUNTIME_THREADS_MAX; i++) {
        if (runtime_threads[i] == self)
            runtime_threads[i] = 0;
    }
    hot__spin_unlock(&runtime_lock);
}

int hot__thread_is_runtime(uint64_t os_id)
{
    int i, found = 0;

    hot__spin_lock(&runtime_lock);
    for (i = 0; i < RUNTIME_THREADS_MAX && !found; i++)
        found = runtime_threads[i] == os_id;
    hot__spin_unlock(&runtime_lock);
    return found;
}

int hot__process_threads(uint64_t *ids, unsigned max)
{
    int fd = hot__sys.open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *e;
    unsigned n = 0;

    if (!dir) {
        if (fd >= 0)
            hot__sys.close(fd);
        return HOT_ESYS;
    }
    while ((e = readdir(dir)) != NULL) {
        char *end;
        unsigned long long id = strtoull(e->d_name, &end, 10);
        if (e->d_name[0] < '0' || e->d_name[0] > '9' || *end)
            continue; /* "." and ".." */
        if (n < max)
            ids[n] = id;
        n++;
    }
    closedir(dir);
    return n > 0 ? (int)n : HOT_ESYS;
}
