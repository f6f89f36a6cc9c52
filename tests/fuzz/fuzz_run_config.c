/*
 * libFuzzer target: arbitrary hotreload.conf files through
 * run_config_load (cli/run-config.c), as `hotreload run --config FILE`
 * reads them. It must return CLI_OK or CLI_USAGE (having said why), never
 * crash or leak; a config it accepts must give a host command with a word
 * in it, a build command with a word in it and 1 to RUN_MAX_LIST folders
 * to watch, none NULL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "run.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static char conf_path[4200];

static int has_word(const char *s)
{
    return s && s[strspn(s, " \t")] != '\0';
}

static void check_accepted(const struct run_config *cfg)
{
    char **argv;
    int i;

    if (!has_word(cfg->host) || !has_word(cfg->build) || !cfg->build_all)
        abort();
    if (cfg->n_watch < 1 || cfg->n_watch > RUN_MAX_LIST ||
        cfg->n_host_sources < 0 || cfg->n_host_sources > RUN_MAX_LIST)
        abort();
    for (i = 0; i < cfg->n_watch; i++)
        if (!cfg->watch[i])
            abort();
    if (!(argv = run_config_host_argv(cfg)))
        return;
    if (!argv[0])
        abort(); /* a host with no program to run */
    for (i = 0; argv[i]; i++)
        free(argv[i]);
    free(argv);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const char *tmp = getenv("TMPDIR"); /* run-fuzz.sh's scratch folder */
    char *argv[] = {"run", "--config", conf_path, "-C", "/", NULL};
    struct run_config cfg;
    FILE *f;
    int help, status;

    if (!conf_path[0])
        snprintf(conf_path, sizeof conf_path, "%s/fuzz-run-config.%ld.conf",
                 tmp && *tmp ? tmp : "/tmp", (long)getpid());
    if (!(f = fopen(conf_path, "wb")))
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    status = run_config_load(&cfg, 5, argv, &help);
    if (status != CLI_OK && status != CLI_USAGE)
        abort();
    if (status == CLI_OK && !help)
        check_accepted(&cfg);
    run_config_free(&cfg);
    unlink(conf_path);
    return 0;
}
