/* Paths on Unix: making a relative path absolute once, at open, so that a
 * later chdir (daemons do it) does not change which file is watched. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hotreload.h"
#include "../platform.h"

char *hot__path_absolute(const char *path)
{
    char cwd[PATH_MAX];
    size_t n;
    char *out;

    if (path[0] == '/')
        return strdup(path);
    if (!getcwd(cwd, sizeof cwd))
        return NULL;
    while (path[0] == '.' && path[1] == '/') /* "./libgame.so" */
        path += 2;
    n = strlen(cwd) + strlen(path) + 2;
    if (!(out = malloc(n)))
        return NULL;
    snprintf(out, n, "%s%s%s", cwd, strcmp(cwd, "/") == 0 ? "" : "/", path);
    return out;
}

/* realpath() of the file, or of its folder when the file is not there
 * (yet: a supervisor names the library before its first build). */
char *hot__path_canonical(const char *path)
{
    char *abs = hot__path_absolute(path), *slash, *dir, *out;
    size_t n;

    if (!abs)
        return NULL;
    if ((out = realpath(abs, NULL)) != NULL) {
        free(abs);
        return out;
    }
    slash = strrchr(abs, '/');
    *slash = '\0';
    dir = realpath(abs[0] ? abs : "/", NULL);
    *slash = '/';
    if (!dir)
        return abs;
    n = strlen(dir) + strlen(slash) + 1;
    if ((out = malloc(n)) != NULL)
        snprintf(out, n, "%s%s", strcmp(dir, "/") == 0 ? "" : dir, slash);
    free(dir);
    free(abs);
    return out;
}
