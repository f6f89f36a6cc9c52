/*
 * Rollback hardening that needs the runtime's internals (the rest is in
 * tests/state/cases_hard.c): per-thread guard records.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "gx_api.h"
#include "internal.h"
#include "support.h"

static void *one_guarded_call(void *arg)
{
    *(long *)arg = gx_value();
    return NULL;
}

/* A thread-per-task program: each task's thread makes a guarded call and
 * exits. Its guard record goes with it (it used to stay for ever). */
TEST(harden_rollback, thread_records_freed_at_exit)
{
    hot_options o;
    hot_lib *lib = NULL;
    fx_env e;
    char path[400];
    unsigned char *buf;
    size_t len;
    int i;

    env_init(&e);
    o = env_options(&e);
    buf = read_whole(fixture("gx_v1"), &len);
    snprintf(path, sizeof path, "%s/libgx.so", e.dir);
    write_whole(path, buf, len);
    free(buf);
    ASSERT_EQ(hot_open(&lib, "gx", HOT_IFACE(gx), &o), 0);
    for (i = 0; i < 300; i++) {
        long value = 0;
        pthread_t t;

        ASSERT_EQ(pthread_create(&t, NULL, one_guarded_call, &value), 0);
        ASSERT_EQ(pthread_join(t, NULL), 0);
        ASSERT_EQ(value, 1);
    }
    ASSERT_LE(hot__guard_thread_records(), 1);
    ASSERT_EQ(gx_value(), 1); /* the main thread's record stays while it lives */
    ASSERT_EQ(hot__guard_thread_records(), 1);
    hot_close(lib);
    env_free(&e);
}
