/* One-line causes: per handle, and per thread for calls with no handle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static __thread char last_error[HOT__MSG_MAX];

int hot__fail(hot_lib *lib, int err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(lib->errmsg, sizeof lib->errmsg, fmt, ap);
    va_end(ap);
    return err;
}

void hot__set_last_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
}

const char *hot_last_error(void)
{
    return last_error;
}

const char *hot_errmsg(const hot_lib *lib)
{
    return lib ? lib->errmsg : last_error;
}

char *hot__strdup(const char *s)
{
    size_t len;
    char *copy;

    if (!s)
        return NULL;
    len = strlen(s) + 1;
    copy = hot__malloc(len);
    if (copy)
        memcpy(copy, s, len);
    return copy;
}

char *hot__printf(const char *fmt, ...)
{
    va_list ap;
    int len;
    char *s;

    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0 || !(s = hot__malloc((size_t)len + 1)))
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return s;
}
