/*
 * @NAME@: the host. It owns the state and calls the hot library (logic.c)
 * once per tick; the hotreload runtime swaps in each rebuilt library between
 * two ticks, and the state carries on.
 *
 *   ./@NAME@ [--interval MS] [--ticks N]
 *
 * State across restarts: the host keeps its state with hot_keep_object().
 * Under `hotreload run`, hot_close() saves it, and the next run's host gets
 * it back field by field name, even after struct state changed: a new
 * field starts from its initial value here, a removed one is dropped.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logic.h"

struct settings {
    unsigned interval_ms; /* time between two ticks */
    long max_ticks;       /* stop after this many ticks of this run; 0: never */
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    stop_signal = sig;
}

static void catch_stop_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

static int parse_settings(int argc, char **argv, struct settings *s)
{
    int i;

    s->interval_ms = 100;
    s->max_ticks = 0;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--interval") == 0 && i + 1 < argc) {
            s->interval_ms = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--ticks") == 0 && i + 1 < argc) {
            s->max_ticks = strtol(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "usage: %s [--interval MS] [--ticks N]\n", argv[0]);
            return -1;
        }
    }
    if (s->interval_ms == 0)
        s->interval_ms = 1;
    return 0;
}

/* liblogic.so sits next to the program (make and CMake both put it there);
 * the runtime finds it there from any working directory. */
static int open_logic(hot_lib **lib)
{
    hot_options opts = HOT_OPTIONS_INIT;
    int err;

    opts.guard_timeout_ms = 2000; /* say so when a tick never returns */
    err = hot_open(lib, "logic", HOT_IFACE(logic), &opts);
    if (err < 0)
        fprintf(stderr, "@NAME@: %s\n", hot_last_error());
    return err;
}

/* Sleeps until the next tick, waking at once when a new version of the
 * library answers calls, so an edit shows without waiting for the tick. */
static void wait_for_tick(hot_lib *lib, unsigned interval_ms)
{
    struct timespec pause;

    if (lib) {
        hot_update(lib);
        hot_wait_reload(lib, hot_version(lib), interval_ms);
        return;
    }
    /* A HOT_STATIC build has no runtime and nothing to wait for. */
    pause.tv_sec = interval_ms / 1000;
    pause.tv_nsec = (long)(interval_ms % 1000) * 1000000L;
    nanosleep(&pause, NULL);
}

int main(int argc, char **argv)
{
    struct settings settings;
    struct state state = {0};
    hot_lib *lib = NULL;
    long run_ticks = 0;

    if (parse_settings(argc, argv, &settings) < 0)
        return 2;
    catch_stop_signals();
    if (open_logic(&lib) < 0)
        return 1;
    /* after its initial values: a restart fills it from the last run */
    if (hot_keep_object(lib, "struct state", &state) < 0)
        fprintf(stderr, "@NAME@: %s\n", hot_errmsg(lib));
    while (!stop_signal && (settings.max_ticks == 0 || run_ticks < settings.max_ticks)) {
        logic_tick(&state);
        run_ticks++;
        wait_for_tick(lib, settings.interval_ms);
    }
    hot_close(lib); /* saves the kept state under hotreload run */
    return 0;
}
