/*
 * Events and waiting: callbacks with versions, holding listeners, the hold
 * timeout, hot_was_updated, hot_wait_reload and hot_versions_held.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

typedef struct scene {
    fx_env env;
    hot_options opts;
    hot_lib *lib;
} scene;

static void scene_open(scene *s, hot_apply_mode apply)
{
    env_init(&s->env);
    s->opts = env_options(&s->env);
    s->opts.apply = apply;
}

static void scene_start(scene *s)
{
    s->lib = env_open(&s->opts);
}

static void scene_close(scene *s)
{
    hot_close(s->lib);
    env_free(&s->env);
}

TEST(events, before_and_after_carry_versions)
{
    scene s;
    recorder rec;
    recorded_event before, after;
    int i;

    scene_open(&s, HOT_APPLY_AT_ONCE);
    scene_start(&s);
    recorder_init(&rec);
    recorder_attach(&rec, s.lib, HOT_EVENT_ALL);
    install_fixture(&s.env, "fx_v2");
    i = recorder_wait(&rec, HOT_EVENT_AFTER_RELOAD, 0, WAIT_MS);
    ASSERT(i >= 1);
    before = recorder_get(&rec, 0);
    after = recorder_get(&rec, i);
    ASSERT_EQ(before.type, HOT_EVENT_BEFORE_RELOAD);
    ASSERT_EQ(before.version, 2);
    ASSERT_EQ(before.from_version, 1);
    ASSERT_EQ(before.error, 0);
    ASSERT_EQ(before.live_value, FX_V1); /* the old build answers until the swap */
    ASSERT_EQ(after.version, 2);
    ASSERT_EQ(after.from_version, 1);
    ASSERT_EQ(after.error, 0);
    ASSERT_EQ(after.live_value, FX_V2);
    ASSERT_EQ(after.live_version, 2);
    ASSERT_CONTAINS(after.message, "reloaded v2");
    ASSERT_EQ(recorder_count(&rec, HOT_EVENT_REFUSED), 0);
    scene_close(&s);
    recorder_free(&rec);
}

/* A refusal does not use up a version number. */
TEST(events, refused_then_loaded)
{
    scene s;
    recorder rec;
    recorded_event ev;
    int i;

    scene_open(&s, HOT_APPLY_AT_ONCE);
    scene_start(&s);
    recorder_init(&rec);
    recorder_attach(&rec, s.lib, HOT_EVENT_ALL);
    install_bytes(&s.env, "not a library", 13);
    i = recorder_wait(&rec, HOT_EVENT_REFUSED, 0, WAIT_MS);
    ASSERT(i >= 0);
    ev = recorder_get(&rec, i);
    ASSERT_EQ(ev.version, 2);
    ASSERT_EQ(ev.from_version, 1);
    ASSERT_HOT_ERR(ev.error, HOT_ENOTLIB);
    ASSERT_STR_EQ(ev.message, hot_errmsg(s.lib));
    ASSERT_EQ(ev.live_value, FX_V1);
    install_fixture(&s.env, "fx_v2");
    i = recorder_wait(&rec, HOT_EVENT_AFTER_RELOAD, 0, WAIT_MS);
    ASSERT(i >= 0);
    ASSERT_EQ(recorder_get(&rec, i).version, 2);
    ASSERT_EQ(hot_version(s.lib), 2);
    scene_close(&s);
    recorder_free(&rec);
}

/* In HOT_APPLY_AT_UPDATE mode the swap, and so its callbacks, happen on
 * the thread calling hot_update. */
TEST(events, callbacks_run_in_hot_update)
{
    scene s;
    recorder rec;
    uint64_t self = (uint64_t)pthread_self();

    scene_open(&s, HOT_APPLY_AT_UPDATE);
    scene_start(&s);
    recorder_init(&rec);
    recorder_attach(&rec, s.lib, HOT_EVENT_BEFORE_RELOAD | HOT_EVENT_AFTER_RELOAD);
    install_fixture(&s.env, "fx_v2");
    wait_for_held(s.lib, 2);
    ASSERT_EQ(recorder_count(&rec, HOT_EVENT_ALL), 0);
    ASSERT_EQ(hot_update(s.lib), 1);
    ASSERT_EQ(recorder_count(&rec, HOT_EVENT_ALL), 2);
    ASSERT(recorder_get(&rec, 0).thread == self);
    ASSERT(recorder_get(&rec, 1).thread == self);
    scene_close(&s);
    recorder_free(&rec);
}

/* A BEFORE_RELOAD callback holds the reload until it returns. */
TEST(events, before_callback_holds_reload)
{
    scene s;
    recorder rec;
    recorded_event before;

    scene_open(&s, HOT_APPLY_AT_ONCE);
    scene_start(&s);
    recorder_init(&rec);
    rec.before_delay_ms = 150;
    recorder_attach(&rec, s.lib, HOT_EVENT_BEFORE_RELOAD);
    install_fixture(&s.env, "fx_v2");
    ASSERT_HOT_OK(hot_wait_reload(s.lib, 1, WAIT_MS));
    before = recorder_get(&rec, 0);
    /* Recorded after the callback slept: still build 1 then. */
    ASSERT_EQ(before.live_value, FX_V1);
    ASSERT_EQ(before.live_version, 1);
    ASSERT_EQ(fx_value(), FX_V2);
    scene_close(&s);
    recorder_free(&rec);
}

