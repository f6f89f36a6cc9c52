/*
 * The library's own definitions answer (issue 7 item 6), in a host linked
 * with -rdynamic that defines ip_update itself: hot functions named like
 * functions of libc (random) and libm (round) and of the host; a library
 * built without -fvisibility=hidden; and a library whose manifest was bound
 * to the host's function, which must be refused, naming it.
 * No <stdlib.h> or <math.h> here: the wrappers take those names.
 */
#include "harness.h"
#include "ip_api.h"

static hot_lib *open_ip(const char *file, int *err)
{
    hot_options o = HOT_OPTIONS_INIT;
    hot_lib *lib = NULL;

    o.watch = HOT_WATCH_NONE;
    *err = hot_open(&lib, file, HOT_IFACE(ip), &o);
    return lib;
}

static void expect_own_functions(const char *file)
{
    int err;
    hot_lib *lib = open_ip(file, &err);

    if (err != 0)
        FAIL("%s: %s (%s)", file, hot_errname(err), hot_last_error());
    ASSERT_EQ(random(), IP_RANDOM);          /* not libc's random() */
    ASSERT(round(2.0) == 2.0 + IP_ROUND_OFFSET); /* not libm's round() */
    ASSERT_EQ(ip_update(), IP_UPDATE);       /* not the host's ip_update() */
    hot_close(lib);
}

TEST(interpose, libc_libm_and_host_names)
{
    expect_own_functions(FIXTURE_DIR "/libip_v1.so");
}

/* Was: the library's manifest arrays bound to the host's (exported by
 * -rdynamic): verified against itself, a table of traps, an abort. */
TEST(interpose, default_visibility_library)
{
    expect_own_functions(FIXTURE_DIR "/libip_default_vis.so");
}

TEST(interpose, foreign_address_refused)
{
    int err;
    hot_lib *lib = open_ip(FIXTURE_DIR "/libip_borrow.so", &err);

    ASSERT(lib == NULL);
    ASSERT_EQ(err, HOT_EMISMATCH);
    ASSERT_CONTAINS(hot_last_error(), "ip_update: the library's manifest points into");
    ASSERT_CONTAINS(hot_last_error(), "not into the library");
}
