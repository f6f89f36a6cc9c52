/*
 * Processes for `hotreload run`: the host (in its own process group, so it
 * and anything it starts can be stopped together) and build commands (their
 * output shown as printed and scanned for the first error).
 */
#ifndef HOTRELOAD_CLI_PROC_H
#define HOTRELOAD_CLI_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* What the host gets besides its arguments. */
struct host_launch {
    const char *dir;        /* working folder */
    char *const *argv;      /* argv[0] is the program */
    int event_fd;           /* write end of the event channel, inherited */
    const char *state_file; /* HOTRELOAD_STATE_FILE */
    int tty_fd;             /* the terminal the host gets (foreground), or -1 */
};

/* Starts the host as the leader of a new process group, the terminal's
 * foreground group when launch->tty_fd >= 0. Returns its pid, or -1 (errno
 * set). */
pid_t proc_start_host(const struct host_launch *launch);

/* Asks the host's process group to stop (SIGTERM), waits up to
 * `grace_ms`, then kills it (SIGKILL). Returns the host's wait status. */
int proc_stop_host(pid_t host, unsigned grace_ms);

/* Kills whatever is left in the process group of a host that is gone. */
void proc_kill_group(pid_t host);

/* "exited with status 1", "killed by SIGSEGV". Static storage. */
const char *proc_describe_status(int status);

/* Build result: the exit status and the first error, condensed to
 * "logic.c:12: error: ..." without colours. */
struct build_result {
    int ok;
    double ms;
    char first_error[512];
};

/* While a build runs, another descriptor to serve (the event channel, whose
 * lines must be timed when they come, not when the build ends). */
struct build_side {
    int fd; /* -1: none */
    void (*on_readable)(void *userdata);
    void *userdata;
};

/* Runs `command` with /bin/sh in `dir` (stdin: /dev/null), copying its
 * output to `out_fd` (-1: nowhere) as it comes; `color` adds
 * HOTRELOAD_RUN_CFLAGS=-fdiagnostics-color=always to its environment.
 * Returns 0, or -1 if it could not be started. */
int proc_run_build(const char *command, const char *dir, int color, int out_fd,
                   const struct build_side *side, struct build_result *r);

/* Condenses a compiler's error line (exposed for its test). */
void proc_condense_error(const char *line, char *out, size_t len);

#endif /* HOTRELOAD_CLI_PROC_H */
