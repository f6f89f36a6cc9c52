/*
 * The terminal `hotreload run` was started on, lent to the host the way a
 * job-control shell lends it to a job: the host's process group becomes the
 * terminal's foreground group (it reads keys, Ctrl-C and Ctrl-Z reach it),
 * and the terminal comes back, with the modes it had, when the host stops.
 */
#ifndef HOTRELOAD_CLI_TERM_H
#define HOTRELOAD_CLI_TERM_H

#include <sys/types.h>
#include <termios.h>

struct run_term {
    int fd;                    /* -1: no terminal to lend */
    struct termios modes;      /* as found at start: restored after each host */
    struct termios host_modes; /* the host's, kept while it is suspended */
};

/* Takes the terminal on stdin if this process is in its foreground group
 * (not started with '&'), else sets t->fd to -1. */
void term_open(struct run_term *t);

/* Makes `host` (a process group leader) the foreground group. */
void term_give(const struct run_term *t, pid_t host);

/* Makes this process's group the foreground group again and puts the
 * terminal's modes back as they were at start (a host that crashed in raw
 * mode leaves a usable terminal). */
void term_take_back(const struct run_term *t);

/* The host was suspended (Ctrl-Z): takes the terminal back, suspends this
 * process as well (the shell gets its prompt), and once continued ('fg')
 * gives the terminal, with the host's modes, back to the host and resumes
 * it. */
void term_suspend_with(struct run_term *t, pid_t host);

#endif /* HOTRELOAD_CLI_TERM_H */
