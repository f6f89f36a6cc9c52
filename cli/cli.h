/*
 * The hotreload command: what the subcommands and their helpers share.
 * The command uses only the public header, libc and POSIX; the one
 * OS-specific part (watching source folders) sits behind srcwatch.h.
 */
#ifndef HOTRELOAD_CLI_H
#define HOTRELOAD_CLI_H

#include <stddef.h>
#include <stdio.h>

/* Exit statuses shared by every subcommand. */
enum {
    CLI_OK = 0,
    CLI_FAILED = 1,  /* the command could not do its job */
    CLI_REFUSED = 1, /* check --against: the reload would be refused */
    CLI_USAGE = 2    /* bad arguments or an unreadable file */
};

/* Subcommands: argv[0] is the subcommand's name. */
int cli_cmd_help(int argc, char **argv);
int cli_cmd_new(int argc, char **argv);
int cli_cmd_run(int argc, char **argv);
int cli_cmd_check(int argc, char **argv);
int cli_cmd_iface(int argc, char **argv);

/* Prints the usage of `command` (NULL: the overview) to `out`. Returns 0,
 * or -1 if there is no such command. */
int cli_print_usage(FILE *out, const char *command);

/* "hotreload run: <message>\n" on stderr, then the one-line hint to try
 * `hotreload help run`. Returns CLI_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Embedded scaffold templates (generated from cli/templates/ at build
 * time): file name and content; the list ends with a NULL name. */
struct cli_template {
    const char *name;
    const char *text;
};
extern const struct cli_template cli_templates[];

/* Remembers argv[0], to find this program later (see cli_program_path). */
void cli_set_argv0(const char *argv0);

/* The absolute path of this program, resolved from argv[0] (and PATH).
 * Returns `out`, or NULL if it cannot be found. */
char *cli_program_path(char *out, size_t len);

/* out = dir + "/" + name. Returns 0, or -1 if it does not fit. */
int cli_path_join(char *out, size_t len, const char *dir, const char *name);

/* Milliseconds on a monotonic clock, and since the epoch (to line up with
 * other programs' timestamps). */
double cli_now_ms(void);
double cli_wall_ms(void);

#endif /* HOTRELOAD_CLI_H */
