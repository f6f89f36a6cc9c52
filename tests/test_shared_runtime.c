/* The shared runtime (libhotreload.so), linked as programs link it: open,
 * reload, close, nothing left on disk. */
#include "support.h"

TEST(shared, reload_through_shared_runtime)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;

    env_init(&e);
    o = env_options(&e);
    lib = env_open(&o);
    ASSERT_EQ(fx_value(), FX_V1);
    install_fixture(&e, "fx_v2");
    ASSERT(wait_for_value(lib, FX_V2, WAIT_MS));
    ASSERT_EQ(hot_version(lib), 2);
    hot_close(lib);
    ASSERT_EQ(count_copies(e.shadow), 0);
    env_free(&e);
}
