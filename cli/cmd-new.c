/*
 * hotreload new NAME: writes a working project from the embedded templates
 * (cli/templates/), with the place of hotreload filled in.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* Where the generated project finds hotreload. All empty: installed
 * (pkg-config, find_package). */
struct hotreload_place {
    char include[PATH_MAX];
    char libdir[PATH_MAX];
    char helpers[PATH_MAX];
    char cmake_dir[PATH_MAX]; /* hotreloadConfig.cmake's folder */
};

struct new_args {
    const char *path;          /* the folder to create */
    const char *name;          /* its last component: the host's name */
    const char *prefix;        /* --hotreload-dir */
    int build_tree;            /* 1 --build-tree, 0 --installed, -1 guess */
    const char *template_name; /* --template: "tick" (default), "sdl" or "lv2" */
    char id[PATH_MAX];         /* the name as a C identifier */
};

/* The templates: "tick" is the files at the top of cli/templates/, any
 * other the files of its subfolder (written without the folder). */
static const char *const template_names[] = { "tick", "sdl", "lv2", NULL };

/* The name a template file is written as in the project, or NULL if the
 * file belongs to another template. */
static const char *file_in_template(const struct cli_template *t, const char *template_name)
{
    const char *slash = strchr(t->name, '/');
    size_t len = strlen(template_name);

    if (strcmp(template_name, "tick") == 0)
        return slash ? NULL : t->name;
    if (slash && (size_t)(slash - t->name) == len && strncmp(t->name, template_name, len) == 0)
        return slash + 1;
    return NULL;
}

static int known_template(const char *name)
{
    int i;
    for (i = 0; template_names[i]; i++) {
        if (strcmp(template_names[i], name) == 0)
            return 1;
    }
    return 0;
}

