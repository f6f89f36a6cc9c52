/*
 * hot_fd(): a descriptor for the program's own poll/epoll/select wait,
 * readable while there is a reason to call hot_update(): a verified build
 * parked for it (HOT_APPLY_AT_UPDATE) or a reload the watcher made
 * (HOT_APPLY_AT_ONCE). Made on the first hot_fd() call: a program that never
 * asks pays nothing but one relaxed load in hot_update().
 *
 * lib->wake_signalled says the descriptor is readable: both change together
 * under lib->wake_lock (the flag set before the write), so a thread woken by
 * the descriptor sees the flag, hot_update() drains it, and no wait can spin
 * on a readable descriptor that no call clears. hot_update() only looks at
 * the flag (a relaxed load) unless it is set.
 */
#include <stdlib.h>

#include "internal.h"

struct hot__wake {
    long fd;
};

int hot_fd(hot_lib *lib)
{
    hot__wake *w;
    long fd;
    char msg[HOT__MSG_MAX] = "";
    int err;

    if (!lib)
        return HOT_EINVAL;
    hot__mutex_lock(&lib->mu);
    w = lib->wake;
    if (!w) {
        err = hot__wakefd_open(&fd, msg, sizeof msg);
        if (err < 0 || !(w = calloc(1, sizeof *w))) {
            if (err >= 0)
                hot__wakefd_close(fd);
            hot__mutex_unlock(&lib->mu);
            return hot__fail(lib, err < 0 ? err : HOT_ENOMEM, "hot_fd: %s",
                             err < 0 ? msg : "out of memory for the wake-up record");
        }
        w->fd = fd;
        __atomic_store_n(&lib->wake, w, __ATOMIC_RELEASE);
        /* A build parked before anyone asked is a reason to wake too. */
        if (__atomic_load_n(&lib->pending, __ATOMIC_ACQUIRE))
            hot__wake_signal(lib);
    }
    hot__mutex_unlock(&lib->mu);
    return (int)w->fd;
}

void hot__wake_signal(hot_lib *lib)
{
    hot__wake *w = __atomic_load_n(&lib->wake, __ATOMIC_ACQUIRE);

    if (!w)
        return;
    hot__spin_lock(&lib->wake_lock);
    if (!__atomic_load_n(&lib->wake_signalled, __ATOMIC_RELAXED)) {
        __atomic_store_n(&lib->wake_signalled, 1, __ATOMIC_RELEASE);
        hot__wakefd_signal(w->fd);
    }
    hot__spin_unlock(&lib->wake_lock);
}

void hot__wake_drain(hot_lib *lib)
{
    hot__wake *w = __atomic_load_n(&lib->wake, __ATOMIC_ACQUIRE);

    if (!w)
        return;
    hot__spin_lock(&lib->wake_lock);
    if (__atomic_load_n(&lib->wake_signalled, __ATOMIC_RELAXED)) {
        hot__wakefd_drain(w->fd);
        __atomic_store_n(&lib->wake_signalled, 0, __ATOMIC_RELEASE);
    }
    hot__spin_unlock(&lib->wake_lock);
}

void hot__wake_free(hot_lib *lib)
{
    if (!lib->wake)
        return;
    hot__wakefd_close(lib->wake->fd);
    free(lib->wake);
    lib->wake = NULL;
}
