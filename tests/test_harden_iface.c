/*
 * The interface and its checks (issue 7 items 8, 9, 10): what the compiler
 * knew about each signature's types, C++ libraries keeping variables, the
 * host's ABI, and older callers' options and event structs.
 */
#include <stdlib.h>

#include "rx_api.h"
#include "support.h"

static hot_lib *open_file(const char *file, const hot_interface *iface, int *err)
{
    hot_options o = HOT_OPTIONS_INIT;
    hot_lib *lib = NULL;

    o.watch = HOT_WATCH_NONE;
    *err = hot_open(&lib, file, iface, &o);
    return lib;
}

/* ---- Item 8: a typedef changed behind the same text --------------------- */

TEST(layout, same_typedef_accepted)
{
    int err;
    hot_lib *lib = open_file(fixture("rx_float"), HOT_IFACE(rx), &err);

    ASSERT_HOT_OK(err);
    ASSERT(rx_half(3.0f) == 1.5f);
    ASSERT_EQ(rx_floor(2.5f), 2);
    hot_close(lib);
}

TEST(layout, typedef_changed_refused)
{
    hot_library_info *info;
    char reasons[2048];
    int err;
    hot_lib *lib = open_file(fixture("rx_double"), HOT_IFACE(rx), &err);

    /* Was: accepted ("real (real)" both sides), and rx_half returned garbage. */
    ASSERT(lib == NULL);
    ASSERT_EQ(err, HOT_EMISMATCH);
    ASSERT_CONTAINS(hot_last_error(), "rx_half: return value size changed: 4 -> 8 bytes");
    ASSERT_CONTAINS(hot_last_error(), "typedef or macro");
    ASSERT_HOT_OK(hot_inspect(&info, fixture("rx_double")));
    ASSERT_EQ(hot_manifest_compare(HOT_IFACE(rx)->expected, hot_info_manifest(info), 0, reasons,
                                   sizeof reasons),
              HOT_EMISMATCH);
    ASSERT_CONTAINS(reasons, "rx_floor: parameter 1 size changed: 4 -> 8 bytes");
    hot_info_free(info);
}

TEST(layout, recorded_in_manifest)
{
    const hot_fn_desc *f = &HOT_IFACE(fx)->expected->fns[1]; /* fx_step */

    ASSERT_STR_EQ(f->name, "fx_step");
    ASSERT_EQ(f->n_params, 2);
    ASSERT_EQ(f->layout[0].size, sizeof(long));
    ASSERT_EQ(f->layout[1].size, sizeof(struct fx_state *));
    ASSERT_EQ(f->layout[2].size, sizeof(float));
    ASSERT_EQ(f->layout[2].align, __alignof__(float));
    ASSERT_EQ(HOT_IFACE(fx)->expected->fns[0].n_params, 0); /* fx_value (void) */
    ASSERT_EQ(HOT_IFACE(fx)->expected->fns[3].layout[0].size, 0); /* fx_reset: void */
}

/* ---- Item 9: C++ libraries ---------------------------------------------- */

TEST(cxx, keep_across_reload)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;

    if (!path_exists(fixture("fx_cxx_v1")))
        SKIP("no C++ compiler: the C++ fixture was not built");
    env_init(&e);
    install_fixture(&e, "fx_cxx_v1");
    o = env_options(&e);
    lib = env_open(&o);
    ASSERT_EQ(fx_value(), 1);
    ASSERT_EQ(fx_twice(5), 5);
    ASSERT_EQ(fx_twice(2), 7);
    install_fixture(&e, "fx_cxx_v2");
    ASSERT(wait_for_value(lib, 2, WAIT_MS));
    ASSERT_EQ(fx_twice(1), 8); /* was 1: the mangled accessor was never found */
    hot_close(lib);
    env_free(&e);
}

/* ---- Item 10: ABI and older callers ------------------------------------- */

/* A host compiled for ABI 999 loading a library of ABI 999: the library
 * agrees with it, the runtime does not. */