static int valid_name(const char *name)
{
    const char *p;

    if (!*name || *name == '-' || *name == '.')
        return 0;
    for (p = name; *p; p++) {
        if (!(*p == '_' || *p == '-' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z')))
            return 0;
    }
    return 1;
}

/* The name as a C identifier (the plugin's id in C and in its files):
 * '-' becomes '_', and a leading digit gets a 'p_' before it. */
static void c_identifier(char *out, size_t size, const char *name)
{
    size_t i = 0;

    if (*name >= '0' && *name <= '9')
        i = (size_t)snprintf(out, size, "p_");
    for (; *name && i + 1 < size; name++) {
        out[i] = *name;
        if (out[i] == '-')
            out[i] = '_';
        i++;
    }
    out[i] = '\0';
}

static int parse_new_args(int argc, char **argv, struct new_args *a)
{
    int i;

    memset(a, 0, sizeof *a);
    a->build_tree = -1;
    a->template_name = "tick";
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--template") == 0) {
            if (++i == argc)
                return cli_usage_error("new", "--template needs a name (tick, sdl, lv2)");
            if (!known_template(argv[i]))
                return cli_usage_error("new", "no template '%s' (there are: tick, sdl, lv2)",
                                       argv[i]);
            a->template_name = argv[i];
        } else if (strcmp(argv[i], "--hotreload-dir") == 0) {
            if (++i == argc)
                return cli_usage_error("new", "--hotreload-dir needs a folder");
            a->prefix = argv[i];
        } else if (strcmp(argv[i], "--build-tree") == 0) {
            a->build_tree = 1;
        } else if (strcmp(argv[i], "--installed") == 0) {
            a->build_tree = 0;
        } else if (argv[i][0] == '-') {
            return cli_usage_error("new", "unknown option '%s'", argv[i]);
        } else if (a->path) {
            return cli_usage_error("new", "one project at a time ('%s' is extra)", argv[i]);
        } else {
            a->path = argv[i];
        }
    }
    if (!a->path)
        return cli_usage_error("new", "which name?");
    a->name = strrchr(a->path, '/') ? strrchr(a->path, '/') + 1 : a->path;
    if (!valid_name(a->name))
        return cli_usage_error("new", "'%s': a name is letters, digits, '_' and '-'", a->name);
    c_identifier(a->id, sizeof a->id, a->name);
    return CLI_OK;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The install prefix's library folder: lib, lib64 or the configured one. */
static int place_from_prefix(const char *prefix, struct hotreload_place *p)
{
    static const char *const libdirs[] = { HOT_CLI_INSTALL_LIBDIR, "lib", "lib64" };
    char probe[PATH_MAX];
    size_t i;

    if (cli_path_join(p->include, sizeof p->include, prefix, "include") < 0 ||
        cli_path_join(probe, sizeof probe, p->include, "hotreload.h") < 0 || !file_exists(probe))
        return -1;
    for (i = 0; i < sizeof libdirs / sizeof libdirs[0]; i++) {
        if (cli_path_join(p->libdir, sizeof p->libdir, prefix, libdirs[i]) < 0 ||
            cli_path_join(probe, sizeof probe, p->libdir, "libhotreload.so") < 0 ||
            !file_exists(probe))
            continue;
        if (cli_path_join(p->cmake_dir, sizeof p->cmake_dir, p->libdir, "cmake/hotreload") < 0 ||
            cli_path_join(p->helpers, sizeof p->helpers, p->cmake_dir, "hotreload-helpers.cmake") <
                0)
            return -1;
        return 0;
    }
    return -1;
}

static void place_from_build_tree(struct hotreload_place *p)
{
    snprintf(p->include, sizeof p->include, "%s", HOT_CLI_SOURCE_INCLUDE);
    snprintf(p->libdir, sizeof p->libdir, "%s", HOT_CLI_BUILD_LIBDIR);
    snprintf(p->helpers, sizeof p->helpers, "%s", HOT_CLI_SOURCE_HELPERS);
    snprintf(p->cmake_dir, sizeof p->cmake_dir, "%s", HOT_CLI_BUILD_PACKAGE);
}

/* True when this program is the one in its build tree (not an installed
 * copy): then a new project is best built against that tree. */
static int running_from_build_tree(void)
{
    char self[PATH_MAX], built[PATH_MAX];

    if (!cli_program_path(self, sizeof self) || !realpath(HOT_CLI_BUILD_BINDIR "/hotreload", built))
        return 0;
    return strcmp(self, built) == 0;
}

/* This program installed as PREFIX/bin/hotreload, with PREFIX/include and
 * PREFIX/lib beside: that prefix. Known without pkg-config, which may not
 * search it (make install PREFIX=$HOME/.local, then only PATH set). */
static int place_from_own_prefix(struct hotreload_place *p)
{
    char self[PATH_MAX], *slash;

    if (!cli_program_path(self, sizeof self))
        return -1;
    if ((slash = strrchr(self, '/')) != NULL)
        *slash = '\0'; /* PREFIX/bin */
    if (!slash || !(slash = strrchr(self, '/')) || strcmp(slash, "/bin") != 0)
        return -1;
    *slash = '\0';
    return place_from_prefix(self[0] ? self : "/", p);
}

static int choose_place(const struct new_args *a, struct hotreload_place *p)
{
    memset(p, 0, sizeof *p);
    if (a->prefix) {
        if (place_from_prefix(a->prefix, p) < 0) {
            fprintf(stderr,
                    "hotreload new: no hotreload installed in %s "
                    "(want include/hotreload.h and lib/libhotreload.so)\n",
                    a->prefix);
            return -1;
        }
    } else if (a->build_tree == 1 || (a->build_tree == -1 && running_from_build_tree())) {
        place_from_build_tree(p);
    } else if (a->build_tree == -1 && place_from_own_prefix(p) < 0) {
        memset(p, 0, sizeof *p); /* pkg-config and find_package, then */
    }
    return 0;
}

/* Copies `text` to `out`, replacing each @KEY@ with its value. */
static void expand(FILE *out, const char *text, const char *const subs[][2])
{
    const char *at;
    size_t i;

    while ((at = strchr(text, '@')) != NULL) {
        fwrite(text, 1, (size_t)(at - text), out);
        for (i = 0; subs[i][0]; i++) {
            size_t len = strlen(subs[i][0]);
            if (strncmp(at, subs[i][0], len) == 0)
                break;
        }
        fputs(subs[i][0] ? subs[i][1] : "@", out);
        text = at + (subs[i][0] ? strlen(subs[i][0]) : 1);
    }
    fputs(text, out);
}

static int write_template(const char *dir, const char *name, const struct cli_template *t,
                          const char *const subs[][2])
{
    char path[PATH_MAX];
    FILE *f;

    if (cli_path_join(path, sizeof path, dir, name) < 0 || !(f = fopen(path, "w"))) {
        fprintf(stderr, "hotreload new: %s: %s\n", path, strerror(errno));
        return -1;
    }
    expand(f, t->text, subs);
    if (fclose(f) != 0) {
        fprintf(stderr, "hotreload new: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The lv2 template's plugin URI: a placeholder, to replace with one of
 * the author's own before the plugin is published. */
static void plugin_uri(char *out, size_t size, const char *name)
{
    snprintf(out, size, "urn:example:%s", name);
}

static int write_project(const struct new_args *a, const struct hotreload_place *p)
{
    char uri[PATH_MAX];
    const char *const subs[][2] = {
        { "@NAME@", a->name },
        { "@ID@", a->id },
        { "@URI@", uri },
        { "@HOTRELOAD_CMAKE_DIR@", p->cmake_dir },
        { "@HOTRELOAD_INCLUDE@", p->include },
        { "@HOTRELOAD_LIBDIR@", p->libdir },
        { "@HOTRELOAD_HELPERS@", p->helpers },
        { NULL, NULL },
    };
    const struct cli_template *t;

    plugin_uri(uri, sizeof uri, a->name);
    /* a->path is set: parse_args returns CLI_OK only then (the analyzer
     * cannot see that cli_usage_error never returns CLI_OK). */
    if (mkdir(a->path, 0777) < 0) { /* NOLINT(clang-analyzer-core.NonNullParamChecker) */
        fprintf(stderr, "hotreload new: %s: %s\n", a->path,
                errno == EEXIST ? "already exists; choose another name" : strerror(errno));
        return -1;
    }
    for (t = cli_templates; t->name; t++) {
        const char *name = file_in_template(t, a->template_name);
        if (name && write_template(a->path, name, t, subs) < 0)
            return -1;
    }
    return 0;
}

static void print_next_steps(const struct new_args *a, const struct hotreload_place *p)
{
    const struct cli_template *t;
    char uri[PATH_MAX], dir[PATH_MAX];

    printf("created %s/:", a->path);
    for (t = cli_templates; t->name; t++) {
        if (file_in_template(t, a->template_name))
            printf(" %s", file_in_template(t, a->template_name));
    }
    printf("\nhotreload: %s\n",
           p->include[0] ? p->include : "installed (pkg-config hotreload, find_package)");
    printf("\nnext:\n  cd %s\n  hotreload run\n", a->path);
    if (strcmp(a->template_name, "lv2") == 0) {
        plugin_uri(uri, sizeof uri, a->name);
        if (!realpath(a->path, dir))
            snprintf(dir, sizeof dir, "%s", a->path);
        printf("meanwhile, in a host (no host to start: it plays where you load it):\n"
               "  LV2_PATH=%s/build/lv2 jalv %s\n"
               "then change OUTPUT_TRIM in logic.c and save.\n",
               dir, uri);
    } else if (strcmp(a->template_name, "sdl") == 0) {
        printf("then change BOX_RGB in logic.c and save.\n");
    } else {
        printf("then edit the message in logic.c and save.\n");
    }
}

int cli_cmd_new(int argc, char **argv)
{
    struct new_args a;
    struct hotreload_place place;
    int status;

    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return cli_print_usage(stdout, "new"), CLI_OK;
    if ((status = parse_new_args(argc, argv, &a)) != CLI_OK)
        return status;
    if (choose_place(&a, &place) < 0 || write_project(&a, &place) < 0)
        return CLI_FAILED;
    print_next_steps(&a, &place);
    return CLI_OK;
}
