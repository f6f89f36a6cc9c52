/*
 * Lending the terminal to the host (POSIX job control, see term.h).
 */
#include <signal.h>
#include <unistd.h>

#include "term.h"

void term_open(struct run_term *t)
{
    t->fd = -1;
    if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp())
        return;
    if (tcgetattr(STDIN_FILENO, &t->modes) < 0)
        return;
    t->host_modes = t->modes;
    /* tcsetpgrp from a background group, and our status lines written while
     * the host owns the terminal (with 'stty tostop'), raise SIGTTOU: its
     * default would stop us. */
    signal(SIGTTOU, SIG_IGN);
    t->fd = STDIN_FILENO;
}

void term_give(const struct run_term *t, pid_t host)
{
    if (t->fd >= 0)
        tcsetpgrp(t->fd, host);
}

void term_take_back(const struct run_term *t)
{
    if (t->fd < 0)
        return;
    tcsetpgrp(t->fd, getpgrp());
    tcsetattr(t->fd, TCSADRAIN, &t->modes);
}

void term_suspend_with(struct run_term *t, pid_t host)
{
    if (t->fd >= 0) {
        tcgetattr(t->fd, &t->host_modes);
        term_take_back(t);
    }
    raise(SIGSTOP); /* here until the shell's 'fg' (SIGCONT) */
    if (t->fd >= 0) {
        tcsetattr(t->fd, TCSADRAIN, &t->host_modes);
        term_give(t, host);
    }
    kill(-host, SIGCONT);
}
