/*
 * Host code split over an executable and an engine library that calls hot
 * functions (issue 7 item 7): one table per interface per process, filled
 * whichever object opened the library, and one handle per interface name.
 * Built against the shared runtime, as such programs are.
 */
#include <dlfcn.h>

#include "split/engine.h"
#include "support.h"

TEST(split, engine_calls_reach_library)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;

    env_init(&e);
    o = env_options(&e);
    lib = env_open(&o);
    ASSERT_EQ(fx_value(), FX_V1);
    ASSERT_EQ(engine_value(), FX_V1); /* was: the engine's own table, traps */
    install_fixture(&e, "fx_v2");
    ASSERT(wait_for_value(lib, FX_V2, WAIT_MS));
    ASSERT_EQ(engine_value(), FX_V2);
    hot_close(lib);
    env_free(&e);
}

TEST(split, second_open_refused)
{
    fx_env e;
    hot_options o;
    hot_lib *lib, *second = (hot_lib *)&e;

    env_init(&e);
    o = env_options(&e);
    lib = env_open(&o);
    ASSERT_HOT_ERR(engine_open(e.lib, &second), HOT_EBUSY);
    ASSERT(second == NULL);
    ASSERT_CONTAINS(hot_last_error(), "interface fx is already open");
    ASSERT_EQ(count_copies(e.shadow), 1); /* no second copy, no second watcher */
    ASSERT_EQ(engine_value(), FX_V1);
    hot_close(lib);
    /* Closed: the engine may open it now. */
    ASSERT_HOT_OK(engine_open(e.lib, &second));
    ASSERT_EQ(fx_value(), FX_V1); /* and the executable's table is filled too */
    hot_close(second);
    env_free(&e);
}

/* An engine loaded after hot_open gets the current table at once; one
 * unloaded again is no longer written to. */
TEST(split, engine_loaded_later)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    void *engine;
    long (*late_value)(void);

    env_init(&e);
    o = env_options(&e);
    lib = env_open(&o);
    engine = dlopen(FIXTURE_DIR "/libsplit_engine_late.so", RTLD_NOW | RTLD_LOCAL);
    if (!engine)
        FAIL("dlopen: %s", dlerror());
    *(void **)&late_value = dlsym(engine, "engine_value");
    ASSERT(late_value != NULL);
    ASSERT_EQ(late_value(), FX_V1);
    install_fixture(&e, "fx_v2");
    ASSERT(wait_for_value(lib, FX_V2, WAIT_MS));
    ASSERT_EQ(late_value(), FX_V2);
    dlclose(engine);
    install_fixture(&e, "fx_v3");
    ASSERT(wait_for_value(lib, FX_V3, WAIT_MS));
    ASSERT_EQ(engine_value(), FX_V3);
    hot_close(lib);
    env_free(&e);
}

/* An engine compiled from another version of the interface header cannot
 * share the executable's tables: hot_open says so instead of filling them
 * in the wrong order. */
TEST(split, different_header_refused)
{
    fx_env e;
    hot_options o;
    hot_lib *lib = NULL;
    void *engine;

    env_init(&e);
    o = env_options(&e);
    engine = dlopen(FIXTURE_DIR "/libsplit_engine_other.so", RTLD_NOW | RTLD_LOCAL);
    if (!engine)
        FAIL("dlopen: %s", dlerror());
    ASSERT_HOT_ERR(hot_open(&lib, "fx", HOT_IFACE(fx), &o), HOT_EMISMATCH);
    ASSERT_CONTAINS(hot_last_error(), "interface fx is compiled differently in two parts");
    dlclose(engine);
    lib = env_open(&o); /* gone again: accepted */
    ASSERT_EQ(engine_value(), FX_V1);
    hot_close(lib);
    env_free(&e);
}
