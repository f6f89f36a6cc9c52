/*
 * The smallest useful host: open the library by name, then loop calling it,
 * with hot_update() at the top of each tick, where no library code is on the
 * stack. The counter is the host's state: it lives here, so a reload cannot
 * lose it.
 *
 *   minimal-host LIBRARY_DIR [TICKS]
 *
 * Stops after TICKS ticks (default 400, one every 25 ms) or on SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "minimal-api.h"

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
    long ticks = argc > 2 ? atol(argv[2]) : 400;
    long counter = 0;
    hot_lib *lib;
    int err;

    opts.dir = argc > 1 ? argv[1] : "."; /* looks for <dir>/libminimal.so */
    err = hot_open(&lib, "minimal", HOT_IFACE(minimal), &opts);
    if (err < 0) {
        fprintf(stderr, "minimal: %s: %s\n", hot_errname(err), hot_last_error());
        return 1;
    }
    signal(SIGTERM, request_stop);
    signal(SIGINT, request_stop);
    while (!stop_requested && counter < ticks) {
        if (hot_update(lib) > 0) /* the safe point: a new build swaps in here */
            printf("reloaded: v%lu\n", hot_version(lib));
        counter = minimal_step(counter);
        printf("counter=%ld message=%s\n", counter, minimal_message());
        fflush(stdout); /* the test reads the output while we run */
        sleep_ms(25);
    }
    hot_close(lib);
    printf("stopped at counter=%ld\n", counter);
    return 0;
}
