/*
 * Noticing new builds and applying them: both apply modes, the watch modes
 * (inotify, polling, none, and falling back to polling), rebuilds that
 * change nothing, builds close together, and unloading old versions.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

TEST(watch, apply_at_update)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;

    env_init(&e);
    o = env_options(&e);
    o.apply = HOT_APPLY_AT_UPDATE;
    lib = env_open(&o);
    install_fixture(&e, "fx_v2");
    wait_for_held(lib, 2);
    sleep_ms(TEST_SETTLE_MS * 2); /* nothing else may swap it meanwhile */
    ASSERT_EQ(fx_value(), FX_V1);
    ASSERT_EQ(hot_version(lib), 1);
    ASSERT_EQ(hot_was_updated(lib), 0);
    ASSERT_EQ(hot_update(lib), 1);
    ASSERT_EQ(fx_value(), FX_V2);
    ASSERT_EQ(hot_version(lib), 2);
    ASSERT_EQ(hot_update(lib), 0);
    hot_close(lib);
    env_free(&e);
}

TEST(watch, apply_at_once)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;

    env_init(&e);
    o = env_options(&e);
    o.apply = HOT_APPLY_AT_ONCE;
    lib = env_open(&o);
    install_fixture(&e, "fx_v2");
    /* In this mode waiting applies nothing: the watcher swapped. */
    ASSERT_HOT_OK(hot_wait_reload(lib, 1, WAIT_MS));
    ASSERT_EQ(fx_value(), FX_V2);
    ASSERT_EQ(hot_version(lib), 2);
    ASSERT_EQ(hot_update(lib), 0);
    hot_close(lib);
    env_free(&e);
}

TEST(watch, poll_mode)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;

    env_init(&e);
    o = env_options(&e);
    o.watch = HOT_WATCH_POLL;
    lib = env_open(&o);
    install_fixture(&e, "fx_v2");
    ASSERT(wait_for_value(lib, FX_V2, WAIT_MS));
    install_fixture(&e, "fx_v3");
    ASSERT(wait_for_value(lib, FX_V3, WAIT_MS));
    ASSERT_EQ(hot_version(lib), 3);
    hot_close(lib);
    env_free(&e);
}

/* Rewrites libfx.so in place (same inode) with a patched build. */
static void rewrite_in_place(fx_env *e, long value)
{
    size_t len;
    unsigned char *buf = patched_build(value, &len);
    int fd = open(e->lib, O_WRONLY | O_TRUNC);

    ASSERT(fd >= 0);
    ASSERT_EQ(write(fd, buf, len), (long long)len);
    ASSERT_EQ(close(fd), 0);
    free(buf);
}

/* Same inode, same size: only the times and the bytes differ. */
static void check_in_place_rewrites(hot_watch_mode mode)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;

    env_init(&e);
    o = env_options(&e);
    o.watch = mode;
    lib = env_open(&o);
    rewrite_in_place(&e, 1);
    ASSERT(wait_for_value(lib, FX_PATCH_BASE + 1, WAIT_MS));
    rewrite_in_place(&e, 2);
    ASSERT(wait_for_value(lib, FX_PATCH_BASE + 2, WAIT_MS));
    ASSERT_EQ(hot_version(lib), 3);
    hot_close(lib);
    env_free(&e);
}

TEST(watch, in_place_rewrites_notify)
{
    check_in_place_rewrites(HOT_WATCH_NOTIFY);
}

TEST(watch, in_place_rewrites_poll)
{
    check_in_place_rewrites(HOT_WATCH_POLL);
}

TEST(watch, none_mode_reloads_only_when_asked)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;

    env_init(&e);
    o = env_options(&e);
    o.watch = HOT_WATCH_NONE;
    lib = env_open(&o);
    install_fixture(&e, "fx_v2");
    sleep_ms(TEST_SETTLE_MS * 3);
    ASSERT_EQ(hot_update(lib), 0);
    ASSERT_EQ(fx_value(), FX_V1);
    ASSERT_EQ(hot_versions_held(lib), 1);
    ASSERT_EQ(hot_reload_now(lib), 1);
    ASSERT_EQ(fx_value(), FX_V2);
    ASSERT_EQ(hot_reload_now(lib), 0);
    hot_close(lib);
    env_free(&e);
}

/* No inotify (forced through the seam): the handle polls instead, says so,
 * and still sees new builds. */
TEST(watch, inotify_failure_falls_back_to_polling)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    log_capture logs;

    env_init(&e);
    o = env_options(&e);
    o.watch = HOT_WATCH_NOTIFY;
    log_capture_init(&logs, &o);
    seam_fail_inotify(EMFILE);
    lib = env_open(&o);
    ASSERT(log_capture_find(&logs, "polling every", 0) >= 0);
    install_fixture(&e, "fx_v2");
    ASSERT(wait_for_value(lib, FX_V2, WAIT_MS));
    hot_close(lib);
    seam_reset();
    log_capture_free(&logs);
    env_free(&e);
}

