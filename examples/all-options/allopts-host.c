/*
 * Every field of hot_options, set and explained, and what each one does
 * that a program can see.
 *
 *   allopts-host LIBRARY_DIR SHADOW_DIR [WAIT]
 *
 * Opens liballopts.so, prints where it came from and the shadow copy's name,
 * then (unless WAIT is 0) waits up to 5 s for a reload and prints them again.
 * ALLOPTS_LIBRARY=/some/file.so loads that file instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allopts-api.h"

static const char *level_name(hot_log_level level)
{
    static const char *const names[] = { "off", "error", "warn", "info", "debug", "trace" };
    return level <= HOT_LOG_TRACE ? names[level] : "?";
}

/* The runtime's log lines, here instead of stderr. May run on the watcher
 * thread: stdout is line-buffered so lines from two threads stay whole. */
static void print_log_line(hot_log_level level, const char *line, void *userdata)
{
    const char *prefix = userdata;
    printf("%s %s: %s\n", prefix, level_name(level), line);
}

static void fill_options(hot_options *o, const char *dir, const char *shadow_dir)
{
    /* o->version is HOT_OPTIONS_VERSION, from HOT_OPTIONS_INIT: it tells the
     * runtime which fields this program knows. */
    o->dir = dir;               /* "allopts" resolves to <dir>/liballopts.so */
    o->shadow_dir = shadow_dir; /* copies go here, not $TMPDIR/hotreload-<uid> */
    /* Each version is loaded from a uniquely named copy (dlopen of a name it
     * saw before returns the old code). The suffix .so is kept. */
    o->shadow_name = "{lib_name}-copy{load_counter}-pid{pid}-{uuid}";
    o->settle_ms = 30;                   /* polling sees a change, not a finished file:
                                    load once it has been quiet this long */
    o->poll_ms = 20;                     /* how often to stat the file */
    o->watch = HOT_WATCH_POLL;           /* stat instead of inotify (network mounts) */
    o->apply = HOT_APPLY_AT_ONCE;        /* the watcher swaps at once: this program
                                    has no loop with a safe point to do it */
    o->env_override = "ALLOPTS_LIBRARY"; /* instead of HOTRELOAD_LIB_ALLOPTS */
    o->log_level = HOT_LOG_INFO;         /* loads and reloads; HOTRELOAD_LOG wins */
    o->log_fn = print_log_line;
    o->log_userdata = "log";
    o->hold_timeout_ms = 2000; /* a holding listener may delay a reload at
                                    most this long (none here) */
    o->unload_retired = 1;     /* unload old versions once every thread
                                    that reports safe points has passed one */
    o->ignore_compiler = 0;    /* refuse a library built by another compiler */
}

static void print_loaded(const hot_lib *lib)
{
    const char *copy = hot_loaded_path(lib);
    const char *slash = strrchr(copy, '/');

    printf("version: %lu\n", hot_version(lib));
    printf("copy dir: %.*s\n", slash ? (int)(slash - copy) : 0, copy);
    printf("copy: %s\n", slash ? slash + 1 : copy);
    printf("message: %s\n", allopts_message());
}

/* AT_ONCE: the watcher does the swap; this thread only waits for it. */
static int wait_for_reload(hot_lib *lib)
{
    unsigned long since = hot_version(lib); /* before the test sees the line */
    char old_copy[1024];
    int err, waited_ms;

    /* Copied: hot_loaded_path() is valid only until the next reload. */
    snprintf(old_copy, sizeof old_copy, "%s", hot_loaded_path(lib));
    printf("waiting for a reload\n");
    err = hot_wait_reload(lib, since, 5000);
    if (err < 0) {
        printf("no reload: %s\n", hot_strerror(err));
        return 1;
    }
    print_loaded(lib);
    /* v1 is still mapped: a thread might be inside it. This thread is not,
     * and it is the only one reporting safe points: v1 can go now
     * (unload_retired), and its copy with it. The watcher thread unloads it
     * a few milliseconds later, so that this call never waits for dlclose. */
    hot_quiescent(lib);
    for (waited_ms = 0; hot_versions_held(lib) > 1 && waited_ms < 2000; waited_ms++)
        usleep(1000);
    printf("versions held: %u\n", hot_versions_held(lib));
    printf("v1 copy on disk: %s\n", access(old_copy, F_OK) == 0 ? "yes" : "no");
    return 0;
}

int main(int argc, char **argv)
{
    hot_options opts = HOT_OPTIONS_INIT;
    int wait = argc > 3 ? atoi(argv[3]) : 1;
    hot_lib *lib;
    int err, status = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: allopts-host LIBRARY_DIR SHADOW_DIR [WAIT]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    fill_options(&opts, argv[1], argv[2]);
    err = hot_open(&lib, "allopts", HOT_IFACE(allopts), &opts);
    if (err < 0) {
        printf("open failed: %s: %s\n", hot_errname(err), hot_last_error());
        return 1;
    }
    printf("pid: %ld\n", (long)getpid());
    printf("path: %s\n", hot_path(lib));
    print_loaded(lib);
    if (wait)
        status = wait_for_reload(lib);
    hot_close(lib);
    return status;
}
