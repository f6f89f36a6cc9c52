/* The descriptor behind hot_fd(): an eventfd (Linux), non-blocking. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hotreload.h"
#include "../platform.h"

int hot__wakefd_open(long *fd, char *msg, size_t msglen)
{
    int made = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

    if (made < 0) {
        snprintf(msg, msglen, "eventfd: %s", strerror(errno));
        return errno == ENOMEM ? HOT_ENOMEM : HOT_ESYS;
    }
    *fd = made;
    return 0;
}

void hot__wakefd_signal(long fd)
{
    uint64_t one = 1;

    /* Fails only when the counter is full: it is readable then anyway. */
    if (write((int)fd, &one, sizeof one) < 0) {
    }
}

void hot__wakefd_drain(long fd)
{
    uint64_t count;

    if (read((int)fd, &count, sizeof count) < 0) { /* EAGAIN: nothing to drain */
    }
}

void hot__wakefd_close(long fd)
{
    close((int)fd);
}
