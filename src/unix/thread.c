/* Threads, locks and condition variables on POSIX threads. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hotreload.h"
#include "../platform.h"
#include "syscalls.h"

int hot__mutex_init(hot__mutex *m)
{
    return pthread_mutex_init(m, NULL) ? HOT_ESYS : 0;
}

void hot__mutex_destroy(hot__mutex *m)
{
    pthread_mutex_destroy(m);
}
void hot__mutex_lock(hot__mutex *m)
{
    pthread_mutex_lock(m);
}
void hot__mutex_unlock(hot__mutex *m)
{
    pthread_mutex_unlock(m);
}

int hot__mutex_trylock(hot__mutex *m)
{
    return pthread_mutex_trylock(m) == 0;
}

/* Condition variables wait on the monotonic clock, so a change of the wall
 * clock neither cuts a wait short nor stretches it. */
int hot__cond_init(hot__cond *c)
{
    pthread_condattr_t attr;
    int err;

    if (pthread_condattr_init(&attr))
        return HOT_ESYS;
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    err = pthread_cond_init(c, &attr);
    pthread_condattr_destroy(&attr);
    return err ? HOT_ESYS : 0;
}

void hot__cond_destroy(hot__cond *c)
{
    pthread_cond_destroy(c);
}
void hot__cond_broadcast(hot__cond *c)
{
    pthread_cond_broadcast(c);
}

int hot__cond_wait_until(hot__cond *c, hot__mutex *m, uint64_t deadline_ns)
{
    struct timespec ts;

    if (deadline_ns == 0) {
        pthread_cond_wait(c, m);
        return 0;
    }
    ts.tv_sec = (time_t)(deadline_ns / 1000000000u);
    ts.tv_nsec = (long)(deadline_ns % 1000000000u);
    return pthread_cond_timedwait(c, m, &ts) == ETIMEDOUT ? HOT_ETIMEDOUT : 0;
}

static void *thread_main(void *arg)
{
    hot__thread *t = arg;

    hot__runtime_thread_begin();
    t->fn(t->arg);
    hot__runtime_thread_end();
    return NULL;
}

int hot__thread_start(hot__thread *t, void (*fn)(void *), void *arg, char *msg, size_t msglen)
{
    int err;

    t->fn = fn;
    t->arg = arg;
    if ((err = hot__sys.pthread_create(&t->id, NULL, thread_main, t)) != 0) {
        snprintf(msg, msglen, "pthread_create: %s", strerror(err));
        return HOT_ESYS;
    }
    return 0;
}

void hot__thread_join(hot__thread *t)
{
    pthread_join(t->id, NULL);
}

uint64_t hot__thread_self(void)
{
    /* The address of a thread-local is unique among live threads. */
    static __thread char marker;
    return (uint64_t)(uintptr_t)&marker;
}

void hot__thread_detach(hot__thread *t)
{
    pthread_detach(t->id);
}

/* Exit hooks: one pthread key, its value the calling thread's list. */
typedef struct exit_hook {
    void (*fn)(void *);
    void *arg;
    struct exit_hook *next;
} exit_hook;

static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

static void run_exit_hooks(void *list)
{
    exit_hook *h = list, *next;

    for (; h; h = next) {
        next = h->next;
        h->fn(h->arg);
        free(h);
    }
}

static void make_exit_key(void)
{
    pthread_key_create(&exit_key, run_exit_hooks);
}

int hot__thread_at_exit(void (*fn)(void *), void *arg)
{
    exit_hook *h = malloc(sizeof *h);

    if (!h || pthread_once(&exit_key_once, make_exit_key) != 0) {
        free(h);
        return HOT_ENOMEM;
    }
    h->fn = fn;
    h->arg = arg;
    h->next = pthread_getspecific(exit_key);
    if (pthread_setspecific(exit_key, h) != 0) {
        free(h);
        return HOT_ENOMEM;
    }
    return 0;
}
