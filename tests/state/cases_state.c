/*
 * State across reloads: save/load hooks, kept variables, migration, and
 * each fallback with the words it must use.
 *
 * The fixture's initial values depend on its version (kept_count starts at
 * 10 * V + 5, the world at {100 * V + 1, 100 * V + 2}), so a value that was
 * carried and a value that was reset can always be told apart.
 */
#include <stdio.h>
#include <string.h>

#include "fx_iface.h"
#include "th.h"
#include "cases.h"

static hot_lib *open_v1_with_state(void)
{
    hot_lib *lib = th_open(HOT_IFACE(fx), "v1", 0);

    CHECK_LONG(fx_version(), 1);
    fx_set(FX_A, 11);
    fx_set(FX_B, 22);
    fx_set(FX_COUNT, 4242);
    fx_set(FX_WORLD_X, 7);
    fx_set(FX_WORLD_Y, 8);
    return lib;
}

static void reload_to(hot_lib *lib, const char *variant, long version)
{
    th_install(variant);
    CHECK_LONG(hot_reload_now(lib), 1);
    CHECK_LONG(hot_version(lib), version);
    CHECK_LONG(fx_version(), version);
}

/* The AFTER_RELOAD event of the last swap, checked to say nothing about
 * state (everything carried). */
static void expect_no_state_warning(void)
{
    th_event ev = th_last(HOT_EVENT_AFTER_RELOAD);

    CHECK_LONG(ev.type, HOT_EVENT_AFTER_RELOAD);
    CHECK_LACKS(ev.message, "state:");
    CHECK(!th_logged("state:"));
}

/* The warning must be in the AFTER_RELOAD message and in the log. */
static void expect_state_warning(const char *text)
{
    th_event ev = th_last(HOT_EVENT_AFTER_RELOAD);
    char tail[400];

    CHECK_LONG(ev.type, HOT_EVENT_AFTER_RELOAD);
    snprintf(tail, sizeof tail, "; state: %s", text);
    CHECK_HAS(ev.message, tail);
    CHECK(th_logged(text));
}

static void expect_kept_carried(void)
{
    CHECK_LONG(fx_get(FX_COUNT), 4242);
    CHECK_LONG(fx_get(FX_WORLD_X), 7);
    CHECK_LONG(fx_get(FX_WORLD_Y), 8);
}

static void expect_hooks_carried(unsigned tag)
{
    CHECK_LONG(fx_get(FX_A), 11);
    CHECK_LONG(fx_get(FX_B), 22);
    CHECK_LONG(fx_get(FX_LOADS), 1);
    CHECK_LONG(fx_get(FX_LAST_TAG), tag);
}

static void expect_hooks_defaults(void)
{
    CHECK_LONG(fx_get(FX_A), 0);
    CHECK_LONG(fx_get(FX_B), 0);
    CHECK_LONG(fx_get(FX_LOADS), 0);
}

/* ---- Carried --------------------------------------------------------------- */

static void test_hooks(void)
{
    hot_lib *lib = open_v1_with_state();

    reload_to(lib, "v2", 2);
    expect_hooks_carried(1);
    CHECK_LONG(fx_get(FX_MIGRATES), 0);
    expect_no_state_warning();
    /* Once more: what v2 changed is what v3 gets. */
    fx_set(FX_A, 33);
    reload_to(lib, "v3", 3);
    CHECK_LONG(fx_get(FX_A), 33);
    CHECK_LONG(fx_get(FX_B), 22);
    th_close(lib);
}

static void test_kept(void)
{
    hot_lib *lib = th_open(HOT_IFACE(fx), "v1", 0);

    CHECK_LONG(fx_get(FX_COUNT), 15); /* v1's initial values */
    CHECK_LONG(fx_get(FX_WORLD_X), 101);
    CHECK_LONG(fx_get(FX_WORLD_Y), 102);
    fx_set(FX_COUNT, 4242);
    fx_set(FX_WORLD_X, 7);
    fx_set(FX_WORLD_Y, 8);
    reload_to(lib, "v2", 2);
    expect_kept_carried();
    expect_no_state_warning();
    fx_set(FX_COUNT, 4343);
    reload_to(lib, "v3", 3);
    CHECK_LONG(fx_get(FX_COUNT), 4343);
    CHECK_LONG(fx_get(FX_WORLD_X), 7);
    th_close(lib);
}

static void test_migrate(void)
{
    hot_lib *lib = open_v1_with_state();

    /* v2 saves {b, a, extra} under tag 2 and its load refuses tag 1: the
     * migrate hook converts v1's bytes. */
    reload_to(lib, "v2_layout2", 2);
    expect_hooks_carried(1);
    CHECK_LONG(fx_get(FX_MIGRATES), 1);
    CHECK_LONG(fx_get(FX_EXTRA), 77);
    expect_kept_carried();
    expect_no_state_warning();
    /* The next build of layout 2 loads tag 2 directly, extra included. */
    fx_set(FX_EXTRA, 78);
    reload_to(lib, "v3_layout2", 3);
    expect_hooks_carried(2);
    CHECK_LONG(fx_get(FX_MIGRATES), 0);
    CHECK_LONG(fx_get(FX_EXTRA), 78);
    th_close(lib);
}

/* ---- Fallbacks ------------------------------------------------------------- */

