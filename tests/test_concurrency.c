/*
 * Calls racing swaps: four threads call hot functions in a tight loop while
 * the watcher swaps in a hundred builds. Every answer must come from a real
 * build, no thread may see an older build after a newer one, and a call
 * that entered build N must return build N's value (its code stays mapped
 * while it runs).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

enum { CALLERS = 4, SWAPS = 100 };

typedef struct caller {
    pthread_t id;
    hot_lib *lib;
    int *stop;            /* atomic */
    long calls;
    long last_value;
    unsigned long last_version;
} caller;

static int is_valid_value(long v)
{
    return v == FX_V1 || (v > FX_PATCH_BASE && v <= FX_PATCH_BASE + SWAPS);
}

static void *caller_main(void *arg)
{
    caller *c = arg;
    struct fx_state st;

    c->last_value = FX_V1;
    for (;;) {
        /* Read before the call: once stop is set, the last build is in. */
        int stopping = __atomic_load_n(c->stop, __ATOMIC_ACQUIRE);
        long v = fx_value(), left;
        unsigned long version = hot_version(c->lib);

        if (!is_valid_value(v))
            FAIL("fx_value() = %ld: no build returns that", v);
        if (v < c->last_value)
            FAIL("fx_value() went back from %ld to %ld", c->last_value, v);
        if (version < c->last_version)
            FAIL("hot_version() went back from %lu to %lu", c->last_version, version);
        c->last_value = v;
        c->last_version = version;
        memset(&st, 0, sizeof st);
        left = fx_probe(&st, 200);
        if (left != st.counter)
            FAIL("fx_probe entered build %d and returned %ld", st.counter, left);
        c->calls++;
        if (stopping && v == FX_PATCH_BASE + SWAPS)
            break;
    }
    return NULL;
}

static void install_patched(fx_env *e, long value)
{
    size_t len;
    unsigned char *buf = patched_build(value, &len);

    install_bytes(e, buf, len);
    free(buf);
}

TEST(concurrency, calls_during_swaps)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    caller callers[CALLERS];
    int stop = 0, i;
    long total = 0;

    env_init(&e);
    o = env_options(&e);
    o.apply = HOT_APPLY_AT_ONCE; /* the watcher swaps under the callers */
    lib = env_open(&o);
    memset(callers, 0, sizeof callers);
    for (i = 0; i < CALLERS; i++) {
        callers[i].lib = lib;
        callers[i].stop = &stop;
        ASSERT_EQ(pthread_create(&callers[i].id, NULL, caller_main, &callers[i]), 0);
    }
    for (i = 1; i <= SWAPS; i++) {
        install_patched(&e, i);
        if (hot_wait_reload(lib, (unsigned long)i, WAIT_MS) != 0)
            FAIL("swap %d did not happen (errmsg: %s)", i, hot_errmsg(lib));
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    for (i = 0; i < CALLERS; i++) {
        pthread_join(callers[i].id, NULL);
        total += callers[i].calls;
        ASSERT_GT(callers[i].calls, 0);
        ASSERT_EQ(callers[i].last_value, FX_PATCH_BASE + SWAPS);
    }
    harness_note("%ld calls during %d swaps", total, SWAPS);
    ASSERT_EQ(hot_version(lib), SWAPS + 1);
    ASSERT_EQ(fx_value(), FX_PATCH_BASE + SWAPS);
    hot_close(lib);
    env_free(&e);
}
