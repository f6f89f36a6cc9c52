/*
 * Issue 8 item 32, the rebuilt dependency: a library whose dependency is
 * found through its $ORIGIN rpath (fx_origin, fx_value() = 20 +
 * fxdep_value()). Replacing only the dependency loads a new version whose
 * fx_value() answers through the new dependency, while the old pair stays
 * loaded as its own version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

enum { FX_ORIGIN_DEP1 = 20 + 1, FX_ORIGIN_DEP2 = 20 + 2 };

/* Puts a build of fxdep in place as libfxdep.so, renamed over the old one
 * as a linker does. */
static void put_dependency(const fx_env *e, const char *build)
{
    size_t len;
    unsigned char *buf = read_whole(fixture(build), &len);
    char tmp[400], path[400];

    snprintf(tmp, sizeof tmp, "%s/.incoming-dep", e->dir);
    snprintf(path, sizeof path, "%s/libfxdep.so", e->dir);
    write_whole(tmp, buf, len);
    ASSERT_EQ(rename(tmp, path), 0);
    free(buf);
}

static hot_lib *open_origin(fx_env *e, hot_watch_mode watch)
{
    hot_options o = env_options(e);

    o.watch = watch;
    put_dependency(e, "fxdep");
    install_fixture(e, "fx_origin");
    return env_open(&o);
}

/* Under inotify: the dependency alone is rebuilt, the library is not. */
TEST(harden_deps, rebuilt_dependency_picked_up)
{
    fx_env e;
    hot_lib *lib;
    unsigned long before;

    env_init(&e);
    lib = open_origin(&e, HOT_WATCH_NOTIFY);
    ASSERT_EQ(fx_value(), FX_ORIGIN_DEP1);
    before = hot_version(lib);
    put_dependency(&e, "fxdep_v2");
    if (!wait_for_value(lib, FX_ORIGIN_DEP2, WAIT_MS))
        FAIL("the rebuilt dependency was never picked up: fx_value() = %ld", fx_value());
    ASSERT(hot_version(lib) > before);
    hot_close(lib);
    env_free(&e);
}

/* hot_reload_now: the same, and each version's pair is its own (the old
 * dependency's copy is loaded beside the new one until the old version is
 * let go). Back to the first dependency: its value again. */
TEST(harden_deps, each_version_has_its_own_dependency)
{
    fx_env e;
    hot_lib *lib;

    env_init(&e);
    lib = open_origin(&e, HOT_WATCH_NONE);
    ASSERT_EQ(fx_value(), FX_ORIGIN_DEP1);
    ASSERT_EQ(hot_reload_now(lib), 0); /* nothing changed */
    put_dependency(&e, "fxdep_v2");
    ASSERT_EQ(hot_reload_now(lib), 1);
    ASSERT_EQ(fx_value(), FX_ORIGIN_DEP2);
    put_dependency(&e, "fxdep");
    ASSERT_EQ(hot_reload_now(lib), 1);
    ASSERT_EQ(fx_value(), FX_ORIGIN_DEP1);
    hot_close(lib);
    ASSERT_EQ(count_copies(e.shadow), 0);
    env_free(&e);
}