TEST(abi, host_claims_other_abi)
{
    hot_manifest claimed = *HOT_IFACE(fx)->expected;
    hot_fn *volatile table = HOT_IFACE(fx)->traps;
    hot_interface iface;
    int err;
    hot_lib *lib;

    claimed.abi = 999;
    iface.expected = &claimed;
    iface.slot = &table;
    iface.traps = HOT_IFACE(fx)->traps;
    lib = open_file(fixture("fx_abi999"), &iface, &err);
    ASSERT(lib == NULL); /* was: accepted, manifests read with the wrong layout */
    ASSERT_EQ(err, HOT_EABI);
    ASSERT_CONTAINS(hot_last_error(), "host built for hotreload ABI 999");
    ASSERT_CONTAINS(hot_last_error(), "this runtime is ABI " HOT__STR(HOT_ABI_VERSION));
}

/* A caller built against an older header: its options end before
 * log_level. What follows in memory is not its: poisoned here. */
TEST(abi, older_options_struct)
{
    size_t older = offsetof(hot_options, log_level);
    unsigned char *buf = malloc(sizeof(hot_options) + 64);
    fx_env e;
    hot_options o;
    hot_lib *lib = NULL;

    ASSERT(buf != NULL);
    env_init(&e);
    o = env_options(&e);
    memset(buf, 0xa5, sizeof(hot_options) + 64); /* a log_fn read from here crashes */
    memcpy(buf, &o, older);
    ASSERT_HOT_OK(hot__open(&lib, "fx", HOT_IFACE(fx), (const hot_options *)buf, older));
    ASSERT_EQ(fx_value(), FX_V1);
    install_fixture(&e, "fx_v2");
    ASSERT(wait_for_value(lib, FX_V2, WAIT_MS));
    hot_close(lib);
    free(buf);
    env_free(&e);
}

TEST(abi, newer_options_version_refused)
{
    fx_env e;
    hot_options o;
    hot_lib *lib = NULL;

    env_init(&e);
    o = env_options(&e);
    o.version = HOT_OPTIONS_VERSION + 1;
    ASSERT_HOT_ERR(hot_open(&lib, "fx", HOT_IFACE(fx), &o), HOT_EINVAL);
    ASSERT_CONTAINS(hot_last_error(), "newer than this runtime's");
    env_free(&e);
}

/* A listener built against an older header: its hot_event ends before
 * the timings; the runtime must not write past it. */
TEST(abi, older_event_struct)
{
    size_t older = offsetof(hot_event, copy_ms);
    unsigned char buf[sizeof(hot_event) + 32];
    const hot_event *ev = (const hot_event *)(void *)buf;
    fx_env e;
    hot_options o;
    hot_lib *lib;
    hot_listener *l;
    size_t i;

    env_init(&e);
    o = env_options(&e);
    o.apply = HOT_APPLY_AT_ONCE;
    lib = env_open(&o);
    ASSERT_HOT_OK(hot_listener_open(&l, lib, HOT_EVENT_AFTER_RELOAD, 0));
    memset(buf, 0x5a, sizeof buf);
    install_fixture(&e, "fx_v2");
    ASSERT_HOT_OK(hot__listener_wait(l, WAIT_MS, (hot_event *)(void *)buf, older));
    ASSERT_EQ(ev->type, HOT_EVENT_AFTER_RELOAD);
    ASSERT_EQ(ev->version, 2);
    for (i = older; i < sizeof buf; i++)
        if (buf[i] != 0x5a)
            FAIL("byte %zu past the caller's %zu-byte event was written", i, older);
    hot_listener_close(l);
    hot_close(lib);
    env_free(&e);
}

/* hotreload check reads the manifest it inspects: one of another ABI has
 * another layout past its first two fields, and is not read. */
TEST(abi, inspect_other_abi)
{
    hot_library_info *info = NULL;

    ASSERT_HOT_ERR(hot_inspect(&info, fixture("fx_abi999")), HOT_EABI);
    ASSERT(info == NULL);
    ASSERT_CONTAINS(hot_last_error(), "built for hotreload ABI 999");
}
