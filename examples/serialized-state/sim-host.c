/*
 * Carrying library-owned state across a reload whose layout changes.
 *
 * The host holds the state as an opaque blob. A HOT_EVENT_BEFORE_RELOAD
 * callback asks the old version to serialise itself (the old code still
 * answers calls then); the HOT_EVENT_AFTER_RELOAD callback hands the blob to
 * the new version. Both run on the thread calling hot_update(), at its safe
 * point, so no step runs in between.
 *
 *   sim-host LIBRARY_DIR
 *
 * Ticks every 25 ms until SIGTERM (or 400 ticks).
 */
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "sim-api.h"

struct blob {
    char bytes[1024];
    size_t len;
};

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

/* The blob on one line, for the log: "sim 1 | ticks 3 | ...". */
static void print_blob(const char *what, const struct blob *b)
{
    size_t i;

    printf("%s: ", what);
    for (i = 0; i < b->len; i++) {
        if (b->bytes[i] != '\n')
            putchar(b->bytes[i]);
        else if (i + 1 < b->len)
            fputs(" | ", stdout);
    }
    putchar('\n');
}

static void carry_state(const hot_event *ev, void *userdata)
{
    struct blob *b = userdata;

    if (ev->type == HOT_EVENT_BEFORE_RELOAD) {
        b->len = sim_save(b->bytes, sizeof b->bytes); /* the old version */
        print_blob("saved", b);
    } else if (b->len > 0) {
        int format = sim_load(b->bytes, b->len); /* the new version */
        if (format > 0)
            printf("loaded: format %d into v%lu\n", format, ev->version);
        else
            printf("load refused: v%lu cannot read this blob; it starts fresh\n", ev->version);
        b->len = 0;
    }
}

int main(int argc, char **argv)
{
    hot_options opts = HOT_OPTIONS_INIT;
    struct blob blob = {"", 0};
    char line[160];
    hot_lib *lib;
    int ticks, err;

    setvbuf(stdout, NULL, _IOLBF, 0);
    opts.dir = argc > 1 ? argv[1] : ".";
    err = hot_open(&lib, "sim", HOT_IFACE(sim), &opts);
    if (err < 0) {
        fprintf(stderr, "sim: %s: %s\n", hot_errname(err), hot_last_error());
        return 1;
    }
    err = hot_on_event(lib, HOT_EVENT_BEFORE_RELOAD | HOT_EVENT_AFTER_RELOAD, carry_state,
                       &blob);
    if (err < 0) {
        fprintf(stderr, "sim: hot_on_event: %s\n", hot_strerror(err));
        hot_close(lib);
        return 1;
    }
    signal(SIGTERM, request_stop);
    for (ticks = 0; !stop_requested && ticks < 400; ticks++) {
        if (hot_update(lib) > 0)
            printf("reloaded: v%lu\n", hot_version(lib));
        sim_step();
        sim_describe(line, sizeof line);
        puts(line);
        sleep_ms(25);
    }
    hot_close(lib);
    return 0;
}
