/*
 * Settings of `hotreload run`: hotreload.conf (key = value lines, '#'
 * comments) first, then the command line over it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "run.h"

static void set_string(char **field, const char *value)
{
    free(*field);
    *field = strdup(value);
}

/* Appends each blank-separated word of `value` to a list. */
static void add_words(char **list, int *count, const char *value)
{
    char *copy = strdup(value), *word, *save = NULL;

    if (!copy)
        return;
    for (word = strtok_r(copy, " \t", &save); word; word = strtok_r(NULL, " \t", &save)) {
        if (*count < RUN_MAX_LIST)
            list[(*count)++] = strdup(word);
    }
    free(copy);
}

static char *trim(char *s)
{
    char *end;

    s += strspn(s, " \t");
    end = s + strlen(s);
    while (end > s && strchr(" \t\r\n", end[-1]))
        *--end = '\0';
    return s;
}

/* restart = on-failure (the default) or always. */
static int set_restart(struct run_config *cfg, const char *value)
{
    if (strcmp(value, "always") == 0)
        cfg->restart_always = 1;
    else if (strcmp(value, "on-failure") == 0)
        cfg->restart_always = 0;
    else
        return -2;
    return 0;
}

static int apply_key(struct run_config *cfg, const char *key, const char *value)
{
    if (strcmp(key, "host") == 0)
        set_string(&cfg->host, value);
    else if (strcmp(key, "library") == 0)
        set_string(&cfg->library, value);
    else if (strcmp(key, "build") == 0)
        set_string(&cfg->build, value);
    else if (strcmp(key, "build_all") == 0)
        set_string(&cfg->build_all, value);
    else if (strcmp(key, "watch") == 0)
        add_words(cfg->watch, &cfg->n_watch, value);
    else if (strcmp(key, "host_sources") == 0)
        add_words(cfg->host_sources, &cfg->n_host_sources, value);
    else if (strcmp(key, "debounce_ms") == 0)
        cfg->debounce_ms = (unsigned)strtoul(value, NULL, 10);
    else if (strcmp(key, "restart") == 0)
        return set_restart(cfg, value);
    else if (strcmp(key, "status_to") == 0)
        set_string(&cfg->status_to, value);
    else
        return -1;
    return 0;
}

/* Whether fgets read all of a line: it ends in a newline, or the file
 * ends after it. A longer one is refused rather than read as two. */
static int whole_line(FILE *f, const char *line, size_t size)
{
    size_t len = strlen(line);
    int c;

    if (len < size - 1 || line[len - 1] == '\n')
        return 1;
    if ((c = getc(f)) == EOF)
        return 1;
    ungetc(c, f);
    return 0;
}

static int read_config_file(struct run_config *cfg, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[4095 + 2], *key, *eq; /* 4095 characters, the newline, the NUL */
    int lineno = 0, bad = 0;

    if (!f)
        return 0;
    snprintf(cfg->config, sizeof cfg->config, "%s", path);
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!whole_line(f, line, sizeof line)) {
            fclose(f);
            return cli_usage_error("run", "%s:%d: line longer than %d characters", path, lineno,
                                   (int)sizeof line - 2);
        }
        key = trim(line);
        if (!*key || *key == '#')
            continue;
        eq = strchr(key, '=');
        if (eq)
            *eq = '\0';
        if (!eq || (bad = apply_key(cfg, trim(key), trim(eq + 1))) < 0) {
            fclose(f);
            if (eq && bad == -2)
                return cli_usage_error("run", "%s:%d: restart is on-failure or always", path,
                                       lineno);
            return cli_usage_error("run",
                                   "%s:%d: expected one of host, library, watch, "
                                   "build, build_all, host_sources, debounce_ms, restart, "
                                   "status_to = value",
                                   path, lineno);
        }
    }
    fclose(f);
    return CLI_OK;
}

struct run_flags {
    const char *dir, *config;
    const char *host, *library, *build, *build_all, *debounce, *restart, *status_to;
    const char *watch[RUN_MAX_LIST];
    int n_watch;
};

/* Options taking a value: where each one's value goes. */
static const char **flag_slot(struct run_flags *f, const char *opt)
{
    static const char *watch_slot;

    if (!strcmp(opt, "-C") || !strcmp(opt, "--dir"))
        return &f->dir;
    if (!strcmp(opt, "--config"))
        return &f->config;
    if (!strcmp(opt, "--host"))
        return &f->host;
    if (!strcmp(opt, "--lib"))
        return &f->library;
    if (!strcmp(opt, "--build"))
        return &f->build;
    if (!strcmp(opt, "--build-all"))
        return &f->build_all;
    if (!strcmp(opt, "--debounce"))
        return &f->debounce;
    if (!strcmp(opt, "--restart"))
        return &f->restart;
    if (!strcmp(opt, "--status-to"))
        return &f->status_to;
    if (!strcmp(opt, "--watch"))
        return f->n_watch < RUN_MAX_LIST ? &f->watch[f->n_watch] : &watch_slot;
    return NULL;
}