/* Installs a build after a delay, from another thread, so that the test
 * thread is already blocked in hot_listener_wait when the event comes. */
typedef struct delayed_install {
    fx_env *env;
    const char *name;
    pthread_t id;
} delayed_install;

static void *install_later(void *arg)
{
    delayed_install *d = arg;

    sleep_ms(50);
    install_fixture(d->env, d->name);
    return NULL;
}

static void start_install_later(delayed_install *d, fx_env *env, const char *name)
{
    d->env = env;
    d->name = name;
    ASSERT_EQ(pthread_create(&d->id, NULL, install_later, d), 0);
}

TEST(events, hold_listener_holds_until_release)
{
    scene s;
    hot_listener *l;
    hot_event ev;
    delayed_install later;

    scene_open(&s, HOT_APPLY_AT_ONCE);
    scene_start(&s);
    ASSERT_HOT_OK(hot_listener_open(&l, s.lib, HOT_EVENT_BEFORE_RELOAD | HOT_EVENT_AFTER_RELOAD, 1));
    start_install_later(&later, &s.env, "fx_v2");
    ASSERT_HOT_OK(hot_listener_wait(l, WAIT_MS, &ev));
    pthread_join(later.id, NULL);
    ASSERT_EQ(ev.type, HOT_EVENT_BEFORE_RELOAD);
    ASSERT_EQ(ev.version, 2);
    sleep_ms(150);
    ASSERT_EQ(fx_value(), FX_V1);
    ASSERT_EQ(hot_version(s.lib), 1);
    ASSERT_HOT_ERR(hot_wait_reload(s.lib, 1, 20), HOT_ETIMEDOUT);
    hot_listener_release(l);
    ASSERT_HOT_OK(hot_wait_reload(s.lib, 1, WAIT_MS));
    ASSERT_EQ(fx_value(), FX_V2);
    ASSERT_HOT_OK(hot_listener_wait(l, WAIT_MS, &ev));
    ASSERT_EQ(ev.type, HOT_EVENT_AFTER_RELOAD);
    ASSERT_EQ(ev.version, 2);
    ASSERT_CONTAINS(ev.message, "reloaded v2");
    hot_listener_close(l);
    scene_close(&s);
}

/* The event is queued before the listener thread gets to wait for it (a
 * busy thread): the reload must stay held until the listener has seen the
 * event and released it, not be released by the wait that fetches it. */
TEST(events, hold_holds_when_event_came_first)
{
    scene s;
    hot_listener *l;
    hot_event ev;

    scene_open(&s, HOT_APPLY_AT_ONCE);
    scene_start(&s);
    ASSERT_HOT_OK(hot_listener_open(&l, s.lib, HOT_EVENT_BEFORE_RELOAD, 1));
    install_fixture(&s.env, "fx_v2");
    sleep_ms(200); /* the watcher has queued BEFORE_RELOAD and holds */
    ASSERT_EQ(fx_value(), FX_V1);
    ASSERT_HOT_OK(hot_listener_wait(l, WAIT_MS, &ev));
    ASSERT_EQ(ev.type, HOT_EVENT_BEFORE_RELOAD);
    sleep_ms(150);
    ASSERT_EQ(fx_value(), FX_V1); /* still held: not released yet */
    hot_listener_release(l);
    ASSERT_HOT_OK(hot_wait_reload(s.lib, 1, WAIT_MS));
    ASSERT_EQ(fx_value(), FX_V2);
    hot_listener_close(l);
    scene_close(&s);
}

/* Waiting again on a holding listener releases the held reload. */
TEST(events, hold_released_by_next_wait)
{
    scene s;
    hot_listener *l;
    hot_event ev;
    delayed_install later;

    scene_open(&s, HOT_APPLY_AT_ONCE);
    scene_start(&s);
    ASSERT_HOT_OK(hot_listener_open(&l, s.lib, HOT_EVENT_ALL, 1));
    start_install_later(&later, &s.env, "fx_v2");
    ASSERT_HOT_OK(hot_listener_wait(l, WAIT_MS, &ev));
    pthread_join(later.id, NULL);
    ASSERT_EQ(ev.type, HOT_EVENT_BEFORE_RELOAD);
    ASSERT_EQ(fx_value(), FX_V1);
    ASSERT_HOT_OK(hot_listener_wait(l, WAIT_MS, &ev));
    ASSERT_EQ(ev.type, HOT_EVENT_AFTER_RELOAD);
    ASSERT_EQ(fx_value(), FX_V2);
    hot_listener_close(l);
    scene_close(&s);
}

/* A holder that never answers delays the reload by hold_timeout_ms, then
 * the reload goes ahead with a warning. */
