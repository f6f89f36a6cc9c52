/* See engine.h. */
#include "engine.h"

#include "fx_api.h"

long engine_value(void)
{
    return fx_value();
}

int engine_open(const char *path, hot_lib **out)
{
    hot_options o = HOT_OPTIONS_INIT;

    o.watch = HOT_WATCH_NONE;
    return hot_open(out, path, HOT_IFACE(fx), &o);
}
