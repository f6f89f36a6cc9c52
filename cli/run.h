/*
 * `hotreload run`: its settings (from hotreload.conf and the command line)
 * and the set of files whose change means a rebuild.
 */
#ifndef HOTRELOAD_CLI_RUN_H
#define HOTRELOAD_CLI_RUN_H

#include <limits.h>

#define RUN_MAX_LIST 32

struct run_config {
    char dir[PATH_MAX];    /* the project folder, absolute */
    char config[PATH_MAX]; /* the config file read, or "" */
    char *host;            /* the host's command line (split on blanks) */
    char *library;         /* the hot library, relative to dir */
    char *build;           /* rebuilds the library */
    char *build_all;       /* rebuilds everything (default: build) */
    char *watch[RUN_MAX_LIST];
    int n_watch;
    char *host_sources[RUN_MAX_LIST]; /* a change restarts the host */
    int n_host_sources;
    unsigned debounce_ms;
    int timings;
    char *stats;        /* --stats FILE, or NULL */
    int restart_always; /* restart = always: the host's own exit restarts it too */
    char *status_to;    /* status lines: NULL (stdout), "stderr", "none" or a file */
    char **host_args;   /* after "--" */
    int n_host_args;
};

/* Reads the command line and the config file. Prints the problem and
 * returns CLI_USAGE, or returns CLI_OK; 1 in *help for --help. */
int run_config_load(struct run_config *cfg, int argc, char **argv, int *help);
void run_config_free(struct run_config *cfg);

/* The host's argv: its command line split on blanks, then the arguments
 * after "--". NULL-terminated; free with free(). */
char **run_config_host_argv(const struct run_config *cfg);

/* Files the build reads, learned from the compiler's dependency files
 * (-MMD): a change to one of them means a rebuild, wherever it is. */
struct dep_set {
    char **paths;
    int count, cap;
};

/* Adds every prerequisite named in the make-style dependency file `path`,
 * made absolute against `base`. Calls add_dir for each one's folder. */
void deps_read_file(struct dep_set *set, const char *path, const char *base,
                    void (*add_dir)(const char *dir, void *ud), void *ud);
/* Reads every *.d file in `dir`. */
void deps_scan_folder(struct dep_set *set, const char *dir, const char *base,
                      void (*add_dir)(const char *dir, void *ud), void *ud);
/* Ninja builds (a .ninja_deps log) in `project` or one of its folders:
 * their dependencies, from `ninja -t deps`. */
void deps_scan_ninja(struct dep_set *set, const char *project,
                     void (*add_dir)(const char *dir, void *ud), void *ud);
void deps_read_ninja(struct dep_set *set, const char *build_dir,
                     void (*add_dir)(const char *dir, void *ud), void *ud);
int deps_contains(const struct dep_set *set, const char *path);
void deps_free(struct dep_set *set);

#endif /* HOTRELOAD_CLI_RUN_H */
