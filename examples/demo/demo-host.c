/*
 * The demo's host. Ticks every 200 ms, printing its counter and the
 * library's message; prints each reload with its timings (from the
 * HOT_EVENT_AFTER_RELOAD event) and each refused build with its reason,
 * while the counter carries on.
 *
 *   demo-host LIBRARY_DIR
 *
 * Stops on SIGTERM or SIGINT (or after 5 minutes).
 */
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "demo-api.h"

#define TICK_MS 200
#define MAX_TICKS (5 * 60 * 1000 / TICK_MS)

static volatile sig_atomic_t stop_requested;

static void request_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* The runtime's own log lines (a refusal is also a warning), in the same
 * stream as ours. */
static void print_log_line(hot_log_level level, const char *line, void *userdata)
{
    (void)level;
    (void)userdata;
    printf("[log] %s\n", line);
}

/* AFTER runs in hot_update() on the main thread; REFUSED on the watcher
 * thread, as soon as the bad build is seen. */
static void print_event(const hot_event *ev, void *userdata)
{
    (void)userdata;
    if (ev->type == HOT_EVENT_AFTER_RELOAD)
        printf("[reload] v%lu in %.2f ms (copy %.2f, load %.2f, verify %.2f, publish %.3f)\n",
               ev->version, ev->copy_ms + ev->load_ms + ev->verify_ms + ev->publish_ms,
               ev->copy_ms, ev->load_ms, ev->verify_ms, ev->publish_ms);
    else if (ev->type == HOT_EVENT_REFUSED)
        printf("[refused] %s (%s); v%lu goes on\n", ev->message, hot_errname(ev->error),
               ev->from_version);
}

int main(int argc, char **argv)
{
    hot_options opts = HOT_OPTIONS_INIT;
    struct demo_state state = {0, 0};
    hot_lib *lib;
    long step;
    int err;

    setvbuf(stdout, NULL, _IOLBF, 0); /* two threads print */
    opts.dir = argc > 1 ? argv[1] : ".";
    opts.log_fn = print_log_line;
    err = hot_open(&lib, "demo", HOT_IFACE(demo), &opts);
    if (err < 0) {
        fprintf(stderr, "demo: %s: %s\n", hot_errname(err), hot_last_error());
        return 1;
    }
    err = hot_on_event(lib, HOT_EVENT_AFTER_RELOAD | HOT_EVENT_REFUSED, print_event, NULL);
    if (err < 0) {
        fprintf(stderr, "demo: hot_on_event: %s\n", hot_strerror(err));
        hot_close(lib);
        return 1;
    }
    printf("[open] v1 from %s\n", hot_path(lib));
    signal(SIGTERM, request_stop);
    signal(SIGINT, request_stop);
    while (!stop_requested && state.ticks < MAX_TICKS) {
        hot_update(lib);
        step = demo_step(&state);
        printf("[tick %ld] counter=%ld (+%ld) %s\n", state.ticks, state.counter, step,
               demo_message());
        sleep_ms(TICK_MS);
    }
    hot_close(lib);
    printf("[stop] counter=%ld after %ld ticks\n", state.counter, state.ticks);
    return 0;
}