static int parse_flags(struct run_config *cfg, struct run_flags *f, int argc, char **argv,
                       int *help)
{
    const char **slot;
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            cfg->host_args = argv + i + 1;
            cfg->n_host_args = argc - i - 1;
            break;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            *help = 1;
        } else if (!strcmp(argv[i], "--timings")) {
            cfg->timings = 1;
        } else if (!strcmp(argv[i], "--stats")) {
            if (++i == argc)
                return cli_usage_error("run", "--stats needs a file");
            set_string(&cfg->stats, argv[i]);
        } else if ((slot = flag_slot(f, argv[i])) != NULL) {
            if (i + 1 == argc)
                return cli_usage_error("run", "%s needs a value", argv[i]);
            *slot = argv[++i];
            if (slot == &f->watch[f->n_watch]) /* counted once it has a value */
                f->n_watch++;
        } else {
            return cli_usage_error("run", "unknown option '%s'", argv[i]);
        }
    }
    return CLI_OK;
}

static int apply_flags(struct run_config *cfg, const struct run_flags *f)
{
    int i;

    if (f->restart && set_restart(cfg, f->restart) < 0)
        return cli_usage_error("run", "--restart is on-failure or always, not '%s'", f->restart);
    if (f->status_to)
        set_string(&cfg->status_to, f->status_to);
    if (f->host)
        set_string(&cfg->host, f->host);
    if (f->library)
        set_string(&cfg->library, f->library);
    if (f->build)
        set_string(&cfg->build, f->build);
    if (f->build_all)
        set_string(&cfg->build_all, f->build_all);
    if (f->debounce)
        cfg->debounce_ms = (unsigned)strtoul(f->debounce, NULL, 10);
    if (f->n_watch > 0) {
        for (i = 0; i < cfg->n_watch; i++)
            free(cfg->watch[i]);
        cfg->n_watch = 0;
        for (i = 0; i < f->n_watch; i++)
            cfg->watch[cfg->n_watch++] = strdup(f->watch[i]);
    }
    return CLI_OK;
}

/* A command given as only blanks is none (fuzz_run_config). */
static const char *blank_command(const struct run_config *cfg)
{
    if (cfg->host && !cfg->host[strspn(cfg->host, " \t")])
        return "host";
    if (cfg->build && !cfg->build[strspn(cfg->build, " \t")])
        return "build";
    return NULL;
}

static int check_complete(struct run_config *cfg)
{
    const char *blank = blank_command(cfg);

    if (blank)
        return cli_usage_error("run", "%s: '%s' is empty: give the command to run",
                               cfg->config[0] ? cfg->config : "the command line", blank);
    if (!cfg->config[0] && (!cfg->host || !cfg->build))
        return cli_usage_error("run",
                               "no hotreload.conf in %s: give --host and --build, or "
                               "run in a project made by 'hotreload new'",
                               cfg->dir);
    if (!cfg->host || !cfg->build)
        return cli_usage_error("run", "%s: no '%s' key (or %s option)", cfg->config,
                               !cfg->host ? "host" : "build", !cfg->host ? "--host" : "--build");
    if (!cfg->build_all)
        set_string(&cfg->build_all, cfg->build);
    if (cfg->n_watch == 0)
        cfg->watch[cfg->n_watch++] = strdup(".");
    return CLI_OK;
}

int run_config_load(struct run_config *cfg, int argc, char **argv, int *help)
{
    struct run_flags flags;
    char path[PATH_MAX];
    int status;

    memset(cfg, 0, sizeof *cfg);
    memset(&flags, 0, sizeof flags);
    cfg->debounce_ms = 5;
    *help = 0;
    if ((status = parse_flags(cfg, &flags, argc, argv, help)) != CLI_OK || *help)
        return status;
    if (!realpath(flags.dir ? flags.dir : ".", cfg->dir))
        return cli_usage_error("run", "%s: no such folder", flags.dir);
    if (flags.config && access(flags.config, R_OK) != 0)
        return cli_usage_error("run", "%s: cannot read the config file", flags.config);
    if (cli_path_join(path, sizeof path, cfg->dir, "hotreload.conf") < 0)
        return cli_usage_error("run", "%s: path too long", cfg->dir);
    if ((status = read_config_file(cfg, flags.config ? flags.config : path)) != CLI_OK)
        return status;
    if ((status = apply_flags(cfg, &flags)) != CLI_OK)
        return status;
    return check_complete(cfg);
}

char **run_config_host_argv(const struct run_config *cfg)
{
    char *words[RUN_MAX_LIST];
    int n = 0, i;
    char **argv;

    add_words(words, &n, cfg->host);
    argv = calloc((size_t)n + (size_t)cfg->n_host_args + 1, sizeof *argv);
    if (!argv) {
        for (i = 0; i < n; i++)
            free(words[i]);
        return NULL;
    }
    for (i = 0; i < n; i++)
        argv[i] = words[i];
    for (i = 0; i < cfg->n_host_args; i++)
        argv[n + i] = strdup(cfg->host_args[i]);
    return argv;
}

void run_config_free(struct run_config *cfg)
{
    int i;

    free(cfg->host);
    free(cfg->library);
    free(cfg->build);
    free(cfg->build_all);
    free(cfg->stats);
    free(cfg->status_to);
    for (i = 0; i < cfg->n_watch; i++)
        free(cfg->watch[i]);
    for (i = 0; i < cfg->n_host_sources; i++)
        free(cfg->host_sources[i]);
    memset(cfg, 0, sizeof *cfg);
}