TEST(events, hold_timeout_lets_reload_go_ahead)
{
    scene s;
    hot_listener *l;
    log_capture logs;
    uint64_t t0, waited;

    scene_open(&s, HOT_APPLY_AT_ONCE);
    s.opts.hold_timeout_ms = 200;
    log_capture_init(&logs, &s.opts);
    scene_start(&s);
    ASSERT_HOT_OK(hot_listener_open(&l, s.lib, HOT_EVENT_BEFORE_RELOAD, 1));
    t0 = now_ms();
    install_fixture(&s.env, "fx_v2");
    ASSERT_HOT_OK(hot_wait_reload(s.lib, 1, WAIT_MS));
    waited = now_ms() - t0;
    harness_note("reload went ahead after %llu ms", (unsigned long long)waited);
    ASSERT_GE(waited, 190);
    ASSERT_EQ(fx_value(), FX_V2);
    ASSERT(log_capture_find(&logs, "held the reload", WAIT_MS) >= 0);
    hot_listener_close(l);
    scene_close(&s);
    log_capture_free(&logs);
}

TEST(events, listener_wait_times_out)
{
    scene s;
    hot_listener *l;
    hot_event ev;
    uint64_t t0;

    scene_open(&s, HOT_APPLY_AT_ONCE);
    scene_start(&s);
    ASSERT_HOT_OK(hot_listener_open(&l, s.lib, HOT_EVENT_ALL, 0));
    t0 = now_ms();
    ASSERT_HOT_ERR(hot_listener_wait(l, 50, &ev), HOT_ETIMEDOUT);
    ASSERT_GE(now_ms() - t0, 45);
    hot_listener_close(l);
    scene_close(&s);
}

typedef struct waiter {
    hot_listener *listener;
    int result;
} waiter;

static void *wait_forever(void *arg)
{
    waiter *w = arg;
    hot_event ev;
    w->result = hot_listener_wait(w->listener, 0, &ev);
    return NULL;
}

/* hot_close wakes a thread blocked on a listener with HOT_ECLOSED. */
TEST(events, close_wakes_listener)
{
    scene s;
    waiter w;
    pthread_t id;

    scene_open(&s, HOT_APPLY_AT_ONCE);
    scene_start(&s);
    ASSERT_HOT_OK(hot_listener_open(&w.listener, s.lib, HOT_EVENT_ALL, 0));
    w.result = 1;
    ASSERT_EQ(pthread_create(&id, NULL, wait_forever, &w), 0);
    sleep_ms(50);
    hot_close(s.lib);
    pthread_join(id, NULL);
    ASSERT_HOT_ERR(w.result, HOT_ECLOSED);
    hot_listener_close(w.listener);
    env_free(&s.env);
}

TEST(events, was_updated_is_one_shot)
{
    scene s;

    scene_open(&s, HOT_APPLY_AT_UPDATE);
    scene_start(&s);
    ASSERT_EQ(hot_was_updated(s.lib), 0);
    install_fixture(&s.env, "fx_v2");
    ASSERT(wait_for_value(s.lib, FX_V2, WAIT_MS));
    ASSERT_EQ(hot_was_updated(s.lib), 1);
    ASSERT_EQ(hot_was_updated(s.lib), 0);
    ASSERT_EQ(hot_was_updated(s.lib), 0);
    scene_close(&s);
}

TEST(events, wait_reload_times_out)
{
    scene s;
    uint64_t t0;

    scene_open(&s, HOT_APPLY_AT_UPDATE);
    scene_start(&s);
    t0 = now_ms();
    ASSERT_HOT_ERR(hot_wait_reload(s.lib, 1, 60), HOT_ETIMEDOUT);
    ASSERT_GE(now_ms() - t0, 55);
    ASSERT_HOT_OK(hot_wait_reload(s.lib, 0, 60)); /* version 1 is newer than 0 */
    scene_close(&s);
}

/* In HOT_APPLY_AT_UPDATE mode the waiting thread is at a safe point and
 * applies the waiting build itself. */
TEST(events, wait_reload_applies_waiting_build)
{
    scene s;

    scene_open(&s, HOT_APPLY_AT_UPDATE);
    scene_start(&s);
    install_fixture(&s.env, "fx_v2");
    ASSERT_HOT_OK(hot_wait_reload(s.lib, 1, WAIT_MS));
    ASSERT_EQ(hot_version(s.lib), 2);
    ASSERT_EQ(fx_value(), FX_V2);
    scene_close(&s);
}

TEST(events, versions_held_counts)
{
    scene s;

    scene_open(&s, HOT_APPLY_AT_UPDATE);
    scene_start(&s);
    ASSERT_EQ(hot_versions_held(s.lib), 1);
    install_fixture(&s.env, "fx_v2");
    wait_for_held(s.lib, 2); /* the parked build counts */
    ASSERT_EQ(hot_update(s.lib), 1);
    ASSERT_EQ(hot_versions_held(s.lib), 2); /* build 1 stays mapped */
    install_fixture(&s.env, "fx_v3");
    wait_for_held(s.lib, 3);
    ASSERT_EQ(hot_update(s.lib), 1);
    ASSERT_EQ(hot_versions_held(s.lib), 3);
    scene_close(&s);
}
