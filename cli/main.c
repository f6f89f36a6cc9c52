/*
 * hotreload: the developer loop around the runtime. This file only picks
 * the subcommand; each one lives in its own cmd-*.c file.
 */
#include <stdio.h>
#include <string.h>

#include <hotreload.h>

#include "cli.h"

struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
};

static const struct subcommand subcommands[] = {
    { "new", cli_cmd_new },     { "run", cli_cmd_run },   { "check", cli_cmd_check },
    { "iface", cli_cmd_iface }, { "help", cli_cmd_help }, { NULL, NULL },
};

static int is_help_flag(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int main(int argc, char **argv)
{
    const struct subcommand *sc;

    cli_set_argv0(argv[0]);
    if (argc < 2) {
        cli_print_usage(stderr, NULL);
        return CLI_USAGE;
    }
    if (is_help_flag(argv[1]))
        return cli_print_usage(stdout, NULL) == 0 ? CLI_OK : CLI_USAGE;
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("hotreload %s\n", HOT_VERSION_STRING);
        return CLI_OK;
    }
    for (sc = subcommands; sc->name; sc++) {
        if (strcmp(argv[1], sc->name) == 0)
            return sc->run(argc - 1, argv + 1);
    }
    fprintf(stderr, "hotreload: unknown command '%s'\n", argv[1]);
    fprintf(stderr, "Run 'hotreload --help' for the list of commands.\n");
    return CLI_USAGE;
}
