/*
 * One host, two builds. Built against the runtime it reloads its library;
 * built with HOT_STATIC (library sources compiled in) every hot_* call below
 * compiles to nothing and the calls are direct: the same program, with no
 * runtime and no cost, for a release.
 *
 *   feature-host LIBRARY_DIR TICKS TICK_MS
 *
 * Each tick adds an item to the order and prints the library's description.
 * Stops after TICKS ticks or on SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "feature-api.h"

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

int main(int argc, char **argv)
{
    hot_options opts = HOT_OPTIONS_INIT;
    struct order order = {0, 125};
    long ticks = argc > 2 ? atol(argv[2]) : 10;
    long tick_ms = argc > 3 ? atol(argv[3]) : 0;
    char line[128];
    hot_lib *lib; /* stays NULL in the static build */
    int err;

    opts.dir = argc > 1 ? argv[1] : ".";
    err = hot_open(&lib, "feature", HOT_IFACE(feature), &opts);
    if (err < 0) {
        fprintf(stderr, "feature: %s: %s\n", hot_errname(err), hot_last_error());
        return 1;
    }
    signal(SIGTERM, request_stop);
    while (!stop_requested && order.quantity < ticks) {
        if (hot_update(lib) > 0)
            printf("reloaded: v%lu\n", hot_version(lib));
        order.quantity++;
        feature_describe(&order, line, sizeof line);
        printf("order: %s\n", line);
        fflush(stdout);
        sleep_ms(tick_ms);
    }
    hot_close(lib);
    return 0;
}
