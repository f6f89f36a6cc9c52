/*
 * A listed type with bytes no listed field covers (src/coverage.c): said at
 * hot_open, in the log, naming the type and the bytes; the library still
 * loads (the layout it does list is checked as before).
 */
#include <string.h>

#include "support.h"
#include "pc_api.h"

TEST(coverage, forgotten_field_warned_at_load)
{
    fx_env e;
    hot_options o;
    hot_lib *lib = NULL;
    log_capture logs;
    struct pc_state s = {41, 0, 0};

    env_init(&e);
    o = env_options(&e);
    log_capture_init(&logs, &o);
    o.log_level = HOT_LOG_WARN;
    install_fixture(&e, "pc_v1");
    ASSERT_HOT_OK(hot_open(&lib, "fx", HOT_IFACE(pc), &o));
    ASSERT_EQ(pc_first(&s), 41);
    ASSERT(log_capture_find(&logs, "interface pc: struct pc_state: bytes 8..15 (8) are in no "
                                   "listed field: a FIELD is missing",
                            1000) >= 0);
    hot_close(lib);
    log_capture_free(&logs);
    env_free(&e);
}

/* A fully listed type says nothing (fx's types have every field). */
TEST(coverage, complete_types_say_nothing)
{
    fx_env e;
    hot_options o;
    hot_lib *lib = NULL;
    log_capture logs;

    env_init(&e);
    o = env_options(&e);
    log_capture_init(&logs, &o);
    o.log_level = HOT_LOG_WARN;
    install_fixture(&e, "fx_v1");
    ASSERT_HOT_OK(hot_open(&lib, "fx", HOT_IFACE(fx), &o));
    ASSERT(log_capture_find(&logs, "in no listed field", 100) < 0);
    hot_close(lib);
    log_capture_free(&logs);
    env_free(&e);
}
