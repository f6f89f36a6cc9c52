/*
 * The program the gdb test debugs. It opens fx at build 1 and calls fx_step,
 * replaces the library with build 2 (libfx_gdb_v2.so, whose fx_step is on a
 * marked line of fx_gdb_v2.c), waits for the reload and calls fx_step again.
 * g_loaded_path names the copy each call runs from, for gdb_check.py.
 */
#include <stdio.h>

#include "support.h"

const char *volatile g_loaded_path;
volatile long g_result;

int main(void)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    struct fx_state s = {0, 0};

    env_init(&e);
    o = env_options(&e);
    lib = env_open(&o);
    g_loaded_path = hot_loaded_path(lib);
    g_result = fx_step(&s, 1.0f);
    install_fixture(&e, "fx_gdb_v2");
    if (!wait_for_value(lib, FX_V2, WAIT_MS)) {
        fprintf(stderr, "gdb_host: build 2 did not load: %s\n", hot_errmsg(lib));
        return 1;
    }
    g_loaded_path = hot_loaded_path(lib);
    g_result = fx_step(&s, 1.0f);
    printf("gdb_host: fx_step returned %ld\n", g_result);
    hot_close(lib);
    env_free(&e);
    return g_result == 2000 + 3 ? 0 : 1;
}
