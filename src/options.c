/* Options: defaults, the library's path, overrides and copy names. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DEFAULT_SETTLE_MS 50
#define DEFAULT_POLL_MS 100
#define DEFAULT_HOLD_TIMEOUT_MS 5000
#define DEFAULT_MAX_RETIRED 8 /* old versions mapped; see retire.c */
#define DEFAULT_COPY_NAME "{lib_name}.{pid}.{load_counter}.{uuid}"

/* HOTRELOAD_LIB_<NAME>: the name upper-cased, other characters as '_'. */
static char *default_env_name(const char *name)
{
    char *env = hot__printf("HOTRELOAD_LIB_%s", name);
    char *p;

    for (p = env ? env + 14 : NULL; p && *p; p++)
        *p = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
    return env;
}

static int looks_like_path(const char *name)
{
    return strchr(name, '/') || strchr(name, '\\') || strchr(name, '.');
}

/* The file a name stands for: an override, a path, or dir/lib<name>.so. */
static char *name_to_path(hot_lib *lib, const char *name, const char *dir)
{
    const char *override = hot__env(lib->env_override);
    char file[512], *found, *path;

    if (override && *override) {
        hot__log(lib, HOT_LOG_INFO, "%s overrides the library: %s", lib->env_override, override);
        return hot__strdup(override);
    }
    if (looks_like_path(name))
        return hot__strdup(name);
    snprintf(file, sizeof file, hot__dl_name_format(), name);
    found = hot__library_dir(lib, dir, file);
    path = found ? hot__printf("%s/%s", found, file) : NULL;
    free(found);
    return path;
}

/* Resolved once, here: a relative path would follow the program's later
 * chdir to another file, or to none. */
static char *resolve_path(hot_lib *lib, const char *name, const char *dir)
{
    char *given = name_to_path(lib, name, dir);
    char *path = given ? hot__path_absolute(given) : NULL;

    free(given);
    return path;
}

static int split_path(hot_lib *lib)
{
    const char *slash = strrchr(lib->path, '/');
    const char *dot;

    if (slash) {
        lib->dir = hot__printf("%.*s", (int)(slash - lib->path), lib->path);
        lib->file = hot__strdup(slash + 1);
    } else {
        lib->dir = hot__strdup(".");
        lib->file = hot__strdup(lib->path);
    }
    if (lib->dir && lib->dir[0] == '\0') {
        free(lib->dir);
        lib->dir = hot__strdup("/");
    }
    if (!lib->dir || !lib->file)
        return HOT_ENOMEM;
    dot = strchr(lib->file, '.');
    lib->stem =
        dot ? hot__printf("%.*s", (int)(dot - lib->file), lib->file) : hot__strdup(lib->file);
    return lib->stem ? 0 : HOT_ENOMEM;
}

static void fill_defaults(hot_options *o)
{
    const char *env = hot__env("HOTRELOAD_LOG");

    if (o->settle_ms == 0)
        o->settle_ms = DEFAULT_SETTLE_MS;
    if (o->poll_ms == 0)
        o->poll_ms = DEFAULT_POLL_MS;
    if (o->hold_timeout_ms == 0)
        o->hold_timeout_ms = DEFAULT_HOLD_TIMEOUT_MS;
    if (o->max_retired == 0)
        o->max_retired = DEFAULT_MAX_RETIRED;
    if (o->log_level == HOT_LOG_OFF || (env && *env))
        o->log_level = hot__log_level_from_env();
}

/* A copy name is a file name inside the shadow folder: no '/' or '..' to
 * leave it, no leading '.' (the runtime's own files, like owner files). */
static int check_copy_template(hot_lib *lib)
{
    const char *t = lib->shadow_name;

    if (!t[0] || strchr(t, '/') || strstr(t, "..") || t[0] == '.')
        return hot__fail(lib, HOT_EINVAL,
                         "shadow_name '%s': a copy name must not contain '/' or '..' nor "
                         "start with '.'",
                         t);
    return 0;
}

