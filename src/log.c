/* Log lines: to the handle's callback, or to stderr as "hotreload: ...". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

hot_log_level hot__log_level_from_env(void)
{
    static const char *const names[] = { "off", "error", "warn", "info", "debug", "trace" };
    const char *env = hot__env("HOTRELOAD_LOG");
    int i;

    if (env) {
        for (i = 0; i < 6; i++) {
            if (strcmp(env, names[i]) == 0)
                return (hot_log_level)i;
        }
    }
    return HOT_LOG_WARN;
}

void hot__log(const hot_lib *lib, hot_log_level level, const char *fmt, ...)
{
    hot_log_level limit = lib ? lib->opts.log_level : hot__log_level_from_env();
    char line[HOT__MSG_MAX + 128];
    va_list ap;

    if (level > limit)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (lib && lib->opts.log_fn)
        lib->opts.log_fn(level, line, lib->opts.log_userdata);
    else
        fprintf(stderr, "hotreload: %s\n", line);
}
