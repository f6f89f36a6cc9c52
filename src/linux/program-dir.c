/* The folder of the running program's executable (Linux: /proc/self/exe). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hotreload.h"
#include "../platform.h"
#include "../unix/syscalls.h"

char *hot__program_dir(void)
{
    char path[PATH_MAX], *slash, *dir;
    ssize_t n = hot__sys.readlink("/proc/self/exe", path, sizeof path - 1);

    if (n <= 0 || (size_t)n >= sizeof path - 1)
        return NULL;
    path[n] = '\0';
    slash = strrchr(path, '/');
    if (!slash)
        return NULL;
    *(slash == path ? slash + 1 : slash) = '\0';
    dir = malloc(strlen(path) + 1);
    if (dir)
        strcpy(dir, path);
    return dir;
}
