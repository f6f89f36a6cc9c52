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
