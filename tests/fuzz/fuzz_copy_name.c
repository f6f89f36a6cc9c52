/*
 * libFuzzer target: arbitrary copy-name templates (hot_options.shadow_name)
 * through the options check (hot__options_apply) and the expansion
 * (hot__expand_copy_name), with an arbitrary library file name and load
 * counter. A template the options accept must expand to a name directly
 * inside the shadow folder: no '/', not "." or "..", not empty, not
 * hidden (dot files are the runtime's own) unless the library's own file
 * is, and ending with the library's suffix (gdb and perf look at names)
 * unless the suffix does not fit in the name's 1,023 characters. A refused
 * template must say why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define SHADOW "/fuzz-shadow"

/* Splits the input at the first NUL: the template, then the file name. */
static void split(const unsigned char *data, size_t size, char **tmpl, char **file)
{
    const unsigned char *nul = memchr(data, '\0', size);
    size_t n = nul ? (size_t)(nul - data) : size;
    size_t rest = nul ? size - n - 1 : 0;

    *tmpl = calloc(n + 1, 1);
    *file = calloc(rest + 8, 1);
    if (*tmpl)
        memcpy(*tmpl, data, n);
    if (*file && rest) {
        memcpy(*file, nul + 1, rest);
        (*file)[strcspn(*file, "/")] = '\0'; /* a file name, as split_path gives */
    }
    if (*file && (!**file || !strcmp(*file, ".") || !strcmp(*file, "..")))
        strcpy(*file, "libx.so"); /* a folder is no library file */
}

static void check_name(const hot_lib *lib, const char *path)
{
    const char *name = path + strlen(SHADOW "/"), *suffix = strchr(lib->file, '.');
    size_t len = strlen(name);

    if (strncmp(path, SHADOW "/", strlen(SHADOW "/")) != 0 || strchr(name, '/') ||
        !strcmp(name, ".") || !strcmp(name, "..") || len == 0 ||
        (name[0] == '.' && lib->file[0] != '.'))
        abort();
    if (suffix && len + strlen(suffix) < 1023 && strstr(name, suffix) == NULL) {
        fprintf(stderr, "fuzz_copy_name: '%s' (library %s) lost its suffix\n", name, lib->file);
        abort();
    }
}

static void free_options(hot_lib *lib)
{
    free(lib->name);
    free(lib->env_override);
    free(lib->shadow_dir);
    free(lib->shadow_name);
    free(lib->path);
    free(lib->dir);
    free(lib->file);
    free(lib->stem);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    hot_options opts = HOT_OPTIONS_INIT;
    hot_lib *lib = calloc(1, sizeof *lib);
    char *tmpl, *file, *path, lib_path[600];
    int err;

    split(data, size, &tmpl, &file);
    if (!lib || !tmpl || !file)
        goto done;
    snprintf(lib_path, sizeof lib_path, "/fuzz-dir/%.500s", file);
    opts.shadow_dir = SHADOW;
    opts.shadow_name = tmpl;
    opts.env_override = "HOTRELOAD_FUZZ_UNSET";
    err = hot__options_apply(lib, lib_path, &opts, sizeof opts);
    if (err < 0 && lib->errmsg[0] == '\0')
        abort(); /* a refusal names its cause */
    if (err == 0) {
        lib->load_counter = size * 2654435761u;
        memcpy(lib->copy_uuid, "0123456789abcdef", 17);
        if ((path = hot__expand_copy_name(lib)) != NULL)
            check_name(lib, path);
        free(path);
    }
    free_options(lib);
done:
    free(lib);
    free(tmpl);
    free(file);
    return 0;
}
