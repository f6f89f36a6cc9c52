/* The logic compiled into the shell (HOTRELOAD_STATIC): one version, no
 * library, nothing to watch. Same contract as shell-logic.c. */
#include <stdio.h>
#include <stdarg.h>

#include "shell-logic.h"

static shell_member *the_member; /* for logging only */

int shell_logic_acquire(shell_member *m, const hot_plugin_desc *desc, const char *path)
{
    char why[512];

    (void)path;
    the_member = m;
    if (shell_desc_compare(desc, hot_plugin_logic_get(), why, sizeof why) < 0) {
        shell_logic_log(HOT_LOG_ERROR, "hotreload: %s: %s", desc->name, why);
        return HOT_EMISMATCH;
    }
    return 0;
}

void shell_logic_release(shell_member *m)
{
    if (the_member == m)
        the_member = NULL;
}

const hot_plugin_logic *shell_logic_current(unsigned long *version)
{
    if (version)
        *version = 1;
    return hot_plugin_logic_get();
}

unsigned long shell_logic_version(void)
{
    return 1;
}

/* Nothing is guarded in the static build: no crash is survived. */
void shell_logic_mark_crashed(unsigned long version)
{
    (void)version;
}

int shell_logic_crashed(unsigned long version)
{
    (void)version;
    return 0;
}

hot_lib *shell_logic_lib(void)
{
    return NULL;
}

void shell_logic_log(hot_log_level level, const char *fmt, ...)
{
    char line[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (the_member)
        the_member->log(the_member->userdata, level, line);
    else
        fprintf(stderr, "%s\n", line);
}