/* The same bytes written again: nothing reloads, nothing is refused. */
TEST(watch, noop_rebuild)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    log_capture logs;
    recorder rec;

    env_init(&e);
    o = env_options(&e);
    o.log_level = HOT_LOG_DEBUG;
    unsetenv("HOTRELOAD_LOG");
    log_capture_init(&logs, &o);
    lib = env_open(&o);
    recorder_init(&rec);
    recorder_attach(&rec, lib, HOT_EVENT_ALL);
    install_fixture(&e, "fx_v1");
    ASSERT(log_capture_find(&logs, "content unchanged", WAIT_MS) >= 0);
    ASSERT_EQ(hot_update(lib), 0);
    ASSERT_EQ(hot_reload_now(lib), 0);
    ASSERT_EQ(hot_version(lib), 1);
    ASSERT_EQ(hot_was_updated(lib), 0);
    ASSERT_EQ(hot_versions_held(lib), 1);
    ASSERT_EQ(recorder_count(&rec, HOT_EVENT_ALL), 0);
    ASSERT_EQ(count_copies(e.shadow), 1);
    hot_close(lib);
    recorder_free(&rec);
    log_capture_free(&logs);
    env_free(&e);
}

/* Two builds well within one second are both loaded, in order. */
static void check_builds_in_one_second(hot_watch_mode mode)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    recorder rec;
    uint64_t t0;
    int i;

    env_init(&e);
    o = env_options(&e);
    o.watch = mode;
    o.apply = HOT_APPLY_AT_ONCE;
    lib = env_open(&o);
    recorder_init(&rec);
    recorder_attach(&rec, lib, HOT_EVENT_AFTER_RELOAD);
    t0 = now_ms();
    install_fixture(&e, "fx_v2");
    ASSERT_HOT_OK(hot_wait_reload(lib, 1, WAIT_MS));
    install_fixture(&e, "fx_v3");
    ASSERT_HOT_OK(hot_wait_reload(lib, 2, WAIT_MS));
    harness_note("two builds loaded in %llu ms", (unsigned long long)(now_ms() - t0));
    ASSERT_EQ(fx_value(), FX_V3);
    i = recorder_wait(&rec, HOT_EVENT_AFTER_RELOAD, 0, WAIT_MS);
    ASSERT_EQ(recorder_get(&rec, i).version, 2);
    i = recorder_wait(&rec, HOT_EVENT_AFTER_RELOAD, i + 1, WAIT_MS);
    ASSERT(i >= 0);
    ASSERT_EQ(recorder_get(&rec, i).version, 3);
    hot_close(lib);
    recorder_free(&rec);
    env_free(&e);
}

TEST(watch, two_builds_same_second_notify)
{
    check_builds_in_one_second(HOT_WATCH_NOTIFY);
}

TEST(watch, two_builds_same_second_poll)
{
    check_builds_in_one_second(HOT_WATCH_POLL);
}

/* ---- Old versions ------------------------------------------------------- */

TEST(retire, old_versions_stay_mapped_by_default)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;

    env_init(&e);
    o = env_options(&e);
    lib = env_open(&o);
    install_fixture(&e, "fx_v2");
    ASSERT(wait_for_value(lib, FX_V2, WAIT_MS));
    install_fixture(&e, "fx_v3");
    ASSERT(wait_for_value(lib, FX_V3, WAIT_MS));
    ASSERT_EQ(hot_versions_held(lib), 3);
    ASSERT_EQ(count_loaded_under(e.shadow), 3);
    ASSERT_EQ(hot_quiescent(lib), 0);
    ASSERT_EQ(hot_versions_held(lib), 3);
    hot_close(lib);
    ASSERT_EQ(count_loaded_under(e.shadow), 0);
    env_free(&e);
}

/* A second thread that calls hot_update too. */
typedef struct second_thread {
    hot_lib *lib;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int step; /* 0 -> 1: registered; 2: go again; 3: done */
} second_thread;

static void set_step(second_thread *t, int step)
{
    pthread_mutex_lock(&t->mu);
    t->step = step;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->mu);
}

static void wait_step(second_thread *t, int step)
{
    pthread_mutex_lock(&t->mu);
    while (t->step < step)
        pthread_cond_wait(&t->cond, &t->mu);
    pthread_mutex_unlock(&t->mu);
}

static void *second_thread_main(void *arg)
{
    second_thread *t = arg;

    hot_update(t->lib);
    set_step(t, 1);
    wait_step(t, 2);
    hot_update(t->lib);
    set_step(t, 3);
    return NULL;
}

/* opts.unload_retired: build 1 is unloaded only once both threads that call
 * hot_update have passed one after the swap. */
TEST(retire, unload_after_every_thread_passed)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    second_thread t;
    pthread_t id;

    env_init(&e);
    o = env_options(&e);
    o.unload_retired = 1;
    lib = env_open(&o);
    memset(&t, 0, sizeof t);
    t.lib = lib;
    pthread_mutex_init(&t.mu, NULL);
    pthread_cond_init(&t.cond, NULL);
    ASSERT_EQ(pthread_create(&id, NULL, second_thread_main, &t), 0);
    wait_step(&t, 1);
    hot_update(lib);
    install_fixture(&e, "fx_v2");
    wait_for_held(lib, 2);
    ASSERT_EQ(hot_update(lib), 1);
    ASSERT_EQ(fx_value(), FX_V2);
    let_the_watcher_retire();
    ASSERT_EQ(hot_versions_held(lib), 2); /* the other thread may be in build 1 */
    ASSERT_EQ(count_loaded_under(e.shadow), 2);
    set_step(&t, 2);
    wait_step(&t, 3);
    wait_for_held(lib, 1);
    ASSERT_EQ(count_loaded_under(e.shadow), 1);
    ASSERT_EQ(fx_value(), FX_V2);
    pthread_join(id, NULL);
    hot_close(lib);
    pthread_cond_destroy(&t.cond);
    pthread_mutex_destroy(&t.mu);
    env_free(&e);
}