static void test_unknown_tag(void)
{
    hot_lib *lib = open_v1_with_state();

    /* Layout-2 code with no migrate hook cannot read tag 1. */
    reload_to(lib, "v2_layout2_nomig", 2);
    expect_hooks_defaults();
    expect_state_warning("state with tag 1 was refused by the new code's load hook; "
                         "it starts from its defaults");
    expect_kept_carried(); /* the other mechanism is not affected */
    CHECK_LONG(fx_crash(0), FX_SURVIVED(2));
    th_close(lib);
}

static void test_load_fails(void)
{
    hot_lib *lib = open_v1_with_state();

    reload_to(lib, "v2_loadfail", 2);
    expect_hooks_defaults();
    expect_state_warning("state with tag 1 was refused by the new code's load and migrate "
                         "hook; it starts from its defaults");
    expect_kept_carried();
    th_close(lib);
}

static void test_save_fails(void)
{
    hot_lib *lib = th_open(HOT_IFACE(fx), "v1_savefail", 0);

    fx_set(FX_A, 11);
    reload_to(lib, "v2", 2);
    expect_hooks_defaults();
    expect_state_warning("the old code's save hook failed (-3); the new code starts from "
                         "its defaults");
    th_close(lib);
}

static void test_size_changed(void)
{
    hot_lib *lib = open_v1_with_state();

    /* fx_count_t keeps its name and goes from int to long long. */
    reload_to(lib, "v2_wide", 2);
    CHECK_LONG(fx_get(FX_COUNT), 25); /* v2's initial value */
    expect_state_warning("kept variable kept_count: size changed: 4 -> 8 bytes; "
                         "it starts from its initial value");
    CHECK_LONG(fx_get(FX_WORLD_X), 7); /* the unchanged variable is carried */
    CHECK_LONG(fx_get(FX_WORLD_Y), 8);
    expect_hooks_carried(1);
    th_close(lib);
}

/* A kept struct whose layout changed is carried by field name, laid out
 * from its HOT_STRUCT text: same size, fields swapped. */
static void test_struct_reordered(void)
{
    hot_lib *lib = open_v1_with_state();

    reload_to(lib, "v2_reorder", 2);
    CHECK_LONG(fx_get(FX_WORLD_X), 7);
    CHECK_LONG(fx_get(FX_WORLD_Y), 8);
    expect_no_state_warning();
    CHECK_LONG(fx_get(FX_COUNT), 4242);
    expect_hooks_carried(1);
    th_close(lib);
}

/* w added before, x resized (int -> long): y carried, x and w initial. */
static void test_struct_grown(void)
{
    hot_lib *lib = open_v1_with_state();

    reload_to(lib, "v2_world_grown", 2);
    CHECK_LONG(fx_get(FX_WORLD_X), 201);
    CHECK_LONG(fx_get(FX_WORLD_Y), 8);
    expect_state_warning("kept variable world carried by field name: field x: size changed "
                         "4 -> 8 bytes; it keeps its initial value");
    CHECK_LONG(fx_get(FX_COUNT), 4242);
    th_close(lib);
}

/* y int -> unsigned (same size): initial, named; x carried. */
static void test_struct_retyped(void)
{
    hot_lib *lib = open_v1_with_state();

    reload_to(lib, "v2_world_retyped", 2);
    CHECK_LONG(fx_get(FX_WORLD_X), 7);
    CHECK_LONG(fx_get(FX_WORLD_Y), 202);
    expect_state_warning("kept variable world carried by field name: field y: type changed");
    th_close(lib);
}

/* y removed: dropped without a word; x carried. */
static void test_struct_field_removed(void)
{
    hot_lib *lib = open_v1_with_state();

    reload_to(lib, "v2_world_no_y", 2);
    CHECK_LONG(fx_get(FX_WORLD_X), 7);
    CHECK_LONG(fx_get(FX_WORLD_Y), -1);
    expect_no_state_warning();
    th_close(lib);
}

/* A field of a type the text does not say the layout of: no guessing,
 * the whole variable starts from its initial value, with a warning. */
static void test_struct_unreadable(void)
{
    hot_lib *lib = open_v1_with_state();

    reload_to(lib, "v2_world_opaque", 2);
    CHECK_LONG(fx_get(FX_WORLD_X), 201);
    CHECK_LONG(fx_get(FX_WORLD_Y), 202);
    expect_state_warning("kept variable world: size changed: 8 -> 12 bytes; "
                         "it starts from its initial value");
    CHECK_LONG(fx_get(FX_COUNT), 4242);
    th_close(lib);
}

const th_case state_cases[] = {
    {"hooks", test_hooks},
    {"kept", test_kept},
    {"migrate", test_migrate},
    {"fallback.unknown_tag", test_unknown_tag},
    {"fallback.load_fails", test_load_fails},
    {"fallback.save_fails", test_save_fails},
    {"fallback.size_changed", test_size_changed},
    {"kept.struct_reordered", test_struct_reordered},
    {"kept.struct_grown", test_struct_grown},
    {"kept.struct_retyped", test_struct_retyped},
    {"kept.struct_field_removed", test_struct_field_removed},
    {"fallback.struct_unreadable", test_struct_unreadable},
    {NULL, NULL},
};