/* An older caller's struct is a prefix of ours (fields are only ever added
 * at the end): copy what it has, keep the defaults for the rest. A newer
 * caller's fields would be ignored silently: refused instead. */
static int copy_options(hot_lib *lib, const hot_options *opts, size_t size)
{
    static const hot_options defaults = HOT_OPTIONS_INIT;

    lib->opts = defaults;
    if (!opts)
        return 0;
    if (size < sizeof opts->version || opts->version == 0)
        return hot__fail(lib, HOT_EINVAL, "options: version not set (use HOT_OPTIONS_INIT)");
    if (opts->version > HOT_OPTIONS_VERSION)
        return hot__fail(lib, HOT_EINVAL,
                         "options version %u is newer than this runtime's (%u): update the "
                         "runtime or build against its header",
                         opts->version, HOT_OPTIONS_VERSION);
    memcpy(&lib->opts, opts, size < sizeof lib->opts ? size : sizeof lib->opts);
    lib->opts.version = HOT_OPTIONS_VERSION;
    return 0;
}

int hot__options_apply(hot_lib *lib, const char *name, const hot_options *opts, size_t opts_size)
{
    int err = copy_options(lib, opts, opts_size);
    const char *dir = lib->opts.dir;

    if (err < 0)
        return err;
    fill_defaults(&lib->opts);
    lib->name = hot__strdup(name);
    lib->env_override =
        lib->opts.env_override ? hot__strdup(lib->opts.env_override) : default_env_name(name);
    lib->shadow_dir =
        lib->opts.shadow_dir ? hot__strdup(lib->opts.shadow_dir) : hot__default_shadow_dir();
    lib->shadow_name =
        hot__strdup(lib->opts.shadow_name ? lib->opts.shadow_name : DEFAULT_COPY_NAME);
    /* The copies below are owned; the caller's strings need not outlive us. */
    lib->opts.dir = lib->opts.shadow_dir = lib->opts.shadow_name = NULL;
    lib->opts.env_override = NULL;
    if (!lib->name || !lib->env_override || !lib->shadow_dir || !lib->shadow_name)
        return hot__fail(lib, HOT_ENOMEM, "out of memory copying the options");
    if (check_copy_template(lib) < 0)
        return HOT_EINVAL;
    lib->path = resolve_path(lib, name, dir);
    if (!lib->path || split_path(lib) < 0)
        return hot__fail(lib, HOT_ENOMEM, "out of memory for the library's path");
    return 0;
}

static void append(char *out, size_t outlen, const char *s, size_t n)
{
    size_t used = strlen(out);
    if (used + n < outlen) {
        memcpy(out + used, s, n);
        out[used + n] = '\0';
    }
}

/* Expands {lib_name}, {load_counter}, {pid} and {uuid}; keeps the library's
 * suffix so tools that look at names (gdb, perf) see a library. */
char *hot__expand_copy_name(const hot_lib *lib)
{
    char name[1024] = "", value[64];
    const char *p = lib->shadow_name, *suffix = strchr(lib->file, '.');

    while (*p) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        size_t n = close ? (size_t)(close - p + 1) : 1;
        if (close && !strncmp(p, "{lib_name}", n))
            append(name, sizeof name, lib->stem, strlen(lib->stem));
        else if (close && !strncmp(p, "{load_counter}", n))
            snprintf(value, sizeof value, "%lu", lib->load_counter),
                append(name, sizeof name, value, strlen(value));
        else if (close && !strncmp(p, "{pid}", n))
            snprintf(value, sizeof value, "%lu", hot__pid()),
                append(name, sizeof name, value, strlen(value));
        else if (close && !strncmp(p, "{uuid}", n))
            append(name, sizeof name, lib->copy_uuid, strlen(lib->copy_uuid));
        else
            append(name, sizeof name, p, n);
        p += n;
    }
    if (suffix && !strstr(name, suffix))
        append(name, sizeof name, suffix, strlen(suffix));
    return hot__printf("%s/%s", lib->shadow_dir, name);
}
