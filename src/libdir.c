/*
 * Which folder a library named by its folder and file name is in. An
 * absolute folder is used as given. A relative one (the default ".") is
 * taken against the working directory when the library is there, else
 * against the program's own folder when it is there: the library next to
 * the program (make and CMake put both in the same place) is found from any
 * working directory. Found in neither, the working directory's is kept, so
 * the error names the path the user asked for.
 */
#include <stdlib.h>

#include "internal.h"

static int file_exists(const char *dir, const char *file)
{
    char *path = hot__printf("%s/%s", dir, file), msg[HOT__MSG_MAX];
    hot__stat st;
    int found = 0;

    if (path && hot__fs_stat(path, &st, msg, sizeof msg) == 0)
        found = st.exists;
    free(path);
    return found;
}

/* The relative `dir` under the program's folder, if it holds `file`. */
static char *next_to_program(const char *dir, const char *file)
{
    char *program = hot__program_dir(), *there;

    if (!program)
        return NULL;
    there =
        dir[0] == '.' && dir[1] == '\0' ? hot__strdup(program) : hot__printf("%s/%s", program, dir);
    free(program);
    if (there && !file_exists(there, file)) {
        free(there);
        there = NULL;
    }
    return there;
}

char *hot__library_dir(const hot_lib *lib, const char *dir, const char *file)
{
    char *there;

    if (!dir)
        dir = ".";
    if (dir[0] == '/' || file_exists(dir, file))
        return hot__strdup(dir);
    there = next_to_program(dir, file);
    if (!there)
        return hot__strdup(dir);
    hot__log(lib, HOT_LOG_INFO, "%s is not in %s: found next to the program, in %s", file, dir,
             there);
    return there;
}
